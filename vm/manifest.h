/* manifest.h - the record `dubstage check` keeps beside a render's outputs
 * (docs/delivery.md), to tell whether the files there are still the render
 * of what is there now, and what their deliverables measured.
 *
 * It holds:
 *   - the engine: dubstage's version and the SHA-256 of its executable (a
 *     rebuilt engine with other code is another engine, whatever its
 *     version says);
 *   - the options that change what is written (--out, --allow-paths);
 *   - every file the script read (vm_desc.inputs: the script, its modules,
 *     data, marker and trims files, clip sources, IRs) by real path and the
 *     SHA-256 of its contents;
 *   - every output by path and the SHA-256 of the file written;
 *   - each deliverable's measures.
 * Beside each hash, the identity the file had when it was hashed (device,
 * inode, size, modification and change times; any write, rename over,
 * touch or chmod changes the change time, which no user can set). A file
 * is read and hashed again only when its identity differs from the one
 * recorded, or when it had changed less than VM_MANIFEST_SETTLE_NS before
 * it was looked at (a file system with coarse timestamps could hide a
 * second change within the same tick: git's "racy clean" rule). So a check
 * with nothing changed reads no media, and a fresh clone or a CI cache
 * (new inodes and times, same contents) still matches after one reading.
 *
 * The file is text, one record a line, written through a temporary file
 * and renamed into place (vm/tmpfile.h). No Lua here. */
#ifndef VM_MANIFEST_H
#define VM_MANIFEST_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/delivery.h"
#include "vm/desc.h"
#include "vm/result.h"

#define VM_MANIFEST_SETTLE_NS 2000000000LL

typedef struct {
    char *path;
    char sha256[65];     /* the contents' hash */
    int64_t size, mtime_ns, ctime_ns;
    uint64_t dev, ino;
    int64_t seen_ns;     /* when that identity was taken (wall clock) */
} vm_manifest_file;

typedef struct {
    char version[64];            /* DS_VERSION */
    vm_manifest_file engine;     /* the executable */
    char out_dir[PATH_MAX];      /* --out DIR, resolved ("" without) */
    int allow_paths;
    int hashed;                  /* files read to hash them (not in the file): a manifest whose files
                                  * were all hashed again and found the same is worth writing anew */
    vm_manifest_file *inputs;
    int ninputs;
    vm_manifest_file *outputs;
    int noutputs;
    double (*values)[VM_MEASURE_COUNT]; /* per deliverable */
    int ndeliverables;
} vm_manifest;

/* Where the manifest of script d lives: beside its first output (the
 * script's folder when it writes none), named ".SCRIPT.check"
 * (".mix.lua.check"), into out (n bytes). */
void vm_manifest_path(const vm_desc *d, char *out, size_t n);

/* DS_OK when the manifest may be written at path: it is neither a file
 * the script reads nor one of its outputs (ARCHITECTURE property 7);
 * else the error names it. */
ds_result vm_manifest_check_place(const vm_desc *d, const char *path, char *err);

/* Fills m (initialised here) with the engine, the options and every input
 * of d, hashed, taking a hash from `known` (the manifest on disk, may be
 * NULL) for a file whose identity is unchanged and settled. exe: the
 * executable's path (/proc/self/exe). Errors name the file that cannot be
 * read. Free m with vm_manifest_free, also after a failure. */
ds_result vm_manifest_build(vm_manifest *m, const vm_desc *d, const char *exe, const char *version,
                            const char *out_dir, int allow_paths, const vm_manifest *known, char *err);

/* 1 when m and the manifest on disk agree on the engine, the options and
 * every input (same paths, same contents); else 0, with what differs in why
 * ("the script changed", "'media/a.wav' changed", "a new input
 * 'lib/x.lua'"). */
int vm_manifest_same_inputs(const vm_manifest *m, const vm_manifest *disk, char *why, size_t n);

/* 1 when every output disk records is there with the contents recorded
 * (read again when its identity changed or it had not settled: then its
 * new identity replaces the old in disk, and disk->hashed counts it); else
 * 0 with the first that is not in why. */
int vm_manifest_outputs_intact(vm_manifest *disk, char *why, size_t n);

/* Records the hash and identity of each of d's outputs (after they are
 * written) and a copy of values (d->ndeliverables rows) into m. */
ds_result vm_manifest_record(vm_manifest *m, const vm_desc *d, const double (*values)[VM_MEASURE_COUNT],
                             char *err);

/* Writes m to path atomically. Errors name path. */
ds_result vm_manifest_write(const vm_manifest *m, const char *path, char *err);

/* Reads the manifest at path into m (initialised here). DS_ERR_IO when
 * there is none; DS_ERR_FORMAT when it is not one this engine wrote (treat
 * it as stale). Free m with vm_manifest_free either way. */
ds_result vm_manifest_read(const char *path, vm_manifest *m, char *err);

void vm_manifest_free(vm_manifest *m);

#endif
