/* duck.c - the offline analysis of ducking rules (see duck.h).
 *
 * Detector: the key's mean square over 10 ms windows counted from the
 * session start, loudest channel; a window at or above the rule's threshold
 * is "line". A line starts at the first sample of its first window and ends
 * after its last one. Lines closer than `bridge` merge. Each merged line
 * [on, off) gives, on the target's duck layer (dB, base 0):
 *     ramp to depth at max(0, on - preroll) over attack (linear in dB),
 *     ramp back to 0 dB at off + hold over release.
 * A move that starts while another runs cuts it (docs/automation.md), so
 * lines whose dips overlap chain smoothly. A band duck puts the same moves on
 * the target's bandduck layer: the gain of its band_lo..band_hi band only. */
#include "vm/duck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/plan.h"
#include "vm/sched.h"

typedef struct {
    int64_t on, off;
} line;

typedef struct {
    line *lines;
    int n, cap;
    int64_t cur_on;        /* start of the line being read, -1 when none */
    double acc[VM_MAX_CHANNELS]; /* window sums per channel (a strip has at most that many) */
    int64_t win_start;
    int win_fill;
} detector;

static int add_line(detector *dt, int64_t on, int64_t off)
{
    if (dt->n == dt->cap) {
        int cap = dt->cap ? dt->cap * 2 : 64;
        line *l = realloc(dt->lines, (size_t)cap * sizeof *l);
        if (!l)
            return -1;
        dt->lines = l;
        dt->cap = cap;
    }
    dt->lines[dt->n++] = (line){on, off};
    return 0;
}

static int add_move(vm_param_desc *pd, const vm_event *e)
{
    if (pd->nevents == pd->capevents) {
        int cap = pd->capevents ? pd->capevents * 2 : 64;
        vm_event *ev = realloc(pd->events, (size_t)cap * sizeof *ev);
        if (!ev)
            return -1;
        pd->events = ev;
        pd->capevents = cap;
    }
    pd->events[pd->nevents++] = *e;
    return 0;
}

ds_result vm_duck_analyse(vm_desc *d, int max_block, char *err)
{
    int analysed = 0;
    for (int i = 0; i < d->nducks; i++)
        analysed += d->ducks[i].lookahead_s <= 0;
    if (analysed == 0) /* none, or all run in real time (dsp/ducker.h) */
        return DS_OK;
    for (int i = 0; i < d->nducks; i++) { /* the analysis replaces earlier results */
        vm_param_desc_free(&d->strips[d->ducks[i].target].duck);
        vm_param_desc_free(&d->strips[d->ducks[i].target].bandduck);
    }
    int64_t win = d->tb.rate / 100; /* 10 ms */
    plan *p = NULL;
    d->analysis = 1;
    ds_result r = vm_compile(d, max_block, &p, err);
    d->analysis = 0;
    if (r != DS_OK)
        return r;
    detector *dt = calloc((size_t)d->nducks, sizeof *dt);
    if (!dt) {
        vm_plan_free(&p);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < d->nducks; i++)
        dt[i].cur_on = -1;
    vm_plan_reset(p);
    int64_t total = p->length;
    for (int64_t pos = 0; r == DS_OK && pos < total; pos += max_block) {
        int n = total - pos < max_block ? (int)(total - pos) : max_block;
        sched_run_block(p, pos, n);
        if (p->failed) {
            r = ds_fail(err, DS_ERR_IO, "%s", p->error);
            break;
        }
        for (int i = 0; i < d->nducks && r == DS_OK; i++) {
            const vm_duck_desc *du = &d->ducks[i];
            if (du->lookahead_s > 0)
                continue;
            float **ch = p->strip_chans[du->key];
            int nch = d->strips[du->key].channels;
            detector *t = &dt[i];
            double thr = pow(10.0, du->threshold_db / 10.0); /* mean-square threshold */
            for (int k = 0; k < n; k++) {
                for (int c = 0; c < nch && c < VM_MAX_CHANNELS; c++)
                    t->acc[c] += ch ? (double)ch[c][k] * ch[c][k] : 0.0;
                if (++t->win_fill < win && pos + k + 1 < total)
                    continue;
                double ms = 0;
                for (int c = 0; c < nch && c < VM_MAX_CHANNELS; c++) {
                    double m = t->acc[c] / (double)t->win_fill;
                    ms = m > ms ? m : ms;
                    t->acc[c] = 0;
                }
                int64_t end = t->win_start + t->win_fill;
                if (ms >= thr && t->cur_on < 0)
                    t->cur_on = t->win_start;
                else if (ms < thr && t->cur_on >= 0) {
                    if (add_line(t, t->cur_on, t->win_start) != 0)
                        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
                    t->cur_on = -1;
                }
                t->win_start = end;
                t->win_fill = 0;
            }
        }
    }
    for (int i = 0; i < d->nducks && r == DS_OK; i++) {
        const vm_duck_desc *du = &d->ducks[i];
        detector *t = &dt[i];
        if (du->lookahead_s > 0)
            continue;
        if (t->cur_on >= 0 && add_line(t, t->cur_on, total) != 0)
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
        /* bridge short gaps */
        int64_t bridge = (int64_t)llround(du->bridge_s * d->tb.rate);
        int m = 0;
        for (int k = 0; k < t->n; k++) {
            if (m > 0 && t->lines[k].on - t->lines[m - 1].off < bridge)
                t->lines[m - 1].off = t->lines[k].off;
            else
                t->lines[m++] = t->lines[k];
        }
        t->n = m;
        vm_param_desc *pd = du->band_hi > 0 ? &d->strips[du->target].bandduck : &d->strips[du->target].duck;
        int64_t pre = (int64_t)llround(du->preroll_s * d->tb.rate), att = (int64_t)llround(du->attack_s * d->tb.rate),
                hold = (int64_t)llround(du->hold_s * d->tb.rate), rel = (int64_t)llround(du->release_s * d->tb.rate);
        if (pd->nevents == 0)
            memcpy(pd->where, du->where, sizeof pd->where);
        for (int k = 0; k < t->n && r == DS_OK; k++) {
            vm_event down = {.kind = VM_EV_RAMP, .at = t->lines[k].on - pre, .duration = att,
                             .value = du->depth_db, .shape = VM_SHAPE_LINEAR};
            vm_event up = {.kind = VM_EV_RAMP, .at = t->lines[k].off + hold, .duration = rel, .value = 0,
                           .shape = VM_SHAPE_LINEAR};
            if (down.at < 0)
                down.at = 0;
            if (add_move(pd, &down) != 0 || add_move(pd, &up) != 0)
                r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
        }
    }
    for (int i = 0; i < d->nducks; i++)
        free(dt[i].lines);
    free(dt);
    vm_plan_free(&p);
    return r;
}
