/* arena.c - chunked bump allocator (see arena.h). */
#include "vm/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARENA_ALIGN 64
/* The fuzz build (make fuzz) sets a smaller chunk: under ASan every chunk
 * is a fresh mmap and its munmap a TLB shootdown, which were most of the
 * script target's time per input (docs/fuzzing.md). */
#ifndef ARENA_CHUNK
#define ARENA_CHUNK (1u << 20)
#endif

struct vm_arena_chunk {
    vm_arena_chunk *next;
    size_t size, used;
    unsigned char *base;      /* aligned start of the usable area */
};

void vm_arena_init(vm_arena *a)
{
    a->chunks = NULL;
    a->used_total = 0;
}

void *vm_arena_alloc(vm_arena *a, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    vm_arena_chunk *c = a->chunks;
    if (!c || c->size - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        /* calloc: a chunk comes zeroed (large ones as fresh pages from the
         * system, which cost nothing until touched: `dubstage info` on a
         * 20,000-track mix never touches most of its buffers), so an
         * allocation needs no memset of its own; nothing is ever reused. */
        c = calloc(1, sizeof *c + cap + ARENA_ALIGN);
        if (!c)
            return NULL;
        uintptr_t p = (uintptr_t)(c + 1);
        c->base = (unsigned char *)((p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1));
        c->size = cap;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *out = c->base + c->used;
    c->used += size;
    a->used_total += size;
    return out;
}

char *vm_arena_strdup(vm_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = vm_arena_alloc(a, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void vm_arena_prefault(vm_arena *a)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t step = page > 0 ? (size_t)page : 4096;
    for (vm_arena_chunk *c = a->chunks; c; c = c->next) {
        /* a write, not a read: reading an untouched page maps the shared
         * zero page, and the first write would still fault */
        for (size_t off = 0; off < c->used; off += step) {
            volatile unsigned char *q = c->base + off;
            *q = *q;
        }
        if (c->used) {
            volatile unsigned char *q = c->base + c->used - 1;
            *q = *q;
        }
    }
}

void vm_arena_free(vm_arena *a)
{
    vm_arena_chunk *c = a->chunks;
    while (c) {
        vm_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    vm_arena_init(a);
}
