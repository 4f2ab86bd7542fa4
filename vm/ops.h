/* ops.h - the ops a plan is made of: their state and their run functions.
 * The compiler (vm/compile.c) builds the state in the plan's arena; the
 * scheduler calls the functions. None of them allocates, except the clip
 * player, which opens a clip's reader when the clip starts: that is the one
 * place that touches files, and in live playback it is replaced by reading
 * from the disk thread's ring buffers. */
#ifndef VM_OPS_H
#define VM_OPS_H

#include <stdint.h>

#include "dsp/fade.h"
#include "vm/media.h"
#include "vm/plan.h"

/* clear: chans[0..nch) = 0 */
typedef struct {
    float **chans;
    int nch;
} op_clear_args;

/* gain: chans[c] *= gain (the fader, post-clips, pre-routing) */
typedef struct {
    float **chans;
    int nch;
    float gain;
} op_gain_args;

/* mix: dst[t] += coef[t] * src[t] for each term, in order */
typedef struct {
    int nterms;
    const float **src;
    float **dst;
    float *coef;
} op_mix_args;

/* One clip as the player sees it; times in session samples. */
typedef struct {
    const char *path;
    int64_t at, from, length;
    double gain;               /* linear clip gain */
    int64_t fade_in, fade_out;
    dsp_fade_curve fade_in_curve, fade_out_curve;
    int channel;               /* 0: all file channels; k: file channel k only */
    int file_channels;
} op_clip;

/* clips: plays a track's clips into its buffer (cleared first). Clips on one
 * track sum; overlapping ones are added in the order of their start (then
 * the order written), whatever the block size. */
typedef struct {
    const char *track;
    op_clip *clips;            /* sorted by at, stable */
    int nclips;
    int next;                  /* first clip not yet started */
    int maxactive;             /* most clips that overlap at any time */
    int nactive;
    int *active;               /* clip indices playing now, ascending */
    vm_media_reader **readers; /* parallel to active */
    float *scratch;            /* max_block * widest file, interleaved */
    float *env;                /* max_block per-sample gains */
    float **out;
    int nch;
} op_clips_args;

void op_clear(plan *p, void *args, int64_t pos, int n);
void op_gain(plan *p, void *args, int64_t pos, int n);
void op_mix(plan *p, void *args, int64_t pos, int n);
void op_clips(plan *p, void *args, int64_t pos, int n);

/* Closes every open reader of a clip player and rewinds it. */
void op_clips_reset(op_clips_args *a);

#endif
