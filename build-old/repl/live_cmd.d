build-old/repl/live_cmd.o: repl/live_cmd.c repl/live_cmd.h vm/live.h \
 vm/plan.h vm/arena.h vm/desc.h dsp/biquad.h dsp/dynamics.h dsp/limiter.h \
 dsp/fade.h vm/lane.h vm/result.h vm/layout.h vm/limits.h vm/media.h \
 vm/outfile.h vm/timecode.h vm/script.h /usr/include/lua5.4/lauxlib.h \
 /usr/include/lua5.4/luaconf.h /usr/include/lua5.4/lua.h \
 /usr/include/lua5.4/lua.h /usr/include/lua5.4/lualib.h repl/console.h \
 vm/budget.h vm/duck.h vm/liveset.h vm/markers.h vm/path.h vm/sandbox.h \
 vm/script_error.h vm/tmpfile.h
repl/live_cmd.h:
vm/live.h:
vm/plan.h:
vm/arena.h:
vm/desc.h:
dsp/biquad.h:
dsp/dynamics.h:
dsp/limiter.h:
dsp/fade.h:
vm/lane.h:
vm/result.h:
vm/layout.h:
vm/limits.h:
vm/media.h:
vm/outfile.h:
vm/timecode.h:
vm/script.h:
/usr/include/lua5.4/lauxlib.h:
/usr/include/lua5.4/luaconf.h:
/usr/include/lua5.4/lua.h:
/usr/include/lua5.4/lua.h:
/usr/include/lua5.4/lualib.h:
repl/console.h:
vm/budget.h:
vm/duck.h:
vm/liveset.h:
vm/markers.h:
vm/path.h:
vm/sandbox.h:
vm/script_error.h:
vm/tmpfile.h:
