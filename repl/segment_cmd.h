/* segment_cmd.h - `dubstage render SCRIPT --from TC --to TC --preroll S
 * [--strict]`: the command line of a segment render (docs/segments.md).
 * The render is vm_render's with a segment (vm/segment.h). --from, --to
 * and --strict are the command line's own words (play's range, conform's
 * --strict); --preroll is the segment's alone. */
#ifndef REPL_SEGMENT_CMD_H
#define REPL_SEGMENT_CMD_H

#include <stddef.h>

#include "vm/plan.h"
#include "vm/segment.h"

typedef struct {
    const char *preroll;   /* --preroll S, or NULL */
} repl_segment_args;

/* When argv[*i] is the segment's own option (--preroll S), takes it (and
 * its value: *i moves past it) into *sa and returns 1; returns 0 for any
 * other word, 2 after printing a usage error. */
int repl_segment_option(int argc, char **argv, int *i, repl_segment_args *sa);

/* The segment of a render: with --from, --to or --preroll given (from, to:
 * their words, or NULL), reads them for p into *seg and weighs the
 * pre-roll against every node's memory: a warning on stderr for each node
 * that remembers longer (an error and no render when strict: --strict).
 * Without any of them seg->on is 0. Returns 0, or the exit status after
 * printing the error (2: a word that cannot be read; 1: --strict refused). */
int repl_segment_prepare(const plan *p, const char *from, const char *to, const repl_segment_args *sa, int strict,
                         vm_segment *seg);

/* "segment 01:00:10:00 to 01:00:20:00 (10.00 s; pre-roll 5.00 s from
 * 01:00:05:00)" into buf. */
void repl_segment_describe(const plan *p, const vm_segment *seg, char *buf, size_t n);

#endif
