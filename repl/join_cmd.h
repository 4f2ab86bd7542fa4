/* join_cmd.h - `dubstage join OUT SEG1 SEG2 ...`: segment renders put back
 * together (docs/segments.md). */
#ifndef REPL_JOIN_CMD_H
#define REPL_JOIN_CMD_H

/* argv[0..argc) are the words after `join`: OUT, then the segments in
 * order, files or folders (--fps RATE, --help, `--` ends the options).
 * Files: the segments joined into the file OUT. Folders: every WAV file
 * under the first (by its path inside it) joined with the files of the
 * same path in the others, into that path under the folder OUT.
 * The segments must be the WAV files a render writes (wav16, wav24,
 * wav32f) of one rate, channel count, format and speaker mask, each
 * starting where the one before ends by their BWF time references; OUT
 * gets the first's time reference and description, and is written
 * through a temporary file renamed into place, never over a segment.
 * Returns the exit status: 0, 1 when the segments do not join (a gap, an
 * overlap, a mismatch: the message names the files and their timecodes),
 * 2 on a usage error or a file that cannot be read. */
int repl_join(int argc, char **argv);

#endif
