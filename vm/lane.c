/* lane.c - automation lanes evaluated in closed form per sample.
 *
 * Every value is a function of the absolute sample index n and of one
 * event's constants (resolved once, in vm_lane_finish): nothing is carried
 * from one sample or one block to the next, so a fill of any length at any
 * position gives the same bits as vm_lane_value at each sample. The value
 * and gain paths share one inline formula per shape for that reason, and
 * the build's -ffp-contract=off keeps the compiler from fusing them
 * differently in different places.
 *
 * Layout: events sorted by (sample, insertion order). Event i owns the
 * samples [at_i, at_{i+1}); within them it moves over [at_i, end_i) and then
 * holds v_end. vm_lane_value finds i by binary search; vm_lane_fill walks
 * from a cursor. */
#include "vm/lane.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI_D 3.14159265358979323846
#define LN10_OVER_20 0.11512925464970228420   /* ln(10) / 20 */
#define GAIN_FLOOR 6.30957344480193e-08       /* 10^(-144 / 20) */
#define POWER_FLOOR 3.9810717055349695e-15    /* GAIN_FLOOR^2 */
/* exp(-x) is exactly 0 in double for x > 745.14; 750 leaves margin for the
 * rounding of k / tau. */
#define TARGET_SETTLED_TAUS 750.0

typedef enum {
    MODE_HOLD,          /* no move: v_end from at on */
    MODE_LINEAR,
    MODE_AMPLITUDE,
    MODE_EQUAL_POWER,
    MODE_EXPONENTIAL,
    MODE_S_CURVE,
    MODE_TARGET,
    MODE_CURVE
} lane_mode;

typedef struct {
    /* as added */
    vm_event_kind kind;
    vm_ramp_shape shape;
    int64_t at;
    int64_t duration;
    double value;
    double tau;
    double *curve;      /* owned */
    int ncurve;
    uint64_t seq;       /* insertion order, for a stable sort */
    /* resolved by vm_lane_finish */
    lane_mode mode;
    int64_t end;        /* first sample of the hold (== at when no move) */
    double dur;         /* duration as double */
    double v0, dv;      /* start; v_end - v0 (LINEAR, S_CURVE) */
    double a0, a1;      /* AMPLITUDE: amplitudes; EQUAL_POWER: powers */
    double ratio;       /* EXPONENTIAL: v_end / v0 */
    double v_end;       /* the value held after the move */
} lane_ev;

struct vm_lane {
    vm_lane_unit unit;
    double base;
    lane_ev *ev;
    int n, cap;
    uint64_t next_seq;
    int ready;          /* finish was called after the last add */
    int cursor;         /* fill's last event index, -1 = before the first */
};

static const char *kind_name(vm_event_kind k)
{
    switch (k) {
    case VM_EV_SET: return "set";
    case VM_EV_RAMP: return "ramp";
    case VM_EV_TARGET: return "target";
    case VM_EV_CURVE: return "curve";
    }
    return "event";
}

static const char *shape_name(vm_ramp_shape s)
{
    switch (s) {
    case VM_SHAPE_LINEAR: return "linear";
    case VM_SHAPE_AMPLITUDE: return "amplitude";
    case VM_SHAPE_EQUAL_POWER: return "equal_power";
    case VM_SHAPE_EXPONENTIAL: return "exponential";
    case VM_SHAPE_S_CURVE: return "s_curve";
    }
    return "?";
}

/* dB lanes store silence as the floor itself, so every formula below sees
 * finite numbers. */
static double store_value(const vm_lane *l, double v)
{
    if (l->unit == VM_LANE_DB && v <= VM_LANE_DB_SILENCE)
        return VM_LANE_DB_SILENCE;
    return v;
}

static double db_gain(double db)
{
    return db <= VM_LANE_DB_SILENCE ? 0.0 : exp(db * LN10_OVER_20);
}

vm_lane *vm_lane_new(vm_lane_unit unit, double base)
{
    vm_lane *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->unit = unit;
    l->base = store_value(l, base);
    l->cursor = -1;
    l->ready = 1;   /* no events: the base everywhere */
    return l;
}

void vm_lane_free(vm_lane **lane)
{
    if (!lane || !*lane)
        return;
    for (int i = 0; i < (*lane)->n; i++)
        free((*lane)->ev[i].curve);
    free((*lane)->ev);
    free(*lane);
    *lane = NULL;
}

int vm_lane_count(const vm_lane *lane) { return lane->n; }
double vm_lane_base(const vm_lane *lane) { return lane->base; }
vm_lane_unit vm_lane_get_unit(const vm_lane *lane) { return lane->unit; }

/* NaN is never a value; infinities only as dB silence. */
static ds_result check_value(const vm_lane *l, const vm_event *ev, const char *what, double v, char *err)
{
    if (isnan(v))
        return ds_fail(err, DS_ERR_ARG, "%s at sample %lld: %s is NaN; it must be a number",
                       kind_name(ev->kind), (long long)ev->at, what);
    if (l->unit == VM_LANE_DB && v == INFINITY)
        return ds_fail(err, DS_ERR_ARG, "%s at sample %lld: %s is +inf dB; a dB value must be finite, "
                       "or -inf (any value <= -144 dB) for silence",
                       kind_name(ev->kind), (long long)ev->at, what);
    if (l->unit == VM_LANE_PLAIN && isinf(v))
        return ds_fail(err, DS_ERR_ARG, "%s at sample %lld: %s is %s; it must be finite",
                       kind_name(ev->kind), (long long)ev->at, what, v > 0 ? "+inf" : "-inf");
    return DS_OK;
}

static ds_result check_event(const vm_lane *l, const vm_event *ev, char *err)
{
    const char *k = kind_name(ev->kind);
    long long at = (long long)ev->at;
    ds_result r;

    if (ev->kind != VM_EV_SET && ev->kind != VM_EV_RAMP && ev->kind != VM_EV_TARGET && ev->kind != VM_EV_CURVE)
        return ds_fail(err, DS_ERR_ARG, "event at sample %lld: unknown kind %d (set, ramp, target or curve expected)",
                       at, (int)ev->kind);
    if (ev->kind == VM_EV_RAMP || ev->kind == VM_EV_CURVE) {
        if (ev->duration < 0)
            return ds_fail(err, DS_ERR_ARG, "%s at sample %lld: duration %lld samples is negative; it must be >= 0",
                           k, at, (long long)ev->duration);
        if (ev->at > INT64_MAX - ev->duration)
            return ds_fail(err, DS_ERR_ARG, "%s at sample %lld: duration %lld samples runs past the last sample index",
                           k, at, (long long)ev->duration);
    }
    if (ev->kind != VM_EV_CURVE && (r = check_value(l, ev, "value", ev->value, err)) != DS_OK)
        return r;

    switch (ev->kind) {
    case VM_EV_SET:
        break;
    case VM_EV_RAMP:
        switch (ev->shape) {
        case VM_SHAPE_LINEAR:
        case VM_SHAPE_S_CURVE:
            break;
        case VM_SHAPE_AMPLITUDE:
        case VM_SHAPE_EQUAL_POWER:
            if (l->unit != VM_LANE_DB)
                return ds_fail(err, DS_ERR_ARG, "ramp at sample %lld: shape '%s' needs a dB lane, and this lane "
                               "is plain (linear, exponential or s_curve work on it)", at, shape_name(ev->shape));
            break;
        case VM_SHAPE_EXPONENTIAL:
            /* The start v0 is checked in vm_lane_finish, once it is known. */
            if (ev->value == 0.0 || (l->unit == VM_LANE_DB && ev->value <= VM_LANE_DB_SILENCE))
                return ds_fail(err, DS_ERR_ARG, "ramp at sample %lld: an exponential ramp cannot reach %g; "
                               "both ends must be nonzero, finite and of the same sign", at, ev->value);
            break;
        default:
            return ds_fail(err, DS_ERR_ARG, "ramp at sample %lld: unknown shape %d (linear, amplitude, "
                           "equal_power, exponential or s_curve expected)", at, (int)ev->shape);
        }
        break;
    case VM_EV_TARGET:
        if (!(ev->tau > 0.0) || isinf(ev->tau))
            return ds_fail(err, DS_ERR_ARG, "target at sample %lld: time constant tau %g samples is out of "
                           "range; it must be > 0 and finite", at, ev->tau);
        break;
    case VM_EV_CURVE:
        if (!ev->curve || ev->ncurve < 2)
            return ds_fail(err, DS_ERR_ARG, "curve at sample %lld: %d point%s given; a curve needs at least 2",
                           at, ev->curve ? ev->ncurve : 0, (ev->curve && ev->ncurve == 1) ? "" : "s");
        /* (n - T) (k - 1) is computed exactly in int64. */
        if (ev->duration > INT64_MAX / (ev->ncurve - 1))
            return ds_fail(err, DS_ERR_ARG, "curve at sample %lld: %d points over %lld samples is too long",
                           at, ev->ncurve, (long long)ev->duration);
        for (int i = 0; i < ev->ncurve; i++) {
            char what[32];
            snprintf(what, sizeof what, "point %d", i + 1);
            if ((r = check_value(l, ev, what, ev->curve[i], err)) != DS_OK)
                return r;
        }
        break;
    }
    return DS_OK;
}

int vm_lane_reserve(vm_lane *lane, int n)
{
    if (n <= lane->cap)
        return 0;
    lane_ev *grown = (size_t)n <= SIZE_MAX / sizeof *grown ? realloc(lane->ev, (size_t)n * sizeof *grown) : NULL;
    if (!grown)
        return -1;
    lane->ev = grown;
    lane->cap = n;
    return 0;
}

ds_result vm_lane_check(vm_lane_unit unit, const vm_event *ev, char *err)
{
    vm_lane l = {.unit = unit};
    return check_event(&l, ev, err);
}

ds_result vm_lane_add(vm_lane *lane, const vm_event *ev, char *err)
{
    ds_result r = check_event(lane, ev, err);
    lane_ev *e;
    if (r != DS_OK)
        return r;
    if (lane->n == lane->cap) {
        int cap = lane->cap ? 2 * lane->cap : 16;
        lane_ev *grown;
        if (cap <= lane->cap || (size_t)cap > SIZE_MAX / sizeof *grown)
            return ds_fail(err, DS_ERR_NOMEM, "automation lane: too many events (%d)", lane->n);
        grown = realloc(lane->ev, (size_t)cap * sizeof *grown);
        if (!grown)
            return ds_fail(err, DS_ERR_NOMEM, "automation lane: out of memory for %d events", cap);
        lane->ev = grown;
        lane->cap = cap;
    }
    e = &lane->ev[lane->n];
    memset(e, 0, sizeof *e);
    e->kind = ev->kind;
    e->shape = ev->shape;
    e->at = ev->at;
    e->duration = (ev->kind == VM_EV_RAMP || ev->kind == VM_EV_CURVE) ? ev->duration : 0;
    e->value = ev->kind == VM_EV_CURVE ? 0.0 : store_value(lane, ev->value);
    e->tau = ev->tau;
    if (ev->kind == VM_EV_CURVE) {
        e->curve = malloc((size_t)ev->ncurve * sizeof *e->curve);
        if (!e->curve)
            return ds_fail(err, DS_ERR_NOMEM, "automation lane: out of memory for a %d-point curve", ev->ncurve);
        for (int i = 0; i < ev->ncurve; i++)
            e->curve[i] = store_value(lane, ev->curve[i]);
        e->ncurve = ev->ncurve;
    }
    e->seq = lane->next_seq++;
    lane->n++;
    lane->ready = 0;
    return DS_OK;
}

/* ---- the formulas: one per shape, shared by every evaluation path ---- */

/* The value of e at k = n - at samples into its move (0 <= k < end - at). */
static inline double move_value(const lane_ev *e, int64_t k)
{
    double g;
    switch (e->mode) {
    case MODE_LINEAR:
        return e->v0 + e->dv * ((double)k / e->dur);
    case MODE_AMPLITUDE:
        g = (1.0 - (double)k / e->dur) * e->a0 + ((double)k / e->dur) * e->a1;
        return g > 0.0 ? 20.0 * log10(g) : VM_LANE_DB_SILENCE;
    case MODE_EQUAL_POWER:
        g = (1.0 - (double)k / e->dur) * e->a0 + ((double)k / e->dur) * e->a1;
        return g > 0.0 ? 10.0 * log10(g) : VM_LANE_DB_SILENCE;
    case MODE_EXPONENTIAL:
        return e->v0 * pow(e->ratio, (double)k / e->dur);
    case MODE_S_CURVE:
        return e->v0 + e->dv * ((1.0 - cos(PI_D * ((double)k / e->dur))) / 2.0);
    case MODE_TARGET:
        return e->v_end + (e->v0 - e->v_end) * exp(-(double)k / e->tau);
    case MODE_CURVE: {
        /* Point i sits at k = i D / (k - 1): split in exact integers so that
         * a sample on a point reads the point itself. */
        int64_t num = k * (int64_t)(e->ncurve - 1);
        int64_t i = num / e->duration;
        double frac = (double)(num - i * e->duration) / e->dur;
        return e->curve[i] + (e->curve[i + 1] - e->curve[i]) * frac;
    }
    case MODE_HOLD:
        break;
    }
    return e->v_end;
}

static inline double clamp_db(int db, double v)
{
    return (db && v < VM_LANE_DB_SILENCE) ? VM_LANE_DB_SILENCE : v;
}

/* The value of e at sample n >= e->at (ignoring the events after it). */
static inline double event_value(const lane_ev *e, int64_t n, int db)
{
    return n >= e->end ? e->v_end : clamp_db(db, move_value(e, n - e->at));
}

/* As a linear gain. AMPLITUDE and EQUAL_POWER are linear in amplitude or in
 * power already, so they skip the dB round trip. */
static inline double move_gain(const lane_ev *e, int64_t k)
{
    double g;
    switch (e->mode) {
    case MODE_AMPLITUDE:
        g = (1.0 - (double)k / e->dur) * e->a0 + ((double)k / e->dur) * e->a1;
        return g > GAIN_FLOOR ? g : 0.0;
    case MODE_EQUAL_POWER:
        g = (1.0 - (double)k / e->dur) * e->a0 + ((double)k / e->dur) * e->a1;
        return g > POWER_FLOOR ? sqrt(g) : 0.0;
    default:
        return db_gain(clamp_db(1, move_value(e, k)));
    }
}

/* ---- finish ---- */

static int cmp_ev(const void *pa, const void *pb)
{
    const lane_ev *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void hold(lane_ev *e, double v)
{
    e->mode = MODE_HOLD;
    e->end = e->at;
    e->v_end = v;
}

ds_result vm_lane_finish(vm_lane *lane, char *err)
{
    int db = lane->unit == VM_LANE_DB;
    ds_result r = DS_OK;
    double v0 = lane->base;

    if (lane->n > 1)
        qsort(lane->ev, (size_t)lane->n, sizeof *lane->ev, cmp_ev);
    for (int i = 0; i < lane->n; i++) {
        lane_ev *e = &lane->ev[i];
        if (i > 0)
            v0 = event_value(&lane->ev[i - 1], e->at, db);
        e->v0 = v0;
        e->dur = (double)e->duration;
        switch (e->kind) {
        case VM_EV_SET:
            hold(e, e->value);
            break;
        case VM_EV_RAMP:
            if (e->duration == 0 || v0 == e->value) {
                hold(e, e->value);
                break;
            }
            e->end = e->at + e->duration;
            e->v_end = e->value;
            e->dv = e->value - v0;
            switch (e->shape) {
            case VM_SHAPE_LINEAR: e->mode = MODE_LINEAR; break;
            case VM_SHAPE_S_CURVE: e->mode = MODE_S_CURVE; break;
            case VM_SHAPE_AMPLITUDE:
                e->mode = MODE_AMPLITUDE;
                e->a0 = db_gain(v0);
                e->a1 = db_gain(e->value);
                break;
            case VM_SHAPE_EQUAL_POWER:
                e->mode = MODE_EQUAL_POWER;
                e->a0 = db_gain(v0) * db_gain(v0);
                e->a1 = db_gain(e->value) * db_gain(e->value);
                break;
            case VM_SHAPE_EXPONENTIAL:
                if ((v0 > 0.0 && e->value > 0.0) || (v0 < 0.0 && e->value < 0.0)) {
                    e->mode = MODE_EXPONENTIAL;
                    e->ratio = e->value / v0;
                } else {
                    if (r == DS_OK)
                        r = ds_fail(err, DS_ERR_ARG, "ramp at sample %lld: exponential from %g (the lane's "
                                    "value there) to %g touches or crosses zero; both ends must be nonzero "
                                    "and of the same sign", (long long)e->at, v0, e->value);
                    e->mode = MODE_LINEAR;
                }
                break;
            }
            break;
        case VM_EV_TARGET: {
            double settle = ceil(TARGET_SETTLED_TAUS * e->tau);
            if (v0 == e->value) {
                hold(e, e->value);
                break;
            }
            e->mode = MODE_TARGET;
            e->v_end = e->value;
            e->end = (settle < 4e18 && e->at <= INT64_MAX - (int64_t)settle)
                     ? e->at + (int64_t)settle : INT64_MAX;
            break;
        }
        case VM_EV_CURVE: {
            int flat = 1;
            for (int j = 1; j < e->ncurve; j++)
                flat &= e->curve[j] == e->curve[0];
            if (e->duration == 0 || flat) {
                hold(e, e->curve[e->ncurve - 1]);
                break;
            }
            e->mode = MODE_CURVE;
            e->end = e->at + e->duration;
            e->v_end = e->curve[e->ncurve - 1];
            break;
        }
        }
    }
    lane->cursor = -1;
    lane->ready = 1;
    return r;
}

/* ---- evaluation ---- */

/* The last event with at <= n (the last added among equals), -1 if none. */
static int find_event(const vm_lane *l, int64_t n)
{
    int lo = 0, hi = l->n;   /* answer + 1 lies in [lo, hi] */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (l->ev[mid].at <= n)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* find_event through the cursor: a few steps forward from it, else search. */
static int seek_event(const vm_lane *l, int64_t n)
{
    int c = l->cursor;
    if (c >= 0 && c < l->n && l->ev[c].at <= n) {
        for (int steps = 0; c + 1 < l->n && l->ev[c + 1].at <= n; steps++) {
            if (steps == 8)
                return find_event(l, n);
            c++;
        }
        return c;
    }
    if (c == -1 && (l->n == 0 || l->ev[0].at > n))
        return -1;
    return find_event(l, n);
}

double vm_lane_value(const vm_lane *lane, int64_t n)
{
    int i;
    assert(lane->ready);
    i = find_event(lane, n);
    if (i < 0)
        return lane->base;
    return event_value(&lane->ev[i], n, lane->unit == VM_LANE_DB);
}

int vm_lane_continue(const vm_lane *lane, int64_t n, double *v0, vm_event rest[2], int *nrest, double *points,
                     int maxpoints)
{
    assert(lane->ready && maxpoints >= 2);
    int i = n == INT64_MIN ? -1 : find_event(lane, n - 1), db = lane->unit == VM_LANE_DB;
    *nrest = 0;
    if (i < 0) {
        *v0 = lane->base;
        return 0;
    }
    const lane_ev *e = &lane->ev[i];
    *v0 = event_value(e, n, db);
    if (n >= e->end)
        return 0;
    int64_t left = e->end - n;
    memset(rest, 0, 2 * sizeof *rest);
    rest[0].at = n;
    rest[0].value = e->v_end;
    *nrest = 1;
    switch (e->mode) {
    case MODE_LINEAR:
    case MODE_AMPLITUDE:
    case MODE_EQUAL_POWER:
    case MODE_EXPONENTIAL:
        rest[0].kind = VM_EV_RAMP;
        rest[0].shape = e->shape;
        rest[0].duration = left;
        return 1;
    case MODE_TARGET:
        rest[0].kind = VM_EV_TARGET;
        rest[0].tau = e->tau;
        return 1;
    case MODE_CURVE: {
        /* straight on to the curve's next point (point p sits at the first
         * k with k (ncurve - 1) >= p D), then a curve through the points
         * after it: each corner within a sample of where it was */
        int64_t k0 = n - e->at, segs = e->ncurve - 1;
        int64_t p = (k0 * segs) / e->duration + 1;
        int64_t kp = (p * e->duration + segs - 1) / segs;
        if (p < e->ncurve && e->ncurve - p <= maxpoints && kp > k0) {
            rest[0].kind = VM_EV_RAMP;
            rest[0].shape = VM_SHAPE_LINEAR;
            rest[0].duration = kp - k0;
            rest[0].value = e->curve[p];
            if (p + 1 < e->ncurve) {
                int np = (int)(e->ncurve - p);
                memcpy(points, e->curve + p, (size_t)np * sizeof *points);
                rest[1].kind = VM_EV_CURVE;
                rest[1].at = e->at + kp;
                rest[1].duration = e->duration - kp;
                rest[1].curve = points;
                rest[1].ncurve = np;
                *nrest = 2;
            }
            return 2;
        }
        __attribute__((fallthrough)); /* a curve of more points than fit: through points */
    }
    default: {
        int k = maxpoints;
        if (left + 1 < k)
            k = (int)(left + 1);
        /* point j sits at j left / (k - 1) samples from n, between two
         * samples: read between their values */
        for (int j = 0; j < k; j++) {
            double x = (double)j * (double)left / (double)(k - 1);
            int64_t at = n + (int64_t)x;
            double frac = x - (double)(int64_t)x;
            double a0 = event_value(e, at, db), a1 = frac > 0 ? event_value(e, at + 1, db) : a0;
            points[j] = a0 + (a1 - a0) * frac;
        }
        rest[0].kind = VM_EV_CURVE;
        rest[0].duration = left;
        rest[0].curve = points;
        rest[0].ncurve = k;
        return 2;
    }
    }
}

void vm_lane_values_in_span(vm_lane *lane, const int64_t *at, int count, double *out)
{
    assert(lane->ready);
    if (count <= 0)
        return;
    int i = seek_event(lane, at[0]), db = lane->unit == VM_LANE_DB;
    if (i < 0) {
        for (int j = 0; j < count; j++)
            out[j] = lane->base;
        return;
    }
    lane->cursor = i;
    const lane_ev *e = &lane->ev[i];
    if (e->mode == MODE_LINEAR) { /* the common move, its formula unswitched */
        for (int j = 0; j < count; j++)
            out[j] = at[j] >= e->end ? e->v_end : clamp_db(db, e->v0 + e->dv * ((double)(at[j] - e->at) / e->dur));
        return;
    }
    for (int j = 0; j < count; j++)
        out[j] = event_value(e, at[j], db);
}

void vm_lane_value_toward(vm_lane *lane, int64_t n, int64_t k, double *at_n, double *at_k)
{
    assert(lane->ready && k >= n);
    int i = seek_event(lane, n), db = lane->unit == VM_LANE_DB;
    lane->cursor = i;
    if (i < 0) {
        *at_n = *at_k = lane->base;
        return;
    }
    *at_n = event_value(&lane->ev[i], n, db);
    *at_k = event_value(&lane->ev[i], k, db);
}

double vm_lane_move_slope(const vm_lane *lane, int64_t n)
{
    assert(lane->ready);
    int i = find_event(lane, n);
    if (i < 0 || n >= lane->ev[i].end)
        return 0.0;
    const lane_ev *e = &lane->ev[i];
    return e->mode == MODE_LINEAR ? fabs(e->dv) / e->dur : HUGE_VAL;
}

int64_t vm_lane_move_scale(vm_lane *lane, int64_t n)
{
    assert(lane->ready);
    int i = seek_event(lane, n);
    if (i < 0 || n >= lane->ev[i].end)
        return INT64_MAX;
    lane->cursor = i;
    const lane_ev *e = &lane->ev[i];
    double t = e->mode == MODE_TARGET ? e->tau : e->mode == MODE_CURVE ? e->dur / (e->ncurve - 1) : e->dur;
    return t < 1 ? 1 : t < 1e18 ? (int64_t)t : INT64_MAX;
}

/* fill and fill_gain walk the range in stretches where one event (or the
 * base) rules: first the part inside that event's move, then its hold. */
typedef struct {
    int idx;            /* event index, -1 = base */
    int64_t n;          /* first sample */
    int64_t moving;     /* samples of the stretch inside the event's move */
    int64_t holding;    /* then samples of hold */
} lane_stretch;

/* Next stretch starting at sample n with at most left samples. Advances
 * *idx past events that own no samples (several at one sample). */
static lane_stretch next_stretch(const vm_lane *l, int *idx, int64_t n, int64_t left)
{
    lane_stretch s;
    int64_t seg_end, run;
    for (;;) {
        seg_end = *idx + 1 < l->n ? l->ev[*idx + 1].at : INT64_MAX;
        if (seg_end > n)
            break;
        (*idx)++;
    }
    run = seg_end >= n + left ? left : seg_end - n;
    s.idx = *idx;
    s.n = n;
    s.moving = 0;
    if (*idx >= 0) {
        const lane_ev *e = &l->ev[*idx];
        if (n < e->end)
            s.moving = e->end >= n + run ? run : e->end - n;
    }
    s.holding = run - s.moving;
    return s;
}

void vm_lane_span(vm_lane *lane, int64_t n, int64_t *start, int64_t *end, int *moving)
{
    assert(lane->ready);
    int i = seek_event(lane, n);
    lane->cursor = i;
    int64_t next = i + 1 < lane->n ? lane->ev[i + 1].at : INT64_MAX;
    if (i < 0) {
        *start = INT64_MIN;
        *end = next;
        *moving = 0;
        return;
    }
    const lane_ev *e = &lane->ev[i];
    if (n < e->end) {
        *start = e->at;
        *end = e->end < next ? e->end : next;
        *moving = 1;
        if (e->kind == VM_EV_CURVE && e->ncurve > 2) {
            /* a curve is straight between its points: each piece is a
             * span of its own, so its corners fall on span ends */
            double per = e->dur / (double)(e->ncurve - 1);
            int64_t seg = (int64_t)((double)(n - e->at) / per);
            int64_t s0 = e->at + (int64_t)ceil((double)seg * per);
            int64_t s1 = e->at + (int64_t)ceil((double)(seg + 1) * per);
            if (s0 > n) { /* rounding put n before its piece: the piece before */
                s1 = s0;
                s0 = e->at + (int64_t)ceil((double)(seg - 1) * per);
            } else if (s1 <= n) {
                s0 = s1;
                s1 = e->at + (int64_t)ceil((double)(seg + 2) * per);
            }
            *start = s0 > *start ? s0 : *start;
            *end = s1 < *end ? s1 : *end;
        }
    } else {
        *start = e->end > e->at ? e->end : e->at;
        *end = next;
        *moving = 0;
    }
}

int vm_lane_fill(vm_lane *lane, int64_t pos, int count, double *out)
{
    int db = lane->unit == VM_LANE_DB, idx, same = 1;
    int64_t i = 0;
    assert(lane->ready);
    if (count <= 0)
        return 0;
    idx = seek_event(lane, pos);
    while (i < count) {
        lane_stretch s = next_stretch(lane, &idx, pos + i, count - i);
        const lane_ev *e = s.idx >= 0 ? &lane->ev[s.idx] : NULL;
        double *o = out + i;
        if (s.moving) {
            int64_t k0 = s.n - e->at;
            for (int64_t j = 0; j < s.moving; j++)
                o[j] = clamp_db(db, move_value(e, k0 + j));
            for (int64_t j = 0; j < s.moving; j++)
                same &= o[j] == out[0];
            o += s.moving;
        }
        if (s.holding) {
            double v = e ? e->v_end : lane->base;
            for (int64_t j = 0; j < s.holding; j++)
                o[j] = v;
            same &= v == out[0];
        }
        i += s.moving + s.holding;
    }
    lane->cursor = idx;
    return same;
}

int vm_lane_fill_gain(vm_lane *lane, int64_t pos, int count, float *out)
{
    int idx, same = 1;
    int64_t i = 0;
    assert(lane->ready);
    if (count <= 0)
        return 0;
    idx = seek_event(lane, pos);
    while (i < count) {
        lane_stretch s = next_stretch(lane, &idx, pos + i, count - i);
        const lane_ev *e = s.idx >= 0 ? &lane->ev[s.idx] : NULL;
        float *o = out + i;
        if (s.moving) {
            int64_t k0 = s.n - e->at;
            for (int64_t j = 0; j < s.moving; j++)
                o[j] = (float)move_gain(e, k0 + j);
            for (int64_t j = 0; j < s.moving; j++)
                same &= o[j] == out[0];
            o += s.moving;
        }
        if (s.holding) {
            float g = (float)db_gain(e ? e->v_end : lane->base);
            for (int64_t j = 0; j < s.holding; j++)
                o[j] = g;
            same &= g == out[0];
        }
        i += s.moving + s.holding;
    }
    lane->cursor = idx;
    return same;
}

int vm_lane_breakpoints(const vm_lane *lane, int64_t *out, int max)
{
    int count = 0;
    int64_t last = 0;
    assert(lane->ready);
    for (int i = 0; i < lane->n; i++) {
        const lane_ev *e = &lane->ev[i];
        int64_t next = i + 1 < lane->n ? lane->ev[i + 1].at : INT64_MAX;
        int64_t pts[2];
        int npts = 0;
        pts[npts++] = e->at;
        /* A target's numerical settling is no end a user would plot. */
        if (e->mode != MODE_TARGET && e->end > e->at && e->end < next)
            pts[npts++] = e->end;
        for (int j = 0; j < npts; j++) {
            if (count > 0 && pts[j] == last)
                continue;
            if (count < max)
                out[count] = pts[j];
            last = pts[j];
            count++;
        }
    }
    return count;
}
