/* sched.c - the block loop: Pure Data's "perform chain" shape. The graph was
 * flattened at compile time; here we only walk the list (on one thread, or
 * the tracks' part on two). */
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

/* How often the units are dealt again, in blocks, and by how much the two
 * threads' busy times must differ before a unit moves. */
#define DEAL_EVERY 32
#define DEAL_MARGIN 0.08

struct sched_pool {
    plan *p;
    pthread_t thread;
    _Atomic uint32_t go;       /* blocks posted by the main thread */
    _Atomic uint32_t done;     /* blocks the helper has finished */
    _Atomic int go_sleeping, done_sleeping;
    int64_t pos;
    int n;
    int quit;
    void (*tail)(void *);
    void *tail_user;
    unsigned char *unit_worker; /* per unit: 0 this thread, 1 the helper (changed between blocks only) */
    int64_t busy[2];           /* ns of front work since the last deal: this thread's, the helper's */
    int blocks;                /* since the last deal */
    int pinned;                /* pin_pair moved the main thread: its old affinity */
    cpu_set_t old_affinity;
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
 * usually that close: a block's serial part; sleeping and waking would cost
 * two system calls and a context switch per block, measured 25 % slower on
 * the film mix), then sleeps. */
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

static void run_front(sched_pool *s, int worker, int64_t pos, int n)
{
    plan *p = s->p;
    for (int i = 0; i < p->nfront; i++)
        if (s->unit_worker[p->op_unit[i]] == worker)
            p->ops[i].cls->run(p, p->ops[i].args, pos - p->ops[i].offset, n);
}

/* The units by estimated cost, largest first to the less loaded worker (a
 * start that the measured deals correct). Only the fronts are evened out:
 * while this thread runs the rest of a block, the helper writes the
 * previous one. */
static void deal_by_cost(sched_pool *s)
{
    plan *p = s->p;
    double load[2] = {0, 0};
    for (int u = 0; u < p->nunits; u++)
        s->unit_worker[u] = 2; /* not dealt yet */
    for (;;) {
        int best = -1;
        for (int u = 0; u < p->nunits; u++)
            if (s->unit_worker[u] == 2 && (best < 0 || p->unit_cost[u] > p->unit_cost[best]))
                best = u;
        if (best < 0)
            break;
        int w = load[1] < load[0];
        s->unit_worker[best] = (unsigned char)w;
        load[w] += p->unit_cost[best];
    }
}

/* Every DEAL_EVERY blocks: when one thread's front took longer than the
 * other's by more than DEAL_MARGIN of the two, the smallest unit the busier
 * one runs that fits in a quarter of the difference (by the busier one's
 * time per unit of estimated cost) moves to the other; a bigger one could
 * only swap the imbalance, and moving back and forth costs more than the
 * imbalance (each move leaves the unit's state in the other core's cache).
 * Which thread runs a unit changes nothing in the output: the units touch
 * only their own buffers. */
static void deal_by_time(sched_pool *s)
{
    plan *p = s->p;
    int64_t total = s->busy[0] + s->busy[1];
    int from = s->busy[0] > s->busy[1] ? 0 : 1;
    double diff = (double)(s->busy[from] - s->busy[!from]);
    s->busy[0] = s->busy[1] = 0;
    s->blocks = 0;
    if (total <= 0 || diff < DEAL_MARGIN * (double)total / 2)
        return;
    double cost = 0;
    for (int u = 0; u < p->nunits; u++)
        cost += s->unit_worker[u] == from ? p->unit_cost[u] : 0;
    double ns_per_cost = cost > 0 ? (double)total / 2 / cost : 0; /* a rough scale */
    int best = -1;
    for (int u = 0; u < p->nunits; u++)
        if (s->unit_worker[u] == from && p->unit_cost[u] * ns_per_cost <= diff / 4 &&
            (best < 0 || p->unit_cost[u] < p->unit_cost[best]))
            best = u;
    if (best >= 0)
        s->unit_worker[best] = (unsigned char)!from;
}

static void *helper_main(void *arg)
{
    sched_pool *s = arg;
    uint32_t seen = 0;
    for (;;) {
        wait_change(&s->go, seen, &s->go_sleeping);
        seen = atomic_load(&s->go);
        /* the tail handed over with this go: the previous block's output,
         * written while the main thread runs the rest of this block */
        void (*tail)(void *) = s->tail, *user = s->tail_user;
        s->tail = NULL;
        if (s->quit) {
            if (tail)
                tail(user);
            break;
        }
        int64_t t0 = now_ns();
        run_front(s, 1, s->pos, s->n);
        s->busy[1] += now_ns() - t0; /* read by the main thread after done */
        post(&s->done, &s->done_sleeping);
        if (tail)
            tail(user);
    }
    return NULL;
}

/* The two threads on two different CPUs of the ones the process may use:
 * this thread where it runs, the helper on the next one. Left to itself
 * the kernel now and then puts the helper on this thread's CPU when it
 * wakes it (the film mix on two threads then took 2.1-2.4 s instead of
 * 1.4-1.6, one thread 2.1). This thread gets its old affinity back on
 * destroy; nothing happens with fewer than two CPUs. */
static void pin_pair(sched_pool *s)
{
    cpu_set_t allowed, one;
    int here = sched_getcpu();
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2 || here < 0 ||
        here >= CPU_SETSIZE || !CPU_ISSET(here, &allowed))
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

sched_pool *sched_pool_create(plan *p)
{
    if (p->nunits < 2)
        return NULL;
    sched_pool *s = calloc(1, sizeof *s);
    if (!s || !(s->unit_worker = malloc((size_t)p->nunits))) {
        free(s);
        return NULL;
    }
    s->p = p;
    deal_by_cost(s);
    if (pthread_create(&s->thread, NULL, helper_main, s) != 0) {
        free(s->unit_worker);
        free(s);
        return NULL;
    }
    pin_pair(s);
    return s;
}

void sched_run_block_pool(sched_pool *s, int64_t pos, int n)
{
    plan *p = s->p;
    s->pos = pos;
    s->n = n;
    uint32_t before = atomic_load(&s->done);
    post(&s->go, &s->go_sleeping);
    int64_t t0 = now_ns();
    run_front(s, 0, pos, n);
    s->busy[0] += now_ns() - t0;
    wait_change(&s->done, before, &s->done_sleeping);
    for (int i = p->nfront; i < p->nops; i++)
        p->ops[i].cls->run(p, p->ops[i].args, pos - p->ops[i].offset, n);
    if (++s->blocks == DEAL_EVERY)
        deal_by_time(s);
}

void sched_pool_set_tail(sched_pool *s, void (*fn)(void *), void *user)
{
    s->tail = fn;
    s->tail_user = user;
}

void sched_pool_destroy(sched_pool **ps)
{
    sched_pool *s = *ps;
    if (!s)
        return;
    s->quit = 1;
    post(&s->go, &s->go_sleeping);
    pthread_join(s->thread, NULL);
    if (s->pinned)
        pthread_setaffinity_np(pthread_self(), sizeof s->old_affinity, &s->old_affinity);
    free(s->unit_worker);
    free(s);
    *ps = NULL;
}
