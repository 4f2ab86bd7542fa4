/* conform.c - the change list between two cuts and the map it gives
 * (conform.h states what is matched and what the ranges mean).
 *
 * How: each cut's events on the chosen track become pieces on its record
 * timeline (sorted, overlaps cut back to the piece before). The pieces of
 * both cuts are sorted together by one source field (file, then clip name,
 * then reel: one pass each) and source in, so the pairs that show the same
 * source frames come from one walk of each group. Pairs are taken smallest move first; each takes the
 * frames that neither its old piece nor its new piece has given to an
 * earlier pair (claims kept per piece: a piece rarely has more than two).
 * What the old cut shows and no pair took is removed, what the new cut
 * shows and no pair took is inserted. Work is O(n log n) in the events
 * plus the pairs, and the pairs are bounded (VM_CONFORM_MAX_PAIRS). */
#include "vm/conform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/grow.h"
#include "vm/path.h"

/* qsort of n elements; nothing when n is 0, where the array may be NULL
 * (qsort's first argument may never be, even empty: UBSan, fuzz_edit) */
static void sort_n(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 0)
        qsort(base, n, size, cmp);
}

typedef struct {
    int event;          /* index in its edit */
    int side;           /* 0 old, 1 new */
    int matchable;      /* a clip at normal speed with a source timecode (others: find_retimed_pairs) */
    int64_t rec_in, rec_out, src_in;
    const vm_edit_event *ev;
    const char *key;    /* the source field compared in the pass running (find_pairs) */
} piece;

typedef struct {
    int64_t *iv;        /* claimed [iv[2k], iv[2k+1]) on the record timeline */
    int n, cap;
} claims;

typedef struct {
    int op, np;         /* old piece, new piece */
    int64_t old_in, new_in, len;
    int64_t dist;       /* |new_in - old_in| */
} pair;

typedef struct {
    int op, np;
    int64_t old_in, old_out, new_in;
} take;

struct vm_conform {
    int track;                  /* the track compared */
    vm_conform_range *ranges;   /* old order (KEPT, REMOVED), then INSERTED in new order */
    int nranges, nold;          /* nold: the ranges in old order */
    int *kept_new;              /* KEPT ranges by new position */
    int nkept;
    vm_change *changes;
    int nchanges;
};

static int cmp_rec(const void *a, const void *b)
{
    const piece *x = a, *y = b;
    if (x->rec_in != y->rec_in)
        return x->rec_in < y->rec_in ? -1 : 1;
    return x->event - y->event;
}

/* by source, then side, then source in */
static int cmp_source(const void *a, const void *b)
{
    const piece *x = *(piece *const *)a, *y = *(piece *const *)b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    if (x->side != y->side)
        return x->side - y->side;
    if (x->src_in != y->src_in)
        return x->src_in < y->src_in ? -1 : 1;
    return x->event - y->event;
}

/* The fields that name a source, in the order they are trusted: the source
 * file (its base name: an EDL's "* SOURCE FILE: sc1.wav" and an OTIO
 * target_url "file:///media/sc1.wav" name one file), the clip name, the reel. */
enum { FIELD_FILE, FIELD_CLIP, FIELD_REEL, NFIELDS };

static const char *source_field(const vm_edit_event *ev, int field)
{
    return field == FIELD_FILE ? vm_path_basename(ev->file) : field == FIELD_CLIP ? ev->clip : ev->reel;
}

/* Two events show one source when every field both name is the same (one
 * cut may name fewer: an OTIO clip has no reel). A pair is found in the
 * pass of the first field both name, and only there. */
static int same_source(const piece *x, const piece *y, int pass)
{
    for (int f = 0; f < NFIELDS; f++) {
        const char *a = source_field(x->ev, f), *b = source_field(y->ev, f);
        if (!a[0] || !b[0])
            continue;
        if (f < pass || strcmp(a, b) != 0)
            return 0;
    }
    return 1;
}

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    if (x->old_in != y->old_in)
        return x->old_in < y->old_in ? -1 : 1;
    return x->new_in < y->new_in ? -1 : x->new_in > y->new_in;
}

static int cmp_take_old(const void *a, const void *b)
{
    const take *x = a, *y = b;
    return x->old_in < y->old_in ? -1 : x->old_in > y->old_in;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- several picture layers (OTIO video tracks): what is on top ---- */

/* Which of two pieces is seen where both are: the higher layer, and in
 * one layer the one that started first (as the cut back of one layer:
 * the outgoing shot plays on under a transition until it ends). */
static int above(const piece *x, const piece *y)
{
    if (x->ev->layer != y->ev->layer)
        return x->ev->layer > y->ev->layer;
    if (x->ev->sublayer != y->ev->sublayer) /* inside a nested Stack: its later child */
        return x->ev->sublayer > y->ev->sublayer;
    return cmp_rec(x, y) < 0;
}

/* heap of piece indices, the piece seen on top first */
static void heap_push(int *h, int *n, const piece *p, int v)
{
    int i = (*n)++;
    while (i > 0 && above(&p[v], &p[h[(i - 1) / 2]])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static void heap_pop(int *h, int *n, const piece *p)
{
    int v = h[--*n], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && above(&p[h[c + 1]], &p[h[c]]))
            c++;
        if (!above(&p[h[c]], &p[v]))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = v;
}

/* The picture of several layers, as OpenTimelineIO flattens a Stack: at
 * each frame the clip of the highest layer there is seen (inside a nested
 * Stack, of its latest child: sublayer), and gaps (and disabled clips)
 * above the bottom layer are transparent (the bottom layer's gaps are
 * black, as before). *p (sorted by cmp_rec) becomes the
 * pieces seen, in record order, each cut to where it is seen, its source in
 * advanced by the frames cut off its head. A sweep over the pieces' edges
 * with a heap of the pieces under way: O(n log n). */
static ds_result top_layer(piece **pp, int *np, char *err)
{
    piece *p = *pp;
    int m = 0;
    for (int i = 0; i < *np; i++) /* gaps above the bottom layer are not picture */
        if ((p[i].ev->layer == 0 && p[i].ev->sublayer == 0) || p[i].ev->kind == VM_EDIT_EVENT_CLIP)
            p[m++] = p[i];
    int64_t *edge = malloc((size_t)(2 * m + 1) * sizeof *edge);
    int *heap = malloc((size_t)(m + 1) * sizeof *heap);
    piece *seen = malloc((size_t)(2 * m + 1) * sizeof *seen);
    if (!edge || !heap || !seen) {
        free(edge);
        free(heap);
        free(seen);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < m; i++) {
        edge[2 * i] = p[i].rec_in;
        edge[2 * i + 1] = p[i].rec_out;
    }
    sort_n(edge, (size_t)(2 * m), sizeof *edge, cmp_i64);
    int ne = 0;
    for (int i = 0; i < 2 * m; i++)
        if (!ne || edge[i] != edge[ne - 1])
            edge[ne++] = edge[i];
    int nh = 0, next = 0, ns = 0;
    for (int j = 0; j + 1 < ne; j++) {
        int64_t a = edge[j], b = edge[j + 1];
        while (next < m && p[next].rec_in <= a)
            heap_push(heap, &nh, p, next++);
        while (nh > 0 && p[heap[0]].rec_out <= a)
            heap_pop(heap, &nh, p);
        if (!nh)
            continue; /* nothing on any layer: a hole, as between pieces of one layer */
        const piece *top = &p[heap[0]];
        if (ns && seen[ns - 1].ev == top->ev && seen[ns - 1].rec_out == a) {
            seen[ns - 1].rec_out = b;
            continue;
        }
        seen[ns] = *top;
        seen[ns].rec_in = a;
        seen[ns].rec_out = b;
        seen[ns].src_in = top->src_in + (a - top->rec_in);
        ns++;
    }
    free(edge);
    free(heap);
    free(p);
    *pp = seen;
    *np = ns;
    return DS_OK;
}

void vm_conform_track_name(int track, char *buf, int n)
{
    if (track >= VM_CONFORM_LAYER(0))
        snprintf(buf, (size_t)n, "V%d", track - VM_CONFORM_LAYER(0) + 1);
    else
        vm_edit_track_name(track, buf, n);
}

/* The pieces of edit e on `track` (vm_conform_new's), by record in,
 * overlaps cut back (on a picture of several layers: what is seen,
 * top_layer). An event past VM_CONFORM_MAX_HOURS (record or source) is an
 * error. */
static ds_result pieces_of(const vm_edit *e, int track, int side, piece **out, int *nout, char *err)
{
    int layer = track >= VM_CONFORM_LAYER(0) ? track - VM_CONFORM_LAYER(0) : -1; /* -1: every layer */
    int k = layer >= 0 ? 0 : track;
    int n = vm_edit_count(e), m = 0;
    const int64_t limit = (int64_t)VM_CONFORM_MAX_HOURS * 3600 * vm_edit_fps(e)->nominal;
    piece *p = malloc((size_t)(n ? n : 1) * sizeof *p);
    if (!p)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const vm_edit_event *ev = vm_edit_event_at(e, i);
        if (!(ev->tracks & (1u << k)) || ev->rec_out <= ev->rec_in || (layer >= 0 && ev->layer != layer))
            continue;
        if (ev->rec_out > limit || ev->src_out > limit) {
            free(p);
            return ds_fail(err, DS_ERR_FORMAT, "%s event %d: runs past %d hours: not a cut that can be compared",
                           ev->where, ev->number, VM_CONFORM_MAX_HOURS);
        }
        p[m].event = i;
        p[m].side = side;
        p[m].matchable = ev->kind == VM_EDIT_EVENT_CLIP && ev->speed_num == ev->speed_den && !ev->untimed;
        p[m].rec_in = ev->rec_in;
        p[m].rec_out = ev->rec_out;
        p[m].src_in = ev->src_in;
        p[m].ev = ev;
        m++;
    }
    sort_n(p, (size_t)m, sizeof *p, cmp_rec);
    for (int i = 1; i < m; i++)
        if (p[i].ev->layer != p[0].ev->layer || p[i].ev->sublayer != p[0].ev->sublayer) {
            ds_result r = top_layer(&p, &m, err);
            if (r != DS_OK) {
                free(p);
                return r;
            }
            *out = p;
            *nout = m;
            return DS_OK;
        }
    int w = 0;
    for (int i = 0; i < m; i++) {
        if (w && p[i].rec_in < p[w - 1].rec_out) {
            p[i].src_in += p[w - 1].rec_out - p[i].rec_in;
            p[i].rec_in = p[w - 1].rec_out;
            if (p[i].rec_in >= p[i].rec_out)
                continue;
        }
        p[w++] = p[i];
    }
    *out = p;
    *nout = w;
    return DS_OK;
}

static int claims_add(claims *c, int64_t a, int64_t b)
{
    int64_t *g = vm_grow(c->iv, &c->cap, c->n + 1, 2 * sizeof *g);
    if (!g)
        return -1;
    c->iv = g;
    c->iv[2 * c->n] = a;
    c->iv[2 * c->n + 1] = b;
    c->n++;
    return 0;
}

/* Appends to *buf (growing it) the claimed intervals of c in the pair's
 * own coordinate t = x - base, clipped to [0, len). */
static int blocked(const claims *c, int64_t base, int64_t len, int64_t **buf, int *n, int *cap)
{
    for (int i = 0; i < c->n; i++) {
        int64_t a = c->iv[2 * i] - base, b = c->iv[2 * i + 1] - base;
        if (b <= 0 || a >= len)
            continue;
        int64_t *g = vm_grow(*buf, cap, *n + 1, 2 * sizeof *g);
        if (!g)
            return -1;
        *buf = g;
        (*buf)[2 * *n] = a < 0 ? 0 : a;
        (*buf)[2 * *n + 1] = b > len ? len : b;
        (*n)++;
    }
    return 0;
}

typedef struct {
    vm_conform *c;
    piece *po, *pn;
    int npo, npn;
    claims *co, *cn;
    pair *pairs;
    int npairs, cappairs;
    take *takes;
    int ntakes, captakes;
    int64_t *buf;
    int capbuf;
} work;

static void work_free(work *w)
{
    for (int i = 0; w->co && i < w->npo; i++)
        free(w->co[i].iv);
    for (int i = 0; w->cn && i < w->npn; i++)
        free(w->cn[i].iv);
    free(w->co);
    free(w->cn);
    free(w->po);
    free(w->pn);
    free(w->pairs);
    free(w->takes);
    free(w->buf);
}

/* Records the pair of old piece o and new piece q showing the same frames:
 * old [old_in, old_in + len) is new [new_in, new_in + len).
 * DS_ERR_FORMAT past VM_CONFORM_MAX_PAIRS (naming o's event), DS_ERR_NOMEM. */
static ds_result add_pair(work *w, const piece *o, const piece *q, int64_t old_in, int64_t new_in, int64_t len,
                          char *err)
{
    if (w->npairs >= VM_CONFORM_MAX_PAIRS)
        return ds_fail(err, DS_ERR_FORMAT, "%s event %d: the two cuts show the same source frames in more than %d "
                       "pairs of events (a source used over and over in both); they cannot be compared",
                       o->ev->where, o->ev->number, VM_CONFORM_MAX_PAIRS);
    pair *grown = vm_grow(w->pairs, &w->cappairs, w->npairs + 1, sizeof *grown);
    if (!grown)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    w->pairs = grown;
    pair *p = &w->pairs[w->npairs++];
    p->op = (int)(o - w->po);
    p->np = (int)(q - w->pn);
    p->old_in = old_in;
    p->new_in = new_in;
    p->len = len;
    p->dist = new_in > old_in ? new_in - old_in : old_in - new_in;
    return DS_OK;
}

/* A clip that is not matched frame by frame through its source timecode:
 * retimed, or untimed (an EDL source without timecode, vm/edit.h). */
static int retimed(const piece *p)
{
    return p->ev->kind == VM_EDIT_EVENT_CLIP && (p->ev->speed_num != p->ev->speed_den || p->ev->untimed);
}

/* Fills all with the pieces of both cuts that name source field `pass`
 * (their key set to it): normal-speed clips, or (retimed) the retimed ones,
 * sorted by source, side, source in. Returns how many. */
static int pieces_by_source(work *w, piece **all, int pass, int want_retimed)
{
    int n = 0;
    for (int side = 0; side < 2; side++)
        for (int i = 0; i < (side ? w->npn : w->npo); i++) {
            piece *p = side ? &w->pn[i] : &w->po[i];
            p->key = source_field(p->ev, pass);
            if ((want_retimed ? retimed(p) : p->matchable) && p->key[0])
                all[n++] = p;
        }
    sort_n(all, (size_t)n, sizeof *all, cmp_source);
    return n;
}

/* The group of one source starting at g in all (pieces_by_source's order):
 * old pieces [g, *mid), new [*mid, end); returns end. */
static int source_group(piece *const *all, int n, int g, int *mid)
{
    int end = g;
    while (end < n && strcmp(all[g]->key, all[end]->key) == 0)
        end++;
    *mid = g;
    while (*mid < end && all[*mid]->side == 0)
        (*mid)++;
    return end;
}

/* A retimed shot (an EDL M2 line, an OTIO time warp or freeze) at speed
 * v = num / den shows, at record frame r, source frame src_in + (r -
 * rec_in) v (of the event as written: a piece cut back keeps its event's
 * line). Two retimed events of one source at the same speed show the same
 * frames where new r = old r + d, d = (new rec_in - old rec_in) + (old
 * src_in - new src_in) / v; they are one shot moved (or trimmed) when d is
 * a whole number of frames. A freeze holds one frame: it matches a freeze
 * of the same frame, d the record move. A shot whose speed changed between
 * the cuts matches nothing (new picture). An untimed source (an EDL line
 * with no source timecode) matches an untimed line of the same source,
 * source in and length, moved whole. 1 and *d when they match. */
static int retimed_shift(const vm_edit_event *o, const vm_edit_event *q, int64_t *d)
{
    if (o->untimed || q->untimed) { /* no timecode in the file: only the same line, moved, is the same picture */
        *d = q->rec_in - o->rec_in;
        return o->untimed && q->untimed && o->src_in == q->src_in && o->rec_out - o->rec_in == q->rec_out - q->rec_in;
    }
    if (o->speed_num * q->speed_den != q->speed_num * o->speed_den)
        return 0;
    int64_t ds = o->src_in - q->src_in;
    if (o->speed_num == 0) {
        *d = q->rec_in - o->rec_in;
        return ds == 0;
    }
    int64_t x = ds * o->speed_den; /* within 100 hours and a speed_den under 10^10: no overflow */
    if (x % o->speed_num)
        return 0;
    *d = q->rec_in - o->rec_in + x / o->speed_num;
    return 1;
}

/* The pairs of retimed pieces (few in any cut: every old one of a source
 * against every new one of it, bounded by VM_CONFORM_MAX_TRIED), in the
 * pass of source field `pass` as find_pairs' own. */
static ds_result find_retimed_pairs(work *w, piece **all, int pass, long long *tried, char *err)
{
    int n = pieces_by_source(w, all, pass, 1);
    for (int g = 0, mid, end; g < n; g = end) {
        end = source_group(all, n, g, &mid);
        for (int i = g; i < mid; i++)
            for (int j = mid; j < end; j++) {
                const piece *o = all[i], *q = all[j];
                int64_t d;
                if (++*tried > VM_CONFORM_MAX_TRIED)
                    return ds_fail(err, DS_ERR_FORMAT, "%s event %d: comparing the two cuts takes more than %d "
                                   "steps: one source ('%s') covers too many retimed events in both",
                                   o->ev->where, o->ev->number, VM_CONFORM_MAX_TRIED, o->key);
                if (!same_source(o, q, pass) || !retimed_shift(o->ev, q->ev, &d))
                    continue;
                int64_t a = o->rec_in > q->rec_in - d ? o->rec_in : q->rec_in - d;
                int64_t b = o->rec_out < q->rec_out - d ? o->rec_out : q->rec_out - d;
                ds_result r;
                if (a < b && (r = add_pair(w, o, q, a, a + d, b - a, err)) != DS_OK)
                    return r;
            }
    }
    return DS_OK;
}

/* Every pair of an old and a new piece of one source whose source ranges
 * overlap (at normal speed), and the retimed pieces that show the same
 * frames (find_retimed_pairs). */
static ds_result find_pairs(work *w, char *err)
{
    int total = w->npo + w->npn;
    piece **all = malloc((size_t)(total ? total : 1) * sizeof *all);
    if (!all)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    long long tried = 0;
    for (int pass = 0; pass < NFIELDS; pass++) {
        int n = pieces_by_source(w, all, pass, 0);
        for (int g = 0, mid, end; g < n; g = end) {
            end = source_group(all, n, g, &mid);
            /* old [g, mid), new [mid, end), each by source in */
            int first = mid;
            for (int i = g; i < mid; i++) {
                const piece *o = all[i];
                int64_t o_end = o->src_in + (o->rec_out - o->rec_in);
                /* a new piece that ends before this old one starts ends before every later one too */
                while (first < end && all[first]->src_in + (all[first]->rec_out - all[first]->rec_in) <= o->src_in)
                    first++;
                for (int j = first; j < end && all[j]->src_in < o_end; j++) {
                    const piece *q = all[j];
                    int64_t q_end = q->src_in + (q->rec_out - q->rec_in);
                    if (++tried > VM_CONFORM_MAX_TRIED) {
                        free(all);
                        return ds_fail(err, DS_ERR_FORMAT, "%s event %d: comparing the two cuts takes more than %d "
                                       "steps: one source ('%s') covers too many events in both; give the events "
                                       "clip names or source files", o->ev->where, o->ev->number,
                                       VM_CONFORM_MAX_TRIED, o->key);
                    }
                    if (q_end <= o->src_in || !same_source(o, q, pass))
                        continue;
                    int64_t s0 = o->src_in > q->src_in ? o->src_in : q->src_in;
                    int64_t s1 = o_end < q_end ? o_end : q_end;
                    ds_result r = add_pair(w, o, q, o->rec_in + (s0 - o->src_in), q->rec_in + (s0 - q->src_in), s1 - s0,
                                           err);
                    if (r != DS_OK) {
                        free(all);
                        return r;
                    }
                }
            }
        }
        ds_result r = find_retimed_pairs(w, all, pass, &tried, err);
        if (r != DS_OK) {
            free(all);
            return r;
        }
    }
    free(all);
    return DS_OK;
}

/* Each pair takes the frames still free on both of its pieces. */
static ds_result take_pairs(work *w, char *err)
{
    sort_n(w->pairs, (size_t)w->npairs, sizeof *w->pairs, cmp_pair);
    for (int i = 0; i < w->npairs; i++) {
        const pair *p = &w->pairs[i];
        int nb = 0;
        if (blocked(&w->co[p->op], p->old_in, p->len, &w->buf, &nb, &w->capbuf)
            || blocked(&w->cn[p->np], p->new_in, p->len, &w->buf, &nb, &w->capbuf))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        sort_n(w->buf, (size_t)nb, 2 * sizeof *w->buf, cmp_i64); /* by start */
        int64_t t = 0;
        for (int k = 0; k <= nb; k++) {
            int64_t a = k < nb ? w->buf[2 * k] : p->len;
            if (a > t) {
                take *g = vm_grow(w->takes, &w->captakes, w->ntakes + 1, sizeof *g);
                if (!g)
                    return ds_fail(err, DS_ERR_NOMEM, "out of memory");
                w->takes = g;
                take *tk = &w->takes[w->ntakes++];
                tk->op = p->op;
                tk->np = p->np;
                tk->old_in = p->old_in + t;
                tk->old_out = p->old_in + a;
                tk->new_in = p->new_in + t;
                if (claims_add(&w->co[p->op], p->old_in + t, p->old_in + a)
                    || claims_add(&w->cn[p->np], p->new_in + t, p->new_in + a))
                    return ds_fail(err, DS_ERR_NOMEM, "out of memory");
            }
            if (k < nb && w->buf[2 * k + 1] > t)
                t = w->buf[2 * k + 1];
        }
    }
    sort_n(w->takes, (size_t)w->ntakes, sizeof *w->takes, cmp_take_old);
    return DS_OK;
}

/* The first take whose old_in is at or after f (takes in old order). */
static int take_at_or_after(const work *w, int64_t f)
{
    int lo = 0, hi = w->ntakes;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (w->takes[mid].old_in < f)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Black (an EDL's BL, an OTIO gap on the bottom layer) has no source to
 * match by, but black between two shots that are kept with the same move
 * (or before the first kept shot, or after the last), found again in the
 * new cut at the moved place with the same length, is the same black: a
 * fade to black, a leader's, a pause between scenes, and the sound over it
 * follows. Each such black becomes a take, put in its place among the
 * takes (old order). */
static ds_result keep_black(work *w, char *err)
{
    for (int i = 0; i < w->npo; i++) {
        const piece *g = &w->po[i];
        if (g->ev->kind != VM_EDIT_EVENT_GAP)
            continue;
        int k = take_at_or_after(w, g->rec_out);
        const take *after = k < w->ntakes && w->takes[k].old_in == g->rec_out ? &w->takes[k] : NULL;
        int j = take_at_or_after(w, g->rec_in) - 1;
        const take *before = j >= 0 && w->takes[j].old_out == g->rec_in ? &w->takes[j] : NULL;
        if (!before && !after)
            continue;
        int64_t d = before ? before->new_in - before->old_in : after->new_in - after->old_in;
        if (before && after && after->new_in - after->old_in != d)
            continue; /* the shots around it moved apart: what lies between is not the same */
        int lo = 0, hi = w->npn; /* the new piece at rec_in + d (pieces by record in) */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (w->pn[mid].rec_in < g->rec_in + d)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo >= w->npn || w->pn[lo].rec_in != g->rec_in + d || w->pn[lo].rec_out != g->rec_out + d
            || w->pn[lo].ev->kind != VM_EDIT_EVENT_GAP || w->cn[lo].n || w->co[i].n)
            continue;
        take *t = vm_grow(w->takes, &w->captakes, w->ntakes + 1, sizeof *t);
        if (!t)
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        w->takes = t;
        /* in its place (after the take before it): the next black's search needs the order */
        memmove(&w->takes[j + 2], &w->takes[j + 1], (size_t)(w->ntakes - (j + 1)) * sizeof *t);
        w->ntakes++;
        t = &w->takes[j + 1];
        t->op = i;
        t->np = lo;
        t->old_in = g->rec_in;
        t->old_out = g->rec_out;
        t->new_in = g->rec_in + d;
        if (claims_add(&w->co[i], g->rec_in, g->rec_out) || claims_add(&w->cn[lo], g->rec_in + d, g->rec_out + d))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    return DS_OK;
}

static vm_conform_range *add_range(vm_conform *c, int *cap)
{
    vm_conform_range *g = vm_grow(c->ranges, cap, c->nranges + 1, sizeof *g);
    if (!g)
        return NULL;
    c->ranges = g;
    vm_conform_range *r = &c->ranges[c->nranges++];
    memset(r, 0, sizeof *r);
    r->old_event = r->new_event = -1;
    return r;
}

static vm_change *add_change(vm_conform *c, int *cap, vm_change_kind kind, int old_event, int new_event)
{
    vm_change *g = vm_grow(c->changes, cap, c->nchanges + 1, sizeof *g);
    if (!g)
        return NULL;
    c->changes = g;
    vm_change *ch = &c->changes[c->nchanges++];
    memset(ch, 0, sizeof *ch);
    ch->kind = kind;
    ch->old_event = old_event;
    ch->new_event = new_event;
    return ch;
}

/* Removed parts of [a, b) (old frames between takes), split at the old
 * pieces' edges so that each names its event. *pi walks the old pieces. */
static int add_removed(vm_conform *c, int *cap, const work *w, int64_t a, int64_t b, int *pi)
{
    while (a < b) {
        while (*pi < w->npo && w->po[*pi].rec_out <= a)
            (*pi)++;
        int64_t end = b;
        int ev = -1;
        if (*pi < w->npo && w->po[*pi].rec_in <= a) {
            ev = w->po[*pi].event;
            if (w->po[*pi].rec_out < end)
                end = w->po[*pi].rec_out;
        } else if (*pi < w->npo && w->po[*pi].rec_in < end) {
            end = w->po[*pi].rec_in; /* a hole in the old cut before the next piece */
        }
        vm_conform_range *r = add_range(c, cap);
        if (!r)
            return -1;
        r->kind = VM_CONFORM_REMOVED;
        r->old_in = a;
        r->old_out = end;
        r->old_event = ev;
        a = end;
    }
    return 0;
}

typedef struct {
    int64_t new_in;
    int index;
} kept_key;

static int cmp_kept_key(const void *a, const void *b)
{
    const kept_key *x = a, *y = b;
    return x->new_in < y->new_in ? -1 : x->new_in > y->new_in;
}

/* The event changes, from the takes (in old order). */
static ds_result event_changes(vm_conform *c, const work *w, char *err)
{
    int cap = 0;
    int t = 0;
    for (int i = 0; i < w->npo; i++) {
        const piece *p = &w->po[i];
        int first = -1, last = -1, many = 0;
        /* the takes of piece i lie inside it: they follow each other in old order */
        while (t < w->ntakes && w->takes[t].old_out <= p->rec_in)
            t++;
        for (int k = t; k < w->ntakes && w->takes[k].old_in < p->rec_out; k++) {
            if (first < 0)
                first = k;
            else if (w->takes[k].old_in != w->takes[last].old_out
                     || w->takes[k].new_in - w->takes[k].old_in != w->takes[last].new_in - w->takes[last].old_in)
                many = 1; /* a piece of it left out, or its parts apart: not one move */
            last = k;
        }
        if (p->ev->kind != VM_EDIT_EVENT_CLIP)
            continue;
        if (first < 0) {
            if (!add_change(c, &cap, VM_CHANGE_REMOVED, p->event, -1))
                return ds_fail(err, DS_ERR_NOMEM, "out of memory");
            continue;
        }
        const take *f = &w->takes[first], *l = &w->takes[last];
        const piece *nf = &w->pn[f->np], *nl = &w->pn[l->np];
        int64_t l_new_out = l->new_in + (l->old_out - l->old_in);
        int64_t head = (f->old_in - p->rec_in) - (f->new_in - nf->rec_in);
        int64_t tail = (p->rec_out - l->old_out) - (nl->rec_out - l_new_out);
        int64_t move = f->new_in - f->old_in;
        if (many || head || tail || move) {
            vm_change *ch = add_change(c, &cap, many || head || tail ? VM_CHANGE_TRIMMED : VM_CHANGE_MOVED, p->event,
                                       nf->event);
            if (!ch)
                return ds_fail(err, DS_ERR_NOMEM, "out of memory");
            ch->move = move;
            if (ch->kind == VM_CHANGE_TRIMMED) {
                ch->head = head;
                ch->tail = tail;
            }
        }
        const vm_edit_join *oj = &p->ev->in, *nj = &nf->ev->in;
        if (f->old_in == p->rec_in && f->new_in == nf->rec_in
            && (oj->kind != nj->kind || oj->frames != nj->frames || oj->before != nj->before)) {
            if (!add_change(c, &cap, VM_CHANGE_TRANSITION, p->event, nf->event))
                return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        }
    }
    for (int j = 0; j < w->npn; j++)
        if (w->pn[j].ev->kind == VM_EDIT_EVENT_CLIP && w->cn[j].n == 0
            && !add_change(c, &cap, VM_CHANGE_INSERTED, -1, w->pn[j].event))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    return DS_OK;
}

/* The ranges from the takes: old order (head, kept / removed, tail), merged,
 * then what the new cut shows beyond them. */
static ds_result build_ranges(vm_conform *c, work *w, char *err)
{
    int cap = 0, pi = 0;
    int64_t old_start = w->po[0].rec_in, old_end = w->po[w->npo - 1].rec_out;
    int64_t new_start = w->pn[0].rec_in, new_end = w->pn[w->npn - 1].rec_out;
    vm_conform_range *r = add_range(c, &cap);
    if (!r)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    r->kind = VM_CONFORM_KEPT; /* before the cut: follows its first frame */
    r->old_in = INT64_MIN;
    r->old_out = old_start;
    r->new_in = INT64_MIN;
    r->new_out = new_start;
    int64_t at = old_start;
    for (int k = 0; k < w->ntakes; k++) {
        const take *tk = &w->takes[k];
        if (add_removed(c, &cap, w, at, tk->old_in, &pi))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        vm_conform_range *prev = &c->ranges[c->nranges - 1];
        int64_t new_out = tk->new_in + (tk->old_out - tk->old_in);
        if (prev->kind == VM_CONFORM_KEPT && prev->old_out == tk->old_in && prev->new_out == tk->new_in
            && prev->old_in != INT64_MIN) {
            prev->old_out = tk->old_out;
            prev->new_out = new_out;
        } else {
            if (!(r = add_range(c, &cap)))
                return ds_fail(err, DS_ERR_NOMEM, "out of memory");
            r->kind = VM_CONFORM_KEPT;
            r->old_in = tk->old_in;
            r->old_out = tk->old_out;
            r->new_in = tk->new_in;
            r->new_out = new_out;
            r->old_event = w->po[tk->op].event;
            r->new_event = w->pn[tk->np].event;
        }
        at = tk->old_out;
    }
    if (add_removed(c, &cap, w, at, old_end, &pi) || !(r = add_range(c, &cap)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    r->kind = VM_CONFORM_KEPT; /* after the cut: follows its last frame */
    r->old_in = old_end;
    r->old_out = INT64_MAX;
    r->new_in = new_end;
    r->new_out = INT64_MAX;
    c->nold = c->nranges;
    /* a removed range is where the kept range before it ends */
    for (int i = 1; i < c->nold; i++)
        if (c->ranges[i].kind == VM_CONFORM_REMOVED)
            c->ranges[i].new_in = c->ranges[i].new_out = c->ranges[i - 1].new_out;

    /* kept by new position, and what the new cut shows beyond them */
    for (int i = 0; i < c->nold; i++)
        c->nkept += c->ranges[i].kind == VM_CONFORM_KEPT;
    if (!(c->kept_new = malloc((size_t)c->nkept * sizeof *c->kept_new)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    kept_key *keys = malloc((size_t)c->nkept * sizeof *keys);
    if (!keys)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0, n = 0; i < c->nold; i++)
        if (c->ranges[i].kind == VM_CONFORM_KEPT)
            keys[n++] = (kept_key){c->ranges[i].new_in, i};
    sort_n(keys, (size_t)c->nkept, sizeof *keys, cmp_kept_key);
    for (int k = 0; k < c->nkept; k++)
        c->kept_new[k] = keys[k].index;
    free(keys);
    int nj = 0;
    for (int k = 0; k < c->nkept; k++) {
        int64_t from = c->ranges[c->kept_new[k]].new_out;
        int64_t old_at = c->ranges[c->kept_new[k]].old_out;
        int64_t to = k + 1 < c->nkept ? c->ranges[c->kept_new[k + 1]].new_in : from;
        while (from < to) {
            while (nj < w->npn && w->pn[nj].rec_out <= from)
                nj++;
            int64_t end = to;
            int ev = -1;
            if (nj < w->npn && w->pn[nj].rec_in <= from) {
                ev = w->pn[nj].event;
                if (w->pn[nj].rec_out < end)
                    end = w->pn[nj].rec_out;
            } else if (nj < w->npn && w->pn[nj].rec_in < end) {
                end = w->pn[nj].rec_in;
            }
            if (!(r = add_range(c, &cap)))
                return ds_fail(err, DS_ERR_NOMEM, "out of memory");
            r->kind = VM_CONFORM_INSERTED;
            r->new_in = from;
            r->new_out = end;
            r->old_in = r->old_out = old_at;
            r->new_event = ev;
            from = end;
        }
    }
    return DS_OK;
}

static int64_t to_samples(const vm_fps *fps, int rate, int64_t start, int64_t f)
{
    if (f == INT64_MIN || f == INT64_MAX)
        return f;
    return vm_tc_frames_to_samples(fps, rate, f) - start;
}

/* 1 when e has an event with a duration on track bit k. */
static int has_track(const vm_edit *e, int k)
{
    for (int i = 0; i < vm_edit_count(e); i++) {
        const vm_edit_event *ev = vm_edit_event_at(e, i);
        if ((ev->tracks & (1u << k)) && ev->rec_out > ev->rec_in)
            return 1;
    }
    return 0;
}

ds_result vm_conform_new(const vm_edit *from, const vm_edit *to, int track, int rate, int64_t start_samples,
                         vm_conform **out, char *err)
{
    *out = NULL;
    if (track < 0) { /* the picture, or the first audio track both cuts have */
        int k = 0;
        while (k <= VM_EDIT_MAX_AUDIO && !(has_track(from, k) && has_track(to, k)))
            k++;
        track = k <= VM_EDIT_MAX_AUDIO ? k : 0; /* none: V, and the error says so */
    }
    const vm_fps *fps = vm_edit_fps(from);
    if (fps->num != vm_edit_fps(to)->num || fps->den != vm_edit_fps(to)->den)
        return ds_fail(err, DS_ERR_ARG, "%s is read at %s fps and %s at %s fps: read both cuts at one rate",
                       vm_edit_path(from), fps->name, vm_edit_path(to), vm_edit_fps(to)->name);
    work w;
    memset(&w, 0, sizeof w);
    ds_result res = DS_OK;
    char name[16];
    vm_conform_track_name(track, name, sizeof name);
    vm_conform *c = calloc(1, sizeof *c);
    if (!c)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    w.c = c;
    c->track = track;
    if ((res = pieces_of(from, track, 0, &w.po, &w.npo, err)) != DS_OK
        || (res = pieces_of(to, track, 1, &w.pn, &w.npn, err)) != DS_OK)
        goto done;
    if (!w.npo || !w.npn) {
        res = ds_fail(err, DS_ERR_FORMAT, "%s has no event on track %s: the cuts are compared on %s",
                      vm_edit_path(w.npo ? to : from), name, name);
        goto done;
    }
    if (!(w.co = calloc((size_t)w.npo, sizeof *w.co)) || !(w.cn = calloc((size_t)w.npn, sizeof *w.cn))) {
        res = ds_fail(err, DS_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((res = find_pairs(&w, err)) != DS_OK || (res = take_pairs(&w, err)) != DS_OK
        || (res = keep_black(&w, err)) != DS_OK
        || (res = event_changes(c, &w, err)) != DS_OK || (res = build_ranges(c, &w, err)) != DS_OK)
        goto done;
    for (int i = 0; i < c->nranges; i++) {
        vm_conform_range *r = &c->ranges[i];
        r->old_in_s = to_samples(fps, rate, start_samples, r->old_in);
        r->old_out_s = to_samples(fps, rate, start_samples, r->old_out);
        r->new_in_s = to_samples(fps, rate, start_samples, r->new_in);
        r->new_out_s = to_samples(fps, rate, start_samples, r->new_out);
        if (r->kind == VM_CONFORM_KEPT && r->old_in != INT64_MIN && r->old_out != INT64_MAX)
            r->new_out_s = r->new_in_s + (r->old_out_s - r->old_in_s); /* a kept range keeps its samples */
        if (r->kind == VM_CONFORM_KEPT && r->old_in == INT64_MIN)
            r->new_out_s = to_samples(fps, rate, start_samples, r->new_out);
    }
    /* removed: where the kept range before it ends, in samples too */
    for (int i = 1; i < c->nold; i++)
        if (c->ranges[i].kind == VM_CONFORM_REMOVED)
            c->ranges[i].new_in_s = c->ranges[i].new_out_s = c->ranges[i - 1].new_out_s;
    for (int i = c->nold; i < c->nranges; i++) {
        /* inserted: the old point is the end of the kept range before it (its old_out) */
        c->ranges[i].old_in_s = c->ranges[i].old_out_s = to_samples(fps, rate, start_samples, c->ranges[i].old_in);
    }
done:
    work_free(&w);
    if (res != DS_OK)
        vm_conform_free(&c);
    *out = c;
    return res;
}

void vm_conform_free(vm_conform **c)
{
    if (!c || !*c)
        return;
    free((*c)->ranges);
    free((*c)->kept_new);
    free((*c)->changes);
    free(*c);
    *c = NULL;
}

const vm_conform_range *vm_conform_ranges(const vm_conform *c, int *n)
{
    *n = c->nranges;
    return c->ranges;
}

int vm_conform_track(const vm_conform *c) { return c->track; }

const vm_change *vm_conform_changes(const vm_conform *c, int *n)
{
    *n = c->nchanges;
    return c->changes;
}

const int *vm_conform_kept_by_new(const vm_conform *c, int *n)
{
    *n = c->nkept;
    return c->kept_new;
}

int vm_conform_range_at(const vm_conform *c, int64_t pos)
{
    int lo = 0, hi = c->nold; /* the first range starts at INT64_MIN */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (c->ranges[mid].old_in_s <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int vm_conform_map(const vm_conform *c, int64_t pos, int64_t *new_pos, int *range)
{
    int i = vm_conform_range_at(c, pos);
    const vm_conform_range *r = &c->ranges[i];
    if (range)
        *range = i;
    if (r->kind == VM_CONFORM_REMOVED) {
        *new_pos = r->new_in_s;
        return 0;
    }
    if (r->old_in_s == INT64_MIN) /* before the cut: by its first frame */
        *new_pos = pos + (r->new_out_s - r->old_out_s);
    else
        *new_pos = pos + (r->new_in_s - r->old_in_s);
    return 1;
}
