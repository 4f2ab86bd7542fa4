build-old/vm/arena.o: vm/arena.c vm/arena.h
vm/arena.h:
