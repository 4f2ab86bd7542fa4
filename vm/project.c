/* project.c - reading a project: a project file run as sandboxed Lua, or a
 * folder of reels (vm/project.h, docs/cluster.md).
 *
 * The project file is configuration, not a mix: it gets less than a
 * script does (no io, no require, no load), a small budget, and an unknown
 * global word is an error with a suggestion, not a nil. Each job is added
 * to the C project as the call that names it runs, so an error further
 * down leaves nothing held by a Lua frame (the arrays belong to p). */
#include "vm/project.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "vm/budget.h"
#include "vm/path.h"
#include "vm/suggest.h"

/* Budget of a project file. Time in C counts too (VM_BUDGET_C_RATE), and
 * each script a reel names is resolved and judged on the file system: a
 * project of 1002 jobs took 0.3 s of CPU natively and 0.58 s under
 * AddressSanitizer (over the old 1e8, 0.5 s), more on a slow file system.
 * 5e8 (2.5 s of C) leaves room for that; a runaway loop stops in about a
 * second. */
#define PROJECT_MAX_INSTRUCTIONS 5e8
#define PROJECT_MAX_MEMORY_MB 64.0

static const char *const project_words[] = {"reel", "lib", NULL};

/* "" when name is a valid reel or deliverable name, else why not. */
static const char *name_fault(const char *name)
{
    size_t len = strlen(name);
    if (len == 0)
        return "is empty";
    if (len >= VM_PROJECT_NAME_LEN)
        return "is longer than 63 characters";
    if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != len)
        return "may hold only letters, digits, '_' and '-' (it names make targets and files)";
    return "";
}

/* The deliverable's name: the script's file name without ".lua". */
static void deliverable_name(const char *script, char *out, size_t n)
{
    const char *base = vm_path_basename(script);
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".lua") == 0)
        len -= 4;
    snprintf(out, n, "%.*s", (int)len, base);
}

/* path (absolute, or relative to the project's folder) resolved, symlinks
 * and all, into real (PATH_MAX bytes) and stat'd into *st: 0, or -1 with
 * errno set. */
static int project_path(const vm_project *p, const char *path, char *real, struct stat *st)
{
    char joined[PATH_MAX];
    if (path[0] == '/')
        snprintf(joined, sizeof joined, "%s", path);
    else if (vm_path_join(p->dir, path, joined, sizeof joined) != 0)
        return errno = ENAMETOOLONG, -1;
    return realpath(joined, real) && stat(real, st) == 0 ? 0 : -1;
}

/* Adds the job running script (as given, relative to p->dir) for reel;
 * where: the project's line. deliverable: the job's deliverable name, NULL
 * for the script's file name; outputs[0..noutputs): the output names it
 * renders (copied), none for all of the script's. DS_OK, or why not in err
 * (without where). */
static ds_result add_job(vm_project *p, const char *reel, const char *script, const char *deliverable,
                         const char *const *outputs, int noutputs, const char *where, char *err)
{
    char real[PATH_MAX], named[VM_PROJECT_NAME_LEN + 8];
    struct stat st;
    if (p->njobs >= VM_PROJECT_MAX_JOBS)
        return ds_fail(err, DS_ERR_ARG, "more than %d jobs in one project: split it", VM_PROJECT_MAX_JOBS);
    if (project_path(p, script, real, &st) != 0)
        return ds_fail(err, DS_ERR_IO, "reel '%s': cannot find the script '%s': %s", reel, script, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ds_fail(err, DS_ERR_ARG, "reel '%s': the script '%s' is not a file", reel, script);
    if (!deliverable) {
        deliverable_name(real, named, sizeof named);
        const char *fault = name_fault(named);
        if (fault[0])
            return ds_fail(err, DS_ERR_ARG, "reel '%s': the deliverable name '%s' (the script's file name) %s", reel,
                           named, fault);
        deliverable = named;
    }
    char name[sizeof p->jobs->name];
    snprintf(name, sizeof name, "%s.%s", reel, deliverable);
    for (int i = 0; i < p->njobs; i++) {
        /* deliverables of one script split its outputs; a job of all of them
         * would write theirs too */
        if (strcmp(p->jobs[i].script, real) == 0 && (!noutputs || !p->jobs[i].noutputs))
            return ds_fail(err, DS_ERR_ARG, "the script '%s' is already job %s (%s): a script renders once, or "
                           "once per deliverable when every job of it names its outputs ({ \"%s\", pm = \"PM\" })",
                           script, p->jobs[i].name, p->jobs[i].where, script);
        if (strcmp(p->jobs[i].name, name) == 0)
            return ds_fail(err, DS_ERR_ARG, "two jobs named %s (the other at %s): give the %s", name,
                           p->jobs[i].where, noutputs ? "deliverables other names" : "scripts other file names");
    }
    vm_project_job *jobs = realloc(p->jobs, (size_t)(p->njobs + 1) * sizeof *jobs);
    if (!jobs)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    p->jobs = jobs;
    vm_project_job *j = &jobs[p->njobs];
    memset(j, 0, sizeof *j);
    if (noutputs && !(j->outputs = calloc((size_t)noutputs, sizeof *j->outputs)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    p->njobs++; /* from here vm_project_free frees what j holds */
    for (; j->noutputs < noutputs; j->noutputs++)
        if (!(j->outputs[j->noutputs] = strdup(outputs[j->noutputs])))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    snprintf(j->name, sizeof j->name, "%s", name);
    snprintf(j->reel, sizeof j->reel, "%s", reel);
    snprintf(j->script, sizeof j->script, "%s", real);
    snprintf(j->where, sizeof j->where, "%s", where);
    return DS_OK;
}

/* A new reel named name: DS_OK, or why not. */
static ds_result add_reel(vm_project *p, const char *name, char *err)
{
    const char *fault = strcmp(name, "all") == 0 ? "is the make target of every job: call it something else"
                                                  : name_fault(name);
    if (fault[0])
        return ds_fail(err, DS_ERR_ARG, "the reel name '%s' %s", name, fault);
    for (int i = 0; i < p->njobs; i++)
        if (strcmp(p->jobs[i].reel, name) == 0)
            return ds_fail(err, DS_ERR_ARG, "reel '%s' is named twice (first at %s)", name, p->jobs[i].where);
    if (p->nreels >= VM_PROJECT_MAX_REELS)
        return ds_fail(err, DS_ERR_ARG, "more than %d reels in one project", VM_PROJECT_MAX_REELS);
    p->nreels++;
    return DS_OK;
}

/* A library folder every job's render is given (--lib), as given (relative
 * to p->dir): DS_OK, or why not. */
static ds_result add_lib(vm_project *p, const char *dir, char *err)
{
    char real[PATH_MAX];
    struct stat st;
    if (p->nlibs >= VM_PROJECT_MAX_LIBS)
        return ds_fail(err, DS_ERR_ARG, "more than %d lib folders", VM_PROJECT_MAX_LIBS);
    if (project_path(p, dir, real, &st) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot find the lib folder '%s': %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return ds_fail(err, DS_ERR_ARG, "lib '%s' is not a folder", dir);
    char (*libs)[PATH_MAX] = realloc(p->libs, (size_t)(p->nlibs + 1) * sizeof *libs);
    if (!libs)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    p->libs = libs;
    snprintf(libs[p->nlibs++], PATH_MAX, "%s", real);
    return DS_OK;
}

/* ---- the project file ---------------------------------------------------- */

static vm_project *project_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* "feature.lua:3" of the project line calling (level 1), into where. */
static void project_where(lua_State *L, char *where, size_t n)
{
    luaL_where(L, 1);
    const char *w = lua_tostring(L, -1);
    size_t len = strlen(w);
    if (len >= 2 && w[len - 2] == ':' && w[len - 1] == ' ')
        len -= 2;
    snprintf(where, n, "%.*s", (int)len, w);
    lua_pop(L, 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* { "reel1/reel.lua", pm = "PM", stems = { "DX", "MX" } } at stack index
 * t: a job per deliverable key (in name order), each rendering the outputs
 * its value names (a name or a list of names, as `render --output` takes
 * them). */
static int add_deliverables(lua_State *L, vm_project *p, const char *reel, int t, const char *where)
{
    char err[DS_ERR_LEN];
    if (lua_geti(L, t, 1) != LUA_TSTRING)
        return luaL_error(L, "reel '%s': a deliverables table starts with its script's path: { \"%s/reel.lua\", "
                             "pm = \"PM\", stems = { \"DX\", \"MX\", \"FX\" } } (got %s)", reel, reel,
                          luaL_typename(L, -1));
    const char *script = lua_tostring(L, -1);
    int nkeys = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING && !(lua_isinteger(L, -2) && lua_tointeger(L, -2) == 1))
            return luaL_error(L, "reel '%s': the table of '%s' holds a key '%s'; after the script, name each "
                                 "deliverable: pm = \"PM\"", reel, script, luaL_tolstring(L, -2, NULL));
        nkeys += lua_type(L, -2) == LUA_TSTRING;
        lua_pop(L, 1);
    }
    if (nkeys == 0)
        return luaL_error(L, "reel '%s': the table of '%s' names no deliverable: { \"%s\", pm = \"PM\" } (or "
                             "give the path alone for one job of all its outputs)", reel, script, script);
    const char **keys = lua_newuserdatauv(L, (size_t)nkeys * sizeof *keys, 0); /* freed by Lua on an error */
    int k = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) == LUA_TSTRING)
            keys[k++] = lua_tostring(L, -2); /* the table holds the key: the pointer stays */
        lua_pop(L, 1);
    }
    qsort(keys, (size_t)nkeys, sizeof *keys, by_name);
    for (k = 0; k < nkeys; k++) {
        const char *fault = name_fault(keys[k]);
        if (fault[0])
            return luaL_error(L, "reel '%s': the deliverable name '%s' %s", reel, keys[k], fault);
        const char *names[VM_PROJECT_MAX_OUTPUTS];
        int n = 0;
        lua_getfield(L, t, keys[k]);
        if (lua_type(L, -1) == LUA_TSTRING) {
            names[n++] = lua_tostring(L, -1);
        } else if (lua_istable(L, -1)) {
            lua_Integer len = luaL_len(L, -1);
            if (len < 1 || len > VM_PROJECT_MAX_OUTPUTS)
                return luaL_error(L, "reel '%s': deliverable '%s' lists %d outputs (1 to %d)", reel, keys[k],
                                  (int)len, VM_PROJECT_MAX_OUTPUTS);
            for (lua_Integer i = 1; i <= len; i++) {
                if (lua_geti(L, t + 3, i) != LUA_TSTRING) /* t + 3: the list */
                    return luaL_error(L, "reel '%s': deliverable '%s': entry %d is a %s; an output's name is a "
                                         "string (\"DX\", \"stems/DX.wav\")", reel, keys[k], (int)i,
                                      luaL_typename(L, -1));
                names[n++] = lua_tostring(L, -1); /* stays on the stack until the job is added */
            }
        } else {
            return luaL_error(L, "reel '%s': deliverable '%s' names its outputs as a name or a list of names "
                                 "(\"PM\", { \"DX\", \"MX\" }), not a %s", reel, keys[k],
                              luaL_typename(L, -1));
        }
        if (add_job(p, reel, script, keys[k], names, n, where, err) != DS_OK)
            return luaL_error(L, "%s", err);
        lua_settop(L, t + 2); /* the script's path and the keys */
    }
    lua_pop(L, 2);
    return 0;
}

/* reel "r1" { "a.lua", { "b.lua", pm = "PM" }, ... }: the list, with the
 * reel's name as upvalue 2. */
static int l_reel_scripts(lua_State *L)
{
    vm_project *p = project_of(L);
    const char *reel = lua_tostring(L, lua_upvalueindex(2));
    char err[DS_ERR_LEN], where[VM_WHERE_LEN];
    if (!lua_istable(L, 1))
        return luaL_error(L, "reel '%s' takes a list of scripts: reel \"%s\" { \"%s/pm.lua\", \"%s/stems.lua\" } "
                             "(got %s)", reel, reel, reel, reel, luaL_typename(L, 1));
    project_where(L, where, sizeof where);
    lua_Integer n = luaL_len(L, 1);
    lua_pushnil(L);
    while (lua_next(L, 1)) { /* keys other than 1..n are a mistake, not something to ignore */
        if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > n)
            return luaL_error(L, "reel '%s': the list holds a key '%s'; give the scripts as a list of paths", reel,
                              luaL_tolstring(L, -2, NULL));
        lua_pop(L, 1);
    }
    if (n == 0)
        return luaL_error(L, "reel '%s' lists no script", reel);
    if (add_reel(p, reel, err) != DS_OK)
        return luaL_error(L, "%s", err);
    for (lua_Integer i = 1; i <= n; i++) {
        int type = lua_geti(L, 1, i);
        if (type == LUA_TTABLE) {
            add_deliverables(L, p, reel, lua_gettop(L), where);
        } else if (type != LUA_TSTRING) {
            return luaL_error(L, "reel '%s': entry %d is a %s; a script's path is a string, or a table of a "
                                 "script and its deliverables", reel, (int)i, luaL_typename(L, -1));
        } else if (add_job(p, reel, lua_tostring(L, -1), NULL, NULL, 0, where, err) != DS_OK) {
            return luaL_error(L, "%s", err);
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* reel "r1": returns the function that takes the reel's list. */
static int l_reel(lua_State *L)
{
    const char *name = lua_tostring(L, 1);
    if (lua_type(L, 1) != LUA_TSTRING)
        return luaL_error(L, "reel needs a name: reel \"r1\" { \"reel1/pm.lua\" } (got %s)", luaL_typename(L, 1));
    const char *fault = name_fault(name);
    if (fault[0])
        return luaL_error(L, "the reel name '%s' %s", name, fault);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, l_reel_scripts, 2);
    return 1;
}

/* lib "studio": a library folder every job's render is given (--lib). */
static int l_lib(lua_State *L)
{
    char err[DS_ERR_LEN];
    if (add_lib(project_of(L), luaL_checkstring(L, 1), err) != DS_OK)
        return luaL_error(L, "%s", err);
    return 0;
}

/* _G's __index: a word the project file does not know is a typo. */
static int l_unknown_word(lua_State *L)
{
    const char *w = lua_tostring(L, 2);
    const char *near = w ? vm_suggest(w, project_words, 2) : NULL;
    if (near)
        return luaL_error(L, "unknown word '%s' in a project file; did you mean '%s'?", w, near);
    return luaL_error(L, "unknown word '%s' in a project file (it knows reel and lib; docs/cluster.md)",
                      w ? w : "?");
}

static int run_project_file(lua_State *L)
{
    vm_project *p = lua_touserdata(L, 1);
    static const struct { const char *name; lua_CFunction open; } libs[] = {
        {LUA_GNAME, luaopen_base}, {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
        {LUA_MATHLIBNAME, luaopen_math},
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].open, 1);
        lua_pop(L, 1);
    }
    static const char *const unsafe[] = {"dofile", "loadfile", "load", "require", "collectgarbage", "print", NULL};
    for (int i = 0; unsafe[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, unsafe[i]);
    }
    static const lua_CFunction words[] = {l_reel, l_lib};
    for (int i = 0; project_words[i]; i++) {
        lua_pushlightuserdata(L, p);
        lua_pushcclosure(L, words[i], 1);
        lua_setglobal(L, project_words[i]);
    }
    lua_pushglobaltable(L);
    lua_newtable(L);
    lua_pushcfunction(L, l_unknown_word);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    if (luaL_loadfilex(L, p->path, "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

static ds_result load_project_file(vm_project *p, char *err)
{
    vm_budget b;
    vm_budget_init(&b, PROJECT_MAX_INSTRUCTIONS, PROJECT_MAX_MEMORY_MB, NULL);
    lua_State *L = vm_budget_newstate(&b);
    if (!L)
        return ds_fail(err, DS_ERR_NOMEM, "cannot create the Lua state: out of memory");
    ds_result r = DS_OK;
    lua_pushcfunction(L, run_project_file);
    lua_pushlightuserdata(L, p);
    vm_budget_watch(&b, L, 1);
    int st = lua_pcall(L, 1, 0, 0);
    vm_budget_watch(&b, L, 0);
    if (st != LUA_OK) {
        char mem[DS_ERR_LEN];
        const char *msg = lua_tostring(L, -1);
        if (msg && strcmp(msg, "not enough memory") == 0 && vm_budget_memory_error(&b, L, LUA_ERRMEM, mem, sizeof mem))
            r = ds_fail(err, DS_ERR_SCRIPT, "%s", mem);
        else
            r = ds_fail(err, DS_ERR_SCRIPT, "%s", msg ? msg : "error in the project file");
        /* the budget's message names the script options that set it; a
         * project file's budget is fixed */
        char *hint = strstr(err, "; --max-"), *close = hint ? strchr(hint, ')') : NULL;
        if (close)
            memmove(hint, close, strlen(close) + 1);
    } else if (p->njobs == 0) {
        r = ds_fail(err, DS_ERR_ARG, "%s: the project names no reel: reel \"r1\" { \"reel1/pm.lua\" } "
                                     "(docs/cluster.md)", p->path);
    }
    lua_close(L);
    return r;
}

/* ---- a plain project file ------------------------------------------------ */

/* The most a plain project file holds (far past 512 reels of 4,096 jobs'
 * paths), and a line. */
#define PLAIN_MAX_BYTES (16 << 20)
#define PLAIN_MAX_WORDS (VM_PROJECT_MAX_JOBS * 2)

/* The next word of a plain line at *s (spaces and tabs between words; a
 * word in double quotes may hold spaces), 0-terminated in place; NULL at
 * the line's end or a '#'. *bad: an unclosed quote; *quoted: it was in
 * quotes (so a path, whatever it holds). */
static char *plain_word(char **s, int *bad, int *quoted)
{
    char *w = *s + strspn(*s, " \t\r");
    *bad = *quoted = 0;
    if (!*w || *w == '#')
        return NULL;
    if (*w == '"') {
        *quoted = 1;
        char *close = strchr(++w, '"');
        if (!close)
            return *bad = 1, NULL;
        *close = 0;
        *s = close + 1;
        return w;
    }
    size_t n = strcspn(w, " \t\r");
    *s = w + n + (w[n] != 0);
    w[n] = 0;
    return w;
}

/* NAME=OUT[,OUT...] after a script: a deliverable of it; the name is
 * letters, digits, '_' and '-' (else the word, or a quoted one, is a
 * script's path). */
static char *deliverable_word(char *w)
{
    char *eq = strchr(w, '=');
    if (!eq || eq == w)
        return NULL;
    *eq = 0;
    int ok = !name_fault(w)[0];
    if (!ok)
        *eq = '=';
    return ok ? eq + 1 : NULL;
}

/* The jobs of one script of a plain reel line: all its outputs, or each
 * deliverable (name, then its comma-separated outputs) in the order
 * written. */
static ds_result add_plain_script(vm_project *p, const char *reel, const char *script, char **names, char **outs,
                                  int n, const char *where, char *err)
{
    if (n == 0)
        return add_job(p, reel, script, NULL, NULL, 0, where, err);
    for (int d = 0; d < n; d++) {
        const char *list[VM_PROJECT_MAX_OUTPUTS];
        int k = 0;
        for (char *o = outs[d], *next; o; o = next) {
            next = strchr(o, ',');
            if (next)
                *next++ = 0;
            if (!*o || k >= VM_PROJECT_MAX_OUTPUTS)
                return ds_fail(err, DS_ERR_ARG, "reel '%s': deliverable '%s' names %s (1 to %d output names, "
                               "split by commas: stems=DX,MX,FX)", reel, names[d], *o ? "too many outputs" :
                               "an empty output", VM_PROJECT_MAX_OUTPUTS);
            list[k++] = o;
        }
        ds_result r = add_job(p, reel, script, names[d], list, k, where, err);
        if (r != DS_OK)
            return r;
    }
    return DS_OK;
}

/* One line of a plain project file: "REEL SCRIPT [NAME=OUT,...]... ..."
 * or "lib DIR"; where: "FILE:LINE". */
static ds_result plain_line(vm_project *p, char *line, const char *where, char *err)
{
    char **names = NULL, **outs = NULL;
    int bad, quoted, n = 0;
    ds_result r = DS_OK;
    char *reel = plain_word(&line, &bad, &quoted);
    if (!reel)
        return bad ? ds_fail(err, DS_ERR_ARG, "a quote is not closed") : DS_OK;
    if (strcmp(reel, "lib") == 0) {
        char *dir = plain_word(&line, &bad, &quoted), *more = dir ? plain_word(&line, &bad, &quoted) : NULL;
        if (!dir || more || bad)
            return ds_fail(err, DS_ERR_ARG, "a lib line names one folder: lib studio");
        return add_lib(p, dir, err);
    }
    if ((r = add_reel(p, reel, err)) != DS_OK)
        return r;
    names = calloc(PLAIN_MAX_WORDS, sizeof *names);
    outs = calloc(PLAIN_MAX_WORDS, sizeof *outs);
    if (!names || !outs)
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    char *script = NULL, *w;
    int scripts = 0;
    while (r == DS_OK && (w = plain_word(&line, &bad, &quoted))) {
        char *list = quoted ? NULL : deliverable_word(w);
        if (list && !script) {
            r = ds_fail(err, DS_ERR_ARG, "reel '%s': the deliverable '%s=%s' comes before any script: give the "
                        "script first (r1 reel1.lua pm=PM)", reel, w, list);
        } else if (list) {
            if (n >= PLAIN_MAX_WORDS)
                r = ds_fail(err, DS_ERR_ARG, "reel '%s': too many deliverables", reel);
            else
                names[n] = w, outs[n++] = list;
        } else {
            if (script)
                r = add_plain_script(p, reel, script, names, outs, n, where, err);
            script = w, n = 0, scripts++;
        }
    }
    if (r == DS_OK && bad)
        r = ds_fail(err, DS_ERR_ARG, "a quote is not closed");
    if (r == DS_OK && !script)
        r = ds_fail(err, DS_ERR_ARG, "reel '%s' lists no script: %s reel1/pm.lua reel1/stems.lua", reel, reel);
    if (r == DS_OK)
        r = add_plain_script(p, reel, script, names, outs, n, where, err);
    free(names);
    free(outs);
    return r;
}

static ds_result load_project_plain(vm_project *p, char *err)
{
    FILE *f = fopen(p->path, "r");
    if (!f)
        return ds_fail(err, DS_ERR_IO, "cannot open the project '%s': %s", p->path, strerror(errno));
    char *line = NULL, where[VM_WHERE_LEN];
    size_t cap = 0, total = 0;
    ssize_t len;
    ds_result r = DS_OK;
    for (int no = 1; r == DS_OK && (len = getline(&line, &cap, f)) >= 0; no++) {
        if ((total += (size_t)len) > PLAIN_MAX_BYTES) {
            r = ds_fail(err, DS_ERR_ARG, "%s: the project file is over %d MiB", p->path, PLAIN_MAX_BYTES >> 20);
            break;
        }
        if (memchr(line, 0, (size_t)len)) {
            r = ds_fail(err, DS_ERR_ARG, "%s:%d: a NUL byte: not a text file", p->path, no);
            break;
        }
        line[strcspn(line, "\n")] = 0;
        snprintf(where, sizeof where, "%.140s:%d", p->path, no); /* VM_WHERE_LEN bounds it */
        if ((r = plain_line(p, line, where, err)) != DS_OK) {
            char why[DS_ERR_LEN];
            snprintf(why, sizeof why, "%s", err);
            ds_fail(err, r, "%s: %s", where, why);
        }
    }
    if (r == DS_OK && ferror(f))
        r = ds_fail(err, DS_ERR_IO, "cannot read the project '%s': %s", p->path, strerror(errno));
    free(line);
    fclose(f);
    if (r == DS_OK && p->njobs == 0)
        r = ds_fail(err, DS_ERR_ARG, "%s: the project names no reel: a line 'r1 reel1/pm.lua reel1/stems.lua' "
                    "(docs/cluster.md)", p->path);
    return r;
}

/* ---- a folder of reels ---------------------------------------------------- */

static int lua_file(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return e->d_name[0] != '.' && len > 4 && strcmp(e->d_name + len - 4, ".lua") == 0;
}

static int visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* The *.lua files directly in dir (as given under p->dir), each a job of
 * reel. *found: how many. */
static ds_result add_folder_scripts(vm_project *p, const char *dir, const char *reel, int *found, char *err)
{
    char path[PATH_MAX];
    struct dirent **names;
    ds_result r = DS_OK;
    *found = 0;
    if (vm_path_join(p->dir, dir, path, sizeof path) != 0)
        return ds_fail(err, DS_ERR_ARG, "the path '%s' is too long", dir);
    int n = scandir(path, &names, lua_file, alphasort);
    if (n < 0)
        return ds_fail(err, DS_ERR_IO, "cannot read the folder '%s': %s", path, strerror(errno));
    for (int i = 0; i < n; i++) {
        char script[PATH_MAX], full[PATH_MAX];
        struct stat st;
        if (r == DS_OK && vm_path_join(path, names[i]->d_name, full, sizeof full) == 0 && stat(full, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            snprintf(script, sizeof script, "%s/%s", dir, names[i]->d_name);
            if (*found == 0)
                r = add_reel(p, reel, err);
            if (r == DS_OK && (r = add_job(p, reel, script, NULL, NULL, 0, p->path, err)) == DS_OK)
                ++*found;
        }
        free(names[i]);
    }
    free(names);
    return r;
}

static ds_result load_project_folder(vm_project *p, char *err)
{
    struct dirent **names;
    int n = scandir(p->dir, &names, visible, alphasort);
    if (n < 0)
        return ds_fail(err, DS_ERR_IO, "cannot read the folder '%s': %s", p->path, strerror(errno));
    ds_result r = DS_OK;
    for (int i = 0; i < n; i++) {
        char full[PATH_MAX], reel[sizeof names[i]->d_name]; /* checked by add_reel */
        struct stat st;
        int found;
        if (r == DS_OK && vm_path_join(p->dir, names[i]->d_name, full, sizeof full) == 0 && stat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                snprintf(reel, sizeof reel, "%s", names[i]->d_name);
                r = add_folder_scripts(p, names[i]->d_name, reel, &found, err);
            } else if (S_ISREG(st.st_mode) && lua_file(names[i])) {
                deliverable_name(names[i]->d_name, reel, sizeof reel);
                if ((r = add_reel(p, reel, err)) == DS_OK)
                    r = add_job(p, reel, names[i]->d_name, NULL, NULL, 0, p->path, err);
            }
            if (r != DS_OK && strncmp(err, p->path, strlen(p->path)) != 0) {
                char why[DS_ERR_LEN];
                snprintf(why, sizeof why, "%s", err);
                ds_fail(err, r, "%s: %s", p->path, why);
            }
        }
        free(names[i]);
    }
    free(names);
    if (r == DS_OK && p->njobs == 0)
        r = ds_fail(err, DS_ERR_ARG, "%s: the folder holds no script (*.lua), directly or in a subfolder", p->path);
    return r;
}

ds_result vm_project_load(const char *path, vm_project *p, char *err)
{
    struct stat st;
    char real[PATH_MAX];
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path);
    if (!realpath(path, real) || stat(real, &st) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot open the project '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        snprintf(p->dir, sizeof p->dir, "%s", real);
        return load_project_folder(p, err);
    }
    if (!S_ISREG(st.st_mode))
        return ds_fail(err, DS_ERR_ARG, "the project '%s' is neither a file nor a folder", path);
    vm_path_dirname(real, p->dir, sizeof p->dir);
    size_t len = strlen(path);
    if (len > 4 && strcmp(path + len - 4, ".lua") == 0)
        return load_project_file(p, err);
    return load_project_plain(p, err);
}

void vm_project_free(vm_project *p)
{
    for (int k = 0; k < p->njobs; k++) {
        for (int i = 0; i < p->jobs[k].noutputs; i++)
            free(p->jobs[k].outputs[i]);
        free(p->jobs[k].outputs);
    }
    free(p->jobs);
    free(p->libs);
    p->jobs = NULL;
    p->libs = NULL;
    p->njobs = p->nlibs = p->nreels = 0;
}
