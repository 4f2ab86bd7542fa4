/* script.c - the Lua bindings: the mix vocabulary (session, track, bus,
 * clip, output) and the sandbox a script runs in.
 *
 * Bindings follow Lua's own libraries (lauxlib style): arguments are checked
 * at the call and errors are raised with luaL_error at level 1, so they read
 * "mix.lua:12: ...". Everything a call creates is attached to the vm_desc
 * before anything that can raise, so a Lua error never leaks memory held in
 * a C frame. The desc is reached through a light userdata in the registry.
 */
#include "vm/script.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "dsp/transient.h"
#include "vm/liveset.h"
#include "vm/markers.h"
#include "vm/path.h"
#include "vm/suggest.h"

#define STRIP_MT "dubstage.strip"
#define CLIP_MT "dubstage.clip"

typedef struct {
    vm_desc *desc;
    const vm_script_opts *opts;
    char script_dir[PATH_MAX];   /* folder of the script, normalised */
    char out_root[PATH_MAX];     /* where outputs may go */
    int session_done;            /* session{} was called */
    int strips_made;             /* a track or bus exists: session{} is too late */
    /* parameters' names for messages, as param_of made them (a cache: a
     * script may move one parameter tens of thousands of times) */
    struct {
        int kind, owner, clip, valid;
        char name[300];
    } names[16];
} script_ctx;

typedef struct { int index; } strip_ref;
typedef struct { int strip, clip; } clip_ref;

static const char CTX_KEY = 'k';

/* luaL_error with C's printf formats (Lua's own lacks %g, %.3f, %lld) and
 * compile-time format checks; like luaL_error it prefixes "file:line:" of
 * the script line that called into C. Never returns. */
static int script_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int script_error(lua_State *L, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    luaL_where(L, 1);
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

static script_ctx *get_ctx(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
    script_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return c;
}

/* ---- helpers ---------------------------------------------------------- */

static void where_here(lua_State *L, char *out)
{
    luaL_where(L, 1);
    const char *w = lua_tostring(L, -1);
    size_t n = strlen(w);
    while (n > 0 && (w[n - 1] == ' ' || w[n - 1] == ':'))
        n--;
    snprintf(out, VM_WHERE_LEN, "%.*s", (int)n, w);
    lua_pop(L, 1);
}

static void *grow(lua_State *L, void *arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return arr;
    int ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(arr, (size_t)ncap * elem);
    if (!p)
        script_error(L, "out of memory");
    /* the spare capacity stays untouched (not resident): every caller fills
     * an element whole when it appends it */
    *cap = ncap;
    return p;
}

static char *dup_or_die(lua_State *L, const char *s)
{
    char *d = strdup(s);
    if (!d)
        script_error(L, "out of memory");
    return d;
}

/* Every key of the options table at idx must be in valid[] (or an integer
 * key up to max_positional). An unknown key is an error that names it and
 * suggests the closest valid one. */
static void check_keys(lua_State *L, int idx, const char *what, const char *const *valid, int max_positional)
{
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -1);
            int n = 0, ok = 0;
            for (; valid[n]; n++)
                if (strcmp(valid[n], k) == 0)
                    ok = 1;
            if (!ok) {
                char list[512] = "";
                size_t len = 0;
                for (int i = 0; i < n; i++)
                    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", valid[i]);
                const char *near = vm_suggest(k, valid, n);
                if (near)
                    script_error(L, "unknown option '%s' for %s; did you mean '%s'? (options: %s)", k, what, near, list);
                script_error(L, "unknown option '%s' for %s (options: %s)", k, what, list);
            }
        } else if (lua_isinteger(L, -1)) {
            lua_Integer i = lua_tointeger(L, -1);
            if (i < 1 || i > max_positional)
                script_error(L, "unexpected value at position %d in %s options", (int)i, what);
        } else {
            script_error(L, "unexpected %s key in %s options", luaL_typename(L, -1), what);
        }
    }
}

/* Field key of the table at idx as a number; returns 0 when absent. */
static int opt_number(lua_State *L, int idx, const char *key, const char *what, double lo, double hi, double *out)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_isnumber(L, -1))
        script_error(L, "bad value for '%s' in %s (number expected, got %s)", key, what, luaL_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (!(v >= lo && v <= hi))
        script_error(L, "%s: '%s' = %g is out of range (%g to %g)", what, key, v, lo, hi);
    *out = v;
    return 1;
}

static int opt_bool(lua_State *L, int idx, const char *key, const char *what, int *out)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TBOOLEAN)
        script_error(L, "bad value for '%s' in %s (true or false expected, got %s)", key, what, luaL_typename(L, -1));
    *out = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return 1;
}

static const char *opt_string(lua_State *L, int idx, const char *key, const char *what)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (t != LUA_TSTRING)
        script_error(L, "bad value for '%s' in %s (string expected, got %s)", key, what, luaL_typename(L, -1));
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* the string stays alive: the options table holds it */
    return s;
}

/* Converts the value at the top of the stack to samples (pops it). */
static int64_t to_time(lua_State *L, const char *key, const char *what, vm_time_kind kind)
{
    script_ctx *c = get_ctx(L);
    char err[DS_ERR_LEN];
    int64_t v = 0;
    ds_result r;
    if (lua_type(L, -1) == LUA_TNUMBER)
        r = vm_time_from_seconds(&c->desc->tb, lua_tonumber(L, -1), &v, err);
    else if (lua_type(L, -1) == LUA_TSTRING)
        r = vm_time_parse(&c->desc->tb, lua_tostring(L, -1), kind, &v, err);
    else
        return script_error(L, "bad value for '%s' in %s (time expected, got %s)", key, what, luaL_typename(L, -1));
    if (r != DS_OK)
        return script_error(L, "bad value for '%s' in %s: %s", key, what, err);
    lua_pop(L, 1);
    return v;
}

static int opt_time(lua_State *L, int idx, const char *key, const char *what, vm_time_kind kind, int64_t *out)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    *out = to_time(L, key, what, kind);
    return 1;
}

static void fmt_duration(const vm_desc *d, int64_t samples, char *buf, size_t n)
{
    snprintf(buf, n, "%.3f s", (double)samples / d->tb.rate);
}

/* ---- strips ----------------------------------------------------------- */

static strip_ref *check_strip(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, STRIP_MT);
}

static vm_strip_desc *strip_of(lua_State *L, int idx)
{
    strip_ref *r = check_strip(L, idx);
    return &get_ctx(L)->desc->strips[r->index];
}

static const char *kind_name(const vm_strip_desc *s)
{
    return s->kind == VM_STRIP_TRACK ? "track" : "bus";
}

static void push_strip(lua_State *L, int index)
{
    strip_ref *r = lua_newuserdatauv(L, sizeof *r, 0);
    r->index = index;
    luaL_setmetatable(L, STRIP_MT);
}

static void add_dest(lua_State *L, int from, int to_idx)
{
    vm_desc *d = get_ctx(L)->desc;
    vm_strip_desc *dst = &d->strips[to_idx];
    vm_strip_desc *src = &d->strips[from];
    if (dst->kind != VM_STRIP_BUS)
        script_error(L, "cannot route %s '%s' into track '%s': route into a bus", kind_name(src), src->name, dst->name);
    if (from == to_idx)
        script_error(L, "routing loop: bus '%s' feeds itself", src->name);
    for (int i = 0; i < src->ndests; i++)
        if (src->dests[i] == to_idx)
            return;
    src->dests = grow(L, src->dests, &src->capdests, src->ndests + 1, sizeof *src->dests);
    src->dests[src->ndests++] = to_idx;
}

/* value at idx: a strip or a list of strips */
static void route_value(lua_State *L, int from, int idx, const char *what)
{
    idx = lua_absindex(L, idx);
    if (luaL_testudata(L, idx, STRIP_MT)) {
        add_dest(L, from, ((strip_ref *)lua_touserdata(L, idx))->index);
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        script_error(L, "bad value for 'to' in %s (a bus or a list of buses expected, got %s)", what, luaL_typename(L, idx));
    lua_Integer n = luaL_len(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, idx, i);
        if (!luaL_testudata(L, -1, STRIP_MT))
            script_error(L, "bad value for 'to' in %s (entry %d is a %s, not a bus)", what, (int)i, luaL_typename(L, -1));
        add_dest(L, from, ((strip_ref *)lua_touserdata(L, -1))->index);
        lua_pop(L, 1);
    }
}

static void set_channels(lua_State *L, vm_strip_desc *s, double v)
{
    int ch = (int)v;
    if (ch != v)
        script_error(L, "%s '%s': channels must be a whole number (got %g)", kind_name(s), s->name, v);
    if (s->nclips > 0 && s->channels != ch)
        script_error(L, "%s '%s' already holds %d-channel clips; cannot make it %d channels", kind_name(s), s->name,
                   s->channels, ch);
    s->channels = ch;
}

static void check_pan(lua_State *L, const vm_strip_desc *s, double v)
{
    if (!(v >= -1 && v <= 1))
        script_error(L, "%s '%s': pan = %g is out of range (-1 = left to 1 = right)", kind_name(s), s->name, v);
}

static void check_gain(lua_State *L, const vm_strip_desc *s, double v)
{
    if (!(v >= -144 && v <= 24))
        script_error(L, "%s '%s': gain = %g dB is out of range (-144 to +24 dB)", kind_name(s), s->name, v);
}

/* track "NAME" { options } / bus "NAME" { options }: the call form */
static int strip_call(lua_State *L)
{
    strip_ref *r = check_strip(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    vm_desc *d = get_ctx(L)->desc;
    vm_strip_desc *s = &d->strips[r->index];
    char what[300];
    snprintf(what, sizeof what, "%s '%s'", kind_name(s), s->name);
    static const char *const keys[] = {"channels", "to", "gain", "trim", "pan", "mute", "solo", NULL};
    check_keys(L, 2, what, keys, 0);
    double v;
    if (opt_number(L, 2, "channels", what, 1, 64, &v))
        set_channels(L, s, v);
    if (opt_number(L, 2, "gain", what, -1e300, 1e300, &v)) {
        check_gain(L, s, v);
        s->gain.value = v;
    }
    if (opt_number(L, 2, "trim", what, -1e300, 1e300, &v)) {
        check_gain(L, s, v);
        s->trim.value = v;
    }
    if (opt_number(L, 2, "pan", what, -1e300, 1e300, &v)) {
        check_pan(L, s, v);
        s->pan.value = v;
    }
    opt_bool(L, 2, "mute", what, &s->mute);
    opt_bool(L, 2, "solo", what, &s->solo);
    if (lua_getfield(L, 2, "to") != LUA_TNIL)
        route_value(L, r->index, -1, what);
    lua_pop(L, 1);
    lua_settop(L, 1);
    return 1;
}

static int new_strip(lua_State *L, vm_strip_kind kind)
{
    script_ctx *c = get_ctx(L);
    vm_desc *d = c->desc;
    const char *name = luaL_checkstring(L, 1);
    if (!name[0])
        return script_error(L, "a %s needs a name", kind == VM_STRIP_TRACK ? "track" : "bus");
    int prev = vm_desc_find_strip(d, name);
    if (prev >= 0)
        return script_error(L, "a %s called '%s' already exists (made at %s); names must be unique",
                          kind_name(&d->strips[prev]), name, d->strips[prev].where);
    d->strips = grow(L, d->strips, &d->capstrips, d->nstrips + 1, sizeof *d->strips);
    vm_strip_desc *s = &d->strips[d->nstrips];
    memset(s, 0, sizeof *s);
    s->name = dup_or_die(L, name);
    d->nstrips++;
    s->kind = kind;
    s->channels = kind == VM_STRIP_BUS ? 2 : 0; /* a track takes its first clip's count */
    where_here(L, s->where);
    c->strips_made = 1;
    lua_settop(L, 2);
    push_strip(L, d->nstrips - 1);
    if (lua_istable(L, 2)) { /* track("X", {opts}) works like track "X" {opts} */
        lua_settop(L, 3);
        lua_replace(L, 1);
        return strip_call(L);
    }
    return 1;
}

static int l_track(lua_State *L) { return new_strip(L, VM_STRIP_TRACK); }
static int l_bus(lua_State *L) { return new_strip(L, VM_STRIP_BUS); }

/* strip:to(bus [, bus ...]) */
static int strip_to(lua_State *L)
{
    strip_ref *r = check_strip(L, 1);
    vm_strip_desc *s = strip_of(L, 1);
    char what[300];
    snprintf(what, sizeof what, "%s '%s'", kind_name(s), s->name);
    int n = lua_gettop(L);
    if (n < 2)
        return script_error(L, "%s:to() needs a bus", what);
    for (int i = 2; i <= n; i++)
        route_value(L, r->index, i, what);
    lua_settop(L, 1);
    return 1;
}

static vm_fade_curve check_curve(lua_State *L, const char *word, const char *key)
{
    static const char *const names[] = {"linear", "equal_power", "s_curve", "exponential", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(word, names[i]) == 0)
            return (vm_fade_curve)i;
    const char *near = vm_suggest(word, names, 4);
    script_error(L, "bad value for '%s' in clip: unknown fade curve '%s'%s%s%s (curves: linear, equal_power, s_curve, exponential)",
               key, word, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    return VM_FADE_LINEAR;
}

/* track:clip { "file", at = T, from = T, length = T, gain = dB, fade_in = T,
 *              fade_out = T, curve = C, fade_in_curve = C, fade_out_curve = C,
 *              channel = k } */
static int strip_clip(lua_State *L)
{
    strip_ref *r = check_strip(L, 1);
    script_ctx *c = get_ctx(L);
    vm_desc *d = c->desc;
    vm_strip_desc *s = &d->strips[r->index];
    if (s->kind != VM_STRIP_TRACK)
        return script_error(L, "bus '%s' cannot hold clips: put clips on a track routed to it", s->name);
    if (lua_type(L, 2) == LUA_TSTRING) { /* t:clip("file", {opts}) */
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_pushvalue(L, 2);
        lua_seti(L, 3, 1);
        lua_remove(L, 2);
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const keys[] = {"at", "from", "length", "gain", "fade_in", "fade_out", "curve",
                                       "fade_in_curve", "fade_out_curve", "channel", NULL};
    char what[300];
    snprintf(what, sizeof what, "clip on track '%s'", s->name);
    check_keys(L, 2, what, keys, 1);
    if (lua_geti(L, 2, 1) != LUA_TSTRING)
        return script_error(L, "clip on track '%s' needs a file name first: t:clip { \"media/x.wav\", at = ... }", s->name);
    const char *file = lua_tostring(L, -1);
    lua_pop(L, 1);

    char path[PATH_MAX];
    if (vm_path_join(c->script_dir, file, path, sizeof path) != 0)
        return script_error(L, "file name too long: '%s'", file);
    char err[DS_ERR_LEN];
    vm_media_info info;
    if (vm_media_probe(path, &info, err) != DS_OK)
        return script_error(L, "%s", err);

    vm_clip_desc k;
    memset(&k, 0, sizeof k);
    k.info = info;
    if (!opt_time(L, 2, "at", what, VM_TIME_POSITION, &k.at))
        return script_error(L, "clip '%s' needs a place on the timeline: at = \"01:00:00:00\" (or seconds)", file);
    char b1[64], b2[64];
    if (k.at < 0) {
        /* the timecode of a negative position wraps (23:59:59:00), so say how far before */
        fmt_duration(d, -k.at, b1, sizeof b1);
        vm_time_format(&d->tb, 0, b2, sizeof b2);
        lua_getfield(L, 2, "at");
        return script_error(L, "clip '%s' at = %s starts %s before the session start %s", file,
                          luaL_tolstring(L, -1, NULL), b1, b2);
    }
    opt_time(L, 2, "from", what, VM_TIME_DURATION, &k.from);
    if (k.from < 0) {
        fmt_duration(d, k.from, b1, sizeof b1);
        return script_error(L, "clip '%s': from = %s must not be negative", file, b1);
    }
    int64_t avail = vm_media_frames_at(&info, d->tb.rate) - k.from;
    if (avail <= 0) {
        fmt_duration(d, k.from, b1, sizeof b1);
        fmt_duration(d, vm_media_frames_at(&info, d->tb.rate), b2, sizeof b2);
        return script_error(L, "clip '%s': from = %s is past the end of the file (%s long)", file, b1, b2);
    }
    k.length = avail;
    if (opt_time(L, 2, "length", what, VM_TIME_DURATION, &k.length)) {
        if (k.length <= 0) {
            fmt_duration(d, k.length, b1, sizeof b1);
            return script_error(L, "clip '%s': length = %s must be greater than zero", file, b1);
        }
        if (k.length > avail) {
            fmt_duration(d, k.length, b1, sizeof b1);
            fmt_duration(d, avail, b2, sizeof b2);
            return script_error(L, "clip '%s': length = %s runs past the end of the file (%s available after 'from')",
                              file, b1, b2);
        }
    }
    double g = 0;
    if (opt_number(L, 2, "gain", what, -144, 24, &g))
        k.gain.value = g;
    opt_time(L, 2, "fade_in", what, VM_TIME_DURATION, &k.fade_in);
    opt_time(L, 2, "fade_out", what, VM_TIME_DURATION, &k.fade_out);
    if (k.fade_in < 0 || k.fade_out < 0)
        return script_error(L, "clip '%s': fades must not be negative", file);
    if (k.fade_in + k.fade_out > k.length) {
        fmt_duration(d, k.fade_in + k.fade_out, b1, sizeof b1);
        fmt_duration(d, k.length, b2, sizeof b2);
        return script_error(L, "clip '%s': fade_in + fade_out (%s) is longer than the clip (%s)", file, b1, b2);
    }
    k.fade_in_curve = k.fade_out_curve = VM_FADE_LINEAR;
    const char *cw;
    if ((cw = opt_string(L, 2, "curve", what)))
        k.fade_in_curve = k.fade_out_curve = check_curve(L, cw, "curve");
    if ((cw = opt_string(L, 2, "fade_in_curve", what)))
        k.fade_in_curve = check_curve(L, cw, "fade_in_curve");
    if ((cw = opt_string(L, 2, "fade_out_curve", what)))
        k.fade_out_curve = check_curve(L, cw, "fade_out_curve");
    double ch = 0;
    if (opt_number(L, 2, "channel", what, 1, info.channels, &ch)) {
        if (ch != (int)ch)
            return script_error(L, "clip '%s': channel must be a whole number", file);
        k.channel = (int)ch;
    }
    int clip_ch = k.channel ? 1 : info.channels;
    if (s->channels == 0)
        s->channels = clip_ch;
    if (clip_ch != s->channels && clip_ch != 1) {
        if (s->channels == 1)
            return script_error(L, "clip '%s' has %d channels but track '%s' is mono: pick one with channel = 1..%d, "
                              "or make the track %d channels", file, clip_ch, s->name, clip_ch, clip_ch);
        return script_error(L, "clip '%s' has %d channels but track '%s' has %d: pick one with channel = k, "
                          "or use a %d-channel track", file, clip_ch, s->name, s->channels, clip_ch);
    }
    where_here(L, k.where);
    s->clips = grow(L, s->clips, &s->capclips, s->nclips + 1, sizeof *s->clips);
    k.path = dup_or_die(L, path);
    s->clips[s->nclips++] = k;

    clip_ref *cr = lua_newuserdatauv(L, sizeof *cr, 0);
    cr->strip = r->index;
    cr->clip = s->nclips - 1;
    luaL_setmetatable(L, CLIP_MT);
    return 1;
}

/* ---- automatable parameters ---------------------------------------------- */

#define PARAM_MT "dubstage.param"

typedef enum {
    PARAM_STRIP_GAIN, PARAM_STRIP_TRIM, PARAM_STRIP_PAN, PARAM_CLIP_GAIN, PARAM_VCA_GAIN, PARAM_SEND_LEVEL,
    PARAM_EQ_FREQ, PARAM_EQ_GAIN, PARAM_EQ_Q,
    PARAM_DYN_THRESHOLD, PARAM_DYN_RATIO, PARAM_DYN_KNEE, PARAM_DYN_MAKEUP, PARAM_DYN_RANGE, /* vm_dyn_param order */
    PARAM_DYN_ATTACK, PARAM_DYN_RELEASE, PARAM_DYN_HOLD,
    PARAM_LIM_CEILING, PARAM_LIM_RELEASE,     /* vm_lim_param order */
    PARAM_SHAPE_ATTACK, PARAM_SHAPE_SUSTAIN,  /* vm_transient_param order */
    PARAM_STRIP_MUTE, PARAM_GROUP_MUTE
} param_kind;

/* What values a parameter takes (and how its lane reads them). CLS_DYN:
 * what dsp_dyn_check takes for that setting of that insert. */
typedef enum { CLS_PAN, CLS_GAIN_DB, CLS_FREQ, CLS_EQ_DB, CLS_Q, CLS_DYN, CLS_SET, CLS_MUTE } param_class;
/* CLS_SET: a limiter's or transient shaper's setting, in its kernel's range;
 * CLS_MUTE: a switch, true or false (stored as 1 or 0). */

typedef struct {
    param_kind kind;
    int owner;   /* strip or VCA index */
    int clip;    /* clip index (PARAM_CLIP_GAIN) or insert index (PARAM_EQ_*, PARAM_DYN_*) */
} param_ref;

static int is_dyn_param(param_kind k)
{
    return k >= PARAM_DYN_THRESHOLD && k <= PARAM_DYN_HOLD;
}

/* A limiter's or transient shaper's setting: its index in setp, else -1. */
static int set_index(param_kind k)
{
    return k == PARAM_LIM_CEILING || k == PARAM_LIM_RELEASE ? (int)(k - PARAM_LIM_CEILING)
           : k == PARAM_SHAPE_ATTACK || k == PARAM_SHAPE_SUSTAIN ? (int)(k - PARAM_SHAPE_ATTACK)
                                                                 : -1;
}

static const char *dyn_mode_name(dsp_dyn_mode m)
{
    return m == DSP_DYN_EXPAND ? "expander" : m == DSP_DYN_GATE ? "gate" : "compressor";
}

static void push_param(lua_State *L, int kind, int owner, int clip)
{
    param_ref *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->kind = (param_kind)kind;
    p->owner = owner;
    p->clip = clip;
    luaL_setmetatable(L, PARAM_MT);
}

/* name (n bytes; none when n is 0), is_db and the description of p */
#define NAME(...) (n ? snprintf(name, n, __VA_ARGS__) : 0)
static vm_param_desc *param_lookup(lua_State *L, const param_ref *p, char *name, size_t n, int *is_db)
{
    vm_desc *d = get_ctx(L)->desc;
    *is_db = p->kind == PARAM_STRIP_PAN ? CLS_PAN : p->kind == PARAM_EQ_FREQ ? CLS_FREQ
           : p->kind == PARAM_EQ_GAIN ? CLS_EQ_DB : p->kind == PARAM_EQ_Q ? CLS_Q
           : is_dyn_param(p->kind) ? CLS_DYN : set_index(p->kind) >= 0 ? CLS_SET
           : p->kind == PARAM_STRIP_MUTE || p->kind == PARAM_GROUP_MUTE ? CLS_MUTE : CLS_GAIN_DB;
    switch (p->kind) {
    case PARAM_LIM_CEILING:
    case PARAM_LIM_RELEASE:
    case PARAM_SHAPE_ATTACK:
    case PARAM_SHAPE_SUSTAIN: {
        vm_strip_desc *s = &d->strips[p->owner];
        vm_insert_desc *e = &s->inserts[p->clip];
        int k = set_index(p->kind);
        NAME("%s '%s' %s %d %s", kind_name(s), s->name,
                 e->kind == VM_INSERT_LIMITER ? "limiter" : "transient shaper", p->clip + 1,
                 vm_insert_param_name(e->kind, k));
        /* the static value is the insert's (vm_insert_param_desc): mirrored
         * here for the checks of add_event and for .value */
        e->setp[k].value = *vm_insert_param_field(e, k);
        return &e->setp[k];
    }
    case PARAM_STRIP_MUTE: {
        vm_strip_desc *s = &d->strips[p->owner];
        NAME("%s '%s' mute", kind_name(s), s->name);
        s->mutep.value = s->mute;
        return &s->mutep;
    }
    case PARAM_GROUP_MUTE: {
        vm_mute_group_desc *m = &d->mute_groups[p->owner];
        NAME("mute group '%s' mute", m->name);
        m->mutep.value = m->mute;
        return &m->mutep;
    }
    case PARAM_DYN_THRESHOLD:
    case PARAM_DYN_RATIO:
    case PARAM_DYN_KNEE:
    case PARAM_DYN_MAKEUP:
    case PARAM_DYN_RANGE:
    case PARAM_DYN_ATTACK:
    case PARAM_DYN_RELEASE:
    case PARAM_DYN_HOLD: {
        vm_strip_desc *s = &d->strips[p->owner];
        vm_insert_desc *e = &s->inserts[p->clip];
        vm_dyn_param k = (vm_dyn_param)(p->kind - PARAM_DYN_THRESHOLD);
        NAME("%s '%s' %s %d %s", kind_name(s), s->name, dyn_mode_name(e->dyn.mode), p->clip + 1,
                 vm_dyn_param_name(k));
        /* the static value is dyn's (vm_dyn_param_desc): mirrored here for
         * the checks of add_event and for .value */
        e->dynp[k].value = *vm_dyn_param_field(&e->dyn, k);
        return &e->dynp[k];
    }
    case PARAM_EQ_FREQ:
    case PARAM_EQ_GAIN:
    case PARAM_EQ_Q: {
        vm_strip_desc *s = &d->strips[p->owner];
        vm_insert_desc *e = &s->inserts[p->clip];
        const char *w = p->kind == PARAM_EQ_FREQ ? "freq" : p->kind == PARAM_EQ_GAIN ? "gain" : "q";
        NAME("%s '%s' eq %d (%s) %s", kind_name(s), s->name, p->clip + 1, vm_eq_type_name(e->type), w);
        return p->kind == PARAM_EQ_FREQ ? &e->freq : p->kind == PARAM_EQ_GAIN ? &e->gain : &e->q;
    }
    case PARAM_STRIP_GAIN:
    case PARAM_STRIP_TRIM:
    case PARAM_STRIP_PAN: {
        vm_strip_desc *s = &d->strips[p->owner];
        const char *w = p->kind == PARAM_STRIP_GAIN ? "gain" : p->kind == PARAM_STRIP_TRIM ? "trim" : "pan";
        NAME("%s '%s' %s", kind_name(s), s->name, w);
        return p->kind == PARAM_STRIP_GAIN ? &s->gain : p->kind == PARAM_STRIP_TRIM ? &s->trim : &s->pan;
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
        NAME("%s '%s' send %d to bus '%s' level", kind_name(s), s->name, p->clip + 1,
                 d->strips[s->sends[p->clip].dest].name);
        return &s->sends[p->clip].level;
    }
    }
    return NULL;
}
#undef NAME

/* param_lookup with the name from the context's cache when it has it */
static vm_param_desc *param_of(lua_State *L, const param_ref *p, char *name, size_t n, int *is_db)
{
    script_ctx *c = get_ctx(L);
    unsigned slot = ((unsigned)p->kind * 31u + (unsigned)p->owner * 7u + (unsigned)p->clip) % 16u;
    if (c->names[slot].valid && c->names[slot].kind == (int)p->kind && c->names[slot].owner == p->owner &&
        c->names[slot].clip == p->clip) {
        size_t len = strlen(c->names[slot].name);
        len = len < n ? len : n - 1;
        memcpy(name, c->names[slot].name, len);
        name[len] = '\0';
        return param_lookup(L, p, NULL, 0, is_db);
    }
    vm_param_desc *pd = param_lookup(L, p, name, n, is_db);
    c->names[slot].kind = (int)p->kind, c->names[slot].owner = p->owner, c->names[slot].clip = p->clip;
    snprintf(c->names[slot].name, sizeof c->names[slot].name, "%s", name);
    c->names[slot].valid = 1;
    return pd;
}

static void script_words(char *msg);

/* A value for parameter p (of class cls): numbers in range; -math.huge
 * (silence) for gains. */
static double param_value(lua_State *L, int idx, const char *key, const char *name, int cls, const param_ref *p)
{
    if (cls == CLS_MUTE) { /* a switch: true or false (1 or 0 as in a trims file) */
        if (lua_type(L, idx) == LUA_TBOOLEAN)
            return lua_toboolean(L, idx) ? 1.0 : 0.0;
        if (lua_type(L, idx) == LUA_TNUMBER && (lua_tonumber(L, idx) == 0 || lua_tonumber(L, idx) == 1))
            return lua_tonumber(L, idx);
        script_error(L, "%s: %s must be true (muted) or false (got %s)", name, key,
                     lua_type(L, idx) == LUA_TNUMBER ? lua_tostring(L, idx) : luaL_typename(L, idx));
    }
    if (lua_type(L, idx) != LUA_TNUMBER)
        script_error(L, "%s: '%s' must be a number (got %s)", name, key, luaL_typename(L, idx));
    double v = lua_tonumber(L, idx);
    switch ((param_class)cls) {
    case CLS_GAIN_DB:
        if (v == -HUGE_VAL || v < -144)
            v = -144; /* silence: see vm/lane.h */
        if (!(v <= 24))
            script_error(L, "%s: %s = %g dB is out of range (-math.huge for silence, up to +24 dB)", name, key, v);
        break;
    case CLS_PAN:
        if (!(v >= -1 && v <= 1))
            script_error(L, "%s: %s = %g is out of range (-1 = left to 1 = right)", name, key, v);
        break;
    case CLS_FREQ:
        if (!(v >= 10 && v <= 40000))
            script_error(L, "%s: %s = %g Hz is out of range (10 to 40000 Hz)", name, key, v);
        break;
    case CLS_EQ_DB:
        if (!(v >= -30 && v <= 30))
            script_error(L, "%s: %s = %g dB is out of range (-30 to +30 dB)", name, key, v);
        break;
    case CLS_Q:
        if (!(v >= 0.1 && v <= 30))
            script_error(L, "%s: %s = %g is out of range (0.1 to 30)", name, key, v);
        break;
    case CLS_DYN: {
        /* the insert's settings with this one at v, checked by the kernel's rules */
        dsp_dyn_params y = get_ctx(L)->desc->strips[p->owner].inserts[p->clip].dyn;
        vm_dyn_param k = (vm_dyn_param)(p->kind - PARAM_DYN_THRESHOLD);
        char msg[300];
        if (k == VM_DYN_RATIO && !(y.ratio < INFINITY))
            script_error(L, "%s: a ratio of inf cannot move (give the %s a finite ratio, e.g. ratio = 100, to "
                         "automate it)", name, dyn_mode_name(y.mode));
        if (k == VM_DYN_RATIO && v == INFINITY)
            script_error(L, "%s: %s = inf: a moving ratio must be finite (1 or more; 100 is close to a limiter)",
                         name, key);
        *vm_dyn_param_field(&y, k) = v;
        if (dsp_dyn_check(&y, msg, sizeof msg) != 0) {
            script_words(msg);
            const char *range = strstr(msg, "out of range: ");
            script_error(L, "%s: %s = %g is out of range: %s", name, key, v, range ? range + 14 : msg);
        }
        break;
    }
    case CLS_SET: {
        /* the insert's settings with this one at v, checked by the kernel's rules */
        vm_insert_desc e = get_ctx(L)->desc->strips[p->owner].inserts[p->clip];
        *vm_insert_param_field(&e, set_index(p->kind)) = v;
        char msg[300];
        if (e.kind == VM_INSERT_LIMITER && dsp_limiter_check(&e.lim, msg, sizeof msg) != 0) {
            const char *range = strstr(msg, "(expected ");
            script_error(L, "%s: %s = %g is out of range (%s", name, key, v, range ? range + 10 : msg);
        }
        if (e.kind == VM_INSERT_TRANSIENT && !(v >= -24 && v <= 24))
            script_error(L, "%s: %s = %g dB is out of range (-24 to +24 dB)", name, key, v);
        break;
    }
    case CLS_MUTE:
        break;
    }
    return v;
}

static void add_event(lua_State *L, vm_param_desc *pd, const vm_event *ev, const char *name, int is_db)
{
    vm_event e = *ev;
    char err[DS_ERR_LEN];
    /* check it the way the compiler will (a lane knows the rules) */
    if (vm_lane_check(is_db == CLS_GAIN_DB ? VM_LANE_DB : VM_LANE_PLAIN, &e, err) != DS_OK)
        script_error(L, "%s: %s", name, err);
    pd->events = grow(L, pd->events, &pd->capevents, pd->nevents + 1, sizeof *pd->events);
    if (e.kind == VM_EV_CURVE) {
        double *pts = malloc((size_t)e.ncurve * sizeof *pts);
        if (!pts)
            script_error(L, "out of memory");
        memcpy(pts, e.curve, (size_t)e.ncurve * sizeof *pts);
        e.curve = pts;
    }
    if (pd->nevents == 0)
        where_here(L, pd->where);
    pd->events[pd->nevents++] = e;
}

static vm_ramp_shape check_shape(lua_State *L, const char *word, const char *name)
{
    static const char *const names[] = {"linear", "amplitude", "equal_power", "exponential", "s_curve", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(word, names[i]) == 0)
            return (vm_ramp_shape)i;
    const char *near = vm_suggest(word, names, 5);
    script_error(L, "%s: unknown ramp shape '%s'%s%s%s (shapes: linear, amplitude, equal_power, exponential, s_curve)",
               name, word, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    return VM_SHAPE_LINEAR;
}

/* One event from the table at idx. Its kind comes from `kind` (set, ramp,
 * target, curve) or, when kind is NULL, from its keys: values -> curve,
 * tau -> target, over -> ramp, otherwise set. */
static void event_from_table(lua_State *L, int idx, const char *kind, const param_ref *p)
{
    char name[300];
    int is_db;
    vm_param_desc *pd = param_of(L, p, name, sizeof name, &is_db);
    idx = lua_absindex(L, idx);
    if (is_db == CLS_MUTE) { /* a switch: steps only (each one fades by itself) */
        static const char *const moving[] = {"over", "shape", "from", "tau", "values", NULL};
        int other = kind && strcmp(kind, "set") != 0;
        for (int i = 0; !other && moving[i]; i++) {
            other = lua_getfield(L, idx, moving[i]) != LUA_TNIL;
            lua_pop(L, 1);
        }
        if (other)
            script_error(L, "%s: a mute switches on or off: mute:set { at = ..., to = true } (or false); it fades over "
                         "%g ms by itself", name, VM_MUTE_FADE_S * 1000);
        kind = "set";
    }
    static const char *const keys[] = {"at", "to", "over", "shape", "from", "tau", "values", NULL};
    check_keys(L, idx, name, keys, 0);
    if (!kind) {
        int has_values = lua_getfield(L, idx, "values") != LUA_TNIL;
        int has_tau = lua_getfield(L, idx, "tau") != LUA_TNIL;
        int has_over = lua_getfield(L, idx, "over") != LUA_TNIL;
        lua_pop(L, 3);
        kind = has_values ? "curve" : has_tau ? "target" : has_over ? "ramp" : "set";
    }
    vm_event e;
    memset(&e, 0, sizeof e);
    if (!opt_time(L, idx, "at", name, VM_TIME_POSITION, &e.at))
        script_error(L, "%s: a move needs a time: at = \"01:00:10:00\" (or seconds, or cue \"name\")", name);
    if (e.at < 0) {
        char tc[64];
        vm_time_format(&get_ctx(L)->desc->tb, e.at, tc, sizeof tc);
        script_error(L, "%s: at = %s is before the session start", name, tc);
    }
    if (strcmp(kind, "curve") == 0) {
        e.kind = VM_EV_CURVE;
        if (!opt_time(L, idx, "over", name, VM_TIME_DURATION, &e.duration))
            script_error(L, "%s: a curve needs over = duration", name);
        if (lua_getfield(L, idx, "values") != LUA_TTABLE)
            script_error(L, "%s: a curve needs values = { v1, v2, ... }", name);
        int n = (int)luaL_len(L, -1);
        double *pts = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *pts, 0); /* freed by Lua */
        for (int i = 0; i < n; i++) {
            lua_geti(L, -2, i + 1);
            pts[i] = param_value(L, -1, "values", name, is_db, p);
            lua_pop(L, 1);
        }
        e.curve = pts;
        e.ncurve = n;
        add_event(L, pd, &e, name, is_db);
        lua_pop(L, 2);
        return;
    }
    if (lua_getfield(L, idx, "to") == LUA_TNIL)
        script_error(L, "%s: a %s needs to = value", name, kind);
    e.value = param_value(L, -1, "to", name, is_db, p);
    lua_pop(L, 1);
    if (strcmp(kind, "set") == 0) {
        e.kind = VM_EV_SET;
    } else if (strcmp(kind, "target") == 0) {
        e.kind = VM_EV_TARGET;
        int64_t tau = 0;
        if (!opt_time(L, idx, "tau", name, VM_TIME_DURATION, &tau) || tau <= 0)
            script_error(L, "%s: a target needs tau = time constant greater than zero (seconds)", name);
        e.tau = (double)tau;
    } else {
        e.kind = VM_EV_RAMP;
        if (!opt_time(L, idx, "over", name, VM_TIME_DURATION, &e.duration))
            script_error(L, "%s: a ramp needs over = duration", name);
        if (e.duration < 0)
            script_error(L, "%s: over must not be negative", name);
        const char *sh = opt_string(L, idx, "shape", name);
        e.shape = sh ? check_shape(L, sh, name) : VM_SHAPE_LINEAR;
    }
    if (lua_getfield(L, idx, "from") != LUA_TNIL) { /* start the move from a stated value */
        vm_event set;
        memset(&set, 0, sizeof set);
        set.kind = VM_EV_SET;
        set.at = e.at;
        set.value = param_value(L, -1, "from", name, is_db, p);
        add_event(L, pd, &set, name, is_db);
    }
    lua_pop(L, 1);
    add_event(L, pd, &e, name, is_db);
}

static int param_move(lua_State *L, const char *kind)
{
    param_ref *p = luaL_checkudata(L, 1, PARAM_MT);
    if (lua_type(L, 2) != LUA_TTABLE)
        return script_error(L, "%s needs a table: p:%s { at = ..., %s }", kind, kind,
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
            return script_error(L, "moves: entry %d is a %s, not a table", (int)i, luaL_typename(L, -1));
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
    int is_db;
    vm_param_desc *pd = param_of(L, p, name, sizeof name, &is_db);
    if (strcmp(k, "value") == 0 && is_db == CLS_MUTE) lua_pushboolean(L, pd->value != 0);
    else if (strcmp(k, "value") == 0) lua_pushnumber(L, pd->value <= -144 && is_db == CLS_GAIN_DB ? -HUGE_VAL : pd->value);
    else if (strcmp(k, "name") == 0) lua_pushstring(L, name);
    else if (strcmp(k, "events") == 0) lua_pushinteger(L, pd->nevents);
    else if (strcmp(k, "set") == 0) lua_pushcfunction(L, param_set);
    else if (strcmp(k, "ramp") == 0) lua_pushcfunction(L, param_ramp);
    else if (strcmp(k, "target") == 0) lua_pushcfunction(L, param_target);
    else if (strcmp(k, "curve") == 0) lua_pushcfunction(L, param_curve);
    else if (strcmp(k, "moves") == 0) lua_pushcfunction(L, param_moves);
    else {
        static const char *const names[] = {"value", "name", "events", "set", "ramp", "target", "curve", "moves", NULL};
        const char *near = vm_suggest(k, names, 8);
        return script_error(L, "%s has no field '%s'%s%s%s (fields: value, name, events; moves: set, ramp, target, "
                          "curve, moves)", name, k, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    return 1;
}

static int param_tostring(lua_State *L)
{
    param_ref *p = luaL_checkudata(L, 1, PARAM_MT);
    char name[300];
    int is_db;
    vm_param_desc *pd = param_of(L, p, name, sizeof name, &is_db);
    if (is_db == CLS_MUTE) {
        lua_pushfstring(L, "%s = %s (%d move%s)", name, pd->value != 0 ? "true" : "false", pd->nevents,
                        pd->nevents == 1 ? "" : "s");
        return 1;
    }
    lua_pushfstring(L, "%s = %f%s (%d move%s)", name, pd->value,
                    is_db == CLS_GAIN_DB || is_db == CLS_EQ_DB ||
                            (is_db == CLS_DYN && p->kind != PARAM_DYN_RATIO && p->kind < PARAM_DYN_ATTACK) ||
                            p->kind == PARAM_SHAPE_ATTACK || p->kind == PARAM_SHAPE_SUSTAIN
                        ? " dB" : is_db == CLS_FREQ ? " Hz" : p->kind == PARAM_LIM_CEILING ? " dBTP"
                        : p->kind == PARAM_LIM_RELEASE || (p->kind >= PARAM_DYN_ATTACK && p->kind <= PARAM_DYN_HOLD) ? " s"
                                                                                                           : "",
                    pd->nevents, pd->nevents == 1 ? "" : "s");
    return 1;
}

/* ---- VCAs and mute groups --------------------------------------------------- */

#define VCA_MT "dubstage.vca"
#define MUTEGROUP_MT "dubstage.mute_group"

static void check_new_group_name(lua_State *L, const char *name, const char *what)
{
    vm_desc *d = get_ctx(L)->desc;
    if (!name[0])
        script_error(L, "a %s needs a name", what);
    for (int i = 0; i < d->nvcas; i++)
        if (strcmp(d->vcas[i].name, name) == 0)
            script_error(L, "a vca called '%s' already exists (made at %s)", name, d->vcas[i].where);
    for (int i = 0; i < d->nmute_groups; i++)
        if (strcmp(d->mute_groups[i].name, name) == 0)
            script_error(L, "a mute group called '%s' already exists (made at %s)", name, d->mute_groups[i].where);
}

/* members = { strip, ... } into an index list; duplicates are ignored */
static void add_members(lua_State *L, int idx, int **members, int *n, int *cap, const char *what)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        script_error(L, "%s: members must be a list of tracks and buses (got %s)", what, luaL_typename(L, idx));
    lua_Integer len = luaL_len(L, idx);
    for (lua_Integer i = 1; i <= len; i++) {
        lua_geti(L, idx, i);
        strip_ref *r = luaL_testudata(L, -1, STRIP_MT);
        if (!r)
            script_error(L, "%s: member %d is a %s, not a track or bus", what, (int)i, luaL_typename(L, -1));
        int dup = 0;
        for (int k = 0; k < *n; k++)
            dup |= (*members)[k] == r->index;
        if (!dup) {
            *members = grow(L, *members, cap, *n + 1, sizeof **members);
            (*members)[(*n)++] = r->index;
        }
        lua_pop(L, 1);
    }
}

/* Pushes the handle of group ix (metatable mt); with an options table as
 * argument 2 it applies it through call, so `vca "X" { ... }` and
 * `vca("X", { ... })` both work. */
static int push_group(lua_State *L, int ix, const char *mt, lua_CFunction call)
{
    lua_settop(L, 2);
    int *u = lua_newuserdatauv(L, sizeof *u, 0);
    *u = ix;
    luaL_setmetatable(L, mt);
    if (lua_istable(L, 2)) {
        lua_replace(L, 1);
        return call(L);
    }
    return 1;
}

static int vca_call(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, VCA_MT);
    luaL_checktype(L, 2, LUA_TTABLE);
    vm_vca_desc *v = &get_ctx(L)->desc->vcas[*ix];
    char what[300];
    snprintf(what, sizeof what, "vca '%s'", v->name);
    static const char *const keys[] = {"members", "gain", NULL};
    check_keys(L, 2, what, keys, 0);
    double g;
    if (opt_number(L, 2, "gain", what, -144, 24, &g))
        v->gain.value = g;
    if (lua_getfield(L, 2, "members") != LUA_TNIL)
        add_members(L, -1, &v->members, &v->nmembers, &v->capmembers, what);
    lua_settop(L, 1);
    return 1;
}

static int l_vca(lua_State *L)
{
    vm_desc *d = get_ctx(L)->desc;
    const char *name = luaL_checkstring(L, 1);
    check_new_group_name(L, name, "vca");
    d->vcas = grow(L, d->vcas, &d->capvcas, d->nvcas + 1, sizeof *d->vcas);
    vm_vca_desc *v = &d->vcas[d->nvcas];
    memset(v, 0, sizeof *v);
    v->name = dup_or_die(L, name);
    d->nvcas++;
    where_here(L, v->where);
    return push_group(L, d->nvcas - 1, VCA_MT, vca_call);
}

static int vca_index(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, VCA_MT);
    const char *k = luaL_checkstring(L, 2);
    vm_vca_desc *v = &get_ctx(L)->desc->vcas[*ix];
    if (strcmp(k, "gain") == 0) push_param(L, PARAM_VCA_GAIN, *ix, 0);
    else if (strcmp(k, "name") == 0) lua_pushstring(L, v->name);
    else return script_error(L, "vca '%s' has no field '%s' (fields: gain, name)", v->name, k);
    return 1;
}

static int vca_newindex(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, VCA_MT);
    vm_vca_desc *v = &get_ctx(L)->desc->vcas[*ix];
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "gain") != 0)
        return script_error(L, "cannot set '%s' on vca '%s' (settable: gain)", k, v->name);
    double g = luaL_checknumber(L, 3);
    if (!(g >= -144 && g <= 24))
        return script_error(L, "vca '%s': gain = %g dB is out of range (-144 to +24 dB)", v->name, g);
    v->gain.value = g;
    return 0;
}

static int mute_group_call(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, MUTEGROUP_MT);
    luaL_checktype(L, 2, LUA_TTABLE);
    vm_mute_group_desc *m = &get_ctx(L)->desc->mute_groups[*ix];
    char what[300];
    snprintf(what, sizeof what, "mute group '%s'", m->name);
    static const char *const keys[] = {"members", "mute", NULL};
    check_keys(L, 2, what, keys, 0);
    opt_bool(L, 2, "mute", what, &m->mute);
    if (lua_getfield(L, 2, "members") != LUA_TNIL)
        add_members(L, -1, &m->members, &m->nmembers, &m->capmembers, what);
    lua_settop(L, 1);
    return 1;
}

static int l_mute_group(lua_State *L)
{
    vm_desc *d = get_ctx(L)->desc;
    const char *name = luaL_checkstring(L, 1);
    check_new_group_name(L, name, "mute group");
    d->mute_groups = grow(L, d->mute_groups, &d->capmute_groups, d->nmute_groups + 1, sizeof *d->mute_groups);
    vm_mute_group_desc *m = &d->mute_groups[d->nmute_groups];
    memset(m, 0, sizeof *m);
    m->name = dup_or_die(L, name);
    d->nmute_groups++;
    where_here(L, m->where);
    return push_group(L, d->nmute_groups - 1, MUTEGROUP_MT, mute_group_call);
}

static int mute_group_index(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, MUTEGROUP_MT);
    vm_mute_group_desc *m = &get_ctx(L)->desc->mute_groups[*ix];
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "mute") == 0) push_param(L, PARAM_GROUP_MUTE, *ix, 0);
    else if (strcmp(k, "name") == 0) lua_pushstring(L, m->name);
    else return script_error(L, "mute group '%s' has no field '%s' (fields: mute, name)", m->name, k);
    return 1;
}

static int mute_group_newindex(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, MUTEGROUP_MT);
    vm_mute_group_desc *m = &get_ctx(L)->desc->mute_groups[*ix];
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "mute") != 0)
        return script_error(L, "cannot set '%s' on mute group '%s' (settable: mute)", k, m->name);
    luaL_checktype(L, 3, LUA_TBOOLEAN);
    m->mute = lua_toboolean(L, 3);
    return 0;
}

/* ---- cues from a marker file ------------------------------------------------ */

#define MARKERS_MT "dubstage.markers"

typedef struct { vm_markers *m; } markers_ref;

static int path_allowed(script_ctx *c, const char *path);

/* local cue = markers "cues.csv";  at = cue "door slam"  (seconds from the
 * session start, so `cue "door slam" - 0.3` works) */
/* trims "mix.trims.lua": the changes a live session saved (repl/live_cmd.c
 * writes them): a Lua file returning { ["dx.gain"] = -3.5, ["mx.mute"] = true,
 * ... }, names as vm/liveset.h defines them. The file is read now; its
 * values are set when the script has finished, so it may come anywhere. */
static int l_trims(lua_State *L)
{
    script_ctx *c = get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    char path[PATH_MAX];
    if (vm_path_join(c->script_dir, name, path, sizeof path) != 0)
        return script_error(L, "file name too long: '%s'", name);
    if (!path_allowed(c, path))
        return script_error(L, "trims file '%s' is outside the script's folder (run with --allow-paths to read it)",
                            name);
    FILE *f = fopen(path, "r");
    if (!f)
        return script_error(L, "cannot open trims file '%s': %s", path, strerror(errno));
    fclose(f);
    if (luaL_loadfilex(L, path, "t") != LUA_OK)
        return script_error(L, "%s", lua_tostring(L, -1));
    lua_newtable(L); /* an empty environment: data only */
    lua_setupvalue(L, -2, 1);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK)
        return script_error(L, "%s", lua_tostring(L, -1));
    if (!lua_istable(L, -1))
        return script_error(L, "trims file '%s' must return a table of { [\"name\"] = value }", path);
    lua_getfield(L, LUA_REGISTRYINDEX, "dubstage.trims");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, "dubstage.trims");
    }
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pushstring(L, path);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 2);
    snprintf(c->desc->trims_path, sizeof c->desc->trims_path, "%s", path);
    return 0;
}

/* Sets the values of every trims file read, in the order read. */
static int apply_trims(lua_State *L)
{
    script_ctx *c = get_ctx(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "dubstage.trims");
    if (lua_isnil(L, -1))
        return 0;
    int list = lua_gettop(L);
    for (lua_Integer i = 1; i + 1 <= (lua_Integer)lua_rawlen(L, list); i += 2) {
        lua_rawgeti(L, list, i);
        lua_rawgeti(L, list, i + 1);
        const char *path = lua_tostring(L, -1);
        int t = lua_gettop(L) - 1;
        /* sorted by name, so the order never depends on the hash */
        lua_newtable(L);
        int keys = lua_gettop(L), nk = 0;
        lua_pushnil(L);
        while (lua_next(L, t)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "%s: every key must be a parameter name in quotes", path);
            lua_pushvalue(L, -1);
            lua_rawseti(L, keys, ++nk);
        }
        lua_getglobal(L, "table");
        lua_getfield(L, -1, "sort");
        lua_pushvalue(L, keys);
        lua_call(L, 1, 0);
        lua_pop(L, 1);
        for (int k = 1; k <= nk; k++) {
            lua_rawgeti(L, keys, k);
            const char *name = lua_tostring(L, -1);
            lua_gettable(L, t);
            double v;
            if (lua_isboolean(L, -1))
                v = lua_toboolean(L, -1);
            else if (lua_type(L, -1) == LUA_TNUMBER) /* not "-3": lua_isnumber takes numeric strings */
                v = lua_tonumber(L, -1);
            else {
                lua_rawgeti(L, keys, k);
                return luaL_error(L, "%s: '%s' must be a number or true/false", path, lua_tostring(L, -1));
            }
            lua_pop(L, 1);
            lua_rawgeti(L, keys, k);
            name = lua_tostring(L, -1);
            char err[DS_ERR_LEN];
            if (vm_liveset(c->desc, name, v, err) != DS_OK)
                return luaL_error(L, "%s: %s", path, err);
            lua_pop(L, 1);
        }
        lua_settop(L, list);
    }
    return 0;
}

static int l_markers(lua_State *L)
{
    script_ctx *c = get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    char path[PATH_MAX], err[DS_ERR_LEN];
    if (vm_path_join(c->script_dir, name, path, sizeof path) != 0)
        return script_error(L, "file name too long: '%s'", name);
    if (!path_allowed(c, path))
        return script_error(L, "marker file '%s' is outside the script's folder (run with --allow-paths to read it)", name);
    markers_ref *r = lua_newuserdatauv(L, sizeof *r, 0);
    r->m = NULL;
    luaL_setmetatable(L, MARKERS_MT); /* __gc frees it, also when load fails below */
    if (vm_markers_load(path, &c->desc->tb, &r->m, err) != DS_OK)
        return script_error(L, "%s", err);
    vm_desc *d = c->desc;
    if (d->nmarker_files < 4)
        snprintf(d->marker_files[d->nmarker_files++], sizeof d->marker_files[0], "%s", path);
    return 1;
}

static int markers_call(lua_State *L)
{
    markers_ref *r = luaL_checkudata(L, 1, MARKERS_MT);
    const char *name = luaL_checkstring(L, 2);
    int64_t pos;
    char err[DS_ERR_LEN];
    if (vm_markers_find(r->m, name, &pos, err) != DS_OK)
        return script_error(L, "%s", err);
    lua_pushnumber(L, (double)pos / get_ctx(L)->desc->tb.rate);
    return 1;
}

static int markers_index(lua_State *L)
{
    markers_ref *r = luaL_checkudata(L, 1, MARKERS_MT);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "names") == 0) {
        lua_createtable(L, vm_markers_count(r->m), 0);
        for (int i = 0; i < vm_markers_count(r->m); i++) {
            lua_pushstring(L, vm_markers_name(r->m, i));
            lua_seti(L, -2, i + 1);
        }
        return 1;
    }
    return script_error(L, "a marker list has no field '%s' (fields: names; call it with a cue name)", k);
}

static int markers_len(lua_State *L)
{
    markers_ref *r = luaL_checkudata(L, 1, MARKERS_MT);
    lua_pushinteger(L, vm_markers_count(r->m));
    return 1;
}

static int markers_gc(lua_State *L)
{
    markers_ref *r = luaL_checkudata(L, 1, MARKERS_MT);
    vm_markers_free(&r->m);
    return 0;
}

/* ---- inserts: EQ ------------------------------------------------------------ */

#define INSERT_MT "dubstage.insert"

typedef struct { int strip, index; } insert_ref;

/* Appends insert e (stamped with the calling line) to strip `strip` and
 * pushes its handle. */
static int push_insert(lua_State *L, int strip, vm_insert_desc *e)
{
    vm_strip_desc *s = &get_ctx(L)->desc->strips[strip];
    where_here(L, e->where);
    s->inserts = grow(L, s->inserts, &s->capinserts, s->ninserts + 1, sizeof *s->inserts);
    s->inserts[s->ninserts++] = *e;
    insert_ref *ir = lua_newuserdatauv(L, sizeof *ir, 0);
    ir->strip = strip;
    ir->index = s->ninserts - 1;
    luaL_setmetatable(L, INSERT_MT);
    return 1;
}

/* t:eq { "peak", freq = 3000, gain = 3, q = 1 } / { "highpass", freq = 80, order = 4 } */
static int strip_eq(lua_State *L)
{
    strip_ref *r = check_strip(L, 1);
    vm_desc *d = get_ctx(L)->desc;
    vm_strip_desc *s = &d->strips[r->index];
    char what[300];
    snprintf(what, sizeof what, "eq on %s '%s'", kind_name(s), s->name);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const keys[] = {"freq", "gain", "q", "order", NULL};
    check_keys(L, 2, what, keys, 1);
    if (lua_geti(L, 2, 1) != LUA_TSTRING)
        return script_error(L, "%s needs a filter type first: t:eq { \"peak\", freq = 3000, gain = 3 } (types: %s)",
                          what, vm_eq_type_list());
    const char *tw = lua_tostring(L, -1);
    lua_pop(L, 1);
    vm_insert_desc e;
    memset(&e, 0, sizeof e);
    e.kind = VM_INSERT_EQ;
    e.key = -1;
    char err[DS_ERR_LEN];
    if (vm_eq_type_parse(tw, &e.type, err) != DS_OK)
        return script_error(L, "%s: %s", what, err);
    double v;
    e.order = 2;
    if (opt_number(L, 2, "order", what, 1, 8, &v)) {
        if (v != (int)v)
            return script_error(L, "%s: order must be a whole number (1 to 8)", what);
        if (e.type != DSP_EQ_HIGHPASS && e.type != DSP_EQ_LOWPASS && (int)v != 2)
            return script_error(L, "%s: order applies to highpass and lowpass only", what);
        e.order = (int)v;
    }
    if (!opt_number(L, 2, "freq", what, 10, 40000, &v))
        return script_error(L, "%s needs freq = Hz (10 to 40000)", what);
    e.freq.value = v;
    e.gain.value = 0;
    if (opt_number(L, 2, "gain", what, -30, 30, &v)) {
        if (e.type != DSP_EQ_PEAK && e.type != DSP_EQ_LOWSHELF && e.type != DSP_EQ_HIGHSHELF)
            return script_error(L, "%s: gain applies to peak, lowshelf and highshelf only", what);
        e.gain.value = v;
    }
    e.q.value = 0.7071067811865476;
    if (opt_number(L, 2, "q", what, 0.1, 30, &v)) {
        if (e.order != 2)
            return script_error(L, "%s: q does not apply to a Butterworth of order %d (its Qs are fixed)", what, e.order);
        e.q.value = v;
    }
    return push_insert(L, r->index, &e);
}

/* The kernels' checks name their C fields (attack_s); say the script's
 * words (attack) instead. */
static void script_words(char *msg)
{
    static const char *const from[] = {"threshold_db", "knee_db", "attack_s", "release_s", "hold_s", "makeup_db",
                                       "range_db", "rms_s", "ceiling_dbtp", "lookahead_s", NULL};
    for (int i = 0; from[i]; i++) {
        char *at = strstr(msg, from[i]);
        if (!at)
            continue;
        size_t keep = strcspn(from[i], "_"), cut = strlen(from[i]) - keep;
        memmove(at + keep, at + keep + cut, strlen(at + keep + cut) + 1);
    }
}

/* t:compressor { threshold = -30, ratio = 4, attack = 0.01, release = 0.25, key = dx, ... },
 * t:expander { ... }, t:gate { threshold = -50, range = -20, ... } */
static int strip_dynamics(lua_State *L, dsp_dyn_mode mode, const char *kind)
{
    strip_ref *r = check_strip(L, 1);
    vm_desc *d = get_ctx(L)->desc;
    vm_strip_desc *s = &d->strips[r->index];
    char what[300];
    snprintf(what, sizeof what, "%s on %s '%s'", kind, kind_name(s), s->name);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const keys[] = {"threshold", "ratio", "knee", "attack", "release", "hold", "makeup",
                                       "range", "detector", "rms", "link", "key", "key_filter", NULL};
    check_keys(L, 2, what, keys, 0);
    vm_insert_desc e;
    memset(&e, 0, sizeof e);
    e.kind = VM_INSERT_DYNAMICS;
    e.key = -1;
    dsp_dyn_params_init(&e.dyn, mode);
    static const struct { const char *key; size_t off; } nums[] = {
        {"threshold", offsetof(dsp_dyn_params, threshold_db)}, {"ratio", offsetof(dsp_dyn_params, ratio)},
        {"knee", offsetof(dsp_dyn_params, knee_db)},           {"attack", offsetof(dsp_dyn_params, attack_s)},
        {"release", offsetof(dsp_dyn_params, release_s)},      {"hold", offsetof(dsp_dyn_params, hold_s)},
        {"makeup", offsetof(dsp_dyn_params, makeup_db)},       {"range", offsetof(dsp_dyn_params, range_db)},
        {"rms", offsetof(dsp_dyn_params, rms_s)},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        double v;
        if (lua_getfield(L, 2, nums[i].key) == LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        if (lua_type(L, -1) != LUA_TNUMBER)
            return script_error(L, "%s: '%s' must be a number (got %s)", what, nums[i].key, luaL_typename(L, -1));
        v = lua_tonumber(L, -1);
        lua_pop(L, 1);
        *(double *)((char *)&e.dyn + nums[i].off) = v;
    }
    const char *w;
    if ((w = opt_string(L, 2, "detector", what))) {
        if (strcmp(w, "peak") == 0) e.dyn.detector = DSP_DYN_PEAK;
        else if (strcmp(w, "rms") == 0) e.dyn.detector = DSP_DYN_RMS;
        else return script_error(L, "%s: unknown detector '%s' (peak, rms)", what, w);
    }
    if ((w = opt_string(L, 2, "link", what))) {
        if (strcmp(w, "max") == 0) e.dyn.link = DSP_DYN_LINK_MAX;
        else if (strcmp(w, "mean") == 0) e.dyn.link = DSP_DYN_LINK_MEAN;
        else if (strcmp(w, "unlinked") == 0) e.dyn.link = DSP_DYN_UNLINKED;
        else return script_error(L, "%s: unknown link '%s' (max, mean, unlinked)", what, w);
    }
    char msg[300];
    if (dsp_dyn_check(&e.dyn, msg, sizeof msg) != 0) {
        script_words(msg);
        return script_error(L, "%s: %s", what, msg);
    }
    if (lua_getfield(L, 2, "key") != LUA_TNIL) {
        strip_ref *k = luaL_testudata(L, -1, STRIP_MT);
        if (!k)
            return script_error(L, "%s: key must be a track or bus (got %s)", what, luaL_typename(L, -1));
        if (k->index != r->index)
            e.key = k->index;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "key_filter") != LUA_TNIL) {
        if (!lua_istable(L, -1) || luaL_len(L, -1) != 2)
            return script_error(L, "%s: key_filter must be { low_hz, high_hz }, e.g. { 300, 3000 }", what);
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        e.key_lo = lua_tonumber(L, -2);
        e.key_hi = lua_tonumber(L, -1);
        lua_pop(L, 2);
        if (!(e.key_lo >= 10 && e.key_hi > e.key_lo && e.key_hi <= 20000))
            return script_error(L, "%s: key_filter = { %g, %g } must satisfy 10 <= low < high <= 20000 Hz", what,
                                e.key_lo, e.key_hi);
    }
    lua_pop(L, 1);
    if (s->channels > DSP_DYN_MAX_CHANNELS)
        return script_error(L, "%s: at most %d channels", what, DSP_DYN_MAX_CHANNELS);
    return push_insert(L, r->index, &e);
}

/* t:limiter { ceiling = -1, lookahead = 0.005, release = 0.05 } */
static int strip_limiter(lua_State *L)
{
    strip_ref *r = check_strip(L, 1);
    vm_desc *d = get_ctx(L)->desc;
    vm_strip_desc *s = &d->strips[r->index];
    char what[300];
    snprintf(what, sizeof what, "limiter on %s '%s'", kind_name(s), s->name);
    if (lua_isnoneornil(L, 2))
        lua_newtable(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const keys[] = {"ceiling", "lookahead", "release", NULL};
    check_keys(L, 2, what, keys, 0);
    vm_insert_desc e;
    memset(&e, 0, sizeof e);
    e.kind = VM_INSERT_LIMITER;
    e.key = -1;
    e.lim.ceiling_dbtp = -1;
    e.lim.lookahead_s = 0.005;
    e.lim.release_s = 0.05;
    static const char *const nk[] = {"ceiling", "lookahead", "release"};
    double *dst[] = {&e.lim.ceiling_dbtp, &e.lim.lookahead_s, &e.lim.release_s};
    for (int i = 0; i < 3; i++) {
        if (lua_getfield(L, 2, nk[i]) != LUA_TNIL) {
            if (lua_type(L, -1) != LUA_TNUMBER)
                return script_error(L, "%s: '%s' must be a number (got %s)", what, nk[i], luaL_typename(L, -1));
            *dst[i] = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
    }
    char msg[300];
    if (dsp_limiter_check(&e.lim, msg, sizeof msg) != 0) {
        script_words(msg);
        return script_error(L, "%s: %s", what, msg);
    }
    return push_insert(L, r->index, &e);
}

/* t:transient { attack = 6, sustain = -3 } */
static int strip_transient(lua_State *L)
{
    strip_ref *r = check_strip(L, 1);
    vm_strip_desc *s = &get_ctx(L)->desc->strips[r->index];
    char what[300];
    snprintf(what, sizeof what, "transient shaper on %s '%s'", kind_name(s), s->name);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const keys[] = {"attack", "sustain", NULL};
    check_keys(L, 2, what, keys, 0);
    vm_insert_desc e;
    memset(&e, 0, sizeof e);
    e.kind = VM_INSERT_TRANSIENT;
    e.key = -1;
    opt_number(L, 2, "attack", what, -24, 24, &e.attack_db);
    opt_number(L, 2, "sustain", what, -24, 24, &e.sustain_db);
    if (s->channels > DSP_TRANSIENT_MAX_CHANNELS)
        return script_error(L, "%s: at most %d channels", what, DSP_TRANSIENT_MAX_CHANNELS);
    return push_insert(L, r->index, &e);
}

static int strip_compressor(lua_State *L) { return strip_dynamics(L, DSP_DYN_COMPRESS, "compressor"); }
static int strip_expander(lua_State *L) { return strip_dynamics(L, DSP_DYN_EXPAND, "expander"); }
static int strip_gate(lua_State *L) { return strip_dynamics(L, DSP_DYN_GATE, "gate"); }

static int insert_index(lua_State *L)
{
    insert_ref *ir = luaL_checkudata(L, 1, INSERT_MT);
    const char *k = luaL_checkstring(L, 2);
    vm_insert_desc *e = &get_ctx(L)->desc->strips[ir->strip].inserts[ir->index];
    if (e->kind == VM_INSERT_DYNAMICS) {
        const char *mode = dyn_mode_name(e->dyn.mode);
        const char *fields = e->dyn.mode == DSP_DYN_GATE ? "threshold, makeup, range, attack, release, hold"
                                                         : "threshold, ratio, knee, makeup, range, attack, release, hold";
        for (int i = 0; i < VM_DYN_NPARAMS; i++)
            if (strcmp(vm_dyn_param_name((vm_dyn_param)i), k) == 0) {
                if (e->dyn.mode == DSP_DYN_GATE && (i == VM_DYN_RATIO || i == VM_DYN_KNEE))
                    return script_error(L, "a gate has no %s (it only opens and closes; fields: %s)", k, fields);
                push_param(L, (param_kind)(PARAM_DYN_THRESHOLD + i), ir->strip, ir->index);
                return 1;
            }
        return script_error(L, "a %s has no automatable field '%s' (fields: %s; the others are fixed when it is "
                            "made)", mode, k, fields);
    }
    if (e->kind == VM_INSERT_LIMITER || e->kind == VM_INSERT_TRANSIENT) {
        int lim = e->kind == VM_INSERT_LIMITER;
        for (int i = 0; i < VM_INSERT_NSETP; i++)
            if (strcmp(vm_insert_param_name(e->kind, i), k) == 0) {
                push_param(L, (lim ? PARAM_LIM_CEILING : PARAM_SHAPE_ATTACK) + i, ir->strip, ir->index);
                return 1;
            }
        if (lim && strcmp(k, "lookahead") == 0)
            return script_error(L, "a limiter's lookahead cannot move: it is the limiter's latency, fixed when the mix "
                                "is compiled so that every other path can be delayed to match (automatable: ceiling, "
                                "release)");
        return script_error(L, "a %s has no automatable field '%s' (fields: %s)", lim ? "limiter" : "transient shaper",
                            k, lim ? "ceiling, release; the lookahead is fixed" : "attack, sustain");
    }
    if (e->kind != VM_INSERT_EQ)
        return script_error(L, "a %s insert has no field '%s' (its settings are fixed when it is made)",
                            e->kind == VM_INSERT_LIMITER ? "limiter" : e->kind == VM_INSERT_TRANSIENT ? "transient"
                                                                                                 : "dynamics", k);
    if (strcmp(k, "freq") == 0) push_param(L, PARAM_EQ_FREQ, ir->strip, ir->index);
    else if (strcmp(k, "gain") == 0) push_param(L, PARAM_EQ_GAIN, ir->strip, ir->index);
    else if (strcmp(k, "q") == 0) push_param(L, PARAM_EQ_Q, ir->strip, ir->index);
    else if (strcmp(k, "type") == 0) lua_pushstring(L, vm_eq_type_name(e->type));
    else if (strcmp(k, "order") == 0) lua_pushinteger(L, e->order);
    else return script_error(L, "an eq has no field '%s' (fields: freq, gain, q, type, order)", k);
    return 1;
}

/* t:send(bus, -12) or t:send(bus, { level = -12, pre = true }): the strip
 * also feeds bus at `level` dB (default 0), after its fader, or before it
 * with pre = true. Returns the level, a parameter that takes moves. */
static int strip_send(lua_State *L)
{
    strip_ref *r = check_strip(L, 1);
    vm_desc *d = get_ctx(L)->desc;
    char what[300];
    snprintf(what, sizeof what, "%s '%s'", kind_name(&d->strips[r->index]), d->strips[r->index].name);
    strip_ref *to = luaL_testudata(L, 2, STRIP_MT);
    if (!to)
        return script_error(L, "%s:send() needs a bus first: t:send(verb, -12) or t:send(verb, { level = -12, "
                            "pre = true })", what);
    double level = 0;
    int pre = 0;
    if (lua_type(L, 3) == LUA_TNUMBER) {
        level = lua_tonumber(L, 3);
    } else if (lua_istable(L, 3)) {
        static const char *const keys[] = {"level", "pre", NULL};
        check_keys(L, 3, "send", keys, 0);
        opt_number(L, 3, "level", what, -144, 24, &level);
        lua_getfield(L, 3, "pre");
        pre = lua_toboolean(L, -1);
        lua_pop(L, 1);
    } else if (!lua_isnoneornil(L, 3)) {
        return script_error(L, "%s:send(): the level is a number of dB or { level = dB, pre = true } (got %s)", what,
                            luaL_typename(L, 3));
    }
    if (level == -HUGE_VAL || level < -144)
        level = -144;
    if (!(level <= 24))
        return script_error(L, "%s:send(): level = %g dB is out of range (-144 to +24 dB)", what, level);
    vm_strip_desc *s = &d->strips[r->index];
    for (int k = 0; k < s->ndests; k++)
        if (s->dests[k] == to->index)
            return script_error(L, "%s already feeds bus '%s': a send to it as well would count the signal twice",
                                what, d->strips[to->index].name);
    add_dest(L, r->index, to->index);
    s = &d->strips[r->index];
    s->sends = grow(L, s->sends, &s->capsends, s->nsends + 1, sizeof *s->sends);
    vm_send_desc *sd = &s->sends[s->nsends++];
    memset(sd, 0, sizeof *sd);
    sd->dest = to->index;
    sd->pre = pre;
    sd->level.value = level;
    where_here(L, sd->where);
    push_param(L, PARAM_SEND_LEVEL, r->index, s->nsends - 1);
    return 1;
}

static int strip_index(lua_State *L)
{
    vm_strip_desc *s = strip_of(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "name") == 0) lua_pushstring(L, s->name);
    else if (strcmp(k, "kind") == 0) lua_pushstring(L, kind_name(s));
    else if (strcmp(k, "channels") == 0) lua_pushinteger(L, s->channels ? s->channels : 1);
    else if (strcmp(k, "gain") == 0) push_param(L, PARAM_STRIP_GAIN, check_strip(L, 1)->index, 0);
    else if (strcmp(k, "trim") == 0) push_param(L, PARAM_STRIP_TRIM, check_strip(L, 1)->index, 0);
    else if (strcmp(k, "pan") == 0) push_param(L, PARAM_STRIP_PAN, check_strip(L, 1)->index, 0);
    else if (strcmp(k, "mute") == 0) push_param(L, PARAM_STRIP_MUTE, check_strip(L, 1)->index, 0);
    else if (strcmp(k, "solo") == 0) lua_pushboolean(L, s->solo);
    else if (strcmp(k, "clip") == 0) lua_pushcfunction(L, strip_clip);
    else if (strcmp(k, "eq") == 0) lua_pushcfunction(L, strip_eq);
    else if (strcmp(k, "compressor") == 0) lua_pushcfunction(L, strip_compressor);
    else if (strcmp(k, "expander") == 0) lua_pushcfunction(L, strip_expander);
    else if (strcmp(k, "gate") == 0) lua_pushcfunction(L, strip_gate);
    else if (strcmp(k, "limiter") == 0) lua_pushcfunction(L, strip_limiter);
    else if (strcmp(k, "transient") == 0) lua_pushcfunction(L, strip_transient);
    else if (strcmp(k, "to") == 0) lua_pushcfunction(L, strip_to);
    else if (strcmp(k, "send") == 0) lua_pushcfunction(L, strip_send);
    else {
        static const char *const names[] = {"name", "kind", "channels", "gain", "trim", "pan", "mute", "solo", "clip", "to", "eq", "compressor", "expander", "gate", "limiter", "transient", NULL};
        const char *near = vm_suggest(k, names, 16);
        if (near)
            return script_error(L, "%s '%s' has no field '%s'; did you mean '%s'?", kind_name(s), s->name, k, near);
        return script_error(L, "%s '%s' has no field '%s'", kind_name(s), s->name, k);
    }
    return 1;
}

static int strip_newindex(lua_State *L)
{
    vm_strip_desc *s = strip_of(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "gain") == 0 || strcmp(k, "trim") == 0) {
        double v = luaL_checknumber(L, 3);
        check_gain(L, s, v);
        (k[0] == 'g' ? &s->gain : &s->trim)->value = v;
    } else if (strcmp(k, "pan") == 0) {
        double v = luaL_checknumber(L, 3);
        check_pan(L, s, v);
        s->pan.value = v;
    } else if (strcmp(k, "mute") == 0) {
        luaL_checktype(L, 3, LUA_TBOOLEAN);
        s->mute = lua_toboolean(L, 3);
    } else if (strcmp(k, "solo") == 0) {
        luaL_checktype(L, 3, LUA_TBOOLEAN);
        s->solo = lua_toboolean(L, 3);
    } else {
        static const char *const names[] = {"gain", "trim", "pan", "mute", "solo", NULL};
        const char *near = vm_suggest(k, names, 5);
        return script_error(L, "cannot set '%s' on %s '%s'%s%s%s (settable: gain, trim, pan, mute, solo)", k,
                          kind_name(s), s->name, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    return 0;
}

static int strip_tostring(lua_State *L)
{
    vm_strip_desc *s = strip_of(L, 1);
    lua_pushfstring(L, "%s '%s'", kind_name(s), s->name);
    return 1;
}

static int clip_index(lua_State *L)
{
    clip_ref *r = luaL_checkudata(L, 1, CLIP_MT);
    vm_desc *d = get_ctx(L)->desc;
    const vm_clip_desc *k = &d->strips[r->strip].clips[r->clip];
    const char *key = luaL_checkstring(L, 2);
    if (strcmp(key, "at") == 0) lua_pushnumber(L, (double)k->at / d->tb.rate);
    else if (strcmp(key, "length") == 0) lua_pushnumber(L, (double)k->length / d->tb.rate);
    else if (strcmp(key, "finish") == 0) lua_pushnumber(L, (double)(k->at + k->length) / d->tb.rate);
    else if (strcmp(key, "from") == 0) lua_pushnumber(L, (double)k->from / d->tb.rate);
    else if (strcmp(key, "file") == 0) lua_pushstring(L, k->path);
    else if (strcmp(key, "channels") == 0) lua_pushinteger(L, k->channel ? 1 : k->info.channels);
    else if (strcmp(key, "rate") == 0) lua_pushinteger(L, k->info.rate);
    else if (strcmp(key, "gain") == 0) push_param(L, PARAM_CLIP_GAIN, r->strip, r->clip);
    else return script_error(L, "a clip has no field '%s' (fields: at, length, finish, from, file, channels, rate, gain; times in seconds)", key);
    return 1;
}

static int clip_tostring(lua_State *L)
{
    clip_ref *r = luaL_checkudata(L, 1, CLIP_MT);
    vm_desc *d = get_ctx(L)->desc;
    const vm_clip_desc *k = &d->strips[r->strip].clips[r->clip];
    char tc[64];
    vm_time_format(&d->tb, k->at, tc, sizeof tc);
    lua_pushfstring(L, "clip '%s' at %s", vm_path_basename(k->path), tc);
    return 1;
}

/* ---- ducking rules --------------------------------------------------------- */

/* duck { mx, under = dx, depth = -9, attack = 0.08, release = 0.6, hold = 0.2,
 *        preroll = 0.3, bridge = 1.5, threshold = -45 } */
static int l_duck(lua_State *L)
{
    vm_desc *d = get_ctx(L)->desc;
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const keys[] = {"under", "depth", "attack", "release", "hold", "preroll", "bridge",
                                       "threshold", "band", "lookahead", NULL};
    check_keys(L, 1, "duck", keys, 1);
    if (lua_geti(L, 1, 1) == LUA_TNIL)
        return script_error(L, "duck needs the strip to duck first: duck { mx, under = dx, depth = -9 }");
    strip_ref *t = luaL_testudata(L, -1, STRIP_MT);
    if (!t)
        return script_error(L, "duck: the first value must be a track or bus (got %s)", luaL_typename(L, -1));
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "under") == LUA_TNIL)
        return script_error(L, "duck '%s' needs a key: under = the dialogue bus", d->strips[t->index].name);
    strip_ref *k = luaL_testudata(L, -1, STRIP_MT);
    if (!k)
        return script_error(L, "duck: under must be a track or bus (got %s)", luaL_typename(L, -1));
    lua_pop(L, 1);
    if (k->index == t->index)
        return script_error(L, "duck: '%s' cannot duck under itself", d->strips[t->index].name);
    vm_duck_desc du = {.target = t->index, .key = k->index, .depth_db = -9, .threshold_db = -45, .attack_s = 0.08,
                       .release_s = 0.6, .hold_s = 0.2, .preroll_s = 0.3, .bridge_s = 1.5};
    char what[300];
    snprintf(what, sizeof what, "duck '%s' under '%s'", d->strips[t->index].name, d->strips[k->index].name);
    opt_number(L, 1, "depth", what, -60, -0.1, &du.depth_db);
    opt_number(L, 1, "threshold", what, -90, 0, &du.threshold_db);
    opt_number(L, 1, "attack", what, 0, 10, &du.attack_s);
    opt_number(L, 1, "release", what, 0, 30, &du.release_s);
    opt_number(L, 1, "hold", what, 0, 30, &du.hold_s);
    opt_number(L, 1, "preroll", what, 0, 10, &du.preroll_s);
    opt_number(L, 1, "bridge", what, 0, 30, &du.bridge_s);
    opt_number(L, 1, "lookahead", what, 0.01, 10, &du.lookahead_s);
    int realtime = du.lookahead_s > 0;
    if (lua_getfield(L, 1, "band") != LUA_TNIL) {
        if (!lua_istable(L, -1) || luaL_len(L, -1) != 2)
            return script_error(L, "%s: band must be { low_hz, high_hz }, e.g. band = { 1000, 4000 }", what);
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        du.band_lo = lua_tonumber(L, -2);
        du.band_hi = lua_tonumber(L, -1);
        lua_pop(L, 2);
        if (!(du.band_lo >= 20 && du.band_hi > du.band_lo * 1.2 && du.band_hi <= 20000))
            return script_error(L, "%s: band = { %g, %g } must satisfy 20 <= low, low * 1.2 < high <= 20000 Hz", what,
                                du.band_lo, du.band_hi);
        vm_strip_desc *ts = &d->strips[t->index];
        if (realtime)
            goto band_done; /* the insert splits the band itself */
        if (ts->band_hi > 0 && (ts->band_lo != du.band_lo || ts->band_hi != du.band_hi))
            return script_error(L, "%s: '%s' already has a band duck on another band (one band per strip)", what,
                                ts->name);
        ts->band_lo = du.band_lo;
        ts->band_hi = du.band_hi;
    }
band_done:
    lua_pop(L, 1);
    where_here(L, du.where);
    d->ducks = grow(L, d->ducks, &d->capducks, d->nducks + 1, sizeof *d->ducks);
    d->ducks[d->nducks++] = du;
    if (realtime) { /* a keyed insert at the end of the target's chain so far */
        vm_insert_desc e = {.kind = VM_INSERT_DUCK, .key = k->index, .duck = d->nducks - 1};
        push_insert(L, t->index, &e);
        lua_pop(L, 1);
    }
    return 0;
}

/* ---- session and output ------------------------------------------------ */

static int l_session(lua_State *L)
{
    script_ctx *c = get_ctx(L);
    vm_desc *d = c->desc;
    luaL_checktype(L, 1, LUA_TTABLE);
    if (c->session_done)
        return script_error(L, "session{} may be given only once");
    if (c->strips_made)
        return script_error(L, "session{} must come before the first track or bus");
    static const char *const keys[] = {"rate", "fps", "start", "length", NULL};
    check_keys(L, 1, "session", keys, 0);
    double rate = 48000;
    opt_number(L, 1, "rate", "session", 8000, 384000, &rate);
    if (rate != (int)rate)
        return script_error(L, "session: rate must be a whole number of Hz (got %g)", rate);
    char err[DS_ERR_LEN];
    vm_fps fps = d->tb.fps;
    if (lua_getfield(L, 1, "fps") != LUA_TNIL) {
        const char *f = lua_isnumber(L, -1) && !lua_isstring(L, -1) ? NULL : lua_tostring(L, -1);
        char num[32];
        if (lua_type(L, -1) == LUA_TNUMBER) {
            snprintf(num, sizeof num, "%g", lua_tonumber(L, -1));
            f = num;
        }
        if (!f || vm_fps_parse(f, &fps, err) != DS_OK)
            return script_error(L, "session: %s", f ? err : "fps must be a string such as \"23.976\"");
    }
    lua_pop(L, 1);
    const char *start = opt_string(L, 1, "start", "session");
    if (vm_timebase_init(&d->tb, (int)rate, &fps, start, err) != DS_OK)
        return script_error(L, "session: bad value for 'start': %s", err);
    int64_t len;
    if (opt_time(L, 1, "length", "session", VM_TIME_DURATION, &len)) {
        if (len <= 0)
            return script_error(L, "session: length must be greater than zero");
        d->length = len;
    }
    c->session_done = 1;
    return 0;
}

/* output { "out/pm.wav", from = bus, format = "wav24", dither = "auto" } */
static int l_output(lua_State *L)
{
    script_ctx *c = get_ctx(L);
    vm_desc *d = c->desc;
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const keys[] = {"from", "format", "dither", NULL};
    check_keys(L, 1, "output", keys, 1);
    if (lua_geti(L, 1, 1) != LUA_TSTRING)
        return script_error(L, "output needs a file name first: output { \"out/printmaster.wav\", from = pm }");
    const char *file = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "from") == LUA_TNIL)
        return script_error(L, "output '%s' needs a source: from = a bus or track", file);
    strip_ref *src = luaL_testudata(L, -1, STRIP_MT);
    if (!src)
        return script_error(L, "bad value for 'from' in output '%s' (a bus or track expected, got %s)", file,
                          luaL_typename(L, -1));
    int strip = src->index;
    lua_pop(L, 1);

    char err[DS_ERR_LEN];
    vm_out_format fmt = VM_OUT_WAV24;
    const char *fw = opt_string(L, 1, "format", "output");
    if (fw && vm_out_format_parse(fw, &fmt, err) != DS_OK)
        return script_error(L, "output '%s': %s", file, err);
    vm_dither dither = VM_DITHER_AUTO;
    const char *dw = opt_string(L, 1, "dither", "output");
    if (dw) {
        if (strcmp(dw, "auto") == 0) dither = VM_DITHER_AUTO;
        else if (strcmp(dw, "none") == 0) dither = VM_DITHER_NONE;
        else if (strcmp(dw, "tpdf") == 0) dither = VM_DITHER_TPDF;
        else return script_error(L, "output '%s': unknown dither '%s' (auto, none, tpdf)", file, dw);
    }

    char path[PATH_MAX];
    if (c->opts->out_dir) {
        if (vm_path_join(c->opts->out_dir, vm_path_basename(file), path, sizeof path) != 0)
            return script_error(L, "file name too long: '%s'", file);
    } else {
        if (vm_path_join(c->script_dir, file, path, sizeof path) != 0)
            return script_error(L, "file name too long: '%s'", file);
        if (!c->opts->allow_any_path && !vm_path_is_under(path, c->script_dir))
            return script_error(L, "output '%s' is outside the script's folder; use --out DIR, or --allow-paths to "
                              "write anywhere", file);
    }
    for (int i = 0; i < d->noutputs; i++)
        if (strcmp(d->outputs[i].path, path) == 0)
            return script_error(L, "two outputs write '%s' (the other is at %s)", path, d->outputs[i].where);
    d->outputs = grow(L, d->outputs, &d->capoutputs, d->noutputs + 1, sizeof *d->outputs);
    vm_output_desc *o = &d->outputs[d->noutputs];
    memset(o, 0, sizeof *o);
    o->path = dup_or_die(L, path);
    d->noutputs++;
    o->strip = strip;
    o->format = fmt;
    o->dither = dither;
    where_here(L, o->where);
    return 0;
}

/* ---- sandbox: io restricted to allowed folders, require for Lua files ---- */

static int path_allowed(script_ctx *c, const char *path)
{
    if (c->opts->allow_any_path)
        return 1;
    return vm_path_is_under(path, c->script_dir) || vm_path_is_under(path, c->out_root);
}

/* io.open / io.lines wrapper: upvalue 1 is Lua's own function. */
static int sandboxed_io(lua_State *L)
{
    script_ctx *c = get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    char path[PATH_MAX];
    if (vm_path_join(c->script_dir, name, path, sizeof path) != 0)
        return script_error(L, "file name too long");
    if (!path_allowed(c, path))
        return script_error(L, "'%s' is outside the script's folder and the output folder; scripts may only read "
                          "and write there (run with --allow-paths to lift this)", name);
    int nargs = lua_gettop(L); /* the name and whatever follows it */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushstring(L, path);
    for (int i = 2; i <= nargs; i++)
        lua_pushvalue(L, i);
    lua_call(L, nargs, LUA_MULTRET);
    return lua_gettop(L) - nargs;
}

/* load with the mode forced to text: a binary chunk can break the VM. */
static int text_load(lua_State *L)
{
    int n = lua_gettop(L);
    lua_settop(L, n > 3 ? n : 3); /* an absent env must stay absent */
    lua_pushstring(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int l_require(lua_State *L)
{
    script_ctx *c = get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "dubstage.loaded");
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s.lua", name);
    for (char *p = rel; *p && p < rel + strlen(rel) - 4; p++)
        if (*p == '.')
            *p = '/';
    const char *dirs[2] = {c->script_dir, c->opts->stdlib_dir};
    char tried[2 * PATH_MAX + 64] = "";
    for (int i = 0; i < 2; i++) {
        if (!dirs[i])
            continue;
        char path[PATH_MAX];
        if (vm_path_join(dirs[i], rel, path, sizeof path) != 0)
            continue;
        FILE *f = fopen(path, "r");
        if (!f) {
            size_t len = strlen(tried);
            snprintf(tried + len, sizeof tried - len, "\n\tno file '%s'", path);
            continue;
        }
        fclose(f);
        if (luaL_loadfilex(L, path, "t") != LUA_OK)
            return lua_error(L);
        lua_pushstring(L, name);
        lua_call(L, 1, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushboolean(L, 1);
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, 2, name); /* registry's loaded table */
        return 1;
    }
    return script_error(L, "module '%s' not found:%s", name, tried);
}

static void open_sandbox(lua_State *L)
{
    static const struct { const char *name; lua_CFunction open; } libs[] = {
        {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
        {LUA_MATHLIBNAME, luaopen_math},  {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_COLIBNAME, luaopen_coroutine},
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].open, 1);
        lua_pop(L, 1);
    }
    /* base functions that reach the file system or load bytecode */
    static const char *const unsafe[] = {"dofile", "loadfile", NULL};
    for (int i = 0; unsafe[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, unsafe[i]);
    }
    /* os: time only */
    luaL_requiref(L, "os", luaopen_os, 0);
    lua_newtable(L);
    static const char *const os_safe[] = {"clock", "time", "date", "difftime", NULL};
    for (int i = 0; os_safe[i]; i++) {
        lua_getfield(L, -2, os_safe[i]);
        lua_setfield(L, -2, os_safe[i]);
    }
    lua_setglobal(L, "os");
    lua_pop(L, 1);
    /* io: open and lines, restricted to the allowed folders, plus write to stdout */
    luaL_requiref(L, "io", luaopen_io, 0);
    lua_newtable(L);
    static const char *const io_wrapped[] = {"open", "lines", NULL};
    for (int i = 0; io_wrapped[i]; i++) {
        lua_getfield(L, -2, io_wrapped[i]);
        lua_pushcclosure(L, sandboxed_io, 1);
        lua_setfield(L, -2, io_wrapped[i]);
    }
    lua_getfield(L, -2, "write");
    lua_setfield(L, -2, "write");
    lua_setglobal(L, "io");
    lua_pop(L, 1);
    /* load: text chunks only */
    lua_getglobal(L, "load");
    lua_pushcclosure(L, text_load, 1);
    lua_setglobal(L, "load");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "dubstage.loaded");
    lua_register(L, "require", l_require);
}

static const luaL_Reg strip_methods[] = {
    {"__index", strip_index}, {"__newindex", strip_newindex}, {"__call", strip_call},
    {"__tostring", strip_tostring}, {NULL, NULL}};
static const luaL_Reg clip_methods[] = {{"__index", clip_index}, {"__tostring", clip_tostring}, {NULL, NULL}};
static const luaL_Reg markers_methods[] = {
    {"__call", markers_call}, {"__index", markers_index}, {"__len", markers_len}, {"__gc", markers_gc}, {NULL, NULL}};
static const luaL_Reg insert_methods[] = {{"__index", insert_index}, {NULL, NULL}};
static const luaL_Reg param_methods[] = {{"__index", param_index}, {"__tostring", param_tostring}, {NULL, NULL}};
static const luaL_Reg vca_methods[] = {
    {"__index", vca_index}, {"__newindex", vca_newindex}, {"__call", vca_call}, {NULL, NULL}};
static const luaL_Reg mute_group_methods[] = {
    {"__index", mute_group_index}, {"__newindex", mute_group_newindex}, {"__call", mute_group_call}, {NULL, NULL}};
static const luaL_Reg mix_funcs[] = {
    {"session", l_session}, {"track", l_track}, {"bus", l_bus}, {"output", l_output},
    {"vca", l_vca},         {"mute_group", l_mute_group}, {"markers", l_markers}, {"duck", l_duck}, {"trims", l_trims},
    {NULL, NULL}};

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = luaL_tolstring(L, 1, NULL);
    lua_pushstring(L, msg);
    return 1;
}

/* The protected part: everything that may raise. */
static int run_script(lua_State *L)
{
    const char *path = lua_touserdata(L, 1);
    luaL_newmetatable(L, STRIP_MT);
    luaL_setfuncs(L, strip_methods, 0);
    lua_pop(L, 1);
    luaL_newmetatable(L, CLIP_MT);
    luaL_setfuncs(L, clip_methods, 0);
    lua_pop(L, 1);
    luaL_newmetatable(L, MARKERS_MT);
    luaL_setfuncs(L, markers_methods, 0);
    lua_pop(L, 1);
    luaL_newmetatable(L, INSERT_MT);
    luaL_setfuncs(L, insert_methods, 0);
    lua_pop(L, 1);
    luaL_newmetatable(L, PARAM_MT);
    luaL_setfuncs(L, param_methods, 0);
    lua_pop(L, 1);
    luaL_newmetatable(L, VCA_MT);
    luaL_setfuncs(L, vca_methods, 0);
    lua_pop(L, 1);
    luaL_newmetatable(L, MUTEGROUP_MT);
    luaL_setfuncs(L, mute_group_methods, 0);
    lua_pop(L, 1);
    open_sandbox(L);
    lua_pushglobaltable(L);
    luaL_setfuncs(L, mix_funcs, 0);
    lua_pop(L, 1);
    lua_pushcfunction(L, traceback);
    int h = lua_gettop(L);
    int r = luaL_loadfilex(L, path, "t");
    if (r != LUA_OK)
        return lua_error(L);
    if (lua_pcall(L, 0, 0, h) != LUA_OK)
        return lua_error(L);
    return apply_trims(L);
}

ds_result vm_script_load(const char *path, const vm_script_opts *opts, vm_desc *desc, char *err)
{
    script_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    vm_desc_init(desc);
    desc->script_path = strdup(path);
    ctx.desc = desc;
    ctx.opts = opts;
    vm_path_dirname(path, ctx.script_dir, sizeof ctx.script_dir);
    vm_path_normalize(ctx.script_dir);
    snprintf(ctx.out_root, sizeof ctx.out_root, "%s", opts->out_dir ? opts->out_dir : ctx.script_dir);
    vm_path_normalize(ctx.out_root);

    FILE *f = fopen(path, "r");
    if (!f)
        return ds_fail(err, DS_ERR_IO, "cannot open script '%s': %s", path, strerror(errno));
    fclose(f);

    lua_State *L = luaL_newstate();
    if (!L)
        return ds_fail(err, DS_ERR_NOMEM, "cannot create the Lua state: out of memory");
    lua_pushlightuserdata(L, &ctx);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
    lua_pushcfunction(L, run_script);
    lua_pushlightuserdata(L, (void *)path);
    ds_result res = DS_OK;
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        res = ds_fail(err, DS_ERR_SCRIPT, "%s", msg ? msg : "error in the mix script");
    }
    for (int i = 0; i < desc->nstrips; i++)
        if (desc->strips[i].channels == 0)
            desc->strips[i].channels = 1; /* a track that never got a clip */
    lua_close(L);
    return res;
}
