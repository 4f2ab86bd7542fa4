/* spool.h - a rendered stream kept on disk as raw 32-bit floats, to be read
 * again: the first pass of a normalised output (vm/normalize.h) writes the
 * strip's signal here, exactly as the mix made it, and the later passes
 * read it back instead of running the graph again.
 *
 * The file is a temporary beside the output (vm/tmpfile.h: ".NAME.part-
 * XXXXXX", locked while this process lives, so a killed render's spool is
 * swept by the next one), interleaved native-endian floats with no header;
 * it never gets a final name. Memory: one buffer of VM_SPOOL_FRAMES frames,
 * whatever the length. */
#ifndef VM_SPOOL_H
#define VM_SPOOL_H

#include <stdint.h>

#include "vm/result.h"

#define VM_SPOOL_FRAMES 4096 /* frames per write(2) and per read */

typedef struct vm_spool vm_spool;

/* Creates the temporary file for output `path` (in its folder) holding
 * `channels` channels. Errors name the path. */
ds_result vm_spool_create(vm_spool **s, const char *path, int channels, char *err);

/* Appends n frames, planar (one pointer per channel). Never allocates;
 * fails on a write error (disk full), naming the output's path. */
ds_result vm_spool_write(vm_spool *s, const float *const *planar, int n, char *err);

/* Frames written so far. */
int64_t vm_spool_frames(const vm_spool *s);

/* Reads frames [from, from + n) into planar (n <= VM_SPOOL_FRAMES), after
 * writing out what is buffered; frames past the end read as silence. */
ds_result vm_spool_read(vm_spool *s, int64_t from, float *const *planar, int n, char *err);

/* Removes the file, frees s, sets *s = NULL. Safe on NULL. */
void vm_spool_destroy(vm_spool **s);

#endif
