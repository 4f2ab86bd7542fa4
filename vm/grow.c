/* grow.c - arrays that double as they fill (see grow.h). */
#include "vm/grow.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

void *vm_grow(void *arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return arr;
    if (need < 0 || elem == 0)
        return NULL;
    long long want = 2LL * *cap;
    if (want < 16)
        want = 16;
    if (want < need)
        want = need;
    if (want > INT_MAX)
        want = INT_MAX;
    if ((unsigned long long)want > SIZE_MAX / elem)
        return NULL;
    void *grown = realloc(arr, (size_t)want * elem);
    if (!grown)
        return NULL;
    *cap = (int)want;
    return grown;
}
