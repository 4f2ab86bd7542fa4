/* mix.c - clear, scale and add-scaled loops, written so the compiler
 * vectorises them (restrict, no aliasing, plain counted loops). */
#include "dsp/mix.h"

#include <string.h>

#include "dsp/simd.h"

void dsp_mix_clear(float *x, int n)
{
    memset(x, 0, (size_t)n * sizeof *x);
}

DSP_HOT
void dsp_mix_scale(float *x, float g, int n)
{
    for (int i = 0; i < n; i++)
        x[i] *= g;
}

DSP_HOT
void dsp_mix_add_scaled(float *restrict dst, const float *restrict src, float g, int n)
{
    if (g == 1.0f) {
        for (int i = 0; i < n; i++)
            dst[i] += src[i];
        return;
    }
    for (int i = 0; i < n; i++)
        dst[i] += g * src[i];
}

DSP_HOT
void dsp_mix_add_scaled_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                      float g, int n)
{
    for (int i = 0; i < n; i++) {
        left[i] += g * src[2 * i];
        right[i] += g * src[2 * i + 1];
    }
}
