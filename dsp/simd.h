/* simd.h - DSP_HOT marks the few loops that carry a render (decode, mix):
 * gcc builds them twice, for AVX2 and for baseline x86-64, and picks one
 * when the program starts. The results are the same bits either way: the
 * loops do IEEE multiplies and adds (no FMA: the build uses
 * -ffp-contract=off, and AVX2 does not enable FMA) and exact conversions. */
#ifndef DSP_SIMD_H
#define DSP_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define DSP_HOT __attribute__((target_clones("avx2", "default")))
#else
#define DSP_HOT
#endif

#endif
