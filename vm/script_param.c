/* script_param.c - automatable parameters (t.gain, eq.freq, vca.gain, ...):
 * their names, the values each takes, and their moves (set, ramp, target,
 * curve, moves) checked the way the compiler will read them. */
#include "vm/script_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/insert_params.h"
#include "vm/path.h"
#include "vm/suggest.h"

/* What values a parameter takes (and how its lane reads them). */
typedef enum { CLS_PAN, CLS_GAIN_DB, CLS_INSERT, CLS_MUTE, CLS_SURROUND } param_class;
/* CLS_INSERT: an insert's setting, in its row's range (vm/insert_params.c)
 * or by its kernel's rule; CLS_MUTE: a switch, true or false (stored as 1
 * or 0); CLS_SURROUND: a surround panner setting in its range
 * (vm/surround_params.c; the LFE send is CLS_GAIN_DB). */

/* The row of insert parameter p (PARAM_INSERT). */
static const vm_insert_param_spec *insert_spec(lua_State *L, const param_ref *p)
{
    const vm_insert_desc *e = &script_get_ctx(L)->desc->strips[p->owner].inserts[p->clip];
    return vm_insert_param_at(e->kind, p->lane);
}

const char *script_dyn_mode_name(dsp_dyn_mode m)
{
    vm_insert_desc e = {.kind = VM_INSERT_DYNAMICS, .dyn.mode = m};
    return vm_insert_noun(&e);
}

void script_push_param(lua_State *L, int kind, int owner, int clip)
{
    param_ref *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->kind = (param_kind)kind;
    p->owner = owner;
    p->clip = clip;
    p->lane = 0;
    luaL_setmetatable(L, PARAM_MT);
}

void script_push_insert_param(lua_State *L, int strip, int index, int lane)
{
    script_push_param(L, PARAM_INSERT, strip, index);
    ((param_ref *)lua_touserdata(L, -1))->lane = lane;
}

/* name (n bytes; none when n is 0), class (CLS_*) and the description of p */
#define NAME(...) (n ? snprintf(name, n, __VA_ARGS__) : 0)
static vm_param_desc *param_lookup(lua_State *L, const param_ref *p, char *name, size_t n, int *cls)
{
    vm_desc *d = script_get_ctx(L)->desc;
    *cls = p->kind == PARAM_STRIP_PAN ? CLS_PAN : p->kind == PARAM_INSERT ? CLS_INSERT
           : p->kind == PARAM_STRIP_MUTE || p->kind == PARAM_GROUP_MUTE ? CLS_MUTE
           : p->kind == PARAM_STRIP_SURROUND && !vm_surround_params[p->lane].is_db ? CLS_SURROUND : CLS_GAIN_DB;
    switch (p->kind) {
    case PARAM_INSERT: {
        vm_strip_desc *s = &d->strips[p->owner];
        vm_insert_desc *e = &s->inserts[p->clip];
        const vm_insert_param_spec *sp = vm_insert_param_at(e->kind, p->lane);
        /* "eq 2 (peak)", "compressor 1", "limiter 3", "transient shaper 1" */
        const char *noun = vm_insert_noun(e);
        if (e->kind == VM_INSERT_EQ)
            NAME("%s '%s' %s %d (%s) %s", script_kind_name(s), s->name, noun, p->clip + 1, vm_eq_type_name(e->type),
                 sp->name);
        else
            NAME("%s '%s' %s %d %s", script_kind_name(s), s->name, noun, p->clip + 1, sp->name);
        /* the static value may be kept apart from the moves (a dynamics
         * insert's in dyn): mirrored here for the checks of add_event and
         * for .value */
        vm_param_desc *moves = vm_insert_param_moves(e, sp);
        moves->value = *vm_insert_param_value(e, sp);
        return moves;
    }
    case PARAM_STRIP_MUTE: {
        vm_strip_desc *s = &d->strips[p->owner];
        NAME("%s '%s' mute", script_kind_name(s), s->name);
        s->mutep.value = s->mute;
        return &s->mutep;
    }
    case PARAM_GROUP_MUTE: {
        vm_mute_group_desc *m = &d->mute_groups[p->owner];
        NAME("mute group '%s' mute", m->name);
        m->mutep.value = m->mute;
        return &m->mutep;
    }
    case PARAM_STRIP_GAIN:
    case PARAM_STRIP_TRIM:
    case PARAM_STRIP_PAN: {
        vm_strip_desc *s = &d->strips[p->owner];
        const char *w = p->kind == PARAM_STRIP_GAIN ? "gain" : p->kind == PARAM_STRIP_TRIM ? "trim" : "pan";
        NAME("%s '%s' %s", script_kind_name(s), s->name, w);
        return p->kind == PARAM_STRIP_GAIN ? &s->gain : p->kind == PARAM_STRIP_TRIM ? &s->trim : &s->pan;
    }
    case PARAM_STRIP_SURROUND: {
        vm_strip_desc *s = &d->strips[p->owner];
        NAME("%s '%s' %s", script_kind_name(s), s->name, vm_surround_params[p->lane].name);
        return &s->surround[p->lane];
    }
    case PARAM_CLIP_GAIN: {
        vm_clip_desc *k = &d->strips[p->owner].clips[p->clip];
        NAME("gain of clip '%s' on track '%s'", vm_path_basename(k->path), d->strips[p->owner].name);
        return &k->gain;
    }
    case PARAM_VCA_GAIN:
        NAME("vca '%s' gain", d->vcas[p->owner].name);
        return &d->vcas[p->owner].gain;
    case PARAM_SEND_LEVEL: {
        vm_strip_desc *s = &d->strips[p->owner];
        NAME("%s '%s' send %d to bus '%s' level", script_kind_name(s), s->name, p->clip + 1,
                 d->strips[s->sends[p->clip].dest].name);
        return &s->sends[p->clip].level;
    }
    }
    return NULL;
}
#undef NAME

/* param_lookup with the name from the context's cache when it has it */
static vm_param_desc *param_of(lua_State *L, const param_ref *p, char *name, size_t n, int *cls)
{
    script_ctx *c = script_get_ctx(L);
    unsigned slot = ((unsigned)p->kind * 31u + (unsigned)p->owner * 7u + (unsigned)p->clip + (unsigned)p->lane * 3u) % 16u;
    if (c->names[slot].valid && c->names[slot].kind == (int)p->kind && c->names[slot].owner == p->owner &&
        c->names[slot].clip == p->clip && c->names[slot].lane == p->lane) {
        size_t len = strlen(c->names[slot].name);
        len = len < n ? len : n - 1;
        memcpy(name, c->names[slot].name, len);
        name[len] = '\0';
        return param_lookup(L, p, NULL, 0, cls);
    }
    vm_param_desc *pd = param_lookup(L, p, name, n, cls);
    c->names[slot].kind = (int)p->kind, c->names[slot].owner = p->owner, c->names[slot].clip = p->clip;
    c->names[slot].lane = p->lane;
    snprintf(c->names[slot].name, sizeof c->names[slot].name, "%s", name);
    c->names[slot].valid = 1;
    return pd;
}

/* A value for parameter p (of class cls): numbers in range; -math.huge
 * (silence) for gains. */
static double param_value(lua_State *L, int idx, const char *key, const char *name, int cls, const param_ref *p)
{
    if (cls == CLS_MUTE) { /* a switch: true or false (1 or 0 as in a trims file) */
        if (lua_type(L, idx) == LUA_TBOOLEAN)
            return lua_toboolean(L, idx) ? 1.0 : 0.0;
        if (lua_type(L, idx) == LUA_TNUMBER && (lua_tonumber(L, idx) == 0 || lua_tonumber(L, idx) == 1))
            return lua_tonumber(L, idx);
        vm_script_error(L, "%s: %s must be true (muted) or false (got %s)", name, key,
                     lua_type(L, idx) == LUA_TNUMBER ? lua_tostring(L, idx) : luaL_typename(L, idx));
    }
    if (lua_type(L, idx) != LUA_TNUMBER)
        vm_script_error(L, "%s: '%s' must be a number (got %s)", name, key, luaL_typename(L, idx));
    double v = lua_tonumber(L, idx);
    switch ((param_class)cls) {
    case CLS_GAIN_DB:
        v = script_gain_db(L, v, name, key);
        break;
    case CLS_PAN:
        if (!(v >= -1 && v <= 1))
            vm_script_error(L, "%s: %s = %g is out of range (-1 = left to 1 = right)", name, key, v);
        break;
    case CLS_SURROUND:
        v = script_surround_value(L, p->lane, v, name, key);
        break;
    case CLS_INSERT: {
        /* the insert's settings with this one at v, checked by its row's
         * range or, when it has one, by the kernel's rule */
        vm_insert_desc e = script_get_ctx(L)->desc->strips[p->owner].inserts[p->clip];
        const vm_insert_param_spec *sp = vm_insert_param_at(e.kind, p->lane);
        const vm_insert_params *t = vm_insert_params_of(e.kind);
        if (e.kind == VM_INSERT_DYNAMICS && sp->lane == VM_DYN_RATIO && !(e.dyn.ratio < INFINITY))
            vm_script_error(L, "%s: a ratio of inf cannot move (give the %s a finite ratio, e.g. ratio = 100, to "
                         "automate it)", name, script_dyn_mode_name(e.dyn.mode));
        if (e.kind == VM_INSERT_DYNAMICS && sp->lane == VM_DYN_RATIO && v == INFINITY)
            vm_script_error(L, "%s: %s = inf: a moving ratio must be finite (1 or more; 100 is close to a limiter)",
                         name, key);
        if (sp->lo == VM_LANE_DB_SILENCE) /* a gain (a width's mid, side): the faders' rule */
            v = script_gain_db(L, v, name, key);
        *vm_insert_param_value(&e, sp) = v;
        char msg[300];
        if (!t->check && !(v >= sp->lo && v <= sp->hi)) {
            const char *sep = sp->unit[0] ? " " : "";
            vm_script_error(L, "%s: %s = %g%s%s is out of range (%g to %s%g%s%s)", name, key, v, sep, sp->unit, sp->lo,
                         sp->lo < 0 ? "+" : "", sp->hi, sep, sp->unit);
        }
        if (t->check && t->check(&e, msg, sizeof msg) != 0) {
            if (e.kind == VM_INSERT_LIMITER) {
                const char *range = strstr(msg, "(expected ");
                vm_script_error(L, "%s: %s = %g is out of range (%s", name, key, v, range ? range + 10 : msg);
            }
            script_words(msg);
            const char *range = strstr(msg, "out of range: ");
            vm_script_error(L, "%s: %s = %g is out of range: %s", name, key, v, range ? range + 14 : msg);
        }
        break;
    }
    case CLS_MUTE:
        break;
    }
    return v;
}

static void add_event(lua_State *L, vm_param_desc *pd, const vm_event *ev, const char *name, int cls)
{
    vm_event e = *ev;
    char err[DS_ERR_LEN];
    /* check it the way the compiler will (a lane knows the rules) */
    if (vm_lane_check(cls == CLS_GAIN_DB ? VM_LANE_DB : VM_LANE_PLAIN, &e, err) != DS_OK)
        vm_script_error(L, "%s: %s", name, err);
    pd->events = script_grow(L, pd->events, &pd->capevents, pd->nevents + 1, sizeof *pd->events);
    if (e.kind == VM_EV_CURVE) {
        double *pts = malloc((size_t)e.ncurve * sizeof *pts);
        if (!pts)
            vm_script_error(L, "out of memory");
        memcpy(pts, e.curve, (size_t)e.ncurve * sizeof *pts);
        e.curve = pts;
    }
    if (pd->nevents == 0)
        script_where(L, pd->where);
    pd->events[pd->nevents++] = e;
}

static vm_ramp_shape check_shape(lua_State *L, const char *word, const char *name)
{
    /* vm_ramp_shape order */
    static const char *const names[] = {"linear", "amplitude", "equal_power", "exponential", "s_curve", NULL};
    return (vm_ramp_shape)script_word(L, word, names, name, "ramp shape", "shapes");
}

/* One event from the table at idx. Its kind comes from `kind` (set, ramp,
 * target, curve) or, when kind is NULL, from its keys: values -> curve,
 * tau -> target, over -> ramp, otherwise set. */
static void event_from_table(lua_State *L, int idx, const char *kind, const param_ref *p)
{
    char name[300];
    int cls;
    vm_param_desc *pd = param_of(L, p, name, sizeof name, &cls);
    idx = lua_absindex(L, idx);
    if (cls == CLS_MUTE) { /* a switch: steps only (each one fades by itself) */
        static const char *const moving[] = {"over", "shape", "from", "tau", "values", NULL};
        int other = kind && strcmp(kind, "set") != 0;
        for (int i = 0; !other && moving[i]; i++) {
            other = lua_getfield(L, idx, moving[i]) != LUA_TNIL;
            lua_pop(L, 1);
        }
        if (other)
            vm_script_error(L, "%s: a mute switches on or off: mute:set { at = ..., to = true } (or false); it fades over "
                         "%g ms by itself", name, VM_MUTE_FADE_S * 1000);
        kind = "set";
    }
    static const char *const keys[] = {"at", "to", "over", "shape", "from", "tau", "values", NULL};
    script_check_keys(L, idx, name, keys, 0);
    if (!kind) {
        int has_values = lua_getfield(L, idx, "values") != LUA_TNIL;
        int has_tau = lua_getfield(L, idx, "tau") != LUA_TNIL;
        int has_over = lua_getfield(L, idx, "over") != LUA_TNIL;
        lua_pop(L, 3);
        kind = has_values ? "curve" : has_tau ? "target" : has_over ? "ramp" : "set";
    }
    vm_event e;
    memset(&e, 0, sizeof e);
    if (!script_opt_time(L, idx, "at", name, VM_TIME_POSITION, &e.at))
        vm_script_error(L, "%s: a move needs a time: at = \"01:00:10:00\" (or seconds, or cue \"name\")", name);
    if (e.at < 0) {
        char tc[64];
        vm_time_format(&script_get_ctx(L)->desc->tb, e.at, tc, sizeof tc);
        vm_script_error(L, "%s: at = %s is before the session start", name, tc);
    }
    if (strcmp(kind, "curve") == 0) {
        e.kind = VM_EV_CURVE;
        if (!script_opt_time(L, idx, "over", name, VM_TIME_DURATION, &e.duration))
            vm_script_error(L, "%s: a curve needs over = duration", name);
        if (lua_getfield(L, idx, "values") != LUA_TTABLE)
            vm_script_error(L, "%s: a curve needs values = { v1, v2, ... }", name);
        int n = (int)luaL_len(L, -1);
        double *pts = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *pts, 0); /* freed by Lua */
        for (int i = 0; i < n; i++) {
            lua_geti(L, -2, i + 1);
            pts[i] = param_value(L, -1, "values", name, cls, p);
            lua_pop(L, 1);
        }
        e.curve = pts;
        e.ncurve = n;
        add_event(L, pd, &e, name, cls);
        lua_pop(L, 2);
        return;
    }
    if (lua_getfield(L, idx, "to") == LUA_TNIL)
        vm_script_error(L, "%s: a %s needs to = value", name, kind);
    e.value = param_value(L, -1, "to", name, cls, p);
    lua_pop(L, 1);
    if (strcmp(kind, "set") == 0) {
        e.kind = VM_EV_SET;
    } else if (strcmp(kind, "target") == 0) {
        e.kind = VM_EV_TARGET;
        int64_t tau = 0;
        if (!script_opt_time(L, idx, "tau", name, VM_TIME_DURATION, &tau) || tau <= 0)
            vm_script_error(L, "%s: a target needs tau = time constant greater than zero (seconds)", name);
        e.tau = (double)tau;
    } else {
        e.kind = VM_EV_RAMP;
        if (!script_opt_time(L, idx, "over", name, VM_TIME_DURATION, &e.duration))
            vm_script_error(L, "%s: a ramp needs over = duration", name);
        if (e.duration < 0)
            vm_script_error(L, "%s: over must not be negative", name);
        const char *sh = script_opt_string(L, idx, "shape", name);
        e.shape = sh ? check_shape(L, sh, name) : VM_SHAPE_LINEAR;
    }
    if (lua_getfield(L, idx, "from") != LUA_TNIL) { /* start the move from a stated value */
        vm_event set;
        memset(&set, 0, sizeof set);
        set.kind = VM_EV_SET;
        set.at = e.at;
        set.value = param_value(L, -1, "from", name, cls, p);
        add_event(L, pd, &set, name, cls);
    }
    lua_pop(L, 1);
    add_event(L, pd, &e, name, cls);
}

static int param_move(lua_State *L, const char *kind)
{
    param_ref *p = luaL_checkudata(L, 1, PARAM_MT);
    if (lua_type(L, 2) != LUA_TTABLE)
        return vm_script_error(L, "%s needs a table: p:%s { at = ..., %s }", kind, kind,
                          strcmp(kind, "curve") == 0 ? "over = ..., values = { ... }" : "to = ...");
    event_from_table(L, 2, kind, p);
    lua_settop(L, 1);
    return 1;
}

static int param_set(lua_State *L) { return param_move(L, "set"); }
static int param_ramp(lua_State *L) { return param_move(L, "ramp"); }
static int param_target(lua_State *L) { return param_move(L, "target"); }
static int param_curve(lua_State *L) { return param_move(L, "curve"); }

/* p:moves { { at = ..., to = ..., over = ... }, { at = ..., to = ... }, ... } */
static int param_moves(lua_State *L)
{
    param_ref *p = luaL_checkudata(L, 1, PARAM_MT);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 2);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, 2, i) != LUA_TTABLE)
            return vm_script_error(L, "moves: entry %d is a %s, not a table", (int)i, luaL_typename(L, -1));
        event_from_table(L, -1, NULL, p);
        lua_pop(L, 1);
    }
    lua_settop(L, 1);
    return 1;
}

static int param_index(lua_State *L)
{
    param_ref *p = luaL_checkudata(L, 1, PARAM_MT);
    const char *k = luaL_checkstring(L, 2);
    char name[300];
    int cls;
    vm_param_desc *pd = param_of(L, p, name, sizeof name, &cls);
    if (strcmp(k, "value") == 0 && cls == CLS_MUTE) lua_pushboolean(L, pd->value != 0);
    else if (strcmp(k, "value") == 0) lua_pushnumber(L, pd->value <= VM_LANE_DB_SILENCE && cls == CLS_GAIN_DB ? -HUGE_VAL : pd->value);
    else if (strcmp(k, "name") == 0) lua_pushstring(L, name);
    else if (strcmp(k, "events") == 0) lua_pushinteger(L, pd->nevents);
    else if (strcmp(k, "set") == 0) lua_pushcfunction(L, param_set);
    else if (strcmp(k, "ramp") == 0) lua_pushcfunction(L, param_ramp);
    else if (strcmp(k, "target") == 0) lua_pushcfunction(L, param_target);
    else if (strcmp(k, "curve") == 0) lua_pushcfunction(L, param_curve);
    else if (strcmp(k, "moves") == 0) lua_pushcfunction(L, param_moves);
    else {
        static const char *const names[] = {"value", "name", "events", "set", "ramp", "target", "curve", "moves", NULL};
        char mean[96];
        return vm_script_error(L, "%s has no field '%s'%s (fields: value, name, events; moves: set, ramp, target, "
                               "curve, moves)", name, k, script_did_you_mean(k, names, mean, sizeof mean));
    }
    return 1;
}

static int param_newindex(lua_State *L)
{
    param_ref *p = luaL_checkudata(L, 1, PARAM_MT);
    const char *k = luaL_checkstring(L, 2);
    char name[300];
    int cls;
    param_of(L, p, name, sizeof name, &cls);
    return vm_script_error(L, "cannot set '%s' on %s: write a move (p:set { at = ..., to = v }), or set the static "
                           "value on its owner (t.gain = v) or in the call that made it", k, name);
}

static int param_tostring(lua_State *L)
{
    param_ref *p = luaL_checkudata(L, 1, PARAM_MT);
    char name[300];
    int cls;
    vm_param_desc *pd = param_of(L, p, name, sizeof name, &cls);
    if (cls == CLS_MUTE) {
        lua_pushfstring(L, "%s = %s (%d move%s)", name, pd->value != 0 ? "true" : "false", pd->nevents,
                        pd->nevents == 1 ? "" : "s");
        return 1;
    }
    const char *unit = cls == CLS_GAIN_DB ? "dB" : p->kind == PARAM_INSERT ? insert_spec(L, p)->unit : "";
    lua_pushfstring(L, "%s = %f%s%s (%d move%s)", name, pd->value, unit[0] ? " " : "", unit, pd->nevents,
                    pd->nevents == 1 ? "" : "s");
    return 1;
}


const luaL_Reg script_param_methods[] = {
    {"__index", param_index}, {"__newindex", param_newindex}, {"__tostring", param_tostring}, {NULL, NULL}};
