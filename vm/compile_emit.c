/* compile_emit.c - the emitters: one per op kind, each turning an abstract
 * op (compile_priv.h) into the plan's real ops in its arena. A parameter's
 * evaluator goes in front of the op that reads it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/compile_priv.h"
#include "vm/insert_params.h"

/* In an emitter: out of memory, or a lane whose message is already in err. */
#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond))                                                     \
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");          \
    } while (0)
#define LANE(cond)                                                       \
    do {                                                                 \
        if (!(cond))                                                     \
            return DS_ERR_ARG;                                           \
    } while (0)

/* Clips sort by start; clips starting together keep the order written. */
typedef struct { op_clip clip; int index; } indexed_clip;
static int cmp_indexed(const void *a, const void *b)
{
    const indexed_clip *x = a, *y = b;
    if (x->clip.at != y->clip.at)
        return x->clip.at < y->clip.at ? -1 : 1;
    return x->index - y->index;
}

/* The most clips playing at once: clips sorted by start, at each start the
 * clips before it still running (ends past it) and itself. The ends still
 * running are kept in a min-heap: O(n log n), for a track may hold
 * 200,000 clips. -1 when out of memory. */
static int max_overlap(const op_clip *clips, int n)
{
    vmc_heap h = {malloc(((size_t)n + 1) * sizeof *h.v), 0};
    if (!h.v)
        return -1;
    int best = 0;
    for (int i = 0; i < n; i++) {
        while (h.n > 0 && h.v[0] <= clips[i].at)
            vmc_heap_pop(&h);
        if (h.n + 1 > best)
            best = h.n + 1;
        vmc_heap_push(&h, clips[i].at + clips[i].length);
    }
    free(h.v);
    return best;
}


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

const char *vmc_label(vm_arena *a, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return vm_arena_strdup(a, buf);
}

/* Fuses the eq op at ops[j] into the one before when both run in the same
 * unit and op_eq_fuse takes them (static order-2 filters of the same
 * channels: op_eq_args.then); returns whether it did. */
int vmc_fuse_eq(plan *p, int j)
{
    return j >= 1 && p->op_unit[j] == p->op_unit[j - 1] && op_eq_fuse(&p->ops[j - 1], &p->ops[j]);
}

/* ---- an EQ batch's mixes made in its pass (vmc_fuse_sums) -------------- */

/* 1 when abstract op o touches strip s (reads or writes it), or, when
 * batch >= 0, a track of the EQ batch that starts at strip batch. */
static int touches(const compiler *c, const aop *o, int s, int batch)
{
    vmc_touch t[VMC_MAX_TOUCH];
    int nt = vmc_op_touches(c, o, t);
    for (int k = 0; k < nt; k++)
        if (t[k].strip == s || (batch >= 0 && c->batch_of[t[k].strip] == batch))
            return 1;
    return 0;
}

/* The tracks of the EQ batch that starts at strip head. */
static int batch_tracks(const compiler *c, int head)
{
    int n = 0;
    for (int t = head; t >= 0; t = c->batch_next[t])
        n++;
    return n;
}

/* For the EQ batch whose last filter is abstract op e: the bus its tracks
 * mix into, when its clear, then the terms earlier batches' sums make (the
 * ops up to summed[bus], -1: none), then this batch's mixes, one per track
 * in the batch's order, are the next ops after e to touch the bus or a
 * track of the batch, and nothing after them reads a track (nor does an
 * output or a key: c->tapped, c->keyed_by); mix[k] then holds track k's
 * mix and *clear the clear (abstract ops). Else -1. The sum then writes
 * the bus where the clear did (or adds to what the earlier batch's sum
 * wrote there) and makes the same sums in the same order, before anything
 * else touches the bus: the same bytes. vmc_link_units's waits, made from
 * the abstract ops, still hold: the bus's unit waits for the batch's, whose
 * tracks its mixes read, and a batch that adds to an earlier one's sum
 * waits for that batch's unit (vmc_find_sums, c->sum_into). */
static int sum_bus(const compiler *c, int e, const int *summed, int *clear, int *mix)
{
    const aop *eo = &c->ops[e];
    int head = eo->strip, bus = -1, next = head, nmix = 0;
    if (eo->kind != A_EQ_BATCH || eo->dst != c->d->strips[head].ninserts - 1)
        return -1; /* not the batch's last filter */
    for (int t = head; t >= 0; t = c->batch_next[t])
        if (c->tapped[t] || VMC_ROW_BEGIN(c->keyed_by, t) != VMC_ROW_END(c->keyed_by, t))
            return -1;
    if (batch_tracks(c, head) > DSP_BIQUAD_SUM_LANES)
        return -1;
    for (int i = e + 1; i < c->nops; i++) {
        const aop *o = &c->ops[i];
        if (bus < 0 && o->kind == A_MIX && o->strip == head)
            bus = o->dst;
    }
    if (bus < 0 || c->batch_of[bus] >= 0)
        return -1;
    *clear = -1;
    for (int i = e + 1; i < c->nops; i++) {
        const aop *o = &c->ops[i];
        if (!touches(c, o, bus, head))
            continue;
        if (*clear < 0 && o->kind == A_CLEAR && o->strip == bus)
            *clear = i;
        else if (*clear >= 0 && nmix == 0 && i <= summed[bus] && !touches(c, o, -1, head))
            continue; /* a term an earlier batch's sum makes */
        else if (*clear >= 0 && next >= 0 && o->kind == A_MIX && o->strip == next && o->dst == bus)
            mix[nmix++] = i, next = c->batch_next[next];
        else if (next >= 0 || touches(c, o, -1, head))
            return -1; /* another op between, or a reader of a track after the mixes */
    }
    return next < 0 ? bus : -1;
}

/* Per bus, the last abstract op whose term the batches' sums so far make,
 * all -1; NULL when out of memory. */
static int *no_sums(const compiler *c)
{
    int *summed = malloc((size_t)(c->n ? c->n : 1) * sizeof *summed);
    for (int s = 0; summed && s < c->n; s++)
        summed[s] = -1;
    return summed;
}

ds_result vmc_find_sums(compiler *c, char *err)
{
    int *summed = no_sums(c), clear, mix[DSP_BIQUAD_SUM_LANES];
    free(c->sum_into);
    c->sum_into = malloc((size_t)(c->nops ? c->nops : 1) * sizeof *c->sum_into);
    if (!summed || !c->sum_into) {
        free(summed);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    for (int e = 0; e < c->nops; e++) {
        int bus = c->sum_into[e] = sum_bus(c, e, summed, &clear, mix);
        if (bus >= 0)
            summed[bus] = mix[batch_tracks(c, c->ops[e].strip) - 1];
    }
    free(summed);
    return DS_OK;
}

/* Fills sum from the clear and mix plan ops when they are what the sum
 * does: the bus's channels those of the clear (at most
 * DSP_BIQUAD_SUM_BUSES), which the sum makes when `set` (else an earlier
 * batch's sum did: this one adds to it), plain mixes (constant
 * coefficients) from the eq's channels into the bus, each bus channel
 * taking the channels in increasing order, each once. Returns 1 when they
 * are. */
static int fill_sum(const op_eq_args *eq, const op_clear_args *cl, int set, op_mix_args *const *mix, int nmix,
                    dsp_biquad_sum *sum)
{
    if (cl->nch < 1 || cl->nch > DSP_BIQUAD_SUM_BUSES || eq->nch > DSP_BIQUAD_SUM_LANES)
        return 0;
    int last[DSP_BIQUAD_SUM_BUSES];
    memset(sum, 0, sizeof *sum);
    sum->nbus = cl->nch;
    sum->set = set;
    for (int b = 0; b < cl->nch; b++)
        sum->bus[b] = cl->chans[b], last[b] = -1;
    for (int m = 0; m < nmix; m++)
        for (int t = 0; t < mix[m]->nterms; t++) {
            int lane = -1, b = -1;
            for (int k = 0; k < eq->nch; k++)
                lane = mix[m]->src[t] == eq->chans[k] ? k : lane;
            for (int k = 0; k < cl->nch; k++)
                b = mix[m]->dst[t] == cl->chans[k] ? k : b;
            if (lane < 0 || b < 0 || lane <= last[b])
                return 0;
            last[b] = lane;
            sum->has[b][lane] = 1;
            sum->coef[b][lane] = mix[m]->coef[t];
        }
    return 1;
}

/* The clip players a summed batch's pass ea (made from abstract op ef,
 * its first filter) may read the frames of (op_eq_args.clips): when ef is
 * the batch's first insert, every track has fc = 1 or 2 channels, and
 * each track's clips are the only op before ef to touch it. Returns 0 when
 * out of memory (else 1, wired or not). */
static int read_frames(compiler *c, int ef, op_eq_args *ea)
{
    plan *p = c->p;
    const aop *o = &c->ops[ef];
    int fc = c->d->strips[o->strip].channels, n = 0, player[DSP_BIQUAD_SUM_LANES];
    if (o->dst != 0 || fc > 2)
        return 1;
    for (int t = o->strip; t >= 0; t = c->batch_next[t], n++) {
        player[n] = -1;
        for (int i = 0; i < ef; i++) {
            if (!touches(c, &c->ops[i], t, -1))
                continue;
            if (player[n] >= 0 || c->ops[i].kind != A_CLIPS)
                return 1;
            player[n] = i;
        }
        if (c->d->strips[t].channels != fc || player[n] < 0 || p->ops[c->made[player[n]]].cls != &op_clips_class)
            return 1;
    }
    if (!(ea->clips = vm_arena_alloc(&p->arena, (size_t)n * sizeof *ea->clips)))
        return 0;
    for (int k = 0; k < n; k++) {
        ea->clips[k] = p->ops[c->made[player[k]]].args;
        ea->clips[k]->to_eq = 1;
    }
    ea->clips_fc = fc;
    return 1;
}

ds_result vmc_fuse_sums(compiler *c, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    int *summed = no_sums(c); /* as vmc_find_sums, from the sums made here */
    if (!summed)
        goto nomem;
    for (int e = 0; e < c->nops; e++) {
        const aop *o = &c->ops[e];
        int clear, mixes[DSP_BIQUAD_SUM_LANES], bus = -1, ntracks = batch_tracks(c, o->strip);
        if (c->sum_into[e] >= 0)
            bus = sum_bus(c, e, summed, &clear, mixes);
        if (bus < 0)
            continue;
        /* the eq op that runs last: this one, or the one before whose pass runs it */
        plan_op *eq = &p->ops[c->made[e]];
        int ef = e; /* the pass's first filter */
        if (eq->cls == &op_eq_class && ((op_eq_args *)eq->args)->fused) {
            if (e < 1 || c->ops[e - 1].kind != A_EQ_BATCH || c->ops[e - 1].strip != o->strip ||
                ((op_eq_args *)p->ops[c->made[e - 1]].args)->then != eq->args)
                continue;
            eq = &p->ops[c->made[--ef]];
        }
        op_eq_args *ea = eq->args;
        plan_op *cl = &p->ops[c->made[clear]];
        op_mix_args *mix[DSP_BIQUAD_SUM_LANES];
        int set = summed[bus] < 0; /* else it adds to an earlier batch's sum */
        int plain = eq->cls == &op_eq_class && !ea->fused && !ea->moving && ea->order == 2 &&
                    cl->cls == &op_clear_class;
        for (int k = 0; plain && k < ntracks; k++) {
            plan_op *m = &p->ops[c->made[mixes[k]]];
            plain = m->cls == &op_mix_class;
            mix[k] = m->args;
        }
        dsp_biquad_sum sum;
        if (!plain || !fill_sum(ea, cl->args, set, mix, ntracks, &sum))
            continue;
        summed[bus] = mixes[ntracks - 1];
        if (!(ea->sum = vm_arena_alloc(A, sizeof *ea->sum)) || !read_frames(c, ef, ea))
            goto nomem;
        *ea->sum = sum;
        ((op_clear_args *)cl->args)->fused = 1;
        for (int k = 0; k < ntracks; k++)
            mix[k]->fused = 1;
        const char *bus_name = d->strips[bus].name;
        if (!(eq->label = vmc_label(A, "%s; summed into bus '%s' as it leaves the filters%s%s", eq->label, bus_name,
                                    set ? "" : ", onto the sum of the batch before",
                                    ea->clips ? "; reads the clips' frames" : "")) ||
            (set && !(cl->label = vmc_label(A, "%s, done by the eq's sum", cl->label))))
            goto nomem;
        for (int k = 0; k < ntracks; k++) {
            plan_op *m = &p->ops[c->made[mixes[k]]];
            if (!(m->label = vmc_label(A, "%s, done by the eq's sum", m->label)))
                goto nomem;
        }
    }
    free(summed);
    return DS_OK;
nomem:
    free(summed);
    return ds_fail(err, DS_ERR_NOMEM, "out of memory");
}

/* The next op slot of the plan (the compiler sized p->ops for every op). */
static plan_op *new_op(plan *p)
{
    return &p->ops[p->nops++];
}

/* The next op slot, of class cls, with its args: size bytes zeroed in the
 * arena, returned (NULL when the arena is full: the slot stays empty).
 * From here on vm_plan_free releases what the args come to hold. */
static void *new_op_args(plan *p, plan_op **op, const plan_op_class *cls, size_t size)
{
    void *args = vm_arena_alloc(&p->arena, size);
    *op = new_op(p);
    if (args) {
        (*op)->cls = cls;
        (*op)->args = args;
    }
    return args;
}

static ds_result emit_clear(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_strip_desc *st = &c->d->strips[o->strip];
    plan_op *op;
    op_clear_args *a = new_op_args(p, &op, &op_clear_class, sizeof *a);
    CHECK(a);
    a->chans = c->chans[o->strip];
    a->nch = st->channels;
    op->label = vmc_label(A, "clear  %s '%s' (%d ch)%s", vmc_kind_name(st), st->name, st->channels,
                          c->audible[o->strip] ? "" : (c->muted[o->strip] ? " [muted]" : " [solo-muted]"));
    return DS_OK;
}

static ds_result emit_gain(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_strip_desc *st = &c->d->strips[o->strip];
    op_gain_args *a = vm_arena_alloc(A, sizeof *a);
    CHECK(a);
    LANE(a->gain = vmc_strip_gain_param(p, c, o->strip, err)); /* the param's evaluator goes first */
    plan_op *op = new_op(p);
    a->chans = c->chans[o->strip];
    a->nch = st->channels;
    op->cls = &op_gain_class;
    op->args = a;
    if (a->gain->is_static)
        op->label = vmc_label(A, "gain   %s '%s' %+.2f dB (x%.6f)", vmc_kind_name(st), st->name,
                              20 * log10(a->gain->gain[0]), a->gain->gain[0]);
    else
        op->label = vmc_label(A, "gain   %s '%s' (automated)", vmc_kind_name(st), st->name);
    return DS_OK;
}

static ds_result emit_delay(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip];
    plan_op *op;
    int dl = o->late - c->lat_out[o->strip];
    op_delay_args *a = new_op_args(p, &op, &op_delay_class, sizeof *a);
    CHECK(a);
    a->nch = st->channels;
    a->delay = dl;
    a->src = c->chans[o->strip];
    a->out = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->out);
    a->ring = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->ring);
    CHECK(a->out && a->ring);
    for (int ch = 0; ch < st->channels; ch++) {
        a->out[ch] = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float));
        a->ring[ch] = vm_arena_alloc(A, (size_t)dl * sizeof(float));
        CHECK(a->out[ch] && a->ring[ch]);
    }
    c->delayed[c->ndelayed] = (vmc_delayed){o->strip, o->dst, a->out, c->delayed_last[o->strip]};
    c->delayed_last[o->strip] = c->ndelayed++;
    op->label = vmc_label(A, "delay  %s '%s' by %d samples into bus '%s' (latency compensation)",
                          vmc_kind_name(st), st->name, dl, d->strips[o->dst].name);
    return DS_OK;
}

/* A bus's sum so far delayed in place by o->dst samples, to meet a later
 * input (compile_steps.c, choose_sum_delays). */
static ds_result emit_delay_sum(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_strip_desc *st = &c->d->strips[o->strip];
    plan_op *op;
    op_delay_args *a = new_op_args(p, &op, &op_delay_class, sizeof *a);
    CHECK(a);
    a->nch = st->channels;
    a->delay = o->dst;
    a->src = a->out = c->chans[o->strip];
    a->ring = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->ring);
    CHECK(a->ring);
    for (int ch = 0; ch < st->channels; ch++)
        CHECK(a->ring[ch] = vm_arena_alloc(A, (size_t)o->dst * sizeof(float)));
    op->label = vmc_label(A, "delay  %s '%s' sum so far by %d samples (latency compensation)", vmc_kind_name(st),
                          st->name, o->dst);
    return DS_OK;
}

/* The evaluator of strip s's moving pan, made by its first mix. */
static ds_result pan_param(compiler *c, int s, char *err)
{
    plan *p = c->p;
    const vm_strip_desc *st = &c->d->strips[s];
    if (c->pan_params[s])
        return DS_OK;
    char nm[300], what[300];
    snprintf(nm, sizeof nm, "param  %s '%s' pan (%d move%s)", vmc_kind_name(st), st->name, st->pan.nevents,
             st->pan.nevents == 1 ? "" : "s");
    snprintf(what, sizeof what, "%s '%s' pan", vmc_kind_name(st), st->name);
    plan_param *pp = vmc_new_param(&p->arena, nm, st->channels == 2 ? PARAM_PAN_BALANCE : PARAM_PAN_MONO, 1,
                                   c->max_block);
    CHECK(pp);
    LANE(pp->lanes[pp->nlanes++] = vmc_build_lane(p, &st->pan, 0, what, err));
    vmc_schedule_param(p, pp, 1);
    c->pan_params[s] = pp;
    return DS_OK;
}

/* The level of send sd (NULL: a plain route) riding on a moving pan's
 * coefficients: *level, its evaluator where it moves (or, before the
 * fader, where the mute's fades move: they are layers of it), else *coef,
 * its static gain (1 for a route). */
static ds_result pan_send_level(compiler *c, const aop *o, const vm_send_desc *sd, plan_param **level, float *coef,
                                char *err)
{
    int pre_mute = sd && sd->pre && vmc_mute_moves(c, o->strip);
    *level = NULL;
    *coef = 1.0f;
    if (sd && (sd->level.nevents || pre_mute))
        LANE(*level = vmc_send_level_param(c->p, c, o->strip, o->dst, sd, pre_mute, err));
    else if (sd)
        *coef = sd->level.value <= VM_LANE_DB_SILENCE ? 0.0f : (float)pow(10.0, sd->level.value / 20.0);
    return DS_OK;
}

/* A mono or stereo strip with a moving pan into a bus of 2+ channels: the
 * pan's coefficients, and a send's level riding on them. */
static ds_result emit_mix_pan(compiler *c, const aop *o, float **src_chans, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip], *dt = &d->strips[o->dst];
    const vm_send_desc *sd = vm_desc_send(d, o->strip, o->dst);
    plan_param *level;
    float coef;
    ds_result r = pan_send_level(c, o, sd, &level, &coef, err);
    if (r != DS_OK)
        return r;
    r = pan_param(c, o->strip, err);
    if (r != DS_OK)
        return r;
    plan_op *op = new_op(p);
    op_mix_pan_args *a = vm_arena_alloc(A, sizeof *a);
    CHECK(a);
    a->balance = st->channels == 2;
    a->src[0] = src_chans[0];
    a->src[1] = src_chans[a->balance ? 1 : 0];
    a->dst[0] = c->chans[o->dst][0];
    a->dst[1] = c->chans[o->dst][1];
    a->pan = c->pan_params[o->strip];
    a->coef = coef;
    a->level = level;
    if (a->coef != 1.0f || a->level)
        CHECK(a->scratch = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float)));
    op->cls = &op_mix_pan_class;
    op->args = a;
    op->label = vmc_label(A, "mix    %s '%s' -> bus '%s' (%s, automated pan)%s", vmc_kind_name(st), st->name,
                          dt->name, a->balance ? "stereo balance" : "constant-power pan",
                          !sd ? "" : level ? " [send, level automated]" : " [send]");
    return DS_OK;
}

/* A mono or stereo strip whose surround pan moves, into a surround bus
 * (speakers sp): its lanes, and a send's level riding on its gains. */
static ds_result emit_mix_surround(compiler *c, const aop *o, float **src_chans, const dsp_surround_pan *sp,
                                   char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip], *dt = &d->strips[o->dst];
    const vm_send_desc *sd = vm_desc_send(d, o->strip, o->dst);
    plan_param *level;
    float coef;
    ds_result r = pan_send_level(c, o, sd, &level, &coef, err);
    if (r != DS_OK)
        return r;
    op_mix_surround_args *a = vm_arena_alloc(A, sizeof *a);
    CHECK(a);
    a->speakers = *sp;
    a->nsrc = st->channels;
    a->src[0] = src_chans[0];
    a->src[1] = src_chans[st->channels - 1];
    a->dst = c->chans[o->dst];
    /* lanes of its own: a lane's cursor serves one reader */
    char what[300];
    snprintf(what, sizeof what, "%s '%s' pan", vmc_kind_name(st), st->name);
    LANE(a->lanes[0] = vmc_build_lane(p, &st->pan, 0, what, err));
    for (int k = 0; k < VM_SURROUND_NPARAMS; k++) {
        snprintf(what, sizeof what, "%s '%s' %s", vmc_kind_name(st), st->name, vm_surround_params[k].name);
        LANE(a->lanes[1 + k] = vmc_build_lane(p, &st->surround[k], vm_surround_params[k].is_db, what, err));
    }
    for (int l = 0; l < OP_SURROUND_NLANES; l++) {
        a->moves[l] = vm_lane_count(a->lanes[l]) > 0;
        if (a->moves[l])
            a->moving_lanes[a->nmoving++] = a->lanes[l];
        a->held[l] = vm_lane_value(a->lanes[l], 0); /* a lane without moves: its value everywhere */
    }
    double centre = a->held[1 + VM_SURROUND_CENTER];
    a->coarse = !a->moves[1 + VM_SURROUND_FR] && !a->moves[1 + VM_SURROUND_SPREAD] &&
                !a->moves[1 + VM_SURROUND_CENTER] && !a->moves[1 + VM_SURROUND_LFE] &&
                !(a->held[1 + VM_SURROUND_SPREAD] > 0) && (centre <= 0 || centre >= 1);
    a->coef = coef;
    a->level = level;
    if (a->coef != 1.0f || a->level) {
        CHECK(a->scratch = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float)));
        CHECK(a->level_values = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float)));
    } else {
        size_t lines = (size_t)a->nsrc * (size_t)sp->nch * OP_SURROUND_PENDING;
        CHECK(a->pending = vm_arena_alloc(A, lines * sizeof *a->pending));
    }
    op_mix_surround_design(a, 0);
    plan_op *op = new_op(p);
    op->cls = &op_mix_surround_class;
    op->args = a;
    op->label = vmc_label(A, "mix    %s '%s' -> bus '%s' (%s surround pan, automated)%s", vmc_kind_name(st),
                          st->name, dt->name, st->channels == 2 ? "stereo" : "mono",
                          !sd ? "" : level ? " [send, level automated]" : " [send]");
    return DS_OK;
}

/* A moving send level: its evaluator, then the mix of a's terms through it. */
static ds_result emit_mix_gain(compiler *c, const aop *o, const op_mix_args *a, const char *terms, int pre_mute,
                               char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip], *dt = &d->strips[o->dst];
    const vm_send_desc *sd = vm_desc_send(d, o->strip, o->dst);
    plan_param *pp;
    LANE(pp = vmc_send_level_param(p, c, o->strip, o->dst, sd, pre_mute, err));
    op_mix_gain_args *g = vm_arena_alloc(A, sizeof *g);
    CHECK(g);
    g->nterms = a->nterms;
    g->src = a->src;
    g->dst = a->dst;
    g->coef = a->coef;
    g->scratch = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float));
    CHECK(g->scratch);
    g->level = pp;
    const char *lbl = vmc_label(A, "mix    %s '%s' -> bus '%s' (%s) [send, %slevel automated]", vmc_kind_name(st),
                                st->name, dt->name, terms, sd->pre ? "before the fader, " : "");
    plan_op *op = new_op(p);
    op->cls = &op_mix_gain_class;
    op->args = g;
    op->label = lbl;
    return DS_OK;
}

/* A mix of strip o->strip into bus o->dst: a matrix of terms, the fader
 * folded in where it can be, through a moving send level where there is one. */
static ds_result emit_mix(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip], *dt = &d->strips[o->dst];
    const vm_send_desc *sd = vm_desc_send(d, o->strip, o->dst);
    float **src_chans = c->chans[o->strip];
    for (int k = c->delayed_last[o->strip]; k >= 0; k = c->delayed[k].next) /* the latest delay of this route */
        if (c->delayed[k].to == o->dst) {
            src_chans = c->delayed[k].chans;
            break;
        }
    dsp_surround_pan sp;
    int surround = (st->channels == 1 || st->channels == 2) && vmc_surround_speakers(d, o->dst, &sp);
    if (surround && vmc_surround_moves(st))
        return emit_mix_surround(c, o, src_chans, &sp, err);
    if (!surround && st->pan.nevents && (st->channels == 1 || st->channels == 2) && dt->channels >= 2)
        return emit_mix_pan(c, o, src_chans, err);
    plan_op *op = new_op(p);
    double coef[VM_MAX_CHANNELS * VM_MAX_CHANNELS];
    vmc_route_matrix(d, o->strip, o->dst, coef, err);
    /* a folded fader (see fader_folds) scales every coefficient */
    double fold = 1.0;
    if (vmc_fader_after(d, o->strip) && !vmc_gain_is_unity(c, o->strip) && !(sd && sd->pre) &&
        vmc_fader_folds(c, o->strip)) {
        plan_param *g;
        LANE(g = vmc_strip_gain_param(p, c, o->strip, err));
        fold = (double)g->gain[0];
    }
    /* a send before the fader of a strip whose mute moves: the mute's
     * fades are layers of its level (a mute silences every send) */
    int pre_mute = sd && sd->pre && vmc_mute_moves(c, o->strip);
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
            a->dst[a->nterms] = c->chans[o->dst][di];
            a->coef[a->nterms] = (float)v;
            a->nterms++;
            if (tl < sizeof terms - 40)
                tl += (size_t)snprintf(terms + tl, sizeof terms - tl, "%s%d>%d x%.4f", tl ? ", " : "", si + 1,
                                       di + 1, v);
        }
    op->cls = &op_mix_class;
    op->args = a;
    op->label = vmc_label(A, "mix    %s '%s' -> bus '%s' (%s)%s", vmc_kind_name(st), st->name, dt->name, terms,
                          sd ? (sd->pre ? " [send, before the fader]" : " [send]") : "");
    if (sd && (sd->level.nevents || pre_mute)) { /* the mix goes through the moving level instead */
        p->nops--;
        return emit_mix_gain(c, o, a, terms, pre_mute, err);
    }
    return DS_OK;
}

static ds_result emit_bandduck(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip];
    int max_block = c->max_block;
    op_bandduck_args *a = vm_arena_alloc(A, sizeof *a);
    CHECK(a);
    a->io = c->chans[o->strip];
    a->nch = st->channels;
    a->split = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->split);
    a->low = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
    a->mid = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
    a->high = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
    CHECK(a->split && a->low && a->mid && a->high);
    for (int ch = 0; ch < st->channels; ch++)
        dsp_xover3_init(&a->split[ch], d->tb.rate, st->band_lo, st->band_hi);
    char nm[300], what[300];
    snprintf(nm, sizeof nm, "param  %s '%s' band duck %.0f-%.0f Hz (%d moves)", vmc_kind_name(st), st->name,
             st->band_lo, st->band_hi, st->bandduck.nevents);
    snprintf(what, sizeof what, "%s '%s' bandduck", vmc_kind_name(st), st->name);
    plan_param *pp = vmc_new_param(A, nm, PARAM_GAIN, 1, max_block);
    CHECK(pp);
    LANE(pp->lanes[pp->nlanes++] = vmc_build_lane(p, &st->bandduck, 1, what, err));
    vmc_schedule_param(p, pp, st->bandduck.nevents); /* the param's evaluator goes first */
    plan_op *op = new_op(p);
    a->gain = pp;
    op->cls = &op_bandduck_class;
    op->args = a;
    op->label = vmc_label(A, "band   %s '%s' LR8 split at %.0f and %.0f Hz, the middle band ducked (%d ch)",
                          vmc_kind_name(st), st->name, st->band_lo, st->band_hi, st->channels);
    return DS_OK;
}

/* The lanes of the first n rows of insert o (vm/insert_params.c), in lane
 * order, each named "bus 'MX' limiter 3 ceiling" for its messages. */
static ds_result insert_lanes(compiler *c, const aop *o, vm_lane **lanes, int n, char *err)
{
    const vm_strip_desc *st = &c->d->strips[o->strip];
    const vm_insert_desc *e = &st->inserts[o->dst];
    for (int k = 0; k < n; k++) {
        const vm_insert_param_spec *sp = vm_insert_param_at(e->kind, k);
        vm_param_desc pd = vm_insert_param_get(e, sp);
        char what[300];
        snprintf(what, sizeof what, "%s '%s' %s %d %s", vmc_kind_name(st), st->name, vm_insert_noun(e), o->dst + 1,
                 sp->name);
        LANE(lanes[k] = vmc_build_lane(c->p, &pd, 0, what, err));
    }
    return DS_OK;
}

/* Whether insert o has moves (*moving); when it has, the lanes of its
 * first n rows (insert_lanes). */
static ds_result insert_moving_lanes(compiler *c, const aop *o, int *moving, vm_lane **lanes, int n, char *err)
{
    *moving = vm_insert_params_moving(&c->d->strips[o->strip].inserts[o->dst]);
    return *moving ? insert_lanes(c, o, lanes, n, err) : DS_OK;
}

/* " +3.0 dB" for the EQ types that have a gain, else "". */
static const char *eq_gain_text(vm_arena *A, const vm_insert_desc *e)
{
    return e->type == DSP_EQ_PEAK || e->type == DSP_EQ_LOWSHELF || e->type == DSP_EQ_HIGHSHELF
               ? vmc_label(A, " %+.1f dB", e->gain.value) : "";
}

/* One static order-2 EQ over the channels of a batch's tracks side by side. */
static ds_result emit_eq_batch(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip];
    plan_op *op;
    const vm_insert_desc *e = &st->inserts[o->dst];
    op_eq_args *a = new_op_args(p, &op, &op_eq_class, sizeof *a);
    CHECK(a);
    CHECK(op->where = vmc_label(A, "%s", e->where));
    int nch = 0, ntracks = 0;
    for (int t = o->strip; t >= 0; t = c->batch_next[t]) {
        nch += d->strips[t].channels;
        ntracks++;
    }
    a->chans = vm_arena_alloc(A, (size_t)nch * sizeof *a->chans);
    CHECK(a->chans);
    for (int t = o->strip; t >= 0; t = c->batch_next[t])
        for (int ch = 0; ch < d->strips[t].channels; ch++)
            a->chans[a->nch++] = c->chans[t][ch];
    a->type = e->type;
    a->order = 2;
    a->rate = d->tb.rate;
    char what[300];
    snprintf(what, sizeof what, "track '%s' eq %d", st->name, o->dst + 1);
    LANE((a->freq = vmc_build_lane(p, &e->freq, 0, what, err)) && (a->gain = vmc_build_lane(p, &e->gain, 0, what, err)) &&
         (a->q = vmc_build_lane(p, &e->q, 0, what, err)));
    a->multi = vm_arena_alloc(A, sizeof *a->multi);
    CHECK(a->multi);
    dsp_biquad_multi_init(a->multi);
    op_eq_design(a, INT64_MIN);
    op->label = vmc_label(A, "eq     %d tracks from '%s' side by side (%d ch): %s %.1f Hz%s q %.3f", ntracks,
                          st->name, nch, vm_eq_type_name(e->type), e->freq.value, eq_gain_text(A, e), e->q.value);
    return DS_OK;
}

/* An EQ insert: order 2 as one multi-channel biquad, higher orders as
 * Butterworth cascades per channel. */
static ds_result emit_eq(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                         plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    op_eq_args *a = args;
    a->type = e->type;
    a->order = e->order;
    a->rate = c->d->tb.rate;
    a->chans = c->chans[o->strip];
    a->nch = st->channels;
    vm_lane *lanes[3]; /* freq, gain, q: lanes 0, 1, 2 of vm/insert_params.c */
    LANE(insert_lanes(c, o, lanes, 3, err) == DS_OK);
    a->freq = lanes[0], a->gain = lanes[1], a->q = lanes[2];
    a->moving = vm_insert_params_moving(e);
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
    if (a->order == 2)
        op->label = vmc_label(A, "eq     %s '%s' %s %.1f Hz%s q %.3f%s (%d ch)", vmc_kind_name(st), st->name,
                              vm_eq_type_name(e->type), e->freq.value, eq_gain_text(A, e), e->q.value,
                              a->moving ? ", automated" : "", st->channels);
    else
        op->label = vmc_label(A, "eq     %s '%s' %s %.1f Hz Butterworth order %d%s (%d ch)", vmc_kind_name(st),
                              st->name, vm_eq_type_name(e->type), e->freq.value, e->order,
                              a->moving ? ", automated" : "", st->channels);
    return DS_OK;
}

/* The common part of an in-place insert (op_inplace): its strip's
 * channels, its lanes when it moves, its kernel's calls, and the settings
 * it starts with. args: the kind's args, which begin with run. */
static ds_result inplace_start(compiler *c, const aop *o, const vm_strip_desc *st, op_inplace *run,
                               void (*process)(void *, float *const *, int, int64_t, int),
                               void (*design)(void *, int64_t),
                               char *err)
{
    LANE(insert_moving_lanes(c, o, &run->moving, run->lanes, VM_INSERT_NSETP, err) == DS_OK);
    run->io = c->chans[o->strip];
    run->nch = st->channels;
    run->process = process;
    run->design = design;
    op_inplace_start(run);
    return DS_OK;
}

static ds_result emit_transient(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                                plan_op *op, void *args, char *err)
{
    op_transient_args *a = args;
    dsp_transient_init(&a->state, c->d->tb.rate, e->attack_db, e->sustain_db);
    LANE(inplace_start(c, o, st, &a->run, op_transient_process, op_transient_design, err) == DS_OK);
    op->label = vmc_label(&c->p->arena, "shape  %s '%s' transients: attack %+.1f dB, sustain %+.1f dB%s (%d ch)",
                          vmc_kind_name(st), st->name, e->attack_db, e->sustain_db,
                          a->run.moving ? ", automated" : "", st->channels);
    return DS_OK;
}

static ds_result emit_saturate(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                               plan_op *op, void *args, char *err)
{
    op_saturate_args *a = args;
    dsp_saturate_init(&a->state, e->clip_db, e->sat_mix_pct);
    LANE(inplace_start(c, o, st, &a->run, op_saturate_process, op_saturate_design, err) == DS_OK);
    op->label = vmc_label(&c->p->arena, "sat    %s '%s' soft clip at %.1f dBFS, mix %.0f %%%s (%d ch)",
                          vmc_kind_name(st), st->name, e->clip_db, e->sat_mix_pct,
                          a->run.moving ? ", automated" : "", st->channels);
    return DS_OK;
}

static ds_result emit_bitcrush(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                               plan_op *op, void *args, char *err)
{
    op_bitcrush_args *a = args;
    a->fs = c->d->tb.rate;
    dsp_bitcrush_init(&a->state, a->fs, e->crush_bits, e->crush_rate_hz);
    LANE(inplace_start(c, o, st, &a->run, op_bitcrush_process, op_bitcrush_design, err) == DS_OK);
    op->label = vmc_label(&c->p->arena, "crush  %s '%s' %.4g bits, held at %.6g Hz%s (%d ch)", vmc_kind_name(st),
                          st->name, e->crush_bits, e->crush_rate_hz, a->run.moving ? ", automated" : "",
                          st->channels);
    return DS_OK;
}

/* The IR of convolution reverb e at the session rate (resampled by the
 * clip reader when the file is at another rate), one array per channel
 * (malloc'd: freed by the caller with free(ir[0])), and its length. */
static ds_result read_ir(const compiler *c, const vm_insert_desc *e, float **ir, int64_t *len, char *err)
{
    int rate = c->d->tb.rate, nch = e->conv.info.channels;
    int64_t n = vm_media_frames_at(&e->conv.info, rate);
    vm_media_reader *r = NULL;
    char why[DS_ERR_LEN];
    if (vm_media_open_expect(&r, e->conv.path, &e->conv.info, rate, 0, why) != DS_OK)
        return ds_fail(err, DS_ERR_IO, "%s: impulse response: %s", e->where, why);
    float *frames = malloc((size_t)n * (size_t)nch * sizeof *frames), *chans = malloc((size_t)n * (size_t)nch *
                                                                                         sizeof *chans);
    ds_result res = frames && chans ? vm_media_read(r, frames, (int)n, why) : DS_ERR_NOMEM;
    vm_media_close(&r);
    if (res == DS_OK) {
        for (int ch = 0; ch < nch; ch++) {
            ir[ch] = chans + (size_t)ch * (size_t)n;
            for (int64_t i = 0; i < n; i++)
                ir[ch][i] = frames[(size_t)i * (size_t)nch + (size_t)ch];
        }
        *len = n;
    }
    free(frames);
    if (res != DS_OK) {
        free(chans);
        return res == DS_ERR_NOMEM ? ds_fail(err, res, "out of memory")
                                   : ds_fail(err, res, "%s: impulse response: %s", e->where, why);
    }
    return DS_OK;
}

/* The energy of the loudest output of an IR: a mono or stereo IR's
 * channels', a true-stereo IR's per output (LL + RL, LR + RR). normalize
 * scales by 1 / its root, so white noise of equal power on every input
 * comes out of the loudest output at that power. */
static double ir_energy(float *const *ir, int nir, int64_t len)
{
    double e[4] = {0};
    for (int ch = 0; ch < nir; ch++)
        for (int64_t i = 0; i < len; i++)
            e[ch] += (double)ir[ch][i] * ir[ch][i];
    double most = 0;
    for (int o = 0; o < (nir == 4 ? 2 : nir); o++) {
        double eo = nir == 4 ? e[o] + e[2 + o] : e[o];
        most = eo > most ? eo : most;
    }
    return most;
}

static ds_result emit_convolve(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                               plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    const vm_convolve_desc *cd = &e->conv;
    int nch = st->channels, rate = c->d->tb.rate;
    op_convolve_args *a = args;
    dsp_conv_routing routing = cd->info.channels == 4 ? DSP_CONV_TRUE_STEREO
                             : cd->info.channels == 2 ? DSP_CONV_PARALLEL : DSP_CONV_SHARED;
    const char *kind = cd->info.channels == 4 ? "true-stereo" : cd->info.channels == 2 ? "stereo" : "mono";
    float *ir[4] = {NULL};
    int64_t len = 0;
    ds_result r = read_ir(c, e, ir, &len, err);
    if (r != DS_OK)
        return r;
    double energy = ir_energy(ir, cd->info.channels, len);
    double scale = cd->normalize && energy > 0 ? 1.0 / sqrt(energy) : 1.0;
    if (energy == 0)
        vmc_warnf(c, "%s: impulse response '%s' is silent: the reverb adds nothing", e->where, cd->path);
    int predelay = (int)llround(cd->predelay_s * rate);
    size_t m = dsp_convolver_heap_size(cd->partition, nch, routing, len, predelay);
    void *mem = vm_arena_alloc(A, m);
    if (!mem || dsp_convolver_init(&a->state, mem, cd->partition, nch, routing, len, predelay) != 0) {
        free(ir[0]);
        return ds_fail(err, DS_ERR_NOMEM, "%s: out of memory for the convolution reverb's %lld-sample IR",
                       e->where, (long long)len);
    }
    dsp_convolver_set_ir(&a->state, (const float *const *)ir, scale);
    free(ir[0]);
    a->io = c->chans[o->strip];
    a->nch = nch;
    a->wet = vm_arena_alloc(A, (size_t)nch * sizeof *a->wet);
    a->dry = vm_arena_alloc(A, (size_t)nch * sizeof *a->dry);
    CHECK(a->wet && a->dry);
    for (int ch = 0; ch < nch; ch++) {
        a->wet[ch] = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float));
        a->dry[ch] = vm_arena_alloc(A, (size_t)cd->partition * sizeof(float));
        CHECK(a->wet[ch] && a->dry[ch]);
    }
    double gain = cd->gain_db <= VM_LANE_DB_SILENCE ? 0.0 : pow(10.0, cd->gain_db / 20.0);
    a->dry_coef = (float)(1.0 - cd->mix_pct / 100);
    a->wet_coef = (float)(cd->mix_pct / 100 * gain);
    LANE(insert_moving_lanes(c, o, &a->moving, a->lanes, VM_INSERT_NSETP, err) == DS_OK);
    if (a->moving) {
        a->mix = vm_arena_alloc(A, (size_t)c->max_block * sizeof *a->mix);
        a->gain = vm_arena_alloc(A, (size_t)c->max_block * sizeof *a->gain);
        CHECK(a->mix && a->gain);
    }
    char norm[64] = "", tail[96] = "";
    if (cd->normalize)
        snprintf(norm, sizeof norm, ", normalized (x%.4g)", scale);
    if (a->state.has_tail)
        snprintf(tail, sizeof tail, " (from sample %lld: partitions of %d)", (long long)a->state.tail.from,
                 a->state.tail.part);
    op->label = vmc_label(A, "conv   %s '%s' '%s' (%s IR, %lld samples = %.3f s), partition %d%s, latency %d samples, "
                          "predelay %d samples, mix %.0f %%, gain %+.1f dB%s%s (%d ch)", vmc_kind_name(st), st->name,
                          cd->path, kind, (long long)len, (double)len / rate, cd->partition, tail,
                          dsp_convolver_latency(&a->state), predelay, cd->mix_pct, cd->gain_db, norm,
                          a->moving ? ", automated" : "", nch);
    return DS_OK;
}

/* A delay: its line sized by the longest time its lane reaches (or max),
 * in the arena; the validation pass has bounded it (insert_params.c). For
 * live playback, a delay without max gets the longest line the bounds
 * allow (up to the row's 60 s), so that a REPL change of time, which
 * recompiles the mix, finds the heads' old position inside the new line
 * and glides from there (dsp_delay_copy_state). Memory is reserved, not
 * touched, until the line fills (the arena's pages come zeroed). */
static ds_result emit_delay_insert(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                                   plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    const vm_delay_settings *ds = &e->delay;
    double rate = c->d->tb.rate;
    op_delay_insert_args *a = args;
    const vm_insert_param_spec *time = vm_insert_param_at(e->kind, VM_DELAY_TIME);
    vm_param_desc tp = vm_insert_param_get(e, time);
    double longest = dsp_delay_samples(ds->max_s > 0 ? ds->max_s : vm_param_desc_max(&tp), rate);
    if (c->d->live_tap >= 0 && !(ds->max_s > 0)) { /* compiled for live playback */
        double room = (double)DSP_DELAY_MAX_TOTAL / st->channels - 4;
        room = room < DSP_DELAY_MAX_LINE - 4 ? room : DSP_DELAY_MAX_LINE - 4;
        room = room < time->hi * rate ? room : time->hi * rate;
        longest = longest > room ? longest : room;
    }
    void *mem = vm_arena_alloc(A, dsp_delay_heap_size(st->channels, longest));
    CHECK(mem);
    dsp_delay_params dp = {.delay = dsp_delay_samples(ds->time_s, rate), .feedback = ds->feedback_pct / 100,
                           .mix = ds->mix_pct / 100, .lowpass_hz = ds->lowpass_hz, .highpass_hz = ds->highpass_hz};
    dsp_delay_init(&a->state, mem, st->channels, rate, longest, ds->glide_pct / 100, &dp);
    dsp_delay_set_pingpong(&a->state, ds->pingpong);
    a->rate = rate;
    LANE(insert_moving_lanes(c, o, &a->moving, a->lanes, VM_DELAY_NPARAMS, err) == DS_OK);
    if (a->moving) { /* the settings it starts with, the read position on them */
        op_delay_insert_design(a, 0);
        dsp_delay_reset(&a->state);
    }
    a->io = c->chans[o->strip];
    a->nch = st->channels;
    op->label = vmc_label(A, "delay  %s '%s' %.1f ms%s, feedback %+.0f %%, mix %.0f %%%s%s, line %.0f ms%s (%d ch)",
                          vmc_kind_name(st), st->name, ds->time_s * 1000, ds->pingpong ? " ping-pong" : "",
                          ds->feedback_pct, ds->mix_pct,
                          ds->lowpass_hz > 0 ? vmc_label(A, ", loop low-pass %.0f Hz", ds->lowpass_hz) : "",
                          ds->highpass_hz > 0 ? vmc_label(A, ", loop high-pass %.0f Hz", ds->highpass_hz) : "",
                          1000.0 * a->state.max_delay / rate, a->moving ? ", automated" : "", st->channels);
    return DS_OK;
}

static ds_result emit_width(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                            plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    op_width_args *a = args;
    a->io = c->chans[o->strip]; /* two channels (compile_validate.c) */
    LANE(insert_moving_lanes(c, o, &a->moving, a->lanes, VM_WIDTH_NPARAMS, err) == DS_OK);
    if (a->moving) {
        op_width_design(a, 0);
    } else {
        double gm, gs;
        dsp_width_gains(e->width, e->mid_db, e->side_db, &gm, &gs);
        a->mid = (float)gm, a->side = (float)gs;
    }
    op->label = vmc_label(A, "width  %s '%s' width %.2f, mid %+.1f dB, side %+.1f dB%s (2 ch)", vmc_kind_name(st),
                          st->name, e->width, e->mid_db, e->side_db, a->moving ? ", automated" : "");
    return DS_OK;
}

static ds_result emit_ms(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                         plan_op *op, void *args, char *err)
{
    (void)err; /* it cannot fail */
    vm_arena *A = &c->p->arena;
    op_ms_args *a = args;
    a->io = c->chans[o->strip]; /* two channels (compile_validate.c) */
    a->decode = e->ms_decode;
    op->label = vmc_label(A, "ms     %s '%s' %s", vmc_kind_name(st), st->name,
                          e->ms_decode ? "decode: M S -> L = M + S, R = M - S" : "encode: L R -> M = (L + R) / 2, "
                                                                                 "S = (L - R) / 2");
    return DS_OK;
}

/* A channel map, or a polarity inverter (every channel onto itself, the
 * listed ones negated). */
static ds_result emit_chmap(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                            plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    int nch = st->channels; /* at most DSP_CHMAP_MAX_CHANNELS, indices in range (compile_validate.c) */
    op_chmap_args *a = args;
    int src[DSP_CHMAP_MAX_CHANNELS] = {0}; /* GCC cannot see that dsp_chmap_init reads only nch of them */
    unsigned char invert[DSP_CHMAP_MAX_CHANNELS] = {0};
    char list[4 * DSP_CHMAP_MAX_CHANNELS + 8] = "";
    size_t len = 0;
    for (int k = 0; k < nch && k < DSP_CHMAP_MAX_CHANNELS; k++)
        src[k] = e->kind == VM_INSERT_CHANNEL_MAP ? e->channel[k] - 1 : k;
    for (int k = 0; e->kind == VM_INSERT_POLARITY && k < nch && k < DSP_CHMAP_MAX_CHANNELS; k++) {
        for (int j = 0; j < e->nchannels; j++)
            invert[k] |= e->channel[j] == k + 1;
        invert[k] |= (unsigned char)e->all;
    }
    dsp_chmap_init(&a->map, nch, src, invert);
    a->io = c->chans[o->strip];
    CHECK(a->scratch = vm_arena_alloc(A, (size_t)nch * sizeof *a->scratch));
    for (int k = 0; k < nch; k++)
        if (dsp_chmap_needs_scratch(&a->map, k))
            CHECK(a->scratch[k] = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float)));
    for (int k = 0; k < nch && len < sizeof list; k++) {
        int w = e->kind == VM_INSERT_CHANNEL_MAP ? snprintf(list + len, sizeof list - len, " %d", e->channel[k])
                : invert[k] ? snprintf(list + len, sizeof list - len, " %d", k + 1) : 0;
        len += w > 0 ? (size_t)w : 0;
    }
    op->label = e->kind == VM_INSERT_CHANNEL_MAP
                    ? vmc_label(A, "chmap  %s '%s' channels from%s (%d ch)", vmc_kind_name(st), st->name, list, nch)
                    : vmc_label(A, "chmap  %s '%s' polarity inverted on%s (%d ch)", vmc_kind_name(st), st->name, list,
                                nch);
    return DS_OK;
}

/* A realtime duck: its key read at the audio's time (a ring where the key
 * is early), and in a band, its crossover. */
static ds_result emit_duck(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                           plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    const vm_desc *d = c->d;
    int max_block = c->max_block;
    const vm_duck_desc *du = &d->ducks[e->duck];
    op_duck_args *a = args;
    dsp_ducker_params dp = vmc_ducker_params(du);
    size_t m = dsp_ducker_heap_size(st->channels, d->tb.rate, &dp);
    void *mem = vm_arena_alloc(A, m ? m : 8);
    CHECK(mem);
    dsp_ducker_init(&a->state, mem, st->channels, d->tb.rate, &dp);
    a->io = c->chans[o->strip];
    a->nch = st->channels;
    a->key = c->chans[e->key];
    a->nkey = d->strips[e->key].channels;
    a->at = vmc_insert_at(c, o->strip, o->dst);
    if (c->lat_out[e->key] < a->at)
        CHECK(alloc_key_delay(A, a->nkey, a->at - c->lat_out[e->key], max_block, &a->key_delay, &a->key_ring,
                              &a->key_late) == 0);
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
    op->label = vmc_label(A, "duck   %s '%s' under %s '%s' %.1f dB%s, in real time with %d samples "
                          "(%.0f ms) of look-ahead (%d ch)", vmc_kind_name(st), st->name,
                          vmc_kind_name(&d->strips[e->key]), d->strips[e->key].name, du->depth_db,
                          du->band_hi > 0 ? vmc_label(A, " in %.0f-%.0f Hz", du->band_lo, du->band_hi) : "",
                          a->state.L, 1000.0 * a->state.L / d->tb.rate, st->channels);
    op->readout = vmc_label(A, "duck %s '%s' under '%s'", vmc_kind_name(st), st->name, d->strips[e->key].name);
    return DS_OK;
}

static ds_result emit_limiter(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                              plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    double rate = c->d->tb.rate;
    op_limiter_args *a = args;
    dsp_limiter_params lp = e->lim;
    LANE(insert_moving_lanes(c, o, &a->moving, a->lanes, VM_INSERT_NSETP, err) == DS_OK);
    lp.automated = a->moving; /* every frame keeps the settings it came in with */
    size_t m = dsp_limiter_heap_size(st->channels, rate, &lp);
    void *mem = m ? vm_arena_alloc(A, m) : NULL;
    CHECK(mem);
    dsp_limiter_init(&a->state, mem, st->channels, rate, &lp);
    if (a->moving) { /* silence before the session: under the settings it starts with */
        op_limiter_design(a, 0);
        dsp_limiter_reset(&a->state);
        CHECK(a->seg = vm_arena_alloc(A, (size_t)st->channels * sizeof *a->seg));
    }
    a->io = c->chans[o->strip];
    op->label = vmc_label(A, "limit  %s '%s' ceiling %.1f dBTP, look-ahead %d samples, release %.0f ms%s (%d ch)",
                          vmc_kind_name(st), st->name, e->lim.ceiling_dbtp, dsp_limiter_latency(&a->state),
                          e->lim.release_s * 1000, a->moving ? ", automated" : "", st->channels);
    op->readout = vmc_label(A, "limit %s '%s'", vmc_kind_name(st), st->name);
    return DS_OK;
}

/* A dynamics insert's key: another strip's signal (delayed where it is
 * early), and filtered to a band when the script asks. */
static ds_result dyn_key(compiler *c, const aop *o, op_dyn_args *a, char *err)
{
    vm_arena *A = &c->p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip];
    const vm_insert_desc *e = &st->inserts[o->dst];
    if (e->key >= 0) {
        a->key = c->chans[e->key];
        a->nkey = d->strips[e->key].channels;
    } else {
        a->nkey = st->channels;
    }
    if (e->key >= 0) { /* the audio's latency at this insert, against the key's */
        int at = vmc_insert_at(c, o->strip, o->dst);
        if (c->lat_out[e->key] < at)
            CHECK(alloc_key_delay(A, a->nkey, at - c->lat_out[e->key], c->max_block, &a->key_delay, &a->key_ring,
                                  &a->key_late) == 0);
    }
    if (e->key_hi > 0) {
        a->filtered = 1;
        a->key_hp = vm_arena_alloc(A, (size_t)a->nkey * sizeof *a->key_hp);
        a->key_lp = vm_arena_alloc(A, (size_t)a->nkey * sizeof *a->key_lp);
        a->key_buf = vm_arena_alloc(A, (size_t)a->nkey * sizeof *a->key_buf);
        CHECK(a->key_hp && a->key_lp && a->key_buf);
        for (int ch = 0; ch < a->nkey; ch++) {
            dsp_butter_init(&a->key_hp[ch]);
            dsp_butter_design(&a->key_hp[ch], DSP_EQ_HIGHPASS, e->key_order, d->tb.rate, e->key_lo);
            dsp_butter_init(&a->key_lp[ch]);
            dsp_butter_design(&a->key_lp[ch], DSP_EQ_LOWPASS, e->key_order, d->tb.rate, e->key_hi);
            a->key_buf[ch] = vm_arena_alloc(A, (size_t)c->max_block * sizeof(float));
            CHECK(a->key_buf[ch]);
        }
    }
    return DS_OK;
}

static ds_result emit_dyn(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                          plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    const vm_desc *d = c->d;
    const char *noun = vm_insert_noun(e); /* compressor, expander, gate */
    op_dyn_args *a = args;
    dsp_dyn_init(&a->state, d->tb.rate, &e->dyn);
    const vm_insert_param_spec *ratio = vm_insert_param_at(e->kind, VM_DYN_RATIO);
    vm_param_desc rp = vm_insert_param_get(e, ratio);
    if (rp.nevents && !(rp.value < INFINITY))
        return ds_fail(err, DS_ERR_ARG, "%s: %s '%s' %s %d %s: ratio = inf cannot move (give it a finite ratio, "
                       "e.g. 100)", rp.where, vmc_kind_name(st), st->name, noun, o->dst + 1, ratio->name);
    LANE(insert_moving_lanes(c, o, &a->moving, a->lanes, VM_DYN_NPARAMS, err) == DS_OK);
    if (a->moving) { /* silence before the session: under the settings it starts with */
        op_dyn_design(a, 0);
        dsp_dyn_reset(&a->state);
    }
    a->io = c->chans[o->strip];
    a->nch = st->channels;
    ds_result r = dyn_key(c, o, a, err);
    if (r != DS_OK)
        return r;
    op->label = vmc_label(A, "dyn    %s '%s' %s threshold %.1f dB ratio %.2f attack %.1f ms release %.0f ms%s%s%s"
                          "%s (%d ch)", vmc_kind_name(st), st->name, noun, e->dyn.threshold_db,
                          e->dyn.ratio, e->dyn.attack_s * 1000, e->dyn.release_s * 1000,
                          e->key >= 0 ? ", key " : "", e->key >= 0 ? vmc_kind_name(&d->strips[e->key]) : "",
                          e->key >= 0 ? vmc_label(A, " '%s'", d->strips[e->key].name) : "",
                          a->moving ? ", automated" : "", st->channels);
    op->readout = vmc_label(A, "dyn %s '%s' %s", vmc_kind_name(st), st->name, noun);
    return DS_OK;
}

/* The clips of track s sorted by start (ties in the order written) into
 * a->clips; *widest gets the most channels of any clip's file. */
static ds_result clip_list(compiler *c, int s, op_clips_args *a, int *widest, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_strip_desc *st = &c->d->strips[s];
    indexed_clip *tmp = calloc((size_t)st->nclips, sizeof *tmp);
    CHECK(tmp);
    ds_result r = DS_OK;
    *widest = 1;
    for (int k = 0; r == DS_OK && k < st->nclips; k++) {
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
            if (!(oc->gain_lane = vmc_build_lane(p, &cd->gain, 1, what, err))) {
                r = DS_ERR_ARG;
                break;
            }
        }
        oc->fade_in = cd->fade_in;
        oc->fade_out = cd->fade_out;
        oc->fade_in_curve = cd->fade_in_curve;
        oc->fade_out_curve = cd->fade_out_curve;
        oc->channel = cd->channel;
        int map[VM_MAX_CHANNELS];
        int *m = NULL;
        if (vmc_clip_channel_map(st, cd, map) == 1) {
            for (int t = 0; t < st->channels; t++)
                if (map[t] != t && !m) {
                    if (!(m = vm_arena_alloc(A, (size_t)st->channels * sizeof *m))) {
                        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
                        break;
                    }
                    memcpy(m, map, (size_t)st->channels * sizeof *m);
                }
        }
        oc->channel_map = m;
        oc->file_channels = cd->info.channels;
        oc->file_rate = cd->info.rate;
        oc->file_frames = cd->info.frames;
        if (cd->info.channels > *widest)
            *widest = cd->info.channels;
        if (!oc->path)
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    if (r == DS_OK) {
        qsort(tmp, (size_t)st->nclips, sizeof *tmp, cmp_indexed);
        a->clips = vm_arena_alloc(A, (size_t)st->nclips * sizeof *a->clips);
        if (!a->clips)
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
        for (int k = 0; a->clips && k < st->nclips; k++)
            a->clips[k] = tmp[k].clip;
    }
    free(tmp);
    return r;
}

/* A track's clip player, its fader folded into the clips' gains unless the
 * fader comes after its inserts. */
static ds_result emit_clips(compiler *c, const aop *o, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[o->strip];
    int max_block = c->max_block;
    op_clips_args *a = vm_arena_alloc(A, sizeof *a);
    CHECK(a);
    a->track = vm_arena_strdup(A, st->name);
    a->nclips = st->nclips;
    int widest;
    ds_result r = clip_list(c, o->strip, a, &widest, err);
    if (r != DS_OK)
        return r;
    a->maxactive = max_overlap(a->clips, a->nclips);
    CHECK(a->maxactive >= 0);
    a->active = vm_arena_alloc(A, (size_t)a->maxactive * sizeof *a->active);
    a->readers = vm_arena_alloc(A, (size_t)a->maxactive * sizeof *a->readers);
    /* a block's pieces: one a clip at most, and at least a frame each of
     * the at most maxactive x max_block frames the clips cover in it */
    int64_t cover = (int64_t)(a->maxactive > 0 ? a->maxactive : 1) * max_block;
    a->maxpieces = (int)(a->nclips < cover ? a->nclips : cover);
    for (int k = 0; k < 2; k++) {
        op_clip_read *rd = &a->reads[k];
        rd->frames = vm_arena_alloc(A, (size_t)cover * (size_t)widest * sizeof(float));
        rd->pieces = vm_arena_alloc(A, (size_t)(a->maxpieces > 0 ? a->maxpieces : 1) * sizeof *rd->pieces);
        rd->err = vm_arena_alloc(A, DS_ERR_LEN);
        CHECK(rd->frames && rd->pieces && rd->err);
    }
    a->env = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
    a->fader_buf = vm_arena_alloc(A, (size_t)max_block * sizeof(float));
    CHECK(a->active && a->readers && a->env && a->fader_buf && a->track);
    a->lane_db = vm_arena_alloc(A, (size_t)max_block * sizeof *a->lane_db);
    CHECK(a->lane_db);
    int after = vmc_fader_after(d, o->strip);
    if (after) { /* the fader comes after the inserts: clips at unity */
        a->fader = vmc_new_param(A, "unity", PARAM_GAIN, 1, max_block);
        CHECK(a->fader);
        vmc_schedule_param(p, (plan_param *)a->fader, 0);
    } else {
        LANE(a->fader = vmc_strip_gain_param(p, c, o->strip, err)); /* the fader's evaluator goes first */
    }
    plan_op *op = new_op(p);
    a->out = c->chans[o->strip];
    a->nch = st->channels;
    op->cls = &op_clips_class;
    op->args = a;
    const char *n_s = st->nclips == 1 ? "" : "s";
    if (after)
        op->label = vmc_label(A, "clips  track '%s' (%d ch, %d clip%s, up to %d at once; fader after the inserts)",
                              st->name, st->channels, st->nclips, n_s, a->maxactive);
    else if (a->fader->is_static)
        op->label = vmc_label(A, "clips  track '%s' (%d ch, %d clip%s, up to %d at once, fader %+.2f dB)", st->name,
                              st->channels, st->nclips, n_s, a->maxactive, 20 * log10(a->fader->gain[0]));
    else
        op->label = vmc_label(A, "clips  track '%s' (%d ch, %d clip%s, up to %d at once, fader automated)", st->name,
                              st->channels, st->nclips, n_s, a->maxactive);
    return DS_OK;
}

/* The reverb's speakers on a strip of layout l (vm/layout.h): a layout's
 * left speakers L, Ls (Lss), Lrs in the left half's slots 0, 1, 2, the
 * right ones likewise, a centre 6 dB down (the whole of a mono strip),
 * nothing for an LFE; plain channels alternate left and right, two to a
 * slot, no centre and no LFE among them. */
static void reverb_speakers(vm_layout l, int channels, dsp_reverb_speaker *sp)
{
    for (int ch = 0; ch < channels && ch < DSP_REVERB_MAX_CHANNELS; ch++) {
        dsp_reverb_speaker v = {ch % 2 ? DSP_REVERB_RIGHT : DSP_REVERB_LEFT, ch / 2, 1};
        switch (vm_layout_speaker(l, ch)) {
        case VM_SPEAKER_L: v = (dsp_reverb_speaker){DSP_REVERB_LEFT, 0, 1}; break;
        case VM_SPEAKER_R: v = (dsp_reverb_speaker){DSP_REVERB_RIGHT, 0, 1}; break;
        case VM_SPEAKER_LS: v = (dsp_reverb_speaker){DSP_REVERB_LEFT, 1, 1}; break;
        case VM_SPEAKER_RS: v = (dsp_reverb_speaker){DSP_REVERB_RIGHT, 1, 1}; break;
        case VM_SPEAKER_LRS: v = (dsp_reverb_speaker){DSP_REVERB_LEFT, 2, 1}; break;
        case VM_SPEAKER_RRS: v = (dsp_reverb_speaker){DSP_REVERB_RIGHT, 2, 1}; break;
        case VM_SPEAKER_C: v = (dsp_reverb_speaker){DSP_REVERB_CENTRE, 0, channels == 1 ? 1 : 0.5}; break;
        case VM_SPEAKER_LFE: v = (dsp_reverb_speaker){DSP_REVERB_SKIP, 0, 0}; break;
        case VM_SPEAKER_NONE: break;
        }
        sp[ch] = v;
    }
}

/* A reverb: its lines in the arena, its speakers from the strip's layout,
 * a lane per setting when any moves. */
static ds_result emit_reverb(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e,
                             plan_op *op, void *args, char *err)
{
    vm_arena *A = &c->p->arena;
    double rate = c->d->tb.rate;
    op_reverb_args *a = args;
    vm_layout layout = vm_layout_resolve(st->layout, st->channels);
    dsp_reverb_shape shape = {.channels = st->channels, .size_m = e->reverb_size_m,
                              .predelay_s = e->reverb_predelay_s};
    reverb_speakers(layout, st->channels, shape.speakers);
    dsp_reverb_params q = {.rt60_s = e->reverb[VM_REVERB_RT60], .damping = e->reverb[VM_REVERB_DAMPING],
                           .damping_hz = e->reverb[VM_REVERB_DAMPING_FREQ], .width = e->reverb[VM_REVERB_WIDTH],
                           .mix = e->reverb[VM_REVERB_MIX] / 100};
    void *mem = vm_arena_alloc(A, dsp_reverb_heap_size(rate, &shape));
    CHECK(mem);
    dsp_reverb_init(&a->state, mem, rate, &shape, &q);
    LANE(insert_moving_lanes(c, o, &a->moving, a->lanes, VM_REVERB_NPARAMS, err) == DS_OK);
    if (a->moving) /* the settings it starts with */
        op_reverb_design(a, 0);
    a->io = c->chans[o->strip];
    char speakers[96];
    vm_layout_describe(layout, st->channels, speakers, sizeof speakers);
    op->label = vmc_label(A, "reverb %s '%s' rt60 %.2f s, size %g m, pre-delay %.0f ms, damping %.2f above %.0f Hz, "
                          "width %.2f, mix %.0f %%%s (%s)", vmc_kind_name(st), st->name, q.rt60_s, e->reverb_size_m,
                          e->reverb_predelay_s * 1000, q.damping, q.damping_hz, q.width, e->reverb[VM_REVERB_MIX],
                          a->moving ? ", automated" : "", speakers);
    return DS_OK;
}

/* Each insert kind's op: its class, the size of its args, and the emitter
 * that fills them, given the insert (e) on its strip (st), the op and its
 * args, zeroed in the arena. A kind not listed is an EQ. */
static const struct {
    const plan_op_class *cls;
    size_t args_size;
    ds_result (*emit)(compiler *c, const aop *o, const vm_strip_desc *st, const vm_insert_desc *e, plan_op *op,
                      void *args, char *err);
} insert_ops[] = {
    [VM_INSERT_EQ] = {&op_eq_class, sizeof(op_eq_args), emit_eq},
    [VM_INSERT_DYNAMICS] = {&op_dyn_class, sizeof(op_dyn_args), emit_dyn},
    [VM_INSERT_LIMITER] = {&op_limiter_class, sizeof(op_limiter_args), emit_limiter},
    [VM_INSERT_TRANSIENT] = {&op_transient_class, sizeof(op_transient_args), emit_transient},
    [VM_INSERT_DUCK] = {&op_duck_class, sizeof(op_duck_args), emit_duck},
    [VM_INSERT_DELAY] = {&op_delay_insert_class, sizeof(op_delay_insert_args), emit_delay_insert},
    [VM_INSERT_WIDTH] = {&op_width_class, sizeof(op_width_args), emit_width},
    [VM_INSERT_MS] = {&op_ms_class, sizeof(op_ms_args), emit_ms},
    [VM_INSERT_POLARITY] = {&op_chmap_class, sizeof(op_chmap_args), emit_chmap},
    [VM_INSERT_CHANNEL_MAP] = {&op_chmap_class, sizeof(op_chmap_args), emit_chmap},
    [VM_INSERT_CONVOLVE] = {&op_convolve_class, sizeof(op_convolve_args), emit_convolve},
    [VM_INSERT_REVERB] = {&op_reverb_class, sizeof(op_reverb_args), emit_reverb},
    [VM_INSERT_SATURATE] = {&op_saturate_class, sizeof(op_saturate_args), emit_saturate},
    [VM_INSERT_BITCRUSH] = {&op_bitcrush_class, sizeof(op_bitcrush_args), emit_bitcrush},
};

static ds_result emit_insert(compiler *c, const aop *o, char *err)
{
    const vm_strip_desc *st = &c->d->strips[o->strip];
    const vm_insert_desc *e = &st->inserts[o->dst];
    size_t k = (size_t)e->kind;
    if (k >= sizeof insert_ops / sizeof insert_ops[0] || !insert_ops[k].emit)
        k = VM_INSERT_EQ;
    plan_op *op;
    void *args = new_op_args(c->p, &op, insert_ops[k].cls, insert_ops[k].args_size);
    CHECK(args);
    CHECK(op->where = vmc_label(&c->p->arena, "%s", e->where));
    return insert_ops[k].emit(c, o, st, e, op, args, err);
}

ds_result vmc_emit_op(compiler *c, const aop *o, char *err)
{
    switch (o->kind) {
    case A_CLEAR:
        return emit_clear(c, o, err);
    case A_GAIN:
        return emit_gain(c, o, err);
    case A_DELAY:
        return emit_delay(c, o, err);
    case A_DELAY_SUM:
        return emit_delay_sum(c, o, err);
    case A_MIX:
        return emit_mix(c, o, err);
    case A_BANDDUCK:
        return emit_bandduck(c, o, err);
    case A_EQ_BATCH:
        return emit_eq_batch(c, o, err);
    case A_INSERT:
        return emit_insert(c, o, err);
    case A_CLIPS:
        return emit_clips(c, o, err);
    }
    return ds_fail(err, DS_ERR_GRAPH, "unknown step kind %d", (int)o->kind);
}
