/* memory.c - decay times of poles and second-order sections (memory.h). */
#include "dsp/memory.h"

#include <math.h>

double dsp_memory_pole(double r)
{
    r = fabs(r);
    if (r == 0)
        return 0;
    if (!(r < 1))
        return HUGE_VAL;
    return DSP_MEMORY_LN1000 / -log(r);
}

double dsp_memory_biquad(const dsp_biquad_coefs *c)
{
    double disc = c->a1 * c->a1 - 4 * c->a2;
    if (disc < 0) /* complex pair: |p|^2 = a2 */
        return dsp_memory_pole(sqrt(c->a2));
    double s = sqrt(disc);
    double r1 = fabs((-c->a1 + s) / 2), r2 = fabs((-c->a1 - s) / 2);
    return dsp_memory_pole(r1 > r2 ? r1 : r2);
}
