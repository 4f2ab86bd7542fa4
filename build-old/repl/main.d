build-old/repl/main.o: repl/main.c vm/desc.h dsp/biquad.h dsp/dynamics.h \
 dsp/limiter.h dsp/fade.h vm/lane.h vm/result.h vm/layout.h vm/limits.h \
 vm/media.h vm/outfile.h vm/timecode.h vm/duck.h vm/path.h vm/plan.h \
 vm/arena.h vm/render.h vm/script.h vm/suggest.h repl/automation_cmd.h \
 repl/live_cmd.h vm/live.h
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
vm/duck.h:
vm/path.h:
vm/plan.h:
vm/arena.h:
vm/render.h:
vm/script.h:
vm/suggest.h:
repl/automation_cmd.h:
repl/live_cmd.h:
vm/live.h:
