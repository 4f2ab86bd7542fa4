/* saturate.h - a soft clipper (waveshaper), memoryless:
 *
 *     y = (1 - m) x + m c tanh(x / c),   c = 10^(clip_db / 20),  m = mix / 100
 *
 * Below the clip level it is nearly transparent (tanh(u) = u - u^3/3 ...: a
 * sine peaking 20 dB under c comes out 0.02 dB lower, with a 3rd harmonic
 * 62 dB under it); above, the output bends towards +-c and never reaches it
 * (the wet part never passes c whatever comes in): the grit of an
 * overdriven small speaker or a line amplifier, odd harmonics only. Computed
 * per sample in double. No oversampling: harmonics past half the sample
 * rate fold back, so put it before a band limit (dubstage.futz does). */
#ifndef DSP_SATURATE_H
#define DSP_SATURATE_H

typedef struct {
    double c, inv_c; /* the clip level, linear, and its inverse */
    double wet, dry; /* m and 1 - m */
} dsp_saturate;

/* clip_db -60..0 (dBFS), mix_pct 0..100 (the caller checks the ranges). */
void dsp_saturate_init(dsp_saturate *s, double clip_db, double mix_pct);
void dsp_saturate_set(dsp_saturate *s, double clip_db, double mix_pct);

/* Shapes io[0..nch)[0..n) in place. */
void dsp_saturate_process(const dsp_saturate *s, float *const *io, int nch, int n);

#endif
