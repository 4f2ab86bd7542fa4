/* compile.c - description -> plan: the driver of the phases (see
 * vm/compile_priv.h), buffer assignment, and the finish (op offsets and
 * state keys, outputs, per-strip tables).
 *
 * Steps: decide what is audible (mute, solo) -> order the strips so every
 * strip comes after all that feed it (a loop is an error naming it) ->
 * check every route's channel layout -> emit an abstract op list -> give
 * every written strip its channel buffers -> deal the ops into units of
 * work for the threads -> build the real ops in one arena.
 */
#include "vm/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/compile_priv.h"
#include "vm/insert_params.h"
#include "vm/judge.h"

#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond))                                                     \
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");          \
    } while (0)

static ds_result compiler_init(compiler *c, const vm_desc *d, int max_block, char *err)
{
    memset(c, 0, sizeof *c);
    c->d = d;
    c->n = d->nstrips;
    c->max_block = max_block;
    size_t n1 = (size_t)(c->n ? c->n : 1);
    c->order = calloc(n1, sizeof *c->order);
    c->audible = calloc(n1, sizeof *c->audible);
    c->needed = calloc(n1, sizeof *c->needed);
    c->tapped = calloc(n1, sizeof *c->tapped);
    c->muted = calloc(n1, sizeof *c->muted);
    c->lat_in = calloc(n1, sizeof *c->lat_in);
    c->lat_out = calloc(n1, sizeof *c->lat_out);
    c->lat_path = calloc(n1, sizeof *c->lat_path);
    c->sum_late = calloc(n1, sizeof *c->sum_late);
    c->delays_sum = calloc(n1, sizeof *c->delays_sum);
    c->batch_of = calloc(n1, sizeof *c->batch_of);
    c->batch_next = calloc(n1, sizeof *c->batch_next);
    c->def = calloc(n1, sizeof *c->def);
    c->metered = calloc((size_t)(2 * d->ndeliverables + 1), sizeof *c->metered);
    CHECK(c->order && c->audible && c->needed && c->tapped && c->muted && c->def && c->lat_in &&
          c->lat_out && c->lat_path && c->sum_late && c->delays_sum && c->batch_of && c->batch_next && c->metered);
    return DS_OK;
}

static void compiler_free(compiler *c)
{
    free(c->made);
    free(c->chans);
    free(c->vca_lanes);
    free(c->pan_params);
    free(c->delayed);
    free(c->delayed_last);
    free(c->order);
    free(c->audible);
    free(c->needed);
    free(c->tapped);
    free(c->metered);
    free(c->muted);
    free(c->lat_in);
    free(c->lat_out);
    free(c->lat_path);
    free(c->sum_late);
    free(c->delays_sum);
    free(c->batch_of);
    free(c->batch_next);
    free(c->sum_into);
    free(c->def);
    free(c->unit);
    free(c->unit_cost);
    free(c->unit_succ.start);
    free(c->unit_succ.items);
    free(c->unit_npred);
    free(c->unit_order);
    free(c->slot_of);
    free(c->ops);
    free(c->warn);
    vmc_free_graph(c);
}

/* The strips an output records or a deliverable's meter reads (analysis:
 * the ducks' keys; live: the strip played and every bus's meter). */
static void decide_tapped(compiler *c)
{
    const vm_desc *d = c->d;
    if (d->analysis) {
        for (int i = 0; i < d->nducks; i++)
            c->tapped[d->ducks[i].key] = 1;
        return;
    }
    for (int i = 0; i < d->noutputs; i++)
        c->tapped[d->outputs[i].strip] = 1;
    /* a render judges its deliverables (live playback does not) */
    if (d->live_tap < 0 && !d->live_meters)
        c->nmetered = vm_judge_meter_strips(d, c->metered);
    for (int i = 0; i < c->nmetered; i++)
        c->tapped[c->metered[i]] = 1;
    /* live playback reads the strip it plays and meters every bus */
    if (d->live_tap >= 0 && d->live_tap < c->n)
        c->tapped[d->live_tap] = 1;
    for (int s = 0; d->live_meters && s < c->n; s++)
        if (d->strips[s].kind == VM_STRIP_BUS)
            c->tapped[s] = 1;
}

/* A key from a path with other latency reaches its detector shifted. */
static void warn_late_keys(compiler *c)
{
    const vm_desc *d = c->d;
    for (int s2 = 0; s2 < c->n; s2++) {
        const vm_strip_desc *st = &d->strips[s2];
        int at = c->lat_in[s2];
        for (int k = 0; k < st->ninserts; k++) {
            const vm_insert_desc *e = &st->inserts[k];
            if (vm_insert_max_key_channels(e) && e->key >= 0 && /* a kind that takes a key (vm/insert_params.c) */
                c->lat_out[e->key] > at && c->audible[s2])
                vmc_warnf(c, "%s: the key '%s' reaches this %s %d samples later than its audio (a look-ahead "
                          "limiter on the key's path); only an early key is delayed to match", e->where,
                          d->strips[e->key].name, vmc_kind_name(st), c->lat_out[e->key] - at);
            at += vmc_insert_latency(d, s2, k);
        }
    }
}

/* Analysis: order, audibility, taps, needs, route layouts, latency. */
static ds_result analyse(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    ds_result r = vmc_order_strips(c, err);
    if (r != DS_OK)
        return r;
    vmc_decide_audible(c);
    decide_tapped(c);
    vmc_decide_needed(c);
    /* every active route must have a layout we can mix */
    for (int s = 0; s < c->n; s++) {
        const vm_strip_desc *st = &d->strips[s];
        double coef[VM_MAX_CHANNELS * VM_MAX_CHANNELS];
        for (int k = 0; k < st->ndests; k++)
            if ((r = vmc_route_matrix(d, s, st->dests[k], coef, err)) != DS_OK)
                return r;
    }
    vmc_compute_latency(c);
    warn_late_keys(c);
    vmc_run_paths_late(c);
    vmc_warn_surround_unused(c);
    return DS_OK;
}

/* The op that first touches each strip's buffer (-1: none does). */
static void first_writes(compiler *c)
{
    for (int s = 0; s < c->n; s++)
        c->def[s] = -1;
    for (int i = 0; i < c->nops; i++)
        if (c->def[c->ops[i].strip] < 0)
            c->def[c->ops[i].strip] = i;
}

/* Channel buffers: every strip that is written gets slots of its own, in
 * the order of the ops that first write them (ties in strip order);
 * deterministic. No slot is shared by two strips, though their lives may
 * not overlap: a shared slot would make the unit of the strip born last
 * wait for the units that last read the other (vm/compile_units.c), and
 * the buses, the only strips born after others die, are few. Strip s's
 * channel k is slot slot_of[s] + k. Returns the number of slots, or -1
 * when out of memory. */
static int assign_slots(const compiler *c, int *slot_of)
{
    const vm_desc *d = c->d;
    vmc_pair *pr = malloc(((size_t)c->n + 1) * sizeof *pr);
    vmc_rows born = {0};
    int np = 0, nslots = -1;
    for (int s = 0; pr && s < c->n; s++)
        if (c->def[s] >= 0)
            pr[np++] = (vmc_pair){c->def[s], s};
    if (!pr || vmc_rows_from_pairs(c->nops + 1, pr, np, &born) != 0)
        goto done;
    nslots = 0;
    for (int i = 0; i <= c->nops; i++)
        for (const int *s = VMC_ROW_BEGIN(born, i); s < VMC_ROW_END(born, i); s++) {
            slot_of[*s] = nslots;
            nslots += d->strips[*s].channels;
        }
done:
    free(pr);
    free(born.start), free(born.items);
    return nslots;
}

/* Buffer assignment: c->chans[s] for every strip that is written; the
 * slots stay in c->slot_of (vmc_link_units reads them). */
static ds_result assign_buffers(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    plan *p = c->p;
    size_t n1 = (size_t)(c->n ? c->n : 1);
    int *slot_of = c->slot_of = malloc(n1 * sizeof *slot_of);
    c->chans = calloc(n1, sizeof *c->chans);
    for (int s = 0; slot_of && s < c->n; s++)
        slot_of[s] = -1;
    int nslots = slot_of && c->chans ? assign_slots(c, slot_of) : -1;
    if (nslots < 0)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    p->nbuffers = c->nslots = nslots;
    /* Slots are one cache line more than a block apart, so that channels a
     * kernel walks side by side do not sit at the same offset modulo 4 KiB:
     * there the CPU takes a load after a store to another channel for a
     * dependence and waits (4K aliasing). */
    size_t stride = ((size_t)c->max_block + 15) / 16 * 16 + 16;
    float *bufmem = vm_arena_alloc(&p->arena, (size_t)(nslots ? nslots : 1) * stride * sizeof(float));
    for (int s = 0; bufmem && s < c->n; s++) {
        if (c->def[s] < 0)
            continue;
        int ch = d->strips[s].channels;
        c->chans[s] = vm_arena_alloc(&p->arena, (size_t)ch * sizeof(float *));
        if (!c->chans[s]) {
            bufmem = NULL;
            break;
        }
        for (int k = 0; k < ch; k++)
            c->chans[s][k] = bufmem + (size_t)(slot_of[s] + k) * stride;
    }
    if (!bufmem)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    return DS_OK;
}

/* Room for the real ops: the abstract ones, plus an evaluator in front of
 * the first user of each moving parameter; the per-kind lists; the VCAs'
 * lanes; the units of the parallel front. */
static ds_result prepare_ops(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    plan *p = c->p;
    vm_arena *A = &p->arena;
    int nsends = 0; /* a moving send level adds its param op */
    for (int s = 0; s < c->n; s++)
        nsends += d->strips[s].nsends;
    p->ops = vm_arena_alloc(A, (size_t)(c->nops + 2 * c->n + nsends + 1) * sizeof *p->ops);
    c->vca_lanes = calloc((size_t)d->nvcas + 1, sizeof *c->vca_lanes);
    c->delayed = calloc((size_t)c->nops + 1, sizeof *c->delayed);
    c->delayed_last = malloc(((size_t)c->n + 1) * sizeof *c->delayed_last);
    CHECK(c->delayed && c->delayed_last);
    for (int s = 0; s < c->n; s++)
        c->delayed_last[s] = -1;
    c->pan_params = calloc((size_t)(c->n ? c->n : 1), sizeof *c->pan_params);
    CHECK(p->ops && c->vca_lanes && c->pan_params);
    for (int v = 0; v < d->nvcas; v++) {
        char what[300];
        snprintf(what, sizeof what, "vca '%s' gain", d->vcas[v].name);
        if (!(c->vca_lanes[v] = vmc_build_lane(p, &d->vcas[v].gain, 1, what, err)))
            return DS_ERR_ARG;
    }
    p->op_unit = vm_arena_alloc(A, (size_t)(c->nops + 2 * c->n + nsends + 1) * sizeof *p->op_unit);
    size_t nu = (size_t)(c->nunits ? c->nunits : 1), nedges = (size_t)c->unit_succ.start[c->nunits];
    p->unit_cost = vm_arena_alloc(A, nu * sizeof *p->unit_cost);
    p->unit_npred = vm_arena_alloc(A, nu * sizeof *p->unit_npred);
    p->unit_order = vm_arena_alloc(A, nu * sizeof *p->unit_order);
    p->unit_succ_start = vm_arena_alloc(A, (nu + 1) * sizeof *p->unit_succ_start);
    p->unit_succ = vm_arena_alloc(A, (nedges ? nedges : 1) * sizeof *p->unit_succ);
    CHECK(p->op_unit && p->unit_cost && p->unit_npred && p->unit_order && p->unit_succ_start && p->unit_succ);
    p->nunits = c->nunits;
    memcpy(p->unit_cost, c->unit_cost, (size_t)c->nunits * sizeof *p->unit_cost);
    memcpy(p->unit_npred, c->unit_npred, (size_t)c->nunits * sizeof *p->unit_npred);
    memcpy(p->unit_order, c->unit_order, (size_t)c->nunits * sizeof *p->unit_order);
    memcpy(p->unit_succ_start, c->unit_succ.start, ((size_t)c->nunits + 1) * sizeof *p->unit_succ_start);
    memcpy(p->unit_succ, c->unit_succ.items, nedges * sizeof *p->unit_succ);
    return DS_OK;
}

/* Each unit's ops in plan order (p->unit_op_start, p->unit_ops), once
 * every op is made. */
static ds_result list_unit_ops(plan *p, char *err)
{
    p->unit_op_start = vm_arena_alloc(&p->arena, ((size_t)p->nunits + 2) * sizeof *p->unit_op_start);
    p->unit_ops = vm_arena_alloc(&p->arena, (size_t)(p->nops ? p->nops : 1) * sizeof *p->unit_ops);
    CHECK(p->unit_op_start && p->unit_ops);
    memset(p->unit_op_start, 0, ((size_t)p->nunits + 2) * sizeof *p->unit_op_start);
    for (int i = 0; i < p->nops; i++)
        p->unit_op_start[p->op_unit[i] + 2]++;
    for (int u = 0; u < p->nunits; u++)
        p->unit_op_start[u + 2] += p->unit_op_start[u + 1];
    for (int i = 0; i < p->nops; i++) /* start[u + 1] counts up to unit u's end */
        p->unit_ops[p->unit_op_start[p->op_unit[i] + 1]++] = i;
    return DS_OK;
}

/* The session time of the signal abstract op o works on: an insert's input
 * is late by the look-aheads before it, a fader's and a mix's by the
 * strip's whole path (a mix through a compensating delay by its bus's
 * sum's);
 * a track's clips by its input's, which is not 0 when it runs late.
 * Their moves are read at that time (plan_op.offset). */
static int op_offset(const compiler *c, const aop *o)
{
    const vm_desc *d = c->d;
    int off = 0;
    if (o->kind == A_CLIPS) {
        off = c->lat_in[o->strip]; /* a track run late (vmc_run_paths_late) */
    } else if (o->kind == A_INSERT || o->kind == A_EQ_BATCH) {
        off = c->lat_in[o->strip];
        for (int k = 0; k < o->dst; k++)
            off += vmc_insert_latency(d, o->strip, k);
        if (d->strips[o->strip].inserts[o->dst].kind == VM_INSERT_DUCK)
            off = 0; /* it reads its key's time itself (op_duck_args.at) */
    } else if (o->kind == A_GAIN || o->kind == A_BANDDUCK) {
        off = c->lat_out[o->strip];
    } else if (o->kind == A_MIX) {
        off = o->late; /* at least the strip's own: a strip is delayed to its bus's sum, never the reverse */
    }
    return off;
}

/* Finish the ops p->ops[first_op..] that abstract op i made: their unit,
 * fusion with the EQ before, offsets, and a state key. */
static ds_result finish_op(compiler *c, int i, int first_op, char *err)
{
    plan *p = c->p;
    vm_arena *A = &p->arena;
    const aop *o = &c->ops[i];
    const vm_strip_desc *st = &c->d->strips[o->strip];
    plan_op *op = &p->ops[p->nops - 1];
    CHECK(op->label && (op->readout || !op->cls->meter_db));
    for (int j = first_op; j < p->nops; j++)
        p->op_unit[j] = c->unit[i];
    if (vmc_fuse_eq(p, p->nops - 1))
        op->label = vmc_label(A, "%s, in the pass of the eq before", op->label);
    int off = op_offset(c, o), nch = o->kind == A_MIX ? c->d->strips[o->dst].channels : 0;
    if (o->kind == A_EQ_BATCH)
        for (int t = o->strip; t >= 0; t = c->batch_next[t])
            nch += c->d->strips[t].channels;
    else if (o->kind != A_MIX)
        nch = st->channels;
    for (int j = first_op; j < p->nops; j++)
        p->ops[j].offset = off, p->ops[j].channels = nch;
    /* ops with state get a name that a recompiled plan's same op has
     * (its strip and its place there, not its settings), so a live
     * plan swap can carry the state over (vm/live.c) */
    if (op->cls->copy_state) {
        op->key = vmc_label(A, "%d '%s' %d '%s'", (int)o->kind, st->name, o->kind == A_DELAY ? 0 : o->dst,
                            o->kind == A_DELAY ? c->d->strips[o->dst].name : "");
        CHECK(op->key);
    }
    return DS_OK;
}

/* Outputs and the per-strip tables (taps, latency, names, channels). */
static ds_result finish_plan(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    plan *p = c->p;
    vm_arena *A = &p->arena;
    p->outputs = vm_arena_alloc(A, (size_t)(d->noutputs ? d->noutputs : 1) * sizeof *p->outputs);
    CHECK(p->outputs);
    for (int i = 0; i < d->noutputs; i++) {
        const vm_output_desc *od = &d->outputs[i];
        const vm_strip_desc *st = &d->strips[od->strip];
        if ((od->format == VM_OUT_FLAC16 || od->format == VM_OUT_FLAC24) && st->channels > 8)
            return ds_fail(err, DS_ERR_GRAPH, "%s: output '%s' is %s, which holds 1 to 8 channels, but '%s' has %d: "
                           "write it as wav24 or wav32f (up to %d channels)", od->where, od->path,
                           vm_out_format_name(od->format), st->name, st->channels, VM_MAX_CHANNELS);
        plan_output *po = &p->outputs[p->noutputs++];
        po->path = vm_arena_strdup(A, od->path);
        po->strip = vm_arena_strdup(A, st->name);
        po->where = vm_arena_strdup(A, od->where);
        CHECK(po->path && po->strip && po->where);
        po->channels = st->channels;
        po->layout = vmc_strip_layout(st);
        po->chans = c->chans[od->strip];
        po->latency = c->lat_out[od->strip];
        if (po->latency > p->tail)
            p->tail = po->latency;
        po->format = od->format;
        po->dither = od->dither;
        po->normalize = od->normalize;
        po->place = od->place;
    }
    p->meters = vm_arena_alloc(A, (size_t)(c->nmetered ? c->nmetered : 1) * sizeof *p->meters);
    CHECK(p->meters);
    for (int i = 0; i < c->nmetered; i++) {
        int s = c->metered[i];
        const vm_strip_desc *st = &d->strips[s];
        plan_meter *pm = &p->meters[p->nmeters++];
        CHECK(pm->strip = vm_arena_strdup(A, st->name));
        pm->strip_index = s;
        pm->channels = st->channels;
        pm->layout = vmc_strip_layout(st);
        pm->chans = c->chans[s];
        pm->latency = c->lat_out[s];
        if (pm->latency > p->tail)
            p->tail = pm->latency;
    }
    int *follows = malloc((size_t)(d->noutputs ? d->noutputs : 1) * sizeof *follows);
    CHECK(follows);
    ds_result r = vmc_follow_normalized(c, follows, err);
    for (int i = 0; i < d->noutputs; i++)
        p->outputs[i].follows = follows[i];
    free(follows);
    if (r != DS_OK)
        return r;
    size_t n1 = (size_t)(c->n ? c->n : 1);
    p->strip_chans = vm_arena_alloc(A, n1 * sizeof *p->strip_chans);
    CHECK(p->strip_chans);
    p->strip_latency = vm_arena_alloc(A, n1 * sizeof *p->strip_latency);
    p->strip_run_late = vm_arena_alloc(A, n1 * sizeof *p->strip_run_late);
    p->strip_names = vm_arena_alloc(A, n1 * sizeof *p->strip_names);
    p->strip_nch = vm_arena_alloc(A, n1 * sizeof *p->strip_nch);
    CHECK(p->strip_latency && p->strip_run_late && p->strip_names && p->strip_nch);
    p->nstrips = c->n;
    for (int s2 = 0; s2 < c->n; s2++) {
        p->strip_chans[s2] = c->tapped[s2] ? c->chans[s2] : NULL;
        p->strip_latency[s2] = c->lat_out[s2];
        p->strip_run_late[s2] = c->lat_out[s2] - c->lat_path[s2];
        p->strip_nch[s2] = d->strips[s2].channels;
        CHECK(p->strip_names[s2] = vm_arena_strdup(A, d->strips[s2].name));
    }
    p->warnings = vm_arena_strdup(A, c->warn ? c->warn : "");
    CHECK(p->warnings);
    return DS_OK;
}

/* The phases in order; c->p is the plan being built. */
static ds_result compile_phases(compiler *c, char *err)
{
    const vm_desc *d = c->d;
    ds_result r;
    if ((r = vmc_validate(d, err)) != DS_OK || (r = vmc_build_graph(c, err)) != DS_OK ||
        (r = analyse(c, err)) != DS_OK || (r = vmc_emit_all(c, err)) != DS_OK ||
        (r = vmc_split_front(c, err)) != DS_OK)
        return r;
    first_writes(c);
    plan *p = c->p = calloc(1, sizeof *p);
    CHECK(p);
    vm_arena_init(&p->arena);
    p->tb = d->tb;
    p->length = vm_desc_length(d);
    p->max_block = c->max_block;
    if ((r = assign_buffers(c, err)) != DS_OK || (r = vmc_find_sums(c, err)) != DS_OK ||
        (r = vmc_link_units(c, err)) != DS_OK ||
        (r = prepare_ops(c, err)) != DS_OK)
        return r;
    CHECK(c->made = malloc((size_t)(c->nops ? c->nops : 1) * sizeof *c->made));
    for (int i = 0; i < c->nops; i++) {
        if (i == c->nfront)
            p->nfront = p->nops; /* the ops made so far are the tracks' own work */
        int first_op = p->nops;
        if ((r = vmc_emit_op(c, &c->ops[i], err)) != DS_OK || (r = finish_op(c, i, first_op, err)) != DS_OK)
            return r;
        c->made[i] = p->nops - 1;
    }
    if (c->nfront == c->nops)
        p->nfront = p->nops;
    if ((r = vmc_fuse_sums(c, err)) != DS_OK || (r = list_unit_ops(p, err)) != DS_OK)
        return r;
    return finish_plan(c, err);
}

ds_result vm_compile(const vm_desc *d, int max_block, plan **out, char *err)
{
    *out = NULL;
    if (max_block < 1 || max_block > PLAN_MAX_BLOCK)
        return ds_fail(err, DS_ERR_ARG, "block size %d is out of range (1 to %d)", max_block, PLAN_MAX_BLOCK);
    compiler c;
    ds_result res = compiler_init(&c, d, max_block, err);
    if (res == DS_OK)
        res = compile_phases(&c, err);
    if (res == DS_OK) {
        *out = c.p;
        c.p = NULL;
    }
    if (c.p)
        vm_plan_free(&c.p);
    compiler_free(&c);
    return res;
}

void vm_plan_free(plan **pp)
{
    plan *p = *pp;
    if (!p)
        return;
    vm_plan_rewind(p); /* closes the clip readers */
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls && p->ops[i].cls->release)
            p->ops[i].cls->release(p->ops[i].args);
    for (int i = 0; i < p->nlanes; i++)
        vm_lane_free(&p->lanes[i]);
    free(p->lanes);
    vm_arena_free(&p->arena);
    free(p);
    *pp = NULL;
}
