/* automation.h - the automated parameters of a description, as named lanes,
 * for `dubstage automation` (print, CSV, SVG): what a mixer checks and
 * diffs after writing moves.
 *
 * Names: "TRACK.gain", "TRACK.trim", "TRACK.pan", "vca:NAME.gain",
 * "TRACK[N].gain" for the gain of the track's N-th clip (1-based, in the
 * order written), "TRACK.eqN.freq" (.gain, .q) when its N-th insert is an
 * EQ, "TRACK.dynN.threshold" (.ratio, .knee, .makeup, .range) when it is a
 * compressor, expander or gate, "TRACK.limN.ceiling" (.release) for a
 * limiter, "TRACK.shapeN.attack" (.sustain) for a transient shaper,
 * "TRACK.mute" and "mute_group:NAME.mute" (1 muted, 0 not: the switch; the
 * engine plays each change as a fade, vm_mute_layer), plus "TRACK.fader" for a strip whose gain is built from
 * more than one layer (fader + trim + VCAs): the sum of its layers, in dB,
 * which is what the engine applies (silence in any layer is silence). */
#ifndef VM_AUTOMATION_H
#define VM_AUTOMATION_H

#include "vm/desc.h"
#include "vm/lane.h"
#include "vm/result.h"

typedef struct {
    char name[200];
    int is_db;
    vm_lane **layers;      /* summed in dB (is_db) or one plain lane (an array of
                              the lane's own: a fader has one per VCA it is in) */
    int nlayers;
    int nowned;            /* layers[0 .. nowned) are this lane's; the rest (VCA
                              layers) are the list's */
    const char *where;     /* script line of the first move */
    const char *unit;      /* what its values are in: "dB", "Hz", "s", "dBTP", "Q", "ratio",
                              "-1 left .. 1 right", "on/off" (static strings) */
} vm_auto_lane;

typedef struct {
    vm_auto_lane *lanes;
    int n;
    vm_lane **vca_lanes;   /* shared layers, one per VCA, owned here */
    int nvca;
} vm_auto_list;

/* Every parameter of d that has moves (and the effective fader of strips
 * whose gain has several layers, any of them moving). Fails on a lane the
 * compiler would also refuse. */
ds_result vm_automation_collect(const vm_desc *d, vm_auto_list *out, char *err);

/* Value of a lane at session sample n (dB sum or plain value; silence is
 * VM_LANE_DB_SILENCE). */
double vm_auto_value(const vm_auto_lane *l, int64_t n);

/* Every sample where some layer of l starts or stops moving, sorted,
 * duplicates removed; returns how many (up to max). */
int vm_auto_breakpoints(const vm_auto_lane *l, int64_t *out, int max);

void vm_automation_free(vm_auto_list *list);

#endif
