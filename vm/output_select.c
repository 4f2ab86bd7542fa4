/* output_select.c - a render of some of a script's outputs
 * (output_select.h). */
#include "vm/output_select.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/path.h"
#include "vm/suggest.h"

void vm_output_stem(const char *path, char *out, size_t n)
{
    const char *base = vm_path_basename(path), *dot = strrchr(base, '.');
    int len = dot && dot > base ? (int)(dot - base) : (int)strlen(base);
    snprintf(out, n, "%.*s", len, base);
}

char *vm_output_selection_name(const char *const *paths, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(vm_path_basename(paths[i])) + 1;
    char *sel = malloc(len);
    size_t used = 0;
    for (int i = 0; sel && i < n; i++) {
        if (i)
            sel[used++] = '+';
        vm_output_stem(paths[i], sel + used, len - used);
        used += strlen(sel + used);
    }
    if (sel)
        sel[used] = 0;
    return sel;
}

/* 1 when name names path: the whole path, a tail of it after a '/', or
 * its file name without the extension. */
static int names_output(const char *name, const char *path)
{
    size_t n = strlen(name), len = strlen(path);
    if (n == 0)
        return 0;
    if (n <= len && strcmp(path + len - n, name) == 0 && (n == len || path[len - n - 1] == '/'))
        return 1;
    char stem[PATH_MAX];
    vm_output_stem(path, stem, sizeof stem);
    return strcmp(stem, name) == 0;
}

/* The outputs' file names, "a.wav, b.wav, ..." into buf. */
static void list_outputs(const vm_desc *d, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < d->noutputs && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", vm_path_basename(d->outputs[i].path));
}

/* The index of the one output name names; -1 with err when none or more. */
static int find_output(const vm_desc *d, const char *name, char *err)
{
    int found = -1, second = -1;
    for (int i = 0; i < d->noutputs; i++)
        if (names_output(name, d->outputs[i].path) ||
            (d->outputs[i].declared && names_output(name, d->outputs[i].declared))) {
            if (found < 0)
                found = i;
            else if (second < 0)
                second = i;
        }
    if (found >= 0 && second < 0)
        return found;
    char list[1024];
    list_outputs(d, list, sizeof list);
    if (found >= 0) {
        ds_fail(err, DS_ERR_ARG, "--output '%s' names more than one output ('%s' and '%s'): give more of its path",
                name, d->outputs[found].path, d->outputs[second].path);
        return -1;
    }
    /* did you mean: among the file names and the names without extension */
    const char **cands = calloc((size_t)(2 * d->noutputs + 1), sizeof *cands);
    char (*stems)[64] = calloc((size_t)(d->noutputs + 1), sizeof *stems);
    const char *near = NULL;
    if (cands && stems) {
        for (int i = 0; i < d->noutputs; i++) {
            vm_output_stem(d->outputs[i].path, stems[i], sizeof stems[i]);
            cands[2 * i] = vm_path_basename(d->outputs[i].path);
            cands[2 * i + 1] = stems[i];
        }
        near = vm_suggest(name, cands, 2 * d->noutputs);
    }
    if (near)
        ds_fail(err, DS_ERR_ARG, "--output '%s': the script has no output of that name; did you mean '%s'? (its "
                "outputs: %s)", name, near, list);
    else
        ds_fail(err, DS_ERR_ARG, "--output '%s': the script has no output of that name (its outputs: %s)", name,
                list);
    free(cands);
    free(stems);
    return -1;
}

ds_result vm_output_select(vm_desc *d, const char *const *names, int n, char *err)
{
    if (d->noutputs == 0)
        return ds_fail(err, DS_ERR_ARG, "--output '%s': the script declares no output", n ? names[0] : "");
    char *keep = calloc((size_t)d->noutputs, 1);
    if (!keep)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        int i = find_output(d, names[k], err);
        if (i < 0) {
            free(keep);
            return DS_ERR_ARG;
        }
        keep[i] = 1;
    }
    /* a stem takes the gain of the normalised output it feeds: that
     * output's measure is part of its bytes, so it cannot be left out */
    int kept_plain = 0;
    for (int i = 0; i < d->noutputs; i++)
        kept_plain |= keep[i] && !d->outputs[i].normalize.on;
    for (int i = 0; i < d->noutputs; i++)
        if (!keep[i] && d->outputs[i].normalize.on && d->outputs[i].normalize.stems && kept_plain) {
            ds_result r = ds_fail(err, DS_ERR_ARG, "--output cannot leave out '%s' (%s): it is normalised with "
                                  "stems = true, so the outputs it records take their gain from its measure; "
                                  "name it too (--output %s)", d->outputs[i].path, d->outputs[i].where,
                                  vm_path_basename(d->outputs[i].path));
            free(keep);
            return r;
        }
    /* the selection's name (vm_manifest_path adds it): "DX+MX" */
    int kept = 0;
    for (int i = 0; i < d->noutputs; i++) {
        if (keep[i])
            d->outputs[kept++] = d->outputs[i];
        else
            free(d->outputs[i].path), free(d->outputs[i].declared);
    }
    const char **paths = calloc((size_t)kept, sizeof *paths);
    for (int i = 0; paths && i < kept; i++)
        paths[i] = d->outputs[i].path;
    char *sel = paths ? vm_output_selection_name(paths, kept) : NULL;
    free(paths);
    d->noutputs = kept;
    d->ndeliverables = 0; /* judged on the whole script's render */
    free(d->output_selection);
    d->output_selection = sel;
    free(keep);
    return sel ? DS_OK : ds_fail(err, DS_ERR_NOMEM, "out of memory");
}
