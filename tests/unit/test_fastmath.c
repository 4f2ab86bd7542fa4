/* test_fastmath.c - dsp/fastmath's polynomials and dsp/fade's curves
 * against libm in long double (exp2l, sinl, cosl, powl: not the code under
 * test), over dense grids:
 *   - dsp_exp2_poly(y), y in [-24, 4]: within 1e-10 relative (the Taylor
 *     remainder is below 2e-11, plus rounding);
 *   - dsp_sin_poly, dsp_cos_poly on [0, pi/2]: within 7e-10 and 1e-10
 *     absolute (the Taylor remainders at pi/2: x^15/15! = 6.6e-10 and
 *     x^16/16! = 6.9e-11);
 *   - dsp_db_to_gain_1 = 10^(dB/20) in float within 1 float ulp + 1e-8
 *     relative (7.5e-8) from -200 to +24 dB; exactly 1 at 0 dB; exactly 0
 *     at and below the silence level; the array function gives the same
 *     bits as the one-value one;
 *   - the fade curves of dsp/fade.h (t, sin(t pi/2), (1 - cos(pi t))/2, t^2)
 *     within 1e-15; g(0) = 0 and g(1) = 1 exactly, clamped outside [0, 1];
 *     an equal-power crossfade g(t)^2 + g(1 - t)^2 = 1 and a linear or S
 *     crossfade g(t) + g(1 - t) = 1, within 1e-15. */
#include "dsp/fade.h"
#include "dsp/fastmath.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"

static const long double PI_L = 3.141592653589793238462643383279502884L;

static void test_polys(void)
{
    double worst_exp = 0, worst_sin = 0, worst_cos = 0;
    for (int k = 0; k <= 280000; k++) {
        double y = -24.0 + k * 1e-4;
        long double want = exp2l((long double)y);
        worst_exp = fmax(worst_exp, (double)(fabsl((long double)dsp_exp2_poly(y) - want) / want));
    }
    for (int k = 0; k <= 100000; k++) {
        double x = (double)(PI_L / 2) * k / 100000;
        worst_sin = fmax(worst_sin, (double)fabsl((long double)dsp_sin_poly(x) - sinl((long double)x)));
        worst_cos = fmax(worst_cos, (double)fabsl((long double)dsp_cos_poly(x) - cosl((long double)x)));
    }
    check(worst_exp <= 1e-10, "exp2 polynomial on [-24, 4] within 1e-10 relative", "worst %.3g", worst_exp);
    check(worst_sin <= 7e-10, "sin polynomial on [0, pi/2] within 7e-10", "worst %.3g", worst_sin);
    check(worst_cos <= 1e-10, "cos polynomial on [0, pi/2] within 1e-10", "worst %.3g", worst_cos);
}

static void test_db_to_gain(void)
{
    const double silence = -200.0;
    int n = 224001;
    double *db = malloc((size_t)n * sizeof *db);
    float *g = malloc((size_t)n * sizeof *g);
    double worst = 0;
    int bits = 0;
    for (int k = 0; k < n; k++)
        db[k] = -200.0 + k * 1e-3 + 1e-6; /* just above the silence level up to +24 dB */
    dsp_db_to_gain(db, g, n, silence);
    for (int k = 0; k < n; k++) {
        long double want = powl(10.0L, (long double)db[k] / 20.0L);
        worst = fmax(worst, (double)(fabsl((long double)g[k] - want) / want));
        bits += g[k] != dsp_db_to_gain_1(db[k], silence);
    }
    check(worst <= 7.5e-8, "db_to_gain = 10^(dB/20) within 7.5e-8 relative, -200 to +24 dB", "worst %.3g", worst);
    check(bits == 0, "db_to_gain array = one-value function, bit for bit", "%d differ", bits);
    check(dsp_db_to_gain_1(0.0, silence) == 1.0f, "0 dB is exactly unity", "got %.9g",
          dsp_db_to_gain_1(0.0, silence));
    check(dsp_db_to_gain_1(silence, silence) == 0.0f && dsp_db_to_gain_1(-1e300, silence) == 0.0f &&
              dsp_db_to_gain_1(-INFINITY, silence) == 0.0f,
          "the silence level and below give exactly 0", "got %.9g", dsp_db_to_gain_1(silence, silence));
    free(db), free(g);
}

static long double fade_formula(dsp_fade_curve c, long double t)
{
    switch (c) {
    case DSP_FADE_LINEAR: return t;
    case DSP_FADE_EQUAL_POWER: return sinl(t * PI_L / 2);
    case DSP_FADE_S_CURVE: return (1 - cosl(PI_L * t)) / 2;
    case DSP_FADE_EXPONENTIAL: return t * t;
    }
    return t;
}

static void test_fades(void)
{
    static const char *names[] = {"linear", "equal power", "S curve", "exponential"};
    for (int c = DSP_FADE_LINEAR; c <= DSP_FADE_EXPONENTIAL; c++) {
        double worst = 0, worst_x = 0;
        for (int k = 0; k <= 100000; k++) {
            double t = k / 100000.0;
            worst = fmax(worst, (double)fabsl((long double)dsp_fade_gain(c, t) - fade_formula(c, t)));
            double a = dsp_fade_gain(c, t), b = dsp_fade_gain(c, 1 - t);
            if (c == DSP_FADE_EQUAL_POWER)
                worst_x = fmax(worst_x, fabs(a * a + b * b - 1));
            else if (c != DSP_FADE_EXPONENTIAL)
                worst_x = fmax(worst_x, fabs(a + b - 1));
        }
        char name[120];
        snprintf(name, sizeof name, "fade %s = its formula within 1e-15", names[c]);
        check(worst <= 1e-15, name, "worst %.3g", worst);
        snprintf(name, sizeof name, "fade %s: g(0) = 0, g(1) = 1 exactly, clamped outside", names[c]);
        check(dsp_fade_gain(c, 0) == 0 && dsp_fade_gain(c, 1) == 1 && dsp_fade_gain(c, -2) == 0 &&
                  dsp_fade_gain(c, 3) == 1,
              name, "g(0) %.17g g(1) %.17g", dsp_fade_gain(c, 0), dsp_fade_gain(c, 1));
        if (c != DSP_FADE_EXPONENTIAL) {
            snprintf(name, sizeof name, "fade %s: crossfade with its mirror keeps %s", names[c],
                     c == DSP_FADE_EQUAL_POWER ? "power" : "amplitude");
            check(worst_x <= 1e-15, name, "worst %.3g", worst_x);
        }
    }
}

int main(void)
{
    test_polys();
    test_db_to_gain();
    test_fades();
    return check_exit();
}
