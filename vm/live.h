/* live.h - the live driver: the same plan the offline driver runs, played
 * through PortAudio, changed while it plays.
 *
 * Threads (ARCHITECTURE.md). The control thread calls every function here.
 * The audio thread is PortAudio's callback: it runs the scheduler on the
 * current plan for each buffer, reads clip audio from the disk feed's
 * buffers (vm/feed.h), and takes commands (play, stop, swap a plan) from a
 * single-producer single-consumer queue; plans it no longer runs go back to
 * the control thread through a second queue and are freed there
 * (vm_live_poll). It never allocates, locks, does I/O or runs Lua.
 *
 * Transport. vm_live_play starts a *pass* over [from, to), optionally
 * looping [loop_from, loop_to) after the first pass, once the disk thread has
 * buffered its start, so a locate while playing never plays a hole. Starting
 * a pass clears the plan's state, so what plays from `from` equals an
 * offline render that starts at `from` (the property offline = live); a
 * locate while playing fades the old position out and the new one in over
 * 5 ms instead of cutting. A loop wraps without a gap and without clearing
 * state, like a tape loop.
 *
 * Live changes. vm_live_swap replaces the running plan with a recompiled
 * one at a block boundary: both run for a short crossfade (raised cosine,
 * the gains summing to one) and the new plan starts from the old one's
 * filter memories, envelopes and delay lines wherever an op of the same
 * strip and place exists in both (plan_op.key); so a fader, a mute or an
 * EQ change glides, and a reloaded script keeps playing from the same
 * sample.
 */
#ifndef VM_LIVE_H
#define VM_LIVE_H

#include <stdint.h>
#include <stdio.h>

#include "vm/plan.h"
#include "vm/result.h"

typedef struct vm_live vm_live;

typedef struct {
    const char *device;  /* output device: a name or part of one (NULL: the default output) */
    int buffer;          /* frames per callback; 0: the device's own */
    double readahead;    /* seconds the disk thread buffers ahead (default 2) */
    double xfade;        /* seconds a plan swap crossfades (default 0.03) */
} vm_live_opts;

void vm_live_opts_init(vm_live_opts *o);

/* Lists the output devices (host API, name, channels, default rate) on out. */
ds_result vm_live_devices(FILE *out, char *err);

/* Opens the device and starts the stream (silent until vm_live_play) with p
 * as the running plan; the live driver owns p from here on (also on
 * failure). tap names the strip to play (an output's or a bus's: p must
 * have been compiled with it tapped, vm_desc.live_tap); its channels go to
 * the device's first channels. Errors name the device (and list the ones
 * there are) or a rate the device cannot run. */
ds_result vm_live_open(vm_live **L, plan *p, const char *tap, const vm_live_opts *o, char *err);

/* Plays [from, to) (session samples; to <= from: to the session end), then
 * with loop_to > loop_from loops [loop_from, loop_to). Waits (up to a few
 * seconds) for the disk thread to buffer the start. */
ds_result vm_live_play(vm_live *L, int64_t from, int64_t to, int64_t loop_from, int64_t loop_to, char *err);

/* Stops playback (a 5 ms fade). */
void vm_live_stop(vm_live *L);

/* Replaces the running plan with p (owned by the live driver from here on,
 * also on failure) at the next block boundary, crossfading. p must tap the
 * same strip. Returns once the audio thread has taken it. */
ds_result vm_live_swap(vm_live *L, plan *p, char *err);

/* Control thread housekeeping: frees the plans the audio thread let go.
 * Call it a few times a second. */
void vm_live_poll(vm_live *L);

typedef struct {
    char name[64];
    double peak_dbfs;       /* since the last status read; -inf for silence */
    double short_term_lufs; /* the last 3 s (EBU R 128 S); -inf for silence */
} vm_live_meter;

typedef struct {
    char name[96];          /* "dyn bus 'MX' compressor" */
    double gain_db;         /* current gain change (<= 0 for reduction) */
} vm_live_gr;

#define VM_LIVE_MAX_METERS 16

typedef struct {
    int playing;            /* a pass is running */
    int finished;           /* the last pass reached its end */
    int64_t position;       /* session sample being heard (the tap's latency taken off) */
    uint64_t xruns;         /* device underflows reported by PortAudio */
    uint64_t xruns_playing; /* of those, reported while a pass was playing */
    uint64_t late;          /* callbacks that took longer than their buffer period */
    uint64_t underruns;     /* clip frames the disk thread had not buffered in time */
    uint64_t callbacks;
    int nmeters;
    vm_live_meter meters[VM_LIVE_MAX_METERS];
    int ngr;
    vm_live_gr gr[VM_LIVE_MAX_METERS];
    char feed_error[256];
} vm_live_status;

/* A snapshot; reading resets the meters' peaks. */
void vm_live_get_status(vm_live *L, vm_live_status *st);

typedef struct {
    uint64_t callbacks, xruns, late, underruns;
    uint64_t late_held;      /* of the late ones: the thread used under half the period of CPU (held up, not busy) */
    uint64_t xruns_playing;  /* xruns reported while a pass was playing */
    uint64_t first_xrun;     /* the callback that first reported one (1-based), 0: none */
    char sched[96];          /* how the callback's thread was scheduled: "realtime (SCHED_FIFO 10)", "ordinary (...)" */
    int buffer;             /* frames per callback seen (the largest) */
    double period_us;       /* buffer / rate */
    double worst;           /* the slowest callback as a fraction of the period */
    double p50, p99, p999;  /* median, 99th and 99.9th percentiles, likewise: the
                             * upper edge of the histogram's bin (0.5 % of the
                             * period) that holds them, at most worst */
    double mean;
    char profile[4200];     /* DUBSTAGE_LIVE_PROFILE: where the profile went, or why not; else "" */
} vm_live_report;

/* Stops the stream and the disk thread, frees every plan. *L = NULL. rep
 * may be NULL. */
void vm_live_close(vm_live **L, vm_live_report *rep);

/* 1 (the default): vm/live.c's jack_port_unregister, which wins over
 * libjack's for PortAudio's calls, deactivates the JACK client before it
 * unregisters a port (libjack's port list race, docs/live.md "Leaving
 * JACK"). 0 gives PortAudio's own order back: only for
 * tests/tools/jack_close_stress, which reproduces the race. */
extern int vm_live_unregister_deactivates;

#endif
