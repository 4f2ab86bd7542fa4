/* test_audio_diff.c - vm/audio_diff on files written here (32-bit float WAV
 * through libsndfile) with differences placed by hand:
 * - identical files: no difference, peak 0, no span;
 * - single-sample differences of known size: the peak and where it is,
 *   RMS against sqrt(sum d^2 / n) written out here, first and last;
 * - a difference below the threshold counts in peak and RMS, not in spans;
 * - spans merge when fewer samples than the gap lie between them (not
 *   when exactly the gap does),
 *   also across the reader's 65536-frame blocks;
 * - more spans than the list holds: the rest counted, not stored;
 * - another channel count, another length: the common part compared;
 *   another rate: nothing compared. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "vm/audio_diff.h"

static char dir[] = "/tmp/dubstage-test-audio-diff.XXXXXX";

/* frames x channels of x into dir/name at rate; returns the path (static
 * per name slot) */
static const char *write_wav(const char *name, const float *x, int64_t frames, int channels, int rate)
{
    static char paths[4][600];
    static int slot;
    char *path = paths[slot++ % 4];
    snprintf(path, 600, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f || sf_writef_float(f, x, frames) != frames)
        printf("not ok - writing %s: %s\n", path, sf_strerror(f));
    sf_close(f);
    return path;
}

/* a deterministic signal that is never 0 */
static float *signal(int64_t frames, int channels)
{
    float *x = malloc((size_t)frames * (size_t)channels * sizeof *x);
    for (int64_t i = 0; i < frames * channels; i++)
        x[i] = 0.25f * sinf(0.001f * (float)i) + 0.3f;
    return x;
}

static vm_audio_diff run(const char *a, const char *b, double threshold_db, double gap_s)
{
    vm_audio_diff d;
    char err[DS_ERR_LEN] = "";
    vm_audio_diff_opts o = {.threshold = pow(10, threshold_db / 20), .gap_s = gap_s};
    if (vm_audio_diff_files(a, b, &o, &d, err) != DS_OK)
        printf("not ok - diff %s %s: %s\n", a, b, err);
    return d;
}

static void identical(void)
{
    enum { N = 100000 };
    float *x = signal(N, 2);
    const char *a = write_wav("a.wav", x, N, 2, 48000), *b = write_wav("b.wav", x, N, 2, 48000);
    vm_audio_diff d = run(a, b, -120, 0.5);
    check(d.channels == 2 && d.frames == N && d.ch[0].first == -1 && d.ch[1].first == -1 && d.ch[0].peak == 0 &&
              d.ch[0].nspans == 0 && d.ch[0].sum_squares == 0, "identical files: no difference anywhere",
          "%d ch, %lld frames, first %lld", d.channels, (long long)d.frames, (long long)d.ch[0].first);
    vm_audio_diff_free(&d);
    free(x);
}

static void known_samples(void)
{
    enum { N = 200000 };
    float *x = signal(N, 2), *y = signal(N, 2);
    /* channel 0: +0.01 at 1000, -0.03 at 150000 (past two reading blocks),
     * +1e-7 at 170000 (-140 dBFS: below a -120 dBFS threshold) */
    const int64_t at[3] = {1000, 150000, 170000};
    const float dv[3] = {0.01f, -0.03f, 1e-7f};
    double want_sq = 0;
    for (int k = 0; k < 3; k++) {
        y[at[k] * 2] = x[at[k] * 2] + dv[k];
        double d = (double)x[at[k] * 2] - (double)y[at[k] * 2]; /* the float sum rounds: take what was written */
        want_sq += d * d;
    }
    double want_peak = fabs((double)x[150000 * 2] - (double)y[150000 * 2]);
    const char *a = write_wav("a.wav", x, N, 2, 48000), *b = write_wav("b.wav", y, N, 2, 48000);
    vm_audio_diff d = run(a, b, -120, 0.5);
    const vm_audio_diff_channel *c = &d.ch[0];
    check(c->peak == want_peak && c->peak_at == 150000, "the peak: its size to the bit and its sample",
          "peak %.9g at %lld, want %.9g at 150000", c->peak, (long long)c->peak_at, want_peak);
    check_near(sqrt(c->sum_squares / N), sqrt(want_sq / N), 1e-15, "RMS: sqrt(sum d^2 / n) over the file");
    check(c->first == 1000 && c->last == 170000 && c->above == 2, "first and last differences; two above -120 dBFS",
          "first %lld last %lld above %lld", (long long)c->first, (long long)c->last, (long long)c->above);
    /* gap 0.5 s = 24000 samples: 1000 and 150000 are far apart: two spans; the 1e-7 one is below */
    check(c->nspans == 2 && c->spans[0].start == 1000 && c->spans[0].end == 1001 && c->spans[1].start == 150000 &&
              c->spans[1].end == 150001 && c->spans[1].peak == want_peak,
          "two one-sample spans; the one below the threshold in none", "%d spans", c->nspans);
    check(d.ch[1].first == -1, "the other channel: identical", "first %lld", (long long)d.ch[1].first);
    vm_audio_diff_free(&d);
    /* 148999 samples lie between them: a gap longer merges them into one
     * span from 1000 to 150000 */
    d = run(a, b, -120, 149000.0 / 48000);
    check(d.ch[0].nspans == 1 && d.ch[0].spans[0].start == 1000 && d.ch[0].spans[0].end == 150001,
          "a gap one sample longer than the 148999 between: one span, across the reading blocks", "%d spans",
          d.ch[0].nspans);
    vm_audio_diff_free(&d);
    d = run(a, b, -120, 148999.0 / 48000);
    check(d.ch[0].nspans == 2, "a gap of exactly the 148999 between: still two spans", "%d spans", d.ch[0].nspans);
    vm_audio_diff_free(&d);
    d = run(a, b, -200, 0);
    check(d.ch[0].above == 3 && d.ch[0].nspans == 3, "threshold -200 dBFS: the 1e-7 difference counts too",
          "%lld above, %d spans", (long long)d.ch[0].above, d.ch[0].nspans);
    vm_audio_diff_free(&d);
    free(x);
    free(y);
}

static void too_many_spans(void)
{
    enum { N = 30000 };
    float *x = signal(N, 1), *y = signal(N, 1);
    for (int i = 0; i < N; i += 10)
        y[i] += 0.5f; /* 3000 spans with a gap of 0 */
    const char *a = write_wav("a.wav", x, N, 1, 48000), *b = write_wav("b.wav", y, N, 1, 48000);
    vm_audio_diff d = run(a, b, -120, 0);
    check(d.ch[0].nspans == VM_AUDIO_DIFF_SPANS && d.ch[0].spans_unlisted == 3000 - VM_AUDIO_DIFF_SPANS &&
              d.ch[0].above == 3000 && d.ch[0].last == N - 10,
          "3000 spans: the first 1000 listed, 2000 counted; last still exact", "%d listed, %lld more, last %lld",
          d.ch[0].nspans, (long long)d.ch[0].spans_unlisted, (long long)d.ch[0].last);
    vm_audio_diff_free(&d);
    free(x);
    free(y);
}

static void shapes(void)
{
    enum { N = 5000 };
    float *x = signal(N, 2), *m = malloc(N * sizeof *m);
    for (int i = 0; i < N; i++)
        m[i] = x[2 * i];
    const char *a = write_wav("a.wav", x, N, 2, 48000), *b = write_wav("mono_short.wav", m, N - 7, 1, 48000);
    vm_audio_diff d = run(a, b, -120, 0.5);
    check(d.channels == 1 && d.frames == N - 7 && d.a.frames == N && d.b.channels == 1 && d.ch[0].first == -1,
          "2 ch against 1 ch 7 samples shorter: the common channel and length compared, identical",
          "%d ch, %lld frames", d.channels, (long long)d.frames);
    vm_audio_diff_free(&d);
    b = write_wav("r44.wav", x, N, 2, 44100);
    d = run(a, b, -120, 0.5);
    check(d.channels == 0 && d.frames == 0 && d.a.rate == 48000 && d.b.rate == 44100,
          "another rate: probed, nothing compared", "%d ch, %lld frames", d.channels, (long long)d.frames);
    vm_audio_diff_free(&d);
    vm_audio_diff_opts o = {.threshold = 1e-6, .gap_s = 0.5};
    char err[DS_ERR_LEN] = "", missing[700];
    snprintf(missing, sizeof missing, "%s/none.wav", dir);
    ds_result r = vm_audio_diff_files(a, missing, &o, &d, err);
    check(r != DS_OK && strstr(err, missing), "a missing file: an error naming it", "%s", err);
    vm_audio_diff_free(&d);
    free(x);
    free(m);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        printf("not ok - a temporary folder\n");
        return 1;
    }
    identical();
    known_samples();
    too_many_spans();
    shapes();
    static const char *const names[] = {"a.wav", "b.wav", "mono_short.wav", "r44.wav"};
    for (int i = 0; i < 4; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return check_exit();
}
