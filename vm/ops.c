/* ops.c - the run functions of the plan's ops. Each is a plain loop over
 * the block; gains are per-sample functions of the absolute session position,
 * so the output does not depend on where blocks begin. */
#include "vm/ops.h"

#include <string.h>

#include "dsp/mix.h"

void op_clear(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_clear_args *a = args;
    for (int c = 0; c < a->nch; c++)
        dsp_mix_clear(a->chans[c], n);
}

void op_gain(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_gain_args *a = args;
    for (int c = 0; c < a->nch; c++)
        dsp_mix_scale(a->chans[c], a->gain, n);
}

void op_mix(plan *p, void *args, int64_t pos, int n)
{
    (void)p, (void)pos;
    op_mix_args *a = args;
    for (int t = 0; t < a->nterms; t++)
        dsp_mix_add_scaled(a->dst[t], a->src[t], a->coef[t], n);
}

/* Per-sample gain of clip c for clip-relative samples [k0, k0 + n). Returns
 * 1 when the gain is the constant clip gain over the whole stretch. */
static int clip_envelope(const op_clip *c, int64_t k0, int n, float *env)
{
    int64_t fade_out_start = c->length - c->fade_out;
    if (k0 >= c->fade_in && k0 + n <= fade_out_start)
        return 1;
    for (int i = 0; i < n; i++) {
        int64_t k = k0 + i;
        double g = c->gain;
        if (k < c->fade_in)
            g *= dsp_fade_gain(c->fade_in_curve, (double)k / (double)c->fade_in);
        if (k >= fade_out_start)
            g *= dsp_fade_gain(c->fade_out_curve, (double)(c->length - k) / (double)c->fade_out);
        env[i] = (float)g;
    }
    return 0;
}

static void clip_remove_active(op_clips_args *a, int i)
{
    vm_media_close(&a->readers[i]);
    for (int j = i + 1; j < a->nactive; j++) {
        a->active[j - 1] = a->active[j];
        a->readers[j - 1] = a->readers[j];
    }
    a->nactive--;
    a->readers[a->nactive] = NULL;
}

void op_clips(plan *p, void *args, int64_t pos, int n)
{
    op_clips_args *a = args;
    int64_t end = pos + n;
    for (int c = 0; c < a->nch; c++)
        dsp_mix_clear(a->out[c], n);

    /* Clips are played one after the other in start order, and a clip that
     * starts in this block is admitted only once every clip before it has
     * played its part of the block and, if it ends here, left. So the slots
     * in use never exceed the clips that overlap at one instant (maxactive),
     * however many start and end inside one block, and every sample gets
     * its clips added in start order, as at --block 1. */
    for (int i = 0;;) {
        if (i == a->nactive) {
            if (a->next >= a->nclips || a->clips[a->next].at >= end)
                break;
            const op_clip *c = &a->clips[a->next];
            if (c->at + c->length > pos && a->nactive < a->maxactive) {
                a->active[a->nactive] = a->next;
                a->readers[a->nactive] = NULL;
                a->nactive++;
            }
            a->next++;
            continue;
        }
        const op_clip *c = &a->clips[a->active[i]];
        int64_t s0 = pos > c->at ? pos : c->at;
        int64_t e0 = end < c->at + c->length ? end : c->at + c->length;
        int len = (int)(e0 - s0);
        if (len > 0) {
            if (!a->readers[i]) {
                if (vm_media_open(&a->readers[i], c->path, p->tb.rate, c->from + (s0 - c->at), p->error) != DS_OK) {
                    p->failed = 1;
                    return;
                }
            }
            if (vm_media_read(a->readers[i], a->scratch, len, p->error) != DS_OK) {
                p->failed = 1;
                return;
            }
            int constant = clip_envelope(c, s0 - c->at, len, a->env);
            float g = (float)c->gain;
            int fc = c->file_channels, off = (int)(s0 - pos);
            if (constant && fc == 1) {
                for (int ch = 0; ch < a->nch; ch++)
                    dsp_mix_add_scaled(a->out[ch] + off, a->scratch, g, len);
            } else if (constant && fc == 2 && a->nch == 2 && !c->channel) {
                dsp_mix_add_scaled_deinterleave2(a->out[0] + off, a->out[1] + off, a->scratch, g, len);
            } else {
                for (int ch = 0; ch < a->nch; ch++) {
                    int src = c->channel ? c->channel - 1 : (fc == 1 ? 0 : ch);
                    float *restrict dst = a->out[ch] + off;
                    const float *restrict in = a->scratch + src;
                    if (constant)
                        for (int k = 0; k < len; k++)
                            dst[k] += g * in[(size_t)k * fc];
                    else
                        for (int k = 0; k < len; k++)
                            dst[k] += a->env[k] * in[(size_t)k * fc];
                }
            }
        }
        if (c->at + c->length <= end)
            clip_remove_active(a, i);
        else
            i++;
    }
}

void op_clips_reset(op_clips_args *a)
{
    while (a->nactive > 0)
        clip_remove_active(a, a->nactive - 1);
    a->next = 0;
}
