/* truepeak_exact.c - the true peak the meter reports against the
 * interpolator run on every window (issue 13: the meter skips stretches
 * whose samples cannot beat the reading so far; this shows, file by file,
 * that the skipping changes nothing).
 *
 *   build/tools/truepeak_exact FILE...
 *
 * Each file is read whole by libsndfile (float samples, the meter's input).
 * Per channel:
 *   meter       dsp_loudness (true peak on), fed in 1024-frame calls as a
 *               render feeds it, read by dsp_loudness_channel_peaks;
 *   everywhere  BS.1770-4 Annex 2's interpolator (dsp_truepeak_peak) over
 *               every window of the channel with 11 zeros before it and 11
 *               after (the meter counts the values past the last sample as
 *               if silence followed), max the largest |sample| (a reading
 *               is never below the samples), nothing skipped.
 * Prints one line a file: the largest of each over the channels in dBTP
 * (nine decimals), and "same" when every channel's two values are the same
 * bits, else "DIFFER". Exit status 1 when any file differs or cannot be read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "dsp/loudness.h"
#include "dsp/truepeak.h"

#define CALL 1024

/* one file: 0 same, 1 differs or unreadable (with a message) */
static int one(const char *path)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        fprintf(stderr, "truepeak_exact: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    long n = (long)info.frames;
    int nch = info.channels, rc = 1;
    float *inter = NULL, *w = NULL;
    float **x = NULL;
    dsp_loudness *meter = NULL;
    if (nch < 1 || nch > 64 || n < 1 || n > 1L << 30) {
        fprintf(stderr, "truepeak_exact: %s: %d channels, %ld frames: not measured\n", path, nch, n);
        goto done;
    }
    inter = malloc(sizeof *inter * (size_t)n * (size_t)nch);
    w = calloc((size_t)n + 2 * DSP_TRUEPEAK_TAPS, sizeof *w);
    x = calloc((size_t)nch, sizeof *x);
    if (!inter || !w || !x || sf_readf_float(sf, inter, n) != n) {
        fprintf(stderr, "truepeak_exact: %s: cannot read it whole\n", path);
        goto done;
    }
    for (int c = 0; c < nch; c++) {
        if (!(x[c] = malloc(sizeof **x * (size_t)n))) {
            fprintf(stderr, "truepeak_exact: %s: out of memory\n", path);
            goto done;
        }
        for (long i = 0; i < n; i++)
            x[c][i] = inter[i * nch + c];
    }
    dsp_loudness_config cfg;
    dsp_loudness_config_init(&cfg, info.samplerate, nch);
    if (!(meter = dsp_loudness_create(&cfg))) {
        fprintf(stderr, "truepeak_exact: %s: no meter for %d channels at %d Hz\n", path, nch, info.samplerate);
        goto done;
    }
    const float *ch[64];
    for (long i = 0; i < n; i += CALL) {
        for (int c = 0; c < nch; c++)
            ch[c] = x[c] + i;
        dsp_loudness_process(meter, ch, n - i < CALL ? (int)(n - i) : CALL);
    }
    int same = 1;
    double got_max = 0, want_max = 0;
    const int h = DSP_TRUEPEAK_TAPS - 1;
    for (int c = 0; c < nch; c++) {
        /* zeros, the channel, zeros: every window that holds a sample */
        memset(w, 0, ((size_t)n + 2 * DSP_TRUEPEAK_TAPS) * sizeof *w);
        memcpy(w + h, x[c], (size_t)n * sizeof *w);
        float want = dsp_truepeak_peak(w, (int)n + h, 0.0f);
        want = dsp_truepeak_sample_peak(x[c], (int)n, want);
        double sample_peak, true_peak;
        dsp_loudness_channel_peaks(meter, c, &sample_peak, &true_peak);
        float got = (float)true_peak;
        same &= memcmp(&got, &want, sizeof got) == 0;
        got_max = got > got_max ? got : got_max;
        want_max = want > want_max ? want : want_max;
    }
    printf("%15.9f %15.9f %s %s\n", 20 * log10(got_max), 20 * log10(want_max), same ? "same" : "DIFFER", path);
    rc = !same;
done:
    dsp_loudness_destroy(&meter);
    for (int c = 0; x && c < nch; c++)
        free(x[c]);
    free(x);
    free(w);
    free(inter);
    sf_close(sf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: truepeak_exact FILE...\n");
        return 2;
    }
    printf("# meter_dBTP everywhere_dBTP same|DIFFER file\n");
    int rc = 0;
    for (int k = 1; k < argc; k++)
        rc |= one(argv[k]);
    return rc;
}
