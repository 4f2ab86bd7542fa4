/* sched.c - the block loop: Pure Data's "perform chain" shape. The graph was
 * flattened at compile time; here we only walk the list (on one thread), or
 * deal its tasks to two (the pool).
 *
 * The pool. Each block, both threads take tasks from one list: the plan's
 * units in plan.unit_order; second in the list, the tail the driver handed
 * over (the previous block's metering and file writing); after the units,
 * the driver's copy of this block's outputs (for the next tail); and last,
 * one task per clip player reading the next block's clips (op read_ahead:
 * pread and decode into the op's second reading). A thread takes the
 * first task in list order that no one has taken and that is ready (a
 * unit whose inputs are done, the copy once every unit is; the tail and
 * the reads always are), its own home's before the other's (deal_homes),
 * runs it, and counts down the units that wait for it. A block ends when
 * its units and its copy are done and every task is taken: the helper's
 * last task (a reading or the tail) may run on into the next block, whose
 * tasks that touch the same memory wait for it (the struct's fin).
 * Nothing is assigned in
 * advance, so a thread that is slow or not running at all (a busy
 * machine, one CPU) only takes fewer tasks: the other takes the rest.
 * Which thread runs a unit changes no byte (vm/compile_units.c: units
 * touch shared memory in plan order only; a clip player's reading and
 * mixing touch different memory, vm/ops.h).
 *
 * Why the reads: a block's units form a chain at the end (the dialogue
 * bus keys the music's compressor, the printmaster's limiter comes after
 * every bus) that one thread runs while the other would wait; and reading
 * the clips (the page cache's copy into the process, then the 24-bit
 * decode) is a third or more of a film mix's time, with nothing waiting
 * for it until the next block. So the thread that would wait reads ahead
 * instead. (Before, the reading was part of each track's unit and the
 * threads took the units in a fixed order, each waiting for a unit's
 * inputs before taking the next: two threads made the film mix 1.15x
 * faster than one on a quiet 2-CPU machine, 2026-12-05.)
 *
 * The threads float on the CPUs unless pinned (--pin): pinning each to a
 * fixed CPU made the default 1.45x slower than one thread beside one busy
 * process on two CPUs (issue 16), as the thread sharing its CPU held back
 * every block. A thread that waits spins briefly and then sleeps on a
 * futex, never yields in a loop: a sleeping waiter leaves its CPU idle, and
 * the kernel moves the thread it waits for (preempted by another process)
 * there at once.
 *
 * Whether the second thread helps at all is measured (sched_choice): on a
 * loaded machine (load 11-14 on 2 CPUs, 2026-12-05) the film mix took
 * 1.25-1.4x the wall time and 1.2-1.5x the user CPU on two threads that it
 * took on one, each thread waiting at every meeting for the other to be
 * scheduled. So the pool keeps trying both, in slices taking turns, and
 * runs the faster; blocks on one thread leave the helper asleep. */
#define _GNU_SOURCE /* sched_getaffinity, pthread_setaffinity_np */
#include "vm/sched.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void sched_run_block(plan *p, int64_t pos, int n)
{
    const plan_op *op = p->ops, *end = p->ops + p->nops;
    for (; op < end; op++)
        op->cls->run(p, op->args, pos - op->offset, n);
}

/* The task list, by position: the plan's units in plan.unit_order with
 * the tail second (so the thread that posts the block starts on the mix
 * while the other writes) and the copy last (sched_pool_set_copy: ready
 * when every unit is done): the nscan tasks a thread looks through for
 * one that is ready; then one read-ahead task per op that has one
 * (plan_op_class.read_ahead: the next block's clips read and decoded),
 * taken in turn from a counter when no unit is ready, the reads of most
 * channels first. A task is a unit number (0 .. nunits), TASK_TAIL,
 * TASK_COPY or TASK_READ - op. */
#define TAIL_PLACE 1
enum { TASK_TAIL = -1, TASK_COPY = -2, TASK_READ = -3 };

typedef struct {
    int64_t pos;
    int n;
    int next_n;           /* the next block, [pos + n, + next_n), read ahead; 0: none */
    void (*tail)(void *); /* NULL: none this block */
    void *tail_user;
    void (*copy)(void *, int64_t, int); /* NULL: none this block */
    void *copy_user;
} block_job;

struct sched_pool {
    plan *p;
    pthread_t thread;
    int ntasks;                   /* the units, the tail and the read-aheads */
    int nscan;                    /* the units, the tail and the copy: task[0 .. nscan) */
    int *task;                    /* by position: unit number, TASK_TAIL, TASK_COPY or TASK_READ - op index */
    int *home;                    /* by position: the worker that takes it first (deal_homes), -1: either */
    /* per position below nscan: the last block that took the task. Every
     * block takes every task, so when block b is posted each holds b - 1,
     * and a task is taken in block b by turning b - 1 into b: a thread that
     * looks late (still in an older block) can take nothing. */
    _Atomic uint32_t *taken;
    /* the read-aheads, per home h the positions [read_start[h],
     * read_start[h + 1]): the block in the high 32 bits (as above, a late
     * thread cannot take one of a later block), the next one to take in
     * the low ones */
    _Atomic uint64_t next_read[2];
    int read_start[3];
    /* per position: the last block whose task there has finished. A block
     * ends (sched_run_block_pool returns) when its units and its copy are
     * done and every task is taken, not when every task is done: the
     * helper may still be running its last task, a reading or the tail,
     * while the driver posts the next block (then the main thread does not
     * wait for the end of it). So a task of block b waits for its place's
     * task of block b - 1 (fin), and a unit for the readings of its clips
     * (unit_reads). */
    _Atomic uint32_t *fin;
    int *unit_read_start, *unit_reads; /* per unit: the places of its ops' readings */
    _Atomic uint32_t go;          /* the block posted (the helper sleeps on it) */
    _Atomic uint32_t ended;       /* tasks finished since the pool was made (waiters sleep on it) */
    _Atomic uint32_t done[2];     /* by block % 2: its tasks finished */
    _Atomic int go_sleepers, ended_sleepers; /* threads asleep on go, on ended */
    _Atomic int units_left;       /* units of this block not done (the copy waits for 0) */
    _Atomic int *waiting;         /* per unit: units it still waits for in this block */
    block_job job[2];             /* by block number % 2: a late reader of one never sees the next's */
    uint32_t block;
    int64_t ahead_pos;            /* the block read ahead (its reads done), -1: none */
    int ahead_n;
    void (*tail)(void *);         /* handed over for the next block */
    void *tail_user;
    void (*copy)(void *, int64_t, int); /* handed over for the next block */
    void *copy_user;
    _Atomic int quit;
    int slow_worker;              /* test hook (sched_pool_test_slow): -1 none */
    int late_worker;              /* test hook (sched_pool_test_late): -1 none */
    _Atomic int draining;         /* wait_block waits for every task (the late worker lets go) */
    _Atomic int64_t units_run[2]; /* per worker: units run since the pool was made */
    int pinned;                   /* --pin moved the calling thread: its old affinity */
    cpu_set_t old_affinity;
    int measure;                  /* 0: every block on two threads (SCHED_ALWAYS_TWO) */
    int64_t test_penalty_ns[2];   /* test hook (sched_pool_test_penalty): per block on one, on two */
    sched_choice choice;
    /* the CPUs' idle time during a run on one thread (sched_choice_idle) */
    cpu_set_t allowed;            /* the CPUs this process may use, when the pool was made */
    char *stat_buf;               /* /proc/stat read into it (no allocation while rendering) */
    size_t stat_cap;
    int64_t idle_from_ticks;      /* at the run's start: idle ticks of those CPUs (-1: unknown) */
    int64_t idle_from_ns;         /* and the time */
    double test_idle_cpus;        /* test hook (sched_pool_test_idle): reported instead; -2: none */
};

static void futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Waits until *addr != val: spins for up to spin_ns (the other side is
 * usually that close: sleeping and waking cost two system calls and a
 * context switch, measured 25 % slower on the film mix when it happened
 * every block), then sleeps. Sleeping matters on a busy machine: a thread
 * that waits for one preempted in the middle of a task leaves its CPU
 * idle, and the kernel moves the preempted one there at once, where a
 * spinning or yielding waiter would hold the CPU for the other process's
 * whole time slice. *sleepers counts the threads asleep on addr. */
static void wait_change(_Atomic uint32_t *addr, uint32_t val, _Atomic int *sleepers, int64_t spin_ns)
{
    int64_t until = 0;
    for (int i = 0;; i++) {
        if (atomic_load(addr) != val)
            return;
        __builtin_ia32_pause();
        if ((i & 31) == 31) {
            int64_t t = now_ns();
            if (!until)
                until = t + spin_ns;
            else if (t > until)
                break;
        }
    }
    while (atomic_load(addr) == val) {
        atomic_fetch_add(sleepers, 1);
        if (atomic_load(addr) == val)
            futex_wait(addr, val);
        atomic_fetch_sub(sleepers, 1);
    }
}

static void post(_Atomic uint32_t *addr, _Atomic int *sleepers)
{
    atomic_fetch_add(addr, 1);
    if (atomic_load(sleepers))
        futex_wake(addr);
}

/* How long a waiting thread spins before it sleeps: longer than any wait
 * on a quiet machine (a task takes microseconds; the largest, a read-ahead
 * that refills its 32 KiB chunks (media.c RAW_BYTES), some tens), far shorter than another
 * process's time slice (milliseconds). */
#define SPIN_GO_NS 200000
#define SPIN_TASK_NS 200000

/* Every op of p that reads ahead, for block [pos, pos + n). */
static void read_ahead_all(plan *p, int64_t pos, int n)
{
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls->read_ahead)
            p->ops[i].cls->read_ahead(p, p->ops[i].args, pos - p->ops[i].offset, n);
}

static void run_task(sched_pool *s, int t, int worker, const block_job *job)
{
    plan *p = s->p;
    if (t == TASK_TAIL) {
        if (job->tail)
            job->tail(job->tail_user);
    } else if (t == TASK_COPY) {
        if (job->copy)
            job->copy(job->copy_user, job->pos, job->n);
    } else if (t <= TASK_READ) {
        const plan_op *op = &p->ops[TASK_READ - t];
        if (job->next_n > 0)
            op->cls->read_ahead(p, op->args, job->pos + job->n - op->offset, job->next_n);
    } else {
        for (int k = p->unit_op_start[t]; k < p->unit_op_start[t + 1]; k++) {
            const plan_op *o = &p->ops[p->unit_ops[k]];
            o->cls->run(p, o->args, job->pos - o->offset, job->n);
        }
        for (int k = p->unit_succ_start[t]; k < p->unit_succ_start[t + 1]; k++)
            atomic_fetch_sub_explicit(&s->waiting[p->unit_succ[k]], 1, memory_order_release);
        atomic_fetch_sub_explicit(&s->units_left, 1, memory_order_release);
        atomic_fetch_add_explicit(&s->units_run[worker], 1, memory_order_relaxed);
    }
}

/* The test hook: after each task, the slow worker waits (yielding) until
 * every task of block b is taken, so the other must take them all. It
 * holds nothing while it waits: the other never waits for it. */
static void slow_down(sched_pool *s, uint32_t b)
{
    for (int i = 0; i < s->nscan; i++)
        while (atomic_load(&s->taken[i]) != b && atomic_load(&s->go) == b)
            sched_yield();
    for (int h = 0; h < 2; h++)
        while (atomic_load(&s->next_read[h]) <
                   ((uint64_t)b << 32 | (uint32_t)(s->read_start[h + 1] - s->read_start[h])) &&
               atomic_load(&s->go) == b)
            sched_yield();
}

/* Takes the next read-ahead of block b whose home is h: its place in the
 * task list, 0 when none is left (or this thread is late). */
static int take_read(sched_pool *s, uint32_t b, int h)
{
    _Atomic uint64_t *next = &s->next_read[h];
    uint64_t v = atomic_load(next);
    while ((uint32_t)(v >> 32) == b && (uint32_t)v < (uint32_t)(s->read_start[h + 1] - s->read_start[h]))
        if (atomic_compare_exchange_weak(next, &v, v + 1))
            return s->read_start[h] + (int)(uint32_t)v;
    return 0;
}

/* Whether the task at place i of block b has its place's task of block
 * b - 1 finished (the helper may still run it: the struct's fin). */
static int last_done(const sched_pool *s, int i, uint32_t b)
{
    return atomic_load_explicit(&s->fin[i], memory_order_acquire) == b - 1;
}

/* Whether unit u's clips have been read for block b: its readings of
 * block b - 1 (or already of b) finished. */
static int unit_reads_done(const sched_pool *s, int u, uint32_t b)
{
    for (int k = s->unit_read_start[u]; k < s->unit_read_start[u + 1]; k++)
        if (b - atomic_load_explicit(&s->fin[s->unit_reads[k]], memory_order_acquire) > 1)
            return 0;
    return 1;
}

/* Whether the task t at place i (below nscan) of block b may run: its
 * place's task of block b - 1 finished; a unit's inputs done in this block
 * and its clips read; the copy after every unit of this block, and after
 * the tail of block b - 1 (the tail writes what the copy of two blocks
 * before filled). */
static int scan_ready(const sched_pool *s, int i, int t, uint32_t b)
{
    if (!last_done(s, i, b))
        return 0;
    if (t >= 0)
        return atomic_load_explicit(&s->waiting[t], memory_order_acquire) == 0 && unit_reads_done(s, t, b);
    if (t == TASK_COPY)
        return atomic_load_explicit(&s->units_left, memory_order_acquire) == 0 &&
               b - atomic_load_explicit(&s->fin[TAIL_PLACE], memory_order_acquire) <= 1;
    return 1;
}

/* Until the task at place i of block b - 1 has finished: the other
 * thread's last task of that block, a task long at most. */
static void wait_last_done(sched_pool *s, int i, uint32_t b)
{
    for (;;) {
        uint32_t e = atomic_load(&s->ended);
        if (last_done(s, i, b))
            return;
        wait_change(&s->ended, e, &s->ended_sleepers, SPIN_TASK_NS);
    }
}

/* Runs the task at place i of block b, taken by worker, and counts it
 * done. */
static void run_taken(sched_pool *s, int i, int worker, const block_job *job, uint32_t b)
{
    if (worker == s->late_worker && s->task[i] < 0 && s->task[i] != TASK_COPY)
        while (atomic_load(&s->go) == b && !atomic_load(&s->draining))
            sched_yield(); /* the test hook: a reading or tail held until the next block is posted */
    run_task(s, s->task[i], worker, job);
    atomic_store_explicit(&s->fin[i], b, memory_order_release);
    atomic_fetch_add_explicit(&s->done[b & 1], 1, memory_order_release);
    post(&s->ended, &s->ended_sleepers);
    if (worker == s->slow_worker)
        slow_down(s, b);
}

/* Takes and runs the tasks of block b until none is left to take. Each
 * round takes the first unit or tail in list order that is free, ready (a
 * unit whose inputs are done; the tail always is) and not the other
 * thread's (deal_homes); else the next read-ahead of its own; else the
 * first ready unit of the other's; else the other's next read-ahead. So a
 * thread never waits while there is work it may do (list scheduling), and
 * mostly touches the buffers it touched in the blocks before. When every
 * free task waits for units running on the other thread, it spins
 * briefly, then sleeps until a task ends (wait_change). */
static void take_tasks(sched_pool *s, int worker, uint32_t b)
{
    const block_job *job = &s->job[b & 1];
    int first = 0; /* the tasks before it are taken */
    for (int idle = 0;;) {
        int left = 0, took = 0, other = -1;
        uint32_t d = atomic_load(&s->ended); /* before the scan: a task that ends after it is seen */
        for (int i = first; i < s->nscan; i++) {
            uint32_t v = atomic_load_explicit(&s->taken[i], memory_order_relaxed);
            if (v == b) {
                if (i == first)
                    first++;
                continue;
            }
            if (v != b - 1)
                return; /* a later block: this thread is late */
            left = 1;
            int t = s->task[i];
            if (!scan_ready(s, i, t, b))
                continue;
            if (s->home[i] == !worker) { /* the other's: when this thread has nothing of its own */
                if (other < 0)
                    other = i;
                continue;
            }
            if (!atomic_compare_exchange_strong(&s->taken[i], &v, b)) {
                if (v != b)
                    return;
                continue;
            }
            run_taken(s, i, worker, job, b);
            took = 1;
            break;
        }
        if (!took) { /* no unit of its own ready: a read-ahead of its own, else the other's */
            int i = take_read(s, b, worker);
            if (!i && other >= 0) {
                uint32_t v = b - 1;
                if (atomic_compare_exchange_strong(&s->taken[other], &v, b)) {
                    run_taken(s, other, worker, job, b);
                    took = 1;
                } else if (v != b) {
                    return; /* a later block: this thread is late */
                }
            }
            if (!took && !i)
                i = take_read(s, b, !worker);
            if (i) {
                wait_last_done(s, i, b);
                run_taken(s, i, worker, job, b);
                took = 1;
            }
        }
        if (!left && !took)
            return;
        if (took) {
            idle = 0;
        } else if (++idle < 64) {
            __builtin_ia32_pause();
        } else { /* every free task waits for one the other thread runs: until a task ends */
            wait_change(&s->ended, d, &s->ended_sleepers, SPIN_TASK_NS);
            idle = 0;
        }
    }
}

static void *helper_main(void *arg)
{
    sched_pool *s = arg;
    uint32_t seen = 0;
    for (;;) {
        wait_change(&s->go, seen, &s->go_sleepers, SPIN_GO_NS);
        seen = atomic_load(&s->go);
        if (atomic_load(&s->quit))
            break;
        take_tasks(s, 1, seen);
    }
    return NULL;
}

/* The CPUs this process may run on. */
static int cpus_allowed(cpu_set_t *set)
{
    return sched_getaffinity(0, sizeof *set, set) == 0 ? CPU_COUNT(set) : 1;
}

/* --pin: this thread on the CPU where it runs, the helper on the next one
 * allowed. Left to itself the kernel now and then puts both on one CPU
 * for a while on a quiet machine; but a pinned thread cannot leave a CPU
 * that another process keeps busy. This thread gets its old affinity back
 * on destroy. */
static void pin_pair(sched_pool *s)
{
    cpu_set_t allowed, one;
    int here = sched_getcpu();
    if (cpus_allowed(&allowed) < 2 || here < 0 || here >= CPU_SETSIZE || !CPU_ISSET(here, &allowed))
        return;
    int other = here;
    for (int k = 1; k < CPU_SETSIZE && other == here; k++)
        if (CPU_ISSET((here + k) % CPU_SETSIZE, &allowed))
            other = (here + k) % CPU_SETSIZE;
    s->old_affinity = allowed;
    s->pinned = 1;
    CPU_ZERO(&one);
    CPU_SET(here, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    CPU_ZERO(&one);
    CPU_SET(other, &one);
    pthread_setaffinity_np(s->thread, sizeof one, &one);
}

/* The choice's lengths, measured beside a busy process on the 2-vCPU
 * machine of docs/bench.md (2026-12-05, every block's wall time logged):
 * a block's time is heavy-tailed (median 50-75 us, a tenth over 300 us on
 * two threads: the waits for a preempted partner), so slices of 32
 * blocks, 8 pairs, chose two threads in 20-26 % of the tries where they
 * were 1.2-1.35x slower over the whole render; slices of 128 blocks and
 * more, in 0-8 %. The first block on two after blocks on one costs about
 * 1 ms there (the helper woken, the clips read on one thread), a cost of
 * switching, not of running on two: settle_frames leaves it out. */
void sched_choice_init(sched_choice *c)
{
    *c = (sched_choice){.slice_frames = 131072, .slices = 4, .settle_frames = 8192, .run_frames = 8388608, .two = 1};
}

/* Starts a try, on two threads (a render shorter than a slice, and the
 * tests of the bytes through the command line, then run on two); the
 * lengths and the tally kept. */
static void choice_try(sched_choice *c)
{
    *c = (sched_choice){.slice_frames = c->slice_frames, .slices = c->slices, .settle_frames = c->settle_frames,
                        .run_frames = c->run_frames, .phase = 0, .two = 1, .ones = c->ones, .tally = c->tally};
}

/* A run on one thread starts: its length counted from here, the CPUs'
 * idle time too. */
static void choice_run_one(sched_choice *c)
{
    c->frames = 0;
    c->idle_mark = 1;
    c->idle_ask = 0;
}

/* Ends the try: two threads or one for the run. */
static void choice_run(sched_choice *c, int two, int cut)
{
    for (int k = 0; k < 2; k++)
        c->tally.ns_per_frame[k] = c->tried_frames[k] ? (double)c->tried_ns[k] / (double)c->tried_frames[k] : 0;
    c->tally.tries++;
    c->tally.tries_two += two;
    c->tally.tries_cut += cut;
    c->phase = 1;
    c->two = two;
    c->ones = two ? 0 : c->ones + 1;
    c->frames = 0;
    c->check_frames = c->check_ns = c->run_ns = 0;
    if (!two)
        choice_run_one(c);
}

void sched_choice_account(sched_choice *c, int n, int64_t ns)
{
    c->tally.blocks[c->two]++;
    int64_t from = c->frames;
    c->frames += n;
    if (c->phase == 0) {
        if (from >= c->settle_frames) {
            c->tried_frames[c->two] += n;
            c->tried_ns[c->two] += ns;
        }
        if (c->frames < c->slice_frames)
            return;
        c->frames = 0;
        ++c->slice;
        /* ns per frame on two over one, cross-multiplied (a kind may have counted nothing yet) */
        double two_ns = (double)c->tried_ns[1] * (double)c->tried_frames[0];
        double one_ns = (double)c->tried_ns[0] * (double)c->tried_frames[1];
        int paired = c->slice % 2 == 0 && c->slice < 2 * c->slices;
        if (paired && two_ns > 1.15 * one_ns) {
            choice_run(c, 0, 1); /* clearly slower on two: no more of the try on two */
        } else if (paired && two_ns < 0.75 * one_ns) {
            choice_run(c, 1, 0); /* clearly faster on two: no more of the try on one */
            c->tally.tries_quick++;
        } else if (c->slice < 2 * c->slices) {
            c->two = !c->two; /* the other kind's slice */
        } else {
            choice_run(c, c->tried_frames[1] > 0 && two_ns < 0.95 * one_ns, 0);
        }
        return;
    }
    if (c->two) { /* still faster than one thread was? */
        c->check_frames += n;
        c->check_ns += ns;
        c->run_ns += ns;
        if (c->check_frames >= c->slices * c->slice_frames) {
            if ((double)c->check_ns > c->tally.ns_per_frame[0] * (double)c->check_frames) {
                c->tally.runs_cut++;
                choice_try(c);
                return;
            }
            c->check_frames = c->check_ns = 0;
        }
    }
    /* after tries that kept one thread in a row, runs of 2 and 4 times the
     * length: beside a busy process every try costs a slice on two */
    if (c->frames >= c->run_frames << (c->two || c->ones < 2 ? 0 : c->ones < 3 ? 1 : 2)) {
        if (c->two && (double)c->run_ns < 0.75 * c->tally.ns_per_frame[0] * (double)c->frames) {
            c->tally.runs_extended++; /* clearly faster all along: another run */
            c->frames = c->run_ns = 0;
        } else if (c->two) {
            choice_try(c);
        } else {
            c->idle_ask = 1; /* on one thread until sched_choice_idle */
        }
    }
}

void sched_choice_idle(sched_choice *c, double idle_cpus)
{
    if (!c->idle_ask)
        return;
    if (idle_cpus >= 0 && idle_cpus < 0.5) {
        c->tally.tries_skipped++;
        choice_run_one(c); /* as long as the last: a skip costs nothing, unlike a try */
    } else {
        choice_try(c);
    }
}

char *sched_tally_describe(const sched_tally *t, char *buf, size_t size)
{
    char tries[64] = "", cut[64] = "", quick[64] = "", runs[64] = "", skipped[64] = "", extended[96] = "",
         last[96] = "";
    if (t->tries > 0) {
        snprintf(tries, sizeof tries, "; %d %s, two kept after %d", t->tries, t->tries == 1 ? "try" : "tries",
                 t->tries_two);
        snprintf(last, sizeof last, "; the last try: %.1f ns a frame on one thread, %.1f on two",
                 t->ns_per_frame[0], t->ns_per_frame[1]);
    }
    if (t->tries_cut > 0)
        snprintf(cut, sizeof cut, ", %d cut short (two clearly slower)", t->tries_cut);
    if (t->tries_quick > 0)
        snprintf(quick, sizeof quick, ", %d ended early (two clearly faster)", t->tries_quick);
    if (t->runs_cut > 0)
        snprintf(runs, sizeof runs, ", %d %s on two cut short (slower than one)", t->runs_cut,
                 t->runs_cut == 1 ? "run" : "runs");
    if (t->tries_skipped > 0)
        snprintf(skipped, sizeof skipped, "; %d %s skipped (no CPU idle)", t->tries_skipped,
                 t->tries_skipped == 1 ? "try" : "tries");
    if (t->runs_extended > 0)
        snprintf(extended, sizeof extended, "; %d %s on two extended without a try (clearly faster)",
                 t->runs_extended, t->runs_extended == 1 ? "run" : "runs");
    snprintf(buf, size, "%lld blocks on two threads, %lld on one%s%s%s%s%s%s%s", (long long)t->blocks[1],
             (long long)t->blocks[0], tries, cut, quick, runs, skipped, extended, last);
    return buf;
}

static int find_group(int *parent, int u)
{
    while (parent[u] != u)
        u = parent[u] = parent[parent[u]];
    return u;
}

/* Something to deal out (a group of units, a read-ahead) and its cost,
 * sorted costliest first, equal costs by index (plan order). */
typedef struct {
    double cost;
    int index;
} costed;

static int costlier_first(const void *a, const void *b)
{
    const costed *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Each unit's home: the thread that takes it first (0, 1; -1: either).
 * Two threads lose most of their time to the buffers moving between
 * the CPUs' caches: on the film mix (2-vCPU VM, 2026-12-06) a clip
 * player's mixing took 3.6-4x, a bus's sums 2.3-2.5x its time on one
 * thread when the track it reads (or the bus it writes) was last touched
 * by the other thread, while the EQ and the compressor, which work in
 * their own memory, took 1.0-1.2x. So the units that feed each other
 * (a track, its reading and the bus it feeds; a bus keying another's
 * compressor) share a home, and the homes split the estimated cost. The
 * units no unit waits for (the master's strip: it reads every bus)
 * belong to neither, unless they read clips. When one group would hold
 * over three quarters of the cost, each unit is a group of its own. */
static int deal_homes(const plan *p, int *home)
{
    int n = p->nunits;
    int *parent = malloc((size_t)n * sizeof *parent), *sink = calloc((size_t)n, sizeof *sink);
    double *cost = calloc((size_t)n, sizeof *cost);
    if (!parent || !sink || !cost) {
        free(parent), free(sink), free(cost);
        return 0;
    }
    for (int u = 0; u < n; u++)
        sink[u] = p->unit_succ_start[u] == p->unit_succ_start[u + 1];
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls->read_ahead)
            sink[p->op_unit[i]] = 0;
    for (int u = 0; u < n; u++)
        parent[u] = u;
    for (int u = 0; u < n; u++)
        for (int k = p->unit_succ_start[u]; k < p->unit_succ_start[u + 1]; k++)
            if (!sink[u] && !sink[p->unit_succ[k]])
                parent[find_group(parent, u)] = find_group(parent, p->unit_succ[k]);
    double total = 0, largest = 0;
    for (int u = 0; u < n; u++)
        if (!sink[u]) {
            total += p->unit_cost[u];
            cost[find_group(parent, u)] += p->unit_cost[u];
        }
    for (int u = 0; u < n; u++)
        largest = cost[u] > largest ? cost[u] : largest;
    if (largest > 0.75 * total)
        for (int u = 0; u < n; u++) {
            parent[u] = u;
            cost[u] = sink[u] ? 0 : p->unit_cost[u];
        }
    /* the heaviest group first (equal costs: the lower unit first), to the
     * lighter home; sorted, so a session of thousands of tracks is dealt in
     * n log n */
    costed *groups = malloc((size_t)(n ? n : 1) * sizeof *groups);
    if (!groups) {
        free(parent), free(sink), free(cost);
        return 0;
    }
    int ngroups = 0;
    for (int u = 0; u < n; u++)
        if (!sink[u] && parent[u] == u)
            groups[ngroups++] = (costed){cost[u], u};
    qsort(groups, (size_t)ngroups, sizeof *groups, costlier_first);
    double load[2] = {0, 0};
    for (int u = 0; u < n; u++)
        home[u] = -1;
    for (int k = 0; k < ngroups; k++) {
        int g = groups[k].index;
        home[g] = load[1] < load[0];
        load[home[g]] += cost[g];
    }
    free(groups);
    for (int u = 0; u < n; u++) /* a sink is its own group, dealt none: -1 */
        home[u] = home[find_group(parent, u)];
    free(parent), free(sink), free(cost);
    return 1;
}

/* The task list (see TAIL_PLACE), each task's home, the read-aheads'
 * places and each unit's readings: 0 when out of memory. */
static int task_list(sched_pool *s, const plan *p)
{
    int nread = 0;
    for (int i = 0; i < p->nops; i++)
        nread += p->ops[i].cls->read_ahead != NULL;
    int n = p->nunits + 2 + nread, k = 0;
    int *unit_home = malloc((size_t)p->nunits * sizeof *unit_home);
    costed *reads = malloc((size_t)(nread ? nread : 1) * sizeof *reads);
    s->task = malloc((size_t)n * sizeof *s->task);
    s->home = malloc((size_t)n * sizeof *s->home);
    s->unit_read_start = calloc((size_t)p->nunits + 1, sizeof *s->unit_read_start);
    s->unit_reads = malloc((size_t)(nread ? nread : 1) * sizeof *s->unit_reads);
    if (!unit_home || !reads || !s->task || !s->home || !s->unit_read_start || !s->unit_reads ||
        !deal_homes(p, unit_home)) {
        free(unit_home), free(reads);
        return 0;
    }
    for (int u = 0; u < p->nunits; u++) {
        if (k == TAIL_PLACE) {
            s->home[k] = -1;
            s->task[k++] = TASK_TAIL;
        }
        s->home[k] = unit_home[p->unit_order[u]];
        s->task[k++] = p->unit_order[u];
    }
    s->home[k] = -1;
    s->task[k++] = TASK_COPY;
    s->read_start[0] = k;
    for (int h = 0; h < 2; h++) { /* a read-ahead's home: its unit's (0 for either) */
        int m = 0;
        for (int i = 0; i < p->nops; i++)
            if (p->ops[i].cls->read_ahead && (unit_home[p->op_unit[i]] == 1) == h)
                reads[m++] = (costed){p->ops[i].channels, i};
        /* the reads of most channels first: the longest tasks first, so
         * the ones left at the end of a block, when the other thread may
         * have nothing else to take, are the shortest */
        qsort(reads, (size_t)m, sizeof *reads, costlier_first);
        for (int j = 0; j < m; j++) {
            s->home[k] = h;
            s->task[k++] = TASK_READ - reads[j].index;
            s->unit_read_start[p->op_unit[reads[j].index] + 1]++;
        }
        s->read_start[h + 1] = k;
    }
    for (int u = 0; u < p->nunits; u++) /* counts to starts; then each unit's places */
        s->unit_read_start[u + 1] += s->unit_read_start[u];
    int *fill = calloc((size_t)p->nunits + 1, sizeof *fill);
    if (!fill) {
        free(unit_home), free(reads);
        return 0;
    }
    for (int i = s->read_start[0]; i < k; i++) {
        int u = p->op_unit[TASK_READ - s->task[i]];
        s->unit_reads[s->unit_read_start[u] + fill[u]++] = i;
    }
    free(fill), free(unit_home), free(reads);
    s->ntasks = n;
    return 1;
}

static void pool_free(sched_pool *s)
{
    free(s->stat_buf);
    free(s->waiting);
    free(s->task);
    free(s->home);
    free(s->unit_read_start);
    free(s->unit_reads);
    free((void *)s->taken);
    free((void *)s->fin);
    free(s);
}

const char *sched_pool_unavailable(const plan *p)
{
    cpu_set_t allowed;
    if (p->nunits < 2)
        return "the mix is one unit of work";
    if (cpus_allowed(&allowed) < 2)
        return "this process may use one CPU only";
    return NULL;
}

sched_pool *sched_pool_create(plan *p, int flags)
{
    if (sched_pool_unavailable(p))
        return NULL;
    sched_pool *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->waiting = malloc((size_t)p->nunits * sizeof *s->waiting);
    int listed = task_list(s, p);
    s->nscan = p->nunits + 2;
    s->taken = listed ? calloc((size_t)s->nscan, sizeof *s->taken) : NULL; /* 0: taken in block 0 */
    s->fin = listed ? calloc((size_t)s->ntasks, sizeof *s->fin) : NULL;  /* and finished */
    if (!s->waiting || !listed || !s->taken || !s->fin) {
        pool_free(s);
        return NULL;
    }
    s->p = p;
    s->slow_worker = -1;
    s->late_worker = -1;
    s->block = 0;
    s->ahead_pos = -1;
    atomic_store(&s->done[0], (uint32_t)s->ntasks); /* block 0's */
    s->measure = !(flags & SCHED_ALWAYS_TWO);
    sched_choice_init(&s->choice);
    cpus_allowed(&s->allowed);
    long cpus = sysconf(_SC_NPROCESSORS_CONF);
    s->stat_cap = 4096 + 256 * (size_t)(cpus > 0 && cpus < CPU_SETSIZE ? cpus : CPU_SETSIZE);
    s->stat_buf = malloc(s->stat_cap);
    s->idle_from_ticks = -1;
    s->test_idle_cpus = -2;
    if (pthread_create(&s->thread, NULL, helper_main, s) != 0) {
        pool_free(s);
        return NULL;
    }
    if (flags & SCHED_PIN)
        pin_pair(s);
    return s;
}

/* Until every task of block b has finished (done[b % 2] counts them).
 * with_copy: or only its copy (so its units too) and every task of block
 * b - 1. */
static void wait_block(sched_pool *s, uint32_t b, int with_copy)
{
    atomic_store(&s->draining, !with_copy);
    for (;;) {
        uint32_t e = atomic_load(&s->ended);
        if (with_copy ? atomic_load_explicit(&s->fin[s->nscan - 1], memory_order_acquire) == b &&
                            atomic_load_explicit(&s->done[(b - 1) & 1], memory_order_acquire) == (uint32_t)s->ntasks
                      : atomic_load_explicit(&s->done[b & 1], memory_order_acquire) == (uint32_t)s->ntasks) {
            atomic_store(&s->draining, 0);
            return;
        }
        wait_change(&s->ended, e, &s->ended_sleepers, SPIN_TASK_NS);
    }
}

/* One block on two threads; the next block's clips are read during it.
 * It returns when its units and its copy are done and every task is
 * taken: the helper may still be running its last task (a reading or the
 * tail), which the next block's tasks that touch the same memory wait
 * for (scan_ready, wait_last_done), and the block's end waits for. */
static void run_two(sched_pool *s, int64_t pos, int n, int next_n)
{
    plan *p = s->p;
    if (s->ahead_pos != pos || s->ahead_n != n) { /* not read ahead: the first block, or after blocks on one */
        wait_block(s, s->block, 0); /* nothing of the blocks before still running */
        if (s->ahead_pos >= 0) /* read ahead for another block than this: dropped, read again from here */
            for (int i = 0; i < p->nops; i++)
                if (p->ops[i].cls->read_ahead && p->ops[i].cls->rewind)
                    p->ops[i].cls->rewind(p->ops[i].args);
        read_ahead_all(p, pos, n);
    }
    uint32_t b = ++s->block;
    /* every task of block b - 2 is done and every unit of b - 1: nothing
     * reads these now */
    s->job[b & 1] = (block_job){pos, n, next_n, s->tail, s->tail_user, s->copy, s->copy_user};
    s->tail = NULL;
    s->copy = NULL;
    s->ahead_pos = next_n > 0 ? pos + n : -1;
    s->ahead_n = next_n;
    for (int u = 0; u < p->nunits; u++)
        atomic_store_explicit(&s->waiting[u], p->unit_npred[u], memory_order_relaxed);
    atomic_store(&s->units_left, p->nunits);
    atomic_store(&s->done[b & 1], 0);
    atomic_store(&s->next_read[0], (uint64_t)b << 32);
    atomic_store(&s->next_read[1], (uint64_t)b << 32);
    post(&s->go, &s->go_sleepers); /* go = b: publishes the above */
    take_tasks(s, 0, b);
    wait_block(s, b, 1);
}

/* The idle time (idle and iowait, in ticks of USER_HZ) of the CPUs this
 * process may use, from /proc/stat's cpuN lines; -1 when it cannot be
 * read (no /proc, an unexpected form, a line beyond the buffer). Reads
 * into stat_buf: no allocation. */
static int64_t idle_ticks(sched_pool *s)
{
    if (!s->stat_buf)
        return -1;
    int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    ssize_t got;
    while (len < s->stat_cap - 1 && (got = read(fd, s->stat_buf + len, s->stat_cap - 1 - len)) > 0)
        len += (size_t)got;
    close(fd);
    s->stat_buf[len] = '\0';
    int64_t ticks = 0;
    int found = 0;
    for (const char *line = s->stat_buf; strncmp(line, "cpu", 3) == 0;) {
        const char *nl = strchr(line, '\n');
        if (!nl)
            return -1; /* cut off by the buffer's end */
        char *end;
        long cpu = line[3] >= '0' && line[3] <= '9' ? strtol(line + 3, &end, 10) : -1;
        if (cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET((int)cpu, &s->allowed)) {
            /* user nice system idle iowait ... */
            unsigned long long f[5];
            if (sscanf(end, "%llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4]) != 5)
                return -1;
            ticks += (int64_t)(f[3] + f[4]);
            found++;
        }
        line = nl + 1;
    }
    return found ? ticks : -1;
}

/* The choice's questions about the CPUs' idle time (sched_choice.idle_mark,
 * idle_ask), answered from /proc/stat: between them, a run on one thread
 * of a few hundred milliseconds at least, whole ticks of 10 ms. */
static void answer_idle(sched_pool *s)
{
    sched_choice *c = &s->choice;
    if (c->idle_mark) {
        c->idle_mark = 0;
        s->idle_from_ticks = idle_ticks(s);
        s->idle_from_ns = now_ns();
    }
    if (!c->idle_ask)
        return;
    double idle = -1;
    int64_t to = idle_ticks(s), wall = now_ns() - s->idle_from_ns;
    long hz = sysconf(_SC_CLK_TCK);
    /* under 100 ms (ten ticks) the figure says little */
    if (s->idle_from_ticks >= 0 && to >= s->idle_from_ticks && hz > 0 && wall >= 100000000)
        idle = (double)(to - s->idle_from_ticks) / (double)hz / ((double)wall * 1e-9);
    if (s->test_idle_cpus > -2)
        idle = s->test_idle_cpus;
    sched_choice_idle(c, idle);
    if (c->idle_mark) /* another run on one thread */
        answer_idle(s);
}

void sched_run_block_pool(sched_pool *s, int64_t pos, int n, int next_n)
{
    if (!s->measure) {
        run_two(s, pos, n, next_n);
        s->choice.tally.blocks[1]++;
        return;
    }
    int64_t t0 = now_ns();
    if (s->choice.two) {
        run_two(s, pos, n, next_n);
    } else { /* the helper sleeps: the tail handed over, then the block and its copy, here */
        wait_block(s, s->block, 0); /* the last block on two has ended */
        if (s->tail)
            s->tail(s->tail_user);
        s->tail = NULL;
        s->ahead_pos = -1; /* its clips read (ahead or not) by the block itself */
        sched_run_block(s->p, pos, n);
        if (s->copy)
            s->copy(s->copy_user, pos, n);
        s->copy = NULL;
    }
    sched_choice_account(&s->choice, n, now_ns() - t0 + s->test_penalty_ns[s->choice.two]);
    if (s->choice.idle_mark || s->choice.idle_ask)
        answer_idle(s);
}

int sched_pool_next_two(const sched_pool *s)
{
    return !s->measure || s->choice.two;
}

sched_choice *sched_pool_choice(sched_pool *s)
{
    return &s->choice;
}

void sched_pool_set_tail(sched_pool *s, void (*fn)(void *), void *user)
{
    s->tail = fn;
    s->tail_user = user;
}

void sched_pool_set_copy(sched_pool *s, void (*fn)(void *, int64_t, int), void *user)
{
    s->copy = fn;
    s->copy_user = user;
}

void sched_pool_test_slow(sched_pool *s, int worker)
{
    s->slow_worker = worker;
}

void sched_pool_test_late(sched_pool *s, int worker)
{
    s->late_worker = worker == 1 ? 1 : -1; /* the driver's own thread must not wait for itself */
}

void sched_pool_test_penalty(sched_pool *s, int two, int64_t ns)
{
    s->test_penalty_ns[two & 1] = ns;
}

void sched_pool_test_idle(sched_pool *s, double idle_cpus)
{
    s->test_idle_cpus = idle_cpus;
}

int64_t sched_pool_units_run(const sched_pool *s, int worker)
{
    return atomic_load((_Atomic int64_t *)&s->units_run[worker & 1]);
}

void sched_pool_destroy(sched_pool **ps)
{
    sched_pool *s = *ps;
    if (!s)
        return;
    wait_block(s, s->block, 0); /* the last block on two has ended */
    if (s->tail) /* handed over, no block ran after it */
        s->tail(s->tail_user);
    atomic_store(&s->quit, 1);
    post(&s->go, &s->go_sleepers);
    pthread_join(s->thread, NULL);
    if (s->pinned)
        pthread_setaffinity_np(pthread_self(), sizeof s->old_affinity, &s->old_affinity);
    pool_free(s);
    *ps = NULL;
}
