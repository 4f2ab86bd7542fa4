/* pcm.h - little-endian PCM bytes to float, the way libsndfile scales them
 * (so either reading path gives the same bits): a 16-bit sample s becomes
 * s / 32768, a 24-bit sample s becomes s / 8388608 (exact in float); 32-bit
 * float is copied. n counts samples, not frames. */
#ifndef DSP_PCM_H
#define DSP_PCM_H

#include <stddef.h>
#include <stdint.h>

void dsp_pcm_s16le_to_float(const unsigned char *in, float *out, size_t n);
void dsp_pcm_s24le_to_float(const unsigned char *in, float *out, size_t n);
void dsp_pcm_f32le_to_float(const unsigned char *in, float *out, size_t n);

/* The other way, for integer outputs without dither: frames [0, m) of the
 * planar channels chans[0..ch) + off, interleaved into dst as
 *     q = floor(x * scale + 0.5)   (double; round half up)
 * clipped to [-scale, scale - 1] (NaN: 0), times align (the value
 * left-aligned in 32 bits: 256 for 24-bit, 65536 for 16-bit). Returns how
 * many samples were clipped. */
int64_t dsp_pcm_quantise(const float *const *chans, int ch, int off, int m, double scale, int32_t align,
                         int32_t *dst);

/* n left-aligned 32-bit values (dsp_pcm_quantise's) as little-endian PCM
 * of `bytes` bytes a sample (2 or 3): the top bytes of each value, what
 * libsndfile writes for an int to a 16- or 24-bit WAV. */
void dsp_pcm_pack_le(const int32_t *in, unsigned char *out, size_t n, int bytes);

/* Index of the first sample of x[0..n) that is a NaN or an infinity, or -1
 * when every one is finite. The whole buffer is OR-reduced first (a loop
 * that vectorises); only a buffer holding one is searched again. Used where
 * samples come in (float sources, vm/media.c) and where they go out (every
 * output a render writes, vm/render.c): a non-finite sample is never
 * written. */
int64_t dsp_pcm_first_nonfinite(const float *x, size_t n);

#endif
