/* xml.c - text inside markup (see xml.h). */
#include "vm/xml.h"

#include "vm/utf8.h"

void vm_xml_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        int n = vm_utf8_length(p);
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if (n == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
                fputs(VM_UTF8_REPLACEMENT, f), n = 1;
            else
                fwrite(p, 1, (size_t)n, f);
        }
        p += n;
    }
}
