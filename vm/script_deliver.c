/* script_deliver.c - deliver { }: a deliverable and the spec it is judged
 * against (vm/delivery.h, docs/delivery.md).
 *
 *   deliver { "out/PM.wav", from = pm, spec = "ebu-r128" }          a file, judged as written
 *   deliver { "out/PM.wav", from = pm, spec = "dialogue-27", dialogue = dx }
 *   deliver { pm, spec = "atsc-a85" }                                 a strip, judged on its signal
 *
 * A spec is a name from the standard library's dubstage.specs (found by
 * require, so a dubstage/specs.lua beside the script replaces it) or a
 * table of the same shape, checked here field by field. */
#include "vm/script_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/normalize.h"
#include "vm/suggest.h"

/* the spec table's own keys, then one per measure (vm_measures' keys) */
static const char *const spec_keys[] = {"name", "title", "note", "integrated", "dialogue", "true_peak",
                                        "loudness_range", "max_momentary", "max_short_term", NULL};
static const char *const limit_keys[] = {"target", "tolerance", "min", "max", "note", NULL};

/* The limits of measure m in the table at the top of the stack. */
static void read_limit(lua_State *L, vm_measure m, const char *spec_what, vm_spec_limit *l)
{
    const vm_measure_info *mi = &vm_measures[m];
    char what[300];
    snprintf(what, sizeof what, "%s %s (%s)", spec_what, mi->key, mi->unit);
    if (!lua_istable(L, -1))
        vm_script_error(L, "%s: %s must be a table of limits, such as %s = { max = %g } or { target = %g, "
                           "tolerance = 1 } (got %s)", spec_what, mi->key, mi->key, mi->hi < 0 ? mi->hi : -1.0,
                        mi->lo < 0 ? -23.0 : 10.0, luaL_typename(L, -1));
    int t = lua_gettop(L);
    script_check_keys(L, t, what, limit_keys, 0);
    script_opt_string(L, t, "note", what);
    double target = NAN, tolerance = NAN, lo = -INFINITY, hi = INFINITY;
    int has_target = script_opt_number(L, t, "target", what, mi->lo, mi->hi, &target);
    int has_tolerance = script_opt_number(L, t, "tolerance", what, 0, VM_SPEC_MAX_TOLERANCE, &tolerance);
    int has_min = script_opt_number(L, t, "min", what, mi->lo, mi->hi, &lo);
    int has_max = script_opt_number(L, t, "max", what, mi->lo, mi->hi, &hi);
    if (has_tolerance && !has_target)
        vm_script_error(L, "%s: tolerance = %g needs a target (target = ..., tolerance = %g: target +- %g %s)", what,
                        tolerance, tolerance, tolerance, mi->unit);
    if (has_target && !has_tolerance && !has_min && !has_max)
        vm_script_error(L, "%s: target = %g needs a tolerance or a min and max (tolerance = 1: %g +- 1 %s)", what,
                        target, target, mi->unit);
    if (has_tolerance) { /* the window is target +- tolerance, narrowed by min and max */
        lo = fmax(lo, target - tolerance);
        hi = fmin(hi, target + tolerance);
    }
    if (lo > hi)
        vm_script_error(L, "%s: no value can pass: the limits leave nothing between %g and %g", what, lo, hi);
    l->given = 1;
    l->judged = isfinite(lo) || isfinite(hi);
    l->target = target;
    l->min = lo;
    l->max = hi;
}

/* The spec table at idx into s (named name), every field checked. */
static void read_spec_table(lua_State *L, int idx, const char *name, vm_delivery_spec *s)
{
    char what[sizeof s->name + 16];
    vm_delivery_spec_init(s, name);
    snprintf(what, sizeof what, "spec '%s'", s->name);
    script_check_keys(L, idx, what, spec_keys, 0);
    script_opt_string(L, idx, "title", what);
    script_opt_string(L, idx, "note", what);
    int judged = 0;
    for (int m = 0; m < VM_MEASURE_COUNT; m++) {
        if (lua_getfield(L, idx, vm_measures[m].key) != LUA_TNIL) {
            read_limit(L, (vm_measure)m, what, &s->limit[m]);
            judged += s->limit[m].judged;
        }
        lua_pop(L, 1);
    }
    if (!judged)
        vm_script_error(L, "%s judges nothing: give at least one limit, such as true_peak = { max = -1 }", what);
}

/* The spec of name in the table at the top of the stack (dubstage.specs),
 * or an error naming the specs there with the closest one. */
static void named_spec(lua_State *L, const char *name, const char *what, vm_delivery_spec *s)
{
    int specs = lua_gettop(L);
    if (lua_getfield(L, specs, name) == LUA_TTABLE) {
        read_spec_table(L, lua_gettop(L), name, s);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    /* the names of the module's spec tables, sorted (pairs() has no order) */
    const char *names[64];
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, specs) && n < 63) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)) {
            const char *k = lua_tostring(L, -2);
            int at = n++;
            while (at > 0 && strcmp(names[at - 1], k) > 0) {
                names[at] = names[at - 1];
                at--;
            }
            names[at] = k;
        }
        lua_pop(L, 1);
    }
    names[n] = NULL;
    char mean[96], list[512];
    vm_script_error(L, "%s: unknown spec '%s'%s (specs: %s; or a table, docs/delivery.md)", what, name,
                    script_did_you_mean(name, names, mean, sizeof mean), script_join(names, list, sizeof list));
}

/* The `spec` field of the deliver table at idx into s. */
static void read_spec(lua_State *L, int idx, const char *what, vm_delivery_spec *s)
{
    int t = lua_getfield(L, idx, "spec");
    if (t == LUA_TSTRING) {
        const char *name = lua_tostring(L, -1);
        script_require(L, "dubstage.specs");
        if (!lua_istable(L, -1))
            vm_script_error(L, "%s: the module dubstage.specs did not return a table of specs", what);
        named_spec(L, name, what, s);
        lua_pop(L, 1);
    } else if (t == LUA_TTABLE) {
        char name[sizeof s->name], where[VM_WHERE_LEN];
        if (lua_getfield(L, -1, "name") == LUA_TSTRING) {
            snprintf(name, sizeof name, "%s", lua_tostring(L, -1));
        } else {
            script_where(L, where);
            snprintf(name, sizeof name, "table at %s", where);
        }
        lua_pop(L, 1);
        read_spec_table(L, lua_gettop(L), name, s);
    } else {
        vm_script_error(L, "%s needs a spec: spec = \"ebu-r128\" (a name from dubstage.specs) or a table of limits "
                           "(got %s)", what, t == LUA_TNIL ? "none" : luaL_typename(L, -1));
    }
    lua_pop(L, 1);
}

/* normalize = true: the output's normalize option (vm/normalize.h) aimed
 * at the spec's integrated target, under its true-peak maximum (the
 * normaliser's default ceiling when the spec has none). */
static void normalize_to_spec(lua_State *L, const vm_delivery_spec *s, const char *what, vm_normalize_desc *n)
{
    const vm_spec_limit *in = &s->limit[VM_MEASURE_INTEGRATED], *tp = &s->limit[VM_MEASURE_TRUE_PEAK];
    if (s->limit[VM_MEASURE_DIALOGUE].judged || isnan(in->target))
        vm_script_error(L, "%s: normalize = true aims the file's integrated loudness at its spec's integrated target, "
                           "and spec '%s' %s", what, s->name, isnan(in->target)
                               ? "gives none (a dialogue-anchored spec is met by the dialogue's own level)"
                               : "also judges the dialogue stem, which one gain on the file would not put right");
    if (!(in->target >= VM_NORMALIZE_LUFS_MIN && in->target <= VM_NORMALIZE_LUFS_MAX))
        vm_script_error(L, "%s: spec '%s' integrated target %g LUFS is out of the normaliser's range (%g to %g LUFS)",
                        what, s->name, in->target, VM_NORMALIZE_LUFS_MIN, VM_NORMALIZE_LUFS_MAX);
    double ceiling = isfinite(tp->max) ? tp->max : VM_NORMALIZE_TRUE_PEAK_DEFAULT;
    if (!(ceiling >= VM_NORMALIZE_TRUE_PEAK_MIN && ceiling <= VM_NORMALIZE_TRUE_PEAK_MAX))
        vm_script_error(L, "%s: spec '%s' true peak maximum %g dBTP is out of the normaliser's range (%g to %g dBTP)",
                        what, s->name, ceiling, VM_NORMALIZE_TRUE_PEAK_MIN, VM_NORMALIZE_TRUE_PEAK_MAX);
    n->on = 1;
    n->integrated_lufs = in->target;
    n->true_peak_dbtp = ceiling;
    n->stems = 1;
}

/* deliver { "FILE", from = strip, spec = ..., dialogue = strip, normalize = true, <output keys> }
 * deliver { strip, spec = ..., dialogue = strip } */
int script_deliver(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const own_keys[] = {"spec", "dialogue", "normalize"};
    static const char *const strip_keys[] = {"spec", "dialogue", "normalize", NULL};
    const char *file_keys[16];
    int nk = 0;
    for (int i = 0; script_output_keys[i]; i++)
        file_keys[nk++] = script_output_keys[i];
    for (int i = 0; i < 3; i++)
        file_keys[nk++] = own_keys[i];
    file_keys[nk] = NULL;

    vm_deliverable_desc dv = {.output = -1, .dialogue = -1};
    char what[PATH_MAX + 40];
    lua_geti(L, 1, 1);
    strip_ref *judged = luaL_testudata(L, -1, STRIP_MT);
    if (judged) {
        dv.strip = judged->index;
        snprintf(what, sizeof what, "deliver %s '%s'", script_kind_name(&d->strips[dv.strip]),
                 d->strips[dv.strip].name);
        script_check_keys(L, 1, "deliver", strip_keys, 1);
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        snprintf(what, sizeof what, "deliver '%s'", lua_tostring(L, -1));
        script_check_keys(L, 1, "deliver", file_keys, 1); /* before the output is made */
    } else {
        return vm_script_error(L, "deliver needs a file or a strip first: deliver { \"out/PM.wav\", from = pm, "
                                  "spec = \"ebu-r128\" } or deliver { pm, spec = \"ebu-r128\" } (got %s)",
                               luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    read_spec(L, 1, what, &dv.spec);
    if (lua_getfield(L, 1, "dialogue") != LUA_TNIL) {
        strip_ref *dx = luaL_testudata(L, -1, STRIP_MT);
        if (!dx)
            return vm_script_error(L, "%s: dialogue must be the dialogue stem, a bus or track (got %s)", what,
                                   luaL_typename(L, -1));
        dv.dialogue = dx->index;
    }
    lua_pop(L, 1);
    if (dv.spec.limit[VM_MEASURE_DIALOGUE].given && dv.dialogue < 0)
        return vm_script_error(L, "%s: spec '%s' measures the dialogue stem: give dialogue = the dialogue bus", what,
                               dv.spec.name);
    script_opt_bool(L, 1, "normalize", what, &dv.normalize);
    if (dv.normalize && judged)
        return vm_script_error(L, "%s: normalize = true applies a gain to a file: deliver { \"out/PM.wav\", from = "
                                  "%s, spec = ..., normalize = true }", what, d->strips[dv.strip].name);
    vm_normalize_desc norm = {0};
    if (dv.normalize)
        normalize_to_spec(L, &dv.spec, what, &norm);
    if (!judged) {
        dv.output = script_add_output(L, 1, "deliver", file_keys);
        dv.strip = d->outputs[dv.output].strip;
        d->outputs[dv.output].normalize = norm;
    }
    script_where(L, dv.where);
    d->deliverables = script_grow(L, d->deliverables, &d->capdeliverables, d->ndeliverables + 1,
                                  sizeof *d->deliverables);
    d->deliverables[d->ndeliverables++] = dv;
    return 0;
}
