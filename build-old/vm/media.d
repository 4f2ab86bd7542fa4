build-old/vm/media.o: vm/media.c vm/media.h vm/result.h dsp/pcm.h \
 vm/limits.h vm/path.h
vm/media.h:
vm/result.h:
dsp/pcm.h:
vm/limits.h:
vm/path.h:
