/* suggest.c - closest-word suggestions.
 *
 * Optimal string alignment distance (Damerau-Levenshtein restricted so no
 * substring is edited twice): the Wagner-Fischer dynamic programme over three
 * rolling rows, with the extra transposition case. Rows live on the stack,
 * sized for words up to VM_SUGGEST_MAX bytes, so the function cannot fail.
 */
#include "vm/suggest.h"

#include <string.h>

#define VM_SUGGEST_MAX 63

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

int vm_suggest_distance(const char *a, const char *b)
{
    int rows[3][VM_SUGGEST_MAX + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    size_t la, lb;

    if (!a || !b)
        return -1;
    la = strlen(a);
    lb = strlen(b);
    if (la > VM_SUGGEST_MAX || lb > VM_SUGGEST_MAX)
        return -1;

    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int ca = lower((unsigned char)a[i - 1]);
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cb = lower((unsigned char)b[j - 1]);
            int cost = ca != cb;
            int d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && ca == lower((unsigned char)b[j - 2])
                && lower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *vm_suggest(const char *word, const char *const *candidates, int n)
{
    const char *best = NULL;
    int best_d = 0;
    int limit;
    size_t lw;

    if (!word || !candidates || !*word)
        return NULL;
    lw = strlen(word);
    limit = (int)(lw / 3);
    if (limit < 1)
        limit = 1;

    for (int i = 0; i < n; i++) {
        const char *c = candidates[i];
        int d = vm_suggest_distance(word, c);
        size_t longest;
        if (d < 0 || d > limit)
            continue;
        longest = strlen(c) > lw ? strlen(c) : lw;
        if ((size_t)d >= longest)
            continue;
        if (!best || d < best_d) {
            best = c;
            best_d = d;
        }
    }
    return best;
}
