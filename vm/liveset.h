/* liveset.h - setting a mix's parameters by name: what the REPL changes
 * while the mix plays, and what a trims file written back from it holds.
 *
 * A name is "STRIP.PARAM" or "STRIP.INSERT.PARAM":
 *   STRIP.gain  STRIP.trim (dB)   STRIP.pan (-1..1)   STRIP.mute  STRIP.solo (0/1)
 *   STRIP.pan_fr|pan_spread|pan_center|pan_lfe|pan_width
 *                                 the surround panner's settings (vm/surround_params.h),
 *                                 listed after pan
 *   STRIP.eqN.freq|gain|q         the strip's insert N (1-based, counting every
 *                                 insert in the chain, as `dubstage automation` does), an EQ
 *   STRIP.dynN.threshold|ratio|knee|attack|release|hold|makeup|range
 *                                 insert N, a compressor, expander or gate
 *   STRIP.limN.ceiling|release    insert N, a limiter
 *   STRIP.shapeN.attack|sustain   insert N, a transient shaper
 *   STRIP.duck.depth|threshold|attack|release|hold|preroll|bridge
 *                                 the duck rule whose target is STRIP
 *   VCA.gain                      a VCA's fader
 *   GROUP.mute                    a mute group
 * A value replaces the parameter's static setting; moves written for it in
 * the script still apply (a fader ride stays a ride: set the trim to move
 * it as a whole). Times are seconds, levels dB, frequencies Hz.
 */
#ifndef VM_LIVESET_H
#define VM_LIVESET_H

#include "vm/desc.h"
#include "vm/result.h"

/* Sets name to value in d. Errors name the parameter, say the accepted
 * range, and suggest the closest name for a misspelt one. */
ds_result vm_liveset(vm_desc *d, const char *name, double value, char *err);

/* The current static value of name (NAN when there is no such name). */
double vm_liveget(const vm_desc *d, const char *name);

/* Every settable name of d, in strip order, NULL-terminated; one malloc
 * (free it with free()). */
char **vm_liveset_names(const vm_desc *d);

#endif
