/* media.h - reading clip sources: any file libsndfile reads, streamed at the
 * session rate (resampled with libsoxr, very-high quality, when the file is
 * at another rate).
 *
 * A reader delivers the file as a stream of frames at the output rate,
 * starting at any output-rate frame of the file. What it delivers does not
 * depend on how the caller splits its reads (it reads and resamples in fixed
 * internal chunks), so a render is bit-identical at every block size.
 *
 * Alignment: output frame k corresponds to time k / out_rate from the file's
 * first sample. The resampler's group delay is compensated: an impulse at
 * source frame j comes out centred on output frame j * out_rate / in_rate
 * (rounded), and starting a reader at frame k > 0 gives exactly the frames a
 * reader started at 0 gives from frame k on (within resampler precision).
 *
 * Memory: a reader holds a fixed amount (a chunk buffer and the resampler
 * state), independent of the file's length: about 1 MB for a stereo
 * resampling reader (libsoxr's VHQ filter tables and FIFOs), about 11 KB at
 * the same rate, and one file descriptor each; so open readers for the
 * clips near the playhead, not for the whole film. Everything is allocated
 * at open (0.5-1 ms with a resampler); vm_media_read itself never
 * allocates (a compressed format's decoder inside libsndfile may: Ogg
 * Vorbis was seen to, once). Open and close run on the control or disk
 * thread, never on the audio thread.
 */
#ifndef VM_MEDIA_H
#define VM_MEDIA_H

#include <stdint.h>

#include "vm/result.h"

typedef struct {
    int channels;
    int rate;             /* file sample rate in Hz */
    int64_t frames;       /* length in file frames */
    char format[64];      /* human name: "WAV 24-bit", "FLAC 16-bit", "Ogg Vorbis", ... */
    uint32_t channel_mask; /* where its channels go, as WAVE_FORMAT_EXTENSIBLE mask bits
                              (vm/layout.h), the channels in bit order: from a WAV's mask
                              or an AIFF/CAF channel layout (libsndfile's channel map);
                              0 when the file does not say, or not in bit order */
    int64_t time_reference; /* a BWF file's bext time reference: its first sample's place in
                               samples since midnight (a render writes its session start);
                               -1 when the file has none */
} vm_media_info;

/* Opens path, reads its header, closes it. Errors name the path and say why:
 * "cannot open 'x.wav': No such file or directory", "'notes.txt' is not an
 * audio file dubstage can read (…libsndfile's words…)", a file with 0
 * channels or 0 frames, more than VM_MAX_CHANNELS channels, a rate outside
 * VM_MEDIA_MIN_RATE_HZ .. VM_MEDIA_MAX_RATE_HZ (vm/limits.h). */
ds_result vm_media_probe(const char *path, vm_media_info *info, char *err);

/* Length of the file in output-rate frames: ceil(frames * out_rate / rate). */
int64_t vm_media_frames_at(const vm_media_info *info, int out_rate);

/* DS_OK when a file of this rate and channel count resamples to out_rate
 * at a reasonable cost (a set-up of at most 16 MB, about 0.15 s); else
 * DS_ERR_FORMAT naming path, both rates and their ratio. Rates sharing no
 * factor with out_rate fail (767,999 Hz in 64 channels), every common
 * pair passes. vm_media_open checks it too. */
ds_result vm_media_check_rate(const char *path, const vm_media_info *info, int out_rate, char *err);

typedef struct vm_media_reader vm_media_reader;

/* Opens path for streaming at out_rate, positioned so that the first frame
 * vm_media_read delivers is output frame start_frame (>= 0) of the file.
 * *r is NULL on failure. */
ds_result vm_media_open(vm_media_reader **r, const char *path, int out_rate,
                        int64_t start_frame, char *err);

/* vm_media_open for a file probed before (expect: what vm_media_probe
 * said, when the mix was compiled). Fails, naming the path, when the file
 * now has other channels or another rate, or fewer frames (it was cut);
 * a file that grew is read only as far as it was probed. */
ds_result vm_media_open_expect(vm_media_reader **r, const char *path, const vm_media_info *expect,
                               int out_rate, int64_t start_frame, char *err);

/* Channel count of the stream (the file's). */
int vm_media_channels(const vm_media_reader *r);

/* Reads the next n frames, interleaved (channels per frame), into out.
 * Frames past the end of the file are zeros. Returns DS_OK, or an error
 * naming the path and the place in the file: DS_ERR_IO for a read error or
 * a file that ends before the length it was opened with (cut while
 * rendering), DS_ERR_FORMAT for a NaN or infinite sample in a float file
 * (refused, never passed on; integer files cannot hold one). */
ds_result vm_media_read(vm_media_reader *r, float *out, int n, char *err);

/* After vm_media_read failed on the file's contents (cut short, a NaN or
 * an infinity): where, as a frame of the stream at out_rate from the
 * file's start (the file frame scaled to out_rate, rounded), so a caller
 * can place it on its timeline; -1 when the last read did not fail so. */
int64_t vm_media_failure_frame(const vm_media_reader *r, int out_rate);

/* Closes the file, frees everything, sets *r to NULL. Safe on NULL. */
void vm_media_close(vm_media_reader **r);

#endif
