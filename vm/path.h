/* path.h - file names: lexical arithmetic, and resolution as the kernel
 * does it, for the sandbox (vm/sandbox.h) and for output folders.
 * Functions work on text only (lexically) unless they say they touch the
 * file system. */
#ifndef VM_PATH_H
#define VM_PATH_H

#include <stddef.h>
#include <sys/stat.h>

#include "vm/result.h"

/* Joins dir and name into out (name wins when absolute) and normalises the
 * result lexically: "a/./b/../c" -> "a/c". Returns 0, or -1 when out is too
 * small. */
int vm_path_join(const char *dir, const char *name, char *out, size_t n);

/* Lexical normalisation in place: removes "." components and resolves ".."
 * against the previous component where there is one. */
void vm_path_normalize(char *p);

/* The folder part of path ("." when there is none) into out. */
void vm_path_dirname(const char *path, char *out, size_t n);

/* The last component of path. Points into path. */
const char *vm_path_basename(const char *path);

/* 1 when path (normalised, absolute or relative to the same base) lies
 * inside folder root (or is root itself). */
int vm_path_is_under(const char *path, const char *root);

/* Creates folder path and its missing parents (mkdir -p). Errors name the
 * folder that could not be made. */
ds_result vm_path_mkdirs(const char *path, char *err);

/* Resolves name against folder dir (name wins when absolute; dir NULL or ""
 * is the current folder) the way the kernel would open it: every symlink is
 * followed (at most 40), and ".." goes up from the real folder reached, not
 * from the text ("link/../x" is beside the link's target). From the first
 * component that does not exist on, the rest is applied as written, "." and
 * ".." lexically (what mkdir -p then open would reach). Touches the file
 * system (lstat, readlink). out gets an absolute path with no symlink in its
 * existing part; *missing is 0 when the whole path exists. Errors name
 * name: a symlink loop, a component that is a file, a name too long. */
ds_result vm_path_resolve(const char *dir, const char *name, char *out, size_t n, int *missing, char *err);

/* path (absolute, as vm_path_resolve gives it) shown relative to the
 * current folder when it lies under it ("out/pm.wav"), else as it is.
 * Opening the result reaches the same file as long as the current folder
 * stays. */
void vm_path_shown(const char *path, char *out, size_t n);

/* The file an open descriptor refers to, by its name in /proc/self/fd
 * (absolute, symlinks resolved). Returns 0, or -1 when /proc cannot tell. */
int vm_path_of_fd(int fd, char *out, size_t n);

/* Opens path as a regular file and nothing else: a FIFO, a device, a
 * socket or a folder is refused without blocking (the open uses
 * O_NONBLOCK and the type is checked on the descriptor), and so is a file
 * of /proc or /sys (regular in name only). flags are open(2)'s (O_CLOEXEC
 * and O_NOCTTY are added; O_TRUNC is dropped: truncate with ftruncate once
 * every check of your own has passed, or a refused file is already empty).
 * what names the file in errors ("marker file", "clip"). On success *fd is
 * open (blocking again) and st, when not NULL, holds its fstat. A file
 * that is refused for what it is gives DS_ERR_ARG; one that cannot be
 * opened (missing, no permission) DS_ERR_IO. */
ds_result vm_path_open_regular(const char *path, int flags, const char *what, int *fd, struct stat *st,
                               char *err);

#endif
