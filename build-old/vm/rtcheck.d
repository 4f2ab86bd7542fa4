build-old/vm/rtcheck.o: vm/rtcheck.c vm/rtcheck.h
vm/rtcheck.h:
