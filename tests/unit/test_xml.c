/* test_xml.c - vm/xml: text written into HTML, SVG and XML is never markup
 * and always well-formed UTF-8, whatever bytes a script's name holds:
 * each case against the output written out by hand (RFC 3629's table of
 * well-formed sequences; the five entities of XML 1.0), and every case's
 * output decoded strictly by python3 (an independent UTF-8 decoder). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "vm/xml.h"

#define FFFD "\xef\xbf\xbd"

static const struct {
    const char *in, *want, *name;
} cases[] = {
    {"PM", "PM", "plain text as it is"},
    {"<script>&\"'", "&lt;script&gt;&amp;&quot;&#39;", "the five markup characters as entities"},
    {"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac", "valid 2-, 3- and 4-byte UTF-8 as it is"},
    {"a\xff" "b", "a" FFFD "b", "an invalid byte (0xFF) as U+FFFD"},
    {"\x80", FFFD, "a stray continuation byte as U+FFFD"},
    {"x\xc3", "x" FFFD, "a sequence cut by the end as U+FFFD"},
    {"\xc0\xaf", FFFD FFFD, "an overlong '/' (C0 AF) byte by byte"},
    {"\xed\xa0\x80", FFFD FFFD FFFD, "a UTF-16 surrogate (ED A0 80) byte by byte"},
    {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD, "above U+10FFFF byte by byte"},
    {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", "U+10FFFF kept"},
    {"\xe2\x82<", FFFD FFFD "&lt;", "a broken sequence does not swallow the next character"},
    {"a\tb\nc\rd", "a\tb\nc\rd", "tab, LF and CR kept"},
    {"\x01\x1f\x7f", FFFD FFFD FFFD, "other control bytes and DEL (not allowed in XML 1.0) as U+FFFD"},
    {"", "", "the empty string"},
};

static const char *written(const char *s)
{
    static char buf[256];
    memset(buf, 0, sizeof buf); /* fmemopen leaves it as it was when nothing is written */
    FILE *f = fmemopen(buf, sizeof buf, "w");
    vm_xml_text(f, s);
    fclose(f);
    return buf;
}

int main(void)
{
    int n = (int)(sizeof cases / sizeof cases[0]);
    char tmp[] = "/tmp/test_xml.XXXXXX";
    int fd = mkstemp(tmp);
    FILE *all = fd >= 0 ? fdopen(fd, "w") : NULL;
    for (int i = 0; i < n; i++) {
        const char *got = written(cases[i].in);
        check(strcmp(got, cases[i].want) == 0, cases[i].name, "got '%s', want '%s'", got, cases[i].want);
        if (all)
            fprintf(all, "%s\n", got);
    }
    if (all)
        fclose(all);
    /* python3 decodes everything written, strictly */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "python3 -c 'import sys; open(sys.argv[1], \"rb\").read().decode(\"utf-8\")' %s 2>&1", tmp);
    FILE *p = all ? popen(cmd, "r") : NULL;
    char out[512] = "";
    size_t got = p ? fread(out, 1, sizeof out - 1, p) : 0;
    int status = p ? pclose(p) : -1;
    out[got] = 0;
    check(status == 0, "everything written decodes as strict UTF-8 (python3)", "%s", out);
    remove(tmp);
    return check_exit();
}
