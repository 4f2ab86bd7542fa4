/* live_profile.h - where each audio callback's time goes: a diagnostic for
 * the callback's slow tail (issue 16, docs/live.md "Profiling the
 * callback").
 *
 * Off unless the environment names a file when the stream opens:
 *
 *   DUBSTAGE_LIVE_PROFILE=FILE dubstage play mix.lua --device JACK
 *
 * Then every callback (up to a cap) records into memory allocated and
 * touched before the stream starts: its start time, its length, the time of
 * each of its phases (commands, each op of the plan, the meters), the CPU it
 * ran on, and the page faults and context switches of its thread
 * (getrusage(RUSAGE_THREAD) before and after: two system calls, outside the
 * time the callback reports). Nothing is written until the stream has
 * stopped: vm_live_close writes FILE (format in live_profile.c).
 *
 * Threads: create and write on the control thread; begin, mark, run_plan
 * and end on the audio thread only, between create and write. */
#ifndef VM_LIVE_PROFILE_H
#define VM_LIVE_PROFILE_H

#include <stdint.h>

#include "vm/plan.h"

typedef struct live_profile live_profile;

/* The phases of a callback besides the plan's ops. */
typedef enum {
    PROF_COMMANDS,   /* the command queue */
    PROF_METERS,     /* the live meters and gain readouts */
    PROF_OTHER_PLAN, /* the plan fading out at a swap, and ops beyond max_ops */
    PROF_NPHASES
} live_profile_phase;

/* A profile for up to max_callbacks callbacks of a plan of at most max_ops
 * ops (a later plan's ops beyond that are timed as a whole), written to path
 * by live_profile_write; NULL when memory is short. */
live_profile *live_profile_create(const char *path, int max_callbacks, int max_ops);

/* Audio thread: a callback starts (before its own clock reading), ends
 * (after everything it does). Every function but run_plan accepts NULL
 * and does nothing. */
void live_profile_begin(live_profile *lp);
void live_profile_end(live_profile *lp, int frames);

/* Audio thread: the time from phase_begin to phase_end is phase ph's. */
void live_profile_phase_begin(live_profile *lp);
void live_profile_phase_end(live_profile *lp, live_profile_phase ph);

/* Audio thread: sched_run_block(p, pos, n) with each op timed (lp not NULL). */
void live_profile_run_plan(live_profile *lp, plan *p, int64_t pos, int n);

/* Control thread, the stream stopped: writes the file (ops named from p,
 * the plan that ran last; period_frames for the summary's thresholds),
 * frees everything, *lp = NULL. Returns 0, or -1 when the file could not
 * be written. */
int live_profile_write(live_profile **lp, const plan *p, double rate, int period_frames);

#endif
