/* test_json.c - vm/json: strings escaped to valid JSON and valid UTF-8
 * whatever the bytes (against RFC 8259 and RFC 3629's table of well-formed
 * sequences, written out by hand below); numbers, and null for what JSON
 * cannot hold. (tests/render/loudness_cmd.sh parses the command's output
 * with python3's json module.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "vm/json.h"

static char *written(const char *s, double v, int number)
{
    static char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (number)
        vm_json_number(f, v, 3);
    else
        vm_json_string(f, s);
    fclose(f);
    return buf;
}

static void string_is(const char *in, const char *want, const char *name)
{
    const char *got = written(in, 0, 0);
    check(strcmp(got, want) == 0, name, "got %s, want %s", got, want);
}

int main(void)
{
    string_is("mix.wav", "\"mix.wav\"", "plain text as it is");
    string_is("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash escaped");
    string_is("\t\n\x01\x1f\x7f", "\"\\u0009\\u000a\\u0001\\u001f\\u007f\"", "control bytes as \\u00XX");
    string_is("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac", "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac\"",
              "valid 2-, 3- and 4-byte UTF-8 as it is");
    string_is("a\xff" "b", "\"a\\ufffdb\"", "an invalid byte (0xFF) as U+FFFD");
    string_is("\x80", "\"\\ufffd\"", "a stray continuation byte as U+FFFD");
    string_is("\xc3", "\"\\ufffd\"", "a sequence cut by the end as U+FFFD");
    string_is("\xc0\xaf", "\"\\ufffd\\ufffd\"", "an overlong '/' (C0 AF) byte by byte");
    string_is("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"", "an overlong 3-byte sequence byte by byte");
    string_is("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "a UTF-16 surrogate (ED A0 80) refused");
    string_is("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF refused");
    string_is("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "U+10FFFF kept");
    string_is("\xe2\x82" "x", "\"\\ufffd\\ufffdx\"", "a broken sequence does not swallow the next character");

    check(strcmp(written(NULL, -23.0004, 1), "-23.000") == 0, "a number with 3 decimals", "%s", written(NULL, -23.0004, 1));
    check(strcmp(written(NULL, -HUGE_VAL, 1), "null") == 0, "-inf is null", "%s", written(NULL, -HUGE_VAL, 1));
    check(strcmp(written(NULL, NAN, 1), "null") == 0, "NaN is null", "%s", written(NULL, NAN, 1));
    check(strcmp(written(NULL, -0.0, 1), "0.000") == 0, "-0 is 0", "%s", written(NULL, -0.0, 1));
    return check_exit();
}
