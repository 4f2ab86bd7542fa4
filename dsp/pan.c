/* pan.c - constant-power mono pan and cosine stereo balance (see pan.h). */
#include "dsp/pan.h"

#include <math.h>

#include "dsp/simd.h"

void dsp_pan_mono(double pan, double *left, double *right)
{
    dsp_pan_mono_law(pan, cos, sin, left, right);
}

void dsp_pan_balance(double pan, double *left, double *right)
{
    dsp_pan_balance_law(pan, cos, left, right);
}

DSP_HOT
void dsp_pan_mono_n(const double *pan, float *left, float *right, int n)
{
    for (int i = 0; i < n; i++)
        dsp_pan_mono_1(pan[i], &left[i], &right[i]);
}

DSP_HOT
void dsp_pan_balance_n(const double *pan, float *left, float *right, int n)
{
    for (int i = 0; i < n; i++)
        dsp_pan_balance_1(pan[i], &left[i], &right[i]);
}
