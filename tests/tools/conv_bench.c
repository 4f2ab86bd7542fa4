/* conv_bench.c - times dsp/convolver on a 2.5 s stereo IR.
 *
 *   build/tools/conv_bench [SECONDS] [PARTITION]     (default 60 s, 1024)
 *
 * A stereo IR of 2.5 s at 48 kHz (120,000 samples per channel: noise under
 * an exponential decay, a reverb's shape, from a fixed-seed PRNG) and
 * SECONDS of stereo noise (a 1 s buffer made beforehand, fed again and
 * again) in calls of 1024 frames (the renderer's
 * default block), as the convolution reverb's op runs it (L -> L, R -> R).
 * Three runs, the fastest counts; prints the CPU time of this thread per
 * channel-sample in ns and the speed in multiples of real time. (The op's
 * dry/wet mix on top is one multiply-add per sample.) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dsp/convolver.h"
#include "tests/tools/bench_util.h"

#define RATE 48000
#define BLOCK 1024
#define IR_LEN (RATE * 5 / 2)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 60;
    int partition = argc > 2 ? atoi(argv[2]) : 1024;
    if (!(seconds > 0) || !dsp_convolver_partition_ok(partition)) {
        fprintf(stderr, "usage: conv_bench [SECONDS > 0] [PARTITION: a power of two, %d to %d]\n",
                DSP_CONVOLVER_MIN_PARTITION, DSP_CONVOLVER_MAX_PARTITION);
        return 2;
    }
    float *ir[2], *in[2], *out[2];
    for (int c = 0; c < 2; c++) {
        ir[c] = malloc(IR_LEN * sizeof(float));
        in[c] = malloc(RATE * sizeof(float));
        out[c] = malloc(BLOCK * sizeof(float));
        if (!ir[c] || !in[c] || !out[c])
            return 1;
        for (int i = 0; i < IR_LEN; i++)
            ir[c][i] = bench_uniform(&rng) * (float)(0.1 * exp(-6.9 * i / IR_LEN)); /* -60 dB at the end */
        for (int i = 0; i < RATE; i++)
            in[c][i] = 0.25f * bench_uniform(&rng);
    }
    size_t bytes = dsp_convolver_heap_size(partition, 2, DSP_CONV_PARALLEL, IR_LEN, 0);
    void *mem = aligned_alloc(64, (bytes + 63) / 64 * 64);
    dsp_convolver s;
    if (!mem || dsp_convolver_init(&s, mem, partition, 2, DSP_CONV_PARALLEL, IR_LEN, 0) != 0) {
        fprintf(stderr, "conv_bench: cannot make the convolver\n");
        return 1;
    }
    dsp_convolver_set_ir(&s, (const float *const *)ir, 1.0);
    int64_t frames = (int64_t)(seconds * RATE);
    double best = 1e30, sink = 0;
    for (int run = 0; run < 3; run++) {
        dsp_convolver_reset(&s);
        double t0 = bench_cpu_now();
        for (int64_t done = 0; done < frames; done += BLOCK) {
            int at = (int)(done % (RATE - RATE % BLOCK));
            const float *x[2] = {in[0] + at, in[1] + at};
            dsp_convolver_process(&s, x, out, BLOCK);
            sink += out[0][0];
        }
        double t = bench_cpu_now() - t0;
        best = t < best ? t : best;
    }
    double ns = best * 1e9 / ((double)frames * 2);
    printf("convolution reverb: 2.5 s stereo IR (%d samples x 2), partition %d (latency %.1f ms): %.1f ns per "
           "channel-sample, %.0fx real time (one thread, CPU time)%s\n", IR_LEN, partition,
           1000.0 * partition / RATE, ns, seconds / best, sink == 12345.678 ? " " : "");
    dsp_convolver_free(&s);
    free(mem);
    for (int c = 0; c < 2; c++)
        free(ir[c]), free(in[c]), free(out[c]);
    return 0;
}
