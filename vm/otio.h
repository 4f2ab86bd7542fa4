/* otio.h - OpenTimelineIO JSON (.otio) read into an edit (vm/edit.h).
 *
 * What is read (schema names with any version, "Clip.1", "Clip.2", ...):
 *
 *   Timeline     name (the edit's title), global_start_time (a RationalTime
 *                or null: where the record timeline starts; 0 when null),
 *                tracks (a Stack)
 *   Stack        children: Tracks, in order
 *   Track        kind "Video" or "Audio" ("Sequence", the first schema's
 *                name, is a Track); children: Clips, Gaps and Transitions
 *                one after another from the timeline's start. Audio tracks
 *                are A1, A2, ... in the order they come (at most
 *                VM_EDIT_MAX_AUDIO); every video track is V, its place among
 *                the video tracks its layer (a later one is on top)
 *   Clip         name, source_range (a TimeRange: start_time, duration; when
 *                null, the media's available_range), media_reference,
 *                enabled (false: read as a gap), effects (LinearTimeWarp
 *                time_scalar and FreezeFrame give the speed; others are
 *                ignored)
 *   ExternalReference  target_url (the source file; a file:// URL is turned
 *                into its path, %XX decoded), available_range (its
 *                start_time is the source's first frame: media_in)
 *   Gap          source_range (its duration takes room on the track)
 *   Stack, Track inside a track (a nest: a nested sequence)
 *                flattened in time: the nest takes its source_range's
 *                duration on the track (without one: its longest child, or
 *                its items end to end) and shows its own frames from
 *                source_range.start_time; what lies outside is trimmed away
 *                (a clip's source in advances with it). A Stack's children
 *                (Tracks, Stacks, Clips, Gaps) all start at its start;
 *                their events go on the track the nest is on (a nest's
 *                tracks must be of that track's kind) and carry the nest's
 *                number; on the picture, a Stack's later child is on
 *                top of its earlier ones (vm_edit_event.sublayer), as the
 *                timeline's later video tracks are (layer). Errors: a
 *                nest's window cutting through a transition, a transition
 *                into or out of a nest, a speed effect on a nest, nests
 *                more than 8 deep, more than 16 children in a nested Stack
 *                on a picture track
 *   Transition   transition_type (SMPTE_Dissolve: a dissolve; a name with
 *                "Wipe" in it: a wipe; anything else: a dissolve), in_offset
 *                and out_offset: the transition overlaps the item before it
 *                by in_offset and the item after it by out_offset
 *                (edit.h: before = in_offset, frames = in + out)
 *   RationalTime value, rate. A time becomes whole frames at the edit's
 *                rate: at a rate that rounds to the edit's nominal rate (24
 *                or 23.976 on a 23.976 edit) value is the frame count; at
 *                another rate (48000) value * fps / rate must land on a
 *                frame (within 1e-6)
 *
 * Errors name the file and the JSON path of the value that was wrong:
 * "cut.otio: tracks.children[2].children[5].source_range.duration: value
 * 10.5 is not a whole frame at 24 fps". A missing
 * or mistyped field, a negative duration, a transition beside another
 * transition and more than VM_EDIT_MAX_EVENTS items are errors; names and
 * URLs longer than VM_EDIT_MAX_NAME are errors.
 */
#ifndef VM_OTIO_H
#define VM_OTIO_H

#include <stddef.h>

#include "vm/edit.h"

/* Reads the .otio file at path with times at fps. On success *out owns a
 * new edit (vm_edit_free); on failure *out is NULL and err says why
 * (DS_ERR_IO, DS_ERR_FORMAT, DS_ERR_NOMEM). A timeline with no clip and no
 * gap is an error. */
ds_result vm_otio_load(const char *path, const vm_fps *fps, vm_edit **out, char *err);

/* The same on the n bytes at text; path only names the file in messages. */
ds_result vm_otio_parse(const char *path, const char *text, size_t n, const vm_fps *fps, vm_edit **out, char *err);

#endif
