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
#include "vm/automation.h"
#include "dsp/truepeak.h"

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
    char lines[1024];
    freq_hz = f;
    write_wav("sine.wav", 48000, 1, 48000 * 2, sine);
    snprintf(lines, sizeof lines, "t:eq %s\n", eq);
    int frames = 0, ch = 0;
    float *x = render_track_script(2, 1, "sine.wav", lines, 512, &frames, &ch);
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
    const char *eq = "local e = t:eq { \"peak\", freq = 1000, gain = 6 }\n";
    char lines[1024];
    snprintf(lines, sizeof lines, "%se.gain:set { at = \"30017smp\", to = -6 }\n", eq);
    int frames = 0, ch = 0;
    float *a = render_track_script(1, 1, "sine.wav", eq, 256, &frames, &ch);
    float *b = render_track_script(1, 1, "sine.wav", lines, 256, &frames, &ch);
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
    char script[2048];
    track_script(script, sizeof script, 1, 2, "sine.wav",
                 "local e = t:eq { \"peak\", freq = 200, gain = 9, q = 2 }\n"
                 "e.freq:ramp { at = 0.1, to = 8000, over = 0.6, shape = \"exponential\" }\n"
                 "e.gain:curve { at = 0.2, over = 0.5, values = { 9, -12, 3, 0 } }\n"
                 "e.q:target { at = \"12345smp\", to = 0.5, tau = 0.05 }\n"
                 "local h = t:eq { \"highpass\", freq = 30, order = 3 }\n"
                 "h.freq:ramp { at = 0.3, to = 300, over = 0.2 }\n");
    static const int blocks[] = {1, 64, 4096, 1000};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "o.wav", blocks, 4, "moving EQ", &frames, &ch);
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
     * multi-channel op; a set that re-states the same frequency of the last
     * EQ makes each track's EQs separate ops. The two renders must be the
     * same bytes. (The set is on the third EQ: the first two stay a pair,
     * in double between them, either way; a set on one of them would break
     * the pair, docs/language.md.) */
    freq_hz = 440;
    write_wav("m.wav", 48000, 1, 48000, sine);
    write_wav("s.wav", 48000, 2, 48000, sine);
    const char *base =
        "session { rate = 48000, length = 1 }\n"
        "local pm = bus \"PM\"\n"
        "for i = 1, 6 do\n"
        "  local t = track(\"T\" .. i) { to = pm, gain = -i, pan = i / 10 }\n"
        "  t:clip { i %% 2 == 0 and \"m.wav\" or \"s.wav\", at = i / 100 }\n"
        "  t:eq { \"highpass\", freq = 100 }\n"
        "  t:eq { \"peak\", freq = 440, gain = 6, q = 2 }\n"
        "  local e = t:eq { \"lowshelf\", freq = 200, gain = -2 }\n"
        "  %s\n"
        "end\n"
        "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n";
    char script[2048];
    int fa = 0, fb = 0, ch = 0;
    snprintf(script, sizeof script, base, "");
    float *a = render(script, 256) == 0 ? read_wav("pm.wav", &fa, &ch) : NULL;
    snprintf(script, sizeof script, base, "e.freq:set { at = 0, to = 200 }");
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
    int f0 = 0, f1 = 0, f2 = 0, ch = 0;
    float *dry = render_track_script(3, 1, "hits.wav", "", 512, &f0, &ch);
    float *att = render_track_script(3, 1, "hits.wav", "t:transient { attack = 6 }\n", 512, &f1, &ch);
    float *sus = render_track_script(3, 1, "hits.wav", "t:transient { sustain = -6 }\n", 512, &f2, &ch);
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
    float *b1 = render_track_script(3, 1, "hits.wav", "t:transient { sustain = -6 }\n", 1, &f2, &ch);
    check(b1 && memcmp(b1, sus, (size_t)f2 * sizeof *b1) == 0, "transient shaper at --block 1 = --block 512",
          "differs");
    free(b1);
    free(dry), free(att), free(sus);
    /* a steady sine is left alone */
    freq_hz = 1000;
    write_wav("sine.wav", 48000, 1, 48000 * 2, sine);
    float *x = render_track_script(2, 1, "sine.wav", "t:transient { attack = 12, sustain = -12 }\n", 512, &f0, &ch);
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
    /* the key filter's order: a 2 kHz key at -6 dBFS (peak) through
     * key_filter = { 5000, 9000 } (a 0.25 sine, +6 dB on its fader): 2nd order (the default) lets it through
     * the high-pass at 10 log10(1 + W^-4) down, W = tan(pi 2000 / 48000) /
     * tan(pi 5000 / 48000) (the prewarped Butterworth), -16 dB: over the
     * -30 dB threshold, the 4:1 compressor takes (1/4 - 1)(level - threshold)
     * off the music, within 0.5 dB; at order = 8 it is 10 log10(1 + W^-16)
     * down (-64 dB) and the music passes within 0.1 dB */
    freq_hz = 2000;
    write_wav("key2k.wav", 48000, 1, 48000 * 3, sine);
    const char *base2 =
        "session { rate = 48000, length = 3 }\n"
        "local dx = bus \"DX\" { channels = 1 }\n"
        "local mx = bus \"MX\" { channels = 1 }\n"
        "track \"V\" { to = dx, gain = 6 }:clip { \"key2k.wav\", at = 0 }\n"
        "track \"M\" { to = mx }:clip { \"music.wav\", at = 0 }\n"
        "mx:compressor { threshold = -30, ratio = 4, attack = 0.0001, release = 0.5, key = dx, key_filter = %s }\n"
        "output { \"mx.wav\", from = mx, format = \"wav32f\" }\n";
    double w = tan(M_PI * 2000 / 48000) / tan(M_PI * 5000 / 48000);
    double level = 20 * log10(0.25) + 6 - 10 * log10(1 + pow(w, -4)); /* the sine's peak, the fader */
    double want = (1.0 / 4 - 1) * (level + 30);
    snprintf(script, sizeof script, base2, "{ 5000, 9000 }");
    float *c2 = render(script, 512) == 0 ? read_wav("mx.wav", &f, &ch) : NULL;
    double g2 = c2 ? rms_db(c2, 96000, 48000) - dry : 99; /* the last second: the onset released */
    snprintf(name, sizeof name, "a 2 kHz key through key_filter = { 5000, 9000 } (order 2) compresses by %.2f dB "
             "(the Butterworth response says %.2f)", g2, want);
    check(fabs(g2 - want) < 0.5, name, "%.2f dB", g2);
    snprintf(script, sizeof script, base2, "{ 5000, 9000, order = 8 }");
    float *c8 = render(script, 512) == 0 ? read_wav("mx.wav", &f, &ch) : NULL;
    double g8 = c8 ? rms_db(c8, 96000, 48000) - dry : 99;
    snprintf(name, sizeof name, "the same key through order = 8 (%.0f dB down) leaves the music alone (%.3f dB)",
             -10 * log10(1 + pow(w, -16)), g8);
    check(fabs(g8) < 0.1, name, "%.3f dB", g8);
    free(c2);
    free(c8);
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
    char err[DS_ERR_LEN] = "";
    ds_result r = load_and_compile(body, err);
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

/* ---- automated dynamics ----------------------------------------------------
 * The static curve is written out here from docs/language.md ("Dynamics
 * inserts"), not taken from dsp/dynamics.c: d = level - threshold, W =
 * knee, R = ratio; 0 below the knee, (1/R - 1)(d + W/2)^2 / (2W) inside it,
 * (1/R - 1) d above it. */
static double comp_curve_db(double level, double t, double r, double w)
{
    double x = level - t;
    if (x < -w / 2)
        return 0;
    if (x <= w / 2)
        return (1 / r - 1) * (x + w / 2) * (x + w / 2) / (2 * w);
    return (1 / r - 1) * x;
}

static double dc_half(int i, int c) { (void)i, (void)c; return 0.5; }
static double dc_quarter(int i, int c) { (void)i, (void)c; return 0.25; }

static const char *const dyn_step_script =
    "session { rate = 48000, length = 1, fps = \"23.976\", start = \"01:00:00:00\" }\n"
    "local t = track \"T\" { channels = 1 }\n"
    "t:clip { \"dc.wav\", at = 0 }\n"
    "local c = t:compressor { threshold = -30, ratio = 4, knee = 10, attack = 0, release = 0 }\n"
    "%s\n"
    "output { \"out.wav\", from = t, format = \"wav32f\" }\n";

static void test_dyn_threshold_step(void)
{
    /* DC at 0.5 (-6.02 dB) through a compressor with attack and release 0,
     * so the gain is the static curve's at every sample. The threshold steps
     * from -30 dB (the level 24 dB above it: -17.98 dB) to -8 dB (the level
     * inside the 10 dB knee: -1.83 dB) at 01:00:00:12 at 23.976 fps = frame
     * 12 = sample 12 x 2002 = 24024, which is not a multiple of the 32-sample
     * grid: the change must fall on exactly that sample. */
    write_wav("dc.wav", 48000, 1, 48000, dc_half);
    char script[1024];
    snprintf(script, sizeof script, dyn_step_script, "c.threshold:set { at = \"01:00:00:12\", to = -8 }");
    int frames = 0, ch = 0;
    float *x = render(script, 1000) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    if (!check(x && frames == 48000, "a compressor with a threshold step renders", "failed"))
        return;
    const int at = 24024;
    double level = 20 * log10(0.5);
    double before = level + comp_curve_db(level, -30, 4, 10), after = level + comp_curve_db(level, -8, 4, 10);
    check_near(20 * log10(x[at - 1]), before, 0.05,
               "threshold -30 dB: DC at -6.02 dB comes out at -24.00 dB (static curve, above the knee)");
    check_near(20 * log10(x[at]), after, 0.05,
               "threshold -8 dB: DC at -6.02 dB comes out at -7.85 dB (static curve, inside the 10 dB knee)");
    int first = -1, steady = 1;
    for (int k = 1; k < frames; k++) {
        if (x[k] != x[k - 1] && first < 0)
            first = k;
        else if (x[k] != x[k - 1])
            steady = 0;
    }
    check_int(first, at, "the threshold step takes effect on exactly its sample, 01:00:00:12 = 24024 (not a grid knot)");
    check(steady, "the level holds on either side of the step (one change only)", "more than one change");
    free(x);

    /* the envelope carries over the change: with release 0.1 s the gain
     * glides from the old curve's value g0 to the new one's g1 as the
     * documented release, g1 + (g0 - g1) exp(-k / (0.1 fs)) k samples into
     * the new settings (dsp/dynamics.h), instead of starting afresh; with
     * the release moved to 25 ms on the same sample, at the new time
     * constant (attack and hold move later, to show they can) */
    static const struct { const char *moves, *what; double tau; } glides[] = {
        {"", "after a threshold step the gain releases from where it was (envelope kept)", 4800},
        {"c.release:set { at = \"01:00:00:12\", to = 0.025 }\n"
         "c.attack:ramp { at = 0.8, to = 0.01, over = 0.1 }; c.hold:set { at = 0.9, to = 0.05 }",
         "a release moved to 25 ms on the threshold's step: the gain follows the new time constant", 1200},
    };
    for (int gi = 0; gi < 2; gi++) {
        char glide[1024];
        snprintf(glide, sizeof glide,
                 "session { rate = 48000, length = 1, fps = \"23.976\", start = \"01:00:00:00\" }\n"
                 "local t = track \"T\" { channels = 1 }\n"
                 "t:clip { \"dc.wav\", at = 0 }\n"
                 "local c = t:compressor { threshold = -30, ratio = 4, knee = 10, attack = 0, release = 0.1 }\n"
                 "c.threshold:set { at = \"01:00:00:12\", to = -8 }\n%s\n"
                 "output { \"out.wav\", from = t, format = \"wav32f\" }\n",
                 glides[gi].moves);
        x = render(glide, 333) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
        if (!check(x && frames == 48000, glides[gi].what, "render failed"))
            return;
        double g0 = before - level, g1 = after - level, worst = 0;
        for (int k = 1; k <= 10000; k++) {
            double want = level + g1 + (g0 - g1) * exp(-k / glides[gi].tau);
            double got = 20 * log10(x[at + k - 1]);
            worst = fabs(got - want) > worst ? fabs(got - want) : worst;
        }
        char name[300];
        snprintf(name, sizeof name, "%s: within 1e-4 dB of g1 + (g0 - g1) exp(-k / %.0f)", glides[gi].what,
                 glides[gi].tau);
        check(worst < 1e-4 && fabs(20 * log10(x[at - 1]) - before) < 0.05, name, "worst %.3g dB", worst);
        free(x);
    }

    /* dubstage automation sees the lane by the insert's number */
    char err[DS_ERR_LEN] = "";
    vm_desc d;
    vm_auto_list list;
    int found = 0;
    if (collect_lanes(script, &d, &list, err) == DS_OK)
        for (int i = 0; i < list.n; i++)
            if (strcmp(list.lanes[i].name, "T.dyn1.threshold") == 0)
                found = vm_auto_value(&list.lanes[i], at - 1) == -30 && vm_auto_value(&list.lanes[i], at) == -8 &&
                        strstr(list.lanes[i].where, "mix.lua:5") != NULL;
    check(found && list.n == 1, "dubstage automation lists T.dyn1.threshold (-30 until 24024, then -8; mix.lua:5)",
          "%d lanes; %s", list.n, err);
    vm_automation_free(&list);
    vm_desc_free(&d);
}

static void test_dyn_makeup_ramp(void)
{
    /* DC at 0.25 (-12.04 dB) under the threshold (0 dB, hard knee): no
     * reduction, so the output is the makeup alone. A linear ramp 0 -> 6 dB
     * from sample 24010 over 12000 samples: at every knot (its start, each
     * multiple of 32 inside it, its end) the level is exactly
     * 6 (n - 24010) / 12000 dB, held until the next knot. */
    write_wav("dc.wav", 48000, 1, 48000, dc_quarter);
    int frames = 0, ch = 0;
    float *x = render_track_script(
        1, 1, "dc.wav",
        "local c = t:compressor { threshold = 0, ratio = 4, knee = 0, attack = 0.01, release = 0.1 }\n"
        "c.makeup:ramp { at = \"24010smp\", to = 6, over = \"12000smp\" }\n",
        777, &frames, &ch);
    if (!check(x && frames == 48000, "a compressor with a makeup ramp renders", "failed"))
        return;
    const int start = 24010, len = 12000;
    double worst = 0;
    int held = 1, knots = 0;
    for (int k = 0; k < frames; k++) {
        int knot = k == start || k == start + len || (k > start && k < start + len && k % 32 == 0);
        double m = k < start ? 0 : k >= start + len ? 6 : 6.0 * (k - start) / len;
        double got = 20 * log10(x[k] / 0.25);
        if (knot || k < start || k >= start + len) {
            knots += knot;
            worst = fabs(got - m) > worst ? fabs(got - m) : worst;
        } else if (x[k] != x[k - 1]) {
            held = 0;
        }
    }
    char name[200];
    snprintf(name, sizeof name, "makeup ramp: the level at each of its %d knots (and before and after it) is the "
             "closed form within 1e-5 dB", knots);
    check(worst <= 1e-5, name, "worst %.3g dB", worst);
    check(held, "makeup ramp: between knots the level holds (settings change only at knots)", "changed between knots");
    free(x);
}

static double wobble(int i, int c)
{
    double t = i / 48000.0;
    return (0.1 + 0.4 * (0.5 + 0.5 * sin(2 * M_PI * 3 * t))) * sin(2 * M_PI * (c ? 330.0 : 220.0) * t);
}

static void test_moving_dynamics_block_independent(void)
{
    write_wav("music.wav", 48000, 2, 48000, wobble);
    write_wav("voice.wav", 48000, 1, 48000, sine2);
    const char *script =
        "session { rate = 48000, length = 1 }\n"
        "local dx = bus \"DX\" { channels = 1 }\n"
        "local t = track \"T\" { channels = 2 }\n"
        "t:clip { \"music.wav\", at = 0 }\n"
        "track \"V\" { to = dx }:clip { \"voice.wav\", at = 0.3 }\n"
        "local c = t:compressor { threshold = -20, ratio = 3, knee = 6, attack = 0.003, release = 0.08 }\n"
        "c.threshold:ramp { at = 0.1, to = -32, over = 0.4, shape = \"s_curve\" }\n"
        "c.ratio:curve { at = \"7777smp\", over = 0.5, values = { 3, 10, 1.5, 6 } }\n"
        "c.knee:target { at = 0.25, to = 0, tau = 0.05 }\n"
        "c.makeup:ramp { at = 0.2, to = 4, over = 0.3 }\n"
        "local e = t:expander { threshold = -30, ratio = 2, range = -20, key = dx, key_filter = { 200, 4000 } }\n"
        "e.range:set { at = \"30017smp\", to = -6 }\n"
        "e.threshold:ramp { at = 0.6, to = -45, over = 0.1, from = -25 }\n"
        "local g = t:gate { threshold = -40, range = -30, detector = \"rms\", link = \"unlinked\" }\n"
        "g.threshold:ramp { at = 0.5, to = -20, over = 0.3 }\n"
        "output { \"out.wav\", from = t, format = \"wav32f\" }\n";
    static const int blocks[] = {1, 64, 4096};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "out.wav", blocks, 3, "automated compressor, expander and gate", &frames, &ch);
    check(first != NULL, "a compressor, a keyed expander and a gate with moving settings render", "failed");
    free(first);
}

static void test_dyn_static_same_as_set_at_zero(void)
{
    /* the same settings given statically, or as moves at sample 0 from other
     * static values: the same bytes (an expander's and a gate's state before
     * the session is the silence under the settings it starts with) */
    write_wav("music.wav", 48000, 2, 48000, wobble);
    const char *base = "local c = t:compressor { threshold = %s, ratio = %s, knee = %s, makeup = %s, attack = 0.005 }\n"
                       "local e = t:expander { threshold = %s, range = %s }\n"
                       "local g = t:gate { threshold = -60, range = %s }\n"
                       "%s\n";
    char lines[2048];
    int fa = 0, fb = 0, ch = 0;
    snprintf(lines, sizeof lines, base, "-24", "3", "2", "1.5", "-35", "-15", "-50", "");
    float *a = render_track_script(1, 2, "music.wav", lines, 512, &fa, &ch);
    snprintf(lines, sizeof lines, base, "-10", "8", "0", "0", "-50", "-40", "-10",
             "c.threshold:set { at = 0, to = -24 }; c.ratio:set { at = 0, to = 3 }\n"
             "c.knee:set { at = 0, to = 2 }; c.makeup:set { at = 0, to = 1.5 }\n"
             "e.threshold:set { at = 0, to = -35 }; e.range:set { at = 0, to = -15 }\n"
             "g.range:set { at = 0, to = -50 }");
    float *b = render_track_script(1, 2, "music.wav", lines, 512, &fb, &ch);
    check(a && b && fa == fb && fa == 48000 && memcmp(a, b, (size_t)fa * 2 * sizeof *a) == 0,
          "static compressor, expander and gate settings give the same bytes as the same values :set at 0",
          "outputs differ");
    free(a);
    free(b);
}

static void test_dyn_move_errors(void)
{
    expect_error_at("local a = bus \"A\"\nlocal c = a:compressor { ratio = 4 }\nc.ratio:ramp { at = 1, to = 0.5, over = 1 }\n",
                    3, "compressor 1 ratio: to = 0.5 is out of range: the compressor takes 1 to inf",
                    "a compressor ratio move below 1 names the line, the parameter and the range");
    expect_error_at("local a = bus \"A\"\nlocal c = a:expander { }\nc.ratio:set { at = 1, to = 200 }\n", 3,
                    "expander 1 ratio: to = 200 is out of range: the expander takes 1 to 100",
                    "an expander ratio move above 100 names the line, the parameter and the range");
    expect_error_at("local a = bus \"A\"\na:eq { \"peak\", freq = 100 }\nlocal c = a:compressor { }\n"
                    "c.threshold:curve { at = 0, over = 1, values = { -20, 45 } }\n",
                    4, "compressor 2 threshold: values = 45 is out of range: takes -200 to 40 dB",
                    "a threshold curve point above 40 dB names the line, the parameter and the range");
    expect_error_at("local a = bus \"A\"\nlocal c = a:gate { }\n\nc.range:ramp { at = 0, to = 6, over = 1 }\n", 4,
                    "gate 1 range: to = 6 is out of range: takes -200 to 0 dB",
                    "a gate range move above 0 dB names the line, the parameter and the range");
    expect_error_at("local a = bus \"A\"\nlocal c = a:compressor { }\nc.makeup:target { at = 0, to = 70, tau = 1 }\n", 3,
                    "makeup: to = 70 is out of range: takes -60 to 60 dB", "a makeup move above 60 dB is refused");
    expect_error_at("local a = bus \"A\"\nlocal c = a:compressor { }\nc.knee:ramp { at = 0, to = 3, over = 1, from = -1 }\n",
                    3, "knee: from = -1 is out of range: takes 0 (hard knee) to 60 dB", "a negative knee is refused");
    expect_error_at("local a = bus \"A\"\nlocal c = a:compressor { ratio = math.huge }\nc.ratio:set { at = 0, to = 4 }\n",
                    3, "a ratio of inf cannot move", "a limiting ratio (inf) cannot move");
    expect_error_at("local a = bus \"A\"\nlocal c = a:compressor { }\nc.ratio:set { at = 0, to = math.huge }\n", 3,
                    "a moving ratio must be finite", "a move to ratio inf is refused");
    expect_error_at("local a = bus \"A\"\nlocal g = a:gate { }\nlocal r = g.ratio\n", 3, "a gate has no ratio",
                    "a gate has no ratio to move");
    expect_error_at("local a = bus \"A\"\nlocal c = a:compressor { }\nc.detector:set { at = 0, to = 1 }\n", 3,
                    "a compressor has no automatable field 'detector'", "the detector is not automatable, and says so");
    expect_error_at("local a = bus \"A\"\nlocal c = a:compressor { }\nc.attack:set { at = 0, to = -0.1 }\n", 3,
                    "attack: to = -0.1 is out of range", "a negative attack move is refused");
}

/* ---- automated limiter and transient shaper ------------------------------ */

/* The true peak (dBTP) of mono x over samples [from, to): the largest
 * |sample| there and reading between two of them, by the meter's BS.1770-4
 * Annex 2 4x interpolator (dsp/truepeak.h) run over the signal around them
 * (a meter started at `from` would read the step from silence). x must
 * hold 6 samples either side. */
static double true_peak_db(const float *x, int from, int to)
{
    int n = to - from - 1;
    float *z = calloc((size_t)n, sizeof *z);
    dsp_truepeak_max(x + from - 5, z, n); /* z[i]: between x[from + i] and x[from + i + 1] */
    double p = 0;
    for (int i = 0; i < n; i++)
        p = z[i] > p ? z[i] : p;
    for (int k = from; k < to; k++)
        p = fabsf(x[k]) > p ? fabsf(x[k]) : p;
    free(z);
    return 20 * log10(p);
}

static double loud_sine(int i, int c) { (void)c; return 0.99 * sin(2 * M_PI * 997.0 * i / 48000.0); }

static const char *const lim_script =
    "session { rate = 48000, length = 2, fps = \"23.976\", start = \"01:00:00:00\" }\n"
    "local t = track \"T\" { channels = 1 }\n"
    "t:clip { \"loud.wav\", at = 0 }\n"
    "local l = t:limiter { ceiling = %s }\n"
    "%s\n"
    "output { \"out.wav\", from = t, format = \"wav32f\" }\n";

static float *render_lim(const char *ceiling, const char *moves, int block, int *frames)
{
    char script[1024];
    int ch = 0;
    snprintf(script, sizeof script, lim_script, ceiling, moves);
    return render(script, block) == 0 ? read_wav("out.wav", frames, &ch) : NULL;
}

static void test_limiter_ceiling_step(void)
{
    /* a 997 Hz sine at -0.09 dBFS through a limiter (5 ms look-ahead, 240
     * samples, compensated: the output is aligned to the session); the
     * ceiling steps at 01:00:00:12 at 23.976 fps = sample 24024 (off the
     * 32-sample grid). Before the step the output is the static -1 dBTP
     * limiter's until its look-ahead ramp begins (at most 240 samples
     * early), every sample from the step on is under the new ceiling, and
     * the true peak on either side is its ceiling's within 0.1 dB. */
    write_wav("loud.wav", 48000, 1, 96000, loud_sine);
    const int at = 24024, L = 240;
    int n1 = 0, n2 = 0, n3 = 0, n4 = 0;
    float *hi = render_lim("-1", "", 1000, &n1), *lo = render_lim("-6", "", 1000, &n2);
    float *down = render_lim("-1", "l.ceiling:set { at = \"01:00:00:12\", to = -6 }", 1000, &n3);
    float *up = render_lim("-6", "l.ceiling:set { at = \"01:00:00:12\", to = -1 }", 1000, &n4);
    if (!check(hi && lo && down && up && n1 == 96000 && n3 == 96000 && n4 == 96000,
               "limiters with a ceiling step render", "failed")) {
        free(hi), free(lo), free(down), free(up);
        return;
    }
    check(memcmp(down, hi, (size_t)(at - L) * sizeof *down) == 0,
          "ceiling step down: before the look-ahead (240 samples before 24024) the static -1 dBTP limiter's bits",
          "differs");
    float pk = 0;
    for (int k = at; k < n3; k++)
        pk = fabsf(down[k]) > pk ? fabsf(down[k]) : pk;
    check(pk <= (float)pow(10, -6 / 20.0), "ceiling step down: every sample from 24024 on is under -6 dBFS",
          "peak %.4f dBFS", 20 * log10(pk));
    double tp_hi = true_peak_db(down, at - 24000, at), tp_lo = true_peak_db(down, at, n3 - 6);
    char name[300];
    snprintf(name, sizeof name, "ceiling step down: true peak %.3f dBTP before 24024 (ceiling -1), %.3f after "
             "(ceiling -6), each within 0.1 dB", tp_hi, tp_lo);
    check(tp_hi <= -1 && tp_hi >= -1.1 && tp_lo <= -6 && tp_lo >= -6.1, name, "out of tolerance");
    /* the raise: nothing moves before 24024; after it the gain recovers with
     * the 50 ms release */
    double up_lo = true_peak_db(up, at - 24000, at), up_hi = true_peak_db(up, at + 12000, at + 36000);
    pk = 0;
    for (int k = 0; k < at; k++)
        pk = fabsf(up[k]) > pk ? fabsf(up[k]) : pk;
    snprintf(name, sizeof name, "ceiling step up: true peak %.3f dBTP before 24024 (ceiling -6, every sample under "
             "it), %.3f from 250 ms after (ceiling -1), each within 0.1 dB", up_lo, up_hi);
    check(up_lo <= -6 && up_lo >= -6.1 && pk <= (float)pow(10, -6 / 20.0) && up_hi <= -1 && up_hi >= -1.1, name,
          "out of tolerance (sample peak before %.4f dBFS)", 20 * log10(pk));
    free(up);
    /* a set at 0 is the static setting */
    up = render_lim("-1", "l.ceiling:set { at = 0, to = -6 }", 1000, &n4);
    check(up && n4 == n2 && memcmp(up, lo, (size_t)n2 * sizeof *up) == 0,
          "a limiter ceiling :set at 0 gives the bytes of the same static ceiling", "differs");
    free(hi), free(lo), free(down), free(up);
}

static void test_transient_attack_ramp(void)
{
    /* attack 3 dB ramping to 9 dB from sample 48011 over 24000 samples.
     * The shaper's gain in dB is attack * T + sustain * S with T and S from
     * followers that do not depend on the settings, so against renders at
     * attack 3 (a) and 9 (b): before the ramp the output is a's bits, after
     * it b's, and inside it, at every sample, dB(out) = dB(a) + (v - 3) / 6
     * (dB(b) - dB(a)) with v the ramp's exact value at the last knot (its
     * start, each multiple of 32, held in between). */
    write_wav("hits.wav", 48000, 1, 48000 * 3, hits);
    const char *base = "local s = t:transient { attack = %s, sustain = -4 }\n%s\n";
    char lines[1024];
    int fa = 0, fb = 0, fm = 0, ch = 0;
    snprintf(lines, sizeof lines, base, "3", "");
    float *a = render_track_script(3, 1, "hits.wav", lines, 700, &fa, &ch);
    snprintf(lines, sizeof lines, base, "9", "");
    float *b = render_track_script(3, 1, "hits.wav", lines, 700, &fb, &ch);
    snprintf(lines, sizeof lines, base, "3", "s.attack:ramp { at = \"48011smp\", to = 9, over = \"24000smp\" }");
    float *m = render_track_script(3, 1, "hits.wav", lines, 700, &fm, &ch);
    if (!check(a && b && m && fa == 144000 && fb == fa && fm == fa, "transient shapers with an attack ramp render",
               "failed")) {
        free(a), free(b), free(m);
        return;
    }
    const int start = 48011, len = 24000;
    check(memcmp(m, a, (size_t)start * sizeof *m) == 0, "attack ramp: before it, the static attack 3's bits",
          "differs");
    check(memcmp(m + start + len, b + start + len, (size_t)(fa - start - len) * sizeof *m) == 0,
          "attack ramp: from its end on, the static attack 9's bits (the followers carried through)", "differs");
    double worst = 0;
    int used = 0;
    for (int k = start; k < start + len; k++) {
        int knot = k == start ? start : (k / 32) * 32 > start ? (k / 32) * 32 : start;
        double v = 3 + 6.0 * (knot - start) / len;
        if (fabsf(a[k]) < 1e-4f || fabsf(m[k]) == 0)
            continue;
        double da = 20 * log10(fabs(a[k])), dbb = 20 * log10(fabs(b[k]));
        if (fabs(dbb - da) < 0.01)
            continue;
        double want = da + (v - 3) / 6 * (dbb - da), got = 20 * log10(fabs(m[k]));
        worst = fabs(got - want) > worst ? fabs(got - want) : worst;
        used++;
    }
    char name[200];
    snprintf(name, sizeof name, "attack ramp: at %d samples inside it, the gain of the value at the last knot within "
             "1e-4 dB", used);
    check(used > 1000 && worst <= 1e-4, name, "worst %.3g dB", worst);
    free(a), free(b), free(m);
}

static void test_moving_limiter_shaper_block_independent(void)
{
    write_wav("music.wav", 48000, 2, 48000, wobble);
    const char *script =
        "session { rate = 48000, length = 1 }\n"
        "local t = track \"T\" { channels = 2, gain = 12 }\n"
        "t:clip { \"music.wav\", at = 0 }\n"
        "local s = t:transient { attack = 6 }\n"
        "s.attack:ramp { at = 0.1, to = -6, over = 0.3, shape = \"s_curve\" }\n"
        "s.sustain:curve { at = \"7777smp\", over = 0.5, values = { 0, -12, 6 } }\n"
        "local pm = bus \"PM\" { channels = 2 }\n"
        "t:to(pm)\n"
        "local l = pm:limiter { ceiling = -1, release = 0.05 }\n"
        "l.ceiling:ramp { at = 0.2, to = -9, over = 0.4 }\n"
        "l.ceiling:set { at = \"40001smp\", to = -2 }\n"
        "l.release:target { at = 0.3, to = 0.5, tau = 0.1 }\n"
        "output { \"out.wav\", from = pm, format = \"wav32f\" }\n";
    static const int blocks[] = {1, 64, 4096};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "out.wav", blocks, 3, "automated transient shaper and limiter", &frames, &ch);
    check(first != NULL, "a transient shaper and a limiter with moving settings render", "failed");
    free(first);

    /* dubstage automation names them by their place on the strip */
    char err[DS_ERR_LEN] = "";
    vm_desc d;
    vm_auto_list list;
    int found = 0;
    if (collect_lanes(script, &d, &list, err) == DS_OK)
        for (int i = 0; i < list.n; i++) {
            const vm_auto_lane *l = &list.lanes[i];
            if (strcmp(l->name, "T.shape1.attack") == 0 && vm_auto_value(l, 0) == 6 && vm_auto_value(l, 48000) == -6)
                found |= 1;
            if (strcmp(l->name, "T.shape1.sustain") == 0 && vm_auto_value(l, 7777) == 0)
                found |= 2;
            if (strcmp(l->name, "PM.lim1.ceiling") == 0 && vm_auto_value(l, 9600) == -1 &&
                vm_auto_value(l, 40001) == -2 && strstr(l->where, "mix.lua:10"))
                found |= 4;
            if (strcmp(l->name, "PM.lim1.release") == 0 && vm_auto_value(l, 0) == 0.05)
                found |= 8;
        }
    check(found == 15 && list.n == 4, "dubstage automation lists T.shape1.attack, .sustain, PM.lim1.ceiling "
          "(mix.lua:10), .release", "found %d, %d lanes; %s", found, list.n, err);
    vm_automation_free(&list);
    vm_desc_free(&d);
}

static void test_limiter_shaper_move_errors(void)
{
    expect_error_at("local a = bus \"A\"\nlocal l = a:limiter { }\nl.ceiling:set { at = 1, to = 3 }\n", 3,
                    "limiter 1 ceiling: to = 3 is out of range (-60 to 0 dBTP)",
                    "a limiter ceiling move above 0 dBTP names the line, the parameter and the range");
    expect_error_at("local a = bus \"A\"\na:eq { \"peak\", freq = 100 }\nlocal l = a:limiter { }\n"
                    "l.release:ramp { at = 0, to = 20, over = 1 }\n", 4,
                    "limiter 2 release: to = 20 is out of range (0.001 to 10 s)",
                    "a limiter release move above 10 s names the line, the parameter and the range");
    expect_error_at("local a = bus \"A\"\nlocal l = a:limiter { }\nl.lookahead:set { at = 1, to = 0.01 }\n", 3,
                    "a limiter's lookahead cannot move", "a limiter's look-ahead cannot move, and says why");
    expect_error_at("local a = bus \"A\"\nlocal s = a:transient { }\n\ns.sustain:curve { at = 0, over = 1, "
                    "values = { 0, -30 } }\n", 4,
                    "transient shaper 1 sustain: values = -30 dB is out of range (-24 to +24 dB)",
                    "a transient sustain curve point below -24 dB names the line, the parameter and the range");
    expect_error_at("local a = bus \"A\"\nlocal s = a:transient { }\ns.release:set { at = 0, to = 1 }\n", 3,
                    "a transient shaper has no automatable field 'release' (fields: attack, sustain)",
                    "a transient shaper lists its automatable fields");
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
    test_dyn_threshold_step();
    test_dyn_makeup_ramp();
    test_moving_dynamics_block_independent();
    test_dyn_static_same_as_set_at_zero();
    test_dyn_move_errors();
    test_limiter_ceiling_step();
    test_transient_attack_ramp();
    test_moving_limiter_shaper_block_independent();
    test_limiter_shaper_move_errors();
    expect_script_error("local a = bus \"A\"\na:limiter { ceiling = 3 }\n", "ceiling = 3",
                        "a limiter ceiling above 0 dBTP is refused with its range");
    scratch_close();
    return check_exit();
}
