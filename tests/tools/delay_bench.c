/* delay_bench.c - times dsp/delay as the delay insert's op runs it.
 *
 *   build/tools/delay_bench [SECONDS]     (default 60)
 *
 * SECONDS of stereo noise (a 1 s buffer made beforehand, fed again and
 * again) in calls of 1024 frames (the renderer's default block) through a
 * 0.375 s delay with 40 % feedback and both loop filters, mix 30 %:
 * (1) static at a fractional time (the Lagrange taps every sample), (2) at
 * a whole-sample time (one tap), (3) with the time moving (a straight line
 * set every 32 samples, as on the control grid, the read position
 * gliding). Three runs each, the fastest counts; prints the CPU time of
 * this thread per channel-sample in ns and the speed in multiples of real
 * time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/delay.h"
#include "tests/tools/bench_util.h"

#define RATE 48000
#define BLOCK 1024
#define GRID 32

static uint64_t rng = 0x2545f4914f6cdd1dull;

/* Seconds of CPU for `frames` through s; moving: the time swept between
 * 0.3 and 0.45 s (0.05 s a second, under the default glide). */
static double run(dsp_delay *s, float *in[2], float *io[2], int64_t frames, int moving, double *sink)
{
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        dsp_delay_reset(s);
        double t0 = bench_cpu_now();
        for (int64_t done = 0; done < frames; done += BLOCK) {
            int at = (int)(done % (RATE - RATE % BLOCK));
            for (int c = 0; c < 2; c++)
                for (int k = 0; k < BLOCK; k++)
                    io[c][k] = in[c][at + k];
            for (int k = 0; moving && k < BLOCK; k += GRID) {
                double t = (double)(done + k) / RATE, u = (double)(done + k + GRID - 1) / RATE;
                dsp_delay_params a = s->at, b = s->at;
                a.delay = (0.3 + 0.05 * (t - 3 * (int)(t / 3))) * RATE;
                b.delay = (0.3 + 0.05 * (u - 3 * (int)(u / 3))) * RATE;
                dsp_delay_set(s, &a, &b, GRID - 1);
                float *seg[2] = {io[0] + k, io[1] + k};
                dsp_delay_process(s, seg, GRID);
            }
            if (!moving)
                dsp_delay_process(s, io, BLOCK);
            *sink += io[0][0];
        }
        double t = bench_cpu_now() - t0;
        best = t < best ? t : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 60;
    if (!(seconds > 0)) {
        fprintf(stderr, "usage: delay_bench [SECONDS > 0]\n");
        return 2;
    }
    float *in[2], *io[2];
    for (int c = 0; c < 2; c++) {
        in[c] = malloc(RATE * sizeof(float));
        io[c] = malloc(BLOCK * sizeof(float));
        if (!in[c] || !io[c])
            return 1;
        for (int i = 0; i < RATE; i++)
            in[c][i] = 0.25f * bench_uniform(&rng);
    }
    double longest = 0.5 * RATE;
    float *mem = calloc(dsp_delay_heap_size(2, longest), 1);
    if (!mem)
        return 1;
    static const char *const what[3] = {"static, fractional time", "static, whole-sample time", "time moving"};
    static const double times[3] = {0.375 * RATE + 0.37, 0.375 * RATE, 0.375 * RATE};
    int64_t frames = (int64_t)(seconds * RATE);
    double sink = 0;
    for (int v = 0; v < 3; v++) {
        dsp_delay s;
        dsp_delay_params p = {.delay = times[v], .feedback = 0.4, .mix = 0.3, .lowpass_hz = 4000, .highpass_hz = 150};
        dsp_delay_init(&s, mem, 2, RATE, longest, 0.1, &p);
        double t = run(&s, in, io, frames, v == 2, &sink);
        printf("delay (stereo, 0.375 s, feedback 40 %%, both loop filters), %s: %.1f ns per channel-sample, "
               "%.0fx real time (one thread, CPU time)%s\n", what[v], t * 1e9 / ((double)frames * 2), seconds / t,
               sink == 12345.678 ? " " : "");
    }
    free(mem);
    for (int c = 0; c < 2; c++)
        free(in[c]), free(io[c]);
    return 0;
}
