/* script_sandbox.c - the libraries a script sees: Lua's safe ones, io
 * restricted to the allowed folders, load for text chunks only, and require
 * for Lua modules in the script's folder and the standard library. */
#include "vm/script_priv.h"

#include <stdio.h>
#include <string.h>

#include <lualib.h>

#include "vm/path.h"

int script_path_allowed(script_ctx *c, const char *path)
{
    if (c->opts->allow_any_path)
        return 1;
    return vm_path_is_under(path, c->script_dir) || vm_path_is_under(path, c->out_root);
}

/* io.open / io.lines wrapper: upvalue 1 is Lua's own function. */
static int sandboxed_io(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    char path[PATH_MAX];
    if (vm_path_join(c->script_dir, name, path, sizeof path) != 0)
        return vm_script_error(L, "file name too long");
    if (!script_path_allowed(c, path))
        return vm_script_error(L, "'%s' is outside the script's folder and the output folder; scripts may only read "
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
    script_ctx *c = script_get_ctx(L);
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
    return vm_script_error(L, "module '%s' not found:%s", name, tried);
}

void script_open_sandbox(lua_State *L)
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
