/* transient.h - a transient shaper (attack / sustain), envelope-difference
 * design in the manner of the SPL Transient Designer.
 *
 * The level is the loudest channel's mean square, smoothed with a 5 ms
 * one-pole (so a steady tone reads steady: its ripple at 1 kHz is about
 * 1.6 %, at 100 Hz 16 %, which reads as a slight transient). On it run four
 * peak followers (instant attack unless stated, one-pole release
 * a = exp(-1 / (tau fs))):
 *     e1: attack 0, release 5 ms         e2: attack 20 ms, release 5 ms
 *     e3: attack 0, release 20 ms        e4: attack 0, release 200 ms
 * T = (e1 - e2) / e1 rises at an onset (the slow-attack follower lags; the
 * short releases let both follow a decay, so T falls back to 0 there) and
 * S = (e4 - e3) / e4 rises in a decay (the fast-release follower falls
 * first); both lie in [0, 1) and are 0 on a steady level. The gain is
 *     gain_db = attack_db * T + sustain_db * S
 * applied to every channel (linked). attack_db and sustain_db are -24..+24
 * dB; positive attack sharpens hits, negative sustain dries tails. */
#ifndef DSP_TRANSIENT_H
#define DSP_TRANSIENT_H

#define DSP_TRANSIENT_MAX_CHANNELS 32

typedef struct {
    double attack_db, sustain_db;
    double a_att2, r5, r20, r200, b_ms;  /* one-pole coefficients */
    double e1, e2, e3, e4, ms;
    double gdb[256];                    /* scratch: gains of a stretch, in dB */
    float g[256];
} dsp_transient;

void dsp_transient_init(dsp_transient *s, double fs, double attack_db, double sustain_db);
void dsp_transient_reset(dsp_transient *s);

/* Carries src's level and followers into dst, which keeps its attack and
 * sustain. No allocation. */
void dsp_transient_copy_state(dsp_transient *dst, const dsp_transient *src);

/* New attack and sustain (dB) from the next sample on; the level and the
 * four followers carry on (they do not depend on the settings), so the
 * output from there is what a shaper made with these settings would give
 * on the same input. */
void dsp_transient_set(dsp_transient *s, double attack_db, double sustain_db);

/* Shapes io[0..nch)[0..n) in place. */
void dsp_transient_process(dsp_transient *s, float *const *io, int nch, int n);

/* Its memory in samples (dsp/memory.h): the slowest follower (200 ms
 * release) falling 60 dB. */
double dsp_transient_memory(const dsp_transient *s);

#endif
