/* feed.h - disk streaming for live playback: disk thread(s) read clip audio
 * ahead of the playhead into ring buffers, so the audio callback never
 * touches a file (ARCHITECTURE.md, threads and property 4).
 *
 * Vocabulary.
 *   source  one clip's stream: the frames vm_media_read delivers for
 *           (path, at, from, length) at the session rate, indexed by
 *           session sample: session sample s is output frame
 *           from + (s - at) of the file, for at <= s < at + length.
 *           Plans that contain the same clip (same path, at, from, length)
 *           share its source, so a recompiled plan (a live change, a
 *           reload) finds the audio already buffered.
 *   pass    one run of the playhead over a contiguous session range,
 *           named by an id that only grows. A program (vm_feed_program)
 *           says which passes come next: the first pass plays
 *           [start, end); with a loop, every following pass plays
 *           [loop_from, loop_to) and the first pass ends at loop_to when
 *           start < loop_to.
 *   voice   the buffered frames of one source for one pass: a ring the
 *           disk thread fills from a vm_media_reader opened where the pass
 *           first needs the source (the same place an offline render that
 *           starts at that pass's start opens it, so the frames are
 *           identical to the offline render's).
 *
 * Threads. Control thread: create, attach, detach, program, wait_ready,
 * destroy. Audio thread: read, position, underruns (lock-free, no
 * allocation, no system call). Disk thread: everything else, internal.
 * The control and disk threads may share a mutex; the audio thread never
 * takes it.
 */
#ifndef VM_FEED_H
#define VM_FEED_H

#include <stdint.h>

#include "vm/plan.h"
#include "vm/result.h"

typedef struct vm_feed vm_feed;
typedef struct vm_feed_source vm_feed_source;

/* Starts the disk thread. rate: the session rate; readahead: seconds of
 * audio buffered ahead of the playhead per voice (0.25 .. 10). */
ds_result vm_feed_create(vm_feed **f, int rate, double readahead, char *err);

/* Stops the disk thread and frees everything. Only after the audio thread
 * no longer reads. Safe on NULL; sets *f to NULL. */
void vm_feed_destroy(vm_feed **f);

/* Control thread: sets the `source` of every op_clip of every clip player of
 * p to the feed's source for that clip, creating sources as
 * needed, and makes p's clips part of what the disk thread keeps buffered.
 * Fails only when out of memory. */
ds_result vm_feed_attach(vm_feed *f, plan *p, char *err);

/* Control thread: p's clips are no longer needed (the audio thread no longer
 * runs p). Sources no attached plan uses are freed with their voices (by the
 * disk thread, at its next round: within milliseconds). Sets the plan's
 * op_clip sources to NULL. A plan not attached: nothing happens. */
void vm_feed_detach(vm_feed *f, plan *p);

/* Control thread: from pass first_pass on, the playhead will run as this
 * program says (see the vocabulary above). first_pass is larger than every
 * pass id given before. loop_to <= loop_from means no loop. The disk thread
 * starts buffering the program's first window at once while it keeps the
 * passes now playing fed. Give it before the audio thread starts the pass:
 * a pass is mapped to the program with the greatest first_pass <= it, and
 * buffers of a program given but superseded before it started are freed.
 * A pass's voice that is created only after the playhead entered that pass
 * (a clip added by a plan swap, a program given late) starts at the
 * playhead of that moment; what lies before reads as missing. */
void vm_feed_program(vm_feed *f, int64_t first_pass, int64_t start, int64_t end, int64_t loop_from,
                     int64_t loop_to);

/* Control thread: waits until, for every attached plan, every source the
 * window [w, w + readahead / 2) needs is buffered, where w is the start of
 * the newest program's first pass if the playhead has not reached it yet,
 * else the playhead (last vm_feed_position). Returns 1 when ready, 0 after
 * timeout seconds. It returns only after a disk round that ended after the
 * call (a few ms at least), so attach / program just before count. A clip
 * whose file cannot be read (vm_feed_error) counts as buffered. */
int vm_feed_wait_ready(vm_feed *f, double timeout);

/* Audio thread: every block of `pass` before session sample pos has been
 * played (the playhead). Frees the disk thread to reuse what lies behind.
 * Publish (pass, start) when a pass starts and the block's end after every
 * block: a ring longer than readahead is refilled only behind the published
 * playhead, so a pass whose position is never published stalls there. One
 * audio thread only (the pair is published under a sequence counter). */
void vm_feed_position(vm_feed *f, int64_t pass, int64_t pos);

/* Audio thread: copies n frames of src for pass, session samples
 * [pos, pos + n), interleaved with the clip file's channel count, into out.
 * Frames not buffered yet (a disk underrun) are zeros and counted. Returns
 * the number of missing frames (0 normally). pos is at or after the
 * playhead last published for pass (frames behind it may be reused); src
 * is not NULL (NULL returns n and leaves out untouched). */
int vm_feed_read(vm_feed_source *src, int64_t pass, int64_t pos, float *out, int n);

/* Any thread: frames that were missing in vm_feed_read since creation, and
 * the first read error (a file vanished): "" when none. */
uint64_t vm_feed_underruns(const vm_feed *f);
const char *vm_feed_error(const vm_feed *f);

#endif
