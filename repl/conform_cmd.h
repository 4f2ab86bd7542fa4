/* conform_cmd.h - `dubstage conform SCRIPT`: the conform report of a mix
 * that asks for one (conform { from = ..., to = ... }; docs/conform.md). */
#ifndef REPL_CONFORM_CMD_H
#define REPL_CONFORM_CMD_H

#include "vm/desc.h"

/* Prints d's conform report on stdout, as text or (json) one JSON object,
 * and writes the HTML page to html_path when it is not NULL (the path the
 * sandbox gave, written through a temporary file; its folder html_dir is
 * made when missing). Returns the exit
 * status: 2 when the script asks for no conform or the page cannot be
 * written, 1 when strict and anything was dropped, else 0. */
int repl_conform(const vm_desc *d, int json, const char *html_path, const char *html_dir, int strict);

#endif
