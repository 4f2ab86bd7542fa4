/* ops.c - the run functions of the plan's ops. Each is a plain loop over
 * the block; gains are per-sample functions of the absolute session position,
 * so the output does not depend on where blocks begin. */
#include "vm/ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dsp/memory.h"
#include "dsp/mix.h"
#include "dsp/fastmath.h"
#include "dsp/pan.h"
#include "vm/feed.h"
#include "vm/insert_params.h"

/* a moving param's cell sizes */
#define PARAM_CELL_MIN 32
#define PARAM_CELL_MAX 1024

void op_eq_design(op_eq_args *a, int64_t n)
{
    double f = vm_lane_value(a->freq, n), g = vm_lane_value(a->gain, n), q = vm_lane_value(a->q, n);
    if (a->order == 2) {
        dsp_biquad_coefs c;
        dsp_biquad_design(&c, a->type, a->rate, f, q, g);
        dsp_biquad_multi_set(a->multi, &c);
    } else {
        for (int ch = 0; ch < a->nch; ch++)
            dsp_butter_design(&a->butter[ch], a->type, a->order, a->rate, f);
    }
    a->knot = n;
}

static void eq_run(op_eq_args *a, int off, int n)
{
    if (a->order == 2) {
        float *chans[DSP_BIQUAD_MULTI_MAX]; /* vm_compile refuses more (compile_validate.c) */
        int nch = a->nch < DSP_BIQUAD_MULTI_MAX ? a->nch : DSP_BIQUAD_MULTI_MAX;
        for (int ch = 0; ch < nch; ch++)
            chans[ch] = a->chans[ch] + off;
        dsp_biquad_multi_process(a->multi, chans, nch, n);
    } else {
        for (int ch = 0; ch < a->nch; ch++)
            dsp_butter_process(&a->butter[ch], a->chans[ch] + off, a->chans[ch] + off, n);
    }
}

/* The knots around session sample s of settings that follow lanes[0..nl):
 * [*k0, *k1) holds s, and no knot lies inside it. A knot is a move's start
 * or end in any lane, or, while one moves, a multiple of grid_samples (a
 * power of two, the same all through the moves that hold s). Only sample
 * numbers decide, never where a block starts. */
static int knots_on(vm_lane *const *lanes, int nl, int64_t s, int64_t grid_samples, int64_t *k0, int64_t *k1)
{
    int moving = 0;
    *k0 = INT64_MIN, *k1 = INT64_MAX;
    for (int l = 0; l < nl; l++) {
        int64_t st, en;
        int mv;
        vm_lane_span(lanes[l], s, &st, &en, &mv);
        moving |= mv;
        *k0 = st > *k0 ? st : *k0;
        *k1 = en < *k1 ? en : *k1;
    }
    if (moving) {
        int64_t grid = s & ~(grid_samples - 1); /* the knot at or before s (a power of two) */
        *k0 = grid > *k0 ? grid : *k0;
        *k1 = grid + grid_samples < *k1 ? grid + grid_samples : *k1;
    }
    return moving;
}

/* knots_on the control grid, every PLAN_PARAM_GRID samples */
static int knots(vm_lane *const *lanes, int nl, int64_t s, int64_t *k0, int64_t *k1)
{
    return knots_on(lanes, nl, s, PLAN_PARAM_GRID, k0, k1);
}

/* A moving op's block [pos, pos + n) in stretches between the knots of
 * lanes[0..nl): where a stretch's knot is not *knot (the one its settings
 * belong to), design(args, knot) sets them (and *knot); run(args, off, len)
 * then works on the stretch's part of the block, off samples in. */
static void by_knots(vm_lane *const *lanes, int nl, const int64_t *knot, void *args, int64_t pos, int n,
                     void (*design)(void *args, int64_t knot), void (*run)(void *args, int off, int len))
{
    int64_t s = pos, end = pos + n;
    while (s < end) {
        int64_t k0, k1;
        knots(lanes, nl, s, &k0, &k1);
        if (k0 != *knot)
            design(args, k0);
        int64_t stop = k1 < end ? k1 : end;
        run(args, (int)(s - pos), (int)(stop - s));
        s = stop;
    }
}

static void eq_design(void *args, int64_t knot) { op_eq_design(args, knot); }
static void eq_stretch(void *args, int off, int len) { eq_run(args, off, len); }

static void op_eq(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_eq_args *a = args;
    if (a->fused)
        return;
    if (a->sum) {
        dsp_biquad_multi *second = a->then ? a->then->multi : NULL;
        const float *frames[DSP_BIQUAD_SUM_LANES];
        int ntracks = a->clips ? a->nch / a->clips_fc : 0, all = ntracks > 0;
        for (int t = 0; t < ntracks; t++)
            all &= (frames[t] = a->clips[t]->frames_out) != NULL;
        if (all) {
            dsp_biquad_multi_process_sum_frames(a->multi, second, a->chans, frames, a->clips_fc, a->nch, n, a->sum);
            return;
        }
        for (int t = 0; t < ntracks; t++) /* the players that left their frames: their buffers set as they would */
            if (frames[t])
                dsp_mix_set_frames(a->chans + a->clips_fc * t, frames[t], a->clips_fc, 1.0f, n);
        dsp_biquad_multi_process_sum(a->multi, second, a->chans, a->nch, n, a->sum);
        return;
    }
    if (a->then) {
        dsp_biquad_multi_process2(a->multi, a->then->multi, a->chans, a->nch, n);
        return;
    }
    if (!a->moving) {
        eq_run(a, 0, n);
        return;
    }
    /* coefficients from the values at each knot, held until the next */
    vm_lane *lanes[3] = {a->freq, a->gain, a->q};
    by_knots(lanes, 3, &a->knot, a, pos, n, eq_design, eq_stretch);
}

int op_eq_fuse(plan_op *first, plan_op *second)
{
    if (first->cls != &op_eq_class || second->cls != &op_eq_class)
        return 0;
    op_eq_args *a = first->args, *b = second->args;
    if (a->fused || a->then || a->moving || b->moving || a->order != 2 || b->order != 2 || a->nch != b->nch)
        return 0;
    for (int ch = 0; ch < a->nch; ch++)
        if (a->chans[ch] != b->chans[ch])
            return 0;
    a->then = b;
    b->fused = 1;
    return 1;
}

/* A delay of len samples through a ring of len: out[0..n) the ring's
 * samples from at on, in[0..n) written in their place, in runs that do not
 * wrap (two copies each, no test per sample). Returns the next position. */
static int ring_delay(const float *in, float *out, float *ring, int len, int at, int n)
{
    for (int k = 0; k < n;) {
        int run = n - k < len - at ? n - k : len - at;
        memcpy(out + k, ring + at, (size_t)run * sizeof *out);
        memcpy(ring + at, in + k, (size_t)run * sizeof *ring);
        k += run;
        at = at + run == len ? 0 : at + run;
    }
    return at;
}

/* Delays a key by `delay` samples into late[] (a ring per channel), to
 * meet audio that a look-ahead made late; returns late. */
static float **key_align(float **key, int nkey, int delay, int *ring_pos, float **ring, float **late, int n)
{
    int at = *ring_pos;
    for (int ch = 0; ch < nkey; ch++)
        at = ring_delay(key[ch], late[ch], ring[ch], delay, *ring_pos, n);
    *ring_pos = at;
    return late;
}

static void op_duck(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_duck_args *a = args;
    float **key = a->key;
    if (a->key_delay)
        key = key_align(a->key, a->nkey, a->key_delay, &a->ring_pos, a->key_ring, a->key_late, n);
    dsp_ducker_process(&a->state, (const float *const *)key, a->nkey, a->io, pos - a->at, n, a->gain);
    if (!a->split)
        return;
    for (int ch = 0; ch < a->nch; ch++) { /* the delayed audio, its middle band times the gain */
        float *x = a->io[ch];
        dsp_xover3_process(&a->split[ch], x, a->low, a->mid, a->high, n);
        for (int k = 0; k < n; k++)
            x[k] = a->low[k] + a->high[k];
        dsp_mix_add_mul(x, a->mid, a->gain, n);
    }
}

void op_dyn_design(op_dyn_args *a, int64_t n)
{
    dsp_dyn_params q = a->state.p; /* the fixed settings as compiled */
    for (int k = 0; k < VM_DYN_NPARAMS; k++)
        *vm_dyn_param_field(&q, (vm_dyn_param)k) = vm_lane_value(a->lanes[k], n);
    dsp_dyn_set(&a->state, &q);
    a->knot = n;
}

/* The kernel over samples [off, off + n) of the block, keyed by a->run_key
 * (NULL: the audio keys itself). */
static void dyn_run(void *args, int off, int n)
{
    op_dyn_args *a = args;
    float **key = a->run_key;
    const float *k[DSP_DYN_MAX_CHANNELS];
    float *io[DSP_DYN_MAX_CHANNELS];
    int nkey = a->nkey < DSP_DYN_MAX_CHANNELS ? a->nkey : DSP_DYN_MAX_CHANNELS;
    int nch = a->nch < DSP_DYN_MAX_CHANNELS ? a->nch : DSP_DYN_MAX_CHANNELS;
    for (int ch = 0; key && ch < nkey; ch++)
        k[ch] = key[ch] + off;
    for (int ch = 0; ch < nch; ch++)
        io[ch] = a->io[ch] + off;
    dsp_dyn_process(&a->state, key ? k : NULL, nkey, io, nch, n);
}

static void dyn_design(void *args, int64_t knot) { op_dyn_design(args, knot); }

static void op_dyn(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_dyn_args *a = args;
    float **src = a->key;
    if (a->key_delay) /* align the key with audio that a look-ahead made late */
        src = key_align(a->key, a->nkey, a->key_delay, &a->ring_pos, a->key_ring, a->key_late, n);
    if (a->filtered) {
        if (!src)
            src = a->io;
        for (int ch = 0; ch < a->nkey; ch++) {
            dsp_butter_process(&a->key_hp[ch], src[ch], a->key_buf[ch], n);
            dsp_butter_process(&a->key_lp[ch], a->key_buf[ch], a->key_buf[ch], n);
        }
        src = a->key_buf;
    }
    if (!a->moving) {
        dsp_dyn_process(&a->state, (const float *const *)src, a->nkey, a->io, a->nch, n);
        return;
    }
    /* settings from the values at each knot, held until the next */
    a->run_key = src;
    by_knots(a->lanes, VM_DYN_NPARAMS, &a->knot, a, pos, n, dyn_design, dyn_run);
}

void op_limiter_design(op_limiter_args *a, int64_t n)
{
    dsp_limiter_params q = {.ceiling_dbtp = vm_lane_value(a->lanes[VM_LIM_CEILING], n),
                            .lookahead_s = 0, /* ignored by set */
                            .release_s = vm_lane_value(a->lanes[VM_LIM_RELEASE], n)};
    dsp_limiter_set(&a->state, &q);
    a->knot = n;
}

static void limiter_design(void *args, int64_t knot) { op_limiter_design(args, knot); }

static void limiter_stretch(void *args, int off, int len)
{
    op_limiter_args *a = args;
    for (int ch = 0; ch < a->state.channels; ch++)
        a->seg[ch] = a->io[ch] + off;
    dsp_limiter_process(&a->state, a->seg, len);
}

static void op_limiter(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_limiter_args *a = args;
    if (!a->moving) {
        dsp_limiter_process(&a->state, a->io, n);
        return;
    }
    /* settings from the values at each knot, held until the next */
    by_knots(a->lanes, VM_INSERT_NSETP, &a->knot, a, pos, n, limiter_design, limiter_stretch);
}

/* ---- in-place inserts with moving settings (op_inplace, ops.h) ---- */

static void inplace_design(void *args, int64_t knot)
{
    op_inplace *r = args;
    r->design(args, knot);
    r->knot = knot;
}

static void inplace_stretch(void *args, int off, int len)
{
    op_inplace *r = args;
    float *seg[VM_MAX_CHANNELS]; /* a strip has at most this many (compile_validate.c) */
    int nch = r->nch < VM_MAX_CHANNELS ? r->nch : VM_MAX_CHANNELS;
    for (int ch = 0; ch < nch; ch++)
        seg[ch] = r->io[ch] + off;
    r->process(args, seg, nch, r->block_pos + off, len);
}

/* The run of every in-place insert: the whole block at once, or, when its
 * settings move, the stretches between knots, each with the values at its
 * knot (held until the next) */
static void op_inplace_run(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_inplace *r = args;
    if (!r->moving) {
        r->process(args, r->io, r->nch, pos, n);
        return;
    }
    r->block_pos = pos;
    by_knots(r->lanes, VM_INSERT_NSETP, &r->knot, args, pos, n, inplace_design, inplace_stretch);
}

void op_inplace_start(op_inplace *r)
{
    if (r->moving)
        inplace_design(r, 0);
}

void op_transient_process(void *args, float *const *io, int nch, int64_t pos, int n)
{
    (void)pos;
    dsp_transient_process(&((op_transient_args *)args)->state, io, nch, n);
}

void op_transient_design(void *args, int64_t knot)
{
    op_transient_args *a = args;
    dsp_transient_set(&a->state, vm_lane_value(a->run.lanes[VM_TRANSIENT_ATTACK], knot),
                      vm_lane_value(a->run.lanes[VM_TRANSIENT_SUSTAIN], knot));
}

void op_saturate_process(void *args, float *const *io, int nch, int64_t pos, int n)
{
    (void)pos;
    dsp_saturate_process(&((op_saturate_args *)args)->state, io, nch, n);
}

void op_saturate_design(void *args, int64_t knot)
{
    op_saturate_args *a = args;
    dsp_saturate_set(&a->state, vm_lane_value(a->run.lanes[VM_SATURATE_CLIP], knot),
                     vm_lane_value(a->run.lanes[VM_SATURATE_MIX], knot));
}

static void saturate_reset(void *args)
{
    op_inplace_start(args);
}

void op_bitcrush_process(void *args, float *const *io, int nch, int64_t pos, int n)
{
    dsp_bitcrush *s = &((op_bitcrush_args *)args)->state;
    dsp_bitcrush_locate(s, pos); /* the session's grid, wherever the render started */
    dsp_bitcrush_process(s, io, nch, n);
}

void op_bitcrush_design(void *args, int64_t knot)
{
    op_bitcrush_args *a = args;
    dsp_bitcrush_set(&a->state, a->fs, vm_lane_value(a->run.lanes[VM_BITCRUSH_BITS], knot),
                     vm_lane_value(a->run.lanes[VM_BITCRUSH_RATE], knot));
}

static void bitcrush_reset(void *args)
{
    op_inplace_start(args);
    dsp_bitcrush_reset(&((op_bitcrush_args *)args)->state);
}

static void bitcrush_copy_state(void *dst, const void *src)
{
    dsp_bitcrush_copy_state(&((op_bitcrush_args *)dst)->state, &((const op_bitcrush_args *)src)->state);
}

void op_reverb_design(op_reverb_args *a, int64_t n)
{
    dsp_reverb_params q = {
        .rt60_s = vm_lane_value(a->lanes[VM_REVERB_RT60], n),
        .damping = vm_lane_value(a->lanes[VM_REVERB_DAMPING], n),
        .damping_hz = vm_lane_value(a->lanes[VM_REVERB_DAMPING_FREQ], n),
        .width = vm_lane_value(a->lanes[VM_REVERB_WIDTH], n),
        .mix = vm_lane_value(a->lanes[VM_REVERB_MIX], n) / 100,
    };
    dsp_reverb_set(&a->state, &q);
    a->knot = n;
}

static void reverb_design(void *args, int64_t knot) { op_reverb_design(args, knot); }

static void reverb_stretch(void *args, int off, int len)
{
    op_reverb_args *a = args;
    float *io[DSP_REVERB_MAX_CHANNELS]; /* the kernel's channels, which vm_compile bounds (compile_validate.c) */
    for (int ch = 0; ch < a->state.nch; ch++)
        io[ch] = a->io[ch] + off;
    dsp_reverb_process(&a->state, io, len);
}

static void op_reverb(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_reverb_args *a = args;
    if (!a->moving) {
        dsp_reverb_process(&a->state, a->io, n);
        return;
    }
    by_knots(a->lanes, VM_REVERB_NPARAMS, &a->knot, a, pos, n, reverb_design, reverb_stretch);
}

/* The kernel's settings from the lanes' values at session sample n. */
static dsp_delay_params delay_values(const op_delay_insert_args *a, int64_t n)
{
    return (dsp_delay_params){
        .delay = dsp_delay_samples(vm_lane_value(a->lanes[VM_DELAY_TIME], n), a->rate),
        .feedback = vm_lane_value(a->lanes[VM_DELAY_FEEDBACK], n) / 100,
        .mix = vm_lane_value(a->lanes[VM_DELAY_MIX], n) / 100,
        .lowpass_hz = vm_lane_value(a->lanes[VM_DELAY_LOWPASS], n),
        .highpass_hz = vm_lane_value(a->lanes[VM_DELAY_HIGHPASS], n),
    };
}

void op_delay_insert_design(op_delay_insert_args *a, int64_t n)
{
    int64_t k0, k1;
    knots(a->lanes, VM_DELAY_NPARAMS, n, &k0, &k1);
    /* n is the stretch's knot k0 (by_knots), or sample 0 (a reset); the
     * line starts at the next sample processed, which is k0 except when
     * playback starts inside a stretch (live, from a position): there the
     * first line runs late by less than a stretch */
    dsp_delay_params at = delay_values(a, n);
    /* a stretch of the grid: a straight line to the values at its last
     * sample (longer stretches hold: nothing moves there; before the first
     * event k0 is INT64_MIN, and k1 - k0 would overflow) */
    if (k0 != INT64_MIN && k1 != INT64_MAX && k1 - k0 <= PLAN_PARAM_GRID && k1 - 1 > n) {
        dsp_delay_params next = delay_values(a, k1 - 1);
        dsp_delay_set(&a->state, &at, &next, (int)(k1 - 1 - n));
    } else {
        dsp_delay_set(&a->state, &at, NULL, 0);
    }
    a->knot = k0;
}

static void delay_insert_design(void *args, int64_t knot) { op_delay_insert_design(args, knot); }

static void delay_insert_stretch(void *args, int off, int len)
{
    op_delay_insert_args *a = args;
    float *io[DSP_DELAY_MAX_CHANNELS]; /* vm_compile refuses more (compile_validate.c) */
    int nch = a->nch < DSP_DELAY_MAX_CHANNELS ? a->nch : DSP_DELAY_MAX_CHANNELS;
    for (int ch = 0; ch < nch; ch++)
        io[ch] = a->io[ch] + off;
    dsp_delay_process(&a->state, io, len);
}

static void op_delay_insert(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_delay_insert_args *a = args;
    if (!a->moving) {
        dsp_delay_process(&a->state, a->io, n);
        return;
    }
    by_knots(a->lanes, VM_DELAY_NPARAMS, &a->knot, a, pos, n, delay_insert_design, delay_insert_stretch);
}

void op_width_design(op_width_args *a, int64_t n)
{
    int64_t k0, k1;
    /* a moving stretch (one of the grid, so k0 and k1 are finite): a line
     * from the values at its first sample to those at its last; a hold: its
     * one value, read at n */
    int moving = knots(a->lanes, VM_WIDTH_NPARAMS, n, &k0, &k1);
    int64_t t0 = moving ? k0 : n, t1 = moving ? k1 - 1 : n;
    double g[2][2];
    for (int i = 0; i < 2; i++) {
        int64_t t = i ? t1 : t0;
        dsp_width_gains(vm_lane_value(a->lanes[VM_WIDTH_WIDTH], t), vm_lane_value(a->lanes[VM_WIDTH_MID], t),
                        vm_lane_value(a->lanes[VM_WIDTH_SIDE], t), &g[i][0], &g[i][1]);
    }
    a->knot = k0;
    a->t0 = t0;
    a->mid = (float)g[0][0], a->side = (float)g[0][1];
    a->mid_step = t1 > t0 ? (float)((g[1][0] - g[0][0]) / (double)(t1 - t0)) : 0.0f;
    a->side_step = t1 > t0 ? (float)((g[1][1] - g[0][1]) / (double)(t1 - t0)) : 0.0f;
}

static void width_design(void *args, int64_t knot) { op_width_design(args, knot); }

static void width_stretch(void *args, int off, int len)
{
    op_width_args *a = args;
    /* where the stretch's part of the block starts on its line (a hold has
     * no steps: its place does not matter) */
    int j0 = a->mid_step != 0.0f || a->side_step != 0.0f ? (int)(a->pos + off - a->t0) : 0;
    dsp_width_process(a->io[0] + off, a->io[1] + off, len, a->mid, a->side, a->mid_step, a->side_step, j0);
}

static void op_width(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_width_args *a = args;
    if (!a->moving) {
        dsp_width_process(a->io[0], a->io[1], n, a->mid, a->side, 0, 0, 0);
        return;
    }
    a->pos = pos;
    by_knots(a->lanes, VM_WIDTH_NPARAMS, &a->knot, a, pos, n, width_design, width_stretch);
}

static void op_ms(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_ms_args *a = args;
    if (a->decode)
        dsp_ms_decode(a->io[0], a->io[1], n);
    else
        dsp_ms_encode(a->io[0], a->io[1], n);
}

static void op_chmap(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_chmap_args *a = args;
    dsp_chmap_process(&a->map, a->io, a->scratch, n);
}

static void op_convolve(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_convolve_args *a = args;
    int late = dsp_convolver_latency(&a->state);
    dsp_convolver_process(&a->state, (const float *const *)a->io, a->wet, n);
    if (a->moving) { /* the values at the output's session time */
        vm_lane_fill(a->lanes[VM_CONV_MIX], pos - late, n, a->mix);
        vm_lane_fill_gain(a->lanes[VM_CONV_GAIN], pos - late, n, a->gain);
    }
    int at = a->dry_pos;
    for (int ch = 0; ch < a->nch; ch++) {
        float *x = a->io[ch], *ring = a->dry[ch];
        const float *w = a->wet[ch];
        at = a->dry_pos;
        for (int k = 0; k < n; k++) {
            float d = ring[at];
            ring[at] = x[k];
            if (++at == late)
                at = 0;
            if (a->moving) {
                double m = a->mix[k] / 100;
                x[k] = (float)(1.0 - m) * d + (float)m * a->gain[k] * w[k];
            } else {
                x[k] = a->dry_coef * d + a->wet_coef * w[k];
            }
        }
    }
    a->dry_pos = at;
}

static void op_bandduck(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_bandduck_args *a = args;
    const plan_param *g = a->gain;
    for (int ch = 0; ch < a->nch; ch++) {
        float *x = a->io[ch];
        dsp_xover3_process(&a->split[ch], x, a->low, a->mid, a->high, n);
        for (int k = 0; k < n; k++)
            x[k] = a->low[k] + a->high[k];
        if (g->constant)
            dsp_mix_add_scaled(x, a->mid, g->gain[0], n);
        else
            dsp_mix_add_mul_lines(x, a->mid, g->lines, g->nlines, 0);
    }
}

/* ring_delay with in == out: io[0..n) delayed in place, each run
 * exchanged with the ring's samples from at on. */
static int ring_delay_in_place(float *io, float *ring, int len, int at, int n)
{
    for (int k = 0; k < n;) {
        int run = n - k < len - at ? n - k : len - at;
        dsp_mix_swap(io + k, ring + at, run);
        k += run;
        at = at + run == len ? 0 : at + run;
    }
    return at;
}

static void op_delay(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_delay_args *a = args;
    int at = a->pos;
    for (int ch = 0; ch < a->nch; ch++)
        at = a->src == a->out ? ring_delay_in_place(a->out[ch], a->ring[ch], a->delay, a->pos, n)
                              : ring_delay(a->src[ch], a->out[ch], a->ring[ch], a->delay, a->pos, n);
    a->pos = at;
}

static void op_clear(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_clear_args *a = args;
    for (int c = 0; !a->fused && c < a->nch; c++)
        dsp_mix_clear(a->chans[c], n);
}

/* The parameter's exact values at samples at[0..m), all inside one stretch
 * where no lane's event changes: the layers summed in dB (a silent layer
 * makes it silent), or the pan position. */
static void param_values(const plan_param *pp, const int64_t *at, int m, double *v)
{
    double x[2 * PLAN_PARAM_AHEAD + 1];
    unsigned char silent[2 * PLAN_PARAM_AHEAD + 1] = {0};
    for (int j = 0; j < m; j++)
        v[j] = 0;
    for (int l = 0; l < pp->nlanes; l++) {
        vm_lane *lane = pp->lanes[l];
        if (pp->kind == PARAM_GAIN && vm_lane_count(lane) == 0 && vm_lane_base(lane) == 0.0)
            continue; /* a 0 dB layer that never moves (a trim, a VCA at 0): adds exactly nothing */
        vm_lane_values_in_span(lane, at, m, x);
        for (int j = 0; j < m; j++) {
            silent[j] |= pp->kind == PARAM_GAIN && x[j] <= VM_LANE_DB_SILENCE;
            v[j] += x[j];
        }
    }
    if (pp->kind == PARAM_GAIN)
        for (int j = 0; j < m; j++)
            v[j] = silent[j] ? -1e300 : v[j];
}

/* Gains or pan coefficients of values (one formula for all:
 * dsp/fastmath.h's, the same bits whatever the batch) */
static void param_convert(const plan_param *pp, const double *v, float *g, float *g2, int n)
{
    if (pp->kind == PARAM_GAIN)
        dsp_db_to_gain(v, g, n, VM_LANE_DB_SILENCE);
    else if (pp->kind == PARAM_PAN_MONO)
        dsp_pan_mono_n(v, g, g2, n);
    else
        dsp_pan_balance_n(v, g, g2, n);
}

/* The piece through y[0] at its start, y[1] at `mid` samples in and y[2]
 * at `span` samples in (Newton's divided differences; a line when span is
 * 1, a hold when 0); its place in a block is set when a block takes it. */
static dsp_line piece(double span, double mid, const float *y)
{
    double y0 = y[0], ym = y[1], ys = y[2], slope = 0, curve = 0;
    if (mid > 0) {
        double d0 = (ym - y0) / mid, d1 = (ys - ym) / (span - mid);
        curve = (d1 - d0) / span;
        slope = d0 - mid * curve;
    } else if (span > 0) {
        slope = (ys - y0) / span;
    }
    return (dsp_line){0, 0, 0, y[0], (float)slope, (float)curve};
}

/* Finds the stretch around sample s where no lane's event changes: either
 * every layer holds (one value, kept) or something moves, cut into cells
 * of h samples counted from the session start, h a power of two from
 * PARAM_CELL_MIN to PARAM_CELL_MAX, at most a sixteenth of the fastest
 * move's time scale. */
static void param_stretch(plan_param *pp, int64_t s)
{
    int64_t a = INT64_MIN, b = INT64_MAX, h = PARAM_CELL_MAX;
    int moving = 0;
    for (int l = 0; l < pp->nlanes; l++) {
        int64_t st, en;
        int mv;
        if (vm_lane_count(pp->lanes[l]) == 0)
            continue; /* a layer without moves holds over the whole session */
        vm_lane_span(pp->lanes[l], s, &st, &en, &mv);
        moving |= mv;
        a = st > a ? st : a;
        b = en < b ? en : b;
        if (mv)
            for (int64_t scale = vm_lane_move_scale(pp->lanes[l], s); h > PARAM_CELL_MIN && h * 16 > scale;)
                h /= 2;
    }
    pp->span_start = a, pp->span_end = b, pp->span_cell = h, pp->span_moving = moving;
    pp->nahead = 0;
    if (!moving) {
        double v;
        pp->span_g2 = 0;
        param_values(pp, &s, 1, &v);
        param_convert(pp, &v, &pp->span_g, &pp->span_g2, 1);
    }
}

/* Evaluates the moving stretch's pieces from the cell holding sample s on,
 * up to PLAN_PARAM_AHEAD of them, into pp->ahead: piece j, a cell's part of
 * [a, b), is the quadratic through the exact values at its first sample,
 * its middle and its last (the next cell's first sample when the move runs
 * through it, so the pieces meet; else b - 1). */
static void param_ahead(plan_param *pp, int64_t s)
{
    int64_t a = pp->span_start, b = pp->span_end, h = pp->span_cell;
    int64_t pt[PLAN_PARAM_AHEAD + 1], at[2 * PLAN_PARAM_AHEAD + 1];
    double v[2 * PLAN_PARAM_AHEAD + 1];
    float g[2 * PLAN_PARAM_AHEAD + 1], g2[2 * PLAN_PARAM_AHEAD + 1];
    int64_t cell = s & ~(h - 1); /* h is a power of two */
    int m = 0;
    pt[0] = cell > a ? cell : a;
    for (int64_t k = cell + h; m + 1 < PLAN_PARAM_AHEAD && k < b; k += h)
        pt[++m] = k;
    m++; /* pieces */
    int64_t next = (pt[m - 1] & ~(h - 1)) + h; /* the last piece's cell end */
    int through = next < b;
    pt[m] = through ? next : b - 1; /* the last piece's last point */
    for (int j = 0; j < m; j++)
        at[2 * j] = pt[j], at[2 * j + 1] = pt[j] + (pt[j + 1] - pt[j]) / 2;
    at[2 * m] = pt[m];
    param_values(pp, at, 2 * m + 1, v);
    param_convert(pp, v, g, g2, 2 * m + 1);
    for (int j = 0; j < m; j++) {
        double span = (double)(pt[j + 1] - pt[j]), mid = (double)(at[2 * j + 1] - pt[j]);
        pp->ahead_at[j] = pt[j];
        pp->ahead[j] = piece(span, mid, g + 2 * j);
        if (pp->kind != PARAM_GAIN)
            pp->ahead2[j] = piece(span, mid, g2 + 2 * j);
    }
    pp->ahead_at[m] = through ? next : b;
    pp->nahead = m;
}

/* Appends a piece (and the right pan side's) to the block's list: in the
 * param's near arrays while they have room, then in its far ones. */
static inline void put_piece(plan_param *pp, int *nl, dsp_line l, dsp_line r)
{
    dsp_line *out = pp->near[0], *out2 = pp->near[1];
    if (*nl == PLAN_PARAM_NEAR) { /* moving on: the far arrays take the list */
        memcpy(pp->far, out, sizeof pp->near[0]);
        if (pp->far2)
            memcpy(pp->far2, out2, sizeof pp->near[1]);
    }
    if (*nl >= PLAN_PARAM_NEAR)
        out = pp->far, out2 = pp->far2;
    out[*nl] = l;
    if (pp->kind != PARAM_GAIN)
        out2[*nl] = r;
    (*nl)++;
}

/* Evaluates the block into pieces (pp->lines): a hold is one piece; a
 * moving stretch is one piece per cell of the control grid (param_stretch,
 * param_ahead). The knots depend only on absolute sample numbers, never on
 * the block. */
static void param_eval(plan_param *pp, int64_t pos, int n)
{
    int64_t end = pos + n, s = pos;
    int nl = 0;
    while (s < end) {
        if (s < pp->span_start || s >= pp->span_end)
            param_stretch(pp, s);
        int64_t b = pp->span_end;
        if (!pp->span_moving) {
            float g = pp->span_g, g2 = pp->span_g2;
            int64_t stop = b < end ? b : end;
            if (s == pos && stop == end) { /* the whole block holds: consumers read element 0 */
                pp->gain[0] = g;
                pp->gain2[0] = g2;
                pp->near[0][0] = (dsp_line){0, n, 0, g, 0.0f, 0.0f};
                pp->near[1][0] = (dsp_line){0, n, 0, g2, 0.0f, 0.0f};
                pp->lines = pp->near[0];
                pp->lines2 = pp->kind != PARAM_GAIN ? pp->near[1] : NULL;
                pp->nlines = 1;
                pp->constant = 1;
                return;
            }
            put_piece(pp, &nl, (dsp_line){(int)(s - pos), (int)(stop - s), 0, g, 0.0f, 0.0f},
                      (dsp_line){(int)(s - pos), (int)(stop - s), 0, g2, 0.0f, 0.0f});
            s = stop;
            continue;
        }
        if (!(pp->nahead > 0 && s >= pp->ahead_at[0] && s < pp->ahead_at[pp->nahead]))
            param_ahead(pp, s);
        int j = 0;
        while (pp->ahead_at[j + 1] <= s)
            j++;
        int64_t stop = pp->ahead_at[pp->nahead] < end ? pp->ahead_at[pp->nahead] : end;
        for (; s < stop; j++) { /* the pieces' samples in this block */
            int64_t p1 = pp->ahead_at[j + 1] < stop ? pp->ahead_at[j + 1] : stop;
            int off = (int)(s - pos), len = (int)(p1 - s), k0 = (int)(s - pp->ahead_at[j]);
            dsp_line l = pp->ahead[j], r = pp->ahead2[j];
            put_piece(pp, &nl, (dsp_line){off, len, k0, l.y, l.slope, l.curve},
                      (dsp_line){off, len, k0, r.y, r.slope, r.curve});
            s = p1;
        }
    }
    pp->lines = nl > PLAN_PARAM_NEAR ? pp->far : pp->near[0];
    pp->lines2 = pp->kind == PARAM_GAIN ? NULL : nl > PLAN_PARAM_NEAR ? pp->far2 : pp->near[1];
    pp->nlines = nl;
    pp->constant = 0;
}

void plan_param_init_static(plan_param *pp)
{
    param_eval(pp, 0, 1);
    pp->constant = 1;
    pp->is_static = 1;
}

static void op_param(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    param_eval(args, pos, n);
}

static void op_gain(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_gain_args *a = args;
    const plan_param *g = a->gain;
    for (int c = 0; c < a->nch; c++) {
        if (g->constant)
            dsp_mix_scale(a->chans[c], g->gain[0], n);
        else
            dsp_mix_mul_lines(a->chans[c], g->lines, g->nlines);
    }
}

static void op_mix(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_mix_args *a = args;
    for (int t = 0; !a->fused && t < a->nterms; t++)
        dsp_mix_add_scaled(a->dst[t], a->src[t], a->coef[t], n);
}

static void op_mix_gain(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_mix_gain_args *a = args;
    const plan_param *g = a->level;
    for (int t = 0; t < a->nterms; t++) {
        if (g->constant) {
            dsp_mix_add_scaled(a->dst[t], a->src[t], a->coef[t] * g->gain[0], n);
            continue;
        }
        dsp_mix_fill_lines(a->scratch, g->lines, g->nlines);
        for (int k = 0; k < n; k++)
            a->scratch[k] = a->coef[t] * a->scratch[k];
        dsp_mix_add_mul(a->dst[t], a->src[t], a->scratch, n);
    }
}

static void op_mix_pan(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_mix_pan_args *a = args;
    const plan_param *pan = a->pan;
    const float *s0 = a->src[0], *s1 = a->balance ? a->src[1] : a->src[0];
    if (a->scratch) { /* a send's level on top: per side, (pan * coef) * level */
        const plan_param *l = a->level;
        for (int side = 0; side < 2; side++) {
            float *g = a->scratch;
            if (pan->constant)
                dsp_mix_fill(g, side ? pan->gain2[0] : pan->gain[0], n);
            else
                dsp_mix_fill_lines(g, side ? pan->lines2 : pan->lines, pan->nlines);
            dsp_mix_scale(g, a->coef, n);
            if (l && l->constant)
                dsp_mix_scale(g, l->gain[0], n);
            else if (l)
                dsp_mix_mul_lines(g, l->lines, l->nlines);
            dsp_mix_add_mul(a->dst[side], side ? s1 : s0, g, n);
        }
        return;
    }
    if (pan->constant) {
        dsp_mix_add_scaled(a->dst[0], s0, pan->gain[0], n);
        dsp_mix_add_scaled(a->dst[1], s1, pan->gain2[0], n);
        return;
    }
    dsp_mix_add_mul_lines_pair(a->dst[0], a->dst[1], s0, s1, pan->lines, pan->lines2, pan->nlines);
}

/* A setting from values in lane order (the strip's pan, then
 * vm_surround_param order). */
static dsp_surround_pan_setting surround_setting(const double *v)
{
    dsp_surround_pan_setting set = {
        .x = v[0],
        .y = v[1 + VM_SURROUND_FR],
        .spread = v[1 + VM_SURROUND_SPREAD],
        .centre = v[1 + VM_SURROUND_CENTER],
        .lfe_db = v[1 + VM_SURROUND_LFE],
        .width = v[1 + VM_SURROUND_WIDTH],
    };
    return set;
}

/* The grid of a surround pan's knots while its moves hold sample s:
 * PLAN_PARAM_GRID, or, for a point source (a->coarse) whose x and width
 * move in straight lines (LINEAR ramps), the largest power of two up to
 * SURROUND_GRID_MAX for which x and width together move the source by at
 * most SURROUND_CELL_STEP between two knots. A gain of such a source is a
 * row's gain (fixed: y does not move) times the cos or sin of (pi / 2) t,
 * t = x's place between two speakers of the row (at least 1 apart, so t
 * changes at most as x does); a chord of cos or sin over an angle h stays
 * within h^2 / 8 of it, and (pi / 2 * 1.8e-3)^2 / 8 = 0.9993e-6: within
 * 1e-6 of the law wherever it is smooth. Where the source passes a speaker
 * (a corner of the gains: one gain's slope jumps by up to pi / 2 per unit
 * of x), a chord is within (pi / 2) h / 4 = 7.1e-4 of it, as a full sweep
 * of the room in 0.74 s is on the 32-sample grid. The moves' slopes hold
 * over their whole spans, so the grid depends on the sample alone. */
#define SURROUND_CELL_STEP 1.8e-3
#define SURROUND_GRID_MAX 1024
static int64_t surround_grid(const op_mix_surround_args *a, int64_t s)
{
    if (!a->coarse)
        return PLAN_PARAM_GRID;
    double per_sample = 0;
    if (a->moves[0])
        per_sample += vm_lane_move_slope(a->lanes[0], s);
    if (a->moves[1 + VM_SURROUND_WIDTH])
        per_sample += vm_lane_move_slope(a->lanes[1 + VM_SURROUND_WIDTH], s);
    int64_t grid = PLAN_PARAM_GRID;
    while (grid < SURROUND_GRID_MAX && per_sample * (double)(2 * grid) <= SURROUND_CELL_STEP)
        grid *= 2;
    return grid;
}

void op_mix_surround_design(op_mix_surround_args *a, int64_t n)
{
    double g0[2][DSP_SURROUND_PAN_MAX_SPEAKERS], g1[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
    double v0[OP_SURROUND_NLANES], v1[OP_SURROUND_NLANES];
    int64_t k0, k1;
    a->moving = knots_on(a->moving_lanes, a->nmoving, n, surround_grid(a, n), &k0, &k1);
    /* The stretch [k0, k1) that holds n. Moving (one of the grid, so k0
     * and k1 are finite): the gains at its knot k0 and a straight line
     * toward the gains at the next knot k1, where the moves running in it
     * arrive (vm_lane_value_toward: their value at k1 before anything new
     * starts there). The next stretch starts from the law at k1, the same
     * setting bit for bit unless a jump or a new move comes at k1, so its
     * first evaluation is the memo's (a->memo): one evaluation per knot.
     * Holding: the one setting, read at n. */
    int64_t t0 = a->moving ? k0 : n, t1 = a->moving ? k1 : n;
    for (int l = 0; l < OP_SURROUND_NLANES; l++) {
        if (a->moves[l])
            vm_lane_value_toward(a->lanes[l], t0, t1, &v0[l], &v1[l]);
        else
            v0[l] = v1[l] = a->held[l];
    }
    dsp_surround_pan_setting s0 = surround_setting(v0);
    int64_t span = t1 - t0;
    if (span > 0) {
        dsp_surround_pan_setting s1 = surround_setting(v1);
        dsp_surround_pan_remembered2(&a->speakers, &s0, &s1, a->nsrc, &a->memo, g0, g1);
    } else {
        dsp_surround_pan_remembered(&a->speakers, &s0, a->nsrc, &a->memo, g0);
    }
    for (int side = 0; side < a->nsrc; side++)
        for (int ch = 0; ch < a->speakers.nch; ch++) {
            float y = (float)g0[side][ch];
            a->y[side][ch] = y;
            if (span > 0) { /* a rise of 0 (most speakers) gives its own signed 0: no division */
                double rise = g1[side][ch] - (double)y;
                a->slope[side][ch] = (float)(rise == 0 ? rise : rise / (double)span);
            } else {
                a->slope[side][ch] = 0.0f;
            }
        }
    a->from = t0;
    a->knot = k0;
    a->knot_end = k1;
}

/* The pending lines mixed in, side by side and speaker by speaker: each
 * sample of a speaker still gets the left source's term before the
 * right's, as stretch by stretch. */
static void mix_surround_pending(op_mix_surround_args *a)
{
    for (int side = 0; side < a->nsrc; side++)
        for (int ch = 0; ch < a->speakers.nch; ch++) {
            int nl = a->npending[side][ch];
            if (nl > 0)
                dsp_mix_add_mul_lines(a->dst[ch], a->src[side],
                                      a->pending + (size_t)(side * a->speakers.nch + ch) * OP_SURROUND_PENDING, nl, 0);
            a->npending[side][ch] = 0;
        }
    a->nstretches = 0;
}

/* the stretch [off, off + len) of the block that starts at a->pos */
static void mix_surround_stretch(void *args, int off, int len)
{
    op_mix_surround_args *a = args;
    int k = a->moving ? (int)(a->pos + off - a->from) : 0; /* a hold's k does not matter */
    for (int side = 0; side < a->nsrc; side++)
        for (int ch = 0; ch < a->speakers.nch; ch++) {
            float y = a->y[side][ch], slope = a->slope[side][ch];
            if (y == 0 && slope == 0)
                continue;
            if (a->pending) {
                /* field by field: a line built on the stack and copied
                 * whole was read back before its stores had landed (a
                 * store-forwarding stall, most of this function's time) */
                dsp_line *d = &a->pending[(size_t)(side * a->speakers.nch + ch) * OP_SURROUND_PENDING +
                                          a->npending[side][ch]++];
                d->off = off, d->n = len, d->k0 = k;
                d->y = y, d->slope = slope, d->curve = 0.0f;
                continue;
            }
            dsp_line line = {off, len, k, y, slope, 0.0f};
            /* a send's level: (pan * coef) * level per sample */
            float *g = a->scratch;
            dsp_mix_fill_lines(g, &line, 1);
            for (int i = off; i < off + len; i++)
                g[i] = g[i] * a->coef;
            if (a->level)
                for (int i = off; i < off + len; i++)
                    g[i] = g[i] * a->level_values[i];
            dsp_mix_add_mul(a->dst[ch] + off, a->src[side] + off, g + off, len);
        }
    if (a->pending && ++a->nstretches == OP_SURROUND_PENDING)
        mix_surround_pending(a);
}

static void op_mix_surround(plan *p, void *args, int64_t pos, int n)
{
    (void)p;
    op_mix_surround_args *a = args;
    const plan_param *l = a->level;
    if (l && l->constant)
        dsp_mix_fill(a->level_values, l->gain[0], n);
    else if (l)
        dsp_mix_fill_lines(a->level_values, l->lines, l->nlines);
    a->pos = pos;
    /* by_knots without its knots() per stretch: the stretch designed last
     * is known whole ([knot, knot_end)), so a block that starts inside it
     * goes on with it, and only a sample past it designs the next */
    for (int64_t s = pos, end = pos + n; s < end;) {
        if (s < a->knot || s >= a->knot_end)
            op_mix_surround_design(a, s);
        int64_t stop = a->knot_end < end ? a->knot_end : end;
        mix_surround_stretch(a, (int)(s - pos), (int)(stop - s));
        s = stop;
    }
    if (a->pending)
        mix_surround_pending(a);
}

static void mix_surround_reset(void *args)
{
    op_mix_surround_design(args, 0);
}

/* Gain of clip c for the block stretch [s0, s0 + n) (session samples),
 * block offset off: clip gain (static or its lane) x fades x the track's
 * fader, in one formula per sample:
 *     env = (float)(clip_gain * fade * (double)fader)
 * Returns 1 (and *g) when that is one value over the whole stretch; the
 * constant path computes the same formula once, so the bits agree. Else
 * *use is the envelope: env, or the fader's own values where they are it. */
static int clip_envelope(op_clips_args *a, const op_clip *c, int64_t s0, int off, int n, float *env,
                         const float **use, float *g)
{
    const plan_param *f = a->fader;
    int64_t k0 = s0 - c->at, fade_out_start = c->length - c->fade_out;
    int lane_const = 1;
    if (c->gain_lane) {
        /* the clip's gain lane, as linear gains, parked in env */
        lane_const = vm_lane_fill(c->gain_lane, s0, n, a->lane_db);
        dsp_db_to_gain(a->lane_db, env, lane_const ? 1 : n, VM_LANE_DB_SILENCE);
    }
    if (lane_const && f->constant && k0 >= c->fade_in && k0 + n <= fade_out_start) {
        double cg = c->gain_lane ? (double)env[0] : c->gain;
        *g = (float)(cg * (double)f->gain[0]);
        return 1;
    }
    if (!f->constant && !a->fader_filled) { /* the fader's values over the block, once */
        dsp_mix_fill_lines(a->fader_buf, f->lines, f->nlines);
        a->fader_filled = 1;
    }
    const float *fader = f->constant ? f->gain : a->fader_buf + off;
    *use = env;
    if (!c->gain_lane && !f->constant && k0 >= c->fade_in && k0 + n <= fade_out_start) {
        /* the common moving case: a fader ride over the body of a clip */
        *use = fader; /* (float)(1.0 * 1.0 * (double)f) = f */
        if (c->gain != 1.0) {
            dsp_mix_scaled_copy(env, fader, c->gain, n); /* (cg * 1.0) * f = cg * f: same bits as below */
            *use = env;
        }
        return 0;
    }
    for (int i = 0; i < n; i++) {
        int64_t k = k0 + i;
        double cg = c->gain;
        if (c->gain_lane)
            cg = (double)env[lane_const ? 0 : i];
        double fade = 1.0;
        if (k < c->fade_in)
            fade *= dsp_fade_gain(c->fade_in_curve, (double)k / (double)c->fade_in);
        if (k >= fade_out_start)
            fade *= dsp_fade_gain(c->fade_out_curve, (double)(c->length - k) / (double)c->fade_out);
        env[i] = (float)(cg * fade * (double)fader[f->constant ? 0 : i]);
    }
    return 0;
}

/* A clip's file failed (offline): the render fails with the first
 * failure's message (two threads may run clip players), placed on the
 * session's timeline at s0: where the file went wrong, or the block's
 * first sample of the clip when the file could not be opened. */
static void clip_failed(plan *p, const op_clips_args *a, int64_t s0, const char *err)
{
    if (__atomic_exchange_n(&p->failed, 1, __ATOMIC_SEQ_CST))
        return;
    char tc[64];
    vm_time_format(&p->tb, s0, tc, sizeof tc);
    int n = snprintf(p->error, sizeof p->error, "track '%s' at %s: ", a->track, tc);
    if (n >= 0 && (size_t)n < sizeof p->error) /* the message may lose its end, never its start */
        snprintf(p->error + n, sizeof p->error - (size_t)n, "%.*s", (int)(sizeof p->error - (size_t)n - 1), err);
}

static void clip_remove_active(op_clips_args *a, int i)
{
    vm_media_close(&a->readers[i]);
    for (int j = i + 1; j < a->nactive; j++) {
        a->active[j - 1] = a->active[j];
        a->readers[j - 1] = a->readers[j];
    }
    a->nactive--;
    a->readers[a->nactive] = NULL;
}

/* Mixes clip c's decoded samples (src, interleaved) into the track's output
 * over block samples [off, off + len), s0 the first as a session sample; n
 * is the block. The output is cleared first unless *cleared; the first clip
 * to cover the whole block writes instead (the same bits: 0 + g x is
 * g x + 0). */
static void mix_clip(op_clips_args *a, const op_clip *c, const float *src, int64_t s0, int off, int len, int n,
                     int *cleared, int alone)
{
    const plan_param *f = a->fader;
    int fc = c->file_channels, set = !*cleared && len == n;
    int plain = fc == 1 || (fc == 2 && a->nch == 2 && !c->channel && !c->channel_map); /* mono, or stereo as it is */
    if (len == n && !f->constant && !c->gain_lane && c->gain == 1.0 && s0 - c->at >= c->fade_in &&
        s0 + len - c->at <= c->length - c->fade_out && plain) {
        /* the body of a unity clip over the whole block under a moving
         * fader: its pieces multiply as they mix (the bits of the
         * envelope path: (float)(1.0 * 1.0 * (double)fader) = fader) */
        if (fc == 1)
            for (int ch = 0; ch < a->nch; ch++)
                dsp_mix_add_mul_lines(a->out[ch], src, f->lines, f->nlines, set);
        else
            dsp_mix_add_mul_lines_deinterleave2(a->out[0], a->out[1], src, f->lines, f->nlines, set);
        *cleared = 1;
        return;
    }
    float g = 0;
    const float *env = a->env;
    int constant = clip_envelope(a, c, s0, off, len, a->env, &env, &g);
    if (set && constant && plain && alone && a->to_eq && g == 1.0f && fc == a->nch) {
        a->frames_out = src; /* the EQ reads them (op_eq) */
        *cleared = 1;
        return;
    }
    if (set && constant && plain) {
        if (fc == 1)
            for (int ch = 0; ch < a->nch; ch++)
                dsp_mix_set_scaled(a->out[ch], src, g, len);
        else
            dsp_mix_set_scaled_deinterleave2(a->out[0], a->out[1], src, g, len);
        *cleared = 1;
        return;
    }
    if (!*cleared) {
        for (int ch = 0; ch < a->nch; ch++)
            dsp_mix_clear(a->out[ch], n);
        *cleared = 1;
    }
    if (constant && fc == 1) {
        for (int ch = 0; ch < a->nch; ch++)
            dsp_mix_add_scaled(a->out[ch] + off, src, g, len);
    } else if (constant && plain) {
        dsp_mix_add_scaled_deinterleave2(a->out[0] + off, a->out[1] + off, src, g, len);
    } else if (fc == 1) {
        for (int ch = 0; ch < a->nch; ch++)
            dsp_mix_add_mul(a->out[ch] + off, src, env, len);
    } else if (plain) {
        dsp_mix_add_mul_deinterleave2(a->out[0] + off, a->out[1] + off, src, env, len);
    } else {
        for (int ch = 0; ch < a->nch; ch++) {
            int from = c->channel ? c->channel - 1 : (fc == 1 ? 0 : c->channel_map ? c->channel_map[ch] : ch);
            float *restrict dst = a->out[ch] + off;
            const float *restrict in = src + from;
            if (constant)
                for (int k = 0; k < len; k++)
                    dst[k] += g * in[(size_t)k * fc];
            else
                for (int k = 0; k < len; k++)
                    dst[k] += env[k] * in[(size_t)k * fc];
        }
    }
}

/* Reads block [pos, pos + n) of the track's clips into r: every clip
 * that plays in it is opened (where the block first needs it), read and
 * decoded (live: copied from the disk feed's buffer), and closed when it
 * ends in the block. Clips are taken one after the other in start order,
 * and a clip that starts in this block is admitted only once every clip
 * before it has been read for the block and, if it ends here, left. So
 * the readers open never exceed the clips that overlap at one instant
 * (maxactive), however many start and end inside one block, and the
 * pieces are in the order they sum at --block 1. A failure stops the
 * reading there (r->failed). */
static void clips_read(plan *p, op_clips_args *a, op_clip_read *r, int64_t pos, int n)
{
    int64_t end = pos + n;
    size_t at = 0;
    r->pos = pos;
    r->n = n;
    r->npieces = 0;
    r->failed = 0;
    r->ready = 1;
    for (int i = 0;;) {
        if (i == a->nactive) {
            if (a->next >= a->nclips || a->clips[a->next].at >= end)
                break;
            const op_clip *c = &a->clips[a->next];
            if (c->at + c->length > pos && a->nactive < a->maxactive) {
                a->active[a->nactive] = a->next;
                a->readers[a->nactive] = NULL;
                a->nactive++;
            }
            a->next++;
            continue;
        }
        const op_clip *c = &a->clips[a->active[i]];
        int64_t s0 = pos > c->at ? pos : c->at;
        int64_t e0 = end < c->at + c->length ? end : c->at + c->length;
        int len = (int)(e0 - s0);
        if (len > 0 && r->npieces < a->maxpieces) { /* npieces: at most one a clip, and a frame each */
            float *dst = r->frames + at;
            if (p->feed) {
                /* live: the disk thread's buffer; a frame it has not read yet
                 * plays as silence and is counted (vm/feed.h) */
                vm_feed_read(c->source, p->pass, s0, dst, len);
            } else {
                vm_media_info expect = {.channels = c->file_channels, .rate = c->file_rate, .frames = c->file_frames};
                if ((!a->readers[i] && vm_media_open_expect(&a->readers[i], c->path, &expect, p->tb.rate,
                                                            c->from + (s0 - c->at), r->err) != DS_OK) ||
                    vm_media_read(a->readers[i], dst, len, r->err) != DS_OK) {
                    /* placed where the file went wrong (the read may run
                     * ahead of this block), else at the block's first sample */
                    int64_t f = vm_media_failure_frame(a->readers[i], p->tb.rate);
                    r->failed = 1;
                    r->fail_s0 = f >= 0 && c->at + f - c->from >= s0 ? c->at + f - c->from : s0;
                    return;
                }
            }
            r->pieces[r->npieces++] = (op_clip_piece){a->active[i], len, s0, at};
            at += (size_t)len * (size_t)c->file_channels;
        }
        if (c->at + c->length <= end)
            clip_remove_active(a, i);
        else
            i++;
    }
}

/* Mixes the pieces of r, block [pos, pos + n), into the track's buffer. */
static void clips_mix(plan *p, op_clips_args *a, const op_clip_read *r, int64_t pos, int n)
{
    int cleared = 0; /* the output is cleared, or written over by a clip covering the block */
    a->fader_filled = 0;
    a->frames_out = NULL;
    for (int k = 0; k < r->npieces; k++) {
        const op_clip_piece *pc = &r->pieces[k];
        mix_clip(a, &a->clips[pc->clip], r->frames + pc->at, pc->s0, (int)(pc->s0 - pos), pc->len, n, &cleared,
                 r->npieces == 1 && !r->failed);
    }
    if (r->failed) {
        clip_failed(p, a, r->fail_s0, r->err);
        return;
    }
    if (!cleared)
        for (int ch = 0; ch < a->nch; ch++)
            dsp_mix_clear(a->out[ch], n);
}

static void clips_rewind(void *args)
{
    op_clips_args *a = args;
    while (a->nactive > 0)
        clip_remove_active(a, a->nactive - 1);
    a->next = 0;
    a->reads[0].ready = a->reads[1].ready = 0; /* nothing read ahead */
    a->fill = a->take = 0;
}

/* The block's reading: the one read ahead for it, else read here. A
 * reading ahead for another block (a driver that did not run the block it
 * announced) is dropped and the clips read again from pos. Read ahead or
 * not, the reading and the mixing are the same calls in the same order:
 * the same bytes. */
static void op_clips(plan *p, void *args, int64_t pos, int n)
{
    op_clips_args *a = args;
    op_clip_read *r = &a->reads[a->take % 2];
    if (r->ready && r->pos == pos && r->n == n) {
        clips_mix(p, a, r, pos, n);
        r->ready = 0;
        a->take++;
        return;
    }
    if (r->ready)
        clips_rewind(a);
    /* nothing read ahead (fill = take): read here, into the same reading
     * block after block */
    r = &a->reads[a->take % 2];
    clips_read(p, a, r, pos, n);
    clips_mix(p, a, r, pos, n);
    r->ready = 0;
}

/* With two threads (vm/sched.c): the next block read while this one runs,
 * into the other reading. At most one block ahead. */
static void clips_read_ahead(plan *p, void *args, int64_t pos, int n)
{
    op_clips_args *a = args;
    op_clip_read *r = &a->reads[a->fill % 2];
    if (r->ready) /* two blocks ahead: not done (op_clips reads it then) */
        return;
    clips_read(p, a, r, pos, n);
    a->fill++;
}

/* ---- state: reset and copy for live swaps ------------------------------ */

/* A key's delay line (op_dyn, op_duck): cleared, or carried over when both
 * delay the same key by the same amount. */
static void key_ring_reset(float **ring, int nkey, int delay, int *ring_pos)
{
    for (int ch = 0; delay && ch < nkey; ch++)
        memset(ring[ch], 0, (size_t)delay * sizeof(float));
    *ring_pos = 0;
}

static void key_ring_copy(float **dst, int *dst_pos, int dst_delay, float *const *src, int src_pos, int src_delay,
                          int nkey)
{
    if (dst_delay != src_delay || !dst_delay)
        return;
    for (int ch = 0; ch < nkey; ch++)
        memcpy(dst[ch], src[ch], (size_t)dst_delay * sizeof(float));
    *dst_pos = src_pos;
}

static void clips_reset(void *args)
{
    clips_rewind(args);
}

static void eq_reset(void *args)
{
    op_eq_args *a = args;
    if (a->multi)
        dsp_biquad_multi_reset(a->multi);
    for (int ch = 0; a->butter && ch < a->nch; ch++)
        dsp_butter_reset(&a->butter[ch]);
    op_eq_design(a, INT64_MIN);
}

static void eq_copy_state(void *dst, const void *src)
{
    op_eq_args *d = dst;
    const op_eq_args *s = src;
    if (d->nch != s->nch || d->order != s->order)
        return;
    if (d->multi && s->multi)
        dsp_biquad_multi_copy_state(d->multi, s->multi);
    for (int ch = 0; d->butter && s->butter && ch < d->nch; ch++)
        dsp_butter_copy_state(&d->butter[ch], &s->butter[ch]);
}

static void dyn_reset(void *args)
{
    op_dyn_args *a = args;
    if (a->moving)
        op_dyn_design(a, 0);
    dsp_dyn_reset(&a->state);
    key_ring_reset(a->key_ring, a->nkey, a->key_delay, &a->ring_pos);
    for (int ch = 0; a->filtered && ch < a->nkey; ch++) {
        dsp_butter_reset(&a->key_hp[ch]);
        dsp_butter_reset(&a->key_lp[ch]);
    }
}

static void dyn_copy_state(void *dst, const void *src)
{
    op_dyn_args *d = dst;
    const op_dyn_args *s = src;
    if (d->nch != s->nch || d->nkey != s->nkey)
        return;
    dsp_dyn_copy_state(&d->state, &s->state);
    key_ring_copy(d->key_ring, &d->ring_pos, d->key_delay, s->key_ring, s->ring_pos, s->key_delay, d->nkey);
    for (int ch = 0; d->filtered && s->filtered && ch < d->nkey; ch++) {
        dsp_butter_copy_state(&d->key_hp[ch], &s->key_hp[ch]);
        dsp_butter_copy_state(&d->key_lp[ch], &s->key_lp[ch]);
    }
}

/* the gain of the first channel (linked detectors: every channel's) */
static double dyn_meter_db(const void *args)
{
    return dsp_dyn_reduction_db(&((const op_dyn_args *)args)->state, 0);
}

static void limiter_reset(void *args)
{
    op_limiter_args *a = args;
    if (a->moving)
        op_limiter_design(a, 0);
    dsp_limiter_reset(&a->state);
}

static void limiter_copy_state(void *dst, const void *src)
{
    dsp_limiter_copy_state(&((op_limiter_args *)dst)->state, &((const op_limiter_args *)src)->state);
}

static double limiter_meter_db(const void *args)
{
    return -dsp_limiter_gain_reduction_db(&((const op_limiter_args *)args)->state);
}

static void transient_reset(void *args)
{
    op_inplace_start(args);
    dsp_transient_reset(&((op_transient_args *)args)->state);
}

static void convolve_reset(void *args)
{
    op_convolve_args *a = args;
    dsp_convolver_reset(&a->state);
    for (int ch = 0; ch < a->nch; ch++)
        memset(a->dry[ch], 0, (size_t)dsp_convolver_latency(&a->state) * sizeof(float));
    a->dry_pos = 0;
}

/* The delay lines carry over with the convolver's (same partition and
 * channels: the same latency); another shape keeps dst fresh. */
static void convolve_copy_state(void *dst, const void *src)
{
    op_convolve_args *d = dst;
    const op_convolve_args *s = src;
    if (dsp_convolver_copy_state(&d->state, &s->state) != 0)
        return;
    for (int ch = 0; ch < d->nch; ch++)
        memcpy(d->dry[ch], s->dry[ch], (size_t)dsp_convolver_latency(&d->state) * sizeof(float));
    d->dry_pos = s->dry_pos;
}

static void convolve_release(void *args)
{
    dsp_convolver_free(&((op_convolve_args *)args)->state);
}

static void transient_copy_state(void *dst, const void *src)
{
    dsp_transient_copy_state(&((op_transient_args *)dst)->state, &((const op_transient_args *)src)->state);
}

static void delay_insert_reset(void *args)
{
    op_delay_insert_args *a = args;
    if (a->moving)
        op_delay_insert_design(a, 0);
    dsp_delay_reset(&a->state);
}

static void delay_insert_copy_state(void *dst, const void *src)
{
    dsp_delay_copy_state(&((op_delay_insert_args *)dst)->state, &((const op_delay_insert_args *)src)->state);
}

static void reverb_reset(void *args)
{
    op_reverb_args *a = args;
    if (a->moving)
        op_reverb_design(a, 0);
    dsp_reverb_reset(&a->state);
}

static void reverb_copy_state(void *dst, const void *src)
{
    /* a reverb of another size, pre-delay or channel count starts clean */
    (void)dsp_reverb_copy_state(&((op_reverb_args *)dst)->state, &((const op_reverb_args *)src)->state);
}

static void duck_reset(void *args)
{
    op_duck_args *a = args;
    dsp_ducker_reset(&a->state);
    key_ring_reset(a->key_ring, a->nkey, a->key_delay, &a->ring_pos);
    for (int ch = 0; a->split && ch < a->nch; ch++)
        dsp_xover3_reset(&a->split[ch]);
}

static void duck_copy_state(void *dst, const void *src)
{
    op_duck_args *d = dst;
    const op_duck_args *s = src;
    if (d->nch != s->nch || d->nkey != s->nkey || dsp_ducker_copy_state(&d->state, &s->state) != 0)
        return;
    key_ring_copy(d->key_ring, &d->ring_pos, d->key_delay, s->key_ring, s->ring_pos, s->key_delay, d->nkey);
    for (int ch = 0; d->split && s->split && ch < d->nch; ch++)
        dsp_xover3_copy_state(&d->split[ch], &s->split[ch]);
}

static double duck_meter_db(const void *args)
{
    return dsp_ducker_gain_db(&((const op_duck_args *)args)->state);
}

static void bandduck_reset(void *args)
{
    op_bandduck_args *a = args;
    for (int ch = 0; ch < a->nch; ch++)
        dsp_xover3_reset(&a->split[ch]);
}

static void bandduck_copy_state(void *dst, const void *src)
{
    op_bandduck_args *d = dst;
    const op_bandduck_args *s = src;
    if (d->nch != s->nch)
        return;
    for (int ch = 0; ch < d->nch; ch++)
        dsp_xover3_copy_state(&d->split[ch], &s->split[ch]);
}

static void delay_reset(void *args)
{
    op_delay_args *a = args;
    for (int ch = 0; ch < a->nch; ch++)
        memset(a->ring[ch], 0, (size_t)a->delay * sizeof(float));
    a->pos = 0;
}

static void delay_copy_state(void *dst, const void *src)
{
    op_delay_args *d = dst;
    const op_delay_args *s = src;
    if (d->nch != s->nch || d->delay != s->delay)
        return;
    for (int ch = 0; ch < d->nch; ch++)
        memcpy(d->ring[ch], s->ring[ch], (size_t)d->delay * sizeof(float));
    d->pos = s->pos;
}

/* ---- memory (plan_op_class.memory, docs/segments.md) ------------------------ */

static double eq_memory(const void *args, int64_t at)
{
    (void)at;
    const op_eq_args *a = args;
    return a->multi ? dsp_memory_biquad(&a->multi->c) : dsp_butter_memory(&a->butter[0]);
}

static double dyn_memory(const void *args, int64_t at)
{
    (void)at;
    const op_dyn_args *a = args;
    double key = 0;
    if (a->filtered) /* the key filters ring before the detector hears them */
        for (int k = 0; k < a->nkey; k++) {
            double m = (a->key_hp ? dsp_butter_memory(&a->key_hp[k]) : 0) +
                       (a->key_lp ? dsp_butter_memory(&a->key_lp[k]) : 0);
            key = m > key ? m : key;
        }
    return a->key_delay + key + dsp_dyn_memory(&a->state);
}

static double limiter_memory(const void *args, int64_t at)
{
    (void)at;
    return dsp_limiter_memory(&((const op_limiter_args *)args)->state);
}

static double transient_memory(const void *args, int64_t at)
{
    (void)at;
    return dsp_transient_memory(&((const op_transient_args *)args)->state);
}

static double delay_insert_memory(const void *args, int64_t at)
{
    const op_delay_insert_args *a = args;
    if (a->moving) {
        dsp_delay_params v = delay_values(a, at);
        return dsp_delay_memory(v.delay, v.feedback);
    }
    return dsp_delay_memory(a->state.at.delay, a->state.at.feedback);
}

static double convolve_memory(const void *args, int64_t at)
{
    (void)at;
    return dsp_convolver_memory(&((const op_convolve_args *)args)->state);
}

static double reverb_memory(const void *args, int64_t at)
{
    const op_reverb_args *a = args;
    const vm_lane *rt60 = a->moving ? a->lanes[VM_REVERB_RT60] : NULL;
    return dsp_reverb_memory(&a->state, rt60 ? vm_lane_value(rt60, at) : 0);
}

static double duck_memory(const void *args, int64_t at)
{
    (void)at;
    const op_duck_args *a = args;
    return a->key_delay + (a->split ? dsp_xover3_memory(&a->split[0]) : 0) + dsp_ducker_memory(&a->state);
}

static double bandduck_memory(const void *args, int64_t at)
{
    (void)at;
    return dsp_xover3_memory(&((const op_bandduck_args *)args)->split[0]);
}

/* Its takes fall on the session's grid (dsp_bitcrush_locate), so what a
 * start carries is only the value held: one hold, a period. A moving rate
 * may hold a value taken at a slower rate: the slowest the rate may be
 * then. */
static double bitcrush_memory(const void *args, int64_t at)
{
    (void)at;
    const op_bitcrush_args *a = args;
    const vm_lane *rate = a->run.moving ? a->run.lanes[VM_BITCRUSH_RATE] : NULL;
    double period = rate && vm_lane_count(rate) > 0 ? a->fs / VM_BITCRUSH_RATE_MIN_HZ : a->state.period;
    return period > 1 ? ceil(period) : 0;
}

static double delay_memory(const void *args, int64_t at)
{
    (void)at;
    return ((const op_delay_args *)args)->delay;
}

/* ---- the classes ---------------------------------------------------------- */

const plan_op_class op_param_class = {.name = "param", .run = op_param};
const plan_op_class op_clear_class = {.name = "clear", .run = op_clear};
const plan_op_class op_gain_class = {.name = "gain", .run = op_gain};
const plan_op_class op_mix_class = {.name = "mix", .run = op_mix};
const plan_op_class op_mix_gain_class = {.name = "mix_gain", .run = op_mix_gain};
const plan_op_class op_mix_pan_class = {.name = "mix_pan", .run = op_mix_pan};
const plan_op_class op_mix_surround_class = {.name = "mix_surround", .run = op_mix_surround,
                                             .reset = mix_surround_reset};

const plan_op_class op_clips_class = {
    .name = "clips", .run = op_clips, .read_ahead = clips_read_ahead,
    .reset = clips_reset, .rewind = clips_rewind,
};

const plan_op_class op_eq_class = {
    .name = "eq", .run = op_eq,
    .reset = eq_reset, .copy_state = eq_copy_state, .param = "eq", .memory = eq_memory,
};

const plan_op_class op_dyn_class = {
    .name = "dyn", .run = op_dyn,
    .reset = dyn_reset, .copy_state = dyn_copy_state, .meter_db = dyn_meter_db, .param = "dyn",
    .memory = dyn_memory,
};

const plan_op_class op_limiter_class = {
    .name = "limit", .run = op_limiter,
    .reset = limiter_reset, .copy_state = limiter_copy_state, .meter_db = limiter_meter_db, .param = "lim",
    .memory = limiter_memory,
};

/* memoryless: nothing to carry over a live swap */
const plan_op_class op_saturate_class = {
    .name = "saturate", .run = op_inplace_run, .reset = saturate_reset, .param = "saturate",
};

/* the phase and the held values carry over a live swap */
const plan_op_class op_bitcrush_class = {
    .name = "crush", .run = op_inplace_run,
    .reset = bitcrush_reset, .copy_state = bitcrush_copy_state, .param = "crush", .memory = bitcrush_memory,
};

const plan_op_class op_transient_class = {
    .name = "shape", .run = op_inplace_run,
    .reset = transient_reset, .copy_state = transient_copy_state, .param = "shape",
    .memory = transient_memory,
};

const plan_op_class op_delay_insert_class = {
    .name = "delay_insert", .run = op_delay_insert,
    .reset = delay_insert_reset, .copy_state = delay_insert_copy_state, .param = "delay",
    .memory = delay_insert_memory,
};

/* stateless: nothing to reset or carry over a live swap (a moving width's
 * gains are designed again from the knot it meets) */
const plan_op_class op_width_class = {.name = "width", .run = op_width, .param = "width"};
const plan_op_class op_ms_class = {.name = "ms", .run = op_ms};
const plan_op_class op_chmap_class = {.name = "chmap", .run = op_chmap};
const plan_op_class op_convolve_class = {
    .name = "conv", .run = op_convolve, .reset = convolve_reset, .copy_state = convolve_copy_state,
    .release = convolve_release, .param = "conv", .memory = convolve_memory,
};

const plan_op_class op_reverb_class = {
    .name = "reverb", .run = op_reverb,
    .reset = reverb_reset, .copy_state = reverb_copy_state, .param = "reverb",
    .memory = reverb_memory,
};

const plan_op_class op_duck_class = {
    .name = "duck", .run = op_duck,
    .reset = duck_reset, .copy_state = duck_copy_state, .meter_db = duck_meter_db, .param = "duck",
    .memory = duck_memory,
};

const plan_op_class op_bandduck_class = {
    .name = "band", .run = op_bandduck,
    .reset = bandduck_reset, .copy_state = bandduck_copy_state, .memory = bandduck_memory,
};

const plan_op_class op_delay_class = {
    .name = "delay", .run = op_delay,
    .reset = delay_reset, .copy_state = delay_copy_state, .memory = delay_memory,
};

const plan_op_class *op_class_of_insert(vm_insert_kind k)
{
    switch (k) {
    case VM_INSERT_EQ: return &op_eq_class;
    case VM_INSERT_DYNAMICS: return &op_dyn_class;
    case VM_INSERT_LIMITER: return &op_limiter_class;
    case VM_INSERT_TRANSIENT: return &op_transient_class;
    case VM_INSERT_CONVOLVE: return &op_convolve_class;
    case VM_INSERT_DUCK: return &op_duck_class;
    case VM_INSERT_REVERB: return &op_reverb_class;
    case VM_INSERT_SATURATE: return &op_saturate_class;
    case VM_INSERT_BITCRUSH: return &op_bitcrush_class;
    case VM_INSERT_DELAY: return &op_delay_insert_class;
    case VM_INSERT_WIDTH: return &op_width_class;
    case VM_INSERT_MS: return &op_ms_class;
    case VM_INSERT_POLARITY:
    case VM_INSERT_CHANNEL_MAP: return &op_chmap_class;
    }
    return NULL;
}

op_clips_args *op_clips_of(const plan_op *op)
{
    return op->cls == &op_clips_class ? op->args : NULL;
}

void vm_plan_reset(plan *p)
{
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls && p->ops[i].cls->reset)
            p->ops[i].cls->reset(p->ops[i].args);
    p->failed = 0;
    p->error[0] = 0;
}

void vm_plan_rewind(plan *p)
{
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls && p->ops[i].cls->rewind)
            p->ops[i].cls->rewind(p->ops[i].args);
}
