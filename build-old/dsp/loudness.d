build-old/dsp/loudness.o: dsp/loudness.c dsp/loudness.h dsp/simd.h \
 dsp/truepeak.h
dsp/loudness.h:
dsp/simd.h:
dsp/truepeak.h:
