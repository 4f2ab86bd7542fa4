build-old/dsp/reverb.o: dsp/reverb.c dsp/reverb.h
dsp/reverb.h:
