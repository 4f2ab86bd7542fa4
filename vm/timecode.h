/* timecode.h - every way a time is written in dubstage, turned into samples.
 *
 * Internally every time is an integer sample index (int64_t) at the session
 * rate, counted from the session start. A user may write a time as:
 *
 *   SMPTE timecode  "01:00:02:12"  non-drop-frame (':' everywhere)
 *                   "01:00:02;12"  drop-frame (a ';' anywhere marks DF; only
 *                                  29.97 and 59.94 have drop-frame, a ';' at
 *                                  any other rate is an error)
 *   seconds         a Lua number, or a string "2.5s" / "250ms"
 *   samples         a string "96000smp"
 *   35 mm feet+frames  "123+05"  (4-perf: 16 frames per foot, frames at the
 *                                  session frame rate)
 *
 * Frame rates: 23.976 (24000/1001, never drop-frame), 24, 25, 29.97
 * (30000/1001), 30, 48, 50, 59.94 (60000/1001), 60.
 *
 * Frame -> sample: sample = round_half_up(frame * rate * den / num) in exact
 * 64-bit integer arithmetic, where num/den is the true frame rate. The frame
 * that contains a sample is the largest frame whose first sample is <= it,
 * so frame -> sample -> frame is the identity at every rate.
 *
 * Drop-frame labels: at 29.97 DF the labels ;00 and ;01 are skipped at the
 * start of every minute except minutes 0, 10, 20, 30, 40, 50 (59.94 DF skips
 * ;00..;03). A label that does not exist (01:01:00;00) is an error. The frame
 * count of a DF label is the number of real frames since 00:00:00;00, so
 * 01:00:00;00 at 29.97 DF is frame 107892.
 */
#ifndef VM_TIMECODE_H
#define VM_TIMECODE_H

#include <stddef.h>
#include <stdint.h>

#include "vm/result.h"

typedef struct {
    int num, den;     /* true frame rate = num / den (30000/1001 for 29.97) */
    int nominal;      /* frames per labelled second: 24, 25, 30, 48, 50, 60 */
    int drop_per_min; /* labels skipped per minute in drop-frame: 2 (29.97), 4 (59.94), 0 otherwise */
    char name[16];    /* canonical spelling: "23.976", "29.97", "59.94", "24", ... */
} vm_fps;

typedef struct {
    int rate;               /* session sample rate in Hz */
    vm_fps fps;             /* session frame rate */
    int start_drop;         /* the session start was written drop-frame: format in DF */
    int64_t start_frames;   /* session start as a frame count since 00:00:00:00 */
    int64_t start_samples;  /* session start in samples since midnight (BWF time reference) */
} vm_timebase;

/* Time words: a position is a point on the session timeline (timecode is
 * absolute, so "01:00:02:00" in a session starting at 01:00:00:00 is sample
 * 2*rate; seconds, samples and feet+frames count from the session start). A
 * duration is a length (timecode "00:00:04:00" is 4 s). */
typedef enum { VM_TIME_POSITION, VM_TIME_DURATION } vm_time_kind;

/* Parses a frame rate name: "23.976", "23.98", "24", "25", "29.97", "30",
 * "48", "50", "59.94", "60" (a trailing "df"/"ndf" is accepted and ignored:
 * the separator decides; "df" after a rate that has no drop-frame, "25df",
 * is an error). Error names the value and lists the valid rates. */
ds_result vm_fps_parse(const char *s, vm_fps *out, char *err);

/* Fills tb for rate and fps with the session start given as a timecode
 * string (NULL = "00:00:00:00"). rate must be 1000..4000000 Hz (the bounds
 * keep every intermediate product of this module, and every frame count of
 * a position it parses, inside int64). */
ds_result vm_timebase_init(vm_timebase *tb, int rate, const vm_fps *fps,
                           const char *start_tc, char *err);

/* Parses "HH:MM:SS:FF" / "HH:MM:SS;FF" into a frame count since
 * 00:00:00:00. *is_drop (may be NULL) is set when the label was drop-frame.
 * Errors: bad shape, a field out of range (FF >= nominal, MM >= 60, HH >= 24,
 * ...), a negative field, ';' at a rate without drop-frame, a dropped label.
 * Fields have one or two digits; white space around the label is ignored. */
ds_result vm_tc_parse(const vm_fps *fps, const char *s, int64_t *frames,
                      int *is_drop, char *err);

/* Writes the label of frame count `frames` (>= 0; wraps at 24 h) into buf:
 * "HH:MM:SS:FF", or "HH:MM:SS;FF" when drop is set at a DF-capable rate. */
void vm_tc_format(const vm_fps *fps, int64_t frames, int drop, char *buf, size_t n);

/* Frames (since midnight) <-> samples (since midnight), as described above. */
int64_t vm_tc_frames_to_samples(const vm_fps *fps, int rate, int64_t frames);
int64_t vm_tc_samples_to_frames(const vm_fps *fps, int rate, int64_t samples);

/* Parses any time string (timecode, "+" feet+frames, "s", "ms", "smp") into
 * samples relative to the session start. A position may come out negative
 * (before the session start); the caller decides whether that is an error.
 * The message names the string and says which forms are accepted.
 *
 * Details: seconds strings are exact decimals read to the nanosecond (digits
 * past the ninth decimal are ignored) and rounded to the nearest sample, ties
 * away from zero, like vm_time_from_seconds. "s"/"ms"/"smp" may be preceded by
 * white space; a number without a unit ("2.5") is an error. A '-' sign is
 * accepted on seconds and samples for a position, never for a duration;
 * feet+frames are never negative. A feet+frames position is the frame that
 * many frames after the session's start frame, so it lands exactly on the
 * same sample as the equivalent timecode. */
ds_result vm_time_parse(const vm_timebase *tb, const char *s, vm_time_kind kind,
                        int64_t *samples, char *err);

/* A time given on the command line (play --from, render --from/--to): a
 * bare number is seconds ("12.5"), anything else as vm_time_parse reads a
 * position. */
ds_result vm_time_parse_arg(const vm_timebase *tb, const char *s, int64_t *samples, char *err);

/* Seconds (a Lua number) -> samples, rounded to the nearest sample. Fails on
 * NaN or infinity. */
ds_result vm_time_from_seconds(const vm_timebase *tb, double seconds, int64_t *samples, char *err);

/* Formats a session position (samples from the session start) as the
 * timecode of the frame that contains it, in the session's DF/NDF style,
 * followed by "+N" samples into that frame when it is not on a frame
 * boundary: "01:00:02:12" or "01:00:02:12+417". */
void vm_time_format(const vm_timebase *tb, int64_t position, char *buf, size_t n);

#endif
