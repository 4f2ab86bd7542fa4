/* segment.c - a segment's range and its pre-roll against the nodes'
 * memories (segment.h). */
#include "vm/segment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/timecode.h"

/* --from (is_to 0: within [0, length)) or --to (is_to 1: within (0,
 * length]) into *out, in session samples. */
static ds_result parse_bound(const plan *p, const char *option, const char *text, int is_to, int64_t *out,
                             char *err)
{
    char why[DS_ERR_LEN], a[64], b[64];
    vm_time_format(&p->tb, 0, a, sizeof a);
    vm_time_format(&p->tb, p->length, b, sizeof b);
    if (vm_time_parse_arg(&p->tb, text, out, why) != DS_OK)
        return ds_fail(err, DS_ERR_ARG, "%s '%s': %s (a timecode from %s to %s, or seconds from the start such "
                       "as 12.5)", option, text, why, a, b);
    if (is_to ? *out <= 0 || *out > p->length : *out < 0 || *out >= p->length) {
        char at[64];
        vm_time_format(&p->tb, *out, at, sizeof at);
        return ds_fail(err, DS_ERR_ARG, "%s %s (%s) is outside the session: it must be %s %s, %s %s", option, text,
                       at, is_to ? "after" : "from", a, is_to ? "up to" : "to before", b);
    }
    return DS_OK;
}

ds_result vm_segment_parse(const plan *p, const char *from, const char *to, const char *preroll, vm_segment *seg,
                           char *err)
{
    memset(seg, 0, sizeof *seg);
    seg->on = 1;
    seg->to = p->length;
    ds_result r;
    if (from && (r = parse_bound(p, "--from", from, 0, &seg->from, err)) != DS_OK)
        return r;
    if (to && (r = parse_bound(p, "--to", to, 1, &seg->to, err)) != DS_OK)
        return r;
    if (seg->to <= seg->from) {
        char a[64], b[64];
        vm_time_format(&p->tb, seg->from, a, sizeof a);
        vm_time_format(&p->tb, seg->to, b, sizeof b);
        return ds_fail(err, DS_ERR_ARG, "--to (%s) must come after --from (%s)", b, a);
    }
    if (!preroll) { /* each memory over the pre-roll fallen 60 dB twice over */
        seg->preroll_auto = 1;
        double most = VM_SEGMENT_MAX_PREROLL_S * p->tb.rate, twice = 0;
        /* a longer pre-roll may reach a longer memory (a setting that moved):
         * grow it until it covers twice the longest over itself */
        for (int round = 0; round < 16; round++) {
            int64_t start = seg->from - (int64_t)ceil(twice < most ? twice : most);
            double next = 2 * vm_segment_longest_memory(p, start > 0 ? start : 0, seg->from, NULL);
            if (!(next > twice) || twice >= most)
                break;
            twice = next;
        }
        seg->preroll = (int64_t)ceil(twice < most ? twice : most); /* a node that never forgets: the most */
        return DS_OK;
    }
    char *end;
    double s = strtod(preroll, &end);
    if (end == preroll || *end || !(s >= 0 && s <= VM_SEGMENT_MAX_PREROLL_S))
        return ds_fail(err, DS_ERR_ARG, "--preroll must be seconds from 0 to %.0f, such as 5 (got '%s')",
                       VM_SEGMENT_MAX_PREROLL_S, preroll);
    return vm_time_from_seconds(&p->tb, s, &seg->preroll, err);
}

int64_t vm_segment_run_preroll(const vm_segment *seg)
{
    return seg->preroll < seg->from ? seg->preroll : seg->from;
}

/* Points at which a memory is read over a stretch of the programme: its
 * ends and as many between (a moving setting is caught within 1/512 of
 * the stretch). */
#define MEMORY_READINGS 512

/* op's memory over the session samples [start, at]: the longest of its
 * readings. A setting that moves during the pre-roll rules how fast the
 * state's difference falls there, so the segment must cover the longest
 * (a 10 s rt60 cut to 1 s just before --from still leaves 10 s of tail). */
static double memory_over(const plan_op *op, int64_t start, int64_t at)
{
    double m = op->cls->memory(op->args, at);
    for (int k = 0; k < MEMORY_READINGS && start < at; k++) {
        double here = op->cls->memory(op->args, start + (int64_t)((double)(at - start) * k / MEMORY_READINGS));
        if (here > m || isinf(here))
            m = here;
    }
    return m;
}

double vm_segment_longest_memory(const plan *p, int64_t start, int64_t at, int *which)
{
    double longest = 0;
    if (which)
        *which = -1;
    for (int i = 0; i < p->nops; i++) {
        const plan_op *op = &p->ops[i];
        if (!op->cls || !op->cls->memory)
            continue;
        double m = memory_over(op, start, at);
        if (m > longest) {
            longest = m;
            if (which)
                *which = i;
        }
    }
    return longest;
}

/* The label with its columns' runs of spaces squeezed to one. */
static void squeeze(const char *label, char *out, size_t n)
{
    size_t k = 0;
    for (const char *s = label; *s && k + 1 < n; s++)
        if (*s != ' ' || (k && out[k - 1] != ' '))
            out[k++] = *s;
    out[k] = 0;
}

int vm_segment_check(const plan *p, const vm_segment *seg, void (*note)(void *user, const char *msg), void *user)
{
    int64_t run = vm_segment_run_preroll(seg);
    if (!seg->on || run == seg->from) /* from the session start: as the whole render */
        return 0;
    int count = 0;
    double rate = p->tb.rate;
    for (int i = 0; i < p->nops; i++) {
        const plan_op *op = &p->ops[i];
        if (!op->cls || !op->cls->memory)
            continue;
        double m = memory_over(op, seg->from - run, seg->from);
        if (!(m > (double)run))
            continue;
        char name[400], msg[1200];
        squeeze(op->label ? op->label : op->cls->name, name, sizeof name);
        if (isinf(m))
            snprintf(msg, sizeof msg, "%s%s%s: never forgets (its state does not decay), so no pre-roll "
                     "settles it; render it whole", op->where ? op->where : "", op->where ? ": " : "", name);
        else
            snprintf(msg, sizeof msg, "%s%s%s: remembers %.3f s (its state falls 60 dB in that time), longer "
                     "than the pre-roll of %.2f s: the segment's start may differ from the whole render; "
                     "use --preroll %.0f or more", op->where ? op->where : "", op->where ? ": " : "", name,
                     m / rate, (double)run / rate, ceil(2 * m / rate));
        note(user, msg);
        count++;
    }
    return count;
}
