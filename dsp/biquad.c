/* biquad.c - second-order IIR sections (see biquad.h).
 *
 * Source: Robert Bristow-Johnson, "Cookbook formulae for audio EQ biquad
 * filter coefficients" (the Audio EQ Cookbook, W3C note edition): the
 * analogue prototypes, the bilinear transform prewarped at f0, alpha =
 * sin(w0) / (2 Q), A = 10^(gain_db / 40), the Q of shelf slope S. First
 * order: the same bilinear transform of 1 / (s + 1) and s / (s + 1) with
 * K = tan(w0 / 2). Butterworth: the poles of 1 / (1 + (-s^2)^N) on the unit
 * circle, paired into sections (Q formula in biquad.h). 1 - cos w0 is
 * computed as 2 sin^2(w0 / 2), exact where cos w0 is near 1 (low f0).
 *
 * Measurements below: AMD EPYC (Zen 4), gcc 12, -O3 -ffp-contract=off,
 * in-cache buffers, best of 15 runs; /tmp programs, not part of the tree.
 *
 * Structure: Direct Form I, y = (((b0 x + b1 x1) + b2 x2) - a2 y2) - a1 y1
 * in that order, so the loop-carried dependency is one multiply and one
 * subtract. One channel, 4096-sample blocks: DF-I 1.34 ns per sample;
 * transposed DF-II 2.06 ns (its chain is a multiply, a subtract and an add);
 * transposed DF-II in float 2.04 ns (the loop is latency-bound: float buys
 * nothing). DF-I also keeps only signal values in its state, so new
 * coefficients take effect without a burst from stale partial sums.
 *
 * Precision: the state is double. A Q 1/sqrt 2 high-pass at 20 Hz, 96 kHz,
 * fed 10 s of noise and a 31 Hz tone at -7.7 dBFS RMS, against the same
 * coefficients in long double: this DF-I in double errs by at most -230 dBFS
 * (-241 dB RMS); transposed DF-II with float state and coefficients by
 * -51 dBFS (-55 dBFS from the float arithmetic alone, -68 dB RMS), DF-I in
 * float by -54 dBFS. At 40 Hz, 48 kHz, float is still at -66 dBFS. A
 * -55 dBFS noise floor is audible on a quiet stem, hence double.
 *
 * Denormals: every 64 samples counted from reset (so the points do not move
 * with block sizes or paths), each state value under 1e-30 in magnitude, or
 * not finite, is set to 0. Without it, the 20 Hz high-pass above, after a
 * burst, decays into a denormal limit cycle (the state sat at 1.3e-321 for
 * the rest of a 60 s silence) and ran 2.6-3 times slower from 10 s on; with
 * it the state is exactly 0 within a second and the time per sample stays
 * flat. (From full scale to 1e-30 takes that filter ~75,000 samples, so the
 * 64-sample check never lets a state reach double denormals.) Denormal
 * float input is a normal double: 2 s of +-1e-40 input cost 1.52 ns/sample.
 *
 * Many channels: a recursive filter is latency-bound per channel, so
 * throughput comes from running channels side by side, one per vector lane,
 * with gcc's vector extension (never an FMA). Where simd.h would build
 * AVX2 clones and the CPU has AVX2: groups of 4 lanes in 32-byte vectors, 2
 * groups (8 channels) interleaved per call, 4-sample runs moved by 16-byte
 * loads and stores and transposed in registers. Where the CPU also has
 * AVX-512 (F, VL, BW, DQ): groups of 8 lanes in 64-byte vectors, 2 groups
 * (16 channels) interleaved per call, 8-sample runs. Otherwise: pairs of
 * lanes in 16-byte SSE2 vectors, 2-sample runs. Every lane does exactly what
 * run1 does, in the same order, so the bits are the same on every path.
 * Throughput, ns per channel-sample, one peaking EQ, 4096-sample blocks
 * (512-sample blocks within 4%; 64-sample blocks cost up to 25% more):
 *     scalar dsp_biquad_process                  1.34
 *     multi, AVX2:  2 ch 0.81, 6 ch 0.50, 8 / 12 / 16 ch 0.37 / 0.39 / 0.38
 *     multi, SSE2:  2 ch 0.86, 6 ch 0.60, 8 / 12 / 16 ch 0.63 / 0.61 / 0.63
 * so 3.6 times the scalar rate from 8 channels with AVX2, 2.1 times with
 * SSE2. A pair of sections (a high-pass then a peaking EQ, 16 channels,
 * 1024-sample blocks, this machine: AMD EPYC in a VM, gcc 12), when the
 * sample was still rounded to float between them: two calls 0.94 ns per
 * channel-sample, dsp_biquad_multi_process2 0.875. It was no more because
 * the steps, not the loads, stores and transposes the second pass saves,
 * set the pace, and the rounding between the sections cost two conversions
 * per vector, as the store and load did.
 * What bounds a pair (2026-12-06, Zen 4, throughput loops of one
 * instruction kind, and of two kinds mixed): the multiplies run on their
 * own pipes, one 64-byte vmulpd a cycle; the adds, subtracts and the
 * float<->double conversions share the other pipes: a 64-byte vaddpd takes
 * one slot, a cvtpd2ps about 1.4 and a cvtps2pd 1.2 (4 adds with 4
 * conversions take their sum; 4 multiplies with 4 conversions, the
 * conversions' time). A pair's sample on 8 lanes does 10 multiplies and 8
 * adds, and with the rounding between the sections 4 conversions: about
 * 13 slots on the add pipes against 10 on the multiply pipes. Keeping the
 * sample in double between the sections drops 2 of the 4 conversions (the
 * pair rule in biquad.h): both sides near 10, and in the kernels
 * (dsp_biquad_multi_process2 of 8 channels, 1024-frame blocks, a loaded
 * machine, each block timed by both builds in turns, median of the
 * per-block ratios): AVX-512 -21 %, AVX2 -12 %, SSE2 -15 %.
 * Butterworth cascades (one loop, sections overlapping): order 2 1.45, 4
 * 1.86, 6 2.62, 8 3.58 ns per sample (four chained sections: 5.4).
 * The AVX-512 kernel, this machine (AMD EPYC Zen 4 in a VM, 3.6 GHz), a
 * high-pass and a peaking EQ, 1024-sample blocks, ns per channel-section-
 * sample, AVX2 -> AVX-512: fused 8 ch 0.436 -> 0.336, 16 ch 0.437 -> 0.330;
 * one section 8 ch 0.455 -> 0.384, 16 ch 0.451 -> 0.345. Zen 4 runs a 64-byte
 * operation as two 32-byte halves, so the arithmetic costs the same per
 * lane; the gain is in the loop around it (half the instructions, a quarter
 * of the loads and stores per sample). What was left was mostly
 * conversions: without the float rounding between the sections (the pair
 * rule since 2026-12-06) the fused 16 channels took 0.268, without the
 * transposes 0.300; the steps alone, in registers, 0.17-0.2.
 * Mirrored sections (2026-12-06, later): a low-pass or high-pass has b2 =
 * b0 and b1 = +-2 b0 bit for bit, so where its input is a float, b2 x2 is
 * the b0 x of two samples before and b1 x1 is exactly 2 (b0 x1): the
 * AVX-512 kernels take such a first section in 3 multiplies, 1 FMA and 2
 * subtracts instead of 5 multiplies and 4 adds (STEP_MIRRORED,
 * takes_mirrored), the same bits. tests/tools/biquad_bench pinned to one
 * CPU, a loaded machine, 1024-frame blocks, the median of 5 turns' best of
 * 21 rounds, ns per channel-section-sample, before -> after: high-pass +
 * peak 8 ch 0.276 -> 0.269 (-2.4 %), 16 ch 0.290 -> 0.280 (-3.5 %); a
 * high-pass alone 8 ch 0.385 -> 0.374 (-3 %), 16 ch 0.400 -> 0.379 (-5 %).
 * Fewer operations of both kinds buy little because the 8-channel pair is
 * bound by neither pipe group alone nor by the recursion: moving 2, 3 or 4
 * of a pair-sample's adds and subtracts to the multiply pipes as fma(q,
 * +-1, p) (exact, the same bits) made it 4.5, 6 and 12 % slower; b1 x1 as
 * -(p1 + p1) instead of the FMA 6 % slower; cutting the recursion (a probe
 * with other bits) 2.6 % faster, dropping the transposes (another) 12 %.
 * Also no faster: the next run's loads interleaved with this run's steps,
 * the two sections sample by sample; on AVX2, the loads and stores folded
 * into the first and last section pass, 8- or 16-sample blocks, the two
 * groups' runs moved as lanes k and k + 4 of 32-byte float vectors as the
 * octs do (+3 %).
 * On AVX2, more recursions at once (2026-12-06, session 18; biquad_bench
 * 8 2 1024 15 stereo, pinned, six alternating turns with this build):
 * section 1 one sample behind section 0 in one loop, each reading its
 * input history back from a block buffer, so four recursions overlap
 * instead of two: 0.355-0.39 against 0.327 ns per channel-section-sample
 * unsummed, the loop bound by its loads instead (19 a sample for 8
 * channels: the 16 registers hold the four recursions' y1, y2 and few of
 * the 8-10 coefficients). Section 1 reading its input history from section
 * 0's y1, y2 (the same values in a pair) and the mirrored step (k2 p1 is
 * exact, so no FMA is needed): the loop 0.232 -> 0.204, but the products'
 * pass and the block's edges gave it back: 0.397 against 0.3995 summed,
 * and no change in the film's render (AVX2, one thread, ABBA). A
 * standalone model of the same loops, /tmp, without the transposes and the
 * sums, had promised 28 %. The pair on AVX2 is held by what the AVX-512
 * path is not: twice the instructions and half the registers for the same
 * arithmetic on the same 256-bit pipes (Zen 4). The same day, as a probe
 * with other bits: every step's products summed by FMA (a1 y1 last, so
 * the recursion's chain is one FMA, 4 cycles, instead of a multiply and a
 * subtract, 6): AVX-512 0.335 -> 0.318, AVX2 0.402 -> 0.375 summed, 5-7 %
 * of the EQ, 2-3 % of the film; not worth new output bits for every mix
 * and a software fma on the SSE2 path.
 * Summed batches (dsp_biquad_multi_process_sum, 2026-12-06): the bus's sum
 * made from the output in registers moves the mixes' loads and stores
 * onto the float pipes the pass is bound by (a product and a sum per lane
 * and 8 samples, and the halves' joins), so it saved the film mix less
 * than the memory traffic it spares: about 5 % of the pass and its mixes
 * for a bus's first batch (whose clear goes too), about nothing on one
 * thread for a second batch (which adds to the first's sum). Reading the
 * tracks' frames (dsp_biquad_multi_process_sum_frames) instead saves a
 * whole pass over the samples (the clips' copy into the tracks' buffers)
 * and costs the kernel nothing: mono frames are lanes as they are, stereo
 * pairs take 64-bit unpacks in place of the 4 x 4 transposes. The film,
 * one thread, AVX-512, quiet: 2.208 -> 2.064 s (paired medians, bench.md). */
#include "dsp/biquad.h"
#include "dsp/memory.h"
#include "dsp/mix.h"
#include "dsp/simd.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define PI 3.14159265358979323846
#define FLUSH_PERIOD 64   /* samples between flush points */
#define FLUSH_BELOW 1e-30 /* state magnitudes below this become 0 (-600 dB) */
#define BLOCK 32          /* samples per block of the two-group vector kernels (LANES_KERNEL) */

/* ---- design -------------------------------------------------------------- */

static double clamp_freq(double sample_rate, double freq)
{
    double lo = 1e-5 * sample_rate, hi = 0.499 * sample_rate;
    if (!(freq >= lo))
        return lo;
    return freq > hi ? hi : freq;
}

static double clamp_q(double q)
{
    if (!(q > 0.0))
        return sqrt(0.5);
    if (q < 0.01)
        return 0.01;
    return q > 1000.0 ? 1000.0 : q;
}

void dsp_biquad_design(dsp_biquad_coefs *c, dsp_eq_type type, double sample_rate, double freq, double q,
                       double gain_db)
{
    freq = clamp_freq(sample_rate, freq);
    q = clamp_q(q);
    if (!isfinite(gain_db))
        gain_db = 0.0;
    double w0 = 2.0 * PI * freq / sample_rate;
    double cw = cos(w0), sw = sin(w0);
    double sh = sin(0.5 * w0);
    double omc = 2.0 * sh * sh; /* 1 - cos w0 without the cancellation near DC */
    double opc = 2.0 - omc;     /* 1 + cos w0 */
    double alpha = sw / (2.0 * q);
    double A = pow(10.0, gain_db / 40.0);
    double b0 = 1.0, b1 = 0.0, b2 = 0.0, a0 = 1.0, a1 = 0.0, a2 = 0.0;

    switch (type) {
    case DSP_EQ_LOWPASS:
        b0 = 0.5 * omc, b1 = omc, b2 = 0.5 * omc;
        a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
        break;
    case DSP_EQ_HIGHPASS:
        b0 = 0.5 * opc, b1 = -opc, b2 = 0.5 * opc;
        a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
        break;
    case DSP_EQ_BANDPASS:
        b0 = alpha, b1 = 0.0, b2 = -alpha;
        a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
        break;
    case DSP_EQ_NOTCH:
        b0 = 1.0, b1 = -2.0 * cw, b2 = 1.0;
        a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
        break;
    case DSP_EQ_ALLPASS:
        b0 = 1.0 - alpha, b1 = -2.0 * cw, b2 = 1.0 + alpha;
        a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
        break;
    case DSP_EQ_PEAK:
        b0 = 1.0 + alpha * A, b1 = -2.0 * cw, b2 = 1.0 - alpha * A;
        a0 = 1.0 + alpha / A, a1 = -2.0 * cw, a2 = 1.0 - alpha / A;
        break;
    case DSP_EQ_LOWSHELF: {
        double k = 2.0 * sqrt(A) * alpha;
        b0 = A * ((A + 1.0) - (A - 1.0) * cw + k);
        b1 = 2.0 * A * ((A - 1.0) - (A + 1.0) * cw);
        b2 = A * ((A + 1.0) - (A - 1.0) * cw - k);
        a0 = (A + 1.0) + (A - 1.0) * cw + k;
        a1 = -2.0 * ((A - 1.0) + (A + 1.0) * cw);
        a2 = (A + 1.0) + (A - 1.0) * cw - k;
        break;
    }
    case DSP_EQ_HIGHSHELF: {
        double k = 2.0 * sqrt(A) * alpha;
        b0 = A * ((A + 1.0) + (A - 1.0) * cw + k);
        b1 = -2.0 * A * ((A - 1.0) + (A + 1.0) * cw);
        b2 = A * ((A + 1.0) + (A - 1.0) * cw - k);
        a0 = (A + 1.0) - (A - 1.0) * cw + k;
        a1 = 2.0 * ((A - 1.0) - (A + 1.0) * cw);
        a2 = (A + 1.0) - (A - 1.0) * cw - k;
        break;
    }
    case DSP_EQ_LOWPASS1: {
        double K = tan(0.5 * w0);
        b0 = K, b1 = K;
        a0 = 1.0 + K, a1 = K - 1.0;
        break;
    }
    case DSP_EQ_HIGHPASS1: {
        double K = tan(0.5 * w0);
        b0 = 1.0, b1 = -1.0;
        a0 = 1.0 + K, a1 = K - 1.0;
        break;
    }
    }
    c->b0 = b0 / a0;
    c->b1 = b1 / a0;
    c->b2 = b2 / a0;
    c->a1 = a1 / a0;
    c->a2 = a2 / a0;
}

double dsp_biquad_shelf_q(double gain_db, double slope)
{
    if (!(slope > 0.0) || !isfinite(gain_db))
        return 0.0;
    double A = pow(10.0, gain_db / 40.0);
    double r = (A + 1.0 / A) * (1.0 / slope - 1.0) + 2.0;
    return r > 0.0 && isfinite(r) ? 1.0 / sqrt(r) : 0.0;
}

/* |p0 + p1 z^-1 + p2 z^-2|^2 at z = e^jw, 0 <= w <= pi, written as a
 * polynomial in d = z^-1 - 1 (w <= pi/2) or d = z^-1 + 1 (w > pi/2), with
 * Re d, Im d from sin(w/2), cos(w/2) and sin w: no cos w near +-1 to
 * subtract from 1. */
static double poly_mag2(double p0, double p1, double p2, double w)
{
    double c0, c1, dr, di = -sin(w);
    if (w <= 0.5 * PI) {
        double h = sin(0.5 * w);
        dr = -2.0 * h * h;
        c0 = (p0 + p1) + p2;
        c1 = p1 + 2.0 * p2;
    } else {
        double g = cos(0.5 * w);
        dr = 2.0 * g * g;
        c0 = (p0 - p1) + p2;
        c1 = p1 - 2.0 * p2;
    }
    /* c0 + d (c1 + p2 d) */
    double ur = c1 + p2 * dr, ui = p2 * di;
    double re = c0 + (ur * dr - ui * di);
    double im = ur * di + ui * dr;
    return re * re + im * im;
}

double dsp_biquad_magnitude_db(const dsp_biquad_coefs *c, double sample_rate, double freq)
{
    double w = 2.0 * PI * fabs(freq) / sample_rate;
    w = fmod(w, 2.0 * PI);
    if (w > PI)
        w = 2.0 * PI - w;
    double num = poly_mag2(c->b0, c->b1, c->b2, w);
    double den = poly_mag2(1.0, c->a1, c->a2, w);
    if (num == 0.0)
        return -HUGE_VAL;
    return 10.0 * log10(num / den);
}

/* ---- one channel ----------------------------------------------------------- */

static double flush(double v)
{
    double a = fabs(v);
    return a >= FLUSH_BELOW && a <= DBL_MAX ? v : 0.0;
}

static const dsp_biquad_coefs wire = {1.0, 0.0, 0.0, 0.0, 0.0};

void dsp_biquad_init(dsp_biquad *s)
{
    s->c = wire;
    dsp_biquad_reset(s);
}

void dsp_biquad_set(dsp_biquad *s, const dsp_biquad_coefs *c)
{
    s->c = *c;
}

void dsp_biquad_reset(dsp_biquad *s)
{
    s->x1 = s->x2 = s->y1 = s->y2 = 0.0;
    s->phase = 0;
}

void dsp_biquad_copy_state(dsp_biquad *dst, const dsp_biquad *src)
{
    dst->x1 = src->x1, dst->x2 = src->x2, dst->y1 = src->y1, dst->y2 = src->y2;
    dst->phase = src->phase;
}

/* The one-channel loop; st = {x1, x2, y1, y2}, phase = samples since the
 * last flush point. in == out is allowed. */
static void run1(const dsp_biquad_coefs *c, double st[4], int phase, const float *in, float *out, int n)
{
    const double b0 = c->b0, b1 = c->b1, b2 = c->b2, a1 = c->a1, a2 = c->a2;
    double x1 = st[0], x2 = st[1], y1 = st[2], y2 = st[3];
    while (n > 0) {
        int len = FLUSH_PERIOD - phase;
        if (len > n)
            len = n;
        for (int i = 0; i < len; i++) {
            double x = in[i];
            double y = (((b0 * x + b1 * x1) + b2 * x2) - a2 * y2) - a1 * y1;
            x2 = x1;
            x1 = x;
            y2 = y1;
            y1 = y;
            out[i] = (float)y;
        }
        in += len;
        out += len;
        n -= len;
        phase += len;
        if (phase == FLUSH_PERIOD) {
            phase = 0;
            x1 = flush(x1), x2 = flush(x2), y1 = flush(y1), y2 = flush(y2);
        }
    }
    st[0] = x1, st[1] = x2, st[2] = y1, st[3] = y2;
}

void dsp_biquad_process(dsp_biquad *s, const float *in, float *out, int n)
{
    if (n <= 0)
        return;
    double st[4] = {s->x1, s->x2, s->y1, s->y2};
    run1(&s->c, st, s->phase, in, out, n);
    s->x1 = st[0], s->x2 = st[1], s->y1 = st[2], s->y2 = st[3];
    s->phase = (int)((s->phase + (long long)n) % FLUSH_PERIOD);
}

/* ---- channels side by side -------------------------------------------------- */

void dsp_biquad_multi_init(dsp_biquad_multi *s)
{
    s->c = wire;
    dsp_biquad_multi_reset(s);
}

void dsp_biquad_multi_set(dsp_biquad_multi *s, const dsp_biquad_coefs *c)
{
    s->c = *c;
}

void dsp_biquad_multi_reset(dsp_biquad_multi *s)
{
    memset(s->x1, 0, sizeof s->x1);
    memset(s->x2, 0, sizeof s->x2);
    memset(s->y1, 0, sizeof s->y1);
    memset(s->y2, 0, sizeof s->y2);
    s->phase = 0;
}

void dsp_biquad_multi_copy_state(dsp_biquad_multi *dst, const dsp_biquad_multi *src)
{
    dst->phase = src->phase;
    memcpy(dst->x1, src->x1, sizeof dst->x1);
    memcpy(dst->x2, src->x2, sizeof dst->x2);
    memcpy(dst->y1, src->y1, sizeof dst->y1);
    memcpy(dst->y2, src->y2, sizeof dst->y2);
}

/* A kernel runs up to 16 lanes through a chain of NS sections (1, or 2:
 * a pair), lane k reading and writing p[k], with section j's state of the
 * lanes in st[j][0..3][k] = x1, x2, y1, y2, for n samples starting at
 * `phase` samples after a flush point (common to the sections), in runs of
 * 2 (pairs), 4 (quads) or 8 (octs) samples per lane and vector, the odd
 * samples at the end of a run one at a time. Within a vector every input of
 * a run is loaded before any output is stored, so two lanes of one vector
 * may share a buffer if they share their state too: they store the same
 * bits. A sample goes through a pair's sections one after the other while
 * it is in registers, in double: the second section's input is the first
 * one's output unrounded (what step2 does), and only the pair's output is
 * rounded to float. */
typedef double v2d __attribute__((vector_size(2 * sizeof(double))));
typedef long long v2i __attribute__((vector_size(2 * sizeof(long long))));

/* The one-sample DF-I step of run1 on a vector of lanes, of section j. */
#define STEP(j, x, x1, x2, y1, y2)                                                                          \
    do {                                                                                                    \
        __typeof__(x) y_ = (((b0[j] * (x) + b1[j] * (x1)) + b2[j] * (x2)) - a2[j] * (y2)) - a1[j] * (y1);   \
        (x2) = (x1), (x1) = (x), (y2) = (y1), (y1) = y_;                                                    \
    } while (0)

/* STEP of a mirrored section (takes_mirrored: b2 = b0, b1 = k2 b0, k2 =
 * +-2) whose input is a float, in 3 multiplies instead of 5 and 3 adds
 * instead of 4, with the same bits: p1, p2 hold b0 x1 and b0 x2 from the
 * two steps before, so b2 x2 is p2 (the same multiply), and b1 x1, which is
 * k2 p1 exactly (takes_mirrored), is added to b0 x by FMA(p1, k2, b0 x) =
 * p1 k2 + b0 x rounded once, as b0 x + b1 x1 is. */
#define STEP_MIRRORED(j, x, x1, x2, y1, y2, p1, p2, FMA)                                                    \
    do {                                                                                                    \
        __typeof__(x) p_ = b0[j] * (x);                                                                     \
        __typeof__(x) y_ = ((FMA(p1, k2, p_) + (p2)) - a2[j] * (y2)) - a1[j] * (y1);                        \
        (x2) = (x1), (x1) = (x), (p2) = (p1), (p1) = p_, (y2) = (y1), (y1) = y_;                            \
    } while (0)

/* flush() on every lane of v (vi: the integer vector of its size); |v| is v
 * with the sign bit cleared. */
#define FLUSH_LANES(v, vi)                                                                                  \
    do {                                                                                                    \
        __typeof__(v) a_ = (__typeof__(v))((vi)(v) & INT64_MAX);                                            \
        (v) = (__typeof__(v))((vi)(v) & ((a_ >= FLUSH_BELOW) & (a_ <= DBL_MAX)));                           \
    } while (0)

/* The coefficients of sections 0..NS-1 broadcast to vectors of type V. */
#define LOAD_COEFS(V, c, NS)                                                                                \
    V b0[2], b1[2], b2[2], a1[2], a2[2];                                                                    \
    for (int j_ = 0; j_ < (NS); j_++) {                                                                     \
        const dsp_biquad_coefs *k_ = (c)[j_];                                                               \
        for (int l_ = 0; l_ < (int)(sizeof(V) / sizeof(double)); l_++)                                      \
            b0[j_][l_] = k_->b0, b1[j_][l_] = k_->b1, b2[j_][l_] = k_->b2, a1[j_][l_] = k_->a1,             \
            a2[j_][l_] = k_->a2;                                                                            \
    }

/* One channel through a pair of sections c[0], c[1]: run1's step of each,
 * the sample in double between them, rounded to float after the second.
 * st[j] = section j's {x1, x2, y1, y2}, phase[j] its samples since its last
 * flush point: the two may differ (state copied in from elsewhere), and
 * each section's state is flushed at its own points. */
static void step2(const dsp_biquad_coefs *const *c, double (*st)[4], int *phase, float *io, int n)
{
    double b0[2], b1[2], b2[2], a1[2], a2[2];
    for (int j = 0; j < 2; j++)
        b0[j] = c[j]->b0, b1[j] = c[j]->b1, b2[j] = c[j]->b2, a1[j] = c[j]->a1, a2[j] = c[j]->a2;
    double x1 = st[0][0], x2 = st[0][1], y1 = st[0][2], y2 = st[0][3];
    double u1 = st[1][0], u2 = st[1][1], v1 = st[1][2], v2 = st[1][3];
    int ph0 = phase[0], ph1 = phase[1];
    while (n > 0) {
        int len = FLUSH_PERIOD - (ph0 > ph1 ? ph0 : ph1); /* to the nearer flush point */
        if (len > n)
            len = n;
        for (int i = 0; i < len; i++) {
            double x = io[i];
            STEP(0, x, x1, x2, y1, y2);
            STEP(1, y1, u1, u2, v1, v2);
            io[i] = (float)v1;
        }
        io += len;
        n -= len;
        ph0 += len;
        ph1 += len;
        if (ph0 == FLUSH_PERIOD) {
            ph0 = 0;
            x1 = flush(x1), x2 = flush(x2), y1 = flush(y1), y2 = flush(y2);
        }
        if (ph1 == FLUSH_PERIOD) {
            ph1 = 0;
            u1 = flush(u1), u2 = flush(u2), v1 = flush(v1), v2 = flush(v2);
        }
    }
    st[0][0] = x1, st[0][1] = x2, st[0][2] = y1, st[0][3] = y2;
    st[1][0] = u1, st[1][1] = u2, st[1][2] = v1, st[1][3] = v2;
    phase[0] = ph0, phase[1] = ph1;
}

typedef void kernel_fn(const dsp_biquad_coefs *const *c, double (*st)[4][16], float *const *p, int phase, int n);
/* a kernel that sums its output into a bus (dsp_biquad_sum) instead of storing it */
typedef void sum_kernel_fn(const dsp_biquad_coefs *const *c, double (*st)[4][16], float *const *p, int phase, int n,
                           const dsp_biquad_sum *sum);

/* P pairs of lanes in 16-byte vectors, NS sections: SSE2, the baseline. */
__attribute__((always_inline)) static inline void pairs(const dsp_biquad_coefs *const *c, double (*st)[4][16],
                                                        float *const *p, int phase, int n, const int P,
                                                        const int NS)
{
    LOAD_COEFS(v2d, c, NS)
    float *q[8];
    v2d x1[2][4], x2[2][4], y1[2][4], y2[2][4];
    for (int j = 0; j < P; j++) {
        q[2 * j] = p[2 * j], q[2 * j + 1] = p[2 * j + 1];
        for (int s = 0; s < NS; s++) {
            x1[s][j] = (v2d){st[s][0][2 * j], st[s][0][2 * j + 1]};
            x2[s][j] = (v2d){st[s][1][2 * j], st[s][1][2 * j + 1]};
            y1[s][j] = (v2d){st[s][2][2 * j], st[s][2][2 * j + 1]};
            y2[s][j] = (v2d){st[s][3][2 * j], st[s][3][2 * j + 1]};
        }
    }
    int off = 0;
    while (n > 0) {
        int len = FLUSH_PERIOD - phase;
        if (len > n)
            len = n;
        int i = off, end = off + len;
        for (; i + 2 <= end; i += 2) {
            _Pragma("GCC unroll 4") for (int j = 0; j < P; j++) {
                float *u = q[2 * j] + i, *w = q[2 * j + 1] + i;
                v2d r0 = {u[0], u[1]}, r1 = {w[0], w[1]}; /* 2 samples of each lane */
                v2d s0 = {r0[0], r1[0]}, s1 = {r0[1], r1[1]};
                _Pragma("GCC unroll 2") for (int s = 0; s < NS; s++) {
                    STEP(s, s0, x1[s][j], x2[s][j], y1[s][j], y2[s][j]);
                    s0 = y1[s][j];
                    STEP(s, s1, x1[s][j], x2[s][j], y1[s][j], y2[s][j]);
                    s1 = y1[s][j];
                }
                r0 = (v2d){s0[0], s1[0]}, r1 = (v2d){s0[1], s1[1]};
                u[0] = (float)r0[0], u[1] = (float)r0[1];
                w[0] = (float)r1[0], w[1] = (float)r1[1];
            }
        }
        for (; i < end; i++) {
            _Pragma("GCC unroll 4") for (int j = 0; j < P; j++) {
                v2d x = {q[2 * j][i], q[2 * j + 1][i]};
                _Pragma("GCC unroll 2") for (int s = 0; s < NS; s++) {
                    STEP(s, x, x1[s][j], x2[s][j], y1[s][j], y2[s][j]);
                    x = y1[s][j];
                }
                q[2 * j][i] = (float)x[0], q[2 * j + 1][i] = (float)x[1];
            }
        }
        off += len;
        n -= len;
        phase += len;
        if (phase == FLUSH_PERIOD) {
            phase = 0;
            for (int s = 0; s < NS; s++)
                for (int j = 0; j < P; j++) {
                    FLUSH_LANES(x1[s][j], v2i);
                    FLUSH_LANES(x2[s][j], v2i);
                    FLUSH_LANES(y1[s][j], v2i);
                    FLUSH_LANES(y2[s][j], v2i);
                }
        }
    }
    for (int s = 0; s < NS; s++)
        for (int j = 0; j < P; j++)
            for (int l = 0; l < 2; l++) {
                st[s][0][2 * j + l] = x1[s][j][l], st[s][1][2 * j + l] = x2[s][j][l];
                st[s][2][2 * j + l] = y1[s][j][l], st[s][3][2 * j + l] = y2[s][j][l];
            }
}

#define PAIRS(P, NS)                                                                                        \
    static void pairs##P##_##NS(const dsp_biquad_coefs *const *c, double (*st)[4][16], float *const *p,     \
                                int phase, int n)                                                           \
    {                                                                                                       \
        pairs(c, st, p, phase, n, P, NS);                                                                   \
    }
PAIRS(1, 1) PAIRS(2, 1) PAIRS(3, 1) PAIRS(4, 1) PAIRS(1, 2) PAIRS(2, 2) PAIRS(3, 2) PAIRS(4, 2)

/* [NS - 1][P - 1] */
static kernel_fn *const pairs_fns[2][4] = {{pairs1_1, pairs2_1, pairs3_1, pairs4_1},
                                           {pairs1_2, pairs2_2, pairs3_2, pairs4_2}};

/* Where simd.h would build AVX2 clones (the same condition as there: gcc on
 * x86-64, no AddressSanitizer), there is also a kernel of groups of 4 lanes
 * in 32-byte vectors, chosen at run time when the CPU has AVX2. It is a
 * separate kernel, not a DSP_HOT clone, because gcc lowers 32-byte vectors
 * well only when AVX is on: the baseline clone of it would run element by
 * element through memory (measured: 4 times slower than the pairs). The
 * quads move a run of 4 samples per lane with one 16-byte load and store and
 * transpose it in registers. (Nothing in this file is a DSP_HOT clone: the
 * scalar loops measured slower in their AVX2 clones, 1.7 against 1.35 ns per
 * sample.) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define HAVE_QUADS 1
#include "dsp/lanes.h"
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));
typedef float v4f __attribute__((vector_size(4 * sizeof(float))));
typedef long long v4i __attribute__((vector_size(4 * sizeof(long long))));

/* The body of a kernel of H groups of L lanes (H = 1 or 2) in vectors V
 * (VI, VF: the integer and float vectors of L lanes), NS sections, runs of
 * RUN samples: LOAD_RUN(r, h, i) sets r[t] to sample i + t of group h's
 * lanes, STORE_RUN(r, h, i) stores r[t] back.
 *
 * Two groups (H = 2): section by section over blocks of up to BLOCK
 * samples. A block's runs are loaded and transposed into buf, each section
 * filters the whole block in place, in double, then the block is
 * transposed back and stored. Inside
 * a section's loop only its coefficients and the two groups' states are
 * live (13 vectors), so AVX2's 16 registers hold them and the two groups'
 * recursions overlap. Run by run through both sections, as before, kept 34
 * vectors live for 8 channels and spilled about 56 moves per 4-sample run.
 * 8 channels, high-pass + peaking EQ, AVX2, CPU time best of 7 (AMD EPYC,
 * loaded machine): 0.416 -> 0.355 ns per channel-section-sample (blocks of
 * 16, 32, 64: within 3 % of one another); the steps alone 0.27, the loads,
 * stores and transposes alone 0.10-0.12.
 * One group (H = 1): run by run through the sections, so the sections'
 * recursions overlap (section by section, one recursion at a time, was
 * slower: 4 channels on AVX2 0.54 against 0.48). */
/* The step of section s on x, group h, in LANES_KERNEL: STEP_MIRRORED when
 * MIR and s is section 0 (the one whose input is a float), else STEP. FMA
 * is the kernel's a b + c rounded once. */
#define LANES_STEP(s, h, x, FMA)                                                                            \
    do {                                                                                                    \
        if (MIR && (s) == 0)                                                                                \
            STEP_MIRRORED(0, x, x1[0][h], x2[0][h], y1[0][h], y2[0][h], p1[h], p2[h], FMA);                 \
        else                                                                                                \
            STEP(s, x, x1[s][h], x2[s][h], y1[s][h], y2[s][h]);                                             \
    } while (0)

/* p1, p2 of group h from section 0's x1, x2 (at the start, and after a
 * flush point has flushed x1 and x2) */
#define MIRRORED_PRODUCTS(h) (p1[h] = b0[0] * x1[0][h], p2[h] = b0[0] * x2[0][h])

/* The sum (dsp_biquad_sum *sum) into each bus channel of group h's L
 * lanes, y[k] holding lane k's samples from i on in a VT (a float, or
 * vectors of 4 or 8): group 0 starts from +0 when the sum sets the bus, a
 * later group from what the one before stored; then, lane by lane in
 * order, a product and a sum in float (what the bus's mixes did). ZERO,
 * LOADU, STOREU, ADD, MUL and SET1 are VT's operations. */
#define SUM_LANES(y, h, i, L, VT, ZERO, LOADU, STOREU, ADD, MUL, SET1)                                      \
    do {                                                                                                    \
        for (int bb_ = 0; bb_ < sum->nbus; bb_++) {                                                         \
            float *o_ = sum->bus[bb_] + (i);                                                                \
            VT s_ = sum->set && (h) == 0 ? ZERO() : LOADU(o_);                                              \
            for (int k_ = 0; k_ < (L); k_++)                                                                \
                if (sum->has[bb_][(L) * (h) + k_])                                                          \
                    s_ = ADD(s_, MUL(SET1(sum->coef[bb_][(L) * (h) + k_]), (y)[k_]));                       \
            STOREU(o_, s_);                                                                                 \
        }                                                                                                   \
    } while (0)
/* a float's operations, for SUM_LANES of one sample */
#define FLOAT_ZERO() 0.0f
#define FLOAT_LOAD(p) (*(p))
#define FLOAT_STORE(p, v) (*(p) = (v))
#define FLOAT_ADD(a, b) ((a) + (b))
#define FLOAT_MUL(a, b) ((a) * (b))
#define FLOAT_SET1(x) (x)
#define SUM_SAMPLE(y, h, i, L)                                                                              \
    SUM_LANES(y, h, i, L, float, FLOAT_ZERO, FLOAT_LOAD, FLOAT_STORE, FLOAT_ADD, FLOAT_MUL, FLOAT_SET1)

#define LANES_KERNEL(V, VI, VF, L, RUN, LOAD_RUN, STORE_RUN, STORE_BLOCK, FMA)                                           \
    LOAD_COEFS(V, c, NS)                                                                                    \
    /* the sum's settings in a local copy, which the stores into the bus                                   \
     * cannot change: not read again after every store */                                                  \
    dsp_biquad_sum sum_copy_;                                                                               \
    if (SUM)                                                                                                \
        sum_copy_ = *sum_arg;                                                                               \
    const dsp_biquad_sum *const sum = &sum_copy_;                                                           \
    V k2 = b1[0] / b0[0]; /* +-2 when MIR */                                                                \
    float *q[2 * (L)];                                                                                      \
    V x1[2][2], x2[2][2], y1[2][2], y2[2][2], p1[2], p2[2];                                                 \
    _Pragma("GCC unroll 2") for (int h = 0; h < H; h++) {                                                   \
        for (int k = 0; k < (L); k++)                                                                       \
            q[(L) * h + k] = p[(L) * h + k];                                                                \
        for (int s = 0; s < NS; s++) {                                                                      \
            memcpy(&x1[s][h], &st[s][0][(L) * h], sizeof(V)), memcpy(&x2[s][h], &st[s][1][(L) * h], sizeof(V)); \
            memcpy(&y1[s][h], &st[s][2][(L) * h], sizeof(V)), memcpy(&y2[s][h], &st[s][3][(L) * h], sizeof(V)); \
        }                                                                                                   \
        if (MIR)                                                                                            \
            MIRRORED_PRODUCTS(h);                                                                           \
    }                                                                                                       \
    int off = 0;                                                                                            \
    while (n > 0) {                                                                                         \
        int len = FLUSH_PERIOD - phase;                                                                     \
        if (len > n)                                                                                        \
            len = n;                                                                                        \
        int i = off, end = off + len;                                                                       \
        while (H == 2 && i + (RUN) <= end) {                                                                \
            int m = (end - i) / (RUN) * (RUN);                                                              \
            if (m > BLOCK)                                                                                  \
                m = BLOCK;                                                                                  \
            V buf[2][BLOCK];                                                                                \
            _Pragma("GCC unroll 2") for (int h = 0; h < H; h++)                                             \
                for (int b = 0; b < m; b += (RUN))                                                          \
                    LOAD_RUN(buf[h] + b, h, i + b);                                                         \
            _Pragma("GCC unroll 2") for (int s = 0; s < NS; s++)                                            \
                for (int b = 0; b < m; b += (RUN))                                                          \
                    _Pragma("GCC unroll 8") for (int t = b; t < b + (RUN); t++)                             \
                        _Pragma("GCC unroll 2") for (int h = 0; h < H; h++) {                               \
                            V x_ = buf[h][t];                                                               \
                            LANES_STEP(s, h, x_, FMA);                                                      \
                            buf[h][t] = y1[s][h];                                                           \
                        }                                                                                   \
            _Pragma("GCC unroll 2") for (int h = 0; h < H; h++)                                             \
                STORE_BLOCK(buf[h], h, i, m);                                                               \
            i += m;                                                                                         \
        }                                                                                                   \
        for (; H == 1 && i + (RUN) <= end; i += (RUN)) {                                                    \
            V r[RUN];                                                                                       \
            LOAD_RUN(r, 0, i);                                                                              \
            _Pragma("GCC unroll 2") for (int s = 0; s < NS; s++)                                            \
                _Pragma("GCC unroll 8") for (int t = 0; t < (RUN); t++) {                                   \
                    LANES_STEP(s, 0, r[t], FMA);                                                            \
                    r[t] = y1[s][0];                                                                        \
                }                                                                                           \
            STORE_RUN(r, 0, i);                                                                             \
        }                                                                                                   \
        for (; i < end; i++) {                                                                              \
            _Pragma("GCC unroll 2") for (int h = 0; h < H; h++) {                                           \
                V x;                                                                                        \
                for (int k = 0; k < (L); k++)                                                               \
                    x[k] = q[(L) * h + k][(size_t)i * FC];                                                  \
                _Pragma("GCC unroll 2") for (int s = 0; s < NS; s++) {                                      \
                    LANES_STEP(s, h, x, FMA);                                                               \
                    x = y1[s][h];                                                                           \
                }                                                                                           \
                VF y = __builtin_convertvector(x, VF);                                                      \
                if (SUM)                                                                                    \
                    SUM_SAMPLE(y, h, i, L);                                                                 \
                else                                                                                        \
                    for (int k = 0; k < (L); k++)                                                           \
                        q[(L) * h + k][i] = y[k];                                                           \
            }                                                                                               \
        }                                                                                                   \
        off += len;                                                                                         \
        n -= len;                                                                                           \
        phase += len;                                                                                       \
        if (phase == FLUSH_PERIOD) {                                                                        \
            phase = 0;                                                                                      \
            for (int s = 0; s < NS; s++)                                                                    \
                _Pragma("GCC unroll 2") for (int h = 0; h < H; h++) {                                       \
                    FLUSH_LANES(x1[s][h], VI);                                                              \
                    FLUSH_LANES(x2[s][h], VI);                                                              \
                    FLUSH_LANES(y1[s][h], VI);                                                              \
                    FLUSH_LANES(y2[s][h], VI);                                                              \
                    if (MIR && s == 0)                                                                      \
                        MIRRORED_PRODUCTS(h);                                                               \
                }                                                                                           \
        }                                                                                                   \
    }                                                                                                       \
    _Pragma("GCC unroll 2") for (int h = 0; h < H; h++)                                                     \
        for (int s = 0; s < NS; s++) {                                                                      \
            memcpy(&st[s][0][(L) * h], &x1[s][h], sizeof(V)), memcpy(&st[s][1][(L) * h], &x2[s][h], sizeof(V)); \
            memcpy(&st[s][2][(L) * h], &y1[s][h], sizeof(V)), memcpy(&st[s][3][(L) * h], &y2[s][h], sizeof(V)); \
        }

/* a run of 4 samples of group h's 4 lanes: one 16-byte load or store per lane */
#define QUADS_LOAD(r, h, i)                                                                                 \
    do {                                                                                                    \
        if (FC == 2)                                                                                        \
            DSP_LANES_LOAD4_PAIRS(r, q + 4 * (h), i);                                                       \
        else                                                                                                \
            DSP_LANES_LOAD4(r, q + 4 * (h), i);                                                             \
    } while (0)
#define QUADS_STORE(r, h, i)                                                                                \
    do {                                                                                                    \
        TRANSPOSE4(r);                                                                                      \
        if (!SUM) {                                                                                         \
            for (int k = 0; k < 4; k++)                                                                     \
                _mm_storeu_ps(q[4 * (h) + k] + (i), _mm256_cvtpd_ps((r)[k]));                               \
            break;                                                                                          \
        }                                                                                                   \
        __m128 y_[4];                                                                                       \
        for (int k = 0; k < 4; k++)                                                                         \
            y_[k] = _mm256_cvtpd_ps((r)[k]);                                                                \
        SUM_LANES(y_, h, i, 4, __m128, _mm_setzero_ps, _mm_loadu_ps, _mm_storeu_ps, _mm_add_ps, _mm_mul_ps,   \
                  _mm_set1_ps);                                                                             \
    } while (0)

/* The block's m samples of group h (H = 2), from i: run by run, or summed
 * two runs at a time, so that a product and a sum take 8 samples of a lane
 * (as the mixes did) instead of 4. Measured (biquad_bench 8 2 1024 21
 * stereo, AVX2, pinned, loaded, 2026-12-06): 4 samples at a time 0.439 ns
 * per channel-section-sample, slower than the filters in place and the
 * mixes (0.411); 8 at a time, transposed in registers rather than in the
 * block buffer, 0.391 (mono into both sides: 0.400 against 0.452). */
#define QUADS_STORE_BLOCK(buf, h, i, m)                                                                     \
    do {                                                                                                    \
        int b_ = 0;                                                                                         \
        for (; SUM && b_ + 8 <= (m); b_ += 8) {                                                             \
            __m256d r0_[4], r1_[4];                                                                         \
            __m256 y_[4];                                                                                   \
            for (int k = 0; k < 4; k++)                                                                     \
                r0_[k] = (buf)[b_ + k], r1_[k] = (buf)[b_ + 4 + k];                                         \
            TRANSPOSE4(r0_);                                                                                \
            TRANSPOSE4(r1_);                                                                                \
            for (int k = 0; k < 4; k++)                                                                     \
                y_[k] = _mm256_set_m128(_mm256_cvtpd_ps(r1_[k]), _mm256_cvtpd_ps(r0_[k]));                  \
            SUM_LANES(y_, h, (i) + b_, 4, __m256, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps,       \
                      _mm256_add_ps, _mm256_mul_ps, _mm256_set1_ps);                                        \
        }                                                                                                   \
        for (; b_ < (m); b_ += 4)                                                                           \
            QUADS_STORE((buf) + b_, h, (i) + b_);                                                           \
    } while (0)

/* H groups of 4 lanes (H = 1 or 2). Never mirrored steps (MIR 0, so
 * QUADS_NO_FMA is never run): AVX2 does not imply FMA (a CPUID flag of its
 * own), and built with target("avx2,fma") the mirrored step measured no
 * faster here (8 channels, high-pass + peak: 0.326 against 0.323 ns per
 * channel-section-sample; one high-pass 0.427 against 0.419; 2026-12-06,
 * loaded, biquad_bench pinned, best of 3 x 21 rounds). */
#define QUADS_NO_FMA(a, b, c) ((void)(a), (void)(b), __builtin_trap(), (c))
__attribute__((target("avx2"), always_inline)) static inline void quads(const dsp_biquad_coefs *const *c, double (*st)[4][16],
                                                        float *const *p, int phase, int n, const int H,
                                                        const int NS, const dsp_biquad_sum *sum_arg, const int SUM,
                                                        const int FC)
{
    const int MIR = 0;
    LANES_KERNEL(v4d, v4i, v4f, 4, 4, QUADS_LOAD, QUADS_STORE, QUADS_STORE_BLOCK, QUADS_NO_FMA)
}

#define QUADS(H, NS)                                                                                        \
    __attribute__((target("avx2"))) static void quads##H##_##NS(const dsp_biquad_coefs *const *c,           \
                                                                double (*st)[4][16], float *const *p,       \
                                                                int phase, int n)                           \
    {                                                                                                       \
        quads(c, st, p, phase, n, H, NS, NULL, 0, 1);                                                       \
    }                                                                                                       \
    __attribute__((target("avx2"))) static void quads_sum##H##_##NS(const dsp_biquad_coefs *const *c,       \
                                                                    double (*st)[4][16], float *const *p,   \
                                                                    int phase, int n,                       \
                                                                    const dsp_biquad_sum *sum)              \
    {                                                                                                       \
        quads(c, st, p, phase, n, H, NS, sum, 1, 1);                                                        \
    }                                                                                                       \
    __attribute__((target("avx2"))) static void quads_sum_pairs##H##_##NS(const dsp_biquad_coefs *const *c, \
                                                                          double (*st)[4][16],              \
                                                                          float *const *p, int phase, int n, \
                                                                          const dsp_biquad_sum *sum)        \
    {                                                                                                       \
        quads(c, st, p, phase, n, H, NS, sum, 1, 2);                                                        \
    }
QUADS(1, 1) QUADS(2, 1) QUADS(1, 2) QUADS(2, 2)

/* [NS - 1][H - 1] */
static kernel_fn *const quads_fns[2][2] = {{quads1_1, quads2_1}, {quads1_2, quads2_2}};
static sum_kernel_fn *const quads_sum_fns[2][2] = {{quads_sum1_1, quads_sum2_1}, {quads_sum1_2, quads_sum2_2}};
/* the same reading stereo pairs of frames (FC 2) */
static sum_kernel_fn *const quads_sum_pairs_fns[2][2] = {{quads_sum_pairs1_1, quads_sum_pairs2_1},
                                                         {quads_sum_pairs1_2, quads_sum_pairs2_2}};

#ifdef DSP_WIDE
#define HAVE_OCTS 1
typedef double v8d __attribute__((vector_size(8 * sizeof(double))));
typedef float v8f __attribute__((vector_size(8 * sizeof(float))));
typedef long long v8i __attribute__((vector_size(8 * sizeof(long long))));

/* H groups of 8 lanes (H = 1 or 2) in 64-byte vectors, as quads does with
 * 4: each 8-sample run is moved as two 4-sample halves, lanes k and k + 4 of
 * a half in one 32-byte vector (two 16-byte loads), so a 4 x 4 transpose in
 * each 16-byte half leaves sample t of the 8 lanes in one vector of floats,
 * converted to doubles in one instruction. (8 lanes in 4-sample runs:
 * 0.343-0.364 ns per channel-section-sample fused, 8-sample runs
 * 0.330-0.339; one group per call for 16 channels: 0.337 fused, 0.384
 * single, against 0.330 and 0.345 for the two groups interleaved.) */
/* a b + c rounded once (AVX-512F has FMA) */
#define OCTS_FMA(a, b, c) ((v8d)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
/* a run of 8 samples of group h's 8 lanes, as two 4-sample halves */
#define OCTS_LOAD(r, h, i)                                                                                  \
    do {                                                                                                    \
        if (FC == 2)                                                                                        \
            DSP_LANES_LOAD8_PAIRS(r, q + 8 * (h), i);                                                       \
        else                                                                                                \
            DSP_LANES_LOAD8(r, q + 8 * (h), i);                                                             \
    } while (0)
#define OCTS_STORE(r, h, i)                                                                                 \
    do {                                                                                                    \
        if (SUM) {                                                                                          \
            OCTS_SUM(r, h, i);                                                                              \
            break;                                                                                          \
        }                                                                                                   \
        for (int u_ = 0; u_ < 8; u_ += 4) {                                                                 \
            __m256 a[4];                                                                                    \
            for (int t = 0; t < 4; t++)                                                                     \
                a[t] = _mm512_cvtpd_ps((r)[u_ + t]);                                                        \
            TRANSPOSE4_HALVES(a);                                                                           \
            for (int k = 0; k < 4; k++) {                                                                   \
                _mm_storeu_ps(q[8 * (h) + k] + (i) + u_, _mm256_castps256_ps128(a[k]));                     \
                _mm_storeu_ps(q[8 * (h) + k + 4] + (i) + u_, _mm256_extractf128_ps(a[k], 1));               \
            }                                                                                               \
        }                                                                                                   \
    } while (0)

/* the block's m samples of group h (H = 2), run by run */
#define OCTS_STORE_BLOCK(buf, h, i, m)                                                                      \
    do {                                                                                                    \
        for (int b_ = 0; b_ < (m); b_ += 8)                                                                 \
            OCTS_STORE((buf) + b_, h, (i) + b_);                                                            \
    } while (0)

/* OCTS_STORE's sum (dsp_biquad_sum *sum): the two halves transposed as
 * there, then joined into 8 samples of each lane (lane k: the low halves,
 * lane k + 4: the high ones), which each bus channel takes lane by lane:
 * a product and a sum per lane, on 8 samples at once. */
#define OCTS_SUM(r, h, i)                                                                                   \
    do {                                                                                                    \
        __m256 a_[2][4], y_[8];                                                                             \
        for (int u_ = 0; u_ < 2; u_++) {                                                                    \
            for (int t = 0; t < 4; t++)                                                                     \
                a_[u_][t] = _mm512_cvtpd_ps((r)[4 * u_ + t]);                                               \
            TRANSPOSE4_HALVES(a_[u_]);                                                                      \
        }                                                                                                   \
        for (int k = 0; k < 4; k++) {                                                                       \
            y_[k] = _mm256_permute2f128_ps(a_[0][k], a_[1][k], 0x20);                                       \
            y_[k + 4] = _mm256_permute2f128_ps(a_[0][k], a_[1][k], 0x31);                                   \
        }                                                                                                   \
        SUM_LANES(y_, h, i, 8, __m256, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_add_ps,   \
                  _mm256_mul_ps, _mm256_set1_ps);                                                           \
    } while (0)

DSP_WIDE __attribute__((always_inline)) static inline void octs(const dsp_biquad_coefs *const *c, double (*st)[4][16],
                                                                float *const *p, int phase, int n, const int H,
                                                                const int NS, const int MIR,
                                                                const dsp_biquad_sum *sum_arg, const int SUM,
                                                                const int FC)
{
    LANES_KERNEL(v8d, v8i, v8f, 8, 8, OCTS_LOAD, OCTS_STORE, OCTS_STORE_BLOCK, OCTS_FMA)
}

#define OCTS(H, NS, MIR)                                                                                    \
    DSP_WIDE static void octs##H##_##NS##_##MIR(const dsp_biquad_coefs *const *c, double (*st)[4][16],        \
                                                float *const *p, int phase, int n)                          \
    {                                                                                                       \
        octs(c, st, p, phase, n, H, NS, MIR, NULL, 0, 1);                                                   \
    }
OCTS(1, 1, 0) OCTS(2, 1, 0) OCTS(1, 2, 0) OCTS(2, 2, 0)
OCTS(1, 1, 1) OCTS(2, 1, 1) OCTS(1, 2, 1) OCTS(2, 2, 1)

/* one group of 8 lanes summed into a bus: a batch (DSP_BIQUAD_SUM_LANES);
 * octs_sum_pairs reads stereo pairs of frames (FC 2) */
#define OCTS_SUM_FN(NS, MIR)                                                                                \
    DSP_WIDE static void octs_sum##NS##_##MIR(const dsp_biquad_coefs *const *c, double (*st)[4][16],        \
                                              float *const *p, int phase, int n, const dsp_biquad_sum *sum) \
    {                                                                                                       \
        octs(c, st, p, phase, n, 1, NS, MIR, sum, 1, 1);                                                    \
    }                                                                                                       \
    DSP_WIDE static void octs_sum_pairs##NS##_##MIR(const dsp_biquad_coefs *const *c, double (*st)[4][16],  \
                                                    float *const *p, int phase, int n,                      \
                                                    const dsp_biquad_sum *sum)                              \
    {                                                                                                       \
        octs(c, st, p, phase, n, 1, NS, MIR, sum, 1, 2);                                                    \
    }
OCTS_SUM_FN(1, 0) OCTS_SUM_FN(2, 0) OCTS_SUM_FN(1, 1) OCTS_SUM_FN(2, 1)

/* [MIR][NS - 1][H - 1] */
static kernel_fn *const octs_fns[2][2][2] = {{{octs1_1_0, octs2_1_0}, {octs1_2_0, octs2_2_0}},
                                             {{octs1_1_1, octs2_1_1}, {octs1_2_1, octs2_2_1}}};
/* [MIR][NS - 1] */
static sum_kernel_fn *const octs_sum_fns[2][2] = {{octs_sum1_0, octs_sum2_0}, {octs_sum1_1, octs_sum2_1}};
static sum_kernel_fn *const octs_sum_pairs_fns[2][2] = {{octs_sum_pairs1_0, octs_sum_pairs2_0},
                                                        {octs_sum_pairs1_1, octs_sum_pairs2_1}};
#endif
#endif

#ifdef HAVE_OCTS
/* 1 when x is 0 or as large as a nonzero float at least and no larger than
 * any float: what the inputs of a section whose input is a float are */
static int float_range(double x)
{
    double a = fabs(x);
    return a == 0.0 || (a >= 0x1p-149 && a <= 0x1p128);
}

/* 1 when section m over its channels 0..nch may take STEP_MIRRORED: its
 * b2 is its b0 and its b1 is 2 b0 or -2 b0, exactly, 2^-800 <= |b0| <=
 * 2^800, and its input history x1, x2 is in float_range (it is unless a
 * state was copied in from a section whose input was not a float). Then
 * for every input x it will see (a float) b0 x and 2 b0 x are 0 or normal
 * doubles (2^-949 .. 2^929 in magnitude), so round(b1 x) = k2 round(b0 x)
 * exactly, k2 = b1 / b0 = +-2: scaling by 2 commutes with rounding. An
 * infinite or NaN input gives an infinity or a NaN either way.
 * dsp_biquad_design gives every low-pass and high-pass (and so every
 * section of a Butterworth cascade) such coefficients: b0 = b2 = (omc / 2)
 * / a0 and b1 = omc / a0 (a high-pass: opc / 2, -opc), halving being exact
 * (test_biquad checks it). */
static int takes_mirrored(const dsp_biquad_multi *m, int nch)
{
    const dsp_biquad_coefs *c = &m->c;
    double b0 = fabs(c->b0);
    if (!(c->b2 == c->b0 && (c->b1 == 2.0 * c->b0 || c->b1 == -2.0 * c->b0) && b0 >= 0x1p-800 && b0 <= 0x1p800))
        return 0;
    for (int k = 0; k < nch; k++)
        if (!float_range(m->x1[k]) || !float_range(m->x2[k]))
            return 0;
    return 1;
}
#endif

/* Channel ch of a pair of sections s[0], s[1] through step2, each with its
 * own phase (advanced here). */
static void pair_channel(dsp_biquad_multi *const *s, int ch, float *io, int n)
{
    const dsp_biquad_coefs *c[2] = {&s[0]->c, &s[1]->c};
    double st[2][4];
    int phase[2];
    for (int j = 0; j < 2; j++) {
        st[j][0] = s[j]->x1[ch], st[j][1] = s[j]->x2[ch], st[j][2] = s[j]->y1[ch], st[j][3] = s[j]->y2[ch];
        phase[j] = s[j]->phase;
    }
    step2(c, st, phase, io, n);
    for (int j = 0; j < 2; j++)
        s[j]->x1[ch] = st[j][0], s[j]->x2[ch] = st[j][1], s[j]->y1[ch] = st[j][2], s[j]->y2[ch] = st[j][3];
}

/* Sections s[0..NS) in a chain over chans, in place (NS = 2: a pair, in
 * double between them); their phases agree. With sum (only where
 * sum_kernel_takes), the output goes into sum's bus instead; then, fc 2
 * (only where sum_kernel_takes_pairs), the input is read from stereo pairs
 * of frames: channels 2j and 2j + 1 from chans[2j][2 i] and [2 i + 1]. */
static void multi_run(dsp_biquad_multi *const *s, int NS, float *const *chans, int nch, int n,
                      const dsp_biquad_sum *sum, int fc)
{
    if (nch > DSP_BIQUAD_MULTI_MAX)
        nch = DSP_BIQUAD_MULTI_MAX;
    if (n <= 0)
        return;
    int unit = 2, span = 8; /* lanes per vector, lanes per call */
#ifdef HAVE_QUADS
    if (DSP_HAVE_AVX2())
        unit = 4;
#endif
#ifdef HAVE_OCTS
    if (DSP_HAVE_WIDE())
        unit = 8, span = 16;
#endif
    const dsp_biquad_coefs *c[2];
    for (int j = 0; j < NS; j++)
        c[j] = &s[j]->c;
#ifdef HAVE_OCTS
    int mirrored = takes_mirrored(s[0], nch);
#endif
    for (int g = 0; g < nch; g += span) {
        int w = nch - g < span ? nch - g : span;
        if (w == 1) {
            if (NS == 2) {
                pair_channel(s, g, chans[g], n);
                continue;
            }
            dsp_biquad_multi *m = s[0];
            double st1[4] = {m->x1[g], m->x2[g], m->y1[g], m->y2[g]};
            run1(&m->c, st1, m->phase, chans[g], chans[g], n);
            m->x1[g] = st1[0], m->x2[g] = st1[1], m->y1[g] = st1[2], m->y2[g] = st1[3];
            continue;
        }
        /* up to 4 channels: 4 lanes a vector do as well */
        int u = unit == 8 && w <= 4 ? 4 : unit;
        /* Lanes past the last channel repeat the first channel of their
         * vector, state and all. */
        int used = (w + u - 1) / u * u;
        float *p[16];
        double st[2][4][16];
        for (int k = 0; k < used; k++) {
            int ch = g + (k < w ? k : k / u * u);
            p[k] = fc == 2 ? chans[ch & ~1] + (ch & 1) : chans[ch];
            for (int j = 0; j < NS; j++) {
                st[j][0][k] = s[j]->x1[ch], st[j][1][k] = s[j]->x2[ch];
                st[j][2][k] = s[j]->y1[ch], st[j][3][k] = s[j]->y2[ch];
            }
        }
        kernel_fn *kernel = pairs_fns[NS - 1][used / 2 - 1];
        sum_kernel_fn *sum_kernel = NULL; /* given a sum only where sum_kernel_takes: one of these */
#ifdef HAVE_QUADS
        if (u == 4)
            kernel = quads_fns[NS - 1][used / 4 - 1],
            sum_kernel = (fc == 2 ? quads_sum_pairs_fns : quads_sum_fns)[NS - 1][used / 4 - 1];
#endif
#ifdef HAVE_OCTS
        if (u == 8)
            kernel = octs_fns[mirrored][NS - 1][used / 8 - 1],
            sum_kernel = (fc == 2 ? octs_sum_pairs_fns : octs_sum_fns)[mirrored][NS - 1];
#endif
        if (sum)
            sum_kernel(c, st, p, s[0]->phase, n, sum);
        else
            kernel(c, st, p, s[0]->phase, n);
        for (int k = 0; k < w; k++)
            for (int j = 0; j < NS; j++) {
                s[j]->x1[g + k] = st[j][0][k], s[j]->x2[g + k] = st[j][1][k];
                s[j]->y1[g + k] = st[j][2][k], s[j]->y2[g + k] = st[j][3][k];
            }
    }
    for (int j = 0; j < NS; j++)
        s[j]->phase = (int)((s[j]->phase + (long long)n) % FLUSH_PERIOD);
}

void dsp_biquad_multi_process(dsp_biquad_multi *s, float *const *chans, int nch, int n)
{
    multi_run(&s, 1, chans, nch, n, NULL, 1);
}

void dsp_biquad_multi_process2(dsp_biquad_multi *first, dsp_biquad_multi *second, float *const *chans, int nch,
                               int n)
{
    dsp_biquad_multi *s[2] = {first, second};
    if (first->phase == second->phase) {
        multi_run(s, 2, chans, nch, n, NULL, 1);
        return;
    }
    /* state copied in from elsewhere: flush points apart, one channel at a
     * time */
    if (nch > DSP_BIQUAD_MULTI_MAX)
        nch = DSP_BIQUAD_MULTI_MAX;
    if (n <= 0)
        return;
    for (int ch = 0; ch < nch; ch++)
        pair_channel(s, ch, chans[ch], n);
    for (int j = 0; j < 2; j++)
        s[j]->phase = (int)((s[j]->phase + (long long)n) % FLUSH_PERIOD);
}

/* 1 when multi_run gives nch channels to one sum kernel: 2 to
 * DSP_BIQUAD_SUM_LANES channels (one alone takes the scalar step), one
 * group, AVX-512 or AVX2. */
static int sum_kernel_takes(int nch)
{
    if (nch < 2 || nch > DSP_BIQUAD_SUM_LANES)
        return 0;
#ifdef HAVE_QUADS
    if (DSP_HAVE_AVX2())
        return 1;
#endif
    return 0;
}

/* The sum made by passes over the filtered channels: what the bus's clear
 * and mixes do. */
static void sum_passes(const dsp_biquad_sum *sum, float *const *chans, int nch, int n)
{
    for (int b = 0; b < sum->nbus; b++) {
        if (sum->set)
            dsp_mix_clear(sum->bus[b], n);
        for (int k = 0; k < nch; k++)
            if (sum->has[b][k])
                dsp_mix_add_scaled(sum->bus[b], chans[k], sum->coef[b][k], n);
    }
}

void dsp_biquad_multi_process_sum(dsp_biquad_multi *first, dsp_biquad_multi *second, float *const *chans, int nch,
                                  int n, const dsp_biquad_sum *sum)
{
    if (n <= 0)
        return;
    dsp_biquad_multi *s[2] = {first, second};
    int NS = second ? 2 : 1;
    if (sum_kernel_takes(nch) && (NS == 1 || first->phase == second->phase)) {
        multi_run(s, NS, chans, nch, n, sum, 1);
        return;
    }
    if (second)
        dsp_biquad_multi_process2(first, second, chans, nch, n);
    else
        dsp_biquad_multi_process(first, chans, nch, n);
    sum_passes(sum, chans, nch > DSP_BIQUAD_SUM_LANES ? DSP_BIQUAD_SUM_LANES : nch, n);
}

/* 1 when the sum kernel reads nch channels as stereo pairs of frames: as
 * sum_kernel_takes, in whole vectors (4 or 8 channels: no lane repeats
 * another channel, which would split a pair) */
static int sum_kernel_takes_pairs(int nch)
{
    return sum_kernel_takes(nch) && (nch == 4 || nch == 8);
}

void dsp_biquad_multi_process_sum_frames(dsp_biquad_multi *first, dsp_biquad_multi *second, float *const *chans,
                                         const float *const *frames, int fc, int nch, int n,
                                         const dsp_biquad_sum *sum)
{
    if (n <= 0)
        return;
    dsp_biquad_multi *s[2] = {first, second};
    int NS = second ? 2 : 1;
    if (nch <= DSP_BIQUAD_SUM_LANES && (fc == 1 ? sum_kernel_takes(nch) : sum_kernel_takes_pairs(nch)) &&
        (NS == 1 || first->phase == second->phase)) {
        /* the frames as lanes (channel 2j + 1 of a pair: multi_run reads it
         * beside channel 2j); a sum kernel only reads its lanes */
        float *lanes[DSP_BIQUAD_SUM_LANES];
        for (int k = 0; k < nch; k++)
            lanes[k] = (float *)(uintptr_t)frames[k / fc];
        multi_run(s, NS, lanes, nch, n, sum, fc);
        return;
    }
    for (int t = 0; t < nch / fc; t++) /* the tracks' buffers as a gain of 1 sets them, then as there */
        dsp_mix_set_frames(chans + fc * t, frames[t], fc, 1.0f, n);
    dsp_biquad_multi_process_sum(first, second, chans, nch, n, sum);
}

/* ---- Butterworth cascades ------------------------------------------------------ */

void dsp_butter_init(dsp_butter *s)
{
    memset(s, 0, sizeof *s);
    s->nsections = 1;
    for (int k = 0; k < 4; k++)
        dsp_biquad_init(&s->sec[k]);
}

void dsp_butter_reset(dsp_butter *s)
{
    for (int k = 0; k < 4; k++)
        dsp_biquad_reset(&s->sec[k]);
    s->phase = 0;
}

int dsp_butter_copy_state(dsp_butter *dst, const dsp_butter *src)
{
    if (dst->nsections != src->nsections)
        return -1;
    dst->phase = src->phase;
    for (int k = 0; k < src->nsections; k++)
        dsp_biquad_copy_state(&dst->sec[k], &src->sec[k]);
    return 0;
}

void dsp_butter_design(dsp_butter *s, dsp_eq_type type, int order, double sample_rate, double freq)
{
    int lp = type == DSP_EQ_LOWPASS;
    if (order < 1)
        order = 1;
    if (order > 8)
        order = 8;
    int pairs = order / 2, ns = pairs + (order & 1), k = 0;
    if (ns != s->nsections)
        dsp_butter_reset(s);
    s->nsections = ns;
    dsp_biquad_coefs c;
    if (order & 1) {
        dsp_biquad_design(&c, lp ? DSP_EQ_LOWPASS1 : DSP_EQ_HIGHPASS1, sample_rate, freq, 0.0, 0.0);
        dsp_biquad_set(&s->sec[k++], &c);
    }
    for (int m = pairs; m >= 1; m--) {
        double q = 1.0 / (2.0 * sin((2 * m - 1) * PI / (2.0 * order)));
        dsp_biquad_design(&c, lp ? DSP_EQ_LOWPASS : DSP_EQ_HIGHPASS, sample_rate, freq, q, 0.0);
        dsp_biquad_set(&s->sec[k++], &c);
    }
}

double dsp_butter_magnitude_db(const dsp_butter *s, double sample_rate, double freq)
{
    double db = 0.0;
    for (int k = 0; k < s->nsections; k++)
        db += dsp_biquad_magnitude_db(&s->sec[k].c, sample_rate, freq);
    return db;
}

/* The sections interleaved in one sample loop: their recursions are
 * independent dependency chains, so they overlap in the pipeline. Each
 * section adds its input last, (b0 v + ((b1 x1 + b2 x2) - a2 y2)) - a1 y1,
 * so a sample's way through the cascade is short. Section k's input
 * history is section k-1's output history, so it is kept once (x1, x2 in
 * the struct are kept equal to the previous section's y1, y2). NS is a
 * constant in each caller, so the loops unroll and the arrays live in
 * registers. */
__attribute__((always_inline)) static inline void cascade(dsp_butter *s, const float *in, float *out, int n,
                                                          const int NS)
{
    double b0[4], b1[4], b2[4], a1[4], a2[4], y1[4], y2[4];
    double x1 = s->sec[0].x1, x2 = s->sec[0].x2;
    for (int k = 0; k < NS; k++) {
        const dsp_biquad *q = &s->sec[k];
        b0[k] = q->c.b0, b1[k] = q->c.b1, b2[k] = q->c.b2, a1[k] = q->c.a1, a2[k] = q->c.a2;
        y1[k] = q->y1, y2[k] = q->y2;
    }
    int phase = s->phase;
    while (n > 0) {
        int len = FLUSH_PERIOD - phase;
        if (len > n)
            len = n;
        for (int i = 0; i < len; i++) {
            double v = in[i];
            double p1 = x1, p2 = x2; /* the section's last two inputs */
            x2 = x1;
            x1 = v;
            for (int k = 0; k < NS; k++) {
                double o1 = y1[k], o2 = y2[k];
                double y = (b0[k] * v + ((b1[k] * p1 + b2[k] * p2) - a2[k] * o2)) - a1[k] * o1;
                y2[k] = o1;
                y1[k] = y;
                p1 = o1;
                p2 = o2;
                v = y;
            }
            out[i] = (float)v;
        }
        in += len;
        out += len;
        n -= len;
        phase += len;
        if (phase == FLUSH_PERIOD) {
            phase = 0;
            x1 = flush(x1), x2 = flush(x2);
            for (int k = 0; k < NS; k++)
                y1[k] = flush(y1[k]), y2[k] = flush(y2[k]);
        }
    }
    for (int k = 0; k < NS; k++) {
        dsp_biquad *q = &s->sec[k];
        q->x1 = k ? y1[k - 1] : x1, q->x2 = k ? y2[k - 1] : x2;
        q->y1 = y1[k], q->y2 = y2[k];
    }
    s->phase = phase;
}

static void cascade1(dsp_butter *s, const float *in, float *out, int n) { cascade(s, in, out, n, 1); }
static void cascade2(dsp_butter *s, const float *in, float *out, int n) { cascade(s, in, out, n, 2); }
static void cascade3(dsp_butter *s, const float *in, float *out, int n) { cascade(s, in, out, n, 3); }
static void cascade4(dsp_butter *s, const float *in, float *out, int n) { cascade(s, in, out, n, 4); }

void dsp_butter_process(dsp_butter *s, const float *in, float *out, int n)
{
    switch (s->nsections) {
    case 1: cascade1(s, in, out, n); break;
    case 2: cascade2(s, in, out, n); break;
    case 3: cascade3(s, in, out, n); break;
    default: cascade4(s, in, out, n); break;
    }
}

double dsp_butter_memory(const dsp_butter *s)
{
    double m = 0;
    for (int k = 0; k < s->nsections; k++)
        m += dsp_memory_biquad(&s->sec[k].c);
    return m;
}
