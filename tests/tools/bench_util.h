/* bench_util.h - what the kernel benchmarks (conv_bench, delay_bench, reverb_bench)
 * share: a fixed-seed noise source, this thread's CPU clock, a qsort
 * comparison of doubles. */
#ifndef TESTS_TOOLS_BENCH_UTIL_H
#define TESTS_TOOLS_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsp/simd.h"

/* Uniform noise in [-1, 1) from a xorshift64* generator (state: any
 * non-zero seed). */
static inline float bench_uniform(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    *state = x;
    return (float)((double)((x * 2685821657736338717ull) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* qsort's comparison of doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* This thread's CPU time in seconds. */
static inline double bench_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The CPU's model name (/proc/cpuinfo), or "unknown", into buf. */
static inline void bench_cpu_model(char *buf, size_t n)
{
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(buf, n, "unknown");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            colon += 1 + (colon[1] == ' ');
            colon[strcspn(colon, "\n")] = 0;
            snprintf(buf, n, "%s", colon);
            break;
        }
    }
    if (f)
        fclose(f);
}

/* DUBSTAGE_SIMD narrows the kernels' path as for dubstage (avx512, avx2,
 * sse2; unset or empty: what the CPU has). 0, or -1 after a message naming
 * prog when the value is none of these. */
static inline int bench_simd_from_env(const char *prog)
{
    const char *simd = getenv("DUBSTAGE_SIMD");
    if (!simd || !*simd || strcmp(simd, "avx512") == 0)
        return 0;
    if (strcmp(simd, "avx2") == 0)
        dsp_simd_cap = DSP_SIMD_NO_WIDE;
    else if (strcmp(simd, "sse2") == 0)
        dsp_simd_cap = DSP_SIMD_NO_AVX2;
    else {
        fprintf(stderr, "%s: DUBSTAGE_SIMD must be avx512, avx2 or sse2 (got '%s')\n", prog, simd);
        return -1;
    }
    return 0;
}

#endif
