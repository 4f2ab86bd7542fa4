/* qc_report_priv.h - what the QC report's JSON (vm/qc_report.c) and HTML
 * (vm/qc_html.c) writers share; not for other modules. */
#ifndef VM_QC_REPORT_PRIV_H
#define VM_QC_REPORT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "vm/qc_report.h"

/* The spec stream s is judged by, or NULL (a bus, or an output without). */
const vm_qc_spec *qc_spec_of(const vm_qc_input *in, const vm_qc_stream *s);

/* The cues of every marker list, in order: how many, and cue k's name
 * (owned by the list) and position (samples from the session start). */
int qc_ncues(const vm_qc_input *in);
void qc_cue(const vm_qc_input *in, int k, const char **name, int64_t *pos);

/* A session position as timecode ("01:00:02:12", "+N" samples past the
 * frame's start when not on it). */
void qc_timecode(const vm_qc_input *in, int64_t pos, char *buf, size_t n);

#endif
