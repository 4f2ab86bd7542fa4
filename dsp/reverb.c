/* reverb.c - 16-line feedback delay network after Jot and Chaigne (see
 * reverb.h). */
#include "dsp/reverb.h"
#include "dsp/simd.h"

#include <float.h>
#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define REVERB_AVX2 1
#endif

#define SPEED_OF_SOUND 343.0

/* Dattorro's input diffusers (142, 107, 379, 277 samples at 29,761 Hz),
 * in seconds, and their coefficients; channel k's are (1 + 0.13 k) times
 * longer, so no two channels' diffusers are alike. */
static const double diffuser_s[DSP_REVERB_DIFFUSERS] = {142 / 29761.0, 107 / 29761.0, 379 / 29761.0, 277 / 29761.0};
static const float diffuser_g[DSP_REVERB_DIFFUSERS] = {0.75f, 0.75f, 0.625f, 0.625f};

static inline float flush(float v) { return fabsf(v) < FLT_MIN ? 0.0f : v; }

static int is_prime(int n)
{
    if (n < 2)
        return 0;
    for (int d = 2; (long)d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

static int next_prime(int n)
{
    while (!is_prime(n))
        n++;
    return n;
}

/* The line lengths of a network of size_m at fs: geometric from 0.6 to 1.4
 * times the mean, primes, distinct, and alternately on the left and right
 * halves (the i-th shortest on side i % 2). */
static void line_lengths(double fs, double size_m, int *len)
{
    double mean = size_m / SPEED_OF_SOUND * fs;
    int prev = 1;
    for (int j = 0; j < DSP_REVERB_LINES; j++) {
        double r = 0.6 * pow(1.4 / 0.6, j / (double)(DSP_REVERB_LINES - 1));
        int m = (int)lround(mean * r);
        m = next_prime(m > prev ? m : prev + 1);
        prev = m;
        len[(j % 2) * (DSP_REVERB_LINES / 2) + j / 2] = m;
    }
}

static int diffuser_length(double fs, int ch, int k)
{
    int m = (int)lround(diffuser_s[k] * (1 + 0.13 * ch) * fs);
    return next_prime(m < 1 ? 1 : m);
}

static int predelay_length(double fs, double predelay_s)
{
    return (int)lround(predelay_s * fs);
}

size_t dsp_reverb_heap_size(double fs, const dsp_reverb_shape *shape)
{
    int len[DSP_REVERB_LINES];
    line_lengths(fs, shape->size_m, len);
    size_t n = 0;
    for (int i = 0; i < DSP_REVERB_LINES; i++)
        n += (size_t)len[i];
    n += (size_t)shape->channels * (size_t)predelay_length(fs, shape->predelay_s);
    for (int ch = 0; ch < shape->channels; ch++)
        for (int k = 0; k < DSP_REVERB_DIFFUSERS; k++)
            n += (size_t)diffuser_length(fs, ch, k);
    return n * sizeof(float);
}

void dsp_reverb_speakers_for(int channels, dsp_reverb_speaker *sp)
{
    enum { L, R, C, LFE, LS, RS, L3, R3 };
    static const int layouts[9][8] = {
        [1] = {C}, [2] = {L, R}, [3] = {L, R, C}, [4] = {L, R, LS, RS}, [5] = {L, R, C, LS, RS},
        [6] = {L, R, C, LFE, LS, RS}, [7] = {L, R, C, LS, RS, L3, R3}, [8] = {L, R, C, LFE, LS, RS, L3, R3},
    };
    for (int ch = 0; ch < channels && ch < DSP_REVERB_MAX_CHANNELS; ch++) {
        int w = channels <= 8 ? layouts[channels][ch] : C;
        static const dsp_reverb_speaker of[] = {
            [L] = {DSP_REVERB_LEFT, 0, 1},  [R] = {DSP_REVERB_RIGHT, 0, 1}, [C] = {DSP_REVERB_CENTRE, 0, 0.5},
            [LFE] = {DSP_REVERB_SKIP, 0, 0}, [LS] = {DSP_REVERB_LEFT, 1, 1}, [RS] = {DSP_REVERB_RIGHT, 1, 1},
            [L3] = {DSP_REVERB_LEFT, 2, 1}, [R3] = {DSP_REVERB_RIGHT, 2, 1},
        };
        sp[ch] = of[w];
        if (channels == 1)
            sp[ch].gain = 1;
    }
}

/* Entry j of row r of the 8-point Sylvester Hadamard matrix. */
static int hadamard8(int r, int j)
{
    return __builtin_popcount((unsigned)(r & j)) & 1 ? -1 : 1;
}

/* Channel k's tap pattern (norm^2 8, before its gain): a side channel +-1
 * on its half, a centre +-1/sqrt 2 on all 16, each with the signs of a row
 * of the 8-point Hadamard matrix: rows 0, 3, 5 for a side's slots 0, 1, 2
 * and row 6 for a centre (or a side's slot 3, in a layout with no centre:
 * eight plain channels). Any two of these rows are orthogonal, and so is
 * their product with the lines' index (their XORs, 3, 5, 6, are not powers
 * of two), which matters because the longer lines of a half are a little
 * quieter in a steady state (their gain g_i is lower): a power that falls
 * linearly along a half cancels out of every pair's correlation. */
static void pattern(const dsp_reverb_speaker *sp, double *v)
{
    static const int side_rows[4] = {0, 3, 5, 6};
    const int half = DSP_REVERB_LINES / 2;
    for (int i = 0; i < DSP_REVERB_LINES; i++)
        v[i] = 0;
    if (sp->side == DSP_REVERB_LEFT || sp->side == DSP_REVERB_RIGHT) {
        int first = sp->side == DSP_REVERB_LEFT ? 0 : half;
        for (int j = 0; j < half; j++)
            v[first + j] = hadamard8(side_rows[sp->slot % 4], j);
    } else if (sp->side == DSP_REVERB_CENTRE) {
        for (int i = 0; i < DSP_REVERB_LINES; i++)
            v[i] = hadamard8(6, i % half) * sqrt(0.5);
    }
}

static void taps(dsp_reverb *s, const dsp_reverb_shape *shape)
{
    double v[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_LINES], total = 0;
    for (int ch = 0; ch < s->nch; ch++)
        s->partner[ch] = -1;
    for (int ch = 0; ch < s->nch; ch++) {
        const dsp_reverb_speaker *sp = &shape->speakers[ch];
        pattern(sp, v[ch]);
        s->feeds[ch] = 0;
        for (int i = 0; i < DSP_REVERB_LINES; i++) {
            s->in_vec[ch][i] = (float)(v[ch][i] / sqrt(8.0)); /* an input's vector has norm 1 */
            s->feeds[ch] |= v[ch][i] != 0;
            total += v[ch][i] * v[ch][i] * sp->gain * sp->gain;
        }
        for (int o = 0; o < s->nch; o++)
            if (sp->side == DSP_REVERB_LEFT && shape->speakers[o].side == DSP_REVERB_RIGHT &&
                shape->speakers[o].slot == sp->slot)
                s->partner[ch] = o, s->partner[o] = ch;
    }
    /* the outputs' powers sum to the network's (16 lines of unit power) */
    double scale = total > 0 ? sqrt(DSP_REVERB_LINES / total) : 0;
    for (int ch = 0; ch < s->nch; ch++)
        for (int i = 0; i < DSP_REVERB_LINES; i++)
            s->out_vec[ch][i] = (float)(v[ch][i] * shape->speakers[ch].gain * scale);
}

void dsp_reverb_init(dsp_reverb *s, void *mem, double fs, const dsp_reverb_shape *shape, const dsp_reverb_params *p)
{
    memset(s, 0, sizeof *s);
    s->fs = fs;
    s->nch = shape->channels;
    float *m = mem;
    line_lengths(fs, shape->size_m, s->len);
    s->min_len = s->len[0];
    for (int i = 0; i < DSP_REVERB_LINES; i++) {
        s->line[i] = m, m += s->len[i];
        s->min_len = s->len[i] < s->min_len ? s->len[i] : s->min_len;
    }
    s->pre_len = predelay_length(fs, shape->predelay_s);
    for (int ch = 0; ch < s->nch; ch++) {
        if (s->pre_len > 0)
            s->pre[ch] = m, m += s->pre_len;
        for (int k = 0; k < DSP_REVERB_DIFFUSERS; k++) {
            s->ap_len[ch][k] = diffuser_length(fs, ch, k);
            s->ap[ch][k] = m, m += s->ap_len[ch][k];
        }
    }
    taps(s, shape);
    dsp_reverb_set(s, p);
    dsp_reverb_reset(s);
}

void dsp_reverb_set(dsp_reverb *s, const dsp_reverb_params *p)
{
    s->p = *p;
    for (int i = 0; i < DSP_REVERB_LINES; i++) {
        double passes = 3.0 * s->len[i] / (s->fs * p->rt60_s); /* -dB/20 of one pass */
        s->g[i] = (float)pow(10.0, -passes);
        s->loss[i] = (float)(1.0 - pow(10.0, -passes * (1.0 / p->damping - 1.0)));
    }
    double k = tan(M_PI * p->damping_hz / s->fs);
    s->hp_b0 = (float)(1.0 / (1.0 + k));
    s->hp_a1 = (float)((1.0 - k) / (1.0 + k));
    s->wet = (float)p->mix;
    s->dry = (float)(1.0 - p->mix);
    s->wide_same = (float)((1.0 + p->width) / 2);
    s->wide_cross = (float)((1.0 - p->width) / 2);
}

void dsp_reverb_reset(dsp_reverb *s)
{
    for (int i = 0; i < DSP_REVERB_LINES; i++) {
        memset(s->line[i], 0, (size_t)s->len[i] * sizeof(float));
        s->pos[i] = 0;
        s->hp_x[i] = s->hp_y[i] = 0;
    }
    s->pre_pos = 0;
    for (int ch = 0; ch < s->nch; ch++) {
        if (s->pre_len > 0)
            memset(s->pre[ch], 0, (size_t)s->pre_len * sizeof(float));
        for (int k = 0; k < DSP_REVERB_DIFFUSERS; k++) {
            memset(s->ap[ch][k], 0, (size_t)s->ap_len[ch][k] * sizeof(float));
            s->ap_pos[ch][k] = 0;
        }
    }
}

int dsp_reverb_copy_state(dsp_reverb *dst, const dsp_reverb *src)
{
    if (dst->nch != src->nch || dst->fs != src->fs || dst->pre_len != src->pre_len ||
        memcmp(dst->len, src->len, sizeof dst->len) != 0 || memcmp(dst->ap_len, src->ap_len, sizeof dst->ap_len) != 0)
        return -1;
    for (int i = 0; i < DSP_REVERB_LINES; i++) {
        memcpy(dst->line[i], src->line[i], (size_t)src->len[i] * sizeof(float));
        dst->pos[i] = src->pos[i];
        dst->hp_x[i] = src->hp_x[i];
        dst->hp_y[i] = src->hp_y[i];
    }
    dst->pre_pos = src->pre_pos;
    for (int ch = 0; ch < src->nch; ch++) {
        if (src->pre_len > 0)
            memcpy(dst->pre[ch], src->pre[ch], (size_t)src->pre_len * sizeof(float));
        for (int k = 0; k < DSP_REVERB_DIFFUSERS; k++) {
            memcpy(dst->ap[ch][k], src->ap[ch][k], (size_t)src->ap_len[ch][k] * sizeof(float));
            dst->ap_pos[ch][k] = src->ap_pos[ch][k];
        }
    }
    return 0;
}

int dsp_reverb_line_length(const dsp_reverb *s, int i)
{
    return s->len[i];
}

/* The stages of a chunk are inlined into dsp_reverb_process, so that its
 * AVX2 clone (DSP_HOT) covers their loops too. */
#define CHUNK_STAGE static inline __attribute__((always_inline))

/* The longest run of a ring of len samples from position p that neither
 * wraps nor passes n samples: the loops below go over a ring in such runs,
 * so their bodies have no per-sample test and vectorise. */
static inline int ring_run(int n, int len, int p)
{
    return n < len - p ? n : len - p;
}

static inline int ring_step(int len, int p, int run)
{
    return p + run == len ? 0 : p + run;
}

/* Channel ch's input over a chunk of n samples: pre-delayed, then through
 * the diffusers, into s->x[ch]. */
CHUNK_STAGE void diffuse(dsp_reverb *s, int ch, const float *restrict in, int n, int pre_pos)
{
    float *restrict x = s->x[ch];
    if (s->pre_len > 0) {
        float *restrict ring = s->pre[ch];
        for (int t = 0, p = pre_pos; t < n;) {
            int run = ring_run(n - t, s->pre_len, p);
            for (int i = 0; i < run; i++) {
                float v = ring[p + i];
                ring[p + i] = flush(in[t + i]);
                x[t + i] = v;
            }
            t += run;
            p = ring_step(s->pre_len, p, run);
        }
    } else {
        for (int t = 0; t < n; t++)
            x[t] = flush(in[t]);
    }
    for (int k = 0; k < DSP_REVERB_DIFFUSERS; k++) {
        float *restrict ring = s->ap[ch][k];
        const float g = diffuser_g[k];
        int p = s->ap_pos[ch][k], len = s->ap_len[ch][k];
        for (int t = 0; t < n;) {
            int run = ring_run(n - t, len, p);
            for (int i = 0; i < run; i++) {
                float d = ring[p + i];
                float w = flush(x[t + i] + g * d);
                x[t + i] = d - g * w;
                ring[p + i] = w;
            }
            t += run;
            p = ring_step(len, p, run);
        }
        s->ap_pos[ch][k] = p;
    }
}

/* The shelves over samples [t0, n) of the chunk in s->y, lines side by
 * side (t outer, lines inner: sixteen independent recursions, not one
 * chain of sixteen); the state in hy, xm1. */
CHUNK_STAGE void shelves(dsp_reverb *s, int t0, int n, float *hy, float *xm1)
{
    const float b0 = s->hp_b0, a1 = s->hp_a1;
    for (int t = t0; t < n; t++)
        for (int i = 0; i < DSP_REVERB_LINES; i++) {
            float v = s->y[i][t];
            float h = flush(b0 * (v - xm1[i]) + a1 * hy[i]);
            xm1[i] = v;
            hy[i] = h;
            s->y[i][t] = s->g[i] * (v - s->loss[i] * h);
        }
}

#ifdef REVERB_AVX2
/* r[0..8) transposed: lane j of r[k] in, lane k of r[j] out */
__attribute__((target("avx2"), always_inline)) static inline void transpose8(__m256 *r)
{
    __m256 t[8], u[8];
    for (int k = 0; k < 8; k += 2) {
        t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
        t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
    }
    for (int k = 0; k < 8; k += 4) {
        u[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
        u[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
        u[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
        u[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
    }
    for (int k = 0; k < 4; k++) {
        r[k] = _mm256_permute2f128_ps(u[k], u[k + 4], 0x20);
        r[k + 4] = _mm256_permute2f128_ps(u[k], u[k + 4], 0x31);
    }
}

/* shelves() for 8 samples at a time: each half's 8 lines x 8 samples
 * transposed in registers so that a vector holds 8 lines at one time, the
 * same operations in the same order (no FMA), so the same bits. Returns
 * the samples done (a multiple of 8); shelves() does the rest. */
__attribute__((target("avx2"))) static int shelves_avx2(dsp_reverb *s, int n, float *hy, float *xm1)
{
    const __m256 b0 = _mm256_set1_ps(s->hp_b0), a1 = _mm256_set1_ps(s->hp_a1);
    const __m256 sign = _mm256_set1_ps(-0.0f), tiny = _mm256_set1_ps(FLT_MIN);
    __m256 h[2], x[2], g[2], loss[2];
    for (int half = 0; half < 2; half++) {
        h[half] = _mm256_loadu_ps(hy + 8 * half);
        x[half] = _mm256_loadu_ps(xm1 + 8 * half);
        g[half] = _mm256_loadu_ps(s->g + 8 * half);
        loss[half] = _mm256_loadu_ps(s->loss + 8 * half);
    }
    int t0 = 0;
    for (; t0 + 8 <= n; t0 += 8)
        for (int half = 0; half < 2; half++) {
            __m256 r[8];
            for (int k = 0; k < 8; k++)
                r[k] = _mm256_loadu_ps(&s->y[8 * half + k][t0]);
            transpose8(r);
            for (int k = 0; k < 8; k++) {
                __m256 v = r[k];
                __m256 e = _mm256_add_ps(_mm256_mul_ps(b0, _mm256_sub_ps(v, x[half])), _mm256_mul_ps(a1, h[half]));
                __m256 small = _mm256_cmp_ps(_mm256_andnot_ps(sign, e), tiny, _CMP_LT_OQ);
                h[half] = _mm256_andnot_ps(small, e); /* flush() */
                x[half] = v;
                r[k] = _mm256_mul_ps(g[half], _mm256_sub_ps(v, _mm256_mul_ps(loss[half], h[half])));
            }
            transpose8(r);
            for (int k = 0; k < 8; k++)
                _mm256_storeu_ps(&s->y[8 * half + k][t0], r[k]);
        }
    for (int half = 0; half < 2; half++) {
        _mm256_storeu_ps(hy + 8 * half, h[half]);
        _mm256_storeu_ps(xm1 + 8 * half, x[half]);
    }
    return t0;
}
#endif

/* The lines' outputs over a chunk, through their absorption shelves, into
 * s->y. */
CHUNK_STAGE void read_lines(dsp_reverb *s, int n)
{
    for (int i = 0; i < DSP_REVERB_LINES; i++) {
        const float *ring = s->line[i];
        int len = s->len[i];
        for (int t = 0, p = s->pos[i]; t < n;) {
            int run = ring_run(n - t, len, p);
            memcpy(s->y[i] + t, ring + p, (size_t)run * sizeof(float));
            t += run;
            p = ring_step(len, p, run);
        }
    }
    int done = 0;
#ifdef REVERB_AVX2
    if (DSP_HAVE_AVX2())
        done = shelves_avx2(s, n, s->hp_y, s->hp_x);
#endif
    shelves(s, done, n, s->hp_y, s->hp_x);
}

/* y = A y with A = H16 / 4: the fast Walsh-Hadamard transform, butterflies
 * over the chunk's samples, two stages in each pass over four rows (stages
 * 1 and 2, then 4 and 8: the same additions as stage by stage), the 1/4
 * in the last pass. */
CHUNK_STAGE void feedback_matrix(dsp_reverb *s, int n)
{
    for (int h = 1; h < DSP_REVERB_LINES; h *= 4) {
        const float scale = 4 * h == DSP_REVERB_LINES ? 0.25f : 1.0f;
        for (int i = 0; i < DSP_REVERB_LINES; i += 4 * h)
            for (int j = i; j < i + h; j++) {
                float *restrict r0 = s->y[j], *restrict r1 = s->y[j + h], *restrict r2 = s->y[j + 2 * h],
                                *restrict r3 = s->y[j + 3 * h];
                if (scale == 1.0f)
                    for (int t = 0; t < n; t++) {
                        float a0 = r0[t] + r1[t], a1 = r0[t] - r1[t], a2 = r2[t] + r3[t], a3 = r2[t] - r3[t];
                        r0[t] = a0 + a2, r1[t] = a1 + a3, r2[t] = a0 - a2, r3[t] = a1 - a3;
                    }
                else
                    for (int t = 0; t < n; t++) {
                        float a0 = r0[t] + r1[t], a1 = r0[t] - r1[t], a2 = r2[t] + r3[t], a3 = r2[t] - r3[t];
                        r0[t] = (a0 + a2) * scale, r1[t] = (a1 + a3) * scale;
                        r2[t] = (a0 - a2) * scale, r3[t] = (a1 - a3) * scale;
                    }
            }
    }
}

/* u = A y + B x written into the lines, flushed. */
CHUNK_STAGE void write_lines(dsp_reverb *s, int n)
{
    for (int i = 0; i < DSP_REVERB_LINES; i++) {
        float *restrict ring = s->line[i], *restrict y = s->y[i]; /* A y: feedback_matrix */
        for (int ch = 0; ch < s->nch; ch++) {
            float b = s->in_vec[ch][i];
            if (b == 0)
                continue;
            const float *restrict x = s->x[ch];
            for (int t = 0; t < n; t++)
                y[t] += b * x[t];
        }
        int p = s->pos[i], len = s->len[i];
        for (int t = 0; t < n;) {
            int run = ring_run(n - t, len, p);
            for (int k = 0; k < run; k++)
                ring[p + k] = flush(y[t + k]);
            t += run;
            p = ring_step(len, p, run);
        }
        s->pos[i] = p;
    }
}

/* The outputs' wet signals c_k . y into s->wet_out, before the matrix. */
CHUNK_STAGE void tap_outputs(dsp_reverb *s, int n)
{
    for (int ch = 0; ch < s->nch; ch++) {
        float *o = s->wet_out[ch];
        for (int t = 0; t < n; t++)
            o[t] = 0;
        for (int i = 0; i < DSP_REVERB_LINES; i++) {
            float c = s->out_vec[ch][i];
            if (c == 0)
                continue;
            const float *y = s->y[i];
            for (int t = 0; t < n; t++)
                o[t] += c * y[t];
        }
    }
}

/* io = dry io + wet (width applied), flushed. */
CHUNK_STAGE void mix_out(dsp_reverb *s, float *const *io, int off, int n)
{
    const float same = s->wide_same, cross = s->wide_cross, wet = s->wet, dry = s->dry;
    for (int ch = 0; ch < s->nch; ch++) {
        float *out = io[ch] + off;
        const float *o = s->wet_out[ch];
        int q = s->partner[ch];
        if (q >= 0) {
            const float *other = s->wet_out[q];
            for (int t = 0; t < n; t++)
                out[t] = flush(dry * out[t] + wet * (same * o[t] + cross * other[t]));
        } else {
            for (int t = 0; t < n; t++)
                out[t] = flush(dry * out[t] + wet * o[t]);
        }
    }
}

DSP_HOT
void dsp_reverb_process(dsp_reverb *s, float *const *io, int n)
{
    int limit = s->min_len < DSP_REVERB_CHUNK ? s->min_len : DSP_REVERB_CHUNK;
    for (int off = 0; off < n;) {
        int m = n - off < limit ? n - off : limit;
        for (int ch = 0; ch < s->nch; ch++)
            if (s->feeds[ch]) /* what an LFE's would make is never read */
                diffuse(s, ch, io[ch] + off, m, s->pre_pos);
        if (s->pre_len > 0)
            s->pre_pos = (int)((s->pre_pos + m) % s->pre_len);
        read_lines(s, m);
        tap_outputs(s, m);
        feedback_matrix(s, m);
        write_lines(s, m);
        mix_out(s, io, off, m);
        off += m;
    }
}

double dsp_reverb_memory(const dsp_reverb *s, double rt60_s)
{
    int diffusers = 0;
    for (int k = 0; k < DSP_REVERB_DIFFUSERS; k++)
        diffusers += s->ap_len[0][k];
    return s->pre_len + diffusers + (rt60_s > 0 ? rt60_s : s->p.rt60_s) * s->fs;
}
