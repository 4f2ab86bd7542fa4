/* test_mix.c - dsp/mix's kernels against plain scalar loops written here
 * from the definitions in dsp/mix.h (one IEEE operation at a time, in the
 * order the header states), bit for bit (tolerance 0: the kernels promise
 * the same arithmetic whatever their vector width):
 *   - lengths 0 to 70 and 1000, at offsets 0 to 3 floats from a 64-byte
 *     boundary (so every peeled head and tail of a vector loop runs);
 *   - inputs with +-0, denormals, large and small values, and gains of 1
 *     (the unity shortcut), 0, -0 and others;
 *   - the piece kernels (lines) with holds, straight lines and curves,
 *     pieces of every length, against filling the values and multiplying;
 *   - every SIMD path: dsp_simd_cap = DSP_SIMD_ANY (64-byte kernels where
 *     the CPU has AVX-512) and DSP_SIMD_NO_WIDE (the AVX2/baseline clones),
 *     as tests/unit/test_automation.c does. */
#include "dsp/mix.h"
#include "dsp/simd.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

#define MAXN 1000
#define PAD 80

static uint32_t rng = 12345;

static float rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    uint32_t r = rng >> 8;
    switch (r % 16) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    case 2: return 1e-40f;  /* denormal */
    case 3: return -3e-39f; /* denormal */
    case 4: return 1e30f;
    default: return ((float)(r & 0xffff) / 32768.0f - 1.0f) * 4.0f;
    }
}

static float *aligned(void)
{
    float *p = aligned_alloc(64, (MAXN + PAD) * 2 * sizeof(float));
    return p;
}

static void fill_rand(float *x, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = rnd();
}

static int same(const float *a, const float *b, int n)
{
    return memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

static const int lens[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 70, 1000};
#define NLENS ((int)(sizeof lens / sizeof lens[0]))
static const float gains[] = {1.0f, 0.0f, -0.0f, 0.5f, -1.25f, 3.1e-5f};
#define NGAINS ((int)(sizeof gains / sizeof gains[0]))

/* ---- the flat kernels ---------------------------------------------------- */

typedef struct {
    float *src, *dst, *ref, *left, *right, *lref, *rref, *g;
} bufs;

static int flat_case(bufs *b, int n, int off, float g)
{
    int ok = 1;
    float *s = b->src + off, *d = b->dst + off, *r = b->ref + off;
    float *l = b->left + off, *rt = b->right + off, *lr = b->lref + off, *rr = b->rref + off, *gv = b->g + off;
    fill_rand(b->src, 2 * (MAXN + PAD));
    fill_rand(b->g, MAXN + PAD);
    /* scale */
    fill_rand(d, n), memcpy(r, d, (size_t)n * sizeof *r);
    dsp_mix_scale(d, g, n);
    for (int i = 0; i < n; i++)
        r[i] = r[i] * g;
    ok &= same(d, r, n);
    /* add_scaled */
    fill_rand(d, n), memcpy(r, d, (size_t)n * sizeof *r);
    dsp_mix_add_scaled(d, s, g, n);
    for (int i = 0; i < n; i++)
        r[i] = r[i] + g * s[i];
    ok &= same(d, r, n);
    /* set_scaled: what add_scaled leaves on a cleared dst */
    fill_rand(d, n);
    dsp_mix_set_scaled(d, s, g, n);
    for (int i = 0; i < n; i++)
        r[i] = 0.0f + g * s[i];
    ok &= same(d, r, n);
    /* deinterleave2, add and set */
    fill_rand(l, n), fill_rand(rt, n), memcpy(lr, l, (size_t)n * 4), memcpy(rr, rt, (size_t)n * 4);
    dsp_mix_add_scaled_deinterleave2(l, rt, s, g, n);
    for (int i = 0; i < n; i++)
        lr[i] = lr[i] + g * s[2 * i], rr[i] = rr[i] + g * s[2 * i + 1];
    ok &= same(l, lr, n) && same(rt, rr, n);
    dsp_mix_set_scaled_deinterleave2(l, rt, s, g, n);
    for (int i = 0; i < n; i++)
        lr[i] = 0.0f + g * s[2 * i], rr[i] = 0.0f + g * s[2 * i + 1];
    ok &= same(l, lr, n) && same(rt, rr, n);
    /* add_mul, plain and deinterleaved */
    fill_rand(d, n), memcpy(r, d, (size_t)n * sizeof *r);
    dsp_mix_add_mul(d, s, gv, n);
    for (int i = 0; i < n; i++)
        r[i] = r[i] + gv[i] * s[i];
    ok &= same(d, r, n);
    fill_rand(l, n), fill_rand(rt, n), memcpy(lr, l, (size_t)n * 4), memcpy(rr, rt, (size_t)n * 4);
    dsp_mix_add_mul_deinterleave2(l, rt, s, gv, n);
    for (int i = 0; i < n; i++)
        lr[i] = lr[i] + gv[i] * s[2 * i], rr[i] = rr[i] + gv[i] * s[2 * i + 1];
    ok &= same(l, lr, n) && same(rt, rr, n);
    /* scaled_copy, in double */
    double scale = (double)g * 0.7071067811865476;
    dsp_mix_scaled_copy(d, s, scale, n);
    for (int i = 0; i < n; i++)
        r[i] = (float)(scale * (double)s[i]);
    ok &= same(d, r, n);
    /* fill and clear */
    dsp_mix_fill(d, g, n);
    for (int i = 0; i < n; i++)
        r[i] = g;
    ok &= same(d, r, n);
    dsp_mix_clear(d, n);
    for (int i = 0; i < n; i++)
        r[i] = 0.0f;
    ok &= same(d, r, n);
    return ok;
}

/* ---- the piece kernels --------------------------------------------------- */

static float piece_ref(const dsp_line *l, int i)
{
    float k = (float)(l->k0 + i);
    return l->y + k * (l->slope + k * l->curve);
}

/* Pieces covering [0, n): lengths cycling through 1..37, each a hold, a
 * line or a curve. */
static int make_lines(dsp_line *lines, int n)
{
    int nl = 0, at = 0, len = 1;
    while (at < n) {
        int m = n - at < len ? n - at : len;
        int kind = nl % 3;
        lines[nl] = (dsp_line){at, m, (nl * 7) % 50, rnd() * 0.25f, kind ? 1e-3f * (float)(nl % 5) - 2e-3f : 0.0f,
                               kind == 2 ? -3e-6f * (float)(nl % 4) : 0.0f};
        if (!isfinite(lines[nl].y) || fabsf(lines[nl].y) > 10)
            lines[nl].y = 0.5f;
        nl++, at += m, len = len % 37 + 1 + (nl % 3);
    }
    return nl;
}

static int lines_case(bufs *b, int n, int off)
{
    static dsp_line ll[MAXN], rl[MAXN];
    int ok = 1;
    float *s = b->src + off, *d = b->dst + off, *r = b->ref + off;
    float *l = b->left + off, *rt = b->right + off, *lr = b->lref + off, *rr = b->rref + off;
    fill_rand(b->src, 2 * (MAXN + PAD));
    int nl = make_lines(ll, n);
    for (int p = 0; p < nl; p++) {
        rl[p] = ll[p];
        rl[p].y = ll[p].y * -0.5f, rl[p].slope = ll[p].slope * 0.25f;
    }
    /* fill_lines, mul_lines */
    dsp_mix_fill_lines(d, ll, nl);
    for (int p = 0; p < nl; p++)
        for (int i = 0; i < ll[p].n; i++)
            r[ll[p].off + i] = piece_ref(&ll[p], i);
    ok &= same(d, r, n);
    fill_rand(d, n), memcpy(r, d, (size_t)n * 4);
    dsp_mix_mul_lines(d, ll, nl);
    for (int p = 0; p < nl; p++)
        for (int i = 0; i < ll[p].n; i++)
            r[ll[p].off + i] = r[ll[p].off + i] * piece_ref(&ll[p], i);
    ok &= same(d, r, n);
    /* add_mul_lines, add and set */
    for (int set = 0; set < 2; set++) {
        fill_rand(d, n), memcpy(r, d, (size_t)n * 4);
        dsp_mix_add_mul_lines(d, s, ll, nl, set);
        for (int p = 0; p < nl; p++)
            for (int i = 0, k = ll[p].off; i < ll[p].n; i++, k++)
                r[k] = (set ? 0.0f : r[k]) + piece_ref(&ll[p], i) * s[k];
        ok &= same(d, r, n);
        fill_rand(l, n), fill_rand(rt, n), memcpy(lr, l, (size_t)n * 4), memcpy(rr, rt, (size_t)n * 4);
        dsp_mix_add_mul_lines_deinterleave2(l, rt, s, ll, nl, set);
        for (int p = 0; p < nl; p++)
            for (int i = 0, k = ll[p].off; i < ll[p].n; i++, k++) {
                float v = piece_ref(&ll[p], i);
                lr[k] = (set ? 0.0f : lr[k]) + v * s[2 * k];
                rr[k] = (set ? 0.0f : rr[k]) + v * s[2 * k + 1];
            }
        ok &= same(l, lr, n) && same(rt, rr, n);
    }
    /* the pair: a pan's two sides, different sources */
    float *a = s, *bb = s + MAXN;
    fill_rand(l, n), fill_rand(rt, n), memcpy(lr, l, (size_t)n * 4), memcpy(rr, rt, (size_t)n * 4);
    dsp_mix_add_mul_lines_pair(l, rt, a, bb, ll, rl, nl);
    for (int p = 0; p < nl; p++)
        for (int i = 0, k = ll[p].off; i < ll[p].n; i++, k++) {
            lr[k] = lr[k] + piece_ref(&ll[p], i) * a[k];
            rr[k] = rr[k] + piece_ref(&rl[p], i) * bb[k];
        }
    ok &= same(l, lr, n) && same(rt, rr, n);
    return ok;
}

int main(void)
{
    bufs b = {aligned(), aligned(), aligned(), aligned(), aligned(), aligned(), aligned(), aligned()};
    static const char *caps[] = {"widest the CPU has", "no 64-byte kernels"};
    for (int cap = DSP_SIMD_ANY; cap <= DSP_SIMD_NO_WIDE; cap++) {
        dsp_simd_cap = cap;
        int flat_bad = 0, lines_bad = 0, first_n = -1;
        for (int li = 0; li < NLENS; li++)
            for (int off = 0; off < 4; off++) {
                for (int gi = 0; gi < NGAINS; gi++)
                    if (!flat_case(&b, lens[li], off, gains[gi]))
                        flat_bad++, first_n = first_n < 0 ? lens[li] : first_n;
                if (!lines_case(&b, lens[li], off))
                    lines_bad++, first_n = first_n < 0 ? lens[li] : first_n;
            }
        char name[120];
        snprintf(name, sizeof name, "flat kernels = scalar loops, bit for bit (%s)", caps[cap]);
        check(flat_bad == 0, name, "%d cases differ, first at n = %d", flat_bad, first_n);
        snprintf(name, sizeof name, "piece kernels = scalar loops, bit for bit (%s)", caps[cap]);
        check(lines_bad == 0, name, "%d cases differ, first at n = %d", lines_bad, first_n);
    }
    dsp_simd_cap = DSP_SIMD_ANY;
    free(b.src), free(b.dst), free(b.ref), free(b.left), free(b.right), free(b.lref), free(b.rref), free(b.g);
    return check_exit();
}
