/* loudness.h - programme loudness and true peak: ITU-R BS.1770-4, EBU R 128,
 * EBU Tech 3341 (meter) and Tech 3342 (loudness range).
 *
 * What it measures, per meter:
 *   momentary M  (400 ms window) and short-term S (3 s window), ungated,
 *                evaluated on a grid of `grid` points per 100 ms counted from
 *                the first sample; max M and max S over every complete window
 *                on that grid (a window that would start before the first
 *                sample is not counted).
 *   integrated I 400 ms blocks every 100 ms, absolute gate -70 LUFS, relative
 *                gate -10 LU (BS.1770-4).
 *   range LRA    S every 100 ms, absolute gate -70 LUFS, relative gate -20 LU,
 *                95th minus 10th percentile with Tech 3342's rank rule
 *                round((n - 1) p / 100 + 1). (libebur128 takes S every 1 s,
 *                and ffmpeg ranks round(n p / 100): both can differ from this
 *                by tenths of an LU on programmes with sparse tails.)
 *   peaks        sample peak, and true peak with the 48-tap 4x interpolator of
 *                BS.1770-4 Annex 2, its published coefficients, at every rate
 *                (reported as max(true, sample), since an ideal interpolator
 *                passes the samples through). Its error is the Annex's:
 *                its phases have DC gains of +0.014 and -0.24 dB and some
 *                passband ripple: on steady sines at 48 kHz it reads from
 *                -0.30 dB (fs/6 and fs/3 at the worst phase) to +0.22 dB
 *                (fs/12, near fs/4) (measured), and an isolated peak can
 *                under-read by up to 20 log10(cos(pi f / 4 fs)) more, as
 *                with any 4x interpolator: 0.69 dB at Nyquist, 0.47 dB at
 *                20 kHz. Tech 3341 allows +0.2/-0.4 dB.
 *   K-weighting  BS.1770's two biquads in float with fused multiply-adds
 *                (one rounding each; the shelf's b0 moved into the weight of
 *                the squares, b0^2; docs/loudness.md writes the arithmetic
 *                out), the coefficients rounded to float, each grid step's
 *                squares summed in float, the steps' sums in double. The
 *                same bits on every path: FMA instructions where the CPU
 *                has them, the same roundings made from double on SSE2.
 *                Against the same filters in long double it reads M and S
 *                at most 2.3e-5 LU off on test_loudness's music-like signal
 *                (measured; 6.1e-5 with every product rounded before its
 *                add, as until 2026-12-06), which test_windows checks
 *                within DSP_LOUDNESS_KWEIGHT_ERROR_LU = 2e-4 LU. The error is
 *                relative to the programme's level, not the window's: 1.1e-3
 *                LU (unfused) where a 400 ms window holds only the filters'
 *                ringing 43 dB under the sine that stopped before it
 *                (test_qc_series allows 3e-3 there). Against the unfused
 *                float filter, I, LRA, max M and max S moved by at most
 *                0.000016 LU on the EBU Tech 3341/3342 signals and 0.000018
 *                LU on the film bench's outputs and four recordings; against
 *                the double filter before it, by at most 0.000052 LU
 *                (tests/tools/kweight_float; docs/loudness.md). Meters print
 *                tenths; Tech 3341 allows 0.1 LU. The error comes from the
 *                shelf's coefficients rounded (its DC gain is a ratio of two
 *                sums near 0.04 of coefficients near 1.5) and the
 *                high-pass's rounding near its poles at 0.995, so it is
 *                largest for programmes heavy below 100 Hz. Float is 8 lanes
 *                a vector on AVX2 and 16 on AVX-512: half the instructions of
 *                double.
 *   bad input    a NaN or infinity makes that channel's peaks +inf and its
 *                grid step count as silence; the filters then start again.
 *                (A finite sample above about 1e19, +380 dBFS, squares to
 *                infinity in float: its grid step counts as silence too,
 *                though its peaks read the value.)
 *
 * Memory does not grow with the programme: the gating and the LRA keep
 * histograms of 0.01 LU bins from -70 to +30 LUFS holding each bin's count and
 * exact energy sum (values above +30 LUFS land in the top bin with their exact
 * energy). Error bound of that choice, against keeping every block:
 *   I    energies are summed exactly; only the relative gate's decision is
 *        quantised: the result is exact BS.1770 for a relative gate displaced
 *        by less than 0.01 LU (the bin holding the threshold is taken or left
 *        whole, by its mean energy).
 *   LRA  the same for its relative gate; each percentile is the power mean of
 *        the values in the right 0.01 LU bin, so it is within 0.01 LU of the
 *        exact order statistic (exact when they are equal, e.g. a steady
 *        tone): LRA within 0.02 LU of the exact method for the same gate.
 *
 * Lifecycle (miniaudio's preallocated style, so a plan can place the meter in
 * its arena): fill a config with dsp_loudness_config_init, ask
 * dsp_loudness_heap_size, give dsp_loudness_init that many bytes (8-byte
 * aligned; the caller owns them and they must outlive the meter). Or let
 * dsp_loudness_create/destroy do the one allocation. dsp_loudness_process never
 * allocates and cannot fail. Results do not depend on how the input is split
 * into calls: every event (grid points, 100 ms blocks, denormal flushes)
 * happens at a sample index counted from the start, and every sum is taken in
 * sample order. */
#ifndef DSP_LOUDNESS_H
#define DSP_LOUDNESS_H

#include <stddef.h>
#include <stdint.h>

#define DSP_LOUDNESS_MAX_GRID 50 /* grid points per 100 ms, at most */

/* How far M and S may read from BS.1770's K-weighting done in long double,
 * LU, on test_loudness's music-like programme (see "K-weighting" above): the
 * unfused float filter's measured worst, 6.1e-5 LU, times about 3 (the fused
 * one reads 2.3e-5). */
#define DSP_LOUDNESS_KWEIGHT_ERROR_LU 2e-4

typedef struct {
    double rate;              /* sample rate, Hz (>= 8000) */
    int channels;             /* >= 1 */
    const double *weights;    /* channels entries (BS.1770 G_i), copied at init;
                                 NULL: dsp_loudness_default_weight per channel */
    int grid;                 /* M and S are evaluated this many times per 100 ms
                                 (1 = every 100 ms, the EBU minimum; 20 = every
                                 5 ms, fine enough for Tech 3341 cases 13-14 at
                                 any alignment). Rounded down to a divisor of
                                 the 100 ms hop. Default 10. */
    int true_peak;            /* 1 (default): 4x true peak; 0: sample peak only */
} dsp_loudness_config;

/* Defaults: grid 10, true peak on, default weights. */
void dsp_loudness_config_init(dsp_loudness_config *cfg, double rate, int channels);

/* BS.1770 channel weight of channel `index` of a `channels`-channel signal in
 * the usual order: 1 ch (mono) and 2 ch (L R): 1.0. 6 ch, 5.1 as
 * L R C LFE Ls Rs: 1, 1, 1, 0, 1.41, 1.41. 8 ch, 7.1 as
 * L R C LFE + four surrounds: 1, 1, 1, 0, then 1.41 for the surrounds (as
 * ffmpeg weights side and back channels; BS.1770-5 would give rear
 * channels beyond 120 degrees 1.0). Any other count: 1.0 (pass weights
 * explicitly for other layouts). */
double dsp_loudness_default_weight(int channels, int index);

/* BS.1770's K-weighting at `rate` as the meter runs it: b[3] and a[3] the
 * shelf's (a[0] = 1), a2[3] the high-pass's denominator (a2[0] = 1; its
 * numerator is 1, -2, 1). The published coefficients at 48 kHz, redesigned
 * from their analogue prototypes at other rates. For tools that compare
 * filter implementations with the meter's. */
void dsp_loudness_k_coefficients(double rate, double *b, double *a, double *a2);

/* 64-sample blocks in one of the meter's passes of 1024 samples */
#define DSP_LOUDNESS_PASS_BLOCKS 16

typedef struct {
    double w;                 /* weight G_i; 0 skips the K-filter */
    float x1, x2, y1, y2;     /* stage 1 (shelf) DF1 state */
    float d1, v1, v2;         /* stage 2 (high-pass): last input difference, outputs */
    float acc;                /* sum of squares in the current grid step */
    float hist[12];           /* last 11 input samples, for the interpolator */
    float peak;               /* max |x| */
    float ipeak;              /* max |x| since the last take (dsp_loudness_take_true_peaks) */
    float tpeak;              /* the true-peak reading since the last take: max(|interpolated|, ipeak),
                                 dsp_truepeak_feed's */
    float tpeak_taken;        /* the readings of the windows taken before */
    uint32_t blk[DSP_LOUDNESS_PASS_BLOCKS]; /* the largest |x| of each 64 samples of the pass
                                 being measured, as peak bits (dsp_truepeak_feed_blocks) */
    int blk_made;             /* 1: the K-weighting kernel made blk in this pass */
} dsp_loudness_channel;

typedef struct {
    double *energy;           /* nbins: sum of the mean squares in each bin */
    uint32_t *count;          /* nbins */
    double total_energy;      /* over every value above the absolute gate */
    uint64_t total_count;
    int lo, hi;               /* the bins ever added to (lo > hi: none); every
                                 bin outside them is zero, so a copy moves
                                 only these */
} dsp_loudness_hist;

/* Every field is private; read the meter through the functions below. */
typedef struct {
    double rate;
    int channels, grid, true_peak;
    int hop;                  /* samples per 100 ms (rate / 10, rounded) */
    int step;                 /* samples per grid step: hop / grid */
    int pos;                  /* samples into the current grid step */
    int64_t steps;            /* grid steps completed */
    int ring_at;              /* steps % ring_len: the next step's slot */
    int hop_step;             /* steps % grid: steps into the current hop */
    int hop_at;               /* (steps / grid) % 30: the current hop's slot */
    double m_whole, s_whole;  /* the sums of the 3 and 29 newest complete hops (window_sum) */
    float kn[2];              /* stage 1 (shelf): b1 / b0, b2 / b0 in float (b0 is in kgain) */
    float ka[2];              /* its denominator negated: -a1, -a2 */
    float kc[2];              /* stage 2 (high-pass): -a1, -a2 (numerator 1, -2, 1) */
    double kgain;             /* b0 * b0: what a sum of squares of the filter above is
                                 multiplied by (with the channel's weight) */
    dsp_loudness_channel *ch;
    double *ring;             /* 30 * grid step energies, indexed steps % len */
    int ring_len;
    double *hop_sums;         /* 30: each 100 ms hop's steps summed, indexed
                                 hop % 30 (after the ring, in the same block) */
    double *step_e;           /* the energies of the steps ending in one kernel
                                 pass (after the hop sums) */
    double m_energy, s_energy;         /* latest complete windows; -1: none yet */
    double max_m_energy, max_s_energy; /* -1: none yet */
    dsp_loudness_hist gate;   /* 400 ms blocks, for I */
    dsp_loudness_hist range;  /* 3 s values, for LRA */
} dsp_loudness;

typedef struct {
    double integrated_lufs;      /* -inf when no block passes the gates */
    double range_lu;             /* 0 when fewer than two values pass */
    double max_momentary_lufs;   /* -inf before 400 ms or for silence */
    double max_short_term_lufs;  /* -inf before 3 s or for silence */
    double sample_peak_dbfs;     /* -inf for silence */
    double true_peak_dbtp;       /* -inf for silence; the sample peak when
                                    true_peak = 0 */
} dsp_loudness_result;

/* The largest |x[i]| of x[0..n) and peak (>= 0), by the meter's own rule:
 * a NaN or an infinity makes it +inf, so a damaged signal never reads as
 * silence. For callers that keep a peak without a meter. */
float dsp_loudness_sample_peak(const float *x, int n, float peak);

/* Bytes of caller memory the meter needs for cfg (0 when cfg is invalid). */
size_t dsp_loudness_heap_size(const dsp_loudness_config *cfg);

/* Sets s up in `heap` (dsp_loudness_heap_size(cfg) bytes, 8-byte aligned,
 * owned by the caller) and resets it. Returns 0, or -1 when cfg is invalid
 * (rate < 8000, channels < 1, grid < 1). */
int dsp_loudness_init(dsp_loudness *s, const dsp_loudness_config *cfg, void *heap);

/* The same with one malloc holding both the state and its heap. Returns NULL
 * when cfg is invalid or memory runs out. */
dsp_loudness *dsp_loudness_create(const dsp_loudness_config *cfg);

/* Frees what dsp_loudness_create made and sets *s to NULL; NULL is fine. */
void dsp_loudness_destroy(dsp_loudness **s);

/* Forgets everything measured: a new programme starts at the next sample. */
void dsp_loudness_reset(dsp_loudness *s);

/* Carries everything src has measured (filter memories, windows, gating
 * histograms, peaks) into dst, which keeps its channel weights: a meter
 * rebuilt by a live change reads on as if it had run all along. Returns 0,
 * or -1 (dst untouched) when the two differ in rate, channels, grid or
 * true-peak mode. Bounded copies, no allocation: the histograms' bins
 * either meter has used (20 LU of programme: about 50 kB; at most 240 kB). */
int dsp_loudness_copy_state(dsp_loudness *dst, const dsp_loudness *src);

/* Measures n frames of planar input: ch[c][0..n) for every channel. Any n
 * >= 0; no allocation; the results are the same however a signal is split. */
void dsp_loudness_process(dsp_loudness *s, const float *const *ch, int n);

/* The same as dsp_loudness_process(meters[j], in[j], n) for each j <
 * count, with the same results bit for bit: the meters' channels are
 * K-weighted side by side (four to a vector where the machine has AVX2),
 * which costs less than metering one meter after another. The meters may
 * differ in rate, channels and grid; each must appear once. No
 * allocation; cannot fail. */
void dsp_loudness_process_many(dsp_loudness *const *meters, const float *const *const *in, int count, int n);

/* The latest momentary and short-term loudness (LUFS): the windows ending at
 * the last grid point passed, -inf before the first complete window or for
 * silence. */
double dsp_loudness_momentary(const dsp_loudness *s);
double dsp_loudness_short_term(const dsp_loudness *s);

/* Everything, for the programme so far. The true peak counts the
 * interpolated values past the last sample too, as if silence followed. */
void dsp_loudness_get(const dsp_loudness *s, dsp_loudness_result *out);

/* 1 when r has a loudness range: some short-term value passed Tech 3342's
 * absolute gate (-70 LUFS); 0 for silence or a programme under 3 s, whose
 * range_lu (0) stands for no range at all. */
int dsp_loudness_range_defined(const dsp_loudness_result *r);

/* Per channel c < channels, peaks[c] = the true-peak reading of the
 * samples measured since the last take (or the start): the largest
 * magnitude among those samples and the interpolated values they completed,
 * linear (0 for none; +inf after a NaN), the same bits as
 * dsp_truepeak_feed on those samples; then starts the next window. The
 * programme's true peak still counts every value: the QC report's
 * per-interval peaks (vm/qc_series.c) come from the meter that measures the
 * output, not from a second interpolator. */
void dsp_loudness_take_true_peaks(dsp_loudness *s, float *peaks);

/* Linear sample peak and true peak (max(true, sample)) of one channel. */
void dsp_loudness_channel_peaks(const dsp_loudness *s, int channel, double *sample_peak, double *true_peak);

/* For the tests: out[0..4) = the SSE2 kernels' fused multiply-add of
 * a, b, c (4 floats each; made from double, with fmaf redoing the ties and
 * subnormals), to be compared with fmaf; returns 0, out untouched, in a
 * build without those kernels (not x86-64 gcc, or AddressSanitizer). */
int dsp_loudness_test_fma4_sse2(const float *a, const float *b, const float *c, float *out);

#endif
