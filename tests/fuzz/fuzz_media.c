/* fuzz_media.c - libFuzzer target for the clip reader (vm/media.c): the
 * header probe, libsndfile's open, the direct PCM WAV path (RIFF, RF64,
 * EXTENSIBLE chunk walking, dsp/pcm.c's conversions) and the resampling
 * path, as a clip source is opened and read.
 *
 * Input: 4 option bytes, then the file. Option 0 picks the output rate
 * (the file's own: the direct path; or a session rate: the resampler),
 * option 1-2 the start frame, option 3 the read block size. The file is
 * written to a scratch file and opened by its path.
 *
 * The resampler is only asked for when the file is at a usual rate (8 kHz
 * to 384 kHz, common_rates) with at most 8 channels: at other rates the
 * warm-up allocates in proportion to the reduced rate ratio (issue 11's
 * 2,147,483,647 Hz header, the media part's to bound at probe time); the
 * harness keeps to what it can run millions of.
 *
 * Invariants checked (media.h): a probe and an open of the same file agree
 * on the channel count; every sample delivered is finite for integer PCM
 * (a float file may hold anything); frames past the end are zeros; messages
 * fit their buffer. */
#include "tests/fuzz/fuzz.h"

#include <math.h>
#include <string.h>

#include "vm/media.h"

enum {
    MAX_READ_FRAMES = 4096, /* frames read per input: enough for a few chunks of the direct path */
    MAX_CHANNELS = 1024     /* libsndfile's own limit */
};

static const int session_rates[] = {48000, 44100, 96000, 8000};

/* Source rates the resampler is asked for: the usual ones, whose ratio to
 * every session rate above is small. */
static const int common_rates[] = {8000,  11025, 16000, 22050,  24000,  32000, 44100,
                                   48000, 88200, 96000, 176400, 192000, 384000};

static int is_common_rate(int rate)
{
    for (size_t i = 0; i < sizeof common_rates / sizeof common_rates[0]; i++)
        if (common_rates[i] == rate)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DS_ERR_LEN], path[512];
    fuzz_reader rd = {data, size, 0};
    unsigned o_rate = fuzz_byte(&rd), o_start = fuzz_byte(&rd) << 8, o_block;
    o_start |= fuzz_byte(&rd);
    o_block = fuzz_byte(&rd);
    if (fuzz_write_file("clip.wav", data + rd.i, size - rd.i, path, sizeof path) != 0)
        return 0;

    vm_media_info info;
    if (vm_media_probe(path, &info, err) != DS_OK) {
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
        return 0;
    }
    FUZZ_ASSERT(info.channels > 0 && info.channels <= MAX_CHANNELS && info.rate > 0 && info.frames > 0);
    int out_rate = info.rate;
    if (o_rate & 1) {
        int want = session_rates[(o_rate >> 1) % 4];
        if (is_common_rate(info.rate) && info.channels <= 8)
            out_rate = want;
    }
    int64_t start = (int64_t)o_start % (vm_media_frames_at(&info, out_rate) + 16);
    int block = 1 + (int)(o_block * 37u % 1024u);

    vm_media_reader *r = NULL;
    if (vm_media_open(&r, path, out_rate, start, err) != DS_OK) {
        FUZZ_ASSERT(r == NULL);
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
        return 0;
    }
    FUZZ_ASSERT(vm_media_channels(r) == info.channels);
    size_t ch = (size_t)info.channels;
    float *buf = malloc((size_t)block * ch * sizeof *buf);
    if (!buf) {
        vm_media_close(&r);
        return 0;
    }
    int integer = strstr(info.format, "-bit") && !strstr(info.format, "float");
    int64_t total = vm_media_frames_at(&info, out_rate);
    for (int64_t done = 0; done < MAX_READ_FRAMES; done += block) {
        if (vm_media_read(r, buf, block, err) != DS_OK) {
            FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
            break;
        }
        for (size_t i = 0; i < (size_t)block * ch; i++) {
            int64_t frame = start + done + (int64_t)(i / ch);
            if (integer && out_rate == info.rate)
                FUZZ_ASSERT(isfinite(buf[i]) && fabsf(buf[i]) <= 1.0f);
            if (frame >= total)
                FUZZ_ASSERT(buf[i] == 0.0f);
        }
    }
    free(buf);
    vm_media_close(&r);
    FUZZ_ASSERT(r == NULL);
    return 0;
}
