/* test_gains.c - one rule for a gain in dB, static or moving, in every place
 * a script gives one (fader, trim, clip gain, VCA, send, as a call option,
 * an assignment or a move): -math.huge is silence, +inf and NaN are refused
 * with a message naming the script line, the parameter and the range
 * (docs/automation.md, "Silence").
 *
 * Each form is rendered with -math.huge and every sample of the output
 * (from where the move has arrived) must be exactly 0; the same script with
 * 0 dB must not be silent, so the check can fail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

static double dc(int i, int c) { (void)c; return 0.25 + 0.25 * sin(i * 0.01); } /* never 0 */

typedef struct {
    const char *name;
    const char *body;   /* the mix after session{}; %s is the gain's value; outputs out.wav */
    int line;           /* mix.lua line of the gain (for the error) */
    int silent_from;    /* first sample that must be 0 with -math.huge */
    const char *key;    /* the parameter's key as the error names it */
} gain_case;

#define T "local t = track \"T\" { channels = 1 }\nt:clip { \"in.wav\", at = 0 }\n"
#define OUT_T "output { \"out.wav\", from = t, format = \"wav32f\" }\n"
#define OUT_R "output { \"out.wav\", from = r, format = \"wav32f\" }\n"

static const gain_case cases[] = {
    {"track { gain = G }", "local t = track \"T\" { channels = 1, gain = %s }\nt:clip { \"in.wav\", at = 0 }\n" OUT_T,
     2, 0, "gain"},
    {"track { trim = G }", "local t = track \"T\" { channels = 1, trim = %s }\nt:clip { \"in.wav\", at = 0 }\n" OUT_T,
     2, 0, "trim"},
    {"t.gain = G", T "t.gain = %s\n" OUT_T, 4, 0, "gain"},
    {"t.trim = G", T "t.trim = %s\n" OUT_T, 4, 0, "trim"},
    {"clip { gain = G }", "local t = track \"T\" { channels = 1 }\nt:clip { \"in.wav\", at = 0, gain = %s }\n" OUT_T,
     3, 0, "gain"},
    {"c.gain = G", "local t = track \"T\" { channels = 1 }\nlocal c = t:clip { \"in.wav\", at = 0 }\nc.gain = %s\n"
     OUT_T, 4, 0, "gain"},
    {"vca { gain = G } over a +24 dB fader", T "t.gain = 24\nvca \"V\" { members = { t }, gain = %s }\n" OUT_T, 5, 0,
     "gain"},
    {"v.gain = G", T "local v = vca \"V\" { members = { t } }\nv.gain = %s\n" OUT_T, 5, 0, "gain"},
    {"t:send(r, G)", "local r = bus \"R\"\n" T "t:send(r, %s)\n" OUT_R, 5, 0, "level"},
    {"t:send(r, { level = G })", "local r = bus \"R\"\n" T "t:send(r, { level = %s })\n" OUT_R, 5, 0, "level"},
    {"t:send(r, { level = G, pre = true })", "local r = bus \"R\"\n" T "t:send(r, { level = %s, pre = true })\n" OUT_R,
     5, 0, "level"},
    {"t.gain:set { to = G }", T "t.gain:set { at = 0, to = %s }\n" OUT_T, 4, 0, "to"},
    {"t.gain:ramp { to = G }", T "t.gain:ramp { at = 0.1, to = %s, over = 0.2 }\n" OUT_T, 4, 14400, "to"},
    {"t.trim:curve { values = { 0, G } }", T "t.trim:curve { at = 0, over = 0.1, values = { 0, %s } }\n" OUT_T, 4,
     4800, "values"},
    {"clip.gain:set { to = G }", "local t = track \"T\" { channels = 1 }\nlocal c = t:clip { \"in.wav\", at = 0 }\n"
     "c.gain:set { at = 0, to = %s }\n" OUT_T, 4, 0, "to"},
    {"vca.gain:ramp { to = G }", T "local v = vca \"V\" { members = { t } }\nv.gain:ramp { at = 0, to = %s, over = "
     "0.1, shape = \"amplitude\" }\n" OUT_T, 5, 4800, "to"},
    {"send level:set { to = G }", "local r = bus \"R\"\n" T "local s = t:send(r, -6)\ns:set { at = 0, to = %s }\n"
     OUT_R, 6, 0, "to"},
};

/* Renders case k with value v; the output's samples (caller frees) or NULL
 * with the message in err. */
static float *render_case(const gain_case *k, const char *v, int *frames, char *err)
{
    char body[1024], script[1200], path[512];
    snprintf(body, sizeof body, k->body, v);
    snprintf(script, sizeof script, "session { rate = 48000, length = 0.5 }\n%s", body);
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    float *x = NULL;
    int ch = 0;
    char out[512];
    snprintf(out, sizeof out, "%s/out.wav", dir);
    remove(out); /* a refused script must not find the last one's output */
    if (vm_script_load(path, &so, &d, err) == DS_OK && vm_compile(&d, 256, &p, err) == DS_OK) {
        vm_render_opts ro = {.block = 256, .measure = 0};
        if (vm_render(p, &ro, NULL, err) == DS_OK)
            x = read_wav("out.wav", frames, &ch);
    }
    vm_plan_free(&p);
    vm_desc_free(&d);
    return x;
}

/* samples [from, n) that are not exactly 0 */
static int nonzero(const float *x, int from, int n)
{
    int bad = 0;
    for (int i = from; i < n; i++)
        bad += x[i] != 0.0f;
    return bad;
}

static void test_silence(const gain_case *k)
{
    char name[300], err[DS_ERR_LEN] = "";
    int n = 0;
    static const char *const silent[] = {"-math.huge", "-200"};
    for (int s = 0; s < 2; s++) {
        float *x = render_case(k, silent[s], &n, err);
        snprintf(name, sizeof name, "%s with G = %s renders exactly 0 from sample %d", k->name, silent[s],
                 k->silent_from);
        if (x)
            check(n == 24000 && nonzero(x, k->silent_from, n) == 0, name, "%d of %d samples not 0",
                  nonzero(x, k->silent_from, n), n - k->silent_from);
        else
            check(0, name, "render failed: %s", err);
        free(x);
    }
    float *x = render_case(k, "0", &n, err);
    snprintf(name, sizeof name, "%s with G = 0 is not silent (the check above can fail)", k->name);
    check(x && nonzero(x, k->silent_from, n) > (n - k->silent_from) / 2, name, "%s", x ? "silent" : err);
    free(x);
}

static void test_refused(const gain_case *k)
{
    static const char *const bad[] = {"math.huge", "0/0", "30"};
    for (int b = 0; b < 3; b++) {
        char name[300], err[DS_ERR_LEN] = "", at[32], key[64];
        int n = 0;
        float *x = render_case(k, bad[b], &n, err);
        snprintf(at, sizeof at, "mix.lua:%d:", k->line);
        snprintf(key, sizeof key, "%s = ", k->key);
        snprintf(name, sizeof name, "%s with G = %s is refused naming the line, '%s' and the range", k->name, bad[b],
                 k->key);
        check(!x && strstr(err, at) && strstr(err, key) &&
                  strstr(err, "out of range (-math.huge for silence, up to +24 dB)"),
              name, "message: %s", x ? "(rendered)" : err);
        free(x);
    }
}

/* .value reads silence back as -math.huge, whichever way it was written */
static void test_value_reads_back(void)
{
    char err[DS_ERR_LEN] = "";
    int n = 0;
    gain_case k = {"value", T "t.gain = -200\nassert(t.gain.value == -math.huge, tostring(t.gain.value))\n"
                              "local r = bus \"R\"\nlocal s = t:send(r, { level = -math.huge })\n"
                              "assert(s.value == -math.huge)\n" OUT_T "%s", 0, 0, ""};
    float *x = render_case(&k, "", &n, err);
    check(x != NULL, "t.gain = -200 and a send at -math.huge read back as -math.huge", "%s", err);
    free(x);
}

/* a pan is not a gain, but NaN is refused the same way: with its own range */
static void test_nan_pan(void)
{
    char err[DS_ERR_LEN] = "";
    int n = 0;
    gain_case k = {"pan", "local t = track \"T\" { channels = 1, pan = %s }\n" OUT_T, 2, 0, "pan"};
    float *x = render_case(&k, "0/0", &n, err);
    check(!x && strstr(err, "mix.lua:2:") && strstr(err, "pan = ") &&
              strstr(err, "out of range (-1 = left to 1 = right)"),
          "track { pan = 0/0 } is refused naming the line and the pan's range", "message: %s", x ? "(rendered)" : err);
    free(x);
}

int main(void)
{
    if (scratch_open("test-gains") != 0)
        return 2;
    write_wav("in.wav", 48000, 1, 48000, dc);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_silence(&cases[i]);
        test_refused(&cases[i]);
    }
    test_value_reads_back();
    test_nan_pan();
    scratch_close();
    return check_exit();
}
