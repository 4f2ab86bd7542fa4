/* compile_priv.h - the compiler's phases, shared by vm/compile*.c only.
 *
 * vm_compile (vm/compile.c) runs the phases in this order:
 *   analysis   (compile_graph.c)  order the strips, decide what is audible
 *                                 and needed, check routes, path latency;
 *   steps      (compile_steps.c)  the abstract op list (aop), EQ batches,
 *                                 the tracks' parallel front;
 *   buffers    (compile.c)        a strip's channel buffers, its own;
 *   units      (compile_units.c)  every op's unit of work for the threads,
 *                                 and the units each one waits for;
 *   emitters   (compile_emit.c)   one per op kind: the real plan ops;
 *   parameters (compile_params.c) lanes and gain/send/pan evaluators the
 *                                 emitters share;
 *   finish     (compile.c)        offsets, state keys, outputs, strip tables.
 * The names here carry the prefix vmc_ (vm compiler, private).
 */
#ifndef VM_COMPILE_PRIV_H
#define VM_COMPILE_PRIV_H

#include <stddef.h>

#include "dsp/ducker.h"
#include "vm/ops.h"
#include "vm/plan.h"

typedef enum { A_CLEAR, A_CLIPS, A_INSERT, A_EQ_BATCH, A_BANDDUCK, A_GAIN, A_DELAY, A_MIX, A_DELAY_SUM } aop_kind;

typedef struct {
    aop_kind kind;
    int strip;   /* the strip written (CLEAR, CLIPS, GAIN, DELAY_SUM: the bus) or read (MIX, DELAY) */
    int dst;     /* MIX, DELAY: the strip mixed into; INSERT, EQ_BATCH: the insert's index;
                    DELAY_SUM: the samples the bus's sum so far is delayed by */
    int late;    /* MIX, DELAY: the latency of the bus's sum the strip is mixed into */
} aop;

/* The output of an A_DELAY op, by the edge it delays. */
typedef struct {
    int from, to;
    float **chans;
    int next;              /* the one made before from the same strip, -1: none */
} vmc_delayed;

/* Lists per strip (compressed rows): row s is items[start[s] .. start[s + 1]). */
typedef struct {
    int *start, *items;
} vmc_rows;
typedef struct {
    int row, item;
} vmc_pair;
#define VMC_ROW_BEGIN(r, s) ((r).items + (r).start[s])
#define VMC_ROW_END(r, s) ((r).items + (r).start[(s) + 1])

typedef struct {
    const vm_desc *d;
    int n;                 /* strips */
    /* the graph by strip (vmc_build_graph), so no phase scans every strip
     * for each strip: */
    vmc_rows feeds;        /* the strips with a route into s, ascending (one entry per route) */
    vmc_rows inputs;       /* feeds and the keys of s's inserts, ascending, each once */
    vmc_rows keyed_by;     /* the strips with an insert keyed by s (one entry per insert) */
    vmc_rows vcas_of;      /* the VCAs s belongs to, ascending (one entry per membership) */
    vmc_rows groups_of;    /* the mute groups s belongs to, likewise */
    int *order;            /* topological order */
    int *audible;          /* strip sounds (not muted, not solo-muted) */
    int *needed;           /* strip's buffer is read by something */
    int *tapped;           /* an output records the strip, or a meter reads it */
    int *metered;          /* strips measured without an output (vm_judge_meter_strips) */
    int nmetered;
    int *muted;            /* muted itself or by a mute group */
    aop *ops;
    int nops, capops;
    int *def;              /* per strip: the op that first writes its buffer, -1: none */
    int *lat_in, *lat_out; /* per strip: latency of its input sum and of its output, samples */
    int *lat_path;         /* per strip: lat_out from its path's look-aheads alone (before vmc_run_paths_late) */
    int *sum_late;         /* per bus, while the op list is made: the latency of its sum so far, -1: no input yet */
    int *delays_sum;       /* per bus: 1 when its sum is delayed as inputs later than it come (A_DELAY_SUM) */
    int *batch_of;         /* per strip: first strip of its EQ batch, -1 when not batched */
    int *batch_next;       /* per strip: next strip of the same batch, -1 at its end */
    int *sum_into;         /* per op: the bus an EQ batch's last filter may sum into in its pass, -1: none (vmc_find_sums) */
    int nfront;            /* ops[0..nfront) are tracks' own work, runnable in parallel (split_front) */
    int *unit;             /* per op: its unit (split_front: the front's; vmc_link_units: every op's) */
    int nunits;
    double *unit_cost;     /* per unit: its estimated work */
    vmc_rows unit_succ;    /* per unit: the units that wait for it (vmc_link_units) */
    int *unit_npred;       /* per unit: how many units it waits for */
    int *unit_order;       /* the order the workers take the units in */
    int *slot_of;          /* per strip: its first channel's buffer slot (the others follow), -1: none */
    int nslots;
    char *warn;
    size_t warnlen, warncap;
    /* materialising (the emitters) */
    plan *p;
    int max_block;
    float ***chans;        /* per strip: its channel buffers, NULL when never written */
    vm_lane **vca_lanes;
    plan_param **pan_params; /* per strip: its moving pan's evaluator, once made */
    vmc_delayed *delayed;  /* A_DELAY outputs made so far */
    int *delayed_last;     /* per strip: its latest in delayed, -1: none */
    int ndelayed;
    int *made;             /* per abstract op: the plan op it made (the last, after its evaluators) */
} compiler;

/* ---- compile_validate.c: limits ---------------------------------------------- */

/* Checks every kernel's limits on the final graph (channels per insert kind
 * and of keys, frequencies against the session rate); the error names the
 * script line that made the node. */
ds_result vmc_validate(const vm_desc *d, char *err);

/* ---- compile_graph.c: analysis ---------------------------------------------- */

/* Appends a line to the warnings the plan reports. */
void vmc_warnf(compiler *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "track" or "bus". */
const char *vmc_kind_name(const vm_strip_desc *s);
/* A binary min-heap of v[0..n) (the caller sizes v): the smallest on top. */
typedef struct {
    int64_t *v;
    int n;
} vmc_heap;
void vmc_heap_push(vmc_heap *h, int64_t x);
/* Removes and returns the smallest; h->n must be > 0. */
int64_t vmc_heap_pop(vmc_heap *h);
/* Rows 0..n-1 from pairs[0..np), each row's items in the order of the
 * pairs (a stable counting sort); -1 when out of memory. */
int vmc_rows_from_pairs(int n, const vmc_pair *pairs, int np, vmc_rows *out);
/* Sorts every row of r (rows 0..n-1) and keeps each item once. */
void vmc_rows_sort_unique(int n, vmc_rows *r);
/* Fills c->feeds, inputs, keyed_by, vcas_of, groups_of. */
ds_result vmc_build_graph(compiler *c, char *err);
/* Sets follows[k] (one per output of the desc, in its order) to the index
 * of the normalised output whose static gain output k takes as its stem
 * (docs/loudness.md): k records a strip upstream of that output's strip,
 * found by walking the feeds up from it without passing through a strip
 * another normalised output records; -1 for every other output. An output
 * upstream of two normalised outputs with stems = true is an error naming
 * the three. */
ds_result vmc_follow_normalized(compiler *c, int *follows, char *err);
/* Frees them. */
void vmc_free_graph(compiler *c);
/* Fills c->order; a loop is an error naming it. */
ds_result vmc_order_strips(compiler *c, char *err);
/* Fills c->muted and c->audible from mutes, mute groups and solos. */
void vmc_decide_audible(compiler *c);
/* Fills c->needed (walks c->order backwards); warns of strips not heard. */
void vmc_decide_needed(compiler *c);
/* 1 when the route from -> to sounds (both ends audible). */
int vmc_edge_active(const compiler *c, int from, int to);
/* 1 when bus `to` has a surround layout (LCR, 5.0, 5.1, 7.1): out holds its
 * speakers for dsp/surround_pan.h (a mono or stereo strip routed into it
 * is placed by the surround panner); else 0. */
int vmc_surround_speakers(const vm_desc *d, int to, dsp_surround_pan *out);
/* Warns of a mono or stereo strip whose pan_* settings nothing reads (it
 * feeds no surround bus; pan_lfe and no bus with an LFE). */
void vmc_warn_surround_unused(compiler *c);
/* The moves of strip s's pan and surround settings. */
int vmc_surround_moves(const vm_strip_desc *s);
/* Fills coef[src_ch * dst_channels + dst_ch] for the route from -> to. */
ds_result vmc_route_matrix(const vm_desc *d, int from, int to, double *coef, char *err);
vm_layout vmc_strip_layout(const vm_strip_desc *s);
/* Where clip cd's file channels play on its track st: 1 and map[t] = the
 * file channel of track channel t when the file's mask says (and fits the
 * track's layout), 0 when they play in file order, -1 when the mask names
 * other speakers than the track's (vmc_validate refuses it). */
int vmc_clip_channel_map(const vm_strip_desc *st, const vm_clip_desc *cd, int *map);
/* The look-ahead of insert k of strip s in samples (limiters, realtime ducks). */
int vmc_insert_latency(const vm_desc *d, int s, int k);
/* The kernel's settings of a duck rule. */
dsp_ducker_params vmc_ducker_params(const vm_duck_desc *du);
/* Fills c->lat_in and c->lat_out. */
void vmc_compute_latency(compiler *c);
/* The latency of the audio at insert k of strip s: its input's latency
 * plus the look-aheads before it. */
int vmc_insert_at(const compiler *c, int s, int k);
/* After vmc_compute_latency: makes the strips that can run late as late as
 * their readers want them, where that leaves fewer channels to delay
 * (latency compensation at the sources; see compile_graph.c). */
void vmc_run_paths_late(compiler *c);

/* ---- compile_steps.c: the abstract op list ---------------------------------- */

/* 1 when strip s's fader is a step after its inserts (not folded into clips). */
int vmc_fader_after(const vm_desc *d, int s);
/* 1 when strip s's static fader folds into its mixes' coefficients. */
int vmc_fader_folds(const compiler *c, int s);
/* Fills c->ops, c->batch_of, c->batch_next. */
ds_result vmc_emit_all(compiler *c, char *err);
/* Moves the tracks' own work to the front; fills c->nfront, c->unit, c->unit_cost. */
ds_result vmc_split_front(compiler *c, char *err);

/* ---- compile_units.c: the units the scheduler deals ------------------------- */

/* Touches of one abstract op: strips read or written (a written strip's
 * every channel slot), and the pan evaluator of a strip. */
typedef struct {
    int strip, write, pan;
} vmc_touch;

/* at most: an EQ batch's strips, or a mix's two strips and a pan */
#define VMC_MAX_TOUCH (DSP_BIQUAD_MULTI_MAX + 3)

/* Fills t with what abstract op o touches; returns how many. */
int vmc_op_touches(const compiler *c, const aop *o, vmc_touch *t);

/* Every op's unit and the units each waits for, after assign_buffers:
 * fills c->unit (every op), nunits, unit_cost, unit_succ, unit_npred,
 * unit_order (vm/plan.h: the same fields). */
ds_result vmc_link_units(compiler *c, char *err);

/* ---- compile_params.c: parameters ------------------------------------------- */

/* The mute moves that reach strip s: its own and its mute groups'. */
int vmc_mute_moves(const compiler *c, int s);
/* 1 when strip s's gain (fader + trim + its VCAs) is 0 dB for ever. */
int vmc_gain_is_unity(const compiler *c, int s);
/* A lane for a parameter's static value and moves, owned by the plan; NULL
 * with the message in err. */
vm_lane *vmc_build_lane(plan *p, const vm_param_desc *pd, int is_db, const char *name, char *err);
/* A parameter evaluator in the arena with room for nlanes lanes; NULL when
 * out of memory. */
plan_param *vmc_new_param(vm_arena *A, const char *name, plan_param_kind kind, int nlanes, int max_block);
/* Appends an op that evaluates pp each block, unless pp never moves. */
void vmc_schedule_param(plan *p, plan_param *pp, int moves);
/* The moving level of the send from s to dst, scheduled; NULL with err. */
plan_param *vmc_send_level_param(plan *p, const compiler *c, int s, int dst, const vm_send_desc *sd, int pre_mute,
                                 char *err);
/* The gain of strip s (fader + trim + VCAs + mute fades), scheduled; NULL with err. */
plan_param *vmc_strip_gain_param(plan *p, const compiler *c, int s, char *err);

/* ---- compile_emit.c: one emitter per op kind -------------------------------- */

/* Appends the plan ops of abstract op o (its parameter evaluators first, the
 * op itself last). */
ds_result vmc_emit_op(compiler *c, const aop *o, char *err);
/* Formats a label into the arena; NULL when out of memory. */
const char *vmc_label(vm_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fuses the eq op at ops[j] into the one before when it can; returns whether it did. */
int vmc_fuse_eq(plan *p, int j);
/* Before the units are linked: the EQ batches that may make their bus's
 * sum in their pass (c->sum_into), judged on the abstract ops; a batch
 * whose terms follow an earlier batch's in the bus's sum adds to that
 * batch's, and so touches the bus after it (vmc_link_units). */
ds_result vmc_find_sums(compiler *c, char *err);
/* Once every op is made: an EQ batch of c->sum_into whose tracks nothing
 * else reads than their mixes into one bus, made right after the bus's
 * clear (or after the mixes an earlier batch's sum made), makes that clear
 * and those mixes as its output leaves the filters (op_eq_args.sum), and
 * they are left with nothing to do. */
ds_result vmc_fuse_sums(compiler *c, char *err);

#endif
