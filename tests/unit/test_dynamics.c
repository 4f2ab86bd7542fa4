/* test_dynamics.c - dsp/dynamics (compressor / expander / gate) against the
 * formulas written in dynamics.h, computed here independently:
 *   static curves   G(L) piecewise as printed in the header (Giannoulis,
 *                   Massberg, Reiss 2012, quadratic knee, and its mirror
 *                   image for the expander),
 *                   both as dsp_dyn_static_gain_db and as the steady gain of
 *                   a 1 kHz sine through the kernel, +-0.05 dB. "Level" is
 *                   the detector's: a peak detector reads a sine's peak
 *                   20 log10 A, an RMS detector its RMS, 20 log10 A - 3.01 dB;
 *                   the test feeds each the amplitude that puts its level at
 *                   L, and measures the output's gain as the RMS ratio out/in
 *                   over whole cycles.
 *   time constants  DC level steps: the gain covers 1 - 1/e of its change
 *                   attack_s (or hold_s + release_s) after the step, +-5 %
 *                   (+-1 ms with hold).
 *   invariants      range never exceeded, external key not in the output,
 *                   linked channels share one gain, bit-identical output at
 *                   any block size and on every SIMD path (dsp_simd_cap:
 *                   the AVX-512 path where the CPU has it, the AVX2 path,
 *                   the DSP_HOT clones), bad parameters named by
 *                   dsp_dyn_check. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsp/dynamics.h"
#include "dsp/simd.h"
#include "tests/check.h"

#define PI 3.14159265358979323846
#define FS 48000.0

/* ---- the header's formulas, written out again -------------------------- */

static double want_gain(dsp_dyn_mode mode, double t, double r, double w, double range, double l)
{
    double d = l - t, g;
    if (mode == DSP_DYN_GATE) {
        g = l >= t ? 0.0 : range;
    } else if (mode == DSP_DYN_COMPRESS) {
        double s = 1.0 / r - 1.0;
        if (2 * d < -w || (w == 0 && d <= 0))
            g = 0.0;
        else if (2 * d > w || w == 0)
            g = s * d;
        else
            g = s * (d + w / 2) * (d + w / 2) / (2 * w);
    } else {
        if (2 * d > w || (w == 0 && d >= 0))
            g = 0.0;
        else if (2 * d < -w || w == 0)
            g = (r - 1) * d;
        else
            g = (1 - r) * (d - w / 2) * (d - w / 2) / (2 * w);
    }
    return g > range ? g : range;
}

/* ---- signals and running ------------------------------------------------- */

static float *sine(double amp, double freq, long n)
{
    float *x = malloc((size_t)n * sizeof *x);
    for (long i = 0; i < n; i++)
        x[i] = (float)(amp * sin(2 * PI * freq * (double)i / FS));
    return x;
}

static float *dc_steps(const double *level_db, const long *len, int nseg, long *n_out)
{
    long n = 0;
    for (int k = 0; k < nseg; k++)
        n += len[k];
    float *x = malloc((size_t)n * sizeof *x);
    long i = 0;
    for (int k = 0; k < nseg; k++)
        for (long j = 0; j < len[k]; j++)
            x[i++] = level_db[k] <= -300 ? 0.0f : (float)pow(10.0, level_db[k] / 20);
    *n_out = n;
    return x;
}

/* Runs io (nch channels, n samples) through *d in blocks of `block`. */
static void run(dsp_dyn *d, float **key, int nkey, float **io, int nch, long n, int block)
{
    for (long off = 0; off < n; off += block) {
        int m = (int)(n - off < block ? n - off : block);
        const float *k[DSP_DYN_MAX_CHANNELS];
        float *x[DSP_DYN_MAX_CHANNELS];
        for (int c = 0; key && c < nkey; c++)
            k[c] = key[c] + off;
        for (int c = 0; c < nch; c++)
            x[c] = io[c] + off;
        dsp_dyn_process(d, key ? k : NULL, key ? nkey : 0, x, nch, m);
    }
}

/* 10 log10 (sum out^2 / sum in^2) over [from, to) */
static double gain_rms_db(const float *out, const float *in, long from, long to)
{
    double so = 0, si = 0;
    for (long i = from; i < to; i++) {
        so += (double)out[i] * out[i];
        si += (double)in[i] * in[i];
    }
    return 10 * log10(so / si);
}

/* ---- static curve --------------------------------------------------------- */

static void test_static_function(void)
{
    static const struct {
        dsp_dyn_mode mode;
        double t, r, w, range;
    } cfg[] = {
        {DSP_DYN_COMPRESS, -30, 4, 6, -200}, {DSP_DYN_COMPRESS, -30, 4, 0, -200},
        {DSP_DYN_COMPRESS, -10, INFINITY, 10, -200}, {DSP_DYN_COMPRESS, -30, 4, 6, -12},
        {DSP_DYN_EXPAND, -40, 2, 6, -30}, {DSP_DYN_EXPAND, -40, 3, 0, -80},
        {DSP_DYN_GATE, -45, 1, 0, -60},
    };
    for (size_t k = 0; k < sizeof cfg / sizeof cfg[0]; k++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, cfg[k].mode);
        p.threshold_db = cfg[k].t, p.ratio = cfg[k].r, p.knee_db = cfg[k].w, p.range_db = cfg[k].range;
        double worst = 0, at = 0;
        for (double l = -120; l <= 20; l += 0.0625) {
            double e = fabs(dsp_dyn_static_gain_db(&p, l) - want_gain(p.mode, p.threshold_db, p.ratio, p.knee_db,
                                                                       p.range_db, l));
            if (e > worst)
                worst = e, at = l;
        }
        char name[160];
        snprintf(name, sizeof name, "static gain function = header formula (mode %d, T %g, R %g, W %g, range %g)",
                 (int)cfg[k].mode, cfg[k].t, cfg[k].r, cfg[k].w, cfg[k].range);
        check(worst <= 1e-9, name, "off by %.3g dB at %g dB", worst, at);
    }
}

/* Steady gain of a 1 kHz sine whose detector level is `level_db`. */
static double sine_gain(const dsp_dyn_params *p, double level_db)
{
    const long settle = 28800, measure = 9600; /* 0.6 s, then 200 whole cycles */
    double amp = pow(10.0, level_db / 20) * (p->detector == DSP_DYN_RMS ? sqrt(2.0) : 1.0);
    float *in = sine(amp, 1000, settle + measure);
    float *out = malloc((size_t)(settle + measure) * sizeof *out);
    memcpy(out, in, (size_t)(settle + measure) * sizeof *out);
    dsp_dyn d;
    dsp_dyn_init(&d, FS, p);
    run(&d, NULL, 0, &out, 1, settle + measure, 4096);
    double g = gain_rms_db(out, in, settle, settle + measure);
    free(in);
    free(out);
    return g;
}

static void curve_through_kernel(const char *what, const dsp_dyn_params *p, const double *levels, int nl)
{
    double worst = 0, at = 0, got_at = 0, want_at = 0;
    for (int k = 0; k < nl; k++) {
        double got = sine_gain(p, levels[k]);
        double want = want_gain(p->mode, p->threshold_db, p->ratio, p->knee_db, p->range_db, levels[k]) + p->makeup_db;
        if (fabs(got - want) >= worst)
            worst = fabs(got - want), at = levels[k], got_at = got, want_at = want;
    }
    char name[200];
    snprintf(name, sizeof name, "%s: 1 kHz sine at %d levels, steady gain = formula +-0.05 dB (worst %.4f dB)",
             what, nl, worst);
    check(worst <= 0.05, name, "at %g dB: got %.4f dB, want %.4f dB", at, got_at, want_at);
}

static void test_static_curves(void)
{
    /* knee [-33, -27]: below, both edges, inside, above */
    static const double lv[] = {-45, -36, -33, -32, -31, -30, -29, -28, -27, -15};
    const int nl = (int)(sizeof lv / sizeof lv[0]);
    dsp_dyn_params p;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    p.threshold_db = -30, p.ratio = 4, p.makeup_db = 2;
    p.attack_s = 0.002, p.release_s = 0.1, p.hold_s = 0.01; /* hold > one period: no ripple */
    for (int det = 0; det < 2; det++) {
        p.detector = det ? DSP_DYN_RMS : DSP_DYN_PEAK;
        p.knee_db = 6;
        curve_through_kernel(det ? "compressor, RMS (level = sine RMS), knee 6 dB"
                                 : "compressor, peak (level = sine peak), knee 6 dB", &p, lv, nl);
        p.knee_db = 0;
        curve_through_kernel(det ? "compressor, RMS, hard knee" : "compressor, peak, hard knee", &p, lv, nl);
    }
    /* without hold a peak detector lets go a little between crests and the
     * attack pulls it back at each crest; with an instant attack and a slow
     * release that costs a few thousandths of a dB */
    p.detector = DSP_DYN_PEAK, p.knee_db = 6, p.hold_s = 0, p.attack_s = 0, p.release_s = 1.0;
    curve_through_kernel("compressor, peak, knee 6 dB, no hold, attack 0, release 1 s", &p, lv, nl);

    static const double le[] = {-90, -75, -60, -50, -45, -43, -41, -40, -38, -20};
    const int ne = (int)(sizeof le / sizeof le[0]);
    dsp_dyn_params_init(&p, DSP_DYN_EXPAND);
    p.threshold_db = -40, p.ratio = 2, p.range_db = -30, p.hold_s = 0.01;
    for (int det = 0; det < 2; det++) {
        p.detector = det ? DSP_DYN_RMS : DSP_DYN_PEAK;
        p.knee_db = 6;
        curve_through_kernel(det ? "expander 2:1, RMS, knee 6 dB, range -30"
                                 : "expander 2:1, peak, knee 6 dB, range -30", &p, le, ne);
        p.knee_db = 0;
        curve_through_kernel(det ? "expander 2:1, RMS, hard knee" : "expander 2:1, peak, hard knee", &p, le, ne);
    }
    static const double lg[] = {-80, -50, -40.5, -39.5, -20};
    dsp_dyn_params_init(&p, DSP_DYN_GATE);
    p.threshold_db = -40, p.range_db = -40;
    curve_through_kernel("gate, range -40 dB", &p, lg, (int)(sizeof lg / sizeof lg[0]));
}

/* ---- time constants ------------------------------------------------------- */

/* Gain in dB per sample of a DC input through *d (the DC is its own key
 * unless key is given). */
static double *gain_trace(dsp_dyn *d, const float *in, const float *key, long n)
{
    float *out = malloc((size_t)n * sizeof *out);
    memcpy(out, in, (size_t)n * sizeof *out);
    float *k = (float *)key;
    run(d, key ? &k : NULL, 1, &out, 1, n, 4096);
    double *g = malloc((size_t)n * sizeof *g);
    for (long i = 0; i < n; i++)
        g[i] = 20 * log10((double)out[i] / in[i]);
    free(out);
    return g;
}

/* Seconds from the step at n0 until the gain has covered 1 - 1/e of the way
 * from g0 to g1; k samples at the new level count as k / fs. */
static double time_63(const double *g, long n0, long n, double g0, double g1)
{
    const double target = 1 - exp(-1.0);
    double prev = 0;
    for (long k = 1; n0 + k - 1 < n; k++) {
        double f = (g[n0 + k - 1] - g0) / (g1 - g0);
        if (f >= target)
            return ((double)(k - 1) + (target - prev) / (f - prev)) / FS;
        prev = f;
    }
    return -1;
}

static void test_time_constants(void)
{
    static const double taus[] = {0.010, 0.050, 0.250, 1.0};
    dsp_dyn_params p;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    p.threshold_db = -30, p.ratio = 4, p.knee_db = 6;
    const double g0 = 0, g1 = want_gain(p.mode, -30, 4, 6, -200, -10); /* -40 dB: 0; -10 dB: -15 */
    for (int k = 0; k < 4; k++) {
        double tau = taus[k];
        char name[160];
        /* attack: -40 -> -10 dB */
        p.attack_s = tau, p.release_s = 0.1, p.hold_s = 0;
        double lv[] = {-40, -10};
        long len[] = {4800, (long)(1.5 * tau * FS) + 480}, n;
        float *in = dc_steps(lv, len, 2, &n);
        dsp_dyn d;
        dsp_dyn_init(&d, FS, &p);
        double *g = gain_trace(&d, in, NULL, n);
        double t = time_63(g, len[0], n, g0, g1);
        snprintf(name, sizeof name, "attack %g ms: 63%% of a -40 -> -10 dB step's gain change at %.3f ms", tau * 1e3,
                 t * 1e3);
        check(fabs(t - tau) <= 0.05 * tau, name, "want %g ms +-5%%", tau * 1e3);
        free(in);
        free(g);

        /* release: -10 -> -40 dB after the attack (1 ms) has settled */
        p.attack_s = 0.001, p.release_s = tau;
        double lr[] = {-40, -10, -40};
        long lenr[] = {480, 9600, (long)(1.5 * tau * FS) + 480};
        in = dc_steps(lr, lenr, 3, &n);
        dsp_dyn_init(&d, FS, &p);
        g = gain_trace(&d, in, NULL, n);
        t = time_63(g, lenr[0] + lenr[1], n, g1, g0);
        snprintf(name, sizeof name, "release %g ms: 63%% of a -10 -> -40 dB step's gain change at %.3f ms",
                 tau * 1e3, t * 1e3);
        check(fabs(t - tau) <= 0.05 * tau, name, "want %g ms +-5%%", tau * 1e3);
        free(in);
        free(g);
    }

    /* the whole exponential, in a soft knee (target inside the knee) */
    p.attack_s = 0.020, p.release_s = 0.1;
    double lv[] = {-40, -28.5};
    long len[] = {4800, 9600}, n;
    float *in = dc_steps(lv, len, 2, &n);
    dsp_dyn d;
    dsp_dyn_init(&d, FS, &p);
    double *g = gain_trace(&d, in, NULL, n);
    double gk = want_gain(p.mode, -30, 4, 6, -200, -28.5), worst = 0;
    for (long k = 1; k <= len[1]; k++) {
        double want = gk * (1 - exp(-(double)k / (0.020 * FS)));
        double e = fabs(g[len[0] + k - 1] - want);
        worst = e > worst ? e : worst;
    }
    check(worst <= 1e-4, "attack inside the knee: g = g1 (1 - exp(-k / (attack_s fs))) at every sample, +-1e-4 dB",
          "off by %.3g dB", worst);
    free(in);
    free(g);

    /* expander and gate: attack is the gain going up (opening) */
    dsp_dyn_params_init(&p, DSP_DYN_GATE);
    p.threshold_db = -40, p.range_db = -60, p.attack_s = 0.010, p.release_s = 0.050, p.hold_s = 0;
    double lg[] = {-50, -20, -50};
    long leng[] = {9600, 9600, 9600};
    in = dc_steps(lg, leng, 3, &n);
    dsp_dyn_init(&d, FS, &p);
    g = gain_trace(&d, in, NULL, n);
    double ta = time_63(g, leng[0], n, -60, 0), tr = time_63(g, leng[0] + leng[1], n, 0, -60);
    char name[160];
    snprintf(name, sizeof name, "gate opens with attack 10 ms (%.3f ms) and closes with release 50 ms (%.3f ms)",
             ta * 1e3, tr * 1e3);
    check(fabs(ta - 0.010) <= 0.0005 && fabs(tr - 0.050) <= 0.0025, name, "want 10 and 50 ms +-5%%");
    free(in);
    free(g);
}

static void test_hold(void)
{
    dsp_dyn_params p;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    p.threshold_db = -30, p.ratio = 4, p.knee_db = 0, p.attack_s = 0.001, p.release_s = 0.050, p.hold_s = 0.030;
    double lv[] = {-40, -10, -40};
    long len[] = {480, 24000, 9600}, n;
    float *in = dc_steps(lv, len, 3, &n);
    dsp_dyn d;
    dsp_dyn_init(&d, FS, &p);
    double *g = gain_trace(&d, in, NULL, n);
    long n0 = len[0] + len[1], h = 1440;
    double t = time_63(g, n0, n, -15, 0);
    char name[160];
    snprintf(name, sizeof name, "compressor hold 30 ms + release 50 ms: 63%% of the release at %.3f ms", t * 1e3);
    check(fabs(t - 0.080) <= 0.001, name, "want 80 ms +-1 ms");
    int flat = 1; /* (out / in rounds differently for another input level, so compare after the step) */
    for (long k = 1; k <= h; k++)
        flat &= g[n0 + k - 1] == g[n0];
    check(flat && fabs(g[n0] + 15) < 1e-5 && g[n0 + h] > g[n0 + h - 1],
          "compressor hold: gain unchanged for exactly hold_s fs samples after the step, then rises",
          "flat %d at %.9g, then %.9g", flat, g[n0], g[n0 + h]);
    free(in);
    free(g);

    /* gate: hold keeps it open after the key stops, even after a long steady
     * passage (the key sat still for 2 s before) */
    dsp_dyn_params_init(&p, DSP_DYN_GATE);
    p.threshold_db = -40, p.range_db = -60, p.attack_s = 0.001, p.release_s = 0.020, p.hold_s = 0.100;
    double lk[] = {-300, -20, -300}, la[] = {-6};
    long lenk[] = {4800, 96000, 14400}, lena[] = {4800 + 96000 + 14400};
    float *key = dc_steps(lk, lenk, 3, &n);
    in = dc_steps(la, lena, 1, &n);
    dsp_dyn_init(&d, FS, &p);
    g = gain_trace(&d, in, key, n);
    t = time_63(g, lenk[0] + lenk[1], n, 0, -60);
    snprintf(name, sizeof name, "gate hold 100 ms + release 20 ms, external key: 63%% of the close at %.3f ms",
             t * 1e3);
    check(fabs(t - 0.120) <= 0.001, name, "want 120 ms +-1 ms");
    free(key);
    free(in);
    free(g);
}

/* ---- range, key, link ----------------------------------------------------- */

static uint32_t rng = 12345;

static double urand(void) /* [-1, 1) */
{
    rng = rng * 1664525u + 1013904223u;
    return (double)(rng >> 8) / 8388608.0 - 1.0;
}

/* noise bursts of random level and length with silences between */
static float *bursts(long n)
{
    float *x = malloc((size_t)n * sizeof *x);
    long i = 0;
    while (i < n) {
        long len = 480 + (long)((urand() + 1) * 4800);
        double amp = (urand() + 1) > 0.6 ? pow(10.0, (urand() - 1) * 30 / 20) : 0.0;
        for (long j = 0; j < len && i < n; j++, i++)
            x[i] = (float)(amp * urand());
    }
    return x;
}

static void test_range(void)
{
    const long n = 96000;
    float *key = bursts(n);
    double lv[] = {-6};
    long len[] = {n}, m;
    float *in = dc_steps(lv, len, 1, &m);
    for (int mode = 1; mode <= 2; mode++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, (dsp_dyn_mode)mode);
        p.threshold_db = -30, p.range_db = -40, p.ratio = 4;
        p.attack_s = 0.001, p.release_s = 0.005, p.hold_s = 0.002;
        dsp_dyn d;
        dsp_dyn_init(&d, FS, &p);
        double *g = gain_trace(&d, in, key, n);
        double lo = 0, meter_lo = 0;
        for (long i = 0; i < n; i++)
            lo = g[i] < lo ? g[i] : lo;
        dsp_dyn_init(&d, FS, &p);
        for (long i = 0; i < n; i++) {
            float x = in[i];
            float *px = &x;
            const float *pk = &key[i];
            dsp_dyn_process(&d, &pk, 1, &px, 1, 1);
            double r = dsp_dyn_reduction_db(&d, 0);
            meter_lo = r < meter_lo ? r : meter_lo;
        }
        char name[160];
        snprintf(name, sizeof name, "%s with range -40 dB on noise bursts: deepest gain %.6f dB, meter %.6f dB",
                 mode == 1 ? "expander 4:1" : "gate", lo, meter_lo);
        check(lo >= -40 - 1e-5 && lo <= -39.99 && meter_lo >= -40 && meter_lo <= -39.99, name,
              "want the range reached and never passed");
        free(g);
    }
    free(key);
    free(in);
}

static void test_external_key(void)
{
    const long n = 48000;
    dsp_dyn_params p;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    p.threshold_db = -30, p.ratio = 4, p.knee_db = 6, p.attack_s = 0.005, p.release_s = 0.2, p.hold_s = 0.02;
    float *key = sine(pow(10.0, -6 / 20.0), 200, n); /* peak level -6 dB */
    double want = want_gain(p.mode, -30, 4, 6, -200, -6);

    /* silent audio: stays silent, while the meter shows the key's reduction */
    float *out = calloc((size_t)n, sizeof *out);
    dsp_dyn d;
    dsp_dyn_init(&d, FS, &p);
    run(&d, &key, 1, &out, 1, n, 4096);
    int silent = 1;
    for (long i = 0; i < n; i++)
        silent &= out[i] == 0.0f;
    char name[160];
    snprintf(name, sizeof name, "silent audio keyed by a -6 dB 200 Hz key: output silent, meter %.4f dB (want %.4f)",
             dsp_dyn_reduction_db(&d, 0), want);
    check(silent && fabs(dsp_dyn_reduction_db(&d, 0) - want) <= 0.05, name, "silent %d", silent);

    /* quiet 1 kHz audio: comes out scaled by the key's gain, no 200 Hz in it */
    float *in = sine(pow(10.0, -50 / 20.0), 1000, n);
    memcpy(out, in, (size_t)n * sizeof *out);
    dsp_dyn_init(&d, FS, &p);
    run(&d, &key, 1, &out, 1, n, 4096);
    double g = gain_rms_db(out, in, 24000, n);
    double re = 0, im = 0, amp200;
    for (long i = 24000; i < n; i++) {
        re += out[i] * cos(2 * PI * 200 * (double)i / FS);
        im += out[i] * sin(2 * PI * 200 * (double)i / FS);
    }
    amp200 = 2 * hypot(re, im) / (double)(n - 24000);
    snprintf(name, sizeof name,
             "-50 dB audio keyed by a -6 dB key: gain %.4f dB (want %.4f), 200 Hz in output %.1f dBFS", g, want,
             20 * log10(amp200 + 1e-30));
    check(fabs(g - want) <= 0.05 && amp200 < 1e-7, name, "the key leaked or the gain is wrong");
    free(in);
    free(out);
    free(key);
}

static void test_link(void)
{
    const long n = 48000;
    float *l = sine(pow(10.0, -10 / 20.0), 1000, n);
    float *r = malloc((size_t)n * sizeof *r), *lo = malloc((size_t)n * sizeof *lo);
    float *ro = malloc((size_t)n * sizeof *ro), *mono = malloc((size_t)n * sizeof *mono);
    for (long i = 0; i < n; i++)
        r[i] = 0.25f * l[i]; /* exact: -12 dB below the left */
    dsp_dyn_params p;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    /* hold: the gain sits at the crests' (see test_static_curves); a short
     * attack, as it only acts on the samples at the crests of a tone */
    p.threshold_db = -30, p.hold_s = 0.002, p.attack_s = 0.001;

    /* max: both sides get the left's gain */
    memcpy(lo, l, (size_t)n * sizeof *lo);
    memcpy(ro, r, (size_t)n * sizeof *ro);
    float *io[2] = {lo, ro};
    dsp_dyn d;
    dsp_dyn_init(&d, FS, &p);
    run(&d, NULL, 0, io, 2, n, 4096);
    memcpy(mono, l, (size_t)n * sizeof *mono);
    dsp_dyn_init(&d, FS, &p);
    run(&d, NULL, 0, &mono, 1, n, 4096);
    int same = 1;
    for (long i = 0; i < n; i++)
        same &= ro[i] == 0.25f * lo[i];
    check(same && memcmp(lo, mono, (size_t)n * sizeof *lo) == 0,
          "stereo linked (max): right = 0.25 left sample for sample, left = the mono compressor's output", "differs");

    /* mean: the level of (|L| + |R|) / 2 = 0.625 |L| */
    p.link = DSP_DYN_LINK_MEAN;
    memcpy(lo, l, (size_t)n * sizeof *lo);
    memcpy(ro, r, (size_t)n * sizeof *ro);
    dsp_dyn_init(&d, FS, &p);
    run(&d, NULL, 0, io, 2, n, 4096);
    double gl = gain_rms_db(lo, l, 24000, n), gr = gain_rms_db(ro, r, 24000, n);
    double want = want_gain(p.mode, -30, 4, 6, -200, -10 + 20 * log10(0.625));
    char name[160];
    snprintf(name, sizeof name, "stereo linked (mean): both %.4f / %.4f dB = gain at the mean level %.4f dB", gl, gr,
             want);
    check(gl == gr && fabs(gl - want) <= 0.05, name, "mismatch");

    /* unlinked: the quiet right channel is left alone */
    p.link = DSP_DYN_UNLINKED;
    p.threshold_db = -18; /* left peak -10: compressed; right -22: not */
    memcpy(lo, l, (size_t)n * sizeof *lo);
    memcpy(ro, r, (size_t)n * sizeof *ro);
    dsp_dyn_init(&d, FS, &p);
    run(&d, NULL, 0, io, 2, n, 4096);
    gl = gain_rms_db(lo, l, 24000, n);
    snprintf(name, sizeof name, "unlinked: left compressed (%.3f dB), right untouched (bit-identical)", gl);
    check(memcmp(ro, r, (size_t)n * sizeof *ro) == 0 && gl < -1, name, "unexpected");
    free(l), free(r), free(lo), free(ro), free(mono);
}

/* ---- block sizes -------------------------------------------------------- */

static const char *path_name(int cap)
{
    return cap == DSP_SIMD_ANY ? "AVX-512 path where the CPU has it"
           : cap == DSP_SIMD_NO_WIDE ? "AVX2 path" : "DSP_HOT clones";
}

static void test_block_sizes(void)
{
    const long n = 96000;
    float *a = bursts(n), *b = bursts(n), *k = bursts(n);
    static const int blocks[] = {1, 7, 64, 4096, -1}; /* -1: random 1..300 */
    struct {
        const char *name;
        dsp_dyn_mode mode;
        dsp_dyn_detector det;
        dsp_dyn_link link;
        int external;
        double hold_s;
    } cfg[] = {
        {"compressor peak max", DSP_DYN_COMPRESS, DSP_DYN_PEAK, DSP_DYN_LINK_MAX, 0, 0.01},
        {"compressor RMS mean, external key", DSP_DYN_COMPRESS, DSP_DYN_RMS, DSP_DYN_LINK_MEAN, 1, 0.01},
        {"expander RMS unlinked", DSP_DYN_EXPAND, DSP_DYN_RMS, DSP_DYN_UNLINKED, 0, 0.01},
        {"gate peak max, external key", DSP_DYN_GATE, DSP_DYN_PEAK, DSP_DYN_LINK_MAX, 1, 0.01},
        /* no hold, linked peak: the AVX-512 and AVX2 paths' whole chunks
         * with the recursion woven into the passes (dsp/dynamics_chunks.h),
         * against blocks of 1, which never make a whole chunk */
        {"compressor peak max, no hold", DSP_DYN_COMPRESS, DSP_DYN_PEAK, DSP_DYN_LINK_MAX, 0, 0.0},
        {"expander peak mean, no hold, external key", DSP_DYN_EXPAND, DSP_DYN_PEAK, DSP_DYN_LINK_MEAN, 1, 0.0},
        {"gate peak max, no hold, external key", DSP_DYN_GATE, DSP_DYN_PEAK, DSP_DYN_LINK_MAX, 1, 0.0},
    };
    float *ref[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    float *out[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, cfg[c].mode);
        p.detector = cfg[c].det, p.link = cfg[c].link, p.threshold_db = -35, p.hold_s = cfg[c].hold_s, p.makeup_db = 3;
        int ok = 1, bad_block = 0, bad_cap = 0;
        double meter_ref = 0;
        /* the reference: block 1 without the 64-byte build; then every block
         * size with it (where the CPU has it), without it (the AVX2 path)
         * and without AVX2 (the DSP_HOT clones) */
        for (int run_i = 0; run_i < 15; run_i++) {
            const int bi = run_i % 5;
            const int cap = run_i < 5 ? DSP_SIMD_NO_WIDE : run_i < 10 ? DSP_SIMD_ANY : DSP_SIMD_NO_AVX2;
            float **dst = run_i == 0 ? ref : out;
            dsp_simd_cap = cap;
            memcpy(dst[0], a, (size_t)n * sizeof(float));
            memcpy(dst[1], b, (size_t)n * sizeof(float));
            float *keys[2] = {k, b};
            dsp_dyn d;
            dsp_dyn_init(&d, FS, &p);
            if (blocks[bi] > 0) {
                run(&d, cfg[c].external ? keys : NULL, 2, dst, 2, n, blocks[bi]);
            } else {
                for (long off = 0, m; off < n; off += m) {
                    m = 1 + (long)((urand() + 1) * 150);
                    m = m < n - off ? m : n - off;
                    float *x[2] = {dst[0] + off, dst[1] + off};
                    const float *kk[2] = {k + off, b + off};
                    dsp_dyn_process(&d, cfg[c].external ? kk : NULL, 2, x, 2, (int)m);
                }
            }
            if (run_i == 0) {
                meter_ref = dsp_dyn_reduction_db(&d, 0);
                continue;
            }
            if (memcmp(dst[0], ref[0], (size_t)n * sizeof(float)) ||
                memcmp(dst[1], ref[1], (size_t)n * sizeof(float)) || dsp_dyn_reduction_db(&d, 0) != meter_ref) {
                ok = 0;
                bad_block = blocks[bi];
                bad_cap = cap;
            }
        }
        dsp_simd_cap = DSP_SIMD_ANY;
        char name[200];
        snprintf(name, sizeof name,
                 "%s: blocks of 1, 7, 64, 4096 and random sizes give bit-identical output on the AVX-512, AVX2 "
                 "and baseline paths",
                 cfg[c].name);
        check(ok, name, "block %d (%s) differs from block 1 on the AVX2 path", bad_block, path_name(bad_cap));
    }
    free(a), free(b), free(k), free(ref[0]), free(ref[1]), free(out[0]), free(out[1]);
}

/* ---- the compressor's quiet shortcut --------------------------------------- */

/* A key for the whole-chunk path's quiet shortcut (dsp/dynamics.c,
 * quiet_below_of): segments of a loud burst, a release tail in silence
 * of +0 and -0 samples, samples within a few float steps of the knee's
 * lower edge 10^((T - W/2) / 20) of either sign, quiet noise with the odd
 * sample over the edge, and a NaN. */
static float *quiet_key(long n, double edge_db)
{
    float *x = malloc((size_t)n * sizeof *x), edge = (float)pow(10.0, edge_db / 20);
    for (long i = 0; i < n; i++) {
        const int seg = (int)(i / 3000 % 4);
        if (seg == 0) {
            x[i] = (float)(0.5 * urand());
        } else if (seg == 1) {
            x[i] = i % 3 ? -0.0f : 0.0f;
        } else if (seg == 2) {
            float v = edge;
            int steps = (int)((urand() + 1) * 4); /* 0..7 float steps down (0..3) or up (4..7) */
            for (int k = 0; k < steps % 4; k++)
                v = nextafterf(v, steps < 4 ? 0.0f : 1.0f);
            x[i] = urand() < 0 ? -v : v;
        } else {
            x[i] = (float)(edge * 0.5 * urand());
            if (i % 97 == 0)
                x[i] = 2 * edge;
        }
    }
    x[n / 2 + 5] = NAN;
    return x;
}

/* The linked peak compressor with makeup 0 dB: whole chunks take the
 * quiet shortcut (no log2 under the knee, a recursion step of one
 * multiply, no exp2 where the gain is 0 dB) on the AVX-512 and AVX2 paths.
 * Against blocks of 1 (never a whole chunk) on the AVX2 path: the output
 * and the meter (its bits: the sign of a zero too) every 4096 samples. */
static void test_quiet_shortcut(void)
{
    const long n = 96000, every = 4096;
    static const struct {
        const char *name;
        double threshold, knee, range, ratio, release, makeup;
    } cfg[] = {
        {"knee 6 dB", -30.0, 6.0, -200.0, 4.0, 0.250, 0.0},
        {"hard knee", -30.0, 0.0, -200.0, 4.0, 0.250, 0.0},
        {"ratio inf, range -10 dB", -30.0, 6.0, -10.0, INFINITY, 0.250, 0.0},
        /* tails through 1e-7 dB (the gain a float 1) to the flush */
        {"release 1 ms", -30.0, 6.0, -200.0, 4.0, 0.001, 0.0},
        {"ratio 1 (target +0 dB: no shortcut)", -30.0, 6.0, -200.0, 1.0, 0.250, 0.0},
        /* the detector's clamp at -200 dB is on the knee (no shortcut) */
        {"threshold -200 dB, hard knee", -200.0, 0.0, -200.0, 4.0, 0.250, 0.0},
        /* the exp2's floor (one rounding instruction on the chunk path,
         * a conversion and a correction in the scalar one) with makeup -0
         * (y = -0 where a gain is -0 dB) and -3 dB (y below 0 throughout,
         * integers among them) */
        {"makeup -0 dB", -30.0, 6.0, -200.0, 4.0, 0.001, -0.0},
        {"makeup -3 dB", -30.0, 6.0, -200.0, 4.0, 0.250, -3.0},
    };
    float *a = bursts(n), *b = bursts(n);
    float *ref[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    float *out[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    double meter_ref[96000 / 4096 + 1], meter[96000 / 4096 + 1];
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
        p.threshold_db = cfg[c].threshold, p.knee_db = cfg[c].knee, p.range_db = cfg[c].range, p.ratio = cfg[c].ratio;
        p.attack_s = 0.010, p.release_s = cfg[c].release, p.hold_s = 0, p.makeup_db = cfg[c].makeup;
        float *k1 = quiet_key(n, p.threshold_db - p.knee_db / 2), *k2 = quiet_key(n, p.threshold_db - p.knee_db / 2);
        static const int caps[] = {DSP_SIMD_NO_WIDE, DSP_SIMD_ANY, DSP_SIMD_NO_WIDE, DSP_SIMD_NO_AVX2};
        static const int blocks[] = {1, 4096, 1024, 4096};
        int ok = 1, bad_cap = 0;
        long changed = 0;
        for (int r = 0; r < 4; r++) {
            float **dst = r == 0 ? ref : out;
            double *mt = r == 0 ? meter_ref : meter;
            dsp_simd_cap = caps[r];
            memcpy(dst[0], a, (size_t)n * sizeof(float));
            memcpy(dst[1], b, (size_t)n * sizeof(float));
            dsp_dyn d;
            dsp_dyn_init(&d, FS, &p);
            for (long off = 0; off < n; off += every) {
                long m = n - off < every ? n - off : every;
                float *kk[2] = {k1 + off, k2 + off}, *x[2] = {dst[0] + off, dst[1] + off};
                run(&d, kk, 2, x, 2, m, blocks[r]);
                mt[off / every] = dsp_dyn_reduction_db(&d, 0);
            }
            if (r > 0 && (memcmp(dst[0], ref[0], (size_t)n * sizeof(float)) ||
                          memcmp(dst[1], ref[1], (size_t)n * sizeof(float)) ||
                          memcmp(meter, meter_ref, sizeof meter)))
                ok = 0, bad_cap = caps[r];
        }
        for (long i = 0; i < n; i++)
            changed += ref[0][i] != a[i];
        dsp_simd_cap = DSP_SIMD_ANY;
        char what[200];
        snprintf(what, sizeof what, "quiet shortcut, %s: %s", cfg[c].name,
                 "a key at the knee's edge, signed zeros and release tails give the bits of blocks of 1 on the "
                 "AVX-512, AVX2 and baseline paths (output and meter)");
        check(ok && (changed > 0) == (cfg[c].ratio > 1), what, "%s differs (%ld samples changed)",
              path_name(bad_cap), changed);
        free(k1), free(k2);
    }
    free(a), free(b), free(ref[0]), free(ref[1]), free(out[0]), free(out[1]);
}

/* ---- parameters ------------------------------------------------------------ */

static void test_check(void)
{
    char msg[256];
    for (int m = 0; m < 3; m++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, (dsp_dyn_mode)m);
        int rc = dsp_dyn_check(&p, msg, sizeof msg);
        char name[80];
        snprintf(name, sizeof name, "defaults of mode %d pass dsp_dyn_check", m);
        check(rc == 0 && msg[0] == '\0', name, "rc %d: %s", rc, msg);
    }
    struct {
        dsp_dyn_mode mode;
        const char *field;
        double v;
        const char *want; /* in the message */
    } bad[] = {
        {DSP_DYN_COMPRESS, "ratio", 0.5, "ratio = 0.5 is out of range: the compressor takes 1 to inf"},
        {DSP_DYN_EXPAND, "ratio", INFINITY, "ratio = inf is out of range: the expander takes 1 to 100"},
        {DSP_DYN_COMPRESS, "attack_s", -0.01, "attack_s = -0.01 is out of range: takes 0 to 60 s"},
        {DSP_DYN_COMPRESS, "release_s", NAN, "release_s = nan is out of range"},
        {DSP_DYN_GATE, "hold_s", -1, "hold_s = -1 is out of range"},
        {DSP_DYN_COMPRESS, "threshold_db", NAN, "threshold_db = nan is out of range: takes -200 to 40 dB"},
        {DSP_DYN_COMPRESS, "knee_db", -3, "knee_db = -3 is out of range"},
        {DSP_DYN_GATE, "range_db", 6, "range_db = 6 is out of range: takes -200 to 0 dB"},
        {DSP_DYN_COMPRESS, "makeup_db", INFINITY, "makeup_db = inf is out of range"},
        {DSP_DYN_COMPRESS, "rms_s", -1, "rms_s = -1 is out of range"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, bad[i].mode);
        double *f = !strcmp(bad[i].field, "ratio") ? &p.ratio
                    : !strcmp(bad[i].field, "attack_s") ? &p.attack_s
                    : !strcmp(bad[i].field, "release_s") ? &p.release_s
                    : !strcmp(bad[i].field, "hold_s") ? &p.hold_s
                    : !strcmp(bad[i].field, "threshold_db") ? &p.threshold_db
                    : !strcmp(bad[i].field, "knee_db") ? &p.knee_db
                    : !strcmp(bad[i].field, "range_db") ? &p.range_db
                    : !strcmp(bad[i].field, "makeup_db") ? &p.makeup_db
                                                         : &p.rms_s;
        *f = bad[i].v;
        int rc = dsp_dyn_check(&p, msg, sizeof msg);
        char name[400];
        snprintf(name, sizeof name, "dsp_dyn_check rejects %s = %g: \"%s\"", bad[i].field, bad[i].v, msg);
        check(rc != 0 && strstr(msg, bad[i].want) != NULL, name, "rc %d, want \"%s\"", rc, bad[i].want);

        /* the kernel clamps what it is given anyway: output stays finite */
        float x[256];
        for (int j = 0; j < 256; j++)
            x[j] = (float)(0.5 * sin(j * 0.3));
        float *px = x;
        dsp_dyn d;
        dsp_dyn_init(&d, FS, &p);
        dsp_dyn_process(&d, NULL, 0, &px, 1, 256);
        int finite = 1;
        for (int j = 0; j < 256; j++)
            finite &= isfinite(x[j]) && fabsf(x[j]) <= 500.0f; /* makeup clamped to +60 dB at most */
        snprintf(name, sizeof name, "kernel given %s = %g stays finite", bad[i].field, bad[i].v);
        check(finite, name, "non-finite output");
    }
    /* truncation is safe */
    dsp_dyn_params p;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    p.ratio = 0.5;
    char small[8];
    check(dsp_dyn_check(&p, small, sizeof small) != 0 && strlen(small) == 7, "dsp_dyn_check truncates the message",
          "%s", small);
}

static void test_bad_input_and_reset(void)
{
    dsp_dyn_params p;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    p.detector = DSP_DYN_RMS;
    float x[4800];
    for (int i = 0; i < 4800; i++)
        x[i] = (float)(0.3 * sin(i * 0.1));
    x[100] = NAN;
    x[200] = INFINITY;
    x[300] = -INFINITY;
    float *px = x;
    dsp_dyn d;
    dsp_dyn_init(&d, FS, &p);
    dsp_dyn_process(&d, NULL, 0, &px, 1, 4800);
    int finite = 1;
    for (int i = 400; i < 4800; i++)
        finite &= isfinite(x[i]);
    check(finite && isfinite(dsp_dyn_reduction_db(&d, 0)), "NaN and infinities in the key: the gain stays finite",
          "not finite");

    dsp_dyn_params_init(&p, DSP_DYN_GATE);
    dsp_dyn_init(&d, FS, &p);
    double g0 = dsp_dyn_reduction_db(&d, 0);
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    dsp_dyn_init(&d, FS, &p);
    check(g0 == -80 && dsp_dyn_reduction_db(&d, 0) == 0,
          "state at reset = after endless silence: gate closed (-80 dB), compressor at 0 dB", "gate %g", g0);
}

/* ---- speed (information only) --------------------------------------------- */

static void speed(void)
{
    const long n = 96000;
    float *a = bursts(n), *b = bursts(n);
    float *io[2] = {a, b};
    static const char *what[] = {"compressor peak", "compressor RMS", "gate peak"};
    for (int k = 0; k < 3; k++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, k == 2 ? DSP_DYN_GATE : DSP_DYN_COMPRESS);
        p.detector = k == 1 ? DSP_DYN_RMS : DSP_DYN_PEAK;
        dsp_dyn d;
        dsp_dyn_init(&d, FS, &p);
        double best = 1e9;
        for (int rep = 0; rep < 3; rep++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            run(&d, NULL, 0, io, 2, n, 1024);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double t = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
            best = t < best ? t : best;
        }
        printf("# speed: %s, stereo linked, blocks of 1024: %.2f ns per stereo frame\n", what[k], best / n * 1e9);
    }
    free(a), free(b);
}

int main(void)
{
    test_static_function();
    test_static_curves();
    test_time_constants();
    test_hold();
    test_range();
    test_external_key();
    test_link();
    test_block_sizes();
    test_quiet_shortcut();
    test_check();
    test_bad_input_and_reset();
    speed();
    return check_exit();
}
