/* markers.c - marker lists (Pro Tools, Resolve EDL, Avid, CSV, plain) read
 * into named cues. The formats and their detection are described in
 * markers.h.
 *
 * The file is read whole into one buffer, turned into UTF-8 with LF line
 * ends, and parsed in place: CSV unescaping only ever shrinks a field, so
 * fields are spans of the buffer and need no allocation. Names are copied
 * out; a sorted index answers lookups and finds duplicates.
 */
#include "vm/markers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/suggest.h"
#include "vm/textfile.h"

#define MAX_FILE_BYTES (64L << 20) /* far beyond any marker list; bounds a mistaken file */
#define QUOTE_MAX 96               /* bytes of a name or time quoted in a message */

typedef struct {
    char *name;
    int64_t position;
    int line;
} cue;

typedef struct {
    const char *name;
    int line;
    int index;
} entry;

struct vm_markers {
    char *path;
    int n, cap;
    cue *cues;          /* file order */
    const char **names; /* file order, for vm_suggest */
    entry *sorted;      /* by name (bytes), then line */
};

typedef enum { FMT_PLAIN, FMT_TABLE, FMT_PROTOOLS, FMT_AVID, FMT_EDL } fmt;

static const char *const fmt_names[] = {
    "plain 'TIME NAME' lines", "a table with a header line", "a Pro Tools marker listing",
    "an Avid marker list", "an EDL with markers",
};

typedef struct {
    char *p;
    size_t n;
} span;

typedef struct {
    const char *path;
    const vm_timebase *tb;
    char *err;
    vm_markers *m;
    fmt format;
    char *p, *end; /* unread text; *end == '\0' */
    int line;      /* line number of p */
    int quotes;    /* tables: RFC 4180 quoting (Avid and Pro Tools write none) */
    span *fields;  /* the current record */
    int nf, fcap;
} loader;

static const char *const name_cols[] = {
    "name", "marker name", "marker", "cue", "description", "comment", "comments", "notes", "note",
};
static const char *const time_cols[] = {
    "timecode", "tc", "record in", "position", "location", "start", "time", "in", "source in",
};
#define N_NAME_COLS ((int)(sizeof name_cols / sizeof name_cols[0]))
#define N_TIME_COLS ((int)(sizeof time_cols / sizeof time_cols[0]))

/* ---- small text helpers ---- */

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static span trim(span s)
{
    while (s.n > 0 && is_space((unsigned char)s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_space((unsigned char)s.p[s.n - 1]))
        s.n--;
    return s;
}

static span span_of(char *p, size_t n)
{
    span s;
    s.p = p;
    s.n = n;
    return s;
}

/* Case-insensitive prefix test on a NUL-terminated s. */
static int starts_with_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
            return 0;
    return 1;
}

/* Copies s (at most QUOTE_MAX bytes, cut on a UTF-8 boundary, "..." when
 * cut; control characters shown as spaces) into buf for a message. */
static const char *shown(span s, char *buf, size_t cap)
{
    size_t n = s.n, i;
    int cut = 0;
    if (n > QUOTE_MAX && QUOTE_MAX + 4 <= cap) {
        n = QUOTE_MAX;
        while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
            n--;
        cut = 1;
    } else if (n + 1 > cap) {
        n = cap - 1;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        buf[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    if (cut) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static const char *shown_str(const char *s, char *buf, size_t cap)
{
    return shown(span_of((char *)s, strlen(s)), buf, cap);
}

/* "HH:MM:SS:FF" shape: four groups of 1-2 digits joined by ':' or ';'. */
static int tc_shaped(span s)
{
    size_t i = 0;
    s = trim(s);
    for (int g = 0; g < 4; g++) {
        size_t d = 0;
        while (i < s.n && is_digit((unsigned char)s.p[i]) && d < 3) {
            i++;
            d++;
        }
        if (d < 1 || d > 2)
            return 0;
        if (g < 3) {
            if (i >= s.n || (s.p[i] != ':' && s.p[i] != ';'))
                return 0;
            i++;
        }
    }
    return i == s.n;
}

/* ---- cues ---- */

static ds_result nomem(loader *L)
{
    return ds_fail(L->err, DS_ERR_NOMEM, "out of memory reading marker file '%s'", L->path);
}

/* Adds a cue: name is trimmed (an empty name is skipped), time is parsed.
 * name_line is where the name was written, time_line where the time was.
 * drop: give a ':'-only timecode ';' before its frames (EDL "FCM: DROP"). */
static ds_result add_cue(loader *L, span name, span time, int name_line, int time_line, int drop)
{
    char tbuf[128], terr[DS_ERR_LEN], shown_name[QUOTE_MAX + 4], shown_time[QUOTE_MAX + 4];
    int64_t pos = 0;
    ds_result r;
    cue *c;

    name = trim(name);
    time = trim(time);
    if (name.n == 0)
        return DS_OK;
    if (time.n == 0)
        return ds_fail(L->err, DS_ERR_FORMAT, "%s:%d: cue '%s' has no time", L->path, time_line,
                       shown(name, shown_name, sizeof shown_name));

    if (time.n >= sizeof tbuf) {
        r = DS_ERR_ARG;
        snprintf(terr, sizeof terr, "too long to be a time");
    } else {
        memcpy(tbuf, time.p, time.n);
        tbuf[time.n] = '\0';
        if (drop && tc_shaped(time) && !strchr(tbuf, ';'))
            *strrchr(tbuf, ':') = ';';
        r = vm_time_parse(L->tb, tbuf, VM_TIME_POSITION, &pos, terr);
    }
    if (r != DS_OK) {
        int tc = memchr(time.p, ':', time.n) || memchr(time.p, ';', time.n);
        const char *hint = "";
        if (L->format == FMT_PROTOOLS
            && (!tc || memchr(time.p, '.', time.n) || memchr(time.p, '|', time.n)))
            hint = "; export the session info with Time Format 'Timecode'";
        else if (L->format == FMT_PLAIN && memchr(time.p, ',', time.n))
            hint = "; a CSV marker list needs a header line naming its columns, e.g. "
                   "\"name,timecode\"";
        return ds_fail(L->err, DS_ERR_FORMAT, "%s:%d: bad %s '%s' for cue '%s': %s%s", L->path,
                       time_line, tc ? "timecode" : "time", shown(time, shown_time, sizeof shown_time),
                       shown(name, shown_name, sizeof shown_name), terr, hint);
    }

    if (L->m->n == L->m->cap) {
        int ncap = L->m->cap ? L->m->cap * 2 : 64;
        cue *nc = realloc(L->m->cues, (size_t)ncap * sizeof *nc);
        if (!nc)
            return nomem(L);
        L->m->cues = nc;
        L->m->cap = ncap;
    }
    c = &L->m->cues[L->m->n];
    c->name = malloc(name.n + 1);
    if (!c->name)
        return nomem(L);
    memcpy(c->name, name.p, name.n);
    c->name[name.n] = '\0';
    c->position = pos;
    c->line = name_line;
    L->m->n++;
    return DS_OK;
}

/* ---- lines ---- */

/* Takes the next line (NUL-terminated in place of its LF). 0 at the end. */
static int next_line(loader *L, char **s, size_t *n, int *line)
{
    char *nl;
    if (L->p >= L->end)
        return 0;
    nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
    if (!nl)
        nl = L->end;
    *s = L->p;
    *n = (size_t)(nl - L->p);
    *line = L->line;
    *nl = '\0';
    L->p = nl < L->end ? nl + 1 : L->end;
    L->line++;
    return 1;
}

static int is_blank(const char *s, size_t n)
{
    return trim(span_of((char *)s, n)).n == 0;
}

/* ---- plain "TIME NAME" lines ---- */

static ds_result parse_plain(loader *L)
{
    char *s;
    size_t n;
    int line;
    while (next_line(L, &s, &n, &line)) {
        span t = trim(span_of(s, n)), time, name;
        char shown_time[QUOTE_MAX + 4];
        size_t i = 0;
        ds_result r;
        if (t.n == 0 || t.p[0] == '#')
            continue;
        while (i < t.n && !is_space((unsigned char)t.p[i]))
            i++;
        time = span_of(t.p, i);
        name = trim(span_of(t.p + i, t.n - i));
        if (name.n == 0)
            return ds_fail(L->err, DS_ERR_FORMAT, "%s:%d: the cue at '%s' has no name (write TIME NAME)",
                           L->path, line, shown(time, shown_time, sizeof shown_time));
        r = add_cue(L, name, time, line, line, 0);
        if (r != DS_OK)
            return r;
    }
    return DS_OK;
}

/* ---- EDL ---- */

/* Splits s into up to max whitespace-separated words; returns the count
 * (which may exceed max: the words past max are not stored). */
static int split_words(char *s, size_t n, span *w, int max)
{
    int count = 0;
    size_t i = 0;
    while (i < n) {
        size_t b;
        while (i < n && is_space((unsigned char)s[i]))
            i++;
        if (i == n)
            break;
        b = i;
        while (i < n && !is_space((unsigned char)s[i]))
            i++;
        if (count < max)
            w[count] = span_of(s + b, i - b);
        count++;
    }
    return count;
}

#define EDL_MAX_WORDS 16

/* A CMX3600 event line: digits, at least three words, four timecodes. The
 * record in (third timecode) goes to *rec_in. */
static int edl_event(char *s, size_t n, span *rec_in)
{
    span w[EDL_MAX_WORDS];
    int k = split_words(s, n, w, EDL_MAX_WORDS);
    if (k < 8 || k > EDL_MAX_WORDS)
        return 0;
    for (size_t i = 0; i < w[0].n; i++)
        if (!is_digit((unsigned char)w[0].p[i]))
            return 0;
    for (int i = k - 4; i < k; i++)
        if (!tc_shaped(w[i]))
            return 0;
    if (rec_in)
        *rec_in = w[k - 2];
    return 1;
}

static ds_result parse_edl(loader *L)
{
    char *s;
    size_t n;
    int line, drop = 0, have_event = 0, event_drop = 0, event_line = 0;
    char rec_in[32] = "";

    while (next_line(L, &s, &n, &line)) {
        span t = trim(span_of(s, n)), rec;
        char *m, *e, shown_name[QUOTE_MAX + 4];
        ds_result r;

        if (starts_with_ci(t.p, "FCM:")) {
            span v = trim(span_of(t.p + 4, t.n - 4));
            drop = v.n == 10 && starts_with_ci(v.p, "DROP FRAME");
            continue;
        }
        if (edl_event(t.p, t.n, &rec)) {
            memcpy(rec_in, rec.p, rec.n); /* tc_shaped: at most 11 bytes */
            rec_in[rec.n] = '\0';
            have_event = 1;
            event_drop = drop;
            event_line = line;
            continue;
        }
        m = strstr(s, "|M:");
        if (!m)
            continue;
        m += 3;
        /* The name runs to the next " |Xx:" field, so a '|' inside it stays. */
        for (e = m; *e; e++) {
            if (e[0] == ' ' && e[1] == '|' && is_alpha((unsigned char)e[2])) {
                char *q = e + 2;
                while (is_alpha((unsigned char)*q))
                    q++;
                if (*q == ':')
                    break;
            }
        }
        if (!have_event)
            return ds_fail(L->err, DS_ERR_FORMAT,
                           "%s:%d: marker '%s' has no event line above it (an EDL marker follows "
                           "the event it marks)",
                           L->path, line, shown(trim(span_of(m, (size_t)(e - m))), shown_name, sizeof shown_name));
        r = add_cue(L, span_of(m, (size_t)(e - m)), span_of(rec_in, strlen(rec_in)), line,
                    event_line, event_drop);
        if (r != DS_OK)
            return r;
    }
    return DS_OK;
}

/* ---- tables ---- */

static ds_result push_field(loader *L, char *p, size_t n)
{
    if (L->nf == L->fcap) {
        int ncap = L->fcap ? L->fcap * 2 : 16;
        span *nf = realloc(L->fields, (size_t)ncap * sizeof *nf);
        if (!nf)
            return nomem(L);
        L->fields = nf;
        L->fcap = ncap;
    }
    L->fields[L->nf++] = span_of(p, n);
    return DS_OK;
}

/* Reads one record at L->p into L->fields (RFC 4180 unescaping done in
 * place: a quoted field is rewritten from its opening quote on). */
static ds_result read_record(loader *L, char sep)
{
    char *r = L->p;
    L->nf = 0;
    for (;;) {
        char *start, *w, *look = r;
        ds_result res;
        while (look < L->end && (*look == ' ' || *look == '\t') && *look != sep)
            look++;
        if (L->quotes && look < L->end && *look == '"') {
            int quote_line = L->line;
            r = look + 1;
            start = w = look;
            for (;;) {
                if (r >= L->end)
                    return ds_fail(L->err, DS_ERR_FORMAT,
                                   "%s:%d: a quoted field is not closed (its '\"' has no partner)",
                                   L->path, quote_line);
                if (*r == '"') {
                    if (r + 1 < L->end && r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                if (*r == '\n')
                    L->line++;
                *w++ = *r++;
            }
            while (r < L->end && *r != sep && *r != '\n')
                *w++ = *r++;
            res = push_field(L, start, (size_t)(w - start));
        } else {
            start = r;
            while (r < L->end && *r != sep && *r != '\n')
                r++;
            res = push_field(L, start, (size_t)(r - start));
        }
        if (res != DS_OK)
            return res;
        if (r < L->end && *r == sep) {
            r++;
            continue;
        }
        if (r < L->end) { /* '\n' */
            r++;
            L->line++;
        }
        L->p = r;
        return DS_OK;
    }
}

/* Column name match: case-insensitive, '_' as ' '. */
static int col_eq(span f, const char *name)
{
    size_t i;
    for (i = 0; i < f.n && name[i]; i++) {
        int c = lower((unsigned char)f.p[i]);
        if (c == '_')
            c = ' ';
        if (c != name[i])
            return 0;
    }
    return i == f.n && name[i] == '\0';
}

/* Index of the best-priority column of list among fields, or -1. */
static int find_col(const span *f, int nf, const char *const *list, int nlist)
{
    int best = -1, best_p = nlist;
    for (int j = 0; j < nf; j++) {
        span t = trim(f[j]);
        for (int p = 0; p < best_p; p++) {
            if (col_eq(t, list[p])) {
                best = j;
                best_p = p;
                break;
            }
        }
    }
    return best;
}

static int known_cols(const span *f, int nf, int *has_name, int *has_time)
{
    int count = 0;
    *has_name = *has_time = 0;
    for (int j = 0; j < nf; j++) {
        span t = trim(f[j]);
        int hit = 0;
        for (int p = 0; p < N_NAME_COLS; p++)
            if (col_eq(t, name_cols[p]))
                hit = *has_name = 1;
        for (int p = 0; p < N_TIME_COLS; p++)
            if (col_eq(t, time_cols[p]))
                hit = *has_time = 1;
        count += hit;
    }
    return count;
}

/* Chooses the separator of a header line (s, n: one line, not modified).
 * Returns 0 when no separator occurs. *known: columns recognised with it. */
static ds_result header_sep(loader *L, const char *s, size_t n, char *sep, int *known)
{
    static const char seps[] = {'\t', ';', ','};
    int best = -1, best_known = -1, most = -1, most_count = 0;
    char *copy = malloc(n + 1);
    if (!copy)
        return nomem(L);
    *sep = 0;
    *known = 0;
    for (int k = 0; k < 3; k++) {
        loader sub = *L;
        int count = 0, has_name, has_time, kn;
        for (size_t i = 0; i < n; i++)
            count += s[i] == seps[k];
        if (count == 0)
            continue;
        if (count > most_count) {
            most = k;
            most_count = count;
        }
        memcpy(copy, s, n);
        copy[n] = '\0';
        sub.p = copy;
        sub.end = copy + n;
        sub.fields = NULL;
        sub.nf = sub.fcap = 0;
        if (read_record(&sub, seps[k]) != DS_OK) {
            free(sub.fields);
            continue;
        }
        kn = known_cols(sub.fields, sub.nf, &has_name, &has_time);
        free(sub.fields);
        if (has_name && has_time) {
            best = k;
            best_known = kn;
            break;
        }
        if (kn > best_known) {
            best = k;
            best_known = kn;
        }
    }
    free(copy);
    if (best >= 0 && best_known > 0) {
        *sep = seps[best];
        *known = best_known;
    } else if (most >= 0) {
        *sep = seps[most];
    }
    return DS_OK;
}

static void list_cols(char *buf, size_t cap, const char *const *list, int n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o + 1 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", list[i]);
}

/* What the header holds, for a message: its trimmed fields, comma-joined. */
static void header_fields(const loader *L, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int j = 0; j < L->nf && o + 1 < cap; j++) {
        char f[QUOTE_MAX + 4];
        o += (size_t)snprintf(buf + o, cap - o, "%s'%s'", j ? ", " : "",
                              shown(trim(L->fields[j]), f, sizeof f));
    }
    if (o >= cap && cap > 4)
        memcpy(buf + cap - 4, "...", 4);
}

/* Reads a table at L->p. With a header (name_col < 0) the columns come from
 * it; stop_at_blank ends the table at a blank line (Pro Tools sections). */
static ds_result parse_table(loader *L, char sep, int name_col, int time_col, int stop_at_blank)
{
    ds_result r;
    if (name_col < 0) {
        int header_line = L->line;
        char looked[256], has[200];
        r = read_record(L, sep);
        if (r != DS_OK)
            return r;
        name_col = find_col(L->fields, L->nf, name_cols, N_NAME_COLS);
        time_col = find_col(L->fields, L->nf, time_cols, N_TIME_COLS);
        if (time_col < 0 || name_col < 0) {
            int no_time = time_col < 0;
            header_fields(L, has, sizeof has);
            if (no_time)
                list_cols(looked, sizeof looked, time_cols, N_TIME_COLS);
            else
                list_cols(looked, sizeof looked, name_cols, N_NAME_COLS);
            return ds_fail(L->err, DS_ERR_FORMAT,
                           "%s:%d: no %s column (looked for: %s); the header line has: %s",
                           L->path, header_line, no_time ? "time" : "name", looked, has);
        }
    }
    while (L->p < L->end) {
        char *nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
        size_t n = nl ? (size_t)(nl - L->p) : (size_t)(L->end - L->p);
        int line = L->line, any = 0;
        span name, time;
        if (is_blank(L->p, n)) {
            if (stop_at_blank)
                break;
            L->p += nl ? n + 1 : n;
            L->line++;
            continue;
        }
        r = read_record(L, sep);
        if (r != DS_OK)
            return r;
        for (int j = 0; j < L->nf; j++)
            any |= trim(L->fields[j]).n > 0;
        if (!any)
            continue;
        name = name_col < L->nf ? L->fields[name_col] : span_of(L->p, 0);
        time = time_col < L->nf ? L->fields[time_col] : span_of(L->p, 0);
        r = add_cue(L, name, time, line, line, 0);
        if (r != DS_OK)
            return r;
    }
    return DS_OK;
}

/* ---- detection ---- */

/* "M A R K E R S  L I S T I N G" with any spacing. */
static int is_pt_markers_title(const char *s, size_t n)
{
    static const char want[] = "MARKERSLISTING";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_space((unsigned char)s[i]))
            continue;
        if (k == sizeof want - 1 || s[i] != want[k])
            return 0;
        k++;
    }
    return k == sizeof want - 1;
}

/* First line with fields split by tab: at least five, the second a timecode. */
static int looks_avid(const char *s, size_t n)
{
    int fields = 1;
    const char *f2 = NULL, *f2e = NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\t') {
            fields++;
            if (fields == 2)
                f2 = s + i + 1;
            else if (fields == 3)
                f2e = s + i;
        }
    }
    return fields >= 5 && f2 && f2e && tc_shaped(span_of((char *)f2, (size_t)(f2e - f2)));
}

static ds_result parse_any(loader *L)
{
    char *first = NULL;
    size_t first_n = 0;
    int first_line = 0;

    /* One pass over the lines (without consuming them) for the Pro Tools
     * section title, the EDL event shape and the first non-blank line. */
    {
        char *p = L->p;
        int line = L->line, edl = 0;
        while (p < L->end) {
            char *nl = memchr(p, '\n', (size_t)(L->end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(L->end - p);
            if (!first && !is_blank(p, len)) {
                first = p;
                first_n = len;
                first_line = line;
            }
            if (is_pt_markers_title(p, len)) {
                L->format = FMT_PROTOOLS;
                L->p = nl ? nl + 1 : L->end;
                L->line = line + 1;
                while (L->p < L->end) { /* to the column header */
                    char *q = L->p;
                    nl = memchr(q, '\n', (size_t)(L->end - q));
                    len = nl ? (size_t)(nl - q) : (size_t)(L->end - q);
                    if (!is_blank(q, len))
                        break;
                    L->p = nl ? nl + 1 : L->end;
                    L->line++;
                }
                if (L->p >= L->end)
                    return DS_OK; /* an empty listing: "no cues" */
                L->quotes = 0;
                return parse_table(L, '\t', -1, -1, 1);
            }
            if (!edl && edl_event(p, len, NULL))
                edl = 1;
            p = nl ? nl + 1 : L->end;
            line++;
        }
        if (!first)
            return DS_OK;
        if (edl || starts_with_ci(trim(span_of(first, first_n)).p, "TITLE:")) {
            L->format = FMT_EDL;
            return parse_edl(L);
        }
    }

    if (looks_avid(first, first_n)) {
        L->format = FMT_AVID;
        L->p = first;
        L->line = first_line;
        L->quotes = 0;
        return parse_table(L, '\t', 4, 1, 0);
    }

    {
        char sep = 0;
        int known = 0;
        span t = trim(span_of(first, first_n));
        ds_result r = header_sep(L, first, first_n, &sep, &known);
        if (r != DS_OK)
            return r;
        if (sep && (known > 0 || !(is_digit((unsigned char)t.p[0]) || t.p[0] == '+'
                                   || t.p[0] == '-' || t.p[0] == '#'))) {
            L->format = FMT_TABLE;
            L->p = first;
            L->line = first_line;
            return parse_table(L, sep, -1, -1, 0);
        }
    }

    L->format = FMT_PLAIN;
    return parse_plain(L);
}

/* ---- index ---- */

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

static ds_result build_index(loader *L)
{
    vm_markers *m = L->m;
    int dup = -1; /* index in sorted of the earliest second definition */
    m->names = malloc((size_t)m->n * sizeof *m->names);
    m->sorted = malloc((size_t)m->n * sizeof *m->sorted);
    if (!m->names || !m->sorted)
        return nomem(L);
    for (int i = 0; i < m->n; i++) {
        m->names[i] = m->cues[i].name;
        m->sorted[i].name = m->cues[i].name;
        m->sorted[i].line = m->cues[i].line;
        m->sorted[i].index = i;
    }
    qsort(m->sorted, (size_t)m->n, sizeof *m->sorted, entry_cmp);
    for (int i = 1; i < m->n; i++) {
        if (strcmp(m->sorted[i].name, m->sorted[i - 1].name) != 0)
            continue;
        if (i >= 2 && strcmp(m->sorted[i].name, m->sorted[i - 2].name) == 0)
            continue; /* a third definition: the second is reported */
        if (dup < 0 || m->sorted[i].line < m->sorted[dup].line)
            dup = i;
    }
    if (dup >= 0) {
        char nm[QUOTE_MAX + 4];
        return ds_fail(L->err, DS_ERR_FORMAT, "%s:%d: cue '%s' is defined twice (first at line %d)",
                       L->path, m->sorted[dup].line, shown_str(m->sorted[dup].name, nm, sizeof nm),
                       m->sorted[dup - 1].line);
    }
    return DS_OK;
}

/* ---- public ---- */

ds_result vm_markers_load(const char *path, const vm_timebase *tb, vm_markers **out, char *err)
{
    loader L;
    char *buf = NULL;
    size_t len = 0;
    ds_result r;

    if (out)
        *out = NULL;
    if (!path || !tb || !out)
        return ds_fail(err, DS_ERR_ARG, "vm_markers_load: path, timebase and out are required");

    memset(&L, 0, sizeof L);
    L.path = path;
    L.tb = tb;
    L.err = err;
    L.m = calloc(1, sizeof *L.m);
    if (!L.m)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory reading marker file '%s'", path);
    L.m->path = strdup(path);
    if (!L.m->path) {
        r = nomem(&L);
        goto fail;
    }

    r = vm_textfile_read(path, "marker file", "a marker list", MAX_FILE_BYTES, &buf, &len, err);
    if (r != DS_OK)
        goto fail;
    L.p = buf;
    L.end = buf + len;
    L.line = 1;
    L.quotes = 1;

    r = parse_any(&L);
    if (r != DS_OK)
        goto fail;
    if (L.m->n == 0) {
        r = ds_fail(err, DS_ERR_FORMAT, "no cues in marker file '%s' (read as %s)", path,
                    len == 0 ? "an empty file" : fmt_names[L.format]);
        goto fail;
    }
    r = build_index(&L);
    if (r != DS_OK)
        goto fail;

    free(L.fields);
    free(buf);
    *out = L.m;
    return DS_OK;

fail:
    free(L.fields);
    free(buf);
    vm_markers_free(&L.m);
    return r;
}

void vm_markers_free(vm_markers **pm)
{
    vm_markers *m;
    if (!pm || !*pm)
        return;
    m = *pm;
    for (int i = 0; i < m->n; i++)
        free(m->cues[i].name);
    free(m->cues);
    free(m->names);
    free(m->sorted);
    free(m->path);
    free(m);
    *pm = NULL;
}

int vm_markers_count(const vm_markers *m)
{
    return m ? m->n : 0;
}

const char *vm_markers_name(const vm_markers *m, int i)
{
    return (m && i >= 0 && i < m->n) ? m->cues[i].name : NULL;
}

int64_t vm_markers_position(const vm_markers *m, int i)
{
    return (m && i >= 0 && i < m->n) ? m->cues[i].position : 0;
}

/* strcmp of the span q against NUL-terminated s. */
static int span_cmp(span q, const char *s)
{
    size_t sn = strlen(s);
    int c = memcmp(q.p, s, q.n < sn ? q.n : sn);
    if (c)
        return c;
    return (q.n > sn) - (q.n < sn);
}

ds_result vm_markers_find(const vm_markers *m, const char *name, int64_t *position, char *err)
{
    span q;
    int lo, hi;
    char word[64], shown_q[QUOTE_MAX + 4], shown_s[QUOTE_MAX + 4];
    const char *suggestion = NULL;

    if (!m || !name || !position)
        return ds_fail(err, DS_ERR_ARG, "vm_markers_find: markers, name and position are required");
    q = trim(span_of((char *)name, strlen(name)));
    lo = 0;
    hi = m->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = span_cmp(q, m->sorted[mid].name);
        if (c == 0) {
            *position = m->cues[m->sorted[mid].index].position;
            return DS_OK;
        }
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }

    if (q.n < sizeof word) {
        memcpy(word, q.p, q.n);
        word[q.n] = '\0';
        suggestion = vm_suggest(word, m->names, m->n);
    }
    shown(span_of((char *)name, strlen(name)), shown_q, sizeof shown_q);
    if (suggestion)
        return ds_fail(err, DS_ERR_ARG, "no cue '%s' in %s; did you mean '%s'? (%d cue%s)", shown_q,
                       m->path, shown_str(suggestion, shown_s, sizeof shown_s), m->n,
                       m->n == 1 ? "" : "s");
    return ds_fail(err, DS_ERR_ARG, "no cue '%s' in %s (%d cue%s)", shown_q, m->path, m->n,
                   m->n == 1 ? "" : "s");
}
