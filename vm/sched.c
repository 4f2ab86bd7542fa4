/* sched.c - the block loop: Pure Data's "perform chain" shape. The graph was
 * flattened at compile time; here we only walk the list (on one thread), or
 * deal its units of work to two (the pool).
 *
 * The pool. Each block, both threads take tasks from one list with an
 * atomic counter: the plan's units in plan.unit_order, and, second in the
 * list, the tail the driver handed over (the previous block's metering and
 * file writing). A thread that takes a unit waits (spinning, then yielding
 * its CPU) until the units it depends on are done, runs its ops in plan
 * order, and counts down the units that wait for it. Nothing is assigned
 * in advance, so a thread that is slow or not running at all (a busy
 * machine, one CPU) only takes fewer tasks: the other takes the rest, and
 * a block never waits for a thread that took nothing. Which thread runs a
 * unit changes no byte (vm/compile_units.c: units touch shared memory in
 * plan order only). The threads float on the CPUs unless pinned (--pin):
 * pinning each to a fixed CPU made the default 1.45x slower than one thread
 * beside one busy process on two CPUs (issue 16), as the thread sharing its
 * CPU held back every block.
 *
 * Whether the second thread helps at all is measured (sched_choice): on a
 * loaded machine (load 11-14 on 2 CPUs, 2026-12-05) the film mix took
 * 1.25-1.4x the wall time and 1.2-1.5x the user CPU on two threads that it
 * took on one,
 * each thread waiting at every meeting for the other to be scheduled. So
 * the pool keeps trying both and runs the faster; blocks on one thread
 * leave the helper asleep. */
#define _GNU_SOURCE /* sched_getaffinity, pthread_setaffinity_np */
#include "vm/sched.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void sched_run_block(plan *p, int64_t pos, int n)
{
    const plan_op *op = p->ops, *end = p->ops + p->nops;
    for (; op < end; op++)
        op->cls->run(p, op->args, pos - op->offset, n);
}

/* The tail's place in the task list: after the first unit, so the thread
 * that posts the block starts on the mix while the other writes. */
#define TAIL_TASK 1

typedef struct {
    int64_t pos;
    int n;
    void (*tail)(void *); /* NULL: none this block */
    void *tail_user;
} block_job;

struct sched_pool {
    plan *p;
    pthread_t thread;
    int ntasks;                   /* the units and the tail */
    /* the block being run: its number in the high 32 bits (so a thread that
     * looks late cannot take a task of another block), the next task in
     * the low ones */
    _Atomic uint64_t next;
    _Atomic uint32_t go;          /* blocks posted (the helper sleeps on it) */
    _Atomic uint32_t done;        /* tasks finished in this block (the poster sleeps on it) */
    _Atomic int go_sleeping, done_sleeping;
    _Atomic int *waiting;         /* per unit: units it still waits for in this block */
    block_job job[2];             /* by block number % 2: a late reader of one never sees the next's */
    uint32_t block;
    void (*tail)(void *);         /* handed over for the next block */
    void *tail_user;
    _Atomic int quit;
    int slow_worker;              /* test hook (sched_pool_test_slow): -1 none */
    _Atomic int64_t units_run[2]; /* per worker: units run since the pool was made */
    int pinned;                   /* --pin moved the calling thread: its old affinity */
    cpu_set_t old_affinity;
    int measure;                  /* 0: every block on two threads (SCHED_ALWAYS_TWO) */
    sched_choice choice;
};

static void futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Waits until *addr != val: spins for up to 200 us (the other side is
 * usually that close: sleeping and waking would cost two system calls and
 * a context switch per block, measured 25 % slower on the film mix), then
 * sleeps. */
static void wait_change(_Atomic uint32_t *addr, uint32_t val, _Atomic int *sleeping)
{
    int64_t until = 0;
    for (int i = 0;; i++) {
        if (atomic_load(addr) != val)
            return;
        __builtin_ia32_pause();
        if ((i & 31) == 31) {
            int64_t t = now_ns();
            if (!until)
                until = t + 200000;
            else if (t > until)
                break;
        }
    }
    while (atomic_load(addr) == val) {
        atomic_store(sleeping, 1);
        if (atomic_load(addr) == val)
            futex_wait(addr, val);
        atomic_store(sleeping, 0);
    }
}

static void post(_Atomic uint32_t *addr, _Atomic int *sleeping)
{
    atomic_fetch_add(addr, 1);
    if (atomic_load(sleeping))
        futex_wake(addr);
}

/* Until unit u's inputs are done: the units it waits for were taken
 * before it (the list is in a topological order) and are running, so
 * briefly; past a few microseconds the CPU goes to whoever else wants it
 * (on a busy machine, perhaps the thread running what u waits for). */
static void wait_inputs(_Atomic int *waiting)
{
    for (int i = 0; atomic_load_explicit(waiting, memory_order_acquire) > 0; i++) {
        if (i < 2000)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
}

static void run_unit(sched_pool *s, int u, const block_job *job)
{
    plan *p = s->p;
    wait_inputs(&s->waiting[u]);
    for (int k = p->unit_op_start[u]; k < p->unit_op_start[u + 1]; k++) {
        const plan_op *op = &p->ops[p->unit_ops[k]];
        op->cls->run(p, op->args, job->pos - op->offset, job->n);
    }
    for (int k = p->unit_succ_start[u]; k < p->unit_succ_start[u + 1]; k++)
        atomic_fetch_sub_explicit(&s->waiting[p->unit_succ[k]], 1, memory_order_release);
}

/* The test hook: after each task, the slow worker waits (yielding) until
 * every task of the block is taken, so the other must take them all. It
 * holds nothing while it waits: the other never waits for it. */
static void slow_down(sched_pool *s, uint64_t taken)
{
    for (;;) {
        uint64_t v = atomic_load(&s->next);
        if (v >> 32 != taken >> 32 || (uint32_t)v >= (uint32_t)s->ntasks)
            return;
        sched_yield();
    }
}

/* Takes and runs tasks until none of the current block is left to take. */
static void take_tasks(sched_pool *s, int worker)
{
    plan *p = s->p;
    for (;;) {
        uint64_t v = atomic_load(&s->next);
        uint32_t i = (uint32_t)v;
        if (i >= (uint32_t)s->ntasks)
            return;
        if (!atomic_compare_exchange_weak(&s->next, &v, v + 1))
            continue;
        /* block v >> 32 cannot end before this task does: its job stays */
        const block_job *job = &s->job[(v >> 32) & 1];
        if (i == TAIL_TASK) {
            if (job->tail)
                job->tail(job->tail_user);
        } else {
            run_unit(s, p->unit_order[i < TAIL_TASK ? i : i - 1], job);
            atomic_fetch_add_explicit(&s->units_run[worker], 1, memory_order_relaxed);
        }
        post(&s->done, &s->done_sleeping);
        if (worker == s->slow_worker)
            slow_down(s, v);
    }
}

static void *helper_main(void *arg)
{
    sched_pool *s = arg;
    uint32_t seen = 0;
    for (;;) {
        wait_change(&s->go, seen, &s->go_sleeping);
        seen = atomic_load(&s->go);
        if (atomic_load(&s->quit))
            break;
        take_tasks(s, 1);
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

void sched_choice_init(sched_choice *c)
{
    *c = (sched_choice){.try_frames = 131072, .run_frames = 16 * 131072, .phase = 0, .two = 1};
}

void sched_choice_account(sched_choice *c, int n, int64_t ns)
{
    c->blocks[c->two]++;
    c->frames += n;
    c->ns += ns;
    if (c->frames < (c->phase == 2 ? c->run_frames : c->try_frames))
        return;
    if (c->phase < 2)
        c->ns_per_frame[c->two] = (double)c->ns / (double)c->frames;
    c->phase = (c->phase + 1) % 3;
    c->frames = c->ns = 0;
    /* try two, then one, then run the faster of the two (two only when
     * clearly faster) */
    c->two = c->phase == 0 ? 1 : c->phase == 1 ? 0 : c->ns_per_frame[1] < 0.97 * c->ns_per_frame[0];
}

sched_pool *sched_pool_create(plan *p, int flags)
{
    cpu_set_t allowed;
    if (p->nunits < 2 || cpus_allowed(&allowed) < 2)
        return NULL;
    sched_pool *s = calloc(1, sizeof *s);
    if (!s || !(s->waiting = malloc((size_t)p->nunits * sizeof *s->waiting))) {
        free(s);
        return NULL;
    }
    s->p = p;
    s->ntasks = p->nunits + 1;
    s->slow_worker = -1;
    s->block = 0;
    s->measure = !(flags & SCHED_ALWAYS_TWO);
    sched_choice_init(&s->choice);
    atomic_store(&s->next, (uint64_t)s->ntasks); /* nothing to take before the first block */
    if (pthread_create(&s->thread, NULL, helper_main, s) != 0) {
        free(s->waiting);
        free(s);
        return NULL;
    }
    if (flags & SCHED_PIN)
        pin_pair(s);
    return s;
}

/* One block on two threads. */
static void run_two(sched_pool *s, int64_t pos, int n)
{
    plan *p = s->p;
    uint32_t b = ++s->block;
    /* every task of the last block is done: nothing reads these now */
    s->job[b & 1] = (block_job){pos, n, s->tail, s->tail_user};
    s->tail = NULL;
    for (int u = 0; u < p->nunits; u++)
        atomic_store_explicit(&s->waiting[u], p->unit_npred[u], memory_order_relaxed);
    atomic_store(&s->done, 0);
    atomic_store(&s->next, (uint64_t)b << 32); /* publishes the above */
    post(&s->go, &s->go_sleeping);
    take_tasks(s, 0);
    for (uint32_t d; (d = atomic_load(&s->done)) < (uint32_t)s->ntasks;)
        wait_change(&s->done, d, &s->done_sleeping);
}

void sched_run_block_pool(sched_pool *s, int64_t pos, int n)
{
    if (!s->measure) {
        run_two(s, pos, n);
        s->choice.blocks[1]++;
        return;
    }
    int64_t t0 = now_ns();
    if (s->choice.two) {
        run_two(s, pos, n);
    } else { /* the helper sleeps: the tail handed over, then the block, here */
        if (s->tail)
            s->tail(s->tail_user);
        s->tail = NULL;
        sched_run_block(s->p, pos, n);
    }
    sched_choice_account(&s->choice, n, now_ns() - t0);
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

void sched_pool_test_slow(sched_pool *s, int worker)
{
    s->slow_worker = worker;
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
    if (s->tail) /* handed over, no block ran after it */
        s->tail(s->tail_user);
    atomic_store(&s->quit, 1);
    post(&s->go, &s->go_sleeping);
    pthread_join(s->thread, NULL);
    if (s->pinned)
        pthread_setaffinity_np(pthread_self(), sizeof s->old_affinity, &s->old_affinity);
    free(s->waiting);
    free(s);
    *ps = NULL;
}
