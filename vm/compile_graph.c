/* compile_graph.c - the compiler's analysis phase: the order of the strips
 * (a loop is an error naming it), what is audible and needed, every route's
 * channel layout, and the latency of every path (look-aheads).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/pan.h"
#include "vm/compile_priv.h"

void vmc_warnf(compiler *c, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    size_t need = c->warnlen + strlen(line) + 2;
    if (need > c->warncap) {
        size_t cap = need * 2;
        char *p = realloc(c->warn, cap);
        if (!p)
            return;
        c->warn = p;
        c->warncap = cap;
    }
    c->warnlen += (size_t)sprintf(c->warn + c->warnlen, "%s\n", line);
}

const char *vmc_kind_name(const vm_strip_desc *s)
{
    return s->kind == VM_STRIP_TRACK ? "track" : "bus";
}

/* ---- ordering ------------------------------------------------------------ */

/* Appends printf output to buf[cap] at *len; returns 0, leaving buf
 * terminated where it was, when it does not fit. */
static int appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= cap - *len) {
        buf[*len] = 0;
        return 0;
    }
    *len += (size_t)w;
    return 1;
}

/* The loop that closes when strip i, on the current path at or below
 * stack[depth] = s, feeds s: printed s -> stack[depth - 1] -> ... -> i -> s,
 * the way signal flows (stack[j + 1] feeds stack[j]); a long one is cut
 * with "... (N more) ->" so the message keeps its end. */
static __attribute__((noinline)) ds_result loop_error(const compiler *c, int s, int i, const int *stack, int depth,
                                                      char *err)
{
    const vm_desc *d = c->d;
    char loop[DS_ERR_LEN - VM_WHERE_LEN - 32], tail[120];
    int from = depth;
    while (from > 0 && stack[from] != i)
        from--;
    snprintf(tail, sizeof tail, "%s '%s'", vmc_kind_name(&d->strips[s]), d->strips[s].name);
    size_t len = 0, room = sizeof loop - strlen(tail) - sizeof "... (99999999 more) -> ";
    int j = depth;
    for (; j >= from; j--)
        if (!appendf(loop, room, &len, "%s '%s' -> ", vmc_kind_name(&d->strips[stack[j]]), d->strips[stack[j]].name))
            break;
    if (j >= from)
        appendf(loop, sizeof loop, &len, "... (%d more) -> ", j - from + 1);
    appendf(loop, sizeof loop, &len, "%s", tail);
    return ds_fail(err, DS_ERR_GRAPH, "%s: routing loop: %s", d->strips[s].where, loop);
}

/* Depth-first post-order; state 1 = on the current path, 2 = done. A back
 * edge is a loop: report the path from the edge's target round to itself. */
static ds_result visit(compiler *c, int s, int *state, int *stack, int depth, int *out, int *nout, char *err)
{
    const vm_desc *d = c->d;
    state[s] = 1;
    stack[depth] = s;
    /* Visit the strips that feed s first, in the order they were written;
     * a strip that keys one of s's inserts counts as feeding it. */
    for (int i = 0; i < c->n; i++) {
        const vm_strip_desc *src = &d->strips[i];
        int nedges = src->ndests;
        for (int k = 0; k < d->strips[s].ninserts; k++)
            nedges += d->strips[s].inserts[k].key == i;
        for (int k = 0; k < nedges; k++) {
            if (k < src->ndests && src->dests[k] != s)
                continue;
            if (state[i] == 1)
                return loop_error(c, s, i, stack, depth, err);
            if (state[i] == 0) {
                ds_result r = visit(c, i, state, stack, depth + 1, out, nout, err);
                if (r != DS_OK)
                    return r;
            }
        }
    }
    state[s] = 2;
    out[(*nout)++] = s;
    return DS_OK;
}

ds_result vmc_order_strips(compiler *c, char *err)
{
    int *state = calloc((size_t)c->n, sizeof *state);
    int *stack = calloc((size_t)c->n + 1, sizeof *stack);
    int nout = 0;
    ds_result r = DS_OK;
    if (!state || !stack)
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int s = 0; r == DS_OK && s < c->n; s++)
        if (state[s] == 0)
            r = visit(c, s, state, stack, 0, c->order, &nout, err);
    free(state);
    free(stack);
    return r;
}

/* ---- audibility ---------------------------------------------------------- */

static void mark_upstream(const vm_desc *d, int s, int *set)
{
    for (int i = 0; i < d->nstrips; i++)
        for (int k = 0; k < d->strips[i].ndests; k++)
            if (d->strips[i].dests[k] == s && !set[i]) {
                set[i] = 1;
                mark_upstream(d, i, set);
            }
}

static void mark_downstream(const vm_desc *d, int s, int *set)
{
    for (int k = 0; k < d->strips[s].ndests; k++) {
        int t = d->strips[s].dests[k];
        if (!set[t]) {
            set[t] = 1;
            mark_downstream(d, t, set);
        }
    }
}

/* Solo in place: when anything is soloed, a strip sounds only if it is
 * soloed, feeds a soloed strip, or is fed by one. Mute always wins. */
void vmc_decide_audible(compiler *c)
{
    const vm_desc *d = c->d;
    int any_solo = 0;
    for (int s = 0; s < c->n; s++)
        any_solo |= d->strips[s].solo;
    int *soloset = calloc((size_t)c->n + 1, sizeof *soloset);
    if (any_solo && soloset) {
        for (int s = 0; s < c->n; s++)
            if (d->strips[s].solo) {
                soloset[s] = 1;
                mark_upstream(d, s, soloset);
                mark_downstream(d, s, soloset);
            }
    }
    /* a mute that moves is a gain layer (strip_gain_param): the strip stays */
    for (int s = 0; s < c->n; s++) {
        c->muted[s] = d->strips[s].mute && !d->strips[s].mutep.nevents;
        for (int g = 0; g < d->nmute_groups; g++)
            for (int m = 0; m < d->mute_groups[g].nmembers; m++)
                if (d->mute_groups[g].mute && !d->mute_groups[g].mutep.nevents && d->mute_groups[g].members[m] == s)
                    c->muted[s] = 1;
        c->audible[s] = !c->muted[s] && (!any_solo || (soloset && soloset[s]));
    }
    free(soloset);
}

int vmc_edge_active(const compiler *c, int from, int to)
{
    return c->audible[from] && c->audible[to];
}

/* ---- routing matrices ---------------------------------------------------- */

/* Fills coef[src_ch * dst_channels + dst_ch] for the route from -> to. */
ds_result vmc_route_matrix(const vm_desc *d, int from, int to, double *coef, char *err)
{
    const vm_strip_desc *s = &d->strips[from], *t = &d->strips[to];
    int sc = s->channels, tc = t->channels;
    if (sc > VM_MAX_CHANNELS || tc > VM_MAX_CHANNELS) /* vmc_validate refuses these first */
        return ds_fail(err, DS_ERR_GRAPH, "%s: more than %d channels", s->where, VM_MAX_CHANNELS);
    memset(coef, 0, (size_t)sc * (size_t)tc * sizeof *coef);
    if (sc == 1 && tc >= 2) {
        dsp_pan_mono(s->pan.value, &coef[0], &coef[1]);
        return DS_OK;
    }
    if (sc == tc) {
        if (sc == 2) {
            dsp_pan_balance(s->pan.value, &coef[0], &coef[3]);
            return DS_OK;
        }
        if ((s->pan.value != 0 || s->pan.nevents) && sc > 2)
            return ds_fail(err, DS_ERR_GRAPH, "%s: %s '%s' has %d channels: pan only applies to mono and stereo",
                           s->where, vmc_kind_name(s), s->name, sc);
        for (int i = 0; i < sc; i++)
            coef[i * tc + i] = 1.0;
        return DS_OK;
    }
    if (tc == 1)
        return ds_fail(err, DS_ERR_GRAPH,
                       "%s: cannot route %d-channel %s '%s' into mono bus '%s': make the bus %d channels, or pick "
                       "one channel of the clips with channel = k",
                       s->where, sc, vmc_kind_name(s), s->name, t->name, sc);
    return ds_fail(err, DS_ERR_GRAPH,
                   "%s: cannot route %d-channel %s '%s' into %d-channel bus '%s': a mono strip pans into any bus; "
                   "other layouts must match",
                   s->where, sc, vmc_kind_name(s), s->name, tc, t->name);
}

/* ---- latency ---------------------------------------------------------------- */

/* The look-ahead of a limiter with these settings, in samples. */
static int limiter_latency(double fs, int channels, const dsp_limiter_params *lp)
{
    size_t m = dsp_limiter_heap_size(channels, fs, lp);
    void *mem = m ? malloc(m) : NULL;
    if (!mem)
        return 0;
    dsp_limiter st;
    dsp_limiter_init(&st, mem, channels, fs, lp);
    int l = dsp_limiter_latency(&st);
    free(mem);
    return l;
}

dsp_ducker_params vmc_ducker_params(const vm_duck_desc *du)
{
    dsp_ducker_params dp = {.depth_db = du->depth_db, .threshold_db = du->threshold_db, .attack_s = du->attack_s,
                            .release_s = du->release_s, .hold_s = du->hold_s, .preroll_s = du->preroll_s,
                            .bridge_s = du->bridge_s, .lookahead_s = du->lookahead_s};
    return dp;
}

/* The look-ahead of insert k of strip s (a limiter's, a realtime duck's), 0
 * for the others */
int vmc_insert_latency(const vm_desc *d, int s, int k)
{
    const vm_insert_desc *e = &d->strips[s].inserts[k];
    if (e->kind == VM_INSERT_LIMITER)
        return limiter_latency(d->tb.rate, d->strips[s].channels, &e->lim);
    if (e->kind == VM_INSERT_DUCK) {
        dsp_ducker_params dp = vmc_ducker_params(&d->ducks[e->duck]);
        return dsp_ducker_latency(d->tb.rate, &dp);
    }
    return 0;
}

/* Path latency: a strip's input sum is as late as its latest audible
 * feeder; its output adds its inserts' look-ahead. Earlier feeders are
 * delayed to match when they are mixed (A_DELAY), and every output is read
 * that much later, so everything stays aligned to picture. */
void vmc_compute_latency(compiler *c)
{
    const vm_desc *d = c->d;
    for (int i = 0; i < c->n; i++) {
        int s = c->order[i], in = 0, own = 0;
        for (int f = 0; f < c->n; f++)
            for (int k = 0; k < d->strips[f].ndests; k++)
                if (d->strips[f].dests[k] == s && vmc_edge_active(c, f, s) && c->needed[f] && c->lat_out[f] > in)
                    in = c->lat_out[f];
        for (int k = 0; k < d->strips[s].ninserts; k++)
            if (c->audible[s])
                own += vmc_insert_latency(d, s, k);
        c->lat_in[s] = in;
        c->lat_out[s] = in + own;
    }
}

/* needed: tapped by an output, or feeding (audibly) a needed strip. Walk in
 * reverse topological order so every destination is decided first. */
void vmc_decide_needed(compiler *c)
{
    const vm_desc *d = c->d;
    for (int i = c->n - 1; i >= 0; i--) {
        int s = c->order[i];
        int need = c->tapped[s];
        for (int k = 0; k < d->strips[s].ndests; k++)
            if (vmc_edge_active(c, s, d->strips[s].dests[k]) && c->needed[d->strips[s].dests[k]])
                need = 1;
        for (int t = 0; t < c->n; t++) /* a key of an audible insert downstream */
            for (int k = 0; k < d->strips[t].ninserts; k++)
                if (d->strips[t].inserts[k].key == s && c->needed[t] && c->audible[t])
                    need = 1;
        c->needed[s] = need;
        if (!need && c->audible[s])
            vmc_warnf(c, "%s: %s '%s' is not heard: it feeds no bus that reaches an output", d->strips[s].where,
                  vmc_kind_name(&d->strips[s]), d->strips[s].name);
    }
}
