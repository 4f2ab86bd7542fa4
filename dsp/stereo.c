/* stereo.c - width / mid-side, M/S encode and decode, channel map with
 * polarity (formulas in stereo.h). No state: nothing to flush. */
#include "dsp/stereo.h"

#include <math.h>
#include <string.h>

/* the dB floor below which a gain is silence (the lanes' VM_LANE_DB_SILENCE) */
#define SILENCE_DB (-144.0)

void dsp_width_gains(double width, double mid_db, double side_db, double *mid_gain, double *side_gain)
{
    *mid_gain = mid_db <= SILENCE_DB ? 0.0 : pow(10.0, mid_db / 20.0);
    *side_gain = side_db <= SILENCE_DB ? 0.0 : width * pow(10.0, side_db / 20.0);
}

void dsp_width_process(float *l, float *r, int n, float mid, float side, float mid_step, float side_step, int j0)
{
    if (mid_step == 0.0f && side_step == 0.0f) {
        if (mid == 1.0f && side == 1.0f)
            return; /* unchanged: the input's own bits */
        for (int k = 0; k < n; k++) {
            float m = 0.5f * (l[k] + r[k]), s = 0.5f * (l[k] - r[k]);
            l[k] = mid * m + side * s;
            r[k] = mid * m - side * s;
        }
        return;
    }
    for (int k = 0; k < n; k++) {
        float t = (float)(j0 + k);
        float gm = mid + mid_step * t, gs = side + side_step * t;
        float m = 0.5f * (l[k] + r[k]), s = 0.5f * (l[k] - r[k]);
        l[k] = gm * m + gs * s;
        r[k] = gm * m - gs * s;
    }
}

void dsp_ms_encode(float *l, float *r, int n)
{
    for (int k = 0; k < n; k++) {
        float m = 0.5f * (l[k] + r[k]), s = 0.5f * (l[k] - r[k]);
        l[k] = m;
        r[k] = s;
    }
}

void dsp_ms_decode(float *m, float *s, int n)
{
    for (int k = 0; k < n; k++) {
        float a = m[k] + s[k], b = m[k] - s[k];
        m[k] = a;
        s[k] = b;
    }
}

void dsp_chmap_init(dsp_chmap *s, int nch, const int *src, const unsigned char *invert)
{
    memset(s, 0, sizeof *s);
    s->nch = nch < DSP_CHMAP_MAX_CHANNELS ? nch : DSP_CHMAP_MAX_CHANNELS;
    for (int k = 0; k < s->nch; k++) {
        s->src[k] = src[k] >= 0 && src[k] < s->nch ? src[k] : -1;
        s->invert[k] = invert && invert[k];
    }
    for (int k = 0; k < s->nch; k++)
        if (s->src[k] >= 0 && s->src[k] != k)
            s->saved[s->src[k]] = 1;
}

int dsp_chmap_needs_scratch(const dsp_chmap *s, int k)
{
    return k >= 0 && k < s->nch && s->saved[k];
}

void dsp_chmap_process(const dsp_chmap *s, float *const *io, float *const *scratch, int n)
{
    for (int k = 0; k < s->nch; k++)
        if (s->saved[k])
            memcpy(scratch[k], io[k], (size_t)n * sizeof(float));
    for (int k = 0; k < s->nch; k++) {
        float *out = io[k];
        int from = s->src[k];
        if (from < 0) {
            memset(out, 0, (size_t)n * sizeof(float));
            continue;
        }
        const float *in = from == k ? out : scratch[from];
        if (s->invert[k])
            for (int i = 0; i < n; i++)
                out[i] = -in[i];
        else if (in != out)
            memcpy(out, in, (size_t)n * sizeof(float));
    }
}
