/* script_marker.c - files a script reads as data: marker lists (cues by
 * name) and trims files saved by a live session. */
#include "vm/script_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm/liveset.h"
#include "vm/markers.h"
#include "vm/path.h"

typedef struct { vm_markers *m; } markers_ref;

/* local cue = markers "cues.csv";  at = cue "door slam"  (seconds from the
 * session start, so `cue "door slam" - 0.3` works) */
/* trims "mix.trims.lua": the changes a live session saved (repl/live_cmd.c
 * writes them): a Lua file returning { ["dx.gain"] = -3.5, ["mx.mute"] = true,
 * ... }, names as vm/liveset.h defines them. The file is read now; its
 * values are set when the script has finished, so it may come anywhere. */
int script_trims(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    char path[PATH_MAX];
    script_load_file(L, VM_SB_DATA, "trims file", name, 0, path);
    lua_newtable(L); /* an empty environment: data only */
    lua_setupvalue(L, -2, 1);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK)
        return vm_script_error(L, "%s", lua_tostring(L, -1));
    if (!lua_istable(L, -1))
        return vm_script_error(L, "trims file '%s' must return a table of { [\"name\"] = value }", path);
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
int script_apply_trims(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
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

int script_markers(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    char path[PATH_MAX], err[DS_ERR_LEN], where[VM_WHERE_LEN];
    int fd, missing;
    script_where(L, where);
    /* judged and noted as an input here; vm_markers_load reads it by the
     * path the sandbox gives (opening it, too, as a regular file only) */
    if (vm_sandbox_open_read(&c->sb, VM_SB_DATA, "marker file", name, where, &fd, path, sizeof path, &missing,
                             err) != DS_OK)
        return vm_script_error(L, "%s", err);
    close(fd);
    markers_ref *r = lua_newuserdatauv(L, sizeof *r, 0);
    r->m = NULL;
    luaL_setmetatable(L, MARKERS_MT); /* __gc frees it, also when load fails below */
    if (vm_markers_load(path, &c->desc->tb, &r->m, err) != DS_OK)
        return vm_script_error(L, "%s", err);
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
        return vm_script_error(L, "%s", err);
    lua_pushnumber(L, (double)pos / script_get_ctx(L)->desc->tb.rate);
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
    static const char *const names[] = {"names", NULL};
    char mean[96];
    return vm_script_error(L, "a marker list has no field '%s'%s (fields: names; call it with a cue name)", k,
                           script_did_you_mean(k, names, mean, sizeof mean));
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


static int markers_newindex(lua_State *L)
{
    luaL_checkudata(L, 1, MARKERS_MT);
    return vm_script_error(L, "cannot set '%s' on a marker list: it is read from its file", luaL_checkstring(L, 2));
}

const luaL_Reg script_markers_methods[] = {{"__call", markers_call}, {"__index", markers_index},
                                           {"__newindex", markers_newindex}, {"__len", markers_len},
                                           {"__gc", markers_gc}, {NULL, NULL}};
