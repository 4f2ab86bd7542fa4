/* script_timebase.c - the session's time arithmetic, for Lua: the global
 * table `timebase`, so a recipe (dubstage.tc, dubstage.fades) counts in
 * samples and frames exactly as the engine does (vm/timecode.h), drop-frame
 * included, instead of redoing it in floating point:
 *
 *   timebase.samples(t)     a position (any time form) -> samples from the session start
 *   timebase.duration(t)    a duration (any time form) -> samples
 *   timebase.frame(t)       a position -> the frame that holds it, counted from 00:00:00:00
 *   timebase.frame_start(f) a frame count -> the position of its first sample (samples)
 *   timebase.label(f)       a frame count -> "HH:MM:SS:FF" (";FF" in a drop-frame session)
 *   timebase.info()         { rate, fps, drop, start, start_frame }
 *
 * Every call reads the session as it is when called (after session { }).
 * Sample counts are Lua integers; a position may be negative (before the
 * session start). */
#include "vm/script_priv.h"

#include <stdio.h>

static const vm_timebase *tb(lua_State *L) { return &script_get_ctx(L)->desc->tb; }

static int l_samples(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    lua_pushinteger(L, script_to_time(L, "time", "timebase.samples", VM_TIME_POSITION));
    return 1;
}

static int l_duration(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    lua_pushinteger(L, script_to_time(L, "time", "timebase.duration", VM_TIME_DURATION));
    return 1;
}

/* Frames are counted since midnight, as the labels are: the session's
 * start frame plus the frames into the session. */
static int l_frame(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    const vm_timebase *t = tb(L);
    int64_t pos = script_to_time(L, "time", "timebase.frame", VM_TIME_POSITION);
    int64_t f = vm_tc_samples_to_frames(&t->fps, t->rate, t->start_samples + pos);
    lua_pushinteger(L, f);
    return 1;
}

static int64_t frame_arg(lua_State *L, const char *fname)
{
    if (!lua_isinteger(L, 1))
        vm_script_error(L, "%s: a frame count (a whole number) expected, got %s", fname,
                        lua_type(L, 1) == LUA_TNUMBER ? "a fraction" : luaL_typename(L, 1));
    lua_Integer f = lua_tointeger(L, 1);
    /* 24 hours at 60 fps is 5,184,000 frames; a day either side of it keeps
     * every product in vm/timecode.c inside int64 */
    if (f < 0 || f > 10368000)
        vm_script_error(L, "%s: frame %lld is out of range (0 to 10368000)", fname, (long long)f);
    return f;
}

static int l_frame_start(lua_State *L)
{
    const vm_timebase *t = tb(L);
    int64_t f = frame_arg(L, "timebase.frame_start");
    lua_pushinteger(L, vm_tc_frames_to_samples(&t->fps, t->rate, f) - t->start_samples);
    return 1;
}

static int l_label(lua_State *L)
{
    const vm_timebase *t = tb(L);
    int64_t f = frame_arg(L, "timebase.label");
    char buf[32];
    vm_tc_format(&t->fps, f, t->start_drop, buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

static int l_info(lua_State *L)
{
    const vm_timebase *t = tb(L);
    char start[32];
    vm_tc_format(&t->fps, t->start_frames, t->start_drop, start, sizeof start);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, t->rate);
    lua_setfield(L, -2, "rate");
    lua_pushstring(L, t->fps.name);
    lua_setfield(L, -2, "fps");
    lua_pushboolean(L, t->start_drop);
    lua_setfield(L, -2, "drop");
    lua_pushstring(L, start);
    lua_setfield(L, -2, "start");
    lua_pushinteger(L, t->start_frames);
    lua_setfield(L, -2, "start_frame");
    return 1;
}

void script_push_timebase(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"samples", l_samples},         {"duration", l_duration}, {"frame", l_frame},
                                     {"frame_start", l_frame_start}, {"label", l_label},       {"info", l_info},
                                     {NULL, NULL}};
    luaL_newlib(L, funcs);
}
