/* json.c - JSON (vm/json.h): strings and numbers written; a document read
 * into a tree by recursive descent on RFC 8259's grammar. */
#include "vm/json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/utf8.h"

void vm_json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    putc('"', f);
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc(c, f);
            p++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\u%04x", c);
            p++;
        } else {
            int n = vm_utf8_length(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, (size_t)n, f);
                p += n;
            }
        }
    }
    putc('"', f);
}

void vm_json_number(FILE *f, double v, int decimals)
{
    if (!isfinite(v))
        fputs("null", f);
    else
        fprintf(f, "%.*f", decimals, v == 0.0 ? 0.0 : v); /* -0.0 prints as 0 */
}

/* ---- reading ------------------------------------------------------------ */

#define JSON_MAX_DEPTH 256
#define JSON_MAX_FILE (256u << 20)

typedef struct {
    const char *s, *end, *line_start;
    int line, depth;
    char *err;
    ds_result r;
} json_reader;

static int json_column(const json_reader *j)
{
    return (int)(j->s - j->line_start) + 1;
}

__attribute__((format(printf, 2, 3))) static int json_error(json_reader *j, const char *fmt, ...)
{
    if (j->r != DS_OK)
        return 0;
    char what[DS_ERR_LEN - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    j->r = ds_fail(j->err, DS_ERR_FORMAT, "line %d, column %d: %s", j->line, json_column(j), what);
    return 0;
}

static void json_skip_space(json_reader *j)
{
    while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r')) {
        if (*j->s == '\n') {
            j->line++;
            j->line_start = j->s + 1;
        }
        j->s++;
    }
}

/* What is at j->s, for a message: "'x'", or "the end of the text". */
static const char *json_found(const json_reader *j, char *buf, size_t n)
{
    if (j->s >= j->end)
        return "the end of the text";
    unsigned char c = (unsigned char)*j->s;
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, n, "'%c'", c);
    else
        snprintf(buf, n, "byte 0x%02X", c);
    return buf;
}

static int json_literal(json_reader *j, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->s) < n || memcmp(j->s, word, n) != 0)
        return 0;
    j->s += n;
    return 1;
}

static int json_number(json_reader *j, vm_json *v)
{
    const char *p = j->s;
    if (p < j->end && *p == '-')
        p++;
    if (p < j->end && *p == '0')
        p++;
    else if (p < j->end && *p >= '1' && *p <= '9')
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    else
        return json_error(j, "a digit expected in a number");
    if (p < j->end && *p == '.') {
        p++;
        if (!(p < j->end && *p >= '0' && *p <= '9'))
            return json_error(j, "a digit expected after the decimal point");
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < j->end && (*p == '+' || *p == '-'))
            p++;
        if (!(p < j->end && *p >= '0' && *p <= '9'))
            return json_error(j, "a digit expected in the exponent");
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    char buf[64];
    size_t n = (size_t)(p - j->s);
    if (n >= sizeof buf)
        return json_error(j, "a number of more than 63 characters");
    memcpy(buf, j->s, n);
    buf[n] = 0;
    v->type = VM_JSON_NUMBER;
    v->number = strtod(buf, NULL); /* the program never sets a locale: '.' is the point */
    j->s = p;
    return 1;
}

static int json_hex4(json_reader *j, const char *p, unsigned *u)
{
    *u = 0;
    for (int k = 0; k < 4; k++) {
        char c = p + k < j->end ? p[k] : 0;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return json_error(j, "four hex digits expected after \\u");
        *u = *u * 16 + (unsigned)d;
    }
    return 1;
}

static size_t json_put_utf8(char *o, unsigned u)
{
    if (u < 0x80) {
        o[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        o[0] = (char)(0xC0 | u >> 6), o[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        o[0] = (char)(0xE0 | u >> 12), o[1] = (char)(0x80 | ((u >> 6) & 0x3F)), o[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | u >> 18), o[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((u >> 6) & 0x3F)), o[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* A string at j->s (its opening quote) into *out (malloc'd) and *len. The
 * decoded text is never longer than the escaped one. */
static int json_string_value(json_reader *j, char **out, size_t *len)
{
    const char *p = j->s + 1;
    const char *close = p;
    while (close < j->end && *close != '"')
        close += *close == '\\' && close + 1 < j->end ? 2 : 1;
    if (close >= j->end)
        return json_error(j, "a string that is not closed");
    char *o = malloc((size_t)(close - p) + 1);
    if (!o) {
        j->r = ds_fail(j->err, DS_ERR_NOMEM, "out of memory reading JSON");
        return 0;
    }
    size_t n = 0;
    while (p < close) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20) {
            j->s = p;
            free(o);
            return json_error(j, "a control byte (0x%02X) inside a string: write it as \\u%04x", c, c);
        }
        if (c == '\\') {
            char e = p[1];
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *k = e ? strchr(from, e) : NULL;
            if (k) {
                o[n++] = to[k - from];
                p += 2;
                continue;
            }
            if (e != 'u') {
                j->s = p;
                free(o);
                return json_error(j, "an unknown escape \\%c", e >= 0x20 && e < 0x7f ? e : '?');
            }
            unsigned u, lo;
            j->s = p;
            if (!json_hex4(j, p + 2, &u)) {
                free(o);
                return 0;
            }
            p += 6;
            if (u >= 0xDC00 && u <= 0xDFFF) {
                free(o);
                return json_error(j, "a lone low surrogate \\u%04X", u);
            }
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (!(p + 1 < close && p[0] == '\\' && p[1] == 'u')) {
                    free(o);
                    return json_error(j, "a high surrogate \\u%04X without its low half", u);
                }
                j->s = p;
                if (!json_hex4(j, p + 2, &lo)) {
                    free(o);
                    return 0;
                }
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    free(o);
                    return json_error(j, "a high surrogate followed by \\u%04X, not a low one", lo);
                }
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            n += json_put_utf8(o + n, u);
            continue;
        }
        int k = vm_utf8_length((const unsigned char *)p);
        if (k == 0 || p + k > close) {
            j->s = p;
            free(o);
            return json_error(j, "a byte that is not valid UTF-8 (0x%02X) inside a string", c);
        }
        memcpy(o + n, p, (size_t)k);
        n += (size_t)k;
        p += k;
    }
    o[n] = 0;
    *out = o;
    *len = n;
    j->s = close + 1;
    return 1;
}

static int json_value(json_reader *j, vm_json *v);

/* The items of an array or object, after its opening bracket. */
static int json_items(json_reader *j, vm_json *v, char close)
{
    int cap = 0;
    json_skip_space(j);
    if (j->s < j->end && *j->s == close) {
        j->s++;
        return 1;
    }
    for (;;) {
        if (v->n == cap) {
            int ncap = cap ? 2 * cap : 4;
            vm_json *items = realloc(v->items, (size_t)ncap * sizeof *items);
            if (!items) {
                j->r = ds_fail(j->err, DS_ERR_NOMEM, "out of memory reading JSON");
                return 0;
            }
            memset(items + cap, 0, (size_t)(ncap - cap) * sizeof *items);
            v->items = items, cap = ncap;
        }
        vm_json *item = &v->items[v->n++];
        json_skip_space(j);
        char buf[16];
        if (close == '}') {
            if (!(j->s < j->end && *j->s == '"'))
                return json_error(j, "a member name (a string) expected, found %s", json_found(j, buf, sizeof buf));
            size_t len;
            if (!json_string_value(j, &item->key, &len))
                return 0;
            json_skip_space(j);
            if (!(j->s < j->end && *j->s == ':'))
                return json_error(j, "':' expected after the member name \"%.40s\", found %s", item->key,
                                  json_found(j, buf, sizeof buf));
            j->s++;
            json_skip_space(j);
        }
        if (!json_value(j, item))
            return 0;
        json_skip_space(j);
        if (j->s < j->end && *j->s == ',') {
            j->s++;
            continue;
        }
        if (j->s < j->end && *j->s == close) {
            j->s++;
            return 1;
        }
        return json_error(j, "',' or '%c' expected after %s, found %s", close, close == '}' ? "a member" : "an item",
                          json_found(j, buf, sizeof buf));
    }
}

static int json_value(json_reader *j, vm_json *v)
{
    v->line = j->line;
    v->column = json_column(j);
    char buf[16];
    if (j->s >= j->end)
        return json_error(j, "a value expected, found the end of the text");
    switch (*j->s) {
    case '{':
    case '[': {
        if (j->depth >= JSON_MAX_DEPTH)
            return json_error(j, "nested more than %d deep", JSON_MAX_DEPTH);
        char close = *j->s == '{' ? '}' : ']';
        v->type = close == '}' ? VM_JSON_OBJECT : VM_JSON_ARRAY;
        j->s++;
        j->depth++;
        int ok = json_items(j, v, close);
        j->depth--;
        return ok;
    }
    case '"':
        v->type = VM_JSON_STRING;
        return json_string_value(j, &v->string, &v->length);
    case 't':
        v->type = VM_JSON_TRUE;
        return json_literal(j, "true") || json_error(j, "a value expected, found %s", json_found(j, buf, sizeof buf));
    case 'f':
        v->type = VM_JSON_FALSE;
        return json_literal(j, "false") || json_error(j, "a value expected, found %s", json_found(j, buf, sizeof buf));
    case 'n':
        v->type = VM_JSON_NULL;
        return json_literal(j, "null") || json_error(j, "a value expected, found %s", json_found(j, buf, sizeof buf));
    default:
        if (*j->s == '-' || (*j->s >= '0' && *j->s <= '9'))
            return json_number(j, v);
        return json_error(j, "a value expected, found %s", json_found(j, buf, sizeof buf));
    }
}

static void json_free_items(vm_json *v)
{
    for (int i = 0; i < v->n; i++)
        json_free_items(&v->items[i]);
    free(v->items);
    free(v->string);
    free(v->key);
}

void vm_json_free(vm_json **v)
{
    if (!v || !*v)
        return;
    json_free_items(*v);
    free(*v);
    *v = NULL;
}

ds_result vm_json_parse(const char *text, size_t n, vm_json **out, char *err)
{
    *out = NULL;
    json_reader j = {.s = text, .end = text + n, .line_start = text, .line = 1, .err = err, .r = DS_OK};
    vm_json *v = calloc(1, sizeof *v);
    if (!v)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory reading JSON");
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a byte order mark: RFC 8259 lets a parser skip it */
        j.s += 3, j.line_start += 3;
    json_skip_space(&j);
    if (json_value(&j, v)) {
        json_skip_space(&j);
        char buf[16];
        if (j.s < j.end)
            json_error(&j, "the text goes on after the value: %s", json_found(&j, buf, sizeof buf));
    }
    if (j.r != DS_OK) {
        vm_json_free(&v);
        return j.r;
    }
    *out = v;
    return DS_OK;
}

ds_result vm_json_parse_file(const char *path, vm_json **out, char *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)JSON_MAX_FILE) {
        close(fd);
        return ds_fail(err, DS_ERR_FORMAT, "'%s' is not a JSON file of at most 256 MiB", path);
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *text = malloc(size ? size : 1);
    if (!text) {
        close(fd);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory reading '%s'", path);
    }
    while (got < size) {
        ssize_t k = read(fd, text + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    int read_errno = errno;
    close(fd);
    if (got < size) {
        free(text);
        return ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", path, got ? "it shrank while read" : strerror(read_errno));
    }
    char why[DS_ERR_LEN];
    ds_result r = vm_json_parse(text, size, out, why);
    free(text);
    if (r != DS_OK)
        return ds_fail(err, r, "'%s': %s", path, why);
    return DS_OK;
}

const vm_json *vm_json_get(const vm_json *o, const char *key)
{
    if (!o || o->type != VM_JSON_OBJECT)
        return NULL;
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->items[i].key, key) == 0)
            return &o->items[i];
    return NULL;
}

const char *vm_json_get_string(const vm_json *o, const char *key)
{
    const vm_json *v = vm_json_get(o, key);
    return v && v->type == VM_JSON_STRING ? v->string : NULL;
}

int vm_json_get_number(const vm_json *o, const char *key, double *x)
{
    const vm_json *v = vm_json_get(o, key);
    if (!v || v->type != VM_JSON_NUMBER)
        return 0;
    *x = v->number;
    return 1;
}
