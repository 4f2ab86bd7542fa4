/* delay.h - a fractional delay with feedback and a filter in the loop (an
 * echo), for film mixing: slap, echo throws, a repeat on an aux bus.
 *
 * Per channel, per sample n (x the input, w the line, y the echo):
 *     y[n] = w[n - d]                       (read at the delay d, below)
 *     w[n] = x[n] + feedback * F(y[n])      (F: the loop filter)
 *     out  = (1 - mix) x[n] + mix y[n]
 * so the first repeat is the input as it came in, and each later one has
 * passed once more through F and been scaled once more by feedback: repeat
 * k (k = 1, 2, ...) is x filtered k - 1 times by F, times feedback^(k - 1).
 * Ping-pong (dsp_delay_set_pingpong) pairs channels 0-1, 2-3, ...: the
 * pair's input folded to mono, (x0 + x1) / 2, enters line 0 alone, and
 * each line is fed from the other's echo, w0 = (x0 + x1) / 2 + feedback F(y1),
 * w1 = feedback F(y0), so the repeats alternate sides (0, 1, 0, ...).
 *
 * Fractional read: 4-point, 3rd-order Lagrange interpolation (Laakso,
 * Valimaki, Karjalainen, Laine, "Splitting the unit delay", IEEE SP
 * Magazine 1996, sec. 3.3). With d = D + x (D whole, 0 <= x < 1) it reads
 * taps at delays D - 1, D, D + 1, D + 2 with
 *     h0 = -x (x - 1) (x - 2) / 6        h1 = (x + 1) (x - 1) (x - 2) / 2
 *     h2 = -(x + 1) x (x - 2) / 2        h3 = (x + 1) x (x - 1) / 6
 * (the delay sits between the middle taps, where an odd-order Lagrange
 * interpolator has |H| <= 1 at every frequency, so the loop stays stable).
 * At x = 0 only h1 = 1 is used: a whole-sample delay is the input shifted,
 * bit for bit. The shortest delay is DSP_DELAY_MIN_SAMPLES (the earliest
 * tap, D - 1, must be a sample already written).
 *
 * The loop filter F: a one-pole high-pass then a one-pole low-pass, each
 * the bilinear-transform (topology-preserving) one-pole with
 * g = tan(pi fc / fs): -3 dB at exactly fc, gain 1 at DC (low-pass) or at
 * fs/2 (high-pass), never above 1. A frequency of 0 switches that filter
 * off (the signal passes unchanged).
 *
 * The delay glides: the kernel follows a target delay (set by
 * dsp_delay_set, a straight line between two settings), and the delay it
 * reads at moves toward it by at most `glide` samples per sample, as a
 * tape's heads would, so a jump in the setting becomes a short pitch bend
 * and never a click. Feedback and mix follow their straight lines exactly.
 * The filter states are flushed to 0 below 1e-30, and so is the part of
 * the signal fed back, so a decaying loop reaches true zero (no
 * denormals). */
#ifndef DSP_DELAY_H
#define DSP_DELAY_H

#include <stddef.h>

#define DSP_DELAY_MAX_CHANNELS 64
#define DSP_DELAY_MIN_SAMPLES 2.0
/* The most samples one channel's line may hold (2^24: 349 s at 48 kHz),
 * and a whole delay's lines together (2^25: 128 MiB of floats, 10 s on 64
 * channels or 60 s on 8 at 48 kHz). */
#define DSP_DELAY_MAX_LINE (1 << 24)
#define DSP_DELAY_MAX_TOTAL (1 << 25)

typedef struct {
    double delay;         /* samples (>= DSP_DELAY_MIN_SAMPLES; clamped) */
    double feedback;      /* linear gain of the loop, -0.99 .. 0.99 */
    double mix;           /* 0 (dry) .. 1 (wet) */
    double lowpass_hz;    /* the loop's low-pass, 0: off */
    double highpass_hz;   /* the loop's high-pass, 0: off */
} dsp_delay_params;

typedef struct {
    int nch, len, wpos;
    int written;              /* samples of each line written since the reset (at most len): a tap
                                 further back reads 0, so a reset clears nothing */
    float *line;              /* nch lines of len samples (the caller's memory) */
    double fs, glide, max_delay;
    dsp_delay_params at;      /* the settings at the last dsp_delay_set */
    double delay_step, feedback_step, mix_step; /* per sample after it, for `ramp` samples */
    int ramp, since;
    double lp_g, hp_g;        /* g / (1 + g) of each one-pole; lp_on, hp_on: used */
    int lp_on, hp_on;
    int pingpong;             /* channel pairs feed each other (dsp_delay_set_pingpong) */
    double d;                 /* the delay read at now (samples) */
    double lp_s[DSP_DELAY_MAX_CHANNELS], hp_s[DSP_DELAY_MAX_CHANNELS]; /* one-pole states */
} dsp_delay;

/* The delay in samples of `seconds` at rate fs, rounded to 2^-20 sample:
 * a time that is a whole number of samples (0.01 s at 48 kHz) comes out
 * exactly whole despite the rounding of seconds in binary. */
double dsp_delay_samples(double seconds, double fs);

/* The samples one channel's line needs for delays up to max_delay (taps
 * reach D + 2 behind the sample being written). */
int dsp_delay_line_length(double max_delay);

/* Bytes of memory dsp_delay_init needs for nch channels and delays up to
 * max_delay samples. */
size_t dsp_delay_heap_size(int nch, double max_delay);

/* Sets s up in memory (dsp_delay_heap_size bytes, float-aligned, owned by
 * the caller; never cleared: what was not written since the reset reads 0) for nch channels (1..DSP_DELAY_MAX_CHANNELS) at rate fs, with
 * delays up to max_delay samples (longer settings are clamped to it) and a
 * glide of at most `glide` samples per sample (0 < glide <= 1: the read
 * position never moves back); settings p held, the
 * state clear (dsp_delay_reset). */
void dsp_delay_init(dsp_delay *s, void *memory, int nch, double fs, double max_delay, double glide,
                    const dsp_delay_params *p);

/* New settings from the next sample on: `at` there, and when next is not
 * NULL and n > 0, delay target, feedback and mix on a straight line that
 * reaches next's n samples later (and holds it after); the filters take
 * at's frequencies. The line, the filter states and the delay read at are
 * kept, so the read position glides from where it is. */
void dsp_delay_set(dsp_delay *s, const dsp_delay_params *at, const dsp_delay_params *next, int n);

/* Ping-pong on (1) or off (0), a setting: from the next sample on. A last
 * channel without a partner stays a plain delay. */
void dsp_delay_set_pingpong(dsp_delay *s, int on);

/* The state before the first sample: the line silent, the filters clear,
 * and the delay read at set to the target (no glide from anywhere). */
void dsp_delay_reset(dsp_delay *s);

/* Carries src's running state into dst, which keeps its settings: the
 * delay read at (clamped to dst's longest), the filter states, and of each
 * line the samples the heads can still reach (floor(delay) + 3: bounded by
 * the delay, not the line, and enough for the echoes to go on bit for bit
 * whatever the two lines' lengths). Returns -1 and leaves dst untouched
 * when the channel counts differ. No allocation. */
int dsp_delay_copy_state(dsp_delay *dst, const dsp_delay *src);

/* Delays io[0..nch)[0..n) in place (nch as at init). */
void dsp_delay_process(dsp_delay *s, float *const *io, int n);

/* The Lagrange coefficients for a fractional part x (0 <= x < 1), h[0..4)
 * for taps at delays D - 1 .. D + 2. */
void dsp_delay_lagrange(double x, double h[4]);

/* Its memory in samples (dsp/memory.h) with delay `delay` samples and
 * loop gain `feedback`: the echoes until they have fallen 60 dB, each a
 * delay apart (the delay itself without feedback); the loop filters only
 * shorten it. */
double dsp_delay_memory(double delay, double feedback);

#endif
