/* json.h - JSON (RFC 8259): writing values that any parser reads back, and
 * reading a document into a tree (the render manifest, vm/manifest.h). */
#ifndef VM_JSON_H
#define VM_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "vm/result.h"

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

/* ---- reading ------------------------------------------------------------ */

typedef enum {
    VM_JSON_NULL,
    VM_JSON_FALSE,
    VM_JSON_TRUE,
    VM_JSON_NUMBER,
    VM_JSON_STRING,
    VM_JSON_ARRAY,
    VM_JSON_OBJECT
} vm_json_type;

/* A value of a parsed document. An object's members are its items in the
 * order written, each with its key (a repeated key is kept twice;
 * vm_json_get finds the first). */
typedef struct vm_json {
    vm_json_type type;
    double number;          /* NUMBER (strtod of the text: integers are exact up to 2^53) */
    char *string;           /* STRING: the decoded UTF-8, NUL-terminated */
    size_t length;          /* STRING: its length in bytes (an escaped \u0000 makes strlen shorter) */
    char *key;              /* a member of an object: its key; NULL otherwise */
    struct vm_json *items;  /* ARRAY, OBJECT */
    int n;
    int line, column;       /* where the value starts (1-based), for messages */
} vm_json;

/* Parses the n bytes at text (one value, white space around it) into a tree
 * (*out, the caller frees it with vm_json_free). Strict RFC 8259: no
 * comments, no trailing commas, strings valid UTF-8 with \u escapes (a lone
 * surrogate is an error), nesting at most 256 deep. Errors name the line
 * and column and what was expected: "line 3, column 12: ',' or '}' expected
 * after a member". */
ds_result vm_json_parse(const char *text, size_t n, vm_json **out, char *err);

/* Reads the file at path (at most 256 MiB) and parses it; errors name
 * path. */
ds_result vm_json_parse_file(const char *path, vm_json **out, char *err);

/* Frees a tree and clears the caller's pointer. Safe on NULL. */
void vm_json_free(vm_json **v);

/* The first member of object o named key, or NULL (also when o is NULL or
 * not an object). */
const vm_json *vm_json_get(const vm_json *o, const char *key);

/* The member's string, or NULL when it is missing or not a string. */
const char *vm_json_get_string(const vm_json *o, const char *key);

/* The member's number into *v; 0 (v untouched) when missing or not a
 * number. */
int vm_json_get_number(const vm_json *o, const char *key, double *v);

#endif
