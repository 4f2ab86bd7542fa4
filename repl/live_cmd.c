/* live_cmd.c - `dubstage devices`, `dubstage play` and `dubstage repl`.
 *
 * Both live commands build the plan the way `render` does (script ->
 * description -> duck analysis -> compile) with the strip to play tapped
 * and every bus metered, and hand it to the live driver (vm/live.h). The
 * REPL keeps a list of live changes (name = value, vm/liveset.h): every
 * change, and every reload(), re-runs the script, applies the list, compiles
 * and swaps the plan into the running stream. save() writes the list as a
 * trims file the script includes (`trims "mix.trims.lua"`), so an offline
 * render hears what the mixer heard.
 *
 * Ctrl-C in the REPL stops the Lua that is running (a chunk typed at the
 * prompt, the script a reload runs) and nothing else: the signal handler
 * only sets a flag, and a count hook in each Lua state raises "interrupted"
 * when it finds the flag set (lua.c's way: a signal handler must not touch
 * a Lua state). The mix plays on, untouched.
 */
#include "repl/live_cmd.h"

#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repl/console.h"
#include "vm/budget.h"
#include "vm/desc.h"
#include "vm/duck.h"
#include "vm/lane.h"
#include "vm/liveset.h"
#include "vm/markers.h"
#include "vm/path.h"
#include "vm/sandbox.h"
#include "vm/script_error.h"
#include "vm/timecode.h"
#include "vm/tmpfile.h"

#define LIVE_BLOCK 1024
#define REPL_NICE 5 /* the REPL thread's nice value above the audio threads' */

/* ---- Ctrl-C while Lua runs ------------------------------------------------ */

static volatile sig_atomic_t lua_interrupt; /* set by SIGINT while a chunk or a reload runs */

static void on_interrupt(int sig)
{
    (void)sig;
    lua_interrupt = 1;
}

/* From here to interrupt_end, Ctrl-C sets lua_interrupt (and nothing else);
 * the console's own handler is kept in *old. */
static void interrupt_begin(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_interrupt;
    lua_interrupt = 0;
    sigaction(SIGINT, &sa, old);
}

static void interrupt_end(const struct sigaction *old)
{
    sigaction(SIGINT, old, NULL);
    lua_interrupt = 0;
}


/* ---- building a plan for live use ------------------------------------------ */

typedef struct {
    char **keys;
    double *vals;
    int n, cap;
} change_list;

static int changes_put(change_list *c, const char *key, double v)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->keys[i], key) == 0) {
            c->vals[i] = v;
            return 0;
        }
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        char **k = realloc(c->keys, (size_t)cap * sizeof *k);
        if (!k)
            return -1;
        c->keys = k;
        double *v2 = realloc(c->vals, (size_t)cap * sizeof *v2);
        if (!v2)
            return -1;
        c->vals = v2;
        c->cap = cap;
    }
    if (!(c->keys[c->n] = strdup(key)))
        return -1;
    c->vals[c->n++] = v;
    return 0;
}

static void changes_free(change_list *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->keys[i]);
    free(c->keys);
    free(c->vals);
    memset(c, 0, sizeof *c);
}

/* script (run with so) -> description (+ live changes) -> plan with the tap
 * and meters. On success *d holds the new description (the caller frees the
 * old). */
static ds_result build_plan(const live_args *a, const vm_script_opts *so, const change_list *ch, vm_desc *d, plan **p,
                            char *err)
{
    *p = NULL;
    ds_result r = vm_script_load(a->script, so, d, err);
    if (r != DS_OK)
        return r;
    for (int i = 0; ch && i < ch->n; i++)
        if ((r = vm_liveset(d, ch->keys[i], ch->vals[i], err)) != DS_OK)
            return r;
    int tap = -1;
    if (a->bus) {
        tap = vm_desc_find_strip(d, a->bus);
        for (int i = 0; tap < 0 && i < d->noutputs; i++)
            if (strcmp(d->outputs[i].path, a->bus) == 0 || strcmp(vm_path_basename(d->outputs[i].path), a->bus) == 0)
                tap = d->outputs[i].strip;
        if (tap < 0)
            return ds_fail(err, DS_ERR_ARG, "the mix has no bus, track or output '%s'", a->bus);
    } else if (d->noutputs > 0) {
        tap = d->outputs[0].strip;
    } else {
        return ds_fail(err, DS_ERR_ARG, "the script declares no output: name the bus to play with --bus NAME");
    }
    d->live_tap = tap;
    d->live_meters = 1;
    if ((r = vm_duck_analyse(d, LIVE_BLOCK, err)) != DS_OK)
        return r;
    return vm_compile(d, LIVE_BLOCK, p, err);
}

int repl_devices(void)
{
    char err[DS_ERR_LEN];
    if (vm_live_devices(stdout, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    return 0;
}

static void print_report(const vm_live_report *rep, double played_s)
{
    /* the server reports an xrun now and then while it connects a new
     * client, before anything plays: counted apart, shown, never hidden */
    char idle[160] = "";
    if (rep->xruns > rep->xruns_playing)
        snprintf(idle, sizeof idle, "; %llu more while idle (first in callback %llu)",
                 (unsigned long long)(rep->xruns - rep->xruns_playing), (unsigned long long)rep->first_xrun);
    char held[96] = "";
    if (rep->late_held)
        snprintf(held, sizeof held, " (%llu held up: under half a period of CPU)", (unsigned long long)rep->late_held);
    fprintf(stderr,
            "ran %.2f s: %llu xruns, %llu late callbacks%s, %llu disk underruns (frames)%s\n"
            "callback: %d frames (%.2f ms); time used, as a fraction of that period: mean %.1f %%, "
            "median %.1f %%, 99th percentile %.1f %%, 99.9th percentile %.1f %%, worst %.1f %% (%llu callbacks)\n"
            "audio thread: %s\n",
            played_s, (unsigned long long)rep->xruns_playing, (unsigned long long)rep->late, held,
            (unsigned long long)rep->underruns, idle, rep->buffer, rep->period_us / 1000.0, rep->mean * 100,
            rep->p50 * 100, rep->p99 * 100, rep->p999 * 100, rep->worst * 100, (unsigned long long)rep->callbacks,
            rep->sched);
    if (rep->profile[0])
        fprintf(stderr, "%s\n", rep->profile);
}

/* The plan a live command starts with; on failure the message is printed
 * and everything freed. */
static int first_plan(const live_args *a, vm_desc *d, plan **p)
{
    char err[DS_ERR_LEN];
    if (build_plan(a, &a->so, NULL, d, p, err) == DS_OK)
        return 0;
    fprintf(stderr, "dubstage: %s\n", err);
    vm_plan_free(p);
    vm_desc_free(d);
    return -1;
}

int repl_play(const live_args *a)
{
    char err[DS_ERR_LEN];
    vm_desc d;
    plan *p = NULL;
    if (first_plan(a, &d, &p) != 0)
        return a->stop && *a->stop ? 128 + (int)*a->stop : 1;
    int64_t from = 0, to = p->length;
    if ((a->from && vm_time_parse_arg(&d.tb, a->from, &from, err) != DS_OK) ||
        (a->to && vm_time_parse_arg(&d.tb, a->to, &to, err) != DS_OK)) {
        fprintf(stderr, "dubstage: %s\n", err);
        vm_plan_free(&p);
        vm_desc_free(&d);
        return 2;
    }
    if (to <= from) {
        fprintf(stderr, "dubstage: nothing to play: --to must come after --from\n");
        vm_plan_free(&p);
        vm_desc_free(&d);
        return 2;
    }
    vm_timebase tb = d.tb;
    const char *tap = d.strips[d.live_tap].name;
    char tapname[256];
    snprintf(tapname, sizeof tapname, "%s", tap);
    vm_live *L;
    ds_result r = vm_live_open(&L, p, tapname, &a->lo, err);
    vm_desc_free(&d);
    if (r != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (vm_live_play(L, from, to, a->loop ? from : 0, a->loop ? to : 0, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        vm_live_close(&L, NULL);
        return 1;
    }
    int tty = isatty(2);
    int rc = 0;
    for (;;) {
        usleep(50 * 1000);
        vm_live_poll(L);
        vm_live_status st;
        vm_live_get_status(L, &st);
        if (st.feed_error[0]) {
            fprintf(stderr, "%sdubstage: %s\n", tty ? "\n" : "", st.feed_error);
            rc = 1;
            break;
        }
        if (tty) {
            char tc[64];
            vm_time_format(&tb, st.position, tc, sizeof tc);
            fprintf(stderr, "\r%s %s  xruns %llu  ", st.playing ? ">" : "|", tc, (unsigned long long)st.xruns);
            for (int i = 0; i < st.nmeters && i < 4; i++)
                fprintf(stderr, " %s %5.1f", st.meters[i].name, st.meters[i].peak_dbfs);
            fprintf(stderr, "   ");
            fflush(stderr);
        }
        if (st.finished || (!st.playing && st.callbacks > 0 && !a->loop && st.position >= to))
            break;
        if (a->stop && *a->stop) {
            rc = 128 + (int)*a->stop;
            break;
        }
    }
    if (tty)
        fprintf(stderr, "\n");
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    vm_live_report rep;
    vm_live_close(&L, &rep);
    print_report(&rep, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    return rc;
}

/* ---- the REPL ------------------------------------------------------------------ */

typedef struct {
    const live_args *a;
    vm_script_opts so;         /* a->so, stopped by Ctrl-C (lua_interrupt) */
    vm_live *live;
    vm_desc desc;              /* the description now playing (live changes applied) */
    change_list changes;
    char **names;              /* settable names, for completion */
    vm_lane **duck_lanes;      /* per strip: its duck layer (to show the dip), or NULL */
    int nduck_lanes;
    int64_t from, to, loop_from, loop_to;
    int dirty;                 /* changes wait to be compiled */
    int watch;                 /* reload when the script file changes */
    struct timespec mtime;     /* the script's, at the last (re)load */
    int quit;
    char trims_path[4096];
    char tap[256];
    char traceback[2048];      /* of the last script error (so.traceback) */
    vm_budget budget;          /* the prompt state's hook: Ctrl-C only, no limits */
    int reported;              /* the error being raised is a whole report: no traceback of the chunk */
} session;

static session *S_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

static void free_duck_lanes(session *s)
{
    for (int i = 0; i < s->nduck_lanes; i++)
        vm_lane_free(&s->duck_lanes[i]);
    free(s->duck_lanes);
    s->duck_lanes = NULL;
    s->nduck_lanes = 0;
}

static void adopt_desc(session *s, vm_desc *d)
{
    vm_desc_free(&s->desc);
    s->desc = *d;
    free(s->names);
    s->names = vm_liveset_names(&s->desc);
    free_duck_lanes(s);
    s->duck_lanes = calloc((size_t)(s->desc.nstrips ? s->desc.nstrips : 1), sizeof *s->duck_lanes);
    if (s->duck_lanes) {
        s->nduck_lanes = s->desc.nstrips;
        char err[DS_ERR_LEN];
        for (int i = 0; i < s->desc.nstrips; i++) { /* an analysed duck's layer: the whole strip or its band */
            const vm_strip_desc *st = &s->desc.strips[i];
            if (st->duck.nevents)
                s->duck_lanes[i] = vm_param_desc_lane(&st->duck, 1, "duck", err);
            else if (st->bandduck.nevents)
                s->duck_lanes[i] = vm_param_desc_lane(&st->bandduck, 1, "band duck", err);
        }
    }
}

/* Recompiles with the changes and swaps the result in. On failure the
 * running mix is untouched and err says why. */
static ds_result rebuild(session *s, char *err)
{
    vm_desc d;
    plan *p = NULL;
    ds_result r = build_plan(s->a, &s->so, &s->changes, &d, &p, err);
    if (r != DS_OK) {
        vm_plan_free(&p);
        vm_desc_free(&d);
        return r;
    }
    if ((r = vm_live_swap(s->live, p, err)) != DS_OK) {
        vm_desc_free(&d);
        return r;
    }
    adopt_desc(s, &d);
    return DS_OK;
}

/* A time: seconds (a number), a time string ("01:00:10:00", "12.5 s"), or
 * the name of a cue in the marker lists the script loaded. */
static int64_t arg_time(lua_State *L, session *s, int i)
{
    int64_t pos;
    char err[DS_ERR_LEN];
    if (lua_type(L, i) == LUA_TNUMBER) {
        if (vm_time_from_seconds(&s->desc.tb, lua_tonumber(L, i), &pos, err) != DS_OK)
            vm_script_error(L, "%s", err);
        return pos;
    }
    const char *str = luaL_checkstring(L, i);
    if (vm_time_parse(&s->desc.tb, str, VM_TIME_POSITION, &pos, err) == DS_OK)
        return pos;
    char cue_err[DS_ERR_LEN] = "";
    for (int k = 0; k < s->desc.nmarker_files; k++) {
        vm_markers *m = NULL;
        if (vm_markers_load(s->desc.marker_files[k], &s->desc.tb, &m, cue_err) != DS_OK)
            continue;
        ds_result r = vm_markers_find(m, str, &pos, cue_err);
        vm_markers_free(&m);
        if (r == DS_OK)
            return pos;
    }
    if (cue_err[0])
        vm_script_error(L, "%s", cue_err);
    vm_script_error(L, "%s (or the name of a cue, when the script loads markers)", err);
    return 0;
}

static int start_playing(lua_State *L, session *s, int64_t from)
{
    char err[DS_ERR_LEN];
    int64_t to = s->to > from ? s->to : s->desc.length >= 0 ? vm_desc_length(&s->desc) : 0;
    if (s->loop_to > s->loop_from && from >= s->loop_to)
        from = s->loop_from;
    if (vm_live_play(s->live, from, to, s->loop_from, s->loop_to, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    return 0;
}

static int l_play(lua_State *L)
{
    session *s = S_of(L);
    int64_t from = lua_isnoneornil(L, 1) ? s->from : arg_time(L, s, 1);
    return start_playing(L, s, from);
}

static int l_locate(lua_State *L)
{
    session *s = S_of(L);
    s->from = arg_time(L, s, 1);
    vm_live_status st;
    vm_live_get_status(s->live, &st);
    if (st.playing)
        return start_playing(L, s, s->from);
    return 0;
}

static int l_stop(lua_State *L)
{
    session *s = S_of(L);
    vm_live_status st;
    vm_live_get_status(s->live, &st);
    s->from = st.position > 0 ? st.position : s->from; /* play() goes on from here */
    vm_live_stop(s->live);
    return 0;
}

static int l_loop(lua_State *L)
{
    session *s = S_of(L);
    if (lua_isboolean(L, 1) && !lua_toboolean(L, 1)) {
        s->loop_from = s->loop_to = 0;
        return 0;
    }
    int64_t a = arg_time(L, s, 1), b = arg_time(L, s, 2);
    if (b <= a)
        return vm_script_error(L, "loop: the end must come after the start");
    s->loop_from = a;
    s->loop_to = b;
    return start_playing(L, s, a);
}

static int l_set(lua_State *L)
{
    session *s = S_of(L);
    const char *name = luaL_checkstring(L, 1);
    double v = lua_isboolean(L, 2) ? (double)lua_toboolean(L, 2) : luaL_checknumber(L, 2);
    char err[DS_ERR_LEN];
    /* checked on the description now playing, then recorded; compiled once the chunk is done */
    if (vm_liveset(&s->desc, name, v, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    if (changes_put(&s->changes, name, v) != 0)
        return vm_script_error(L, "out of memory");
    s->dirty = 1;
    return 0;
}

static int l_get(lua_State *L)
{
    session *s = S_of(L);
    double v = vm_liveget(&s->desc, luaL_checkstring(L, 1));
    if (isnan(v))
        lua_pushnil(L);
    else
        lua_pushnumber(L, v);
    return 1;
}

static int set_flag(lua_State *L, const char *what, int on)
{
    session *s = S_of(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        char name[300];
        snprintf(name, sizeof name, "%s.%s", luaL_checkstring(L, i), what);
        char err[DS_ERR_LEN];
        if (vm_liveset(&s->desc, name, on, err) != DS_OK)
            return vm_script_error(L, "%s", err);
        changes_put(&s->changes, name, on);
    }
    s->dirty = 1;
    return 0;
}

static int l_mute(lua_State *L) { return set_flag(L, "mute", 1); }
static int l_unmute(lua_State *L) { return set_flag(L, "mute", 0); }
static int l_solo(lua_State *L) { return set_flag(L, "solo", 1); }
static int l_unsolo(lua_State *L) { return set_flag(L, "solo", 0); }

static void make_proxies(lua_State *L, session *s);

static struct timespec script_mtime(const session *s)
{
    struct stat st;
    struct timespec t = {0, 0};
    if (stat(s->a->script, &st) == 0)
        t = st.st_mtim;
    return t;
}

static int l_watch(lua_State *L)
{
    session *s = S_of(L);
    s->watch = lua_isnone(L, 1) || lua_toboolean(L, 1);
    s->mtime = script_mtime(s);
    repl_console_print("%s %s", s->watch ? "watching" : "no longer watching", s->a->script);
    return 0;
}

/* A failed rebuild as the REPL shows it: the message (FILE:LINE: first),
 * the script's traceback when it ran into an error, then what failed (the
 * mix plays on unchanged). */
static void format_build_error(const session *s, const char *err, const char *what, char *out, size_t n)
{
    if (snprintf(out, n, "%s\n%s%s%s failed: the mix plays on unchanged", err, s->traceback,
                 s->traceback[0] ? "\n" : "", what) >= (int)n)
        snprintf(out, n, "%s\n%s failed: the mix plays on unchanged", err, what); /* the traceback cut off */
}

static int l_reload(lua_State *L)
{
    session *s = S_of(L);
    char err[DS_ERR_LEN];
    s->dirty = 0;
    s->mtime = script_mtime(s);
    if (rebuild(s, err) != DS_OK) {
        char msg[DS_ERR_LEN + sizeof s->traceback + 64];
        format_build_error(s, err, "reload", msg, sizeof msg);
        s->reported = 1; /* the script's traceback, not the prompt's */
        lua_pushstring(L, msg);
        return lua_error(L);
    }
    make_proxies(L, s);
    repl_console_print("reloaded %s", s->a->script);
    return 0;
}

/* s as a Lua string literal that reads back as exactly s: a strip's name is
 * the script's to choose, and a quote or a newline in it must not end the
 * string (or put code into the trims file). */
static void put_lua_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(f, "\\%03d", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static int l_save(lua_State *L)
{
    session *s = S_of(L);
    char path[4096], asked[4096], err[DS_ERR_LEN];
    int missing;
    /* judged on the file reached (vm/sandbox.h): a link there to a file
     * outside the script's folder, or to the script, is refused; the
     * temporary file beside it is made new (O_EXCL), never through a link */
    char dir[4096];
    vm_path_dirname(s->a->script, dir, sizeof dir);
    if (vm_path_resolve(lua_isnoneornil(L, 1) ? NULL : dir,
                        lua_isnoneornil(L, 1) ? s->trims_path : luaL_checkstring(L, 1), asked, sizeof asked,
                        &missing, err) != DS_OK ||
        vm_sandbox_check_save(s->a->script, asked, path, sizeof path, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    vm_tmpfile tmp;
    FILE *f = vm_tmpfile_fopen(&tmp, path, err);
    if (!f)
        return vm_script_error(L, "%s", err);
    time_t now = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&now));
    fprintf(f, "-- live changes to %s, saved by dubstage repl on %s.\n", vm_path_basename(s->a->script), when);
    fprintf(f, "-- The mix reads them with: trims \"%s\"\n", vm_path_basename(path));
    fprintf(f, "return {\n");
    /* sorted by name: the file diffs cleanly */
    int *order = malloc((size_t)(s->changes.n ? s->changes.n : 1) * sizeof *order);
    for (int i = 0; order && i < s->changes.n; i++) {
        int j = i;
        while (j > 0 && strcmp(s->changes.keys[order[j - 1]], s->changes.keys[i]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (int i = 0; order && i < s->changes.n; i++) {
        const char *k = s->changes.keys[order[i]];
        double v = s->changes.vals[order[i]];
        const char *dot = strrchr(k, '.');
        fputs("  [", f);
        put_lua_string(f, k);
        if (dot && (strcmp(dot, ".mute") == 0 || strcmp(dot, ".solo") == 0))
            fprintf(f, "] = %s,\n", v != 0 ? "true" : "false");
        else
            fprintf(f, "] = %.17g,\n", v);
    }
    free(order);
    fprintf(f, "}\n");
    if (vm_tmpfile_fcommit(&tmp, f, path, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    vm_path_shown(path, asked, sizeof asked); /* "mix.trims.lua" rather than the whole real path */
    repl_console_print("saved %d change%s to %s", s->changes.n, s->changes.n == 1 ? "" : "s", asked);
    if (!s->desc.trims_path[0] || strcmp(vm_path_basename(s->desc.trims_path), vm_path_basename(path)) != 0)
        repl_console_print("add this line to %s to use them: trims \"%s\"", vm_path_basename(s->a->script),
                      vm_path_basename(path));
    lua_pushstring(L, asked);
    return 1;
}

static int l_params(lua_State *L)
{
    session *s = S_of(L);
    const char *prefix = luaL_optstring(L, 1, "");
    for (int i = 0; s->names && s->names[i]; i++)
        if (strncmp(s->names[i], prefix, strlen(prefix)) == 0)
            repl_console_print("%-32s %g", s->names[i], vm_liveget(&s->desc, s->names[i]));
    return 0;
}

static int l_quit(lua_State *L)
{
    S_of(L)->quit = 1;
    return 0;
}

static int l_where(lua_State *L)
{
    session *s = S_of(L);
    vm_live_status st;
    vm_live_get_status(s->live, &st);
    char tc[64];
    vm_time_format(&s->desc.tb, st.position, tc, sizeof tc);
    lua_pushstring(L, tc);
    return 1;
}

/* `dx.gain = -3`, `print(mx.duck.depth)`: a proxy per strip, VCA and
 * group whose name is a Lua name */
static const char proxies_lua[] =
    "local get, set = ...\n"
    "local function proxy(prefix)\n"
    "  return setmetatable({}, {\n"
    "    __index = function(_, k) local n = prefix .. '.' .. k; local v = get(n)\n"
    "      if v ~= nil then return v end; return proxy(n) end,\n"
    "    __newindex = function(_, k, v) local ok, e = pcall(set, prefix .. '.' .. k, v)\n"
    "      if not ok then error(tostring(e):gsub('^proxy:%d+: ', ''), 2) end end,\n"
    "    __tostring = function() return prefix end })\n"
    "end\n"
    "return proxy\n";

static void make_proxies(lua_State *L, session *s)
{
    if (luaL_loadbuffer(L, proxies_lua, sizeof proxies_lua - 1, "=proxy") != LUA_OK) {
        lua_pop(L, 1);
        return;
    }
    lua_getglobal(L, "get");
    lua_getglobal(L, "set");
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return;
    }
    int proxy = lua_gettop(L);
    for (int i = 0; s->names && s->names[i]; i++) {
        const char *n = s->names[i], *dot = strchr(n, '.');
        char owner[200];
        snprintf(owner, sizeof owner, "%.*s", (int)(dot - n), n);
        int ident = (owner[0] == '_' || (owner[0] >= 'a' && owner[0] <= 'z') || (owner[0] >= 'A' && owner[0] <= 'Z'));
        for (const char *c = owner; *c && ident; c++)
            ident = *c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
        if (!ident)
            continue;
        lua_getglobal(L, owner);
        int taken = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (taken)
            continue;
        lua_pushvalue(L, proxy);
        lua_pushstring(L, owner);
        lua_call(L, 1, 1);
        lua_setglobal(L, owner);
    }
    lua_pop(L, 1);
}

static lua_State *repl_lua(session *s)
{
    /* the script's hook (vm/budget.h): once the flag is set it looks at every
     * instruction, so a chunk that catches the error (pcall in a loop) stops
     * too; on_chunk sets its rate back */
    s->budget = (vm_budget){.interrupt = &lua_interrupt};
    lua_State *L = vm_budget_newstate(&s->budget);
    if (!L)
        return NULL;
    luaL_requiref(L, "_G", luaopen_base, 1);
    luaL_requiref(L, "string", luaopen_string, 1);
    luaL_requiref(L, "table", luaopen_table, 1);
    luaL_requiref(L, "math", luaopen_math, 1);
    lua_pop(L, 4);
    static const luaL_Reg fns[] = {
        {"play", l_play},     {"stop", l_stop},     {"locate", l_locate}, {"loop", l_loop},
        {"set", l_set},       {"get", l_get},       {"mute", l_mute},     {"unmute", l_unmute},
        {"solo", l_solo},     {"unsolo", l_unsolo}, {"reload", l_reload}, {"save", l_save},
        {"params", l_params}, {"quit", l_quit},     {"exit", l_quit},     {"where", l_where},
        {"watch", l_watch},
        {NULL, NULL}};
    lua_pushglobaltable(L);
    lua_pushlightuserdata(L, s);
    luaL_setfuncs(L, fns, 1);
    lua_pop(L, 1);
    /* print goes above the prompt */
    (void)luaL_dostring(L, "local p = print; print = function(...) local t = table.pack(...); "
                     "for i = 1, t.n do t[i] = tostring(t[i]) end; __print(table.concat(t, '\\t')) end");
    return L;
}

static int l_print(lua_State *L)
{
    repl_console_print("%s", luaL_checkstring(L, 1));
    return 0;
}

typedef struct {
    session *s;
    lua_State *L;
} repl_ctx;

/* lua.c's message handler: the message, then the stack it came from
 * (unless the message is a whole report already: a failed reload). */
static int msghandler(lua_State *L)
{
    session *s = lua_touserdata(L, lua_upvalueindex(1));
    if (s->reported) {
        s->reported = 0;
        return 1;
    }
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static int on_chunk(void *user, const char *chunk)
{
    repl_ctx *c = user;
    session *s = c->s;
    lua_State *L = c->L;
    struct sigaction console_int;
    interrupt_begin(&console_int);
    vm_budget_restart(&s->budget, L);
    s->reported = 0;
    lua_pushlightuserdata(L, s);
    lua_pushcclosure(L, msghandler, 1);
    int top = lua_gettop(L);
    /* an expression prints its value; anything else runs as a statement */
    size_t len = strlen(chunk);
    char *ret = malloc(len + 8);
    int r = LUA_ERRSYNTAX;
    if (ret) {
        snprintf(ret, len + 8, "return %s", chunk);
        r = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
        free(ret);
        if (r != LUA_OK)
            lua_pop(L, 1);
    }
    if (r != LUA_OK)
        r = luaL_loadbuffer(L, chunk, len, "=stdin");
    if (r == LUA_OK)
        r = lua_pcall(L, 0, LUA_MULTRET, top);
    if (r != LUA_OK) {
        /* "stdin:1: message" and its traceback, as lua.c prints them */
        repl_console_print("%s", lua_tostring(L, -1));
    } else {
        for (int i = top + 1; i <= lua_gettop(L); i++)
            repl_console_print("%s", luaL_tolstring(L, i, NULL)), lua_pop(L, 1);
    }
    lua_settop(L, top - 1);
    /* Changes the chunk made before an error or a Ctrl-C are applied, as
     * after any error; a second Ctrl-C stops this rebuild's script. */
    lua_interrupt = 0;
    if (s->dirty) {
        char err[DS_ERR_LEN], msg[DS_ERR_LEN + sizeof s->traceback + 64];
        s->dirty = 0;
        if (rebuild(s, err) != DS_OK) {
            format_build_error(s, err, "the change", msg, sizeof msg);
            repl_console_print("%s", msg);
        } else {
            make_proxies(L, s);
        }
    }
    interrupt_end(&console_int);
    return s->quit;
}

static void on_tick(void *user)
{
    repl_ctx *c = user;
    session *s = c->s;
    vm_live_poll(s->live);
    if (s->watch) {
        struct timespec t = script_mtime(s);
        if (t.tv_sec != s->mtime.tv_sec || t.tv_nsec != s->mtime.tv_nsec) {
            char err[DS_ERR_LEN];
            s->mtime = t;
            struct sigaction console_int;
            interrupt_begin(&console_int);
            ds_result r = rebuild(s, err);
            interrupt_end(&console_int);
            if (r != DS_OK) {
                char msg[DS_ERR_LEN + sizeof s->traceback + 64];
                format_build_error(s, err, "reload (the file changed on disk)", msg, sizeof msg);
                repl_console_print("%s", msg);
            } else {
                make_proxies(c->L, s);
                repl_console_print("reloaded %s (changed on disk)", s->a->script);
            }
        }
    }
    vm_live_status st;
    vm_live_get_status(s->live, &st);
    char buf[2048], tc[64];
    size_t n = 0;
    vm_time_format(&s->desc.tb, st.position, tc, sizeof tc);
    /* built of parts that each fit whole or not at all (a strip's name is
     * as long as the script made it); the meters and gains leave the disk's
     * error 200 bytes */
    size_t room = sizeof buf - 200;
    ds_appendf(buf, sizeof buf, &n, "%s %s  xruns %llu  underruns %llu", st.playing ? "PLAY" : "STOP", tc,
               (unsigned long long)st.xruns, (unsigned long long)st.underruns);
    for (int i = 0; i < st.nmeters; i++)
        ds_appendf(buf, room, &n, "%s%-8s peak %6.1f dBFS  S %6.1f LUFS", i % 2 ? "   " : "\n  ",
                   st.meters[i].name, st.meters[i].peak_dbfs, st.meters[i].short_term_lufs);
    int shown = 0;
    for (int i = 0; i < st.ngr; i++)
        shown += ds_appendf(buf, room, &n, "%s%s %.1f dB", shown ? ",  " : "\n  gain: ", st.gr[i].name,
                            fabs(st.gr[i].gain_db) < 0.05 ? 0.0 : st.gr[i].gain_db);
    for (int i = 0; i < s->nduck_lanes; i++)
        if (s->duck_lanes[i])
            shown += ds_appendf(buf, room, &n, "%s%s %s %.1f dB", shown ? ",  " : "\n  gain: ",
                                s->desc.strips[i].name, s->desc.strips[i].duck.nevents ? "duck" : "band duck",
                                vm_lane_value(s->duck_lanes[i], st.position) + 0.0);
    if (st.feed_error[0])
        ds_appendf(buf, sizeof buf, &n, "\n  disk: %s", st.feed_error);
    repl_console_status(buf);
}

static char **complete(void *user, const char *text)
{
    repl_ctx *c = user;
    session *s = c->s;
    static const char *const words[] = {"play(", "stop()", "locate(", "loop(", "set(", "get(", "mute(",
                                        "unmute(", "solo(", "unsolo(", "reload()", "save()", "params(",
                                        "quit()", "where()", "watch()", NULL};
    size_t tl = strlen(text), n = 0;
    for (int i = 0; words[i]; i++)
        n++;
    for (int i = 0; s->names && s->names[i]; i++)
        n++;
    char **out = calloc(n + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t k = 0;
    for (int i = 0; words[i]; i++)
        if (strncmp(words[i], text, tl) == 0)
            out[k++] = strdup(words[i]);
    for (int i = 0; s->names && s->names[i]; i++)
        if (strncmp(s->names[i], text, tl) == 0) {
            /* complete one level at a time: "mx." then "mx.gain" */
            const char *rest = s->names[i] + tl, *dot = strchr(rest, '.');
            size_t len = dot ? (size_t)(dot - s->names[i]) + 1 : strlen(s->names[i]);
            int dup = 0;
            for (size_t j = 0; j < k && !dup; j++)
                dup = strlen(out[j]) == len && strncmp(out[j], s->names[i], len) == 0;
            if (!dup)
                out[k++] = strndup(s->names[i], len);
        }
    if (!k) {
        free(out);
        return NULL;
    }
    return out;
}

/* The trims file a save writes: the one the script reads, else
 * SCRIPT.trims.lua beside it; its values start the change list. */
static void load_trims(session *s)
{
    if (s->desc.trims_path[0]) {
        snprintf(s->trims_path, sizeof s->trims_path, "%s", s->desc.trims_path);
        /* the file was the script's to run, under the script's limits: so
         * is this second reading (a trims file that loops stops, by the
         * budget or Ctrl-C, instead of hanging the REPL before it starts) */
        vm_budget b;
        vm_budget_init(&b, s->so.max_instructions, s->so.max_memory_mb, &lua_interrupt);
        lua_State *L = vm_budget_newstate(&b);
        int st = L ? luaL_loadfilex(L, s->trims_path, "t") : LUA_ERRMEM;
        if (st == LUA_OK) {
            lua_newtable(L);
            lua_setupvalue(L, -2, 1);
            vm_budget_watch(&b, L, 1);
            st = lua_pcall(L, 0, 1, 0);
            vm_budget_watch(&b, L, 0);
            if (st == LUA_OK && lua_istable(L, -1)) {
                lua_pushnil(L);
                while (lua_next(L, -2)) {
                    if (lua_type(L, -2) == LUA_TSTRING)
                        changes_put(&s->changes, lua_tostring(L, -2),
                                    lua_isboolean(L, -1) ? lua_toboolean(L, -1) : lua_tonumber(L, -1));
                    lua_pop(L, 1);
                }
            }
        }
        if (st != LUA_OK)
            fprintf(stderr, "dubstage: trims file not read again, the session starts from the script's values: %s\n",
                    L && lua_isstring(L, -1) ? lua_tostring(L, -1) : "out of memory");
        if (L)
            lua_close(L);
        return;
    }
    char base[4000];
    snprintf(base, sizeof base, "%s", s->a->script);
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".lua") == 0)
        base[n - 4] = 0;
    snprintf(s->trims_path, sizeof s->trims_path, "%s.trims.lua", base);
}

int repl_live(const live_args *a)
{
    static volatile int interrupted;
    char err[DS_ERR_LEN];
    session s;
    memset(&s, 0, sizeof s);
    s.a = a;
    s.so = a->so;
    s.so.interrupt = &lua_interrupt;
    s.so.traceback = s.traceback;
    s.so.traceback_size = sizeof s.traceback;
    vm_desc d;
    plan *p = NULL;
    if (first_plan(a, &d, &p) != 0)
        return 1;
    snprintf(s.tap, sizeof s.tap, "%s", d.strips[d.live_tap].name);
    vm_desc_init(&s.desc);
    adopt_desc(&s, &d);
    load_trims(&s);
    if ((a->from && vm_time_parse_arg(&s.desc.tb, a->from, &s.from, err) != DS_OK) ||
        (a->to && vm_time_parse_arg(&s.desc.tb, a->to, &s.to, err) != DS_OK)) {
        fprintf(stderr, "dubstage: %s\n", err);
        vm_plan_free(&p);
        vm_desc_free(&s.desc);
        return 2;
    }
    if (a->loop) {
        s.loop_from = s.from;
        s.loop_to = s.to > s.from ? s.to : vm_desc_length(&s.desc);
    }
    if (vm_live_open(&s.live, p, s.tap, &a->lo, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        vm_desc_free(&s.desc);
        return 1;
    }
    /* The audio callback's and the disk thread exist now; this thread (Lua,
     * the script, the compiler) steps back. Without realtime scheduling (a
     * JACK server run without it, a busy machine) a chunk that spins until
     * Ctrl-C must not take the CPU the callback needs. On Linux the nice
     * value is the calling thread's alone. */
    errno = 0;
    int nice_now = getpriority(PRIO_PROCESS, 0);
    if (errno == 0)
        (void)setpriority(PRIO_PROCESS, 0, nice_now + REPL_NICE);
    lua_State *L = repl_lua(&s);
    if (!L) {
        fprintf(stderr, "dubstage: out of memory\n");
        vm_live_close(&s.live, NULL);
        vm_desc_free(&s.desc);
        return 1;
    }
    lua_pushcfunction(L, l_print);
    lua_setglobal(L, "__print");
    make_proxies(L, &s);
    printf("dubstage repl: %s, playing '%s'. play(), stop(), locate(\"01:00:10:00\"), loop(a, b), "
           "dx.gain = -3, mute(\"fx\"), reload(), watch(), save(), params(), quit()\n",
           a->script, s.tap);
    fflush(stdout);
    char hist[4096] = "";
    const char *home = getenv("HOME");
    if (home)
        snprintf(hist, sizeof hist, "%s/.dubstage_history", home);
    repl_ctx ctx = {&s, L};
    repl_console_hooks h = {
        .on_chunk = on_chunk,
        .on_tick = on_tick,
        .tick_ms = 200,
        .complete = complete,
        .user = &ctx,
        .prompt = "dubstage> ",
        .history_path = hist[0] ? hist : NULL,
    };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = repl_console_run(&h, a->stop ? (volatile int *)a->stop : &interrupted) == 0 ? 0 : 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    vm_live_report rep;
    vm_live_close(&s.live, &rep);
    print_report(&rep, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    lua_close(L);
    free(s.names);
    free_duck_lanes(&s);
    changes_free(&s.changes);
    vm_desc_free(&s.desc);
    return rc;
}
