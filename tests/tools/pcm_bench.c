/* pcm_bench.c - the 24-bit decode of dsp/pcm.c alone
 * (dsp_pcm_s24le_to_float), SAMPLES samples of random bytes a call, timed
 * with this thread's CPU clock.
 *
 *   build/tools/pcm_bench [SAMPLES [ROUNDS [BUFFERS]]]
 *
 * Defaults: 2048 samples (a stereo track's 1024-frame block, what
 * vm/media.c decodes a call), 15 rounds of about 2e7 samples each, one
 * buffer (in cache: the kernel's own speed). BUFFERS > 1 decodes from that
 * many 32 KiB buffers in turn, each into its own output, the way the
 * render's readers (vm/media.c's RAW_BYTES each) take turns: 24 (the film
 * mix's tracks) is about 1 MiB, out of the first-level cache. Prints
 * the CPU, the SIMD path (DUBSTAGE_SIMD=avx2 or sse2 narrows it, as for
 * dubstage), the median and the best round in ns per sample, and a hash of
 * the output bits of one call (the same on every path). Pin it (taskset -c
 * 1) and take turns with the build to compare. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/pcm.h"
#include "dsp/simd.h"
#include "tests/tools/bench_util.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2048;
    int rounds = argc > 2 ? atoi(argv[2]) : 15;
    int nbuf = argc > 3 ? atoi(argv[3]) : 1;
    if (n < 1 || n > 1L << 24 || rounds < 1 || nbuf < 1 || nbuf > 1024 || (nbuf > 1 && 3 * n > 32768)) {
        fprintf(stderr, "usage: pcm_bench [SAMPLES 1..16777216 [ROUNDS [BUFFERS 1..1024, of 32 KiB: "
                        "SAMPLES up to 10922]]]\n");
        return 2;
    }
    if (bench_simd_from_env("pcm_bench") < 0)
        return 2;
    size_t in_stride = nbuf > 1 ? 32768 : 3 * (size_t)n;
    unsigned char *in = malloc(in_stride * (size_t)nbuf);
    float *out = malloc(sizeof(float) * (size_t)n * (size_t)nbuf);
    double *ns_per = malloc(sizeof(double) * (size_t)rounds);
    if (!in || !out || !ns_per)
        return 1;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < in_stride * (size_t)nbuf; k++)
        in[k] = (unsigned char)(bench_uniform(&seed) * 127.0f + 128.0f);

    dsp_pcm_s24le_to_float(in, out, (size_t)n);
    uint64_t h = 14695981039346656037ull; /* FNV-1a over the output bytes */
    for (size_t k = 0; k < (size_t)n * sizeof(float); k++)
        h = (h ^ ((const unsigned char *)out)[k]) * 1099511628211ull;

    long calls = (long)(2e7 / (double)n) + 1;
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_cpu_now();
        for (long c = 0; c < calls; c++) {
            size_t b = (size_t)(c % nbuf);
            dsp_pcm_s24le_to_float(in + b * in_stride, out + b * (size_t)n, (size_t)n);
            __asm__ volatile("" : : "r"(out) : "memory"); /* the stores are used */
        }
        ns_per[r] = (bench_cpu_now() - t0) * 1e9 / ((double)n * (double)calls);
    }
    qsort(ns_per, (size_t)rounds, sizeof(double), bench_cmp_double);
    char model[128];
    bench_cpu_model(model, sizeof model);
    printf("%s, simd %s: s24 decode, %ld samples a call, %d buffer%s: median %.4f best %.4f ns per sample "
           "(%d rounds of %ld calls); bits %016llx\n",
           model, dsp_simd_path(), n, nbuf, nbuf > 1 ? "s" : "", ns_per[rounds / 2], ns_per[0], rounds, calls, (unsigned long long)h);
    free(in), free(out), free(ns_per);
    return 0;
}
