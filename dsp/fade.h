/* fade.h - clip fade shapes. g(t) for t in [0, 1], g(0) = 0, g(1) = 1:
 *   DSP_FADE_LINEAR       g = t
 *   DSP_FADE_EQUAL_POWER  g = sin(t * pi / 2)   (a crossfade with the mirrored
 *                                               curve keeps power constant)
 *   DSP_FADE_S_CURVE      g = (1 - cos(pi * t)) / 2
 *   DSP_FADE_EXPONENTIAL  g = t * t            (slow start, fast finish)
 * A fade-in over L samples gives sample k (0-based from the clip start) the
 * gain g(k / L); a fade-out over L samples gives the sample k samples before
 * the clip's end the gain g(k / L), so the last sample gets g(1 / L) and the
 * first sample after the clip would get 0. A fade-out overlapping a fade-in of
 * the same length on another clip therefore sums to g(t) + g(1 - t). */
#ifndef DSP_FADE_H
#define DSP_FADE_H

typedef enum { DSP_FADE_LINEAR, DSP_FADE_EQUAL_POWER, DSP_FADE_S_CURVE, DSP_FADE_EXPONENTIAL } dsp_fade_curve;

double dsp_fade_gain(dsp_fade_curve curve, double t);

#endif
