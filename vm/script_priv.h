/* script_priv.h - what the files of the script bindings share (private to
 * vm/script*.c; nothing else includes it).
 *
 * The bindings are split by concern:
 *   script.c          the context, option parsing helpers, running a script
 *   script_strip.c    tracks and buses, clips, sends
 *   script_param.c    automatable parameters and their moves
 *   script_insert.c   inserts (eq, dynamics, limiter, transient shaper, delay, stereo tools, convolution
 *                     reverb, algorithmic reverb)
 *   script_group.c    VCAs and mute groups
 *   script_marker.c   marker files (cues) and trims files
 *   script_edit.c     edits (edl, otio) and spot: an edit's audio events as clips
 *   script_conform.c  conform: the mix made against one cut moved onto the new cut
 *   script_session.c  session, output, duck
 *   script_deliver.c  deliver and delivery specs
 *   script_sandbox.c  the restricted libraries: io, load, require
 *   script_check.c    check_options, check_word, did_you_mean: the core's checks for recipes
 *   script_timebase.c the timebase table: samples, frames and labels at the session's rates
 * Every binding raises with vm_script_error (vm/script_error.h), so messages
 * read "mix.lua:12: ...". Everything a call creates is attached to the
 * vm_desc before anything that can raise, so a Lua error never leaks memory
 * held in a C frame. */
#ifndef VM_SCRIPT_PRIV_H
#define VM_SCRIPT_PRIV_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "vm/budget.h"
#include "vm/desc.h"
#include "vm/edit.h"
#include "vm/sandbox.h"
#include "vm/script.h"
#include "vm/script_error.h"

/* metatable names of the handles a script holds */
#define STRIP_MT "dubstage.strip"
#define CLIP_MT "dubstage.clip"
#define PARAM_MT "dubstage.param"
#define INSERT_MT "dubstage.insert"
#define VCA_MT "dubstage.vca"
#define MUTEGROUP_MT "dubstage.mute_group"
#define MARKERS_MT "dubstage.markers"
#define EDIT_MT "dubstage.edit"

typedef struct {
    vm_desc *desc;
    const vm_script_opts *opts;
    vm_sandbox sb;               /* every file the script names goes through it */
    vm_budget budget;            /* instructions, memory, interrupt */
    int session_done;            /* session{} was called */
    int strips_made;             /* a track or bus exists: session{} is too late */
    /* parameters' names for messages, as param_of made them (a cache: a
     * script may move one parameter tens of thousands of times) */
    struct {
        int kind, owner, clip, lane, valid;
        char name[300];
    } names[16];
    /* script_index.c: names and media files by (kind, string) */
    struct script_entry *index;
    int index_cap, index_used;
    struct { char *path; vm_media_info info; } *media; /* files probed, in order */
    int nmedia, capmedia;
    int *marks, nmarks, mark_gen;  /* script_mark_strips: one stamp per strip */
    /* what is being done when an error is raised, put after "FILE:LINE: " by
     * vm_script_error ("spot: cut.edl:7 event 3 on A1: "); "" mostly. Set
     * around one call, cleared by it and by the error that uses it. */
    char error_context[2 * VM_WHERE_LEN];
} script_ctx;

/* what script_index keys are (the same string may be a strip and a vca) */
enum { SCRIPT_INDEX_STRIP, SCRIPT_INDEX_GROUP, SCRIPT_INDEX_MEDIA };

typedef struct { int index; } strip_ref;
typedef struct { int strip, clip; } clip_ref;
typedef struct { int strip, index; } insert_ref;

/* The parameters a script can move (a param handle names one). */
typedef enum {
    PARAM_STRIP_GAIN, PARAM_STRIP_TRIM, PARAM_STRIP_PAN, PARAM_CLIP_GAIN, PARAM_VCA_GAIN, PARAM_SEND_LEVEL,
    PARAM_INSERT, /* an insert's setting: its kind's row of vm/insert_params.c that takes lane `lane` */
    PARAM_STRIP_MUTE, PARAM_GROUP_MUTE,
    PARAM_STRIP_SURROUND /* a surround panner setting: vm_surround_params[lane] */
} param_kind;

typedef struct {
    param_kind kind;
    int owner;   /* strip or VCA index */
    int clip;    /* clip index (PARAM_CLIP_GAIN), send index or insert index (PARAM_INSERT) */
    int lane;    /* PARAM_INSERT: which setting (its lane in vm/insert_params.c); PARAM_STRIP_SURROUND: which
                    vm_surround_param */
} param_ref;

/* ---- script.c: context and option helpers ---- */

/* The context of the script running in L (set by vm_script_load). */
script_ctx *script_get_ctx(lua_State *L);
/* "FILE:LINE" of the calling script line into out (VM_WHERE_LEN bytes). */
void script_where(lua_State *L, char *out);
/* arr with room for need elements (doubling *cap); raises when out of memory. */
void *script_grow(lua_State *L, void *arr, int *cap, int need, size_t elem);
/* strdup that raises when out of memory. */
char *script_strdup(lua_State *L, const char *s);
/* "; did you mean 'NAME'?" for the entry of names (NULL-terminated) closest
 * to k (vm_suggest), or "" when none is close; written into buf (n bytes),
 * which it returns. Every "unknown field/option/word" message uses it. */
const char *script_did_you_mean(const char *k, const char *const *names, char *buf, size_t n);
/* The index of w in names (NULL-terminated); otherwise raises "WHAT: unknown
 * KIND 'w'; did you mean 'x'? (PLURAL: a, b, c)". */
int script_word(lua_State *L, const char *w, const char *const *names, const char *what, const char *kind,
                const char *plural);
/* names (NULL-terminated) as "a, b, c" into buf (n bytes, cut when longer);
 * returns buf. */
const char *script_join(const char *const *names, char *buf, size_t n);
/* Every key of the options table at idx must be in valid[] (or an integer
 * key up to max_positional). Otherwise raises one message that does not
 * depend on the table's walk order: every unknown key in sorted order, each
 * with the closest valid one. */
void script_check_keys(lua_State *L, int idx, const char *what, const char *const *valid, int max_positional);
/* The same check without raising: writes its message into msg (msg_size
 * bytes) and returns 1 on a fault, returns 0 when every key is valid. */
int script_keys_fault(lua_State *L, int idx, const char *what, const char *const *valid, int max_positional,
                      char *msg, size_t msg_size);
/* Field key of the table at idx as a number, unchecked (the caller checks
 * it, NaN included); returns 0 when absent, raises when not a number. */
int script_opt_any_number(lua_State *L, int idx, const char *key, const char *what, double *out);
/* Field key of the table at idx as a number in lo..hi into *out; returns 0
 * when absent, raises when not a number or out of range. */
int script_opt_number(lua_State *L, int idx, const char *key, const char *what, double lo, double hi, double *out);
/* v as a gain in dB for `what`'s `key`: -math.huge (or anything at or below
 * -144 dB) is silence and comes back as VM_LANE_DB_SILENCE; above +24 dB,
 * +inf and NaN raise an error naming what, key and the range. Every gain,
 * static or moving (faders, trims, clips, VCAs, sends), goes through it. */
double script_gain_db(lua_State *L, double v, const char *what, const char *key);
/* v as surround panner setting k (vm_surround_params[k]) for `what`'s
 * `key`: the LFE send by script_gain_db, the others in their range; out of
 * range raises an error naming what, key, the value and the range. */
double script_surround_value(lua_State *L, int k, double v, const char *what, const char *key);
/* The fold-down keys (downmix, centre, surround, lfe, mono) of the table at
 * idx as the settings of the route from strip `from` to bus `to` (none:
 * nothing recorded); errors name `what`. */
void script_route_options(lua_State *L, int from, int to, int idx, const char *what);
/* A bus of `layout` named FROM_LoRo (FROM_LoRo_2, ... when taken) fed by
 * strip `from` with the fold-down keys of the table at opts: an output's
 * downmix. Returns the bus's index. */
int script_implicit_fold_bus(lua_State *L, int from, vm_layout layout, int opts, const char *what);
/* Field key of the table at idx as a gain in dB (script_gain_db); returns 0
 * when absent. */
int script_opt_gain_db(lua_State *L, int idx, const char *key, const char *what, double *out);
/* Field key as a boolean; returns 0 when absent. */
int script_opt_bool(lua_State *L, int idx, const char *key, const char *what, int *out);
/* Field key as a string (owned by the table), or NULL when absent. */
const char *script_opt_string(lua_State *L, int idx, const char *key, const char *what);
/* Field key as a time in samples; returns 0 when absent. */
int script_opt_time(lua_State *L, int idx, const char *key, const char *what, vm_time_kind kind, int64_t *out);
/* samples as "1.234 s" into buf */
void script_fmt_duration(const vm_desc *d, int64_t samples, char *buf, size_t n);

/* ---- script_index.c: linear-time lookups ---- */

/* The value stored for (kind, key), or -1. */
int script_index_find(const script_ctx *c, int kind, const char *key);
/* Stores value for (kind, key), replacing any; key is not copied and must
 * outlive the context (a name the desc owns). Raises when out of memory. */
void script_index_add(lua_State *L, script_ctx *c, int kind, const char *key, int value);
/* vm_media_probe, once per path per script run. */
ds_result script_probe(lua_State *L, const char *path, vm_media_info *info, char *err);
/* Starts a new marking of the strips: returns its stamp; c->marks[i] ==
 * stamp marks strip i (every strip starts unmarked). O(1) apart from
 * growing, so a list can be checked for duplicates in linear time. */
int script_mark_strips(lua_State *L, script_ctx *c);
/* Frees the index and the probe cache (after the script has run). */
void script_index_free(script_ctx *c);

/* ---- script_strip.c ---- */

/* The strip handle at idx (raises when it is not one). */
strip_ref *script_check_strip(lua_State *L, int idx);
/* track:clip's work: a clip on the track at stack index strip from the
 * options table at opts ({ "file", at = ..., ... }); pushes its handle and
 * returns 1. Errors name the line of the Lua code that called the C
 * function running (t:clip or spot). */
int script_clip_add(lua_State *L, int strip, int opts);
/* "track" or "bus" */
const char *script_kind_name(const vm_strip_desc *s);
int script_track(lua_State *L);
int script_bus(lua_State *L);
extern const luaL_Reg script_strip_methods[];
extern const luaL_Reg script_clip_methods[];

/* ---- script_param.c ---- */

/* Pushes the handle of parameter kind of owner (strip, VCA or mute group)
 * and clip (clip, insert or send index, by kind). */
void script_push_param(lua_State *L, int kind, int owner, int clip);
/* Pushes the handle of setting `lane` (vm/insert_params.h) of insert
 * `index` on strip `strip`. */
void script_push_insert_param(lua_State *L, int strip, int index, int lane);
/* "compressor", "expander" or "gate" */
const char *script_dyn_mode_name(dsp_dyn_mode m);
extern const luaL_Reg script_param_methods[];

/* ---- script_insert.c ---- */

/* Appends insert e (stamped with the calling line) to strip `strip` and
 * pushes its handle. */
int script_push_insert(lua_State *L, int strip, vm_insert_desc *e);
/* Rewrites a kernel check's message in the script's words (attack_s -> attack). */
void script_words(char *msg);
int script_strip_eq(lua_State *L);
int script_strip_compressor(lua_State *L);
int script_strip_expander(lua_State *L);
int script_strip_gate(lua_State *L);
int script_strip_limiter(lua_State *L);
int script_strip_transient(lua_State *L);
int script_strip_saturate(lua_State *L);
int script_strip_bitcrush(lua_State *L);
int script_strip_reverb(lua_State *L);
int script_strip_delay(lua_State *L);
int script_strip_width(lua_State *L);
int script_strip_ms(lua_State *L);
int script_strip_polarity(lua_State *L);
int script_strip_channel_map(lua_State *L);
int script_strip_convolve(lua_State *L);
extern const luaL_Reg script_insert_methods[];

/* ---- script_group.c ---- */

int script_vca(lua_State *L);
int script_mute_group(lua_State *L);
extern const luaL_Reg script_vca_methods[];
extern const luaL_Reg script_mute_group_methods[];

/* ---- script_marker.c ---- */

int script_markers(lua_State *L);
int script_edl(lua_State *L);
int script_otio(lua_State *L);
int script_spot(lua_State *L);
extern const luaL_Reg script_edit_methods[];
/* An edit a script holds (EDIT_MT): the edit, and whether { fps = } was
 * given (else it was read at the session's rate when it was read). */
typedef struct {
    vm_edit *e;
    int fps_given;
} edit_ref;
/* An edit read at another rate than the session's without { fps = }:
 * raises "CALL: cut.edl was read at 24 fps, but the session runs at 25 ...". */
void script_edit_check_rate(lua_State *L, const edit_ref *r, const char *call);

/* ---- script_conform.c ---- */

int script_conform(lua_State *L);
/* Moves everything the script placed through the conform it asked for
 * (after the script has run; nothing when it asked for none). */
int script_apply_conform(lua_State *L);
int script_trims(lua_State *L);
/* Sets the values of every trims file read, in the order read (after the
 * script has run). */
int script_apply_trims(lua_State *L);
extern const luaL_Reg script_markers_methods[];

/* The time at the top of the stack (a number of seconds or any time
 * string) in samples, read as a position or a duration (pops it); raises
 * "bad value for 'KEY' in WHAT ..." when it is not a time. */
int64_t script_to_time(lua_State *L, const char *key, const char *what, vm_time_kind kind);

/* ---- script_check.c ---- */

/* check_options, check_word, did_you_mean: globals of every script. */
extern const luaL_Reg script_check_funcs[];

/* ---- script_timebase.c ---- */

/* Pushes the `timebase` table (the session's time arithmetic for Lua). */
void script_push_timebase(lua_State *L);

/* ---- script_session.c ---- */

int script_session(lua_State *L);
int script_output(lua_State *L);
int script_duck(lua_State *L);
/* The output the options table at idx describes (a file name first, then
 * from, format, dither, downmix and its gains), for `call` ("output",
 * "deliver") whose keys are valid[]: checked, appended to the desc;
 * returns its index. */
int script_add_output(lua_State *L, int idx, const char *call, const char *const *valid);
/* The output keys, for a call that takes them and more (NULL-terminated). */
extern const char *const script_output_keys[];

/* ---- script_deliver.c ---- */

int script_deliver(lua_State *L);

/* ---- script_sandbox.c ---- */

/* Opens the safe libraries and the restricted io, load and require. */
void script_open_sandbox(lua_State *L);
/* Pushes module name as require "name" would give it (the script's folder
 * first, then the standard library; loaded once); raises as require does. */
void script_require(lua_State *L, const char *name);
/* Opens name (relative to the script's folder) for reading under use's
 * folders (vm/sandbox.h) and pushes the chunk it holds, text only, named
 * by the file's path; the file is never left open, also on an error.
 * what names the file in messages ("trims file"). Returns 1; returns 0
 * with nothing pushed when the file does not exist and missing_ok is set;
 * raises on every other failure. shown (PATH_MAX bytes, may be NULL) gets
 * the path the file was read by. */
int script_load_file(lua_State *L, vm_sb_use use, const char *what, const char *name, int missing_ok, char *shown);

#endif
