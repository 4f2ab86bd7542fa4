/* fastmath.h - per-sample gain arrays for moving parameters, and the
 * polynomials that dsp/pan.h's per-sample pan laws use.
 *
 * A moving fader or pan needs 10^(dB/20), or cos and sin of the pan angle,
 * for every sample. libm costs 20-40 ns a call there; these are polynomial
 * evaluations in plain IEEE arithmetic that the compiler vectorises, accurate
 * to about 1e-8 relative (far below float resolution, 6e-8), and identical
 * on every x86-64 machine (no libm, no FMA: the build uses -ffp-contract=off). */
#ifndef DSP_FASTMATH_H
#define DSP_FASTMATH_H

#include <stdint.h>
#include <string.h>

/* The formulas, one value at a time (the array functions below apply the
 * same ones, so a value gets the same bits either way). */
static inline double dsp_exp2_poly(double y)
{
    /* y in about [-24, 4]: split into integer and fraction without floor() */
    int32_t i = (int32_t)y;
    i -= y < (double)i;
    double f = (y - (double)i) * 0.69314718055994530942; /* f ln 2 in [0, ln 2) */
    /* the Taylor series to f^11 / 11!, evaluated by Estrin's scheme: pairs,
     * then pairs of pairs, so the multiplications overlap instead of waiting
     * on each other (a third of Horner's latency; the automation's knots
     * spend most of their time here) */
    double f2 = f * f, f4 = f2 * f2, f8 = f4 * f4;
    double a0 = 1.0 + f, a1 = 1.0 / 2 + f * (1.0 / 6), a2 = 1.0 / 24 + f * (1.0 / 120),
           a3 = 1.0 / 720 + f * (1.0 / 5040), a4 = 1.0 / 40320 + f * (1.0 / 362880),
           a5 = 1.0 / 3628800 + f * (1.0 / 39916800);
    double b0 = a0 + f2 * a1, b1 = a2 + f2 * a3, b2 = a4 + f2 * a5;
    double p = (b0 + f4 * b1) + f8 * b2;
    uint64_t bits = (uint64_t)(i + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* sin and cos by their Taylor series (to x^13 and x^14), in x^2, by Estrin's
 * scheme (see dsp_exp2_poly) */
static inline double dsp_sin_poly(double x) /* x in [0, pi/2] */
{
    double u = x * x, u2 = u * u, u4 = u2 * u2;
    double a0 = 1 - u * (1.0 / 6), a1 = 1.0 / 120 - u * (1.0 / 5040), a2 = 1.0 / 362880 - u * (1.0 / 39916800),
           a3 = 1.0 / 6227020800;
    return x * ((a0 + u2 * a1) + u4 * (a2 + u2 * a3));
}

static inline double dsp_cos_poly(double x) /* x in [0, pi/2] */
{
    double u = x * x, u2 = u * u, u4 = u2 * u2;
    double a0 = 1 - u * 0.5, a1 = 1.0 / 24 - u * (1.0 / 720), a2 = 1.0 / 40320 - u * (1.0 / 3628800),
           a3 = 1.0 / 479001600 - u * (1.0 / 87178291200);
    return (a0 + u2 * a1) + u4 * (a2 + u2 * a3);
}

static inline float dsp_db_to_gain_1(double db, double silence_db)
{
    const double k = 0.16609640474436811739; /* log2(10) / 20 */
    double g = dsp_exp2_poly((db > silence_db ? db : silence_db) * k);
    return db > silence_db ? (float)g : 0.0f;
}

/* gain[i] = 10^(db[i] / 20); exactly 0 where db[i] <= silence_db. */
void dsp_db_to_gain(const double *db, float *gain, int n, double silence_db);

#endif
