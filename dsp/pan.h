/* pan.h - pan laws, stated (ARCHITECTURE.md property 6), and their one
 * implementation.
 *
 * Mono to stereo, constant power, -3.01 dB at centre:
 *     L = cos((p + 1) * pi / 4),  R = sin((p + 1) * pi / 4),  p in [-1, 1]
 *     p = -1: L = 1, R = 0;  p = 0: L = R = 0.7071;  p = +1: L = 0, R = 1.
 * Stereo balance, unity at centre (a stereo track at p = 0 is unchanged):
 *     p <= 0: L = 1, R = cos(-p * pi / 2);  p >= 0: L = cos(p * pi / 2), R = 1.
 * p is clamped to [-1, 1]; the far side is exactly 0 at the extremes (not
 * cos(pi / 2) = 6e-17).
 *
 * One law (dsp_pan_mono_law, dsp_pan_balance_law: clamping, angle, exact
 * zeros) with two evaluations of cos and sin:
 *   - per sample (moving pans: dsp_pan_mono_1, _n and the balance ones),
 *     dsp/fastmath.h's polynomials, which the compiler vectorises;
 *   - once per route (static pans: dsp_pan_mono, dsp_pan_balance, in
 *     double), libm's cos and sin.
 * They round to the same float except where the value lies within the
 * polynomials' error (under 7e-10, see dsp/fastmath.c) of a rounding
 * boundary; there they differ by one float ulp (at most 6e-8), or, for
 * coefficients below 0.001 (-60 dB: pans within 0.0013 of the extremes), by
 * at most 3e-10 (tests/unit/test_pan.c checks both).
 * Over the pans k / 1000, 7 mono pans (0.708, 0.75, 0.897, 0.934, 0.993,
 * 0.996, 0.999) and 4 balance pans (+-0.967, +-0.998) of 2001 differ.
 * Making the static pans use the polynomials too would change those mixes'
 * output in the last bit, so each path keeps the trig its bytes were made
 * with. */
#ifndef DSP_PAN_H
#define DSP_PAN_H

#include "dsp/fastmath.h"

/* The mono law with the given cos and sin (inlined with constant functions,
 * so each caller gets straight-line code). */
static inline void dsp_pan_mono_law(double pan, double (*cos_fn)(double), double (*sin_fn)(double), double *left,
                                    double *right)
{
    const double q = 0.78539816339744830962; /* pi / 4 */
    double p = pan < -1 ? -1 : pan > 1 ? 1 : pan, a = (p + 1) * q;
    *left = p < 1 ? cos_fn(a) : 0.0;
    *right = p > -1 ? sin_fn(a) : 0.0;
}

/* The balance law with the given cos. */
static inline void dsp_pan_balance_law(double pan, double (*cos_fn)(double), double *left, double *right)
{
    const double h = 1.57079632679489661923; /* pi / 2 */
    double p = pan < -1 ? -1 : pan > 1 ? 1 : pan;
    double m = p < 0 ? -p : p;
    double c = m < 1 ? cos_fn(m * h) : 0.0;
    *left = p > 0 ? c : 1.0;
    *right = p < 0 ? c : 1.0;
}

/* The laws in double with libm's cos and sin: static pan coefficients. */
void dsp_pan_mono(double pan, double *left, double *right);
void dsp_pan_balance(double pan, double *left, double *right);

/* The laws with the polynomials, one value, rounded to float. */
static inline void dsp_pan_mono_1(double pan, float *left, float *right)
{
    double l, r;
    dsp_pan_mono_law(pan, dsp_cos_poly, dsp_sin_poly, &l, &r);
    *left = (float)l;
    *right = (float)r;
}

static inline void dsp_pan_balance_1(double pan, float *left, float *right)
{
    double l, r;
    dsp_pan_balance_law(pan, dsp_cos_poly, &l, &r);
    *left = (float)l;
    *right = (float)r;
}

/* left[i], right[i] = the law of pan[i] (dsp_pan_mono_1, dsp_pan_balance_1):
 * per-sample coefficients of moving pans. */
void dsp_pan_mono_n(const double *pan, float *left, float *right, int n);
void dsp_pan_balance_n(const double *pan, float *left, float *right, int n);

#endif
