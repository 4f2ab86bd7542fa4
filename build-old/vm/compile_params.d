build-old/vm/compile_params.o: vm/compile_params.c vm/compile_priv.h \
 dsp/ducker.h vm/ops.h dsp/biquad.h dsp/convolver.h dsp/crossover.h \
 dsp/delay.h dsp/dynamics.h dsp/limiter.h dsp/transient.h dsp/fade.h \
 dsp/mix.h dsp/stereo.h vm/lane.h vm/result.h vm/media.h vm/plan.h \
 vm/arena.h vm/desc.h vm/layout.h vm/limits.h vm/outfile.h vm/timecode.h
vm/compile_priv.h:
dsp/ducker.h:
vm/ops.h:
dsp/biquad.h:
dsp/convolver.h:
dsp/crossover.h:
dsp/delay.h:
dsp/dynamics.h:
dsp/limiter.h:
dsp/transient.h:
dsp/fade.h:
dsp/mix.h:
dsp/stereo.h:
vm/lane.h:
vm/result.h:
vm/media.h:
vm/plan.h:
vm/arena.h:
vm/desc.h:
vm/layout.h:
vm/limits.h:
vm/outfile.h:
vm/timecode.h:
