/* pan.c - constant-power mono pan and cosine stereo balance (see pan.h). */
#include "dsp/pan.h"

#include <math.h>

void dsp_pan_mono(double pan, double *left, double *right)
{
    double a = (pan + 1.0) * M_PI / 4.0;
    *left = cos(a);
    *right = sin(a);
    if (pan <= -1.0) *right = 0.0; /* exact zeros at the extremes, not 6e-17 */
    if (pan >= 1.0) *left = 0.0;
}

void dsp_pan_balance(double pan, double *left, double *right)
{
    *left = pan > 0 ? cos(pan * M_PI / 2.0) : 1.0;
    *right = pan < 0 ? cos(-pan * M_PI / 2.0) : 1.0;
    if (pan >= 1.0) *left = 0.0;
    if (pan <= -1.0) *right = 0.0;
}
