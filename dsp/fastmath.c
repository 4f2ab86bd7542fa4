/* fastmath.c - polynomial exp2, sin and cos for gain and pan arrays (see
 * fastmath.h). Taylor series on reduced ranges: 2^f for f in [0, 1) to
 * degree 11 (remainder below (ln 2)^12 / 12! = 2e-11), sin and cos on
 * [0, pi/2] to degrees 13 and 14 (remainders below 1e-11). */
#include "dsp/fastmath.h"

#include <stdint.h>
#include <string.h>

#include "dsp/simd.h"

DSP_HOT
void dsp_db_to_gain(const double *db, float *gain, int n, double silence_db)
{
    for (int i = 0; i < n; i++)
        gain[i] = dsp_db_to_gain_1(db[i], silence_db);
}

DSP_HOT
void dsp_pan_mono_n(const double *pan, float *left, float *right, int n)
{
    for (int i = 0; i < n; i++)
        dsp_pan_mono_1(pan[i], &left[i], &right[i]);
}

DSP_HOT
void dsp_pan_balance_n(const double *pan, float *left, float *right, int n)
{
    for (int i = 0; i < n; i++)
        dsp_pan_balance_1(pan[i], &left[i], &right[i]);
}
