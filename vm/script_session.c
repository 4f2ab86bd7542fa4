/* script_session.c - session { }, output { } and duck { }: the calls that
 * set the session's frame, its deliverables and its ducking rules. */
#include "vm/script_priv.h"

#include <stdio.h>
#include <string.h>

#include "vm/normalize.h"
#include "vm/path.h"
#include "vm/suggest.h"

/* duck { mx, under = dx, depth = -9, attack = 0.08, release = 0.6, hold = 0.2,
 *        preroll = 0.3, bridge = 1.5, threshold = -45 } */
int script_duck(lua_State *L)
{
    vm_desc *d = script_get_ctx(L)->desc;
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const keys[] = {"under", "depth", "attack", "release", "hold", "preroll", "bridge",
                                       "threshold", "band", "lookahead", NULL};
    script_check_keys(L, 1, "duck", keys, 1);
    if (lua_geti(L, 1, 1) == LUA_TNIL)
        return vm_script_error(L, "duck needs the strip to duck first: duck { mx, under = dx, depth = -9 }");
    strip_ref *t = luaL_testudata(L, -1, STRIP_MT);
    if (!t)
        return vm_script_error(L, "duck: the first value must be a track or bus (got %s)", luaL_typename(L, -1));
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "under") == LUA_TNIL)
        return vm_script_error(L, "duck '%s' needs a key: under = the dialogue bus", d->strips[t->index].name);
    strip_ref *k = luaL_testudata(L, -1, STRIP_MT);
    if (!k)
        return vm_script_error(L, "duck: under must be a track or bus (got %s)", luaL_typename(L, -1));
    lua_pop(L, 1);
    if (k->index == t->index)
        return vm_script_error(L, "duck: '%s' cannot duck under itself", d->strips[t->index].name);
    vm_duck_desc du = {.target = t->index, .key = k->index, .depth_db = -9, .threshold_db = -45, .attack_s = 0.08,
                       .release_s = 0.6, .hold_s = 0.2, .preroll_s = 0.3, .bridge_s = 1.5};
    char what[300];
    snprintf(what, sizeof what, "duck '%s' under '%s'", d->strips[t->index].name, d->strips[k->index].name);
    script_opt_number(L, 1, "depth", what, -60, -0.1, &du.depth_db);
    script_opt_number(L, 1, "threshold", what, -90, 0, &du.threshold_db);
    script_opt_number(L, 1, "attack", what, 0, 10, &du.attack_s);
    script_opt_number(L, 1, "release", what, 0, 30, &du.release_s);
    script_opt_number(L, 1, "hold", what, 0, 30, &du.hold_s);
    script_opt_number(L, 1, "preroll", what, 0, 10, &du.preroll_s);
    script_opt_number(L, 1, "bridge", what, 0, 30, &du.bridge_s);
    script_opt_number(L, 1, "lookahead", what, 0.01, 10, &du.lookahead_s);
    int realtime = du.lookahead_s > 0;
    if (lua_getfield(L, 1, "band") != LUA_TNIL) {
        if (!lua_istable(L, -1) || luaL_len(L, -1) != 2)
            return vm_script_error(L, "%s: band must be { low_hz, high_hz }, e.g. band = { 1000, 4000 }", what);
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        du.band_lo = lua_tonumber(L, -2);
        du.band_hi = lua_tonumber(L, -1);
        lua_pop(L, 2);
        if (!(du.band_lo >= 20 && du.band_hi > du.band_lo * 1.2 && du.band_hi <= 20000))
            return vm_script_error(L, "%s: band = { %g, %g } must satisfy 20 <= low, low * 1.2 < high <= 20000 Hz", what,
                                du.band_lo, du.band_hi);
        vm_strip_desc *ts = &d->strips[t->index];
        if (realtime)
            goto band_done; /* the insert splits the band itself */
        if (ts->band_hi > 0 && (ts->band_lo != du.band_lo || ts->band_hi != du.band_hi))
            return vm_script_error(L, "%s: '%s' already has a band duck on another band (one band per strip)", what,
                                ts->name);
        ts->band_lo = du.band_lo;
        ts->band_hi = du.band_hi;
    }
band_done:
    lua_pop(L, 1);
    script_where(L, du.where);
    d->ducks = script_grow(L, d->ducks, &d->capducks, d->nducks + 1, sizeof *d->ducks);
    d->ducks[d->nducks++] = du;
    if (realtime) { /* a keyed insert at the end of the target's chain so far */
        vm_insert_desc e = {.kind = VM_INSERT_DUCK, .key = k->index, .duck = d->nducks - 1};
        script_push_insert(L, t->index, &e);
        lua_pop(L, 1);
    }
    return 0;
}

/* ---- session and output ------------------------------------------------ */

int script_session(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    luaL_checktype(L, 1, LUA_TTABLE);
    if (c->session_done)
        return vm_script_error(L, "session{} may be given only once");
    if (c->strips_made)
        return vm_script_error(L, "session{} must come before the first track or bus");
    static const char *const keys[] = {"rate", "fps", "start", "length", NULL};
    script_check_keys(L, 1, "session", keys, 0);
    double rate = 48000;
    script_opt_number(L, 1, "rate", "session", 8000, 384000, &rate);
    if (rate != (int)rate)
        return vm_script_error(L, "session: rate must be a whole number of Hz (got %g)", rate);
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
            return vm_script_error(L, "session: %s", f ? err : "fps must be a string such as \"23.976\"");
    }
    lua_pop(L, 1);
    const char *start = script_opt_string(L, 1, "start", "session");
    if (vm_timebase_init(&d->tb, (int)rate, &fps, start, err) != DS_OK)
        return vm_script_error(L, "session: bad value for 'start': %s", err);
    int64_t len;
    if (script_opt_time(L, 1, "length", "session", VM_TIME_DURATION, &len)) {
        if (len <= 0)
            return vm_script_error(L, "session: length must be greater than zero");
        d->length = len;
    }
    c->session_done = 1;
    return 0;
}

const char *const script_output_keys[] = {"from", "format", "dither", "downmix", "centre", "surround", "lfe", "mono",
                                         NULL};

/* The normalize option of the output table at idx into *n (off when absent
 * or false): { integrated = LUFS, true_peak = dBTP, stems = true }. Errors
 * name the output (what), the key, the value and the accepted range. */
static void output_normalize(lua_State *L, int idx, const char *what, vm_normalize_desc *n)
{
    memset(n, 0, sizeof *n);
    n->true_peak_dbtp = VM_NORMALIZE_TRUE_PEAK_DEFAULT;
    n->stems = 1;
    int t = lua_getfield(L, idx, "normalize");
    if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        vm_script_error(L, "%s: normalize needs a target, e.g. normalize = { integrated = -23, true_peak = -1 } "
                        "(got %s)", what, luaL_typename(L, -1));
    int opts = lua_gettop(L);
    char in[340];
    snprintf(in, sizeof in, "normalize in %s", what);
    static const char *const keys[] = {"integrated", "true_peak", "stems", NULL};
    script_check_keys(L, opts, in, keys, 0);
    if (!script_opt_any_number(L, opts, "integrated", in, &n->integrated_lufs))
        vm_script_error(L, "%s: normalize needs its target loudness: integrated = LUFS (%g to %g), e.g. -23", what,
                        VM_NORMALIZE_LUFS_MIN, VM_NORMALIZE_LUFS_MAX);
    if (!(n->integrated_lufs >= VM_NORMALIZE_LUFS_MIN && n->integrated_lufs <= VM_NORMALIZE_LUFS_MAX))
        vm_script_error(L, "%s: normalize integrated = %g LUFS is out of range (%g to %g LUFS)", what,
                        n->integrated_lufs, VM_NORMALIZE_LUFS_MIN, VM_NORMALIZE_LUFS_MAX);
    script_opt_any_number(L, opts, "true_peak", in, &n->true_peak_dbtp);
    if (!(n->true_peak_dbtp >= VM_NORMALIZE_TRUE_PEAK_MIN && n->true_peak_dbtp <= VM_NORMALIZE_TRUE_PEAK_MAX))
        vm_script_error(L, "%s: normalize true_peak = %g dBTP is out of range (%g to %g dBTP)", what,
                        n->true_peak_dbtp, VM_NORMALIZE_TRUE_PEAK_MIN, VM_NORMALIZE_TRUE_PEAK_MAX);
    script_opt_bool(L, opts, "stems", in, &n->stems);
    n->on = 1;
    lua_pop(L, 1);
}

/* output { "out/pm.wav", from = bus, format = "wav24", dither = "auto",
 *          normalize = { integrated = -23, true_peak = -1 } } */
int script_output(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *keys[16];
    int nk = 0;
    for (int i = 0; script_output_keys[i]; i++)
        keys[nk++] = script_output_keys[i];
    keys[nk++] = "normalize";
    keys[nk] = NULL;
    int k = script_add_output(L, 1, "output", keys);
    char what[300];
    lua_geti(L, 1, 1);
    snprintf(what, sizeof what, "output '%s'", lua_tostring(L, -1));
    lua_pop(L, 1);
    output_normalize(L, 1, what, &script_get_ctx(L)->desc->outputs[k].normalize);
    return 0;
}

int script_add_output(lua_State *L, int idx, const char *call, const char *const *valid)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    script_check_keys(L, idx, call, valid, 1);
    if (lua_geti(L, idx, 1) != LUA_TSTRING)
        return vm_script_error(L, "%s needs a file name first: %s { \"out/printmaster.wav\", from = pm }", call,
                               call);
    const char *file = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "from") == LUA_TNIL)
        return vm_script_error(L, "%s '%s' needs a source: from = a bus or track", call, file);
    strip_ref *src = luaL_testudata(L, -1, STRIP_MT);
    if (!src)
        return vm_script_error(L, "bad value for 'from' in %s '%s' (a bus or track expected, got %s)", call, file,
                          luaL_typename(L, -1));
    int strip = src->index;
    lua_pop(L, 1);

    char err[DS_ERR_LEN], what[300];
    snprintf(what, sizeof what, "%s '%s'", call, file);
    vm_out_format fmt = VM_OUT_WAV24;
    const char *fw = script_opt_string(L, idx, "format", call);
    if (fw && vm_out_format_parse(fw, &fmt, err) != DS_OK)
        return vm_script_error(L, "%s: %s", what, err);
    vm_dither dither = VM_DITHER_AUTO;
    const char *dw = script_opt_string(L, idx, "dither", call);
    if (dw) {
        static const char *const dithers[] = {"auto", "none", "tpdf", NULL}; /* vm_dither order */
        dither = (vm_dither)script_word(L, dw, dithers, what, "dither", "dithers");
    }

    char path[PATH_MAX], where[VM_WHERE_LEN];
    script_where(L, where);
    if (vm_sandbox_output(&c->sb, file, where, path, sizeof path, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    const char *mw = script_opt_string(L, idx, "downmix", call);
    if (mw) { /* the fold-down goes through a bus of its own, made here */
        vm_layout to;
        if (vm_downmix_parse(mw, &to, err) != DS_OK)
            return vm_script_error(L, "%s: %s", what, err);
        strip = script_implicit_fold_bus(L, strip, to, idx, what);
    } else {
        static const char *const fold_keys[] = {"centre", "surround", "lfe", "mono"};
        for (int k = 0; k < 4; k++)
            if (lua_getfield(L, idx, fold_keys[k]) != LUA_TNIL)
                return vm_script_error(L, "%s: %s = only goes with downmix = \"LoRo\" (or \"5.1\", \"mono\")",
                                       what, fold_keys[k]);
            else
                lua_pop(L, 1);
    }
    d->outputs = script_grow(L, d->outputs, &d->capoutputs, d->noutputs + 1, sizeof *d->outputs);
    vm_output_desc *o = &d->outputs[d->noutputs];
    memset(o, 0, sizeof *o);
    o->path = script_strdup(L, path);
    o->declared = script_strdup(L, file);
    o->place = d->noutputs;
    d->noutputs++;
    o->strip = strip;
    o->format = fmt;
    o->dither = dither;
    snprintf(o->where, sizeof o->where, "%s", where);
    return d->noutputs - 1;
}
