/* file_loudness.h - measuring an audio file with the renders' meter
 * (dsp/loudness: BS.1770-4, EBU R 128, Tech 3341/3342), for
 * `dubstage loudness FILE...`.
 *
 * The file is read as a clip is (vm/media.h: any libsndfile format, a
 * regular file only, a short read or a non-finite sample is an error naming
 * it), at its own rate, streamed in fixed blocks: memory does not depend on
 * its length. Channel weights (BS.1770 G_i) come from the file's channel
 * mask when it has one (vm_speaker_weight: LFE 0, surrounds 1.41, others
 * 1.0); a file without one is weighed by its channel count as a render of
 * that many channels with no layout is: every channel 1.0. */
#ifndef VM_FILE_LOUDNESS_H
#define VM_FILE_LOUDNESS_H

#include <stdint.h>

#include "dsp/loudness.h"
#include "vm/limits.h"
#include "vm/media.h"
#include "vm/result.h"

typedef struct {
    vm_media_info info;              /* channels, rate, frames, format, channel_mask */
    double weights[VM_MAX_CHANNELS]; /* the G_i used, one per file channel */
    char weights_from[160];          /* how they were chosen, for people:
                                        "channel mask 0x60F (5.1: FL FR FC LFE SL SR)",
                                        "no channel mask: 6 channels weighted 1.0" */
    dsp_loudness_result m;           /* the readings; -inf where undefined */
    int range_defined;               /* 0 when no short-term value passes the
                                        absolute gate (m.range_lu reads 0) */
} vm_file_loudness;

/* Measures the whole of path into *out. Returns DS_OK, or an error in err
 * naming the path: it cannot be opened, is not a regular file, is not audio
 * libsndfile reads, is outside the media limits (vm/limits.h), has a rate
 * below the meter's 8000 Hz, ends early or holds a NaN or an infinity. */
ds_result vm_file_loudness_measure(const char *path, vm_file_loudness *out, char *err);

/* The same with the weights given, one per channel of the file in its
 * order (weights_from says where they came from), instead of from the
 * file's mask: a render checking what it wrote weighs the channels as it
 * did while rendering, whatever the format can carry (FLAC has no mask). */
ds_result vm_file_loudness_measure_weighted(const char *path, const double *weights, const char *weights_from,
                                            vm_file_loudness *out, char *err);

#endif
