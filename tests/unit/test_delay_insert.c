/* test_delay_insert.c - t:delay through the whole engine (script ->
 * compile -> render -> file), against closed forms: an impulse through a
 * 10.5-sample delay gives the Lagrange taps; whole-sample times (in
 * seconds, samples or milliseconds) give the input shifted bit for bit; the
 * repeats of a feedback delay are feedback^(k-1), and through the loop
 * low-pass their DC content is the same; a time ramp slower than the glide
 * is followed exactly (the output is the sine at the ramp's delay), and a
 * jump in time glides (no step on a sine larger than the glide allows);
 * a delay with every setting moving renders the same bits at --block 1,
 * 64 and 4096, and a send into a 100 % wet aux adds the echo to the dry
 * path; the script's errors name the line and the range. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

#include "vm/liveset.h"
#include "vm/sched.h"

#define RATE 48000

static double impulse(int i, int c) { (void)c; return i == 0 ? 1.0 : 0.0; }
static double burst(int i, int c) { (void)c; return i < 100 ? 0.5 : 0.0; } /* DC for 100 samples */
static double sine1k(int i, int c) { (void)c; return 0.5 * sin(2 * M_PI * 1000.0 * i / RATE); }
static double noise(int i, int c)
{
    unsigned x = (unsigned)i * 2654435761u ^ (unsigned)(c + 1) * 40503u;
    x ^= x >> 15, x *= 2246822519u, x ^= x >> 13;
    return (double)x / 4294967296.0 - 0.5;
}

/* Renders one mono track of clip `clip` through `chain` (lines of Lua that
 * may use t) for `secs` seconds; returns the output (caller frees). */
static float *render_chain(const char *clip, const char *chain, double secs, int block, int *frames)
{
    char script[2048];
    int ch = 0;
    snprintf(script, sizeof script,
             "session { rate = %d, length = %g }\n"
             "local t = track \"T\" { channels = 1 }\n"
             "t:clip { \"%s\", at = 0 }\n"
             "%s\n"
             "output { \"o.wav\", from = t, format = \"wav32f\" }\n",
             RATE, secs, clip, chain);
    return render(script, block) == 0 ? read_wav("o.wav", frames, &ch) : NULL;
}

static void test_fractional(void)
{
    write_wav("imp.wav", RATE, 1, RATE / 10, impulse);
    char chain[200];
    snprintf(chain, sizeof chain, "t:delay { time = %.17g }", 10.5 / RATE);
    int n = 0;
    float *y = render_chain("imp.wav", chain, 0.01, 256, &n);
    if (!check(y && n == 480, "an impulse through t:delay { time = 10.5 samples } renders", "failed")) {
        free(y);
        return;
    }
    int rest = 1;
    for (int k = 0; k < n; k++)
        rest &= (k >= 9 && k <= 12) || y[k] == 0;
    check(y[9] == -0.0625f && y[10] == 0.5625f && y[11] == 0.5625f && y[12] == -0.0625f && rest,
          "10.5 samples: samples 9..12 are the Lagrange closed form -1/16, 9/16, 9/16, -1/16 exactly, 0 elsewhere",
          "%g %g %g %g", y[9], y[10], y[11], y[12]);
    free(y);
}

static void test_whole_samples(void)
{
    write_wav("noise.wav", RATE, 1, RATE / 2, noise);
    int n0 = 0;
    float *dry = render_chain("noise.wav", "", 0.5, 512, &n0);
    static const char *const forms[] = {"0.01", "\"480smp\"", "\"10ms\""};
    for (int f = 0; f < 3; f++) {
        char chain[200], name[200];
        snprintf(chain, sizeof chain, "t:delay { time = %s }", forms[f]);
        int n = 0;
        float *y = render_chain("noise.wav", chain, 0.5, 512, &n);
        int exact = dry && y && n == n0;
        for (int k = 0; exact && k < n; k++)
            exact &= memcmp(&y[k], k < 480 ? &(float){0} : &dry[k - 480], sizeof(float)) == 0;
        snprintf(name, sizeof name, "time = %s at 48 kHz: the input 480 samples late, bit for bit", forms[f]);
        check(exact, name, "differs");
        free(y);
    }
    free(dry);
}

static void test_feedback(void)
{
    write_wav("imp.wav", RATE, 1, RATE / 10, impulse);
    int n = 0;
    float *y = render_chain("imp.wav", "t:delay { time = 0.1, feedback = 50 }", 1.05, 700, &n);
    int ok = y && n == 50400;
    double worst = 0;
    for (int k = 0; ok && k < n; k++) {
        double want = k % 4800 == 0 && k > 0 ? pow(0.5, k / 4800 - 1) : 0;
        worst = fabs(y[k] - want) > worst ? fabs(y[k] - want) : worst;
    }
    check(ok && worst == 0, "feedback 50 %: repeat k of an impulse (every 100 ms) is exactly 0.5^(k-1), 0 between",
          "worst %.3g", worst);
    free(y);
    /* through a 2 kHz loop low-pass (DC gain 1): the DC content of repeat k
     * of a 100-sample DC burst is 50 x 0.3^(k-1); peaks of a 100-sample
     * burst settle within the burst, so the repeat's plateau too */
    write_wav("burst.wav", RATE, 1, RATE / 10, burst);
    y = render_chain("burst.wav", "t:delay { time = 0.05, feedback = 30, lowpass = 2000 }", 0.3, 4096, &n);
    ok = y && n == 14400;
    worst = 0;
    for (int k = 1; ok && k <= 5; k++) {
        double sum = 0;
        for (int i = k * 2400 - 100; i < (k + 1) * 2400 - 100; i++)
            sum += y[i];
        double want = 50 * pow(0.3, k - 1);
        worst = fabs(sum - want) / want > worst ? fabs(sum - want) / want : worst;
    }
    check(ok && worst < 1e-5, "feedback 30 % through a 2 kHz loop low-pass: each of 5 repeats of a DC burst has "
          "0.3^(k-1) of its DC content (relative 1e-5)", "worst %.3g", worst);
    free(y);
}

/* The largest |y[k] - y[k-1]| over [from, to). */
static double largest_step(const float *y, int from, int to)
{
    double w = 0;
    for (int k = from; k < to; k++)
        w = fabs(y[k] - y[k - 1]) > w ? fabs(y[k] - y[k - 1]) : w;
    return w;
}

static void test_moving_time(void)
{
    write_wav("sine.wav", RATE, 1, 3 * RATE, sine1k);
    const double w = 2 * M_PI * 1000 / RATE, A = 0.5;
    char name[240];
    /* a ramp of 0.05 s per second (0.05 samples a sample, under the
     * default glide of 0.1): the read position is the ramp itself, so the
     * output is A sin(w (k - d(k))), d(k) the ramp's value in samples;
     * within the Lagrange interpolator's error at 1 kHz (< 2e-5) */
    int n = 0;
    float *y = render_chain("sine.wav", "local d = t:delay { time = 0.1 }\n"
                            "d.time:ramp { at = 0.5, to = 0.15, over = 1 }", 2, 1000, &n);
    double worst = 0;
    for (int k = 4800; y && k < n; k++) {
        double d = k < 24000 ? 4800 : k >= 72000 ? 7200 : 4800 + 2400.0 * (k - 24000) / 48000;
        double want = A * sin(w * (k - d));
        worst = fabs(y[k] - want) > worst ? fabs(y[k] - want) : worst;
    }
    check(y && worst < 2e-5, "a time ramp 0.1 -> 0.15 s over 1 s is followed exactly: the output is the sine at the "
          "ramp's delay (within 2e-5)", "worst %.3g", worst);
    free(y);
    /* a jump 0.3 -> 0.1 s at 1 s: the read position glides at 0.1 sample a
     * sample (the default glide, 10 %), so the read head runs at most 1.1
     * times as fast and no step exceeds A w (1 + 0.1); the glide takes
     * 9600 / 0.1 = 96000 samples */
    y = render_chain("sine.wav", "local d = t:delay { time = 0.3 }\nd.time:set { at = 1, to = 0.1 }", 3, 512, &n);
    double bound = A * w * 1.1 + 2e-5, step = y ? largest_step(y, 14401, n) : 99;
    snprintf(name, sizeof name, "a jump in time 0.3 -> 0.1 s glides: no step above A w (1 + glide) = %.4f "
             "(largest %.4f)", bound, step);
    check(step <= bound, name, "%.4f", step);
    free(y);
    /* the control: glide = 100 (a sample a sample: the read head at twice
     * the speed) allows steps of 2 A w, and the same jump makes them */
    y = render_chain("sine.wav", "local d = t:delay { time = 0.3, glide = 100 }\nd.time:set { at = 1, to = 0.1 }",
                     3, 512, &n);
    step = y ? largest_step(y, 14401, n) : 0;
    snprintf(name, sizeof name, "control: glide = 100 lets the same jump step %.4f (more than the 10 %% bound)", step);
    check(step > bound * 1.5, name, "%.4f", step);
    free(y);
}

/* A REPL change of time in a live session: the script's desc compiled for
 * live playback (a tap, as dubstage play sets it), its time set as the REPL
 * sets it (vm_liveset), recompiled, and the new plan given the running
 * one's state as the live driver does at a swap. The change (2395.2
 * samples, 49.9 periods of the tone) would show as a jump in phase. */
static void test_live_time_change(void)
{
    enum { BLOCK = 512, NB = 94 }; /* blocks of each plan: ~1 s */
    write_wav("sine.wav", RATE, 1, 3 * RATE, sine1k);
    char path[512], err[DS_ERR_LEN];
    char script[1024];
    write_script(track_script(script, sizeof script, 3, 1, "sine.wav", "t:delay { time = 0.15 }\n"), path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *a = NULL, *b = NULL, *c = NULL;
    static float y[2 * NB * BLOCK];
    int ok = vm_script_load(path, &so, &d, err) == DS_OK;
    d.live_tap = d.outputs[0].strip; /* compiled for live playback (repl/live_cmd.c) */
    ok = ok && vm_compile(&d, BLOCK, &a, err) == DS_OK;
    if (ok) {
        vm_plan_reset(a);
        for (int k = 0; k < NB; k++) {
            sched_run_block(a, (int64_t)k * BLOCK, BLOCK);
            memcpy(y + k * BLOCK, a->outputs[0].chans[0], BLOCK * sizeof(float));
        }
        ok = vm_liveset(&d, "T.delay1.time", 0.1001, err) == DS_OK && vm_compile(&d, BLOCK, &b, err) == DS_OK &&
             vm_compile(&d, BLOCK, &c, err) == DS_OK;
    }
    if (ok) {
        vm_plan_reset(b);
        vm_plan_reset(c);
        ok = plan_copy_states(b, a) == 1;
        sched_run_block(c, (int64_t)NB * BLOCK, BLOCK); /* the control: the same swap without the state */
        for (int k = NB; k < 2 * NB; k++) {
            sched_run_block(b, (int64_t)k * BLOCK, BLOCK);
            memcpy(y + k * BLOCK, b->outputs[0].chans[0], BLOCK * sizeof(float));
        }
    }
    /* across the swap no step above the glide's bound (A w (1 + 0.1): the
     * heads speed up, and the steps do grow past A w), and once the
     * 2395.2 samples / 0.1 of glide are over, the tone at the new time
     * (within the interpolator's 2e-5) */
    const double w = 2 * M_PI * 1000 / RATE, bound = 0.5 * w * 1.1 + 2e-5;
    double step = ok ? largest_step(y, 7201, 2 * NB * BLOCK) : 99, worst = 0;
    for (int k = NB * BLOCK + 24010; ok && k < 2 * NB * BLOCK; k++)
        worst = fmax(worst, fabs(y[k] - 0.5 * sin(w * (k - 0.1001 * RATE))));
    char name[200];
    snprintf(name, sizeof name, "live: time 0.15 -> 0.1001 s set as the REPL does, the new plan given the old one's "
             "state glides: steps above A w, none above A w (1 + glide) = %.4f (largest %.4f)", bound, step);
    check(ok && step <= bound && step > 0.5 * w * 1.05, name, "%s", ok ? "a step, or no glide" : err);
    check(ok && worst < 2e-5, "live: after the glide the new plan reads 0.1001 s back", "worst %.3g", worst);
    double jump = ok ? fabs(c->outputs[0].chans[0][0] - y[NB * BLOCK - 1]) : 0;
    snprintf(name, sizeof name, "control: the new plan without the old one's state steps %.3f at the swap", jump);
    check(jump > 2 * bound, name, "%.4f", jump);
    vm_plan_free(&a);
    vm_plan_free(&b);
    vm_plan_free(&c);
    vm_desc_free(&d);
}

static void test_block_sizes(void)
{
    write_wav("noise2.wav", RATE, 2, RATE, noise);
    char script[2048];
    track_script(script, sizeof script, 1.5, 2, "noise2.wav",
                 "local d = t:delay { time = \"12001smp\", feedback = 60, mix = 40, lowpass = 6000, highpass = 80 }\n"
                 "d.time:set { at = \"7777smp\", to = 0.3333 }\n"
                 "d.time:ramp { at = 0.6, to = 0.21, over = 0.3 }\n"
                 "d.feedback:ramp { at = 0.2, to = -70, over = 0.5, shape = \"s_curve\" }\n"
                 "d.mix:curve { at = \"1001smp\", over = 0.8, values = { 40, 100, 10 } }\n"
                 "d.lowpass:ramp { at = 0.3, to = 1500, over = 0.4 }\n"
                 "d.highpass:set { at = 0.9, to = 400 }\n");
    static const int blocks[] = {64, 1, 4096};
    int frames = 0, ch = 0;
    float *y = render_blocks(script, "o.wav", blocks, 3, "a delay with every setting moving", &frames, &ch);
    check(y && frames == 72000 && ch == 2, "the moving delay renders 1.5 s of stereo", "frames %d", frames);
    free(y);
}

static double left_impulse(int i, int c) { return i == 0 && c == 0 ? 1.0 : 0.0; }

static void test_pingpong(void)
{
    /* an impulse on the left through pingpong = true, feedback 50 %: the
     * first repeat on the left at half level (the mono fold), then right,
     * left, ... each half the last, exactly */
    write_wav("left.wav", RATE, 2, RATE / 10, left_impulse);
    int n = 0, ch = 0;
    float *y =
        render_track_script(1, 2, "left.wav", "t:delay { time = 0.1, feedback = 50, pingpong = true }\n", 1000, &n, &ch);
    int exact = y && n == RATE && ch == 2;
    for (int k = 0; exact && k < n; k++)
        for (int c = 0; c < 2; c++) {
            int rep = k % 4800 == 0 ? k / 4800 : 0;
            exact &= y[2 * k + c] == (rep > 0 && (rep - 1) % 2 == c ? 0.5 * pow(0.5, rep - 1) : 0);
        }
    check(exact, "pingpong = true: an impulse on the left repeats left, right, left ... at 0.5 x 0.5^(k-1), exactly",
          "differs");
    free(y);
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"B\" { channels = 1 }\n"
                    "b:delay { time = 0.1, pingpong = true }\noutput { \"o.wav\", from = b }\n",
                    3, "pingpong takes a stereo strip", "pingpong on a mono bus: error naming the line");
}

static void test_aux_send(void)
{
    /* a send at 0 dB into an aux with a 100 % wet delay, summed with the
     * dry track: the impulse at 0 and its repeat 0.25 s later at 1 */
    write_wav("imp.wav", RATE, 1, RATE / 10, impulse);
    const char *script =
        "session { rate = 48000, length = 0.5 }\n"
        "local pm = bus \"PM\" { channels = 1 }\n"
        "local echo = bus \"ECHO\" { channels = 1, to = pm }\n"
        "echo:delay { time = 0.25 }\n"
        "local t = track \"T\" { channels = 1, to = pm }\n"
        "t:clip { \"imp.wav\", at = 0 }\n"
        "t:send(echo, 0)\n"
        "output { \"o.wav\", from = pm, format = \"wav32f\" }\n";
    int n = 0, ch = 0;
    float *y = render(script, 333) == 0 ? read_wav("o.wav", &n, &ch) : NULL;
    int rest = 1;
    for (int k = 1; y && k < n; k++)
        rest &= k == 12000 || y[k] == 0;
    check(y && y[0] == 1 && y[12000] == 1 && rest, "a send into a 100 % wet delay on an aux: the dry impulse and one "
          "repeat 0.25 s later, nothing else", "got %g, %g", y ? y[0] : -1, y ? y[12000] : -1);
    free(y);
}

/* The script with `chain` at line 3 must fail, naming `line` and want. */
static void expect_script_error(const char *chain, int line, const char *want, const char *name)
{
    char script[1024];
    snprintf(script, sizeof script, "session { rate = 48000, length = 1 }\nlocal t = track \"T\"\n%s\n"
             "output { \"o.wav\", from = t }\n", chain);
    expect_error_at(script, line, want, name);
}

static void test_errors(void)
{
    expect_script_error("t:delay { feedback = 30 }", 3, "needs time = seconds", "t:delay without time: says so");
    expect_script_error("t:delay { time = 0.2, feedbak = 30 }", 3, "feedback", "a misspelt key: did-you-mean feedback");
    expect_script_error("t:delay { time = 0.2, feedback = 100 }", 3, "(-99 to 99)", "feedback 100 %: its range");
    expect_script_error("t:delay { time = \"61s\" }", 3, "(0.0001 to 60 s)", "time = \"61s\": its range in seconds");
    expect_script_error("t:delay { time = 0.2, glide = 0 }", 3, "(1 to 100)", "glide 0: its range");
    expect_script_error("local d = t:delay { time = 0.2 }\nd.tim:set { at = 0, to = 1 }", 4, "did you mean",
                        "a misspelt field of a delay: did-you-mean");
}

int main(void)
{
    if (scratch_open("test-delay-insert") != 0)
        return 2;
    test_fractional();
    test_whole_samples();
    test_feedback();
    test_moving_time();
    test_live_time_change();
    test_block_sizes();
    test_pingpong();
    test_aux_send();
    test_errors();
    scratch_close();
    return check_exit();
}
