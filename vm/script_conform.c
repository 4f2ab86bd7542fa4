/* script_conform.c - conform: a mix made against one cut, moved onto the new
 * cut once the script has run.
 *
 *   conform { from = edl "reel2_v5.edl", to = edl "reel2_v6.edl" }   -- or otio, or one of each
 *   conform { from = ..., to = ..., track = "A1" }                   -- compare the cuts on A1
 *   (default: V, or the first audio track both have when a cut has no picture;
 *   "V1" .. "V8": one picture layer of an OTIO timeline alone)
 *
 * The script is written against the old cut (`from`) as it always was;
 * when it has run (after its trims files), every clip, move and the
 * session length are moved onto the new cut (vm/conform_mix.h), and the
 * duck analysis, the render, `dubstage info` and `dubstage conform` see
 * the moved mix. docs/conform.md describes it for users. */
#include "vm/script_priv.h"

#include <stdio.h>
#include <string.h>

#include "vm/conform.h"
#include "vm/conform_mix.h"

#define CONFORM_KEY "dubstage.conform"

/* a word's place is its track number for vm_conform_new: V, A1..A16, then the picture layers V1..V8 */
static const char *const track_words[] = {"V",  "A1",  "A2",  "A3",  "A4",  "A5",  "A6",  "A7",  "A8",
                                          "A9", "A10", "A11", "A12", "A13", "A14", "A15", "A16", "V1",
                                          "V2", "V3",  "V4",  "V5",  "V6",  "V7",  "V8",  NULL};
_Static_assert(VM_CONFORM_LAYER(0) == 17 && VM_CONFORM_LAYERS == 8, "track_words: V1..V8 after A16");

static edit_ref *edit_field(lua_State *L, const char *key, const char *what)
{
    lua_getfield(L, 1, key);
    edit_ref *r = luaL_testudata(L, -1, EDIT_MT);
    if (!r)
        vm_script_error(L, "conform needs %s = an edit (%s), got %s: conform { from = edl \"cut_v5.edl\", "
                        "to = edl \"cut_v6.edl\" }", key, what, luaL_typename(L, -1));
    return r;
}

/* conform { from = EDIT, to = EDIT [, track = "V"] } */
int script_conform(lua_State *L)
{
    static const char *const keys[] = {"from", "to", "track", NULL};
    if (!lua_istable(L, 1))
        return vm_script_error(L, "conform needs a table: conform { from = edl \"cut_v5.edl\", to = edl "
                               "\"cut_v6.edl\" }");
    script_check_keys(L, 1, "conform", keys, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, CONFORM_KEY);
    if (!lua_isnil(L, -1)) {
        lua_getfield(L, -1, "where");
        return vm_script_error(L, "conform is asked for twice (first at %s): a mix follows one change of cut at "
                               "a time", lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    edit_field(L, "from", "the cut the mix was made against");
    edit_field(L, "to", "the new cut");
    int track = -1; /* V, or the first audio track both cuts have */
    const char *t = script_opt_string(L, 1, "track", "conform");
    if (t)
        track = script_word(L, t, track_words, "conform", "track", "tracks");
    char where[VM_WHERE_LEN];
    script_where(L, where);
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "from");
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "to");
    lua_pushinteger(L, track);
    lua_setfield(L, -2, "track");
    lua_pushstring(L, where);
    lua_setfield(L, -2, "where");
    lua_setfield(L, LUA_REGISTRYINDEX, CONFORM_KEY);
    return 0;
}

int script_apply_conform(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    if (lua_getfield(L, LUA_REGISTRYINDEX, CONFORM_KEY) != LUA_TTABLE)
        return 0;
    int t = lua_gettop(L);
    lua_getfield(L, t, "from");
    edit_ref *from = lua_touserdata(L, -1);
    lua_getfield(L, t, "to");
    edit_ref *to = lua_touserdata(L, -1);
    lua_getfield(L, t, "track");
    int track = (int)lua_tointeger(L, -1);
    lua_getfield(L, t, "where");
    const char *where = lua_tostring(L, -1);
    /* the script has ended: messages name the conform call's line */
    snprintf(c->error_context, sizeof c->error_context, "%s: ", where);
    script_edit_check_rate(L, from, "conform");
    snprintf(c->error_context, sizeof c->error_context, "%s: ", where);
    script_edit_check_rate(L, to, "conform");
    c->error_context[0] = '\0';
    char err[DS_ERR_LEN];
    vm_conform *cut = NULL;
    vm_desc *d = c->desc;
    if (vm_conform_new(from->e, to->e, track, d->tb.rate, d->tb.start_samples, &cut, err) != DS_OK
        || vm_conform_mix(d, cut, from->e, to->e, where, &d->conform, err) != DS_OK) {
        snprintf(c->error_context, sizeof c->error_context, "%s: conform: ", where);
        return vm_script_error(L, "%s", err);
    }
    lua_settop(L, t - 1);
    return 0;
}
