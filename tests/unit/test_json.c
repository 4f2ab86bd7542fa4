/* test_json.c - vm/json: strings escaped to valid JSON and valid UTF-8
 * whatever the bytes (against RFC 8259 and RFC 3629's table of well-formed
 * sequences, written out by hand below); numbers, and null for what JSON
 * cannot hold. (tests/render/loudness_cmd.sh parses the command's output
 * with python3's json module.)
 * Reading: a document python3's json module writes (ASCII only, so every
 * character outside it comes as a \u escape, astral ones as surrogate
 * pairs) read back to the values python was given; every string this
 * writer writes read back to what it was given (valid UTF-8) or to U+FFFD
 * (invalid); RFC 8259's grammar refused where it says no, each error
 * naming its line and column. */
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

static vm_json *parsed(const char *text, char *err)
{
    vm_json *v = NULL;
    if (vm_json_parse(text, strlen(text), &v, err) != DS_OK)
        return NULL;
    return v;
}

/* python3 writes the document; we read it back. */
static void read_python(void)
{
    FILE *p = popen("python3 -c 'import json; print(json.dumps({\"n\": [0, -1, 2.5e-3, 12345678901234, -0.125, 1e300],"
                    " \"b\": [True, False, None], \"s\": \"\\u00e9\\u20ac\\U0001F3AC \\\"q\\\" \\\\ \\t\","
                    " \"o\": {\"empty\": {}, \"list\": []}, \"k\": 2}))' 2>/dev/null", "r");
    char text[1024] = "";
    size_t n = p ? fread(text, 1, sizeof text - 1, p) : 0;
    if (p)
        pclose(p);
    text[n] = 0;
    if (n == 0) {
        printf("skip - reading python3's JSON: python3 is not available\n");
        return;
    }
    char err[DS_ERR_LEN] = "";
    vm_json *v = parsed(text, err);
    check(v != NULL, "a document python3 wrote is read", "%s (%s)", err, text);
    if (!v)
        return;
    const vm_json *nums = vm_json_get(v, "n");
    static const double want[] = {0, -1, 2.5e-3, 12345678901234.0, -0.125, 1e300};
    int same = nums && nums->type == VM_JSON_ARRAY && nums->n == 6;
    for (int i = 0; same && i < 6; i++)
        same = nums->items[i].type == VM_JSON_NUMBER && nums->items[i].number == want[i];
    check(same, "numbers to the bit (integers, fractions, exponents)", "%s", text);
    const vm_json *b = vm_json_get(v, "b");
    check(b && b->n == 3 && b->items[0].type == VM_JSON_TRUE && b->items[1].type == VM_JSON_FALSE &&
              b->items[2].type == VM_JSON_NULL, "true, false, null", "%s", text);
    const char *s = vm_json_get_string(v, "s");
    const char *s_want = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xac \"q\" \\ \t";
    check(s && strcmp(s, s_want) == 0, "\\u escapes to UTF-8, a surrogate pair to one 4-byte character",
          "got '%s'", s ? s : "(none)");
    const vm_json *o = vm_json_get(v, "o");
    check(o && vm_json_get(o, "empty") && vm_json_get(o, "empty")->type == VM_JSON_OBJECT &&
              vm_json_get(o, "empty")->n == 0 && vm_json_get(o, "list")->type == VM_JSON_ARRAY,
          "an empty object and an empty array", "%s", text);
    double k = 0;
    check(vm_json_get_number(v, "k", &k) && k == 2, "a member found by its key",
          "k = %g", k);
    vm_json_free(&v);
    check(v == NULL, "vm_json_free clears the pointer", "%p", (void *)v);
}

/* Every string the writer writes is read back as it was given. */
static void read_written(void)
{
    static const char *const strings[] = {"mix.wav", "a\"b\\c", "\t\n\x01\x1f\x7f", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac",
                                          "\xf4\x8f\xbf\xbf", ""};
    int same = 1;
    char err[DS_ERR_LEN] = "";
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        vm_json *v = parsed(written(strings[i], 0, 0), err);
        same &= v && v->type == VM_JSON_STRING && strcmp(v->string, strings[i]) == 0;
        vm_json_free(&v);
    }
    check(same, "every valid string written is read back the same", "%s", err);
    vm_json *v = parsed(written("a\xff" "b", 0, 0), err);
    check(v && strcmp(v->string, "a\xef\xbf\xbd" "b") == 0, "an invalid byte written comes back as U+FFFD", "%s", err);
    vm_json_free(&v);
}

static void refused(const char *text, const char *want, const char *name)
{
    char err[DS_ERR_LEN] = "";
    vm_json *v = NULL;
    ds_result r = vm_json_parse(text, strlen(text), &v, err);
    check(r == DS_ERR_FORMAT && v == NULL && strstr(err, want), name, "got '%s', want '%s'", err, want);
}

static void grammar(void)
{
    refused("{\"a\": 1,}", "line 1, column 9: a member name (a string) expected, found '}'", "a trailing comma");
    refused("[1,\n 2\n 3]", "line 3, column 2: ',' or ']' expected after an item, found '3'", "a missing comma, line and column");
    refused("{\"a\" 1}", "':' expected after the member name \"a\"", "a missing colon");
    refused("[01]", "',' or ']' expected", "a leading zero");
    refused("[1.]", "a digit expected after the decimal point", "a point without digits");
    refused("[.5]", "a value expected, found '.'", "a number without its integer part");
    refused("[\"\\ud800\"]", "a high surrogate \\uD800 without its low half", "a lone high surrogate");
    refused("[\"\\udc00\"]", "a lone low surrogate", "a lone low surrogate");
    refused("[\"a\tb\"]", "a control byte (0x09) inside a string", "a raw tab inside a string");
    refused("[\"\xff\"]", "not valid UTF-8 (0xFF)", "an invalid UTF-8 byte inside a string");
    refused("[\"abc", "a string that is not closed", "an unclosed string");
    refused("[\"\\x\"]", "an unknown escape \\x", "an unknown escape");
    refused("[tru]", "a value expected", "a misspelt literal");
    refused("{} {}", "the text goes on after the value", "two values");
    refused("", "a value expected, found the end of the text", "nothing");
    refused("// c\n{}", "a value expected, found '/'", "a comment");
    char deep[600];
    memset(deep, '[', 300);
    memset(deep + 300, ']', 300);
    deep[600 - 1] = 0;
    deep[599] = 0;
    refused(deep, "nested more than 256 deep", "nesting past 256 levels");
    char err[DS_ERR_LEN] = "";
    memset(deep, 0, sizeof deep);
    memset(deep, '[', 256);
    memset(deep + 256, ']', 256);
    vm_json *v = parsed(deep, err);
    check(v != NULL, "nesting of 256 levels is read", "%s", err);
    vm_json_free(&v);
    v = parsed("\xef\xbb\xbf \n\t{\"x\": [ ] } \r\n", err);
    check(v && v->type == VM_JSON_OBJECT && v->n == 1 && v->items[0].line == 2, "a byte order mark and white space",
          "%s", err);
    vm_json_free(&v);
}

int main(void)
{
    read_python();
    read_written();
    grammar();
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
