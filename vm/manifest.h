/* manifest.h - the record every render leaves beside its outputs
 * (docs/manifest.md): what was rendered, from what, by which engine, and
 * what came out. `dubstage render` and `dubstage check` write the same
 * file, SCRIPT.manifest.json beside the first output (docs/delivery.md:
 * check reuses a render whose manifest still matches), and `dubstage diff`
 * reads it to find two renders' outputs and their session's timecode.
 *
 * It holds:
 *   - the engine: dubstage's version, the SHA-256 of its executable (a
 *     rebuilt engine with other code is another engine, whatever its
 *     version says), the compiler and flags it was built with, the SIMD
 *     path it ran;
 *   - the options: --block and --threads (which do not change the bytes,
 *     recorded all the same), --out, --allow-paths and --output (which
 *     do);
 *   - the session: sample rate, frame rate, start timecode, length;
 *   - a segment render's stretch and pre-roll (--from/--to/--preroll,
 *     docs/segments.md), or null for the whole session;
 *   - every file the script read (vm_desc.inputs: the script, its modules,
 *     data, marker and trims files, clip sources, IRs) and the SHA-256 of
 *     its contents;
 *   - every output: SHA-256, size, format, channels, layout, rate, length
 *     in samples;
 *   - each deliverable's measures (when the render measured them);
 *   - for files written by `dubstage join`: the segment files it read,
 *     hashed ("joined"); the rest is the segments' render's, the segment
 *     being the stretch the joined files cover (null: the whole session),
 *     --out their folder (docs/segments.md).
 * Paths inside the script's folder are written relative to it, others
 * absolute; in memory every path is absolute (resolved against the folder
 * the reader names), so a checkout moved elsewhere still matches.
 *
 * Beside each hash, the identity the file had when it was hashed (device,
 * inode, modification and change times; any write, rename over, touch or
 * chmod changes the change time, which no user can set). A file is read
 * and hashed again only when its identity differs from the one recorded,
 * or when it had changed less than VM_MANIFEST_SETTLE_NS before it was
 * looked at (a file system with coarse timestamps could hide a second
 * change within the same tick: git's "racy clean" rule). So a render or
 * check with nothing changed reads no media twice, and a fresh clone or a
 * CI cache (new inodes and times, same contents) still matches after one
 * reading.
 *
 * The file is JSON (vm/json.h), written through a temporary file and
 * renamed into place (vm/tmpfile.h). No Lua here. */
#ifndef VM_MANIFEST_H
#define VM_MANIFEST_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/delivery.h"
#include "vm/desc.h"
#include "vm/plan.h"
#include "vm/result.h"
#include "vm/sched.h"
#include "vm/segment.h"

#define VM_MANIFEST_SETTLE_NS 2000000000LL
#define VM_MANIFEST_VERSION 1

typedef struct {
    char *path;          /* absolute */
    char sha256[65];     /* the contents' hash */
    int64_t size, mtime_ns, ctime_ns;
    uint64_t dev, ino;
    int64_t seen_ns;     /* when that identity was taken (wall clock) */
    /* outputs: what the file holds */
    char format[16];     /* "wav24" */
    char layout[16];     /* "5.1", "stereo", "plain" */
    int channels, rate;
    int64_t length;      /* samples (frames) */
} vm_manifest_file;

/* A module the script required (vm_module_desc): its file is among the
 * inputs, hashed there; this says which name reached it and from where. */
typedef struct {
    char *name;          /* "dubstage.dme" */
    char *path;          /* absolute, as in inputs */
    char *found_in;      /* "the standard library", "--lib studio", ... */
} vm_manifest_module;

/* The session of the render (for timecode: vm_timebase_init takes these). */
typedef struct {
    int rate;             /* 0: not recorded */
    char fps[16];         /* "23.976", "29.97", ... */
    int drop_frame;
    char start[32];       /* "01:00:00:00" ("01:00:00;00" drop-frame) */
    int64_t start_samples;
    int64_t length;       /* samples rendered */
} vm_manifest_session;

typedef struct {
    char version[64];            /* DS_VERSION */
    vm_manifest_file engine;     /* the executable */
    char compiler[96];           /* what built it: "gcc 12.2.0" */
    char flags[160];             /* the optimisation flags that could change the bytes */
    char simd[16];               /* dsp_simd_path() */
    char root[PATH_MAX];         /* the script's folder: relative paths are under it */
    char out_dir[PATH_MAX];      /* --out DIR, resolved ("" without) */
    int allow_paths;
    char *selection;             /* render --output: the outputs rendered (vm_desc.output_selection,
                                    "DX+MX"); NULL: all the script's */
    int block, threads;          /* the render's --block, --threads (0: not recorded) */
    int threads_ran;             /* how its blocks ran, set by the caller before vm_manifest_record:
                                    2 when a second thread could take work, 1 when none ran, 0: not
                                    recorded (options.threads_run, docs/threads.md) */
    sched_tally threads_run;     /* then: blocks on two threads and on one, the tries */
    vm_manifest_session session;
    vm_segment segment;          /* a segment render: set by the caller before vm_manifest_record
                                    (its outputs are the segment's length); on = 0: the whole session */
    /* set by the caller before vm_manifest_record, or NULL: per plan
     * output, its SHA-256 taken as the render wrote it
     * (vm_render_report.sha256; "" where there is none); the others are
     * read back and hashed */
    const char *const *written_sha256;
    int hashed;                  /* files read to hash them (not in the file): a manifest whose files
                                  * were all hashed again and found the same is worth writing anew */
    vm_manifest_file *inputs;    /* inputs[0]: the script */
    int ninputs;
    vm_manifest_module *modules; /* the modules required, in the order loaded */
    int nmodules;
    vm_manifest_file *outputs;
    int noutputs;
    vm_manifest_file *joined;    /* written by dubstage join: the segment files it read, in order
                                    (per output, its segments); NULL for a render */
    int njoined;
    double (*values)[VM_MEASURE_COUNT]; /* per deliverable */
    char (*labels)[256];                /* per deliverable: "out/PM.wav (ebu-r128)" */
    int ndeliverables;
} vm_manifest;

/* The manifest's place for script (a path) whose first output is
 * first_output (NULL: none; the script's folder), and selection
 * (render --output; NULL: all): vm_manifest_path's rule. */
void vm_manifest_path_for(const char *script, const char *first_output, const char *selection, char *out, size_t n);

/* Where the manifest of script d lives: beside its first output (the
 * script's folder when it writes none), named "SCRIPT.manifest.json"
 * ("mix.manifest.json" for mix.lua), or for a render of some of its
 * outputs (render --output) "SCRIPT.SELECTION.manifest.json"
 * ("stems.DX.manifest.json"), into out (n bytes). */
void vm_manifest_path(const vm_desc *d, char *out, size_t n);

/* The folder paths in d's manifest are relative to: the script's (its real
 * path's folder), into out (n bytes). */
void vm_manifest_root(const vm_desc *d, char *out, size_t n);

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

/* 1 when m and disk record renders of the same sources: the same engine,
 * --allow-paths and --output, and every input the same (paths and
 * contents); else 0 with what differs in why. (--out and the segment may
 * differ: the segments of one programme agree on this.) */
int vm_manifest_same_sources(const vm_manifest *m, const vm_manifest *disk, char *why, size_t n);

/* f (zeroed here) for the file at path: a copy of the path, its identity
 * and the SHA-256 of its contents, taken from known (may be NULL) when the
 * file's identity is known's and settled, else read. Free f's path with
 * the manifest that holds it. */
ds_result vm_manifest_file_at(vm_manifest_file *f, const char *path, const vm_manifest_file *known, char *err);

/* Output i's name in m: its path under the first output's folder
 * ("PM.wav", "stems/DX.wav"), or its whole path when elsewhere (what
 * `dubstage diff` and `dubstage join` pair outputs by). m has outputs. */
const char *vm_manifest_output_name(const vm_manifest *m, int i);

/* 1 when every output disk records is there with the contents recorded
 * (read again when its identity changed or it had not settled: then its
 * new identity replaces the old in disk, and disk->hashed counts it); else
 * 0 with the first that is not in why. */
int vm_manifest_outputs_intact(vm_manifest *disk, char *why, size_t n);

/* What `dubstage check` and `dubstage plan --fresh` ask before rendering
 * d: is the manifest at mpath (vm_manifest_path) the record of a render of
 * exactly what d would render now? Reads it into *disk (*have: there was
 * one; vm_manifest_read's root is d's folder), builds *now as
 * vm_manifest_build does (hashes taken from *disk where identities are
 * unchanged), and sets *fresh to 1 when the engine, the options and every
 * input are the same and every output recorded is intact; else 0, with
 * what differs in why (left as it was when there is no manifest). Errors
 * (an input that cannot be read) come back as vm_manifest_build's. Free
 * both with vm_manifest_free either way. */
ds_result vm_manifest_compare(vm_manifest *now, vm_manifest *disk, int *have, int *fresh, const vm_desc *d,
                              const char *mpath, const char *exe, const char *version, const char *out_dir,
                              int allow_paths, char *why, size_t n, char *err);

/* The render disk records stands for now (a fresh compare): now takes it
 * (vm_manifest_take_render), and when files had to be read again to find
 * them the same, the manifest is written anew at mpath with their
 * identities now, so the next look reads nothing. DS_OK, or the write's
 * error (the render still stands: a caller may only warn). */
ds_result vm_manifest_reuse(vm_manifest *now, vm_manifest *disk, const char *mpath, char *err);

/* After p rendered d's outputs: records the session, block and threads,
 * each output's hash, identity and shape, and a copy of values
 * (d->ndeliverables rows; NULL when the render did not measure) into m. */
ds_result vm_manifest_record(vm_manifest *m, const vm_desc *d, const plan *p, int block, int threads,
                             const double (*values)[VM_MEASURE_COUNT], char *err);

/* Moves what disk recorded of its render (session, block, threads,
 * outputs, measures, the segment files of a join) into m, whose engine, options and inputs are the same
 * (vm_manifest_same_inputs): the render stands, m describes it now. */
void vm_manifest_take_render(vm_manifest *m, vm_manifest *disk);

/* Writes m to path atomically (JSON, docs/manifest.md). Errors name path. */
ds_result vm_manifest_write(const vm_manifest *m, const char *path, char *err);

/* Reads the manifest at path into m (initialised here), relative paths
 * resolved against root (the script's folder as it is now; NULL: the
 * folder the manifest recorded). DS_ERR_IO when there is none;
 * DS_ERR_FORMAT when it is not a manifest of a version this engine reads
 * (the error says what is wrong and where). Free m with vm_manifest_free
 * either way. */
ds_result vm_manifest_read(const char *path, const char *root, vm_manifest *m, char *err);

void vm_manifest_free(vm_manifest *m);

#endif
