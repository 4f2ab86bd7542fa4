/* text_file.h - the text files commands write (automation CSV and SVG, the
 * QC report), each through a unique hidden temporary file beside its name,
 * renamed into place only when complete (vm/tmpfile.h); Ctrl-C or a kill
 * while it is written removes it. */
#ifndef REPL_TEXT_FILE_H
#define REPL_TEXT_FILE_H

#include <stdio.h>

#include "vm/tmpfile.h"

/* Opens the temporary file for path and guards it against signals; NULL,
 * with the reason on stderr, on failure. */
FILE *repl_text_open(const char *path, vm_tmpfile *tmp);

/* Closes f and renames it over path (vm_tmpfile_fcommit); 0, or 1 with the
 * reason on stderr (the temporary file is then removed). */
int repl_text_commit(FILE *f, vm_tmpfile *tmp, const char *path);

#endif
