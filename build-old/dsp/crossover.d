build-old/dsp/crossover.o: dsp/crossover.c dsp/crossover.h dsp/biquad.h
dsp/crossover.h:
dsp/biquad.h:
