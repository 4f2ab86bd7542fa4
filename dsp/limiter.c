/* limiter.c - look-ahead true-peak limiter (see limiter.h).
 *
 * Algorithm, per frame (all channels share one gain):
 *   1 detector   P[s] = max over channels of |x[s]| and of the 4x
 *                interpolated values on either side of s (BS.1770-4 Annex 2,
 *                dsp/truepeak.h: the meter's own code). Needed gain
 *                r[s] = 1 when P[s] <= c, else target / P[s].
 *   2 minimum    m[j] = min r[j .. j + W - 1], exact, by the van Herk /
 *                Gil-Werman algorithm (M. van Herk, "A fast algorithm for
 *                local minimum and maximum filters on rectangular and
 *                octagonal kernels", Pattern Recognition Letters 13(7), 1992;
 *                J. Gil and M. Werman, IEEE PAMI 15(5), 1993), streamed:
 *                three comparisons per sample and no branches that depend on
 *                the signal (a monotonic deque, tried first, was slower on
 *                noise: its pops mispredict).
 *   3 release    e = min(m, (1 - k) e + k m), k = 1 - exp(-1 / (release_s
 *                fs)): instant attack, exponential release, the branching
 *                peak detector of D. Giannoulis, M. Massberg and J. D. Reiss,
 *                "Digital Dynamic Range Compressor Design - A Tutorial and
 *                Analysis", JAES 60(6), 2012, on the linear gain, written so
 *                that the loop-carried chain is a multiply, an add and a
 *                min. Since e <= m, releasing before the box keeps the
 *                guarantee below.
 *   4 box        g[s] = mean of e[s - W + 1 .. s]. Each of those e[j] <=
 *                m[j] <= r[s] (every window j .. j + W - 1 holds s), so
 *                g[s] <= r[s]: the gain is down when the peak arrives and
 *                every ramp is a straight line W samples long, the "peak
 *                hold + moving average" limiter of G. Luff, "Designing a
 *                straightforward limiter" (Signalsmith Audio, 2022). The
 *                sum is kept in integers (e in units of 2^-40, rounded down,
 *                so still <= r): no drift, and a gain of exactly 1 whenever
 *                the last W values were 1.
 *   5 check      y = g x; every window of 12 output samples is run through
 *                the same interpolator before its oldest sample leaves; a
 *                reading z > c scales the 12 samples (all channels) by
 *                corrected / z.
 * Why the check: the output's interpolated values are sums over 12 samples
 * with different gains, not the gain times the input's values. Where the
 * gain is a straight line over the filter's span the error vanishes for an
 * ideal interpolator (t x(t) is band-limited when x is, so it is rebuilt
 * from its samples exactly); what is left (the ramps' corners, the Annex
 * filter's 12-tap truncation, energy near Nyquist) stayed within 0.04 dB of
 * the target on the hostile material at 48 kHz: the 0.05 dB target margin
 * absorbs it, and the check catches what a steeper envelope (a short
 * look-ahead, a deep reduction) lets through.
 *
 * Latency: the detector knows P[s] at input s + 6 (the interpolator's
 * half-span); the minimum and the box need r up to s + W - 1, so g[s] is
 * known at input s + W + 5; the check needs g up to s + 11 before y[s]
 * leaves, at input s + W + 16 = s + L.
 *
 * Work is done in chunks of up to CHUNK frames; every computation is
 * per-sample sequential or per-window, and the checker recomputes a window
 * whose samples a correction touched, so chunk boundaries (and so the
 * caller's block size) do not change any bit. The shortcuts (no filter on a
 * channel whose samples cannot read above c, no envelope arithmetic while
 * r has been 1 for W frames, no check where every gain is 1) give the bits
 * the full path would.
 *
 * Cost (stereo, 48 kHz, 5 ms, measured by tests/unit/test_limiter.c): about
 * 8 ns per frame while limiting, half of it the envelope's serial chain, the
 * rest the two interpolator passes (detector and checker) per channel;
 * about 1 ns per frame when idle. Idle is the film printmaster's case (it
 * reads about -7 dBTP): there the cost is the copies around the kernel, so
 * the detector reads the input where it is (copied behind its history only
 * when the filter runs, which then also clears the readings), and with no
 * gain under 1 the output is written straight into the caller's buffer.
 * 2026-12-06 07:53 (AMD EPYC Zen 4, a loaded machine), op_bench
 * reference_film.lua 120 --kinds, limit, medians of seven pairs taking
 * turns with main's build: AVX-512 path 0.859 -> 0.544 ns per
 * channel-sample, AVX2 1.047 -> 0.753.
 *
 * Denormals: the only recursive state is the release, a double in [0, 1]
 * that is either 0 or above 2^-130 (r >= target / FLT_MAX): none can
 * arise. */
#include "dsp/limiter.h"
#include "dsp/memory.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dsp/simd.h"
#include "dsp/truepeak.h"

#define CHUNK 256
#define SPAN (DSP_TRUEPEAK_TAPS - 1) /* 11: history each window needs */
#define DETECT_DELAY 6               /* P[s] is final at input s + 6 */
#define MIN_LATENCY 17               /* W >= 1 */
#define TARGET_DB 0.05               /* envelope aims this far under c */
#define CORRECT_DB 0.02              /* a checked overshoot goes to this under c */
#define Q_ONE ((int64_t)1 << 40)     /* a gain of 1 in the box's units */

static const struct {
    double lo, hi;
} range_ceiling = {-60.0, 0.0}, range_lookahead = {0.001, 0.1}, range_release = {0.001, 10.0};

static int in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi; /* false for NaN */
}

int dsp_limiter_check(const dsp_limiter_params *p, char *msg, size_t n)
{
    const char *name = NULL, *unit = NULL;
    double v = 0, lo = 0, hi = 0;
    if (!in_range(p->ceiling_dbtp, range_ceiling.lo, range_ceiling.hi))
        name = "ceiling_dbtp", unit = "dBTP", v = p->ceiling_dbtp, lo = range_ceiling.lo, hi = range_ceiling.hi;
    else if (!in_range(p->lookahead_s, range_lookahead.lo, range_lookahead.hi))
        name = "lookahead_s", unit = "s", v = p->lookahead_s, lo = range_lookahead.lo, hi = range_lookahead.hi;
    else if (!in_range(p->release_s, range_release.lo, range_release.hi))
        name = "release_s", unit = "s", v = p->release_s, lo = range_release.lo, hi = range_release.hi;
    if (!name)
        return 0;
    if (msg && n)
        snprintf(msg, n, "limiter: %s = %g is out of range (expected %g to %g %s)", name, v, lo, hi, unit);
    return -1;
}

static double clamp(double v, double lo, double hi)
{
    return v >= lo ? (v <= hi ? v : hi) : lo; /* NaN -> lo */
}

static int latency_of(double fs, double lookahead_s)
{
    long l = lround(clamp(lookahead_s, range_lookahead.lo, range_lookahead.hi) * fs);
    return l < MIN_LATENCY ? MIN_LATENCY : (int)l;
}

static int ring_len_of(int latency)
{
    int r = 1;
    while (r < latency + CHUNK)
        r *= 2;
    return r;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static int valid_setup(int channels, double fs)
{
    return channels >= 1 && fs >= 8000.0 && fs <= 768000.0;
}

/* The layout, in one place for memory() and init(). */
typedef struct {
    size_t ring, ybuf, gbuf, mins, box, c_hist, k_hist, total;
} layout;

static layout layout_of(int channels, int latency, int automated)
{
    layout l;
    size_t w = (size_t)(latency - (MIN_LATENCY - 1));
    size_t at = 0;
    l.ring = at, at += align8((size_t)channels * (size_t)ring_len_of(latency) * sizeof(float));
    l.ybuf = at, at += align8((size_t)channels * (SPAN + CHUNK) * sizeof(float));
    l.gbuf = at, at += align8((SPAN + CHUNK) * sizeof(float));
    l.mins = at, at += w * sizeof(double);
    l.box = at, at += w * sizeof(int64_t);
    l.c_hist = l.k_hist = 0;
    if (automated) {
        l.c_hist = at, at += align8((size_t)ring_len_of(latency) * sizeof(float));
        l.k_hist = at, at += (size_t)ring_len_of(latency) * sizeof(double);
    }
    l.total = at;
    return l;
}

size_t dsp_limiter_heap_size(int channels, double fs, const dsp_limiter_params *p)
{
    if (!valid_setup(channels, fs) || dsp_limiter_check(p, NULL, 0) != 0)
        return 0;
    return layout_of(channels, latency_of(fs, p->lookahead_s), p->automated != 0).total;
}

void dsp_limiter_set(dsp_limiter *s, const dsp_limiter_params *p)
{
    double c = pow(10.0, clamp(p->ceiling_dbtp, range_ceiling.lo, range_ceiling.hi) / 20.0);
    s->ceiling = (float)c;
    s->target = (double)s->ceiling * s->target_ratio;
    s->corrected = (float)((double)s->ceiling * s->corrected_ratio);
    s->release_coef = -expm1(-1.0 / (clamp(p->release_s, range_release.lo, range_release.hi) * s->fs));
}

void dsp_limiter_init(dsp_limiter *s, void *memory, int channels, double fs, const dsp_limiter_params *p)
{
    memset(s, 0, sizeof *s);
    s->channels = channels;
    s->fs = fs;
    s->latency = latency_of(fs, p->lookahead_s);
    s->window = s->latency - (MIN_LATENCY - 1);
    s->ring_len = ring_len_of(s->latency);
    s->target_ratio = pow(10.0, -TARGET_DB / 20.0);
    s->corrected_ratio = pow(10.0, -CORRECT_DB / 20.0);
    layout l = layout_of(channels, s->latency, p->automated != 0);
    unsigned char *m = memory;
    s->ring = (float *)(void *)(m + l.ring);
    s->ybuf = (float *)(void *)(m + l.ybuf);
    s->gbuf = (float *)(void *)(m + l.gbuf);
    s->mins = (double *)(void *)(m + l.mins);
    s->box = (int64_t *)(void *)(m + l.box);
    if (p->automated) {
        s->c_hist = (float *)(void *)(m + l.c_hist);
        s->k_hist = (double *)(void *)(m + l.k_hist);
    }
    dsp_limiter_set(s, p);
    dsp_limiter_reset(s);
}

/* Every frame in flight (automated) under the current settings. */
static void fill_hist(dsp_limiter *s)
{
    for (int j = 0; s->c_hist && j < s->ring_len; j++) {
        s->c_hist[j] = s->ceiling;
        s->k_hist[j] = s->release_coef;
    }
}

void dsp_limiter_reset(dsp_limiter *s)
{
    memset(s->ring, 0, (size_t)s->channels * (size_t)s->ring_len * sizeof *s->ring);
    memset(s->ybuf, 0, (size_t)s->channels * (SPAN + CHUNK) * sizeof *s->ybuf);
    for (int j = 0; j < SPAN + CHUNK; j++)
        s->gbuf[j] = 1.0f;
    for (int j = 0; j < s->window; j++)
        s->box[j] = Q_ONE;
    s->box_pos = 0;
    s->box_sum = Q_ONE * s->window;
    for (int j = 0; j < s->window; j++)
        s->mins[j] = 1.0;
    s->mins_pos = 0;
    s->pre = 1.0;
    s->env = 1.0;
    s->q_prev = 0.0f;
    s->quiet = s->window;
    s->t = 0;
    s->gain_out = 1.0f;
    s->corrections = 0;
    fill_hist(s);
}

int dsp_limiter_copy_state(dsp_limiter *dst, const dsp_limiter *src)
{
    if (dst->channels != src->channels || dst->latency != src->latency || dst->ring_len != src->ring_len)
        return -1;
    memcpy(dst->ring, src->ring, (size_t)src->channels * (size_t)src->ring_len * sizeof *src->ring);
    memcpy(dst->ybuf, src->ybuf, (size_t)src->channels * (SPAN + CHUNK) * sizeof *src->ybuf);
    memcpy(dst->gbuf, src->gbuf, (SPAN + CHUNK) * sizeof *src->gbuf);
    memcpy(dst->mins, src->mins, (size_t)src->window * sizeof *src->mins);
    memcpy(dst->box, src->box, (size_t)src->window * sizeof *src->box);
    dst->mins_pos = src->mins_pos;
    dst->pre = src->pre;
    dst->quiet = src->quiet;
    dst->box_pos = src->box_pos;
    dst->box_sum = src->box_sum;
    dst->env = src->env;
    dst->q_prev = src->q_prev;
    dst->t = src->t;
    dst->gain_out = src->gain_out;
    if (dst->c_hist && src->c_hist) {
        memcpy(dst->c_hist, src->c_hist, (size_t)src->ring_len * sizeof *src->c_hist);
        memcpy(dst->k_hist, src->k_hist, (size_t)src->ring_len * sizeof *src->k_hist);
    } else {
        fill_hist(dst);
    }
    return 0;
}

int dsp_limiter_latency(const dsp_limiter *s)
{
    return s->latency;
}

double dsp_limiter_gain_reduction_db(const dsp_limiter *s)
{
    return s->gain_out < 1.0f ? -20.0 * log10(s->gain_out) : 0.0;
}

uint64_t dsp_limiter_corrections(const dsp_limiter *s)
{
    return s->corrections;
}

/* ---- the loops ------------------------------------------------------------ */

/* pk[k] = max(pk[k], |x[k]|), k < n; a NaN is ignored */
DSP_HOT
static void abs_max(const float *restrict x, float *restrict pk, int n)
{
    for (int k = 0; k < n; k++) {
        float a = fabsf(x[k]);
        pk[k] = a > pk[k] ? a : pk[k];
    }
}

/* max |x[k]|, k < n, by the bits of |x| (for non-negative floats unsigned
 * order is float order, and gcc vectorises an unsigned max); a NaN counts
 * as infinity */
static inline uint32_t abs_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u & 0x7fffffffu;
}

/* the float of the largest |x| bits m, a NaN's bits made infinity's */
static inline float peak_of_bits(uint32_t m)
{
    m = m < 0x7f800000u ? m : 0x7f800000u;
    float f;
    memcpy(&f, &m, sizeof f);
    return f;
}

DSP_HOT
static float max_abs(const float *restrict x, int n)
{
    uint32_t m = 0;
    for (int k = 0; k < n; k++) {
        uint32_t u = abs_bits(x[k]);
        m = u > m ? u : m;
    }
    return peak_of_bits(m);
}

/* abs_max and max_abs in one pass: pk[k] = max(pk[k], |x[k]|) (a NaN
 * ignored), and returns max |x[k]| by the bits (a NaN counts as infinity),
 * k < n: the same values the two give */
DSP_HOT
static float abs_max_peak(const float *restrict x, float *restrict pk, int n)
{
    uint32_t m = 0;
    for (int k = 0; k < n; k++) {
        float a = fabsf(x[k]);
        pk[k] = a > pk[k] ? a : pk[k];
        uint32_t u = abs_bits(x[k]);
        m = u > m ? u : m;
    }
    return peak_of_bits(m);
}

DSP_HOT
static void mul_gain(float *restrict y, const float *restrict g, const float *restrict x, int n)
{
    for (int k = 0; k < n; k++)
        y[k] = g[k] * x[k];
}

/* dst[0..n) = ring[(from + k) & mask], in at most two contiguous runs */
static void ring_read(const float *ring, int len, int64_t from, float *dst, int n)
{
    int at = (int)(from & (len - 1));
    int first = len - at < n ? len - at : n;
    memcpy(dst, ring + at, (size_t)first * sizeof *dst);
    memcpy(dst + first, ring, (size_t)(n - first) * sizeof *dst);
}

static void ring_write(float *ring, int len, int64_t from, const float *src, int n)
{
    int at = (int)(from & (len - 1));
    int first = len - at < n ? len - at : n;
    memcpy(ring + at, src, (size_t)first * sizeof *src);
    memcpy(ring, src + first, (size_t)(n - first) * sizeof *src);
}

/* y[0..n) = g[k] * ring[(from + k) & mask], as mul_gain on ring_read's copy */
static void ring_mul_gain(const float *ring, int len, int64_t from, const float *g, float *y, int n)
{
    int at = (int)(from & (len - 1));
    int first = len - at < n ? len - at : n;
    mul_gain(y, g, ring + at, first);
    mul_gain(y + first, g + first, ring, n - first);
}

/* Steps 1-4 for the m frames of one chunk: gbuf[SPAN + k] = g of frame
 * t0 - L + 11 + k, from P of frames t0 - 6 + k: pk[k] holds the channels'
 * sample peaks there, q[k] and q[k + 1] the readings of the windows on
 * either side (q[k] for the window ending at input t0 + k - 1). Automated:
 * cv[k] is the ceiling of frame t0 - 6 + k and kv[k] the release
 * coefficient of frame t0 - L + 11 + k; else both NULL (s's settings; the
 * loops are the same). */
static inline __attribute__((always_inline)) int envelope_body(dsp_limiter *s, const float *pk, const float *q,
                                                                 int filtered, int m, const float *cv,
                                                                 const double *kv)
{
    const float c = s->ceiling;
    const double target = s->target, k_rel = s->release_coef, k_keep = 1.0 - s->release_coef;
    const double t_ratio = s->target_ratio;
    const int w = s->window;
    const double inv = 1.0 / ((double)Q_ONE * w);
    const int64_t full = Q_ONE * w;
    float p[CHUNK];

    /* step 1 (r itself in the loop below). No channel filtered: q[1..m]
     * would be 0, so side is 0 past k = 0 and p is pk (>= 0, never NaN) */
    int hot = 0;
    for (int k = 0; k < (filtered ? m : 1); k++) {
        float qk = q[k], qk1 = filtered ? q[k + 1] : 0.0f;
        float side = qk > qk1 ? qk : qk1;
        float a = side > pk[k] ? side : pk[k];
        p[k] = a;
        hot |= a > (cv ? cv[k] : c);
    }
    if (!filtered)
        for (int k = 1; k < m; k++) {
            p[k] = pk[k];
            hot |= pk[k] > (cv ? cv[k] : c);
        }
    if (!hot && s->quiet >= w && s->env == 1.0 && s->box_sum == full) {
        /* r = 1 here and for the last w frames: every minimum is 1, the
         * release and the box sit at 1, and every value in mins and box
         * already is what the loop would write. Only the positions move. */
        s->mins_pos = (int)((s->mins_pos + (int64_t)m) % w);
        s->box_pos = (int)((s->box_pos + (int64_t)m) % w);
        s->pre = 1.0;
        for (int k = 0; k < m; k++)
            s->gbuf[SPAN + k] = 1.0f;
        return 1;
    }

    double *mins = s->mins;
    int64_t *box = s->box;
    double pre = s->pre, env = s->env;
    int at = s->mins_pos, pos = s->box_pos, quiet = s->quiet;
    int64_t sum = s->box_sum;
    float *g = s->gbuf + SPAN;
    for (int k = 0; k < m; k++) {
        /* step 2, van Herk / Gil-Werman, streaming: the window
         * [idx - w + 1, idx] is the tail of the previous block of w values
         * (their suffix minima, still in mins[at + 1 ..]) and the head of
         * this one (its prefix minimum, pre) */
        float ck = cv ? cv[k] : c;
        double v = p[k] > ck ? (cv ? (double)ck * t_ratio : target) / p[k] : 1.0;
        quiet = v < 1.0 ? 0 : quiet + (quiet < w);
        pre = at == 0 || v < pre ? v : pre;
        mins[at] = v;
        double mn;
        if (at == w - 1) {
            mn = pre;
            for (int j = w - 2; j >= 0; j--)
                mins[j] = mins[j] < mins[j + 1] ? mins[j] : mins[j + 1];
            at = 0;
        } else {
            mn = mins[at + 1] < pre ? mins[at + 1] : pre;
            at++;
        }

        /* step 3: instant attack (the min), exponential release */
        double rel = kv ? (1.0 - kv[k]) * env + kv[k] * mn : k_keep * env + k_rel * mn;
        env = mn < rel ? mn : rel;
        if (mn == 1.0 && env > 1.0 - 1e-9)
            env = 1.0; /* lands exactly, so the box's sum returns to full */

        /* step 4 */
        int64_t qv = (int64_t)(env * (double)Q_ONE);
        sum += qv - box[pos];
        box[pos] = qv;
        pos = pos + 1 == w ? 0 : pos + 1;
        g[k] = sum == full ? 1.0f : (float)((double)sum * inv);
    }
    s->pre = pre, s->env = env, s->mins_pos = at, s->quiet = quiet;
    s->box_pos = pos, s->box_sum = sum;
    return 0;
}

/* Two copies of the loops: the static one with cv and kv known NULL.
 * Returns 1 when every new gain is 1.0f (the quiet path), else 0. */
static int envelope(dsp_limiter *s, const float *pk, const float *q, int filtered, int m, const float *cv,
                    const double *kv)
{
    if (cv)
        return envelope_body(s, pk, q, filtered, m, cv, kv);
    return envelope_body(s, pk, q, filtered, m, NULL, NULL);
}

/* The reading of window k (ybuf[c][k .. k + 11]) over all channels. */
static float window_reading(const dsp_limiter *s, int k)
{
    float z = 0.0f;
    for (int c = 0; c < s->channels; c++)
        dsp_truepeak_max(s->ybuf + (size_t)c * (SPAN + CHUNK) + k, &z, 1);
    return z;
}

/* Step 5 for windows 0 .. m - 1 of ybuf. Automated: cw[k] is the ceiling
 * window k's readings are held to (else NULL: s's). */
/* 1 when a gain of gbuf[from .. to) is under 1 (windows 0 .. m - 1 use
 * gbuf[0 .. m + 11)) */
static int any_gain_below_one(const dsp_limiter *s, int from, int to)
{
    int any = 0;
    for (int j = from; j < to; j++)
        any |= s->gbuf[j] < 1.0f;
    return any;
}

static void check(dsp_limiter *s, int m, const float *cw)
{
    const int stride = SPAN + CHUNK;
    if (!any_gain_below_one(s, 0, m + SPAN))
        return; /* the output is the input here: readings are P's, <= c */
    float z[CHUNK] = {0};
    for (int c = 0; c < s->channels; c++)
        dsp_truepeak_max(s->ybuf + (size_t)c * stride, z, m);
    int dirty = 0; /* windows below this saw samples a correction has scaled */
    for (int k = 0; k < m; k++) {
        float v = k < dirty ? window_reading(s, k) : z[k];
        if (!(v > (cw ? cw[k] : s->ceiling)))
            continue;
        float corr = cw ? (float)((double)cw[k] * s->corrected_ratio) : s->corrected;
        float f = (float)((double)corr / v);
        for (int c = 0; c < s->channels; c++) {
            float *y = s->ybuf + (size_t)c * stride + k;
            for (int j = 0; j < DSP_TRUEPEAK_TAPS; j++)
                y[j] *= f;
        }
        for (int j = 0; j < DSP_TRUEPEAK_TAPS; j++)
            s->gbuf[k + j] *= f;
        s->corrections++;
        dirty = k + DSP_TRUEPEAK_TAPS;
    }
}

static void process_chunk(dsp_limiter *s, float *const *io, int done, int m)
{
    const int stride = SPAN + CHUNK;
    const int64_t t0 = s->t;
    float x[SPAN + CHUNK];
    float pk[CHUNK], q[CHUNK + 1];
    memset(pk, 0, (size_t)m * sizeof *pk);
    q[0] = s->q_prev; /* q[1..m]: set to 0 by the first channel that filters */
    int filtered = 0;

    /* automated: the settings each frame came in with (see dsp_limiter_set) */
    float cv_buf[CHUNK], cw_buf[CHUNK];
    double kv_buf[CHUNK];
    const float *cv = NULL, *cw = NULL;
    const double *kv = NULL;
    if (s->c_hist) {
        const int64_t mask = s->ring_len - 1;
        for (int k = 0; k < m; k++) {
            s->c_hist[(t0 + k) & mask] = s->ceiling;
            s->k_hist[(t0 + k) & mask] = s->release_coef;
        }
        for (int k = 0; k < m; k++) {
            cv_buf[k] = s->c_hist[(t0 - DETECT_DELAY + k) & mask];
            kv_buf[k] = s->k_hist[(t0 - s->latency + SPAN + k) & mask];
            /* window k's readings lie between output frames t0 - L + k + 5 and + 6 */
            float a = s->c_hist[(t0 - s->latency + k + 5) & mask], b = s->c_hist[(t0 - s->latency + k + 6) & mask];
            cw_buf[k] = a < b ? a : b;
        }
        cv = cv_buf, cw = cw_buf, kv = kv_buf;
    }

    /* detector: per channel, x[j] = input t0 - 11 + j: its history from
     * the ring, the input itself read where it is (copied behind the
     * history only for the filter) */
    for (int c = 0; c < s->channels; c++) {
        float *ring = s->ring + (size_t)c * s->ring_len;
        const float *in = io[c] + done;
        ring_read(ring, s->ring_len, t0 - SPAN, x, SPAN);
        ring_write(ring, s->ring_len, t0, in, m);
        /* pk[k] from x[5 + k]: the history's last 6, then the input */
        const int old = m < DETECT_DELAY ? m : DETECT_DELAY;
        abs_max(x + SPAN - DETECT_DELAY, pk, old);
        float top = max_abs(x, SPAN), top_in = abs_max_peak(in, pk + old, m - old);
        top = top > top_in ? top : top_in;
        top_in = max_abs(in + m - old, old); /* the input's last 6, not in pk yet */
        top = top > top_in ? top : top_in;
        /* readings <= c do not change r: skip the filter where none can
         * exceed c */
        if (cv || top * DSP_TRUEPEAK_GAIN_BOUND > s->ceiling) {
            if (!filtered)
                memset(q + 1, 0, (size_t)m * sizeof *q);
            filtered = 1;
            memcpy(x + SPAN, in, (size_t)m * sizeof *x);
            dsp_truepeak_max(x, q + 1, m);
        }
    }
    s->q_prev = filtered ? q[m] : 0.0f;
    const int ones = envelope(s, pk, q, filtered, m, cv, kv);
    s->t += m;

    /* gain: frames t0 - L + 11 + k */
    const int64_t from = t0 - s->latency + SPAN;
    if (m >= SPAN && !any_gain_below_one(s, 0, ones ? SPAN : m + SPAN)) {
        /* nothing for the checker (check returns at once): the output is
         * ybuf's 11 held samples, then the gained input, whose last 11 are
         * held for the next chunk; written there directly */
        for (int c = 0; c < s->channels; c++) {
            const float *ring = s->ring + (size_t)c * s->ring_len;
            float *y = s->ybuf + (size_t)c * stride, *out = io[c] + done;
            memcpy(out, y, SPAN * sizeof *y);
            ring_mul_gain(ring, s->ring_len, from, s->gbuf + SPAN, out + SPAN, m - SPAN);
            ring_mul_gain(ring, s->ring_len, from + m - SPAN, s->gbuf + m, y, SPAN);
        }
    } else {
        for (int c = 0; c < s->channels; c++) {
            float *y = s->ybuf + (size_t)c * stride;
            ring_read(s->ring + (size_t)c * s->ring_len, s->ring_len, from, x, m);
            mul_gain(y + SPAN, s->gbuf + SPAN, x, m);
        }
        check(s, m, cw);
        for (int c = 0; c < s->channels; c++) {
            float *y = s->ybuf + (size_t)c * stride;
            memcpy(io[c] + done, y, (size_t)m * sizeof *y);
            memmove(y, y + m, SPAN * sizeof *y);
        }
    }
    s->gain_out = s->gbuf[m - 1];
    memmove(s->gbuf, s->gbuf + m, SPAN * sizeof *s->gbuf);
}

void dsp_limiter_process(dsp_limiter *s, float *const *io, int n)
{
    for (int done = 0; done < n;) {
        int m = n - done < CHUNK ? n - done : CHUNK;
        process_chunk(s, io, done, m);
        done += m;
    }
}

double dsp_limiter_memory(const dsp_limiter *s)
{
    return s->latency + dsp_memory_pole(1.0 - s->release_coef);
}
