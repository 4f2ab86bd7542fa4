build-old/dsp/biquad.o: dsp/biquad.c dsp/biquad.h dsp/simd.h
dsp/biquad.h:
dsp/simd.h:
