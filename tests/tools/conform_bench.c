/* conform_bench.c - the CPU time of a re-conform (vm/conform.h,
 * vm/conform_mix.h), for tests/bench/conform.sh.
 *
 *   conform_bench MIX.lua OLD.edl NEW.edl [RUNS]
 *
 * MIX.lua is loaded (vm_script_load; not timed) RUNS times (default 5);
 * each time the two EDLs are read, the change list made, the mix moved
 * through it and the JSON report written to /dev/null, each step timed in
 * this thread's CPU seconds. Prints the median of each step and of their
 * sum, with what was moved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tools/bench_util.h"
#include "vm/conform.h"
#include "vm/conform_mix.h"
#include "vm/conform_report.h"
#include "vm/edl.h"
#include "vm/script.h"

#ifndef DS_STDLIB_DIR
#define DS_STDLIB_DIR "stdlib"
#endif

#define MAX_RUNS 21
enum { STEP_READ, STEP_CHANGES, STEP_MIX, STEP_REPORT, STEP_TOTAL, NSTEPS };

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: conform_bench MIX.lua OLD.edl NEW.edl [RUNS]\n");
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 5;
    if (runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "conform_bench: RUNS must be 1 to %d\n", MAX_RUNS);
        return 2;
    }
    double t[NSTEPS][MAX_RUNS];
    char err[DS_ERR_LEN];
    int clips = 0, moves = 0, nold = 0, nnew = 0, parts = 0, dropped = 0, ranges = 0;
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull)
        return 1;
    for (int r = 0; r < runs; r++) {
        vm_desc d;
        vm_script_opts so = {.stdlib_dir = DS_STDLIB_DIR, .max_instructions = -1, .max_memory_mb = -1};
        if (vm_script_load(argv[1], &so, &d, err) != DS_OK) {
            fprintf(stderr, "conform_bench: %s\n", err);
            vm_desc_free(&d);
            return 1;
        }
        clips = moves = 0;
        for (int s = 0; s < d.nstrips; s++) {
            clips += d.strips[s].nclips;
            moves += d.strips[s].gain.nevents + d.strips[s].pan.nevents;
        }
        double c0 = bench_cpu_now();
        vm_edit *a = NULL, *b = NULL;
        if (vm_edit_load_file(argv[2], "edit decision list", "an EDL", vm_edl_parse, &d.tb.fps, &a, err) != DS_OK
            || vm_edit_load_file(argv[3], "edit decision list", "an EDL", vm_edl_parse, &d.tb.fps, &b, err) != DS_OK) {
            fprintf(stderr, "conform_bench: %s\n", err);
            return 1;
        }
        double c1 = bench_cpu_now();
        vm_conform *cut = NULL;
        if (vm_conform_new(a, b, 0, d.tb.rate, d.tb.start_samples, &cut, err) != DS_OK) {
            fprintf(stderr, "conform_bench: %s\n", err);
            return 1;
        }
        double c2 = bench_cpu_now();
        vm_conform_ranges(cut, &ranges);
        if (vm_conform_mix(&d, cut, a, b, "bench", &d.conform, err) != DS_OK) {
            fprintf(stderr, "conform_bench: %s\n", err);
            return 1;
        }
        double c3 = bench_cpu_now();
        vm_conform_report_json(devnull, d.conform, &d.tb);
        fflush(devnull);
        double c4 = bench_cpu_now();
        t[STEP_READ][r] = c1 - c0;
        t[STEP_CHANGES][r] = c2 - c1;
        t[STEP_MIX][r] = c3 - c2;
        t[STEP_REPORT][r] = c4 - c3;
        t[STEP_TOTAL][r] = c4 - c0;
        nold = vm_edit_count(a);
        nnew = vm_edit_count(b);
        parts = d.conform->clip_parts;
        dropped = d.conform->dropped;
        vm_edit_free(&a);
        vm_edit_free(&b);
        vm_desc_free(&d);
    }
    fclose(devnull);
    double med[NSTEPS];
    for (int s = 0; s < NSTEPS; s++) {
        qsort(t[s], (size_t)runs, sizeof t[s][0], bench_cmp_double);
        med[s] = t[s][runs / 2];
    }
    printf("conform %d + %d events (%d ranges), %d clips (%d parts placed), %d moves, %d dropped: "
           "CPU %.3f s (read the EDLs %.3f, change list %.3f, move the mix %.3f, JSON report %.3f; median of %d)\n",
           nold, nnew, ranges, clips, parts, moves, dropped, med[STEP_TOTAL], med[STEP_READ], med[STEP_CHANGES],
           med[STEP_MIX], med[STEP_REPORT], runs);
    return 0;
}
