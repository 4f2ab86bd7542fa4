/* render.h - the offline driver: runs a plan from the session start to its
 * end and writes every output in one pass, atomically (vm/outfile.h), with a
 * loudness report per output (ITU-R BS.1770 / EBU R 128, dsp/loudness.h). */
#ifndef VM_RENDER_H
#define VM_RENDER_H

#include <signal.h>
#include <stdint.h>

#include "vm/normalize.h"
#include "vm/plan.h"
#include "vm/result.h"
#include "vm/sched.h"
#include "vm/segment.h"

/* How a render's blocks ran (docs/threads.md): for the summary and the
 * manifest. */
typedef struct {
    int threads;        /* 2: a second thread took work as the choice allowed; 1: none ran */
    const char *why_one; /* threads 1: why, in words (a static string) */
    sched_tally tally;  /* blocks on two threads and on one, the tries that chose (vm/sched.h) */
    int two_block;      /* threads 2: the frames of a block on two threads (vm_render_opts.two_block) */
} vm_render_threads;

typedef struct {
    int block;                        /* frames per block, 1..plan->max_block */
    int two_block;                    /* frames per block while two threads run (block..plan->max_block;
                                         0: block): vm_render_compile's larger block */
    int measure;                      /* 1: loudness and true peak per output */
    int threads;                      /* 1: one thread; 0 or 2: the plan's units on two (vm/sched.h),
                                         for blocks of 256 frames or more */
    int pin;                          /* 1: the two threads each pinned to a CPU (sched_pool_create) */
    /* NULL, or the QC report's series (vm/qc_series.h), made for this plan:
     * filled while rendering, the blocks cut at its reading instants */
    struct vm_qc_series *qc;
    volatile sig_atomic_t *stop;      /* set by a signal handler: abort cleanly */
    /* called about every 0.1 s of programme; may be NULL */
    void (*progress)(void *user, int64_t done, int64_t total);
    /* the same for each pass after the render that writes a normalised
     * output or its stem (vm/normalize.h): the output's path, the pass
     * (1, 2, ...: a correction pass runs it again; a stem has one) and
     * frames done of total, ending with done == total; may be NULL */
    void (*pass_progress)(void *user, const char *path, int pass, int64_t done, int64_t total);
    /* called for each stale temporary file (".NAME.part-XXXXXX" left by a
     * render that was killed, vm/tmpfile.h) removed from an output folder
     * before writing; may be NULL (they are removed all the same) */
    void (*swept)(void *user, const char *path);
    void *user;
    /* A segment (docs/segments.md), or NULL: the whole session. With one,
     * only the session's samples [from, to) are written, each file starting
     * there (its BWF time reference and its dither too), and the graph runs
     * from vm_segment_run_preroll samples before `from` so that its state
     * settles. No normalised output and no QC report then: both need the
     * whole programme. */
    const vm_segment *segment;
    /* NULL, or filled by the render's pass (not the normalising passes
     * after it): how its blocks ran */
    vm_render_threads *threads_used;
} vm_render_opts;

typedef struct {
    double sample_peak_dbfs;          /* -inf for silence */
    double true_peak_dbtp;            /* NAN when not measured */
    double integrated_lufs;           /* -inf for silence / below the gate; NAN when not measured */
    double range_lu;                  /* loudness range (EBU Tech 3342) */
    double max_momentary_lufs;        /* max M (400 ms), -inf for silence; NAN when not measured */
    double max_short_term_lufs;       /* max S (3 s), -inf for silence or under 3 s; NAN when not measured */
    int64_t clipped;                  /* samples clipped by the integer format */
    vm_normalize_report normalize;    /* a normalised output or its stem: what was done (on = 1);
                                         the readings above are then the file's as written */
    char sha256[65];                  /* the file's SHA-256 taken as it was written (vm_outfile_sha256),
                                         "" when it was not: vm_manifest_record reads it back */
} vm_render_report;

/* Compiles d for a render at --block `block` on `threads` (as
 * vm_render_opts.threads). A render that may use two threads (not
 * --threads 1, blocks of 256 frames or more, more than one unit of work,
 * two CPUs allowed) gets a plan for blocks of up to 8192 frames, which it
 * runs while two threads work (vm_render_opts.two_block = the plan's
 * max_block; one thread keeps `block`): a block's buffers are handed from
 * one CPU to the other once per block, so larger blocks lose less to the
 * caches (docs/threads.md). The larger block is the largest power of two
 * up to 8192 at which the plan's memory, scaled from its size at `block`,
 * stays within 64 MiB; none when that is `block` or less. The bytes do
 * not depend on it. *out: the plan (NULL on failure). */
ds_result vm_render_compile(const vm_desc *d, int block, int threads, plan **out, char *err);

/* Renders p into its outputs; a normalised output (and its stems) in the
 * passes vm/normalize.h describes, after the first. reports has p->noutputs + p->nmeters entries
 * (may be NULL): the outputs', then the meters' (plan_meter: no file, no
 * clipping).
 * On any failure or a stop, every temporary file is removed and no output
 * name is touched; DS_ERR_INTERRUPTED when stopped. */
ds_result vm_render(plan *p, const vm_render_opts *opts, vm_render_report *reports, char *err);

#endif
