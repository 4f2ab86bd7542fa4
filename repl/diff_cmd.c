/* diff_cmd.c - `dubstage diff A B` (repl/diff_cmd.h, docs/diff.md).
 *
 * Each side is turned into a list of items (a name and the file to read):
 * an audio file is one item; a manifest lists its outputs, found relative
 * to the manifest's own folder (a render folder copied elsewhere still
 * finds its own files); a folder is the outputs of the manifests at its
 * top, or, with none there, every audio file under it. Items pair by name
 * (two files pair whatever their names), and each pair is null-tested by
 * vm/audio_diff.h. Positions print as SMPTE timecode when the session's
 * frame rate is known (a manifest, or --fps), else as seconds; always with
 * the sample. */
#include "repl/diff_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "vm/audio_diff.h"
#include "vm/json.h"
#include "vm/layout.h"
#include "vm/manifest.h"
#include "vm/path.h"
#include "vm/suggest.h"
#include "vm/timecode.h"

static const char diff_usage[] =
    "usage: dubstage diff A B [--threshold DB] [--gap S] [--fps RATE] [--start TC] [--json]\n"
    "  null-tests two renders: two audio files, two render folders, or two manifests\n"
    "  (SCRIPT.manifest.json). Per output and channel: peak and RMS of the difference\n"
    "  (dBFS), the first and last place they differ, and the spans where the\n"
    "  difference is above the threshold.\n"
    "  --threshold DB  a difference counts above DB dBFS (default -120; -200 to 0)\n"
    "  --gap S         spans closer than S seconds are one (default 0.5)\n"
    "  --fps RATE      print SMPTE timecode at RATE (23.976, 24, 25, 29.97, 29.97df,\n"
    "                  30, 48, 50, 59.94, 59.94df, 60); a manifest gives its session's\n"
    "  --start TC      the timecode of the files' first sample (default: the\n"
    "                  manifest's session start, else A's BWF time reference)\n"
    "  --json          one JSON object instead of the text report\n"
    "  Exit status 0: identical (or below the threshold); 1: they differ (or an\n"
    "  output is missing on one side, or has another length, channel count or\n"
    "  rate); 2: an error. See docs/diff.md.\n";

#define DIFF_MAX_DEPTH 16

typedef struct {
    char *name;       /* what pairs it with the other side's item */
    char *path;       /* where it is read */
    char layout[16];  /* the manifest's layout word, "" when none */
} diff_item;

typedef enum { SIDE_FILE, SIDE_FOLDER, SIDE_MANIFEST } side_kind;

typedef struct {
    const char *arg;
    side_kind kind;
    diff_item *items;
    int n, cap;
    vm_manifest_session session; /* rate 0: no manifest said */
    int64_t first;               /* the session sample of its files' first sample: a segment
                                    render's --from (docs/segments.md), else 0 */
} diff_side;

typedef struct {
    double threshold_db;
    double gap_s;
    const char *fps, *start;
    int json;
} diff_opts;

/* How positions print for one pair. */
typedef struct {
    int rate;
    int smpte;         /* tb is set */
    vm_timebase tb;
} diff_clock;

static int add_item(diff_side *s, const char *name, const char *path, const char *layout)
{
    if (s->n == s->cap) {
        int ncap = s->cap ? 2 * s->cap : 16;
        diff_item *items = realloc(s->items, (size_t)ncap * sizeof *items);
        if (!items)
            return -1;
        s->items = items, s->cap = ncap;
    }
    diff_item *it = &s->items[s->n];
    memset(it, 0, sizeof *it);
    it->name = strdup(name);
    it->path = strdup(path);
    snprintf(it->layout, sizeof it->layout, "%s", layout ? layout : "");
    if (!it->name || !it->path) {
        free(it->name);
        free(it->path);
        return -1;
    }
    s->n++;
    return 0;
}

static void side_free(diff_side *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->items[i].name);
        free(s->items[i].path);
    }
    free(s->items);
    s->items = NULL;
    s->n = s->cap = 0;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcasecmp(s + n - t, tail) == 0;
}

static int is_audio_name(const char *name)
{
    static const char *const ext[] = {".wav", ".wave", ".bwf", ".rf64", ".w64", ".flac", ".aif",
                                      ".aiff", ".aifc", ".caf", ".ogg", ".oga", ".opus", NULL};
    for (int i = 0; ext[i]; i++)
        if (ends_with(name, ext[i]))
            return 1;
    return 0;
}

static const diff_item *find_item(const diff_side *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->items[i].name, name) == 0)
            return &s->items[i];
    return NULL;
}

/* The outputs of the manifest at path as items: an output under the first
 * output's folder is found at the same place under the manifest's folder
 * and named by its path there ("PM.wav", "stems/DX.wav"); one elsewhere
 * (an absolute path) as recorded. A name already listed (two scripts
 * rendered into one folder, each with its manifest) is kept from the
 * first manifest: the file is the same. */
static int add_manifest(diff_side *s, const char *path, char *err)
{
    vm_manifest m;
    ds_result r = vm_manifest_read(path, NULL, &m, err);
    if (r != DS_OK) {
        vm_manifest_free(&m);
        return -1;
    }
    if (!s->session.rate) {
        s->session = m.session;
        s->first = m.segment.on ? m.segment.from : 0;
    }
    char mdir[PATH_MAX], at[2 * PATH_MAX];
    vm_path_dirname(path, mdir, sizeof mdir);
    int rc = 0;
    for (int i = 0; i < m.noutputs && rc == 0; i++) {
        const char *p = m.outputs[i].path, *name = vm_manifest_output_name(&m, i);
        int under = name != p;
        snprintf(at, sizeof at, "%s/%s", mdir, name);
        if (!find_item(s, name))
            rc = add_item(s, name, under ? at : p, m.outputs[i].layout);
    }
    if (rc)
        ds_fail(err, DS_ERR_NOMEM, "out of memory");
    vm_manifest_free(&m);
    return rc;
}

/* Every audio file under dir (dot files skipped: temporary files), named
 * by its path under the top folder. */
static int add_folder_audio(diff_side *s, const char *dir, const char *prefix, int depth, char *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        ds_fail(err, DS_ERR_IO, "cannot read the folder '%s': %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX + 256], name[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < DIFF_MAX_DEPTH)
            rc = add_folder_audio(s, path, name, depth + 1, err);
        else if (S_ISREG(st.st_mode) && is_audio_name(e->d_name) && add_item(s, name, path, NULL) != 0) {
            ds_fail(err, DS_ERR_NOMEM, "out of memory");
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(((const diff_item *)x)->name, ((const diff_item *)y)->name);
}

/* The manifests at the top of folder dir ("*.manifest.json"), in name
 * order; their outputs are the folder's items. 0 when there is none. */
static int add_folder_manifests(diff_side *s, const char *dir, int *found, char *err)
{
    *found = 0;
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        ds_fail(err, DS_ERR_IO, "cannot read the folder '%s': %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && names[i]->d_name[0] != '.' && ends_with(names[i]->d_name, ".manifest.json")) {
            char path[PATH_MAX + 256];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            rc = add_manifest(s, path, err);
            ++*found;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* The items of side s (s->arg given). -1 with err naming the path. */
static int side_load(diff_side *s, char *err)
{
    struct stat st;
    if (stat(s->arg, &st) != 0) {
        ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", s->arg, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        s->kind = SIDE_FOLDER;
        int found;
        if (add_folder_manifests(s, s->arg, &found, err) != 0)
            return -1;
        if (!found && add_folder_audio(s, s->arg, "", 0, err) != 0)
            return -1;
        qsort(s->items, (size_t)s->n, sizeof *s->items, by_name);
        return 0;
    }
    if (ends_with(s->arg, ".json")) {
        s->kind = SIDE_MANIFEST;
        return add_manifest(s, s->arg, err);
    }
    s->kind = SIDE_FILE;
    if (add_item(s, vm_path_basename(s->arg), s->arg, NULL) != 0) {
        ds_fail(err, DS_ERR_NOMEM, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- printing ------------------------------------------------------------ */

static double db_of(double linear)
{
    return linear > 0 ? 20.0 * log10(linear) : -INFINITY;
}

static void fmt_db(double linear, char *buf, size_t n)
{
    if (linear > 0)
        snprintf(buf, n, "%.2f dBFS", db_of(linear));
    else
        snprintf(buf, n, "-inf dBFS");
}

/* "01:00:02:12+417 (sample 120417)" or "2.508688 s (sample 120417)" */
static void fmt_pos(const diff_clock *k, int64_t pos, char *buf, size_t n)
{
    char when[64];
    if (k->smpte)
        vm_time_format(&k->tb, pos, when, sizeof when);
    else
        snprintf(when, sizeof when, "%.6f s", (double)pos / k->rate);
    snprintf(buf, n, "%s (sample %lld)", when, (long long)pos);
}

static void json_pos(const diff_clock *k, int64_t pos)
{
    printf("{\"sample\": %lld, \"seconds\": ", (long long)pos);
    vm_json_number(stdout, (double)pos / k->rate, 6);
    printf(", \"timecode\": ");
    if (k->smpte) {
        char tc[64];
        vm_time_format(&k->tb, pos, tc, sizeof tc);
        vm_json_string(stdout, tc);
    } else {
        printf("null");
    }
    printf("}");
}

static void json_db(double linear)
{
    if (linear > 0)
        vm_json_number(stdout, db_of(linear), 3);
    else
        printf("\"-inf\"");
}

/* a name for a terminal: control bytes as \xNN */
static void print_name(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            printf("\\x%02X", *p);
        else
            putchar(*p);
}

static void channel_name(const diff_item *it, int channels, int c, char *buf, int n)
{
    vm_layout l;
    char err[DS_ERR_LEN];
    int order[VM_MAX_CHANNELS];
    if (it && it->layout[0] && vm_layout_parse(it->layout, &l, err) == DS_OK && channels <= VM_MAX_CHANNELS) {
        vm_layout_file_order(l, channels, order);
        vm_layout_channel_name(l, order[c], buf, n);
    } else {
        snprintf(buf, (size_t)n, "%d", c + 1);
    }
}

/* ---- one pair ----------------------------------------------------------- */

typedef enum { PAIR_IDENTICAL, PAIR_BELOW, PAIR_DIFFERS, PAIR_MISSING_A, PAIR_MISSING_B, PAIR_ERROR } pair_status;

static const char *const status_words[] = {"identical", "below_threshold", "differs", "missing_in_a",
                                           "missing_in_b", "error"};

typedef struct {
    const diff_item *a, *b;
    pair_status status;
    char note[3][PATH_MAX + 160]; /* rate, channel count, length differences */
    int nnotes;
    char error[DS_ERR_LEN];
    vm_audio_diff d;
    diff_clock clock;
} diff_pair;

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The clock of a pair: the session's timecode (A's manifest, else B's),
 * with --fps and --start over it. -1 with err on a bad --fps or --start. */
static int pair_clock(diff_pair *p, const diff_side *sa, const diff_side *sb, const diff_opts *o, char *err)
{
    diff_clock *k = &p->clock;
    k->rate = p->d.a.rate ? p->d.a.rate : 48000;
    const diff_side *ss = sa->session.rate ? sa : sb->session.rate ? sb : NULL;
    const vm_manifest_session *se = ss ? &ss->session : NULL;
    const char *fps_word = o->fps ? o->fps : se ? se->fps : NULL;
    if (!fps_word)
        return 0;
    vm_fps fps;
    char word[32];
    snprintf(word, sizeof word, "%s", fps_word);
    size_t len = strlen(word);
    int drop = !o->fps && se ? se->drop_frame : len > 2 && strcasecmp(word + len - 2, "df") == 0 &&
                                                     !(len > 3 && (word[len - 3] == 'n' || word[len - 3] == 'N'));
    if (vm_fps_parse(word, &fps, err) != DS_OK)
        return -1;
    if (drop && !fps.drop_per_min) {
        ds_fail(err, DS_ERR_ARG, "--fps %s: %s has no drop-frame timecode", fps_word, fps.name);
        return -1;
    }
    k->tb.rate = k->rate;
    k->tb.fps = fps;
    k->tb.start_drop = drop;
    /* the timecode of the files' first sample: the session's start plus a
     * segment's start; else the file's BWF time reference (a render writes
     * that sum there) */
    k->tb.start_samples = se && se->rate == k->rate ? se->start_samples + ss->first
                          : p->d.a.time_reference > 0 ? p->d.a.time_reference : 0;
    if (o->start) {
        int64_t frames;
        int is_drop = 0;
        if (vm_tc_parse(&fps, o->start, &frames, &is_drop, err) != DS_OK)
            return -1;
        k->tb.start_samples = vm_tc_frames_to_samples(&fps, k->rate, frames);
        k->tb.start_drop = is_drop || drop;
    }
    k->tb.start_frames = vm_tc_samples_to_frames(&fps, k->rate, k->tb.start_samples);
    k->smpte = 1;
    return 0;
}

static void pair_compare(diff_pair *p, const vm_audio_diff_opts *ao)
{
    if (!p->a || !file_exists(p->a->path)) {
        p->status = PAIR_MISSING_A;
        return;
    }
    if (!p->b || !file_exists(p->b->path)) {
        p->status = PAIR_MISSING_B;
        return;
    }
    if (vm_audio_diff_files(p->a->path, p->b->path, ao, &p->d, p->error) != DS_OK) {
        p->status = PAIR_ERROR;
        return;
    }
    const vm_media_info *a = &p->d.a, *b = &p->d.b;
    if (a->rate != b->rate)
        snprintf(p->note[p->nnotes++], sizeof p->note[0], "rates differ: %d Hz in A, %d Hz in B: not compared",
                 a->rate, b->rate);
    if (a->channels != b->channels)
        snprintf(p->note[p->nnotes++], sizeof p->note[0], "channel counts differ: %d in A, %d in B%s", a->channels,
                 b->channels, p->d.channels ? " (the first ones compared)" : "");
    if (a->frames != b->frames)
        snprintf(p->note[p->nnotes++], sizeof p->note[0],
                 "lengths differ: %lld samples in A, %lld in B (%lld more in %s)%s", (long long)a->frames,
                 (long long)b->frames, (long long)llabs(a->frames - b->frames), a->frames > b->frames ? "A" : "B",
                 p->d.frames ? ": the common part compared" : "");
    int above = 0, below = 0;
    for (int c = 0; c < p->d.channels; c++) {
        above |= p->d.ch[c].above > 0;
        below |= p->d.ch[c].first >= 0;
    }
    p->status = above || p->nnotes ? PAIR_DIFFERS : below ? PAIR_BELOW : PAIR_IDENTICAL;
}

static void print_channel_text(const diff_pair *p, int c, const diff_opts *o)
{
    const vm_audio_diff_channel *ch = &p->d.ch[c];
    char nm[16], pk[32], rms[32], at[96], first[96], last[96];
    channel_name(p->a, p->d.a.channels, c, nm, sizeof nm);
    if (ch->first < 0) {
        printf("    ch %-4s identical\n", nm);
        return;
    }
    fmt_db(ch->peak, pk, sizeof pk);
    fmt_db(sqrt(ch->sum_squares / (double)p->d.frames), rms, sizeof rms);
    fmt_pos(&p->clock, ch->peak_at, at, sizeof at);
    fmt_pos(&p->clock, ch->first, first, sizeof first);
    fmt_pos(&p->clock, ch->last, last, sizeof last);
    printf("    ch %-4s %s: peak %s at %s, RMS %s\n", nm, ch->above ? "differs" : "differs below the threshold", pk,
           at, rms);
    printf("             first %s, last %s\n", first, last);
    if (!ch->above)
        return;
    printf("             %lld sample%s above %.1f dBFS in %lld span%s:\n", (long long)ch->above,
           ch->above == 1 ? "" : "s", o->threshold_db, (long long)(ch->nspans + ch->spans_unlisted),
           ch->nspans + ch->spans_unlisted == 1 ? "" : "s");
    enum { TEXT_SPANS = 20 };
    for (int k = 0; k < ch->nspans && k < TEXT_SPANS; k++) {
        const vm_audio_diff_span *s = &ch->spans[k];
        fmt_pos(&p->clock, s->start, first, sizeof first);
        fmt_pos(&p->clock, s->end - 1, last, sizeof last);
        fmt_db(s->peak, pk, sizeof pk);
        printf("               %s to %s  peak %s\n", first, last, pk);
    }
    long long more = (long long)(ch->nspans > TEXT_SPANS ? ch->nspans - TEXT_SPANS : 0) + ch->spans_unlisted;
    if (more)
        printf("               and %lld more (--json lists %d)\n", more, VM_AUDIO_DIFF_SPANS);
}

static void print_pair_text(const diff_pair *p, const diff_side *sa, const diff_side *sb, const diff_opts *o)
{
    const char *name = p->a ? p->a->name : p->b->name;
    print_name(name);
    switch (p->status) {
    case PAIR_MISSING_A:
    case PAIR_MISSING_B: {
        const diff_side *s = p->status == PAIR_MISSING_A ? sa : sb;
        const diff_item *it = p->status == PAIR_MISSING_A ? p->a : p->b;
        printf(": missing in %s (", p->status == PAIR_MISSING_A ? "A" : "B");
        if (it) {
            printf("listed, but there is no file ");
            print_name(it->path);
        } else {
            printf("not in ");
            print_name(s->arg);
        }
        printf(")\n");
        return;
    }
    case PAIR_ERROR:
        printf(": not compared: ");
        print_name(p->error);
        printf("\n");
        return;
    default:
        break;
    }
    printf(": %s (%d ch, %lld samples at %d Hz)\n",
           p->status == PAIR_IDENTICAL ? "identical" : p->status == PAIR_BELOW ? "differs only below the threshold"
                                                                               : "differs",
           p->d.a.channels, (long long)p->d.a.frames, p->d.a.rate);
    for (int k = 0; k < p->nnotes; k++)
        printf("    %s\n", p->note[k]);
    if (p->status == PAIR_IDENTICAL)
        return;
    for (int c = 0; c < p->d.channels; c++)
        print_channel_text(p, c, o);
}

static void print_pair_json(const diff_pair *p, int first)
{
    printf("%s\n    {\"name\": ", first ? "" : ",");
    vm_json_string(stdout, p->a ? p->a->name : p->b->name);
    printf(", \"status\": \"%s\", \"a\": ", status_words[p->status]);
    if (p->a)
        vm_json_string(stdout, p->a->path);
    else
        printf("null");
    printf(", \"b\": ");
    if (p->b)
        vm_json_string(stdout, p->b->path);
    else
        printf("null");
    if (p->status == PAIR_ERROR) {
        printf(", \"error\": ");
        vm_json_string(stdout, p->error);
    }
    if (p->status >= PAIR_MISSING_A) {
        printf("}");
        return;
    }
    const vm_media_info *a = &p->d.a, *b = &p->d.b;
    printf(",\n     \"rate\": [%d, %d], \"channels\": [%d, %d], \"length_samples\": [%lld, %lld], \"notes\": [",
           a->rate, b->rate, a->channels, b->channels, (long long)a->frames, (long long)b->frames);
    for (int k = 0; k < p->nnotes; k++) {
        printf("%s", k ? ", " : "");
        vm_json_string(stdout, p->note[k]);
    }
    printf("],\n     \"timecode\": ");
    if (p->clock.smpte) {
        char start[32];
        vm_tc_format(&p->clock.tb.fps, p->clock.tb.start_frames, p->clock.tb.start_drop, start, sizeof start);
        printf("{\"fps\": \"%s\", \"drop_frame\": %s, \"start\": \"%s\", \"start_samples\": %lld}",
               p->clock.tb.fps.name, p->clock.tb.start_drop ? "true" : "false", start,
               (long long)p->clock.tb.start_samples);
    } else {
        printf("null");
    }
    printf(",\n     \"per_channel\": [");
    for (int c = 0; c < p->d.channels; c++) {
        const vm_audio_diff_channel *ch = &p->d.ch[c];
        char nm[16];
        channel_name(p->a, a->channels, c, nm, sizeof nm);
        printf("%s\n      {\"channel\": %d, \"name\": ", c ? "," : "", c + 1);
        vm_json_string(stdout, nm);
        printf(", \"identical\": %s, \"peak_dbfs\": ", ch->first < 0 ? "true" : "false");
        json_db(ch->peak);
        printf(", \"rms_dbfs\": ");
        json_db(p->d.frames ? sqrt(ch->sum_squares / (double)p->d.frames) : 0);
        printf(", \"samples_above\": %lld", (long long)ch->above);
        if (ch->first >= 0) {
            printf(",\n       \"peak_at\": ");
            json_pos(&p->clock, ch->peak_at);
            printf(",\n       \"first\": ");
            json_pos(&p->clock, ch->first);
            printf(",\n       \"last\": ");
            json_pos(&p->clock, ch->last);
        }
        printf(",\n       \"spans\": [");
        for (int k = 0; k < ch->nspans; k++) {
            const vm_audio_diff_span *s = &ch->spans[k];
            printf("%s\n        {\"first\": ", k ? "," : "");
            json_pos(&p->clock, s->start);
            printf(", \"last\": ");
            json_pos(&p->clock, s->end - 1);
            printf(", \"peak_dbfs\": ");
            json_db(s->peak);
            printf(", \"peak_at\": ");
            json_pos(&p->clock, s->peak_at);
            printf("}");
        }
        printf("%s], \"spans_unlisted\": %lld}", ch->nspans ? "\n       " : "", (long long)ch->spans_unlisted);
    }
    printf("%s]}", p->d.channels ? "\n     " : "");
}

/* ---- the command --------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dubstage diff: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nrun 'dubstage diff --help' for usage\n");
    return 2;
}

static int parse_number(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno || !(x >= lo && x <= hi)) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s must be a number from %g to %g (got '%%s')", opt, lo, hi);
        return usage_error(msg, v);
    }
    *out = x;
    return 0;
}

static int parse_diff_args(int argc, char **argv, diff_opts *o, const char **a, const char **b)
{
    static const char *const options[] = {"--threshold", "--gap", "--fps", "--start", "--json", "--help", NULL};
    int words_only = 0;
    *a = *b = NULL;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!words_only && strcmp(s, "--") == 0) {
            words_only = 1;
        } else if (!words_only && strcmp(s, "--json") == 0) {
            o->json = 1;
        } else if (!words_only && (strcmp(s, "--threshold") == 0 || strcmp(s, "--gap") == 0 ||
                                   strcmp(s, "--fps") == 0 || strcmp(s, "--start") == 0)) {
            if (i + 1 >= argc)
                return usage_error("option %s needs a value", s);
            const char *v = argv[++i];
            int rc = 0;
            if (strcmp(s, "--threshold") == 0)
                rc = parse_number(s, v, -200, 0, &o->threshold_db);
            else if (strcmp(s, "--gap") == 0)
                rc = parse_number(s, v, 0, 3600, &o->gap_s);
            else
                *(strcmp(s, "--fps") == 0 ? &o->fps : &o->start) = v;
            if (rc)
                return rc;
        } else if (!words_only && s[0] == '-' && s[1] == '-') {
            const char *near = vm_suggest(s, options, 6);
            if (near) {
                fprintf(stderr, "dubstage diff: unknown option %s; did you mean %s?\n", s, near);
                return 2;
            }
            return usage_error("unknown option %s", s);
        } else if (!*a) {
            *a = s;
        } else if (!*b) {
            *b = s;
        } else {
            return usage_error("one A and one B: what is '%s'?", s);
        }
    }
    if (!*b)
        return usage_error("%s", "needs two renders: dubstage diff A B (files, folders or manifests)");
    return 0;
}


/* The pairs of the two sides: by name, A's order, then B's items A lacks;
 * two files pair whatever their names. */
static diff_pair *make_pairs(const diff_side *sa, const diff_side *sb, int *n)
{
    diff_pair *pairs = calloc((size_t)(sa->n + sb->n + 1), sizeof *pairs);
    *n = 0;
    if (!pairs)
        return NULL;
    if (sa->kind == SIDE_FILE && sb->kind == SIDE_FILE) {
        pairs[0].a = &sa->items[0], pairs[0].b = &sb->items[0];
        *n = 1;
        return pairs;
    }
    for (int i = 0; i < sa->n; i++) {
        pairs[*n].a = &sa->items[i];
        pairs[*n].b = find_item(sb, sa->items[i].name);
        ++*n;
    }
    for (int i = 0; i < sb->n; i++)
        if (!find_item(sa, sb->items[i].name))
            pairs[(*n)++].b = &sb->items[i];
    return pairs;
}

int repl_diff(int argc, char **argv)
{
    diff_opts o = {.threshold_db = -120, .gap_s = 0.5};
    const char *arg_a, *arg_b;
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(diff_usage, stdout);
            return 0;
        }
    int rc = parse_diff_args(argc, argv, &o, &arg_a, &arg_b);
    if (rc)
        return rc;
    diff_side sa = {.arg = arg_a}, sb = {.arg = arg_b};
    char err[DS_ERR_LEN];
    diff_pair *pairs = NULL;
    int npairs = 0;
    rc = 2;
    if (side_load(&sa, err) != 0 || side_load(&sb, err) != 0) {
        fprintf(stderr, "dubstage diff: %s\n", err);
        goto done;
    }
    if ((sa.kind == SIDE_FILE) != (sb.kind == SIDE_FILE)) {
        fprintf(stderr, "dubstage diff: '%s' is %s and '%s' is %s: compare a file with a file, or a folder or "
                        "manifest with a folder or manifest\n", sa.arg, sa.kind == SIDE_FILE ? "a file" : "not",
                sb.arg, sb.kind == SIDE_FILE ? "a file" : "not");
        goto done;
    }
    if (sa.n == 0 && sb.n == 0) {
        fprintf(stderr, "dubstage diff: no audio file and no manifest in '%s' or '%s'\n", sa.arg, sb.arg);
        goto done;
    }
    if (!(pairs = make_pairs(&sa, &sb, &npairs))) {
        fprintf(stderr, "dubstage diff: out of memory\n");
        goto done;
    }
    int differ = 0, errors = 0;
    if (o.json) {
        printf("{\"dubstage_diff\": 1, \"a\": ");
        vm_json_string(stdout, sa.arg);
        printf(", \"b\": ");
        vm_json_string(stdout, sb.arg);
        printf(", \"threshold_dbfs\": ");
        vm_json_number(stdout, o.threshold_db, 3);
        printf(", \"gap_s\": ");
        vm_json_number(stdout, o.gap_s, 6);
        printf(",\n  \"outputs\": [");
    }
    for (int i = 0; i < npairs; i++) {
        diff_pair *p = &pairs[i];
        vm_audio_diff_opts ao = {.threshold = pow(10.0, o.threshold_db / 20.0), .gap_s = o.gap_s};
        pair_compare(p, &ao);
        if (p->status != PAIR_ERROR && p->status < PAIR_MISSING_A && pair_clock(p, &sa, &sb, &o, err) != 0) {
            fprintf(stderr, "dubstage diff: %s\n", err);
            goto done;
        }
        if (p->status == PAIR_ERROR) {
            fprintf(stderr, "dubstage diff: %s\n", p->error);
            errors++;
        }
        differ += p->status >= PAIR_DIFFERS && p->status != PAIR_ERROR;
        if (o.json)
            print_pair_json(p, i == 0);
        else
            print_pair_text(p, &sa, &sb, &o);
    }
    if (o.json) {
        printf("\n  ],\n  \"compared\": %d, \"differ\": %d, \"errors\": %d}\n", npairs, differ, errors);
    } else {
        printf("diff: ");
        if (differ)
            printf("%d of %d output%s differ%s", differ, npairs, npairs == 1 ? "" : "s", differ == 1 ? "s" : "");
        else
            printf("%s", npairs == 1 ? "identical" : "every output identical");
        printf(" (threshold %.1f dBFS)%s\n", o.threshold_db, errors ? "; errors above" : "");
        printf("  A = ");
        print_name(sa.arg);
        printf("\n  B = ");
        print_name(sb.arg);
        printf("\n");
    }
    rc = errors ? 2 : differ ? 1 : 0;
done:
    for (int i = 0; i < npairs; i++)
        vm_audio_diff_free(&pairs[i].d);
    free(pairs);
    side_free(&sa);
    side_free(&sb);
    return rc;
}
