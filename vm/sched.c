/* sched.c - the block loop: Pure Data's "perform chain" shape. The graph was
 * flattened at compile time; here we only walk the list. */
#include "vm/sched.h"

void sched_run_block(plan *p, int64_t pos, int n)
{
    const plan_op *op = p->ops, *end = p->ops + p->nops;
    for (; op < end; op++)
        op->fn(p, op->args, pos, n);
}
