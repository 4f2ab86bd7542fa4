build-old/vm/tmpfile.o: vm/tmpfile.c vm/tmpfile.h vm/result.h
vm/tmpfile.h:
vm/result.h:
