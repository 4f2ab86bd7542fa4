build-old/vm/sandbox.o: vm/sandbox.c vm/sandbox.h vm/desc.h dsp/biquad.h \
 dsp/dynamics.h dsp/limiter.h dsp/fade.h vm/lane.h vm/result.h \
 vm/layout.h vm/limits.h vm/media.h vm/outfile.h vm/timecode.h vm/path.h
vm/sandbox.h:
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
vm/path.h:
