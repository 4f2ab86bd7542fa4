/* script_sandbox.c - the libraries a script sees: Lua's safe ones, io
 * restricted by vm/sandbox (the file reached is judged, not the name),
 * load for text chunks only, and require for Lua modules in the script's
 * folder and the standard library.
 *
 * io.open is our own, not Lua's with a checked name: Lua's fopen would
 * follow a link swapped in after the check, block on a FIFO and truncate
 * before any check. Ours opens the descriptor through vm/sandbox and
 * hands it to Lua as an ordinary file handle (luaL_Stream), so f:read,
 * f:lines, f:write, f:close and io.type behave as the manual says. */
#include "vm/script_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lualib.h>

#include "vm/path.h"

static int close_stream(lua_State *L)
{
    luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
    int ok = fclose(p->f) == 0;
    return luaL_fileresult(L, ok, NULL);
}

/* Pushes a closed file handle: made before the descriptor is opened, so a
 * memory error here cannot leak it. */
static luaL_Stream *new_stream(lua_State *L)
{
    luaL_Stream *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->f = NULL;
    p->closef = NULL;
    luaL_setmetatable(L, LUA_FILEHANDLE);
    return p;
}

/* Gives fd to the handle p; raises (closing fd) when stdio cannot. */
static void attach(lua_State *L, luaL_Stream *p, int fd, const char *mode, const char *name)
{
    p->f = fdopen(fd, mode);
    if (!p->f) {
        int e = errno;
        close(fd);
        vm_script_error(L, "cannot open '%s': %s", name, strerror(e));
    }
    p->closef = close_stream;
}

/* Lua's modes, [rwa]%+?b*, as open(2) flags; -1 for anything else. */
static int mode_flags(const char *mode)
{
    int plus = mode[0] && mode[1] == '+';
    const char *rest = mode + 1 + plus;
    rest += strspn(rest, "b");
    if (*rest)
        return -1;
    int rw = plus ? O_RDWR : mode[0] == 'r' ? O_RDONLY : O_WRONLY;
    switch (mode[0]) {
    case 'r': return rw;
    case 'w': return rw | O_CREAT | O_TRUNC;
    case 'a': return rw | O_CREAT | O_APPEND;
    default: return -1;
    }
}

/* Pushes name opened in mode as a Lua file handle, or nil, a message and
 * an errno when it cannot be opened, as Lua's io.open does; a name the
 * sandbox refuses raises (at the script line that called io.open or
 * io.lines: both call this in their own frame). */
static int open_file(lua_State *L, const char *name, const char *mode)
{
    script_ctx *c = script_get_ctx(L);
    int flags = mode_flags(mode);
    luaL_argcheck(L, flags >= 0, 2, "invalid mode");
    luaL_Stream *p = new_stream(L);
    char err[DS_ERR_LEN], where[VM_WHERE_LEN], shown[PATH_MAX];
    int fd, missing = 0;
    ds_result r;
    script_where(L, where);
    if ((flags & O_ACCMODE) == O_RDONLY)
        r = vm_sandbox_open_read(&c->sb, VM_SB_DATA, "file", name, where, &fd, shown, sizeof shown, &missing, err);
    else
        r = vm_sandbox_open_write(&c->sb, name, flags, &fd, err);
    if (r == DS_ERR_IO) { /* not there, no permission: a script may test for a file */
        lua_pushnil(L);
        lua_pushstring(L, err);
        lua_pushinteger(L, missing ? ENOENT : EIO);
        return 3;
    }
    if (r != DS_OK)
        return vm_script_error(L, "%s", err);
    attach(L, p, fd, mode, name);
    return 1;
}

/* io.open(name [, mode]) */
static int l_io_open(lua_State *L)
{
    return open_file(L, luaL_checkstring(L, 1), luaL_optstring(L, 2, "r"));
}

/* io.lines(name, ...): the file's lines; the generic for closes it. */
static int l_io_lines(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int n = lua_gettop(L);
    if (open_file(L, name, "r") != 1)
        return vm_script_error(L, "%s", lua_tostring(L, -2));
    int file = lua_gettop(L);
    lua_getfield(L, file, "lines");
    lua_pushvalue(L, file);
    for (int i = 2; i <= n; i++)
        lua_pushvalue(L, i);
    lua_call(L, n, 1);
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushvalue(L, file); /* to-be-closed by the for loop, as Lua's io.lines does */
    return 4;
}

typedef struct {
    FILE *f;
    char buf[4096];
} chunk_reader;

static const char *read_chunk(lua_State *L, void *ud, size_t *size)
{
    chunk_reader *r = ud;
    (void)L;
    *size = fread(r->buf, 1, sizeof r->buf, r->f);
    return *size ? r->buf : NULL;
}

int script_load_file(lua_State *L, vm_sb_use use, const char *what, const char *name, int missing_ok, char *shown)
{
    script_ctx *c = script_get_ctx(L);
    char err[DS_ERR_LEN], where[VM_WHERE_LEN], path[PATH_MAX], chunkname[PATH_MAX + 1];
    int fd, missing;
    luaL_Stream *p = new_stream(L);
    script_where(L, where);
    if (vm_sandbox_open_read(&c->sb, use, what, name, where, &fd, path, sizeof path, &missing, err) != DS_OK) {
        lua_pop(L, 1);
        if (missing && missing_ok)
            return 0;
        return vm_script_error(L, "%s", err);
    }
    attach(L, p, fd, "r", name);
    if (shown)
        snprintf(shown, PATH_MAX, "%s", path);
    snprintf(chunkname, sizeof chunkname, "@%s", path);
    chunk_reader *r = lua_newuserdatauv(L, sizeof *r, 0); /* the buffer, collected with the rest */
    r->f = p->f;
    int status = lua_load(L, read_chunk, r, chunkname, "t");
    int failed = ferror(p->f);
    fclose(p->f);
    p->closef = NULL;
    if (status != LUA_OK)
        return vm_script_error(L, "%s", lua_tostring(L, -1));
    if (failed)
        return vm_script_error(L, "cannot read %s '%s'", what, path);
    lua_replace(L, -3); /* the chunk where the handle was */
    lua_pop(L, 1);
    return 1;
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

/* A module name is words separated by dots (or slashes): no empty word, so
 * no leading "/" or ".", no "..", nothing that becomes an absolute path or
 * climbs out of the folders require searches. */
static int module_name_ok(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if ((*p == '.' || *p == '/') && (p == name || p[1] == 0 || p[1] == '.' || p[1] == '/'))
            return 0;
    return name[0] != '.' && name[0] != '/';
}

/* Notes module name, loaded from path (as shown) found in folder `found_in`,
 * for `dubstage info`. */
static void note_module(lua_State *L, const char *name, const char *path, const char *found_in)
{
    vm_desc *d = script_get_ctx(L)->desc;
    d->modules = script_grow(L, d->modules, &d->capmodules, d->nmodules + 1, sizeof *d->modules);
    vm_module_desc *m = &d->modules[d->nmodules];
    memset(m, 0, sizeof *m);
    d->nmodules++; /* before the copies, which may raise: vm_desc_free frees what is there */
    script_where(L, m->where);
    m->name = script_strdup(L, name);
    m->path = script_strdup(L, path);
    m->found_in = script_strdup(L, found_in);
}

/* require "a.b": a/b.lua in the script's folder, then in each library
 * folder (--lib, DUBSTAGE_LIB) in order, then in the standard library;
 * each file judged by the sandbox on the file it reaches. */
static int l_require(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    const vm_script_opts *o = c->opts;
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "dubstage.loaded");
    if (lua_getfield(L, 2, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    if (!module_name_ok(name))
        return vm_script_error(L, "require \"%s\": a module name is words separated by dots, found in the script's "
                               "folder, the --lib folders or the standard library (require \"lib.eq\" loads "
                               "lib/eq.lua beside the script); a path is not a module name", name);
    char rel[PATH_MAX], path[2 * PATH_MAX], shown[PATH_MAX], found_in[PATH_MAX + 32];
    snprintf(rel, sizeof rel, "%s.lua", name);
    for (char *p = rel; *p && p < rel + strlen(rel) - 4; p++)
        if (*p == '.')
            *p = '/';
    lua_pushliteral(L, ""); /* 3: the files tried */
    int nlibs = c->sb.nlib_dirs;
    for (int i = 0; i < nlibs + 2; i++) { /* the script's folder, the libraries, the standard library */
        const char *dir = i == 0 ? NULL : i <= nlibs ? c->sb.lib_dirs[i - 1] : c->sb.stdlib_dir;
        if (dir && !dir[0])
            continue; /* no standard library */
        if (dir)
            snprintf(path, sizeof path, "%s/%s", dir, rel);
        else
            snprintf(path, sizeof path, "%s", rel);
        if (!script_load_file(L, VM_SB_MODULE, "module", path, 1, shown)) {
            lua_pushfstring(L, "%s\n\tno file '%s'", lua_tostring(L, 3), path);
            lua_replace(L, 3);
            continue;
        }
        if (i == 0)
            snprintf(found_in, sizeof found_in, "the script's folder");
        else if (i <= nlibs && i - 1 < o->nlibs)
            snprintf(found_in, sizeof found_in, "%s %s", o->libs[i - 1].origin, o->libs[i - 1].dir);
        else
            snprintf(found_in, sizeof found_in, "the standard library");
        note_module(L, name, shown, found_in);
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
    return vm_script_error(L, "module '%s' not found:%s", name, lua_tostring(L, 3));
}

void script_require(lua_State *L, const char *name)
{
    lua_pushcfunction(L, l_require);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
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
    lua_pushcfunction(L, l_io_open);
    lua_setfield(L, -2, "open");
    lua_pushcfunction(L, l_io_lines);
    lua_setfield(L, -2, "lines");
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
