/* arena.h - one allocator for everything a compiled plan holds.
 *
 * Bump allocation from large chunks, freed all at once. The compiler takes
 * every piece of plan memory from here (ops, buffers, tables, strings), so
 * a plan is released with one call and running it never allocates. */
#ifndef VM_ARENA_H
#define VM_ARENA_H

#include <stddef.h>

typedef struct vm_arena_chunk vm_arena_chunk;

typedef struct {
    vm_arena_chunk *chunks;
    size_t used_total;        /* bytes handed out, for `dubstage info` */
} vm_arena;

void vm_arena_init(vm_arena *a);

/* Zeroed memory, 64-byte aligned (cache line, any SIMD width). NULL when
 * out of memory. Lives until vm_arena_free. */
void *vm_arena_alloc(vm_arena *a, size_t size);

/* A copy of s in the arena, NULL when out of memory. */
char *vm_arena_strdup(vm_arena *a, const char *s);

/* Writes every page of the memory handed out so far (each byte keeps its
 * value), so that the first use of a fresh chunk, which calloc may hand over
 * as pages the system has not yet provided, takes no page fault there. The
 * live driver calls it on the control thread before a plan goes to the
 * audio thread. */
void vm_arena_prefault(vm_arena *a);

void vm_arena_free(vm_arena *a);

#endif
