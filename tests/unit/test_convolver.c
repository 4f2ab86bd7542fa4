/* test_convolver.c - dsp/convolver (partitioned FFT convolution: a head of
 * partitions of P, and a tail of partitions of 8P for a long IR) against
 * direct time-domain convolution computed in double:
 *   - random signals through random IRs of 1, P - 1, P, P + 1, 2P + 3, a
 *     random length and 200,000 samples, fed in calls of 1, 64, 1000 and
 *     8192 samples: the output, P samples late, equals the direct sum within
 *     1e-5 of the output's peak, and the four call sizes give the same bits
 *     (the long IRs through head and tail: checked that they are);
 *   - predelay (0, 1, P - 1, P, 3P + 5 samples; with a tail also on either
 *     side of where the tail starts, and past it) shifts the output by
 *     exactly that many samples;
 *   - routing: a mono IR on 3 channels, a stereo IR (L->L, R->R) and a true
 *     stereo IR (LL, LR, RL, RR), each output against its own direct sums,
 *     with and without a tail;
 *   - reset gives a fresh convolver's bytes, with and without a tail
 *     (copy_state: test_copy_state.c).
 * The input is made of random bursts with silence between, so the long IR's
 * tail and the delay line's wrap are both reached in a short signal. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/convolver.h"
#include "tests/check.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* uniform in [-1, 1) (xorshift64*) */
static double uniform(void)
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* Random bursts: [0, 1500) and [at2, at2 + 700) random, silence elsewhere. */
static void bursts(float *x, int64_t n, int64_t at2)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = (i < 1500 || (i >= at2 && i < at2 + 700)) ? (float)(0.5 * uniform()) : 0.0f;
}

/* A random IR: noise under a decay over its length (a reverb's shape), or
 * plain noise. */
static void random_ir(float *h, int64_t len, int decaying)
{
    for (int64_t i = 0; i < len; i++)
        h[i] = (float)(uniform() * (decaying ? exp(-3.0 * (double)i / (double)len) : 1.0));
}

/* y[n] = sum_k h[k] x[n - k], in double, for n < ny; only where x is not
 * zero (the bursts). */
static void direct(const float *x, int64_t nx, const float *h, int64_t nh, double *y, int64_t ny)
{
    memset(y, 0, (size_t)ny * sizeof *y);
    for (int64_t i = 0; i < nx; i++) {
        if (x[i] == 0.0f)
            continue;
        double xi = x[i];
        int64_t kmax = ny - i < nh ? ny - i : nh;
        for (int64_t k = 0; k < kmax; k++)
            y[i + k] += xi * h[k];
    }
}

static dsp_convolver *make(int P, int nch, dsp_conv_routing r, int64_t len, int predelay, void **mem)
{
    dsp_convolver *s = malloc(sizeof *s);
    size_t bytes = dsp_convolver_heap_size(P, nch, r, len, predelay);
    *mem = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!s || !*mem || dsp_convolver_init(s, *mem, P, nch, r, len, predelay) != 0) {
        printf("# cannot make a convolver (P %d, %lld samples)\n", P, (long long)len);
        exit(2);
    }
    return s;
}

static void destroy(dsp_convolver *s, void *mem)
{
    dsp_convolver_free(s);
    free(s);
    free(mem);
}

/* Runs in[0..nch) (n samples) through s in calls of `block` into out. */
static void run(dsp_convolver *s, float **in, float **out, int nch, int64_t n, int block)
{
    for (int64_t at = 0; at < n; at += block) {
        int m = n - at < block ? (int)(n - at) : block;
        const float *i[4];
        float *o[4];
        for (int c = 0; c < nch; c++)
            i[c] = in[c] + at, o[c] = out[c] + at;
        dsp_convolver_process(s, i, o, m);
    }
}

/* in[0..nch) (n samples) through a new convolver (partition P, routing r,
 * the IRs ir of len samples at scale, predelay) in calls of `block` into out. */
static void convolve(int P, int nch, dsp_conv_routing r, float **ir, int64_t len, double scale, int predelay,
                     float **in, float **out, int64_t n, int block)
{
    void *mem;
    dsp_convolver *s = make(P, nch, r, len, predelay, &mem);
    dsp_convolver_set_ir(s, (const float *const *)ir, scale);
    run(s, in, out, nch, n, block);
    destroy(s, mem);
}

/* max |got[n + late] - want[n]| over n, relative to max |want|. */
static double rel_error(const float *got, const double *want, int64_t n, int late)
{
    double peak = 0, err = 0;
    for (int64_t i = 0; i < n; i++)
        peak = fabs(want[i]) > peak ? fabs(want[i]) : peak;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs(got[i + late] - want[i]);
        err = d > err ? d : err;
    }
    for (int i = 0; i < late; i++) /* the first `late` samples are the latency: silent */
        err = fabs(got[i]) > err ? fabs(got[i]) : err;
    return peak > 0 ? err / peak : err;
}

/* One IR length: the direct sums, then the convolver at each call size. */
static void test_length(int P, int64_t len, int decaying)
{
    int64_t at2 = len + P + 333; /* the second burst after the first one's tail: the line wraps */
    if (at2 > 160000)
        at2 = 160000;
    int64_t n = at2 + 700 + len + 2 * P; /* both bursts' tails and the latency */
    float *x = malloc((size_t)n * sizeof *x), *h = malloc((size_t)len * sizeof *h);
    double *y = malloc((size_t)n * sizeof *y);
    float *out[4];
    for (int b = 0; b < 4; b++)
        out[b] = malloc((size_t)n * sizeof(float));
    bursts(x, n, at2);
    random_ir(h, len, decaying);
    direct(x, n, h, len, y, n);
    static const int blocks[4] = {1, 64, 1000, 8192};
    double worst = 0;
    int same = 1;
    for (int b = 0; b < 4; b++) {
        float *in1[1] = {x}, *out1[1] = {out[b]};
        convolve(P, 1, DSP_CONV_SHARED, &h, len, 1.0, 0, in1, out1, n, blocks[b]);
        double e = rel_error(out[b], y, n - P, P);
        worst = e > worst ? e : worst;
        same &= memcmp(out[b], out[0], (size_t)n * sizeof(float)) == 0;
    }
    void *mem;
    dsp_convolver *probe = make(P, 1, DSP_CONV_SHARED, len, 0, &mem);
    int tail = probe->has_tail;
    destroy(probe, mem);
    char name[200];
    snprintf(name, sizeof name, "IR of %lld samples, partition %d (%s): equals direct convolution %d samples late, "
             "within 1e-5 of the peak, calls of 1, 64, 1000, 8192", (long long)len, P,
             tail ? "head and tail" : "head only", P);
    check(worst <= 1e-5, name, "max error %.3g of the peak", worst);
    snprintf(name, sizeof name, "IR of %lld samples: the four call sizes give the same bits", (long long)len);
    check(same, name, "they differ");
    for (int b = 0; b < 4; b++)
        free(out[b]);
    free(x), free(h), free(y);
}

/* predelay D: the output is the direct sum D + P samples late; an IR of
 * len samples, each predelay in ds[0..nd). */
static void test_predelay(int P, int64_t len, const int *ds, int nd)
{
    const int64_t n = 20000;
    float *x = malloc(n * sizeof *x), *h = malloc((size_t)len * sizeof *h);
    float *got = malloc(n * sizeof *got);
    double *y = malloc(n * sizeof *y);
    bursts(x, n, 9000);
    random_ir(h, len, 1);
    direct(x, n, h, len, y, n);
    for (int i = 0; i < nd; i++) {
        float *in1[1] = {x}, *out1[1] = {got};
        convolve(P, 1, DSP_CONV_SHARED, &h, len, 1.0, ds[i], in1, out1, n, 100);
        double e = rel_error(got, y, n - P - ds[i], P + ds[i]);
        char name[160];
        snprintf(name, sizeof name, "predelay %d samples (partition %d, IR of %lld): the output is the direct sum "
                 "%d samples late, within 1e-5 of the peak", ds[i], P, (long long)len, P + ds[i]);
        check(e <= 1e-5, name, "max error %.3g", e);
    }
    free(x), free(h), free(got), free(y);
}

/* Routing: each output against the direct sums its IRs make (IRs of len
 * samples, partition P). */
static void test_routing(int P, int64_t len)
{
    const int64_t n = len + 5000;
    float *x[3], *h[4], *out[3];
    double *y = malloc(n * sizeof *y), *t = malloc(n * sizeof *t);
    for (int c = 0; c < 3; c++) {
        x[c] = malloc(n * sizeof(float));
        out[c] = malloc(n * sizeof(float));
        bursts(x[c], n, 3000 + 100 * c);
    }
    for (int k = 0; k < 4; k++) {
        h[k] = malloc(len * sizeof(float));
        random_ir(h[k], len, 1);
    }
    /* a mono IR on three channels (each through IR 1); a stereo IR (L
     * through IR 1, R through IR 2) */
    static const struct { dsp_conv_routing r; int nch; const char *what; } one_to_one[] = {
        {DSP_CONV_SHARED, 3, "a mono IR on 3 channels: each channel through it"},
        {DSP_CONV_PARALLEL, 2, "a stereo IR: L -> L through channel 1, R -> R through channel 2"}};
    char name[200];
    for (int k = 0; k < 2; k++) {
        convolve(P, one_to_one[k].nch, one_to_one[k].r, h, len, 1.0, 0, x, out, n, 77);
        double worst = 0;
        for (int c = 0; c < one_to_one[k].nch; c++) {
            direct(x[c], n, h[one_to_one[k].r == DSP_CONV_SHARED ? 0 : c], len, y, n);
            double e = rel_error(out[c], y, n - P, P);
            worst = e > worst ? e : worst;
        }
        snprintf(name, sizeof name, "%s (partition %d, IR of %lld)", one_to_one[k].what, P, (long long)len);
        check(worst <= 1e-5, name, "max error %.3g", worst);
    }
    /* true stereo: out L = L * LL + R * RL, out R = L * LR + R * RR */
    convolve(P, 2, DSP_CONV_TRUE_STEREO, h, len, 0.5, 0, x, out, n, 77);
    double worst = 0;
    for (int o = 0; o < 2; o++) {
        direct(x[0], n, h[o], len, y, n);      /* LL or LR */
        direct(x[1], n, h[2 + o], len, t, n);  /* RL or RR */
        for (int64_t i = 0; i < n; i++)
            y[i] = 0.5 * (y[i] + t[i]);
        double e = rel_error(out[o], y, n - P, P);
        worst = e > worst ? e : worst;
    }
    snprintf(name, sizeof name, "a true-stereo IR (LL, LR, RL, RR) at scale 0.5: L = 0.5 (L*LL + R*RL), R = 0.5 "
             "(L*LR + R*RR) (partition %d, IR of %lld)", P, (long long)len);
    check(worst <= 1e-5, name, "max error %.3g", worst);
    for (int c = 0; c < 3; c++)
        free(x[c]), free(out[c]);
    for (int k = 0; k < 4; k++)
        free(h[k]);
    free(y), free(t);
}

/* reset: a convolver that ran gives a fresh one's bytes (copy_state:
 * tests/unit/test_copy_state.c) */
static void test_reset(int P, int64_t len)
{
    const int64_t n = 30000;
    float *x[2], *a[2], *b[2], *h[4];
    for (int k = 0; k < 2; k++) {
        x[k] = malloc(n * sizeof(float)), a[k] = malloc(n * sizeof(float)), b[k] = malloc(n * sizeof(float));
        for (int64_t i = 0; i < n; i++)
            x[k][i] = (float)(0.3 * uniform());
    }
    for (int k = 0; k < 4; k++) {
        h[k] = malloc(len * sizeof(float));
        random_ir(h[k], len, 1);
    }
    void *mem;
    dsp_convolver *s = make(P, 2, DSP_CONV_TRUE_STEREO, len, 100, &mem);
    dsp_convolver_set_ir(s, (const float *const *)h, 1.0);
    run(s, x, a, 2, n, 500);
    dsp_convolver_reset(s);
    run(s, x, b, 2, n, 333);
    char name[120];
    snprintf(name, sizeof name, "reset: a convolver that ran gives a fresh one's bytes (partition %d, %s)", P,
             s->has_tail ? "head and tail" : "head only");
    check(memcmp(a[0], b[0], n * sizeof(float)) == 0 && memcmp(a[1], b[1], n * sizeof(float)) == 0, name,
          "they differ");
    destroy(s, mem);
    for (int k = 0; k < 2; k++)
        free(x[k]), free(a[k]), free(b[k]);
    for (int k = 0; k < 4; k++)
        free(h[k]);
}

int main(void)
{
    const int P = 512;
    test_length(P, 1, 0);
    test_length(P, P - 1, 0);
    test_length(P, P, 0);
    test_length(P, P + 1, 1);
    test_length(P, 2 * P + 3, 1);
    test_length(P, 1 + (int64_t)((uniform() + 1) * 20000), 1);
    test_length(P, 200000, 1);
    test_length(64, 7000, 0);
    static const int head_only[] = {0, 1, 127, 128, 3 * 128 + 5};
    test_predelay(128, 3000, head_only, 5);
    /* partition 64, IR of 5000: the tail starts at 14 x 64 = 896 of the predelayed IR */
    static const int with_tail[] = {0, 1, 63, 64, 895, 896, 897, 3000};
    test_predelay(64, 5000, with_tail, 8);
    test_routing(128, 1000);
    test_routing(64, 4000);
    test_reset(256, 5000);
    test_reset(64, 5000);
    return check_exit();
}
