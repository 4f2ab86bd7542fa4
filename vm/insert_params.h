/* insert_params.h - the automatable parameters of each insert kind, in one
 * table per kind.
 *
 * A row names a parameter as a script and the REPL write it (eq.freq,
 * STRIP.dyn1.threshold), gives its unit and the range the REPL's `set`
 * and the script's checks accept, the lane it takes in its op's lane array
 * (the order the emitter builds the lanes and `dubstage automation` lists
 * them), and where its static value and its moves are kept in a
 * vm_insert_desc. The script binding (vm/script_param.c,
 * vm/script_insert.c), the live setter (vm/liveset.c), the emitters
 * (vm/compile_emit.c) and vm/automation.c all read it: a new insert kind
 * adds its rows here and nowhere else (docs/adding-a-node.md).
 */
#ifndef VM_INSERT_PARAMS_H
#define VM_INSERT_PARAMS_H

#include <stddef.h>

#include "vm/desc.h"

/* The most rows a kind has (bindings size their name lists by it;
 * test_insert_params checks every kind against it). */
#define VM_INSERT_MAX_PARAMS 16

/* One automatable parameter of an insert kind (also used by vm/liveset.c
 * for the strip, VCA, group, send and duck fields, whose lane and offsets
 * it does not read). */
typedef struct {
    const char *name;           /* the script's word: "freq", "threshold" */
    double lo, hi;              /* accepted values (hi INFINITY: no upper bound) */
    const char *unit;           /* "Hz", "dB", "dBTP", "s", "" (messages, tostring) */
    int lane;                   /* its index in the op's lanes (vm_dyn_param order for dynamics) */
    size_t value_offset;        /* of the static value (a double) in vm_insert_desc */
    size_t moves_offset;        /* of its moves (a vm_param_desc) in vm_insert_desc */
    int below_nyquist;          /* 1: must also stay below half the session rate (an EQ's freq) */
} vm_insert_param_spec;

/* A setting of an insert kind that cannot move while its others can, and
 * why (the message for insert.WORD names it). */
typedef struct {
    const char *name;
    const char *why;
} vm_insert_fixed;

/* The parameters of one insert kind, in the order the REPL lists them,
 * and the kernel's own rule over the whole insert when it has one. */
typedef struct {
    const char *noun;           /* the insert in messages: "limiter", "transient shaper" (dynamics: its mode's) */
    const vm_insert_param_spec *params;
    int nparams;
    /* 0 when the insert's settings are acceptable to its kernel, else non-zero
     * with the kernel's message in msg; NULL: the rows' ranges are the rule */
    int (*check)(const vm_insert_desc *e, char *msg, size_t n);
    const char *method;         /* its constructor, t:METHOD { } ("transient"); NULL: the noun (t:compressor) */
    /* The kernel's channel limits, checked once on the final graph
     * (vm/compile_validate.c): the audio's and a key's (0: it takes no key). */
    int max_channels;
    int max_key_channels;
    /* NULL, or the audio's limit for e when it depends on e's settings; it
     * sets *variant to the word naming that variant ("second-order") */
    int (*max_channels_of)(const vm_insert_desc *e, const char **variant);
    /* NULL, or the kernel's limits that only the final graph decides (the
     * session rate, the strip's channels; vm/compile_validate.c): 0 when e
     * on `channels` channels at `rate` Hz is acceptable, else non-zero with
     * the reason in msg (the caller names the insert and its line) */
    int (*check_graph)(const vm_insert_desc *e, int rate, int channels, char *msg, size_t n);
    /* The fewest channels it takes (0: 1); equal to max_channels: exactly
     * that many (a stereo width takes 2) */
    int min_channels;
    /* for a kind whose settings cannot move: why, for the message that
     * refuses a move ("it is a patch: flipping it while audio plays is a click") */
    const char *fixed;
    /* NULL, or the fewest channels e takes when that is more than 1 (a
     * stereo IR's convolution reverb: 2) */
    int (*min_channels_of)(const vm_insert_desc *e);
    /* for a kind with rows: its settings that cannot move, each with why
     * (a limiter's lookahead, a reverb's size and pre-delay) */
    const vm_insert_fixed *fixed_settings;
    int nfixed_settings;
} vm_insert_params;

/* The table of insert kind `kind` (a duck insert has no parameters). */
const vm_insert_params *vm_insert_params_of(vm_insert_kind kind);

/* What messages call insert e: "eq", "compressor", "expander", "gate",
 * "limiter", "transient shaper", "duck", "stereo width", "mid-side matrix",
 * "polarity inverter", "channel map". */
const char *vm_insert_noun(const vm_insert_desc *e);

/* The constructor's name of insert e: t:eq, t:compressor, t:transient. */
const char *vm_insert_method(const vm_insert_desc *e);

/* "an" before a word that starts with a vowel (an eq, an expander), else "a". */
const char *vm_insert_article(const char *word);

/* The most channels insert e's kernel takes; *variant (may be NULL) gets
 * the word naming the variant of e this limit is for ("second-order" for
 * an order-2 eq) or NULL. */
int vm_insert_max_channels(const vm_insert_desc *e, const char **variant);

/* The fewest channels insert e takes (1 unless its entry says more). */
int vm_insert_min_channels(const vm_insert_desc *e);

/* The most channels the key of insert e may have (0: e takes no key). */
int vm_insert_max_key_channels(const vm_insert_desc *e);

/* The parameter of `kind` called name, or NULL. */
const vm_insert_param_spec *vm_insert_param_find(vm_insert_kind kind, const char *name);

/* The parameter of `kind` that takes lane `lane`, or NULL. */
const vm_insert_param_spec *vm_insert_param_at(vm_insert_kind kind, int lane);

/* The storage of the static value of parameter sp of e. */
double *vm_insert_param_value(vm_insert_desc *e, const vm_insert_param_spec *sp);

/* The moves of parameter sp of e (its .value may be a stale copy; see
 * vm_insert_param_get). */
vm_param_desc *vm_insert_param_moves(vm_insert_desc *e, const vm_insert_param_spec *sp);

/* Parameter sp of e as one vm_param_desc: the static value from its field,
 * the moves (shared, not copied: valid as long as e is) and the script line
 * of its first move. */
vm_param_desc vm_insert_param_get(const vm_insert_desc *e, const vm_insert_param_spec *sp);

/* 1 when some parameter of e moves. */
int vm_insert_params_moving(const vm_insert_desc *e);

/* The field of *p that holds dynamics setting k (&p->threshold_db for
 * VM_DYN_THRESHOLD, ...): the dynamics rows rebased onto a dsp_dyn_params. */
double *vm_dyn_param_field(dsp_dyn_params *p, vm_dyn_param k);

#endif
