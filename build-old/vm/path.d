build-old/vm/path.o: vm/path.c vm/path.h vm/result.h
vm/path.h:
vm/result.h:
