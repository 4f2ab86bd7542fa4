/* mix.h - the plain arithmetic of mixing: clear, scale, add-scaled.
 * Summing is plain summing (no normalisation); 1.0 is unity gain. */
#ifndef DSP_MIX_H
#define DSP_MIX_H

/* x[0..n) = 0 */
void dsp_mix_clear(float *x, int n);

/* x[i] *= g */
void dsp_mix_scale(float *x, float g, int n);

/* a[i] and b[i] exchanged, i < n (a delay line's ring and the signal it
 * delays in place). */
void dsp_mix_swap(float *restrict a, float *restrict b, int n);

/* dst[i] += g * src[i] */
void dsp_mix_add_scaled(float *restrict dst, const float *restrict src, float g, int n);

/* left[i] += g * src[2i], right[i] += g * src[2i + 1]: a stereo
 * interleaved source added into two planar channels */
void dsp_mix_add_scaled_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                      float g, int n);

/* dst[i] = g * src[i] + 0 and the same deinterleaving: what add_scaled
 * leaves in a cleared dst, bit for bit (a -0 product becomes +0 as it
 * would on 0), in one pass */
void dsp_mix_set_scaled(float *restrict dst, const float *restrict src, float g, int n);
void dsp_mix_set_scaled_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                      float g, int n);

/* The frames src of fc channels (1 or 2) set into out[0..fc) as above:
 * dsp_mix_set_scaled or dsp_mix_set_scaled_deinterleave2. */
void dsp_mix_set_frames(float *const *out, const float *src, int fc, float g, int n);

/* dst[i] += g[i] * src[i]: a per-sample gain */
void dsp_mix_add_mul(float *restrict dst, const float *restrict src, const float *restrict g, int n);

/* left[i] += g[i] * src[2i], right[i] += g[i] * src[2i + 1] */
void dsp_mix_add_mul_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                   const float *restrict g, int n);

/* out[i] = (float)(scale * (double)in[i]) */
void dsp_mix_scaled_copy(float *restrict out, const float *restrict in, double scale, int n);

/* x[i] = v */
void dsp_mix_fill(float *x, float v, int n);

/* One piece of a per-sample gain: block samples [off, off + n) take
 *     y + k (slope + k curve),  k = (float)(k0 + i), i = 0 .. n - 1
 * (k0: samples since the piece's start), in float: 8 samples a vector
 * operation. A hold has slope and curve 0, a straight line curve 0. */
typedef struct {
    int off, n, k0;
    float y, slope, curve;
} dsp_line;

/* out[off + i] = the piece's value, for each of the nl pieces */
void dsp_mix_fill_lines(float *restrict out, const dsp_line *lines, int nl);

/* dst[off + i] += value * src[off + i]: the same bits as filling the
 * values and calling dsp_mix_add_mul, in one pass; set: dst is taken as 0
 * (written, not read: the bits of adding onto a cleared dst) */
void dsp_mix_add_mul_lines(float *restrict dst, const float *restrict src, const dsp_line *lines, int nl, int set);

/* left[off + i] += value * src[2 (off + i)], right[off + i] += value *
 * src[2 (off + i) + 1]: the same bits as dsp_mix_add_mul_deinterleave2 */
void dsp_mix_add_mul_lines_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                         const dsp_line *lines, int nl, int set);

/* left[off + i] += vl * a[off + i], right[off + i] += vr * b[off + i] in one
 * pass, vl and vr the values of ll[p] and rl[p], which share off, n and k0
 * (a pan's two sides; a and b may be the same source): the bits of two
 * dsp_mix_add_mul_lines */
void dsp_mix_add_mul_lines_pair(float *restrict left, float *restrict right, const float *a, const float *b,
                                const dsp_line *ll, const dsp_line *rl, int nl);

/* x[off + i] *= value */
void dsp_mix_mul_lines(float *restrict x, const dsp_line *lines, int nl);

#endif
