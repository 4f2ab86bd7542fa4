/* qc_report.h - the QC report of a render (`dubstage render --report DIR`,
 * docs/report.md): the series of vm/qc_series.h written as one JSON file
 * (every point) and one self-contained HTML page (a summary table, then
 * plots as inline SVG against timecode: loudness and true peak per output
 * and bus, gain reduction, clips and cue markers; no script, no network,
 * no file besides itself).
 *
 * Plots are decimated to one value per pixel column (VM_QC_PLOT_COLUMNS),
 * the largest loudness and peak and the deepest gain reduction of the
 * points under the column, so a peak never disappears and the page's size
 * does not grow with the programme's length. */
#ifndef VM_QC_REPORT_H
#define VM_QC_REPORT_H

#include <stdio.h>

#include "vm/desc.h"
#include "vm/markers.h"
#include "vm/plan.h"
#include "vm/qc_series.h"
#include "vm/render.h"
#include "vm/result.h"

#define VM_QC_PLOT_COLUMNS 1000

/* The delivery spec a stream is judged by (deliver { ... }, vm/delivery.h),
 * as the report draws and states it. name NULL: no spec (the true-peak plot
 * then draws the usual -1 dBTP ceiling, and no verdict is given). */
typedef struct {
    const char *name;          /* "ebu-r128" */
    double integrated_lufs;    /* target; NAN: none */
    double integrated_min;     /* the accepted band, -INFINITY / INFINITY when open */
    double integrated_max;
    double true_peak_dbtp;     /* ceiling; INFINITY: none */
    int failures;              /* measures that miss (vm_judge_failures): 0 is a pass */
    char verdict[1024];        /* a line per measure the spec gives, "; "-separated:
                                  "true peak +0.4 dBTP > -1.0 dBTP" */
} vm_qc_spec;

#define VM_QC_DEFAULT_CEILING_DBTP -1.0

/* What a report shows besides the measurements: the cues of the marker
 * lists the script loaded, and every clip's place. */
typedef struct {
    vm_markers *markers[4];
    int nmarker_lists;
    char warning[2 * DS_ERR_LEN + 4096]; /* a marker list that could not be read again ("" if none) */
} vm_qc_context;

/* Everything the two writers take. specs: q->nstreams entries (or NULL). */
typedef struct {
    const vm_qc_series *q;
    const plan *p;
    const vm_desc *d;
    const vm_qc_spec *specs;
    const vm_qc_context *ctx;
} vm_qc_input;

/* Reads the marker lists d loaded (desc.marker_files). A list that cannot
 * be read now is noted in ctx->warning and left out. Free with
 * vm_qc_context_free. */
void vm_qc_context_load(vm_qc_context *ctx, const vm_desc *d);
void vm_qc_context_free(vm_qc_context *ctx);

/* Each stream's spec (specs: q->nstreams entries) from the deliverables
 * of d: deliverable k is drawn on its own output's stream, else on the
 * first stream of its strip (an output recording it, else the bus); its
 * verdict is the render's (vm_judge_measures on reports, p->noutputs +
 * p->nmeters of them, as `dubstage render` prints it). A stream no
 * deliverable names gets none (name NULL). */
void vm_qc_specs_from_deliverables(const vm_qc_series *q, const vm_desc *d, const plan *p,
                                   const vm_render_report *reports, vm_qc_spec *specs);

/* Writes the JSON report / the HTML page to f. */
void vm_qc_write_json(FILE *f, const vm_qc_input *in);
void vm_qc_write_html(FILE *f, const vm_qc_input *in);

#endif
