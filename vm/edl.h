/* edl.h - CMX3600 edit decision lists read into an edit (vm/edit.h).
 *
 * Lines (white space is any run of spaces and tabs; a line ends in LF, CRLF
 * or CR; text as vm/textfile.h reads it):
 *
 *   TITLE: name                  once, before the first event
 *   FCM: DROP FRAME              the following events' timecodes are drop-
 *   FCM: NON-DROP FRAME          frame (only at 29.97 and 59.94) or not;
 *                                the mode may change between events
 *   NNN  REEL  TRACKS  TRANS [DUR]  SRC-IN SRC-OUT REC-IN REC-OUT
 *                                an event line: NNN 1-6 digits; REEL any
 *                                word (BL / BLK: black); TRACKS V, A (=A1),
 *                                A1..A16, AA (=A1+A2), B (=V+A1), NONE, or
 *                                several joined by '/' (AA/V, A2/V); TRANS
 *                                C (cut), D (dissolve) or Wnnn (wipe nnn)
 *                                with DUR its length in frames (D and W
 *                                need it; C may give 0); four timecodes.
 *   M2   REEL  SPEED  TC         speed change of the event above with that
 *                                reel: SPEED in frames per second (047.6,
 *                                -024.0 backwards, 000.0 a freeze), TC the
 *                                source entry point
 *   AUD  3 [4]                   the event above also uses A3 (and A4)
 *   * FROM CLIP NAME: x          the clip name of the event above (in a
 *                                transition pair, of the outgoing line)
 *   * TO CLIP NAME: x            ... of a pair's incoming line
 *   * SOURCE FILE: x             the source file of the event last named
 *   * FROM FILE: x / * FROM CLIP: x   (Nucoda and Avid spell it so)
 *   * PATCH REEL:  FROM SOURCE n TO RECORD m
 *                                record track Am of the group's line of
 *                                that reel (else its lines on Am) takes
 *                                source channel n (vm_edit_event.patch)
 *   * anything else              a comment, ignored ("*" alone, "* LOC:")
 *   >>> SOURCE ...               Avid's source table (after the events): ignored,
 *                                with the comments after it up to an event line
 *   EFFECTS NAME IS x            a transition's effect name (Premiere, Final
 *                                Cut Pro, Resolve): ignored
 *   (blank)                      ignored
 *
 * A dissolve or wipe is written as two lines with the same number: the
 * outgoing source (record in = record out, the "from" line) and the
 * incoming one with D/W and the length. The transition starts at the
 * incoming line's record in (vm/edit.h: before = 0): the from line's event
 * gets `out`, the incoming event `in`. A D/W line with no from line takes
 * the event before it as the outgoing one; it must end where the
 * transition starts.
 *
 * Checked, each an error naming the file, the line and the event: a line
 * longer than VM_EDIT_MAX_LINE bytes; a line that is none of the above;
 * every malformed or out-of-range number and timecode (frames past the
 * rate, a dropped drop-frame label, ';' at a rate without drop-frame);
 * an out point before its in point; a source and a record length that
 * differ on an event without M2 (except a source of no length, Avid's
 * "00:00:00:00 00:00:00:00" for media without timecode, which takes the
 * record's length and is marked untimed; vm_edl_parse_record_length takes
 * the record's length for every such event, as OpenTimelineIO's
 * ignore_timecode_mismatch); a transition longer than its event or
 * with nothing to come from; an unknown track word; a reel, clip name or
 * file longer than VM_EDIT_MAX_NAME; more than VM_EDIT_MAX_EVENTS events;
 * split edits (SPLIT:) and key events (K), which are not read; an M2 that
 * names no event. Speed changes are read (speed_num / speed_den); what to
 * do with them is the reader's choice (spotting refuses them, naming the
 * line: docs/conform.md).
 */
#ifndef VM_EDL_H
#define VM_EDL_H

#include <stddef.h>

#include "vm/edit.h"

/* Reads the EDL at path with timecodes at fps. On success *out owns a new
 * edit (vm_edit_free); on failure *out is NULL and err says why:
 * DS_ERR_IO (unreadable), DS_ERR_FORMAT (content), DS_ERR_NOMEM. An EDL
 * with no event is an error. */
ds_result vm_edl_load(const char *path, const vm_fps *fps, vm_edit **out, char *err);

/* The same on the len bytes at text (UTF-8; lines end in LF, and a CR
 * before it is white space); path only names the file in messages. */
ds_result vm_edl_parse(const char *path, const char *text, size_t len, const vm_fps *fps, vm_edit **out, char *err);

/* vm_edl_parse, but an event whose source and record lengths differ (and
 * no M2 says why) takes the record's length: source out = source in +
 * record length (edl(..., { ignore_timecode_mismatch = true })). */
ds_result vm_edl_parse_record_length(const char *path, const char *text, size_t len, const vm_fps *fps,
                                     vm_edit **out, char *err);

#endif
