/* markers.h - named cues from the picture editor's marker list, so that
 * automation can be written `at = cue "door slam"` and follow the cut when
 * the list is replaced.
 *
 * A marker file is read whole, once, on the control thread. Every cue is a
 * name and a position (samples from the session start, vm_time_parse with
 * VM_TIME_POSITION: any time form works, timecode is absolute and must be
 * drop-frame exactly when the session start is; a cue before the session
 * start comes out negative and the caller decides).
 *
 * Text: a UTF-8 byte-order mark is skipped; a UTF-16 file (LE or BE, with a
 * BOM, as Premiere and Excel's "Unicode text" write) is converted to UTF-8;
 * any other bytes are kept as they are (names are compared as bytes). Lines
 * end in LF, CRLF or a lone CR. A NUL byte (a binary file) is an error, and
 * so is a file over 64 MB.
 *
 * Names: leading and trailing white space (space, tab, CR, LF, VT, FF) is
 * trimmed; inner bytes are kept. Lookups are exact and case-sensitive. Two
 * cues with the same name are an error (the reference would be ambiguous).
 * A file with no cue is an error.
 *
 * The format is detected per file, by the first rule that matches ("first
 * line" means the first line that is not blank):
 *
 * 1. Pro Tools session text ("Export Session Info as Text"): a line reading
 *    "M A R K E R S  L I S T I N G" (spacing free). The next non-blank line
 *    is the column header of a tab-separated table (rule 4's columns: NAME
 *    and LOCATION); its rows end at the first blank line. LOCATION is
 *    written in the export's Time Format: choose Timecode (bars|beats,
 *    min:sec and bare sample counts are errors with that advice).
 *
 * 2. CMX3600 EDL with Resolve markers ("Timeline Markers to EDL"): the first
 *    line starts with "TITLE:" (any case), or some line is an event line: a
 *    number of digits, then at least three words (reel, track, transition),
 *    then four timecodes as the last four words. A line holding "|M:" is a
 *    marker of the event line above it:
 *        001  001      V     C        01:00:05:12 01:00:05:13 01:00:05:12 01:00:05:13
 *        optional note |C:ResolveColorBlue |M:door slam |D:1
 *    Its position is the event's record in (the third of the four
 *    timecodes); its name is the text after "|M:" up to the next " |" that
 *    starts another field (" |" then letters then ':') or the end of the
 *    line. "FCM: DROP FRAME" makes the timecodes of the following events
 *    drop-frame (a label written with ':' only gets ';' before its frames);
 *    "FCM: NON-DROP FRAME" undoes it. Every other line is ignored.
 *
 * 3. Avid Media Composer marker list (Markers window, "Export Markers",
 *    text): no header; each line is NAME <tab> TIMECODE <tab> TRACK <tab>
 *    COLOUR <tab> COMMENT <tab> DURATION [<tab> ...]. Detected when the
 *    first line has at least five tab-separated fields and the second is a
 *    timecode (1-2 digits, then three times ':' or ';' and 1-2 digits). The
 *    cue name is the COMMENT (the NAME field is the editor's user name); a
 *    marker with an empty comment is skipped. Fields are taken as written
 *    (no quoting), as in Pro Tools text.
 *
 * 4. Table (CSV / TSV with a header line): the first line holds a tab, ';'
 *    or ',' and either names a known column or does not start with a digit,
 *    '+', '-' or '#'. The separator is the first of tab, ';', ',' that
 *    splits the header into both a name and a time column (failing that,
 *    the one that finds most known columns, then the most frequent one).
 *    Header fields match case-insensitively after trimming, with '_' read
 *    as a space. The name column is the first present of: name, marker
 *    name, marker, cue, description, comment, comments, notes, note. The
 *    time column is the first present of: timecode, tc, record in,
 *    position, location, start, time, in, source in (record in before
 *    source in: in an edit list the record side is the timeline). Other
 *    columns are ignored. Fields follow RFC 4180: a field may be quoted
 *    with '"' (white space before the opening quote is dropped), a quoted
 *    field may hold separators and line breaks, and "" inside it is one
 *    '"'; text after a closing quote is kept as written. Blank lines and
 *    rows whose fields are all empty are skipped; a row with an empty name
 *    is skipped (it cannot be referred to); a row with a name and no time
 *    is an error. This reads the marker CSVs of Resolve and most tools,
 *    Premiere's marker text ("Marker Name", "In") and any spreadsheet.
 *
 * 5. Plain lines: "TIME NAME" - the time is the first word, the name is the
 *    rest of the line (it may hold spaces and '#'). Blank lines and lines
 *    whose first non-blank character is '#' are ignored. A time without a
 *    name is an error.
 *        # reel 1
 *        01:00:05:12  door slam
 *        12.5s        thunder
 *
 * Errors name the file (the path as given) and the line:
 *   "cannot read marker file 'cues.csv': No such file or directory"
 *   "cues.csv:7: bad timecode '01:00:6x:00' for cue 'door slam': <why>"
 *   "cues.csv:1: no time column (looked for: timecode, tc, ...); the header has: ..."
 *   "cues.csv:4: cue 'door slam' is defined twice (first at line 2)"
 *   "no cues in marker file 'cues.csv' (read as plain 'TIME NAME' lines)"
 * Long names and times are shortened in messages.
 */
#ifndef VM_MARKERS_H
#define VM_MARKERS_H

#include <stdint.h>

#include "vm/result.h"
#include "vm/timecode.h"

typedef struct vm_markers vm_markers;

/* Reads the marker file at path, positions against tb. On success *out owns
 * a new list (free it with vm_markers_free); on failure *out is NULL, err
 * says why and the result is DS_ERR_IO (unreadable), DS_ERR_FORMAT (bad
 * content), DS_ERR_ARG (NULL argument) or DS_ERR_NOMEM. */
ds_result vm_markers_load(const char *path, const vm_timebase *tb, vm_markers **out, char *err);

/* Frees *m (NULL is fine) and sets *m to NULL. */
void vm_markers_free(vm_markers **m);

/* Number of cues (>= 1 for a loaded list; 0 for NULL). */
int vm_markers_count(const vm_markers *m);

/* Cue i (0 .. count-1, in file order): its trimmed name (owned by m, valid
 * until vm_markers_free) and its position in samples from the session
 * start. Out of range: NULL and 0. */
const char *vm_markers_name(const vm_markers *m, int i);
int64_t vm_markers_position(const vm_markers *m, int i);

/* Looks name up (exact, case-sensitive; white space around name is
 * ignored) and stores its position. Error (DS_ERR_ARG):
 * "no cue 'dor slam' in cues.csv; did you mean 'door slam'? (12 cues)",
 * the suggestion by vm_suggest, left out when nothing is close. */
ds_result vm_markers_find(const vm_markers *m, const char *name, int64_t *position, char *err);

#endif
