/* loudness_cmd.c - `dubstage loudness FILE...` (repl/loudness_cmd.h). */
#include "repl/loudness_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/file_loudness.h"
#include "vm/json.h"
#include "vm/suggest.h"

static const char loudness_usage[] =
    "usage: dubstage loudness [--json] FILE...\n"
    "  measures each file with the meter renders use (ITU-R BS.1770-4, EBU R 128):\n"
    "  integrated loudness, loudness range, true peak, sample peak, max momentary\n"
    "  and max short-term loudness. --json: one JSON array, an object per file.\n"
    "  Exit status 1 when any file could not be measured (the others still are).\n"
    "  See docs/loudness.md.\n";

static void fmt_value(double v, int defined, char *buf, size_t n)
{
    if (!defined || !isfinite(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f", v);
}

/* a file name for a terminal: bytes below 0x20 and 0x7F as \xNN */
static void print_name(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F || *p == '\\')
            printf(*p == '\\' ? "\\\\" : "\\x%02X", *p);
        else
            putchar(*p);
    }
}

static void print_row(const char *path, const vm_file_loudness *f)
{
    const dsp_loudness_result *m = &f->m;
    char v[6][16];
    fmt_value(m->integrated_lufs, 1, v[0], sizeof v[0]);
    fmt_value(m->range_lu, f->range_defined, v[1], sizeof v[1]);
    fmt_value(m->true_peak_dbtp, 1, v[2], sizeof v[2]);
    fmt_value(m->sample_peak_dbfs, 1, v[3], sizeof v[3]);
    fmt_value(m->max_momentary_lufs, 1, v[4], sizeof v[4]);
    fmt_value(m->max_short_term_lufs, 1, v[5], sizeof v[5]);
    printf("%7s %6s %7s %7s %7s %7s  ", v[0], v[1], v[2], v[3], v[4], v[5]);
    print_name(path);
    printf("\n%50s%d Hz, %d ch, %.3f s, %s; %s\n", "", f->info.rate, f->info.channels,
           (double)f->info.frames / f->info.rate, f->info.format, f->weights_from);
}

static void print_json(const char *path, const vm_file_loudness *f, const char *error, int first)
{
    const dsp_loudness_result *m = &f->m;
    const double nan = NAN;
    printf("%s\n  {\"file\": ", first ? "" : ",");
    vm_json_string(stdout, path);
    printf(", \"integrated_lufs\": ");
    vm_json_number(stdout, error ? nan : m->integrated_lufs, 3);
    printf(", \"loudness_range_lu\": ");
    vm_json_number(stdout, error || !f->range_defined ? nan : m->range_lu, 3);
    printf(", \"true_peak_dbtp\": ");
    vm_json_number(stdout, error ? nan : m->true_peak_dbtp, 3);
    printf(", \"sample_peak_dbfs\": ");
    vm_json_number(stdout, error ? nan : m->sample_peak_dbfs, 3);
    printf(", \"max_momentary_lufs\": ");
    vm_json_number(stdout, error ? nan : m->max_momentary_lufs, 3);
    printf(", \"max_short_term_lufs\": ");
    vm_json_number(stdout, error ? nan : m->max_short_term_lufs, 3);
    if (error) {
        printf(", \"error\": ");
        vm_json_string(stdout, error);
        printf("}");
        return;
    }
    printf(", \"sample_rate\": %d, \"channels\": %d, \"frames\": %lld, \"duration_s\": ", f->info.rate,
           f->info.channels, (long long)f->info.frames);
    vm_json_number(stdout, (double)f->info.frames / f->info.rate, 6);
    printf(", \"format\": ");
    vm_json_string(stdout, f->info.format);
    if (f->info.channel_mask)
        printf(", \"channel_mask\": %u", (unsigned)f->info.channel_mask);
    else
        printf(", \"channel_mask\": null");
    printf(", \"weights\": [");
    for (int c = 0; c < f->info.channels; c++) {
        printf("%s", c ? ", " : "");
        vm_json_number(stdout, f->weights[c], 2);
    }
    printf("], \"weights_from\": ");
    vm_json_string(stdout, f->weights_from);
    printf(", \"error\": null}");
}

int repl_loudness(int argc, char **argv)
{
    static const char *const options[] = {"--json", "--help", NULL};
    int json = 0, nfiles = 0, files_only = 0;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (files_only || s[0] != '-' || strcmp(s, "-") == 0) {
            nfiles++;
        } else if (strcmp(s, "--") == 0) {
            files_only = 1;
        } else if (strcmp(s, "--json") == 0) {
            json = 1;
        } else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            fputs(loudness_usage, stdout);
            return 0;
        } else {
            const char *near = vm_suggest(s, options, 2);
            fprintf(stderr, "dubstage: loudness: unknown option %s%s%s%s (a file whose name starts with '-': put -- "
                            "before it)\n", s, near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
            return 2;
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "dubstage: loudness needs at least one file: dubstage loudness mix.wav\n");
        return 2;
    }
    vm_file_loudness *f = malloc(sizeof *f);
    if (!f) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 1;
    }
    int failed = 0, first = 1;
    files_only = 0;
    if (json)
        printf("[");
    else
        printf("%7s %6s %7s %7s %7s %7s  %s\n", "I LUFS", "LRA LU", "TP dBTP", "pk dBFS", "max M", "max S", "file");
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!files_only && strcmp(s, "--") == 0) {
            files_only = 1;
            continue;
        }
        if (!files_only && s[0] == '-' && s[1])
            continue; /* an option, read above */
        char err[DS_ERR_LEN];
        ds_result r = vm_file_loudness_measure(s, f, err);
        if (r != DS_OK) {
            failed = 1;
            fflush(stdout); /* the rows before the error stay before it on a terminal */
            fprintf(stderr, "dubstage: %s\n", err);
        }
        if (json)
            print_json(s, f, r == DS_OK ? NULL : err, first);
        else if (r == DS_OK)
            print_row(s, f);
        first = 0;
    }
    if (json)
        printf("\n]\n");
    free(f);
    return failed;
}
