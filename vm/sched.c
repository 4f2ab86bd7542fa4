/* sched.c - the block loop: Pure Data's "perform chain" shape. The graph was
 * flattened at compile time; here we only walk the list (on one thread, or
 * the tracks' part on two). */
#include "vm/sched.h"

#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void sched_run_block(plan *p, int64_t pos, int n)
{
    const plan_op *op = p->ops, *end = p->ops + p->nops;
    for (; op < end; op++)
        op->fn(p, op->args, pos - op->offset, n);
}

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

static void run_front(plan *p, int worker, int64_t pos, int n)
{
    for (int i = 0; i < p->nfront; i++)
        if (p->op_worker[i] == worker)
            p->ops[i].fn(p, p->ops[i].args, pos - p->ops[i].offset, n);
}

static void *helper_main(void *arg)
{
    sched_pool *s = arg;
    uint32_t seen = 0;
    for (;;) {
        wait_change(&s->go, seen, &s->go_sleeping);
        seen = atomic_load(&s->go);
        if (s->tail) {
            s->tail(s->tail_user);
            s->tail = NULL;
        }
        if (s->quit)
            break;
        run_front(s->p, 1, s->pos, s->n);
        post(&s->done, &s->done_sleeping);
    }
    return NULL;
}

sched_pool *sched_pool_create(plan *p)
{
    int any = 0;
    for (int i = 0; i < p->nfront && !any; i++)
        any = p->op_worker[i] == 1;
    if (!any)
        return NULL;
    sched_pool *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = p;
    if (pthread_create(&s->thread, NULL, helper_main, s) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

void sched_run_block_pool(sched_pool *s, int64_t pos, int n)
{
    plan *p = s->p;
    s->pos = pos;
    s->n = n;
    uint32_t before = atomic_load(&s->done);
    post(&s->go, &s->go_sleeping);
    run_front(p, 0, pos, n);
    wait_change(&s->done, before, &s->done_sleeping);
    for (int i = p->nfront; i < p->nops; i++)
        p->ops[i].fn(p, p->ops[i].args, pos - p->ops[i].offset, n);
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
    free(s);
    *ps = NULL;
}
