/* script.h - running a mix script (Lua 5.4, sandboxed) to build a vm_desc.
 *
 * The script sees Lua's safe libraries (base without dofile/loadfile,
 * string, table, math, utf8, coroutine, os.clock/os.time/os.date) and the
 * mix vocabulary: session, track, bus, output. Every file it names is
 * judged by vm/sandbox.h on the file reached: `io.open`/`io.lines`, marker
 * and trims files only under the script's folder and the output folder
 * unless allow_any_path is set; `require` finds Lua modules in the script's
 * folder, the library folders (lib_dirs) and the standard library
 * (dubstage.*), never C modules. It runs
 * under an instruction budget and a memory cap (vm/budget.h).
 */
#ifndef VM_SCRIPT_H
#define VM_SCRIPT_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>

#include "vm/desc.h"
#include "vm/result.h"

/* A library folder require searches (docs/recipes-sharing.md). */
typedef struct {
    const char *dir;    /* as given, relative to the current folder */
    const char *origin; /* where it was given, for messages and `dubstage info`: "--lib", "DUBSTAGE_LIB" */
} vm_script_lib;

typedef struct {
    const char *out_dir;    /* --out DIR: every output goes to DIR/<basename>; NULL: as the script says */
    int allow_any_path;     /* --allow-paths: outputs and io may go anywhere */
    const char *stdlib_dir; /* folder holding dubstage/<module>.lua */
    const vm_script_lib *libs; /* nlibs library folders, searched in order after the script's folder and before
                                  the standard library; each must exist */
    int nlibs;
    /* NULL, or a flag a signal handler sets (Ctrl-C): while the script runs
     * it is looked at every VM_BUDGET_HOOK_EVERY Lua instructions (vm/budget.h),
     * and once set the script stops with "FILE:LINE: interrupted". */
    const volatile sig_atomic_t *interrupt;
    /* NULL, or traceback_size bytes that receive, when the script raises an
     * error while it runs, Lua's "stack traceback:" lines for it ("" for a
     * syntax error or when there is none); err keeps the one-line message. */
    char *traceback;
    size_t traceback_size;
    double max_instructions; /* the script's instruction budget; 0: 2e9; < 0: none */
    double max_memory_mb;    /* cap on its Lua memory in MiB; 0: 1024; < 0: none */
    /* Files command-line options will write (the QC report of --report
     * DIR, conform's --html FILE, automation's --csv and --svg FILE): once
     * the script has run, each report_files[i] in folder report_dirs[i],
     * named report_options[i] in messages, is checked against every input
     * and output it named and the files before it (vm_sandbox_cli_outputs),
     * and its path to write goes into report_paths[i]. nreport_files 0:
     * none. */
    const char *const *report_dirs;
    const char *const *report_options;
    const char *const *report_files;
    int nreport_files;
    char (*report_paths)[PATH_MAX];
} vm_script_opts;

/* Runs the script at path and fills desc (initialised here; the caller frees
 * it with vm_desc_free, also on failure). On failure err holds one message
 * that starts with "FILE:LINE:" where the script is at fault; an interrupted
 * script returns DS_ERR_INTERRUPTED. */
ds_result vm_script_load(const char *path, const vm_script_opts *opts, vm_desc *desc, char *err);

#endif
