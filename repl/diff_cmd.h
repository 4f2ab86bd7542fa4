/* diff_cmd.h - `dubstage diff A B`: the null test of two renders (two audio
 * files, two render folders, or two manifests; docs/diff.md). */
#ifndef REPL_DIFF_CMD_H
#define REPL_DIFF_CMD_H

/* argv[0..argc) are the words after `diff`: A, B and the options
 * (--threshold DB, --gap S, --fps RATE, --start TC, --json, --help; `--`
 * ends them). Prints a report per output and channel on stdout (or one
 * JSON object), errors on stderr. Returns the exit status: 0 when every
 * output is identical or differs only below the threshold, 1 when one
 * differs (samples above the threshold, or missing on one side, or of
 * another length, channel count or rate), 2 on an error (a file that
 * cannot be read, one that is not audio, a usage error). */
int repl_diff(int argc, char **argv);

#endif
