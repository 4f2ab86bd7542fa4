/* biquad_bench.c - the EQ kernels of dsp/biquad.c alone: a pair of sections
 * (the film mix's high-pass then peaking EQ, dsp_biquad_multi_process2) or
 * one section (dsp_biquad_multi_process) over CHANNELS channels of noise in
 * blocks of FRAMES frames, in cache, timed with this thread's CPU clock.
 *
 *   build/tools/biquad_bench [CHANNELS [SECTIONS [FRAMES [ROUNDS]]]]
 *
 * Defaults: 8 channels, 2 sections, 1024 frames, 15 rounds. A round runs
 * enough blocks for about 5e6 channel-section-samples; the line printed
 * gives the CPU, the SIMD path (DUBSTAGE_SIMD=avx2 or sse2 narrows it, as
 * for dubstage), the median and the best round in ns per
 * channel-section-sample, and a hash of the output bits after a fixed
 * number of blocks (the same on every path and build that keeps the bits).
 * Pin it (taskset -c 1) and take turns with the build to compare. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/simd.h"
#include "tests/tools/bench_util.h"

#define MAX_CH DSP_BIQUAD_MULTI_MAX
#define HASH_BLOCKS 64

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

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
    dsp_biquad_multi s[2];
    dsp_biquad_coefs c[2];
    dsp_biquad_design(&c[0], DSP_EQ_HIGHPASS, 48000.0, 80.0, 0.707, 0.0);
    dsp_biquad_design(&c[1], DSP_EQ_PEAK, 48000.0, 3000.0, 1.0, 3.0);
    for (int j = 0; j < 2; j++) {
        dsp_biquad_multi_init(&s[j]);
        dsp_biquad_multi_set(&s[j], &c[j]);
    }
    float *src[MAX_CH], *ch[MAX_CH];
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int k = 0; k < nch; k++) {
        src[k] = malloc(sizeof(float) * (size_t)frames);
        ch[k] = malloc(sizeof(float) * (size_t)frames);
        if (!src[k] || !ch[k])
            return 1;
        for (int i = 0; i < frames; i++)
            src[k][i] = 0.5f * bench_uniform(&seed);
    }

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
    qsort(ns_per, (size_t)rounds, sizeof(double), cmp_double);
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
