/* script_edit.c - edits a script reads (an EDL or an OpenTimelineIO file,
 * vm/edit.h) and spot(), which places an edit's audio events as clips.
 *
 *   local cut = edl "cut_v3.edl"                 -- or edl("cut.edl", { fps = "23.976" })
 *   local cut = otio "cut_v3.otio"
 *   local clips = spot(cut, { tracks = { A1 = dia1, A2 = dia2 },
 *                             media = { sc1_t1 = "media/sc1_t1.wav",
 *                                       A001 = { "media/A001.wav", start = "10:00:00:00" } },
 *                             curve = "equal_power" })
 *
 * Every clip spot() makes goes through track:clip's own code
 * (script_clip_add), so it is checked as a written clip would be and is an
 * ordinary clip afterwards; an error names the script line of the spot()
 * call, the edit's file and line (or JSON path), the event and the track.
 * docs/conform.md describes what is placed where. */
#include "vm/script_priv.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm/edl.h"
#include "vm/otio.h"
#include "vm/path.h"

#define MAX_HOURS 100 /* an edit's times are within 100 hours: keeps frames * rate inside int64 */

static const char *const join_names[] = {"cut", "dissolve", "wipe"}; /* vm_edit_join_kind order */

/* edl() and otio(): the file (argument 1) read with parse, or with
 * parse_lenient (NULL: no such option) when { ignore_timecode_mismatch =
 * true } is given. */
static int load_edit(lua_State *L, const char *what, const char *kind, vm_edit_parse_fn parse,
                     vm_edit_parse_fn parse_lenient, const char *call_word)
{
    script_ctx *c = script_get_ctx(L);
    const char *name = luaL_checkstring(L, 1);
    char path[PATH_MAX], err[DS_ERR_LEN], where[VM_WHERE_LEN], call[64];
    int fd, missing;
    vm_fps fps = c->desc->tb.fps;
    int fps_given = 0;

    if (!lua_isnoneornil(L, 2)) {
        static const char *const keys[] = {"fps", NULL}, *const lenient_keys[] = {"fps", "ignore_timecode_mismatch", NULL};
        luaL_checktype(L, 2, LUA_TTABLE);
        snprintf(call, sizeof call, "%s()", call_word);
        script_check_keys(L, 2, call, parse_lenient ? lenient_keys : keys, 0);
        const char *f = script_opt_string(L, 2, "fps", call);
        if (f && vm_fps_parse(f, &fps, err) != DS_OK)
            return vm_script_error(L, "%s: %s", call, err);
        fps_given = f != NULL;
        int lenient = 0;
        if (parse_lenient && script_opt_bool(L, 2, "ignore_timecode_mismatch", call, &lenient) && lenient)
            parse = parse_lenient;
    }
    script_where(L, where);
    /* judged and noted as an input here; the reader opens it again by the
     * path the sandbox gives (as a regular file only) */
    if (vm_sandbox_open_read(&c->sb, VM_SB_DATA, what, name, where, &fd, path, sizeof path, &missing, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    close(fd);
    edit_ref *r = lua_newuserdatauv(L, sizeof *r, 1);
    r->e = NULL;
    r->fps_given = fps_given;
    luaL_setmetatable(L, EDIT_MT); /* __gc frees it, also when loading fails below */
    if (vm_edit_load_file(path, what, kind, parse, &fps, &r->e, err) != DS_OK)
        return vm_script_error(L, "%s", err);
    return 1;
}

/* edl "cut.edl" [, { fps = "23.976", ignore_timecode_mismatch = true }] */
int script_edl(lua_State *L)
{
    return load_edit(L, "edit decision list", "an EDL", vm_edl_parse, vm_edl_parse_record_length, "edl");
}

/* otio "cut.otio" [, { fps = "24" }] */
int script_otio(lua_State *L)
{
    return load_edit(L, "OpenTimelineIO file", "an OTIO timeline", vm_otio_parse, NULL, "otio");
}

static void push_tc(lua_State *L, const vm_fps *fps, int64_t frames, int drop, const char *key)
{
    char buf[32];
    vm_tc_format(fps, frames, drop, buf, sizeof buf);
    lua_pushstring(L, buf);
    lua_setfield(L, -2, key);
}

/* An event as a table: number, reel, clip, file, tracks { "V", "A1" },
 * rec_in, rec_out, src_in, src_out (timecode labels), transition ("cut",
 * "dissolve", "wipe"), transition_frames, speed (1 normal), gap, untimed
 * (an EDL source without timecode), patch ({ A2 = 1 }: Avid's PATCH lines),
 * where; layer on the picture (1 = V1). */
static void push_event(lua_State *L, const vm_edit *e, const vm_edit_event *ev)
{
    const vm_fps *fps = vm_edit_fps(e);
    lua_createtable(L, 0, 16);
    lua_pushinteger(L, ev->number);
    lua_setfield(L, -2, "number");
    lua_pushstring(L, ev->reel);
    lua_setfield(L, -2, "reel");
    lua_pushstring(L, ev->clip);
    lua_setfield(L, -2, "clip");
    lua_pushstring(L, ev->file);
    lua_setfield(L, -2, "file");
    lua_newtable(L);
    for (int k = 0, n = 0; k <= VM_EDIT_MAX_AUDIO; k++)
        if (ev->tracks & (1u << k)) {
            char t[8];
            vm_edit_track_name(k, t, sizeof t);
            lua_pushstring(L, t);
            lua_rawseti(L, -2, ++n);
        }
    lua_setfield(L, -2, "tracks");
    if (ev->tracks & VM_EDIT_VIDEO) { /* the picture layer: 1 (V1) unless an OTIO timeline has several */
        lua_pushinteger(L, ev->layer + 1);
        lua_setfield(L, -2, "layer");
    }
    push_tc(L, fps, ev->rec_in, ev->drop, "rec_in");
    push_tc(L, fps, ev->rec_out, ev->drop, "rec_out");
    push_tc(L, fps, ev->src_in, ev->drop, "src_in");
    push_tc(L, fps, ev->src_out, ev->drop, "src_out");
    lua_pushstring(L, join_names[ev->in.kind]);
    lua_setfield(L, -2, "transition");
    lua_pushinteger(L, ev->in.frames);
    lua_setfield(L, -2, "transition_frames");
    lua_pushnumber(L, (double)ev->speed_num / (double)ev->speed_den);
    lua_setfield(L, -2, "speed");
    lua_pushboolean(L, ev->kind == VM_EDIT_EVENT_GAP);
    lua_setfield(L, -2, "gap");
    lua_pushboolean(L, ev->untimed);
    lua_setfield(L, -2, "untimed");
    lua_newtable(L); /* { A2 = 1 }: the EDL's PATCH lines, record track -> source channel */
    for (int k = 1; k <= VM_EDIT_MAX_AUDIO; k++)
        if (ev->patch[k]) {
            char t[8];
            vm_edit_track_name(k, t, sizeof t);
            lua_pushinteger(L, ev->patch[k]);
            lua_setfield(L, -2, t);
        }
    lua_setfield(L, -2, "patch");
    lua_pushstring(L, ev->where);
    lua_setfield(L, -2, "where");
}

static int edit_index(lua_State *L)
{
    edit_ref *r = luaL_checkudata(L, 1, EDIT_MT);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "events") == 0) {
        /* made once, then kept with the edit (the user value) */
        if (lua_getiuservalue(L, 1, 1) == LUA_TTABLE)
            return 1;
        lua_pop(L, 1);
        int n = vm_edit_count(r->e);
        lua_createtable(L, n, 0);
        for (int i = 0; i < n; i++) {
            push_event(L, r->e, vm_edit_event_at(r->e, i));
            lua_rawseti(L, -2, i + 1);
        }
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, 1, 1);
        return 1;
    }
    if (strcmp(k, "title") == 0)
        lua_pushstring(L, vm_edit_title(r->e));
    else if (strcmp(k, "file") == 0)
        lua_pushstring(L, vm_edit_path(r->e));
    else if (strcmp(k, "fps") == 0)
        lua_pushstring(L, vm_edit_fps(r->e)->name);
    else if (strcmp(k, "kind") == 0)
        lua_pushstring(L, vm_edit_kind(r->e) == VM_EDIT_FROM_EDL ? "edl" : "otio");
    else {
        static const char *const names[] = {"events", "title", "file", "fps", "kind", NULL};
        char mean[96];
        return vm_script_error(L, "an edit has no field '%s'%s (fields: events, title, file, fps, kind; #edit is "
                               "its number of events)", k, script_did_you_mean(k, names, mean, sizeof mean));
    }
    return 1;
}

static int edit_len(lua_State *L)
{
    edit_ref *r = luaL_checkudata(L, 1, EDIT_MT);
    lua_pushinteger(L, vm_edit_count(r->e));
    return 1;
}

static int edit_gc(lua_State *L)
{
    edit_ref *r = luaL_checkudata(L, 1, EDIT_MT);
    vm_edit_free(&r->e);
    return 0;
}

static int edit_newindex(lua_State *L)
{
    luaL_checkudata(L, 1, EDIT_MT);
    return vm_script_error(L, "cannot set '%s' on an edit: it is read from its file (spot() places its events; "
                           "change the clips it returns)", luaL_checkstring(L, 2));
}

const luaL_Reg script_edit_methods[] = {{"__index", edit_index}, {"__newindex", edit_newindex},
                                        {"__len", edit_len},     {"__gc", edit_gc},
                                        {NULL, NULL}};

void script_edit_check_rate(lua_State *L, const edit_ref *r, const char *call)
{
    const vm_fps *fps = vm_edit_fps(r->e);
    const char *session = script_get_ctx(L)->desc->tb.fps.name;
    if (!r->fps_given && strcmp(fps->name, session) != 0)
        vm_script_error(L, "%s: %s was read at %s fps, but the session runs at %s: read it after session {} (or "
                        "give its rate: edl(\"...\", { fps = \"%s\" }))", call, vm_edit_path(r->e), fps->name,
                        session, fps->name);
}

/* ---- spot ---- */

typedef struct {
    const char *path;  /* kept alive by the entry on the stack */
    int64_t start;     /* the source's first frame; -1: the edit's media_in, else 0 */
    int channel;       /* 0: choose */
} media_pick;

/* The media entry at the top of the stack (a file name or { "file",
 * start = TC, channel = k }) into *m. */
static void read_entry(lua_State *L, const vm_fps *fps, const char *key, media_pick *m)
{
    int top = lua_gettop(L);
    m->start = -1;
    m->channel = 0;
    if (lua_type(L, top) == LUA_TSTRING) {
        m->path = lua_tostring(L, top);
        return;
    }
    if (!lua_istable(L, top))
        vm_script_error(L, "media '%s' must be a file name or { \"file\", start = \"01:00:00:00\", channel = k }, "
                        "got %s", key, luaL_typename(L, top));
    static const char *const keys[] = {"start", "channel", NULL};
    char what[300];
    snprintf(what, sizeof what, "media '%s'", key);
    script_check_keys(L, top, what, keys, 1);
    if (lua_geti(L, top, 1) != LUA_TSTRING)
        vm_script_error(L, "media '%s' needs a file name first: { \"media/x.wav\", start = ... }", key);
    lua_pop(L, 1);
    lua_geti(L, top, 1); /* the table keeps the string alive */
    m->path = lua_tostring(L, -1);
    lua_pop(L, 1);
    const char *start = script_opt_string(L, top, "start", what);
    if (start) {
        char err[DS_ERR_LEN];
        int64_t f;
        if (vm_tc_parse(fps, start, &f, NULL, err) != DS_OK)
            vm_script_error(L, "media '%s': bad start '%s' (the timecode of the file's first sample, at the edit's %s "
                            "fps): %s", key, start, fps->name, err);
        m->start = f;
    }
    double ch;
    if (script_opt_number(L, top, "channel", what, 1, VM_MAX_CHANNELS, &ch)) {
        if (ch != (int)ch)
            vm_script_error(L, "media '%s': channel must be a whole number", key);
        m->channel = (int)ch;
    }
}

/* Finds the media of event ev on audio track k and pushes its entry (one
 * value). Returns 0 when the script said to leave the event out (false). */
static int find_media(lua_State *L, int media, const vm_edit *e, const vm_edit_event *ev, int k, media_pick *m)
{
    const vm_fps *fps = vm_edit_fps(e);
    if (lua_isnoneornil(L, media)) {
        if (!ev->file[0])
            return vm_script_error(L, "the event names no source file (reel '%s'%s%s%s): give spot a media table or "
                                   "function", ev->reel, ev->clip[0] ? ", clip '" : "", ev->clip,
                                   ev->clip[0] ? "'" : "");
        lua_pushstring(L, ev->file);
        read_entry(L, fps, ev->file, m);
        return 1;
    }
    if (lua_isfunction(L, media)) {
        script_ctx *c = script_get_ctx(L);
        char context[sizeof c->error_context];
        lua_pushvalue(L, media);
        push_event(L, e, ev);
        lua_pushfstring(L, "A%d", k);
        lua_setfield(L, -2, "track");
        /* the function's own errors name its own line, without ours */
        memcpy(context, c->error_context, sizeof context);
        c->error_context[0] = '\0';
        lua_call(L, 1, 1);
        memcpy(c->error_context, context, sizeof context);
        if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))
            return 0;
        if (lua_isnil(L, -1))
            return vm_script_error(L, "the media function returned nothing (a file name, { \"file\", start = ... }, "
                                   "or false to leave the event out)");
        read_entry(L, fps, ev->clip[0] ? ev->clip : ev->reel, m);
        return 1;
    }
    /* a table: by clip name, source file, the file's base name, reel */
    const char *keys[4] = {ev->clip, ev->file, vm_path_basename(ev->file), ev->reel};
    for (int i = 0; i < 4; i++) {
        if (!keys[i][0])
            continue;
        if (lua_getfield(L, media, keys[i]) != LUA_TNIL) {
            if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))
                return 0;
            read_entry(L, fps, keys[i], m);
            return 1;
        }
        lua_pop(L, 1);
    }
    char tried[600] = "", mean[96] = "";
    size_t used = 0;
    for (int i = 0; i < 4; i++)
        if (keys[i][0] && (i != 2 || strcmp(keys[2], keys[1]) != 0) && used < sizeof tried)
            used += (size_t)snprintf(tried + used, sizeof tried - used, "%s'%s'", used ? ", " : "", keys[i]);
    const char *names[65];
    int n = 0;
    lua_pushnil(L);
    while (n < 64 && lua_next(L, media)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING)
            names[n++] = lua_tostring(L, -1); /* alive while the table holds its key */
    }
    names[n] = NULL;
    if (n && n < 64)
        script_did_you_mean(ev->clip[0] ? ev->clip : ev->reel, names, mean, sizeof mean);
    return vm_script_error(L, "no media for it: the media table has none of %s%s", tried, mean);
}

static void put_samples(lua_State *L, const char *key, int64_t v)
{
    lua_pushfstring(L, "%Ismp", (lua_Integer)v);
    lua_setfield(L, -2, key);
}

/* spot's tracks = { A1 = t, ... }: track_at[k] is the stack slot of the
 * track An goes on (0: none); the handles stay on the stack. Raises on a
 * bus, a non-track or an unknown key. */
static void spot_tracks(lua_State *L, vm_desc *d, int track_at[VM_EDIT_MAX_AUDIO + 1])
{
    if (lua_getfield(L, 2, "tracks") != LUA_TTABLE)
        vm_script_error(L, "spot needs tracks = { A1 = track, A2 = ... }: which of the edit's audio tracks "
                           "go on which of the mix's tracks");
    int tracks = lua_gettop(L);
    static const char *const track_names[] = {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11",
                                              "A12", "A13", "A14", "A15", "A16", NULL};
    for (int k = 1; k <= VM_EDIT_MAX_AUDIO; k++) {
        lua_getfield(L, tracks, track_names[k - 1]);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        strip_ref *sr = luaL_testudata(L, -1, STRIP_MT);
        if (!sr || d->strips[sr->index].kind != VM_STRIP_TRACK)
            vm_script_error(L, "spot: tracks.%s must be a track, got %s", track_names[k - 1],
                            sr ? "a bus" : luaL_typename(L, -1));
        track_at[k] = lua_gettop(L);
    }
    lua_pushnil(L);
    while (lua_next(L, tracks)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int known = 0;
        for (int k = 0; key && track_names[k]; k++)
            known |= strcmp(key, track_names[k]) == 0;
        if (!known) {
            char mean[96] = "";
            if (key)
                script_did_you_mean(key, track_names, mean, sizeof mean);
            vm_script_error(L, "spot: unknown edit track '%s'%s (the edit's audio tracks are A1 to A%d; the "
                            "picture, V, has no sound)", key ? key : luaL_typename(L, -1), mean, VM_EDIT_MAX_AUDIO);
        }
    }
}

/* What the media file at path (as a media entry names it) is: found as a
 * clip's file is (the sandbox's rules) and probed once (script_probe
 * keeps it). Raises when it cannot be read. */
static vm_media_info spot_probe(lua_State *L, script_ctx *c, const char *path)
{
    char real[PATH_MAX], err[DS_ERR_LEN], where[VM_WHERE_LEN];
    vm_media_info info = {0}; /* clang cannot see that vm_script_error does not return */
    script_where(L, where);
    if (vm_sandbox_media(&c->sb, path, where, real, sizeof real, err) != DS_OK
        || script_probe(L, real, &info, err) != DS_OK)
        vm_script_error(L, "%s", err);
    return info;
}

/* The channel An plays when its media entry names none: on a mono track, a
 * multichannel source plays the channel the EDL's PATCH line gives An
 * (patch, 0: none), else channel n (raises when it has fewer); else 0,
 * every channel. */
static int spot_mono_channel(lua_State *L, script_ctx *c, int track, const char *path, int k, int patch)
{
    if (c->desc->strips[((strip_ref *)lua_touserdata(L, track))->index].channels != 1)
        return 0;
    vm_media_info info = spot_probe(L, c, path);
    int want = patch ? patch : k;
    if (info.channels > 1) {
        if (want > info.channels)
            vm_script_error(L, "'%s' has %d channels and the track is mono: A%d plays channel %d%s, which "
                            "it does not have; give channel = k in its media entry", path, info.channels, k, want,
                            patch ? " (the EDL's PATCH line)" : "");
        return want;
    }
    return 0;
}

/* Where in its file the source of event ev (from `head` frames before its
 * source in) starts, in session samples: the source timecode minus the
 * timecode of the file's first sample. That is, in this order, the media
 * entry's start, the edit's own (OTIO available_range), the file's BWF time
 * reference (bext TimeReference, samples since midnight at the file's rate,
 * as Pro Tools reads it), else 00:00:00:00. Raises when the source lies
 * before the file's first sample. */
static int64_t spot_source_offset(lua_State *L, script_ctx *c, const vm_fps *fps, const vm_edit_event *ev,
                                  int64_t head, const media_pick *m, int rate)
{
    int64_t src_f = ev->src_in - head, start = m->start >= 0 ? m->start : ev->media_in;
    char b1[32], b2[32];
    vm_tc_format(fps, src_f, ev->drop, b1, sizeof b1);
    if (start >= 0) { /* a timecode: whole frames */
        if (src_f < start) {
            vm_tc_format(fps, start, ev->drop, b2, sizeof b2);
            vm_script_error(L, "the source from %s is before the first frame of '%s' (%s, the %s)", b1, m->path, b2,
                            m->start >= 0 ? "media entry's start" : "edit's available_range start");
        }
        return vm_tc_frames_to_samples(fps, rate, src_f - start);
    }
    vm_media_info info = spot_probe(L, c, m->path);
    int64_t src_s = vm_tc_frames_to_samples(fps, rate, src_f);
    if (info.time_reference < 0)
        return src_s;
    if (info.time_reference > (int64_t)MAX_HOURS * 3600 * info.rate)
        vm_script_error(L, "'%s' has a BWF time reference past %d hours (%lld samples at %d Hz)", m->path, MAX_HOURS,
                        (long long)info.time_reference, info.rate);
    /* the time reference at the session's rate, to the nearest sample (below 2^38 * 2^19: no overflow) */
    int64_t ref_s = info.rate == rate ? info.time_reference
                                      : (info.time_reference * rate + info.rate / 2) / info.rate;
    if (src_s < ref_s) {
        vm_tc_format(fps, vm_tc_samples_to_frames(fps, rate, ref_s), ev->drop, b2, sizeof b2);
        vm_script_error(L, "the source from %s is before the first sample of '%s' (its BWF time reference, %lld "
                        "samples at %d Hz: %s); when the edit's source times count from the file's first sample, "
                        "give start = \"00:00:00:00\" in its media entry", b1, m->path,
                        (long long)info.time_reference, info.rate, b2);
    }
    return src_s - ref_s;
}

/* spot(edit, { tracks = { A1 = t1, ... }, media = table | function, curve = "equal_power" }) */
int script_spot(lua_State *L)
{
    script_ctx *c = script_get_ctx(L);
    vm_desc *d = c->desc;
    edit_ref *er = luaL_testudata(L, 1, EDIT_MT);
    if (!er)
        return vm_script_error(L, "spot needs an edit first: spot(edl \"cut.edl\", { tracks = { A1 = dia1 } })");
    if (!lua_istable(L, 2))
        return vm_script_error(L, "spot needs a table after the edit: { tracks = { A1 = dia1 }, media = { ... } }");
    static const char *const keys[] = {"tracks", "media", "curve", NULL};
    script_check_keys(L, 2, "spot", keys, 0);
    const vm_edit *e = er->e;
    const vm_fps *fps = vm_edit_fps(e);
    script_edit_check_rate(L, er, "spot");

    /* tracks: A1..A16 -> a track; their handles stay on the stack */
    int track_at[VM_EDIT_MAX_AUDIO + 1] = {0};
    spot_tracks(L, d, track_at);
    const char *curve = script_opt_string(L, 2, "curve", "spot");
    if (!curve)
        curve = "equal_power";
    lua_getfield(L, 2, "media");
    int media = lua_gettop(L);
    if (!lua_isnil(L, media) && !lua_istable(L, media) && !lua_isfunction(L, media))
        return vm_script_error(L, "spot: media must be a table (clip name, source file or reel -> file) or a "
                               "function(event), got %s", luaL_typename(L, media));
    lua_newtable(L);
    int result = lua_gettop(L), nresult = 0;
    const int64_t limit = (int64_t)MAX_HOURS * 3600 * fps->nominal;
    const int rate = d->tb.rate;

    for (int i = 0; i < vm_edit_count(e); i++) {
        const vm_edit_event *ev = vm_edit_event_at(e, i);
        if (ev->kind == VM_EDIT_EVENT_GAP)
            continue;
        for (int k = 1; k <= VM_EDIT_MAX_AUDIO; k++) {
            if (!(ev->tracks & VM_EDIT_AUDIO(k)) || !track_at[k])
                continue;
            int64_t head = ev->in.kind != VM_EDIT_CUT ? ev->in.before : 0;
            int64_t tail = ev->out.kind != VM_EDIT_CUT ? ev->out.frames - ev->out.before : 0;
            int64_t at_f = ev->rec_in - head, end_f = ev->rec_out + tail;
            if (end_f == at_f)
                continue; /* a zero-length line with no transition out of it */
            snprintf(c->error_context, sizeof c->error_context, "spot: %s event %d on A%d: ", ev->where, ev->number, k);
            if (ev->speed_num != ev->speed_den)
                vm_script_error(L, "a speed change (%.4g times normal speed%s) cannot be spotted: dubstage plays a "
                                "source at its own speed. Make the retimed sound a file of its own, or leave the "
                                "event out (media = false for it)", (double)ev->speed_num / (double)ev->speed_den,
                                ev->speed_num == 0 ? ": a freeze frame" : ev->speed_num < 0 ? ", backwards" : "");
            int base = lua_gettop(L);
            media_pick m;
            if (!find_media(L, media, e, ev, k, &m)) {
                lua_settop(L, base);
                c->error_context[0] = '\0';
                continue;
            }
            if (at_f < 0 || end_f > limit || ev->src_in - head > limit)
                vm_script_error(L, "the event (with its transitions) starts before 00:00:00:00 or runs past %d hours",
                                MAX_HOURS);
            int64_t from_s = spot_source_offset(L, c, fps, ev, head, &m, rate);
            int64_t s_at = vm_tc_frames_to_samples(fps, rate, at_f), s_end = vm_tc_frames_to_samples(fps, rate, end_f);
            int channel = m.channel ? m.channel : spot_mono_channel(L, c, track_at[k], m.path, k, ev->patch[k]);
            lua_createtable(L, 1, 8);
            lua_pushstring(L, m.path);
            lua_rawseti(L, -2, 1);
            put_samples(L, "at", s_at - d->tb.start_samples);
            put_samples(L, "from", from_s);
            put_samples(L, "length", s_end - s_at);
            if (ev->in.kind != VM_EDIT_CUT) {
                put_samples(L, "fade_in", vm_tc_frames_to_samples(fps, rate, at_f + ev->in.frames) - s_at);
                lua_pushstring(L, curve);
                lua_setfield(L, -2, "fade_in_curve");
            }
            if (ev->out.kind != VM_EDIT_CUT) {
                put_samples(L, "fade_out", s_end - vm_tc_frames_to_samples(fps, rate, end_f - ev->out.frames));
                lua_pushstring(L, curve);
                lua_setfield(L, -2, "fade_out_curve");
            }
            if (channel) {
                lua_pushinteger(L, channel);
                lua_setfield(L, -2, "channel");
            }
            script_clip_add(L, track_at[k], lua_gettop(L));
            c->error_context[0] = '\0';
            clip_ref *cr = lua_touserdata(L, -1);
            d->spots = script_grow(L, d->spots, &d->capspots, d->nspots + 1, sizeof *d->spots);
            vm_spot_desc *sp = &d->spots[d->nspots++];
            sp->strip = cr->strip;
            sp->clip = cr->clip;
            sp->track = k;
            sp->event = ev->number;
            snprintf(sp->from, sizeof sp->from, "%s", ev->where);
            lua_rawseti(L, result, ++nresult);
            lua_settop(L, base);
        }
    }
    lua_settop(L, result);
    return 1;
}
