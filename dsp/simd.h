/* simd.h - DSP_HOT marks the few loops that carry a render (decode, mix):
 * gcc builds them twice, for AVX2 and for baseline x86-64, and picks one
 * when the program starts. The results are the same bits either way: the
 * loops do IEEE multiplies and adds (no FMA: the build uses
 * -ffp-contract=off, and AVX2 does not enable FMA) and exact conversions. */
#ifndef DSP_SIMD_H
#define DSP_SIMD_H

/* The widest hand-dispatched path allowed (DSP_HAVE_WIDE, DSP_HAVE_AVX2):
 * 0, what the CPU has (the default); DSP_SIMD_NO_WIDE, nothing past AVX2;
 * DSP_SIMD_NO_AVX2, SSE only. Every path gives the same bits: the tests
 * set it to run each of them on one machine. */
enum { DSP_SIMD_ANY, DSP_SIMD_NO_WIDE, DSP_SIMD_NO_AVX2 };
extern int dsp_simd_cap;

/* The widest path this process runs ("avx512", "avx2", "sse2", or
 * "generic" off x86-64), for the render manifest (vm/manifest.h). A static
 * string. */
const char *dsp_simd_path(void);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer (make tsan) instruments the clones' resolvers, which the
 * dynamic linker runs before TSan is set up: the program crashed before
 * main. One version of each loop there. */
#define DSP_HOT
#else
#define DSP_HOT __attribute__((target_clones("avx2", "default")))
#endif
/* DSP_WIDE: a version of a loop in 64-byte vectors, for the few loops that
 * do several operations a sample (moving-gain pieces, EQ sections): half the
 * instructions of the AVX2 clone; chosen at run time with DSP_HAVE_WIDE.
 * Still no FMA contraction (-ffp-contract=off): the same bits. */
#define DSP_WIDE __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,prefer-vector-width=512")))
#define DSP_HAVE_WIDE() (dsp_simd_cap < DSP_SIMD_NO_WIDE && __builtin_cpu_supports("avx512f") &&                 \
                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&            \
                         __builtin_cpu_supports("avx512dq"))
#else
#define DSP_HOT
#endif

#if defined(__x86_64__) && defined(__GNUC__)
/* the AVX2 paths chosen by hand (not DSP_HOT clones) */
#define DSP_HAVE_AVX2() (dsp_simd_cap < DSP_SIMD_NO_AVX2 && __builtin_cpu_supports("avx2"))
#endif

#endif
