build-old/dsp/truepeak.o: dsp/truepeak.c dsp/truepeak.h dsp/simd.h
dsp/truepeak.h:
dsp/simd.h:
