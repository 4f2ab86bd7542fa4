build-old/dsp/limiter.o: dsp/limiter.c dsp/limiter.h dsp/simd.h \
 dsp/truepeak.h
dsp/limiter.h:
dsp/simd.h:
dsp/truepeak.h:
