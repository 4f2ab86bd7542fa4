/* compile_graph.c - the compiler's analysis phase: the order of the strips
 * (a loop is an error naming it), what is audible and needed, every route's
 * channel layout, and the latency of every path (look-aheads).
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/pan.h"
#include "dsp/surround_pan.h"
#include "vm/compile_priv.h"
#include "vm/insert_params.h"

void vmc_warnf(compiler *c, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    size_t need = c->warnlen + strlen(line) + 2;
    if (need > c->warncap) {
        size_t cap = need * 2;
        char *p = realloc(c->warn, cap);
        if (!p)
            return;
        c->warn = p;
        c->warncap = cap;
    }
    c->warnlen += (size_t)sprintf(c->warn + c->warnlen, "%s\n", line);
}

const char *vmc_kind_name(const vm_strip_desc *s)
{
    return s->kind == VM_STRIP_TRACK ? "track" : "bus";
}

/* ---- the graph by strip ------------------------------------------------------ */

int vmc_rows_from_pairs(int n, const vmc_pair *pairs, int np, vmc_rows *out)
{
    out->start = calloc((size_t)n + 2, sizeof *out->start);
    out->items = malloc((size_t)(np ? np : 1) * sizeof *out->items);
    int *fill = malloc(((size_t)n + 1) * sizeof *fill);
    if (!out->start || !out->items || !fill) {
        free(fill);
        return -1;
    }
    for (int i = 0; i < np; i++)
        out->start[pairs[i].row + 1]++;
    for (int s = 0; s < n; s++)
        out->start[s + 1] += out->start[s];
    memcpy(fill, out->start, ((size_t)n + 1) * sizeof *fill);
    for (int i = 0; i < np; i++)
        out->items[fill[pairs[i].row]++] = pairs[i].item;
    free(fill);
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void vmc_rows_sort_unique(int n, vmc_rows *r)
{
    int out = 0;
    for (int s = 0; s < n; s++) {
        int b = r->start[s], e = r->start[s + 1];
        qsort(r->items + b, (size_t)(e - b), sizeof *r->items, cmp_int);
        r->start[s] = out;
        for (int i = b; i < e; i++)
            if (i == b || r->items[i] != r->items[i - 1])
                r->items[out++] = r->items[i];
    }
    r->start[n] = out;
}

/* Pairs of the routes (row: the strip fed, item: the feeder), then when
 * keys is set those of the inserts' keys (row: the strip with the insert,
 * item: its key) or, when keys is 2, the other way round. */
static int graph_pairs(const vm_desc *d, int keys, vmc_pair *pr)
{
    int np = 0, n = d->nstrips;
    for (int i = 0; keys != 2 && i < n; i++)
        for (int k = 0; k < d->strips[i].ndests; k++)
            if (d->strips[i].dests[k] >= 0 && d->strips[i].dests[k] < n)
                pr[np++] = (vmc_pair){d->strips[i].dests[k], i};
    for (int s = 0; keys && s < n; s++)
        for (int k = 0; k < d->strips[s].ninserts; k++) {
            int key = d->strips[s].inserts[k].key;
            if (key >= 0 && key < n)
                pr[np++] = keys == 2 ? (vmc_pair){key, s} : (vmc_pair){s, key};
        }
    return np;
}

/* Pairs (member, group) of the VCAs (vcas = 1) or the mute groups. */
static int member_pairs(const vm_desc *d, int vcas, vmc_pair *pr)
{
    int np = 0, ng = vcas ? d->nvcas : d->nmute_groups;
    for (int g = 0; g < ng; g++) {
        int nm = vcas ? d->vcas[g].nmembers : d->mute_groups[g].nmembers;
        const int *m = vcas ? d->vcas[g].members : d->mute_groups[g].members;
        for (int k = 0; k < nm; k++)
            if (m[k] >= 0 && m[k] < d->nstrips)
                pr[np++] = (vmc_pair){m[k], g};
    }
    return np;
}

ds_result vmc_build_graph(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    size_t cap = 1;
    for (int s = 0; s < c->n; s++)
        cap += (size_t)d->strips[s].ndests + (size_t)d->strips[s].ninserts;
    for (int v = 0; v < d->nvcas; v++)
        cap += (size_t)d->vcas[v].nmembers;
    for (int g = 0; g < d->nmute_groups; g++)
        cap += (size_t)d->mute_groups[g].nmembers;
    vmc_pair *pr = malloc(cap * sizeof *pr);
    int bad = !pr;
    bad = bad || vmc_rows_from_pairs(c->n, pr, graph_pairs(d, 0, pr), &c->feeds) != 0;
    bad = bad || vmc_rows_from_pairs(c->n, pr, graph_pairs(d, 1, pr), &c->inputs) != 0;
    bad = bad || vmc_rows_from_pairs(c->n, pr, graph_pairs(d, 2, pr), &c->keyed_by) != 0;
    bad = bad || vmc_rows_from_pairs(c->n, pr, member_pairs(d, 1, pr), &c->vcas_of) != 0;
    bad = bad || vmc_rows_from_pairs(c->n, pr, member_pairs(d, 0, pr), &c->groups_of) != 0;
    free(pr);
    if (bad)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    vmc_rows_sort_unique(c->n, &c->inputs);
    return DS_OK;
}

void vmc_free_graph(compiler *c)
{
    vmc_rows *all[] = {&c->feeds, &c->inputs, &c->keyed_by, &c->vcas_of, &c->groups_of};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        free(all[i]->start);
        free(all[i]->items);
        all[i]->start = all[i]->items = NULL;
    }
}

void vmc_heap_push(vmc_heap *h, int64_t x)
{
    int i = h->n++;
    while (i > 0 && h->v[(i - 1) / 2] > x) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = x;
}

int64_t vmc_heap_pop(vmc_heap *h)
{
    int64_t top = h->v[0], x = h->v[--h->n];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, m = l + 1 < h->n && h->v[l + 1] < h->v[l] ? l + 1 : l;
        if (l >= h->n || h->v[m] >= x)
            break;
        h->v[i] = h->v[m];
        i = m;
    }
    if (h->n)
        h->v[i] = x;
    return top;
}

/* ---- ordering ------------------------------------------------------------ */

/* The loop that closes when strip i, on the current path at or below
 * stack[depth] = s, feeds s: printed s -> stack[depth - 1] -> ... -> i -> s,
 * the way signal flows (stack[j + 1] feeds stack[j]); a long one is cut
 * with "... (N more) ->" so the message keeps its end. */
static __attribute__((noinline)) ds_result loop_error(const compiler *c, int s, int i, const int *stack, int depth,
                                                      char *err)
{
    const vm_desc *d = c->d;
    char loop[DS_ERR_LEN - VM_WHERE_LEN - 32], tail[120];
    int from = depth;
    while (from > 0 && stack[from] != i)
        from--;
    snprintf(tail, sizeof tail, "%s '%s'", vmc_kind_name(&d->strips[s]), d->strips[s].name);
    size_t len = 0, room = sizeof loop - strlen(tail) - sizeof "... (99999999 more) -> ";
    int j = depth;
    for (; j >= from; j--)
        if (!ds_appendf(loop, room, &len, "%s '%s' -> ", vmc_kind_name(&d->strips[stack[j]]), d->strips[stack[j]].name))
            break;
    if (j >= from)
        ds_appendf(loop, sizeof loop, &len, "... (%d more) -> ", j - from + 1);
    ds_appendf(loop, sizeof loop, &len, "%s", tail);
    return ds_fail(err, DS_ERR_GRAPH, "%s: routing loop: %s", d->strips[s].where, loop);
}

/* Depth-first post-order; state 1 = on the current path, 2 = done. A back
 * edge is a loop: report the path from the edge's target round to itself.
 * Iterative, so that a chain of any length cannot overflow the C stack:
 * stack[0..depth] is the current path, next[j] the place of stack[j]'s next
 * input to look at. Inputs are taken in the order they were written; a strip
 * that keys one of s's inserts counts as feeding it. */
static ds_result visit(compiler *c, int root, int *state, int *stack, int *next, int *out, int *nout, char *err)
{
    int depth = 0;
    stack[0] = root;
    next[0] = 0;
    state[root] = 1;
    while (depth >= 0) {
        int s = stack[depth];
        const int *row = VMC_ROW_BEGIN(c->inputs, s);
        if (row + next[depth] < VMC_ROW_END(c->inputs, s)) {
            int i = row[next[depth]++];
            if (state[i] == 1)
                return loop_error(c, s, i, stack, depth, err);
            if (state[i] == 0) {
                state[i] = 1;
                stack[++depth] = i;
                next[depth] = 0;
            }
        } else {
            state[s] = 2;
            out[(*nout)++] = s;
            depth--;
        }
    }
    return DS_OK;
}

ds_result vmc_order_strips(compiler *c, char *err)
{
    int *state = calloc((size_t)c->n + 1, sizeof *state);
    int *stack = calloc((size_t)c->n + 1, sizeof *stack);
    int *next = calloc((size_t)c->n + 1, sizeof *next);
    int nout = 0;
    ds_result r = DS_OK;
    if (!state || !stack || !next)
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int s = 0; r == DS_OK && s < c->n; s++)
        if (state[s] == 0)
            r = visit(c, s, state, stack, next, c->order, &nout, err);
    free(state);
    free(stack);
    free(next);
    return r;
}

/* ---- audibility ---------------------------------------------------------- */

/* Marks every strip upstream of s (feeding it, directly or not) in set;
 * work holds up to n strips (each is queued once: it is marked as queued).
 * A worklist, not recursion: a long chain cannot overflow the C stack. */
static void mark_upstream(const compiler *c, int s, int *set, int *work)
{
    int n = 0;
    work[n++] = s;
    while (n > 0) {
        int x = work[--n];
        for (const int *it = VMC_ROW_BEGIN(c->feeds, x); it < VMC_ROW_END(c->feeds, x); it++)
            if (!set[*it]) {
                set[*it] = 1;
                work[n++] = *it;
            }
    }
}

/* The same downstream (the strips s feeds, directly or not). */
static void mark_downstream(const vm_desc *d, int s, int *set, int *work)
{
    int n = 0;
    work[n++] = s;
    while (n > 0) {
        const vm_strip_desc *x = &d->strips[work[--n]];
        for (int k = 0; k < x->ndests; k++)
            if (!set[x->dests[k]]) {
                set[x->dests[k]] = 1;
                work[n++] = x->dests[k];
            }
    }
}

/* Solo in place: when anything is soloed, a strip sounds only if it is
 * soloed, feeds a soloed strip, or is fed by one. Mute always wins. */
void vmc_decide_audible(compiler *c)
{
    const vm_desc *d = c->d;
    int any_solo = 0;
    for (int s = 0; s < c->n; s++)
        any_solo |= d->strips[s].solo;
    int *soloset = calloc((size_t)c->n + 1, sizeof *soloset);
    int *work = calloc((size_t)c->n + 1, sizeof *work);
    if (any_solo && soloset && work) {
        for (int s = 0; s < c->n; s++)
            if (d->strips[s].solo) {
                soloset[s] = 1;
                mark_upstream(c, s, soloset, work);
                mark_downstream(d, s, soloset, work);
            }
    }
    /* a mute that moves is a gain layer (strip_gain_param): the strip stays */
    for (int s = 0; s < c->n; s++) {
        c->muted[s] = d->strips[s].mute && !d->strips[s].mutep.nevents;
        for (const int *g = VMC_ROW_BEGIN(c->groups_of, s); g < VMC_ROW_END(c->groups_of, s); g++)
            if (d->mute_groups[*g].mute && !d->mute_groups[*g].mutep.nevents)
                c->muted[s] = 1;
        c->audible[s] = !c->muted[s] && (!any_solo || (soloset && soloset[s]));
    }
    free(soloset);
    free(work);
}

int vmc_edge_active(const compiler *c, int from, int to)
{
    return c->audible[from] && c->audible[to];
}

/* ---- routing matrices ---------------------------------------------------- */

/* The layout of strip s (vm_layout_resolve of what it declared). */
vm_layout vmc_strip_layout(const vm_strip_desc *s)
{
    return vm_layout_resolve(s->layout, s->channels ? s->channels : 1);
}

/* The places in the room (docs/surround.md) of the channels of strip t's
 * layout when it is LCR, 5.0, 5.1 or 7.1; returns the channel count, or 0. */
static int surround_places(const vm_strip_desc *t, dsp_speaker *spk)
{
    vm_layout l = vmc_strip_layout(t);
    if (l != VM_LAYOUT_LCR && l != VM_LAYOUT_5_0 && l != VM_LAYOUT_5_1 && l != VM_LAYOUT_7_1)
        return 0;
    int n = vm_layout_channels(l);
    if (n != t->channels || n > DSP_SURROUND_PAN_MAX_SPEAKERS)
        return 0;
    /* 7.1's side surrounds are half way back, between the front and the rear
     * pair; 5.x's one pair of surrounds is the back of the room */
    double side_y = vm_layout_channel_of(l, VM_SPEAKER_LRS) >= 0 ? 0 : -1;
    for (int ch = 0; ch < n; ch++) {
        switch (vm_layout_speaker(l, ch)) {
        case VM_SPEAKER_L: spk[ch] = (dsp_speaker){DSP_SPEAKER_FULL, -1, 1}; break;
        case VM_SPEAKER_R: spk[ch] = (dsp_speaker){DSP_SPEAKER_FULL, 1, 1}; break;
        case VM_SPEAKER_C: spk[ch] = (dsp_speaker){DSP_SPEAKER_CENTRE, 0, 1}; break;
        case VM_SPEAKER_LFE: spk[ch] = (dsp_speaker){DSP_SPEAKER_LFE, 0, 0}; break;
        case VM_SPEAKER_LS: spk[ch] = (dsp_speaker){DSP_SPEAKER_FULL, -1, side_y}; break;
        case VM_SPEAKER_RS: spk[ch] = (dsp_speaker){DSP_SPEAKER_FULL, 1, side_y}; break;
        case VM_SPEAKER_LRS: spk[ch] = (dsp_speaker){DSP_SPEAKER_FULL, -1, -1}; break;
        case VM_SPEAKER_RRS: spk[ch] = (dsp_speaker){DSP_SPEAKER_FULL, 1, -1}; break;
        default: return 0;
        }
    }
    return n;
}

int vmc_surround_speakers(const vm_desc *d, int to, dsp_surround_pan *out)
{
    dsp_speaker spk[DSP_SURROUND_PAN_MAX_SPEAKERS];
    int n = surround_places(&d->strips[to], spk);
    return n > 0 && dsp_surround_pan_init(out, spk, n) == 0;
}

int vmc_surround_moves(const vm_strip_desc *s)
{
    int n = s->pan.nevents;
    for (int k = 0; k < VM_SURROUND_NPARAMS; k++)
        n += s->surround[k].nevents;
    return n;
}

void vmc_warn_surround_unused(compiler *c)
{
    const vm_desc *d = c->d;
    for (int s = 0; s < c->n; s++) {
        const vm_strip_desc *st = &d->strips[s];
        const char *set = NULL, *lfe_set = NULL;
        for (int k = 0; k < VM_SURROUND_NPARAMS; k++)
            if (st->surround[k].nevents || st->surround[k].value != vm_surround_params[k].def) {
                set = set ? set : vm_surround_params[k].name;
                lfe_set = k == VM_SURROUND_LFE ? vm_surround_params[k].name : lfe_set;
            }
        if (!set || !c->audible[s])
            continue;
        if (st->channels != 1 && st->channels != 2) {
            vmc_warnf(c, "%s: %s '%s' sets %s, but has %d channels: the surround panner places mono and stereo "
                      "strips only", st->where, vmc_kind_name(st), st->name, set, st->channels);
            continue;
        }
        int surround = 0, lfe = 0;
        for (int k = 0; k < st->ndests; k++) {
            dsp_surround_pan sp;
            if (vmc_surround_speakers(d, st->dests[k], &sp)) {
                surround = 1;
                lfe |= sp.lfe >= 0;
            }
        }
        if (!surround)
            vmc_warnf(c, "%s: %s '%s' sets %s, but feeds no LCR, 5.0, 5.1 or 7.1 bus: the surround panner's "
                      "settings have no effect", st->where, vmc_kind_name(st), st->name, set);
        else if (lfe_set && !lfe)
            vmc_warnf(c, "%s: %s '%s' sets pan_lfe, but none of the surround buses it feeds has an LFE (5.1, 7.1)",
                      st->where, vmc_kind_name(st), st->name);
    }
}

/* The static gains of the surround panner of strip s into speakers sp. */
static void surround_matrix(const vm_strip_desc *s, const dsp_surround_pan *sp, double *coef)
{
    dsp_surround_pan_setting set = {
        .x = s->pan.value, .y = s->surround[VM_SURROUND_FR].value, .spread = s->surround[VM_SURROUND_SPREAD].value,
        .centre = s->surround[VM_SURROUND_CENTER].value, .lfe_db = s->surround[VM_SURROUND_LFE].value,
        .width = s->surround[VM_SURROUND_WIDTH].value};
    if (s->channels == 2)
        dsp_surround_pan_stereo(sp, &set, coef, coef + sp->nch);
    else
        dsp_surround_pan_mono(sp, &set, coef);
}

/* "layout 5.1" or "6 plain channels" into buf. */
static const char *layout_words(vm_layout l, int channels, char *buf, size_t n)
{
    if (l == VM_LAYOUT_PLAIN)
        snprintf(buf, n, "%d plain channels", channels);
    else
        snprintf(buf, n, "layout %s", vm_layout_name(l));
    return buf;
}

/* Fills coef[src_ch * dst_channels + dst_ch] for the route from -> to:
 * the fold-downs of vm_layout_fold, with the route's settings
 * (vm_desc_route) or the defaults; a mono or stereo strip into an LCR,
 * 5.0, 5.1 or 7.1 bus by the surround panner; a mono strip panned into L
 * and R of any other wider bus; the same layout channel to channel (a
 * stereo strip's balance on L and R). Other pairs of layouts are an error
 * naming both (docs/layouts.md). */
ds_result vmc_route_matrix(const vm_desc *d, int from, int to, double *coef, char *err)
{
    const vm_strip_desc *s = &d->strips[from], *t = &d->strips[to];
    int sc = s->channels, tc = t->channels;
    if (sc > VM_MAX_CHANNELS || tc > VM_MAX_CHANNELS) /* vmc_validate refuses these first */
        return ds_fail(err, DS_ERR_GRAPH, "%s: more than %d channels", s->where, VM_MAX_CHANNELS);
    memset(coef, 0, (size_t)sc * (size_t)tc * sizeof *coef);
    vm_layout ls = vmc_strip_layout(s), lt = vmc_strip_layout(t);
    const vm_route_desc *rd = vm_desc_route(d, from, to);
    vm_fold_gains gains;
    vm_fold_gains_default(&gains);
    if (rd)
        gains = rd->gains;
    char a[40], b[40];
    if (rd && rd->downmix >= 0 && rd->downmix != (int)lt)
        return ds_fail(err, DS_ERR_GRAPH, "%s: downmix = \"%s\" makes %s, but bus '%s' has %s", rd->where,
                       vm_downmix_name((vm_layout)rd->downmix), vm_layout_name((vm_layout)rd->downmix), t->name,
                       layout_words(lt, tc, b, sizeof b));
    if (sc > 2 && (s->pan.value != 0 || s->pan.nevents))
        return ds_fail(err, DS_ERR_GRAPH, "%s: %s '%s' has %d channels: pan only applies to mono and stereo",
                       s->where, vmc_kind_name(s), s->name, sc);
    if (vm_layout_fold(ls, lt, &gains, coef)) {
        if (ls == VM_LAYOUT_STEREO) { /* a stereo strip's balance, then the fold */
            double bl, br;
            if (s->pan.nevents)
                return ds_fail(err, DS_ERR_GRAPH, "%s: %s '%s' folds down to mono: its pan cannot move (fix it, "
                               "or pan on a stereo bus before the fold)", s->pan.where, vmc_kind_name(s), s->name);
            dsp_pan_balance(s->pan.value, &bl, &br);
            coef[0] *= bl;
            coef[1] *= br;
        }
        return DS_OK;
    }
    if (rd)
        return ds_fail(err, DS_ERR_GRAPH, "%s: %s '%s' (%s) into bus '%s' (%s) is not a fold-down: downmix, centre, "
                       "surround, lfe and mono apply to 7.1 -> 5.1, LCR/5.0/5.1/7.1 -> stereo and stereo -> mono",
                       rd->where, vmc_kind_name(s), s->name, layout_words(ls, sc, a, sizeof a), t->name,
                       layout_words(lt, tc, b, sizeof b));
    dsp_surround_pan sp;
    if ((sc == 1 || sc == 2) && vmc_surround_speakers(d, to, &sp)) {
        surround_matrix(s, &sp, coef);
        return DS_OK;
    }
    if (sc == 1 && tc >= 2) {
        dsp_pan_mono(s->pan.value, &coef[0], &coef[1]);
        return DS_OK;
    }
    if (ls == VM_LAYOUT_STEREO && vm_layout_channel_of(lt, VM_SPEAKER_L) == 0 &&
        vm_layout_channel_of(lt, VM_SPEAKER_R) == 1) { /* stereo into stereo or the front pair of LCR, 5.x, 7.1 */
        dsp_pan_balance(s->pan.value, &coef[0], &coef[tc + 1]);
        return DS_OK;
    }
    if (sc == tc && ls == lt) {
        for (int i = 0; i < sc; i++)
            coef[i * tc + i] = 1.0;
        return DS_OK;
    }
    if (tc == 1)
        return ds_fail(err, DS_ERR_GRAPH,
                       "%s: cannot route %s '%s' (%s) into mono bus '%s': make the bus %d channels, or pick one "
                       "channel of the clips with channel = k",
                       s->where, vmc_kind_name(s), s->name, layout_words(ls, sc, a, sizeof a), t->name, sc);
    return ds_fail(err, DS_ERR_GRAPH,
                   "%s: cannot route %s '%s' (%s) into bus '%s' (%s): a mono strip pans into any bus, stereo into "
                   "the front pair of a wider one, 7.1 folds to 5.1 and LCR/5.x/7.1 to stereo; other layouts must "
                   "match (give the strip the bus's layout, docs/layouts.md)",
                   s->where, vmc_kind_name(s), s->name, layout_words(ls, sc, a, sizeof a), t->name,
                   layout_words(lt, tc, b, sizeof b));
}

/* ---- latency ---------------------------------------------------------------- */

/* The look-ahead of a limiter with these settings, in samples. */
static int limiter_latency(double fs, int channels, const dsp_limiter_params *lp)
{
    size_t m = dsp_limiter_heap_size(channels, fs, lp);
    void *mem = m ? malloc(m) : NULL;
    if (!mem)
        return 0;
    dsp_limiter st;
    dsp_limiter_init(&st, mem, channels, fs, lp);
    int l = dsp_limiter_latency(&st);
    free(mem);
    return l;
}

dsp_ducker_params vmc_ducker_params(const vm_duck_desc *du)
{
    dsp_ducker_params dp = {.depth_db = du->depth_db, .threshold_db = du->threshold_db, .attack_s = du->attack_s,
                            .release_s = du->release_s, .hold_s = du->hold_s, .preroll_s = du->preroll_s,
                            .bridge_s = du->bridge_s, .lookahead_s = du->lookahead_s};
    return dp;
}

/* The latency of insert k of strip s (a limiter's and a realtime duck's
 * look-ahead, a convolution reverb's partition: dsp_convolver_latency), 0
 * for the others */
int vmc_insert_latency(const vm_desc *d, int s, int k)
{
    const vm_insert_desc *e = &d->strips[s].inserts[k];
    if (e->kind == VM_INSERT_LIMITER)
        return limiter_latency(d->tb.rate, d->strips[s].channels, &e->lim);
    if (e->kind == VM_INSERT_DUCK) {
        dsp_ducker_params dp = vmc_ducker_params(&d->ducks[e->duck]);
        return dsp_ducker_latency(d->tb.rate, &dp);
    }
    if (e->kind == VM_INSERT_CONVOLVE)
        return e->conv.partition;
    return 0;
}

/* Path latency: a strip's input sum is as late as its latest audible
 * feeder; its output adds its inserts' look-ahead. Earlier feeders are
 * delayed to match when they are mixed (A_DELAY), and every output is read
 * that much later, so everything stays aligned to picture. */
void vmc_compute_latency(compiler *c)
{
    const vm_desc *d = c->d;
    for (int i = 0; i < c->n; i++) {
        int s = c->order[i], in = 0, own = 0;
        for (const int *f = VMC_ROW_BEGIN(c->feeds, s); f < VMC_ROW_END(c->feeds, s); f++)
            if (vmc_edge_active(c, *f, s) && c->needed[*f] && c->lat_out[*f] > in)
                in = c->lat_out[*f];
        for (int k = 0; k < d->strips[s].ninserts; k++)
            if (c->audible[s])
                own += vmc_insert_latency(d, s, k);
        c->lat_in[s] = in;
        c->lat_out[s] = in + own;
    }
}

int vmc_insert_at(const compiler *c, int s, int k)
{
    int at = c->lat_in[s];
    for (int j = 0; j < k; j++)
        at += vmc_insert_latency(c->d, s, j);
    return at;
}

/* Latency compensation at the sources.
 *
 * vmc_compute_latency makes every strip as early as its inputs allow, and
 * a route into a bus that is later goes through a delay line of the
 * strip's channels (A_DELAY; a key, through the compressor's or duck's key
 * delay). In the 5.1 film mix one convolution reverb on the music makes
 * the printmaster 8192 samples late, and the dialogue and effects buses
 * and the compressor's key were each delayed that much: 18 channels of
 * 8192-sample rings copied in and out every block.
 *
 * A strip can run late instead: a track's clips read the session that
 * many samples behind (plan_op.offset of its clips op), a bus mixes its
 * inputs later, and the delay moves up to where paths part, or vanishes
 * at the clips, which cost nothing to read late. Walking the strips in
 * reverse topological order, each one that may is made as late as its
 * earliest reader wants it: a route's bus input, or a key's insert.
 *
 * The bytes do not change. Every op of a strip run late sees the same
 * session times with the same inputs (offsets, moves and grids are in
 * session time), after a stretch before session sample 0 of silent input
 * that leaves its state as it was, so only kinds known to do that may run
 * late: clips none of which starts before the session (an earlier one
 * would play its part before 0, which the early strip never reads),
 * faders, pans and sends (fixed or moving), EQ, the reverb (silence in,
 * zeros out and in its state), and the stateless width, M/S, polarity and
 * channel map. Not for a strip an output or meter records (its timing is
 * the file's), not when the result would delay more channels than
 * before, and not live (the disk feed serves the playhead and after,
 * vm/feed.h) or in an analysis pass. */
static int runs_late_unchanged(const compiler *c, int s)
{
    const vm_strip_desc *st = &c->d->strips[s];
    if (c->tapped[s] || st->band_hi > 0)
        return 0;
    for (int k = 0; k < st->nclips; k++)
        if (st->clips[k].at < 0)
            return 0;
    for (int k = 0; k < st->ninserts; k++)
        switch (st->inserts[k].kind) {
        case VM_INSERT_EQ:
        case VM_INSERT_REVERB:
        case VM_INSERT_WIDTH:
        case VM_INSERT_MS:
        case VM_INSERT_POLARITY:
        case VM_INSERT_CHANNEL_MAP:
            break;
        default:
            return 0;
        }
    return 1;
}

/* The channels the plan delays: every route into a later bus (A_DELAY),
 * every key that reaches its insert early. */
static long delayed_channels(const compiler *c)
{
    const vm_desc *d = c->d;
    long n = 0;
    for (int s = 0; s < c->n; s++) {
        const vm_strip_desc *st = &d->strips[s];
        for (int k = 0; c->needed[s] && k < st->ndests; k++) {
            int t = st->dests[k];
            if (vmc_edge_active(c, s, t) && c->needed[t] && c->lat_in[t] > c->lat_out[s])
                n += st->channels;
        }
        for (int k = 0; c->needed[s] && c->audible[s] && k < st->ninserts; k++) {
            int key = st->inserts[k].key;
            if (key >= 0 && vm_insert_max_key_channels(&st->inserts[k]) && c->lat_out[key] < vmc_insert_at(c, s, k))
                n += d->strips[key].channels;
        }
    }
    return n;
}

/* How late strip s's readers want it: the earliest bus input it is mixed
 * into and insert it keys; INT_MAX when none or when a key's insert is of a
 * kind that takes no key delay. */
static int latest_wanted(const compiler *c, int s)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s];
    int want = INT_MAX;
    for (int k = 0; k < st->ndests; k++) {
        int t = st->dests[k];
        if (vmc_edge_active(c, s, t) && c->needed[t] && c->lat_in[t] < want)
            want = c->lat_in[t];
    }
    for (const int *u = VMC_ROW_BEGIN(c->keyed_by, s); u < VMC_ROW_END(c->keyed_by, s); u++) {
        const vm_strip_desc *su = &d->strips[*u];
        for (int k = 0; k < su->ninserts; k++) {
            if (su->inserts[k].key != s || !c->needed[*u] || !c->audible[*u])
                continue;
            if (!vm_insert_max_key_channels(&su->inserts[k]))
                return INT_MAX;
            int at = vmc_insert_at(c, *u, k);
            if (at < want)
                want = at;
        }
    }
    return want;
}

void vmc_run_paths_late(compiler *c)
{
    const vm_desc *d = c->d;
    if (c->n == 0)
        return;
    size_t n1 = (size_t)c->n;
    memcpy(c->lat_path, c->lat_out, n1 * sizeof *c->lat_path);
    long before = delayed_channels(c);
    if (before == 0 || d->analysis || d->live_tap >= 0 || d->live_meters)
        return;
    int *in0 = malloc(n1 * sizeof *in0), *out0 = malloc(n1 * sizeof *out0);
    if (!in0 || !out0) { /* the early plan is as right, only slower */
        free(in0), free(out0);
        return;
    }
    memcpy(in0, c->lat_in, n1 * sizeof *in0);
    memcpy(out0, c->lat_out, n1 * sizeof *out0);
    for (int i = c->n - 1; i >= 0; i--) {
        int s = c->order[i];
        if (!c->needed[s] || !runs_late_unchanged(c, s))
            continue;
        int want = latest_wanted(c, s);
        if (want == INT_MAX || want <= c->lat_out[s])
            continue;
        c->lat_in[s] += want - c->lat_out[s];
        c->lat_out[s] = want;
    }
    if (delayed_channels(c) >= before) {
        memcpy(c->lat_in, in0, n1 * sizeof *in0);
        memcpy(c->lat_out, out0, n1 * sizeof *out0);
    }
    free(in0), free(out0);
}

/* needed: tapped by an output, or feeding (audibly) a needed strip. Walk in
 * reverse topological order so every destination is decided first. */
void vmc_decide_needed(compiler *c)
{
    const vm_desc *d = c->d;
    for (int i = c->n - 1; i >= 0; i--) {
        int s = c->order[i];
        int need = c->tapped[s];
        for (int k = 0; k < d->strips[s].ndests; k++)
            if (vmc_edge_active(c, s, d->strips[s].dests[k]) && c->needed[d->strips[s].dests[k]])
                need = 1;
        for (const int *t = VMC_ROW_BEGIN(c->keyed_by, s); t < VMC_ROW_END(c->keyed_by, s); t++)
            if (c->needed[*t] && c->audible[*t]) /* a key of an audible insert downstream */
                need = 1;
        c->needed[s] = need;
        if (!need && c->audible[s] && !d->output_selection) /* --output leaves the others out on purpose */
            vmc_warnf(c, "%s: %s '%s' is not heard: it feeds no bus that reaches an output", d->strips[s].where,
                  vmc_kind_name(&d->strips[s]), d->strips[s].name);
    }
}

ds_result vmc_follow_normalized(compiler *c, int *follows, char *err)
{
    const vm_desc *d = c->d;
    ds_result r = DS_OK;
    int any = 0;
    for (int k = 0; k < d->noutputs; k++) {
        follows[k] = -1;
        any |= d->outputs[k].normalize.on && d->outputs[k].normalize.stems;
    }
    if (!any)
        return DS_OK;
    size_t n1 = (size_t)(c->n ? c->n : 1);
    int *owner = malloc(n1 * sizeof *owner);   /* per strip: the first normalised output reaching it, -1 */
    int *second = malloc(n1 * sizeof *second); /* another one that reaches it too, -1 */
    int *normalized_at = malloc(n1 * sizeof *normalized_at); /* 1: a normalised output records it */
    int *stack = malloc(n1 * sizeof *stack);
    int *seen = malloc(n1 * sizeof *seen);     /* the walk that last reached it, -1 */
    if (!owner || !second || !normalized_at || !stack || !seen) {
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int s = 0; s < c->n; s++)
        owner[s] = second[s] = seen[s] = -1, normalized_at[s] = 0;
    for (int k = 0; k < d->noutputs; k++)
        if (d->outputs[k].normalize.on)
            normalized_at[d->outputs[k].strip] = 1;
    for (int k = 0; k < d->noutputs; k++) {
        const vm_output_desc *ok = &d->outputs[k];
        if (!ok->normalize.on || !ok->normalize.stems)
            continue;
        int top = 0;
        stack[top++] = ok->strip;
        seen[ok->strip] = k;
        while (top > 0) {
            int s = stack[--top];
            for (const int *f = VMC_ROW_BEGIN(c->feeds, s); f < VMC_ROW_END(c->feeds, s); f++) {
                if (seen[*f] == k || normalized_at[*f])
                    continue; /* a normalised output's strip keeps what feeds it to itself */
                seen[*f] = k;
                stack[top++] = *f;
                if (owner[*f] < 0)
                    owner[*f] = k;
                else if (second[*f] < 0)
                    second[*f] = k;
            }
        }
    }
    for (int j = 0; j < d->noutputs && r == DS_OK; j++) {
        const vm_output_desc *o = &d->outputs[j];
        if (o->normalize.on || owner[o->strip] < 0)
            continue;
        follows[j] = owner[o->strip];
        if (second[o->strip] >= 0) {
            const vm_output_desc *a = &d->outputs[owner[o->strip]], *b = &d->outputs[second[o->strip]];
            r = ds_fail(err, DS_ERR_GRAPH, "%s: output '%s' records '%s', which feeds two normalised outputs, "
                        "'%s' (%s) and '%s' (%s): which static gain it should take is ambiguous; say stems = false "
                        "in one of their normalize options, or normalize this output itself", o->where, o->path,
                        d->strips[o->strip].name, a->path, a->where, b->path, b->where);
        }
    }
done:
    free(owner);
    free(second);
    free(normalized_at);
    free(stack);
    free(seen);
    return r;
}
