/* liveset.c - parameters by name (see liveset.h). One table of fields per
 * insert kind; the name list, the getter and the setter all walk it, so a
 * name that completes is a name that sets. */
#include "vm/liveset.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/ops.h"
#include "vm/suggest.h"

typedef enum { K_STRIP, K_EQ, K_DYN, K_LIM, K_SHAPE, K_DUCK, K_VCA, K_GROUP, K_SEND } target_kind;

typedef struct {
    target_kind kind;
    const char *param;
    double lo, hi;
    const char *unit;
} field;

static const field fields[] = {
    {K_STRIP, "gain", -144, 24, "dB"},       {K_STRIP, "trim", -144, 24, "dB"},
    {K_STRIP, "pan", -1, 1, ""},             {K_STRIP, "mute", 0, 1, "(0 or 1)"},
    {K_STRIP, "solo", 0, 1, "(0 or 1)"},     {K_EQ, "freq", 10, 40000, "Hz"},
    {K_EQ, "gain", -30, 30, "dB"},           {K_EQ, "q", 0.1, 30, ""},
    {K_DYN, "threshold", -200, 40, "dB"},    {K_DYN, "ratio", 1, INFINITY, ""},
    {K_DYN, "knee", 0, 60, "dB"},            {K_DYN, "attack", 0, 60, "s"},
    {K_DYN, "release", 0, 60, "s"},          {K_DYN, "hold", 0, 60, "s"},
    {K_DYN, "makeup", -60, 60, "dB"},        {K_DYN, "range", -200, 0, "dB"},
    {K_LIM, "ceiling", -60, 0, "dBTP"},      {K_LIM, "release", 0.001, 10, "s"},
    {K_SHAPE, "attack", -24, 24, "dB"},      {K_SHAPE, "sustain", -24, 24, "dB"},
    {K_DUCK, "depth", -60, -0.1, "dB"},      {K_DUCK, "threshold", -90, 0, "dB"},
    {K_DUCK, "attack", 0, 10, "s"},          {K_DUCK, "release", 0, 30, "s"},
    {K_DUCK, "hold", 0, 30, "s"},            {K_DUCK, "preroll", 0, 10, "s"},
    {K_DUCK, "bridge", 0, 30, "s"},          {K_VCA, "gain", -144, 24, "dB"},
    {K_GROUP, "mute", 0, 1, "(0 or 1)"},
    {K_SEND, "level", -144, 24, "dB"},
};
#define NFIELDS ((int)(sizeof fields / sizeof fields[0]))

static target_kind insert_kind(const vm_insert_desc *e)
{
    return e->kind == VM_INSERT_EQ ? K_EQ : e->kind == VM_INSERT_DYNAMICS ? K_DYN
                                        : e->kind == VM_INSERT_LIMITER  ? K_LIM
                                                                        : K_SHAPE;
}

/* The storage of one field of a target; NULL when it has none. */
static double *slot(vm_desc *d, target_kind k, int owner, int idx, const char *param)
{
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
    if (k == K_STRIP)
        return strcmp(param, "gain") == 0 ? &st->gain.value : strcmp(param, "trim") == 0 ? &st->trim.value
               : strcmp(param, "pan") == 0 ? &st->pan.value : NULL;
    vm_insert_desc *e = &st->inserts[idx];
    if (k == K_EQ)
        return strcmp(param, "freq") == 0 ? &e->freq.value : strcmp(param, "gain") == 0 ? &e->gain.value : &e->q.value;
    if (k == K_LIM)
        return strcmp(param, "ceiling") == 0 ? &e->lim.ceiling_dbtp : &e->lim.release_s;
    if (k == K_SHAPE)
        return strcmp(param, "attack") == 0 ? &e->attack_db : &e->sustain_db;
    dsp_dyn_params *y = &e->dyn;
    return strcmp(param, "threshold") == 0 ? &y->threshold_db : strcmp(param, "ratio") == 0 ? &y->ratio
           : strcmp(param, "knee") == 0    ? &y->knee_db      : strcmp(param, "attack") == 0 ? &y->attack_s
           : strcmp(param, "release") == 0 ? &y->release_s    : strcmp(param, "hold") == 0   ? &y->hold_s
           : strcmp(param, "makeup") == 0  ? &y->makeup_db
                                           : &y->range_db;
}

/* Calls fn for every name of d with where it lives; stops when fn returns 1. */
typedef int (*visit_fn)(void *u, const char *name, target_kind k, int owner, int idx, const field *f);

static int visit_all(const vm_desc *d, visit_fn fn, void *u)
{
    char name[256];
    for (int s = 0; s < d->nstrips; s++) {
        const vm_strip_desc *st = &d->strips[s];
        for (int f = 0; f < NFIELDS; f++)
            if (fields[f].kind == K_STRIP) {
                snprintf(name, sizeof name, "%s.%s", st->name, fields[f].param);
                if (fn(u, name, K_STRIP, s, 0, &fields[f]))
                    return 1;
            }
        for (int i = 0; i < st->ninserts; i++) {
            if (st->inserts[i].kind == VM_INSERT_DUCK)
                continue; /* a realtime duck: set through STRIP.duck.* */
            target_kind k = insert_kind(&st->inserts[i]);
            int n = i + 1; /* its place in the chain, as `dubstage automation` names it */
            for (int f = 0; f < NFIELDS; f++)
                if (fields[f].kind == k) {
                    snprintf(name, sizeof name, "%s.%s%d.%s", st->name, op_class_of_insert(st->inserts[i].kind)->param, n,
                             fields[f].param);
                    if (fn(u, name, k, s, i, &fields[f]))
                        return 1;
                }
        }
        for (int i = 0; i < st->nsends; i++) {
            snprintf(name, sizeof name, "%s.send%d.level", st->name, i + 1);
            if (fn(u, name, K_SEND, s, i, &fields[NFIELDS - 1]))
                return 1;
        }
        for (int i = 0; i < d->nducks; i++)
            if (d->ducks[i].target == s) {
                for (int f = 0; f < NFIELDS; f++)
                    if (fields[f].kind == K_DUCK) {
                        snprintf(name, sizeof name, "%s.%s.%s", st->name, op_duck_class.param, fields[f].param);
                        if (fn(u, name, K_DUCK, s, i, &fields[f]))
                            return 1;
                    }
                break;
            }
    }
    for (int v = 0; v < d->nvcas; v++) {
        snprintf(name, sizeof name, "%s.gain", d->vcas[v].name);
        if (fn(u, name, K_VCA, v, 0, &fields[NFIELDS - 3]))
            return 1;
    }
    for (int g = 0; g < d->nmute_groups; g++) {
        snprintf(name, sizeof name, "%s.mute", d->mute_groups[g].name);
        if (fn(u, name, K_GROUP, g, 0, &fields[NFIELDS - 2]))
            return 1;
    }
    return 0;
}

typedef struct {
    const char *want;
    target_kind kind;
    int owner, idx;
    const field *f;
    int found;
    char **names;
    int n, cap;
    size_t bytes;
} finder;

static int find_one(void *u, const char *name, target_kind k, int owner, int idx, const field *f)
{
    finder *fd = u;
    if (strcmp(name, fd->want) != 0)
        return 0;
    fd->kind = k, fd->owner = owner, fd->idx = idx, fd->f = f, fd->found = 1;
    return 1;
}

static int count_one(void *u, const char *name, target_kind k, int owner, int idx, const field *f)
{
    (void)k, (void)owner, (void)idx, (void)f;
    finder *fd = u;
    fd->n++;
    fd->bytes += strlen(name) + 1;
    return 0;
}

static int copy_one(void *u, const char *name, target_kind k, int owner, int idx, const field *f)
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
    return strcmp(fd->f->param, "mute") == 0 ? st->mute : st->solo;
}

double vm_liveget(const vm_desc *d, const char *name)
{
    finder fd = {.want = name};
    visit_all(d, find_one, &fd);
    if (!fd.found)
        return NAN;
    double *v = slot((vm_desc *)d, fd.kind, fd.owner, fd.idx, fd.f->param);
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
    const field *f = fd.f;
    if (f->lo == VM_LANE_DB_SILENCE && value <= f->lo)
        value = f->lo; /* a gain: -inf is silence, as in a script (vm/script.c script_gain_db) */
    if (isnan(value) || value < f->lo || value > f->hi) {
        if (isinf(f->hi))
            return ds_fail(err, DS_ERR_ARG, "%s = %g is out of range: %s takes %g or more%s%s", name, value, f->param,
                           f->lo, f->unit[0] ? " " : "", f->unit);
        return ds_fail(err, DS_ERR_ARG, "%s = %g is out of range: %s takes %g to %g%s%s", name, value, f->param, f->lo,
                       f->hi, f->unit[0] ? " " : "", f->unit);
    }
    double *v = slot(d, fd.kind, fd.owner, fd.idx, f->param);
    if (!v) { /* a switch */
        int on = value != 0;
        if (fd.kind == K_GROUP)
            d->mute_groups[fd.owner].mute = on;
        else if (strcmp(f->param, "mute") == 0)
            d->strips[fd.owner].mute = on;
        else
            d->strips[fd.owner].solo = on;
        return DS_OK;
    }
    double old = *v;
    *v = value;
    char msg[DS_ERR_LEN];
    if (fd.kind == K_DYN && dsp_dyn_check(&d->strips[fd.owner].inserts[fd.idx].dyn, msg, sizeof msg) != 0) {
        *v = old;
        return ds_fail(err, DS_ERR_ARG, "%s: %s", name, msg);
    }
    if (fd.kind == K_LIM && dsp_limiter_check(&d->strips[fd.owner].inserts[fd.idx].lim, msg, sizeof msg) != 0) {
        *v = old;
        return ds_fail(err, DS_ERR_ARG, "%s: %s", name, msg);
    }
    if (fd.kind == K_EQ && strcmp(f->param, "freq") == 0 && value >= d->tb.rate / 2.0) {
        *v = old;
        return ds_fail(err, DS_ERR_ARG, "%s = %g is out of range: freq takes 10 to %g Hz (below half the session "
                       "rate)", name, value, d->tb.rate / 2.0 - 1);
    }
    return DS_OK;
}
