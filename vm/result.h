/* result.h - the result codes every C-level dubstage call returns.
 *
 * Convention (STYLE.md 5): a function returns ds_result; DS_OK is 0 and every
 * failure is negative. A failing call also writes one human sentence into the
 * caller's `char err[DS_ERR_LEN]` buffer naming what was wrong (the path, the
 * parameter, the value). Outputs come back through pointer arguments. */
#ifndef DS_RESULT_H
#define DS_RESULT_H

#include <stddef.h>

#define DS_ERR_LEN 512

typedef enum {
    DS_OK = 0,
    DS_ERR_ARG = -1,         /* a value out of range or badly spelled */
    DS_ERR_IO = -2,          /* a file could not be opened, read or written */
    DS_ERR_FORMAT = -3,      /* a file is not audio, or not in a usable format */
    DS_ERR_NOMEM = -4,       /* an allocation failed */
    DS_ERR_GRAPH = -5,       /* routing: a cycle, a channel mismatch, a dangling bus */
    DS_ERR_INTERRUPTED = -6, /* the user stopped it (Ctrl-C) */
    DS_ERR_SCRIPT = -7       /* the mix script raised an error */
} ds_result;

/* Returns a static string describing r ("input/output error", ...). */
const char *ds_result_description(ds_result r);

/* Formats into err (DS_ERR_LEN bytes), printf-style, and returns code.
 * Lets a failing path read `return ds_fail(err, DS_ERR_IO, "...", ...)`. */
ds_result ds_fail(char *err, ds_result code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends printf output to the message buf[cap] at *len, whole or not at
 * all: returns 1 and moves *len on, or returns 0 and leaves buf terminated
 * where it was when the text does not fit (a message built of parts never
 * runs past its buffer, and never stops in the middle of a part). */
int ds_appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
