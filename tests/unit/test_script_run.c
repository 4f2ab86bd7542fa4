/* test_script_run.c - how vm_script_load stops and reports (vm/script.h):
 * an interrupt flag stops a script that loops forever with "FILE:LINE:
 * interrupted" on the looping line and DS_ERR_INTERRUPTED (what Ctrl-C in
 * `dubstage repl` and `play` relies on), and leaves a script alone while
 * it is clear; a runtime error gives a one-line message naming FILE:LINE
 * (render's output) and, when asked, a traceback naming the script's frames
 * from the innermost out; a syntax error has no traceback. The expected
 * lines are counted in the scripts below. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

#include "vm/script.h"

static ds_result run(const char *text, const volatile sig_atomic_t *intr, char *tb, size_t tbn, char *err)
{
    char path[512];
    write_script(text, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib", .interrupt = intr, .traceback = tb, .traceback_size = tbn};
    vm_desc d;
    ds_result r = vm_script_load(path, &so, &d, err);
    vm_desc_free(&d);
    return r;
}

static void test_interrupt(void)
{
    /* line 3 loops; the flag is set before the run: the first look (1000
     * instructions in) is inside the loop */
    const char *looping = "session { rate = 48000, length = 1 }\n"
                          "local x = 0\n"
                          "while true do x = x + 1 end\n";
    volatile sig_atomic_t flag = 1;
    char err[DS_ERR_LEN] = "", tb[1024] = "";
    alarm(60); /* should the flag be ignored, the loop ends the test (SIGALRM) rather than hang it */
    ds_result r = run(looping, &flag, tb, sizeof tb, err);
    alarm(0);
    check(r == DS_ERR_INTERRUPTED && strstr(err, "mix.lua:3: interrupted") != NULL,
          "interrupt: a looping script stops with mix.lua:3: interrupted", "result %d, '%s'", (int)r, err);
    check(strncmp(tb, "stack traceback:", 16) == 0 && strstr(tb, "mix.lua:3: in main chunk") != NULL,
          "interrupt: the traceback names the looping line", "'%s'", tb);

    const char *fine = "session { rate = 48000, length = 1 }\n"
                       "local x = 0\n"
                       "for i = 1, 100000 do x = x + i end\n"
                       "bus \"PM\" { channels = 2 }\n";
    flag = 0;
    r = run(fine, &flag, tb, sizeof tb, err);
    check(r == DS_OK && tb[0] == 0, "interrupt: a clear flag lets 100,000 iterations run to the end", "result %d, '%s'",
          (int)r, err);
}

static void test_traceback(void)
{
    const char *bad = "session { rate = 48000, length = 1 }\n"
                      "local function level(x)\n"
                      "  return x.db + 1\n"
                      "end\n"
                      "local function strip() return level({}) + 0 end\n"
                      "strip()\n";
    char err[DS_ERR_LEN] = "", tb[1024] = "x";
    ds_result r = run(bad, NULL, tb, sizeof tb, err);
    const char *m = strstr(err, "mix.lua:3: attempt to perform arithmetic");
    check(r == DS_ERR_SCRIPT && m != NULL && strchr(err, '\n') == NULL,
          "traceback: the message stays one line naming mix.lua:3", "result %d, '%s'", (int)r, err);
    const char *a = strstr(tb, "mix.lua:3: in "), *b = strstr(tb, "mix.lua:5: in "),
               *c = strstr(tb, "mix.lua:6: in main chunk");
    check(strncmp(tb, "stack traceback:", 16) == 0 && a && b && c && a < b && b < c,
          "traceback: the script's frames, innermost first (lines 3, 5, 6)", "'%s'", tb);

    char tb2[1024] = "stale";
    r = run("session { rate = 48000, length = 1 }\nlocal x = = 1\n", NULL, tb2, sizeof tb2, err);
    check(r == DS_ERR_SCRIPT && strstr(err, "mix.lua:2:") != NULL && tb2[0] == 0,
          "traceback: a syntax error names mix.lua:2 and has no traceback", "result %d, '%s', traceback '%s'", (int)r,
          err, tb2);

    char small[40];
    r = run(bad, NULL, small, sizeof small, err);
    check(r == DS_ERR_SCRIPT && strlen(small) == sizeof small - 1, "traceback: cut to the buffer given",
          "length %zu", strlen(small));
}

int main(void)
{
    if (scratch_open("test-script-run") != 0)
        return 2;
    test_interrupt();
    test_traceback();
    scratch_close();
    return check_exit();
}
