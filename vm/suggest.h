/* suggest.h - "did you mean ...?" for misspelt words (format names, option
 * keys, bus names).
 *
 * Distance is the optimal-string-alignment edit distance (Levenshtein plus
 * the transposition of two adjacent characters, so "gian" is one edit from
 * "gain"), compared without regard to ASCII case.
 */
#ifndef VM_SUGGEST_H
#define VM_SUGGEST_H

/* Returns the candidate closest to word, or NULL when none is close enough.
 * Close enough: at most max(1, strlen(word) / 3) edits, and fewer edits than
 * the longer of the two words has characters (so "a" never suggests "q").
 * On a tie the earlier candidate wins. NULL entries in candidates are
 * skipped; words or candidates longer than 63 bytes are never matched.
 * The returned pointer is one of the candidates (the caller's storage).
 * Never allocates. */
const char *vm_suggest(const char *word, const char *const *candidates, int n);

/* The distance itself (case-insensitive), or -1 when a string is NULL or
 * longer than 63 bytes. */
int vm_suggest_distance(const char *a, const char *b);

#endif
