build-old/vm/markers.o: vm/markers.c vm/markers.h vm/result.h \
 vm/timecode.h vm/suggest.h
vm/markers.h:
vm/result.h:
vm/timecode.h:
vm/suggest.h:
