build-old/dsp/fastmath.o: dsp/fastmath.c dsp/fastmath.h dsp/simd.h
dsp/fastmath.h:
dsp/simd.h:
