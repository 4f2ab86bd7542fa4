/* truepeak.c - the 4x true-peak interpolator of ITU-R BS.1770-4 Annex 2
 * (see truepeak.h): 48 taps, the published coefficients, folded by their
 * symmetry to 24 multiplies per input sample for the 4 phases, in float, as
 * plain loops over output samples that gcc vectorises across time (8
 * samples per AVX2 vector, 16 per AVX-512 one; every lane does the same
 * operations in the same order, so every path gives the same bits). Shared by
 * the loudness meter (dsp/loudness.c) and the limiter's check
 * (dsp/limiter.c), which must agree bit for bit. */
#include "dsp/truepeak.h"

#include <math.h>
#include <stdint.h>

#include "dsp/simd.h"

/* The interpolator is symmetric: phase 3 is phase 0 reversed and phase 2 is
 * phase 1 reversed. So with s_j = w[j] + w[11 - j] and d_j = w[j] - w[11 - j]
 * (j < 6), phase 0 = P + Q and phase 3 = P - Q where P = sum (h0[j] +
 * h0[11 - j]) / 2 * s_j and Q = sum (h0[j] - h0[11 - j]) / 2 * d_j, and the
 * same for phases 1 and 2: 24 multiplies instead of 48. The published
 * coefficients are multiples of 2^-13, so their halved sums and differences
 * are the integers below over 2^14, exact in float. Phase 0 of the Annex is
 * {14, 90, -161, 272, -487, 1125, 7964, -838, 390, -218, 122, -68} / 8192 and
 * phase 1 {-239, 240, -424, 730, -1364, 3810, 6388, -1641, 832, -477, 271,
 * -155} / 8192; tests/unit/test_loudness.c checks this form against them. */
static const float tp_even[2][DSP_TRUEPEAK_TAPS / 2] = {
    {-54 / 16384.0f, 212 / 16384.0f, -379 / 16384.0f, 662 / 16384.0f, -1325 / 16384.0f, 9089 / 16384.0f},
    {-394 / 16384.0f, 511 / 16384.0f, -901 / 16384.0f, 1562 / 16384.0f, -3005 / 16384.0f, 10198 / 16384.0f},
};
static const float tp_odd[2][DSP_TRUEPEAK_TAPS / 2] = {
    {82 / 16384.0f, -32 / 16384.0f, 57 / 16384.0f, -118 / 16384.0f, 351 / 16384.0f, -6839 / 16384.0f},
    {-84 / 16384.0f, -31 / 16384.0f, 53 / 16384.0f, -102 / 16384.0f, 277 / 16384.0f, -2578 / 16384.0f},
};

/* max |y| over the 4 interpolated values made from w[0 .. 11] (w[11] the
 * newest sample). Taking the taps in the published order against
 * oldest-first samples swaps phases 0/3 and 1/2, which the max does not see.
 * Inlined into the two loops below, which gcc vectorises across windows. */
static inline float tp_point(const float *restrict w)
{
    float sum[DSP_TRUEPEAK_TAPS / 2], dif[DSP_TRUEPEAK_TAPS / 2];
    for (int j = 0; j < DSP_TRUEPEAK_TAPS / 2; j++) {
        sum[j] = w[j] + w[DSP_TRUEPEAK_TAPS - 1 - j];
        dif[j] = w[j] - w[DSP_TRUEPEAK_TAPS - 1 - j];
    }
    float p0 = tp_even[0][0] * sum[0], q0 = tp_odd[0][0] * dif[0];
    float p1 = tp_even[1][0] * sum[0], q1 = tp_odd[1][0] * dif[0];
    for (int j = 1; j < DSP_TRUEPEAK_TAPS / 2; j++) {
        p0 += tp_even[0][j] * sum[j];
        q0 += tp_odd[0][j] * dif[j];
        p1 += tp_even[1][j] * sum[j];
        q1 += tp_odd[1][j] * dif[j];
    }
    float y0 = fabsf(p0 + q0), y3 = fabsf(p0 - q0);
    float y1 = fabsf(p1 + q1), y2 = fabsf(p1 - q1);
    float a = y0 > y1 ? y0 : y1;
    float b = y2 > y3 ? y2 : y3;
    return a > b ? a : b;
}

/* The two loops over windows, inlined into a DSP_HOT function (the AVX2
 * clone: 8 windows a vector) and, where simd.h allows, a DSP_WIDE one (16
 * windows a vector, half the instructions; chosen at run time, so a test can
 * run both): every lane does tp_point's operations in its order, so both
 * give the same bits. */
static inline __attribute__((always_inline)) float peak_loop(const float *restrict w, int count, float peak)
{
    uint32_t m = dsp_peak_bits(peak);
    for (int i = 0; i < count; i++) {
        uint32_t u = dsp_peak_bits(tp_point(w + i));
        m = u > m ? u : m;
    }
    return dsp_bits_peak(m < DSP_PEAK_INF_BITS ? m : DSP_PEAK_INF_BITS);
}

static inline __attribute__((always_inline)) void max_loop(const float *restrict w, float *restrict out, int count)
{
    for (int i = 0; i < count; i++) {
        float a = tp_point(w + i);
        out[i] = a > out[i] ? a : out[i];
    }
}

DSP_HOT static float peak_hot(const float *restrict w, int count, float peak)
{
    return peak_loop(w, count, peak);
}

DSP_HOT static void max_hot(const float *restrict w, float *restrict out, int count)
{
    max_loop(w, out, count);
}

#ifdef DSP_WIDE
DSP_WIDE static float peak_wide(const float *restrict w, int count, float peak)
{
    return peak_loop(w, count, peak);
}

DSP_WIDE static void max_wide(const float *restrict w, float *restrict out, int count)
{
    max_loop(w, out, count);
}
#endif

/* See dsp/truepeak.h. */
float dsp_truepeak_peak(const float *w, int count, float peak)
{
#ifdef DSP_WIDE
    if (count >= 16 && DSP_HAVE_WIDE())
        return peak_wide(w, count, peak);
#endif
    return peak_hot(w, count, peak);
}

/* dsp_truepeak_peak over a whole stretch's windows (the meter's common
 * case): the count a constant, so the loop has no remainder to test for
 * and the same values. */
DSP_HOT static float stretch_peak_hot(const float *restrict w, float peak)
{
    return peak_loop(w, DSP_TRUEPEAK_STRETCH, peak);
}
#ifdef DSP_WIDE
DSP_WIDE static float stretch_peak_wide(const float *restrict w, float peak)
{
    return peak_loop(w, DSP_TRUEPEAK_STRETCH, peak);
}
#endif
static float stretch_peak(const float *w, float peak)
{
#ifdef DSP_WIDE
    if (DSP_HAVE_WIDE())
        return stretch_peak_wide(w, peak);
#endif
    return stretch_peak_hot(w, peak);
}

/* See dsp/truepeak.h: the same values as dsp_truepeak_peak, one per window. */
void dsp_truepeak_max(const float *w, float *out, int count)
{
#ifdef DSP_WIDE
    if (count >= 16 && DSP_HAVE_WIDE()) {
        max_wide(w, out, count);
        return;
    }
#endif
    max_hot(w, out, count);
}

/* See dsp/truepeak.h. */
DSP_HOT
float dsp_truepeak_sample_peak(const float *restrict x, int n, float peak)
{
    uint32_t m = dsp_peak_bits(peak);
    for (int i = 0; i < n; i++) {
        uint32_t u = dsp_peak_bits(x[i]) & 0x7fffffffu;
        m = u > m ? u : m;
    }
    return dsp_bits_peak(m < DSP_PEAK_INF_BITS ? m : DSP_PEAK_INF_BITS);
}

/* Windows per bound check in dsp_truepeak_feed: on the film bench's stems
 * (60 s of dialogue, music, effects and the limited printmaster) the
 * interpolator ran on 9-58 % of the windows when whole 1024-frame calls
 * were checked, on 2-13 % with 64-window stretches. */
#define STRETCH DSP_TRUEPEAK_STRETCH

/* The largest |x[k + 1] - x[k]| for k < n - 1, by the meters' rule (a NaN,
 * which an infinity in x makes, gives +inf). */
DSP_HOT
static float step_peak(const float *restrict x, int n)
{
    uint32_t m = 0;
    for (int k = 0; k + 1 < n; k++) {
        uint32_t u = dsp_peak_bits(x[k + 1] - x[k]) & 0x7fffffffu;
        m = u > m ? u : m;
    }
    return dsp_bits_peak(m < DSP_PEAK_INF_BITS ? m : DSP_PEAK_INF_BITS);
}

/* Whether any window of x[0 .. n) (n - 11 of them) can read above peak, m
 * being the largest |x[i]| there.
 * Two bounds on a phase's value y = sum h_j x_j over a window of samples
 * at most M in magnitude whose neighbours differ by at most D:
 *   |y| <= sum |h_j| M                               (<= 2.0228 M), and
 *   |y| <= |sum h_j| M + sum |h_j| |j - c| D        (y = G x_c + sum h_j (x_j - x_c),
 *                                                    |x_j - x_c| <= |j - c| D),
 * the second tight where the signal is smooth (most of a programme's energy
 * far below Nyquist: D a small part of M), the first where it is not. With
 * the Annex's taps, c at the largest tap: G = 8205 / 8192 and the weighted
 * sum 7193 / 8192 for the outer phases, 7971 / 8192 and 19653 / 8192 for the
 * inner ones; the constants below are rounded up by 0.04 % or more, far
 * more than the float rounding of the interpolator (under 2e-6 M), of the
 * differences and of the bound itself. A true reading cannot exceed either
 * bound, so a window skipped by them held no new maximum: the same result. */
static inline int bounds_beat(float m, float d, float peak)
{
    float outer = 1.002f * m + 0.879f * d, inner = 0.974f * m + 2.4f * d;
    return (outer > inner ? outer : inner) > peak;
}

static int can_beat_m(const float *x, int n, float m, float peak)
{
    if (!(m * DSP_TRUEPEAK_GAIN_BOUND > peak))
        return 0;
    return bounds_beat(m, step_peak(x, n), peak);
}

/* The larger of a and the largest |x[k]| of k in [from, to), as peak
 * bits; inlined where from and to are constants, so the loop is whole
 * vectors. */
__attribute__((always_inline)) static inline uint32_t abs_bits_max(const float *restrict x, int from, int to, uint32_t a)
{
    for (int k = from; k < to; k++) {
        uint32_t u = dsp_peak_bits(x[k]) & 0x7fffffffu;
        a = u > a ? u : a;
    }
    return a;
}

/* A whole stretch's can_beat_m, its samples x[0 .. STRETCH + 11) (the
 * windows of every stretch but a call's last): the largest |x| from m, the
 * maximum of its first STRETCH samples (their block's), and the 11 after
 * them, and the largest step, in loops of fixed lengths that are whole
 * vectors, the last of each overlapping the one before where the length
 * is not a multiple of 8 (a max may see a value twice): no scalar
 * remainder and no call to a loop of any length. The same m and d as
 * dsp_truepeak_sample_peak and step_peak, so the same decision. */
#define WHOLE (STRETCH + DSP_TRUEPEAK_TAPS - 1)
_Static_assert(STRETCH % 8 == 0 && WHOLE - 1 - STRETCH >= 8 && WHOLE - STRETCH <= 16,
               "whole_stretch_can_beat's loops: whole vectors of 8, at most two for the 11 samples");
DSP_HOT
static int whole_stretch_can_beat(const float *restrict x, float m, float peak)
{
    uint32_t a = abs_bits_max(x, WHOLE - 8, WHOLE, abs_bits_max(x, STRETCH, STRETCH + 8, dsp_peak_bits(m))), d = 0;
    m = dsp_bits_peak(a < DSP_PEAK_INF_BITS ? a : DSP_PEAK_INF_BITS);
    if (!(m * DSP_TRUEPEAK_GAIN_BOUND > peak))
        return 0;
    for (int k = 0; k < (WHOLE - 1) / 8 * 8; k++) {
        uint32_t u = dsp_peak_bits(x[k + 1] - x[k]) & 0x7fffffffu;
        d = u > d ? u : d;
    }
    for (int k = WHOLE - 1 - 8; k < WHOLE - 1; k++) {
        uint32_t u = dsp_peak_bits(x[k + 1] - x[k]) & 0x7fffffffu;
        d = u > d ? u : d;
    }
    return bounds_beat(m, dsp_bits_peak(d < DSP_PEAK_INF_BITS ? d : DSP_PEAK_INF_BITS), peak);
}

/* can_beat_m with m = the largest |x[i]| (the head's windows) */
static int can_beat(const float *x, int n, float peak)
{
    return can_beat_m(x, n, dsp_truepeak_sample_peak(x, n, 0.0f), peak);
}

/* See dsp/truepeak.h: one pass that gives the call's sample peak and a
 * bound on every stretch's. */
DSP_HOT
void dsp_truepeak_block_peaks(const float *restrict x, int n, uint32_t *restrict out)
{
    int b = 0;
    for (; (b + 1) * STRETCH <= n; b++) {
        const float *restrict w = x + b * STRETCH;
        uint32_t m = 0;
        for (int k = 0; k < STRETCH; k++) {
            uint32_t u = dsp_peak_bits(w[k]) & 0x7fffffffu;
            m = u > m ? u : m;
        }
        out[b] = m;
    }
    if (b * STRETCH < n) {
        uint32_t m = 0;
        for (int k = b * STRETCH; k < n; k++) {
            uint32_t u = dsp_peak_bits(x[k]) & 0x7fffffffu;
            m = u > m ? u : m;
        }
        out[b] = m;
    }
}

#define FEED_MAX DSP_TRUEPEAK_FEED_MAX

/* pass[b] = whether stretch b's block bound (its samples are within blocks
 * b and b + 1: blk[b + 1] is read, 0 past the last block) times the
 * filter's gain bound beats peak, for b < count; returns whether any does.
 * One vector loop instead of a test and branch per stretch: in a loud
 * programme most calls have none. */
DSP_HOT
static int stretch_bounds(const uint32_t *restrict blk, int count, float peak, uint32_t *restrict pass)
{
    uint32_t any = 0;
    for (int b = 0; b < count; b++) {
        uint32_t m = blk[b] > blk[b + 1] ? blk[b] : blk[b + 1];
        m = m < DSP_PEAK_INF_BITS ? m : DSP_PEAK_INF_BITS;
        pass[b] = dsp_bits_peak(m) * DSP_TRUEPEAK_GAIN_BOUND > peak;
        any |= pass[b];
    }
    return any != 0;
}

/* A call's sample peak: the largest of blk[0 .. nblk) (peak bits, not
 * clamped), and in *with_hist the larger of that and the largest |w[i]| of
 * the 11 samples before the call (two overlapping vectors of 8), in one
 * vector function instead of two scalar loops (about 150 instructions a
 * call, which the meter makes for every channel of every 1024 frames). */
_Static_assert(DSP_TRUEPEAK_TAPS - 1 >= 8 && DSP_TRUEPEAK_TAPS - 1 <= 16, "call_peaks: two vectors of 8 for the history");
DSP_HOT
static uint32_t call_peaks(const uint32_t *restrict blk, int nblk, const float *restrict w, uint32_t *with_hist)
{
    uint32_t m = 0, a = abs_bits_max(w, DSP_TRUEPEAK_TAPS - 1 - 8, DSP_TRUEPEAK_TAPS - 1, abs_bits_max(w, 0, 8, 0));
    for (int b = 0; b < nblk; b++)
        m = blk[b] > m ? blk[b] : m;
    *with_hist = a > m ? a : m;
    return m;
}

/* See dsp/truepeak.h: a call of any length, in pieces of FEED_MAX, each
 * with its block maxima */
float dsp_truepeak_feed(float *hist, const float *x, int n, float *sample_peak, float peak)
{
    uint32_t blk[FEED_MAX / STRETCH];
    do {
        int m = n < FEED_MAX ? n : FEED_MAX;
        dsp_truepeak_block_peaks(x, m, blk);
        peak = dsp_truepeak_feed_blocks(hist, x, m, blk, sample_peak, peak);
        x += m, n -= m;
    } while (n > 0);
    return peak;
}

float dsp_truepeak_feed_blocks(float *hist, const float *x, int n, const uint32_t *blocks, float *sample_peak,
                               float peak)
{
    const int h = DSP_TRUEPEAK_TAPS - 1;
    /* blk[b]: the largest |sample| of x[64 b .. 64 b + 64); stretch i's
     * windows read x[64 i .. 64 i + 75), within blocks i and i + 1, so
     * max(blk[i], blk[i + 1]) bounds its samples: where even that cannot
     * beat the peak, can_beat is not asked (it would say no: the same
     * windows skipped as before, without a pass over the samples) */
    uint32_t blk[FEED_MAX / STRETCH + 1], pass[FEED_MAX / STRETCH];
    const int nblk = (n + STRETCH - 1) / STRETCH;
    memcpy(blk, blocks, (size_t)nblk * sizeof *blk);
    blk[nblk] = 0;
    uint32_t with_hist, xm = call_peaks(blk, nblk, hist, &with_hist);
    const float x_peak = dsp_bits_peak(xm < DSP_PEAK_INF_BITS ? xm : DSP_PEAK_INF_BITS);
    *sample_peak = x_peak > *sample_peak ? x_peak : *sample_peak;
    /* a true-peak reading is max(interpolated, samples): an interpolated
     * value at or below the samples' peak cannot change it, so the bar a
     * stretch must clear is the larger of the two (this call's samples
     * included). At a programme's start, or after a take, that skips what
     * the running interpolated peak alone could not yet rule out. */
    peak = *sample_peak > peak ? *sample_peak : peak;

    /* nothing in the call can beat the peak unless this does */
    const int any = dsp_bits_peak(with_hist < DSP_PEAK_INF_BITS ? with_hist : DSP_PEAK_INF_BITS) *
                        DSP_TRUEPEAK_GAIN_BOUND > peak;
    float buf[2 * DSP_TRUEPEAK_TAPS];
    int head = n < h ? n : h;
    if (any || n < h) { /* the history and the call's first samples, in a row */
        memcpy(buf, hist, (size_t)h * sizeof *buf);
        memcpy(buf + h, x, (size_t)head * sizeof *buf);
    }
    if (any) {
        /* the windows reaching back into the last call's samples */
        if (can_beat(buf, h + head, peak))
            peak = dsp_truepeak_peak(buf, head, peak);
        /* the windows within x, a stretch at a time: those whose blocks'
         * bound beats the peak as it was before them are asked can_beat
         * with the peak as it is (a stretch that no longer can says no) */
        const int stretches = n > h ? (n - h + STRETCH - 1) / STRETCH : 0;
        if (stretch_bounds(blk, stretches, peak, pass))
            for (int b = 0; b < stretches; b++) {
                int i = b * STRETCH, len = n - h - i < STRETCH ? n - h - i : STRETCH;
                if (!pass[b])
                    continue;
                /* the stretch's samples x[i .. i + len + h): block b, and
                 * the first len + h - 64 samples of block b + 1 (none for
                 * the last stretch, whose samples are its block's): their
                 * largest |x| from the block's maximum and those few */
                float m = dsp_bits_peak(blk[b] < DSP_PEAK_INF_BITS ? blk[b] : DSP_PEAK_INF_BITS);
                int beat;
                if (len == STRETCH) {
                    beat = whole_stretch_can_beat(x + i, m, peak);
                } else {
                    if (len + h > STRETCH)
                        m = dsp_truepeak_sample_peak(x + i + STRETCH, len + h - STRETCH, m);
                    beat = can_beat_m(x + i, len + h, m, peak);
                }
                if (beat)
                    peak = len == STRETCH ? stretch_peak(x + i, peak) : dsp_truepeak_peak(x + i, len, peak);
            }
    }
    if (n >= h)
        memcpy(hist, x + n - h, (size_t)h * sizeof *buf);
    else
        memmove(hist, buf + n, (size_t)h * sizeof *buf);
    return peak;
}
