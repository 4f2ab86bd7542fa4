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

DSP_HOT
void dsp_mix_fill(float *x, float v, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = v;
}

DSP_HOT
void dsp_mix_line(float *restrict out, float y0, double slope, double k0, int n)
{
    double y = y0;
    for (int i = 0; i < n; i++)
        out[i] = (float)(y + slope * (k0 + i));
}

DSP_HOT
void dsp_mix_add_mul(float *restrict dst, const float *restrict src, const float *restrict g, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] += g[i] * src[i];
}

DSP_HOT
void dsp_mix_add_mul_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                   const float *restrict g, int n)
{
    for (int i = 0; i < n; i++) {
        left[i] += g[i] * src[2 * i];
        right[i] += g[i] * src[2 * i + 1];
    }
}

DSP_HOT
void dsp_mix_scaled_copy(float *restrict out, const float *restrict in, double scale, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (float)(scale * (double)in[i]);
}
