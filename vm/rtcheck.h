/* rtcheck.h - marks the audio callback for the realtime tests' malloc trap.
 *
 * The live driver calls vm_rtcheck_enter() when its PortAudio callback starts and
 * vm_rtcheck_leave() before it returns. In the program these do nothing (weak
 * definitions in vm/rtcheck.c); build/dubstage-rtcheck links
 * tests/rtcheck/malloc_trap.c, whose strong definitions set a thread-local
 * flag that makes malloc, calloc, realloc, free and the aligned allocators
 * abort with a message while it is set (ARCHITECTURE.md property 4). */
#ifndef VM_RTCHECK_H
#define VM_RTCHECK_H

void vm_rtcheck_enter(void);
void vm_rtcheck_leave(void);

#endif
