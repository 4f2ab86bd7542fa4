/* audio_diff.c - the null test of two audio files (vm/audio_diff.h). */
#include "vm/audio_diff.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* frames a block: 64k frames of 6 channels is 1.5 MiB a file, large
 * enough that libsndfile's per-call cost vanishes */
#define DIFF_BLOCK_FRAMES 65536

void vm_audio_diff_free(vm_audio_diff *d)
{
    for (int c = 0; d->ch && c < d->channels; c++)
        free(d->ch[c].spans);
    free(d->ch);
    d->ch = NULL;
}

/* The span being built for a channel (open: end > start). */
typedef struct {
    vm_audio_diff_span open;
} span_builder;

static void span_close(vm_audio_diff_channel *ch, span_builder *sb)
{
    if (sb->open.end <= sb->open.start)
        return;
    if (ch->nspans < VM_AUDIO_DIFF_SPANS)
        ch->spans[ch->nspans++] = sb->open;
    else
        ch->spans_unlisted++;
    sb->open.start = sb->open.end = 0;
}

/* Channel c of n frames: x from a (stride sa), y from b (stride sb), the
 * first at sample pos. The common case, identical samples, costs one
 * compare. */
static void compare_channel(vm_audio_diff_channel *ch, span_builder *sp, const float *x, int sa, const float *y,
                            int sb, int n, int64_t pos, double threshold, int64_t gap)
{
    double sum = 0, peak = ch->peak;
    for (int i = 0; i < n; i++) {
        double d = (double)x[(size_t)i * (size_t)sa] - (double)y[(size_t)i * (size_t)sb];
        if (d == 0)
            continue;
        int64_t at = pos + i;
        double ad = fabs(d);
        sum += d * d;
        if (ch->first < 0)
            ch->first = at;
        ch->last = at;
        if (ad > peak) {
            peak = ad;
            ch->peak_at = at;
        }
        if (ad > threshold) {
            ch->above++;
            vm_audio_diff_span *s = &sp->open;
            if (s->end > s->start && at - s->end < gap) {
                s->end = at + 1;
            } else {
                span_close(ch, sp);
                s->start = at, s->end = at + 1, s->peak = 0;
            }
            if (ad > s->peak)
                s->peak = ad, s->peak_at = at;
        }
    }
    ch->peak = peak;
    ch->sum_squares += sum;
}

ds_result vm_audio_diff_files(const char *a, const char *b, const vm_audio_diff_opts *opts, vm_audio_diff *out,
                              char *err)
{
    memset(out, 0, sizeof *out);
    ds_result r = vm_media_probe(a, &out->a, err);
    if (r == DS_OK)
        r = vm_media_probe(b, &out->b, err);
    if (r != DS_OK || out->a.rate != out->b.rate)
        return r;
    int channels = out->a.channels < out->b.channels ? out->a.channels : out->b.channels;
    int64_t frames = out->a.frames < out->b.frames ? out->a.frames : out->b.frames;
    int ca = out->a.channels, cb = out->b.channels;
    int64_t gap = (int64_t)llround(opts->gap_s * out->a.rate);
    float *xa = malloc((size_t)DIFF_BLOCK_FRAMES * (size_t)ca * sizeof *xa);
    float *xb = malloc((size_t)DIFF_BLOCK_FRAMES * (size_t)cb * sizeof *xb);
    span_builder *sp = calloc((size_t)channels, sizeof *sp);
    out->ch = calloc((size_t)channels, sizeof *out->ch);
    vm_media_reader *ra = NULL, *rb = NULL;
    if (!xa || !xb || !sp || !out->ch) {
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory comparing '%s' and '%s'", a, b);
        goto done;
    }
    out->channels = channels;
    out->frames = frames;
    for (int c = 0; c < channels; c++) {
        vm_audio_diff_channel *ch = &out->ch[c];
        ch->peak_at = ch->first = ch->last = -1;
        if (!(ch->spans = malloc(VM_AUDIO_DIFF_SPANS * sizeof *ch->spans))) {
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory comparing '%s' and '%s'", a, b);
            goto done;
        }
    }
    /* the files as probed: one that changed since is an error naming it */
    r = vm_media_open_expect(&ra, a, &out->a, out->a.rate, 0, err);
    if (r == DS_OK)
        r = vm_media_open_expect(&rb, b, &out->b, out->b.rate, 0, err);
    for (int64_t pos = 0; r == DS_OK && pos < frames; pos += DIFF_BLOCK_FRAMES) {
        int n = frames - pos < DIFF_BLOCK_FRAMES ? (int)(frames - pos) : DIFF_BLOCK_FRAMES;
        if ((r = vm_media_read(ra, xa, n, err)) != DS_OK || (r = vm_media_read(rb, xb, n, err)) != DS_OK)
            break;
        for (int c = 0; c < channels; c++)
            compare_channel(&out->ch[c], &sp[c], xa + c, ca, xb + c, cb, n, pos, opts->threshold, gap);
    }
    for (int c = 0; r == DS_OK && c < channels; c++)
        span_close(&out->ch[c], &sp[c]);
done:
    vm_media_close(&ra);
    vm_media_close(&rb);
    free(sp);
    free(xa);
    free(xb);
    return r;
}
