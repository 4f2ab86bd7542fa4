/* lanes.h - moving runs of samples of several channels into vectors that
 * hold one channel per lane, for the kernels that filter channels side by
 * side (dsp/biquad.c's EQ sections, dsp/loudness.c's K-weighting): a run of
 * 4 (8) samples of each lane is read with one 16-byte load per lane and
 * turned into one vector per sample by a transpose in registers, instead of
 * a scalar load and insert per lane and sample. Macros over gcc vectors and
 * x86 intrinsics, for functions built with target("avx2") (the 4-lane
 * forms) or DSP_WIDE (the 8-lane ones); include only where simd.h builds
 * such functions (gcc on x86-64, no AddressSanitizer). Conversions between
 * float and double are exact one way and round once the other, so a kernel
 * using these gives the bits of its scalar form. */
#ifndef DSP_LANES_H
#define DSP_LANES_H

#include <immintrin.h>

typedef long long dsp_lanes_v4i __attribute__((vector_size(4 * sizeof(long long))));

/* r[0..3], vectors of 4 doubles: rows r[k] = 4 samples of lane k  <->
 * r[t] = sample t of the 4 lanes */
#define TRANSPOSE4(r)                                                                                       \
    do {                                                                                                    \
        __typeof__((r)[0]) t0_ = __builtin_shuffle((r)[0], (r)[1], (dsp_lanes_v4i){0, 4, 2, 6});            \
        __typeof__((r)[0]) t1_ = __builtin_shuffle((r)[0], (r)[1], (dsp_lanes_v4i){1, 5, 3, 7});            \
        __typeof__((r)[0]) t2_ = __builtin_shuffle((r)[2], (r)[3], (dsp_lanes_v4i){0, 4, 2, 6});            \
        __typeof__((r)[0]) t3_ = __builtin_shuffle((r)[2], (r)[3], (dsp_lanes_v4i){1, 5, 3, 7});            \
        (r)[0] = __builtin_shuffle(t0_, t2_, (dsp_lanes_v4i){0, 1, 4, 5});                                  \
        (r)[1] = __builtin_shuffle(t1_, t3_, (dsp_lanes_v4i){0, 1, 4, 5});                                  \
        (r)[2] = __builtin_shuffle(t0_, t2_, (dsp_lanes_v4i){2, 3, 6, 7});                                  \
        (r)[3] = __builtin_shuffle(t1_, t3_, (dsp_lanes_v4i){2, 3, 6, 7});                                  \
    } while (0)

/* a[0..3], 8 floats each: in each 16-byte half, rows <-> columns */
#define TRANSPOSE4_HALVES(a)                                                                                \
    do {                                                                                                    \
        __m256 t0_ = _mm256_unpacklo_ps((a)[0], (a)[1]), t1_ = _mm256_unpackhi_ps((a)[0], (a)[1]);          \
        __m256 t2_ = _mm256_unpacklo_ps((a)[2], (a)[3]), t3_ = _mm256_unpackhi_ps((a)[2], (a)[3]);          \
        (a)[0] = _mm256_shuffle_ps(t0_, t2_, 0x44), (a)[1] = _mm256_shuffle_ps(t0_, t2_, 0xee);             \
        (a)[2] = _mm256_shuffle_ps(t1_, t3_, 0x44), (a)[3] = _mm256_shuffle_ps(t1_, t3_, 0xee);             \
    } while (0)

/* r[t] (4 doubles) = sample i + t of lanes q[0..3], t < 4 */
#define DSP_LANES_LOAD4(r, q, i)                                                                            \
    do {                                                                                                    \
        for (int k_ = 0; k_ < 4; k_++)                                                                      \
            (r)[k_] = _mm256_cvtps_pd(_mm_loadu_ps((q)[k_] + (i)));                                         \
        TRANSPOSE4(r);                                                                                      \
    } while (0)

/* r[t] (8 doubles) = sample i + t of lanes q[0..7], t < 4: lanes k and
 * k + 4 of the run in one 32-byte vector (two 16-byte loads), so a 4 x 4
 * transpose in each 16-byte half leaves sample t of the 8 lanes in one
 * vector of floats, converted to doubles in one instruction */
#define DSP_LANES_LOAD8_4(r, q, i)                                                                          \
    do {                                                                                                    \
        __m256 a_[4];                                                                                       \
        for (int k_ = 0; k_ < 4; k_++)                                                                      \
            a_[k_] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps((q)[k_] + (i))),              \
                                          _mm_loadu_ps((q)[k_ + 4] + (i)), 1);                              \
        TRANSPOSE4_HALVES(a_);                                                                              \
        for (int t_ = 0; t_ < 4; t_++)                                                                      \
            (r)[t_] = _mm512_cvtps_pd(a_[t_]);                                                              \
    } while (0)

/* r[t] (8 doubles) = sample i + t of lanes q[0..7], t < 8: two 4-sample
 * halves */
#define DSP_LANES_LOAD8(r, q, i)                                                                            \
    do {                                                                                                    \
        DSP_LANES_LOAD8_4((r), q, (i));                                                                     \
        DSP_LANES_LOAD8_4((r) + 4, q, (i) + 4);                                                             \
    } while (0)

/* The same runs where the lanes are stereo pairs of interleaved frames:
 * lanes 2j and 2j + 1 are the left and right of the frames at q[2j]
 * (sample i at q[2j][2 i] and q[2j][2 i + 1]; q[2j + 1] is not read).
 * Two frames are one 8-byte pair, so the runs are put together with
 * 64-bit unpacks instead of the 4 x 4 transposes. */

/* r[t] (4 doubles) = sample i + t of the pairs at q[0] and q[2], t < 4 */
#define DSP_LANES_LOAD4_PAIRS(r, q, i)                                                                      \
    do {                                                                                                    \
        __m128 a0_ = _mm_loadu_ps((q)[0] + 2 * (i)), a1_ = _mm_loadu_ps((q)[0] + 2 * (i) + 4);              \
        __m128 b0_ = _mm_loadu_ps((q)[2] + 2 * (i)), b1_ = _mm_loadu_ps((q)[2] + 2 * (i) + 4);              \
        (r)[0] = _mm256_cvtps_pd(_mm_movelh_ps(a0_, b0_));                                                  \
        (r)[1] = _mm256_cvtps_pd(_mm_movehl_ps(b0_, a0_));                                                  \
        (r)[2] = _mm256_cvtps_pd(_mm_movelh_ps(a1_, b1_));                                                  \
        (r)[3] = _mm256_cvtps_pd(_mm_movehl_ps(b1_, a1_));                                                  \
    } while (0)

/* the frames at p + 2 i, two of them (4 floats), in the low half, and those
 * at s + 2 i in the high half of a 32-byte vector */
#define DSP_LANES_PAIRS2(p, s, i)                                                                           \
    _mm256_castps_pd(_mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps((p) + 2 * (i))),              \
                                          _mm_loadu_ps((s) + 2 * (i)), 1))

/* r[t] (8 doubles) = sample i + t of the pairs at q[0], q[2], q[4], q[6],
 * t < 4: the pairs at q[0] and q[4] in one vector, those at q[2] and q[6]
 * in another, two frames each; an unpack of their low (high) 64-bit
 * halves is the first (second) frame of all four */
#define DSP_LANES_LOAD8_PAIRS_4(r, q, i)                                                                    \
    do {                                                                                                    \
        for (int u_ = 0; u_ < 4; u_ += 2) {                                                                 \
            __m256d x_ = DSP_LANES_PAIRS2((q)[0], (q)[4], (i) + u_);                                        \
            __m256d y_ = DSP_LANES_PAIRS2((q)[2], (q)[6], (i) + u_);                                        \
            (r)[u_] = _mm512_cvtps_pd(_mm256_castpd_ps(_mm256_unpacklo_pd(x_, y_)));                        \
            (r)[u_ + 1] = _mm512_cvtps_pd(_mm256_castpd_ps(_mm256_unpackhi_pd(x_, y_)));                    \
        }                                                                                                   \
    } while (0)

/* r[t] (8 doubles), t < 8: two 4-sample halves */
#define DSP_LANES_LOAD8_PAIRS(r, q, i)                                                                      \
    do {                                                                                                    \
        DSP_LANES_LOAD8_PAIRS_4((r), q, (i));                                                               \
        DSP_LANES_LOAD8_PAIRS_4((r) + 4, q, (i) + 4);                                                       \
    } while (0)

#endif
