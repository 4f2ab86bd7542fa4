/* render.c - the offline driver (see render.h). Reads synchronously: there
 * is no deadline offline, so clips are opened and read on this thread. */
#include "vm/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/loudness.h"
#include "vm/outfile.h"
#include "vm/path.h"
#include "vm/sched.h"

typedef struct {
    vm_outfile *file;
    dsp_loudness *meter;  /* BS.1770 / R 128; also keeps the sample peak */
    float peak;           /* sample peak when not measuring */
} out_state;

static void close_all(out_state *o, int n)
{
    for (int i = 0; i < n; i++) {
        vm_outfile_abort(&o[i].file);
        dsp_loudness_destroy(&o[i].meter);
    }
}

/* The output stage of one block: each output's part of it (from its
 * latency on, `length` frames in all) metered and written. With two threads
 * it runs on the helper from copies of the block (staged), overlapping the
 * next block. */
typedef struct {
    const plan *p;
    out_state *o;
    float ***stage;       /* per output, per channel: max_block frames */
    int64_t pos;
    int n, pending;
    ds_result r;
    char err[DS_ERR_LEN];
} out_stage;

static void write_block(out_stage *st, float ***chans)
{
    const plan *p = st->p;
    int64_t pos = st->pos;
    int n = st->n;
    for (int i = 0; i < p->noutputs && st->r == DS_OK; i++) {
        const plan_output *po = &p->outputs[i];
        int64_t from = pos > po->latency ? pos : po->latency;
        int64_t to = pos + n < po->latency + p->length ? pos + n : po->latency + p->length;
        if (to <= from)
            continue;
        const float *ch[64];
        int m = (int)(to - from);
        for (int c = 0; c < po->channels; c++)
            ch[c] = chans[i][c] + (from - pos);
        st->r = vm_outfile_write(st->o[i].file, ch, m, st->err);
        if (st->o[i].meter) {
            dsp_loudness_process(st->o[i].meter, ch, m);
        } else {
            float peak = st->o[i].peak;
            for (int c = 0; c < po->channels; c++)
                for (int k = 0; k < m; k++) {
                    float a = fabsf(ch[c][k]);
                    peak = a > peak ? a : peak;
                }
            st->o[i].peak = peak;
        }
    }
}

static void write_staged(void *user)
{
    out_stage *st = user;
    if (st->pending)
        write_block(st, st->stage);
    st->pending = 0;
}

static void stage_free(const plan *p, float ***stage)
{
    for (int i = 0; stage && i < p->noutputs; i++) {
        for (int c = 0; stage[i] && c < p->outputs[i].channels; c++)
            free(stage[i][c]);
        free(stage[i]);
    }
    free(stage);
}

/* per output, per channel: max_block frames; NULL when out of memory */
static float ***stage_alloc(const plan *p)
{
    float ***stage = calloc((size_t)(p->noutputs ? p->noutputs : 1), sizeof *stage);
    int ok = stage != NULL;
    for (int i = 0; ok && i < p->noutputs; i++) {
        ok = (stage[i] = calloc((size_t)p->outputs[i].channels, sizeof **stage)) != NULL;
        for (int c = 0; ok && c < p->outputs[i].channels; c++)
            ok = (stage[i][c] = malloc((size_t)p->max_block * sizeof(float))) != NULL;
    }
    if (!ok) {
        stage_free(p, stage);
        return NULL;
    }
    return stage;
}

static double to_db(double x)
{
    return x > 0 ? 20.0 * log10(x) : -INFINITY;
}

ds_result vm_render(plan *p, const vm_render_opts *opts, vm_render_report *reports, char *err)
{
    int block = opts->block;
    if (block < 1 || block > p->max_block)
        return ds_fail(err, DS_ERR_ARG, "block size %d is out of range (1 to %d)", block, p->max_block);
    if (p->noutputs == 0)
        return ds_fail(err, DS_ERR_ARG, "the script declares no output: add output { \"out/mix.wav\", from = bus }");
    if (p->length <= 0)
        return ds_fail(err, DS_ERR_ARG, "the session is empty: it has no clips and no length");

    out_state *o = calloc((size_t)p->noutputs, sizeof *o);
    if (!o)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    ds_result r = DS_OK;
    for (int i = 0; i < p->noutputs && r == DS_OK; i++) {
        const plan_output *po = &p->outputs[i];
        char dir[4096];
        vm_path_dirname(po->path, dir, sizeof dir);
        if ((r = vm_path_mkdirs(dir, err)) != DS_OK) {
            char why[DS_ERR_LEN];
            snprintf(why, sizeof why, "%s", err);
            ds_fail(err, r, "%s: cannot write output '%s': %s", po->where, po->path, why);
            break;
        }
        vm_outfile_config cfg;
        vm_outfile_config_init(&cfg);
        cfg.path = po->path;
        cfg.channels = po->channels;
        cfg.rate = p->tb.rate;
        cfg.format = po->format;
        cfg.dither = po->dither;
        cfg.dither_seed = 0x9e3779b9u ^ (uint32_t)i;
        cfg.time_reference = p->tb.start_samples;
        cfg.description = po->strip;
        if ((r = vm_outfile_open(&o[i].file, &cfg, err)) != DS_OK) {
            char why[DS_ERR_LEN];
            snprintf(why, sizeof why, "%s", err);
            ds_fail(err, r, "%s: %s", po->where, why); /* the message names the path */
            break;
        }
        if (opts->measure) {
            /* default BS.1770 weights by channel count (5.1 as L R C LFE
             * Ls Rs); M and S on a 10 ms grid for their maxima */
            dsp_loudness_config mc;
            dsp_loudness_config_init(&mc, (double)p->tb.rate, po->channels);
            o[i].meter = dsp_loudness_create(&mc);
            if (!o[i].meter)
                r = ds_fail(err, DS_ERR_NOMEM, "out of memory for the loudness meter");
        }
    }

    /* Every output is the stream of its strip from its latency on (a
     * look-ahead limiter makes a strip late): the loop runs `tail` samples
     * past the session so each file gets exactly `length` frames, aligned
     * with the session's first sample. */
    int64_t total = p->length + p->tail, since_progress = 0, progress_every = p->tb.rate / 10;
    vm_plan_reset(p);
    /* two threads meet twice a block: worth it from a few hundred frames on */
    sched_pool *pool = opts->threads != 1 && block >= 256 && r == DS_OK ? sched_pool_create(p) : NULL;
    /* with two threads, two stages: block k is copied into stage k % 2 and
     * written by the helper while block k + 1 is mixed */
    out_stage stages[2] = {{.p = p, .o = o, .r = DS_OK}, {.p = p, .o = o, .r = DS_OK}};
    out_stage *st = &stages[0];
    float ***plan_chans = calloc((size_t)(p->noutputs ? p->noutputs : 1), sizeof *plan_chans);
    if (!plan_chans)
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < p->noutputs && r == DS_OK; i++)
        plan_chans[i] = p->outputs[i].chans;
    for (int k = 0; pool && k < 2 && r == DS_OK; k++)
        if (!(stages[k].stage = stage_alloc(p)))
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    int64_t nblock = 0;
    for (int64_t pos = 0; r == DS_OK && pos < total; pos += block, nblock++) {
        int n = total - pos < block ? (int)(total - pos) : block;
        if (opts->stop && *opts->stop) {
            r = ds_fail(err, DS_ERR_INTERRUPTED, "interrupted: no output was written");
            break;
        }
        if (pool)
            sched_run_block_pool(pool, pos, n);
        else
            sched_run_block(p, pos, n);
        if (p->failed) {
            r = ds_fail(err, DS_ERR_IO, "%s", p->error);
            break;
        }
        /* this block's stage: with two threads the helper wrote its last
         * block (two blocks ago) before it finished its share of this one */
        st = &stages[pool ? nblock % 2 : 0];
        if (st->r != DS_OK) { /* that writing failed */
            r = ds_fail(err, st->r, "%s", st->err);
            break;
        }
        st->pos = pos;
        st->n = n;
        if (pool) { /* copies for the helper, which writes them while the next block is mixed */
            for (int i = 0; i < p->noutputs; i++)
                for (int c = 0; c < p->outputs[i].channels; c++)
                    memcpy(st->stage[i][c], p->outputs[i].chans[c], (size_t)n * sizeof(float));
            st->pending = 1;
            sched_pool_set_tail(pool, write_staged, st);
        } else {
            write_block(st, plan_chans);
            if (st->r != DS_OK)
                r = ds_fail(err, st->r, "%s", st->err);
        }
        since_progress += n;
        if (opts->progress && since_progress >= progress_every) {
            opts->progress(opts->user, pos + n, total);
            since_progress = 0;
        }
    }
    sched_pool_destroy(&pool); /* the helper has written every block it was handed */
    for (int k = 0; k < 2; k++) {
        if (stages[k].pending && r == DS_OK)
            write_staged(&stages[k]); /* not handed over (an error stopped the loop) */
        if (r == DS_OK && stages[k].r != DS_OK)
            r = ds_fail(err, stages[k].r, "%s", stages[k].err);
        stage_free(p, stages[k].stage);
    }
    free(plan_chans);
    if (r == DS_OK && opts->progress)
        opts->progress(opts->user, total, total);

    for (int i = 0; i < p->noutputs && r == DS_OK; i++) {
        if (reports) {
            vm_render_report *rep = &reports[i];
            rep->sample_peak_dbfs = to_db(o[i].peak);
            rep->clipped = vm_outfile_clipped(o[i].file);
            rep->true_peak_dbtp = rep->integrated_lufs = rep->range_lu = NAN;
            rep->max_momentary_lufs = rep->max_short_term_lufs = NAN;
            if (o[i].meter) {
                dsp_loudness_result m;
                dsp_loudness_get(o[i].meter, &m);
                rep->sample_peak_dbfs = m.sample_peak_dbfs;
                rep->true_peak_dbtp = m.true_peak_dbtp;
                rep->integrated_lufs = m.integrated_lufs;
                rep->range_lu = m.range_lu;
                rep->max_momentary_lufs = m.max_momentary_lufs;
                rep->max_short_term_lufs = m.max_short_term_lufs;
            }
        }
    }
    /* Commit only when every output is complete; a failed commit leaves the
     * others' temporary files to be removed below. */
    for (int i = 0; i < p->noutputs && r == DS_OK; i++)
        r = vm_outfile_commit(&o[i].file, err);
    close_all(o, p->noutputs);
    free(o);
    return r;
}
