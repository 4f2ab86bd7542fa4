/* render.c - the offline driver (see render.h). Reads synchronously: there
 * is no deadline offline, so clips are opened and read on this thread. */
#include "vm/render.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/loudness.h"
#include "dsp/pcm.h"
#include "vm/limits.h"
#include "vm/normalize.h"
#include "vm/outfile.h"
#include "vm/path.h"
#include "vm/qc_series.h"
#include "vm/sched.h"
#include "vm/spool.h"
#include "vm/timecode.h"
#include "vm/tmpfile.h"

typedef struct {
    vm_outfile *file;     /* NULL for a meter (a strip measured, not written) */
    vm_spool *spool;      /* a normalised output or its stem: the first pass goes here, the
                             file is written after (vm/normalize.h) */
    dsp_loudness *meter;  /* BS.1770 / R 128; also keeps the sample peak */
    enum {
        METER_OWN,        /* fed by write_block, freed here */
        METER_QC,         /* the QC report's stream's (vm/qc_series.h): fed by write_block in
                             step with the stream, freed with it */
        METER_SAME        /* an earlier tap's that carries the same signal (two files of
                             one strip), fed there: a signal is metered once */
    } meter_use;
    float peak;           /* sample peak when not measuring */
} out_state;

/* What the block loop reads, the same for an output and a meter: taps
 * 0..noutputs are p->outputs, the rest p->meters. */
typedef struct {
    float **chans;
    int channels;
    int latency;
    vm_layout layout;
} tap_view;

static int ntaps(const plan *p)
{
    return p->noutputs + p->nmeters;
}

static tap_view tap_of(const plan *p, int i)
{
    if (i < p->noutputs) {
        const plan_output *po = &p->outputs[i];
        return (tap_view){po->chans, po->channels, po->latency, po->layout};
    }
    const plan_meter *pm = &p->meters[i - p->noutputs];
    return (tap_view){pm->chans, pm->channels, pm->latency, pm->layout};
}

static void close_all(out_state *o, int n)
{
    for (int i = 0; i < n; i++) {
        vm_outfile_abort(&o[i].file);
        vm_spool_destroy(&o[i].spool);
        if (o[i].meter_use != METER_OWN)
            o[i].meter = NULL;
        dsp_loudness_destroy(&o[i].meter);
    }
}

/* The output stage of one block: each output's part of it (from its
 * latency on, `length` frames in all) metered and written. With two threads
 * it is a task of the next block (vm/sched.h), from copies (staged), overlapping the
 * next block. */
typedef struct {
    const plan *p;
    out_state *o;
    vm_qc_series *qc;     /* NULL without a QC report */
    int64_t first, frames; /* the stretch of the session written: its first sample and length */
    float ***stage;       /* per output, per channel: max_block frames */
    int64_t pos;
    int n, pending;
    ds_result r;
    char err[DS_ERR_LEN];
} out_stage;

/* meters measured together by write_block (dsp_loudness_process_many):
 * a render's outputs and stems, in groups of this many */
#define METER_GROUP 16

/* The meters of the taps that take a whole block, measured together. */
typedef struct {
    int count;
    dsp_loudness *meter[METER_GROUP];
    const float *const *in[METER_GROUP];
    int channels[METER_GROUP];
    vm_qc_stream *qc[METER_GROUP]; /* the QC stream whose meter it is, or NULL */
} meter_group;

/* Measures the group's n frames and empties it. Where a member's QC stream
 * reaches a 100 ms step inside them, every meter's call stops there, so the
 * stream's M and S are read at the step (a meter's readings do not depend on
 * how its input is cut). */
static void meter_group_run(vm_qc_series *q, meter_group *g, int n)
{
    const float *at[METER_GROUP][VM_MAX_CHANNELS];
    const float *const *at_in[METER_GROUP];
    for (int done = 0, m; done < n && g->count > 0; done += m) {
        m = n - done;
        for (int j = 0; j < g->count; j++)
            if (g->qc[j] && vm_qc_stream_to_step(q, g->qc[j]) < m)
                m = vm_qc_stream_to_step(q, g->qc[j]);
        for (int j = 0; j < g->count; j++) {
            for (int c = 0; c < g->channels[j]; c++)
                at[j][c] = g->in[j][c] + done;
            at_in[j] = at[j];
        }
        dsp_loudness_process_many(g->meter, at_in, g->count, m);
        for (int j = 0; j < g->count; j++)
            if (g->qc[j])
                vm_qc_stream_measured(q, g->qc[j], m);
    }
    g->count = 0;
}

/* A NaN or an infinity among tap i's m frames ch (session samples from on):
 * never written, never measured. Sources are refused at their first
 * non-finite sample (vm/media.c), but a finite mix can still leave the float
 * range on its way (gains of +24 dB on fifty buses in a row, float sources
 * near 3.4e38 summed): the render stops, naming the output, where and how.
 * from is on the session's timeline (the tap's latency taken off). 0 when
 * every sample is finite; else st->r and st->err are set. */
static int stopped_nonfinite(out_stage *st, int i, const float *const *ch, int channels, int m, int64_t from)
{
    int64_t first = -1;
    int chan = 0;
    for (int c = 0; c < channels; c++) {
        int64_t k = dsp_pcm_first_nonfinite(ch[c], (size_t)(first < 0 ? m : first));
        if (k >= 0 && (first < 0 || k < first))
            first = k, chan = c;
    }
    if (first < 0)
        return 0;
    const plan *p = st->p;
    float v = ch[chan][first];
    char tc[64], what[PATH_MAX + 128];
    vm_time_format(&p->tb, from + first, tc, sizeof tc);
    if (i < p->noutputs)
        snprintf(what, sizeof what, "output '%s' (%s, from '%s')", p->outputs[i].path, p->outputs[i].where,
                 p->outputs[i].strip);
    else
        snprintf(what, sizeof what, "the meter of '%s'", p->meters[i - p->noutputs].strip);
    st->r = ds_fail(st->err, DS_ERR_FORMAT, "%s: the mix is %s at %s, channel %d: a gain or a sum took it past "
                    "the float range (3.4e38) on the way; dubstage never writes or measures a NaN or an infinity "
                    "(lower the gains that add up there)", what,
                    isnan(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity", tc, chan + 1);
    return 1;
}

static void write_block(out_stage *st, float ***chans)
{
    const plan *p = st->p;
    int64_t pos = st->pos;
    int n = st->n;
    meter_group g = {.count = 0};
    for (int i = 0; i < ntaps(p) && st->r == DS_OK; i++) {
        tap_view t = tap_of(p, i);
        int64_t from, to;
        /* the tap's stream is late by its latency: its samples [first, first
         * + frames) of the session are the stream's from first + latency */
        int64_t start = st->first + t.latency;
        from = pos > start ? pos : start;
        to = pos + n < start + st->frames ? pos + n : start + st->frames;
        if (to <= from)
            continue;
        const float *ch[VM_MAX_CHANNELS];
        int m = (int)(to - from);
        for (int c = 0; c < t.channels; c++)
            ch[c] = chans[i][c] + (from - pos);
        if (stopped_nonfinite(st, i, ch, t.channels, m, from - t.latency))
            break;
        if (st->o[i].spool)
            st->r = vm_spool_write(st->o[i].spool, ch, m, st->err);
        else if (st->o[i].file)
            st->r = vm_outfile_write(st->o[i].file, ch, m, st->err);
        /* the QC series list the outputs first, in plan order; a normalised
         * output's (and a stem's) is fed by the pass that writes its file */
        vm_qc_stream *qs = st->qc && i < p->noutputs && !st->o[i].spool ? &st->qc->streams[i] : NULL;
        int use = st->o[i].meter_use;
        if (use == METER_SAME) {
            /* measured with the earlier tap of the same signal */
        } else if (st->o[i].meter && m == n) {
            /* the whole block: metered with the others that take it whole */
            g.meter[g.count] = st->o[i].meter;
            g.in[g.count] = (const float *const *)chans[i];
            g.channels[g.count] = t.channels;
            g.qc[g.count++] = use == METER_QC ? qs : NULL;
            if (g.count == METER_GROUP)
                meter_group_run(st->qc, &g, n);
        } else if (use == METER_QC) {
            vm_qc_feed_stream(st->qc, qs, ch, m);
        } else if (st->o[i].meter) {
            dsp_loudness_process(st->o[i].meter, ch, m);
        } else {
            for (int c = 0; c < t.channels; c++)
                st->o[i].peak = dsp_loudness_sample_peak(ch[c], m, st->o[i].peak);
        }
        if (qs && use != METER_QC) /* not measuring: the stream's own meter */
            vm_qc_feed_stream(st->qc, qs, ch, m);
    }
    meter_group_run(st->qc, &g, n);
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
    for (int i = 0; stage && i < ntaps(p); i++) {
        for (int c = 0; stage[i] && c < tap_of(p, i).channels; c++)
            free(stage[i][c]);
        free(stage[i]);
    }
    free(stage);
}

/* per output, per channel: max_block frames; NULL when out of memory */
static float ***stage_alloc(const plan *p)
{
    float ***stage = calloc((size_t)(ntaps(p) ? ntaps(p) : 1), sizeof *stage);
    int ok = stage != NULL;
    for (int i = 0; ok && i < ntaps(p); i++) {
        int channels = tap_of(p, i).channels;
        ok = (stage[i] = calloc((size_t)channels, sizeof **stage)) != NULL;
        for (int c = 0; ok && c < channels; c++)
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

static void swept_silently(void *user, const char *path)
{
    (void)user;
    (void)path;
}

/* Tap i's loudness meter (BS.1770 weights by its layout: LFE 0, surrounds
 * 1.41, plain channels 1; M and S on a 10 ms grid for their maxima). With a
 * QC report, an output that the render's blocks write (not a normalised
 * one's first pass, which the report does not plot) shares its stream's
 * meter, made the same way: the same readings, measured once. */
static ds_result open_meter(const plan *p, const vm_render_opts *opts, int i, out_state *o, char *err)
{
    tap_view t = tap_of(p, i);
    if (opts->qc && i < p->noutputs && !o->spool) {
        o->meter = opts->qc->streams[i].meter;
        o->meter_use = METER_QC;
        return DS_OK;
    }
    o->meter = vm_layout_meter_create(t.layout, t.channels, (double)p->tb.rate);
    if (!o->meter)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory for the loudness meter");
    return DS_OK;
}

/* Taps that carry the same signal (the same channels from the same
 * latency: two files of one strip, a WAV master and its FLAC) read the
 * meter of the first of them, which alone is fed: the same readings,
 * measured once. Not a normalised output or its stem (their meters
 * measure the passes that write their files), nor one whose meter the QC
 * report feeds. */
static void share_meters(const plan *p, out_state *o)
{
    for (int i = 0; i < ntaps(p); i++) {
        if (!o[i].meter || o[i].meter_use != METER_OWN || o[i].spool)
            continue;
        tap_view t = tap_of(p, i);
        for (int j = 0; j < i; j++) {
            tap_view u = tap_of(p, j);
            if (o[j].meter && o[j].meter_use == METER_OWN && !o[j].spool && u.chans == t.chans &&
                u.latency == t.latency && u.channels == t.channels && u.layout == t.layout) {
                dsp_loudness_destroy(&o[i].meter);
                o[i].meter = o[j].meter;
                o[i].meter_use = METER_SAME;
                break;
            }
        }
    }
}

/* Output i's file: its format, layout, BWF fields and dither seed; the
 * file holds `frames` frames from session sample `first` on. */
static void output_config(const plan *p, int i, int64_t first, int64_t frames, vm_outfile_config *cfg)
{
    const plan_output *po = &p->outputs[i];
    vm_outfile_config_init(cfg);
    cfg->path = po->path;
    cfg->channels = po->channels;
    cfg->layout = po->layout;
    cfg->rate = p->tb.rate;
    cfg->format = po->format;
    cfg->dither = po->dither;
    cfg->dither_seed = 0x9e3779b9u ^ (uint32_t)po->place; /* the same with --output */
    cfg->time_reference = p->tb.start_samples + first;
    cfg->dither_skip_frames = first;
    cfg->description = po->strip;
    cfg->frames = frames;
}

/* Makes every output's folder, removes the stale temporary files a killed
 * render left there, opens the output's temporary file (a normalised
 * output and its stems: the spool of the first pass) and, when measuring
 * or normalising, its loudness meter; and the meters of the strips
 * measured without a file. On failure err names the output's script line
 * and path; what was opened is closed by the caller (close_all). */
static ds_result open_outputs(plan *p, const vm_render_opts *opts, out_state *o, char *err)
{
    for (int i = p->noutputs; i < ntaps(p) && opts->measure; i++) {
        ds_result r = open_meter(p, opts, i, &o[i], err);
        if (r != DS_OK)
            return r;
    }
    for (int i = 0; i < p->noutputs; i++) {
        const plan_output *po = &p->outputs[i];
        char dir[4096], why[DS_ERR_LEN];
        ds_result r;
        vm_path_dirname(po->path, dir, sizeof dir);
        if ((r = vm_path_mkdirs(dir, err)) != DS_OK) {
            snprintf(why, sizeof why, "%s", err);
            return ds_fail(err, r, "%s: cannot write output '%s': %s", po->where, po->path, why);
        }
        if ((po->normalize.on || po->follows >= 0) && opts->segment)
            return ds_fail(err, DS_ERR_ARG, "%s: output '%s' is %s: its gain comes from the whole programme, so it "
                           "cannot be rendered in segments (--from/--to); render it whole", po->where, po->path,
                           po->normalize.on ? "normalised" : "a stem of a normalised output");
        if (po->normalize.on || po->follows >= 0) {
            vm_tmpfile_sweep(dir, opts->swept ? opts->swept : swept_silently, opts->user);
            r = vm_spool_create(&o[i].spool, po->path, po->channels, err);
        } else {
            vm_outfile_config cfg;
            const vm_segment *seg = opts->segment;
            output_config(p, i, seg ? seg->from : 0, seg ? seg->to - seg->from : p->length, &cfg);
            cfg.sweep = opts->swept ? opts->swept : swept_silently;
            cfg.sweep_user = opts->user;
            r = vm_outfile_open(&o[i].file, &cfg, err);
        }
        if (r != DS_OK) {
            snprintf(why, sizeof why, "%s", err);
            return ds_fail(err, r, "%s: %s", po->where, why); /* the message names the path */
        }
        if ((opts->measure || po->normalize.on) && (r = open_meter(p, opts, i, &o[i], err)) != DS_OK)
            return r;
    }
    share_meters(p, o);
    return DS_OK;
}

/* With a pool: block [pos, pos + n)'s outputs copied into its stage, a
 * task of the pool's block once its units are done (sched_pool_set_copy),
 * so the copy runs beside the other thread's last task instead of between
 * blocks. */
static void copy_staged(void *user, int64_t pos, int n)
{
    out_stage *st = user;
    const plan *p = st->p;
    st->pos = pos;
    st->n = n;
    for (int i = 0; i < ntaps(p); i++) {
        tap_view t = tap_of(p, i);
        for (int c = 0; c < t.channels; c++)
            memcpy(st->stage[i][c], t.chans[c], (size_t)n * sizeof(float));
    }
    st->pending = 1;
}

/* Hands block [pos, pos + n) to its stage: with a pool, the copy made
 * during the block (copy_staged) is written by the pool while the next
 * block is mixed; else written here. */
static ds_result stage_block(sched_pool *pool, out_stage *st, float ***plan_chans, int64_t pos, int n,
                             char *err)
{
    if (st->r != DS_OK) /* that stage's last writing failed */
        return ds_fail(err, st->r, "%s", st->err);
    if (pool) {
        sched_pool_set_tail(pool, write_staged, st);
        return DS_OK;
    }
    st->pos = pos;
    st->n = n;
    write_block(st, plan_chans);
    if (st->r != DS_OK)
        return ds_fail(err, st->r, "%s", st->err);
    return DS_OK;
}

/* The frames of a block while two threads work (0 in the options: --block). */
static int two_block_of(const vm_render_opts *opts)
{
    return opts->two_block > 0 ? opts->two_block : opts->block;
}

/* The length of the block from pos (total: where the loop ends), of
 * `block` frames or less. */
static int block_frames(const vm_render_opts *opts, int64_t pos, int64_t total, int block)
{
    int n = total - pos < block ? (int)(total - pos) : block;
    if (opts->qc) /* a block ends on each of its gain readings: the bytes do not depend on it */
        n = vm_qc_block_frames(opts->qc, pos, n);
    return n;
}

/* Runs the plan over the whole session plus its tail and hands every block
 * to its stage. pool, stages[2] and plan_chans are run_blocks'. *nblock:
 * the blocks run. */
static ds_result block_loop(plan *p, const vm_render_opts *opts, sched_pool *pool, out_stage *stages,
                            float ***plan_chans, int64_t *nblock, char *err)
{
    /* Every output is the stream of its strip from its latency on (a
     * look-ahead limiter makes a strip late): the loop runs `tail` samples
     * past the session so each file gets exactly `length` frames, aligned
     * with the session's first sample. */
    int64_t first = stages[0].first, total = first + stages[0].frames + p->tail;
    int64_t since_progress = 0, progress_every = p->tb.rate / 10;
    /* a segment: its pre-roll first, run and not written */
    int64_t start = opts->segment ? first - vm_segment_run_preroll(opts->segment) : 0;
    /* blocks of two_block frames while two threads work, of block on one;
     * a block announced to the pool (its clips read ahead) runs as
     * announced, whichever side the choice then takes */
    int two_block = two_block_of(opts), announced = 0;
    for (int64_t pos = start, n; pos < total; pos += n, (*nblock)++) {
        int two = pool && sched_pool_next_two(pool), block = two ? two_block : opts->block;
        n = announced ? announced : block_frames(opts, pos, total, block);
        if (opts->stop && *opts->stop)
            return ds_fail(err, DS_ERR_INTERRUPTED, "interrupted: no output was written");
        if (pool) { /* the next block's clips are read during this one (on two threads) */
            int next_n = pos + n < total ? block_frames(opts, pos + n, total, block) : 0;
            if (two) /* on one thread it is written straight from the plan's outputs, below */
                sched_pool_set_copy(pool, copy_staged, &stages[*nblock % 2]);
            sched_run_block_pool(pool, pos, (int)n, next_n);
            announced = two ? next_n : 0;
        } else {
            sched_run_block(p, pos, n);
        }
        if (p->failed)
            return ds_fail(err, DS_ERR_IO, "%s", p->error);
        if (opts->qc)
            vm_qc_after_block(opts->qc, p, pos, (int)n);
        /* this block's stage: with two threads its last block (two blocks
         * ago) was written by a task of the block before, which has ended;
         * a block on one thread ran the last block's writing first and is
         * written here, as without a pool */
        ds_result r = stage_block(two ? pool : NULL, &stages[pool ? *nblock % 2 : 0], plan_chans, pos, (int)n, err);
        if (r != DS_OK)
            return r;
        since_progress += n;
        if (opts->progress && since_progress >= progress_every) {
            opts->progress(opts->user, pos + n - start, total - start);
            since_progress = 0;
        }
    }
    return DS_OK;
}

/* Two threads meet several times a block: worth it from a few hundred
 * frames on. Larger blocks while two threads work: every block, the
 * buffers the tracks write on one CPU are read by the buses on the other;
 * at 8192 frames that cost falls from 1.5x the tasks' one-thread time to
 * about 1.1x (the film mix, docs/bench.md 2026-12-06), at 64 MiB of plan
 * memory at most. */
#define TWO_MIN_BLOCK 256
#define TWO_PLAN_BYTES ((double)(64 << 20))

/* Why a render of p at `block` on `threads` (vm_render_opts) runs on one
 * thread, in words; NULL: it may use two. */
static const char *why_one_thread(const plan *p, int block, int threads)
{
    return threads == 1 ? "--threads 1"
           : block < TWO_MIN_BLOCK ? "blocks under 256 frames run on one thread"
                                   : sched_pool_unavailable(p);
}

ds_result vm_render_compile(const vm_desc *d, int block, int threads, plan **out, char *err)
{
    ds_result r = vm_compile(d, block, out, err);
    if (r != DS_OK || why_one_thread(*out, block, threads))
        return r;
    /* the plan's buffers and scratch grow with the block, the rest does
     * not: its size in proportion to the block is an upper bound */
    double bytes_per_frame = (double)(*out)->arena.used_total / block;
    int two = PLAN_MAX_BLOCK;
    while (two > block && bytes_per_frame * two > TWO_PLAN_BYTES)
        two /= 2;
    plan *larger = NULL;
    char why[DS_ERR_LEN];
    if (two <= block || vm_compile(d, two, &larger, why) != DS_OK)
        return DS_OK; /* the plan at `block` runs */
    vm_plan_free(out);
    *out = larger;
    return DS_OK;
}

/* Runs every block and writes the outputs' temporary files. With two
 * threads, two stages: block k is copied into stage k % 2 and written by
 * the pool while block k + 1 is mixed. */
static ds_result run_blocks(plan *p, const vm_render_opts *opts, out_state *o, char *err)
{
    ds_result r = DS_OK;
    vm_plan_reset(p);
    const char *why_one = why_one_thread(p, opts->block, opts->threads);
    sched_pool *pool = why_one ? NULL : sched_pool_create(p, opts->pin ? SCHED_PIN : 0);
    if (!why_one && !pool)
        why_one = "the second thread could not be started (out of memory or threads)";
    int64_t first = opts->segment ? opts->segment->from : 0;
    int64_t frames = opts->segment ? opts->segment->to - first : p->length;
    out_stage stages[2] = {{.p = p, .o = o, .qc = opts->qc, .first = first, .frames = frames, .r = DS_OK},
                           {.p = p, .o = o, .qc = opts->qc, .first = first, .frames = frames, .r = DS_OK}};
    float ***plan_chans = calloc((size_t)(ntaps(p) ? ntaps(p) : 1), sizeof *plan_chans);
    if (!plan_chans)
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < ntaps(p) && r == DS_OK; i++)
        plan_chans[i] = tap_of(p, i).chans;
    for (int k = 0; pool && k < 2 && r == DS_OK; k++)
        if (!(stages[k].stage = stage_alloc(p)))
            r = ds_fail(err, DS_ERR_NOMEM, "out of memory");
    int64_t nblock = 0;
    if (r == DS_OK)
        r = block_loop(p, opts, pool, stages, plan_chans, &nblock, err);
    if (opts->threads_used) {
        *opts->threads_used = (vm_render_threads){.threads = pool ? 2 : 1, .why_one = why_one,
                                                  .tally.blocks = {nblock, 0},
                                                  .two_block = two_block_of(opts)};
        if (pool)
            opts->threads_used->tally = sched_pool_choice(pool)->tally;
    }
    sched_pool_destroy(&pool); /* every block handed over is written */
    /* the earlier block's stage first: when both failed (a NaN from one block
     * on), the message names where it began */
    int older = stages[1].pos < stages[0].pos;
    for (int j = 0; j < 2; j++) {
        int k = j ? !older : older;
        if (stages[k].pending && r == DS_OK)
            write_staged(&stages[k]); /* not handed over (an error stopped the loop) */
        if (r == DS_OK && stages[k].r != DS_OK)
            r = ds_fail(err, stages[k].r, "%s", stages[k].err);
        stage_free(p, stages[k].stage);
    }
    free(plan_chans);
    if (r == DS_OK && opts->qc)
        vm_qc_finish(opts->qc);
    if (r == DS_OK && opts->progress) {
        int64_t run = (opts->segment ? vm_segment_run_preroll(opts->segment) : 0) + frames + p->tail;
        opts->progress(opts->user, run, run);
    }
    return r;
}

/* The passes after the first: each normalised output brought to its
 * target, then each stem written with its output's gain (vm/normalize.h).
 * rep: one per tap. */
static ds_result normalize_outputs(plan *p, const vm_render_opts *opts, out_state *o, vm_render_report *rep,
                                   char *err)
{
    for (int pass = 0; pass < 2; pass++) { /* the normalised outputs, then their stems */
        for (int i = 0; i < p->noutputs; i++) {
            const plan_output *po = &p->outputs[i];
            if (!(pass == 0 ? po->normalize.on : po->follows >= 0))
                continue;
            vm_outfile_config cfg;
            output_config(p, i, 0, p->length, &cfg); /* normalised outputs are never segments */
            vm_normalize_job job = {.spool = o[i].spool, .file = &cfg, .where = po->where, .layout = po->layout,
                                    .stop = opts->stop, .qc = opts->qc,
                                    .qc_stream = opts->qc ? &opts->qc->streams[i] : NULL,
                                    .qc_gain = vm_qc_normalize_gain(opts->qc, i),
                                    .progress = opts->pass_progress, .user = opts->user};
            vm_normalize_report *nr = &rep[i].normalize;
            ds_result r;
            if (pass == 0) {
                dsp_loudness_result m;
                dsp_loudness_get(o[i].meter, &m);
                nr->before_lufs = m.integrated_lufs;
                nr->before_true_peak_dbtp = m.true_peak_dbtp;
                r = vm_normalize_output(&job, &po->normalize, &o[i].file, nr, err);
            } else {
                nr->follows = po->follows;
                nr->gain = rep[po->follows].normalize.gain;
                r = vm_normalize_stem(&job, &o[i].file, nr, err);
            }
            vm_spool_destroy(&o[i].spool);
            if (r != DS_OK)
                return r;
        }
    }
    return DS_OK;
}

static void fill_report(const out_state *o, vm_render_report *rep)
{
    rep->sample_peak_dbfs = to_db(o->peak);
    rep->clipped = vm_outfile_clipped(o->file);
    rep->true_peak_dbtp = rep->integrated_lufs = rep->range_lu = NAN;
    rep->max_momentary_lufs = rep->max_short_term_lufs = NAN;
    if (o->meter || rep->normalize.on) {
        dsp_loudness_result m;
        if (rep->normalize.on) /* as written (a normalised output's file as checked) */
            m = rep->normalize.after.m;
        else
            dsp_loudness_get(o->meter, &m);
        rep->sample_peak_dbfs = m.sample_peak_dbfs;
        rep->true_peak_dbtp = m.true_peak_dbtp;
        rep->integrated_lufs = m.integrated_lufs;
        rep->range_lu = m.range_lu;
        rep->max_momentary_lufs = m.max_momentary_lufs;
        rep->max_short_term_lufs = m.max_short_term_lufs;
    }
}

ds_result vm_render(plan *p, const vm_render_opts *opts, vm_render_report *reports, char *err)
{
    int block = opts->block;
    if (block < 1 || block > p->max_block)
        return ds_fail(err, DS_ERR_ARG, "block size %d is out of range (1 to %d)", block, p->max_block);
    if (opts->two_block && (opts->two_block < block || opts->two_block > p->max_block))
        return ds_fail(err, DS_ERR_ARG, "two threads' block size %d is out of range (%d to %d)", opts->two_block,
                       block, p->max_block);
    if (ntaps(p) == 0) /* a mix with deliverables but no file is measured and judged */
        return ds_fail(err, DS_ERR_ARG, "the script declares no output: add output { \"out/mix.wav\", from = bus }");
    if (p->length <= 0)
        return ds_fail(err, DS_ERR_ARG, "the session is empty: it has no clips and no length");
    const vm_segment *seg = opts->segment;
    if (seg && !(seg->from >= 0 && seg->from < seg->to && seg->to <= p->length && seg->preroll >= 0))
        return ds_fail(err, DS_ERR_ARG, "segment %lld to %lld is not inside the session (0 to %lld samples)",
                       (long long)seg->from, (long long)seg->to, (long long)p->length);
    if (seg && opts->qc)
        return ds_fail(err, DS_ERR_ARG, "a QC report covers the whole programme: render it whole (without --from/--to)");

    out_state *o = calloc((size_t)ntaps(p), sizeof *o);
    vm_render_report *rep = calloc((size_t)ntaps(p), sizeof *rep);
    if (!o || !rep) {
        free(o);
        free(rep);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < ntaps(p); i++)
        rep[i].normalize.follows = -1;
    ds_result r = open_outputs(p, opts, o, err);
    if (r == DS_OK)
        r = run_blocks(p, opts, o, err);
    if (r == DS_OK)
        r = normalize_outputs(p, opts, o, rep, err);
    for (int i = 0; i < ntaps(p) && r == DS_OK; i++)
        fill_report(&o[i], &rep[i]);
    if (r == DS_OK && reports)
        memcpy(reports, rep, (size_t)ntaps(p) * sizeof *rep);
    free(rep);
    /* Commit only when every output is complete; a failed commit leaves the
     * others' temporary files to be removed below. */
    for (int i = 0; i < p->noutputs && r == DS_OK; i++) {
        if (o[i].file && (r = vm_outfile_finish(o[i].file, err)) == DS_OK && reports) {
            const char *h = vm_outfile_sha256(o[i].file);
            snprintf(reports[i].sha256, sizeof reports[i].sha256, "%s", h ? h : "");
        }
        if (r == DS_OK)
            r = vm_outfile_commit(&o[i].file, err);
    }
    close_all(o, ntaps(p));
    free(o);
    return r;
}
