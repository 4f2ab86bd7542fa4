/* crossover.h - a three-band Linkwitz-Riley split of order 8 (LR8): low
 * below f1, mid between f1 and f2, high above f2, 48 dB/octave slopes, each
 * filter two cascaded 4th-order Butterworths of dsp/biquad.h. The low band
 * also passes the 4th-order allpass that the mid+high split adds at f2
 * (two 2nd-order allpasses with the Butterworth Qs 0.5412 and 1.3066), so
 * low + mid + high has a flat magnitude: a gain on the mid band changes only
 * that band (one octave inside each edge the neighbours are 48 dB down). */
#ifndef DSP_CROSSOVER_H
#define DSP_CROSSOVER_H

#include "dsp/biquad.h"

typedef struct {
    dsp_butter lp1[2], hp1[2], lp2[2], hp2[2];
    dsp_biquad ap2[2];
} dsp_xover3;

/* Designs the split at f1 < f2 (Hz) for sample rate fs; state cleared. */
void dsp_xover3_init(dsp_xover3 *s, double fs, double f1, double f2);
void dsp_xover3_reset(dsp_xover3 *s);

/* Carries src's filter memories into dst, which keeps its crossover
 * frequencies. No allocation. */
void dsp_xover3_copy_state(dsp_xover3 *dst, const dsp_xover3 *src);

/* Splits in[0..n) into low, mid and high (four distinct buffers). */
void dsp_xover3_process(dsp_xover3 *s, const float *in, float *low, float *mid, float *high, int n);

/* Its memory in samples: every filter's (dsp/memory.h) added up, a bound
 * on the longest path. */
double dsp_xover3_memory(const dsp_xover3 *s);

#endif
