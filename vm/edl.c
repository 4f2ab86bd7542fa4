/* edl.c - CMX3600 edit decision lists (edl.h). One pass over the lines;
 * an event line opens a group (the lines that share its number: a
 * transition's outgoing and incoming lines), the M2, AUD and comment lines
 * after it finish the group's events, and the group is checked when the
 * next event line or the end of the file closes it. */
#include "vm/edl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define MAX_TOKENS 12 /* an event line has 8 or 9 words */
#define MAX_GROUP 64  /* lines sharing one event number */
#define QUOTE_MAX 80  /* bytes of a word quoted in a message */

typedef struct {
    const char *path;
    const vm_fps *fps;
    char *err;
    vm_edit *e;
    int line;
    int drop;             /* FCM: DROP FRAME in force */
    int title_line;
    int group_start;      /* first event of the open group; -1: none yet */
    int group_number;
    int group_from;       /* the event "* FROM CLIP NAME:" names */
    int named;            /* the event a clip name line named last, -1 none */
    int in_table;         /* after Avid's source table began (">>> SOURCE"): its comments are not events' */
    int record_wins;      /* a source and record of different lengths (no M2): the record's length, as
                             OpenTimelineIO's ignore_timecode_mismatch (vm_edl_parse_record_length) */
} parser;

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int upper(int c) { return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c; }

static int eq_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (upper((unsigned char)*a) != upper((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* Length of prefix when s starts with it (case-insensitive, any run of
 * blanks in s matching one space in prefix), else 0. */
static size_t starts_ci(const char *s, const char *prefix)
{
    const char *p = s;
    for (; *prefix; prefix++) {
        if (*prefix == ' ') {
            if (!is_blank((unsigned char)*p))
                return 0;
            while (is_blank((unsigned char)*p))
                p++;
            continue;
        }
        if (upper((unsigned char)*p) != upper((unsigned char)*prefix))
            return 0;
        p++;
    }
    return (size_t)(p - s);
}

/* A word for a message: at most QUOTE_MAX bytes, control bytes as spaces. */
static const char *quoted(const char *s, char *buf, size_t cap)
{
    size_t n = strlen(s), i;
    int cut = n > QUOTE_MAX;
    if (cut)
        n = QUOTE_MAX;
    if (n + 4 > cap)
        n = cap - 4;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    if (cut)
        memcpy(buf + i, "...", 3), i += 3;
    buf[i] = '\0';
    return buf;
}

/* "cut.edl:12: " or "cut.edl:12: event 3: " */
static ds_result fail_at(parser *P, int event_number, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static ds_result fail_at(parser *P, int event_number, const char *fmt, ...)
{
    char msg[DS_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (event_number >= 0)
        return ds_fail(P->err, DS_ERR_FORMAT, "%s:%d: event %d: %s", P->path, P->line, event_number, msg);
    return ds_fail(P->err, DS_ERR_FORMAT, "%s:%d: %s", P->path, P->line, msg);
}

static int tokenize(char *s, char **tok, int max)
{
    int n = 0;
    for (;;) {
        while (is_blank((unsigned char)*s))
            s++;
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        tok[n++] = s;
        while (*s && !is_blank((unsigned char)*s))
            s++;
        if (*s)
            *s++ = '\0';
    }
}

/* A number of 1..max_digits decimal digits and nothing else. */
static int parse_count(const char *s, int max_digits, long *out)
{
    long v = 0;
    int d = 0;
    for (; *s; s++, d++) {
        if (!is_digit((unsigned char)*s) || d >= max_digits)
            return 0;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return d > 0;
}

/* "HH:MM:SS:FF" shape: four groups of 1-2 digits joined by ':' or ';'. */
static int tc_shaped(const char *s)
{
    for (int g = 0; g < 4; g++) {
        int d = 0;
        while (is_digit((unsigned char)*s) && d < 3)
            s++, d++;
        if (d < 1 || d > 2)
            return 0;
        if (g < 3) {
            if (*s != ':' && *s != ';')
                return 0;
            s++;
        }
    }
    return *s == '\0';
}

static ds_result parse_tc(parser *P, int number, const char *what, const char *tok, int64_t *frames, int *drop)
{
    char buf[32], terr[DS_ERR_LEN], shown[QUOTE_MAX + 4];
    if (!tc_shaped(tok))
        return fail_at(P, number, "bad %s '%s': a timecode is HH:MM:SS:FF", what, quoted(tok, shown, sizeof shown));
    snprintf(buf, sizeof buf, "%s", tok);
    if (P->drop && !strchr(buf, ';'))
        *strrchr(buf, ':') = ';';
    if (vm_tc_parse(P->fps, buf, frames, drop, terr) != DS_OK)
        return fail_at(P, number, "bad %s '%s': %s", what, tok, terr);
    return DS_OK;
}

static ds_result parse_tracks(parser *P, int number, const char *tok, uint32_t *mask)
{
    char shown[QUOTE_MAX + 4];
    const char *p = tok;
    *mask = 0;
    while (*p) {
        const char *q = p;
        while (*q && *q != '/')
            q++;
        size_t n = (size_t)(q - p);
        char part[8];
        long k;
        if (n == 0 || n >= sizeof part)
            goto bad;
        memcpy(part, p, n);
        part[n] = '\0';
        if (eq_ci(part, "V"))
            *mask |= VM_EDIT_VIDEO;
        else if (eq_ci(part, "A"))
            *mask |= VM_EDIT_AUDIO(1);
        else if (eq_ci(part, "AA"))
            *mask |= VM_EDIT_AUDIO(1) | VM_EDIT_AUDIO(2);
        else if (eq_ci(part, "B"))
            *mask |= VM_EDIT_VIDEO | VM_EDIT_AUDIO(1);
        else if (eq_ci(part, "NONE"))
            ;
        else if (upper((unsigned char)part[0]) == 'A' && parse_count(part + 1, 2, &k) && k >= 1
                 && k <= VM_EDIT_MAX_AUDIO)
            *mask |= VM_EDIT_AUDIO(k);
        else
            goto bad;
        p = *q ? q + 1 : q;
        if (*q && !*p)
            goto bad;
    }
    return DS_OK;
bad:
    return fail_at(P, number, "unknown track '%s' (tracks: V, A, A1 to A%d, AA, B, NONE, or several joined "
                   "by '/', as AA/V)", quoted(tok, shown, sizeof shown), VM_EDIT_MAX_AUDIO);
}

static ds_result check_name(parser *P, int number, const char *what, size_t n)
{
    if (n > VM_EDIT_MAX_NAME)
        return fail_at(P, number, "the %s is %zu bytes long; the most taken is %d", what, n, VM_EDIT_MAX_NAME);
    return DS_OK;
}

static int is_black(const char *reel)
{
    return eq_ci(reel, "BL") || eq_ci(reel, "BLK") || eq_ci(reel, "BLACK");
}

/* Checks the events of the open group now that no M2 can follow: the
 * source and record of an event at normal speed have one length, except
 * Avid's untimed source (vm/edit.h), which takes the record's. */
static ds_result close_group(parser *P)
{
    char b1[32], b2[32];
    if (P->group_start < 0)
        return DS_OK;
    for (int i = P->group_start; i < vm_edit_count(P->e); i++) {
        vm_edit_event *ev = vm_edit_event_mut(P->e, i);
        int64_t src = ev->src_out - ev->src_in, rec = ev->rec_out - ev->rec_in;
        if (src == 0 && rec > 0 && ev->speed_num == ev->speed_den) {
            /* Avid's line for media without timecode (a leader .MOV, a temp mix .WAV): source
             * 00:00:00:00 00:00:00:00. The source runs the record's length from its in. */
            ev->untimed = 1;
            ev->src_out = ev->src_in + rec;
            continue;
        }
        if (src != rec && ev->speed_num == ev->speed_den && P->record_wins) {
            ev->src_out = ev->src_in + rec;
        } else if (src != rec && ev->speed_num == ev->speed_den) {
            vm_tc_format(P->fps, src, 0, b1, sizeof b1);
            vm_tc_format(P->fps, rec, 0, b2, sizeof b2);
            return ds_fail(P->err, DS_ERR_FORMAT,
                           "%s: event %d: the source runs %s (%lld frames) but the record %s (%lld frames), "
                           "and no M2 line changes its speed (an editor's rounding of a sound edit, or a retime "
                           "it did not write: edl(\"...\", { ignore_timecode_mismatch = true }) takes the "
                           "record's length, as OpenTimelineIO does)",
                           ev->where, ev->number, b1, (long long)src, b2, (long long)rec);
        }
    }
    return DS_OK;
}

/* The event a D/W line at rec_in on tracks dissolves from: the line before
 * it in its group, else the latest event on one of its tracks that ends at
 * rec_in (looking back at most MAX_GROUP events). -1 when none. */
static int outgoing_of(parser *P, int64_t rec_in, uint32_t tracks, int same_group)
{
    int n = vm_edit_count(P->e);
    if (same_group)
        return n - 1;
    for (int i = n - 1; i >= 0 && i >= n - MAX_GROUP; i--) {
        const vm_edit_event *ev = vm_edit_event_at(P->e, i);
        if (ev->rec_out == rec_in && (ev->tracks & tracks))
            return i;
    }
    return -1;
}

static ds_result event_line(parser *P, char **tok, int nt)
{
    char shown[QUOTE_MAX + 4], where[64 + 4096];
    long number, dur = 0;
    vm_edit_event ev;
    ds_result r;
    int d[4];

    if (!parse_count(tok[0], 6, &number))
        return fail_at(P, -1, "bad event number '%s': 1 to 6 digits", quoted(tok[0], shown, sizeof shown));
    if (nt != 8 && nt != 9)
        return fail_at(P, (int)number, "an event line has 8 or 9 words (NNN REEL TRACKS C|D|Wnnn [FRAMES] "
                       "SRC-IN SRC-OUT REC-IN REC-OUT); this one has %d", nt);
    memset(&ev, 0, sizeof ev);
    ev.number = (int)number;
    ev.line = P->line;
    ev.media_in = -1;
    ev.kind = is_black(tok[1]) ? VM_EDIT_EVENT_GAP : VM_EDIT_EVENT_CLIP;
    if ((r = check_name(P, ev.number, "reel name", strlen(tok[1]))) != DS_OK)
        return r;
    ev.reel = tok[1];
    if ((r = parse_tracks(P, ev.number, tok[2], &ev.tracks)) != DS_OK)
        return r;

    const char *t = tok[3];
    if (eq_ci(t, "C")) {
        ev.in.kind = VM_EDIT_CUT;
    } else if (eq_ci(t, "D")) {
        ev.in.kind = VM_EDIT_DISSOLVE;
    } else if (upper((unsigned char)t[0]) == 'W') {
        long code;
        if (!parse_count(t + 1, 3, &code))
            return fail_at(P, ev.number, "bad wipe '%s': W and its pattern number, as W001",
                           quoted(t, shown, sizeof shown));
        ev.in.kind = VM_EDIT_WIPE;
        ev.in.wipe = (int)code;
    } else if (upper((unsigned char)t[0]) == 'K') {
        return fail_at(P, ev.number, "key events ('%s') are not read: export the edit without keys, or as OTIO",
                       quoted(t, shown, sizeof shown));
    } else {
        return fail_at(P, ev.number, "unknown transition '%s' (C: cut, D: dissolve, Wnnn: wipe)",
                       quoted(t, shown, sizeof shown));
    }
    if (nt == 9) {
        if (!parse_count(tok[4], 5, &dur))
            return fail_at(P, ev.number, "bad transition length '%s': a number of frames",
                           quoted(tok[4], shown, sizeof shown));
        if (ev.in.kind == VM_EDIT_CUT && dur != 0)
            return fail_at(P, ev.number, "a cut (C) with a length of %ld frames: a dissolve is D, a wipe Wnnn",
                           dur);
    } else if (ev.in.kind != VM_EDIT_CUT) {
        return fail_at(P, ev.number, "the %s has no length: '%s FRAMES' before the timecodes",
                       ev.in.kind == VM_EDIT_DISSOLVE ? "dissolve" : "wipe", t);
    }
    static const char *const tc_names[] = {"source in", "source out", "record in", "record out"};
    int64_t *tcs[] = {&ev.src_in, &ev.src_out, &ev.rec_in, &ev.rec_out};
    for (int k = 0; k < 4; k++)
        if ((r = parse_tc(P, ev.number, tc_names[k], tok[nt - 4 + k], tcs[k], &d[k])) != DS_OK)
            return r;
    ev.drop = d[0] || d[1] || d[2] || d[3];
    if (ev.src_out < ev.src_in)
        return fail_at(P, ev.number, "source out %s is before source in %s", tok[nt - 3], tok[nt - 4]);
    if (ev.rec_out < ev.rec_in)
        return fail_at(P, ev.number, "record out %s is before record in %s", tok[nt - 1], tok[nt - 2]);

    int same_group = P->group_start >= 0 && ev.number == P->group_number;
    if (!same_group) {
        if ((r = close_group(P)) != DS_OK)
            return r;
        P->group_start = vm_edit_count(P->e);
        P->group_number = ev.number;
        P->group_from = P->group_start;
    } else if (vm_edit_count(P->e) - P->group_start >= MAX_GROUP) {
        return fail_at(P, ev.number, "more than %d lines with this event number", MAX_GROUP);
    }
    P->named = -1;

    int from = -1;
    if (ev.in.kind != VM_EDIT_CUT && dur > 0) {
        from = outgoing_of(P, ev.rec_in, ev.tracks, same_group);
        if (from < 0)
            return fail_at(P, ev.number, "a %s from nothing: no event before it ends at its record in %s "
                           "(a transition needs its outgoing line: the same event number, record in = out = %s)",
                           ev.in.kind == VM_EDIT_DISSOLVE ? "dissolve" : "wipe", tok[nt - 2], tok[nt - 2]);
        const vm_edit_event *o = vm_edit_event_at(P->e, from);
        if (o->rec_out != ev.rec_in) {
            char b1[32];
            vm_tc_format(P->fps, o->rec_out, o->drop, b1, sizeof b1);
            return fail_at(P, ev.number, "the %s starts at %s but its outgoing line (line %d) ends at %s",
                           ev.in.kind == VM_EDIT_DISSOLVE ? "dissolve" : "wipe", tok[nt - 2], o->line, b1);
        }
        if (dur > ev.rec_out - ev.rec_in)
            return fail_at(P, ev.number, "the %s (%ld frames) is longer than the event (%lld frames)",
                           ev.in.kind == VM_EDIT_DISSOLVE ? "dissolve" : "wipe", dur,
                           (long long)(ev.rec_out - ev.rec_in));
        ev.in.frames = dur;
    } else {
        ev.in.kind = VM_EDIT_CUT; /* D 000: a cut */
        ev.in.wipe = 0;
    }
    snprintf(where, sizeof where, "%s:%d", P->path, P->line);
    ev.where = where;
    if ((r = vm_edit_add(P->e, &ev, NULL, P->err)) != DS_OK)
        return r;
    if (from >= 0) {
        vm_edit_event *o = vm_edit_event_mut(P->e, from);
        o->out = vm_edit_event_at(P->e, vm_edit_count(P->e) - 1)->in;
        if (from < P->group_start)
            P->group_from = from;
    }
    return DS_OK;
}

static const vm_edit_event *last_event(parser *P)
{
    return P->group_start >= 0 ? vm_edit_event_at(P->e, vm_edit_count(P->e) - 1) : NULL;
}

static long gcd(long a, long b)
{
    if (a < 0)
        a = -a;
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a ? a : 1;
}

static ds_result m2_line(parser *P, char **tok, int nt)
{
    char shown[QUOTE_MAX + 4];
    const vm_edit_event *last = last_event(P);
    int64_t frames;
    int drop;
    ds_result r;
    if (!last)
        return fail_at(P, -1, "an M2 speed change before any event");
    if (nt != 4)
        return fail_at(P, last->number, "an M2 line is 'M2 REEL SPEED TIMECODE' (4 words); this one has %d", nt);
    int target = -1;
    for (int i = vm_edit_count(P->e) - 1; i >= P->group_start; i--)
        if (strcmp(vm_edit_event_at(P->e, i)->reel, tok[1]) == 0) {
            target = i;
            break;
        }
    if (target < 0)
        return fail_at(P, last->number, "the M2 line names reel '%s', but the event's reel is '%s'",
                       quoted(tok[1], shown, sizeof shown), last->reel);
    /* SPEED: [-]digits[.digits], frames per second */
    const char *s = tok[2];
    long num = 0, den = 1;
    int neg = 0, digits = 0, point = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s; s++) {
        if (*s == '.' && !point) {
            point = 1;
            continue;
        }
        if (!is_digit((unsigned char)*s) || digits >= 9)
            break;
        num = num * 10 + (*s - '0');
        digits++;
        if (point)
            den *= 10;
    }
    if (*s || digits == 0)
        return fail_at(P, last->number, "bad M2 speed '%s': frames per second, as 048.0 (or -024.0 backwards)",
                       quoted(tok[2], shown, sizeof shown));
    if ((r = parse_tc(P, last->number, "M2 entry timecode", tok[3], &frames, &drop)) != DS_OK)
        return r;
    vm_edit_event *ev = vm_edit_event_mut(P->e, target);
    long sden = den * P->fps->nominal, g = gcd(num, sden);
    ev->speed_num = (neg ? -num : num) / g;
    ev->speed_den = sden / g;
    return DS_OK;
}

static ds_result aud_line(parser *P, char **tok, int nt)
{
    char shown[QUOTE_MAX + 4];
    const vm_edit_event *last = last_event(P);
    if (!last)
        return fail_at(P, -1, "an AUD line before any event");
    if (nt < 2 || nt > 3)
        return fail_at(P, last->number, "an AUD line is 'AUD 3', 'AUD 4' or 'AUD 3 4'");
    vm_edit_event *ev = vm_edit_event_mut(P->e, vm_edit_count(P->e) - 1);
    for (int i = 1; i < nt; i++) {
        long k;
        if (!parse_count(tok[i], 2, &k) || k < 1 || k > VM_EDIT_MAX_AUDIO)
            return fail_at(P, last->number, "bad audio track '%s' in an AUD line: 1 to %d",
                           quoted(tok[i], shown, sizeof shown), VM_EDIT_MAX_AUDIO);
        ev->tracks |= VM_EDIT_AUDIO(k);
    }
    return DS_OK;
}

static char *trim(char *s)
{
    char *end;
    while (is_blank((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && is_blank((unsigned char)end[-1]))
        end--;
    *end = '\0';
    return s;
}

/* "* PATCH REEL:  FROM SOURCE n TO RECORD m" (Avid): record track Am of the
 * open group's events on it (of that reel, when one is) takes source channel
 * n. Another shape of PATCH line is a comment; n or m out of range is an
 * error naming the line and event. */
static ds_result patch_comment(parser *P, char *s)
{
    char *tok[MAX_TOKENS + 1];
    int nt = tokenize(s, tok, MAX_TOKENS);
    long from, to;
    size_t n = nt > 0 ? strlen(tok[0]) : 0;
    if (nt != 7 || n < 2 || tok[0][n - 1] != ':' || !eq_ci(tok[1], "FROM") || !eq_ci(tok[2], "SOURCE")
        || !eq_ci(tok[4], "TO") || !eq_ci(tok[5], "RECORD") || P->group_start < 0)
        return DS_OK;
    const vm_edit_event *last = last_event(P);
    if (!parse_count(tok[3], 3, &from) || !parse_count(tok[6], 3, &to) || from < 1 || from > 255 || to < 1
        || to > VM_EDIT_MAX_AUDIO)
        return fail_at(P, last->number, "PATCH from source %s to record %s: a source channel from 1 to 255 and a "
                       "record track from 1 to %d", tok[3], tok[6], VM_EDIT_MAX_AUDIO);
    tok[0][n - 1] = '\0';
    int count = vm_edit_count(P->e), named = 0;
    for (int i = P->group_start; i < count; i++)
        named |= strcmp(vm_edit_event_at(P->e, i)->reel, tok[0]) == 0;
    for (int i = P->group_start; i < count; i++) {
        vm_edit_event *ev = vm_edit_event_mut(P->e, i);
        if ((ev->tracks & VM_EDIT_AUDIO(to)) && (!named || strcmp(ev->reel, tok[0]) == 0))
            ev->patch[to] = (uint8_t)from;
    }
    return DS_OK;
}

static ds_result comment_line(parser *P, char *s)
{
    static const char *const file_keys[] = {"SOURCE FILE:", "FROM FILE:", "FROM CLIP:"};
    const vm_edit_event *last = last_event(P);
    size_t k;
    int target = -1, is_name = 0;
    ds_result r;

    s = trim(s + 1);
    if (!last)
        return DS_OK; /* a comment above the first event */
    if ((k = starts_ci(s, "PATCH ")))
        return patch_comment(P, s + k);
    if ((k = starts_ci(s, "FROM CLIP NAME:"))) {
        target = P->group_from;
        is_name = 1;
    } else if ((k = starts_ci(s, "TO CLIP NAME:"))) {
        target = vm_edit_count(P->e) - 1;
        is_name = 1;
    } else {
        for (int i = 0; i < 3 && !k; i++)
            k = starts_ci(s, file_keys[i]);
        if (!k)
            return DS_OK;
        target = P->named >= 0 ? P->named : P->group_from;
    }
    char *value = trim(s + k);
    size_t n = strlen(value);
    if ((r = check_name(P, last->number, is_name ? "clip name" : "source file name", n)) != DS_OK)
        return r;
    vm_edit_event *ev = vm_edit_event_mut(P->e, target);
    if (is_name) {
        P->named = target;
        return vm_edit_set_string(P->e, &ev->clip, value, n, P->err);
    }
    return vm_edit_set_string(P->e, &ev->file, value, n, P->err);
}

static ds_result one_line(parser *P, char *s)
{
    char *tok[MAX_TOKENS + 1], shown[QUOTE_MAX + 4];
    const vm_edit_event *last = last_event(P);
    size_t k;
    int nt;

    s = trim(s);
    if (!*s)
        return DS_OK;
    if (*s == '*')
        return P->in_table ? DS_OK : comment_line(P, s);
    if ((k = starts_ci(s, "TITLE:"))) {
        char *title = trim(s + k);
        if (P->title_line)
            return fail_at(P, -1, "a second TITLE: (the first is at line %d)", P->title_line);
        if (last)
            return fail_at(P, -1, "TITLE: after the first event (line %d): it opens the list", last->line);
        P->title_line = P->line;
        if (check_name(P, -1, "title", strlen(title)) != DS_OK)
            return DS_ERR_FORMAT;
        return vm_edit_set_title(P->e, title, strlen(title), P->err);
    }
    if ((k = starts_ci(s, "FCM:"))) {
        char *mode = trim(s + k);
        if (starts_ci(mode, "DROP FRAME") == strlen(mode) && *mode) {
            if (P->fps->drop_per_min == 0)
                return fail_at(P, -1, "FCM: DROP FRAME at %s fps: only 29.97 and 59.94 have drop-frame "
                               "timecode (read the list at the rate it was made at: fps = \"29.97\")",
                               P->fps->name);
            P->drop = 1;
            return DS_OK;
        }
        if ((starts_ci(mode, "NON-DROP FRAME") == strlen(mode) || starts_ci(mode, "NON DROP FRAME") == strlen(mode))
            && *mode) {
            P->drop = 0;
            return DS_OK;
        }
        return fail_at(P, -1, "unknown frame code mode '%s' (FCM: DROP FRAME or FCM: NON-DROP FRAME)",
                       quoted(mode, shown, sizeof shown));
    }
    if (starts_ci(s, "SPLIT:"))
        return fail_at(P, last ? last->number : -1,
                       "split edits (SPLIT:) are not read: export the list with the split as separate events");
    if (starts_ci(s, ">>>")) {
        /* Avid's source table after the events (">>> SOURCE reel name UMID", its "*SOURCE FILE:"):
         * nothing a cut's timing needs, and its comments name no event */
        P->in_table = 1;
        return DS_OK;
    }
    if (starts_ci(s, "EFFECTS NAME IS"))
        return DS_OK; /* a transition's effect name (Premiere, Final Cut Pro, Resolve) */
    nt = tokenize(s, tok, MAX_TOKENS);
    if (nt > MAX_TOKENS)
        nt = MAX_TOKENS + 1;
    if (is_digit((unsigned char)tok[0][0])) {
        P->in_table = 0;
        return event_line(P, tok, nt);
    }
    if (eq_ci(tok[0], "M2"))
        return m2_line(P, tok, nt);
    if (eq_ci(tok[0], "AUD"))
        return aud_line(P, tok, nt);
    char what[QUOTE_MAX + 4];
    quoted(tok[0], what, sizeof what);
    if (last)
        return ds_fail(P->err, DS_ERR_FORMAT,
                       "%s:%d: after event %d: cannot read a line starting '%s' (an EDL line is an event 'NNN "
                       "REEL TRACKS C SRC-IN SRC-OUT REC-IN REC-OUT', a '*' comment, TITLE:, FCM:, M2 or AUD)",
                       P->path, P->line, last->number, what);
    return fail_at(P, -1, "cannot read a line starting '%s' (an EDL line is an event 'NNN REEL TRACKS C "
                   "SRC-IN SRC-OUT REC-IN REC-OUT', a '*' comment, TITLE:, FCM:, M2 or AUD)", what);
}

static ds_result parse_list(const char *path, const char *text, size_t len, const vm_fps *fps, int record_wins,
                            vm_edit **out, char *err)
{
    parser P;
    ds_result r = DS_OK;
    const char *p = text, *end = text + len;
    char buf[VM_EDIT_MAX_LINE + 1];

    *out = NULL;
    memset(&P, 0, sizeof P);
    P.path = path;
    P.fps = fps;
    P.err = err;
    P.group_start = -1;
    P.named = -1;
    P.record_wins = record_wins;
    P.e = vm_edit_new(path, fps, VM_EDIT_FROM_EDL);
    if (!P.e)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory reading '%s'", path);
    err[0] = '\0';
    for (P.line = 1; p < end; P.line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        if (nl - p > VM_EDIT_MAX_LINE) {
            r = fail_at(&P, -1, "a line of %ld bytes: not an EDL (lines are at most %d bytes)", (long)(nl - p),
                        VM_EDIT_MAX_LINE);
            goto fail;
        }
        memcpy(buf, p, (size_t)(nl - p));
        buf[nl - p] = '\0';
        if (strlen(buf) != (size_t)(nl - p)) {
            r = fail_at(&P, -1, "a NUL byte: not an EDL");
            goto fail;
        }
        r = one_line(&P, buf);
        if (r != DS_OK)
            goto fail;
        p = nl + 1;
    }
    P.line--;
    if ((r = close_group(&P)) != DS_OK)
        goto fail;
    if (vm_edit_count(P.e) == 0) {
        r = ds_fail(err, DS_ERR_FORMAT, "%s: no events: not an edit decision list (an event line reads "
                    "'001  REEL  V  C  01:00:00:00 01:00:05:00 01:00:00:00 01:00:05:00')", path);
        goto fail;
    }
    *out = P.e;
    return DS_OK;
fail:
    vm_edit_free(&P.e);
    return r;
}

ds_result vm_edl_parse(const char *path, const char *text, size_t len, const vm_fps *fps, vm_edit **out, char *err)
{
    return parse_list(path, text, len, fps, 0, out, err);
}

ds_result vm_edl_parse_record_length(const char *path, const char *text, size_t len, const vm_fps *fps,
                                     vm_edit **out, char *err)
{
    return parse_list(path, text, len, fps, 1, out, err);
}

ds_result vm_edl_load(const char *path, const vm_fps *fps, vm_edit **out, char *err)
{
    return vm_edit_load_file(path, "edit decision list", "an EDL", vm_edl_parse, fps, out, err);
}
