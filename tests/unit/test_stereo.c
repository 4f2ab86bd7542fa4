/* test_stereo.c - dsp/stereo's width, mid/side and channel map against the
 * formulas of stereo.h, computed here in double on random signals:
 *   - width 0 folds to mono: L' = R' = (L + R) / 2 exactly (the float mean);
 *   - width 1 with 0 dB mid and side is the input's own bits (negative
 *     zeros and subnormals included);
 *   - any width, mid and side: L' = gm M + gs S, R' = gm M - gs S within
 *     1e-6 of full scale, and the mono sum L' + R' = 2 gm M whatever the width;
 *   - the level law: two uncorrelated channels of equal level change by
 *     10 log10((1 + w^2) / 2) dB (within 0.05 dB over 2^18 samples);
 *   - a gain line cut into pieces (j0) gives the same bits as in one piece;
 *   - M/S encode and decode are the formulas (within 1e-6) and each other's
 *     inverse (within 1e-6);
 *   - a channel map (swap, copy, rotation, silence) and a polarity inversion
 *     are exact: each output is its source's bits, or their negation. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/stereo.h"
#include "tests/check.h"

#define N 4096

static uint32_t seed = 12345;

/* uniform in [-1, 1) from a 32-bit xorshift (deterministic) */
static float rnd(void)
{
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
    return (float)((double)seed / 2147483648.0 - 1.0);
}

static void random_pair(float *l, float *r, int n)
{
    for (int i = 0; i < n; i++)
        l[i] = rnd(), r[i] = rnd();
}

static void test_width_fold(void)
{
    static float l[N], r[N], l0[N], r0[N];
    random_pair(l0, r0, N);
    memcpy(l, l0, sizeof l);
    memcpy(r, r0, sizeof r);
    double gm, gs;
    dsp_width_gains(0, 0, 0, &gm, &gs);
    dsp_width_process(l, r, N, (float)gm, (float)gs, 0, 0, 0);
    int ok = gm == 1 && gs == 0;
    for (int i = 0; i < N; i++)
        ok &= l[i] == r[i] && l[i] == 0.5f * (l0[i] + r0[i]);
    check(ok, "width 0: L = R = (L + R) / 2 exactly on 4096 random pairs", "a sample differs");
}

static void test_width_unity(void)
{
    static float l[N], r[N], l0[N], r0[N];
    random_pair(l0, r0, N);
    l0[0] = -0.0f, r0[0] = 0.0f; /* a sum would turn -0 into +0 */
    l0[1] = 1e-40f, r0[1] = -1e-42f; /* subnormals */
    l0[2] = 1.0f, r0[2] = 1.0f - 1e-7f; /* (L+R)/2 + (L-R)/2 need not be L */
    memcpy(l, l0, sizeof l);
    memcpy(r, r0, sizeof r);
    double gm, gs;
    dsp_width_gains(1, 0, 0, &gm, &gs);
    dsp_width_process(l, r, N, (float)gm, (float)gs, 0, 0, 0);
    check(memcmp(l, l0, sizeof l) == 0 && memcmp(r, r0, sizeof r) == 0,
          "width 1, mid 0 dB, side 0 dB: the input's bits (negative zero and subnormals too)", "outputs differ");
}

static void test_width_formula(void)
{
    static const double set[][3] = {{0.5, 0, 0}, {1.5, 0, 0}, {2, 0, 0}, {1, -6, 3}, {0.3, 4.5, -12},
                                     {2, 24, 24}, {1, -200, 0}, {1, 0, -HUGE_VAL}, {0.75, -144, -20}};
    static float l[N], r[N], l0[N], r0[N];
    double worst = 0, worst_sum = 0;
    for (size_t t = 0; t < sizeof set / sizeof set[0]; t++) {
        random_pair(l0, r0, N);
        memcpy(l, l0, sizeof l);
        memcpy(r, r0, sizeof r);
        double gm, gs;
        dsp_width_gains(set[t][0], set[t][1], set[t][2], &gm, &gs);
        /* the gains, from the formula (written here, not the kernel's) */
        double wm = set[t][1] <= -144 ? 0 : pow(10, set[t][1] / 20);
        double ws = set[t][2] <= -144 ? 0 : set[t][0] * pow(10, set[t][2] / 20);
        worst = fmax(worst, fmax(fabs(gm - wm), fabs(gs - ws)));
        dsp_width_process(l, r, N, (float)gm, (float)gs, 0, 0, 0);
        double scale = fmax(1.0, fmax(wm, ws)); /* 1e-6 of the output's full scale */
        for (int i = 0; i < N; i++) {
            double m = ((double)l0[i] + r0[i]) / 2, s = ((double)l0[i] - r0[i]) / 2;
            worst = fmax(worst, fabs(l[i] - (wm * m + ws * s)) / scale);
            worst = fmax(worst, fabs(r[i] - (wm * m - ws * s)) / scale);
            worst_sum = fmax(worst_sum, fabs(((double)l[i] + r[i]) - 2 * wm * m) / scale);
        }
    }
    check(worst <= 1e-6, "width/mid/side: L' = gm M + gs S, R' = gm M - gs S within 1e-6 (9 settings)",
          "worst %.3g", worst);
    check(worst_sum <= 1e-6, "width/mid/side: the mono sum L' + R' = 2 gm M whatever the width (within 1e-6)",
          "worst %.3g", worst_sum);
}

static double power(const float *x, int n)
{
    double p = 0;
    for (int i = 0; i < n; i++)
        p += (double)x[i] * x[i];
    return p / n;
}

static void test_width_level(void)
{
    enum { M = 1 << 18 };
    float *l = malloc(M * sizeof *l), *r = malloc(M * sizeof *r), *l0 = malloc(M * sizeof *l0),
          *r0 = malloc(M * sizeof *r0);
    random_pair(l0, r0, M);
    double before = power(l0, M) + power(r0, M);
    int ok = 1;
    for (double w = 0; w <= 2.0001; w += 0.5) {
        memcpy(l, l0, M * sizeof *l);
        memcpy(r, r0, M * sizeof *r);
        double gm, gs;
        dsp_width_gains(w, 0, 0, &gm, &gs);
        dsp_width_process(l, r, M, (float)gm, (float)gs, 0, 0, 0);
        double got = 10 * log10((power(l, M) + power(r, M)) / before), want = 10 * log10((1 + w * w) / 2);
        if (fabs(got - want) > 0.05) {
            ok = 0;
            printf("# width %g: %+.3f dB, the law says %+.3f dB\n", w, got, want);
        }
    }
    check(ok, "level law: uncorrelated equal channels change by 10 log10((1 + w^2) / 2) dB (0.05 dB), w 0..2",
          "a width differs");
    free(l), free(r), free(l0), free(r0);
}

/* A line of gains run in one call, or cut at uneven places with j0 counting
 * on: the same bits; and its values are the line's. */
static void test_width_line(void)
{
    static float l[N], r[N], l2[N], r2[N], l0[N], r0[N];
    random_pair(l0, r0, N);
    memcpy(l, l0, sizeof l);
    memcpy(r, r0, sizeof r);
    memcpy(l2, l0, sizeof l);
    memcpy(r2, r0, sizeof r);
    const float mid = 0.9f, side = 0.2f, dm = -1e-4f, ds = 3e-4f;
    dsp_width_process(l, r, N, mid, side, dm, ds, 7);
    static const int cuts[] = {0, 1, 2, 33, 100, 1000, 1001, 2500, N};
    for (size_t c = 0; c + 1 < sizeof cuts / sizeof cuts[0]; c++)
        dsp_width_process(l2 + cuts[c], r2 + cuts[c], cuts[c + 1] - cuts[c], mid, side, dm, ds, 7 + cuts[c]);
    check(memcmp(l, l2, sizeof l) == 0 && memcmp(r, r2, sizeof r) == 0,
          "a gain line cut into 8 pieces gives the bits of one piece", "outputs differ");
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double gm = mid + (double)dm * (7 + i), gs = side + (double)ds * (7 + i);
        double m = ((double)l0[i] + r0[i]) / 2, s = ((double)l0[i] - r0[i]) / 2;
        worst = fmax(worst, fmax(fabs(l[i] - (gm * m + gs * s)), fabs(r[i] - (gm * m - gs * s))));
    }
    check(worst <= 1e-6, "a gain line: every sample's gains are the line's (within 1e-6)", "worst %.3g", worst);
}

static void test_ms(void)
{
    static float a[N], b[N], l0[N], r0[N];
    random_pair(l0, r0, N);
    memcpy(a, l0, sizeof a);
    memcpy(b, r0, sizeof b);
    dsp_ms_encode(a, b, N);
    double enc = 0;
    for (int i = 0; i < N; i++)
        enc = fmax(enc, fmax(fabs(a[i] - ((double)l0[i] + r0[i]) / 2), fabs(b[i] - ((double)l0[i] - r0[i]) / 2)));
    dsp_ms_decode(a, b, N);
    double round = 0;
    for (int i = 0; i < N; i++)
        round = fmax(round, fmax(fabs(a[i] - l0[i]), fabs(b[i] - r0[i])));
    memcpy(a, l0, sizeof a); /* as M and S */
    memcpy(b, r0, sizeof b);
    dsp_ms_decode(a, b, N);
    double dec = 0;
    for (int i = 0; i < N; i++)
        dec = fmax(dec, fmax(fabs(a[i] - ((double)l0[i] + r0[i])), fabs(b[i] - ((double)l0[i] - r0[i]))));
    check(enc <= 1e-6, "M/S encode: M = (L + R) / 2, S = (L - R) / 2 within 1e-6", "worst %.3g", enc);
    check(dec <= 1e-6, "M/S decode: L = M + S, R = M - S within 1e-6", "worst %.3g", dec);
    check(round <= 1e-6, "M/S decode of the encode gives L R back within 1e-6", "worst %.3g", round);
}

/* Runs map (src, invert) over nch random channels; 1 when each output is
 * exactly its source's bits (negated where inverted, +0 for silence). */
static int map_exact(int nch, const int *src, const unsigned char *invert)
{
    enum { n = 1000 };
    static float in[8][n], io[8][n], scratch[8][n];
    float *p[8], *s[8];
    for (int c = 0; c < nch; c++) {
        for (int i = 0; i < n; i++)
            in[c][i] = rnd();
        in[c][0] = c % 2 ? -0.0f : 1e-41f;
        memcpy(io[c], in[c], sizeof io[c]);
        p[c] = io[c];
        s[c] = scratch[c];
    }
    dsp_chmap m;
    dsp_chmap_init(&m, nch, src, invert);
    dsp_chmap_process(&m, p, s, n);
    int ok = 1;
    for (int c = 0; c < nch; c++)
        for (int i = 0; i < n; i++) {
            float want = src[c] < 0 ? 0.0f : invert && invert[c] ? -in[src[c]][i] : in[src[c]][i];
            ok &= memcmp(&io[c][i], &want, sizeof want) == 0;
        }
    return ok;
}

static void test_chmap(void)
{
    static const int swap[] = {1, 0}, left[] = {0, 0}, rot[] = {1, 2, 3, 0}, hole[] = {0, -1, 2, 1, 1, 5},
                     same[] = {0, 1, 2, 3, 4, 5};
    static const unsigned char inv_r[] = {0, 1}, inv_13[] = {1, 0, 1, 0, 0, 0}, inv_all[] = {1, 1, 1, 1};
    check(map_exact(2, swap, NULL), "channel map { 2, 1 }: L and R swapped, bit for bit", "a sample differs");
    check(map_exact(2, left, NULL), "channel map { 1, 1 }: L on both, bit for bit", "a sample differs");
    check(map_exact(4, rot, NULL), "channel map { 2, 3, 4, 1 }: a rotation, bit for bit", "a sample differs");
    check(map_exact(6, hole, NULL), "channel map { 1, 0, 3, 2, 2, 6 }: copies and silence, bit for bit",
          "a sample differs");
    check(map_exact(2, same, inv_r), "polarity R: R negated exactly, L untouched", "a sample differs");
    check(map_exact(6, same, inv_13), "polarity { 1, 3 } on 6 channels: exactly those negated", "a sample differs");
    check(map_exact(4, rot, inv_all), "a rotation with every channel inverted, bit for bit", "a sample differs");
}

int main(void)
{
    test_width_fold();
    test_width_unity();
    test_width_formula();
    test_width_level();
    test_width_line();
    test_ms();
    test_chmap();
    return check_exit();
}
