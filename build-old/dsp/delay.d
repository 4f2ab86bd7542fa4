build-old/dsp/delay.o: dsp/delay.c dsp/delay.h
dsp/delay.h:
