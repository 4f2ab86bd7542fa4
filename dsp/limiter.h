/* limiter.h - look-ahead true-peak brick-wall limiter for printmasters:
 * every channel gets the same gain (linked), computed from the 4x
 * oversampled (true) peak of all channels, so that the output stays under a
 * ceiling in dBTP as the ITU-R BS.1770-4 meter reads it. Algorithm and
 * sources: limiter.c.
 *
 * Latency: exactly L = max(17, round(lookahead_s * fs)) samples (round half
 * away from zero; dsp_limiter_latency). Output sample i is input sample
 * i - L times a gain, silence for i < L. The 17-sample floor is the
 * detector's and the checker's own span; it only binds below 17 kHz with a
 * 1 ms look-ahead.
 *
 * What it promises, with c = 10^(ceiling_dbtp / 20), "reading" meaning the
 * largest magnitude of the 4 values the BS.1770-4 Annex 2 interpolator makes
 * between two samples (dsp/truepeak.h: the same code and bits as
 * dsp/loudness.c's meter), and a frame's peak the largest |sample| or
 * reading next to it over all channels:
 *   transparency  the gain is exactly 1.0f except from L - 16 frames before a
 *                 frame whose peak exceeds c until the release has landed
 *                 after it: a signal whose true peak (the meter's reading)
 *                 never exceeds c comes out as the input delayed by L
 *                 samples, bit for bit.
 *   sample peak   |output sample| <= c always, by construction: the gain at
 *                 a frame is at most (c - 0.05 dB) / its input peak.
 *   true peak     every reading of the output is checked once its 12 samples
 *                 are known and before the oldest leaves; a reading above c
 *                 scales those 12 samples, all channels, so it reads c -
 *                 0.02 dB. A reading no later correction overlapped (none
 *                 within the next 11 windows) is therefore <= c exactly. A
 *                 correction can move the readings of the 11 windows before
 *                 it through the taps they share, by a small fraction of the
 *                 correction; that is not bounded here, it is measured:
 *                 at 48 kHz with a look-ahead of 1 ms or more the envelope
 *                 alone kept every reading at least 0.01 dB under c (the
 *                 checker did not fire on tests/unit/test_limiter.c's
 *                 hostile material, and fired once on noise bursts 30 dB
 *                 over the ceiling);
 *                 with the 17-sample floor (1-sample gain ramps, 8 and 16
 *                 kHz) it fires hundreds of times a second and the worst
 *                 final reading in 84 hostile runs was c + 0.015 dB.
 *   least gain    reduction only where a peak needs it, to c - 0.05 dB: a
 *                 steady tone settles with its true peak 0.05 dB under c.
 *   release       after the peaks, 1 - gain falls as exp(-t / release_s)
 *                 (the linear gain), and lands on exactly 1.0f.
 *   invariance    the output is the same bits however the input is split into
 *                 calls.
 *   bad input     an infinite sample makes the gain 0 at its frame (ramping
 *                 down over the look-ahead before it, releasing after); it
 *                 comes out NaN. A NaN is ignored by the detector and passed
 *                 through.
 *
 * Memory: dsp_limiter_heap_size(channels, fs, p) bytes, 8-byte aligned, owned by
 * the caller (the engine's arena): about (L + 256) rounded up to a power of
 * two, plus 267, floats per channel, and 16 bytes per look-ahead sample;
 * automated, 12 bytes more per frame of that power of two.
 * dsp_limiter_process never allocates and cannot fail. */
#ifndef DSP_LIMITER_H
#define DSP_LIMITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double ceiling_dbtp; /* -60 .. 0 dBTP (printmasters: -1 or -2) */
    double lookahead_s;  /* 0.001 .. 0.1 s (5 ms is usual) */
    double release_s;    /* 0.001 .. 10 s: time constant of the recovery of
                            the linear gain: 1 - g falls by 1/e every
                            release_s once the peaks have passed */
    int automated;       /* 1: ceiling and release will change while it runs
                            (dsp_limiter_set): the memory then holds, for
                            every frame in flight, the settings it came in
                            with, so each frame is limited and checked
                            against its own; 0 (the default): settings as
                            at init. Not a setting: check ignores it. */
} dsp_limiter_params;

/* Every field is private. */
typedef struct {
    int channels;
    int latency;          /* L */
    int window;           /* W = L - 16: the running minimum and box lengths */
    double fs;
    float ceiling;        /* c */
    double target;        /* the envelope's aim: c - 0.05 dB */
    float corrected;      /* where a checked overshoot is put: c - 0.02 dB */
    double release_coef;  /* 1 - exp(-1 / (release_s fs)) */
    float *ring;          /* channels x ring_len: input, the delay line */
    int ring_len;         /* power of two >= L + chunk */
    float *ybuf;          /* channels x (11 + chunk): output waiting for the check */
    float *gbuf;          /* 11 + chunk: its gains */
    double *mins;         /* W: running minimum (van Herk / Gil-Werman) */
    int mins_pos;         /* position in the current block of W */
    double pre;           /* minimum of the current block so far */
    int quiet;            /* frames since an r < 1, up to W */
    int64_t *box;         /* W: released gains in units of 2^-40 */
    int box_pos;
    int64_t box_sum;
    double env;           /* released gain */
    float q_prev;         /* detector: the last window's reading */
    float *c_hist;        /* automated: ring_len, the ceiling c of input frame t at t & (ring_len - 1); else NULL */
    double *k_hist;       /* automated: the same for release_coef */
    double target_ratio;  /* target / c */
    double corrected_ratio; /* corrected / c */
    int64_t t;            /* input samples so far */
    float gain_out;       /* gain of the last output sample */
    uint64_t corrections; /* windows the checker scaled */
} dsp_limiter;

/* Writes a message naming the parameter and its range into msg (n bytes)
 * and returns -1 when p is invalid (a field out of range or NaN); returns 0
 * and leaves msg alone otherwise. */
int dsp_limiter_check(const dsp_limiter_params *p, char *msg, size_t n);

/* Bytes of memory dsp_limiter_init needs; 0 when p fails dsp_limiter_check,
 * channels < 1 or fs is outside 8000 .. 768000 Hz. */
size_t dsp_limiter_heap_size(int channels, double fs, const dsp_limiter_params *p);

/* Sets s up in `memory` (dsp_limiter_heap_size bytes, 8-byte aligned, owned by
 * the caller, which must outlive s) and resets it. Arguments must be ones
 * dsp_limiter_heap_size accepted (out-of-range parameters are clamped). */
void dsp_limiter_init(dsp_limiter *s, void *memory, int channels, double fs, const dsp_limiter_params *p);

/* New ceiling and release (clamped as in init) from the next input sample;
 * lookahead_s and automated are ignored: the latency and the memory stay as
 * at init. The state (delay line, detector, envelope) is kept.
 * Made with automated = 1: the settings belong to the input frames from the
 * next one on, and the promises above hold per frame: output frame i (input
 * i, L samples later) is limited to, and its readings checked against, the
 * ceiling that was set when input i came in (a reading between two frames:
 * the lower of their two); the gain comes down over the look-ahead before
 * a frame whose lower ceiling needs it, as before a peak, and after a raise
 * it recovers with the release in force at each output frame. Between
 * changes the output is bit for bit that of a limiter made with those
 * settings, in the same state.
 * Made with automated = 0: the new settings act at once on everything in
 * flight (frames whose gain is already worked out keep it); meant for a
 * setting that does not move while it plays. */
void dsp_limiter_set(dsp_limiter *s, const dsp_limiter_params *p);

/* Silence in the delay line, no gain reduction: the next sample is processed
 * as if it were the first. */
void dsp_limiter_reset(dsp_limiter *s);

/* Limits n frames of planar audio in place: io[c][0..n) for each channel
 * is replaced by the output (the input L samples earlier, times the gain).
 * Any n >= 0. */
void dsp_limiter_process(dsp_limiter *s, float *const *io, int n);

/* Carries the running state (delay line, envelope, detector) of src into
 * dst, which keeps its own settings (ceiling, release): a live change of a
 * limiter's settings continues where the signal is. Returns 0, or -1 (dst
 * untouched) when the two differ in channels or look-ahead. An automated
 * dst takes src's per-frame settings when src is automated too, else the
 * frames in flight take dst's settings. No allocation. */
int dsp_limiter_copy_state(dsp_limiter *dst, const dsp_limiter *src);

/* L, in samples. */
int dsp_limiter_latency(const dsp_limiter *s);

/* The reduction applied to the last output sample, in dB, >= 0 (0: none). */
double dsp_limiter_gain_reduction_db(const dsp_limiter *s);

/* How many times since init/reset the checker found a window of output
 * reading above the ceiling and scaled it (see above). */
uint64_t dsp_limiter_corrections(const dsp_limiter *s);

/* Its memory in samples (dsp/memory.h): the look-ahead, then the release
 * falling 60 dB. */
double dsp_limiter_memory(const dsp_limiter *s);

#endif
