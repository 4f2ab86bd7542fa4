/* make_ebu.c - writes the EBU Tech 3341 and Tech 3342 test signals
 * (tests/unit/ebu_signals.h, the generator test_loudness checks the meter
 * with) to audio files, and prints what each should read.
 *
 *   build/tools/make_ebu DIR
 *
 * Files: DIR/3341-01.wav ... (32-bit float WAV, so the samples are the
 * generator's exactly; case 1 also as 24-bit FLAC and case 2 as 24-bit
 * AIFF, other formats through the same reader; case 6 is 5.1 in a
 * WAVE_FORMAT_EXTENSIBLE file with mask 0x60F, L R C LFE Ls Rs). Cases 10
 * and 13 are 20 files each (3341-10-01 .. -20), one per burst start.
 * Cases 11 and 14 (the live meter's: 20 bursts at 20 levels and starts in
 * one file) are one file each, 3341-11.wav and 3341-14.wav; their
 * expected readings, one per burst, are for the pieces of that file
 * (3341-11-01.wav .. -20, 6 s each; 3341-14-01 .. -20, 0.8 s each) that
 * tests/render/loudness_cmd.sh cuts from it: no two bursts are less than
 * a window apart (3.15 s against S's 3 s, 0.42 s against M's 0.4 s), so a
 * piece's max is what a live meter shows while that burst plays.
 *
 * stdout, one line per expected value, for tests/render/loudness_cmd.sh:
 *   FILE KEY WANT BELOW ABOVE CASE
 * KEY a key of `dubstage loudness --json`; a reading passes when it is in
 * [WANT - BELOW, WANT + ABOVE]. Values and tolerances are the EBU's (M, S,
 * I +-0.1 LU; LRA +-1 LU; true peak +0.2/-0.4 dB); the sample peaks of the
 * true-peak cases are construction checks of the signals (+-0.01/0.02 dB).
 * Cases 7 and 8 (the EBU's own programme files) are not made here.
 */
#include <sndfile.h>

#include "tests/unit/ebu_signals.h"

static const char *dir;

static void write_sig(const sig *s, const char *name, int format, const int *chanmap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO si = {.samplerate = (int)s->rate, .channels = s->channels, .format = format};
    SNDFILE *f = sf_open(path, SFM_WRITE, &si);
    if (!f) {
        fprintf(stderr, "make_ebu: cannot write '%s': %s\n", path, sf_strerror(NULL));
        exit(1);
    }
    if (chanmap && sf_command(f, SFC_SET_CHANNEL_MAP_INFO, (void *)chanmap, (int)(s->channels * sizeof(int))) != SF_TRUE) {
        fprintf(stderr, "make_ebu: '%s': libsndfile did not take the channel map\n", path);
        exit(1);
    }
    /* interleaved, in one write (libsndfile does not buffer small writes) */
    float *frames = malloc((size_t)s->n * (size_t)s->channels * sizeof *frames);
    if (!frames) {
        fprintf(stderr, "make_ebu: out of memory\n");
        exit(1);
    }
    for (long i = 0; i < s->n; i++)
        for (int c = 0; c < s->channels; c++)
            frames[i * s->channels + c] = s->x[c][i];
    if (sf_writef_float(f, frames, s->n) != s->n) {
        fprintf(stderr, "make_ebu: write error on '%s': %s\n", path, sf_strerror(f));
        exit(1);
    }
    free(frames);
    if (sf_close(f) != 0) {
        fprintf(stderr, "make_ebu: cannot close '%s'\n", path);
        exit(1);
    }
}

static void expect(const char *file, const char *key, double want, double below, double above, const char *what)
{
    printf("%s %s %.3f %.3f %.3f %s\n", file, key, want, below, above, what);
}

#define WAV_FLOAT (SF_FORMAT_WAV | SF_FORMAT_FLOAT)

/* writes s as name (float WAV) and frees it */
static void emit(sig *s, const char *name)
{
    write_sig(s, name, WAV_FLOAT, NULL);
    sig_free(s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_ebu DIR\n");
        return 2;
    }
    dir = argv[1];
    sig s;
    const char *msi[] = {"integrated_lufs", "max_momentary_lufs", "max_short_term_lufs"};

    /* cases 1 and 2: 20 s of stereo 1 kHz; I, M and S all read the level */
    static const struct {
        const char *name;
        double db;
        int format;
    } steady[] = {
        {"3341-01.wav", -23, WAV_FLOAT},
        {"3341-01.flac", -23, SF_FORMAT_FLAC | SF_FORMAT_PCM_24},
        {"3341-02.wav", -33, WAV_FLOAT},
        {"3341-02.aiff", -33, SF_FORMAT_AIFF | SF_FORMAT_PCM_24},
    };
    for (size_t i = 0; i < sizeof steady / sizeof steady[0]; i++) {
        sig_init(&s, 48000, 2);
        tone(&s, 20.0, steady[i].db);
        write_sig(&s, steady[i].name, steady[i].format, NULL);
        sig_free(&s);
        for (int k = 0; k < 3; k++)
            expect(steady[i].name, msi[k], steady[i].db, 0.1, 0.1, steady[i].db == -23 ? "3341-case-1" : "3341-case-2");
    }

    sig_init(&s, 48000, 2);
    tone(&s, 10, -36), tone(&s, 60, -23), tone(&s, 10, -36);
    emit(&s, "3341-03.wav");
    expect("3341-03.wav", "integrated_lufs", -23, 0.1, 0.1, "3341-case-3-relative-gate");

    sig_init(&s, 48000, 2);
    tone(&s, 10, -72), tone(&s, 10, -36), tone(&s, 60, -23), tone(&s, 10, -36), tone(&s, 10, -72);
    emit(&s, "3341-04.wav");
    expect("3341-04.wav", "integrated_lufs", -23, 0.1, 0.1, "3341-case-4-absolute-and-relative-gate");

    sig_init(&s, 48000, 2);
    tone(&s, 20, -26), tone(&s, 20.1, -20), tone(&s, 20, -26);
    emit(&s, "3341-05.wav");
    expect("3341-05.wav", "integrated_lufs", -23, 0.1, 0.1, "3341-case-5");

    /* case 6: 5.1, the channels named by the file's mask */
    static const int map51[6] = {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER,
                                 SF_CHANNEL_MAP_LFE, SF_CHANNEL_MAP_SIDE_LEFT, SF_CHANNEL_MAP_SIDE_RIGHT};
    sig_init(&s, 48000, 6);
    const double db51[6] = {-28, -28, -24, NAN, -30, -30};
    tone_ch(&s, 960000, db51);
    write_sig(&s, "3341-06.wav", SF_FORMAT_WAVEX | SF_FORMAT_FLOAT, map51);
    sig_free(&s);
    expect("3341-06.wav", "integrated_lufs", -23, 0.1, 0.1, "3341-case-6-5.1-Ls/Rs-1.41-LFE-out");

    /* case 9: S is -23 from 3 s on (so its max is); case 12: M from 1 s on */
    sig_init(&s, 48000, 2);
    for (int i = 0; i < 5; i++)
        tone(&s, 1.34, -20), tone(&s, 1.66, -30);
    emit(&s, "3341-09.wav");
    expect("3341-09.wav", "max_short_term_lufs", -23, 0.1, 0.1, "3341-case-9");
    sig_init(&s, 48000, 2);
    for (int i = 0; i < 25; i++)
        tone(&s, 0.18, -20), tone(&s, 0.22, -30);
    emit(&s, "3341-12.wav");
    expect("3341-12.wav", "max_momentary_lufs", -23, 0.1, 0.1, "3341-case-12");

    /* cases 10 and 13: one burst at each of 20 starts */
    for (int i = 0; i < 20; i++) {
        char name[64];
        snprintf(name, sizeof name, "3341-10-%02d.wav", i + 1);
        sig_init(&s, 48000, 2);
        silence(&s, 0.15 * i), tone(&s, 3.0, -23), silence(&s, 1.0);
        emit(&s, name);
        expect(name, "max_short_term_lufs", -23, 0.1, 0.1, "3341-case-10");
        snprintf(name, sizeof name, "3341-13-%02d.wav", i + 1);
        sig_init(&s, 48000, 2);
        silence(&s, 0.02 * i), tone(&s, 0.4, -23), silence(&s, 1.0);
        emit(&s, name);
        expect(name, "max_momentary_lufs", -23, 0.1, 0.1, "3341-case-13");
    }

    /* cases 11 and 14: the max of each piece is its burst's level, the
     * max of the whole file the last burst's */
    static const struct {
        int n;
        double start_s, burst_s, piece_s;
        const char *key;
    } live[] = {{11, 0.15, 3.0, 6.0, "max_short_term_lufs"}, {14, 0.02, 0.4, 0.8, "max_momentary_lufs"}};
    for (size_t k = 0; k < sizeof live / sizeof live[0]; k++) {
        char name[64], what[64];
        snprintf(what, sizeof what, "3341-case-%d", live[k].n);
        live_bursts(&s, live[k].start_s, live[k].burst_s, live[k].piece_s);
        for (int i = 0; i < 20; i++) {
            snprintf(name, sizeof name, "3341-%d-%02d.wav", live[k].n, i + 1);
            expect(name, live[k].key, -38 + i, 0.1, 0.1, what);
        }
        snprintf(name, sizeof name, "3341-%d.wav", live[k].n);
        emit(&s, name);
        expect(name, live[k].key, -19, 0.1, 0.1, what);
    }

    /* cases 15-19: sines at fs/4, fs/6, fs/8 between samples */
    static const struct {
        int n;
        double freq, phase, amp, want, sample_peak;
    } tp[] = {
        {15, 12000, 0, 0.5, -6.0, -6.02},       {16, 12000, 12.5, 0.5, -6.0, -9.03},
        {17, 8000, 100.0 / 6.0, 0.5, -6.0, -7.27}, {18, 6000, 18.75, 0.5, -6.0, -6.71},
        {19, 12000, 12.5, 1.41, 3.0, -0.03},
    };
    for (size_t i = 0; i < sizeof tp / sizeof tp[0]; i++) {
        char name[64], what[64];
        snprintf(name, sizeof name, "3341-%d.wav", tp[i].n);
        snprintf(what, sizeof what, "3341-case-%d", tp[i].n);
        tp_case(&s, tp[i].freq, tp[i].phase, tp[i].amp);
        emit(&s, name);
        expect(name, "true_peak_dbtp", tp[i].want, 0.4, 0.2, what);
        expect(name, "sample_peak_dbfs", tp[i].sample_peak, 0.01, 0.01, what);
    }
    /* cases 20-23: a band-limited burst at four sub-sample offsets */
    static const double burst_sp[4] = {-0.14, -0.52, -2.59, -0.52};
    for (int k = 0; k < 4; k++) {
        char name[64], what[64];
        snprintf(name, sizeof name, "3341-%d.wav", 20 + k);
        snprintf(what, sizeof what, "3341-case-%d", 20 + k);
        tp_burst(&s, k);
        emit(&s, name);
        expect(name, "true_peak_dbtp", 0.0, 0.4, 0.2, what);
        expect(name, "sample_peak_dbfs", burst_sp[k], 0.02, 0.02, what);
    }

    /* Tech 3342 cases 1-4: 20 s segments at the given levels */
    static const struct {
        int n;
        double db[5];
        double want;
    } lra[] = {
        {2, {-20, -30}, 10}, {2, {-20, -15}, 5}, {2, {-40, -20}, 20}, {5, {-50, -35, -20, -35, -50}, 15},
    };
    for (size_t i = 0; i < sizeof lra / sizeof lra[0]; i++) {
        char name[64], what[64];
        snprintf(name, sizeof name, "3342-%02zu.wav", i + 1);
        snprintf(what, sizeof what, "3342-case-%zu", i + 1);
        sig_init(&s, 48000, 2);
        for (int k = 0; k < lra[i].n; k++)
            tone(&s, 20.0, lra[i].db[k]);
        emit(&s, name);
        expect(name, "loudness_range_lu", lra[i].want, 1.0, 1.0, what);
    }
    return 0;
}
