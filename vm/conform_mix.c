/* conform_mix.c - a description moved through a change list (what moves
 * how: conform_mix.h).
 *
 * A lane is rebuilt from the lane the old moves make (vm/lane.h), one kept
 * range at a time in new order: at the range's new start, the value the old
 * lane had at its old start (vm_lane_continue: and the move running there,
 * going on), then the range's own moves shifted by its move. A range whose
 * start needs no new event (the lane held the same value at the end of the
 * range before it in the new cut) gets none, so a lane that did not move
 * across a change gets no extra events. */
#include "vm/conform_mix.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/grow.h"
#include "vm/insert_params.h"
#include "vm/markers.h"
#include "vm/media.h"
#include "vm/ops.h"

typedef struct {
    int64_t a, b, delta;    /* old [a, b) plays at [a + delta, b + delta) */
} span;

/* A dissolve (or wipe) whose length or placing changed between the cuts:
 * the crossfades on its old samples go onto its new ones. */
typedef struct {
    int64_t old_a, old_b;   /* the old transition, old session samples */
    int64_t new_a, new_b;   /* the new one, new session samples */
    const char *label;      /* "the dissolve into event 5 A005 (v6.edl:9), 12 -> 24 frames" (the log's) */
} xfade;

/* A clip part whose fade is a crossfade of xfade xf (side 0: its fade out,
 * the outgoing sound; 1: its fade in, the incoming). */
typedef struct {
    int strip, clip;        /* d->strips[strip].clips[clip] once the clips are moved */
    int xf, side;
    int item;               /* its VM_CLOG_CLIP item in the log */
} xfade_hit;

typedef struct {
    vm_desc *d;
    vm_conform_log *log;
    const vm_conform_range *r;
    int nold;               /* ranges in old order */
    span *kept;             /* every kept range, in new order */
    int nkept;
    long long events;       /* automation events made (bounded: VM_CONFORM_MAX_EVENTS) */
    xfade *xf;              /* transitions whose crossfades change */
    int nxf, capxf;
    xfade_hit *hits;
    int nhits, caphits;
    int strip;              /* the strip conform_clips is on */
    char *err;
} ctx;

typedef struct {
    vm_event *ev;
    int n, cap;
} event_list;

static ds_result nomem(char *err) { return ds_fail(err, DS_ERR_NOMEM, "out of memory"); }

static const char *keep_string(vm_conform_log *l, const char *s)
{
    char **g = vm_grow(l->strings, &l->capstrings, l->nstrings + 1, sizeof *g);
    if (!g)
        return NULL;
    l->strings = g;
    char *copy = strdup(s);
    if (copy)
        l->strings[l->nstrings++] = copy;
    return copy;
}

static vm_clog_item *add_item(vm_conform_log *l, vm_clog_kind kind, const char *name, const char *where)
{
    vm_clog_item *g = vm_grow(l->items, &l->capitems, l->nitems + 1, sizeof *g);
    if (!g)
        return NULL;
    l->items = g;
    vm_clog_item *it = &l->items[l->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->name = name;
    it->where = where ? where : "";
    it->note = "";
    return it;
}

/* The move of kept range r in samples (the head range: by the cut's first frame). */
static int64_t range_delta(const vm_conform_range *r)
{
    return r->old_in_s == INT64_MIN ? r->new_out_s - r->old_out_s : r->new_in_s - r->old_in_s;
}

static int push_event(event_list *l, const vm_event *e, int64_t at)
{
    vm_event *g = vm_grow(l->ev, &l->cap, l->n + 1, sizeof *g);
    if (!g)
        return -1;
    l->ev = g;
    vm_event *o = &l->ev[l->n];
    *o = *e;
    o->at = at;
    if (e->kind == VM_EV_CURVE) {
        double *pts = malloc((size_t)e->ncurve * sizeof *pts);
        if (!pts)
            return -1;
        memcpy(pts, e->curve, (size_t)e->ncurve * sizeof *pts);
        o->curve = pts;
    } else {
        o->curve = NULL;
        o->ncurve = 0;
    }
    l->n++;
    return 0;
}

static void event_list_free(event_list *l)
{
    for (int i = 0; i < l->n; i++)
        free((void *)l->ev[i].curve);
    free(l->ev);
    memset(l, 0, sizeof *l);
}

typedef struct {
    const vm_event *ev;
    int index;
} sorted_event;

static int cmp_sorted(const void *a, const void *b)
{
    const sorted_event *x = a, *y = b;
    if (x->ev->at != y->ev->at)
        return x->ev->at < y->ev->at ? -1 : 1;
    return x->index - y->index;
}

/* A lane's old moves, its lane and its moves by time, for rebuilding. */
typedef struct {
    vm_lane *lane;
    sorted_event *by_time;
    unsigned char *used;
    int n;
    const char *name;       /* kept in the log */
    const char *where;
} old_lane;

static ds_result old_lane_open(ctx *x, const vm_param_desc *pd, int is_db, const char *name, old_lane *o)
{
    memset(o, 0, sizeof *o);
    o->n = pd->nevents;
    if (!(o->name = keep_string(x->log, name)) || !(o->where = keep_string(x->log, pd->where)))
        return nomem(x->err);
    if (!(o->lane = vm_param_desc_lane(pd, is_db, name, x->err)))
        return DS_ERR_ARG;
    o->by_time = malloc((size_t)o->n * sizeof *o->by_time);
    o->used = calloc((size_t)o->n, 1);
    if (!o->by_time || !o->used)
        return nomem(x->err);
    for (int i = 0; i < o->n; i++)
        o->by_time[i] = (sorted_event){&pd->events[i], i};
    if (o->n > 0) /* by_time may be NULL when empty (qsort's array never may) */
        qsort(o->by_time, (size_t)o->n, sizeof *o->by_time, cmp_sorted);
    return DS_OK;
}

static void old_lane_close(old_lane *o)
{
    vm_lane_free(&o->lane);
    free(o->by_time);
    free(o->used);
}

/* The first move at or after sample a. */
static int first_at(const old_lane *o, int64_t a)
{
    int lo = 0, hi = o->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (o->by_time[mid].ev->at < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* push_event, counted against VM_CONFORM_MAX_EVENTS. */
static ds_result place_event(ctx *x, const old_lane *o, event_list *out, const vm_event *e, int64_t at)
{
    if (++x->events > VM_CONFORM_MAX_EVENTS)
        return ds_fail(x->err, DS_ERR_ARG, "the moved mix would hold more than %d automation events (at lane %s, "
                       "%s): too many moving lanes for a cut of this many changes", VM_CONFORM_MAX_EVENTS, o->name,
                       o->where);
    return push_event(out, e, at) ? nomem(x->err) : DS_OK;
}

/* Appends to out the new lane's events for spans sp[0..nsp) (new order),
 * as the header says; logs each move placed (MOVE) and each move running
 * across a span's start (MOVE_SPLIT). */
static ds_result rebuild(ctx *x, old_lane *o, const span *sp, int nsp, event_list *out)
{
    double pts[VM_CONFORM_CURVE_POINTS], v0, vend;
    vm_event rest[2], scratch[2];
    double scratch_pts[2];
    int nrest, nscratch;
    int held = 1;
    double held_v = vm_lane_base(o->lane);
    for (int s = 0; s < nsp; s++) {
        int64_t a = sp[s].a, b = sp[s].b, delta = sp[s].delta;
        int j = first_at(o, a);
        if (a != INT64_MIN) {
            int rc = vm_lane_continue(o->lane, a, &v0, rest, &nrest, pts, VM_CONFORM_CURVE_POINTS);
            int moves_at_a = j < o->n && o->by_time[j].ev->at == a;
            if (rc || !held || v0 != held_v) {
                vm_event set = {.kind = VM_EV_SET, .at = a + delta, .value = v0};
                ds_result r = place_event(x, o, out, &set, a + delta);
                if (r != DS_OK)
                    return r;
            }
            if (rc && !moves_at_a) {
                for (int k = 0; k < nrest && rest[k].at < b; k++) { /* the span's end cuts what starts later */
                    ds_result r = place_event(x, o, out, &rest[k], rest[k].at + delta);
                    if (r != DS_OK)
                        return r;
                }
                vm_clog_item *it = add_item(x->log, VM_CLOG_MOVE_SPLIT, o->name, o->where);
                if (!it)
                    return nomem(x->err);
                it->index = j > 0 ? o->by_time[j - 1].index + 1 : 0; /* the move running: the last before a */
                it->old_at = it->old_end = a;
                it->new_at = it->new_end = a + delta;
                it->note = rc == 1 ? "goes on from here (the same move)"
                                   : "goes on from here through its points (a curve's corners within a sample, "
                                     "an S-curve through 1024 of its values)";
                x->log->moves_split++;
                x->log->moves_approximated += rc == 2;
            }
        }
        for (; j < o->n && o->by_time[j].ev->at < b; j++) {
            const vm_event *e = o->by_time[j].ev;
            ds_result r = place_event(x, o, out, e, e->at + delta);
            if (r != DS_OK)
                return r;
            o->used[o->by_time[j].index] = 1;
            vm_clog_item *it = add_item(x->log, VM_CLOG_MOVE, o->name, o->where);
            if (!it)
                return nomem(x->err);
            it->index = o->by_time[j].index + 1;
            it->old_at = it->old_end = e->at;
            it->new_at = it->new_end = e->at + delta;
            x->log->moves++;
        }
        if (b != INT64_MAX) {
            held = vm_lane_continue(o->lane, b, &vend, scratch, &nscratch, scratch_pts, 2) == 0;
            held_v = vend;
        }
    }
    return DS_OK;
}

/* Logs the moves in [lo, hi) that no span took: they were in removed picture. */
static ds_result log_dropped_moves(ctx *x, const old_lane *o, int64_t lo, int64_t hi)
{
    for (int j = 0; j < o->n; j++) {
        const vm_event *e = o->by_time[j].ev;
        if (o->used[o->by_time[j].index] || e->at < lo || e->at >= hi)
            continue;
        int64_t now;
        vm_conform_map(x->log->cut, e->at, &now, NULL);
        vm_clog_item *it = add_item(x->log, VM_CLOG_MOVE_DROPPED, o->name, o->where);
        if (!it)
            return nomem(x->err);
        it->index = o->by_time[j].index + 1;
        it->old_at = it->old_end = e->at;
        it->new_at = it->new_end = now;
        x->log->moves_dropped++;
        x->log->dropped++;
    }
    return DS_OK;
}

/* Replaces the moves of `moves` with those rebuilt from `base` (base holds
 * the static value and the same moves: they differ for an insert's rows). */
static ds_result conform_lane(ctx *x, const vm_param_desc *base, vm_param_desc *moves, int is_db, const char *name)
{
    if (!moves->nevents)
        return DS_OK;
    old_lane o;
    event_list out = {0};
    ds_result r = old_lane_open(x, base, is_db, name, &o);
    if (r == DS_OK)
        r = rebuild(x, &o, x->kept, x->nkept, &out);
    if (r == DS_OK)
        r = log_dropped_moves(x, &o, INT64_MIN, INT64_MAX);
    old_lane_close(&o);
    if (r != DS_OK) {
        event_list_free(&out);
        return r;
    }
    vm_param_desc_free(moves);
    moves->events = out.ev;
    moves->nevents = out.n;
    moves->capevents = out.cap;
    return DS_OK;
}

static ds_result conform_param(ctx *x, vm_param_desc *pd, int is_db, const char *fmt, const char *a, const char *b)
{
    char name[400];
    snprintf(name, sizeof name, fmt, a, b);
    return conform_lane(x, pd, pd, is_db, name);
}

/* A mute lane: its static setting is the strip's or group's mute. */
static ds_result conform_mute(ctx *x, vm_param_desc *mutep, int mute, const char *name)
{
    vm_param_desc base = *mutep;
    base.value = mute ? 1 : 0;
    return conform_lane(x, &base, mutep, 0, name);
}

/* Every lane of the description, named as `dubstage automation` names them. */
static ds_result conform_lanes(ctx *x)
{
    vm_desc *d = x->d;
    ds_result r = DS_OK;
    char name[400];
    for (int v = 0; v < d->nvcas && r == DS_OK; v++)
        r = conform_param(x, &d->vcas[v].gain, 1, "vca:%s.%s", d->vcas[v].name, "gain");
    for (int g = 0; g < d->nmute_groups && r == DS_OK; g++) {
        snprintf(name, sizeof name, "mute_group:%s.mute", d->mute_groups[g].name);
        r = conform_mute(x, &d->mute_groups[g].mutep, d->mute_groups[g].mute, name);
    }
    for (int s = 0; s < d->nstrips && r == DS_OK; s++) {
        vm_strip_desc *st = &d->strips[s];
        struct { vm_param_desc *pd; int is_db; const char *word; } own[] = {
            {&st->gain, 1, "gain"}, {&st->trim, 1, "trim"}, {&st->pan, 0, "pan"},
            {&st->duck, 1, "duck"}, {&st->bandduck, 1, "bandduck"},
        };
        for (size_t k = 0; k < sizeof own / sizeof own[0] && r == DS_OK; k++)
            r = conform_param(x, own[k].pd, own[k].is_db, "%s.%s", st->name, own[k].word);
        for (int k = 0; k < VM_SURROUND_NPARAMS && r == DS_OK; k++)
            r = conform_param(x, &st->surround[k], vm_surround_params[k].is_db, "%s.%s", st->name,
                              vm_surround_params[k].name);
        snprintf(name, sizeof name, "%s.mute", st->name);
        if (r == DS_OK)
            r = conform_mute(x, &st->mutep, st->mute, name);
        for (int k = 0; k < st->nsends && r == DS_OK; k++) {
            snprintf(name, sizeof name, "%s.send%d.level", st->name, k + 1);
            r = conform_lane(x, &st->sends[k].level, &st->sends[k].level, 1, name);
        }
        for (int k = 0; k < st->ninserts && r == DS_OK; k++) {
            vm_insert_desc *e = &st->inserts[k];
            const vm_insert_params *t = vm_insert_params_of(e->kind);
            const char *word = op_class_of_insert(e->kind)->param; /* "eq" in STRIP.eq1.freq */
            for (int j = 0; j < t->nparams && r == DS_OK; j++) {
                const vm_insert_param_spec *sp = &t->params[j];
                vm_param_desc base = vm_insert_param_get(e, sp);
                snprintf(name, sizeof name, "%s.%s%d.%s", st->name, word, k + 1, sp->name);
                r = conform_lane(x, &base, vm_insert_param_moves(e, sp), 0, name);
            }
        }
    }
    return r;
}

/* ---- clips ---- */

typedef struct {
    vm_clip_desc *clips;
    int n, cap;
} clip_list;

static int push_clip(clip_list *l, const vm_clip_desc *c)
{
    vm_clip_desc *g = vm_grow(l->clips, &l->cap, l->n + 1, sizeof *g);
    if (!g)
        return -1;
    l->clips = g;
    l->clips[l->n++] = *c;
    return 0;
}

/* The fades of a part [p0, p1) of clip c (kept where they fit), noting
 * where a change cuts through one. */
static ds_result part_fades(ctx *x, const vm_clip_desc *c, vm_clip_desc *part, int64_t p0, int64_t p1,
                            const char *track, int index, int64_t delta)
{
    int64_t end = c->at + c->length, len = p1 - p0;
    const char *note = NULL;
    part->fade_in = p0 == c->at ? c->fade_in : 0;
    part->fade_out = p1 == end ? c->fade_out : 0;
    if (p0 != c->at && p0 < c->at + c->fade_in)
        note = "the part starts inside the clip's fade in: it plays from there at full level";
    if (p1 != end && p1 > end - c->fade_out)
        note = "the part ends inside the clip's fade out: it stops there at the level it had";
    if (part->fade_in + part->fade_out > len) {
        note = "a change cuts the clip inside its fade: the part's fades were shortened to fit it";
        if (part->fade_in > len)
            part->fade_in = len;
        if (part->fade_out > len - part->fade_in)
            part->fade_out = len - part->fade_in;
    }
    if (!note)
        return DS_OK;
    vm_clog_item *it = add_item(x->log, VM_CLOG_FADE, track, NULL);
    if (!it || !(it->where = keep_string(x->log, c->where)))
        return nomem(x->err);
    it->index = index;
    it->old_at = p0;
    it->old_end = p1;
    it->new_at = p0 + delta;
    it->new_end = p1 + delta;
    it->note = note;
    x->log->fades++;
    return DS_OK;
}

/* ---- crossfades at a dissolve whose length changed ---- */

static int64_t frame_sample(const ctx *x, int64_t frames)
{
    return vm_tc_frames_to_samples(&x->log->fps, x->d->tb.rate, frames) - x->d->tb.start_samples;
}

/* A fade to review at transition f (what: the reason). */
static ds_result review_xfade(ctx *x, const xfade *f, const char *name, int index, const char *where,
                              const char *what)
{
    char note[600];
    snprintf(note, sizeof note, "%s, %s", f->label, what);
    vm_clog_item *it = add_item(x->log, VM_CLOG_FADE, name, where);
    if (!it || !(it->note = keep_string(x->log, note)))
        return nomem(x->err);
    it->index = index;
    it->old_at = f->old_a;
    it->old_end = f->old_b;
    it->new_at = f->new_a;
    it->new_end = f->new_b;
    x->log->fades++;
    return DS_OK;
}

/* The transitions changed from `from` to `to` whose old crossfade has a
 * length: each one's old and new samples. One that a change cuts through
 * (its old samples do not move as one piece) is listed for review. */
static ds_result find_xfades(ctx *x, const vm_edit *from, const vm_edit *to)
{
    static const char *const kinds[] = {"cut", "dissolve", "wipe"};
    int n;
    const vm_change *ch = vm_conform_changes(x->log->cut, &n);
    for (int i = 0; i < n; i++) {
        if (ch[i].kind != VM_CHANGE_TRANSITION)
            continue;
        const vm_edit_event *o = vm_edit_event_at(from, ch[i].old_event), *e = vm_edit_event_at(to, ch[i].new_event);
        if (o->in.kind == VM_EDIT_CUT || o->in.frames == 0)
            continue; /* a cut that became a dissolve: no crossfade to change */
        int64_t before = e->in.kind == VM_EDIT_CUT ? 0 : e->in.before, frames = e->in.kind == VM_EDIT_CUT ? 0 : e->in.frames;
        xfade f;
        f.old_a = frame_sample(x, o->rec_in - o->in.before);
        f.old_b = frame_sample(x, o->rec_in - o->in.before + o->in.frames);
        f.new_a = frame_sample(x, e->rec_in - before);
        f.new_b = frame_sample(x, e->rec_in - before + frames);
        int64_t m0, m1;
        int block = vm_conform_map(x->log->cut, f.old_a, &m0, NULL) && vm_conform_map(x->log->cut, f.old_b - 1, &m1, NULL)
                    && m1 - m0 == f.old_b - 1 - f.old_a;
        if (block && m0 == f.new_a && m1 + 1 == f.new_b)
            continue; /* the same samples (a dissolve that became a wipe) */
        char label[600];
        snprintf(label, sizeof label, "the %s into event %d %s (%s), %" PRId64 " frames -> %s %" PRId64 " frames",
                 kinds[o->in.kind], e->number, e->reel[0] ? e->reel : e->clip, e->where, o->in.frames, kinds[e->in.kind], frames);
        if (!(f.label = keep_string(x->log, label)))
            return nomem(x->err);
        if (!block) {
            ds_result r = review_xfade(x, &f, "", 0, "", "but a change cuts through its old crossfade: the clips "
                                       "there keep the fades the conform gave them");
            if (r != DS_OK)
                return r;
            continue;
        }
        xfade *g = vm_grow(x->xf, &x->capxf, x->nxf + 1, sizeof *g);
        if (!g)
            return nomem(x->err);
        x->xf = g;
        x->xf[x->nxf++] = f;
    }
    return DS_OK;
}

/* Part `placed` (index k in its strip's new clips) of clip c, old [p0, p1)
 * (track, index, where: as the log names the clip, kept strings):
 * a crossfade of a transition in x->xf when its fade lies exactly on the
 * transition's old samples (noted, changed later by apply_xfades); any
 * other fade over those samples is listed for review. */
static ds_result find_xfade_hits(ctx *x, const vm_clip_desc *placed, int k, const vm_clip_desc *c, int64_t p0,
                                 int64_t p1, const char *track, int index, const char *where)
{
    for (int i = 0; i < x->nxf; i++) {
        const xfade *f = &x->xf[i];
        int64_t len = f->old_b - f->old_a;
        int side = -1;
        if (p1 == c->at + c->length && p1 == f->old_b && placed->fade_out == len)
            side = 0;
        else if (p0 == c->at && p0 == f->old_a && placed->fade_in == len)
            side = 1;
        if (side >= 0) {
            xfade_hit *g = vm_grow(x->hits, &x->caphits, x->nhits + 1, sizeof *g);
            if (!g)
                return nomem(x->err);
            x->hits = g;
            x->hits[x->nhits++] = (xfade_hit){x->strip, k, i, side, x->log->nitems - 1};
            continue;
        }
        int over_in = placed->fade_in > 0 && p0 < f->old_b && p0 + placed->fade_in > f->old_a;
        int over_out = placed->fade_out > 0 && p1 - placed->fade_out < f->old_b && p1 > f->old_a;
        if (over_in || over_out) {
            ds_result r = review_xfade(x, f, track, index, where, "and this clip's fade there is not its "
                                       "crossfade (another length or place): kept as it was");
            if (r != DS_OK)
                return r;
        }
    }
    return DS_OK;
}

/* Sets the crossfades found onto their transitions' new samples: at each
 * transition all of them, or (when one would need sound outside its file
 * or no longer fits its clip) none, listed for review. */
static ds_result apply_xfades(ctx *x)
{
    int rate = x->d->tb.rate;
    for (int i = 0; i < x->nxf; i++) {
        const xfade *f = &x->xf[i];
        int64_t fade = f->new_b - f->new_a;
        const char *why = NULL;
        for (int h = 0; h < x->nhits && !why; h++) {
            const xfade_hit *hit = &x->hits[h];
            const vm_clip_desc *p = &x->d->strips[hit->strip].clips[hit->clip];
            int64_t flen = vm_media_frames_at(&p->info, rate);
            if (hit->xf != i)
                continue;
            if (hit->side == 0) {
                int64_t len = f->new_b - p->at;
                if (len <= 0 || len < p->fade_in + fade)
                    why = "but the outgoing clip is too short for the new one";
                else if (p->from + len > flen)
                    why = "but the outgoing clip's file ends before the new one does";
            } else {
                int64_t shift = f->new_a - p->at, len = p->length - shift;
                if (len <= 0 || len < p->fade_out + fade)
                    why = "but the incoming clip is too short for the new one";
                else if (p->from + shift < 0)
                    why = "but the incoming clip's file starts after the new one does";
            }
        }
        for (int h = 0; h < x->nhits; h++) {
            const xfade_hit *hit = &x->hits[h];
            if (hit->xf != i)
                continue;
            vm_clip_desc *p = &x->d->strips[hit->strip].clips[hit->clip];
            vm_clog_item *clip_item = &x->log->items[hit->item];
            if (why) {
                char what[300];
                snprintf(what, sizeof what, "%s: every crossfade there was left as it was", why);
                ds_result r = review_xfade(x, f, clip_item->name, clip_item->index, clip_item->where, what);
                if (r != DS_OK)
                    return r;
                continue;
            }
            int64_t old_fade = hit->side ? p->fade_in : p->fade_out;
            if (hit->side == 0) {
                p->length = f->new_b - p->at;
                p->fade_out = fade;
            } else {
                int64_t shift = f->new_a - p->at;
                p->at += shift;
                p->from += shift;
                p->length -= shift;
                p->fade_in = fade;
            }
            clip_item = &x->log->items[hit->item];
            clip_item->new_at = p->at;
            clip_item->new_end = p->at + p->length;
            clip_item->new_from = p->from;
            vm_clog_item *it = add_item(x->log, VM_CLOG_XFADE, NULL, NULL);
            if (!it)
                return nomem(x->err);
            clip_item = &x->log->items[hit->item]; /* add_item may have moved the items */
            it->name = clip_item->name;
            it->where = clip_item->where;
            it->index = clip_item->index;
            it->part = clip_item->part;
            it->parts = clip_item->parts;
            it->old_at = f->old_a;
            it->old_end = f->old_b;
            it->new_at = f->new_a;
            it->new_end = f->new_b;
            it->old_fade = old_fade;
            it->new_fade = fade;
            char note[700];
            snprintf(note, sizeof note, "%s: %s", hit->side ? "fade in" : "fade out", f->label);
            if (!(it->note = keep_string(x->log, note)))
                return nomem(x->err);
            x->log->xfades++;
        }
    }
    return DS_OK;
}

/* Clip ci of strip st, in parts, onto out. *first: the index in out of its
 * first part (-1: none kept). */
static ds_result conform_clip(ctx *x, vm_strip_desc *st, int ci, clip_list *out, int *first)
{
    vm_clip_desc *c = &st->clips[ci];
    int64_t end = c->at + c->length;
    const char *track = keep_string(x->log, st->name), *where = keep_string(x->log, c->where);
    char lname[400];
    snprintf(lname, sizeof lname, "%s[%d].gain", st->name, ci + 1);
    if (!track || !where)
        return nomem(x->err);
    int nparts = 0, total = 0;
    *first = -1;
    old_lane o;
    int has_lane = c->gain.nevents > 0;
    ds_result r = has_lane ? old_lane_open(x, &c->gain, 1, lname, &o) : DS_OK;
    if (r != DS_OK) {
        if (has_lane)
            old_lane_close(&o);
        return r;
    }
    /* kept parts first counted, for "part k of n" */
    for (int i = vm_conform_range_at(x->log->cut, c->at); i < x->nold && x->r[i].old_in_s < end; i++)
        total += x->r[i].kind == VM_CONFORM_KEPT && (x->r[i].old_out_s > c->at);
    for (int i = vm_conform_range_at(x->log->cut, c->at); r == DS_OK && i < x->nold && x->r[i].old_in_s < end; i++) {
        const vm_conform_range *rg = &x->r[i];
        int64_t p0 = rg->old_in_s > c->at ? rg->old_in_s : c->at, p1 = rg->old_out_s < end ? rg->old_out_s : end;
        if (p0 >= p1)
            continue;
        if (rg->kind != VM_CONFORM_KEPT) {
            vm_clog_item *it = add_item(x->log, VM_CLOG_CLIP_DROPPED, track, where);
            if (!it)
                r = nomem(x->err);
            else {
                it->index = ci + 1;
                it->old_at = p0;
                it->old_end = p1;
                it->new_at = it->new_end = rg->new_in_s;
                it->old_from = c->from + (p0 - c->at);
                it->new_from = it->old_from;
                x->log->clip_parts_dropped++;
                x->log->dropped++;
            }
            continue;
        }
        if (x->log->clip_parts >= VM_CONFORM_MAX_PARTS) {
            r = ds_fail(x->err, DS_ERR_ARG, "clip %s #%d (%s): the moved mix would hold more than %d clip parts: "
                        "too many clips cross too many changes", st->name, ci + 1, c->where, VM_CONFORM_MAX_PARTS);
            break;
        }
        int64_t delta = range_delta(rg);
        vm_clip_desc part = *c;
        part.path = strdup(c->path);
        memset(&part.gain, 0, sizeof part.gain);
        part.gain.value = c->gain.value;
        memcpy(part.gain.where, c->gain.where, sizeof part.gain.where);
        part.at = p0 + delta;
        part.from = c->from + (p0 - c->at);
        part.length = p1 - p0;
        if (!part.path || push_clip(out, &part)) {
            free(part.path);
            r = nomem(x->err);
            break;
        }
        if (*first < 0)
            *first = out->n - 1;
        nparts++;
        vm_clip_desc *placed = &out->clips[out->n - 1];
        r = part_fades(x, c, placed, p0, p1, track, ci + 1, delta);
        if (r == DS_OK && has_lane) {
            event_list ev = {0};
            span one = {p0, p1, delta};
            r = rebuild(x, &o, &one, 1, &ev);
            placed->gain.events = ev.ev;
            placed->gain.nevents = ev.n;
            placed->gain.capevents = ev.cap;
        }
        vm_clog_item *it = r == DS_OK ? add_item(x->log, VM_CLOG_CLIP, track, where) : NULL;
        if (r == DS_OK && !it)
            r = nomem(x->err);
        if (it) {
            it->index = ci + 1;
            it->part = nparts;
            it->parts = total;
            it->old_at = p0;
            it->old_end = p1;
            it->new_at = p0 + delta;
            it->new_end = p1 + delta;
            it->old_from = part.from;
            it->new_from = part.from;
            x->log->clip_parts++;
            r = find_xfade_hits(x, &out->clips[out->n - 1], out->n - 1, c, p0, p1, track, ci + 1, where);
        }
    }
    if (r == DS_OK && has_lane)
        r = log_dropped_moves(x, &o, c->at, end);
    if (has_lane)
        old_lane_close(&o);
    x->log->clips++;
    x->log->clips_split += nparts > 1;
    return r;
}

static ds_result conform_clips(ctx *x)
{
    vm_desc *d = x->d;
    for (int s = 0; s < d->nstrips; s++) {
        vm_strip_desc *st = &d->strips[s];
        if (!st->nclips)
            continue;
        clip_list out = {0};
        int *first = malloc((size_t)st->nclips * sizeof *first);
        if (!first)
            return nomem(x->err);
        ds_result r = DS_OK;
        int ci = 0;
        x->strip = s;
        for (; ci < st->nclips && r == DS_OK; ci++)
            r = conform_clip(x, st, ci, &out, &first[ci]);
        for (int k = 0; k < st->nclips; k++) {
            free(st->clips[k].path);
            vm_param_desc_free(&st->clips[k].gain);
        }
        free(st->clips);
        /* on failure the parts made so far are the track's (freed with the description) */
        st->clips = out.clips;
        st->nclips = out.n;
        st->capclips = out.cap;
        /* spotted clips: their first part, or gone */
        int w = 0;
        for (int k = 0; k < d->nspots; k++) {
            vm_spot_desc *sp = &d->spots[k];
            if (sp->strip == s) {
                if (sp->clip >= ci || first[sp->clip] < 0)
                    continue;
                sp->clip = first[sp->clip];
            }
            d->spots[w++] = *sp;
        }
        d->nspots = w;
        free(first);
        if (r != DS_OK)
            return r;
    }
    return DS_OK;
}

/* ---- cues and the session length ---- */

static ds_result conform_cues(ctx *x)
{
    vm_desc *d = x->d;
    for (int f = 0; f < d->nmarker_files; f++) {
        vm_markers *m = NULL;
        if (vm_markers_load(d->marker_files[f], &d->tb, &m, x->err) != DS_OK)
            return DS_ERR_IO;
        const char *file = keep_string(x->log, d->marker_files[f]);
        ds_result r = file ? DS_OK : nomem(x->err);
        for (int i = 0; r == DS_OK && i < vm_markers_count(m); i++) {
            int64_t pos = vm_markers_position(m, i), now;
            int kept = vm_conform_map(x->log->cut, pos, &now, NULL);
            const char *name = keep_string(x->log, vm_markers_name(m, i));
            vm_clog_item *it = name ? add_item(x->log, kept ? VM_CLOG_CUE : VM_CLOG_CUE_DROPPED, name, file) : NULL;
            if (!it) {
                r = nomem(x->err);
                break;
            }
            it->old_at = it->old_end = pos;
            it->new_at = it->new_end = now;
            x->log->cues++;
            if (!kept) {
                x->log->cues_dropped++;
                x->log->dropped++;
            }
        }
        vm_markers_free(&m);
        if (r != DS_OK)
            return r;
    }
    if (d->length >= 0) {
        int64_t now;
        /* the end is after the last sample: that sample's place, plus one */
        if (vm_conform_map(x->log->cut, d->length - 1, &now, NULL))
            now += 1;
        vm_clog_item *it = add_item(x->log, VM_CLOG_LENGTH, "", NULL);
        if (!it)
            return nomem(x->err);
        it->old_at = it->old_end = d->length;
        it->new_at = it->new_end = now;
        d->length = now;
    }
    return DS_OK;
}

/* ---- the log ---- */

static ds_result copy_events(const vm_edit *e, vm_clog_event **out, int *n, char *err)
{
    *n = vm_edit_count(e);
    if (!(*out = calloc((size_t)(*n ? *n : 1), sizeof **out)))
        return nomem(err);
    for (int i = 0; i < *n; i++) {
        const vm_edit_event *ev = vm_edit_event_at(e, i);
        vm_clog_event *c = &(*out)[i];
        c->number = ev->number;
        c->rec_in = ev->rec_in;
        c->rec_out = ev->rec_out;
        c->in = ev->in;
        c->drop = ev->drop;
        c->speed_num = ev->speed_num;
        c->speed_den = ev->speed_den;
        if (!(c->reel = strdup(ev->reel)) || !(c->clip = strdup(ev->clip)) || !(c->where = strdup(ev->where)))
            return nomem(err);
    }
    return DS_OK;
}

void vm_conform_log_free(vm_conform_log **log)
{
    if (!log || !*log)
        return;
    vm_conform_log *l = *log;
    vm_conform_free(&l->cut);
    free(l->from_path);
    free(l->to_path);
    free(l->where);
    vm_clog_event *lists[2] = {l->old_events, l->new_events};
    int counts[2] = {l->nold, l->nnew};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; lists[k] && i < counts[k]; i++) {
            free(lists[k][i].reel);
            free(lists[k][i].clip);
            free(lists[k][i].where);
        }
        free(lists[k]);
    }
    free(l->items);
    for (int i = 0; i < l->nstrings; i++)
        free(l->strings[i]);
    free(l->strings);
    free(l);
    *log = NULL;
}

ds_result vm_conform_mix(vm_desc *d, vm_conform *cut, const vm_edit *from, const vm_edit *to, const char *where,
                         vm_conform_log **log, char *err)
{
    vm_conform_log *l = calloc(1, sizeof *l);
    *log = l;
    if (!l) {
        vm_conform_free(&cut);
        return nomem(err);
    }
    l->cut = cut;
    l->fps = *vm_edit_fps(from);
    l->track = vm_conform_track(cut);
    if (!(l->from_path = strdup(vm_edit_path(from))) || !(l->to_path = strdup(vm_edit_path(to)))
        || !(l->where = strdup(where)))
        return nomem(err);
    ds_result r = copy_events(from, &l->old_events, &l->nold, err);
    if (r == DS_OK)
        r = copy_events(to, &l->new_events, &l->nnew, err);
    if (r != DS_OK)
        return r;
    ctx x = {.d = d, .log = l, .err = err};
    int nr;
    x.r = vm_conform_ranges(cut, &nr);
    x.nold = 0;
    while (x.nold < nr && x.r[x.nold].kind != VM_CONFORM_INSERTED)
        x.nold++;
    const int *kept = vm_conform_kept_by_new(cut, &x.nkept);
    if (!(x.kept = malloc((size_t)x.nkept * sizeof *x.kept)))
        return nomem(err);
    for (int k = 0; k < x.nkept; k++) {
        const vm_conform_range *rg = &x.r[kept[k]];
        x.kept[k] = (span){rg->old_in_s, rg->old_out_s, range_delta(rg)};
    }
    r = find_xfades(&x, from, to);
    if (r == DS_OK)
        r = conform_clips(&x);
    if (r == DS_OK)
        r = apply_xfades(&x);
    if (r == DS_OK)
        r = conform_lanes(&x);
    if (r == DS_OK)
        r = conform_cues(&x);
    free(x.kept);
    free(x.xf);
    free(x.hits);
    return r;
}
