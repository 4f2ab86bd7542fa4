/* biquad_bench.c - the EQ kernels of dsp/biquad.c alone: a pair of sections
 * (the film mix's high-pass then peaking EQ, dsp_biquad_multi_process2) or
 * one section (dsp_biquad_multi_process) over CHANNELS channels of noise in
 * blocks of FRAMES frames, in cache, timed with this thread's CPU clock.
 *
 *   build/tools/biquad_bench [CHANNELS [SECTIONS [FRAMES [ROUNDS [SUM]]]]]
 *
 * Defaults: 8 channels, 2 sections, 1024 frames, 15 rounds. A round runs
 * enough blocks for about 5e6 channel-section-samples; the line printed
 * gives the CPU, the SIMD path (DUBSTAGE_SIMD=avx2 or sse2 narrows it, as
 * for dubstage), the median and the best round in ns per
 * channel-section-sample, and a hash of the output bits after a fixed
 * number of blocks (the same on every path and build that keeps the bits).
 * Pin it (taskset -c 1) and take turns with the build to compare.
 *
 * SUM "mono" or "stereo" (CHANNELS <= 8): the channels summed into a
 * stereo bus as well, as the film mix's EQ batches are: mono, every channel
 * into both sides with a coefficient of its own (the dialogue's pans);
 * stereo, channel pairs into left and right (the music's and effects'
 * tracks). Two lines then, the rounds taking turns: the filters in place
 * followed by the bus's clear and mixes (dsp_mix_clear, dsp_mix_add_scaled
 * per term, as the plan's ops did), and dsp_biquad_multi_process_sum; ns per
 * channel-section-sample as above, the mixes included, and the bus's hash
 * (the same for both). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/mix.h"
#include "dsp/simd.h"
#include "tests/tools/bench_util.h"

#define MAX_CH DSP_BIQUAD_MULTI_MAX
#define HASH_BLOCKS 64

/* FNV-1a over the bytes of every channel */
static uint64_t hash_bits(float *const *ch, int nch, int n, uint64_t h)
{
    for (int c = 0; c < nch; c++) {
        const unsigned char *b = (const unsigned char *)ch[c];
        for (size_t k = 0; k < (size_t)n * sizeof(float); k++)
            h = (h ^ b[k]) * 1099511628211ull;
    }
    return h;
}

/* src[0..nch), ch[0..nch): buffers of frames floats, src filled with
 * noise of a fixed seed; -1 when out of memory */
static int noise_channels(float **src, float **ch, int nch, int frames)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int k = 0; k < nch; k++) {
        src[k] = malloc(sizeof(float) * (size_t)frames);
        ch[k] = malloc(sizeof(float) * (size_t)frames);
        if (!src[k] || !ch[k])
            return -1;
        for (int i = 0; i < frames; i++)
            src[k][i] = 0.5f * bench_uniform(&seed);
    }
    return 0;
}

/* The filters in place, then the bus's clear and its mixes, term by term. */
static void run_block_mixes(dsp_biquad_multi *s, int ns, float *const *ch, int nch, int n, const dsp_biquad_sum *sum)
{
    if (ns == 2)
        dsp_biquad_multi_process2(&s[0], &s[1], ch, nch, n);
    else
        dsp_biquad_multi_process(&s[0], ch, nch, n);
    for (int b = 0; b < sum->nbus; b++)
        dsp_mix_clear(sum->bus[b], n);
    for (int k = 0; k < nch; k++)
        for (int b = 0; b < sum->nbus; b++)
            if (sum->has[b][k])
                dsp_mix_add_scaled(sum->bus[b], ch[k], sum->coef[b][k], n);
}

static void run_block_sum(dsp_biquad_multi *s, int ns, float *const *ch, int nch, int n, const dsp_biquad_sum *sum)
{
    dsp_biquad_multi_process_sum(&s[0], ns == 2 ? &s[1] : NULL, ch, nch, n, sum);
}

/* The kernels with the sum, both ways: see the header. */
static int bench_sum(int nch, int ns, int frames, int rounds, int mono)
{
    dsp_biquad_multi s[2][2];
    dsp_biquad_coefs c[2];
    dsp_biquad_design(&c[0], DSP_EQ_HIGHPASS, 48000.0, 80.0, 0.707, 0.0);
    dsp_biquad_design(&c[1], DSP_EQ_PEAK, 48000.0, 3000.0, 1.0, 3.0);
    float *src[MAX_CH], *ch[MAX_CH], *bus[2];
    dsp_biquad_sum sum = {.nbus = 2, .set = 1};
    for (int b = 0; b < 2; b++)
        if (!(bus[b] = sum.bus[b] = malloc(sizeof(float) * (size_t)frames)))
            return 1;
    if (noise_channels(src, ch, nch, frames) != 0)
        return 1;
    for (int k = 0; k < nch; k++) {
        double p = -0.35 + 0.1 * k; /* the dialogue's pans, or the music's -4 dB */
        for (int b = 0; b < 2; b++) {
            sum.has[b][k] = mono || k % 2 == b;
            sum.coef[b][k] = mono ? (float)(b ? sin((p + 1) * 0.785398163397448) : cos((p + 1) * 0.785398163397448))
                                  : 0.63095734f;
        }
    }
    void (*way[2])(dsp_biquad_multi *, int, float *const *, int, int, const dsp_biquad_sum *) = {run_block_mixes,
                                                                                                 run_block_sum};
    uint64_t h[2];
    for (int w = 0; w < 2; w++) { /* the bits: HASH_BLOCKS blocks from reset, as main's */
        for (int j = 0; j < ns; j++) {
            dsp_biquad_multi_init(&s[w][j]);
            dsp_biquad_multi_set(&s[w][j], &c[j]);
        }
        h[w] = 14695981039346656037ull;
        for (int b = 0; b < HASH_BLOCKS; b++) {
            for (int k = 0; k < nch; k++)
                for (int i = 0; i < frames; i++)
                    ch[k][i] = src[k][i] * (float)(1 + b % 7);
            way[w](s[w], ns, ch, nch, frames, &sum);
            h[w] = hash_bits(bus, 2, frames, h[w]);
        }
    }
    double work = (double)nch * ns * frames;
    int blocks = (int)(5e6 / work) + 1;
    double *ns_per[2] = {malloc(sizeof(double) * (size_t)rounds), malloc(sizeof(double) * (size_t)rounds)};
    if (!ns_per[0] || !ns_per[1])
        return 1;
    for (int r = 0; r < rounds; r++)
        for (int w = 0; w < 2; w++) {
            double t0 = bench_cpu_now();
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < nch; k++) /* the sum leaves the channels as it likes: the same input each time */
                    memcpy(ch[k], src[k], sizeof(float) * (size_t)frames);
                way[w](s[w], ns, ch, nch, frames, &sum);
            }
            ns_per[w][r] = (bench_cpu_now() - t0) * 1e9 / (work * blocks);
        }
    char model[128];
    bench_cpu_model(model, sizeof model);
    static const char *const name[2] = {"in place, then clear and mixes", "summed as it leaves (process_sum)"};
    for (int w = 0; w < 2; w++) {
        qsort(ns_per[w], (size_t)rounds, sizeof(double), bench_cmp_double);
        printf("%s, simd %s: %d ch, %d section%s, %d frames, %s bus sum, %s: median %.4f best %.4f ns per "
               "channel-section-sample (input copies included); bus bits %016llx\n",
               model, dsp_simd_path(), nch, ns, ns == 2 ? "s" : "", frames, mono ? "mono" : "stereo", name[w],
               ns_per[w][rounds / 2], ns_per[w][0], (unsigned long long)h[w]);
    }
    for (int k = 0; k < nch; k++)
        free(src[k]), free(ch[k]);
    free(bus[0]), free(bus[1]), free(ns_per[0]), free(ns_per[1]);
    return h[0] == h[1] ? 0 : 1;
}

static void run_block(dsp_biquad_multi *s, int ns, float *const *ch, int nch, int n)
{
    if (ns == 2)
        dsp_biquad_multi_process2(&s[0], &s[1], ch, nch, n);
    else
        dsp_biquad_multi_process(&s[0], ch, nch, n);
}

int main(int argc, char **argv)
{
    int nch = argc > 1 ? atoi(argv[1]) : 8;
    int ns = argc > 2 ? atoi(argv[2]) : 2;
    int frames = argc > 3 ? atoi(argv[3]) : 1024;
    int rounds = argc > 4 ? atoi(argv[4]) : 15;
    if (nch < 1 || nch > MAX_CH || ns < 1 || ns > 2 || frames < 1 || rounds < 1) {
        fprintf(stderr, "usage: biquad_bench [CHANNELS 1..%d [SECTIONS 1..2 [FRAMES [ROUNDS]]]]\n", MAX_CH);
        return 2;
    }
    if (bench_simd_from_env("biquad_bench") < 0)
        return 2;
    if (argc > 5) {
        int mono = strcmp(argv[5], "mono") == 0;
        if ((!mono && strcmp(argv[5], "stereo") != 0) || nch > DSP_BIQUAD_SUM_LANES) {
            fprintf(stderr, "biquad_bench: SUM is mono or stereo, with at most %d channels\n", DSP_BIQUAD_SUM_LANES);
            return 2;
        }
        return bench_sum(nch, ns, frames, rounds, mono);
    }
    dsp_biquad_multi s[2];
    dsp_biquad_coefs c[2];
    dsp_biquad_design(&c[0], DSP_EQ_HIGHPASS, 48000.0, 80.0, 0.707, 0.0);
    dsp_biquad_design(&c[1], DSP_EQ_PEAK, 48000.0, 3000.0, 1.0, 3.0);
    for (int j = 0; j < 2; j++) {
        dsp_biquad_multi_init(&s[j]);
        dsp_biquad_multi_set(&s[j], &c[j]);
    }
    float *src[MAX_CH], *ch[MAX_CH];
    if (noise_channels(src, ch, nch, frames) != 0)
        return 1;

    /* the bits: HASH_BLOCKS blocks from reset, each block's input the
     * noise scaled by the block's number, so the state carries across */
    uint64_t h = 14695981039346656037ull;
    for (int b = 0; b < HASH_BLOCKS; b++) {
        for (int k = 0; k < nch; k++)
            for (int i = 0; i < frames; i++)
                ch[k][i] = src[k][i] * (float)(1 + b % 7);
        run_block(s, ns, ch, nch, frames);
        h = hash_bits(ch, nch, frames, h);
    }

    /* the input runs through the filters again and again (a stable filter
     * of bounded input: no overflow, no denormals) */
    for (int k = 0; k < nch; k++)
        memcpy(ch[k], src[k], sizeof(float) * (size_t)frames);
    double work = (double)nch * ns * frames;
    int blocks = (int)(5e6 / work) + 1;
    double *ns_per = malloc(sizeof(double) * (size_t)rounds);
    if (!ns_per)
        return 1;
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_cpu_now();
        for (int b = 0; b < blocks; b++)
            run_block(s, ns, ch, nch, frames);
        ns_per[r] = (bench_cpu_now() - t0) * 1e9 / (work * blocks);
    }
    qsort(ns_per, (size_t)rounds, sizeof(double), bench_cmp_double);
    char model[128];
    bench_cpu_model(model, sizeof model);
    printf("%s, simd %s: %d ch, %d section%s, %d frames: median %.4f best %.4f ns per channel-section-sample "
           "(%d rounds of %d blocks); bits %016llx\n",
           model, dsp_simd_path(), nch, ns, ns == 2 ? "s" : "", frames, ns_per[rounds / 2], ns_per[0], rounds,
           blocks, (unsigned long long)h);
    for (int k = 0; k < nch; k++)
        free(src[k]), free(ch[k]);
    free(ns_per);
    return 0;
}
