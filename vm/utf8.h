/* utf8.h - well-formed UTF-8 (RFC 3629), for the writers that must never
 * pass on an invalid byte: JSON strings (vm/json.c), XML and HTML text
 * (vm/xml.c). Script names and paths are bytes: a name may hold anything. */
#ifndef VM_UTF8_H
#define VM_UTF8_H

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s does not start
 * one (no overlongs, no surrogates, nothing above U+10FFFF). s is
 * NUL-terminated: a sequence cut by the end is invalid. */
int vm_utf8_length(const unsigned char *s);

/* U+FFFD REPLACEMENT CHARACTER in UTF-8: what each invalid byte becomes */
#define VM_UTF8_REPLACEMENT "\xef\xbf\xbd"

#endif
