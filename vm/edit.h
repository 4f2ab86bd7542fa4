/* edit.h - an edit (a picture cut) in memory: what an edit decision list
 * (vm/edl.h) or an OpenTimelineIO file (vm/otio.h) says, in one shape, so
 * that spotting (vm/script_edit.c) and a change list between two cuts read
 * one thing whichever file the editor sent.
 *
 * An edit is a list of events in file order. An event is one piece of one
 * source on one or more tracks of the record timeline: a CMX3600 event
 * line, or a clip (or gap) on an OTIO track. Times are whole frames at the
 * edit's frame rate (vm_fps), counted since 00:00:00:00 as vm_tc_parse
 * counts them (a drop-frame label is turned into its real frame count), so
 * frame arithmetic is exact and a time becomes a sample with
 * vm_tc_frames_to_samples.
 *
 *   record   [rec_in, rec_out): where the event is seen on the cut
 *   source   [src_in, src_out): the source's own timecode that fills it
 *
 * Transitions. A cut needs nothing. A dissolve or wipe between two events
 * is written on both: the incoming event's `in` and the outgoing event's
 * `out` describe the same transition, `frames` long, of which `before`
 * frames lie before the cut point (rec_in of the incoming event, rec_out of
 * the outgoing one) and the rest after it. The outgoing source therefore
 * plays on past rec_out for `out.frames - out.before` frames, and the
 * incoming one starts `in.before` frames before rec_in. A CMX3600 dissolve
 * starts at the cut (before = 0: the outgoing event, usually the
 * zero-length "from" line of the pair, runs on under the incoming one for
 * the whole dissolve); an OTIO Transition is centred as its in_offset and
 * out_offset say (before = in_offset).
 *
 * Speed: speed_num / speed_den times normal speed (1/1 normal; 2/1 twice
 * as fast; 0/1 a freeze frame; negative: backwards), from an EDL's M2 line
 * or an OTIO LinearTimeWarp/FreezeFrame effect. A source that runs at
 * another speed than normal has src_out - src_in != rec_out - rec_in.
 *
 * Two edits of the same film compare event by event on (tracks, reel or
 * clip or file, src_in, src_out) against (rec_in, rec_out): every field a
 * change list needs is here, and nothing points into the file text.
 */
#ifndef VM_EDIT_H
#define VM_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "vm/limits.h"
#include "vm/result.h"
#include "vm/timecode.h"

/* tracks of an event: bit 0 the picture, bit k the audio track Ak */
#define VM_EDIT_VIDEO 1u
#define VM_EDIT_AUDIO(k) (1u << (k)) /* k = 1 .. VM_EDIT_MAX_AUDIO */

typedef enum { VM_EDIT_CUT, VM_EDIT_DISSOLVE, VM_EDIT_WIPE } vm_edit_join_kind;

typedef struct {
    vm_edit_join_kind kind;
    int wipe;        /* SMPTE wipe pattern of an EDL "W001" (1); 0 otherwise */
    int64_t frames;  /* the transition's length; 0 for a cut */
    int64_t before;  /* frames of it before the cut point (0 .. frames) */
} vm_edit_join;

typedef enum { VM_EDIT_EVENT_CLIP, VM_EDIT_EVENT_GAP } vm_edit_event_kind;

typedef struct {
    vm_edit_event_kind kind;   /* a gap (OTIO Gap) has no source */
    int number;                /* EDL event number; OTIO: the item's place in its track, from 1 */
    const char *reel;          /* EDL reel ("AX", "BL" for black); OTIO: "" */
    const char *clip;          /* clip name: EDL "* FROM CLIP NAME:" / "* TO CLIP NAME:", OTIO name; "" when none */
    const char *file;          /* source file: EDL "* SOURCE FILE:" ("* FROM FILE:", "* FROM CLIP:"),
                                  OTIO ExternalReference target_url; "" when none */
    uint32_t tracks;           /* VM_EDIT_VIDEO | VM_EDIT_AUDIO(k) ... */
    int64_t rec_in, rec_out;   /* frames; rec_in <= rec_out */
    int64_t src_in, src_out;   /* frames; src_in <= src_out */
    int64_t media_in;          /* the source's first frame (OTIO available_range start); -1: not said (EDL) */
    vm_edit_join in, out;      /* the transition into this event and out of it */
    int64_t speed_num, speed_den; /* 1/1 unless a speed change says otherwise; speed_den > 0 */
    uint8_t patch[VM_EDIT_MAX_AUDIO + 1]; /* EDL "* PATCH reel: FROM SOURCE n TO RECORD m" (Avid): patch[m] = n,
                                  the source channel the record track Am takes; 0: not said */
    int untimed;               /* EDL: the line gave the source no length (source in = source out with a record
                                  length, as Avid writes for media without timecode): the source is taken to run
                                  from src_in for the record's length (src_out set so), its place in the file
                                  unknown beyond that */
    int layer;                 /* the picture's layer: OTIO, the place of the timeline's video track it is on
                                  among its video tracks, from 0 (OTIO lists a Stack's tracks bottom first:
                                  the highest layer is on top); 0 for sound and in an EDL (one picture) */
    uint32_t sublayer;         /* on the picture inside nested Stacks: which of a Stack's children it comes from
                                  (a later child is on top), a 4-bit digit a nest depth, the outermost nest's
                                  the highest (0: every nest's first child, and outside nests); with layer,
                                  what is seen where pictures overlap (vm/conform.h) */
    int drop;                  /* its timecodes were written drop-frame */
    int line;                  /* EDL: the event's line; OTIO: 0 */
    const char *where;         /* "cut.edl:12" or "cut.otio: tracks.children[1].children[3]" */
} vm_edit_event;

typedef enum { VM_EDIT_FROM_EDL, VM_EDIT_FROM_OTIO } vm_edit_source;

typedef struct vm_edit vm_edit;

/* Frees *e (NULL is fine) and sets *e to NULL. */
void vm_edit_free(vm_edit **e);

/* What was read: the file's path as given, its title (EDL TITLE:, OTIO
 * name; "" when none), its frame rate, the kind of file. */
const char *vm_edit_path(const vm_edit *e);
const char *vm_edit_title(const vm_edit *e);
const vm_fps *vm_edit_fps(const vm_edit *e);
vm_edit_source vm_edit_kind(const vm_edit *e);

/* Number of events, and event i (0 .. count-1, in file order; NULL out of
 * range). Strings are owned by e. */
int vm_edit_count(const vm_edit *e);
const vm_edit_event *vm_edit_event_at(const vm_edit *e, int i);

/* "V", "A1", "A2" ... for track bit k (0 = V), into buf. */
void vm_edit_track_name(int k, char *buf, int n);

/* ---- for the readers (vm/edl.c, vm/otio.c) ---- */

/* A new empty edit for path at fps; NULL when out of memory. */
vm_edit *vm_edit_new(const char *path, const vm_fps *fps, vm_edit_source kind);

/* Appends a copy of ev (its strings copied; NULL strings become ""; a
 * speed_den of 0 becomes 1/1) and points *stored (may be NULL) at it.
 * Errors: DS_ERR_NOMEM, or DS_ERR_FORMAT past VM_EDIT_MAX_EVENTS events
 * ("cut.edl:12: more than 100000 events ..."). */
ds_result vm_edit_add(vm_edit *e, const vm_edit_event *ev, vm_edit_event **stored, char *err);

/* Event i for the reader to finish (NULL out of range). */
vm_edit_event *vm_edit_event_mut(vm_edit *e, int i);

/* Points a string field of a stored event (&ev->clip), or the title, at a
 * copy of the n bytes at s. DS_ERR_NOMEM on failure. */
ds_result vm_edit_set_string(vm_edit *e, const char **field, const char *s, size_t n, char *err);
ds_result vm_edit_set_title(vm_edit *e, const char *s, size_t n, char *err);

/* A reader of an edit's text: vm_edl_parse, vm_otio_parse. */
typedef ds_result (*vm_edit_parse_fn)(const char *path, const char *text, size_t len, const vm_fps *fps,
                                      vm_edit **out, char *err);

/* Reads the file at path as text (vm/textfile.h: at most
 * VM_EDIT_MAX_FILE_BYTES; what and kind name it in messages) and gives it
 * to parse. */
ds_result vm_edit_load_file(const char *path, const char *what, const char *kind, vm_edit_parse_fn parse,
                            const vm_fps *fps, vm_edit **out, char *err);

#endif
