/* textfile.c - reading a data file whole and making it UTF-8 text with LF
 * line ends (textfile.h). */
#include "vm/textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ds_result read_file(const char *path, const char *what, const char *kind, long max_bytes, char **out,
                           size_t *len, char *err)
{
    struct stat st;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    /* O_NONBLOCK: a FIFO under the name is refused below, not waited on */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

    if (fd < 0)
        return ds_fail(err, DS_ERR_IO, "cannot read %s '%s': %s", what, path, strerror(errno));
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int e = EISDIR;
        if (fstat(fd, &st) != 0)
            e = errno;
        close(fd);
        return ds_fail(err, DS_ERR_IO, "cannot read %s '%s': %s", what, path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ds_fail(err, DS_ERR_IO, "cannot read %s '%s': not a regular file (a FIFO, a device or a socket)",
                       what, path);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    for (;;) {
        ssize_t got;
        if (n == cap) {
            /* cap stops at MAX + 1: filling that much means the file is too big. */
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb;
            if (ncap > (size_t)max_bytes + 1)
                ncap = (size_t)max_bytes + 1;
            if (cap > (size_t)max_bytes) {
                free(buf);
                close(fd);
                return ds_fail(err, DS_ERR_FORMAT,
                               "%s '%s' is larger than %ld MB: not %s", what, path,
                               max_bytes >> 20, kind);
            }
            nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return ds_fail(err, DS_ERR_NOMEM, "out of memory reading %s '%s'", what, path);
            }
            buf = nb;
            cap = ncap;
        }
        got = read(fd, buf + n, cap - n);
        if (got < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            free(buf);
            close(fd);
            return ds_fail(err, DS_ERR_IO, "cannot read %s '%s': %s", what, path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return DS_OK;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* UTF-16 (after its BOM) -> UTF-8. A lone surrogate becomes U+FFFD; an odd
 * last byte is dropped. Every 2 input bytes give at most 3 output bytes. */
static char *utf16_to_utf8(const unsigned char *in, size_t len, int big_endian, size_t *out_len)
{
    char *out = malloc(len / 2 * 3 + 1);
    size_t i, o = 0;
    if (!out)
        return NULL;
    for (i = 0; i + 1 < len; i += 2) {
        unsigned u = big_endian ? (unsigned)(in[i] << 8 | in[i + 1]) : (unsigned)(in[i + 1] << 8 | in[i]);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
            unsigned v = big_endian ? (unsigned)(in[i + 2] << 8 | in[i + 3])
                                    : (unsigned)(in[i + 3] << 8 | in[i + 2]);
            if (v >= 0xDC00 && v <= 0xDFFF) {
                o += put_utf8(out + o, 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00));
                i += 2;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD;
        o += put_utf8(out + o, u);
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* Makes *buf UTF-8 text with LF line ends and no BOM. */
static ds_result decode_text(const char *path, const char *what, const char *kind, char **buf, size_t *len,
                             char *err)
{
    unsigned char *b = (unsigned char *)*buf;
    size_t n = *len, i, o;
    char *nul;

    if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
        size_t u8len;
        char *u8 = utf16_to_utf8(b + 2, n - 2, b[0] == 0xFE, &u8len);
        if (!u8)
            return ds_fail(err, DS_ERR_NOMEM, "out of memory reading %s '%s'", what, path);
        free(*buf);
        *buf = u8;
        b = (unsigned char *)u8;
        n = u8len;
    } else if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        memmove(b, b + 3, n - 3 + 1);
        n -= 3;
    }

    nul = memchr(b, '\0', n);
    if (nul) {
        int line = 1;
        for (const unsigned char *q = b; q < (unsigned char *)nul; q++)
            line += *q == '\n';
        return ds_fail(err, DS_ERR_FORMAT,
                       "%s:%d: a NUL byte: this is not a text %s (a UTF-16 file needs its "
                       "byte-order mark)",
                       path, line, strncmp(kind, "a ", 2) == 0 ? kind + 2 : strncmp(kind, "an ", 3) == 0 ? kind + 3 : kind);
    }

    for (i = 0, o = 0; i < n; i++) {
        if (b[i] == '\r') {
            b[o++] = '\n';
            if (i + 1 < n && b[i + 1] == '\n')
                i++;
        } else {
            b[o++] = b[i];
        }
    }
    b[o] = '\0';
    *len = o;
    return DS_OK;
}

ds_result vm_textfile_read(const char *path, const char *what, const char *kind, long max_bytes, char **out,
                           size_t *len, char *err)
{
    char *buf = NULL;
    ds_result r;
    *out = NULL;
    *len = 0;
    r = read_file(path, what, kind, max_bytes, &buf, len, err);
    if (r != DS_OK)
        return r;
    r = decode_text(path, what, kind, &buf, len, err);
    if (r != DS_OK) {
        free(buf);
        *len = 0;
        return r;
    }
    *out = buf;
    return DS_OK;
}
