/* test_lane.c - automation lanes against their closed-form formulas
 * (written out here independently of vm/lane.c, relative tolerance 1e-6,
 * exact for steps and holds), and block-size independence as an invariant:
 * fills at any split are bit-identical (memcmp) to one fill and to
 * vm_lane_value per sample. */
#include "vm/lane.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

#define REL 1e-6
#define PI_T 3.14159265358979323846

/* ---- helpers ---- */

static vm_event ev_set(int64_t at, double v)
{
    vm_event e;
    memset(&e, 0, sizeof e);
    e.kind = VM_EV_SET;
    e.at = at;
    e.value = v;
    return e;
}

static vm_event ev_ramp(int64_t at, int64_t dur, double v, vm_ramp_shape shape)
{
    vm_event e = ev_set(at, v);
    e.kind = VM_EV_RAMP;
    e.duration = dur;
    e.shape = shape;
    return e;
}

static vm_event ev_target(int64_t at, double v, double tau)
{
    vm_event e = ev_set(at, v);
    e.kind = VM_EV_TARGET;
    e.tau = tau;
    return e;
}

static vm_event ev_curve(int64_t at, int64_t dur, const double *pts, int n)
{
    vm_event e = ev_set(at, 0);
    e.kind = VM_EV_CURVE;
    e.duration = dur;
    e.curve = pts;
    e.ncurve = n;
    return e;
}

/* Adds and reports only a failure (the checks proper come after). */
static void add(vm_lane *l, vm_event e)
{
    char err[DS_ERR_LEN] = "";
    ds_result r = vm_lane_add(l, &e, err);
    if (r != DS_OK)
        check(0, "vm_lane_add", "event kind %d at %lld rejected: %s", (int)e.kind, (long long)e.at, err);
}

static void finish(vm_lane *l)
{
    char err[DS_ERR_LEN] = "";
    ds_result r = vm_lane_finish(l, err);
    if (r != DS_OK)
        check(0, "vm_lane_finish", "failed: %s", err);
}

static int rel_ok(double got, double want, double rel)
{
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1.0;
    return fabs(got - want) <= rel * scale;
}

static void check_rel(double got, double want, double rel, const char *name)
{
    check(rel_ok(got, want, rel), name, "got %.15g, want %.15g (relative tolerance %g)", got, want, rel);
}

static void check_exact(double got, double want, const char *name)
{
    check(got == want, name, "got %.17g, want exactly %.17g", got, want);
}

static double db2a(double db) { return db <= -144.0 ? 0.0 : pow(10.0, db / 20.0); }

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- base, set ---- */

static void test_base(void)
{
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 0.5);
    double buf[100];
    int flag, all = 1;
    finish(l);
    check_int(vm_lane_count(l), 0, "no events: count 0");
    check_exact(vm_lane_base(l), 0.5, "base value kept");
    check_int(vm_lane_get_unit(l), VM_LANE_PLAIN, "unit kept");
    check_exact(vm_lane_value(l, -1000), 0.5, "no events: base before 0");
    check_exact(vm_lane_value(l, 0), 0.5, "no events: base at 0");
    check_exact(vm_lane_value(l, 1000000000000LL), 0.5, "no events: base far on");
    flag = vm_lane_fill(l, 12345, 100, buf);
    for (int i = 0; i < 100; i++)
        all &= buf[i] == 0.5;
    check(all && flag == 1, "no events: fill is the base, flagged constant", "flag %d, all %d", flag, all);
    vm_lane_free(&l);
    check(l == NULL, "vm_lane_free clears the pointer", "%p", (void *)l);
    vm_lane_free(&l);   /* harmless twice */

    l = vm_lane_new(VM_LANE_DB, -INFINITY);
    finish(l);
    check_exact(vm_lane_value(l, 0), -144.0, "dB base -inf reads as the -144 dB floor");
    {
        float g[8];
        int z = 1;
        flag = vm_lane_fill_gain(l, 0, 8, g);
        for (int i = 0; i < 8; i++)
            z &= g[i] == 0.0f;
        check(z && flag == 1, "dB base -inf: gain exactly 0, constant", "flag %d, first %g", flag, g[0]);
    }
    vm_lane_free(&l);
}

static void test_set(void)
{
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 1.0);
    double buf[10];
    int flag;
    add(l, ev_set(100, 3.0));
    finish(l);
    check_int(vm_lane_count(l), 1, "set: count 1");
    check_exact(vm_lane_value(l, 99), 1.0, "set at 100: sample 99 still the base");
    check_exact(vm_lane_value(l, 100), 3.0, "set at 100: sample 100 is the new value");
    check_exact(vm_lane_value(l, 101), 3.0, "set at 100: sample 101 holds");
    check_exact(vm_lane_value(l, 1LL << 40), 3.0, "set at 100: holds for ever");
    flag = vm_lane_fill(l, 95, 10, buf);
    check(buf[4] == 1.0 && buf[5] == 3.0 && flag == 0, "set: fill across the step changes at exactly 100",
          "buf[4]=%g buf[5]=%g flag %d", buf[4], buf[5], flag);
    flag = vm_lane_fill(l, 100, 10, buf);
    check(flag == 1 && buf[9] == 3.0, "set: fill after the step flagged constant", "flag %d", flag);
    flag = vm_lane_fill(l, 90, 10, buf);
    check(flag == 1 && buf[9] == 1.0, "set: fill ending at 99 flagged constant (restart before cursor)",
          "flag %d, buf[9] %g", flag, buf[9]);
    vm_lane_free(&l);
}

/* ---- ramps: each shape against its formula ---- */

typedef double (*shape_fn)(double v0, double v1, double t);

static double f_linear(double v0, double v1, double t) { return v0 + (v1 - v0) * t; }
static double f_amplitude(double v0, double v1, double t)
{
    double a = (1 - t) * db2a(v0) + t * db2a(v1);
    return a > 0 ? 20 * log10(a) : -144.0;
}
static double f_equal_power(double v0, double v1, double t)
{
    double p = (1 - t) * db2a(v0) * db2a(v0) + t * db2a(v1) * db2a(v1);
    return p > 0 ? 10 * log10(p) : -144.0;
}
static double f_exponential(double v0, double v1, double t) { return v0 * pow(v1 / v0, t); }
static double f_s_curve(double v0, double v1, double t) { return v0 + (v1 - v0) * (1 - cos(PI_T * t)) / 2; }

static void ramp_case(const char *label, vm_lane_unit unit, vm_ramp_shape shape, shape_fn f, double v0, double v1)
{
    const int64_t T = 1000, D = 480;
    const int64_t ks[] = { 0, 1, 7, 100, 240, 333, 479 };
    vm_lane *l = vm_lane_new(unit, v0);
    char name[200];
    int ok = 1;
    double worst = 0, worst_want = 0;
    int64_t worst_k = -1;
    add(l, ev_ramp(T, D, v1, shape));
    finish(l);
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        double t = (double)ks[i] / (double)D;
        double want = f(v0, v1, t), got = vm_lane_value(l, T + ks[i]);
        if (!rel_ok(got, want, REL)) {
            ok = 0;
            worst = got;
            worst_want = want;
            worst_k = ks[i];
        }
    }
    snprintf(name, sizeof name, "%s ramp %g -> %g over %lld: formula at k = 0, 1, 7, 100, 240, 333, 479",
             label, v0, v1, (long long)D);
    check(ok, name, "at k=%lld got %.15g, want %.15g", (long long)worst_k, worst, worst_want);
    snprintf(name, sizeof name, "%s ramp: before T the old value, exactly", label);
    check_exact(vm_lane_value(l, T - 1), unit == VM_LANE_DB && v0 <= -144 ? -144.0 : v0, name);
    snprintf(name, sizeof name, "%s ramp: from T + D on the target, exactly", label);
    check(vm_lane_value(l, T + D) == v1 && vm_lane_value(l, T + D + 100000) == v1, name,
          "got %.17g and %.17g", vm_lane_value(l, T + D), vm_lane_value(l, T + D + 100000));
    vm_lane_free(&l);
}

static void test_ramps(void)
{
    ramp_case("linear (plain)", VM_LANE_PLAIN, VM_SHAPE_LINEAR, f_linear, 0.25, 2.0);
    ramp_case("linear (dB)", VM_LANE_DB, VM_SHAPE_LINEAR, f_linear, -20.0, 0.0);
    ramp_case("amplitude", VM_LANE_DB, VM_SHAPE_AMPLITUDE, f_amplitude, -20.0, -6.0);
    ramp_case("amplitude from silence", VM_LANE_DB, VM_SHAPE_AMPLITUDE, f_amplitude, -144.0, 0.0);
    ramp_case("amplitude to silence", VM_LANE_DB, VM_SHAPE_AMPLITUDE, f_amplitude, 3.0, -144.0);
    ramp_case("equal_power", VM_LANE_DB, VM_SHAPE_EQUAL_POWER, f_equal_power, -6.0, -30.0);
    ramp_case("equal_power from silence", VM_LANE_DB, VM_SHAPE_EQUAL_POWER, f_equal_power, -144.0, -3.0);
    ramp_case("exponential", VM_LANE_PLAIN, VM_SHAPE_EXPONENTIAL, f_exponential, 100.0, 8000.0);
    ramp_case("exponential (negative)", VM_LANE_PLAIN, VM_SHAPE_EXPONENTIAL, f_exponential, -2.0, -0.5);
    ramp_case("s_curve (plain)", VM_LANE_PLAIN, VM_SHAPE_S_CURVE, f_s_curve, 1.0, -3.0);
    ramp_case("s_curve (dB)", VM_LANE_DB, VM_SHAPE_S_CURVE, f_s_curve, -40.0, -10.0);

    /* Silence written as -inf: the ramp starts at the floor, a = 0. */
    {
        vm_lane *l = vm_lane_new(VM_LANE_DB, -INFINITY);
        float g[3];
        add(l, ev_ramp(0, 1000, 0.0, VM_SHAPE_AMPLITUDE));
        finish(l);
        vm_lane_fill_gain(l, 0, 1, g);
        vm_lane_fill_gain(l, 500, 1, g + 1);
        vm_lane_fill_gain(l, 250, 1, g + 2);
        check(g[0] == 0.0f, "amplitude from -inf: gain exactly 0 at the start", "got %g", g[0]);
        check_rel(g[1], 0.5, REL, "amplitude from -inf: gain 0.5 halfway (linear in amplitude)");
        check_rel(g[2], 0.25, REL, "amplitude from -inf: gain 0.25 a quarter in");
        check_rel(vm_lane_value(l, 500), 20 * log10(0.5), REL, "amplitude from -inf: value 20 log10(0.5) halfway");
        vm_lane_free(&l);
    }
    {
        vm_lane *l = vm_lane_new(VM_LANE_DB, -6.0);
        float g[2];
        add(l, ev_ramp(0, 1000, -INFINITY, VM_SHAPE_EQUAL_POWER));
        finish(l);
        vm_lane_fill_gain(l, 750, 1, g);
        vm_lane_fill_gain(l, 1000, 1, g + 1);
        check_rel(g[0], sqrt(0.25) * db2a(-6.0), REL, "equal_power to -inf: gain sqrt(1 - t) a0 at t = 0.75");
        check(g[1] == 0.0f, "equal_power to -inf: gain exactly 0 at the end", "got %g", g[1]);
        check_exact(vm_lane_value(l, 1000), -144.0, "equal_power to -inf: value the -144 dB floor at the end");
        vm_lane_free(&l);
    }
    {
        vm_lane *l = vm_lane_new(VM_LANE_DB, -INFINITY);
        add(l, ev_ramp(0, 100, 0.0, VM_SHAPE_LINEAR));
        finish(l);
        check_exact(vm_lane_value(l, 0), -144.0, "linear dB from -inf clamps at -144 at the start");
        check_rel(vm_lane_value(l, 25), -144.0 + 144.0 * 0.25, REL, "linear dB from -inf: -144 + 144 t");
        vm_lane_free(&l);
    }
    /* D = 0 behaves as SET; equal ends hold exactly. */
    {
        vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 1.0);
        add(l, ev_ramp(50, 0, 4.0, VM_SHAPE_S_CURVE));
        add(l, ev_ramp(80, 100, 4.0, VM_SHAPE_EXPONENTIAL));
        finish(l);
        check(vm_lane_value(l, 49) == 1.0 && vm_lane_value(l, 50) == 4.0, "ramp of duration 0 is a set",
              "49: %g, 50: %g", vm_lane_value(l, 49), vm_lane_value(l, 50));
        check_exact(vm_lane_value(l, 130), 4.0, "ramp to the value it starts from holds exactly");
        vm_lane_free(&l);
    }
}

/* ---- target, curve ---- */

static void test_target(void)
{
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    const int64_t T = 500;
    const double tau = 100.0;
    const int64_t ks[] = { 1, 50, 100, 237, 1000, 5000 };
    int ok = 1;
    int64_t bad = -1;
    add(l, ev_target(T, 1.0, tau));
    finish(l);
    check_exact(vm_lane_value(l, T - 1), 0.0, "target: before T the base");
    check_exact(vm_lane_value(l, T), 0.0, "target: at T the start value v0");
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        double want = 1.0 + (0.0 - 1.0) * exp(-(double)ks[i] / tau);
        if (!rel_ok(vm_lane_value(l, T + ks[i]), want, REL))
            bad = ks[i];
    }
    ok = bad < 0;
    check(ok, "target: v1 + (v0 - v1) exp(-(n - T) / tau) at k = 1, 50, 100, 237, 1000, 5000",
          "wrong at k = %lld: %.15g", (long long)bad, bad >= 0 ? vm_lane_value(l, T + bad) : 0.0);
    check_exact(vm_lane_value(l, T + 1000000), 1.0, "target: settled exactly on v1 long after");
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_DB, -10.0);
    add(l, ev_target(0, -30.0, 48.0));
    finish(l);
    check_rel(vm_lane_value(l, 48), -30.0 + 20.0 * exp(-1.0), REL, "target (dB): one tau in, 1/e of the way left");
    vm_lane_free(&l);
}

static void test_curve(void)
{
    const double pts[] = { 1.0, 4.0, -2.0, 3.0 };
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_curve(1000, 300, pts, 4));
    finish(l);
    check_exact(vm_lane_value(l, 999), 0.0, "curve: before T the base");
    check_exact(vm_lane_value(l, 1000), 1.0, "curve: at T c[0] (a jump from v0)");
    check_exact(vm_lane_value(l, 1100), 4.0, "curve: c[1] exactly at T + D/3");
    check_exact(vm_lane_value(l, 1200), -2.0, "curve: c[2] exactly at T + 2D/3");
    check_rel(vm_lane_value(l, 1050), 2.5, REL, "curve: linear between c[0] and c[1]");
    check_rel(vm_lane_value(l, 1130), 4.0 + (-2.0 - 4.0) * 0.3, REL, "curve: linear between c[1] and c[2]");
    check_rel(vm_lane_value(l, 1299), -2.0 + 5.0 * 0.99, REL, "curve: last sample before the end");
    check_exact(vm_lane_value(l, 1300), 3.0, "curve: c[k-1] from T + D");
    check_exact(vm_lane_value(l, 99999), 3.0, "curve: c[k-1] holds");
    vm_lane_free(&l);

    /* Points off the sample grid: D = 100, 4 points at k = 0, 33.3, 66.7, 100. */
    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_curve(0, 100, pts, 4));
    finish(l);
    check_rel(vm_lane_value(l, 50), 4.0 + (-2.0 - 4.0) * 0.5, REL, "curve off grid: k = 50 halfway c[1]..c[2]");
    check_rel(vm_lane_value(l, 34), 4.0 + (-2.0 - 4.0) * (34 * 3 / 100.0 - 1), REL, "curve off grid: k = 34");
    vm_lane_free(&l);
}

/* ---- continuity, ordering ---- */

static void test_continuity(void)
{
    vm_lane *l;
    double v0;
    const double pts[] = { 0.0, 6.0, 3.0 };

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_ramp(0, 1000, 10.0, VM_SHAPE_LINEAR));
    add(l, ev_ramp(400, 100, 0.0, VM_SHAPE_LINEAR));
    finish(l);
    check_rel(vm_lane_value(l, 400), 4.0, REL, "ramp cut by a ramp: starts where the first had reached");
    check_rel(vm_lane_value(l, 450), 4.0 + (0.0 - 4.0) * 0.5, REL, "ramp cut by a ramp: then ramps from there");
    check_exact(vm_lane_value(l, 800), 0.0, "ramp cut by a ramp: the first never resumes");
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_target(0, 10.0, 200.0));
    add(l, ev_ramp(300, 100, 0.0, VM_SHAPE_S_CURVE));
    finish(l);
    v0 = 10.0 + (0.0 - 10.0) * exp(-300.0 / 200.0);
    check_rel(vm_lane_value(l, 300), v0, REL, "target cut by a ramp: starts from the target's value at T");
    check_rel(vm_lane_value(l, 350), v0 + (0.0 - v0) * (1 - cos(PI_T * 0.5)) / 2, REL,
              "target cut by an s_curve: the s_curve from there");
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_curve(0, 300, pts, 3));
    add(l, ev_target(75, 0.0, 50.0));
    finish(l);
    check_rel(vm_lane_value(l, 75), 3.0, REL, "curve cut by a target: starts from the curve's value (3)");
    check_rel(vm_lane_value(l, 125), 0.0 + (3.0 - 0.0) * exp(-1.0), REL, "curve cut by a target: decays from 3");
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_DB, -INFINITY);
    add(l, ev_ramp(0, 1000, 0.0, VM_SHAPE_AMPLITUDE));
    add(l, ev_ramp(250, 100, -6.0, VM_SHAPE_LINEAR));
    finish(l);
    v0 = 20 * log10(0.25);
    check_rel(vm_lane_value(l, 250), v0, REL, "amplitude ramp cut: v0 = 20 log10(0.25)");
    check_rel(vm_lane_value(l, 300), v0 + (-6.0 - v0) * 0.5, REL, "amplitude ramp cut: linear dB from there");
    vm_lane_free(&l);
}

static void test_same_sample_and_order(void)
{
    vm_lane *l;

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_set(100, 5.0));
    add(l, ev_ramp(100, 100, 7.0, VM_SHAPE_LINEAR));
    finish(l);
    check_exact(vm_lane_value(l, 99), 0.0, "set then ramp at one sample: before, the base");
    check_exact(vm_lane_value(l, 100), 5.0, "set then ramp at one sample: the ramp starts from the set value");
    check_rel(vm_lane_value(l, 150), 6.0, REL, "set then ramp at one sample: ramps 5 -> 7");
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_ramp(100, 100, 7.0, VM_SHAPE_LINEAR));
    add(l, ev_set(100, 5.0));
    finish(l);
    check(vm_lane_value(l, 100) == 5.0 && vm_lane_value(l, 150) == 5.0,
          "ramp then set at one sample: the set, added last, wins", "100: %g, 150: %g",
          vm_lane_value(l, 100), vm_lane_value(l, 150));
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    add(l, ev_set(300, 3.0));
    add(l, ev_set(100, 1.0));
    add(l, ev_set(200, 2.0));
    add(l, ev_set(200, 2.5));   /* same sample, added later: applies after 2.0 */
    add(l, ev_set(50, 0.5));
    finish(l);
    check(vm_lane_value(l, 49) == 0.0 && vm_lane_value(l, 50) == 0.5 && vm_lane_value(l, 150) == 1.0
              && vm_lane_value(l, 250) == 2.5 && vm_lane_value(l, 350) == 3.0,
          "events added out of order are sorted; equal samples keep insertion order",
          "49:%g 50:%g 150:%g 250:%g 350:%g", vm_lane_value(l, 49), vm_lane_value(l, 50),
          vm_lane_value(l, 150), vm_lane_value(l, 250), vm_lane_value(l, 350));
    {
        double buf[400];
        int ok = 1;
        vm_lane_fill(l, 0, 400, buf);
        for (int i = 0; i < 400; i++)
            ok &= buf[i] == vm_lane_value(l, i);
        check(ok, "sorted lane: fill equals value per sample", "mismatch");
    }
    /* Adding after finish, then finishing again. */
    add(l, ev_set(120, 9.0));
    finish(l);
    check(vm_lane_count(l) == 6 && vm_lane_value(l, 119) == 1.0 && vm_lane_value(l, 120) == 9.0
              && vm_lane_value(l, 199) == 9.0,
          "add after finish, finish again: the new event is in place", "count %d, 120: %g",
          vm_lane_count(l), vm_lane_value(l, 120));
    vm_lane_free(&l);
}

/* ---- block-size independence ---- */

/* Compares fills of [start, start + len) in chunks chosen by next_len
 * against ref; returns 1 when bit-identical. */
static int split_matches(vm_lane *l, int64_t start, int len, const double *ref, double *buf, int chunk)
{
    int i = 0;
    while (i < len) {
        int n = chunk > 0 ? chunk : 1 + (int)(rng() % 3000);
        if (n > len - i)
            n = len - i;
        vm_lane_fill(l, start + i, n, buf + i);
        i += n;
    }
    return memcmp(buf, ref, (size_t)len * sizeof *buf) == 0;
}

static int split_matches_gain(vm_lane *l, int64_t start, int len, const float *ref, float *buf, int chunk)
{
    int i = 0;
    while (i < len) {
        int n = chunk > 0 ? chunk : 1 + (int)(rng() % 3000);
        if (n > len - i)
            n = len - i;
        vm_lane_fill_gain(l, start + i, n, buf + i);
        i += n;
    }
    return memcmp(buf, ref, (size_t)len * sizeof *buf) == 0;
}

static void splits(vm_lane *l, const char *label, int64_t start, int len, int with_gain)
{
    double *ref = malloc((size_t)len * sizeof *ref), *buf = malloc((size_t)len * sizeof *buf);
    const int chunks[] = { 1, 7, 64, 4096, 0 };
    char name[200];
    int ok = 1;
    int64_t first_bad = -1;

    vm_lane_fill(l, start, len, ref);
    for (int i = 0; i < len; i++) {
        double v = vm_lane_value(l, start + i);
        if (memcmp(&v, &ref[i], sizeof v) != 0 && first_bad < 0)
            first_bad = start + i;
    }
    snprintf(name, sizeof name, "%s: one fill of %d samples == vm_lane_value per sample (bitwise)", label, len);
    check(first_bad < 0, name, "first difference at sample %lld", (long long)first_bad);

    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        snprintf(name, sizeof name, "%s: fills of %s samples == one fill (memcmp)", label,
                 chunks[c] == 1 ? "1" : chunks[c] == 7 ? "7" : chunks[c] == 64 ? "64"
                 : chunks[c] == 4096 ? "4096" : "random 1..3000");
        check(split_matches(l, start, len, ref, buf, chunks[c]), name, "differs");
    }

    /* Random access: fills at random places, each compared with ref. */
    for (int r = 0; r < 300 && ok; r++) {
        int off = (int)(rng() % (uint64_t)len), n = 1 + (int)(rng() % 2000);
        if (n > len - off)
            n = len - off;
        vm_lane_fill(l, start + off, n, buf);
        ok = memcmp(buf, ref + off, (size_t)n * sizeof *buf) == 0;
    }
    snprintf(name, sizeof name, "%s: 300 fills at random positions (backwards too) == one fill", label);
    check(ok, name, "differs");

    if (with_gain) {
        float *gref = malloc((size_t)len * sizeof *gref), *gbuf = malloc((size_t)len * sizeof *gbuf);
        int bad = -1;
        vm_lane_fill_gain(l, start, len, gref);
        for (int i = 0; i < len && bad < 0; i++) {
            double want = ref[i] <= -144.0 ? 0.0 : pow(10.0, ref[i] / 20.0);
            if (want == 0.0 ? gref[i] != 0.0f : !rel_ok(gref[i], want, REL))
                bad = i;
        }
        snprintf(name, sizeof name, "%s: fill_gain == 10^(v/20) (1e-6 relative), exactly 0 at <= -144 dB", label);
        check(bad < 0, name, "sample %lld: value %.10g dB, gain %.10g", (long long)(start + (bad < 0 ? 0 : bad)),
              bad < 0 ? 0 : ref[bad], bad < 0 ? 0 : gref[bad]);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            snprintf(name, sizeof name, "%s: fill_gain in chunks of %d == one fill_gain (memcmp)", label, chunks[c]);
            check(split_matches_gain(l, start, len, gref, gbuf, chunks[c]), name, "differs");
        }
        free(gref);
        free(gbuf);
    }
    free(ref);
    free(buf);
}

static void test_block_independence(void)
{
    const double pts[] = { -12.0, -3.0, -40.0, -INFINITY, -6.0 };
    const double ppts[] = { 100.0, 3000.0, 250.0 };
    vm_lane *l = vm_lane_new(VM_LANE_DB, -INFINITY);

    /* A fader ride: fade in from silence, rides of every shape, cuts,
     * a target, a curve through silence, a fade out. */
    add(l, ev_ramp(2000, 48000, 0.0, VM_SHAPE_AMPLITUDE));
    add(l, ev_ramp(30000, 9000, -10.0, VM_SHAPE_LINEAR));        /* cuts the fade in */
    add(l, ev_ramp(60000, 4800, -3.0, VM_SHAPE_S_CURVE));
    add(l, ev_target(70000, -20.0, 2400.0));
    add(l, ev_ramp(80000, 12000, -6.0, VM_SHAPE_EQUAL_POWER));   /* cuts the target */
    add(l, ev_curve(100000, 30000, pts, 5));
    add(l, ev_set(140000, -1.5));
    add(l, ev_ramp(140000, 3000, -9.0, VM_SHAPE_EXPONENTIAL));   /* same sample as the set */
    add(l, ev_ramp(160000, 20000, -INFINITY, VM_SHAPE_EQUAL_POWER));
    add(l, ev_ramp(190000, 5000, -30.0, VM_SHAPE_LINEAR));       /* from silence, clamped */
    finish(l);
    splits(l, "dB ride", -5000, 205000, 1);
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_PLAIN, 1000.0);
    add(l, ev_ramp(1000, 20000, 60.0, VM_SHAPE_EXPONENTIAL));
    add(l, ev_curve(25000, 7777, ppts, 3));
    add(l, ev_target(40000, 8000.0, 333.3));
    add(l, ev_ramp(41000, 10000, 500.0, VM_SHAPE_S_CURVE));
    finish(l);
    splits(l, "plain sweep", 0, 60000, 0);
    vm_lane_free(&l);
}

static void test_dense(void)
{
    const double pts[] = { 0.2, 0.9, 0.4 };
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 0.5);
    int k = 0;
    for (int64_t at = 0; at < 100000; at += 7, k++) {
        double v = 0.1 + 0.8 * (double)((k * 37) % 101) / 100.0;
        switch (k % 6) {
        case 0: add(l, ev_set(at, v)); break;
        case 1: add(l, ev_ramp(at, 10, v, VM_SHAPE_LINEAR)); break;       /* cut at 7 */
        case 2: add(l, ev_target(at, v, 3.0)); break;
        case 3: add(l, ev_curve(at, 5, pts, 3)); break;
        case 4: add(l, ev_ramp(at, 6, v, VM_SHAPE_S_CURVE)); break;
        case 5: add(l, ev_ramp(at, 7, v, VM_SHAPE_EXPONENTIAL)); break;
        }
    }
    finish(l);
    check_int(vm_lane_count(l), k, "dense lane: every event kept");
    splits(l, "dense lane (an event every 7 samples)", 0, 100000, 0);
    vm_lane_free(&l);
}

/* ---- fill_gain and the constant flag ---- */

static void test_gain_and_flags(void)
{
    vm_lane *l = vm_lane_new(VM_LANE_DB, -6.0);
    float g[256];
    double v[256];
    int flag, all;

    add(l, ev_ramp(1000, 500, -20.0, VM_SHAPE_LINEAR));
    add(l, ev_set(3000, -INFINITY));
    add(l, ev_set(4000, -20.0));    /* same as the held value before the silence */
    finish(l);

    flag = vm_lane_fill_gain(l, 0, 256, g);
    all = 1;
    for (int i = 0; i < 256; i++)
        all &= g[i] == (float)pow(10.0, -6.0 / 20.0) || rel_ok(g[i], pow(10.0, -6.0 / 20.0), REL);
    check(flag == 1 && all, "fill_gain over the base: constant flag 1, 10^(-6/20)", "flag %d, g %.9g", flag, g[0]);
    flag = vm_lane_fill_gain(l, 1100, 256, g);
    check(flag == 0, "fill_gain over a ramp: flag 0", "flag %d", flag);
    check_rel(g[100], pow(10.0, (-6.0 + (-20.0 + 6.0) * 200.0 / 500.0) / 20.0), REL,
              "fill_gain in a linear dB ramp: 10^(v/20)");
    flag = vm_lane_fill(l, 1100, 256, v);
    check(flag == 0, "fill over a ramp: flag 0", "flag %d", flag);
    flag = vm_lane_fill_gain(l, 3000, 256, g);
    all = 1;
    for (int i = 0; i < 256; i++)
        all &= g[i] == 0.0f;
    check(flag == 1 && all, "fill_gain over silence: exactly 0.0f, flag 1", "flag %d, g[0] %g", flag, g[0]);
    flag = vm_lane_fill_gain(l, 2900, 200, g);
    check(flag == 0 && g[99] > 0.0f && g[100] == 0.0f, "fill_gain into silence: gain 0 from the set's sample on",
          "flag %d, g[99] %g, g[100] %g", flag, g[99], g[100]);
    flag = vm_lane_fill(l, 1500, 256, v);
    check(flag == 1 && v[0] == -20.0, "fill after a ramp's end: flag 1, the target exactly", "flag %d, v %g",
          flag, v[0]);
    /* Constant across an event: the value before equals the value after. */
    {
        vm_lane *c = vm_lane_new(VM_LANE_PLAIN, 2.0);
        add(c, ev_set(100, 2.0));
        finish(c);
        flag = vm_lane_fill(c, 50, 100, v);
        check(flag == 1, "fill across a set to the same value: flag 1 (all equal out[0])", "flag %d", flag);
        vm_lane_free(&c);
    }
    check_int(vm_lane_fill(l, 0, 0, v), 0, "fill of 0 samples returns 0");
    vm_lane_free(&l);
}

/* ---- errors ---- */

static void rejects(vm_lane_unit unit, double base, vm_event e, const char *name, const char *w1, const char *w2)
{
    vm_lane *l = vm_lane_new(unit, base);
    char err[DS_ERR_LEN] = "";
    char nm[200];
    ds_result r = vm_lane_add(l, &e, err);
    snprintf(nm, sizeof nm, "%s: rejected by vm_lane_add", name);
    check(r == DS_ERR_ARG && vm_lane_count(l) == 0, nm, "returned %d, count %d", (int)r, vm_lane_count(l));
    snprintf(nm, sizeof nm, "%s: message mentions \"%s\" and \"%s\"", name, w1, w2);
    check(strstr(err, w1) && strstr(err, w2), nm, "message was: %s", err);
    vm_lane_free(&l);
}

static void test_errors(void)
{
    const double one[] = { 1.0 };
    const double nanpts[] = { 1.0, NAN };
    char err[DS_ERR_LEN] = "";
    vm_lane *l;
    ds_result r;

    rejects(VM_LANE_PLAIN, 1.0, ev_ramp(10, 100, 0.0, VM_SHAPE_EXPONENTIAL), "exponential to 0", "exponential", "nonzero");
    rejects(VM_LANE_PLAIN, 1.0, ev_ramp(10, 100, 0.5, VM_SHAPE_AMPLITUDE), "amplitude on a plain lane", "amplitude", "dB lane");
    rejects(VM_LANE_PLAIN, 1.0, ev_ramp(10, 100, 0.5, VM_SHAPE_EQUAL_POWER), "equal_power on a plain lane", "equal_power", "dB lane");
    rejects(VM_LANE_PLAIN, 1.0, ev_target(10, 0.5, 0.0), "tau = 0", "tau 0", "> 0");
    rejects(VM_LANE_PLAIN, 1.0, ev_target(10, 0.5, -5.0), "tau < 0", "tau -5", "> 0");
    rejects(VM_LANE_PLAIN, 1.0, ev_target(10, 0.5, NAN), "tau NaN", "tau", "> 0");
    rejects(VM_LANE_PLAIN, 1.0, ev_curve(10, 100, one, 1), "1-point curve", "1 point", "at least 2");
    rejects(VM_LANE_PLAIN, 1.0, ev_curve(10, 100, NULL, 0), "curve without points", "0 points", "at least 2");
    rejects(VM_LANE_PLAIN, 1.0, ev_curve(10, 100, nanpts, 2), "curve with a NaN point", "point 2", "NaN");
    rejects(VM_LANE_PLAIN, 1.0, ev_ramp(10, -5, 0.5, VM_SHAPE_LINEAR), "negative ramp duration", "-5", ">= 0");
    rejects(VM_LANE_PLAIN, 1.0, ev_curve(10, -1, nanpts, 2), "negative curve duration", "-1", ">= 0");
    rejects(VM_LANE_PLAIN, 1.0, ev_set(10, NAN), "NaN value", "set at sample 10", "NaN");
    rejects(VM_LANE_PLAIN, 1.0, ev_set(10, INFINITY), "inf on a plain lane", "+inf", "finite");
    rejects(VM_LANE_DB, 0.0, ev_set(10, INFINITY), "+inf dB", "+inf dB", "-inf");
    rejects(VM_LANE_DB, 0.0, ev_ramp(10, 100, -INFINITY, VM_SHAPE_EXPONENTIAL), "exponential to silence", "exponential", "nonzero");

    /* Across zero is known only at finish, where v0 is resolved. */
    l = vm_lane_new(VM_LANE_PLAIN, 1.0);
    add(l, ev_ramp(10, 100, -1.0, VM_SHAPE_EXPONENTIAL));
    r = vm_lane_finish(l, err);
    check(r == DS_ERR_ARG, "exponential from 1 to -1: vm_lane_finish fails", "returned %d", (int)r);
    check(strstr(err, "exponential") && strstr(err, "same sign") && strstr(err, "sample 10"),
          "exponential across 0: message names the ramp, the values and the rule", "message was: %s", err);
    check(isfinite(vm_lane_value(l, 60)), "exponential across 0: lane still evaluable", "%g", vm_lane_value(l, 60));
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);   /* v0 = 0 from the base */
    add(l, ev_ramp(10, 100, 5.0, VM_SHAPE_EXPONENTIAL));
    err[0] = 0;
    r = vm_lane_finish(l, err);
    check(r == DS_ERR_ARG && strstr(err, "from 0 (") && strstr(err, "to 5"), "exponential from 0: vm_lane_finish fails naming v0",
          "returned %d: %s", (int)r, err);
    vm_lane_free(&l);
}

/* ---- breakpoints ---- */

static void test_breakpoints(void)
{
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    int64_t bp[16];
    const int64_t want[] = { 100, 200, 250, 300, 350, 500, 600, 700, 710, 800 };
    const int nwant = (int)(sizeof want / sizeof want[0]);
    int n, ok;

    add(l, ev_set(100, 1.0));
    add(l, ev_ramp(200, 50, 2.0, VM_SHAPE_LINEAR));      /* 200 .. 250 */
    add(l, ev_ramp(300, 100, 0.0, VM_SHAPE_LINEAR));     /* cut at 350 */
    add(l, ev_set(350, 3.0));
    add(l, ev_target(500, 1.0, 10.0));                   /* ended by 600 */
    add(l, ev_set(600, 4.0));
    add(l, ev_ramp(600, 0, 5.0, VM_SHAPE_LINEAR));      /* same sample: listed once */
    add(l, ev_ramp(700, 10, 6.0, VM_SHAPE_S_CURVE));     /* 700 .. 710 */
    add(l, ev_target(800, 0.0, 10.0));                   /* no end of its own */
    finish(l);
    n = vm_lane_breakpoints(l, bp, 16);
    ok = n == nwant;
    for (int i = 0; ok && i < n; i++)
        ok = bp[i] == want[i];
    check(ok, "breakpoints: event starts and ends, in order, once each",
          "got %d: %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", n, (long long)bp[0],
          (long long)bp[1], (long long)bp[2], (long long)bp[3], (long long)bp[4], (long long)bp[5],
          (long long)bp[6], (long long)bp[7], (long long)bp[8], (long long)bp[9], (long long)bp[10]);
    memset(bp, 0xff, sizeof bp);
    n = vm_lane_breakpoints(l, bp, 3);
    check(n == nwant && bp[0] == 100 && bp[2] == 250 && bp[3] == -1,
          "breakpoints: writes at most max, returns how many exist", "returned %d, bp[3] %lld", n, (long long)bp[3]);
    vm_lane_free(&l);

    l = vm_lane_new(VM_LANE_PLAIN, 0.0);
    finish(l);
    check_int(vm_lane_breakpoints(l, bp, 16), 0, "breakpoints: none without events");
    vm_lane_free(&l);
}

/* vm_lane_span: the stretches the engine's control grid interpolates over */
static void test_span(void)
{
    char err[DS_ERR_LEN];
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 0);
    vm_event r = {.kind = VM_EV_RAMP, .at = 100, .duration = 50, .value = 1, .shape = VM_SHAPE_LINEAR};
    static const double pts[] = {0, 1, 0, 1};
    vm_event c = {.kind = VM_EV_CURVE, .at = 1000, .duration = 300, .curve = pts, .ncurve = 4};
    vm_event set = {.kind = VM_EV_SET, .at = 2000, .value = 0.25};
    vm_lane_add(l, &r, err);
    vm_lane_add(l, &c, err);
    vm_lane_add(l, &set, err);
    vm_lane_finish(l, err);
    static const struct { int64_t n, start, end; int moving; } want[] = {
        {0, INT64_MIN, 100, 0},  {100, 100, 150, 1},   {149, 100, 150, 1},    {150, 150, 1000, 0},
        {1000, 1000, 1100, 1},   {1099, 1000, 1100, 1}, {1100, 1100, 1200, 1}, {1250, 1200, 1300, 1},
        {1300, 1300, 2000, 0},   {2000, 2000, INT64_MAX, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int64_t st, en;
        int mv;
        vm_lane_span(l, want[i].n, &st, &en, &mv);
        char name[160];
        snprintf(name, sizeof name, "span at sample %lld: [%lld, %lld) %s", (long long)want[i].n,
                 (long long)want[i].start, (long long)want[i].end, want[i].moving ? "moving" : "holding");
        check(st == want[i].start && en == want[i].end && mv == want[i].moving, name, "got [%lld, %lld) moving %d",
              (long long)st, (long long)en, mv);
    }
    vm_lane_free(&l);
}

/* vm_lane_value_toward: the move that holds n carried on to k, against
 * the ramp's formula written out here (a cut ramp runs on past the event
 * that cuts it; a set reads as the hold before it); vm_lane_value at n, and
 * at k when no event lies in (n, k], bit for bit. vm_lane_move_slope: a
 * LINEAR ramp's |dv| per sample, 0 on a hold, +inf on an S-curve. */
static void test_value_toward(void)
{
    char err[DS_ERR_LEN];
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, -1);
    add(l, ev_ramp(1000, 9000, 1, VM_SHAPE_LINEAR));  /* -1 -> 1, cut at 4001 */
    add(l, ev_set(4001, -0.2));
    add(l, ev_ramp(6000, 3333, 0.9, VM_SHAPE_S_CURVE));
    add(l, ev_ramp(9333, 5000, -1, VM_SHAPE_LINEAR)); /* starts where the S-curve ends */
    vm_lane_finish(l, err);
    double a, b;
    vm_lane_value_toward(l, 3968, 4001, &a, &b);
    double ramp = -1 + 2 * (4001 - 1000) / 9000.0;
    check(a == vm_lane_value(l, 3968) && fabs(b - ramp) <= 1e-15 && vm_lane_value(l, 4001) == -0.2,
          "value_toward: a ramp cut by a set at 4001 carried on to 4001 (the ramp's value, not the set's)",
          "at n %.17g, toward %.17g (want %.17g)", a, b, ramp);
    vm_lane_value_toward(l, 2000, 2032, &a, &b);
    check(a == vm_lane_value(l, 2000) && b == vm_lane_value(l, 2032),
          "value_toward: inside one move, both ends are vm_lane_value's bits", "%.17g %.17g", a, b);
    vm_lane_value_toward(l, 9312, 9333, &a, &b);
    check(b == 0.9 && b == vm_lane_value(l, 9333), "value_toward: an S-curve's end reads its end value (0.9)",
          "%.17g", b);
    vm_lane_value_toward(l, 500, 1000, &a, &b);
    check(a == -1 && b == -1, "value_toward: the base before the first event, at both ends", "%g %g", a, b);
    vm_lane_value_toward(l, 5000, 6000, &a, &b);
    check(a == -0.2 && b == -0.2, "value_toward: a hold carried on to the next move's start", "%g %g", a, b);
    check(fabs(vm_lane_move_slope(l, 2000) - 2 / 9000.0) <= 1e-18 &&
              fabs(vm_lane_move_slope(l, 10000) - 1.9 / 5000) <= 1e-18 && vm_lane_move_slope(l, 5000) == 0 &&
              vm_lane_move_slope(l, 500) == 0 && isinf(vm_lane_move_slope(l, 7000)) &&
              vm_lane_move_slope(l, 20000) == 0,
          "move_slope: LINEAR ramps |dv| / duration, holds 0, an S-curve +inf", "%g %g %g",
          vm_lane_move_slope(l, 2000), vm_lane_move_slope(l, 10000), vm_lane_move_slope(l, 7000));
    vm_lane_free(&l);
}

/* vm_lane_values_in_span: the knots of one stretch at once, bit-identical
 * to vm_lane_value at each; vm_lane_move_scale: the time scale the
 * scheduler spaces its knots by. */
static void test_values_in_span(void)
{
    static const double pts[] = {-6, 0, -12};
    static const vm_ramp_shape shapes[] = {VM_SHAPE_LINEAR, VM_SHAPE_AMPLITUDE, VM_SHAPE_EQUAL_POWER,
                                           VM_SHAPE_EXPONENTIAL, VM_SHAPE_S_CURVE};
    for (int kind = 0; kind < 7; kind++) {
        vm_lane *l = vm_lane_new(VM_LANE_DB, -3);
        int64_t scale_want;
        if (kind < 5) {
            add(l, ev_ramp(1000, 4800, -15, shapes[kind]));
            scale_want = 4800;
        } else if (kind == 5) {
            add(l, ev_target(1000, -20, 480));
            scale_want = 480;
        } else {
            add(l, ev_curve(1000, 2000, pts, 3));
            scale_want = 1000;
        }
        finish(l);
        int64_t st, en;
        int mv;
        vm_lane_span(l, 1500, &st, &en, &mv);
        int64_t at[40];
        int m = 0;
        for (int64_t k = st; k < en && m < 40; k += 37)
            at[m++] = k;
        double got[40];
        vm_lane_values_in_span(l, at, m, got);
        int same = m > 5;
        for (int j = 0; j < m; j++)
            same &= got[j] == vm_lane_value(l, at[j]);
        char name[160];
        snprintf(name, sizeof name, "values in a span (event kind %d): %d knots bit-identical to vm_lane_value",
                 kind, m);
        check(same, name, "a knot differs");
        int64_t scale = vm_lane_move_scale(l, 1500);
        snprintf(name, sizeof name, "move scale (event kind %d) is %lld samples, INT64_MAX before the move", kind,
                 (long long)scale_want);
        check(scale == scale_want && vm_lane_move_scale(l, 999) == INT64_MAX, name, "got %lld",
              (long long)scale);
        vm_lane_free(&l);
    }
}

/* room reserved up front changes nothing but the allocations */
static void test_reserve(void)
{
    vm_lane *a = vm_lane_new(VM_LANE_DB, -3), *b = vm_lane_new(VM_LANE_DB, -3);
    int ok = a && b && vm_lane_reserve(b, 100) == 0 && vm_lane_reserve(b, 10) == 0;
    for (int i = 0; ok && i < 100; i++) {
        add(a, ev_ramp(1000 * i, 500, -3 - i % 7, VM_SHAPE_LINEAR));
        add(b, ev_ramp(1000 * i, 500, -3 - i % 7, VM_SHAPE_LINEAR));
    }
    if (ok) {
        finish(a);
        finish(b);
    }
    for (int64_t n = 0; ok && n < 101000; n += 37)
        ok = vm_lane_value(a, n) == vm_lane_value(b, n);
    check(ok && vm_lane_count(b) == 100, "a lane with room reserved for 100 events takes them and reads the same",
          "differs");
    vm_lane_free(&a);
    vm_lane_free(&b);
}

/* vm_lane_continue: a lane cut at sample n and started again there from
 * what it returns (a SET of v0, then the rest) has the values of the whole
 * lane from n on: within 1e-9 relative for every ramp shape that goes on
 * exactly (linear, amplitude, equal power, exponential) and a target;
 * within 1e-4 dB for an S-curve through 1024 of its values; within one
 * sample's slope (0.02 dB) for a curve whose points it takes on (its
 * corners move by less than a sample); v0 is the value before the events
 * at n, and a lane holding returns 0. */
static void test_continue(void)
{
    static const double pts[] = {-3, 2, -8, 0, 4};
    struct {
        const char *name;
        vm_event ev;
        int want_rc;
        double tol;
    } cases[] = {
        {"linear", ev_ramp(1000, 4000, -20, VM_SHAPE_LINEAR), 1, 1e-9},
        {"amplitude", ev_ramp(1000, 4000, -20, VM_SHAPE_AMPLITUDE), 1, 1e-9},
        {"equal power", ev_ramp(1000, 4000, -20, VM_SHAPE_EQUAL_POWER), 1, 1e-9},
        {"exponential", ev_ramp(1000, 4000, -20, VM_SHAPE_EXPONENTIAL), 1, 1e-9},
        {"target", ev_target(1000, -20, 700), 1, 1e-9},
        {"s-curve", ev_ramp(1000, 4000, -20, VM_SHAPE_S_CURVE), 2, 1e-4},
        {"curve", ev_curve(1000, 4000, pts, 5), 2, 0.02},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vm_lane *whole = vm_lane_new(VM_LANE_DB, -6);
        add(whole, cases[i].ev);
        add(whole, ev_set(9000, 1)); /* a later event: stays where it is */
        finish(whole);
        int64_t n = 2345;
        double v0, points[1024];
        vm_event rest[2];
        int nrest = 0;
        int rc = vm_lane_continue(whole, n, &v0, rest, &nrest, points, 1024);
        char label[120];
        snprintf(label, sizeof label, "continue a %s at sample %lld: %s", cases[i].name, (long long)n,
                 cases[i].want_rc == 1 ? "the same move" : "through points");
        check(rc == cases[i].want_rc && nrest >= 1 && rest[0].at == n, label, "rc %d, %d events, at %lld", rc,
              nrest, (long long)rest[0].at);
        vm_lane *cut = vm_lane_new(VM_LANE_DB, 0);
        add(cut, ev_set(n, v0));
        for (int k = 0; k < nrest; k++)
            add(cut, rest[k]);
        add(cut, ev_set(9000, 1));
        finish(cut);
        double worst = 0;
        for (int64_t k = n; k < 10000; k += 7) {
            double a = vm_lane_value(whole, k), b = vm_lane_value(cut, k);
            double err = cases[i].want_rc == 1 ? fabs(a - b) / (fabs(a) > 1 ? fabs(a) : 1) : fabs(a - b);
            worst = err > worst ? err : worst;
        }
        snprintf(label, sizeof label, "continue a %s: the cut lane = the whole from there on", cases[i].name);
        check(worst <= cases[i].tol, label, "worst difference %g (tolerance %g)", worst, cases[i].tol);
        vm_lane_free(&whole);
        vm_lane_free(&cut);
    }
    /* holding: 0, and v0 the value before the events at n */
    vm_lane *l = vm_lane_new(VM_LANE_PLAIN, 0.25);
    add(l, ev_set(100, 0.5));
    add(l, ev_set(200, 0.75));
    finish(l);
    double v0 = -1;
    vm_event rest[2];
    double points[2];
    int nrest = -1;
    int rc = vm_lane_continue(l, 200, &v0, rest, &nrest, points, 2);
    check(rc == 0 && nrest == 0 && v0 == 0.5, "continue at an event: holds, v0 is the value before it", "rc %d v0 %g",
          rc, v0);
    rc = vm_lane_continue(l, 50, &v0, rest, &nrest, points, 2);
    check(rc == 0 && v0 == 0.25, "continue before the first event: the base", "rc %d v0 %g", rc, v0);
    vm_lane_free(&l);
}

int main(void)
{
    test_continue();
    test_span();
    test_reserve();
    test_values_in_span();
    test_value_toward();
    test_base();
    test_set();
    test_ramps();
    test_target();
    test_curve();
    test_continuity();
    test_same_sample_and_order();
    test_gain_and_flags();
    test_block_independence();
    test_dense();
    test_errors();
    test_breakpoints();
    return check_exit();
}
