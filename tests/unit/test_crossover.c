/* test_crossover.c - dsp/crossover's three-band LR8 split, measured from
 * its impulse responses (a DFT computed here, in double, of 65536 samples:
 * every band has decayed below -200 dB long before), against closed forms:
 *   - each band's magnitude against the Linkwitz-Riley formula: an LR8
 *     filter is a 4th-order Butterworth squared, so with the prewarped
 *     Omega_i = tan(pi f / fs) / tan(pi f_i / fs) (the bilinear transform
 *     maps f to Omega_i), |LP_i| = 1 / (1 + Omega_i^8) and |HP_i| =
 *     Omega_i^8 / (1 + Omega_i^8); low = LP_1 (the allpass added to it has
 *     unit magnitude), mid = HP_1 LP_2, high = HP_1 HP_2. Tolerance 0.01 dB
 *     where the formula is above -80 dB (below, the float rounding between
 *     the cascaded stages shows: 0.004 dB at -85 dB, 0.014 dB at -98 dB;
 *     the measurement must then be below -70 dB), at 160
 *     log-spaced frequencies from 10 Hz to 0.45 fs;
 *   - low + mid + high is an allpass: |H| = 1 (0 dB) within 0.001 dB at the
 *     same frequencies;
 *   - -6.02 dB (20 log10 1/2) for the two bands that meet at each crossover
 *     frequency, within 0.01 dB;
 * at 44.1, 48 and 96 kHz, for two pairs of crossover frequencies. */
#include "dsp/crossover.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"

#define PI 3.14159265358979323846
#define LEN 65536
#define NF 160
#define BAND_TOL 0.01   /* dB: each band against the formula */
#define SUM_TOL 0.001   /* dB: the sum against 0 dB */
#define FLOOR_DB (-80.0) /* below: the float rounding between stages shows (0.004 dB at -85 dB) */

typedef struct {
    float low[LEN], mid[LEN], high[LEN];
} bands;

static double complex dft_at(const float *x, double fs, double f)
{
    double complex acc = 0, w = cexp(-I * 2 * PI * f / fs), z = 1;
    for (int n = 0; n < LEN; n++) {
        acc += x[n] * z;
        z *= w;
        if ((n & 1023) == 1023) /* renormalise the rotating phasor against drift */
            z = cexp(-I * 2 * PI * f / fs * (n + 1));
    }
    return acc;
}

static double db(double complex h)
{
    return 20 * log10(cabs(h));
}

static double omega8(double fs, double fc, double f)
{
    double o = tan(PI * f / fs) / tan(PI * fc / fs);
    return pow(o, 8);
}

static void one_case(bands *b, double fs, double f1, double f2)
{
    static float impulse[LEN];
    impulse[0] = 1.0f;
    dsp_xover3 x;
    dsp_xover3_init(&x, fs, f1, f2);
    dsp_xover3_process(&x, impulse, b->low, b->mid, b->high, LEN);

    double worst_band = 0, worst_sum = 0, worst_floor = -1000;
    for (int k = 0; k < NF; k++) {
        double f = 10.0 * pow(0.45 * fs / 10.0, (double)k / (NF - 1));
        double complex hl = dft_at(b->low, fs, f), hm = dft_at(b->mid, fs, f), hh = dft_at(b->high, fs, f);
        double o1 = omega8(fs, f1, f), o2 = omega8(fs, f2, f);
        double want[3] = {20 * log10(1 / (1 + o1)), 20 * log10(o1 / (1 + o1) / (1 + o2)),
                          20 * log10(o1 / (1 + o1) * o2 / (1 + o2))};
        double got[3] = {db(hl), db(hm), db(hh)};
        for (int j = 0; j < 3; j++) {
            if (want[j] > FLOOR_DB) {
                worst_band = fmax(worst_band, fabs(got[j] - want[j]));
            }
            else
                worst_floor = fmax(worst_floor, got[j]);
        }
        worst_sum = fmax(worst_sum, fabs(db(hl + hm + hh)));
    }
    char name[160];
    snprintf(name, sizeof name, "fs %g, %g/%g Hz: each band = the LR8 formula", fs, f1, f2);
    check(worst_band <= BAND_TOL, name, "worst %.5f dB (tolerance %g)", worst_band, BAND_TOL);
    snprintf(name, sizeof name, "fs %g, %g/%g Hz: bands below -80 dB by the formula measure below -70 dB", fs, f1,
             f2);
    check(worst_floor <= -70.0, name, "loudest %.2f dB", worst_floor);
    snprintf(name, sizeof name, "fs %g, %g/%g Hz: low + mid + high has unit magnitude", fs, f1, f2);
    check(worst_sum <= SUM_TOL, name, "worst %.6f dB from 0 (tolerance %g)", worst_sum, SUM_TOL);

    /* the -6 dB points: at f1 low and mid meet, at f2 mid and high (the far
     * filter's contribution at the other crossover is within 0.001 dB of 0
     * for these pairs, over 3 octaves apart) */
    double m6 = 20 * log10(0.5);
    double at1l = db(dft_at(b->low, fs, f1)), at1m = db(dft_at(b->mid, fs, f1));
    double at2m = db(dft_at(b->mid, fs, f2)), at2h = db(dft_at(b->high, fs, f2));
    snprintf(name, sizeof name, "fs %g: low and mid at -6.02 dB at f1 = %g Hz", fs, f1);
    check(fabs(at1l - m6) <= BAND_TOL && fabs(at1m - m6) <= BAND_TOL, name, "low %.4f, mid %.4f dB", at1l, at1m);
    snprintf(name, sizeof name, "fs %g: mid and high at -6.02 dB at f2 = %g Hz", fs, f2);
    check(fabs(at2m - m6) <= BAND_TOL && fabs(at2h - m6) <= BAND_TOL, name, "mid %.4f, high %.4f dB", at2m, at2h);
}

int main(void)
{
    static const double rates[] = {44100.0, 48000.0, 96000.0};
    static const double pairs[][2] = {{250.0, 3000.0}, {120.0, 8000.0}};
    bands *b = malloc(sizeof *b);
    for (int r = 0; r < 3; r++)
        for (int p = 0; p < 2; p++)
            one_case(b, rates[r], pairs[p][0], pairs[p][1]);
    free(b);
    return check_exit();
}
