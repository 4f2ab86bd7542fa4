/* loudness_bench.c - times dsp/loudness against libebur128 on the same input.
 *
 *   build/tools/loudness_bench [SECONDS] [CHANNELS] [METERS]  (default 600 s, 2 ch, 1)
 *
 * METERS > 1: the channels are split among that many meters (CHANNELS a
 * multiple of it) measured together, as a render meters its outputs
 * (dsp_loudness_process_many): `600 8 4` is the film bench's printmaster
 * and three stems. libebur128 then runs one state per meter.
 *
 * The input is white noise at about -20 dBFS RMS, 48 kHz, from a fixed-seed
 * PRNG: a 60 s buffer fed repeatedly, 1024 frames per call (the renderer's
 * default block). libebur128 runs with the flags vm/render.c used
 * (EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK) on input
 * interleaved beforehand, so its figure is its own work only; dsp/loudness
 * takes the planar buffers as the renderer has them. Each meter runs three
 * times and the fastest run counts, timed in CPU time of the process (on a
 * loaded machine wall time measures the load). Prints both times, the speed
 * in multiples of real time, the ratio, and both meters' readings (of the
 * first meter).
 */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dsp/loudness.h"

#define RATE 48000
#define BUF_SECONDS 60
#define BLOCK 1024

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 600.0;
    int channels = argc > 2 ? atoi(argv[2]) : 2;
    int meters = argc > 3 ? atoi(argv[3]) : 1;
    if (seconds <= 0 || channels < 1 || channels > 16 || meters < 1 || channels % meters != 0) {
        fprintf(stderr, "usage: loudness_bench [SECONDS] [CHANNELS 1..16] [METERS, dividing CHANNELS]\n");
        return 2;
    }
    const int per = channels / meters; /* channels of each meter */
    int64_t total = (int64_t)(seconds * RATE);
    int64_t buf_frames = (int64_t)BUF_SECONDS * RATE;
    if (buf_frames > total)
        buf_frames = total;
    float **planar = calloc((size_t)channels, sizeof *planar);
    /* meter j's channels interleaved, for libebur128: inter + j * buf_frames * per */
    float *inter = malloc((size_t)buf_frames * (size_t)channels * sizeof *inter);
    if (!planar || !inter)
        return 1;
    for (int c = 0; c < channels; c++) {
        planar[c] = malloc((size_t)buf_frames * sizeof **planar);
        if (!planar[c])
            return 1;
    }
    /* noise, uniform in +-0.17 (about -20 dBFS RMS) */
    for (int64_t i = 0; i < buf_frames; i++)
        for (int c = 0; c < channels; c++) {
            float v = (float)((uniform() * 2.0 - 1.0) * 0.17);
            planar[c][i] = v;
            inter[(c / per) * buf_frames * per + i * per + c % per] = v;
        }

    double best_ours = 1e30, best_lib = 1e30;
    dsp_loudness_result res = {0};
    double lib_i = 0, lib_lra = 0, lib_tp = 0;
    const float *ptr[16];
    dsp_loudness *m[16];
    ebur128_state *st[16];
    const float *const *in[16];
    for (int j = 0; j < meters; j++)
        in[j] = ptr + j * per;
    for (int run = 0; run < 3; run++) {
        dsp_loudness_config cfg;
        dsp_loudness_config_init(&cfg, RATE, per);
        for (int j = 0; j < meters; j++)
            if (!(m[j] = dsp_loudness_create(&cfg)))
                return 1;
        double t0 = now();
        for (int64_t pos = 0; pos < total; pos += BLOCK) {
            int64_t off = pos % buf_frames;
            int n = BLOCK;
            if (n > total - pos)
                n = (int)(total - pos);
            if (n > buf_frames - off)
                n = (int)(buf_frames - off);
            for (int c = 0; c < channels; c++)
                ptr[c] = planar[c] + off;
            dsp_loudness_process_many(m, in, meters, n);
            pos += n - BLOCK;
        }
        for (int j = meters - 1; j >= 0; j--)
            dsp_loudness_get(m[j], &res);
        double t = now() - t0;
        best_ours = t < best_ours ? t : best_ours;
        for (int j = 0; j < meters; j++)
            dsp_loudness_destroy(&m[j]);

        for (int j = 0; j < meters; j++)
            if (!(st[j] = ebur128_init((unsigned)per, RATE, EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK)))
                return 1;
        t0 = now();
        for (int64_t pos = 0; pos < total; pos += BLOCK) {
            int64_t off = pos % buf_frames;
            int n = BLOCK;
            if (n > total - pos)
                n = (int)(total - pos);
            if (n > buf_frames - off)
                n = (int)(buf_frames - off);
            for (int j = 0; j < meters; j++)
                ebur128_add_frames_float(st[j], inter + j * buf_frames * per + off * per, (size_t)n);
            pos += n - BLOCK;
        }
        for (int j = meters - 1; j >= 0; j--) {
            ebur128_loudness_global(st[j], &lib_i);
            ebur128_loudness_range(st[j], &lib_lra);
            lib_tp = 0;
            for (int c = 0; c < per; c++) {
                double v;
                if (ebur128_true_peak(st[j], (unsigned)c, &v) == EBUR128_SUCCESS && v > lib_tp)
                    lib_tp = v;
            }
        }
        t = now() - t0;
        best_lib = t < best_lib ? t : best_lib;
        for (int j = 0; j < meters; j++)
            ebur128_destroy(&st[j]);
    }
    printf("input        %.0f s, %d ch in %d meter%s, 48 kHz noise, %d-frame calls, CPU time\n", seconds, channels,
           meters, meters > 1 ? "s" : "", BLOCK);
    printf("dsp/loudness %8.3f s  (%6.0fx real time)  I %.3f LUFS, LRA %.3f LU, TP %.3f dBTP\n", best_ours,
           seconds / best_ours, res.integrated_lufs, res.range_lu, res.true_peak_dbtp);
    printf("libebur128   %8.3f s  (%6.0fx real time)  I %.3f LUFS, LRA %.3f LU, TP %.3f dBTP\n", best_lib,
           seconds / best_lib, lib_i, lib_lra, 20.0 * log10(lib_tp));
    printf("ratio        %.1fx faster\n", best_lib / best_ours);
    for (int c = 0; c < channels; c++)
        free(planar[c]);
    free(planar);
    free(inter);
    return 0;
}
