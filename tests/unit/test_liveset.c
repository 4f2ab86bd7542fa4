/* test_liveset.c - parameters by name (vm/liveset.h) and trims files
 * (`trims "file.lua"`, vm/script.c): the name list a small mix offers is
 * exactly the one the header documents, in strip order; every name sets and
 * reads back, and the description's own fields change (not a neighbour's);
 * misspelt names suggest the closest, out-of-range values name the
 * parameter and the range and leave the value alone; a trims file sets its
 * values after the script has run, and a render with it equals, sample for
 * sample, the render of the same script with the values written in (the
 * write-back guarantee); broken trims files fail naming the file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

#include "vm/liveset.h"

/* DX: eq, gate, eq (numbered by place in the chain: eq1, dyn2, eq3); MX: compressor
 * keyed by DX and ducked under DX; FX: transient shaper; PM: limiter; a VCA
 * and a mute group. */
static const char *names_script =
    "session { rate = 48000, length = 0.25 }\n"
    "local dx = track \"DX\" { channels = 1 }\n"
    "local mx = track \"MX\" { channels = 1 }\n"
    "local fx = track \"FX\" { channels = 1 }\n"
    "local pm = bus \"PM\" { channels = 2 }\n"
    "dx:to(pm) mx:to(pm) fx:to(pm)\n"
    "dx:eq { \"peak\", freq = 3000, gain = 3, q = 1 }\n"
    "dx:gate { threshold = -50 }\n"
    "dx:eq { \"highpass\", freq = 80 }\n"
    "mx:compressor { threshold = -30, ratio = 4, key = dx }\n"
    "pm:limiter { ceiling = -1 }\n"
    "fx:transient { attack = 6, sustain = -4 }\n"
    "duck { mx, under = dx, depth = -9, release = 20, hold = 25, threshold = -90 }\n"
    "vca \"DIALOGUE\" { members = { dx } }\n"
    "mute_group \"GROUP\" { members = { fx } }\n"
    "output { \"out.wav\", from = pm, format = \"wav32f\" }\n";

static int load(const char *script, vm_desc *d, char *err)
{
    char path[512];
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    return vm_script_load(path, &so, d, err);
}

static int has(const char *s, const char *part) { return s && strstr(s, part) != NULL; }

static void test_names(const vm_desc *d)
{
    /* written out from the list in vm/liveset.h */
#define SURROUND(S) S ".pan_fr", S ".pan_spread", S ".pan_center", S ".pan_lfe", S ".pan_width"
    static const char *const want[] = {
        "DX.gain", "DX.trim", "DX.pan", SURROUND("DX"), "DX.mute", "DX.solo",
        "DX.eq1.freq", "DX.eq1.gain", "DX.eq1.q",
        "DX.dyn2.threshold", "DX.dyn2.ratio", "DX.dyn2.knee", "DX.dyn2.attack", "DX.dyn2.release", "DX.dyn2.hold",
        "DX.dyn2.makeup", "DX.dyn2.range",
        "DX.eq3.freq", "DX.eq3.gain", "DX.eq3.q",
        "MX.gain", "MX.trim", "MX.pan", SURROUND("MX"), "MX.mute", "MX.solo",
        "MX.dyn1.threshold", "MX.dyn1.ratio", "MX.dyn1.knee", "MX.dyn1.attack", "MX.dyn1.release", "MX.dyn1.hold",
        "MX.dyn1.makeup", "MX.dyn1.range",
        "MX.duck.depth", "MX.duck.threshold", "MX.duck.attack", "MX.duck.release", "MX.duck.hold",
        "MX.duck.preroll", "MX.duck.bridge",
        "FX.gain", "FX.trim", "FX.pan", SURROUND("FX"), "FX.mute", "FX.solo",
        "FX.shape1.attack", "FX.shape1.sustain",
        "PM.gain", "PM.trim", "PM.pan", SURROUND("PM"), "PM.mute", "PM.solo",
        "PM.lim1.ceiling", "PM.lim1.release",
        "DIALOGUE.gain",
        "GROUP.mute",
    };
    int nwant = (int)(sizeof want / sizeof want[0]);
    char **names = vm_liveset_names(d);
    int n = 0;
    while (names && names[n])
        n++;
    int first_bad = -1;
    for (int i = 0; i < n && i < nwant && first_bad < 0; i++)
        if (strcmp(names[i], want[i]) != 0)
            first_bad = i;
    if (first_bad < 0 && n != nwant)
        first_bad = n < nwant ? n : nwant;
    char name[200];
    snprintf(name, sizeof name, "vm_liveset_names lists the %d documented names in strip order", nwant);
    check(names && first_bad < 0, name, "%d names; entry %d is '%s', want '%s'", n, first_bad,
          names && first_bad >= 0 && first_bad < n ? names[first_bad] : "(end)",
          first_bad >= 0 && first_bad < nwant ? want[first_bad] : "(end)");

    /* every listed name reads a number and takes that number back unchanged */
    int bad = -1;
    char err[DS_ERR_LEN] = "";
    vm_desc *m = (vm_desc *)d;
    for (int i = 0; names && i < n && bad < 0; i++) {
        double v = vm_liveget(d, names[i]);
        if (isnan(v) || vm_liveset(m, names[i], v, err) != DS_OK || vm_liveget(d, names[i]) != v)
            bad = i;
    }
    check(names && bad < 0, "every listed name reads its value and sets it back (the script's values are in range)",
          "'%s' = %g: %s", bad >= 0 ? names[bad] : "", bad >= 0 ? vm_liveget(d, names[bad]) : 0.0, err);
    free(names);

    check(isnan(vm_liveget(d, "DX.gian")) && isnan(vm_liveget(d, "DX.eq4.freq")) && isnan(vm_liveget(d, "DX")),
          "vm_liveget of a name that does not exist is NaN", "got %g %g %g", vm_liveget(d, "DX.gian"),
          vm_liveget(d, "DX.eq4.freq"), vm_liveget(d, "DX"));

    vm_desc empty;
    vm_desc_init(&empty);
    char **none = vm_liveset_names(&empty);
    check(none && none[0] == NULL, "an empty mix has no names (the list is just its NULL)", "got '%s'",
          none && none[0] ? none[0] : "(allocation failed)");
    free(none);
    vm_desc_free(&empty);
}

/* Sets name to v and checks the setter's result, the getter, and the field. */
static void roundtrip(vm_desc *d, const char *pname, double v, const double *field)
{
    char err[DS_ERR_LEN] = "", name[200];
    ds_result r = vm_liveset(d, pname, v, err);
    double got = vm_liveget(d, pname);
    snprintf(name, sizeof name, "%s = %g: set, read back, and stored in the description", pname, v);
    check(r == DS_OK && got == v && *field == v, name, "result %d (%s), liveget %g, field %g", r, err, got, *field);
}

static void roundtrip_flag(vm_desc *d, const char *pname, const int *flag)
{
    char err[DS_ERR_LEN] = "", name[200];
    ds_result r1 = vm_liveset(d, pname, 1, err);
    int on = *flag;
    double g1 = vm_liveget(d, pname);
    ds_result r0 = vm_liveset(d, pname, 0, err);
    int off = *flag;
    double g0 = vm_liveget(d, pname);
    snprintf(name, sizeof name, "%s: 1 then 0 switch the description's flag on and off", pname);
    check(r1 == DS_OK && r0 == DS_OK && on == 1 && off == 0 && g1 == 1 && g0 == 0, name,
          "results %d %d (%s), flag %d then %d, liveget %g then %g", r1, r0, err, on, off, g1, g0);
}

static void test_roundtrip(vm_desc *d)
{
    int dx = vm_desc_find_strip(d, "DX"), mx = vm_desc_find_strip(d, "MX");
    int fx = vm_desc_find_strip(d, "FX"), pm = vm_desc_find_strip(d, "PM");
    if (!check(dx >= 0 && mx >= 0 && fx >= 0 && pm >= 0 && d->strips[dx].ninserts == 3 && d->nducks == 1 &&
                   d->nvcas == 1 && d->nmute_groups == 1,
               "the test mix has its strips, inserts, duck, VCA and mute group", "strips %d %d %d %d", dx, mx, fx,
               pm))
        return;
    vm_strip_desc *sd = &d->strips[dx], *sm = &d->strips[mx], *sf = &d->strips[fx], *sp = &d->strips[pm];
    roundtrip(d, "DX.gain", -6, &sd->gain.value);
    roundtrip(d, "DX.trim", 2.5, &sd->trim.value);
    roundtrip(d, "DX.pan", -0.5, &sd->pan.value);
    roundtrip_flag(d, "DX.mute", &sd->mute);
    roundtrip_flag(d, "DX.solo", &sd->solo);
    roundtrip(d, "DX.eq1.freq", 1000, &sd->inserts[0].freq.value);
    roundtrip(d, "DX.eq1.gain", -4, &sd->inserts[0].gain.value);
    roundtrip(d, "DX.eq1.q", 2, &sd->inserts[0].q.value);
    roundtrip(d, "DX.dyn2.threshold", -55, &sd->inserts[1].dyn.threshold_db);
    roundtrip(d, "DX.eq3.freq", 120, &sd->inserts[2].freq.value);
    roundtrip(d, "MX.dyn1.threshold", -24, &sm->inserts[0].dyn.threshold_db);
    roundtrip(d, "MX.dyn1.ratio", 8, &sm->inserts[0].dyn.ratio);
    roundtrip(d, "MX.dyn1.ratio", INFINITY, &sm->inserts[0].dyn.ratio);
    roundtrip(d, "MX.dyn1.knee", 3, &sm->inserts[0].dyn.knee_db);
    roundtrip(d, "MX.dyn1.attack", 0.02, &sm->inserts[0].dyn.attack_s);
    roundtrip(d, "MX.dyn1.release", 0.3, &sm->inserts[0].dyn.release_s);
    roundtrip(d, "MX.dyn1.hold", 0.1, &sm->inserts[0].dyn.hold_s);
    roundtrip(d, "MX.dyn1.makeup", 3, &sm->inserts[0].dyn.makeup_db);
    roundtrip(d, "MX.dyn1.range", -20, &sm->inserts[0].dyn.range_db);
    roundtrip(d, "MX.duck.depth", -12, &d->ducks[0].depth_db);
    roundtrip(d, "MX.duck.threshold", -40, &d->ducks[0].threshold_db);
    roundtrip(d, "MX.duck.attack", 0.05, &d->ducks[0].attack_s);
    roundtrip(d, "MX.duck.release", 0.4, &d->ducks[0].release_s);
    roundtrip(d, "MX.duck.hold", 0.3, &d->ducks[0].hold_s);
    roundtrip(d, "MX.duck.preroll", 0.2, &d->ducks[0].preroll_s);
    roundtrip(d, "MX.duck.bridge", 2, &d->ducks[0].bridge_s);
    roundtrip(d, "FX.shape1.attack", 3, &sf->inserts[0].attack_db);
    roundtrip(d, "FX.shape1.sustain", -2, &sf->inserts[0].sustain_db);
    roundtrip(d, "PM.lim1.ceiling", -2, &sp->inserts[0].lim.ceiling_dbtp);
    roundtrip(d, "PM.lim1.release", 0.1, &sp->inserts[0].lim.release_s);
    roundtrip(d, "DIALOGUE.gain", -3, &d->vcas[0].gain.value);

    /* the mute group's switch changes the group and nothing else (its index,
     * 0, is also a strip's and an insert's: those must stay as they were) */
    vm_strip_desc before = d->strips[0];
    vm_insert_desc ins_before[3];
    memcpy(ins_before, d->strips[0].inserts, sizeof ins_before);
    char err[DS_ERR_LEN] = "";
    ds_result r = vm_liveset(d, "GROUP.mute", 1, err);
    check(r == DS_OK && memcmp(&before, &d->strips[0], sizeof before) == 0 &&
              memcmp(ins_before, d->strips[0].inserts, sizeof ins_before) == 0,
          "GROUP.mute = 1 leaves strip 0 and its inserts untouched", "result %d (%s), strip 0 changed", r, err);
    roundtrip_flag(d, "GROUP.mute", &d->mute_groups[0].mute);

    /* a set on one strip leaves the same parameter of the others alone */
    double mg = sm->gain.value, fg = sf->gain.value, pg = sp->gain.value;
    vm_liveset(d, "DX.gain", -9, err);
    check(sd->gain.value == -9 && sm->gain.value == mg && sf->gain.value == fg && sp->gain.value == pg,
          "DX.gain changes DX's fader only", "DX %g, MX %g, FX %g, PM %g", sd->gain.value, sm->gain.value,
          sf->gain.value, sp->gain.value);
}

/* value must fail, the message hold every part, and the value stay put */
static void refused(vm_desc *d, const char *pname, double v, const char *part1, const char *part2)
{
    char err[DS_ERR_LEN] = "", name[300];
    double old = vm_liveget(d, pname);
    ds_result r = vm_liveset(d, pname, v, err);
    double now = vm_liveget(d, pname);
    snprintf(name, sizeof name, "%s = %g is refused naming it and '%s', value left at %g", pname, v, part2, old);
    check(r != DS_OK && has(err, part1) && has(err, part2) && (now == old || (isnan(now) && isnan(old))), name,
          "result %d, message \"%s\", value now %g", r, err, now);
}

static void test_errors(vm_desc *d)
{
    char err[DS_ERR_LEN] = "";
    ds_result r = vm_liveset(d, "DX.gian", -3, err);
    check(r != DS_OK && has(err, "'DX.gian'") && has(err, "did you mean 'DX.gain'?"),
          "DX.gian suggests: did you mean 'DX.gain'?", "result %d, message \"%s\"", r, err);
    r = vm_liveset(d, "MX.dyn1.treshold", -3, err);
    check(r != DS_OK && has(err, "did you mean 'MX.dyn1.threshold'?"),
          "MX.dyn1.treshold suggests MX.dyn1.threshold", "result %d, message \"%s\"", r, err);
    r = vm_liveset(d, "PM.lim1.cieling", -3, err);
    check(r != DS_OK && has(err, "did you mean 'PM.lim1.ceiling'?"), "PM.lim1.cieling suggests PM.lim1.ceiling",
          "result %d, message \"%s\"", r, err);
    r = vm_liveset(d, "dialogue.gian", -3, err);
    check(r != DS_OK && has(err, "did you mean 'DIALOGUE.gain'?"),
          "dialogue.gian suggests DIALOGUE.gain (case aside)", "result %d, message \"%s\"", r, err);
    r = vm_liveset(d, "nothing.like.it", -3, err);
    check(r != DS_OK && has(err, "'nothing.like.it'") && !has(err, "did you mean"),
          "a name near nothing is refused without a suggestion", "result %d, message \"%s\"", r, err);

    refused(d, "DX.pan", 2, "DX.pan", "-1 to 1");
    refused(d, "DX.pan_fr", -1.5, "DX.pan_fr", "-1 to 1");
    refused(d, "DX.pan_spread", 1.01, "DX.pan_spread", "0 to 1");
    refused(d, "DX.pan_lfe", 30, "DX.pan_lfe", "-144 to 24 dB");
    r = vm_liveset(d, "DX.pan_centre", 0, err);
    check(r != DS_OK && has(err, "did you mean 'DX.pan_center'?"), "DX.pan_centre suggests DX.pan_center",
          "result %d, message \"%s\"", r, err);
    {
        double before = d->strips[0].surround[VM_SURROUND_LFE].value;
        r = vm_liveset(d, "DX.pan_lfe", -HUGE_VAL, err);
        check(r == DS_OK && d->strips[0].surround[VM_SURROUND_LFE].value == -144,
              "DX.pan_lfe = -inf is silence (-144 dB), as in a script", "result %d, value %g", r,
              d->strips[0].surround[VM_SURROUND_LFE].value);
        d->strips[0].surround[VM_SURROUND_LFE].value = before;
        r = vm_liveset(d, "DX.pan_fr", -0.25, err);
        check(r == DS_OK && d->strips[0].surround[VM_SURROUND_FR].value == -0.25,
              "DX.pan_fr = -0.25 sets the strip's static pan_fr", "result %d, value %g", r,
              d->strips[0].surround[VM_SURROUND_FR].value);
    }
    refused(d, "DX.pan", NAN, "DX.pan", "-1 to 1");
    refused(d, "DX.gain", 30, "DX.gain", "-144 to 24 dB");
    refused(d, "DX.gain", INFINITY, "DX.gain", "-144 to 24 dB");
    refused(d, "DX.gain", NAN, "DX.gain", "-144 to 24 dB");
    double was = vm_liveget(d, "DX.gain");
    r = vm_liveset(d, "DX.gain", -INFINITY, err);
    check(r == DS_OK && vm_liveget(d, "DX.gain") == -144, "DX.gain = -inf is silence (stored as -144 dB), as in a script",
          "result %d, message \"%s\", value %g", r, err, vm_liveget(d, "DX.gain"));
    vm_liveset(d, "DX.gain", was, err);
    refused(d, "MX.dyn1.ratio", 0.5, "MX.dyn1.ratio", "1 or more");
    refused(d, "DX.eq1.freq", 30000, "DX.eq1.freq", "half the session rate");
    refused(d, "DX.eq1.freq", 5, "DX.eq1.freq", "10 to");
    refused(d, "DX.eq1.gain", 50, "DX.eq1.gain", "-30 to 30 dB");
    refused(d, "DX.eq1.q", 0.01, "DX.eq1.q", "0.1 to 30");
    refused(d, "MX.duck.release", 31, "MX.duck.release", "0 to 30 s");
    refused(d, "PM.lim1.ceiling", 1, "PM.lim1.ceiling", "-60 to 0 dBTP");
    refused(d, "MX.duck.depth", 0, "MX.duck.depth", "-60 to -0.1 dB");
    refused(d, "FX.shape1.attack", 30, "FX.shape1.attack", "-24 to 24 dB");
    refused(d, "DX.mute", 2, "DX.mute", "0 or 1");
    refused(d, "GROUP.mute", -1, "GROUP.mute", "0 or 1");
}

/* ---- trims files -------------------------------------------------------- */

static double tone(int i, int c) { (void)c; return 0.4 * sin(2 * M_PI * 1000.0 * i / 48000.0); }
static double low(int i, int c) { (void)c; return 0.6 * sin(2 * M_PI * 110.0 * i / 48000.0); }
static double clicks(int i, int c) { (void)c; return i % 4800 < 48 ? 0.8 : 0.05; }

/* The mix of the render test; %s are the settings the trims file also
 * holds (empty for the trimmed script, the literal values for the direct one). */
static void render_script(char *out, size_t n, const char *trims, const char *dxgain, const char *eqgain,
                          const char *thr, const char *ceiling, const char *depth, const char *vca,
                          const char *bgmute, const char *grpmute)
{
    snprintf(out, n,
             "%s"
             "session { rate = 48000, length = 0.5 }\n"
             "local pm = bus \"PM\" { channels = 2 }\n"
             "local dx = track \"DX\" { channels = 1, to = pm, gain = %s }\n"
             "dx:clip { \"tone.wav\", at = 0.1 }\n"
             "local mx = track \"MX\" { channels = 1, to = pm, pan = -0.3 }\n"
             "mx:clip { \"low.wav\", at = 0 }\n"
             "local fx = track \"FX\" { channels = 1, to = pm }\n"
             "fx:clip { \"clicks.wav\", at = 0 }\n"
             "local bg = track \"BG\" { channels = 1, to = pm, mute = %s }\n"
             "bg:clip { \"low.wav\", at = 0.05 }\n"
             "dx:eq { \"peak\", freq = 1000, gain = %s, q = 1 }\n"
             "mx:compressor { threshold = %s, ratio = 4, key = dx }\n"
             "fx:transient { attack = 6 }\n"
             "pm:limiter { ceiling = %s }\n"
             "duck { mx, under = dx, depth = %s, preroll = 0.02 }\n"
             "vca \"DIALOGUE\" { members = { dx }, gain = %s }\n"
             "mute_group \"GROUP\" { members = { fx }, mute = %s }\n"
             "output { \"out.wav\", from = pm, format = \"wav32f\" }\n",
             trims, dxgain, bgmute, eqgain, thr, ceiling, depth, vca, grpmute);
}

static const char *trims_text = "-- live changes\n"
                                "return {\n"
                                "  [\"BG.mute\"] = true,\n"
                                "  [\"DIALOGUE.gain\"] = -2,\n"
                                "  [\"DX.eq1.gain\"] = -4,\n"
                                "  [\"DX.gain\"] = -6,\n"
                                "  [\"GROUP.mute\"] = true,\n"
                                "  [\"MX.duck.depth\"] = -12,\n"
                                "  [\"MX.dyn1.threshold\"] = -35,\n"
                                "  [\"PM.lim1.ceiling\"] = -6,\n"
                                "}\n";

static void test_trims_load(void)
{
    write_scratch_file("t.lua", trims_text, NULL, 0);
    char script[4096], err[DS_ERR_LEN] = "";
    /* the trims line comes first: its values are set after the script ends,
     * so they win over the script's own (gain = 0 and the rest) */
    render_script(script, sizeof script, "trims \"t.lua\"\n", "0", "3", "-20", "-1", "-9", "0", "false", "false");
    vm_desc d;
    ds_result r = load(script, &d, err);
    if (check(r == DS_OK, "a script with trims \"t.lua\" loads", "%s", err)) {
        int dx = vm_desc_find_strip(&d, "DX"), mx = vm_desc_find_strip(&d, "MX");
        int bg = vm_desc_find_strip(&d, "BG"), pm = vm_desc_find_strip(&d, "PM");
        check(dx >= 0 && mx >= 0 && bg >= 0 && pm >= 0 && d.strips[dx].gain.value == -6 &&
                  d.strips[dx].inserts[0].gain.value == -4 && d.strips[mx].inserts[0].dyn.threshold_db == -35 &&
                  d.strips[pm].inserts[0].lim.ceiling_dbtp == -6 && d.ducks[0].depth_db == -12 &&
                  d.vcas[0].gain.value == -2 && d.strips[bg].mute == 1 && d.mute_groups[0].mute == 1,
              "the trims file's values are in the description, over the script's own", "DX.gain %g",
              dx >= 0 ? d.strips[dx].gain.value : NAN);
        check(has(d.trims_path, "/t.lua"), "the description records the trims file it read", "trims_path '%s'",
              d.trims_path);
    }
    vm_desc_free(&d);

    /* two trims files: applied in the order read, the later one wins */
    write_scratch_file("t2.lua", "return { [\"DX.gain\"] = -7.5 }\n", NULL, 0);
    render_script(script, sizeof script, "trims \"t.lua\"\ntrims \"t2.lua\"\n", "0", "3", "-20", "-1", "-9", "0",
                  "false", "false");
    r = load(script, &d, err);
    int dx = vm_desc_find_strip(&d, "DX");
    check(r == DS_OK && dx >= 0 && d.strips[dx].gain.value == -7.5 && d.vcas[0].gain.value == -2,
          "two trims files apply in the order read: the later DX.gain (-7.5) wins, the rest stay", "%s; DX.gain %g",
          r == DS_OK ? "loaded" : err, dx >= 0 ? d.strips[dx].gain.value : NAN);
    vm_desc_free(&d);
}

static void test_trims_render(void)
{
    write_scratch_file("t.lua", trims_text, NULL, 0);
    char script[4096];
    int f1 = 0, c1 = 0, f2 = 0, c2 = 0, f3 = 0, c3 = 0;

    render_script(script, sizeof script, "trims \"t.lua\"\n", "0", "3", "-20", "-1", "-9", "0", "false", "false");
    float *trimmed = render(script, 512) == 0 ? read_wav("out.wav", &f1, &c1) : NULL;
    render_script(script, sizeof script, "", "-6", "-4", "-35", "-6", "-12", "-2", "true", "true");
    float *direct = render(script, 512) == 0 ? read_wav("out.wav", &f2, &c2) : NULL;
    render_script(script, sizeof script, "", "0", "3", "-20", "-1", "-9", "0", "false", "false");
    float *plain = render(script, 512) == 0 ? read_wav("out.wav", &f3, &c3) : NULL;

    int same = trimmed && direct && f1 == f2 && c1 == c2 && f1 == 24000 &&
               memcmp(trimmed, direct, (size_t)f1 * (size_t)c1 * sizeof *trimmed) == 0;
    int first = -1;
    for (int i = 0; !same && trimmed && direct && f1 == f2 && c1 == c2 && i < f1 * c1 && first < 0; i++)
        if (trimmed[i] != direct[i])
            first = i;
    check(same, "render with trims \"t.lua\" equals, sample for sample, the values written in the script",
          "frames %d/%d, channels %d/%d, first difference at %d", f1, f2, c1, c2, first);
    double diff = 0;
    for (int i = 0; trimmed && plain && f1 == f3 && c1 == c3 && i < f1 * c1; i++)
        diff = fmax(diff, fabs(trimmed[i] - plain[i]));
    check(trimmed && plain && diff > 0.01, "and the trims change the render (it differs from the untrimmed mix)",
          "largest difference %g", diff);
    free(trimmed);
    free(direct);
    free(plain);
}

static void trims_fails(const char *trims, const char *what, const char *p1, const char *p2, const char *p3)
{
    write_scratch_file("bad.lua", trims, NULL, 0);
    char script[4096], err[DS_ERR_LEN] = "", name[300];
    render_script(script, sizeof script, "trims \"bad.lua\"\n", "0", "3", "-20", "-1", "-9", "0", "false", "false");
    vm_desc d;
    ds_result r = load(script, &d, err);
    vm_desc_free(&d);
    snprintf(name, sizeof name, "%s: the load fails naming bad.lua%s%s%s%s", what, p2 ? " and '" : "", p2 ? p2 : "",
             p2 ? "'" : "", p3 ? " ..." : "");
    check(r != DS_OK && has(err, p1) && (!p2 || has(err, p2)) && (!p3 || has(err, p3)), name,
          "result %d, message \"%s\"", r, err);
}

static void test_trims_errors(void)
{
    trims_fails("return { [\"DX.gian\"] = -6 }\n", "a misspelt name", "bad.lua", "did you mean 'DX.gain'?", NULL);
    trims_fails("return 5\n", "a trims file that returns a number", "bad.lua", "must return a table", NULL);
    trims_fails("local x = 1\n", "a trims file that returns nothing", "bad.lua", "must return a table", NULL);
    trims_fails("return { [\"DX.gain\"] = \"loud\" }\n", "a string value", "bad.lua", "'DX.gain'",
                "must be a number or true/false");
    trims_fails("return { [\"DX.gain\"] = \"-6\" }\n", "a number in quotes", "bad.lua", "'DX.gain'",
                "must be a number or true/false");
    trims_fails("return { [\"DX.pan\"] = 2 }\n", "an out-of-range value", "bad.lua", "DX.pan", "-1 to 1");
    trims_fails("return { -6 }\n", "a value without a name", "bad.lua", "parameter name", NULL);
    trims_fails("return { [\"DX.gain\"] = -6\n", "a syntax error", "bad.lua", "'}' expected", NULL);

    /* a missing file: the error points at the script line that names it */
    char script[4096], err[DS_ERR_LEN] = "";
    render_script(script, sizeof script, "-- trims saved by the REPL\n\ntrims \"missing.lua\"\n", "0", "3", "-20",
                  "-1", "-9", "0", "false", "false");
    vm_desc d;
    ds_result r = load(script, &d, err);
    vm_desc_free(&d);
    check(r != DS_OK && has(err, "mix.lua:3:") && has(err, "missing.lua") && has(err, "cannot open trims file"),
          "a missing trims file fails at mix.lua:3: naming missing.lua", "result %d, message \"%s\"", r, err);
}

int main(void)
{
    if (scratch_open("test-liveset") != 0)
        return 2;
    vm_desc d;
    char err[DS_ERR_LEN] = "";
    if (check(load(names_script, &d, err) == DS_OK, "the name-list mix loads", "%s", err)) {
        test_names(&d);
        test_roundtrip(&d);
        test_errors(&d);
    }
    vm_desc_free(&d);
    write_wav("tone.wav", 48000, 1, 24000, tone);
    write_wav("low.wav", 48000, 1, 24000, low);
    write_wav("clicks.wav", 48000, 1, 24000, clicks);
    test_trims_load();
    test_trims_render();
    test_trims_errors();
    scratch_close();
    return check_exit();
}
