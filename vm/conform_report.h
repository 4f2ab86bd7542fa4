/* conform_report.h - the conform report (what `dubstage conform` prints):
 * the change list of the cut and what happened to every clip, move and cue
 * of the mix (vm/conform_mix.h's log), as text, JSON or one HTML page.
 *
 * Every time is given on the old and the new cut, as timecode at the
 * session's rate (vm_time_format: "+N" samples into a frame when not on a
 * frame edge) and, in the JSON, as samples from the session start too. The
 * HTML page is self-contained (inline CSS and SVG, no script, nothing
 * fetched) and every string from a file (names, paths, reels) is escaped
 * (vm/xml.h). docs/conform.md shows the three. */
#ifndef VM_CONFORM_REPORT_H
#define VM_CONFORM_REPORT_H

#include <stdio.h>

#include "vm/conform_mix.h"
#include "vm/timecode.h"

/* The text report: the cut's changes, the picture ranges, the gaps to
 * fill, what was dropped, what to review, the crossfades set to a
 * dissolve's new length, then every clip part, move and
 * cue whose time changed, and a summary line. */
void vm_conform_report_text(FILE *f, const vm_conform_log *log, const vm_timebase *tb);

/* The report's summary line, without a newline: clips (parts placed, split,
 * dropped), moves, cues, crossfades set to a dissolve's new length, fades to
 * review, gaps to fill and the things dropped. The text and HTML reports
 * end with it; `dubstage info` prints it on its conform line. */
void vm_conform_report_summary(FILE *f, const vm_conform_log *log);

/* One JSON object with everything (every clip part, move and cue, moved or
 * not); docs/conform.md lists its members. */
void vm_conform_report_json(FILE *f, const vm_conform_log *log, const vm_timebase *tb);

/* The HTML page: a summary, a diagram of the two cuts with each kept range
 * joined to its new place, and the tables of the text report. Element
 * classes the tests count: svg.cuts, rect.range (data-kind), table.changes,
 * table.gaps, table.dropped, table.review, table.xfades, table.clips, table.moves, table.cues
 * (one tr.item per row). */
void vm_conform_report_html(FILE *f, const vm_conform_log *log, const vm_timebase *tb, const char *script);

#endif
