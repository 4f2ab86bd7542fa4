/* test_convolve.c - the convolution reverb as a node (t:convolve, through
 * script -> compile -> render), against formulas and invariants:
 *   - latency: an impulse comes out of the convolver's strip exactly the
 *     latency the plan states later (the partition; the label `dubstage
 *     info` prints says it), and the output file, read that much later, has
 *     it at its own sample; a reverb with a unit impulse as IR on an aux bus
 *     nulls against a dry parallel path (to 1e-6 of the peak: FFT rounding),
 *     so the graph's compensation aligns them;
 *   - a two-tap IR (1 at 0, 0.5 at 100 samples) with mix m (in %), gain and
 *     predelay gives out = (1 - m) x[n] + m g (x[n - D] + 0.5 x[n - D - 100]);
 *   - a stereo IR routes L -> L and R -> R, a true-stereo IR (LL, LR, RL,
 *     RR) sums L * LL + R * RL into L and L * LR + R * RR into R;
 *   - normalize scales a true-stereo IR by 1 / sqrt of its loudest output's
 *     energy (LL + RL here): the normalised render is the plain one times
 *     that factor, computed here from the taps;
 *   - an IR at 96 kHz in a 48 kHz session is resampled: its impulse at
 *     0.1 s arrives 4800 samples late;
 *   - a mix move lands at its sample (wet before, exactly the dry signal
 *     from there), and moving mix and gain render bit-identically at
 *     --block 1, 64, 1000, 1024, 4096 and 8192;
 *   - errors: a missing IR names its path and the script line; an IR of 3
 *     channels, one longer than the bound, a partition that is no power of
 *     two, a misspelt option (did-you-mean) and a mix out of range. */
#include "tests/unit/render_util.h"

#include "dsp/convolver.h"
#include "vm/limits.h"
#include "vm/ops.h"
#include "vm/sched.h"

#define RATE 48000

/* broadband noise (a 32-bit hash), 0.25 peak, other per channel */
static double noise(int i, int c)
{
    uint32_t x = (uint32_t)i * 2654435761u + (uint32_t)c * 40503u + 12345u;
    x ^= x >> 15, x *= 2246822519u, x ^= x >> 13;
    return 0.25 * ((double)(x & 0xffff) / 32768.0 - 1.0);
}

static double unit_impulse(int i, int c) { (void)c; return i == 0 ? 1.0 : 0.0; }
static double two_taps(int i, int c) { (void)c; return i == 0 ? 1.0 : i == 100 ? 0.5 : 0.0; }
/* stereo IR: L a unit impulse, R 0.5 at 10 samples */
static double stereo_ir(int i, int c) { return c == 0 ? (i == 0) : 0.5 * (i == 10); }
/* true stereo LL, LR, RL, RR: 1 at 0, 0.5 at 3, 0.25 at 7, 0.125 at 0 */
static double true_stereo_ir(int i, int c)
{
    static const int at[4] = {0, 3, 7, 0};
    static const double v[4] = {1, 0.5, 0.25, 0.125};
    return i == at[c] ? v[c] : 0.0;
}
/* one sample at 10,000 */
static double click(int i, int c) { (void)c; return i == 10000 ? 0.5 : 0.0; }
static double silent(int i, int c) { (void)i, (void)c; return 0.0; }

/* max |got - want| / max |want| over n frames of ch channels */
static double rel_err(const float *got, const double *want, int n)
{
    double peak = 0, err = 0;
    for (int i = 0; i < n; i++) {
        peak = fabs(want[i]) > peak ? fabs(want[i]) : peak;
        err = fabs(got[i] - want[i]) > err ? fabs(got[i] - want[i]) : err;
    }
    return peak > 0 ? err / peak : err;
}

/* Compiles script (a file of its own) into *p; the desc stays in d. */
static int compile_script(const char *script, int block, vm_desc *d, plan **p)
{
    char path[512], err[DS_ERR_LEN];
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    if (vm_script_load(path, &so, d, err) != DS_OK || vm_compile(d, block, p, err) != DS_OK) {
        printf("# %s\n", err);
        return -1;
    }
    return 0;
}

static void test_latency(void)
{
    write_wav("click.wav", RATE, 1, RATE, click);
    write_wav("delta.wav", RATE, 1, 1, unit_impulse);
    const char *script = "session { rate = 48000, length = 1 }\n"
                         "local v = bus \"VERB\" { channels = 1 }\n"
                         "track \"T\" { channels = 1, to = v }:clip { \"click.wav\", at = 0 }\n"
                         "v:convolve { \"delta.wav\", normalize = false, partition = 512 }\n"
                         "output { \"verb.wav\", from = v, format = \"wav32f\" }\n";
    vm_desc d;
    plan *p = NULL;
    if (!check(compile_script(script, 256, &d, &p) == 0, "an impulse through a convolver compiles", "see above"))
        return;
    const plan_op *conv = NULL;
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls == &op_convolve_class)
            conv = &p->ops[i];
    check(conv && strstr(conv->label, "latency 512 samples"), "dubstage info's op line states latency 512 samples",
          "label: %s", conv ? conv->label : "(none)");
    check_int(p->outputs[0].latency, 512, "the output's latency is the partition");
    /* the stream the strip carries: the click (0.5) comes 512 samples late
     * (around it, within its partition, FFT rounding: below 1e-6) */
    vm_plan_reset(p);
    int first = -1;
    for (int64_t pos = 0; pos < RATE && first < 0; pos += 256) {
        sched_run_block(p, pos, 256);
        for (int k = 0; k < 256 && first < 0; k++)
            if (fabs(p->outputs[0].chans[0][k]) > 0.25)
                first = (int)pos + k;
    }
    check_int(first, 10000 + p->outputs[0].latency, "the click arrives at 10000 + the stated latency in the stream");
    vm_plan_free(&p);
    vm_desc_free(&d);
    /* the file is read that much later: the click at its own sample */
    int frames = 0, ch = 0;
    float *x = render(script, 1000) == 0 ? read_wav("verb.wav", &frames, &ch) : NULL;
    int at = -1;
    for (int i = 0; x && i < frames; i++)
        if (fabs(x[i]) > 0.25 && at < 0)
            at = i;
    check(x && frames == RATE && at == 10000 && fabs(x[at] - 0.5) < 1e-6,
          "the output file has the click at sample 10000 (compensated), 1 s long", "frames %d, click at %d", frames,
          at);
    free(x);
}

/* A dry path and a reverb with a unit impulse on an aux bus, fed by a
 * send at 0 dB: after compensation they null. */
static void test_parallel_aligned(void)
{
    write_wav("noise.wav", RATE, 2, RATE, noise);
    const char *script = "session { rate = 48000, length = 1 }\n"
                         "local dry = bus \"DRY\" { channels = 2 }\n"
                         "local v = bus \"VERB\" { channels = 2 }\n"
                         "local t = track \"T\" { channels = 2, to = dry }\n"
                         "t:clip { \"noise.wav\", at = 0 }\n"
                         "t:send(v, 0)\n"
                         "v:convolve { \"delta.wav\" }\n"
                         "output { \"dry.wav\", from = dry, format = \"wav32f\" }\n"
                         "output { \"verb.wav\", from = v, format = \"wav32f\" }\n";
    int fd = 0, fv = 0, ch = 0;
    int ok = render(script, 777) == 0;
    float *a = ok ? read_wav("dry.wav", &fd, &ch) : NULL, *b = ok ? read_wav("verb.wav", &fv, &ch) : NULL;
    double *want = a ? malloc((size_t)fd * 2 * sizeof *want) : NULL;
    for (int i = 0; want && i < fd * 2; i++)
        want[i] = a[i];
    double e = a && b && fd == fv ? rel_err(b, want, fd * 2) : 1;
    check(e <= 1e-6, "a unit-impulse reverb on an aux bus nulls against the dry path (aligned by the graph)",
          "residual %.3g of the peak", e);
    free(a), free(b), free(want);
}

/* out = (1 - m) x[n] + m g (x[n - D] + 0.5 x[n - D - 100]), m = mix / 100 */
static void test_formula(void)
{
    write_wav("taps.wav", RATE, 1, 101, two_taps);
    int frames = 0, ch = 0;
    float *y = render_track_script(
        1, 2, "noise.wav", "t:convolve { \"taps.wav\", mix = 25, gain = -6, predelay = 0.01, normalize = false }\n", 1024,
        &frames, &ch);
    double *want = malloc((size_t)RATE * 2 * sizeof *want);
    double g = pow(10, -6 / 20.0);
    const int D = 480;
    for (int i = 0; i < RATE; i++)
        for (int c = 0; c < 2; c++) {
            double x = (float)noise(i, c), x1 = i >= D ? (float)noise(i - D, c) : 0;
            double x2 = i >= D + 100 ? (float)noise(i - D - 100, c) : 0;
            want[i * 2 + c] = 0.75 * x + 0.25 * g * (x1 + 0.5 * x2);
        }
    double e = y && frames == RATE ? rel_err(y, want, RATE * 2) : 1;
    check(e <= 1e-6, "two taps, mix 25 %, gain -6 dB, predelay 10 ms: out = 0.75 x + 0.25 g (x[n-480] + 0.5 "
          "x[n-580]) within 1e-6 of the peak", "error %.3g", e);
    free(y), free(want);
}

static void test_routing(void)
{
    write_wav("stereo_ir.wav", RATE, 2, 11, stereo_ir);
    write_wav("ts_ir.wav", RATE, 4, 8, true_stereo_ir);
    const char *script = "session { rate = 48000, length = 1 }\n"
                         "local a = track \"A\" { channels = 2 }\n"
                         "a:clip { \"noise.wav\", at = 0 }\n"
                         "a:convolve { \"stereo_ir.wav\", normalize = false }\n"
                         "local b = track \"B\" { channels = 2 }\n"
                         "b:clip { \"noise.wav\", at = 0 }\n"
                         "b:convolve { \"ts_ir.wav\", normalize = false }\n"
                         "output { \"a.wav\", from = a, format = \"wav32f\" }\n"
                         "output { \"b.wav\", from = b, format = \"wav32f\" }\n";
    int fa = 0, fb = 0, ch = 0;
    int ok = render(script, 512) == 0;
    float *ya = ok ? read_wav("a.wav", &fa, &ch) : NULL, *yb = ok ? read_wav("b.wav", &fb, &ch) : NULL;
    double *wa = malloc((size_t)RATE * 2 * sizeof *wa), *wb = malloc((size_t)RATE * 2 * sizeof *wb);
    for (int i = 0; i < RATE; i++) {
        double l = (float)noise(i, 0), r = (float)noise(i, 1);
        double r10 = i >= 10 ? (float)noise(i - 10, 1) : 0;
        double l3 = i >= 3 ? (float)noise(i - 3, 0) : 0, r7 = i >= 7 ? (float)noise(i - 7, 1) : 0;
        wa[2 * i] = l, wa[2 * i + 1] = 0.5 * r10;
        wb[2 * i] = l + 0.25 * r7;          /* L * LL + R * RL */
        wb[2 * i + 1] = 0.5 * l3 + 0.125 * r; /* L * LR + R * RR */
    }
    double ea = ya && fa == RATE ? rel_err(ya, wa, RATE * 2) : 1, eb = yb && fb == RATE ? rel_err(yb, wb, RATE * 2) : 1;
    check(ea <= 1e-6, "a stereo IR: L -> L through its channel 1, R -> R through its channel 2", "error %.3g", ea);
    check(eb <= 1e-6, "a true-stereo IR: L = L*LL + R*RL, R = L*LR + R*RR (channels LL, LR, RL, RR)", "error %.3g",
          eb);
    free(ya), free(yb), free(wa), free(wb);
}

/* normalize: the true-stereo IR of test_routing has energies LL 1, LR 0.25,
 * RL 0.0625, RR 0.015625: outputs L 1.0625, R 0.265625; the factor is
 * 1 / sqrt(1.0625) */
static void test_normalize(void)
{
    const char *fmt = "session { rate = 48000, length = 1 }\n"
                      "local b = track \"B\" { channels = 2 }\n"
                      "b:clip { \"noise.wav\", at = 0 }\n"
                      "b:convolve { \"ts_ir.wav\", normalize = %s }\n"
                      "output { \"%s.wav\", from = b, format = \"wav32f\" }\n";
    char script[600];
    int f1 = 0, f2 = 0, ch = 0;
    snprintf(script, sizeof script, fmt, "false", "plain");
    float *plain = render(script, 1024) == 0 ? read_wav("plain.wav", &f1, &ch) : NULL;
    snprintf(script, sizeof script, fmt, "true", "norm");
    float *norm = render(script, 1024) == 0 ? read_wav("norm.wav", &f2, &ch) : NULL;
    double e = 1;
    if (plain && norm && f1 == f2) {
        double *want = malloc((size_t)f1 * 2 * sizeof *want), k = 1 / sqrt(1.0 + 0.0625);
        for (int i = 0; i < f1 * 2; i++)
            want[i] = plain[i] * k;
        e = rel_err(norm, want, f1 * 2);
        free(want);
    }
    check(e <= 1e-6, "normalize: a true-stereo IR is scaled by 1 / sqrt(LL + RL energy), its loudest output's",
          "error %.3g", e);
    free(plain), free(norm);
}

/* an IR at 96 kHz: its impulse at 0.1 s comes 4800 samples late at 48 kHz */
static double late_impulse(int i, int c) { (void)c; return i == 9600 ? 1.0 : 0.0; }
static void test_resampled_ir(void)
{
    write_wav("ir96.wav", 96000, 1, 12000, late_impulse);
    int frames = 0, ch = 0;
    float *y =
        render_track_script(1, 1, "click.wav", "t:convolve { \"ir96.wav\", normalize = false }\n", 1024, &frames, &ch);
    int at = -1;
    for (int i = 0; y && i < frames; i++)
        if (at < 0 || fabs(y[i]) > fabs(y[at]))
            at = i;
    check(y && at == 10000 + 4800, "an IR at 96 kHz is resampled to the session's 48 kHz: its 0.1 s tap lands "
          "4800 samples after the click", "peak at %d", at);
    free(y);
}

/* a mix move: wet (a two-tap IR) before 0.5 s, exactly dry from there */
static void test_moves(void)
{
    static const int blocks[] = {1024, 1, 64, 1000, 4096, 8192};
    char script[1024];
    track_script(script, sizeof script, 1, 2, "noise.wav",
                 "local r = t:convolve { \"taps.wav\", normalize = false, partition = 256 }\n"
                 "r.mix:set { at = 0.5, to = 0 }\n"
                 "r.gain:ramp { at = 0.1, to = -12, over = 0.2 }\n");
    int frames = 0, ch = 0;
    float *y = render_blocks(script, "o.wav", blocks, 6, "a convolution reverb with moving mix and gain",
                             &frames, &ch);
    int dry_from = 1, wet_before = 1;
    for (int i = 24000; y && i < RATE; i++)
        for (int c = 0; c < 2; c++)
            dry_from &= y[2 * i + c] == (float)noise(i, c);
    /* just before the move: the wet signal under -12 dB, not the dry one */
    double g = pow(10, -12 / 20.0);
    for (int i = 23000; y && i < 24000; i++)
        for (int c = 0; c < 2; c++)
            wet_before &= fabs(y[2 * i + c] - g * ((float)noise(i, c) + 0.5 * (float)noise(i - 100, c))) < 1e-6;
    check(y && dry_from && wet_before, "mix:set at 0.5 s to 0: the wet signal up to sample 23999, exactly the dry "
          "one from sample 24000", "dry from 24000: %d, wet before: %d", dry_from, wet_before);
    free(y);
}

static void test_errors(void)
{
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"R\"\nb:convolve { \"ir/nowhere.wav\" }\n",
                    3, "ir/nowhere.wav", "a missing IR: the message names its path and the line");
    write_wav("three.wav", RATE, 3, 10, silent);
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"R\"\n\nb:convolve { \"three.wav\" }\n", 4,
                    "has 3 channels", "an IR of 3 channels is refused, naming the line");
    write_wav("long.wav", 1000, 1, (VM_CONVOLVE_MAX_IR_S + 1) * 1000, silent);
    char want[80];
    snprintf(want, sizeof want, "the longest accepted is %d s", VM_CONVOLVE_MAX_IR_S);
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"R\"\nb:convolve { \"long.wav\" }\n", 3,
                    want, "an IR longer than the bound is refused with the bound");
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"R\"\nb:convolve { \"delta.wav\", partition "
                    "= 1000 }\n", 3, "must be a power of two", "partition 1000 is refused");
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"R\"\nb:convolve { \"delta.wav\", mixx = 1 "
                    "}\n", 3, "did you mean 'mix'", "a misspelt option gets a did-you-mean");
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"R\"\nb:convolve { \"delta.wav\", mix = 150 "
                    "}\n", 3, "(0 to 100)", "mix 150 is refused with its range");
    expect_error_at("session { rate = 48000, length = 1 }\nlocal b = bus \"R\"\nlocal r = b:convolve { \"delta.wav\" "
                    "}\nprint(r.predelay)\n", 4, "fields: mix, gain", "predelay is not automatable; the message lists "
                    "what is");
}

int main(void)
{
    if (scratch_open("test-convolve") != 0)
        return 2;
    test_latency();
    test_parallel_aligned();
    test_formula();
    test_routing();
    test_normalize();
    test_resampled_ir();
    test_moves();
    test_errors();
    scratch_close();
    return check_exit();
}
