build-old/dsp/fade.o: dsp/fade.c dsp/fade.h
dsp/fade.h:
