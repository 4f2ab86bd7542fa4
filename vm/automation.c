/* automation.c - named lanes of a description (see automation.h). */
#include "vm/automation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/insert_params.h"
#include "vm/ops.h"
#include "vm/path.h"

static vm_auto_lane *add(vm_auto_list *l, const char *name, int is_db, const char *where, int max_layers)
{
    vm_auto_lane *p = realloc(l->lanes, (size_t)(l->n + 1) * sizeof *p);
    if (!p)
        return NULL;
    l->lanes = p;
    vm_auto_lane *a = &p[l->n++];
    memset(a, 0, sizeof *a);
    if (!(a->layers = calloc((size_t)max_layers, sizeof *a->layers)))
        return NULL;
    snprintf(a->name, sizeof a->name, "%s", name);
    a->is_db = is_db;
    a->where = where;
    a->unit = is_db ? "dB" : "";
    return a;
}

/* Names the unit of the lane the last add_* call made, if it made one (n:
 * the list's length before the call). */
static void set_unit(vm_auto_list *l, int n, const char *unit)
{
    if (l->n > n)
        l->lanes[l->n - 1].unit = unit;
}

/* What an insert parameter's values are in: its row's unit, or for the
 * unitless ones the word a mixer reads them by. */
static const char *insert_unit(const vm_insert_param_spec *sp)
{
    if (*sp->unit)
        return sp->unit;
    return strcmp(sp->name, "q") == 0 ? "Q" : sp->name;
}

/* One lane for one parameter, if it moves. */
static ds_result add_param(vm_auto_list *l, const vm_param_desc *pd, int is_db, const char *name, char *err)
{
    if (!pd->nevents)
        return DS_OK;
    vm_auto_lane *a = add(l, name, is_db, pd->where, 1);
    if (!a)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    if (!(a->layers[0] = vm_param_desc_lane(pd, is_db, name, err)))
        return DS_ERR_ARG;
    a->nlayers = a->nowned = 1;
    return DS_OK;
}

/* A parameter whose static value lives elsewhere (copy: pd with its value
 * set), if it moves; the line it names is the original's. */
static ds_result add_copy(vm_auto_list *l, const vm_param_desc *copy, const vm_param_desc *orig, const char *name,
                          char *err)
{
    ds_result r = add_param(l, copy, 0, name, err);
    if (copy->nevents && l->n > 0)
        l->lanes[l->n - 1].where = orig->where;
    return r;
}

/* Mute moves as a lane of 1 (muted) and 0, from the static setting. */
static ds_result add_mute(vm_auto_list *l, const vm_param_desc *mutep, int mute, const char *name, char *err)
{
    vm_param_desc pd = *mutep;
    pd.value = mute ? 1 : 0;
    int n = l->n;
    ds_result r = add_copy(l, &pd, mutep, name, err);
    set_unit(l, n, "on/off");
    return r;
}

ds_result vm_automation_collect(const vm_desc *d, vm_auto_list *out, char *err)
{
    memset(out, 0, sizeof *out);
    ds_result r = DS_OK;
    char name[200];
    vm_lane **vca = calloc((size_t)d->nvcas + 1, sizeof *vca);
    if (!vca)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int v = 0; v < d->nvcas && r == DS_OK; v++) {
        snprintf(name, sizeof name, "vca:%s.gain", d->vcas[v].name);
        r = add_param(out, &d->vcas[v].gain, 1, name, err);
        if (r == DS_OK && !(vca[v] = vm_param_desc_lane(&d->vcas[v].gain, 1, name, err)))
            r = DS_ERR_ARG;
    }
    for (int g = 0; g < d->nmute_groups && r == DS_OK; g++) {
        snprintf(name, sizeof name, "mute_group:%s.mute", d->mute_groups[g].name);
        r = add_mute(out, &d->mute_groups[g].mutep, d->mute_groups[g].mute, name, err);
    }
    for (int s = 0; s < d->nstrips && r == DS_OK; s++) {
        const vm_strip_desc *st = &d->strips[s];
        snprintf(name, sizeof name, "%s.gain", st->name);
        r = add_param(out, &st->gain, 1, name, err);
        snprintf(name, sizeof name, "%s.trim", st->name);
        if (r == DS_OK)
            r = add_param(out, &st->trim, 1, name, err);
        snprintf(name, sizeof name, "%s.pan", st->name);
        int before = out->n;
        if (r == DS_OK)
            r = add_param(out, &st->pan, 0, name, err);
        set_unit(out, before, "-1 left .. 1 right");
        for (int k = 0; k < VM_SURROUND_NPARAMS && r == DS_OK; k++) {
            const vm_surround_param_spec *sp = &vm_surround_params[k];
            snprintf(name, sizeof name, "%s.%s", st->name, sp->name);
            before = out->n;
            r = add_param(out, &st->surround[k], sp->is_db, name, err);
            set_unit(out, before, sp->unit);
        }
        snprintf(name, sizeof name, "%s.mute", st->name);
        if (r == DS_OK)
            r = add_mute(out, &st->mutep, st->mute, name, err);
        snprintf(name, sizeof name, "%s.duck", st->name);
        if (r == DS_OK)
            r = add_param(out, &st->duck, 1, name, err);
        snprintf(name, sizeof name, "%s.bandduck", st->name);
        if (r == DS_OK)
            r = add_param(out, &st->bandduck, 1, name, err);
        for (int k = 0; k < st->nclips && r == DS_OK; k++) {
            snprintf(name, sizeof name, "%s[%d].gain", st->name, k + 1);
            r = add_param(out, &st->clips[k].gain, 1, name, err);
        }
        for (int k = 0; k < st->nsends && r == DS_OK; k++) {
            snprintf(name, sizeof name, "%s.send%d.level", st->name, k + 1);
            r = add_param(out, &st->sends[k].level, 1, name, err);
        }
        for (int k = 0; k < st->ninserts && r == DS_OK; k++) {
            const vm_insert_desc *e = &st->inserts[k];
            const char *word = op_class_of_insert(e->kind)->param; /* "eq" in STRIP.eq1.freq */
            /* in lane order (vm/insert_params.c), as the emitter builds them */
            for (int j = 0; j < vm_insert_params_of(e->kind)->nparams && r == DS_OK; j++) {
                const vm_insert_param_spec *sp = vm_insert_param_at(e->kind, j);
                snprintf(name, sizeof name, "%s.%s%d.%s", st->name, word, k + 1, sp->name);
                vm_param_desc pd = vm_insert_param_get(e, sp);
                int before_row = out->n;
                r = add_copy(out, &pd, vm_insert_param_moves((vm_insert_desc *)e, sp), name, err);
                set_unit(out, before_row, insert_unit(sp));
            }
        }
        /* the effective fader when several layers make it and one moves */
        int layers = 0, moves = st->gain.nevents + st->trim.nevents;
        for (int v = 0; v < d->nvcas; v++)
            for (int m = 0; m < d->vcas[v].nmembers; m++)
                if (d->vcas[v].members[m] == s) {
                    layers++;
                    moves += d->vcas[v].gain.nevents;
                }
        if (r != DS_OK || !moves || (layers == 0 && st->trim.value == 0 && !st->trim.nevents))
            continue;
        snprintf(name, sizeof name, "%s.fader", st->name);
        vm_auto_lane *a = add(out, name, 1, st->where, 2 + layers);
        if (!a) {
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
            break;
        }
        if (!(a->layers[0] = vm_param_desc_lane(&st->gain, 1, name, err)) || !(a->layers[1] = vm_param_desc_lane(&st->trim, 1, name, err))) {
            a->nowned = a->nlayers = a->layers[0] != NULL;
            r = DS_ERR_ARG;
            break;
        }
        a->nowned = a->nlayers = 2;
        for (int v = 0; v < d->nvcas; v++)
            for (int m = 0; m < d->vcas[v].nmembers; m++)
                if (d->vcas[v].members[m] == s)
                    a->layers[a->nlayers++] = vca[v]; /* shared: owned by the list below */
    }
    out->vca_lanes = vca; /* the list owns them from here */
    out->nvca = d->nvcas;
    if (r != DS_OK)
        vm_automation_free(out);
    return r;
}

double vm_auto_value(const vm_auto_lane *l, int64_t n)
{
    double sum = 0;
    for (int i = 0; i < l->nlayers; i++) {
        double v = vm_lane_value(l->layers[i], n);
        if (l->is_db && v <= VM_LANE_DB_SILENCE)
            return VM_LANE_DB_SILENCE;
        sum += v;
    }
    if (l->is_db && sum < VM_LANE_DB_SILENCE)
        sum = VM_LANE_DB_SILENCE;
    return sum;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int vm_auto_breakpoints(const vm_auto_lane *l, int64_t *out, int max)
{
    int n = 0;
    for (int i = 0; i < l->nlayers; i++) {
        int got = vm_lane_breakpoints(l->layers[i], out ? out + n : NULL, out ? max - n : 0);
        n += out ? (got < max - n ? got : max - n) : got;
    }
    if (!out)
        return n;
    qsort(out, (size_t)n, sizeof *out, cmp_i64);
    int w = 0;
    for (int i = 0; i < n; i++)
        if (w == 0 || out[w - 1] != out[i])
            out[w++] = out[i];
    return w;
}

void vm_automation_free(vm_auto_list *list)
{
    for (int i = 0; i < list->n; i++)
    {
        for (int k = 0; k < list->lanes[i].nowned; k++)
            vm_lane_free(&list->lanes[i].layers[k]);
        free(list->lanes[i].layers);
    }
    for (int v = 0; v < list->nvca; v++)
        vm_lane_free(&list->vca_lanes[v]);
    free(list->vca_lanes);
    free(list->lanes);
    memset(list, 0, sizeof *list);
}
