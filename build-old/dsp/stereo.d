build-old/dsp/stereo.o: dsp/stereo.c dsp/stereo.h
dsp/stereo.h:
