/* test_names.c - a misspelt name on any handle a script holds (strip, clip,
 * parameter, insert, VCA, mute group, marker list) or any word it passes
 * (detector, link, dither, fade curve, ramp shape) gets one clear error
 * naming the script line and suggesting the closest valid name; a name near
 * nothing gets no suggestion. The suggestion's distance rule is vm/suggest.h
 * (tested in its own right in test_markers.c via vm_suggest); here each
 * binding must use it. And names that must be unique are: a strip's among
 * strips, a vca's or mute group's among groups (found through the script's
 * hash index), with group members kept once each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

/* mix.lua: line 1 session, 2 to 9 the handles, line 10 the case */
#define PRELUDE                                                                                                       \
    "session { rate = 48000, length = 1 }\n"                                                                          \
    "local r = bus \"R\"\n"                                                                                           \
    "local t = track \"T\" { channels = 1 }\n"                                                                        \
    "local c = t:clip { \"in.wav\", at = 0 }\n"                                                                       \
    "local e, k = t:eq { \"peak\", freq = 1000, gain = 3 }, t:compressor { threshold = -20 }\n"                       \
    "local l, s = r:limiter { }, r:transient { attack = 3 }\n"                                                        \
    "local v, m = vca \"V\" { members = { t } }, mute_group \"M\" { members = { t } }\n"                              \
    "local cues = markers \"cues.csv\"\n"                                                                             \
    "local g = t:gate { threshold = -50 }\n"

static const struct {
    const char *line;   /* line 10 */
    const char *want;   /* in the message ("" when no suggestion is wanted) */
    const char *name;
} cases[] = {
    {"t:sned(r, -6)", "track 'T' has no field 'sned'; did you mean 'send'?", "t:sned() suggests send"},
    {"t:eqq { \"peak\", freq = 100 }", "did you mean 'eq'?", "t:eqq suggests eq"},
    {"t:compresor { }", "did you mean 'compressor'?", "t:compresor suggests compressor"},
    {"local x = t.gian", "track 'T' has no field 'gian'; did you mean 'gain'?", "t.gian (read) suggests gain"},
    {"t.paan = 0.5", "cannot set 'paan' on track 'T'; did you mean 'pan'?", "t.paan = (set) suggests pan"},
    {"c.gian = -3", "cannot set 'gian' on clip 'in.wav' on track 'T'; did you mean 'gain'?",
     "clip.gian = (set) suggests gain"},
    {"e.gain = 4", "cannot set 'gain' on an eq: give its settings when it is made (t:eq { ..., gain = v })",
     "eq.gain = (set) says how to set and move it"},
    {"t.gain.value = -3", "cannot set 'value' on track 'T' gain: write a move",
     "param.value = (set) says how to set it"},
    {"cues.names = 3", "cannot set 'names' on a marker list", "markers.names = (set) is refused clearly"},
    {"local x = c.lenght", "a clip has no field 'lenght'; did you mean 'length'?", "clip.lenght suggests length"},
    {"t.gain:rmap { at = 0, to = -3, over = 1 }", "has no field 'rmap'; did you mean 'ramp'?",
     "param:rmap suggests ramp"},
    {"local x = e.frq", "an eq has no field 'frq'; did you mean 'freq'?", "eq.frq suggests freq"},
    {"local x = k.treshold", "a compressor has no automatable field 'treshold'; did you mean 'threshold'?",
     "compressor.treshold suggests threshold"},
    {"local x = g.rnage", "a gate has no automatable field 'rnage'; did you mean 'range'?",
     "gate.rnage suggests range"},
    {"local x = l.cieling", "a limiter has no automatable field 'cieling'; did you mean 'ceiling'?",
     "limiter.cieling suggests ceiling"},
    {"local x = l.lookahed", "did you mean 'lookahead'?", "limiter.lookahed suggests lookahead (which then says why it is fixed)"},
    {"local x = s.atack", "a transient shaper has no automatable field 'atack'; did you mean 'attack'?",
     "transient.atack suggests attack"},
    {"local x = v.gian", "vca 'V' has no field 'gian'; did you mean 'gain'?", "vca.gian (read) suggests gain"},
    {"v.gian = -3", "cannot set 'gian' on vca 'V'; did you mean 'gain'?", "vca.gian = (set) suggests gain"},
    {"local x = m.mtue", "mute group 'M' has no field 'mtue'; did you mean 'mute'?",
     "mute_group.mtue (read) suggests mute"},
    {"m.mtue = true", "cannot set 'mtue' on mute group 'M'; did you mean 'mute'?",
     "mute_group.mtue = (set) suggests mute"},
    {"local x = cues.nmaes", "a marker list has no field 'nmaes'; did you mean 'names'?",
     "markers.nmaes suggests names"},
    {"r:compressor { detector = \"rsm\" }", "unknown detector 'rsm'; did you mean 'rms'? (detectors: peak, rms)",
     "detector rsm suggests rms"},
    {"r:compressor { link = \"maen\" }", "unknown link 'maen'; did you mean 'mean'?", "link maen suggests mean"},
    {"output { \"o.wav\", from = r, dither = \"tpfd\" }", "unknown dither 'tpfd'; did you mean 'tpdf'?",
     "dither tpfd suggests tpdf"},
    {"t:clip { \"in.wav\", at = 0.5, fade_in = 0.1, curve = \"linaer\" }",
     "unknown fade curve 'linaer'; did you mean 'linear'?", "fade curve linaer suggests linear"},
    {"t.gain:ramp { at = 0, to = -3, over = 1, shape = \"amplitdue\" }",
     "unknown ramp shape 'amplitdue'; did you mean 'amplitude'?", "ramp shape amplitdue suggests amplitude"},
};

static double half(int i, int c) { (void)i; (void)c; return 0.5; }

/* Names are unique per namespace (strips; vcas and mute groups), found
 * through the script's index; group members are kept once each. */
static void test_unique(void)
{
    static const struct { const char *body; int line; const char *want; const char *name; } dup[] = {
        {"local t = track \"T\"\nlocal u = track \"U\"\nbus \"T\"\n", 3,
         "a track called 'T' already exists (made at", "a bus named like a track is refused, naming where"},
        {"vca \"V\"\nmute_group \"M\"\nmute_group \"V\"\n", 3, "a vca called 'V' already exists",
         "a mute group named like a vca is refused"},
        {"vca \"V\"\nmute_group \"M\"\nvca \"M\"\n", 3, "a mute group called 'M' already exists",
         "a vca named like a mute group is refused"},
    };
    for (size_t i = 0; i < sizeof dup / sizeof dup[0]; i++)
        expect_error_at(dup[i].body, dup[i].line, dup[i].want, dup[i].name);
    char path[512], err[DS_ERR_LEN] = "";
    write_script("local a, b, c = track \"A\", track \"B\", bus \"C\"\n"
                 "local v = vca \"A\" { members = { a, b, a } }\n" /* a vca may share a strip's name */
                 "v { members = { c, b, a, c } }\n"
                 "for i = 1, 3000 do track(\"T\" .. i) end\n"
                 "mute_group \"M\" { members = { a } }\n",
                 path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    ds_result r = vm_script_load(path, &so, &d, err);
    check(r == DS_OK && d.nvcas == 1 && d.vcas[0].nmembers == 3 && d.vcas[0].members[0] == 0 &&
              d.vcas[0].members[1] == 1 && d.vcas[0].members[2] == 2,
          "vca members given twice, over two calls, are kept once each in first-given order (A, B, C)",
          "result %d (%s), %d members", r, err, r == DS_OK ? d.vcas[0].nmembers : -1);
    check(r == DS_OK && d.nstrips == 3003 && strcmp(d.strips[3002].name, "T3000") == 0,
          "3,000 more tracks with distinct names load", "result %d (%s)", r, err);
    vm_desc_free(&d);
}

int main(void)
{
    if (scratch_open("test-names") != 0)
        return 2;
    write_wav("in.wav", 48000, 1, 48000, half);
    write_scratch_file("cues.csv", "Name,Timecode\ndoor slam,00:00:00:12\n", NULL, 0);
    char body[2048];
    snprintf(body, sizeof body, PRELUDE "output { \"o.wav\", from = r }\n");
    char err[DS_ERR_LEN] = "";
    check(load_and_compile(body, err) == DS_OK, "the prelude alone loads and compiles", "%s", err);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body, PRELUDE "%s\n", cases[i].line);
        expect_error_at(body, 10, cases[i].want, cases[i].name);
    }
    /* far from every name: no suggestion, and the message lists what there is */
    snprintf(body, sizeof body, PRELUDE "t:zzzzzzzz()\n");
    err[0] = '\0';
    ds_result r = load_and_compile(body, err);
    check(r != DS_OK && strstr(err, "mix.lua:10:") && strstr(err, "has no field 'zzzzzzzz' (") &&
              !strstr(err, "did you mean") && strstr(err, "methods: clip, to, send, eq, compressor"),
          "t:zzzzzzzz() gets no suggestion and the list of methods", "message: %s", err);
    test_unique();
    scratch_close();
    return check_exit();
}
