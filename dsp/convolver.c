/* convolver.c - uniformly partitioned overlap-save convolution (see
 * convolver.h). Spectra are kept split (re[], im[]) so the multiply-add
 * over the delay line, where the time goes for a long IR, is four plain
 * float arrays that the compiler vectorises (DSP_HOT: an AVX2 clone where
 * the CPU has it, the same bits). */
#include "dsp/convolver.h"
#include "dsp/simd.h"

#include <fftw3.h>
#include <pthread.h>
#include <string.h>

/* FFTW's planner (plan making and destroying) is not thread-safe. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

#define ALIGN 64
#define ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))

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

static int64_t parts_of(int partition, int64_t ir_length, int predelay)
{
    return (predelay % partition + ir_length + partition - 1) / partition;
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

/* Lays s's arrays out in mem, or only counts when mem is NULL; returns the
 * bytes used. */
static size_t layout(dsp_convolver *s, char *mem)
{
    size_t at = 0, P = (size_t)s->partition, spec_bytes = 2 * (size_t)s->stride * sizeof(float);
    float **win = take(mem, &at, (size_t)s->nch * sizeof *win);
    float **fdl = take(mem, &at, (size_t)s->nch * sizeof *fdl);
    float **out = take(mem, &at, (size_t)s->nch * sizeof *out);
    float **irs = take(mem, &at, (size_t)s->nir * sizeof *irs);
    for (int c = 0; c < s->nch; c++) {
        float *w = take(mem, &at, 2 * P * sizeof(float)), *f = take(mem, &at, (size_t)s->nslots * spec_bytes);
        float *o = take(mem, &at, P * sizeof(float));
        if (mem)
            win[c] = w, fdl[c] = f, out[c] = o;
    }
    for (int c = 0; c < s->nir; c++) {
        float *h = take(mem, &at, (size_t)s->nparts * spec_bytes);
        if (mem)
            irs[c] = h;
    }
    float *spec = take(mem, &at, 2 * (P + 1) * sizeof(float)), *acc = take(mem, &at, spec_bytes);
    float *time = take(mem, &at, 2 * P * sizeof(float));
    if (mem) {
        s->win = win, s->fdl = fdl, s->out = out, s->irs = irs;
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
    s->nparts = (int)parts_of(partition, ir_length, predelay);
    s->skip = predelay / partition;
    s->nslots = s->skip + s->nparts;
    s->stride = stride_of(partition);
}

size_t dsp_convolver_heap_size(int partition, int nch, dsp_conv_routing routing, int64_t ir_length, int predelay)
{
    dsp_convolver s;
    shape(&s, partition, nch, routing, ir_length, predelay);
    return layout(&s, NULL);
}

int dsp_convolver_init(dsp_convolver *s, void *mem, int partition, int nch, dsp_conv_routing routing,
                       int64_t ir_length, int predelay)
{
    shape(s, partition, nch, routing, ir_length, predelay);
    layout(s, mem);
    int n = 2 * partition;
    pthread_mutex_lock(&planner_lock);
    /* planned on the arrays process uses (64-byte aligned, as every array
     * passed to the new-array execute functions is) */
    s->fwd = fftwf_plan_dft_r2c_1d(n, s->time, (fftwf_complex *)s->spec, FFTW_ESTIMATE);
    s->inv = fftwf_plan_dft_c2r_1d(n, (fftwf_complex *)s->spec, s->time, FFTW_ESTIMATE);
    pthread_mutex_unlock(&planner_lock);
    if (!s->fwd || !s->inv) {
        dsp_convolver_free(s);
        return -1;
    }
    for (int c = 0; c < s->nir; c++)
        memset(s->irs[c], 0, (size_t)s->nparts * 2 * (size_t)s->stride * sizeof(float));
    dsp_convolver_reset(s);
    return 0;
}

/* The spectrum in s->spec (interleaved, P + 1 bins) into re/im. */
static void split(const dsp_convolver *s, float *dst)
{
    const float *c = s->spec;
    float *re = dst, *im = dst + s->stride;
    for (int k = 0; k <= s->partition; k++) {
        re[k] = c[2 * k];
        im[k] = c[2 * k + 1];
    }
}

void dsp_convolver_set_ir(dsp_convolver *s, const float *const *ir, double scale)
{
    int P = s->partition, r = s->predelay % P;
    double k = scale / (2.0 * P); /* FFTW's inverse is unnormalised */
    for (int c = 0; c < s->nir; c++) {
        for (int j = 0; j < s->nparts; j++) {
            /* partition j covers samples [jP, jP + P) of the IR behind r zeros */
            for (int t = 0; t < 2 * P; t++) {
                int64_t i = (int64_t)j * P + t - r;
                float v = 0.0f;
                if (t < P && i >= 0 && i < s->ir_length) {
                    v = (float)(ir[c][i] * k);
                    if (v > -1e-30f && v < 1e-30f) /* no subnormals in the spectra's making */
                        v = 0.0f;
                }
                s->time[t] = v;
            }
            fftwf_execute_dft_r2c(s->fwd, s->time, (fftwf_complex *)s->spec);
            split(s, s->irs[c] + (size_t)j * 2 * (size_t)s->stride);
        }
    }
}

void dsp_convolver_reset(dsp_convolver *s)
{
    size_t spec_bytes = 2 * (size_t)s->stride * sizeof(float);
    for (int c = 0; c < s->nch; c++) {
        memset(s->win[c], 0, 2 * (size_t)s->partition * sizeof(float));
        memset(s->fdl[c], 0, (size_t)s->nslots * spec_bytes);
        memset(s->out[c], 0, (size_t)s->partition * sizeof(float));
    }
    s->fill = 0;
    s->slot = 0;
}

int dsp_convolver_latency(const dsp_convolver *s)
{
    return s->partition;
}

/* acc += x * h over the bins, split complex. */
DSP_HOT static void mul_add(float *restrict acc, const float *restrict x, const float *restrict h, int stride, int bins)
{
    float *restrict ar = acc, *restrict ai = acc + stride;
    const float *restrict xr = x, *restrict xi = x + stride, *restrict hr = h, *restrict hi = h + stride;
    for (int k = 0; k < bins; k++) {
        float a = xr[k], b = xi[k], c = hr[k], d = hi[k];
        ar[k] += a * c - b * d;
        ai[k] += a * d + b * c;
    }
}

/* Input channel i's contribution through IR channel h into s->acc. */
static void accumulate(dsp_convolver *s, int i, int h)
{
    size_t sb = 2 * (size_t)s->stride;
    for (int j = 0; j < s->nparts; j++) {
        int slot = s->slot - s->skip - j;
        slot += slot < 0 ? s->nslots : 0; /* skip + j < nslots */
        mul_add(s->acc, s->fdl[i] + (size_t)slot * sb, s->irs[h] + (size_t)j * sb, s->stride, s->partition + 1);
    }
}

/* A full partition of input is in: transform it into the delay line, and
 * make the next P output samples. */
static void partition_step(dsp_convolver *s)
{
    int P = s->partition;
    size_t sb = 2 * (size_t)s->stride;
    s->slot = s->slot + 1 == s->nslots ? 0 : s->slot + 1;
    for (int c = 0; c < s->nch; c++) {
        fftwf_execute_dft_r2c(s->fwd, s->win[c], (fftwf_complex *)s->spec);
        split(s, s->fdl[c] + (size_t)s->slot * sb);
        memcpy(s->win[c], s->win[c] + P, (size_t)P * sizeof(float));
    }
    for (int o = 0; o < s->nch; o++) {
        memset(s->acc, 0, sb * sizeof(float));
        switch (s->routing) {
        case DSP_CONV_SHARED:
            accumulate(s, o, 0);
            break;
        case DSP_CONV_PARALLEL:
            accumulate(s, o, o);
            break;
        case DSP_CONV_TRUE_STEREO: /* IR 2i + o: input i to output o (LL, LR, RL, RR) */
            accumulate(s, 0, o);
            accumulate(s, 1, 2 + o);
            break;
        }
        const float *re = s->acc, *im = s->acc + s->stride;
        for (int k = 0; k <= P; k++) {
            s->spec[2 * k] = re[k];
            s->spec[2 * k + 1] = im[k];
        }
        fftwf_execute_dft_c2r(s->inv, (fftwf_complex *)s->spec, s->time);
        memcpy(s->out[o], s->time + P, (size_t)P * sizeof(float)); /* overlap-save: the second half */
    }
}

void dsp_convolver_process(dsp_convolver *s, const float *const *in, float *const *out, int n)
{
    int P = s->partition, k = 0;
    while (k < n) {
        int m = P - s->fill < n - k ? P - s->fill : n - k;
        /* every input is taken in before any output is written (in place) */
        for (int c = 0; c < s->nch; c++)
            memcpy(s->win[c] + P + s->fill, in[c] + k, (size_t)m * sizeof(float));
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

int dsp_convolver_copy_state(dsp_convolver *dst, const dsp_convolver *src)
{
    if (dst->partition != src->partition || dst->nch != src->nch)
        return -1;
    int P = src->partition;
    size_t sb = 2 * (size_t)src->stride;
    int keep = dst->nslots < src->nslots ? dst->nslots : src->nslots;
    dst->slot = dst->nslots - 1;
    for (int c = 0; c < src->nch; c++) {
        memcpy(dst->win[c], src->win[c], 2 * (size_t)P * sizeof(float));
        memcpy(dst->out[c], src->out[c], (size_t)P * sizeof(float));
        /* the newest `keep` spectra, newest last; older ones silent */
        memset(dst->fdl[c], 0, (size_t)(dst->nslots - keep) * sb * sizeof(float));
        for (int k = 0; k < keep; k++) {
            int from = src->slot - k;
            from += from < 0 ? src->nslots : 0;
            memcpy(dst->fdl[c] + (size_t)(dst->slot - k) * sb, src->fdl[c] + (size_t)from * sb, sb * sizeof(float));
        }
    }
    dst->fill = src->fill;
    return 0;
}

void dsp_convolver_free(dsp_convolver *s)
{
    pthread_mutex_lock(&planner_lock);
    if (s->fwd)
        fftwf_destroy_plan(s->fwd);
    if (s->inv)
        fftwf_destroy_plan(s->inv);
    pthread_mutex_unlock(&planner_lock);
    s->fwd = s->inv = NULL;
}
