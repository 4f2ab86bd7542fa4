/* outfile.c - rendered audio to WAV/BWF (RF64 past 4 GiB), FLAC and AIFF,
 * written to a hidden temporary file and renamed into place.
 *
 * WAV is opened as SF_FORMAT_RF64 with SFC_RF64_AUTO_DOWNGRADE. libsndfile
 * 1.2 reserves room for the ds64 chunk in a JUNK chunk and, when the file is
 * closed under 4 GiB, writes a plain "RIFF....WAVE" header (JUNK, fmt
 * WAVE_FORMAT_EXTENSIBLE, fact, bext, data); past 4 GiB it keeps "RF64" and
 * fills ds64. The bext chunk is written in both cases, so no other route is
 * needed. libsndfile appends its own coding-history line ("A=PCM,...,
 * T=libsndfile-1.2.0") after ours, so identical bytes need the same
 * libsndfile version as well as the same script.
 *
 * Determinism: no clock reaches the file. The BWF origination date and time
 * are left empty. libsndfile stamps its PEAK chunk (float files) with
 * time(): SFC_SET_ADD_PEAK_CHUNK switches it off for AIFF, but libsndfile
 * 1.2 refuses that command for RF64 and still writes PEAK there, so for
 * wav32f the stamp is zeroed in place after sf_close (the peaks stay).
 *
 * Quantisation (integer formats) is done here (without dither: by
 * dsp_pcm_quantise, vectorised), not by libsndfile:
 *   v = x * 2^(bits-1)  [+ TPDF dither]  ->  q = floor(v + 0.5)
 *   (round half up: exact ties go towards +inf, independent of the FPU
 *   rounding mode, which lrint would follow) -> clip to
 *   [-2^(bits-1), 2^(bits-1) - 1], counting clipped samples; NaN becomes 0.
 * q is handed to sf_writef_int left-aligned in 32 bits, which libsndfile
 * shifts back down without further rounding.
 * TPDF dither: the sum of two independent uniform [-0.5, 0.5) LSB values,
 * each the top 24 bits of an xorshift64* draw (Vigna, "An experimental
 * exploration of Marsaglia's xorshift generators, scrambled", 2016) seeded
 * through splitmix64 from dither_seed. One generator per file, two draws per
 * sample, frame-major then channel-minor, so the bytes depend only on the
 * seed and the samples, not on how the caller splits the writes. A segment
 * of a programme (dither_skip_frames) jumps the generator ahead: xorshift's
 * step is linear over GF(2), a 64 x 64 bit matrix T, so N draws are T^N,
 * taken by squaring (about 2 log2 N matrix products of 4096 bit operations).
 *
 * The temporary name is made with open(O_CREAT | O_EXCL, 0666) in a retry
 * loop rather than mkstemp: mkstemp creates the file 0600, and that mode
 * would survive the rename, leaving the user a file nobody else can read.
 * With 0666 the user's umask decides, as for any other new file.
 */
#define _GNU_SOURCE /* sync_file_range */
#include "vm/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "dsp/pcm.h"
#include "vm/direct_file.h"
#include "vm/sha256.h"
#include "vm/suggest.h"
#include "vm/tmpfile.h"

#define OUT_BLOCK_FRAMES 4096
#define OUT_MAX_CHANNELS 1024 /* libsndfile's own limit for WAV */
/* Writeback is started every OUT_WRITEBACK_BYTES written, up to a multiple
 * of OUT_WRITEBACK_ALIGN (whole pages on any page size: the page being
 * appended to is left alone). start_writeback says why. */
#define OUT_WRITEBACK_BYTES ((int64_t)8 << 20)
#define OUT_WRITEBACK_ALIGN ((off_t)64 << 10)
/* The most bytes a WAV header (every chunk before 'data') or what follows
 * the data may take for the file to be hashed as it is written, and the
 * most fix_wav_chunks reads. */
#define OUT_HEAD_MAX 65536

static const struct {
    const char *name;
    int sf_format;
    int bits; /* 0: float, written as it is */
} formats[] = {
    [VM_OUT_WAV16] = { "wav16", SF_FORMAT_RF64 | SF_FORMAT_PCM_16, 16 },
    [VM_OUT_WAV24] = { "wav24", SF_FORMAT_RF64 | SF_FORMAT_PCM_24, 24 },
    [VM_OUT_WAV32F] = { "wav32f", SF_FORMAT_RF64 | SF_FORMAT_FLOAT, 0 },
    [VM_OUT_FLAC16] = { "flac16", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16 },
    [VM_OUT_FLAC24] = { "flac24", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 24 },
    [VM_OUT_AIFF16] = { "aiff16", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 16 },
    [VM_OUT_AIFF24] = { "aiff24", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 24 },
    [VM_OUT_AIFF32F] = { "aiff32f", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 0 },
};
#define N_FORMATS ((int)(sizeof formats / sizeof formats[0]))

struct vm_outfile {
    SNDFILE *sf;
    vm_tmpfile tmp;     /* fd ours (libsndfile is told not to close it), locked while we live */
    int failed;         /* a write failed: the file is unusable */
    int finished;       /* vm_outfile_finish done: whole, closed, waiting for its rename */
    int peak_stamp;     /* WAV float: zero PEAK's time stamp at commit */
    char *path;         /* final name */
    char *dir;          /* the folder, for fsync after rename */
    int channels;
    int bits;           /* 16, 24, or 0 for float */
    int dither;         /* TPDF on */
    int dither_noted;   /* the coding history says TPDF (dither, or samples already dithered) */
    uint64_t rng;       /* xorshift64* state, never 0 */
    int64_t clipped;
    void *buf;          /* OUT_BLOCK_FRAMES * channels int32_t or float */
    unsigned char *pcm; /* WAV 16/24-bit: buf packed into the file's bytes (NULL: libsndfile packs) */
    int buffered;       /* frames in buf not yet handed to libsndfile */
    /* WAV 16/24-bit where the file system allows: libsndfile writes through
     * virtual I/O (direct_io below) into direct, whose writer thread writes
     * with O_DIRECT; vio_pos is libsndfile's position, direct_errno what
     * failed. NULL: libsndfile writes the descriptor itself. */
    vm_direct_file *direct;
    int direct_used;
    sf_count_t vio_pos;
    int direct_errno;
    int64_t unflushed;  /* bytes handed over since writeback was last started */
    off_t flushed_to;   /* writeback started for the file's bytes before this */
    /* The file hashed as it is written (vm_outfile_sha256): hash holds the
     * predicted header, then the data so far; expect_data the data's bytes,
     * data_start where they begin, head/tail the predicted bytes before and
     * after them (tail_len of them) */
    int hashing;
    vm_sha256 hash;
    unsigned char *head, *tail;
    int64_t data_start, data_written, expect_data, tail_len;
    char sha256[65];    /* "" unless the finished file was hashed as written */
    int wav;            /* WAV/RF64: the channel mask is set at commit */
    int aiff_bitmap;    /* AIFF with no libsndfile tag for its layout (7.1): a CHAN chunk
                           with the mask as a CoreAudio channel bitmap is appended at commit */
    uint32_t mask;      /* its WAVE_FORMAT_EXTENSIBLE channel mask */
    int *order;         /* file channel k is the caller's channel order[k] */
    const float **in_file_order; /* the caller's planar pointers in file order, per write */
};

/* ---- formats ---------------------------------------------------------- */

void vm_outfile_config_init(vm_outfile_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->channels = 2;
    cfg->rate = 48000;
    cfg->format = VM_OUT_WAV24;
    cfg->dither = VM_DITHER_AUTO;
    cfg->dither_seed = 1;
}

const char *vm_out_format_name(vm_out_format fmt)
{
    if ((int)fmt < 0 || (int)fmt >= N_FORMATS)
        return "?";
    return formats[fmt].name;
}

ds_result vm_out_format_parse(const char *word, vm_out_format *fmt, char *err)
{
    const char *names[N_FORMATS];
    char list[128];
    size_t used = 0;
    const char *hint;

    for (int i = 0; i < N_FORMATS; i++) {
        names[i] = formats[i].name;
        if (word && strcmp(word, names[i]) == 0) {
            *fmt = (vm_out_format)i;
            return DS_OK;
        }
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? " " : "", names[i]);
    }
    if (!word)
        return ds_fail(err, DS_ERR_ARG, "no format given (formats: %s)", list);
    hint = vm_suggest(word, names, N_FORMATS);
    if (hint)
        return ds_fail(err, DS_ERR_ARG, "unknown format '%.64s'; did you mean '%s'? (formats: %s)",
                       word, hint, list);
    return ds_fail(err, DS_ERR_ARG, "unknown format '%.64s' (formats: %s)", word, list);
}

/* ---- dither generator -------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static inline uint64_t xorshift64s(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* v times the GF(2) matrix whose column j is m[j]. */
static uint64_t gf2_apply(const uint64_t m[64], uint64_t v)
{
    uint64_t r = 0;
    for (int j = 0; v; j++, v >>= 1)
        if (v & 1)
            r ^= m[j];
    return r;
}

/* The xorshift64* state after `draws` more draws. */
static uint64_t xorshift_jump(uint64_t state, uint64_t draws)
{
    uint64_t power[64], next[64];
    for (int j = 0; j < 64; j++) { /* T: one step, xorshift64s without its output multiply */
        uint64_t x = 1ull << j;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        power[j] = x;
    }
    for (; draws; draws >>= 1) { /* power = T^(2^k) */
        if (draws & 1)
            state = gf2_apply(power, state);
        for (int j = 0; j < 64; j++)
            next[j] = gf2_apply(power, power[j]);
        memcpy(power, next, sizeof power);
    }
    return state;
}

/* Uniform on [-0.5, 0.5) in steps of 2^-24: exact in a double. */
static inline double uniform_lsb(uint64_t *state)
{
    return (double)(xorshift64s(state) >> 40) * (1.0 / 16777216.0) - 0.5;
}

/* ---- open -------------------------------------------------------------- */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Cuts a description to the 256-byte bext field without splitting a UTF-8
 * character. The field needs no terminator (it is NUL-padded). */
static size_t description_len(const char *d)
{
    size_t len = strnlen(d, 257);
    if (len > 256) {
        len = 256;
        while (len > 0 && ((unsigned char)d[len] & 0xC0) == 0x80)
            len--;
    }
    return len;
}

static int set_bext(vm_outfile *o, SNDFILE *sf, const vm_outfile_config *cfg)
{
    SF_BROADCAST_INFO bext;
    char mode[16];
    const char *how;
    int bits = o->bits ? o->bits : 32;

    memset(&bext, 0, sizeof bext);
    if (cfg->description)
        memcpy(bext.description, cfg->description, description_len(cfg->description));
    memcpy(bext.originator, "dubstage", 8);
    bext.time_reference_low = (uint32_t)((uint64_t)cfg->time_reference & 0xFFFFFFFFu);
    bext.time_reference_high = (uint32_t)((uint64_t)cfg->time_reference >> 32);
    bext.version = 1;

    /* EBU R98 coding history: one line for the mix itself. M= follows
     * libsndfile's own line for more than two channels ("6chn"). */
    if (o->channels == 1)
        snprintf(mode, sizeof mode, "mono");
    else if (o->channels == 2)
        snprintf(mode, sizeof mode, "stereo");
    else
        snprintf(mode, sizeof mode, "%dchn", o->channels);
    how = o->bits == 0 ? "float" : o->dither_noted ? "TPDF dither" : "no dither";
    snprintf(bext.coding_history, sizeof bext.coding_history, "A=PCM,F=%d,W=%d,M=%s,T=dubstage %s\r\n",
             cfg->rate, bits, mode, how);
    bext.coding_history_size = (uint32_t)strlen(bext.coding_history);

    return sf_command(sf, SFC_SET_BROADCAST_INFO, &bext, sizeof bext) == SF_TRUE;
}

/* AIFF: a CHAN chunk naming the speakers, where libsndfile knows a
 * CoreAudio layout tag for them (mono, stereo, LCR, 5.0, 5.1 in the file's
 * order). Returns 1 when set. */
static int set_aiff_channel_map(vm_outfile *o, vm_layout l)
{
    int map[8];
    int n = vm_layout_channels(l);
    if (n < 1 || n != o->channels || n > 8)
        return 0;
    for (int k = 0; k < n; k++) {
        switch (vm_layout_speaker(l, o->order[k])) {
        case VM_SPEAKER_L: map[k] = SF_CHANNEL_MAP_LEFT; break;
        case VM_SPEAKER_R: map[k] = SF_CHANNEL_MAP_RIGHT; break;
        case VM_SPEAKER_C: map[k] = n == 1 ? SF_CHANNEL_MAP_MONO : SF_CHANNEL_MAP_CENTER; break;
        case VM_SPEAKER_LFE: map[k] = SF_CHANNEL_MAP_LFE; break;
        /* libsndfile's tags for 5.0/5.1 (MPEG 5.x A: L R C [LFE] Ls Rs) name
         * their surrounds REAR_LEFT/RIGHT; 7.1's two pairs it has no tag for */
        case VM_SPEAKER_LS: case VM_SPEAKER_LRS: map[k] = SF_CHANNEL_MAP_REAR_LEFT; break;
        case VM_SPEAKER_RS: case VM_SPEAKER_RRS: map[k] = SF_CHANNEL_MAP_REAR_RIGHT; break;
        default: return 0;
        }
    }
    if (l == VM_LAYOUT_7_1)
        return 0;
    return sf_command(o->sf, SFC_SET_CHANNEL_MAP_INFO, map, (int)(sizeof map[0] * (size_t)n)) == SF_TRUE;
}

/* What the file's libsndfile handle sf is told before any sample: the
 * same for the file and for predict's stand-in. */
static ds_result set_up(vm_outfile *o, SNDFILE *sf, const vm_outfile_config *cfg, char *err)
{
    /* PEAK carries a time() stamp: off, or the same render gives other bytes. */
    sf_command(sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    if (!o->wav)
        return DS_OK;
    if (sf_command(sf, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE) != SF_TRUE)
        return ds_fail(err, DS_ERR_FORMAT, "cannot write '%s': this libsndfile cannot write RF64 "
                       "that falls back to WAV", cfg->path);
    if (!set_bext(o, sf, cfg))
        return ds_fail(err, DS_ERR_FORMAT, "cannot write '%s': BWF bext chunk: %s", cfg->path, sf_strerror(sf));
    return DS_OK;
}

static size_t fix_wav_head(unsigned char *h, size_t n, uint32_t mask, int clear_peak);

/* ---- hashed as written ---------------------------------------------------
 *
 * The render's manifest records each output's SHA-256. Read back after the
 * render, a 5.1 printmaster is hundreds of megabytes through the page cache
 * again; hashed as it is written, only the data's own pass through the
 * hash remains. But the hash starts with the header, which libsndfile
 * rewrites at sf_close (the sizes; RF64 becoming RIFF). So predict() opens
 * a stand-in of the file on libsndfile's virtual I/O (stand_in below),
 * tells it what the file is told, hands it cfg->frames of silence and
 * closes it: the bytes it writes before and after the data are the file's
 * header and tail as they will be once the file holds that many frames
 * (libsndfile writes the same bytes for the same calls; the data are
 * passed to its raw write untouched, so they cannot change what it writes
 * around them). The header, the fixes fix_wav_head makes in it, and then
 * each block of data as it goes out are hashed. vm_outfile_finish compares
 * the finished file with the prediction (its size, where the data start,
 * the bytes before and after them) and keeps the hash only when all agree:
 * a wrong prediction costs the reading back, never a wrong hash. */

typedef struct {
    unsigned char head[OUT_HEAD_MAX], tail[OUT_HEAD_MAX];
    sf_count_t pos, len;
    const unsigned char *silence; /* predict's data: a write from it is data, any other
                                     (the header, written at the first sample or at the close) is not */
    sf_count_t data_start, data_end; /* -1: no data yet */
    sf_count_t head_len, tail_len;
    int bad;                      /* a write fell where the prediction cannot hold it */
} stand_in;

static sf_count_t stand_in_length(void *user) { return ((stand_in *)user)->len; }
static sf_count_t stand_in_tell(void *user) { return ((stand_in *)user)->pos; }

/* A virtual file's seek: *pos moved as lseek would, in a file of len bytes. */
static sf_count_t vio_seek(sf_count_t *pos, sf_count_t len, sf_count_t offset, int whence)
{
    sf_count_t at = whence == SEEK_SET ? offset : whence == SEEK_CUR ? *pos + offset : len + offset;
    if (at < 0)
        return -1;
    return *pos = at;
}

static sf_count_t stand_in_seek(sf_count_t offset, int whence, void *user)
{
    stand_in *s = user;
    return vio_seek(&s->pos, s->len, offset, whence);
}

static sf_count_t stand_in_read(void *ptr, sf_count_t count, void *user)
{
    (void)ptr, (void)count;
    ((stand_in *)user)->bad = 1; /* it holds no data to read: the prediction is off */
    return 0;
}

static sf_count_t stand_in_write(const void *ptr, sf_count_t count, void *user)
{
    stand_in *s = user;
    if ((const unsigned char *)ptr == s->silence) {
        if (s->data_start < 0)
            s->data_start = s->pos;
        if (s->pos != (s->data_end < 0 ? s->data_start : s->data_end))
            s->bad = 1; /* the data are not one run */
        s->data_end = s->pos + count;
    } else if (s->data_end < 0 || s->pos + count <= s->data_start) { /* before the data: the header */
        if (s->pos + count > OUT_HEAD_MAX)
            s->bad = 1;
        else
            memcpy(s->head + s->pos, ptr, (size_t)count);
        if (s->pos + count > s->head_len)
            s->head_len = s->pos + count;
    } else if (s->pos >= s->data_end && s->pos + count - s->data_end <= OUT_HEAD_MAX) { /* after them */
        memcpy(s->tail + (s->pos - s->data_end), ptr, (size_t)count);
        if (s->pos + count - s->data_end > s->tail_len)
            s->tail_len = s->pos + count - s->data_end;
    } else {
        s->bad = 1;
    }
    s->pos += count;
    if (s->pos > s->len)
        s->len = s->pos;
    return count;
}

/* Predicts the file's bytes around cfg->frames of data and starts the hash
 * (above). Leaves o->hashing 0 when the file cannot be predicted; fails
 * only when out of memory. */
static ds_result predict(vm_outfile *o, const vm_outfile_config *cfg, const SF_INFO *file_info, char *err)
{
    SF_VIRTUAL_IO io = {stand_in_length, stand_in_seek, stand_in_read, stand_in_write, stand_in_tell};
    stand_in *s = calloc(1, sizeof *s);
    unsigned char *silence = calloc(1, OUT_HEAD_MAX);
    SF_INFO info = *file_info;
    SNDFILE *sf = NULL;
    char ignored[DS_ERR_LEN];
    ds_result r = DS_OK;
    if (!s || !silence) {
        r = ds_fail(err, DS_ERR_NOMEM, "cannot write '%s': out of memory", cfg->path);
        goto done;
    }
    s->data_start = s->data_end = -1;
    if (!(sf = sf_open_virtual(&io, SFM_WRITE, &info, s)) || set_up(o, sf, cfg, ignored) != DS_OK)
        goto done;
    int64_t frame_bytes = (int64_t)cfg->channels * (o->bits / 8);
    int64_t left = cfg->frames * frame_bytes, chunk = (OUT_HEAD_MAX / frame_bytes) * frame_bytes;
    s->silence = silence;
    while (left > 0 && !s->bad) {
        sf_count_t n = left < chunk ? left : chunk;
        if (sf_write_raw(sf, silence, n) != n)
            s->bad = 1;
        left -= n;
    }
    int closed = sf_close(sf) == 0;
    sf = NULL;
    if (!closed || s->bad || s->data_start < 0 || s->data_end - s->data_start != cfg->frames * frame_bytes ||
        s->head_len != s->data_start || s->len != s->data_end + s->tail_len)
        goto done;
    if (!(o->head = malloc((size_t)s->head_len)) || !(o->tail = malloc(s->tail_len ? (size_t)s->tail_len : 1))) {
        r = ds_fail(err, DS_ERR_NOMEM, "cannot write '%s': out of memory", cfg->path);
        goto done;
    }
    memcpy(o->head, s->head, (size_t)s->head_len);
    memcpy(o->tail, s->tail, (size_t)s->tail_len);
    fix_wav_head(o->head, (size_t)s->head_len, o->mask, o->peak_stamp);
    o->data_start = s->data_start;
    o->expect_data = s->data_end - s->data_start;
    o->tail_len = s->tail_len;
    vm_sha256_init(&o->hash);
    vm_sha256_update(&o->hash, o->head, (size_t)s->head_len);
    o->hashing = 1;
done:
    if (sf)
        sf_close(sf);
    free(silence);
    free(s);
    return r;
}

/* At vm_outfile_finish, the file closed and fixed: keeps the hash when the
 * file is the one predicted (above), else leaves sha256 empty. 0, or -1
 * with errno set when the file cannot be read. */
static int hash_written(vm_outfile *o)
{
    o->sha256[0] = '\0';
    if (!o->hashing)
        return 0;
    o->hashing = 0;
    struct stat st;
    if (fstat(o->tmp.fd, &st) != 0)
        return -1;
    if (o->data_written != o->expect_data || st.st_size != o->data_start + o->expect_data + o->tail_len)
        return 0;
    size_t n = (size_t)(o->data_start > o->tail_len ? o->data_start : o->tail_len);
    unsigned char *b = malloc(n ? n : 1);
    if (!b)
        return 0;
    int same = pread(o->tmp.fd, b, (size_t)o->data_start, 0) == (ssize_t)o->data_start &&
               memcmp(b, o->head, (size_t)o->data_start) == 0 &&
               pread(o->tmp.fd, b, (size_t)o->tail_len, o->data_start + o->expect_data) == (ssize_t)o->tail_len &&
               memcmp(b, o->tail, (size_t)o->tail_len) == 0;
    free(b);
    if (same) {
        vm_sha256_update(&o->hash, o->tail, (size_t)o->tail_len);
        vm_sha256_final(&o->hash, o->sha256);
    }
    return 0;
}

/* ---- written with O_DIRECT ------------------------------------------------
 *
 * A WAV of 16 or 24 bits goes to the disk with O_DIRECT where the file
 * system allows (vm/direct_file.h; docs/bench.md 2026-12-06: the buffered
 * write's page-cache allocation, copy, writeback and freeing at the next
 * rename cost the 5.1 film render 0.3 s of CPU). libsndfile is opened on
 * virtual I/O whose every write lands in the direct file: its header in the
 * first buffer (and, rewritten at sf_close, through the buffered
 * descriptor), the data as they come. Before sf_close, vm_direct_file_finish
 * writes the last buffer padded and cuts the file to its length, so the
 * close, the header fixes, the hash check and the fsync see the same file
 * as on the buffered path. */

static sf_count_t direct_io_length(void *user)
{
    return vm_direct_file_length(((vm_outfile *)user)->direct);
}

static sf_count_t direct_io_tell(void *user)
{
    return ((vm_outfile *)user)->vio_pos;
}

static sf_count_t direct_io_seek(sf_count_t offset, int whence, void *user)
{
    vm_outfile *o = user;
    return vio_seek(&o->vio_pos, vm_direct_file_length(o->direct), offset, whence);
}

static sf_count_t direct_io_read(void *ptr, sf_count_t count, void *user)
{
    vm_outfile *o = user;
    long long n = vm_direct_file_read(o->direct, ptr, (size_t)count, o->vio_pos);
    if (n < 0)
        return 0;
    o->vio_pos += n;
    return n;
}

static sf_count_t direct_io_write(const void *ptr, sf_count_t count, void *user)
{
    vm_outfile *o = user;
    if (vm_direct_file_write(o->direct, ptr, (size_t)count, o->vio_pos) != 0) {
        if (!o->direct_errno)
            o->direct_errno = errno;
        return 0;
    }
    o->vio_pos += count;
    return count;
}

int vm_outfile_direct(const vm_outfile *o)
{
    return o && o->direct_used;
}

static void destroy(vm_outfile *o, int remove_tmp)
{
    if (o->sf)
        sf_close(o->sf);
    vm_direct_file_close(&o->direct);
    vm_tmpfile_release(&o->tmp, remove_tmp);
    free(o->order);
    free(o->in_file_order);
    free(o->buf);
    free(o->pcm);
    free(o->head);
    free(o->tail);
    free(o->path);
    free(o->dir);
    free(o);
}

ds_result vm_outfile_open(vm_outfile **out, const vm_outfile_config *cfg, char *err)
{
    vm_outfile *o = NULL;
    const char *slash, *base;
    size_t dir_len, base_len;
    struct stat st;
    SF_INFO info;
    ds_result r;

    if (!out || !cfg)
        return ds_fail(err, DS_ERR_ARG, "vm_outfile_open: no output or no configuration");
    *out = NULL;
    if (!cfg->path || !*cfg->path)
        return ds_fail(err, DS_ERR_ARG, "no output file name given");
    if ((int)cfg->format < 0 || (int)cfg->format >= N_FORMATS)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': unknown format %d", cfg->path, (int)cfg->format);
    if (cfg->channels < 1 || cfg->channels > OUT_MAX_CHANNELS)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': %d channels (1 to %d)", cfg->path,
                       cfg->channels, OUT_MAX_CHANNELS);
    if (cfg->rate < 1)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': sample rate %d Hz", cfg->path, cfg->rate);
    vm_layout layout = vm_layout_resolve(cfg->layout, cfg->channels);
    if (vm_layout_channels(layout) && vm_layout_channels(layout) != cfg->channels)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': %d channels in layout %s (%d channels)", cfg->path,
                       cfg->channels, vm_layout_name(layout), vm_layout_channels(layout));
    if (cfg->dither_skip_frames < 0)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': negative dither skip %lld", cfg->path,
                       (long long)cfg->dither_skip_frames);
    if (cfg->time_reference < 0)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': negative time reference %lld", cfg->path,
                       (long long)cfg->time_reference);

    slash = strrchr(cfg->path, '/');
    base = slash ? slash + 1 : cfg->path;
    dir_len = (size_t)(base - cfg->path);
    base_len = strlen(base);
    if (base_len == 0)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': the name is a folder", cfg->path);
    /* Renaming over a folder would fail only at the end of the render. */
    if (stat(cfg->path, &st) == 0 && S_ISDIR(st.st_mode))
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", cfg->path, strerror(EISDIR));

    if (!(o = calloc(1, sizeof *o)))
        goto nomem;
    o->tmp.fd = o->tmp.lock_fd = -1;
    o->channels = cfg->channels;
    o->bits = formats[cfg->format].bits;
    o->dither = o->bits != 0 && (cfg->dither == VM_DITHER_TPDF || (cfg->dither == VM_DITHER_AUTO && o->bits == 16));
    o->dither_noted = o->dither;
    o->dither = o->dither && !cfg->quantised;
    o->peak_stamp = cfg->format == VM_OUT_WAV32F;
    o->rng = splitmix64(cfg->dither_seed);
    if (o->rng == 0)
        o->rng = 0x2545F4914F6CDD1Dull;
    if (o->dither && cfg->dither_skip_frames)
        o->rng = xorshift_jump(o->rng, (uint64_t)cfg->dither_skip_frames * (uint64_t)cfg->channels * 2u);

    if (!(o->path = dup_n(cfg->path, strlen(cfg->path))))
        goto nomem;
    if (!(o->dir = dir_len ? dup_n(cfg->path, dir_len) : dup_n(".", 1)))
        goto nomem;
    if (!(o->buf = malloc((size_t)OUT_BLOCK_FRAMES * (size_t)cfg->channels * 4)))
        goto nomem;
    if (!(o->order = malloc((size_t)cfg->channels * sizeof *o->order)) ||
        !(o->in_file_order = malloc((size_t)cfg->channels * sizeof *o->in_file_order)))
        goto nomem;
    vm_layout_file_order(layout, cfg->channels, o->order);
    o->mask = vm_layout_mask(layout);
    if (cfg->sweep)
        vm_tmpfile_sweep(o->dir, cfg->sweep, cfg->sweep_user);
    if ((r = vm_tmpfile_create(&o->tmp, cfg->path, err)) != DS_OK)
        goto fail;
    /* WAV's integer samples: with O_DIRECT where the file system allows */
    if ((formats[cfg->format].sf_format & SF_FORMAT_TYPEMASK) == SF_FORMAT_RF64 && o->bits) {
        int64_t frame_bytes = (int64_t)cfg->channels * (o->bits / 8);
        int64_t expect = cfg->frames > 0 ? OUT_HEAD_MAX + cfg->frames * frame_bytes : 0;
        if (vm_direct_file_open(&o->direct, o->tmp.path, o->tmp.fd, expect) < 0) {
            r = ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", cfg->path, strerror(errno));
            goto fail;
        }
        o->direct_used = o->direct != NULL;
    }

    memset(&info, 0, sizeof info);
    info.samplerate = cfg->rate;
    info.channels = cfg->channels;
    info.format = formats[cfg->format].sf_format;
    SF_VIRTUAL_IO io = {direct_io_length, direct_io_seek, direct_io_read, direct_io_write, direct_io_tell};
    if (!(o->sf = o->direct ? sf_open_virtual(&io, SFM_WRITE, &info, o)
                            : sf_open_fd(o->tmp.fd, SFM_WRITE, &info, SF_FALSE))) {
        r = ds_fail(err, DS_ERR_FORMAT, "cannot write '%s' as %s (%d channels, %d Hz): %s", cfg->path,
                    formats[cfg->format].name, cfg->channels, cfg->rate, sf_strerror(NULL));
        goto fail;
    }

    o->wav = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_RF64;
    if ((r = set_up(o, o->sf, cfg, err)) != DS_OK)
        goto fail;
    /* WAV's integer samples are little-endian bytes we pack ourselves and
     * hand over with sf_write_raw: one write(2) per buffer, where
     * sf_writef_int converts through a small buffer of its own and writes
     * 8 KB at a time (each write a partial page the kernel zeroes first) */
    if (o->wav && o->bits && !(o->pcm = malloc((size_t)OUT_BLOCK_FRAMES * (size_t)cfg->channels * (size_t)(o->bits / 8))))
        goto nomem;
    if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_AIFF)
        o->aiff_bitmap = !set_aiff_channel_map(o, layout) && vm_layout_channels(layout) > 2;
    if (o->pcm && cfg->frames > 0 && (r = predict(o, cfg, &info, err)) != DS_OK)
        goto fail;

    *out = o;
    return DS_OK;

nomem:
    r = ds_fail(err, DS_ERR_NOMEM, "cannot write '%s': out of memory", cfg->path);
fail:
    if (o)
        destroy(o, 1);
    return r;
}

/* ---- write ------------------------------------------------------------- */

static void quantise(vm_outfile *o, const float *const *planar, int offset, int m)
{
    const int ch = o->channels;
    const int dither = o->dither;
    const double scale = o->bits == 16 ? 32768.0 : 8388608.0;
    const double hi = scale - 1.0, lo = -scale;
    const int32_t align = o->bits == 16 ? 65536 : 256; /* to the top of 32 bits */
    uint64_t rng = o->rng;
    int64_t clipped = o->clipped;
    int32_t *dst = (int32_t *)o->buf + (size_t)o->buffered * (size_t)ch;

    if (!dither) { /* the same formula, vectorised */
        o->clipped += dsp_pcm_quantise(planar, ch, offset, m, scale, align, dst);
        return;
    }
    for (int i = offset; i < offset + m; i++) {
        for (int c = 0; c < ch; c++) {
            double v = (double)planar[c][i] * scale;
            double q;
            if (dither) {
                double d = uniform_lsb(&rng);
                d += uniform_lsb(&rng);
                v += d;
            }
            q = floor(v + 0.5);
            if (q > hi) {
                q = hi;
                clipped++;
            } else if (q < lo) {
                q = lo;
                clipped++;
            } else if (q != q) {
                q = 0.0;
            }
            *dst++ = (int32_t)q * align;
        }
    }
    o->rng = rng;
    o->clipped = clipped;
}

static void interleave(vm_outfile *o, const float *const *planar, int offset, int m)
{
    const int ch = o->channels;
    float *dst = (float *)o->buf + (size_t)o->buffered * (size_t)ch;
    for (int i = offset; i < offset + m; i++)
        for (int c = 0; c < ch; c++)
            *dst++ = planar[c][i];
}

/* libsndfile reports a failed write(2) as "System error : No space left on
 * device."; the reader wants only the system's words. */
static ds_result write_failed(vm_outfile *o, char *err)
{
    const char *msg = sf_strerror(o->sf);
    const char *prefix = "System error : ";
    size_t len;

    o->failed = 1;
    if (o->direct_errno) /* the direct file's write, which libsndfile saw only as short */
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, strerror(o->direct_errno));
    if (strncmp(msg, prefix, strlen(prefix)) == 0)
        msg += strlen(prefix);
    len = strlen(msg);
    if (len > 0 && msg[len - 1] == '.')
        len--;
    return ds_fail(err, DS_ERR_IO, "cannot write '%s': %.*s", o->path, (int)len, msg);
}

/* Starts the disk writing what the file holds so far, every
 * OUT_WRITEBACK_BYTES (bytes: what was just handed over). Left to itself,
 * Linux keeps a render's output as dirty pages (up to dirty_background_ratio
 * of the memory: gigabytes) until the fsync in vm_outfile_finish, which
 * then waits while all of it goes to the disk (the 690 MB of the 5.1 film
 * bench: most of the gap between its wall and CPU time); started as the
 * file grows, the disk writes while the render computes. Only a hint
 * (SYNC_FILE_RANGE_WRITE waits for no page): the bytes are the same, and
 * a failure is left to the fsync to report. */
static void start_writeback(vm_outfile *o, size_t bytes)
{
#ifdef SYNC_FILE_RANGE_WRITE
    o->unflushed += (int64_t)bytes;
    if (o->unflushed < OUT_WRITEBACK_BYTES)
        return;
    o->unflushed = 0;
    off_t end = lseek(o->tmp.fd, 0, SEEK_CUR);
    end -= end % OUT_WRITEBACK_ALIGN;
    if (end > o->flushed_to) {
        sync_file_range(o->tmp.fd, o->flushed_to, end - o->flushed_to, SYNC_FILE_RANGE_WRITE);
        o->flushed_to = end;
    }
#else
    (void)o, (void)bytes;
#endif
}

static ds_result flush_buffer(vm_outfile *o, char *err)
{
    if (o->buffered == 0)
        return DS_OK;
    size_t samples = (size_t)o->buffered * (size_t)o->channels;
    if (o->pcm) {
        size_t bytes = samples * (size_t)(o->bits / 8);
        /* packed where the direct file's buffer will hold them, when they
         * fit there whole: its write then copies nothing */
        unsigned char *room = o->direct ? vm_direct_file_room(o->direct, o->vio_pos, bytes) : NULL;
        unsigned char *packed = room ? room : o->pcm;
        dsp_pcm_pack_le(o->buf, packed, samples, o->bits / 8);
        if (o->hashing) { /* before the write: a full buffer goes to the writer thread */
            vm_sha256_update(&o->hash, packed, bytes);
            o->data_written += (int64_t)bytes;
        }
        if (sf_write_raw(o->sf, packed, (sf_count_t)bytes) != (sf_count_t)bytes)
            return write_failed(o, err);
        o->buffered = 0;
        if (!o->direct) /* O_DIRECT leaves no dirty page behind */
            start_writeback(o, bytes);
        return DS_OK;
    }
    sf_count_t written = o->bits ? sf_writef_int(o->sf, o->buf, o->buffered) : sf_writef_float(o->sf, o->buf, o->buffered);
    if (written != o->buffered)
        return write_failed(o, err);
    o->buffered = 0;
    start_writeback(o, samples * (size_t)(o->bits ? o->bits / 8 : 4)); /* FLAC: less, roughly */
    return DS_OK;
}

ds_result vm_outfile_write(vm_outfile *o, const float *const *planar, int n, char *err)
{
    if (!o || n < 0 || (n > 0 && !planar))
        return ds_fail(err, DS_ERR_ARG, "vm_outfile_write: bad arguments");
    if (o->failed || o->finished)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path,
                       o->failed ? "an earlier write failed" : "the file is finished");

    if (n == 0)
        return DS_OK;
    for (int c = 0; c < o->channels; c++)
        o->in_file_order[c] = planar[o->order[c]];
    planar = o->in_file_order;
    /* Frames collect in buf and go to libsndfile a full buffer at a time,
     * so small render blocks do not turn into one write(2) each. */
    for (int done = 0; done < n;) {
        int room = OUT_BLOCK_FRAMES - o->buffered;
        int m = n - done < room ? n - done : room;
        if (o->bits)
            quantise(o, planar, done, m);
        else
            interleave(o, planar, done, m);
        o->buffered += m;
        done += m;
        if (o->buffered == OUT_BLOCK_FRAMES && flush_buffer(o, err) != DS_OK)
            return DS_ERR_IO;
    }
    return DS_OK;
}

int64_t vm_outfile_clipped(const vm_outfile *o)
{
    return o ? o->clipped : 0;
}

/* ---- finish ------------------------------------------------------------ */

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Sets what libsndfile cannot be told in the chunks before 'data' of a
 * WAV/RF64 header h[0..n): the dwChannelMask of a WAVE_FORMAT_EXTENSIBLE
 * 'fmt ' (libsndfile writes 0x3F for any 6 channels, 0xFF for any 8:
 * plain channels must say "no speaker", 0) and, when clear_peak, a zero
 * time stamp in PEAK (chunk id, size, version, then the stamp). Returns
 * the bytes of h the chunks walked reach (at most n) when it changed any,
 * else 0. */
static size_t fix_wav_head(unsigned char *h, size_t n, uint32_t mask, int clear_peak)
{
    size_t pos = 12, changed = 0;
    if (n < 12 || memcmp(h + 8, "WAVE", 4) != 0)
        return 0;
    for (int i = 0; i < 64 && pos + 8 <= n; i++) {
        uint32_t size = le32(h + pos + 4);
        if (memcmp(h + pos, "data", 4) == 0)
            break;
        /* WAVEFORMATEXTENSIBLE: wFormatTag 0xFFFE, then the mask at byte 20 */
        if (memcmp(h + pos, "fmt ", 4) == 0 && size >= 40 && pos + 8 + 24 <= n && h[pos + 8] == 0xFE &&
            h[pos + 9] == 0xFF) {
            for (int k = 0; k < 4; k++)
                h[pos + 8 + 20 + k] = (unsigned char)(mask >> (8 * k));
            changed = 1;
        }
        if (clear_peak && memcmp(h + pos, "PEAK", 4) == 0 && size >= 8 && pos + 16 <= n) {
            memset(h + pos + 12, 0, 4);
            changed = 1;
        }
        pos += 8 + (size_t)size + (size & 1);
    }
    return changed ? (pos < n ? pos : n) : 0;
}

/* fix_wav_head on the closed file's header, in place. Returns -1 with
 * errno set on an I/O error. */
static int fix_wav_chunks(int fd, uint32_t mask, int clear_peak)
{
    unsigned char *h = malloc(OUT_HEAD_MAX);
    if (!h)
        return -1;
    ssize_t n = pread(fd, h, OUT_HEAD_MAX, 0);
    size_t end = n > 0 ? fix_wav_head(h, (size_t)n, mask, clear_peak) : 0;
    int r = n < 0 || (end > 0 && pwrite(fd, h, end, 0) != (ssize_t)end) ? -1 : 0;
    free(h);
    return r;
}

static void be32_put(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* Appends to a closed AIFF file a CHAN chunk (Apple's CAF channel layout:
 * tag, bitmap, number of descriptions) with kAudioChannelLayoutTag_
 * UseChannelBitmap (1 << 16) and the WAV mask as the bitmap (CoreAudio's
 * channel bits are the same: Left 0 ... LFEScreen 3, LeftSurround 4,
 * RightSurround 5, LeftSurroundDirect 9, RightSurroundDirect 10), and
 * grows the FORM size to match. ffmpeg reads it as the file's layout;
 * libsndfile, which has no tag for 7.1, ignores it. -1 with errno on an
 * I/O error. */
static int append_aiff_chan(int fd, uint32_t mask)
{
    unsigned char head[12], chunk[20];
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 12 || pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head)
        return -1;
    if (memcmp(head, "FORM", 4) != 0)
        return 0;
    memcpy(chunk, "CHAN", 4);
    be32_put(chunk + 4, 12);
    be32_put(chunk + 8, 1u << 16);
    be32_put(chunk + 12, mask);
    be32_put(chunk + 16, 0);
    if (end & 1) /* chunks start on an even byte */
        end++;
    if (pwrite(fd, chunk, sizeof chunk, end) != (ssize_t)sizeof chunk)
        return -1;
    be32_put(head + 4, (uint32_t)(end + (off_t)sizeof chunk - 8));
    return pwrite(fd, head + 4, 4, 4) == 4 ? 0 : -1;
}

/* Makes the rename itself durable; a failure here loses nothing the caller
 * could act on, so it is not reported. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

ds_result vm_outfile_finish(vm_outfile *o, char *err)
{
    int e;
    if (o->finished)
        return DS_OK;
    if (o->failed)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': an earlier write failed", o->path);
    o->failed = 1; /* until the file is whole */
    if (flush_buffer(o, err) != DS_OK)
        return DS_ERR_IO;
    /* the direct file's last bytes on the disk and its length cut to the
     * truth: sf_close then writes through the buffered descriptor */
    if (o->direct && vm_direct_file_finish(o->direct) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, strerror(errno));
    /* sf_close rewrites the header (sizes, RF64 or RIFF) before we rename. */
    e = sf_close(o->sf);
    o->sf = NULL;
    if (e == 0 && o->direct_errno)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, strerror(o->direct_errno));
    vm_direct_file_close(&o->direct);
    if (e != 0)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, sf_error_number(e));
    if ((o->wav && fix_wav_chunks(o->tmp.fd, o->mask, o->peak_stamp) != 0) ||
        (o->aiff_bitmap && append_aiff_chan(o->tmp.fd, o->mask) != 0) || hash_written(o) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, strerror(errno));
    if (fsync(o->tmp.fd) != 0 && errno != EINVAL)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, strerror(errno));
    e = close(o->tmp.fd);
    o->tmp.fd = -1;
    if (e != 0)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, strerror(errno));
    o->failed = 0;
    o->finished = 1;
    return DS_OK;
}

const char *vm_outfile_temp_path(const vm_outfile *o)
{
    return o->tmp.path;
}

const char *vm_outfile_sha256(const vm_outfile *o)
{
    return o && o->finished && o->sha256[0] ? o->sha256 : NULL;
}

ds_result vm_outfile_commit(vm_outfile **op, char *err)
{
    vm_outfile *o;
    ds_result r = DS_OK;
    int renamed = 0;

    if (!op || !*op)
        return ds_fail(err, DS_ERR_ARG, "vm_outfile_commit: no output file");
    o = *op;
    *op = NULL;

    if ((r = vm_outfile_finish(o, err)) != DS_OK)
        goto done;
    if (rename(o->tmp.path, o->path) != 0) {
        r = ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", o->path, strerror(errno));
        goto done;
    }
    renamed = 1;
    sync_dir(o->dir);
done:
    destroy(o, !renamed);
    return r;
}

void vm_outfile_abort(vm_outfile **op)
{
    if (!op || !*op)
        return;
    destroy(*op, 1);
    *op = NULL;
}
