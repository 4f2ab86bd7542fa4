/* test_media.c - vm/media: probing, same-rate reads, resampled reads.
 *
 * Every test file is generated here with libsndfile into a mkdtemp folder
 * and removed at the end. References are independent of the reader: the
 * samples we wrote (same-rate reads are exact), analytic positions
 * (an impulse at source frame j must come out centred on j * out / in),
 * a least-squares sine fit (THD+N), and invariants (block-size and
 * start-position independence). */
#include "dsp/pcm.h"
#include "dsp/simd.h"
#include "tests/check.h"
#include "vm/media.h"

#include <dirent.h>
#include <math.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

/* ---- counting allocations ----------------------------------------------
 * vm_media_read must not allocate. glibc lets the program interpose malloc
 * and friends for every library it uses; the originals stay reachable as
 * __libc_*. Left out under AddressSanitizer (which owns malloc itself) and
 * when built with -DTEST_NO_ALLOC_HOOK (for valgrind, which must see the
 * real calls). */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_NO_ALLOC_HOOK 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_NO_ALLOC_HOOK 1
#endif
#endif

static int counting;
static long alloc_count;

#if !defined(TEST_NO_ALLOC_HOOK) && defined(__GLIBC__)
#define HAVE_ALLOC_HOOK 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

void *malloc(size_t n)
{
    if (counting) alloc_count++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (counting) alloc_count++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (counting) alloc_count++;
    return __libc_realloc(p, n);
}

int posix_memalign(void **p, size_t align, size_t n)
{
    if (counting) alloc_count++;
    *p = __libc_memalign(align, n);
    return *p ? 0 : ENOMEM;
}

void *aligned_alloc(size_t align, size_t n)
{
    if (counting) alloc_count++;
    return __libc_memalign(align, n);
}
#else
#define HAVE_ALLOC_HOOK 0
#endif

/* ---- test files ----------------------------------------------------------- */

static char tmp_dir[64];
static char tmp_files[64][256];
static int tmp_count;

static const char *tmp_path(const char *name)
{
    char *p = tmp_files[tmp_count++];
    snprintf(p, sizeof tmp_files[0], "%s/%s", tmp_dir, name);
    return p;
}

static void remove_tmp(void)
{
    for (int i = 0; i < tmp_count; i++)
        remove(tmp_files[i]);
    rmdir(tmp_dir);
}

/* Writes interleaved floats (frames x ch). Returns 0 on success. */
static int write_float(const char *path, int format, int rate, int ch, const float *data,
                       int64_t frames)
{
    SF_INFO si = {.samplerate = rate, .channels = ch, .format = format};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &si);
    if (!sf) {
        fprintf(stderr, "# cannot write %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    sf_count_t n = sf_writef_float(sf, data, frames);
    sf_close(sf);
    return n == frames ? 0 : -1;
}

/* Writes 24-bit sample values (in [-2^23, 2^23)) exactly: libsndfile takes
 * the top 24 bits of a left-aligned int. They read back as v / 2^23. */
static int write_int24(const char *path, int format, int rate, int ch, const int32_t *v,
                       int64_t frames)
{
    SF_INFO si = {.samplerate = rate, .channels = ch, .format = format};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &si);
    if (!sf) {
        fprintf(stderr, "# cannot write %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    int *buf = malloc((size_t)(frames * ch) * sizeof *buf);
    for (int64_t i = 0; i < frames * ch; i++)
        buf[i] = (int)((uint32_t)v[i] << 8);
    sf_count_t n = sf_writef_int(sf, buf, frames);
    free(buf);
    sf_close(sf);
    return n == frames ? 0 : -1;
}

static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng;
}

static float noise(void) { return (float)((next_rand() >> 8) / 16777216.0 - 0.5); }

static int32_t rand24(void) { return (int32_t)(next_rand() >> 8) - (1 << 23); }

/* Opens path at out_rate from start and reads n frames in one call. */
static ds_result read_stream(const char *path, int out_rate, int64_t start, float *out, int n)
{
    char err[DS_ERR_LEN];
    vm_media_reader *r = NULL;
    ds_result rc = vm_media_open(&r, path, out_rate, start, err);
    if (rc != DS_OK) {
        printf("# %s\n", err);
        return rc;
    }
    rc = vm_media_read(r, out, n, err);
    if (rc != DS_OK)
        printf("# %s\n", err);
    vm_media_close(&r);
    return rc;
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > m) m = d;
    }
    return m;
}

static int count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* ---- probing ---------------------------------------------------------------- */

static void probe_expect(const char *path, int ch, int rate, int64_t frames, const char *fmt,
                         const char *what)
{
    vm_media_info info;
    char err[DS_ERR_LEN] = "", name[128];
    ds_result rc = vm_media_probe(path, &info, err);
    snprintf(name, sizeof name, "probe %s", what);
    if (rc != DS_OK) {
        check(0, name, "%s", err);
        return;
    }
    check(info.channels == ch && info.rate == rate && info.frames == frames &&
              strcmp(info.format, fmt) == 0,
          name, "got %d ch, %d Hz, %lld frames, \"%s\"; want %d ch, %d Hz, %lld frames, \"%s\"",
          info.channels, info.rate, (long long)info.frames, info.format, ch, rate,
          (long long)frames, fmt);
}

static void test_probe(void)
{
    enum { N = 10000 };
    int32_t *v = malloc(N * 6 * sizeof *v);
    float *f = malloc(N * 2 * sizeof *f);
    for (int i = 0; i < N * 6; i++) v[i] = rand24();
    for (int i = 0; i < N * 2; i++) f[i] = 0.5f * sinf((float)i * 0.01f);

    const char *wav = tmp_path("p24.wav"), *wavex = tmp_path("p24x.wav"),
               *flac = tmp_path("p.flac"), *aiff = tmp_path("p.aiff"), *ogg = tmp_path("p.ogg"),
               *flt = tmp_path("pf.wav"), *mp3 = tmp_path("p.mp3"), *opus = tmp_path("p.opus");
    if (write_int24(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 2, v, N) ||
        write_int24(wavex, SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, 48000, 6, v, N) ||
        write_int24(flac, SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 96000, 1, v, N) ||
        write_int24(aiff, SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 44100, 2, v, N) ||
        write_float(ogg, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 2, f, N) ||
        write_float(flt, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 88200, 2, f, N) ||
        write_float(mp3, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2, f, N) ||
        write_float(opus, SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 1, f, N)) {
        check(0, "write probe files", "libsndfile could not write them");
        goto out;
    }
    probe_expect(wav, 2, 48000, N, "WAV 24-bit", "WAV 24-bit stereo 48 kHz");
    probe_expect(wavex, 6, 48000, N, "WAV 24-bit", "WAVE_FORMAT_EXTENSIBLE 24-bit 5.1 48 kHz");
    probe_expect(flac, 1, 96000, N, "FLAC 24-bit", "FLAC 24-bit mono 96 kHz");
    probe_expect(aiff, 2, 44100, N, "AIFF 24-bit", "AIFF 24-bit stereo 44.1 kHz");
    probe_expect(ogg, 2, 44100, N, "Ogg Vorbis", "Ogg Vorbis stereo 44.1 kHz");
    probe_expect(flt, 2, 88200, N, "WAV 32-bit float", "WAV float stereo 88.2 kHz");
    probe_expect(mp3, 2, 44100, N, "MP3", "MP3 stereo 44.1 kHz");
    probe_expect(opus, 1, 48000, N, "Ogg Opus", "Ogg Opus mono 48 kHz");

    /* lossy files: decoding and seeking must not break the invariants */
    {
        const char *lossy[] = {ogg, mp3};
        enum { L = 3000, K = 4321 };
        float *ref = malloc((size_t)(K + L) * 2 * sizeof *ref), *got = malloc((size_t)L * 2 * sizeof *got);
        for (int k = 0; k < 2; k++) {
            char name[160];
            double d = 1;
            if (read_stream(lossy[k], 48000, 0, ref, K + L) == DS_OK &&
                read_stream(lossy[k], 48000, K, got, L) == DS_OK)
                d = max_abs_diff(ref + K * 2, got, (size_t)L * 2);
            snprintf(name, sizeof name, "%s 44.1 -> 48 kHz: reader at frame %d == reader from 0 skipped (max diff %.3g, tol 1e-6)",
                     strrchr(lossy[k], '.') + 1, K, d);
            check(d <= 1e-6, name, "max abs diff %g", d);
        }
        free(ref);
        free(got);
    }

    /* same-rate reads are the written samples exactly, for every lossless format */
    {
        const char *files[] = {wav, wavex, flac, aiff};
        const int chans[] = {2, 6, 1, 2}, rates[] = {48000, 48000, 96000, 44100};
        for (int k = 0; k < 4; k++) {
            float *got = malloc((size_t)N * 6 * sizeof *got);
            char name[128];
            int bad = -1;
            snprintf(name, sizeof name, "same-rate read of %s equals the written 24-bit samples",
                     strrchr(files[k], '/') + 1);
            if (read_stream(files[k], rates[k], 0, got, N) != DS_OK) {
                check(0, name, "read failed");
                free(got);
                continue;
            }
            for (int i = 0; i < N * chans[k] && bad < 0; i++)
                if (got[i] != (float)v[i] / 8388608.0f) bad = i;
            check(bad < 0, name, "sample %d: got %.9g, want %.9g", bad, bad < 0 ? 0 : got[bad],
                  bad < 0 ? 0 : (float)v[bad] / 8388608.0f);
            free(got);
        }
    }

    /* errors name the path */
    {
        vm_media_info info;
        char err[DS_ERR_LEN] = "";
        char missing[300], txt_name[] = "notes.txt";
        const char *txt = tmp_path(txt_name);
        FILE *fp = fopen(txt, "w");
        fputs("reel 3: replace the door slam at 01:02:03:04\n", fp);
        fclose(fp);
        snprintf(missing, sizeof missing, "%s/no-such-file.wav", tmp_dir);

        ds_result rc = vm_media_probe(missing, &info, err);
        check(rc == DS_ERR_IO && strstr(err, missing) && strstr(err, "No such file or directory") &&
                  strstr(err, "cannot open"),
              "missing file: DS_ERR_IO, \"cannot open 'PATH': No such file or directory\"",
              "rc %d, \"%s\"", rc, err);
        rc = vm_media_probe(txt, &info, err);
        check(rc == DS_ERR_FORMAT && strstr(err, txt) && strstr(err, "not an audio file") &&
                  strstr(err, "libsndfile:"),
              "text file: DS_ERR_FORMAT naming the path and libsndfile's reason", "rc %d, \"%s\"",
              rc, err);
        printf("# text file message: %s\n", err);
        rc = vm_media_probe(tmp_dir, &info, err);
        check(rc != DS_OK && strstr(err, tmp_dir) && strstr(err, "directory"),
              "directory: error naming the path", "rc %d, \"%s\"", rc, err);

        vm_media_reader *r = (vm_media_reader *)&info; /* must be set to NULL */
        rc = vm_media_open(&r, txt, 48000, 0, err);
        check(rc == DS_ERR_FORMAT && r == NULL && strstr(err, txt),
              "open of a text file fails, *r is NULL, error names the path", "rc %d, \"%s\"", rc,
              err);
        r = NULL;
        rc = vm_media_open(&r, wav, 48000, -1, err);
        check(rc == DS_ERR_ARG && r == NULL, "open at a negative start frame is DS_ERR_ARG",
              "rc %d", rc);
        rc = vm_media_open(&r, wav, 0, 0, err);
        check(rc == DS_ERR_ARG && r == NULL, "open at 0 Hz is DS_ERR_ARG", "rc %d", rc);
        vm_media_close(&r);
        vm_media_close(NULL);
        check(1, "close is safe on NULL", "%s", "crashed");
    }

    /* frames_at */
    {
        vm_media_info i1 = {.channels = 1, .rate = 44100, .frames = 44100};
        vm_media_info i2 = {.channels = 1, .rate = 44100, .frames = 10};
        vm_media_info i3 = {.channels = 1, .rate = 96000, .frames = 3};
        check_int(vm_media_frames_at(&i1, 48000), 48000, "frames_at: 1 s at 44.1 kHz is 48000 at 48 kHz");
        check_int(vm_media_frames_at(&i2, 48000), 11, "frames_at: 10 frames 44.1 -> 48 kHz is ceil(10.88) = 11");
        check_int(vm_media_frames_at(&i3, 48000), 2, "frames_at: 3 frames 96 -> 48 kHz is ceil(1.5) = 2");
        check_int(vm_media_frames_at(&i1, 44100), 44100, "frames_at: same rate is the file length");
    }
out:
    free(v);
    free(f);
}

/* ---- same-rate reading ------------------------------------------------------ */

static void test_same_rate(void)
{
    enum { N = 5000, CH = 2 };
    int32_t *v = malloc(N * CH * sizeof *v);
    float *got = malloc((N + 1000) * CH * sizeof *got);
    char err[DS_ERR_LEN];
    for (int i = 0; i < N * CH; i++) v[i] = rand24();
    const char *path = tmp_path("same.wav");
    if (write_int24(path, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, CH, v, N)) {
        check(0, "write same-rate file", "%s", "failed");
        goto out;
    }

    /* start at 1234, read in pieces of 1..97 past the end */
    vm_media_reader *r = NULL;
    if (!check(vm_media_open(&r, path, 48000, 1234, err) == DS_OK, "same-rate open at 1234", "%s", err))
        goto out;
    check_int(vm_media_channels(r), CH, "channel count of the stream is the file's");
    int total = N - 1234 + 1000, done = 0, piece = 1;
    ds_result rc = DS_OK;
    while (done < total && rc == DS_OK) {
        int n = piece < total - done ? piece : total - done;
        rc = vm_media_read(r, got + done * CH, n, err);
        done += n;
        piece = piece % 97 + 1;
    }
    vm_media_close(&r);
    check(r == NULL, "close clears the caller's pointer", "%s", "failed");
    int bad = -1;
    for (int i = 0; i < (N - 1234) * CH && bad < 0; i++)
        if (got[i] != (float)v[1234 * CH + i] / 8388608.0f) bad = i;
    check(rc == DS_OK && bad < 0, "same-rate read from frame 1234 in uneven pieces is exact",
          "rc %d, first bad sample %d", rc, bad);
    bad = -1;
    for (int i = (N - 1234) * CH; i < total * CH && bad < 0; i++)
        if (got[i] != 0.0f) bad = i;
    check(bad < 0, "same-rate read past the end gives zeros", "sample %d is %g", bad,
          bad < 0 ? 0 : got[bad]);

    /* starting beyond the end */
    for (int i = 0; i < 100 * CH; i++) got[i] = 1.0f;
    rc = read_stream(path, 48000, N + 50, got, 100);
    bad = -1;
    for (int i = 0; i < 100 * CH && bad < 0; i++)
        if (got[i] != 0.0f) bad = i;
    check(rc == DS_OK && bad < 0, "same-rate reader opened past the end gives zeros", "%s", "failed");
out:
    free(v);
    free(got);
}

/* The direct PCM path (plain WAV read without libsndfile's sample code) must
 * give exactly libsndfile's floats, for every layout it takes, across its
 * 256 KiB refills and from any start. */
static void test_direct_pcm(void)
{
    static const struct { int format; const char *what; int bext; } kinds[] = {
        {SF_FORMAT_WAV | SF_FORMAT_PCM_16, "WAV 16-bit", 0},
        {SF_FORMAT_WAV | SF_FORMAT_PCM_24, "WAV 24-bit", 0},
        {SF_FORMAT_WAV | SF_FORMAT_PCM_24, "BWF 24-bit (bext before data)", 1},
        {SF_FORMAT_WAV | SF_FORMAT_FLOAT, "WAV float", 0},
        {SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, "WAVE_FORMAT_EXTENSIBLE 24-bit", 0},
        {SF_FORMAT_RF64 | SF_FORMAT_PCM_24, "RF64 24-bit", 0},
        {SF_FORMAT_WAV | SF_FORMAT_PCM_U8, "WAV 8-bit (libsndfile path)", 0},
        {SF_FORMAT_AIFF | SF_FORMAT_PCM_24, "AIFF 24-bit (libsndfile path)", 0},
    };
    enum { N = 100003, CH = 3 };
    float *x = malloc((size_t)N * CH * sizeof *x);
    float *ref = malloc((size_t)N * CH * sizeof *ref);
    float *got = malloc((size_t)N * CH * sizeof *got);
    for (size_t i = 0; i < (size_t)N * CH; i++)
        x[i] = noise() * 0.9f;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char name[200], file[64];
        snprintf(file, sizeof file, "direct%zu.wav", k);
        const char *path = tmp_path(file);
        SF_INFO si = {.samplerate = 48000, .channels = CH, .format = kinds[k].format};
        SNDFILE *f = sf_open(path, SFM_WRITE, &si);
        if (!f) {
            check(0, kinds[k].what, "cannot write: %s", sf_strerror(NULL));
            continue;
        }
        if (kinds[k].bext) {
            SF_BROADCAST_INFO bi;
            memset(&bi, 0, sizeof bi);
            snprintf(bi.description, sizeof bi.description, "direct path test");
            sf_command(f, SFC_SET_BROADCAST_INFO, &bi, sizeof bi);
        }
        sf_writef_float(f, x, N);
        sf_close(f);
        memset(&si, 0, sizeof si);
        f = sf_open(path, SFM_READ, &si);
        sf_readf_float(f, ref, N);
        sf_close(f);
        static const int starts[] = {0, 777, 43690, 99999};
        int worst = -1;
        for (size_t s0 = 0; s0 < 4; s0++) {
            int start = starts[s0];
            char err[DS_ERR_LEN];
            vm_media_reader *r = NULL;
            if (vm_media_open(&r, path, 48000, start, err) != DS_OK) {
                printf("# %s\n", err);
                worst = 0;
                break;
            }
            int done = 0;
            while (done < N - start) {
                int n = N - start - done < 1000 + (int)s0 * 333 ? N - start - done : 1000 + (int)s0 * 333;
                vm_media_read(r, got + (size_t)done * CH, n, err);
                done += n;
            }
            vm_media_close(&r);
            if (memcmp(got, ref + (size_t)start * CH, (size_t)(N - start) * CH * sizeof *got) != 0)
                worst = start;
        }
        snprintf(name, sizeof name, "%s read directly equals libsndfile's floats bit for bit, from 0/777/43690/99999",
                 kinds[k].what);
        check(worst < 0, name, "differs when starting at %d", worst);
    }
    free(x);
    free(ref);
    free(got);
}

/* ---- resampling ----------------------------------------------------------------- */

static void test_block_split(const char *path, int64_t out_frames)
{
    enum { CH = 2 };
    const int n = (int)out_frames + 3000; /* runs past the end */
    float *ref = malloc((size_t)n * CH * sizeof *ref);
    float *got = malloc((size_t)n * CH * sizeof *got);
    char err[DS_ERR_LEN], name[128];

    if (read_stream(path, 48000, 0, ref, n) != DS_OK) {
        check(0, "block split: reference read", "%s", "failed");
        goto out;
    }
    const int pieces[] = {1, 7, 64, 4096, 0 /* random */};
    for (int p = 0; p < 5; p++) {
        vm_media_reader *r = NULL;
        ds_result rc = vm_media_open(&r, path, 48000, 0, err);
        int done = 0;
        memset(got, 0xff, (size_t)n * CH * sizeof *got);
        while (rc == DS_OK && done < n) {
            int k = pieces[p] ? pieces[p] : (int)(next_rand() % 5000);
            if (k > n - done) k = n - done;
            rc = vm_media_read(r, got + (size_t)done * CH, k, err);
            done += k;
        }
        vm_media_close(&r);
        if (pieces[p])
            snprintf(name, sizeof name, "44.1 -> 48 kHz read in pieces of %d is bit-identical to one read", pieces[p]);
        else
            snprintf(name, sizeof name, "44.1 -> 48 kHz read in random pieces (0..4999) is bit-identical to one read");
        check(rc == DS_OK && memcmp(ref, got, (size_t)n * CH * sizeof *ref) == 0, name,
              "rc %d, max diff %g", rc, max_abs_diff(ref, got, (size_t)n * CH));
    }

    /* the stream: non-zero up to its nominal length, zeros after */
    {
        int bad = -1;
        double tail = 0;
        for (size_t i = (size_t)out_frames * CH; i < (size_t)n * CH && bad < 0; i++)
            if (ref[i] != 0.0f) bad = (int)i;
        for (size_t i = (size_t)(out_frames - 10) * CH; i < (size_t)out_frames * CH; i++)
            tail = fmax(tail, fabs(ref[i]));
        check(bad < 0, "resampled read past the end gives zeros", "sample %d is %g", bad,
              bad < 0 ? 0 : ref[bad]);
        check(tail > 0.01, "resampled stream runs to its last frame (filter tail flushed)",
              "max of the last 10 frames %g", tail);
    }
out:
    free(ref);
    free(got);
}

/* Reader at output frame k == reader at 0, skipped by k. */
static void test_start_offsets(const char *path, int in_rate, int out_rate, int64_t out_frames)
{
    enum { CH = 2, L = 6000 };
    const double tol = 1e-6; /* float32 rounding of differently placed FFT blocks */
    const int n = (int)out_frames + 100;
    float *ref = malloc((size_t)n * CH * sizeof *ref);
    float *got = malloc((size_t)L * CH * sizeof *got);
    char name[160];

    if (read_stream(path, out_rate, 0, ref, n) != DS_OK) {
        check(0, "start offsets: reference read", "%s", "failed");
        goto out;
    }
    const int64_t ks[] = {1, 159, 1000, 2399, 4095, 4096, 4097, 12345, 48007, 77777,
                          out_frames - 5000, out_frames - 1, out_frames + 10};
    double worst = 0;
    int exact_near_start = 1, ok = 1;
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        int64_t k = ks[i];
        if (read_stream(path, out_rate, k, got, L) != DS_OK) {
            ok = 0;
            continue;
        }
        int64_t m = k + L <= n ? L : n - k;
        double d = m > 0 ? max_abs_diff(ref + k * CH, got, (size_t)m * CH) : 0;
        for (int64_t j = m > 0 ? m : 0; j < L; j++) /* past the reference: zeros */
            if (got[j * CH] != 0.0f || got[j * CH + 1] != 0.0f) d = fmax(d, 1.0);
        snprintf(name, sizeof name, "%d -> %d Hz: reader opened at frame %lld == reader from 0 skipped (max diff %.3g, tol %g)",
                 in_rate, out_rate, (long long)k, d, tol);
        check(d <= tol, name, "max abs diff %g", d);
        worst = fmax(worst, d);
        if (k < 2048 && d != 0) exact_near_start = 0;
    }
    (void)ok;
    snprintf(name, sizeof name, "%d -> %d Hz: offsets within the first 2048 frames are bit-identical", in_rate, out_rate);
    check(exact_near_start, name, "%s", "failed");
    printf("# %d -> %d Hz worst start-offset difference %.3g\n", in_rate, out_rate, worst);
out:
    free(ref);
    free(got);
}

/* An impulse at source frame j must come out centred on j * out / in. The
 * peak sample is round(j * out / in); when that is exactly half-way between
 * two samples (96 -> 48 kHz, odd j) the linear-phase response puts equal
 * values on both and either is accepted. The centre itself is measured as
 * the centroid sum(n y[n]) / sum(y[n]), which for a band-limited pulse is
 * its true centre (the sampled first moment of a band-limited function is
 * exact); tolerance 0.002 output samples. */
static void test_impulses(int in_rate, int out_rate)
{
    const int js[] = {3000, 10001, 17777, 25000, 32769, 41111};
    const int nj = (int)(sizeof js / sizeof js[0]);
    const int64_t in_frames = 50000;
    float *in = calloc((size_t)in_frames, sizeof *in);
    char fname[64], name[160];
    for (int i = 0; i < nj; i++) in[js[i]] = 1.0f;
    snprintf(fname, sizeof fname, "imp%d_%d.wav", in_rate, out_rate);
    const char *path = tmp_path(fname);
    vm_media_info info = {.channels = 1, .rate = in_rate, .frames = in_frames};
    int64_t n = vm_media_frames_at(&info, out_rate);
    float *out = calloc((size_t)n, sizeof *out);

    if (write_float(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, in_rate, 1, in, in_frames) ||
        read_stream(path, out_rate, 0, out, (int)n) != DS_OK) {
        check(0, "impulse file", "%s", "failed");
        goto out;
    }
    for (int i = 0; i < nj; i++) {
        double want = (double)js[i] * out_rate / in_rate;
        int64_t c = (int64_t)floor(want + 0.5), pk = c - 200;
        double s0 = 0, s1 = 0;
        int half = fabs(want - floor(want) - 0.5) < 1e-9;
        for (int64_t t = c - 200; t <= c + 200; t++) {
            if (fabs(out[t]) > fabs(out[pk])) pk = t;
            s0 += out[t];
            s1 += (double)t * out[t];
        }
        double centre = s1 / s0;
        int peak_ok = half ? (pk == c || pk == c - 1) : pk == c;
        snprintf(name, sizeof name,
                 "%d -> %d Hz: impulse at source frame %d peaks at output %lld (exact %.3f, centroid %.4f)",
                 in_rate, out_rate, js[i], (long long)pk, want, centre);
        check(peak_ok && fabs(centre - want) < 0.002, name, "want peak %lld%s, centroid %.4f",
              (long long)c, half ? " or the one before (half-way)" : "", want);
    }
out:
    free(in);
    free(out);
}

/* THD+N of a 1 kHz sine, amplitude 0.5, resampled: least-squares fit of
 * a sin + b cos at the known frequency over a steady-state stretch; the
 * residual's RMS over the fitted sine's RMS, in dB. */
static void test_thdn(int in_rate, int out_rate)
{
    const double f0 = 1000.0, secs = 3.0;
    const int64_t in_frames = (int64_t)(secs * in_rate);
    float *in = malloc((size_t)in_frames * sizeof *in);
    char fname[64], name[160];
    for (int64_t i = 0; i < in_frames; i++)
        in[i] = (float)(0.5 * sin(2 * M_PI * f0 * (double)i / in_rate + 0.3));
    snprintf(fname, sizeof fname, "sine%d.wav", in_rate);
    const char *path = tmp_path(fname);
    vm_media_info info = {.channels = 1, .rate = in_rate, .frames = in_frames};
    int64_t n = vm_media_frames_at(&info, out_rate);
    float *out = malloc((size_t)n * sizeof *out);
    if (write_float(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, in_rate, 1, in, in_frames) ||
        read_stream(path, out_rate, 0, out, (int)n) != DS_OK) {
        check(0, "sine file", "%s", "failed");
        goto out;
    }
    {
        int64_t a = out_rate / 2, b = n - out_rate / 2; /* skip 0.5 s at each end */
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (int64_t t = a; t < b; t++) {
            double w = 2 * M_PI * f0 * (double)t / out_rate, s = sin(w), c = cos(w);
            ss += s * s; cc += c * c; sc += s * c; ys += out[t] * s; yc += out[t] * c;
        }
        double det = ss * cc - sc * sc;
        double ka = (ys * cc - yc * sc) / det, kb = (yc * ss - ys * sc) / det;
        double res = 0, sig = 0;
        for (int64_t t = a; t < b; t++) {
            double w = 2 * M_PI * f0 * (double)t / out_rate;
            double fit = ka * sin(w) + kb * cos(w);
            res += (out[t] - fit) * (out[t] - fit);
            sig += fit * fit;
        }
        double db = 10 * log10(res / sig);
        double amp = sqrt(ka * ka + kb * kb);
        snprintf(name, sizeof name, "%d -> %d Hz: 1 kHz sine THD+N %.1f dB (< -100 dB), amplitude %.6f",
                 in_rate, out_rate, db, amp);
        check(db < -100 && fabs(amp - 0.5) < 0.5 * 0.001, name, "THD+N %.2f dB, amplitude %.7f", db, amp);
    }
out:
    free(in);
    free(out);
}

/* Reads a whole stream, through the end-of-input flush into the zeros, in
 * random pieces, counting allocations. */
static void no_alloc_case(const char *path, int in_rate, int out_rate, int64_t start)
{
    enum { CH = 2, MAXN = 5000 };
    char err[DS_ERR_LEN], name[160];
    float *buf = malloc(MAXN * CH * sizeof *buf);
    vm_media_reader *r = NULL;
    vm_media_info info;
    if (vm_media_probe(path, &info, err) != DS_OK ||
        vm_media_open(&r, path, out_rate, start, err) != DS_OK) {
        check(0, "no-alloc: open", "%s", err);
        free(buf);
        return;
    }
    int64_t total = vm_media_frames_at(&info, out_rate) - start + 20000, done = 0;
    ds_result rc = DS_OK;
    counting = 1;
    alloc_count = 0;
    while (done < total && rc == DS_OK) {
        int n = (int)(next_rand() % MAXN);
        rc = vm_media_read(r, buf, n, err);
        done += n;
    }
    counting = 0;
    vm_media_close(&r);
    snprintf(name, sizeof name,
             "%d -> %d Hz from frame %lld: vm_media_read allocates nothing (whole file, flush, zeros)",
             in_rate, out_rate, (long long)start);
    check(rc == DS_OK && alloc_count == 0, name, "rc %d, %ld allocations", rc, alloc_count);
    free(buf);
}

static void test_no_alloc_in_read(const char *p441, const char *p96)
{
    if (!HAVE_ALLOC_HOOK) {
        printf("# allocation counts skipped (no malloc hook in this build)\n");
        return;
    }
    const int rates441[] = {44100, 48000, 96000, 192000, 8000, 22050, 47952};
    for (int i = 0; i < 7; i++)
        no_alloc_case(p441, 44100, rates441[i], i * 777);
    no_alloc_case(p96, 96000, 48000, 0);
    no_alloc_case(p96, 96000, 44100, 5000);
}

static void test_fd_leak(const char *wav, const char *noise_path)
{
    char err[DS_ERR_LEN], txt[300];
    vm_media_info info;
    float buf[64 * 2];
    int before = count_open_fds();
    int fails = 0;
    snprintf(txt, sizeof txt, "%s/notes.txt", tmp_dir);
    for (int i = 0; i < 3000; i++) {
        vm_media_reader *r = NULL;
        if (vm_media_open(&r, wav, 48000, (int64_t)i, err) != DS_OK) fails++;
        else vm_media_read(r, buf, 64, err);
        vm_media_close(&r);
        if (vm_media_probe(wav, &info, err) != DS_OK) fails++;
        if (vm_media_probe(txt, &info, err) == DS_OK) fails++;
    }
    for (int i = 0; i < 50; i++) {
        vm_media_reader *r = NULL;
        if (vm_media_open(&r, noise_path, 48000, (int64_t)i * 1001, err) != DS_OK) fails++;
        vm_media_close(&r);
    }
    int after = count_open_fds();
    check(fails == 0 && before == after,
          "3000 readers, 6000 probes (half failing) and 50 resampling readers leave no descriptor open",
          "%d failures, %d fds before, %d after", fails, before, after);
}

/* The 24-bit decode (SIMD paths of 8 and 4 samples, then a scalar tail)
 * against the definition, sample by sample, at every length to 40. */
static void test_s24_decode(void)
{
    unsigned char in[3 * 40 + 4];
    float out[41];
    uint32_t r = 12345;
    for (size_t i = 0; i < sizeof in; i++) {
        r = r * 1664525u + 1013904223u;
        in[i] = (unsigned char)(r >> 24);
    }
    int bad = -1;
    for (int cap = DSP_SIMD_ANY; cap <= DSP_SIMD_NO_AVX2 && bad < 0; cap++) { /* each SIMD path the CPU has */
        dsp_simd_cap = cap;
        for (size_t n = 0; n <= 40 && bad < 0; n++) {
            out[n] = 12345.0f; /* must stay: nothing past n is written */
            dsp_pcm_s24le_to_float(in, out, n);
            for (size_t i = 0; i < n; i++) {
                int32_t v = (int32_t)((uint32_t)in[3 * i] << 8 | (uint32_t)in[3 * i + 1] << 16 |
                                      (uint32_t)in[3 * i + 2] << 24) / 256;
                if (out[i] != (float)v / 8388608.0f)
                    bad = (int)n;
            }
            if (out[n] != 12345.0f)
                bad = (int)n;
        }
    }
    dsp_simd_cap = DSP_SIMD_ANY;
    check(bad < 0, "24-bit decode equals s / 2^23 at every length 0..40, on every SIMD path", "wrong at length %d",
          bad);
}

/* ---- files that change under the reader, non-finite samples (issue 11) ---- */

/* Reads n frames in 4096-frame calls; returns the first failure (err
 * filled) or DS_OK. */
static ds_result read_all(vm_media_reader *r, float *buf, int64_t n, char *err)
{
    for (int64_t done = 0; done < n; done += 4096) {
        ds_result rc = vm_media_read(r, buf, n - done < 4096 ? (int)(n - done) : 4096, err);
        if (rc != DS_OK)
            return rc;
    }
    return DS_OK;
}

static void test_changed_files(void)
{
    static const struct { int format; const char *what; } kinds[] = {
        {SF_FORMAT_WAV | SF_FORMAT_PCM_16, "WAV 16-bit (direct path)"},
        {SF_FORMAT_WAV | SF_FORMAT_DOUBLE, "WAV 64-bit float (libsndfile path)"},
        {SF_FORMAT_FLAC | SF_FORMAT_PCM_16, "FLAC 16-bit (libsndfile, compressed)"},
    };
    /* longer than the direct path's 32 KiB read-ahead, so the cut lies
     * beyond what it holds */
    enum { N = 200000 };
    static float x[N], got[4096], ref[N];
    char err[DS_ERR_LEN], name[200];
    for (int i = 0; i < N; i++)
        x[i] = noise() * 0.5f;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char file[64];
        snprintf(file, sizeof file, "changed%zu", k);
        const char *path = tmp_path(file);
        vm_media_info probed;
        vm_media_reader *r = NULL;
        struct stat st;
        if (write_float(path, kinds[k].format, 48000, 1, x, N) != 0 || vm_media_probe(path, &probed, err) != DS_OK ||
            stat(path, &st) != 0) {
            check(0, kinds[k].what, "cannot write or probe: %s", err);
            continue;
        }
        /* cut while the reader reads: an error naming the file, never zeros */
        ds_result rc = vm_media_open_expect(&r, path, &probed, 48000, 0, err);
        if (rc == DS_OK)
            rc = read_all(r, ref, 10000, err);
        int cut = truncate(path, st.st_size / 2);
        if (rc == DS_OK && cut == 0)
            rc = read_all(r, ref, N - 10000, err);
        snprintf(name, sizeof name, "%s cut while read: DS_ERR_IO naming the file", kinds[k].what);
        check(cut == 0 && rc == DS_ERR_IO && strstr(err, path) && (strstr(err, "ends early") || strstr(err, "error reading")),
              name, "rc %d: %s", rc, err);
        vm_media_close(&r);

        /* cut before the reader opens: WAV's header then says the shorter
         * length, checked against the one the mix was compiled with; FLAC's
         * keeps the old one, and the read fails */
        rc = vm_media_open_expect(&r, path, &probed, 48000, 0, err);
        int at_open = rc != DS_OK;
        if (rc == DS_OK)
            rc = read_all(r, ref, N, err);
        char want[64];
        snprintf(want, sizeof want, "where it had %d frames when the mix was compiled", N);
        int wav = (kinds[k].format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV;
        snprintf(name, sizeof name, "%s cut before open: refused %s", kinds[k].what,
                 wav ? "at open, both lengths named" : "at the read");
        check(rc == DS_ERR_IO && strstr(err, path) && (wav ? at_open && strstr(err, want) != NULL : !at_open), name,
              "rc %d: %s", rc, err);
        vm_media_close(&r);
    }

    /* grown: a file read as an earlier, shorter probe said gives that many
     * frames, then zeros, whatever follows in the file */
    const char *path = tmp_path("grown.wav");
    vm_media_reader *r = NULL;
    if (write_float(path, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 1, x, N) == 0) {
        vm_media_info probed;
        vm_media_probe(path, &probed, err);
        vm_media_info shorter = probed;
        shorter.frames = 16000;
        int same = 1;
        ds_result rc = vm_media_open_expect(&r, path, &shorter, 48000, 0, err);
        for (int64_t done = 0; rc == DS_OK && done < N; done += 4096) {
            int n = N - done < 4096 ? (int)(N - done) : 4096;
            rc = vm_media_read(r, got, n, err);
            for (int i = 0; i < n; i++)
                same &= done + i < 16000 ? fabsf(got[i] - x[done + i]) < 1.5e-7f : got[i] == 0.0f;
        }
        check(rc == DS_OK && same, "a file grown since its probe: the probed frames, then zeros", "rc %d %s", rc,
              rc ? err : "other samples");
        vm_media_close(&r);
        shorter.channels = 2;
        rc = vm_media_open_expect(&r, path, &shorter, 48000, 0, err);
        check(rc == DS_ERR_FORMAT && strstr(err, "1 channels now, 2 then"),
              "a file with other channels than probed: refused, both counts named", "rc %d: %s", rc, err);
        vm_media_close(&r);
        shorter.channels = 1;
        shorter.rate = 44100;
        rc = vm_media_open_expect(&r, path, &shorter, 48000, 0, err);
        check(rc == DS_ERR_FORMAT && strstr(err, "48000 Hz now, 44100 Hz then"),
              "a file at another rate than probed: refused, both rates named", "rc %d: %s", rc, err);
        vm_media_close(&r);
    }

    /* a NaN in a float file on either path, and through the resampler: the
     * frame, the time and the channel of the first one */
    static const struct { int format; const char *file; int out_rate; } nans[] = {
        {SF_FORMAT_WAV | SF_FORMAT_FLOAT, "nan.wav", 48000},
        {SF_FORMAT_AIFF | SF_FORMAT_FLOAT, "nan.aiff", 48000},
        {SF_FORMAT_WAV | SF_FORMAT_FLOAT, "nan44.wav", 44100},
    };
    enum { M = 48000 };
    static float y[2 * M];
    for (int i = 0; i < 2 * M; i++)
        y[i] = noise() * 0.5f;
    y[2 * 30000 + 1] = NAN;
    y[2 * 40000] = INFINITY;
    for (size_t k = 0; k < sizeof nans / sizeof nans[0]; k++) {
        const char *p = tmp_path(nans[k].file);
        if (write_float(p, nans[k].format, 48000, 2, y, M) != 0)
            continue;
        static float buf[2 * 4096];
        ds_result rc = vm_media_open(&r, p, nans[k].out_rate, 0, err);
        int64_t n = nans[k].out_rate == 48000 ? M : 45000;
        for (int64_t done = 0; rc == DS_OK && done < n; done += 4096)
            rc = vm_media_read(r, buf, n - done < 4096 ? (int)(n - done) : 4096, err);
        snprintf(name, sizeof name, "%s at %d Hz: the first NaN refused, placed", nans[k].file, nans[k].out_rate);
        check(rc == DS_ERR_FORMAT && strstr(err, "a NaN at frame 30000, 0.625 s into the file, channel 2"), name,
              "rc %d: %s", rc, err);
        vm_media_close(&r);
    }

    /* resampling cost: common pairs pass in 64 channels, a rate sharing no
     * factor with the session's does not */
    vm_media_info a = {.channels = 64, .rate = 44100, .frames = 1000};
    vm_media_info b = {.channels = 64, .rate = 767999, .frames = 1000};
    vm_media_info c = {.channels = 1, .rate = 767999, .frames = 1000};
    check(vm_media_check_rate("a.wav", &a, 48000, err) == DS_OK && vm_media_check_rate("a.wav", &a, 8000, err) == DS_OK &&
              vm_media_check_rate("a.wav", &a, 384000, err) == DS_OK,
          "44.1 kHz in 64 channels resamples to 8, 48 and 384 kHz", "%s", err);
    check(vm_media_check_rate("b.wav", &b, 48000, err) == DS_ERR_FORMAT && strstr(err, "767999:48000"),
          "767999 Hz in 64 channels into 48 kHz: refused, the ratio named", "%s", err);
    check(vm_media_check_rate("c.wav", &c, 48000, err) == DS_OK, "767999 Hz in 1 channel: allowed", "%s", err);
}

int main(void)
{
    test_s24_decode();
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/dubstage-media-XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }

    test_probe();
    test_same_rate();
    test_direct_pcm();
    test_changed_files();

    /* 44.1 kHz stereo noise, 3 s */
    {
        enum { CH = 2 };
        const int64_t in_frames = 3 * 44100 + 17;
        float *x = malloc((size_t)in_frames * CH * sizeof *x);
        for (int64_t i = 0; i < in_frames * CH; i++) x[i] = noise();
        const char *path = tmp_path("noise441.wav");
        const char *path96 = tmp_path("noise96.wav");
        if (write_float(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, CH, x, in_frames) == 0 &&
            write_float(path96, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 96000, CH, x, in_frames) == 0) {
            vm_media_info info;
            char err[DS_ERR_LEN];
            vm_media_probe(path, &info, err);
            int64_t out_frames = vm_media_frames_at(&info, 48000);
            test_block_split(path, out_frames);
            test_start_offsets(path, 44100, 48000, out_frames);
            vm_media_probe(path96, &info, err);
            test_start_offsets(path96, 96000, 48000, vm_media_frames_at(&info, 48000));
            test_no_alloc_in_read(path, path96);
            test_fd_leak(tmp_files[0], path);
        } else {
            check(0, "write noise files", "%s", "failed");
        }
        free(x);
    }

    test_impulses(44100, 48000);
    test_impulses(48000, 44100);
    test_impulses(96000, 48000);
    test_thdn(44100, 48000);
    test_thdn(48000, 44100);

    remove_tmp();
    return check_exit();
}
