/* script_strip.c - tracks and buses (track "X" { ... }, t.gain, t:to),
 * their clips (t:clip { ... }) and sends (t:send). */
#include "vm/script_priv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vm/path.h"
#include "vm/suggest.h"

strip_ref *script_check_strip(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, STRIP_MT);
}

static vm_strip_desc *script_strip_of(lua_State *L, int idx)
{
    strip_ref *r = script_check_strip(L, idx);
    return &script_get_ctx(L)->desc->strips[r->index];
}

const char *script_kind_name(const vm_strip_desc *s)
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
    vm_desc *d = script_get_ctx(L)->desc;
    vm_strip_desc *dst = &d->strips[to_idx];
    vm_strip_desc *src = &d->strips[from];
    if (dst->kind != VM_STRIP_BUS)
        vm_script_error(L, "cannot route %s '%s' into track '%s': route into a bus", script_kind_name(src), src->name, dst->name);
    if (from == to_idx)
        vm_script_error(L, "routing loop: bus '%s' feeds itself", src->name);
    for (int i = 0; i < src->ndests; i++)
        if (src->dests[i] == to_idx)
            return;
    src->dests = script_grow(L, src->dests, &src->capdests, src->ndests + 1, sizeof *src->dests);
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
        vm_script_error(L, "bad value for 'to' in %s (a bus or a list of buses expected, got %s)", what, luaL_typename(L, idx));
    lua_Integer n = luaL_len(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, idx, i);
        if (!luaL_testudata(L, -1, STRIP_MT))
            vm_script_error(L, "bad value for 'to' in %s (entry %d is a %s, not a bus)", what, (int)i, luaL_typename(L, -1));
        add_dest(L, from, ((strip_ref *)lua_touserdata(L, -1))->index);
        lua_pop(L, 1);
    }
}

static void set_channels(lua_State *L, vm_strip_desc *s, double v)
{
    int ch = (int)v;
    if (ch != v)
        vm_script_error(L, "%s '%s': channels must be a whole number (got %g)", script_kind_name(s), s->name, v);
    if (s->layout != VM_LAYOUT_PLAIN && vm_layout_channels(s->layout) != ch)
        vm_script_error(L, "%s '%s': channels = %d conflicts with its layout \"%s\" (%d channels, set at %s)",
                        script_kind_name(s), s->name, ch, vm_layout_name(s->layout),
                        vm_layout_channels(s->layout), s->channels_where);
    if (s->nclips > 0 && s->channels != ch)
        vm_script_error(L, "%s '%s' already holds %d-channel clips; cannot make it %d channels", script_kind_name(s), s->name,
                   s->channels, ch);
    s->channels = ch;
    script_where(L, s->channels_where);
}

/* { layout = "5.1" }: the layout and its channel count; a channels = N in
 * the same table must agree (set_channels checks it after this) */
static void set_layout(lua_State *L, vm_strip_desc *s, const char *word)
{
    char err[DS_ERR_LEN];
    vm_layout l;
    if (vm_layout_parse(word, &l, err) != DS_OK)
        vm_script_error(L, "%s '%s': %s", script_kind_name(s), s->name, err);
    int ch = vm_layout_channels(l);
    if (s->nclips > 0 && s->channels != ch)
        vm_script_error(L, "%s '%s' already holds %d-channel clips; cannot make it %s (%d channels)",
                        script_kind_name(s), s->name, s->channels, vm_layout_name(l), ch);
    s->layout = l;
    s->channels = ch;
    script_where(L, s->channels_where);
}

static void check_pan(lua_State *L, const vm_strip_desc *s, double v)
{
    if (!(v >= -1 && v <= 1))
        vm_script_error(L, "%s '%s': pan = %g is out of range (-1 = left to 1 = right)", script_kind_name(s), s->name, v);
}

/* track "NAME" { options } / bus "NAME" { options }: the call form */
static int strip_call(lua_State *L)
{
    strip_ref *r = script_check_strip(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    vm_desc *d = script_get_ctx(L)->desc;
    vm_strip_desc *s = &d->strips[r->index];
    char what[300];
    snprintf(what, sizeof what, "%s '%s'", script_kind_name(s), s->name);
    static const char *const keys[] = {"channels", "layout", "to", "gain", "trim", "pan", "pan_fr", "pan_spread",
                                       "pan_center", "pan_lfe", "pan_width", "mute", "solo", NULL};
    _Static_assert(VM_SURROUND_NPARAMS == 5, "keys[] lists every surround setting");
    script_check_keys(L, 2, what, keys, 0);
    double v;
    const char *lw = script_opt_string(L, 2, "layout", what);
    if (lw)
        set_layout(L, s, lw);
    if (script_opt_number(L, 2, "channels", what, 1, VM_MAX_CHANNELS, &v))
        set_channels(L, s, v);
    if (script_opt_gain_db(L, 2, "gain", what, &v))
        s->gain.value = v;
    if (script_opt_gain_db(L, 2, "trim", what, &v))
        s->trim.value = v;
    if (script_opt_any_number(L, 2, "pan", what, &v)) {
        check_pan(L, s, v);
        s->pan.value = v;
    }
    for (int k = 0; k < VM_SURROUND_NPARAMS; k++)
        if (script_opt_any_number(L, 2, vm_surround_params[k].name, what, &v))
            s->surround[k].value = script_surround_value(L, k, v, what, vm_surround_params[k].name);
    script_opt_bool(L, 2, "mute", what, &s->mute);
    script_opt_bool(L, 2, "solo", what, &s->solo);
    if (lua_getfield(L, 2, "to") != LUA_TNIL)
        route_value(L, r->index, -1, what);
    lua_pop(L, 1);
    lua_settop(L, 1);
    return 1;
}

/* A new strip called name (not taken), made on this script line. */
static vm_strip_desc *add_strip(lua_State *L, const char *name, vm_strip_kind kind)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    d->strips = script_grow(L, d->strips, &d->capstrips, d->nstrips + 1, sizeof *d->strips);
    vm_strip_desc *s = &d->strips[d->nstrips];
    memset(s, 0, sizeof *s);
    s->name = script_strdup(L, name);
    d->nstrips++;
    script_index_add(L, c, SCRIPT_INDEX_STRIP, s->name, d->nstrips - 1);
    s->kind = kind;
    for (int k = 0; k < VM_SURROUND_NPARAMS; k++)
        s->surround[k].value = vm_surround_params[k].def;
    s->channels = kind == VM_STRIP_BUS ? 2 : 0; /* a track takes its first clip's count */
    script_where(L, s->where);
    return s;
}

static int new_strip(lua_State *L, vm_strip_kind kind)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    const char *name = luaL_checkstring(L, 1);
    if (!name[0])
        return vm_script_error(L, "a %s needs a name", kind == VM_STRIP_TRACK ? "track" : "bus");
    int prev = script_index_find(c, SCRIPT_INDEX_STRIP, name);
    if (prev >= 0)
        return vm_script_error(L, "a %s called '%s' already exists (made at %s); names must be unique",
                          script_kind_name(&d->strips[prev]), name, d->strips[prev].where);
    add_strip(L, name, kind);
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

int script_implicit_fold_bus(lua_State *L, int from, vm_layout layout, int opts, const char *what)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    char name[300];
    snprintf(name, sizeof name, "%s_%s", d->strips[from].name, vm_downmix_name(layout));
    for (int k = 2; script_index_find(c, SCRIPT_INDEX_STRIP, name) >= 0; k++)
        snprintf(name, sizeof name, "%s_%s_%d", d->strips[from].name, vm_downmix_name(layout), k);
    vm_strip_desc *s = add_strip(L, name, VM_STRIP_BUS);
    s->layout = layout;
    s->channels = vm_layout_channels(layout);
    script_where(L, s->channels_where);
    int bus = d->nstrips - 1;
    add_dest(L, from, bus);
    script_route_options(L, from, bus, opts, what);
    return bus;
}

int script_track(lua_State *L) { return new_strip(L, VM_STRIP_TRACK); }
int script_bus(lua_State *L) { return new_strip(L, VM_STRIP_BUS); }

/* The fold-down keys of the table at idx (downmix = "LoRo", centre = dB,
 * surround = dB, lfe = dB, mono = dB), when it has any, as the settings of
 * the route from -> to (vm_route_desc). */
void script_route_options(lua_State *L, int from, int to, int idx, const char *what)
{
    static const char *const gain_keys[] = {"centre", "surround", "lfe", "mono"};
    vm_desc *d = script_get_ctx(L)->desc;
    vm_route_desc rd;
    memset(&rd, 0, sizeof rd);
    rd.dest = to;
    rd.downmix = -1;
    vm_fold_gains_default(&rd.gains);
    double *gains[] = {&rd.gains.centre_db, &rd.gains.surround_db, &rd.gains.lfe_db, &rd.gains.mono_db};
    int any = 0;
    const char *w = script_opt_string(L, idx, "downmix", what);
    if (w) {
        char err[DS_ERR_LEN];
        vm_layout l;
        if (vm_downmix_parse(w, &l, err) != DS_OK)
            vm_script_error(L, "%s: %s", what, err);
        rd.downmix = (int)l;
        any = 1;
    }
    for (int k = 0; k < 4; k++) {
        double v;
        if (script_opt_any_number(L, idx, gain_keys[k], what, &v)) {
            v = script_gain_db(L, v, what, gain_keys[k]);
            *gains[k] = v <= VM_LANE_DB_SILENCE ? -HUGE_VAL : v;
            any = 1;
        }
    }
    if (!any)
        return;
    script_where(L, rd.where);
    vm_strip_desc *s = &d->strips[from];
    for (int k = 0; k < s->nroutes; k++)
        if (s->routes[k].dest == to) {
            s->routes[k] = rd;
            return;
        }
    s->routes = script_grow(L, s->routes, &s->caproutes, s->nroutes + 1, sizeof *s->routes);
    s->routes[s->nroutes++] = rd;
}

/* strip:to(bus [, bus ...] [, { downmix = "LoRo", centre = -3, ... }]) */
static int strip_to(lua_State *L)
{
    strip_ref *r = script_check_strip(L, 1);
    vm_strip_desc *s = script_strip_of(L, 1);
    char what[300];
    snprintf(what, sizeof what, "%s '%s'", script_kind_name(s), s->name);
    int n = lua_gettop(L), opts = 0;
    if (n >= 3 && lua_istable(L, n) && !luaL_testudata(L, n, STRIP_MT)) { /* a last table that is no list */
        int list = lua_geti(L, n, 1) != LUA_TNIL;
        lua_pop(L, 1);
        if (!list) {
            static const char *const keys[] = {"downmix", "centre", "surround", "lfe", "mono", NULL};
            char call[320];
            snprintf(call, sizeof call, "%s:to()", what);
            script_check_keys(L, n, call, keys, 0);
            opts = n--;
        }
    }
    if (n < 2)
        return vm_script_error(L, "%s:to() needs a bus", what);
    for (int i = 2; i <= n; i++) {
        int before = script_strip_of(L, 1)->ndests;
        route_value(L, r->index, i, what);
        vm_strip_desc *now = script_strip_of(L, 1);
        for (int k = before; opts && k < now->ndests; k++) {
            char call[320];
            snprintf(call, sizeof call, "%s:to()", what);
            script_route_options(L, r->index, now->dests[k], opts, call);
        }
        if (opts && now->ndests == before && luaL_testudata(L, i, STRIP_MT)) /* already routed: settings anew */
            script_route_options(L, r->index, ((strip_ref *)lua_touserdata(L, i))->index, opts, what);
    }
    lua_settop(L, 1);
    return 1;
}

static vm_fade_curve check_curve(lua_State *L, const char *word, const char *key)
{
    static const char *const names[] = {"linear", "equal_power", "s_curve", "exponential", NULL}; /* vm_fade_curve order */
    char what[64];
    snprintf(what, sizeof what, "bad value for '%s' in clip", key);
    return (vm_fade_curve)script_word(L, word, names, what, "fade curve", "curves");
}

/* track:clip { "file", at = T, from = T, length = T, gain = dB, fade_in = T,
 *              fade_out = T, curve = C, fade_in_curve = C, fade_out_curve = C,
 *              channel = k } */
static int strip_clip(lua_State *L)
{
    script_check_strip(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) { /* t:clip("file", {opts}) */
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_pushvalue(L, 2);
        lua_seti(L, 3, 1);
        lua_remove(L, 2);
    }
    return script_clip_add(L, 1, 2);
}

int script_clip_add(lua_State *L, int strip, int opts)
{
    strip_ref *r = script_check_strip(L, strip);
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    vm_strip_desc *s = &d->strips[r->index];
    if (s->kind != VM_STRIP_TRACK)
        return vm_script_error(L, "bus '%s' cannot hold clips: put clips on a track routed to it", s->name);
    luaL_checktype(L, opts, LUA_TTABLE);
    static const char *const keys[] = {"at", "from", "length", "gain", "fade_in", "fade_out", "curve",
                                       "fade_in_curve", "fade_out_curve", "channel", NULL};
    char what[300];
    snprintf(what, sizeof what, "clip on track '%s'", s->name);
    script_check_keys(L, opts, what, keys, 1);
    if (lua_geti(L, opts, 1) != LUA_TSTRING)
        return vm_script_error(L, "clip on track '%s' needs a file name first: t:clip { \"media/x.wav\", at = ... }", s->name);
    const char *file = lua_tostring(L, -1);
    lua_pop(L, 1);

    char path[PATH_MAX], where[VM_WHERE_LEN], err[DS_ERR_LEN];
    script_where(L, where);
    if (vm_sandbox_media(&c->sb, file, where, path, sizeof path, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    vm_media_info info;
    if (script_probe(L, path, &info, err) != DS_OK || vm_media_check_rate(path, &info, d->tb.rate, err) != DS_OK)
        return vm_script_error(L, "%s", err);

    vm_clip_desc k;
    memset(&k, 0, sizeof k);
    k.info = info;
    if (!script_opt_time(L, opts, "at", what, VM_TIME_POSITION, &k.at))
        return vm_script_error(L, "clip '%s' needs a place on the timeline: at = \"01:00:00:00\" (or seconds)", file);
    char b1[64], b2[64];
    if (k.at < 0) {
        /* the timecode of a negative position wraps (23:59:59:00), so say how far before */
        script_fmt_duration(d, -k.at, b1, sizeof b1);
        vm_time_format(&d->tb, 0, b2, sizeof b2);
        lua_getfield(L, opts, "at");
        return vm_script_error(L, "clip '%s' at = %s starts %s before the session start %s", file,
                          luaL_tolstring(L, -1, NULL), b1, b2);
    }
    script_opt_time(L, opts, "from", what, VM_TIME_DURATION, &k.from);
    if (k.from < 0) {
        script_fmt_duration(d, k.from, b1, sizeof b1);
        return vm_script_error(L, "clip '%s': from = %s must not be negative", file, b1);
    }
    int64_t avail = vm_media_frames_at(&info, d->tb.rate) - k.from;
    if (avail <= 0) {
        script_fmt_duration(d, k.from, b1, sizeof b1);
        script_fmt_duration(d, vm_media_frames_at(&info, d->tb.rate), b2, sizeof b2);
        return vm_script_error(L, "clip '%s': from = %s is past the end of the file (%s long)", file, b1, b2);
    }
    k.length = avail;
    if (script_opt_time(L, opts, "length", what, VM_TIME_DURATION, &k.length)) {
        if (k.length <= 0) {
            script_fmt_duration(d, k.length, b1, sizeof b1);
            return vm_script_error(L, "clip '%s': length = %s must be greater than zero", file, b1);
        }
        if (k.length > avail) {
            script_fmt_duration(d, k.length, b1, sizeof b1);
            script_fmt_duration(d, avail, b2, sizeof b2);
            return vm_script_error(L, "clip '%s': length = %s runs past the end of the file (%s available after 'from')",
                              file, b1, b2);
        }
    }
    double g = 0;
    if (script_opt_gain_db(L, opts, "gain", what, &g))
        k.gain.value = g;
    script_opt_time(L, opts, "fade_in", what, VM_TIME_DURATION, &k.fade_in);
    script_opt_time(L, opts, "fade_out", what, VM_TIME_DURATION, &k.fade_out);
    if (k.fade_in < 0 || k.fade_out < 0)
        return vm_script_error(L, "clip '%s': fades must not be negative", file);
    if (k.fade_in + k.fade_out > k.length) {
        script_fmt_duration(d, k.fade_in + k.fade_out, b1, sizeof b1);
        script_fmt_duration(d, k.length, b2, sizeof b2);
        return vm_script_error(L, "clip '%s': fade_in + fade_out (%s) is longer than the clip (%s)", file, b1, b2);
    }
    k.fade_in_curve = k.fade_out_curve = VM_FADE_LINEAR;
    const char *cw;
    if ((cw = script_opt_string(L, opts, "curve", what)))
        k.fade_in_curve = k.fade_out_curve = check_curve(L, cw, "curve");
    if ((cw = script_opt_string(L, opts, "fade_in_curve", what)))
        k.fade_in_curve = check_curve(L, cw, "fade_in_curve");
    if ((cw = script_opt_string(L, opts, "fade_out_curve", what)))
        k.fade_out_curve = check_curve(L, cw, "fade_out_curve");
    double ch = 0;
    if (script_opt_number(L, opts, "channel", what, 1, info.channels, &ch)) {
        if (ch != (int)ch)
            return vm_script_error(L, "clip '%s': channel must be a whole number", file);
        k.channel = (int)ch;
    }
    int clip_ch = k.channel ? 1 : info.channels;
    if (s->channels == 0) {
        s->channels = clip_ch;
        script_where(L, s->channels_where);
    }
    if (clip_ch != s->channels && clip_ch != 1) {
        if (s->channels == 1)
            return vm_script_error(L, "clip '%s' has %d channels but track '%s' is mono: pick one with channel = 1..%d, "
                              "or make the track %d channels", file, clip_ch, s->name, clip_ch, clip_ch);
        return vm_script_error(L, "clip '%s' has %d channels but track '%s' has %d: pick one with channel = k, "
                          "or use a %d-channel track", file, clip_ch, s->name, s->channels, clip_ch);
    }
    script_where(L, k.where);
    s->clips = script_grow(L, s->clips, &s->capclips, s->nclips + 1, sizeof *s->clips);
    k.path = script_strdup(L, path);
    s->clips[s->nclips++] = k;

    clip_ref *cr = lua_newuserdatauv(L, sizeof *cr, 0);
    cr->strip = r->index;
    cr->clip = s->nclips - 1;
    luaL_setmetatable(L, CLIP_MT);
    return 1;
}

/* t:send(bus, -12) or t:send(bus, { level = -12, pre = true }): the strip
 * also feeds bus at `level` dB (default 0), after its fader, or before it
 * with pre = true. Returns the level, a parameter that takes moves. */
static int strip_send(lua_State *L)
{
    strip_ref *r = script_check_strip(L, 1);
    vm_desc *d = script_get_ctx(L)->desc;
    char what[300];
    snprintf(what, sizeof what, "%s '%s'", script_kind_name(&d->strips[r->index]), d->strips[r->index].name);
    strip_ref *to = luaL_testudata(L, 2, STRIP_MT);
    if (!to)
        return vm_script_error(L, "%s:send() needs a bus first: t:send(verb, -12) or t:send(verb, { level = -12, "
                            "pre = true })", what);
    double level = 0;
    int pre = 0;
    char call[320];
    snprintf(call, sizeof call, "%s:send()", what);
    if (lua_type(L, 3) == LUA_TNUMBER) {
        level = script_gain_db(L, lua_tonumber(L, 3), call, "level");
    } else if (lua_istable(L, 3)) {
        static const char *const keys[] = {"level", "pre", "downmix", "centre", "surround", "lfe", "mono", NULL};
        script_check_keys(L, 3, "send", keys, 0);
        script_opt_gain_db(L, 3, "level", call, &level);
        lua_getfield(L, 3, "pre");
        pre = lua_toboolean(L, -1);
        lua_pop(L, 1);
    } else if (!lua_isnoneornil(L, 3)) {
        return vm_script_error(L, "%s:send(): the level is a number of dB or { level = dB, pre = true } (got %s)", what,
                            luaL_typename(L, 3));
    }
    vm_strip_desc *s = &d->strips[r->index];
    for (int k = 0; k < s->ndests; k++)
        if (s->dests[k] == to->index)
            return vm_script_error(L, "%s already feeds bus '%s': a send to it as well would count the signal twice",
                                what, d->strips[to->index].name);
    add_dest(L, r->index, to->index);
    s = &d->strips[r->index];
    s->sends = script_grow(L, s->sends, &s->capsends, s->nsends + 1, sizeof *s->sends);
    vm_send_desc *sd = &s->sends[s->nsends++];
    memset(sd, 0, sizeof *sd);
    sd->dest = to->index;
    sd->pre = pre;
    sd->level.value = level;
    script_where(L, sd->where);
    if (lua_istable(L, 3))
        script_route_options(L, r->index, to->index, 3, call);
    script_push_param(L, PARAM_SEND_LEVEL, r->index, d->strips[r->index].nsends - 1);
    return 1;
}

/* the methods of a strip handle (t:clip { ... }, t:send(b, -6), ...) */
static const luaL_Reg strip_calls[] = {
    {"clip", strip_clip}, {"to", strip_to}, {"send", strip_send}, {"eq", script_strip_eq},
    {"compressor", script_strip_compressor}, {"expander", script_strip_expander}, {"gate", script_strip_gate},
    {"limiter", script_strip_limiter}, {"transient", script_strip_transient}, {"saturate", script_strip_saturate},
    {"bitcrush", script_strip_bitcrush}, {"delay", script_strip_delay},
    {"width", script_strip_width}, {"ms", script_strip_ms}, {"polarity", script_strip_polarity},
    {"channel_map", script_strip_channel_map}, {"convolve", script_strip_convolve},
    {"reverb", script_strip_reverb},
    {NULL, NULL}};

/* The surround setting called k, or -1. */
static int surround_index(const char *k)
{
    for (int i = 0; i < VM_SURROUND_NPARAMS; i++)
        if (strcmp(k, vm_surround_params[i].name) == 0)
            return i;
    return -1;
}

/* The fields of a strip a script reads (`settable`: those it may set), the
 * surround settings after pan, NULL-terminated in names (room for 20). */
static int strip_fields(const char **names, int settable)
{
    static const char *const before[] = {"name", "kind", "channels", "layout", "gain", "trim", "pan"};
    int n = 0;
    for (size_t i = settable ? 4 : 0; i < sizeof before / sizeof before[0]; i++)
        names[n++] = before[i];
    for (int k = 0; k < VM_SURROUND_NPARAMS; k++)
        names[n++] = vm_surround_params[k].name;
    names[n++] = "mute";
    names[n++] = "solo";
    names[n] = NULL;
    return n;
}

static int strip_index(lua_State *L)
{
    vm_strip_desc *s = script_strip_of(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "name") == 0) lua_pushstring(L, s->name);
    else if (strcmp(k, "kind") == 0) lua_pushstring(L, script_kind_name(s));
    else if (strcmp(k, "channels") == 0) lua_pushinteger(L, s->channels ? s->channels : 1);
    else if (strcmp(k, "layout") == 0) lua_pushstring(L, vm_layout_name(vm_layout_resolve(s->layout, s->channels ? s->channels : 1)));
    else if (strcmp(k, "gain") == 0) script_push_param(L, PARAM_STRIP_GAIN, script_check_strip(L, 1)->index, 0);
    else if (strcmp(k, "trim") == 0) script_push_param(L, PARAM_STRIP_TRIM, script_check_strip(L, 1)->index, 0);
    else if (strcmp(k, "pan") == 0) script_push_param(L, PARAM_STRIP_PAN, script_check_strip(L, 1)->index, 0);
    else if (strcmp(k, "mute") == 0) script_push_param(L, PARAM_STRIP_MUTE, script_check_strip(L, 1)->index, 0);
    else if (strcmp(k, "solo") == 0) lua_pushboolean(L, s->solo);
    else if (surround_index(k) >= 0) {
        script_push_param(L, PARAM_STRIP_SURROUND, script_check_strip(L, 1)->index, 0);
        ((param_ref *)lua_touserdata(L, -1))->lane = surround_index(k);
    } else {
        for (int i = 0; strip_calls[i].name; i++)
            if (strcmp(k, strip_calls[i].name) == 0) {
                lua_pushcfunction(L, strip_calls[i].func);
                return 1;
            }
        const char *names[20 + sizeof strip_calls / sizeof strip_calls[0]];
        int nf = strip_fields(names, 0), n = nf;
        for (int i = 0; strip_calls[i].name; i++)
            names[n++] = strip_calls[i].name;
        names[n] = NULL;
        char mean[96], fields[256], methods[256];
        names[nf] = NULL; /* the fields alone, joined */
        script_join(names, fields, sizeof fields);
        names[nf] = strip_calls[0].name;
        return vm_script_error(L, "%s '%s' has no field '%s'%s (fields: %s; methods: %s)", script_kind_name(s), s->name,
                               k, script_did_you_mean(k, names, mean, sizeof mean), fields,
                               script_join(names + nf, methods, sizeof methods));
    }
    return 1;
}

static int strip_newindex(lua_State *L)
{
    vm_strip_desc *s = script_strip_of(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "gain") == 0 || strcmp(k, "trim") == 0) {
        char what[300];
        snprintf(what, sizeof what, "%s '%s'", script_kind_name(s), s->name);
        (k[0] == 'g' ? &s->gain : &s->trim)->value = script_gain_db(L, luaL_checknumber(L, 3), what, k);
    } else if (strcmp(k, "pan") == 0) {
        double v = luaL_checknumber(L, 3);
        check_pan(L, s, v);
        s->pan.value = v;
    } else if (surround_index(k) >= 0) {
        char what[300];
        snprintf(what, sizeof what, "%s '%s'", script_kind_name(s), s->name);
        s->surround[surround_index(k)].value = script_surround_value(L, surround_index(k), luaL_checknumber(L, 3), what, k);
    } else if (strcmp(k, "mute") == 0) {
        luaL_checktype(L, 3, LUA_TBOOLEAN);
        s->mute = lua_toboolean(L, 3);
    } else if (strcmp(k, "solo") == 0) {
        luaL_checktype(L, 3, LUA_TBOOLEAN);
        s->solo = lua_toboolean(L, 3);
    } else {
        const char *names[20];
        strip_fields(names, 1);
        char mean[96], list[256];
        return vm_script_error(L, "cannot set '%s' on %s '%s'%s (settable: %s)", k, script_kind_name(s), s->name,
                               script_did_you_mean(k, names, mean, sizeof mean), script_join(names, list, sizeof list));
    }
    return 0;
}

static int strip_tostring(lua_State *L)
{
    vm_strip_desc *s = script_strip_of(L, 1);
    lua_pushfstring(L, "%s '%s'", script_kind_name(s), s->name);
    return 1;
}

static int clip_index(lua_State *L)
{
    clip_ref *r = luaL_checkudata(L, 1, CLIP_MT);
    vm_desc *d = script_get_ctx(L)->desc;
    const vm_clip_desc *k = &d->strips[r->strip].clips[r->clip];
    const char *key = luaL_checkstring(L, 2);
    if (strcmp(key, "at") == 0) lua_pushnumber(L, (double)k->at / d->tb.rate);
    else if (strcmp(key, "length") == 0) lua_pushnumber(L, (double)k->length / d->tb.rate);
    else if (strcmp(key, "finish") == 0) lua_pushnumber(L, (double)(k->at + k->length) / d->tb.rate);
    else if (strcmp(key, "from") == 0) lua_pushnumber(L, (double)k->from / d->tb.rate);
    else if (strcmp(key, "file") == 0) lua_pushstring(L, k->path);
    else if (strcmp(key, "channels") == 0) lua_pushinteger(L, k->channel ? 1 : k->info.channels);
    else if (strcmp(key, "rate") == 0) lua_pushinteger(L, k->info.rate);
    else if (strcmp(key, "gain") == 0) script_push_param(L, PARAM_CLIP_GAIN, r->strip, r->clip);
    else {
        static const char *const names[] = {"at", "length", "finish", "from", "file", "channels", "rate", "gain", NULL};
        char mean[96];
        return vm_script_error(L, "a clip has no field '%s'%s (fields: at, length, finish, from, file, channels, rate, "
                               "gain; times in seconds)", key, script_did_you_mean(key, names, mean, sizeof mean));
    }
    return 1;
}

/* c.gain = dB: the clip's static gain (one rule for gains: script_gain_db);
 * its other fields are given when it is made */
static int clip_newindex(lua_State *L)
{
    clip_ref *r = luaL_checkudata(L, 1, CLIP_MT);
    vm_desc *d = script_get_ctx(L)->desc;
    vm_clip_desc *k = &d->strips[r->strip].clips[r->clip];
    const char *key = luaL_checkstring(L, 2);
    char what[400];
    snprintf(what, sizeof what, "clip '%s' on track '%s'", vm_path_basename(k->path), d->strips[r->strip].name);
    if (strcmp(key, "gain") == 0) {
        k->gain.value = script_gain_db(L, luaL_checknumber(L, 3), what, "gain");
        return 0;
    }
    static const char *const names[] = {"gain", NULL};
    char mean[96];
    return vm_script_error(L, "cannot set '%s' on %s%s (settable: gain; the others are given in t:clip { ... })", key,
                           what, script_did_you_mean(key, names, mean, sizeof mean));
}

static int clip_tostring(lua_State *L)
{
    clip_ref *r = luaL_checkudata(L, 1, CLIP_MT);
    vm_desc *d = script_get_ctx(L)->desc;
    const vm_clip_desc *k = &d->strips[r->strip].clips[r->clip];
    char tc[64];
    vm_time_format(&d->tb, k->at, tc, sizeof tc);
    lua_pushfstring(L, "clip '%s' at %s", vm_path_basename(k->path), tc);
    return 1;
}

const luaL_Reg script_strip_methods[] = {
    {"__index", strip_index}, {"__newindex", strip_newindex}, {"__call", strip_call},
    {"__tostring", strip_tostring}, {NULL, NULL}};
const luaL_Reg script_clip_methods[] = {
    {"__index", clip_index}, {"__newindex", clip_newindex}, {"__tostring", clip_tostring}, {NULL, NULL}};
