build-old/dsp/transient.o: dsp/transient.c dsp/transient.h dsp/fastmath.h
dsp/transient.h:
dsp/fastmath.h:
