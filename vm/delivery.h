/* delivery.h - delivery specs and the judging of a deliverable against one
 * (docs/delivery.md).
 *
 * A spec is data (stdlib/dubstage/specs.lua, or a table of the user's own);
 * the script binding (vm/script_deliver.c) reads it into a vm_delivery_spec,
 * and after a render each deliverable's measures (vm_render_report, and the
 * dialogue stem's integrated loudness) are judged here, measure by measure:
 * a value passes when, unrounded, it lies inside [min, max]. No Lua here.
 */
#ifndef VM_DELIVERY_H
#define VM_DELIVERY_H

#include <stddef.h>
#include <stdio.h>

/* The measures a spec may judge, in the order the report prints them. */
typedef enum {
    VM_MEASURE_INTEGRATED,     /* programme loudness, LUFS */
    VM_MEASURE_DIALOGUE,       /* the dialogue stem's integrated loudness, LUFS */
    VM_MEASURE_TRUE_PEAK,      /* dBTP */
    VM_MEASURE_LOUDNESS_RANGE, /* LU (EBU Tech 3342) */
    VM_MEASURE_MAX_MOMENTARY,  /* LUFS */
    VM_MEASURE_MAX_SHORT_TERM, /* LUFS */
    VM_MEASURE_COUNT
} vm_measure;

typedef struct {
    const char *key;   /* the spec table's key: "true_peak" */
    const char *label; /* what the report prints: "true peak" */
    const char *unit;  /* "LUFS", "dBTP", "LU" */
    double lo, hi;     /* the values a spec may give for target, min and max */
} vm_measure_info;

/* One row per vm_measure, in its order. */
extern const vm_measure_info vm_measures[VM_MEASURE_COUNT];

/* The most a tolerance may be, in LU or dB (the least is 0). */
#define VM_SPEC_MAX_TOLERANCE 10.0

typedef struct {
    int given;     /* the spec names this measure (printed) */
    int judged;    /* it has a limit (min or max is finite) */
    double target; /* NAN when the spec gives none (normalising aims at it) */
    double min;    /* -INFINITY when open */
    double max;    /* INFINITY when open */
} vm_spec_limit;

typedef struct {
    char name[200]; /* "ebu-r128", or a table's name, or "table at mix.lua:12" */
    vm_spec_limit limit[VM_MEASURE_COUNT];
} vm_delivery_spec;

/* An empty spec called name: no measure given. */
void vm_delivery_spec_init(vm_delivery_spec *s, const char *name);

/* How one measure fared. */
typedef enum {
    VM_VERDICT_REPORTED, /* given without a limit: printed, not judged */
    VM_VERDICT_PASS,
    VM_VERDICT_FAIL,
    VM_VERDICT_UNMEASURED /* the render did not measure it (--no-measure) */
} vm_verdict;

/* The verdict for value v (NAN: not measured; -INFINITY: silence, or no
 * block above the gate) against limit l. */
vm_verdict vm_delivery_judge(const vm_spec_limit *l, double v);

/* limit l of measure m as text: "-23.5 .. -22.5 LUFS", "<= -1.0 dBTP",
 * ">= 3.0 LU", or "reported" when it has none; into buf (n bytes), which
 * it returns. */
const char *vm_delivery_limit_text(vm_measure m, const vm_spec_limit *l, char *buf, size_t n);

/* One line for measure m: "true peak +0.4 dBTP > -1.0 dBTP" (a failure),
 * "integrated -23.1 LUFS in -23.5 .. -22.5" (a pass), "loudness range 8.6 LU"
 * (reported), written into buf (n bytes), which it returns. A value is
 * printed to 0.1, or to 0.01 when 0.1 would print it equal to the limit it
 * misses; -INFINITY prints as "below the gate" for loudness and "-inf" for a
 * peak. */
const char *vm_delivery_describe(vm_measure m, const vm_spec_limit *l, double v, char *buf, size_t n);

#endif
