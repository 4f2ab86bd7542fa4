/* qc_series.c - the QC report's measurements against time (see
 * qc_series.h). */
#include "vm/qc_series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/automation.h"
#include "vm/limits.h"

static double db20(double x)
{
    return x > 0 ? 20.0 * log10(x) : -INFINITY;
}

static void stream_free(vm_qc_stream *s)
{
    dsp_loudness_destroy(&s->meter);
    free(s->momentary_lufs);
    free(s->short_term_lufs);
    free(s->true_peak_dbtp);
}

void vm_qc_free(vm_qc_series **qp)
{
    vm_qc_series *q = qp ? *qp : NULL;
    if (!q)
        return;
    for (int i = 0; i < q->nstreams; i++)
        stream_free(&q->streams[i]);
    for (int i = 0; i < q->ngains; i++)
        free(q->gains[i].gain_db);
    free(q->streams);
    free(q->gains);
    free(q);
    *qp = NULL;
}

static void window_start(vm_qc_stream *s)
{
    s->m_window = s->s_window = -INFINITY;
}

/* Takes the stream's memory; 0, or -1 when out of memory. */
static int stream_init(vm_qc_stream *s, const vm_qc_series *q, const char *name, const char *strip,
                       int strip_index, int output, int channels, vm_layout layout, int latency)
{
    s->name = name;
    s->strip = strip;
    s->strip_index = strip_index;
    s->output = output;
    s->channels = channels;
    s->layout = layout;
    s->latency = latency;
    size_t np = (size_t)q->npoints;
    s->meter = vm_layout_meter_create(layout, channels, (double)q->rate);
    s->momentary_lufs = malloc(np * sizeof *s->momentary_lufs);
    s->short_term_lufs = malloc(np * sizeof *s->short_term_lufs);
    s->true_peak_dbtp = malloc(np * (size_t)channels * sizeof *s->true_peak_dbtp);
    if (!s->meter || !s->momentary_lufs || !s->short_term_lufs || !s->true_peak_dbtp)
        return -1;
    for (size_t k = 0; k < np; k++)
        s->momentary_lufs[k] = s->short_term_lufs[k] = -INFINITY;
    for (size_t k = 0; k < np * (size_t)channels; k++)
        s->true_peak_dbtp[k] = -INFINITY;
    window_start(s);
    return 0;
}

static float *nan_series(int n)
{
    float *x = malloc((size_t)n * sizeof *x);
    for (int k = 0; x && k < n; k++)
        x[k] = NAN;
    return x;
}

/* The deepest of `reading` and what point k holds (NaN: nothing yet). */
static void keep_deepest(float *series, int k, double reading)
{
    if (!(series[k] <= reading))
        series[k] = (float)reading;
}

/* The offline ducks' gain layers, read at every gain reading instant. */
static ds_result add_duck_lanes(vm_qc_series *q, const vm_desc *d, int capgains, char *err)
{
    vm_auto_list list;
    ds_result r = vm_automation_collect(d, &list, err);
    if (r != DS_OK)
        return r;
    for (int i = 0; i < list.n && r == DS_OK; i++) {
        const vm_auto_lane *l = &list.lanes[i];
        size_t len = strlen(l->name);
        int band = len > 9 && strcmp(l->name + len - 9, ".bandduck") == 0;
        if (!band && !(len > 5 && strcmp(l->name + len - 5, ".duck") == 0))
            continue;
        if (q->ngains == capgains) {
            vm_qc_gain *g = realloc(q->gains, (size_t)(capgains = 2 * capgains + 4) * sizeof *g);
            if (!g) {
                r = ds_fail(err, DS_ERR_NOMEM, "out of memory for the QC report's duck lanes");
                break;
            }
            q->gains = g;
        }
        vm_qc_gain *g = &q->gains[q->ngains];
        memset(g, 0, sizeof *g);
        g->output = -1;
        snprintf(g->name, sizeof g->name, "%s", l->name);
        g->kind = band ? "band duck lane" : "duck lane";
        if (!(g->gain_db = nan_series(q->npoints))) {
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory for the QC report's duck lanes");
            break;
        }
        q->ngains++;
        for (int64_t t = 0; t < q->length; t += q->read_every)
            keep_deepest(g->gain_db, (int)(t / q->interval), vm_auto_value(l, t));
    }
    vm_automation_free(&list);
    return r;
}

ds_result vm_qc_create(const plan *p, const vm_desc *d, vm_qc_series **out, char *err)
{
    *out = NULL;
    vm_qc_series *q = calloc(1, sizeof *q);
    if (!q)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory for the QC report");
    q->rate = p->tb.rate;
    q->hop = (int)lround(p->tb.rate / 10.0);
    q->length = p->length;
    int64_t hops = (p->length + q->hop - 1) / q->hop;
    int64_t per_point = (hops + VM_QC_MAX_POINTS - 1) / VM_QC_MAX_POINTS;
    q->interval = q->hop * (int)(per_point > 0 ? per_point : 1);
    q->npoints = (int)((p->length + q->interval - 1) / q->interval);
    q->read_every = q->hop / VM_QC_GAIN_READS_PER_HOP > 0 ? q->hop / VM_QC_GAIN_READS_PER_HOP : 1;
    if (q->npoints < 1)
        q->npoints = 1;

    int nbus = 0, ngain = 0;
    for (int s = 0; s < p->nstrips; s++)
        nbus += p->strip_chans[s] && d->strips[s].kind == VM_STRIP_BUS;
    for (int i = 0; i < p->nops; i++)
        ngain += p->ops[i].cls->meter_db != NULL;
    for (int i = 0; i < p->noutputs; i++)
        ngain += p->outputs[i].normalize.on;
    q->streams = calloc((size_t)(p->noutputs + nbus + 1), sizeof *q->streams);
    q->gains = calloc((size_t)ngain + 4, sizeof *q->gains);
    if (!q->streams || !q->gains)
        goto nomem;
    for (int i = 0; i < p->noutputs; i++) {
        const plan_output *po = &p->outputs[i];
        if (stream_init(&q->streams[q->nstreams++], q, po->path, po->strip, vm_desc_find_strip(d, po->strip), i,
                        po->channels, po->layout, po->latency) != 0)
            goto nomem;
    }
    for (int s = 0; s < p->nstrips; s++) {
        int recorded = 0;
        for (int i = 0; i < p->noutputs; i++)
            recorded |= strcmp(p->outputs[i].strip, p->strip_names[s]) == 0;
        if (!p->strip_chans[s] || d->strips[s].kind != VM_STRIP_BUS || recorded)
            continue;
        vm_layout l = vm_layout_resolve(d->strips[s].layout, p->strip_nch[s]);
        if (stream_init(&q->streams[q->nstreams++], q, p->strip_names[s], p->strip_names[s], s, -1, p->strip_nch[s],
                        l, p->strip_latency[s]) != 0)
            goto nomem;
    }
    for (int i = 0; i < p->nops; i++) {
        const plan_op *op = &p->ops[i];
        if (!op->cls->meter_db)
            continue;
        vm_qc_gain *g = &q->gains[q->ngains++];
        snprintf(g->name, sizeof g->name, "%s", op->readout ? op->readout : op->label);
        g->kind = op->cls->name;
        g->op = op;
        g->output = -1;
        if (!(g->gain_db = nan_series(q->npoints)))
            goto nomem;
    }
    for (int i = 0; i < p->noutputs; i++) {
        if (!p->outputs[i].normalize.on)
            continue;
        vm_qc_gain *g = &q->gains[q->ngains++];
        snprintf(g->name, sizeof g->name, "normalize '%s' limiter", p->outputs[i].path);
        g->kind = "normalize limiter";
        g->output = i;
        if (!(g->gain_db = nan_series(q->npoints)))
            goto nomem;
    }
    ds_result r = add_duck_lanes(q, d, ngain + 4, err);
    if (r != DS_OK) {
        vm_qc_free(&q);
        return r;
    }
    *out = q;
    return DS_OK;
nomem:
    vm_qc_free(&q);
    return ds_fail(err, DS_ERR_NOMEM, "out of memory for the QC report's series (%lld samples of programme)",
                   (long long)p->length);
}

/* Stores the current point of s as point k and starts the next: its true
 * peaks are the meter's since the last point. */
static void point_end(vm_qc_series *q, vm_qc_stream *s, int64_t k)
{
    float tp[VM_MAX_CHANNELS];
    dsp_loudness_take_true_peaks(s->meter, tp);
    if (k >= 0 && k < q->npoints) {
        s->momentary_lufs[k] = (float)s->m_window;
        s->short_term_lufs[k] = (float)s->s_window;
        for (int c = 0; c < s->channels; c++)
            s->true_peak_dbtp[(size_t)c * (size_t)q->npoints + (size_t)k] = (float)db20(tp[c]);
    }
    window_start(s);
}

int vm_qc_stream_to_step(const vm_qc_series *q, const vm_qc_stream *s)
{
    return (int)(q->hop - s->fed % q->hop);
}

void vm_qc_stream_measured(vm_qc_series *q, vm_qc_stream *s, int n)
{
    s->fed += n;
    if (s->fed % q->hop == 0) {
        double mo = dsp_loudness_momentary(s->meter), st = dsp_loudness_short_term(s->meter);
        s->m_window = mo > s->m_window ? mo : s->m_window;
        s->s_window = st > s->s_window ? st : s->s_window;
        if (s->fed % q->interval == 0)
            point_end(q, s, s->fed / q->interval - 1);
    }
}

void vm_qc_feed_stream(vm_qc_series *q, vm_qc_stream *s, const float *const *ch, int n)
{
    const float *part[VM_MAX_CHANNELS];
    for (int done = 0, m; done < n; done += m) {
        int to_step = vm_qc_stream_to_step(q, s);
        m = n - done < to_step ? n - done : to_step;
        for (int c = 0; c < s->channels; c++)
            part[c] = ch[c] + done;
        dsp_loudness_process(s->meter, part, m);
        vm_qc_stream_measured(q, s, m);
    }
}

void vm_qc_stream_span(int64_t pos, int n, int latency, int64_t length, int64_t *from, int64_t *to)
{
    *from = pos > latency ? pos : latency;
    *to = pos + n < latency + length ? pos + n : latency + length;
}

void vm_qc_after_block(vm_qc_series *q, const plan *p, int64_t pos, int n)
{
    for (int i = 0; i < q->nstreams; i++) {
        vm_qc_stream *s = &q->streams[i];
        if (s->output >= 0)
            continue; /* the render's output stage feeds it */
        int64_t from, to;
        vm_qc_stream_span(pos, n, s->latency, q->length, &from, &to);
        if (to <= from)
            continue;
        const float *ch[VM_MAX_CHANNELS];
        for (int c = 0; c < s->channels; c++)
            ch[c] = p->strip_chans[s->strip_index][c] + (from - pos);
        vm_qc_feed_stream(q, s, ch, (int)(to - from));
    }
    int64_t end = pos + n;
    if (end % q->read_every != 0)
        return;
    for (int i = 0; i < q->ngains; i++) {
        vm_qc_gain *g = &q->gains[i];
        if (!g->op)
            continue;
        /* the reading is the op's state after its last sample, which
         * belongs to session time end - 1 - offset */
        int64_t t = end - 1 - g->op->offset;
        if (t >= 0 && t < q->length)
            keep_deepest(g->gain_db, (int)(t / q->interval), g->op->cls->meter_db(g->op->args));
    }
}

int vm_qc_block_frames(const vm_qc_series *q, int64_t pos, int n)
{
    int64_t to_read = q->read_every - pos % q->read_every;
    return n < to_read ? n : (int)to_read;
}

void vm_qc_finish_stream(vm_qc_series *q, vm_qc_stream *s)
{
    if (s->fed % q->interval != 0) {
        if (s->fed % q->hop != 0) { /* a last, shorter step: the windows ending on its last 10 ms grid point */
            double mo = dsp_loudness_momentary(s->meter), st = dsp_loudness_short_term(s->meter);
            s->m_window = mo > s->m_window ? mo : s->m_window;
            s->s_window = st > s->s_window ? st : s->s_window;
        }
        point_end(q, s, s->fed / q->interval);
    }
}

void vm_qc_finish(vm_qc_series *q)
{
    for (int i = 0; i < q->nstreams; i++)
        vm_qc_finish_stream(q, &q->streams[i]);
}

void vm_qc_stream_restart(vm_qc_series *q, vm_qc_stream *s)
{
    size_t np = (size_t)q->npoints;
    dsp_loudness_reset(s->meter);
    for (size_t k = 0; k < np; k++)
        s->momentary_lufs[k] = s->short_term_lufs[k] = -INFINITY;
    for (size_t k = 0; k < np * (size_t)s->channels; k++)
        s->true_peak_dbtp[k] = -INFINITY;
    s->fed = 0;
    window_start(s);
}

vm_qc_gain *vm_qc_normalize_gain(vm_qc_series *q, int output)
{
    for (int i = 0; q && i < q->ngains; i++)
        if (q->gains[i].output == output && output >= 0)
            return &q->gains[i];
    return NULL;
}

void vm_qc_gain_restart(vm_qc_series *q, vm_qc_gain *g)
{
    for (int k = 0; k < q->npoints; k++)
        g->gain_db[k] = 0.0f;
}

void vm_qc_gain_keep(vm_qc_series *q, vm_qc_gain *g, int64_t t, double gain_db)
{
    if (t >= 0 && t < q->length)
        keep_deepest(g->gain_db, (int)(t / q->interval), gain_db);
}
