build-old/vm/feed.o: vm/feed.c vm/feed.h vm/plan.h vm/arena.h vm/desc.h \
 dsp/biquad.h dsp/dynamics.h dsp/limiter.h dsp/fade.h vm/lane.h \
 vm/result.h vm/layout.h vm/limits.h vm/media.h vm/outfile.h \
 vm/timecode.h vm/ops.h dsp/convolver.h dsp/crossover.h dsp/delay.h \
 dsp/ducker.h dsp/transient.h dsp/mix.h dsp/stereo.h
vm/feed.h:
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
vm/ops.h:
dsp/convolver.h:
dsp/crossover.h:
dsp/delay.h:
dsp/ducker.h:
dsp/transient.h:
dsp/mix.h:
dsp/stereo.h:
