build-old/repl/automation_cmd.o: repl/automation_cmd.c \
 repl/automation_cmd.h vm/desc.h dsp/biquad.h dsp/dynamics.h \
 dsp/limiter.h dsp/fade.h vm/lane.h vm/result.h vm/layout.h vm/limits.h \
 vm/media.h vm/outfile.h vm/timecode.h vm/automation.h vm/suggest.h \
 vm/tmpfile.h
repl/automation_cmd.h:
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
vm/automation.h:
vm/suggest.h:
vm/tmpfile.h:
