/* test_inserts.c - inserts end to end. EQ: levels through a rendered EQ
 * against the analogue prototypes mapped by the bilinear transform (formulas
 * written out here), coefficient updates at the sample of a move, block-size
 * independence of a moving EQ. Dynamics: a compressor keyed from another bus
 * reduces by the static curve's amount, a key that closes a loop is an
 * error. The script's error messages for both. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

static double freq_hz;
static double sine(int i, int c) { (void)c; return 0.25 * sin(2 * M_PI * freq_hz * i / 48000.0); }

/* RMS level in dB of x[from, from + n) */
static double rms_db(const float *x, int from, int n)
{
    double acc = 0;
    for (int i = from; i < from + n; i++)
        acc += (double)x[i] * x[i];
    return 10 * log10(acc / n);
}

/* gain in dB a rendered EQ gives a sine of frequency f, over whole cycles */
static double measured_gain(const char *eq, double f)
{
    char script[1024];
    freq_hz = f;
    write_wav("sine.wav", 48000, 1, 48000 * 2, sine);
    snprintf(script, sizeof script,
             "session { rate = 48000, length = 2 }\n"
             "local t = track \"T\" { channels = 1 }\n"
             "t:clip { \"sine.wav\", at = 0 }\n"
             "t:eq %s\n"
             "output { \"out.wav\", from = t, format = \"wav32f\" }\n", eq);
    int frames = 0, ch = 0;
    float *x = render(script, 512) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    if (!x)
        return NAN;
    /* one second from 0.5 s: a whole number of cycles for these frequencies */
    double g = rms_db(x, 24000, 48000) - 20 * log10(0.25 / sqrt(2));
    free(x);
    return g;
}

static void test_levels(void)
{
    /* peaking: exactly its gain at f0 (the bilinear map is prewarped at f0) */
    check_near(measured_gain("{ \"peak\", freq = 1000, gain = 6, q = 1.4 }", 1000), 6.0, 0.01,
               "peak +6 dB at 1 kHz: +6.00 dB at 1 kHz");
    check_near(measured_gain("{ \"peak\", freq = 250, gain = -9, q = 0.7 }", 250), -9.0, 0.01,
               "peak -9 dB at 250 Hz: -9.00 dB at 250 Hz");
    /* shelves: half their gain at f0 */
    check_near(measured_gain("{ \"highshelf\", freq = 4000, gain = 8 }", 4000), 4.0, 0.01,
               "high shelf +8 dB: +4.00 dB at its corner");
    /* Butterworth high-pass of order N: |H|^2 = 1 / (1 + W^-2N), W = tan(pi f/fs) / tan(pi fc/fs) */
    for (int order = 1; order <= 6; order++) {
        double w = tan(M_PI * 40 / 48000.0) / tan(M_PI * 80 / 48000.0);
        double want = -10 * log10(1 + pow(w, -2.0 * order));
        char eq[120], name[160];
        snprintf(eq, sizeof eq, "{ \"highpass\", freq = 80, order = %d }", order);
        snprintf(name, sizeof name, "highpass 80 Hz order %d at 40 Hz: %.2f dB (Butterworth)", order, want);
        check_near(measured_gain(eq, 40), want, 0.02, name);
    }
    check_near(measured_gain("{ \"lowpass\", freq = 1000 }", 1000), -3.0103, 0.01,
               "lowpass 1 kHz (q 0.707): -3.01 dB at 1 kHz");
}

static void test_move_at_its_sample(void)
{
    /* a step of an EQ's gain at sample 30017 (not a multiple of the grid):
     * identical to the static EQ before it, different from that sample on */
    freq_hz = 1000;
    write_wav("sine.wav", 48000, 1, 48000 * 2, sine);
    const char *base =
        "session { rate = 48000, length = 1 }\n"
        "local t = track \"T\" { channels = 1 }\n"
        "t:clip { \"sine.wav\", at = 0 }\n"
        "local e = t:eq { \"peak\", freq = 1000, gain = 6 }\n"
        "%s\n"
        "output { \"out.wav\", from = t, format = \"wav32f\" }\n";
    char script[1024];
    snprintf(script, sizeof script, base, "");
    int frames = 0, ch = 0;
    float *a = render(script, 256) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    snprintf(script, sizeof script, base, "e.gain:set { at = \"30017smp\", to = -6 }");
    float *b = render(script, 256) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    check(a && b && memcmp(a, b, 30017 * sizeof *a) == 0 && a[30017] != b[30017],
          "an EQ gain step takes effect on exactly its sample (30017), not on the next grid knot",
          "first difference elsewhere");
    free(a);
    free(b);
}

static void test_moving_eq_block_independent(void)
{
    freq_hz = 440;
    write_wav("sine.wav", 48000, 2, 48000, sine);
    const char *script =
        "session { rate = 48000, length = 1 }\n"
        "local t = track \"T\" { channels = 2 }\n"
        "t:clip { \"sine.wav\", at = 0 }\n"
        "local e = t:eq { \"peak\", freq = 200, gain = 9, q = 2 }\n"
        "e.freq:ramp { at = 0.1, to = 8000, over = 0.6, shape = \"exponential\" }\n"
        "e.gain:curve { at = 0.2, over = 0.5, values = { 9, -12, 3, 0 } }\n"
        "e.q:target { at = \"12345smp\", to = 0.5, tau = 0.05 }\n"
        "local h = t:eq { \"highpass\", freq = 30, order = 3 }\n"
        "h.freq:ramp { at = 0.3, to = 300, over = 0.2 }\n"
        "output { \"out.wav\", from = t, format = \"wav32f\" }\n";
    static const int blocks[] = {1, 64, 4096, 1000};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "out.wav", blocks, 4, "moving EQ", &frames, &ch);
    check(first != NULL, "a moving EQ (freq sweep, gain curve, q target, Butterworth sweep) renders", "failed");
    free(first);
}

static void expect_error(const char *eq, const char *want, const char *name)
{
    char script[1024], path[512], err[DS_ERR_LEN] = "";
    freq_hz = 1000;
    write_wav("sine.wav", 48000, 1, 4800, sine);
    snprintf(script, sizeof script,
             "session { rate = 48000 }\nlocal t = track \"T\"\nt:clip { \"sine.wav\", at = 0 }\nt:eq %s\n", eq);
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    ds_result r = vm_script_load(path, &so, &d, err);
    vm_desc_free(&d);
    check(r != DS_OK && strstr(err, want) && strstr(err, "mix.lua:4:"), name, "message: %s", err);
}

static void test_errors(void)
{
    expect_error("{ \"peek\", freq = 1000 }", "did you mean 'peak'", "unknown filter type suggests the closest");
    expect_error("{ \"peak\", freq = 1000, gian = 3 }", "did you mean 'gain'", "unknown eq option suggests the closest");
    expect_error("{ \"peak\", freq = 5, gain = 3 }", "10 to 40000", "freq out of range names the range");
    expect_error("{ \"highpass\", freq = 80, order = 4, q = 2 }", "q does not apply", "q on a Butterworth is refused");
    expect_error("{ \"highpass\", freq = 80, gain = 3 }", "gain applies to peak", "gain on a highpass is refused");
    expect_error("{ \"peak\", freq = 1000, gain = 40 }", "-30 to 30", "eq gain out of range names the range");
}

static double sine2(int i, int c) { (void)c; return 0.5 * sin(2 * M_PI * 300.0 * i / 48000.0); }

static void test_keyed_compressor(void)
{
    /* music: a steady 1 kHz sine at -20 dBFS peak on MX; key: a 300 Hz sine
     * at -6 dBFS peak (0.5) on DX from 1 s to 3 s. Compressor on MX, peak
     * detector, threshold -30 dB, ratio 4, no knee, keyed from DX: while the
     * key plays, reduction = (1/4 - 1) (-6 - (-30)) = -18 dB; before and
     * after, none. Written out here, not taken from dsp/dynamics.c. */
    freq_hz = 1000;
    write_wav("music.wav", 48000, 1, 48000 * 5, sine);       /* 0.25 peak = -12 dBFS */
    write_wav("voice.wav", 48000, 1, 48000 * 2, sine2);      /* 0.5 peak = -6 dBFS */
    const char *script =
        "session { rate = 48000, length = 5 }\n"
        "local pm = bus \"PM\" { channels = 1 }\n"
        "local dx = bus \"DX\" { channels = 1, to = pm }\n"
        "local mx = bus \"MX\" { channels = 1, to = pm }\n"
        "track \"V\" { to = dx }:clip { \"voice.wav\", at = 1 }\n"
        "track \"M\" { to = mx }:clip { \"music.wav\", at = 0 }\n"
        "mx:compressor { threshold = -30, ratio = 4, knee = 0, attack = 0.005, release = 0.05, hold = 0.01, key = dx }\n"
        "output { \"mx.wav\", from = mx, format = \"wav32f\" }\n";
    static const int blocks[] = {1024, 1, 4096};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "mx.wav", blocks, 3, "keyed compressor", &frames, &ch);
    if (!check(first != NULL, "keyed compressor renders", "failed"))
        return;
    double before = rms_db(first, 24000, 19200), during = rms_db(first, 96000, 48000),
           after = rms_db(first, 192000, 48000), dry = 20 * log10(0.25 / sqrt(2));
    check_near(before - dry, 0.0, 0.01, "compressor keyed from DX: no reduction before the line");
    check_near(during - dry, -18.0, 0.1, "compressor keyed from DX: -18 dB during the line (static curve)");
    check_near(after - dry, 0.0, 0.01, "compressor keyed from DX: back to 0 dB after the line");
    free(first);
}

static void test_limiter_latency_compensated(void)
{
    /* one track into bus A (a limiter that never has to act: the material
     * peaks at -6 dBFS, the ceiling is 0 dBTP) and into bus B (dry); both
     * into PM. With the look-ahead compensated, A's file equals B's bit for
     * bit, and PM is exactly twice B (the parallel paths are aligned). */
    freq_hz = 997;
    write_wav("music.wav", 48000, 2, 48000 * 2, sine);
    const char *script =
        "session { rate = 48000, length = 2 }\n"
        "local pm = bus \"PM\"\n"
        "local a = bus \"A\" { to = pm }\n"
        "local b = bus \"B\" { to = pm }\n"
        "track \"T\" { to = { a, b } }:clip { \"music.wav\", at = 0 }\n"
        "a:limiter { ceiling = 0, lookahead = 0.005, release = 0.05 }\n"
        "output { \"a.wav\", from = a, format = \"wav32f\" }\n"
        "output { \"b.wav\", from = b, format = \"wav32f\" }\n"
        "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n";
    static const int blocks[] = {1024, 1, 240};
    for (int bi = 0; bi < 3; bi++) {
        int fa = 0, fb = 0, fp = 0, ch = 0;
        int ok = render(script, blocks[bi]) == 0;
        float *xa = ok ? read_wav("a.wav", &fa, &ch) : NULL;
        float *xb = ok ? read_wav("b.wav", &fb, &ch) : NULL;
        float *xp = ok ? read_wav("pm.wav", &fp, &ch) : NULL;
        int same = xa && xb && fa == 96000 && fb == 96000 && memcmp(xa, xb, (size_t)fa * 2 * sizeof *xa) == 0;
        int doubled = xp && xb && fp == fb;
        for (int k = 0; doubled && k < fb * 2; k++)
            doubled = xp[k] == xb[k] + xb[k];
        double worst = 0;
        for (int k = 0; xa && xb && k < fa * 2 && k < fb * 2; k++)
            worst = fabs(xa[k] - xb[k]) > worst ? fabs(xa[k] - xb[k]) : worst;
        char name[200];
        snprintf(name, sizeof name, "--block %d: a limiter at unity nulls against the dry path after compensation "
                 "(residual %s)", blocks[bi], worst == 0 ? "exactly 0, below -120 dB" : "nonzero");
        check(same, name, "frames %d/%d, worst difference %g", fa, fb, worst);
        snprintf(name, sizeof name, "--block %d: limited and dry paths summed in PM are aligned (PM = 2 x dry)",
                 blocks[bi]);
        check(doubled, name, "PM is not exactly twice the dry path");
        free(xa);
        free(xb);
        free(xp);
    }
}

static void test_batched_eq_same_bits(void)
{
    /* Tracks with the same static EQ chain are filtered side by side in one
     * multi-channel op; a set that re-states the same frequency makes each
     * track's EQ a separate op. The two renders must be the same bytes. */
    freq_hz = 440;
    write_wav("m.wav", 48000, 1, 48000, sine);
    write_wav("s.wav", 48000, 2, 48000, sine);
    const char *base =
        "session { rate = 48000, length = 1 }\n"
        "local pm = bus \"PM\"\n"
        "for i = 1, 6 do\n"
        "  local t = track(\"T\" .. i) { to = pm, gain = -i, pan = i / 10 }\n"
        "  t:clip { i %% 2 == 0 and \"m.wav\" or \"s.wav\", at = i / 100 }\n"
        "  local h = t:eq { \"highpass\", freq = 100 }\n"
        "  t:eq { \"peak\", freq = 440, gain = 6, q = 2 }\n"
        "  %s\n"
        "end\n"
        "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n";
    char script[2048];
    int fa = 0, fb = 0, ch = 0;
    snprintf(script, sizeof script, base, "");
    float *a = render(script, 256) == 0 ? read_wav("pm.wav", &fa, &ch) : NULL;
    snprintf(script, sizeof script, base, "h.freq:set { at = 0, to = 100 }");
    float *b = render(script, 256) == 0 ? read_wav("pm.wav", &fb, &ch) : NULL;
    check(a && b && fa == fb && memcmp(a, b, (size_t)fa * 2 * sizeof *a) == 0,
          "EQ of 6 tracks filtered side by side gives the same bytes as track by track", "outputs differ");
    free(a);
    free(b);
}

/* hits: a noise burst decaying with tau 60 ms every 0.5 s from 0.25 s */
static double hits(int i, int c)
{
    (void)c;
    double t = i / 48000.0 - 0.25;
    if (t < 0)
        return 0;
    double in = fmod(t, 0.5);
    unsigned u = (unsigned)i * 1103515245u + 12345u;
    double noise = ((u >> 8) & 0xffff) / 32768.0 - 1.0;
    return 0.5 * noise * exp(-in / 0.06);
}

static double peak_db(const float *x, int from, int n)
{
    double p = 0;
    for (int k = from; k < from + n; k++)
        p = fabs(x[k]) > p ? fabs(x[k]) : p;
    return 20 * log10(p);
}

static void test_transient_shaper(void)
{
    write_wav("hits.wav", 48000, 1, 48000 * 3, hits);
    const char *base =
        "session { rate = 48000, length = 3 }\n"
        "local t = track \"T\" { channels = 1 }\n"
        "t:clip { \"hits.wav\", at = 0 }\n"
        "%s\n"
        "output { \"o.wav\", from = t, format = \"wav32f\" }\n";
    char script[1024];
    int f0 = 0, f1 = 0, f2 = 0, ch = 0;
    snprintf(script, sizeof script, base, "");
    float *dry = render(script, 512) == 0 ? read_wav("o.wav", &f0, &ch) : NULL;
    snprintf(script, sizeof script, base, "t:transient { attack = 6 }");
    float *att = render(script, 512) == 0 ? read_wav("o.wav", &f1, &ch) : NULL;
    snprintf(script, sizeof script, base, "t:transient { sustain = -6 }");
    float *sus = render(script, 512) == 0 ? read_wav("o.wav", &f2, &ch) : NULL;
    if (!check(dry && att && sus, "transient shaper renders", "failed")) {
        free(dry), free(att), free(sus);
        return;
    }
    int hit = (int)(1.25 * 48000); /* the third hit: the followers have seen two */
    double onset_gain = peak_db(att, hit, 96) - peak_db(dry, hit, 96);
    double tail_gain = rms_db(att, hit + 9600, 4800) - rms_db(dry, hit + 9600, 4800);
    char name[200];
    snprintf(name, sizeof name, "attack +6: the first 2 ms of a hit come out %+.2f dB (more than +3)", onset_gain);
    check(onset_gain > 3, name, "%.2f dB", onset_gain);
    snprintf(name, sizeof name, "attack +6: the decay 200-300 ms later moves %+.2f dB (less than 1)", tail_gain);
    check(fabs(tail_gain) < 1, name, "%.2f dB", tail_gain);
    double s_onset = peak_db(sus, hit, 96) - peak_db(dry, hit, 96);
    double s_tail = rms_db(sus, hit + 4800, 9600) - rms_db(dry, hit + 4800, 9600);
    snprintf(name, sizeof name, "sustain -6: the tail 100-300 ms after a hit comes out %+.2f dB (below -2)", s_tail);
    check(s_tail < -2, name, "%.2f dB", s_tail);
    snprintf(name, sizeof name, "sustain -6: the hit's first 2 ms move %+.2f dB (less than 1)", s_onset);
    check(fabs(s_onset) < 1, name, "%.2f dB", s_onset);
    float *b1 = render(script, 1) == 0 ? read_wav("o.wav", &f2, &ch) : NULL;
    check(b1 && memcmp(b1, sus, (size_t)f2 * sizeof *b1) == 0, "transient shaper at --block 1 = --block 512",
          "differs");
    free(b1);
    free(dry), free(att), free(sus);
    /* a steady sine is left alone */
    freq_hz = 1000;
    write_wav("sine.wav", 48000, 1, 48000 * 2, sine);
    snprintf(script, sizeof script,
             "session { rate = 48000, length = 2 }\nlocal t = track \"T\" { channels = 1 }\n"
             "t:clip { \"sine.wav\", at = 0 }\nt:transient { attack = 12, sustain = -12 }\n"
             "output { \"o.wav\", from = t, format = \"wav32f\" }\n");
    float *x = render(script, 512) == 0 ? read_wav("o.wav", &f0, &ch) : NULL;
    double g = x ? rms_db(x, 48000, 48000) - 20 * log10(0.25 / sqrt(2)) : 99;
    snprintf(name, sizeof name, "a steady 1 kHz tone through attack +12 / sustain -12 moves %+.2f dB (less than 0.3)",
             g);
    check(fabs(g) < 0.3, name, "%.2f dB", g);
    free(x);
}

static double rumble(int i, int c) { (void)c; return 0.5 * sin(2 * M_PI * 60.0 * i / 48000.0); }

static void test_key_filter(void)
{
    /* the key is 60 Hz rumble at -6 dBFS: it compresses the music through a
     * plain key (-18 dB, as in test_keyed_compressor), but a key filtered to
     * the speech band (300-3000 Hz, 12 dB/octave each side: the rumble comes
     * out about 28 dB lower, under the -30 dB threshold) leaves it alone */
    freq_hz = 1000;
    write_wav("music.wav", 48000, 1, 48000 * 3, sine);
    write_wav("rumble.wav", 48000, 1, 48000 * 3, rumble);
    const char *base =
        "session { rate = 48000, length = 3 }\n"
        "local dx = bus \"DX\" { channels = 1 }\n"
        "local mx = bus \"MX\" { channels = 1 }\n"
        "track \"V\" { to = dx }:clip { \"rumble.wav\", at = 0 }\n"
        "track \"M\" { to = mx }:clip { \"music.wav\", at = 0 }\n"
        "mx:compressor { threshold = -30, ratio = 4, attack = 0.005, release = 0.05, hold = 0.02, key = dx %s }\n"
        "output { \"mx.wav\", from = mx, format = \"wav32f\" }\n"
        "output { \"dx.wav\", from = dx, format = \"wav32f\" }\n";
    char script[1024];
    int f = 0, ch = 0;
    double dry = 20 * log10(0.25 / sqrt(2));
    snprintf(script, sizeof script, base, "");
    float *a = render(script, 512) == 0 ? read_wav("mx.wav", &f, &ch) : NULL;
    double ga = a ? rms_db(a, 48000, 48000) - dry : 99;
    snprintf(script, sizeof script, base, ", key_filter = { 300, 3000 }");
    float *b = render(script, 512) == 0 ? read_wav("mx.wav", &f, &ch) : NULL;
    double gb = b ? rms_db(b, 48000, 48000) - dry : 99;
    char name[200];
    snprintf(name, sizeof name, "60 Hz rumble on a plain key compresses the music (%.2f dB)", ga);
    check(ga < -10, name, "%.2f dB", ga);
    snprintf(name, sizeof name, "the same rumble through key_filter = { 300, 3000 } does not (%.2f dB)", gb);
    check(fabs(gb) < 0.1, name, "%.2f dB", gb);
    free(a);
    free(b);
}

static void test_key_aligned_after_lookahead(void)
{
    /* MX: a limiter that never acts (a -12 dBFS sine, ceiling 0 dBTP) makes
     * the music 5 ms late before its DX-keyed compressor; the key is delayed
     * to match, so MX comes out the same bytes as without the limiter. */
    freq_hz = 1000;
    write_wav("music.wav", 48000, 1, 48000 * 5, sine);
    write_wav("voice.wav", 48000, 1, 48000 * 2, sine2);
    const char *base =
        "session { rate = 48000, length = 5 }\n"
        "local dx = bus \"DX\" { channels = 1 }\n"
        "local mx = bus \"MX\" { channels = 1 }\n"
        "track \"V\" { to = dx }:clip { \"voice.wav\", at = 1 }\n"
        "track \"M\" { to = mx }:clip { \"music.wav\", at = 0 }\n"
        "%s\n"
        "mx:compressor { threshold = -30, ratio = 4, attack = 0.005, release = 0.05, key = dx }\n"
        "output { \"mx.wav\", from = mx, format = \"wav32f\" }\n"
        "output { \"dx.wav\", from = dx, format = \"wav32f\" }\n";
    char script[1024];
    int fa = 0, fb = 0, ch = 0;
    snprintf(script, sizeof script, base, "");
    float *a = render(script, 512) == 0 ? read_wav("mx.wav", &fa, &ch) : NULL;
    snprintf(script, sizeof script, base, "mx:limiter { ceiling = 0 }");
    float *b = render(script, 512) == 0 ? read_wav("mx.wav", &fb, &ch) : NULL;
    check(a && b && fa == fb && memcmp(a, b, (size_t)fa * sizeof *a) == 0,
          "a key is delayed to meet audio made late by a look-ahead limiter (same bytes as without the limiter)",
          "outputs differ");
    free(a);
    free(b);
}

static void expect_script_error(const char *body, const char *want, const char *name)
{
    char path[512], err[DS_ERR_LEN] = "";
    write_script(body, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    ds_result r = vm_script_load(path, &so, &d, err);
    if (r == DS_OK)
        r = vm_compile(&d, 256, &p, err);
    vm_plan_free(&p);
    vm_desc_free(&d);
    check(r != DS_OK && strstr(err, want), name, "message: %s", err);
}

static void test_dynamics_errors(void)
{
    expect_script_error("local a = bus \"A\"\na:compressor { ratio = 0.5 }\n", "ratio = 0.5 is out of range",
                        "compressor ratio below 1 names the parameter and range");
    expect_script_error("local a = bus \"A\"\na:gate { attack = -1 }\n", "attack = -1",
                        "negative attack is refused with its range");
    expect_script_error("local a = bus \"A\"\nlocal b = bus \"B\" { to = a }\nb:compressor { key = a }\n",
                        "routing loop: bus 'B' -> bus 'A' -> bus 'B'", "a key that closes a loop names the loop");
    expect_script_error("local a = bus \"A\"\na:compressor { key = 3 }\n", "key must be a track or bus",
                        "a key that is not a strip is refused");
    expect_script_error("local a = bus \"A\"\na:compressor { ratoi = 2 }\n", "did you mean 'ratio'",
                        "unknown compressor option suggests the closest");
}

int main(void)
{
    if (scratch_open("test-inserts") != 0)
        return 2;
    test_levels();
    test_move_at_its_sample();
    test_moving_eq_block_independent();
    test_errors();
    test_keyed_compressor();
    test_dynamics_errors();
    test_limiter_latency_compensated();
    test_batched_eq_same_bits();
    test_transient_shaper();
    test_key_filter();
    test_key_aligned_after_lookahead();
    expect_script_error("local a = bus \"A\"\na:limiter { ceiling = 3 }\n", "ceiling = 3",
                        "a limiter ceiling above 0 dBTP is refused with its range");
    scratch_close();
    return check_exit();
}
