/* sched_sim.c - the two-thread schedule of a mix worked out from task
 * times measured on one thread: how much faster two threads can render it
 * under two rules of taking tasks, with no second thread running, so the
 * figures do not depend on what else the machine runs (each task is timed
 * with this thread's CPU clock, which stops while the thread waits for a
 * CPU; the clock's own cost, measured first, is taken off each time).
 *
 *   build/tools/sched_sim SCRIPT SECONDS
 *
 * Compiles SCRIPT as `dubstage render` does and runs the first SECONDS of
 * it (0: all) on this thread in blocks of 1024 frames, nothing written:
 * each block, every clip player's reading of the block (its read_ahead,
 * vm/plan.h), then the units of work in plan.unit_order, each timed. Then
 * every block is scheduled on two simulated workers, under each rule:
 *   in order    the units in plan.unit_order, each with its clips' reading
 *               inside it; a free worker takes the next unit in the list
 *               and waits until its inputs are done (vm/sched.c before
 *               the reads were tasks of their own);
 *   ready first the units in plan.unit_order, then the reads of the next
 *               block (this block's read times stand in for them); a free
 *               worker takes the first task of the list whose inputs are
 *               done, and waits only when no task is (vm/sched.c now).
 * Printed: the tasks' total (the one-thread render's work), each rule's
 * total of block makespans, and one over the other. Not modelled: what
 * the threads' meetings cost (atomics, spinning, waking a sleeper), the
 * output stage (the tail task: metering, packing, writing and hashing the
 * outputs, about a tenth of a film render), the caches of two cores, and
 * the CPU another process takes. So the ratios are upper bounds for a
 * quiet machine, comparable between the rules and between builds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/tools/bench_plan.h"
#include "tests/tools/bench_util.h"

#define BLOCK 1024

typedef struct {
    int n;
    const int *unit;      /* task -> unit number, or -1 for a read */
    const double *ns;     /* task -> its time */
} task_list;

/* The makespan of one block's tasks on two workers. ready_first: a free
 * worker takes the first task that is ready (else waits for the next task
 * to end); else the next task in the list, waiting for its inputs. */
static double makespan(const plan *p, const task_list *t, int ready_first, double *finish, int *taken)
{
    double w[2] = {0, 0}, end = 0;
    for (int k = 0; k < t->n; k++)
        taken[k] = 0, finish[k] = -1;
    for (int left = t->n; left > 0;) {
        int j = w[1] < w[0];
        double now = w[j];
        int pick = -1;
        double start = now;
        for (int k = 0; k < t->n && pick < 0; k++) {
            if (taken[k])
                continue;
            /* inputs: every unit it waits for taken and ended by now (or when) */
            double ready = 0;
            int known = 1;
            int u = t->unit[k];
            for (int q = 0; u >= 0 && q < t->n; q++) {
                int v = t->unit[q];
                if (v < 0)
                    continue;
                for (int e = p->unit_succ_start[v]; e < p->unit_succ_start[v + 1]; e++)
                    if (p->unit_succ[e] == u) {
                        if (!taken[q])
                            known = 0;
                        else if (finish[q] > ready)
                            ready = finish[q];
                    }
            }
            if (ready_first) {
                if (known && ready <= now)
                    pick = k;
            } else {
                if (!known) /* the list is topological: cannot happen */
                    return -1;
                pick = k, start = ready > now ? ready : now;
            }
        }
        if (pick < 0) { /* ready first, nothing ready: until the next task ends */
            double next = -1;
            for (int k = 0; k < t->n; k++)
                if (taken[k] && finish[k] > now && (next < 0 || finish[k] < next))
                    next = finish[k];
            if (next < 0)
                return -1;
            w[j] = next;
            continue;
        }
        taken[pick] = 1;
        finish[pick] = start + t->ns[pick];
        w[j] = finish[pick];
        end = finish[pick] > end ? finish[pick] : end;
        left--;
    }
    return end;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sched_sim SCRIPT SECONDS\n");
        return 2;
    }
    vm_desc d;
    plan *p = bench_load_plan("sched_sim", argv[1], BLOCK, &d);
    if (!p)
        return 1;
    int nu = p->nunits, nr = 0;
    for (int i = 0; i < p->nops; i++)
        nr += p->ops[i].cls->read_ahead != NULL;
    int n = nu + nr;
    int *reads = malloc((size_t)(nr + 1) * sizeof *reads), *unit_of_task = malloc((size_t)n * sizeof *unit_of_task);
    double *read_ns = calloc((size_t)nr + 1, sizeof *read_ns), *unit_ns = calloc((size_t)nu + 1, sizeof *unit_ns);
    double *ns_old = calloc((size_t)nu + 1, sizeof *ns_old), *ns_new = calloc((size_t)n, sizeof *ns_new);
    double *finish = malloc((size_t)n * sizeof *finish);
    int *taken = malloc((size_t)n * sizeof *taken);
    int *unit_of_old = malloc((size_t)(nu + 1) * sizeof *unit_of_old);
    if (!reads || !unit_of_task || !read_ns || !unit_ns || !ns_old || !ns_new || !finish || !taken || !unit_of_old)
        return 1;
    for (int i = 0, r = 0; i < p->nops; i++)
        if (p->ops[i].cls->read_ahead)
            reads[r++] = i;
    for (int k = 0; k < nu; k++)
        unit_of_old[k] = unit_of_task[k] = p->unit_order[k];
    for (int k = nu; k < n; k++)
        unit_of_task[k] = -1;
    /* the clock's own cost (a system call), taken off every time read */
    double c0 = bench_cpu_now(), c1 = c0;
    for (int k = 0; k < 20000; k++)
        c1 = bench_cpu_now();
    double clock_ns = (c1 - c0) * 1e9 / 20000;
    int64_t length = p->length + p->tail;
    double seconds = atof(argv[2]);
    if (seconds > 0 && (int64_t)(seconds * p->tb.rate) < length)
        length = (int64_t)(seconds * p->tb.rate);
    double total = 0, old_total = 0, new_total = 0, read_total = 0;
    int64_t blocks = 0;
    for (int64_t pos = 0; pos < length && !p->failed; pos += BLOCK, blocks++) {
        int bn = (int)(length - pos < BLOCK ? length - pos : BLOCK);
        for (int r = 0; r < nr; r++) {
            const plan_op *op = &p->ops[reads[r]];
            double t0 = bench_cpu_now();
            op->cls->read_ahead(p, op->args, pos - op->offset, bn);
            read_ns[r] = (bench_cpu_now() - t0) * 1e9 - clock_ns;
        }
        for (int k = 0; k < nu; k++) {
            int u = p->unit_order[k];
            double t0 = bench_cpu_now();
            for (int j = p->unit_op_start[u]; j < p->unit_op_start[u + 1]; j++) {
                const plan_op *op = &p->ops[p->unit_ops[j]];
                op->cls->run(p, op->args, pos - op->offset, bn);
            }
            unit_ns[k] = (bench_cpu_now() - t0) * 1e9 - clock_ns;
        }
        for (int k = 0; k < nu; k++)
            ns_old[k] = ns_new[k] = unit_ns[k];
        for (int r = 0; r < nr; r++) { /* in order: a read is part of its op's unit */
            for (int k = 0; k < nu; k++)
                if (p->unit_order[k] == p->op_unit[reads[r]])
                    ns_old[k] += read_ns[r];
            ns_new[nu + r] = read_ns[r];
            read_total += read_ns[r];
        }
        for (int k = 0; k < n; k++)
            total += ns_new[k];
        task_list in_order = {nu, unit_of_old, ns_old}, ready = {n, unit_of_task, ns_new};
        double a = makespan(p, &in_order, 0, finish, taken);
        double b = makespan(p, &ready, 1, finish, taken);
        if (a < 0 || b < 0) {
            fprintf(stderr, "sched_sim: a block's tasks could not be scheduled\n");
            return 1;
        }
        old_total += a;
        new_total += b;
    }
    if (p->failed) {
        fprintf(stderr, "sched_sim: %s\n", p->error);
        return 1;
    }
    printf("sched_sim: %s, %.0f s in %lld blocks of %d: %d units, %d clip players (the clock's %.0f ns a read "
           "taken off each time)\n", argv[1], (double)length / p->tb.rate, (long long)blocks, BLOCK, nu, nr, clock_ns);
    printf("  one thread (every task's CPU time): %8.1f ms, of it reading %.1f ms (%.0f %%)\n", total / 1e6,
           read_total / 1e6, total > 0 ? 100 * read_total / total : 0);
    printf("  two threads, in order (reads inside the units): %8.1f ms  %.2fx one thread\n", old_total / 1e6,
           old_total > 0 ? total / old_total : 0);
    printf("  two threads, ready first (reads a block ahead):  %8.1f ms  %.2fx one thread\n", new_total / 1e6,
           new_total > 0 ? total / new_total : 0);
    free(reads), free(unit_of_task), free(read_ns), free(unit_ns), free(ns_old), free(ns_new), free(finish);
    free(taken), free(unit_of_old);
    vm_plan_free(&p);
    vm_desc_free(&d);
    return 0;
}
