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

#endif
