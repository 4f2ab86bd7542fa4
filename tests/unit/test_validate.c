/* test_validate.c - the kernels' limits, checked on the final graph
 * (vm/compile_validate.c), and the messages built from long graphs.
 *
 * Each case is a script that used to crash, or to pass channels through
 * unprocessed without a word, and must now stop with an error naming the
 * script line that made the node and the limit (the constant from the
 * kernel's header, not a copy of it); the boundary cases next to them must
 * still compile. A routing loop through 200 buses must give a message that
 * fits its buffer and still ends where the loop closes. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/delay.h"
#include "dsp/ducker.h"
#include "dsp/dynamics.h"
#include "dsp/reverb.h"
#include "dsp/transient.h"
#include "tests/check.h"
#include "vm/result.h"
#include "tests/unit/render_util.h"

static double tone(int i, int c) { (void)c; return 0.25 * sin(2 * M_PI * 100.0 * i / 48000.0); }

/* Compiles body; checks that it succeeds. */
static void expect_ok(const char *body, const char *name)
{
    char err[DS_ERR_LEN] = "";
    ds_result r = load_and_compile(body, err);
    check(r == DS_OK, name, "message: %s", err);
}

/* "takes 1 to N channels" for limit N. */
static const char *takes(int n)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "takes 1 to %d channels", n);
    return buf;
}

/* A convolution reverb: a stereo or true-stereo IR needs exactly 2
 * channels, checked on the final graph (a bus narrowed or widened after
 * the insert); a mono IR takes any strip up to VM_MAX_CHANNELS. */
static double ir_sample(int i, int c) { return i == 0 ? 1.0 / (c + 1) : 0.0; }
static void test_convolve(void)
{
    write_wav("ir2.wav", 48000, 2, 64, ir_sample);
    write_wav("ir4.wav", 48000, 4, 64, ir_sample);
    write_wav("ir1.wav", 48000, 1, 64, ir_sample);
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"R\"\n"
                    "b:convolve { \"ir2.wav\" }\n"
                    "b { channels = 1 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "a stereo-IR convolution reverb on bus 'R' takes exactly 2 channels (a stereo pair: L R), "
                    "but the bus has 1 (channels set at ", "a stereo IR on a bus narrowed to 1 channel: error names both lines");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"R\" { channels = 6 }\n"
                    "b:convolve { \"ir4.wav\" }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "a true-stereo convolution reverb on bus 'R' takes exactly 2 channels (a stereo pair: L R), "
                    "but the bus has 6",
                    "a true-stereo IR on a 6-channel bus: error");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"R\"\n"
                    "b:convolve { \"ir2.wav\" }\n"
                    "b { channels = 1 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "mix.lua:4)", "... and names the line that set the channels");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"R\" { channels = 64 }\n"
              "b:convolve { \"ir1.wav\" }\n"
              "output { \"out/b.wav\", from = b }\n",
              "a mono IR on a 64-channel bus compiles");
}

/* Issue 10's repro: a transient shaper with a moving attack on a bus
 * widened to 64 channels after the insert was made (SIGSEGV before). */
static void test_transient(void)
{
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "local s = b:transient { attack = 3 }\n"
                    "s.attack:ramp { at = 0.1, to = 9, over = 0.5 }\n"
                    "b { channels = 64 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, takes(DSP_TRANSIENT_MAX_CHANNELS), "transient with a ramp on a bus widened to 64: error");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "b:transient { sustain = -6 }\n"
                    "b { channels = 33 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "mix.lua:4)", "static transient on a bus widened to 33: error names the line that widened it");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"B\"\n"
              "b:transient { sustain = -6 }\n"
              "b { channels = 32 }\n"
              "output { \"out/b.wav\", from = b }\n",
              "transient on a bus widened to exactly the limit compiles");
}

/* A delay's line: sized by the longest time its lane reaches or by max,
 * at the session rate, on the strip's channels (DSP_DELAY_MAX_LINE per
 * channel, DSP_DELAY_MAX_TOTAL in all); the loop filters below half the
 * rate. Each error names the delay's line (and a move's, where a move
 * broke it). */
static void test_delay(void)
{
    char total[80], line[80];
    snprintf(total, sizeof total, "at most %d in all", DSP_DELAY_MAX_TOTAL);
    snprintf(line, sizeof line, "at most %d", DSP_DELAY_MAX_LINE);
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\" { channels = 2 }\n"
                    "local d = b:delay { time = 0.5, max = 2 }\n"
                    "d.time:ramp { at = 0.2, to = 3, over = 0.5 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "mix.lua:4) but max = 2 s", "delay time ramped past max: error names the move's line");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\" { channels = 2 }\n"
                    "b:delay { time = 2.5, max = \"2000ms\" }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "time = 2.5 s but max = 2 s", "static delay time above max: error");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"B\" { channels = 2 }\n"
              "local d = b:delay { time = 0.5, max = 2 }\n"
              "d.time:ramp { at = 0.2, to = 2, over = 0.5 }\n"
              "output { \"out/b.wav\", from = b }\n",
              "delay time ramped to exactly max compiles");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "b:delay { time = 12 }\n"
                    "b { channels = 64 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, total, "12 s delay on a bus widened to 64 channels: error with the total bound");
    expect_error_at("session { rate = 384000, length = 0.01 }\n"
                    "local b = bus \"B\"\n"
                    "b:delay { time = 50 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, line, "50 s delay at 384 kHz: error with the per-channel bound");
    expect_error_at("session { rate = 16000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "local d = b:delay { time = 0.1, feedback = 50, lowpass = 4000 }\n"
                    "d.lowpass:ramp { at = 0.2, to = 9000, over = 0.1 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    4, "lowpass = 9000", "delay loop low-pass ramped past Nyquist: error at the move's line");
}

/* A reverb takes 1 to DSP_REVERB_MAX_CHANNELS (7.1); its damping frequency
 * stays below Nyquist, static or moving. */
static void test_reverb(void)
{
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "b:reverb { rt60 = 2 }\n"
                    "b { channels = 9 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, takes(DSP_REVERB_MAX_CHANNELS), "reverb on a bus widened to 9 channels: error");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"B\" { channels = 8 }\n"
              "b:reverb { rt60 = 2 }\n"
              "output { \"out/b.wav\", from = b }\n",
              "reverb on a 7.1 (8-channel) bus compiles");
    expect_error_at("session { rate = 16000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "b:reverb { damping_freq = 9000 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "below half the session rate", "reverb damping_freq at 9 kHz in a 16 kHz session: error");
    expect_error_at("session { rate = 16000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "local r = b:reverb { }\n"
                    "r.damping_freq:ramp { at = 0.2, to = 12000, over = 0.1 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    4, "damping_freq = 12000", "reverb damping_freq ramped past Nyquist: error at the move's line");
}

/* Issue 11: a second-order EQ on a track declared with 33 to 64 channels. */
static void test_eq(void)
{
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"T\" { channels = 33 }\n"
                    "t:eq { \"peak\", freq = 1000, gain = 3 }\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, takes(DSP_BIQUAD_MULTI_MAX), "second-order eq on a 33-channel track: error");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"T\" { channels = 64 }\n"
                    "t:eq { \"lowshelf\", freq = 200, gain = -3 }\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "second-order eq on track 'T'", "second-order eq on a 64-channel track: error");
    /* a muted strip is checked too: unmuting it in the REPL must not be
     * where the error first shows */
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\" { mute = true }\n"
                    "b:eq { \"highpass\", freq = 80 }\n"
                    "b { channels = 48 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, takes(DSP_BIQUAD_MULTI_MAX), "second-order eq on a muted bus widened to 48: error");
}

/* A Butterworth EQ runs one filter per channel: 40 channels are fine, and
 * every one of them is filtered (a 100 Hz tone under a 4th-order highpass
 * at 2 kHz loses 4 * 20 log10(20) = 104 dB; at least 60 dB on every channel,
 * the 40th as much as the 1st). */
static void test_eq_wide_butterworth(void)
{
    write_wav("wide40.wav", 48000, 40, 9600, tone);
    const char *script = "session { rate = 48000, length = 0.2 }\n"
                         "local t = track \"T\"\n"
                         "t:clip { \"wide40.wav\", at = 0 }\n"
                         "t:eq { \"highpass\", freq = 2000, order = 4 }\n"
                         "output { \"out40.wav\", from = t, format = \"wav32f\" }\n";
    int frames = 0, ch = 0;
    float *x = render(script, 512) == 0 ? read_wav("out40.wav", &frames, &ch) : NULL;
    double worst = -INFINITY;
    for (int c = 0; x && c < ch; c++) {
        double acc = 0;
        for (int i = 4800; i < frames; i++)
            acc += (double)x[(size_t)i * ch + c] * x[(size_t)i * ch + c];
        double db = 10 * log10(acc / (frames - 4800) + 1e-30) - 20 * log10(0.25 / sqrt(2));
        worst = db > worst ? db : worst;
    }
    check(x && ch == 40 && worst < -60, "order-4 highpass on a 40-channel track filters all 40 channels",
          "channels %d, loudest channel %.1f dB", ch, worst);
    free(x);
}

/* Dynamics on more channels than the kernel holds used to leave channels
 * 33 and up unprocessed. */
static void test_dynamics(void)
{
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "b:compressor { threshold = -20 }\n"
                    "b { channels = 40 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, takes(DSP_DYN_MAX_CHANNELS), "compressor on a bus widened to 40: error");
    write_wav("wide40.wav", 48000, 40, 4800, tone);
    expect_error_at("session { rate = 48000, length = 0.1 }\n"
                    "local t = track \"T\"\n"
                    "t:gate { threshold = -50 }\n"
                    "t:clip { \"wide40.wav\", at = 0 }\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "mix.lua:4)", "gate on a track that gets 40 channels from its clip: error");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local k = bus \"K\"\n"
                    "local b = bus \"B\"\n"
                    "b:expander { threshold = -40, key = k }\n"
                    "k { channels = 40 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    4, "the key of an expander", "expander keyed from a bus widened to 40: error about the key");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"B\"\n"
              "b:compressor { threshold = -20 }\n"
              "b { channels = 32 }\n"
              "output { \"out/b.wav\", from = b }\n",
              "compressor on a 32-channel bus compiles");
}

/* FLAC holds 1 to 8 channels: a wider output was refused by libsndfile
 * only when the render opened it ("Format not recognised"). Now the
 * compile says so at the output's line; 8 channels and a wide WAV compile. */
static void test_flac_channels(void)
{
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\" { channels = 10 }\n"
                    "output { \"out/b.flac\", from = b, format = \"flac24\" }\n",
                    3, "flac24, which holds 1 to 8 channels, but 'B' has 10", "flac24 output of 10 channels: error");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "output { \"out/b.flac\", from = b, format = \"flac16\" }\n"
                    "b { channels = 9 }\n",
                    3, "write it as wav24 or wav32f", "flac16 output of a bus widened to 9: error");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"B\" { channels = 8 }\n"
              "output { \"out/b.flac\", from = b, format = \"flac24\" }\n"
              "output { \"out/w.wav\", from = bus \"W\" { channels = 12 }, format = \"wav24\" }\n",
              "an 8-channel flac24 and a 12-channel wav24 compile");
}

/* A routing loop through n buses, written so that bus i feeds bus i + 1 and
 * the last feeds the first. */
static char *loop_script(int n)
{
    size_t cap = (size_t)n * 80 + 200, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s + len, cap - len, "session { rate = 48000, length = 1 }\nlocal b = {}\n");
    len += (size_t)snprintf(s + len, cap - len, "for i = 1, %d do b[i] = bus(\"loop bus number \" .. i) end\n", n);
    len += (size_t)snprintf(s + len, cap - len, "for i = 1, %d do b[i] { to = b[i %% %d + 1] } end\n", n, n);
    snprintf(s + len, cap - len, "output { \"out/l.wav\", from = b[1] }\n");
    return s;
}

static void test_loop(void)
{
    int sizes[] = {3, 61, 200};
    for (int k = 0; k < 3; k++) {
        char *s = loop_script(sizes[k]), err[DS_ERR_LEN + 1], name[120];
        memset(err, 'x', sizeof err); /* a terminator past DS_ERR_LEN - 1 would be an overrun */
        err[DS_ERR_LEN] = 0;
        ds_result r = load_and_compile(s, err);
        size_t len = strnlen(err, DS_ERR_LEN);
        snprintf(name, sizeof name, "routing loop through %d buses: error that fits its buffer", sizes[k]);
        check(r == DS_ERR_GRAPH && len < DS_ERR_LEN && strstr(err, "routing loop: "), name, "result %d, message: %.*s", r,
              (int)len, err);
        /* the message ends where the loop closes: on the strip it starts from */
        const char *first = strstr(err, "bus '");
        const char *last = first ? strrchr(err, '\'') : NULL;
        const char *open = last ? last - 1 : NULL;
        while (open && open > err && *open != '\'')
            open--;
        snprintf(name, sizeof name, "routing loop through %d buses: the message names the loop's start at both ends",
                 sizes[k]);
        check(first && open && strncmp(first + 5, open + 1, (size_t)(last - open)) == 0, name, "message: %.*s",
              (int)len, err);
        if (sizes[k] == 200) {
            check(strstr(err, " more) -> ") != NULL, "routing loop through 200 buses: shortened with '... (N more)'",
                  "message: %.*s", (int)len, err);
        }
        free(s);
    }
}

/* A clip with more channels than a strip may have, on a track that takes
 * its count from the file: an error naming the file or the line, never a
 * write past the routing matrices (65 channels used to corrupt the stack). */
static void test_wide_clip(void)
{
    int widths[] = {65, 70, 100};
    for (int k = 0; k < 3; k++) {
        char file[32], script[512], name[120], err[DS_ERR_LEN] = "";
        snprintf(file, sizeof file, "wide%d.wav", widths[k]);
        write_wav(file, 48000, widths[k], 480, tone);
        snprintf(script, sizeof script,
                 "session { rate = 48000, length = 0.01 }\n"
                 "local t = track \"T\"\n"
                 "t:clip { \"%s\", at = 0 }\n"
                 "output { \"out/t.wav\", from = t }\n", file);
        ds_result r = load_and_compile(script, err);
        snprintf(name, sizeof name, "a %d-channel clip on a track that takes its count: clear error", widths[k]);
        check(r != DS_OK && (strstr(err, "mix.lua:3") || strstr(err, file)), name, "message: %s", err);
    }
    /* the widest allowed: VM_MAX_CHANNELS */
    char script[512];
    write_wav("wide64.wav", 48000, VM_MAX_CHANNELS, 480, tone);
    snprintf(script, sizeof script,
             "session { rate = 48000, length = 0.01 }\n"
             "local t = track \"T\"\n"
             "t:clip { \"wide64.wav\", at = 0 }\n"
             "t:limiter { ceiling = -1 }\n"
             "output { \"out64.wav\", from = t, format = \"wav32f\" }\n");
    int frames = 0, ch = 0;
    float *x = render(script, 256) == 0 ? read_wav("out64.wav", &frames, &ch) : NULL;
    check(x && ch == VM_MAX_CHANNELS, "a 64-channel clip through a limiter renders 64 channels", "channels %d", ch);
    free(x);
}

/* A filter above half the session rate cannot be designed (the REPL refuses
 * it already): static or reached by a move. */
static void test_rate(void)
{
    expect_error_at("session { rate = 16000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "b:eq { \"peak\", freq = 9000, gain = 3 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "below half the session rate", "eq at 9 kHz in a 16 kHz session: error");
    expect_error_at("session { rate = 16000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "local e = b:eq { \"lowpass\", freq = 1000 }\n"
                    "e.freq:ramp { at = 0.2, to = 12000, over = 0.1 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    4, "freq = 12000", "eq freq ramped past Nyquist: error at the move's line");
    expect_error_at("session { rate = 16000, length = 1 }\n"
                    "local b = bus \"B\"\n"
                    "b:compressor { threshold = -20, key_filter = { 100, 9000 } }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "key_filter", "key filter edge past Nyquist: error");
    expect_error_at("session { rate = 16000, length = 1 }\n"
                    "local k = bus \"K\"\n"
                    "local b = bus \"B\"\n"
                    "duck { b, under = k, depth = -6, band = { 1000, 9000 } }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    4, "band's high edge", "band duck edge past Nyquist: error");
}

/* The clip player's "up to N at once" (its reader slots, from the
 * O(n log n) sweep in the compiler) against a brute-force count over every
 * clip start of 400 clips at pseudo-random places and lengths. */
static void test_overlap(void)
{
    write_wav("short.wav", 48000, 1, 48000, tone);
    size_t cap = 400 * 80 + 200, len = 0;
    char *s = malloc(cap);
    double at[400], ln[400];
    unsigned x = 12345;
    len += (size_t)snprintf(s + len, cap - len, "session { rate = 48000, length = 60 }\nlocal t = track \"T\"\n");
    for (int i = 0; i < 400; i++) {
        x = x * 1103515245u + 12345u;
        at[i] = (double)(x >> 8 & 0xffff) / 65536.0 * 50.0;
        x = x * 1103515245u + 12345u;
        ln[i] = 0.01 + (double)(x >> 8 & 0xffff) / 65536.0 * 0.98;
        len += (size_t)snprintf(s + len, cap - len, "t:clip { \"short.wav\", at = %.6f, length = %.6f }\n", at[i], ln[i]);
    }
    snprintf(s + len, cap - len, "output { \"out/t.wav\", from = t }\n");
    char path[512], err[DS_ERR_LEN] = "";
    write_script(s, path, sizeof path);
    free(s);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    int got = -1;
    if (vm_script_load(path, &so, &d, err) == DS_OK) {
        /* brute force on the samples the script made (times rounded as it rounds them) */
        const vm_strip_desc *st = &d.strips[0];
        int want = 0;
        for (int i = 0; i < st->nclips; i++) {
            int n = 0;
            for (int j = 0; j < st->nclips; j++) {
                const vm_clip_desc *a = &st->clips[i], *b = &st->clips[j];
                n += b->at <= a->at && b->at + b->length > a->at && (b->at < a->at || j <= i);
            }
            want = n > want ? n : want;
        }
        if (vm_compile(&d, 256, &p, err) == DS_OK)
            for (int i = 0; i < p->nops; i++) {
                const char *u = strstr(p->ops[i].label, "up to ");
                if (strncmp(p->ops[i].label, "clips", 5) == 0 && u)
                    got = atoi(u + 6);
            }
        check(got == want && want > 1, "400 overlapping clips: the player's slots equal a brute-force count",
              "got %d, want %d (%s)", got, want, err);
        vm_plan_free(&p);
        vm_desc_free(&d);
    } else {
        check(0, "400 overlapping clips: the player's slots equal a brute-force count", "%s", err);
    }
}

/* A chain of 30,000 buses, soloed at both ends (so the solo marks run the
 * whole chain up and down) and ordered end to end, compiled on a thread with
 * a 512 KiB stack: the ordering and the solo marks are iterative, where a
 * recursion 30,000 deep (tens of bytes a frame) overflowed such a stack. */
static void *compile_chain(void *arg)
{
    static char err[DS_ERR_LEN];
    const char *body = "session { rate = 48000, length = 0.01 }\n"
                       "local first = bus \"B0\"\n"
                       "local prev = first\n"
                       "for i = 1, 30000 do local b = bus(\"B\" .. i); prev { to = b }; prev = b end\n"
                       "first.solo = true\n"
                       "prev.solo = true\n"
                       "output { \"out/o.wav\", from = prev }\n";
    *(ds_result *)arg = load_and_compile(body, err);
    if (*(ds_result *)arg != DS_OK)
        fprintf(stderr, "# %s\n", err);
    return NULL;
}

static void test_deep_chain(void)
{
    pthread_attr_t a;
    pthread_t t;
    ds_result r = DS_ERR_IO;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 512 * 1024);
    int started = pthread_create(&t, &a, compile_chain, &r) == 0;
    if (started)
        pthread_join(t, NULL);
    pthread_attr_destroy(&a);
    check(started && r == DS_OK, "a chain of 30,000 buses soloed at both ends compiles on a 512 KiB stack",
          "started %d, result %d", started, (int)r);
}

/* The stereo tools: a width or an M/S matrix takes exactly a stereo pair;
 * a channel map's and a polarity inverter's channels are the strip's. Each
 * message names the strip, its channel count and what is accepted. */
static void test_stereo_tools(void)
{
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"Dialog\" { channels = 1 }\n"
                    "t:width { width = 1.5 }\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "stereo width on track 'Dialog' takes exactly 2 channels (a stereo pair: L R), but the track "
                    "has 1 (channels set at ", "width on a mono track: the strip, its count, what it takes");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"PM\"\n"
                    "b:ms \"decode\"\n"
                    "b { channels = 6 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "mix.lua:4)", "ms on a bus widened to 6: the line that widened it");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local b = bus \"PM\"\n"
                    "b:ms \"decode\"\n"
                    "b { channels = 6 }\n"
                    "output { \"out/b.wav\", from = b }\n",
                    3, "a mid-side matrix on bus 'PM' takes exactly 2 channels (a stereo pair: L R), but the bus has 6 "
                    "(channels set at ", "ms on a 6-channel bus: the strip, its count, what it takes");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"T\" { channels = 2 }\n"
                    "t:channel_map { 2, 3 }\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "entry 2 takes channel 3, which is out of range: the strip has 2 channels (1 to 2, or 0 for silence)", "channel_map index 3 on 2 channels: the entry, the index, the strip's count and the range");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"T\" { channels = 2 }\n"
                    "t:channel_map { 2, 3 }\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "a channel map on track 'T': ", "channel_map: the strip");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"T\" { channels = 6 }\n"
                    "t:channel_map { 2, 1 }\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "the map lists 2 channels, but the strip has 6 channels: it needs one entry per channel",
                    "channel_map of 2 entries on 6 channels: error");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"T\" { channels = 1 }\n"
                    "t:polarity \"R\"\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "channel 2 is out of range: the strip has 1 channel (1 to 1)",
                    "polarity R on a mono track: the channel, the strip's count and the range");
    expect_error_at("session { rate = 48000, length = 1 }\n"
                    "local t = track \"T\" { channels = 1 }\n"
                    "t:polarity \"R\"\n"
                    "output { \"out/t.wav\", from = t }\n",
                    3, "a polarity inverter on track 'T': ", "polarity: the strip");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"B\"\n"
              "b:width { width = 0 }\n"
              "b:polarity \"all\"\n"
              "b:channel_map { 2, 1 }\n"
              "b { channels = 2 }\n"
              "output { \"out/b.wav\", from = b }\n",
              "width, polarity and a map on a bus made stereo after them compile");
    expect_ok("session { rate = 48000, length = 1 }\n"
              "local b = bus \"B\" { channels = 64 }\n"
              "b:polarity { 64 }\n"
              "output { \"out/b.wav\", from = b }\n",
              "polarity of channel 64 on a 64-channel bus compiles");
}

/* ds_appendf, the bounded append every message built of parts uses (the
 * routing loop, the REPL's status line): a part goes in whole or not at
 * all, the buffer stays terminated, nothing is written past cap, and a
 * full buffer takes nothing more. Checked against a guard byte after cap. */
static void test_appendf(void)
{
    char buf[17];
    size_t n = 0;
    memset(buf, '#', sizeof buf);
    int a = ds_appendf(buf, 16, &n, "%s", "0123456789");    /* fits: 10 */
    int b = ds_appendf(buf, 16, &n, "%s", "abcdef");        /* 16 with its NUL: does not fit */
    int c = ds_appendf(buf, 16, &n, "%s", "abcde");         /* 15 + NUL: fits exactly */
    int d = ds_appendf(buf, 16, &n, "%s", "x");             /* full: nothing more */
    check(a && !b && c && !d && n == 15 && strcmp(buf, "0123456789abcde") == 0 && buf[16] == '#',
          "ds_appendf: each part whole or not at all, never past its buffer",
          "returns %d %d %d %d, len %zu, '%s', guard '%c'", a, b, c, d, n, buf, buf[16]);
    char long_name[5000];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    n = 0;
    memset(buf, '#', sizeof buf);
    b = ds_appendf(buf, 16, &n, "%s", long_name);
    check(!b && n == 0 && buf[0] == 0 && buf[16] == '#', "ds_appendf: a part longer than the buffer leaves it empty",
          "returns %d, len %zu", b, n);
}

int main(void)
{
    if (scratch_open("validate") != 0)
        return 2;
    test_transient();
    test_reverb();
    test_delay();
    test_convolve();
    test_eq();
    test_eq_wide_butterworth();
    test_dynamics();
    test_flac_channels();
    test_loop();
    test_appendf();
    test_wide_clip();
    test_rate();
    test_overlap();
    test_deep_chain();
    test_stereo_tools();
    scratch_close();
    return check_exit();
}
