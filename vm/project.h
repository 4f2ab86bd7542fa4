/* project.h - a feature's project: its reels, and for each reel the
 * scripts that render its deliverables (docs/cluster.md). `dubstage plan`
 * turns it into independent render jobs, one per script or per deliverable.
 *
 * A project is either
 *   - a project file, Lua run in a sandbox smaller than a script's (base
 *     without dofile/loadfile/load/require, string, table, math; no io, no
 *     os; an instruction budget and a memory cap) that calls
 *         reel "r1" { "reel1/pm.lua", "reel1/stems.lua" }
 *         reel "r2" { { "reel2/reel.lua", pm = "R2_PM", stems = { "R2_DX", "R2_MX" } } }
 *         lib "studio"     -- a --lib folder for every job
 *     paths relative to the project file's folder: a string is a job
 *     rendering all of that script's outputs; a table names a script and
 *     its deliverables, each a job rendering only the outputs named
 *     (`render --output NAME`, vm/output_select.h); or
 *   - a plain project file (a name not ending in ".lua"): a reel a line,
 *         r1  reel1/pm.lua  reel1/stems.lua
 *         r2  reel2/reel.lua  pm=R2_PM  stems=R2_DX,R2_MX
 *         lib studio
 *     words split by spaces (a "quoted" word is a path), '#' to the line's
 *     end a comment, NAME=OUTPUTS after a script one of its deliverables
 *     (in the order written); or
 *   - a folder: each subfolder (in name order) is a reel named after it,
 *     and each *.lua file directly in it (in name order) a deliverable; a
 *     *.lua file directly in the folder is a reel of one deliverable.
 * A job is named REEL.DELIVERABLE, the deliverable being the script's file
 * name without ".lua" ("r1.pm"), or the deliverable's key ("r2.stems").
 * Names are letters, digits, '_' and '-'.
 * Errors name the project file and line ("feature.lua:3: ..."). No Lua in
 * the header; the project holds no Lua state once loaded. */
#ifndef VM_PROJECT_H
#define VM_PROJECT_H

#include <limits.h>

#include "vm/desc.h"
#include "vm/result.h"

#define VM_PROJECT_MAX_JOBS 4096
#define VM_PROJECT_MAX_REELS 512
#define VM_PROJECT_MAX_LIBS 16
#define VM_PROJECT_NAME_LEN 64   /* a reel's or deliverable's name, with its 0 */
#define VM_PROJECT_MAX_OUTPUTS 64 /* output names of one deliverable */

typedef struct {
    char name[2 * VM_PROJECT_NAME_LEN]; /* "r1.pm" */
    char reel[VM_PROJECT_NAME_LEN];     /* "r1" */
    char script[PATH_MAX];              /* absolute, symlinks resolved */
    char where[VM_WHERE_LEN];           /* where the project names it: "feature.lua:3", or the folder */
    char **outputs;                     /* the deliverable's outputs (render --output NAME), malloc'd;
                                           NULL: every output of the script */
    int noutputs;
} vm_project_job;

typedef struct {
    char path[PATH_MAX];      /* the project file or folder as given */
    char dir[PATH_MAX];       /* its folder (the folder itself for a folder project), absolute */
    vm_project_job *jobs;     /* in the order the project lists them */
    int njobs, nreels;
    char (*libs)[PATH_MAX];   /* absolute */
    int nlibs;
} vm_project;

/* Reads the project at path (a project file or a folder) into p
 * (initialised here; free with vm_project_free, also after a failure).
 * Every script must exist; names must be valid and unique. Errors name the
 * project file and line. */
ds_result vm_project_load(const char *path, vm_project *p, char *err);

void vm_project_free(vm_project *p);

#endif
