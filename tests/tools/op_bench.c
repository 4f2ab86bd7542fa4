/* op_bench.c - the cost of chosen ops inside a real mix: compiles a script
 * as `dubstage render` does, runs its plan block by block on this thread
 * (what vm/sched.c's sched_run_block does, nothing written to disk) and
 * times every op with this thread's CPU clock.
 *
 *   build/tools/op_bench SCRIPT SECONDS [NAME PATTERN CHANNELS]...
 *   build/tools/op_bench SCRIPT SECONDS --kinds
 *
 * Runs the first SECONDS of SCRIPT (0: all of it) in blocks of 1024
 * frames. For each NAME PATTERN CHANNELS triple, the ops whose label (what
 * `dubstage info` prints) contains PATTERN are summed and one line is
 * printed (a '*' in PATTERN stands for any text: "track 'DX *-> bus 'DX'"):
 * NAME, how many ops matched, and their CPU time in ns per
 * channel-sample, counting CHANNELS channels (the op's output channels)
 * per op per frame. The timer's own cost is taken off: what an empty
 * interval reads (the median of 1001, printed with --kinds) per op and
 * block. Reading this thread's CPU clock can be a system call: 1.5 us of
 * CPU per read in a 2-vCPU VM (2026-12-05), as much as an 8-channel EQ
 * batch's work on a 1024-frame block, so the figures of cheap ops were
 * nearly doubled before. A pattern
 * that matches no op is an error: a renamed label must not make a figure
 * silently vanish. Without any triple, every op is listed instead, the
 * costliest first: its share of the plan's CPU time and its label. With
 * --kinds, a line per op kind instead (eq, dyn, limiter, clips, mix, ...):
 * its ops' CPU time in ns per channel-sample (the channels each op writes,
 * plan_op.channels) and its share, under a line naming the CPU and the
 * SIMD path the kernels ran, so figures from two machines are not mixed
 * up. DUBSTAGE_SIMD=avx2 or sse2 narrows the path, as for dubstage. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/simd.h"
#include "tests/tools/bench_plan.h"
#include "tests/tools/bench_util.h"

#define BLOCK 1024

/* 1 when label holds the parts of pattern between its '*'s, in order */
static int label_matches(const char *label, const char *pattern)
{
    char part[256];
    while (*pattern) {
        size_t n = strcspn(pattern, "*");
        if (n >= sizeof part)
            return 0;
        memcpy(part, pattern, n);
        part[n] = 0;
        const char *at = strstr(label, part);
        if (!at)
            return 0;
        label = at + n;
        pattern += n + (pattern[n] == '*');
    }
    return 1;
}

/* Every op, the costliest first: ms of CPU, share of the total, label. */
static void list_ops(const plan *p, const double *ns)
{
    int *order = malloc((size_t)p->nops * sizeof *order);
    double total = 0;
    if (!order)
        return;
    for (int i = 0; i < p->nops; i++) {
        order[i] = i;
        total += ns[i];
    }
    for (int i = 1; i < p->nops; i++) /* insertion sort: a few hundred ops */
        for (int j = i; j > 0 && ns[order[j]] > ns[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    printf("all ops: %.1f ms of CPU\n", total / 1e6);
    for (int i = 0; i < p->nops; i++) {
        const plan_op *op = &p->ops[order[i]];
        printf("%9.2f ms %5.1f %%  %3d %s\n", ns[order[i]] / 1e6, 100 * ns[order[i]] / total, order[i] + 1,
               op->label ? op->label : op->cls->name);
    }
    free(order);
}

/* A line per op kind, the costliest first: ns of CPU per channel-sample
 * over `frames` frames, ops, channels, share of the total. */
static void list_kinds(const plan *p, const double *ns, int64_t frames, double floor_ns)
{
    enum { MAX_KINDS = 64 };
    struct {
        const char *name;
        double ns, channel_frames;
        int ops;
    } k[MAX_KINDS];
    int nk = 0;
    double total = 0;
    for (int i = 0; i < p->nops; i++) {
        const plan_op *op = &p->ops[i];
        int j = 0;
        while (j < nk && strcmp(k[j].name, op->cls->name) != 0)
            j++;
        if (j == nk) {
            if (nk == MAX_KINDS)
                continue;
            k[nk].name = op->cls->name, k[nk].ns = k[nk].channel_frames = 0, k[nk].ops = 0;
            nk++;
        }
        k[j].ns += ns[i];
        k[j].channel_frames += (double)op->channels * (double)frames;
        k[j].ops++;
        total += ns[i];
    }
    for (int i = 1; i < nk; i++) /* insertion sort, the costliest first */
        for (int j = i; j > 0 && k[j].ns > k[j - 1].ns; j--) {
            __typeof__(k[0]) t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    printf("op kinds: CPU \"%s\", SIMD path %s, %.0f s of the mix, one thread, %.1f ms of CPU in all "
           "(timer: %.0f ns per op and block taken off)\n",
           cpu, dsp_simd_path(), (double)frames / p->tb.rate, total / 1e6, floor_ns);
    for (int i = 0; i < nk; i++)
        printf("  %-13s %7.3f ns per channel-sample  %5.1f %%  (%d ops, %.0f channels)\n", k[i].name,
               k[i].channel_frames > 0 ? k[i].ns / k[i].channel_frames : 0.0, total > 0 ? 100 * k[i].ns / total : 0.0,
               k[i].ops, k[i].channel_frames / (double)frames);
}

/* What an empty interval of the timer reads, in ns: the median of 1001. */
static double timer_floor_ns(void)
{
    enum { TRIES = 1001 };
    static double v[TRIES];
    for (int i = 0; i < TRIES; i++) {
        double t0 = bench_cpu_now();
        v[i] = (bench_cpu_now() - t0) * 1e9;
    }
    qsort(v, TRIES, sizeof *v, bench_cmp_double);
    return v[TRIES / 2];
}

int main(int argc, char **argv)
{
    int kinds = argc == 4 && strcmp(argv[3], "--kinds") == 0;
    if (argc < 3 || ((argc - 3) % 3 != 0 && !kinds)) {
        fprintf(stderr, "usage: op_bench SCRIPT SECONDS [NAME PATTERN CHANNELS]... | --kinds\n");
        return 2;
    }
    if (bench_simd_from_env("op_bench") < 0)
        return 2;
    vm_desc d;
    plan *p = bench_load_plan("op_bench", argv[1], BLOCK, &d);
    if (!p)
        return 1;
    double *ns = calloc((size_t)p->nops, sizeof *ns);
    if (!ns)
        return 1;
    int64_t length = p->length;
    double seconds = atof(argv[2]);
    if (seconds > 0 && (int64_t)(seconds * p->tb.rate) < length)
        length = (int64_t)(seconds * p->tb.rate);
    double floor_ns = timer_floor_ns();
    int64_t blocks = 0;
    for (int64_t pos = 0; pos < length && !p->failed; pos += BLOCK, blocks++) {
        int n = (int)(length - pos < BLOCK ? length - pos : BLOCK);
        for (int i = 0; i < p->nops; i++) {
            const plan_op *op = &p->ops[i];
            double t0 = bench_cpu_now();
            op->cls->run(p, op->args, pos - op->offset, n);
            ns[i] += (bench_cpu_now() - t0) * 1e9;
        }
    }
    for (int i = 0; i < p->nops; i++) {
        ns[i] -= floor_ns * (double)blocks;
        ns[i] = ns[i] > 0 ? ns[i] : 0;
    }
    int rc = 0;
    if (argc == 3)
        list_ops(p, ns);
    if (kinds)
        list_kinds(p, ns, length, floor_ns);
    if (p->failed) {
        fprintf(stderr, "op_bench: %s\n", p->error);
        rc = 1;
    }
    for (int a = 3; rc == 0 && !kinds && a + 2 < argc; a += 3) {
        int nops = 0, channels = atoi(argv[a + 2]);
        double total = 0;
        for (int i = 0; i < p->nops; i++)
            if (p->ops[i].label && label_matches(p->ops[i].label, argv[a + 1])) {
                nops++;
                total += ns[i];
            }
        if (nops == 0 || channels < 1) {
            fprintf(stderr, "op_bench: no op's label contains '%s' (or CHANNELS is not a number)\n", argv[a + 1]);
            rc = 1;
            break;
        }
        printf("%s: %.2f ns per channel-sample (%d ops of %d channels, %.0f s of the mix, one thread, CPU time)\n",
               argv[a], total / ((double)length * channels * nops), nops, channels, (double)length / p->tb.rate);
    }
    free(ns);
    vm_plan_free(&p);
    vm_desc_free(&d);
    return rc;
}
