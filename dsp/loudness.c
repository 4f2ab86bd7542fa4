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
 *     A call is one kernel pass per 1024 frames whatever the meters' grid
 *     phases: a lane's grid step ends inside the pass in its registers
 *     (its weighted sum into its meter's step energy, the flush, masked
 *     to the lanes ending there), not by cutting the call there.
 *     17 operations per channel-sample in a fixed order are the floor of
 *     an exact double K-weighting: 4.25 instructions per channel-sample
 *     on AVX2, 2.1 on AVX-512 (docs/bench.md: what float would change).
 *   true peak: dsp/truepeak.c's interpolator (24 multiplies per input
 *     sample for all 4 phases, vectorised across time). A stretch of 64
 *     windows whose samples cannot produce a new maximum skips the filter;
 *     one pass of 64-sample block maxima gives the call's sample peak and
 *     a first bound on every stretch.
 * Measured on 10 minutes of 48 kHz noise: about 15 times faster than
 * libebur128 with the same modes in stereo, 13 times in 5.1
 * (tests/tools/loudness_bench.c).
 */
#include "dsp/loudness.h"

#include <limits.h>
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
/* Samples per kernel pass (dsp_loudness_process_many cuts longer calls), and
 * the most grid steps a pass can end in one lane: a step is at least 16
 * samples (a 100 ms hop of 800 or more, at most 50 steps). */
#define PASS_MAX 1024
#define PASS_STEPS (PASS_MAX / 16 + 1)
/* Lanes K-weighted in one call, at most: what the widest kernel takes */
#define KLANES_MAX 16

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
    return align8((size_t)cfg->channels * sizeof(dsp_loudness_channel)) +
           align8((size_t)(30 * grid + 30 + PASS_STEPS) * sizeof(double)) +
           2 * align8(HIST_BINS * sizeof(double)) + 2 * align8(HIST_BINS * sizeof(uint32_t));
}

/* See loudness.h: the high-pass's numerator is 1, -2, 1 as in BS.1770's
 * table, at every rate. */
void dsp_loudness_k_coefficients(double rate, double *b, double *a, double *a2)
{
    if (rate == 48000.0) {
        static const double b48[3] = {1.53512485958697, -2.69169618940638, 1.19839281085285};
        static const double a48[3] = {1.0, -1.69065929318241, 0.73248077421585};
        static const double a2_48[3] = {1.0, -1.99004745483398, 0.99007225036621};
        memcpy(b, b48, sizeof b48);
        memcpy(a, a48, sizeof a48);
        memcpy(a2, a2_48, sizeof a2_48);
        return;
    }
    const double pi = 3.14159265358979323846;
    double f0 = 1681.974450955533, gain_db = 3.999843853973347, q = 0.7071752369554196;
    double k = tan(pi * f0 / rate);
    double vh = pow(10.0, gain_db / 20.0);
    double vb = pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;
    b[0] = (vh + vb * k / q + k * k) / a0;
    b[1] = 2.0 * (k * k - vh) / a0;
    b[2] = (vh - vb * k / q + k * k) / a0;
    a[0] = 1.0;
    a[1] = 2.0 * (k * k - 1.0) / a0;
    a[2] = (1.0 - k / q + k * k) / a0;

    f0 = 38.13547087602444;
    q = 0.5003270373238773;
    k = tan(pi * f0 / rate);
    a0 = 1.0 + k / q + k * k;
    a2[0] = 1.0;
    a2[1] = 2.0 * (k * k - 1.0) / a0;
    a2[2] = (1.0 - k / q + k * k) / a0;
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
    dsp_loudness_k_coefficients(cfg->rate, s->b, s->a, s->a2);

    unsigned char *p = heap;
    s->ch = (dsp_loudness_channel *)(void *)p;
    p += align8((size_t)s->channels * sizeof(dsp_loudness_channel));
    s->ring = (double *)(void *)p;
    s->hop_sums = s->ring + s->ring_len;
    s->step_e = s->hop_sums + 30;
    p += align8((size_t)(s->ring_len + 30 + PASS_STEPS) * sizeof(double));
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
    s->ring_at = s->hop_step = s->hop_at = 0;
    s->m_whole = s->s_whole = 0.0;
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
    dst->ring_at = src->ring_at, dst->hop_step = src->hop_step, dst->hop_at = src->hop_at;
    dst->m_whole = src->m_whole, dst->s_whole = src->s_whole;
    dst->m_energy = src->m_energy, dst->s_energy = src->s_energy;
    dst->max_m_energy = src->max_m_energy, dst->max_s_energy = src->max_s_energy;
    hist_copy(&dst->gate, &src->gate);
    hist_copy(&dst->range, &src->range);
    return 0;
}

/* ---- the sample loops ---------------------------------------------------- */


/* One channel in a kernel pass: its filter, its meter's coefficients and
 * input, where its grid steps end, and where their energies go. */
typedef struct {
    dsp_loudness_channel *ch;
    double b0, b1, b2, a1, a2; /* shelf */
    double c1, c2;             /* high-pass denominator */
    const float *in;
    int first, step;           /* samples to the first step end (1 .. step), then between them */
    double *step_e;            /* the meter's energies of the steps ending in the pass */
} klane;

/* The end of a grid step in a lane whose sum of squares is acc (k-th end
 * in the pass): what step_end did per channel, the weighted sum into the
 * meter's step energy in channel order (lanes are in channel order, and a
 * meter's channels in later passes of the same samples add later), unless
 * the sum is not finite (a NaN or infinity in the input: the step counts as
 * silence for the channel, whose peak reads +inf). The caller then flushes
 * or clears the filter (KSTEP_END) and restarts acc. */
static inline void lane_step_end(const klane *l, int k, double acc)
{
    if (isfinite(acc))
        l->step_e[k] += l->ch->w * acc;
}

static double flush(double v)
{
    return fabs(v) < FLUSH ? 0.0 : v;
}

/* K-weights one channel and adds the squares to its acc; at each of its
 * step ends, lane_step_end, then the filter state below FLUSH is zeroed
 * (denormals never arise), or all of it after a non-finite sum (the
 * recursion starts again rather than carrying NaN). */
DSP_HOT
static void kweight1(const klane *l, int n)
{
    dsp_loudness_channel *ch = l->ch;
    const double b0 = l->b0, b1 = l->b1, b2 = l->b2, a1 = l->a1, a2 = l->a2, c1 = l->c1, c2 = l->c2;
    const float *restrict in = l->in;
    double x1 = ch->x1, x2 = ch->x2, y1 = ch->y1, y2 = ch->y2;
    double d1 = ch->d1, v1 = ch->v1, v2 = ch->v2, acc = ch->acc;
    int k = 0;
    for (int i = 0, end = l->first;; end += l->step) {
        int to = end < n ? end : n;
        for (; i < to; i++) {
            double x = in[i];
            double y = (((b0 * x + b1 * x1) + b2 * x2) - a2 * y2) - a1 * y1;
            double d = y - y1;
            double v = ((d - d1) - c2 * v2) - c1 * v1;
            x2 = x1;
            x1 = x;
            y2 = y1;
            y1 = y;
            d1 = d;
            v2 = v1;
            v1 = v;
            acc += v * v;
        }
        if (end > n)
            break;
        lane_step_end(l, k++, acc);
        if (isfinite(acc)) {
            y1 = flush(y1), y2 = flush(y2);
            d1 = flush(d1), v1 = flush(v1), v2 = flush(v2);
        } else {
            x1 = x2 = y1 = y2 = d1 = v1 = v2 = 0.0;
        }
        acc = 0.0;
    }
    ch->x1 = x1, ch->x2 = x2, ch->y1 = y1, ch->y2 = y2;
    ch->d1 = d1, ch->v1 = v1, ch->v2 = v2, ch->acc = acc;
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

/* kweight1's step end in the lanes of a vector where mask is -1, in
 * integer vectors VI of the same width: the state flushed below FLUSH, or
 * cleared after a non-finite sum (acc - acc is 0 only for a finite acc),
 * and acc restarted; the other lanes untouched. The same values as
 * kweight1's (a cleared or flushed value is +0 there too). */
#define KFLUSH_LANE(V, VI, v, keep, ok) ((V)((VI)(v) & (keep) & ~((ok) & (VI)(((V)((VI)(v) & kabs_) < kflush_)))))
#define KSTEP_END(V, VI, mask, x1, x2, y1, y2, d1, v1, v2, acc)                                            \
    do {                                                                                                   \
        const VI kabs_ = (VI){0} + 0x7fffffffffffffffLL;                                                   \
        const V kflush_ = (V){0} + FLUSH;                                                                  \
        VI bad_ = (mask) & ~(VI)((acc) - (acc) == (V){0}), keep_ = ~bad_, ok_ = (mask) & keep_;                 \
        x1 = (V)((VI)x1 & keep_), x2 = (V)((VI)x2 & keep_);                                                \
        y1 = KFLUSH_LANE(V, VI, y1, keep_, ok_), y2 = KFLUSH_LANE(V, VI, y2, keep_, ok_);                  \
        d1 = KFLUSH_LANE(V, VI, d1, keep_, ok_);                                                           \
        v1 = KFLUSH_LANE(V, VI, v1, keep_, ok_), v2 = KFLUSH_LANE(V, VI, v2, keep_, ok_);                  \
        acc = (V)((VI)acc & ~(mask));                                                                      \
    } while (0)

/* The step ends of a kernel's lanes: next[u] the pass sample at which lane
 * u's next step ends (after sample next[u] - 1), k[u] the ends so far.
 * KEVENTS_INIT sets them and ev, the next end of any lane; KEVENTS_AT(ev)
 * ends the steps of the lanes ending there, in vectors VI of L lanes, H
 * groups (lanes from `used` on repeat lane 0, so they end with it: their
 * state stays what lane 0's is, never denormal), and moves ev on. */
#define KEVENTS_INIT()                                                                                     \
    int next[KLANES_MAX], kend[KLANES_MAX], ev = INT_MAX;                                                  \
    for (int u = 0; u < used; u++) {                                                                       \
        next[u] = lane[u].first, kend[u] = 0;                                                              \
        ev = next[u] < ev ? next[u] : ev;                                                                  \
    }
#define KEVENTS_AT(V, VI, L, H, acc, x1, x2, y1, y2, d1, v1, v2)                                          \
    do {                                                                                                   \
        VI mask_[2] = {{0}, {0}};                                                                          \
        int hit0_ = next[0] == ev;                                                                         \
        for (int u = 0; u < (H) * (L); u++) {                                                              \
            int h_ = u / (L), l_ = u % (L);                                                                \
            if (u < used ? next[u] == ev : hit0_) {                                                        \
                mask_[h_][l_] = -1;                                                                        \
                if (u < used)                                                                              \
                    lane_step_end(&lane[u], kend[u]++, acc[h_][l_]);                                       \
            }                                                                                              \
        }                                                                                                  \
        for (int h_ = 0; h_ < (H); h_++)                                                                   \
            KSTEP_END(V, VI, mask_[h_], x1[h_], x2[h_], y1[h_], y2[h_], d1[h_], v1[h_], v2[h_], acc[h_]);  \
        int ev_ = INT_MAX;                                                                                 \
        for (int u = 0; u < used; u++) {                                                                   \
            next[u] += next[u] == ev ? lane[u].step : 0;                                                   \
            ev_ = next[u] < ev_ ? next[u] : ev_;                                                           \
        }                                                                                                  \
        ev = ev_;                                                                                          \
    } while (0)

/* The lanes' coefficients and state into H groups of L-lane vectors, and
 * back (only the used lanes) */
#define KLANES_LOAD(L, H)                                                                                  \
    for (int h = 0; h < (H); h++)                                                                          \
        for (int l = 0; l < (L); l++) {                                                                    \
            int u = (L) * h + l < used ? (L) * h + l : 0;                                                  \
            const klane *k = &lane[u];                                                                     \
            const dsp_loudness_channel *c = k->ch;                                                         \
            b0[h][l] = k->b0, b1[h][l] = k->b1, b2[h][l] = k->b2, a1[h][l] = k->a1;                        \
            a2[h][l] = k->a2, c1[h][l] = k->c1, c2[h][l] = k->c2;                                          \
            x1[h][l] = c->x1, x2[h][l] = c->x2, y1[h][l] = c->y1, y2[h][l] = c->y2;                        \
            d1[h][l] = c->d1, v1[h][l] = c->v1, v2[h][l] = c->v2, acc[h][l] = c->acc;                      \
            q[(L) * h + l] = k->in;                                                                        \
        }
#define KLANES_STORE(L)                                                                                    \
    for (int u = 0; u < used; u++) {                                                                       \
        dsp_loudness_channel *c = lane[u].ch;                                                              \
        int h = u / (L), l = u % (L);                                                                      \
        c->x1 = x1[h][l], c->x2 = x2[h][l], c->y1 = y1[h][l], c->y2 = y2[h][l];                            \
        c->d1 = d1[h][l], c->v1 = v1[h][l], c->v2 = v2[h][l], c->acc = acc[h][l];                          \
    }

/* Channels side by side, one per lane of a gcc vector of doubles (lowered
 * to SSE2 or AVX2, never to an FMA): KWEIGHT_LANES(NAME, VEC, VI, LANES)
 * makes NAME(lane, used, n), which K-weights lanes [0, used) (of any
 * meters) over n samples with, in each lane, the same operations as
 * kweight1 in the same order, step ends included: a channel's bits do not
 * depend on the lanes beside it. Lanes from `used` on repeat lane 0 and are
 * not written back. The filters' state of every lane stays in registers. */
#define KWEIGHT_LANES(NAME, VEC, VI, LANES)                                                                   \
    DSP_HOT                                                                                                   \
    static void NAME(const klane *lane, int used, int n)                                                      \
    {                                                                                                         \
        VEC b0[1], b1[1], b2[1], a1[1], a2[1], c1[1], c2[1];                                                 \
        VEC x1[1], x2[1], y1[1], y2[1], d1[1], v1[1], v2[1], acc[1];                                         \
        const float *q[LANES];                                                                                \
        KLANES_LOAD(LANES, 1)                                                                                 \
        KEVENTS_INIT()                                                                                        \
        for (int i = 0;; i++) {                                                                               \
            while (i == ev)                                                                                   \
                KEVENTS_AT(VEC, VI, LANES, 1, acc, x1, x2, y1, y2, d1, v1, v2);                               \
            if (i == n)                                                                                       \
                break;                                                                                        \
            VEC x;                                                                                            \
            for (int l = 0; l < LANES; l++)                                                                   \
                x[l] = q[l][i];                                                                               \
            KSTEP(x, b0[0], b1[0], b2[0], a1[0], a2[0], c1[0], c2[0], x1[0], x2[0], y1[0], y2[0], d1[0], v1[0], \
                  v2[0], acc[0]);                                                                             \
        }                                                                                                     \
        KLANES_STORE(LANES)                                                                                   \
    }

typedef double v2d __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
typedef long long v2i __attribute__((vector_size(16)));
typedef long long v4i __attribute__((vector_size(32)));
typedef long long v8i __attribute__((vector_size(64)));
KWEIGHT_LANES(kweight2, v2d, v2i, 2)
/* four lanes: AVX2's width; where channels from several meters (a render's
 * outputs) or a 5.1 file fill them, half the passes of kweight2 */
KWEIGHT_LANES(kweight4, v4d, v4i, 4)

/* Where simd.h builds AVX2 clones (gcc on x86-64, no AddressSanitizer),
 * kernels chosen at run time that K-weight 4 (AVX2) or 8 (AVX-512) lanes a
 * vector, two vectors side by side when there are lanes for both: the two
 * chains of dependent multiplies and subtracts overlap, so the loop is bound
 * by the arithmetic, not by its latency. Each run of 4 (8) samples of each
 * lane is loaded with one 16-byte load per lane and transposed in registers
 * (dsp/lanes.h), instead of a scalar load and insert per lane and sample.
 * Step ends inside a pass are handled in the lanes' registers (KEVENTS_AT),
 * so a pass is one call whatever the meters' grids. Every lane does
 * kweight1's operations in kweight1's order: the same bits on every path. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define HAVE_KLANES 1
#include "dsp/lanes.h"

/* The body of a kernel of H groups (1 or 2) of L lanes in vectors V (VI
 * their integer twins), runs of RUN samples loaded by LOAD_RUN(r, q, i)
 * (r[t] = sample i + t of lanes q[0..L)). Runs with no step end inside take
 * the fast loop; a run with one takes its samples one at a time; samples
 * past the last whole run are loaded one lane at a time. The same contract
 * as KWEIGHT_LANES, with used lanes up to H * L. */
#define KLANES_KERNEL(V, VI, L, H, RUN, LOAD_RUN)                                                          \
    V b0[2], b1[2], b2[2], a1[2], a2[2], c1[2], c2[2];                                                     \
    V x1[2], x2[2], y1[2], y2[2], d1[2], v1[2], v2[2], acc[2];                                             \
    const float *q[2 * (L)];                                                                               \
    KLANES_LOAD(L, H)                                                                                      \
    KEVENTS_INIT()                                                                                         \
    int i = 0;                                                                                             \
    for (;;) {                                                                                             \
        int lim_ = ev < n ? ev : n;                                                                        \
        for (; i + (RUN) <= lim_; i += (RUN)) {                                                            \
            V r[2][RUN];                                                                                   \
            _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) LOAD_RUN(r[h], q + (L) * h, i);          \
            _Pragma("GCC unroll 8") for (int t = 0; t < (RUN); t++)                                        \
                _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++)                                      \
                    KSTEP(r[h][t], b0[h], b1[h], b2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h], y1[h],   \
                          y2[h], d1[h], v1[h], v2[h], acc[h]);                                             \
        }                                                                                                  \
        if (i + (RUN) <= n) { /* a run with a step end in it (or at its start) */                          \
            V r[2][RUN];                                                                                   \
            _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) LOAD_RUN(r[h], q + (L) * h, i);          \
            _Pragma("GCC unroll 8") for (int t = 0; t < (RUN); t++) {                                      \
                if (i + t == ev)                                                                           \
                    KEVENTS_AT(V, VI, L, H, acc, x1, x2, y1, y2, d1, v1, v2);                              \
                _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++)                                      \
                    KSTEP(r[h][t], b0[h], b1[h], b2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h], y1[h],   \
                          y2[h], d1[h], v1[h], v2[h], acc[h]);                                             \
            }                                                                                              \
            i += (RUN);                                                                                    \
            continue;                                                                                      \
        }                                                                                                  \
        for (;; i++) { /* the last samples, fewer than a run */                                            \
            while (i == ev)                                                                                \
                KEVENTS_AT(V, VI, L, H, acc, x1, x2, y1, y2, d1, v1, v2);                                  \
            if (i == n)                                                                                    \
                break;                                                                                     \
            for (int h = 0; h < (H); h++) {                                                                \
                V x;                                                                                       \
                for (int l = 0; l < (L); l++)                                                              \
                    x[l] = q[(L) * h + l][i];                                                              \
                KSTEP(x, b0[h], b1[h], b2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h], y1[h], y2[h],      \
                      d1[h], v1[h], v2[h], acc[h]);                                                        \
            }                                                                                              \
        }                                                                                                  \
        break;                                                                                             \
    }                                                                                                      \
    KLANES_STORE(L)

#define KQUADS(H)                                                                                          \
    __attribute__((target("avx2"))) static void kquads##H(const klane *lane, int used, int n)              \
    {                                                                                                      \
        KLANES_KERNEL(v4d, v4i, 4, H, 4, DSP_LANES_LOAD4)                                                  \
    }
KQUADS(1)
KQUADS(2)

#ifdef DSP_WIDE
#define HAVE_KOCTS 1
#define KOCTS(H)                                                                                           \
    DSP_WIDE static void kocts##H(const klane *lane, int used, int n)                                      \
    {                                                                                                      \
        KLANES_KERNEL(v8d, v8i, 8, H, 8, DSP_LANES_LOAD8)                                                  \
    }
KOCTS(1)
KOCTS(2)
#endif
#endif

/* K-weights the lanes gathered so far (1 to KLANES_MAX) over a pass of n
 * samples, each kernel taking as many as it can at once */
static void kweight_lanes(const klane *lane, int used, int n)
{
    while (used > 0) {
        int take;
#ifdef HAVE_KOCTS
        if (used > 4 && DSP_HAVE_WIDE()) {
            take = used < 16 ? used : 16;
            (take > 8 ? kocts2 : kocts1)(lane, take, n);
        } else
#endif
#ifdef HAVE_KLANES
        if (used > 1 && DSP_HAVE_AVX2()) {
            take = used < 8 ? used : 8;
            (take > 4 ? kquads2 : kquads1)(lane, take, n);
        } else
#endif
        if (used == 1) {
            take = 1;
            kweight1(lane, n);
        } else if (used == 2) {
            take = 2;
            kweight2(lane, take, n);
        } else {
            take = used < 4 ? used : 4;
            kweight4(lane, take, n);
        }
        lane += take, used -= take;
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

/* The sum of the `hops` newest complete hops' sums, oldest first. */
static double newest_hops(const dsp_loudness *s, int hops)
{
    int h = s->hop_at - hops < 0 ? s->hop_at - hops + 30 : s->hop_at - hops;
    double sum = 0.0;
    for (int j = 0; j < hops; j++) {
        sum += s->hop_sums[h];
        h = h == 29 ? 0 : h + 1;
    }
    return sum;
}

/* The energy of the last len grid steps (len whole hops: 400 ms or 3 s),
 * the same order whatever the call pattern: `whole`, the sum of the len /
 * grid - 1 newest complete hops (step_end keeps it, summed once a hop),
 * then the oldest hop's steps still in the window (its sum when all of
 * them are), then the current hop's steps: 2 grid additions a step at a
 * 10 ms grid instead of 13 and 39 for M and S. Slots come from the
 * counters step_end keeps (ring_at, hop_step, hop_at), not from
 * divisions. */
static double window_sum(const dsp_loudness *s, int len, double whole)
{
    const int g = s->grid, r = s->hop_step;
    double sum = whole;
    if (r == 0) { /* the oldest hop whole: slot hop_at - len / g mod 30 */
        int h = s->hop_at - len / g < 0 ? s->hop_at - len / g + 30 : s->hop_at - len / g;
        return sum + s->hop_sums[h];
    }
    /* the oldest hop's last g - r steps, from step (steps - len); a hop
     * starts at a multiple of grid, and ring_len is one: no wrap inside a
     * partial hop */
    int k = s->ring_at - len < 0 ? s->ring_at - len + s->ring_len : s->ring_at - len;
    const double *part = s->ring + k;
    for (int j = r; j < g; j++)
        sum += *part++;
    /* the current hop's r steps (ring_at - r >= 0: ring_at is r mod grid) */
    const double *cur = s->ring + s->ring_at - r;
    for (int j = 0; j < r; j++)
        sum += cur[j];
    return sum;
}

/* A grid step of s ended with energy e (its channels' weighted sums of
 * squares, from the kernels' lane_step_end): the ring, the hop's sum, M and
 * S, and each 100 ms the histograms. */
static void step_end(dsp_loudness *s, double e)
{
    s->ring[s->ring_at] = e;
    s->steps++;
    s->ring_at = s->ring_at + 1 == s->ring_len ? 0 : s->ring_at + 1;
    const int hop_done = ++s->hop_step == s->grid;
    if (hop_done) { /* a hop complete: its sum, oldest step first */
        const double *step = s->ring + (s->ring_at == 0 ? s->ring_len : s->ring_at) - s->grid;
        double hop = 0.0;
        for (int k = 0; k < s->grid; k++)
            hop += step[k];
        s->hop_sums[s->hop_at] = hop;
        s->hop_step = 0;
        s->hop_at = s->hop_at == 29 ? 0 : s->hop_at + 1;
        s->m_whole = newest_hops(s, 3);
        s->s_whole = newest_hops(s, 29);
    }

    int mlen = 4 * s->grid, slen = 30 * s->grid;
    if (s->steps >= mlen) {
        s->m_energy = window_sum(s, mlen, s->m_whole) / (4.0 * s->hop);
        if (s->m_energy > s->max_m_energy)
            s->max_m_energy = s->m_energy;
    }
    if (s->steps >= slen) {
        s->s_energy = window_sum(s, slen, s->s_whole) / (30.0 * s->hop);
        if (s->s_energy > s->max_s_energy)
            s->max_s_energy = s->s_energy;
    }
    if (hop_done) {
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
        if (s->true_peak) {
            dsp_loudness_channel *ch = &s->ch[c];
            ch->tpeak = dsp_truepeak_feed(ch->hist, in[c], n, &ch->ipeak, ch->tpeak);
            ch->peak = ch->ipeak > ch->peak ? ch->ipeak : ch->peak;
        } else
            s->ch[c].peak = dsp_truepeak_sample_peak(in[c], n, s->ch[c].peak);
    }
}

void dsp_loudness_process_many(dsp_loudness *const *meters, const float *const *const *in, int count, int n)
{
    if (n <= 0 || count <= 0)
        return;
    for (int done = 0, m; done < n; done += m) {
        m = n - done < PASS_MAX ? n - done : PASS_MAX;
        /* K-weighting: the weighted channels of every meter, up to
         * KLANES_MAX lanes a kernel pass, each lane ending its meter's grid
         * steps inside the pass */
        klane lane[KLANES_MAX];
        int used = 0;
        for (int j = 0; j < count; j++) {
            dsp_loudness *s = meters[j];
            for (int k = (s->pos + m) / s->step - 1; k >= 0; k--)
                s->step_e[k] = 0.0;
            for (int c = 0; c < s->channels; c++) {
                if (s->ch[c].w == 0.0)
                    continue;
                lane[used] = (klane){.ch = &s->ch[c], .b0 = s->b[0], .b1 = s->b[1], .b2 = s->b[2], .a1 = s->a[1],
                                     .a2 = s->a[2], .c1 = s->a2[1], .c2 = s->a2[2], .in = in[j][c] + done,
                                     .first = s->step - s->pos, .step = s->step, .step_e = s->step_e};
                if (++used == KLANES_MAX) {
                    kweight_lanes(lane, used, m);
                    used = 0;
                }
            }
        }
        if (used)
            kweight_lanes(lane, used, m);
        for (int j = 0; j < count; j++) {
            dsp_loudness *s = meters[j];
            int ends = (s->pos + m) / s->step;
            for (int k = 0; k < ends; k++)
                step_end(s, s->step_e[k]);
            s->pos = (s->pos + m) % s->step;
        }
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
        peaks[c] = ch->tpeak; /* >= ipeak: dsp_truepeak_feed's reading */
        ch->tpeak_taken = ch->tpeak > ch->tpeak_taken ? ch->tpeak : ch->tpeak_taken;
        ch->tpeak = ch->ipeak = 0.0f;
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
