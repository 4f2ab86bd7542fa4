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
 *   K-weighting: two biquads in float with fused multiply-adds (KSTEP;
 *     loudness.h: what that costs in exactness, under 1e-3 LU;
 *     docs/loudness.md), Direct Form I, the shelf's gain b0 moved into the
 *     weight of the squares, each output one chain of FMAs with the
 *     newest output's product last, so the loop-carried dependency is one
 *     FMA per stage; stage 2's numerator (1 - z^-1)^2 as a difference of
 *     differences (no multiplies): 9 operations a sample (17 unfused with
 *     b0, until 2026-12-06). Channels go side by side, one per lane of a
 *     float vector, so their dependency chains overlap and the loop is
 *     bound by its operations (tests/tools/kweight_forms: a look-ahead
 *     form that halves the chains runs no faster on an EPYC, docs/bench.md,
 *     kw13): 4 lanes (SSE), 8 (AVX2) or 16
 *     (AVX-512), two vectors in one loop when there are lanes for both,
 *     across meters with dsp_loudness_process_many (a render's outputs).
 *     A stereo meter alone puts its two stages side by side instead
 *     (kpairs: shelf in two lanes, high-pass a sample behind in the other
 *     two), since two channels would leave half a vector idle. A call is
 *     one kernel pass per 1024 frames whatever the meters' grid phases: a
 *     lane's grid step ends inside the pass in its registers (its weighted
 *     sum into its meter's step energy, the flush, masked to the lanes
 *     ending there), not by cutting the call there. Every kernel does
 *     kweight1's operations in its order: the same bits on every path
 *     (the SSE2 kernels make each FMA's rounding from double, kfma4_sse2).
 *     Callgrind, AVX2, 30 s of the film bench's stems (docs/bench.md,
 *     meter14): keights1's run of 4 samples of 8 lanes is 71 instructions
 *     (105 unfused), 2.7 per channel-sample with the pass's bookkeeping
 *     (3.6 unfused; double: 6.3).
 *   true peak: dsp/truepeak.c's interpolator (24 multiplies per input
 *     sample for all 4 phases, vectorised across time). A stretch of 64
 *     windows whose samples cannot produce a new maximum skips the filter;
 *     the 64-sample block maxima give the pass's sample peak and a first
 *     bound on every stretch. The 8- and 16-lane kernels take those maxima
 *     as they K-weight (KPEAK: every sample is in a register there); the
 *     others leave them to dsp_truepeak_block_peaks.
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
#define FLUSH 1e-25f                        /* below this a filter state is zeroed (-500 dB) */
/* Samples per kernel pass (dsp_loudness_process_many cuts longer calls), and
 * the most grid steps a pass can end in one lane: a step is at least 16
 * samples (a 100 ms hop of 800 or more, at most 50 steps). */
#define PASS_MAX 1024
#define PASS_STEPS (PASS_MAX / 16 + 1)
/* Lanes K-weighted in one call, at most: what the widest kernel takes */
#define KLANES_MAX 16
_Static_assert(PASS_MAX % DSP_TRUEPEAK_STRETCH == 0 && PASS_MAX / DSP_TRUEPEAK_STRETCH <= DSP_LOUDNESS_PASS_BLOCKS,
               "a pass's block maxima fit dsp_loudness_channel's blk");

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
    double b[3], a[3], a2[3];
    dsp_loudness_k_coefficients(cfg->rate, b, a, a2);
    /* the shelf's gain b0 moved out of the filter into the weight of its
     * squares (KSTEP) */
    s->kn[0] = (float)(b[1] / b[0]), s->kn[1] = (float)(b[2] / b[0]);
    s->ka[0] = (float)-a[1], s->ka[1] = (float)-a[2];
    s->kc[0] = (float)-a2[1], s->kc[1] = (float)-a2[2];
    s->kgain = b[0] * b[0];

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

/* One channel in a kernel pass: its filter, its meter's coefficients (in
 * float, as the filter runs) and input, where its grid steps end, and where
 * their energies go. */
typedef struct {
    dsp_loudness_channel *ch;
    double w;                 /* the weight of its sums of squares: the channel's times kgain */
    float n1, n2, a1, a2;     /* shelf: numerator over b0, denominator negated (kn, ka) */
    float c1, c2;             /* high-pass denominator negated (kc) */
    const float *in;
    int first, step;          /* samples to the first step end (1 .. step), then between them */
    double *step_e;           /* the meter's energies of the steps ending in the pass */
} klane;

/* The end of a grid step in a lane whose sum of squares is acc (k-th end
 * in the pass): what step_end did per channel, the weighted sum into the
 * meter's step energy in channel order (lanes are in channel order, and a
 * meter's channels in later passes of the same samples add later), unless
 * the sum is not finite (a NaN or infinity in the input: the step counts as
 * silence for the channel, whose peak reads +inf). The caller then flushes
 * or clears the filter (KSTEP_END) and restarts acc. */
static inline void lane_step_end(const klane *l, int k, float acc)
{
    if (isfinite(acc))
        l->step_e[k] += l->w * (double)acc;
}

static float flush(float v)
{
    return fabsf(v) < FLUSH ? 0.0f : v;
}

/* One sample x of the K-weighting, of one channel (float) or of every lane
 * of a vector, FMA(a, b, c) the fused a * b + c of that type (one
 * rounding): the shelf with its gain b0 taken out (n1 = b1 / b0, n2 =
 * b2 / b0; its squares are weighted by b0^2 instead, klane.w), the
 * high-pass's numerator (1 - z^-1)^2 as a difference of differences, the
 * denominators negated (a1 = -a1 ...), so each output is one chain of
 * fused multiply-adds with the newest output's product last: the
 * loop-carried dependency is one FMA per stage, and the sample 7 FMAs and
 * 2 subtracts (17 operations unfused, b0 in the filter). FMA_B: the same
 * operation as FMA, for the one whose b (x2) is at its last use (a kernel
 * may write the result over it). */
#define KSTEP(x, FMA, FMA_B, n1, n2, a1, a2, c1, c2, x1, x2, y1, y2, d1, v1, v2, acc)                      \
    do {                                                                                                   \
        __typeof__(x) x_ = (x);                                                                            \
        __typeof__(x) y_ = FMA(a1, y1, FMA(a2, y2, FMA(n1, x1, FMA_B(n2, x2, x_))));                       \
        __typeof__(x) d_ = y_ - y1;                                                                        \
        __typeof__(x) v_ = FMA(c1, v1, FMA(c2, v2, d_ - d1));                                              \
        x2 = x1, x1 = x_, y2 = y1, y1 = y_, d1 = d_, v2 = v1, v1 = v_;                                     \
        acc = FMA(v_, v_, acc);                                                                            \
    } while (0)

/* K-weights one channel and adds the squares to its acc; at each of its
 * step ends, lane_step_end, then the filter state below FLUSH is zeroed
 * (denormals never arise), or all of it after a non-finite sum (the
 * recursion starts again rather than carrying NaN). Every operation in
 * float, products fused with the add after them (fmaf: one rounding;
 * loudness.h: what that changes against double). On x86-64 a clone with
 * the FMA instructions and one calling the C library's fmaf, which rounds
 * the same. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) &&           \
    !defined(__SANITIZE_THREAD__)
__attribute__((target_clones("fma", "default")))
#endif
static void kweight1(const klane *l, int n)
{
    dsp_loudness_channel *ch = l->ch;
    const float n1 = l->n1, n2 = l->n2, a1 = l->a1, a2 = l->a2, c1 = l->c1, c2 = l->c2;
    const float *restrict in = l->in;
    float x1 = ch->x1, x2 = ch->x2, y1 = ch->y1, y2 = ch->y2;
    float d1 = ch->d1, v1 = ch->v1, v2 = ch->v2, acc = ch->acc;
    int k = 0;
    for (int i = 0, end = l->first;; end += l->step) {
        int to = end < n ? end : n;
        for (; i < to; i++) {
            float x = in[i];
            KSTEP(x, fmaf, fmaf, n1, n2, a1, a2, c1, c2, x1, x2, y1, y2, d1, v1, v2, acc);
        }
        if (end > n)
            break;
        lane_step_end(l, k++, acc);
        if (isfinite(acc)) {
            y1 = flush(y1), y2 = flush(y2);
            d1 = flush(d1), v1 = flush(v1), v2 = flush(v2);
        } else {
            x1 = x2 = y1 = y2 = d1 = v1 = v2 = 0.0f;
        }
        acc = 0.0f;
    }
    ch->x1 = x1, ch->x2 = x2, ch->y1 = y1, ch->y2 = y2;
    ch->d1 = d1, ch->v1 = v1, ch->v2 = v2, ch->acc = acc;
}

/* kweight1's step end in the lanes of a vector where mask is -1, in
 * integer vectors VI of the same width (32-bit lanes): the state flushed
 * below FLUSH, or cleared after a non-finite sum (acc - acc is 0 only for a
 * finite acc), and acc restarted; the other lanes untouched. The same
 * values as kweight1's (a cleared or flushed value is +0 there too). */
#define KFLUSH_LANE(V, VI, v, keep, ok) ((V)((VI)(v) & (keep) & ~((ok) & (VI)(((V)((VI)(v) & kabs_) < kflush_)))))
#define KSTEP_END(V, VI, mask, x1, x2, y1, y2, d1, v1, v2, acc)                                            \
    do {                                                                                                   \
        const VI kabs_ = (VI){0} + 0x7fffffff;                                                             \
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

/* The sample peak beside the K-weighting (kernels of 8 and 16 lanes a
 * vector, PEAKS 1): every lane's samples pass through a register there, so
 * a max of |x| per lane costs two vector operations per sample vector (an
 * and and a max: 0.25 per channel-sample on AVX2) instead of a pass of its
 * own over every channel (0.44). pk holds each lane's largest |x| so far in
 * this 64-sample block as peak bits (truepeak.h: the sign bit cleared, a
 * NaN above infinity's bits, so a signed max of the bits is the max of
 * |x|); KBLOCK_STORE(VI, L, H, b) writes them to the used lanes' blk[b] and
 * starts the next block. The same values as dsp_truepeak_block_peaks. The
 * 4-lane kernels (PEAKS 0) leave it to dsp_truepeak_block_peaks: with 2 of
 * their 4 lanes used (a stereo meter alone) the max would cost more than
 * that pass, and SSE2 has no integer max (KMAX_SELECT stands in, unused). */
#define KBLOCK DSP_TRUEPEAK_STRETCH
#define KPEAK(VI, MAXI, pk, x) ((pk) = MAXI((pk), (VI)(x) & kmag_))
#define KMAX_SELECT(a, b) (((a) & ((a) > (b))) | ((b) & ~((a) > (b))))
#define KMAX_AVX2(a, b) ((v8si)_mm256_max_epi32((__m256i)(a), (__m256i)(b)))
#define KMAX_AVX512(a, b) ((v16si)_mm512_max_epi32((__m512i)(a), (__m512i)(b)))
#define KBLOCK_STORE(VI, L, H, b)                                                                              \
    do {                                                                                                   \
        for (int u_ = 0; u_ < used; u_++)                                                                  \
            lane[u_].ch->blk[(b)] = (uint32_t)pk[u_ / (L)][u_ % (L)];                                      \
        for (int h_ = 0; h_ < (H); h_++)                                                                   \
            pk[h_] = (VI){0};                                                                              \
    } while (0)

/* The lanes' coefficients and state into H groups of L-lane vectors, and
 * back (only the used lanes) */
#define KLANES_LOAD(L, H)                                                                                  \
    for (int h = 0; h < (H); h++)                                                                          \
        for (int l = 0; l < (L); l++) {                                                                    \
            int u = (L) * h + l < used ? (L) * h + l : 0;                                                  \
            const klane *k = &lane[u];                                                                     \
            const dsp_loudness_channel *c = k->ch;                                                         \
            n1[h][l] = k->n1, n2[h][l] = k->n2, a1[h][l] = k->a1, a2[h][l] = k->a2;                        \
            c1[h][l] = k->c1, c2[h][l] = k->c2;                                                            \
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

typedef float v4f __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v16f __attribute__((vector_size(64)));
typedef int v4si __attribute__((vector_size(16)));
typedef int v8si __attribute__((vector_size(32)));
typedef int v16si __attribute__((vector_size(64)));

/* a * b + c with one rounding, lane by lane, by the C library's fmaf (the
 * generic kernel's, and the rare vectors the SSE2 one cannot round from
 * double) */
__attribute__((noinline, cold)) static v4f kfma_each(v4f a, v4f b, v4f c)
{
    v4f r;
    for (int l = 0; l < 4; l++)
        r[l] = fmaf(a[l], b[l], c[l]);
    return r;
}

/* used by the lane kernels below only: the same condition as theirs */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
/* samples the high-pass runs behind the shelf: its input d reaches it 4
 * iterations after the shelf made it, so the chain through d (a subtract,
 * a shuffle and the biquad's four FMAs: about 20 cycles on an EPYC) spans
 * 4 iterations, and an iteration waits only for the recursions (an FMA, 4
 * cycles; a multiply and a subtract, 6, before they were fused) */
#define KP_LAG 4
#include <immintrin.h>

/* The fused multiply-adds of the kernels: the FMA instructions where the
 * CPU has them (KHAVE_FMA: every x86-64 with AVX2 in practice; checked);
 * elsewhere (DUBSTAGE_SIMD=sse2, CPUs before AVX2) the same roundings from
 * double: a * b of two floats is exact in double, + c rounds it once, and
 * that double rounded to float is the fused result unless it lies exactly
 * halfway between two floats (where the first rounding may have made the
 * tie) or under float's normal range: there, rare, the C library's fmaf
 * (correctly rounded, the same bits) redoes the vector. */
#define KHAVE_FMA() (DSP_HAVE_AVX2() && __builtin_cpu_supports("fma"))
#define KFMA4(a, b, c) ((v4f)_mm_fmadd_ps((__m128)(a), (__m128)(b), (__m128)(c)))
/* The AVX2 kernels' a * b + c, the instruction written out with the
 * result over c (vfmadd231ps), or over b (kfma8_b, vfmadd132ps: KSTEP's
 * FMA_B, whose b is at its last use), a from memory where gcc keeps it
 * there. The intrinsic gave gcc the choice, and it copied registers
 * around it: 74 instructions in keights1's run of 4 samples, 71 so. */
__attribute__((target("avx2,fma"), always_inline)) static inline v8f kfma8(v8f a, v8f b, v8f c)
{
    __asm__("vfmadd231ps %[a], %[b], %[c]" : [c] "+x"(c) : [b] "x"(b), [a] "xm"(a));
    return c;
}
__attribute__((target("avx2,fma"), always_inline)) static inline v8f kfma8_b(v8f a, v8f b, v8f c)
{
    __asm__("vfmadd132ps %[a], %[c], %[b]" : [b] "+x"(b) : [c] "x"(c), [a] "xm"(a));
    return b;
}
#define KFMA16(a, b, c) ((v16f)_mm512_fmadd_ps((__m512)(a), (__m512)(b), (__m512)(c)))
__attribute__((target("fma"), always_inline)) static inline v4f kfma4(v4f a, v4f b, v4f c)
{
    return KFMA4(a, b, c);
}
__attribute__((always_inline)) static inline v4f kfma4_sse2(v4f a, v4f b, v4f c)
{
    const __m128 fa = (__m128)a, fb = (__m128)b, fc = (__m128)c;
    const __m128d lo = _mm_add_pd(_mm_mul_pd(_mm_cvtps_pd(fa), _mm_cvtps_pd(fb)), _mm_cvtps_pd(fc));
    const __m128d hi = _mm_add_pd(_mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(fa, fa)), _mm_cvtps_pd(_mm_movehl_ps(fb, fb))),
                                  _mm_cvtps_pd(_mm_movehl_ps(fc, fc)));
    const __m128 r = _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi));
    /* a double's 29 bits below a float's last: 1 then 28 zeros halfway (in
     * the low 32 bits of each double; the high halves compare 0 to 0) */
    const __m128i below = _mm_set_epi32(0, 0x1fffffff, 0, 0x1fffffff), half = _mm_set_epi32(0, 0x10000000, 0, 0x10000000);
    int ties = _mm_movemask_ps((__m128)_mm_cmpeq_epi32(_mm_and_si128((__m128i)lo, below), half)) |
               _mm_movemask_ps((__m128)_mm_cmpeq_epi32(_mm_and_si128((__m128i)hi, below), half));
    /* |r| <= the smallest normal float, and not 0 (an exact 0: the double sum of a product and a float is 0 only
     * when they cancel exactly) */
    const __m128 mag = _mm_and_ps(r, (__m128)_mm_set1_epi32(0x7fffffff));
    int tiny = _mm_movemask_ps(_mm_and_ps(_mm_cmple_ps(mag, _mm_set1_ps(0x1p-126f)), _mm_cmpneq_ps(mag, _mm_setzero_ps())));
    return __builtin_expect((ties & 5) | tiny, 0) ? kfma_each(a, b, c) : (v4f)r;
}

/* Two channels, their two stages side by side: a 4-lane vector
 * holds the shelf of channels 0 and 1 (lanes 0, 1) and their high-pass
 * (lanes 2, 3) KP_LAG samples behind, so one biquad's operations a sample do
 * both stages of both channels (a stereo meter alone: 3 operations per
 * channel-sample instead of the 4-lane kernel's 4.5, half its lanes idle).
 * Both stages are the biquad fma(A1, out1, fma(A2, out2, fma(B1, in1,
 * fma(B2, in2, in)))) (KP_BIQUAD, the A's negated as in KSTEP): the shelf
 * with its coefficients on x; the high-pass with B = (-1, -0) and A = (c1,
 * c2) on d = y - y1, which is KSTEP's fma(c1, v1, fma(c2, v2, d - d1)) to
 * the bit (fma(-0, d2, d) is d but for the sign of a zero, which no square
 * sees, and fma(-1, d1, t) is t - d1 rounded once; a non-finite d2 comes
 * after a non-finite acc, which the step end clears). An iteration t does the high-pass of sample t - KP_LAG and the
 * shelf of sample t; before a step end the high-pass catches up alone
 * (KP_LAG halves of an iteration), the step end is made (KSTEP_END's
 * flushes and clears, lane by lane), and after it the shelf runs KP_LAG
 * samples alone; a pass starts and ends the same way, so it starts and
 * ends with the same state as kweight1's. The same bits as every other
 * kernel, whatever the path: each lane does the same operations in the
 * same order, only the iteration that does them moves. (With the
 * high-pass one sample behind, each iteration waited for the last one's
 * d: about 21 cycles a stereo sample, three times the 8-lane kernel's
 * cost per channel; docs/bench.md, meter13e.) */
#define KP_BIQUAD(in, i1, i2, o1, o2) fma(ka1, o1, fma(ka2, o2, fma(kb1, i1, fma(kb2, i2, in))))
__attribute__((always_inline)) static inline void kpairs(const klane *lane, int n, v4f (*fma)(v4f, v4f, v4f))
{
    if (n <= 0)
        return;
    const klane *l0 = &lane[0], *l1 = &lane[1];
    dsp_loudness_channel *c0 = l0->ch, *c1 = l1->ch;
    const v4si lo_hi = {0, 1, 6, 7}, x_d = {0, 1, 4, 5};
    /* (vectors are built as pairs repeated, then shuffled, and the
     * high-pass's B2 is -0, not +0: gcc builds a vector with +0 in its
     * upper half with a register form of vmovq, which valgrind 3.19 cannot
     * run, and the bench counts this kernel with callgrind. -0 times d2 is
     * a zero as +0 times it is. Lanes 0 and 1 of acc hold nothing of use) */
#define KP_PAIRS(a, b, c, d) __builtin_shuffle((v4f){(a), (b), (a), (b)}, (v4f){(c), (d), (c), (d)}, x_d)
    const v4f kb1 = KP_PAIRS(l0->n1, l1->n1, -1.0f, -1.0f), kb2 = KP_PAIRS(l0->n2, l1->n2, -0.0f, -0.0f);
    const v4f ka1 = KP_PAIRS(l0->a1, l1->a1, l0->c1, l1->c1), ka2 = KP_PAIRS(l0->a2, l1->a2, l0->c2, l1->c2);
    v4f i1 = KP_PAIRS(c0->x1, c1->x1, c0->d1, c1->d1);
    v4f i2 = KP_PAIRS(c0->x2, c1->x2, -0.0f, -0.0f);
    v4f o1 = KP_PAIRS(c0->y1, c1->y1, c0->v1, c1->v1), o2 = KP_PAIRS(c0->y2, c1->y2, c0->v2, c1->v2);
    v4f acc = {c0->acc, c1->acc, c0->acc, c1->acc};
    const float *restrict q0 = l0->in, *restrict q1 = l1->in;
    int next[2] = {l0->first, l1->first}, kend[2] = {0, 0};
    int ev = next[0] < next[1] ? next[0] : next[1];
    /* the high-pass runs KP_LAG samples behind the shelf (fewer at a
     * pass's start and around a step end): t the shelf's next sample, the
     * high-pass's t - pend, and dq[j] (lanes 0, 1) the high-pass's input d
     * for sample t - pend + j, j < pend */
    v4f dq[KP_LAG], dn;
    int t = 0, pend = 0;
    /* the halves: the shelf of sample t alone (lanes 0, 1 move on; dn its
     * d), the high-pass of d alone (lanes 2, 3 move on) */
#define KP_SHELF_HALF(t)                                                                                   \
    do {                                                                                                   \
        v4f in_ = {q0[(t)], q1[(t)], q0[(t)], q1[(t)]};                                                    \
        v4f o_ = KP_BIQUAD(in_, i1, i2, o1, o2);                                                           \
        dn = o_ - o1;                                                                                      \
        i2 = __builtin_shuffle(i1, i2, lo_hi), i1 = __builtin_shuffle(in_, i1, lo_hi);                     \
        o2 = __builtin_shuffle(o1, o2, lo_hi), o1 = __builtin_shuffle(o_, o1, lo_hi);                      \
    } while (0)
#define KP_HP_HALF(d)                                                                                      \
    do {                                                                                                   \
        v4f in_ = __builtin_shuffle((d), (d), x_d);                                                        \
        v4f o_ = KP_BIQUAD(in_, i1, i2, o1, o2);                                                           \
        i2 = __builtin_shuffle(i2, i1, lo_hi), i1 = __builtin_shuffle(i1, in_, lo_hi);                     \
        o2 = __builtin_shuffle(o2, o1, lo_hi), o1 = __builtin_shuffle(o1, o_, lo_hi);                      \
        acc = __builtin_shuffle(acc, fma(o_, o_, acc), lo_hi);                                             \
    } while (0)
/* a whole iteration: the shelf of sample t (input x, lanes 0, 1) and the
 * high-pass of the sample whose d is dl (lanes 0, 1); dl becomes sample
 * t's d */
#define KP_WHOLE(x, dl)                                                                                    \
    do {                                                                                                   \
        v4f in_ = __builtin_shuffle((x), (dl), x_d);                                                       \
        v4f o_ = KP_BIQUAD(in_, i1, i2, o1, o2);                                                           \
        acc = fma(o_, o_, acc);                                                                            \
        (dl) = o_ - o1;                                                                                    \
        i2 = i1, i1 = in_, o2 = o1, o1 = o_;                                                               \
    } while (0)
    for (;;) {
        int lim = ev < n ? ev : n;
        for (; pend < KP_LAG && t < lim; t++) { /* the shelf alone until the lag is reached */
            KP_SHELF_HALF(t);
            dq[pend++] = dn;
        }
        if (pend == KP_LAG) {
            _Static_assert(KP_LAG == 4, "the whole iterations below keep 4 d's in registers");
            v4f e0 = dq[0], e1 = dq[1], e2 = dq[2], e3 = dq[3];
            for (; t + 4 <= lim; t += 4) { /* runs of 4 whole iterations: e_k's sample is t - 4 + k */
                v4f a = {q0[t], q0[t + 1], q0[t + 2], q0[t + 3]}, b = {q1[t], q1[t + 1], q1[t + 2], q1[t + 3]};
                KP_WHOLE(__builtin_shuffle(a, b, (v4si){0, 4, 0, 0}), e0);
                KP_WHOLE(__builtin_shuffle(a, b, (v4si){1, 5, 0, 0}), e1);
                KP_WHOLE(__builtin_shuffle(a, b, (v4si){2, 6, 0, 0}), e2);
                KP_WHOLE(__builtin_shuffle(a, b, (v4si){3, 7, 0, 0}), e3);
            }
            for (; t < lim; t++) { /* whole iterations, one at a time: e0's sample is t - 4 */
                v4f x = {q0[t], q1[t], 0.0f, 0.0f}, d = e0;
                KP_WHOLE(x, d);
                e0 = e1, e1 = e2, e2 = e3, e3 = d;
            }
            dq[0] = e0, dq[1] = e1, dq[2] = e2, dq[3] = e3;
        }
        for (int j = 0; j < pend; j++) /* the high-pass catches up: both stages at sample t - 1 */
            KP_HP_HALF(dq[j]);
        pend = 0;
        if (t == ev) { /* a step end before sample t */
            for (int u = 0; u < 2; u++) {
                if (next[u] != ev)
                    continue;
                float a = acc[2 + u];
                lane_step_end(&lane[u], kend[u]++, a);
                if (isfinite(a)) {
                    o1[u] = flush(o1[u]), o2[u] = flush(o2[u]);
                    i1[2 + u] = flush(i1[2 + u]), o1[2 + u] = flush(o1[2 + u]), o2[2 + u] = flush(o2[2 + u]);
                } else {
                    i1[u] = i2[u] = o1[u] = o2[u] = 0.0f;
                    i1[2 + u] = i2[2 + u] = o1[2 + u] = o2[2 + u] = 0.0f;
                }
                acc[2 + u] = 0.0f;
                next[u] += lane[u].step;
            }
            ev = next[0] < next[1] ? next[0] : next[1];
        }
        if (t == n)
            break;
    }
#undef KP_SHELF_HALF
#undef KP_HP_HALF
#undef KP_WHOLE
#undef KP_PAIRS
    for (int u = 0; u < 2; u++) {
        dsp_loudness_channel *c = lane[u].ch;
        c->x1 = i1[u], c->x2 = i2[u], c->y1 = o1[u], c->y2 = o2[u];
        c->d1 = i1[2 + u], c->v1 = o1[2 + u], c->v2 = o2[2 + u], c->acc = acc[2 + u];
    }
}
__attribute__((target("avx2,fma"))) static void kpairs_fma(const klane *lane, int n)
{
    kpairs(lane, n, kfma4);
}
static void kpairs_sse2(const klane *lane, int n)
{
    kpairs(lane, n, kfma4_sse2);
}

int dsp_loudness_test_fma4_sse2(const float *a, const float *b, const float *c, float *out)
{
    v4f va, vb, vc;
    memcpy(&va, a, sizeof va), memcpy(&vb, b, sizeof vb), memcpy(&vc, c, sizeof vc);
    v4f r = kfma4_sse2(va, vb, vc);
    memcpy(out, &r, sizeof r);
    return 1;
}
#else
int dsp_loudness_test_fma4_sse2(const float *a, const float *b, const float *c, float *out)
{
    (void)a, (void)b, (void)c, (void)out;
    return 0;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
/* Channels side by side, one per lane of a float vector: 4 (SSE, every
 * x86-64), 8 (AVX2) or 16 (AVX-512) a vector, two vectors side by side
 * when there are lanes for both, so the two chains of dependent multiplies
 * and subtracts overlap. Each run of 4 or 8 samples of every lane is read
 * with one load per lane and transposed in registers, instead of a scalar
 * load and insert per lane and sample. Step ends inside a pass are handled
 * in the lanes' registers (KEVENTS_AT), so a pass is one call whatever the
 * meters' grids. Every lane does kweight1's operations in kweight1's order
 * (gcc vectors, -ffp-contract=off: never an FMA): the same bits on every
 * path and whatever the lanes beside it. */
#define HAVE_KLANES 1
#include <immintrin.h>

/* r[t] (4 floats) = sample i + t of lanes q[0..3], t < 4 */
#define KLOAD4(r, q, i)                                                                                    \
    do {                                                                                                   \
        __m128 a0_ = _mm_loadu_ps((q)[0] + (i)), a1_ = _mm_loadu_ps((q)[1] + (i));                         \
        __m128 a2_ = _mm_loadu_ps((q)[2] + (i)), a3_ = _mm_loadu_ps((q)[3] + (i));                         \
        _MM_TRANSPOSE4_PS(a0_, a1_, a2_, a3_);                                                             \
        (r)[0] = a0_, (r)[1] = a1_, (r)[2] = a2_, (r)[3] = a3_;                                            \
    } while (0)

/* o[t] (8 floats, __m256) = sample i + t of lanes q[0..7], t < 8: the
 * 8 x 8 transpose of the lanes' runs (4 x 4 in each 16-byte half, then the
 * halves exchanged) */
#define KTRANSPOSE8(o, q, i)                                                                               \
    do {                                                                                                   \
        __m256 a_[8], t_[8], u_[8];                                                                        \
        for (int k_ = 0; k_ < 8; k_++)                                                                     \
            a_[k_] = _mm256_loadu_ps((q)[k_] + (i));                                                       \
        for (int k_ = 0; k_ < 8; k_ += 2)                                                                  \
            t_[k_] = _mm256_unpacklo_ps(a_[k_], a_[k_ + 1]), t_[k_ + 1] = _mm256_unpackhi_ps(a_[k_], a_[k_ + 1]); \
        for (int k_ = 0; k_ < 8; k_ += 4) {                                                                \
            u_[k_] = _mm256_shuffle_ps(t_[k_], t_[k_ + 2], 0x44);                                          \
            u_[k_ + 1] = _mm256_shuffle_ps(t_[k_], t_[k_ + 2], 0xee);                                      \
            u_[k_ + 2] = _mm256_shuffle_ps(t_[k_ + 1], t_[k_ + 3], 0x44);                                  \
            u_[k_ + 3] = _mm256_shuffle_ps(t_[k_ + 1], t_[k_ + 3], 0xee);                                  \
        }                                                                                                  \
        for (int k_ = 0; k_ < 4; k_++) {                                                                   \
            (o)[k_] = _mm256_permute2f128_ps(u_[k_], u_[k_ + 4], 0x20);                                    \
            (o)[k_ + 4] = _mm256_permute2f128_ps(u_[k_], u_[k_ + 4], 0x31);                                \
        }                                                                                                  \
    } while (0)
#define KLOAD8(r, q, i)                                                                                    \
    do {                                                                                                   \
        __m256 o_[8];                                                                                      \
        KTRANSPOSE8(o_, q, i);                                                                             \
        for (int t_ = 0; t_ < 8; t_++)                                                                     \
            (r)[t_] = o_[t_];                                                                              \
    } while (0)
/* r[t] (8 floats) = sample i + t of lanes q[0..7], t < 4: lane k's 4
 * samples beside lane k + 4's in one vector, then a 4 x 4 transpose in
 * each 16-byte half (4 values a sample in flight instead of KLOAD8's 8:
 * with one group's 8 states the loop then keeps everything in AVX2's 16
 * registers) */
#define KLOAD8X4(r, q, i)                                                                                  \
    do {                                                                                                   \
        __m256 c_[4], t_[4];                                                                               \
        for (int k_ = 0; k_ < 4; k_++)                                                                     \
            c_[k_] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps((q)[k_] + (i))),             \
                                          _mm_loadu_ps((q)[k_ + 4] + (i)), 1);                             \
        t_[0] = _mm256_unpacklo_ps(c_[0], c_[1]), t_[1] = _mm256_unpackhi_ps(c_[0], c_[1]);                \
        t_[2] = _mm256_unpacklo_ps(c_[2], c_[3]), t_[3] = _mm256_unpackhi_ps(c_[2], c_[3]);                \
        (r)[0] = _mm256_shuffle_ps(t_[0], t_[2], 0x44), (r)[1] = _mm256_shuffle_ps(t_[0], t_[2], 0xee);    \
        (r)[2] = _mm256_shuffle_ps(t_[1], t_[3], 0x44), (r)[3] = _mm256_shuffle_ps(t_[1], t_[3], 0xee);    \
    } while (0)
/* r[t] (16 floats) = sample i + t of lanes q[0..15], t < 8 */
#define KLOAD16(r, q, i)                                                                                   \
    do {                                                                                                   \
        __m256 lo_[8], hi_[8];                                                                             \
        KTRANSPOSE8(lo_, q, i);                                                                            \
        KTRANSPOSE8(hi_, (q) + 8, i);                                                                      \
        for (int t_ = 0; t_ < 8; t_++)                                                                     \
            (r)[t_] = _mm512_insertf32x8(_mm512_castps256_ps512(lo_[t_]), hi_[t_], 1);                     \
    } while (0)

/* The body of a kernel of H groups (1 or 2) of L lanes in vectors V (VI
 * their integer twins), runs of RUN samples loaded by LOAD_RUN(r, q, i)
 * (r[t] = sample i + t of lanes q[0..L)). Runs with no step end inside take
 * the fast loop; a run with one takes its samples one at a time; samples
 * past the last whole run are loaded one lane at a time. Makes NAME(lane,
 * used, n), which K-weights lanes [0, used) (of any meters, used up to
 * H * L) over n samples; lanes from `used` on repeat lane 0 and are not
 * written back. The filters' state of every lane stays in registers. */
#define KLANES_KERNEL(V, VI, L, H, RUN, LOAD_RUN, MAXI, PEAKS, FMA, FMA_B)                                     \
    V n1[2], n2[2], a1[2], a2[2], c1[2], c2[2];                                                            \
    V x1[2], x2[2], y1[2], y2[2], d1[2], v1[2], v2[2], acc[2];                                             \
    VI pk[2] = {{0}, {0}};                                                                                 \
    const VI kmag_ = (VI){0} + 0x7fffffff;                                                                 \
    const float *q[2 * (L)];                                                                               \
    KLANES_LOAD(L, H)                                                                                      \
    KEVENTS_INIT()                                                                                         \
    int i = 0;                                                                                             \
    for (;;) {                                                                                             \
        int lim_ = ev < n ? ev : n;                                                                        \
        while (i + (RUN) <= lim_) { /* whole runs to the end of a 64-sample block, or lim_ */                \
            int stop_ = (i | (KBLOCK - 1)) + 1 < lim_ ? (i | (KBLOCK - 1)) + 1 : lim_;                     \
            for (; i + (RUN) <= stop_; i += (RUN)) {                                                       \
                V r[2][RUN];                                                                               \
                _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) LOAD_RUN(r[h], q + (L) * h, i);      \
                _Pragma("GCC unroll 8") for (int t = 0; t < (RUN); t++)                                    \
                    _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) {                                \
                        KSTEP(r[h][t], FMA, FMA_B, n1[h], n2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h], \
                              y1[h], y2[h], d1[h], v1[h], v2[h], acc[h]);                                  \
                        if (PEAKS)                                                                         \
                            KPEAK(VI, MAXI, pk[h], r[h][t]);                                               \
                    }                                                                                      \
            }                                                                                              \
            if ((PEAKS) && (i & (KBLOCK - 1)) == 0) /* a block's last run done */                          \
                KBLOCK_STORE(VI, L, H, i / KBLOCK - 1);                                                    \
        }                                                                                                  \
        if (i + (RUN) <= n) { /* a run with a step end in it (or at its start) */                          \
            V r[2][RUN];                                                                                   \
            _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) LOAD_RUN(r[h], q + (L) * h, i);          \
            _Pragma("GCC unroll 8") for (int t = 0; t < (RUN); t++) {                                      \
                if (i + t == ev)                                                                           \
                    KEVENTS_AT(V, VI, L, H, acc, x1, x2, y1, y2, d1, v1, v2);                              \
                _Pragma("GCC unroll 2") for (int h = 0; h < (H); h++) {                                    \
                    KSTEP(r[h][t], FMA, FMA, n1[h], n2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h],      \
                          y1[h], y2[h], d1[h], v1[h], v2[h], acc[h]);                                      \
                    if (PEAKS)                                                                             \
                        KPEAK(VI, MAXI, pk[h], r[h][t]);                                                             \
                }                                                                                          \
            }                                                                                              \
            if ((PEAKS) && ((i + (RUN)) & (KBLOCK - 1)) == 0)                                                         \
                KBLOCK_STORE(VI, L, H, i / KBLOCK);                                                            \
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
                KSTEP(x, FMA, FMA, n1[h], n2[h], a1[h], a2[h], c1[h], c2[h], x1[h], x2[h], y1[h], y2[h],  \
                      d1[h], v1[h], v2[h], acc[h]);                                                        \
                if (PEAKS)                                                                                 \
                    KPEAK(VI, MAXI, pk[h], x);                                                                       \
            }                                                                                              \
        }                                                                                                  \
        if ((PEAKS) && n % KBLOCK) /* the last block, shorter */                                                      \
            KBLOCK_STORE(VI, L, H, n / KBLOCK);                                                                \
        break;                                                                                             \
    }                                                                                                      \
    KLANES_STORE(L)

/* 2-4 lanes: SSE (every x86-64), and the same in AVX encoding (three
 * operands: fewer register copies) where the CPU has AVX2 */
static void kfours(const klane *lane, int used, int n)
{
    KLANES_KERNEL(v4f, v4si, 4, 1, 4, KLOAD4, KMAX_SELECT, 0, kfma4_sse2, kfma4_sse2)
}
__attribute__((target("avx2,fma"))) static void kfours_avx(const klane *lane, int used, int n)
{
    KLANES_KERNEL(v4f, v4si, 4, 1, 4, KLOAD4, KMAX_SELECT, 0, KFMA4, KFMA4)
}
/* 5-16 lanes, AVX2: one or two vectors of 8 */
#define KEIGHTS(H, RUN, LOAD)                                                                              \
    __attribute__((target("avx2,fma"))) static void keights##H(const klane *lane, int used, int n)         \
    {                                                                                                      \
        KLANES_KERNEL(v8f, v8si, 8, H, RUN, LOAD, KMAX_AVX2, 1, kfma8, kfma8_b)                             \
    }
KEIGHTS(1, 4, KLOAD8X4)
KEIGHTS(2, 8, KLOAD8)

#ifdef DSP_WIDE
/* 9-16 lanes, AVX-512: one vector of 16 */
#define HAVE_KSIXTEENS 1
DSP_WIDE static void ksixteens(const klane *lane, int used, int n)
{
    KLANES_KERNEL(v16f, v16si, 16, 1, 8, KLOAD16, KMAX_AVX512, 1, KFMA16, KFMA16)
}
#endif

/* K-weights the lanes gathered so far (1 to KLANES_MAX) over a pass of n
 * samples, each kernel taking as many as it can at once (never inlined,
 * nor is meter_peaks: tests/bench/loudness.sh counts the two by name) */
__attribute__((noinline)) static void kweight_lanes(const klane *lane, int used, int n)
{
    while (used > 0) {
        int take;
#ifdef HAVE_KSIXTEENS
        if (used > 8 && DSP_HAVE_WIDE()) {
            take = used < 16 ? used : 16;
            ksixteens(lane, take, n);
        } else
#endif
        if (used > 4 && KHAVE_FMA()) {
            take = used < 16 ? used : 16;
            (take > 8 ? keights2 : keights1)(lane, take, n);
        } else if (used > 2) {
            take = used < 4 ? used : 4;
            (KHAVE_FMA() ? kfours_avx : kfours)(lane, take, n);
        } else if (used == 2) {
            take = 2;
            (KHAVE_FMA() ? kpairs_fma : kpairs_sse2)(lane, n);
        } else {
            take = 1;
            kweight1(lane, n);
        }
        for (int u = 0; u < take; u++)
            lane[u].ch->blk_made = take > 4;
        lane += take, used -= take;
    }
}

#else
/* Elsewhere (another compiler or architecture, AddressSanitizer builds):
 * four lanes of a gcc vector, loaded a lane at a time, the same operations
 * per lane as kweight1 (the C library's fmaf lane by lane) */
static void kweight4(const klane *lane, int used, int n)
{
    v4f n1[1], n2[1], a1[1], a2[1], c1[1], c2[1];
    v4f x1[1], x2[1], y1[1], y2[1], d1[1], v1[1], v2[1], acc[1];
    const float *q[4];
    KLANES_LOAD(4, 1)
    KEVENTS_INIT()
    for (int i = 0;; i++) {
        while (i == ev)
            KEVENTS_AT(v4f, v4si, 4, 1, acc, x1, x2, y1, y2, d1, v1, v2);
        if (i == n)
            break;
        v4f x;
        for (int l = 0; l < 4; l++)
            x[l] = q[l][i];
        KSTEP(x, kfma_each, kfma_each, n1[0], n2[0], a1[0], a2[0], c1[0], c2[0], x1[0], x2[0], y1[0], y2[0], d1[0], v1[0],
              v2[0], acc[0]);
    }
    KLANES_STORE(4)
}

static void kweight_lanes(const klane *lane, int used, int n)
{
    while (used > 0) {
        int take = used < 4 ? used : 4;
        if (take == 1)
            kweight1(lane, n);
        else
            kweight4(lane, take, n);
        for (int u = 0; u < take; u++)
            lane[u].ch->blk_made = 0;
        lane += take, used -= take;
    }
}
#endif
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

/* One meter's peaks over a pass of n samples from in[c] + at: they know
 * no grid. A channel whose K-weighting kernel took its block maxima
 * (blk_made) has them in ch->blk; the others' are read here. */
__attribute__((noinline)) static void meter_peaks(dsp_loudness *s, const float *const *in, int at, int n)
{
    for (int c = 0; c < s->channels; c++) {
        dsp_loudness_channel *ch = &s->ch[c];
        if (ch->w == 0.0 || !ch->blk_made)
            dsp_truepeak_block_peaks(in[c] + at, n, ch->blk);
        if (s->true_peak) {
            ch->tpeak = dsp_truepeak_feed_blocks(ch->hist, in[c] + at, n, ch->blk, &ch->ipeak, ch->tpeak);
            ch->peak = ch->ipeak > ch->peak ? ch->ipeak : ch->peak;
        } else {
            uint32_t m = dsp_peak_bits(ch->peak);
            for (int b = 0; b < (n + KBLOCK - 1) / KBLOCK; b++)
                m = ch->blk[b] > m ? ch->blk[b] : m;
            ch->peak = dsp_bits_peak(m < DSP_PEAK_INF_BITS ? m : DSP_PEAK_INF_BITS);
        }
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
                lane[used] = (klane){.ch = &s->ch[c], .w = s->ch[c].w * s->kgain, .n1 = s->kn[0],
                                     .n2 = s->kn[1], .a1 = s->ka[0], .a2 = s->ka[1], .c1 = s->kc[0], .c2 = s->kc[1],
                                     .in = in[j][c] + done, .first = s->step - s->pos, .step = s->step,
                                     .step_e = s->step_e};
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
            meter_peaks(s, in[j], done, m);
        }
    }
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
