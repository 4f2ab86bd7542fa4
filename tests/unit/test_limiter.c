/* test_limiter.c - dsp/limiter against its promises (dsp/limiter.h).
 *
 * The output's true peak is read by dsp/loudness's meter, which runs its own
 * oversampler over the whole output (an independent path from the limiter's
 * detector and checker, though the same BS.1770-4 Annex 2 filter: dBTP is
 * what that filter reads). Tolerances: true peak <= ceiling + 0.1 dB (the
 * lines starting with '#' print how far under it each output stays, and the
 * checker's work), sample peak <= ceiling exactly, a settled tone within
 * 0.2 dB under the ceiling, the release time constant within 10 %,
 * everything else bit for bit. The speed lines at the end are measurements
 * only. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "tests/check.h"

#define PI 3.14159265358979323846
#define FS 48000.0
#define MAX_CH 8

/* ---- signals ------------------------------------------------------------ */

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static double uniform(void) /* [0, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
    double u = uniform(), v = uniform();
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * PI * v);
}

typedef struct {
    int channels;
    long n;
    float *x[MAX_CH];
} sig;

static void sig_alloc(sig *s, int channels, long n)
{
    s->channels = channels;
    s->n = n;
    for (int c = 0; c < channels; c++) {
        s->x[c] = calloc((size_t)n, sizeof(float));
        if (!s->x[c]) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
}

static void sig_free(sig *s)
{
    for (int c = 0; c < s->channels; c++)
        free(s->x[c]);
    memset(s, 0, sizeof *s);
}

static double db(double lin)
{
    return 20.0 * log10(lin);
}

static double lin(double d)
{
    return pow(10.0, d / 20.0);
}

/* ---- running the limiter and the meter ------------------------------------ */

static dsp_limiter_params params(double ceiling, double lookahead, double release)
{
    dsp_limiter_params p = {ceiling, lookahead, release, 0};
    return p;
}

typedef struct {
    dsp_limiter lim;
    void *mem;
} limiter_box;

static dsp_limiter *limiter_new(limiter_box *b, int channels, double fs, const dsp_limiter_params *p)
{
    size_t bytes = dsp_limiter_heap_size(channels, fs, p);
    if (bytes == 0) {
        fprintf(stderr, "dsp_limiter_heap_size refused a valid setup\n");
        exit(1);
    }
    b->mem = malloc(bytes);
    dsp_limiter_init(&b->lim, b->mem, channels, fs, p);
    return &b->lim;
}

/* The limiter's output for in, followed by L samples of silence so that
 * everything comes out: n + L samples per channel, in `out` (allocated). */
static void run(dsp_limiter *l, const sig *in, sig *out, int block)
{
    int lat = dsp_limiter_latency(l);
    sig_alloc(out, in->channels, in->n + lat);
    for (int c = 0; c < in->channels; c++)
        memcpy(out->x[c], in->x[c], (size_t)in->n * sizeof(float));
    long done = 0;
    while (done < out->n) {
        int m = (int)(out->n - done < block ? out->n - done : block);
        float *io[MAX_CH];
        for (int c = 0; c < in->channels; c++)
            io[c] = out->x[c] + done;
        dsp_limiter_process(l, io, m);
        done += m;
    }
}

static int varying_block(long i)
{
    static const int sizes[] = {1, 3, 17, 255, 256, 257, 1000, 2, 511, 4096};
    return sizes[i % 10];
}

/* The same with block sizes cycling through odd values. */
static void run_varying(dsp_limiter *l, const sig *in, sig *out)
{
    int lat = dsp_limiter_latency(l);
    sig_alloc(out, in->channels, in->n + lat);
    for (int c = 0; c < in->channels; c++)
        memcpy(out->x[c], in->x[c], (size_t)in->n * sizeof(float));
    long done = 0;
    for (long call = 0; done < out->n; call++) {
        int b = varying_block(call);
        int m = (int)(out->n - done < b ? out->n - done : b);
        float *io[MAX_CH];
        for (int c = 0; c < in->channels; c++)
            io[c] = out->x[c] + done;
        dsp_limiter_process(l, io, m);
        done += m;
    }
}

/* dsp_loudness's true peak (dBTP, max over channels) of s[from .. to) */
static double meter_tp_at(const sig *s, double rate, long from, long to)
{
    dsp_loudness_config cfg;
    dsp_loudness_config_init(&cfg, rate, s->channels);
    dsp_loudness *m = dsp_loudness_create(&cfg);
    const float *ch[MAX_CH];
    for (int c = 0; c < s->channels; c++)
        ch[c] = s->x[c] + from;
    dsp_loudness_process(m, ch, (int)(to - from));
    dsp_loudness_result r;
    dsp_loudness_get(m, &r);
    dsp_loudness_destroy(&m);
    return r.true_peak_dbtp;
}

static double meter_tp(const sig *s, long from, long to)
{
    return meter_tp_at(s, FS, from, to);
}

static float sample_peak(const sig *s)
{
    float p = 0;
    for (int c = 0; c < s->channels; c++)
        for (long i = 0; i < s->n; i++)
            p = fabsf(s->x[c][i]) > p ? fabsf(s->x[c][i]) : p;
    return p;
}

/* ---- material ------------------------------------------------------------- */

static void make_sine(sig *s, double freq, double phase, double peak)
{
    for (int c = 0; c < s->channels; c++)
        for (long i = 0; i < s->n; i++)
            s->x[c][i] = (float)(peak * sin(2.0 * PI * freq * (double)i / FS + phase + 0.3 * c));
}

static void make_noise(sig *s, double peak)
{
    for (int c = 0; c < s->channels; c++)
        for (long i = 0; i < s->n; i++)
            s->x[c][i] = (float)(peak * (2.0 * uniform() - 1.0));
}

/* full-scale noise in 40 ms bursts, 120 ms apart, random on- and offsets */
static void make_bursts(sig *s)
{
    for (long i = 0; i < s->n; i++) {
        long ph = i % 5760;
        int on = ph < 1920;
        for (int c = 0; c < s->channels; c++)
            s->x[c][i] = on ? (float)(2.0 * uniform() - 1.0) : (float)(0.01 * (2.0 * uniform() - 1.0));
    }
}

/* naive squares (+-peak, steps with nothing band-limited about them), the
 * frequency changing every 0.25 s */
static void make_square(sig *s, double peak)
{
    static const double f[] = {50, 997, 3000, 7919, 11999, 150};
    for (int c = 0; c < s->channels; c++)
        for (long i = 0; i < s->n; i++) {
            double fr = f[(i / 12000) % 6] * (1.0 + 0.01 * c);
            s->x[c][i] = (float)(sin(2.0 * PI * fr * (double)i / FS) >= 0 ? peak : -peak);
        }
}

/* fs/4 at 45 degrees: samples at +-peak, true peak peak * sqrt 2 (+3 dB),
 * EBU Tech 3341 case 19's inter-sample peak; switched on and off */
static void make_fs4(sig *s, double peak)
{
    for (int c = 0; c < s->channels; c++)
        for (long i = 0; i < s->n; i++) {
            int on = (i / 4800) % 2 == 0;
            s->x[c][i] = on ? (float)(peak * sqrt(2.0) * sin(PI / 2.0 * (double)i + PI / 4.0)) : 0.0f;
        }
}

/* isolated impulses, doublets (+a, -a) and triplets, some at +6 dB */
static void make_impulses(sig *s)
{
    for (int c = 0; c < s->channels; c++) {
        memset(s->x[c], 0, (size_t)s->n * sizeof(float));
        for (long i = 100 + 37 * c; i + 3 < s->n; i += 997 + 13 * c) {
            long k = i / 997;
            float a = k % 3 == 0 ? 2.0f : 1.0f;
            s->x[c][i] = a;
            if (k % 2)
                s->x[c][i + 1] = -a;
            if (k % 5 == 0)
                s->x[c][i + 2] = a;
        }
    }
}

/* gaussian noise, +12 dB: peaks near 4 (+12 dBFS) and beyond */
static void make_hot(sig *s)
{
    for (int c = 0; c < s->channels; c++)
        for (long i = 0; i < s->n; i++)
            s->x[c][i] = (float)(1.0 * gauss());
}

/* programme-like: a few partials with fast random envelopes and transients,
 * up to about +8 dBFS */
static void make_music(sig *s)
{
    double env = 0, f1 = 110, f2 = 1760;
    for (long i = 0; i < s->n; i++) {
        if (i % 2400 == 0) {
            env = 0.2 + 2.2 * uniform();
            f1 = 55.0 * (1 + (int)(uniform() * 12));
            f2 = f1 * (2 + (int)(uniform() * 20));
        }
        double t = (double)i / FS;
        double v = env * (0.6 * sin(2 * PI * f1 * t) + 0.3 * sin(2 * PI * f2 * t)) + 0.05 * env * gauss();
        if (i % 9600 < 48)
            v += 1.5 * (2.0 * uniform() - 1.0); /* a click */
        for (int c = 0; c < s->channels; c++)
            s->x[c][i] = (float)(v * (1.0 - 0.2 * c));
    }
}

/* ---- tests ---------------------------------------------------------------- */

/* output = input delayed by L, bit for bit, silence before */
static int is_delayed_copy(const sig *in, const sig *out, int lat)
{
    for (int c = 0; c < in->channels; c++) {
        for (long i = 0; i < lat; i++)
            if (out->x[c][i] != 0.0f)
                return 0;
        if (memcmp(out->x[c] + lat, in->x[c], (size_t)in->n * sizeof(float)) != 0)
            return 0;
    }
    return 1;
}

static void test_unity(void)
{
    const double ceiling = -1.0;
    dsp_limiter_params p = params(ceiling, 0.005, 0.05);
    const char *names[] = {"997 Hz sine", "noise", "naive square", "fs/4 at 45 degrees", "impulses and doublets",
                           "silence", "programme-like"};
    for (int t = 0; t < 7; t++) {
        sig in;
        sig_alloc(&in, 2, 48000);
        switch (t) {
        case 0: make_sine(&in, 997.0, 0.1, 1.0); break;
        case 1: make_noise(&in, 1.0); break;
        case 2: make_square(&in, 1.0); break;
        case 3: make_fs4(&in, 1.0); break;
        case 4: make_impulses(&in); break;
        case 5: break;
        case 6: make_music(&in); break;
        }
        if (t != 5) {
            /* scaled so that the meter reads just under the ceiling
             * (0.001 dB: as close as the float scaling allows to keep it
             * under) */
            double g = lin(ceiling) / lin(meter_tp(&in, 0, in.n)) * lin(-0.001);
            for (int c = 0; c < 2; c++)
                for (long i = 0; i < in.n; i++)
                    in.x[c][i] = (float)(in.x[c][i] * g);
        }
        double tp = meter_tp(&in, 0, in.n);
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 2, FS, &p);
        sig out;
        run(l, &in, &out, 512);
        char name[160];
        snprintf(name, sizeof name, "unity: %s (true peak %.3f dBTP) comes out delayed by L, bit for bit", names[t],
                 tp);
        check(tp <= ceiling && is_delayed_copy(&in, &out, dsp_limiter_latency(l)), name,
              "input true peak %.4f dBTP; output differs", tp);
        snprintf(name, sizeof name, "unity: %s: gain reduction reads 0 dB", names[t]);
        check(dsp_limiter_gain_reduction_db(l) == 0.0, name, "%g dB", dsp_limiter_gain_reduction_db(l));
        sig_free(&out);
        sig_free(&in);
        free(b.mem);
    }
}

static double worst_margin = -1e9; /* max over the hard material of TP - ceiling */

static void test_ceiling(void)
{
    const char *names[] = {"full-scale noise bursts", "naive squares 0 dBFS", "naive squares +6 dBFS",
                           "fs/4 at 45 degrees, +3 dBTP", "fs/4 at 45 degrees, +9 dBTP", "impulses and doublets",
                           "+12 dB gaussian noise", "programme-like, +8 dB", "programme-like, 6 channels"};
    const double ceilings[] = {-1.0, -2.0, -0.1};
    for (int t = 0; t < 9; t++) {
        int ch = t == 8 ? 6 : 2;
        sig in;
        sig_alloc(&in, ch, 2 * 48000);
        switch (t) {
        case 0: make_bursts(&in); break;
        case 1: make_square(&in, 1.0); break;
        case 2: make_square(&in, 2.0); break;
        case 3: make_fs4(&in, 1.0); break;
        case 4: make_fs4(&in, 2.0); break;
        case 5: make_impulses(&in); break;
        case 6: make_hot(&in); break;
        case 7:
        case 8: make_music(&in); break;
        }
        double in_tp = meter_tp(&in, 0, in.n);
        for (int k = 0; k < 3; k++) {
            double ceiling = ceilings[k];
            dsp_limiter_params p = params(ceiling, k == 2 ? 0.0015 : 0.005, k == 1 ? 0.2 : 0.05);
            limiter_box b;
            dsp_limiter *l = limiter_new(&b, ch, FS, &p);
            sig out;
            run(l, &in, &out, 1024);
            double tp = meter_tp(&out, 0, out.n);
            float sp = sample_peak(&out);
            worst_margin = tp - ceiling > worst_margin ? tp - ceiling : worst_margin;
            char name[200];
            snprintf(name, sizeof name, "ceiling %.1f dBTP, %s (input %+.2f dBTP): output true peak <= ceiling + 0.1 dB",
                     ceiling, names[t], in_tp);
            check(tp <= ceiling + 0.1, name, "true peak %.4f dBTP", tp);
            printf("#   output true peak %.4f dBTP (ceiling %+.4f dB), sample peak %.4f dBFS, %llu checker corrections\n",
                   tp, tp - ceiling, db(sp), (unsigned long long)dsp_limiter_corrections(l));
            snprintf(name, sizeof name, "ceiling %.1f dBTP, %s: output sample peak <= ceiling", ceiling, names[t]);
            check(sp <= (float)lin(ceiling), name, "sample peak %.6f dBFS", db(sp));
            sig_free(&out);
            free(b.mem);
        }
        sig_free(&in);
    }
    printf("# worst output true peak over the hard material: ceiling %+.4f dB\n", worst_margin);
}

/* At 16 kHz a 1 ms look-ahead is the 17-sample floor: the minimum and the
 * box are 1 sample long, the gain steps from sample to sample, and the
 * envelope alone overshoots; here the checker does the work. The block
 * sizes must not matter with it busy either. */
static void test_checker(void)
{
    const double rate = 16000.0, ceiling = -1.0;
    dsp_limiter_params p = params(ceiling, 0.001, 0.05);
    const char *names[] = {"full-scale noise bursts", "+12 dB gaussian noise", "programme-like"};
    double worst = -1e9;
    for (int t = 0; t < 3; t++) {
        sig in;
        sig_alloc(&in, 2, 32000);
        if (t == 0)
            make_bursts(&in);
        else if (t == 1)
            make_hot(&in);
        else
            make_music(&in);
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 2, rate, &p);
        sig out;
        run(l, &in, &out, 1024);
        double tp = meter_tp_at(&out, rate, 0, out.n);
        float sp = sample_peak(&out);
        unsigned long long corr = (unsigned long long)dsp_limiter_corrections(l);
        worst = tp - ceiling > worst ? tp - ceiling : worst;
        char name[200];
        snprintf(name, sizeof name,
                 "checker (16 kHz, 17-sample latency, 1-sample ramps), %s: it corrects, true peak <= ceiling + 0.1 dB, "
                 "sample peak <= ceiling",
                 names[t]);
        check(corr > 0 && tp <= ceiling + 0.1 && sp <= (float)lin(ceiling), name,
              "%llu corrections, true peak %.4f dBTP, sample peak %.4f dBFS", corr, tp, db(sp));
        printf("#   output true peak %.4f dBTP (ceiling %+.4f dB), %llu checker corrections\n", tp, tp - ceiling, corr);
        /* the same bits in blocks of 1 and of odd sizes */
        int lat = dsp_limiter_latency(l);
        for (int k = 0; k < 2; k++) {
            sig again;
            dsp_limiter_reset(l);
            if (k == 0)
                run(l, &in, &again, 1);
            else
                run_varying(l, &in, &again);
            int same = dsp_limiter_corrections(l) == corr;
            for (int c = 0; c < 2; c++)
                same &= memcmp(out.x[c], again.x[c], (size_t)(in.n + lat) * sizeof(float)) == 0;
            snprintf(name, sizeof name, "checker, %s: blocks of %s give the same bits", names[t],
                     k == 0 ? "1" : "1, 3, 17 .. 4096 mixed");
            check(same, name, "outputs differ");
            sig_free(&again);
        }
        sig_free(&out);
        sig_free(&in);
        free(b.mem);
    }
    printf("# checker: worst output true peak with 1-sample ramps: ceiling %+.4f dB\n", worst);
}

/* A tone limited by 7 dB settles with its true peak just under the
 * ceiling: the reduction is no more than needed. */
static void test_minimum_reduction(void)
{
    const double freqs[] = {1000.0, 997.0, 5000.0, 250.0};
    for (int k = 0; k < 4; k++) {
        dsp_limiter_params p = params(-1.0, 0.005, 0.05);
        sig in;
        sig_alloc(&in, 2, 2 * 48000);
        make_sine(&in, freqs[k], 0.0, 2.0); /* +6.02 dBFS */
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 2, FS, &p);
        sig out;
        run(l, &in, &out, 1000);
        int lat = dsp_limiter_latency(l);
        double in_tp = meter_tp(&in, 48000, 96000);
        double tp = meter_tp(&out, 48000 + lat, 96000 + lat);
        char name[160];
        snprintf(name, sizeof name, "minimum reduction: %.0f Hz sine at %+.2f dBTP settles 0..0.2 dB under -1 dBTP",
                 freqs[k], in_tp);
        check(tp <= -1.0 && tp >= -1.2, name, "settled true peak %.4f dBTP", tp);
        printf("#   settled true peak %.4f dBTP\n", tp);
        sig_free(&in);
        sig_free(&out);
        free(b.mem);
    }
    /* the reported reduction, on the 1 kHz tone */
    dsp_limiter_params p = params(-1.0, 0.005, 0.05);
    sig in;
    sig_alloc(&in, 2, 48000);
    make_sine(&in, 1000.0, 0.0, 2.0);
    double in_tp = meter_tp(&in, 0, in.n);
    limiter_box b;
    dsp_limiter *l = limiter_new(&b, 2, FS, &p);
    float *io[2] = {in.x[0], in.x[1]};
    dsp_limiter_process(l, io, (int)in.n);
    check_near(dsp_limiter_gain_reduction_db(l), in_tp + 1.0 + 0.05, 0.01,
               "gain_reduction_db = input true peak - ceiling + 0.05 dB target margin (1 kHz, +6 dBFS)");
    sig_free(&in);
    free(b.mem);
}

/* 1 - g decays as exp(-t / release_s) after a burst: the gain is read as
 * output / input on a DC step (+6 dBFS, then -12 dBFS). */
static void test_release(void)
{
    const double rel[] = {0.05, 0.2, 0.01};
    for (int k = 0; k < 3; k++) {
        dsp_limiter_params p = params(-1.0, 0.005, rel[k]);
        long burst = 24000, n = burst + (long)(25 * rel[k] * FS) + 4800;
        sig in, out;
        sig_alloc(&in, 1, n);
        for (long i = 0; i < n; i++)
            in.x[0][i] = i < burst ? 2.0f : 0.25f;
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 1, FS, &p);
        run(l, &in, &out, 333);
        int lat = dsp_limiter_latency(l);
        /* after the step the gain starts from its floor g0; find where
         * 1 - g falls through 50 % and 5 % of 1 - g0 */
        double g0 = out.x[0][lat + burst - 1] / 2.0;
        double hi = 0.5 * (1 - g0), lo = 0.05 * (1 - g0);
        double t_hi = -1, t_lo = -1;
        for (long i = burst; i < n; i++) {
            double gi = out.x[0][lat + i] / 0.25;
            double prev = i > burst ? out.x[0][lat + i - 1] / 0.25 : g0;
            if (t_hi < 0 && 1 - gi <= hi)
                t_hi = (double)(i - 1) + ((1 - prev) - hi) / ((1 - prev) - (1 - gi));
            if (t_lo < 0 && 1 - gi <= lo)
                t_lo = (double)(i - 1) + ((1 - prev) - lo) / ((1 - prev) - (1 - gi));
        }
        double tau = (t_lo - t_hi) / log(10.0) / FS;
        char name[160];
        snprintf(name, sizeof name, "release: time constant after a +7 dB burst within 10%% of %.3f s", rel[k]);
        check(t_hi > 0 && t_lo > 0 && fabs(tau / rel[k] - 1.0) <= 0.10, name, "measured %.5f s", tau);
        printf("#   measured %.5f s (%+.2f %%)\n", tau, 100.0 * (tau / rel[k] - 1.0));
        /* and it lands on exactly 1 */
        snprintf(name, sizeof name, "release %.3f s: the gain returns to exactly 1 (output = input)", rel[k]);
        check(out.x[0][n - 1 + lat] == 0.25f && dsp_limiter_gain_reduction_db(l) == 0.0, name, "last sample %.9g",
              out.x[0][n - 1 + lat]);
        sig_free(&in);
        sig_free(&out);
        free(b.mem);
    }
}

/* The detector reads each chunk's input where it is and decides from the
 * chunk's samples and the 11 before them whether a window can read above
 * the ceiling (dsp/limiter.c, CHUNK 256 frames): an inter-sample peak
 * made by the last 6 samples of a chunk, silence before it, must still be
 * found. Blocks of 4096 put frames 1018-1023 at the end of a chunk; blocks
 * of 1 never make a chunk longer than a frame. Checked: the same bits,
 * and the gain came down (else the signal would test nothing). */
static void test_chunk_tail_peak(void)
{
    dsp_limiter_params p = params(-1.0, 0.005, 0.05);
    sig in;
    sig_alloc(&in, 2, 4096);
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 6; k++)
            in.x[c][1018 + k] = (k % 2 ? -0.88f : 0.88f); /* samples under c = 0.891, its readings above */
    sig out[2];
    static const int blocks[] = {4096, 1};
    for (int k = 0; k < 2; k++) {
        limiter_box b;
        run(limiter_new(&b, 2, FS, &p), &in, &out[k], blocks[k]);
        free(b.mem);
    }
    int same = 1, down = 0;
    for (int c = 0; c < 2; c++) {
        same &= memcmp(out[0].x[c], out[1].x[c], (size_t)out[0].n * sizeof(float)) == 0;
        for (long i = 0; i < out[1].n; i++)
            down |= fabsf(out[1].x[c][i]) > 0 && fabsf(out[1].x[c][i]) < 0.879f;
    }
    check(same && down, "block size: an inter-sample peak in a chunk's last 6 frames is limited as in blocks of 1",
          same ? "no gain reduction: the signal tests nothing" : "outputs differ");
    sig_free(&in), sig_free(&out[0]), sig_free(&out[1]);
}

static void test_block_size(void)
{
    dsp_limiter_params p = params(-1.0, 0.005, 0.05);
    sig in;
    sig_alloc(&in, 6, 3 * 48000);
    make_music(&in);
    sig part;
    sig_alloc(&part, 6, 48000);
    make_hot(&part);
    for (int c = 0; c < 6; c++)
        memcpy(in.x[c] + 48000, part.x[c], 48000 * sizeof(float)); /* a hot second in the middle */
    sig_free(&part);
    const int blocks[] = {4096, 1, 7, 64};
    sig ref;
    memset(&ref, 0, sizeof ref);
    for (int k = 0; k < 5; k++) {
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 6, FS, &p);
        sig out;
        if (k < 4)
            run(l, &in, &out, blocks[k]);
        else
            run_varying(l, &in, &out);
        if (k == 0) {
            ref = out;
            printf("#   %llu checker corrections on this material\n", (unsigned long long)dsp_limiter_corrections(l));
        } else {
            int same = 1;
            for (int c = 0; c < 6; c++)
                same &= memcmp(ref.x[c], out.x[c], (size_t)ref.n * sizeof(float)) == 0;
            char name[120];
            if (k < 4)
                snprintf(name, sizeof name, "block size: blocks of %d give the bits of blocks of 4096", blocks[k]);
            else
                snprintf(name, sizeof name, "block size: blocks of 1, 3, 17, 255 .. 4096 mixed give the same bits");
            check(same, name, "outputs differ");
            sig_free(&out);
        }
        free(b.mem);
    }
    /* reset: the second run of a limiter equals a fresh one */
    limiter_box b;
    dsp_limiter *l = limiter_new(&b, 6, FS, &p);
    sig out;
    run(l, &in, &out, 300);
    sig_free(&out);
    dsp_limiter_reset(l);
    run(l, &in, &out, 4096);
    int same = 1;
    for (int c = 0; c < 6; c++)
        same &= memcmp(ref.x[c], out.x[c], (size_t)ref.n * sizeof(float)) == 0;
    check(same, "reset: a run after reset gives the bits of a fresh limiter", "outputs differ");
    sig_free(&out);
    free(b.mem);
    sig_free(&ref);
    sig_free(&in);
}

/* one gain for every channel */
static void test_linked(void)
{
    dsp_limiter_params p = params(-1.0, 0.005, 0.05);
    sig in, out;
    sig_alloc(&in, 2, 24000);
    for (long i = 0; i < in.n; i++) {
        in.x[0][i] = (float)(2.0 * sin(2 * PI * 1000 * (double)i / FS));
        in.x[1][i] = 0.125f; /* DC, -18 dBFS */
    }
    limiter_box b;
    dsp_limiter *l = limiter_new(&b, 2, FS, &p);
    run(l, &in, &out, 512);
    int lat = dsp_limiter_latency(l);
    double worst = 0;
    for (long i = 0; i < in.n; i++) {
        double g0 = fabs(in.x[0][i]) > 0.5 ? out.x[0][i + lat] / in.x[0][i] : -1;
        double g1 = out.x[1][i + lat] / in.x[1][i];
        if (g0 >= 0)
            worst = fabs(g0 - g1) > worst ? fabs(g0 - g1) : worst;
    }
    check(worst < 1e-6 && out.x[1][lat + 20000] < 0.125f * 0.5f, "linked: a quiet channel gets the loud channel's gain",
          "largest gain difference %g", worst);
    sig_free(&in);
    sig_free(&out);
    free(b.mem);
}

static void test_latency(void)
{
    const struct {
        double fs, look;
        int want;
    } cases[] = {
        {48000, 0.005, 240}, {44100, 0.005, 221}, {96000, 0.001, 96}, {192000, 0.1, 19200},
        {48000, 0.0015, 72}, {8000, 0.001, 17}, /* the 17-sample floor */
    };
    for (int k = 0; k < 6; k++) {
        dsp_limiter_params p = params(-1.0, cases[k].look, 0.05);
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 1, cases[k].fs, &p);
        char name[120];
        snprintf(name, sizeof name, "latency: %.0f Hz, %.4f s look-ahead -> %d samples", cases[k].fs, cases[k].look,
                 cases[k].want);
        int lat = dsp_limiter_latency(l);
        /* an impulse under the ceiling comes out exactly lat samples later */
        float x[40000] = {0};
        x[5] = 0.5f;
        float *io[1] = {x};
        dsp_limiter_process(l, io, 40000);
        int at = -1;
        for (int i = 0; i < 40000; i++)
            if (x[i] != 0.0f)
                at = at < 0 ? i : at;
        check(lat == cases[k].want && at == 5 + lat, name, "reported %d, impulse at %d", lat, at);
        free(b.mem);
    }
}

static int contains(const char *s, const char *part)
{
    return strstr(s, part) != NULL;
}

static void test_validation(void)
{
    char msg[200];
    dsp_limiter_params good = params(-1.0, 0.005, 0.05);
    strcpy(msg, "untouched");
    check(dsp_limiter_check(&good, msg, sizeof msg) == 0 && strcmp(msg, "untouched") == 0,
          "validation: -1 dBTP, 5 ms, 50 ms passes", "%s", msg);
    const struct {
        dsp_limiter_params p;
        const char *want[3];
    } bad[] = {
        {{3.0, 0.005, 0.05, 0}, {"ceiling_dbtp = 3", "-60 to 0", "dBTP"}},
        {{-100.0, 0.005, 0.05, 0}, {"ceiling_dbtp = -100", "-60 to 0", "dBTP"}},
        {{NAN, 0.005, 0.05, 0}, {"ceiling_dbtp = nan", "-60 to 0", "dBTP"}},
        {{-1.0, 0.0, 0.05, 0}, {"lookahead_s = 0 ", "0.001 to 0.1 s", "out of range"}},
        {{-1.0, 0.5, 0.05, 0}, {"lookahead_s = 0.5", "0.001 to 0.1 s", "limiter:"}},
        {{-1.0, 0.005, -1.0, 0}, {"release_s = -1", "0.001 to 10 s", "out of range"}},
        {{-1.0, 0.005, INFINITY, 0}, {"release_s = inf", "0.001 to 10 s", "out of range"}},
    };
    for (int k = 0; k < 7; k++) {
        msg[0] = 0;
        int rc = dsp_limiter_check(&bad[k].p, msg, sizeof msg);
        char name[160];
        snprintf(name, sizeof name, "validation: \"%.120s\"", msg);
        check(rc == -1 && contains(msg, bad[k].want[0]) && contains(msg, bad[k].want[1]) &&
                  contains(msg, bad[k].want[2]) && dsp_limiter_heap_size(2, FS, &bad[k].p) == 0,
              name, "rc %d, expected the message to name \"%s\" and \"%s\"", rc, bad[k].want[0], bad[k].want[1]);
    }
    check(dsp_limiter_check(&bad[0].p, msg, 12) == -1 && strlen(msg) == 11, "validation: the message is truncated to n",
          "\"%s\"", msg);
    check(dsp_limiter_heap_size(0, FS, &good) == 0 && dsp_limiter_heap_size(2, 4000, &good) == 0 &&
              dsp_limiter_heap_size(2, FS, &good) > 0,
          "validation: memory is 0 for 0 channels or a 4 kHz rate", "memory sizes wrong");
}

/* an infinity mutes its surroundings and the limiter recovers; a NaN passes
 * through alone */
static void test_bad_input(void)
{
    dsp_limiter_params p = params(-1.0, 0.005, 0.05);
    for (int k = 0; k < 2; k++) {
        sig in, out;
        sig_alloc(&in, 2, 3 * 48000);
        make_sine(&in, 440.0, 0.0, lin(-10.0));
        in.x[1][10000] = k == 0 ? INFINITY : NAN;
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 2, FS, &p);
        run(l, &in, &out, 512);
        int lat = dsp_limiter_latency(l);
        long bad = 0;
        for (int c = 0; c < 2; c++)
            for (long i = 0; i < out.n; i++)
                bad += !isfinite(out.x[c][i]);
        int nan_there = isnan(out.x[1][10000 + lat]);
        int muted = out.x[0][10000 + lat] == 0.0f || k == 1; /* the other channel, same frame */
        /* after two seconds (40 release time constants) the output is the
         * input again, exactly */
        int back = 1;
        for (int c = 0; c < 2; c++)
            back &= memcmp(out.x[c] + lat + 2 * 48000, in.x[c] + 2 * 48000, 48000 * sizeof(float)) == 0;
        if (k == 1) /* and a NaN changes nothing but itself */
            for (int c = 0; c < 2; c++)
                for (long i = 0; i < in.n; i++)
                    if (!(c == 1 && i == 10000))
                        back &= out.x[c][i + lat] == in.x[c][i];
        check(bad == 1 && nan_there && muted && back,
              k == 0 ? "bad input: an infinite sample comes out NaN, the gain is 0 around it, then all is as before"
                     : "bad input: a NaN comes out NaN and nothing else changes",
              "%ld non-finite outputs, NaN in place %d, muted %d, recovered %d", bad, nan_there, muted, back);
        sig_free(&in);
        sig_free(&out);
        free(b.mem);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_speed(void)
{
    dsp_limiter_params p = params(-1.0, 0.005, 0.05);
    const long n = 10 * 48000;
    const char *what[] = {"programme-like, limiting", "+12 dB noise, limiting all the time", "-20 dBFS noise, idle"};
    for (int k = 0; k < 3; k++) {
        sig in;
        sig_alloc(&in, 2, n);
        if (k == 0)
            make_music(&in);
        else if (k == 1)
            make_hot(&in);
        else
            make_noise(&in, 0.1);
        limiter_box b;
        dsp_limiter *l = limiter_new(&b, 2, FS, &p);
        double best = 1e9;
        for (int rep = 0; rep < 3; rep++) {
            sig work;
            sig_alloc(&work, 2, n);
            for (int c = 0; c < 2; c++)
                memcpy(work.x[c], in.x[c], (size_t)n * sizeof(float));
            dsp_limiter_reset(l);
            double t0 = now();
            for (long done = 0; done < n; done += 1024) {
                float *io[2] = {work.x[0] + done, work.x[1] + done};
                dsp_limiter_process(l, io, (int)(n - done < 1024 ? n - done : 1024));
            }
            double t = now() - t0;
            best = t < best ? t : best;
            sig_free(&work);
        }
        printf("# speed, stereo 48 kHz, 1024-frame calls, %s: %.2f ns per frame, %.2f ns per channel sample "
               "(%.0fx real time)\n",
               what[k], best / n * 1e9, best / n / 2 * 1e9, (double)n / FS / best);
        free(b.mem);
        sig_free(&in);
    }
}

/* Runs an automated limiter over in (+ L samples of silence) in calls of
 * `block` samples; before input sample at[k] (a call ends there) the
 * settings become p[k]. */
static void run_moving(const dsp_limiter_params *p0, const sig *in, sig *out, int block, const long *at,
                       const dsp_limiter_params *p, int nset)
{
    dsp_limiter_params a = *p0;
    a.automated = 1;
    limiter_box b;
    dsp_limiter *l = limiter_new(&b, in->channels, FS, &a);
    int lat = dsp_limiter_latency(l);
    sig_alloc(out, in->channels, in->n + lat);
    for (int c = 0; c < in->channels; c++)
        memcpy(out->x[c], in->x[c], (size_t)in->n * sizeof(float));
    long done = 0;
    int next = 0;
    while (done < out->n) {
        while (next < nset && at[next] == done)
            dsp_limiter_set(l, &p[next++]);
        long m = out->n - done < block ? out->n - done : block;
        if (next < nset && at[next] < done + m)
            m = at[next] - done;
        float *io[MAX_CH];
        for (int c = 0; c < in->channels; c++)
            io[c] = out->x[c] + done;
        dsp_limiter_process(l, io, (int)m);
        done += m;
    }
    free(b.mem);
}

/* frames [from, to) of a and b (outputs: input frame i at i + lat) equal bit for bit */
static int same_frames(const sig *a, const sig *b, int lat, long from, long to)
{
    for (int c = 0; c < a->channels; c++)
        if (memcmp(a->x[c] + from + lat, b->x[c] + from + lat, (size_t)(to - from) * sizeof(float)) != 0)
            return 0;
    return 1;
}

/* an automated limiter (dsp_limiter_set while it runs): each input frame is
 * limited to the ceiling set when it came in; unmoved, it is the static one */
static void test_automated(void)
{
    sig in, fixed, moved, alt;
    sig_alloc(&in, 2, 144000);
    make_music(&in);
    dsp_limiter_params hi = params(-1.0, 0.005, 0.05), lo = params(-7.0, 0.005, 0.05);
    limiter_box b;
    dsp_limiter *l = limiter_new(&b, 2, FS, &hi);
    int lat = dsp_limiter_latency(l), w = lat - 16;
    run(l, &in, &fixed, 4096);
    free(b.mem);
    run_moving(&hi, &in, &moved, 4096, NULL, NULL, 0);
    check(same_frames(&fixed, &moved, lat, 0, in.n), "automated, never set: the bits of the static limiter",
          "outputs differ");
    sig_free(&moved);

    /* down 6 dB at input frame T, off the chunk grid */
    const long T = 48017;
    run_moving(&hi, &in, &moved, 4096, &T, &lo, 1);
    check(same_frames(&fixed, &moved, lat, 0, T - w), "ceiling step down: frames before the look-ahead ramp are the "
          "static limiter's, bit for bit", "outputs differ");
    float pk = 0;
    for (int c = 0; c < 2; c++)
        for (long i = T + lat; i < moved.n; i++)
            pk = fabsf(moved.x[c][i]) > pk ? fabsf(moved.x[c][i]) : pk;
    check(pk <= (float)lin(-7.0), "ceiling step down: every sample from the step on is under the new ceiling",
          "sample peak %.4f dBFS", db(pk));
    double tp_before = meter_tp(&moved, lat + T - 24000, lat + T - w), tp_after = meter_tp(&moved, lat + T, moved.n);
    check(tp_before <= -1.0 + 0.1 && tp_before > -1.3 && tp_after <= -7.0 + 0.1 && tp_after > -7.3,
          "ceiling step down: true peak before the step at the old ceiling, after it at the new (0.1 dB)",
          "%.4f dBTP before, %.4f after", tp_before, tp_after);
    limiter_box b2;
    dsp_limiter *l2 = limiter_new(&b2, 2, FS, &lo);
    run(l2, &in, &alt, 4096);
    free(b2.mem);
    long settle = T + 24000; /* the envelopes have met (at a new peak, both take the same minimum) */
    printf("#   step down: true peak %.4f dBTP before (ceiling -1), %.4f after (ceiling -7)\n", tp_before, tp_after);
    sig_free(&moved);

    /* up again 6 dB later: the gain recovers with the release; before, nothing changes */
    long at2[2] = {T, 120011};
    dsp_limiter_params ps[2] = {lo, hi};
    run_moving(&hi, &in, &moved, 4096, at2, ps, 2);
    double up_before = meter_tp(&moved, lat + at2[1] - 12000, lat + at2[1]);
    double up_after = meter_tp(&moved, lat + at2[1] + (long)(0.05 * FS) * 4, moved.n);
    check(up_before <= -7.0 + 0.1 && up_after <= -1.0 + 0.1 && up_after > -1.3,
          "ceiling step up: the old ceiling holds to the step, the new one after the release (0.1 dB)",
          "%.4f dBTP before, %.4f after", up_before, up_after);
    check(same_frames(&alt, &moved, lat, settle, at2[1] - w), "between the steps: the static -7 dBTP limiter's bits once "
          "the envelopes have met", "outputs differ");
    sig_free(&moved);

    /* the same sets in calls of 1, 7 and 4096 samples; a release change too */
    dsp_limiter_params ps3[3] = {lo, hi, params(-3.0, 0.005, 0.3)};
    long at3[3] = {T, 120011, 130000};
    sig a1, a7;
    run_moving(&hi, &in, &moved, 4096, at3, ps3, 3);
    run_moving(&hi, &in, &a1, 1, at3, ps3, 3);
    run_moving(&hi, &in, &a7, 7, at3, ps3, 3);
    check(same_frames(&moved, &a1, lat, -lat, in.n) && same_frames(&moved, &a7, lat, -lat, in.n),
          "automated: the same bits in calls of 1, 7 and 4096 samples", "outputs differ");
    sig_free(&a1);
    sig_free(&a7);
    sig_free(&moved);
    sig_free(&alt);
    sig_free(&fixed);
    sig_free(&in);
}

int main(void)
{
    test_validation();
    test_latency();
    test_unity();
    test_ceiling();
    test_checker();
    test_minimum_reduction();
    test_release();
    test_linked();
    test_block_size();
    test_chunk_tail_peak();
    test_bad_input();
    test_automated();
    test_speed();
    return check_exit();
}
