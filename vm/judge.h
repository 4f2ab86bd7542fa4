/* judge.h - the deliverables of a rendered mix judged against their specs
 * (vm/delivery.h): which signal each measure is read from, and the report.
 *
 * A deliverable's measures come from its own output when deliver wrote one
 * (the file's, so a normalised file is judged as written), else from the
 * first output recording its strip, else from a meter the compiler puts on
 * the strip (plan_meter). The dialogue measure is the dialogue strip's
 * integrated loudness, read the same way: a dialogue stem need not be
 * written to be measured. */
#ifndef VM_JUDGE_H
#define VM_JUDGE_H

#include <stdio.h>

#include "vm/delivery.h"
#include "vm/desc.h"
#include "vm/plan.h"
#include "vm/render.h"

/* The strips that need a meter of their own (judged, but recorded by no
 * output), each once, in the order deliverables name them, into strips
 * (room for 2 * d->ndeliverables); returns how many. */
int vm_judge_meter_strips(const vm_desc *d, int *strips);

/* Deliverable k's measures, from the render's reports (p->noutputs outputs
 * then p->nmeters meters), into value (NAN where not measured). */
void vm_judge_measures(const vm_desc *d, const plan *p, const vm_render_report *reports, int k,
                       double value[VM_MEASURE_COUNT]);

/* What deliverable k is called in reports: its file ("out/PM.wav"), or
 * "bus 'PM'", into buf (n bytes), which it returns. */
const char *vm_judge_name(const vm_desc *d, int k, char *buf, size_t n);

/* The number of deliverable k's measures that miss its spec. */
int vm_judge_failures(const vm_desc *d, int k, const double value[VM_MEASURE_COUNT]);

/* Prints each deliverable, its spec and a line per measure the spec gives
 * (value, limit, pass or FAIL) to f. values: one row per deliverable.
 * Returns the number of deliverables that miss their spec. */
int vm_judge_print(FILE *f, const vm_desc *d, const double (*values)[VM_MEASURE_COUNT]);

#endif
