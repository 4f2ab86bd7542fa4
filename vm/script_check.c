/* script_check.c - the core's option and word checks, callable from Lua, so
 * a recipe module (a module under stdlib/dubstage/, or a studio's own) refuses a
 * misspelt option with the same message the built-in calls give:
 *
 *   check_options(opts, names, what [, level [, positional]])
 *   check_word(word, names, what, kind [, level])   -> the word's index in names
 *   did_you_mean(word, names)                        -> the closest name, or nil
 *
 * `level` is read as Lua's error() reads it: 1 (the default) names the line
 * that called the check, 2 the line that called that function (a recipe
 * passes 2 so the message names the user's script line), 0 no line. */
#include "vm/script_priv.h"

#include <stdio.h>
#include <string.h>

#include "vm/suggest.h"

/* More names than a recipe could need: a list longer than this is a
 * mistake in the recipe (and keeps the message buffers meaningful). */
enum { CHECK_NAMES_MAX = 256 };

/* The strings of the list at idx as a NULL-terminated array, in a userdata
 * left on the stack (the strings stay alive: they are values of the list,
 * which is an argument). */
static const char **names_arg(lua_State *L, int idx, const char *fname)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_Integer n = luaL_len(L, idx);
    if (n < 1 || n > CHECK_NAMES_MAX)
        vm_script_error(L, "%s: the list of names must hold 1 to %d strings (it holds %lld)", fname,
                        CHECK_NAMES_MAX, (long long)n);
    const char **names = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *names, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, idx, i) != LUA_TSTRING)
            vm_script_error(L, "%s: name %lld of the list is a %s, not a string", fname, (long long)i,
                            luaL_typename(L, -1));
        names[i - 1] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    names[n] = NULL;
    return names;
}

static int level_arg(lua_State *L, int idx)
{
    lua_Integer level = luaL_optinteger(L, idx, 1);
    luaL_argcheck(L, level >= 0 && level <= 100, idx, "level must be 0 to 100");
    return (int)level;
}

/* Raises msg with the position of `level` (error()'s meaning). */
static int raise_at(lua_State *L, int level, const char *msg)
{
    if (level > 0)
        luaL_where(L, level);
    else
        lua_pushliteral(L, "");
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

/* check_options(opts, names, what [, level [, positional]]): nil or a table
 * whose string keys are all in names and whose integer keys are 1 to
 * `positional` (default 0). */
static int l_check_options(lua_State *L)
{
    const char *what = luaL_checkstring(L, 3);
    int level = level_arg(L, 4);
    lua_Integer positional = luaL_optinteger(L, 5, 0);
    luaL_argcheck(L, positional >= 0 && positional <= INT_MAX, 5, "positional must be 0 or more");
    const char **names = names_arg(L, 2, "check_options");
    if (lua_isnil(L, 1))
        return 0;
    if (!lua_istable(L, 1)) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s takes a table of options (got %s)", what, luaL_typename(L, 1));
        return raise_at(L, level, msg);
    }
    char msg[1024];
    if (script_keys_fault(L, 1, what, names, (int)positional, msg, sizeof msg))
        return raise_at(L, level, msg);
    return 0;
}

/* check_word(word, names, what, kind [, level]): the index (1-based) of word
 * in names; otherwise "WHAT: unknown KIND 'w'; did you mean 'x'? (KINDs: ...)" */
static int l_check_word(lua_State *L)
{
    const char *what = luaL_checkstring(L, 3);
    const char *kind = luaL_checkstring(L, 4);
    int level = level_arg(L, 5);
    const char **names = names_arg(L, 2, "check_word");
    char msg[1024], mean[96], list[768];
    if (lua_type(L, 1) != LUA_TSTRING) {
        snprintf(msg, sizeof msg, "%s: %s must be a string, one of %s (got %s)", what, kind,
                 script_join(names, list, sizeof list), luaL_typename(L, 1));
        return raise_at(L, level, msg);
    }
    const char *w = lua_tostring(L, 1);
    for (int i = 0; names[i]; i++)
        if (strcmp(w, names[i]) == 0) {
            lua_pushinteger(L, i + 1);
            return 1;
        }
    snprintf(msg, sizeof msg, "%s: unknown %s '%s'%s (%ss: %s)", what, kind, w,
             script_did_you_mean(w, names, mean, sizeof mean), kind, script_join(names, list, sizeof list));
    return raise_at(L, level, msg);
}

/* did_you_mean(word, names): the name closest to word by vm_suggest's rule,
 * or nil. */
static int l_did_you_mean(lua_State *L)
{
    const char *w = luaL_checkstring(L, 1);
    const char **names = names_arg(L, 2, "did_you_mean");
    int n = 0;
    while (names[n])
        n++;
    const char *near = vm_suggest(w, names, n);
    if (near)
        lua_pushstring(L, near);
    else
        lua_pushnil(L);
    return 1;
}

const luaL_Reg script_check_funcs[] = {
    {"check_options", l_check_options}, {"check_word", l_check_word}, {"did_you_mean", l_did_you_mean}, {NULL, NULL}};
