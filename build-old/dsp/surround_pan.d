build-old/dsp/surround_pan.o: dsp/surround_pan.c dsp/surround_pan.h \
 dsp/fastmath.h
dsp/surround_pan.h:
dsp/fastmath.h:
