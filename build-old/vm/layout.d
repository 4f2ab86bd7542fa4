build-old/vm/layout.o: vm/layout.c vm/layout.h vm/result.h vm/suggest.h
vm/layout.h:
vm/result.h:
vm/suggest.h:
