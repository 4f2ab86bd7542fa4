/* biquad.h - second-order IIR sections: the RBJ Audio EQ Cookbook's
 * filters, first-order bilinear low/high-pass, and Butterworth low/high-pass
 * of order 1..8 as cascades of sections.
 *
 * Designs (dsp_biquad_design, `freq` is f0 in Hz):
 *   DSP_EQ_LOWPASS    H(s) = 1 / (s^2 + s/Q + 1)          -3.01 dB at f0 for Q = 1/sqrt 2
 *   DSP_EQ_HIGHPASS   H(s) = s^2 / (s^2 + s/Q + 1)
 *   DSP_EQ_BANDPASS   H(s) = (s/Q) / (s^2 + s/Q + 1)      0 dB at f0 (the cookbook's
 *                                                         "constant 0 dB peak gain" BPF)
 *   DSP_EQ_NOTCH      H(s) = (s^2 + 1) / (s^2 + s/Q + 1)  zero at f0
 *   DSP_EQ_PEAK       H(s) = (s^2 + s A/Q + 1) / (s^2 + s/(A Q) + 1), A = 10^(gain_db/40):
 *                     gain_db at f0; a cut and a boost of the same Q cancel exactly
 *   DSP_EQ_LOWSHELF   H(s) = A (s^2 + sqrt(A)/Q s + A) / (A s^2 + sqrt(A)/Q s + 1)
 *   DSP_EQ_HIGHSHELF  H(s) = A (A s^2 + sqrt(A)/Q s + 1) / (s^2 + sqrt(A)/Q s + A)
 *                     shelves: gain_db far on the shelf side, gain_db / 2 at f0
 *   DSP_EQ_ALLPASS    H(s) = (s^2 - s/Q + 1) / (s^2 + s/Q + 1)
 *   DSP_EQ_LOWPASS1   H(s) = 1 / (s + 1)                  first order; q unused
 *   DSP_EQ_HIGHPASS1  H(s) = s / (s + 1)                  first order; q unused
 * each mapped to z by the bilinear transform prewarped at f0
 * (s = (1 - z^-1) / ((1 + z^-1) tan(pi f0 / fs))), so the digital response at
 * f is the analogue one at Omega = tan(pi f / fs) / tan(pi f0 / fs).
 * gain_db is used by PEAK and the shelves only.
 *
 * q <= 0 (or NaN) means the default Q = 1/sqrt 2: a Butterworth low/high-pass
 * and, for the shelves, the cookbook's shelf slope S = 1 (1/Q = sqrt((A + 1/A)
 * (1/S - 1) + 2) is sqrt 2 at S = 1 whatever the gain): the steepest shelf
 * whose gain still moves monotonically with frequency. dsp_biquad_shelf_q
 * turns another slope S into the Q to pass.
 *
 * Ranges: sample_rate > 0; freq is clamped to [1e-5, 0.499] * sample_rate,
 * q to [0.01, 1000], a non-finite gain_db counts as 0 dB. Every design is
 * then stable (checked for |gain_db| <= 60 over those ranges: poles inside
 * the unit circle).
 *
 * Processing: Direct Form I in double (state = the last two inputs and
 * outputs, all double). Every call does the same arithmetic per sample in the
 * same order, so results do not depend on block sizes, on the path (scalar,
 * multi-channel, its AVX-512, AVX2 or baseline kernels), or on which channels
 * share a call: dsp_biquad_multi_process gives the same bits per channel as
 * dsp_biquad_process. A pair of sections (dsp_biquad_multi_process2) keeps
 * the sample in double between them and rounds it to float after the second
 * only: its bits are those of one channel's step2 in biquad.c on every path,
 * not those of two calls (they differ by about one float step). Every 64
 * samples counted from init/reset (not from the start of a call) each state value whose magnitude is below 1e-30 (-600 dB)
 * or is not finite is set to 0: this keeps denormals out of the recursion, and
 * a NaN or infinity that reached the filter is forgotten at the first such
 * point 2 or more samples after the last non-finite input sample (until then
 * the output is not finite). Input and output may be the same buffer. */
#ifndef DSP_BIQUAD_H
#define DSP_BIQUAD_H

typedef enum {
    DSP_EQ_LOWPASS,
    DSP_EQ_HIGHPASS,
    DSP_EQ_BANDPASS,
    DSP_EQ_NOTCH,
    DSP_EQ_PEAK,
    DSP_EQ_LOWSHELF,
    DSP_EQ_HIGHSHELF,
    DSP_EQ_ALLPASS,
    DSP_EQ_LOWPASS1,
    DSP_EQ_HIGHPASS1
} dsp_eq_type;

/* H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) */
typedef struct {
    double b0, b1, b2, a1, a2;
} dsp_biquad_coefs;

/* Fills *c with the design described above. */
void dsp_biquad_design(dsp_biquad_coefs *c, dsp_eq_type type, double sample_rate, double freq, double q,
                       double gain_db);

/* The cookbook's shelf Q for shelf slope S (> 0; S = 1 gives 1/sqrt 2) at
 * gain_db. Returns 0 (the default, S = 1) when S is out of range or the
 * slope cannot be reached at that gain. */
double dsp_biquad_shelf_q(double gain_db, double slope);

/* 20 log10 |H(e^jw)| of *c at freq Hz (w = 2 pi freq / sample_rate);
 * -HUGE_VAL where |H| is exactly 0. Evaluated by expanding H around z = 1
 * or z = -1, whichever is nearer, so the zeros of high/low-pass at DC and
 * Nyquist do not cost precision nearby. */
double dsp_biquad_magnitude_db(const dsp_biquad_coefs *c, double sample_rate, double freq);

/* One channel. */
typedef struct {
    dsp_biquad_coefs c;
    double x1, x2, y1, y2; /* last two inputs and outputs */
    int phase;             /* samples since the last flush point, 0..63 */
} dsp_biquad;

/* Identity coefficients (b0 = 1: a wire), state cleared. */
void dsp_biquad_init(dsp_biquad *s);

/* New coefficients (copied); the state is kept, so a change while playing
 * does not restart the filter. */
void dsp_biquad_set(dsp_biquad *s, const dsp_biquad_coefs *c);

/* Clears the state: the next sample is filtered as if it were the first. */
void dsp_biquad_reset(dsp_biquad *s);

/* out[i] = filtered in[i], i < n. in == out is allowed. */
void dsp_biquad_process(dsp_biquad *s, const float *in, float *out, int n);

/* Carries src's running state (last inputs and outputs, flush phase) into
 * dst, which keeps its coefficients: a live change of settings continues
 * where the signal is. No allocation. */
void dsp_biquad_copy_state(dsp_biquad *dst, const dsp_biquad *src);

/* The same coefficients over up to DSP_BIQUAD_MULTI_MAX independent channels
 * (a bus, a stem), processed side by side, one channel per SIMD lane, in
 * groups of 8 (16 with AVX-512): each sample step is a vector operation
 * across channels. From 8 channels up it costs about a quarter of
 * dsp_biquad_process per channel with AVX2, a fifth with AVX-512 (4.3 to 4.8
 * times the scalar rate), half with SSE2 (figures in biquad.c). */
#define DSP_BIQUAD_MULTI_MAX 32

typedef struct {
    dsp_biquad_coefs c;
    int phase;
    double x1[DSP_BIQUAD_MULTI_MAX], x2[DSP_BIQUAD_MULTI_MAX];
    double y1[DSP_BIQUAD_MULTI_MAX], y2[DSP_BIQUAD_MULTI_MAX];
} dsp_biquad_multi;

void dsp_biquad_multi_init(dsp_biquad_multi *s);
void dsp_biquad_multi_set(dsp_biquad_multi *s, const dsp_biquad_coefs *c);
void dsp_biquad_multi_reset(dsp_biquad_multi *s);

/* As dsp_biquad_copy_state, for every channel slot. */
void dsp_biquad_multi_copy_state(dsp_biquad_multi *dst, const dsp_biquad_multi *src);

/* Filters chans[0..nch)[0..n) in place; channel c uses state slot c. nch is
 * at most DSP_BIQUAD_MULTI_MAX (channels beyond it are left alone); the
 * buffers must not overlap one another. Every channel advances by n samples,
 * so the flush points stay common: call it with the same nch each time. */
void dsp_biquad_multi_process(dsp_biquad_multi *s, float *const *chans, int nch, int n);

/* A pair of sections in a chain over chans[0..nch)[0..n), in place: each
 * sample goes through first, then through second with first's output in
 * double (not rounded to float in between), and only second's output is
 * rounded to float. The same bits on every path, for any block sizes and
 * channel groupings; about one float step (2^-24 relative) from
 * dsp_biquad_multi_process(first, ...) then dsp_biquad_multi_process(second,
 * ...), and 12-21 % less time than the pair with the float rounding between
 * (figures in biquad.c). Both advance by n samples; call it with the same
 * nch each time. When their phases differ (state copied in from elsewhere)
 * the channels run one at a time, each section flushed at its own points. */
void dsp_biquad_multi_process2(dsp_biquad_multi *first, dsp_biquad_multi *second, float *const *chans, int nch,
                               int n);

/* A sum into a bus that a batch of channels makes as it leaves the filter
 * (dsp_biquad_multi_process_sum): for each sample i and bus channel b,
 *   bus[b][i] = (...((s + coef[b][k0] * y_k0[i]) + coef[b][k1] * y_k1[i]) ...)
 * over the channels k0 < k1 < ... for which has[b][k], in float (each
 * product rounded, then each sum), where y_k is channel k's filtered float
 * and s is +0 when `set`, else bus[b][i] as it was: the bits of clearing the
 * bus (when set) and then dsp_mix_add_scaled(bus[b], y_k, coef[b][k], n) for
 * each such k in order, which is what the bus's mixes of the channels do. */
#define DSP_BIQUAD_SUM_LANES 8 /* channels a sum takes */
#define DSP_BIQUAD_SUM_BUSES 8 /* bus channels a sum writes */

typedef struct {
    int nbus;                                               /* 1..DSP_BIQUAD_SUM_BUSES */
    int set;                                                /* 1: the bus is written, from +0 */
    float *bus[DSP_BIQUAD_SUM_BUSES];                       /* none of them one of the channels */
    unsigned char has[DSP_BIQUAD_SUM_BUSES][DSP_BIQUAD_SUM_LANES];
    float coef[DSP_BIQUAD_SUM_BUSES][DSP_BIQUAD_SUM_LANES];
} dsp_biquad_sum;

/* One section (second NULL) or a pair in a chain (as
 * dsp_biquad_multi_process and dsp_biquad_multi_process2) over
 * chans[0..nch)[0..n), nch <= DSP_BIQUAD_SUM_LANES, whose outputs go into
 * sum's bus channels instead of back into chans: the bus gets the bits it
 * would get from the filters in place and then its mixes, on every path,
 * and the state advances as there. chans are read; what they hold after
 * is unspecified (where no vector kernel takes the batch in one call --
 * SSE2, one channel, phases apart -- it is the filtered signal). With
 * AVX-512 or AVX2 the sum is made from the output in registers: the
 * channels are not written back and read again. */
void dsp_biquad_multi_process_sum(dsp_biquad_multi *first, dsp_biquad_multi *second, float *const *chans, int nch,
                                  int n, const dsp_biquad_sum *sum);

/* As dsp_biquad_multi_process_sum of chans after
 * dsp_mix_set_frames(chans + fc t, frames[t], fc, 1, n) for each track t
 * < nch / fc (fc 1: mono tracks, 2: stereo ones): the batch's input is
 * its tracks' decoded frames at a gain of 1, read there by the AVX-512 and
 * AVX2 sum kernels (fc 2: 4 or 8 channels) instead of being copied into
 * chans first; elsewhere it is copied (then chans hold what they would
 * hold after dsp_biquad_multi_process_sum). The bus gets the same bits
 * either way: the copy's x + 0 differs from x only for x = -0, and a zero's
 * sign inside the filters reaches only zeros, which the bus's sum from +0
 * (0 + -0 = +0) does not keep. */
void dsp_biquad_multi_process_sum_frames(dsp_biquad_multi *first, dsp_biquad_multi *second, float *const *chans,
                                         const float *const *frames, int fc, int nch, int n,
                                         const dsp_biquad_sum *sum);

/* Butterworth low/high-pass of order N = 1..8 at cut-off freq (-3.01 dB),
 * as the bilinear transform (prewarped at freq) of the analogue Butterworth:
 * |H|^2 = 1 / (1 + Omega^(2N)) (low-pass) or 1 / (1 + Omega^(-2N))
 * (high-pass), maximally flat, 6N dB/octave far from freq. Its poles pair
 * into floor(N/2) cookbook sections with
 *     Q_m = 1 / (2 sin((2m - 1) pi / (2N))),  m = 1 .. floor(N/2)
 * (the pole pair at angle (2m - 1) pi / (2N) from the imaginary axis), plus a
 * first-order section (the real pole) when N is odd. Sections run in order of
 * rising Q, the first-order one first. The cascade is one loop with the
 * intermediate signals in double (rounded to float only at the output), so it
 * is not bit-identical to chaining dsp_biquad_process calls. */
typedef struct {
    int nsections; /* 1..4 */
    int phase;     /* as in dsp_biquad; the sections' own are unused */
    dsp_biquad sec[4];
} dsp_butter;

/* A wire (one identity section), state cleared. */
void dsp_butter_init(dsp_butter *s);

/* type DSP_EQ_LOWPASS or DSP_EQ_HIGHPASS (any other type: high-pass), order
 * clamped to 1..8, freq as for dsp_biquad_design. Clears the state when the
 * number of sections changes, keeps it otherwise. */
void dsp_butter_design(dsp_butter *s, dsp_eq_type type, int order, double sample_rate, double freq);

void dsp_butter_reset(dsp_butter *s);

/* As dsp_biquad_copy_state, section by section. Returns 0, or -1 (dst
 * untouched) when the two differ in their number of sections. */
int dsp_butter_copy_state(dsp_butter *dst, const dsp_butter *src);

/* out[i] = filtered in[i], i < n. in == out is allowed. */
void dsp_butter_process(dsp_butter *s, const float *in, float *out, int n);

/* 20 log10 |H| of the whole cascade at freq Hz. */
double dsp_butter_magnitude_db(const dsp_butter *s, double sample_rate, double freq);

/* Samples for a cascade's impulse response to fall 60 dB: the sum of its
 * sections' (dsp/memory.h; a bound). */
double dsp_butter_memory(const dsp_butter *s);

#endif
