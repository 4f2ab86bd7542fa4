/* test_automation.c - automation end to end: moves written in a script,
 * rendered by the engine, checked against closed-form formulas written out
 * here: a step at a timecode lands on its sample at every frame rate; every
 * ramp shape, target and curve follow their formula; fader + trim + VCAs add
 * in dB; a gain ride on a sine adds no spurs (no zipper); a dense lane renders
 * the same bytes at every block size; cues from a marker file place moves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/mix.h"
#include "dsp/simd.h"
#include "tests/check.h"
#include "tests/unit/render_util.h"
#include "vm/automation.h"

static double dc_half(int i, int c) { (void)i, (void)c; return 0.5; }
static double sine_1k(int i, int c) { (void)c; return 0.5 * sin(2 * M_PI * 1000.0 * i / 48000.0); }

static double db(double v) { return pow(10.0, v / 20.0); }

/* The cell of the control grid for a move of time scale `scale` samples
 * (docs/automation.md): a power of two from 32 to 1024, at most scale / 16.
 * A cell's first sample and its middle are knots. */
static int cell_of(double scale)
{
    int h = 1024;
    while (h > 32 && h * 16 > scale)
        h /= 2;
    return h;
}

static void test_step_at_timecode(void)
{
    const label_rate *rates = label_rates;
    write_wav("dc.wav", 48000, 1, 48000 * 6, dc_half);
    for (size_t ri = 0; ri < LABEL_RATES; ri++) {
        char sep = rates[ri].drop ? ';' : ':';
        int ff = rates[ri].nominal - 1;
        char script[1024];
        /* start 00:59:57, step at 01:00:01:(last frame): crosses a DF minute */
        snprintf(script, sizeof script,
                 "session { rate = 48000, fps = \"%s\", start = \"00:59:57%c00\", length = 6 }\n"
                 "local t = track \"T\" { channels = 1 }\n"
                 "t:clip { \"dc.wav\", at = 0 }\n"
                 "t.gain:set { at = \"01:00:01%c%02d\", to = -6 }\n"
                 "output { \"out.wav\", from = t, format = \"wav32f\" }\n",
                 rates[ri].fps, sep, sep, ff);
        long long f0 = label_frames(0, 59, 57, 0, rates[ri].nominal, rates[ri].drop);
        long long f1 = label_frames(1, 0, 1, ff, rates[ri].nominal, rates[ri].drop);
        long long s0 = (2 * f0 * 48000 * rates[ri].den + rates[ri].num) / (2LL * rates[ri].num);
        long long s1 = (2 * f1 * 48000 * rates[ri].den + rates[ri].num) / (2LL * rates[ri].num);
        long long at = s1 - s0;
        int frames = 0, ch = 0;
        float *x = render(script, 1024) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
        float after = (float)(0.5 * (double)(float)db(-6));
        char name[160];
        snprintf(name, sizeof name, "gain step at 01:00:01%c%02d, %s fps%s changes on exactly sample %lld", sep, ff,
                 rates[ri].fps, rates[ri].drop ? " DF" : "", at);
        check(x && at < frames && x[at - 1] == 0.5f && fabsf(x[at] - after) < 1e-7f && fabsf(x[at + 1] - after) < 1e-7f,
              name, "samples %lld..%lld: %.9g %.9g", at - 1, at, x ? x[at - 1] : -1.0, x ? x[at] : -1.0);
        free(x);
    }
}

/* value of a ramp from v0 to v1 at t in [0,1], per docs/automation.md */
static double shape(const char *s, double v0, double v1, double t)
{
    if (strcmp(s, "linear") == 0) return v0 + (v1 - v0) * t;
    if (strcmp(s, "s_curve") == 0) return v0 + (v1 - v0) * (1 - cos(M_PI * t)) / 2;
    if (strcmp(s, "amplitude") == 0) return 20 * log10((1 - t) * db(v0) + t * db(v1));
    if (strcmp(s, "equal_power") == 0) return 10 * log10((1 - t) * db(v0) * db(v0) + t * db(v1) * db(v1));
    return v0 * pow(v1 / v0, t); /* exponential */
}

static void test_ramp_shapes(void)
{
    write_wav("dc.wav", 48000, 1, 48000, dc_half);
    static const char *const shapes[] = {"linear", "s_curve", "amplitude", "equal_power", "exponential"};
    for (int si = 0; si < 5; si++) {
        char script[1024];
        /* exponential needs same-sign ends: -3 -> -15 dB is fine in dB units */
        snprintf(script, sizeof script,
                 "session { rate = 48000, length = 0.5 }\n"
                 "local t = track \"T\" { channels = 1, gain = -3 }\n"
                 "t:clip { \"dc.wav\", at = 0 }\n"
                 "t.gain:ramp { at = \"1000smp\", to = -15, over = \"4800smp\", shape = \"%s\" }\n"
                 "output { \"out.wav\", from = t, format = \"wav32f\" }\n",
                 shapes[si]);
        int frames = 0, ch = 0;
        float *x = render(script, 333) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
        /* knots (the move's start and end, the cells' starts and middles:
         * cells of 256 samples for a move of 4800) are exact; between them
         * the gain is a quadratic, within the grid's interpolation error
         * (docs/automation.md) */
        double knot_err = x ? 0 : 1, worst = x ? 0 : 1;
        for (int k = 0; x && k < 8000; k++) {
            double v = k < 1000 ? -3 : k >= 5800 ? -15 : shape(shapes[si], -3, -15, (k - 1000) / 4800.0);
            double want = 0.5 * db(v);
            double e = fabs(x[k] - want) / want;
            if ((k >= 1024 && k < 5632 && k % (cell_of(4800) / 2) == 0) || k == 1000 || k == 5799)
                knot_err = e > knot_err ? e : knot_err;
            worst = e > worst ? e : worst;
        }
        char name[200];
        snprintf(name, sizeof name, "gain ramp shape %s: exact at the knots (%.1e), within 1e-3 between (%.1e)",
                 shapes[si], knot_err, worst);
        check(knot_err < 1e-6 && worst < 1e-3, name, "knots %g, between %g", knot_err, worst);
        free(x);
    }

    /* target and curve, and a move that cuts a running ramp */
    int frames = 0, ch = 0;
    float *x = render_track_script(0.5, 1, "dc.wav",
                                   "t.gain:target { at = \"1000smp\", to = -20, tau = \"480smp\" }\n"
                                   "t.gain:curve { at = \"5000smp\", over = \"2000smp\", values = { -6, 0, -12 } }\n"
                                   "t.gain:ramp { at = \"9000smp\", to = 0, over = \"2000smp\" }\n"
                                   "t.gain:set { at = \"10000smp\", to = -1 }\n"
                                   "t.gain:ramp { at = \"12000smp\", to = -7, over = \"1000smp\" }\n"
                                   "t.gain:ramp { at = \"12500smp\", to = -1, over = \"500smp\" }\n",
                                   64, &frames, &ch);
    double worst = x ? 0 : 1, knot_err = x ? 0 : 1;
    int bad = -1;
    for (int k = 0; x && k < 14000; k++) {
        double v;
        /* the stretch [rs, re) of the move at k (a curve's: between two
         * points) and its time scale */
        static const int stretch[][3] = {{1000, 5000, 480},   {5000, 6000, 1000},   {6000, 7000, 1000},
                                         {9000, 10000, 2000}, {12000, 12500, 1000}, {12500, 13000, 500}};
        int scale = 0, rs = 0, re = 0;
        for (int r = 0; r < 6; r++)
            if (k >= stretch[r][0] && k < stretch[r][1])
                rs = stretch[r][0], re = stretch[r][1], scale = stretch[r][2];
        if (k < 1000) v = 0;
        else if (k < 5000) v = -20 + 20 * exp(-(k - 1000) / 480.0);
        else if (k < 7000) {
            double pos = (k - 5000) / 1000.0; /* 3 points over 2000 samples */
            v = pos < 1 ? -6 + 6 * pos : 0 - 12 * (pos - 1);
        } else if (k < 9000) v = -12;
        else if (k < 10000) v = -12 + 12 * (k - 9000) / 2000.0;   /* cut at 10000 by a set */
        else if (k < 12000) v = -1;
        else if (k < 12500) v = -1 - 6 * (k - 12000) / 1000.0;    /* cut at 12500: reached -4 */
        else if (k < 13000) v = -4 + 3 * (k - 12500) / 500.0;
        else v = -1;
        double e = fabs(x[k] - 0.5 * db(v)) / (0.5 * db(v));
        int h = scale ? cell_of(scale) : 1, c0 = k - k % h; /* a whole cell inside the stretch */
        if ((scale && k % (h / 2) == 0 && c0 >= rs && c0 + h < re) || k == 5000 || k == 6000 || k == 7000 || k == 10000 ||
            k == 12500 || k == 13000)
            knot_err = e > knot_err ? e : knot_err;
        if (e > worst) {
            worst = e;
            bad = k;
        }
    }
    /* the target's first cell bends most: 20 dB at tau = 10 ms */
    check(knot_err < 1e-6 && worst < 5e-3,
          "target, curve (through its points), a set cutting a ramp and a ramp cutting a ramp: exact at knots",
          "knots %g, between %g at sample %d", knot_err, worst, bad);
    free(x);
}

static void test_layers_add_in_db(void)
{
    write_wav("dc.wav", 48000, 1, 48000, dc_half);
    const char *script =
        "session { rate = 48000, length = 0.5 }\n"
        "local t = track \"T\" { channels = 1, gain = -3, trim = -2 }\n"
        "t:clip { \"dc.wav\", at = 0 }\n"
        "t.gain:ramp { at = \"1000smp\", to = -9, over = \"1000smp\" }\n"
        "t.trim:set { at = \"3000smp\", to = 1.5 }\n"
        "local a = vca \"A\" { members = { t }, gain = -4 }\n"
        "local b = vca \"B\" { members = { t } }\n"
        "b.gain:set { at = \"4000smp\", to = 2 }\n"
        "a.gain:set { at = \"5000smp\", to = -math.huge }\n"
        "output { \"out.wav\", from = t, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 128) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    static const struct { int k; double db; } want[] = {
        {500, -3 - 2 - 4 + 0},  {1504, -3 - 6 * 0.504 - 2 - 4}, {2500, -9 - 2 - 4},
        {3500, -9 + 1.5 - 4},   {4500, -9 + 1.5 - 4 + 2},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char name[160];
        double w = 0.5 * db(want[i].db);
        snprintf(name, sizeof name, "fader + trim + VCAs add in dB: sample %d at %+.3f dB", want[i].k, want[i].db);
        check(x && fabs(x[want[i].k] - w) < 1e-6 * w, name, "got %.9g want %.9g", x ? x[want[i].k] : -1.0, w);
    }
    check(x && x[5000] == 0 && x[6000] == 0 && x[4999] != 0, "a silent VCA silences its members from its sample on",
          "got %g %g", x ? x[4999] : -1.0, x ? x[5000] : -1.0);
    free(x);
}

/* In-place radix-2 FFT (re, im of length n, a power of two). */
static void fft(double *re, double *im, int n)
{
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        double a = -2 * M_PI / len;
        for (int i = 0; i < n; i += len)
            for (int k = 0; k < len / 2; k++) {
                double wr = cos(a * k), wi = sin(a * k);
                double ur = re[i + k], ui = im[i + k];
                double vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
                double vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
                re[i + k] = ur + vr; im[i + k] = ui + vi;
                re[i + k + len / 2] = ur - vr; im[i + k + len / 2] = ui - vi;
            }
    }
}

/* Peak of the Blackman-Harris-windowed spectrum of x[0..n) in dB relative to
 * the peak of the windowed spectrum of ref (a carrier of the same length). */
static double spectrum_peak_db(const double *x, int n, double ref_peak)
{
    double *re = calloc((size_t)n, sizeof *re), *im = calloc((size_t)n, sizeof *im);
    for (int i = 0; i < n; i++) {
        double t = 2 * M_PI * i / (n - 1);
        re[i] = x[i] * (0.35875 - 0.48829 * cos(t) + 0.14128 * cos(2 * t) - 0.01168 * cos(3 * t));
    }
    fft(re, im, n);
    double peak = 0;
    for (int i = 0; i <= n / 2; i++) {
        double m = hypot(re[i], im[i]);
        peak = m > peak ? m : peak;
    }
    free(re);
    free(im);
    return ref_peak > 0 ? 20 * log10(peak / ref_peak) : 20 * log10(peak);
}

static void test_no_zipper(void)
{
    /* A 1 kHz sine ridden from 0 to -20 dB over 1 s (linear in dB). The
     * engine's output minus the ideal product (sine x closed-form gain, in
     * double) is everything that is not the sine and its modulation
     * sidebands: its spectrum must stay below -100 dBc. A gain stepped
     * per block (zipper) would leave spurs near -55 dBc. */
    enum { N = 65536 };
    write_wav("sine.wav", 48000, 1, 48000 * 3, sine_1k);
    int frames = 0, ch = 0;
    float *x = render_track_script(3, 1, "sine.wav", "t.gain:ramp { at = \"24000smp\", to = -20, over = 1 }\n", 256,
                                   &frames, &ch);
    if (!check(x && frames >= 24000 + N, "gain ride on a sine renders", "frames %d", frames)) {
        free(x);
        return;
    }
    double *err = malloc(N * sizeof *err), *carrier = malloc(N * sizeof *carrier);
    for (int i = 0; i < N; i++) {
        int k = 24000 + i; /* the ride starts here and lasts 48000 samples */
        double v = k < 72000 ? -20.0 * (k - 24000) / 48000.0 : -20;
        double ideal = (double)(float)sine_1k(k, 0) * db(v);
        err[i] = x[k] - ideal;
        carrier[i] = (double)(float)sine_1k(k, 0);
    }
    double ref = pow(10, spectrum_peak_db(carrier, N, 0) / 20); /* the carrier's own peak */
    double spur = spectrum_peak_db(err, N, ref);
    char name[160];
    snprintf(name, sizeof name, "gain ride on a 1 kHz sine: largest spur %.1f dBc (limit -100)", spur);
    check(spur < -100, name, "spur %.1f dBc", spur);
    /* the same check detects a zipper: step the ideal gain every 64 samples */
    for (int i = 0; i < N; i++) {
        int k = 24000 + i, ks = k - (k % 64);
        double v = ks < 72000 ? -20.0 * (ks - 24000) / 48000.0 : -20;
        double vs = k < 72000 ? -20.0 * (k - 24000) / 48000.0 : -20;
        err[i] = carrier[i] * (db(v) - db(vs));
    }
    double zip = spectrum_peak_db(err, N, ref);
    snprintf(name, sizeof name, "the spur measure sees a 64-sample zipper (%.1f dBc), so it can fail", zip);
    check(zip > -80, name, "zipper measured only %.1f dBc", zip);
    free(err);
    free(carrier);
    free(x);
}

static void test_dense_block_independence(void)
{
    /* 50 tracks, each with a gain move every 7 samples (steps and ramps in
     * turn) and a pan move every 11, over 0.5 s */
    write_wav("dc.wav", 48000, 1, 48000, dc_half);
    const char *script =
        "session { rate = 48000, length = 0.5 }\n"
        "local m = bus \"M\"\n"
        "for i = 1, 50 do\n"
        "  local t = track(\"T\" .. i) { channels = 1, to = m }\n"
        "  t:clip { \"dc.wav\", at = (i % 7) / 1000 }\n"
        "  for k = 0, 24000, 7 do\n"
        "    local v = -((k * i) % 23)\n"
        "    if (k // 7) % 2 == 0 then t.gain:set { at = k .. \"smp\", to = v }\n"
        "    else t.gain:ramp { at = k .. \"smp\", to = v, over = \"5smp\", shape = \"s_curve\" } end\n"
        "  end\n"
        "  for k = 0, 24000, 11 do t.pan:ramp { at = k .. \"smp\", to = ((k * i) % 19) / 9.5 - 1, over = \"9smp\" } end\n"
        "end\n"
        "output { \"out.wav\", from = m, format = \"wav32f\" }\n";
    static const int blocks[] = {1, 64, 4096};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "out.wav", blocks, 3, "dense automation", &frames, &ch);
    check(first && frames == 24000, "dense automation (50 tracks, a move every 7 samples) renders", "frames %d",
          frames);
    free(first);
}

static void test_cues(void)
{
    write_wav("dc.wav", 48000, 1, 48000 * 4, dc_half);
    FILE *f = fopen("/dev/null", "r");
    if (f)
        fclose(f);
    char path[512];
    snprintf(path, sizeof path, "%s/cues.csv", dir);
    f = fopen(path, "w");
    fputs("Name,Timecode\ndoor slam,01:00:01:12\nthunder,01:00:02:00\n", f);
    fclose(f);
    const char *script =
        "session { rate = 48000, fps = \"24\", start = \"01:00:00:00\", length = 3 }\n"
        "local cue = markers \"cues.csv\"\n"
        "local t = track \"T\" { channels = 1 }\n"
        "t:clip { \"dc.wav\", at = 0 }\n"
        "t.gain:set { at = cue \"door slam\", to = -6 }\n"
        "t.gain:set { at = cue \"thunder\" - 0.25, to = -12 }\n"
        "output { \"out.wav\", from = t, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 1024) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    /* 01:00:01:12 at 24 fps = 1.5 s = 72000; thunder 2 s - 0.25 s = 84000 */
    check(x && x[71999] == 0.5f && x[72000] == (float)(0.5 * (double)(float)db(-6)) && x[83999] == x[72000] &&
              x[84000] == (float)(0.5 * (double)(float)db(-12)),
          "moves at cues land on the cue's sample (and cue - 0.25 s)", "got %g %g %g", x ? x[71999] : -1.0,
          x ? x[72000] : -1.0, x ? x[84000] : -1.0);
    free(x);
    /* the edit changes: the editor exports a new list, the move follows */
    f = fopen(path, "w");
    fputs("Name,Timecode\ndoor slam,01:00:00:12\nthunder,01:00:02:00\n", f);
    fclose(f);
    x = render(script, 1024) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    check(x && x[23999] == 0.5f && x[24000] == (float)(0.5 * (double)(float)db(-6)),
          "replacing the marker file moves the automation with the cut", "got %g %g", x ? x[23999] : -1.0,
          x ? x[24000] : -1.0);
    free(x);
    f = fopen(path, "w");
    fputs("Name,Timecode\ndoor slammed,01:00:00:12\nthunder,01:00:02:00\n", f);
    fclose(f);
    printf("# expected failure follows:\n");
    check(render(script, 1024) != 0, "a cue that is no longer in the marker file is an error", "it rendered");
}

static double sine2_500(int i, int c) { (void)c; return 0.3 * sin(2 * M_PI * 500.0 * i / 48000.0); }

static double bursts(int i, int c)
{
    (void)c;
    double t = i / 48000.0;
    int on = (t >= 1.0 && t < 2.0) || (t >= 2.5 && t < 3.0) || (t >= 6.0 && t < 6.5);
    return on ? 0.3 * sin(2 * M_PI * 500.0 * i / 48000.0) : 0.0;
}

/* Dialogue lines (lines.wav) ducking DC music (dc.wav): the duck rule's
 * extra settings, the music's output file, the printmaster's after pm_ */
static const char duck_fmt[] =
    "session { rate = 48000, length = 8 }\n"
    "local pm = bus \"PM\" { channels = 1 }\n"
    "local dx = bus \"DX\" { channels = 1, to = pm }\n"
    "local mx = bus \"MX\" { channels = 1, to = pm }\n"
    "track \"V\" { to = dx }:clip { \"lines.wav\", at = 0 }\n"
    "track \"M\" { to = mx }:clip { \"dc.wav\", at = 0 }\n"
    "duck { mx, under = dx, depth = -9, attack = 0.08, release = 0.6, hold = 0.2, preroll = 0.3, bridge = 1.5%s }\n"
    "output { \"%s\", from = mx, format = \"wav32f\" }\n"
    "output { \"pm_%s\", from = pm, format = \"wav32f\" }\n";

static void test_duck(void)
{
    /* Music is DC 0.5 on MX, so the output is 0.5 x the duck gain; lines on
     * DX at 1.0-2.0 s, 2.5-3.0 s (a 0.5 s gap: bridged) and 6.0-6.5 s. */
    write_wav("dc.wav", 48000, 1, 48000 * 8, dc_half);
    write_wav("lines.wav", 48000, 1, 48000 * 8, bursts);
    char script[2000];
    snprintf(script, sizeof script, duck_fmt, "", "mx.wav", "mx.wav");
    int frames = 0, ch = 0;
    float *x = render(script, 512) == 0 ? read_wav("mx.wav", &frames, &ch) : NULL;
    if (!check(x && frames == 8 * 48000, "a duck rule renders", "frames %d", frames)) {
        free(x);
        return;
    }
    double depth = 0.5 * db(-9);
    /* where the dips begin: the first sample below 0.5 after a stretch at 0.5 */
    int first = -1, second = -1;
    for (int k = 1; k < frames; k++)
        if (x[k] < 0.5f && x[k - 1] == 0.5f) {
            if (first < 0)
                first = k;
            else if (second < 0)
                second = k;
        }
    char name[200];
    snprintf(name, sizeof name, "the dip begins preroll (0.3 s) before the first line, within 10 ms (at %.4f s)",
             first / 48000.0);
    check(first >= 0 && fabs(first / 48000.0 - 0.7) <= 0.010, name, "dip at sample %d", first);
    snprintf(name, sizeof name, "and before the third line (at %.4f s, want 5.7 s)", second / 48000.0);
    check(second >= 0 && fabs(second / 48000.0 - 5.7) <= 0.010, name, "dip at sample %d", second);
    check(fabs(x[(int)(1.5 * 48000)] - depth) < 1e-6 * depth, "during a line the music sits at depth (-9 dB)",
          "got %g want %g", x[(int)(1.5 * 48000)], depth);
    check(fabs(x[(int)(2.25 * 48000)] - depth) < 1e-6 * depth,
          "a 0.5 s gap between lines (shorter than bridge) stays ducked", "got %g", x[(int)(2.25 * 48000)]);
    check(x[(int)(4.5 * 48000)] == 0.5f, "between lines further apart than bridge the music is back at 0 dB",
          "got %g", x[(int)(4.5 * 48000)]);
    check(x[(int)(3.19 * 48000)] < 0.5f * 0.36f && x[(int)(3.81 * 48000)] == 0.5f,
          "after the line: held for hold (0.2 s), back over release (0.6 s)", "got %g / %g",
          x[(int)(3.19 * 48000)], x[(int)(3.81 * 48000)]);
    free(x);
}

/* The realtime form (lookahead = L): with L >= preroll + 10 ms and
 * L >= bridge - hold + 10 ms it makes the offline analysis's moves; with
 * less, the dip starts L - 10 ms before a line and the release waits until
 * a gap of `bridge` is in sight. Its look-ahead is compensated: the bus it
 * feeds stays aligned with the key's path. */
static void test_duck_realtime(void)
{
    write_wav("dc.wav", 48000, 1, 48000 * 8, dc_half);
    write_wav("lines.wav", 48000, 1, 48000 * 8, bursts);
    char script[2000];
    int frames = 0, ch = 0, f2 = 0, f3 = 0;
    snprintf(script, sizeof script, duck_fmt, "", "off.wav", "off.wav");
    float *off = render(script, 512) == 0 ? read_wav("off.wav", &frames, &ch) : NULL;
    snprintf(script, sizeof script, duck_fmt, ", lookahead = 1.4", "rt.wav", "rt.wav");
    float *rt = render(script, 512) == 0 ? read_wav("rt.wav", &f2, &ch) : NULL;
    float *rt1 = render(script, 1) == 0 ? read_wav("rt.wav", &f3, &ch) : NULL;
    float *pm = read_wav("pm_rt.wav", &f3, &ch);
    if (!check(off && rt && rt1 && pm && frames == f2 && f2 == 8 * 48000, "a realtime duck renders", "frames %d %d",
               frames, f2))
        goto done;
    double worst = 0, worst_pm = 0;
    int same = 1;
    for (int k = 0; k < frames; k++) {
        double e = fabs((double)off[k] - rt[k]);
        worst = e > worst ? e : worst;
        same &= rt[k] == rt1[k];
        e = fabs((double)pm[k] - rt[k] - bursts(k, 0));
        worst_pm = e > worst_pm ? e : worst_pm;
    }
    char name[200];
    snprintf(name, sizeof name, "with 1.4 s of look-ahead the realtime duck makes the offline moves (max diff %.1f dB "
             "below the music)", 20 * log10(worst / 0.5 + 1e-30));
    check(worst < 0.5 * 1e-5, name, "max diff %g", worst);
    check(same, "the realtime duck gives the same samples at --block 1 and 512", "differs");
    snprintf(name, sizeof name, "its 1.4 s look-ahead is compensated: PM - MX is the key, aligned (max error %.2g)",
             worst_pm);
    check(worst_pm < 1e-6, name, "error %g", worst_pm);
    free(rt);
    free(rt1);
    free(pm);
    rt = rt1 = pm = NULL;
    /* 0.15 s of look-ahead: the dip starts 0.14 s before the first line
     * (1.0 s), the release after the cluster (3.0 s) waits 1.5 - 0.14 s */
    snprintf(script, sizeof script, duck_fmt, ", lookahead = 0.15", "rt.wav", "rt.wav");
    rt = render(script, 512) == 0 ? read_wav("rt.wav", &f2, &ch) : NULL;
    if (!check(rt && f2 == frames, "a realtime duck with a short look-ahead renders", "frames %d", f2))
        goto done;
    int first = -1, rel = -1;
    for (int k = 1; k < f2; k++) {
        if (first < 0 && rt[k] < 0.5f && rt[k - 1] == 0.5f)
            first = k;
        if (rel < 0 && k > 3 * 48000 && rt[k] > rt[k - 1])
            rel = k;
    }
    snprintf(name, sizeof name, "0.15 s of look-ahead: the dip begins 0.14 s before the line (at %.4f s, want 0.86)",
             first / 48000.0);
    check(first >= 0 && fabs(first / 48000.0 - 0.86) <= 0.002, name, "at %d", first);
    snprintf(name, sizeof name, "and the release after the last line waits for a bridge gap to be seen (at %.4f s, "
             "want 4.36)", rel / 48000.0);
    check(rel >= 0 && fabs(rel / 48000.0 - 4.36) <= 0.002, name, "at %d", rel);
    check(fabs(rt[(int)(2.25 * 48000)] - 0.5 * db(-9)) < 1e-6, "a gap shorter than bridge stays ducked", "got %g",
          rt[(int)(2.25 * 48000)]);
done:
    free(off);
    free(rt);
    free(rt1);
    free(pm);
}

/* Sends: a track's signal into a second bus at a level, after its fader
 * or before it; the level takes moves like any gain (per-sample line
 * between knots). DC 0.5 on track T (fader -6 dB) -> PM, send to VERB. */
/* verb.wav of script at --block 1024, checked bit-identical at 1, 64, 4096 */
static float *verb_at_blocks(const char *script, const char *what, int *frames, int *ch)
{
    static const int blocks[] = {1024, 1, 64, 4096};
    return render_blocks(script, "verb.wav", blocks, 4, what, frames, ch);
}

static void test_sends(void)
{
    write_wav("dc4.wav", 48000, 1, 48000 * 4, dc_half);
    const char *fmt =
        "session { rate = 48000, length = 4 }\n"
        "local pm = bus \"PM\" { channels = 1 }\n"
        "local verb = bus \"VERB\" { channels = 1, to = pm }\n"
        "local t = track \"T\" { channels = 1, to = pm, gain = -6 }\n"
        "t:clip { \"dc4.wav\", at = 0 }\n"
        "local s = t:send(verb, { level = -12, pre = %s })\n"
        "s:ramp { at = 1, to = 0, over = 1 }\n"
        "output { \"verb.wav\", from = verb, format = \"wav32f\" }\n"
        "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n";
    for (int pre = 0; pre <= 1; pre++) {
        char script[1500], what[100];
        snprintf(script, sizeof script, fmt, pre ? "true" : "false");
        snprintf(what, sizeof what, "a %s-fader send with a moving level", pre ? "pre" : "post");
        int frames = 0, ch = 0, pf = 0;
        float *v = verb_at_blocks(script, what, &frames, &ch);
        render(script, 1024);
        float *pm = read_wav("pm.wav", &pf, &ch);
        if (!check(v && pm && frames == 4 * 48000, what, "render failed")) {
            free(v), free(pm);
            continue;
        }
        double src = pre ? 0.5 : 0.5 * db(-6), before = src * db(-12), mid = src * db(-6), after = src;
        char name[200];
        snprintf(name, sizeof name, "%s: %.6f before the move (-12 dB of the %s signal)", what, before,
                 pre ? "unfaded" : "faded");
        check(fabs(v[24000] - before) < 1e-6, name, "got %g", v[24000]);
        snprintf(name, sizeof name, "%s: halfway through the 1 s ramp (linear in dB) -6 dB", what);
        check(fabs(v[72000] - mid) < 1e-3 * mid, name, "got %g want %g", v[72000], mid);
        snprintf(name, sizeof name, "%s: 0 dB after it", what);
        check(fabs(v[120000] - after) < 1e-6, name, "got %g", v[120000]);
        snprintf(name, sizeof name, "%s: the printmaster is the faded track plus the send", what);
        check(fabs(pm[24000] - (0.5 * db(-6) + before)) < 1e-6 && fabs(pm[120000] - (0.5 * db(-6) + after)) < 1e-6,
              name, "got %g / %g", pm[24000], pm[120000]);
        free(v);
        free(pm);
    }
    /* a strip whose pan moves sends at its send's level, static or moving */
    const char *panned = "session { rate = 48000, length = 4 }\n"
                         "local pm = bus \"PM\" { channels = 2 }; local verb = bus \"VERB\" { channels = 2, to = pm }\n"
                         "local t = track \"T\" { channels = 1, to = pm, pan = -1 }; t:clip { \"dc4.wav\", at = 0 }\n"
                         "t.pan:ramp { at = 1, to = 1, over = 2 }\n%s\n%s\n"
                         "output { \"verb.wav\", from = verb, format = \"wav32f\" }\n";
    static const char *const cases[2][2] = {
        {"", "a send at -6 dB from a track whose pan moves"},
        {"s:ramp { at = 1, to = 0, over = 1 }", "a send at a moving level from a track whose pan moves"}};
    for (int moving = 0; moving <= 1; moving++) {
        char script[1500];
        const char *what = cases[moving][1];
        snprintf(script, sizeof script, panned, "local s = t:send(verb, -6)", cases[moving][0]);
        int frames = 0, ch = 0;
        float *v = verb_at_blocks(script, what, &frames, &ch);
        if (!check(v && ch == 2 && frames == 4 * 48000, what, "render failed")) {
            free(v);
            continue;
        }
        double lvl_end = moving ? 1.0 : db(-6), c = cos(M_PI / 4); /* the pan law at the centre */
        char name[200];
        snprintf(name, sizeof name, "%s: hard left at -6 dB before the moves", what);
        check(fabs(v[2 * 24000] - 0.5 * db(-6)) < 1e-6 && v[2 * 24000 + 1] == 0, name, "got %g %g", v[2 * 24000],
              v[2 * 24000 + 1]);
        snprintf(name, sizeof name, "%s: centred at 2 s, at the level then", what);
        check(fabs(v[2 * 96000] - 0.5 * c * lvl_end) < 1e-5 && fabs(v[2 * 96000 + 1] - 0.5 * c * lvl_end) < 1e-5,
              name, "got %g %g want %g", v[2 * 96000], v[2 * 96000 + 1], 0.5 * c * lvl_end);
        snprintf(name, sizeof name, "%s: hard right after the pan move", what);
        check(v[2 * 168000] == 0 && fabs(v[2 * 168000 + 1] - 0.5 * lvl_end) < 1e-6, name, "got %g %g",
              v[2 * 168000], v[2 * 168000 + 1]);
        free(v);
    }

    /* before the fader, the strip's mute moves still silence the send */
    char pre_script[1500];
    snprintf(pre_script, sizeof pre_script, panned, "t:send(verb, { level = -6, pre = true })",
             "t.mute:set { at = 3.5, to = true }");
    int pf = 0, pc = 0;
    float *pv = render(pre_script, 1024) == 0 ? read_wav("verb.wav", &pf, &pc) : NULL;
    check(pv && pf == 4 * 48000 && fabs(pv[2 * 24000] - 0.5 * db(-6)) < 1e-6 && pv[2 * 180000 + 1] == 0 &&
              pv[2 * 180000] == 0,
          "a pre-fader send from a strip whose pan and mute move: -6 dB, then silent once muted",
          "got %g, then %g %g", pv ? pv[2 * 24000] : -1.0, pv ? pv[2 * 180000] : -1.0, pv ? pv[2 * 180000 + 1] : -1.0);
    free(pv);

    printf("# expected failures follow:\n");
    check(render("local pm = bus \"PM\"\nlocal t = track \"T\" { to = pm }\nlocal u = track \"U\" { to = pm }\n"
                 "t:send(u, -6)\noutput { \"x.wav\", from = pm }\n", 1024) != 0,
          "a send into a track is an error", "it rendered");
    check(render("local pm = bus \"PM\"\nlocal t = track \"T\" { to = pm }\nt:send(pm, -6)\n"
                 "output { \"x.wav\", from = pm }\n", 1024) != 0,
          "a send to a bus the strip already feeds is an error", "it rendered");
    check(render("local pm = bus \"PM\"\nlocal v = bus \"V\" { to = pm }\nlocal t = track \"T\" { to = pm }\n"
                 "t:send(v, 30)\noutput { \"x.wav\", from = pm }\n", 1024) != 0,
          "a send level above +24 dB is an error", "it rendered");
}

/* A move on a strip whose signal a look-ahead made late (a limiter on the
 * bus, then its fader; a bus fed through a realtime duck) lands on the
 * sample it was written for in the output, which is compensated. */
static void test_moves_after_lookahead(void)
{
    write_wav("dc2.wav", 48000, 1, 48000 * 2, dc_half);
    const char *script =
        "session { rate = 48000, length = 2 }\n"
        "local pm = bus \"PM\" { channels = 1 }\n"
        "local mx = bus \"MX\" { channels = 1, to = pm }\n"
        "track \"T\" { to = mx }:clip { \"dc2.wav\", at = 0 }\n"
        "mx:limiter { ceiling = -1, lookahead = 0.005 }\n"
        "mx.gain:set { at = 1, to = -6 }\n"
        "local e = mx:eq { \"peak\", freq = 1000, gain = 0, q = 1 }\n"
        "pm.gain:set { at = 1.5, to = -12 }\n"
        "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 512) == 0 ? read_wav("pm.wav", &frames, &ch) : NULL;
    if (!check(x && frames == 2 * 48000, "a mix with moves after a look-ahead limiter renders", "frames %d", frames)) {
        free(x);
        return;
    }
    int step = -1, step2 = -1;
    for (int k = 1; k < frames; k++) {
        if (step < 0 && fabs(x[k] - x[k - 1]) > 0.1)
            step = k;
        else if (step >= 0 && step2 < 0 && fabs(x[k] - x[k - 1]) > 0.05)
            step2 = k;
    }
    check(step == 48000, "a fader step after a limiter lands on its sample in the compensated output (1.0 s)",
          "it is at sample %d (%d early)", step, 48000 - step);
    check(step2 == 72000, "a bus fader step downstream lands on its sample too (1.5 s)", "it is at sample %d", step2);
    check(fabs(x[40000] - 0.5) < 1e-6 && fabs(x[60000] - 0.5 * db(-6)) < 1e-6 &&
              fabs(x[80000] - 0.5 * db(-18)) < 1e-6,
          "levels: 0.5, then -6 dB, then -18 dB", "got %g %g %g", x[40000], x[60000], x[80000]);
    free(x);
}

static double two_tones(int i, int c)
{
    (void)c;
    return 0.2 * sin(2 * M_PI * 100.0 * i / 48000.0) + 0.2 * sin(2 * M_PI * 2000.0 * i / 48000.0);
}

/* amplitude of the f Hz component of x[k0, k0 + n) (least squares) */
static double amplitude(const float *x, int k0, int n, double f)
{
    double a, b;
    sine_fit(x, k0, n, f, 48000.0, &a, &b);
    return hypot(a, b);
}

static void test_band_duck(void)
{
    /* music: 100 Hz + 2 kHz tones; one line on DX from 2 s to 4 s. A band
     * duck on 1-4 kHz takes the 2 kHz tone down by depth during the line and
     * leaves the 100 Hz tone alone; with no line the split sums flat. */
    write_wav("tones.wav", 48000, 1, 48000 * 6, two_tones);
    write_wav("line.wav", 48000, 1, 48000 * 2, sine2_500);
    const char *script =
        "session { rate = 48000, length = 6 }\n"
        "local pm = bus \"PM\" { channels = 1 }\n"
        "local dx = bus \"DX\" { channels = 1, to = pm }\n"
        "local mx = bus \"MX\" { channels = 1, to = pm }\n"
        "track \"V\" { to = dx }:clip { \"line.wav\", at = 2 }\n"
        "track \"M\" { to = mx }:clip { \"tones.wav\", at = 0 }\n"
        "duck { mx, under = dx, depth = -9, band = { 1000, 4000 }, preroll = 0.3, attack = 0.08, release = 0.6 }\n"
        "output { \"mx.wav\", from = mx, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 512) == 0 ? read_wav("mx.wav", &frames, &ch) : NULL;
    if (!check(x && frames == 6 * 48000, "a band duck renders", "frames %d", frames)) {
        free(x);
        return;
    }
    /* 0.5 s windows: before the line (0.5-1.0 s), during (2.5-3.0 s) */
    double hi_before = amplitude(x, 24000, 24000, 2000), hi_during = amplitude(x, 120000, 24000, 2000);
    double lo_before = amplitude(x, 24000, 24000, 100), lo_during = amplitude(x, 120000, 24000, 100);
    char name[200];
    double dh = 20 * log10(hi_during / hi_before), dl = 20 * log10(lo_during / lo_before);
    snprintf(name, sizeof name, "band duck 1-4 kHz: the 2 kHz tone drops %.2f dB during the line (-9 +-1)", dh);
    check(fabs(dh + 9) <= 1, name, "drop %.2f dB", dh);
    snprintf(name, sizeof name, "band duck 1-4 kHz: the 100 Hz tone moves %.3f dB (less than 0.5)", dl);
    check(fabs(dl) < 0.5, name, "moved %.3f dB", dl);
    snprintf(name, sizeof name, "outside lines the LR8 split sums flat: 100 Hz %.4f, 2 kHz %.4f (both 0.2)",
             lo_before, hi_before);
    check(fabs(20 * log10(lo_before / 0.2)) < 0.01 && fabs(20 * log10(hi_before / 0.2)) < 0.01, name,
          "levels %g %g", lo_before, hi_before);
    free(x);
}

/* worst |x[k] - want(k)| over [from, to) */
static double worst_dev(const float *x, int from, int to, double (*want)(int))
{
    double w = 0;
    for (int k = from; k < to; k++)
        w = fabs(x[k] - want(k)) > w ? fabs(x[k] - want(k)) : w;
    return w;
}

/* DC 0.5 muted at 1.0 s (sample 48000) and unmuted at 1.5 s (72000): each
 * switch is a 5 ms (240-sample) fade linear in amplitude from its sample */
static double mute_fade(int k) { return 0.5 * (1.0 - (k - 48000) / 240.0); }
static double unmute_fade(int k) { return 0.5 * (k - 72000) / 240.0; }

static void test_mute(void)
{
    write_wav("dc2.wav", 48000, 1, 48000 * 2, dc_half);
    const char *fmt =
        "session { rate = 48000, length = 2 }\n"
        "local b = bus \"B\" { channels = 1 }\n"
        "local r = bus \"R\" { channels = 1 }\n"
        "local t = track \"T\" { channels = 1, to = b }\n"
        "t:clip { \"dc2.wav\", at = 0 }\n"
        "t:send(r, { level = 0, pre = true })\n"
        "%s\n"
        "output { \"t.wav\", from = t, format = \"wav32f\" }\n"
        "output { \"b.wav\", from = b, format = \"wav32f\" }\n"
        "output { \"r.wav\", from = r, format = \"wav32f\" }\n";
    static const struct { const char *moves, *what; } cases[] = {
        {"t.mute:set { at = 1.0, to = true }\nt.mute:set { at = 1.5, to = false }", "track mute"},
        {"b.mute:moves { { at = \"48000smp\", to = true }, { at = 1.5, to = false } }", "bus mute (moves form)"},
        {"t.mute = true\nt.mute:set { at = 0, to = false }\nt.mute:set { at = 1, to = true }\n"
         "t.mute:set { at = 1.5, to = false }", "static mute = true with moves (from 0 unmuted at once)"},
        {"mute_group \"G\" { members = { t } }.mute:moves { { at = 1, to = true }, { at = 1.5, to = false } }\n"
         "mute_group \"H\" { members = { t }, mute = true }.mute:set { at = 0, to = false }",
         "two mute groups (one muted statically, unmuted at 0)"},
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        char script[2000], what[200];
        snprintf(script, sizeof script, fmt, cases[ci].moves);
        static const int blocks[] = {1024, 1, 64, 4096};
        int frames = 0, ch = 0, fb = 0, fr = 0;
        snprintf(what, sizeof what, "%s", cases[ci].what);
        int on_bus = strstr(cases[ci].moves, "b.mute") != NULL;
        float *x = render_blocks(script, on_bus ? "b.wav" : "t.wav", blocks, 4, what, &frames, &ch);
        render(script, 1024);
        float *b = read_wav("b.wav", &fb, &ch), *r = read_wav("r.wav", &fr, &ch);
        if (!check(x && b && r && frames == 96000, what, "render failed")) {
            free(x), free(b), free(r);
            continue;
        }
        int before = 1, silent = 1, after = 1;
        /* muted statically and unmuted at 0: it fades in over the first 240 samples */
        int static_on = strstr(cases[ci].moves, "mute = true") != NULL;
        for (int k = static_on ? 240 : 0; k < 48000; k++)
            before &= x[k] == 0.5f;
        for (int k = 48240; k < 72000; k++)
            silent &= x[k] == 0.0f;
        for (int k = 72240; k < frames; k++)
            after &= x[k] == 0.5f;
        char name[300];
        if (static_on) {
            double w = 0;
            for (int k = 0; k <= 240; k++)
                w = fabs(x[k] - 0.5 * k / 240.0) > w ? fabs(x[k] - 0.5 * k / 240.0) : w;
            snprintf(name, sizeof name, "%s: the unmute at 0 fades in over samples 0..240, within 1e-6", what);
            check(w <= 1e-6, name, "worst %.3g", w);
        }
        snprintf(name, sizeof name, "%s: exactly 0.5 before 1.0 s (unmuted)", what);
        check(before, name, "a sample differs");
        snprintf(name, sizeof name, "%s: the mute fades linearly in amplitude over samples 48000..48240 (5 ms), "
                 "within 1e-6", what);
        double wm = worst_dev(x, 48000, 48241, mute_fade);
        check(wm <= 1e-6 && x[48000] == 0.5f, name, "worst %.3g, first %.9g", wm, x[48000]);
        snprintf(name, sizeof name, "%s: exactly 0 from 5 ms after the mute to the unmute", what);
        check(silent, name, "a sample is not 0");
        snprintf(name, sizeof name, "%s: the unmute fades in linearly over samples 72000..72240, within 1e-6", what);
        double w = worst_dev(x, 72000, 72241, unmute_fade);
        check(w <= 1e-6 && x[72000] == 0.0f, name, "worst %.3g", w);
        snprintf(name, sizeof name, "%s: exactly 0.5 again from 72240 on", what);
        check(after, name, "a sample differs");
        if (!on_bus) {
            snprintf(name, sizeof name, "%s: the bus it feeds and its send before the fader are muted with it",
                     what);
            check(memcmp(b, x, (size_t)frames * sizeof *x) == 0 && memcmp(r, x, (size_t)frames * sizeof *x) == 0,
                  name, "bus or send differs from the track");
        }
        free(x), free(b), free(r);
    }

    /* dubstage automation lists the switch as 1/0 where it was written */
    char err[DS_ERR_LEN] = "", script[2000];
    snprintf(script, sizeof script, fmt, cases[0].moves);
    vm_desc d;
    vm_auto_list list;
    int found = 0;
    if (collect_lanes(script, &d, &list, err) == DS_OK)
        for (int i = 0; i < list.n; i++)
            if (strcmp(list.lanes[i].name, "T.mute") == 0)
                found = vm_auto_value(&list.lanes[i], 47999) == 0 && vm_auto_value(&list.lanes[i], 48000) == 1 &&
                        vm_auto_value(&list.lanes[i], 72000) == 0 && strstr(list.lanes[i].where, "mix.lua:7");
    check(found, "dubstage automation lists T.mute: 0, 1 from sample 48000, 0 from 72000 (mix.lua:7)", "%s", err);
    vm_automation_free(&list);
    vm_desc_free(&d);

    printf("# expected failures follow:\n");
    expect_error_at("local t = track \"T\"\n\nt.mute:ramp { at = 1, to = true, over = 1 }\n", 3,
                    "a mute switches on or off", "a mute ramp is refused with the reason, naming the line");
    expect_error_at("local b = bus \"B\"\nb.mute:set { at = 1, to = 2 }\n", 2,
                    "bus 'B' mute: to must be true (muted) or false (got 2)", "a mute to = 2 names the line");
    expect_error_at("local t = track \"T\"\nt.mute:moves { { at = 1, to = true }, { at = 2, to = false, over = 1 } }\n",
                    2, "a mute switches on or off", "a mute move with over (moves form) is refused");
}

/* The per-sample pieces the scheduler hands to the mix (dsp/mix.h): the
 * formula, and the fused kernels equal to filling and then multiplying. */
static void test_line_kernels(void)
{
    dsp_line lines[3] = {{0, 100, 0, 0.5f, 0.001f, -2e-6f}, {100, 28, 7, 0.25f, 0.0f, 0.0f},
                         {128, 72, 3, 1.0f, -0.004f, 1e-5f}};
    float fill[200], src[200], a[200], b[200], c[200];
    for (int i = 0; i < 200; i++)
        src[i] = (float)sin(0.1 * i), a[i] = b[i] = (float)cos(0.05 * i), c[i] = src[i];
    dsp_mix_fill_lines(fill, lines, 3);
    double worst = 0;
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < lines[p].n; i++) {
            double k = lines[p].k0 + i;
            double want = lines[p].y + k * (lines[p].slope + k * lines[p].curve);
            double e = fabs(fill[lines[p].off + i] - want) / fabs(want);
            worst = e > worst ? e : worst;
        }
    check(worst < 5e-7, "pieces: y + k (slope + k curve) per sample, in float", "worst relative error %g", worst);
    dsp_mix_add_mul(a, src, fill, 200);
    dsp_mix_add_mul_lines(b, src, lines, 3, 0);
    check(memcmp(a, b, sizeof a) == 0, "pieces: add_mul_lines has the bits of fill + add_mul", "differ");
    float w[200];
    for (int i = 0; i < 200; i++)
        w[i] = 1e6f; /* ignored by set */
    dsp_mix_add_mul_lines(w, src, lines, 3, 1);
    int written = 1;
    for (int i = 0; i < 200; i++)
        written &= w[i] == 0.0f + fill[i] * src[i];
    check(written, "pieces: add_mul_lines with set writes 0 + value x (dst not read)", "differ");
    float pl[200], pr[200], ql[200], qr[200];
    for (int i = 0; i < 200; i++)
        pl[i] = ql[i] = (float)i, pr[i] = qr[i] = -(float)i;
    dsp_mix_add_mul_lines_pair(pl, pr, src, a, lines, lines, 3);
    dsp_mix_add_mul_lines(ql, src, lines, 3, 0);
    dsp_mix_add_mul_lines(qr, a, lines, 3, 0);
    check(memcmp(pl, ql, sizeof pl) == 0 && memcmp(pr, qr, sizeof pr) == 0,
          "pieces: add_mul_lines_pair has the bits of two add_mul_lines", "differ");
    dsp_mix_mul_lines(c, lines, 3);
    int same = 1;
    for (int i = 0; i < 200; i++)
        same &= c[i] == src[i] * fill[i];
    check(same, "pieces: mul_lines has the bits of fill + multiply", "differ");
}

int main(void)
{
    if (scratch_open("test-automation") != 0)
        return 2;
    for (int cap = DSP_SIMD_ANY; cap <= DSP_SIMD_NO_WIDE; cap++) { /* the 64-byte path and the other */
        dsp_simd_cap = cap;
        test_line_kernels();
    }
    dsp_simd_cap = DSP_SIMD_ANY;
    test_step_at_timecode();
    test_ramp_shapes();
    test_layers_add_in_db();
    test_no_zipper();
    test_dense_block_independence();
    test_cues();
    test_duck();
    test_duck_realtime();
    test_band_duck();
    test_sends();
    test_moves_after_lookahead();
    test_mute();
    scratch_close();
    return check_exit();
}
