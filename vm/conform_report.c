/* conform_report.c - the conform report as text, JSON and HTML (see
 * conform_report.h). The text and the HTML page are the same tables: each
 * section's rows are made once (section_rows) and handed to a writer of
 * lines or of table rows. */
#include "vm/conform_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vm/json.h"
#include "vm/xml.h"

#define CELL 600
#define MAX_CELLS 6

typedef enum {
    SEC_CHANGES, SEC_GAPS, SEC_DROPPED, SEC_REVIEW, SEC_XFADES, SEC_CLIPS, SEC_MOVES, SEC_CUES, SEC_COUNT
} section;

static const struct {
    const char *klass, *title;
    int ncols;
    const char *cols[MAX_CELLS];
    const char *none;
} sections[SEC_COUNT] = {
    {"changes", "Changes of the cut", 5, {"change", "event", "old cut", "new cut", "detail"}, "The cuts are the same."},
    {"gaps", "Gaps to fill (inserted picture: silence in the mix)", 3, {"new cut", "length", "event"}, "None."},
    {"dropped", "Dropped (in removed picture)", 5, {"what", "name", "made at", "old cut", "was at (new cut)"},
     "Nothing."},
    {"review", "To review", 5, {"what", "name", "made at", "old cut", "new cut / note"}, "Nothing."},
    {"xfades", "Crossfades set to a dissolve's new length", 5,
     {"track", "clip", "made at", "old crossfade", "new crossfade"}, "None."},
    {"clips", "Clips that moved", 5, {"track", "clip", "made at", "old cut", "new cut"}, "None."},
    {"moves", "Automation moves that moved", 5, {"lane", "move", "made at", "old cut", "new cut"}, "None."},
    {"cues", "Cues that moved", 4, {"cue", "file", "old cut", "new cut"}, "None."},
};

typedef struct {
    const vm_conform_log *log;
    const vm_timebase *tb;
    FILE *f;
    int html;
    int rows;
} writer;

/* ---- labels ---- */

static void pos_tc(const vm_timebase *tb, int64_t pos, char *buf, size_t n)
{
    if (pos == INT64_MIN)
        snprintf(buf, n, "start");
    else if (pos == INT64_MAX)
        snprintf(buf, n, "end");
    else
        vm_time_format(tb, pos, buf, n);
}

static void span_tc(const vm_timebase *tb, int64_t a, int64_t b, char *buf, size_t n)
{
    char x[64], y[64];
    pos_tc(tb, a, x, sizeof x);
    pos_tc(tb, b, y, sizeof y);
    if (a == b)
        snprintf(buf, n, "%s", x);
    else
        snprintf(buf, n, "%s - %s", x, y);
}

static const vm_clog_event *event_of(const vm_conform_log *l, int side, int i)
{
    if (i < 0)
        return NULL;
    return side ? &l->new_events[i] : &l->old_events[i];
}

static void event_label(const vm_clog_event *e, char *buf, size_t n)
{
    if (!e) {
        snprintf(buf, n, "-");
        return;
    }
    char speed[48] = "";
    if (e->speed_num != e->speed_den) /* a retimed shot: matched only by one at its speed (vm/conform.h) */
        snprintf(speed, sizeof speed, " at %.4g x speed", (double)e->speed_num / (double)e->speed_den);
    snprintf(buf, n, "event %d %s%s%s%s%s (%s)", e->number, e->reel, e->clip[0] ? " '" : "", e->clip,
             e->clip[0] ? "'" : "", speed, e->where);
}

static void join_label(const vm_edit_join *j, char *buf, size_t n)
{
    static const char *const names[] = {"cut", "dissolve", "wipe"};
    if (j->kind == VM_EDIT_CUT)
        snprintf(buf, n, "cut");
    else
        snprintf(buf, n, "%s %" PRId64 " frames", names[j->kind], j->frames);
}

static const char *change_word(vm_change_kind k)
{
    static const char *const w[] = {"moved", "trimmed", "removed", "inserted", "transition"};
    return w[k];
}

static const char *range_word(const vm_conform_range *r)
{
    if (r->kind == VM_CONFORM_REMOVED)
        return "removed";
    if (r->kind == VM_CONFORM_INSERTED)
        return "inserted";
    return r->new_in == r->old_in || r->old_in == INT64_MIN ? "kept" : "moved";
}

static int64_t ev_sample(const vm_conform_log *l, const vm_timebase *tb, int64_t frames)
{
    return vm_tc_frames_to_samples(&l->fps, tb->rate, frames) - tb->start_samples;
}

/* ---- the sections' rows ---- */

static void put_row(writer *w, section s, char cells[][CELL], int n)
{
    FILE *f = w->f;
    if (!w->rows++) {
        if (w->html) {
            fprintf(f, "<table class=\"%s\">\n<tr>", sections[s].klass);
            for (int i = 0; i < sections[s].ncols; i++)
                fprintf(f, "<th>%s</th>", sections[s].cols[i]);
            fputs("</tr>\n", f);
        }
    }
    if (w->html) {
        fputs("<tr class=\"item\">", f);
        for (int i = 0; i < n; i++) {
            fputs("<td>", f);
            vm_xml_text(f, cells[i]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    } else {
        fputs(" ", f);
        for (int i = 0; i < n; i++)
            if (cells[i][0])
                fprintf(f, " %s%s", cells[i], i + 1 < n ? " |" : "");
        fputc('\n', f);
    }
}

static void change_rows(writer *w)
{
    const vm_conform_log *l = w->log;
    int n;
    const vm_change *ch = vm_conform_changes(l->cut, &n);
    char c[5][CELL];
    for (int i = 0; i < n; i++) {
        const vm_clog_event *o = event_of(l, 0, ch[i].old_event), *e = event_of(l, 1, ch[i].new_event);
        snprintf(c[0], CELL, "%s", change_word(ch[i].kind));
        event_label(o ? o : e, c[1], CELL);
        if (o)
            span_tc(w->tb, ev_sample(l, w->tb, o->rec_in), ev_sample(l, w->tb, o->rec_out), c[2], CELL);
        else
            snprintf(c[2], CELL, "-");
        if (e && ch[i].kind != VM_CHANGE_REMOVED)
            span_tc(w->tb, ev_sample(l, w->tb, e->rec_in), ev_sample(l, w->tb, e->rec_out), c[3], CELL);
        else
            snprintf(c[3], CELL, "-");
        c[4][0] = 0;
        if (ch[i].kind == VM_CHANGE_MOVED)
            snprintf(c[4], CELL, "%+" PRId64 " frames", ch[i].move);
        else if (ch[i].kind == VM_CHANGE_TRIMMED)
            snprintf(c[4], CELL, "head %+" PRId64 " frames, tail %+" PRId64 " frames, moved %+" PRId64 " frames",
                     -ch[i].head, -ch[i].tail, ch[i].move);
        else if (ch[i].kind == VM_CHANGE_TRANSITION && o && e) {
            char a[64], b[64];
            join_label(&o->in, a, sizeof a);
            join_label(&e->in, b, sizeof b);
            snprintf(c[4], CELL, "%s -> %s", a, b);
        } else if (ch[i].kind == VM_CHANGE_INSERTED && e) {
            snprintf(c[4], CELL, "%" PRId64 " frames of new picture", e->rec_out - e->rec_in);
        } else if (ch[i].kind == VM_CHANGE_REMOVED && o) {
            snprintf(c[4], CELL, "%" PRId64 " frames gone", o->rec_out - o->rec_in);
        }
        put_row(w, SEC_CHANGES, c, 5);
    }
}

static void gap_rows(writer *w)
{
    const vm_conform_log *l = w->log;
    int n;
    const vm_conform_range *r = vm_conform_ranges(l->cut, &n);
    char c[3][CELL];
    for (int i = 0; i < n; i++) {
        if (r[i].kind != VM_CONFORM_INSERTED)
            continue;
        span_tc(w->tb, r[i].new_in_s, r[i].new_out_s, c[0], CELL);
        snprintf(c[1], CELL, "%.3f s (%" PRId64 " frames)", (double)(r[i].new_out_s - r[i].new_in_s) / w->tb->rate,
                 r[i].new_out - r[i].new_in);
        event_label(event_of(l, 1, r[i].new_event), c[2], CELL);
        put_row(w, SEC_GAPS, c, 3);
    }
}

static const char *item_word(vm_clog_kind k)
{
    switch (k) {
    case VM_CLOG_CLIP: return "clip";
    case VM_CLOG_CLIP_DROPPED: return "clip";
    case VM_CLOG_FADE: return "fade";
    case VM_CLOG_MOVE: return "move";
    case VM_CLOG_MOVE_DROPPED: return "move";
    case VM_CLOG_MOVE_SPLIT: return "move across a change";
    case VM_CLOG_CUE: return "cue";
    case VM_CLOG_CUE_DROPPED: return "cue";
    case VM_CLOG_LENGTH: return "session length";
    case VM_CLOG_XFADE: return "crossfade";
    }
    return "?";
}

/* "#3" or "#3 part 2 of 2" */
static void item_number(const vm_clog_item *it, char *buf, size_t n)
{
    if (it->kind == VM_CLOG_CUE || it->kind == VM_CLOG_CUE_DROPPED || it->kind == VM_CLOG_LENGTH)
        buf[0] = 0;
    else if (it->parts > 1)
        snprintf(buf, n, "#%d part %d of %d", it->index, it->part, it->parts);
    else
        snprintf(buf, n, "#%d", it->index);
}

static void item_rows(writer *w, section s)
{
    const vm_conform_log *l = w->log;
    char c[5][CELL], num[64];
    for (int i = 0; i < l->nitems; i++) {
        const vm_clog_item *it = &l->items[i];
        int dropped = it->kind == VM_CLOG_CLIP_DROPPED || it->kind == VM_CLOG_MOVE_DROPPED
                      || it->kind == VM_CLOG_CUE_DROPPED;
        int review = it->kind == VM_CLOG_FADE || it->kind == VM_CLOG_MOVE_SPLIT || it->kind == VM_CLOG_LENGTH;
        int moved = it->new_at != it->old_at || it->new_end != it->old_end;
        int take = s == SEC_DROPPED ? dropped
                 : s == SEC_REVIEW  ? review
                 : s == SEC_XFADES  ? it->kind == VM_CLOG_XFADE
                 : s == SEC_CLIPS   ? it->kind == VM_CLOG_CLIP && moved
                 : s == SEC_MOVES   ? it->kind == VM_CLOG_MOVE && moved
                                    : it->kind == VM_CLOG_CUE && moved;
        if (!take)
            continue;
        item_number(it, num, sizeof num);
        int k = 0;
        if (s == SEC_DROPPED || s == SEC_REVIEW)
            snprintf(c[k++], CELL, "%s", item_word(it->kind));
        if (s == SEC_CUES) {
            snprintf(c[k++], CELL, "%s", it->name);
            snprintf(c[k++], CELL, "%s", it->where);
        } else {
            snprintf(c[k++], CELL, "%s%s%s", it->name, (s == SEC_DROPPED || s == SEC_REVIEW) && num[0] ? " " : "",
                     s == SEC_DROPPED || s == SEC_REVIEW ? num : "");
            if (s == SEC_CLIPS || s == SEC_MOVES || s == SEC_XFADES)
                snprintf(c[k++], CELL, "%s", num);
            snprintf(c[k++], CELL, "%s", it->where);
        }
        span_tc(w->tb, it->old_at, it->old_end, c[k++], CELL);
        if (s == SEC_REVIEW && it->note[0]) {
            char t[CELL / 2];
            span_tc(w->tb, it->new_at, it->new_end, t, sizeof t);
            snprintf(c[k++], CELL, "%s: %s", t, it->note);
        } else {
            span_tc(w->tb, it->new_at, it->new_end, c[k++], CELL);
        }
        if (s == SEC_XFADES) { /* the lengths, and which fade of which transition */
            size_t used = strlen(c[k - 2]);
            snprintf(c[k - 2] + used, CELL - used, " (%.3f s)", (double)it->old_fade / w->tb->rate);
            used = strlen(c[k - 1]);
            snprintf(c[k - 1] + used, CELL - used, " (%.3f s), %s", (double)it->new_fade / w->tb->rate, it->note);
        }
        if (s == SEC_CLIPS && it->kind == VM_CLOG_CLIP) {
            size_t used = strlen(c[k - 1]);
            snprintf(c[k - 1] + used, CELL - used, ", from %.3f s", (double)it->new_from / w->tb->rate);
        }
        put_row(w, s, c, k);
    }
}

static void section_rows(writer *w, section s)
{
    switch (s) {
    case SEC_CHANGES: change_rows(w); break;
    case SEC_GAPS: gap_rows(w); break;
    default: item_rows(w, s); break;
    }
}

static int count_gaps(const vm_conform_log *l)
{
    int n, g = 0;
    const vm_conform_range *r = vm_conform_ranges(l->cut, &n);
    for (int i = 0; i < n; i++)
        g += r[i].kind == VM_CONFORM_INSERTED;
    return g;
}

/* "s" after a count that is not 1 */
static const char *plural(int n) { return n == 1 ? "" : "s"; }

void vm_conform_report_summary(FILE *f, const vm_conform_log *l)
{
    int ngaps = count_gaps(l);
    fprintf(f, "%d clip%s (%d part%s placed, %d split at a change, %d part%s dropped), %d move%s placed (%d dropped, "
               "%d going on across a change, %d of them through points), %d cue%s (%d dropped), %d crossfade%s set "
               "to a dissolve's new length, %d fade%s to review, %d gap%s to fill; %d thing%s dropped",
            l->clips, plural(l->clips), l->clip_parts, plural(l->clip_parts), l->clips_split, l->clip_parts_dropped,
            plural(l->clip_parts_dropped), l->moves, plural(l->moves), l->moves_dropped, l->moves_split,
            l->moves_approximated, l->cues, plural(l->cues), l->cues_dropped, l->xfades, plural(l->xfades), l->fades,
            plural(l->fades), ngaps, plural(ngaps), l->dropped, plural(l->dropped));
}

static void track_name(const vm_conform_log *l, char *buf, size_t n) { vm_conform_track_name(l->track, buf, (int)n); }

/* ---- text ---- */

void vm_conform_report_text(FILE *f, const vm_conform_log *l, const vm_timebase *tb)
{
    char tr[16];
    track_name(l, tr, sizeof tr);
    fprintf(f, "conform (%s): from %s (%d events) to %s (%d events), compared on %s\n", l->where, l->from_path,
            l->nold, l->to_path, l->nnew, tr);
    writer w = {.log = l, .tb = tb, .f = f};
    int n;
    const vm_conform_range *r = vm_conform_ranges(l->cut, &n);
    fprintf(f, "\npicture ranges (old cut -> new cut):\n");
    for (int i = 0; i < n; i++) {
        char a[160], b[160];
        span_tc(tb, r[i].old_in_s, r[i].old_out_s, a, sizeof a);
        span_tc(tb, r[i].new_in_s, r[i].new_out_s, b, sizeof b);
        fprintf(f, "  %-8s %s -> %s\n", range_word(&r[i]), a, b);
    }
    for (int s = 0; s < SEC_COUNT; s++) {
        fprintf(f, "\n%s:\n", sections[s].title);
        w.rows = 0;
        section_rows(&w, (section)s);
        if (!w.rows)
            fprintf(f, "  %s\n", sections[s].none);
    }
    fputs("\n", f);
    vm_conform_report_summary(f, l);
    fputs("\n", f);
}

/* ---- JSON ---- */

static void json_time(FILE *f, const char *key, const vm_timebase *tb, int64_t pos)
{
    fprintf(f, "\"%s\":", key);
    if (pos == INT64_MIN || pos == INT64_MAX) {
        fputs("null", f);
        return;
    }
    char tc[64];
    vm_time_format(tb, pos, tc, sizeof tc);
    fputs("{\"tc\":", f);
    vm_json_string(f, tc);
    fprintf(f, ",\"samples\":%" PRId64 "}", pos);
}

static void json_event(FILE *f, const char *key, const vm_conform_log *l, const vm_timebase *tb,
                       const vm_clog_event *e)
{
    fprintf(f, "\"%s\":", key);
    if (!e) {
        fputs("null", f);
        return;
    }
    char j[64];
    fprintf(f, "{\"number\":%d,\"reel\":", e->number);
    vm_json_string(f, e->reel);
    fputs(",\"clip\":", f);
    vm_json_string(f, e->clip);
    fputs(",\"where\":", f);
    vm_json_string(f, e->where);
    fputc(',', f);
    json_time(f, "rec_in", tb, ev_sample(l, tb, e->rec_in));
    fputc(',', f);
    json_time(f, "rec_out", tb, ev_sample(l, tb, e->rec_out));
    join_label(&e->in, j, sizeof j);
    fputs(",\"transition\":", f);
    vm_json_string(f, j);
    fprintf(f, ",\"speed\":%.17g}", (double)e->speed_num / (double)e->speed_den);
}

static const char *item_json_kind(vm_clog_kind k)
{
    static const char *const w[] = {"clip", "clip_dropped", "fade", "move", "move_dropped", "move_split",
                                    "cue", "cue_dropped", "length", "crossfade"};
    return w[k];
}

void vm_conform_report_json(FILE *f, const vm_conform_log *l, const vm_timebase *tb)
{
    char tr[16];
    track_name(l, tr, sizeof tr);
    fputs("{\"where\":", f);
    vm_json_string(f, l->where);
    fputs(",\"from\":", f);
    vm_json_string(f, l->from_path);
    fputs(",\"to\":", f);
    vm_json_string(f, l->to_path);
    fprintf(f, ",\"from_events\":%d,\"to_events\":%d,\"track\":\"%s\",\"rate\":%d,\"fps\":", l->nold, l->nnew, tr,
            tb->rate);
    vm_json_string(f, l->fps.name);
    fputs(",\n\"changes\":[", f);
    int n;
    const vm_change *ch = vm_conform_changes(l->cut, &n);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s\n{\"kind\":\"%s\",", i ? "," : "", change_word(ch[i].kind));
        json_event(f, "old_event", l, tb, event_of(l, 0, ch[i].old_event));
        fputc(',', f);
        json_event(f, "new_event", l, tb, event_of(l, 1, ch[i].new_event));
        fprintf(f, ",\"move_frames\":%" PRId64 ",\"head_frames\":%" PRId64 ",\"tail_frames\":%" PRId64 "}",
                ch[i].move, -ch[i].head, -ch[i].tail);
    }
    fputs("],\n\"ranges\":[", f);
    const vm_conform_range *r = vm_conform_ranges(l->cut, &n);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s\n{\"kind\":\"%s\",", i ? "," : "", range_word(&r[i]));
        json_time(f, "old_in", tb, r[i].old_in_s);
        fputc(',', f);
        json_time(f, "old_out", tb, r[i].old_out_s);
        fputc(',', f);
        json_time(f, "new_in", tb, r[i].new_in_s);
        fputc(',', f);
        json_time(f, "new_out", tb, r[i].new_out_s);
        fputc(',', f);
        json_event(f, "old_event", l, tb, event_of(l, 0, r[i].old_event));
        fputc(',', f);
        json_event(f, "new_event", l, tb, event_of(l, 1, r[i].new_event));
        fputc('}', f);
    }
    fputs("],\n\"items\":[", f);
    for (int i = 0; i < l->nitems; i++) {
        const vm_clog_item *it = &l->items[i];
        fprintf(f, "%s\n{\"kind\":\"%s\",\"name\":", i ? "," : "", item_json_kind(it->kind));
        vm_json_string(f, it->name);
        fprintf(f, ",\"index\":%d,\"part\":%d,\"parts\":%d,\"where\":", it->index, it->part, it->parts);
        vm_json_string(f, it->where);
        fputc(',', f);
        json_time(f, "old_at", tb, it->old_at);
        fputc(',', f);
        json_time(f, "old_end", tb, it->old_end);
        fputc(',', f);
        json_time(f, "new_at", tb, it->new_at);
        fputc(',', f);
        json_time(f, "new_end", tb, it->new_end);
        if (it->kind == VM_CLOG_CLIP || it->kind == VM_CLOG_CLIP_DROPPED)
            fprintf(f, ",\"from_samples\":%" PRId64, it->new_from);
        if (it->kind == VM_CLOG_XFADE)
            fprintf(f, ",\"old_fade_samples\":%" PRId64 ",\"new_fade_samples\":%" PRId64, it->old_fade, it->new_fade);
        fputs(",\"note\":", f);
        vm_json_string(f, it->note);
        fputc('}', f);
    }
    fprintf(f, "],\n\"summary\":{\"clips\":%d,\"clip_parts\":%d,\"clips_split\":%d,\"clip_parts_dropped\":%d,"
               "\"moves\":%d,\"moves_dropped\":%d,\"moves_split\":%d,\"moves_approximated\":%d,\"cues\":%d,"
               "\"cues_dropped\":%d,\"crossfades\":%d,\"fades\":%d,\"gaps\":%d,\"dropped\":%d}}\n",
            l->clips, l->clip_parts, l->clips_split, l->clip_parts_dropped, l->moves, l->moves_dropped,
            l->moves_split, l->moves_approximated, l->cues, l->cues_dropped, l->xfades, l->fades, count_gaps(l),
            l->dropped);
}

/* ---- HTML ---- */

#define DIAGRAM_LEFT 70
#define DIAGRAM_WIDTH 1000
#define ROW_H 26
#define OLD_Y 20
#define NEW_Y 110

static const char *range_colour(const char *word)
{
    if (strcmp(word, "moved") == 0)
        return "#0072B2";
    if (strcmp(word, "removed") == 0)
        return "#D55E00";
    if (strcmp(word, "inserted") == 0)
        return "#009E73";
    return "#999999";
}

/* The two cuts drawn one above the other on one time scale, each kept
 * range joined to its new place. */
static void diagram(FILE *f, const vm_conform_log *l, const vm_timebase *tb)
{
    int n;
    const vm_conform_range *r = vm_conform_ranges(l->cut, &n);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < n; i++) {
        int64_t v[4] = {r[i].old_in_s, r[i].old_out_s, r[i].new_in_s, r[i].new_out_s};
        for (int k = 0; k < 4; k++)
            if (v[k] != INT64_MIN && v[k] != INT64_MAX) {
                lo = v[k] < lo ? v[k] : lo;
                hi = v[k] > hi ? v[k] : hi;
            }
    }
    if (hi <= lo)
        hi = lo + 1;
    double scale = (double)DIAGRAM_WIDTH / (double)(hi - lo);
#define X(v) (DIAGRAM_LEFT + ((double)((v) - lo)) * scale)
    fprintf(f, "<svg class=\"cuts\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
               "%d\" role=\"img\">\n<title>the old cut above, the new cut below</title>\n",
            DIAGRAM_LEFT + DIAGRAM_WIDTH + 20, NEW_Y + ROW_H + 30, DIAGRAM_LEFT + DIAGRAM_WIDTH + 20,
            NEW_Y + ROW_H + 30);
    fprintf(f, "<text x=\"4\" y=\"%d\" class=\"rowlabel\">old cut</text><text x=\"4\" y=\"%d\" class=\"rowlabel\">"
               "new cut</text>\n", OLD_Y + 17, NEW_Y + 17);
    for (int i = 0; i < n; i++) {
        const char *word = range_word(&r[i]);
        int64_t oa = r[i].old_in_s == INT64_MIN ? lo : r[i].old_in_s, ob = r[i].old_out_s == INT64_MAX ? hi : r[i].old_out_s;
        int64_t na = r[i].new_in_s == INT64_MIN ? lo : r[i].new_in_s, nb = r[i].new_out_s == INT64_MAX ? hi : r[i].new_out_s;
        if (r[i].old_in_s == INT64_MIN || r[i].old_out_s == INT64_MAX)
            continue; /* before and after the cut: not drawn */
        char a[160], b[160];
        span_tc(tb, r[i].old_in_s, r[i].old_out_s, a, sizeof a);
        span_tc(tb, r[i].new_in_s, r[i].new_out_s, b, sizeof b);
        if (r[i].kind == VM_CONFORM_KEPT)
            fprintf(f, "<polygon class=\"join\" points=\"%.1f,%d %.1f,%d %.1f,%d %.1f,%d\" fill=\"%s\" "
                       "fill-opacity=\"0.18\"/>\n", X(oa), OLD_Y + ROW_H, X(ob), OLD_Y + ROW_H, X(nb), NEW_Y, X(na),
                    NEW_Y, range_colour(word));
        if (r[i].kind != VM_CONFORM_INSERTED) {
            fprintf(f, "<rect class=\"range\" data-kind=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                       "fill=\"%s\" stroke=\"#fff\"><title>%s: ", word, X(oa), OLD_Y, X(ob) - X(oa), ROW_H,
                    range_colour(word), word);
            vm_xml_text(f, a);
            fputs(" -&gt; ", f);
            vm_xml_text(f, b);
            fputs("</title></rect>\n", f);
        }
        if (r[i].kind != VM_CONFORM_REMOVED) {
            fprintf(f, "<rect class=\"range\" data-kind=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                       "fill=\"%s\" stroke=\"#fff\"><title>%s: ", word, X(na), NEW_Y, X(nb) - X(na), ROW_H,
                    range_colour(word), word);
            vm_xml_text(f, r[i].kind == VM_CONFORM_INSERTED ? b : a);
            if (r[i].kind != VM_CONFORM_INSERTED) {
                fputs(" -&gt; ", f);
                vm_xml_text(f, b);
            }
            fputs("</title></rect>\n", f);
        }
    }
    char t0[64], t1[64];
    pos_tc(tb, lo, t0, sizeof t0);
    pos_tc(tb, hi, t1, sizeof t1);
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xlabel\">", DIAGRAM_LEFT, NEW_Y + ROW_H + 18);
    vm_xml_text(f, t0);
    fprintf(f, "</text><text x=\"%d\" y=\"%d\" class=\"xlabel end\">", DIAGRAM_LEFT + DIAGRAM_WIDTH, NEW_Y + ROW_H + 18);
    vm_xml_text(f, t1);
    fputs("</text>\n</svg>\n", f);
#undef X
}

static const char page_style[] =
    "body{font-family:sans-serif;font-size:14px;color:#111;background:#fff;margin:16px;max-width:1160px}"
    "h1{font-size:20px}h2{font-size:16px;margin:26px 0 4px}p{margin:4px 0}"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}"
    "th,td{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}"
    ".rowlabel{font-size:12px}.xlabel{font-size:11px;fill:#333}.end{text-anchor:end}"
    ".key{white-space:nowrap;margin-right:14px}.fail{color:#b2182b;font-weight:bold}";

void vm_conform_report_html(FILE *f, const vm_conform_log *l, const vm_timebase *tb, const char *script)
{
    char tr[16];
    track_name(l, tr, sizeof tr);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Conform report: ", f);
    vm_xml_text(f, script);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>Conform report: ", page_style);
    vm_xml_text(f, script);
    fputs("</h1>\n<p>From <b>", f);
    vm_xml_text(f, l->from_path);
    fprintf(f, "</b> (%d events) to <b>", l->nold);
    vm_xml_text(f, l->to_path);
    fprintf(f, "</b> (%d events), compared on %s, at %d Hz and ", l->nnew, tr, tb->rate);
    vm_xml_text(f, l->fps.name);
    fputs(" fps; asked for at ", f);
    vm_xml_text(f, l->where);
    fputs(".</p>\n<p", f);
    if (l->dropped)
        fputs(" class=\"fail\"", f);
    fputs(">", f);
    vm_conform_report_summary(f, l);
    fputs(".</p>\n<h2>The two cuts</h2>\n<p><span class=\"key\" style=\"color:#999999\">&#9632; kept</span>"
          "<span class=\"key\" style=\"color:#0072B2\">&#9632; moved</span><span class=\"key\" "
          "style=\"color:#D55E00\">&#9632; removed</span><span class=\"key\" style=\"color:#009E73\">&#9632; "
          "inserted</span></p>\n", f);
    diagram(f, l, tb);
    writer w = {.log = l, .tb = tb, .f = f, .html = 1};
    for (int s = 0; s < SEC_COUNT; s++) {
        fprintf(f, "<h2>%s</h2>\n", sections[s].title);
        w.rows = 0;
        section_rows(&w, (section)s);
        if (w.rows)
            fputs("</table>\n", f);
        else
            fprintf(f, "<p>%s</p>\n", sections[s].none);
    }
    fputs("</body>\n</html>\n", f);
}
