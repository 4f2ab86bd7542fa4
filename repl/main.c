/* main.c - the dubstage command line: render, info, loudness, help, version. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsp/simd.h"
#include "vm/desc.h"
#include "vm/duck.h"
#include "vm/judge.h"
#include "vm/manifest.h"
#include "vm/path.h"
#include "vm/plan.h"
#include "vm/qc_report.h"
#include "vm/render.h"
#include "vm/script.h"
#include "vm/suggest.h"
#include "repl/automation_cmd.h"
#include "repl/conform_cmd.h"
#include "vm/conform_mix.h"
#include "vm/conform_report.h"
#include "repl/diff_cmd.h"
#include "repl/join_cmd.h"
#include "repl/lib_env.h"
#include "repl/live_cmd.h"
#include "repl/loudness_cmd.h"
#include "repl/new_cmd.h"
#include "repl/plan_cmd.h"
#include "repl/segment_cmd.h"
#include "vm/output_select.h"
#include "repl/text_file.h"

#ifndef DS_VERSION
#define DS_VERSION "dev"
#endif
#ifndef DS_STDLIB_DIR
#define DS_STDLIB_DIR "stdlib"
#endif
#ifndef DS_TEMPLATE_DIR
#define DS_TEMPLATE_DIR "templates/mix"
#endif
#ifndef DS_EDITORS_DIR
#define DS_EDITORS_DIR "editors"
#endif

static const char usage_text[] =
    "usage: dubstage <command> [options]\n"
    "\n"
    "commands:\n"
    "  render SCRIPT   render every output the script declares, in one pass, and a manifest\n"
    "                  of what it read and wrote beside them (docs/manifest.md)\n"
    "  render SCRIPT --from TC --to TC [--preroll S] [--strict]\n"
    "                  render one segment of the programme, the graph run from S seconds\n"
    "                  before --from so it settles (docs/segments.md)\n"
    "  join OUT SEG1 SEG2 ...\n"
    "                  join segment files (or folders of them, by name) into OUT, checking\n"
    "                  they are contiguous by their BWF time references (docs/segments.md)\n"
    "  check SCRIPT    judge every deliverable against its spec (docs/delivery.md): renders,\n"
    "                  or reuses the last render (its manifest) when nothing it depends on changed;\n"
    "                  exit 1 when a deliverable misses its spec\n"
    "  info SCRIPT     print the compiled graph: ops in order, channels, buffers, outputs\n"
    "  automation SCRIPT [LANE ...] [--csv FILE] [--svg FILE]\n"
    "                  print the automated lanes (breakpoints and values against\n"
    "                  timecode), or write them as CSV (a row per frame) or an SVG plot\n"
    "  play SCRIPT [--from TC] [--to TC] [--loop] [--bus NAME] [--device NAME] [--buffer FRAMES]\n"
    "                  play the mix through the sound card (the first output, or the\n"
    "                  bus or output --bus names); reports xruns on exit\n"
    "  repl SCRIPT     play and change the mix live from a Lua prompt (docs/live.md)\n"
    "  loudness [--json] FILE...\n"
    "                  measure audio files with the renders' meter: integrated loudness,\n"
    "                  range, true and sample peak, max momentary and short-term\n"
    "                  (BS.1770-4, EBU R 128; docs/loudness.md); --json: one JSON array\n"
    "  diff A B [--threshold DB] [--gap S] [--fps RATE] [--json]\n"
    "                  null-test two renders (audio files, render folders or manifests):\n"
    "                  peak and RMS of the difference per output and channel, where they\n"
    "                  differ in timecode; exit 1 when they differ (docs/diff.md)\n"
    "  plan PROJECT [--make | --parallel | --slurm] [--path-map OLD=NEW] [--threads N]\n"
    "                  the independent render jobs of a project (reels x deliverables),\n"
    "                  with their inputs, outputs and whether each is up to date; or\n"
    "                  them as a Makefile, a GNU parallel job file or a Slurm job array\n"
    "                  (docs/cluster.md)\n"
    "  conform SCRIPT [--json] [--html FILE] [--strict]\n"
    "                  the conform report of a mix that follows a new cut (conform { from = ...,\n"
    "                  to = ... }): the cut's changes, the gaps to fill, every clip, move and cue\n"
    "                  with its old and new timecode; --strict: exit 1 when anything was dropped\n"
    "                  (docs/conform.md)\n"
    "  devices         list the audio output devices\n"
    "  new DIR         start a mix repository in DIR (new or empty): a script using the\n"
    "                  standard recipes, media/, markers, .luacheckrc, .luarc.json, .gitignore,\n"
    "                  a CI job (docs/recipes-sharing.md)\n"
    "\n"
    "options:\n"
    "  --block N       frames per processing block, 1..8192 (default 1024); the output\n"
    "                  bytes do not depend on it\n"
    "  --out DIR       write every output into DIR (file names as the script gives them)\n"
    "  --output NAME   render, info: only this output (its file name, its path's tail, or its\n"
    "                  name without extension: PM.wav, stems/DX.wav, DX); repeatable. Only\n"
    "                  the graph it needs runs; its bytes are the whole render's (docs/cluster.md)\n"
    "  --report DIR    render: also write a QC report into DIR: SCRIPT.report.html (plots\n"
    "                  of loudness, true peak, gain reduction against timecode) and\n"
    "                  SCRIPT.report.json (docs/report.md)\n"
    "  --quiet         no progress bar and no report (errors are still printed)\n"
    "  --no-measure    skip the loudness and true-peak report (a little faster)\n"
    "  --threads N     render: 1 or 2 threads (default 2: the mix's units of work - tracks,\n"
    "                  buses, file writing, the next block's reading - taken by two threads\n"
    "                  as they come free; one when the process may use one CPU only; the\n"
    "                  bytes are the same)\n"
    "  --pin           render: pin each of the two threads to a CPU of its own (default:\n"
    "                  they float, which is faster when other programs share the CPUs)\n"
    "  --lib DIR       let require find modules in DIR too (after the script's folder,\n"
    "                  before the standard library); repeatable; DUBSTAGE_LIB holds more,\n"
    "                  colon-separated (docs/recipes-sharing.md)\n"
    "  --allow-paths   let the script read and write files outside its folder\n"
    "  --max-instructions N  stop a script that runs more than N Lua instructions (time in C\n"
    "                  counts 2e8 a second; default 2e9; 0: no limit); render, info, automation,\n"
    "                  play, repl\n"
    "  --max-memory MB stop a script whose memory (Lua and what its calls build) passes MB MiB\n"
    "                  (default 1024; 0: no limit)\n"
    "  --from TC, --to TC  play: the range; render: the segment to write (timecode, or\n"
    "                  seconds such as 12.5)\n"
    "  --preroll S     render: seconds run before --from and not written, 0..3600\n"
    "                  (default: twice the longest memory of the graph's nodes)\n"
    "  --strict        render: refuse a segment whose pre-roll is shorter than a node's memory\n"
    "  --loop          play: loop the range\n"
    "  --bus NAME      play: the bus, track or output to hear (default: the first output)\n"
    "  --device NAME   play: the output device, or part of its name (see 'dubstage devices')\n"
    "  --buffer N      play: frames per audio callback (default: the device's)\n"
    "  --help          this text\n"
    "  --version       print the version, the SIMD path the kernels take and the CPU\n"
    "\n"
    "See README.md and docs/language.md for the mix language.\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    stop_requested = sig;
}

/* SIGINT and SIGTERM set stop_requested (on_signal) instead of ending the
 * process, so the temporary files of a render are removed and a live
 * stream stops cleanly. */
static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct {
    const char *command;
    const char *script;
    int block;
    int block_given; /* --block on the command line: two threads keep it too */
    const char *out_dir;
    int quiet;
    int measure;
    int allow_paths;
    const char *csv, *svg;
    const char *report_dir;   /* render --report DIR */
    const char *lanes[64];
    int nlanes;
    const char *from, *to, *bus, *device;
    int loop, buffer;
    int threads;
    int pin;
    double max_instructions, max_memory_mb; /* 0: the defaults; -1: no limit */
    vm_script_lib *libs;      /* --lib DIR..., then DUBSTAGE_LIB's folders (lib_folders) */
    int json, strict;         /* conform --json, --strict */
    const char *html;         /* conform --html FILE */
    int nlibs;
    repl_segment_args segment; /* render --preroll */
    const char **outputs;     /* render --output NAME..., room for argc (vm/output_select.h) */
    int noutputs;
} cli_args;

static int fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "dubstage: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nrun 'dubstage --help' for usage\n");
    return 2;
}

/* The library folders: --lib's (room for argc) and DUBSTAGE_LIB's, kept
 * for the life of the process and freed at exit (free_arg_lists), so no
 * exit path need free them. (A static alone is not enough for LeakSanitizer:
 * at -O1 GCC drops a static that is only written, and `make asan` reported
 * both lists as leaked.) */
static vm_script_lib *lib_folders;
static const char **output_names; /* render --output's, the same way */

static void free_arg_lists(void)
{
    free(lib_folders);
    free((void *)output_names);
}

/* An option that takes a value (s is argv[*ip]): the value read into a and
 * *ip moved past it. Returns 0 when taken, 2 on a usage error (said), -1
 * when s is not one of them. */
static int parse_valued_option(int argc, char **argv, int *ip, cli_args *a)
{
    const char *s = argv[*ip];
    if (strcmp(s, "--output") == 0) {
        if (*ip + 1 >= argc || !argv[*ip + 1][0])
            return fail_usage("option %s needs an output's name: --output PM.wav (repeatable)", s);
        a->outputs[a->noutputs++] = argv[++*ip];
        return 0;
    }
    if (strcmp(s, "--lib") == 0) {
        if (*ip + 1 >= argc || !argv[*ip + 1][0])
            return fail_usage("option %s needs a folder: --lib ../studio-recipes", s);
        a->libs[a->nlibs++] = (vm_script_lib){.dir = argv[++*ip], .origin = "--lib"};
        return 0;
    }
    if (strcmp(s, "--threads") == 0) {
        if (*ip + 1 >= argc)
            return fail_usage("option %s needs a value", s);
        const char *v = argv[++*ip];
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0)
            return fail_usage("--threads must be 1 or 2 (got '%s')", v);
        a->threads = v[0] - '0';
        return 0;
    }
    if (strcmp(s, "--from") == 0 || strcmp(s, "--to") == 0 || strcmp(s, "--bus") == 0 ||
        strcmp(s, "--device") == 0 || strcmp(s, "--buffer") == 0) {
        if (*ip + 1 >= argc)
            return fail_usage("option %s needs a value", s);
        const char *v = argv[++*ip];
        if (strcmp(s, "--buffer") == 0) {
            char *end;
            errno = 0;
            long b = strtol(v, &end, 10);
            if (*end || errno || b < 16 || b > 8192)
                return fail_usage("--buffer must be a whole number of frames from 16 to 8192 (got '%s')", v);
            a->buffer = (int)b;
        } else {
            *(strcmp(s, "--from") == 0 ? &a->from : strcmp(s, "--to") == 0 ? &a->to
              : strcmp(s, "--bus") == 0 ? &a->bus : &a->device) = v;
        }
        return 0;
    }
    if (strcmp(s, "--max-instructions") == 0 || strcmp(s, "--max-memory") == 0) {
        if (*ip + 1 >= argc)
            return fail_usage("option %s needs a value", s);
        const char *v = argv[++*ip];
        char *end;
        errno = 0;
        double x = strtod(v, &end);
        if (*end || errno || !(x >= 0) || x > 1e18)
            return fail_usage(s[6] == 'i' ? "--max-instructions must be a count such as 2e9, or 0 for no "
                                            "limit (got '%s')"
                                          : "--max-memory must be in MiB, such as 1024, or 0 for no limit (got '%s')",
                              v);
        *(s[6] == 'i' ? &a->max_instructions : &a->max_memory_mb) = x > 0 ? x : -1; /* -1: none */
        return 0;
    }
    if (strcmp(s, "--html") == 0) {
        if (*ip + 1 >= argc || !argv[*ip + 1][0])
            return fail_usage("option %s needs a file: --html conform.html", s);
        a->html = argv[++*ip];
        return 0;
    }
    if (strcmp(s, "--block") == 0 || strcmp(s, "--out") == 0 || strcmp(s, "--csv") == 0 ||
        strcmp(s, "--svg") == 0 || strcmp(s, "--report") == 0) {
        if (*ip + 1 >= argc)
            return fail_usage(strcmp(s, "--report") == 0 ? "option %s needs a folder: --report qc" :
                              "option %s needs a value", s);
        const char *v = argv[++*ip];
        if (strcmp(s, "--out") == 0) {
            a->out_dir = v;
            return 0;
        }
        if (strcmp(s, "--report") == 0) {
            if (!v[0] || (v[0] == '-' && v[1] == '-'))
                return fail_usage("--report needs a folder name, such as --report qc (got '%s')", v);
            a->report_dir = v;
            return 0;
        }
        if (strcmp(s, "--csv") == 0 || strcmp(s, "--svg") == 0) {
            *(s[2] == 'c' ? &a->csv : &a->svg) = v;
            return 0;
        }
        char *end;
        errno = 0;
        long b = strtol(v, &end, 10);
        if (*end || errno || b < 1 || b > PLAN_MAX_BLOCK)
            return fail_usage("--block must be a whole number from 1 to 8192 (got '%s')", v);
        a->block = (int)b;
        a->block_given = 1;
        return 0;
    }
    return -1;
}

static int parse_args(int argc, char **argv, cli_args *a)
{
    static const char *const options[] = {"--block", "--out",  "--quiet", "--no-measure", "--allow-paths",
                                          "--help",  "--version", "--csv", "--svg",  "--from",
                                          "--to",    "--loop",  "--bus",  "--device", "--buffer",
                                          "--threads", "--max-instructions", "--max-memory", "--report", "--lib",
                                          "--json", "--strict", "--html", "--pin", "--preroll", "--output", NULL};
    memset(a, 0, sizeof *a);
    atexit(free_arg_lists);
    size_t room = (size_t)argc + 1 + repl_lib_env_room();
    if (!(a->libs = lib_folders = calloc(room + 1, sizeof *a->libs))) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 1;
    }
    if (!(a->outputs = output_names = calloc((size_t)argc + 1, sizeof *a->outputs))) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 1;
    }
    a->block = 1024;
    a->measure = 1;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int taken = repl_segment_option(argc, argv, &i, &a->segment);
        if (taken == 2)
            return 2;
        if (taken)
            continue;
        int valued = parse_valued_option(argc, argv, &i, a);
        if (valued >= 0) {
            if (valued)
                return valued;
            continue;
        }
        if (strcmp(s, "--loop") == 0) {
            a->loop = 1;
        } else if (strcmp(s, "--json") == 0 || strcmp(s, "--strict") == 0) {
            *(s[2] == 'j' ? &a->json : &a->strict) = 1;
        } else if (strcmp(s, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(s, "--no-measure") == 0) {
            a->measure = 0;
        } else if (strcmp(s, "--allow-paths") == 0) {
            a->allow_paths = 1;
        } else if (strcmp(s, "--pin") == 0) {
            a->pin = 1;
        } else if (s[0] == '-' && s[1] == '-' && strcmp(s, "--help") && strcmp(s, "--version")) {
            const char *near = vm_suggest(s, options, (int)(sizeof options / sizeof options[0]) - 1);
            if (near) {
                fprintf(stderr, "dubstage: unknown option %s; did you mean %s?\n", s, near);
                return 2;
            }
            return fail_usage("unknown option %s", s);
        } else if (!a->command) {
            a->command = s;
        } else if (!a->script) {
            a->script = s;
        } else if (a->command && strcmp(a->command, "automation") == 0 && a->nlanes < 64) {
            a->lanes[a->nlanes++] = s;
        } else {
            return fail_usage("unexpected argument '%s'", s);
        }
    }
    if (repl_lib_env(a->libs, &a->nlibs) != 0) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 1;
    }
    return 0;
}

/* ---- progress bar ------------------------------------------------------- */

typedef struct {
    struct timespec t0;
    double last_print;
    int rate;
    int widest;             /* the longest line drawn, cleared at the end */
    double phase_start;     /* seconds since t0 when this bar began */
    int64_t phase_done0;    /* frames done when it began */
    char path[PATH_MAX];    /* a normalising pass's output ... */
    int pass;               /* ... and pass (0: the render) */
} progress_state;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Said even with --quiet: a file was removed. */
static void show_swept(void *user, const char *path)
{
    (void)user;
    fprintf(stderr, "dubstage: removed '%s', a temporary file left by a render that was killed\n", path);
}

/* The bar, then what it is about: "[####------]  40%  12.3x real time
 * ETA 4 s normalising out/PM.wav, pass 2". Redrawn at most every 0.2 s,
 * and once more when done (then cleared). */
static void draw_progress(progress_state *ps, int64_t done, int64_t total, const char *what)
{
    double el = seconds_since(&ps->t0);
    if (done < total && el - ps->last_print < 0.2)
        return;
    ps->last_print = el;
    double frac = total ? (double)done / (double)total : 1;
    int width = 30, fill = (int)(frac * width + 0.5);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[width] = 0;
    double since = el - ps->phase_start;
    double speed = since > 0 ? (double)(done - ps->phase_done0) / ps->rate / since : 0;
    double eta = speed > 0 ? (double)(total - done) / ps->rate / speed : 0;
    int shown = fprintf(stderr, "\r[%s] %3.0f%%  %6.1fx real time  ETA %4.0f s %s", bar, frac * 100, speed, eta, what);
    if (shown > ps->widest)
        ps->widest = shown;
    if (done >= total)
        fprintf(stderr, "\r%*s\r", ps->widest, "");
    fflush(stderr);
}

static void show_progress(void *user, int64_t done, int64_t total)
{
    draw_progress(user, done, total, "");
}

/* Each pass that writes a normalised output or its stem (docs/loudness.md),
 * on its own bar. */
static void show_pass_progress(void *user, const char *path, int pass, int64_t done, int64_t total)
{
    progress_state *ps = user;
    if (pass != ps->pass || strcmp(path, ps->path) != 0) { /* a new pass: its own speed, drawn at once */
        snprintf(ps->path, sizeof ps->path, "%s", path);
        ps->pass = pass;
        ps->phase_start = seconds_since(&ps->t0);
        ps->phase_done0 = 0;
        ps->last_print = -1;
    }
    char what[PATH_MAX + 64];
    snprintf(what, sizeof what, "normalising %s, pass %d", path, pass);
    draw_progress(ps, done, total, what);
}

/* ---- commands -------------------------------------------------------------- */

static void print_time(const plan *p, int64_t pos, char *buf, size_t n)
{
    vm_time_format(&p->tb, pos, buf, n);
}

static void print_warnings(const plan *p)
{
    if (p->warnings && p->warnings[0]) {
        const char *s = p->warnings;
        while (*s) {
            const char *nl = strchr(s, '\n');
            int len = nl ? (int)(nl - s) : (int)strlen(s);
            fprintf(stderr, "dubstage: warning: %.*s\n", len, s);
            s += len + (nl ? 1 : 0);
        }
    }
}

/* The modules the script required: which file each came from, and where. */
static void print_modules(const vm_desc *d)
{
    if (d->nmodules)
        printf("modules  %d, in the order loaded:\n", d->nmodules);
    for (int i = 0; i < d->nmodules; i++) {
        const vm_module_desc *m = &d->modules[i];
        printf("  %-20s %s  (%s; required at %s)\n", m->name, m->path, m->found_in, m->where);
    }
}

/* info: the units of work the render's threads take (vm/plan.h), in the
 * order they take them: each one's ops (numbered as listed above) and the
 * units it waits for. */
static void print_units(const plan *p)
{
    int *start = calloc((size_t)p->nunits + 2, sizeof *start), *pred = NULL;
    int nedges = p->unit_succ_start[p->nunits];
    if (!start || !(pred = malloc((size_t)(nedges ? nedges : 1) * sizeof *pred))) {
        free(start);
        return;
    }
    for (int u = 0; u < p->nunits; u++) /* the waits by the unit waiting: start[u + 1] counts up to u's end */
        start[u + 2] = start[u + 1] + p->unit_npred[u];
    for (int v = 0; v < p->nunits; v++)
        for (int j = p->unit_succ_start[v]; j < p->unit_succ_start[v + 1]; j++)
            pred[start[p->unit_succ[j] + 1]++] = v;
    printf("units    %d units of work for the render's two threads, in the order they take them:\n", p->nunits);
    for (int k = 0; k < p->nunits; k++) {
        int u = p->unit_order[k];
        printf("  %3d  ops", u + 1);
        for (int j = p->unit_op_start[u]; j < p->unit_op_start[u + 1]; j++)
            printf("%s %d", j > p->unit_op_start[u] ? "," : "", p->unit_ops[j] + 1);
        for (int j = start[u]; j < start[u + 1]; j++)
            printf("%s %d", j == start[u] ? "; after units" : ",", pred[j] + 1);
        printf("\n");
    }
    int nread = 0;
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls->read_ahead)
            printf("%s %d", nread++ ? "," : "         read ahead (the next block's clips, during each block): ops", i + 1);
    if (nread)
        printf("\n");
    free(start);
    free(pred);
}

/* info: the line over the spotted clips: how many, on how many tracks, and
 * the crossfades among them (spot's dissolves and wipes, as they are now). */
static void print_spotted(const vm_desc *d)
{
    int tracks = 0, xfades = vm_desc_spot_crossfades(d);
    unsigned char *seen = calloc((size_t)d->nstrips + 1, 1);
    for (int i = 0; seen && i < d->nspots; i++) {
        tracks += !seen[d->spots[i].strip];
        seen[d->spots[i].strip] = 1;
    }
    printf("spotted  %d clips from edits (spot)", d->nspots);
    if (seen)
        printf(" on %d track%s", tracks, tracks == 1 ? "" : "s");
    if (xfades >= 0)
        printf(", %d crossfade%s (a dissolve or wipe)", xfades, xfades == 1 ? "" : "s");
    printf("; now clips of their tracks:\n");
    free(seen);
}

/* The strips that run late to meet a later path (vm/compile_graph.c),
 * one line per amount. */
static void print_run_late(const plan *p)
{
    for (int i = 0; i < p->nstrips; i++) {
        int late = p->strip_run_late[i], first = 1;
        for (int j = 0; j < i && first; j++)
            first = p->strip_run_late[j] != late;
        if (!late || !first)
            continue;
        printf("latency  %d samples (%.2f ms) late, to meet a later path (read late instead of delayed):", late,
               1000.0 * late / p->tb.rate);
        for (int j = i; j < p->nstrips; j++)
            if (p->strip_run_late[j] == late)
                printf(" '%s'", p->strip_names[j]);
        printf("\n");
    }
}

static int cmd_info(const plan *p, const vm_desc *d)
{
    char a[64], b[64];
    print_time(p, 0, a, sizeof a);
    print_time(p, p->length, b, sizeof b);
    printf("session  %d Hz, %s fps%s, %s to %s (%.3f s, %lld samples)\n", p->tb.rate, p->tb.fps.name,
           p->tb.start_drop ? " drop-frame" : "", a, b, (double)p->length / p->tb.rate, (long long)p->length);
    int tracks = 0, buses = 0, clips = 0;
    for (int i = 0; i < d->nstrips; i++) {
        if (d->strips[i].kind == VM_STRIP_TRACK)
            tracks++;
        else
            buses++;
        clips += d->strips[i].nclips;
    }
    printf("strips   %d tracks, %d buses, %d clips\n", tracks, buses, clips);
    for (int i = 0; i < d->nstrips; i++) {
        const vm_strip_desc *s = &d->strips[i];
        int ch = s->channels ? s->channels : 1;
        vm_layout l = vm_layout_resolve(s->layout, ch);
        char names[96];
        vm_layout_describe(l, ch, names, sizeof names);
        printf("  %-5s '%s'  %s (%s)\n", s->kind == VM_STRIP_TRACK ? "track" : "bus", s->name,
               l == VM_LAYOUT_PLAIN ? "plain" : vm_layout_name(l), names);
    }
    if (d->conform) {
        printf("conform  moved from %s to %s (%s): ", d->conform->from_path, d->conform->to_path, d->conform->where);
        vm_conform_report_summary(stdout, d->conform);
        printf("; 'dubstage conform %s' lists every change\n", d->script_path);
    }
    if (d->nspots)
        print_spotted(d);
    for (int i = 0; i < d->nspots; i++) {
        const vm_spot_desc *sp = &d->spots[i];
        const vm_clip_desc *k = &d->strips[sp->strip].clips[sp->clip];
        char at[64], end[64], fades[96] = "", chan[32] = "";
        print_time(p, k->at, at, sizeof at);
        print_time(p, k->at + k->length, end, sizeof end);
        if (k->fade_in || k->fade_out)
            snprintf(fades, sizeof fades, ", fades %.3f / %.3f s", (double)k->fade_in / p->tb.rate,
                     (double)k->fade_out / p->tb.rate);
        if (k->channel)
            snprintf(chan, sizeof chan, ", channel %d", k->channel);
        printf("  %s event %d A%d -> track '%s' %s to %s, from %.3f s%s%s: %s\n", sp->from, sp->event, sp->track,
               d->strips[sp->strip].name, at, end, (double)k->from / p->tb.rate, fades, chan, k->path);
    }
    printf("ops      %d, in this order:\n", p->nops);
    for (int i = 0; i < p->nops; i++)
        printf("  %3d  %s\n", i + 1, p->ops[i].label);
    print_units(p);
    printf("buffers  %d channel buffers of %d frames (%.1f KiB), plan arena %.1f KiB\n", p->nbuffers, p->max_block,
           p->nbuffers * (double)p->max_block * sizeof(float) / 1024.0, p->arena.used_total / 1024.0);
    printf("outputs  %d\n", p->noutputs);
    for (int i = 0; i < p->noutputs; i++) {
        const plan_output *po = &p->outputs[i];
        int order[VM_MAX_CHANNELS];
        char file_order[160] = "", nm[16];
        size_t used = 0;
        vm_layout_file_order(po->layout, po->channels, order);
        for (int k = 0; k < po->channels && used < sizeof file_order - 20; k++)
            used += (size_t)snprintf(file_order + used, sizeof file_order - used, "%s%s", k ? " " : "",
                                     vm_layout_channel_name(po->layout, order[k], nm, sizeof nm));
        printf("  %s  <- '%s' (%d ch, %s, %s%s)\n", po->path, po->strip, po->channels,
               vm_layout_name(po->layout), vm_out_format_name(po->format), po->latency ? "" : ", no latency");
        if (po->normalize.on)
            printf("         normalized to %.1f LUFS, ceiling %.1f dBTP (a gain, and a true-peak limiter where peaks "
                   "need it; %s)\n", po->normalize.integrated_lufs, po->normalize.true_peak_dbtp,
                   po->normalize.stems ? "the outputs upstream take its gain" : "stems = false");
        else if (po->follows >= 0)
            printf("         a stem of %s: takes its static gain\n", p->outputs[po->follows].path);
        const char *fmt = vm_out_format_name(po->format);
        unsigned mask = (unsigned)vm_layout_mask(po->layout);
        if (fmt[0] == 'w')
            printf("         file order %s, channel mask 0x%X\n", file_order, mask);
        else if (fmt[0] == 'f')
            printf("         file order %s (FLAC's order for %d channels; FLAC carries no mask)\n", file_order,
                   po->channels);
        else if (mask && po->channels > 1)
            printf("         file order %s, CHAN chunk for mask 0x%X\n", file_order, mask);
        else
            printf("         file order %s\n", file_order);
    }
    for (int k = 0; k < d->ndeliverables; k++) {
        const vm_deliverable_desc *dv = &d->deliverables[k];
        char name[4200], limits[1024] = "", lim[64];
        size_t used = 0;
        for (int m = 0; m < VM_MEASURE_COUNT; m++)
            if (dv->spec.limit[m].given && used < sizeof limits)
                used += (size_t)snprintf(limits + used, sizeof limits - used, "%s%s %s", used ? ", " : "",
                                         vm_measures[m].label,
                                         vm_delivery_limit_text((vm_measure)m, &dv->spec.limit[m], lim, sizeof lim));
        printf("deliver  %s  spec %s (%s): %s%s%s%s\n", vm_judge_name(d, k, name, sizeof name), dv->spec.name,
               dv->where, limits, dv->dialogue >= 0 ? "; dialogue on '" : "",
               dv->dialogue >= 0 ? d->strips[dv->dialogue].name : "", dv->dialogue >= 0 ? "'" : "");
    }
    for (int i = 0; i < p->nstrips; i++) {
        int path = p->strip_latency[i] - p->strip_run_late[i];
        if (path)
            printf("latency  '%s': %d samples (%.2f ms) on its path (look-aheads, convolution partitions)\n", p->strip_names[i],
                   path, 1000.0 * path / p->tb.rate);
    }
    print_run_late(p);
    for (int i = 0; i < p->noutputs; i++)
        if (p->outputs[i].latency)
            printf("latency  '%s' runs %d samples (%.2f ms) late (look-ahead, convolution): %s is read that much later, so it "
                   "stays aligned to picture\n", p->outputs[i].strip, p->outputs[i].latency,
                   1000.0 * p->outputs[i].latency / p->tb.rate, p->outputs[i].path);
    print_modules(d);
    print_warnings(p);
    return 0;
}

static void fmt_db(double v, const char *unit, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (isinf(v))
        snprintf(buf, n, "-inf %s", unit);
    else
        snprintf(buf, n, "%.1f %s", v, unit);
}

typedef double measures_row[VM_MEASURE_COUNT];

/* Each deliverable's measures from a render's reports (a row each; the
 * caller frees them), or NULL when out of memory (said). */
static measures_row *judged_values(const vm_desc *d, const plan *p, const vm_render_report *rep)
{
    measures_row *values = calloc((size_t)(d->ndeliverables ? d->ndeliverables : 1), sizeof *values);
    if (!values) {
        fprintf(stderr, "dubstage: out of memory\n");
        return NULL;
    }
    for (int k = 0; k < d->ndeliverables; k++)
        vm_judge_measures(d, p, rep, k, values[k]);
    return values;
}

/* What normalising did to output i (docs/loudness.md#normalising-an-output). */
static void print_normalize(const plan *p, const vm_render_report *rep, int i)
{
    const vm_normalize_report *nr = &rep[i].normalize;
    if (!nr->on)
        return;
    if (nr->follows >= 0) {
        printf("    stem of %s: its static gain %+.2f dB, no limiter\n", p->outputs[nr->follows].path, nr->gain_db);
        if (rep[i].clipped)
            printf("    its peaks go over full scale with that gain: write the stems as wav32f or aiff32f, "
                   "or say stems = false\n");
        return;
    }
    char tp[32];
    fmt_db(nr->before_true_peak_dbtp, "dBTP", tp, sizeof tp);
    printf("    normalized to %.1f LUFS, ceiling %.1f dBTP: measured %.2f LUFS, %s; gain %+.2f dB (%d %s)\n",
           nr->target_lufs, nr->ceiling_dbtp, nr->before_lufs, tp, nr->gain_db, nr->passes,
           nr->passes == 1 ? "pass" : "passes");
    const vm_limiter_activity *la = &nr->limiter;
    if (la->segments == 0) {
        printf("    limiter: no limiting (0 segments): the file is the mix times the gain\n");
    } else {
        printf("    limiter: %d %s, %.1f ms in all, up to %.2f dB of reduction; first at", la->segments,
               la->segments == 1 ? "segment" : "segments", 1000.0 * (double)la->limited_frames / p->tb.rate,
               la->max_reduction_db);
        for (int k = 0; k < la->nfirst; k++) {
            char tc[64];
            print_time(p, la->first_at[k], tc, sizeof tc);
            printf("%s %s", k ? "," : "", tc);
        }
        printf("\n");
    }
    printf("    checked as written: %.2f LUFS (target %.1f +-%.1f LU), true peak %.2f dBTP (ceiling %.1f)\n",
           nr->after.m.integrated_lufs, nr->target_lufs, VM_NORMALIZE_TOLERANCE_LU, nr->after.m.true_peak_dbtp,
           nr->ceiling_dbtp);
}

/* The summary's line on the render's threads (docs/threads.md): how many
 * blocks ran on two and on one, and the tries that chose; or why there was
 * no second thread. */
static void print_threads(const vm_render_threads *t)
{
    char what[512];
    if (t->threads == 2)
        printf("threads  %s; blocks of %d frames on two threads\n", sched_tally_describe(&t->tally, what, sizeof what),
               t->two_block);
    else
        printf("threads  one: %s\n", t->why_one ? t->why_one : "not recorded");
}

/* The plan a render or check runs: for blocks of up to 8192 frames while
 * two threads work (vm_render_compile), or of --block throughout when the
 * command line gave --block (what the user asked for holds on both sides). */
static ds_result render_compile(const vm_desc *d, const cli_args *a, plan **out, char *err)
{
    return a->block_given ? vm_compile(d, a->block, out, err) : vm_render_compile(d, a->block, a->threads, out, err);
}

/* Renders p with a progress bar (unless quiet), its reports into *reps
 * (p->noutputs + p->nmeters, the caller frees them) and the seconds it took
 * into *elapsed. Returns the exit status: 0, 1 on an error (printed), 130
 * or 143 when stopped by a signal. */
static int run_render(plan *p, const cli_args *a, int measure, vm_qc_series *qc, const vm_segment *seg,
                      vm_render_report **reps, double *elapsed, vm_render_threads *threads)
{
    char err[DS_ERR_LEN];
    vm_render_report *rep = calloc((size_t)(p->noutputs + p->nmeters ? p->noutputs + p->nmeters : 1), sizeof *rep);
    *reps = rep;
    if (!rep) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 1;
    }
    progress_state ps = {.rate = p->tb.rate};
    clock_gettime(CLOCK_MONOTONIC, &ps.t0);
    vm_render_opts ro = {
        .block = a->block,
        .two_block = p->max_block, /* vm_render_compile's */
        .measure = measure,
        .threads = a->threads,
        .pin = a->pin,
        .stop = &stop_requested,
        .progress = (!a->quiet && isatty(2)) ? show_progress : NULL,
        .pass_progress = (!a->quiet && isatty(2)) ? show_pass_progress : NULL,
        .qc = qc,
        .swept = show_swept,
        .user = &ps,
        .segment = seg && seg->on ? seg : NULL,
        .threads_used = threads,
    };
    if (!a->quiet)
        print_warnings(p);
    ds_result r = vm_render(p, &ro, rep, err);
    *elapsed = seconds_since(&ps.t0);
    if (r != DS_OK) {
        if (ro.progress)
            fprintf(stderr, "\n");
        fprintf(stderr, "dubstage: %s\n", err);
        return r == DS_ERR_INTERRUPTED ? 128 + (int)stop_requested : 1; /* 130 Ctrl-C, 143 SIGTERM */
    }
    return 0;
}

/* The QC report: JSON, then the page, each written whole or not at all. */
static int write_report(const vm_qc_series *qc, const plan *p, const vm_desc *d, const vm_render_report *rep,
                        const char *dir, char (*paths)[PATH_MAX], int quiet)
{
    char err[DS_ERR_LEN];
    vm_qc_context ctx;
    if (vm_path_mkdirs(dir, err) != DS_OK) {
        fprintf(stderr, "dubstage: --report '%s': %s\n", dir, err);
        return 1;
    }
    vm_qc_spec *specs = calloc((size_t)qc->nstreams + 1, sizeof *specs);
    if (!specs) {
        fprintf(stderr, "dubstage: out of memory for the report\n");
        return 1;
    }
    vm_qc_specs_from_deliverables(qc, d, p, rep, specs);
    vm_qc_context_load(&ctx, d);
    if (ctx.warning[0])
        fprintf(stderr, "dubstage: warning: %s\n", ctx.warning);
    vm_qc_input in = {.q = qc, .p = p, .d = d, .specs = specs, .ctx = &ctx};
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        vm_tmpfile tmp;
        FILE *f = repl_text_open(paths[i], &tmp);
        if (!f) {
            rc = 1;
            break;
        }
        if (i == 0)
            vm_qc_write_json(f, &in);
        else
            vm_qc_write_html(f, &in);
        rc = repl_text_commit(f, &tmp, paths[i]);
    }
    vm_qc_context_free(&ctx);
    free(specs);
    if (rc == 0 && !quiet)
        printf("report   %s\n         %s\n", paths[1], paths[0]);
    return rc;
}

/* The manifest of a render (docs/manifest.md): its place checked and the
 * inputs hashed before rendering (a manifest that cannot be written stops
 * the render before it starts), hashes of files unchanged since the last
 * manifest there taken from it. */
static int manifest_begin(const vm_desc *d, const cli_args *a, vm_manifest *now, char *mpath, size_t n)
{
    char err[DS_ERR_LEN], root[PATH_MAX];
    vm_manifest disk;
    vm_manifest_path(d, mpath, n);
    if (vm_manifest_check_place(d, mpath, err) != DS_OK) {
        memset(now, 0, sizeof *now);
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    vm_manifest_root(d, root, sizeof root);
    int have = vm_manifest_read(mpath, root, &disk, err) == DS_OK;
    ds_result r = vm_manifest_build(now, d, "/proc/self/exe", DS_VERSION, a->out_dir, a->allow_paths,
                                    have ? &disk : NULL, err);
    vm_manifest_free(&disk);
    if (r != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    return 0;
}

/* vm_manifest_record for the render of p into rep, with the outputs'
 * hashes the render took as it wrote them (the others read back). */
static ds_result record_render(vm_manifest *m, const vm_desc *d, const plan *p, const cli_args *a,
                               const vm_render_report *rep, const vm_render_threads *threads,
                               const measures_row *values, char *err)
{
    m->threads_ran = threads->threads;
    m->threads_run = threads->tally;
    const char **written = calloc((size_t)(p->noutputs ? p->noutputs : 1), sizeof *written);
    for (int i = 0; written && i < p->noutputs; i++)
        written[i] = rep[i].sha256;
    m->written_sha256 = written; /* out of memory: NULL, every output read back */
    ds_result r = vm_manifest_record(m, d, p, a->block, a->threads ? a->threads : 2, values, err);
    m->written_sha256 = NULL;
    free(written);
    return r;
}

static int cmd_render(plan *p, const vm_desc *d, const cli_args *a, char (*report_paths)[PATH_MAX])
{
    vm_render_report *rep;
    double el;
    char err[DS_ERR_LEN], mpath[PATH_MAX + 32];
    vm_qc_series *qc = NULL;
    vm_manifest man;
    vm_segment seg;
    int rc = repl_segment_prepare(p, a->from, a->to, &a->segment, a->strict, &seg);
    if (rc)
        return rc;
    if (seg.on && a->report_dir) {
        fprintf(stderr, "dubstage: --report covers the whole programme: leave out --from/--to/--preroll, or --report\n");
        return 2;
    }
    if (manifest_begin(d, a, &man, mpath, sizeof mpath) != 0) {
        vm_manifest_free(&man);
        return 1;
    }
    /* the report's folder first: a folder that cannot be made stops before the render, not after */
    if (a->report_dir && vm_path_mkdirs(a->report_dir, err) != DS_OK) {
        fprintf(stderr, "dubstage: --report '%s': %s\n", a->report_dir, err);
        vm_manifest_free(&man);
        return 1;
    }
    if (a->report_dir && vm_qc_create(p, d, &qc, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        vm_manifest_free(&man);
        return 1;
    }
    man.segment = seg;
    int measured = a->measure || qc; /* a report judges deliverables: it measures */
    vm_render_threads threads = {0};
    rc = run_render(p, a, measured, qc, &seg, &rep, &el, &threads);
    if (rc) {
        free(rep);
        vm_qc_free(&qc);
        vm_manifest_free(&man);
        return rc;
    }
    /* deliverables are judged on a whole programme, never on a segment */
    measures_row *values = measured && !seg.on ? judged_values(d, p, rep) : NULL;
    if (measured && !seg.on && !values)
        rc = 1;
    if (!a->quiet) {
        char s0[64], s1[64];
        print_time(p, 0, s0, sizeof s0);
        print_time(p, p->length, s1, sizeof s1);
        double secs = (double)p->length / p->tb.rate;
        if (seg.on) {
            char what[256];
            repl_segment_describe(p, &seg, what, sizeof what);
            secs = (double)(seg.to - seg.from + vm_segment_run_preroll(&seg)) / p->tb.rate;
            printf("rendered %s in %.2f s, %.0fx real time\n", what, el, el > 0 ? secs / el : 0);
        } else {
            printf("rendered %s to %s (%.2f s) in %.2f s, %.0fx real time\n", s0, s1, secs, el,
                   el > 0 ? secs / el : 0);
        }
        print_threads(&threads);
        for (int i = 0; i < p->noutputs; i++) {
            char pk[32], tp[32], lu[32], lra[32], mm[32], ms[32];
            fmt_db(rep[i].sample_peak_dbfs, "dBFS", pk, sizeof pk);
            fmt_db(rep[i].true_peak_dbtp, "dBTP", tp, sizeof tp);
            fmt_db(rep[i].integrated_lufs, "LUFS", lu, sizeof lu);
            fmt_db(rep[i].range_lu, "LU", lra, sizeof lra);
            fmt_db(rep[i].max_momentary_lufs, "", mm, sizeof mm);
            fmt_db(rep[i].max_short_term_lufs, "", ms, sizeof ms);
            printf("  %s  (%s, %d ch)\n    I %-11s LRA %-8s max M %-7s max S %-7s true peak %-11s peak %s", p->outputs[i].path,
                   vm_out_format_name(p->outputs[i].format), p->outputs[i].channels, lu, lra, mm, ms, tp, pk);
            if (rep[i].clipped)
                printf("  CLIPPED %lld samples", (long long)rep[i].clipped);
            printf("\n");
            print_normalize(p, rep, i);
        }
        if (values && d->ndeliverables)
            vm_judge_print(stdout, d, (const measures_row *)values);
    }
    if (rc == 0 && (record_render(&man, d, p, a, rep, &threads, (const measures_row *)values, err) != DS_OK ||
                    vm_manifest_write(&man, mpath, err) != DS_OK)) {
        fprintf(stderr, "dubstage: %s\n", err);
        rc = 1;
    }
    if (rc == 0 && qc)
        rc = write_report(qc, p, d, rep, a->report_dir, report_paths, a->quiet);
    free(values);
    free(rep);
    vm_qc_free(&qc);
    vm_manifest_free(&man);
    return rc;
}

/* The deliverables of the script d judged, on a render or on the last
 * check's render when the manifest says it is still the render of what is
 * there (docs/delivery.md). Exit status 0 when every deliverable meets its
 * spec, 1 when one misses (the report names it) or on an error. *pp: the
 * plan when one was compiled (freed by the caller). */
static int cmd_check(vm_desc *d, const cli_args *a, plan **pp)
{
    char err[DS_ERR_LEN], mpath[PATH_MAX + 32], why[PATH_MAX + 64] = "no earlier check";
    if (d->ndeliverables == 0) {
        fprintf(stderr, "dubstage: %s declares no deliverable: add deliver { \"out/PM.wav\", from = pm, spec = "
                        "\"ebu-r128\" } (docs/delivery.md)\n", a->script);
        return 1;
    }
    vm_manifest_path(d, mpath, sizeof mpath);
    if (vm_manifest_check_place(d, mpath, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    vm_manifest disk, now;
    int have, fresh, rc = 1, reused = 0;
    measures_row *values = NULL;
    vm_render_report *rep = NULL;
    double el = 0;
    vm_render_threads threads = {0};
    if (vm_manifest_compare(&now, &disk, &have, &fresh, d, mpath, "/proc/self/exe", DS_VERSION, a->out_dir,
                            a->allow_paths, why, sizeof why, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        goto done;
    }
    if (fresh) {
        if (disk.ndeliverables == d->ndeliverables) {
            reused = 1;
            /* the outputs and measures recorded stand */
            if (vm_manifest_reuse(&now, &disk, mpath, err) != DS_OK)
                fprintf(stderr, "dubstage: warning: %s\n", err);
            values = now.values;
        } else if (disk.ndeliverables < 0) {
            snprintf(why, sizeof why, "the last render did not measure its deliverables (--no-measure)");
        } else {
            snprintf(why, sizeof why, "the deliverables changed");
        }
    }
    if (!reused) {
        catch_stop_signals();
        if (vm_duck_analyse(d, a->block, err) != DS_OK ||
            render_compile(d, a, pp, err) != DS_OK) {
            fprintf(stderr, "dubstage: %s\n", err);
            goto done;
        }
        if ((rc = run_render(*pp, a, 1, NULL, NULL, &rep, &el, &threads)) != 0)
            goto done;
        rc = 1;
        if (!(values = judged_values(d, *pp, rep)))
            goto done;
        if (record_render(&now, d, *pp, a, rep, &threads, (const measures_row *)values, err) != DS_OK ||
            vm_manifest_write(&now, mpath, err) != DS_OK) {
            fprintf(stderr, "dubstage: %s\n", err);
            goto done;
        }
    }
    int missed = 0;
    for (int k = 0; k < d->ndeliverables; k++)
        missed += vm_judge_failures(d, k, values[k]) > 0;
    char how[PATH_MAX + 128];
    if (reused)
        snprintf(how, sizeof how, "reused the last render: nothing it depends on changed");
    else
        snprintf(how, sizeof how, "rendered in %.1f s (%s)", el, why);
    int n = d->ndeliverables;
    if (missed) {
        vm_judge_print(stdout, d, (const measures_row *)values);
        printf("check %s: FAIL: %d of %d deliverable%s miss%s %s spec; %s\n", a->script, missed, n, n > 1 ? "s" : "",
               missed > 1 ? "" : "es", missed > 1 ? "their" : "its", how);
    } else {
        printf("check %s: pass: %d deliverable%s meet%s %s spec%s; %s\n", a->script, n, n > 1 ? "s" : "",
               n > 1 ? "" : "s", n > 1 ? "their" : "its", n > 1 ? "s" : "", how);
    }
    rc = missed ? 1 : 0;
done:
    if (!reused)
        free(values);
    free(rep);
    vm_manifest_free(&now);
    vm_manifest_free(&disk);
    return rc;
}

static const char *const cli_commands[] = {"render", "info", "automation", "play", "repl", "devices", "loudness",
                                           "check", "help", "new", "diff", "plan", "conform", "join", NULL};

static int is_command(const char *word)
{
    for (int i = 0; cli_commands[i]; i++)
        if (strcmp(word, cli_commands[i]) == 0)
            return 1;
    return 0;
}

static int unknown_command(const char *word)
{
    const char *near = vm_suggest(word, cli_commands, (int)(sizeof cli_commands / sizeof cli_commands[0]) - 1);
    fprintf(stderr, "dubstage: unknown command '%s'%s%s%s\nrun 'dubstage --help' for usage\n", word,
            near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    return 2;
}

/* DUBSTAGE_SIMD narrows the kernels' SIMD path (dsp_simd_cap): "avx2"
 * (nothing wider), "sse2" (no AVX2 either); "avx512" or unset, the widest
 * the CPU has. Every path gives the same bytes; the tests run each. 0, or
 * 2 with the message printed. */
static int simd_from_env(void)
{
    static const char *const names[] = {"avx512", "avx2", "sse2", NULL};
    static const int caps[] = {DSP_SIMD_ANY, DSP_SIMD_NO_WIDE, DSP_SIMD_NO_AVX2};
    const char *v = getenv("DUBSTAGE_SIMD");
    if (!v || !*v)
        return 0;
    for (int i = 0; names[i]; i++)
        if (strcmp(v, names[i]) == 0) {
            dsp_simd_cap = caps[i];
            return 0;
        }
    const char *near = vm_suggest(v, names, 3);
    fprintf(stderr, "dubstage: DUBSTAGE_SIMD must be avx512, avx2 or sse2 (got '%s')%s%s%s\n", v,
            near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    return 2;
}

/* --version: the version, the SIMD path the kernels take here and the
 * CPU's model (/proc/cpuinfo), so figures from two machines are not mixed
 * up. */
static void print_version(void)
{
    char line[512], model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(model, sizeof model, "%s", colon + 1 + (colon[1] == ' '));
            model[strcspn(model, "\n")] = 0;
            break;
        }
    }
    if (f)
        fclose(f);
    printf("dubstage %s\nsimd: %s\ncpu: %s\n", DS_VERSION, dsp_simd_path(), model);
}

/* The stdlib folder: DUBSTAGE_STDLIB, else the one this build installed. */
static const char *stdlib_path(void)
{
    const char *env = getenv("DUBSTAGE_STDLIB");
    return env ? env : DS_STDLIB_DIR;
}

/* The commands that take words of their own, not a script and its options
 * (dubstage loudness --json a.wav b.wav): 1 with *rc set when argv names
 * one, else 0. */
static int run_own_words_command(int argc, char **argv, int *rc)
{
    if (argc < 2)
        return 0;
    if (strcmp(argv[1], "loudness") == 0)
        *rc = repl_loudness(argc - 2, argv + 2);
    else if (strcmp(argv[1], "diff") == 0)
        *rc = repl_diff(argc - 2, argv + 2);
    else if (strcmp(argv[1], "plan") == 0)
        *rc = repl_plan(argc - 2, argv + 2, stdlib_path());
    else if (strcmp(argv[1], "join") == 0)
        *rc = repl_join(argc - 2, argv + 2);
    else
        return 0;
    return 1;
}

/* The files a render's --report, conform's --html or automation's --csv
 * and --svg write, and where: names as given to the script (checked
 * against its inputs and outputs once it has run), in their folders, paths
 * as resolved by it. */
typedef struct {
    char names[2][PATH_MAX], paths[2][PATH_MAX], dirs[2][PATH_MAX];
    const char *files[2], *dir_of[2], *option[2];
    char html_dir[PATH_MAX];
} report_files;

/* Notes file `path`, written by `option`, as r's next file: its folder
 * and its name in that folder. */
static void report_file_add(report_files *r, int *n, const char *option, const char *path)
{
    const char *base = vm_path_basename(path);
    snprintf(r->dirs[*n], PATH_MAX, "%.*s", base > path ? (int)(base - path) : 1, base > path ? path : ".");
    snprintf(r->names[*n], PATH_MAX, "%s", base);
    r->option[*n] = option;
    (*n)++;
}

/* Refuses options given to a command that has none such; fills the
 * script options' report files from --report DIR (SCRIPT.report.json and
 * .html), conform's --html FILE or automation's --csv and --svg FILE. 0,
 * or 2 with the message printed. */
static int script_report_options(const cli_args *a, vm_script_opts *so, report_files *r)
{
    int n = 0;
    if (a->segment.preroll && strcmp(a->command, "render") != 0)
        return fail_usage("--preroll is an option of render, not %s: dubstage render SCRIPT --from TC "
                          "--to TC --preroll S", a->command);
    if (a->noutputs && strcmp(a->command, "render") != 0 && strcmp(a->command, "info") != 0)
        return fail_usage("--output is an option of render (and info, to see the graph it runs): dubstage render %s "
                          "--output PM.wav", a->script);
    if (a->report_dir && strcmp(a->command, "render") != 0)
        return fail_usage("--report is an option of render: dubstage render %s --report DIR", a->script);
    if ((a->json || a->html || (a->strict && strcmp(a->command, "render") != 0)) && strcmp(a->command, "conform") != 0)
        return fail_usage("%s: --json and --html are options of conform, --strict of conform and render (a segment): "
                          "dubstage conform SCRIPT --json", a->command);
    snprintf(r->html_dir, sizeof r->html_dir, ".");
    if (a->html) { /* checked as the QC report is (never over an input or an output) */
        report_file_add(r, &n, "--html", a->html);
        snprintf(r->html_dir, sizeof r->html_dir, "%s", r->dirs[0]);
    }
    if (a->report_dir) {
        const char *base = vm_path_basename(a->script);
        size_t len = strlen(base);
        if (len > 4 && strcmp(base + len - 4, ".lua") == 0)
            len -= 4;
        for (int i = 0; i < 2; i++) {
            snprintf(r->names[i], PATH_MAX, "%.*s.report.%s", (int)len, base, i ? "html" : "json");
            snprintf(r->dirs[i], PATH_MAX, "%s", a->report_dir);
            r->option[i] = "--report";
        }
        n = 2;
    }
    if (strcmp(a->command, "automation") == 0) { /* never over the script, a clip, or each other */
        if (a->csv)
            report_file_add(r, &n, "--csv", a->csv);
        if (a->svg)
            report_file_add(r, &n, "--svg", a->svg);
    }
    for (int i = 0; i < n; i++) {
        r->files[i] = r->names[i];
        r->dir_of[i] = r->dirs[i];
    }
    so->nreport_files = n;
    if (n) {
        so->report_files = r->files;
        so->report_dirs = r->dir_of;
        so->report_options = r->option;
        so->report_paths = r->paths;
    }
    return 0;
}

/* play and repl: the script runs live (repl/live_cmd.c). */
static int run_live(const cli_args *a, const vm_script_opts *so)
{
    live_args la = {.script = a->script, .so = *so, .bus = a->bus, .from = a->from, .to = a->to, .loop = a->loop,
                    .stop = &stop_requested};
    la.so.interrupt = &stop_requested; /* Ctrl-C stops a script stuck in a loop, too */
    vm_live_opts_init(&la.lo);
    la.lo.device = a->device;
    la.lo.buffer = a->buffer;
    catch_stop_signals();
    if (strcmp(a->command, "repl") == 0) {
        sigaction(SIGINT, &(struct sigaction){.sa_handler = SIG_DFL}, NULL); /* the console handles Ctrl-C */
        return repl_live(&la);
    }
    return repl_play(&la);
}

/* render, info, automation, check and conform: the script loaded, then
 * each command as far as it needs (the duck analysis, the plan). */
static int run_offline(cli_args *a, const vm_script_opts *so, report_files *r)
{
    vm_desc d;
    char err[DS_ERR_LEN];
    plan *p = NULL;
    int rc = 1;
    if (vm_script_load(a->script, so, &d, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        goto done;
    }
    /* The Lua state is gone: give its pages back before rendering, so peak
     * memory is the larger of the two phases, not their sum (a script's
     * size, its number of clips, stays out of the render's footprint). */
    malloc_trim(0);
    if (a->noutputs && vm_output_select(&d, a->outputs, a->noutputs, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        rc = 2;
        goto done;
    }
    if (strcmp(a->command, "check") == 0) {
        rc = cmd_check(&d, a, &p);
        goto done;
    }
    if (strcmp(a->command, "conform") == 0) {
        rc = repl_conform(&d, a->json, a->html ? r->paths[0] : NULL, r->html_dir, a->strict);
        goto done;
    }
    if (vm_duck_analyse(&d, a->block, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        goto done;
    }
    if (strcmp(a->command, "automation") == 0) {
        rc = repl_automation(&d, a->lanes, a->nlanes, a->csv, a->svg);
        goto done;
    }
    d.live_meters = a->report_dir != NULL; /* the report meters every bus */
    /* info shows the plan at --block; a render's may be larger on two threads */
    if ((strcmp(a->command, "info") == 0 ? vm_compile(&d, a->block, &p, err) : render_compile(&d, a, &p, err)) !=
        DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        goto done;
    }
    if (strcmp(a->command, "info") == 0) {
        rc = cmd_info(p, &d);
    } else {
        /* Caught only while rendering, when there are temporary files to
         * remove. Before that a signal ends the process the default way,
         * which also stops a script stuck in a loop: no file exists yet. */
        catch_stop_signals();
        rc = cmd_render(p, &d, a, r->paths);
    }
done:
    vm_plan_free(&p);
    vm_desc_free(&d);
    return rc;
}

int main(int argc, char **argv)
{
    /* Clip readers take and return buffers of 8 KiB to 1 MiB as clips start
     * and end. Served from mmap they go back to the system on free, so
     * memory stays flat over a long programme instead of creeping as glibc's
     * heap absorbs them (tests/render/memory.sh: +19% over 60 min with the
     * default threshold, +5..7% with this one). */
    mallopt(M_MMAP_THRESHOLD, 8 * 1024);
    /* One heap for every thread. Since the render's two threads take units
     * of work as they come (vm/sched.c), glibc's heap of the second thread
     * grew with the programme's length: memory.sh measured +16..20% over
     * 60 min on two threads, +2% on --threads 1, +3..4% with this. */
    mallopt(M_ARENA_MAX, 1);
    if (simd_from_env() != 0)
        return 2;
    int rc;
    if (run_own_words_command(argc, argv, &rc))
        return rc;
    /* a misspelt command is named before the words after it are read as a
     * script's options (dubstage dif a b: did you mean 'diff'?) */
    if (argc >= 2 && argv[1][0] != '-' && !is_command(argv[1]))
        return unknown_command(argv[1]);
    cli_args a;
    rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            print_version();
            return 0;
        }
    }
    if (!a.command || strcmp(a.command, "help") == 0) {
        fputs(usage_text, a.command ? stdout : stderr);
        return a.command ? 0 : 2;
    }
    if (strcmp(a.command, "devices") == 0)
        return repl_devices();
    if (strcmp(a.command, "new") == 0) {
        if (!a.script)
            return fail_usage("%s needs the folder to start: dubstage new reel1", a.command);
        repl_new_paths np = {.template_dir = DS_TEMPLATE_DIR, .editors_dir = DS_EDITORS_DIR, .stdlib_dir = stdlib_path()};
        return repl_new(a.script, &np);
    }
    if (strcmp(a.command, "loudness") == 0)
        return fail_usage("%s comes first, its options after it: dubstage loudness [--json] FILE...", a.command);
    if (strcmp(a.command, "render") != 0 && strcmp(a.command, "info") != 0 && strcmp(a.command, "automation") != 0 &&
        strcmp(a.command, "play") != 0 && strcmp(a.command, "repl") != 0 && strcmp(a.command, "check") != 0 &&
        strcmp(a.command, "conform") != 0) {
        return unknown_command(a.command);
    }
    if (!a.script)
        return fail_usage("%s needs a script: dubstage render mix.lua", a.command);

    char stdlib_dir[PATH_MAX];
    snprintf(stdlib_dir, sizeof stdlib_dir, "%s", stdlib_path());
    vm_script_opts so = {.out_dir = a.out_dir, .allow_any_path = a.allow_paths, .stdlib_dir = stdlib_dir,
                         .libs = a.libs, .nlibs = a.nlibs,
                         .max_instructions = a.max_instructions, .max_memory_mb = a.max_memory_mb};
    report_files r;
    rc = script_report_options(&a, &so, &r);
    if (rc)
        return rc;
    if (strcmp(a.command, "play") == 0 || strcmp(a.command, "repl") == 0)
        return run_live(&a, &so);
    return run_offline(&a, &so, &r);
}
