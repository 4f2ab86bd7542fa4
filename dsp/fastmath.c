/* fastmath.c - polynomial exp2, sin and cos for gain and pan arrays (see
 * fastmath.h). Taylor series on reduced ranges: 2^f for f in [0, 1) to
 * degree 11 (remainder below (ln 2)^12 / 12! = 2e-11), sin and cos on
 * [0, pi/2] to degrees 13 and 14 (remainders below 1e-11). */
#include "dsp/fastmath.h"

#include <stdint.h>
#include <string.h>

#include "dsp/simd.h"

static inline double exp2_poly(double y)
{
    /* y in about [-24, 4]: split into integer and fraction without floor() */
    int32_t i = (int32_t)y;
    i -= y < (double)i;
    double f = (y - (double)i) * 0.69314718055994530942; /* f ln 2 in [0, ln 2) */
    double p = 1.0 + f * (1.0 + f * (1.0 / 2 + f * (1.0 / 6 + f * (1.0 / 24 + f * (1.0 / 120 + f * (1.0 / 720 +
               f * (1.0 / 5040 + f * (1.0 / 40320 + f * (1.0 / 362880 + f * (1.0 / 3628800 +
               f * (1.0 / 39916800)))))))))));
    uint64_t bits = (uint64_t)(i + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline double sin_poly(double x) /* x in [0, pi/2] */
{
    double x2 = x * x; /* multiplications by constant reciprocals: no division in the loop */
    return x * (1 - x2 * (1.0 / 6) * (1 - x2 * (1.0 / 20) * (1 - x2 * (1.0 / 42) * (1 - x2 * (1.0 / 72) *
           (1 - x2 * (1.0 / 110) * (1 - x2 * (1.0 / 156)))))));
}

static inline double cos_poly(double x) /* x in [0, pi/2] */
{
    double x2 = x * x;
    return 1 - x2 * 0.5 * (1 - x2 * (1.0 / 12) * (1 - x2 * (1.0 / 30) * (1 - x2 * (1.0 / 56) * (1 - x2 * (1.0 / 90) *
           (1 - x2 * (1.0 / 132) * (1 - x2 * (1.0 / 182)))))));
}

DSP_HOT
void dsp_db_to_gain(const double *db, float *gain, int n, double silence_db)
{
    const double k = 0.16609640474436811739; /* log2(10) / 20 */
    for (int i = 0; i < n; i++) {
        double v = db[i];
        double g = exp2_poly((v > silence_db ? v : silence_db) * k);
        gain[i] = v > silence_db ? (float)g : 0.0f;
    }
}

static inline double clamp1(double p)
{
    return p < -1 ? -1 : p > 1 ? 1 : p;
}

DSP_HOT
void dsp_pan_mono_array(const double *pan, float *left, float *right, int n)
{
    const double q = 0.78539816339744830962; /* pi / 4 */
    for (int i = 0; i < n; i++) {
        double p = clamp1(pan[i]), a = (p + 1) * q;
        left[i] = p < 1 ? (float)cos_poly(a) : 0.0f; /* exact zeros at the extremes */
        right[i] = p > -1 ? (float)sin_poly(a) : 0.0f;
    }
}

DSP_HOT
void dsp_pan_balance_array(const double *pan, float *left, float *right, int n)
{
    const double h = 1.57079632679489661923; /* pi / 2 */
    for (int i = 0; i < n; i++) {
        double p = clamp1(pan[i]);
        double m = p < 0 ? -p : p;
        float c = m < 1 ? (float)cos_poly(m * h) : 0.0f;
        left[i] = p > 0 ? c : 1.0f;
        right[i] = p < 0 ? c : 1.0f;
    }
}
