/* test_insert_params.c - the insert parameter tables (vm/insert_params.h)
 * and the places that read them agree: each kind's lanes are 0..n-1 once
 * each and its rows point at distinct doubles and moves inside
 * vm_insert_desc; where a kernel judges the settings (dynamics, limiter)
 * a row's range is exactly the kernel's (its ends pass dsp_X_check, the
 * next doubles outside fail); a script that moves every row of an eq, a
 * compressor, a limiter, a transient shaper, a delay, a stereo width, a
 * convolution reverb, a reverb and a bit crusher gets one automation lane per
 * row, named STRIP.<param><n>.<row> in lane order, with the value it set;
 * the REPL's names for the inserts are the rows in table order, and each
 * reads the row's static field and sets it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/bitcrush.h"
#include "dsp/delay.h"
#include "dsp/reverb.h"
#include "dsp/stereo.h"
#include "dsp/ducker.h"
#include "dsp/dynamics.h"
#include "dsp/transient.h"
#include "tests/check.h"
#include "tests/unit/render_util.h"

#include "vm/insert_params.h"
#include "vm/liveset.h"
#include "vm/ops.h"

static const vm_insert_kind kinds[] = {VM_INSERT_EQ, VM_INSERT_DYNAMICS, VM_INSERT_LIMITER, VM_INSERT_TRANSIENT,
                                       VM_INSERT_DELAY, VM_INSERT_WIDTH, VM_INSERT_CONVOLVE, VM_INSERT_REVERB,
                                       VM_INSERT_BITCRUSH, VM_INSERT_SATURATE};
#define NKINDS 10

/* the convolution reverb's IR (a unit impulse) */
static double unit_impulse(int i, int c) { (void)c; return i == 0; }

/* A value every consumer accepts for row sp: inside its range, finite. */
static double mid(const vm_insert_param_spec *sp)
{
    return isinf(sp->hi) ? sp->lo + 3 : sp->lo + (sp->hi - sp->lo) * 0.25;
}

static void test_tables(void)
{
    char name[200];
    for (int k = 0; k < NKINDS; k++) {
        const vm_insert_params *t = vm_insert_params_of(kinds[k]);
        const char *word = op_class_of_insert(kinds[k])->param;
        int lanes_ok = t->nparams > 0 && t->nparams <= VM_INSERT_MAX_PARAMS, places_ok = 1, ranges_ok = 1;
        for (int i = 0; i < t->nparams; i++) {
            const vm_insert_param_spec *sp = &t->params[i];
            lanes_ok &= vm_insert_param_at(kinds[k], i) != NULL && vm_insert_param_find(kinds[k], sp->name) == sp;
            ranges_ok &= sp->lo < sp->hi;
            places_ok &= sp->value_offset + sizeof(double) <= sizeof(vm_insert_desc) &&
                         sp->moves_offset + sizeof(vm_param_desc) <= sizeof(vm_insert_desc);
            for (int j = 0; j < i; j++)
                places_ok &= t->params[j].value_offset != sp->value_offset &&
                             t->params[j].moves_offset != sp->moves_offset && t->params[j].lane != sp->lane;
        }
        snprintf(name, sizeof name, "%s: lanes 0..%d once each, names unique", word, t->nparams - 1);
        check(lanes_ok, name, "a lane is missing or a name found another row");
        snprintf(name, sizeof name, "%s: every row its own value and moves inside vm_insert_desc", word);
        check(places_ok, name, "two rows share a field or one points outside");
        snprintf(name, sizeof name, "%s: every range lo < hi", word);
        check(ranges_ok, name, "an empty range");
    }
    check(vm_insert_params_of(VM_INSERT_DUCK)->nparams == 0, "duck insert: no rows (STRIP.duck.* are the rule's)",
          "it has %d", vm_insert_params_of(VM_INSERT_DUCK)->nparams);
    /* the dynamics rows rebased onto dsp_dyn_params are the kernel's fields */
    dsp_dyn_params y;
    check(vm_dyn_param_field(&y, VM_DYN_THRESHOLD) == &y.threshold_db && vm_dyn_param_field(&y, VM_DYN_RATIO) == &y.ratio &&
              vm_dyn_param_field(&y, VM_DYN_MAKEUP) == &y.makeup_db && vm_dyn_param_field(&y, VM_DYN_HOLD) == &y.hold_s,
          "vm_dyn_param_field: lanes land on dsp_dyn_params' fields", "a lane lands elsewhere");
}

/* Where a kernel judges the settings, the row's range is the kernel's. */
static void test_kernel_ranges(const vm_desc *d)
{
    char name[200], msg[300];
    for (int i = 0; i < d->strips[0].ninserts; i++) {
        const vm_insert_desc *e0 = &d->strips[0].inserts[i];
        const vm_insert_params *t = vm_insert_params_of(e0->kind);
        if (!t->check)
            continue;
        for (int r = 0; r < t->nparams; r++) {
            const vm_insert_param_spec *sp = &t->params[r];
            vm_insert_desc e = *e0;
            double *v = vm_insert_param_value(&e, sp);
            int ends = 1, outside = 1;
            *v = sp->lo, ends &= t->check(&e, msg, sizeof msg) == 0;
            *v = sp->hi, ends &= t->check(&e, msg, sizeof msg) == 0;
            *v = nextafter(sp->lo, -INFINITY), outside &= t->check(&e, msg, sizeof msg) != 0;
            if (!isinf(sp->hi))
                *v = nextafter(sp->hi, INFINITY), outside &= t->check(&e, msg, sizeof msg) != 0;
            snprintf(name, sizeof name, "%s.%s: %g to %g%s%s is the kernel's range", op_class_of_insert(e.kind)->param,
                     sp->name, sp->lo, sp->hi, sp->unit[0] ? " " : "", sp->unit);
            check(ends && outside, name, "ends accepted: %d, just outside refused: %d", ends, outside);
        }
    }
}

/* The channel limits each kind's entry declares are its kernel's arrays'
 * sizes (dsp/), and an order-2 eq (one multi-channel biquad) is the one
 * variant with its own limit. */
static void test_channel_limits(void)
{
    vm_insert_desc e = {.kind = VM_INSERT_EQ, .order = 2};
    const char *variant = NULL;
    int eq2 = vm_insert_max_channels(&e, &variant);
    int eq2_ok = eq2 == DSP_BIQUAD_MULTI_MAX && variant && strcmp(variant, "second-order") == 0;
    e.order = 4;
    int eq4 = vm_insert_max_channels(&e, &variant);
    check(eq2_ok && eq4 == VM_MAX_CHANNELS && !variant && vm_insert_max_key_channels(&e) == 0,
          "limits: an order-2 eq takes DSP_BIQUAD_MULTI_MAX channels ('second-order'), other orders VM_MAX_CHANNELS",
          "order 2: %d, order 4: %d", eq2, eq4);
    static const struct { vm_insert_kind kind; int audio, key; } want[] = {
        {VM_INSERT_DYNAMICS, DSP_DYN_MAX_CHANNELS, DSP_DYN_MAX_CHANNELS},
        {VM_INSERT_LIMITER, VM_MAX_CHANNELS, 0},
        {VM_INSERT_TRANSIENT, DSP_TRANSIENT_MAX_CHANNELS, 0},
        {VM_INSERT_DELAY, DSP_DELAY_MAX_CHANNELS, 0},
        {VM_INSERT_REVERB, DSP_REVERB_MAX_CHANNELS, 0},
        {VM_INSERT_DUCK, DSP_DUCKER_MAX_CHANNELS, DSP_DUCKER_MAX_CHANNELS},
        {VM_INSERT_WIDTH, 2, 0},
        {VM_INSERT_MS, 2, 0},
        {VM_INSERT_POLARITY, DSP_CHMAP_MAX_CHANNELS, 0},
        {VM_INSERT_CHANNEL_MAP, DSP_CHMAP_MAX_CHANNELS, 0},
        {VM_INSERT_BITCRUSH, DSP_BITCRUSH_MAX_CHANNELS, 0},
    };
    int ok = 1, min_ok = 1;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        vm_insert_desc k = {.kind = want[i].kind};
        if (vm_insert_max_channels(&k, NULL) != want[i].audio || vm_insert_max_key_channels(&k) != want[i].key) {
            ok = 0;
            printf("# %s: %d/%d channels, want %d/%d\n", vm_insert_noun(&k), vm_insert_max_channels(&k, NULL),
                   vm_insert_max_key_channels(&k), want[i].audio, want[i].key);
        }
        /* a stereo width and a mid-side matrix take exactly two; the rest from one */
        int stereo = want[i].kind == VM_INSERT_WIDTH || want[i].kind == VM_INSERT_MS;
        min_ok &= vm_insert_min_channels(&k) == (stereo ? 2 : 1);
    }
    check(ok, "limits: each kind's entry declares its kernel's channel limits (audio, key)", "a limit differs");
    check(min_ok, "limits: a stereo width and a mid-side matrix take at least 2 channels, the others 1",
          "a minimum differs");
    check(DSP_CHMAP_MAX_CHANNELS >= VM_MAX_CHANNELS, "limits: a channel map takes every channel a strip can have",
          "DSP_CHMAP_MAX_CHANNELS %d < VM_MAX_CHANNELS %d", DSP_CHMAP_MAX_CHANNELS, VM_MAX_CHANNELS);
    /* a convolution reverb: a mono IR on any strip, a stereo or true-stereo IR on 2 channels exactly */
    vm_insert_desc cv = {.kind = VM_INSERT_CONVOLVE, .conv = {.info = {.channels = 1}}};
    int mono = vm_insert_max_channels(&cv, &variant) == VM_MAX_CHANNELS && !variant && vm_insert_min_channels(&cv) == 1;
    cv.conv.info.channels = 2;
    int st = vm_insert_max_channels(&cv, &variant) == 2 && variant && strcmp(variant, "stereo-IR") == 0 &&
             vm_insert_min_channels(&cv) == 2;
    cv.conv.info.channels = 4;
    int ts = vm_insert_max_channels(&cv, &variant) == 2 && variant && strcmp(variant, "true-stereo") == 0 &&
             vm_insert_min_channels(&cv) == 2 && vm_insert_max_key_channels(&cv) == 0;
    check(mono && st && ts, "limits: a convolution reverb's mono IR takes 1 to VM_MAX_CHANNELS, a stereo (stereo-IR) "
          "and a true-stereo one exactly 2", "mono %d, stereo %d, true stereo %d", mono, st, ts);
}

/* The constructors (t:eq, t:transient, t:delay, t:width, t:convolve, t:reverb, t:bitcrush, t:saturate) accept each row's range, lo and hi
 * included, and refuse just outside it with a message naming the range: the
 * same range the REPL's set and the script's moves accept. */
static void test_constructor_ranges(void)
{
    static const struct { vm_insert_kind kind; const char *fmt; int channels; } ctor[] = {
        {VM_INSERT_EQ, "t:eq { \"peak\", freq = 1000, %s = %.17g }", 1},
        {VM_INSERT_TRANSIENT, "t:transient { %s = %.17g }", 1},
        {VM_INSERT_DELAY, "t:delay { time = 0.5, %s = %.17g }", 1}, /* time = X: the later field wins */
        {VM_INSERT_WIDTH, "t:width { %s = %.17g }", 2},
        {VM_INSERT_CONVOLVE, "t:convolve { \"ir.wav\", %s = %.17g }", 1},
        {VM_INSERT_REVERB, "t:reverb { %s = %.17g }", 2},
        {VM_INSERT_BITCRUSH, "t:bitcrush { %s = %.17g }", 1},
        {VM_INSERT_SATURATE, "t:saturate { %s = %.17g }", 1},
    };
    int ok = 1, n = 0;
    for (size_t c = 0; c < sizeof ctor / sizeof ctor[0]; c++) {
        const vm_insert_params *t = vm_insert_params_of(ctor[c].kind);
        for (int r = 0; r < t->nparams; r++) {
            const vm_insert_param_spec *sp = &t->params[r];
            double probe[4] = {sp->lo, sp->hi, sp->lo - fabs(sp->lo) * 0.01 - 0.01, sp->hi + fabs(sp->hi) * 0.01 + 0.01};
            /* a gain row (a width's mid, side) takes the faders' rule: below
             * its floor is silence, accepted; above +24 dB is refused */
            int gain = sp->lo == VM_LANE_DB_SILENCE;
            for (int i = 0; i < 4; i++, n++) {
                char body[400], call[200], err[DS_ERR_LEN] = "", range[80];
                snprintf(call, sizeof call, ctor[c].fmt, sp->name, probe[i]);
                snprintf(body, sizeof body, "session { rate = 96000, length = 0.1 }\nlocal t = track \"T\" "
                         "{ channels = %d }\n%s\noutput { \"out.wav\", from = t }\n", ctor[c].channels, call);
                snprintf(range, sizeof range, gain ? "up to +%g dB" : "(%g to %g)", gain ? sp->hi : sp->lo, sp->hi);
                ds_result res = load_and_compile(body, err);
                int good = i < 2 || (gain && i == 2) ? res == DS_OK : res != DS_OK && strstr(err, range) != NULL;
                if (!good) {
                    ok = 0;
                    printf("# %s: %s\n", call, res == DS_OK ? "accepted" : err);
                }
            }
        }
    }
    check(ok && n == 96, "constructors: t:eq, t:transient, t:delay, t:width, t:convolve, t:reverb, t:bitcrush and t:saturate "
          "accept each "
          "row's range and refuse "
          "outside it",
          "%d probes", n);
}

int main(void)
{
    if (scratch_open("test-insert-params") != 0)
        return 2;
    write_wav("ir.wav", 48000, 1, 1, unit_impulse);
    test_tables();
    test_channel_limits();
    test_constructor_ranges();

    /* one insert of each kind, every row moved at 0.1 s to mid(row) */
    char script[8192], line[300];
    snprintf(script, sizeof script, "session { rate = 48000, length = 0.5 }\nlocal t = track \"T\" { channels = 2 }\n"
             "local i = { t:eq { \"peak\", freq = 1000, gain = 3, q = 1 }, t:compressor { threshold = -20, ratio = 4 },\n"
             "  t:limiter { ceiling = -1 }, t:transient { attack = 3 }, t:delay { time = 0.25 },\n"
             "  t:width { width = 1.5 }, t:convolve { \"ir.wav\" }, t:reverb { }, t:bitcrush { bits = 12 },\n"
             "  t:saturate { clip = -12, mix = 50 } }\n");
    for (int k = 0; k < NKINDS; k++) {
        const vm_insert_params *t = vm_insert_params_of(kinds[k]);
        for (int r = 0; r < t->nparams; r++) {
            snprintf(line, sizeof line, "i[%d].%s:set { at = 0.1, to = %.17g }\n", k + 1, t->params[r].name,
                     mid(&t->params[r]));
            strcat(script, line);
        }
    }
    strcat(script, "output { \"out.wav\", from = t }\n");
    vm_desc d;
    vm_auto_list list;
    char err[DS_ERR_LEN], want[200];
    vm_desc_init(&d);
    if (!check(collect_lanes(script, &d, &list, err) == DS_OK, "a script moving every row loads", "%s", err))
        goto out;
    test_kernel_ranges(&d);

    /* automation: one lane per row, in lane order, with the value set and
     * the unit docs/language.md gives the setting (written out here, not
     * read from the table: `dubstage automation` printed "Q" for a gate's
     * hold and "dB" for its attack when it guessed units from names) */
    static const struct { const char *lane, *unit; } units[] = {
        {"eq1.freq", "Hz"}, {"eq1.gain", "dB"}, {"eq1.q", "Q"},
        {"dyn2.threshold", "dB"}, {"dyn2.ratio", "ratio"}, {"dyn2.knee", "dB"}, {"dyn2.attack", "s"},
        {"dyn2.release", "s"}, {"dyn2.hold", "s"}, {"dyn2.makeup", "dB"}, {"dyn2.range", "dB"},
        {"lim3.ceiling", "dBTP"}, {"lim3.release", "s"}, {"shape4.attack", "dB"}, {"shape4.sustain", "dB"},
        {"delay5.time", "s"}, {"delay5.feedback", "%"}, {"delay5.mix", "%"}, {"delay5.lowpass", "Hz"},
        {"delay5.highpass", "Hz"}, {"width6.width", "width"}, {"width6.mid", "dB"}, {"width6.side", "dB"},
        {"conv7.mix", "%"}, {"conv7.gain", "dB"},
        {"reverb8.rt60", "s"}, {"reverb8.damping", "x rt60"}, {"reverb8.damping_freq", "Hz"},
        {"reverb8.width", "width"}, {"reverb8.mix", "%"}, {"crush9.bits", "bits"}, {"crush9.rate", "Hz"},
        {"saturate10.clip", "dBFS"}, {"saturate10.mix", "%"},
    };
    int units_ok = 1, units_seen = 0;
    for (int i = 0; i < list.n; i++)
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
            if (strcmp(list.lanes[i].name + 2, units[u].lane) == 0) {
                units_seen++;
                if (!list.lanes[i].unit || strcmp(list.lanes[i].unit, units[u].unit) != 0) {
                    units_ok = 0;
                    printf("# %s: unit '%s', want '%s'\n", list.lanes[i].name,
                           list.lanes[i].unit ? list.lanes[i].unit : "(null)", units[u].unit);
                }
            }
    check(units_ok && units_seen == (int)(sizeof units / sizeof units[0]),
          "automation: every lane's unit is the setting's (s for attack/release/hold/time, Q, ratio, dBTP, Hz, dB, %)",
          "%d of %d lanes found", units_seen, (int)(sizeof units / sizeof units[0]));

    /* automation: one lane per row, in lane order, with the value set */
    int at = 0, names_ok = 1, values_ok = 1;
    for (int k = 0; k < NKINDS; k++) {
        const vm_insert_params *t = vm_insert_params_of(kinds[k]);
        for (int lane = 0; lane < t->nparams; lane++, at++) {
            const vm_insert_param_spec *sp = vm_insert_param_at(kinds[k], lane);
            snprintf(want, sizeof want, "T.%s%d.%s", op_class_of_insert(kinds[k])->param, k + 1, sp->name);
            if (at >= list.n || strcmp(list.lanes[at].name, want) != 0) {
                names_ok = 0;
                printf("# lane %d: got '%s', want '%s'\n", at, at < list.n ? list.lanes[at].name : "(none)", want);
                continue;
            }
            values_ok &= vm_auto_value(&list.lanes[at], 24000) == mid(sp);
        }
    }
    check(names_ok && list.n == at, "automation: one lane per row, STRIP.<param><n>.<row> in lane order",
          "%d lanes for %d rows", list.n, at);
    check(values_ok, "automation: each lane holds the value its row was set to", "a lane reads another value");

    /* the REPL: the insert names are the rows in table order; get and set
     * reach the row's static field */
    char **names = vm_liveset_names(&d);
    int n0 = 0;
    while (names && names[n0] && strncmp(names[n0], "T.", 2) == 0 && !strstr(names[n0], "eq1."))
        n0++; /* the strip's own fields first */
    int live_names = names != NULL, live_get = 1, live_set = 1;
    for (int k = 0, at2 = n0; k < NKINDS && live_names; k++) {
        vm_insert_desc *e = &d.strips[0].inserts[k];
        const vm_insert_params *t = vm_insert_params_of(kinds[k]);
        for (int r = 0; r < t->nparams; r++, at2++) {
            const vm_insert_param_spec *sp = &t->params[r];
            snprintf(want, sizeof want, "T.%s%d.%s", op_class_of_insert(kinds[k])->param, k + 1, sp->name);
            if (!names[at2] || strcmp(names[at2], want) != 0) {
                live_names = 0;
                break;
            }
            live_get &= vm_liveget(&d, want) == *vm_insert_param_value(e, sp);
            double v = sp->lo + (isinf(sp->hi) ? 1 : (sp->hi - sp->lo) * 0.5);
            live_set &= vm_liveset(&d, want, v, err) == DS_OK && *vm_insert_param_value(e, sp) == v;
        }
    }
    free(names);
    check(live_names, "repl: insert names are the rows, in table order", "a name differs");
    check(live_get, "repl: get reads the row's static field", "a value differs");
    check(live_set, "repl: set writes the row's static field", "%s", err);
out:
    vm_automation_free(&list);
    vm_desc_free(&d);
    scratch_close();
    return check_exit();
}
