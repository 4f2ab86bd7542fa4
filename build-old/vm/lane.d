build-old/vm/lane.o: vm/lane.c vm/lane.h vm/result.h
vm/lane.h:
vm/result.h:
