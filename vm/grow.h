/* grow.h - arrays that double as they fill (the C side's counterpart of
 * script_grow, for code that reports failure instead of raising). */
#ifndef VM_GROW_H
#define VM_GROW_H

#include <stddef.h>

/* arr (room for *cap elements of elem bytes) with room for need elements:
 * arr itself when it has it, else reallocated to twice the room (at least
 * need, at least 16) and *cap updated. NULL when out of memory or when the
 * size would not fit (arr is then untouched and still the caller's). */
void *vm_grow(void *arr, int *cap, int need, size_t elem);

#endif
