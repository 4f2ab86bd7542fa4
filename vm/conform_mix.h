/* conform_mix.h - moving a mix made against one cut onto the new cut: every
 * time in a description (vm/desc.h) through a change list (vm/conform.h),
 * and the log of what was done to each thing, for the conform report.
 *
 * What moves, and how (docs/conform.md states it for users):
 *  - Clips: the part of a clip in each kept range of picture becomes a clip
 *    of its own at the new place, its source offset advanced by where the
 *    part starts in it; a clip that straddles a change is split there. The
 *    part in removed picture is dropped. A fade stays with the part holding
 *    it; a fade that a change cuts through is listed for review (the part
 *    keeps what fits).
 *  - Automation (every moving parameter: faders, trims, pans, surround,
 *    mutes, sends, insert settings, VCAs, mute groups, clip gains): the new
 *    lane plays, in each kept range, the values the old lane played there.
 *    Each move keeps its place in its range; where a range starts, the
 *    value the lane had there is set, and a move running across the start
 *    goes on from it (exactly for linear, amplitude, equal-power and
 *    exponential ramps and targets; a curve with its corners within a
 *    sample, an S-curve through 1024 of its values: listed). Moves in removed picture are dropped. In inserted picture a
 *    lane goes on as it was (there is no sound of the mix there).
 *  - Cues of the marker files the script read: listed old -> new.
 *  - Duck rules: their moves are made after this, by the analysis of the
 *    conformed key (vm/duck.h), so they follow the dialogue.
 *  - The session length, when set, moves like a time.
 *  - Crossfades at a dissolve (or wipe) whose length changed: a clip part
 *    whose fade out, or fade in, lies exactly on the old transition's
 *    samples (as spot() places it, or as written by hand to match) is
 *    lengthened or shortened onto the new transition's samples, placed as
 *    spot() places a transition (its `before` frames before the cut): the
 *    outgoing clip's end moves, the incoming clip's start and source offset
 *    move together. All the clips at one such edit change, or none (when
 *    one would need sound outside its file, or a change cuts through the
 *    old transition; listed for review). Other fades there are listed for
 *    review. A cut that became a dissolve has no crossfade to change (the
 *    change is listed).
 * Inserted picture gets nothing (silence) and is listed as a gap to fill. */
#ifndef VM_CONFORM_MIX_H
#define VM_CONFORM_MIX_H

#include <stdint.h>

#include "vm/conform.h"
#include "vm/desc.h"
#include "vm/result.h"

/* The most points of a move continued through points */
#define VM_CONFORM_CURVE_POINTS 1024
/* Bounds on what a conform makes: clip parts (a clip crossing every range
 * of a long cut splits into as many parts) and automation events (each
 * moving lane may get an event where each kept range starts) */
#define VM_CONFORM_MAX_PARTS 2000000
#define VM_CONFORM_MAX_EVENTS 20000000

typedef enum {
    VM_CLOG_CLIP,          /* a clip, or a part of it, at its new place */
    VM_CLOG_CLIP_DROPPED,  /* a part of a clip in removed picture */
    VM_CLOG_FADE,          /* a fade a change cut through (note says how): review */
    VM_CLOG_MOVE,          /* an automation move at its new place */
    VM_CLOG_MOVE_DROPPED,  /* a move in removed picture */
    VM_CLOG_MOVE_SPLIT,    /* a move running across a change, going on from the new place */
    VM_CLOG_CUE,           /* a marker cue at its new place */
    VM_CLOG_CUE_DROPPED,   /* a cue in removed picture */
    VM_CLOG_LENGTH,        /* the session length */
    VM_CLOG_XFADE          /* a crossfade set to a dissolve's new length: old_at..old_end the old
                              transition's samples, new_at..new_end the new one's */
} vm_clog_kind;

typedef struct {
    vm_clog_kind kind;
    const char *name;       /* track, lane ("DX.gain", "DIA 1[3].gain"), cue or file: owned by the log */
    int index;              /* clip: its number on its track before the conform (1-based); move: in its lane */
    int part, parts;        /* clip: which part of how many kept */
    int64_t old_at, old_end; /* session samples (a move, a cue: old_end = old_at) */
    int64_t new_at, new_end; /* where it is now; dropped: where the removed picture was */
    int64_t old_from, new_from; /* clips: the source offset, samples */
    int64_t old_fade, new_fade; /* XFADE: the clip's fade before and after, samples */
    const char *where;      /* the script line that made it ("" for cues) */
    const char *note;       /* "", or what to review (static text or owned) */
} vm_clog_item;

/* One event of either cut, as the report names it. */
typedef struct {
    int number;
    char *reel, *clip, *where;
    int64_t rec_in, rec_out;        /* frames */
    vm_edit_join in;
    int drop;
    int64_t speed_num, speed_den;   /* vm/edit.h: 1/1 at normal speed */
} vm_clog_event;

typedef struct vm_conform_log {
    vm_conform *cut;                /* the change list (owned) */
    char *from_path, *to_path;      /* the edits as the script named them */
    char *where;                    /* the conform call */
    vm_fps fps;
    int track;                      /* the track compared (0 = V) */
    vm_clog_event *old_events, *new_events;
    int nold, nnew;
    vm_clog_item *items;
    int nitems, capitems;
    char **strings;                 /* owned names and notes */
    int nstrings, capstrings;
    /* counts */
    int clips, clip_parts, clips_split, clip_parts_dropped;
    int moves, moves_dropped, moves_split, moves_approximated;
    int cues, cues_dropped, fades;
    int xfades;                     /* clip fades set to a dissolve's new length */
    int dropped;                    /* clip parts + moves + cues dropped: --strict fails on it */
} vm_conform_log;

/* Moves everything in d through the change list `cut` (the log takes it
 * over, also on failure) from edit `from` to edit `to` (their events are
 * copied into the log), and fills a new log into *log (d->conform keeps
 * it). where: the conform call. Errors: out of memory, a lane that cannot
 * be rebuilt, more than the bounds below (named). */
ds_result vm_conform_mix(vm_desc *d, vm_conform *cut, const vm_edit *from, const vm_edit *to, const char *where,
                         vm_conform_log **log, char *err);

void vm_conform_log_free(vm_conform_log **log);

#endif
