/* test_stereo_inserts.c - the stereo tools end to end (t:width, t:ms,
 * t:polarity, t:channel_map): float files in, float files out, compared
 * with the input through formulas written out here:
 *   - width 1 is the input's bits; width 0 gives L = R = (L + R) / 2 exactly;
 *     width, mid and side against gm M +- gs S within 1e-6;
 *   - a channel map and a polarity inversion are the input's bits, moved or
 *     negated; M/S encode then decode gives the input back within 1e-6;
 *   - moving width, mid and side: a set takes effect at its sample, a ramp
 *     follows the lane's exact value within 1e-6 with no step (the gains go
 *     in a straight line between the knots of the control grid), and the
 *     render is bit-identical at --block 1, 64 and 4096;
 *   - the script's messages: did-you-mean on a wrong key or word, a range
 *     named, a fixed setting refused with its reason. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

#define RATE 48000

/* noise in [-0.5, 0.5), different per channel (a hash of sample and channel) */
static double noise(int i, int c)
{
    uint32_t x = (uint32_t)i * 2654435761u + (uint32_t)c * 40503u + 977u;
    x ^= x >> 15, x *= 2246822519u, x ^= x >> 13;
    return (double)(x & 0xffffff) / 16777216.0 - 0.5;
}

/* L = 0.5, R = -0.5: M = 0, S = 0.5 (side only) */
static double side_only(int i, int c) { (void)i; return c ? -0.5 : 0.5; }
/* L = R = 0.5: M = 0.5, S = 0 (mid only) */
static double mid_only(int i, int c) { (void)i, (void)c; return 0.5; }

/* Renders the track of `in` (made with options `track`, nch channels)
 * through `inserts` into out.wav (32-bit float); returns its samples
 * (interleaved, caller frees). */
static float *render_track(const char *in, const char *track, int nch, double seconds, const char *inserts,
                           int block)
{
    char script[2048];
    snprintf(script, sizeof script,
             "session { rate = 48000, length = %g }\n"
             "local t = track \"T\" { %s }\n"
             "t:clip { \"%s\", at = 0 }\n"
             "%s\n"
             "output { \"out.wav\", from = t, format = \"wav32f\" }\n", seconds, track, in, inserts);
    int frames = 0, ch = 0;
    float *x = render(script, block) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    if (x && (frames != (int)(seconds * RATE) || ch != nch)) {
        printf("# %d frames of %d channels\n", frames, ch);
        free(x);
        return NULL;
    }
    return x;
}

/* The same on a track of nch channels and no layout. */
static float *render_through(const char *in, int nch, double seconds, const char *inserts, int block)
{
    char track[32];
    snprintf(track, sizeof track, "channels = %d", nch);
    return render_track(in, track, nch, seconds, inserts, block);
}

/* The input file's samples, as the engine reads them (floats). */
static float in_at(int i, int c) { return (float)noise(i, c); }

static void test_width_static(void)
{
    const int n = RATE / 2;
    write_wav("noise.wav", RATE, 2, n, noise);
    float *dry = render_through("noise.wav", 2, 0.5, "", 256);
    float *one = render_through("noise.wav", 2, 0.5, "t:width { width = 1 }", 256);
    float *zero = render_through("noise.wav", 2, 0.5, "t:width { width = 0 }", 256);
    float *some = render_through("noise.wav", 2, 0.5, "t:width { width = 1.6, mid = -2, side = 3.5 }", 256);
    if (!check(dry && one && zero && some, "width renders", "failed"))
        goto out;
    int dry_ok = 1;
    for (int i = 0; i < n; i++)
        dry_ok &= dry[2 * i] == in_at(i, 0) && dry[2 * i + 1] == in_at(i, 1);
    check(dry_ok, "(the plain track is the file's floats)", "a sample differs");
    check(memcmp(one, dry, (size_t)n * 2 * sizeof *one) == 0, "width 1: the input's bits", "a sample differs");
    int fold = 1;
    for (int i = 0; i < n; i++)
        fold &= zero[2 * i] == zero[2 * i + 1] && zero[2 * i] == 0.5f * (in_at(i, 0) + in_at(i, 1));
    check(fold, "width 0: L = R = (L + R) / 2 exactly", "a sample differs");
    double gm = pow(10, -2 / 20.0), gs = 1.6 * pow(10, 3.5 / 20.0), worst = 0;
    for (int i = 0; i < n; i++) {
        double m = ((double)in_at(i, 0) + in_at(i, 1)) / 2, s = ((double)in_at(i, 0) - in_at(i, 1)) / 2;
        worst = fmax(worst, fmax(fabs(some[2 * i] - (gm * m + gs * s)), fabs(some[2 * i + 1] - (gm * m - gs * s))));
    }
    check(worst <= 1e-6, "width 1.6, mid -2 dB, side +3.5 dB: gm M + gs S, gm M - gs S within 1e-6", "worst %.3g",
          worst);
out:
    free(dry), free(one), free(zero), free(some);
}

/* 1 when every output channel k of x is input channel src[k] (0-based, -1
 * silence), negated where neg[k], bit for bit. */
static int mapped(const float *x, int n, int nch, const int *src, const int *neg)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < nch; c++) {
            float want = src[c] < 0 ? 0.0f : neg && neg[c] ? -in_at(i, src[c]) : in_at(i, src[c]);
            if (memcmp(&x[(size_t)i * nch + c], &want, sizeof want) != 0)
                return 0;
        }
    return 1;
}

static void test_maps(void)
{
    const int n = RATE / 4;
    write_wav("noise.wav", RATE, 2, n, noise);
    write_wav("noise6.wav", RATE, 6, n, noise);
    static const struct { const char *in; int nch; const char *inserts; int src[6], neg[6]; const char *name; } cases[] = {
        {"noise.wav", 2, "t:channel_map { 2, 1 }", {1, 0}, {0}, "channel_map { 2, 1 }: L and R swapped, bit for bit"},
        {"noise.wav", 2, "t:channel_map { \"L\", \"L\" }", {0, 0}, {0}, "channel_map { \"L\", \"L\" }: L on both"},
        {"noise.wav", 2, "t:channel_map { 0, 2 }", {-1, 1}, {0}, "channel_map { 0, 2 }: L silent, R kept"},
        {"noise6.wav", 6, "t:channel_map { 2, 1, 3, 4, 6, 5 }", {1, 0, 2, 3, 5, 4}, {0},
         "channel_map on 6 channels { 2, 1, 3, 4, 6, 5 }: two pairs swapped"},
        {"noise.wav", 2, "t:polarity \"R\"", {0, 1}, {0, 1}, "polarity \"R\": R negated exactly"},
        {"noise.wav", 2, "t:polarity \"all\"", {0, 1}, {1, 1}, "polarity \"all\": both negated"},
        {"noise6.wav", 6, "t:polarity { 1, 3 }", {0, 1, 2, 3, 4, 5}, {1, 0, 1, 0, 0, 0},
         "polarity { 1, 3 } on 6 channels: exactly those negated"},
        {"noise.wav", 2, "t:polarity(2)\nt:channel_map { 2, 1 }", {1, 0}, {1, 0},
         "polarity then channel_map: the negated R lands on L"},
        {"noise.wav", 2, "t:polarity { \"L\" }\nt:polarity { \"L\" }", {0, 1}, {0, 0},
         "polarity twice: the input's bits"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        float *x = render_through(cases[k].in, cases[k].nch, 0.25, cases[k].inserts, 256);
        check(x && mapped(x, n, cases[k].nch, cases[k].src, cases[k].neg), cases[k].name,
              x ? "a sample differs" : "render failed");
        free(x);
    }
    /* on a 5.1 track, the layout's names: the surrounds swapped, the LFE inverted */
    float *x = render_track("noise6.wav", "layout = \"5.1\"", 6, 0.25,
                            "t:channel_map { \"L\", \"R\", \"C\", \"LFE\", \"Rs\", \"Ls\" }\nt:polarity \"LFE\"", 256);
    static const int swap_s[6] = {0, 1, 2, 3, 5, 4}, neg_lfe[6] = {0, 0, 0, 1, 0, 0};
    check(x && mapped(x, n, 6, swap_s, neg_lfe), "5.1 track: channel_map by names (Rs, Ls) and polarity \"LFE\", "
          "bit for bit", x ? "a sample differs" : "render failed");
    free(x);
    /* M/S: encode then decode is the input (within 1e-6), decode is the formula */
    float *round = render_through("noise.wav", 2, 0.25, "t:ms \"encode\"\nt:ms { \"decode\" }", 256);
    float *dec = render_through("noise.wav", 2, 0.25, "t:ms \"decode\"", 256);
    double worst_r = 0, worst_d = 0;
    for (int i = 0; round && dec && i < n; i++) {
        worst_r = fmax(worst_r, fmax(fabs(round[2 * i] - in_at(i, 0)), fabs(round[2 * i + 1] - in_at(i, 1))));
        double m = in_at(i, 0), s = in_at(i, 1);
        worst_d = fmax(worst_d, fmax(fabs(dec[2 * i] - (m + s)), fabs(dec[2 * i + 1] - (m - s))));
    }
    check(round && worst_r <= 1e-6, "ms encode then decode: the input within 1e-6", "worst %.3g", worst_r);
    check(dec && worst_d <= 1e-6, "ms decode of M S: L = M + S, R = M - S within 1e-6", "worst %.3g", worst_d);
    free(round), free(dec);
}

static void test_moves(void)
{
    const int n = RATE;
    write_wav("side.wav", RATE, 2, n, side_only);
    write_wav("mid.wav", RATE, 2, n, mid_only);
    /* a set at sample 24000 (0.5 s), exactly there; a ramp of width from 0.5
     * to 2 over [12000, 36000) samples: S = 0.5 comes out as 0.5 gs */
    float *x = render_through("side.wav", 2, 1, "local w = t:width { width = 0.5 }\n"
                              "w.side:set { at = 0.5, to = -6 }\n"
                              "w.width:ramp { at = 0.25, to = 2, over = 0.5 }", 64);
    float *y = render_through("mid.wav", 2, 1, "local w = t:width { }\n"
                              "w.mid:ramp { at = 0.1, to = -20, over = 0.8 }", 64);
    if (!check(x && y, "moving width and mid render", "failed"))
        goto out;
    double worst = 0, worst_step = 0, slope = 1.5 / 24000 * 0.5;
    for (int i = 0; i < n; i++) {
        double w = i < 12000 ? 0.5 : i >= 36000 ? 2 : 0.5 + 1.5 * (i - 12000) / 24000.0;
        double gs = w * (i < 24000 ? 1 : pow(10, -6 / 20.0));
        worst = fmax(worst, fmax(fabs(x[2 * i] - 0.5 * gs), fabs(x[2 * i + 1] + 0.5 * gs)));
        if (i > 12000 && i < 36000 && i != 24000)
            worst_step = fmax(worst_step, fabs((x[2 * i] - x[2 * (i - 1)]) / (i < 24000 ? 1 : pow(10, -6 / 20.0))));
    }
    check(worst <= 1e-6, "width ramp 0.5 -> 2 and side set -6 dB at 0.5 s: every sample's side gain is the "
          "lane's within 1e-6", "worst %.3g", worst);
    check(worst_step <= slope + 2e-7, "width ramp: no step larger than the ramp's own slope (no zipper)",
          "largest step %.3g, slope %.3g", worst_step, slope);
    check(fabs(x[2 * 23999] - 0.5 * (1.25 - 1.5 / 24000)) < 1e-7 &&
              fabs(x[2 * 24000] - 0.5 * 1.25 * pow(10, -6 / 20.0)) < 1e-7,
          "side set at 0.5 s: sample 23999 has the old gain, sample 24000 the new", "%.9g %.9g", x[2 * 23999],
          x[2 * 24000]);
    double worst_mid = 0;
    for (int i = 0; i < n; i++) {
        double db = i < 4800 ? 0 : i >= 4800 + 38400 ? -20 : -20.0 * (i - 4800) / 38400.0;
        double g = pow(10, db / 20);
        worst_mid = fmax(worst_mid, fmax(fabs(y[2 * i] - 0.5 * g), fabs(y[2 * i + 1] - 0.5 * g)));
    }
    check(worst_mid <= 1e-6, "mid ramp 0 -> -20 dB (linear in dB): every sample within 1e-6 of 0.5 10^(dB/20)",
          "worst %.3g", worst_mid);
out:
    free(x), free(y);
}

static void test_moves_block_independent(void)
{
    write_wav("noise.wav", RATE, 2, RATE, noise);
    char script[2048];
    track_script(script, sizeof script, 1, 2, "noise.wav",
                 "local w = t:width { width = 0.2, mid = -1, side = 2 }\n"
                 "w.width:ramp { at = 0.1, to = 1.9, over = 0.3, shape = \"s_curve\" }\n"
                 "w.width:set { at = \"00:00:00:13\", to = 0 }\n"
                 "w.mid:ramp { at = 0.05, to = -math.huge, over = 0.2 }\n"
                 "w.mid:set { at = 0.3, to = 3 }\n"
                 "w.side:curve { at = 0.4, over = 0.4, values = { 0, -12, 6, -3 } }\n"
                 "w.side:target { at = 0.85, to = -40, tau = 0.02 }\n"
                 "t:polarity \"L\"\n"
                 "t:ms \"encode\"\n"
                 "t:channel_map { 2, 1 }\n");
    static const int blocks[] = {64, 1, 4096, 777};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "o.wav", blocks, 4, "moving width with ms, polarity and a map",
                                 &frames, &ch);
    check(first != NULL, "a width with every setting moving renders", "failed");
    free(first);
}

/* The script's error for `inserts` on a stereo track (line 4 on) contains want. */
static void expect_message(const char *inserts, int nch, int line, const char *want, const char *name)
{
    char body[1024];
    snprintf(body, sizeof body, "session { rate = 48000, length = 0.1 }\nlocal t = track \"T\" { %s%d }\n"
             "output { \"out.wav\", from = t }\n%s\n", nch == 6 ? "layout = \"5.1\", channels = " : "channels = ",
             nch, inserts);
    expect_error_at(body, line, want, name);
}

static void test_messages(void)
{
    expect_message("t:width { widht = 1.5 }", 2, 4, "did you mean 'width'", "width: a wrong key suggests 'width'");
    expect_message("t:width { width = 2.5 }", 2, 4, "(0 to 2)", "width = 2.5 names the range 0 to 2");
    expect_message("t:width { side = 30 }", 2, 4, "up to +24 dB", "side = 30 dB names the range");
    expect_message("local w = t:width { }\nw.width:set { at = 0, to = -1 }", 2, 5, "(0 to 2)",
                   "a width move out of range names the range");
    expect_message("local w = t:width { }\nw.mid:ramp { at = 0, to = 25, over = 1 }", 2, 5, "up to +24 dB",
                   "a mid move above +24 dB is refused");
    expect_message("local w = t:width { }\nlocal x = w.sied", 2, 5, "did you mean 'side'",
                   "a width handle's wrong field suggests 'side'");
    expect_message("t:ms { \"decdoe\" }", 2, 4, "did you mean 'decode'", "ms: a wrong direction suggests 'decode'");
    expect_message("t:ms { }", 2, 4, "needs its direction", "ms without a direction says what it takes");
    expect_message("t:channel_map { 1, \"X\" }", 2, 4, "entry 2 is an unknown channel 'X'", "channel_map: a wrong word is named");
    expect_message("t:channel_map { 1, 2.5 }", 2, 4, "entry 2 is 2.5", "channel_map: a fraction is named");
    expect_message("t:channel_map { 1, 2, side = 1 }", 2, 4, "unknown option 'side'", "channel_map: keys refused");
    expect_message("t:polarity { 1, 1 }", 2, 4, "channel 1 is listed twice", "polarity: a channel twice is refused");
    expect_message("t:polarity { \"r\" }", 2, 4, "did you mean 'R'", "polarity: 'r' suggests 'R'");
    expect_message("t:polarity { \"Right\" }", 2, 4, "entry 1 is an unknown channel 'Right'",
                   "polarity: an unknown channel word names the entry");
    expect_message("t:polarity \"C\"", 2, 4, "declares its layout (layout = \"5.1\") before this line",
                   "polarity \"C\" on a strip without a layout says to declare one");
    expect_message("t:polarity \"Lss\"", 6, 4, "did you mean 'Ls'", "polarity \"Lss\" on 5.1 suggests 'Ls'");
    expect_message("t:channel_map { \"L\", \"R\", \"C\", \"LFE\", \"Ls\", \"Rss\" }", 6, 4,
                   "(a channel is \"L\", \"R\", \"C\", \"LFE\", \"Ls\", \"Rs\" (its layout's names), or a number",
                   "channel_map on 5.1: a wrong name lists the layout's names");
    expect_message("t:polarity()", 2, 4, "needs the channels to invert", "polarity with nothing says what it takes");
    expect_message("local p = t:polarity \"L\"\nlocal x = p.channels", 2, 5, "fixed when it is made",
                   "polarity: a field is refused as fixed, with the reason");
    expect_message("local m = t:channel_map { 2, 1 }\nm.x = 1", 2, 5, "cannot set 'x' on a channel map",
                   "channel_map: a setting cannot be assigned");
    expect_message("t:widht { }", 2, 4, "did you mean 'width'", "strip: t:widht suggests 'width'");
}

int main(void)
{
    if (scratch_open("test-stereo-inserts") != 0)
        return 2;
    test_width_static();
    test_maps();
    test_moves();
    test_moves_block_independent();
    test_messages();
    scratch_close();
    return check_exit();
}
