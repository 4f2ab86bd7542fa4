/* test_reverb.c - dsp/reverb against things it does not compute itself:
 *   - the decay: the RT60 measured on the rendered impulse response by
 *     Schroeder's backward integration (ISO 3382: the energy decay curve,
 *     a least-squares line through its -5 to -35 dB part, extrapolated to
 *     60 dB) is within 10 % of the setting, at three sizes and several
 *     RT60s (undamped, broadband), at 44.1, 96 and 192 kHz, and in the 1 kHz
 *     third octave with damping 0.5;
 *   - damping: the RT60 of the 12 kHz third octave falls with damping, to
 *     within 15 % of the RT60 the shelves' own gain at 12 kHz predicts
 *     (computed here in complex arithmetic from reverb.h's formula), while
 *     the 1 kHz third octave's stays within 10 %;
 *   - true stereo: an impulse on the left input gives more energy on the
 *     left output than on the right (by at least 1.5 dB), the mirror for
 *     the right; and nothing on the right in the first pass (before the
 *     shortest line has gone round twice);
 *   - 5.1: the LFE output is exactly 0; the late outputs of L R C Ls Rs are
 *     decorrelated (|normalised correlation| < 0.05 pairwise over 0.5-2 s of
 *     independent noise on every input); the centre's power is 6 +- 1.5 dB
 *     below a side channel's; 7.1 and eight plain channels (four slots a
 *     side) decorrelated to the same bound;
 *   - denormals: over a 60 s tail every output sample and every value of
 *     the state is 0 or at least FLT_MIN in magnitude, and the state ends
 *     at exactly 0;
 *   - invariants: the same bits in calls of 1, 64, 4096 samples and at
 *     random splits, with settings changed at a fixed sample, and on the
 *     portable path of the shelves (dsp_simd_cap: their hand-written AVX2
 *     transposes off) as on this CPU's; mix 0 is the
 *     dry signal bit for bit; width 0 makes L and R equal; reset gives a
 *     fresh reverb's output. */
#include "dsp/reverb.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/simd.h"
#include "tests/check.h"
#include "tests/unit/schroeder.h"

#define FS 48000.0

/* the rate reverbs are made at (FS but in test_rates) */
static double rate = FS;
#define PI 3.14159265358979323846

static dsp_reverb_params params(double rt60, double damping)
{
    return (dsp_reverb_params){.rt60_s = rt60, .damping = damping, .damping_hz = 4000, .width = 1, .mix = 1};
}

/* A reverb of `channels` (default speakers) with settings p; free(*mem). */
static dsp_reverb *make(int channels, double size_m, double predelay_s, const dsp_reverb_params *p, void **mem)
{
    dsp_reverb_shape sh = {.channels = channels, .size_m = size_m, .predelay_s = predelay_s};
    dsp_reverb_speakers_for(channels, sh.speakers);
    dsp_reverb *s = malloc(sizeof *s);
    *mem = malloc(dsp_reverb_heap_size(rate, &sh));
    dsp_reverb_init(s, *mem, rate, &sh, p);
    return s;
}

/* The impulse response of channel `out` to a unit impulse on channel `in`:
 * n samples into h[0..channels)[0..n). */
static void impulse_response(dsp_reverb *s, int channels, int in, float **h, int n)
{
    for (int ch = 0; ch < channels; ch++)
        memset(h[ch], 0, (size_t)n * sizeof(float));
    h[in][0] = 1;
    for (int off = 0; off < n; off += 4096) {
        float *io[DSP_REVERB_MAX_CHANNELS];
        for (int ch = 0; ch < channels; ch++)
            io[ch] = h[ch] + off;
        dsp_reverb_process(s, io, n - off < 4096 ? n - off : 4096);
    }
}

/* A third-octave band at f0: four RBJ band-passes (constant 0 dB peak, a
 * third of an octave wide) in series, so that the slower decay of the
 * frequencies outside the band does not leak into it; in double, over x in
 * place (written out here, not dsp/biquad). */
static void third_octave_band(double *x, int n, double f0)
{
    double w0 = 2 * PI * f0 / FS, alpha = sin(w0) * sinh(log(2.0) / 2 * (1 / 3.0) * w0 / sin(w0));
    double a0 = 1 + alpha, b0 = alpha / a0, b2 = -alpha / a0, a1 = -2 * cos(w0) / a0, a2 = (1 - alpha) / a0;
    for (int pass = 0; pass < 4; pass++) {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < n; i++) {
            double y = b0 * x[i] + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1, x1 = x[i], y2 = y1, y1 = y;
            x[i] = y;
        }
    }
}

/* The RT60 of output `out` for an impulse on input 0 of a mono reverb, in
 * the third octave at band_hz (0: broadband). */
static double measured_rt60(double size_m, double rt60, double damping, double band_hz)
{
    dsp_reverb_params p = params(rt60, damping);
    void *mem;
    dsp_reverb *s = make(1, size_m, 0, &p, &mem);
    int n = (int)((1.6 * rt60 + 0.3) * rate);
    float *h = malloc((size_t)n * sizeof *h);
    impulse_response(s, 1, 0, &h, n);
    double *d = malloc((size_t)n * sizeof *d);
    for (int i = 0; i < n; i++)
        d[i] = h[i];
    if (band_hz > 0)
        third_octave_band(d, n, band_hz);
    double r = schroeder_rt60(d, n, rate);
    free(d), free(h), free(mem), free(s);
    return r;
}

static void test_rt60(void)
{
    static const double sizes[] = {5, 20, 60}, rts[] = {0.8, 2.0, 5.0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double got = measured_rt60(sizes[i], rts[j], 1, 0);
            char name[160];
            snprintf(name, sizeof name, "RT60 (Schroeder, -5..-35 dB) at size %g m, rt60 %g s: within 10 %%", sizes[i],
                     rts[j]);
            check(fabs(got - rts[j]) <= 0.1 * rts[j], name, "measured %.4f s", got);
            printf("# size %g m, rt60 %g s: measured %.4f s\n", sizes[i], rts[j], got);
        }
    double got = measured_rt60(20, 2.0, 0.5, 1000);
    check(fabs(got - 2.0) <= 0.2, "RT60 of the 1 kHz third octave with damping 0.5 at 4 kHz: within 10 % of 2 s",
          "measured %.4f s", got);
}

/* The RT60 at f that line i's shelf predicts: 60 dB over the passes it
 * takes, each losing 20 log10 |H_i(f)| (reverb.h's H_i, here in complex
 * arithmetic from the formula, not the kernel's coefficients). The mean
 * over the lines. */
static double predicted_rt60(const dsp_reverb *s, double rt60, double damping, double hz, double f)
{
    double sum = 0;
    for (int i = 0; i < DSP_REVERB_LINES; i++) {
        int m = dsp_reverb_line_length(s, i);
        double g = pow(10, -3.0 * m / (FS * rt60)), r = pow(10, -3.0 * m * (1 / damping - 1) / (FS * rt60));
        double k = tan(PI * hz / FS);
        double complex z = cexp(I * 2 * PI * f / FS);
        double complex hp = (1 / (1 + k)) * (1 - 1 / z) / (1 - ((1 - k) / (1 + k)) / z);
        double mag = cabs(g * (1 - (1 - r) * hp));
        sum += -60.0 / (20 * log10(mag)) * m / FS;
    }
    return sum / DSP_REVERB_LINES;
}

/* The decay is set in seconds whatever the session rate (the lengths and
 * the gains both scale with it). */
static void test_rates(void)
{
    static const double rates[] = {44100, 96000, 192000};
    for (int i = 0; i < 3; i++) {
        rate = rates[i];
        double got = measured_rt60(20, 2.0, 1, 0);
        rate = FS;
        char name[160];
        snprintf(name, sizeof name, "RT60 at %g Hz (size 20 m, rt60 2 s): within 10 %%", rates[i]);
        check(fabs(got - 2.0) <= 0.2, name, "measured %.4f s", got);
    }
}

static void test_damping(void)
{
    double low1 = measured_rt60(20, 2.0, 1.0, 1000), low3 = measured_rt60(20, 2.0, 0.3, 1000);
    double high1 = measured_rt60(20, 2.0, 1.0, 12000), high3 = measured_rt60(20, 2.0, 0.3, 12000);
    dsp_reverb_params p = params(2.0, 0.3);
    void *mem;
    dsp_reverb *s = make(1, 20, 0, &p, &mem);
    double want = predicted_rt60(s, 2.0, 0.3, 4000, 12000);
    free(mem), free(s);
    check(high3 < 0.6 * high1, "damping 0.3 shortens the 12 kHz third octave's RT60", "undamped %.3f s, damped %.3f s",
          high1, high3);
    printf("# 12 kHz third octave: undamped %.3f s, damping 0.3 %.3f s, predicted %.3f s\n", high1, high3, want);
    check(fabs(high3 - want) <= 0.15 * want, "damped 12 kHz RT60 within 15 % of the shelves' prediction",
          "measured %.3f s, predicted %.3f s", high3, want);
    check(fabs(low3 - low1) <= 0.1 * low1, "damping leaves the 1 kHz third octave's RT60 within 10 %",
          "undamped %.3f s, damped %.3f s", low1, low3);
}

static double energy(const float *x, int from, int to)
{
    double e = 0;
    for (int i = from; i < to; i++)
        e += (double)x[i] * x[i];
    return e;
}

static void test_true_stereo(void)
{
    dsp_reverb_params p = params(2.0, 0.5);
    int n = (int)(3 * FS);
    float *h[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    for (int in = 0; in < 2; in++) {
        void *mem;
        dsp_reverb *s = make(2, 20, 0, &p, &mem);
        impulse_response(s, 2, in, h, n);
        int first = 2 * s->min_len; /* the first pass has come out, the second not yet */
        double same = energy(h[in], 0, n), other = energy(h[1 - in], 0, n);
        double db = 10 * log10(same / other);
        char name[160];
        snprintf(name, sizeof name, "true stereo: an impulse on the %s input is louder on the %s output by >= 1.5 dB",
                 in ? "right" : "left", in ? "right" : "left");
        check(db >= 1.5, name, "%.2f dB", db);
        printf("# %s input: %.2f dB more on its own side\n", in ? "right" : "left", db);
        snprintf(name, sizeof name, "true stereo: nothing on the other side before the second pass (%s input)",
                 in ? "right" : "left");
        check(energy(h[1 - in], 0, first) == 0 && energy(h[in], 0, first) > 0, name, "other %g, same %g",
              energy(h[1 - in], 0, first), energy(h[in], 0, first));
        free(mem), free(s);
    }
    free(h[0]), free(h[1]);
}

/* a reproducible noise in [-0.5, 0.5) */
static unsigned rng = 12345;
static float noise(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)((rng >> 8) / 16777216.0 - 0.5);
}

/* Independent noise on every input of a reverb with these speakers for 2 s;
 * the largest |normalised correlation| between two outputs that are not
 * SKIP over 0.5-2 s (names in *wa, *wb), the outputs in h (freed by the
 * caller). */
static double worst_correlation(int nch, const dsp_reverb_speaker *sp, float **h, int n, const char **wa,
                                const char **wb, const char *const *names)
{
    dsp_reverb_params p = params(2.0, 0.5);
    dsp_reverb_shape sh = {.channels = nch, .size_m = 20, .predelay_s = 0.01};
    memcpy(sh.speakers, sp, (size_t)nch * sizeof *sp);
    dsp_reverb *s = malloc(sizeof *s);
    void *mem = malloc(dsp_reverb_heap_size(rate, &sh));
    dsp_reverb_init(s, mem, rate, &sh, &p);
    for (int ch = 0; ch < nch; ch++) {
        h[ch] = calloc((size_t)n, sizeof(float));
        for (int i = 0; i < n; i++)
            h[ch][i] = noise(); /* independent noise on every input, LFE too */
    }
    for (int off = 0; off < n; off += 1000) {
        float *io[DSP_REVERB_MAX_CHANNELS];
        for (int ch = 0; ch < nch; ch++)
            io[ch] = h[ch] + off;
        dsp_reverb_process(s, io, n - off < 1000 ? n - off : 1000);
    }
    free(mem), free(s);
    int from = (int)(0.5 * FS);
    double worst = 0;
    for (int a = 0; a < nch; a++)
        for (int b = a + 1; b < nch; b++) {
            if (sp[a].side == DSP_REVERB_SKIP || sp[b].side == DSP_REVERB_SKIP)
                continue;
            double xy = 0;
            for (int i = from; i < n; i++)
                xy += (double)h[a][i] * h[b][i];
            double r = xy / sqrt(energy(h[a], from, n) * energy(h[b], from, n));
            if (fabs(r) > fabs(worst))
                worst = r, *wa = names[a], *wb = names[b];
        }
    return worst;
}

/* The check that worst_correlation's outputs (left in h) are decorrelated,
 * |correlation| < 0.05, under `name`; the largest on a "# layout" line. */
static void check_decorrelated(const char *name, const char *layout, int nch, const dsp_reverb_speaker *sp, float **h,
                               int n, const char *const *names)
{
    const char *wa = "", *wb = "";
    double worst = worst_correlation(nch, sp, h, n, &wa, &wb, names);
    check(fabs(worst) < 0.05, name, "%s-%s: %.4f", wa, wb, worst);
    printf("# %s: largest |correlation| %s-%s %.4f\n", layout, wa, wb, worst);
}

static void test_surround(void)
{
    int n = (int)(2 * FS), from = (int)(0.5 * FS);
    float *h[DSP_REVERB_MAX_CHANNELS];
    dsp_reverb_speaker sp[DSP_REVERB_MAX_CHANNELS];
    static const char *const n51[] = {"L", "R", "C", "LFE", "Ls", "Rs"};
    dsp_reverb_speakers_for(6, sp);
    check_decorrelated("5.1: L R C Ls Rs pairwise decorrelated (|correlation| < 0.05 over 0.5-2 s of noise)", "5.1", 6,
                       sp, h, n, n51);
    int silent = 1;
    for (int i = 0; i < n; i++)
        silent &= h[3][i] == 0;
    check(silent, "5.1: the LFE output is exactly 0", "not silent");
    double side = (energy(h[0], from, n) + energy(h[1], from, n) + energy(h[4], from, n) + energy(h[5], from, n)) / 4;
    double c_db = 10 * log10(energy(h[2], from, n) / side);
    check(fabs(c_db + 6) <= 1.5, "5.1: the centre's output is 6 dB below a side channel's (+-1.5 dB)", "%.2f dB",
          c_db);
    for (int ch = 0; ch < 6; ch++)
        free(h[ch]);

    static const char *const n71[] = {"L", "R", "C", "LFE", "Lss", "Rss", "Lrs", "Rrs"};
    dsp_reverb_speakers_for(8, sp);
    check_decorrelated("7.1: L R C Lss Rss Lrs Rrs pairwise decorrelated (|correlation| < 0.05)", "7.1", 8, sp, h, n,
                       n71);
    for (int ch = 0; ch < 8; ch++)
        free(h[ch]);

    /* eight plain channels as the engine lays them out: left and right in
     * turn, slots 0 to 3 (no centre) */
    static const char *const n8[] = {"1", "2", "3", "4", "5", "6", "7", "8"};
    for (int ch = 0; ch < 8; ch++)
        sp[ch] = (dsp_reverb_speaker){ch % 2 ? DSP_REVERB_RIGHT : DSP_REVERB_LEFT, ch / 2, 1};
    check_decorrelated("8 plain channels (four slots a side): pairwise decorrelated (|correlation| < 0.05)", "8 plain",
                       8, sp, h, n, n8);
    for (int ch = 0; ch < 8; ch++)
        free(h[ch]);
}

static int normal_or_zero(const float *x, int n)
{
    for (int i = 0; i < n; i++)
        if (x[i] != 0 && !(fabsf(x[i]) >= FLT_MIN))
            return 0;
    return 1;
}

static int all_zero(const float *x, int n)
{
    for (int i = 0; i < n; i++)
        if (x[i] != 0)
            return 0;
    return 1;
}

/* Every value of the reverb's state 0 or >= FLT_MIN (want_zero: exactly 0). */
static int state_ok(const dsp_reverb *s, int want_zero)
{
    int (*ok)(const float *, int) = want_zero ? all_zero : normal_or_zero;
    int good = ok(s->hp_x, DSP_REVERB_LINES) && ok(s->hp_y, DSP_REVERB_LINES);
    for (int i = 0; i < DSP_REVERB_LINES; i++)
        good &= ok(s->line[i], s->len[i]);
    for (int ch = 0; ch < s->nch; ch++) {
        if (s->pre_len)
            good &= ok(s->pre[ch], s->pre_len);
        for (int k = 0; k < DSP_REVERB_DIFFUSERS; k++)
            good &= ok(s->ap[ch][k], s->ap_len[ch][k]);
    }
    return good;
}

static void test_denormals(void)
{
    dsp_reverb_params p = params(1.0, 0.5);
    void *mem;
    dsp_reverb *s = make(2, 10, 0.02, &p, &mem);
    int block = 4800, blocks = (int)(61 * FS) / block, outputs_ok = 1, states_ok = 1, tiny = 0;
    float *buf[2] = {malloc((size_t)block * sizeof(float)), malloc((size_t)block * sizeof(float))};
    for (int b = 0; b < blocks; b++) {
        for (int ch = 0; ch < 2; ch++)
            for (int i = 0; i < block; i++)
                buf[ch][i] = b < 10 ? noise() : 0; /* 1 s of noise, then a 60 s tail */
        dsp_reverb_process(s, buf, block);
        for (int ch = 0; ch < 2; ch++) {
            outputs_ok &= normal_or_zero(buf[ch], block);
            for (int i = 0; i < block; i++)
                tiny |= buf[ch][i] != 0 && fabsf(buf[ch][i]) < 1e-30f;
        }
        states_ok &= state_ok(s, 0);
    }
    check(outputs_ok, "60 s tail: every output sample is 0 or >= FLT_MIN", "a subnormal output");
    check(states_ok, "60 s tail: every state value is 0 or >= FLT_MIN, checked after every 0.1 s", "a subnormal");
    check(tiny, "60 s tail: the tail went below 1e-30 (the check saw the range where subnormals arise)",
          "never that small");
    check(state_ok(s, 1), "60 s tail: the state ends at exactly 0", "not silent");
    free(buf[0]), free(buf[1]), free(mem), free(s);
}

/* Renders 1 s of a noise burst through a stereo reverb in calls of `block`
 * samples (0: random lengths), the settings changed at sample 20000 (a
 * call boundary is made there). */
static void render_split(float *l, float *r, int block)
{
    dsp_reverb_params p = params(1.5, 0.5), q = {.rt60_s = 0.7, .damping = 0.8, .damping_hz = 2500, .width = 0.4,
                                                 .mix = 0.7};
    void *mem;
    dsp_reverb *s = make(2, 12, 0.013, &p, &mem);
    int n = (int)FS;
    unsigned split = 99;
    for (int done = 0; done < n;) {
        int m = block;
        if (!block)
            split = split * 1103515245u + 12345u, m = 1 + (int)((split >> 16) % 3000);
        m = n - done < m ? n - done : m;
        if (done < 20000 && done + m > 20000)
            m = 20000 - done;
        if (done == 20000)
            dsp_reverb_set(s, &q);
        float *io[2] = {l + done, r + done};
        dsp_reverb_process(s, io, m);
        done += m;
    }
    free(mem), free(s);
}

static void test_blocks(void)
{
    int n = (int)FS;
    float *in[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    rng = 777;
    for (int i = 0; i < n; i++)
        in[0][i] = i < 4000 ? noise() : 0, in[1][i] = i < 4000 ? 0.5f * noise() : 0;
    float *ref[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    float *got[2] = {malloc((size_t)n * sizeof(float)), malloc((size_t)n * sizeof(float))};
    memcpy(ref[0], in[0], (size_t)n * sizeof(float)), memcpy(ref[1], in[1], (size_t)n * sizeof(float));
    render_split(ref[0], ref[1], 64);
    static const int blocks[] = {1, 4096, 0};
    static const int capv[] = {DSP_SIMD_ANY, DSP_SIMD_NO_AVX2};
    static const char *paths[] = {"", "portable path, "};
    for (int c = 0; c < 2; c++)
        for (int b = 0; b < 3; b++) {
            dsp_simd_cap = capv[c];
            memcpy(got[0], in[0], (size_t)n * sizeof(float)), memcpy(got[1], in[1], (size_t)n * sizeof(float));
            render_split(got[0], got[1], blocks[b]);
            char name[140];
            snprintf(name, sizeof name,
                     "%scalls of %d samples (0: random) = this CPU's path, calls of 64, settings changed at 20000",
                     paths[c], blocks[b]);
            check(memcmp(got[0], ref[0], (size_t)n * sizeof(float)) == 0 &&
                  memcmp(got[1], ref[1], (size_t)n * sizeof(float)) == 0, name, "differs");
        }
    dsp_simd_cap = DSP_SIMD_ANY;

    /* mix 0: the dry signal; width 0: L = R; reset: a fresh reverb */
    dsp_reverb_params dry = params(1.5, 0.5), narrow = params(1.5, 0.5);
    dry.mix = 0, narrow.width = 0;
    void *mem;
    dsp_reverb *s = make(2, 12, 0, &dry, &mem);
    memcpy(got[0], in[0], (size_t)n * sizeof(float)), memcpy(got[1], in[1], (size_t)n * sizeof(float));
    dsp_reverb_process(s, got, n);
    check(memcmp(got[0], in[0], (size_t)n * sizeof(float)) == 0 && memcmp(got[1], in[1], (size_t)n * sizeof(float)) == 0,
          "mix 0 is the dry signal bit for bit", "differs");
    dsp_reverb_set(s, &narrow);
    memcpy(got[0], in[0], (size_t)n * sizeof(float)), memcpy(got[1], in[1], (size_t)n * sizeof(float));
    dsp_reverb_reset(s);
    dsp_reverb_process(s, got, n);
    check(memcmp(got[0], got[1], (size_t)n * sizeof(float)) == 0 && energy(got[0], 0, n) > 0,
          "width 0: L and R are the same (and not silent)", "differ");
    float *again[2] = {ref[0], ref[1]};
    memcpy(again[0], in[0], (size_t)n * sizeof(float)), memcpy(again[1], in[1], (size_t)n * sizeof(float));
    dsp_reverb_reset(s);
    dsp_reverb_process(s, again, n);
    check(memcmp(again[0], got[0], (size_t)n * sizeof(float)) == 0, "reset: the same output as after the first reset",
          "differs");
    free(mem), free(s);
    for (int ch = 0; ch < 2; ch++)
        free(in[ch]), free(ref[ch]), free(got[ch]);
}

int main(void)
{
    test_rt60();
    test_rates();
    test_damping();
    test_true_stereo();
    test_surround();
    test_denormals();
    test_blocks();
    return check_exit();
}
