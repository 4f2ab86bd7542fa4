/* test_loudness.c - dsp/loudness against EBU Tech 3341 / Tech 3342, the
 * written definitions of BS.1770-4, libebur128, and its own invariants.
 *
 * Every EBU test signal is made in C from the written definitions by
 * tests/unit/ebu_signals.h (which tests/tools/make_ebu.c writes to files for
 * `dubstage loudness`). Expected values and tolerances are the EBU's: M, S,
 * I +-0.1 LU; LRA +-1 LU; true peak +0.2/-0.4 dB. */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/loudness.h"
#include "dsp/simd.h"
#include "dsp/truepeak.h"
#include "tests/check.h"
#include "tests/unit/ebu_signals.h"

/* ---- signals ------------------------------------------------------------ */

static uint64_t rng_state;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

/* Something shaped like a programme: phrases of 2-12 s at levels from -45 to
 * -12 dB (some silent), each a mix of bass-heavy noise (one-pole low-passed)
 * and a few partials with a slow envelope, channels partly correlated. */
static void music_like(sig *s, double seconds, uint64_t seed)
{
    rng_state = seed;
    long total = (long)(seconds * s->rate);
    sig_grow(s, total);
    double lp[MAX_CH] = {0}, lp2[MAX_CH] = {0};
    long i = 0;
    while (i < total) {
        long len = (long)((2.0 + 10.0 * uniform()) * s->rate);
        if (len > total - i)
            len = total - i;
        int quiet = uniform() < 0.1;
        double level = quiet ? 0.0 : pow(10.0, (-45.0 + 33.0 * uniform()) / 20.0);
        double f[3] = {80.0 + 400.0 * uniform(), 300.0 + 1500.0 * uniform(), 1000.0 + 5000.0 * uniform()};
        double amp[3] = {0.5 * uniform(), 0.3 * uniform(), 0.1 * uniform()};
        for (long k = 0; k < len; k++, i++) {
            double env = sin(PI * (double)k / (double)len);
            env = 0.3 + 0.7 * env;
            double t = (double)i / s->rate;
            double tonal = 0.0;
            for (int p = 0; p < 3; p++)
                tonal += amp[p] * sin(2.0 * PI * f[p] * t);
            double common = uniform() - 0.5;
            for (int c = 0; c < s->channels; c++) {
                double w = 0.6 * common + 0.4 * (uniform() - 0.5);
                lp[c] += 0.05 * (w - lp[c]);
                lp2[c] += 0.3 * (w - lp2[c]);
                double v = level * env * (2.0 * lp[c] + 0.6 * lp2[c] + 0.4 * tonal * (c % 2 ? 0.8 : 1.0));
                s->x[c][i] = (float)v;
            }
        }
    }
    s->n = total;
}

/* Tones from 20 Hz to 23 kHz, 0.1 s each, in turn, each at a random level
 * (-26 to -0.5 dBFS) and phase (channel c a further c radians on). */
static void tones(sig *s, long pieces, uint64_t seed)
{
    static const double freq[] = {20, 97, 440, 1000, 3150, 6000, 9000, 12000, 15000, 18000, 20000, 23000};
    const long piece = 4800;
    rng_state = seed;
    sig_grow(s, pieces * piece);
    for (long k = 0; k < pieces; k++) {
        double f = freq[k % 12], amp = 0.05 + 0.9 * uniform(), ph = 2 * PI * uniform();
        for (long i = 0; i < piece; i++)
            for (int c = 0; c < s->channels; c++)
                s->x[c][k * piece + i] = (float)(amp * sin(2 * PI * f * (double)i / 48000 + ph + c));
    }
    s->n = pieces * piece;
}

/* BS.1770-4 Annex 2, as published */
static const double annex2[4][12] = {
    {0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875, 0.1373291015625,
     0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500},
    {-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500, 0.4650878906250,
     0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375},
    {-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000, -0.2003173828125, 0.7797851562500,
     0.4650878906250, -0.1665039062500, 0.0891113281250, -0.0517578125000, 0.0292968750000, -0.0291748046875},
    {-0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750, -0.1022949218750, 0.9721679687500,
     0.1373291015625, -0.0594482421875, 0.0332031250000, -0.0196533203125, 0.0109863281250, 0.0017089843750},
};

/* Dense material: Gaussian white noise (Box-Muller), 0.1 s each at a
 * random RMS (-30 to -9 dBFS), the channels independent: neighbours differ
 * as much as the samples, where the true peak's skips are decided near
 * their bounds' edge. Every fourth piece holds a burst that is a phase's
 * 12 taps, 12 times the piece's RMS: the window on it reads the phase's
 * sum of squared taps times the scale (0.983 of the scale for the outer
 * phases, above the burst's largest sample, 0.972 of it), the most a
 * window of that energy can read, so a skip bound too tight would miss it
 * (the bursts take the four phases in turn, both orientations; a skip by
 * the energy of 12 samples 3 % too tight failed the windowed test). */
static void dense(sig *s, long pieces, uint64_t seed)
{
    const long piece = 4800;
    rng_state = seed;
    sig_grow(s, pieces * piece);
    for (long k = 0; k < pieces; k++) {
        double rms = pow(10.0, (-30.0 + 21.0 * uniform()) / 20.0);
        for (long i = 0; i < piece; i++)
            for (int c = 0; c < s->channels; c++) {
                double u = uniform(), v = uniform();
                s->x[c][k * piece + i] = (float)(rms * sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * PI * v));
            }
        if (k % 4 == 3)
            for (int c = 0; c < s->channels; c++)
                for (int j = 0; j < 12; j++)
                    s->x[c][k * piece + 1000 + (k * 37 + c * 101) % 2000 + j] = (float)(12.0 * rms * annex2[(k / 4 + c) % 4][j]);
    }
    s->n = pieces * piece;
}

/* The true-peak skipping tests' stereo signals: kind 0 a programme, 1
 * tones, 2 dense noise (seconds long, from seed). */
static const char *const skip_kind[] = {"programme", "tones", "dense noise"};
static void skip_signal(sig *s, int kind, double seconds, uint64_t seed)
{
    sig_init(s, 48000, 2);
    if (kind == 0)
        music_like(s, seconds, seed);
    else if (kind == 1)
        tones(s, (long)(seconds * 10), seed);
    else
        dense(s, (long)(seconds * 10), seed);
}

/* ---- measuring ---------------------------------------------------------- */

static dsp_loudness *meter_for(const sig *s, int grid)
{
    dsp_loudness_config cfg;
    dsp_loudness_config_init(&cfg, s->rate, s->channels);
    if (grid)
        cfg.grid = grid;
    return dsp_loudness_create(&cfg);
}

static void feed(dsp_loudness *m, const sig *s, long from, long to, int block)
{
    const float *p[MAX_CH];
    for (long pos = from; pos < to; pos += block) {
        int n = to - pos < block ? (int)(to - pos) : block;
        for (int c = 0; c < s->channels; c++)
            p[c] = s->x[c] + pos;
        dsp_loudness_process(m, p, n);
    }
}

static dsp_loudness_result measure(const sig *s, int grid, int block)
{
    dsp_loudness_result r;
    dsp_loudness *m = meter_for(s, grid);
    feed(m, s, 0, s->n, block);
    dsp_loudness_get(m, &r);
    dsp_loudness_destroy(&m);
    return r;
}

/* check a reading within [want - below, want + above] */
static void check_in(double got, double want, double below, double above, const char *name)
{
    check(got >= want - below && got <= want + above, name, "got %.4f, want %.2f (+%.2f/-%.2f)", got, want, above,
          below);
}

/* ---- Tech 3341 ---------------------------------------------------------- */

static void case_msi(const char *name, double rate, double db, double want)
{
    sig s;
    sig_init(&s, rate, 2);
    tone(&s, 20.0, db);
    dsp_loudness *m = meter_for(&s, 0);
    feed(m, &s, 0, s.n, 1024);
    dsp_loudness_result r;
    dsp_loudness_get(m, &r);
    char b[160];
    snprintf(b, sizeof b, "%s: I", name);
    check_near(r.integrated_lufs, want, 0.1, b);
    snprintf(b, sizeof b, "%s: M at the end", name);
    check_near(dsp_loudness_momentary(m), want, 0.1, b);
    snprintf(b, sizeof b, "%s: S at the end", name);
    check_near(dsp_loudness_short_term(m), want, 0.1, b);
    snprintf(b, sizeof b, "%s: max M", name);
    check_near(r.max_momentary_lufs, want, 0.1, b);
    snprintf(b, sizeof b, "%s: max S", name);
    check_near(r.max_short_term_lufs, want, 0.1, b);
    dsp_loudness_destroy(&m);
    sig_free(&s);
}

static void case_i(const char *name, sig *s, double want)
{
    dsp_loudness_result r = measure(s, 0, 1024);
    check_near(r.integrated_lufs, want, 0.1, name);
    sig_free(s);
}

/* every M (or S) value on the grid from `from_s` to the end, against want */
static void case_trace(const char *name, sig *s, int short_term, double from_s, double want)
{
    dsp_loudness *m = meter_for(s, 0);
    int step = (int)(s->rate / 10.0 + 0.5) / 10;  /* the default grid: 10 per 100 ms */
    long from = (long)(from_s * s->rate);
    double lo = 1e9, hi = -1e9;
    for (long pos = 0; pos + step <= s->n; pos += step) {
        feed(m, s, pos, pos + step, step);
        if (pos + step < from)
            continue;
        double v = short_term ? dsp_loudness_short_term(m) : dsp_loudness_momentary(m);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    check(lo >= want - 0.1 && hi <= want + 0.1, name, "from %.3f to %.3f LUFS, want %.1f +-0.1", lo, hi, want);
    dsp_loudness_destroy(&m);
    sig_free(s);
}

/* Cases 11 and 14, read as a live meter shows them: M (or S) after every
 * grid step, its largest value over the steps of each piece, against the
 * piece's burst level -38 + i. A reading whose window reaches back into the
 * previous piece sees only the end of a quieter burst (bursts are more than
 * a window apart), so the piece's max is its own burst's. */
static void case_live(const char *name, sig *s, int short_term, double piece_s)
{
    dsp_loudness *m = meter_for(s, 0);
    int step = (int)(s->rate / 10.0 + 0.5) / 10; /* the default grid: 10 per 100 ms */
    long piece = (long)floor(piece_s * s->rate + 0.5);
    int bad = 0;
    double worst = 0.0;
    for (int i = 0; i < 20; i++) {
        double max = -INFINITY;
        for (long pos = i * piece; pos + step <= (i + 1) * piece; pos += step) {
            feed(m, s, pos, pos + step, step);
            double v = short_term ? dsp_loudness_short_term(m) : dsp_loudness_momentary(m);
            max = v > max ? v : max;
        }
        double e = max - (-38.0 + i);
        bad += !(fabs(e) <= 0.1);
        worst = !(fabs(e) <= fabs(worst)) ? e : worst;
    }
    check(bad == 0, name, "%d of 20 off, worst %+.3f LU", bad, worst);
    dsp_loudness_destroy(&m);
    sig_free(s);
}

static void test_tech3341(void)
{
    sig s;
    case_msi("3341 case 1 (stereo 1 kHz -23 dBFS)", 48000, -23.0, -23.0);
    case_msi("3341 case 2 (stereo 1 kHz -33 dBFS)", 48000, -33.0, -33.0);
    case_msi("3341 case 1 at 44.1 kHz", 44100, -23.0, -23.0);
    case_msi("3341 case 2 at 44.1 kHz", 44100, -33.0, -33.0);
    case_msi("3341 case 1 at 96 kHz", 96000, -23.0, -23.0);
    case_msi("3341 case 2 at 96 kHz", 96000, -33.0, -33.0);

    sig_init(&s, 48000, 2);
    tone(&s, 10, -36), tone(&s, 60, -23), tone(&s, 10, -36);
    case_i("3341 case 3 (relative gate): I", &s, -23.0);

    sig_init(&s, 48000, 2);
    tone(&s, 10, -72), tone(&s, 10, -36), tone(&s, 60, -23), tone(&s, 10, -36), tone(&s, 10, -72);
    case_i("3341 case 4 (absolute and relative gate): I", &s, -23.0);

    sig_init(&s, 48000, 2);
    tone(&s, 20, -26), tone(&s, 20.1, -20), tone(&s, 20, -26);
    case_i("3341 case 5: I", &s, -23.0);

    sig_init(&s, 48000, 6);
    const double db51[6] = {-28, -28, -24, NAN, -30, -30};
    tone_ch(&s, 960000, db51);
    case_i("3341 case 6 (5.1, Ls/Rs weighted 1.41, LFE out): I", &s, -23.0);

    sig_init(&s, 48000, 2);
    for (int i = 0; i < 5; i++)
        tone(&s, 1.34, -20), tone(&s, 1.66, -30);
    case_trace("3341 case 9: every S from 3 s on", &s, 1, 3.0, -23.0);

    sig_init(&s, 48000, 2);
    for (int i = 0; i < 25; i++)
        tone(&s, 0.18, -20), tone(&s, 0.22, -30);
    case_trace("3341 case 12: every M from 1 s on", &s, 0, 1.0, -23.0);

    /* cases 10 and 13: max S and max M of a burst at any of 20 starts */
    int bad10 = 0, bad13 = 0;
    double worst10 = 0, worst13 = 0;
    for (int i = 0; i < 20; i++) {
        sig_init(&s, 48000, 2);
        silence(&s, 0.15 * i), tone(&s, 3.0, -23), silence(&s, 1.0);
        double e = measure(&s, 0, 1024).max_short_term_lufs + 23.0;
        bad10 += fabs(e) > 0.1;
        worst10 = fabs(e) > fabs(worst10) ? e : worst10;
        sig_free(&s);
        sig_init(&s, 48000, 2);
        silence(&s, 0.02 * i), tone(&s, 0.4, -23), silence(&s, 1.0);
        e = measure(&s, 0, 1024).max_momentary_lufs + 23.0;
        bad13 += fabs(e) > 0.1;
        worst13 = fabs(e) > fabs(worst13) ? e : worst13;
        sig_free(&s);
    }
    check(bad10 == 0, "3341 case 10: max S -23 +-0.1 in all 20 files", "%d off, worst %+.3f LU", bad10, worst10);
    check(bad13 == 0, "3341 case 13: max M -23 +-0.1 in all 20 files", "%d off, worst %+.3f LU", bad13, worst13);

    live_bursts(&s, 0.15, 3.0, 6.0);
    case_live("3341 case 11: the largest S while each burst plays, -38 ... -19 in turn", &s, 1, 6.0);
    live_bursts(&s, 0.02, 0.4, 0.8);
    case_live("3341 case 14: the largest M while each burst plays, -38 ... -19 in turn", &s, 0, 0.8);

    /* case 13 again with the bursts 7 ms off the 10 ms grid: a 5 ms grid
     * (grid = 20) keeps max M within tolerance at any alignment */
    bad13 = 0, worst13 = 0;
    for (int i = 0; i < 20; i++) {
        sig_init(&s, 48000, 2);
        silence(&s, 0.007 + 0.02 * i), tone(&s, 0.4, -23), silence(&s, 1.0);
        double e = measure(&s, 20, 1024).max_momentary_lufs + 23.0;
        bad13 += fabs(e) > 0.1;
        worst13 = fabs(e) > fabs(worst13) ? e : worst13;
        sig_free(&s);
    }
    check(bad13 == 0, "3341 case 13 shifted 7 ms, 5 ms grid: max M -23 +-0.1", "%d off, worst %+.3f LU", bad13,
          worst13);

    static const struct {
        const char *name;
        double freq, phase, amp, want, sample_peak;
    } tp[] = {
        {"3341 case 15 (fs/4, phase 0): TP", 12000, 0, 0.5, -6.0, -6.02},
        {"3341 case 16 (fs/4, phase 45): TP", 12000, 12.5, 0.5, -6.0, -9.03},
        {"3341 case 17 (fs/6, phase 60): TP", 8000, 100.0 / 6.0, 0.5, -6.0, -7.27},
        {"3341 case 18 (fs/8, phase 67.5): TP", 6000, 18.75, 0.5, -6.0, -6.71},
        {"3341 case 19 (fs/4, phase 45, 1.41 FFS): TP", 12000, 12.5, 1.41, 3.0, -0.03},
    };
    for (size_t i = 0; i < sizeof tp / sizeof tp[0]; i++) {
        tp_case(&s, tp[i].freq, tp[i].phase, tp[i].amp);
        dsp_loudness_result r = measure(&s, 0, 1024);
        check_in(r.true_peak_dbtp, tp[i].want, 0.4, 0.2, tp[i].name);
        char b[160];
        snprintf(b, sizeof b, "%s: the signal's sample peak is %.2f dBFS", tp[i].name, tp[i].sample_peak);
        check_near(r.sample_peak_dbfs, tp[i].sample_peak, 0.01, b);
        sig_free(&s);
    }
    static const double burst_sp[4] = {-0.14, -0.52, -2.59, -0.52};
    for (int k = 0; k < 4; k++) {
        tp_burst(&s, k);
        dsp_loudness_result r = measure(&s, 0, 1024);
        char b[160];
        snprintf(b, sizeof b, "3341 case %d (band-limited burst, offset %d): TP", 20 + k, k);
        check_in(r.true_peak_dbtp, 0.0, 0.4, 0.2, b);
        snprintf(b, sizeof b, "3341 case %d: the signal's sample peak is %.2f dBFS (construction check)", 20 + k,
                 burst_sp[k]);
        check_near(r.sample_peak_dbfs, burst_sp[k], 0.02, b);
        sig_free(&s);
    }
}

/* ---- Tech 3342 ---------------------------------------------------------- */

static void test_tech3342(void)
{
    static const struct {
        const char *name;
        int n;
        double db[5];
        double want;
    } lra[] = {
        {"3342 case 1 (-20, -30): LRA", 2, {-20, -30}, 10},
        {"3342 case 2 (-20, -15): LRA", 2, {-20, -15}, 5},
        {"3342 case 3 (-40, -20): LRA", 2, {-40, -20}, 20},
        {"3342 case 4 (-50, -35, -20, -35, -50): LRA", 5, {-50, -35, -20, -35, -50}, 15},
    };
    for (size_t i = 0; i < sizeof lra / sizeof lra[0]; i++) {
        sig s;
        sig_init(&s, 48000, 2);
        for (int k = 0; k < lra[i].n; k++)
            tone(&s, 20.0, lra[i].db[k]);
        dsp_loudness_result r = measure(&s, 0, 1024);
        check_near(r.range_lu, lra[i].want, 1.0, lra[i].name);
        sig_free(&s);
    }
}

/* ---- K-weighting at other rates ----------------------------------------- */

static double tone_loudness(double rate, double freq)
{
    sig s;
    sig_init(&s, rate, 1);
    long n = (long)(rate * 2.0);
    sig_grow(&s, n);
    for (long i = 0; i < n; i++)
        s.x[0][i] = (float)(0.1 * sin(2.0 * PI * freq * (double)i / rate));
    s.n = n;
    double l = measure(&s, 0, 4096).integrated_lufs;
    sig_free(&s);
    return l;
}

static void test_rates(void)
{
    /* The analogue-prototype design, used at every rate but 48 kHz, rebuilt
     * at 48000.001 Hz must give BS.1770's 48 kHz table back. */
    static const double freqs[] = {25, 40, 100, 1000, 4000, 10000, 15000};
    double worst = 0;
    for (size_t i = 0; i < sizeof freqs / sizeof freqs[0]; i++) {
        double d = tone_loudness(48000.001, freqs[i]) - tone_loudness(48000, freqs[i]);
        worst = fabs(d) > fabs(worst) ? d : worst;
    }
    check(fabs(worst) < 0.001, "K-weighting designed from the prototype = BS.1770 table at 48 kHz", "worst %+.5f LU",
          worst);
    /* the same response at 44.1 and 96 kHz as at 48 kHz, 25 Hz to 15 kHz */
    static const double rates[] = {44100, 96000};
    for (int r = 0; r < 2; r++) {
        worst = 0;
        for (size_t i = 0; i < sizeof freqs / sizeof freqs[0]; i++) {
            double d = tone_loudness(rates[r], freqs[i]) - tone_loudness(48000, freqs[i]);
            worst = fabs(d) > fabs(worst) ? d : worst;
        }
        char b[120];
        snprintf(b, sizeof b, "K-weighting at %.1f kHz matches 48 kHz within 0.05 LU, 25 Hz-15 kHz", rates[r] / 1000);
        check(fabs(worst) < 0.05, b, "worst %+.4f LU", worst);
    }
}

/* ---- the interpolator --------------------------------------------------- */

static void test_interpolator(void)
{
    /* short random bursts, each measured by the meter and by the Annex's
     * filter in direct form (double), silence before and after */
    double worst = 0;
    for (int t = 0; t < 200; t++) {
        rng_state = 0x1234567ull + (uint64_t)t * 7919;
        sig s;
        sig_init(&s, 48000, 1);
        int n = 1 + (int)(uniform() * 300);
        sig_grow(&s, n);
        for (int i = 0; i < n; i++)
            s.x[0][i] = (float)(uniform() * 2.0 - 1.0);
        s.n = n;
        double want = 0;
        for (int i = 0; i < n + 11; i++)
            for (int p = 0; p < 4; p++) {
                double y = 0;
                for (int k = 0; k < 12; k++)
                    if (i - k >= 0 && i - k < n)
                        y += annex2[p][k] * s.x[0][i - k];
                want = fabs(y) > want ? fabs(y) : want;
            }
        for (int i = 0; i < n; i++)
            want = fabs(s.x[0][i]) > want ? fabs(s.x[0][i]) : want;
        double got = pow(10.0, measure(&s, 0, 1 + t % 37).true_peak_dbtp / 20.0);
        double e = got / want - 1.0;
        worst = fabs(e) > fabs(worst) ? e : worst;
        sig_free(&s);
    }
    check(fabs(worst) < 1e-6, "true peak = BS.1770-4 Annex 2 filter in direct form (200 random bursts)",
          "worst relative error %.3g", worst);
}

/* ---- invariants --------------------------------------------------------- */

/* The stretches of windows the meter skips hold no new maximum: on a
 * programme whose level moves (quiet phrases, silences, loud ones), and on
 * tones from 20 Hz to 23 kHz whose level changes every 0.1 s (where the
 * smoothness bound skips most and is nearest its edge), fed in 1024-frame
 * calls as a render feeds it, each channel's true peak is the same bits as
 * the interpolator run over every window of the signal with silence before
 * and after, and the sample peak. */
static void test_truepeak_skips(void)
{
    for (int kind = 0; kind < 3; kind++) {
        sig s;
        skip_signal(&s, kind, 60.0, 1234);
        dsp_loudness *m = meter_for(&s, 0);
        feed(m, &s, 0, s.n, 1024);
        int same_bits = 1;
        double got_db = 0, want_db = 0;
        float *w = calloc((size_t)s.n + 24, sizeof *w);
        for (int c = 0; w && c < s.channels; c++) {
            memcpy(w + 11, s.x[c], (size_t)s.n * sizeof *w);
            float want = dsp_truepeak_peak(w, (int)s.n + 11, 0.0f);
            want = dsp_loudness_sample_peak(s.x[c], (int)s.n, want);
            double sample_peak, true_peak;
            dsp_loudness_channel_peaks(m, c, &sample_peak, &true_peak);
            same_bits &= (float)true_peak == want;
            got_db = 20 * log10(true_peak), want_db = 20 * log10(want);
        }
        char name[160];
        snprintf(name, sizeof name, "true peak with skipped stretches = the interpolator on every window, bit for bit (%s)",
                 skip_kind[kind]);
        check(w && same_bits, name, "%.9f vs %.9f dBTP", got_db, want_db);
        free(w);
        dsp_loudness_destroy(&m);
        sig_free(&s);
    }
}

/* The interpolator's paths (the AVX-512 loops where the CPU has them,
 * the AVX2 or baseline clone otherwise) against each other: the same bits
 * for every window count from 0 to 70 and 1000, at every alignment of the
 * first window, on noise with spikes (some past full scale, one NaN). */
static void test_truepeak_paths(void)
{
    enum { N = 1000 + 11 + 16 };
    float x[N], narrow[1000], wide[1000];
    rng_state = 77;
    for (int i = 0; i < N; i++)
        x[i] = (float)((uniform() - 0.5) * (uniform() < 0.02 ? 3.0 : 0.5));
    int same_bits = 1, cases = 0;
    for (int nan = 0; nan < 2; nan++) {
        if (nan)
            x[500] = NAN;
        for (int k = 0; k <= 71; k++)
            for (int count = k <= 70 ? k : 1000, at = 0; at < 16; at += count < 70 ? 5 : 1) {
                float p[2];
                for (int path = 0; path < 2; path++) {
                    dsp_simd_cap = path ? DSP_SIMD_NO_WIDE : DSP_SIMD_ANY;
                    float *out = path ? narrow : wide;
                    for (int i = 0; i < count; i++)
                        out[i] = (float)i * 1e-4f;
                    dsp_truepeak_max(x + at, out, count);
                    p[path] = dsp_truepeak_peak(x + at, count, 0.25f);
                }
                same_bits &= memcmp(&p[0], &p[1], sizeof p[0]) == 0 && memcmp(narrow, wide, (size_t)count * sizeof *wide) == 0;
                cases++;
            }
    }
    dsp_simd_cap = DSP_SIMD_ANY;
#ifdef DSP_WIDE
    const char *wide_path = DSP_HAVE_WIDE() ? "AVX-512 against AVX2" : "no AVX-512 on this CPU: one path twice";
#else
    const char *wide_path = "no AVX-512 build: one path twice";
#endif
    char name[160];
    snprintf(name, sizeof name, "true-peak interpolator, %s: the same bits (%d cases)", wide_path, cases);
    check(same_bits, name, "differ");
}

/* The true peaks taken window by window (dsp_loudness_take_true_peaks, the
 * QC report's per-interval peaks) = the interpolator run over exactly the
 * windows whose newest sample is in each, with its history, and the
 * window's samples (a reading is never below them), bit for bit;
 * and taking them leaves the programme's true peak as it was. */
static void test_take_true_peaks(int kind)
{
    sig s;
    skip_signal(&s, kind, 20.0, 99);
    dsp_loudness *taken = meter_for(&s, 0), *plain = meter_for(&s, 0);
    float *w = calloc((size_t)s.n + 24, sizeof *w);
    int same_bits = 1, windows = 0;
    const long every = 4800 + 123; /* windows that do not line up with the 1024-frame calls */
    for (long from = 0; w && from < s.n; from += every) {
        long to = from + every < s.n ? from + every : s.n;
        for (long at = from; at < to; at += 1024) {
            int n = (int)(to - at < 1024 ? to - at : 1024);
            const float *p[MAX_CH];
            for (int c = 0; c < s.channels; c++)
                p[c] = s.x[c] + at;
            dsp_loudness_process(taken, p, n);
        }
        float got[MAX_CH];
        dsp_loudness_take_true_peaks(taken, got);
        for (int c = 0; c < s.channels; c++) {
            /* windows ending at samples from .. to - 1, zeros before the start */
            for (long i = 0; i < to - from + 11; i++)
                w[i] = from - 11 + i >= 0 ? s.x[c][from - 11 + i] : 0.0f;
            float want = dsp_truepeak_peak(w, (int)(to - from), 0.0f);
            want = dsp_loudness_sample_peak(s.x[c] + from, (int)(to - from), want); /* a reading: never below the samples */
            same_bits &= memcmp(&got[c], &want, sizeof want) == 0;
        }
        windows++;
    }
    feed(plain, &s, 0, s.n, 1024);
    dsp_loudness_result a, b;
    dsp_loudness_get(taken, &a);
    dsp_loudness_get(plain, &b);
    char name[160];
    snprintf(name, sizeof name,
             "true peaks taken window by window = max(interpolator, samples) over each window's samples, bit for bit (%s)",
             skip_kind[kind]);
    check(w && same_bits, name, "differ (%d windows)", windows);
    check(memcmp(&a, &b, sizeof a) == 0, "taking the true peaks leaves every reading of the programme as it was",
          "TP %.9f vs %.9f dBTP", a.true_peak_dbtp, b.true_peak_dbtp);
    free(w);
    dsp_loudness_destroy(&taken);
    dsp_loudness_destroy(&plain);
    sig_free(&s);
}

static int same(const dsp_loudness_result *a, const dsp_loudness_result *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void test_block_size(void)
{
    sig s;
    sig_init(&s, 48000, 6);
    music_like(&s, 40.0, 42);
    dsp_loudness_result r1, r64, r4800, rodd;
    double m1 = 0, m2 = 0;
    for (int b = 0; b < 3; b++) {
        int block = b == 0 ? 1 : b == 1 ? 64 : 4800;
        dsp_loudness *m = meter_for(&s, 0);
        feed(m, &s, 0, s.n, block);
        dsp_loudness_get(m, b == 0 ? &r1 : b == 1 ? &r64 : &r4800);
        if (b == 0)
            m1 = dsp_loudness_momentary(m) + dsp_loudness_short_term(m);
        else
            m2 = dsp_loudness_momentary(m) + dsp_loudness_short_term(m);
        dsp_loudness_destroy(&m);
    }
    /* irregular blocks */
    dsp_loudness *m = meter_for(&s, 0);
    rng_state = 99;
    for (long pos = 0; pos < s.n;) {
        int n = 1 + (int)(uniform() * 3000);
        if (n > s.n - pos)
            n = (int)(s.n - pos);
        feed(m, &s, pos, pos + n, n);
        pos += n;
    }
    dsp_loudness_get(m, &rodd);
    dsp_loudness_destroy(&m);
    check(same(&r1, &r64) && same(&r1, &r4800) && same(&r1, &rodd) && m1 == m2,
          "blocks of 1, 64, 4800 and random sizes give identical results", "I %.17g / %.17g / %.17g / %.17g",
          r1.integrated_lufs, r64.integrated_lufs, r4800.integrated_lufs, rodd.integrated_lufs);
    check(r1.range_lu > 3.0 && isfinite(r1.integrated_lufs), "block-size signal exercises the gates and LRA",
          "I %.2f LRA %.2f", r1.integrated_lufs, r1.range_lu);
    sig_free(&s);
}

/* M and S at every 10 ms grid point against their definitions written out
 * independently: BS.1770's published 48 kHz K-weighting in long double,
 * the mean square of the last 19200 (400 ms) and 144000 (3 s) samples of
 * its output. Catches a window one step long or short, which the EBU's
 * steady signals barely see. Within DSP_LOUDNESS_KWEIGHT_ERROR_LU (2e-4
 * LU): the meter K-weights in float, which reads this signal 6.1e-5 LU off
 * the long-double filter at worst (measured; loudness.h), while windows one
 * 10 ms step too long read up to 0.135 LU off (measured). */
static void test_windows(void)
{
    sig s;
    sig_init(&s, 48000, 1);
    music_like(&s, 12.0, 31);
    static const long double b[3] = {1.53512485958697L, -2.69169618940638L, 1.19839281085285L};
    static const long double a[3] = {1.0L, -1.69065929318241L, 0.73248077421585L};
    static const long double a2[3] = {1.0L, -1.99004745483398L, 0.99007225036621L};
    long double *sq = malloc((size_t)(s.n + 1) * sizeof *sq); /* sq[i]: the sum of the first i squares */
    long double x1 = 0, x2 = 0, y1 = 0, y2 = 0, z1 = 0, z2 = 0, v1 = 0, v2 = 0;
    if (sq)
        sq[0] = 0;
    for (long i = 0; sq && i < s.n; i++) {
        long double x = s.x[0][i];
        long double y = b[0] * x + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2;
        long double v = y - 2 * z1 + z2 - a2[1] * v1 - a2[2] * v2;
        x2 = x1, x1 = x, y2 = y1, y1 = y, z2 = z1, z1 = y, v2 = v1, v1 = v;
        sq[i + 1] = sq[i] + v * v;
    }
    dsp_loudness *m = meter_for(&s, 0);
    double worst = 0;
    for (long pos = 0; sq && pos + 480 <= s.n; pos += 480) {
        feed(m, &s, pos, pos + 480, 480);
        long end = pos + 480;
        for (int w = 0; w < 2; w++) {
            long len = w ? 144000 : 19200;
            if (end < len)
                continue;
            long double e = sq[end] - sq[end - len];
            double want = -0.691 + 10.0 * log10((double)(e / len));
            double got = w ? dsp_loudness_short_term(m) : dsp_loudness_momentary(m);
            worst = fabs(got - want) > fabs(worst) ? got - want : worst;
        }
    }
    check(sq && fabs(worst) < DSP_LOUDNESS_KWEIGHT_ERROR_LU, "M and S at every 10 ms point = the mean square of the last 400 ms / 3 s, K-weighted",
          "worst %+.3g LU", worst);
    free(sq);
    dsp_loudness_destroy(&m);
    sig_free(&s);
}

/* dsp_loudness_process_many (a render's outputs metered together) against
 * each meter alone: meters of 1, 2, 6 (5.1) and 8 channels, at 48 and
 * 44.1 kHz, grids 10 and 20, each starting at its own offset into its
 * signal (so their grid points fall apart, as outputs of different
 * latencies do), 17 weighted channels in all; fed together in blocks of
 * random length and alone in blocks of 1024: every reading, M and S the
 * same bits. */
static void test_process_many(void)
{
    static const struct {
        double rate;
        int channels, grid, offset;
    } kind[] = {{48000, 1, 10, 0}, {48000, 2, 10, 240}, {48000, 6, 10, 100}, {44100, 2, 20, 7}, {48000, 8, 10, 4799}};
    enum { METERS = sizeof kind / sizeof kind[0] };
    sig s[METERS];
    dsp_loudness *together[METERS], *alone[METERS];
    for (int j = 0; j < METERS; j++) {
        sig_init(&s[j], kind[j].rate, kind[j].channels);
        music_like(&s[j], 30.0, 77 + (uint64_t)j);
        together[j] = meter_for(&s[j], kind[j].grid);
        alone[j] = meter_for(&s[j], kind[j].grid);
        feed(alone[j], &s[j], 0, s[j].n, 1024);
        feed(together[j], &s[j], 0, kind[j].offset, 1000); /* its own start */
    }
    long pos = 0, left = s[0].n;
    for (int j = 0; j < METERS; j++)
        left = s[j].n - kind[j].offset < left ? s[j].n - kind[j].offset : left;
    rng_state = 5;
    while (pos < left) {
        int n = 1 + (int)(uniform() * 2500);
        n = n > left - pos ? (int)(left - pos) : n;
        const float *ch[METERS][MAX_CH];
        const float *const *in[METERS];
        for (int j = 0; j < METERS; j++) {
            for (int c = 0; c < kind[j].channels; c++)
                ch[j][c] = s[j].x[c] + kind[j].offset + pos;
            in[j] = ch[j];
        }
        dsp_loudness_process_many(together, in, METERS, n);
        pos += n;
    }
    int same_bits = 1;
    for (int j = 0; j < METERS; j++) {
        feed(together[j], &s[j], kind[j].offset + pos, s[j].n, 999); /* the rest alone */
        dsp_loudness_result a, b;
        dsp_loudness_get(together[j], &a);
        dsp_loudness_get(alone[j], &b);
        same_bits &= same(&a, &b) && dsp_loudness_momentary(together[j]) == dsp_loudness_momentary(alone[j]) &&
                     dsp_loudness_short_term(together[j]) == dsp_loudness_short_term(alone[j]);
        dsp_loudness_destroy(&together[j]);
        dsp_loudness_destroy(&alone[j]);
        sig_free(&s[j]);
    }
    check(same_bits, "five meters (1, 2, 6, 8 ch; 48 and 44.1 kHz; grids 10, 20) measured together = each alone, bit for bit",
          "a reading differs");
}

/* The K-weighting lane kernels (AVX-512: 8 lanes a vector, AVX2: 4, SSE2:
 * 2 and 4, two vectors side by side where there are lanes for both, runs
 * of samples loaded and transposed) against the one-channel loop
 * (kweight1, plain C): mono meters fed alone take the loop; 2, 3, 5, 8, 12,
 * 17 and 23 of them fed together fill the lanes of every kernel, partly (a
 * vector's spare lanes) and past the widest call (16 lanes), in blocks of
 * random length (runs cut at any sample). Every reading the same bits. */
static void test_kweight_lanes(void)
{
    static const int counts[] = {2, 3, 5, 8, 12, 17, 23};
    enum { MOST = 23 };
    sig s[MOST];
    dsp_loudness_result alone[MOST];
    for (int j = 0; j < MOST; j++) {
        sig_init(&s[j], 48000, 1);
        music_like(&s[j], 6.0, 500 + (uint64_t)j);
        alone[j] = measure(&s[j], 0, 1024);
    }
    int same_bits = 1;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int count = counts[c];
        dsp_loudness *together[MOST];
        for (int j = 0; j < count; j++)
            together[j] = meter_for(&s[j], 0);
        rng_state = 11 + c;
        for (long pos = 0; pos < s[0].n;) {
            int n = 1 + (int)(uniform() * 2500);
            n = n > s[0].n - pos ? (int)(s[0].n - pos) : n;
            const float *ch[MOST];
            const float *const *in[MOST];
            for (int j = 0; j < count; j++)
                ch[j] = s[j].x[0] + pos, in[j] = &ch[j];
            dsp_loudness_process_many(together, in, count, n);
            pos += n;
        }
        for (int j = 0; j < count; j++) {
            dsp_loudness_result r;
            dsp_loudness_get(together[j], &r);
            same_bits &= same(&r, &alone[j]);
            dsp_loudness_destroy(&together[j]);
        }
    }
    check(same_bits, "mono meters K-weighted 2 to 23 lanes at once = each through the one-channel loop, bit for bit",
          "a reading differs");
    for (int j = 0; j < MOST; j++)
        sig_free(&s[j]);
}

/* The lane kernels against the one-channel loop (kweight1, plain C, the
 * scalar reference), channel by channel: meters of 2, 3, 6 (5.1, its LFE
 * not filtered) and 8 channels at 48 kHz and 8 kHz, grids 10, 20 and 50
 * (steps of 480, 240, 96 and 16 samples), each starting at its own offset
 * (so steps end at different samples in lanes side by side, several in one
 * run of samples), on independent white noise per channel with silent
 * stretches (the filters' flush below 1e-25) and a NaN and an infinity in
 * two channels (the filter cleared at the step's end), fed together in
 * calls of random length (1 to 3000 frames: passes cut past 1024). The
 * reference: each channel as a mono meter of the same rate, grid and
 * offset, fed alone in the same calls. After every call each channel's
 * filter state and running sum of squares are the same bits as its mono
 * twin's. The same meters fed each alone too (a stereo meter alone takes
 * the two-channel kernel, kpairs, its high-pass some samples behind its
 * shelf), and two mono meters of different rates, steps and offsets fed
 * together (kpairs with step ends at different samples in its two
 * lanes: one every 480 samples from 0, one every 16 from 5). */
/* a channel's K-weighting state and running sum the same bits (a NaN sum
 * as a NaN) */
static int same_kstate(const dsp_loudness_channel *a, const dsp_loudness_channel *b)
{
    return a->x1 == b->x1 && a->x2 == b->x2 && a->y1 == b->y1 && a->y2 == b->y2 && a->d1 == b->d1 &&
           a->v1 == b->v1 && a->v2 == b->v2 && (a->acc == b->acc || (isnan(a->acc) && isnan(b->acc)));
}

static void test_kweight_channels(void)
{
    static const struct {
        double rate;
        int channels, grid, offset;
    } kind[] = {{48000, 2, 10, 0}, {48000, 3, 50, 37}, {48000, 6, 20, 1001}, {8000, 2, 50, 5}, {48000, 8, 10, 4799}};
    enum { METERS = sizeof kind / sizeof kind[0], SECONDS = 4 };
    sig s[METERS];
    dsp_loudness *together[METERS], *alone[METERS], *mono[METERS][MAX_CH], *pair[2];
    /* the pair: channel 0 of meter 0 (48 kHz, steps of 480) and channel 1
     * of meter 3 (8 kHz, steps of 16), each a mono meter of its own */
    static const int pair_of[2][2] = {{0, 0}, {3, 1}};
    rng_state = 99;
    for (int j = 0; j < METERS; j++) {
        sig_init(&s[j], kind[j].rate, kind[j].channels);
        long n = (long)(SECONDS * kind[j].rate);
        sig_grow(&s[j], n);
        s[j].n = n;
        for (int c = 0; c < kind[j].channels; c++)
            for (long i = 0; i < n; i++) {
                int quiet = (i / (long)(kind[j].rate / 4)) % 5 >= 3; /* 0.5 s of silence each 1.25 s */
                s[j].x[c][i] = quiet ? 0.0f : (float)(0.5 * (uniform() - 0.5));
            }
        together[j] = meter_for(&s[j], kind[j].grid);
        alone[j] = meter_for(&s[j], kind[j].grid);
        dsp_loudness_config cfg;
        dsp_loudness_config_init(&cfg, kind[j].rate, 1);
        cfg.grid = kind[j].grid;
        for (int c = 0; c < kind[j].channels; c++)
            mono[j][c] = dsp_loudness_create(&cfg);
        for (int k = 0; k < 2; k++)
            if (pair_of[k][0] == j)
                pair[k] = dsp_loudness_create(&cfg);
    }
    s[1].x[2][3000] = NAN;
    s[4].x[5][50000] = INFINITY;
    /* each meter's own start, then together */
    for (int j = 0; j < METERS; j++) {
        feed(together[j], &s[j], 0, kind[j].offset, 1000);
        feed(alone[j], &s[j], 0, kind[j].offset, 1000);
        for (int c = 0; c < kind[j].channels; c++) {
            const float *p = s[j].x[c];
            dsp_loudness_process(mono[j][c], &p, kind[j].offset);
        }
    }
    for (int k = 0; k < 2; k++) {
        const float *p = s[pair_of[k][0]].x[pair_of[k][1]];
        dsp_loudness_process(pair[k], &p, kind[pair_of[k][0]].offset);
    }
    long left = s[0].n;
    for (int j = 0; j < METERS; j++)
        left = s[j].n - kind[j].offset < left ? s[j].n - kind[j].offset : left;
    rng_state = 17;
    int same_bits = 1, flushed = 0;
    for (long pos = 0; pos < left;) {
        int n = 1 + (int)(uniform() * 3000);
        n = n > left - pos ? (int)(left - pos) : n;
        const float *ch[METERS][MAX_CH];
        const float *const *in[METERS];
        for (int j = 0; j < METERS; j++) {
            for (int c = 0; c < kind[j].channels; c++) {
                ch[j][c] = s[j].x[c] + kind[j].offset + pos;
                dsp_loudness_process(mono[j][c], &ch[j][c], n);
            }
            in[j] = ch[j];
            dsp_loudness_process(alone[j], ch[j], n);
        }
        dsp_loudness_process_many(together, in, METERS, n);
        const float *const pair_ch[2][1] = {{ch[pair_of[0][0]][pair_of[0][1]]}, {ch[pair_of[1][0]][pair_of[1][1]]}};
        const float *const *pair_in[2] = {pair_ch[0], pair_ch[1]};
        dsp_loudness_process_many(pair, pair_in, 2, n);
        pos += n;
        for (int j = 0; j < METERS; j++)
            for (int c = 0; c < kind[j].channels; c++) {
                const dsp_loudness_channel *b = &mono[j][c]->ch[0];
                if (together[j]->ch[c].w == 0.0)
                    continue; /* the LFE: not K-weighted */
                for (int way = 0; way < 2; way++) {
                    const dsp_loudness_channel *a = &(way ? alone : together)[j]->ch[c];
                    same_bits &= same_kstate(a, b);
                    flushed += a->x1 == 0.0 && a->y1 == 0.0 && a->v1 == 0.0 && a->v2 == 0.0;
                }
            }
        for (int k = 0; k < 2; k++)
            same_bits &= same_kstate(&pair[k]->ch[0], &mono[pair_of[k][0]][pair_of[k][1]]->ch[0]);
    }
    for (int j = 0; j < METERS; j++) {
        for (int c = 0; c < kind[j].channels; c++)
            dsp_loudness_destroy(&mono[j][c]);
        dsp_loudness_destroy(&together[j]);
        dsp_loudness_destroy(&alone[j]);
        sig_free(&s[j]);
    }
    dsp_loudness_destroy(&pair[0]);
    dsp_loudness_destroy(&pair[1]);
    check(same_bits, "every channel of five meters (2, 3, 6, 8 ch; 48 and 8 kHz; steps 16 to 480) K-weighted side "
                     "by side, each meter alone, and two mono meters in a pair = its mono twin through the "
                     "one-channel loop, state and sums bit for bit after each of the calls", "a channel differs");
    check(flushed > 0, "the silences zeroed the filters (the flush ran inside the kernels)", "never");
}

/* A live plan swap hands a meter's state to a new meter: afterwards the new
 * one must read exactly what one meter fed the whole programme reads (the
 * reference), bit for bit, even when the new meter had measured something
 * else before (a louder programme: its histogram bins must not survive). */
static void test_copy_state(void)
{
    sig x, y;
    sig_init(&x, 48000, 2);
    sig_init(&y, 48000, 2);
    music_like(&x, 60.0, 7);
    tone(&y, 12.0, -6.0); /* far above anything in x: other histogram bins */
    long cut = 40 * 48000 + 1234;   /* off the 100 ms grid: the phase must carry over */
    dsp_loudness *ref = meter_for(&x, 10), *dst = meter_for(&x, 10);
    feed(ref, &x, 0, cut, 4800);
    feed(dst, &y, 0, y.n, 1000);
    double st_ref = dsp_loudness_short_term(ref);
    int rc = dsp_loudness_copy_state(dst, ref);
    check(rc == 0 && dsp_loudness_short_term(dst) == st_ref && isfinite(st_ref),
          "copy_state: right after the copy S reads the source's, finite", "rc %d, S %.4f vs %.4f", rc,
          dsp_loudness_short_term(dst), st_ref);
    feed(ref, &x, cut, x.n, 4800);
    feed(dst, &x, cut, x.n, 333);
    dsp_loudness_result a, b;
    dsp_loudness_get(ref, &a);
    dsp_loudness_get(dst, &b);
    check(same(&a, &b) && dsp_loudness_short_term(ref) == dsp_loudness_short_term(dst) &&
              dsp_loudness_momentary(ref) == dsp_loudness_momentary(dst),
          "copy_state: a meter that measured another programme, then took the state, reads as one fed the whole "
          "programme (I, LRA, max M/S, peaks, M, S bit for bit)",
          "I %.17g vs %.17g, LRA %.17g vs %.17g, max S %.17g vs %.17g", a.integrated_lufs, b.integrated_lufs,
          a.range_lu, b.range_lu, a.max_short_term_lufs, b.max_short_term_lufs);
    check(a.range_lu > 3.0 && a.max_short_term_lufs < -10.0, "copy_state: the programme exercises the gates",
          "LRA %.2f, max S %.2f", a.range_lu, a.max_short_term_lufs);

    dsp_loudness_config cfg;
    dsp_loudness_config_init(&cfg, 48000, 6);
    dsp_loudness *six = dsp_loudness_create(&cfg);
    dsp_loudness_config_init(&cfg, 44100, 2);
    dsp_loudness *other_rate = dsp_loudness_create(&cfg);
    double before = dsp_loudness_short_term(dst);
    check(dsp_loudness_copy_state(six, ref) == -1 && dsp_loudness_copy_state(other_rate, ref) == -1 &&
              dsp_loudness_copy_state(dst, six) == -1 && dsp_loudness_short_term(dst) == before,
          "copy_state: another channel count or rate is refused, the target untouched", "accepted");
    dsp_loudness_destroy(&six);
    dsp_loudness_destroy(&other_rate);
    dsp_loudness_destroy(&ref);
    dsp_loudness_destroy(&dst);
    sig_free(&x);
    sig_free(&y);
}

static void test_silence(void)
{
    sig s;
    sig_init(&s, 48000, 2);
    silence(&s, 10.0);
    dsp_loudness_result r = measure(&s, 0, 1000);
    check(isinf(r.integrated_lufs) && r.integrated_lufs < 0, "silence: I is -inf", "got %g", r.integrated_lufs);
    check(isinf(r.max_momentary_lufs) && r.max_momentary_lufs < 0 && isinf(r.max_short_term_lufs) &&
              r.max_short_term_lufs < 0,
          "silence: max M and max S are -inf", "got %g, %g", r.max_momentary_lufs, r.max_short_term_lufs);
    check(isinf(r.sample_peak_dbfs) && r.sample_peak_dbfs < 0 && isinf(r.true_peak_dbtp) && r.true_peak_dbtp < 0,
          "silence: sample and true peak are -inf", "got %g, %g", r.sample_peak_dbfs, r.true_peak_dbtp);
    check(r.range_lu == 0.0, "silence: LRA is 0", "got %g", r.range_lu);

    /* silence after a tone: the readings fall to -inf, not NaN */
    sig_free(&s);
    sig_init(&s, 48000, 2);
    tone(&s, 5.0, -23);
    silence(&s, 5.0);
    dsp_loudness *m = meter_for(&s, 0);
    feed(m, &s, 0, s.n, 512);
    double mo = dsp_loudness_momentary(m), st = dsp_loudness_short_term(m);
    check(!isnan(mo) && !isnan(st) && mo < -200 && st < -200, "silence after a tone: M and S read -inf or very low",
          "M %g, S %g", mo, st);
    dsp_loudness_get(m, &r);
    /* 5 s of tone: 47 blocks wholly in it and three that hold 3/4, 1/2 and
     * 1/4 of it (all above the relative gate), then blocks of silence */
    check_near(r.integrated_lufs, -23.0 + 10.0 * log10(48.5 / 50.0), 0.02,
               "tone then silence: I = the tone's blocks and its 3 partial blocks");

    /* nothing measured at all */
    dsp_loudness_reset(m);
    dsp_loudness_get(m, &r);
    check(isinf(r.integrated_lufs) && !isnan(r.range_lu) && isinf(r.true_peak_dbtp) &&
              isinf(dsp_loudness_momentary(m)),
          "nothing measured: -inf readings, no NaN", "I %g LRA %g TP %g", r.integrated_lufs, r.range_lu,
          r.true_peak_dbtp);
    dsp_loudness_destroy(&m);
    sig_free(&s);
}

static void test_bad_input(void)
{
    sig s;
    sig_init(&s, 48000, 2);
    tone(&s, 20.0, -23);
    s.x[0][200000] = NAN;
    s.x[1][500000] = INFINITY;
    dsp_loudness_result r = measure(&s, 0, 1024);
    check(!isnan(r.integrated_lufs) && !isnan(r.range_lu) && !isnan(r.max_momentary_lufs) &&
              !isnan(r.max_short_term_lufs) && !isnan(r.sample_peak_dbfs) && !isnan(r.true_peak_dbtp),
          "a NaN and an infinity in the input: no NaN reading", "I %g LRA %g M %g S %g SP %g TP %g",
          r.integrated_lufs, r.range_lu, r.max_momentary_lufs, r.max_short_term_lufs, r.sample_peak_dbfs,
          r.true_peak_dbtp);
    check(isinf(r.sample_peak_dbfs) && r.sample_peak_dbfs > 0 && isinf(r.true_peak_dbtp) && r.true_peak_dbtp > 0,
          "a NaN in the input: the peaks read +inf", "SP %g TP %g", r.sample_peak_dbfs, r.true_peak_dbtp);
    /* two 10 ms steps of one channel count as silence: a few blocks 0.0x LU
     * low, the rest of the 20 s unharmed */
    check_near(r.integrated_lufs, -23.0, 0.1, "a NaN in the input: I still measures the rest");
    sig_free(&s);

    /* the peak a render keeps without a meter (--no-measure) follows the
     * same rule: a NaN after a -12 dBFS peak reads +inf, never the -12 dB
     * or the -inf that a plain fabsf max would leave */
    float x[8] = {0.1f, -0.25f, 0.0f, NAN, 0.2f, 0.0f, 0.0f, 0.0f};
    float p0 = dsp_loudness_sample_peak(x, 3, 0.0f), p1 = dsp_loudness_sample_peak(x + 3, 5, p0);
    check(p0 == 0.25f && isinf(p1) && p1 > 0, "dsp_loudness_sample_peak: |x| max, a NaN makes it +inf",
          "%g then %g", p0, p1);
    float y[2] = {-INFINITY, 0.5f};
    float p2 = dsp_loudness_sample_peak(y, 2, 0.0f);
    check(isinf(p2) && p2 > 0, "dsp_loudness_sample_peak: -inf reads +inf", "%g", p2);
}

static void test_memory(void)
{
    dsp_loudness_config cfg;
    dsp_loudness_config_init(&cfg, 48000, 6);
    size_t heap = dsp_loudness_heap_size(&cfg);
    check(heap > 0 && heap < 300 * 1024, "heap of a 5.1 meter is fixed and under 300 KiB", "%zu bytes", heap);

    /* caller memory, and the same readings as create() */
    void *mem = malloc(heap);
    dsp_loudness s;
    check(dsp_loudness_init(&s, &cfg, mem) == 0, "init in caller memory", "failed");
    sig sg;
    sig_init(&sg, 48000, 6);
    music_like(&sg, 10.0, 5);
    feed(&s, &sg, 0, sg.n, 777);
    dsp_loudness_result a, b = measure(&sg, 0, 777);
    dsp_loudness_get(&s, &a);
    check(same(&a, &b), "init in caller memory reads as create()", "I %g vs %g", a.integrated_lufs,
          b.integrated_lufs);
    /* reset forgets everything */
    dsp_loudness_reset(&s);
    feed(&s, &sg, 0, sg.n, 777);
    dsp_loudness_get(&s, &a);
    check(same(&a, &b), "reset then the same signal: the same readings", "I %g vs %g", a.integrated_lufs,
          b.integrated_lufs);
    free(mem);
    sig_free(&sg);

    dsp_loudness_config bad = cfg;
    bad.channels = 0;
    check(dsp_loudness_heap_size(&bad) == 0 && dsp_loudness_create(&bad) == NULL, "invalid config refused",
          "accepted 0 channels");
    check(dsp_loudness_default_weight(6, 3) == 0.0 && dsp_loudness_default_weight(6, 4) == 1.41 &&
              dsp_loudness_default_weight(2, 1) == 1.0,
          "default weights: 5.1 LFE 0, surrounds 1.41, stereo 1", "wrong weight");
}

/* ---- exact references and libebur128 ------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double energy_of(double lufs)
{
    return pow(10.0, (lufs + 0.691) / 10.0);
}

/* BS.1770 gating over a list of block loudnesses, every value kept */
static double exact_integrated(const double *l, int n)
{
    double e = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (l[i] > -70.0)
            e += energy_of(l[i]), k++;
    if (!k)
        return -INFINITY;
    double thr = -0.691 + 10.0 * log10(e / k) - 10.0;
    e = 0, k = 0;
    for (int i = 0; i < n; i++)
        if (l[i] > -70.0 && l[i] > thr)
            e += energy_of(l[i]), k++;
    return -0.691 + 10.0 * log10(e / k);
}

/* Tech 3342 over a list of short-term loudnesses, every value kept and
 * sorted (its MATLAB reference) */
static double exact_range(const double *l, int n, int stride)
{
    double *g = malloc((size_t)n * sizeof *g), e = 0;
    int k = 0, m = 0;
    for (int i = 0; i < n; i += stride)
        if (l[i] > -70.0)
            g[k++] = l[i], e += energy_of(l[i]);
    double thr = -0.691 + 10.0 * log10(e / k) - 20.0;
    for (int i = 0; i < k; i++)
        if (g[i] > thr)
            g[m++] = g[i];
    qsort(g, (size_t)m, sizeof *g, cmp_double);
    double r = g[(int)floor((m - 1) * 0.95 + 0.5)] - g[(int)floor((m - 1) * 0.10 + 0.5)];
    free(g);
    return r;
}

typedef struct {
    double i, lra, tp, m, s;
} lib_reading;

static lib_reading libebur128_measure(const sig *s)
{
    lib_reading r;
    ebur128_state *st = ebur128_init((unsigned)s->channels, (unsigned long)s->rate,
                                     EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_M |
                                         EBUR128_MODE_S);
    float *inter = malloc((size_t)s->n * (size_t)s->channels * sizeof *inter);
    for (long i = 0; i < s->n; i++)
        for (int c = 0; c < s->channels; c++)
            inter[i * s->channels + c] = s->x[c][i];
    ebur128_add_frames_float(st, inter, (size_t)s->n);
    ebur128_loudness_global(st, &r.i);
    ebur128_loudness_range(st, &r.lra);
    ebur128_loudness_momentary(st, &r.m);
    ebur128_loudness_shortterm(st, &r.s);
    double tp = 0, v;
    for (int c = 0; c < s->channels; c++)
        if (ebur128_true_peak(st, (unsigned)c, &v) == EBUR128_SUCCESS && v > tp)
            tp = v;
    r.tp = 20.0 * log10(tp);
    ebur128_destroy(&st);
    free(inter);
    return r;
}

/* A programme-like signal: the histograms against every value kept, and
 * libebur128. libebur128 takes its LRA from S every 1 s (3 s windows
 * overlapping by 2 s), where Tech 3342 asks for 10 Hz or more, as this
 * meter does; on a signal with short phrases that alone moves the LRA by
 * tenths of an LU (here, depending on which 1 s phase is taken, 19.9 to
 * 21.6 LU against 20.96 at 10 Hz). So the LRA is compared with libebur128
 * at libebur128's own sampling points, and on a signal of long scenes,
 * where the sampling rate does not matter, directly. */
static void test_programme(void)
{
    sig s;
    sig_init(&s, 48000, 2);
    music_like(&s, 300.0, 7);
    s.n -= s.n % 4800; /* whole 100 ms blocks: both meters' last windows end together */
    dsp_loudness *m = meter_for(&s, 0);
    int hops = (int)(s.n / 4800), nm = 0, ns = 0;
    double *ml = malloc((size_t)hops * sizeof *ml), *sl = malloc((size_t)hops * sizeof *sl);
    for (int h = 0; h < hops; h++) {
        feed(m, &s, (long)h * 4800, (long)(h + 1) * 4800, 4800);
        if (h + 1 >= 4)
            ml[nm++] = dsp_loudness_momentary(m);
        if (h + 1 >= 30)
            sl[ns++] = dsp_loudness_short_term(m);
    }
    dsp_loudness_result r;
    dsp_loudness_get(m, &r);
    lib_reading lib = libebur128_measure(&s);
    char b[200];

    snprintf(b, sizeof b, "histogram I %.4f = every block kept %.4f, within 0.01 LU", r.integrated_lufs,
             exact_integrated(ml, nm));
    check_near(r.integrated_lufs, exact_integrated(ml, nm), 0.01, b);
    double lra10 = exact_range(sl, ns, 1), lra1 = exact_range(sl, ns, 10);
    snprintf(b, sizeof b, "histogram LRA %.4f = every S kept (10 Hz) %.4f, within 0.02 LU", r.range_lu, lra10);
    check_near(r.range_lu, lra10, 0.02, b);
    check(r.range_lu > 5.0 && r.integrated_lufs > -40.0, "programme signal has a real range", "I %.2f LRA %.2f",
          r.integrated_lufs, r.range_lu);

    snprintf(b, sizeof b, "libebur128, 5 min programme: I %.3f vs %.3f LUFS", r.integrated_lufs, lib.i);
    check_near(r.integrated_lufs, lib.i, 0.05, b);
    snprintf(b, sizeof b, "libebur128, 5 min programme: TP %.3f vs %.3f dBTP", r.true_peak_dbtp, lib.tp);
    check_near(r.true_peak_dbtp, lib.tp, 0.1, b);
    snprintf(b, sizeof b, "libebur128, 5 min programme: LRA from our S at its 1 s points %.3f vs %.3f LU (ours at "
                          "10 Hz: %.3f)",
             lra1, lib.lra, r.range_lu);
    check_near(lra1, lib.lra, 0.05, b);
    snprintf(b, sizeof b, "libebur128: last M %.4f vs %.4f, last S %.4f vs %.4f", dsp_loudness_momentary(m), lib.m,
             dsp_loudness_short_term(m), lib.s);
    check(fabs(dsp_loudness_momentary(m) - lib.m) < 0.001 && fabs(dsp_loudness_short_term(m) - lib.s) < 0.001, b,
          "differ by more than 0.001 LU");
    free(ml);
    free(sl);
    dsp_loudness_destroy(&m);
    sig_free(&s);

    /* scenes: 12 x 20 s of steady bass-heavy noise at different levels */
    static const double level[12] = {-30, -22, -18, -26, -35, -20, -24, -16, -28, -21, -19, -25};
    sig_init(&s, 48000, 2);
    sig_grow(&s, 12 * 20 * 48000);
    rng_state = 11;
    double lp[2] = {0};
    for (int k = 0; k < 12; k++) {
        double g = pow(10.0, level[k] / 20.0);
        for (long i = 0; i < 20 * 48000; i++, s.n++) {
            double common = uniform() - 0.5;
            for (int c = 0; c < 2; c++) {
                double w = 0.6 * common + 0.4 * (uniform() - 0.5);
                lp[c] += 0.1 * (w - lp[c]);
                s.x[c][s.n] = (float)(g * (3.0 * lp[c] + 0.3 * w));
            }
        }
    }
    r = measure(&s, 0, 1024);
    lib = libebur128_measure(&s);
    snprintf(b, sizeof b, "libebur128, 4 min of scenes: I %.3f vs %.3f LUFS", r.integrated_lufs, lib.i);
    check_near(r.integrated_lufs, lib.i, 0.05, b);
    snprintf(b, sizeof b, "libebur128, 4 min of scenes: LRA %.3f vs %.3f LU", r.range_lu, lib.lra);
    check_near(r.range_lu, lib.lra, 0.05, b);
    snprintf(b, sizeof b, "libebur128, 4 min of scenes: TP %.3f vs %.3f dBTP", r.true_peak_dbtp, lib.tp);
    check_near(r.true_peak_dbtp, lib.tp, 0.1, b);
    sig_free(&s);
}

/* The SSE2 kernels' fused multiply-add, made from double (exact product,
 * one rounding of the sum, then to float), against the C library's fmaf,
 * bit for bit: where the double sum lands exactly halfway between two
 * floats the second rounding would be wrong, and under float's normal
 * range the tie test does not hold; there the kernel must redo the vector
 * with fmaf. The cases built to tie show that plain double rounding does
 * go wrong on them, so the check can fail. */
static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static void test_fma_sse2(void)
{
    float a[4], b[4], c[4], out[4];
    const float up = 1.0f + 0x1p-23f, down = 1.0f - 0x1p-23f;
    /* a b = half an ulp of c times (1 - 2^-46): c + a b lies just under
     * the midpoint of c and its next float (c's last bit is odd), and its
     * double rounds to the midpoint itself, which goes to even: up */
    const float tie_a[4] = {ldexpf(up, -12), -ldexpf(up, -12), ldexpf(up, -2), ldexpf(up, -40)};
    const float tie_b[4] = {ldexpf(down, -12), ldexpf(down, -12), ldexpf(down, -2), ldexpf(down, -40)};
    const float tie_c[4] = {up, -up, ldexpf(up, 20), ldexpf(up, -56)};
    int naive_wrong = 0;
    for (int l = 0; l < 4; l++)
        naive_wrong += float_bits((float)((double)tie_a[l] * tie_b[l] + tie_c[l])) !=
                       float_bits(fmaf(tie_a[l], tie_b[l], tie_c[l]));
    check(naive_wrong == 4, "fma from double: the built ties do break plain double rounding", "%d of 4", naive_wrong);
    if (!dsp_loudness_test_fma4_sse2(tie_a, tie_b, tie_c, out)) {
        check(1, "fma from double: not in this build (no SSE2 kernels: not x86-64 gcc, or AddressSanitizer)", " ");
        return;
    }
    int bad = 0;
    for (int l = 0; l < 4; l++)
        bad += float_bits(out[l]) != float_bits(fmaf(tie_a[l], tie_b[l], tie_c[l]));
    check(bad == 0, "fma from double: the built ties as fmaf", "%d of 4 lanes differ", bad);
    /* the same under float's normal range: c = 513, 1025, 2049 and 3
     * times 2^-149 (odd subnormals), a b = 2^-150 (1 - 2^-46); the sum's
     * double drops the 2^-196 (its tie is not where a normal float's is,
     * so the kernel must see the result is subnormal); the last lane's
     * double is exact */
    const float sub_a[4] = {ldexpf(up, -75), -ldexpf(up, -75), ldexpf(up, -75), ldexpf(up, -75)};
    const float sub_b[4] = {ldexpf(down, -75), ldexpf(down, -75), ldexpf(down, -75), ldexpf(down, -75)};
    const float sub_c[4] = {513 * 0x1p-149f, -513 * 0x1p-149f, 1025 * 0x1p-149f, 3 * 0x1p-149f};
    naive_wrong = 0;
    for (int l = 0; l < 4; l++)
        naive_wrong += float_bits((float)((double)sub_a[l] * sub_b[l] + sub_c[l])) !=
                       float_bits(fmaf(sub_a[l], sub_b[l], sub_c[l]));
    check(naive_wrong == 3, "fma from double: the built subnormal ties break plain double rounding", "%d of 3",
          naive_wrong);
    dsp_loudness_test_fma4_sse2(sub_a, sub_b, sub_c, out);
    bad = 0;
    for (int l = 0; l < 4; l++)
        bad += float_bits(out[l]) != float_bits(fmaf(sub_a[l], sub_b[l], sub_c[l]));
    check(bad == 0, "fma from double: the built subnormal ties as fmaf", "%d of 4 lanes differ", bad);
    /* random operands over a wide range of exponents, products that
     * nearly cancel c, and results under float's normal range */
    uint64_t x = 0x9e3779b97f4a7c15u;
    long long differ = 0, n = 0;
    for (int k = 0; k < 200000; k++) {
        for (int l = 0; l < 4; l++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            float m1 = 1.0f + (float)(x & 0xffffff) * 0x1p-24f, m2 = 1.0f + (float)((x >> 24) & 0xffffff) * 0x1p-24f;
            int e = (int)((x >> 48) % 64) - 32;
            a[l] = ldexpf((x >> 60) & 1 ? -m1 : m1, e);
            b[l] = ldexpf(m2, (int)((x >> 54) % 64) - 32);
            switch ((x >> 61) & 3) {
            case 0: c[l] = -a[l] * b[l]; break;                             /* near cancellation */
            case 1: c[l] = ldexpf(m2, e - 100); a[l] = ldexpf(m1, -70); break; /* subnormal range */
            default: c[l] = ldexpf(m1, (int)((x >> 40) % 64) - 32); break;
            }
        }
        dsp_loudness_test_fma4_sse2(a, b, c, out);
        for (int l = 0; l < 4; l++, n++)
            differ += float_bits(out[l]) != float_bits(fmaf(a[l], b[l], c[l]));
    }
    check(differ == 0, "fma from double: 800,000 random lanes as fmaf", "%lld of %lld differ", differ, n);
}

int main(void)
{
    test_tech3341();
    test_tech3342();
    test_rates();
    test_interpolator();
    test_truepeak_skips();
    test_truepeak_paths();
    test_take_true_peaks(0);
    test_take_true_peaks(1);
    test_take_true_peaks(2);
    test_block_size();
    test_fma_sse2();
    /* every K-weighting path (AVX-512, AVX2, SSE2: the widest the CPU has
     * and each narrower one) */
    static const char *const caps[] = {"the widest the CPU has", "AVX2 at most", "SSE2"};
    for (int cap = DSP_SIMD_ANY; cap <= DSP_SIMD_NO_AVX2; cap++) {
        dsp_simd_cap = cap;
        printf("# K-weighting kernels: %s\n", caps[cap]);
        test_kweight_lanes();
        test_kweight_channels();
        test_process_many();
    }
    dsp_simd_cap = DSP_SIMD_ANY;
    test_windows();
    test_copy_state();
    test_silence();
    test_bad_input();
    test_memory();
    test_programme();
    return check_exit();
}
