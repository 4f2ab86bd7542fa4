/* judge.c - deliverables judged against their specs (see judge.h). */
#include "vm/judge.h"

#include <math.h>
#include <string.h>

/* The first output recording strip s, or -1. */
static int output_of(const vm_desc *d, int s)
{
    for (int i = 0; i < d->noutputs; i++)
        if (d->outputs[i].strip == s)
            return i;
    return -1;
}

int vm_judge_meter_strips(const vm_desc *d, int *strips)
{
    int n = 0;
    for (int k = 0; k < d->ndeliverables; k++) {
        const vm_deliverable_desc *dv = &d->deliverables[k];
        int want[2] = {dv->output < 0 ? dv->strip : -1, dv->dialogue};
        for (int w = 0; w < 2; w++) {
            int s = want[w], seen = 0;
            if (s < 0 || output_of(d, s) >= 0)
                continue;
            for (int j = 0; j < n && !seen; j++)
                seen = strips[j] == s;
            if (!seen)
                strips[n++] = s;
        }
    }
    return n;
}

/* The report that measures strip s: its first output's, else its meter's;
 * NULL when neither exists (not compiled for judging). */
static const vm_render_report *report_of(const vm_desc *d, const plan *p, const vm_render_report *reports, int s)
{
    int o = output_of(d, s);
    if (o >= 0 && o < p->noutputs)
        return &reports[o];
    for (int m = 0; m < p->nmeters; m++)
        if (p->meters[m].strip_index == s)
            return &reports[p->noutputs + m];
    return NULL;
}

void vm_judge_measures(const vm_desc *d, const plan *p, const vm_render_report *reports, int k,
                       double value[VM_MEASURE_COUNT])
{
    const vm_deliverable_desc *dv = &d->deliverables[k];
    for (int m = 0; m < VM_MEASURE_COUNT; m++)
        value[m] = NAN;
    const vm_render_report *r = dv->output >= 0 ? &reports[dv->output] : report_of(d, p, reports, dv->strip);
    if (r) {
        value[VM_MEASURE_INTEGRATED] = r->integrated_lufs;
        value[VM_MEASURE_TRUE_PEAK] = r->true_peak_dbtp;
        value[VM_MEASURE_LOUDNESS_RANGE] = r->range_lu;
        value[VM_MEASURE_MAX_MOMENTARY] = r->max_momentary_lufs;
        value[VM_MEASURE_MAX_SHORT_TERM] = r->max_short_term_lufs;
    }
    const vm_render_report *dx = dv->dialogue >= 0 ? report_of(d, p, reports, dv->dialogue) : NULL;
    if (dx)
        value[VM_MEASURE_DIALOGUE] = dx->integrated_lufs;
}

const char *vm_judge_name(const vm_desc *d, int k, char *buf, size_t n)
{
    const vm_deliverable_desc *dv = &d->deliverables[k];
    const vm_strip_desc *st = &d->strips[dv->strip];
    int o = dv->output >= 0 ? dv->output : output_of(d, dv->strip);
    if (o >= 0)
        snprintf(buf, n, "%s", d->outputs[o].path);
    else
        snprintf(buf, n, "%s '%s'", st->kind == VM_STRIP_TRACK ? "track" : "bus", st->name);
    return buf;
}

int vm_judge_failures(const vm_desc *d, int k, const double value[VM_MEASURE_COUNT])
{
    const vm_delivery_spec *s = &d->deliverables[k].spec;
    int failed = 0;
    for (int m = 0; m < VM_MEASURE_COUNT; m++) {
        vm_verdict v = vm_delivery_judge(&s->limit[m], value[m]);
        failed += v == VM_VERDICT_FAIL || v == VM_VERDICT_UNMEASURED;
    }
    return failed;
}

int vm_judge_print(FILE *f, const vm_desc *d, const double (*values)[VM_MEASURE_COUNT])
{
    int missed = 0;
    for (int k = 0; k < d->ndeliverables; k++) {
        const vm_deliverable_desc *dv = &d->deliverables[k];
        const vm_delivery_spec *s = &dv->spec;
        char name[4200], line[256];
        int failed = vm_judge_failures(d, k, values[k]);
        missed += failed > 0;
        fprintf(f, "deliverable %s  spec %s: %s\n", vm_judge_name(d, k, name, sizeof name), s->name,
                failed ? "FAIL" : "pass");
        for (int m = 0; m < VM_MEASURE_COUNT; m++) {
            const vm_spec_limit *l = &s->limit[m];
            if (!l->given && !(m == VM_MEASURE_DIALOGUE && dv->dialogue >= 0))
                continue;
            vm_verdict v = vm_delivery_judge(l, values[k][m]);
            const char *mark = v == VM_VERDICT_PASS ? "pass" : v == VM_VERDICT_REPORTED ? "    " : "FAIL";
            vm_delivery_describe((vm_measure)m, l, values[k][m], line, sizeof line);
            if (m == VM_MEASURE_DIALOGUE)
                fprintf(f, "  %s  %s (on '%s')\n", mark, line, d->strips[dv->dialogue].name);
            else
                fprintf(f, "  %s  %s\n", mark, line);
        }
    }
    return missed;
}
