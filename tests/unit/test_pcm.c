/* test_pcm.c - dsp/pcm against libsndfile on the same bytes (in memory,
 * through sf_open_virtual, headerless RAW little-endian files):
 *   - decode: every 16-bit value, every 24-bit value (all 2^24), and 2^20
 *     random 32-bit float patterns (NaNs aside, whose payloads libsndfile
 *     may not keep), decoded by dsp_pcm_*_to_float and by libsndfile's
 *     sf_read_float (normalised, its default): the same bits (tolerance 0,
 *     as pcm.h promises). The 24-bit decoder runs at every SIMD cap
 *     (AVX-512 where the CPU has it, AVX2, SSSE3 + scalar) over lengths 0
 *     to 100 and offsets 0 to 3 samples, so every vector tail runs; and
 *     against a bytewise reference at every input byte alignment, every
 *     output alignment, and with the input ending at a no-access page (a
 *     read past its end would fault);
 *   - quantise: dsp_pcm_quantise's 32-bit left-aligned values written by
 *     libsndfile (sf_write_int) into 16- and 24-bit files and read back by
 *     it in double: every value that is not clipped reads back within half a
 *     step (0.5 / scale) of the input, a value exactly half-way rounds up
 *     (pcm.h's floor(x scale + 0.5)), clipped values read as the extremes
 *     -1 and 1 - 1/scale, NaN as 0, and the clip count equals the number of
 *     inputs with x scale >= scale - 0.5 or < -scale - 0.5 (counted here in
 *     long double); mono, stereo (the AVX2 path) and 3 channels (scalar),
 *     lengths not a multiple of 4, at both SIMD caps;
 *   - pack: dsp_pcm_pack_le's 16- and 24-bit bytes of left-aligned values
 *     (random, and the extremes) equal the bytes libsndfile writes for the
 *     same ints (sf_write_int), at lengths 0 to 40 and 100,003 (so every
 *     vector tail and the last sample's bytewise store run), at both SIMD
 *     caps, and write nothing past n samples. */
#include "dsp/pcm.h"
#include "dsp/simd.h"

#include <float.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/check.h"

/* ---- a memory file for libsndfile ---------------------------------------- */

typedef struct {
    unsigned char *data;
    sf_count_t len, cap, pos;
} memfile;

static sf_count_t mf_len(void *u)
{
    return ((memfile *)u)->len;
}

static sf_count_t mf_seek(sf_count_t off, int whence, void *u)
{
    memfile *m = u;
    sf_count_t p = whence == SEEK_SET ? off : whence == SEEK_CUR ? m->pos + off : m->len + off;
    m->pos = p < 0 ? 0 : p;
    return m->pos;
}

static sf_count_t mf_read(void *ptr, sf_count_t n, void *u)
{
    memfile *m = u;
    if (m->pos + n > m->len)
        n = m->len - m->pos;
    if (n <= 0)
        return 0;
    memcpy(ptr, m->data + m->pos, (size_t)n);
    m->pos += n;
    return n;
}

static sf_count_t mf_write(const void *ptr, sf_count_t n, void *u)
{
    memfile *m = u;
    if (m->pos + n > m->cap) {
        m->cap = (m->pos + n) * 2;
        m->data = realloc(m->data, (size_t)m->cap);
    }
    memcpy(m->data + m->pos, ptr, (size_t)n);
    m->pos += n;
    if (m->pos > m->len)
        m->len = m->pos;
    return n;
}

static sf_count_t mf_tell(void *u)
{
    return ((memfile *)u)->pos;
}

static SF_VIRTUAL_IO mf_io = {mf_len, mf_seek, mf_read, mf_write, mf_tell};

static SNDFILE *raw_open(memfile *m, int mode, int subformat, int channels)
{
    SF_INFO info = {0};
    info.samplerate = 48000;
    info.channels = channels;
    info.format = SF_FORMAT_RAW | subformat | SF_ENDIAN_LITTLE;
    m->pos = 0;
    SNDFILE *f = sf_open_virtual(&mf_io, mode, &info, m);
    if (!f) {
        fprintf(stderr, "libsndfile: %s\n", sf_strerror(NULL));
        exit(2);
    }
    return f;
}

/* libsndfile's reading of n samples of raw bytes */
static void sndfile_decode(const unsigned char *bytes, size_t nbytes, int subformat, float *out, size_t n)
{
    memfile m = {malloc(nbytes), (sf_count_t)nbytes, (sf_count_t)nbytes, 0};
    memcpy(m.data, bytes, nbytes);
    SNDFILE *f = raw_open(&m, SFM_READ, subformat, 1);
    sf_count_t got = sf_read_float(f, out, (sf_count_t)n);
    sf_close(f);
    free(m.data);
    if (got != (sf_count_t)n) {
        fprintf(stderr, "libsndfile read %lld of %zu samples\n", (long long)got, n);
        exit(2);
    }
}

static uint32_t rng = 99;

static uint32_t rnd32(void)
{
    rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
    return rng;
}

/* ---- decode -------------------------------------------------------------- */

static void test_s16(void)
{
    size_t n = 65536;
    unsigned char *b = malloc(2 * n);
    float *mine = malloc(n * sizeof *mine), *theirs = malloc(n * sizeof *theirs);
    for (size_t i = 0; i < n; i++)
        b[2 * i] = (unsigned char)(i & 0xff), b[2 * i + 1] = (unsigned char)(i >> 8);
    dsp_pcm_s16le_to_float(b, mine, n);
    sndfile_decode(b, 2 * n, SF_FORMAT_PCM_16, theirs, n);
    check(memcmp(mine, theirs, n * sizeof *mine) == 0, "s16: every value decodes as libsndfile reads it",
          "differ");
    free(b), free(mine), free(theirs);
}

/* the 24-bit decoder's paths: AVX-512 (where the CPU has it, else this
 * runs AVX2 twice), AVX2, SSSE3 then scalar */
#define S24_CAPS 3
static const char *const s24_caps[S24_CAPS] = {"widest", "AVX2", "SSSE3 and scalar"};
static const int s24_capv[S24_CAPS] = {DSP_SIMD_ANY, DSP_SIMD_NO_WIDE, DSP_SIMD_NO_AVX2};

static void test_s24(void)
{
    size_t n = (size_t)1 << 24;
    unsigned char *b = malloc(3 * n + 16);
    float *mine = malloc(n * sizeof *mine), *theirs = malloc(n * sizeof *theirs);
    for (size_t i = 0; i < n; i++)
        b[3 * i] = (unsigned char)(i & 0xff), b[3 * i + 1] = (unsigned char)(i >> 8 & 0xff),
        b[3 * i + 2] = (unsigned char)(i >> 16);
    sndfile_decode(b, 3 * n, SF_FORMAT_PCM_24, theirs, n);
    for (int c = 0; c < S24_CAPS; c++) {
        dsp_simd_cap = s24_capv[c];
        memset(mine, 0, n * sizeof *mine);
        dsp_pcm_s24le_to_float(b, mine, n);
        int ok = memcmp(mine, theirs, n * sizeof *mine) == 0;
        /* short runs at odd places: every tail of the vector loops */
        int tails_ok = 1;
        for (size_t off = 0; off < 4; off++)
            for (size_t len = 0; len <= 100; len++) {
                size_t at = 1000003 * (off + 1) + len;
                float out[104];
                out[len] = 12345.0f; /* must survive: nothing written past len */
                dsp_pcm_s24le_to_float(b + 3 * at, out, len);
                tails_ok &= memcmp(out, theirs + at, len * sizeof *out) == 0 && out[len] == 12345.0f;
            }
        char name[120];
        snprintf(name, sizeof name, "s24 (%s): all 2^24 values decode as libsndfile reads them", s24_caps[c]);
        check(ok, name, "differ");
        snprintf(name, sizeof name, "s24 (%s): lengths 0-100 at 4 offsets, no write past the end", s24_caps[c]);
        check(tails_ok, name, "differ");
    }
    dsp_simd_cap = DSP_SIMD_ANY;
    free(b), free(mine), free(theirs);
}

/* One sample as the scalar loop builds it, bytewise: the reference for
 * the byte-misaligned runs below (which no libsndfile file lays out). */
static float s24_reference(const unsigned char *b)
{
    int32_t s = (int32_t)((uint32_t)b[0] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 24);
    return (float)s * (1.0f / 2147483648.0f);
}

/* Every length 0 to 100, the input at every byte address modulo 64 and the
 * output at every float address modulo 64 bytes: each path equals the
 * bytewise reference, writes nothing past n, and reads nothing past the
 * 3 n bytes (the input ends right at a page mapped with no access, so a
 * read past it would fault). */
static void test_s24_alignment(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(map != MAP_FAILED && mprotect(map + page, (size_t)page, PROT_NONE) == 0,
          "s24: a guard page after the input", "mmap or mprotect failed");
    if (map == MAP_FAILED)
        return;
    unsigned char *end = map + page; /* the first byte that may not be read */
    unsigned char src[3 * 100 + 64];
    for (size_t k = 0; k < sizeof src; k++)
        src[k] = (unsigned char)(rnd32() >> 24);
    for (int c = 0; c < S24_CAPS; c++) {
        dsp_simd_cap = s24_capv[c];
        int ok = 1, guard_ok = 1;
        for (size_t len = 0; len <= 100; len++) {
            for (size_t in_at = 0; in_at < 64; in_at++)
                for (size_t out_at = 0; out_at < 16; out_at++) {
                    float out[16 + 100 + 1];
                    out[out_at + len] = 12345.0f;
                    dsp_pcm_s24le_to_float(src + in_at, out + out_at, len);
                    for (size_t i = 0; i < len; i++)
                        ok &= memcmp(&out[out_at + i], &(float){s24_reference(src + in_at + 3 * i)}, 4) == 0;
                    ok &= out[out_at + len] == 12345.0f;
                }
            unsigned char *in = end - 3 * len;
            memcpy(in, src, 3 * len);
            float out[100];
            dsp_pcm_s24le_to_float(in, out, len);
            for (size_t i = 0; i < len; i++)
                guard_ok &= memcmp(&out[i], &(float){s24_reference(src + 3 * i)}, 4) == 0;
        }
        char name[160];
        snprintf(name, sizeof name,
                 "s24 (%s): lengths 0-100, input at 64 byte offsets, output at 16: the bytewise reference's "
                 "bits, nothing written past n", s24_caps[c]);
        check(ok, name, "differ");
        snprintf(name, sizeof name, "s24 (%s): lengths 0-100 ending at a no-access page: no read past 3 n bytes",
                 s24_caps[c]);
        check(guard_ok, name, "differ");
    }
    dsp_simd_cap = DSP_SIMD_ANY;
    munmap(map, (size_t)page * 2);
}

static void test_f32(void)
{
    size_t n = (size_t)1 << 20;
    unsigned char *b = malloc(4 * n);
    float *mine = malloc(n * sizeof *mine), *theirs = malloc(n * sizeof *theirs);
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        do
            u = rnd32();
        while ((u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu)); /* NaN payloads aside */
        for (int k = 0; k < 4; k++)
            b[4 * i + (size_t)k] = (unsigned char)(u >> (8 * k));
    }
    dsp_pcm_f32le_to_float(b, mine, n);
    sndfile_decode(b, 4 * n, SF_FORMAT_FLOAT, theirs, n);
    check(memcmp(mine, theirs, n * sizeof *mine) == 0, "f32: 2^20 random patterns decode as libsndfile reads them",
          "differ");
    free(b), free(mine), free(theirs);
}

/* ---- quantise ------------------------------------------------------------ */

/* Inputs for a format of `scale` steps per unit: every kind of edge, then
 * random values. */
static int make_inputs(float *x, int n, double scale)
{
    int k = 0;
    const float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, 1.5f, -1.5f, 1e-30f, -1e-30f, INFINITY, -INFINITY, NAN,
                              (float)((scale - 0.5) / scale), (float)((-scale - 0.5) / scale),
                              nextafterf((float)((scale - 0.5) / scale), 0.0f),
                              nextafterf((float)((-scale - 0.5) / scale), 0.0f)};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        x[k++] = specials[i];
    while (k < n) {
        double q = floor(((double)(rnd32() & 0xffffff) / 16777216.0 * 2.2 - 1.1) * scale);
        switch (rnd32() % 4) {
        case 0: x[k++] = (float)(q / scale); break;                            /* on the grid */
        case 1: x[k++] = (float)((q + 0.5) / scale); break;                    /* a tie: rounds up */
        case 2: x[k++] = nextafterf((float)((q + 0.5) / scale), -INFINITY); break; /* just below a tie */
        default: x[k++] = (float)((q + (double)(rnd32() % 1000) / 1000.0) / scale); break;
        }
    }
    return k;
}

static int quantise_case(int bits, int ch, int m, long *clip_diff)
{
    double scale = bits == 16 ? 32768.0 : 8388608.0;
    int32_t align = bits == 16 ? 65536 : 256;
    int off = 3;
    float *store = malloc((size_t)ch * (size_t)(m + off) * sizeof *store);
    float *chans[8];
    for (int c = 0; c < ch; c++) {
        chans[c] = store + (size_t)c * (size_t)(m + off);
        make_inputs(chans[c] + off, m, scale);
        if (c == 1) /* the other side: the same values reversed */
            for (int i = 0; i < m; i++)
                chans[1][off + i] = chans[0][off + m - 1 - i];
        if (c >= 2) /* the rest: the same values rotated, so no two channels are alike */
            for (int i = 0; i < m; i++)
                chans[c][off + i] = chans[0][off + (i + 1000 * c) % m];
    }
    int32_t *q = malloc((size_t)ch * (size_t)m * sizeof *q);
    int64_t clipped = dsp_pcm_quantise((const float *const *)chans, ch, off, m, scale, align, q);

    memfile mf = {NULL, 0, 0, 0};
    int sub = bits == 16 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24;
    SNDFILE *f = raw_open(&mf, SFM_WRITE, sub, ch);
    sf_writef_int(f, q, m);
    sf_close(f);
    double *back = malloc((size_t)ch * (size_t)m * sizeof *back);
    f = raw_open(&mf, SFM_READ, sub, ch);
    sf_count_t got = sf_readf_double(f, back, m);
    sf_close(f);
    free(mf.data);

    int ok = got == m;
    long want_clipped = 0;
    for (int i = 0; i < m && ok; i++)
        for (int c = 0; c < ch; c++) {
            float x = chans[c][off + i];
            double y = back[(size_t)i * (size_t)ch + (size_t)c];
            long double v = (long double)x * scale;
            if (isnan(x)) {
                ok &= y == 0.0;
            } else if (v >= scale - 0.5L) {
                want_clipped++;
                ok &= y == (scale - 1) / scale;
            } else if (v < -scale - 0.5L) {
                want_clipped++;
                ok &= y == -1.0;
            } else {
                long double e = (long double)y * scale - v; /* in steps: (-0.5, 0.5] */
                ok &= e > -0.5L && e <= 0.5L;
            }
        }
    *clip_diff = (long)clipped - want_clipped;
    free(store), free(q), free(back);
    return ok && clipped == want_clipped;
}

static void test_quantise(void)
{
    static const int capv[] = {DSP_SIMD_ANY, DSP_SIMD_NO_AVX2};
    static const char *caps[] = {"AVX2", "scalar"};
    for (int c = 0; c < 2; c++) {
        dsp_simd_cap = capv[c];
        static const int chv[] = {1, 2, 3, 6, 8}; /* the AVX2 path: 1, 2, and any other count */
        for (int bits = 16; bits <= 24; bits += 8)
            for (int k = 0; k < 5; k++) {
                int ch = chv[k];
                long cd = 0;
                int ok = quantise_case(bits, ch, 200003, &cd);
                char name[160];
                snprintf(name, sizeof name,
                         "quantise %d-bit, %d ch (%s): libsndfile reads back x within half a step, ties up, "
                         "clips counted",
                         bits, ch, caps[c]);
                check(ok, name, "a value off, or clip count off by %ld", cd);
            }
    }
    dsp_simd_cap = DSP_SIMD_ANY;
}

static void test_pack(void)
{
    static const int capv[] = {DSP_SIMD_ANY, DSP_SIMD_NO_AVX2};
    static const char *caps[] = {"AVX2", "scalar"};
    for (int cap = 0; cap < 2; cap++)
    for (int bits = 16; bits <= 24; bits += 8) {
        dsp_simd_cap = capv[cap];
        int bytes = bits / 8, ok = 1, lengths = 0;
        int32_t align = bits == 16 ? 65536 : 256;
        for (int n = 0; n <= 100003; n = n < 40 ? n + 1 : 100003) {
            int32_t *q = malloc(((size_t)n + 1) * sizeof *q);
            unsigned char *got = malloc((size_t)n * (size_t)bytes + 8);
            for (int i = 0; i < n; i++) {
                int32_t v = (int32_t)(rnd32() >> (32 - bits)) - (1 << (bits - 1)); /* any value of `bits` bits */
                q[i] = i == 0 ? -(1 << (bits - 1)) : i == 1 ? (1 << (bits - 1)) - 1 : v;
                q[i] = (int32_t)((uint32_t)q[i] * (uint32_t)align);
            }
            memset(got, 0xA5, (size_t)n * (size_t)bytes + 8);
            dsp_pcm_pack_le(q, got, (size_t)n, bytes);
            memfile mf = {NULL, 0, 0, 0};
            SNDFILE *f = raw_open(&mf, SFM_WRITE, bits == 16 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24, 1);
            sf_write_int(f, q, n);
            sf_close(f);
            ok &= mf.len == (sf_count_t)n * bytes && (n == 0 || memcmp(got, mf.data, (size_t)mf.len) == 0);
            for (int i = 0; i < 8; i++)
                ok &= got[(size_t)n * (size_t)bytes + (size_t)i] == 0xA5;
            lengths++;
            free(mf.data), free(q), free(got);
            if (n == 100003)
                break;
        }
        char name[128];
        snprintf(name, sizeof name,
                 "pack %d-bit (%s): libsndfile's bytes for the same ints, nothing past the end (%d lengths)", bits,
                 caps[cap], lengths);
        check(ok, name, "bytes differ");
    }
    dsp_simd_cap = DSP_SIMD_ANY;
}

/* dsp_pcm_first_nonfinite against isfinite, sample by sample: a NaN, +inf
 * or -inf at every place of buffers of 1 to 67 samples (past the vector
 * widths and their tails), among finite samples that are large (FLT_MAX),
 * tiny (subnormal), zero and negative zero, which must never be taken for
 * one; and the first of two. */
static void test_first_nonfinite(void)
{
    const float bad[3] = {NAN, INFINITY, -INFINITY};
    const float fine[5] = {FLT_MAX, -FLT_MAX, 1e-45f, -0.0f, 0.5f};
    float x[67];
    int wrong = 0, cases = 0;
    for (int n = 1; n <= 67; n++) {
        for (int i = 0; i < n; i++)
            x[i] = fine[i % 5];
        wrong += dsp_pcm_first_nonfinite(x, (size_t)n) != -1;
        cases++;
        for (int at = 0; at < n; at++)
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < n; i++)
                    x[i] = fine[(i + at) % 5];
                x[at] = bad[b];
                if (at + 3 < n)
                    x[at + 3] = bad[(b + 1) % 3]; /* a second one after it */
                wrong += dsp_pcm_first_nonfinite(x, (size_t)n) != at;
                cases++;
            }
    }
    check(wrong == 0, "first_nonfinite: the first NaN/+inf/-inf found at every place of 1..67 samples, no finite one taken",
          "%d of %d cases wrong", wrong, cases);
}

int main(void)
{
    test_pack();
    test_s16();
    test_s24();
    test_s24_alignment();
    test_f32();
    test_quantise();
    test_first_nonfinite();
    return check_exit();
}
