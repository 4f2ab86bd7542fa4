/* loudness_cmd.h - `dubstage loudness FILE...`: audio files measured with the
 * renders' meter (vm/file_loudness.h), as a table or as JSON. */
#ifndef REPL_LOUDNESS_CMD_H
#define REPL_LOUDNESS_CMD_H

/* argv[0..argc) are the words after `loudness`: files, --json, --help, and
 * `--` (every word after it is a file). Measures every file, prints a table
 * (or one JSON array) on stdout and each error on stderr. Returns the exit
 * status: 0 when every file was measured, 1 when any could not be, 2 for a
 * usage error. */
int repl_loudness(int argc, char **argv);

#endif
