/* reverb_bench.c - times dsp/reverb (the algorithmic reverb) alone.
 *
 *   build/tools/reverb_bench [SECONDS]          (default 60)
 *
 * For a stereo and a 5.1 reverb (rt60 2 s, size 20 m, pre-delay 20 ms,
 * 48 kHz, 1024 frames per call, the renderer's default block): SECONDS of
 * white noise at about -20 dBFS RMS on every input, then a 60 s tail of
 * silence (after 1 s of noise), the state decaying through the range where
 * subnormal numbers would appear if they were not flushed. Prints ns per
 * channel-sample for each, and the tail's last 30 s against its first 30 s
 * (a ratio near 1: no slow-down as the tail dies). Times are the thread's
 * CPU time (a loaded machine stretches wall time, not this), each the
 * least of three runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/reverb.h"
#include "tests/tools/bench_util.h"

#define RATE 48000
#define BLOCK 1024

static uint64_t rng = 2463534242u;

/* Runs `blocks` blocks of noise (noisy) or silence; returns seconds taken. */
static double run(dsp_reverb *s, float **buf, int nch, long blocks, int noisy)
{
    double t0 = bench_cpu_now();
    for (long b = 0; b < blocks; b++) {
        for (int ch = 0; ch < nch; ch++)
            for (int i = 0; i < BLOCK; i++)
                buf[ch][i] = noisy ? 0.175f * bench_uniform(&rng) : 0.0f;
        dsp_reverb_process(s, buf, BLOCK);
    }
    return bench_cpu_now() - t0;
}

static void bench(int nch, const char *name, double seconds)
{
    dsp_reverb_shape sh = {.channels = nch, .size_m = 20, .predelay_s = 0.02};
    dsp_reverb_speakers_for(nch, sh.speakers);
    dsp_reverb_params p = {.rt60_s = 2, .damping = 0.5, .damping_hz = 6000, .width = 1, .mix = 1};
    dsp_reverb *s = malloc(sizeof *s);
    void *mem = malloc(dsp_reverb_heap_size(RATE, &sh));
    float *buf[DSP_REVERB_MAX_CHANNELS];
    for (int ch = 0; ch < nch; ch++)
        buf[ch] = malloc(BLOCK * sizeof(float));
    long noise_blocks = (long)(seconds * RATE / BLOCK), half_tail = 30L * RATE / BLOCK;
    double best_noise = 1e30, best_first = 1e30, best_last = 1e30;
    for (int r = 0; r < 3; r++) {
        dsp_reverb_init(s, mem, RATE, &sh, &p);
        double t = run(s, buf, nch, noise_blocks, 1);
        best_noise = t < best_noise ? t : best_noise;
        dsp_reverb_reset(s);
        run(s, buf, nch, RATE / BLOCK, 1); /* 1 s of noise, then the tail */
        double first = run(s, buf, nch, half_tail, 0), last = run(s, buf, nch, half_tail, 0);
        best_first = first < best_first ? first : best_first;
        best_last = last < best_last ? last : best_last;
    }
    double cs = (double)nch * BLOCK;
    printf("  %-7s noise %6.1f ns per channel-sample (%.0fx real time in CPU time); 60 s tail %.3f s "
           "(%.1f ns per channel-sample), last 30 s / first 30 s = %.2f\n",
           name, best_noise * 1e9 / (cs * noise_blocks), noise_blocks * (double)BLOCK / RATE / best_noise,
           best_first + best_last, (best_first + best_last) * 1e9 / (cs * 2 * half_tail), best_last / best_first);
    for (int ch = 0; ch < nch; ch++)
        free(buf[ch]);
    free(mem), free(s);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 60;
    if (!(seconds > 0))
        seconds = 60;
    printf("reverb (dsp/reverb, 16 lines, rt60 2 s, size 20 m, 48 kHz, %d-frame calls, %.0f s of noise):\n", BLOCK,
           seconds);
    bench(2, "stereo", seconds);
    bench(6, "5.1", seconds);
    return 0;
}
