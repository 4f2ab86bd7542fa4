/* saturate.c - the soft clipper of saturate.h: y = dry x + wet c tanh(x / c). */
#include "dsp/saturate.h"

#include <math.h>

void dsp_saturate_init(dsp_saturate *s, double clip_db, double mix_pct)
{
    dsp_saturate_set(s, clip_db, mix_pct);
}

void dsp_saturate_set(dsp_saturate *s, double clip_db, double mix_pct)
{
    s->c = pow(10.0, clip_db / 20.0);
    s->inv_c = 1.0 / s->c;
    s->wet = mix_pct / 100.0;
    s->dry = 1.0 - s->wet;
}

void dsp_saturate_process(const dsp_saturate *s, float *const *io, int nch, int n)
{
    const double c = s->c, inv_c = s->inv_c, wet = s->wet, dry = s->dry;
    for (int ch = 0; ch < nch; ch++) {
        float *x = io[ch];
        for (int i = 0; i < n; i++) {
            double v = x[i];
            x[i] = (float)(dry * v + wet * c * tanh(v * inv_c));
        }
    }
}
