build-old/vm/outfile.o: vm/outfile.c vm/outfile.h vm/layout.h vm/result.h \
 dsp/pcm.h vm/suggest.h vm/tmpfile.h
vm/outfile.h:
vm/layout.h:
vm/result.h:
dsp/pcm.h:
vm/suggest.h:
vm/tmpfile.h:
