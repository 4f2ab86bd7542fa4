/* bitcrush.h - bit-depth and sample-rate reduction (a "bit crusher"): the
 * sound of an early sampler, a cheap digital radio link, a toy.
 *
 * Sample and hold, then quantise. The channels share one countdown to the
 * next take, in samples: a take happens at the first sample at or after
 * each multiple of the period p = fs / rate, counted from sample 0 (which
 * is taken), and the value taken is repeated until the next. At rate =
 * fs / k every held value lasts exactly k samples; at another rate holds
 * of floor(p) and floor(p) + 1 samples alternate, so n samples hold
 * floor((n - 1) / p) + 1 values; rate >= fs takes every sample. The
 * countdown only adds p and subtracts 1, which is exact in double for a
 * period under 2^52, so the takes fall on ceil(j p) however long the
 * programme. The grid is the session's, not the kernel's: the caller says
 * where each run starts (dsp_bitcrush_locate, a session sample index) and
 * the countdown is set from that position alone, so a render started
 * anywhere (a segment's pre-roll, a change of rate) takes its values at
 * the same samples as one started at sample 0; what a start carries is
 * only the value held, which the next take replaces. No anti-alias
 * filter on the way down and no reconstruction filter after: the aliases
 * and the staircase are the effect.
 *
 * The value taken is rounded to the nearest multiple of q = 2^(1 - bits)
 * (half-way up): the levels of a signed converter `bits` deep, where full
 * scale is 1, so a ramp over [-1, 1 - q/2) comes out in exactly 2^bits
 * levels, silence stays 0 and the error is at most q/2. Values beyond +-1
 * keep stepping by q (no clipping; the float path has headroom). bits may
 * be fractional (a sweep moves smoothly in step size). Computed in double. */
#ifndef DSP_BITCRUSH_H
#define DSP_BITCRUSH_H

#include <stdint.h>

#define DSP_BITCRUSH_MAX_CHANNELS 64

typedef struct {
    double q, inv_q;    /* the quantisation step 2^(1 - bits), and its inverse */
    double period;      /* samples from one take to the next: fs / rate, at least 1 */
    double until;       /* samples until the next take; <= 0: the next sample is one */
    float held[DSP_BITCRUSH_MAX_CHANNELS];
} dsp_bitcrush;

/* bits 1..24, rate_hz > 0 (the caller checks the ranges), fs the sample
 * rate; a clean state (the first sample is taken). */
void dsp_bitcrush_init(dsp_bitcrush *s, double fs, double bits, double rate_hz);

/* New settings from the next sample on; the countdown and the held values
 * carry on. fs as given to init. */
void dsp_bitcrush_set(dsp_bitcrush *s, double fs, double bits, double rate_hz);

/* The state before the first sample: a take due, nothing held. */
void dsp_bitcrush_reset(dsp_bitcrush *s);

/* Sets the countdown for a run whose first sample is session sample pos
 * (any integer, |pos| < 2^52): the next take is the first sample at or
 * after pos that is at or after a multiple of the period, exactly (the
 * same countdown a run from sample 0 has reached at pos, whatever ran
 * before). The held values stay. */
void dsp_bitcrush_locate(dsp_bitcrush *s, int64_t pos);

/* Carries src's countdown and held values into dst, which keeps its
 * settings. */
void dsp_bitcrush_copy_state(dsp_bitcrush *dst, const dsp_bitcrush *src);

/* Crushes io[0..nch)[0..n) in place, nch <= DSP_BITCRUSH_MAX_CHANNELS. */
void dsp_bitcrush_process(dsp_bitcrush *s, float *const *io, int nch, int n);

#endif
