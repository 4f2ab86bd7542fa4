/* qc_report.c - the QC report's JSON file, and what the JSON and the HTML
 * page (vm/qc_html.c) share: marker lists, verdicts (see qc_report.h). */
#include "vm/qc_report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vm/json.h"
#include "vm/judge.h"
#include "vm/qc_report_priv.h"

void vm_qc_context_load(vm_qc_context *ctx, const vm_desc *d)
{
    memset(ctx, 0, sizeof *ctx);
    for (int i = 0; i < d->nmarker_files && i < 4; i++) {
        char err[DS_ERR_LEN];
        vm_markers *m = NULL;
        if (vm_markers_load(d->marker_files[i], &d->tb, &m, err) != DS_OK)
            snprintf(ctx->warning, sizeof ctx->warning, "the report shows no cues from '%s': %s", d->marker_files[i],
                     err);
        else
            ctx->markers[ctx->nmarker_lists++] = m;
    }
}

void vm_qc_context_free(vm_qc_context *ctx)
{
    for (int i = 0; i < ctx->nmarker_lists; i++)
        vm_markers_free(&ctx->markers[i]);
    ctx->nmarker_lists = 0;
}

const vm_qc_spec *qc_spec_of(const vm_qc_input *in, const vm_qc_stream *s)
{
    if (!in->specs)
        return NULL;
    const vm_qc_spec *spec = &in->specs[s - in->q->streams];
    return spec->name ? spec : NULL;
}

void vm_qc_specs_from_deliverables(const vm_qc_series *q, const vm_desc *d, const plan *p,
                                   const vm_render_report *reports, vm_qc_spec *specs)
{
    memset(specs, 0, (size_t)q->nstreams * sizeof *specs);
    for (int k = 0; k < d->ndeliverables; k++) {
        const vm_deliverable_desc *dv = &d->deliverables[k];
        int i = 0;
        while (i < q->nstreams && !(dv->output >= 0 ? q->streams[i].output == dv->output
                                                     : q->streams[i].strip_index == dv->strip))
            i++;
        if (i == q->nstreams || specs[i].name)
            continue; /* a track no output records; or a second spec on one stream: the first is drawn */
        const vm_delivery_spec *ds = &dv->spec;
        const vm_spec_limit *lu = &ds->limit[VM_MEASURE_INTEGRATED], *tp = &ds->limit[VM_MEASURE_TRUE_PEAK];
        vm_qc_spec *s = &specs[i];
        s->name = ds->name;
        s->integrated_lufs = lu->given ? lu->target : NAN;
        s->integrated_min = lu->judged ? lu->min : -INFINITY;
        s->integrated_max = lu->judged ? lu->max : INFINITY;
        s->true_peak_dbtp = tp->judged ? tp->max : INFINITY;
        double value[VM_MEASURE_COUNT];
        vm_judge_measures(d, p, reports, k, value);
        s->failures = vm_judge_failures(d, k, value);
        size_t used = 0;
        for (int m = 0; m < VM_MEASURE_COUNT && used < sizeof s->verdict; m++) {
            char line[256];
            if (!ds->limit[m].given)
                continue;
            vm_delivery_describe((vm_measure)m, &ds->limit[m], value[m], line, sizeof line);
            used += (size_t)snprintf(s->verdict + used, sizeof s->verdict - used, "%s%s", used ? "; " : "", line);
        }
    }
}

int qc_ncues(const vm_qc_input *in)
{
    int n = 0;
    for (int i = 0; i < in->ctx->nmarker_lists; i++)
        n += vm_markers_count(in->ctx->markers[i]);
    return n;
}

void qc_cue(const vm_qc_input *in, int k, const char **name, int64_t *pos)
{
    for (int i = 0; i < in->ctx->nmarker_lists; i++) {
        int n = vm_markers_count(in->ctx->markers[i]);
        if (k < n) {
            *name = vm_markers_name(in->ctx->markers[i], k);
            *pos = vm_markers_position(in->ctx->markers[i], k);
            return;
        }
        k -= n;
    }
    *name = "";
    *pos = 0;
}

void qc_timecode(const vm_qc_input *in, int64_t pos, char *buf, size_t n)
{
    vm_time_format(&in->d->tb, pos, buf, n);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_series(FILE *f, const float *x, int n)
{
    fputc('[', f);
    for (int k = 0; k < n; k++) {
        if (k)
            fputc(',', f);
        vm_json_number(f, x[k], 2);
    }
    fputc(']', f);
}

static void json_key(FILE *f, const char *key)
{
    vm_json_string(f, key);
    fputs(": ", f);
}

static void json_stream(FILE *f, const vm_qc_input *in, const vm_qc_stream *s)
{
    const vm_qc_series *q = in->q;
    dsp_loudness_result m;
    dsp_loudness_get(s->meter, &m);
    fputs("    {", f);
    json_key(f, "kind");
    vm_json_string(f, s->output >= 0 ? "output" : "bus");
    fputs(", ", f);
    json_key(f, "name");
    vm_json_string(f, s->name);
    fputs(", ", f);
    json_key(f, "strip");
    vm_json_string(f, s->strip);
    fprintf(f, ", \"channels\": %d, \"layout\": ", s->channels);
    vm_json_string(f, vm_layout_name(s->layout));
    fputs(", \"channel_names\": [", f);
    for (int c = 0; c < s->channels; c++) {
        char nm[16];
        fputs(c ? ", " : "", f);
        vm_json_string(f, vm_layout_channel_name(s->layout, c, nm, sizeof nm));
    }
    fprintf(f, "], \"latency_samples\": %d,\n     ", s->latency);
    const struct {
        const char *key;
        double v;
    } measures[] = {
        {"integrated_lufs", m.integrated_lufs},   {"loudness_range_lu", m.range_lu},
        {"true_peak_dbtp", m.true_peak_dbtp},     {"sample_peak_dbfs", m.sample_peak_dbfs},
        {"max_momentary_lufs", m.max_momentary_lufs}, {"max_short_term_lufs", m.max_short_term_lufs},
    };
    for (size_t i = 0; i < sizeof measures / sizeof measures[0]; i++) {
        json_key(f, measures[i].key);
        /* a range with no value passing the gate is undefined, as in `dubstage loudness` */
        vm_json_number(f, i == 1 && !dsp_loudness_range_defined(&m) ? NAN : measures[i].v, 3);
        fputs(", ", f);
    }
    json_key(f, "spec");
    const vm_qc_spec *spec = qc_spec_of(in, s);
    if (spec) {
        fputs("{\"name\": ", f);
        vm_json_string(f, spec->name);
        const struct {
            const char *key;
            double v;
        } limits[] = {{"integrated_lufs", spec->integrated_lufs}, {"integrated_min_lufs", spec->integrated_min},
                      {"integrated_max_lufs", spec->integrated_max}, {"true_peak_max_dbtp", spec->true_peak_dbtp}};
        for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
            fputs(", ", f);
            json_key(f, limits[i].key);
            vm_json_number(f, limits[i].v, 2); /* null: none, or open */
        }
        fprintf(f, ", \"pass\": %s, \"failures\": %d, \"verdict\": ", spec->failures ? "false" : "true",
                spec->failures);
        vm_json_string(f, spec->verdict);
        fputs("}", f);
    } else {
        fputs("null", f);
    }
    fputs(",\n     \"momentary_lufs\": ", f);
    json_series(f, s->momentary_lufs, q->npoints);
    fputs(",\n     \"short_term_lufs\": ", f);
    json_series(f, s->short_term_lufs, q->npoints);
    fputs(",\n     \"true_peak_dbtp_per_channel\": [", f);
    for (int c = 0; c < s->channels; c++) {
        fputs(c ? ",\n       " : "\n       ", f);
        json_series(f, s->true_peak_dbtp + (size_t)c * (size_t)q->npoints, q->npoints);
    }
    fputs("]}", f);
}

void vm_qc_write_json(FILE *f, const vm_qc_input *in)
{
    const vm_qc_series *q = in->q;
    const vm_desc *d = in->d;
    char tc[64];
    fputs("{\"report\": \"dubstage QC\", \"version\": 1, \"script\": ", f);
    vm_json_string(f, d->script_path ? d->script_path : "");
    qc_timecode(in, 0, tc, sizeof tc);
    fprintf(f, ",\n \"session\": {\"rate\": %d, \"fps\": ", q->rate);
    vm_json_string(f, d->tb.fps.name);
    fprintf(f, ", \"drop_frame\": %s, \"start\": ", d->tb.start_drop ? "true" : "false");
    vm_json_string(f, tc);
    fprintf(f, ", \"length_samples\": %lld, \"duration_s\": %.6f},\n", (long long)q->length,
            (double)q->length / q->rate);
    fprintf(f, " \"interval_samples\": %d, \"interval_s\": %.6f, \"points\": %d,\n", q->interval,
            (double)q->interval / q->rate, q->npoints);
    fputs(" \"streams\": [\n", f);
    for (int i = 0; i < q->nstreams; i++) {
        json_stream(f, in, &q->streams[i]);
        fputs(i + 1 < q->nstreams ? ",\n" : "\n", f);
    }
    fputs(" ],\n \"gain_reduction\": [", f);
    for (int i = 0; i < q->ngains; i++) {
        const vm_qc_gain *g = &q->gains[i];
        double deepest = NAN;
        for (int k = 0; k < q->npoints; k++)
            if (!(deepest <= g->gain_db[k]))
                deepest = isnan(g->gain_db[k]) ? deepest : g->gain_db[k];
        fputs(i ? ",\n  {" : "\n  {", f);
        json_key(f, "name");
        vm_json_string(f, g->name);
        fputs(", ", f);
        json_key(f, "kind");
        vm_json_string(f, g->kind);
        fputs(", \"deepest_db\": ", f);
        vm_json_number(f, deepest, 2);
        fputs(",\n   \"gain_db\": ", f);
        json_series(f, g->gain_db, q->npoints);
        fputs("}", f);
    }
    fputs("],\n \"markers\": [", f);
    int ncues = qc_ncues(in);
    for (int k = 0; k < ncues; k++) {
        const char *name;
        int64_t pos;
        qc_cue(in, k, &name, &pos);
        qc_timecode(in, pos, tc, sizeof tc);
        fputs(k ? ",\n  {\"name\": " : "\n  {\"name\": ", f);
        vm_json_string(f, name);
        fprintf(f, ", \"sample\": %lld, \"timecode\": ", (long long)pos);
        vm_json_string(f, tc);
        fputs("}", f);
    }
    fputs("],\n \"clips\": [", f);
    int first = 1;
    for (int s = 0; s < d->nstrips; s++) {
        const vm_strip_desc *st = &d->strips[s];
        for (int c = 0; c < st->nclips; c++) {
            const vm_clip_desc *cl = &st->clips[c];
            fputs(first ? "\n  {\"track\": " : ",\n  {\"track\": ", f);
            first = 0;
            vm_json_string(f, st->name);
            fputs(", \"file\": ", f);
            vm_json_string(f, cl->path);
            fprintf(f, ", \"start_sample\": %lld, \"end_sample\": %lld, \"start\": ", (long long)cl->at,
                    (long long)(cl->at + cl->length));
            qc_timecode(in, cl->at, tc, sizeof tc);
            vm_json_string(f, tc);
            fputs(", \"end\": ", f);
            qc_timecode(in, cl->at + cl->length, tc, sizeof tc);
            vm_json_string(f, tc);
            fputs("}", f);
        }
    }
    fputs("]\n}\n", f);
}
