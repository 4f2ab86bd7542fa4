/* script_insert.c - inserts on a strip: t:eq, t:compressor/expander/gate,
 * t:limiter, t:transient, t:delay, t:width, t:ms, t:polarity, t:channel_map,
 * t:convolve, t:reverb, and the fields of an insert handle. */
#include "vm/script_priv.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dsp/convolver.h"
#include "dsp/reverb.h"
#include "dsp/transient.h"
#include "vm/insert_params.h"
#include "vm/suggest.h"

/* Appends insert e (stamped with the calling line) to strip `strip` and
 * pushes its handle. */
int script_push_insert(lua_State *L, int strip, vm_insert_desc *e)
{
    vm_strip_desc *s = &script_get_ctx(L)->desc->strips[strip];
    script_where(L, e->where);
    s->inserts = script_grow(L, s->inserts, &s->capinserts, s->ninserts + 1, sizeof *s->inserts);
    s->inserts[s->ninserts++] = *e;
    insert_ref *ir = lua_newuserdatauv(L, sizeof *ir, 0);
    ir->strip = strip;
    ir->index = s->ninserts - 1;
    luaL_setmetatable(L, INSERT_MT);
    return 1;
}

/* The strip (argument 1) an insert goes on; "KIND on track 'T'" into what
 * (n bytes) for its messages. */
static int insert_strip(lua_State *L, const char *kind, char *what, size_t n)
{
    strip_ref *r = script_check_strip(L, 1);
    const vm_strip_desc *s = &script_get_ctx(L)->desc->strips[r->index];
    snprintf(what, n, "%s on %s '%s'", kind, script_kind_name(s), s->name);
    return r->index;
}

/* An insert of kind `kind` with every setting 0 and no key. */
static void insert_init(vm_insert_desc *e, vm_insert_kind kind)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->key = -1;
}

/* The noun of insert kind `kind` ("eq", "limiter"; vm/insert_params.c). */
static const char *kind_noun(vm_insert_kind kind)
{
    return vm_insert_params_of(kind)->noun;
}

/* The start of t:kind { ... }: the strip's index, what (the insert and its
 * strip, for messages), the options table at 2 (an empty one when none is
 * given and optional) with its keys checked (the first npos entries may be
 * positional), and e as insert_init makes it. */
static int insert_options(lua_State *L, vm_insert_kind kind, int optional, const char *const *keys, int npos,
                          vm_insert_desc *e, char *what, size_t n)
{
    int strip = insert_strip(L, kind_noun(kind), what, n);
    if (optional && lua_isnoneornil(L, 2))
        lua_newtable(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    script_check_keys(L, 2, what, keys, npos);
    insert_init(e, kind);
    return strip;
}

/* Option `name` of the table at idx checked against its row's range (the
 * one in vm/insert_params.c); 1 and *out when given, 0 when absent. */
static int row_number(lua_State *L, int idx, vm_insert_kind kind, const char *name, const char *what, double *out)
{
    const vm_insert_param_spec *sp = vm_insert_param_find(kind, name);
    if (sp->lo == VM_LANE_DB_SILENCE) /* a gain: the faders' rule, -math.huge is silence */
        return script_opt_gain_db(L, idx, name, what, out);
    return script_opt_number(L, idx, name, what, sp->lo, sp->hi, out);
}

/* Every row of e's kind given in the options table at idx, each checked
 * by row_number; the others keep their values. */
static void row_numbers(lua_State *L, int idx, vm_insert_desc *e, const char *what)
{
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    for (int i = 0; i < t->nparams; i++)
        row_number(L, idx, e->kind, t->params[i].name, what, vm_insert_param_value(e, &t->params[i]));
}

/* t:eq { "peak", freq = 3000, gain = 3, q = 1 } / { "highpass", freq = 80, order = 4 } */
int script_strip_eq(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"freq", "gain", "q", "order", NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_EQ, 0, keys, 1, &e, what, sizeof what);
    if (lua_geti(L, 2, 1) != LUA_TSTRING)
        return vm_script_error(L, "%s needs a filter type first: t:eq { \"peak\", freq = 3000, gain = 3 } (types: %s)",
                          what, vm_eq_type_list());
    const char *tw = lua_tostring(L, -1);
    lua_pop(L, 1);
    char err[DS_ERR_LEN];
    if (vm_eq_type_parse(tw, &e.type, err) != DS_OK)
        return vm_script_error(L, "%s: %s", what, err);
    double v;
    e.order = 2;
    if (script_opt_number(L, 2, "order", what, 1, 8, &v)) {
        if (v != (int)v)
            return vm_script_error(L, "%s: order must be a whole number (1 to 8)", what);
        if (e.type != DSP_EQ_HIGHPASS && e.type != DSP_EQ_LOWPASS && (int)v != 2)
            return vm_script_error(L, "%s: order applies to highpass and lowpass only", what);
        e.order = (int)v;
    }
    const vm_insert_param_spec *freq = vm_insert_param_find(VM_INSERT_EQ, "freq");
    if (!row_number(L, 2, VM_INSERT_EQ, "freq", what, &v))
        return vm_script_error(L, "%s needs freq = %s (%g to %g)", what, freq->unit, freq->lo, freq->hi);
    e.freq.value = v;
    e.gain.value = 0;
    if (row_number(L, 2, VM_INSERT_EQ, "gain", what, &v)) {
        if (e.type != DSP_EQ_PEAK && e.type != DSP_EQ_LOWSHELF && e.type != DSP_EQ_HIGHSHELF)
            return vm_script_error(L, "%s: gain applies to peak, lowshelf and highshelf only", what);
        e.gain.value = v;
    }
    e.q.value = 0.7071067811865476;
    if (row_number(L, 2, VM_INSERT_EQ, "q", what, &v)) {
        if (e.order != 2)
            return vm_script_error(L, "%s: q does not apply to a Butterworth of order %d (its Qs are fixed)", what, e.order);
        e.q.value = v;
    }
    return script_push_insert(L, strip, &e);
}

/* The kernels' checks name their C fields (attack_s); say the script's
 * words (attack) instead. */
void script_words(char *msg)
{
    static const char *const from[] = {"threshold_db", "knee_db", "attack_s", "release_s", "hold_s", "makeup_db",
                                       "range_db", "rms_s", "ceiling_dbtp", "lookahead_s", NULL};
    for (int i = 0; from[i]; i++) {
        char *at = strstr(msg, from[i]);
        if (!at)
            continue;
        size_t keep = strcspn(from[i], "_"), cut = strlen(from[i]) - keep;
        memmove(at + keep, at + keep + cut, strlen(at + keep + cut) + 1);
    }
}

/* t:compressor { threshold = -30, ratio = 4, attack = 0.01, release = 0.25, key = dx, ... },
 * t:expander { ... }, t:gate { threshold = -50, range = -20, ... } */
static int strip_dynamics(lua_State *L, dsp_dyn_mode mode)
{
    char what[300];
    int strip = insert_strip(L, script_dyn_mode_name(mode), what, sizeof what);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const keys[] = {"threshold", "ratio", "knee", "attack", "release", "hold", "makeup",
                                       "range", "detector", "rms", "link", "key", "key_filter", NULL};
    script_check_keys(L, 2, what, keys, 0);
    vm_insert_desc e;
    insert_init(&e, VM_INSERT_DYNAMICS);
    dsp_dyn_params_init(&e.dyn, mode);
    static const struct { const char *key; size_t off; } nums[] = {
        {"threshold", offsetof(dsp_dyn_params, threshold_db)}, {"ratio", offsetof(dsp_dyn_params, ratio)},
        {"knee", offsetof(dsp_dyn_params, knee_db)},           {"attack", offsetof(dsp_dyn_params, attack_s)},
        {"release", offsetof(dsp_dyn_params, release_s)},      {"hold", offsetof(dsp_dyn_params, hold_s)},
        {"makeup", offsetof(dsp_dyn_params, makeup_db)},       {"range", offsetof(dsp_dyn_params, range_db)},
        {"rms", offsetof(dsp_dyn_params, rms_s)},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        double v;
        if (lua_getfield(L, 2, nums[i].key) == LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        if (lua_type(L, -1) != LUA_TNUMBER)
            return vm_script_error(L, "%s: '%s' must be a number (got %s)", what, nums[i].key, luaL_typename(L, -1));
        v = lua_tonumber(L, -1);
        lua_pop(L, 1);
        *(double *)((char *)&e.dyn + nums[i].off) = v;
    }
    const char *w;
    static const char *const detectors[] = {"peak", "rms", NULL};                /* dsp_dyn_detector order */
    static const char *const links[] = {"max", "mean", "unlinked", NULL};       /* dsp_dyn_link order */
    if ((w = script_opt_string(L, 2, "detector", what)))
        e.dyn.detector = (dsp_dyn_detector)script_word(L, w, detectors, what, "detector", "detectors");
    if ((w = script_opt_string(L, 2, "link", what)))
        e.dyn.link = (dsp_dyn_link)script_word(L, w, links, what, "link", "links");
    char msg[300];
    if (dsp_dyn_check(&e.dyn, msg, sizeof msg) != 0) {
        script_words(msg);
        return vm_script_error(L, "%s: %s", what, msg);
    }
    if (lua_getfield(L, 2, "key") != LUA_TNIL) {
        strip_ref *k = luaL_testudata(L, -1, STRIP_MT);
        if (!k)
            return vm_script_error(L, "%s: key must be a track or bus (got %s)", what, luaL_typename(L, -1));
        if (k->index != strip)
            e.key = k->index;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "key_filter") != LUA_TNIL) {
        if (!lua_istable(L, -1) || luaL_len(L, -1) != 2)
            return vm_script_error(L, "%s: key_filter must be { low_hz, high_hz }, e.g. { 300, 3000 } "
                                   "(or { 5000, 9000, order = 8 })", what);
        char kwhat[340];
        snprintf(kwhat, sizeof kwhat, "%s key_filter", what);
        static const char *const kkeys[] = {"order", NULL};
        script_check_keys(L, -1, kwhat, kkeys, 2);
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        e.key_lo = lua_tonumber(L, -2);
        e.key_hi = lua_tonumber(L, -1);
        lua_pop(L, 2);
        if (!(e.key_lo >= 10 && e.key_hi > e.key_lo && e.key_hi <= 20000))
            return vm_script_error(L, "%s: key_filter = { %g, %g } must satisfy 10 <= low < high <= 20000 Hz", what,
                                e.key_lo, e.key_hi);
        double order = 2;
        script_opt_number(L, lua_gettop(L), "order", kwhat, 1, 8, &order);
        if (order != (int)order)
            return vm_script_error(L, "%s: order = %g must be a whole number (1 to 8)", kwhat, order);
        e.key_order = (int)order;
    }
    lua_pop(L, 1);
    return script_push_insert(L, strip, &e);
}

/* t:limiter { ceiling = -1, lookahead = 0.005, release = 0.05 } */
int script_strip_limiter(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"ceiling", "lookahead", "release", NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_LIMITER, 1, keys, 0, &e, what, sizeof what);
    e.lim.ceiling_dbtp = -1;
    e.lim.lookahead_s = 0.005;
    e.lim.release_s = 0.05;
    static const char *const nk[] = {"ceiling", "lookahead", "release"};
    double *dst[] = {&e.lim.ceiling_dbtp, &e.lim.lookahead_s, &e.lim.release_s};
    for (int i = 0; i < 3; i++) {
        if (lua_getfield(L, 2, nk[i]) != LUA_TNIL) {
            if (lua_type(L, -1) != LUA_TNUMBER)
                return vm_script_error(L, "%s: '%s' must be a number (got %s)", what, nk[i], luaL_typename(L, -1));
            *dst[i] = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
    }
    char msg[300];
    if (dsp_limiter_check(&e.lim, msg, sizeof msg) != 0) {
        script_words(msg);
        return vm_script_error(L, "%s: %s", what, msg);
    }
    return script_push_insert(L, strip, &e);
}

/* t:transient { attack = 6, sustain = -3 } */
int script_strip_transient(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"attack", "sustain", NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_TRANSIENT, 0, keys, 0, &e, what, sizeof what);
    row_numbers(L, 2, &e, what);
    return script_push_insert(L, strip, &e);
}

/* t:saturate { clip = -18, mix = 100 } */
int script_strip_saturate(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"clip", "mix", NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_SATURATE, 1, keys, 0, &e, what, sizeof what);
    e.clip_db = -12;
    e.sat_mix_pct = 100;
    row_numbers(L, 2, &e, what);
    return script_push_insert(L, strip, &e);
}

/* t:bitcrush { bits = 8, rate = 8000 }: rate defaults to the session's
 * (no sample-rate reduction) */
int script_strip_bitcrush(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"bits", "rate", NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_BITCRUSH, 1, keys, 0, &e, what, sizeof what);
    e.crush_bits = 8;
    e.crush_rate_hz = script_get_ctx(L)->desc->tb.rate;
    row_numbers(L, 2, &e, what);
    return script_push_insert(L, strip, &e);
}

/* A delay's time option `key`: seconds (a number, kept exact: fractions of
 * a sample count) or any duration form ("250ms", "12000smp", a timecode),
 * in [lo, hi] s; 1 and *out when given. */
static int delay_seconds(lua_State *L, const char *key, const char *what, double lo, double hi, double *out)
{
    int t = lua_getfield(L, 2, key);
    lua_pop(L, 1);
    if (t == LUA_TNIL)
        return 0;
    if (t != LUA_TSTRING)
        return script_opt_number(L, 2, key, what, lo, hi, out);
    int64_t samples;
    script_opt_time(L, 2, key, what, VM_TIME_DURATION, &samples);
    double rate = script_get_ctx(L)->desc->tb.rate;
    *out = (double)samples / rate;
    if (!(*out >= lo && *out <= hi))
        vm_script_error(L, "%s: '%s' = %g s is out of range (%g to %g s)", what, key, *out, lo, hi);
    return 1;
}

/* t:delay { time = 0.25, feedback = 30, mix = 100, lowpass = 4000, highpass = 150, max = 2, glide = 10,
 *           pingpong = true } */
int script_strip_delay(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"time", "feedback", "mix", "lowpass", "highpass", "max", "glide", "pingpong",
                                       NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_DELAY, 0, keys, 0, &e, what, sizeof what);
    e.delay.mix_pct = 100; /* an aux bus fed by sends: all echo */
    e.delay.glide_pct = 10;
    const vm_insert_param_spec *time = vm_insert_param_find(VM_INSERT_DELAY, "time");
    if (!delay_seconds(L, "time", what, time->lo, time->hi, &e.delay.time_s))
        return vm_script_error(L, "%s needs time = seconds (%g to %g), e.g. t:delay { time = 0.25 } or "
                               "time = \"250ms\"", what, time->lo, time->hi);
    row_number(L, 2, VM_INSERT_DELAY, "feedback", what, &e.delay.feedback_pct);
    row_number(L, 2, VM_INSERT_DELAY, "mix", what, &e.delay.mix_pct);
    row_number(L, 2, VM_INSERT_DELAY, "lowpass", what, &e.delay.lowpass_hz);
    row_number(L, 2, VM_INSERT_DELAY, "highpass", what, &e.delay.highpass_hz);
    delay_seconds(L, "max", what, time->lo, time->hi, &e.delay.max_s);
    script_opt_number(L, 2, "glide", what, 1, 100, &e.delay.glide_pct);
    script_opt_bool(L, 2, "pingpong", what, &e.delay.pingpong);
    return script_push_insert(L, strip, &e);
}

/* t:width { width = 1.5, mid = 0, side = -3 } */
int script_strip_width(lua_State *L)
{
    char what[300];
    int strip = insert_strip(L, kind_noun(VM_INSERT_WIDTH), what, sizeof what);
    if (lua_isnoneornil(L, 2))
        lua_newtable(L);
    if (lua_type(L, 2) != LUA_TTABLE)
        return vm_script_error(L, "%s takes a table: t:width { width = 1.5, mid = 0, side = 0 } (got %s)", what,
                               luaL_typename(L, 2));
    static const char *const keys[] = {"width", "mid", "side", NULL};
    script_check_keys(L, 2, what, keys, 0);
    vm_insert_desc e;
    insert_init(&e, VM_INSERT_WIDTH);
    e.width = 1;
    row_numbers(L, 2, &e, what);
    return script_push_insert(L, strip, &e);
}

/* t:ms { "decode" } / t:ms "encode" */
int script_strip_ms(lua_State *L)
{
    char what[300];
    int strip = insert_strip(L, kind_noun(VM_INSERT_MS), what, sizeof what);
    static const char *const modes[] = {"encode", "decode", NULL};
    const char *w = NULL;
    if (lua_type(L, 2) == LUA_TTABLE) {
        static const char *const keys[] = {NULL};
        script_check_keys(L, 2, what, keys, 1);
        if (lua_geti(L, 2, 1) == LUA_TSTRING)
            w = lua_tostring(L, -1);
    } else if (lua_type(L, 2) == LUA_TSTRING) {
        w = lua_tostring(L, 2);
    }
    if (!w)
        return vm_script_error(L, "%s needs its direction: t:ms { \"decode\" } (M S -> L R) or t:ms { \"encode\" } "
                               "(L R -> M S)", what);
    vm_insert_desc e;
    insert_init(&e, VM_INSERT_MS);
    e.ms_decode = script_word(L, w, modes, what, "direction", "directions");
    return script_push_insert(L, strip, &e);
}

/* A channel as a script writes it: a number 1..VM_MAX_CHANNELS (0 too when
 * zero_ok: silence), or a name: the channel names of strip st's layout
 * when it declares one ("C", "LFE", "Ls" in 5.1), else "L" (1) and "R"
 * (2). The value at idx; `entry` names it in messages. */
static int channel_arg(lua_State *L, int idx, const vm_strip_desc *st, const char *what, const char *entry,
                       int zero_ok)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        const char *w = lua_tostring(L, idx);
        char names[VM_MAX_CHANNELS][12], list[VM_MAX_CHANNELS * 14] = "";
        const char *words[VM_MAX_CHANNELS + 1];
        int n = st->layout != VM_LAYOUT_PLAIN ? vm_layout_channels(st->layout) : 2;
        for (int i = 0; i < n; i++) {
            if (st->layout != VM_LAYOUT_PLAIN)
                vm_layout_channel_name(st->layout, i, names[i], sizeof names[i]);
            else
                snprintf(names[i], sizeof names[i], "%s", i ? "R" : "L");
            if (strcmp(w, names[i]) == 0)
                return i + 1;
            words[i] = names[i];
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? ", " : "", names[i]);
        }
        words[n] = NULL;
        char mean[96], layout[120] = "";
        if (st->layout == VM_LAYOUT_PLAIN)
            snprintf(layout, sizeof layout, "; C, LFE, Ls, ... name channels once the %s declares its layout "
                     "(layout = \"5.1\") before this line", script_kind_name(st));
        return vm_script_error(L, "%s: %s is an unknown channel '%s'%s (a channel is %s%s%s or a number %d to %d%s%s)",
                               what, entry, w, script_did_you_mean(w, words, mean, sizeof mean), list,
                               st->layout == VM_LAYOUT_PLAIN ? "" : " (its layout's names)",
                               st->layout == VM_LAYOUT_PLAIN ? "" : ",", zero_ok ? 0 : 1, VM_MAX_CHANNELS,
                               zero_ok ? "; 0: silence" : "", layout);
    }
    lua_Integer k;
    int ok = lua_isinteger(L, idx);
    k = ok ? lua_tointeger(L, idx) : 0;
    if (!ok || k < (zero_ok ? 0 : 1) || k > VM_MAX_CHANNELS) {
        const char *v = lua_type(L, idx) == LUA_TNUMBER ? lua_tostring(L, idx) : luaL_typename(L, idx);
        return vm_script_error(L, "%s: %s is %s: a channel is a name (\"L\", \"R\", or the strip's layout's) or a "
                               "number %d to %d%s", what, entry, v, zero_ok ? 0 : 1, VM_MAX_CHANNELS,
                               zero_ok ? " (0: silence)" : "");
    }
    return (int)k;
}

/* t:polarity "L" / t:polarity { 1, 3 } / t:polarity "all" */
int script_strip_polarity(lua_State *L)
{
    char what[300];
    int strip = insert_strip(L, kind_noun(VM_INSERT_POLARITY), what, sizeof what);
    const vm_strip_desc *st = &script_get_ctx(L)->desc->strips[strip]; /* its layout names channels */
    vm_insert_desc e;
    insert_init(&e, VM_INSERT_POLARITY);
    int t = lua_type(L, 2);
    if (t == LUA_TSTRING && strcmp(lua_tostring(L, 2), "all") == 0) {
        e.all = 1;
        return script_push_insert(L, strip, &e);
    }
    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        e.channel[e.nchannels++] = channel_arg(L, 2, st, what, "its argument", 0);
        return script_push_insert(L, strip, &e);
    }
    if (t != LUA_TTABLE || luaL_len(L, 2) < 1)
        return vm_script_error(L, "%s needs the channels to invert: t:polarity \"L\", t:polarity { 1, 3 } or "
                               "t:polarity \"all\"", what);
    static const char *const keys[] = {NULL};
    lua_Integer n = luaL_len(L, 2);
    script_check_keys(L, 2, what, keys, n < VM_MAX_CHANNELS ? (int)n : VM_MAX_CHANNELS);
    for (int i = 1; i <= n; i++) {
        char entry[32];
        snprintf(entry, sizeof entry, "entry %d", i);
        lua_geti(L, 2, i);
        if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "all") == 0) {
            if (n != 1)
                return vm_script_error(L, "%s: \"all\" inverts every channel: give it alone", what);
            e.all = 1;
            return script_push_insert(L, strip, &e);
        }
        int ch = channel_arg(L, -1, st, what, entry, 0);
        lua_pop(L, 1);
        for (int j = 0; j < e.nchannels; j++)
            if (e.channel[j] == ch)
                return vm_script_error(L, "%s: channel %d is listed twice (inverting it twice would leave it as it "
                                       "is)", what, ch);
        e.channel[e.nchannels++] = ch;
    }
    return script_push_insert(L, strip, &e);
}

/* t:channel_map { 2, 1 } (swap), { 1, 1 } (L to both), { "R", "L" }, { 1, 0 } */
int script_strip_channel_map(lua_State *L)
{
    char what[300];
    int strip = insert_strip(L, kind_noun(VM_INSERT_CHANNEL_MAP), what, sizeof what);
    const vm_strip_desc *st = &script_get_ctx(L)->desc->strips[strip]; /* its layout names channels */
    if (lua_type(L, 2) != LUA_TTABLE || luaL_len(L, 2) < 1)
        return vm_script_error(L, "%s needs one source channel per channel: t:channel_map { 2, 1 } swaps L and R, "
                               "{ 1, 1 } puts L on both, 0 is silence", what);
    lua_Integer n = luaL_len(L, 2);
    if (n > VM_MAX_CHANNELS)
        return vm_script_error(L, "%s lists %lld channels: a strip has at most %d", what, (long long)n,
                               VM_MAX_CHANNELS);
    static const char *const keys[] = {NULL};
    script_check_keys(L, 2, what, keys, (int)n);
    vm_insert_desc e;
    insert_init(&e, VM_INSERT_CHANNEL_MAP);
    for (int i = 1; i <= n; i++) {
        char entry[32];
        snprintf(entry, sizeof entry, "entry %d", i);
        lua_geti(L, 2, i);
        e.channel[e.nchannels++] = channel_arg(L, -1, st, what, entry, 1);
        lua_pop(L, 1);
    }
    return script_push_insert(L, strip, &e);
}

/* t:convolve { "ir/hall.wav", mix = 25, gain = -6, predelay = 0.02, normalize = true, partition = 1024 }:
 * the IR is found and probed like a clip's file (the sandbox, the probe
 * cache); it is read, at the session rate, when the mix is compiled. */
int script_strip_convolve(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"mix", "gain", "predelay", "normalize", "partition", NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_CONVOLVE, 0, keys, 1, &e, what, sizeof what);
    if (lua_geti(L, 2, 1) != LUA_TSTRING)
        return vm_script_error(L, "%s needs an impulse response file first: t:convolve { \"ir/hall.wav\", mix = 30 }",
                               what);
    const char *file = lua_tostring(L, -1);
    lua_pop(L, 1);
    script_ctx *c = script_get_ctx(L);
    char path[PATH_MAX], where[VM_WHERE_LEN], err[DS_ERR_LEN];
    script_where(L, where);
    vm_media_info info;
    if (vm_sandbox_media(&c->sb, file, where, path, sizeof path, err) != DS_OK ||
        script_probe(L, path, &info, err) != DS_OK || vm_media_check_rate(path, &info, c->desc->tb.rate, err) != DS_OK)
        return vm_script_error(L, "%s: impulse response: %s", what, err);
    if (info.channels != 1 && info.channels != 2 && info.channels != 4)
        return vm_script_error(L, "%s: impulse response '%s' has %d channels: it takes 1 (mono: the same IR on every "
                               "channel), 2 (stereo: L->L, R->R) or 4 (true stereo: LL, LR, RL, RR)", what, file,
                               info.channels);
    if ((double)info.frames > (double)VM_CONVOLVE_MAX_IR_S * info.rate)
        return vm_script_error(L, "%s: impulse response '%s' is %.2f s long (%lld samples at %d Hz): the longest "
                               "accepted is %d s", what, file, (double)info.frames / info.rate,
                               (long long)info.frames, info.rate, VM_CONVOLVE_MAX_IR_S);
    e.conv.info = info;
    e.conv.mix_pct = 100; /* an aux bus fed by sends: all reverb */
    e.conv.normalize = 1;
    e.conv.partition = 1024;
    row_numbers(L, 2, &e, what);
    script_opt_number(L, 2, "predelay", what, 0, 1, &e.conv.predelay_s);
    script_opt_bool(L, 2, "normalize", what, &e.conv.normalize);
    double part;
    if (script_opt_number(L, 2, "partition", what, DSP_CONVOLVER_MIN_PARTITION, DSP_CONVOLVER_MAX_PARTITION, &part)) {
        if (part != (int)part || !dsp_convolver_partition_ok((int)part))
            return vm_script_error(L, "%s: partition = %g must be a power of two (%d to %d samples)", what, part,
                                   DSP_CONVOLVER_MIN_PARTITION, DSP_CONVOLVER_MAX_PARTITION);
        e.conv.partition = (int)part;
    }
    e.conv.path = script_strdup(L, path);
    return script_push_insert(L, strip, &e);
}

/* t:reverb { rt60 = 1.8, predelay = 0.02, damping = 0.5, damping_freq = 6000, size = 20, width = 1, mix = 100 } */
int script_strip_reverb(lua_State *L)
{
    char what[300];
    static const char *const keys[] = {"rt60", "predelay", "damping", "damping_freq", "size", "width", "mix", NULL};
    vm_insert_desc e;
    int strip = insert_options(L, VM_INSERT_REVERB, 1, keys, 0, &e, what, sizeof what);
    e.reverb[VM_REVERB_RT60] = 1.8;
    e.reverb[VM_REVERB_DAMPING] = 0.5;
    e.reverb[VM_REVERB_DAMPING_FREQ] = 6000;
    e.reverb[VM_REVERB_WIDTH] = 1;
    e.reverb[VM_REVERB_MIX] = 100; /* an aux bus fed by sends: all reverb */
    row_numbers(L, 2, &e, what);
    e.reverb_size_m = 20;
    e.reverb_predelay_s = 0.02;
    script_opt_number(L, 2, "size", what, DSP_REVERB_SIZE_MIN_M, DSP_REVERB_SIZE_MAX_M, &e.reverb_size_m);
    script_opt_number(L, 2, "predelay", what, 0, DSP_REVERB_PREDELAY_MAX_S, &e.reverb_predelay_s);
    return script_push_insert(L, strip, &e);
}

int script_strip_compressor(lua_State *L) { return strip_dynamics(L, DSP_DYN_COMPRESS); }
int script_strip_expander(lua_State *L) { return strip_dynamics(L, DSP_DYN_EXPAND); }
int script_strip_gate(lua_State *L) { return strip_dynamics(L, DSP_DYN_GATE); }

/* insert.k for a kind whose fields are its parameter rows (a limiter, a
 * transient shaper, a convolution reverb, a reverb): the handle, or a message
 * naming why a fixed setting cannot move, or one listing the rows. */
static int insert_param_index(lua_State *L, const insert_ref *ir, const vm_insert_desc *e, const char *k)
{
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    const vm_insert_param_spec *sp = vm_insert_param_find(e->kind, k);
    if (sp) {
        script_push_insert_param(L, ir->strip, ir->index, sp->lane);
        return 1;
    }
    const char *noun = vm_insert_noun(e);
    enum { MAX_FIXED = 8 };
    const char *names[VM_INSERT_MAX_PARAMS + MAX_FIXED + 1];
    char fields[256] = "";
    int n = 0;
    for (int i = 0; i < t->nparams && n < VM_INSERT_MAX_PARAMS; i++) { /* in lane order (vm/insert_params.c) */
        names[n++] = vm_insert_param_at(e->kind, i)->name;
        snprintf(fields + strlen(fields), sizeof fields - strlen(fields), "%s%s", i ? ", " : "", names[n - 1]);
    }
    int nfixed = t->nfixed_settings < MAX_FIXED ? t->nfixed_settings : MAX_FIXED;
    for (int i = 0; i < nfixed; i++)
        if (strcmp(k, t->fixed_settings[i].name) == 0)
            return vm_script_error(L, "%s %s's %s cannot move: %s (automatable: %s)", vm_insert_article(noun), noun, k,
                                   t->fixed_settings[i].why, fields);
    for (int i = 0; i < nfixed; i++) { /* not automatable, but their messages say why */
        names[n++] = t->fixed_settings[i].name;
        snprintf(fields + strlen(fields), sizeof fields - strlen(fields), "%s%s",
                 i == 0 ? "; the " : i + 1 == nfixed ? " and " : ", ", t->fixed_settings[i].name);
    }
    if (nfixed)
        snprintf(fields + strlen(fields), sizeof fields - strlen(fields), " %s fixed", nfixed > 1 ? "are" : "is");
    names[n] = NULL;
    char mean[96];
    return vm_script_error(L, "%s %s has no automatable field '%s'%s (fields: %s)", vm_insert_article(noun), noun, k,
                           script_did_you_mean(k, names, mean, sizeof mean), fields);
}

static int insert_index(lua_State *L)
{
    insert_ref *ir = luaL_checkudata(L, 1, INSERT_MT);
    const char *k = luaL_checkstring(L, 2);
    vm_insert_desc *e = &script_get_ctx(L)->desc->strips[ir->strip].inserts[ir->index];
    if (e->kind == VM_INSERT_DYNAMICS) {
        const char *mode = script_dyn_mode_name(e->dyn.mode);
        const char *fields = e->dyn.mode == DSP_DYN_GATE ? "threshold, makeup, range, attack, release, hold"
                                                         : "threshold, ratio, knee, makeup, range, attack, release, hold";
        const char *names[VM_DYN_NPARAMS + 1];
        int n = 0;
        for (int i = 0; i < VM_DYN_NPARAMS; i++) { /* in lane order (vm/insert_params.c) */
            const char *word = vm_insert_param_at(e->kind, i)->name;
            if (strcmp(word, k) == 0) {
                if (e->dyn.mode == DSP_DYN_GATE && (i == VM_DYN_RATIO || i == VM_DYN_KNEE))
                    return vm_script_error(L, "a gate has no %s (it only opens and closes; fields: %s)", k, fields);
                script_push_insert_param(L, ir->strip, ir->index, i);
                return 1;
            }
            if (e->dyn.mode != DSP_DYN_GATE || (i != VM_DYN_RATIO && i != VM_DYN_KNEE))
                names[n++] = word;
        }
        names[n] = NULL;
        char mean[96];
        return vm_script_error(L, "a %s has no automatable field '%s'%s (fields: %s; the others are fixed when it is "
                               "made)", mode, k, script_did_you_mean(k, names, mean, sizeof mean), fields);
    }
    if (e->kind != VM_INSERT_EQ && vm_insert_params_of(e->kind)->nparams > 0) /* its rows are all it has */
        return insert_param_index(L, ir, e, k);
    if (e->kind != VM_INSERT_EQ && vm_insert_params_of(e->kind)->fixed) {
        const char *noun = vm_insert_noun(e);
        return vm_script_error(L, "%s %s has no field '%s': its settings are fixed when it is made (%s)",
                               vm_insert_article(noun), noun, k, vm_insert_params_of(e->kind)->fixed);
    }
    if (e->kind != VM_INSERT_EQ) /* a realtime duck's insert: its settings are the duck rule's */
        return vm_script_error(L, "a duck insert has no field '%s' (its settings are fixed when it is made)", k);
    const vm_insert_param_spec *sp = vm_insert_param_find(e->kind, k); /* freq, gain, q */
    if (sp) script_push_insert_param(L, ir->strip, ir->index, sp->lane);
    else if (strcmp(k, "type") == 0) lua_pushstring(L, vm_eq_type_name(e->type));
    else if (strcmp(k, "order") == 0) lua_pushinteger(L, e->order);
    else {
        static const char *const names[] = {"freq", "gain", "q", "type", "order", NULL};
        char mean[96];
        return vm_script_error(L, "an eq has no field '%s'%s (fields: freq, gain, q, type, order)", k,
                               script_did_you_mean(k, names, mean, sizeof mean));
    }
    return 1;
}


static int insert_newindex(lua_State *L)
{
    insert_ref *ir = luaL_checkudata(L, 1, INSERT_MT);
    const char *k = luaL_checkstring(L, 2);
    const vm_insert_desc *e = &script_get_ctx(L)->desc->strips[ir->strip].inserts[ir->index];
    const char *noun = vm_insert_noun(e);
    return vm_script_error(L, "cannot set '%s' on %s %s: give its settings when it is made (t:%s { ..., %s = v }) and "
                           "move its parameters with x.%s:set { at = ..., to = v }", k, vm_insert_article(noun), noun,
                           vm_insert_method(e), k, k);
}

const luaL_Reg script_insert_methods[] = {{"__index", insert_index}, {"__newindex", insert_newindex}, {NULL, NULL}};
