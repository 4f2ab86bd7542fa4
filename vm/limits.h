/* limits.h - the engine's hard limits, one constant each, shared by every
 * check and every array they bound (issue 11: a fixed array must be sized
 * by the same constant that the check upstream uses).
 *
 * VM_MAX_CHANNELS bounds a track, bus or output's channel count and a clip
 * file's channel count (vm/media.c refuses wider files at probe time): the
 * route matrices and the per-channel arrays sized by a strip's count use
 * it, and the compiler checks it on the final graph
 * (vm/compile_validate.c).
 * VM_MEDIA_MIN_RATE_HZ .. VM_MEDIA_MAX_RATE_HZ bound a clip file's sample
 * rate: every rate used in production (8 kHz to 768 kHz DXD x 2) with room
 * either side, and no header value that would make the resampler's set-up
 * explode (a 2,147,483,647 Hz header once asked for 16.8 GB).
 * VM_CONVOLVE_MAX_IR_S bounds a convolution reverb's impulse response (the
 * file's own duration): a cathedral's tail with room to spare. Its spectra
 * and delay lines take about 8 bytes per IR sample at the session rate, per
 * IR channel and per strip channel (a 20 s true-stereo IR at 48 kHz: about
 * 47 MB).
 * VM_EDIT_MAX_EVENTS bounds an edit decision list or OTIO timeline (events,
 * or clips, gaps and transitions over all tracks): a feature's reels hold a
 * few thousand. VM_EDIT_MAX_LINE bounds one line of an EDL (an event line
 * is under 100 bytes; a comment may carry a long path), VM_EDIT_MAX_NAME a
 * reel, clip name or source file as it enters the edit list (longer is an
 * error, never cut), VM_EDIT_MAX_AUDIO the audio tracks an edit names (A1
 * to A16). VM_EDIT_MAX_FILE_BYTES bounds the file read (a 100,000-event
 * OTIO file is about 150 MB; an EDL of that many events about 20 MB). */
#ifndef VM_LIMITS_H
#define VM_LIMITS_H

#define VM_MAX_CHANNELS 64
#define VM_MEDIA_MIN_RATE_HZ 1000
#define VM_MEDIA_MAX_RATE_HZ 768000
#define VM_CONVOLVE_MAX_IR_S 20
#define VM_EDIT_MAX_EVENTS 100000
#define VM_EDIT_MAX_LINE 4096
#define VM_EDIT_MAX_NAME 1024
#define VM_EDIT_MAX_AUDIO 16
#define VM_EDIT_MAX_FILE_BYTES (256L << 20)

#endif
