/* media.c - clip sources read with libsndfile, resampled with libsoxr.
 *
 * Same rate: sf_seek + sf_readf_float straight into the caller's buffer.
 *
 * Other rate: libsoxr, very-high quality (SOXR_VHQ: 28-bit precision),
 * linear phase, float32 interleaved. libsoxr already removes its own group
 * delay (each stage is preloaded with post_peak zeros), so output frame n of
 * a fresh resampler is the band-limited input evaluated at input time
 * n * in_rate / out_rate; tests/unit/test_media.c measures this. What this
 * file adds:
 *
 *  - Block-size independence. The resampler is only ever driven by refill(),
 *    which produces exactly OUT_CHUNK output frames (fewer only at the end)
 *    from IN_CHUNK-sized reads of the file. The sequence of soxr_process
 *    calls depends on the reader's start position alone, never on how the
 *    caller splits vm_media_read, so the stream is bit-identical at every
 *    block size.
 *
 *  - Starting anywhere. With in_rate / out_rate = p / q in lowest terms,
 *    input frame m*p falls exactly on output frame m*q. A reader for output
 *    frame k starts the resampler at such an input frame at least
 *    MARGIN_IN_FRAMES (times ceil(in/out) when decimating) before the wanted
 *    position, so the filter has its full history by frame k, and discards
 *    the whole number of output frames in between. Near the start of the
 *    file it starts at 0, which is then bit-identical to reading from 0 and
 *    skipping. Further in, libsoxr's FFT blocks may fall elsewhere, so
 *    frames agree to float rounding (measured: 0 at 44.1 -> 48 kHz, 3e-8 at
 *    96 -> 48 kHz), not always bit for bit.
 *
 *  - The end. Past the last file frame refill() keeps feeding the resampler
 *    zeros, in the same IN_CHUNK pattern, until the stream reaches its
 *    nominal length vm_media_frames_at(); after that it delivers zeros.
 *    That is exactly what a libsoxr flush (soxr_process with a NULL input)
 *    does internally, but the flush drives the stages in larger steps and
 *    makes libsoxr's FIFOs grow (realloc) inside vm_media_read; feeding the
 *    zeros ourselves keeps the call pattern, and so the memory, steady.
 *
 * Memory: everything is allocated in vm_media_open. libsoxr's FIFOs grow on
 * demand, so open also runs a warm-up (warm_up) that sizes them, and makes
 * the first chunk. vm_media_read then calls no allocator (the test counts
 * malloc calls across several rate pairs); what a compressed format's
 * decoder does inside sf_readf_float is libsndfile's business (PCM, float,
 * FLAC, MP3 and Opus reads were measured to allocate nothing, Ogg Vorbis
 * once). A stereo VHQ reader holds about 1 MB
 * (mostly libsoxr's filter tables and FIFOs) and takes about 0.5-1 ms to
 * open; a same-rate reader about 11 KB.
 *
 * Plain PCM WAV (16/24-bit integer, 32-bit float; RIFF, RF64, EXTENSIBLE)
 * skips libsndfile's sample path: the reader finds the data chunk itself,
 * reads RAW_BYTES at a time with pread and converts with dsp/pcm.c, which
 * scales exactly as libsndfile does (same bits). libsndfile still opens the
 * file and checks the header. This halves the cost of reading the usual
 * production format (libsndfile's 24-bit path costs about 1.9 ns a sample).
 */
#include "vm/media.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>
#include <soxr.h>

#include "dsp/pcm.h"
#include "vm/limits.h"
#include "vm/path.h"

enum {
    OUT_CHUNK = 4096, /* output frames produced per refill */
    IN_CHUNK = 4096,  /* input frames read from the file at a time */
    /* Input frames of history a resampler gets before the first frame a
     * reader delivers. libsoxr's VHQ impulse response reaches about 150
     * input frames either side of its centre when interpolating and about
     * 150 output frames when decimating (below 1e-9 of its peak), so this
     * leaves a wide safety factor. Scaled by ceil(in/out) when decimating. */
    MARGIN_IN_FRAMES = 2048,
    /* Bytes read at a time on the direct PCM path: few system calls, yet
     * small enough that the chunks of every open clip stay in the CPU's
     * L2 between the read (the kernel's copy writes them) and their decode
     * a block at a time (24 clips: 768 KiB). At 128 KiB the decode read
     * them back from L3 or memory: in the film mix on a loaded machine (24
     * clips, one thread, AVX-512 path, perf samples of pread + the 24-bit
     * decode) 32 KiB took 0.68 of 128 KiB's time, 16 KiB 0.92 (four times
     * the system calls), 64 KiB 0.71. On a quiet machine, whose L3 keeps
     * 128 KiB chunks, it is a wash: the extra reads' system time equals
     * the decode's saving (docs/bench.md, 2026-12-06 01:03). */
    RAW_BYTES = 32 * 1024,
    /* Warm-up block, in multiples of the largest single soxr_process call
     * (see warm_up). 2 still let libsoxr's FIFOs grow later at 44.1 ->
     * 192 kHz and 44.1 -> 8 kHz; 4 is the smallest that kept every ratio the
     * test tries allocation-free. */
    WARM_MULT = 4,
    /* Most samples (input and output, all channels) a resampler's warm-up
     * block may hold: 16 MB, about 0.15 s of set-up per clip. Every common
     * rate pair is far below (44.1 -> 48 kHz stereo: 5,000); a rate sharing
     * no factor with the session's is not (767,999 -> 48 kHz in 64
     * channels: 53 million, 3.8 s and 670 MB per clip). */
    MAX_WARM_SAMPLES = 4 * 1024 * 1024
};

struct vm_media_reader {
    SNDFILE *sf;
    int fd;
    char *path;
    int channels;
    int in_rate, out_rate;
    int64_t in_frames;   /* file length in file frames */
    int64_t in_pos;      /* next file frame sf_readf_float returns */
    int in_ended;        /* the file has given all it will */
    int check_finite;    /* a float source: its samples are checked for NaN and infinities */
    ds_result failure;   /* what read_file's last -1 was (its message is in err) */
    int64_t failure_frame; /* and the file frame where it was found */

    /* Direct PCM path (raw != NULL): the data chunk read with pread. */
    unsigned char *raw;  /* RAW_BYTES of file data */
    int64_t data_offset; /* byte offset of frame 0 in the file */
    int sample_bytes;    /* 2, 3 or 4 */
    int sample_float;    /* 32-bit IEEE float */
    int64_t raw_first;   /* file frame of raw[0] */
    int raw_frames;      /* frames held in raw */

    /* Resampled streams only (soxr == NULL when the rates agree). */
    soxr_t soxr;
    float *in_buf;       /* IN_CHUNK frames read from the file */
    int in_len, in_used; /* frames in in_buf, frames of them given to soxr */
    float *out_buf;      /* OUT_CHUNK resampled frames */
    int out_len, out_used;
    int64_t out_abs;     /* output frame number of out_buf[0] */
    int64_t out_total;   /* vm_media_frames_at(): frames from here on are zero */
    int out_done;        /* the stream has reached out_total: zeros from here */
};

/* ---- probing ---------------------------------------------------------- */

static const char *major_name(int major)
{
    switch (major) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX: return "WAV";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_W64: return "Wave64";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_SD2: return "Sound Designer II";
    }
    return NULL;
}

/* A human name such as "WAV 24-bit", "FLAC 16-bit", "Ogg Vorbis", "MP3". */
static void format_name(SNDFILE *sf, int format, char *out, size_t len)
{
    int major = format & SF_FORMAT_TYPEMASK, sub = format & SF_FORMAT_SUBMASK;
    const char *mname = major_name(major), *sname = NULL;
    SF_FORMAT_INFO fi;

    switch (sub) {
    case SF_FORMAT_VORBIS: snprintf(out, len, "Ogg Vorbis"); return;
    case SF_FORMAT_OPUS: snprintf(out, len, "Ogg Opus"); return;
    case SF_FORMAT_MPEG_LAYER_III: snprintf(out, len, "MP3"); return;
    case SF_FORMAT_MPEG_LAYER_II: snprintf(out, len, "MPEG Layer II"); return;
    case SF_FORMAT_MPEG_LAYER_I: snprintf(out, len, "MPEG Layer I"); return;
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8: sname = "8-bit"; break;
    case SF_FORMAT_PCM_16: sname = "16-bit"; break;
    case SF_FORMAT_PCM_24: sname = "24-bit"; break;
    case SF_FORMAT_PCM_32: sname = "32-bit"; break;
    case SF_FORMAT_FLOAT: sname = "32-bit float"; break;
    case SF_FORMAT_DOUBLE: sname = "64-bit float"; break;
    case SF_FORMAT_ALAC_16: sname = "ALAC 16-bit"; break;
    case SF_FORMAT_ALAC_20: sname = "ALAC 20-bit"; break;
    case SF_FORMAT_ALAC_24: sname = "ALAC 24-bit"; break;
    case SF_FORMAT_ALAC_32: sname = "ALAC 32-bit"; break;
    case SF_FORMAT_ULAW: sname = "u-law"; break;
    case SF_FORMAT_ALAW: sname = "A-law"; break;
    }
    if (!mname) {
        memset(&fi, 0, sizeof fi);
        fi.format = major;
        mname = sf_command(sf, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name
                    ? fi.name : "audio";
    }
    if (!sname) {
        memset(&fi, 0, sizeof fi);
        fi.format = sub;
        if (sf_command(sf, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name)
            sname = fi.name;
    }
    if (sname)
        snprintf(out, len, "%s %s", mname, sname);
    else
        snprintf(out, len, "%s", mname);
}

/* The file's speaker positions (libsndfile reads a WAV's channel mask and
 * an AIFF/CAF layout tag into its channel map) as WAVE_FORMAT_EXTENSIBLE
 * mask bits, when there is one bit per channel in rising order (the order
 * a WAV mask implies); else 0. */
static uint32_t channel_mask_of(SNDFILE *sf, int channels)
{
    static const struct { int id, bit; } bits[] = {
        {SF_CHANNEL_MAP_LEFT, 0}, {SF_CHANNEL_MAP_FRONT_LEFT, 0}, {SF_CHANNEL_MAP_RIGHT, 1},
        {SF_CHANNEL_MAP_FRONT_RIGHT, 1}, {SF_CHANNEL_MAP_CENTER, 2}, {SF_CHANNEL_MAP_FRONT_CENTER, 2},
        {SF_CHANNEL_MAP_LFE, 3}, {SF_CHANNEL_MAP_REAR_LEFT, 4}, {SF_CHANNEL_MAP_REAR_RIGHT, 5},
        {SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER, 6}, {SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER, 7},
        {SF_CHANNEL_MAP_REAR_CENTER, 8}, {SF_CHANNEL_MAP_SIDE_LEFT, 9}, {SF_CHANNEL_MAP_SIDE_RIGHT, 10},
        {SF_CHANNEL_MAP_TOP_CENTER, 11}, {SF_CHANNEL_MAP_TOP_FRONT_LEFT, 12},
        {SF_CHANNEL_MAP_TOP_FRONT_CENTER, 13}, {SF_CHANNEL_MAP_TOP_FRONT_RIGHT, 14},
        {SF_CHANNEL_MAP_TOP_REAR_LEFT, 15}, {SF_CHANNEL_MAP_TOP_REAR_CENTER, 16},
        {SF_CHANNEL_MAP_TOP_REAR_RIGHT, 17}};
    int map[VM_MAX_CHANNELS];
    if (channels < 2 || channels > VM_MAX_CHANNELS ||
        sf_command(sf, SFC_GET_CHANNEL_MAP_INFO, map, (int)((size_t)channels * sizeof map[0])) != SF_TRUE)
        return 0;
    uint32_t mask = 0;
    int last = -1;
    for (int k = 0; k < channels; k++) {
        int bit = -1;
        for (size_t b = 0; b < sizeof bits / sizeof bits[0]; b++)
            if (bits[b].id == map[k])
                bit = bits[b].bit;
        if (bit <= last)
            return 0;
        mask |= 1u << bit;
        last = bit;
    }
    return mask;
}

/* Opens path with libsndfile on a descriptor we own (O_CLOEXEC, closed by
 * us whatever libsndfile does), so neither failures nor thousands of
 * open/close cycles leak descriptors. On success *sf and *fd are set and
 * info is filled; on failure nothing is left open. */
static ds_result open_sf(const char *path, SNDFILE **sf, int *fd,
                         vm_media_info *info, char *err)
{
    struct stat st;
    SF_INFO si;

    *sf = NULL;
    *fd = -1;
    if (!path)
        return ds_fail(err, DS_ERR_ARG, "media path expected, got NULL");
    if (stat(path, &st) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return ds_fail(err, DS_ERR_IO, "cannot open '%s': %s", path, strerror(EISDIR));
    if (!S_ISREG(st.st_mode))
        return ds_fail(err, DS_ERR_FORMAT,
                       "'%s' is not an audio file dubstage can read (not a regular file)", path);
    /* checked again on the descriptor: a FIFO put there since the stat
     * must be refused, not waited on (vm/path.h) */
    ds_result r = vm_path_open_regular(path, O_RDONLY, "clip source", fd, NULL, err);
    if (r != DS_OK)
        return r;

    memset(&si, 0, sizeof si);
    *sf = sf_open_fd(*fd, SFM_READ, &si, SF_FALSE);
    if (!*sf) {
        /* sf_strerror(NULL) is libsndfile's last global error: fine here,
         * since files are opened on one control/disk thread. */
        ds_fail(err, DS_ERR_FORMAT,
                "'%s' is not an audio file dubstage can read (libsndfile: %s)",
                path, sf_strerror(NULL));
        close(*fd);
        *fd = -1;
        return DS_ERR_FORMAT;
    }
    /* A header's counts are bounded before anything is sized by them: a
     * channel count sizes the clip players' buffers and the resampler, a
     * rate the resampler's filter and its warm-up (limits.h). */
    ds_result bad = DS_ERR_FORMAT;
    if (si.channels <= 0 || si.frames <= 0)
        ds_fail(err, DS_ERR_FORMAT, "'%s' has no audio (%d channels, %d Hz, %lld frames)",
                path, si.channels, si.samplerate, (long long)si.frames);
    else if (si.channels > VM_MAX_CHANNELS)
        ds_fail(err, DS_ERR_FORMAT, "'%s' has %d channels: dubstage reads files of 1 to %d channels",
                path, si.channels, VM_MAX_CHANNELS);
    else if (si.samplerate < VM_MEDIA_MIN_RATE_HZ || si.samplerate > VM_MEDIA_MAX_RATE_HZ)
        ds_fail(err, DS_ERR_FORMAT, "'%s' says its sample rate is %d Hz: dubstage reads files of "
                "%d to %d Hz", path, si.samplerate, VM_MEDIA_MIN_RATE_HZ, VM_MEDIA_MAX_RATE_HZ);
    else
        bad = DS_OK;
    if (bad != DS_OK) {
        sf_close(*sf);
        close(*fd);
        *sf = NULL;
        *fd = -1;
        return bad;
    }
    info->channels = si.channels;
    info->rate = si.samplerate;
    info->frames = si.frames;
    format_name(*sf, si.format, info->format, sizeof info->format);
    info->channel_mask = channel_mask_of(*sf, si.channels);
    SF_BROADCAST_INFO bext;
    info->time_reference = sf_command(*sf, SFC_GET_BROADCAST_INFO, &bext, sizeof bext) == SF_TRUE
                               ? (int64_t)((uint64_t)bext.time_reference_high << 32 | bext.time_reference_low)
                               : -1;
    return DS_OK;
}

ds_result vm_media_probe(const char *path, vm_media_info *info, char *err)
{
    SNDFILE *sf;
    int fd;
    ds_result rc;

    if (!info)
        return ds_fail(err, DS_ERR_ARG, "media probe needs an info struct, got NULL");
    memset(info, 0, sizeof *info);
    rc = open_sf(path, &sf, &fd, info, err);
    if (rc != DS_OK)
        return rc;
    sf_close(sf);
    close(fd);
    return DS_OK;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The number w of p-frame periods in warm_up's block (see there). */
static int64_t warm_periods(int64_t p, int64_t q)
{
    int64_t per_call_in = (OUT_CHUNK * p + q - 1) / q;

    if (per_call_in > IN_CHUNK)
        per_call_in = IN_CHUNK;
    return (WARM_MULT * per_call_in + p - 1) / p;
}

int64_t vm_media_frames_at(const vm_media_info *info, int out_rate)
{
    int64_t g, p, q;

    if (!info || info->rate <= 0 || out_rate <= 0 || info->frames <= 0)
        return 0;
    g = gcd64(info->rate, out_rate);
    p = info->rate / g;
    q = out_rate / g;
    /* ceil(frames * q / p) without forming frames * q when it could overflow */
    return (info->frames / p) * q + (info->frames % p * q + p - 1) / p;
}

ds_result vm_media_check_rate(const char *path, const vm_media_info *info, int out_rate, char *err)
{
    int64_t g, p, q, samples;

    if (!info || info->rate == out_rate)
        return DS_OK;
    if (info->rate <= 0 || out_rate <= 0)
        return ds_fail(err, DS_ERR_ARG, "cannot resample '%s' from %d Hz to %d Hz", path, info->rate,
                       out_rate);
    g = gcd64(info->rate, out_rate);
    p = info->rate / g;
    q = out_rate / g;
    /* The warm-up block is a whole number of p-frame periods (warm_up), so
     * its size, and the time it takes, grow with p: rates that share no
     * factor with the session's make p the whole rate. */
    samples = warm_periods(p, q) * (p + q) * info->channels;
    if (samples > MAX_WARM_SAMPLES)
        return ds_fail(err, DS_ERR_FORMAT,
                       "'%s' is at %d Hz, which shares too small a factor with the session's %d Hz "
                       "(ratio %lld:%lld) to resample %d channels at a reasonable cost (%lld MB to set up, "
                       "at most %d MB): convert it to a common rate such as %d Hz first",
                       path, info->rate, out_rate, (long long)p, (long long)q, info->channels,
                       (long long)(samples * (int64_t)sizeof(float) >> 20),
                       (int)((int64_t)MAX_WARM_SAMPLES * (int64_t)sizeof(float) >> 20), out_rate);
    return DS_OK;
}

/* ---- the reader --------------------------------------------------------- */

/* Direct PCM path: converts up to n frames from r->in_pos into buf,
 * refilling the raw buffer with pread as needed. Returns the frames
 * converted; fewer than n when the file is shorter than its header says
 * (errno 0) or a read fails (errno set). */
static sf_count_t read_raw(vm_media_reader *r, float *buf, sf_count_t n)
{
    size_t frame_bytes = (size_t)r->sample_bytes * (size_t)r->channels;
    sf_count_t done = 0;
    errno = 0;
    while (done < n) {
        int64_t pos = r->in_pos + done;
        if (pos < r->raw_first || pos >= r->raw_first + r->raw_frames) {
            size_t cap = RAW_BYTES / frame_bytes;
            int64_t left = r->in_frames - pos;
            size_t want = (size_t)(left < (int64_t)cap ? left : (int64_t)cap) * frame_bytes;
            ssize_t got = pread(r->fd, r->raw, want, (off_t)(r->data_offset + pos * (int64_t)frame_bytes));
            r->raw_first = pos;
            r->raw_frames = got > 0 ? (int)((size_t)got / frame_bytes) : 0;
            if (r->raw_frames == 0) {
                if (got == 0)
                    errno = 0;
                break;
            }
        }
        int64_t avail = r->raw_first + r->raw_frames - pos;
        sf_count_t take = n - done < avail ? n - done : avail;
        const unsigned char *src = r->raw + (size_t)(pos - r->raw_first) * frame_bytes;
        float *dst = buf + (size_t)done * (size_t)r->channels;
        size_t samples = (size_t)take * (size_t)r->channels;
        if (r->sample_float)
            dsp_pcm_f32le_to_float(src, dst, samples);
        else if (r->sample_bytes == 3)
            dsp_pcm_s24le_to_float(src, dst, samples);
        else
            dsp_pcm_s16le_to_float(src, dst, samples);
        done += take;
    }
    return done;
}

/* Where file frame `frame` lies, for messages: "frame 144000, 3.000 s into
 * the file". */
static const char *file_place(const vm_media_reader *r, int64_t frame, char *buf, size_t len)
{
    snprintf(buf, len, "frame %lld, %.3f s into the file", (long long)frame,
             (double)frame / (double)r->in_rate);
    return buf;
}

/* Reads n file frames into buf (fewer only at the probed end: n is cut to
 * it). Returns the count; -1, with err and r->failure filled, on a read
 * error, on a file that ends before the frames it was opened with (cut
 * while rendering), and on a float source holding a NaN or an infinity
 * (refused at the source: docs/media.md). */
static int read_file(vm_media_reader *r, float *buf, int n, char *err)
{
    sf_count_t want, got;
    char where[96];

    if (r->in_ended)
        return 0;
    want = n;
    if (want > r->in_frames - r->in_pos)
        want = r->in_frames - r->in_pos;
    if (r->raw)
        got = want > 0 ? read_raw(r, buf, want) : 0;
    else
        got = want > 0 ? sf_readf_float(r->sf, buf, want) : 0;
    if (got < 0)
        got = 0;
    if (got < want) {
        int sys = r->raw ? errno != 0 : sf_error(r->sf) != SF_ERR_NO_ERROR;
        r->failure_frame = r->in_pos + got;
        file_place(r, r->failure_frame, where, sizeof where);
        if (sys)
            r->failure = ds_fail(err, DS_ERR_IO, "error reading '%s' at %s: %s", r->path, where,
                                 r->raw ? strerror(errno) : sf_strerror(r->sf));
        else
            r->failure = ds_fail(err, DS_ERR_IO, "'%s' ends early, at %s, where it had %lld frames when "
                                 "opened: the file was cut or changed while rendering", r->path, where,
                                 (long long)r->in_frames);
        return -1;
    }
    if (r->check_finite) {
        int64_t bad = dsp_pcm_first_nonfinite(buf, (size_t)got * (size_t)r->channels);
        if (bad >= 0) {
            float v = buf[bad];
            r->failure_frame = r->in_pos + bad / r->channels;
            file_place(r, r->failure_frame, where, sizeof where);
            r->failure = ds_fail(err, DS_ERR_FORMAT, "'%s' holds %s at %s, channel %d: dubstage "
                                 "refuses non-finite samples (repair or re-export the file)", r->path,
                                 isnan(v) ? "a NaN" : v > 0 ? "+infinity" : "-infinity", where,
                                 (int)(bad % r->channels) + 1);
            return -1;
        }
    }
    r->in_pos += got;
    if (r->in_pos >= r->in_frames)
        r->in_ended = 1;
    return (int)got;
}

/* Positions a freshly opened file at frame pos (< in_frames). When the
 * format cannot seek there, rewinds (a no-op on a fresh file) and reads
 * and discards up to pos; scratch holds IN_CHUNK frames. */
static ds_result seek_file(vm_media_reader *r, int64_t pos, float *scratch, char *err)
{
    if (pos == 0)
        return DS_OK;
    if (r->raw) {
        r->in_pos = pos;
        return DS_OK;
    }
    if (sf_seek(r->sf, pos, SEEK_SET) == pos) {
        r->in_pos = pos;
        return DS_OK;
    }
    sf_seek(r->sf, 0, SEEK_SET);
    r->in_pos = 0;
    while (r->in_pos < pos) {
        int64_t left = pos - r->in_pos;
        int n = read_file(r, scratch, left < IN_CHUNK ? (int)left : IN_CHUNK, err);
        if (n < 0)
            return r->failure;
        if (n == 0)
            break;
    }
    return DS_OK;
}

/* Produces the next chunk of resampled output into out_buf. Only ever
 * called with out_buf fully consumed, so the calls it makes into libsoxr
 * depend on nothing but the reader's own history. */
static ds_result refill(vm_media_reader *r, char *err)
{
    const int ch = r->channels;
    int produced = 0;

    r->out_abs += r->out_len;
    while (produced < OUT_CHUNK && !r->out_done) {
        size_t idone = 0, odone = 0;
        soxr_error_t e;

        if (r->in_used == r->in_len) {
            int n = read_file(r, r->in_buf, IN_CHUNK, err);
            if (n < 0)
                return r->failure;
            if (n < IN_CHUNK) {
                /* Past the end: the filter's tail comes out of zeros fed
                 * like any other input (see the file comment). */
                memset(r->in_buf + (size_t)n * ch, 0,
                       (size_t)(IN_CHUNK - n) * ch * sizeof *r->in_buf);
                n = IN_CHUNK;
            }
            r->in_len = n;
            r->in_used = 0;
        }
        e = soxr_process(r->soxr, r->in_buf + (size_t)r->in_used * ch,
                         (size_t)(r->in_len - r->in_used), &idone,
                         r->out_buf + (size_t)produced * ch,
                         (size_t)(OUT_CHUNK - produced), &odone);
        if (e)
            return ds_fail(err, DS_ERR_IO, "resampling '%s' failed: %s", r->path,
                           soxr_strerror(e));
        r->in_used += (int)idone;
        produced += (int)odone;
        if (r->out_abs + produced >= r->out_total)
            break;
    }
    /* Cut the stream at its nominal length; beyond it, zeros. */
    if (r->out_abs + produced > r->out_total)
        produced = r->out_total > r->out_abs ? (int)(r->out_total - r->out_abs) : 0;
    if (r->out_abs + produced >= r->out_total)
        r->out_done = 1;
    r->out_len = produced;
    r->out_used = 0;
    return DS_OK;
}

/* Delivers n frames of the resampled stream into out, or drops them when
 * out is NULL. */
static ds_result take_resampled(vm_media_reader *r, float *out, int64_t n, char *err)
{
    const int ch = r->channels;

    while (n > 0) {
        int64_t avail;

        if (r->out_used == r->out_len) {
            if (r->out_done) {
                if (out)
                    memset(out, 0, (size_t)n * (size_t)ch * sizeof *out);
                r->out_abs += r->out_len;
                r->out_len = r->out_used = 0;
                return DS_OK;
            }
            ds_result rc = refill(r, err);
            if (rc != DS_OK)
                return rc;
            continue;
        }
        avail = r->out_len - r->out_used;
        if (avail > n)
            avail = n;
        if (out) {
            memcpy(out, r->out_buf + (size_t)r->out_used * ch,
                   (size_t)avail * (size_t)ch * sizeof *out);
            out += avail * ch;
        }
        r->out_used += (int)avail;
        n -= avail;
    }
    return DS_OK;
}

/* libsoxr's internal FIFOs grow on demand (realloc) and are only compacted
 * once their read position passes 16 KB, so left alone they keep growing
 * for a while into the stream, inside vm_media_read. Before any file data,
 * feed the fresh resampler zeros: WARM_MULT times the largest input a single
 * refill() call to soxr_process can take, in calls as large as libsoxr
 * accepts, which sizes every FIFO for the rest of the stream. Zeros before
 * the first input frame are what the resampler assumes anyway, so this only
 * moves rounding, the same way for every reader. The block is a whole
 * number w of p-frame periods, so it maps to exactly w*q output frames;
 * *pending_out returns how many of those are still inside the resampler
 * (the caller discards them before its own frames). */
static ds_result warm_up(vm_media_reader *r, int64_t p, int64_t q, int64_t *pending_out,
                         char *err)
{
    const size_t ch = (size_t)r->channels;
    int64_t w = warm_periods(p, q), win, wout, fed = 0, got = 0;
    float *zin, *zout;

    win = w * p;
    wout = w * q;
    zin = calloc((size_t)win * ch, sizeof *zin);
    zout = malloc((size_t)wout * ch * sizeof *zout);
    if (!zin || !zout) {
        free(zin);
        free(zout);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory opening '%s'", r->path);
    }
    while (fed < win) {
        size_t idone = 0, odone = 0;
        soxr_error_t e = soxr_process(r->soxr, zin + (size_t)fed * ch, (size_t)(win - fed),
                                      &idone, zout, (size_t)(wout - got), &odone);
        if (e || (idone == 0 && odone == 0)) {
            free(zin);
            free(zout);
            return ds_fail(err, DS_ERR_IO, "resampling '%s' failed: %s", r->path,
                           e ? soxr_strerror(e) : "resampler stalled");
        }
        fed += (int64_t)idone;
        got += (int64_t)odone;
    }
    free(zin);
    free(zout);
    *pending_out = wout - got;
    return DS_OK;
}

static ds_result open_resampler(vm_media_reader *r, int64_t start_frame, char *err)
{
    soxr_quality_spec_t qs = soxr_quality_spec(SOXR_VHQ, SOXR_LINEAR_PHASE);
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    soxr_runtime_spec_t rs = soxr_runtime_spec(1);
    soxr_error_t e = NULL;
    int64_t g = gcd64(r->in_rate, r->out_rate);
    int64_t p = r->in_rate / g, q = r->out_rate / g;
    int64_t margin = (int64_t)MARGIN_IN_FRAMES * ((r->in_rate + r->out_rate - 1) / r->out_rate);
    int64_t m, back, start_in, pending = 0;
    ds_result rc;

    r->in_buf = malloc((size_t)IN_CHUNK * (size_t)r->channels * sizeof *r->in_buf);
    r->out_buf = malloc((size_t)OUT_CHUNK * (size_t)r->channels * sizeof *r->out_buf);
    if (!r->in_buf || !r->out_buf)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory opening '%s'", r->path);
    r->soxr = soxr_create(r->in_rate, r->out_rate, (unsigned)r->channels, &e, &io, &qs, &rs);
    if (!r->soxr || e)
        return ds_fail(err, DS_ERR_FORMAT, "cannot resample '%s' from %d Hz to %d Hz: %s",
                       r->path, r->in_rate, r->out_rate, soxr_strerror(e));

    if (start_frame >= r->out_total) {
        r->out_done = 1;
        r->out_abs = start_frame;
        return DS_OK;
    }
    /* Resampler start: input frame m*p (exactly output frame m*q), at least
     * `margin` input frames before the wanted position. */
    m = start_frame / q;
    back = (margin + p - 1) / p;
    m = m > back ? m - back : 0;
    start_in = m * p;
    r->out_abs = m * q;
    rc = seek_file(r, start_in, r->in_buf, err);
    if (rc != DS_OK)
        return rc;
    rc = warm_up(r, p, q, &pending, err);
    if (rc != DS_OK)
        return rc;
    r->out_abs -= pending;
    rc = refill(r, err);
    if (rc != DS_OK)
        return rc;
    return take_resampled(r, NULL, start_frame - r->out_abs, err);
}

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Looks for the data chunk of a plain little-endian PCM WAV (RIFF or RF64)
 * whose samples are 16/24-bit integer or 32-bit float, as libsndfile
 * reported them. Finding one switches the reader to the direct path; any
 * doubt (an odd chunk layout, a size that does not add up) leaves it on
 * libsndfile. Only an allocation failure is an error. */
static ds_result setup_direct_pcm(vm_media_reader *r)
{
    SF_INFO si;
    memset(&si, 0, sizeof si);
    sf_command(r->sf, SFC_GET_CURRENT_SF_INFO, &si, sizeof si);
    int major = si.format & SF_FORMAT_TYPEMASK, sub = si.format & SF_FORMAT_SUBMASK;
    int endian = si.format & SF_FORMAT_ENDMASK;
    if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX && major != SF_FORMAT_RF64)
        return DS_OK;
    if (endian != SF_ENDIAN_FILE && endian != SF_ENDIAN_LITTLE)
        return DS_OK;
    int bytes = sub == SF_FORMAT_PCM_16 ? 2 : sub == SF_FORMAT_PCM_24 ? 3 : sub == SF_FORMAT_FLOAT ? 4 : 0;
    if (!bytes)
        return DS_OK;
    struct stat st;
    if (fstat(r->fd, &st) != 0)
        return DS_OK;

    unsigned char h[12];
    if (pread(r->fd, h, 12, 0) != 12 || memcmp(h + 8, "WAVE", 4) != 0)
        return DS_OK;
    int rf64 = memcmp(h, "RF64", 4) == 0;
    if (!rf64 && memcmp(h, "RIFF", 4) != 0)
        return DS_OK;
    int64_t off = 12, data_off = -1, data_size = -1, ds64_data = -1;
    for (int guard = 0; guard < 64 && off + 8 <= (int64_t)st.st_size; guard++) {
        unsigned char c[8 + 16];
        if (pread(r->fd, c, 8, (off_t)off) != 8)
            return DS_OK;
        int64_t size = le32(c + 4);
        if (memcmp(c, "ds64", 4) == 0 && size >= 16) {
            if (pread(r->fd, c + 8, 16, (off_t)(off + 8)) != 16)
                return DS_OK;
            /* unsigned: a size with the top bit set is no size (fuzz_media) */
            uint64_t d64 = (uint64_t)le32(c + 16) | (uint64_t)le32(c + 20) << 32;
            ds64_data = d64 > (uint64_t)INT64_MAX ? -1 : (int64_t)d64;
        }
        if (memcmp(c, "data", 4) == 0) {
            data_off = off + 8;
            data_size = rf64 && size == 0xFFFFFFFF ? ds64_data : size;
            break;
        }
        off += 8 + size + (size & 1);
    }
    size_t frame_bytes = (size_t)bytes * (size_t)r->channels;
    if (data_off < 0 || data_size < 0 || (int64_t)(data_size / (int64_t)frame_bytes) != r->in_frames ||
        data_size > (int64_t)st.st_size - data_off)
        return DS_OK;
    r->raw = malloc(RAW_BYTES);
    if (!r->raw)
        return DS_ERR_NOMEM;
    r->data_offset = data_off;
    r->sample_bytes = bytes;
    r->sample_float = sub == SF_FORMAT_FLOAT;
    r->raw_first = 0;
    r->raw_frames = 0;
    return DS_OK;
}

/* The file still is what it was when probed (expect): the same channels and
 * rate, at least as long. A longer file (still being written, or grown
 * since) is read as long as it was: info->frames is cut to the probed
 * length. */
static ds_result check_expected(const char *path, vm_media_info *info, const vm_media_info *expect,
                                char *err)
{
    if (info->channels != expect->channels)
        return ds_fail(err, DS_ERR_FORMAT, "'%s' changed since the mix was compiled: %d channels "
                       "now, %d then", path, info->channels, expect->channels);
    if (info->rate != expect->rate)
        return ds_fail(err, DS_ERR_FORMAT, "'%s' changed since the mix was compiled: %d Hz now, "
                       "%d Hz then", path, info->rate, expect->rate);
    if (info->frames < expect->frames)
        return ds_fail(err, DS_ERR_IO, "'%s' ends early, at frame %lld, %.3f s into the file, "
                       "where it had %lld frames when the mix was compiled: the file was cut or "
                       "changed while rendering", path, (long long)info->frames,
                       (double)info->frames / info->rate, (long long)expect->frames);
    return DS_OK;
}

ds_result vm_media_open(vm_media_reader **rp, const char *path, int out_rate,
                        int64_t start_frame, char *err)
{
    return vm_media_open_expect(rp, path, NULL, out_rate, start_frame, err);
}

ds_result vm_media_open_expect(vm_media_reader **rp, const char *path, const vm_media_info *expect,
                               int out_rate, int64_t start_frame, char *err)
{
    vm_media_reader *r;
    vm_media_info info;
    ds_result rc;
    SF_INFO si;

    if (!rp)
        return ds_fail(err, DS_ERR_ARG, "media open needs a reader pointer, got NULL");
    *rp = NULL;
    if (out_rate <= 0)
        return ds_fail(err, DS_ERR_ARG, "bad output rate %d Hz opening '%s'", out_rate,
                       path ? path : "(null)");
    if (start_frame < 0)
        return ds_fail(err, DS_ERR_ARG, "bad start frame %lld opening '%s'",
                       (long long)start_frame, path ? path : "(null)");

    r = calloc(1, sizeof *r);
    if (!r)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory opening '%s'", path ? path : "(null)");
    r->fd = -1;
    rc = open_sf(path, &r->sf, &r->fd, &info, err);
    if (rc != DS_OK)
        goto fail;
    r->path = malloc(strlen(path) + 1);
    if (!r->path) {
        rc = ds_fail(err, DS_ERR_NOMEM, "out of memory opening '%s'", path);
        goto fail;
    }
    strcpy(r->path, path);
    if (expect && (rc = check_expected(path, &info, expect, err)) != DS_OK)
        goto fail;
    if ((rc = vm_media_check_rate(path, &info, out_rate, err)) != DS_OK)
        goto fail;
    r->channels = info.channels;
    r->in_rate = info.rate;
    r->out_rate = out_rate;
    r->in_frames = info.frames;
    rc = setup_direct_pcm(r);
    if (rc != DS_OK) {
        ds_fail(err, rc, "out of memory opening '%s'", path);
        goto fail;
    }
    if (expect)
        info.frames = r->in_frames = expect->frames; /* check_expected: never more */
    r->out_total = vm_media_frames_at(&info, out_rate);
    memset(&si, 0, sizeof si);
    sf_command(r->sf, SFC_GET_CURRENT_SF_INFO, &si, sizeof si);
    r->check_finite = (si.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT ||
                      (si.format & SF_FORMAT_SUBMASK) == SF_FORMAT_DOUBLE;

    if (info.rate == out_rate) {
        if (start_frame >= info.frames) {
            r->in_ended = 1;
        } else {
            /* scratch for seek_file's read-and-discard fallback */
            float *buf = malloc((size_t)IN_CHUNK * (size_t)info.channels * sizeof *buf);
            if (!buf) {
                rc = ds_fail(err, DS_ERR_NOMEM, "out of memory opening '%s'", path);
                goto fail;
            }
            rc = seek_file(r, start_frame, buf, err);
            free(buf);
            if (rc != DS_OK)
                goto fail;
        }
    } else {
        rc = open_resampler(r, start_frame, err);
        if (rc != DS_OK)
            goto fail;
    }
    *rp = r;
    return DS_OK;

fail:
    vm_media_close(&r);
    return rc;
}

int vm_media_channels(const vm_media_reader *r)
{
    return r ? r->channels : 0;
}

ds_result vm_media_read(vm_media_reader *r, float *out, int n, char *err)
{
    if (!r || !out || n < 0)
        return ds_fail(err, DS_ERR_ARG, "bad media read (reader %p, buffer %p, %d frames)",
                       (void *)r, (void *)out, n);
    if (r->soxr)
        return take_resampled(r, out, n, err);

    /* same rate: straight from the file */
    while (n > 0) {
        int got = read_file(r, out, n, err);
        if (got < 0)
            return r->failure;
        if (got == 0) {
            memset(out, 0, (size_t)n * (size_t)r->channels * sizeof *out);
            break;
        }
        out += (size_t)got * (size_t)r->channels;
        n -= got;
    }
    return DS_OK;
}

int64_t vm_media_failure_frame(const vm_media_reader *r, int out_rate)
{
    if (!r || r->failure == DS_OK)
        return -1;
    /* the file frame at the reader's output rate, rounded to the nearest */
    return (r->failure_frame * (int64_t)out_rate + r->in_rate / 2) / r->in_rate;
}

void vm_media_close(vm_media_reader **rp)
{
    vm_media_reader *r;

    if (!rp || !*rp)
        return;
    r = *rp;
    if (r->soxr)
        soxr_delete(r->soxr);
    if (r->sf)
        sf_close(r->sf);
    if (r->fd >= 0)
        close(r->fd);
    free(r->in_buf);
    free(r->out_buf);
    free(r->raw);
    free(r->path);
    free(r);
    *rp = NULL;
}
