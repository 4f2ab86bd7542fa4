build-old/dsp/pcm.o: dsp/pcm.c dsp/pcm.h dsp/simd.h
dsp/pcm.h:
dsp/simd.h:
