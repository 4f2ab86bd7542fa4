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

/* dst[i] += g[i] * src[i]: a per-sample gain */
void dsp_mix_add_mul(float *restrict dst, const float *restrict src, const float *restrict g, int n);

/* left[i] += g[i] * src[2i], right[i] += g[i] * src[2i + 1] */
void dsp_mix_add_mul_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                   const float *restrict g, int n);

/* out[i] = (float)(scale * (double)in[i]) */
void dsp_mix_scaled_copy(float *restrict out, const float *restrict in, double scale, int n);

/* x[i] = v */
void dsp_mix_fill(float *x, float v, int n);

/* out[i] = (float)(y0 + slope * (k0 + i)): a straight line, per sample */
void dsp_mix_line(float *out, float y0, double slope, double k0, int n);

#endif
