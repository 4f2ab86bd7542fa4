/* bitcrush.c - the sample-and-hold and quantiser of bitcrush.h. */
#include "dsp/bitcrush.h"

#include <math.h>

void dsp_bitcrush_init(dsp_bitcrush *s, double fs, double bits, double rate_hz)
{
    dsp_bitcrush_set(s, fs, bits, rate_hz);
    dsp_bitcrush_reset(s);
}

void dsp_bitcrush_set(dsp_bitcrush *s, double fs, double bits, double rate_hz)
{
    s->q = exp2(1.0 - bits);
    s->inv_q = 1.0 / s->q;
    s->period = rate_hz >= fs ? 1.0 : fs / rate_hz;
}

void dsp_bitcrush_reset(dsp_bitcrush *s)
{
    s->until = 0;
    for (int ch = 0; ch < DSP_BITCRUSH_MAX_CHANNELS; ch++)
        s->held[ch] = 0;
}

/* The j with j p <= x < (j + 1) p, exactly: the quotient rounded, then
 * moved by the sign of the remainder x - j p, which fma computes with one
 * rounding (so its sign is exact). j and x are integers under 2^53. */
static double floor_div(double x, double p)
{
    double j = floor(x / p);
    while (fma(-(j + 1), p, x) >= 0)
        j += 1;
    while (fma(-j, p, x) < 0)
        j -= 1;
    return j;
}

void dsp_bitcrush_locate(dsp_bitcrush *s, int64_t pos)
{
    /* The countdown before sample t is J p - t, J the first multiple past
     * t - 1: J = floor((t - 1) / p) + 1. J p - t lies in (-1, p - 1] on
     * the grid of p's last bit, so fma gives it exactly. */
    double t = (double)pos, p = s->period;
    s->until = fma(floor_div(t - 1, p) + 1, p, -t);
}

void dsp_bitcrush_copy_state(dsp_bitcrush *dst, const dsp_bitcrush *src)
{
    dst->until = src->until;
    for (int ch = 0; ch < DSP_BITCRUSH_MAX_CHANNELS; ch++)
        dst->held[ch] = src->held[ch];
}

void dsp_bitcrush_process(dsp_bitcrush *s, float *const *io, int nch, int n)
{
    const double q = s->q, inv_q = s->inv_q, period = s->period, start = s->until;
    double until = start;
    for (int ch = 0; ch < nch; ch++) {
        float *x = io[ch];
        float h = s->held[ch];
        until = start; /* every channel counts down the same way */
        for (int i = 0; i < n; i++) {
            if (until <= 0) {
                h = (float)(q * floor((double)x[i] * inv_q + 0.5));
                until += period;
            }
            x[i] = h;
            until -= 1;
        }
        s->held[ch] = h;
    }
    for (int i = 0; nch == 0 && i < n; i++) { /* no channel: the countdown still runs */
        if (until <= 0)
            until += period;
        until -= 1;
    }
    s->until = until;
}
