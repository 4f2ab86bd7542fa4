/* fastmath.c - polynomial exp2, sin and cos for gain and pan arrays (see
 * fastmath.h). Taylor series on reduced ranges: 2^f for f in [0, 1) to
 * degree 11 (remainder below (ln 2)^12 / 12! = 2e-11), sin and cos on
 * [0, pi/2] to degrees 13 and 14 (remainders below (pi/2)^15 / 15! = 7e-10
 * and (pi/2)^16 / 16! = 7e-11, reached at pi/2; tests/unit/test_fastmath.c
 * measures them). */
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
