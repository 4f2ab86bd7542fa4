/* test_bitcrush.c - the bit crusher (dsp/bitcrush.h) against what its
 * header promises, each counted or computed here independently:
 *   - quantisation: a ramp over [-1, 1 - q/2) at bits = 1..16 comes out in
 *     exactly 2^bits levels, each an integer multiple of q = 2^(1 - bits)
 *     (checked as an integer count of steps, in long double), within q/2 of
 *     its input; silence stays 0, and values beyond full scale keep stepping
 *     by q (no clipping);
 *   - hold lengths: at rate = fs / k (k = 2, 6, 48, 4800) every held value
 *     lasts exactly k samples from sample 0 and is the input at the start
 *     of its hold, over 10 s; at 44.1 kHz in 48 kHz, and at 7350 Hz, holds
 *     are floor(fs / rate) or one more, they start at ceil(j fs / rate),
 *     and n samples hold floor((n - 1) rate / fs) + 1 values;
 *   - a run cut into stretches of 1, 7 and 64 samples is bit-identical to
 *     one run (the countdown carries over);
 *   - the session's grid (dsp_bitcrush_locate): the countdown located at
 *     every sample t of 10 s equals the one a run from sample 0 reached at
 *     t, for periods 6, 48000/7350, 48000/44100, 480 and 1; located at
 *     positions up to 2^45 (and below 0) it is J p - t with J = floor((t
 *     - 1) / p) + 1 computed exactly in 128-bit integers on p's mantissa;
 *     a run started anywhere, located, equals the run from 0 once one
 *     period has passed (what lets a segment's pre-roll settle it);
 *   - t:bitcrush in a render: 4 bits held at 8 kHz on a 48 kHz session is,
 *     sample for sample, the input at the last multiple of 6 samples from
 *     the session start rounded to 1/8 (the formula written out here);
 *     moving bits and rate render bit-identically at --block 1, 64 and 4096,
 *     and a wrong option names its range. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/bitcrush.h"
#include "tests/check.h"
#include "tests/unit/render_util.h"

#define FS 48000.0

static void test_levels(void)
{
    enum { N = 1 << 18 };
    static float x[N];
    for (int bits = 1; bits <= 16; bits++) {
        long double q = ldexpl(1.0L, 1 - bits);
        for (int i = 0; i < N; i++) /* -1 .. 1 - q/2, exclusive */
            x[i] = (float)(-1.0L + (2.0L - q / 2) * i / N);
        dsp_bitcrush s;
        dsp_bitcrush_init(&s, FS, bits, FS);
        float *io[1] = {x};
        static float in[N];
        memcpy(in, x, sizeof x);
        dsp_bitcrush_process(&s, io, 1, N);
        long levels = 0, off_grid = 0;
        long double worst = 0, prev = -INFINITY;
        for (int i = 0; i < N; i++) {
            long double steps = x[i] / q;
            off_grid += steps != floorl(steps);
            long double e = fabsl((long double)x[i] - in[i]);
            worst = e > worst ? e : worst;
            levels += x[i] != prev;
            prev = x[i];
        }
        char name[200];
        snprintf(name, sizeof name,
                 "bits %d: a ramp over [-1, 1 - q/2) gives %ld levels (2^bits = %ld), all on the grid of q, error <= "
                 "q/2 (worst %.3Lg q)",
                 bits, levels, 1L << bits, worst / q);
        check(levels == (1L << bits) && off_grid == 0 && worst <= q / 2, name, "%ld levels, %ld off the grid", levels,
              off_grid);
    }
    /* silence stays silence; beyond full scale it keeps stepping */
    dsp_bitcrush s;
    dsp_bitcrush_init(&s, FS, 3, FS);
    float v[4] = {0.0f, -0.0f, 2.3f, -5.1f};
    float *io[1] = {v};
    dsp_bitcrush_process(&s, io, 1, 4);
    check(v[0] == 0 && v[1] == 0 && v[2] == 2.25f && v[3] == -5.0f,
          "3 bits: 0 stays 0; 2.3 and -5.1 round to 2.25 and -5 (steps of 0.25 past full scale)", "%g %g %g %g", v[0],
          v[1], v[2], v[3]);
}

/* Lengths of the runs of equal values in y[0..n) (distinct input every
 * sample, so a run is a hold), into runs[]; returns their count. */
static int holds(const float *y, int n, int *runs)
{
    int nr = 0, len = 1;
    for (int i = 1; i <= n; i++) {
        if (i < n && y[i] == y[i - 1]) {
            len++;
            continue;
        }
        runs[nr++] = len;
        len = 1;
    }
    return nr;
}

static void test_holds(void)
{
    enum { N = 480000 }; /* 10 s */
    static float x[N], in[N];
    static int runs[N];
    /* a distinct value every sample, on the 24-bit grid so quantising keeps it */
    for (int i = 0; i < N; i++)
        in[i] = (float)ldexp(i - N / 2, -19);
    static const int ks[] = {2, 6, 48, 4800};
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        int k = ks[t];
        dsp_bitcrush s;
        dsp_bitcrush_init(&s, FS, 24, FS / k);
        memcpy(x, in, sizeof in);
        float *io[1] = {x};
        dsp_bitcrush_process(&s, io, 1, N);
        int bad = 0;
        for (int i = 0; i < N; i++)
            bad += x[i] != in[i - i % k];
        char name[160];
        snprintf(name, sizeof name, "rate %g Hz: every value held exactly %d samples from sample 0 over 10 s, the "
                 "input at its start", FS / k, k);
        check(bad == 0, name, "%d samples differ", bad);
    }
    static const double rates[] = {44100, 7350};
    for (size_t t = 0; t < sizeof rates / sizeof rates[0]; t++) {
        double rate = rates[t], p = FS / rate;
        dsp_bitcrush s;
        dsp_bitcrush_init(&s, FS, 24, rate);
        memcpy(x, in, sizeof in);
        float *io[1] = {x};
        dsp_bitcrush_process(&s, io, 1, N);
        int nr = holds(x, N, runs), lo = (int)floor(p), wrong = 0, late = 0;
        long start = 0;
        for (int r = 0; r < nr; r++) {
            /* the j-th hold starts at ceil(j p), in long double, and holds its input */
            late += start != (long)ceill(r * (long double)p) || x[start] != in[start];
            if (r < nr - 1) /* the last run is cut by the end */
                wrong += runs[r] != lo && runs[r] != lo + 1;
            start += runs[r];
        }
        long want = (long)floorl((N - 1) / (long double)p) + 1;
        char name[200];
        snprintf(name, sizeof name,
                 "rate %g Hz: holds of %d or %d samples only, starting at ceil(j fs / rate); %d values in %d samples "
                 "(floor((n - 1) rate / fs) + 1 = %ld)",
                 rate, lo, lo + 1, nr, N, want);
        check(wrong == 0 && late == 0 && nr == want, name, "%d wrong holds, %d misplaced", wrong, late);
    }
}

static void test_stretches(void)
{
    enum { N = 9001, NCH = 2 };
    static float one[NCH][N], cut[NCH][N];
    for (int c = 0; c < NCH; c++)
        for (int i = 0; i < N; i++)
            one[c][i] = cut[c][i] = (float)(0.7 * sin(0.0131 * i * (c + 1)));
    dsp_bitcrush a, b;
    dsp_bitcrush_init(&a, FS, 5.5, 7350), dsp_bitcrush_init(&b, FS, 5.5, 7350);
    float *io[NCH] = {one[0], one[1]};
    dsp_bitcrush_process(&a, io, NCH, N);
    static const int lens[] = {1, 7, 64};
    for (int i = 0, k = 0; i < N; k++) {
        int len = lens[k % 3] < N - i ? lens[k % 3] : N - i;
        float *seg[NCH] = {cut[0] + i, cut[1] + i};
        dsp_bitcrush_process(&b, seg, NCH, len);
        i += len;
    }
    check(memcmp(one, cut, sizeof one) == 0 && a.until == b.until,
          "a run cut into stretches of 1, 7 and 64 samples is bit-identical to one run", "they differ");
}

/* J p - t, J = floor((t - 1) / p) + 1, exactly: p = m 2^-sh with m a
 * 53-bit integer (sh > 0 for any period under 2^53), so J = floor((t - 1)
 * 2^sh / m) and J p - t = ((J m) - t 2^sh) 2^-sh in 128-bit integers. */
static double exact_until(int64_t t, double p)
{
    int e;
    double f = frexp(p, &e); /* p = f 2^e, f in [0.5, 1) */
    __int128 m = (__int128)ldexp(f, 53);
    int sh = 53 - e;
    __int128 num = (__int128)(t - 1) * ((__int128)1 << sh);
    __int128 j = num >= 0 ? num / m : -((-num + m - 1) / m); /* floor */
    __int128 r = (j + 1) * m - (__int128)t * ((__int128)1 << sh);
    return ldexp((double)r, -sh);
}

static void test_locate(void)
{
    enum { N = 480000 };
    static const double periods[] = {6, 48000.0 / 7350, 48000.0 / 44100, 480, 1};
    for (size_t k = 0; k < sizeof periods / sizeof periods[0]; k++) {
        double rate = FS / periods[k];
        dsp_bitcrush run, at;
        dsp_bitcrush_init(&run, FS, 24, rate), dsp_bitcrush_init(&at, FS, 24, rate);
        long bad = 0;
        for (int t = 0; t < N; t++) {
            dsp_bitcrush_locate(&at, t);
            bad += at.until != run.until;
            dsp_bitcrush_process(&run, NULL, 0, 1); /* the countdown alone */
        }
        char name[200];
        snprintf(name, sizeof name, "period %.6g: the countdown located at each of %d samples = the one a run from "
                 "sample 0 reached there", run.period, N);
        check(bad == 0, name, "%ld differ", bad);
        /* far positions, and before 0, against integer arithmetic */
        bad = 0;
        double worst = 0;
        for (int i = 0; i < 4000; i++) {
            int64_t t = i < 2000 ? ((int64_t)1 << 45) - 1000 + i * 7919LL : -1000000 + i * 997LL;
            dsp_bitcrush_locate(&at, t);
            double want = exact_until(t, run.period);
            bad += at.until != want;
            double d = fabs(at.until - want);
            worst = d > worst ? d : worst;
        }
        snprintf(name, sizeof name, "period %.6g: located near 2^45 and below 0, J p - t exactly (128-bit integers)",
                 run.period);
        check(bad == 0, name, "%ld differ (worst by %g)", bad, worst);
    }
    /* started anywhere, located: the run from 0 after one period */
    enum { M = 20000 };
    static float whole[M], part[M];
    for (int i = 0; i < M; i++)
        whole[i] = (float)(0.7 * sin(0.0173 * i));
    static const int starts[] = {1, 5, 3333, 12345};
    int bad = 0;
    for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
        dsp_bitcrush a, b;
        dsp_bitcrush_init(&a, FS, 6, 7350), dsp_bitcrush_init(&b, FS, 6, 7350);
        static float w[M];
        memcpy(w, whole, sizeof w);
        memcpy(part, whole, sizeof part);
        float *io[1] = {w};
        dsp_bitcrush_locate(&a, 0);
        dsp_bitcrush_process(&a, io, 1, M);
        int s0 = starts[k];
        float *pio[1] = {part + s0};
        dsp_bitcrush_locate(&b, s0);
        dsp_bitcrush_process(&b, pio, 1, M - s0);
        for (int i = s0 + 7; i < M; i++) /* a hold is 6 or 7 samples */
            bad += part[i] != w[i];
    }
    check(bad == 0, "a run started at samples 1, 5, 3333 and 12345, located, = the run from 0 after one hold (7 "
          "samples)", "%d samples differ", bad);
}

static double sine(int i, int c)
{
    (void)c;
    return 0.8 * sin(2 * M_PI * 220 * i / 48000.0);
}

static void test_render(void)
{
    write_wav("sine.wav", 48000, 1, 48000, sine);
    char script[1024];
    int f = 0, ch = 0;
    one_track_script(script, sizeof script, "sine.wav", "t:bitcrush { bits = 4, rate = 8000 }\n");
    float *y = render(script, 1024) == 0 ? read_wav("o.wav", &f, &ch) : NULL;
    int bad = y ? 0 : 1;
    for (int i = 0; y && i < f; i++) {
        double x = (float)sine(i - i % 6, 0);       /* held from the last multiple of 6 */
        double want = floor(x * 8 + 0.5) / 8;        /* 4 bits: steps of 2^-3 */
        bad += y[i] != (float)want;
    }
    char name[200];
    snprintf(name, sizeof name,
             "t:bitcrush { bits = 4, rate = 8000 } at 48 kHz: each sample is the input at the last multiple of 6 "
             "samples, rounded to 1/8 (%d of %d differ)",
             bad, f);
    check(y && f == 48000 && bad == 0, name, "%d differ", bad);
    free(y);
    check_moving_blocks("sine.wav",
                        "local c = t:bitcrush { bits = 12, rate = 22050 }\n"
                        "c.bits:ramp { at = 0.1, to = 3, over = 0.5 }\n"
                        "c.rate:ramp { at = \"12011smp\", to = 2000, over = 0.3 }\n",
                        "a bit crusher with moving bits and rate");
    expect_error_at("local t = track \"T\" { channels = 1 }\n"
                    "t:bitcrush { bits = 30 }\n",
                    2, "24", "bits = 30 is refused at its line, with the range");
    expect_error_at("local t = track \"T\" { channels = 1 }\n"
                    "t:bitcrush { bist = 4 }\n",
                    2, "did you mean 'bits'", "a misspelt option gets a did-you-mean");
}

int main(void)
{
    if (scratch_open("test-bitcrush") != 0)
        return 2;
    test_levels();
    test_holds();
    test_stretches();
    test_locate();
    test_render();
    scratch_close();
    return check_exit();
}
