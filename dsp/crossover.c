/* crossover.c - three-band LR8 split (see crossover.h): Linkwitz-Riley
 * crossovers as cascaded Butterworth pairs (Linkwitz, "Active Crossover
 * Networks for Noncoincident Drivers", JAES 1976). For a Butterworth
 * denominator D of order 4, LP8 + HP8 = (1 + s^8) / D(s)^2 = D(-s) / D(s),
 * an allpass whose sections are D's (Q = 1 / (2 sin((2m - 1) pi / 8))). */
#include "dsp/crossover.h"
#include "dsp/memory.h"

#include <math.h>

static void pair(dsp_butter *b, dsp_eq_type t, double fs, double f)
{
    for (int i = 0; i < 2; i++) {
        dsp_butter_init(&b[i]);
        dsp_butter_design(&b[i], t, 4, fs, f);
    }
}

void dsp_xover3_init(dsp_xover3 *s, double fs, double f1, double f2)
{
    pair(s->lp1, DSP_EQ_LOWPASS, fs, f1);
    pair(s->hp1, DSP_EQ_HIGHPASS, fs, f1);
    pair(s->lp2, DSP_EQ_LOWPASS, fs, f2);
    pair(s->hp2, DSP_EQ_HIGHPASS, fs, f2);
    for (int m = 1; m <= 2; m++) {
        dsp_biquad_coefs c;
        dsp_biquad_design(&c, DSP_EQ_ALLPASS, fs, f2, 1.0 / (2.0 * sin((2 * m - 1) * M_PI / 8.0)), 0);
        dsp_biquad_init(&s->ap2[m - 1]);
        dsp_biquad_set(&s->ap2[m - 1], &c);
    }
}

void dsp_xover3_reset(dsp_xover3 *s)
{
    for (int i = 0; i < 2; i++) {
        dsp_butter_reset(&s->lp1[i]);
        dsp_butter_reset(&s->hp1[i]);
        dsp_butter_reset(&s->lp2[i]);
        dsp_butter_reset(&s->hp2[i]);
        dsp_biquad_reset(&s->ap2[i]);
    }
}

void dsp_xover3_copy_state(dsp_xover3 *dst, const dsp_xover3 *src)
{
    /* every filter of a split has the same shape (4th order), so no
     * section count can differ */
    for (int k = 0; k < 2; k++) {
        dsp_butter_copy_state(&dst->lp1[k], &src->lp1[k]);
        dsp_butter_copy_state(&dst->hp1[k], &src->hp1[k]);
        dsp_butter_copy_state(&dst->lp2[k], &src->lp2[k]);
        dsp_butter_copy_state(&dst->hp2[k], &src->hp2[k]);
        dsp_biquad_copy_state(&dst->ap2[k], &src->ap2[k]);
    }
}

void dsp_xover3_process(dsp_xover3 *s, const float *in, float *low, float *mid, float *high, int n)
{
    /* high holds HP_f1(in) first, which then splits into mid and high */
    dsp_butter_process(&s->hp1[0], in, high, n);
    dsp_butter_process(&s->hp1[1], high, high, n);
    dsp_butter_process(&s->lp1[0], in, low, n);
    dsp_butter_process(&s->lp1[1], low, low, n);
    dsp_biquad_process(&s->ap2[0], low, low, n);
    dsp_biquad_process(&s->ap2[1], low, low, n);
    dsp_butter_process(&s->lp2[0], high, mid, n);
    dsp_butter_process(&s->lp2[1], mid, mid, n);
    dsp_butter_process(&s->hp2[0], high, high, n);
    dsp_butter_process(&s->hp2[1], high, high, n);
}

double dsp_xover3_memory(const dsp_xover3 *s)
{
    double m = 0;
    for (int k = 0; k < 2; k++)
        m += dsp_butter_memory(&s->lp1[k]) + dsp_butter_memory(&s->hp1[k]) + dsp_butter_memory(&s->lp2[k]) +
             dsp_butter_memory(&s->hp2[k]) + dsp_memory_biquad(&s->ap2[k].c);
    return m;
}
