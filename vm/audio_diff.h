/* audio_diff.h - the null test of two audio files, for `dubstage diff`
 * (docs/diff.md): per channel, the peak and RMS of their difference
 * (a - b), the first and last sample where they differ, and the spans
 * where the difference is above a threshold.
 *
 * Both files are read as clips are (vm/media.h: any libsndfile format, a
 * regular file only, a short read or a non-finite sample an error naming
 * it), at their own rate, streamed in fixed blocks: memory does not depend
 * on their length (a span list is bounded too: past VM_AUDIO_DIFF_SPANS
 * spans a channel counts the rest). Samples are compared as libsndfile's
 * floats (exact for 8- to 24-bit integers and 32-bit float files), the
 * difference taken in double, so two files differ exactly where their
 * samples do. Sample 0 is each file's first frame. */
#ifndef VM_AUDIO_DIFF_H
#define VM_AUDIO_DIFF_H

#include <stdint.h>

#include "vm/media.h"
#include "vm/result.h"

#define VM_AUDIO_DIFF_SPANS 1000

/* Samples [start, end) where |a - b| is above the threshold, with runs
 * closer than the gap merged. */
typedef struct {
    int64_t start, end;
    double peak;               /* the largest |a - b| in it, linear (1.0 = full scale) */
    int64_t peak_at;           /* its first sample */
} vm_audio_diff_span;

typedef struct {
    double peak;               /* the largest |a - b|, linear; 0 when identical */
    int64_t peak_at;           /* its first sample; -1 when identical */
    double sum_squares;        /* of a - b over the frames compared */
    int64_t first, last;       /* the first and last sample where a != b; -1 when none */
    int64_t above;             /* samples where |a - b| > threshold */
    vm_audio_diff_span *spans; /* in order; at most VM_AUDIO_DIFF_SPANS */
    int nspans;
    int64_t spans_unlisted;    /* spans past the list */
} vm_audio_diff_channel;

typedef struct {
    vm_media_info a, b;        /* the two files as probed */
    int channels;              /* compared: the fewer of the two (0 when the rates differ) */
    int64_t frames;            /* compared: the shorter length (0 when the rates differ) */
    vm_audio_diff_channel *ch; /* channels of them */
} vm_audio_diff;

typedef struct {
    double threshold;          /* linear: a difference counts in spans when |a - b| > threshold */
    double gap_s;              /* two spans are one when fewer samples than this (seconds, at the
                                  files' rate) lie between them */
} vm_audio_diff_opts;

/* Probes both files and, when their rates agree, compares their first
 * min(frames) frames channel by channel (the first min(channels)
 * channels) into *out (initialised here; free with vm_audio_diff_free,
 * also after a failure). Files of different rates are probed, not
 * compared (frames and channels 0): the caller reports it. Errors name
 * the file: missing, not a regular file, not audio, ends early, holds a
 * NaN. */
ds_result vm_audio_diff_files(const char *a, const char *b, const vm_audio_diff_opts *opts, vm_audio_diff *out,
                              char *err);

void vm_audio_diff_free(vm_audio_diff *d);

#endif
