/* sched.h - the block scheduler: walks a plan's op list for one block.
 *
 * The scheduler knows nothing of Lua, files or devices. It cannot fail;
 * an op that meets an error records it in the plan (plan->failed). */
#ifndef VM_SCHED_H
#define VM_SCHED_H

#include <stdint.h>

#include "vm/plan.h"

/* Runs every op of p for the block [pos, pos + n), 1 <= n <= max_block.
 * Afterwards the outputs' channel pointers hold the block. */
void sched_run_block(plan *p, int64_t pos, int n);

/* Two threads for one plan: the tracks' own work (ops[0..nfront), in units
 * dealt to two workers: first by the compiler's cost estimates, then every
 * few blocks by the time each thread took) runs on this thread and a helper thread
 * at once, the rest on this thread after both are done. The ops are the
 * same and run in the same order on each thread, so the output is the same
 * bytes as sched_run_block's. The helper waits spinning briefly, then
 * sleeps (a futex); no lock is taken. For the offline driver. */
typedef struct sched_pool sched_pool;

/* NULL when the plan has nothing for a second worker or a thread cannot be
 * started (then use sched_run_block). */
sched_pool *sched_pool_create(plan *p);
void sched_run_block_pool(sched_pool *pool, int64_t pos, int n);

/* fn(user) runs once on the helper thread during the next
 * sched_run_block_pool, after the helper's share of that block, while this
 * thread runs the rest of it: the offline driver hands it the previous
 * block's metering and file writing, from copies (two sets, alternating:
 * the copy of block k is written during block k + 1). On destroy the
 * helper runs the last one handed over. */
void sched_pool_set_tail(sched_pool *pool, void (*fn)(void *), void *user);
void sched_pool_destroy(sched_pool **pool);

#endif
