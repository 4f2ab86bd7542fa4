/* test_outfile.c - vm/outfile and vm/suggest.
 *
 * Files are read back with libsndfile and compared with the quantisation
 * rule stated in outfile.h, computed here independently:
 *   q = clip(floor(x * 2^(bits-1) + 0.5), -2^(bits-1), 2^(bits-1) - 1)
 * exactly (0 tolerance) without dither, and float formats bit for bit.
 * TPDF dither is checked against its analytic error statistics: the dither
 * d lies in [-1, 1) LSB and rounding adds (-0.5, 0.5], so |error| < 1.5 LSB;
 * the error has mean 0 and variance 1/6 + 1/12 = 1/4 LSB^2 (RMS 0.5 LSB)
 * whatever the signal.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "dsp/simd.h"
#include "tests/check.h"
#include "vm/outfile.h"
#include "vm/suggest.h"

#define N_FRAMES 48000
#define N_FMT 8

static char tmp_root[64];

static const char *in_tmp(const char *name)
{
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ & 7];
    snprintf(b, sizeof bufs[0], "%s/%s", tmp_root, name);
    return b;
}

/* ---- signal ------------------------------------------------------------ */

static float sig[2][N_FRAMES];

static void make_signal(void)
{
    for (int i = 0; i < N_FRAMES; i++) {
        sig[0][i] = (float)(0.7 * sin(2.0 * M_PI * 997.0 * i / 48000.0));
        sig[1][i] = (float)(-0.3 * sin(2.0 * M_PI * 440.0 * i / 48000.0) + 0.001);
    }
    /* exact values, and ties that pin down "round half up" in both widths */
    const float specials0[] = { 0.0f, 0.5f, -0.5f, -1.0f, 1.5f / 8388608.0f, -1.5f / 8388608.0f,
                                0.49f / 8388608.0f, 0.999f };
    const float specials1[] = { 1.5f / 32768.0f, -1.5f / 32768.0f, 0.25f, -0.25f, 2.5f / 32768.0f,
                                -2.5f / 32768.0f, 1e-9f, -0.999f };
    for (int i = 0; i < 8; i++) {
        sig[0][i] = specials0[i];
        sig[1][i] = specials1[i];
    }
}

static long expect_q(float x, int bits)
{
    double scale = ldexp(1.0, bits - 1);
    double q = floor((double)x * scale + 0.5);
    if (q > scale - 1)
        q = scale - 1;
    if (q < -scale)
        q = -scale;
    return (long)q;
}

/* ---- helpers ----------------------------------------------------------- */

/* write_file, and *sha (when not NULL) the hash vm_outfile_sha256 gave
 * after vm_outfile_finish, "" for none */
static ds_result write_file_hashed(const vm_outfile_config *cfg, const float *const *planar, int n, int chunk,
                                   int64_t *clipped, char sha[65], char *err);

static ds_result write_file(const vm_outfile_config *cfg, const float *const *planar, int n, int chunk,
                            int64_t *clipped, char *err)
{
    return write_file_hashed(cfg, planar, n, chunk, clipped, NULL, err);
}

static ds_result write_file_hashed(const vm_outfile_config *cfg, const float *const *planar, int n, int chunk,
                                   int64_t *clipped, char sha[65], char *err)
{
    vm_outfile *o;
    ds_result r = vm_outfile_open(&o, cfg, err);
    if (r != DS_OK)
        return r;
    for (int done = 0, k = 0; done < n; k++) {
        static const int pattern[] = { 1, 333, 4096, 5000, 17 };
        int m = chunk > 0 ? chunk : pattern[k % 5];
        const float *p[8];
        if (m > n - done)
            m = n - done;
        for (int c = 0; c < cfg->channels; c++)
            p[c] = planar[c] + done;
        if ((r = vm_outfile_write(o, p, m, err)) != DS_OK) {
            vm_outfile_abort(&o);
            return r;
        }
        done += m;
    }
    if (clipped)
        *clipped = vm_outfile_clipped(o);
    if (sha) {
        if ((r = vm_outfile_finish(o, err)) != DS_OK) {
            vm_outfile_abort(&o);
            return r;
        }
        snprintf(sha, 65, "%s", vm_outfile_sha256(o) ? vm_outfile_sha256(o) : "");
    }
    return vm_outfile_commit(&o, err);
}

/* coreutils' sha256sum of path into hex, "" when it cannot be run */
static void sha256sum(const char *path, char hex[65])
{
    char cmd[1200], line[200] = "";
    hex[0] = '\0';
    snprintf(cmd, sizeof cmd, "sha256sum '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    if (p && fgets(line, sizeof line, p) && strlen(line) >= 64) {
        memcpy(hex, line, 64);
        hex[64] = '\0';
    }
    if (p)
        pclose(p);
}

static unsigned char *read_bytes(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    *len = -1;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)*len + 1);
    if (b && fread(b, 1, (size_t)*len, f) != (size_t)*len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

/* 1 identical, 0 different, -1 unreadable */
static int same_bytes(const char *a, const char *b)
{
    long la, lb;
    unsigned char *ba = read_bytes(a, &la), *bb = read_bytes(b, &lb);
    int r = (!ba || !bb) ? -1 : (la == lb && memcmp(ba, bb, (size_t)la) == 0);
    free(ba);
    free(bb);
    return r;
}

static int contains(const unsigned char *hay, long n, const char *needle)
{
    size_t k = strlen(needle);
    for (long i = 0; i + (long)k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Number of entries in dir (without . and ..); the first one's name. */
static int list_dir(const char *dir, char *first, size_t first_len)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (first)
        first[0] = '\0';
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n++ == 0 && first)
            snprintf(first, first_len, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];
    if (!d)
        return;
    while ((e = readdir(d))) {
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(p, 0755);
            remove_tree(p);
        } else {
            unlink(p);
        }
    }
    closedir(d);
    rmdir(dir);
}

static void config(vm_outfile_config *cfg, const char *path, vm_out_format fmt, vm_dither dither)
{
    vm_outfile_config_init(cfg);
    cfg->path = path;
    cfg->format = fmt;
    cfg->dither = dither;
}

/* ---- tests ------------------------------------------------------------- */

static const char *fmt_file[N_FMT] = { "rt.wav16.wav", "rt.wav24.wav", "rt.wav32f.wav", "rt.flac16.flac",
                                       "rt.flac24.flac", "rt.aiff16.aif", "rt.aiff24.aif", "rt.aiff32f.aif" };

static void test_round_trip(void)
{
    const float *planar[2] = { sig[0], sig[1] };
    static const int want_container[N_FMT] = { SF_FORMAT_WAV, SF_FORMAT_WAV, SF_FORMAT_WAV, SF_FORMAT_FLAC,
                                               SF_FORMAT_FLAC, SF_FORMAT_AIFF, SF_FORMAT_AIFF, SF_FORMAT_AIFF };
    static const int want_codec[N_FMT] = { SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_FLOAT,
                                           SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_PCM_16,
                                           SF_FORMAT_PCM_24, SF_FORMAT_FLOAT };
    for (int f = 0; f < N_FMT; f++) {
        vm_outfile_config cfg;
        char err[DS_ERR_LEN] = "", name[128];
        int64_t clipped = -1;
        const char *path = in_tmp(fmt_file[f]);
        const char *fname = vm_out_format_name((vm_out_format)f);
        int bits = want_codec[f] == SF_FORMAT_PCM_16 ? 16 : want_codec[f] == SF_FORMAT_PCM_24 ? 24 : 0;
        SF_INFO info;
        SNDFILE *sf;
        long bad = 0, first_bad = -1;

        config(&cfg, path, (vm_out_format)f, VM_DITHER_NONE);
        snprintf(name, sizeof name, "%s: write", fname);
        if (!check(write_file(&cfg, planar, N_FRAMES, 4096, &clipped, err) == DS_OK, name, "%s", err))
            continue;
        snprintf(name, sizeof name, "%s: nothing clipped", fname);
        check_int(clipped, 0, name);

        memset(&info, 0, sizeof info);
        sf = sf_open(path, SFM_READ, &info);
        snprintf(name, sizeof name, "%s: libsndfile reads it", fname);
        if (!check(sf != NULL, name, "%s", sf_strerror(NULL)))
            continue;
        int container = info.format & SF_FORMAT_TYPEMASK;
        if (container == SF_FORMAT_WAVEX)
            container = SF_FORMAT_WAV;
        snprintf(name, sizeof name, "%s: container and sample type", fname);
        check(container == want_container[f] && (info.format & SF_FORMAT_SUBMASK) == want_codec[f], name,
              "format 0x%x", info.format);
        snprintf(name, sizeof name, "%s: 2 channels, 48000 Hz, %d frames", fname, N_FRAMES);
        check(info.channels == 2 && info.samplerate == 48000 && info.frames == N_FRAMES, name,
              "%d ch, %d Hz, %lld frames", info.channels, info.samplerate, (long long)info.frames);

        if (bits) {
            int *buf = malloc(sizeof(int) * 2 * N_FRAMES);
            sf_count_t got = sf_readf_int(sf, buf, N_FRAMES);
            long div = 1L << (32 - bits);
            for (long i = 0; i < 2L * N_FRAMES && got == N_FRAMES; i++) {
                long want = expect_q(sig[i & 1][i >> 1], bits);
                if (buf[i] % div != 0 || buf[i] / div != want) {
                    if (first_bad < 0)
                        first_bad = i;
                    bad++;
                }
            }
            snprintf(name, sizeof name, "%s: every sample is round(x * 2^%d), exactly", fname, bits - 1);
            check(got == N_FRAMES && bad == 0, name, "%ld of %d samples differ, first at %ld", bad,
                  2 * N_FRAMES, first_bad);
            if (bits == 24) {
                snprintf(name, sizeof name, "%s: ties round up (+1.5 LSB -> 2, -1.5 LSB -> -1)", fname);
                check(buf[8] / div == 2 && buf[10] / div == -1, name, "got %ld, %ld", buf[8] / div,
                      buf[10] / div);
                snprintf(name, sizeof name, "%s: -1.0 is -2^23, not clipped", fname);
                check_int(buf[6] / div, -8388608, name);
            } else {
                snprintf(name, sizeof name, "%s: ties round up (+1.5 LSB -> 2, -2.5 LSB -> -2)", fname);
                check(buf[1] / div == 2 && buf[11] / div == -2, name, "got %ld, %ld", buf[1] / div,
                      buf[11] / div);
            }
            free(buf);
        } else {
            float *buf = malloc(sizeof(float) * 2 * N_FRAMES);
            sf_count_t got = sf_readf_float(sf, buf, N_FRAMES);
            for (long i = 0; i < 2L * N_FRAMES && got == N_FRAMES; i++)
                if (memcmp(&buf[i], &sig[i & 1][i >> 1], sizeof(float)) != 0) {
                    if (first_bad < 0)
                        first_bad = i;
                    bad++;
                }
            snprintf(name, sizeof name, "%s: every float comes back bit for bit", fname);
            check(got == N_FRAMES && bad == 0, name, "%ld of %d samples differ, first at %ld", bad,
                  2 * N_FRAMES, first_bad);
            free(buf);
        }
        sf_close(sf);
    }
}

/* A file long enough that the writer starts the disk's writeback several
 * times on the way (every 8 MiB, outfile.c start_writeback: 6 channels of
 * 24-bit WAV, 1,000,003 frames, 18 MB; and a FLAC of 2 channels, the
 * encoder's own writes): every sample read back by libsndfile is the
 * quantisation rule's, exactly, and the frame count is whole. The hint
 * changes no byte; this checks nothing was lost or moved around it. */
static void test_long_file(void)
{
    enum { FRAMES = 1000003, CH = 6 };
    static const vm_out_format fmts[2] = { VM_OUT_WAV24, VM_OUT_FLAC24 };
    static const int chans[2] = { CH, 2 };
    float *planar[CH];
    for (int c = 0; c < CH; c++) {
        planar[c] = malloc(sizeof(float) * FRAMES);
        for (int i = 0; planar[c] && i < FRAMES; i++) /* a different period per channel, full 24-bit range */
            planar[c][i] = (float)(0.9 * sin(2.0 * M_PI * (double)i / (97.0 + 13.0 * c)));
    }
    for (int f = 0; f < 2; f++) {
        vm_outfile_config cfg;
        char err[DS_ERR_LEN] = "", name[128];
        const char *path = in_tmp(f ? "long.flac" : "long.wav");
        config(&cfg, path, fmts[f], VM_DITHER_NONE);
        cfg.channels = chans[f];
        cfg.layout = f ? VM_LAYOUT_STEREO : VM_LAYOUT_5_1;
        cfg.frames = FRAMES;
        char sha[65], sum[65];
        snprintf(name, sizeof name, "long %s: %d frames of %d channels written", vm_out_format_name(fmts[f]),
                 FRAMES, chans[f]);
        if (!check(write_file_hashed(&cfg, (const float *const *)planar, FRAMES, 0, NULL, sha, err) == DS_OK, name,
                   "%s", err))
            continue;
        sha256sum(path, sum);
        snprintf(name, sizeof name, "long %s: %s", vm_out_format_name(fmts[f]),
                 f ? "not hashed as written (FLAC: read back)" : "the hash taken as written is sha256sum's");
        if (!sum[0])
            printf("skip - %s: sha256sum not available\n", name);
        else
            check(f ? sha[0] == 0 : strcmp(sha, sum) == 0, name, "written %s, sha256sum %s", sha[0] ? sha : "none",
                  sum);
        SF_INFO info;
        memset(&info, 0, sizeof info);
        SNDFILE *sf = sf_open(path, SFM_READ, &info);
        snprintf(name, sizeof name, "long %s: read back whole", vm_out_format_name(fmts[f]));
        if (!check(sf && info.frames == FRAMES && info.channels == chans[f], name, "%lld frames, %d channels",
                   sf ? (long long)info.frames : -1LL, sf ? info.channels : -1))
            goto next;
        int *buf = malloc(sizeof(int) * (size_t)CH * 4096);
        long bad = 0, first_bad = -1;
        int order[CH];
        vm_layout_file_order(cfg.layout, chans[f], order);
        for (long at = 0; buf && at < FRAMES;) {
            sf_count_t got = sf_readf_int(sf, buf, 4096);
            if (got <= 0)
                break;
            for (long i = 0; i < got * chans[f]; i++) {
                long frame = at + i / chans[f];
                int c = order[i % chans[f]];
                if (buf[i] % 256 != 0 || buf[i] / 256 != expect_q(planar[c][frame], 24)) {
                    if (first_bad < 0)
                        first_bad = frame;
                    bad++;
                }
            }
            at += got;
        }
        snprintf(name, sizeof name, "long %s: every sample is round(x * 2^23), exactly", vm_out_format_name(fmts[f]));
        check(buf && bad == 0, name, "%ld samples differ, first in frame %ld", bad, first_bad);
        free(buf);
    next:
        if (sf)
            sf_close(sf);
        unlink(path);
    }
    for (int c = 0; c < CH; c++)
        free(planar[c]);
}

/* The hash taken as the file is written (vm_outfile_sha256, outfile.c
 * "hashed as written") against coreutils' sha256sum of the finished file:
 * equal where the length was said and exactly that much was written (WAV
 * 16 and 24 bits: stereo, 5.1 with its channel mask set after libsndfile
 * closed the file, mono of an odd byte count whose data chunk ends in a pad
 * byte); none (NULL: the manifest reads the file back) where the length
 * was not said, was off by a frame either way, or the format is not
 * predicted (FLAC, float). */
static void test_hash_as_written(void)
{
    static const struct {
        vm_out_format fmt;
        int channels, frames, said, hashed;
        const char *what;
    } cases[] = {
        {VM_OUT_WAV24, 2, N_FRAMES, N_FRAMES, 1, "wav24 stereo, its length said"},
        {VM_OUT_WAV16, 2, N_FRAMES, N_FRAMES, 1, "wav16 stereo (TPDF dither), its length said"},
        {VM_OUT_WAV24, 6, N_FRAMES, N_FRAMES, 1, "wav24 5.1 (channel mask set at finish), its length said"},
        {VM_OUT_WAV24, 1, N_FRAMES - 1, N_FRAMES - 1, 1, "wav24 mono of an odd byte count (a pad byte after the data)"},
        {VM_OUT_WAV24, 2, N_FRAMES, 0, 0, "wav24, no length said"},
        {VM_OUT_WAV24, 2, N_FRAMES, N_FRAMES + 1, 0, "wav24, a frame more said than written"},
        {VM_OUT_WAV24, 2, N_FRAMES, N_FRAMES - 1, 0, "wav24, a frame less said than written"},
        {VM_OUT_FLAC24, 2, N_FRAMES, N_FRAMES, 0, "flac24 (not predicted)"},
        {VM_OUT_WAV32F, 2, N_FRAMES, N_FRAMES, 0, "wav32f (not predicted)"},
    };
    const float *planar[6];
    for (int c = 0; c < 6; c++)
        planar[c] = sig[c & 1];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        vm_outfile_config cfg;
        char err[DS_ERR_LEN] = "", name[200], sha[65] = "", sum[65];
        const char *path = in_tmp(cases[k].fmt == VM_OUT_FLAC24 ? "hashed.flac" : "hashed.wav");
        config(&cfg, path, cases[k].fmt, VM_DITHER_AUTO);
        cfg.channels = cases[k].channels;
        cfg.layout = cases[k].channels == 6 ? VM_LAYOUT_5_1 : VM_LAYOUT_PLAIN;
        cfg.frames = cases[k].said;
        snprintf(name, sizeof name, "hashed as written, %s: written", cases[k].what);
        if (!check(write_file_hashed(&cfg, planar, cases[k].frames, 0, NULL, sha, err) == DS_OK, name, "%s", err))
            continue;
        sha256sum(path, sum);
        snprintf(name, sizeof name, "hashed as written, %s: %s", cases[k].what,
                 cases[k].hashed ? "sha256sum's hash" : "no hash (read back instead)");
        if (!sum[0])
            printf("skip - %s: sha256sum not available\n", name);
        else if (cases[k].hashed)
            check(strcmp(sha, sum) == 0, name, "written %s, sha256sum %s", sha[0] ? sha : "none", sum);
        else
            check(sha[0] == 0, name, "got %s", sha);
        unlink(path);
    }
}

/* A segment's dither (dither_skip_frames) against the whole file's: the
 * generator jumped ahead by the frames skipped gives the same samples from
 * there on, at a skip of 1, of an odd count and of all but one frame. And
 * those samples read back as float and written again with `quantised`
 * (no new dither, the coding history still saying TPDF): the same bytes
 * as the whole file, which is what `dubstage join` relies on. */
static void test_dither_skip(void)
{
    const float *planar[2] = { sig[0], sig[1] };
    vm_outfile_config cfg;
    char err[DS_ERR_LEN] = "", name[128];
    const char *whole = in_tmp("skip-whole.wav"), *part = in_tmp("skip-part.wav"), *again = in_tmp("skip-again.wav");
    int *a = malloc(sizeof(int) * 2 * N_FRAMES), *b = malloc(sizeof(int) * 2 * N_FRAMES);
    SF_INFO info;
    SNDFILE *sf;
    sf_count_t got = 0;

    config(&cfg, whole, VM_OUT_WAV16, VM_DITHER_TPDF);
    cfg.dither_seed = 77;
    write_file(&cfg, planar, N_FRAMES, 4096, NULL, err);
    memset(&info, 0, sizeof info);
    if ((sf = sf_open(whole, SFM_READ, &info))) {
        got = sf_readf_int(sf, a, N_FRAMES);
        sf_close(sf);
    }
    check(got == N_FRAMES, "dither skip: the whole file reads back", "%lld frames", (long long)got);
    const int skips[] = { 1, 12345, N_FRAMES - 1 };
    for (int s = 0; s < 3; s++) {
        int k = skips[s];
        const float *from_k[2] = { sig[0] + k, sig[1] + k };
        config(&cfg, part, VM_OUT_WAV16, VM_DITHER_TPDF);
        cfg.dither_seed = 77;
        cfg.dither_skip_frames = k;
        write_file(&cfg, from_k, N_FRAMES - k, 4096, NULL, err);
        got = 0;
        memset(&info, 0, sizeof info);
        if ((sf = sf_open(part, SFM_READ, &info))) {
            got = sf_readf_int(sf, b, N_FRAMES - k);
            sf_close(sf);
        }
        long bad = 0;
        for (long i = 0; i < 2L * (N_FRAMES - k) && got == N_FRAMES - k; i++)
            bad += b[i] != a[2L * k + i];
        snprintf(name, sizeof name, "dither skip %d frames: the part's samples are the whole file's from there", k);
        check(got == N_FRAMES - k && bad == 0, name, "%ld samples differ (%lld frames read)", bad, (long long)got);
    }
    float *f = malloc(sizeof(float) * 2 * N_FRAMES), *ch[2];
    ch[0] = malloc(sizeof(float) * N_FRAMES);
    ch[1] = malloc(sizeof(float) * N_FRAMES);
    got = 0;
    memset(&info, 0, sizeof info);
    if ((sf = sf_open(whole, SFM_READ, &info))) {
        got = sf_readf_float(sf, f, N_FRAMES);
        sf_close(sf);
    }
    for (int i = 0; i < N_FRAMES; i++)
        ch[0][i] = f[2 * i], ch[1][i] = f[2 * i + 1];
    config(&cfg, again, VM_OUT_WAV16, VM_DITHER_TPDF);
    cfg.dither_seed = 5; /* unused: nothing is dithered again */
    cfg.quantised = 1;
    const float *back[2] = { ch[0], ch[1] };
    write_file(&cfg, back, N_FRAMES, 4096, NULL, err);
    check(got == N_FRAMES && same_bytes(whole, again) == 1,
          "quantised: a dithered file read back as float and written again is the same bytes", "files differ");
    free(ch[0]);
    free(ch[1]);
    free(f);
    free(a);
    free(b);
}

static void test_dither(void)
{
    const float *planar[2] = { sig[0], sig[1] };
    vm_outfile_config cfg;
    char err[DS_ERR_LEN] = "";
    const char *a = in_tmp("d1.wav"), *b = in_tmp("d2.wav"), *c = in_tmp("d3.wav"), *d = in_tmp("d4.wav");
    SF_INFO info;
    SNDFILE *sf;
    double sum = 0, sum2 = 0, worst = 0;
    int *buf = malloc(sizeof(int) * 2 * N_FRAMES);
    sf_count_t got = 0;

    config(&cfg, a, VM_OUT_WAV16, VM_DITHER_TPDF);
    cfg.dither_seed = 1234;
    check(write_file(&cfg, planar, N_FRAMES, 4096, NULL, err) == DS_OK, "tpdf: write", "%s", err);
    memset(&info, 0, sizeof info);
    if ((sf = sf_open(a, SFM_READ, &info))) {
        got = sf_readf_int(sf, buf, N_FRAMES);
        sf_close(sf);
    }
    for (long i = 0; i < 2L * N_FRAMES && got == N_FRAMES; i++) {
        double e = buf[i] / 65536.0 - (double)sig[i & 1][i >> 1] * 32768.0;
        sum += e;
        sum2 += e * e;
        if (fabs(e) > worst)
            worst = fabs(e);
    }
    check(got == N_FRAMES && worst < 1.5, "tpdf: |error| < 1.5 LSB on every sample", "worst %.4f LSB", worst);
    /* 96000 samples: the mean's standard deviation is 0.5 / sqrt(96000) = 0.0016 LSB */
    check_near(sum / (2.0 * N_FRAMES), 0.0, 0.01, "tpdf: mean error 0 LSB (+-0.01)");
    check_near(sqrt(sum2 / (2.0 * N_FRAMES)), 0.5, 0.01, "tpdf: RMS error 0.5 LSB (+-0.01)");
    free(buf);

    cfg.path = b;
    write_file(&cfg, planar, N_FRAMES, 4096, NULL, err);
    check(same_bytes(a, b) == 1, "tpdf: same seed, byte-identical file", "files differ");
    cfg.path = c;
    cfg.dither_seed = 1235;
    write_file(&cfg, planar, N_FRAMES, 4096, NULL, err);
    check(same_bytes(a, c) == 0, "tpdf: another seed, other bytes", "files are identical");
    cfg.path = d;
    cfg.dither_seed = 1234;
    cfg.dither = VM_DITHER_AUTO;
    write_file(&cfg, planar, N_FRAMES, 4096, NULL, err);
    check(same_bytes(a, d) == 1, "tpdf: AUTO on wav16 is TPDF", "files differ");
    cfg.dither = VM_DITHER_TPDF;
    write_file(&cfg, planar, N_FRAMES, 0, NULL, err);
    check(same_bytes(a, d) == 1, "tpdf: bytes independent of write sizes (1, 333, 4096, 5000, 17 frames)",
          "files differ");

    config(&cfg, c, VM_OUT_WAV24, VM_DITHER_AUTO);
    cfg.dither_seed = 99;
    write_file(&cfg, planar, N_FRAMES, 4096, NULL, err);
    check(same_bytes(c, in_tmp(fmt_file[VM_OUT_WAV24])) == 1, "tpdf: AUTO on wav24 means no dither",
          "differs from the undithered wav24");
    config(&cfg, d, VM_OUT_FLAC24, VM_DITHER_TPDF);
    write_file(&cfg, planar, N_FRAMES, 4096, NULL, err);
    memset(&info, 0, sizeof info);
    buf = malloc(sizeof(int) * 2 * N_FRAMES);
    got = 0;
    if ((sf = sf_open(d, SFM_READ, &info))) {
        got = sf_readf_int(sf, buf, N_FRAMES);
        sf_close(sf);
    }
    long changed = 0;
    worst = 0;
    for (long i = 0; i < 2L * N_FRAMES && got == N_FRAMES; i++) {
        double e = buf[i] / 256.0 - (double)sig[i & 1][i >> 1] * 8388608.0;
        changed += buf[i] / 256 != expect_q(sig[i & 1][i >> 1], 24);
        if (fabs(e) > worst)
            worst = fabs(e);
    }
    check(got == N_FRAMES && changed > N_FRAMES / 2 && worst < 1.5,
          "tpdf: asked for on flac24, dithers within 1.5 LSB", "%ld samples differ from plain rounding, worst %.3f",
          changed, worst);
    free(buf);
}

static void test_clipping(void)
{
    const float x[] = { 1.5f, -2.0f, 1.0f, -1.0f, 0.25f, INFINITY, NAN, -INFINITY };
    const float *planar[1] = { x };
    const long want24[] = { 8388607, -8388608, 8388607, -8388608, 2097152, 8388607, 0, -8388608 };
    vm_outfile_config cfg;
    char err[DS_ERR_LEN] = "";
    int64_t clipped = -1;
    int buf[8] = { 0 };
    float fbuf[8] = { 0 };
    SF_INFO info;
    SNDFILE *sf;
    int ok = 1;

    config(&cfg, in_tmp("clip24.wav"), VM_OUT_WAV24, VM_DITHER_NONE);
    cfg.channels = 1;
    check(write_file(&cfg, planar, 8, 8, &clipped, err) == DS_OK, "clip: write wav24", "%s", err);
    check_int(clipped, 5, "clip: 1.5, -2, 1.0, +inf, -inf counted (-1.0 fits, NaN -> 0 uncounted)");
    memset(&info, 0, sizeof info);
    if ((sf = sf_open(cfg.path, SFM_READ, &info))) {
        ok = sf_readf_int(sf, buf, 8) == 8;
        sf_close(sf);
    }
    for (int i = 0; i < 8; i++)
        ok = ok && buf[i] / 256 == want24[i];
    check(ok, "clip: full scale is [-2^23, 2^23 - 1]", "got %d %d %d %d %d %d %d %d", buf[0] / 256, buf[1] / 256,
          buf[2] / 256, buf[3] / 256, buf[4] / 256, buf[5] / 256, buf[6] / 256, buf[7] / 256);

    /* stereo runs its own (interleaving) loop: the same values on both sides */
    const float *planar2[2] = { x, x };
    int buf2[16] = { 0 };
    config(&cfg, in_tmp("clip24s.wav"), VM_OUT_WAV24, VM_DITHER_NONE);
    cfg.channels = 2;
    clipped = -1;
    check(write_file(&cfg, planar2, 8, 8, &clipped, err) == DS_OK, "clip: write stereo wav24", "%s", err);
    check_int(clipped, 10, "clip: stereo counts both channels' clipped samples");
    ok = 0;
    memset(&info, 0, sizeof info);
    if ((sf = sf_open(cfg.path, SFM_READ, &info))) {
        ok = sf_readf_int(sf, buf2, 8) == 8;
        sf_close(sf);
    }
    for (int i = 0; i < 16; i++)
        ok = ok && buf2[i] / 256 == want24[i / 2];
    check(ok, "clip: stereo full scale is [-2^23, 2^23 - 1], NaN 0, interleaved", "differs");

    config(&cfg, in_tmp("clip16.aif"), VM_OUT_AIFF16, VM_DITHER_NONE);
    cfg.channels = 1;
    clipped = -1;
    write_file(&cfg, planar, 8, 8, &clipped, err);
    check_int(clipped, 5, "clip: aiff16 counts the same samples");

    config(&cfg, in_tmp("clipf.wav"), VM_OUT_WAV32F, VM_DITHER_TPDF);
    cfg.channels = 1;
    clipped = -1;
    write_file(&cfg, planar, 5, 5, &clipped, err);
    check_int(clipped, 0, "clip: float formats never clip");
    memset(&info, 0, sizeof info);
    ok = 0;
    if ((sf = sf_open(cfg.path, SFM_READ, &info))) {
        ok = sf_readf_float(sf, fbuf, 5) == 5;
        sf_close(sf);
    }
    check(ok && fbuf[0] == 1.5f && fbuf[1] == -2.0f, "clip: wav32f keeps 1.5 and -2", "got %g %g", fbuf[0],
          fbuf[1]);
}

static int get_bext(const char *path, SF_BROADCAST_INFO *b)
{
    SF_INFO info;
    SNDFILE *sf;
    int ok;
    memset(&info, 0, sizeof info);
    memset(b, 0, sizeof *b);
    if (!(sf = sf_open(path, SFM_READ, &info)))
        return 0;
    ok = sf_command(sf, SFC_GET_BROADCAST_INFO, b, sizeof *b) == SF_TRUE;
    sf_close(sf);
    return ok;
}

static void test_bext(void)
{
    const float *planar[2] = { sig[0], sig[1] };
    vm_outfile_config cfg;
    char err[DS_ERR_LEN] = "";
    SF_BROADCAST_INFO b;
    const char *p1 = in_tmp("bext1.wav"), *p2 = in_tmp("bext2.wav"), *p3 = in_tmp("bext3.wav");
    unsigned char *bytes;
    long len;
    char longdesc[400];

    config(&cfg, p1, VM_OUT_WAV24, VM_DITHER_AUTO);
    cfg.time_reference = 172800000; /* 01:00:00:00 at 48 kHz */
    cfg.description = "Reel 3 printmaster";
    check(write_file(&cfg, planar, 1000, 1000, NULL, err) == DS_OK, "bext: write", "%s", err);
    check(get_bext(p1, &b), "bext: present, read by SFC_GET_BROADCAST_INFO", "no bext");
    check(b.time_reference_low == 172800000u && b.time_reference_high == 0, "bext: time reference 172800000",
          "low %u high %u", b.time_reference_low, b.time_reference_high);
    check(strcmp(b.description, "Reel 3 printmaster") == 0, "bext: description", "got '%.256s'", b.description);
    check(strncmp(b.originator, "dubstage", 32) == 0, "bext: originator dubstage", "got '%.32s'", b.originator);
    check(strncmp(b.origination_date, "", 10) == 0 && b.origination_time[0] == 0,
          "bext: no origination date or time (same script, same bytes)", "date '%.10s' time '%.8s'",
          b.origination_date, b.origination_time);
    check(strstr(b.coding_history, "A=PCM,F=48000,W=24,M=stereo,T=dubstage no dither\r\n") == b.coding_history,
          "bext: coding history starts with our line", "got '%s'", b.coding_history);

    bytes = read_bytes(p1, &len);
    check(bytes && len > 12 && memcmp(bytes, "RIFF", 4) == 0 && memcmp(bytes + 8, "WAVE", 4) == 0,
          "bext: a small wav24 is plain RIFF/WAVE, not RF64", "header '%.4s'", bytes ? (char *)bytes : "");
    check(bytes && contains(bytes, len, "bext") && !contains(bytes, len, "ds64"),
          "bext: bext chunk in the bytes, no ds64 left", "bext %d ds64 %d", bytes ? contains(bytes, len, "bext") : 0,
          bytes ? contains(bytes, len, "ds64") : 0);
    if (bytes) {
        uint32_t riff = (uint32_t)bytes[4] | (uint32_t)bytes[5] << 8 | (uint32_t)bytes[6] << 16
                        | (uint32_t)bytes[7] << 24;
        check_int(riff, len - 8, "bext: RIFF size is the file length - 8");
    }
    free(bytes);

    config(&cfg, p2, VM_OUT_WAV16, VM_DITHER_AUTO);
    cfg.time_reference = 5000000000LL; /* > 2^32: needs the high word */
    cfg.channels = 1;
    write_file(&cfg, planar, 1000, 1000, NULL, err);
    get_bext(p2, &b);
    check(((uint64_t)b.time_reference_high << 32 | b.time_reference_low) == 5000000000ull
              && b.time_reference_high == 1,
          "bext: time reference 5000000000 (high word 1)", "low %u high %u", b.time_reference_low,
          b.time_reference_high);
    check(strstr(b.coding_history, "A=PCM,F=48000,W=16,M=mono,T=dubstage TPDF dither\r\n") == b.coding_history,
          "bext: coding history names the dither", "got '%s'", b.coding_history);
    check(b.description[0] == 0, "bext: NULL description is empty", "got '%.256s'", b.description);

    memset(longdesc, 'a', sizeof longdesc);
    longdesc[sizeof longdesc - 1] = 0;
    config(&cfg, p3, VM_OUT_WAV32F, VM_DITHER_AUTO);
    cfg.description = longdesc;
    write_file(&cfg, planar, 10, 10, NULL, err);
    get_bext(p3, &b);
    check(strnlen(b.description, 256) == 256 && b.description[255] == 'a', "bext: description cut to 256 bytes",
          "length %zu", strnlen(b.description, 256));
    /* 255 ASCII bytes then a 2-byte character: cut before it, not inside */
    memcpy(longdesc + 255, "\xc3\xa9", 3);
    write_file(&cfg, planar, 10, 10, NULL, err);
    get_bext(p3, &b);
    check(strnlen(b.description, 256) == 255, "bext: the cut does not split a UTF-8 character", "length %zu",
          strnlen(b.description, 256));
}

static void test_atomic(void)
{
    const float *planar[2] = { sig[0], sig[1] };
    vm_outfile_config cfg;
    vm_outfile *o = NULL;
    char err[DS_ERR_LEN] = "", first[256];
    const char *dir = in_tmp("atomic"), *final = in_tmp("atomic/pm.wav");
    struct stat st;
    int n;

    mkdir(dir, 0755);
    config(&cfg, final, VM_OUT_WAV24, VM_DITHER_AUTO);
    check(vm_outfile_open(&o, &cfg, err) == DS_OK && o, "atomic: open", "%s", err);
    vm_outfile_write(o, planar, 1000, err);
    n = list_dir(dir, first, sizeof first);
    check(access(final, F_OK) != 0 && errno == ENOENT, "atomic: before commit the final name does not exist",
          "it does");
    check(n == 1 && strncmp(first, ".pm.wav.part-", 13) == 0 && strlen(first) == 19,
          "atomic: before commit one hidden .pm.wav.part-XXXXXX", "%d entries, first '%s'", n, first);
    check(vm_outfile_commit(&o, err) == DS_OK && o == NULL, "atomic: commit, clears the pointer", "%s", err);
    n = list_dir(dir, first, sizeof first);
    check(n == 1 && strcmp(first, "pm.wav") == 0, "atomic: after commit only pm.wav", "%d entries, first '%s'", n,
          first);
    check(stat(final, &st) == 0 && (st.st_mode & 0777) == 0644, "atomic: mode follows the umask (022 -> 0644)",
          "mode %o", (unsigned)(st.st_mode & 0777));

    /* commit replaces an existing file */
    cfg.channels = 1;
    write_file(&cfg, planar, 500, 500, NULL, err);
    {
        SF_INFO info;
        SNDFILE *sf;
        memset(&info, 0, sizeof info);
        sf = sf_open(final, SFM_READ, &info);
        check(sf && info.channels == 1 && info.frames == 500 && list_dir(dir, NULL, 0) == 1,
              "atomic: commit replaces the old file", "channels %d frames %lld", info.channels,
              (long long)info.frames);
        if (sf)
            sf_close(sf);
    }
    unlink(final);

    check(vm_outfile_open(&o, &cfg, err) == DS_OK, "atomic: open again", "%s", err);
    vm_outfile_write(o, planar, 1000, err);
    vm_outfile_abort(&o);
    check(o == NULL && list_dir(dir, first, sizeof first) == 0, "atomic: after abort the folder is empty",
          "found '%s'", first);
    vm_outfile_abort(&o);
    vm_outfile_abort(NULL);
    check(1, "atomic: abort is safe on NULL", "-");
}

static void expect_open_error(const char *path, vm_out_format fmt, int channels, ds_result want_r,
                              const char *want_text, const char *name)
{
    vm_outfile_config cfg;
    vm_outfile *o = (vm_outfile *)&cfg; /* must be cleared */
    char err[DS_ERR_LEN] = "", quoted[600];
    ds_result r;

    config(&cfg, path, fmt, VM_DITHER_AUTO);
    cfg.channels = channels;
    r = vm_outfile_open(&o, &cfg, err);
    snprintf(quoted, sizeof quoted, "'%s'", path);
    check(r == want_r && o == NULL && strstr(err, quoted) && strstr(err, want_text), name,
          "result %d, message '%s'", (int)r, err);
    if (r == DS_OK)
        vm_outfile_abort(&o);
}

static void test_errors(void)
{
    char dir[512], msg[600], first[256];
    FILE *f;

    snprintf(dir, sizeof dir, "%s", in_tmp("errors")); /* in_tmp's buffers rotate */
    mkdir(dir, 0755);
    expect_open_error(in_tmp("errors/missing/pm.wav"), VM_OUT_WAV24, 2, DS_ERR_IO, "No such file or directory",
                      "errors: missing folder names the path");
    snprintf(msg, sizeof msg, "cannot write '%s': No such file or directory", in_tmp("errors/missing/pm.wav"));
    {
        vm_outfile_config cfg;
        vm_outfile *o;
        char err[DS_ERR_LEN];
        config(&cfg, in_tmp("errors/missing/pm.wav"), VM_OUT_WAV24, VM_DITHER_AUTO);
        vm_outfile_open(&o, &cfg, err);
        check(strcmp(err, msg) == 0, "errors: message reads \"cannot write 'PATH': strerror\"", "got '%s'", err);
    }

    if ((f = fopen(in_tmp("errors/plain"), "w")))
        fclose(f);
    expect_open_error(in_tmp("errors/plain/x.wav"), VM_OUT_WAV24, 2, DS_ERR_IO, "Not a directory",
                      "errors: path under a regular file");

    if (geteuid() != 0) {
        mkdir(in_tmp("errors/ro"), 0755);
        chmod(in_tmp("errors/ro"), 0555);
        expect_open_error(in_tmp("errors/ro/x.wav"), VM_OUT_WAV24, 2, DS_ERR_IO, "Permission denied",
                          "errors: read-only folder");
        chmod(in_tmp("errors/ro"), 0755);
        rmdir(in_tmp("errors/ro"));
    } else {
        printf("# read-only folder check skipped: running as root, permissions do not apply\n");
    }

    expect_open_error(dir, VM_OUT_WAV24, 2, DS_ERR_IO, "Is a directory", "errors: the name is a folder");
    expect_open_error(in_tmp("errors/"), VM_OUT_WAV24, 2, DS_ERR_ARG, "folder", "errors: a name ending in '/'");
    expect_open_error(in_tmp("errors/x.wav"), VM_OUT_WAV24, 0, DS_ERR_ARG, "channels", "errors: 0 channels");
    expect_open_error(in_tmp("errors/x.flac"), VM_OUT_FLAC24, 9, DS_ERR_FORMAT, "flac24",
                      "errors: flac with 9 channels, refused by libsndfile");
    check(list_dir(dir, first, sizeof first) == 1 && strcmp(first, "plain") == 0,
          "errors: failed opens leave no temporary file", "found '%s'", first);
}

/* DUBSTAGE_TEST_DIRECT_EINVAL (vm/direct_file.h) on or off: the buffered
 * path or, where the file system allows, O_DIRECT. */
static void refuse_direct(int on)
{
    if (on)
        setenv("DUBSTAGE_TEST_DIRECT_EINVAL", "1", 1);
    else
        unsetenv("DUBSTAGE_TEST_DIRECT_EINVAL");
}

/* A full disk, simulated with RLIMIT_FSIZE (write fails with EFBIG), on
 * the buffered path and on the O_DIRECT one. Up to 36 MB are offered: the
 * buffered path fails at the write that crosses 64 KiB, the direct one
 * once the writer thread's first 8 MiB has failed, at the next hand-over
 * (by 16 MiB) or at the latest at the commit. Nothing is printed while the
 * limit holds: stdout may be a file. */
static void test_write_failure_on(int buffered)
{
    static float big[2][20000];
    const float *planar[2] = { big[0], big[1] };
    const char *dir = in_tmp("full"), *final = in_tmp("full/big.wav");
    const char *path = buffered ? "buffered" : "O_DIRECT";
    vm_outfile_config cfg;
    vm_outfile *o = NULL;
    char err_open[DS_ERR_LEN] = "", err_write[DS_ERR_LEN] = "", err_commit[DS_ERR_LEN] = "", name[200];
    struct rlimit old, lim;
    ds_result r_open, r_write = DS_OK, r_commit = DS_OK;
    void (*old_handler)(int);
    int direct = 0;
    int64_t offered = 0;

    mkdir(dir, 0755);
    config(&cfg, final, VM_OUT_WAV24, VM_DITHER_AUTO);
    refuse_direct(buffered);
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 64 * 1024;
    old_handler = signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    r_open = vm_outfile_open(&o, &cfg, err_open);
    direct = r_open == DS_OK && vm_outfile_direct(o);
    for (int i = 0; i < 300 && r_open == DS_OK && r_write == DS_OK; i++) {
        r_write = vm_outfile_write(o, planar, 20000, err_write);
        offered += 20000 * 6;
    }
    if (r_open == DS_OK)
        r_commit = vm_outfile_commit(&o, err_commit);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    refuse_direct(0);

    snprintf(name, sizeof name, "write failure (%s): open", path);
    check(r_open == DS_OK, name, "%s", err_open);
    if (!buffered && !direct)
        printf("# write failure: %s gives no O_DIRECT here; the buffered path was tested twice\n", tmp_root);
    snprintf(name, sizeof name, "write failure (%s): the path used is the one asked for", path);
    check(!buffered || !direct, name, "O_DIRECT with the test hook set");
    {
        char want[600];
        int64_t by = buffered || !direct ? 64 * 1024 + 20000 * 6 : (int64_t)2 * (8 << 20) + 20000 * 6;
        snprintf(want, sizeof want, "cannot write '%s': %s", final, strerror(EFBIG));
        snprintf(name, sizeof name,
                 "write failure (%s): \"cannot write 'PATH': File too large\" from the write, by %lld bytes", path,
                 (long long)by);
        check(r_write == DS_ERR_IO && strcmp(err_write, want) == 0 && offered <= by, name,
              "result %d '%s' after %lld bytes", (int)r_write, err_write, (long long)offered);
    }
    snprintf(name, sizeof name, "write failure (%s): commit refuses", path);
    check(r_commit == DS_ERR_IO && o == NULL, name, "result %d '%s'", (int)r_commit, err_commit);
    snprintf(name, sizeof name, "write failure (%s): nothing left in the folder", path);
    check(list_dir(dir, NULL, 0) == 0, name, "%d entries", list_dir(dir, NULL, 0));
}

static void test_write_failure(void)
{
    test_write_failure_on(1);
    test_write_failure_on(0);
}

/* O_DIRECT against the buffered path (the test hook refuses O_DIRECT):
 * the same bytes (compared whole) and the same SHA-256 as written, for
 * lengths that fill no buffer, exactly fill 512-byte blocks, and run over
 * more than two 8 MiB buffers without being a multiple of either, written
 * in pieces of several sizes, with the length said and not. */
static void test_direct(void)
{
    static const struct {
        vm_out_format fmt;
        int channels;
        int64_t frames;
        int chunk; /* 0: write_file's pattern 1, 333, 4096, 5000, 17 */
        int say;   /* config.frames set */
    } cases[] = {
        {VM_OUT_WAV24, 2, 0, 4096, 0},
        {VM_OUT_WAV24, 2, 1, 1, 1},
        {VM_OUT_WAV16, 2, 4096, 4096, 1},
        {VM_OUT_WAV24, 1, 48001, 0, 1},        /* odd data: a pad byte after them */
        {VM_OUT_WAV16, 2, 128 * 1024, 4096, 0}, /* 512 KiB of data: the header pushes it off the blocks */
        {VM_OUT_WAV24, 6, 1000003, 0, 1},      /* 18 MB: three buffers and a tail */
        {VM_OUT_WAV24, 6, 1000003, 4096, 0},
        {VM_OUT_WAV16, 2, 2097152 + 7, 1023, 0}, /* 8 MiB + 28 bytes of data */
    };
    static float *wave[6];
    const int64_t most = 2097152 + 7 > 1000003 ? 2097152 + 7 : 1000003;
    for (int c = 0; c < 6; c++) {
        if (!(wave[c] = malloc((size_t)most * sizeof(float))))
            return;
        for (int64_t i = 0; i < most; i++)
            wave[c][i] = (float)(0.6 * sin(2.0 * M_PI * (220.0 + 110.0 * c) * (double)i / 48000.0));
    }
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char sha[2][65], err[DS_ERR_LEN] = "", name[300], file[2][64];
        int direct[2] = {0, 0};
        ds_result r[2];
        for (int buffered = 0; buffered < 2; buffered++) {
            vm_outfile_config cfg;
            vm_outfile *o = NULL;
            snprintf(file[buffered], sizeof file[0], "direct%zu.%s.wav", k, buffered ? "buffered" : "direct");
            config(&cfg, in_tmp(file[buffered]), cases[k].fmt, VM_DITHER_AUTO);
            cfg.channels = cases[k].channels;
            cfg.layout = VM_LAYOUT_PLAIN;
            cfg.frames = cases[k].say ? cases[k].frames : 0;
            refuse_direct(buffered);
            r[buffered] = vm_outfile_open(&o, &cfg, err);
            refuse_direct(0);
            if (r[buffered] != DS_OK)
                break;
            direct[buffered] = vm_outfile_direct(o);
            for (int64_t done = 0, n = 0; done < cases[k].frames && r[buffered] == DS_OK; done += n) {
                static const int pattern[] = {1, 333, 4096, 5000, 17};
                const float *p[6];
                n = cases[k].chunk ? cases[k].chunk : pattern[(done / 7) % 5];
                if (n > cases[k].frames - done)
                    n = cases[k].frames - done;
                for (int c = 0; c < cases[k].channels; c++)
                    p[c] = wave[c] + done;
                r[buffered] = vm_outfile_write(o, p, (int)n, err);
            }
            if (r[buffered] == DS_OK)
                r[buffered] = vm_outfile_finish(o, err);
            snprintf(sha[buffered], 65, "%s", r[buffered] == DS_OK && vm_outfile_sha256(o) ? vm_outfile_sha256(o) : "");
            if (r[buffered] == DS_OK)
                r[buffered] = vm_outfile_commit(&o, err);
            vm_outfile_abort(&o);
        }
        char pieces[32];
        snprintf(pieces, sizeof pieces, cases[k].chunk ? "%d" : "1, 333, 4096, 5000, 17", cases[k].chunk);
        snprintf(name, sizeof name, "O_DIRECT: %s, %d channels, %lld frames in pieces of %s%s: written both ways",
                 vm_out_format_name(cases[k].fmt), cases[k].channels, (long long)cases[k].frames, pieces,
                 cases[k].say && cases[k].frames ? ", length said" : "");
        check(r[0] == DS_OK && r[1] == DS_OK, name, "%s", err);
        if (r[0] != DS_OK || r[1] != DS_OK)
            continue;
        if (k == 0 && !direct[0])
            printf("# O_DIRECT: %s gives no O_DIRECT here: both ways are buffered\n", tmp_root);
        snprintf(name, sizeof name, "O_DIRECT case %zu: the direct path where %s allows it, the buffered one with "
                 "the test hook", k, tmp_root);
        check(!direct[1], name, "O_DIRECT with DUBSTAGE_TEST_DIRECT_EINVAL set");
        snprintf(name, sizeof name, "O_DIRECT case %zu: byte-identical to the buffered file", k);
        check(same_bytes(in_tmp(file[0]), in_tmp(file[1])) == 1, name, "%s and %s differ", file[0], file[1]);
        char disk[65];
        sha256sum(in_tmp(file[0]), disk);
        snprintf(name, sizeof name, "O_DIRECT case %zu: the hash as written is the file's (sha256sum), and the "
                 "buffered path's", k);
        check(!cases[k].say || cases[k].frames == 0 || (strcmp(sha[0], disk) == 0 && strcmp(sha[0], sha[1]) == 0), name,
              "written %s, buffered %s, sha256sum %s", sha[0], sha[1], disk);
        unlink(in_tmp(file[0]));
        unlink(in_tmp(file[1]));
    }
    for (int c = 0; c < 6; c++)
        free(wave[c]);
}

/* Same script, same bytes: write every format again after the clock's
 * second has changed, so a time stamp anywhere in a header would show. */
static void test_determinism_over_time(void)
{
    const float *planar[2] = { sig[0], sig[1] };
    struct timespec pause = { 1, 100000000 };
    nanosleep(&pause, NULL);
    for (int f = 0; f < N_FMT; f++) {
        vm_outfile_config cfg;
        char err[DS_ERR_LEN] = "", name[128], again[128];
        snprintf(again, sizeof again, "again.%s", fmt_file[f]);
        config(&cfg, in_tmp(again), (vm_out_format)f, VM_DITHER_NONE);
        write_file(&cfg, planar, N_FRAMES, 4096, NULL, err);
        snprintf(name, sizeof name, "determinism: %s rewritten 1.1 s later, byte-identical",
                 vm_out_format_name((vm_out_format)f));
        check(same_bytes(in_tmp(again), in_tmp(fmt_file[f])) == 1, name, "files differ");
    }
}

static void test_format_words(void)
{
    static const char *const words[N_FMT] = { "wav16",  "wav24",  "wav32f", "flac16",
                                              "flac24", "aiff16", "aiff24", "aiff32f" };
    char err[DS_ERR_LEN] = "";
    vm_out_format fmt;
    int ok = 1;

    for (int i = 0; i < N_FMT; i++) {
        fmt = (vm_out_format)-1;
        ok = ok && vm_out_format_parse(words[i], &fmt, err) == DS_OK && (int)fmt == i
             && strcmp(vm_out_format_name(fmt), words[i]) == 0;
    }
    check(ok, "format: the eight words parse and name back", "-");
    check(vm_out_format_parse("wav23", &fmt, err) == DS_ERR_ARG
              && strcmp(err, "unknown format 'wav23'; did you mean 'wav24'? (formats: wav16 wav24 wav32f "
                             "flac16 flac24 aiff16 aiff24 aiff32f)") == 0,
          "format: 'wav23' suggests 'wav24' and lists the words", "got '%s'", err);
    vm_out_format_parse("WAV16", &fmt, err);
    check(strstr(err, "did you mean 'wav16'?") != NULL, "format: 'WAV16' suggests 'wav16'", "got '%s'", err);
    vm_out_format_parse("aif24", &fmt, err);
    check(strstr(err, "did you mean 'aiff24'?") != NULL, "format: 'aif24' suggests 'aiff24'", "got '%s'", err);
    check(vm_out_format_parse("mp3", &fmt, err) == DS_ERR_ARG
              && strcmp(err, "unknown format 'mp3' (formats: wav16 wav24 wav32f flac16 flac24 aiff16 aiff24 "
                             "aiff32f)") == 0,
          "format: 'mp3' gets no suggestion", "got '%s'", err);
    check(vm_out_format_parse(NULL, &fmt, err) == DS_ERR_ARG, "format: NULL word", "accepted");
    check(strcmp(vm_out_format_name((vm_out_format)42), "?") == 0, "format: name of a bad value is '?'", "-");
}

static void test_suggest(void)
{
    static const char *const keys[] = { "gain", "freq", "q", "thresh", "ratio", NULL, "atk", "rel" };
    const int nk = 8;
    const char *s;

    check_int(vm_suggest_distance("kitten", "sitting"), 3, "suggest: distance kitten/sitting = 3");
    check_int(vm_suggest_distance("gian", "gain"), 1, "suggest: a transposition is one edit");
    check_int(vm_suggest_distance("ca", "abc"), 3, "suggest: optimal string alignment (ca/abc = 3)");
    check_int(vm_suggest_distance("", "abc"), 3, "suggest: distance to empty = length");
    check_int(vm_suggest_distance("GAIN", "gain"), 0, "suggest: case does not count");
    check_int(vm_suggest_distance(NULL, "gain"), -1, "suggest: NULL is -1");
    s = vm_suggest("gian", keys, nk);
    check(s && !strcmp(s, "gain"), "suggest: gian -> gain", "got %s", s ? s : "NULL");
    s = vm_suggest("tresh", keys, nk);
    check(s && !strcmp(s, "thresh"), "suggest: tresh -> thresh", "got %s", s ? s : "NULL");
    s = vm_suggest("threshold", keys, nk);
    check(s && !strcmp(s, "thresh"), "suggest: threshold -> thresh (3 edits, 9 / 3 allowed)", "got %s",
          s ? s : "NULL");
    s = vm_suggest("thres", keys, nk);
    check(s && !strcmp(s, "thresh"), "suggest: thres -> thresh", "got %s", s ? s : "NULL");
    s = vm_suggest("rattio", keys, nk);
    check(s && !strcmp(s, "ratio"), "suggest: rattio -> ratio", "got %s", s ? s : "NULL");
    s = vm_suggest("release", keys, nk);
    check(s == NULL, "suggest: release is too far from rel", "got %s", s ? s : "NULL");
    s = vm_suggest("x", keys, nk);
    check(s == NULL, "suggest: x does not become q", "got %s", s ? s : "NULL");
    s = vm_suggest("", keys, nk);
    check(s == NULL, "suggest: empty word", "got %s", s ? s : "NULL");
    static const char *const tie[] = { "wav16", "wav14" };
    s = vm_suggest("wav1", tie, 2);
    check(s == tie[0], "suggest: a tie goes to the first candidate", "got %s", s ? s : "NULL");
}

/* Speaker layouts, read back by libsndfile: the file's channel map (from
 * a WAV's dwChannelMask, an AIFF's CHAN tag) names the speakers that
 * ksmedia.h / the CAF spec give those layouts, and file channel k holds
 * the caller's channel of that speaker (each channel is a distinct
 * constant, k + 1 over 16). A plain 6-channel WAV has no map (mask 0). */
static void test_layouts(void)
{
    static const struct {
        const char *file;
        vm_out_format fmt;
        vm_layout layout;
        int channels;
        int map[8];          /* libsndfile's speaker per file channel; 0: no map expected */
        int from[8];         /* the caller's channel in file channel k */
    } cases[] = {
        {"l71.wav", VM_OUT_WAV24, VM_LAYOUT_7_1, 8,
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
          SF_CHANNEL_MAP_REAR_LEFT, SF_CHANNEL_MAP_REAR_RIGHT, SF_CHANNEL_MAP_SIDE_LEFT, SF_CHANNEL_MAP_SIDE_RIGHT},
         {0, 1, 2, 3, 6, 7, 4, 5}},
        {"l51.wav", VM_OUT_WAV32F, VM_LAYOUT_5_1, 6,
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
          SF_CHANNEL_MAP_SIDE_LEFT, SF_CHANNEL_MAP_SIDE_RIGHT},
         {0, 1, 2, 3, 4, 5}},
        {"l50.wav", VM_OUT_WAV16, VM_LAYOUT_5_0, 5,
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_SIDE_LEFT,
          SF_CHANNEL_MAP_SIDE_RIGHT},
         {0, 1, 2, 3, 4}},
        {"llcr.wav", VM_OUT_WAV24, VM_LAYOUT_LCR, 3, {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER},
         {0, 1, 2}},
        {"l51.aif", VM_OUT_AIFF24, VM_LAYOUT_5_1, 6,
         {SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
          SF_CHANNEL_MAP_REAR_LEFT, SF_CHANNEL_MAP_REAR_RIGHT},
         {0, 1, 2, 3, 4, 5}},
        {"l71.flac", VM_OUT_FLAC24, VM_LAYOUT_7_1, 8, {0}, {0, 1, 2, 3, 6, 7, 4, 5}},
        {"l71.aif", VM_OUT_AIFF24, VM_LAYOUT_7_1, 8, {0}, {0, 1, 2, 3, 6, 7, 4, 5}},
        {"plain6.wav", VM_OUT_WAV24, VM_LAYOUT_PLAIN, 6, {0}, {0, 1, 2, 3, 4, 5}},
    };
    enum { N = 256 };
    static float buf[8][N];
    for (int c = 0; c < 8; c++)
        for (int i = 0; i < N; i++)
            buf[c][i] = (float)(c + 1) / 16.0f;
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        char name[160], err[DS_ERR_LEN];
        const char *path = in_tmp(cases[t].file);
        vm_outfile_config cfg;
        config(&cfg, path, cases[t].fmt, VM_DITHER_NONE);
        cfg.channels = cases[t].channels;
        cfg.layout = cases[t].layout;
        const float *planar[8];
        for (int c = 0; c < 8; c++)
            planar[c] = buf[c];
        vm_outfile *o;
        ds_result r = vm_outfile_open(&o, &cfg, err);
        if (r == DS_OK && (r = vm_outfile_write(o, planar, N, err)) == DS_OK)
            r = vm_outfile_commit(&o, err);
        else
            vm_outfile_abort(&o);
        snprintf(name, sizeof name, "%s (%s) is written", cases[t].file, vm_layout_name(cases[t].layout));
        if (!check(r == DS_OK, name, "%s", err))
            continue;
        SF_INFO si;
        memset(&si, 0, sizeof si);
        SNDFILE *sf = sf_open(path, SFM_READ, &si);
        snprintf(name, sizeof name, "%s: libsndfile reads %d channels", cases[t].file, cases[t].channels);
        if (!check(sf && si.channels == cases[t].channels, name, "got %d", sf ? si.channels : -1)) {
            if (sf)
                sf_close(sf);
            continue;
        }
        int map[8] = {0}, has_map = sf_command(sf, SFC_GET_CHANNEL_MAP_INFO, map, (int)sizeof(int) * si.channels);
        if (cases[t].map[0]) {
            snprintf(name, sizeof name, "%s: libsndfile's channel map names its speakers", cases[t].file);
            check(has_map == SF_TRUE && memcmp(map, cases[t].map, sizeof(int) * (size_t)si.channels) == 0, name,
                  "map %d: %d %d %d %d %d %d %d %d", has_map, map[0], map[1], map[2], map[3], map[4], map[5], map[6],
                  map[7]);
        } else if (cases[t].layout == VM_LAYOUT_PLAIN) {
            snprintf(name, sizeof name, "%s: no speaker map (mask 0)", cases[t].file);
            check(has_map != SF_TRUE, name, "libsndfile found a map: %d %d %d", map[0], map[1], map[2]);
        }
        float frame[8];
        sf_seek(sf, N / 2, SEEK_SET);
        sf_readf_float(sf, frame, 1);
        sf_close(sf);
        int ok = 1;
        for (int k = 0; k < si.channels; k++)
            ok &= fabsf(frame[k] - (float)(cases[t].from[k] + 1) / 16.0f) < 1e-6f;
        snprintf(name, sizeof name, "%s: file channel k holds the caller's channel of its speaker", cases[t].file);
        check(ok, name, "frame %g %g %g %g %g %g %g %g", frame[0], frame[1], frame[2], frame[3], frame[4], frame[5],
              frame[6], frame[7]);
    }
    vm_outfile_config cfg;
    char err[DS_ERR_LEN];
    vm_outfile *o;
    config(&cfg, in_tmp("bad.wav"), VM_OUT_WAV24, VM_DITHER_NONE);
    cfg.channels = 6;
    cfg.layout = VM_LAYOUT_7_1;
    check(vm_outfile_open(&o, &cfg, err) == DS_ERR_ARG && strstr(err, "layout 7.1"),
          "6 channels declared 7.1 are refused at open", "%s", err);
}

int main(void)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    umask(022);
    snprintf(tmp_root, sizeof tmp_root, "/tmp/test_outfile-XXXXXX");
    if (!mkdtemp(tmp_root)) {
        perror("mkdtemp");
        return 1;
    }
    make_signal();

    test_format_words();
    test_suggest();
    test_round_trip();
    test_long_file();
    test_hash_as_written();
    test_dither();
    test_dither_skip();
    test_clipping();
    dsp_simd_cap = DSP_SIMD_NO_AVX2; /* the quantiser's scalar path too */
    printf("# the same without AVX2:\n");
    test_clipping();
    dsp_simd_cap = DSP_SIMD_ANY;
    test_bext();
    test_atomic();
    test_errors();
    test_write_failure();
    test_direct();
    test_determinism_over_time();
    test_layouts();

    remove_tree(tmp_root);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("# %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
    return check_exit();
}
