/* transient.c - envelope-difference transient shaper (see transient.h). */
#include "dsp/transient.h"
#include "dsp/memory.h"

#include <math.h>

#include "dsp/fastmath.h"

void dsp_transient_init(dsp_transient *s, double fs, double attack_db, double sustain_db)
{
    s->attack_db = attack_db;
    s->sustain_db = sustain_db;
    s->a_att2 = exp(-1.0 / (0.020 * fs));
    s->r5 = exp(-1.0 / (0.005 * fs));
    s->r20 = exp(-1.0 / (0.020 * fs));
    s->r200 = exp(-1.0 / (0.200 * fs));
    s->b_ms = exp(-1.0 / (0.005 * fs));
    dsp_transient_reset(s);
}

void dsp_transient_set(dsp_transient *s, double attack_db, double sustain_db)
{
    s->attack_db = attack_db;
    s->sustain_db = sustain_db;
}

void dsp_transient_reset(dsp_transient *s)
{
    s->e1 = s->e2 = s->e3 = s->e4 = s->ms = 0;
}

void dsp_transient_copy_state(dsp_transient *dst, const dsp_transient *src)
{
    dst->e1 = src->e1, dst->e2 = src->e2, dst->e3 = src->e3, dst->e4 = src->e4;
    dst->ms = src->ms;
}

static inline double follow(double e, double x, double att, double rel)
{
    return x > e ? x + att * (e - x) : x + rel * (e - x);
}

void dsp_transient_process(dsp_transient *s, float *const *io, int nch, int n)
{
    double e1 = s->e1, e2 = s->e2, e3 = s->e3, e4 = s->e4, ms = s->ms;
    for (int off = 0; off < n; off += 256) {
        int m = n - off < 256 ? n - off : 256;
        for (int k = 0; k < m; k++) {
            double p = 0;
            for (int c = 0; c < nch; c++) {
                double a = (double)io[c][off + k] * io[c][off + k];
                p = a > p ? a : p;
            }
            ms = p + s->b_ms * (ms - p);
            double x = ms < 1e-30 ? 0 : ms;
            ms = x;
            e1 = follow(e1, x, 0.0, s->r5);
            e2 = follow(e2, x, s->a_att2, s->r5);
            e3 = follow(e3, x, 0.0, s->r20);
            e4 = follow(e4, x, 0.0, s->r200);
            /* denormals: an envelope below -600 dB is silence (per sample,
             * so the result does not depend on block sizes) */
            e1 = e1 < 1e-30 ? 0 : e1;
            e2 = e2 < 1e-30 ? 0 : e2;
            e3 = e3 < 1e-30 ? 0 : e3;
            e4 = e4 < 1e-30 ? 0 : e4;
            double t = e1 > 1e-9 ? (e1 - e2) / e1 : 0.0;
            double u = e4 > 1e-9 ? (e4 - e3) / e4 : 0.0;
            s->gdb[k] = s->attack_db * t + s->sustain_db * u;
        }
        dsp_db_to_gain(s->gdb, s->g, m, -1e300);
        for (int c = 0; c < nch; c++)
            for (int k = 0; k < m; k++)
                io[c][off + k] *= s->g[k];
    }
    s->e1 = e1;
    s->e2 = e2;
    s->e3 = e3;
    s->e4 = e4;
    s->ms = ms;
}

double dsp_transient_memory(const dsp_transient *s)
{
    return dsp_memory_pole(s->r200);
}
