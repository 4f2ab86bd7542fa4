/* bench_plan.h - what the plan benchmarks (op_bench, sched_sim) share: a
 * script loaded, its ducks analysed and compiled at a block size. */
#ifndef TESTS_TOOLS_BENCH_PLAN_H
#define TESTS_TOOLS_BENCH_PLAN_H

#include <stdio.h>

#include "vm/duck.h"
#include "vm/plan.h"
#include "vm/script.h"

/* The plan of SCRIPT at BLOCK frames, its description in *d (free both);
 * NULL after printing "TOOL: the error" on stderr. */
static inline plan *bench_load_plan(const char *tool, const char *script, int block, vm_desc *d)
{
    char err[DS_ERR_LEN];
    vm_script_opts so = {.stdlib_dir = DS_STDLIB_DIR};
    plan *p = NULL;
    if (vm_script_load(script, &so, d, err) != DS_OK || vm_duck_analyse(d, block, err) != DS_OK ||
        vm_compile(d, block, &p, err) != DS_OK) {
        fprintf(stderr, "%s: %s\n", tool, err);
        return NULL;
    }
    return p;
}

#endif
