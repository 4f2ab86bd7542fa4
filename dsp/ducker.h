/* ducker.h - a ducking rule run in real time with a bounded look-ahead: the
 * gain of a target signal dips by depth_db while a key carries a line.
 *
 * It follows the offline analysis (vm/duck.c) as closely as a look-ahead of
 * L samples allows, on the same absolute grid:
 *   detector: the key's mean square over 10 ms windows counted from session
 *     sample 0, loudest channel; a window at or above the threshold is
 *     "line". A line starts at its first window's first sample (on) and
 *     ends at the first silent window's first sample (off).
 *   moves, linear in dB, each from the current gain (a later move cuts an
 *     earlier one): at on - P down to depth_db over `attack`; at off + H back
 *     to 0 dB over `release`, unless a new line starts less than `bridge`
 *     after off (then the dip simply continues).
 * The target is delayed by L samples (the latency the compiler compensates)
 * and the gain runs on the target's time, so a line found in the key at
 * time n can act on the target from n - L on. Hence
 *     P = min(preroll, L - W)      (W = the 10 ms window)
 *     H = max(hold, bridge - (L - W))
 * With L >= preroll + W and L >= bridge - hold + W the moves are exactly the
 * offline analysis's; with less look-ahead the dip starts at most L - W
 * before a line and, after the last line, waits until a gap of `bridge` can
 * be seen before releasing.
 */
#ifndef DSP_DUCKER_H
#define DSP_DUCKER_H

#include <stddef.h>
#include <stdint.h>

#define DSP_DUCKER_MAX_CHANNELS 32

typedef struct {
    double depth_db;     /* < 0 */
    double threshold_db; /* key level (10 ms mean square, dBFS) that counts as a line */
    double attack_s, release_s, hold_s, preroll_s, bridge_s;
    double lookahead_s;  /* L: at least the 10 ms window */
} dsp_ducker_params;

typedef struct {
    int64_t at;
    int down;
} dsp_ducker_event;

typedef struct {
    int L, W;                            /* look-ahead, window (samples) */
    int64_t pre, hold, bridge, att, rel; /* samples: P, H as above */
    double depth_db, thr_ms;
    int nch;
    /* detector (key time) */
    double acc[DSP_DUCKER_MAX_CHANNELS];
    int in_line;
    int64_t last_off;                    /* end of the last line, or INT64_MIN */
    /* moves (target time), sorted by time, in caller memory: ev_cap is
     * the most that can be pending at once for these settings (see
     * dsp_ducker_heap_size), so none is ever dropped */
    dsp_ducker_event *ev;
    int nev, ev_cap;
    /* the gain now: a linear ramp in dB */
    double g_db, from_db, to_db;
    int64_t ramp_at, ramp_len;
    /* the target's delay line: nch x L */
    float *ring;
    int ring_pos;
    int apply;                           /* 1 (default): io gets the gain; 0: io is only delayed */
} dsp_ducker;

/* Bytes of caller memory (8-byte aligned): the delay line, nch x L floats,
 * and the queue of pending moves. A down move waits at most L samples from
 * the window that found the line's start, a release at most L + H from the
 * line's end, and starts (and ends) of lines are at least 2 W apart, so at
 * most (2 L + H) / (2 W) + 2 moves are pending at once; the queue holds
 * that many plus 2. (L 10 s, H 30 s: 2504 moves, 40 kB.) */
size_t dsp_ducker_heap_size(int channels, double fs, const dsp_ducker_params *p);

/* L in samples for these settings. */
int dsp_ducker_latency(double fs, const dsp_ducker_params *p);

void dsp_ducker_init(dsp_ducker *s, void *memory, int channels, double fs, const dsp_ducker_params *p);
void dsp_ducker_reset(dsp_ducker *s);

/* Carries src's running state (detector, pending moves, the gain and its
 * ramp, the target's delay line) into dst, which keeps its settings (depth,
 * threshold, times): a dip under way heads for dst's depth. Returns 0, or -1
 * (dst untouched) when the two differ in channels, look-ahead or window, or
 * src has more moves pending than dst's queue holds. No allocation. */
int dsp_ducker_copy_state(dsp_ducker *dst, const dsp_ducker *src);

/* Runs n samples: key[0..nkey)[k] is the key at session sample key_at + k;
 * io[c][k] is replaced by the target L samples earlier times its gain.
 * gain (may be NULL) receives the linear gain of each output sample. */
void dsp_ducker_process(dsp_ducker *s, const float *const *key, int nkey, float **io, int64_t key_at, int n,
                        float *gain);

/* The gain now, in dB (<= 0). */
double dsp_ducker_gain_db(const dsp_ducker *s);

/* Its memory in samples: the look-ahead and window, then the longest a
 * move it has started lasts (pre-roll, attack, hold, bridge, release);
 * its gain ramps are straight, so after that nothing is left. */
double dsp_ducker_memory(const dsp_ducker *s);

#endif
