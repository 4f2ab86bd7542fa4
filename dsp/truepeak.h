/* truepeak.h - the 4x true-peak interpolator of ITU-R BS.1770-4 Annex 2 (48
 * taps, the published coefficients), as dsp/loudness.c's meter runs it,
 * exposed for the other kernels that must agree with the meter bit for bit
 * (dsp/limiter.c). The coefficients and the code live in dsp/loudness.c. */
#ifndef DSP_TRUEPEAK_H
#define DSP_TRUEPEAK_H

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

#endif
