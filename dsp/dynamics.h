/* dynamics.h - feed-forward compressor, downward expander and gate with an
 * external key (sidechain): music ducking under dialogue, dialogue levelling,
 * noise gating. No look-ahead: zero latency.
 *
 * Signal flow, per sample n (Giannoulis, Massberg, Reiss 2012, "Digital
 * Dynamic Range Compressor Design - A Tutorial and Analysis", JAES 60(6):
 * the log-domain detector placed after the gain computer, their Fig. 7c,
 * with their "smooth branching" peak detector):
 *
 *   key channels -> detector level L[n] (dB) -> static gain G(L[n]) = t[n]
 *   -> attack/release/hold smoothing in dB -> g[n]
 *   -> every audio channel *= 10^((g[n] + makeup_db) / 20)
 *
 * Level (what "level" means for the thresholds):
 *   DSP_DYN_PEAK  L = 20 log10 |x[n]|: the instantaneous sample magnitude,
 *                 so a steady sine of amplitude A reads its peak, 20 log10 A
 *                 dBFS (a full-scale sine is 0 dB). The peak behaviour
 *                 (catch the crest, let go slowly) comes from the smoother.
 *   DSP_DYN_RMS   L = 10 log10 m[n], m[n] = b m[n-1] + (1 - b) x^2[n],
 *                 b = exp(-1 / (rms_s fs)): a one-pole mean square with time
 *                 constant rms_s (a step in power covers 63 % in rms_s). A
 *                 steady sine of amplitude A reads 20 log10 A - 3.01 dB (its
 *                 RMS), with a ripple at twice its frequency f of relative
 *                 size (1 - b) / |1 - b e^(-i 4 pi f / fs)| in m (rms_s 20 ms,
 *                 1 kHz, 48 kHz: 0.4 %, +-0.017 dB).
 *   Levels are clamped to [-200, +200] dB (digital silence reads -200 dB;
 *   a NaN reads as silence, an infinity as +200 dB).
 *   Several key channels (linked): DSP_DYN_LINK_MAX takes the largest |x|
 *   (peak) or m (RMS) of the key channels, DSP_DYN_LINK_MEAN their mean (the
 *   mean of |x|, or the mean power: the RMS of the channels together); one
 *   gain then drives every audio channel, so the image does not move.
 *   DSP_DYN_UNLINKED: audio channel c has its own detector, smoother and
 *   gain, keyed by key channel c % nkey.
 *
 * Static gain G(L) in dB (the gain computer; dsp_dyn_static_gain_db), with
 * T = threshold_db, R = ratio, W = knee_db (the paper's quadratic soft knee,
 * and its mirror image for the expander; W = 0 is a hard knee):
 *   COMPRESS  L - T < -W/2:       G = 0
 *             |L - T| <= W/2:      G = (1/R - 1) (L - T + W/2)^2 / (2 W)
 *             L - T > W/2:         G = (1/R - 1) (L - T)
 *             (R = INFINITY: a limiter, output level T above the knee)
 *   EXPAND    L - T > W/2:         G = 0
 *             |L - T| <= W/2:      G = (1 - R) (L - T - W/2)^2 / (2 W)
 *             L - T < -W/2:        G = (R - 1) (L - T)   (downward: below T,
 *                                  1 dB less input gives R dB less output)
 *   GATE      L >= T: G = 0;  L < T: G = range_db   (ratio and knee unused)
 *   then G = max(G, range_db) in every mode: range_db is the most the gain
 *   ever falls (a gate with range -40 never attenuates by more than 40 dB).
 *   The output level is L + G + makeup_db.
 *
 * Smoothing (smooth branching, in dB). With the target t = G(L[n]) and the
 * one-pole coefficients a_A = exp(-1 / (attack_s fs)), a_R = exp(-1 /
 * (release_s fs)) (0 for a time of 0: instant):
 *   "attack" is the key getting louder: for the compressor the target is
 *   below the gain (t < g: more reduction), for the expander and the gate it
 *   is above it (t > g: opening); "release" is the other direction.
 *   attack or t == g:  g[n] = a_A g[n-1] + (1 - a_A) t; the hold counter is
 *                      set to H = round(hold_s fs)
 *   release:           if the counter is > 0, it counts down and g[n] =
 *                      g[n-1] (held); else g[n] = a_R g[n-1] + (1 - a_R) t
 * So on a level step that changes the target from g0 (where the gain had
 * settled) to g1 at sample n0 (the first sample at the new level), the gain
 * after k samples at the new level is
 *   attack:   g[n0 + k - 1] = g1 + (g0 - g1) exp(-k / (attack_s fs))
 *   release:  g[n0 + k - 1] = g0 for k <= H, else
 *             g1 + (g0 - g1) exp(-(k - H) / (release_s fs))
 * exactly (to rounding), whatever the sizes of g0 and g1 and the knee:
 * "attack 10 ms" means the gain has covered 1 - 1/e = 63.2 % of its change
 * 10 ms after the step (95 % after 3 time constants), and hold_s delays the
 * start of the release by hold_s. Branching (rather than "smooth
 * decoupled", whose release is the release pole followed by the attack
 * pole) is what makes both of these exact. With the RMS detector the level
 * itself moves with time constant rms_s, which comes on top.
 *
 * Steady tones through the peak detector: the target swings with the
 * waveform, so the gain sits where the attack at each crest balances the
 * release between crests. With hold_s longer than the period there is no
 * release and the gain settles on the crest's G exactly; without hold it
 * falls short of it (measured, ratio 4, 16 dB over the threshold, attack
 * 10 ms, release 150 ms: 0.93 dB less reduction at 100 Hz and at 1 kHz;
 * attack 0, release 1 s: under 0.001 dB). The attack also only acts on the
 * samples at the crests, so on a tone the gain reaches the crest's G more
 * slowly than attack_s says. The RMS detector has neither effect, only its
 * ripple (rms_s 20 ms: -0.01 dB at 1 kHz, -0.09 dB at 100 Hz).
 *
 * No look-ahead (zero latency) and no key filter: the caller filters the key
 * (a biquad on the key path) before passing it.
 *
 * State at init and reset: the steady state after endless digital silence
 * (compressor: 0 dB; expander and gate: closed, at G(-200 dB)).
 *
 * Denormals: every 64 samples counted from reset, a gain within 1e-20 dB of
 * 0 dB is set to 0 dB and a mean square under 1e-30 (-300 dB) to 0. Every
 * sample is computed by the same arithmetic in the same order and the flush
 * points are fixed in time, so the output does not depend on how the signal
 * is split into process calls. */
#ifndef DSP_DYNAMICS_H
#define DSP_DYNAMICS_H

#include <stddef.h>

#define DSP_DYN_MAX_CHANNELS 32 /* key and audio channels per kernel, at most */

typedef enum { DSP_DYN_COMPRESS, DSP_DYN_EXPAND, DSP_DYN_GATE } dsp_dyn_mode;
typedef enum { DSP_DYN_PEAK, DSP_DYN_RMS } dsp_dyn_detector;
typedef enum { DSP_DYN_LINK_MAX, DSP_DYN_LINK_MEAN, DSP_DYN_UNLINKED } dsp_dyn_link;

typedef struct {
    dsp_dyn_mode mode;
    double threshold_db;        /* [-200, 40] dB of detector level (see above) */
    double ratio;               /* compressor [1, INFINITY]; expander [1, 100]; gate: unused */
    double knee_db;             /* [0, 60]: total width of the soft knee, centred on the threshold */
    double attack_s;            /* [0, 60]: time constant of the attack (63 % of a step) */
    double release_s;           /* [0, 60]: time constant of the release */
    double hold_s;              /* [0, 60]: release waits this long after the last attack sample */
    double makeup_db;           /* [-60, 60]: added to the smoothed gain */
    double range_db;            /* [-200, 0]: the gain never falls below this */
    dsp_dyn_detector detector;  /* DSP_DYN_PEAK or DSP_DYN_RMS */
    double rms_s;               /* [0, 10]: RMS time constant (RMS detector only) */
    dsp_dyn_link link;          /* how key channels combine */
} dsp_dyn_params;

/* Defaults for a mode:
 *   COMPRESS  threshold -20 dB, ratio 4, knee 6 dB, attack 10 ms, release
 *             150 ms, hold 0, range -200 dB (unlimited)
 *   EXPAND    threshold -40 dB, ratio 2, knee 6 dB, attack 2 ms, release
 *             150 ms, hold 20 ms, range -40 dB
 *   GATE      threshold -50 dB, attack 1 ms, release 100 ms, hold 50 ms,
 *             range -80 dB
 * and in every mode makeup 0 dB, peak detector, rms_s 20 ms, link max. */
void dsp_dyn_params_init(dsp_dyn_params *p, dsp_dyn_mode mode);

/* 0 when every field of *p is in its range above; otherwise -1, and a
 * message naming the first bad field, its value and the accepted range
 * (e.g. "ratio = 0.5 is out of range: the compressor takes 1 to inf
 * (1 = no change, inf = limiter)") written to msg (n bytes, always
 * terminated; msg may be NULL). NaN is out of every range. */
int dsp_dyn_check(const dsp_dyn_params *p, char *msg, size_t n);

/* The gain computer alone: G(in_db) in dB as defined above, range_db
 * included, makeup_db not. Out-of-range parameters are clamped as by
 * dsp_dyn_set. */
double dsp_dyn_static_gain_db(const dsp_dyn_params *p, double in_db);

typedef struct {
    dsp_dyn_params p;  /* as clamped */
    double fs;
    /* derived by set */
    double a_att, a_rel, b_rms, inv_2w, slope;
    double quiet_below; /* a linked peak level under the compressor's knee (0: none; dynamics.c) */
    int hold_n;
    /* state: gain (dB) and hold counter per gain slot (slot 0 when linked,
     * one per audio channel when unlinked); mean square per key channel
     * (linked) or per audio channel (unlinked) */
    double g[DSP_DYN_MAX_CHANNELS];
    int hold[DSP_DYN_MAX_CHANNELS];
    double ms[DSP_DYN_MAX_CHANNELS];
    int phase; /* samples since the last flush point, 0..63 */
} dsp_dyn;

/* Sets up *s for sample_rate (Hz, > 0) with parameters *p (copied; NULL:
 * the compressor defaults) and resets the state. */
void dsp_dyn_init(dsp_dyn *s, double sample_rate, const dsp_dyn_params *p);

/* New parameters (copied), state kept: a change while playing glides with
 * the attack/release smoothing (makeup_db jumps). *p should pass
 * dsp_dyn_check; anything out of range is clamped into it (NaN: the
 * default). Change the link mode or the channel counts only with a reset. */
void dsp_dyn_set(dsp_dyn *s, const dsp_dyn_params *p);

/* Back to the state after endless silence (see above). */
void dsp_dyn_reset(dsp_dyn *s);

/* Carries src's running state (gains, hold counters, mean squares, flush
 * phase) into dst, which keeps its parameters: a live change of settings
 * glides from where src's gain is, as dsp_dyn_set does. Every slot is
 * copied (the struct holds no channel count: the caller checks that the two
 * serve the same channels and link mode). No allocation. */
void dsp_dyn_copy_state(dsp_dyn *dst, const dsp_dyn *src);

/* Applies the gain to io[0..nch)[0..n) in place, detecting on
 * key[0..nkey)[0..n). key == NULL or nkey <= 0: the audio is its own key.
 * The key buffers may be the audio buffers themselves (each block of
 * samples is read before it is written). Channels past
 * DSP_DYN_MAX_CHANNELS are ignored (left as they are, not keyed on).
 * Never allocates, cannot fail. */
void dsp_dyn_process(dsp_dyn *s, const float *const *key, int nkey, float *const *io, int nch, int n);

/* The current gain change of channel ch in dB, makeup excluded (<= 0:
 * -6 means 6 dB of reduction), for meters. Linked: the same for every
 * channel. */
double dsp_dyn_reduction_db(const dsp_dyn *s, int ch);

/* Its memory in samples (dsp/memory.h): the hold, then the slower of the
 * attack and release smoothers falling 60 dB, after the RMS detector's
 * (when it is the detector). */
double dsp_dyn_memory(const dsp_dyn *s);

#endif
