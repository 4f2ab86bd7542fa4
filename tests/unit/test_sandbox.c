/* test_sandbox.c - vm/sandbox's rules on a folder of real files and links,
 * and vm/budget's limits on a Lua state.
 *
 * Each refusal is checked for what it must name (the file as written, where
 * a link leads, the other file of an alias) and for what must not happen: a
 * canary file outside the script's folder keeps its bytes and its mtime.
 * The budget is checked against the numbers it was given: a loop stops
 * within one hook period of the budget, a growing table stops with the
 * allocator's count at most the cap. */
#include "vm/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "tests/check.h"
#include "vm/budget.h"

static char root[PATH_MAX]; /* real path of the temporary folder: root/proj holds the script */

static void put(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int has_all(const char *s, const char *a, const char *b)
{
    return strstr(s, a) && (!b || strstr(s, b));
}

/* the canary outside: its bytes and mtime must never change */
static struct stat canary_st;
static void canary_untouched(const char *label)
{
    struct stat st;
    char buf[64] = "";
    FILE *f = fopen("outside/canary.txt", "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = 0;
        fclose(f);
    }
    check(stat("outside/canary.txt", &st) == 0 && strcmp(buf, "canary\n") == 0 &&
              st.st_mtim.tv_sec == canary_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == canary_st.st_mtim.tv_nsec,
          label, "canary now '%s'", buf);
}

static void setup(void)
{
    mkdir("proj", 0777);
    mkdir("proj/media", 0777);
    mkdir("proj/lib", 0777);
    mkdir("outside", 0777);
    mkdir("stdlib", 0777);
    put("proj/mix.lua", "-- mix\n");
    put("proj/cues.csv", "a,1\n");
    put("proj/media/x.wav", "RIFF");
    put("proj/lib/m.lua", "return 1\n");
    put("stdlib/s.lua", "return 2\n");
    put("outside/canary.txt", "canary\n");
    put("outside/m.lua", "return 3\n");
    stat("outside/canary.txt", &canary_st);
    symlink("../outside/canary.txt", "proj/link_out");
    symlink("../outside", "proj/dir_out");
    symlink("cues.csv", "proj/link_in");
    symlink("link_in", "proj/chain");
    symlink("gone.csv", "proj/dangling");
    symlink("../../stdlib/s.lua", "proj/lib/to_std.lua");
    link("outside/canary.txt", "proj/hard.txt");
    mkfifo("proj/fifo", 0666);
}

static ds_result open_read(vm_sandbox *sb, vm_sb_use use, const char *name, char *err)
{
    int fd, missing;
    char shown[PATH_MAX];
    ds_result r = vm_sandbox_open_read(sb, use, "test file", name, "mix.lua:1", &fd, shown, sizeof shown, &missing,
                                       err);
    if (r == DS_OK)
        close(fd);
    return r;
}

static void read_ok(vm_sandbox *sb, vm_sb_use use, const char *name, const char *label)
{
    char err[DS_ERR_LEN] = "";
    ds_result r = open_read(sb, use, name, err);
    check(r == DS_OK, label, "%s", err);
}

static void read_refused(vm_sandbox *sb, vm_sb_use use, const char *name, const char *w1, const char *w2,
                         const char *label)
{
    char err[DS_ERR_LEN] = "";
    ds_result r = open_read(sb, use, name, err);
    check(r != DS_OK && has_all(err, w1, w2), label, "result %d, message '%s'", (int)r, err);
}

static void test_reads(void)
{
    vm_sandbox sb;
    char err[DS_ERR_LEN];
    if (vm_sandbox_init(&sb, "proj/mix.lua", NULL, "stdlib", 0, err) != DS_OK) {
        check(0, "sandbox: init", "%s", err);
        return;
    }
    read_ok(&sb, VM_SB_DATA, "cues.csv", "read: a file in the script's folder");
    read_ok(&sb, VM_SB_DATA, "chain", "read: a chain of links to a file inside");
    read_refused(&sb, VM_SB_DATA, "link_out", "link_out", "leads to", "read: a link to a file outside is refused");
    read_refused(&sb, VM_SB_DATA, "dir_out/canary.txt", "outside the script's folder", "leads to",
                 "read: a file through a link to a folder outside is refused");
    read_refused(&sb, VM_SB_DATA, "../outside/canary.txt", "outside the script's folder", NULL,
                 "read: '..' out of the folder is refused");
    read_refused(&sb, VM_SB_DATA, "/etc/passwd", "/etc/passwd", "--allow-paths", "read: an absolute path is refused");
    read_refused(&sb, VM_SB_DATA, "dangling", "No such file", NULL, "read: a dangling link is a missing file");
    read_refused(&sb, VM_SB_DATA, "fifo", "FIFO", NULL, "read: a FIFO is refused, not waited on");
    read_refused(&sb, VM_SB_DATA, "../stdlib/s.lua", "outside", NULL, "read: the standard library is not data");
    read_ok(&sb, VM_SB_MODULE, "../stdlib/s.lua", "module: the standard library");
    read_ok(&sb, VM_SB_MODULE, "lib/to_std.lua", "module: a link into the standard library");
    read_refused(&sb, VM_SB_MODULE, "../outside/m.lua", "outside the script's folder and the standard library", NULL,
                 "module: a file outside is refused");
    char path[PATH_MAX];
    check(vm_sandbox_media(&sb, "../outside/canary.txt", "mix.lua:3", path, sizeof path, err) == DS_OK,
          "media: a clip source may be anywhere", "%s", err);
    check(vm_sandbox_media(&sb, "fifo", "mix.lua:3", path, sizeof path, err) != DS_OK && strstr(err, "FIFO"),
          "media: a FIFO is refused", "message '%s'", err);
    check(vm_sandbox_media(&sb, "/proc/self/environ", "mix.lua:3", path, sizeof path, err) != DS_OK &&
              strstr(err, "/proc"),
          "media: a /proc file is refused", "message '%s'", err);
    vm_sandbox_free(&sb);

    if (vm_sandbox_init(&sb, "proj/mix.lua", NULL, "stdlib", 1, err) == DS_OK) {
        read_ok(&sb, VM_SB_DATA, "link_out", "read: --allow-paths lets a link outside be read");
        read_refused(&sb, VM_SB_DATA, "/proc/self/status", "/proc", NULL,
                     "read: --allow-paths still refuses /proc");
    }
    vm_sandbox_free(&sb);
    canary_untouched("read: the canary outside is untouched");
}

static void write_refused(vm_sandbox *sb, const char *name, int flags, const char *w1, const char *w2,
                          const char *label)
{
    int fd;
    char err[DS_ERR_LEN] = "";
    ds_result r = vm_sandbox_open_write(sb, name, flags, &fd, err);
    check(r != DS_OK && has_all(err, w1, w2), label, "result %d, message '%s'", (int)r, err);
    if (r == DS_OK)
        close(fd);
}

static void test_writes(void)
{
    vm_sandbox sb;
    char err[DS_ERR_LEN];
    int fd;
    if (vm_sandbox_init(&sb, "proj/mix.lua", NULL, NULL, 0, err) != DS_OK)
        return;
    int w = O_WRONLY | O_CREAT | O_TRUNC;
    write_refused(&sb, "hard.txt", w, "hard.txt", "hard links", "write: through a hard link is refused");
    write_refused(&sb, "hard.txt", O_WRONLY | O_APPEND, "hard links", NULL, "write: appending to a hard link too");
    write_refused(&sb, "link_out", w, "leads to", NULL, "write: through a link to a file outside is refused");
    write_refused(&sb, "dir_out/new.txt", w, "outside", NULL, "write: into a linked folder outside is refused");
    write_refused(&sb, "mix.lua", w, "the script 'proj/mix.lua' itself", NULL, "write: the script is refused");
    write_refused(&sb, "fifo", w, "FIFO", NULL, "write: a FIFO is refused, not waited on");
    char shown[PATH_MAX];
    int missing;
    if (vm_sandbox_open_read(&sb, VM_SB_DATA, "marker file", "cues.csv", "mix.lua:2", &fd, shown, sizeof shown,
                             &missing, err) == DS_OK)
        close(fd);
    write_refused(&sb, "link_in", w, "marker file 'cues.csv' (mix.lua:2)", NULL,
                  "write: an input read earlier, through a link, is refused");
    ds_result r = vm_sandbox_open_write(&sb, "notes.txt", w, &fd, err);
    check(r == DS_OK && write(fd, "n\n", 2) == 2, "write: a new file in the folder", "%s", err);
    if (r == DS_OK)
        close(fd);
    vm_sandbox_free(&sb);
    canary_untouched("write: the canary outside is untouched");
}

static void output_refused(vm_sandbox *sb, const char *file, const char *w1, const char *w2, const char *label)
{
    char path[PATH_MAX], err[DS_ERR_LEN] = "";
    ds_result r = vm_sandbox_output(sb, file, "mix.lua:9", path, sizeof path, err);
    check(r != DS_OK && has_all(err, w1, w2), label, "result %d, message '%s'", (int)r, err);
}

static void test_outputs(void)
{
    vm_sandbox sb;
    char err[DS_ERR_LEN], path[PATH_MAX];
    if (vm_sandbox_init(&sb, "proj/mix.lua", NULL, NULL, 0, err) != DS_OK)
        return;
    check(vm_sandbox_media(&sb, "media/x.wav", "mix.lua:4", path, sizeof path, err) == DS_OK, "output: clip noted",
          "%s", err);
    output_refused(&sb, "out/", "names a folder", "out/mix.wav", "output: 'out/' is refused");
    output_refused(&sb, "media", "names a folder", NULL, "output: an existing folder is refused");
    output_refused(&sb, "out/..", "names a folder", NULL, "output: 'out/..' is refused");
    output_refused(&sb, "mix.lua", "the script 'proj/mix.lua' itself", NULL, "output: the script is refused");
    output_refused(&sb, "media/../media/x.wav", "clip source 'media/x.wav' (mix.lua:4)", "never replaces",
                   "output: a clip source through '..' is refused, naming both");
    symlink("media", "proj/m2");
    output_refused(&sb, "m2/x.wav", "clip source 'media/x.wav'", NULL, "output: a clip source through a link");
    link("proj/media/x.wav", "proj/hard.wav");
    output_refused(&sb, "hard.wav", "clip source 'media/x.wav'", NULL, "output: a hard link to a clip source");
    output_refused(&sb, "dir_out/x.wav", "outside the script's folder", "leads to",
                   "output: into a linked folder outside is refused");
    check(vm_sandbox_output(&sb, "out/a.wav", "mix.lua:9", path, sizeof path, err) == DS_OK &&
              strcmp(path, "proj/out/a.wav") == 0,
          "output: a new file in a new folder", "%s / '%s'", err, path);
    output_refused(&sb, "out/../out/a.wav", "two outputs write", "mix.lua:9", "output: two outputs through '..'");
    /* an output first, then an input that is the same file */
    put("proj/media/later.wav", "RIFF");
    check(vm_sandbox_output(&sb, "media/later.wav", "mix.lua:10", path, sizeof path, err) == DS_OK,
          "output: a file that is not an input yet", "%s", err);
    ds_result r = vm_sandbox_media(&sb, "media/./later.wav", "mix.lua:11", path, sizeof path, err);
    check(r != DS_OK && has_all(err, "output 'media/later.wav' (mix.lua:10)", "never replaces"),
          "output: a clip source declared after its output is refused, naming both", "message '%s'", err);
    vm_sandbox_free(&sb);

    /* --out DIR */
    if (vm_sandbox_init(&sb, "proj/mix.lua", "proj/media", NULL, 0, err) == DS_OK) {
        vm_sandbox_media(&sb, "media/x.wav", "mix.lua:4", path, sizeof path, err);
        output_refused(&sb, "stems/x.wav", "clip source 'media/x.wav'", NULL,
                       "output: --out DIR landing on a clip source is refused");
    }
    vm_sandbox_free(&sb);

    char real[PATH_MAX];
    check(vm_sandbox_check_save("proj/mix.lua", "dir_out/t.lua", real, sizeof real, err) != DS_OK &&
              strstr(err, "outside"),
          "save: trims through a link outside are refused", "message '%s'", err);
    check(vm_sandbox_check_save("proj/mix.lua", "mix.lua", real, sizeof real, err) != DS_OK &&
              strstr(err, "the script"),
          "save: over the script is refused", "message '%s'", err);
    check(vm_sandbox_check_save("proj/mix.lua", "mix.trims.lua", real, sizeof real, err) == DS_OK,
          "save: beside the script", "%s", err);
    canary_untouched("output: the canary outside is untouched");
}

/* Runs chunk in a coroutine of a state under b; returns the message or "" */
static const char *run_limited(vm_budget *b, const char *chunk, char *msg, size_t n)
{
    lua_State *L = vm_budget_newstate(b);
    msg[0] = 0;
    if (!L)
        return "no state";
    luaL_openlibs(L);
    lua_State *co = lua_newthread(L);
    int nres;
    if (luaL_loadbufferx(co, chunk, strlen(chunk), "=t.lua", "t") != LUA_OK) {
        snprintf(msg, n, "%s", lua_tostring(co, -1));
    } else {
        int st = lua_resume(co, L, 0, &nres);
        if (st != LUA_OK && !vm_budget_memory_error(b, co, st, msg, n))
            snprintf(msg, n, "%s", lua_tostring(co, -1) ? lua_tostring(co, -1) : "?");
    }
    lua_close(L);
    return msg;
}

static void test_budget(void)
{
    char msg[512];
    vm_budget b = {.max_instructions = 1e6, .max_memory_mb = 64};
    run_limited(&b, "local x = 0\nwhile true do\n  x = x + 1\nend\n", msg, sizeof msg);
    check(strstr(msg, "t.lua:") && strstr(msg, "instruction budget exhausted (1e6; --max-instructions)") &&
              b.instructions <= 1e6 + 2 * VM_BUDGET_HOOK_EVERY,
          "budget: an endless loop stops at the budget, naming the line", "'%s' after %.0f", msg, b.instructions);
    run_limited(&b, "local n = 0\nwhile true do\n  pcall(function() for i = 1, 1e9 do end end)\n  n = n + 1\nend\n",
                msg, sizeof msg);
    check(strstr(msg, "instruction budget exhausted") != NULL, "budget: pcall in a loop cannot swallow it", "'%s'",
          msg);
    run_limited(&b, "local co = coroutine.wrap(function() while true do end end)\nco()\n", msg, sizeof msg);
    check(strstr(msg, "instruction budget exhausted") != NULL, "budget: a coroutine shares the budget", "'%s'", msg);
    b.max_instructions = 0; /* memory only */
    run_limited(&b, "local t = {}\nfor i = 1, 1e9 do\n  t[i] = { i }\nend\n", msg, sizeof msg);
    check(strstr(msg, "t.lua:3: memory limit exhausted (64 MiB; --max-memory)") != NULL,
          "budget: a growing table stops at the cap, naming the line", "'%s'", msg);
    b.max_memory_mb = 64; /* the error above lifted the cap to report itself */
    run_limited(&b, "local s = 'x'\nlocal big = s:rep(1 << 30)\n", msg, sizeof msg);
    check(strstr(msg, "t.lua:2: memory limit exhausted") != NULL, "budget: one huge string stops at the cap",
          "'%s'", msg);
    b.max_memory_mb = 64;
    run_limited(&b, "local n = 0\nwhile true do\n  pcall(string.rep, 'x', 1 << 30)\n  n = n + 1\nend\n", msg, sizeof msg);
    check(strstr(msg, "t.lua:") && strstr(msg, "memory limit exhausted (64 MiB; --max-memory)"),
          "budget: pcall in a loop cannot swallow the memory error", "'%s'", msg);
    vm_budget free_b = {.max_instructions = 0, .max_memory_mb = 0};
    run_limited(&free_b, "local x = 0\nfor i = 1, 3e6 do x = x + i end\n", msg, sizeof msg);
    check(msg[0] == 0 && free_b.instructions == 0, "budget: 0 means no limit (and no hook to count)",
          "'%s' after %.0f", msg, free_b.instructions);
    volatile sig_atomic_t stop = 1;
    vm_budget ib = {.interrupt = &stop};
    run_limited(&ib, "local x = 0\nwhile true do x = x + 1 end\n", msg, sizeof msg);
    check(strstr(msg, "t.lua:2: interrupted") != NULL, "budget: the interrupt flag stops a loop", "'%s'", msg);
}

int main(void)
{
    char tmpl[] = "/tmp/dubstage-sandbox.XXXXXX";
    if (!mkdtemp(tmpl) || !realpath(tmpl, root) || chdir(root) != 0) {
        printf("not ok - sandbox: cannot make a temporary folder\n");
        return 1;
    }
    setup();
    test_reads();
    test_writes();
    test_outputs();
    test_budget();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (chdir("/") != 0 || system(cmd) != 0)
        printf("# could not remove %s\n", root);
    return check_exit();
}
