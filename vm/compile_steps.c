/* compile_steps.c - the abstract op list: per strip in topological order its
 * clips or clear, its inserts, its fader and its mixes (with latency-
 * compensating delays); tracks sharing a static EQ chain are batched, and
 * the tracks' own work moves to the front to run in parallel.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/compile_priv.h"

/* ---- abstract ops ----------------------------------------------------------- */

static ds_result emit_late(compiler *c, aop_kind k, int strip, int dst, int late, char *err)
{
    if (c->nops == c->capops) {
        int cap = c->capops ? c->capops * 2 : 64;
        aop *p = realloc(c->ops, (size_t)cap * sizeof *p);
        if (!p)
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        c->ops = p;
        c->capops = cap;
    }
    c->ops[c->nops++] = (aop){k, strip, dst, late};
    return DS_OK;
}

static ds_result emit(compiler *c, aop_kind k, int strip, int dst, char *err)
{
    return emit_late(c, k, strip, dst, 0, err);
}

/* The fader is its own step after the strip's signal is complete (a bus, a
 * track with inserts, a band duck, or a send taken before the fader); a
 * plain track's fader is folded into its clips' gains instead. */
int vmc_fader_after(const vm_desc *d, int s)
{
    const vm_strip_desc *st = &d->strips[s];
    return st->kind == VM_STRIP_BUS || st->ninserts || st->band_hi > 0 || vm_desc_has_pre_send(d, s);
}

/* A static fader on a strip that nothing reads after it (no output, no
 * key) but its mixes: fold it into the mix coefficients instead of a pass. */
int vmc_fader_folds(const compiler *c, int s)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s];
    if (c->tapped[s] || vmc_surround_moves(st) || st->gain.nevents || st->trim.nevents || st->duck.nevents ||
        vmc_mute_moves(c, s))
        return 0;
    for (const int *v = VMC_ROW_BEGIN(c->vcas_of, s); v < VMC_ROW_END(c->vcas_of, s); v++)
        if (d->vcas[*v].gain.nevents)
            return 0;
    return VMC_ROW_BEGIN(c->keyed_by, s) == VMC_ROW_END(c->keyed_by, s); /* nothing keyed from it */
}

/* Latency compensation where paths join. A bus's inputs that are earlier
 * than the bus (vmc_compute_latency) are each delayed to its latency
 * before they are mixed (A_DELAY, the input's channels). Or the bus's sum
 * so far is delayed in place whenever a later input comes (A_DELAY_SUM,
 * the bus's channels), and only the inputs earlier than the sum then are
 * delayed: in the 5.1 film mix, the eight stereo music tracks summed into
 * the 5.1 music bus before the hall reverb's input 8192 samples later, 6
 * channels delayed instead of 16. The bytes are the same: a delay only
 * moves samples, so delaying a sum is summing the delayed inputs, in the
 * same order (the bus's inputs come in the order of the strips, c->order).
 * Each bus takes the way that delays fewer channels. */
static void choose_sum_delays(compiler *c)
{
    const vm_desc *d = c->d;
    long *each = calloc((size_t)c->n, sizeof *each), *sum = calloc((size_t)c->n, sizeof *sum);
    if (!each || !sum) { /* every input delayed on its own: as right, only slower */
        free(each), free(sum);
        return;
    }
    for (int t = 0; t < c->n; t++)
        c->sum_late[t] = -1, c->delays_sum[t] = 0;
    for (int i = 0; i < c->n; i++) { /* the inputs in the order they are mixed */
        int s = c->order[i];
        const vm_strip_desc *st = &d->strips[s];
        for (int k = 0; c->needed[s] && k < st->ndests; k++) {
            int t = st->dests[k], l = c->lat_out[s];
            if (!vmc_edge_active(c, s, t) || !c->needed[t])
                continue;
            if (l < c->lat_in[t])
                each[t] += st->channels;
            if (c->sum_late[t] >= 0 && l > c->sum_late[t])
                sum[t] += d->strips[t].channels;
            if (l > c->sum_late[t])
                c->sum_late[t] = l;
            else if (l < c->sum_late[t])
                sum[t] += st->channels;
        }
    }
    for (int t = 0; t < c->n; t++) {
        if (c->sum_late[t] >= 0 && c->sum_late[t] < c->lat_in[t]) /* the bus runs later still */
            sum[t] += d->strips[t].channels;
        c->delays_sum[t] = sum[t] < each[t];
        c->sum_late[t] = -1;
    }
    free(each), free(sum);
}

/* The mixes of strip s into the buses it feeds, those before its fader
 * (pre = 1: pre-fader sends) or the others: each bus cleared before its
 * first input, a compensating delay where the bus (or its sum so far) is
 * later, or the sum delayed where s is later than it. */
static ds_result emit_routes(compiler *c, int s, int pre, int *started, char *err)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s];
    ds_result r = DS_OK;
    for (int k = 0; r == DS_OK && k < st->ndests; k++) {
        int t = st->dests[k], late = c->lat_in[t];
        const vm_send_desc *sd = vm_desc_send(d, s, t);
        if ((sd && sd->pre) != pre || !vmc_edge_active(c, s, t) || !c->needed[t])
            continue;
        if (!started[t]) {
            r = emit(c, A_CLEAR, t, -1, err);
            started[t] = 1;
        }
        if (c->delays_sum[t]) {
            if (r == DS_OK && c->sum_late[t] >= 0 && c->lat_out[s] > c->sum_late[t])
                r = emit(c, A_DELAY_SUM, t, c->lat_out[s] - c->sum_late[t], err);
            if (c->lat_out[s] > c->sum_late[t])
                c->sum_late[t] = c->lat_out[s];
            late = c->sum_late[t];
        }
        if (r == DS_OK && late > c->lat_out[s])
            r = emit_late(c, A_DELAY, s, t, late, err);
        if (r == DS_OK)
            r = emit_late(c, A_MIX, s, t, late, err);
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
    if (r == DS_OK && c->audible[s] && vmc_fader_after(d, s) && !vmc_gain_is_unity(c, s) && !vmc_fader_folds(c, s))
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
_Static_assert(BATCH_CHANNELS <= DSP_BIQUAD_MULTI_MAX, "an EQ batch runs in one dsp_biquad_multi");

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

ds_result vmc_emit_all(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    int *started = calloc((size_t)c->n, sizeof *started);
    if (!started)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int s = 0; s < c->n; s++)
        c->batch_of[s] = c->batch_next[s] = -1;
    choose_sum_delays(c);
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
                   c->lat_in[c->order[j]] == c->lat_in[s] && /* the batch's ops run at one offset */
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
        else if (c->delays_sum[s] && c->sum_late[s] < c->lat_in[s]) /* a bus that runs later than its inputs */
            r = emit(c, A_DELAY_SUM, s, c->lat_in[s] - c->sum_late[s], err);
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
ds_result vmc_split_front(compiler *c, char *err)
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
    if (n > 0) /* c->ops is NULL in an empty graph (fuzz_script: an empty script) */
        memcpy(c->ops, ops, (size_t)n * sizeof *ops);
    free(front), free(blocked), free(ops), free(cost), free(unit_of);
    return DS_OK;
}
