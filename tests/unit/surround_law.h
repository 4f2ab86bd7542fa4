/* surround_law.h - the surround panner's 5.1 law written out with libm
 * (docs/surround.md), apart from dsp/surround_pan, for the tests that
 * check the kernel (test_surround_pan) and the engine (test_surround_render)
 * against it: front row L C R, rear row Ls Rs, gains in the file's order
 * L R C LFE Ls Rs, in long double. */
#ifndef TESTS_UNIT_SURROUND_LAW_H
#define TESTS_UNIT_SURROUND_LAW_H

#include <math.h>

static void surround_law_51(long double x, long double y, long double *g)
{
    const long double pi = 3.141592653589793238462643383279502884L;
    long double front = sinl((y + 1) * pi / 4), rear = cosl((y + 1) * pi / 4);
    long double l = 0, c = 0, r = 0;
    if (x < 0)
        l = cosl((x + 1) * pi / 2), c = sinl((x + 1) * pi / 2);
    else
        c = cosl(x * pi / 2), r = sinl(x * pi / 2);
    g[0] = front * l, g[1] = front * r, g[2] = front * c; /* L R C */
    g[3] = 0;                                              /* LFE */
    g[4] = rear * cosl((x + 1) * pi / 4), g[5] = rear * sinl((x + 1) * pi / 4); /* Ls Rs */
}

#endif
