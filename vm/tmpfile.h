/* tmpfile.h - the temporary files dubstage writes an output through, and
 * the sweep that removes the ones a killed run left behind.
 *
 * A temporary file is "DIR/.BASE.part-XXXXXX" beside its final name
 * DIR/BASE (XXXXXX: 6 of [A-Za-z0-9], made unique with O_EXCL), so the
 * final rename stays inside one file system. While the run that made it
 * lives, the file carries an exclusive flock(2), which the kernel drops when
 * the process ends, however it ends (kill -9 included). A file of that
 * exact pattern that nobody holds locked is therefore left over from a run
 * that died, and vm_tmpfile_sweep removes it; one being written by a
 * running dubstage is locked and left alone.
 */
#ifndef VM_TMPFILE_H
#define VM_TMPFILE_H

#include <stddef.h>
#include <stdio.h>

#include "vm/result.h"

typedef struct {
    int fd;          /* the temporary file, O_RDWR, close-on-exec */
    int lock_fd;     /* holds the flock: keep it open until renamed or removed */
    char *path;      /* "DIR/.BASE.part-XXXXXX" (malloc'd) */
} vm_tmpfile;

/* Creates and locks a new temporary file for the final name `path`, mode
 * 0666 less the umask (the mode the final file keeps). Errors name path:
 * "cannot write 'out/x.wav': Permission denied". On failure t is empty
 * (fds -1, path NULL). */
ds_result vm_tmpfile_create(vm_tmpfile *t, const char *path, char *err);

/* Closes what t still holds (fd, then lock_fd), removes the file when
 * remove_file, frees the path. Safe on an empty or released t. */
void vm_tmpfile_release(vm_tmpfile *t, int remove_file);

/* Text outputs (automation CSV and SVG, saved trims): vm_tmpfile_create,
 * then a stdio stream on the file (t->fd now belongs to it). NULL, with
 * err naming path, on failure. */
FILE *vm_tmpfile_fopen(vm_tmpfile *t, const char *path, char *err);

/* Closes f and renames t's file over path; on any failure (a write error
 * such as a full disk included) removes it and fills err, naming path.
 * Releases t either way. */
ds_result vm_tmpfile_fcommit(vm_tmpfile *t, FILE *f, const char *path, char *err);

/* For a process that keeps no stop flag of its own: until
 * vm_tmpfile_unguard, SIGINT, SIGTERM and SIGHUP remove t's file and then
 * end the process as the signal would have (the shell sees 130 for
 * Ctrl-C). One file at a time; the earlier handlers come back at unguard. */
void vm_tmpfile_guard(const vm_tmpfile *t);
void vm_tmpfile_unguard(void);

/* Removes from folder dir every regular file named ".BASE.part-XXXXXX"
 * that no process holds locked (left by a run that was killed), calling
 * notice(user, path) for each one removed (notice may be NULL). Returns how
 * many were removed; a folder that cannot be read removes nothing. */
int vm_tmpfile_sweep(const char *dir, void (*notice)(void *user, const char *path), void *user);

#endif
