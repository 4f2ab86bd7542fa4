/* json.h - writing JSON values (RFC 8259) that any parser reads back. */
#ifndef VM_JSON_H
#define VM_JSON_H

#include <stdio.h>

/* Writes s as a JSON string, quotes included: '"' and '\' escaped, control
 * bytes (0x00-0x1F, 0x7F) as \u00XX, valid UTF-8 as it is, and each byte of
 * an invalid UTF-8 sequence (a stray continuation byte, a truncated or
 * overlong sequence, a surrogate, a code point above U+10FFFF) as U+FFFD, so
 * the output is valid UTF-8 whatever the bytes of s (a file name is any
 * bytes). */
void vm_json_string(FILE *f, const char *s);

/* Writes v with `decimals` digits after the point, or null when v is NaN
 * or infinite (JSON has no infinities: -inf LUFS, "below the gate", is null). */
void vm_json_number(FILE *f, double v, int decimals);

#endif
