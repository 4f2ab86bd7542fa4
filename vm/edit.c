/* edit.c - the edit list both readers fill (edit.h). Strings are copies in
 * a pool the edit owns, so an event never points into the file text. */
#include "vm/edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/textfile.h"

struct vm_edit {
    char *path;
    const char *title;
    vm_fps fps;
    vm_edit_source kind;
    vm_edit_event *events;
    int n, cap;
    char **pool; /* every string the edit owns */
    int npool, cappool;
};

static const char *pool_add(vm_edit *e, const char *s, size_t n)
{
    char *copy;
    if (e->npool == e->cappool) {
        int ncap = e->cappool ? e->cappool * 2 : 64;
        char **np = realloc(e->pool, (size_t)ncap * sizeof *np);
        if (!np)
            return NULL;
        e->pool = np;
        e->cappool = ncap;
    }
    copy = malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    e->pool[e->npool++] = copy;
    return copy;
}

vm_edit *vm_edit_new(const char *path, const vm_fps *fps, vm_edit_source kind)
{
    vm_edit *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->path = strdup(path ? path : "");
    if (!e->path) {
        free(e);
        return NULL;
    }
    e->title = "";
    e->fps = *fps;
    e->kind = kind;
    return e;
}

void vm_edit_free(vm_edit **e)
{
    if (!e || !*e)
        return;
    for (int i = 0; i < (*e)->npool; i++)
        free((*e)->pool[i]);
    free((*e)->pool);
    free((*e)->events);
    free((*e)->path);
    free(*e);
    *e = NULL;
}

const char *vm_edit_path(const vm_edit *e) { return e ? e->path : ""; }
const char *vm_edit_title(const vm_edit *e) { return e ? e->title : ""; }
const vm_fps *vm_edit_fps(const vm_edit *e) { return e ? &e->fps : NULL; }
vm_edit_source vm_edit_kind(const vm_edit *e) { return e ? e->kind : VM_EDIT_FROM_EDL; }
int vm_edit_count(const vm_edit *e) { return e ? e->n : 0; }

const vm_edit_event *vm_edit_event_at(const vm_edit *e, int i)
{
    return (e && i >= 0 && i < e->n) ? &e->events[i] : NULL;
}

vm_edit_event *vm_edit_event_mut(vm_edit *e, int i)
{
    return (e && i >= 0 && i < e->n) ? &e->events[i] : NULL;
}

void vm_edit_track_name(int k, char *buf, int n)
{
    if (k == 0)
        snprintf(buf, (size_t)n, "V");
    else
        snprintf(buf, (size_t)n, "A%d", k);
}

static const char *copy_or_empty(vm_edit *e, const char *s)
{
    return pool_add(e, s ? s : "", s ? strlen(s) : 0);
}

ds_result vm_edit_add(vm_edit *e, const vm_edit_event *ev, vm_edit_event **stored, char *err)
{
    vm_edit_event *out;
    if (e->n >= VM_EDIT_MAX_EVENTS) {
        return ds_fail(err, DS_ERR_FORMAT, "%s: more than %d events: not an edit dubstage reads",
                       ev->where ? ev->where : e->path, VM_EDIT_MAX_EVENTS);
    }
    if (e->n == e->cap) {
        int ncap = e->cap ? e->cap * 2 : 64;
        vm_edit_event *ne = realloc(e->events, (size_t)ncap * sizeof *ne);
        if (!ne)
            goto nomem;
        e->events = ne;
        e->cap = ncap;
    }
    out = &e->events[e->n];
    *out = *ev;
    if (!(out->reel = copy_or_empty(e, ev->reel)) || !(out->clip = copy_or_empty(e, ev->clip))
        || !(out->file = copy_or_empty(e, ev->file)) || !(out->where = copy_or_empty(e, ev->where)))
        goto nomem;
    if (out->speed_den == 0) {
        out->speed_num = 1;
        out->speed_den = 1;
    }
    e->n++;
    if (stored)
        *stored = out;
    return DS_OK;
nomem:
    return ds_fail(err, DS_ERR_NOMEM, "out of memory reading '%s'", e->path);
}

ds_result vm_edit_set_string(vm_edit *e, const char **field, const char *s, size_t n, char *err)
{
    const char *copy = pool_add(e, s, n);
    if (!copy)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory reading '%s'", e->path);
    *field = copy;
    return DS_OK;
}

ds_result vm_edit_set_title(vm_edit *e, const char *s, size_t n, char *err)
{
    return vm_edit_set_string(e, &e->title, s, n, err);
}

ds_result vm_edit_load_file(const char *path, const char *what, const char *kind, vm_edit_parse_fn parse,
                            const vm_fps *fps, vm_edit **out, char *err)
{
    char *text;
    size_t len;
    ds_result r;
    *out = NULL;
    r = vm_textfile_read(path, what, kind, VM_EDIT_MAX_FILE_BYTES, &text, &len, err);
    if (r != DS_OK)
        return r;
    r = parse(path, text, len, fps, out, err);
    free(text);
    return r;
}
