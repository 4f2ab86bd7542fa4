/* loop_ab - one script's block loop run several ways in one process,
 * taking turns chunk by chunk, each way's time summed: the machine's drift
 * (another VM, a neighbour's build) falls on every way alike, so it tells
 * apart differences of 1 % that whole renders on a shared 2-vCPU VM (±10 %
 * from run to run, docs/bench.md) cannot.
 *
 *   loop_ab SCRIPT SECONDS CHUNK_FRAMES WAY...
 *
 * SECONDS: of the session from its start (0: all of it, with the tail);
 * CHUNK_FRAMES: the frames each way runs in its turn (262144: about 15 ms
 * of the film mix, so the caches refilled at a turn cost under 1 %). The
 * ways run forward in even chunks, backward in odd ones. A WAY is
 *
 *   one:PLAN:BLOCK   a plan compiled for PLAN frames run by sched_run_block
 *                    in blocks of BLOCK (`--threads 1` is one:B:B)
 *   pool:PLAN:BLOCK  the same run by a pool held on its one-thread side
 *                    (the default's blocks beside a busy process)
 *
 * (No way on two threads: their clocks would count the helper's spinning
 * and sleeping across the turns.)
 *
 * Each way has a plan of its own (its own clip readers and state), reset
 * and prefaulted before the first chunk. Printed per way: CPU time (the
 * calling thread's clock: a held pool's helper sleeps) and wall time per
 * frame, the total over the first way's, and the median over the chunks (but the
 * last, short) of the chunk's CPU time over the first way's, with its
 * quartiles. No outputs are written: the output stage (metering, packing,
 * writing) is not in the figures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/tools/bench_plan.h"
#include "tests/tools/bench_util.h"
#include "vm/sched.h"

typedef struct {
    char name[64];
    int plan_block, block, kind; /* kind: 0 one, 1 pool held on one */
    plan *p;
    sched_pool *s;
    double cpu_ns, wall_ns;
    double *chunk_ns;
} way;

static double clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int parse_way(const char *arg, way *w)
{
    static const char *kinds[] = {"one", "pool"};
    char kind[16];
    memset(w, 0, sizeof *w);
    if (sscanf(arg, "%15[a-z]:%d:%d", kind, &w->plan_block, &w->block) != 3 || w->block < 1 ||
        w->block > w->plan_block || w->plan_block > PLAN_MAX_BLOCK)
        return 0;
    for (w->kind = 0; w->kind < 2 && strcmp(kind, kinds[w->kind]) != 0; w->kind++)
        ;
    snprintf(w->name, sizeof w->name, "%s", arg);
    return w->kind < 2;
}

/* Runs w over [from, to) of a loop `length` frames long. */
static void run_chunk(way *w, int64_t from, int64_t to, int64_t length)
{
    for (int64_t pos = from, n; pos < to; pos += n) {
        n = to - pos < w->block ? to - pos : w->block;
        if (w->s) {
            int64_t next = pos + n;
            int next_n = next < length ? (int)(length - next < w->block ? length - next : w->block) : 0;
            sched_run_block_pool(w->s, pos, (int)n, next_n);
        } else {
            sched_run_block(w->p, pos, (int)n);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: loop_ab SCRIPT SECONDS CHUNK_FRAMES WAY... (WAY: one|pool:PLAN:BLOCK)\n");
        return 2;
    }
    int nw = argc - 4;
    way *w = calloc((size_t)nw, sizeof *w);
    if (!w)
        return 1;
    for (int i = 0; i < nw; i++)
        if (!parse_way(argv[4 + i], &w[i])) {
            fprintf(stderr, "loop_ab: '%s' is not a way (one|pool:PLAN:BLOCK, BLOCK <= PLAN <= %d)\n",
                    argv[4 + i], PLAN_MAX_BLOCK);
            return 2;
        }
    vm_desc d;
    char err[DS_ERR_LEN];
    plan *first = bench_load_plan("loop_ab", argv[1], w[0].plan_block, &d);
    if (!first)
        return 1;
    int64_t length = first->length + first->tail, chunk = atoll(argv[3]);
    double seconds = atof(argv[2]);
    if (seconds > 0 && (int64_t)(seconds * first->tb.rate) < length)
        length = (int64_t)(seconds * first->tb.rate);
    if (chunk < 1) {
        fprintf(stderr, "loop_ab: CHUNK_FRAMES must be 1 or more\n");
        return 2;
    }
    int nchunks = (int)((length + chunk - 1) / chunk);
    for (int i = 0; i < nw; i++) {
        if (i == 0)
            w[i].p = first;
        else if (vm_compile(&d, w[i].plan_block, &w[i].p, err) != DS_OK) {
            fprintf(stderr, "loop_ab: %s\n", err);
            return 1;
        }
        vm_plan_reset(w[i].p);
        vm_arena_prefault(&w[i].p->arena);
        if (w[i].kind) { /* held on one thread: the choice's run, never ending */
            w[i].s = sched_pool_create(w[i].p, 0);
            if (!w[i].s) {
                fprintf(stderr, "loop_ab: %s: no pool (%s)\n", w[i].name,
                        sched_pool_unavailable(w[i].p) ? sched_pool_unavailable(w[i].p) : "out of memory");
                return 1;
            }
            sched_choice *c = sched_pool_choice(w[i].s);
            c->phase = 1;
            c->two = 0;
            c->run_frames = INT64_MAX >> 4;
        }
        if (!(w[i].chunk_ns = calloc((size_t)nchunks, sizeof *w[i].chunk_ns)))
            return 1;
    }
    for (int k = 0; k < nchunks; k++) {
        int64_t from = k * chunk, to = from + chunk < length ? from + chunk : length;
        for (int j = 0; j < nw; j++) {
            way *x = &w[k % 2 ? nw - 1 - j : j];
            double c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), t0 = clock_ns(CLOCK_MONOTONIC);
            run_chunk(x, from, to, length);
            x->chunk_ns[k] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
            x->cpu_ns += x->chunk_ns[k];
            x->wall_ns += clock_ns(CLOCK_MONOTONIC) - t0;
        }
    }
    printf("%s, %.1f s, chunks of %lld frames (%d); CPU and wall ns a frame, CPU over %s's:\n", argv[1],
           (double)length / first->tb.rate, (long long)chunk, nchunks, w[0].name);
    double *ratio = malloc((size_t)nchunks * sizeof *ratio);
    for (int i = 0; i < nw && ratio; i++) {
        int m = 0;
        for (int k = 0; k + 1 < nchunks; k++)
            ratio[m++] = w[i].chunk_ns[k] / w[0].chunk_ns[k];
        qsort(ratio, (size_t)m, sizeof *ratio, bench_cmp_double);
        printf("  %-18s cpu %7.2f  wall %7.2f  total %.4f  chunks: median %.4f (quartiles %.4f %.4f)%s\n", w[i].name,
               w[i].cpu_ns / (double)length, w[i].wall_ns / (double)length, w[i].cpu_ns / w[0].cpu_ns,
               m ? ratio[m / 2] : 1.0, m ? ratio[m / 4] : 1.0, m ? ratio[3 * m / 4] : 1.0,
               w[i].p->failed ? "  FAILED: " : "");
        if (w[i].p->failed)
            printf("    %s\n", w[i].p->error);
    }
    free(ratio);
    for (int i = 0; i < nw; i++) {
        sched_pool_destroy(&w[i].s);
        vm_plan_free(&w[i].p);
        free(w[i].chunk_ns);
    }
    free(w);
    vm_desc_free(&d);
    return 0;
}
