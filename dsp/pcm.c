/* pcm.c - PCM decode loops (see pcm.h). The 24-bit loop builds the sample
 * left-aligned in 32 bits, as libsndfile does, then scales by 2^-31: both
 * steps are exact, so the result matches libsndfile bit for bit. Written as
 * plain counted loops the compiler vectorises, except the 24-bit decode,
 * which is chosen by hand: AVX-512 (16 samples a step, its tail in masked
 * loads and stores, so no scalar loop), else AVX2 (8), then SSSE3 (4), then
 * scalar for what is left. Every path does the same exact operations, so
 * the same bits. */
#include "dsp/pcm.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dsp/simd.h"

DSP_HOT
void dsp_pcm_s16le_to_float(const unsigned char *in, float *out, size_t n)
{
    const float scale = 1.0f / 32768.0f;
    for (size_t i = 0; i < n; i++) {
        int16_t s = (int16_t)(uint16_t)(in[2 * i] | (unsigned)in[2 * i + 1] << 8);
        out[i] = (float)s * scale;
    }
}

static void s24_scalar(const unsigned char *in, float *out, size_t i, size_t n)
{
    const float scale = 1.0f / 2147483648.0f;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One unaligned 32-bit load per sample; its top byte belongs to the next
     * sample and is shifted out. The last sample is done bytewise so the
     * load never reads past the buffer. */
    for (; i + 1 < n; i++) {
        uint32_t w;
        memcpy(&w, in + 3 * i, sizeof w);
        out[i] = (float)(int32_t)(w << 8) * scale;
    }
#endif
    for (; i < n; i++) {
        const unsigned char *b = in + 3 * i;
        int32_t s = (int32_t)((uint32_t)b[0] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 24);
        out[i] = (float)s * scale;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Four samples per step: one 16-byte load, a byte shuffle that puts each
 * 3-byte sample in the top of a 32-bit lane (the same left-aligned int32
 * the scalar code builds), convert, scale. Exact, so the bits match. */
__attribute__((target("ssse3"))) static size_t s24_ssse3(const unsigned char *in, float *out, size_t n)
{
    const __m128i shuf = _mm_setr_epi8(-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
    const __m128 scale = _mm_set1_ps(1.0f / 2147483648.0f);
    size_t i = 0;
    /* the load reads 16 bytes for 12: stop while 4 spare bytes remain */
    for (; i + 6 <= n; i += 4) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(in + 3 * i));
        __m128i v = _mm_shuffle_epi8(b, shuf);
        _mm_storeu_ps(out + i, _mm_mul_ps(_mm_cvtepi32_ps(v), scale));
    }
    return i;
}

/* The same, eight samples per step: two 16-byte loads 12 bytes apart into
 * the halves of a 32-byte register, the same shuffle in each half. */
__attribute__((target("avx2"))) static size_t s24_avx2(const unsigned char *in, float *out, size_t n)
{
    const __m256i shuf = _mm256_setr_epi8(-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 0, 1, 2, -1, 3,
                                          4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
    const __m256 scale = _mm256_set1_ps(1.0f / 2147483648.0f);
    size_t i = 0;
    /* the second load reads 16 bytes for 12: stop while 4 spare bytes remain */
    for (; i + 10 <= n; i += 8) {
        __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)(in + 3 * i));
        __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(in + 3 * i + 12));
        __m256i v = _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1), shuf);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_cvtepi32_ps(v), scale));
    }
    return i;
}
#endif

#ifdef DSP_WIDE
/* One 16-sample step: a dword permute puts each 12-byte group of the 48
 * bytes in its own 16-byte lane (dwords 3k..3k+2 in lane k), then the SSSE3
 * kernel's byte shuffle in every lane, convert, scale. */
DSP_WIDE static inline __m512 s24_wide16(__m512i b)
{
    const __m512i place = _mm512_setr_epi32(0, 1, 2, 0, 3, 4, 5, 0, 6, 7, 8, 0, 9, 10, 11, 0);
    const __m512i shuf = _mm512_broadcast_i32x4(_mm_setr_epi8(-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11));
    __m512i v = _mm512_shuffle_epi8(_mm512_permutexvar_epi32(place, b), shuf);
    return _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_set1_ps(1.0f / 2147483648.0f));
}

/* All n samples, 16 a step. The full loads read 64 bytes for 48, so they
 * stop while 16 spare bytes remain; the last steps load only their own
 * 3 m bytes and store m floats through masks (a masked-off byte is never
 * read, so nothing past the buffer is touched). */
DSP_WIDE static void s24_wide(const unsigned char *in, float *out, size_t n)
{
    size_t i = 0;
    for (; i + 22 <= n; i += 16)
        _mm512_storeu_ps(out + i, s24_wide16(_mm512_loadu_si512((const void *)(in + 3 * i))));
    for (; i < n; i += 16) {
        size_t m = n - i < 16 ? n - i : 16;
        __mmask64 bytes = ((__mmask64)1 << (3 * m)) - 1;
        __mmask16 lanes = (__mmask16)((1u << m) - 1);
        _mm512_mask_storeu_ps(out + i, lanes, s24_wide16(_mm512_maskz_loadu_epi8(bytes, in + 3 * i)));
    }
}
#endif

void dsp_pcm_s24le_to_float(const unsigned char *in, float *out, size_t n)
{
    size_t i = 0;
#ifdef DSP_WIDE
    if (DSP_HAVE_WIDE()) {
        s24_wide(in, out, n);
        return;
    }
#endif
#if defined(__x86_64__) && defined(__GNUC__)
    if (DSP_HAVE_AVX2())
        i = s24_avx2(in, out, n);
    if (__builtin_cpu_supports("ssse3"))
        i += s24_ssse3(in + 3 * i, out + i, n - i);
#endif
    s24_scalar(in, out, i, n);
}

void dsp_pcm_f32le_to_float(const unsigned char *in, float *out, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, in, n * sizeof *out);
#else
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 | (uint32_t)in[4 * i + 2] << 16 |
                     (uint32_t)in[4 * i + 3] << 24;
        memcpy(&out[i], &u, sizeof u);
    }
#endif
}

/* one sample of dsp_pcm_quantise */
static inline int32_t quantise1(float x, double scale, int32_t align, int *clipped)
{
    const double hi = scale - 1.0, lo = -scale;
    double q = floor((double)x * scale + 0.5);
    *clipped += (q > hi) | (q < lo);
    q = q > hi ? hi : q;
    q = q < lo ? lo : q;
    q = q == q ? q : 0.0;
    return (int32_t)q * align;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* quantise1 on 4 samples (gcc does not vectorise its selects under
 * -ftrapping-math): max then min clamp (a NaN comes out of max as lo),
 * then the NaN lanes zeroed through an ordered-compare mask. */
__attribute__((target("avx2"))) static inline __m128i quantise4(__m128 x, __m256d scale, __m256d lo, __m256d hi,
                                                               __m128i shift, int *clipped)
{
    __m256d v = _mm256_add_pd(_mm256_mul_pd(_mm256_cvtps_pd(x), scale), _mm256_set1_pd(0.5));
    __m256d q = _mm256_round_pd(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m256d out = _mm256_or_pd(_mm256_cmp_pd(q, hi, _CMP_GT_OQ), _mm256_cmp_pd(q, lo, _CMP_LT_OQ));
    *clipped += __builtin_popcount((unsigned)_mm256_movemask_pd(out));
    __m256d ordered = _mm256_cmp_pd(q, q, _CMP_ORD_Q);
    q = _mm256_and_pd(_mm256_min_pd(_mm256_max_pd(q, lo), hi), ordered);
    return _mm_sll_epi32(_mm256_cvttpd_epi32(q), shift);
}

/* frames [0, m) of dsp_pcm_quantise, 4 at a time (m rounded down); returns frames done */
__attribute__((target("avx2"))) static int quantise_avx2(const float *const *chans, int ch, int off, int m,
                                                         double scale, int32_t align, int32_t *dst, int *clipped)
{
    const __m256d sc = _mm256_set1_pd(scale), lo = _mm256_set1_pd(-scale), hi = _mm256_set1_pd(scale - 1.0);
    const __m128i shift = _mm_cvtsi32_si128(__builtin_ctz((unsigned)align));
    int i = 0;
    if (ch == 2) {
        const float *l = chans[0] + off, *r = chans[1] + off;
        for (; i + 4 <= m; i += 4) {
            __m128i a = quantise4(_mm_loadu_ps(l + i), sc, lo, hi, shift, clipped);
            __m128i b = quantise4(_mm_loadu_ps(r + i), sc, lo, hi, shift, clipped);
            _mm_storeu_si128((__m128i *)(void *)(dst + 2 * i), _mm_unpacklo_epi32(a, b));
            _mm_storeu_si128((__m128i *)(void *)(dst + 2 * i + 4), _mm_unpackhi_epi32(a, b));
        }
    } else if (ch == 1) {
        const float *x = chans[0] + off;
        for (; i + 4 <= m; i += 4)
            _mm_storeu_si128((__m128i *)(void *)(dst + i), quantise4(_mm_loadu_ps(x + i), sc, lo, hi, shift, clipped));
    } else { /* any other count (5.1, 7.1, stems): 4 frames of a channel, then stored a frame apart */
        for (; i + 4 <= m; i += 4)
            for (int c = 0; c < ch; c++) {
                int32_t q[4];
                _mm_storeu_si128((__m128i *)(void *)q,
                                 quantise4(_mm_loadu_ps(chans[c] + off + i), sc, lo, hi, shift, clipped));
                for (int j = 0; j < 4; j++)
                    dst[(size_t)(i + j) * (size_t)ch + (size_t)c] = q[j];
            }
    }
    return i;
}
#endif

int64_t dsp_pcm_quantise(const float *const *chans, int ch, int off, int m, double scale, int32_t align,
                         int32_t *dst)
{
    int clipped = 0, i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if ((align & (align - 1)) == 0 && DSP_HAVE_AVX2())
        i = quantise_avx2(chans, ch, off, m, scale, align, dst, &clipped);
#endif
    for (int c = 0; c < ch; c++) {
        const float *x = chans[c] + off;
        for (int k = i; k < m; k++)
            dst[(size_t)k * (size_t)ch + (size_t)c] = quantise1(x[k], scale, align, &clipped);
    }
    return clipped;
}

/* One 32-bit store a sample, 3 (or 2) bytes apart: each store's spare top
 * byte(s) are overwritten by the next sample's; the last sample is done
 * bytewise so nothing is written past the n samples. */
static void pack_scalar(const int32_t *in, unsigned char *out, size_t i, size_t n, int bytes)
{
    size_t shift = 32 - 8 * (size_t)bytes;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bytes == 3)
        for (; i + 1 < n; i++) {
            uint32_t w = (uint32_t)in[i] >> 8;
            memcpy(out + 3 * i, &w, sizeof w);
        }
#endif
    for (; i < n; i++) {
        uint32_t w = (uint32_t)in[i] >> shift;
        for (int b = 0; b < bytes; b++)
            out[(size_t)bytes * i + (size_t)b] = (unsigned char)(w >> (8 * b));
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* 24-bit, eight samples a step: the top three bytes of each 32-bit lane
 * gathered to the bottom 12 bytes of each 16-byte half (s24_avx2's shuffle
 * the other way), the halves stored 12 bytes apart, the second store's 4
 * spare bytes overwritten by the next step: stop while 4 remain. */
__attribute__((target("avx2"))) static size_t pack24_avx2(const int32_t *in, unsigned char *out, size_t n)
{
    const __m256i shuf = _mm256_setr_epi8(1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, -1, -1, -1, -1, 1, 2, 3, 5, 6, 7,
                                          9, 10, 11, 13, 14, 15, -1, -1, -1, -1);
    size_t i = 0;
    for (; i + 10 <= n; i += 8) {
        __m256i v = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(in + i)), shuf);
        _mm_storeu_si128((__m128i *)(void *)(out + 3 * i), _mm256_castsi256_si128(v));
        _mm_storeu_si128((__m128i *)(void *)(out + 3 * i + 12), _mm256_extracti128_si256(v, 1));
    }
    return i;
}
#endif

void dsp_pcm_pack_le(const int32_t *in, unsigned char *out, size_t n, int bytes)
{
    size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (bytes == 3 && DSP_HAVE_AVX2())
        i = pack24_avx2(in, out, n);
#endif
    pack_scalar(in, out, i, n, bytes);
}

DSP_HOT
static uint32_t any_nonfinite(const float *x, size_t n)
{
    uint32_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        any |= (u & 0x7f800000u) == 0x7f800000u; /* exponent all ones: an infinity or a NaN */
    }
    return any;
}

int64_t dsp_pcm_first_nonfinite(const float *x, size_t n)
{
    if (!any_nonfinite(x, n))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return (int64_t)i;
    return -1;
}
