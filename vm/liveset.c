/* liveset.c - parameters by name (see liveset.h). The fields of strips,
 * ducks, VCAs, groups and sends here, an insert's from its kind's table
 * (vm/insert_params.c); the name list, the getter and the setter all walk
 * them, so a name that completes is a name that sets. */
#include "vm/liveset.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/insert_params.h"
#include "vm/ops.h"
#include "vm/suggest.h"

typedef enum { K_STRIP, K_INSERT, K_DUCK, K_VCA, K_GROUP, K_SEND } target_kind;

/* The fields that are not an insert's (an insert's are its kind's rows in
 * vm/insert_params.c) or a surround panner setting's (after pan, from
 * vm/surround_params.c); lane and offsets are not read here. */
typedef struct {
    target_kind kind;
    vm_insert_param_spec f;
} field;

static const field fields[] = {
    {K_STRIP, {"gain", -144, 24, "dB", 0, 0, 0, 0}},       {K_STRIP, {"trim", -144, 24, "dB", 0, 0, 0, 0}},
    {K_STRIP, {"pan", -1, 1, "", 0, 0, 0, 0}},             {K_STRIP, {"mute", 0, 1, "(0 or 1)", 0, 0, 0, 0}},
    {K_STRIP, {"solo", 0, 1, "(0 or 1)", 0, 0, 0, 0}},     {K_DUCK, {"depth", -60, -0.1, "dB", 0, 0, 0, 0}},
    {K_DUCK, {"threshold", -90, 0, "dB", 0, 0, 0, 0}},     {K_DUCK, {"attack", 0, 10, "s", 0, 0, 0, 0}},
    {K_DUCK, {"release", 0, 30, "s", 0, 0, 0, 0}},         {K_DUCK, {"hold", 0, 30, "s", 0, 0, 0, 0}},
    {K_DUCK, {"preroll", 0, 10, "s", 0, 0, 0, 0}},         {K_DUCK, {"bridge", 0, 30, "s", 0, 0, 0, 0}},
    {K_VCA, {"gain", -144, 24, "dB", 0, 0, 0, 0}},         {K_GROUP, {"mute", 0, 1, "(0 or 1)", 0, 0, 0, 0}},
    {K_SEND, {"level", -144, 24, "dB", 0, 0, 0, 0}},
};
#define NFIELDS ((int)(sizeof fields / sizeof fields[0]))

/* The storage of one field of a target; NULL when it has none. */
static double *slot(vm_desc *d, target_kind k, int owner, int idx, const vm_insert_param_spec *f)
{
    const char *param = f->name;
    if (k == K_GROUP)
        return NULL; /* a switch: owner is a mute group, not a strip */
    if (k == K_VCA)
        return &d->vcas[owner].gain.value;
    if (k == K_SEND)
        return &d->strips[owner].sends[idx].level.value;
    if (k == K_DUCK) {
        vm_duck_desc *u = &d->ducks[idx];
        return strcmp(param, "depth") == 0     ? &u->depth_db
               : strcmp(param, "threshold") == 0 ? &u->threshold_db
               : strcmp(param, "attack") == 0    ? &u->attack_s
               : strcmp(param, "release") == 0   ? &u->release_s
               : strcmp(param, "hold") == 0      ? &u->hold_s
               : strcmp(param, "preroll") == 0   ? &u->preroll_s
                                                 : &u->bridge_s;
    }
    vm_strip_desc *st = &d->strips[owner];
    if (k == K_STRIP) {
        for (int j = 0; j < VM_SURROUND_NPARAMS; j++)
            if (strcmp(param, vm_surround_params[j].name) == 0)
                return &st->surround[j].value;
        return strcmp(param, "gain") == 0 ? &st->gain.value : strcmp(param, "trim") == 0 ? &st->trim.value
               : strcmp(param, "pan") == 0 ? &st->pan.value : NULL;
    }
    return vm_insert_param_value(&st->inserts[idx], f);
}

/* Calls fn for every name of d with where it lives (f may be gone when fn
 * returns: a caller keeps a copy); stops when fn returns 1. */
typedef int (*visit_fn)(void *u, const char *name, target_kind k, int owner, int idx, const vm_insert_param_spec *f);

static int visit_all(const vm_desc *d, visit_fn fn, void *u)
{
    char name[256];
    for (int s = 0; s < d->nstrips; s++) {
        const vm_strip_desc *st = &d->strips[s];
        for (int f = 0; f < NFIELDS; f++)
            if (fields[f].kind == K_STRIP) {
                snprintf(name, sizeof name, "%s.%s", st->name, fields[f].f.name);
                if (fn(u, name, K_STRIP, s, 0, &fields[f].f))
                    return 1;
                if (strcmp(fields[f].f.name, "pan") != 0)
                    continue;
                for (int j = 0; j < VM_SURROUND_NPARAMS; j++) { /* the surround panner's, after pan */
                    const vm_surround_param_spec *sp = &vm_surround_params[j];
                    vm_insert_param_spec row = {sp->name, sp->lo, sp->hi, sp->is_db ? "dB" : "", 0, 0, 0, 0};
                    snprintf(name, sizeof name, "%s.%s", st->name, sp->name);
                    if (fn(u, name, K_STRIP, s, 0, &row))
                        return 1;
                }
            }
        for (int i = 0; i < st->ninserts; i++) {
            /* a realtime duck's insert has no rows: it is set through STRIP.duck.* */
            const vm_insert_params *t = vm_insert_params_of(st->inserts[i].kind);
            int n = i + 1; /* its place in the chain, as `dubstage automation` names it */
            for (int f = 0; f < t->nparams; f++) {
                snprintf(name, sizeof name, "%s.%s%d.%s", st->name, op_class_of_insert(st->inserts[i].kind)->param, n,
                         t->params[f].name);
                if (fn(u, name, K_INSERT, s, i, &t->params[f]))
                    return 1;
            }
        }
        for (int i = 0; i < st->nsends; i++) {
            snprintf(name, sizeof name, "%s.send%d.level", st->name, i + 1);
            if (fn(u, name, K_SEND, s, i, &fields[NFIELDS - 1].f))
                return 1;
        }
        for (int i = 0; i < d->nducks; i++)
            if (d->ducks[i].target == s) {
                for (int f = 0; f < NFIELDS; f++)
                    if (fields[f].kind == K_DUCK) {
                        snprintf(name, sizeof name, "%s.%s.%s", st->name, op_duck_class.param, fields[f].f.name);
                        if (fn(u, name, K_DUCK, s, i, &fields[f].f))
                            return 1;
                    }
                break;
            }
    }
    for (int v = 0; v < d->nvcas; v++) {
        snprintf(name, sizeof name, "%s.gain", d->vcas[v].name);
        if (fn(u, name, K_VCA, v, 0, &fields[NFIELDS - 3].f))
            return 1;
    }
    for (int g = 0; g < d->nmute_groups; g++) {
        snprintf(name, sizeof name, "%s.mute", d->mute_groups[g].name);
        if (fn(u, name, K_GROUP, g, 0, &fields[NFIELDS - 2].f))
            return 1;
    }
    return 0;
}

typedef struct {
    const char *want;
    target_kind kind;
    int owner, idx;
    const vm_insert_param_spec *f; /* &spec once found */
    vm_insert_param_spec spec;
    int found;
    char **names;
    int n, cap;
    size_t bytes;
} finder;

static int find_one(void *u, const char *name, target_kind k, int owner, int idx, const vm_insert_param_spec *f)
{
    finder *fd = u;
    if (strcmp(name, fd->want) != 0)
        return 0;
    fd->kind = k, fd->owner = owner, fd->idx = idx, fd->spec = *f, fd->f = &fd->spec, fd->found = 1;
    return 1;
}

static int count_one(void *u, const char *name, target_kind k, int owner, int idx, const vm_insert_param_spec *f)
{
    (void)k, (void)owner, (void)idx, (void)f;
    finder *fd = u;
    fd->n++;
    fd->bytes += strlen(name) + 1;
    return 0;
}

static int copy_one(void *u, const char *name, target_kind k, int owner, int idx, const vm_insert_param_spec *f)
{
    (void)k, (void)owner, (void)idx, (void)f;
    finder *fd = u;
    char *dst = (char *)(fd->names + fd->cap + 1) + fd->bytes;
    strcpy(dst, name);
    fd->names[fd->n++] = dst;
    fd->bytes += strlen(name) + 1;
    return 0;
}

char **vm_liveset_names(const vm_desc *d)
{
    finder fd = {0};
    visit_all(d, count_one, &fd);
    char **names = malloc((size_t)(fd.n + 1) * sizeof *names + fd.bytes);
    if (!names)
        return NULL;
    finder cp = {.names = names, .cap = fd.n};
    visit_all(d, copy_one, &cp);
    names[cp.n] = NULL;
    return names;
}

static int get_flag(const vm_desc *d, const finder *fd)
{
    if (fd->kind == K_GROUP)
        return d->mute_groups[fd->owner].mute;
    const vm_strip_desc *st = &d->strips[fd->owner];
    return strcmp(fd->f->name, "mute") == 0 ? st->mute : st->solo;
}

double vm_liveget(const vm_desc *d, const char *name)
{
    finder fd = {.want = name};
    visit_all(d, find_one, &fd);
    if (!fd.found)
        return NAN;
    double *v = slot((vm_desc *)d, fd.kind, fd.owner, fd.idx, fd.f);
    return v ? *v : (double)get_flag(d, &fd);
}

ds_result vm_liveset(vm_desc *d, const char *name, double value, char *err)
{
    finder fd = {.want = name};
    visit_all(d, find_one, &fd);
    if (!fd.found) {
        char **names = vm_liveset_names(d);
        int n = 0;
        while (names && names[n])
            n++;
        const char *near = names ? vm_suggest(name, (const char *const *)names, n) : NULL;
        ds_result r = near ? ds_fail(err, DS_ERR_ARG, "no parameter '%s'; did you mean '%s'?", name, near)
                           : ds_fail(err, DS_ERR_ARG, "no parameter '%s' (params() lists them)", name);
        free(names);
        return r;
    }
    const vm_insert_param_spec *f = fd.f;
    if (f->lo == VM_LANE_DB_SILENCE && value <= f->lo)
        value = f->lo; /* a gain: -inf is silence, as in a script (vm/script.c script_gain_db) */
    if (isnan(value) || value < f->lo || value > f->hi) {
        if (isinf(f->hi))
            return ds_fail(err, DS_ERR_ARG, "%s = %g is out of range: %s takes %g or more%s%s", name, value, f->name,
                           f->lo, f->unit[0] ? " " : "", f->unit);
        return ds_fail(err, DS_ERR_ARG, "%s = %g is out of range: %s takes %g to %g%s%s", name, value, f->name, f->lo,
                       f->hi, f->unit[0] ? " " : "", f->unit);
    }
    double *v = slot(d, fd.kind, fd.owner, fd.idx, f);
    if (!v) { /* a switch */
        int on = value != 0;
        if (fd.kind == K_GROUP)
            d->mute_groups[fd.owner].mute = on;
        else if (strcmp(f->name, "mute") == 0)
            d->strips[fd.owner].mute = on;
        else
            d->strips[fd.owner].solo = on;
        return DS_OK;
    }
    double old = *v;
    *v = value;
    if (fd.kind != K_INSERT)
        return DS_OK;
    const vm_insert_desc *e = &d->strips[fd.owner].inserts[fd.idx];
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    char msg[DS_ERR_LEN];
    if (t->check && t->check(e, msg, sizeof msg) != 0) { /* the kernel's rule over all its settings */
        *v = old;
        return ds_fail(err, DS_ERR_ARG, "%s: %s", name, msg);
    }
    if (f->below_nyquist && value >= d->tb.rate / 2.0) {
        *v = old;
        return ds_fail(err, DS_ERR_ARG, "%s = %g is out of range: %s takes %g to %g%s%s (below half the session "
                       "rate)", name, value, f->name, f->lo, d->tb.rate / 2.0 - 1, f->unit[0] ? " " : "", f->unit);
    }
    return DS_OK;
}
