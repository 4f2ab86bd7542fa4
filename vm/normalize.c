/* normalize.c - the passes after the render that bring an output to its
 * loudness target (see normalize.h). */
#include "vm/normalize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "vm/limits.h"

/* One pass's working memory: the block read from the spool, and (with a
 * limiter) the gained input of the last `latency` frames and this block,
 * to tell which output frames the limiter changed. */
typedef struct {
    int channels, latency;
    float *block[VM_MAX_CHANNELS];  /* VM_SPOOL_FRAMES */
    float *gained[VM_MAX_CHANNELS]; /* latency + VM_SPOOL_FRAMES: input * gain, from pos - latency */
    dsp_limiter limiter;
    void *limiter_memory;
    dsp_loudness *meter;
    int meter_is_qc;        /* meter is the QC report's stream's, fed and freed by it */
} pass_state;

static void pass_free(pass_state *ps)
{
    for (int c = 0; c < ps->channels; c++) {
        free(ps->block[c]);
        free(ps->gained[c]);
    }
    free(ps->limiter_memory);
    if (ps->meter_is_qc)
        ps->meter = NULL;
    dsp_loudness_destroy(&ps->meter);
    memset(ps, 0, sizeof *ps);
}

/* limiter_ceiling: NAN for none. */
static ds_result pass_alloc(pass_state *ps, const vm_normalize_job *job, double limiter_ceiling, char *err)
{
    const vm_outfile_config *f = job->file;
    memset(ps, 0, sizeof *ps);
    ps->channels = f->channels;
    int ok = 1;
    if (!isnan(limiter_ceiling)) {
        dsp_limiter_params lp = {.ceiling_dbtp = limiter_ceiling, .lookahead_s = VM_NORMALIZE_LOOKAHEAD_S,
                                 .release_s = VM_NORMALIZE_RELEASE_S};
        size_t bytes = dsp_limiter_heap_size(f->channels, (double)f->rate, &lp);
        ok = bytes > 0 && (ps->limiter_memory = malloc(bytes)) != NULL;
        if (ok) {
            dsp_limiter_init(&ps->limiter, ps->limiter_memory, f->channels, (double)f->rate, &lp);
            ps->latency = dsp_limiter_latency(&ps->limiter);
        }
    }
    for (int c = 0; ok && c < f->channels; c++) {
        ok = (ps->block[c] = malloc(VM_SPOOL_FRAMES * sizeof(float))) != NULL;
        if (ok && ps->limiter_memory)
            ok = (ps->gained[c] = calloc((size_t)(ps->latency + VM_SPOOL_FRAMES), sizeof(float))) != NULL;
    }
    /* with a QC report, the stream it plots for this file is measured by
     * the same meter (made the same way, restarted by each pass): the file
     * is metered once */
    if (ok && job->qc)
        ps->meter = job->qc_stream->meter, ps->meter_is_qc = 1;
    else if (ok)
        ok = (ps->meter = vm_layout_meter_create(job->layout, f->channels, (double)f->rate)) != NULL;
    if (!ok) {
        pass_free(ps);
        return ds_fail(err, DS_ERR_NOMEM, "%s: out of memory normalising '%s'", job->where, f->path);
    }
    return DS_OK;
}

/* Notes output frames [at, at + n) of the file, whose gained input is
 * gained[c][0..n) and output out[c][0..n), in act, and each limited
 * frame's reduction in the QC report's series when job has one. */
static void note_activity(const vm_normalize_job *job, vm_limiter_activity *act, int64_t *last_limited, int join,
                          float *const *gained, float *const *out, int channels, int64_t at, int n)
{
    for (int i = 0; i < n; i++) {
        int limited = 0;
        double reduction = 1.0;
        for (int c = 0; c < channels; c++) {
            float x = gained[c][i], y = out[c][i];
            if (x == y)
                continue;
            limited = 1;
            double ax = fabs((double)x), ay = fabs((double)y);
            if (ay > 0 && ax / ay > reduction)
                reduction = ax / ay;
        }
        if (!limited)
            continue;
        int64_t frame = at + i;
        if (*last_limited < 0 || frame - *last_limited > join) {
            if (act->nfirst < VM_NORMALIZE_FIRST_SEGMENTS)
                act->first_at[act->nfirst++] = frame;
            act->segments++;
        }
        *last_limited = frame;
        act->limited_frames++;
        double db = 20.0 * log10(reduction);
        if (db > act->max_reduction_db)
            act->max_reduction_db = db;
        if (job->qc_gain)
            vm_qc_gain_keep(job->qc, job->qc_gain, frame, -db);
    }
}

/* One pass: the spool times gain, through the limiter when ps has one,
 * metered and written to file (NULL: not written). The limiter's latency
 * is taken off: the file's frame k is the spool's frame k. */
static ds_result run_pass(const vm_normalize_job *job, pass_state *ps, float gain, int pass, vm_outfile *file,
                          vm_limiter_activity *act, char *err)
{
    const int channels = ps->channels, latency = ps->latency;
    const int64_t frames = vm_spool_frames(job->spool);
    const int64_t progress_every = job->file->rate / 10;
    int64_t last_limited = -1, since_progress = 0;
    memset(act, 0, sizeof *act);
    if (job->qc)
        vm_qc_stream_restart(job->qc, job->qc_stream);
    if (job->qc_gain)
        vm_qc_gain_restart(job->qc, job->qc_gain);
    for (int64_t pos = 0; pos < frames + latency; pos += VM_SPOOL_FRAMES) {
        int n = frames + latency - pos < VM_SPOOL_FRAMES ? (int)(frames + latency - pos) : VM_SPOOL_FRAMES;
        if (job->stop && *job->stop)
            return ds_fail(err, DS_ERR_INTERRUPTED, "interrupted: no output was written");
        ds_result r = vm_spool_read(job->spool, pos, ps->block, n, err);
        if (r != DS_OK)
            return r;
        for (int c = 0; c < channels; c++) {
            float *x = ps->block[c];
            for (int i = 0; i < n; i++)
                x[i] *= gain;
        }
        /* output frame i of this block is input frame pos + i - latency */
        int skip = pos < latency ? (int)(latency - pos) : 0;
        if (skip > n)
            skip = n;
        int64_t at = pos + skip - latency;
        int m = n - skip;
        if (at + m > frames)
            m = (int)(frames - at);
        const float *out[VM_MAX_CHANNELS];
        if (ps->limiter_memory) {
            for (int c = 0; c < channels; c++)
                memcpy(ps->gained[c] + latency, ps->block[c], (size_t)n * sizeof(float));
            dsp_limiter_process(&ps->limiter, ps->block, n);
            float *gained_at[VM_MAX_CHANNELS], *out_at[VM_MAX_CHANNELS];
            for (int c = 0; c < channels; c++) {
                gained_at[c] = ps->gained[c] + skip;
                out_at[c] = ps->block[c] + skip;
            }
            if (m > 0)
                note_activity(job, act, &last_limited, latency, gained_at, out_at, channels, at, m);
            for (int c = 0; c < channels; c++) /* keep the last `latency` gained frames */
                memmove(ps->gained[c], ps->gained[c] + n, (size_t)latency * sizeof(float));
        }
        if (m <= 0)
            continue;
        for (int c = 0; c < channels; c++)
            out[c] = ps->block[c] + skip;
        if (ps->meter_is_qc)
            vm_qc_feed_stream(job->qc, job->qc_stream, out, m);
        else
            dsp_loudness_process(ps->meter, out, m);
        if (file && (r = vm_outfile_write(file, out, m, err)) != DS_OK)
            return r;
        since_progress += m;
        if (job->progress && since_progress >= progress_every) {
            job->progress(job->user, job->file->path, pass, at + m, frames);
            since_progress = 0;
        }
    }
    if (job->qc)
        vm_qc_finish_stream(job->qc, job->qc_stream);
    if (job->progress)
        job->progress(job->user, job->file->path, pass, frames, frames);
    return DS_OK;
}

static double gain_db_of(float gain)
{
    return 20.0 * log10((double)gain);
}

/* One pass at gain_db, written to a new *file; the measured loudness in
 * *result. On failure the file is removed. */
static ds_result pass_at(const vm_normalize_job *job, double limiter_ceiling, float gain, int pass, vm_outfile **file,
                         vm_limiter_activity *act, dsp_loudness_result *result, char *err)
{
    pass_state ps;
    ds_result r = pass_alloc(&ps, job, limiter_ceiling, err);
    if (r != DS_OK)
        return r;
    char why[DS_ERR_LEN];
    if ((r = vm_outfile_open(file, job->file, why)) != DS_OK)
        r = ds_fail(err, r, "%s: %s", job->where, why);
    if (r == DS_OK)
        r = run_pass(job, &ps, gain, pass, *file, act, err);
    if (r == DS_OK)
        dsp_loudness_get(ps.meter, result);
    else
        vm_outfile_abort(file);
    pass_free(&ps);
    return r;
}

/* The weights in the file's channel order, for measuring what was written. */
static void file_weights(const vm_normalize_job *job, double *out, char *from, size_t n)
{
    int order[VM_MAX_CHANNELS];
    int channels = job->file->channels;
    vm_layout_file_order(job->layout, channels, order);
    for (int k = 0; k < channels; k++)
        out[k] = vm_layout_weight(job->layout, order[k]);
    snprintf(from, n, "the output's layout (%s)", vm_layout_name(job->layout));
}

/* The written file, measured as `dubstage loudness` measures a file: within
 * the tolerance of the target and at or under the ceiling. */
static ds_result verify(const vm_normalize_job *job, const vm_normalize_desc *target, vm_outfile *file,
                        vm_normalize_report *rep, char *err)
{
    double weights[VM_MAX_CHANNELS];
    char from[64], why[DS_ERR_LEN];
    ds_result r = vm_outfile_finish(file, err);
    if (r != DS_OK)
        return r;
    file_weights(job, weights, from, sizeof from);
    if ((r = vm_file_loudness_measure_weighted(vm_outfile_temp_path(file), weights, from, &rep->after, why)) != DS_OK)
        return ds_fail(err, r, "%s: cannot check what was written for '%s': %s", job->where, job->file->path, why);
    const dsp_loudness_result *m = &rep->after.m;
    if (!(fabs(m->integrated_lufs - target->integrated_lufs) <= VM_NORMALIZE_TOLERANCE_LU))
        return ds_fail(err, DS_ERR_ARG, "%s: '%s' was written at %.2f LUFS, not within %.1f LU of the target %.1f "
                       "LUFS: not delivered", job->where, job->file->path, m->integrated_lufs,
                       VM_NORMALIZE_TOLERANCE_LU, target->integrated_lufs);
    if (!(m->true_peak_dbtp <= target->true_peak_dbtp))
        return ds_fail(err, DS_ERR_ARG, "%s: '%s' was written with a true peak of %.2f dBTP, over the ceiling "
                       "%.1f dBTP: not delivered", job->where, job->file->path, m->true_peak_dbtp,
                       target->true_peak_dbtp);
    return DS_OK;
}

ds_result vm_normalize_output(const vm_normalize_job *job, const vm_normalize_desc *target, vm_outfile **file,
                              vm_normalize_report *rep, char *err)
{
    rep->on = 1;
    rep->follows = -1;
    rep->target_lufs = target->integrated_lufs;
    rep->ceiling_dbtp = target->true_peak_dbtp;
    *file = NULL;
    if (!isfinite(rep->before_lufs))
        return ds_fail(err, DS_ERR_ARG, "%s: cannot normalise '%s' to %.1f LUFS: it is silent (no 400 ms block "
                       "above the -70 LUFS gate)", job->where, job->file->path, target->integrated_lufs);
    /* secant steps on I(gain), which rises by 1 LU a dB until the limiter
     * acts and less after; the slope is kept within (0.05, 1] */
    double gain_db = target->integrated_lufs - rep->before_lufs, prev_gain_db = NAN, prev_lufs = NAN;
    dsp_loudness_result m;
    for (int pass = 1;; pass++) {
        float gain = (float)pow(10.0, gain_db / 20.0);
        ds_result r =
            pass_at(job, target->true_peak_dbtp - VM_NORMALIZE_GUARD_DB, gain, pass, file, &rep->limiter, &m, err);
        if (r != DS_OK)
            return r;
        rep->passes = pass;
        rep->gain = gain;
        rep->gain_db = gain_db_of(gain);
        double miss = target->integrated_lufs - m.integrated_lufs;
        if (fabs(miss) <= VM_NORMALIZE_AIM_LU)
            break;
        if (pass == VM_NORMALIZE_MAX_PASSES || !isfinite(miss)) {
            vm_outfile_abort(file);
            return ds_fail(err, DS_ERR_ARG, "%s: cannot bring '%s' to %.1f LUFS under a %.1f dBTP ceiling: after %d "
                           "passes it reads %.2f LUFS, with %.1f dB of gain and up to %.1f dB of limiting (a lower "
                           "target or a higher ceiling would)", job->where, job->file->path,
                           target->integrated_lufs, target->true_peak_dbtp, pass, m.integrated_lufs,
                           rep->gain_db, rep->limiter.max_reduction_db);
        }
        double slope = 1.0;
        if (!isnan(prev_gain_db) && rep->gain_db != prev_gain_db)
            slope = (m.integrated_lufs - prev_lufs) / (rep->gain_db - prev_gain_db);
        if (!(slope > 0.05))
            slope = 0.05;
        if (slope > 1.0)
            slope = 1.0;
        prev_gain_db = rep->gain_db;
        prev_lufs = m.integrated_lufs;
        vm_outfile_abort(file);
        gain_db = rep->gain_db + miss / slope;
    }
    ds_result r = verify(job, target, *file, rep, err);
    if (r != DS_OK)
        vm_outfile_abort(file);
    return r;
}

ds_result vm_normalize_stem(const vm_normalize_job *job, vm_outfile **file, vm_normalize_report *rep, char *err)
{
    rep->on = 1;
    rep->passes = 1;
    rep->gain_db = gain_db_of(rep->gain);
    memset(&rep->limiter, 0, sizeof rep->limiter);
    *file = NULL;
    ds_result r = pass_at(job, NAN, rep->gain, 1, file, &rep->limiter, &rep->after.m, err);
    if (r == DS_OK && (r = vm_outfile_finish(*file, err)) != DS_OK)
        vm_outfile_abort(file);
    return r;
}
