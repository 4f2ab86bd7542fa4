/* plan.h - the compiled mix: a flat list of ops over channel buffers.
 *
 * vm_compile turns a vm_desc into a plan: it validates routing and channel
 * layouts, orders the strips topologically (a loop is an error naming it),
 * lays every op and every buffer into one arena, gives every strip its
 * channel buffers, and deals the ops into units of work for the threads.
 * The plan holds no Lua object and no pointer into the desc. The scheduler
 * (vm/sched.h) runs it block by block.
 */
#ifndef VM_PLAN_H
#define VM_PLAN_H

#include <stdint.h>

#include "vm/arena.h"
#include "vm/desc.h"
#include "vm/lane.h"
#include "vm/result.h"

#define PLAN_MAX_BLOCK 8192

typedef struct plan plan;

/* One step of the block loop. args is op-specific state in the arena;
 * pos is the session sample of the block's first frame, n its length. */
typedef void (*plan_op_fn)(plan *p, void *args, int64_t pos, int n);

/* An op kind: everything the engine knows of it, in one place. The
 * classes themselves, one per kind, are in vm/ops.h. Every function takes
 * the op's args (plan_op.args). */
typedef struct plan_op_class {
    const char *name;          /* short name: "eq", "dyn", "clips" */
    plan_op_fn run;            /* one block's work (vm/sched.c); never allocates */
    /* The part of block [pos, pos + n)'s work that can be done a block
     * early: reading and decoding a track's clips. The offline pool
     * (vm/sched.c) runs it for the next block on either thread while the
     * block before runs, this op's own run included, so it touches nothing
     * that run uses; run(pos, n) then finds it done (run does it itself
     * when it was not done for exactly that block; the pool calls rewind
     * before reading again what it read for another block). At most one
     * block ahead. The bytes are the same either way. NULL: nothing to do
     * ahead. */
    plan_op_fn read_ahead;
    /* Back to the state before sample 0: memories, envelopes and delay
     * lines cleared, moving settings as at the start. NULL: no state. */
    void (*reset)(void *args);
    /* The play position jumped back (a loop's wrap) or the plan ends: ops
     * that walk the timeline start over and close what they hold open;
     * the signal state stays. NULL: nothing to do. */
    void (*rewind)(void *args);
    /* Carries the running state of src into dst, an op of the same class
     * and the same plan_op.key in a newly compiled plan. The settings
     * (coefficients, thresholds) stay dst's; memories, envelopes and delay
     * lines are copied where the two have the same shape (channels, order,
     * look-ahead, delay), else dst keeps its fresh state. Bounded memcpy
     * only: the live driver calls it on the audio thread at a plan swap.
     * NULL: no state worth carrying (such ops get no key). */
    void (*copy_state)(void *dst, const void *src);
    /* Its gain change now in dB (<= 0: reduction), for the live readouts
     * (plan_op.readout names it). Reads the state the audio thread writes,
     * so call it on the audio thread between blocks. NULL: no readout. */
    double (*meter_db)(const void *args);
    /* Frees what the op holds outside the plan's arena (a convolver's FFTW
     * plans). vm_plan_free calls it, on the control thread, before the
     * arena goes; it must accept args whose resources were never made (a
     * compile that failed half-way). NULL: nothing outside the arena. */
    void (*release)(void *args);
    /* Its word in parameter names (vm/liveset.c, `dubstage automation`):
     * an insert's STRIP.<param><n>.<field> ("eq", "dyn", "lim", "shape"),
     * a realtime duck's STRIP.duck.<field>; NULL: none of its own. */
    const char *param;
    /* Its memory: how long, in samples, its output still depends on what
     * it heard before (a filter's ring or a release falling 60 dB, a
     * reverb's rt60, an impulse response's or a delay line's length),
     * with the settings in force at session sample `at`. A segment render
     * (docs/segments.md) starts this op cold at the pre-roll's start and
     * warns when this is longer than the pre-roll. NULL: no memory (or
     * state that is a function of the session sample alone, exact at
     * any start). */
    double (*memory)(const void *args, int64_t at);
} plan_op_class;

typedef struct {
    const plan_op_class *cls;
    void *args;             /* its class's args struct, in the arena */
    const char *label;      /* what `dubstage info` prints */
    const char *key;        /* ops with state (cls->copy_state): the same in a recompiled plan
                               (strip and place, not settings), for live swaps; NULL otherwise */
    const char *readout;    /* ops with a meter (cls->meter_db): the name live meters show,
                               "dyn bus 'MX' compressor"; NULL otherwise */
    const char *where;      /* an insert's script line ("mix.lua:12"), for messages; NULL otherwise */
    int offset;             /* samples the signal this op works on runs late (look-aheads
                               upstream): the op sees the block's session time, pos - offset,
                               so its moves land on the sample they were written for */
    int channels;           /* the channels it writes (a mix or send: its destination's; an
                               EQ batch: all of its tracks'), for per-kind costs (op_bench) */
} plan_op;

typedef struct {
    const char *path;
    const char *strip;      /* name of the strip it records */
    const char *where;      /* script line that declared it */
    int channels;
    vm_layout layout;       /* the strip's (resolved): the file's channel mask, order and loudness weights */
    float **chans;          /* post-fader signal of the strip, valid after each block */
    int latency;            /* samples the strip's signal runs late (look-ahead): the
                               file starts that many samples into the stream */
    vm_out_format format;
    vm_dither dither;
    vm_normalize_desc normalize;
    int follows;            /* a stem of a normalised output: that output's index, which
                               sets its static gain; -1 otherwise */
    int place;              /* its index among all the script's outputs (vm_output_desc.place) */
} plan_output;

/* A strip measured without being written (a deliverable's dialogue stem,
 * vm/judge.h): read as an output is, from its latency on, into a loudness
 * meter only. */
typedef struct {
    const char *strip;      /* its name */
    int strip_index;
    int channels;
    vm_layout layout;
    float **chans;
    int latency;
} plan_meter;

struct plan {
    vm_arena arena;
    vm_timebase tb;
    int64_t length;         /* samples to render */
    int tail;               /* the largest output latency: run this much longer */
    int max_block;
    plan_op *ops;
    int nops;
    /* ops[0..nfront) are the tracks' own work (clips, inserts, faders).
     * Every op belongs to a unit of work (vm/compile_units.c): a track or
     * an EQ batch's tracks for the front, else the strip whose buffer the
     * op writes. op_unit[i] is op i's unit; unit u's ops, in plan order,
     * are unit_ops[unit_op_start[u] .. unit_op_start[u + 1]); it waits for
     * unit_npred[u] units and is waited for by unit_succ[unit_succ_start[u]
     * .. unit_succ_start[u + 1]]; unit_cost[u] is the compiler's estimate
     * of its work; unit_order lists the units in the order the scheduler's
     * workers take them (a topological order). Run in any order that
     * respects the waits, the units give the bytes of plan order. */
    int nfront;
    int *op_unit;
    int nunits;
    double *unit_cost;
    int *unit_op_start, *unit_ops;
    int *unit_succ_start, *unit_succ;
    int *unit_npred;
    int *unit_order;
    int nbuffers;           /* channel buffers of max_block floats */
    plan_output *outputs;
    int noutputs;
    plan_meter *meters;     /* strips measured, not written; a render reports them after the outputs */
    int nmeters;
    vm_lane **lanes;        /* automation lanes the plan owns */
    int nlanes, caplanes;
    const char *warnings;   /* newline-separated notes for the user, "" if none */
    float ***strip_chans;   /* per strip: its channels when an output (or analysis) taps it, else NULL */
    int *strip_latency;     /* per strip: samples its output runs late (look-aheads on its path,
                               and strip_run_late) */
    int *strip_run_late;    /* per strip: of those, the samples it runs late to meet a later path
                               (latency compensation at the sources, vm/compile_graph.c) */
    const char **strip_names;
    int *strip_nch;         /* per strip: its channel count */
    int nstrips;
    /* Live playback (vm/live.c): clip players read the disk feed's
     * buffers for pass `pass` instead of opening files (vm/feed.h). NULL
     * offline. */
    struct vm_feed *feed;
    int64_t pass;
    /* An op that cannot go on (a clip file vanished mid-render) records
     * the reason here; the driver checks after every block. */
    int failed;
    char error[DS_ERR_LEN];
};

/* Compiles desc into *out (NULL on failure). max_block is the largest block
 * the scheduler will run (1..PLAN_MAX_BLOCK). */
ds_result vm_compile(const vm_desc *desc, int max_block, plan **out, char *err);

/* Every op back to its state before sample 0 (filter memories, envelopes,
 * delay lines cleared; clip readers closed and clip cursors rewound), so the
 * next block may start anywhere. Calls each op's cls->reset. */
void vm_plan_reset(plan *p);

/* Rewinds the ops that walk the timeline (clip cursors; open readers are
 * closed) and keeps every other state: a loop's wrap. Calls cls->rewind. */
void vm_plan_rewind(plan *p);

/* Frees the plan and sets *p to NULL. Safe on NULL. */
void vm_plan_free(plan **p);

#endif
