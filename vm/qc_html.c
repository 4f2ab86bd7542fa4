/* qc_html.c - the QC report's HTML page (see qc_report.h): one file, inline
 * SVG and CSS, no script and nothing fetched, readable in any browser and
 * printable.
 *
 * Every time plot has the same frame: a plot area of VM_QC_PLOT_COLUMNS
 * pixels (one column per value drawn) from the session start to its end,
 * timecode along the bottom, dB up the left, grid lines, a legend, the cue
 * markers as dashed vertical lines. Colours are the Okabe-Ito palette (told
 * apart with the common colour-vision deficiencies); channels past the
 * seventh are also dashed, and limits are labelled in words, so no reading
 * depends on colour alone. Element classes the tests count: svg.plot (with
 * data-kind and data-stream), rect.plot-area, polyline.series,
 * line.marker, line.limit. */
#include "vm/qc_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/qc_report_priv.h"
#include "vm/xml.h"

#define PLOT_LEFT 64                               /* the dB labels */
#define PLOT_WIDTH VM_QC_PLOT_COLUMNS
#define PLOT_TOP 40                                /* title and legend above */
#define PLOT_HEIGHT 180
#define SVG_WIDTH (PLOT_LEFT + PLOT_WIDTH + 40)
#define SVG_HEIGHT (PLOT_TOP + PLOT_HEIGHT + 28)   /* timecodes below */

static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};
#define NPALETTE (int)(sizeof palette / sizeof palette[0])
static const char *const dashes[] = {"", "6 3", "2 2", "8 3 2 3"};

typedef struct {
    const vm_qc_input *in;
    double lo, hi;      /* dB at the bottom and top of the plot area */
} plot_frame;

static double y_of(const plot_frame *pf, double v)
{
    if (v < pf->lo || v == -INFINITY)
        v = pf->lo; /* below the range (silence): on the floor */
    if (v > pf->hi)
        v = pf->hi;
    return PLOT_TOP + PLOT_HEIGHT * (pf->hi - v) / (pf->hi - pf->lo);
}

static double x_of(const vm_qc_input *in, double sample)
{
    double len = in->q->length > 0 ? (double)in->q->length : 1.0;
    return PLOT_LEFT + PLOT_WIDTH * sample / len;
}

/* A timecode without the "+N samples" part. */
static void tc_label(const vm_qc_input *in, int64_t pos, char *buf, size_t n)
{
    qc_timecode(in, pos, buf, n);
    char *plus = strchr(buf, '+');
    if (plus)
        *plus = 0;
}

static void fmt_value(double v, const char *unit, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (isinf(v))
        snprintf(buf, n, v < 0 ? "-inf" : "+inf");
    else
        snprintf(buf, n, "%.1f%s%s", v, unit[0] ? " " : "", unit);
}

/* The seconds between time grid lines: about ten of them at most. */
static double time_step_s(double length_s)
{
    static const double steps[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (length_s / steps[i] <= 10)
            return steps[i];
    return 14400;
}

/* The dB between grid lines for a range: at most eight of them. */
static double db_step(double span)
{
    static const double steps[] = {1, 2, 3, 6, 10, 20, 30, 60};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span / steps[i] <= 8)
            return steps[i];
    return 120;
}

/* The opening of a plot: frame, title, grid and labels, the cue markers. */
static void plot_begin(FILE *f, const plot_frame *pf, const char *kind, int stream, const char *title)
{
    const vm_qc_input *in = pf->in;
    fprintf(f, "<svg class=\"plot\" data-kind=\"%s\" data-stream=\"%d\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
            kind, stream, SVG_WIDTH, SVG_HEIGHT, SVG_WIDTH, SVG_HEIGHT);
    fputs("<title>", f);
    vm_xml_text(f, title);
    fputs("</title>\n", f);
    fprintf(f, "<text x=\"%d\" y=\"14\" class=\"ptitle\">", PLOT_LEFT);
    vm_xml_text(f, title);
    fputs("</text>\n", f);
    fprintf(f, "<rect class=\"plot-area\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
               "stroke=\"#888888\"/>\n", PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, PLOT_HEIGHT);
    double step = db_step(pf->hi - pf->lo);
    for (double v = ceil(pf->lo / step) * step; v <= pf->hi + 1e-9; v += step) {
        double y = y_of(pf, v);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", PLOT_LEFT, y,
                PLOT_LEFT + PLOT_WIDTH, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"ylabel\">%g</text>\n", PLOT_LEFT - 6, y + 4, v);
    }
    double length_s = (double)in->q->length / in->q->rate, ts = time_step_s(length_s);
    for (int i = 0; i * ts <= length_s + 1e-9; i++) {
        double t = i * ts * in->q->rate;
        char tc[64];
        tc_label(in, (int64_t)llround(t), tc, sizeof tc);
        double x = x_of(in, t);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>", x, PLOT_TOP, x,
                PLOT_TOP + PLOT_HEIGHT);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xlabel\">%s</text>\n", x, PLOT_TOP + PLOT_HEIGHT + 16, tc);
    }
    int ncues = qc_ncues(in);
    for (int k = 0; k < ncues; k++) {
        const char *name;
        int64_t pos;
        char tc[64];
        qc_cue(in, k, &name, &pos);
        if (pos < 0 || pos > in->q->length)
            continue;
        tc_label(in, pos, tc, sizeof tc);
        double x = x_of(in, (double)pos);
        fprintf(f, "<line class=\"marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"><title>cue ", x, PLOT_TOP - 4, x,
                PLOT_TOP + PLOT_HEIGHT);
        vm_xml_text(f, name);
        fprintf(f, " at %s</title></line>\n", tc);
    }
}

/* One entry of the legend, the index-th from the right of the title row. */
static void legend_entry(FILE *f, int index, int count, const char *colour, const char *dash, const char *label)
{
    int width = 110, x = PLOT_LEFT + PLOT_WIDTH - (count - index) * width;
    fprintf(f, "<line x1=\"%d\" y1=\"28\" x2=\"%d\" y2=\"28\" stroke=\"%s\" stroke-width=\"3\"%s%s%s/>", x, x + 22,
            colour, dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
    fprintf(f, "<text x=\"%d\" y=\"32\" class=\"legend\">", x + 27);
    vm_xml_text(f, label);
    fputs("</text>\n", f);
}

/* A horizontal limit at v, labelled. */
static void limit_line(FILE *f, const plot_frame *pf, double v, const char *label)
{
    if (!isfinite(v) || v < pf->lo || v > pf->hi)
        return;
    double y = y_of(pf, v);
    fprintf(f, "<line class=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", PLOT_LEFT, y,
            PLOT_LEFT + PLOT_WIDTH, y);
    fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"limitlabel\">", PLOT_LEFT + 4, y - 3);
    vm_xml_text(f, label);
    fputs("</text>\n", f);
}

/* The n points of x as one polyline, a value per pixel column: the largest
 * (or, deepest, the smallest) of the points under the column; silence on
 * the floor, a point never read (NaN) left out. */
static void series(FILE *f, const plot_frame *pf, const float *x, int n, int deepest, const char *colour,
                   const char *dash, const char *label)
{
    const vm_qc_series *q = pf->in->q;
    fprintf(f, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s%s%s "
               "stroke-linejoin=\"round\" points=\"", colour, dash[0] ? " stroke-dasharray=\"" : "", dash,
            dash[0] ? "\"" : "");
    int columns = n < PLOT_WIDTH ? n : PLOT_WIDTH;
    for (int j = 0; j < columns; j++) {
        int64_t k0 = (int64_t)j * n / columns, k1 = (int64_t)(j + 1) * n / columns;
        double v = NAN;
        for (int64_t k = k0; k < k1; k++)
            if (!isnan(x[k]) && (isnan(v) || (deepest ? x[k] < v : x[k] > v)))
                v = x[k];
        if (isnan(v))
            continue;
        /* the middle of the points' time span */
        double t = (double)(k0 + k1) * 0.5 * q->interval;
        if (t > q->length)
            t = (double)q->length;
        fprintf(f, "%.1f,%.1f ", x_of(pf->in, t), y_of(pf, v));
    }
    fputs("\"><title>", f);
    vm_xml_text(f, label);
    fputs("</title></polyline>\n", f);
}

static double series_max(const float *x, size_t n)
{
    double m = -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (x[k] > m)
            m = x[k];
    return m;
}

static void loudness_plot(FILE *f, const vm_qc_input *in, int i)
{
    const vm_qc_stream *s = &in->q->streams[i];
    const vm_qc_spec *spec = qc_spec_of(in, s);
    int n = in->q->npoints;
    double top = fmax(series_max(s->momentary_lufs, (size_t)n), series_max(s->short_term_lufs, (size_t)n));
    if (spec && isfinite(spec->integrated_max))
        top = fmax(top, spec->integrated_max);
    plot_frame pf = {.in = in, .hi = fmax(0, 10 * ceil(top / 10))};
    pf.lo = pf.hi - 60;
    char title[512];
    snprintf(title, sizeof title, "%s: loudness, momentary (400 ms) and short-term (3 s), LUFS", s->name);
    plot_begin(f, &pf, "loudness", i, title);
    if (spec && isfinite(spec->integrated_min) && isfinite(spec->integrated_max)) {
        double y0 = y_of(&pf, spec->integrated_max), y1 = y_of(&pf, spec->integrated_min);
        fprintf(f, "<rect class=\"band\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>\n", PLOT_LEFT, y0,
                PLOT_WIDTH, y1 - y0 > 1 ? y1 - y0 : 1);
    }
    if (spec) {
        char label[300];
        if (isfinite(spec->integrated_lufs)) {
            snprintf(label, sizeof label, "%s: integrated target %.1f LUFS", spec->name, spec->integrated_lufs);
            limit_line(f, &pf, spec->integrated_lufs, label);
        } else if (isfinite(spec->integrated_max)) {
            snprintf(label, sizeof label, "%s: integrated at most %.1f LUFS", spec->name, spec->integrated_max);
            limit_line(f, &pf, spec->integrated_max, label);
        }
    }
    series(f, &pf, s->momentary_lufs, n, 0, palette[0], "", "momentary M");
    series(f, &pf, s->short_term_lufs, n, 0, palette[1], "", "short-term S");
    legend_entry(f, 0, 2, palette[0], "", "momentary");
    legend_entry(f, 1, 2, palette[1], "", "short-term");
    fputs("</svg>\n", f);
}

static void true_peak_plot(FILE *f, const vm_qc_input *in, int i)
{
    const vm_qc_stream *s = &in->q->streams[i];
    const vm_qc_spec *spec = qc_spec_of(in, s);
    int n = in->q->npoints;
    double ceiling = spec && isfinite(spec->true_peak_dbtp) ? spec->true_peak_dbtp : VM_QC_DEFAULT_CEILING_DBTP;
    double top = fmax(series_max(s->true_peak_dbtp, (size_t)n * (size_t)s->channels), ceiling);
    plot_frame pf = {.in = in, .hi = fmax(0, 6 * ceil((top + 0.01) / 6))};
    pf.lo = pf.hi - 48;
    char title[512], label[300];
    snprintf(title, sizeof title, "%s: true peak per channel, dBTP", s->name);
    plot_begin(f, &pf, "true-peak", i, title);
    if (spec && isfinite(spec->true_peak_dbtp))
        snprintf(label, sizeof label, "%s: ceiling %.1f dBTP", spec->name, ceiling);
    else
        snprintf(label, sizeof label, "ceiling %.1f dBTP (no spec: the usual one)", ceiling);
    limit_line(f, &pf, ceiling, label);
    int shown = s->channels < 8 ? s->channels : 8; /* the legend's room */
    for (int c = 0; c < s->channels; c++) {
        char nm[16];
        const char *colour = palette[c % NPALETTE], *dash = dashes[(c / NPALETTE) % 4];
        vm_layout_channel_name(s->layout, c, nm, sizeof nm);
        series(f, &pf, s->true_peak_dbtp + (size_t)c * (size_t)n, n, 0, colour, dash, nm);
        if (c < shown)
            legend_entry(f, c, shown, colour, dash, nm);
    }
    fputs("</svg>\n", f);
}

static void gain_plot(FILE *f, const vm_qc_input *in)
{
    const vm_qc_series *q = in->q;
    double deepest = 0, highest = 0;
    for (int i = 0; i < q->ngains; i++)
        for (int k = 0; k < q->npoints; k++) {
            double v = q->gains[i].gain_db[k];
            deepest = v < deepest ? v : deepest;
            highest = v > highest ? v : highest;
        }
    plot_frame pf = {.in = in, .hi = 3 * ceil(highest / 3), .lo = fmin(-6, -3 * ceil(-deepest / 3))};
    plot_begin(f, &pf, "gain", -1, "gain reduction: compressors, limiters, ducks, dB (0: untouched)");
    for (int i = 0; i < q->ngains; i++) {
        const char *colour = palette[i % NPALETTE], *dash = dashes[(i / NPALETTE) % 4];
        series(f, &pf, q->gains[i].gain_db, q->npoints, 1, colour, dash, q->gains[i].name);
    }
    fputs("</svg>\n<p class=\"legendlist\">", f);
    for (int i = 0; i < q->ngains; i++) {
        fprintf(f, "<span class=\"key\"><svg width=\"26\" height=\"10\"><line x1=\"0\" y1=\"5\" x2=\"26\" y2=\"5\" "
                   "stroke=\"%s\" stroke-width=\"3\"%s%s%s/></svg> ", palette[i % NPALETTE],
                dashes[(i / NPALETTE) % 4][0] ? " stroke-dasharray=\"" : "", dashes[(i / NPALETTE) % 4],
                dashes[(i / NPALETTE) % 4][0] ? "\"" : "");
        vm_xml_text(f, q->gains[i].name);
        fputs("</span> ", f);
    }
    fputs("</p>\n", f);
}

/* The tracks' clips, a row per track, and the cues: where each clip starts
 * and ends. Clips closer together than a few pixels are drawn as one bar,
 * so a reel of thousands of clips stays a page of bounded size. */
static void clips_plot(FILE *f, const vm_qc_input *in)
{
    const vm_desc *d = in->d;
    int rows = 0;
    for (int s = 0; s < d->nstrips; s++)
        rows += d->strips[s].nclips > 0;
    int row_h = 16, height = PLOT_TOP + rows * row_h + 28;
    fprintf(f, "<svg class=\"plot\" data-kind=\"clips\" data-stream=\"-1\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>clips and cues</title>\n",
            SVG_WIDTH, height, SVG_WIDTH, height);
    fprintf(f, "<text x=\"%d\" y=\"14\" class=\"ptitle\">clips on each track, and the cues</text>\n", PLOT_LEFT);
    fprintf(f, "<rect class=\"plot-area\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
               "stroke=\"#888888\"/>\n", PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, rows * row_h);
    int row = 0;
    for (int s = 0; s < d->nstrips; s++) {
        const vm_strip_desc *st = &d->strips[s];
        if (!st->nclips)
            continue;
        int y = PLOT_TOP + row * row_h;
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"ylabel\">", PLOT_LEFT - 6, y + 12);
        vm_xml_text(f, st->name);
        fputs("</text>\n", f);
        double bar0 = 0, bar1 = -1;
        for (int c = 0; c <= st->nclips; c++) {
            double x0 = 0, x1 = 0;
            if (c < st->nclips) {
                const vm_clip_desc *cl = &st->clips[c];
                x0 = x_of(in, (double)(cl->at > 0 ? cl->at : 0));
                x1 = x_of(in, (double)(cl->at + cl->length < in->q->length ? cl->at + cl->length : in->q->length));
                if (x1 <= x0)
                    continue;
                if (bar1 >= bar0 && x0 < bar1 + 1 && (x1 - x0 < 3 || bar1 - bar0 < 3)) {
                    bar1 = x1 > bar1 ? x1 : bar1; /* too close to tell apart: one bar */
                    continue;
                }
            }
            if (bar1 >= bar0)
                fprintf(f, "<rect class=\"clip\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>\n", bar0, y + 2,
                        bar1 - bar0 > 1 ? bar1 - bar0 : 1, row_h - 4);
            bar0 = x0, bar1 = x1;
        }
        row++;
    }
    double length_s = (double)in->q->length / in->q->rate, ts = time_step_s(length_s);
    for (int i = 0; i * ts <= length_s + 1e-9; i++) {
        double t = i * ts * in->q->rate;
        char tc[64];
        tc_label(in, (int64_t)llround(t), tc, sizeof tc);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xlabel\">%s</text>\n", x_of(in, t),
                PLOT_TOP + rows * row_h + 16, tc);
    }
    int ncues = qc_ncues(in);
    for (int k = 0; k < ncues; k++) {
        const char *name;
        int64_t pos;
        qc_cue(in, k, &name, &pos);
        if (pos < 0 || pos > in->q->length)
            continue;
        double x = x_of(in, (double)pos);
        fprintf(f, "<line class=\"marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"><title>cue ", x, PLOT_TOP - 10, x,
                PLOT_TOP + rows * row_h);
        vm_xml_text(f, name);
        fprintf(f, "</title></line><text x=\"%.1f\" y=\"%d\" class=\"cue\">", x + 2, PLOT_TOP - 12 + (k % 2) * 8);
        vm_xml_text(f, name);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}

static void summary_table(FILE *f, const vm_qc_input *in)
{
    fputs("<table class=\"summary\">\n<tr><th>stream</th><th>channels</th><th>integrated</th><th>range</th>"
          "<th>max true peak</th><th>max momentary</th><th>max short-term</th><th>spec</th><th>verdict</th></tr>\n",
          f);
    for (int i = 0; i < in->q->nstreams; i++) {
        const vm_qc_stream *s = &in->q->streams[i];
        const vm_qc_spec *spec = qc_spec_of(in, s);
        dsp_loudness_result m;
        dsp_loudness_get(s->meter, &m);
        char v[6][48];
        fmt_value(m.integrated_lufs, "LUFS", v[0], sizeof v[0]);
        fmt_value(dsp_loudness_range_defined(&m) ? m.range_lu : NAN, "LU", v[1], sizeof v[1]);
        fmt_value(m.true_peak_dbtp, "dBTP", v[2], sizeof v[2]);
        fmt_value(m.max_momentary_lufs, "LUFS", v[3], sizeof v[3]);
        fmt_value(m.max_short_term_lufs, "LUFS", v[4], sizeof v[4]);
        fprintf(f, "<tr><td><a href=\"#stream%d\">", i);
        vm_xml_text(f, s->name);
        fprintf(f, "</a> (%s)</td><td>%d %s</td>", s->output >= 0 ? "output" : "bus", s->channels,
                vm_layout_name(s->layout));
        for (int k = 0; k < 5; k++)
            fprintf(f, "<td>%s</td>", v[k]);
        if (spec) {
            fputs("<td>", f);
            vm_xml_text(f, spec->name);
            fprintf(f, "</td><td class=\"%s\">%s: ", spec->failures ? "fail" : "pass", spec->failures ? "FAIL" : "pass");
            vm_xml_text(f, spec->verdict);
            fputs("</td></tr>\n", f);
        } else {
            fputs("<td>-</td><td>-</td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
}

static const char page_style[] =
    "body{font-family:sans-serif;font-size:14px;color:#111;background:#fff;margin:16px;max-width:1160px}"
    "h1{font-size:20px}h2{font-size:16px;margin:26px 0 4px}p{margin:4px 0}"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}"
    "th,td{border:1px solid #bbb;padding:3px 7px;text-align:right;vertical-align:top}"
    "th:first-child,td:first-child,td:last-child{text-align:left}"
    ".pass{color:#1a6b2f;font-weight:bold}.fail{color:#b2182b;font-weight:bold}"
    "svg.plot{display:block;margin:4px 0 10px}"
    ".ptitle{font-size:13px;font-weight:bold}.legend,.limitlabel,.cue{font-size:11px}"
    ".ylabel{font-size:11px;text-anchor:end;fill:#333}.xlabel{font-size:11px;text-anchor:middle;fill:#333}"
    ".grid{stroke:#e3e3e3;stroke-width:1}"
    ".marker{stroke:#555;stroke-width:1;stroke-dasharray:4 3}"
    ".limit{stroke:#222;stroke-width:1.5;stroke-dasharray:10 4}"
    ".band{fill:#009E73;fill-opacity:0.12}.clip{fill:#56B4E9;stroke:#0072B2;stroke-width:0.6}"
    ".key{white-space:nowrap;margin-right:14px}";

void vm_qc_write_html(FILE *f, const vm_qc_input *in)
{
    const vm_qc_series *q = in->q;
    const char *script = in->d->script_path ? in->d->script_path : "";
    char t0[64], t1[64];
    tc_label(in, 0, t0, sizeof t0);
    tc_label(in, q->length, t1, sizeof t1);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>QC report: ", f);
    vm_xml_text(f, script);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>QC report: ", page_style);
    vm_xml_text(f, script);
    fprintf(f, "</h1>\n<p>%d Hz, %s fps%s, %s to %s (%.1f s). Measured as rendered (ITU-R BS.1770-4, EBU R 128): "
               "one point per %.1f s; each plot shows a value per pixel column, the loudest (the deepest gain "
               "reduction) of the points under it. Dashed vertical lines are cues.</p>\n",
            q->rate, in->d->tb.fps.name, in->d->tb.start_drop ? " drop-frame" : "", t0, t1,
            (double)q->length / q->rate, (double)q->interval / q->rate);
    if (in->ctx->warning[0]) {
        fputs("<p class=\"fail\">", f);
        vm_xml_text(f, in->ctx->warning);
        fputs("</p>\n", f);
    }
    fputs("<h2>Summary</h2>\n", f);
    summary_table(f, in);
    for (int i = 0; i < q->nstreams; i++) {
        const vm_qc_stream *s = &q->streams[i];
        fprintf(f, "<h2 id=\"stream%d\">%s ", i, s->output >= 0 ? "output" : "bus");
        vm_xml_text(f, s->name);
        if (s->output >= 0 && strcmp(s->strip, s->name) != 0) {
            fputs(" (from ", f);
            vm_xml_text(f, s->strip);
            fputs(")", f);
        }
        fputs("</h2>\n", f);
        loudness_plot(f, in, i);
        true_peak_plot(f, in, i);
    }
    fputs("<h2>Gain reduction</h2>\n", f);
    if (q->ngains)
        gain_plot(f, in);
    else
        fputs("<p>No compressor, expander, gate, limiter or duck in this mix.</p>\n", f);
    fputs("<h2>Clips and cues</h2>\n", f);
    clips_plot(f, in);
    int ncues = qc_ncues(in);
    if (ncues) {
        fputs("<table class=\"cues\">\n<tr><th>cue</th><th>timecode</th></tr>\n", f);
        for (int k = 0; k < ncues; k++) {
            const char *name;
            int64_t pos;
            char tc[64];
            qc_cue(in, k, &name, &pos);
            qc_timecode(in, pos, tc, sizeof tc);
            fputs("<tr><td>", f);
            vm_xml_text(f, name);
            fprintf(f, "</td><td>%s</td></tr>\n", tc);
        }
        fputs("</table>\n", f);
    }
    fputs("</body>\n</html>\n", f);
}
