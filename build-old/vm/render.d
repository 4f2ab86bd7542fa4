build-old/vm/render.o: vm/render.c vm/render.h vm/plan.h vm/arena.h \
 vm/desc.h dsp/biquad.h dsp/dynamics.h dsp/limiter.h dsp/fade.h vm/lane.h \
 vm/result.h vm/layout.h vm/limits.h vm/media.h vm/outfile.h \
 vm/timecode.h dsp/loudness.h vm/path.h vm/sched.h
vm/render.h:
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
dsp/loudness.h:
vm/path.h:
vm/sched.h:
