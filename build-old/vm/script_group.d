build-old/vm/script_group.o: vm/script_group.c vm/script_priv.h \
 /usr/include/lua5.4/lauxlib.h /usr/include/lua5.4/luaconf.h \
 /usr/include/lua5.4/lua.h /usr/include/lua5.4/lua.h vm/budget.h \
 vm/desc.h dsp/biquad.h dsp/dynamics.h dsp/limiter.h dsp/fade.h vm/lane.h \
 vm/result.h vm/layout.h vm/limits.h vm/media.h vm/outfile.h \
 vm/timecode.h vm/sandbox.h vm/script.h vm/script_error.h vm/suggest.h
vm/script_priv.h:
/usr/include/lua5.4/lauxlib.h:
/usr/include/lua5.4/luaconf.h:
/usr/include/lua5.4/lua.h:
/usr/include/lua5.4/lua.h:
vm/budget.h:
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
vm/sandbox.h:
vm/script.h:
vm/script_error.h:
vm/suggest.h:
