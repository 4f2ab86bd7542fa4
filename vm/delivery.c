/* delivery.c - delivery specs and judging (see delivery.h). */
#include "vm/delivery.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const vm_measure_info vm_measures[VM_MEASURE_COUNT] = {
    [VM_MEASURE_INTEGRATED] = {"integrated", "integrated", "LUFS", -70, 0},
    [VM_MEASURE_DIALOGUE] = {"dialogue", "dialogue", "LUFS", -70, 0},
    [VM_MEASURE_TRUE_PEAK] = {"true_peak", "true peak", "dBTP", -60, 6},
    [VM_MEASURE_LOUDNESS_RANGE] = {"loudness_range", "loudness range", "LU", 0, 60},
    [VM_MEASURE_MAX_MOMENTARY] = {"max_momentary", "max momentary", "LUFS", -70, 0},
    [VM_MEASURE_MAX_SHORT_TERM] = {"max_short_term", "max short-term", "LUFS", -70, 0},
};

void vm_delivery_spec_init(vm_delivery_spec *s, const char *name)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    for (int m = 0; m < VM_MEASURE_COUNT; m++) {
        s->limit[m].target = NAN;
        s->limit[m].min = -INFINITY;
        s->limit[m].max = INFINITY;
    }
}

vm_verdict vm_delivery_judge(const vm_spec_limit *l, double v)
{
    if (!l->judged)
        return VM_VERDICT_REPORTED;
    if (isnan(v))
        return VM_VERDICT_UNMEASURED;
    return v >= l->min && v <= l->max ? VM_VERDICT_PASS : VM_VERDICT_FAIL;
}

/* v in the unit, signed as a level is ("+0.4", "-23.1"); a range has no
 * sign. decimals: 1 or 2. */
static void fmt_value(vm_measure m, double v, int decimals, char *buf, size_t n)
{
    if (isinf(v) && v < 0)
        snprintf(buf, n, m == VM_MEASURE_TRUE_PEAK ? "-inf %s" : "below the gate (no level) %s",
                 m == VM_MEASURE_TRUE_PEAK ? vm_measures[m].unit : "");
    else if (m == VM_MEASURE_LOUDNESS_RANGE)
        snprintf(buf, n, "%.*f %s", decimals, v, vm_measures[m].unit);
    else
        snprintf(buf, n, "%+.*f %s", decimals, v, vm_measures[m].unit);
    size_t len = strlen(buf);
    while (len > 0 && buf[len - 1] == ' ')
        buf[--len] = 0;
}

const char *vm_delivery_limit_text(vm_measure m, const vm_spec_limit *l, char *buf, size_t n)
{
    const char *u = vm_measures[m].unit;
    if (isfinite(l->min) && isfinite(l->max))
        snprintf(buf, n, "%.1f .. %.1f %s", l->min, l->max, u);
    else if (isfinite(l->max))
        snprintf(buf, n, "<= %.1f %s", l->max, u);
    else if (isfinite(l->min))
        snprintf(buf, n, ">= %.1f %s", l->min, u);
    else
        snprintf(buf, n, "reported");
    return buf;
}

const char *vm_delivery_describe(vm_measure m, const vm_spec_limit *l, double v, char *buf, size_t n)
{
    const vm_measure_info *mi = &vm_measures[m];
    vm_verdict verdict = vm_delivery_judge(l, v);
    char val[64], lim[64];
    vm_delivery_limit_text(m, l, lim, sizeof lim);
    if (verdict == VM_VERDICT_UNMEASURED || (isnan(v) && verdict == VM_VERDICT_REPORTED)) {
        snprintf(buf, n, "%s not measured%s%s", mi->label, l->judged ? ", limit " : "", l->judged ? lim : "");
        return buf;
    }
    fmt_value(m, v, 1, val, sizeof val);
    if (verdict == VM_VERDICT_REPORTED) {
        snprintf(buf, n, "%s %s", mi->label, val);
        return buf;
    }
    if (verdict == VM_VERDICT_PASS) {
        snprintf(buf, n, "%s %s, within %s", mi->label, val, lim);
        return buf;
    }
    /* a miss: the side it misses, with the value to 0.01 when 0.1 would
     * print it equal to that limit */
    int over = v > l->max;
    double edge = over ? l->max : l->min;
    char edge_txt[32], v1[32];
    snprintf(edge_txt, sizeof edge_txt, "%.1f", edge);
    snprintf(v1, sizeof v1, "%.1f", v);
    if (isfinite(v) && strcmp(edge_txt, v1) == 0)
        fmt_value(m, v, 2, val, sizeof val);
    snprintf(buf, n, "%s %s %s %.1f %s", mi->label, val, over ? ">" : "<", edge, mi->unit);
    return buf;
}
