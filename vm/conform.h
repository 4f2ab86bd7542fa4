/* conform.h - the change list between two cuts of one film (the cut a mix
 * was made against and the new one), and the map it gives from a time on
 * the old record timeline to the new one.
 *
 * Both cuts are edits (vm/edit.h). Their events on one track (the
 * picture, V, unless asked otherwise or a cut has none) are laid on each
 * record timeline as pieces [rec_in, rec_out). A piece of the old cut and a
 * piece of the new one show the same picture where they come from the same
 * source and their source ranges overlap. The same source: every one of
 * source file (compared by base name), clip name and reel that both events
 * name is the same, and they name at least one in common (an OTIO clip has
 * no reel, an EDL event may have no clip name: an EDL and an OTIO file of
 * one cut match). There, source frame s is at old rec_in + (s - old
 * src_in) and at new rec_in + (s - new src_in). Events are matched this way, never by event number, so a cut
 * renumbered, reordered or re-exported matches as well as one that was not.
 *
 * A source shown twice in either cut gives several candidate pairs; each
 * old frame goes to at most one new frame and each new frame comes from at
 * most one old frame. Candidates are taken smallest move first (|new -
 * old|, then old position): the copy nearest its old place keeps the mix,
 * the other shows new picture (inserted). Black and gaps have no source:
 * black between pieces kept with one move (or before the first, or after
 * the last), found at the moved place in the new cut with its length, is
 * kept with them; other black and zero-length lines never match. A retimed event (speed v = speed_num / speed_den, not
 * 1) matches a retimed event of the same source at the same speed: source
 * frame s is at old rec_in + (s - old src_in) / v and at new rec_in + (s -
 * new src_in) / v, a pair only where the two differ by whole frames; a
 * shot whose speed changed is new picture.
 *
 * Several picture layers (an OTIO timeline's video tracks; vm_edit_event's
 * layer): on V, the clip of the highest layer is seen where clips of
 * several layers are, and gaps above the bottom layer are transparent
 * (OpenTimelineIO's flatten); VM_CONFORM_LAYER(n) compares one layer alone.
 *
 * The result partitions the old record timeline:
 *   KEPT      old [old_in, old_out) is new [new_in, new_out), same length
 *             (moved when new_in != old_in)
 *   REMOVED   old [old_in, old_out) is not in the new cut; new_in = new_out
 *             is where it would have been (the new end of the kept range
 *             before it)
 * and lists what the new cut shows that the old did not:
 *   INSERTED  new [new_in, new_out); old_in = old_out: the old point it
 *             went in at (the old end of the kept range before it)
 * Before the old cut's first frame and after its last, time is kept and
 * follows the cut's first frame and its last (two open KEPT ranges, with
 * old_in = INT64_MIN and old_out = INT64_MAX). Kept ranges next to each
 * other in both cuts with the same move are one range.
 *
 * Times in the ranges are frames at the edits' rate since 00:00:00:00 (as
 * vm/edit.h). The map works in session samples: a frame f is sample
 * vm_tc_frames_to_samples(fps, rate, f) - session start, and a kept range
 * moves every sample in it by the same number of samples (the move of its
 * first frame). At rates where a frame is a whole number of samples (23.976,
 * 24, 25, 30, 48, 50, 60 at 48 kHz) a range keeps its length exactly; at
 * 29.97 and 59.94 its end may fall one sample off the new frame edge.
 *
 * Event changes (for the report): an old event whose picture is wholly in
 * the new cut at another place is MOVED; one that lost or gained frames at
 * its head or tail is TRIMMED; one with none of its picture left is
 * REMOVED; a new event with none of its picture in the old cut is
 * INSERTED; an event whose head is kept and whose transition into it
 * changed (a cut that became a dissolve, a dissolve's length) is
 * TRANSITION. */
#ifndef VM_CONFORM_H
#define VM_CONFORM_H

#include <stdint.h>

#include "vm/edit.h"
#include "vm/result.h"

/* Bounds: candidate pairs of pieces (a source repeated many times in both
 * cuts multiplies them), and the pieces looked at to find them (one reel
 * holding every shot, without clip names, makes that grow as the square of
 * the events) */
#define VM_CONFORM_MAX_PAIRS 4000000
/* Times (record and source) are within 100 hours: frames * rate stays inside int64 */
#define VM_CONFORM_MAX_HOURS 100
#define VM_CONFORM_MAX_TRIED 200000000

/* The tracks a cut is compared on (vm_conform_new's `track`): 0 the
 * picture (V: every video layer, the top one seen where they overlap, as
 * OpenTimelineIO flattens a Stack), k = 1 .. VM_EDIT_MAX_AUDIO the audio
 * track Ak, VM_CONFORM_LAYER(n) one picture layer alone: V1 (n = 0, the
 * bottom video track of an OTIO timeline; an EDL's one picture) to V8. */
#define VM_CONFORM_LAYERS 8
#define VM_CONFORM_LAYER(n) (VM_EDIT_MAX_AUDIO + 1 + (n))

/* "V", "A1" .. "A16", "V1" .. "V8" for a track of vm_conform_new, into buf. */
void vm_conform_track_name(int track, char *buf, int n);

typedef enum { VM_CONFORM_KEPT, VM_CONFORM_REMOVED, VM_CONFORM_INSERTED } vm_conform_kind;

typedef struct {
    vm_conform_kind kind;
    int64_t old_in, old_out;    /* frames on the old record timeline */
    int64_t new_in, new_out;    /* frames on the new one */
    int old_event, new_event;   /* event index in the old / new edit (-1: none; the head and tail ranges) */
    /* the same in session samples (vm_conform_new's rate and start; INT64_MIN / INT64_MAX kept) */
    int64_t old_in_s, old_out_s, new_in_s, new_out_s;
} vm_conform_range;

typedef enum {
    VM_CHANGE_MOVED, VM_CHANGE_TRIMMED, VM_CHANGE_REMOVED, VM_CHANGE_INSERTED, VM_CHANGE_TRANSITION
} vm_change_kind;

typedef struct {
    vm_change_kind kind;
    int old_event, new_event;   /* event index (-1: none) */
    int64_t move;               /* MOVED, TRIMMED: new - old frame of the first kept frame */
    int64_t head, tail;         /* TRIMMED: frames the event lost at its head / tail (negative: gained) */
} vm_change;

typedef struct vm_conform vm_conform;

/* The change list from `from` (the old cut) to `to` (the new one), both on
 * `track` (0 = V, k = Ak, VM_CONFORM_LAYER(n) = V(n+1), above; -1: V when
 * both cuts have picture, else the first audio track both have), and the map in samples at
 * `rate` Hz from session start `start_samples` (samples since midnight).
 * The two edits must have one frame rate. *out owns everything (nothing
 * points into the edits). Errors name the edits: rates that differ, a
 * track with no picture in one cut, an event past VM_CONFORM_MAX_HOURS,
 * more than VM_CONFORM_MAX_PAIRS
 * candidate pairs (naming the event), out of memory. */
ds_result vm_conform_new(const vm_edit *from, const vm_edit *to, int track, int rate, int64_t start_samples,
                         vm_conform **out, char *err);
void vm_conform_free(vm_conform **c);

/* The track compared (0 = V, k = Ak). */
int vm_conform_track(const vm_conform *c);

/* The ranges in old order (KEPT and REMOVED, head and tail included),
 * then INSERTED in new order: ranges(c, &n). */
const vm_conform_range *vm_conform_ranges(const vm_conform *c, int *n);
/* Event changes, old events in old record order then inserted new events. */
const vm_change *vm_conform_changes(const vm_conform *c, int *n);

/* Where old session sample pos is in the new cut: 1 with *new_pos and the
 * range (*range: its index in vm_conform_ranges, may be NULL), or 0 when it
 * was removed (*new_pos: where the removed range was, *range its index). */
int vm_conform_map(const vm_conform *c, int64_t pos, int64_t *new_pos, int *range);

/* The KEPT ranges in new order (indices into vm_conform_ranges). */
const int *vm_conform_kept_by_new(const vm_conform *c, int *n);

/* The index of the range holding old sample pos (a binary search). */
int vm_conform_range_at(const vm_conform *c, int64_t pos);

#endif
