/* pan.h - pan laws, stated (ARCHITECTURE.md property 6).
 *
 * Mono to stereo, constant power, -3.01 dB at centre:
 *     L = cos((p + 1) * pi / 4),  R = sin((p + 1) * pi / 4),  p in [-1, 1]
 *     p = -1: L = 1, R = 0;  p = 0: L = R = 0.7071;  p = +1: L = 0, R = 1.
 * Stereo balance, unity at centre (a stereo track at p = 0 is unchanged):
 *     p <= 0: L = 1, R = cos(-p * pi / 2);  p >= 0: L = cos(p * pi / 2), R = 1.
 */
#ifndef DSP_PAN_H
#define DSP_PAN_H

void dsp_pan_mono(double pan, double *left, double *right);
void dsp_pan_balance(double pan, double *left, double *right);

#endif
