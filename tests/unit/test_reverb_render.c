/* test_reverb_render.c - t:reverb through the whole engine (script ->
 * compile -> render -> file), against:
 *   - the setting: the RT60 of the rendered impulse response, by Schroeder
 *     backward integration fitted from -5 to -35 dB, within 10 % of the
 *     script's rt60 (an aux fed by a send, undamped);
 *   - the pre-delay's arithmetic: the first non-zero output sample is
 *     exactly predelay * rate + the shortest line's length (a kernel made
 *     with the same size says that length) samples after the impulse;
 *   - invariants: mix 0 gives the render without the reverb bit for bit; a
 *     5.1 bus with every setting moving renders bit-identically at --block
 *     1, 64 and 4096, and its LFE channel is exactly 0; the speakers follow
 *     the strip's layout (7.1: a silent LFE; 6 plain channels: all ring);
 *   - messages: size and predelay cannot move (and say why), a misspelt
 *     option gets its suggestion, a value outside its row's range names the
 *     range, an unknown field lists the automatable ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/reverb.h"
#include "tests/check.h"
#include "tests/unit/schroeder.h"
#include "tests/unit/render_util.h"

#define RATE 48000

static double impulse(int i, int c) { (void)c; return i == 0 ? 1.0 : 0.0; }

static double noise6(int i, int c)
{
    unsigned u = (unsigned)i * 2654435761u ^ (unsigned)(c * 40503 + 1);
    u ^= u >> 15, u *= 2246822519u, u ^= u >> 13;
    return i < RATE / 4 ? 0.5 * (u / 4294967296.0 - 0.5) : 0.0;
}

/* RT60 of channel ch of interleaved x (channels wide, n frames). */
static double channel_rt60(const float *x, int channels, int ch, int n)
{
    double *h = malloc((size_t)n * sizeof *h);
    for (int i = 0; i < n; i++)
        h[i] = x[(size_t)i * channels + ch];
    double r = schroeder_rt60(h, n, RATE);
    free(h);
    return r;
}

static void test_decay_and_predelay(void)
{
    write_wav("impulse.wav", RATE, 1, RATE, impulse);
    const char *script =
        "session { rate = 48000, length = 4 }\n"
        "local rv = bus \"RV\" { channels = 2 }\n"
        "rv:reverb { rt60 = 1.5, damping = 1, size = 15, predelay = 0.05 }\n"
        "local t = track \"T\" { channels = 1 }\n"
        "t:clip { \"impulse.wav\", at = 0 }\n"
        "t:send(rv, 0)\n"
        "output { \"rv.wav\", from = rv, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 1024) == 0 ? read_wav("rv.wav", &frames, &ch) : NULL;
    if (!check(x && ch == 2 && frames == 4 * RATE, "an aux reverb fed by a send renders", "failed"))
        return;
    double l = channel_rt60(x, 2, 0, frames), r = channel_rt60(x, 2, 1, frames);
    char name[200];
    snprintf(name, sizeof name, "aux reverb: RT60 of the rendered response (Schroeder) L %.3f s, R %.3f s: within "
             "10 %% of 1.5 s", l, r);
    check(fabs(l - 1.5) <= 0.15 && fabs(r - 1.5) <= 0.15, name, "L %.4f R %.4f", l, r);

    dsp_reverb_shape sh = {.channels = 2, .size_m = 15, .predelay_s = 0};
    dsp_reverb_speakers_for(2, sh.speakers);
    dsp_reverb_params p = {.rt60_s = 1.5, .damping = 1, .damping_hz = 6000, .width = 1, .mix = 1};
    dsp_reverb *k = malloc(sizeof *k);
    void *mem = malloc(dsp_reverb_heap_size(RATE, &sh));
    dsp_reverb_init(k, mem, RATE, &sh, &p);
    int shortest = k->min_len;
    free(mem), free(k);
    int first = -1;
    for (int i = 0; i < frames && first < 0; i++)
        if (x[2 * i] != 0 || x[2 * i + 1] != 0)
            first = i;
    check_int(first, (int)lround(0.05 * RATE) + shortest,
              "aux reverb: first output at predelay (2400 samples) + the shortest line");
    free(x);
}

static void test_mix_zero_is_dry(void)
{
    write_wav("noise6.wav", RATE, 6, RATE, noise6);
    int f0 = 0, f1 = 0, c0 = 0, c1 = 0;
    float *dry = render_track_script(1, 6, "noise6.wav", "", 512, &f0, &c0);
    float *zero = render_track_script(1, 6, "noise6.wav", "t:reverb { mix = 0, rt60 = 3 }\n", 512, &f1, &c1);
    check(dry && zero && f0 == f1 && c0 == c1 && memcmp(dry, zero, (size_t)f0 * (size_t)c0 * sizeof *dry) == 0,
          "an insert reverb at mix 0 gives the dry render bit for bit", "differs");
    free(dry), free(zero);
}

static void test_surround_moving_blocks(void)
{
    write_wav("noise6.wav", RATE, 6, RATE, noise6);
    const char *script =
        "session { rate = 48000, length = 1 }\n"
        "local rv = bus \"RV\" { layout = \"5.1\" }\n"
        "local t = track \"T\" { layout = \"5.1\", to = rv }\n"
        "t:clip { \"noise6.wav\", at = 0 }\n"
        "local r = rv:reverb { rt60 = 1.2, size = 11, predelay = 0.007 }\n"
        "r.rt60:ramp { at = 0.1, to = 3, over = 0.4 }\n"
        "r.damping:curve { at = \"1001smp\", over = 0.5, values = { 0.5, 0.2, 0.9 } }\n"
        "r.damping_freq:set { at = \"22222smp\", to = 3000 }\n"
        "r.width:ramp { at = 0.3, to = 0.2, over = 0.2 }\n"
        "r.mix:set { at = 0.6, to = 80 }\n"
        "output { \"out.wav\", from = rv, format = \"wav32f\" }\n";
    static const int blocks[] = {1, 64, 4096};
    int frames = 0, ch = 0;
    float *first = render_blocks(script, "out.wav", blocks, 3, "5.1 reverb with every setting moving", &frames,
                                 &ch);
    if (!check(first && ch == 6, "a 5.1 reverb with moving settings renders", "failed"))
        return;
    int lfe_silent = 1;
    double other = 0;
    for (int i = 0; i < frames; i++) {
        lfe_silent &= first[6 * i + 3] == 0;
        other += fabs(first[6 * i + 4]);
    }
    check(lfe_silent && other > 0, "5.1 reverb: the LFE channel is exactly 0 (and Ls is not)", "LFE not silent");
    free(first);
}

/* The speakers come from the strip's layout: a 7.1 bus's LFE (channel 4)
 * is silent; a plain 6-channel bus has no LFE, every channel rings. */
static void test_layouts(void)
{
    write_wav("impulse.wav", RATE, 1, RATE, impulse);
    const char *base =
        "session { rate = 48000, length = 1 }\n"
        "local rv = bus \"RV\" { %s }\n"
        "local t = track \"T\" { channels = 1 }\n"
        "t:clip { \"impulse.wav\", at = 0 }\n"
        "t:send(rv, 0)\n"
        "rv:reverb { rt60 = 0.5, size = 8 }\n"
        "output { \"rv.wav\", from = rv, format = \"wav32f\" }\n";
    static const struct { const char *strip; int channels, silent; } cases[] = {
        {"layout = \"7.1\"", 8, 3}, {"channels = 6", 6, -1}};
    for (int k = 0; k < 2; k++) {
        char script[1024], name[160];
        snprintf(script, sizeof script, base, cases[k].strip);
        int frames = 0, ch = 0, ok = 0;
        float *x = render(script, 1024) == 0 ? read_wav("rv.wav", &frames, &ch) : NULL;
        if (x && ch == cases[k].channels) {
            ok = 1;
            for (int c = 0; c < ch; c++) {
                double e = 0;
                for (int i = 0; i < frames; i++)
                    e += (double)x[(size_t)i * ch + c] * x[(size_t)i * ch + c];
                ok &= c == cases[k].silent ? e == 0 : e > 0;
            }
        }
        snprintf(name, sizeof name, "reverb on a bus { %s }: %s", cases[k].strip,
                 cases[k].silent >= 0 ? "the LFE silent, the other 7 ring" : "plain channels: all 6 ring");
        check(ok, name, "%d channels rendered", ch);
        free(x);
    }
}

static void test_messages(void)
{
    const char *head = "session { rate = 48000, length = 1 }\nlocal b = bus \"B\"\n";
    char body[600];
    snprintf(body, sizeof body, "%slocal r = b:reverb { }\nr.size:set { at = 0, to = 30 }\n", head);
    expect_error_at(body, 4, "a reverb's size cannot move: it sets the lengths of the reverb's delay lines",
                    "a reverb's size cannot move, and says why");
    snprintf(body, sizeof body, "%slocal r = b:reverb { }\nr.predelay:ramp { at = 0, to = 0.1, over = 1 }\n", head);
    expect_error_at(body, 4, "a reverb's predelay cannot move", "a reverb's predelay cannot move, and says why");
    snprintf(body, sizeof body, "%sb:reverb { rt6 = 2 }\n", head);
    expect_error_at(body, 3, "rt60", "a misspelt reverb option suggests rt60");
    snprintf(body, sizeof body, "%sb:reverb { rt60 = 40 }\n", head);
    expect_error_at(body, 3, "'rt60' = 40 is out of range (0.1 to 30)", "rt60 above 30 s names its range");
    snprintf(body, sizeof body, "%sb:reverb { size = 1 }\n", head);
    expect_error_at(body, 3, "'size' = 1 is out of range (2 to 100)", "size below 2 m names its range");
    snprintf(body, sizeof body, "%slocal r = b:reverb { }\nr.decay:set { at = 0, to = 1 }\n", head);
    expect_error_at(body, 4, "(fields: rt60, damping, damping_freq, width, mix; the size and predelay are fixed)",
                    "an unknown reverb field lists the automatable ones and the fixed ones");
    snprintf(body, sizeof body, "%slocal r = b:reverb { }\nr.mix:ramp { at = 0, to = 150, over = 1 }\n", head);
    expect_error_at(body, 4, "reverb 1 mix: to = 150",
                    "a mix move above 100 % names the line, the parameter and the value");
    snprintf(body, sizeof body, "%sb:reverb { mix = 150 }\n", head);
    expect_error_at(body, 3, "'mix' = 150 is out of range (0 to 100)", "mix above 100 % names its range");
}

int main(void)
{
    if (scratch_open("test-reverb-render") != 0)
        return 2;
    test_decay_and_predelay();
    test_mix_zero_is_dry();
    test_surround_moving_blocks();
    test_layouts();
    test_messages();
    scratch_close();
    return check_exit();
}
