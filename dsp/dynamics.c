/* dynamics.c - feed-forward compressor / expander / gate (see dynamics.h).
 *
 * Source: D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range
 * Compressor Design - A Tutorial and Analysis", J. Audio Eng. Soc. 60(6),
 * 2012: the quadratic soft-knee gain computer (and its mirror image for the
 * downward expander), the detector in the log domain after the gain
 * computer (their Fig. 7c, the arrangement they recommend: its attack and
 * release trajectories do not depend on the threshold, ratio or knee), the
 * "smooth branching" peak detector with one-pole coefficients alpha =
 * exp(-1 / (tau fs)), and their definition of a time constant as the time to
 * 1 - 1/e of a step. Hold and the range limit are the usual gate additions;
 * the RMS detector is a one-pole mean square ahead of the dB conversion.
 * Written from the paper's formulas, not from its code.
 *
 * Cost. Per sample the detector needs a log and the gain an exponential.
 * Both are polynomials here in plain IEEE arithmetic (no FMA:
 * -ffp-contract=off), so the compiler vectorises them and the bits are the
 * same in the AVX2 and baseline builds, with gcc and clang, at -O0 to -O3
 * (checked), and do not depend on the libm version:
 *   log2: exponent from the bits, mantissa m in [sqrt(1/2), sqrt 2),
 *         log2 m = (2 / ln 2) atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172,
 *         odd series to s^15: error 2.4e-14 at most (1.4e-13 dB; measured
 *         against log2l from 1e-20 to 1e20).
 *   exp2: the Taylor series of 2^f on [0, 1) to degree 11: relative error
 *         1.4e-11 at most (1.2e-10 dB; measured against exp2l from -45 to
 *         12), as in fastmath.c (repeated here so the
 *         kernel stands alone).
 * Each block of up to CHUNK samples goes through four passes: detector level
 * (vectorised across samples; the RMS mean square is a recursion per key
 * channel), gain computer (vectorised), the attack/release/hold recursion
 * (scalar: it is the one sequential part), then 10^(g/20) and the multiply
 * (vectorised). Every sample sees the same arithmetic whatever the chunking,
 * so results do not depend on process-call sizes. Where the CPU has AVX-512
 * every pass runs in 64-byte vectors (process_wide): the polynomials are
 * latency-bound chains, and eight lanes a vector keep twice the samples in
 * flight.
 *
 * Measured (AMD EPYC, gcc 12, -O3, AVX2 clone, stereo linked, blocks of
 * 1024, best of 5 over 10 s of noise): compressor peak 6.6 ns per stereo
 * frame, RMS 6.7, gate 5.3, unlinked stereo 11.7. The latency of the
 * attack/release recursion was most of it (subtract, multiply, add,
 * select: about 11 cycles a sample); it is now a multiply, an add and two
 * selects (follow), and a linked RMS detector runs in the same loop, so its
 * own recursion overlaps the gain's (rms_linked). The same kernel with glibc's log2 and
 * exp2: 8.8, 8.6, 7.2, 16.1.
 *
 * Whole chunks of a linked peak detector take dynamics_chunks.h's path on
 * the AVX-512 and AVX2 builds (see the comment above its include). The
 * film mix's compressor (peak, two DX keys linked by max, no hold),
 * 2026-12-06 07:53, AMD EPYC Zen 4, a loaded machine: op_bench
 * reference_film.lua 120 --kinds, dyn, medians of seven pairs taking turns
 * with main's build: AVX-512 path 2.566 -> 2.293 ns per channel-sample,
 * AVX2 3.425 -> 3.206. What was left was the recursion's latency (a
 * multiply, an add and the blend, 7 cycles a sample: about 1.2 ns per
 * channel-sample alone) beside about 1.5 of vector work that only partly
 * overlaps it (docs/bench.md). Below the knee the compressor's target is
 * exactly -0 dB: there (dsp_dyn's quiet_below, a linear test on the
 * detector value) the chunk path skips the log2 and gain computer for 32
 * samples (AVX-512; 16 on AVX2) at a time, takes a recursion step of one
 * multiply for 8 (4) targets of -0 dB, and with makeup 0 skips the exp2
 * where the gain is exactly 0 dB; the same bits. 08:13, the same
 * measure, seven triples: AVX-512 2.609 (session start) / 2.297 (the
 * above) -> 2.120, AVX2 3.204 / 2.954 -> 2.738.
 * 2026-12-06 14:00 (comp16): fewer operations for the same bits. A
 * recursion step is one multiply and one add on the pair {a_att, a_rel}
 * g plus the target's products {(1 - a_att) t, (1 - a_rel) t}, formed
 * 8 (4) at a time in the target pass, and a permute by the comparison's
 * mask (four multiplies, two adds and a blend before); the selects that
 * are clamps or a max are MAXPD / MINPD (one instruction for a compare
 * and a select), and exp2's floor is one rounding instruction (two
 * conversions, a compare, a subtract and a select before). The same
 * measure on main 7e5d3b0's build, seven pairs, a loaded machine:
 * AVX-512 2.525 -> 2.271 ns per channel-sample, AVX2 3.033 -> 2.542;
 * callgrind (AVX2, 10 s of the film) 54 -> 49 instructions a frame.
 * Spreading the recursion's steps evenly over both passes (a slot after
 * each vector's set-up, each term and each vector's end, the steps'
 * addresses constants) was slower: 2.93 against 2.33 (docs/bench.md). */
#include "dsp/dynamics.h"
#include "dsp/memory.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dsp/simd.h"

#define CHUNK 64 /* samples per pass, and the flush period */
#define LEVEL_MIN_DB (-200.0)
#define GAIN_FLUSH 1e-20 /* dB: a gain closer to 0 dB than this is 0 dB */
#define MS_FLUSH 1e-30   /* mean square below this (-300 dB) is 0 */

/* ---- parameters ----------------------------------------------------------- */

void dsp_dyn_params_init(dsp_dyn_params *p, dsp_dyn_mode mode)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->makeup_db = 0.0;
    p->detector = DSP_DYN_PEAK;
    p->rms_s = 0.020;
    p->link = DSP_DYN_LINK_MAX;
    switch (mode) {
    case DSP_DYN_EXPAND:
        p->threshold_db = -40.0, p->ratio = 2.0, p->knee_db = 6.0;
        p->attack_s = 0.002, p->release_s = 0.150, p->hold_s = 0.020, p->range_db = -40.0;
        break;
    case DSP_DYN_GATE:
        p->threshold_db = -50.0, p->ratio = 1.0, p->knee_db = 0.0;
        p->attack_s = 0.001, p->release_s = 0.100, p->hold_s = 0.050, p->range_db = -80.0;
        break;
    default:
        p->mode = DSP_DYN_COMPRESS;
        p->threshold_db = -20.0, p->ratio = 4.0, p->knee_db = 6.0;
        p->attack_s = 0.010, p->release_s = 0.150, p->hold_s = 0.0, p->range_db = -200.0;
        break;
    }
}

/* NaN fails every comparison, so it is out of every range. */
static int in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi;
}

static int bad(char *msg, size_t n, const char *name, double v, const char *range)
{
    if (msg && n > 0)
        snprintf(msg, n, "%s = %g is out of range: %s", name, v, range);
    return -1;
}

int dsp_dyn_check(const dsp_dyn_params *p, char *msg, size_t n)
{
    if (msg && n > 0)
        msg[0] = '\0';
    if (p->mode != DSP_DYN_COMPRESS && p->mode != DSP_DYN_EXPAND && p->mode != DSP_DYN_GATE)
        return bad(msg, n, "mode", (double)p->mode, "takes DSP_DYN_COMPRESS, DSP_DYN_EXPAND or DSP_DYN_GATE");
    if (!in_range(p->threshold_db, -200.0, 40.0))
        return bad(msg, n, "threshold_db", p->threshold_db, "takes -200 to 40 dB");
    if (p->mode == DSP_DYN_COMPRESS && !(p->ratio >= 1.0))
        return bad(msg, n, "ratio", p->ratio, "the compressor takes 1 to inf (1 = no change, inf = limiter)");
    if (p->mode == DSP_DYN_EXPAND && !in_range(p->ratio, 1.0, 100.0))
        return bad(msg, n, "ratio", p->ratio, "the expander takes 1 to 100 (1 = no change; for more, use the gate)");
    if (!in_range(p->knee_db, 0.0, 60.0))
        return bad(msg, n, "knee_db", p->knee_db, "takes 0 (hard knee) to 60 dB");
    if (!in_range(p->attack_s, 0.0, 60.0))
        return bad(msg, n, "attack_s", p->attack_s, "takes 0 to 60 s");
    if (!in_range(p->release_s, 0.0, 60.0))
        return bad(msg, n, "release_s", p->release_s, "takes 0 to 60 s");
    if (!in_range(p->hold_s, 0.0, 60.0))
        return bad(msg, n, "hold_s", p->hold_s, "takes 0 to 60 s");
    if (!in_range(p->makeup_db, -60.0, 60.0))
        return bad(msg, n, "makeup_db", p->makeup_db, "takes -60 to 60 dB");
    if (!in_range(p->range_db, -200.0, 0.0))
        return bad(msg, n, "range_db", p->range_db, "takes -200 to 0 dB (the most gain reduction, as a negative gain)");
    if (p->detector != DSP_DYN_PEAK && p->detector != DSP_DYN_RMS)
        return bad(msg, n, "detector", (double)p->detector, "takes DSP_DYN_PEAK or DSP_DYN_RMS");
    if (!in_range(p->rms_s, 0.0, 10.0))
        return bad(msg, n, "rms_s", p->rms_s, "takes 0 to 10 s");
    if (p->link != DSP_DYN_LINK_MAX && p->link != DSP_DYN_LINK_MEAN && p->link != DSP_DYN_UNLINKED)
        return bad(msg, n, "link", (double)p->link, "takes DSP_DYN_LINK_MAX, DSP_DYN_LINK_MEAN or DSP_DYN_UNLINKED");
    return 0;
}

static double clampd(double v, double lo, double hi, double dflt)
{
    if (v != v)
        return dflt;
    return v < lo ? lo : v > hi ? hi : v;
}

/* *p made valid: every field in range, NaN replaced by the mode's default. */
static void clamp_params(dsp_dyn_params *out, const dsp_dyn_params *p)
{
    dsp_dyn_mode mode = p->mode == DSP_DYN_EXPAND || p->mode == DSP_DYN_GATE ? p->mode : DSP_DYN_COMPRESS;
    dsp_dyn_params d;
    dsp_dyn_params_init(&d, mode);
    out->mode = mode;
    out->threshold_db = clampd(p->threshold_db, -200.0, 40.0, d.threshold_db);
    out->ratio = clampd(p->ratio, 1.0, mode == DSP_DYN_EXPAND ? 100.0 : INFINITY, d.ratio);
    out->knee_db = clampd(p->knee_db, 0.0, 60.0, d.knee_db);
    out->attack_s = clampd(p->attack_s, 0.0, 60.0, d.attack_s);
    out->release_s = clampd(p->release_s, 0.0, 60.0, d.release_s);
    out->hold_s = clampd(p->hold_s, 0.0, 60.0, d.hold_s);
    out->makeup_db = clampd(p->makeup_db, -60.0, 60.0, d.makeup_db);
    out->range_db = clampd(p->range_db, -200.0, 0.0, d.range_db);
    out->detector = p->detector == DSP_DYN_RMS ? DSP_DYN_RMS : DSP_DYN_PEAK;
    out->rms_s = clampd(p->rms_s, 0.0, 10.0, d.rms_s);
    out->link = p->link == DSP_DYN_LINK_MEAN || p->link == DSP_DYN_UNLINKED ? p->link : DSP_DYN_LINK_MAX;
}

/* ---- gain computer --------------------------------------------------------- */

typedef struct {
    int mode;
    double t, w, slope, inv_2w, range;
} curve;

/* slope: 1/R - 1 for the compressor, 1 - R for the expander (both <= 0);
 * inv_2w = 1 / (2 W), or 0 for a hard knee (where gc_knee's u is 0 too). */
static void curve_from(curve *c, const dsp_dyn_params *p)
{
    c->mode = (int)p->mode;
    c->t = p->threshold_db;
    c->w = p->knee_db;
    c->slope = p->mode == DSP_DYN_EXPAND ? 1.0 - p->ratio : 1.0 / p->ratio - 1.0;
    c->inv_2w = p->knee_db > 0.0 ? 1.0 / (2.0 * p->knee_db) : 0.0;
    c->range = p->range_db;
}

/* The compressor's curve in a form without branches, so the loop
 * vectorises (gcc will not turn a select between computed values into a
 * blend under -ftrapping-math, but clamps of one value are fine): with
 * x = L - T, u = clamp(x + W/2, 0, W) and e = max(x - W/2, 0),
 *   G = slope (u^2 / (2 W) + e)
 * is 0 below the knee, slope (x + W/2)^2 / (2 W) in it and slope (W/2 +
 * (x - W/2)) = slope x above it (to rounding). The expander's curve is the
 * same function of x = T - L (slope 1 - R): G = (1 - R)(T - L) = (R - 1)(L - T)
 * below the knee, (1 - R)(L - T - W/2)^2 / (2 W) in it, 0 above. */
static inline double gc_knee(double x, double hw, double w, double slope, double inv_2w, double range)
{
    double u = x + hw, e = x - hw;
    u = u > 0.0 ? u : 0.0;
    u = u < w ? u : w;
    e = e > 0.0 ? e : 0.0;
    double g = slope * (u * u * inv_2w + e);
    return g > range ? g : range;
}

static inline double gc_gate(double t, double range, double l)
{
    return l >= t ? 0.0 : range;
}

static inline double gain_computer(int mode, double t, double w, double slope, double inv_2w, double range,
                                   double l)
{
    return mode == DSP_DYN_COMPRESS ? gc_knee(l - t, 0.5 * w, w, slope, inv_2w, range)
           : mode == DSP_DYN_EXPAND ? gc_knee(t - l, 0.5 * w, w, slope, inv_2w, range)
                                    : gc_gate(t, range, l);
}

double dsp_dyn_static_gain_db(const dsp_dyn_params *p, double in_db)
{
    dsp_dyn_params q;
    curve c;
    clamp_params(&q, p);
    curve_from(&c, &q);
    in_db = clampd(in_db, LEVEL_MIN_DB, -LEVEL_MIN_DB, LEVEL_MIN_DB);
    return gain_computer(c.mode, c.t, c.w, c.slope, c.inv_2w, c.range, in_db);
}

/* ---- fast log2 / exp2 ------------------------------------------------------ */

/* v positive and normal. Integer work only until the polynomial: gcc will
 * not vectorise a select between computed doubles under -ftrapping-math. */
static inline double log2_poly(double v)
{
    uint64_t b, eb, mant, big;
    double m, e;
    memcpy(&b, &v, sizeof b);
    mant = b & UINT64_C(0x000fffffffffffff);
    big = mant > UINT64_C(0x6a09e667f3bcc); /* mantissa above sqrt 2: take m / 2, E + 1 */
    /* E as an exact double without an int64 -> double conversion (AVX2 has
     * none): 2^52 + E + 1023 in the bits, minus 2^52 + 1023 */
    eb = ((b >> 52) + big) | UINT64_C(0x4330000000000000);
    memcpy(&e, &eb, sizeof e);
    e -= 4503599627371519.0;
    b = mant | (UINT64_C(0x3ff0000000000000) - (big << 52));
    memcpy(&m, &b, sizeof m); /* [sqrt(1/2), sqrt 2] */
    double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    double p = 1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 +
               s2 * (1.0 / 13 + s2 * (1.0 / 15)))))));
    return e + s * p * 2.88539008177792681472; /* 2 / ln 2 */
}

/* y in about [-50, 12] */
static inline double exp2_poly(double y)
{
    int32_t i = (int32_t)y;
    i -= y < (double)i;
    double f = (y - (double)i) * 0.69314718055994530942;
    double p = 1.0 + f * (1.0 + f * (1.0 / 2 + f * (1.0 / 6 + f * (1.0 / 24 + f * (1.0 / 120 + f * (1.0 / 720 +
               f * (1.0 / 5040 + f * (1.0 / 40320 + f * (1.0 / 362880 + f * (1.0 / 3628800 +
               f * (1.0 / 39916800)))))))))));
    uint64_t bits = (uint64_t)(i + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* ---- lifecycle ------------------------------------------------------------- */

/* The compressor's quiet test for the whole-chunk path: a linked peak
 * detector value d < quiet_below has a level under the knee, L < T - W/2,
 * where gc_knee's target is slope * (+0) clamped to the range, a constant:
 * returned only where it is -0 dB (slope < 0, range < 0), else 0 (no
 * test). level_db errs by 1.4e-13 dB at most and the threshold sits 1e-9
 * (8.7e-9 dB) under 10^((T - W/2) / 20), so every such d's level is under
 * the knee; T - W/2 above -190 dB keeps level_db's clamp at -200 dB (d
 * under 1e-10) under it too. NaN fails the test (d < quiet_below). */
static double quiet_below_of(const dsp_dyn *s)
{
    const double hw = 0.5 * s->p.knee_db, edge = s->p.threshold_db - hw;
    double t0 = gc_knee(-hw - 1.0, hw, s->p.knee_db, s->slope, s->inv_2w, s->p.range_db);
    if (s->p.mode != DSP_DYN_COMPRESS || t0 != 0.0 || !signbit(t0) || !(edge > -190.0))
        return 0.0;
    return pow(10.0, edge / 20.0) * (1.0 - 1e-9);
}

static double pole(double tau, double fs)
{
    return tau > 0.0 ? exp(-1.0 / (tau * fs)) : 0.0;
}

void dsp_dyn_set(dsp_dyn *s, const dsp_dyn_params *p)
{
    curve c;
    clamp_params(&s->p, p);
    curve_from(&c, &s->p);
    s->a_att = pole(s->p.attack_s, s->fs);
    s->a_rel = pole(s->p.release_s, s->fs);
    s->b_rms = pole(s->p.rms_s, s->fs);
    s->inv_2w = c.inv_2w;
    s->slope = c.slope;
    s->quiet_below = quiet_below_of(s);
    double h = floor(s->p.hold_s * s->fs + 0.5);
    s->hold_n = h < 1e9 ? (int)h : 1000000000; /* reached only above 16 MHz */
}

/* Level in dB of a detector value v (|x| for peak, mean square for RMS):
 * k log2(v) with v clamped to [lo, hi] (NaN: lo); see level_consts. */
static inline double level_db(double v, double lo, double hi, double k)
{
    v = v > lo ? v : lo; /* NaN: lo */
    v = v < hi ? v : hi;
    return k * log2_poly(v);
}

/* +-200 dB: 1e-10..1e10 in amplitude (k = 20 / log2 10), 1e-20..1e20 in
 * power (k = 10 / log2 10) */
static void level_consts(int rms, double *lo, double *hi, double *k)
{
    *lo = rms ? 1e-20 : 1e-10;
    *hi = rms ? 1e20 : 1e10;
    *k = rms ? 3.01029995663981195214 : 6.02059991327962390427;
}

void dsp_dyn_reset(dsp_dyn *s)
{
    double lo, hi, k;
    level_consts(s->p.detector == DSP_DYN_RMS, &lo, &hi, &k);
    double g = gain_computer((int)s->p.mode, s->p.threshold_db, s->p.knee_db, s->slope, s->inv_2w,
                             s->p.range_db, level_db(0.0, lo, hi, k));
    g = fabs(g) < GAIN_FLUSH ? 0.0 : g;
    for (int c = 0; c < DSP_DYN_MAX_CHANNELS; c++) {
        s->g[c] = g;
        s->hold[c] = s->hold_n; /* silence has kept the target where the gain is */
        s->ms[c] = 0.0;
    }
    s->phase = 0;
}

void dsp_dyn_copy_state(dsp_dyn *dst, const dsp_dyn *src)
{
    memcpy(dst->g, src->g, sizeof dst->g);
    memcpy(dst->hold, src->hold, sizeof dst->hold);
    memcpy(dst->ms, src->ms, sizeof dst->ms);
    dst->phase = src->phase;
}

/* At every CHUNK-th sample counted from reset (so the points do not move
 * with call sizes): gains within GAIN_FLUSH of 0 dB become 0 dB and mean
 * squares under MS_FLUSH become 0. Between two points a decaying state
 * shrinks by a^64 at most, 1.6e-28 for a time constant of one sample, so it
 * stays far from the denormal range (2e-308); time constants well under a
 * sample fall through it within a step or two, and 0 (a = 0) jumps to the
 * target with no tail at all. */
static void flush(dsp_dyn *s)
{
    for (int c = 0; c < DSP_DYN_MAX_CHANNELS; c++) {
        s->g[c] = fabs(s->g[c]) < GAIN_FLUSH ? 0.0 : s->g[c];
        s->ms[c] = s->ms[c] < MS_FLUSH ? 0.0 : s->ms[c];
    }
}

void dsp_dyn_init(dsp_dyn *s, double sample_rate, const dsp_dyn_params *p)
{
    dsp_dyn_params d;
    memset(s, 0, sizeof *s);
    s->fs = sample_rate > 0.0 && sample_rate < 1e9 ? sample_rate : 48000.0;
    if (!p) {
        dsp_dyn_params_init(&d, DSP_DYN_COMPRESS);
        p = &d;
    }
    dsp_dyn_set(s, p);
    dsp_dyn_reset(s);
}

double dsp_dyn_reduction_db(const dsp_dyn *s, int ch)
{
    if (s->p.link != DSP_DYN_UNLINKED || ch < 0)
        ch = 0;
    if (ch >= DSP_DYN_MAX_CHANNELS)
        ch = DSP_DYN_MAX_CHANNELS - 1;
    return s->g[ch];
}

/* ---- processing ------------------------------------------------------------ */

/* x^2 clamped to 1e20 (+200 dB); NaN: 0 */
static inline double sq(float x)
{
    double x2 = (double)x * (double)x;
    x2 = x2 == x2 ? x2 : 0.0;
    return x2 < 1e20 ? x2 : 1e20;
}

/* det[0..m) = the combined detector value of key channels k[0..nk) at
 * offset off; ms[0..nk) are their RMS states. */
static inline void detect(const dsp_dyn *s, const float *const *k, int nk, int off, int m, double *ms,
                          double *restrict det)
{
    int mean = s->p.link == DSP_DYN_LINK_MEAN;
    if (s->p.detector == DSP_DYN_PEAK) {
        const float *x = k[0] + off;
        for (int i = 0; i < m; i++)
            det[i] = fabs((double)x[i]);
        for (int c = 1; c < nk; c++) {
            x = k[c] + off;
            if (mean)
                for (int i = 0; i < m; i++)
                    det[i] += fabs((double)x[i]);
            else
                for (int i = 0; i < m; i++) {
                    double a = fabs((double)x[i]);
                    det[i] = a > det[i] ? a : det[i];
                }
        }
    } else {
        /* m = b m + (1 - b) x^2: a multiply and an add on the loop-carried
         * path; channels go in pairs so two such chains overlap */
        const double b = s->b_rms, cb = 1.0 - b;
        for (int c = 0; c < nk; c += 2) {
            const int pair = c + 1 < nk; /* else the odd channel runs twice, counted once */
            const float *x = k[c] + off, *y = k[c + pair] + off;
            double v = ms[c], w = ms[c + pair];
            for (int i = 0; i < m; i++) {
                v = b * v + cb * sq(x[i]);
                w = b * w + cb * sq(y[i]);
                double a = v > w ? v : w, sum = pair ? v + w : v;
                if (c == 0)
                    det[i] = mean ? sum : a;
                else if (mean)
                    det[i] += sum;
                else
                    det[i] = a > det[i] ? a : det[i];
            }
            ms[c] = v;
            if (pair)
                ms[c + 1] = w;
        }
    }
    if (mean && nk > 1) {
        double inv = 1.0 / nk;
        for (int i = 0; i < m; i++)
            det[i] *= inv;
    }
}

/* One sample of the attack/release/hold recursion toward the target tg
 * (dB): g and the hold count h move; returns the new g. up: release is the
 * target above g (the compressor), else below (expander, gate). Both
 * candidates are formed from g at once, a g + (1 - a) tg, so the loop-carried
 * path is a multiply, an add and two selects. */
static inline double follow(double tg, double *g, int *h, double aa, double ar, const int up, int hold_n)
{
    double x = *g;
    int rel = up ? tg > x : tg < x, held = rel & (*h > 0);
    double att = aa * x + (1.0 - aa) * tg, rls = ar * x + (1.0 - ar) * tg;
    *h = rel ? *h - held : hold_n;
    *g = held ? x : rel ? rls : att;
    return *g;
}

/* gain[i] = 10^((g[i] + makeup) / 20) */
static inline void to_gain(const dsp_dyn *s, const double *restrict g, float *restrict gain, int m)
{
    const double kx = 0.16609640474436811739, mk = s->p.makeup_db; /* log2(10) / 20 */
    /* four vectors' polynomials interleaved: one vector's Horner chain of
     * 11 dependent multiply-adds is latency-bound */
    _Pragma("GCC unroll 4") for (int i = 0; i < m; i++)
        gain[i] = (float)exp2_poly((g[i] + mk) * kx);
}

/* gain[0..m) = the linear gain for gain slot `slot` from detector values
 * det[0..m) (overwritten). Always inlined: out of line (the unlinked path
 * calls it in a loop) gcc built it once, for baseline x86-64, and every
 * build's polynomials ran in SSE2. */
__attribute__((always_inline)) static inline void gains(dsp_dyn *s, int slot, double *restrict det, float *restrict gain, int m)
{
    const int mode = (int)s->p.mode;
    const double t = s->p.threshold_db, w = s->p.knee_db, slope = s->slope, inv_2w = s->inv_2w;
    const double range = s->p.range_db, hw = 0.5 * w;
    double lo, hi, k;
    level_consts(s->p.detector == DSP_DYN_RMS, &lo, &hi, &k);
    _Pragma("GCC unroll 4") for (int i = 0; i < m; i++) /* as to_gain's */
        det[i] = level_db(det[i], lo, hi, k);
    if (mode == DSP_DYN_COMPRESS)
        for (int i = 0; i < m; i++)
            det[i] = gc_knee(det[i] - t, hw, w, slope, inv_2w, range);
    else if (mode == DSP_DYN_EXPAND)
        for (int i = 0; i < m; i++)
            det[i] = gc_knee(t - det[i], hw, w, slope, inv_2w, range);
    else
        for (int i = 0; i < m; i++)
            det[i] = gc_gate(t, range, det[i]);

    /* the one recursion: release is the target moving up for the
     * compressor, down for the expander and gate */
    const double aa = s->a_att, ar = s->a_rel;
    const int hold_n = s->hold_n;
    double g = s->g[slot];
    int h = s->hold[slot];
    if (mode == DSP_DYN_COMPRESS)
        for (int i = 0; i < m; i++)
            det[i] = follow(det[i], &g, &h, aa, ar, 1, hold_n);
    else
        for (int i = 0; i < m; i++)
            det[i] = follow(det[i], &g, &h, aa, ar, 0, hold_n);
    s->g[slot] = g;
    s->hold[slot] = h;
    to_gain(s, det, gain, m);
}

/* The linked RMS detector of one or two key channels, the gain computer
 * and the attack/release/hold recursion in one loop: the mean-square
 * recursion and the gain's overlap instead of running one after the other.
 * The arithmetic of detect + gains, in the same order (the same bits);
 * gain[0..m) as gains gives it. */
__attribute__((always_inline)) static inline void rms_linked(dsp_dyn *s, const float *const *k, int nk, int off,
                                                             int m, double *restrict det, float *restrict gain,
                                                             const int mode)
{
    const int mean = s->p.link == DSP_DYN_LINK_MEAN, pair = nk > 1;
    const double b = s->b_rms, cb = 1.0 - b, inv = 1.0 / nk;
    const double t = s->p.threshold_db, w = s->p.knee_db, slope = s->slope, inv_2w = s->inv_2w;
    const double range = s->p.range_db, hw = 0.5 * w;
    const double aa = s->a_att, ar = s->a_rel;
    const int hold_n = s->hold_n;
    double lo, hi, kl;
    level_consts(1, &lo, &hi, &kl);
    const float *x = k[0] + off, *y = k[pair] + off;
    double v = s->ms[0], u = s->ms[pair], g = s->g[0];
    int h = s->hold[0];
    for (int i = 0; i < m; i++) {
        v = b * v + cb * sq(x[i]);
        u = b * u + cb * sq(y[i]);
        double a = v > u ? v : u, sum = pair ? v + u : v, d = mean ? sum : a;
        if (mean && pair)
            d *= inv;
        double l = level_db(d, lo, hi, kl);
        double tg = mode == DSP_DYN_COMPRESS ? gc_knee(l - t, hw, w, slope, inv_2w, range)
                    : mode == DSP_DYN_EXPAND ? gc_knee(t - l, hw, w, slope, inv_2w, range)
                                             : gc_gate(t, range, l);
        det[i] = follow(tg, &g, &h, aa, ar, mode == DSP_DYN_COMPRESS, hold_n);
    }
    s->ms[0] = v;
    if (pair)
        s->ms[1] = u;
    s->g[0] = g;
    s->hold[0] = h;
    to_gain(s, det, gain, m);
}

/* ---- whole chunks of the linked peak detector ------------------------------ */

/* The AVX-512 and AVX2 paths for whole chunks (CHUNK samples) of a linked
 * peak detector (dsp/dynamics_chunks.h, included once for each): the
 * detect, gains and multiply passes above rewritten in gcc's generic
 * vectors (8 or 4 doubles), for two reasons.
 * (1) The log2 and exp2 polynomials are chains of 8 and 12 dependent
 * multiply-adds, and gcc emitted each vector's chain whole before the next
 * (unrolled or not): the out-of-order core then held mostly waiting
 * operations. There each step of a chain is written for K vectors side by
 * side (K_TARGETS, K_APPLY; dynamics.o is built with -fno-tree-ter, without
 * which gcc re-serialises them).
 * (2) The attack/release recursion (64 steps a chunk, about 600
 * instructions) filled the reorder buffer by itself, so nothing ran beside
 * its latency. Without a hold it is written without a branch (rec_step:
 * both candidates in one multiply and add, then a permute by the
 * comparison's mask) and woven into the target pass of the
 * chunk after it and the gain pass of the chunk before it, a step after
 * each multiply of their series.
 * The operations are the scalar functions', lane by lane: a select (?:) is
 * a mask from the same comparison, so NaNs go the same way, and every
 * product and sum is formed from the same operands in the same order: the
 * same bits (test_dynamics compares whole chunks against blocks of 1 on
 * every path). The DSP_HOT clones (DUBSTAGE_SIMD=sse2, CPUs without AVX2)
 * keep the passes above. */
#if defined(DSP_WIDE) || defined(DSP_HAVE_AVX2)
#include <immintrin.h>

/* The helpers take and return vectors by value; always inlined, none is
 * ever called, so gcc's note that such a call's ABI differs between the
 * builds does not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"
/* The attack/release recursion without a hold (hold_n 0 and the counter
 * at 0: held is always 0), without a branch: both candidates formed from g
 * as follow forms them, side by side in a 2-lane vector, and one put in
 * both lanes by the comparison's mask (a permute), so the loop-carried
 * path is a multiply, an add and the permute, and nothing mispredicts
 * among the vector work around it. */
typedef double d2 __attribute__((vector_size(2 * sizeof(double))));
#define CK_SUFFIX_W(x) x##_wide
#define CK_SUFFIX_A(x) x##_avx2
#endif

#ifdef DSP_WIDE
#define CK_LANES 8
#define CK_TARGET DSP_WIDE
#define CK_SUFFIX CK_SUFFIX_W
#define CK_LOAD(x) _mm512_cvtps_pd(_mm256_loadu_ps(x)) /* gcc 12's convertvector: two, an extract, an insert */
#define CK_SCALE(x, g) _mm256_storeu_ps((x), _mm256_mul_ps(_mm256_loadu_ps(x), _mm512_cvtpd_ps(g)))
#define CK_MASK_ALL(m) (_mm512_movepi64_mask((__m512i)(m)) == 0xff)
#define CK_MAX(a, b) _mm512_max_pd((a), (b))
#define CK_MIN(a, b) _mm512_min_pd((a), (b))
#define CK_FLOOR(y) _mm512_roundscale_pd((y), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define CK_PAIRS_LO(a, b) _mm512_permutex2var_pd((a), _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), (b))
#define CK_PAIRS_HI(a, b) _mm512_permutex2var_pd((a), _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), (b))
#define K_TARGETS 4 /* 8 spilled the log2's four arrays */
#define K_APPLY 8
#include "dsp/dynamics_chunks.h" /* which #undefs the parameters above */
#endif

#ifdef DSP_HAVE_AVX2
#define CK_LANES 4
#define CK_TARGET __attribute__((target("avx2")))
#define CK_SUFFIX CK_SUFFIX_A
#define CK_LOAD(x) _mm256_cvtps_pd(_mm_loadu_ps(x))
#define CK_SCALE(x, g) _mm_storeu_ps((x), _mm_mul_ps(_mm_loadu_ps(x), _mm256_cvtpd_ps(g)))
#define CK_MASK_ALL(m) (_mm256_movemask_pd((__m256d)(m)) == 0xf)
#define CK_MAX(a, b) _mm256_max_pd((a), (b))
#define CK_MIN(a, b) _mm256_min_pd((a), (b))
#define CK_FLOOR(y) _mm256_round_pd((y), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define CK_PAIRS_LO(a, b) _mm256_permute2f128_pd(_mm256_unpacklo_pd((a), (b)), _mm256_unpackhi_pd((a), (b)), 0x20)
#define CK_PAIRS_HI(a, b) _mm256_permute2f128_pd(_mm256_unpacklo_pd((a), (b)), _mm256_unpackhi_pd((a), (b)), 0x31)
#define K_TARGETS 4
#define K_APPLY 4
#include "dsp/dynamics_chunks.h" /* which #undefs the parameters above */
#endif


__attribute__((always_inline)) static inline void process(dsp_dyn *s, const float *const *key, int nkey,
                                                          float *const *io, int nch, int n, const int path)
{
    /* path: 2, the 64-byte build's chunks; 1, the AVX2 ones; 0, none */
    if (n <= 0)
        return;
    if (nch < 0)
        nch = 0;
    if (nch > DSP_DYN_MAX_CHANNELS)
        nch = DSP_DYN_MAX_CHANNELS;
    if (!key || nkey <= 0) {
        key = (const float *const *)io;
        nkey = nch;
    }
    if (nkey > DSP_DYN_MAX_CHANNELS)
        nkey = DSP_DYN_MAX_CHANNELS;
    if (nkey <= 0)
        return;

    double det[CHUNK] __attribute__((aligned(64)));
    if (s->p.link != DSP_DYN_UNLINKED) {
        float gain[CHUNK];
        for (int off = 0, m; off < n; off += m) {
            m = n - off < CHUNK - s->phase ? n - off : CHUNK - s->phase;
            if (s->p.detector == DSP_DYN_PEAK && m == CHUNK && path) {
                const int nc = (n - off) / CHUNK;
#ifdef DSP_WIDE
                if (path == 2)
                    peak_chunks_v_wide(s, key, nkey, io, nch, off, nc);
#endif
#ifdef DSP_HAVE_AVX2
                if (path == 1)
                    peak_chunks_v_avx2(s, key, nkey, io, nch, off, nc);
#endif
                m = nc * CHUNK;
                continue;
            }
            if (s->p.detector == DSP_DYN_RMS && nkey <= 2) {
                if (s->p.mode == DSP_DYN_COMPRESS)
                    rms_linked(s, key, nkey, off, m, det, gain, DSP_DYN_COMPRESS);
                else if (s->p.mode == DSP_DYN_EXPAND)
                    rms_linked(s, key, nkey, off, m, det, gain, DSP_DYN_EXPAND);
                else
                    rms_linked(s, key, nkey, off, m, det, gain, DSP_DYN_GATE);
            } else {
                detect(s, key, nkey, off, m, s->ms, det);
                gains(s, 0, det, gain, m);
            }
            for (int c = 0; c < nch; c++) {
                float *x = io[c] + off;
                for (int i = 0; i < m; i++)
                    x[i] *= gain[i];
            }
            if ((s->phase += m) == CHUNK) {
                s->phase = 0;
                flush(s);
            }
        }
        return;
    }
    /* unlinked: every channel's gains for a chunk before any is applied, so
     * a key that is one of the audio buffers is read before it changes */
    float gain[DSP_DYN_MAX_CHANNELS][CHUNK];
    for (int off = 0, m; off < n; off += m) {
        m = n - off < CHUNK - s->phase ? n - off : CHUNK - s->phase;
        for (int c = 0; c < nch; c++) {
            detect(s, &key[c % nkey], 1, off, m, &s->ms[c], det);
            gains(s, c, det, gain[c], m);
        }
        for (int c = 0; c < nch; c++) {
            float *x = io[c] + off;
            for (int i = 0; i < m; i++)
                x[i] *= gain[c][i];
        }
        if ((s->phase += m) == CHUNK) {
            s->phase = 0;
            flush(s);
        }
    }
}

/* Three builds of the same loops, chosen when called: 64-byte vectors where
 * the CPU has them, else the AVX2 or baseline clone. The polynomials are
 * chains of dependent multiplies and adds, latency-bound four lanes at a
 * time: eight lanes a vector put twice the samples in flight for the same
 * number of instructions (Zen 4 splits a 64-byte operation in two, so the
 * throughput is the AVX2 clone's, the latency is not). The same IEEE
 * operations lane by lane: the same bits on every path. */
#ifdef DSP_WIDE
DSP_WIDE static void process_wide(dsp_dyn *s, const float *const *key, int nkey, float *const *io, int nch, int n)
{
    process(s, key, nkey, io, nch, n, 2);
}
#endif

#ifdef DSP_HAVE_AVX2
/* AVX2 with its own chunk path; the DSP_HOT clones below remain for
 * DUBSTAGE_SIMD=sse2 (whose resolver still picks the AVX2 clone where the
 * CPU has it) and for CPUs without AVX2 */
__attribute__((target("avx2"))) static void process_avx2(dsp_dyn *s, const float *const *key, int nkey,
                                                           float *const *io, int nch, int n)
{
    process(s, key, nkey, io, nch, n, 1);
}
#endif

DSP_HOT static void process_hot(dsp_dyn *s, const float *const *key, int nkey, float *const *io, int nch, int n)
{
    process(s, key, nkey, io, nch, n, 0);
}

void dsp_dyn_process(dsp_dyn *s, const float *const *key, int nkey, float *const *io, int nch, int n)
{
#ifdef DSP_WIDE
    if (DSP_HAVE_WIDE()) {
        process_wide(s, key, nkey, io, nch, n);
        return;
    }
#endif
#ifdef DSP_HAVE_AVX2
    if (DSP_HAVE_AVX2()) {
        process_avx2(s, key, nkey, io, nch, n);
        return;
    }
#endif
    process_hot(s, key, nkey, io, nch, n);
}

double dsp_dyn_memory(const dsp_dyn *s)
{
    double a = dsp_memory_pole(s->a_att), r = dsp_memory_pole(s->a_rel);
    return s->hold_n + (a > r ? a : r) + (s->p.detector == DSP_DYN_RMS ? dsp_memory_pole(s->b_rms) : 0);
}
