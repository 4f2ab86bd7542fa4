/* fastmath.h - per-sample gain and pan-law arrays for moving parameters.
 *
 * A moving fader or pan needs 10^(dB/20), or cos and sin of the pan angle,
 * for every sample. libm costs 20-40 ns a call there; these are polynomial
 * evaluations in plain IEEE arithmetic that the compiler vectorises, accurate
 * to about 1e-8 relative (far below float resolution, 6e-8), and identical
 * on every x86-64 machine (no libm, no FMA: the build uses -ffp-contract=off). */
#ifndef DSP_FASTMATH_H
#define DSP_FASTMATH_H

/* gain[i] = 10^(db[i] / 20); exactly 0 where db[i] <= silence_db. */
void dsp_db_to_gain(const double *db, float *gain, int n, double silence_db);

/* The pan laws of dsp/pan.h, per sample: mono = constant power,
 * L = cos((p + 1) pi / 4), R = sin((p + 1) pi / 4); balance: the far side
 * times cos(|p| pi / 2). pan values are clamped to [-1, 1]. */
void dsp_pan_mono_array(const double *pan, float *left, float *right, int n);
void dsp_pan_balance_array(const double *pan, float *left, float *right, int n);

#endif
