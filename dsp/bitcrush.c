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
