/* compile_validate.c - every kernel's limits, checked once on the final
 * graph.
 *
 * A script may widen a bus after its inserts are made (`b { channels = 64 }`
 * below `b:compressor {}`), so a limit that depends on the graph (a
 * kernel's channel count, its key's, a frequency against the session rate)
 * is checked here, when nothing can change any more, and the error names
 * the script line that made the node and the line that set its channels.
 * The fixed-size arrays of the kernels and ops (vm/ops.c, dsp/) are sized
 * by the same constants that are checked here.
 */
#include <stdio.h>
#include <string.h>

#include "vm/compile_priv.h"
#include "vm/insert_params.h"

/* "a second-order eq", "a compressor", ... for messages (the noun and the
 * limit's variant from the kind's entry, vm/insert_params.c), into buf. */
static const char *insert_name(const vm_insert_desc *e, char *buf, size_t n)
{
    const char *variant;
    vm_insert_max_channels(e, &variant);
    const char *noun = vm_insert_noun(e);
    snprintf(buf, n, "%s %s%s%s", vm_insert_article(variant ? variant : noun), variant ? variant : "",
             variant ? " " : "", noun);
    return buf;
}

/* " (its channels set at mix.lua:5)" when a line set them, else "". */
static const char *channels_origin(const vm_strip_desc *s, char *buf, size_t n)
{
    if (!s->channels_where[0])
        return "";
    snprintf(buf, n, " (channels set at %s)", s->channels_where);
    return buf;
}

static ds_result check_strip_channels(const vm_strip_desc *s, char *err)
{
    if (s->channels <= VM_MAX_CHANNELS)
        return DS_OK;
    return ds_fail(err, DS_ERR_GRAPH, "%s: %s '%s' has %d channels: a %s takes 1 to %d channels",
                   s->channels_where[0] ? s->channels_where : s->where, vmc_kind_name(s), s->name, s->channels,
                   vmc_kind_name(s), VM_MAX_CHANNELS);
}

/* The channel counts of insert e on strip st (and of its key). */
static ds_result check_insert_channels(const vm_desc *d, const vm_strip_desc *st, const vm_insert_desc *e, char *err)
{
    int max_channels = vm_insert_max_channels(e, NULL), max_key_channels = vm_insert_max_key_channels(e);
    int min_channels = vm_insert_min_channels(e);
    char origin[VM_WHERE_LEN + 40], name[64];
    if (min_channels == max_channels && st->channels != max_channels)
        return ds_fail(err, DS_ERR_GRAPH, "%s: %s on %s '%s' takes exactly %d channels%s, but the %s has %d%s",
                       e->where, insert_name(e, name, sizeof name), vmc_kind_name(st), st->name, max_channels,
                       max_channels == 2 ? " (a stereo pair: L R)" : "", vmc_kind_name(st), st->channels,
                       channels_origin(st, origin, sizeof origin));
    if (st->channels < min_channels)
        return ds_fail(err, DS_ERR_GRAPH, "%s: %s on %s '%s' takes %d to %d channels, but the %s has %d%s",
                       e->where, insert_name(e, name, sizeof name), vmc_kind_name(st), st->name, min_channels,
                       max_channels, vmc_kind_name(st), st->channels, channels_origin(st, origin, sizeof origin));
    if (st->channels > max_channels)
        return ds_fail(err, DS_ERR_GRAPH, "%s: %s on %s '%s' takes 1 to %d channels, but the %s has %d%s; split "
                       "the signal over strips of at most %d channels",
                       e->where, insert_name(e, name, sizeof name), vmc_kind_name(st), st->name, max_channels,
                       vmc_kind_name(st), st->channels, channels_origin(st, origin, sizeof origin), max_channels);
    if (e->key >= 0 && max_key_channels && d->strips[e->key].channels > max_key_channels) {
        const vm_strip_desc *k = &d->strips[e->key];
        return ds_fail(err, DS_ERR_GRAPH, "%s: the key of %s on %s '%s' takes 1 to %d channels, but %s '%s' has "
                       "%d%s", e->where, insert_name(e, name, sizeof name), vmc_kind_name(st), st->name,
                       max_key_channels, vmc_kind_name(k), k->name, k->channels,
                       channels_origin(k, origin, sizeof origin));
    }
    return DS_OK;
}

/* Frequencies below half the session rate (a filter above it cannot be
 * designed; the live REPL refuses it the same way, vm/liveset.c). */
static ds_result check_insert_rate(const vm_desc *d, const vm_strip_desc *st, const vm_insert_desc *e, char *err)
{
    double nyquist = d->tb.rate / 2.0;
    char name[64];
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    for (int i = 0; i < t->nparams; i++) { /* the rows marked below_nyquist (an eq's freq) */
        const vm_insert_param_spec *sp = &t->params[i];
        vm_param_desc pd = vm_insert_param_get(e, sp);
        double f = sp->below_nyquist ? vm_param_desc_max(&pd) : 0;
        if (f >= nyquist)
            return ds_fail(err, DS_ERR_ARG, "%s: %s on %s '%s': %s = %g is out of range: %s takes %g to %g %s "
                           "(below half the session rate, %d Hz)", pd.nevents && f != pd.value ? pd.where : e->where,
                           vm_insert_noun(e), vmc_kind_name(st), st->name, sp->name, f, sp->name, sp->lo,
                           nyquist - 1, sp->unit, d->tb.rate);
    }
    if (e->key_hi > 0 && e->key_hi >= nyquist)
        return ds_fail(err, DS_ERR_ARG, "%s: %s on %s '%s': key_filter's high edge %g Hz must be below half the "
                       "session rate (%g Hz)", e->where, insert_name(e, name, sizeof name), vmc_kind_name(st),
                       st->name, e->key_hi, nyquist);
    return DS_OK;
}

/* The kernel's own limits that depend on the final graph (a delay's line
 * at the session rate on the strip's channels), from the kind's entry. */
static ds_result check_insert_graph(const vm_desc *d, const vm_strip_desc *st, const vm_insert_desc *e, char *err)
{
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    char msg[400], name[64];
    if (!t->check_graph || t->check_graph(e, d->tb.rate, st->channels, msg, sizeof msg) == 0)
        return DS_OK;
    return ds_fail(err, DS_ERR_ARG, "%s: %s on %s '%s': %s", e->where, insert_name(e, name, sizeof name),
                   vmc_kind_name(st), st->name, msg);
}

/* A band duck's crossover needs its band below half the session rate. */
static ds_result check_duck_rate(const vm_desc *d, const vm_duck_desc *du, char *err)
{
    double nyquist = d->tb.rate / 2.0;
    if (du->band_hi > 0 && du->band_hi >= nyquist)
        return ds_fail(err, DS_ERR_ARG, "%s: duck of %s '%s': band's high edge %g Hz must be below half the session "
                       "rate (%g Hz)", du->where, vmc_kind_name(&d->strips[du->target]), d->strips[du->target].name,
                       du->band_hi, nyquist);
    return DS_OK;
}

int vmc_clip_channel_map(const vm_strip_desc *st, const vm_clip_desc *cd, int *map)
{
    vm_layout l = vmc_strip_layout(st);
    if (cd->channel || vm_layout_channels(l) < 3 || cd->info.channels != st->channels)
        return 0;
    return vm_layout_map_file(l, cd->info.channel_mask, cd->info.channels, map);
}

/* A clip whose file says where its channels go must fit its track's
 * layout (it is then played in the track's order, vmc_clip_channel_map). */
static ds_result check_clip_layout(const vm_strip_desc *st, const vm_clip_desc *cd, char *err)
{
    int map[VM_MAX_CHANNELS];
    if (vmc_clip_channel_map(st, cd, map) >= 0)
        return DS_OK;
    char names[96];
    vm_layout l = vmc_strip_layout(st);
    vm_layout_describe(l, st->channels, names, sizeof names);
    return ds_fail(err, DS_ERR_GRAPH, "%s: clip '%s' has channel mask 0x%X, which is not the speakers of track "
                   "'%s' (layout %s: %s, mask 0x%X): give the track the file's layout, or pick one channel with "
                   "channel = k", cd->where, cd->path, (unsigned)cd->info.channel_mask, st->name,
                   vm_layout_name(l), names, (unsigned)vm_layout_mask(l));
}

ds_result vmc_validate(const vm_desc *d, char *err)
{
    ds_result r = DS_OK;
    for (int i = 0; r == DS_OK && i < d->nducks; i++)
        r = check_duck_rate(d, &d->ducks[i], err);
    for (int s = 0; r == DS_OK && s < d->nstrips; s++) {
        const vm_strip_desc *st = &d->strips[s];
        r = check_strip_channels(st, err);
        for (int k = 0; r == DS_OK && k < st->nclips; k++)
            r = check_clip_layout(st, &st->clips[k], err);
        for (int k = 0; r == DS_OK && k < st->ninserts; k++) {
            r = check_insert_channels(d, st, &st->inserts[k], err);
            if (r == DS_OK)
                r = check_insert_rate(d, st, &st->inserts[k], err);
            if (r == DS_OK)
                r = check_insert_graph(d, st, &st->inserts[k], err);
        }
    }
    return r;
}
