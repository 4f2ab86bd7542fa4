/* compile_params.c - the parameters the emitters share: automation lanes,
 * evaluators, and the composite gains (a strip's fader + trim + VCAs + mute
 * fades; a send's level).
 */
#include <stdio.h>
#include <stdlib.h>

#include "vm/compile_priv.h"

/* ---- parameters ------------------------------------------------------------ */

/* The mute moves that reach strip s: its own and its mute groups'. */
int vmc_mute_moves(const compiler *c, int s)
{
    const vm_desc *d = c->d;
    int n = d->strips[s].mutep.nevents;
    for (const int *g = VMC_ROW_BEGIN(c->groups_of, s); g < VMC_ROW_END(c->groups_of, s); g++)
        n += d->mute_groups[*g].mutep.nevents;
    return n;
}

/* 1 when strip s's gain (fader + trim + its VCAs) is 0 dB for ever. */
int vmc_gain_is_unity(const compiler *c, int s)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s];
    double sum = st->gain.value + st->trim.value;
    int moves = st->gain.nevents + st->trim.nevents + st->duck.nevents + vmc_mute_moves(c, s);
    for (const int *v = VMC_ROW_BEGIN(c->vcas_of, s); v < VMC_ROW_END(c->vcas_of, s); v++) {
        sum += d->vcas[*v].gain.value;
        moves += d->vcas[*v].gain.nevents;
    }
    return moves == 0 && sum == 0;
}

/* A lane for a parameter's static value and moves, owned by the plan. */
vm_lane *vmc_build_lane(plan *p, const vm_param_desc *pd, int is_db, const char *name, char *err)
{
    if (p->nlanes == p->caplanes) {
        int cap = p->caplanes ? p->caplanes * 2 : 16;
        vm_lane **l = realloc(p->lanes, (size_t)cap * sizeof *l);
        if (!l) {
            ds_fail(err, DS_ERR_NOMEM, "out of memory");
            return NULL;
        }
        p->lanes = l;
        p->caplanes = cap;
    }
    vm_lane *lane = vm_param_desc_lane(pd, is_db, name, err);
    if (lane)
        p->lanes[p->nlanes++] = lane;
    return lane;
}

plan_param *vmc_new_param(vm_arena *A, const char *name, plan_param_kind kind, int nlanes, int max_block)
{
    plan_param *pp = vm_arena_alloc(A, sizeof *pp);
    if (!pp)
        return NULL;
    pp->name = vm_arena_strdup(A, name);
    pp->kind = kind;
    pp->lanes = vm_arena_alloc(A, (size_t)(nlanes ? nlanes : 1) * sizeof *pp->lanes);
    pp->span_start = pp->span_end = INT64_MIN; /* no stretch cached */
    pp->nahead = 0;
    pp->far = vm_arena_alloc(A, (size_t)max_block * sizeof *pp->far);
    if (kind != PARAM_GAIN && !(pp->far2 = vm_arena_alloc(A, (size_t)max_block * sizeof *pp->far2)))
        return NULL;
    if (!pp->name || !pp->lanes || !pp->far)
        return NULL;
    return pp;
}

/* Appends an op that evaluates pp each block, unless pp never moves. */
void vmc_schedule_param(plan *p, plan_param *pp, int moves)
{
    if (!moves) {
        plan_param_init_static(pp);
        return;
    }
    plan_op *op = &p->ops[p->nops++];
    op->cls = &op_param_class;
    op->args = pp;
    op->label = pp->name;
}

/* How many gain layers the mute moves reaching strip s make: one for its
 * own, one per mute group of it that moves. */
static int mute_layers(const compiler *c, int s)
{
    const vm_desc *d = c->d;
    int n = d->strips[s].mutep.nevents > 0;
    for (const int *g = VMC_ROW_BEGIN(c->groups_of, s); g < VMC_ROW_END(c->groups_of, s); g++)
        n += d->mute_groups[*g].mutep.nevents > 0;
    return n;
}

/* Appends those layers (vm_mute_layer: each switch a 5 ms fade, linear in
 * amplitude) to pp's lanes, which have room for mute_layers(d, s) more.
 * 0, or -1 with the message in err. */
static int add_mute_layers(plan *p, const compiler *c, int s, plan_param *pp, char *err)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s];
    const int *row = VMC_ROW_BEGIN(c->groups_of, s);
    int n = (int)(VMC_ROW_END(c->groups_of, s) - row);
    for (int j = -1; j < n; j++) { /* its own mute first, then each of its groups once */
        int g = j < 0 ? -1 : row[j];
        if (j > 0 && g == row[j - 1])
            continue;
        const vm_param_desc *mp = g < 0 ? &st->mutep : &d->mute_groups[g].mutep;
        int muted = g < 0 ? st->mute : d->mute_groups[g].mute;
        if (!mp->nevents)
            continue;
        char what[300];
        if (g < 0)
            snprintf(what, sizeof what, "%s '%s' mute", vmc_kind_name(st), st->name);
        else
            snprintf(what, sizeof what, "mute group '%s' mute", d->mute_groups[g].name);
        vm_param_desc layer;
        if (vm_mute_layer(mp, muted, d->tb.rate, &layer, err) != DS_OK)
            return -1;
        vm_lane *lane = vmc_build_lane(p, &layer, 1, what, err); /* one per member: lanes keep a cursor */
        vm_param_desc_free(&layer);
        if (!lane)
            return -1;
        pp->lanes[pp->nlanes++] = lane;
    }
    return 0;
}

/* The moving level of the send from strip s to bus dst (its lane, and
 * before the fader the strip's mute fades as layers), scheduled; NULL with
 * the message in err. */
plan_param *vmc_send_level_param(plan *p, const compiler *c, int s, int dst, const vm_send_desc *sd, int pre_mute,
                                 char *err)
{
    const vm_desc *d = c->d;
    const vm_strip_desc *st = &d->strips[s], *dt = &d->strips[dst];
    int moves = sd->level.nevents + vmc_mute_moves(c, s);
    char nm[300], what[300];
    snprintf(nm, sizeof nm, "param  %s '%s' send to bus '%s' level%s (%d move%s)", vmc_kind_name(st), st->name,
             dt->name, pre_mute ? " + mute" : "", moves, moves == 1 ? "" : "s");
    snprintf(what, sizeof what, "%s '%s' send to bus '%s' level", vmc_kind_name(st), st->name, dt->name);
    plan_param *pp = vmc_new_param(&p->arena, nm, PARAM_GAIN, 1 + (pre_mute ? mute_layers(c, s) : 0), p->max_block);
    if (!pp) {
        ds_fail(err, DS_ERR_NOMEM, "out of memory for %s", what);
        return NULL;
    }
    if (!(pp->lanes[pp->nlanes++] = vmc_build_lane(p, &sd->level, 1, what, err)) ||
        (pre_mute && add_mute_layers(p, c, s, pp, err) != 0))
        return NULL;
    vmc_schedule_param(p, pp, 1);
    return pp;
}

/* The gain of strip s: fader + trim + every VCA it belongs to, in dB, and
 * the fades of mute moves. */
plan_param *vmc_strip_gain_param(plan *p, const compiler *c, int s, char *err)
{
    const vm_desc *d = c->d;
    const int *vrow = VMC_ROW_BEGIN(c->vcas_of, s), *vend = VMC_ROW_END(c->vcas_of, s);
    const vm_strip_desc *st = &d->strips[s];
    char name[400], parts[300] = "";
    size_t pl = 0;
    int nl = 3 + mute_layers(c, s), moves = st->gain.nevents + st->trim.nevents + st->duck.nevents + vmc_mute_moves(c, s);
    for (const int *v = vrow; v < vend; v++) {
        nl++;
        moves += d->vcas[*v].gain.nevents;
        if (pl < sizeof parts - 80)
            pl += (size_t)snprintf(parts + pl, sizeof parts - pl, " + vca '%s'", d->vcas[*v].name);
    }
    snprintf(name, sizeof name, "param  %s '%s' gain: fader + trim%s%s%s (%d move%s)", vmc_kind_name(st), st->name,
             st->duck.nevents ? " + duck" : "", parts, mute_layers(c, s) ? " + mute" : "", moves, moves == 1 ? "" : "s");
    plan_param *pp = vmc_new_param(&p->arena, name, PARAM_GAIN, nl, p->max_block);
    if (!pp) {
        ds_fail(err, DS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    char what[300];
    snprintf(what, sizeof what, "%s '%s' gain", vmc_kind_name(st), st->name);
    if (!(pp->lanes[pp->nlanes++] = vmc_build_lane(p, &st->gain, 1, what, err)))
        return NULL;
    snprintf(what, sizeof what, "%s '%s' trim", vmc_kind_name(st), st->name);
    if (!(pp->lanes[pp->nlanes++] = vmc_build_lane(p, &st->trim, 1, what, err)))
        return NULL;
    if (st->duck.nevents) {
        snprintf(what, sizeof what, "%s '%s' duck", vmc_kind_name(st), st->name);
        if (!(pp->lanes[pp->nlanes++] = vmc_build_lane(p, &st->duck, 1, what, err)))
            return NULL;
    }
    /* each member reads its own copy of a VCA's lane: lanes keep a cursor,
     * and members may be evaluated on different threads */
    for (const int *v = vrow; v < vend; v++) {
        snprintf(what, sizeof what, "vca '%s' gain", d->vcas[*v].name);
        if (!(pp->lanes[pp->nlanes++] = vmc_build_lane(p, &d->vcas[*v].gain, 1, what, err)))
            return NULL;
    }
    if (add_mute_layers(p, c, s, pp, err) != 0)
        return NULL;
    vmc_schedule_param(p, pp, moves);
    return pp;
}
