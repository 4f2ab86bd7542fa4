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

#include "dsp/ducker.h"
#include "dsp/dynamics.h"
#include "dsp/transient.h"
#include "vm/compile_priv.h"

/* The kernels' limits on channels, per insert kind: the audio's, and a
 * key's (0: the kind takes no key). */
typedef struct {
    int max_channels;
    int max_key_channels;
} insert_limits;

static insert_limits limits_of(const vm_insert_desc *e)
{
    switch (e->kind) {
    case VM_INSERT_EQ: /* order 2: one multi-channel biquad; other orders: a Butterworth per channel */
        return (insert_limits){e->order == 2 ? DSP_BIQUAD_MULTI_MAX : VM_MAX_CHANNELS, 0};
    case VM_INSERT_DYNAMICS:
        return (insert_limits){DSP_DYN_MAX_CHANNELS, DSP_DYN_MAX_CHANNELS};
    case VM_INSERT_TRANSIENT:
        return (insert_limits){DSP_TRANSIENT_MAX_CHANNELS, 0};
    case VM_INSERT_DUCK:
        return (insert_limits){DSP_DUCKER_MAX_CHANNELS, DSP_DUCKER_MAX_CHANNELS};
    case VM_INSERT_LIMITER: /* its memory is sized per channel */
        break;
    }
    return (insert_limits){VM_MAX_CHANNELS, 0};
}

/* "a second-order eq", "a compressor", ... for messages. */
static const char *insert_name(const vm_insert_desc *e)
{
    static const char *const modes[] = {"a compressor", "an expander", "a gate"};
    switch (e->kind) {
    case VM_INSERT_EQ:
        return e->order == 2 ? "a second-order eq" : "an eq";
    case VM_INSERT_DYNAMICS:
        return modes[e->dyn.mode];
    case VM_INSERT_LIMITER:
        return "a limiter";
    case VM_INSERT_TRANSIENT:
        return "a transient shaper";
    case VM_INSERT_DUCK:
        return "a duck";
    }
    return "an insert";
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
    insert_limits lim = limits_of(e);
    char origin[VM_WHERE_LEN + 40];
    if (st->channels > lim.max_channels)
        return ds_fail(err, DS_ERR_GRAPH, "%s: %s on %s '%s' takes 1 to %d channels, but the %s has %d%s; split "
                       "the signal over strips of at most %d channels",
                       e->where, insert_name(e), vmc_kind_name(st), st->name, lim.max_channels, vmc_kind_name(st),
                       st->channels, channels_origin(st, origin, sizeof origin), lim.max_channels);
    if (e->key >= 0 && lim.max_key_channels && d->strips[e->key].channels > lim.max_key_channels) {
        const vm_strip_desc *k = &d->strips[e->key];
        return ds_fail(err, DS_ERR_GRAPH, "%s: the key of %s on %s '%s' takes 1 to %d channels, but %s '%s' has "
                       "%d%s", e->where, insert_name(e), vmc_kind_name(st), st->name, lim.max_key_channels,
                       vmc_kind_name(k), k->name, k->channels, channels_origin(k, origin, sizeof origin));
    }
    return DS_OK;
}

/* The largest value a parameter takes: its static value and every move's. */
static double param_max(const vm_param_desc *p)
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

/* Frequencies below half the session rate (a filter above it cannot be
 * designed; the live REPL refuses it the same way, vm/liveset.c). */
static ds_result check_insert_rate(const vm_desc *d, const vm_strip_desc *st, const vm_insert_desc *e, char *err)
{
    double nyquist = d->tb.rate / 2.0;
    if (e->kind == VM_INSERT_EQ) {
        double f = param_max(&e->freq);
        if (f >= nyquist)
            return ds_fail(err, DS_ERR_ARG, "%s: eq on %s '%s': freq = %g is out of range: freq takes 10 to %g Hz "
                           "(below half the session rate, %d Hz)", e->freq.nevents && f != e->freq.value
                           ? e->freq.where : e->where, vmc_kind_name(st), st->name, f, nyquist - 1, d->tb.rate);
    }
    if (e->key_hi > 0 && e->key_hi >= nyquist)
        return ds_fail(err, DS_ERR_ARG, "%s: %s on %s '%s': key_filter's high edge %g Hz must be below half the "
                       "session rate (%g Hz)", e->where, insert_name(e), vmc_kind_name(st), st->name, e->key_hi,
                       nyquist);
    return DS_OK;
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

ds_result vmc_validate(const vm_desc *d, char *err)
{
    ds_result r = DS_OK;
    for (int i = 0; r == DS_OK && i < d->nducks; i++)
        r = check_duck_rate(d, &d->ducks[i], err);
    for (int s = 0; r == DS_OK && s < d->nstrips; s++) {
        const vm_strip_desc *st = &d->strips[s];
        r = check_strip_channels(st, err);
        for (int k = 0; r == DS_OK && k < st->ninserts; k++) {
            r = check_insert_channels(d, st, &st->inserts[k], err);
            if (r == DS_OK)
                r = check_insert_rate(d, st, &st->inserts[k], err);
        }
    }
    return r;
}
