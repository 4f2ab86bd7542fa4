/* compile.c - description -> plan.
 *
 * Steps: decide what is audible (mute, solo) -> order the strips so every
 * strip comes after all that feed it (a loop is an error naming it) ->
 * check every route's channel layout -> emit an abstract op list -> give
 * each strip's buffer a lifetime and assign channel buffers by liveness ->
 * build the real ops in one arena.
 */
#include "vm/plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/ducker.h"
#include "dsp/pan.h"
#include "vm/ops.h"

typedef enum { A_CLEAR, A_CLIPS, A_INSERT, A_EQ_BATCH, A_BANDDUCK, A_GAIN, A_DELAY, A_MIX } aop_kind;

typedef struct {
    aop_kind kind;
    int strip;   /* the strip written (CLEAR, CLIPS, GAIN) or read (MIX) */
    int dst;     /* MIX, DELAY: the strip mixed into; INSERT, EQ_BATCH: the insert's index */
} aop;

typedef struct {
    const vm_desc *d;
    int n;                 /* strips */
    int *order;            /* topological order */
    int *audible;          /* strip sounds (not muted, not solo-muted) */
    int *needed;           /* strip's buffer is read by something */
    int *tapped;           /* an output records the strip */
    int *muted;            /* muted itself or by a mute group */
    aop *ops;
    int nops, capops;
    int *def, *last;       /* per strip: op that first writes / last reads its buffer */
    int *lat_in, *lat_out; /* per strip: latency of its input sum and of its output, samples */
    int *batch_of;         /* per strip: first strip of its EQ batch, -1 when not batched */
    int *batch_next;       /* per strip: next strip of the same batch, -1 at its end */
    int nfront;            /* ops[0..nfront) are tracks' own work, runnable in parallel (split_front) */
    int *unit;             /* per front op: its unit (split_front) */
    int nunits;
    double *unit_cost;
    char *warn;
    size_t warnlen, warncap;
} compiler;

static void warnf(compiler *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(compiler *c, const char *fmt, ...)
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

static const char *kind_name(const vm_strip_desc *s)
{
    return s->kind == VM_STRIP_TRACK ? "track" : "bus";
}

/* ---- ordering ------------------------------------------------------------ */

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
            if (state[i] == 1) {
                char loop[1024];
                size_t len = 0;
                int from = depth;
                while (from > 0 && stack[from] != i)
                    from--;
                /* stack[j + 1] feeds stack[j], stack[from] is i and i feeds s:
                 * print s -> stack[depth - 1] -> ... -> i -> s, the way signal flows. */
                for (int j = depth; j >= from; j--)
                    len += (size_t)snprintf(loop + len, sizeof loop - len, "%s '%s' -> ",
                                            kind_name(&d->strips[stack[j]]), d->strips[stack[j]].name);
                snprintf(loop + len, sizeof loop - len, "%s '%s'", kind_name(&d->strips[stack[depth]]),
                         d->strips[stack[depth]].name);
                return ds_fail(err, DS_ERR_GRAPH, "%s: routing loop: %s", d->strips[s].where, loop);
            }
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

static ds_result order_strips(compiler *c, char *err)
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
static void decide_audible(compiler *c)
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

static int edge_active(const compiler *c, int from, int to)
{
    return c->audible[from] && c->audible[to];
}

/* ---- routing matrices ---------------------------------------------------- */

/* Fills coef[src_ch * dst_channels + dst_ch] for the route from -> to. */
static ds_result route_matrix(const vm_desc *d, int from, int to, double *coef, char *err)
{
    const vm_strip_desc *s = &d->strips[from], *t = &d->strips[to];
    int sc = s->channels, tc = t->channels;
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
                           s->where, kind_name(s), s->name, sc);
        for (int i = 0; i < sc; i++)
            coef[i * tc + i] = 1.0;
        return DS_OK;
    }
    if (tc == 1)
        return ds_fail(err, DS_ERR_GRAPH,
                       "%s: cannot route %d-channel %s '%s' into mono bus '%s': make the bus %d channels, or pick "
                       "one channel of the clips with channel = k",
                       s->where, sc, kind_name(s), s->name, t->name, sc);
    return ds_fail(err, DS_ERR_GRAPH,
                   "%s: cannot route %d-channel %s '%s' into %d-channel bus '%s': a mono strip pans into any bus; "
                   "other layouts must match",
                   s->where, sc, kind_name(s), s->name, tc, t->name);
}

/* ---- parameters ------------------------------------------------------------ */

/* The mute moves that reach strip s: its own and its mute groups'. */
static int mute_moves(const vm_desc *d, int s)
{
    int n = d->strips[s].mutep.nevents;
    for (int g = 0; g < d->nmute_groups; g++)
        for (int m = 0; m < d->mute_groups[g].nmembers; m++)
            if (d->mute_groups[g].members[m] == s)
                n += d->mute_groups[g].mutep.nevents;
    return n;
}

/* 1 when strip s's gain (fader + trim + its VCAs) is 0 dB for ever. */
static int gain_is_unity(const vm_desc *d, int s)
{
    const vm_strip_desc *st = &d->strips[s];
    double sum = st->gain.value + st->trim.value;
    int moves = st->gain.nevents + st->trim.nevents + st->duck.nevents + mute_moves(d, s);
    for (int v = 0; v < d->nvcas; v++)
        for (int m = 0; m < d->vcas[v].nmembers; m++)
            if (d->vcas[v].members[m] == s) {
                sum += d->vcas[v].gain.value;
                moves += d->vcas[v].gain.nevents;
            }
    return moves == 0 && sum == 0;
}

/* A lane for a parameter's static value and moves, owned by the plan. */
static vm_lane *build_lane(plan *p, const vm_param_desc *pd, int is_db, const char *name, char *err)
{
    if (p->nlanes == p->caplanes) {
        int cap = p->caplanes ? p->caplanes * 2 : 16;
        vm_lane **l = realloc(p->lanes, (size_t)cap * sizeof *l);
        if (!l) {
            ds_fail(err, DS_ERR_NOMEM, "out of memory");
            return NULL;
        }
        p->lanes = l;
        p->caplanes = cap;
    }
    vm_lane *lane = vm_param_desc_lane(pd, is_db, name, err);
    if (lane)
        p->lanes[p->nlanes++] = lane;
    return lane;
}

static plan_param *new_param(vm_arena *A, const char *name, plan_param_kind kind, int nlanes, int max_block)
{
    plan_param *pp = vm_arena_alloc(A, sizeof *pp);
    if (!pp)
        return NULL;
    pp->name = vm_arena_strdup(A, name);
    pp->kind = kind;
    pp->lanes = vm_arena_alloc(A, (size_t)(nlanes ? nlanes : 1) * sizeof *pp->lanes);
    pp->span_start = pp->span_end = INT64_MIN; /* no stretch cached */
    pp->nahead = 0;
    pp->far = vm_arena_alloc(A, (size_t)max_block * sizeof *pp->far);
    if (kind != PARAM_GAIN && !(pp->far2 = vm_arena_alloc(A, (size_t)max_block * sizeof *pp->far2)))
        return NULL;
    if (!pp->name || !pp->lanes || !pp->far)
        return NULL;
    return pp;
}

/* Appends an op that evaluates pp each block, unless pp never moves. */
static void schedule_param(plan *p, plan_param *pp, int moves)
{
    if (!moves) {
        plan_param_init_static(pp);
        return;
    }
    plan_op *op = &p->ops[p->nops++];
    op->fn = op_param;
    op->args = pp;
    op->label = pp->name;
}

/* How many gain layers the mute moves reaching strip s make: one for its
 * own, one per mute group of it that moves. */
static int mute_layers(const vm_desc *d, int s)
{
    int n = d->strips[s].mutep.nevents > 0;
    for (int g = 0; g < d->nmute_groups; g++)
        for (int m = 0; m < d->mute_groups[g].nmembers; m++)
            if (d->mute_groups[g].members[m] == s && d->mute_groups[g].mutep.nevents)
                n++;
    return n;
}

/* Appends those layers (vm_mute_layer: each switch a 5 ms fade, linear in
 * amplitude) to pp's lanes, which have room for mute_layers(d, s) more.
 * 0, or -1 with the message in err. */
static int add_mute_layers(plan *p, const vm_desc *d, int s, plan_param *pp, char *err)
{
    const vm_strip_desc *st = &d->strips[s];
    for (int g = -1; g < d->nmute_groups; g++) {
        const vm_param_desc *mp = g < 0 ? &st->mutep : &d->mute_groups[g].mutep;
        int muted = g < 0 ? st->mute : d->mute_groups[g].mute, member = g < 0;
        for (int m = 0; g >= 0 && m < d->mute_groups[g].nmembers; m++)
            member |= d->mute_groups[g].members[m] == s;
        if (!member || !mp->nevents)
            continue;
        char what[300];
        if (g < 0)
            snprintf(what, sizeof what, "%s '%s' mute", kind_name(st), st->name);
        else
            snprintf(what, sizeof what, "mute group '%s' mute", d->mute_groups[g].name);
        vm_param_desc layer;
        if (vm_mute_layer(mp, muted, d->tb.rate, &layer, err) != DS_OK)
            return -1;
        vm_lane *lane = build_lane(p, &layer, 1, what, err); /* one per member: lanes keep a cursor */
        vm_param_desc_free(&layer);
        if (!lane)
            return -1;
        pp->lanes[pp->nlanes++] = lane;
    }
    return 0;
}

/* The moving level of the send from strip s to bus dst (its lane, and
 * before the fader the strip's mute fades as layers), scheduled; NULL with
 * the message in err. */
static plan_param *send_level_param(plan *p, const vm_desc *d, int s, int dst, const vm_send_desc *sd, int pre_mute,
                                    char *err)
{
    const vm_strip_desc *st = &d->strips[s], *dt = &d->strips[dst];
    int moves = sd->level.nevents + mute_moves(d, s);
    char nm[300], what[300];
    snprintf(nm, sizeof nm, "param  %s '%s' send to bus '%s' level%s (%d move%s)", kind_name(st), st->name,
             dt->name, pre_mute ? " + mute" : "", moves, moves == 1 ? "" : "s");
    snprintf(what, sizeof what, "%s '%s' send to bus '%s' level", kind_name(st), st->name, dt->name);
    plan_param *pp = new_param(&p->arena, nm, PARAM_GAIN, 1 + (pre_mute ? mute_layers(d, s) : 0), p->max_block);
    if (!pp) {
        ds_fail(err, DS_ERR_NOMEM, "out of memory for %s", what);
        return NULL;
    }
    if (!(pp->lanes[pp->nlanes++] = build_lane(p, &sd->level, 1, what, err)) ||
        (pre_mute && add_mute_layers(p, d, s, pp, err) != 0))
        return NULL;
    schedule_param(p, pp, 1);
    return pp;
}

/* The gain of strip s: fader + trim + every VCA it belongs to, in dB, and
 * the fades of mute moves. */
static plan_param *strip_gain_param(plan *p, const vm_desc *d, int s, vm_lane **vca_lanes, char *err)
{
    const vm_strip_desc *st = &d->strips[s];
    char name[400], parts[300] = "";
    size_t pl = 0;
    int nl = 3 + mute_layers(d, s), moves = st->gain.nevents + st->trim.nevents + st->duck.nevents + mute_moves(d, s);
    for (int v = 0; v < d->nvcas; v++)
        for (int m = 0; m < d->vcas[v].nmembers; m++)
            if (d->vcas[v].members[m] == s) {
                nl++;
                moves += d->vcas[v].gain.nevents;
                if (pl < sizeof parts - 80)
                    pl += (size_t)snprintf(parts + pl, sizeof parts - pl, " + vca '%s'", d->vcas[v].name);
            }
    snprintf(name, sizeof name, "param  %s '%s' gain: fader + trim%s%s%s (%d move%s)", kind_name(st), st->name,
             st->duck.nevents ? " + duck" : "", parts, mute_layers(d, s) ? " + mute" : "", moves, moves == 1 ? "" : "s");
    plan_param *pp = new_param(&p->arena, name, PARAM_GAIN, nl, p->max_block);
    if (!pp) {
        ds_fail(err, DS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    char what[300];
    snprintf(what, sizeof what, "%s '%s' gain", kind_name(st), st->name);
    if (!(pp->lanes[pp->nlanes++] = build_lane(p, &st->gain, 1, what, err)))
        return NULL;
    snprintf(what, sizeof what, "%s '%s' trim", kind_name(st), st->name);
    if (!(pp->lanes[pp->nlanes++] = build_lane(p, &st->trim, 1, what, err)))
        return NULL;
    if (st->duck.nevents) {
        snprintf(what, sizeof what, "%s '%s' duck", kind_name(st), st->name);
        if (!(pp->lanes[pp->nlanes++] = build_lane(p, &st->duck, 1, what, err)))
            return NULL;
    }
    /* each member reads its own copy of a VCA's lane: lanes keep a cursor,
     * and members may be evaluated on different threads */
    for (int v = 0; v < d->nvcas; v++)
        for (int m = 0; m < d->vcas[v].nmembers; m++)
            if (d->vcas[v].members[m] == s) {
                snprintf(what, sizeof what, "vca '%s' gain", d->vcas[v].name);
                if (!(pp->lanes[pp->nlanes++] = build_lane(p, &d->vcas[v].gain, 1, what, err)))
                    return NULL;
            }
    if (add_mute_layers(p, d, s, pp, err) != 0)
        return NULL;
    (void)vca_lanes;
    schedule_param(p, pp, moves);
    return pp;
}

/* ---- latency ---------------------------------------------------------------- */

/* The look-ahead of a limiter with these settings, in samples. */
static int limiter_latency(double fs, int channels, const dsp_limiter_params *lp)
{
    size_t m = dsp_limiter_memory(channels, fs, lp);
    void *mem = m ? malloc(m) : NULL;
    if (!mem)
        return 0;
    dsp_limiter st;
    dsp_limiter_init(&st, mem, channels, fs, lp);
    int l = dsp_limiter_latency(&st);
    free(mem);
    return l;
}

static dsp_ducker_params ducker_params(const vm_duck_desc *du)
{
    dsp_ducker_params dp = {.depth_db = du->depth_db, .threshold_db = du->threshold_db, .attack_s = du->attack_s,
                            .release_s = du->release_s, .hold_s = du->hold_s, .preroll_s = du->preroll_s,
                            .bridge_s = du->bridge_s, .lookahead_s = du->lookahead_s};
    return dp;
}

/* The look-ahead of insert k of strip s (a limiter's, a realtime duck's), 0
 * for the others */
static int insert_latency(const vm_desc *d, int s, int k)
{
    const vm_insert_desc *e = &d->strips[s].inserts[k];
    if (e->kind == VM_INSERT_LIMITER)
        return limiter_latency(d->tb.rate, d->strips[s].channels, &e->lim);
    if (e->kind == VM_INSERT_DUCK) {
        dsp_ducker_params dp = ducker_params(&d->ducks[e->duck]);
        return dsp_ducker_latency(d->tb.rate, &dp);
    }
    return 0;
}

/* Path latency: a strip's input sum is as late as its latest audible
 * feeder; its output adds its inserts' look-ahead. Earlier feeders are
 * delayed to match when they are mixed (A_DELAY), and every output is read
 * that much later, so everything stays aligned to picture. */
static void compute_latency(compiler *c)
{
    const vm_desc *d = c->d;
    for (int i = 0; i < c->n; i++) {
        int s = c->order[i], in = 0, own = 0;
        for (int f = 0; f < c->n; f++)
            for (int k = 0; k < d->strips[f].ndests; k++)
                if (d->strips[f].dests[k] == s && edge_active(c, f, s) && c->needed[f] && c->lat_out[f] > in)
                    in = c->lat_out[f];
        for (int k = 0; k < d->strips[s].ninserts; k++)
            if (c->audible[s])
                own += insert_latency(d, s, k);
        c->lat_in[s] = in;
        c->lat_out[s] = in + own;
    }
}

/* ---- abstract ops ----------------------------------------------------------- */

static ds_result emit(compiler *c, aop_kind k, int strip, int dst, char *err)
{
    if (c->nops == c->capops) {
        int cap = c->capops ? c->capops * 2 : 64;
        aop *p = realloc(c->ops, (size_t)cap * sizeof *p);
        if (!p)
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        c->ops = p;
        c->capops = cap;
    }
    c->ops[c->nops++] = (aop){k, strip, dst};
    return DS_OK;
}

/* The fader is its own step after the strip's signal is complete (a bus, a
 * track with inserts, a band duck, or a send taken before the fader); a
 * plain track's fader is folded into its clips' gains instead. */
static int fader_after(const vm_desc *d, int s)
{
    const vm_strip_desc *st = &d->strips[s];
    return st->kind == VM_STRIP_BUS || st->ninserts || st->band_hi > 0 || vm_desc_has_pre_send(d, s);
}

/* A static fader on a strip that nothing reads after it (no output, no
 * key) but its mixes: fold it into the mix coefficients instead of a pass. */
static int fader_folds(const compiler *c, int s)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s];
    if (c->tapped[s] || st->pan.nevents || st->gain.nevents || st->trim.nevents || st->duck.nevents ||
        mute_moves(d, s))
        return 0;
    for (int v = 0; v < d->nvcas; v++)
        for (int m = 0; m < d->vcas[v].nmembers; m++)
            if (d->vcas[v].members[m] == s && d->vcas[v].gain.nevents)
                return 0;
    for (int t = 0; t < c->n; t++)
        for (int k = 0; k < d->strips[t].ninserts; k++)
            if (d->strips[t].inserts[k].key == s)
                return 0;
    return 1;
}

/* The ops after a strip's inserts: its fader (unless folded into the clips)
 * and its mixes into the buses it feeds, with latency-compensating delays. */
/* The mixes of strip s into the buses it feeds, those before its fader
 * (pre = 1: pre-fader sends) or the others: each bus cleared before its
 * first input, a compensating delay where the bus is later. */
static ds_result emit_routes(compiler *c, int s, int pre, int *started, char *err)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s];
    ds_result r = DS_OK;
    for (int k = 0; r == DS_OK && k < st->ndests; k++) {
        int t = st->dests[k];
        const vm_send_desc *sd = vm_desc_send(d, s, t);
        if ((sd && sd->pre) != pre || !edge_active(c, s, t) || !c->needed[t])
            continue;
        if (!started[t]) {
            r = emit(c, A_CLEAR, t, -1, err);
            started[t] = 1;
        }
        if (r == DS_OK && c->lat_in[t] > c->lat_out[s])
            r = emit(c, A_DELAY, s, t, err);
        if (r == DS_OK)
            r = emit(c, A_MIX, s, t, err);
    }
    return r;
}

static ds_result emit_tail(compiler *c, int s, int *started, char *err)
{
    const vm_desc *d = c->d;
    /* sends taken before the fader: mixed from the signal as it is now */
    ds_result r = emit_routes(c, s, 1, started, err);
    /* A track without inserts has its fader folded into its clips' gains
     * (one multiply per sample instead of two passes); otherwise the fader
     * is a gain op after the inserts. */
    if (r == DS_OK && c->audible[s] && fader_after(d, s) && !gain_is_unity(d, s) && !fader_folds(c, s))
        r = emit(c, A_GAIN, s, -1, err);
    return r == DS_OK ? emit_routes(c, s, 0, started, err) : r;
}

/* A track whose inserts are all static EQs can share its filters with the
 * next tracks that have the very same chain: one multi-channel filter runs
 * their channels side by side in SIMD lanes (dsp_biquad_multi, same bits
 * per channel as one at a time). */
/* Channels in one batch at most: the vector kernels take 8 lanes (AVX-512)
 * or 4 at a time, so more gain nothing, and smaller batches let the two
 * workers share the tracks' work more evenly. */
#define BATCH_CHANNELS 8

static int batchable(const compiler *c, int s)
{
    const vm_strip_desc *st = &c->d->strips[s];
    if (st->kind != VM_STRIP_TRACK || !st->nclips || !st->ninserts || !c->audible[s] || !c->needed[s] ||
        st->band_hi > 0)
        return 0;
    for (int k = 0; k < st->ninserts; k++) {
        const vm_insert_desc *e = &st->inserts[k];
        if (e->kind != VM_INSERT_EQ || e->order != 2 || e->freq.nevents || e->gain.nevents || e->q.nevents)
            return 0;
    }
    return 1;
}

static int same_chain(const vm_strip_desc *a, const vm_strip_desc *b)
{
    if (a->ninserts != b->ninserts)
        return 0;
    for (int k = 0; k < a->ninserts; k++) {
        const vm_insert_desc *x = &a->inserts[k], *y = &b->inserts[k];
        if (x->type != y->type || x->freq.value != y->freq.value || x->gain.value != y->gain.value ||
            x->q.value != y->q.value)
            return 0;
    }
    return 1;
}

static ds_result emit_all(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    int *started = calloc((size_t)c->n, sizeof *started);
    if (!started)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int s = 0; s < c->n; s++)
        c->batch_of[s] = c->batch_next[s] = -1;
    ds_result r = DS_OK;
    for (int i = 0; r == DS_OK && i < c->n; i++) {
        int s = c->order[i];
        const vm_strip_desc *st = &d->strips[s];
        if (!c->needed[s])
            continue;
        if (batchable(c, s)) {
            /* the run of following tracks with the same EQ chain */
            int j = i + 1, nch = st->channels, last = s;
            c->batch_of[s] = s;
            while (j < c->n && batchable(c, c->order[j]) && same_chain(st, &d->strips[c->order[j]]) &&
                   nch + d->strips[c->order[j]].channels <= BATCH_CHANNELS) {
                int t = c->order[j++];
                nch += d->strips[t].channels;
                c->batch_of[t] = s;
                c->batch_next[last] = t;
                last = t;
            }
            for (int t = s; r == DS_OK && t >= 0; t = c->batch_next[t])
                r = emit(c, A_CLIPS, t, -1, err);
            for (int k = 0; r == DS_OK && k < st->ninserts; k++)
                r = emit(c, A_EQ_BATCH, s, k, err);
            for (int t = s; r == DS_OK && t >= 0; t = c->batch_next[t])
                r = emit_tail(c, t, started, err);
            i = j - 1;
            continue;
        }
        if (st->kind == VM_STRIP_TRACK)
            r = emit(c, c->audible[s] && st->nclips ? A_CLIPS : A_CLEAR, s, -1, err);
        else if (!started[s])
            r = emit(c, A_CLEAR, s, -1, err);
        started[s] = 1;
        for (int k = 0; r == DS_OK && c->audible[s] && k < st->ninserts; k++)
            r = emit(c, A_INSERT, s, k, err);
        if (r == DS_OK && c->audible[s] && st->band_hi > 0)
            r = emit(c, A_BANDDUCK, s, -1, err);
        if (r == DS_OK)
            r = emit_tail(c, s, started, err);
    }
    free(started);
    return r;
}

/* Parallel execution. A track's clips, its inserts that read no other strip
 * and its fader touch only its own buffers, so the tracks' work can run on
 * several threads before anything is mixed. This moves that work (the
 * longest such prefix of each track's ops) to the front of the op list,
 * keeping every op's relative order (the buses get their terms in the same
 * order, so the output bytes do not change), and numbers the units (a
 * track, or an EQ batch's tracks) with an estimate of each one's work; the
 * scheduler deals them to its workers. */
static ds_result split_front(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    int n = c->nops;
    int *front = calloc((size_t)(n ? n : 1), sizeof *front);
    int *blocked = calloc((size_t)(c->n ? c->n : 1), sizeof *blocked);
    aop *ops = malloc((size_t)(n ? n : 1) * sizeof *ops);
    double *cost = calloc((size_t)(c->n ? c->n : 1), sizeof *cost);
    int *unit_of = malloc((size_t)(c->n ? c->n : 1) * sizeof *unit_of);
    c->unit = calloc((size_t)(n ? n : 1), sizeof *c->unit);
    c->unit_cost = calloc((size_t)(c->n ? c->n : 1), sizeof *c->unit_cost);
    if (!front || !blocked || !ops || !cost || !unit_of || !c->unit || !c->unit_cost) {
        free(front), free(blocked), free(ops), free(cost), free(unit_of);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        const aop *o = &c->ops[i];
        const vm_strip_desc *st = &d->strips[o->strip];
        int ok = st->kind == VM_STRIP_TRACK && !blocked[o->strip];
        if (ok && o->kind == A_INSERT)
            ok = st->inserts[o->dst].key < 0;
        else if (ok)
            ok = o->kind == A_CLEAR || o->kind == A_CLIPS || o->kind == A_EQ_BATCH || o->kind == A_BANDDUCK ||
                 o->kind == A_GAIN;
        if (!ok) {
            blocked[o->strip] = 1;
            continue;
        }
        front[i] = 1;
        int u = c->batch_of[o->strip] >= 0 ? c->batch_of[o->strip] : o->strip;
        double ch = st->channels, nb = 0;
        for (int t = u; o->kind == A_EQ_BATCH && t >= 0; t = c->batch_next[t])
            nb += d->strips[t].channels; /* an EQ batch op filters every channel of the batch */
        /* per channel and sample, roughly: reading and decoding 3, an EQ
         * section 2, a band duck 6, other inserts and a fader 1 */
        cost[u] += o->kind == A_CLIPS ? 3 * ch : o->kind == A_EQ_BATCH ? 2 * nb : o->kind == A_BANDDUCK ? 6 * ch
                   : o->kind == A_CLEAR ? 0.1 : ch;
    }
    for (int s = 0; s < c->n; s++)
        unit_of[s] = -1;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (front[i]) {
            const aop *o = &c->ops[i];
            int u = c->batch_of[o->strip] >= 0 ? c->batch_of[o->strip] : o->strip;
            if (unit_of[u] < 0) {
                unit_of[u] = c->nunits;
                c->unit_cost[c->nunits++] = cost[u];
            }
            c->unit[m] = unit_of[u];
            ops[m++] = *o;
        }
    c->nfront = m;
    for (int i = 0; i < n; i++)
        if (!front[i])
            ops[m++] = c->ops[i];
    memcpy(c->ops, ops, (size_t)n * sizeof *ops);
    free(front), free(blocked), free(ops), free(cost), free(unit_of);
    return DS_OK;
}

/* needed: tapped by an output, or feeding (audibly) a needed strip. Walk in
 * reverse topological order so every destination is decided first. */
static void decide_needed(compiler *c)
{
    const vm_desc *d = c->d;
    for (int i = c->n - 1; i >= 0; i--) {
        int s = c->order[i];
        int need = c->tapped[s];
        for (int k = 0; k < d->strips[s].ndests; k++)
            if (edge_active(c, s, d->strips[s].dests[k]) && c->needed[d->strips[s].dests[k]])
                need = 1;
        for (int t = 0; t < c->n; t++) /* a key of an audible insert downstream */
            for (int k = 0; k < d->strips[t].ninserts; k++)
                if (d->strips[t].inserts[k].key == s && c->needed[t] && c->audible[t])
                    need = 1;
        c->needed[s] = need;
        if (!need && c->audible[s])
            warnf(c, "%s: %s '%s' is not heard: it feeds no bus that reaches an output", d->strips[s].where,
                  kind_name(&d->strips[s]), d->strips[s].name);
    }
}

/* ---- materialising ------------------------------------------------------- */

/* Clips sort by start; clips starting together keep the order written. */
typedef struct { op_clip clip; int index; } indexed_clip;
static int cmp_indexed(const void *a, const void *b)
{
    const indexed_clip *x = a, *y = b;
    if (x->clip.at != y->clip.at)
        return x->clip.at < y->clip.at ? -1 : 1;
    return x->index - y->index;
}

static int max_overlap(const op_clip *clips, int n)
{
    /* clips sorted by start; count how many are running at each start. */
    int best = 0;
    for (int i = 0; i < n; i++) {
        int running = 1;
        for (int j = i - 1; j >= 0; j--)
            if (clips[j].at + clips[j].length > clips[i].at)
                running++;
        if (running > best)
            best = running;
    }
    return best;
}

#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond)) {                                                   \
            res = ds_fail(err, DS_ERR_NOMEM, "out of memory");          \
            goto fail;                                                   \
        }                                                                \
    } while (0)

/* The ring and scratch of a key delayed by `delay` samples to meet its
 * audio (op_dyn, op_duck). Returns -1 when the arena is out of memory. */
static int alloc_key_delay(vm_arena *A, int nkey, int delay, int max_block, int *out_delay, float ***ring,
                           float ***late)
{
    *out_delay = delay;
    *ring = vm_arena_alloc(A, (size_t)nkey * sizeof **ring);
    *late = vm_arena_alloc(A, (size_t)nkey * sizeof **late);
    if (!*ring || !*late)
        return -1;
    for (int ch = 0; ch < nkey; ch++) {
        (*ring)[ch] = vm_arena_alloc(A, (size_t)delay * sizeof(float));
        (*late)[ch] = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
        if (!(*ring)[ch] || !(*late)[ch])
            return -1;
    }
    return 0;
}

static const char *label(vm_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *label(vm_arena *a, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return vm_arena_strdup(a, buf);
}

/* Fuses the eq op at ops[j] into the one before when both are static order-2
 * filters of the same channels in the same unit (op_eq_args.then);
 * returns whether it did. */
static int fuse_eq(plan *p, int j)
{
    if (j < 1 || p->ops[j].fn != op_eq || p->ops[j - 1].fn != op_eq || p->op_unit[j] != p->op_unit[j - 1])
        return 0;
    op_eq_args *a = p->ops[j - 1].args, *b = p->ops[j].args;
    if (a->fused || a->then || a->moving || b->moving || a->order != 2 || b->order != 2 || a->nch != b->nch)
        return 0;
    for (int ch = 0; ch < a->nch; ch++)
        if (a->chans[ch] != b->chans[ch])
            return 0;
    a->then = b;
    b->fused = 1;
    return 1;
}

ds_result vm_compile(const vm_desc *d, int max_block, plan **out, char *err)
{
    ds_result res = DS_OK;
    compiler c;
    memset(&c, 0, sizeof c);
    c.d = d;
    c.n = d->nstrips;
    *out = NULL;
    plan *p = NULL;
    int *slot_of = NULL, *slot_free = NULL;
    float ***chans = NULL;
    vm_lane **vca_lanes = NULL;
    plan_param **pan_params = NULL;
    struct { int from, to; float **chans; } *delayed = NULL; /* A_DELAY outputs by edge */
    int ndelayed = 0;

    if (max_block < 1 || max_block > PLAN_MAX_BLOCK)
        return ds_fail(err, DS_ERR_ARG, "block size %d is out of range (1 to %d)", max_block, PLAN_MAX_BLOCK);

    size_t n1 = (size_t)(c.n ? c.n : 1);
    c.order = calloc(n1, sizeof *c.order);
    c.audible = calloc(n1, sizeof *c.audible);
    c.needed = calloc(n1, sizeof *c.needed);
    c.tapped = calloc(n1, sizeof *c.tapped);
    c.muted = calloc(n1, sizeof *c.muted);
    c.lat_in = calloc(n1, sizeof *c.lat_in);
    c.lat_out = calloc(n1, sizeof *c.lat_out);
    c.batch_of = calloc(n1, sizeof *c.batch_of);
    c.batch_next = calloc(n1, sizeof *c.batch_next);
    c.def = calloc(n1, sizeof *c.def);
    c.last = calloc(n1, sizeof *c.last);
    CHECK(c.order && c.audible && c.needed && c.tapped && c.muted && c.def && c.last && c.lat_in && c.lat_out && c.batch_of &&
          c.batch_next);

    if ((res = order_strips(&c, err)) != DS_OK)
        goto fail;
    decide_audible(&c);
    if (d->analysis) {
        for (int i = 0; i < d->nducks; i++)
            c.tapped[d->ducks[i].key] = 1;
    } else {
        for (int i = 0; i < d->noutputs; i++)
            c.tapped[d->outputs[i].strip] = 1;
        /* live playback reads the strip it plays and meters every bus */
        if (d->live_tap >= 0 && d->live_tap < c.n)
            c.tapped[d->live_tap] = 1;
        for (int s = 0; d->live_meters && s < c.n; s++)
            if (d->strips[s].kind == VM_STRIP_BUS)
                c.tapped[s] = 1;
    }
    decide_needed(&c);

    /* every active route must have a layout we can mix */
    for (int s = 0; s < c.n; s++) {
        const vm_strip_desc *st = &d->strips[s];
        double coef[64 * 64];
        for (int k = 0; k < st->ndests; k++)
            if ((res = route_matrix(d, s, st->dests[k], coef, err)) != DS_OK)
                goto fail;
    }

    compute_latency(&c);
    /* a key from a path with other latency reaches its detector shifted */
    for (int s2 = 0; s2 < c.n; s2++) {
        const vm_strip_desc *st = &d->strips[s2];
        int at = c.lat_in[s2];
        for (int k = 0; k < st->ninserts; k++) {
            const vm_insert_desc *e = &st->inserts[k];
            if ((e->kind == VM_INSERT_DYNAMICS || e->kind == VM_INSERT_DUCK) && e->key >= 0 &&
                c.lat_out[e->key] > at && c.audible[s2])
                warnf(&c, "%s: the key '%s' reaches this %s %d samples later than its audio (a look-ahead limiter "
                      "on the key's path); only an early key is delayed to match", e->where, d->strips[e->key].name,
                      kind_name(st), c.lat_out[e->key] - at);
            at += insert_latency(d, s2, k);
        }
    }
    if ((res = emit_all(&c, err)) != DS_OK)
        goto fail;
    if ((res = split_front(&c, err)) != DS_OK)
        goto fail;

    /* lifetimes */
    for (int s = 0; s < c.n; s++)
        c.def[s] = c.last[s] = -1;
    for (int i = 0; i < c.nops; i++) {
        const aop *o = &c.ops[i];
        if (c.def[o->strip] < 0)
            c.def[o->strip] = i;
        c.last[o->strip] = i;
        if (o->kind == A_MIX)
            c.last[o->dst] = i;
        if (o->kind == A_EQ_BATCH)
            for (int t = o->strip; t >= 0; t = c.batch_next[t])
                c.last[t] = i;
        if (o->kind == A_INSERT && d->strips[o->strip].inserts[o->dst].key >= 0)
            c.last[d->strips[o->strip].inserts[o->dst].key] = i;
    }
    for (int s = 0; s < c.n; s++)
        if (c.tapped[s] && c.def[s] >= 0)
            c.last[s] = c.nops;

    p = calloc(1, sizeof *p);
    CHECK(p);
    vm_arena_init(&p->arena);
    vm_arena *A = &p->arena;
    p->tb = d->tb;
    p->length = vm_desc_length(d);
    p->max_block = max_block;

    /* channel buffers by liveness: lowest free slot first, for determinism */
    int total_ch = 0;
    for (int s = 0; s < c.n; s++)
        total_ch += d->strips[s].channels ? d->strips[s].channels : 1;
    slot_of = calloc(n1, sizeof *slot_of);        /* first slot index of a strip's channel list */
    slot_free = calloc((size_t)total_ch + 1, sizeof *slot_free);
    chans = calloc(n1, sizeof *chans);
    CHECK(slot_of && slot_free && chans);
    int *strip_slots = calloc((size_t)total_ch + 1, sizeof *strip_slots);
    CHECK(strip_slots);
    int nslots = 0, used = 0;
    for (int i = 0; i <= c.nops; i++) {
        for (int s = 0; s < c.n; s++)
            if (c.def[s] == i) {
                int ch = d->strips[s].channels;
                slot_of[s] = used;
                for (int k = 0; k < ch; k++) {
                    int slot = 0;
                    while (slot < nslots && !slot_free[slot])
                        slot++;
                    if (slot == nslots)
                        nslots++;
                    slot_free[slot] = 0;
                    strip_slots[used++] = slot;
                }
            }
        for (int s = 0; s < c.n; s++)
            if (c.last[s] == i && c.def[s] >= 0)
                for (int k = 0; k < d->strips[s].channels; k++)
                    slot_free[strip_slots[slot_of[s] + k]] = 1;
    }
    p->nbuffers = nslots;
    /* Slots are one cache line more than a block apart, so that channels a
     * kernel walks side by side do not sit at the same offset modulo 4 KiB:
     * there the CPU takes a load after a store to another channel for a
     * dependence and waits (4K aliasing). */
    size_t stride = ((size_t)max_block + 15) / 16 * 16 + 16;
    float *bufmem = vm_arena_alloc(A, (size_t)(nslots ? nslots : 1) * stride * sizeof(float));
    CHECK(bufmem);
    for (int s = 0; s < c.n; s++) {
        if (c.def[s] < 0)
            continue;
        int ch = d->strips[s].channels;
        chans[s] = vm_arena_alloc(A, (size_t)ch * sizeof(float *));
        CHECK(chans[s]);
        for (int k = 0; k < ch; k++)
            chans[s][k] = bufmem + (size_t)strip_slots[slot_of[s] + k] * stride;
    }
    free(strip_slots);

    /* real ops: the abstract ones, plus an evaluator in front of the first
     * user of each moving parameter */
    int nsends = 0; /* a moving send level adds its param op */
    for (int s = 0; s < c.n; s++)
        nsends += d->strips[s].nsends;
    p->ops = vm_arena_alloc(A, (size_t)(c.nops + 2 * c.n + nsends + 1) * sizeof *p->ops);
    p->clip_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->clip_ops);
    p->eq_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->eq_ops);
    p->dyn_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->dyn_ops);
    p->limiter_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->limiter_ops);
    p->delay_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->delay_ops);
    p->bandduck_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->bandduck_ops);
    p->transient_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->transient_ops);
    p->duck_ops = vm_arena_alloc(A, (size_t)(c.nops ? c.nops : 1) * sizeof *p->duck_ops);
    CHECK(p->bandduck_ops && p->transient_ops && p->duck_ops);
    CHECK(p->eq_ops && p->dyn_ops && p->limiter_ops && p->delay_ops);
    vca_lanes = calloc((size_t)d->nvcas + 1, sizeof *vca_lanes);
    delayed = calloc((size_t)c.nops + 1, sizeof *delayed);
    CHECK(delayed);
    pan_params = calloc(n1, sizeof *pan_params);
    CHECK(p->ops && p->clip_ops && vca_lanes && pan_params);
    for (int v = 0; v < d->nvcas; v++) {
        char what[300];
        snprintf(what, sizeof what, "vca '%s' gain", d->vcas[v].name);
        if (!(vca_lanes[v] = build_lane(p, &d->vcas[v].gain, 1, what, err))) {
            res = DS_ERR_ARG;
            goto fail;
        }
    }
    p->op_unit = vm_arena_alloc(A, (size_t)(c.nops * 2 + 1) * sizeof *p->op_unit);
    p->unit_cost = vm_arena_alloc(A, (size_t)(c.nunits ? c.nunits : 1) * sizeof *p->unit_cost);
    CHECK(p->op_unit && p->unit_cost);
    p->nunits = c.nunits;
    memcpy(p->unit_cost, c.unit_cost, (size_t)c.nunits * sizeof *p->unit_cost);
    for (int i = 0; i < c.nops; i++) {
        const aop *o = &c.ops[i];
        const vm_strip_desc *st = &d->strips[o->strip];
        if (i == c.nfront)
            p->nfront = p->nops; /* the ops made so far are the tracks' own work */
        int first_op = p->nops;
        plan_op *op = &p->ops[p->nops++];
        switch (o->kind) {
        case A_CLEAR: {
            op_clear_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            a->chans = chans[o->strip];
            a->nch = st->channels;
            op->fn = op_clear;
            op->args = a;
            op->label = label(A, "clear  %s '%s' (%d ch)%s", kind_name(st), st->name, st->channels,
                              c.audible[o->strip] ? "" : (c.muted[o->strip] ? " [muted]" : " [solo-muted]"));
            break;
        }
        case A_GAIN: {
            op_gain_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            p->nops--; /* the param's evaluator goes first */
            if (!(a->gain = strip_gain_param(p, d, o->strip, vca_lanes, err))) {
                res = DS_ERR_ARG;
                goto fail;
            }
            op = &p->ops[p->nops++];
            a->chans = chans[o->strip];
            a->nch = st->channels;
            op->fn = op_gain;
            op->args = a;
            if (a->gain->is_static)
                op->label = label(A, "gain   %s '%s' %+.2f dB (x%.6f)", kind_name(st), st->name,
                                  20 * log10(a->gain->gain[0]), a->gain->gain[0]);
            else
                op->label = label(A, "gain   %s '%s' (automated)", kind_name(st), st->name);
            break;
        }
        case A_DELAY: {
            int dl = c.lat_in[o->dst] - c.lat_out[o->strip];
            op_delay_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            a->nch = st->channels;
            a->delay = dl;
            a->src = chans[o->strip];
            a->out = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->out);
            a->ring = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->ring);
            CHECK(a->out && a->ring);
            for (int ch = 0; ch < st->channels; ch++) {
                a->out[ch] = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
                a->ring[ch] = vm_arena_alloc(A, (size_t)dl * sizeof(float));
                CHECK(a->out[ch] && a->ring[ch]);
            }
            delayed[ndelayed].from = o->strip;
            delayed[ndelayed].to = o->dst;
            delayed[ndelayed++].chans = a->out;
            op->fn = op_delay;
            op->args = a;
            op->label = label(A, "delay  %s '%s' by %d samples into bus '%s' (latency compensation)", kind_name(st),
                              st->name, dl, d->strips[o->dst].name);
            p->delay_ops[p->ndelay_ops++] = a;
            break;
        }
        case A_MIX: {
            const vm_strip_desc *dt = &d->strips[o->dst];
            const vm_send_desc *sd = vm_desc_send(d, o->strip, o->dst);
            float **src_chans = chans[o->strip];
            for (int k = 0; k < ndelayed; k++)
                if (delayed[k].from == o->strip && delayed[k].to == o->dst)
                    src_chans = delayed[k].chans;
            if (st->pan.nevents && (st->channels == 1 || st->channels == 2) && dt->channels >= 2) {
                /* a send's level (static, moving, and before the fader the
                 * mute's fades as layers) rides on the pan's coefficients */
                int pre_mute = sd && sd->pre && mute_moves(d, o->strip);
                plan_param *level = NULL;
                p->nops--;
                if (sd && (sd->level.nevents || pre_mute) &&
                    !(level = send_level_param(p, d, o->strip, o->dst, sd, pre_mute, err))) {
                    res = DS_ERR_ARG;
                    goto fail;
                }
                if (!pan_params[o->strip]) {
                    char nm[300], what[300];
                    snprintf(nm, sizeof nm, "param  %s '%s' pan (%d move%s)", kind_name(st), st->name,
                             st->pan.nevents, st->pan.nevents == 1 ? "" : "s");
                    snprintf(what, sizeof what, "%s '%s' pan", kind_name(st), st->name);
                    plan_param *pp = new_param(A, nm, st->channels == 2 ? PARAM_PAN_BALANCE : PARAM_PAN_MONO, 1,
                                               max_block);
                    CHECK(pp);
                    if (!(pp->lanes[pp->nlanes++] = build_lane(p, &st->pan, 0, what, err))) {
                        res = DS_ERR_ARG;
                        goto fail;
                    }
                    schedule_param(p, pp, 1);
                    pan_params[o->strip] = pp;
                }
                op = &p->ops[p->nops++];
                op_mix_pan_args *a = vm_arena_alloc(A, sizeof *a);
                CHECK(a);
                a->balance = st->channels == 2;
                a->src[0] = src_chans[0];
                a->src[1] = src_chans[a->balance ? 1 : 0];
                a->dst[0] = chans[o->dst][0];
                a->dst[1] = chans[o->dst][1];
                a->pan = pan_params[o->strip];
                a->coef = 1.0f;
                a->level = level;
                if (sd && !sd->level.nevents && !pre_mute) /* a static send level */
                    a->coef = sd->level.value <= VM_LANE_DB_SILENCE ? 0.0f : (float)pow(10.0, sd->level.value / 20.0);
                if (a->coef != 1.0f || a->level)
                    CHECK(a->scratch = vm_arena_alloc(A, (size_t)max_block * sizeof(float)));
                op->fn = op_mix_pan;
                op->args = a;
                op->label = label(A, "mix    %s '%s' -> bus '%s' (%s, automated pan)%s", kind_name(st), st->name,
                                  dt->name, a->balance ? "stereo balance" : "constant-power pan",
                                  !sd ? "" : level ? " [send, level automated]" : " [send]");
                break;
            }
            double coef[64 * 64];
            route_matrix(d, o->strip, o->dst, coef, err);
            /* a folded fader (see fader_folds) scales every coefficient */
            double fold = 1.0;
            if (fader_after(d, o->strip) && !gain_is_unity(d, o->strip) && !(sd && sd->pre) &&
                fader_folds(&c, o->strip)) {
                plan_param *g = strip_gain_param(p, d, o->strip, vca_lanes, err);
                if (!g) {
                    res = DS_ERR_ARG;
                    goto fail;
                }
                fold = (double)g->gain[0];
            }
            /* a send before the fader of a strip whose mute moves: the mute's
             * fades are layers of its level (a mute silences every send) */
            int pre_mute = sd && sd->pre && mute_moves(d, o->strip);
            if (sd && !sd->level.nevents && !pre_mute) /* a static send level scales the route */
                fold *= sd->level.value <= VM_LANE_DB_SILENCE ? 0.0 : pow(10.0, sd->level.value / 20.0);
            for (int k = 0; k < st->channels * dt->channels; k++)
                coef[k] *= fold;
            int nt = 0;
            for (int k = 0; k < st->channels * dt->channels; k++)
                nt += coef[k] != 0;
            op_mix_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            a->src = vm_arena_alloc(A, (size_t)(nt ? nt : 1) * sizeof *a->src);
            a->dst = vm_arena_alloc(A, (size_t)(nt ? nt : 1) * sizeof *a->dst);
            a->coef = vm_arena_alloc(A, (size_t)(nt ? nt : 1) * sizeof *a->coef);
            CHECK(a->src && a->dst && a->coef);
            char terms[200] = "";
            size_t tl = 0;
            for (int si = 0; si < st->channels; si++)
                for (int di = 0; di < dt->channels; di++) {
                    double v = coef[si * dt->channels + di];
                    if (v == 0)
                        continue;
                    a->src[a->nterms] = src_chans[si];
                    a->dst[a->nterms] = chans[o->dst][di];
                    a->coef[a->nterms] = (float)v;
                    a->nterms++;
                    if (tl < sizeof terms - 40)
                        tl += (size_t)snprintf(terms + tl, sizeof terms - tl, "%s%d>%d x%.4f", tl ? ", " : "",
                                               si + 1, di + 1, v);
                }
            op->fn = op_mix;
            op->args = a;
            op->label = label(A, "mix    %s '%s' -> bus '%s' (%s)%s", kind_name(st), st->name, dt->name, terms,
                              sd ? (sd->pre ? " [send, before the fader]" : " [send]") : "");
            if (sd && (sd->level.nevents || pre_mute)) { /* a moving send level: its param, then the mix through it */
                p->nops--;
                plan_param *pp = send_level_param(p, d, o->strip, o->dst, sd, pre_mute, err);
                if (!pp) {
                    res = DS_ERR_ARG;
                    goto fail;
                }
                op_mix_gain_args *g = vm_arena_alloc(A, sizeof *g);
                CHECK(g);
                g->nterms = a->nterms;
                g->src = a->src;
                g->dst = a->dst;
                g->coef = a->coef;
                g->scratch = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
                CHECK(g->scratch);
                g->level = pp;
                const char *lbl = label(A, "mix    %s '%s' -> bus '%s' (%s) [send, %slevel automated]", kind_name(st),
                                        st->name, dt->name, terms, sd->pre ? "before the fader, " : "");
                op = &p->ops[p->nops++];
                op->fn = op_mix_gain;
                op->args = g;
                op->label = lbl;
            }
            break;
        }
        case A_BANDDUCK: {
            op_bandduck_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            a->io = chans[o->strip];
            a->nch = st->channels;
            a->split = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->split);
            a->low = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
            a->mid = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
            a->high = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
            CHECK(a->split && a->low && a->mid && a->high);
            for (int ch = 0; ch < st->channels; ch++)
                dsp_xover3_init(&a->split[ch], d->tb.rate, st->band_lo, st->band_hi);
            char nm[300], what[300];
            snprintf(nm, sizeof nm, "param  %s '%s' band duck %.0f-%.0f Hz (%d moves)", kind_name(st), st->name,
                     st->band_lo, st->band_hi, st->bandduck.nevents);
            snprintf(what, sizeof what, "%s '%s' bandduck", kind_name(st), st->name);
            plan_param *pp = new_param(A, nm, PARAM_GAIN, 1, max_block);
            CHECK(pp);
            if (!(pp->lanes[pp->nlanes++] = build_lane(p, &st->bandduck, 1, what, err))) {
                res = DS_ERR_ARG;
                goto fail;
            }
            p->nops--; /* the param's evaluator goes first */
            schedule_param(p, pp, st->bandduck.nevents);
            op = &p->ops[p->nops++];
            a->gain = pp;
            op->fn = op_bandduck;
            op->args = a;
            op->label = label(A, "band   %s '%s' LR8 split at %.0f and %.0f Hz, the middle band ducked (%d ch)",
                              kind_name(st), st->name, st->band_lo, st->band_hi, st->channels);
            p->bandduck_ops[p->nbandduck_ops++] = a;
            break;
        }
        case A_EQ_BATCH: {
            const vm_insert_desc *e = &st->inserts[o->dst];
            op_eq_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            int nch = 0, ntracks = 0;
            for (int t = o->strip; t >= 0; t = c.batch_next[t]) {
                nch += d->strips[t].channels;
                ntracks++;
            }
            a->chans = vm_arena_alloc(A, (size_t)nch * sizeof *a->chans);
            CHECK(a->chans);
            for (int t = o->strip; t >= 0; t = c.batch_next[t])
                for (int ch = 0; ch < d->strips[t].channels; ch++)
                    a->chans[a->nch++] = chans[t][ch];
            a->type = e->type;
            a->order = 2;
            a->rate = d->tb.rate;
            char what[300];
            snprintf(what, sizeof what, "track '%s' eq %d", st->name, o->dst + 1);
            if (!(a->freq = build_lane(p, &e->freq, 0, what, err)) || !(a->gain = build_lane(p, &e->gain, 0, what, err)) ||
                !(a->q = build_lane(p, &e->q, 0, what, err))) {
                res = DS_ERR_ARG;
                goto fail;
            }
            a->multi = vm_arena_alloc(A, sizeof *a->multi);
            CHECK(a->multi);
            dsp_biquad_multi_init(a->multi);
            op_eq_design(a, INT64_MIN);
            op->fn = op_eq;
            op->args = a;
            op->label = label(A, "eq     %d tracks from '%s' side by side (%d ch): %s %.1f Hz%s q %.3f", ntracks,
                              st->name, nch, vm_eq_type_name(e->type), e->freq.value,
                              e->type == DSP_EQ_PEAK || e->type == DSP_EQ_LOWSHELF || e->type == DSP_EQ_HIGHSHELF
                                  ? label(A, " %+.1f dB", e->gain.value) : "",
                              e->q.value);
            p->eq_ops[p->neq_ops++] = a;
            break;
        }
        case A_INSERT: {
            const vm_insert_desc *e = &st->inserts[o->dst];
            if (e->kind == VM_INSERT_TRANSIENT) {
                op_transient_args *a = vm_arena_alloc(A, sizeof *a);
                CHECK(a);
                dsp_transient_init(&a->state, d->tb.rate, e->attack_db, e->sustain_db);
                for (int k = 0; k < VM_INSERT_NSETP; k++)
                    a->moving |= e->setp[k].nevents > 0;
                for (int k = 0; a->moving && k < VM_INSERT_NSETP; k++) {
                    vm_param_desc pd = vm_insert_param_desc(e, k);
                    char what[300];
                    snprintf(what, sizeof what, "%s '%s' transient shaper %d %s", kind_name(st), st->name, o->dst + 1,
                             vm_insert_param_name(e->kind, k));
                    if (!(a->lanes[k] = build_lane(p, &pd, 0, what, err))) {
                        res = DS_ERR_ARG;
                        goto fail;
                    }
                }
                if (a->moving) /* the settings it starts with */
                    op_transient_design(a, 0);
                a->io = chans[o->strip];
                a->nch = st->channels;
                op->fn = op_transient;
                op->args = a;
                op->label = label(A, "shape  %s '%s' transients: attack %+.1f dB, sustain %+.1f dB%s (%d ch)",
                                  kind_name(st), st->name, e->attack_db, e->sustain_db,
                                  a->moving ? ", automated" : "", st->channels);
                p->transient_ops[p->ntransient_ops++] = a;
                break;
            }
            if (e->kind == VM_INSERT_DUCK) {
                const vm_duck_desc *du = &d->ducks[e->duck];
                op_duck_args *a = vm_arena_alloc(A, sizeof *a);
                CHECK(a);
                dsp_ducker_params dp = ducker_params(du);
                size_t m = dsp_ducker_memory(st->channels, d->tb.rate, &dp);
                void *mem = vm_arena_alloc(A, m ? m : 8);
                CHECK(mem);
                dsp_ducker_init(&a->state, mem, st->channels, d->tb.rate, &dp);
                a->io = chans[o->strip];
                a->nch = st->channels;
                a->key = chans[e->key];
                a->nkey = d->strips[e->key].channels;
                a->at = c.lat_in[o->strip];
                for (int k = 0; k < o->dst; k++)
                    a->at += insert_latency(d, o->strip, k);
                if (c.lat_out[e->key] < a->at)
                    CHECK(alloc_key_delay(A, a->nkey, a->at - c.lat_out[e->key], max_block, &a->key_delay,
                                          &a->key_ring, &a->key_late) == 0);
                if (du->band_hi > 0) {
                    a->state.apply = 0;
                    a->split = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->split);
                    a->low = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
                    a->mid = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
                    a->high = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
                    a->gain = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
                    CHECK(a->split && a->low && a->mid && a->high && a->gain);
                    for (int ch = 0; ch < st->channels; ch++)
                        dsp_xover3_init(&a->split[ch], d->tb.rate, du->band_lo, du->band_hi);
                }
                op->fn = op_duck;
                op->args = a;
                op->label = label(A, "duck   %s '%s' under %s '%s' %.1f dB%s, in real time with %d samples "
                                  "(%.0f ms) of look-ahead (%d ch)", kind_name(st), st->name,
                                  kind_name(&d->strips[e->key]), d->strips[e->key].name, du->depth_db,
                                  du->band_hi > 0 ? label(A, " in %.0f-%.0f Hz", du->band_lo, du->band_hi) : "",
                                  a->state.L, 1000.0 * a->state.L / d->tb.rate, st->channels);
                p->duck_ops[p->nduck_ops++] = a;
                break;
            }
            if (e->kind == VM_INSERT_LIMITER) {
                op_limiter_args *a = vm_arena_alloc(A, sizeof *a);
                CHECK(a);
                dsp_limiter_params lp = e->lim;
                for (int k = 0; k < VM_INSERT_NSETP; k++)
                    a->moving |= e->setp[k].nevents > 0;
                lp.automated = a->moving; /* every frame keeps the settings it came in with */
                size_t m = dsp_limiter_memory(st->channels, d->tb.rate, &lp);
                void *mem = m ? vm_arena_alloc(A, m) : NULL;
                CHECK(mem);
                dsp_limiter_init(&a->state, mem, st->channels, d->tb.rate, &lp);
                for (int k = 0; a->moving && k < VM_INSERT_NSETP; k++) {
                    vm_param_desc pd = vm_insert_param_desc(e, k);
                    char what[300];
                    snprintf(what, sizeof what, "%s '%s' limiter %d %s", kind_name(st), st->name, o->dst + 1,
                             vm_insert_param_name(e->kind, k));
                    if (!(a->lanes[k] = build_lane(p, &pd, 0, what, err))) {
                        res = DS_ERR_ARG;
                        goto fail;
                    }
                }
                if (a->moving) { /* silence before the session: under the settings it starts with */
                    op_limiter_design(a, 0);
                    dsp_limiter_reset(&a->state);
                    CHECK(a->seg = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->seg));
                }
                a->io = chans[o->strip];
                op->fn = op_limiter;
                op->args = a;
                op->label = label(A, "limit  %s '%s' ceiling %.1f dBTP, look-ahead %d samples, release %.0f ms%s (%d ch)",
                                  kind_name(st), st->name, e->lim.ceiling_dbtp, dsp_limiter_latency(&a->state),
                                  e->lim.release_s * 1000, a->moving ? ", automated" : "", st->channels);
                p->limiter_ops[p->nlimiter_ops++] = a;
                break;
            }
            if (e->kind == VM_INSERT_DYNAMICS) {
                op_dyn_args *a = vm_arena_alloc(A, sizeof *a);
                CHECK(a);
                dsp_dyn_init(&a->state, d->tb.rate, &e->dyn);
                for (int k = 0; k < VM_DYN_NPARAMS; k++)
                    a->moving |= e->dynp[k].nevents > 0;
                for (int k = 0; a->moving && k < VM_DYN_NPARAMS; k++) {
                    vm_param_desc pd = vm_dyn_param_desc(e, (vm_dyn_param)k);
                    char what[300];
                    snprintf(what, sizeof what, "%s '%s' %s %d %s", kind_name(st), st->name,
                             e->dyn.mode == DSP_DYN_EXPAND ? "expander" : e->dyn.mode == DSP_DYN_GATE ? "gate"
                                                                                                    : "compressor",
                             o->dst + 1, vm_dyn_param_name((vm_dyn_param)k));
                    if (k == VM_DYN_RATIO && pd.nevents && !(pd.value < INFINITY)) {
                        res = ds_fail(err, DS_ERR_ARG, "%s: %s: ratio = inf cannot move (give it a finite ratio, "
                                      "e.g. 100)", pd.where, what);
                        goto fail;
                    }
                    if (!(a->lanes[k] = build_lane(p, &pd, 0, what, err))) {
                        res = DS_ERR_ARG;
                        goto fail;
                    }
                }
                if (a->moving) { /* silence before the session: under the settings it starts with */
                    op_dyn_design(a, 0);
                    dsp_dyn_reset(&a->state);
                }
                a->io = chans[o->strip];
                a->nch = st->channels;
                if (e->key >= 0) {
                    a->key = chans[e->key];
                    a->nkey = d->strips[e->key].channels;
                } else {
                    a->nkey = st->channels;
                }
                if (e->key >= 0) { /* the audio's latency at this insert, against the key's */
                    int at = c.lat_in[o->strip];
                    for (int k = 0; k < o->dst; k++)
                        at += insert_latency(d, o->strip, k);
                    if (c.lat_out[e->key] < at)
                        CHECK(alloc_key_delay(A, a->nkey, at - c.lat_out[e->key], max_block, &a->key_delay,
                                              &a->key_ring, &a->key_late) == 0);
                }
                if (e->key_hi > 0) {
                    a->filtered = 1;
                    a->key_hp = vm_arena_alloc(A, (size_t)a->nkey * sizeof *a->key_hp);
                    a->key_lp = vm_arena_alloc(A, (size_t)a->nkey * sizeof *a->key_lp);
                    a->key_buf = vm_arena_alloc(A, (size_t)a->nkey * sizeof *a->key_buf);
                    CHECK(a->key_hp && a->key_lp && a->key_buf);
                    dsp_biquad_coefs hp, lp;
                    dsp_biquad_design(&hp, DSP_EQ_HIGHPASS, d->tb.rate, e->key_lo, 0, 0);
                    dsp_biquad_design(&lp, DSP_EQ_LOWPASS, d->tb.rate, e->key_hi, 0, 0);
                    for (int ch = 0; ch < a->nkey; ch++) {
                        dsp_biquad_init(&a->key_hp[ch]);
                        dsp_biquad_set(&a->key_hp[ch], &hp);
                        dsp_biquad_init(&a->key_lp[ch]);
                        dsp_biquad_set(&a->key_lp[ch], &lp);
                        a->key_buf[ch] = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
                        CHECK(a->key_buf[ch]);
                    }
                }
                static const char *const modes[] = {"compressor", "expander", "gate"};
                op->fn = op_dyn;
                op->args = a;
                op->label = label(A, "dyn    %s '%s' %s threshold %.1f dB ratio %.2f attack %.1f ms release %.0f ms%s%s%s"
                                  "%s (%d ch)", kind_name(st), st->name, modes[e->dyn.mode], e->dyn.threshold_db,
                                  e->dyn.ratio, e->dyn.attack_s * 1000, e->dyn.release_s * 1000,
                                  e->key >= 0 ? ", key " : "", e->key >= 0 ? kind_name(&d->strips[e->key]) : "",
                                  e->key >= 0 ? label(A, " '%s'", d->strips[e->key].name) : "",
                                  a->moving ? ", automated" : "", st->channels);
                p->dyn_ops[p->ndyn_ops++] = a;
                break;
            }
            op_eq_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            a->type = e->type;
            a->order = e->order;
            a->rate = d->tb.rate;
            a->chans = chans[o->strip];
            a->nch = st->channels;
            char what[300];
            const vm_param_desc *pds[3] = {&e->freq, &e->gain, &e->q};
            vm_lane **dst[3] = {&a->freq, &a->gain, &a->q};
            static const char *const pn[3] = {"freq", "gain", "q"};
            for (int l = 0; l < 3; l++) {
                snprintf(what, sizeof what, "%s '%s' eq %d %s", kind_name(st), st->name, o->dst + 1, pn[l]);
                if (!(*dst[l] = build_lane(p, pds[l], 0, what, err))) {
                    res = DS_ERR_ARG;
                    goto fail;
                }
                a->moving |= pds[l]->nevents > 0;
            }
            if (st->channels > DSP_BIQUAD_MULTI_MAX) {
                res = ds_fail(err, DS_ERR_GRAPH, "%s: an eq takes at most %d channels", e->where,
                              DSP_BIQUAD_MULTI_MAX);
                goto fail;
            }
            if (a->order == 2) {
                a->multi = vm_arena_alloc(A, sizeof *a->multi);
                CHECK(a->multi);
                dsp_biquad_multi_init(a->multi);
            } else {
                a->butter = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->butter);
                CHECK(a->butter);
                for (int ch = 0; ch < st->channels; ch++)
                    dsp_butter_init(&a->butter[ch]);
            }
            op_eq_design(a, INT64_MIN); /* the static values */
            op->fn = op_eq;
            op->args = a;
            if (a->order == 2)
                op->label = label(A, "eq     %s '%s' %s %.1f Hz%s q %.3f%s (%d ch)", kind_name(st), st->name,
                                  vm_eq_type_name(e->type), e->freq.value,
                                  e->type == DSP_EQ_PEAK || e->type == DSP_EQ_LOWSHELF || e->type == DSP_EQ_HIGHSHELF
                                      ? label(A, " %+.1f dB", e->gain.value) : "",
                                  e->q.value, a->moving ? ", automated" : "", st->channels);
            else
                op->label = label(A, "eq     %s '%s' %s %.1f Hz Butterworth order %d%s (%d ch)", kind_name(st),
                                  st->name, vm_eq_type_name(e->type), e->freq.value, e->order,
                                  a->moving ? ", automated" : "", st->channels);
            p->eq_ops[p->neq_ops++] = a;
            break;
        }
        case A_CLIPS: {
            op_clips_args *a = vm_arena_alloc(A, sizeof *a);
            CHECK(a);
            a->track = vm_arena_strdup(A, st->name);
            a->nclips = st->nclips;
            indexed_clip *tmp = calloc((size_t)st->nclips, sizeof *tmp);
            CHECK(tmp);
            int widest = 1;
            for (int k = 0; k < st->nclips; k++) {
                const vm_clip_desc *cd = &st->clips[k];
                op_clip *oc = &tmp[k].clip;
                tmp[k].index = k;
                oc->path = vm_arena_strdup(A, cd->path);
                oc->at = cd->at;
                oc->from = cd->from;
                oc->length = cd->length;
                oc->gain = cd->gain.value <= VM_LANE_DB_SILENCE ? 0.0 : pow(10.0, cd->gain.value / 20.0);
                if (cd->gain.nevents) {
                    char what[300];
                    snprintf(what, sizeof what, "gain of clip '%s' on track '%s'", cd->path, st->name);
                    if (!(oc->gain_lane = build_lane(p, &cd->gain, 1, what, err))) {
                        free(tmp);
                        res = DS_ERR_ARG;
                        goto fail;
                    }
                }
                oc->fade_in = cd->fade_in;
                oc->fade_out = cd->fade_out;
                oc->fade_in_curve = cd->fade_in_curve;
                oc->fade_out_curve = cd->fade_out_curve;
                oc->channel = cd->channel;
                oc->file_channels = cd->info.channels;
                if (cd->info.channels > widest)
                    widest = cd->info.channels;
                if (!oc->path) {
                    free(tmp);
                    CHECK(0);
                }
            }
            qsort(tmp, (size_t)st->nclips, sizeof *tmp, cmp_indexed);
            a->clips = vm_arena_alloc(A, (size_t)st->nclips * sizeof *a->clips);
            if (!a->clips) {
                free(tmp);
                CHECK(0);
            }
            for (int k = 0; k < st->nclips; k++)
                a->clips[k] = tmp[k].clip;
            free(tmp);
            a->maxactive = max_overlap(a->clips, a->nclips);
            a->active = vm_arena_alloc(A, (size_t)a->maxactive * sizeof *a->active);
            a->readers = vm_arena_alloc(A, (size_t)a->maxactive * sizeof *a->readers);
            a->scratch = vm_arena_alloc(A, (size_t)max_block * (size_t)widest * sizeof(float));
            a->env = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
            a->fader_buf = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
            CHECK(a->active && a->readers && a->scratch && a->env && a->fader_buf && a->track);
            a->lane_db = vm_arena_alloc(A, (size_t)max_block * sizeof *a->lane_db);
            CHECK(a->lane_db);
            p->nops--; /* the fader's evaluator goes first */
            if (fader_after(d, o->strip)) { /* the fader comes after the inserts: clips at unity */
                a->fader = new_param(A, "unity", PARAM_GAIN, 1, max_block);
                CHECK(a->fader);
                schedule_param(p, (plan_param *)a->fader, 0);
            } else if (!(a->fader = strip_gain_param(p, d, o->strip, vca_lanes, err))) {
                res = DS_ERR_ARG;
                goto fail;
            }
            op = &p->ops[p->nops++];
            a->out = chans[o->strip];
            a->nch = st->channels;
            op->fn = op_clips;
            op->args = a;
            if (fader_after(d, o->strip))
                op->label = label(A, "clips  track '%s' (%d ch, %d clip%s, up to %d at once; fader after the inserts)",
                                  st->name, st->channels, st->nclips, st->nclips == 1 ? "" : "s", a->maxactive);
            else if (a->fader->is_static)
                op->label = label(A, "clips  track '%s' (%d ch, %d clip%s, up to %d at once, fader %+.2f dB)",
                                  st->name, st->channels, st->nclips, st->nclips == 1 ? "" : "s", a->maxactive,
                                  20 * log10(a->fader->gain[0]));
            else
                op->label = label(A, "clips  track '%s' (%d ch, %d clip%s, up to %d at once, fader automated)",
                                  st->name, st->channels, st->nclips, st->nclips == 1 ? "" : "s", a->maxactive);
            p->clip_ops[p->nclip_ops++] = a;
            break;
        }
        }
        CHECK(op->label);
        for (int j = first_op; j < p->nops; j++)
            p->op_unit[j] = i < c.nfront ? c.unit[i] : -1; /* -1: not in the front */
        if (fuse_eq(p, p->nops - 1))
            op->label = label(A, "%s, in the pass of the eq before", op->label);
        /* The session time of the signal these ops work on: an insert's
         * input is late by the look-aheads before it, a fader's and a mix's
         * by the strip's whole path (a mix through a compensating delay by
         * its bus's). Their moves are read at that time (plan_op.offset). */
        {
            int off = 0;
            if (o->kind == A_INSERT || o->kind == A_EQ_BATCH) {
                off = c.lat_in[o->strip];
                for (int k = 0; k < o->dst; k++)
                    off += insert_latency(d, o->strip, k);
                if (st->inserts[o->dst].kind == VM_INSERT_DUCK)
                    off = 0; /* it reads its key's time itself (op_duck_args.at) */
            } else if (o->kind == A_GAIN || o->kind == A_BANDDUCK) {
                off = c.lat_out[o->strip];
            } else if (o->kind == A_MIX) {
                off = c.lat_in[o->dst] > c.lat_out[o->strip] ? c.lat_in[o->dst] : c.lat_out[o->strip];
            }
            for (int j = first_op; j < p->nops; j++)
                p->ops[j].offset = off;
        }
        /* ops with state get a name that a recompiled plan's same op has
         * (its strip and its place there, not its settings), so a live
         * plan swap can carry the state over (vm/live.c) */
        if (op->fn == op_eq || op->fn == op_dyn || op->fn == op_limiter || op->fn == op_transient ||
            op->fn == op_bandduck || op->fn == op_delay || op->fn == op_duck) {
            op->key = label(A, "%d '%s' %d '%s'", (int)o->kind, st->name, o->kind == A_DELAY ? 0 : o->dst,
                            o->kind == A_DELAY ? d->strips[o->dst].name : "");
            CHECK(op->key);
        }
    }

    if (c.nfront == c.nops)
        p->nfront = p->nops;
    /* outputs */
    p->outputs = vm_arena_alloc(A, (size_t)(d->noutputs ? d->noutputs : 1) * sizeof *p->outputs);
    CHECK(p->outputs);
    for (int i = 0; i < d->noutputs; i++) {
        const vm_output_desc *od = &d->outputs[i];
        const vm_strip_desc *st = &d->strips[od->strip];
        plan_output *po = &p->outputs[p->noutputs++];
        po->path = vm_arena_strdup(A, od->path);
        po->strip = vm_arena_strdup(A, st->name);
        po->where = vm_arena_strdup(A, od->where);
        CHECK(po->path && po->strip && po->where);
        po->channels = st->channels;
        po->chans = chans[od->strip];
        po->latency = c.lat_out[od->strip];
        if (po->latency > p->tail)
            p->tail = po->latency;
        po->format = od->format;
        po->dither = od->dither;
    }
    p->strip_chans = vm_arena_alloc(A, (size_t)(c.n ? c.n : 1) * sizeof *p->strip_chans);
    CHECK(p->strip_chans);
    p->strip_latency = vm_arena_alloc(A, (size_t)(c.n ? c.n : 1) * sizeof *p->strip_latency);
    p->strip_names = vm_arena_alloc(A, (size_t)(c.n ? c.n : 1) * sizeof *p->strip_names);
    p->strip_nch = vm_arena_alloc(A, (size_t)(c.n ? c.n : 1) * sizeof *p->strip_nch);
    CHECK(p->strip_latency && p->strip_names && p->strip_nch);
    p->nstrips = c.n;
    for (int s2 = 0; s2 < c.n; s2++) {
        p->strip_chans[s2] = c.tapped[s2] ? chans[s2] : NULL;
        p->strip_latency[s2] = c.lat_out[s2];
        p->strip_nch[s2] = d->strips[s2].channels;
        CHECK(p->strip_names[s2] = vm_arena_strdup(A, d->strips[s2].name));
    }
    p->warnings = vm_arena_strdup(A, c.warn ? c.warn : "");
    CHECK(p->warnings);
    *out = p;
    p = NULL;

fail:
    if (p)
        vm_plan_free(&p);
    free(slot_of);
    free(slot_free);
    free(chans);
    free(vca_lanes);
    free(pan_params);
    free(delayed);
    free(c.order);
    free(c.audible);
    free(c.needed);
    free(c.tapped);
    free(c.muted);
    free(c.lat_in);
    free(c.lat_out);
    free(c.batch_of);
    free(c.batch_next);
    free(c.def);
    free(c.last);
    free(c.unit);
    free(c.unit_cost);
    free(c.ops);
    free(c.warn);
    return res;
}

void vm_plan_reset(plan *p)
{
    for (int i = 0; i < p->nclip_ops; i++)
        op_clips_reset(p->clip_ops[i]);
    for (int i = 0; i < p->neq_ops; i++) {
        op_eq_args *a = p->eq_ops[i];
        if (a->multi)
            dsp_biquad_multi_reset(a->multi);
        for (int ch = 0; a->butter && ch < a->nch; ch++)
            dsp_butter_reset(&a->butter[ch]);
        op_eq_design(a, INT64_MIN);
    }
    for (int i = 0; i < p->ndyn_ops; i++) {
        op_dyn_args *a = p->dyn_ops[i];
        if (a->moving)
            op_dyn_design(a, 0);
        dsp_dyn_reset(&a->state);
        for (int ch = 0; a->key_delay && ch < a->nkey; ch++)
            memset(a->key_ring[ch], 0, (size_t)a->key_delay * sizeof(float));
        a->ring_pos = 0;
        for (int ch = 0; a->filtered && ch < a->nkey; ch++) {
            dsp_biquad_reset(&a->key_hp[ch]);
            dsp_biquad_reset(&a->key_lp[ch]);
        }
    }
    for (int i = 0; i < p->nlimiter_ops; i++) {
        op_limiter_args *a = p->limiter_ops[i];
        if (a->moving)
            op_limiter_design(a, 0);
        dsp_limiter_reset(&a->state);
    }
    for (int i = 0; i < p->ndelay_ops; i++)
        op_delay_reset(p->delay_ops[i]);
    for (int i = 0; i < p->ntransient_ops; i++) {
        op_transient_args *a = p->transient_ops[i];
        if (a->moving)
            op_transient_design(a, 0);
        dsp_transient_reset(&a->state);
    }
    for (int i = 0; i < p->nduck_ops; i++) {
        op_duck_args *a = p->duck_ops[i];
        dsp_ducker_reset(&a->state);
        for (int ch = 0; a->key_delay && ch < a->nkey; ch++)
            memset(a->key_ring[ch], 0, (size_t)a->key_delay * sizeof(float));
        a->ring_pos = 0;
        for (int ch = 0; a->split && ch < a->nch; ch++)
            dsp_xover3_reset(&a->split[ch]);
    }
    for (int i = 0; i < p->nbandduck_ops; i++) {
        op_bandduck_args *a = p->bandduck_ops[i];
        for (int ch = 0; ch < a->nch; ch++)
            dsp_xover3_reset(&a->split[ch]);
    }
    p->failed = 0;
    p->error[0] = 0;
}

void vm_plan_free(plan **pp)
{
    plan *p = *pp;
    if (!p)
        return;
    if (p->clip_ops)
        for (int i = 0; i < p->nclip_ops; i++)
            op_clips_reset(p->clip_ops[i]);
    for (int i = 0; i < p->nlanes; i++)
        vm_lane_free(&p->lanes[i]);
    free(p->lanes);
    vm_arena_free(&p->arena);
    free(p);
    *pp = NULL;
}
