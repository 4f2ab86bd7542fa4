build-old/dsp/dynamics.o: dsp/dynamics.c dsp/dynamics.h dsp/simd.h
dsp/dynamics.h:
dsp/simd.h:
