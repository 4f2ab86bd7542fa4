/* fade.c - fade curve formulas (see fade.h). */
#include "dsp/fade.h"

#include <math.h>

double dsp_fade_gain(dsp_fade_curve curve, double t)
{
    if (t <= 0) return 0;
    if (t >= 1) return 1;
    switch (curve) {
    case DSP_FADE_LINEAR: return t;
    case DSP_FADE_EQUAL_POWER: return sin(t * M_PI / 2);
    case DSP_FADE_S_CURVE: return (1 - cos(M_PI * t)) / 2;
    case DSP_FADE_EXPONENTIAL: return t * t;
    }
    return t;
}
