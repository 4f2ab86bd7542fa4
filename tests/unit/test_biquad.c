/* test_biquad.c - dsp/biquad against things it does not compute itself:
 *   - the analogue prototypes of the RBJ Audio EQ Cookbook, evaluated here in
 *     complex arithmetic at Omega = tan(pi f / fs) / tan(pi f0 / fs) (what the
 *     prewarped bilinear transform maps f to), against
 *     dsp_biquad_magnitude_db of the designed coefficients: 1e-8 dB (where
 *     the prototype is above -200 dB; below, both must be below -190 dB);
 *   - closed-form values: a peak's gain at f0 is gain_db, a shelf's gain_db / 2,
 *     a Q = 1/sqrt 2 low/high-pass and the first-order ones -3.0103 dB, the
 *     0 dB band-pass 0 dB, an all-pass 0 dB everywhere, a notch below -60 dB;
 *     Butterworth of order N: 1 / (1 + Omega^2N), -3.0103 dB at fc, -18.06 N dB
 *     three octaves into the stopband, no passband ripple;
 *   - the running filter: the gain of dsp_biquad_process on a steady sine,
 *     by a least-squares fit of the tone at its known frequency to input and
 *     output after the transient, equals dsp_biquad_magnitude_db within
 *     0.01 dB (where that is above -150 dB; below, the measurement must be
 *     below -150 dB too: the float input's rounding and the fit leave a floor
 *     at -190 to -240 dB, as the notches show);
 *   - invariants: the multi-channel path gives the same bits as the scalar
 *     one for every channel count; block splits give the same bits; denormal
 *     and NaN inputs settle. */
#include "dsp/biquad.h"
#include "dsp/mix.h"
#include "dsp/simd.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

#define PI 3.14159265358979323846
#define NFREQ 20
#define DB_TOL 1e-8  /* magnitude_db against the analogue prototype */
#define RUN_TOL 0.01 /* running filter against magnitude_db */
#define FLOOR_DB (-150.0)

static const double rates[] = {44100.0, 48000.0, 96000.0};

static const char *type_name(dsp_eq_type t)
{
    static const char *names[] = {"lowpass", "highpass",  "bandpass", "notch",    "peak",
                                  "lowshelf", "highshelf", "allpass",  "lowpass1", "highpass1"};
    return names[t];
}

/* ---- the cookbook's analogue prototypes ---------------------------------- */

static double complex prototype(dsp_eq_type t, double complex s, double q, double gain_db)
{
    double A = pow(10.0, gain_db / 40.0);
    if (q <= 0.0)
        q = sqrt(0.5);
    double complex s2 = s * s;
    switch (t) {
    case DSP_EQ_LOWPASS: return 1.0 / (s2 + s / q + 1.0);
    case DSP_EQ_HIGHPASS: return s2 / (s2 + s / q + 1.0);
    case DSP_EQ_BANDPASS: return (s / q) / (s2 + s / q + 1.0);
    case DSP_EQ_NOTCH: return (s2 + 1.0) / (s2 + s / q + 1.0);
    case DSP_EQ_PEAK: return (s2 + s * (A / q) + 1.0) / (s2 + s / (A * q) + 1.0);
    case DSP_EQ_LOWSHELF: return A * (s2 + sqrt(A) / q * s + A) / (A * s2 + sqrt(A) / q * s + 1.0);
    case DSP_EQ_HIGHSHELF: return A * (A * s2 + sqrt(A) / q * s + 1.0) / (s2 + sqrt(A) / q * s + A);
    case DSP_EQ_ALLPASS: return (s2 - s / q + 1.0) / (s2 + s / q + 1.0);
    case DSP_EQ_LOWPASS1: return 1.0 / (s + 1.0);
    case DSP_EQ_HIGHPASS1: return s / (s + 1.0);
    }
    return 1.0;
}

/* Omega of f for a design prewarped at f0 */
static double omega(double fs, double f0, double f)
{
    return tan(PI * f / fs) / tan(PI * f0 / fs);
}

static double analytic_db(dsp_eq_type t, double fs, double f0, double q, double gain_db, double f)
{
    return 20.0 * log10(cabs(prototype(t, I * omega(fs, f0, f), q, gain_db)));
}

/* NFREQ frequencies, log-spaced from 10 Hz to 0.45 fs */
static void test_freqs(double fs, double *f)
{
    for (int i = 0; i < NFREQ; i++)
        f[i] = 10.0 * pow(0.45 * fs / 10.0, i / (NFREQ - 1.0));
}

/* ---- measuring the running filter -------------------------------------- */

/* amplitude of the tone at w (radians per sample) in x[start .. start + m),
 * by least squares on a cos + b sin */
static double tone_amplitude(const float *x, long start, long m, double w)
{
    double cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
    for (long i = start; i < start + m; i++) {
        double c = cos(w * (double)i), s = sin(w * (double)i);
        cc += c * c, ss += s * s, cs += c * s;
        xc += x[i] * c, xs += x[i] * s;
    }
    double det = cc * ss - cs * cs;
    double a = (xc * ss - xs * cs) / det, b = (xs * cc - xc * cs) / det;
    return sqrt(a * a + b * b);
}

/* largest pole radius of 1 + a1 z^-1 + a2 z^-2 */
static double pole_radius(const dsp_biquad_coefs *c)
{
    double disc = c->a1 * c->a1 - 4.0 * c->a2;
    if (disc < 0.0)
        return sqrt(c->a2);
    double r1 = fabs((-c->a1 + sqrt(disc)) / 2.0), r2 = fabs((-c->a1 - sqrt(disc)) / 2.0);
    return r1 > r2 ? r1 : r2;
}

/* samples for a transient of poles at radius r to fall by 1e-12 */
static long settle_samples(double r)
{
    if (r <= 0.0)
        return 16;
    return 16 + (long)ceil(log(1e-12) / log(r));
}

typedef struct {
    int is_butter;
    dsp_biquad bq;
    dsp_butter bu;
} filt;

/* gain in dB of the running filter on a 0.5-amplitude sine at f */
static double run_gain_db(filt *flt, double fs, double f, long settle)
{
    double w = 2.0 * PI * f / fs;
    long m = (long)ceil(4.0 * fs / f);
    if (m < 8192)
        m = 8192;
    long n = settle + m;
    float *in = malloc((size_t)n * sizeof *in), *out = malloc((size_t)n * sizeof *out);
    if (!in || !out) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (long i = 0; i < n; i++)
        in[i] = (float)(0.5 * sin(w * (double)i));
    if (flt->is_butter) {
        dsp_butter_reset(&flt->bu);
        dsp_butter_process(&flt->bu, in, out, (int)n);
    } else {
        dsp_biquad_reset(&flt->bq);
        dsp_biquad_process(&flt->bq, in, out, (int)n);
    }
    double g = tone_amplitude(out, settle, m, w) / tone_amplitude(in, settle, m, w);
    free(in);
    free(out);
    return 20.0 * log10(g);
}

/* running gain vs expected (dB), with the floor rule */
static int run_matches(double got, double want)
{
    if (want < FLOOR_DB)
        return got < FLOOR_DB + RUN_TOL;
    return fabs(got - want) <= RUN_TOL;
}

/* ---- designs against the prototypes ---------------------------------------- */

typedef struct {
    dsp_eq_type t;
    double f0, q, gain_db;
} design;

static const design designs[] = {
    {DSP_EQ_LOWPASS, 30, 0.7071067811865476, 0},  {DSP_EQ_LOWPASS, 1000, 0.5, 0},
    {DSP_EQ_LOWPASS, 1000, 2.0, 0},               {DSP_EQ_LOWPASS, 15000, 5.0, 0},
    {DSP_EQ_HIGHPASS, 20, 0.7071067811865476, 0}, {DSP_EQ_HIGHPASS, 80, 0.0, 0},
    {DSP_EQ_HIGHPASS, 1000, 3.0, 0},              {DSP_EQ_HIGHPASS, 12000, 0.6, 0},
    {DSP_EQ_BANDPASS, 100, 1.0, 0},               {DSP_EQ_BANDPASS, 1000, 4.0, 0},
    {DSP_EQ_BANDPASS, 10000, 0.5, 0},             {DSP_EQ_NOTCH, 60, 10.0, 0},
    {DSP_EQ_NOTCH, 1000, 2.0, 0},                 {DSP_EQ_NOTCH, 12000, 1.0, 0},
    {DSP_EQ_PEAK, 40, 0.7, 6},                    {DSP_EQ_PEAK, 1000, 1.4, -12},
    {DSP_EQ_PEAK, 3000, 4.0, 3},                  {DSP_EQ_PEAK, 12000, 0.5, -6},
    {DSP_EQ_LOWSHELF, 80, 0.0, 6},                {DSP_EQ_LOWSHELF, 200, 0.0, -10},
    {DSP_EQ_LOWSHELF, 1000, 1.5, 4},              {DSP_EQ_HIGHSHELF, 8000, 0.0, 4},
    {DSP_EQ_HIGHSHELF, 4000, 0.0, -8},            {DSP_EQ_HIGHSHELF, 10000, 0.5, 6},
    {DSP_EQ_ALLPASS, 100, 0.7071067811865476, 0}, {DSP_EQ_ALLPASS, 2000, 3.0, 0},
    {DSP_EQ_LOWPASS1, 25, 0, 0},                  {DSP_EQ_LOWPASS1, 1000, 0, 0},
    {DSP_EQ_LOWPASS1, 10000, 0, 0},               {DSP_EQ_HIGHPASS1, 25, 0, 0},
    {DSP_EQ_HIGHPASS1, 1000, 0, 0},               {DSP_EQ_HIGHPASS1, 10000, 0, 0},
};

static void test_designs(void)
{
    for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
        double fs = rates[r], f[NFREQ];
        test_freqs(fs, f);
        for (size_t d = 0; d < sizeof designs / sizeof *designs; d++) {
            const design *g = &designs[d];
            dsp_biquad_coefs c;
            dsp_biquad_design(&c, g->t, fs, g->f0, g->q, g->gain_db);
            char name[160];
            snprintf(name, sizeof name, "%s f0 %g Q %g gain %g at %g Hz", type_name(g->t), g->f0, g->q, g->gain_db,
                     fs);

            /* the designed coefficients against the prototype */
            double worst = 0.0, worst_f = 0.0;
            for (int i = 0; i < NFREQ; i++) {
                double want = analytic_db(g->t, fs, g->f0, g->q, g->gain_db, f[i]);
                double got = dsp_biquad_magnitude_db(&c, fs, f[i]);
                double err = want < -200.0 ? (got < -190.0 ? 0.0 : got - want) : got - want;
                if (!(fabs(err) <= fabs(worst)))
                    worst = err, worst_f = f[i];
            }
            char b[200];
            snprintf(b, sizeof b, "%s: |H| = prototype at %d frequencies", name, NFREQ);
            check(fabs(worst) <= DB_TOL, b, "worst %+.3g dB at %.1f Hz (tolerance %g dB)", worst, worst_f, DB_TOL);

            /* the running filter against magnitude_db, around f0 and at 1 kHz */
            double mf[] = {g->f0, g->f0 / 3.0, g->f0 * 2.5, 1000.0};
            filt flt = {0};
            dsp_biquad_init(&flt.bq);
            dsp_biquad_set(&flt.bq, &c);
            long settle = settle_samples(pole_radius(&c));
            double rworst = 0.0, rworst_f = 0.0, rgot = 0.0;
            int bad = 0;
            for (int i = 0; i < 4; i++) {
                if (mf[i] > 0.45 * fs || mf[i] < 5.0)
                    continue;
                double want = dsp_biquad_magnitude_db(&c, fs, mf[i]);
                double got = run_gain_db(&flt, fs, mf[i], settle);
                if (!run_matches(got, want)) {
                    bad = 1;
                    rworst = got - want, rworst_f = mf[i], rgot = got;
                }
            }
            snprintf(b, sizeof b, "%s: sine through process = magnitude_db", name);
            check(!bad, b, "off by %+.4f dB at %.1f Hz (measured %.4f dB; tolerance %g dB)", rworst, rworst_f, rgot,
                  RUN_TOL);

            /* low-pass and high-pass: b2 = b0 and b1 = +-2 b0 exactly, the
             * form the multi-channel kernels take in 3 multiplies (biquad.c,
             * takes_mirrored): halving is exact, so the design gives it */
            if (g->t == DSP_EQ_LOWPASS || g->t == DSP_EQ_HIGHPASS) {
                double k2 = g->t == DSP_EQ_LOWPASS ? 2.0 : -2.0;
                snprintf(b, sizeof b, "%s: b2 = b0, b1 = %+g b0 exactly", name, k2);
                check(c.b2 == c.b0 && c.b1 == k2 * c.b0, b, "b0 %.17g b1 %.17g b2 %.17g", c.b0, c.b1, c.b2);
            }
        }
    }
}

/* ---- closed-form values ---------------------------------------------------- */

static void test_closed_forms(void)
{
    const double half = 10.0 * log10(0.5); /* -3.0103 dB */
    char b[200];
    for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
        double fs = rates[r];
        dsp_biquad_coefs c;
        filt flt = {0};
        dsp_biquad_init(&flt.bq);

        static const double peak_f[] = {50, 1000, 9000}, peak_g[] = {-15, 4.5, 12}, peak_q[] = {0.3, 2, 8};
        for (int i = 0; i < 3; i++) {
            dsp_biquad_design(&c, DSP_EQ_PEAK, fs, peak_f[i], peak_q[i], peak_g[i]);
            dsp_biquad_set(&flt.bq, &c);
            snprintf(b, sizeof b, "peak %g dB Q %g at f0 %g Hz, %g Hz: gain_db", peak_g[i], peak_q[i], peak_f[i], fs);
            check_near(dsp_biquad_magnitude_db(&c, fs, peak_f[i]), peak_g[i], 1e-9, b);
            snprintf(b, sizeof b, "peak %g dB at f0 %g Hz, %g Hz: running gain_db", peak_g[i], peak_f[i], fs);
            check_near(run_gain_db(&flt, fs, peak_f[i], settle_samples(pole_radius(&c))), peak_g[i], RUN_TOL, b);

            /* a boost and a cut of the same Q cancel (the cookbook's reason
             * for its Q of the peaking EQ) */
            dsp_biquad_coefs cut;
            dsp_biquad_design(&cut, DSP_EQ_PEAK, fs, peak_f[i], peak_q[i], -peak_g[i]);
            double worst = 0.0, f[NFREQ];
            test_freqs(fs, f);
            for (int k = 0; k < NFREQ; k++) {
                double e = dsp_biquad_magnitude_db(&c, fs, f[k]) + dsp_biquad_magnitude_db(&cut, fs, f[k]);
                worst = fabs(e) > fabs(worst) ? e : worst;
            }
            snprintf(b, sizeof b, "peak +-%g dB Q %g at %g Hz, %g Hz: boost then cut is flat", fabs(peak_g[i]),
                     peak_q[i], peak_f[i], fs);
            check(fabs(worst) < 1e-9, b, "worst %+.3g dB", worst);
        }

        static const dsp_eq_type pass[] = {DSP_EQ_LOWPASS, DSP_EQ_HIGHPASS, DSP_EQ_LOWPASS1, DSP_EQ_HIGHPASS1};
        static const double pass_f[] = {20, 40, 1000, 15000};
        for (int t = 0; t < 4; t++)
            for (int i = 0; i < 4; i++) {
                /* q 0 is the default 1/sqrt 2 for the second-order ones */
                dsp_biquad_design(&c, pass[t], fs, pass_f[i], i % 2 ? 0.0 : sqrt(0.5), 0);
                dsp_biquad_set(&flt.bq, &c);
                snprintf(b, sizeof b, "%s Q 0.7071 at f0 %g Hz, %g Hz: -3.0103 dB", type_name(pass[t]), pass_f[i],
                         fs);
                check_near(dsp_biquad_magnitude_db(&c, fs, pass_f[i]), half, 1e-9, b);
                snprintf(b, sizeof b, "%s at f0 %g Hz, %g Hz: running -3.0103 dB", type_name(pass[t]), pass_f[i],
                         fs);
                check_near(run_gain_db(&flt, fs, pass_f[i], settle_samples(pole_radius(&c))), half, RUN_TOL, b);
            }

        static const double shelf_f[] = {60, 250, 6000}, shelf_g[] = {9, -6, 3.5};
        for (int t = 0; t < 2; t++)
            for (int i = 0; i < 3; i++) {
                dsp_eq_type ty = t ? DSP_EQ_HIGHSHELF : DSP_EQ_LOWSHELF;
                dsp_biquad_design(&c, ty, fs, shelf_f[i], 0.0, shelf_g[i]);
                dsp_biquad_set(&flt.bq, &c);
                snprintf(b, sizeof b, "%s %g dB S 1 at f0 %g Hz, %g Hz: gain_db / 2 at f0", type_name(ty),
                         shelf_g[i], shelf_f[i], fs);
                check_near(dsp_biquad_magnitude_db(&c, fs, shelf_f[i]), shelf_g[i] / 2, 1e-9, b);
                snprintf(b, sizeof b, "%s %g dB at f0 %g Hz, %g Hz: running gain_db / 2", type_name(ty), shelf_g[i],
                         shelf_f[i], fs);
                check_near(run_gain_db(&flt, fs, shelf_f[i], settle_samples(pole_radius(&c))), shelf_g[i] / 2,
                           RUN_TOL, b);
                /* S = 1 is the steepest monotonic shelf: no overshoot past gain_db */
                double lo = 0, hi = 0, f[NFREQ];
                test_freqs(fs, f);
                for (int k = 0; k < NFREQ; k++) {
                    double gk = dsp_biquad_magnitude_db(&c, fs, f[k]);
                    lo = gk < lo ? gk : lo, hi = gk > hi ? gk : hi;
                }
                snprintf(b, sizeof b, "%s %g dB S 1 at f0 %g Hz, %g Hz: within [0, gain_db]", type_name(ty),
                         shelf_g[i], shelf_f[i], fs);
                check(shelf_g[i] > 0 ? lo > -1e-9 && hi < shelf_g[i] + 1e-9 : hi < 1e-9 && lo > shelf_g[i] - 1e-9, b,
                      "from %.6f to %.6f dB", lo, hi);
            }

        static const double notch_f[] = {50, 60, 1000, 14000}, notch_q[] = {30, 2, 0.7, 5};
        for (int i = 0; i < 4; i++) {
            dsp_biquad_design(&c, DSP_EQ_NOTCH, fs, notch_f[i], notch_q[i], 0);
            dsp_biquad_set(&flt.bq, &c);
            double got = run_gain_db(&flt, fs, notch_f[i], settle_samples(pole_radius(&c)));
            double designed = dsp_biquad_magnitude_db(&c, fs, notch_f[i]);
            snprintf(b, sizeof b, "notch Q %g at f0 %g Hz, %g Hz: running gain below -60 dB", notch_q[i], notch_f[i],
                     fs);
            check(got < -60.0 && designed < -60.0, b, "measured %.2f dB, designed %.2f dB", got, designed);
        }

        static const double bp_f[] = {30, 700, 16000}, bp_q[] = {0.5, 3, 12};
        for (int i = 0; i < 3; i++) {
            dsp_biquad_design(&c, DSP_EQ_BANDPASS, fs, bp_f[i], bp_q[i], 0);
            dsp_biquad_set(&flt.bq, &c);
            snprintf(b, sizeof b, "bandpass Q %g at f0 %g Hz, %g Hz: 0 dB at f0", bp_q[i], bp_f[i], fs);
            check_near(dsp_biquad_magnitude_db(&c, fs, bp_f[i]), 0.0, 1e-9, b);
            snprintf(b, sizeof b, "bandpass Q %g at f0 %g Hz, %g Hz: running 0 dB at f0", bp_q[i], bp_f[i], fs);
            check_near(run_gain_db(&flt, fs, bp_f[i], settle_samples(pole_radius(&c))), 0.0, RUN_TOL, b);
        }

        for (int i = 0; i < 3; i++) {
            dsp_biquad_design(&c, DSP_EQ_ALLPASS, fs, bp_f[i], bp_q[i], 0);
            double worst = 0.0, f[NFREQ];
            test_freqs(fs, f);
            for (int k = 0; k < NFREQ; k++) {
                double e = dsp_biquad_magnitude_db(&c, fs, f[k]);
                worst = fabs(e) > fabs(worst) ? e : worst;
            }
            snprintf(b, sizeof b, "allpass Q %g at f0 %g Hz, %g Hz: 0 dB everywhere", bp_q[i], bp_f[i], fs);
            check(fabs(worst) < 1e-9, b, "worst %+.3g dB", worst);
        }
    }
    check_near(dsp_biquad_shelf_q(6.0, 1.0), sqrt(0.5), 1e-15, "shelf slope S 1 is Q 1/sqrt 2");
    check_near(dsp_biquad_shelf_q(-12.0, 1.0), sqrt(0.5), 1e-15, "shelf slope S 1 is Q 1/sqrt 2 at a cut too");
    {
        /* S = 0.5 at +6 dB: 1/Q = sqrt((A + 1/A) (2 - 1) + 2) */
        double A = pow(10.0, 6.0 / 40.0);
        check_near(dsp_biquad_shelf_q(6.0, 0.5), 1.0 / sqrt(A + 1.0 / A + 2.0), 1e-15, "shelf slope S 0.5 at +6 dB");
    }
}

/* every design inside the documented ranges (and past them, clamped) has its
 * poles inside the unit circle */
static void test_stability(void)
{
    static const double qs[] = {0.0, 1e-9, 0.01, 0.1, 0.7, 10, 1000, 1e9, NAN};
    static const double gs[] = {-60, -24, 0, 24, 60, NAN};
    double worst = 0.0;
    char where[120] = "";
    for (int t = DSP_EQ_LOWPASS; t <= DSP_EQ_HIGHPASS1; t++)
        for (int i = -1; i <= 100; i++) {
            /* i = -1: a NaN frequency; 0 and 100 sit on the clamps */
            double f = i < 0 ? NAN : 48000.0 * 1e-5 * pow(0.499 / 1e-5, i / 100.0);
            for (size_t a = 0; a < sizeof qs / sizeof *qs; a++)
                for (size_t g = 0; g < sizeof gs / sizeof *gs; g++) {
                    dsp_biquad_coefs c;
                    dsp_biquad_design(&c, (dsp_eq_type)t, 48000.0, f, qs[a], gs[g]);
                    double r = pole_radius(&c);
                    if (!(r <= worst)) {
                        worst = r;
                        snprintf(where, sizeof where, "%s f0 %g Q %g gain %g", type_name((dsp_eq_type)t), f, qs[a],
                                 gs[g]);
                    }
                }
        }
    check(worst < 1.0, "every design stable over the clamped ranges (|gain| <= 60 dB)",
          "pole radius %.15f at %s", worst, where);
}

/* ---- Butterworth ----------------------------------------------------------- */

static void test_butter(void)
{
    static const double fcs[] = {40, 500};
    char b[200];
    for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
        double fs = rates[r], f[NFREQ];
        test_freqs(fs, f);
        for (int lp = 0; lp < 2; lp++)
            for (int fi = 0; fi < 2; fi++)
                for (int N = 1; N <= 8; N++) {
                    double fc = fcs[fi];
                    filt flt = {0};
                    flt.is_butter = 1;
                    dsp_butter_init(&flt.bu);
                    dsp_butter_design(&flt.bu, lp ? DSP_EQ_LOWPASS : DSP_EQ_HIGHPASS, N, fs, fc);
                    const dsp_butter *s = &flt.bu;
                    char name[100];
                    snprintf(name, sizeof name, "butterworth %s order %d fc %g Hz at %g Hz",
                             lp ? "lowpass" : "highpass", N, fc, fs);

                    snprintf(b, sizeof b, "%s: (N + 1) / 2 sections", name);
                    check_int(s->nsections, (N + 1) / 2, b);

                    /* |H|^2 = 1 / (1 + Omega^(+-2N)) */
                    double worst = 0.0, worst_f = 0.0;
                    for (int i = 0; i < NFREQ; i++) {
                        double W = omega(fs, fc, f[i]);
                        double want = -10.0 * log10(1.0 + pow(W, lp ? 2.0 * N : -2.0 * N));
                        double got = dsp_butter_magnitude_db(s, fs, f[i]);
                        double err = want < -200.0 ? (got < -190.0 ? 0.0 : got - want) : got - want;
                        if (!(fabs(err) <= fabs(worst)))
                            worst = err, worst_f = f[i];
                    }
                    snprintf(b, sizeof b, "%s: |H|^2 = 1 / (1 + Omega^%s2N)", name, lp ? "" : "-");
                    check(fabs(worst) <= DB_TOL, b, "worst %+.3g dB at %.1f Hz", worst, worst_f);

                    snprintf(b, sizeof b, "%s: -3.0103 dB at fc", name);
                    check_near(dsp_butter_magnitude_db(s, fs, fc), 10.0 * log10(0.5), 1e-9, b);

                    /* three octaves into the stopband: -20 N log10 8 = -18.06 N dB,
                     * off by the knee, 10 log10(1 + 8^-2N) (at most 0.07 dB,
                     * at N = 1), and by the bilinear warp, which moves the
                     * stopband point to Omega = tan(pi fsb / fs) / tan(pi fc / fs)
                     * instead of 8 (or 1/8): 20 N |log10(Omega / 8)|. */
                    double fsb = lp ? 8.0 * fc : fc / 8.0;
                    double W = omega(fs, fc, fsb);
                    double tol = 10.0 * log10(1.0 + pow(8.0, -2.0 * N)) +
                                 20.0 * N * fabs(log10((lp ? W : 1.0 / W) / 8.0));
                    double sb = dsp_butter_magnitude_db(s, fs, fsb);
                    snprintf(b, sizeof b, "%s: %.2f dB at %g Hz (6N dB/octave)", name, -20.0 * N * log10(8.0), fsb);
                    check(fabs(sb + 20.0 * N * log10(8.0)) <= tol + 1e-9, b, "got %.4f dB, tolerance %.4f dB", sb, tol);

                    /* maximally flat: no rise anywhere in the passband (a
                     * wrong Q per section shows as a bump), 0 dB at the far
                     * end, never above 0 dB */
                    double rise = 0.0, top = -1e9, prev = 0.0;
                    for (int i = 0; i <= 400; i++) {
                        /* from the passband end towards fc */
                        double fp = lp ? 1.0 * pow(fc, i / 400.0) : 0.49 * fs * pow(fc / (0.49 * fs), i / 400.0);
                        double g = dsp_butter_magnitude_db(s, fs, fp);
                        if (i > 0 && g - prev > rise)
                            rise = g - prev;
                        prev = g;
                        top = g > top ? g : top;
                    }
                    snprintf(b, sizeof b, "%s: maximally flat (ripple < 0.01 dB, never above 0 dB)", name);
                    check(rise < 0.01 && top < 1e-9, b, "largest rise %.3g dB, top %.3g dB", rise, top);

                    /* the running cascade at fc and in the stopband */
                    double settle_r = 0.0;
                    for (int k = 0; k < s->nsections; k++) {
                        double pr = pole_radius(&s->sec[k].c);
                        settle_r = pr > settle_r ? pr : settle_r;
                    }
                    long settle = settle_samples(settle_r) * 2; /* poles repeat across sections */
                    double g1 = run_gain_db(&flt, fs, fc, settle);
                    double g2 = run_gain_db(&flt, fs, fsb, settle);
                    snprintf(b, sizeof b, "%s: running gain = magnitude_db at fc and %g Hz", name, fsb);
                    check(run_matches(g1, dsp_butter_magnitude_db(s, fs, fc)) &&
                              run_matches(g2, dsp_butter_magnitude_db(s, fs, fsb)),
                          b, "fc: %.4f (want %.4f), stopband: %.4f (want %.4f)", g1,
                          dsp_butter_magnitude_db(s, fs, fc), g2, sb);
                }
    }
}

/* ---- bit identity: multi-channel and block splits ------------------------ */

/* a test signal per channel: noise and a tone, a burst then a long silence
 * (so states decay through the flush threshold), seeded per channel */
static void make_signal(float *x, long n, int ch, double fs)
{
    unsigned r = 2463534242u + 7919u * (unsigned)ch;
    for (long i = 0; i < n; i++) {
        r ^= r << 13, r ^= r >> 17, r ^= r << 5;
        double u = (r >> 8) / 16777216.0 - 0.5;
        double env = i < n / 3 ? 1.0 : 0.0;
        x[i] = (float)(env * (0.6 * u + 0.3 * sin(2.0 * PI * (50.0 + 37.0 * ch) * (double)i / fs)));
    }
}

static int same_bits(const float *a, const float *b, long n)
{
    return memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

static const int splits[] = {1, 7, 64, 4096};

static void test_identity(void)
{
    enum { N = 60000, MAXCH = 32 };
    static float src[MAXCH][N], ref[MAXCH][N], got[MAXCH][N];
    static const design kinds[] = {
        {DSP_EQ_HIGHPASS, 20, 0.7071067811865476, 0}, /* at 96 kHz: the slow one */
        {DSP_EQ_LOWPASS, 3000, 0.5, 0},               /* b1 = +2 b0 (the high-pass: -2 b0) */
        {DSP_EQ_PEAK, 2500, 2.0, 9},
        {DSP_EQ_NOTCH, 60, 20.0, 0},
        {DSP_EQ_LOWPASS1, 8000, 0, 0},
    };
    static const int chans[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 24, 32};
    const double fs = 96000.0;
    for (int c = 0; c < MAXCH; c++)
        make_signal(src[c], N, c, fs);
    char b[200];

    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        dsp_biquad_coefs co;
        dsp_biquad_design(&co, kinds[k].t, fs, kinds[k].f0, kinds[k].q, kinds[k].gain_db);

        /* scalar, one call, out of place: the reference */
        for (int c = 0; c < MAXCH; c++) {
            dsp_biquad s;
            dsp_biquad_init(&s);
            dsp_biquad_set(&s, &co);
            dsp_biquad_process(&s, src[c], ref[c], N);
        }
        /* where the silence after the burst outlasts a fall by 1e-32, the
         * state has passed the flush threshold inside the signal, so the
         * comparisons below cover flush points that do something */
        if (log(1e-32) / log(pole_radius(&co)) < N - N / 3) {
            int zero_end = 1;
            for (int c = 0; c < MAXCH; c++)
                zero_end &= ref[c][N - 1] == 0.0f;
            snprintf(b, sizeof b, "%s f0 %g: a burst's tail is flushed to exact zeros", type_name(kinds[k].t),
                     kinds[k].f0);
            check(zero_end, b, "last sample not 0");
        }

        /* scalar, in place, split into blocks */
        for (size_t sp = 0; sp < sizeof splits / sizeof *splits; sp++) {
            int ok = 1;
            for (int c = 0; c < 3; c++) {
                dsp_biquad s;
                dsp_biquad_init(&s);
                dsp_biquad_set(&s, &co);
                memcpy(got[c], src[c], sizeof got[c]);
                for (long i = 0; i < N; i += splits[sp]) {
                    int len = (int)(N - i < splits[sp] ? N - i : splits[sp]);
                    dsp_biquad_process(&s, got[c] + i, got[c] + i, len);
                }
                ok &= same_bits(got[c], ref[c], N);
            }
            snprintf(b, sizeof b, "%s f0 %g: scalar in blocks of %d, in place = one call", type_name(kinds[k].t),
                     kinds[k].f0, splits[sp]);
            check(ok, b, "outputs differ");
        }

        /* multi, every channel count, blocks of every split and a ragged mix */
        for (size_t ci = 0; ci < sizeof chans / sizeof *chans; ci++) {
            int nch = chans[ci], ok = 1;
            for (int pass = 0; pass < 5; pass++) {
                dsp_biquad_multi m;
                dsp_biquad_multi_init(&m);
                dsp_biquad_multi_set(&m, &co);
                float *p[MAXCH];
                for (int c = 0; c < nch; c++) {
                    memcpy(got[c], src[c], sizeof got[c]);
                    p[c] = got[c];
                }
                static const int ragged[] = {3, 61, 1, 128, 5, 1000, 2, 64, 4099};
                for (long i = 0, j = 0; i < N; j++) {
                    int blk = pass < 4 ? splits[pass] : ragged[j % 9];
                    int len = (int)(N - i < blk ? N - i : blk);
                    float *q[MAXCH];
                    for (int c = 0; c < nch; c++)
                        q[c] = p[c] + i;
                    dsp_biquad_multi_process(&m, q, nch, len);
                    i += len;
                }
                for (int c = 0; c < nch; c++)
                    ok &= same_bits(got[c], ref[c], N);
            }
            snprintf(b, sizeof b, "%s f0 %g: multi, %d channels, blocks 1/7/64/4096/ragged = scalar (memcmp)",
                     type_name(kinds[k].t), kinds[k].f0, nch);
            check(ok, b, "outputs differ");
        }
    }

    /* Butterworth: block splits and in place */
    for (int N8 = 1; N8 <= 8; N8 += 3) {
        dsp_butter s;
        dsp_butter_init(&s);
        dsp_butter_design(&s, N8 % 2 ? DSP_EQ_HIGHPASS : DSP_EQ_LOWPASS, N8, fs, 30.0);
        dsp_butter_process(&s, src[0], ref[0], N);
        int ok = 1;
        for (size_t sp = 0; sp < sizeof splits / sizeof *splits; sp++) {
            dsp_butter_reset(&s);
            memcpy(got[0], src[0], sizeof got[0]);
            for (long i = 0; i < N; i += splits[sp]) {
                int len = (int)(N - i < splits[sp] ? N - i : splits[sp]);
                dsp_butter_process(&s, got[0] + i, got[0] + i, len);
            }
            ok &= same_bits(got[0], ref[0], N);
        }
        snprintf(b, sizeof b, "butterworth order %d: blocks of 1/7/64/4096, in place = one call", N8);
        check(ok, b, "outputs differ");
    }

    /* a wire passes samples through */
    {
        dsp_biquad s;
        dsp_biquad_init(&s);
        dsp_biquad_process(&s, src[1], got[1], N);
        int ok = 1;
        for (long i = 0; i < N; i++)
            ok &= got[1][i] == src[1][i];
        check(ok, "dsp_biquad_init is a wire", "output differs from input");
    }
}

/* ---- denormals, NaN --------------------------------------------------------- */

static int all_finite(const float *x, long n)
{
    for (long i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

static float max_abs(const float *x, long n)
{
    float m = 0.0f;
    for (long i = 0; i < n; i++)
        m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
    return m;
}

static void test_tails(void)
{
    /* 20 Hz high-pass at 96 kHz: 1 s of noise, 2 s of denormal floats
     * (random signs, 1e-40 .. 1e-45), 3 s of zeros */
    enum { FS = 96000, N = 6 * FS };
    enum { MAXCH = 16 };
    float *in = malloc(N * sizeof *in), *out = malloc(N * sizeof *out);
    float *ch[MAXCH];
    int have = in && out;
    for (int c = 0; c < MAXCH; c++)
        have &= (ch[c] = malloc(N * sizeof *ch[c])) != NULL;
    if (!have) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    unsigned r = 88172645u;
    for (long i = 0; i < N; i++) {
        r ^= r << 13, r ^= r >> 17, r ^= r << 5;
        double u = (r >> 8) / 16777216.0 - 0.5;
        if (i < FS)
            in[i] = (float)u;
        else if (i < 3 * FS)
            in[i] = (float)((u < 0 ? -1e-40 : 1e-40) * fabs(u) * 2.0);
        else
            in[i] = 0.0f;
    }
    char b[200];
    dsp_biquad_coefs c;
    dsp_biquad_design(&c, DSP_EQ_HIGHPASS, FS, 20.0, 0.0, 0.0);

    dsp_biquad s;
    dsp_biquad_init(&s);
    dsp_biquad_set(&s, &c);
    dsp_biquad_process(&s, in, out, N);
    check(all_finite(out, N), "20 Hz highpass at 96 kHz, denormal tail: no NaN or inf", "non-finite output");
    /* the burst's response is below 1e-30 after 1 s; what is left is the
     * denormal input, filtered */
    float m = max_abs(out + 2 * FS, FS);
    check(m < 1e-30f, "20 Hz highpass at 96 kHz: output tiny in the denormal tail", "max |y| %g", m);
    m = max_abs(out + 4 * FS, 2 * FS);
    check(m == 0.0f, "20 Hz highpass at 96 kHz: exact zeros after the tail", "max |y| %g", m);
    check(s.x1 == 0.0 && s.x2 == 0.0 && s.y1 == 0.0 && s.y2 == 0.0, "20 Hz highpass at 96 kHz: state flushed to 0",
          "state %g %g %g %g", s.x1, s.x2, s.y1, s.y2);

    /* 4 channels (4-lane kernels), 8 and 16 (8-lane ones where the CPU has
     * them): the flush points set the denormal inputs x1, x2 to 0, and the
     * kernels that take a high-pass in 3 multiplies must redo their
     * b0 x1, b0 x2 from the flushed values (biquad.c, MIRRORED_PRODUCTS) */
    dsp_biquad_multi mu;
    static const int counts[] = {4, 8, 16};
    for (int n = 0; n < 3; n++) {
        dsp_biquad_multi_init(&mu);
        dsp_biquad_multi_set(&mu, &c);
        for (int k = 0; k < counts[n]; k++)
            memcpy(ch[k], in, N * sizeof *in);
        dsp_biquad_multi_process(&mu, ch, counts[n], N);
        int ok = 1;
        for (int k = 0; k < counts[n]; k++)
            ok &= same_bits(ch[k], out, N);
        snprintf(b, sizeof b, "20 Hz highpass at 96 kHz, denormal tail: multi = scalar, %d channels", counts[n]);
        check(ok, b, "outputs differ");
    }

    dsp_butter bu;
    dsp_butter_init(&bu);
    dsp_butter_design(&bu, DSP_EQ_HIGHPASS, 8, FS, 20.0);
    dsp_butter_process(&bu, in, out, N);
    m = max_abs(out + 5 * FS, FS);
    snprintf(b, sizeof b, "8th-order 20 Hz highpass at 96 kHz, denormal tail: finite, exact zeros at the end");
    check(all_finite(out, N) && m == 0.0f, b, "finite %d, max |y| at the end %g", all_finite(out, N), m);

    /* NaN and infinity for a few samples: forgotten at the first flush point
     * 2 samples after the last of them (64-sample grid from reset) */
    for (long i = 0; i < 4096; i++)
        in[i] = (float)(0.25 * sin(0.01 * (double)i));
    in[1000] = NAN, in[1001] = INFINITY, in[1003] = -INFINITY;
    dsp_biquad_reset(&s);
    dsp_biquad_process(&s, in, out, 4096);
    check(!isfinite(out[1010]) && all_finite(out + 1024, 4096 - 1024),
          "NaN/inf input: output recovers at the next flush point", "out[1010] %g, finite from 1024: %d", out[1010],
          all_finite(out + 1024, 4096 - 1024));
    dsp_butter_reset(&bu);
    dsp_butter_process(&bu, in, out, 4096);
    check(all_finite(out + 1024, 4096 - 1024), "NaN/inf input: butterworth recovers at the next flush point",
          "non-finite after 1024");
    dsp_biquad_multi_reset(&mu);
    for (int k = 0; k < 3; k++)
        memcpy(ch[k], in, 4096 * sizeof *in);
    dsp_biquad_multi_process(&mu, ch, 3, 4096);
    check(all_finite(ch[2] + 1024, 4096 - 1024), "NaN/inf input: multi recovers at the next flush point",
          "non-finite after 1024");

    free(in);
    free(out);
    for (int k = 0; k < MAXCH; k++)
        free(ch[k]);
}

/* The pair rule written out plainly, one section of one channel at a time:
 * DF-I in double, y = (((b0 x + b1 x1) + b2 x2) - a2 y2) - a1 y1, the state
 * set to 0 where |v| < 1e-30 or not finite after every 64th sample the
 * section has run (biquad.h). */
typedef struct {
    const dsp_biquad_coefs *c;
    double x1, x2, y1, y2;
    int phase;
} ref_section;

static double ref_flush(double v)
{
    return fabs(v) >= 1e-30 && fabs(v) <= DBL_MAX ? v : 0.0;
}

static double ref_step(ref_section *s, double x)
{
    const dsp_biquad_coefs *c = s->c;
    double y = (((c->b0 * x + c->b1 * s->x1) + c->b2 * s->x2) - c->a2 * s->y2) - c->a1 * s->y1;
    s->x2 = s->x1, s->x1 = x, s->y2 = s->y1, s->y1 = y;
    if (++s->phase == 64) {
        s->phase = 0;
        s->x1 = ref_flush(s->x1), s->x2 = ref_flush(s->x2), s->y1 = ref_flush(s->y1), s->y2 = ref_flush(s->y2);
    }
    return y;
}

/* dsp_biquad_multi_process2 against the pair rule (ref_step of the first
 * section, its output in double into the second, rounded to float once),
 * bit for bit, for 1..16 channels, blocks of odd sizes and sizes crossing
 * the 64-sample flush period, the state carried from block to block, and
 * sections whose phases differ (state copied in from elsewhere); and the
 * pair against the two sections called one after the other (a float buffer
 * between them): the same filter, apart by float rounding only (2.4e-7:
 * two float steps between 1 and 2; measured 6e-8, one step below 1). */
static void test_fused(void)
{
    enum { N = 9000, MAXCH = 16 };
    static const int blocks[] = {1, 3, 5, 63, 64, 65, 127, 333, 1024};
    float *two[MAXCH], *got[MAXCH], *ref[MAXCH];
    for (int k = 0; k < MAXCH; k++) {
        two[k] = malloc(N * sizeof(float));
        got[k] = malloc(N * sizeof(float));
        ref[k] = malloc(N * sizeof(float));
    }
    dsp_biquad_coefs hp, pk;
    dsp_biquad_design(&hp, DSP_EQ_HIGHPASS, 48000.0, 80.0, 0.707, 0.0);
    dsp_biquad_design(&pk, DSP_EQ_PEAK, 48000.0, 3000.0, 1.0, 3.0);
    int bad = 0, skewed_bad = 0;
    double most = 0.0; /* largest |pair - two passes| */
    /* the high-pass first (the film mix's order: the kernels take it in 3
     * multiplies, biquad.c's takes_mirrored), or second (in 5) */
    for (int order = 0; order < 2; order++) {
        const dsp_biquad_coefs *first = order ? &pk : &hp, *second = order ? &hp : &pk;
        for (int nch = 1; nch <= MAXCH; nch++) {
            for (int skew = 0; skew < 2; skew++) {
                static dsp_biquad_multi r1, r2, f1, f2;
                dsp_biquad_multi *all[4] = {&r1, &r2, &f1, &f2};
                for (int k = 0; k < 4; k++) {
                    dsp_biquad_multi_init(all[k]);
                    dsp_biquad_multi_set(all[k], k % 2 ? second : first);
                }
                for (int k = 0; k < nch; k++) {
                    make_signal(two[k], N, k, 48000.0);
                    memcpy(got[k], two[k], N * sizeof(float));
                    memcpy(ref[k], two[k], N * sizeof(float));
                }
                for (int k = 0; k < nch; k++) { /* the reference */
                    ref_section a = {first, 0, 0, 0, 0, 0}, b = {second, 0, 0, 0, 0, 0};
                    int i = 0;
                    for (; skew && i < 10; i++) /* as below: the second section first runs alone over 10 samples */
                        ref[k][i] = (float)ref_step(&b, ref[k][i]);
                    for (i = 0; i < N; i++)
                        ref[k][i] = (float)ref_step(&b, ref_step(&a, ref[k][i]));
                }
                if (skew) { /* the second section 10 samples ahead: its flush points lie elsewhere */
                    dsp_biquad_multi_process(&r2, two, nch, 10);
                    dsp_biquad_multi_process(&f2, got, nch, 10);
                }
                long at = 0;
                for (int b = 0; at < N; b++) {
                    int len = blocks[(b + nch) % (int)(sizeof blocks / sizeof *blocks)];
                    if (len > N - at)
                        len = (int)(N - at);
                    float *w[MAXCH], *g[MAXCH];
                    for (int k = 0; k < nch; k++)
                        w[k] = two[k] + at, g[k] = got[k] + at;
                    dsp_biquad_multi_process(&r1, w, nch, len);
                    dsp_biquad_multi_process(&r2, w, nch, len);
                    dsp_biquad_multi_process2(&f1, &f2, g, nch, len);
                    at += len;
                }
                for (int k = 0; k < nch; k++) {
                    if (!same_bits(ref[k], got[k], N))
                        *(skew ? &skewed_bad : &bad) += 1;
                    for (long i = 0; i < N; i++)
                        most = fmax(most, fabs((double)got[k][i] - two[k][i]));
                }
            }
        }
    }
    check(bad == 0, "a pair of sections fused = the pair rule, high-pass then peak and peak then high-pass, "
                    "1..16 channels, blocks 1..1024 (memcmp)",
          "%d channel runs differ", bad);
    check(skewed_bad == 0, "a pair of sections with phases apart = the pair rule (memcmp)",
          "%d channel runs differ", skewed_bad);
    check(most <= 2.4e-7, "a pair of sections = the two one after the other within 2.4e-7", "apart by %g", most);
    for (int k = 0; k < MAXCH; k++)
        free(two[k]), free(got[k]), free(ref[k]);
}

/* dsp_biquad_multi_process_sum against the filters in place
 * (dsp_biquad_multi_process2, or _process for one section: the paths
 * test_fused and test_identity check) followed by the bus's sum written
 * out here as plain float loops, a product then a sum, channel by channel
 * in order: bit for bit on the bus, and the filters' states the same after.
 * 1..8 channels, one section or a pair (the high-pass first, which the
 * AVX-512 kernels take in 3 multiplies, or second), phases apart (the
 * channels one at a time, then passes), the bus set (its old contents NaN,
 * so a sample left unwritten shows) or added to, 1..3 bus channels each
 * taking some of the channels with coefficients that include 1 and
 * negative ones, blocks 1..1024 (runs of 4 and 8 and the samples after
 * them), and an input with an infinity and a -0. */
static void test_sum(void)
{
    enum { N = 5000, MAXCH = DSP_BIQUAD_SUM_LANES, NBUS = 3 };
    static const int blocks[] = {1, 3, 5, 63, 64, 65, 127, 333, 1024};
    static const float coefs[] = {1.0f, 0.6930f, -0.3881f, 0.70794576f, 2.0f, -1.0f};
    float *in[MAXCH], *got[MAXCH], *ref[MAXCH], *bus[NBUS], *rbus[NBUS];
    for (int k = 0; k < MAXCH; k++) {
        in[k] = malloc(N * sizeof(float));
        got[k] = malloc(N * sizeof(float));
        ref[k] = malloc(N * sizeof(float));
    }
    for (int b = 0; b < NBUS; b++) {
        bus[b] = malloc(N * sizeof(float));
        rbus[b] = malloc(N * sizeof(float));
    }
    dsp_biquad_coefs hp, pk;
    dsp_biquad_design(&hp, DSP_EQ_HIGHPASS, 48000.0, 80.0, 0.707, 0.0);
    dsp_biquad_design(&pk, DSP_EQ_PEAK, 48000.0, 3000.0, 1.0, 3.0);
    int cases = 0, bad_bus = 0, bad_state = 0;
    unsigned r = 12345u;
    for (int nch = 1; nch <= MAXCH; nch++)
        for (int ns = 1; ns <= 2; ns++)
            for (int order = 0; order < 2; order++)
                for (int skew = 0; skew < (ns == 2 ? 2 : 1); skew++)
                    for (int set = 0; set < 2; set++) {
                        const dsp_biquad_coefs *first = order ? &pk : &hp, *second = order ? &hp : &pk;
                        static dsp_biquad_multi r1, r2, f1, f2;
                        dsp_biquad_multi *all[4] = {&r1, &r2, &f1, &f2};
                        for (int k = 0; k < 4; k++) {
                            dsp_biquad_multi_init(all[k]);
                            dsp_biquad_multi_set(all[k], k % 2 ? second : first);
                        }
                        dsp_biquad_sum sum = {.nbus = 1 + (nch + ns + order + set) % NBUS, .set = set};
                        for (int b = 0; b < sum.nbus; b++) {
                            sum.bus[b] = bus[b];
                            for (int k = 0; k < nch; k++) {
                                r ^= r << 13, r ^= r >> 17, r ^= r << 5;
                                sum.has[b][k] = (r >> 5) % 4 != 0;
                                sum.coef[b][k] = coefs[(r >> 9) % (sizeof coefs / sizeof *coefs)];
                            }
                            for (long i = 0; i < N; i++) /* set: NaN where the sum must write */
                                bus[b][i] = rbus[b][i] = set ? NAN : (float)(0.1 * sin(0.01 * (double)(i + b)));
                        }
                        for (int k = 0; k < nch; k++) {
                            make_signal(in[k], N, k, 48000.0);
                            memcpy(got[k], in[k], N * sizeof(float));
                            memcpy(ref[k], in[k], N * sizeof(float));
                        }
                        if (nch == 3 && set) /* an infinity, forgotten at a flush point, and a -0 */
                            got[1][700] = ref[1][700] = INFINITY, got[2][40] = ref[2][40] = -0.0f;
                        if (skew) { /* the second section 10 samples ahead: phases apart */
                            dsp_biquad_multi_process(&r2, ref, nch, 10);
                            dsp_biquad_multi_process(&f2, got, nch, 10);
                        }
                        long at = skew ? 10 : 0;
                        for (int bl = 0; at < N; bl++) {
                            int len = blocks[(bl + nch + ns) % (int)(sizeof blocks / sizeof *blocks)];
                            if (len > N - at)
                                len = (int)(N - at);
                            float *w[MAXCH], *g[MAXCH];
                            for (int k = 0; k < nch; k++)
                                w[k] = ref[k] + at, g[k] = got[k] + at;
                            if (ns == 2)
                                dsp_biquad_multi_process2(&r1, &r2, w, nch, len);
                            else
                                dsp_biquad_multi_process(&r1, w, nch, len);
                            dsp_biquad_sum s2 = sum;
                            for (int b = 0; b < sum.nbus; b++)
                                s2.bus[b] = bus[b] + at;
                            dsp_biquad_multi_process_sum(&f1, ns == 2 ? &f2 : NULL, g, nch, len, &s2);
                            for (int b = 0; b < sum.nbus; b++)
                                for (long i = at; i < at + len; i++) {
                                    float v = set ? 0.0f : rbus[b][i];
                                    for (int k = 0; k < nch; k++)
                                        if (sum.has[b][k])
                                            v = v + sum.coef[b][k] * ref[k][i];
                                    rbus[b][i] = v;
                                }
                            at += len;
                        }
                        cases++;
                        for (int b = 0; b < sum.nbus; b++)
                            bad_bus += !same_bits(bus[b], rbus[b], N);
                        for (int j = 0; j < ns; j++) {
                            const dsp_biquad_multi *x = j ? &r2 : &r1, *y = j ? &f2 : &f1;
                            bad_state += x->phase != y->phase ||
                                         memcmp(x->x1, y->x1, (size_t)nch * sizeof(double)) != 0 ||
                                         memcmp(x->x2, y->x2, (size_t)nch * sizeof(double)) != 0 ||
                                         memcmp(x->y1, y->y1, (size_t)nch * sizeof(double)) != 0 ||
                                         memcmp(x->y2, y->y2, (size_t)nch * sizeof(double)) != 0;
                        }
                    }
    check(bad_bus == 0,
          "a batch summed into a bus as it leaves the filters = the filters in place, then the bus's sum "
          "(1..8 channels, 1 or 2 sections, set or added to, blocks 1..1024; memcmp)",
          "%d of the bus channels differ (%d cases)", bad_bus, cases);
    check(bad_state == 0, "the filters' states after a summed batch = after the filters in place",
          "%d differ", bad_state);
    for (int k = 0; k < MAXCH; k++)
        free(in[k]), free(got[k]), free(ref[k]);
    for (int b = 0; b < NBUS; b++)
        free(bus[b]), free(rbus[b]);
}

/* dsp_biquad_multi_process_sum_frames (the batch read from its tracks'
 * interleaved frames) against dsp_mix_set_frames into the channels at a
 * gain of 1, then dsp_biquad_multi_process_sum: bit for bit on the bus.
 * Mono tracks (1..8 channels) and stereo ones (2, 4, 6, 8 channels: the
 * kernels read 4 and 8 as pairs, 2 and 6 are copied first), one section or
 * a pair, phases apart (copied), the bus set or added to, blocks 1..1024;
 * the input starts with 200 samples of -0 (the copy makes them +0, the
 * kernels read them as they are: the zeros' signs inside the filters must
 * not reach the bus) and holds an infinity. The states compare by value
 * (==), for a -0 state is a +0 one there. */
static void test_sum_frames(void)
{
    enum { N = 3000, MAXCH = DSP_BIQUAD_SUM_LANES };
    static const int blocks[] = {1, 5, 64, 1024, 63, 333, 8, 3};
    float *frames[MAXCH], *got[MAXCH], *ref[MAXCH], *bus[2], *rbus[2], *sig = malloc(N * sizeof(float));
    for (int k = 0; k < MAXCH; k++) {
        frames[k] = malloc(2 * N * sizeof(float));
        got[k] = malloc(N * sizeof(float));
        ref[k] = malloc(N * sizeof(float));
    }
    for (int b = 0; b < 2; b++)
        bus[b] = malloc(N * sizeof(float)), rbus[b] = malloc(N * sizeof(float));
    dsp_biquad_coefs hp, pk;
    dsp_biquad_design(&hp, DSP_EQ_HIGHPASS, 48000.0, 40.0, 0.707, 0.0);
    dsp_biquad_design(&pk, DSP_EQ_PEAK, 48000.0, 250.0, 1.0, -3.0);
    int cases = 0, bad_bus = 0, bad_state = 0;
    for (int fc = 1; fc <= 2; fc++)
        for (int nch = fc; nch <= MAXCH; nch += fc)
            for (int ns = 1; ns <= 2; ns++)
                for (int skew = 0; skew < (ns == 2 ? 2 : 1); skew++)
                    for (int set = 0; set < 2; set++) {
                        static dsp_biquad_multi r1, r2, f1, f2;
                        dsp_biquad_multi *all[4] = {&r1, &r2, &f1, &f2};
                        for (int k = 0; k < 4; k++) {
                            dsp_biquad_multi_init(all[k]);
                            dsp_biquad_multi_set(all[k], k % 2 ? &pk : &hp);
                        }
                        /* stereo: left and right into the bus's two sides; mono: each into both */
                        dsp_biquad_sum sum = {.nbus = 2, .set = set};
                        for (int b = 0; b < 2; b++) {
                            sum.bus[b] = bus[b];
                            for (int k = 0; k < nch; k++) {
                                sum.has[b][k] = fc == 1 || k % 2 == b;
                                sum.coef[b][k] = fc == 1 ? 0.3f + 0.1f * (float)(k + b) : 0.6309573f;
                            }
                            for (long i = 0; i < N; i++)
                                bus[b][i] = rbus[b][i] = set ? NAN : (float)(0.1 * cos(0.02 * (double)(i + b)));
                        }
                        for (int k = 0; k < nch; k++) {
                            make_signal(sig, N, k, 48000.0);
                            for (long i = 0; i < N; i++)
                                frames[k / fc][i * fc + k % fc] = i < 200 ? -0.0f : sig[i];
                        }
                        frames[0][fc * 900] = INFINITY;
                        for (int k = 0; k < nch; k++) /* what the skew's 10 samples filter */
                            make_signal(ref[k], N, k + 1, 48000.0), memcpy(got[k], ref[k], N * sizeof(float));
                        if (skew) { /* the second section 10 samples ahead: phases apart */
                            dsp_biquad_multi_process(&r2, ref, nch, 10);
                            dsp_biquad_multi_process(&f2, got, nch, 10);
                        }
                        for (long at = 0, bl = 0; at < N; bl++) {
                            int len = blocks[(bl + nch + ns) % (int)(sizeof blocks / sizeof *blocks)];
                            if (len > N - at)
                                len = (int)(N - at);
                            float *w[MAXCH], *g[MAXCH];
                            const float *fr[MAXCH];
                            for (int k = 0; k < nch; k++)
                                w[k] = ref[k] + at, g[k] = got[k] + at;
                            for (int t = 0; t < nch / fc; t++) {
                                fr[t] = frames[t] + fc * at;
                                dsp_mix_set_frames(w + fc * t, fr[t], fc, 1.0f, len);
                            }
                            dsp_biquad_sum s1 = sum, s2 = sum;
                            for (int b = 0; b < 2; b++)
                                s1.bus[b] = rbus[b] + at, s2.bus[b] = bus[b] + at;
                            dsp_biquad_multi_process_sum(&r1, ns == 2 ? &r2 : NULL, w, nch, len, &s1);
                            dsp_biquad_multi_process_sum_frames(&f1, ns == 2 ? &f2 : NULL, g, fr, fc, nch, len, &s2);
                            at += len;
                        }
                        cases++;
                        for (int b = 0; b < 2; b++)
                            bad_bus += !same_bits(bus[b], rbus[b], N);
                        for (int j = 0; j < ns; j++) {
                            const dsp_biquad_multi *x = j ? &r2 : &r1, *y = j ? &f2 : &f1;
                            bad_state += x->phase != y->phase;
                            for (int k = 0; k < nch; k++)
                                bad_state += x->x1[k] != y->x1[k] || x->x2[k] != y->x2[k] || x->y1[k] != y->y1[k] ||
                                             x->y2[k] != y->y2[k];
                        }
                    }
    check(bad_bus == 0,
          "a batch summed from its tracks' frames = the frames copied into its channels, then summed "
          "(mono and stereo tracks, 1 or 2 sections, set or added to, blocks 1..1024, -0 input; memcmp)",
          "%d of the bus channels differ (%d cases)", bad_bus, cases);
    check(bad_state == 0, "the filters' states after a batch summed from frames = after it from the copy (==)",
          "%d differ", bad_state);
    for (int k = 0; k < MAXCH; k++)
        free(frames[k]), free(got[k]), free(ref[k]);
    for (int b = 0; b < 2; b++)
        free(bus[b]), free(rbus[b]);
    free(sig);
}

int main(void)
{
    test_designs();
    test_closed_forms();
    test_stability();
    test_butter();
    /* every multi-channel path (AVX-512, AVX2, SSE2: the widest the CPU has
     * and each narrower one) against the same scalar reference */
    static const char *const caps[] = {"the widest the CPU has", "AVX2 at most", "SSE2"};
    for (int cap = DSP_SIMD_ANY; cap <= DSP_SIMD_NO_AVX2; cap++) {
        dsp_simd_cap = cap;
        printf("# multi-channel kernels: %s\n", caps[cap]);
        test_identity();
        test_tails();
        test_fused();
        test_sum();
        test_sum_frames();
    }
    dsp_simd_cap = DSP_SIMD_ANY;
    return check_exit();
}
