build-old/vm/insert_params.o: vm/insert_params.c vm/insert_params.h \
 vm/desc.h dsp/biquad.h dsp/dynamics.h dsp/limiter.h dsp/fade.h vm/lane.h \
 vm/result.h vm/layout.h vm/limits.h vm/media.h vm/outfile.h \
 vm/timecode.h dsp/delay.h dsp/ducker.h dsp/stereo.h dsp/transient.h
vm/insert_params.h:
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
dsp/delay.h:
dsp/ducker.h:
dsp/stereo.h:
dsp/transient.h:
