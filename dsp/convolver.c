/* convolver.c - partitioned overlap-save convolution, a head of partitions
 * of P and, for a long IR, a tail of partitions of K P (see convolver.h).
 * Spectra are kept split (re[], im[]) so the multiply-add over the delay
 * lines, where the time goes for a long IR, is four plain float arrays
 * that the compiler vectorises (DSP_HOT: an AVX2 clone where the CPU has
 * it, the same bits). */
#include "dsp/convolver.h"
#include "dsp/simd.h"

#include <fftw3.h>
#include <pthread.h>
#include <string.h>

/* FFTW's planner (plan making and destroying) is not thread-safe. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

#define ALIGN 64
#define ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define K DSP_CONV_TAIL_RATIO

int dsp_convolver_partition_ok(int p)
{
    return p >= DSP_CONVOLVER_MIN_PARTITION && p <= DSP_CONVOLVER_MAX_PARTITION && (p & (p - 1)) == 0;
}

int dsp_convolver_ir_channels(dsp_conv_routing r, int nch)
{
    switch (r) {
    case DSP_CONV_SHARED: return 1;
    case DSP_CONV_PARALLEL: return nch;
    case DSP_CONV_TRUE_STEREO: return nch == 2 ? 4 : 0;
    }
    return 0;
}

static int stride_of(int partition)
{
    return ROUND_UP(partition + 1, 16);
}

/* The next piece of `bytes` of mem at *at (NULL when only counting). */
static void *take(char *mem, size_t *at, size_t bytes)
{
    void *p = mem ? mem + *at : NULL;
    *at += ROUND_UP(bytes, ALIGN);
    return p;
}

/* A stage of partition `part` over [from, end) of the IR behind `predelay`
 * zeros: whole partitions of zeros skipped, the rest in partitions. */
static void stage_shape(dsp_conv_stage *st, int part, int64_t from, int64_t end, int64_t predelay)
{
    memset(st, 0, sizeof *st);
    st->part = part;
    st->from = from;
    st->end = end;
    int64_t zeros = predelay - from;
    zeros = zeros < 0 ? 0 : zeros > end - from ? end - from : zeros;
    st->skip = (int)(zeros / part);
    st->nparts = (int)((end - from - (int64_t)st->skip * part + part - 1) / part);
    if (zeros == end - from) /* nothing but predelay here */
        st->skip = st->nparts = 0;
    st->nslots = st->skip + st->nparts > 0 ? st->skip + st->nparts : 1;
    st->stride = stride_of(part);
}

/* Lays a stage's arrays out in mem (or only counts, mem NULL). */
static void stage_layout(dsp_conv_stage *st, int nch, int nir, char *mem, size_t *at)
{
    size_t spec_bytes = 2 * (size_t)st->stride * sizeof(float);
    float **win = take(mem, at, (size_t)nch * sizeof *win);
    float **fdl = take(mem, at, (size_t)nch * sizeof *fdl);
    float **irs = take(mem, at, (size_t)nir * sizeof *irs);
    for (int c = 0; c < nch; c++) {
        float *w = take(mem, at, 2 * (size_t)st->part * sizeof(float));
        float *f = take(mem, at, (size_t)st->nslots * spec_bytes);
        if (mem)
            win[c] = w, fdl[c] = f;
    }
    for (int c = 0; c < nir; c++) {
        float *h = take(mem, at, (size_t)st->nparts * spec_bytes);
        if (mem)
            irs[c] = h;
    }
    if (mem)
        st->win = win, st->fdl = fdl, st->irs = irs;
}

/* Lays s's arrays out in mem, or only counts when mem is NULL; returns the
 * bytes used. */
static size_t layout(dsp_convolver *s, char *mem)
{
    size_t at = 0;
    int big = s->has_tail ? s->tail.part : s->head.part;
    float **out = take(mem, &at, (size_t)s->nch * sizeof *out);
    for (int c = 0; c < s->nch; c++) {
        float *o = take(mem, &at, (size_t)s->partition * sizeof(float));
        if (mem)
            out[c] = o;
    }
    stage_layout(&s->head, s->nch, s->nir, mem, &at);
    float **tail_acc = NULL, **tail_out = NULL;
    if (s->has_tail) {
        stage_layout(&s->tail, s->nch, s->nir, mem, &at);
        tail_acc = take(mem, &at, (size_t)s->nch * sizeof *tail_acc);
        tail_out = take(mem, &at, (size_t)s->nch * sizeof *tail_out);
        for (int c = 0; c < s->nch; c++) {
            float *a = take(mem, &at, 2 * (size_t)s->tail.stride * sizeof(float));
            float *o = take(mem, &at, (size_t)s->tail.part * sizeof(float));
            if (mem)
                tail_acc[c] = a, tail_out[c] = o;
        }
    }
    float *spec = take(mem, &at, 2 * ((size_t)big + 1) * sizeof(float));
    float *acc = take(mem, &at, 2 * (size_t)stride_of(big) * sizeof(float));
    float *time = take(mem, &at, 2 * (size_t)big * sizeof(float));
    if (mem) {
        s->out = out, s->tail_acc = tail_acc, s->tail_out = tail_out;
        s->spec = spec, s->acc = acc, s->time = time;
    }
    return at;
}

static void shape(dsp_convolver *s, int partition, int nch, dsp_conv_routing routing, int64_t ir_length, int predelay)
{
    memset(s, 0, sizeof *s);
    s->partition = partition;
    s->nch = nch;
    s->routing = routing;
    s->nir = dsp_convolver_ir_channels(routing, nch);
    s->ir_length = ir_length;
    s->predelay = predelay;
    int64_t total = (int64_t)predelay + ir_length, split = (int64_t)DSP_CONV_HEAD_PARTS * partition;
    s->has_tail = total >= split + 2 * (int64_t)K * partition;
    stage_shape(&s->head, partition, 0, s->has_tail ? split : total, predelay);
    if (s->has_tail)
        stage_shape(&s->tail, K * partition, split, total, predelay);
}

size_t dsp_convolver_heap_size(int partition, int nch, dsp_conv_routing routing, int64_t ir_length, int predelay)
{
    dsp_convolver s;
    shape(&s, partition, nch, routing, ir_length, predelay);
    return layout(&s, NULL);
}

/* The stage's plans, on the scratch arrays process uses (64-byte aligned,
 * as every array passed to the new-array execute functions is); the
 * caller holds planner_lock. */
static void stage_plan(dsp_convolver *s, dsp_conv_stage *st)
{
    int n = 2 * st->part;
    st->fwd = fftwf_plan_dft_r2c_1d(n, s->time, (fftwf_complex *)s->spec, FFTW_ESTIMATE);
    st->inv = fftwf_plan_dft_c2r_1d(n, (fftwf_complex *)s->spec, s->time, FFTW_ESTIMATE);
}

int dsp_convolver_init(dsp_convolver *s, void *mem, int partition, int nch, dsp_conv_routing routing,
                       int64_t ir_length, int predelay)
{
    shape(s, partition, nch, routing, ir_length, predelay);
    layout(s, mem);
    pthread_mutex_lock(&planner_lock);
    stage_plan(s, &s->head);
    if (s->has_tail)
        stage_plan(s, &s->tail);
    pthread_mutex_unlock(&planner_lock);
    if (!s->head.fwd || !s->head.inv || (s->has_tail && (!s->tail.fwd || !s->tail.inv))) {
        dsp_convolver_free(s);
        return -1;
    }
    for (int c = 0; c < s->nir; c++) {
        memset(s->head.irs[c], 0, (size_t)s->head.nparts * 2 * (size_t)s->head.stride * sizeof(float));
        if (s->has_tail)
            memset(s->tail.irs[c], 0, (size_t)s->tail.nparts * 2 * (size_t)s->tail.stride * sizeof(float));
    }
    dsp_convolver_reset(s);
    return 0;
}

/* The spectrum in s->spec (interleaved, bins + 1 of them) into re/im. */
static void split(const dsp_convolver *s, float *dst, int stride, int bins)
{
    const float *c = s->spec;
    float *re = dst, *im = dst + stride;
    for (int k = 0; k < bins; k++) {
        re[k] = c[2 * k];
        im[k] = c[2 * k + 1];
    }
}

/* re/im into s->spec, interleaved. */
static void join(dsp_convolver *s, const float *src, int stride, int bins)
{
    const float *re = src, *im = src + stride;
    for (int k = 0; k < bins; k++) {
        s->spec[2 * k] = re[k];
        s->spec[2 * k + 1] = im[k];
    }
}

static void stage_set_ir(dsp_convolver *s, dsp_conv_stage *st, const float *const *ir, double scale)
{
    int q = st->part;
    double k = scale / (2.0 * q); /* FFTW's inverse is unnormalised */
    for (int c = 0; c < s->nir; c++) {
        for (int j = 0; j < st->nparts; j++) {
            /* partition j covers [from + (skip + j) q, + q) of the predelayed IR */
            int64_t first = st->from + (int64_t)(st->skip + j) * q;
            for (int t = 0; t < 2 * q; t++) {
                int64_t e = first + t, i = e - s->predelay;
                float v = 0.0f;
                if (t < q && e < st->end && i >= 0 && i < s->ir_length) {
                    v = (float)(ir[c][i] * k);
                    if (v > -1e-30f && v < 1e-30f) /* no subnormals in the spectra's making */
                        v = 0.0f;
                }
                s->time[t] = v;
            }
            fftwf_execute_dft_r2c(st->fwd, s->time, (fftwf_complex *)s->spec);
            split(s, st->irs[c] + (size_t)j * 2 * (size_t)st->stride, st->stride, q + 1);
        }
    }
}

void dsp_convolver_set_ir(dsp_convolver *s, const float *const *ir, double scale)
{
    stage_set_ir(s, &s->head, ir, scale);
    if (s->has_tail)
        stage_set_ir(s, &s->tail, ir, scale);
}

static void stage_reset(const dsp_convolver *s, dsp_conv_stage *st)
{
    size_t spec_bytes = 2 * (size_t)st->stride * sizeof(float);
    for (int c = 0; c < s->nch; c++) {
        memset(st->win[c], 0, 2 * (size_t)st->part * sizeof(float));
        memset(st->fdl[c], 0, (size_t)st->nslots * spec_bytes);
    }
    st->slot = 0;
}

/* The tail's sums and output: silence. */
static void tail_clear(dsp_convolver *s)
{
    for (int c = 0; c < s->nch; c++) {
        memset(s->tail_acc[c], 0, 2 * (size_t)s->tail.stride * sizeof(float));
        memset(s->tail_out[c], 0, (size_t)s->tail.part * sizeof(float));
    }
}

void dsp_convolver_reset(dsp_convolver *s)
{
    stage_reset(s, &s->head);
    for (int c = 0; c < s->nch; c++)
        memset(s->out[c], 0, (size_t)s->partition * sizeof(float));
    if (s->has_tail) {
        stage_reset(s, &s->tail);
        tail_clear(s);
    }
    s->fill = 0;
    s->steps = 0;
}

int dsp_convolver_latency(const dsp_convolver *s)
{
    return s->partition;
}

/* acc += x[j] * h[j] over the bins for j = 0 .. J-1 in that order, split
 * complex: each bin adds the J products one after the other, as J passes
 * of one product would (the same bits), but acc is read and written once
 * instead of J times (with an 8192-sample partition it is 64 KB a channel,
 * out of L1). */
__attribute__((always_inline)) static inline void mul_add_n(float *restrict acc, const float *const *x,
                                                            const float *const *h, int stride, int bins, const int J)
{
    float *restrict ar = acc, *restrict ai = acc + stride;
    for (int k = 0; k < bins; k++) {
        float re = ar[k], im = ai[k];
        for (int j = 0; j < J; j++) {
            float a = x[j][k], b = x[j][k + stride], c = h[j][k], d = h[j][k + stride];
            re += a * c - b * d;
            im += a * d + b * c;
        }
        ar[k] = re, ai[k] = im;
    }
}

DSP_HOT static void mul_add1(float *restrict acc, const float *const *x, const float *const *h, int stride, int bins)
{
    mul_add_n(acc, x, h, stride, bins, 1);
}

DSP_HOT static void mul_add4(float *restrict acc, const float *const *x, const float *const *h, int stride, int bins)
{
    mul_add_n(acc, x, h, stride, bins, 4);
}

/* Input channel i's contribution through IR channel h into acc, bins [k0,
 * k1) of the stage's spectra: the partitions in order, four to a pass. */
static void accumulate(const dsp_conv_stage *st, float *acc, int i, int h, int k0, int k1)
{
    size_t sb = 2 * (size_t)st->stride;
    const float *xs[4], *hs[4];
    int j = 0;
    while (j < st->nparts) {
        int m = st->nparts - j >= 4 ? 4 : 1;
        for (int q = 0; q < m; q++, j++) {
            int slot = st->slot - st->skip - j;
            slot += slot < 0 ? st->nslots : 0; /* skip + j < nslots */
            xs[q] = st->fdl[i] + (size_t)slot * sb + k0;
            hs[q] = st->irs[h] + (size_t)j * sb + k0;
        }
        (m == 4 ? mul_add4 : mul_add1)(acc + k0, xs, hs, st->stride, k1 - k0);
    }
}

/* Output o's spectrum through the stage into acc, bins [k0, k1): its
 * inputs through their IRs, by the routing. */
static void accumulate_output(const dsp_convolver *s, const dsp_conv_stage *st, float *acc, int o, int k0, int k1)
{
    switch (s->routing) {
    case DSP_CONV_SHARED:
        accumulate(st, acc, o, 0, k0, k1);
        break;
    case DSP_CONV_PARALLEL:
        accumulate(st, acc, o, o, k0, k1);
        break;
    case DSP_CONV_TRUE_STEREO: /* IR 2i + o: input i to output o (LL, LR, RL, RR) */
        accumulate(st, acc, 0, o, k0, k1);
        accumulate(st, acc, 1, 2 + o, k0, k1);
        break;
    }
}

/* The stage's windows transformed into the newest slot of its delay lines,
 * then moved on by a partition. */
static void stage_take_input(dsp_convolver *s, dsp_conv_stage *st)
{
    int q = st->part;
    st->slot = st->slot + 1 == st->nslots ? 0 : st->slot + 1;
    for (int c = 0; c < s->nch; c++) {
        fftwf_execute_dft_r2c(st->fwd, st->win[c], (fftwf_complex *)s->spec);
        split(s, st->fdl[c] + (size_t)st->slot * 2 * (size_t)st->stride, st->stride, q + 1);
        memcpy(st->win[c], st->win[c] + q, (size_t)q * sizeof(float));
    }
}

/* The spectrum acc's inverse transform; its second half (overlap-save)
 * into dst. */
static void stage_output(dsp_convolver *s, const dsp_conv_stage *st, const float *acc, float *dst)
{
    join(s, acc, st->stride, st->part + 1);
    fftwf_execute_dft_c2r(st->inv, (fftwf_complex *)s->spec, s->time);
    memcpy(dst, s->time + st->part, (size_t)st->part * sizeof(float));
}

/* Head step m's piece of the tail's work for the Q-block that ended at
 * the last step with m % K = 0 (see convolver.h): the forward transforms
 * at m % K = 0, the multiply-adds in K - 2 slices of the bins, the
 * inverse transforms at K - 1, whose output is played from this step on. */
static void tail_piece(dsp_convolver *s)
{
    dsp_conv_stage *st = &s->tail;
    int piece = (int)(s->steps % K), P = s->partition;
    for (int c = 0; c < s->nch; c++) /* the head's newest P samples into the tail's window */
        memcpy(st->win[c] + st->part + (size_t)((piece + K - 1) % K) * (size_t)P, s->head.win[c] + P,
               (size_t)P * sizeof(float));
    if (piece == 0) {
        stage_take_input(s, st);
    } else if (piece < K - 1) {
        int bins = st->part + 1; /* slice piece - 1 of K - 2, 16-float aligned */
        int k0 = ROUND_UP((piece - 1) * bins / (K - 2), 16), k1 = ROUND_UP(piece * bins / (K - 2), 16);
        k1 = k1 < bins ? k1 : bins;
        for (int o = 0; o < s->nch; o++)
            accumulate_output(s, st, s->tail_acc[o], o, k0, k1);
    } else {
        for (int o = 0; o < s->nch; o++) {
            stage_output(s, st, s->tail_acc[o], s->tail_out[o]);
            memset(s->tail_acc[o], 0, 2 * (size_t)st->stride * sizeof(float));
        }
    }
}

/* A full partition of input is in: the head's step (and the tail's piece),
 * making the next P output samples. */
static void partition_step(dsp_convolver *s)
{
    dsp_conv_stage *st = &s->head;
    int P = s->partition;
    size_t sb = 2 * (size_t)st->stride;
    s->steps++;
    if (s->has_tail)
        tail_piece(s); /* before the head's window moves on: it takes the newest P samples */
    stage_take_input(s, st);
    for (int o = 0; o < s->nch; o++) {
        memset(s->acc, 0, sb * sizeof(float));
        accumulate_output(s, st, s->acc, o, 0, P + 1);
        stage_output(s, st, s->acc, s->out[o]);
    }
    if (s->has_tail) {
        size_t seg = (size_t)((s->steps + 1) % K) * (size_t)P; /* played since the inverse at K - 1 */
        for (int o = 0; o < s->nch; o++)
            for (int i = 0; i < P; i++)
                s->out[o][i] += s->tail_out[o][seg + (size_t)i];
    }
}

void dsp_convolver_process(dsp_convolver *s, const float *const *in, float *const *out, int n)
{
    int P = s->partition, k = 0;
    while (k < n) {
        int m = P - s->fill < n - k ? P - s->fill : n - k;
        /* every input is taken in before any output is written (in place) */
        for (int c = 0; c < s->nch; c++)
            memcpy(s->head.win[c] + P + s->fill, in[c] + k, (size_t)m * sizeof(float));
        for (int c = 0; c < s->nch; c++)
            memcpy(out[c] + k, s->out[c] + s->fill, (size_t)m * sizeof(float));
        s->fill += m;
        k += m;
        if (s->fill == P) {
            partition_step(s);
            s->fill = 0;
        }
    }
}

/* src's windows and newest spectra into dst's stage of the same partition
 * (the newest `keep` spectra, newest last; older ones silent). */
static void stage_copy(const dsp_convolver *d, dsp_conv_stage *dst, const dsp_conv_stage *src)
{
    size_t sb = 2 * (size_t)src->stride;
    int keep = dst->nslots < src->nslots ? dst->nslots : src->nslots;
    dst->slot = dst->nslots - 1;
    for (int c = 0; c < d->nch; c++) {
        memcpy(dst->win[c], src->win[c], 2 * (size_t)src->part * sizeof(float));
        memset(dst->fdl[c], 0, (size_t)(dst->nslots - keep) * sb * sizeof(float));
        for (int k = 0; k < keep; k++) {
            int from = src->slot - k;
            from += from < 0 ? src->nslots : 0;
            memcpy(dst->fdl[c] + (size_t)(dst->slot - k) * sb, src->fdl[c] + (size_t)from * sb, sb * sizeof(float));
        }
    }
}

int dsp_convolver_copy_state(dsp_convolver *dst, const dsp_convolver *src)
{
    if (dst->partition != src->partition || dst->nch != src->nch)
        return -1;
    stage_copy(dst, &dst->head, &src->head);
    for (int c = 0; c < src->nch; c++)
        memcpy(dst->out[c], src->out[c], (size_t)src->partition * sizeof(float));
    if (dst->has_tail && src->has_tail) {
        stage_copy(dst, &dst->tail, &src->tail);
        for (int c = 0; c < src->nch; c++) {
            memcpy(dst->tail_acc[c], src->tail_acc[c], 2 * (size_t)src->tail.stride * sizeof(float));
            memcpy(dst->tail_out[c], src->tail_out[c], (size_t)src->tail.part * sizeof(float));
        }
    } else if (dst->has_tail) {
        stage_reset(dst, &dst->tail);
        tail_clear(dst);
    }
    dst->fill = src->fill;
    dst->steps = src->steps;
    return 0;
}

static void stage_free(dsp_conv_stage *st)
{
    if (st->fwd)
        fftwf_destroy_plan(st->fwd);
    if (st->inv)
        fftwf_destroy_plan(st->inv);
    st->fwd = st->inv = NULL;
}

void dsp_convolver_free(dsp_convolver *s)
{
    pthread_mutex_lock(&planner_lock);
    stage_free(&s->head);
    stage_free(&s->tail);
    pthread_mutex_unlock(&planner_lock);
}

double dsp_convolver_memory(const dsp_convolver *s)
{
    return (double)s->predelay + (double)s->ir_length + s->partition;
}
