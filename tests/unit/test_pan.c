/* test_pan.c - dsp/pan against the laws written in dsp/pan.h, evaluated here
 * in long double with libm's cosl and sinl (not the code under test):
 *   - mono, constant power: L = cos((p + 1) pi / 4), R = sin((p + 1) pi / 4);
 *     balance: the far side cos(|p| pi / 2), the near side 1. Over 20001
 *     pans in [-1, 1]: the static laws (double, libm) within 1e-15, the
 *     per-sample laws (float, polynomials) within 1 float ulp of the
 *     correctly rounded float (relative 1.2e-7, or 1e-9 absolute near 0);
 *   - closed-form points: -3.0103 dB on both sides at centre (mono), unity
 *     at centre (balance), exact 0 and 1 at the extremes, L^2 + R^2 = 1
 *     within 1e-15 (static mono) and 3e-7 (per-sample mono);
 *   - the two paths round to the same float except within 7e-10 (the
 *     polynomials' error) of a rounding boundary, and there differ by one
 *     float ulp, or by 3e-10 at most for coefficients below -60 dB (pan.h
 *     states it);
 *   - pans outside [-1, 1] clamp to the extremes; the array functions give
 *     the same bits as the one-value ones. */
#include "dsp/pan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"

#define NPAN 20001
#define STATIC_TOL 1e-15
#define ULP_REL 1.2e-7 /* 2^-23: one float ulp at most, relative */
#define ABS_FLOOR 1e-9 /* near 0, where relative error means little */

static const long double PI_L = 3.141592653589793238462643383279502884L;

static void law_mono(double p, long double *l, long double *r)
{
    long double a = ((long double)p + 1.0L) * PI_L / 4.0L;
    *l = cosl(a);
    *r = sinl(a);
}

static void law_balance(double p, long double *l, long double *r)
{
    long double c = cosl(fabsl((long double)p) * PI_L / 2.0L);
    *l = p > 0 ? c : 1.0L;
    *r = p < 0 ? c : 1.0L;
}

static double pan_at(int k)
{
    return -1.0 + 2.0 * k / (NPAN - 1);
}

static int within_ulp(float got, long double want)
{
    long double e = fabsl((long double)got - want);
    return e <= ULP_REL * fabsl(want) || e <= ABS_FLOOR;
}

static void test_static(void)
{
    double worst_m = 0, worst_b = 0, worst_power = 0;
    for (int k = 0; k < NPAN; k++) {
        double p = pan_at(k), l, r;
        long double wl, wr;
        dsp_pan_mono(p, &l, &r);
        law_mono(p, &wl, &wr);
        /* the extremes are exact zeros by design, not cos(pi / 2) */
        if (k > 0 && k < NPAN - 1) {
            worst_m = fmax(worst_m, (double)fabsl(l - wl));
            worst_m = fmax(worst_m, (double)fabsl(r - wr));
        }
        worst_power = fmax(worst_power, fabs(l * l + r * r - 1.0));
        dsp_pan_balance(p, &l, &r);
        law_balance(p, &wl, &wr);
        if (k > 0 && k < NPAN - 1) {
            worst_b = fmax(worst_b, (double)fabsl(l - wl));
            worst_b = fmax(worst_b, (double)fabsl(r - wr));
        }
    }
    check(worst_m <= STATIC_TOL, "static mono law = cos/sin((p + 1) pi / 4)", "worst error %g (tolerance %g)",
          worst_m, STATIC_TOL);
    check(worst_b <= STATIC_TOL, "static balance law = cos(|p| pi / 2) on the far side",
          "worst error %g (tolerance %g)", worst_b, STATIC_TOL);
    check(worst_power <= STATIC_TOL, "static mono: L^2 + R^2 = 1 (constant power)", "worst %g (tolerance %g)",
          worst_power, STATIC_TOL);

    double l, r;
    dsp_pan_mono(0, &l, &r);
    check_near(20 * log10(l), -3.0103, 1e-4, "static mono centre: L at -3.0103 dB");
    check_near(20 * log10(r), -3.0103, 1e-4, "static mono centre: R at -3.0103 dB");
    dsp_pan_mono(-1, &l, &r);
    check(l == 1.0 && r == 0.0, "static mono hard left: L = 1, R = 0 exactly", "L %.17g R %.17g", l, r);
    dsp_pan_mono(1, &l, &r);
    check(l == 0.0 && r == 1.0, "static mono hard right: L = 0, R = 1 exactly", "L %.17g R %.17g", l, r);
    dsp_pan_balance(0, &l, &r);
    check(l == 1.0 && r == 1.0, "static balance centre: unity on both sides", "L %.17g R %.17g", l, r);
    dsp_pan_balance(1, &l, &r);
    check(l == 0.0 && r == 1.0, "static balance hard right: L = 0 exactly", "L %.17g R %.17g", l, r);
    dsp_pan_balance(-1, &l, &r);
    check(l == 1.0 && r == 0.0, "static balance hard left: R = 0 exactly", "L %.17g R %.17g", l, r);
}

static void test_per_sample(void)
{
    int bad_m = 0, bad_b = 0, first_m = -1, first_b = -1;
    double worst_power = 0;
    for (int k = 0; k < NPAN; k++) {
        double p = pan_at(k);
        float l, r;
        long double wl, wr;
        dsp_pan_mono_1(p, &l, &r);
        law_mono(p, &wl, &wr);
        if (k > 0 && k < NPAN - 1 && (!within_ulp(l, wl) || !within_ulp(r, wr)))
            bad_m++, first_m = first_m < 0 ? k : first_m;
        worst_power = fmax(worst_power, fabs((double)l * l + (double)r * r - 1.0));
        dsp_pan_balance_1(p, &l, &r);
        law_balance(p, &wl, &wr);
        if (k > 0 && k < NPAN - 1 && (!within_ulp(l, wl) || !within_ulp(r, wr)))
            bad_b++, first_b = first_b < 0 ? k : first_b;
    }
    check(bad_m == 0, "per-sample mono law within 1 float ulp of cos/sin", "%d pans off, first %g", bad_m,
          first_m >= 0 ? pan_at(first_m) : 0);
    check(bad_b == 0, "per-sample balance law within 1 float ulp of cos", "%d pans off, first %g", bad_b,
          first_b >= 0 ? pan_at(first_b) : 0);
    check(worst_power <= 3e-7, "per-sample mono: L^2 + R^2 = 1 (constant power)", "worst %g (tolerance 3e-7)",
          worst_power);
    float l, r;
    dsp_pan_mono_1(-1, &l, &r);
    check(l == 1.0f && r == 0.0f, "per-sample mono hard left exact", "L %.9g R %.9g", l, r);
    dsp_pan_mono_1(1, &l, &r);
    check(l == 0.0f && r == 1.0f, "per-sample mono hard right exact", "L %.9g R %.9g", l, r);
    dsp_pan_balance_1(0, &l, &r);
    check(l == 1.0f && r == 1.0f, "per-sample balance centre unity", "L %.9g R %.9g", l, r);
    dsp_pan_mono_1(-7, &l, &r);
    float l1, r1;
    dsp_pan_mono_1(-1, &l1, &r1);
    check(l == l1 && r == r1, "per-sample mono: pan -7 clamps to -1", "L %.9g R %.9g", l, r);
    double dl, dr;
    dsp_pan_balance(3, &dl, &dr);
    check(dl == 0.0 && dr == 1.0, "static balance: pan 3 clamps to 1", "L %.17g R %.17g", dl, dr);
}

/* The two paths (pan.h): the same float or 1 ulp apart, except for
 * coefficients below 0.001 (-60 dB, pans within 0.0013 of the extremes),
 * where they are within SMALL_TOL absolute. */
#define SMALL_TOL 3e-10

static int paths_close(float fast, double slow)
{
    float s = (float)slow;
    if (s == fast || nextafterf(s, fast) == fast)
        return 1;
    return fabs(slow) < 0.001 && fabs((double)fast - slow) <= SMALL_TOL;
}

static void test_paths_agree(void)
{
    int differ = 0, beyond = 0;
    for (int k = 0; k < NPAN; k++) {
        double p = pan_at(k), dl, dr;
        float l, r;
        dsp_pan_mono(p, &dl, &dr);
        dsp_pan_mono_1(p, &l, &r);
        differ += (float)dl != l || (float)dr != r;
        beyond += !paths_close(l, dl) || !paths_close(r, dr);
        dsp_pan_balance(p, &dl, &dr);
        dsp_pan_balance_1(p, &l, &r);
        differ += (float)dl != l || (float)dr != r;
        beyond += !paths_close(l, dl) || !paths_close(r, dr);
    }
    check(beyond == 0, "static and per-sample laws: same float, 1 ulp apart, or 3e-10 below -60 dB",
          "%d values further apart (%d differ)", beyond, differ);
    printf("# %d of %d pan values round differently on the two paths\n", differ, 2 * NPAN);
}

static void test_arrays(void)
{
    double *p = malloc(NPAN * sizeof *p);
    float *l = malloc(NPAN * sizeof *l), *r = malloc(NPAN * sizeof *r);
    for (int k = 0; k < NPAN; k++)
        p[k] = pan_at(k) * 1.01; /* a few past the ends: clamped */
    int bad = 0;
    dsp_pan_mono_n(p, l, r, NPAN);
    for (int k = 0; k < NPAN; k++) {
        float a, b;
        dsp_pan_mono_1(p[k], &a, &b);
        bad += a != l[k] || b != r[k];
    }
    dsp_pan_balance_n(p, l, r, NPAN);
    for (int k = 0; k < NPAN; k++) {
        float a, b;
        dsp_pan_balance_1(p[k], &a, &b);
        bad += a != l[k] || b != r[k];
    }
    check(bad == 0, "array laws = one-value laws, bit for bit", "%d values differ", bad);
    free(p), free(l), free(r);
}

int main(void)
{
    test_static();
    test_per_sample();
    test_paths_agree();
    test_arrays();
    return check_exit();
}
