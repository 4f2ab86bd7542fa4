build-old/vm/timecode.o: vm/timecode.c vm/timecode.h vm/result.h
vm/timecode.h:
vm/result.h:
