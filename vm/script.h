/* script.h - running a mix script (Lua 5.4, sandboxed) to build a vm_desc.
 *
 * The script sees Lua's safe libraries (base without dofile/loadfile,
 * string, table, math, utf8, coroutine, os.clock/os.time/os.date) and the
 * mix vocabulary: session, track, bus, output. `io.open`/`io.lines` only
 * reach files under the script's folder and the output folder unless
 * allow_any_path is set; `require` finds Lua modules in the script's folder
 * and in the standard library (dubstage.*), never C modules.
 */
#ifndef VM_SCRIPT_H
#define VM_SCRIPT_H

#include "vm/desc.h"
#include "vm/result.h"

typedef struct {
    const char *out_dir;    /* --out DIR: every output goes to DIR/<basename>; NULL: as the script says */
    int allow_any_path;     /* --allow-paths: outputs and io may go anywhere */
    const char *stdlib_dir; /* folder holding dubstage/<module>.lua */
} vm_script_opts;

/* Runs the script at path and fills desc (initialised here; the caller frees
 * it with vm_desc_free, also on failure). On failure err holds one message
 * that starts with "FILE:LINE:" where the script is at fault. */
ds_result vm_script_load(const char *path, const vm_script_opts *opts, vm_desc *desc, char *err);

#endif
