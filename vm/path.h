/* path.h - file-name arithmetic for the sandbox and for output folders.
 * All functions work on text only (lexically) unless they say otherwise. */
#ifndef VM_PATH_H
#define VM_PATH_H

#include <stddef.h>

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

#endif
