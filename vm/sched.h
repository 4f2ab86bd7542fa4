/* sched.h - the block scheduler: walks a plan's op list for one block.
 *
 * The scheduler knows nothing of Lua, files or devices. It cannot fail;
 * an op that meets an error records it in the plan (plan->failed). */
#ifndef VM_SCHED_H
#define VM_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "vm/plan.h"

/* Runs every op of p for the block [pos, pos + n), 1 <= n <= max_block.
 * Afterwards the outputs' channel pointers hold the block. */
void sched_run_block(plan *p, int64_t pos, int n);

/* Two threads for one plan: the tasks of a block taken one at a time by
 * this thread and a helper thread, each taking the first task of the list
 * that is free and ready: the plan's units of work (plan.h, dealt by
 * vm/compile_units.c) in plan.unit_order, each ready once the units it
 * reads from are done; the previous block's output stage
 * (sched_pool_set_tail); and the next block's reading (an op's
 * read_ahead: a track's clips read and decoded), always ready. Nothing is
 * dealt in advance: a thread that is slow or not scheduled only takes
 * fewer tasks. Each unit's ops run in plan order and units that touch the
 * same memory run in plan order, so the output is the same bytes as
 * sched_run_block's whoever runs what. Waiting spins briefly, then yields
 * or sleeps (a futex); no lock is taken. For the offline driver (the live
 * driver runs sched_run_block in its callback). */
typedef struct sched_pool sched_pool;

/* Whether two threads are worth it here is measured as the render goes
 * (sched_choice): a try runs slices of blocks on this thread alone and on
 * two, taking turns (so a slow spell of the machine falls on both alike),
 * then the pool keeps to whichever took less wall time per frame for a
 * while, and tries again. On a loaded machine two threads meet late (each
 * waits for the other to be scheduled) and are slower than one; the bytes
 * are the same either way. */

/* What the choice did, for the render's report and manifest. */
typedef struct {
    int64_t blocks[2];      /* blocks run on one thread, on two */
    int tries;              /* tries finished (a try cut short included) */
    int tries_two;          /* of them, those after which two threads ran */
    int tries_cut;          /* ended after a pair of slices: two clearly slower */
    int tries_quick;        /* ended after a pair of slices: two clearly faster */
    int runs_cut;           /* runs on two ended early: slower than one thread was in the try */
    int tries_skipped;      /* not made: no CPU was idle during the run on one thread before */
    int runs_extended;      /* runs on two followed by another without a try: clearly faster all along */
    double ns_per_frame[2]; /* the last try's wall time per frame counted: one thread, two */
} sched_tally;

typedef struct {
    int64_t slice_frames;   /* frames of one slice (sched_choice_init: 131072, 2.7 s at 48 kHz) */
    int slices;             /* slices of each kind in a try (4: 8 in all, taking turns, two first) */
    int64_t settle_frames;  /* of each slice, the first frames not counted (8192): the switch's */
    int64_t run_frames;     /* frames run on the faster after a try (8388608, 175 s at 48 kHz); on
                               one thread after the second try in a row that kept one, twice as
                               many, after the third and later, 4 times */
    int phase;              /* 0: trying, 1: running the faster */
    int two;                /* the next block: 1 on two threads, 0 on this one */
    int slice;              /* slices done in this try */
    int ones;               /* tries in a row that kept one thread */
    int64_t frames;         /* of the slice, or of the run, so far */
    int64_t tried_frames[2], tried_ns[2]; /* this try's counted: [0] one thread, [1] two */
    int64_t check_frames, check_ns;       /* a run on two: this stretch's (slices * slice_frames) */
    int64_t run_ns;         /* a run on two: its wall time so far */
    int idle_mark;          /* 1: a run on one thread starts here: the pool notes the CPUs' idle time */
    int idle_ask;           /* 1: that run has ended: sched_choice_idle says whether a try follows */
    sched_tally tally;
} sched_choice;

/* The default lengths; starts with a try, on two threads. */
void sched_choice_init(sched_choice *c);
/* The block just run (on c->two + 1 threads) took ns of wall time for n
 * frames: counts it and sets c->two for the next block. A try ends after
 * the first pair of slices in which two threads were more than 15 %
 * slower per frame (then one thread runs) or took under 0.75 of one
 * thread's time per frame (then two run: a slice on one thread costs a
 * quiet machine the most), else after every pair; two
 * threads are kept only when at least 5 % faster per frame (else one,
 * which spends less CPU). A run on two is cut short, and tried again,
 * when a stretch of it (slices * slice_frames) took more wall time per
 * frame than one thread did in the try; a run on two that took under
 * 0.75 of one thread's time a frame is followed by another without a try
 * (tally.runs_extended: the try's slice on one thread would only cost a
 * quiet machine); a run on one thread after the
 * second try in a row that kept one is twice as long, after the third and
 * later four times. Pure arithmetic, no clock: the
 * tests feed it times. */
void sched_choice_account(sched_choice *c, int n, int64_t ns);
/* The answer to c->idle_ask: the CPUs (of those this process may use)
 * that were idle during the run on one thread just ended, on average
 * (-1: not known). Under half a CPU, the second thread would only take
 * time from this one or another process: no try, another run on one
 * thread (tally.tries_skipped); else a try. Beside one busy process on a
 * 2-CPU machine every try costs a slice on two threads, slower than one,
 * and now and then a noisy try keeps two (docs/bench.md, 2026-12-06). */
void sched_choice_idle(sched_choice *c, double idle_cpus);
/* One line for people: "N blocks on two threads, M on one; ..." (the
 * tries and the last try's figures). Returns buf. */
char *sched_tally_describe(const sched_tally *t, char *buf, size_t size);

/* Flags of sched_pool_create. */
enum {
    SCHED_PIN = 1,        /* this thread and the helper each on a CPU of its own (--pin) */
    SCHED_ALWAYS_TWO = 2, /* every block on two threads, nothing measured (the tests) */
};

/* NULL when the plan has fewer than two units, the process may run on only
 * one CPU (sched_getaffinity), or a thread cannot be started: then use
 * sched_run_block. flags: SCHED_PIN, SCHED_ALWAYS_TWO, or 0 (the threads
 * float; sched_choice decides block by block). */
sched_pool *sched_pool_create(plan *p, int flags);

/* Why sched_pool_create makes no pool for p, in words for the render's
 * summary ("the mix is one unit of work", "this process may use one CPU
 * only"); NULL when it would make one. */
const char *sched_pool_unavailable(const plan *p);
/* Runs block [pos, pos + n) like sched_run_block; next_n: the length of
 * the block the driver runs next, from pos + n (0: none), whose reading
 * is done during this one. On return the plan's outputs hold the block;
 * the helper may still be finishing the tail or a reading of the next
 * block's clips (sched_pool_set_copy), never an op of this block. */
void sched_run_block_pool(sched_pool *pool, int64_t pos, int n, int next_n);
/* 1 when the next sched_run_block_pool runs on two threads (the choice's
 * side, or SCHED_ALWAYS_TWO), 0 on this thread alone: the offline driver
 * sizes its blocks by it. */
int sched_pool_next_two(const sched_pool *pool);
/* The pool's choice: its counts of blocks on one and two threads
 * (choice->tally); the tests shorten its tries. */
sched_choice *sched_pool_choice(sched_pool *pool);

/* fn(user) runs once during the next sched_run_block_pool, on whichever
 * thread takes it, while the other runs the mix: the offline driver hands
 * it the previous block's metering and file writing, from copies (two
 * sets, alternating: the copy of block k is written during block k + 1).
 * On destroy, one handed over and not yet run runs on this thread. */
void sched_pool_set_tail(sched_pool *pool, void (*fn)(void *), void *user);
/* fn(user, pos, n) runs once during the next sched_run_block_pool(pool,
 * pos, n, ...), after every op of the block has run and before that call
 * returns, on whichever thread is free (on this one when the block runs on
 * one thread): the offline driver copies the block's outputs there for
 * the tail of the block after. It runs after the tail handed over before
 * the previous block has finished, so the two alternating copies are never
 * written while they are read. A tail, by contrast, may still be running
 * when sched_run_block_pool returns (as may a reading of the clips): the
 * tasks of the next block that touch the same memory wait for it, and
 * the next tail runs after it. */
void sched_pool_set_copy(sched_pool *pool, void (*fn)(void *, int64_t, int), void *user);
void sched_pool_destroy(sched_pool **pool);

/* For the tests: worker 0 (this thread) or 1 (the helper) becomes slow:
 * after each task it takes, it waits, yielding its CPU, until every task of
 * the block has been taken (-1: none slow). No clock is read. */
void sched_pool_test_slow(sched_pool *pool, int worker);
/* For the tests: worker 1 (the helper) holds every reading and tail it
 * takes, yielding its CPU, until the driver has posted the next block (or
 * waits for every task: blocks on one thread, the pool's end), so they run
 * while the next block's tasks do (-1: none). No clock is read. */
void sched_pool_test_late(sched_pool *pool, int worker);
/* For the tests: every block run on two threads (two = 1) or on one (0)
 * counts ns more wall time in the choice (0: none), so that side loses
 * its tries whatever the clock says. */
void sched_pool_test_penalty(sched_pool *pool, int two, int64_t ns);
/* For the tests: the idle CPUs reported to the choice after each run on
 * one thread (sched_choice_idle) instead of /proc/stat's figure; -2: the
 * measured figure again. */
void sched_pool_test_idle(sched_pool *pool, double idle_cpus);
/* Units worker 0 or 1 has run since the pool was made. */
int64_t sched_pool_units_run(const sched_pool *pool, int worker);

#endif
