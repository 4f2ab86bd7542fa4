/* script_group.c - VCAs (vca "X" { members = {...}, gain = dB }) and mute
 * groups (mute_group "X" { members = {...}, mute = true }). */
#include "vm/script_priv.h"

#include <stdio.h>
#include <string.h>

#include "vm/suggest.h"

/* vcas and mute groups share one namespace: the index holds vca i as i and
 * mute group i as -2 - i */
static void check_new_group_name(lua_State *L, const char *name, const char *what)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    if (!name[0])
        vm_script_error(L, "a %s needs a name", what);
    int prev = script_index_find(c, SCRIPT_INDEX_GROUP, name);
    if (prev >= 0)
        vm_script_error(L, "a vca called '%s' already exists (made at %s)", name, d->vcas[prev].where);
    if (prev < -1)
        vm_script_error(L, "a mute group called '%s' already exists (made at %s)", name, d->mute_groups[-2 - prev].where);
}

/* A new group's name (copied into *field), its entry in the names index
 * (index_value, as check_new_group_name reads it) and the line making it. */
static void name_group(lua_State *L, char **field, char *where, const char *name, int index_value)
{
    *field = script_strdup(L, name);
    script_index_add(L, script_get_ctx(L), SCRIPT_INDEX_GROUP, *field, index_value);
    script_where(L, where);
}

/* members = { strip, ... } into an index list; duplicates are ignored */
static void add_members(lua_State *L, int idx, int **members, int *n, int *cap, const char *what)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        vm_script_error(L, "%s: members must be a list of tracks and buses (got %s)", what, luaL_typename(L, idx));
    script_ctx *c = script_get_ctx(L);
    int stamp = script_mark_strips(L, c);
    for (int k = 0; k < *n; k++)
        c->marks[(*members)[k]] = stamp;
    lua_Integer len = luaL_len(L, idx);
    for (lua_Integer i = 1; i <= len; i++) {
        lua_geti(L, idx, i);
        strip_ref *r = luaL_testudata(L, -1, STRIP_MT);
        if (!r)
            vm_script_error(L, "%s: member %d is a %s, not a track or bus", what, (int)i, luaL_typename(L, -1));
        if (c->marks[r->index] != stamp) {
            *members = script_grow(L, *members, cap, *n + 1, sizeof **members);
            (*members)[(*n)++] = r->index;
            c->marks[r->index] = stamp;
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
    vm_vca_desc *v = &script_get_ctx(L)->desc->vcas[*ix];
    char what[300];
    snprintf(what, sizeof what, "vca '%s'", v->name);
    static const char *const keys[] = {"members", "gain", NULL};
    script_check_keys(L, 2, what, keys, 0);
    double g;
    if (script_opt_gain_db(L, 2, "gain", what, &g))
        v->gain.value = g;
    if (lua_getfield(L, 2, "members") != LUA_TNIL)
        add_members(L, -1, &v->members, &v->nmembers, &v->capmembers, what);
    lua_settop(L, 1);
    return 1;
}

int script_vca(lua_State *L)
{
    vm_desc *d = script_get_ctx(L)->desc;
    const char *name = luaL_checkstring(L, 1);
    check_new_group_name(L, name, "vca");
    d->vcas = script_grow(L, d->vcas, &d->capvcas, d->nvcas + 1, sizeof *d->vcas);
    vm_vca_desc *v = &d->vcas[d->nvcas];
    memset(v, 0, sizeof *v);
    name_group(L, &v->name, v->where, name, d->nvcas);
    d->nvcas++;
    return push_group(L, d->nvcas - 1, VCA_MT, vca_call);
}

/* The error for a field k that group NAME of kind ("vca", "mute group") does
 * not have: its fields are its parameter (gain, mute) and name; only the
 * parameter can be set. */
static int no_group_field(lua_State *L, const char *kind, const char *name, const char *k, const char *param,
                          int setting)
{
    const char *const names[] = {param, setting ? NULL : "name", NULL};
    char mean[96];
    script_did_you_mean(k, names, mean, sizeof mean);
    if (setting)
        return vm_script_error(L, "cannot set '%s' on %s '%s'%s (settable: %s)", k, kind, name, mean, param);
    return vm_script_error(L, "%s '%s' has no field '%s'%s (fields: %s, name)", kind, name, k, mean, param);
}

/* g.FIELD on group ix (kind, name): its parameter (param, of kind pkind) or its name */
static int group_index(lua_State *L, const char *kind, const char *name, const char *param, int pkind, int ix)
{
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, param) == 0)
        script_push_param(L, pkind, ix, 0);
    else if (strcmp(k, "name") == 0)
        lua_pushstring(L, name);
    else
        return no_group_field(L, kind, name, k, param, 0);
    return 1;
}

static int vca_index(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, VCA_MT);
    return group_index(L, "vca", script_get_ctx(L)->desc->vcas[*ix].name, "gain", PARAM_VCA_GAIN, *ix);
}

static int vca_newindex(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, VCA_MT);
    vm_vca_desc *v = &script_get_ctx(L)->desc->vcas[*ix];
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "gain") != 0)
        return no_group_field(L, "vca", v->name, k, "gain", 1);
    char what[300];
    snprintf(what, sizeof what, "vca '%s'", v->name);
    v->gain.value = script_gain_db(L, luaL_checknumber(L, 3), what, "gain");
    return 0;
}

static int mute_group_call(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, MUTEGROUP_MT);
    luaL_checktype(L, 2, LUA_TTABLE);
    vm_mute_group_desc *m = &script_get_ctx(L)->desc->mute_groups[*ix];
    char what[300];
    snprintf(what, sizeof what, "mute group '%s'", m->name);
    static const char *const keys[] = {"members", "mute", NULL};
    script_check_keys(L, 2, what, keys, 0);
    script_opt_bool(L, 2, "mute", what, &m->mute);
    if (lua_getfield(L, 2, "members") != LUA_TNIL)
        add_members(L, -1, &m->members, &m->nmembers, &m->capmembers, what);
    lua_settop(L, 1);
    return 1;
}

int script_mute_group(lua_State *L)
{
    vm_desc *d = script_get_ctx(L)->desc;
    const char *name = luaL_checkstring(L, 1);
    check_new_group_name(L, name, "mute group");
    d->mute_groups = script_grow(L, d->mute_groups, &d->capmute_groups, d->nmute_groups + 1, sizeof *d->mute_groups);
    vm_mute_group_desc *m = &d->mute_groups[d->nmute_groups];
    memset(m, 0, sizeof *m);
    name_group(L, &m->name, m->where, name, -2 - d->nmute_groups);
    d->nmute_groups++;
    return push_group(L, d->nmute_groups - 1, MUTEGROUP_MT, mute_group_call);
}

static int mute_group_index(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, MUTEGROUP_MT);
    return group_index(L, "mute group", script_get_ctx(L)->desc->mute_groups[*ix].name, "mute", PARAM_GROUP_MUTE, *ix);
}

static int mute_group_newindex(lua_State *L)
{
    int *ix = luaL_checkudata(L, 1, MUTEGROUP_MT);
    vm_mute_group_desc *m = &script_get_ctx(L)->desc->mute_groups[*ix];
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "mute") != 0)
        return no_group_field(L, "mute group", m->name, k, "mute", 1);
    luaL_checktype(L, 3, LUA_TBOOLEAN);
    m->mute = lua_toboolean(L, 3);
    return 0;
}


const luaL_Reg script_vca_methods[] = {
    {"__index", vca_index}, {"__newindex", vca_newindex}, {"__call", vca_call}, {NULL, NULL}};
const luaL_Reg script_mute_group_methods[] = {
    {"__index", mute_group_index}, {"__newindex", mute_group_newindex}, {"__call", mute_group_call}, {NULL, NULL}};
