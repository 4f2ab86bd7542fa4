/* live_profile.c - the callback profile (live_profile.h).
 *
 * Clock. The time stamp counter where there is one (x86: one instruction,
 * about 10 ns in a virtual machine, against 30-50 ns for clock_gettime
 * through kvm-clock: a plan of 200 ops is timed op by op for a few
 * microseconds a callback), converted to nanoseconds at the end from the
 * CLOCK_MONOTONIC readings of the first and last callbacks; elsewhere
 * CLOCK_MONOTONIC itself.
 *
 * The file, text, one record a line:
 *
 *   # comments: what was recorded, and a summary (below)
 *   op INDEX CLASS MEDIAN_US P999_US MAX_US LABEL
 *   cb INDEX T_S CPU0 CPU1 FRAMES TOTAL_US COMMANDS_US OPS_US METERS_US OTHER_PLAN_US
 *      REST_US MINFLT MAJFLT NVCSW NIVCSW CPU_US TOP_OP TOP_OP_US GEN
 *
 * cb: T_S the callback's start (CLOCK_MONOTONIC, the clock of the JACK test
 * server's log and of tests/tools/stallwatch), CPU0/CPU1 where it started
 * and ended, TOTAL from the first to the last instruction of the callback,
 * OPS the plan's ops, REST what is left (copying to the device, fades,
 * the clock readings), the faults and context switches of the thread during
 * the callback, CPU_US its user + system time by getrusage (microsecond
 * resolution), TOP_OP the op that took longest over its own median, GEN
 * the plan that ran (1 the first; op lines describe the last one).
 *
 * The summary takes the callbacks over 25 % of the period (issue 16's
 * bound) and splits their time over the median callback's among the op
 * classes and phases (each op's time over its own median): extra time
 * spread like the median callback's own time is the thread being held up
 * (an interrupt, the hypervisor), extra time in one class is work. */
#define _GNU_SOURCE /* sched_getcpu, RUSAGE_THREAD */
#include "vm/live_profile.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vm/sched.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define PROFILE_TSC 1
#else
#define PROFILE_TSC 0
#endif

#define PROFILE_MAX_CLASSES 64

typedef struct {
    int64_t t_ns;               /* CLOCK_MONOTONIC at the start */
    uint64_t ticks0, ticks;     /* stamp at the start, length in stamps */
    uint64_t phase[PROF_NPHASES];
    uint64_t ops;               /* the plan's ops together */
    int32_t frames, gen;
    int16_t cpu0, cpu1;
    uint32_t minflt, majflt, nvcsw, nivcsw, cpu_us;
} cb_record;

struct live_profile {
    char *path;
    int max_callbacks, max_ops;
    cb_record *cb;
    uint32_t *op_ticks;         /* max_callbacks x max_ops: each op's stamps in each callback */
    int n;                      /* callbacks recorded */
    uint64_t seen;              /* callbacks seen (also past the cap) */
    int nops_last;              /* ops of the last plan timed */
    const plan *plan_seen;
    int gen;
    uint64_t phase_start;
    struct rusage ru0;
};

static inline uint64_t stamp(void)
{
#if PROFILE_TSC
    return __rdtsc();
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
#endif
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

live_profile *live_profile_create(const char *path, int max_callbacks, int max_ops)
{
    live_profile *lp = calloc(1, sizeof *lp);
    if (!lp)
        return NULL;
    lp->max_callbacks = max_callbacks > 0 ? max_callbacks : 1;
    lp->max_ops = max_ops > 0 ? max_ops : 1;
    lp->path = strdup(path);
    lp->cb = malloc((size_t)lp->max_callbacks * sizeof *lp->cb);
    lp->op_ticks = malloc((size_t)lp->max_callbacks * (size_t)lp->max_ops * sizeof *lp->op_ticks);
    if (!lp->path || !lp->cb || !lp->op_ticks) {
        free(lp->path);
        free(lp->cb);
        free(lp->op_ticks);
        free(lp);
        return NULL;
    }
    /* every page written now, not by the callback (not zeros: a malloc and
     * a memset of 0 may be turned into a calloc, whose pages stay unmapped) */
    memset(lp->cb, 0xff, (size_t)lp->max_callbacks * sizeof *lp->cb);
    memset(lp->op_ticks, 0xff, (size_t)lp->max_callbacks * (size_t)lp->max_ops * sizeof *lp->op_ticks);
    return lp;
}

void live_profile_begin(live_profile *lp)
{
    if (!lp)
        return;
    lp->seen++;
    if (lp->n >= lp->max_callbacks)
        return;
    cb_record *r = &lp->cb[lp->n];
    memset(r, 0, sizeof *r);
    memset(lp->op_ticks + (size_t)lp->n * (size_t)lp->max_ops, 0, (size_t)lp->max_ops * sizeof *lp->op_ticks);
    getrusage(RUSAGE_THREAD, &lp->ru0);
    r->cpu0 = (int16_t)sched_getcpu();
    r->t_ns = mono_ns();
    r->ticks0 = stamp();
}

void live_profile_phase_begin(live_profile *lp)
{
    if (lp)
        lp->phase_start = stamp();
}

void live_profile_phase_end(live_profile *lp, live_profile_phase ph)
{
    if (lp && lp->n < lp->max_callbacks)
        lp->cb[lp->n].phase[ph] += stamp() - lp->phase_start;
}

void live_profile_run_plan(live_profile *lp, plan *p, int64_t pos, int n)
{
    if (lp->n >= lp->max_callbacks) {
        sched_run_block(p, pos, n);
        return;
    }
    if (p != lp->plan_seen) {
        lp->plan_seen = p;
        lp->gen++;
    }
    cb_record *r = &lp->cb[lp->n];
    r->gen = lp->gen;
    lp->nops_last = p->nops;
    uint32_t *row = lp->op_ticks + (size_t)lp->n * (size_t)lp->max_ops;
    /* sched_run_block's loop, a stamp after each op */
    uint64_t t0 = stamp(), start = t0;
    for (int i = 0; i < p->nops; i++) {
        const plan_op *op = &p->ops[i];
        op->cls->run(p, op->args, pos - op->offset, n);
        uint64_t t1 = stamp();
        if (i < lp->max_ops)
            row[i] += (uint32_t)(t1 - t0);
        else
            r->phase[PROF_OTHER_PLAN] += t1 - t0;
        t0 = t1;
    }
    r->ops += t0 - start;
}

static uint32_t delta(long a, long b)
{
    return b > a ? (uint32_t)(b - a) : 0;
}

void live_profile_end(live_profile *lp, int frames)
{
    if (!lp || lp->n >= lp->max_callbacks)
        return;
    cb_record *r = &lp->cb[lp->n];
    r->ticks = stamp() - r->ticks0;
    r->cpu1 = (int16_t)sched_getcpu();
    r->frames = frames;
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    r->minflt = delta(lp->ru0.ru_minflt, ru.ru_minflt);
    r->majflt = delta(lp->ru0.ru_majflt, ru.ru_majflt);
    r->nvcsw = delta(lp->ru0.ru_nvcsw, ru.ru_nvcsw);
    r->nivcsw = delta(lp->ru0.ru_nivcsw, ru.ru_nivcsw);
    long us0 = (lp->ru0.ru_utime.tv_sec + lp->ru0.ru_stime.tv_sec) * 1000000L + lp->ru0.ru_utime.tv_usec +
               lp->ru0.ru_stime.tv_usec;
    long us1 = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    r->cpu_us = delta(us0, us1);
    lp->n++;
}

/* ---- the file (control thread) --------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The value that all but per_mille / 1000 of v[0..n) stay within (v sorted). */
static uint64_t quantile(const uint64_t *v, int n, int per_mille)
{
    if (n <= 0)
        return 0;
    long k = (long)n - (long)n * per_mille / 1000;
    return v[k > 0 ? k - 1 : 0];
}

static uint64_t rest_of(const cb_record *r)
{
    uint64_t known = r->ops;
    for (int ph = 0; ph < PROF_NPHASES; ph++)
        known += r->phase[ph];
    return r->ticks > known ? r->ticks - known : 0;
}

static uint64_t over(uint64_t v, uint64_t median)
{
    return v > median ? v - median : 0;
}

/* What the file is written from: the profile, the plan that names its ops,
 * and what the summary needs (medians, the ops' classes). */
typedef struct {
    const live_profile *lp;
    const plan *p;
    FILE *f;
    int n, nops;
    double us;                  /* microseconds a tick */
    double period_us;
    uint64_t *col;              /* n values, sorted by sort_column */
    uint64_t *op_med;           /* nops */
    int *op_cls;                /* nops: index into cls */
    const plan_op_class *cls[PROFILE_MAX_CLASSES];
    double cls_med[PROFILE_MAX_CLASSES];
    int ncls;
    uint64_t med_total, med_phase[PROF_NPHASES], med_rest, med_ops;
} prof_file;

typedef enum { COL_TOTAL, COL_PHASE, COL_REST, COL_OPS, COL_OP } prof_column;

static uint64_t cell(const live_profile *lp, int i, prof_column c, int k)
{
    const cb_record *r = &lp->cb[i];
    switch (c) {
    case COL_TOTAL: return r->ticks;
    case COL_PHASE: return r->phase[k];
    case COL_REST: return rest_of(r);
    case COL_OPS: return r->ops;
    case COL_OP: return lp->op_ticks[(size_t)i * (size_t)lp->max_ops + (size_t)k];
    }
    return 0;
}

/* w->col = column c (phase or op k) of every callback, sorted. */
static void sort_column(prof_file *w, prof_column c, int k)
{
    for (int i = 0; i < w->n; i++)
        w->col[i] = cell(w->lp, i, c, k);
    qsort(w->col, (size_t)w->n, sizeof *w->col, cmp_u64);
}

static void write_medians(prof_file *w)
{
    sort_column(w, COL_TOTAL, 0);
    int n = w->n;
    uint64_t q99 = quantile(w->col, n, 10), q999 = quantile(w->col, n, 1), worst = n ? w->col[n - 1] : 0;
    w->med_total = quantile(w->col, n, 500);
    for (int ph = 0; ph < PROF_NPHASES; ph++) {
        sort_column(w, COL_PHASE, ph);
        w->med_phase[ph] = quantile(w->col, n, 500);
    }
    sort_column(w, COL_REST, 0);
    w->med_rest = quantile(w->col, n, 500);
    sort_column(w, COL_OPS, 0);
    w->med_ops = quantile(w->col, n, 500);
    double us = w->us, pc = w->period_us > 0 ? 100 * us / w->period_us : 0;
    fprintf(w->f, "# callback time: median %.1f us, 99th percentile %.1f, 99.9th %.1f, worst %.1f "
                  "(%.1f %%, %.1f %%, %.1f %%, %.1f %% of the period)\n",
            w->med_total * us, q99 * us, q999 * us, worst * us, w->med_total * pc, q99 * pc, q999 * pc, worst * pc);
    fprintf(w->f, "# the median callback: ops %.1f us, commands %.1f, meters %.1f, old plan %.1f, rest %.1f\n",
            w->med_ops * us, w->med_phase[PROF_COMMANDS] * us, w->med_phase[PROF_METERS] * us,
            w->med_phase[PROF_OTHER_PLAN] * us, w->med_rest * us);
}

/* The op lines; each op's median and class (w->op_med, w->op_cls). */
static void write_ops(prof_file *w)
{
    for (int k = 0; k < w->nops; k++) {
        sort_column(w, COL_OP, k);
        w->op_med[k] = quantile(w->col, w->n, 500);
        const plan_op *op = w->p ? &w->p->ops[k] : NULL;
        int c = 0;
        while (c < w->ncls && op && w->cls[c] != op->cls)
            c++;
        if (c == w->ncls && w->ncls < PROFILE_MAX_CLASSES)
            w->cls[w->ncls++] = op ? op->cls : NULL;
        w->op_cls[k] = c < w->ncls ? c : w->ncls - 1;
        w->cls_med[w->op_cls[k]] += (double)w->op_med[k];
        fprintf(w->f, "op %d %s %.2f %.2f %.2f %s\n", k, op ? op->cls->name : "?", w->op_med[k] * w->us,
                quantile(w->col, w->n, 1) * w->us, w->n ? w->col[w->n - 1] * w->us : 0.0,
                op && op->label ? op->label : "");
    }
}

/* Faults, context switches and changes of CPU over every callback, and in
 * the slow ones (over 25 % of the period). */
static void write_counts(prof_file *w, uint64_t bound)
{
    const live_profile *lp = w->lp;
    int faulted = 0, last_fault = -1, switched = 0, moved = 0;
    int slow = 0, slow_faulted = 0, slow_switched = 0, slow_migrated = 0, slow_moved = 0;
    uint64_t faults = 0;
    for (int i = 0; i < w->n; i++) {
        const cb_record *r = &lp->cb[i];
        int f = r->minflt + r->majflt > 0, s = r->nvcsw + r->nivcsw > 0;
        int m = i > 0 && r->cpu0 != lp->cb[i - 1].cpu1;
        faults += r->minflt + r->majflt;
        faulted += f;
        last_fault = f ? i : last_fault;
        switched += s;
        moved += m;
        if (r->ticks > bound) {
            slow++;
            slow_faulted += f;
            slow_switched += s;
            slow_migrated += r->cpu0 != r->cpu1;
            slow_moved += m;
        }
    }
    fprintf(w->f, "# all callbacks: %llu page faults in %d of them (the last in callback %d), context switches "
                  "in %d\n",
            (unsigned long long)faults, faulted, last_fault, switched);
    fprintf(w->f, "# callbacks over 25 %% of the period: %d (%.3f %%); with page faults %d, context switches %d, "
                  "a change of CPU during it %d, on another CPU than the callback before %d "
                  "(of all callbacks: %.1f %%)\n",
            slow, w->n ? 100.0 * slow / w->n : 0.0, slow_faulted, slow_switched, slow_migrated, slow_moved,
            w->n > 1 ? 100.0 * moved / (w->n - 1) : 0.0);
}

/* Where the slow callbacks' time over the median callback's went: each
 * part's time over its own median, summed by op class and phase, beside
 * that part's share of the median callback. */
static void write_shares(prof_file *w, uint64_t bound)
{
    const live_profile *lp = w->lp;
    double over_total = 0, over_phase[PROF_NPHASES] = {0}, over_rest = 0, cls_over[PROFILE_MAX_CLASSES] = {0};
    for (int i = 0; i < w->n; i++) {
        const cb_record *r = &lp->cb[i];
        if (r->ticks <= bound)
            continue;
        over_total += (double)over(r->ticks, w->med_total);
        for (int ph = 0; ph < PROF_NPHASES; ph++)
            over_phase[ph] += (double)over(r->phase[ph], w->med_phase[ph]);
        over_rest += (double)over(rest_of(r), w->med_rest);
        if (r->gen == lp->gen) /* the ops of the plan the op lines name */
            for (int k = 0; k < w->nops; k++)
                cls_over[w->op_cls[k]] += (double)over(cell(lp, i, COL_OP, k), w->op_med[k]);
    }
    double med_sum = (double)w->med_rest;
    for (int ph = 0; ph < PROF_NPHASES; ph++)
        med_sum += (double)w->med_phase[ph];
    for (int c = 0; c < w->ncls; c++)
        med_sum += w->cls_med[c];
    fprintf(w->f, "# their time over the median callback, %.1f us in all (each part over its own median), "
                  "and [the median callback's share]:\n",
            over_total * w->us);
    double ot = over_total > 0 ? over_total : 1, ms = med_sum > 0 ? med_sum : 1;
    for (int c = 0; c < w->ncls; c++)
        fprintf(w->f, "#   ops %-10s %5.1f %%  [%5.1f %%]\n", w->cls[c] ? w->cls[c]->name : "?",
                100 * cls_over[c] / ot, 100 * w->cls_med[c] / ms);
    static const char *phase_names[PROF_NPHASES] = {"commands", "meters", "old plan"};
    for (int ph = 0; ph < PROF_NPHASES; ph++)
        fprintf(w->f, "#   %-14s %5.1f %%  [%5.1f %%]\n", phase_names[ph], 100 * over_phase[ph] / ot,
                100 * w->med_phase[ph] / ms);
    fprintf(w->f, "#   %-14s %5.1f %%  [%5.1f %%]\n", "rest", 100 * over_rest / ot, 100 * w->med_rest / ms);
}

static void write_callbacks(prof_file *w)
{
    const live_profile *lp = w->lp;
    const double us = w->us;
    for (int i = 0; i < w->n; i++) {
        const cb_record *r = &lp->cb[i];
        int top = -1;
        uint64_t top_over = 0, top_t = 0;
        for (int k = 0; k < w->nops; k++) {
            uint64_t t = cell(lp, i, COL_OP, k);
            if (top < 0 || over(t, w->op_med[k]) > top_over) {
                top = k;
                top_over = over(t, w->op_med[k]);
                top_t = t;
            }
        }
        fprintf(w->f, "cb %d %.6f %d %d %d %.2f %.2f %.2f %.2f %.2f %.2f %u %u %u %u %u %d %.2f %d\n", i,
                1e-9 * (double)r->t_ns, r->cpu0, r->cpu1, r->frames, r->ticks * us, r->phase[PROF_COMMANDS] * us,
                r->ops * us, r->phase[PROF_METERS] * us, r->phase[PROF_OTHER_PLAN] * us, rest_of(r) * us, r->minflt,
                r->majflt, r->nvcsw, r->nivcsw, r->cpu_us, top, top_t * us, r->gen);
    }
}

int live_profile_write(live_profile **plp, const plan *p, double rate, int period_frames)
{
    live_profile *lp = *plp;
    if (!lp)
        return 0;
    *plp = NULL;
    prof_file w = {.lp = lp, .p = p, .n = lp->n};
    w.nops = lp->nops_last < lp->max_ops ? lp->nops_last : lp->max_ops;
    if (p && p->nops < w.nops)
        w.nops = p->nops;
    /* stamps to microseconds, from the first and last callbacks' clock readings */
    double ns_per_tick = 1.0;
    int n = lp->n;
    if (PROFILE_TSC && n >= 2 && lp->cb[n - 1].ticks0 > lp->cb[0].ticks0)
        ns_per_tick = (double)(lp->cb[n - 1].t_ns - lp->cb[0].t_ns) / (double)(lp->cb[n - 1].ticks0 - lp->cb[0].ticks0);
    w.us = ns_per_tick / 1000.0;
    w.period_us = rate > 0 ? 1e6 * period_frames / rate : 0;
    uint64_t bound = w.period_us > 0 ? (uint64_t)(0.25 * w.period_us / w.us) : UINT64_MAX;

    w.f = fopen(lp->path, "w");
    w.col = malloc((size_t)(n > 0 ? n : 1) * sizeof *w.col);
    w.op_med = calloc((size_t)(w.nops > 0 ? w.nops : 1), sizeof *w.op_med);
    w.op_cls = calloc((size_t)(w.nops > 0 ? w.nops : 1), sizeof *w.op_cls);
    int ok = w.f && w.col && w.op_med && w.op_cls;
    if (ok) {
        fprintf(w.f, "# dubstage live profile: %d callbacks recorded of %llu, %d frames a period (%.1f us), "
                     "timer %s (%.4f ns a tick)\n",
                n, (unsigned long long)lp->seen, period_frames, w.period_us, PROFILE_TSC ? "tsc" : "CLOCK_MONOTONIC",
                ns_per_tick);
        write_medians(&w);
        write_ops(&w);
        write_counts(&w, bound);
        write_shares(&w, bound);
        write_callbacks(&w);
        ok = !ferror(w.f);
    }
    if (w.f && fclose(w.f) != 0)
        ok = 0;
    free(w.col);
    free(w.op_med);
    free(w.op_cls);
    free(lp->cb);
    free(lp->op_ticks);
    free(lp->path);
    free(lp);
    return ok ? 0 : -1;
}
