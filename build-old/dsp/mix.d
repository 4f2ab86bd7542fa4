build-old/dsp/mix.o: dsp/mix.c dsp/mix.h dsp/simd.h
dsp/mix.h:
dsp/simd.h:
