build-old/dsp/pan.o: dsp/pan.c dsp/pan.h dsp/fastmath.h dsp/simd.h
dsp/pan.h:
dsp/fastmath.h:
dsp/simd.h:
