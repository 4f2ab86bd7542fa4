/* sandbox.h - what a mix script may read and write (ARCHITECTURE.md
 * property 8), judged on the file actually reached, never on the text.
 *
 * A name is resolved as the kernel would open it (vm_path_resolve: symlinks
 * followed, ".." taken from the real folder), the real path is checked
 * against the folders allowed for that use, and the file is then opened
 * by its real path with O_NOFOLLOW and checked again on the descriptor
 * (its name in /proc/self/fd, its type, its link count). A symlink is
 * fine when its target is inside an allowed folder.
 *
 *   use                          may reach
 *   io.open / io.lines, markers, the script's folder and the output folder
 *   trims, edl, otio             (--out DIR)
 *   require                      the script's folder, the library folders
 *                                (--lib DIR, DUBSTAGE_LIB) and the standard library
 *   clip sources                 anywhere (sound libraries live elsewhere)
 *   output                       the script's folder; with --out DIR, DIR
 *
 * --allow-paths (allow_any) lifts the folder rule and nothing else. Always:
 * only regular files (a FIFO, a device, a socket or a file of /proc or /sys
 * is refused, and never blocks); nothing is written through a file with
 * more than one name (a hard link); an output is never the same file (same
 * device and inode, or the same real path) as an input (the script, a clip
 * source, a marker, trims or module file, a file the script read) or as
 * another output, and io never writes to one of them.
 *
 * Errors come back as one sentence in err naming the file as the script
 * gave it and, for a link, where it leads; the caller prefixes FILE:LINE.
 * A refusal by these rules is DS_ERR_ARG; a file that cannot be opened
 * (missing, no permission, a symlink loop) is DS_ERR_IO, which io.open
 * returns as nil and a message, as Lua does.
 * The sandbox holds no Lua state and no open file.
 */
#ifndef VM_SANDBOX_H
#define VM_SANDBOX_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "vm/desc.h"
#include "vm/result.h"

typedef enum {
    VM_SB_DATA,   /* io, marker and trims files */
    VM_SB_MODULE, /* require */
    VM_SB_MEDIA   /* clip sources */
} vm_sb_use;

/* A file the script touched, for the aliasing checks. */
typedef struct {
    dev_t dev;
    ino_t ino;
    int exists;                 /* dev and ino are known */
    char *real;                 /* absolute, symlinks resolved */
    char *name;                 /* as the script wrote it */
    const char *what;           /* "clip source", "output", ... (static) */
    char where[VM_WHERE_LEN];   /* "mix.lua:12", "" for the script itself */
} vm_sb_file;

typedef struct {
    char script_dir[PATH_MAX];  /* real */
    char out_root[PATH_MAX];    /* real: --out DIR, else the script's folder */
    char stdlib_dir[PATH_MAX];  /* real, "" when there is none */
    char (*lib_dirs)[PATH_MAX]; /* real: the library folders (vm_sandbox_add_lib), searched in order */
    int nlib_dirs;
    char script_dir_text[PATH_MAX]; /* the folder as the command line gave it (names resolve from it) */
    int out_dir_given;
    int allow_any;
    vm_sb_file *inputs, *outputs;
    int ninputs, capinputs, noutputs, capoutputs;
    int *by_inode;              /* open addressing over inputs by (dev, ino); -1 empty */
    size_t by_inode_cap;
    struct vm_sb_name *by_name; /* clip names already resolved (a mix may use one file 10,000 times) */
    size_t by_name_cap, nby_name;
} vm_sandbox;

/* Sets sb up for the script at script_path; out_dir (--out DIR) and
 * stdlib_dir may be NULL. The script is registered as the first input.
 * Errors name the script or the folder that cannot be resolved. Free with
 * vm_sandbox_free, also after a failure. */
ds_result vm_sandbox_init(vm_sandbox *sb, const char *script_path, const char *out_dir, const char *stdlib_dir,
                          int allow_any, char *err);
void vm_sandbox_free(vm_sandbox *sb);

/* Adds a library folder require may read modules from (after the script's
 * folder, before the standard library): dir as given, relative to the
 * current folder; option names where it came from in errors ("--lib",
 * "DUBSTAGE_LIB"). It must be an existing folder. Its real path becomes
 * sb->lib_dirs[sb->nlib_dirs - 1]. */
ds_result vm_sandbox_add_lib(vm_sandbox *sb, const char *dir, const char *option, char *err);

/* Opens name (relative to the script's folder) for reading under use's
 * folders, registers it as an input (what, where), and returns its
 * descriptor in *fd (the caller closes it) and the path to show or reopen
 * it by in shown (relative to the current folder when under it). *fd is
 * -1 and DS_ERR_IO is returned with "cannot open ...: No such file" when it
 * does not exist (require tries the next folder on *missing = 1). */
ds_result vm_sandbox_open_read(vm_sandbox *sb, vm_sb_use use, const char *what, const char *name,
                               const char *where, int *fd, char *shown, size_t n, int *missing, char *err);

/* Checks a clip source (anywhere, regular file), registers it, and gives
 * the path to open it by in path (n bytes). Cached by name. */
ds_result vm_sandbox_media(vm_sandbox *sb, const char *name, const char *where, char *path, size_t n, char *err);

/* Opens name for io writing with open(2) flags (O_WRONLY or O_RDWR, maybe
 * O_CREAT, O_APPEND, O_TRUNC): under the data folders, a regular file with
 * one name, not an input or an output. Truncates only after every check. */
ds_result vm_sandbox_open_write(vm_sandbox *sb, const char *name, int flags, int *fd, char *err);

/* Checks the output file (as the script wrote it; with --out DIR, DIR
 * and its file name): a file name, not a folder ("out/" is refused),
 * under the script's folder, not an input or another output. Registers it
 * and gives the path to write in path (n bytes). */
ds_result vm_sandbox_output(vm_sandbox *sb, const char *file, const char *where, char *path, size_t n, char *err);

/* The files a command-line option writes beside the script's outputs (the
 * QC report of `--report DIR`): folder dir as the command line gave it
 * (relative to the current folder; anywhere: the user chose it, not the
 * script) holding the n files names[i]. dir must be a folder or not exist
 * yet, never a file (an input or not: "--report mix.lua" is refused); each
 * file, symlinks followed, must be a regular file or not exist, and be no
 * input and no output of the script. The files are registered as outputs;
 * paths[i] (PATH_MAX bytes each) gets the path to write each by. option
 * names the option in errors ("--report"). */
ds_result vm_sandbox_cli_outputs(vm_sandbox *sb, const char *option, const char *dir, const char *const *names,
                                 int n, char (*paths)[PATH_MAX], char *err);

/* For the REPL's save(): checks that name (relative to the script's
 * folder) may be written as a data file of the script at script_path, and
 * gives its real path in real. The file is then written beside it and
 * renamed over it, so nothing is written through a link. */
ds_result vm_sandbox_check_save(const char *script_path, const char *name, char *real, size_t n, char *err);

#endif
