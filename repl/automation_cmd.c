/* automation_cmd.c - `dubstage automation` (see automation_cmd.h). */
#include "repl/automation_cmd.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/automation.h"
#include "vm/suggest.h"
#include "vm/tmpfile.h"
#include "vm/xml.h"
#include "repl/text_file.h"

/* The unit a lane's values are in, from its name. */
static const char *unit_of(const vm_auto_lane *l)
{
    return l->unit ? l->unit : "";
}

static void fmt_value(const vm_auto_lane *l, double v, char *buf, size_t n)
{
    if (l->is_db && v <= VM_LANE_DB_SILENCE)
        snprintf(buf, n, "-inf");
    else if (strcmp(unit_of(l), "on/off") == 0)
        snprintf(buf, n, "%s", v != 0 ? "on" : "off");
    else
        snprintf(buf, n, "%.3f", v);
}

/* s into f as a CSV field's text (a quote doubled): a strip's name is the
 * script's to choose, and must not end the field. */
static void put_csv_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
}

static int cmp_sample(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Every breakpoint of the ns lanes in sel, sorted, repeats removed, into a
 * new array (free it) and its count into *n; NULL when out of memory. All of
 * them: a fixed array here once dropped every breakpoint past the 256th of a
 * lane from the CSV, without a word. */
static int64_t *breakpoints_of(vm_auto_lane *const *sel, int ns, int *n)
{
    size_t total = 0;
    for (int i = 0; i < ns; i++)
        total += (size_t)vm_auto_breakpoints(sel[i], NULL, 0);
    int64_t *bp = malloc((total ? total : 1) * sizeof *bp);
    if (!bp || total > INT_MAX) {
        free(bp);
        fprintf(stderr, "dubstage: out of memory for %zu breakpoints\n", total);
        return NULL;
    }
    size_t got = 0;
    for (int i = 0; i < ns; i++)
        got += (size_t)vm_auto_breakpoints(sel[i], bp + got, (int)(total - got));
    qsort(bp, got, sizeof *bp, cmp_sample);
    size_t w = 0;
    for (size_t i = 0; i < got; i++)
        if (w == 0 || bp[w - 1] != bp[i])
            bp[w++] = bp[i];
    *n = (int)w;
    return bp;
}

static int print_lane(const vm_desc *d, vm_auto_lane *l, int64_t length)
{
    int nb;
    int64_t *bp = breakpoints_of(&l, 1, &nb);
    if (!bp)
        return 1;
    printf("%s  (%s, %s)\n", l->name, unit_of(l), l->where);
    int64_t last = -1;
    char tc[64], v[32];
    /* the start, every breakpoint, the end */
    for (int i = -1; i <= nb; i++) {
        int64_t t = i < 0 ? 0 : i == nb ? length : bp[i];
        if (t < 0 || t > length || t == last)
            continue;
        last = t;
        vm_time_format(&d->tb, t, tc, sizeof tc);
        fmt_value(l, vm_auto_value(l, t), v, sizeof v);
        printf("  %-20s %10s\n", tc, v);
    }
    free(bp);
    return 0;
}

static int write_csv(const vm_desc *d, vm_auto_lane **sel, int ns, int64_t length, const char *path)
{
    int nb;
    int64_t *bp = breakpoints_of(sel, ns, &nb);
    if (!bp)
        return 1;
    vm_tmpfile tmp;
    FILE *f = repl_text_open(path, &tmp);
    if (!f) {
        free(bp);
        return 1;
    }
    fprintf(f, "timecode,seconds,sample");
    for (int i = 0; i < ns; i++)
    {
        fputs(",\"", f);
        put_csv_text(f, sel[i]->name);
        fputc('"', f);
    }
    fprintf(f, "\n");
    /* one row per frame, plus every breakpoint */
    int64_t frame0 = d->tb.start_frames;
    char tc[64], v[32];
    int k = 0;
    for (int64_t fr = 0;; fr++) {
        int64_t t = vm_tc_frames_to_samples(&d->tb.fps, d->tb.rate, frame0 + fr) - d->tb.start_samples;
        if (t > length)
            break;
        int64_t next = vm_tc_frames_to_samples(&d->tb.fps, d->tb.rate, frame0 + fr + 1) - d->tb.start_samples;
        /* the frame's row, then the breakpoints inside the frame, in order */
        while (k < nb && bp[k] <= t)
            k++;
        for (int64_t m = t;;) {
            vm_time_format(&d->tb, m, tc, sizeof tc);
            fprintf(f, "%s,%.6f,%lld", tc, (double)m / d->tb.rate, (long long)m);
            for (int i = 0; i < ns; i++) {
                fmt_value(sel[i], vm_auto_value(sel[i], m), v, sizeof v);
                fprintf(f, ",%s", v);
            }
            fprintf(f, "\n");
            if (k >= nb || bp[k] >= next || bp[k] > length)
                break;
            m = bp[k++];
        }
    }
    free(bp);
    return repl_text_commit(f, &tmp, path);
}

static int write_svg(const vm_desc *d, vm_auto_lane **sel, int ns, int64_t length, const char *path)
{
    vm_tmpfile tmp;
    FILE *f = repl_text_open(path, &tmp);
    if (!f)
        return 1;
    const int W = 1200, H = 140, left = 90, right = 20, top = 28, gap = 36;
    const int pw = W - left - right, ph = H - top - 24;
    int total_h = ns * (H + gap) + 30;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, total_h);
    enum { POINTS = 2000 };
    for (int i = 0; i < ns; i++) {
        const vm_auto_lane *l = sel[i];
        int y0 = 10 + i * (H + gap);
        /* value range: pan -1..1; dB from the lane, floor at -60 for display */
        int pan = strcmp(unit_of(l), "-1 left .. 1 right") == 0;
        double lo = pan ? -1 : 1e9, hi = pan ? 1 : -1e9;
        if (!pan) {
            for (int k = 0; k <= POINTS; k++) {
                double v = vm_auto_value(l, length * k / POINTS);
                v = l->is_db && v < -60 ? -60 : v; /* gains: silence shows as -60 */
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            if (l->is_db) {
                lo = floor(lo / 6) * 6 - 3;
                hi = ceil(hi / 6) * 6 + 3;
            } else {
                double m = (hi - lo) * 0.1 + 1e-9;
                lo -= m;
                hi += m;
            }
        }
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">", left, y0 + 14);
        vm_xml_text(f, l->name);
        fprintf(f, " (%s)</text>\n", unit_of(l));
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", left,
                y0 + top, pw, ph);
        for (int g = 0; g <= 4; g++) {
            double v = lo + (hi - lo) * g / 4;
            int y = y0 + top + ph - (int)(ph * (v - lo) / (hi - lo));
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f</text>\n", left - 6, y + 4, v);
            fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>\n", left, y, left + pw, y);
        }
        for (int g = 0; g <= 6; g++) {
            int64_t t = length * g / 6;
            char tc[64];
            vm_time_format(&d->tb, t, tc, sizeof tc);
            char *plus = strchr(tc, '+');
            if (plus)
                *plus = 0;
            int x = left + (int)((double)pw * g / 6);
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" fill=\"#555\">%s</text>\n", x, y0 + top + ph + 16,
                    g == 0 ? "start" : g == 6 ? "end" : "middle", tc);
        }
        fprintf(f, "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"");
        for (int k = 0; k <= POINTS; k++) {
            int64_t t = length * k / POINTS;
            double v = vm_auto_value(l, t);
            v = v < lo ? lo : v > hi ? hi : v;
            fprintf(f, "%.1f,%.1f ", left + (double)pw * k / POINTS, y0 + top + ph - ph * (v - lo) / (hi - lo));
        }
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "</svg>\n");
    return repl_text_commit(f, &tmp, path);
}

int repl_automation(const vm_desc *d, const char *const *names, int n, const char *csv_path, const char *svg_path)
{
    vm_auto_list list;
    char err[DS_ERR_LEN];
    if (vm_automation_collect(d, &list, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    int rc = 0, ns = 0;
    vm_auto_lane **sel = calloc((size_t)list.n + 1, sizeof *sel);
    if (!sel) {
        vm_automation_free(&list);
        fprintf(stderr, "dubstage: out of memory\n");
        return 1;
    }
    if (n == 0) {
        for (int i = 0; i < list.n; i++)
            sel[ns++] = &list.lanes[i];
    }
    for (int k = 0; k < n && rc == 0; k++) {
        int found = -1;
        for (int i = 0; i < list.n; i++)
            if (strcmp(list.lanes[i].name, names[k]) == 0)
                found = i;
        if (found < 0) {
            const char **cands = calloc((size_t)list.n + 1, sizeof *cands);
            for (int i = 0; cands && i < list.n; i++)
                cands[i] = list.lanes[i].name;
            const char *near = cands ? vm_suggest(names[k], cands, list.n) : NULL;
            fprintf(stderr, "dubstage: no automated lane '%s'%s%s%s (lanes with moves:", names[k],
                    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
            for (int i = 0; i < list.n; i++)
                fprintf(stderr, " %s", list.lanes[i].name);
            fprintf(stderr, "%s)\n", list.n ? "" : " none");
            free(cands);
            rc = 1;
        } else {
            sel[ns++] = &list.lanes[found];
        }
    }
    int64_t length = vm_desc_length(d);
    if (rc == 0 && csv_path)
        rc = write_csv(d, sel, ns, length, csv_path);
    if (rc == 0 && svg_path)
        rc = write_svg(d, sel, ns, length, svg_path);
    if (rc == 0 && !csv_path && !svg_path) {
        if (ns == 0)
            printf("no automation: no parameter of this mix has moves\n");
        for (int i = 0; i < ns && rc == 0; i++)
            rc = print_lane(d, sel[i], length);
    }
    free(sel);
    vm_automation_free(&list);
    return rc;
}
