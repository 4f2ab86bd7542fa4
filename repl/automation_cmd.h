/* automation_cmd.h - `dubstage automation`: the evaluated lanes of a mix,
 * printed as breakpoints, or written as CSV (one row per frame) or SVG. */
#ifndef REPL_AUTOMATION_CMD_H
#define REPL_AUTOMATION_CMD_H

#include "vm/desc.h"

/* Prints (or writes) the lanes named in `names` (all when n == 0). Returns a
 * process exit status; errors are printed. */
int repl_automation(const vm_desc *d, const char *const *names, int n, const char *csv_path, const char *svg_path);

#endif
