build-old/dsp/ducker.o: dsp/ducker.c dsp/ducker.h dsp/fastmath.h
dsp/ducker.h:
dsp/fastmath.h:
