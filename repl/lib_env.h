/* lib_env.h - the library folders DUBSTAGE_LIB names (docs/recipes-sharing.md),
 * read the same way by every command that runs scripts (render, check,
 * plan), as the shell reads PATH. */
#ifndef REPL_LIB_ENV_H
#define REPL_LIB_ENV_H

#include <stddef.h>

#include "vm/script.h"

/* How many folders DUBSTAGE_LIB can name at most (its colons + 1; 0 when
 * unset): the room repl_lib_env needs in libs. */
size_t repl_lib_env_room(void);

/* Appends DUBSTAGE_LIB's folders (colon-separated, empty entries skipped)
 * to libs[*n...], origin "DUBSTAGE_LIB". Their text lives in one copy of
 * the variable kept for the life of the process. 0, or -1 when out of
 * memory. */
int repl_lib_env(vm_script_lib *libs, int *n);

#endif
