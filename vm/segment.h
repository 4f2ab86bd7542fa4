/* segment.h - one stretch of a programme rendered alone (dubstage render
 * --from TC --to TC --preroll S, docs/segments.md): the range read from
 * the command line, and the pre-roll weighed against each node's memory
 * (plan_op_class.memory). The render itself is vm_render's (its segment
 * options); `dubstage join` puts the pieces back together. */
#ifndef VM_SEGMENT_H
#define VM_SEGMENT_H

#include <stdint.h>

#include "vm/plan.h"
#include "vm/result.h"

/* The longest pre-roll accepted, in seconds. */
#define VM_SEGMENT_MAX_PREROLL_S 3600.0

typedef struct {
    int on;                /* 0: the whole programme */
    int64_t from, to;      /* session samples [from, to) written (0 <= from < to <= length) */
    int64_t preroll;       /* samples the graph runs before `from` (asked for; the render
                              starts at the session start when from - preroll < 0) */
    int preroll_auto;      /* 1: no --preroll given: twice the longest memory */
} vm_segment;

/* Reads the command line's --from, --to (times as vm_time_parse_arg reads
 * them; NULL: the session's start, its end) and --preroll (seconds, 0 to
 * VM_SEGMENT_MAX_PREROLL_S; NULL: twice the longest memory of p's nodes
 * over that pre-roll, a 120 dB fall) into *seg, on. Errors name the option, the value
 * and the accepted form or range. */
ds_result vm_segment_parse(const plan *p, const char *from, const char *to, const char *preroll, vm_segment *seg,
                           char *err);

/* The samples before sample 0 of the segment that the render runs:
 * the pre-roll, cut at the session start. */
int64_t vm_segment_run_preroll(const vm_segment *seg);

/* The longest memory (plan_op_class.memory) of p's ops with the settings
 * anywhere in the session samples [start, at] (read at both ends and 511
 * points between), in samples; *which (may be NULL): its op's index, -1
 * when no op has memory. */
double vm_segment_longest_memory(const plan *p, int64_t start, int64_t at, int *which);

/* Calls note(user, message) for each op whose memory over the pre-roll run
 * (its longest from seg->from minus the pre-roll to seg->from) is longer
 * than that pre-roll (a segment starting at the session
 * start needs none: it starts as the whole render does). The message
 * names the op (its script line and label), its memory and the pre-roll:
 * "mix.lua:12: reverb bus 'ROOM' rt60 10.00 s ...: remembers 10.050 s (...),
 * longer than the pre-roll of 2.00 s: ...". Returns how many. */
int vm_segment_check(const plan *p, const vm_segment *seg, void (*note)(void *user, const char *msg), void *user);

#endif
