/* json.c - JSON strings and numbers (vm/json.h). */
#include "vm/json.h"

#include <math.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s does not start
 * one (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static int utf8_length(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    int n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!n)
        return 0;
    unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range */
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (int k = 2; k < n; k++)
        if (s[k] < 0x80 || s[k] > 0xBF) /* the terminating 0 stops here too */
            return 0;
    return n;
}

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
            int n = utf8_length(p);
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
