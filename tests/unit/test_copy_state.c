/* test_copy_state.c - every stateful kernel's dsp_X_copy_state (what a live
 * plan swap calls on the audio thread), against an invariant it does not
 * compute itself:
 *   - continuation: kernel A runs N samples of a test signal (bursts of
 *     noise, so every envelope, hold counter and filter memory is away from
 *     its rest value; N odd, so flush phases are mid-period); a fresh B made
 *     with the same settings takes A's state; then A and B get the same next
 *     M samples and must give the same output, bit for bit (tolerance 0:
 *     the same arithmetic on the same state). A fresh B that did not take
 *     the state must differ (so the check can fail).
 *   - settings stay dst's: B made with other settings keeps its
 *     coefficients (compared byte for byte before and after the copy).
 *   - shapes: where the kernels can differ in shape (sections, channels,
 *     look-ahead, grid), a mismatch returns -1 and leaves dst untouched
 *     (byte for byte). */
#include "dsp/biquad.h"
#include "dsp/bitcrush.h"
#include "dsp/convolver.h"
#include "dsp/crossover.h"
#include "dsp/ducker.h"
#include "dsp/delay.h"
#include "dsp/dynamics.h"
#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "dsp/reverb.h"
#include "dsp/transient.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

#define FS 48000.0
#define N 12347 /* samples before the copy: not a multiple of any flush period */
#define M 9001  /* samples compared after it */
#define NCH 3

/* Noise in bursts: 40 ms loud (-6 dBFS peak), 60 ms quiet (-46 dBFS), so
 * the dynamics kernels attack, hold and release within N samples. */
static float signal_at(int64_t i, int ch)
{
    uint32_t x = (uint32_t)(i * 2654435761u) ^ (uint32_t)(ch * 40503u + 1u);
    x ^= x >> 15, x *= 2246822519u, x ^= x >> 13;
    float u = (float)((double)x / 4294967296.0 * 2.0 - 1.0);
    return (i % 4800) < 1920 ? 0.5f * u : 0.005f * u;
}

static void fill(float *const *ch, int nch, int64_t at, int n)
{
    for (int c = 0; c < nch; c++)
        for (int i = 0; i < n; i++)
            ch[c][i] = signal_at(at + i, c);
}

typedef struct {
    float *buf[NCH];
    float *store;
} planar;

static void planar_new(planar *p, int n)
{
    p->store = calloc((size_t)NCH * (size_t)n, sizeof(float));
    for (int c = 0; c < NCH; c++)
        p->buf[c] = p->store + (size_t)c * (size_t)n;
}

static int same_floats(float *const *a, float *const *b, int nch, int n)
{
    for (int c = 0; c < nch; c++)
        if (memcmp(a[c], b[c], (size_t)n * sizeof(float)) != 0)
            return 0;
    return 1;
}

/* A kernel that processes NCH channels in place, for continues(). */
typedef struct {
    void (*process)(void *s, float *const *io, int n);
    int (*copy_state)(void *dst, const void *src); /* 0, or -1 refused */
} inplace_kernel;

/* Continuation (this file's header) of an in-place kernel: a runs N
 * samples, b takes its state (*rc: the copy's result), then a, b and fresh
 * run the same next M. 1 when b gives a's bits and fresh does not. */
static int continues(const inplace_kernel *k, void *a, void *b, void *fresh, int *rc)
{
    planar pa, pb, pf;
    planar_new(&pa, N), planar_new(&pb, N), planar_new(&pf, N);
    fill(pa.buf, NCH, 0, N);
    k->process(a, pa.buf, N);
    *rc = k->copy_state(b, a);
    fill(pa.buf, NCH, N, M), fill(pb.buf, NCH, N, M), fill(pf.buf, NCH, N, M);
    k->process(a, pa.buf, M);
    k->process(b, pb.buf, M);
    k->process(fresh, pf.buf, M);
    int ok = same_floats(pa.buf, pb.buf, NCH, M) && !same_floats(pa.buf, pf.buf, NCH, M);
    free(pa.store), free(pb.store), free(pf.store);
    return ok;
}

/* ---- one-channel filters ------------------------------------------------- */

static void test_biquad(void)
{
    dsp_biquad_coefs c, other;
    dsp_biquad_design(&c, DSP_EQ_PEAK, FS, 1000.0, 2.0, 6.0);
    dsp_biquad_design(&other, DSP_EQ_LOWSHELF, FS, 200.0, 0.0, -4.0);
    dsp_biquad a, b, fresh, kept;
    dsp_biquad_init(&a), dsp_biquad_set(&a, &c);
    dsp_biquad_init(&b), dsp_biquad_set(&b, &c);
    dsp_biquad_init(&fresh), dsp_biquad_set(&fresh, &c);
    dsp_biquad_init(&kept), dsp_biquad_set(&kept, &other);
    planar in, oa, ob, of;
    planar_new(&in, N), planar_new(&oa, N), planar_new(&ob, N), planar_new(&of, N);
    fill(in.buf, 1, 0, N);
    dsp_biquad_process(&a, in.buf[0], oa.buf[0], N);
    dsp_biquad_copy_state(&b, &a);
    dsp_biquad_copy_state(&kept, &a);
    fill(in.buf, 1, N, M);
    dsp_biquad_process(&a, in.buf[0], oa.buf[0], M);
    dsp_biquad_process(&b, in.buf[0], ob.buf[0], M);
    dsp_biquad_process(&fresh, in.buf[0], of.buf[0], M);
    check(same_floats(oa.buf, ob.buf, 1, M) && !same_floats(oa.buf, of.buf, 1, M), "biquad: copy continues A",
          "B differs from A, or a fresh filter matches A");
    check(memcmp(&kept.c, &other, sizeof other) == 0, "biquad: dst keeps its coefficients", "coefficients changed");
    free(in.store), free(oa.store), free(ob.store), free(of.store);
}

static void test_multi(void)
{
    dsp_biquad_coefs c;
    dsp_biquad_design(&c, DSP_EQ_HIGHSHELF, FS, 4000.0, 0.0, 5.0);
    dsp_biquad_multi a, b, fresh;
    dsp_biquad_multi_init(&a), dsp_biquad_multi_set(&a, &c);
    dsp_biquad_multi_init(&b), dsp_biquad_multi_set(&b, &c);
    dsp_biquad_multi_init(&fresh), dsp_biquad_multi_set(&fresh, &c);
    planar pa, pb, pf;
    planar_new(&pa, N), planar_new(&pb, N), planar_new(&pf, N);
    fill(pa.buf, NCH, 0, N);
    dsp_biquad_multi_process(&a, pa.buf, NCH, N);
    dsp_biquad_multi_copy_state(&b, &a);
    fill(pa.buf, NCH, N, M), fill(pb.buf, NCH, N, M), fill(pf.buf, NCH, N, M);
    dsp_biquad_multi_process(&a, pa.buf, NCH, M);
    dsp_biquad_multi_process(&b, pb.buf, NCH, M);
    dsp_biquad_multi_process(&fresh, pf.buf, NCH, M);
    check(same_floats(pa.buf, pb.buf, NCH, M) && !same_floats(pa.buf, pf.buf, NCH, M),
          "biquad multi: copy continues A", "B differs from A, or a fresh filter matches A");
    free(pa.store), free(pb.store), free(pf.store);
}

static void test_butter(void)
{
    dsp_butter a, b, fresh, kept, odd;
    dsp_butter_init(&a), dsp_butter_design(&a, DSP_EQ_LOWPASS, 6, FS, 800.0);
    dsp_butter_init(&b), dsp_butter_design(&b, DSP_EQ_LOWPASS, 6, FS, 800.0);
    dsp_butter_init(&fresh), dsp_butter_design(&fresh, DSP_EQ_LOWPASS, 6, FS, 800.0);
    dsp_butter_init(&kept), dsp_butter_design(&kept, DSP_EQ_HIGHPASS, 5, FS, 300.0); /* 3 sections */
    dsp_butter_init(&odd), dsp_butter_design(&odd, DSP_EQ_HIGHPASS, 4, FS, 300.0);   /* 2 sections */
    planar in, oa, ob, of;
    planar_new(&in, N), planar_new(&oa, N), planar_new(&ob, N), planar_new(&of, N);
    fill(in.buf, 1, 0, N);
    dsp_butter_process(&a, in.buf[0], oa.buf[0], N);
    int rc = dsp_butter_copy_state(&b, &a);
    fill(in.buf, 1, N, M);
    dsp_butter_process(&a, in.buf[0], oa.buf[0], M);
    dsp_butter_process(&b, in.buf[0], ob.buf[0], M);
    dsp_butter_process(&fresh, in.buf[0], of.buf[0], M);
    check(rc == 0 && same_floats(oa.buf, ob.buf, 1, M) && !same_floats(oa.buf, of.buf, 1, M),
          "butter: copy continues A", "rc %d; B differs from A, or a fresh filter matches A", rc);
    dsp_butter before = kept;
    rc = dsp_butter_copy_state(&kept, &a);
    check(rc == 0 && kept.sec[0].c.b0 == before.sec[0].c.b0 && kept.sec[2].c.a2 == before.sec[2].c.a2 &&
              kept.sec[1].y1 == a.sec[1].y1,
          "butter: dst keeps its design, takes the state", "rc %d", rc);
    memcpy(&before, &odd, sizeof odd); /* padding too: compared with memcmp */
    rc = dsp_butter_copy_state(&odd, &a);
    check(rc == -1 && memcmp(&odd, &before, sizeof odd) == 0, "butter: other section count refused, dst untouched",
          "rc %d", rc);
    free(in.store), free(oa.store), free(ob.store), free(of.store);
}

static void test_xover(void)
{
    dsp_xover3 a, b, fresh;
    dsp_xover3_init(&a, FS, 250.0, 3000.0);
    dsp_xover3_init(&b, FS, 250.0, 3000.0);
    dsp_xover3_init(&fresh, FS, 250.0, 3000.0);
    planar in, la, lb, lf;
    planar_new(&in, N), planar_new(&la, N), planar_new(&lb, N), planar_new(&lf, N);
    fill(in.buf, 1, 0, N);
    dsp_xover3_process(&a, in.buf[0], la.buf[0], la.buf[1], la.buf[2], N);
    dsp_xover3_copy_state(&b, &a);
    fill(in.buf, 1, N, M);
    dsp_xover3_process(&a, in.buf[0], la.buf[0], la.buf[1], la.buf[2], M);
    dsp_xover3_process(&b, in.buf[0], lb.buf[0], lb.buf[1], lb.buf[2], M);
    dsp_xover3_process(&fresh, in.buf[0], lf.buf[0], lf.buf[1], lf.buf[2], M);
    check(same_floats(la.buf, lb.buf, 3, M) && !same_floats(la.buf, lf.buf, 3, M),
          "crossover: copy continues A (all three bands)", "B differs from A, or a fresh split matches A");
    free(in.store), free(la.store), free(lb.store), free(lf.store);
}

/* ---- dynamics ------------------------------------------------------------ */

static void test_dyn(void)
{
    static const dsp_dyn_mode modes[] = {DSP_DYN_COMPRESS, DSP_DYN_EXPAND, DSP_DYN_GATE};
    static const char *names[] = {"compressor", "expander", "gate"};
    for (int k = 0; k < 3; k++) {
        dsp_dyn_params p;
        dsp_dyn_params_init(&p, modes[k]);
        p.detector = k == 1 ? DSP_DYN_RMS : DSP_DYN_PEAK;
        p.link = k == 2 ? DSP_DYN_UNLINKED : DSP_DYN_LINK_MAX;
        dsp_dyn a, b, fresh;
        dsp_dyn_init(&a, FS, &p), dsp_dyn_init(&b, FS, &p), dsp_dyn_init(&fresh, FS, &p);
        planar pa, pb, pf;
        planar_new(&pa, N), planar_new(&pb, N), planar_new(&pf, N);
        fill(pa.buf, NCH, 0, N);
        dsp_dyn_process(&a, NULL, 0, pa.buf, NCH, N);
        dsp_dyn_copy_state(&b, &a);
        fill(pa.buf, NCH, N, M), fill(pb.buf, NCH, N, M), fill(pf.buf, NCH, N, M);
        dsp_dyn_process(&a, NULL, 0, pa.buf, NCH, M);
        dsp_dyn_process(&b, NULL, 0, pb.buf, NCH, M);
        dsp_dyn_process(&fresh, NULL, 0, pf.buf, NCH, M);
        char name[64];
        snprintf(name, sizeof name, "dynamics %s: copy continues A", names[k]);
        check(same_floats(pa.buf, pb.buf, NCH, M) && !same_floats(pa.buf, pf.buf, NCH, M), name,
              "B differs from A, or a fresh kernel matches A");
        free(pa.store), free(pb.store), free(pf.store);
    }
    /* settings stay dst's */
    dsp_dyn_params p, q;
    dsp_dyn_params_init(&p, DSP_DYN_COMPRESS);
    dsp_dyn_params_init(&q, DSP_DYN_COMPRESS);
    q.threshold_db = -30, q.ratio = 8, q.attack_s = 0.001;
    dsp_dyn a, b;
    dsp_dyn_init(&a, FS, &p), dsp_dyn_init(&b, FS, &q);
    dsp_dyn before = b;
    dsp_dyn_copy_state(&b, &a);
    check(memcmp(&b.p, &before.p, sizeof b.p) == 0 && b.a_att == before.a_att && b.slope == before.slope,
          "dynamics: dst keeps its parameters", "parameters changed");
}

static void transient_process(void *s, float *const *io, int n) { dsp_transient_process(s, io, NCH, n); }
static int transient_copy(void *dst, const void *src)
{
    dsp_transient_copy_state(dst, src);
    return 0;
}

static void test_transient(void)
{
    dsp_transient *a = malloc(sizeof *a), *b = malloc(sizeof *b), *fresh = malloc(sizeof *fresh);
    dsp_transient_init(a, FS, 9, -6), dsp_transient_init(b, FS, 9, -6), dsp_transient_init(fresh, FS, 9, -6);
    static const inplace_kernel k = {transient_process, transient_copy};
    int rc;
    check(continues(&k, a, b, fresh, &rc), "transient: copy continues A",
          "B differs from A, or a fresh shaper matches A");
    dsp_transient_init(fresh, FS, -3, 4);
    dsp_transient_copy_state(fresh, a);
    check(fresh->attack_db == -3 && fresh->sustain_db == 4 && fresh->e4 == a->e4,
          "transient: dst keeps attack and sustain, takes the followers", "attack %g sustain %g", fresh->attack_db,
          fresh->sustain_db);
    free(a), free(b), free(fresh);
}

/* A bit crusher holding at a rate that does not divide the sample rate
 * (holds of 6 and 7 samples: at N it is mid-hold) carries its countdown
 * and held values; dst keeps its step and period. */
static void bitcrush_process(void *s, float *const *io, int n) { dsp_bitcrush_process(s, io, NCH, n); }
static int bitcrush_copy(void *dst, const void *src)
{
    dsp_bitcrush_copy_state(dst, src);
    return 0;
}

static void test_bitcrush(void)
{
    dsp_bitcrush a, b, fresh;
    dsp_bitcrush_init(&a, FS, 6, 7350), dsp_bitcrush_init(&b, FS, 6, 7350), dsp_bitcrush_init(&fresh, FS, 6, 7350);
    static const inplace_kernel k = {bitcrush_process, bitcrush_copy};
    int rc;
    check(continues(&k, &a, &b, &fresh, &rc), "bitcrush: copy continues A",
          "B differs from A, or a fresh crusher matches A");
    dsp_bitcrush_init(&fresh, FS, 3, 1000);
    dsp_bitcrush before = fresh;
    dsp_bitcrush_copy_state(&fresh, &a);
    check(fresh.q == before.q && fresh.period == before.period && fresh.until == a.until &&
              fresh.held[1] == a.held[1],
          "bitcrush: dst keeps bits and rate, takes the countdown and the held values", "q %g period %g", fresh.q,
          fresh.period);
}

/* A fractional feedback delay through both loop filters, carried at N:
 * B goes on with A's bits, a fresh one does not; dst keeps its settings;
 * a channel mismatch leaves dst untouched (dsp_delay_copy_state also
 * carries lines of other lengths: test_delay.c). */
static void delay_process(void *s, float *const *io, int n) { dsp_delay_process(s, io, n); }
static int delay_copy(void *dst, const void *src) { return dsp_delay_copy_state(dst, src); }

static void test_delay(void)
{
    dsp_delay_params p = {.delay = 1234.75, .feedback = 0.6, .mix = 0.5, .lowpass_hz = 4000, .highpass_hz = 150};
    dsp_delay a, b, fresh, two;
    float *ma = calloc(dsp_delay_heap_size(NCH, 2000), 1), *mb = calloc(dsp_delay_heap_size(NCH, 2000), 1),
          *mf = calloc(dsp_delay_heap_size(NCH, 2000), 1), *m2 = calloc(dsp_delay_heap_size(2, 2000), 1);
    dsp_delay_init(&a, ma, NCH, FS, 2000, 0.1, &p), dsp_delay_init(&b, mb, NCH, FS, 2000, 0.1, &p);
    dsp_delay_init(&fresh, mf, NCH, FS, 2000, 0.1, &p), dsp_delay_init(&two, m2, 2, FS, 2000, 0.1, &p);
    static const inplace_kernel k = {delay_process, delay_copy};
    int rc, same = continues(&k, &a, &b, &fresh, &rc);
    check(rc == 0, "delay: copy between equal shapes accepted", "refused");
    check(same, "delay: copy continues A", "B differs from A, or a fresh delay matches A");
    dsp_delay_params q = p;
    q.delay = 300, q.feedback = -0.2;
    dsp_delay_init(&fresh, mf, NCH, FS, 2000, 0.1, &q);
    dsp_delay_copy_state(&fresh, &a);
    check(fresh.at.delay == 300 && fresh.at.feedback == -0.2 && fresh.lp_s[1] == a.lp_s[1] && fresh.d == a.d,
          "delay: dst keeps its settings, takes the filter states and the read position", "delay %g fb %g",
          fresh.at.delay, fresh.at.feedback);
    two.line[5] = 0.125f;
    check(dsp_delay_copy_state(&two, &a) == -1 && two.line[5] == 0.125f && two.d == 1234.75,
          "delay: 3 channels into 2 refused, dst untouched", "changed");
    free(ma), free(mb), free(mf), free(m2);
}

/* ---- look-ahead kernels (caller memory) ---------------------------------- */

typedef struct {
    dsp_ducker d;
    void *mem;
} ducker_box;

static void ducker_new(ducker_box *x, int nch, const dsp_ducker_params *p)
{
    x->mem = calloc(1, dsp_ducker_heap_size(nch, FS, p));
    dsp_ducker_init(&x->d, x->mem, nch, FS, p);
}

static void test_ducker(void)
{
    dsp_ducker_params p = {-12, -30, 0.05, 0.3, 0.02, 0.01, 0.1, 0.03};
    ducker_box a, b, fresh;
    ducker_new(&a, 2, &p), ducker_new(&b, 2, &p), ducker_new(&fresh, 2, &p);
    planar key, pa, pb, pf;
    planar_new(&key, N), planar_new(&pa, N), planar_new(&pb, N), planar_new(&pf, N);
    fill(key.buf, 1, 7, N);
    fill(pa.buf, 2, 0, N);
    dsp_ducker_process(&a.d, (const float *const *)key.buf, 1, pa.buf, 0, N, NULL);
    int rc = dsp_ducker_copy_state(&b.d, &a.d);
    fill(key.buf, 1, 7 + N, M);
    fill(pa.buf, 2, N, M), fill(pb.buf, 2, N, M), fill(pf.buf, 2, N, M);
    dsp_ducker_process(&a.d, (const float *const *)key.buf, 1, pa.buf, N, M, NULL);
    dsp_ducker_process(&b.d, (const float *const *)key.buf, 1, pb.buf, N, M, NULL);
    dsp_ducker_process(&fresh.d, (const float *const *)key.buf, 1, pf.buf, N, M, NULL);
    check(rc == 0 && same_floats(pa.buf, pb.buf, 2, M) && !same_floats(pa.buf, pf.buf, 2, M),
          "ducker: copy continues A", "rc %d; B differs from A, or a fresh ducker matches A", rc);

    dsp_ducker_params longer = p;
    longer.lookahead_s = 0.05;
    ducker_box other, mono;
    ducker_new(&other, 2, &longer), ducker_new(&mono, 1, &p);
    dsp_ducker before;
    memcpy(&before, &other.d, sizeof before); /* padding too: compared with memcmp */
    rc = dsp_ducker_copy_state(&other.d, &a.d);
    check(rc == -1 && memcmp(&other.d, &before, sizeof before) == 0,
          "ducker: other look-ahead refused, dst untouched", "rc %d", rc);
    memcpy(&before, &mono.d, sizeof before);
    rc = dsp_ducker_copy_state(&mono.d, &a.d);
    check(rc == -1 && memcmp(&mono.d, &before, sizeof before) == 0, "ducker: other channel count refused",
          "rc %d", rc);
    free(key.store), free(pa.store), free(pb.store), free(pf.store);
    free(a.mem), free(b.mem), free(fresh.mem), free(other.mem), free(mono.mem);
}

typedef struct {
    dsp_limiter l;
    void *mem;
} limiter_box;

static void limiter_new(limiter_box *x, int nch, const dsp_limiter_params *p)
{
    x->mem = calloc(1, dsp_limiter_heap_size(nch, FS, p));
    dsp_limiter_init(&x->l, x->mem, nch, FS, p);
}

static void limiter_process(void *s, float *const *io, int n) { dsp_limiter_process(s, io, n); }
static int limiter_copy(void *dst, const void *src) { return dsp_limiter_copy_state(dst, src); }

static void test_limiter(void)
{
    dsp_limiter_params p = {-6.0, 0.005, 0.05, 0}, q = {-3.0, 0.005, 0.2, 0}, r = {-6.0, 0.002, 0.05, 0};
    limiter_box a, b, fresh, kept, shorter;
    limiter_new(&a, NCH, &p), limiter_new(&b, NCH, &p), limiter_new(&fresh, NCH, &p);
    limiter_new(&kept, NCH, &q), limiter_new(&shorter, NCH, &r);
    static const inplace_kernel k = {limiter_process, limiter_copy};
    int rc, same = continues(&k, &a.l, &b.l, &fresh.l, &rc);
    check(rc == 0 && same,
          "limiter: copy continues A", "rc %d; B differs from A, or a fresh limiter matches A", rc);
    float ceiling = kept.l.ceiling;
    rc = dsp_limiter_copy_state(&kept.l, &a.l);
    check(rc == 0 && kept.l.ceiling == ceiling, "limiter: dst keeps its ceiling", "rc %d", rc);
    dsp_limiter before;
    memcpy(&before, &shorter.l, sizeof before); /* padding too: compared with memcmp */
    rc = dsp_limiter_copy_state(&shorter.l, &a.l);
    check(rc == -1 && memcmp(&shorter.l, &before, sizeof before) == 0,
          "limiter: other look-ahead refused, dst untouched", "rc %d", rc);
    free(a.mem), free(b.mem), free(fresh.mem), free(kept.mem), free(shorter.mem);
}

/* ---- loudness meter ------------------------------------------------------ */

static int same_result(const dsp_loudness *a, const dsp_loudness *b)
{
    dsp_loudness_result ra, rb;
    dsp_loudness_get(a, &ra);
    dsp_loudness_get(b, &rb);
    return memcmp(&ra, &rb, sizeof ra) == 0 && dsp_loudness_momentary(a) == dsp_loudness_momentary(b) &&
           dsp_loudness_short_term(a) == dsp_loudness_short_term(b);
}

static void test_loudness(void)
{
    dsp_loudness_config cfg, coarse;
    dsp_loudness_config_init(&cfg, FS, 2);
    coarse = cfg;
    coarse.grid = 1;
    dsp_loudness *a = dsp_loudness_create(&cfg), *b = dsp_loudness_create(&cfg), *fresh = dsp_loudness_create(&cfg);
    dsp_loudness *other = dsp_loudness_create(&coarse);
    planar in;
    planar_new(&in, 48000);
    /* 4 s, so that short-term (3 s) and the gating have values to carry */
    int64_t at = 0;
    for (int k = 0; k < 4; k++, at += 48000 - 13) {
        fill(in.buf, 2, at, 48000 - 13);
        dsp_loudness_process(a, (const float *const *)in.buf, 48000 - 13);
    }
    int rc = dsp_loudness_copy_state(b, a);
    check(rc == 0 && same_result(a, b), "loudness: copy reads what A reads", "rc %d", rc);
    fill(in.buf, 2, at, M);
    dsp_loudness_process(a, (const float *const *)in.buf, M);
    dsp_loudness_process(b, (const float *const *)in.buf, M);
    dsp_loudness_process(fresh, (const float *const *)in.buf, M);
    check(same_result(a, b) && !same_result(a, fresh), "loudness: copy continues A (M, S, I, LRA, peaks)",
          "B differs from A, or a fresh meter matches A");
    check(isfinite(dsp_loudness_short_term(b)), "loudness: short-term finite right after the copy", "got %g",
          dsp_loudness_short_term(b));
    unsigned char *before = malloc(sizeof *other);
    memcpy(before, other, sizeof *other);
    rc = dsp_loudness_copy_state(other, a);
    check(rc == -1 && memcmp(other, before, sizeof *other) == 0, "loudness: other grid refused, dst untouched",
          "rc %d", rc);
    free(before);
    free(in.store);
    dsp_loudness_destroy(&a), dsp_loudness_destroy(&b), dsp_loudness_destroy(&fresh), dsp_loudness_destroy(&other);
}

/* ---- convolver (caller memory, FFTW plans) ------------------------------- */

/* A convolver over NCH channels with a mono IR of len samples (a decaying
 * hash), partition P, in memory of its own (freed by conv_free). */
static dsp_convolver *conv_new(int P, int64_t len, double seed)
{
    dsp_convolver *s = malloc(sizeof *s);
    size_t bytes = dsp_convolver_heap_size(P, NCH, DSP_CONV_SHARED, len, 0);
    void *mem = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!s || !mem || dsp_convolver_init(s, mem, P, NCH, DSP_CONV_SHARED, len, 0) != 0)
        exit(2);
    float *h = malloc((size_t)len * sizeof *h);
    for (int64_t i = 0; i < len; i++)
        h[i] = signal_at(i + (int64_t)seed, 0) * (float)exp(-4.0 * (double)i / (double)len);
    const float *irs[1] = {h};
    dsp_convolver_set_ir(s, irs, 1.0);
    free(h);
    return s;
}

static void conv_free(dsp_convolver *s)
{
    void *mem = s->out; /* the first piece of its memory */
    dsp_convolver_free(s);
    free(mem);
    free(s);
}

/* A convolver (partition P, IR of len) run for `before` samples, then
 * copied into B: B continues A bit for bit, a fresh one does not. Returns
 * A, after the run (the caller frees it). */
static dsp_convolver *conv_continues(int P, int64_t len, int before, const char *what)
{
    dsp_convolver *a = conv_new(P, len, 0), *b = conv_new(P, len, 0), *fresh = conv_new(P, len, 0);
    planar pa, pb, pf;
    planar_new(&pa, before > M ? before : M), planar_new(&pb, M), planar_new(&pf, M);
    fill(pa.buf, NCH, 0, before);
    dsp_convolver_process(a, (const float *const *)pa.buf, pa.buf, before);
    int rc = dsp_convolver_copy_state(b, a);
    fill(pa.buf, NCH, before, M), fill(pb.buf, NCH, before, M), fill(pf.buf, NCH, before, M);
    dsp_convolver_process(a, (const float *const *)pa.buf, pa.buf, M);
    dsp_convolver_process(b, (const float *const *)pb.buf, pb.buf, M);
    dsp_convolver_process(fresh, (const float *const *)pf.buf, pf.buf, M);
    char name[160];
    snprintf(name, sizeof name, "convolver: copy continues A (%s)", what);
    check(rc == 0 && same_floats(pa.buf, pb.buf, NCH, M) && !same_floats(pa.buf, pf.buf, NCH, M), name,
          "rc %d; B differs from A, or a fresh convolver matches A", rc);
    free(pa.store), free(pb.store), free(pf.store);
    conv_free(b), conv_free(fresh);
    return a;
}

static void test_convolver(void)
{
    const int P = 256;
    /* partition 64, IR of 5000: head and tail; copied 3 head steps into a
     * tail cycle of 8, its multiply-adds half done */
    dsp_convolver *t = conv_continues(64, 5000, 64 * (8 * 24 + 3) + 17, "head and tail, mid-way through a tail block");
    check(t->has_tail, "convolver: that one has a tail", "it has not");
    conv_free(t);
    dsp_convolver *a = conv_continues(P, 3000, N, "head only");
    /* another IR (longer: a longer delay line) keeps its spectra */
    dsp_convolver *other = conv_new(P, 5000, 777);
    size_t ir_bytes = (size_t)other->head.nparts * 2 * (size_t)other->head.stride * sizeof(float);
    float *before = malloc(ir_bytes);
    memcpy(before, other->head.irs[0], ir_bytes);
    int rc = dsp_convolver_copy_state(other, a);
    check(rc == 0 && memcmp(before, other->head.irs[0], ir_bytes) == 0 && memcmp(other->out[1], a->out[1],
          (size_t)P * sizeof(float)) == 0, "convolver: dst keeps its IR, takes the output being played",
          "rc %d, or the IR changed", rc);
    free(before);
    /* another partition: refused, dst untouched */
    dsp_convolver *wide = conv_new(2 * P, 3000, 0);
    size_t bytes = dsp_convolver_heap_size(2 * P, NCH, DSP_CONV_SHARED, 3000, 0);
    unsigned char *mem_before = malloc(bytes), *whole_before = malloc(sizeof *wide);
    memcpy(mem_before, wide->out, bytes);
    memcpy(whole_before, wide, sizeof *wide);
    rc = dsp_convolver_copy_state(wide, a);
    check(rc == -1 && memcmp(mem_before, wide->out, bytes) == 0 && memcmp(whole_before, wide, sizeof *wide) == 0,
          "convolver: another partition refused, dst untouched", "rc %d", rc);
    free(mem_before), free(whole_before);
    conv_free(a), conv_free(other), conv_free(wide);
}

typedef struct {
    dsp_reverb r;
    void *mem;
    size_t bytes;
} reverb_box;

static void reverb_new(reverb_box *x, int nch, double size_m, double predelay_s, double rt60)
{
    dsp_reverb_shape sh = {.channels = nch, .size_m = size_m, .predelay_s = predelay_s};
    dsp_reverb_speakers_for(nch, sh.speakers);
    dsp_reverb_params p = {.rt60_s = rt60, .damping = 0.5, .damping_hz = 5000, .width = 0.8, .mix = 0.9};
    x->bytes = dsp_reverb_heap_size(FS, &sh);
    x->mem = calloc(1, x->bytes);
    dsp_reverb_init(&x->r, x->mem, FS, &sh, &p);
}

static void reverb_process(void *s, float *const *io, int n) { dsp_reverb_process(s, io, n); }
static int reverb_copy(void *dst, const void *src) { return dsp_reverb_copy_state(dst, src); }

static void test_reverb(void)
{
    reverb_box a, b, fresh;
    reverb_new(&a, NCH, 7, 0.011, 1.3), reverb_new(&b, NCH, 7, 0.011, 1.3), reverb_new(&fresh, NCH, 7, 0.011, 1.3);
    static const inplace_kernel k = {reverb_process, reverb_copy};
    int rc, same = continues(&k, &a.r, &b.r, &fresh.r, &rc);
    check(rc == 0 && same,
          "reverb: copy continues A", "rc %d; B differs from A, or a fresh reverb matches A", rc);

    reverb_box other_rt;
    reverb_new(&other_rt, NCH, 7, 0.011, 4.0);
    dsp_reverb_params before_p = other_rt.r.p;
    float g0 = other_rt.r.g[0];
    rc = dsp_reverb_copy_state(&other_rt.r, &a.r);
    check(rc == 0 && memcmp(&other_rt.r.p, &before_p, sizeof before_p) == 0 && other_rt.r.g[0] == g0 &&
              other_rt.r.pos[3] == a.r.pos[3],
          "reverb: dst keeps its settings (rt60 and its gains), takes the lines", "rc %d", rc);

    static const struct { int nch; double size_m, predelay_s; const char *what; } shapes[] = {
        {NCH, 8, 0.011, "other size"}, {NCH, 7, 0.02, "other pre-delay"}, {2, 7, 0.011, "other channel count"}};
    for (int i = 0; i < 3; i++) {
        reverb_box o;
        reverb_new(&o, shapes[i].nch, shapes[i].size_m, shapes[i].predelay_s, 1.3);
        dsp_reverb *before = malloc(sizeof *before);
        void *mem_before = malloc(o.bytes);
        memcpy(before, &o.r, sizeof *before), memcpy(mem_before, o.mem, o.bytes);
        rc = dsp_reverb_copy_state(&o.r, &a.r);
        char name[120];
        snprintf(name, sizeof name, "reverb: %s refused, dst untouched (state and memory)", shapes[i].what);
        check(rc == -1 && memcmp(&o.r, before, sizeof *before) == 0 && memcmp(o.mem, mem_before, o.bytes) == 0, name,
              "rc %d", rc);
        free(before), free(mem_before), free(o.mem);
    }
    free(a.mem), free(b.mem), free(fresh.mem), free(other_rt.mem);
}

int main(void)
{
    test_biquad();
    test_multi();
    test_butter();
    test_xover();
    test_dyn();
    test_transient();
    test_bitcrush();
    test_delay();
    test_ducker();
    test_limiter();
    test_reverb();
    test_loudness();
    test_convolver();
    return check_exit();
}
