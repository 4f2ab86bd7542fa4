/* mix.h - the plain arithmetic of mixing: clear, scale, add-scaled.
 * Summing is plain summing (no normalisation); 1.0 is unity gain. */
#ifndef DSP_MIX_H
#define DSP_MIX_H

/* x[0..n) = 0 */
void dsp_mix_clear(float *x, int n);

/* x[i] *= g */
void dsp_mix_scale(float *x, float g, int n);

/* dst[i] += g * src[i] */
void dsp_mix_add_scaled(float *restrict dst, const float *restrict src, float g, int n);

/* left[i] += g * src[2i], right[i] += g * src[2i + 1]: a stereo
 * interleaved source added into two planar channels */
void dsp_mix_add_scaled_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                      float g, int n);

#endif
