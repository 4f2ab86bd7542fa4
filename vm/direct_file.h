/* direct_file.h - a file written front to back with O_DIRECT, from two
 * aligned buffers: the caller fills one while a writer thread writes the
 * other (docs/bench.md, 2026-12-06 "where the 5.1 film render's system time
 * goes": a buffered write allocates page-cache pages, copies into them and
 * frees them again at the next render's rename; O_DIRECT does none of it).
 *
 * The caller sees a plain file: vm_direct_file_write(bytes, at) at any
 * offset up to the end so far. Bytes at or after the start of the buffer
 * being filled go into it; bytes before it (a header rewritten once the
 * data are under way) wait for the writer and go through the caller's
 * buffered descriptor, which O_DIRECT's writes of later offsets never
 * touch again. vm_direct_file_finish writes the last buffer padded to the
 * alignment, waits, cuts the file back to its true length and from then on
 * every write goes through the buffered descriptor (a header, a tail).
 *
 * Alignment comes from statx(STATX_DIOALIGN): a file system that does not
 * report it (tmpfs, most FUSE and network mounts) gets no O_DIRECT, nor
 * one whose O_DIRECT open fails (EINVAL: not supported) or whose first
 * write says EINVAL (the caller then writes buffered, as before). The writer thread is the only thread that
 * writes the O_DIRECT descriptor; it blocks every signal. Errors from it
 * (ENOSPC, EIO, a short write) are kept and returned by the next call.
 *
 * Test hook: DUBSTAGE_TEST_DIRECT_EINVAL set in the environment makes the
 * first write misaligned, so the kernel itself answers EINVAL and the
 * fallback runs.
 */
#ifndef VM_DIRECT_FILE_H
#define VM_DIRECT_FILE_H

#include <stddef.h>
#include <stdint.h>

/* The bytes of each of the two buffers at most. */
#define VM_DIRECT_FILE_BUFFER ((size_t)8 << 20)

typedef struct vm_direct_file vm_direct_file;

/* Sets up O_DIRECT writing of the empty file `path`, already open (and
 * written through) as buffered_fd, which stays the caller's. expect_bytes:
 * the file's length when known (smaller buffers for a short file), else 0.
 * Returns 0 with *d set; 1 when O_DIRECT cannot be had (*d NULL: write
 * buffered); -1 with errno set on another error (*d NULL). */
int vm_direct_file_open(vm_direct_file **d, const char *path, int buffered_fd, int64_t expect_bytes);

/* Where bytes [at, at + n) would go in the buffer being filled, when they
 * fit in it whole and continue what it holds: the caller may build them in
 * place and then hand that same pointer to vm_direct_file_write (no copy).
 * NULL otherwise. */
unsigned char *vm_direct_file_room(vm_direct_file *d, int64_t at, size_t n);

/* Writes n bytes at offset `at` (at most the end so far: no holes). 0, or
 * -1 with errno set (a failed earlier write's errno included). Not
 * realtime: it may wait for the writer thread. */
int vm_direct_file_write(vm_direct_file *d, const void *p, size_t n, int64_t at);

/* Reads back, after vm_direct_file_finish only (else EINVAL). As pread. */
long long vm_direct_file_read(vm_direct_file *d, void *p, size_t n, int64_t at);

/* The file's length as written so far. */
int64_t vm_direct_file_length(const vm_direct_file *d);

/* Writes what is buffered, waits for the writer, cuts the file to its true
 * length; later writes go buffered. 0, or -1 with errno set. Calling it
 * again does nothing. */
int vm_direct_file_finish(vm_direct_file *d);

/* Stops the writer thread (after its current write), closes the O_DIRECT
 * descriptor, frees d, sets *d = NULL. Safe on NULL. */
void vm_direct_file_close(vm_direct_file **d);

#endif
