/* ebu_signals.h - the EBU Tech 3341 / Tech 3342 test signals, made in C
 * from their written definitions (Tech 3341 v4 Table 1, Tech 3342 Table 1,
 * as spelt out for SoX in the EBU test-data notes): 1 kHz sines starting at
 * phase 0, the same peak level in every channel, segments joined
 * phase-continuously; true-peak cases with sox's "synth sine F 0 PH" phase
 * convention and "fade h" (raised cosine) ends; cases 20-23 built at
 * 192 kHz, low-passed with a Kaiser-windowed sinc of the same specification
 * as sox's "sinc -a 120 -22k -t 2k", offset by K samples and decimated by 4.
 *
 * Shared by tests/unit/test_loudness.c (the meter on the signals in memory)
 * and tests/tools/make_ebu.c (the same signals written to files for
 * `dubstage loudness`). Header-only: every function is static. */
#ifndef TESTS_EBU_SIGNALS_H
#define TESTS_EBU_SIGNALS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define MAX_CH 8

typedef struct {
    double rate;
    int channels;
    long n, cap;
    float *x[MAX_CH];
} sig;

static inline void sig_init(sig *s, double rate, int channels)
{
    memset(s, 0, sizeof *s);
    s->rate = rate;
    s->channels = channels;
}

static inline void sig_free(sig *s)
{
    for (int c = 0; c < s->channels; c++)
        free(s->x[c]);
    memset(s, 0, sizeof *s);
}

static inline void sig_grow(sig *s, long more)
{
    if (s->n + more <= s->cap)
        return;
    long cap = s->cap ? s->cap : 48000;
    while (cap < s->n + more)
        cap *= 2;
    for (int c = 0; c < s->channels; c++) {
        float *p = realloc(s->x[c], (size_t)cap * sizeof *p);
        if (!p) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        s->x[c] = p;
    }
    s->cap = cap;
}

/* A 1 kHz sine at db[c] dBFS peak in channel c (NAN: silent), `samples`
 * long. The phase counts from the signal's first sample, so segments join
 * without a step (at 48 kHz every EBU segment is whole 48-sample cycles, so
 * this is also sox's "each segment starts at phase 0"). */
static inline void tone_ch(sig *s, long samples, const double *db)
{
    sig_grow(s, samples);
    for (long i = 0; i < samples; i++) {
        double v = sin(2.0 * PI * 1000.0 * (double)((s->n + i) % (long)s->rate) / s->rate);
        for (int c = 0; c < s->channels; c++)
            s->x[c][s->n + i] = isnan(db[c]) ? 0.0f : (float)(pow(10.0, db[c] / 20.0) * v);
    }
    s->n += samples;
}

static inline void tone(sig *s, double seconds, double db)
{
    double d[MAX_CH];
    for (int c = 0; c < MAX_CH; c++)
        d[c] = db;
    tone_ch(s, (long)floor(seconds * s->rate + 0.5), d);
}

static inline void silence(sig *s, double seconds)
{
    long samples = (long)floor(seconds * s->rate + 0.5);
    if (samples <= 0)
        return;
    sig_grow(s, samples);
    for (int c = 0; c < s->channels; c++)
        memset(s->x[c] + s->n, 0, (size_t)samples * sizeof(float));
    s->n += samples;
}

/* Cases 11 and 14 (a live meter's): 20 pieces of piece_s seconds, piece i
 * (0-based) i x start_s of silence, burst_s of 1 kHz at -38 + i dBFS, then
 * silence; case 11: start 0.15, burst 3, piece 6; case 14: 0.02, 0.4, 0.8.
 * Stereo, 48 kHz. */
static inline void live_bursts(sig *s, double start_s, double burst_s, double piece_s)
{
    sig_init(s, 48000, 2);
    for (int i = 0; i < 20; i++) {
        silence(s, start_s * i), tone(s, burst_s, -38 + i);
        silence(s, piece_s - burst_s - start_s * i);
    }
}

/* sox: synth 48000s sine F 0 PH vol AMP fade h 480s -0 480s, stereo */
static inline void tp_case(sig *s, double freq, double phase_pct, double amp)
{
    sig_init(s, 48000, 2);
    long n = 48000, fade = 480;
    sig_grow(s, n);
    for (long i = 0; i < n; i++) {
        double g = 1.0;
        if (i < fade)
            g = (1.0 - cos(PI * (double)i / (double)fade)) / 2.0;
        else if (i >= n - fade)
            g = (1.0 - cos(PI * (double)(n - i) / (double)fade)) / 2.0;
        double v = amp * g * sin(2.0 * PI * (freq * (double)i / 48000.0 + phase_pct / 100.0));
        s->x[0][i] = s->x[1][i] = (float)v;
    }
    s->n = n;
}

static inline double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 60; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
    }
    return sum;
}

/* Cases 20-23: at 192 kHz, 0.5 s of fs/6 (8 kHz) at 0.5, one period of
 * fs/4 (12 kHz) at 1.0, 0.5 s of fs/6 again, 1920-sample raised-cosine
 * fades; a linear-phase low-pass at 22 kHz (Kaiser window for 120 dB, 2 kHz
 * transition: 751 taps, delay compensated); drop K samples; keep every 4th.
 * Stereo, 48 kHz. */
static inline void tp_burst(sig *s, int k_offset)
{
    const long na = 96000, nb = 16, n = 2 * na + nb, fade = 1920;
    double *x = malloc((size_t)n * sizeof *x);
    for (long i = 0; i < n; i++) {
        double v;
        if (i < na)
            v = 0.5 * sin(2.0 * PI * 8000.0 * (double)i / 192000.0);
        else if (i < na + nb)
            v = sin(2.0 * PI * 12000.0 * (double)(i - na) / 192000.0);
        else
            v = 0.5 * sin(2.0 * PI * 8000.0 * (double)(i - na - nb) / 192000.0);
        if (i < fade)
            v *= (1.0 - cos(PI * (double)i / (double)fade)) / 2.0;
        else if (i >= n - fade)
            v *= (1.0 - cos(PI * (double)(n - i) / (double)fade)) / 2.0;
        x[i] = v;
    }
    const double att = 120.0, fc = 22000.0 / 192000.0, tbw = 2000.0 / 192000.0;
    const double beta = 0.1102 * (att - 8.7);
    int taps = (int)ceil((att - 7.95) / (14.36 * tbw)) + 1;
    taps |= 1;
    int half = taps / 2;
    double *h = malloc((size_t)taps * sizeof *h);
    double i0b = bessel_i0(beta);
    for (int k = 0; k < taps; k++) {
        double t = k - half, r = t / half;
        double sinc = t == 0 ? 2.0 * fc : sin(2.0 * PI * fc * t) / (PI * t);
        h[k] = sinc * bessel_i0(beta * sqrt(1.0 - r * r)) / i0b;
    }
    sig_init(s, 48000, 2);
    long out = (n - k_offset + 3) / 4;
    sig_grow(s, out);
    for (long j = 0; j < out; j++) {
        long centre = k_offset + 4 * j;
        double acc = 0.0;
        for (int k = 0; k < taps; k++) {
            long idx = centre + k - half;
            if (idx >= 0 && idx < n)
                acc += h[k] * x[idx];
        }
        s->x[0][j] = s->x[1][j] = (float)acc;
    }
    s->n = out;
    free(h);
    free(x);
}

#endif
