/* memory.h - how long a kernel remembers: the samples its state takes to
 * fall 60 dB (a factor of 1000), the film convention of a reverb's rt60.
 * Each kernel with state states its own memory with these
 * (dsp_X_memory); a segment render (docs/segments.md) compares them with
 * its pre-roll. */
#ifndef DSP_MEMORY_H
#define DSP_MEMORY_H

#include "dsp/biquad.h"

/* 60 dB as a natural-log factor: ln(1000). */
#define DSP_MEMORY_LN1000 6.907755278982137

/* Samples for r^n to fall 60 dB: ln(1000) / -ln|r|; 0 for r = 0,
 * HUGE_VAL for |r| >= 1 (no decay). A one-pole smoother
 * y = r y + (1 - r) x forgets its start this fast. */
double dsp_memory_pole(double r);

/* Samples for a second-order section's impulse response to fall 60 dB:
 * dsp_memory_pole of the larger radius of the roots of z^2 + a1 z + a2. */
double dsp_memory_biquad(const dsp_biquad_coefs *c);

#endif
