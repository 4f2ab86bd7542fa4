/* outfile.h - writing rendered audio to files, atomically.
 *
 * Formats (the `format` word in a script):
 *   wav16 wav24 wav32f   WAV with a BWF 'bext' chunk whose time reference is
 *                        the session start; switches to RF64 automatically
 *                        when the data grows past 4 GiB
 *   flac16 flac24        FLAC
 *   aiff16 aiff24 aiff32f AIFF (AIFF-C for float)
 * Integer formats are quantised here, deterministically: 16-bit gets TPDF
 * dither (+-1 LSB, from a seeded generator) unless dither is off; 24-bit is
 * rounded without dither unless asked. Rounding is floor(x * 2^(bits-1) + 0.5)
 * (ties up). Samples beyond full scale, [-1, 1 - 1 LSB], are clipped and
 * counted (so +1.0 counts: it is one LSB too loud); NaN becomes 0. Float
 * formats are written as they are, never clipped.
 * Same config and samples give the same bytes (no clock in any header) with
 * the same libsndfile, whose version appears in the bext coding history.
 * The BWF fields (time reference, description) exist only in the WAV formats.
 *
 * Speaker layouts (docs/layouts.md): the channels are written in the order
 * of the WAVE_FORMAT_EXTENSIBLE mask bits (vm_layout_file_order: 7.1 as
 * L R C LFE Lrs Rrs Lss Rss), which is also the order FLAC defines for 1 to
 * 8 channels. WAV carries vm_layout_mask (0 for plain channels: "no
 * speaker"); AIFF a CHAN chunk (libsndfile's channel map) for mono,
 * stereo, LCR, 5.0 and 5.1; FLAC has only its channel order.
 *
 * Atomic: the data goes to a hidden temporary file in the same folder
 * (".NAME.part-XXXXXX", vm/tmpfile.h: locked while this process lives);
 * vm_outfile_commit renames it over NAME only when everything was written
 * and closed. vm_outfile_abort (an error, Ctrl-C) removes the temporary
 * file: no half file ever appears under NAME. A kill -9 leaves it, and the
 * next open with `sweep` set into that folder removes it. The file gets the
 * usual permissions (0666 less the umask).
 *
 * O_DIRECT: the WAV formats of 16 and 24 bits are written with O_DIRECT
 * where the file system reports its alignment (statx STATX_DIOALIGN) and
 * takes the first aligned write, from two 8 MiB buffers (smaller for a
 * short file) per output, one written by a writer thread while the other
 * fills (vm/direct_file.h); elsewhere, and for the other formats, through
 * the page cache as before. The bytes are the same either way.
 */
#ifndef VM_OUTFILE_H
#define VM_OUTFILE_H

#include <stdint.h>

#include "vm/layout.h"
#include "vm/result.h"

typedef enum {
    VM_OUT_WAV16, VM_OUT_WAV24, VM_OUT_WAV32F,
    VM_OUT_FLAC16, VM_OUT_FLAC24,
    VM_OUT_AIFF16, VM_OUT_AIFF24, VM_OUT_AIFF32F
} vm_out_format;

typedef enum { VM_DITHER_AUTO, VM_DITHER_NONE, VM_DITHER_TPDF } vm_dither;

typedef struct {
    const char *path;          /* final name; the folder must exist and be writable */
    int channels;
    vm_layout layout;          /* where the channels go (vm/layout.h); PLAIN: by count. Given in
                                  dubstage's order (7.1: L R C LFE Lss Rss Lrs Rrs); written in
                                  the file's (mask bit) order with the format's speaker tag */
    int rate;
    vm_out_format format;
    vm_dither dither;          /* AUTO: TPDF for 16-bit, none otherwise */
    uint32_t dither_seed;      /* same seed, same bytes */
    /* The file starts this many frames into the programme the seed is for
     * (a segment, docs/segments.md): the dither generator is jumped ahead
     * by the draws those frames took, so a segment's dither is the whole
     * render's over the same frames. 0: from the start. */
    int64_t dither_skip_frames;
    /* 1: the samples are already values of the format (read back from
     * files of it, as `dubstage join` does): written without dither,
     * whatever `dither` says; `dither` still names in the coding history
     * how they were made. */
    int quantised;
    int64_t time_reference;    /* BWF time reference: samples since midnight */
    const char *description;   /* BWF description (may be NULL), cut to 256 bytes */
    /* When set, the folder's stale temporary files (left by a run that was
     * killed, vm/tmpfile.h) are removed first, and sweep(sweep_user, path)
     * called for each. NULL: no sweep. */
    void (*sweep)(void *user, const char *path);
    void *sweep_user;
    /* The frames that will be written, when known (0: not known). A WAV of
     * 16 or 24 bits is then hashed as it is written (vm_outfile_sha256). */
    int64_t frames;
} vm_outfile_config;

/* Fills cfg with defaults: wav24, 2 channels, 48000 Hz, dither AUTO, seed 1. */
void vm_outfile_config_init(vm_outfile_config *cfg);

/* Parses a format word ("wav24", ...) into *fmt. Error (DS_ERR_ARG) lists
 * the valid words and suggests the closest one:
 * "unknown format 'wav23'; did you mean 'wav24'? (formats: wav16 ...)". */
ds_result vm_out_format_parse(const char *word, vm_out_format *fmt, char *err);
/* The format's word (static string), "?" for a value out of range. */
const char *vm_out_format_name(vm_out_format fmt);

typedef struct vm_outfile vm_outfile;

/* Creates the temporary file and writes the header. Errors name the path
 * ("cannot write 'out/pm.wav': Permission denied"). All memory the writer
 * needs is taken here. */
ds_result vm_outfile_open(vm_outfile **o, const vm_outfile_config *cfg, char *err);

/* Appends n frames given as one pointer per channel (planar). Never
 * allocates. Fails only on a write error (disk full), naming the path;
 * written with O_DIRECT, a failed write shows at the next 8 MiB handed to
 * the writer thread or at the latest at vm_outfile_finish / commit. Not
 * realtime: it may wait for that thread (never call it from an audio
 * callback). */
ds_result vm_outfile_write(vm_outfile *o, const float *const *planar, int n, char *err);

/* Samples clipped so far (beyond +-full scale, integer formats only). */
int64_t vm_outfile_clipped(const vm_outfile *o);

/* Finishes the temporary file (header, speaker tags, flushed to disk and
 * closed) without renaming it, so that it can be read back under
 * vm_outfile_temp_path (a verification) before vm_outfile_commit renames
 * it; o takes no more writes. Fails, naming the path, after any failed
 * vm_outfile_write. Calling it again does nothing. */
ds_result vm_outfile_finish(vm_outfile *o, char *err);

/* After vm_outfile_finish: the file's SHA-256 (64 lowercase hex digits,
 * owned by o), taken as it was written, when config.frames said how long
 * it would be, exactly that many frames were written and the bytes
 * libsndfile wrote around them are the ones predicted (outfile.c, "hashed
 * as written"); else NULL: the caller reads the file to hash it. */
const char *vm_outfile_sha256(const vm_outfile *o);

/* 1 when o's data go to the disk with O_DIRECT (above), else 0. */
int vm_outfile_direct(const vm_outfile *o);

/* The temporary file's name (".NAME.part-XXXXXX"), owned by o. */
const char *vm_outfile_temp_path(const vm_outfile *o);

/* Finishes the file (vm_outfile_finish, unless done), renames it into place; frees o
 * and sets *o = NULL (also on failure, when the temporary file is removed).
 * Fails, naming the path, after any failed vm_outfile_write. */
ds_result vm_outfile_commit(vm_outfile **o, char *err);

/* Removes the temporary file, frees o, sets *o = NULL. Safe on NULL. */
void vm_outfile_abort(vm_outfile **o);

#endif
