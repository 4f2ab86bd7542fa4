/* ebur128_scan.c - libebur128's file scan, the peer `dubstage loudness` is
 * timed against in the benchmark (tests/bench/loudness.sh): what
 * libebur128's own loudness-scanner does for `loudness scan -r -p true`,
 * in the fewest lines.
 *
 *   build/tools/ebur128_scan FILE...
 *
 * Each file in turn: read by libsndfile as interleaved float, one second
 * per read, into a meter made with EBUR128_MODE_I | EBUR128_MODE_LRA |
 * EBUR128_MODE_TRUE_PEAK at the file's rate; libebur128's default channel
 * map (L R C LFE Ls Rs by position; a mono file reads as one front
 * channel, as dubstage and ffmpeg read it). Prints one line a file:
 *   I_LUFS LRA_LU TRUE_PEAK_DBTP FILE
 * (-inf where libebur128 says so). Exit status 1 when any file could not
 * be read or measured, after the others.
 */
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

/* one file: 0, or 1 with a message on stderr */
static int scan(const char *path)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        fprintf(stderr, "ebur128_scan: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    int rc = 1;
    const sf_count_t chunk = info.samplerate;
    float *buf = malloc(sizeof(float) * (size_t)chunk * (size_t)info.channels);
    ebur128_state *st = ebur128_init((unsigned)info.channels, (unsigned long)info.samplerate,
                                     EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
    if (!buf || !st) {
        fprintf(stderr, "ebur128_scan: %s: out of memory\n", path);
        goto done;
    }
    sf_count_t got;
    while ((got = sf_readf_float(sf, buf, chunk)) > 0) {
        if (ebur128_add_frames_float(st, buf, (size_t)got) != EBUR128_SUCCESS) {
            fprintf(stderr, "ebur128_scan: %s: libebur128 refused the frames\n", path);
            goto done;
        }
    }
    double integrated, range, peak = 0.0;
    if (ebur128_loudness_global(st, &integrated) != EBUR128_SUCCESS ||
        ebur128_loudness_range(st, &range) != EBUR128_SUCCESS) {
        fprintf(stderr, "ebur128_scan: %s: no loudness from libebur128\n", path);
        goto done;
    }
    for (int c = 0; c < info.channels; c++) {
        double p;
        if (ebur128_true_peak(st, (unsigned)c, &p) != EBUR128_SUCCESS) {
            fprintf(stderr, "ebur128_scan: %s: no true peak from libebur128\n", path);
            goto done;
        }
        peak = p > peak ? p : peak;
    }
    printf("%.3f %.3f %.3f %s\n", integrated, range, peak > 0.0 ? 20.0 * log10(peak) : -INFINITY, path);
    rc = 0;
done:
    if (st) /* libebur128's destroy does not take a NULL state */
        ebur128_destroy(&st);
    free(buf);
    sf_close(sf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ebur128_scan FILE...\n");
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++)
        rc |= scan(argv[i]);
    return rc;
}
