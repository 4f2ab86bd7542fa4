/* qc_series.h - the measurements a QC report plots against time
 * (`dubstage render --report DIR`, docs/report.md), collected while the
 * offline driver renders (vm/render.c).
 *
 * Time is cut into points of `interval` samples from the session start:
 * 100 ms (rate / 10, rounded, the loudness meter's hop), or a whole
 * multiple of it when the programme has more than VM_QC_MAX_POINTS of
 * them, so memory is bounded whatever the length (a 2-hour film: 72,000
 * points of 100 ms). Point k covers samples [k * interval,
 * (k + 1) * interval) (the last may be shorter); per point:
 *
 *   streams   every output, and every bus that no output records (its
 *             post-fader signal, read as late as its latency like an
 *             output): momentary and short-term loudness (BS.1770-4 with the
 *             layout's weights, dsp/loudness.h) of the windows ending on
 *             each 100 ms step inside the point, the loudest of them; true
 *             peak of each channel over the point's samples, never below its
 *             largest sample (the same meter's, dsp_loudness_take_true_peaks).
 *             Plus the whole
 *             programme's measures from the same meter.
 *   gains     every op with a gain readout (compressors, expanders, gates,
 *             limiters, realtime ducks: plan_op_class.meter_db) read every
 *             10 ms of session time (hop / 10 samples) at the time the op's
 *             signal belongs to (its offset taken off), the deepest reading
 *             of the point; and every offline-analysed duck (the TARGET.duck
 *             and TARGET.bandduck gain layers, vm/duck.h) at the same
 *             instants; and each normalised output's limiter (vm/normalize.h)
 *             over every frame of the pass that writes the file.
 *
 * All memory is taken by vm_qc_create, sized from the plan's length. The
 * render calls vm_qc_feed_stream / vm_qc_after_block on its audio path:
 * they never allocate, lock or do I/O. An output's stream is fed by the
 * render's output stage (maybe on the helper thread), the buses and gains
 * by the block loop; no stream is touched by both. Every value depends only
 * on sample positions counted from the session start, never on how the
 * render cuts its blocks, as long as the render ends a block on every gain
 * reading instant (vm_qc_block_frames). */
#ifndef VM_QC_SERIES_H
#define VM_QC_SERIES_H

#include <stdint.h>

#include "dsp/loudness.h"
#include "vm/desc.h"
#include "vm/plan.h"
#include "vm/result.h"

#define VM_QC_MAX_POINTS 100000
#define VM_QC_GAIN_READS_PER_HOP 10 /* gain readings per 100 ms */

typedef struct {
    const char *name;       /* an output's path, a bus's name (the plan's strings) */
    const char *strip;      /* the strip it measures */
    int output;             /* its index in plan.outputs, or -1 for a bus */
    int strip_index;
    int channels;
    vm_layout layout;
    int latency;            /* its signal runs this late: metered from there on */
    dsp_loudness *meter;    /* the stream's; an output's is also the one the render reports
                               (vm/render.c), so it is metered once */
    double m_window, s_window; /* the loudest M and S of the current point, LUFS */
    int64_t fed;            /* frames measured so far */
    float *momentary_lufs;  /* npoints; -inf: silence or before the first window */
    float *short_term_lufs; /* npoints */
    float *true_peak_dbtp;  /* channels * npoints: channel c's point k at [c * npoints + k] */
} vm_qc_stream;

typedef struct {
    char name[200];         /* "dyn bus 'MX' compressor", "DIA 1.duck", "normalize 'out/PM.wav' limiter" */
    const char *kind;       /* "dyn", "limit", "duck" (an op's class), "duck lane", "band duck lane",
                               "normalize limiter" */
    const plan_op *op;      /* NULL for a duck lane or a normaliser (not an op of the plan) */
    int output;             /* a normalised output's limiter: its index in plan.outputs; else -1 */
    float *gain_db;         /* npoints: the deepest reading (<= 0 is reduction); NaN: none */
} vm_qc_gain;

typedef struct vm_qc_series {
    int rate;
    int hop;                /* samples per 100 ms */
    int interval;           /* samples per point: hop * (programmes longer than VM_QC_MAX_POINTS hops: more) */
    int read_every;         /* samples between gain readings (hop / 10) */
    int64_t length;         /* samples of programme */
    int npoints;
    vm_qc_stream *streams;  /* the outputs in plan order, then the buses */
    int nstreams;
    vm_qc_gain *gains;
    int ngains;
} vm_qc_series;

/* Makes the series for plan p compiled from d, with d->live_meters set so
 * that every bus is tapped (a bus whose signal the plan does not keep is
 * left out). Reads the offline ducks' gain layers from d now. *out is NULL
 * on failure (out of memory, a lane the compiler also refuses). */
ds_result vm_qc_create(const plan *p, const vm_desc *d, vm_qc_series **out, char *err);

/* Frees q and sets *q to NULL; NULL is fine. */
void vm_qc_free(vm_qc_series **q);

/* Measures the next n frames of stream s (ch[c][0..n), from its first
 * frame on, q->length frames in all). No allocation. */
void vm_qc_feed_stream(vm_qc_series *q, vm_qc_stream *s, const float *const *ch, int n);

/* The same in two halves, for a caller that feeds s->meter itself (the
 * render meters its outputs together, dsp_loudness_process_many): the
 * frames s takes before its next 100 ms step (1 .. hop), where its meter
 * must be read, so no call may run past it; and, after s->meter measured
 * the stream's next n of them, its M and S read at the step and its point
 * stored at a point's end. No allocation. */
int vm_qc_stream_to_step(const vm_qc_series *q, const vm_qc_stream *s);
void vm_qc_stream_measured(vm_qc_series *q, vm_qc_stream *s, int n);

/* After the plan ran block [pos, pos + n): feeds each bus its part of it
 * and, when pos + n is a gain reading instant, reads every op's gain. */
void vm_qc_after_block(vm_qc_series *q, const plan *p, int64_t pos, int n);

/* How many of the n frames from pos the next block may take so that it
 * ends on the next gain reading instant at the latest. */
int vm_qc_block_frames(const vm_qc_series *q, int64_t pos, int n);

/* After the last block: the last point, when shorter than an interval. */
void vm_qc_finish(vm_qc_series *q);
/* The same for stream s alone (a stream fed after the render's blocks). */
void vm_qc_finish_stream(vm_qc_series *q, vm_qc_stream *s);

/* The gain series of normalised output `output`'s limiter (vm/normalize.h),
 * or NULL when that output is not normalised. Its passes fill it: each
 * starts it again (vm_qc_gain_restart) and lowers point k to the deepest
 * reduction of the frames of point k it limited (vm_qc_gain_keep). */
vm_qc_gain *vm_qc_normalize_gain(vm_qc_series *q, int output);
/* Every point of g read as 0 dB (no reduction): a pass reads every frame. */
void vm_qc_gain_restart(vm_qc_series *q, vm_qc_gain *g);
/* Point of session sample t lowered to gain_db if deeper. No allocation. */
void vm_qc_gain_keep(vm_qc_series *q, vm_qc_gain *g, int64_t t, double gain_db);

/* Forgets everything stream s was fed: the next frame fed is its first
 * again. A normalised output's stream is fed by the pass that writes its
 * file (vm/normalize.h), which may run more than once. No allocation. */
void vm_qc_stream_restart(vm_qc_series *q, vm_qc_stream *s);

/* The part [*from, *to) of block [pos, pos + n) that belongs to a stream
 * running `latency` samples late over `length` frames; *to <= *from: none.
 * (The render's outputs are cut the same way.) */
void vm_qc_stream_span(int64_t pos, int n, int latency, int64_t length, int64_t *from, int64_t *to);

#endif
