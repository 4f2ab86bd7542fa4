/* loudness.c - ITU-R BS.1770-4 / EBU R 128 meter (see loudness.h).
 *
 * Sources: ITU-R BS.1770-4 (K-weighting coefficients at 48 kHz, the gating,
 * Annex 2's 48-tap interpolator), EBU Tech 3341 (M, S, the meter's test
 * signals), EBU Tech 3342 (LRA). For rates other than 48 kHz the K-weighting
 * is redesigned the way libebur128 and ffmpeg do it: the analogue prototypes
 * the 48 kHz coefficients come from (a high shelf at 1681.97 Hz, +4.00 dB,
 * Q 0.7072, and a 38.14 Hz high-pass, Q 0.5003), through the bilinear
 * transform prewarped at f0. At 48 kHz the published coefficients are used.
 *
 * Where the time goes, per sample and channel:
 *   K-weighting: two biquads in double, Direct Form I, ordered so the loop
 *     carried dependency is one multiply and one subtract per stage. The loop
 *     is latency-bound, so float would be no faster (measured: same time)
 *     and is less exact (measured against long double at 48 kHz: float
 *     reads up to 0.0007 LU high on a 20 Hz tone, double under 1e-12 LU). Channels
 *     go side by side, one per lane of a double vector, so their dependency
 *     chains overlap: two or four (SSE2), four (AVX2) or eight (AVX-512) a
 *     vector, two vectors in one loop when there are lanes for both (then
 *     the loop is bound by the arithmetic, 17 operations a sample, not by
 *     the chain's multiply and subtract), and across meters with
 *     dsp_loudness_process_many (a render's outputs). Stage 2's numerator
 *     is (1 - z^-1)^2, done as a difference of differences (no multiplies).
 *     Four stereo meters, in cache, loaded machine: 1.00 ns per
 *     channel-sample with four lanes a vector and a scalar load per lane
 *     and sample, 0.78 (AVX2) and 0.54 (AVX-512) with the lane kernels.
 *   true peak: dsp/truepeak.c's interpolator (24 multiplies per input
 *     sample for all 4 phases, vectorised across time). A stretch of 64
 *     windows whose samples cannot produce a new maximum skips the filter.
 * Measured on 10 minutes of 48 kHz noise: about 15 times faster than
 * libebur128 with the same modes in stereo, 13 times in 5.1
 * (tests/tools/loudness_bench.c).
 */
#include "dsp/loudness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/simd.h"
#include "dsp/truepeak.h"

#define HIST_MIN_LUFS (-70.0)
#define HIST_BINS_PER_LU 100
#define HIST_BINS (100 * HIST_BINS_PER_LU) /* -70 .. +30 LUFS */
#define TP_TAPS DSP_TRUEPEAK_TAPS
#define FLUSH 1e-25                         /* below this a filter state is zeroed (-500 dB) */

void dsp_loudness_config_init(dsp_loudness_config *cfg, double rate, int channels)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->rate = rate;
    cfg->channels = channels;
    cfg->weights = NULL;
    cfg->grid = 10;
    cfg->true_peak = 1;
}

double dsp_loudness_default_weight(int channels, int index)
{
    if (channels == 6 || channels == 8) {
        if (index == 3)
            return 0.0;     /* LFE */
        if (index >= 4)
            return 1.41;    /* surrounds */
    }
    return 1.0;
}

static int valid(const dsp_loudness_config *cfg)
{
    return cfg && cfg->rate >= 8000.0 && cfg->rate <= 1e6 && cfg->channels >= 1 && cfg->grid >= 1;
}

static int hop_samples(double rate)
{
    return (int)floor(rate / 10.0 + 0.5);
}

/* The largest divisor of hop not above the requested grid: grid points fall
 * on whole samples and every 100 ms block is made of whole grid steps. */
static int grid_for(int hop, int want)
{
    if (want > DSP_LOUDNESS_MAX_GRID)
        want = DSP_LOUDNESS_MAX_GRID;
    for (int g = want; g > 1; g--)
        if (hop % g == 0)
            return g;
    return 1;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

size_t dsp_loudness_heap_size(const dsp_loudness_config *cfg)
{
    if (!valid(cfg))
        return 0;
    int grid = grid_for(hop_samples(cfg->rate), cfg->grid);
    return align8((size_t)cfg->channels * sizeof(dsp_loudness_channel)) + align8((size_t)(30 * grid + 30) * sizeof(double)) +
           2 * align8(HIST_BINS * sizeof(double)) + 2 * align8(HIST_BINS * sizeof(uint32_t));
}

/* K-weighting coefficients for rate: s->b, s->a (shelf) and s->a2 (high-pass;
 * its numerator is 1, -2, 1 as in BS.1770's table, at every rate). */
static void k_weighting(dsp_loudness *s, double rate)
{
    if (rate == 48000.0) {
        static const double b[3] = {1.53512485958697, -2.69169618940638, 1.19839281085285};
        static const double a[3] = {1.0, -1.69065929318241, 0.73248077421585};
        static const double a2[3] = {1.0, -1.99004745483398, 0.99007225036621};
        memcpy(s->b, b, sizeof b);
        memcpy(s->a, a, sizeof a);
        memcpy(s->a2, a2, sizeof a2);
        return;
    }
    const double pi = 3.14159265358979323846;
    double f0 = 1681.974450955533, gain_db = 3.999843853973347, q = 0.7071752369554196;
    double k = tan(pi * f0 / rate);
    double vh = pow(10.0, gain_db / 20.0);
    double vb = pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;
    s->b[0] = (vh + vb * k / q + k * k) / a0;
    s->b[1] = 2.0 * (k * k - vh) / a0;
    s->b[2] = (vh - vb * k / q + k * k) / a0;
    s->a[0] = 1.0;
    s->a[1] = 2.0 * (k * k - 1.0) / a0;
    s->a[2] = (1.0 - k / q + k * k) / a0;

    f0 = 38.13547087602444;
    q = 0.5003270373238773;
    k = tan(pi * f0 / rate);
    a0 = 1.0 + k / q + k * k;
    s->a2[0] = 1.0;
    s->a2[1] = 2.0 * (k * k - 1.0) / a0;
    s->a2[2] = (1.0 - k / q + k * k) / a0;
}

int dsp_loudness_init(dsp_loudness *s, const dsp_loudness_config *cfg, void *heap)
{
    if (!valid(cfg) || !heap)
        return -1;
    memset(s, 0, sizeof *s);
    s->rate = cfg->rate;
    s->channels = cfg->channels;
    s->true_peak = cfg->true_peak != 0;
    s->hop = hop_samples(cfg->rate);
    s->grid = grid_for(s->hop, cfg->grid);
    s->step = s->hop / s->grid;
    s->ring_len = 30 * s->grid;
    k_weighting(s, cfg->rate);

    unsigned char *p = heap;
    s->ch = (dsp_loudness_channel *)(void *)p;
    p += align8((size_t)s->channels * sizeof(dsp_loudness_channel));
    s->ring = (double *)(void *)p;
    s->hop_sums = s->ring + s->ring_len;
    p += align8((size_t)(s->ring_len + 30) * sizeof(double));
    s->gate.energy = (double *)(void *)p;
    p += align8(HIST_BINS * sizeof(double));
    s->range.energy = (double *)(void *)p;
    p += align8(HIST_BINS * sizeof(double));
    s->gate.count = (uint32_t *)(void *)p;
    p += align8(HIST_BINS * sizeof(uint32_t));
    s->range.count = (uint32_t *)(void *)p;

    for (int c = 0; c < s->channels; c++)
        s->ch[c].w = cfg->weights ? cfg->weights[c] : dsp_loudness_default_weight(s->channels, c);
    dsp_loudness_reset(s);
    return 0;
}

dsp_loudness *dsp_loudness_create(const dsp_loudness_config *cfg)
{
    size_t heap = dsp_loudness_heap_size(cfg);
    if (heap == 0)
        return NULL;
    dsp_loudness *s = malloc(align8(sizeof *s) + heap);
    if (!s)
        return NULL;
    if (dsp_loudness_init(s, cfg, (unsigned char *)s + align8(sizeof *s)) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

void dsp_loudness_destroy(dsp_loudness **s)
{
    if (s) {
        free(*s);
        *s = NULL;
    }
}

static void hist_clear(dsp_loudness_hist *h)
{
    memset(h->energy, 0, HIST_BINS * sizeof *h->energy);
    memset(h->count, 0, HIST_BINS * sizeof *h->count);
    h->total_energy = 0.0;
    h->total_count = 0;
    h->lo = HIST_BINS;
    h->hi = -1;
}

/* dst's used bins cleared, then src's copied: both ranges are bounded by
 * what the programmes reached, and outside them every bin is zero. */
static void hist_copy(dsp_loudness_hist *dst, const dsp_loudness_hist *src)
{
    if (dst->lo <= dst->hi) {
        memset(dst->energy + dst->lo, 0, (size_t)(dst->hi - dst->lo + 1) * sizeof *dst->energy);
        memset(dst->count + dst->lo, 0, (size_t)(dst->hi - dst->lo + 1) * sizeof *dst->count);
    }
    if (src->lo <= src->hi) {
        memcpy(dst->energy + src->lo, src->energy + src->lo, (size_t)(src->hi - src->lo + 1) * sizeof *src->energy);
        memcpy(dst->count + src->lo, src->count + src->lo, (size_t)(src->hi - src->lo + 1) * sizeof *src->count);
    }
    dst->lo = src->lo;
    dst->hi = src->hi;
    dst->total_energy = src->total_energy;
    dst->total_count = src->total_count;
}

void dsp_loudness_reset(dsp_loudness *s)
{
    for (int c = 0; c < s->channels; c++) {
        double w = s->ch[c].w;
        memset(&s->ch[c], 0, sizeof s->ch[c]);
        s->ch[c].w = w;
    }
    memset(s->ring, 0, (size_t)(s->ring_len + 30) * sizeof *s->ring); /* and the hop sums */
    s->pos = 0;
    s->steps = 0;
    s->m_energy = s->s_energy = -1.0;
    s->max_m_energy = s->max_s_energy = -1.0;
    hist_clear(&s->gate);
    hist_clear(&s->range);
}

int dsp_loudness_copy_state(dsp_loudness *dst, const dsp_loudness *src)
{
    if (dst->rate != src->rate || dst->channels != src->channels || dst->grid != src->grid ||
        dst->true_peak != src->true_peak)
        return -1;
    for (int c = 0; c < dst->channels; c++) {
        double w = dst->ch[c].w;
        dst->ch[c] = src->ch[c];
        dst->ch[c].w = w;
    }
    memcpy(dst->ring, src->ring, (size_t)(dst->ring_len + 30) * sizeof *dst->ring); /* and the hop sums */
    dst->pos = src->pos;
    dst->steps = src->steps;
    dst->m_energy = src->m_energy, dst->s_energy = src->s_energy;
    dst->max_m_energy = src->max_m_energy, dst->max_s_energy = src->max_s_energy;
    hist_copy(&dst->gate, &src->gate);
    hist_copy(&dst->range, &src->range);
    return 0;
}

/* ---- the sample loops ---------------------------------------------------- */

typedef struct {
    double b0, b1, b2, a1, a2; /* shelf */
    double c1, c2;             /* high-pass denominator */
} kcoef;

static kcoef kcoef_of(const dsp_loudness *s)
{
    kcoef k = {s->b[0], s->b[1], s->b[2], s->a[1], s->a[2], s->a2[1], s->a2[2]};
    return k;
}

/* K-weights one channel and adds the squares to its acc. */
DSP_HOT
static void kweight1(dsp_loudness_channel *ch, kcoef k, const float *restrict in, int n)
{
    double x1 = ch->x1, x2 = ch->x2, y1 = ch->y1, y2 = ch->y2;
    double d1 = ch->d1, v1 = ch->v1, v2 = ch->v2, acc = ch->acc;
    for (int i = 0; i < n; i++) {
        double x = in[i];
        double y = (((k.b0 * x + k.b1 * x1) + k.b2 * x2) - k.a2 * y2) - k.a1 * y1;
        double d = y - y1;
        double v = ((d - d1) - k.c2 * v2) - k.c1 * v1;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        d1 = d;
        v2 = v1;
        v1 = v;
        acc += v * v;
    }
    ch->x1 = x1, ch->x2 = x2, ch->y1 = y1, ch->y2 = y2;
    ch->d1 = d1, ch->v1 = v1, ch->v2 = v2, ch->acc = acc;
}

/* Channels side by side, one per lane of a gcc vector of doubles (lowered
 * to SSE2 or AVX2, never to an FMA): KWEIGHT_LANES(NAME, VEC, LANES) makes
 * NAME(ch, k, in, used, n), which K-weights the channels ch[0..used) (of
 * any meters; k[l] lane l's meter's coefficients, in[l] its input) over n
 * samples with, in each lane, the same operations as kweight1 in the same
 * order: a channel's bits do not depend on the lanes beside it. Lanes from
 * `used` on repeat lane 0 and are not written back. The filters' state of
 * every lane stays in registers. */
#define KWEIGHT_LANES(NAME, VEC, LANES)                                                                       \
    DSP_HOT                                                                                                   \
    static void NAME(dsp_loudness_channel *const *ch, const kcoef *k, const float *const *in, int used, int n) \
    {                                                                                                         \
        VEC b0, b1, b2, a1, a2, c1, c2, x1, x2, y1, y2, d1, v1, v2, acc;                                     \
        const float *src[LANES];                                                                              \
        for (int l = 0; l < LANES; l++) {                                                                     \
            int u = l < used ? l : 0;                                                                         \
            const dsp_loudness_channel *c = ch[u];                                                            \
            b0[l] = k[u].b0, b1[l] = k[u].b1, b2[l] = k[u].b2, a1[l] = k[u].a1, a2[l] = k[u].a2;              \
            c1[l] = k[u].c1, c2[l] = k[u].c2;                                                                 \
            x1[l] = c->x1, x2[l] = c->x2, y1[l] = c->y1, y2[l] = c->y2;                                       \
            d1[l] = c->d1, v1[l] = c->v1, v2[l] = c->v2, acc[l] = c->acc;                                     \
            src[l] = in[u];                                                                                   \
        }                                                                                                     \
        for (int i = 0; i < n; i++) {                                                                         \
            VEC x;                                                                                            \
            for (int l = 0; l < LANES; l++)                                                                   \
                x[l] = src[l][i];                                                                             \
            VEC y = (((b0 * x + b1 * x1) + b2 * x2) - a2 * y2) - a1 * y1;                                     \
            VEC d = y - y1;                                                                                   \
            VEC v = ((d - d1) - c2 * v2) - c1 * v1;                                                           \
            x2 = x1;                                                                                          \
            x1 = x;                                                                                           \
            y2 = y1;                                                                                          \
            y1 = y;                                                                                           \
            d1 = d;                                                                                           \
            v2 = v1;                                                                                          \
            v1 = v;                                                                                           \
            acc += v * v;                                                                                     \
        }                                                                                                     \
        for (int l = 0; l < used; l++) {                                                                      \
            dsp_loudness_channel *c = ch[l];                                                                  \
            c->x1 = x1[l], c->x2 = x2[l], c->y1 = y1[l], c->y2 = y2[l];                                       \
            c->d1 = d1[l], c->v1 = v1[l], c->v2 = v2[l], c->acc = acc[l];                                     \
        }                                                                                                     \
    }

typedef double v2d __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
KWEIGHT_LANES(kweight2, v2d, 2)
/* four lanes: AVX2's width; where channels from several meters (a render's
 * outputs) or a 5.1 file fill them, half the passes of kweight2 */
KWEIGHT_LANES(kweight4, v4d, 4)

/* Where simd.h builds AVX2 clones (gcc on x86-64, no AddressSanitizer),
 * kernels chosen at run time that K-weight 4 (AVX2) or 8 (AVX-512) lanes a
 * vector, two vectors side by side when there are lanes for both: the two
 * chains of dependent multiplies and subtracts overlap, so the loop is bound
 * by the arithmetic, not by its latency. Each run of 4 (8) samples of each
 * lane is loaded with one 16-byte load per lane and transposed in registers
 * (dsp/lanes.h), instead of a scalar load and insert per lane and sample.
 * Every lane does kweight1's operations in kweight1's order: the same bits
 * on every path. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define HAVE_KLANES 1
#include "dsp/lanes.h"

/* The body of a kernel of H groups (1 or 2) of L lanes in vectors V, runs of
 * RUN samples loaded by LOAD_RUN(r, q, i) (r[t] = sample i + t of lanes
 * q[0..L)). The same contract as KWEIGHT_LANES, with used lanes up to H * L. */
#define KLANES_KERNEL(V, L, H, RUN, LOAD_RUN)                                                               \
    V b0[2], b1[2], b2[2], a1[2], a2[2], c1[2], c2[2];                                                     \
    V x1[2], x2[2], y1[2], y2[2], d1[2], v1[2], v2[2], acc[2];                                             \
    const float *q[2 * (L)];                                                                               \
    for (int h = 0; h < (H); h++)                                                                          \
        for (int l = 0; l < (L); l++) {                                                                    \
            int u = (L) * h + l < used ? (L) * h + l : 0;                                                  \
            const dsp_loudness_channel *c = ch[u];                                                         \
            b0[h][l] = k[u].b0, b1[h][l] = k[u].b1, b2[h][l] = k[u].b2, a1[h][l] = k[u].a1;                \
            a2[h][l] = k[u].a2, c1[h][l] = k[u].c1, c2[h][l] = k[u].c2;                                    \
            x1[h][l] = c->x1, x2[h][l] = c->x2, y1[h][l] = c->y1, y2[h][l] = c->y2;                        \
            d1[h][l] = c->d1, v1[h][l] = c->v1, v2[h][l] = c->v2, acc[h][l] = c->acc;                      \
            q[(L) * h + l] = in[u];                                                                        \
        }                                                                                                  \
    int i = 0;                                                                                             \
    for (; i + (RUN) <= n; i += (RUN)) {                                                                   \
        V r[2][RUN];                                                                                       \
        _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) LOAD_RUN(r[h], q + (L) * h, i);              \
        _Pragma("GCC unroll 8") for (int t = 0; t < (RUN); t++)                                            \
            _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++)                                          \
                KSTEP(r[h][t], b0[h], b1[h], b2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h], y1[h], y2[h], \
                      d1[h], v1[h], v2[h], acc[h]);                                                        \
    }                                                                                                      \
    for (; i < n; i++)                                                                                     \
        _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) {                                            \
            V x;                                                                                           \
            for (int l = 0; l < (L); l++)                                                                  \
                x[l] = q[(L) * h + l][i];                                                                  \
            KSTEP(x, b0[h], b1[h], b2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h], y1[h], y2[h], d1[h],    \
                  v1[h], v2[h], acc[h]);                                                                   \
        }                                                                                                  \
    for (int u = 0; u < used; u++) {                                                                       \
        dsp_loudness_channel *c = ch[u];                                                                   \
        int h = u / (L), l = u % (L);                                                                      \
        c->x1 = x1[h][l], c->x2 = x2[h][l], c->y1 = y1[h][l], c->y2 = y2[h][l];                            \
        c->d1 = d1[h][l], c->v1 = v1[h][l], c->v2 = v2[h][l], c->acc = acc[h][l];                          \
    }

/* one sample of every lane of a vector: kweight1's loop body */
#define KSTEP(x, b0, b1, b2, a1, a2, c1, c2, x1, x2, y1, y2, d1, v1, v2, acc)                               \
    do {                                                                                                   \
        __typeof__(x) y_ = (((b0 * (x) + b1 * x1) + b2 * x2) - a2 * y2) - a1 * y1;                        \
        __typeof__(x) d_ = y_ - y1;                                                                        \
        __typeof__(x) v_ = ((d_ - d1) - c2 * v2) - c1 * v1;                                                \
        x2 = x1, x1 = (x), y2 = y1, y1 = y_, d1 = d_, v2 = v1, v1 = v_;                                    \
        acc += v_ * v_;                                                                                    \
    } while (0)

#define KQUADS(H)                                                                                          \
    __attribute__((target("avx2"))) static void kquads##H(dsp_loudness_channel *const *ch, const kcoef *k, \
                                                          const float *const *in, int used, int n)         \
    {                                                                                                      \
        KLANES_KERNEL(v4d, 4, H, 4, DSP_LANES_LOAD4)                                                       \
    }
KQUADS(1)
KQUADS(2)

#ifdef DSP_WIDE
#define HAVE_KOCTS 1
#define KOCTS(H)                                                                                           \
    DSP_WIDE static void kocts##H(dsp_loudness_channel *const *ch, const kcoef *k, const float *const *in, \
                                  int used, int n)                                                         \
    {                                                                                                      \
        KLANES_KERNEL(v8d, 8, H, 8, DSP_LANES_LOAD8)                                                       \
    }
KOCTS(1)
KOCTS(2)
#endif
#endif

/* Lanes K-weighted in one call, at most: what the widest kernel takes */
#define KLANES_MAX 16

/* K-weights the lanes gathered so far (1 to KLANES_MAX), each kernel taking
 * as many as it can at once */
static void kweight_lanes(dsp_loudness_channel *const *ch, const kcoef *k, const float *const *in, int used, int n)
{
    while (used > 0) {
        int take;
#ifdef HAVE_KOCTS
        if (used > 4 && DSP_HAVE_WIDE()) {
            take = used < 16 ? used : 16;
            (take > 8 ? kocts2 : kocts1)(ch, k, in, take, n);
        } else
#endif
#ifdef HAVE_KLANES
        if (used > 1 && DSP_HAVE_AVX2()) {
            take = used < 8 ? used : 8;
            (take > 4 ? kquads2 : kquads1)(ch, k, in, take, n);
        } else
#endif
        if (used == 1) {
            take = 1;
            kweight1(ch[0], k[0], in[0], n);
        } else if (used == 2) {
            take = 2;
            kweight2(ch, k, in, take, n);
        } else {
            take = used < 4 ? used : 4;
            kweight4(ch, k, in, take, n);
        }
        ch += take, k += take, in += take, used -= take;
    }
}

float dsp_loudness_sample_peak(const float *x, int n, float peak)
{
    return dsp_truepeak_sample_peak(x, n, peak);
}

/* ---- grid steps, blocks, histograms -------------------------------------- */

static double lufs(double energy)
{
    return energy > 0.0 ? -0.691 + 10.0 * log10(energy) : -INFINITY;
}

static int bin_of(double l)
{
    double b = floor((l - HIST_MIN_LUFS) * HIST_BINS_PER_LU);
    if (b < 0.0)
        return -1;
    return b >= HIST_BINS ? HIST_BINS - 1 : (int)b;
}

static void hist_add(dsp_loudness_hist *h, double energy)
{
    double l = lufs(energy);
    if (!(l > HIST_MIN_LUFS))
        return; /* the absolute gate */
    int b = bin_of(l);
    if (b < 0)
        b = 0;
    h->energy[b] += energy;
    h->count[b]++;
    h->lo = b < h->lo ? b : h->lo;
    h->hi = b > h->hi ? b : h->hi;
    h->total_energy += energy;
    h->total_count++;
}

/* The energy of the last len grid steps (len whole hops: 400 ms or 3 s),
 * oldest first, the same order whatever the call pattern: the steps of a
 * hop only partly in the window one by one, the hops wholly in it by their
 * sums (13 and 39 additions at a 10 ms grid instead of 40 and 300). */
static double window_sum(const dsp_loudness *s, int len)
{
    const int64_t g = s->grid, end = s->steps, first = end - len;
    const int64_t whole_from = (first + g - 1) / g * g, whole_to = end / g * g;
    double sum = 0.0;
    /* a hop starts at a multiple of grid, and ring_len is one: no wrap
     * inside a partial hop */
    const double *part = s->ring + first % s->ring_len;
    for (int64_t k = first; k < whole_from; k++)
        sum += *part++;
    int h = (int)(whole_from / g % 30);
    for (int64_t n = (whole_to - whole_from) / g; n > 0; n--) {
        sum += s->hop_sums[h];
        h = h == 29 ? 0 : h + 1;
    }
    part = s->ring + whole_to % s->ring_len;
    for (int64_t k = whole_to; k < end; k++)
        sum += *part++;
    return sum;
}

static double flush(double v)
{
    return fabs(v) < FLUSH ? 0.0 : v;
}

static void step_end(dsp_loudness *s)
{
    double e = 0.0;
    for (int c = 0; c < s->channels; c++) {
        dsp_loudness_channel *ch = &s->ch[c];
        if (ch->w == 0.0)
            continue;
        if (isfinite(ch->acc)) {
            e += ch->w * ch->acc;
            ch->y1 = flush(ch->y1), ch->y2 = flush(ch->y2);
            ch->d1 = flush(ch->d1), ch->v1 = flush(ch->v1), ch->v2 = flush(ch->v2);
        } else {
            /* a NaN or infinity in the input: this step of the channel
             * counts as silence and the filter starts again, rather than
             * the recursion carrying NaN for the rest of the programme (the
             * channel's peak reads +inf, which says what happened) */
            ch->x1 = ch->x2 = ch->y1 = ch->y2 = 0.0;
            ch->d1 = ch->v1 = ch->v2 = 0.0;
        }
        ch->acc = 0.0;
    }
    s->ring[s->steps % s->ring_len] = e;
    s->steps++;
    s->pos = 0;
    if (s->steps % s->grid == 0) { /* a hop complete: its sum, oldest step first */
        const double *step = s->ring + (s->steps - s->grid) % s->ring_len;
        double hop = 0.0;
        for (int k = 0; k < s->grid; k++)
            hop += step[k];
        s->hop_sums[(s->steps / s->grid - 1) % 30] = hop;
    }

    int mlen = 4 * s->grid, slen = 30 * s->grid;
    if (s->steps >= mlen) {
        s->m_energy = window_sum(s, mlen) / (4.0 * s->hop);
        if (s->m_energy > s->max_m_energy)
            s->max_m_energy = s->m_energy;
    }
    if (s->steps >= slen) {
        s->s_energy = window_sum(s, slen) / (30.0 * s->hop);
        if (s->s_energy > s->max_s_energy)
            s->max_s_energy = s->s_energy;
    }
    if (s->steps % s->grid == 0) {
        if (s->steps >= mlen)
            hist_add(&s->gate, s->m_energy);
        if (s->steps >= slen)
            hist_add(&s->range, s->s_energy);
    }
}

/* One meter's peaks over a whole call: they know no grid. */
static void peaks(dsp_loudness *s, const float *const *in, int n)
{
    for (int c = 0; c < s->channels; c++) {
        float local = dsp_truepeak_sample_peak(in[c], n, 0.0f);
        s->ch[c].peak = local > s->ch[c].peak ? local : s->ch[c].peak;
        if (s->true_peak)
            s->ch[c].tpeak = dsp_truepeak_feed(s->ch[c].hist, in[c], n, local, s->ch[c].tpeak);
    }
}

void dsp_loudness_process_many(dsp_loudness *const *meters, const float *const *const *in, int count, int n)
{
    if (n <= 0 || count <= 0)
        return;
    int done = 0;
    while (done < n) {
        /* up to the next grid point of any meter */
        int m = n - done;
        for (int j = 0; j < count; j++)
            m = meters[j]->step - meters[j]->pos < m ? meters[j]->step - meters[j]->pos : m;
        /* K-weighting: the weighted channels of every meter, four at a time */
        dsp_loudness_channel *ch[KLANES_MAX];
        kcoef k[KLANES_MAX];
        const float *src[KLANES_MAX];
        int used = 0;
        for (int j = 0; j < count; j++) {
            dsp_loudness *s = meters[j];
            for (int c = 0; c < s->channels; c++) {
                if (s->ch[c].w == 0.0)
                    continue;
                ch[used] = &s->ch[c], k[used] = kcoef_of(s), src[used] = in[j][c] + done;
                if (++used == KLANES_MAX) {
                    kweight_lanes(ch, k, src, used, m);
                    used = 0;
                }
            }
        }
        if (used)
            kweight_lanes(ch, k, src, used, m);
        for (int j = 0; j < count; j++) {
            meters[j]->pos += m;
            if (meters[j]->pos == meters[j]->step)
                step_end(meters[j]);
        }
        done += m;
    }
    for (int j = 0; j < count; j++)
        peaks(meters[j], in[j], n);
}

void dsp_loudness_process(dsp_loudness *s, const float *const *in, int n)
{
    dsp_loudness_process_many(&s, &in, 1, n);
}

/* ---- results -------------------------------------------------------------- */

double dsp_loudness_momentary(const dsp_loudness *s)
{
    return s->m_energy < 0.0 ? -INFINITY : lufs(s->m_energy);
}

double dsp_loudness_short_term(const dsp_loudness *s)
{
    return s->s_energy < 0.0 ? -INFINITY : lufs(s->s_energy);
}

/* The first bin above a relative gate `ratio` (energy) below the mean of h,
 * and whether the bin holding the gate itself is taken: it is taken whole
 * when the mean energy of its values passes the gate. */
static int gate_start(const dsp_loudness_hist *h, double ratio)
{
    double thr = h->total_energy / (double)h->total_count * ratio;
    int b = bin_of(lufs(thr));
    if (b < 0)
        return 0;
    if (h->count[b] && h->energy[b] / h->count[b] > thr)
        return b;
    return b + 1;
}

static double integrated(const dsp_loudness_hist *h)
{
    if (h->total_count == 0)
        return -INFINITY;
    double e = 0.0;
    uint64_t n = 0;
    for (int b = gate_start(h, 0.1); b < HIST_BINS; b++) {
        e += h->energy[b];
        n += h->count[b];
    }
    return n ? lufs(e / (double)n) : -INFINITY;
}

/* The value of 0-based rank r among the values in bins >= first. */
static double rank_value(const dsp_loudness_hist *h, int first, uint64_t r)
{
    uint64_t seen = 0;
    for (int b = first; b < HIST_BINS; b++) {
        seen += h->count[b];
        if (seen > r)
            return lufs(h->energy[b] / h->count[b]);
    }
    return -INFINITY; /* not reached */
}

static double loudness_range(const dsp_loudness_hist *h)
{
    if (h->total_count == 0)
        return 0.0;
    int first = gate_start(h, 0.01);
    uint64_t n = 0;
    for (int b = first; b < HIST_BINS; b++)
        n += h->count[b];
    if (n < 2)
        return 0.0;
    /* Tech 3342's MATLAB reference: sorted(round((n - 1) * p / 100 + 1)) */
    uint64_t lo = (uint64_t)floor((double)(n - 1) * 0.10 + 0.5);
    uint64_t hi = (uint64_t)floor((double)(n - 1) * 0.95 + 0.5);
    return rank_value(h, first, hi) - rank_value(h, first, lo);
}

static double db20(double x)
{
    return x > 0.0 ? 20.0 * log10(x) : -INFINITY;
}

void dsp_loudness_channel_peaks(const dsp_loudness *s, int channel, double *sample_peak_out, double *true_peak_out)
{
    const dsp_loudness_channel *ch = &s->ch[channel];
    float peak = ch->peak, tp = ch->peak;
    if (s->true_peak) {
        /* the interpolated values between the last samples and the silence
         * after them */
        float buf[2 * TP_TAPS] = {0};
        memcpy(buf, ch->hist, (TP_TAPS - 1) * sizeof *buf);
        float so_far = ch->tpeak > ch->tpeak_taken ? ch->tpeak : ch->tpeak_taken;
        float tail = dsp_truepeak_peak(buf, TP_TAPS - 1, so_far);
        tp = tail > tp ? tail : tp;
    }
    if (sample_peak_out)
        *sample_peak_out = peak;
    if (true_peak_out)
        *true_peak_out = tp;
}

void dsp_loudness_take_true_peaks(dsp_loudness *s, float *peaks)
{
    for (int c = 0; c < s->channels; c++) {
        dsp_loudness_channel *ch = &s->ch[c];
        peaks[c] = ch->tpeak;
        ch->tpeak_taken = ch->tpeak > ch->tpeak_taken ? ch->tpeak : ch->tpeak_taken;
        ch->tpeak = 0.0f;
    }
}

void dsp_loudness_get(const dsp_loudness *s, dsp_loudness_result *out)
{
    double peak = 0.0, tp = 0.0;
    for (int c = 0; c < s->channels; c++) {
        double p, t;
        dsp_loudness_channel_peaks(s, c, &p, &t);
        peak = p > peak ? p : peak;
        tp = t > tp ? t : tp;
    }
    out->integrated_lufs = integrated(&s->gate);
    out->range_lu = loudness_range(&s->range);
    out->max_momentary_lufs = s->max_m_energy < 0.0 ? -INFINITY : lufs(s->max_m_energy);
    out->max_short_term_lufs = s->max_s_energy < 0.0 ? -INFINITY : lufs(s->max_s_energy);
    out->sample_peak_dbfs = db20(peak);
    out->true_peak_dbtp = db20(tp);
}

int dsp_loudness_range_defined(const dsp_loudness_result *r)
{
    return r->max_short_term_lufs >= -70.0;
}
