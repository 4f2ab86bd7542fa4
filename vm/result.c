/* result.c - descriptions of ds_result codes and the error-message helper. */
#include "vm/result.h"

#include <stdarg.h>
#include <stdio.h>

const char *ds_result_description(ds_result r)
{
    switch (r) {
    case DS_OK: return "success";
    case DS_ERR_ARG: return "invalid argument";
    case DS_ERR_IO: return "input/output error";
    case DS_ERR_FORMAT: return "unsupported or invalid file format";
    case DS_ERR_NOMEM: return "out of memory";
    case DS_ERR_GRAPH: return "invalid routing graph";
    case DS_ERR_INTERRUPTED: return "interrupted";
    case DS_ERR_SCRIPT: return "error in the mix script";
    }
    return "unknown error";
}

ds_result ds_fail(char *err, ds_result code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, DS_ERR_LEN, fmt, ap);
        va_end(ap);
    }
    return code;
}

int ds_appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= cap - *len) {
        buf[*len] = 0;
        return 0;
    }
    *len += (size_t)w;
    return 1;
}
