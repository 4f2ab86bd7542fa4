/* pcm.h - little-endian PCM bytes to float, the way libsndfile scales them
 * (so either reading path gives the same bits): a 16-bit sample s becomes
 * s / 32768, a 24-bit sample s becomes s / 8388608 (exact in float); 32-bit
 * float is copied. n counts samples, not frames. */
#ifndef DSP_PCM_H
#define DSP_PCM_H

#include <stddef.h>

void dsp_pcm_s16le_to_float(const unsigned char *in, float *out, size_t n);
void dsp_pcm_s24le_to_float(const unsigned char *in, float *out, size_t n);
void dsp_pcm_f32le_to_float(const unsigned char *in, float *out, size_t n);

#endif
