/* script.c - running a mix script: the context, the option helpers every
 * binding uses, and vm_script_load.
 *
 * Bindings follow Lua's own libraries (lauxlib style): arguments are checked
 * at the call and errors are raised at level 1, so they read
 * "mix.lua:12: ...". The desc is reached through a light userdata in the
 * registry. The bindings themselves live in vm/script_*.c (see
 * vm/script_priv.h for the map).
 */
#include "vm/script_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "vm/budget.h"
#include "vm/path.h"
#include "vm/suggest.h"

static const char CTX_KEY = 'k';

script_ctx *script_get_ctx(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
    script_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return c;
}

/* the comment is in vm/script_error.h */
int vm_script_error(lua_State *L, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    luaL_where(L, 1);
    script_ctx *c = script_get_ctx(L);
    if (c && c->error_context[0]) {
        lua_pushstring(L, c->error_context);
        c->error_context[0] = '\0';
    } else {
        lua_pushliteral(L, "");
    }
    lua_pushstring(L, msg);
    lua_concat(L, 3);
    return lua_error(L);
}

/* ---- helpers ---------------------------------------------------------- */

void script_where(lua_State *L, char *out)
{
    luaL_where(L, 1);
    const char *w = lua_tostring(L, -1);
    size_t n = strlen(w);
    while (n > 0 && (w[n - 1] == ' ' || w[n - 1] == ':'))
        n--;
    snprintf(out, VM_WHERE_LEN, "%.*s", (int)n, w);
    lua_pop(L, 1);
}

void *script_grow(lua_State *L, void *arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return arr;
    int ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(arr, (size_t)ncap * elem);
    if (!p)
        vm_script_error(L, "out of memory");
    /* the spare capacity stays untouched (not resident): every caller fills
     * an element whole when it appends it */
    *cap = ncap;
    return p;
}

char *script_strdup(lua_State *L, const char *s)
{
    char *d = strdup(s);
    if (!d)
        vm_script_error(L, "out of memory");
    return d;
}

/* At most this many unknown keys are named in one message; the rest are
 * counted. */
enum { CHECK_KEYS_SHOWN = 8 };

/* Inserts k into the sorted list names[0..*n) (at most CHECK_KEYS_SHOWN
 * kept: the smallest, so which ones are shown does not depend on the order
 * the table is walked in). */
static void sorted_insert(const char **names, int *n, const char *k)
{
    int at = *n;
    while (at > 0 && strcmp(names[at - 1], k) > 0)
        at--;
    if (at >= CHECK_KEYS_SHOWN)
        return;
    int last = *n < CHECK_KEYS_SHOWN ? *n : CHECK_KEYS_SHOWN - 1;
    memmove(names + at + 1, names + at, (size_t)(last - at) * sizeof *names);
    names[at] = k;
    if (*n < CHECK_KEYS_SHOWN)
        (*n)++;
}

/* Every key of the options table at idx must be in valid[] (or an integer
 * key up to max_positional). Lua walks a table in an order that changes from
 * run to run (the string hash is seeded), so nothing is raised during the
 * walk: the faults are gathered, and the message names every unknown key in
 * sorted order, each with its suggestion; then the lowest bad position; then
 * a key of another type (the first type name in sorted order). */
int script_keys_fault(lua_State *L, int idx, const char *what, const char *const *valid, int max_positional,
                      char *msg, size_t msg_size)
{
    const char *unknown[CHECK_KEYS_SHOWN];
    int n_shown = 0, n_unknown = 0, bad_pos = 0;
    lua_Integer pos = 0;
    const char *bad_type = NULL;
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            /* the string stays alive after the walk: it is a key of the table */
            const char *k = lua_tostring(L, -1);
            int ok = 0;
            for (int n = 0; valid[n] && !ok; n++)
                ok = strcmp(valid[n], k) == 0;
            if (!ok) {
                sorted_insert(unknown, &n_shown, k);
                n_unknown++;
            }
        } else if (lua_isinteger(L, -1)) {
            lua_Integer i = lua_tointeger(L, -1);
            if ((i < 1 || i > max_positional) && (!bad_pos || i < pos)) {
                pos = i;
                bad_pos = 1;
            }
        } else {
            const char *t = luaL_typename(L, -1);
            if (!bad_type || strcmp(t, bad_type) < 0)
                bad_type = t;
        }
    }
    if (n_unknown == 1) {
        char list[512], mean[96];
        snprintf(msg, msg_size, "unknown option '%s' for %s%s (options: %s)", unknown[0], what,
                 script_did_you_mean(unknown[0], valid, mean, sizeof mean), script_join(valid, list, sizeof list));
        return 1;
    }
    if (n_unknown > 1) {
        char names[768], list[512], mean[96];
        size_t len = 0;
        names[0] = '\0';
        for (int i = 0; i < n_shown && len < sizeof names; i++) {
            script_did_you_mean(unknown[i], valid, mean, sizeof mean);
            /* "; did you mean 'x'?" reads as " (did you mean 'x'?)" inside a list */
            int w = snprintf(names + len, sizeof names - len, "%s'%s'%s%s%s", i ? ", " : "", unknown[i],
                             mean[0] ? " (" : "", mean[0] ? mean + 2 : "", mean[0] ? ")" : "");
            len += w > 0 ? (size_t)w : 0;
        }
        if (n_unknown > n_shown && len < sizeof names)
            snprintf(names + len, sizeof names - len, " and %d more", n_unknown - n_shown);
        snprintf(msg, msg_size, "unknown options %s for %s (options: %s)", names, what, script_join(valid, list, sizeof list));
        return 1;
    }
    if (bad_pos) {
        snprintf(msg, msg_size, "unexpected value at position %lld in %s options", (long long)pos, what);
        return 1;
    }
    if (bad_type) {
        snprintf(msg, msg_size, "unexpected %s key in %s options", bad_type, what);
        return 1;
    }
    return 0;
}

void script_check_keys(lua_State *L, int idx, const char *what, const char *const *valid, int max_positional)
{
    char msg[1024];
    if (script_keys_fault(L, idx, what, valid, max_positional, msg, sizeof msg))
        vm_script_error(L, "%s", msg);
}

const char *script_did_you_mean(const char *k, const char *const *names, char *buf, size_t n)
{
    int count = 0;
    while (names[count])
        count++;
    const char *near = vm_suggest(k, names, count);
    if (near)
        snprintf(buf, n, "; did you mean '%s'?", near);
    else if (n > 0)
        buf[0] = '\0';
    return buf;
}

int script_word(lua_State *L, const char *w, const char *const *names, const char *what, const char *kind,
                const char *plural)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(w, names[i]) == 0)
            return i;
    char mean[96], list[256];
    return vm_script_error(L, "%s: unknown %s '%s'%s (%s: %s)", what, kind, w,
                           script_did_you_mean(w, names, mean, sizeof mean), plural,
                           script_join(names, list, sizeof list));
}

const char *script_join(const char *const *names, char *buf, size_t n)
{
    size_t len = 0;
    if (n > 0)
        buf[0] = '\0';
    for (int i = 0; names[i] && len < n; i++) {
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "", names[i]);
        len += w > 0 ? (size_t)w : 0; /* past n: the list is cut, and the loop ends */
    }
    return buf;
}

/* the comment is in vm/script_priv.h */
int script_opt_any_number(lua_State *L, int idx, const char *key, const char *what, double *out)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_isnumber(L, -1))
        vm_script_error(L, "bad value for '%s' in %s (number expected, got %s)", key, what, luaL_typename(L, -1));
    *out = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return 1;
}

int script_opt_number(lua_State *L, int idx, const char *key, const char *what, double lo, double hi, double *out)
{
    double v;
    if (!script_opt_any_number(L, idx, key, what, &v))
        return 0;
    if (!(v >= lo && v <= hi))
        vm_script_error(L, "%s: '%s' = %g is out of range (%g to %g)", what, key, v, lo, hi);
    *out = v;
    return 1;
}

/* The one rule for a gain in dB (faders, trims, clip gains, VCAs, sends,
 * static or moving): -math.huge, or anything at or below -144 dB, is silence
 * and is stored as VM_LANE_DB_SILENCE (vm/lane.h); up to +24 dB; +inf and
 * NaN are refused. */
double script_gain_db(lua_State *L, double v, const char *what, const char *key)
{
    if (v <= VM_LANE_DB_SILENCE)
        return VM_LANE_DB_SILENCE; /* also -inf */
    if (!(v <= 24))
        vm_script_error(L, "%s: %s = %g dB is out of range (-math.huge for silence, up to +24 dB)", what, key, v);
    return v;
}

double script_surround_value(lua_State *L, int k, double v, const char *what, const char *key)
{
    const vm_surround_param_spec *sp = &vm_surround_params[k];
    if (sp->is_db)
        return script_gain_db(L, v, what, key);
    if (!(v >= sp->lo && v <= sp->hi))
        vm_script_error(L, "%s: %s = %g is out of range (%s)", what, key, v, sp->range);
    return v;
}

int script_opt_gain_db(lua_State *L, int idx, const char *key, const char *what, double *out)
{
    if (!script_opt_any_number(L, idx, key, what, out))
        return 0;
    *out = script_gain_db(L, *out, what, key);
    return 1;
}

int script_opt_bool(lua_State *L, int idx, const char *key, const char *what, int *out)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TBOOLEAN)
        vm_script_error(L, "bad value for '%s' in %s (true or false expected, got %s)", key, what, luaL_typename(L, -1));
    *out = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return 1;
}

const char *script_opt_string(lua_State *L, int idx, const char *key, const char *what)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (t != LUA_TSTRING)
        vm_script_error(L, "bad value for '%s' in %s (string expected, got %s)", key, what, luaL_typename(L, -1));
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* the string stays alive: the options table holds it */
    return s;
}

/* the comment is in vm/script_priv.h */
int64_t script_to_time(lua_State *L, const char *key, const char *what, vm_time_kind kind)
{
    script_ctx *c = script_get_ctx(L);
    char err[DS_ERR_LEN];
    int64_t v = 0;
    ds_result r;
    if (lua_type(L, -1) == LUA_TNUMBER)
        r = vm_time_from_seconds(&c->desc->tb, lua_tonumber(L, -1), &v, err);
    else if (lua_type(L, -1) == LUA_TSTRING)
        r = vm_time_parse(&c->desc->tb, lua_tostring(L, -1), kind, &v, err);
    else
        return vm_script_error(L, "bad value for '%s' in %s (time expected, got %s)", key, what, luaL_typename(L, -1));
    if (r != DS_OK)
        return vm_script_error(L, "bad value for '%s' in %s: %s", key, what, err);
    lua_pop(L, 1);
    return v;
}

int script_opt_time(lua_State *L, int idx, const char *key, const char *what, vm_time_kind kind, int64_t *out)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    *out = script_to_time(L, key, what, kind);
    return 1;
}

void script_fmt_duration(const vm_desc *d, int64_t samples, char *buf, size_t n)
{
    snprintf(buf, n, "%.3f s", (double)samples / d->tb.rate);
}

static const luaL_Reg mix_funcs[] = {
    {"session", script_session}, {"track", script_track}, {"bus", script_bus}, {"output", script_output},
    {"vca", script_vca},         {"mute_group", script_mute_group}, {"markers", script_markers}, {"duck", script_duck}, {"trims", script_trims},
    {"edl", script_edl},         {"otio", script_otio},             {"spot", script_spot},
    {"conform", script_conform},
    {"deliver", script_deliver},
    {NULL, NULL}};

/* The protected part: everything that may raise. The script's main chunk
 * runs in a coroutine because a coroutine that fails keeps its stack: a
 * memory error carries no position, and the line comes from there. */
static int run_script(lua_State *L)
{
    const char *path = lua_touserdata(L, 1);
    static const struct { const char *name; const luaL_Reg *methods; } handles[] = {
        {STRIP_MT, script_strip_methods}, {CLIP_MT, script_clip_methods},   {MARKERS_MT, script_markers_methods},
        {EDIT_MT, script_edit_methods},
        {INSERT_MT, script_insert_methods}, {PARAM_MT, script_param_methods}, {VCA_MT, script_vca_methods},
        {MUTEGROUP_MT, script_mute_group_methods},
    };
    for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++) {
        luaL_newmetatable(L, handles[i].name);
        luaL_setfuncs(L, handles[i].methods, 0);
        lua_pop(L, 1);
    }
    script_open_sandbox(L);
    lua_pushglobaltable(L);
    luaL_setfuncs(L, mix_funcs, 0);
    luaL_setfuncs(L, script_check_funcs, 0);
    script_push_timebase(L);
    lua_setfield(L, -2, "timebase");
    lua_pop(L, 1);
    lua_State *co = lua_newthread(L); /* inherits the budget's hook */
    int nres, st = luaL_loadfilex(co, path, "t");
    script_get_ctx(L)->budget.running = co; /* the watch's line, until the hook sees another */
    if (st == LUA_OK)
        st = lua_resume(co, L, 0, &nres);
    if (st == LUA_YIELD)
        return luaL_error(L, "%s: attempt to yield from outside a coroutine", path);
    if (st != LUA_OK) {
        char msg[1024];
        const vm_script_opts *o = script_get_ctx(L)->opts;
        if (o->traceback && o->traceback_size > 0 && st != LUA_ERRSYNTAX) {
            luaL_traceback(L, co, NULL, 0); /* the failed coroutine keeps its stack */
            snprintf(o->traceback, o->traceback_size, "%s", lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        if (vm_budget_memory_error(&script_get_ctx(L)->budget, co, st, msg, sizeof msg)) {
            lua_pushstring(L, msg);
            return lua_error(L);
        }
        lua_xmove(co, L, 1);
        luaL_tolstring(L, -1, NULL); /* error(t) with a table: its __tostring */
        return lua_error(L);
    }
    script_apply_trims(L);
    return script_apply_conform(L);
}


/* The sandbox's inputs, by real path, into desc->inputs. */
static ds_result keep_inputs(const vm_sandbox *sb, vm_desc *desc, char *err)
{
    desc->inputs = calloc((size_t)(sb->ninputs ? sb->ninputs : 1), sizeof *desc->inputs);
    if (!desc->inputs)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < sb->ninputs; i++) {
        if (!(desc->inputs[i] = strdup(sb->inputs[i].real)))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        desc->ninputs++;
    }
    return DS_OK;
}

ds_result vm_script_load(const char *path, const vm_script_opts *opts, vm_desc *desc, char *err)
{
    script_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if (opts->traceback && opts->traceback_size > 0)
        opts->traceback[0] = 0;
    vm_desc_init(desc);
    desc->script_path = strdup(path);
    ctx.desc = desc;
    ctx.opts = opts;
    ds_result res = vm_sandbox_init(&ctx.sb, path, opts->out_dir, opts->stdlib_dir, opts->allow_any_path, err);
    for (int i = 0; res == DS_OK && i < opts->nlibs; i++)
        res = vm_sandbox_add_lib(&ctx.sb, opts->libs[i].dir, opts->libs[i].origin, err);
    if (res != DS_OK) {
        vm_sandbox_free(&ctx.sb);
        return res;
    }
    vm_budget_init(&ctx.budget, opts->max_instructions, opts->max_memory_mb, opts->interrupt);
    lua_State *L = vm_budget_newstate(&ctx.budget);
    if (!L) {
        vm_sandbox_free(&ctx.sb);
        return ds_fail(err, DS_ERR_NOMEM, "cannot create the Lua state: out of memory");
    }
    lua_pushlightuserdata(L, &ctx);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
    lua_pushcfunction(L, run_script);
    lua_pushlightuserdata(L, (void *)path);
    vm_budget_watch(&ctx.budget, L, 1); /* time inside one C call counts too */
    int status = lua_pcall(L, 1, 0, 0);
    vm_budget_watch(&ctx.budget, L, 0);
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        char mem[512];
        ds_result code = opts->interrupt && *opts->interrupt ? DS_ERR_INTERRUPTED : DS_ERR_SCRIPT;
        if (!msg || strcmp(msg, "not enough memory") != 0 || !vm_budget_memory_error(&ctx.budget, L, LUA_ERRMEM,
                                                                                       mem, sizeof mem))
            res = ds_fail(err, code, "%s", msg ? msg : "error in the mix script");
        else
            res = ds_fail(err, code, "%s", mem);
    }
    for (int i = 0; res == DS_OK && i < opts->nreport_files; i++)
        res = vm_sandbox_cli_outputs(&ctx.sb, opts->report_options[i], opts->report_dirs[i], &opts->report_files[i], 1,
                                     &opts->report_paths[i], err);
    for (int i = 0; i < desc->nstrips; i++)
        if (desc->strips[i].channels == 0)
            desc->strips[i].channels = 1; /* a track that never got a clip */
    lua_close(L);
    if (res == DS_OK)
        res = keep_inputs(&ctx.sb, desc, err);
    vm_sandbox_free(&ctx.sb);
    script_index_free(&ctx);
    return res;
}
