/* lane.h - automation lanes: a parameter's value as a function of the
 * session sample, built from timed events, evaluated exactly per sample.
 *
 * Semantics (docs/automation.md states them for users):
 *
 *  - A lane has a base value (the parameter's static setting). Before its
 *    first event, and when it has no events, it holds the base value.
 *  - Events are kept in time order; events at the same sample keep the order
 *    they were added, and each one starts from what the previous left.
 *  - Every event starts from v0 = the value the lane has at the event's
 *    sample *before* the event applies (continuity: no jump unless asked).
 *  - SET    at T: value v from T on.
 *  - RAMP   at T over D samples to v1: v(n) = shape(v0, v1, t) with
 *           t = (n - T) / D for T <= n < T + D, then v1. Shapes:
 *             LINEAR       v0 + (v1 - v0) t              (in the lane's unit:
 *                                                        linear in dB for a dB lane)
 *             AMPLITUDE    dB lanes only: linear in amplitude,
 *                          20 log10((1 - t) a0 + t a1), a = 10^(v/20)
 *             EQUAL_POWER  dB lanes only: linear in power,
 *                          10 log10((1 - t) a0^2 + t a1^2)
 *             EXPONENTIAL  v0 (v1 / v0)^t (v0, v1 of the same sign, nonzero)
 *             S_CURVE      v0 + (v1 - v0) (1 - cos(pi t)) / 2
 *           D = 0 behaves as SET.
 *  - TARGET at T toward v1 with time constant tau (samples):
 *           v(n) = v1 + (v0 - v1) exp(-(n - T) / tau), for ever (until the
 *           next event).
 *  - CURVE  at T over D samples through values c[0..k-1] (k >= 2): c[i] at
 *           T + i D / (k - 1), linear in between, c[k-1] from T + D on.
 *           (The curve starts at c[0]: a jump from v0 if they differ.)
 *  - An event that comes while an earlier ramp, target or curve is running
 *    cuts it there: v0 is the value the running move has reached.
 *  - dB lanes: -inf dB is written as -math.huge (or any value <= -144 dB)
 *    and means silence (amplitude 0). AMPLITUDE and EQUAL_POWER ramps reach
 *    and leave silence smoothly; LINEAR and S_CURVE in dB clamp at -144 dB.
 *    Concretely: the base, every event value and every curve point at or
 *    below VM_LANE_DB_SILENCE is stored as VM_LANE_DB_SILENCE, and no value
 *    of a dB lane is ever below it, so vm_lane_value returns -144 (never
 *    -inf) for silence; AMPLITUDE and EQUAL_POWER take a = 0 there, and
 *    their values below -144 dB (close to silence) read as -144.
 *  - A RAMP or TARGET whose v0 equals its v1, and a CURVE whose points are
 *    all equal, is a hold: its value is exactly v1 (or c[0]) from T on.
 *  - A TARGET is exactly v1 once exp(-(n - T) / tau) is 0 in double
 *    precision (n - T >= 750 tau); until then the formula runs.
 *
 * Evaluation depends only on the absolute sample index, never on where a
 * block starts, so renders are bit-identical at every block size.
 */
#ifndef VM_LANE_H
#define VM_LANE_H

#include <stdint.h>

#include "vm/result.h"

typedef enum { VM_LANE_PLAIN, VM_LANE_DB } vm_lane_unit;

typedef enum {
    VM_EV_SET, VM_EV_RAMP, VM_EV_TARGET, VM_EV_CURVE
} vm_event_kind;

typedef enum {
    VM_SHAPE_LINEAR, VM_SHAPE_AMPLITUDE, VM_SHAPE_EQUAL_POWER, VM_SHAPE_EXPONENTIAL, VM_SHAPE_S_CURVE
} vm_ramp_shape;

typedef struct {
    vm_event_kind kind;
    int64_t at;             /* session sample */
    int64_t duration;       /* RAMP, CURVE: samples (>= 0) */
    double value;           /* SET, RAMP, TARGET: the value to reach */
    double tau;             /* TARGET: time constant in samples (> 0) */
    vm_ramp_shape shape;    /* RAMP */
    const double *curve;    /* CURVE: points (owned by the lane after add) */
    int ncurve;
} vm_event;

typedef struct vm_lane vm_lane;

/* The silence floor of dB lanes: values at or below it mean amplitude 0. */
#define VM_LANE_DB_SILENCE (-144.0)

/* A new lane in unit with base value base (a number; on a dB lane -inf or
 * anything <= -144 means silence); NULL when out of memory. */
vm_lane *vm_lane_new(vm_lane_unit unit, double base);
void vm_lane_free(vm_lane **lane);

/* Adds an event (copied, curve points too). Fails with a message when the
 * event is malformed for the lane (EXPONENTIAL through zero or across signs,
 * AMPLITUDE/EQUAL_POWER on a plain lane, negative duration, tau <= 0, fewer
 * than 2 curve points, NaN). Events may be added in any order. */
ds_result vm_lane_add(vm_lane *lane, const vm_event *ev, char *err);

/* Room for n events without growing (for a lane about to take them all):
 * 0, or -1 when out of memory (the lane is unchanged). */
int vm_lane_reserve(vm_lane *lane, int n);

/* What vm_lane_add would say of ev on a lane in unit, without a lane: DS_OK
 * or the same message. */
ds_result vm_lane_check(vm_lane_unit unit, const vm_event *ev, char *err);

/* Number of events; base value; unit. */
int vm_lane_count(const vm_lane *lane);
double vm_lane_base(const vm_lane *lane);
vm_lane_unit vm_lane_get_unit(const vm_lane *lane);

/* Prepares the lane for evaluation (sorts, resolves every event's v0 and
 * end). Must be called after the last vm_lane_add and before evaluating;
 * adding again requires another call. Fails (DS_ERR_ARG, message in err)
 * when an EXPONENTIAL ramp starts from a v0 that is zero or of the other
 * sign than its v1: v0 is only known here, once every event is in. The lane
 * is evaluable even then (that ramp runs LINEAR), but the caller should stop. */
ds_result vm_lane_finish(vm_lane *lane, char *err);

/* The value at session sample n (any n, random access). After finish. */
double vm_lane_value(const vm_lane *lane, int64_t n);

/* Fills out[0..count) with the values at samples pos .. pos + count - 1
 * (pos + count must not overflow). Returns 1 when all of them equal out[0]
 * (a constant stretch: callers may take a fast path), 0 otherwise, and 0
 * for count <= 0 (nothing written). Never allocates. out[i] is bit-identical
 * to vm_lane_value(lane, pos + i) whatever the split. A cursor kept inside
 * the lane (so one lane serves one caller at a time) makes sequential calls
 * O(count); random access is O(log events). After finish. */
int vm_lane_fill(vm_lane *lane, int64_t pos, int count, double *out);

/* Same, as linear gains: out[i] = 10^(value / 20), exactly 0 for <= -144 dB
 * (AMPLITUDE and EQUAL_POWER ramps compute the amplitude directly, 0 at or
 * below 10^(-144/20)). Meant for dB lanes; a plain lane's values are taken
 * as dB. Returns 1 when all out[i] equal out[0]. Constant stretches cost one
 * exp; bit-identical at any split. */
int vm_lane_fill_gain(vm_lane *lane, int64_t pos, int count, float *out);

/* out[j] = vm_lane_value(lane, at[j]) for j < count, for positions in
 * ascending order that all lie in one stretch of vm_lane_span (one move
 * running, or one hold): the scheduler's knots of a moving stretch. The
 * event is found once, from the cursor, and the formula of its shape runs
 * in one loop. After finish. */
void vm_lane_values_in_span(vm_lane *lane, const int64_t *at, int count, double *out);

/* *at_n = vm_lane_value(lane, n), and *at_k the value at sample k >= n
 * that the events up to n give, those after n ignored: the move (or hold)
 * that rules at n, carried on to k. At the end k of the stretch of
 * vm_lane_span that holds n, that is the value the running move reaches
 * there (its limit from the left), not a jump or a new move starting at
 * k; when no event lies in (n, k], *at_k is vm_lane_value(lane, k), bit
 * for bit. A moving op draws a line from one knot to the next with it.
 * Uses the lane's cursor. After finish. */
void vm_lane_value_toward(vm_lane *lane, int64_t n, int64_t k, double *at_n, double *at_k);

/* The time scale, in samples, of the move running at sample n: its
 * duration (a curve: the stretch between two of its points), or a target's
 * time constant; INT64_MAX where the lane holds. The scheduler spaces its
 * knots by it. Uses the lane's cursor. After finish. */
int64_t vm_lane_move_scale(vm_lane *lane, int64_t n);

/* How fast the move running at sample n changes the value: |v1 - v0| /
 * duration per sample for a LINEAR ramp (a straight line: the same all
 * along it), 0 where the lane holds, and +infinity for every other move
 * (its rate changes along it). After finish. */
double vm_lane_move_slope(const vm_lane *lane, int64_t n);

/* The stretch of the lane around sample n in which one thing happens:
 * either one move is running (*moving = 1) or the value holds (*moving = 0).
 * [*start, *end) contains n; *start is INT64_MIN before the first event and
 * *end INT64_MAX after the last change. Uses the lane's cursor. */
void vm_lane_span(vm_lane *lane, int64_t n, int64_t *start, int64_t *end, int *moving);

/* How the lane goes on at sample n, for a lane rebuilt from pieces of this
 * one (a re-conform, vm/conform_mix.c): *v0 is the value the events before
 * n leave at n (what an event added at n starts from). When one of those
 * events is still moving at n, rest[0 .. *nrest) are events from n on that
 * run the move on to its end: a RAMP of the same shape to the same value,
 * or a TARGET with the same time constant (both the same function of n
 * from the value at n: returns 1); a curve as a linear ramp to its next
 * point and a CURVE through the points after it (each corner within a
 * sample of its place; a curve of more than maxpoints points left as
 * below), an S-curve ramp as a CURVE through maxpoints of its values
 * (both return 2). Curve points are written into points (maxpoints >= 2),
 * which the events point at. Returns 0 (*nrest 0) when the lane holds at
 * n. After finish. */
int vm_lane_continue(const vm_lane *lane, int64_t n, double *v0, vm_event rest[2], int *nrest, double *points,
                     int maxpoints);

/* The samples where the lane's value stops being constant or starts being
 * constant again (event starts and ends), in order, for plotting and
 * reports: writes up to max of them into out and returns how many exist.
 * Each sample appears once; an event's end is listed when the event finishes
 * before the next starts (a TARGET has no end of its own: only the next
 * event ends it). After finish. */
int vm_lane_breakpoints(const vm_lane *lane, int64_t *out, int max);

#endif
