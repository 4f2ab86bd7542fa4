/* normalize.h - an output brought to a loudness target after the render:
 * one static gain, and a true-peak limiter only where the ceiling needs it
 * (docs/loudness.md, "Normalising an output").
 *
 * The render's first pass writes a normalised output's signal, exactly as
 * the mix made it, to a float spool beside the file (vm/spool.h) and
 * measures it (dsp/loudness). Each later pass reads the spool, multiplies
 * every sample by one float gain g, runs dsp/limiter (its true-peak mode,
 * ceiling = the output's true_peak; transparent, bit for bit, wherever the
 * gained signal stays under the ceiling), meters the result and writes the
 * output's temporary file in its own format (quantised and dithered by
 * vm/outfile). The first gain is target - measured; limiting takes a little
 * loudness away, so while the result misses the target by more than
 * VM_NORMALIZE_AIM_LU the gain is corrected (secant steps) and the pass run
 * again, at most VM_NORMALIZE_MAX_PASSES passes. The finished file is then
 * measured again, as `dubstage loudness` measures a file (vm/file_loudness),
 * weighed by the output's layout: it must read within
 * VM_NORMALIZE_TOLERANCE_LU of the target and at or under the ceiling, or
 * the render fails and no file gets its name.
 *
 * Re-reading the spool instead of running the graph again makes the later
 * passes cheap (no clip reading, resampling or inserts: a read, a multiply,
 * the limiter and the meter) and certain to see the same signal the first
 * pass measured. It costs disk: 4 bytes per sample of the output until the
 * render ends.
 *
 * Stems: an output recorded upstream of a normalised output (its strip
 * feeds the normalised one's through buses) takes the same static gain, no
 * limiter, when that output's normalize has stems = true (the default), so
 * the stems still sum to the printmaster wherever the limiter did not act.
 * Chosen by the compiler (plan_output.follows). */
#ifndef VM_NORMALIZE_H
#define VM_NORMALIZE_H

#include <signal.h>
#include <stdint.h>

#include "vm/desc.h"
#include "vm/file_loudness.h"
#include "vm/outfile.h"
#include "vm/qc_series.h"
#include "vm/result.h"
#include "vm/spool.h"

#define VM_NORMALIZE_LUFS_MIN (-50.0)      /* integrated target, LUFS */
#define VM_NORMALIZE_LUFS_MAX (-5.0)
#define VM_NORMALIZE_TRUE_PEAK_MIN (-30.0) /* ceiling, dBTP */
#define VM_NORMALIZE_TRUE_PEAK_MAX 0.0
#define VM_NORMALIZE_TRUE_PEAK_DEFAULT (-1.0)
#define VM_NORMALIZE_TOLERANCE_LU 0.1      /* the written file, or the render fails */
#define VM_NORMALIZE_AIM_LU 0.02           /* a pass this close is kept */
#define VM_NORMALIZE_MAX_PASSES 6
#define VM_NORMALIZE_GUARD_DB 0.3          /* the limiter holds the meter's true peak this far under
                                              the ceiling (see below) */
#define VM_NORMALIZE_LOOKAHEAD_S 0.005     /* the limiter's */
#define VM_NORMALIZE_RELEASE_S 0.05
#define VM_NORMALIZE_FIRST_SEGMENTS 3      /* limited segments whose start the report names */

typedef struct {
    int segments;                /* runs of limited frames (gaps shorter than the
                                    look-ahead joined) */
    int64_t limited_frames;      /* frames whose output differs from input * gain */
    double max_reduction_db;     /* deepest reduction, dB (>= 0) */
    int64_t first_at[VM_NORMALIZE_FIRST_SEGMENTS]; /* where the first segments start,
                                    frames from the file's first */
    int nfirst;
} vm_limiter_activity;

typedef struct {
    int on;                      /* 0: written as rendered */
    int follows;                 /* a stem: the output whose gain it took; -1 otherwise */
    double target_lufs, ceiling_dbtp;
    double before_lufs, before_true_peak_dbtp; /* the first pass */
    double gain_db;              /* the static gain applied: 20 log10 of the float gain */
    float gain;                  /* that gain, as multiplied */
    int passes;                  /* passes over the spool, the written one included */
    vm_limiter_activity limiter;
    vm_file_loudness after;      /* the written file, measured (normalised outputs) */
} vm_normalize_report;

typedef struct {
    vm_spool *spool;             /* the first pass's signal */
    const vm_outfile_config *file; /* the output's final file */
    const char *where;           /* the script line that declared it, for messages */
    vm_layout layout;            /* resolved: the meters' channel weights (vm_layout_weight) */
    volatile sig_atomic_t *stop; /* set: stop with DS_ERR_INTERRUPTED (may be NULL) */
    vm_qc_series *qc;            /* a QC report's series, or NULL: */
    vm_qc_stream *qc_stream;     /* the output's stream, fed with each pass's output as
                                    written (restarted at every pass) */
    vm_qc_gain *qc_gain;         /* NULL, or the series of the limiter's reduction per
                                    point, the pass's deepest (restarted at every pass) */
    /* NULL, or called about every 0.1 s of programme in each pass, and at
     * its end (done == total), with the pass's number (1, 2, ...) */
    void (*progress)(void *user, const char *path, int pass, int64_t done, int64_t total);
    void *user;
} vm_normalize_job;

/* Writes job's output at the target: rep->before_* must hold the first
 * pass's readings; fills the rest of rep. On success *file is the output,
 * written, finished and verified (vm_outfile_finish), for the caller to
 * commit or abort. Fails (nothing left open) naming job->where and the file
 * when the first pass is silent, the target cannot be reached in
 * VM_NORMALIZE_MAX_PASSES, the written file misses the tolerance or the
 * ceiling, or on I/O errors. */
ds_result vm_normalize_output(const vm_normalize_job *job, const vm_normalize_desc *target, vm_outfile **file,
                              vm_normalize_report *rep, char *err);

/* Writes a stem with the static gain rep->gain (no limiter) and meters it
 * (rep->after.m). *file as above. */
ds_result vm_normalize_stem(const vm_normalize_job *job, vm_outfile **file, vm_normalize_report *rep, char *err);

#endif
