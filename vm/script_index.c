/* script_index.c - the script context's lookups that must stay linear in the
 * size of a mix: names of strips and groups (a new one is checked against
 * all the others), and the media files clips probe (a file used by many
 * clips is opened once).
 *
 * One open-addressing hash table (FNV-1a, linear probing, load at most 1/2)
 * keyed by (kind, string). It only finds: nothing iterates it, so its order
 * never reaches an output (ARCHITECTURE.md property 2). Its memory is the
 * context's, freed by script_index_free when the script has run (a Lua
 * error unwinds to vm_script_load's pcall, which frees it after).
 */
#include "vm/script_priv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct script_entry {
    const char *key; /* NULL: empty slot */
    int kind;
    int value;
};

static uint32_t hash(int kind, const char *key)
{
    uint32_t h = 2166136261u ^ (uint32_t)kind;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* The slot of (kind, key), or the empty slot where it would go. */
static struct script_entry *slot(const script_ctx *c, int kind, const char *key)
{
    uint32_t mask = (uint32_t)c->index_cap - 1;
    for (uint32_t i = hash(kind, key) & mask;; i = (i + 1) & mask) {
        struct script_entry *e = &c->index[i];
        if (!e->key || (e->kind == kind && strcmp(e->key, key) == 0))
            return e;
    }
}

int script_index_find(const script_ctx *c, int kind, const char *key)
{
    if (c->index_cap == 0)
        return -1;
    const struct script_entry *e = slot(c, kind, key);
    return e->key ? e->value : -1;
}

void script_index_add(lua_State *L, script_ctx *c, int kind, const char *key, int value)
{
    if (2 * (c->index_used + 1) > c->index_cap) {
        int cap = c->index_cap ? 2 * c->index_cap : 256;
        struct script_entry *old = c->index;
        int old_cap = c->index_cap;
        struct script_entry *fresh = calloc((size_t)cap, sizeof *fresh);
        if (!fresh)
            vm_script_error(L, "out of memory");
        c->index = fresh;
        c->index_cap = cap;
        for (int i = 0; i < old_cap; i++)
            if (old[i].key)
                *slot(c, old[i].kind, old[i].key) = old[i];
        free(old);
    }
    struct script_entry *e = slot(c, kind, key);
    if (!e->key)
        c->index_used++;
    *e = (struct script_entry){.key = key, .kind = kind, .value = value};
}

ds_result script_probe(lua_State *L, const char *path, vm_media_info *info, char *err)
{
    script_ctx *c = script_get_ctx(L);
    int at = script_index_find(c, SCRIPT_INDEX_MEDIA, path);
    if (at >= 0) {
        *info = c->media[at].info;
        return DS_OK;
    }
    ds_result r = vm_media_probe(path, info, err);
    if (r != DS_OK)
        return r; /* not kept: the script stops here */
    c->media = script_grow(L, c->media, &c->capmedia, c->nmedia + 1, sizeof *c->media);
    c->media[c->nmedia].path = script_strdup(L, path);
    c->media[c->nmedia].info = *info;
    c->nmedia++;
    script_index_add(L, c, SCRIPT_INDEX_MEDIA, c->media[c->nmedia - 1].path, c->nmedia - 1);
    return DS_OK;
}

int script_mark_strips(lua_State *L, script_ctx *c)
{
    int n = c->desc->nstrips;
    if (n > c->nmarks) {
        int *m = realloc(c->marks, (size_t)n * sizeof *m);
        if (!m)
            vm_script_error(L, "out of memory");
        memset(m + c->nmarks, 0, (size_t)(n - c->nmarks) * sizeof *m);
        c->marks = m;
        c->nmarks = n;
    }
    return ++c->mark_gen;
}

void script_index_free(script_ctx *c)
{
    free(c->marks);
    c->marks = NULL;
    c->nmarks = 0;
    free(c->index);
    c->index = NULL;
    c->index_cap = c->index_used = 0;
    for (int i = 0; i < c->nmedia; i++)
        free(c->media[i].path);
    free(c->media);
    c->media = NULL;
    c->nmedia = c->capmedia = 0;
}
