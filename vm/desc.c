/* desc.c - lifetime of the mix description. */
#include "vm/desc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/conform_mix.h"
#include "vm/insert_params.h"
#include "vm/suggest.h"

static const char *const eq_names[] = {"lowpass", "highpass", "bandpass", "notch", "peak",
                                       "lowshelf", "highshelf", "allpass", NULL};

ds_result vm_eq_type_parse(const char *word, dsp_eq_type *type, char *err)
{
    for (int i = 0; eq_names[i]; i++)
        if (strcmp(word, eq_names[i]) == 0) {
            *type = (dsp_eq_type)i; /* the same order as dsp_eq_type */
            return DS_OK;
        }
    const char *near = vm_suggest(word, eq_names, 8);
    return ds_fail(err, DS_ERR_ARG, "unknown filter type '%s'%s%s%s (types: %s)", word, near ? "; did you mean '" : "",
                   near ? near : "", near ? "'?" : "", vm_eq_type_list());
}

const char *vm_eq_type_name(dsp_eq_type type)
{
    return (int)type >= 0 && (int)type < 8 ? eq_names[type] : "filter";
}

const char *vm_eq_type_list(void)
{
    return "lowpass, highpass, bandpass, notch, peak, lowshelf, highshelf, allpass";
}

void vm_desc_init(vm_desc *d)
{
    char err[DS_ERR_LEN];
    vm_fps fps;
    memset(d, 0, sizeof *d);
    vm_fps_parse("24", &fps, err);
    vm_timebase_init(&d->tb, 48000, &fps, NULL, err);
    d->length = -1;
    d->live_tap = -1;
}

vm_lane *vm_param_desc_lane(const vm_param_desc *pd, int is_db, const char *name, char *err)
{
    vm_lane *lane = vm_lane_new(is_db ? VM_LANE_DB : VM_LANE_PLAIN, pd->value);
    char lerr[DS_ERR_LEN];
    if (!lane || vm_lane_reserve(lane, pd->nevents) != 0) {
        vm_lane_free(&lane);
        ds_fail(err, DS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (int i = 0; i < pd->nevents; i++)
        if (vm_lane_add(lane, &pd->events[i], lerr) != DS_OK)
            goto bad;
    if (vm_lane_finish(lane, lerr) != DS_OK)
        goto bad;
    return lane;
bad:
    ds_fail(err, DS_ERR_ARG, "%s: %s: %s", pd->where, name, lerr);
    vm_lane_free(&lane);
    return NULL;
}

int64_t vm_mute_fade_samples(double rate)
{
    int64_t n = llround(VM_MUTE_FADE_S * rate);
    return n > 0 ? n : 1;
}

ds_result vm_mute_layer(const vm_param_desc *pd, int muted, double rate, vm_param_desc *out, char *err)
{
    memset(out, 0, sizeof *out);
    out->value = muted ? VM_LANE_DB_SILENCE : 0.0;
    memcpy(out->where, pd->where, sizeof out->where);
    if (!pd->nevents)
        return DS_OK;
    if (!(out->events = calloc((size_t)pd->nevents, sizeof *out->events)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    out->nevents = out->capevents = pd->nevents;
    for (int i = 0; i < pd->nevents; i++) {
        vm_event *e = &out->events[i];
        e->kind = VM_EV_RAMP;
        e->at = pd->events[i].at;
        e->duration = vm_mute_fade_samples(rate);
        e->shape = VM_SHAPE_AMPLITUDE;
        e->value = pd->events[i].value != 0 ? VM_LANE_DB_SILENCE : 0.0;
    }
    return DS_OK;
}

double vm_param_desc_max(const vm_param_desc *p)
{
    double m = p->value;
    for (int i = 0; i < p->nevents; i++) {
        const vm_event *ev = &p->events[i];
        if (ev->kind == VM_EV_CURVE) {
            for (int k = 0; k < ev->ncurve; k++)
                m = ev->curve[k] > m ? ev->curve[k] : m;
        } else if (ev->value > m) {
            m = ev->value;
        }
    }
    return m;
}

void vm_param_desc_free(vm_param_desc *p)
{
    for (int i = 0; i < p->nevents; i++)
        free((void *)p->events[i].curve);
    free(p->events);
    p->events = NULL;
    p->nevents = p->capevents = 0;
}

void vm_desc_free(vm_desc *d)
{
    for (int i = 0; i < d->nvcas; i++) {
        free(d->vcas[i].name);
        free(d->vcas[i].members);
        vm_param_desc_free(&d->vcas[i].gain);
    }
    free(d->vcas);
    for (int i = 0; i < d->nmute_groups; i++) {
        free(d->mute_groups[i].name);
        free(d->mute_groups[i].members);
        vm_param_desc_free(&d->mute_groups[i].mutep);
    }
    free(d->mute_groups);
    free(d->ducks);
    for (int i = 0; i < d->nstrips; i++) {
        vm_strip_desc *s = &d->strips[i];
        vm_param_desc_free(&s->gain);
        vm_param_desc_free(&s->trim);
        vm_param_desc_free(&s->pan);
        for (int k = 0; k < VM_SURROUND_NPARAMS; k++)
            vm_param_desc_free(&s->surround[k]);
        vm_param_desc_free(&s->duck);
        vm_param_desc_free(&s->bandduck);
        vm_param_desc_free(&s->mutep);
        for (int k = 0; k < s->ninserts; k++) { /* every insert's moves are its rows' (vm/insert_params.c) */
            const vm_insert_params *t = vm_insert_params_of(s->inserts[k].kind);
            for (int j = 0; j < t->nparams; j++)
                vm_param_desc_free(vm_insert_param_moves(&s->inserts[k], &t->params[j]));
            free(s->inserts[k].conv.path);
        }
        free(s->inserts);
        for (int c = 0; c < s->nclips; c++) {
            free(s->clips[c].path);
            vm_param_desc_free(&s->clips[c].gain);
        }
        free(s->clips);
        free(s->dests);
        for (int k = 0; k < s->nsends; k++)
            vm_param_desc_free(&s->sends[k].level);
        free(s->sends);
        free(s->routes);
        free(s->name);
    }
    free(d->strips);
    for (int i = 0; i < d->noutputs; i++)
        free(d->outputs[i].path), free(d->outputs[i].declared);
    free(d->outputs);
    free(d->deliverables);
    free(d->spots);
    vm_conform_log_free(&d->conform);
    for (int i = 0; i < d->ninputs; i++)
        free(d->inputs[i]);
    free(d->inputs);
    for (int i = 0; i < d->nmodules; i++)
        free(d->modules[i].name), free(d->modules[i].path), free(d->modules[i].found_in);
    free(d->modules);
    free(d->script_path);
    free(d->output_selection);
    vm_desc_init(d);
}

int vm_desc_find_strip(const vm_desc *d, const char *name)
{
    for (int i = 0; i < d->nstrips; i++)
        if (strcmp(d->strips[i].name, name) == 0)
            return i;
    return -1;
}

int64_t vm_desc_length(const vm_desc *d)
{
    if (d->length >= 0)
        return d->length;
    int64_t end = 0;
    for (int i = 0; i < d->nstrips; i++)
        for (int c = 0; c < d->strips[i].nclips; c++) {
            const vm_clip_desc *k = &d->strips[i].clips[c];
            if (k->at + k->length > end)
                end = k->at + k->length;
        }
    return end;
}

/* A fade's samples on a strip, for vm_desc_spot_crossfades. */
typedef struct {
    int strip;
    int64_t start, end;
} fade_span;

static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }

/* by strip, then start, then end */
static int fade_span_cmp(const void *x, const void *y)
{
    const fade_span *a = x, *b = y;
    int c = cmp_i64(a->strip, b->strip);
    if (!c)
        c = cmp_i64(a->start, b->start);
    return c ? c : cmp_i64(a->end, b->end);
}

int vm_desc_spot_crossfades(const vm_desc *d)
{
    /* the fades out, sorted, then each fade in looked up among them: n log n for a feature's spotting */
    fade_span *outs = malloc((size_t)(d->nspots ? d->nspots : 1) * sizeof *outs);
    if (!outs)
        return -1;
    int nouts = 0, found = 0;
    for (int i = 0; i < d->nspots; i++) {
        const vm_clip_desc *c = &d->strips[d->spots[i].strip].clips[d->spots[i].clip];
        if (c->fade_out > 0)
            outs[nouts++] = (fade_span){d->spots[i].strip, c->at + c->length - c->fade_out, c->at + c->length};
    }
    if (nouts > 1)
        qsort(outs, (size_t)nouts, sizeof *outs, fade_span_cmp);
    for (int i = 0; i < d->nspots && nouts > 0; i++) {
        const vm_clip_desc *c = &d->strips[d->spots[i].strip].clips[d->spots[i].clip];
        fade_span in = {d->spots[i].strip, c->at, c->at + c->fade_in};
        if (c->fade_in > 0 && bsearch(&in, outs, (size_t)nouts, sizeof *outs, fade_span_cmp))
            found++;
    }
    free(outs);
    return found;
}

const vm_send_desc *vm_desc_send(const vm_desc *d, int s, int t)
{
    const vm_strip_desc *st = &d->strips[s];
    for (int k = 0; k < st->nsends; k++)
        if (st->sends[k].dest == t)
            return &st->sends[k];
    return NULL;
}

int vm_desc_has_pre_send(const vm_desc *d, int s)
{
    const vm_strip_desc *st = &d->strips[s];
    for (int k = 0; k < st->nsends; k++)
        if (st->sends[k].pre)
            return 1;
    return 0;
}

const vm_route_desc *vm_desc_route(const vm_desc *d, int s, int t)
{
    const vm_strip_desc *st = &d->strips[s];
    for (int k = 0; k < st->nroutes; k++)
        if (st->routes[k].dest == t)
            return &st->routes[k];
    return NULL;
}
