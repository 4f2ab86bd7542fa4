build-old/vm/compile.o: vm/compile.c vm/plan.h vm/arena.h vm/desc.h \
 dsp/biquad.h dsp/dynamics.h dsp/limiter.h dsp/fade.h vm/lane.h \
 vm/result.h vm/layout.h vm/limits.h vm/media.h vm/outfile.h \
 vm/timecode.h vm/compile_priv.h dsp/ducker.h vm/ops.h dsp/convolver.h \
 dsp/crossover.h dsp/delay.h dsp/transient.h dsp/mix.h dsp/stereo.h \
 vm/insert_params.h
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
vm/compile_priv.h:
dsp/ducker.h:
vm/ops.h:
dsp/convolver.h:
dsp/crossover.h:
dsp/delay.h:
dsp/transient.h:
dsp/mix.h:
dsp/stereo.h:
vm/insert_params.h:
