/* stereo.h - stereo and channel tools: stereo width with mid/side gains,
 * a mid/side encoder and decoder, and a channel map with polarity (select,
 * swap, copy, silence, invert any channels).
 *
 * Width (the mid/side matrix of Blumlein's shuffler, as in every console's
 * width control): with
 *     M = (L + R) / 2,   S = (L - R) / 2
 * the output is
 *     L' = gm M + gs S,  R' = gm M - gs S,
 *     gm = 10^(mid_db / 20),  gs = width * 10^(side_db / 20)
 * (a gain at or below -144 dB is 0). width 0 gives L' = R' = M (the mono
 * fold of L and R), 1 leaves the side as it is, 2 doubles it. The mono sum
 * L' + R' = 2 gm M does not depend on width: widening never changes what a
 * mono fold-down hears. The level does: with mid power Pm and side power
 * Ps, the output's power is gm^2 Pm + gs^2 Ps, so a mono source (Ps = 0)
 * keeps its level at any width, and two uncorrelated channels of equal
 * level (Pm = Ps) change by 10 log10((1 + width^2) / 2) dB: -3.01 dB at
 * width 0, +3.98 dB at width 2.
 *
 * Mid/side: encode M = (L + R) / 2, S = (L - R) / 2 (on channels 1 and 2);
 * decode L = M + S, R = M - S (an M/S recording's M mic in channel 1, its
 * figure-of-eight S in channel 2; L is the S lobe's positive side). Each
 * is the other's inverse (within rounding).
 *
 * Channel map: output channel k takes input channel src[k] (or silence),
 * inverted or not; a polarity inversion is a map onto itself. Negation is
 * exact, so a map and an inversion are bit-exact copies. */
#ifndef DSP_STEREO_H
#define DSP_STEREO_H

#define DSP_CHMAP_MAX_CHANNELS 64

/* gm and gs of the formulas above (mid gain, side gain times width). */
void dsp_width_gains(double width, double mid_db, double side_db, double *mid_gain, double *side_gain);

/* The width matrix over l, r [0..n) in place, its gains in a straight
 * line: at sample k, gm = mid + mid_step * (j0 + k) and gs = side +
 * side_step * (j0 + k) (steps 0: fixed gains; j0 is the first sample's
 * place on the line, so a line cut into pieces gives the same values).
 * gm = gs = 1 with no steps leaves l and r untouched, bit for bit. */
void dsp_width_process(float *l, float *r, int n, float mid, float side, float mid_step, float side_step, int j0);

/* L R -> M S and M S -> L R, in place over n samples. */
void dsp_ms_encode(float *l, float *r, int n);
void dsp_ms_decode(float *m, float *s, int n);

typedef struct {
    int nch;
    int src[DSP_CHMAP_MAX_CHANNELS];            /* output k takes input src[k] (0-based); -1: silence */
    unsigned char invert[DSP_CHMAP_MAX_CHANNELS]; /* output k is negated */
    unsigned char saved[DSP_CHMAP_MAX_CHANNELS];  /* input k is read by another output: copied first */
} dsp_chmap;

/* A map over nch channels (at most DSP_CHMAP_MAX_CHANNELS; more are
 * ignored): src[k] as above, invert[k] non-zero to negate output k. */
void dsp_chmap_init(dsp_chmap *s, int nch, const int *src, const unsigned char *invert);

/* 1 when input channel k needs a scratch buffer in dsp_chmap_process (it
 * is read by an output other than its own). */
int dsp_chmap_needs_scratch(const dsp_chmap *s, int k);

/* Applies the map to io[0..nch)[0..n) in place; scratch[k] (n floats) is
 * used for the channels dsp_chmap_needs_scratch names (others may be
 * NULL). */
void dsp_chmap_process(const dsp_chmap *s, float *const *io, float *const *scratch, int n);

#endif
