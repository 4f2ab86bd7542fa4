/* test_render.c - the engine end to end: script -> plan -> rendered file,
 * checked against formulas written out here (not taken from the engine):
 * where an impulse lands for a timecode, plain summing, the pan laws, the
 * fade curves, gains, mute/solo, source offsets and channel picks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

static double impulse(int i, int c) { (void)c; return i == 0 ? 0.5 : 0.0; }
static double impulse_at_441(int i, int c) { (void)c; return i == 441 ? 0.5 : 0.0; }
static double dc_quarter(int i, int c) { (void)i, (void)c; return 0.25; }
static double dc_eighth(int i, int c) { (void)i, (void)c; return 0.125; }
static double dc_half(int i, int c) { (void)i, (void)c; return 0.5; }
static double ramp(int i, int c) { (void)c; return i / 65536.0; }
static double two_levels(int i, int c) { (void)i; return c == 0 ? 0.25 : 0.5; }

static int argmax_abs(const float *x, int n, int stride, int ch)
{
    int best = 0;
    for (int i = 0; i < n; i++)
        if (fabsf(x[(size_t)i * stride + ch]) > fabsf(x[(size_t)best * stride + ch]))
            best = i;
    return best;
}

static void test_impulse_placement(void)
{
    const label_rate *rates = label_rates;
    static const int srates[] = {44100, 48000, 96000};
    for (size_t si = 0; si < sizeof srates / sizeof srates[0]; si++) {
        int sr = srates[si];
        write_wav("imp.wav", sr, 1, 64, impulse);
        for (size_t ri = 0; ri < LABEL_RATES; ri++) {
            char sep = rates[ri].drop ? ';' : ':';
            /* start 00:59:58, impulse at 01:00:07 frame 12 (crosses the hour, and
             * a drop-frame minute boundary) */
            int ff = rates[ri].nominal / 2;
            char script[1024];
            snprintf(script, sizeof script,
                     "session { rate = %d, fps = \"%s\", start = \"00:59:58%c00\", length = 12 }\n"
                     "local t = track \"T\" { channels = 1 }\n"
                     "t:clip { \"imp.wav\", at = \"01:00:07%c%02d\" }\n"
                     "output { \"out.wav\", from = t, format = \"wav32f\" }\n",
                     sr, rates[ri].fps, sep, sep, ff);
            char name[128];
            snprintf(name, sizeof name, "impulse at 01:00:07%c%02d, %s fps%s, %d Hz, lands on its sample", sep, ff,
                     rates[ri].fps, rates[ri].drop ? " DF" : "", sr);
            if (render(script, 1024) != 0) {
                check(0, name, "render failed");
                continue;
            }
            long long f0 = label_frames(0, 59, 58, 0, rates[ri].nominal, rates[ri].drop);
            long long f1 = label_frames(1, 0, 7, ff, rates[ri].nominal, rates[ri].drop);
            /* first sample of frame F: round(F * sr * den / num), exact in 128-bit-free
             * integer arithmetic for these magnitudes */
            long long s0 = (2 * f0 * sr * rates[ri].den + rates[ri].num) / (2LL * rates[ri].num);
            long long s1 = (2 * f1 * sr * rates[ri].den + rates[ri].num) / (2LL * rates[ri].num);
            int frames, ch;
            float *x = read_wav("out.wav", &frames, &ch);
            int at = x ? argmax_abs(x, frames, ch, 0) : -1;
            check(x && at == s1 - s0 && x[at] == 0.5f, name, "peak at %d (value %g), want %lld (value 0.5)", at,
                  x ? x[at > 0 ? at : 0] : 0.0, s1 - s0);
            free(x);
        }
    }
}

static void test_resampled_impulse(void)
{
    /* 44.1 kHz source at a 48 kHz session: the impulse at source frame 0 must
     * land on the clip's first sample; one at source frame 441 (10 ms) 480
     * samples later; with from = 5 ms the second lands 240 samples after `at`. */
    write_wav("imp441.wav", 44100, 1, 44100, impulse_at_441);
    write_wav("imp0.wav", 44100, 1, 44100, impulse);
    const char *script =
        "session { rate = 48000, fps = \"24\", start = \"01:00:00:00\", length = 3 }\n"
        "local a = track \"A\" { channels = 1 }\n"
        "a:clip { \"imp0.wav\", at = \"01:00:00:12\" }\n"
        "local b = track \"B\" { channels = 1 }\n"
        "b:clip { \"imp441.wav\", at = \"01:00:01:00\" }\n"
        "local c = track \"C\" { channels = 1 }\n"
        "c:clip { \"imp441.wav\", at = \"01:00:02:00\", from = 0.005 }\n"
        "output { \"a.wav\", from = a, format = \"wav32f\" }\n"
        "output { \"b.wav\", from = b, format = \"wav32f\" }\n"
        "output { \"c.wav\", from = c, format = \"wav32f\" }\n";
    int ok = render(script, 512) == 0;
    const char *outs[] = {"a.wav", "b.wav", "c.wav"};
    const int want[] = {24000, 48000 + 480, 96000 + 240};
    for (int i = 0; i < 3; i++) {
        int frames, ch;
        float *x = ok ? read_wav(outs[i], &frames, &ch) : NULL;
        int at = x ? argmax_abs(x, frames, ch, 0) : -1;
        char name[160];
        snprintf(name, sizeof name, "44.1 kHz impulse resampled to 48 kHz lands on sample %d (%s)", want[i], outs[i]);
        check(x && at == want[i], name, "peak at %d", at);
        if (x && i == 1) {
            /* the band-limited impulse keeps its area (DC gain 1): sum ~= 0.5 * 48000/44100
             * (the one 10 ms into its file, so its pre-ringing is inside the clip) */
            double sum = 0;
            for (int k = 0; k < frames; k++)
                sum += x[k];
            check_near(sum, 0.5 * 48000.0 / 44100.0, 1e-3, "resampled impulse keeps its DC gain (area)");
        }
        free(x);
    }
}

static void test_summing_and_gain(void)
{
    write_wav("q.wav", 48000, 1, 4800, dc_quarter);
    write_wav("e.wav", 48000, 1, 4800, dc_eighth);
    const char *script =
        "session { rate = 48000, length = 0.1 }\n"
        "local b = bus \"B\" { channels = 1 }\n"
        "track \"Q\" { to = b }:clip { \"q.wav\", at = 0 }\n"
        "track \"E\" { to = b }:clip { \"e.wav\", at = 0 }\n"
        "local g = bus \"G\" { channels = 1, gain = -6 }\n"
        "track \"Q2\" { to = g }:clip { \"q.wav\", at = 0, gain = -3 }\n"
        "output { \"sum.wav\", from = b, format = \"wav32f\" }\n"
        "output { \"gain.wav\", from = g, format = \"wav32f\" }\n";
    int ok = render(script, 256) == 0;
    int frames, ch;
    float *x = ok ? read_wav("sum.wav", &frames, &ch) : NULL;
    check(x && x[0] == 0.375f && x[4799] == 0.375f, "summing is plain summing: 0.25 + 0.125 = 0.375 exactly",
          "got %g", x ? x[0] : -1.0);
    free(x);
    x = ok ? read_wav("gain.wav", &frames, &ch) : NULL;
    double want = 0.25 * pow(10, -3 / 20.0) * pow(10, -6 / 20.0);
    check(x && fabs(x[100] - want) < 1e-6 * want, "clip gain -3 dB and bus fader -6 dB multiply: 0.25 x 10^(-9/20)",
          "got %.9g want %.9g", x ? x[100] : -1.0, want);
    free(x);
}

static void test_pan_laws(void)
{
    write_wav("h.wav", 48000, 1, 480, dc_half);
    write_wav("st.wav", 48000, 2, 480, two_levels);
    static const double pans[] = {-1, -0.5, 0, 0.3, 1};
    for (size_t i = 0; i < sizeof pans / sizeof pans[0]; i++) {
        char script[1024];
        snprintf(script, sizeof script,
                 "session { rate = 48000, length = 0.01 }\n"
                 "local m = bus \"M\"\n"
                 "track \"T\" { to = m, pan = %g }:clip { \"h.wav\", at = 0 }\n"
                 "local s = bus \"S\"\n"
                 "track \"U\" { to = s, pan = %g }:clip { \"st.wav\", at = 0 }\n"
                 "output { \"m.wav\", from = m, format = \"wav32f\" }\n"
                 "output { \"s.wav\", from = s, format = \"wav32f\" }\n",
                 pans[i], pans[i]);
        int ok = render(script, 128) == 0;
        double p = pans[i];
        double wl = 0.5 * cos((p + 1) * M_PI / 4), wr = 0.5 * sin((p + 1) * M_PI / 4);
        int frames, ch;
        float *x = ok ? read_wav("m.wav", &frames, &ch) : NULL;
        char name[160];
        snprintf(name, sizeof name, "mono pan %+.1f: L = cos((p+1)pi/4), R = sin((p+1)pi/4) (constant power)", p);
        check(x && fabs(x[0] - wl) < 1e-7 && fabs(x[1] - wr) < 1e-7, name, "got L %.8f R %.8f, want %.8f %.8f",
              x ? x[0] : 0, x ? x[1] : 0, wl, wr);
        if (x && p == 0)
            check_near(20 * log10(x[0] / 0.5), -3.0103, 0.0001, "mono pan centre is -3.01 dB per side");
        free(x);
        double bl = 0.25 * (p > 0 ? cos(p * M_PI / 2) : 1), br = 0.5 * (p < 0 ? cos(-p * M_PI / 2) : 1);
        x = ok ? read_wav("s.wav", &frames, &ch) : NULL;
        snprintf(name, sizeof name, "stereo balance %+.1f: far side x cos(|p| pi/2), near side unity", p);
        check(x && fabs(x[0] - bl) < 1e-7 && fabs(x[1] - br) < 1e-7, name, "got L %.8f R %.8f, want %.8f %.8f",
              x ? x[0] : 0, x ? x[1] : 0, bl, br);
        free(x);
    }
}

static double curve(const char *name, double t)
{
    if (strcmp(name, "linear") == 0) return t;
    if (strcmp(name, "equal_power") == 0) return sin(t * M_PI / 2);
    if (strcmp(name, "s_curve") == 0) return (1 - cos(M_PI * t)) / 2;
    return t * t; /* exponential */
}

static void test_fades(void)
{
    write_wav("h.wav", 48000, 1, 4800, dc_half);
    static const char *const curves[] = {"linear", "equal_power", "s_curve", "exponential"};
    for (int ci = 0; ci < 4; ci++) {
        char script[1024];
        /* 4800-sample clip, fade in 1000, fade out 480, at 0.05 s */
        snprintf(script, sizeof script,
                 "session { rate = 48000, length = 0.2 }\n"
                 "local t = track \"T\"\n"
                 "t:clip { \"h.wav\", at = 0.05, fade_in = \"1000smp\", fade_out = \"480smp\", curve = \"%s\" }\n"
                 "output { \"f.wav\", from = t, format = \"wav32f\" }\n",
                 curves[ci]);
        int ok = render(script, 333) == 0;
        int frames, ch;
        float *x = ok ? read_wav("f.wav", &frames, &ch) : NULL;
        double worst = x ? 0 : 1;
        for (int k = 0; x && k < 4800; k++) {
            double g = 0.5;
            if (k < 1000)
                g *= curve(curves[ci], k / 1000.0);
            if (k >= 4800 - 480)
                g *= curve(curves[ci], (4800 - k) / 480.0);
            double e = fabs(x[2400 + k] - g);
            worst = e > worst ? e : worst;
        }
        int outside = x && x[2399] == 0 && x[2400 + 4800] == 0;
        char name[160];
        snprintf(name, sizeof name, "fade curve %s follows its formula sample by sample (max error %.2g)", curves[ci],
                 worst);
        check(worst < 1e-7 && outside, name, "max error %g, silent outside the clip: %d", worst, outside);
        free(x);
    }
    /* an equal-power crossfade: fade-out of A over the fade-in of B keeps power */
    const char *xf =
        "session { rate = 48000, length = 0.25 }\n"
        "local t = track \"T\"\n"
        "t:clip { \"h.wav\", at = \"0smp\", length = \"4800smp\", fade_out = \"960smp\", curve = \"equal_power\" }\n"
        "t:clip { \"h.wav\", at = \"3840smp\", fade_in = \"960smp\", curve = \"equal_power\" }\n"
        "output { \"x.wav\", from = t, format = \"wav32f\" }\n";
    int ok = render(xf, 1000) == 0;
    int frames, ch;
    float *x = ok ? read_wav("x.wav", &frames, &ch) : NULL;
    double worst = x ? 0 : 1;
    for (int k = 3840; x && k < 4800; k++) {
        /* both clips carry 0.5: gains gA = cos(pi/2 * t), gB = sin(pi/2 * t), t = (k - 3840)/960 */
        double t = (k - 3840) / 960.0;
        double want = 0.5 * (cos(M_PI / 2 * t) + sin(M_PI / 2 * t));
        double e = fabs(x[k] - want);
        worst = e > worst ? e : worst;
    }
    check(worst < 1e-6, "overlapping clips on a track sum: equal-power crossfade = 0.5 (cos + sin)", "max error %g",
          worst);
    free(x);
}

static void test_offsets_channels_mute_solo(void)
{
    write_wav("ramp.wav", 48000, 1, 48000, ramp);
    write_wav("st.wav", 48000, 2, 480, two_levels);
    write_wav("q.wav", 48000, 1, 4800, dc_quarter);
    write_wav("e.wav", 48000, 1, 4800, dc_eighth);
    const char *script =
        "session { rate = 48000, length = 0.05 }\n"
        "local r = track \"R\"\n"
        "r:clip { \"ramp.wav\", at = \"100smp\", from = \"1000smp\", length = \"500smp\" }\n"
        "local c = track \"C\" { channels = 1 }\n"
        "c:clip { \"st.wav\", at = 0, channel = 2 }\n"
        "local m = bus \"M\" { channels = 1 }\n"
        "track \"Q\" { to = m, mute = true }:clip { \"q.wav\", at = 0 }\n"
        "track \"E\" { to = m }:clip { \"e.wav\", at = 0 }\n"
        "output { \"r.wav\", from = r, format = \"wav32f\" }\n"
        "output { \"c.wav\", from = c, format = \"wav32f\" }\n"
        "output { \"m.wav\", from = m, format = \"wav32f\" }\n";
    /* solo affects the whole session, so it gets a session of its own */
    const char *solo =
        "session { rate = 48000, length = 0.05 }\n"
        "local s = bus \"S\" { channels = 1 }\n"
        "track \"Q3\" { to = s, solo = true }:clip { \"q.wav\", at = 0 }\n"
        "track \"E3\" { to = s }:clip { \"e.wav\", at = 0 }\n"
        "output { \"s.wav\", from = s, format = \"wav32f\" }\n";
    int ok = render(script, 64) == 0;
    int frames, ch;
    float *x = ok ? read_wav("r.wav", &frames, &ch) : NULL;
    check(x && x[99] == 0 && x[100] == 1000 / 65536.0f && x[599] == 1499 / 65536.0f && x[600] == 0,
          "source offset: from = 1000 smp puts source sample 1000 at `at`, length 500 ends it", "got %g %g %g %g",
          x ? x[99] : -1, x ? x[100] * 65536 : -1, x ? x[599] * 65536 : -1, x ? x[600] : -1);
    free(x);
    x = ok ? read_wav("c.wav", &frames, &ch) : NULL;
    check(x && ch == 1 && x[10] == 0.5f, "channel = 2 picks the second channel of a stereo file", "got %g",
          x ? x[10] : -1);
    free(x);
    x = ok ? read_wav("m.wav", &frames, &ch) : NULL;
    check(x && x[10] == 0.125f, "a muted track is silent (bus carries only the other track)", "got %g",
          x ? x[10] : -1);
    free(x);
    ok = render(solo, 64) == 0;
    x = ok ? read_wav("s.wav", &frames, &ch) : NULL;
    check(x && x[10] == 0.25f, "solo: only the soloed track sounds", "got %g", x ? x[10] : -1);
    free(x);
}

static double sine441(int i, int c) { (void)c; return 0.5 * sin(2 * M_PI * 1000.0 * i / 44100.0); }

/* A 1 kHz sine in a 44.1 kHz file, rendered in a 48 kHz session: THD+N of
 * the output below -100 dB. Measured by least-squares fitting a 1 kHz sine
 * (amplitude and phase) to 2 s of steady output and taking the residual. */
static void test_resampled_sine_thdn(void)
{
    write_wav("sine441.wav", 44100, 1, 44100 * 4, sine441);
    const char *script =
        "session { rate = 48000, length = 4 }\n"
        "local t = track \"T\"\n"
        "t:clip { \"sine441.wav\", at = 0 }\n"
        "output { \"s.wav\", from = t, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 1024) == 0 ? read_wav("s.wav", &frames, &ch) : NULL;
    if (!check(x && frames == 192000, "44.1 kHz sine renders at 48 kHz", "frames %d", frames)) {
        free(x);
        return;
    }
    int k0 = 48000, k1 = 144000;
    double a, b;
    sine_fit(x, k0, k1 - k0, 1000.0, 48000.0, &a, &b);
    double res = 0, sig = 0;
    for (int k = k0; k < k1; k++) {
        double fit = a * cos(2 * M_PI * 1000.0 * k / 48000.0) + b * sin(2 * M_PI * 1000.0 * k / 48000.0);
        res += (x[k] - fit) * (x[k] - fit);
        sig += fit * fit;
    }
    double thdn = 10 * log10(res / sig);
    char name[160];
    snprintf(name, sizeof name, "1 kHz sine at 44.1 kHz rendered at 48 kHz: THD+N %.1f dB (limit -100), amplitude %.6f",
             thdn, hypot(a, b));
    check(thdn < -100 && fabs(hypot(a, b) - 0.5) < 1e-4, name, "THD+N %.1f dB", thdn);
    free(x);
}

int main(void)
{
    if (scratch_open("test-render") != 0)
        return 2;
    test_impulse_placement();
    test_resampled_impulse();
    test_resampled_sine_thdn();
    test_summing_and_gain();
    test_pan_laws();
    test_fades();
    test_offsets_channels_mute_solo();
    scratch_close();
    return check_exit();
}
