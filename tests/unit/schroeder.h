/* schroeder.h - reverberation time by Schroeder's backward integration
 * (M. R. Schroeder, "New method of measuring reverberation time", JASA 37,
 * 1965; the fit of ISO 3382-1): the energy decay curve
 * EDC(t) = sum over u >= t of h(u)^2, in dB against EDC(0), a least-squares
 * line through its part between -5 and -35 dB, extrapolated to 60 dB.
 * Header-only, shared by the reverb tests. */
#ifndef TESTS_SCHROEDER_H
#define TESTS_SCHROEDER_H

#include <math.h>
#include <stdlib.h>

/* RT60 in seconds of the impulse response h[0..n) sampled at rate. */
__attribute__((unused)) static double schroeder_rt60(const double *h, int n, double rate)
{
    double *edc = malloc((size_t)n * sizeof *edc), acc = 0;
    for (int i = n - 1; i >= 0; i--)
        edc[i] = acc += h[i] * h[i];
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        double db = 10 * log10(edc[i] / edc[0]);
        if (db > -5 || db < -35)
            continue;
        double t = i / rate;
        sx += t, sy += db, sxx += t * t, sxy += t * db, m++;
    }
    free(edc);
    return -60 / ((m * sxy - sx * sy) / (m * sxx - sx * sx));
}

#endif
