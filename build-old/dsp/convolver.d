build-old/dsp/convolver.o: dsp/convolver.c dsp/convolver.h
dsp/convolver.h:
