/* test_eq.c - EQ inserts end to end: levels through a rendered EQ against
 * the analogue prototypes mapped by the bilinear transform (formulas written
 * out here), coefficient updates at the sample of a move, block-size
 * independence of a moving EQ, and the script's error messages. */
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
    float *first = NULL;
    int n0 = 0;
    for (int i = 0; i < 4; i++) {
        int frames = 0, ch = 0;
        float *x = render(script, blocks[i]) == 0 ? read_wav("out.wav", &frames, &ch) : NULL;
        if (i == 0) {
            first = x;
            n0 = frames;
            check(x != NULL, "a moving EQ (freq sweep, gain curve, q target, Butterworth sweep) renders", "failed");
            continue;
        }
        char name[120];
        snprintf(name, sizeof name, "moving EQ at --block %d is bit-identical to --block 1", blocks[i]);
        check(x && first && frames == n0 && memcmp(x, first, (size_t)frames * 2 * sizeof *x) == 0, name, "differs");
        free(x);
    }
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

int main(void)
{
    if (scratch_open("test-eq") != 0)
        return 2;
    test_levels();
    test_move_at_its_sample();
    test_moving_eq_block_independent();
    test_errors();
    scratch_close();
    return check_exit();
}
