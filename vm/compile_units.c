/* compile_units.c - the units of work the scheduler's workers take, and the
 * units each one waits for.
 *
 * Every abstract op belongs to one unit: the tracks' own work (the front,
 * vmc_split_front) to its track's or EQ batch's unit; every other op to
 * the unit of the strip whose buffer it writes (a mix and a latency delay
 * to their bus's). A unit's ops run in plan order on one worker at a time.
 * Two ops of different units that touch the same memory, one of them
 * writing it, make the later op's unit wait for the earlier op's: the
 * memory is each channel buffer slot (a strip's own, vm/compile.c) and a
 * strip's moving pan's evaluator (made by its first mix, read by its
 * others). So every buffer sees the same writes and reads in the same
 * order on any number of threads, whoever runs what:
 * a bus sums its inputs in plan order, and the bytes never depend on the
 * thread count. Units that would wait for each other (a send taken before
 * the fader reads its strip between two of that strip's ops) are merged,
 * with everything that depends on them, into one unit run last in plan
 * order (correct, only less parallel).
 *
 * The order the workers take the units (plan.unit_order) puts first the
 * unit with the longest chain of estimated work after it (list scheduling,
 * "highest level first"): it is a topological order, so a worker waits only
 * for units already taken, and the work that holds up the end of a block
 * (the dialogue that keys the music's compressor, the printmaster after
 * both) starts as early as it can.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/compile_priv.h"

int vmc_op_touches(const compiler *c, const aop *o, vmc_touch *t)
{
    const vm_desc *d = c->d;
    int n = 0;
    switch (o->kind) {
    case A_EQ_BATCH:
        for (int s = o->strip; s >= 0 && n < VMC_MAX_TOUCH; s = c->batch_next[s])
            t[n++] = (vmc_touch){s, 1, 0};
        break;
    case A_MIX:
        t[n++] = (vmc_touch){o->strip, 0, 0};
        t[n++] = (vmc_touch){o->dst, 1, 0};
        if (d->strips[o->strip].pan.nevents) /* a moving pan: one evaluator for all its mixes (compile_emit.c) */
            t[n++] = (vmc_touch){o->strip, 1, 1};
        break;
    case A_DELAY:
        t[n++] = (vmc_touch){o->strip, 0, 0}; /* its output is its route's own, read by the mix after it */
        break;
    case A_INSERT: {
        int key = d->strips[o->strip].inserts[o->dst].key;
        if (key >= 0)
            t[n++] = (vmc_touch){key, 0, 0};
        t[n++] = (vmc_touch){o->strip, 1, 0};
        break;
    }
    default: /* CLEAR, CLIPS, BANDDUCK, GAIN: the strip's own buffer */
        t[n++] = (vmc_touch){o->strip, 1, 0};
    }
    return n;
}

/* The unit an op belongs to before any merging: front ops keep split_front's;
 * others are numbered by the strip they write, after the front's units. */
static int first_unit(const compiler *c, int i)
{
    const aop *o = &c->ops[i];
    if (i < c->nfront)
        return c->unit[i];
    return c->nunits + (o->kind == A_MIX || o->kind == A_DELAY ? o->dst : o->strip);
}

/* Rough work per block of one op, for the order only: per channel and
 * sample as vmc_split_front counts, a mix per channel pair, a dynamics or
 * limiter insert 4 (detector, gain, look-ahead). */
static double op_cost(const compiler *c, const aop *o)
{
    const vm_desc *d = c->d;
    double ch = d->strips[o->strip].channels;
    switch (o->kind) {
    case A_CLEAR:
        return 0.1;
    case A_MIX:
        return ch * d->strips[o->dst].channels / 2.0;
    case A_INSERT:
        return d->strips[o->strip].inserts[o->dst].kind == VM_INSERT_EQ ? 2 * ch : 4 * ch;
    default:
        return ch;
    }
}

typedef struct {
    int *last_writer;  /* per resource: the unit of the op that last wrote it, -1: none */
    int *readers;      /* per resource: head of its readers since that write, -1: none */
    int *reader_unit, *reader_next, nreads, capreads;
    vmc_pair *edges;   /* row: the unit waited for, item: the unit that waits */
    int nedges, capedges;
} dep_walk;

static int add_edge(dep_walk *w, int from, int to)
{
    if (from < 0 || from == to)
        return 0;
    if (w->nedges == w->capedges) {
        int cap = w->capedges ? 2 * w->capedges : 256;
        vmc_pair *e = realloc(w->edges, (size_t)cap * sizeof *e);
        if (!e)
            return -1;
        w->edges = e;
        w->capedges = cap;
    }
    w->edges[w->nedges++] = (vmc_pair){from, to};
    return 0;
}

/* Unit u reads (write 0) or writes resource r: it waits for the last writer
 * and, when writing, for every reader since. */
static int touch_resource(dep_walk *w, int r, int u, int write)
{
    if (add_edge(w, w->last_writer[r], u) != 0)
        return -1;
    if (!write) {
        if (w->nreads == w->capreads) {
            int cap = w->capreads ? 2 * w->capreads : 256;
            int *a = realloc(w->reader_unit, (size_t)cap * sizeof *a), *b;
            if (a)
                w->reader_unit = a;
            if (!a || !(b = realloc(w->reader_next, (size_t)cap * sizeof *b)))
                return -1;
            w->reader_next = b;
            w->capreads = cap;
        }
        w->reader_unit[w->nreads] = u;
        w->reader_next[w->nreads] = w->readers[r];
        w->readers[r] = w->nreads++;
        return 0;
    }
    for (int k = w->readers[r]; k >= 0; k = w->reader_next[k])
        if (add_edge(w, w->reader_unit[k], u) != 0)
            return -1;
    w->readers[r] = -1;
    w->last_writer[r] = u;
    return 0;
}

/* The edges between the first units of every op (first_unit): resources
 * 0..nslots are the buffer slots, nslots + s strip s's pan. */
static int find_edges(const compiler *c, dep_walk *w)
{
    int nres = c->nslots + c->n;
    w->last_writer = malloc((size_t)(nres ? nres : 1) * sizeof *w->last_writer);
    w->readers = malloc((size_t)(nres ? nres : 1) * sizeof *w->readers);
    if (!w->last_writer || !w->readers)
        return -1;
    for (int r = 0; r < nres; r++)
        w->last_writer[r] = w->readers[r] = -1;
    for (int i = 0; i < c->nops; i++) {
        vmc_touch t[VMC_MAX_TOUCH + 1];
        int nt = vmc_op_touches(c, &c->ops[i], t), u = first_unit(c, i);
        if (c->sum_into[i] >= 0) /* an EQ batch that may write its bus's sum (vmc_find_sums) */
            t[nt++] = (vmc_touch){c->sum_into[i], 1, 0};
        for (int k = 0; k < nt; k++) {
            int s = t[k].strip;
            if (t[k].pan) {
                if (touch_resource(w, c->nslots + s, u, 1) != 0)
                    return -1;
                continue;
            }
            for (int ch = 0; c->slot_of[s] >= 0 && ch < c->d->strips[s].channels; ch++)
                if (touch_resource(w, c->slot_of[s] + ch, u, t[k].write) != 0)
                    return -1;
        }
    }
    return 0;
}

/* Kahn's order of units 0..n over the edges; the units it cannot reach
 * (on a cycle, or after one) all map to one unit after the others. Fills
 * map[u] (new number, by the order found) and returns the count, -1 when
 * out of memory. */
static int order_units(int n, const vmc_pair *edges, int nedges, int *map)
{
    vmc_rows succ = {0};
    int *indeg = calloc((size_t)n + 1, sizeof *indeg), *queue = malloc(((size_t)n + 1) * sizeof *queue);
    int m = -1;
    if (!indeg || !queue || vmc_rows_from_pairs(n, edges, nedges, &succ) != 0)
        goto done;
    for (int e = 0; e < nedges; e++)
        indeg[edges[e].item]++;
    int head = 0, tail = 0;
    for (int u = 0; u < n; u++)
        if (!indeg[u])
            queue[tail++] = u;
    while (head < tail) {
        int u = queue[head++];
        for (const int *v = VMC_ROW_BEGIN(succ, u); v < VMC_ROW_END(succ, u); v++)
            if (--indeg[*v] == 0)
                queue[tail++] = *v;
    }
    for (int u = 0; u < n; u++)
        map[u] = -1;
    for (m = 0; m < tail; m++)
        map[queue[m]] = m;
    int rest = 0;
    for (int u = 0; u < n; u++)
        if (map[u] < 0)
            map[u] = m, rest = 1;
    m += rest;
done:
    free(indeg);
    free(queue);
    free(succ.start);
    free(succ.items);
    return m;
}

/* The order the workers take the units: the longest estimated chain of
 * work from each unit to the block's end first (ties: lower number), in
 * c->unit_order. Units are numbered in a topological order, so each
 * successor's chain is known when walking backwards. */
typedef struct {
    double level;
    int unit;
} leveled;

static int cmp_level(const void *a, const void *b)
{
    const leveled *x = a, *y = b;
    if (x->level != y->level)
        return x->level > y->level ? -1 : 1;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

static int take_order(compiler *c)
{
    leveled *l = malloc((size_t)(c->nunits ? c->nunits : 1) * sizeof *l);
    if (!l)
        return -1;
    for (int u = c->nunits - 1; u >= 0; u--) {
        double after = 0;
        for (const int *v = VMC_ROW_BEGIN(c->unit_succ, u); v < VMC_ROW_END(c->unit_succ, u); v++)
            after = l[*v].level > after ? l[*v].level : after;
        l[u] = (leveled){c->unit_cost[u] + after, u};
    }
    qsort(l, (size_t)c->nunits, sizeof *l, cmp_level);
    for (int u = 0; u < c->nunits; u++)
        c->unit_order[u] = l[u].unit;
    free(l);
    return 0;
}

ds_result vmc_link_units(compiler *c, char *err)
{
    int n0 = c->nunits + c->n; /* the front's units, then one per strip */
    dep_walk w = {0};
    int *map = malloc((size_t)(n0 ? n0 : 1) * sizeof *map);
    double *cost = calloc((size_t)(n0 ? n0 : 1), sizeof *cost);
    int *npred = NULL, *order = NULL, *renum = NULL, m, used = 0, ne = 0;
    ds_result r = DS_ERR_NOMEM;
    if (!map || !cost || find_edges(c, &w) != 0)
        goto done;
    m = order_units(n0, w.edges, w.nedges, map);
    /* only the units that got an op, renumbered in the same order */
    if (m < 0 || !(renum = calloc((size_t)(m ? m : 1), sizeof *renum)))
        goto done;
    for (int i = 0; i < c->nops; i++)
        renum[map[first_unit(c, i)]] = 1;
    for (int u = 0; u < m; u++)
        renum[u] = renum[u] ? used++ : -1;
    for (int u = 0; u < n0; u++)
        map[u] = renum[map[u]];
    m = used;
    for (int i = 0; i < c->nops; i++) {
        int u = map[first_unit(c, i)];
        cost[u] += i < c->nfront ? 0 : op_cost(c, &c->ops[i]);
        c->unit[i] = u;
    }
    for (int u = 0; u < c->nunits; u++) /* the front's estimates */
        cost[map[u]] += c->unit_cost[u];
    /* the edges between the final units, each once */
    for (int e = 0; e < w.nedges; e++) {
        int a = map[w.edges[e].row], b = map[w.edges[e].item];
        if (a != b)
            w.edges[ne++] = (vmc_pair){a, b};
    }
    free(c->unit_succ.start), free(c->unit_succ.items);
    memset(&c->unit_succ, 0, sizeof c->unit_succ);
    if (vmc_rows_from_pairs(m, w.edges, ne, &c->unit_succ) != 0)
        goto done;
    vmc_rows_sort_unique(m, &c->unit_succ);
    npred = calloc((size_t)(m ? m : 1), sizeof *npred);
    order = malloc((size_t)(m ? m : 1) * sizeof *order);
    if (!npred || !order)
        goto done;
    for (int u = 0; u < m; u++)
        for (const int *v = VMC_ROW_BEGIN(c->unit_succ, u); v < VMC_ROW_END(c->unit_succ, u); v++)
            npred[*v]++;
    for (int u = 0; u < m; u++)
        cost[u] = cost[u] > 0.1 ? cost[u] : 0.1; /* every unit some work: levels fall along every edge */
    free(c->unit_cost);
    c->unit_cost = cost, cost = NULL;
    free(c->unit_npred);
    c->unit_npred = npred, npred = NULL;
    free(c->unit_order);
    c->unit_order = order, order = NULL;
    c->nunits = m;
    r = take_order(c) == 0 ? DS_OK : DS_ERR_NOMEM;
done:
    free(map), free(cost), free(npred), free(order), free(renum);
    free(w.last_writer), free(w.readers), free(w.reader_unit), free(w.reader_next), free(w.edges);
    return r == DS_OK ? DS_OK : ds_fail(err, r, "out of memory");
}
