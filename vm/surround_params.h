/* surround_params.h - the settings of a strip's surround panner beside its
 * `pan` (which is the panner's x): their names, ranges, defaults and units,
 * one table that the script bindings, `dubstage repl`'s set, `dubstage
 * automation` and the compiler all read. The law is dsp/surround_pan.h's;
 * docs/surround.md is the user's page. */
#ifndef VM_SURROUND_PARAMS_H
#define VM_SURROUND_PARAMS_H

/* The settings, in this order (their index in vm_strip_desc.surround and
 * the lanes of a moving surround pan after the pan itself). */
typedef enum {
    VM_SURROUND_FR,     /* pan_fr: -1 rear .. +1 front (the panner's y) */
    VM_SURROUND_SPREAD, /* pan_spread: 0 point source .. 1 even over the speakers */
    VM_SURROUND_CENTER, /* pan_center: 0 phantom centre .. 1 centre speaker */
    VM_SURROUND_LFE,    /* pan_lfe: the LFE send, dB */
    VM_SURROUND_WIDTH,  /* pan_width: a stereo source's two sides, 0 .. 1 apart */
    VM_SURROUND_NPARAMS
} vm_surround_param;

typedef struct {
    const char *name;  /* its word: t.pan_fr, STRIP.pan_fr */
    double lo, hi;     /* the accepted range (the LFE: the rule of every gain, -144 (silence) .. +24 dB) */
    double def;        /* its value when not set */
    int is_db;         /* a gain in dB (the LFE send): -math.huge is silence */
    const char *range; /* the range in words, for messages: "-1 = rear to 1 = front" */
    const char *unit;  /* for `dubstage automation` */
} vm_surround_param_spec;

extern const vm_surround_param_spec vm_surround_params[VM_SURROUND_NPARAMS];

#endif
