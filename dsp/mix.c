/* mix.c - clear, scale and add-scaled loops, written so the compiler
 * vectorises them (restrict, no aliasing, plain counted loops). */
#include "dsp/mix.h"

#include <string.h>

#include "dsp/simd.h"

int dsp_simd_cap = DSP_SIMD_ANY;

const char *dsp_simd_path(void)
{
#ifdef DSP_HAVE_WIDE
    if (DSP_HAVE_WIDE())
        return "avx512";
#endif
#ifdef DSP_HAVE_AVX2
    return DSP_HAVE_AVX2() ? "avx2" : "sse2";
#else
    return "generic";
#endif
}

void dsp_mix_clear(float *x, int n)
{
    memset(x, 0, (size_t)n * sizeof *x);
}

DSP_HOT
void dsp_mix_scale(float *x, float g, int n)
{
    for (int i = 0; i < n; i++)
        x[i] *= g;
}

DSP_HOT
void dsp_mix_swap(float *restrict a, float *restrict b, int n)
{
    for (int i = 0; i < n; i++) {
        float t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

DSP_HOT
void dsp_mix_add_scaled(float *restrict dst, const float *restrict src, float g, int n)
{
    if (g == 1.0f) {
        for (int i = 0; i < n; i++)
            dst[i] += src[i];
        return;
    }
    for (int i = 0; i < n; i++)
        dst[i] += g * src[i];
}

DSP_HOT
void dsp_mix_add_scaled_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                      float g, int n)
{
    for (int i = 0; i < n; i++) {
        left[i] += g * src[2 * i];
        right[i] += g * src[2 * i + 1];
    }
}

DSP_HOT
void dsp_mix_set_scaled(float *restrict dst, const float *restrict src, float g, int n)
{
    if (g == 1.0f) { /* add_scaled's unity path: 0 + src */
        for (int i = 0; i < n; i++)
            dst[i] = src[i] + 0.0f;
        return;
    }
    for (int i = 0; i < n; i++)
        dst[i] = g * src[i] + 0.0f;
}

DSP_HOT
void dsp_mix_set_scaled_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                      float g, int n)
{
    for (int i = 0; i < n; i++) {
        left[i] = g * src[2 * i] + 0.0f;
        right[i] = g * src[2 * i + 1] + 0.0f;
    }
}

void dsp_mix_set_frames(float *const *out, const float *src, int fc, float g, int n)
{
    if (fc == 1)
        dsp_mix_set_scaled(out[0], src, g, n);
    else
        dsp_mix_set_scaled_deinterleave2(out[0], out[1], src, g, n);
}

DSP_HOT
void dsp_mix_fill(float *x, float v, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = v;
}

static inline float piece_value(dsp_line l, int i)
{
    float k = (float)(l.k0 + i);
    return l.y + k * (l.slope + k * l.curve);
}

/* The pieces' values into out[] (mul = 0) or onto it (mul = 1) */
__attribute__((always_inline)) static inline void apply_lines(float *restrict out, const dsp_line *lines, int nl,
                                                              const int mul)
{
    for (int p = 0; p < nl; p++) {
        const dsp_line l = lines[p];
        float *restrict o = out + l.off;
        for (int i = 0; i < l.n; i++)
            o[i] = mul ? o[i] * piece_value(l, i) : piece_value(l, i);
    }
}

DSP_HOT
void dsp_mix_fill_lines(float *restrict out, const dsp_line *lines, int nl)
{
    apply_lines(out, lines, nl, 0);
}

DSP_HOT
void dsp_mix_mul_lines(float *restrict x, const dsp_line *lines, int nl)
{
    apply_lines(x, lines, nl, 1);
}

/* dst[off + i] += value * src[off + i] (mono), or left and right from the
 * interleaved pairs of src (stereo: the value once for both); with set
 * dst taken as 0 (0 + value * src: the bits of adding onto a cleared dst);
 * a hold (slope and curve 0: the value is y + k * 0, which is y + 0: y,
 * or +0 for a -0 y) takes the plain loop, same bits */
__attribute__((always_inline)) static inline void add_mul_lines_all(float *restrict left, float *restrict right,
                                                                    const float *restrict src, const dsp_line *lines,
                                                                    int nl, const int set, const int stereo)
{
    for (int p = 0; p < nl; p++) {
        const dsp_line l = lines[p];
        float *restrict d = left + l.off, *restrict e = stereo ? right + l.off : NULL;
        const float *restrict x = src + (size_t)(stereo ? 2 : 1) * (size_t)l.off;
        int hold = l.slope == 0.0f && l.curve == 0.0f;
        const float y = l.y + 0.0f; /* the hold's value y + k * 0: a -0 y gives +0 */
        for (int i = 0; i < l.n; i++) {
            float v = hold ? y : piece_value(l, i);
            if (stereo) {
                d[i] = (set ? 0.0f : d[i]) + v * x[2 * i];
                e[i] = (set ? 0.0f : e[i]) + v * x[2 * i + 1];
            } else {
                d[i] = (set ? 0.0f : d[i]) + v * x[i];
            }
        }
    }
}

/* add_mul_lines_all with set and stereo as constants, so each case is a
 * loop of its own */
#define ADD_MUL_LINES_CASES(l, r, x, lines, nl, set, stereo)                                                 \
    do {                                                                                                    \
        if (stereo && set)                                                                                  \
            add_mul_lines_all(l, r, x, lines, nl, 1, 1);                                                    \
        else if (stereo)                                                                                    \
            add_mul_lines_all(l, r, x, lines, nl, 0, 1);                                                    \
        else if (set)                                                                                       \
            add_mul_lines_all(l, r, x, lines, nl, 1, 0);                                                    \
        else                                                                                                \
            add_mul_lines_all(l, r, x, lines, nl, 0, 0);                                                    \
    } while (0)

#ifdef DSP_WIDE
DSP_WIDE static void add_mul_lines_wide(float *restrict left, float *restrict right, const float *restrict src,
                                        const dsp_line *lines, int nl, int set, int stereo)
{
    ADD_MUL_LINES_CASES(left, right, src, lines, nl, set, stereo);
}
#endif

DSP_HOT
static void add_mul_lines_hot(float *restrict left, float *restrict right, const float *restrict src,
                              const dsp_line *lines, int nl, int set, int stereo)
{
    ADD_MUL_LINES_CASES(left, right, src, lines, nl, set, stereo);
}

/* Calls the 64-byte version of a kernel (name##_wide) where the CPU has
 * it, else the DSP_HOT one (name##_hot), with the same arguments. */
#ifdef DSP_WIDE
#define WIDE_OR_HOT(name, ...) (DSP_HAVE_WIDE() ? name##_wide(__VA_ARGS__) : name##_hot(__VA_ARGS__))
#else
#define WIDE_OR_HOT(name, ...) name##_hot(__VA_ARGS__)
#endif

/* Two sides' pieces of one param (the same off, n and k0; a pan's left and
 * right) onto two channels in one pass: left += vl * a, right += vr * b (a
 * and b may be the same source). The values are piece_value's, the same
 * bits as two dsp_mix_add_mul_lines. */
__attribute__((always_inline)) static inline void add_mul_pair(float *restrict left, float *restrict right,
                                                               const float *a, const float *b,
                                                               const dsp_line *ll, const dsp_line *rl, int nl)
{
    for (int p = 0; p < nl; p++) {
        const dsp_line l = ll[p], r = rl[p];
        float *restrict dl = left + l.off, *restrict dr = right + l.off;
        const float *xa = a + l.off, *xb = b + l.off;
        const float ly = l.y + 0.0f, ry = r.y + 0.0f; /* as piece_value gives them (-0 becomes +0) */
        if (l.slope == 0.0f && l.curve == 0.0f && r.slope == 0.0f && r.curve == 0.0f)
            for (int i = 0; i < l.n; i++) {
                dl[i] += ly * xa[i];
                dr[i] += ry * xb[i];
            }
        else
            for (int i = 0; i < l.n; i++) {
                dl[i] += piece_value(l, i) * xa[i];
                dr[i] += piece_value(r, i) * xb[i];
            }
    }
}

#ifdef DSP_WIDE
DSP_WIDE static void add_mul_pair_wide(float *restrict left, float *restrict right, const float *a, const float *b,
                                       const dsp_line *ll, const dsp_line *rl, int nl)
{
    add_mul_pair(left, right, a, b, ll, rl, nl);
}
#endif

DSP_HOT
static void add_mul_pair_hot(float *restrict left, float *restrict right, const float *a, const float *b,
                             const dsp_line *ll, const dsp_line *rl, int nl)
{
    add_mul_pair(left, right, a, b, ll, rl, nl);
}

void dsp_mix_add_mul_lines_pair(float *restrict left, float *restrict right, const float *a, const float *b,
                                const dsp_line *ll, const dsp_line *rl, int nl)
{
    WIDE_OR_HOT(add_mul_pair, left, right, a, b, ll, rl, nl);
}

void dsp_mix_add_mul_lines(float *restrict dst, const float *restrict src, const dsp_line *lines, int nl, int set)
{
    WIDE_OR_HOT(add_mul_lines, dst, NULL, src, lines, nl, set, 0);
}

void dsp_mix_add_mul_lines_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                         const dsp_line *lines, int nl, int set)
{
    WIDE_OR_HOT(add_mul_lines, left, right, src, lines, nl, set, 1);
}

DSP_HOT
void dsp_mix_add_mul(float *restrict dst, const float *restrict src, const float *restrict g, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] += g[i] * src[i];
}

DSP_HOT
void dsp_mix_add_mul_deinterleave2(float *restrict left, float *restrict right, const float *restrict src,
                                   const float *restrict g, int n)
{
    for (int i = 0; i < n; i++) {
        left[i] += g[i] * src[2 * i];
        right[i] += g[i] * src[2 * i + 1];
    }
}

DSP_HOT
void dsp_mix_scaled_copy(float *restrict out, const float *restrict in, double scale, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (float)(scale * (double)in[i]);
}
