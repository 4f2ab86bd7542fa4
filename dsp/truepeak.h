/* truepeak.h - the 4x true-peak interpolator of ITU-R BS.1770-4 Annex 2 (48
 * taps, the published coefficients), run by the loudness meter
 * (dsp/loudness.c) and by the kernels that must agree with the meter bit for
 * bit (dsp/limiter.c). Stateless: the caller keeps the last 11 samples. */
#ifndef DSP_TRUEPEAK_H
#define DSP_TRUEPEAK_H

#include <stdint.h>
#include <string.h>

/* Input samples under each group of 4 interpolated values. The 4 values
 * made from w[i .. i + 11] (oldest first) lie between w[i + 5] and
 * w[i + 6], at 5.125, 5.375, 5.625 and 5.875. */
#define DSP_TRUEPEAK_TAPS 12

/* No interpolated value exceeds this times the largest |sample| under the
 * filter (the largest sum of |taps| of a phase is 16571 / 8192 = 2.0228). */
#define DSP_TRUEPEAK_GAIN_BOUND 2.03f

/* For i < count: out[i] = max(out[i], v_i), where v_i is the largest
 * magnitude among the 4 interpolated values made from w[i .. i + 11]: the
 * values whose maximum dsp_loudness reports as the true peak, the same bits.
 * w holds count + 11 samples; out must not overlap w. A NaN v_i leaves out[i]
 * as it was. */
void dsp_truepeak_max(const float *w, float *out, int count);

/* max(peak, the largest v_i for i < count), v_i as above: the running true
 * peak of a channel (peak >= 0, as returned before). A NaN v_i makes the
 * result +inf, never NaN. */
float dsp_truepeak_peak(const float *w, int count, float peak);

/* The largest |x[i]| of x[0..n) and peak (>= 0), by the meters' rule: a
 * NaN or an infinity makes it +inf, so a damaged signal never reads as
 * silence (dsp_loudness_sample_peak is this). */
float dsp_truepeak_sample_peak(const float *x, int n, float peak);

/* The running true-peak reading of one channel of a stream cut into calls
 * of any length: first *sample_peak = max(*sample_peak, the largest |x[i]|)
 * by dsp_truepeak_sample_peak's rule (the same bits), then returns
 * max(peak, *sample_peak, the interpolated values the n samples x[0..n)
 * complete), hist holding the stream's last DSP_TRUEPEAK_TAPS - 1 samples
 * (zeros before it starts), updated here. A reading, like BS.1770's, is
 * never below the samples' peak, so values at or below it need not be
 * found: when even the filter's gain bound on the call's samples and on
 * hist cannot beat max(peak, *sample_peak), the filter is skipped, and so
 * is each stretch of 64 windows whose own samples cannot, by that bound or
 * by one on their largest sample and largest step between neighbours,
 * tight where the signal is smooth (the same result as computing every
 * window and taking the max with the samples: test_loudness checks it bit
 * for bit; quiet passages cost almost nothing, loud ones only where they
 * are loudest and not smooth). The loudness meter's
 * (dsp_loudness_take_true_peaks hands the QC report its per-interval
 * readings from it, *sample_peak then the interval's). */
float dsp_truepeak_feed(float *hist, const float *x, int n, float *sample_peak, float peak);

/* Samples a stretch of windows (dsp_truepeak_feed checks its bound a
 * stretch at a time), and the most samples dsp_truepeak_feed_blocks takes */
#define DSP_TRUEPEAK_STRETCH 64
#define DSP_TRUEPEAK_FEED_MAX (64 * DSP_TRUEPEAK_STRETCH)

/* out[b] = the largest |x[i]| of x[64 b .. min(64 b + 64, n)) for each b <
 * ceil(n / 64), as peak bits (dsp_peak_bits of |x|) not yet clamped: a NaN
 * reads above DSP_PEAK_INF_BITS. What dsp_truepeak_feed_blocks takes. */
void dsp_truepeak_block_peaks(const float *x, int n, uint32_t *out);

/* dsp_truepeak_feed for n <= DSP_TRUEPEAK_FEED_MAX samples whose block
 * maxima the caller already has: blocks[b] as dsp_truepeak_block_peaks
 * gives them (the loudness meter takes them inside its K-weighting pass,
 * which has every sample in a register). The same result, bit for bit. */
float dsp_truepeak_feed_blocks(float *hist, const float *x, int n, const uint32_t *blocks, float *sample_peak,
                               float peak);

/* Peaks are kept as the bits of a non-negative float: for those, unsigned
 * integer order is float order, and an unsigned max is a reduction gcc
 * vectorises where a float max (NaN rules) is not. A NaN (bits above
 * infinity's) makes the peak +inf, never NaN: clamp to DSP_PEAK_INF_BITS.
 * Inline: they are one move each inside the meters' vectorised loops. */
#define DSP_PEAK_INF_BITS 0x7f800000u

static inline uint32_t dsp_peak_bits(float a)
{
    uint32_t u;
    memcpy(&u, &a, sizeof u);
    return u;
}

static inline float dsp_bits_peak(uint32_t u)
{
    float a;
    memcpy(&a, &u, sizeof a);
    return a;
}

#endif
