/* ops.h - the ops a plan is made of: their kinds (one plan_op_class each)
 * and their state. The compiler's emitters (vm/compile_emit.c) build the
 * state in the plan's arena and point each plan_op at its class; the
 * scheduler calls cls->run, vm_plan_reset cls->reset, the live driver
 * cls->copy_state and cls->meter_db, and none of them knows a kind. A new
 * kind is a kernel, a class entry here, its description and binding, an
 * emitter, and its entry in vm/insert_params.c (parameter rows, noun,
 * channel limits the validation pass reads; docs/adding-a-node.md). No run
 * function allocates, except the clip player, which opens a clip's reader
 * when the clip starts: that is the one place that touches files, and in
 * live playback it is replaced by reading from the disk thread's ring
 * buffers. */
#ifndef VM_OPS_H
#define VM_OPS_H

#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/convolver.h"
#include "dsp/crossover.h"
#include "dsp/delay.h"
#include "dsp/ducker.h"
#include "dsp/dynamics.h"
#include "dsp/limiter.h"
#include "dsp/reverb.h"
#include "dsp/saturate.h"
#include "dsp/bitcrush.h"
#include "dsp/transient.h"
#include "dsp/fade.h"
#include "dsp/mix.h"
#include "dsp/stereo.h"
#include "dsp/surround_pan.h"
#include "vm/lane.h"
#include "vm/media.h"
#include "vm/plan.h"
#include "vm/surround_params.h"

/* An automatable gain (fader + trim + VCAs...) or a plain value (pan),
 * evaluated once per block by op_param into straight pieces the consumers
 * read (dsp/mix.h's dsp_line: holds, and lines between the knots of the
 * control grid). A dB param's gain is 10^(sum of its lanes / 20), 0 when
 * any lane is silent; a plain param has one lane. `constant` says the whole
 * block is one value, gain[0] (and gain2[0]): consumers take their fast
 * path, and the per-sample formula gives the same bits. A param with no
 * moves at all is static: no op evaluates it and gain[0] holds its value
 * from the start. */
typedef enum { PARAM_GAIN, PARAM_PAN_MONO, PARAM_PAN_BALANCE } plan_param_kind;

/* pieces of a moving param evaluated at once; pieces of a block kept next
 * to the param's state */
#define PLAN_PARAM_AHEAD 32
#define PLAN_PARAM_NEAR 4

typedef struct {
    /* what the consumers read every block, first, with the few pieces most
     * blocks have next to it (a param's state stays in a few cache lines) */
    int constant;
    int nlines;
    float gain[1];             /* a constant block's linear gain, or left pan coefficient */
    float gain2[1];            /* ... and its right pan coefficient (pan params) */
    const dsp_line *lines;     /* the block's pieces */
    const dsp_line *lines2;    /* the right pan side's (pan params; NULL for gains) */
    plan_param_kind kind;
    int is_static;
    /* the last stretch where no lane's event changes (a cache: [span_start,
     * span_end), empty at first), whether it moves, its cell, and a hold's
     * values */
    int64_t span_start, span_end, span_cell;
    int span_moving;
    float span_g, span_g2;
    int nahead;
    dsp_line near[2][PLAN_PARAM_NEAR]; /* the block's pieces while they are few */
    dsp_line *far, *far2;      /* max_block each: when there are more */
    /* the moving stretch's pieces evaluated ahead of the block (a cache):
     * piece j covers session samples [ahead_at[j], ahead_at[j + 1]), its
     * line (and the right pan side's) with k counted from ahead_at[j] */
    int64_t ahead_at[PLAN_PARAM_AHEAD + 1];
    dsp_line ahead[PLAN_PARAM_AHEAD], ahead2[PLAN_PARAM_AHEAD];
    const char *name;
    vm_lane **lanes;           /* gain: dB layers summed; pan: one plain lane */
    int nlanes;
} plan_param;

/* The control grid of settings that are held between knots (filter,
 * dynamics, limiter and transient settings): evaluated exactly at every
 * sample that is a multiple of PLAN_PARAM_GRID from the session start and
 * at every start and end of a move. (Gains and pans are pieces on cells of
 * their own: op_param, docs/automation.md.) */
#define PLAN_PARAM_GRID 32

/* Sets a static param's values once (compile time). */
void plan_param_init_static(plan_param *pp);

/* clear: chans[0..nch) = 0 */
typedef struct {
    float **chans;
    int nch;
    int fused;                 /* done by an eq batch's sum (op_eq_args.sum): nothing to do */
} op_clear_args;

/* gain: chans[c] *= the param's gain (a bus fader) */
typedef struct {
    float **chans;
    int nch;
    const plan_param *gain;
} op_gain_args;

/* mix with a moving pan: mono -> two channels (constant power) or stereo
 * balance, coefficients per sample from the pan param */
typedef struct {
    int balance;               /* 0: mono pan, 1: stereo balance */
    const float *src[2];       /* src[1] unused for mono */
    float *dst[2];
    const plan_param *pan;     /* its gain/gain2 are the left/right coefficients */
    /* a send's level on top: coef (static, linear) times level (moving,
     * or NULL), each side's gain (pan * coef) * level per sample, in
     * scratch (max_block; NULL when coef is 1 and there is no level) */
    float coef;
    const plan_param *level;
    float *scratch;
} op_mix_pan_args;

/* mix with a moving surround pan: a mono or stereo source into an LCR, 5.0,
 * 5.1 or 7.1 bus (dsp/surround_pan.h). The gains are evaluated exactly at
 * the knots of the control grid (PLAN_PARAM_GRID from the session start,
 * or a coarser power of two for a point source's slow straight moves of x
 * and width: vm/ops.c, surround_grid; and every start and end of a move of
 * any of its lanes) and run in a straight line from a knot's gains toward
 * the gains the moves reach at the next knot (held where nothing moves),
 * so they are functions of the session sample alone, whatever the block. */
#define OP_SURROUND_NLANES (1 + VM_SURROUND_NPARAMS)
typedef struct {
    dsp_surround_pan speakers; /* the bus's layout */
    int nsrc;                  /* 1: mono, 2: stereo */
    const float *src[2];
    float **dst;               /* speakers.nch channels */
    vm_lane *lanes[OP_SURROUND_NLANES]; /* the strip's pan (x), then vm_surround_param order */
    /* the lanes that have moves (knots come only from them) and the values
     * of those that have none, read once */
    vm_lane *moving_lanes[OP_SURROUND_NLANES];
    int nmoving;
    unsigned char moves[OP_SURROUND_NLANES];
    double held[OP_SURROUND_NLANES];
    /* only x and width move, and the held spread and centre make a point
     * source (spread 0, centre 0 or 1): x and width may take a coarser
     * grid (surround_grid) */
    int coarse;
    /* a send's level on top, as op_mix_pan's: coef (static, linear) and
     * level (moving, or NULL); scratch and level_values (max_block each)
     * when coef is not 1 or there is a level */
    float coef;
    const plan_param *level;
    float *scratch, *level_values;
    /* the stretch being played, [knot, knot_end) (knot INT64_MIN, knot_end
     * INT64_MAX where nothing moves before or after), whether something
     * moves in it, and each gain y + slope * (s - from) (from: the knot of
     * a moving stretch); pos: the block's first sample */
    int64_t knot, knot_end, from, pos;
    int moving;
    float y[2][DSP_SURROUND_PAN_MAX_SPEAKERS], slope[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
    /* without a send's level, the stretches' lines wait here and are mixed
     * OP_SURROUND_PENDING stretches at a time, one call per side and
     * speaker (not one per stretch): pending[(side * nch + ch) *
     * OP_SURROUND_PENDING + j], npending[side][ch] of them, from the arena */
    dsp_line *pending;
    int npending[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
    int nstretches;            /* stretches since the last mix */
    dsp_surround_pan_memo memo;  /* each source channel's last gains, and the rows */
} op_mix_surround_args;
#define OP_SURROUND_PENDING 32

/* Sets a's gains for the stretch of the control grid holding sample n (the
 * emitter calls it for sample 0). */
void op_mix_surround_design(op_mix_surround_args *a, int64_t n);


/* mix: dst[t] += coef[t] * src[t] for each term, in order */
typedef struct {
    int nterms;
    const float **src;
    float **dst;
    float *coef;
    int fused;                 /* done by an eq batch's sum (op_eq_args.sum): nothing to do */
} op_mix_args;

/* mix through a moving send level: dst[t] += (coef[t] * level[k]) * src[t]
 * for each term, level per sample from the param (linear gain) */
typedef struct {
    int nterms;
    const float **src;
    float **dst;
    float *coef;
    const plan_param *level;
    float *scratch;            /* max_block */
} op_mix_gain_args;

/* One clip as the player sees it; times in session samples. */
typedef struct {
    const char *path;
    int64_t at, from, length;
    double gain;               /* linear clip gain when not automated */
    vm_lane *gain_lane;        /* the clip gain's moves (dB), or NULL */
    int64_t fade_in, fade_out;
    dsp_fade_curve fade_in_curve, fade_out_curve;
    int channel;               /* 0: all file channels; k: file channel k only */
    const int *channel_map;    /* NULL: track channel t plays file channel t; else channel_map[t]
                                  (a file whose channel mask orders its speakers otherwise) */
    int file_channels;
    int file_rate;             /* the file as probed at compile time: its rate and length in */
    int64_t file_frames;       /* file frames; a reader refuses a file that changed since */
    struct vm_feed_source *source; /* live: the disk thread's buffer of this clip (vm/feed.h), else NULL */
} op_clip;

/* One clip's part of a block, as read: the clip, its first session sample,
 * its frames and where they start in the reading's frames. */
typedef struct {
    int clip;
    int len;
    int64_t s0;
    size_t at;
} op_clip_piece;

/* One block's reading of a track's clips: every piece of the block
 * [pos, pos + n), in the order they sum, with their frames (interleaved
 * with the file's channel count). Pieces cover at most maxactive x n
 * frames (no more clips than maxactive overlap at one sample). A read that
 * failed keeps the pieces before it and the reason. */
typedef struct {
    int ready;                 /* read and not yet mixed */
    int64_t pos;
    int n;
    int npieces;
    op_clip_piece *pieces;     /* maxpieces */
    float *frames;             /* maxactive * max_block * widest file */
    int failed;
    int64_t fail_s0;           /* the failing piece's first session sample */
    char *err;                 /* DS_ERR_LEN: what failed */
} op_clip_read;

/* clips: plays a track's clips into its buffer (cleared first). Clips on one
 * track sum; overlapping ones are added in the order of their start (then
 * the order written), whatever the block size.
 * A block is read (files opened, read and decoded; live: the disk feed's
 * buffers copied) and then mixed. With two threads the reading of the next
 * block can run ahead (op_clips_read_ahead), on the other thread, while
 * this one is mixed: reading and mixing touch different fields (reading:
 * next, nactive, active, readers, reads[fill % 2], fill; mixing:
 * reads[take % 2], take, env, fader_buf, lane_db, out), so the two may run
 * at once. At most one block is read ahead: fill - take is 0 or 1 between
 * blocks, and reads[take % 2].ready says which. Read in the block itself
 * (one thread, live), a block uses reads[take % 2] and moves neither. */
typedef struct {
    const char *track;
    op_clip *clips;            /* sorted by at, stable */
    int nclips;
    int next;                  /* first clip not yet started */
    int maxactive;             /* most clips that overlap at any time */
    int nactive;
    int *active;               /* clip indices playing now, ascending */
    vm_media_reader **readers; /* parallel to active */
    op_clip_read reads[2];     /* by fill % 2 (being read), take % 2 (to be mixed) */
    unsigned fill, take;       /* blocks read, blocks mixed */
    int maxpieces;             /* pieces a block can have: min(nclips, maxactive x max_block) */
    float *env;                /* max_block per-sample gains */
    float *fader_buf;          /* max_block: the moving fader's values over the block */
    int fader_filled;          /* fader_buf holds this block's values */
    double *lane_db;           /* max_block scratch for clip gain lanes */
    const plan_param *fader;   /* the track's fader (+ trim + VCAs) */
    float **out;
    int nch;
    /* an EQ batch's sum reads the track right after this op, and takes
     * its frames (vmc_fuse_sums): a block of one clip at a gain of 1, its
     * channels as in the file, is then left in the clip's frames
     * (frames_out) for the EQ to read instead of set into out; NULL: out
     * holds the block */
    int to_eq;
    const float *frames_out;
} op_clips_args;

/* eq: one filter of dsp/biquad.h over a strip's channels, in place. Static
 * filters keep the coefficients made at compile time; moving ones take new
 * coefficients at every knot of the control grid (the starts and ends of
 * moves and every PLAN_PARAM_GRID-th sample), held until the next. A static
 * order-2 eq followed by another on the same channels runs both in one pass
 * (dsp_biquad_multi_process2: a pair, the sample in double between the two,
 * docs/language.md's "second-order EQs go in pairs"): it points at the second
 * (`then`), whose op does nothing (`fused`). Each keeps its own state and
 * plan_op key, so a live swap carries both over whether or not the other
 * plan fused them. */
typedef struct op_eq_args {
    dsp_eq_type type;
    int order;                 /* 2: one section with q; else a Butterworth */
    double rate;
    float **chans;
    int nch;
    vm_lane *freq, *gain, *q;  /* plain lanes: Hz, dB, Q */
    int moving;                /* any of them has moves */
    int64_t knot;              /* the knot the current coefficients belong to */
    dsp_biquad_multi *multi;   /* order 2 */
    dsp_butter *butter;        /* other orders: one per channel */
    struct op_eq_args *then;   /* static order 2: the next eq, run in this one's pass */
    int fused;                 /* run in the previous eq's pass */
    /* static order 2, the last filter of an EQ batch: the batch's tracks'
     * mixes into their bus (and its clear, or, sum->set 0, onto the sum an
     * earlier batch's pass made there), made as the output leaves the
     * filters (dsp_biquad_multi_process_sum; vmc_fuse_sums), chans then
     * left as the kernel likes; NULL: the output goes back into chans */
    dsp_biquad_sum *sum;
    /* with sum: the clip players of the batch's tracks, clips_fc channels
     * each, whose blocks the pass reads from their frames when each left
     * them there (op_clips_args.frames_out); NULL: none */
    op_clips_args **clips;
    int clips_fc;
} op_eq_args;

/* dyn: a compressor, expander or gate over a strip's channels, in place,
 * keyed by the strip itself (key NULL) or another strip's buffer; with a
 * key filter the detector hears the key through a high-pass at key_lo and
 * a low-pass at key_hi (Butterworth, of the insert's key_order each),
 * filtered into scratch buffers.
 * Static settings stay as compiled; moving ones (threshold, ratio, knee,
 * makeup, range) are set into the kernel at every knot of the control grid,
 * like op_eq's coefficients, and held until the next (dsp_dyn_set keeps
 * the envelope). */
typedef struct {
    dsp_dyn state;
    int moving;                /* some setting has moves: lanes are set */
    vm_lane *lanes[VM_DYN_NPARAMS]; /* plain lanes in vm_dyn_param order */
    int64_t knot;              /* the knot the kernel's settings belong to */
    float **io;
    int nch;
    float **key;
    int nkey;
    int filtered;              /* key_lo/key_hi set */
    dsp_butter *key_hp, *key_lp; /* one per key channel */
    float **key_buf;           /* max_block scratch per key channel */
    int key_delay;             /* samples the key is delayed to meet its audio (look-ahead elsewhere) */
    int ring_pos;
    float **key_ring;          /* key_delay samples per key channel */
    float **key_late;          /* max_block scratch per key channel */
    float **run_key;           /* the block's key as the kernel hears it (aligned, filtered; NULL: the audio) */
} op_dyn_args;

/* limiter: dsp/limiter.h over a strip's channels, in place (its output is
 * late by the look-ahead; the compiler compensates). A moving one (ceiling,
 * release; made with automated = 1) takes the values at every knot, like
 * op_dyn, and the kernel holds each input frame to the ceiling it came in
 * with. */
typedef struct {
    dsp_limiter state;
    float **io;
    int moving;                /* lanes are set */
    vm_lane *lanes[VM_INSERT_NSETP]; /* plain lanes: ceiling dBTP, release s */
    int64_t knot;              /* the knot the kernel's settings belong to */
    float **seg;               /* moving: one pointer per channel, into io between knots */
} op_limiter_args;

/* An insert whose kernel works in place on a strip's channels and whose
 * settings, when they move, are set at every knot of the control grid and
 * held until the next (the transient shaper, the saturator, the bit
 * crusher): this is the first member of its args, and one run function
 * (in ops.c) serves them all. process runs the kernel in args over io,
 * whose first sample is session sample pos (the bit crusher's grid is the
 * session's); design sets it to the lanes' values at a knot (its state carries on).
 * The emitter fills it and calls op_inplace_start. */
typedef struct {
    float **io;
    int nch;
    int moving;                /* lanes are set */
    vm_lane *lanes[VM_INSERT_NSETP]; /* plain lanes, in the kind's row order */
    int64_t knot;              /* the knot the kernel's settings belong to */
    int64_t block_pos;         /* moving: the session sample of the block being run (for its stretches) */
    void (*process)(void *args, float *const *io, int nch, int64_t pos, int n);
    void (*design)(void *args, int64_t knot);
} op_inplace;

/* transient: dsp/transient.h; lanes attack dB, sustain dB */
typedef struct {
    op_inplace run;
    dsp_transient state;
} op_transient_args;

/* saturate: dsp/saturate.h; lanes clip dBFS, mix % */
typedef struct {
    op_inplace run;
    dsp_saturate state;
} op_saturate_args;

/* bitcrush: dsp/bitcrush.h; lanes bits, rate Hz (the countdown and the
 * held values carry on through a change) */
typedef struct {
    op_inplace run;
    dsp_bitcrush state;
    double fs;
} op_bitcrush_args;

/* delay insert: dsp/delay.h over a strip's channels, in place. Moving
 * settings are read at every knot of the control grid: over each stretch
 * [k0, k1) between knots, time (its target), feedback and mix go in a
 * straight line from their exact values at k0 to those at k1 - 1, and the
 * loop filters take their values at k0; the read position glides toward
 * the time's target at the delay's glide speed (dsp_delay_set). */
typedef struct {
    dsp_delay state;
    float **io;
    int nch;
    double rate;
    int moving;                /* lanes are set */
    vm_lane *lanes[VM_DELAY_NPARAMS]; /* plain lanes in vm_delay_param order: s, %, %, Hz, Hz */
    int64_t knot;              /* the knot the kernel's settings belong to */
} op_delay_insert_args;
/* convolve: a convolution reverb (dsp/convolver.h) over a strip's
 * channels, in place. The wet signal is late by the partition (the
 * compiler compensates every parallel path); the dry one goes through a
 * delay line as long, so the two meet: out = (1 - m) dry + m gain wet with
 * m = mix / 100.
 * Moving mix and gain are read per sample at the session time of the
 * output sample (its input's time: pos - latency), so a move lands where
 * it was written in the aligned mix. */
typedef struct {
    dsp_convolver state;
    float **io;
    int nch;
    float **wet;               /* max_block per channel */
    float **dry;               /* latency samples per channel */
    int dry_pos;
    float dry_coef, wet_coef;  /* static: 1 - m, m * gain */
    int moving;                /* lanes are set */
    vm_lane *lanes[VM_INSERT_NSETP]; /* plain lanes: mix, gain dB */
    double *mix;               /* moving: max_block values of the mix, in % */
    float *gain;               /* moving: max_block linear gains */
} op_convolve_args;

/* width: dsp/stereo.h's width matrix over a stereo strip, in place. Moving
 * width, mid and side are read at the knots of the control grid, and
 * between two knots the gains go in a straight line from the values at the
 * first sample of the stretch to those at its last (t0, t1), so a move has
 * no steps and no sample depends on where a block starts. */
typedef struct {
    float **io;                /* L, R */
    int moving;                /* lanes are set */
    vm_lane *lanes[VM_WIDTH_NPARAMS]; /* plain lanes: width, mid dB, side dB */
    int64_t knot;              /* the stretch the gains below belong to starts here */
    int64_t t0;                /* ... and its line is counted from this sample */
    int64_t pos;               /* the block being run starts here */
    float mid, side;           /* gm and gs at t0 (static: always) */
    float mid_step, side_step; /* per sample after t0 */
} op_width_args;

/* ms: dsp/stereo.h's mid-side encoder or decoder over a stereo strip */
typedef struct {
    float **io;
    int decode;
} op_ms_args;

/* chmap: dsp/stereo.h's channel map over a strip, in place (a channel map,
 * or a polarity inverter: a map of every channel onto itself) */
typedef struct {
    dsp_chmap map;
    float **io;
    float **scratch;           /* max_block per channel dsp_chmap_needs_scratch names, else NULL */
} op_chmap_args;

/* reverb: dsp/reverb.h over a strip's channels, in place (its speakers
 * from the strip's layout); moving rt60, damping, damping_freq, width and
 * mix are set at every knot, as op_dyn's settings */
typedef struct {
    dsp_reverb state;
    float **io;
    int moving;                /* lanes are set */
    vm_lane *lanes[VM_REVERB_NPARAMS]; /* plain lanes in vm_reverb_param order */
    int64_t knot;
} op_reverb_args;

/* duck: a ducking rule run in real time (dsp/ducker.h) on a strip, in
 * place, keyed by another strip (aligned like op_dyn's key); with a band,
 * only the middle band of an LR8 split (dsp/crossover.h) takes the gain */
typedef struct {
    dsp_ducker state;
    float **io;
    int nch;
    float **key;
    int nkey;
    int at;                    /* the audio's latency here: the key at plan sample n is session sample n - at */
    int key_delay, ring_pos;
    float **key_ring, **key_late;
    dsp_xover3 *split;         /* band ducking: one per channel, else NULL */
    float *low, *mid, *high, *gain; /* max_block scratch (band ducking) */
} op_duck_args;

/* bandduck: out = low + gain * mid + high of an LR8 split of each channel
 * (dsp/crossover.h); gain is the band duck's moves */
typedef struct {
    float **io;
    int nch;
    dsp_xover3 *split;         /* one per channel */
    float *low, *mid, *high;   /* max_block scratch */
    const plan_param *gain;
} op_bandduck_args;

/* delay: out = src delayed by `delay` samples (latency compensation of a
 * path mixed with a later one); out == src: in place (a bus's sum so far) */
typedef struct {
    int nch, delay, pos;
    float **src, **out, **ring;
} op_delay_args;

/* Sets the filter for the values at session sample n (coefficients only;
 * the state is kept). */
void op_eq_design(op_eq_args *a, int64_t n);

/* When first and second are both static order-2 eq ops over the same
 * channels, makes first run second in its pass (op_eq_args.then) and
 * returns 1; else 0, nothing changed. The compiler asks it of neighbours in
 * one unit of work. */
int op_eq_fuse(plan_op *first, plan_op *second);

/* Sets a moving dynamics insert's settings to the values at session sample
 * n (the envelope is kept; a->moving must be set). */
void op_dyn_design(op_dyn_args *a, int64_t n);

/* The same for a moving limiter (dsp_limiter_set: the state is kept). */
void op_limiter_design(op_limiter_args *a, int64_t n);

/* The in-place inserts' kernels, for op_inplace's process and design (args:
 * the kind's args): the transient shaper (dsp_transient_set keeps the
 * followers), the saturator (it has no state), the bit crusher
 * (dsp_bitcrush_set keeps the held values; each run locates its countdown
 * at pos). */
void op_transient_process(void *args, float *const *io, int nch, int64_t pos, int n);
void op_transient_design(void *args, int64_t knot);
void op_saturate_process(void *args, float *const *io, int nch, int64_t pos, int n);
void op_saturate_design(void *args, int64_t knot);
void op_bitcrush_process(void *args, float *const *io, int nch, int64_t pos, int n);
void op_bitcrush_design(void *args, int64_t knot);

/* An in-place insert's settings at sample 0, when they move (its knot 0):
 * what its emitter and its reset call. */
void op_inplace_start(op_inplace *r);

/* A moving reverb's settings at session sample n (dsp_reverb_set: the
 * lines keep their contents). */
void op_reverb_design(op_reverb_args *a, int64_t n);

/* A moving delay's settings for the stretch between knots that holds
 * session sample n (from its start on; the line and the read position are
 * kept). */
void op_delay_insert_design(op_delay_insert_args *a, int64_t n);

/* A moving width's gains for the stretch of the control grid holding
 * session sample n. */
void op_width_design(op_width_args *a, int64_t n);

/* The classes, one per kind. */
extern const plan_op_class op_param_class;     /* evaluates a moving param (plan_param) */
extern const plan_op_class op_clear_class;     /* op_clear_args */
extern const plan_op_class op_gain_class;      /* op_gain_args */
extern const plan_op_class op_mix_class;       /* op_mix_args */
extern const plan_op_class op_mix_gain_class;  /* op_mix_gain_args */
extern const plan_op_class op_mix_pan_class;   /* op_mix_pan_args */
extern const plan_op_class op_mix_surround_class; /* op_mix_surround_args */
extern const plan_op_class op_clips_class;     /* op_clips_args */
extern const plan_op_class op_eq_class;        /* op_eq_args */
extern const plan_op_class op_dyn_class;       /* op_dyn_args */
extern const plan_op_class op_limiter_class;   /* op_limiter_args */
extern const plan_op_class op_transient_class; /* op_transient_args */
extern const plan_op_class op_saturate_class;  /* op_saturate_args */
extern const plan_op_class op_bitcrush_class;  /* op_bitcrush_args */
extern const plan_op_class op_delay_insert_class; /* op_delay_insert_args */
extern const plan_op_class op_width_class;     /* op_width_args */
extern const plan_op_class op_ms_class;        /* op_ms_args */
extern const plan_op_class op_chmap_class;     /* op_chmap_args (channel maps and polarity inverters) */
extern const plan_op_class op_convolve_class;  /* op_convolve_args */
extern const plan_op_class op_reverb_class;    /* op_reverb_args */
extern const plan_op_class op_duck_class;      /* op_duck_args */
extern const plan_op_class op_bandduck_class;  /* op_bandduck_args */
extern const plan_op_class op_delay_class;     /* op_delay_args */

/* The class that runs an insert of kind k (vm/desc.h). */
const plan_op_class *op_class_of_insert(vm_insert_kind k);

/* The clip player's args when op is one (op_clips_class), else NULL: the
 * disk feed (vm/feed.c) walks a plan's clips through it. */
op_clips_args *op_clips_of(const plan_op *op);

#endif
