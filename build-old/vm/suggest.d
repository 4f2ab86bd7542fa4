build-old/vm/suggest.o: vm/suggest.c vm/suggest.h
vm/suggest.h:
