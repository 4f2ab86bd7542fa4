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
 *   - block-size independence: every setting moving, mono and stereo, a
 *     send with a moving level, at --block 1, 64 and 4096 bit-identical;
 *   - the script's messages: a value out of range (option, field, move)
 *     names the line, the parameter and its range; a misspelt name gets
 *     the closest; `dubstage automation` lists the moves as STRIP.pan_fr
 *     with their units; settings that nothing reads are warned of. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    test_block_independent();
    test_script_errors();
    test_warnings();
    scratch_close();
    return check_exit();
}
