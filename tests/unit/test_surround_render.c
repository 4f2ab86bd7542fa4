/* test_surround_render.c - the surround panner through the whole engine
 * (script -> compile -> render -> file read back with libsndfile):
 *   - constant total power: a DC source stepped through 100 positions, the
 *     sum of the squares of the five full-range channels of a 5.1 bus is
 *     0 dB within 0.01 dB at each (a moving pan: op_mix_surround), and a
 *     static pan at 20 positions (the route's matrix) likewise;
 *   - the gains against the 5.1 law written out here with libm (not the
 *     code under test) within 1e-6, static and moving; during ramps (the
 *     straight pieces between the control grid's knots) within 1e-5 of the
 *     law at every sample, except in the cell where the source passes a
 *     speaker (a corner of the gains: within 1e-3 there), and the total
 *     power within 0.01 dB at every sample;
 *   - a source at each speaker's place (LCR, 5.0, 5.1 and 7.1, static or
 *     moving) lands in that channel only: the others within -90 dB (they
 *     are exact zeros), the channels found by the file's channel mask
 *     (libsndfile's channel map);
 *   - the alsa-utils voices (Front_Left.wav ...) each at its named speaker
 *     of a 5.1 and a 7.1 bus, all at once: each channel, found by the mask,
 *     minus its voice (read with libsndfile) stays below -90 dBFS
 *     (tests/render/surround_voices.sh reads the same through ffmpeg);
 *   - spread 1: the same level in every full-range speaker (1/sqrt(5));
 *     centre off: L = R = cos(pi / 4), C = 0; the LFE send at -10 dB;
 *   - a stereo source at width 1: left in L only, right in R only;
 *   - a send follows the moving surround pan, times its level;
 *   - a moving pan drawn between knots, every sample of four cases (every
 *     setting moving; a stereo width move; jumps and moves off the grid; a
 *     slow stereo sweep on the coarser grid) against the law
 *     (dsp_surround_pan_mono / _stereo at the lanes' values): on the line
 *     from the law at its knot toward the law the moves reach at the next
 *     within 1e-6, within the chord bound of linear interpolation of the
 *     law, and, where a point source moves by at most 1.8e-3 between
 *     knots, within 1e-6 of the law (7.1e-4 where it passes a speaker);
 *   - block-size independence: every setting moving, mono and stereo, a
 *     send with a moving level, jumps and the coarser grid, at --block 1,
 *     64 and 4096 bit-identical;
 *   - the script's messages: a value out of range (option, field, move)
 *     names the line, the parameter and its range; a misspelt name gets
 *     the closest; `dubstage automation` lists the moves as STRIP.pan_fr
 *     with their units; settings that nothing reads are warned of. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/surround_pan.h"
#include "tests/check.h"
#include "tests/unit/render_util.h"
#include "tests/unit/surround_law.h"

#define RATE 48000
#define DC 0.5
#define LAYOUT_51 "layout = \"5.1\""
#define LAYOUT_71 "layout = \"7.1\""

enum { L, R, C, LFE, LS, RS };

static double dc(int i, int c) { (void)i; return c == 0 ? DC : -DC / 2; }

/* The 5.1 law (surround_law.h) in the file's order, as doubles. */
static void law_51(double x, double y, double *g)
{
    long double w[6];
    surround_law_51(x, y, w);
    for (int c = 0; c < 6; c++)
        g[c] = (double)w[c];
}

static double position_x(int k) { return -1 + 2 * ((k * 37) % 100) / 99.0; }
static double position_y(int k) { return -1 + 2 * ((k * 61) % 100) / 99.0; }

/* 100 positions, one every 480 samples, as moves of pan and pan_fr */
static void test_power_moving(void)
{
    char script[16384];
    size_t n = (size_t)snprintf(script, sizeof script,
                                "session { rate = 48000, length = \"48000smp\" }\n"
                                "local pm = bus \"PM\" { " LAYOUT_51 " }\n"
                                "local t = track \"T\" { channels = 1, to = pm }\n"
                                "t:clip { \"dc.wav\", at = 0 }\n");
    for (int k = 0; k < 100; k++)
        n += (size_t)snprintf(script + n, sizeof script - n,
                              "t.pan:set { at = \"%dsmp\", to = %.17g }\nt.pan_fr:set { at = \"%dsmp\", to = %.17g }\n",
                              k * 480, position_x(k), k * 480, position_y(k));
    snprintf(script + n, sizeof script - n, "output { \"out.wav\", from = pm, format = \"wav32f\" }\n");
    int frames = 0, ch = 0;
    float *x = render(script, 256) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    double worst_db = 0, worst_law = 0;
    int ok = x && ch == 6 && frames >= 48000;
    for (int k = 0; ok && k < 100; k++) {
        const float *f = x + (size_t)(k * 480 + 240) * 6;
        double sum = 0, want[6];
        for (int c = 0; c < 6; c++)
            if (c != LFE)
                sum += (f[c] / DC) * (f[c] / DC);
        worst_db = fmax(worst_db, fabs(10 * log10(sum)));
        law_51(position_x(k), position_y(k), want);
        for (int c = 0; c < 6; c++)
            worst_law = fmax(worst_law, fabs(f[c] / DC - want[c]));
    }
    check(ok && worst_db <= 0.01, "moving pan, 100 positions: total power 0 dB within 0.01 dB (sum of squares, 5.1)",
          "worst %g dB", worst_db);
    check(ok && worst_law <= 1e-6, "moving pan, 100 positions: each channel = the 5.1 law within 1e-6",
          "worst %g", worst_law);
    printf("# moving: worst power %.3g dB, worst gain error %.3g\n", worst_db, worst_law);
    free(x);
}

/* 20 strips at static positions, each into its own 5.1 bus */
static void test_power_static(void)
{
    char script[16384];
    size_t n = (size_t)snprintf(script, sizeof script, "session { rate = 48000, length = \"64smp\" }\n");
    for (int k = 0; k < 20; k++)
        n += (size_t)snprintf(script + n, sizeof script - n,
                              "local b%d = bus \"B%d\" { " LAYOUT_51 " }\n"
                              "track \"T%d\" { channels = 1, to = b%d, pan = %.17g, pan_fr = %.17g }:clip { \"dc.wav\", at = 0 }\n"
                              "output { \"out%d.wav\", from = b%d, format = \"wav32f\" }\n",
                              k, k, k, k, position_x(5 * k), position_y(5 * k), k, k);
    double worst_db = 0, worst_law = 0;
    int ok = render(script, 64) == 0;
    for (int k = 0; ok && k < 20; k++) {
        char name[32];
        snprintf(name, sizeof name, "out%d.wav", k);
        int frames = 0, ch = 0;
        float *x = read_wav(name, &frames, &ch);
        ok = x && ch == 6;
        double sum = 0, want[6];
        law_51(position_x(5 * k), position_y(5 * k), want);
        for (int c = 0; ok && c < 6; c++) {
            if (c != LFE)
                sum += (x[32 * 6 + c] / DC) * (x[32 * 6 + c] / DC);
            worst_law = fmax(worst_law, fabs(x[32 * 6 + c] / DC - want[c]));
        }
        worst_db = fmax(worst_db, fabs(10 * log10(sum)));
        free(x);
    }
    check(ok && worst_db <= 0.01, "static pan, 20 positions: total power 0 dB within 0.01 dB", "worst %g dB", worst_db);
    check(ok && worst_law <= 1e-6, "static pan, 20 positions: each channel = the 5.1 law within 1e-6", "worst %g",
          worst_law);
}

/* a pan ramp across the front and back: every sample against the law */
static void test_ramp_follows_law(void)
{
    const char *script = "session { rate = 48000, length = \"48000smp\" }\n"
                         "local pm = bus \"PM\" { " LAYOUT_51 " }\n"
                         "local t = track \"T\" { channels = 1, to = pm, pan = -1, pan_fr = 1 }\n"
                         "t:clip { \"dc.wav\", at = 0 }\n"
                         "t.pan:ramp { at = \"1000smp\", to = 1, over = \"20000smp\" }\n"
                         "t.pan_fr:ramp { at = \"4000smp\", to = -1, over = \"30000smp\" }\n"
                         "output { \"out.wav\", from = pm, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 333) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
    double worst = 0, worst_corner = 0, worst_db = 0;
    for (int i = 0; x && i < 48000; i++) {
        double px = i < 1000 ? -1 : i >= 21000 ? 1 : -1 + 2.0 * (i - 1000) / 20000;
        double py = i < 4000 ? 1 : i >= 34000 ? -1 : 1 - 2.0 * (i - 4000) / 30000;
        double want[6], sum = 0;
        law_51(px, py, want);
        /* x passes C (x = 0) at sample 11000, inside the cell [10976, 11008) */
        int corner = i >= 10976 && i < 11008;
        for (int c = 0; c < 6; c++) {
            double e = fabs(x[(size_t)i * 6 + c] / DC - want[c]);
            if (corner)
                worst_corner = fmax(worst_corner, e);
            else
                worst = fmax(worst, e);
            if (c != LFE)
                sum += (x[(size_t)i * 6 + c] / DC) * (x[(size_t)i * 6 + c] / DC);
        }
        worst_db = fmax(worst_db, fabs(10 * log10(sum)));
    }
    check(x && worst <= 1e-5, "ramps of pan and pan_fr: every sample within 1e-5 of the law (knots every 32 samples)",
          "worst %g", worst);
    check(x && worst_corner <= 1e-3, "ramps: within 1e-3 of the law in the cell where the source passes C",
          "worst %g", worst_corner);
    check(x && worst_db <= 0.01, "ramps: total power 0 dB within 0.01 dB at every sample", "worst %g dB", worst_db);
    printf("# ramp: worst gain error %.3g (%.3g passing C), power %.3g dB\n", worst, worst_corner, worst_db);
    free(x);
}

/* Reads `name` and returns its channels by speaker, through libsndfile's
 * channel map (the file's WAVE_FORMAT_EXTENSIBLE mask): out[k] is the file
 * channel of speakers[k], -1 when the file has none. */
static float *read_by_speaker(const char *name, const int *speakers, int n, int *out, int *frames, int *channels)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f)
        return NULL;
    int map[16] = {0};
    int have = info.channels <= 16 && sf_command(f, SFC_GET_CHANNEL_MAP_INFO, map, info.channels * (int)sizeof(int));
    for (int k = 0; k < n; k++) {
        out[k] = -1;
        for (int c = 0; have && c < info.channels; c++)
            if (map[c] == speakers[k])
                out[k] = c;
    }
    float *buf = malloc((size_t)info.frames * (size_t)info.channels * sizeof *buf + 1);
    sf_readf_float(f, buf, info.frames);
    sf_close(f);
    *frames = (int)info.frames;
    *channels = info.channels;
    return buf;
}

/* each speaker's place, static and moving to it, in LCR, 5.0, 5.1 and 7.1:
 * only that channel, found by the file's channel mask */
static void test_at_speakers(void)
{
    static const struct {
        const char *layout, *name;
        int n, lfe;
        const char *names[8];
        double x[8], y[8];
        int sf[8];
    } lay[] = {
        {"layout = \"LCR\"", "LCR", 3, -1, {"L", "R", "C"}, {-1, 1, 0}, {1, 1, 1},
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER}},
        {"layout = \"5.0\"", "5.0", 5, -1, {"L", "R", "C", "Ls", "Rs"}, {-1, 1, 0, -1, 1}, {1, 1, 1, -1, -1},
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_SIDE_LEFT,
          SF_CHANNEL_MAP_SIDE_RIGHT}},
        {LAYOUT_51, "5.1", 6, LFE, {"L", "R", "C", "LFE", "Ls", "Rs"}, {-1, 1, 0, 0, -1, 1}, {1, 1, 1, 0, -1, -1},
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
          SF_CHANNEL_MAP_SIDE_LEFT, SF_CHANNEL_MAP_SIDE_RIGHT}},
        {LAYOUT_71, "7.1", 8, LFE, {"L", "R", "C", "LFE", "Lss", "Rss", "Lrs", "Rrs"}, {-1, 1, 0, 0, -1, 1, -1, 1},
         {1, 1, 1, 0, 0, 0, -1, -1},
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
          SF_CHANNEL_MAP_SIDE_LEFT, SF_CHANNEL_MAP_SIDE_RIGHT, SF_CHANNEL_MAP_REAR_LEFT, SF_CHANNEL_MAP_REAR_RIGHT}},
    };
    for (int li = 0; li < (int)(sizeof lay / sizeof lay[0]); li++)
        for (int moving = 0; moving < 2; moving++) {
            char script[8192];
            size_t n = (size_t)snprintf(script, sizeof script, "session { rate = 48000, length = \"4096smp\" }\n");
            int nb = 0;
            for (int k = 0; k < lay[li].n; k++) {
                if (k == lay[li].lfe)
                    continue;
                if (!moving)
                    n += (size_t)snprintf(script + n, sizeof script - n,
                                          "local b%d = bus \"B%d\" { %s }\n"
                                          "track \"T%d\" { channels = 1, to = b%d, pan = %g, pan_fr = %g }:clip { \"dc.wav\", at = 0 }\n",
                                          k, k, lay[li].layout, k, k, lay[li].x[k], lay[li].y[k]);
                else /* arriving there by a ramp that ends at sample 1000 */
                    n += (size_t)snprintf(script + n, sizeof script - n,
                                          "local b%d = bus \"B%d\" { %s }\n"
                                          "local t%d = track \"T%d\" { channels = 1, to = b%d, pan = 0.3, pan_fr = 0.1 }\n"
                                          "t%d:clip { \"dc.wav\", at = 0 }\n"
                                          "t%d.pan:ramp { at = \"100smp\", to = %g, over = \"900smp\" }\n"
                                          "t%d.pan_fr:ramp { at = \"200smp\", to = %g, over = \"800smp\" }\n",
                                          k, k, lay[li].layout, k, k, k, k, k, lay[li].x[k], k, lay[li].y[k]);
                n += (size_t)snprintf(script + n, sizeof script - n,
                                      "output { \"at%d.wav\", from = b%d, format = \"wav24\" }\n", k, k);
                nb++;
            }
            int ok = render(script, 100) == 0, bad = 0, unmapped = 0;
            for (int k = 0; ok && k < lay[li].n; k++) {
                if (k == lay[li].lfe)
                    continue;
                char name[32];
                snprintf(name, sizeof name, "at%d.wav", k);
                int where[8], frames = 0, ch = 0;
                float *x = read_by_speaker(name, lay[li].sf, lay[li].n, where, &frames, &ch);
                if (!x || ch != lay[li].n) {
                    ok = 0;
                    free(x);
                    break;
                }
                for (int j = 0; j < lay[li].n; j++) {
                    if (where[j] < 0) {
                        unmapped++;
                        continue;
                    }
                    for (int i = 1000; i < frames; i++) {
                        double v = x[(size_t)i * ch + where[j]] / DC;
                        /* its own channel at 0 dB (a 24-bit file: within 1e-6), the others below -90 dB */
                        if (j == k ? fabs(v - 1) > 1e-6 : fabs(v) > pow(10, -90 / 20.0)) {
                            if (bad++ < 3)
                                printf("# %s at %s: channel %s has %g at sample %d\n", lay[li].name,
                                       lay[li].names[k], lay[li].names[j], v, i);
                            break;
                        }
                    }
                }
                free(x);
            }
            char what[200];
            snprintf(what, sizeof what, "%s: a source %s each speaker's place is in that channel only (by the file's "
                     "channel mask, read with libsndfile)", lay[li].name, moving ? "moving to" : "at");
            check(ok && bad == 0 && unmapped == 0, what, "%d channels wrong, %d not in the mask (render %s)", bad,
                  unmapped, ok ? "ok" : "failed");
            (void)nb;
        }
}

#define VOICES "/usr/share/sounds/alsa/"

static void test_voices(void)
{
    static const struct {
        const char *layout, *name;
        int nch, n;
        const char *voice[7];
        double x[7], y[7];
        int sf[7];
    } lay[] = {
        {LAYOUT_51, "5.1", 6, 5, {"Front_Left", "Front_Right", "Front_Center", "Side_Left", "Side_Right"},
         {-1, 1, 0, -1, 1}, {1, 1, 1, -1, -1},
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_SIDE_LEFT,
          SF_CHANNEL_MAP_SIDE_RIGHT}},
        {LAYOUT_71, "7.1", 8, 7, {"Front_Left", "Front_Right", "Front_Center", "Side_Left", "Side_Right", "Rear_Left",
                           "Rear_Right"},
         {-1, 1, 0, -1, 1, -1, 1}, {1, 1, 1, 0, 0, -1, -1},
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_SIDE_LEFT,
          SF_CHANNEL_MAP_SIDE_RIGHT, SF_CHANNEL_MAP_REAR_LEFT, SF_CHANNEL_MAP_REAR_RIGHT}},
    };
    FILE *probe = fopen(VOICES "Front_Left.wav", "rb");
    if (!probe) {
        printf("skip - the alsa-utils voices: not installed (scripts/install-deps.sh test)\n");
        return;
    }
    fclose(probe);
    for (int li = 0; li < 2; li++) {
        char script[4096];
        size_t n = (size_t)snprintf(script, sizeof script, "session { rate = 48000 }\nlocal b = bus \"B\" { %s }\n",
                                    lay[li].layout);
        for (int k = 0; k < lay[li].n; k++)
            n += (size_t)snprintf(script + n, sizeof script - n,
                                  "track \"%s\" { channels = 1, to = b, pan = %g, pan_fr = %g }:clip { \"" VOICES
                                  "%s.wav\", at = 0 }\n",
                                  lay[li].voice[k], lay[li].x[k], lay[li].y[k], lay[li].voice[k]);
        snprintf(script + n, sizeof script - n, "output { \"voices.wav\", from = b, format = \"wav24\" }\n");
        int where[7], frames = 0, ch = 0, bad = 0;
        float *x = render(script, 1000) == 0 ? read_by_speaker("voices.wav", lay[li].sf, lay[li].n, where, &frames, &ch)
                                             : NULL;
        double floor = pow(10, -90 / 20.0);
        for (int k = 0; x && k < lay[li].n; k++) {
            char path[256];
            snprintf(path, sizeof path, VOICES "%s.wav", lay[li].voice[k]);
            int vf = 0, vc = 0;
            float *v = read_path(path, &vf, &vc);
            double peak = 0, rest = 0;
            for (int i = 0; v && where[k] >= 0 && i < frames; i++) {
                double want = i < vf ? v[(size_t)i * vc] : 0, got = x[(size_t)i * ch + where[k]];
                peak = fmax(peak, fabs(got));
                rest = fmax(rest, fabs(got - want));
            }
            if (!v || where[k] < 0 || peak < 0.03 || rest >= floor) {
                printf("# %s %s: %s, peak %g, rest %g\n", lay[li].name, lay[li].voice[k],
                       where[k] < 0 ? "no channel in the mask" : "found", peak, rest);
                bad++;
            }
            free(v);
        }
        char what[200];
        snprintf(what, sizeof what, "%s: each alsa-utils voice at its speaker is in the channel of that name only "
                 "(libsndfile, by the channel mask; rest below -90 dBFS)", lay[li].name);
        check(x && ch == lay[li].nch && bad == 0, what, "%d voices wrong", bad);
        free(x);
    }
}

/* spread, centre, LFE and a stereo source's width, static */
static void test_settings(void)
{
    const char *script = "session { rate = 48000, length = \"64smp\" }\n"
                         "local a = bus \"A\" { " LAYOUT_51 " }\n"
                         "local b = bus \"B\" { " LAYOUT_51 " }\n"
                         "local c = bus \"C\" { " LAYOUT_51 " }\n"
                         "local s = bus \"S\" { " LAYOUT_51 " }\n"
                         "track \"SPREAD\" { channels = 1, to = a, pan = -0.3, pan_fr = 0.2, pan_spread = 1 }:clip { \"dc.wav\", at = 0 }\n"
                         "track \"PHANTOM\" { channels = 1, to = b, pan_center = 0, pan_lfe = -10 }:clip { \"dc.wav\", at = 0 }\n"
                         "track \"HALF\" { channels = 1, to = c, pan = -1, pan_spread = 0.5 }:clip { \"dc.wav\", at = 0 }\n"
                         "track \"ST\" { channels = 2, to = s }:clip { \"dc2.wav\", at = 0 }\n"
                         "output { \"a.wav\", from = a, format = \"wav32f\" }\n"
                         "output { \"b.wav\", from = b, format = \"wav32f\" }\n"
                         "output { \"c.wav\", from = c, format = \"wav32f\" }\n"
                         "output { \"s.wav\", from = s, format = \"wav32f\" }\n";
    if (render(script, 64) != 0) {
        check(0, "spread, centre, LFE and width render", "render failed");
        return;
    }
    int frames = 0, ch = 0;
    float *x = read_wav("a.wav", &frames, &ch);
    double worst = 0;
    for (int c = 0; x && c < 6; c++)
        worst = fmax(worst, fabs(x[6 * 10 + c] / DC - (c == LFE ? 0 : 1 / sqrt(5))));
    check(x && worst <= 1e-6, "spread 1: every full-range channel 1/sqrt(5) (power even over the five)", "worst %g",
          worst);
    free(x);
    x = read_wav("b.wav", &frames, &ch);
    check(x && fabs(x[60 + L] / DC - cos(M_PI / 4)) <= 1e-6 && fabs(x[60 + R] / DC - cos(M_PI / 4)) <= 1e-6 &&
              x[60 + C] == 0,
          "centre off at front centre: L = R = cos(pi / 4), C exactly 0 (phantom centre)", "L %g R %g C %g",
          x ? x[60 + L] / DC : 0, x ? x[60 + R] / DC : 0, x ? x[60 + C] / DC : 0);
    check(x && fabs(x[60 + LFE] / DC - pow(10, -10 / 20.0)) <= 1e-6, "pan_lfe -10 dB: the LFE at 10^(-10/20)",
          "LFE %g", x ? x[60 + LFE] / DC : 0);
    free(x);
    x = read_wav("c.wav", &frames, &ch);
    check(x && fabs(x[60 + L] / DC - sqrt(0.6)) <= 1e-6 && fabs(x[60 + RS] / DC - sqrt(0.1)) <= 1e-6,
          "spread 0.5 at L: L = sqrt(0.5 + 0.5 / 5), Rs = sqrt(0.5 / 5) (docs/surround.md)", "L %g Rs %g",
          x ? x[60 + L] / DC : 0, x ? x[60 + RS] / DC : 0);
    free(x);
    x = read_wav("s.wav", &frames, &ch);
    int only = x != NULL;
    for (int c = 0; x && c < 6; c++)
        only &= x[60 + c] == (c == L ? (float)DC : c == R ? (float)(-DC / 2) : 0.0f);
    check(only, "stereo source, width 1, front centre: left in L only, right in R only, at unity", "differs");
    free(x);
}

/* a send with a moving level follows the moving surround pan */
static const char *moving_script =
    "session { rate = 48000, length = \"20000smp\" }\n"
    "local pm = bus \"PM\" { " LAYOUT_51 " }\n"
    "local fx = bus \"FX\" { " LAYOUT_71 " }\n"
    "local verb = bus \"VERB\" { " LAYOUT_51 " }\n"
    "local t = track \"T\" { channels = 1, to = pm, pan = -0.5, pan_lfe = -20 }\n"
    "t:clip { \"dc.wav\", at = 0 }\n"
    "t.pan:ramp { at = \"1000smp\", to = 0.8, over = \"5000smp\" }\n"
    "t.pan_fr:ramp { at = \"3000smp\", to = -0.6, over = \"7000smp\", shape = \"s_curve\" }\n"
    "t.pan_spread:ramp { at = \"5000smp\", to = 0.7, over = \"3001smp\" }\n"
    "t.pan_center:ramp { at = \"9000smp\", to = 0.2, over = \"2000smp\" }\n"
    "t.pan_lfe:ramp { at = \"12000smp\", to = -3, over = \"1000smp\" }\n"
    "local lv = t:send(verb, -6)\n"
    "lv:ramp { at = \"2000smp\", to = -12, over = \"4000smp\" }\n"
    "local s = track \"S\" { channels = 2, to = fx, pan_fr = 0.5 }\n"
    "s:clip { \"dc2.wav\", at = 0 }\n"
    "s.pan_width:ramp { at = \"500smp\", to = 0.1, over = \"9000smp\" }\n"
    "s.pan:set { at = \"15001smp\", to = 0.4 }\n"
    "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n"
    "output { \"fx.wav\", from = fx, format = \"wav32f\" }\n"
    "output { \"verb.wav\", from = verb, format = \"wav32f\" }\n";

static void test_send_follows(void)
{
    int f1 = 0, f2 = 0, ch = 0;
    float *pm = render(moving_script, 512) == 0 ? read_wav("pm.wav", &f1, &ch) : NULL;
    float *vb = pm ? read_wav("verb.wav", &f2, &ch) : NULL;
    double worst = 0;
    for (int i = 0; vb && i < f1 && i < f2; i++) {
        double lv = i < 2000 ? -6 : i >= 6000 ? -12 : -6 - 6.0 * (i - 2000) / 4000;
        for (int c = 0; c < 6; c++)
            worst = fmax(worst, fabs(vb[(size_t)i * 6 + c] - pm[(size_t)i * 6 + c] * pow(10, lv / 20)));
    }
    check(vb && worst <= 1e-6, "a send follows the moving surround pan, times its moving level (within 1e-6)",
          "worst %g", worst);
    free(pm);
    free(vb);
}

/* ---- a moving pan drawn between knots, sample by sample against the law ----
 *
 * docs/surround.md: the gains are exact at each knot and run in a straight
 * line toward the gains the moves reach at the next knot. Knots: every
 * start and end of a move and every set, and, while something moves, the
 * multiples of the grid: 32, or for a point source whose only moves are
 * straight moves of x and width, the largest power of two up to 1024 for
 * which those moves together change x by at most 1.8e-3 between knots.
 * The cases below state their moves; the law is dsp_surround_pan_mono /
 * _stereo (tested against libm in test_surround_pan) at the lanes' values
 * (vm_auto_value: the automation as `dubstage automation` reads it). */

typedef struct {
    int64_t start, end; /* [start, end): the move runs */
    int lane;           /* 0 pan, 1 pan_fr, 2 spread, 3 centre, 4 lfe, 5 width */
    double per_sample;  /* |dv| per sample of a straight move; HUGE_VAL for other shapes */
} pan_move;

typedef struct {
    const char *what, *strip, *file;
    const dsp_speaker *spk;
    int nch, nsrc;
    double statics[6]; /* the values of the lanes that have no moves */
    int point;         /* spread 0, centre 0 or 1, y, spread, centre, LFE fixed: the coarser grid may apply */
    const pan_move *moves;
    int nmoves;
    const int64_t *sets; /* jumps: knots, where the moves before are carried on for the line's end */
    int nsets;
    int64_t length;
} pan_case;

static const char *const lane_suffix[6] = {"pan", "pan_fr", "pan_spread", "pan_center", "pan_lfe", "pan_width"};

/* The strip's lane values at sample n. */
static void case_values(const pan_case *pc, const vm_auto_list *list, int64_t n, double v[6])
{
    for (int k = 0; k < 6; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s.%s", pc->strip, lane_suffix[k]);
        v[k] = pc->statics[k];
        for (int i = 0; i < list->n; i++)
            if (strcmp(list->lanes[i].name, name) == 0)
                v[k] = vm_auto_value(&list->lanes[i], n);
    }
}

/* What the bus gets from the strip's source (dc.wav / dc2.wav) for values v. */
static void case_law(const pan_case *pc, const dsp_surround_pan *sp, const double v[6], double *out)
{
    dsp_surround_pan_setting set = {.x = v[0], .y = v[1], .spread = v[2], .centre = v[3], .lfe_db = v[4],
                                    .width = v[5]};
    double l[DSP_SURROUND_PAN_MAX_SPEAKERS], r[DSP_SURROUND_PAN_MAX_SPEAKERS];
    if (pc->nsrc == 1)
        dsp_surround_pan_mono(sp, &set, l);
    else
        dsp_surround_pan_stereo(sp, &set, l, r);
    for (int c = 0; c < pc->nch; c++)
        out[c] = pc->nsrc == 1 ? l[c] * DC : l[c] * DC + r[c] * (-DC / 2);
}

/* The knot stretch [*k0, *k1) that holds n; returns whether something moves in it. */
static int case_cell(const pan_case *pc, int64_t n, int64_t *k0, int64_t *k1)
{
    int64_t lo = 0, hi = pc->length;
    double per_sample = 0;
    int moving = 0, straight_xw = 1;
    for (int i = 0; i < pc->nmoves; i++) {
        const pan_move *m = &pc->moves[i];
        int64_t b[2] = {m->start, m->end};
        for (int j = 0; j < 2; j++) {
            lo = b[j] <= n && b[j] > lo ? b[j] : lo;
            hi = b[j] > n && b[j] < hi ? b[j] : hi;
        }
        if (m->start <= n && n < m->end) {
            moving = 1;
            if (m->lane == 0 || m->lane == 5)
                per_sample += m->per_sample;
            else
                straight_xw = 0;
        }
    }
    for (int i = 0; i < pc->nsets; i++) {
        lo = pc->sets[i] <= n && pc->sets[i] > lo ? pc->sets[i] : lo;
        hi = pc->sets[i] > n && pc->sets[i] < hi ? pc->sets[i] : hi;
    }
    int64_t grid = 32;
    while (pc->point && straight_xw && grid < 1024 && per_sample * (double)(2 * grid) <= 1.8e-3)
        grid *= 2;
    if (moving) {
        lo = n / grid * grid > lo ? n / grid * grid : lo;
        hi = n / grid * grid + grid < hi ? n / grid * grid + grid : hi;
    }
    *k0 = lo, *k1 = hi;
    return moving;
}

static void check_case(const pan_case *pc, const vm_auto_list *list, const float *x, int frames, int ch)
{
    dsp_surround_pan sp;
    double worst_line = 0, worst_law = 0, worst_smooth = 0, worst_corner = 0, worst_over = -1;
    int ncorner = 0, nslow = 0, ncells = 0, ok = x && ch == pc->nch && frames >= pc->length &&
                                      dsp_surround_pan_init(&sp, pc->spk, pc->nch) == 0;
    int64_t max_cell = 0;
    static double law[1025][DSP_SURROUND_PAN_MAX_SPEAKERS];
    for (int64_t k0 = 0, k1; ok && k0 < pc->length; k0 = k1) {
        int moving = case_cell(pc, k0, &k0, &k1);
        int64_t h = k1 - k0;
        if (!moving) { /* a hold: the law's one value */
            for (int64_t i = k0; i < k1; i++) {
                double v[6], g[DSP_SURROUND_PAN_MAX_SPEAKERS];
                case_values(pc, list, i, v);
                case_law(pc, &sp, v, g);
                for (int c = 0; c < pc->nch; c++)
                    worst_line = fmax(worst_line, fabs(x[(size_t)i * ch + c] - g[c]));
            }
            continue;
        }
        ok = h <= 1024;
        ncells++;
        max_cell = h > max_cell ? h : max_cell;
        /* the law at every sample of the cell and, at k1, where its moves
         * arrive: at a set, the moves carried on (these cases' moves are
         * straight there: on from the two samples before) */
        double ends[2][6]; /* the values at k0 and where the moves arrive at k1 */
        for (int64_t i = k0; ok && i <= k1; i++) {
            double v[6];
            case_values(pc, list, i, v);
            int is_set = 0;
            for (int j = 0; j < pc->nsets; j++)
                is_set |= pc->sets[j] == k1;
            if (i == k1 && is_set && h >= 2) {
                double a[6], b[6];
                case_values(pc, list, k1 - 1, a);
                case_values(pc, list, k1 - 2, b);
                for (int k = 0; k < 6; k++)
                    v[k] = 2 * a[k] - b[k];
            }
            case_law(pc, &sp, v, law[i - k0]);
            if (i == k0 || i == k1)
                memcpy(ends[i == k1], v, sizeof v);
        }
        /* the chord bound of linear interpolation: within max(h^2 / 8, h / 2)
         * times the largest second difference of the law in the cell (a
         * corner shows as a spike of it) */
        double d2 = 0;
        for (int64_t i = k0 + 1; i < k1; i++)
            for (int c = 0; c < pc->nch; c++)
                d2 = fmax(d2, fabs(law[i - 1 - k0][c] - 2 * law[i - k0][c] + law[i + 1 - k0][c]));
        double bound = 1e-6 + fmax((double)h * (double)h / 8, (double)h / 2) * d2;
        /* a point source's cell in which x and width move its points (x -+
         * width, or x) by at most 1.8e-3 (the coarser grid's step): smooth
         * unless a point meets a speaker's x (-1, 0, 1) in it */
        int slow = pc->point && fabs(ends[1][0] - ends[0][0]) + fabs(ends[1][5] - ends[0][5]) <= 1.8e-3, corner = 0;
        for (int side = 0; slow && side < pc->nsrc; side++) {
            double w = pc->nsrc == 1 ? 0 : side ? 1 : -1;
            double p0 = ends[0][0] + w * ends[0][5], p1 = ends[1][0] + w * ends[1][5];
            for (int sx = -1; sx <= 1; sx++)
                corner |= (p0 - sx) * (p1 - sx) <= 0;
        }
        nslow += slow;
        ncorner += corner;
        for (int64_t i = k0; i < k1; i++)
            for (int c = 0; c < pc->nch; c++) {
                double got = x[(size_t)i * ch + c];
                double line = law[0][c] + (law[h][c] - law[0][c]) * (double)(i - k0) / (double)h;
                double e = fabs(got - law[i - k0][c]);
                worst_line = fmax(worst_line, fabs(got - line));
                worst_law = fmax(worst_law, e);
                worst_over = fmax(worst_over, e - bound);
                if (slow && corner)
                    worst_corner = fmax(worst_corner, e);
                else if (slow)
                    worst_smooth = fmax(worst_smooth, e);
            }
    }
    char name[300];
    snprintf(name, sizeof name, "%s: every sample on the line from the law at its knot toward the law at the next (within 1e-6)", pc->what);
    check(ok && worst_line <= 1e-6, name, "worst %g", worst_line);
    snprintf(name, sizeof name, "%s: every sample within the chord bound of the law (1e-6 + max(h^2/8, h/2) x its largest second difference in the cell)", pc->what);
    check(ok && worst_over <= 0, name, "over by %g", worst_over);
    if (nslow > 0) {
        snprintf(name, sizeof name, "%s: in the %d cells (of %d, knots up to %lld apart) where the points move by at most 1.8e-3, within 1e-6 of the law, 7.1e-4 in the %d where one passes a speaker", pc->what, nslow, ncells, (long long)max_cell, ncorner);
        check(ok && worst_smooth <= 1e-6 && worst_corner <= 7.1e-4, name, "smooth %g, passing a speaker %g",
              worst_smooth, worst_corner);
    }
    printf("# %s: %d moving cells (longest %lld), worst against the law %.3g (%d slow cells: %.3g, %d passing a speaker: %.3g), against the line %.3g\n",
           pc->what, ncells, (long long)max_cell, worst_law, nslow, worst_smooth, ncorner, worst_corner, worst_line);
}

static const dsp_speaker spk51[] = {
    {DSP_SPEAKER_FULL, -1, 1}, {DSP_SPEAKER_FULL, 1, 1},   {DSP_SPEAKER_CENTRE, 0, 1},
    {DSP_SPEAKER_LFE, 0, 0},   {DSP_SPEAKER_FULL, -1, -1}, {DSP_SPEAKER_FULL, 1, -1},
};
/* 7.1 in the file's order (WAVE_FORMAT_EXTENSIBLE's mask order: the rear
 * pair Lrs Rrs before the side pair Lss Rss) */
static const dsp_speaker spk71_file[] = {
    {DSP_SPEAKER_FULL, -1, 1},  {DSP_SPEAKER_FULL, 1, 1},  {DSP_SPEAKER_CENTRE, 0, 1},
    {DSP_SPEAKER_LFE, 0, 0},    {DSP_SPEAKER_FULL, -1, -1}, {DSP_SPEAKER_FULL, 1, -1},
    {DSP_SPEAKER_FULL, -1, 0}, {DSP_SPEAKER_FULL, 1, 0},
};

/* jumps and moves that start and end off the grid; a slow stereo sweep (as
 * the film benchmark's effects) whose knots the coarser grid spaces: 512
 * apart, 256 while the width moves too (30000 to 130000), 64 on the faster
 * move after the jump at 150001, where both points pass C */
static const char *jump_script =
    "session { rate = 48000, length = \"192000smp\" }\n"
    "local pm = bus \"PM\" { " LAYOUT_51 " }\n"
    "local fx = bus \"FX\" { " LAYOUT_71 " }\n"
    "local t = track \"T\" { channels = 1, to = pm, pan = -1, pan_fr = 0.3 }\n"
    "t:clip { \"dc.wav\", at = 0 }\n"
    "t.pan:ramp { at = \"1000smp\", to = 1, over = \"9000smp\" }\n"
    "t.pan:set { at = \"4011smp\", to = -0.2 }\n"
    "t.pan:ramp { at = \"6000smp\", to = 0.9, over = \"3333smp\" }\n"
    "t.pan:ramp { at = \"9333smp\", to = -1, over = \"5000smp\" }\n"
    "t.pan_spread:ramp { at = \"2050smp\", to = 0.5, over = \"5000smp\" }\n"
    "t.pan_fr:set { at = \"7790smp\", to = -0.4 }\n"
    "local s = track \"S\" { channels = 2, to = fx, pan = -0.5, pan_width = 0.4, pan_fr = 0.2 }\n"
    "s:clip { \"dc2.wav\", at = 0 }\n"
    "s:clip { \"dc2.wav\", at = \"48000smp\" }\n"
    "s:clip { \"dc2.wav\", at = \"96000smp\" }\n"
    "s:clip { \"dc2.wav\", at = \"144000smp\" }\n"
    "s.pan:ramp { at = 0, to = 1, over = \"480000smp\" }\n"
    "s.pan_width:ramp { at = \"30000smp\", to = 0.1, over = \"100000smp\" }\n"
    "s.pan:set { at = \"150001smp\", to = 0.5 }\n"
    "s.pan:ramp { at = \"150001smp\", to = -0.5, over = \"48000smp\" }\n"
    "output { \"pj.wav\", from = pm, format = \"wav32f\" }\n"
    "output { \"fj.wav\", from = fx, format = \"wav32f\" }\n";

static void test_lines_follow_law(void)
{
    /* moving_script (test_send_follows): every setting of a mono source moving
     * (an S-curve among them), a stereo source's width */
    static const pan_move mt[] = {{1000, 6000, 0, 1.3 / 5000}, {3000, 10000, 1, HUGE_VAL}, {5000, 8001, 2, 0.7 / 3001},
                                  {9000, 11000, 3, 0.8 / 2000}, {12000, 13000, 4, 17.0 / 1000}};
    static const pan_move ms[] = {{500, 9500, 5, 0.9 / 9000}};
    static const int64_t ms_sets[] = {15001};
    /* jump_script */
    static const pan_move jt[] = {{1000, 4011, 0, 2.0 / 9000}, {6000, 9333, 0, 1.1 / 3333}, {9333, 14333, 0, 1.9 / 5000},
                                  {2050, 7050, 2, 0.5 / 5000}};
    static const int64_t jt_sets[] = {4011, 7790};
    static const pan_move js[] = {{0, 150001, 0, 1.5 / 480000}, {150001, 198001, 0, 1.0 / 48000},
                                  {30000, 130000, 5, 0.3 / 100000}};
    static const int64_t js_sets[] = {150001};
    const pan_case cases[] = {
        {"every setting moving, mono into 5.1", "T", "pm.wav", spk51, 6, 1, {-0.5, 1, 0, 1, -20, 1}, 0, mt, 5, NULL, 0, 20000},
        {"a stereo source's width moving, into 7.1", "S", "fx.wav", spk71_file, 8, 2, {0, 0.5, 0, 1, -HUGE_VAL, 1}, 1, ms, 1,
         ms_sets, 1, 20000},
        {"jumps and off-grid moves, mono into 5.1", "T", "pj.wav", spk51, 6, 1, {-1, 0.3, 0, 1, -HUGE_VAL, 1}, 0, jt, 4,
         jt_sets, 2, 20000},
        {"a slow stereo sweep with a jump, into 7.1", "S", "fj.wav", spk71_file, 8, 2, {-0.5, 0.2, 0, 1, -HUGE_VAL, 0.4}, 1, js, 3,
         js_sets, 1, 192000},
    };
    const char *scripts[] = {moving_script, moving_script, jump_script, jump_script};
    for (int k = 0; k < 4; k++) {
        vm_desc d;
        vm_auto_list list;
        char err[DS_ERR_LEN] = "";
        int frames = 0, ch = 0;
        float *x = render(scripts[k], 1000) == 0 ? read_wav(cases[k].file, &frames, &ch) : NULL;
        ds_result r = collect_lanes(scripts[k], &d, &list, err);
        if (r != DS_OK)
            printf("# lanes: %s\n", err);
        check_case(&cases[k], &list, r == DS_OK ? x : NULL, frames, ch);
        if (r == DS_OK) {
            vm_automation_free(&list);
            vm_desc_free(&d);
        }
        free(x);
    }
}

static void test_block_independent(void)
{
    static const int blocks[] = {1, 64, 4096};
    const char *outs[] = {"pm.wav", "fx.wav", "verb.wav"};
    for (int o = 0; o < 3; o++) {
        int frames = 0, ch = 0;
        char what[100];
        snprintf(what, sizeof what, "every surround setting moving (%s)", outs[o]);
        free(render_blocks(moving_script, outs[o], blocks, 3, what, &frames, &ch));
    }
    const char *jump_outs[] = {"pj.wav", "fj.wav"};
    for (int o = 0; o < 2; o++) {
        int frames = 0, ch = 0;
        char what[100];
        snprintf(what, sizeof what, "jumps, off-grid moves and the coarser grid (%s)", jump_outs[o]);
        free(render_blocks(jump_script, jump_outs[o], blocks, 3, what, &frames, &ch));
    }
}

static void test_script_errors(void)
{
    expect_error_at("local t = track \"T\" { channels = 1, pan_fr = 1.5 }\n", 1,
                    "track 'T': pan_fr = 1.5 is out of range (-1 = rear to 1 = front)",
                    "pan_fr = 1.5 as an option: its range, at its line");
    expect_error_at("local t = track \"T\" { channels = 1 }\nt.pan_spread = -0.1\n", 2,
                    "pan_spread = -0.1 is out of range (0 = point source to 1 = even over the speakers)",
                    "t.pan_spread = -0.1: its range, at its line");
    expect_error_at("local t = track \"T\" { channels = 1 }\n\nt.pan_center:ramp { at = 1, to = 2, over = 1 }\n", 3,
                    "track 'T' pan_center: to = 2 is out of range (0 = phantom centre to 1 = centre speaker)",
                    "a pan_center move out of range: the parameter, its range, at its line");
    expect_error_at("local t = track \"T\" { channels = 1, pan_lfe = 30 }\n", 1,
                    "pan_lfe = 30 dB is out of range (-math.huge for silence, up to +24 dB)",
                    "pan_lfe = 30: the rule of every gain");
    expect_error_at("local t = track \"T\" { channels = 1, pan_divergence = 1 }\n", 1,
                    "unknown option 'pan_divergence'", "an unknown pan_ option is refused");
    expect_error_at("local t = track \"T\" { channels = 1 }\nt.pan_centre = 0\n", 2,
                    "did you mean 'pan_center'?", "t.pan_centre = 0 suggests pan_center");
    expect_error_at("local t = track \"T\" { channels = 1 }\nt.pan_widht:set { at = 0, to = 0 }\n", 2,
                    "did you mean 'pan_width'?", "t.pan_widht suggests pan_width");

    vm_desc d;
    vm_auto_list list;
    char err[DS_ERR_LEN] = "";
    ds_result r = collect_lanes("session { rate = 48000, length = 4 }\n"
                                "local t = track \"T\" { channels = 1 }\n"
                                "t.pan_fr:ramp { at = 1, to = -1, over = 2 }\n"
                                "t.pan_lfe:set { at = 2, to = -10 }\n",
                                &d, &list, err);
    const vm_auto_lane *fr = NULL, *lfe = NULL;
    for (int i = 0; r == DS_OK && i < list.n; i++) {
        if (strcmp(list.lanes[i].name, "T.pan_fr") == 0)
            fr = &list.lanes[i];
        if (strcmp(list.lanes[i].name, "T.pan_lfe") == 0)
            lfe = &list.lanes[i];
    }
    check(fr && lfe && strcmp(fr->unit, "-1 rear .. 1 front") == 0 && strcmp(lfe->unit, "dB") == 0 &&
              fabs(vm_auto_value(fr, 96000) - 0) < 1e-12 && vm_auto_value(lfe, 48000) <= -144 &&
              vm_auto_value(lfe, 96000) == -10,
          "dubstage automation: T.pan_fr (-1 rear .. 1 front) half way at 2 s, T.pan_lfe (dB) from silence to -10",
          "%s", r == DS_OK ? "lanes missing or wrong" : err);
    vm_automation_free(&list);
    vm_desc_free(&d);
}

/* The warnings of compiling body (mix.lua in the scratch folder); "" on
 * failure, with the message printed. */
static void compile_warnings(const char *body, char *out, size_t n)
{
    char path[512], err[DS_ERR_LEN];
    write_script(body, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    out[0] = 0;
    if (vm_script_load(path, &so, &d, err) == DS_OK && vm_compile(&d, 256, &p, err) == DS_OK)
        snprintf(out, n, "%s", p->warnings);
    else
        printf("# compile failed: %s\n", err);
    vm_plan_free(&p);
    vm_desc_free(&d);
}

static void test_warnings(void)
{
    char w[2048];
    compile_warnings("session { rate = 48000, length = 1 }\n"
                     "local st = bus \"ST\" { channels = 2 }\n"
                     "local lcr = bus \"LCR\" { layout = \"LCR\" }\n"
                     "local b = bus \"B\" { layout = \"5.1\" }\n"
                     "local c = bus \"C\" { layout = \"5.1\", to = b, pan_fr = 0 }\n"
                     "track \"T\" { channels = 1, to = st, pan_spread = 0.5 }:clip { \"dc.wav\", at = 0 }\n"
                     "track \"U\" { channels = 1, to = lcr, pan_lfe = -6 }:clip { \"dc.wav\", at = 0 }\n"
                     "track \"V\" { channels = 1, to = c, pan_lfe = -6, pan_fr = 0 }:clip { \"dc.wav\", at = 0 }\n"
                     "output { \"st.wav\", from = st }\noutput { \"lcr.wav\", from = lcr }\noutput { \"b.wav\", from = b }\n",
                     w, sizeof w);
    check(strstr(w, "mix.lua:6: track 'T' sets pan_spread, but feeds no LCR, 5.0, 5.1 or 7.1 bus") != NULL,
          "a warning: pan_spread on a strip that feeds only a stereo bus", "warnings: %s", w);
    check(strstr(w, "mix.lua:7: track 'U' sets pan_lfe, but none of the surround buses it feeds has an LFE") != NULL,
          "a warning: pan_lfe into LCR (no LFE)", "warnings: %s", w);
    check(strstr(w, "mix.lua:5: bus 'C' sets pan_fr, but has 6 channels") != NULL,
          "a warning: pan_fr on a 5.1 bus (the panner places mono and stereo strips)", "warnings: %s", w);
    check(strstr(w, "track 'V'") == NULL, "no warning for a strip whose settings are read", "warnings: %s", w);
}

int main(void)
{
    if (scratch_open("test-surround") != 0)
        return 2;
    write_wav("dc.wav", RATE, 1, RATE, dc);
    write_wav("dc2.wav", RATE, 2, RATE, dc);
    test_power_moving();
    test_power_static();
    test_ramp_follows_law();
    test_at_speakers();
    test_voices();
    test_settings();
    test_send_follows();
    test_lines_follow_law();
    test_block_independent();
    test_script_errors();
    test_warnings();
    scratch_close();
    return check_exit();
}
