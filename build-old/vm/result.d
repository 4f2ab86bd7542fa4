build-old/vm/result.o: vm/result.c vm/result.h
vm/result.h:
