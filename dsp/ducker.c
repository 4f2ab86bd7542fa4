/* ducker.c - a ducking rule in real time (see ducker.h). */
#include "dsp/ducker.h"

#include <math.h>
#include <string.h>

#include "dsp/fastmath.h"

static int window_of(double fs)
{
    return (int)lround(0.01 * fs);
}

int dsp_ducker_latency(double fs, const dsp_ducker_params *p)
{
    int L = (int)llround(p->lookahead_s * fs), W = window_of(fs);
    return L < W ? W : L;
}

/* P and H of ducker.h, in samples */
static int64_t preroll_of(double fs, const dsp_ducker_params *p)
{
    int64_t pre = llround(p->preroll_s * fs), sight = dsp_ducker_latency(fs, p) - window_of(fs);
    return pre < sight ? pre : sight;
}

static int64_t hold_of(double fs, const dsp_ducker_params *p)
{
    int64_t hold = llround(p->hold_s * fs), bridge = llround(p->bridge_s * fs);
    int64_t sight = dsp_ducker_latency(fs, p) - window_of(fs); /* how far past a target sample the key is known */
    return hold > bridge - sight ? hold : bridge - sight;
}

/* The most moves pending at once, plus 2 (see dsp_ducker_heap_size). */
static int64_t event_cap(double fs, const dsp_ducker_params *p)
{
    int64_t L = dsp_ducker_latency(fs, p), W = window_of(fs), H = hold_of(fs, p);
    return (2 * L + (H > 0 ? H : 0)) / (2 * W) + 4;
}

static size_t ring_bytes(int channels, double fs, const dsp_ducker_params *p)
{
    size_t n = (size_t)channels * (size_t)dsp_ducker_latency(fs, p) * sizeof(float);
    return (n + 7) & ~(size_t)7;
}

size_t dsp_ducker_heap_size(int channels, double fs, const dsp_ducker_params *p)
{
    return ring_bytes(channels, fs, p) + (size_t)event_cap(fs, p) * sizeof(dsp_ducker_event);
}

void dsp_ducker_init(dsp_ducker *s, void *memory, int channels, double fs, const dsp_ducker_params *p)
{
    memset(s, 0, sizeof *s);
    s->W = window_of(fs);
    s->L = dsp_ducker_latency(fs, p);
    s->nch = channels < DSP_DUCKER_MAX_CHANNELS ? channels : DSP_DUCKER_MAX_CHANNELS;
    s->pre = preroll_of(fs, p);
    s->hold = hold_of(fs, p);
    s->bridge = llround(p->bridge_s * fs);
    s->att = llround(p->attack_s * fs);
    s->rel = llround(p->release_s * fs);
    s->depth_db = p->depth_db;
    s->thr_ms = pow(10.0, p->threshold_db / 10.0);
    s->ring = memory;
    s->ev = (dsp_ducker_event *)(void *)((unsigned char *)memory + ring_bytes(s->nch, fs, p));
    s->ev_cap = (int)event_cap(fs, p);
    s->apply = 1;
    dsp_ducker_reset(s);
}

void dsp_ducker_reset(dsp_ducker *s)
{
    memset(s->acc, 0, sizeof s->acc);
    s->in_line = 0;
    s->last_off = INT64_MIN;
    s->nev = 0;
    s->g_db = s->from_db = s->to_db = 0;
    s->ramp_at = INT64_MIN;
    s->ramp_len = 0;
    memset(s->ring, 0, (size_t)s->nch * (size_t)s->L * sizeof *s->ring);
    s->ring_pos = 0;
}

int dsp_ducker_copy_state(dsp_ducker *dst, const dsp_ducker *src)
{
    if (dst->nch != src->nch || dst->L != src->L || dst->W != src->W || src->nev > dst->ev_cap)
        return -1;
    memcpy(dst->acc, src->acc, sizeof dst->acc);
    dst->in_line = src->in_line, dst->last_off = src->last_off;
    memcpy(dst->ev, src->ev, (size_t)src->nev * sizeof *dst->ev);
    dst->nev = src->nev;
    dst->g_db = src->g_db, dst->from_db = src->from_db, dst->ramp_at = src->ramp_at, dst->ramp_len = src->ramp_len;
    dst->to_db = src->to_db < 0 ? dst->depth_db : 0.0; /* a dip on its way takes the new depth */
    memcpy(dst->ring, src->ring, (size_t)dst->nch * (size_t)dst->L * sizeof *dst->ring);
    dst->ring_pos = src->ring_pos;
    return 0;
}

static void add_event(dsp_ducker *s, int64_t at, int down)
{
    if (s->nev == s->ev_cap) /* cannot happen: the queue holds the most that can be pending */
        return;
    int i = s->nev++;
    while (i > 0 && s->ev[i - 1].at > at) {
        s->ev[i] = s->ev[i - 1];
        i--;
    }
    s->ev[i] = (dsp_ducker_event){at, down};
}

/* The window [w0, w0 + W) of the key is complete. */
static void window_done(dsp_ducker *s, int64_t w0)
{
    double ms = 0;
    for (int c = 0; c < DSP_DUCKER_MAX_CHANNELS; c++) {
        double m = s->acc[c] / s->W;
        ms = m > ms ? m : ms;
        s->acc[c] = 0;
    }
    int line = ms >= s->thr_ms;
    if (line && !s->in_line) {
        s->in_line = 1;
        if (s->last_off != INT64_MIN && w0 - s->last_off < s->bridge) {
            /* a short gap: the release after the last line is cancelled */
            for (int i = s->nev - 1; i >= 0; i--)
                if (!s->ev[i].down && s->ev[i].at == s->last_off + s->hold) {
                    memmove(&s->ev[i], &s->ev[i + 1], (size_t)(s->nev - i - 1) * sizeof s->ev[0]);
                    s->nev--;
                    break;
                }
        } else {
            add_event(s, w0 - s->pre, 1);
        }
    } else if (!line && s->in_line) {
        s->in_line = 0;
        s->last_off = w0;
        add_event(s, w0 + s->hold, 0);
    }
}

static double ramp_value(const dsp_ducker *s, int64_t t)
{
    if (t >= s->ramp_at + s->ramp_len)
        return s->to_db;
    return s->from_db + (s->to_db - s->from_db) * (double)(t - s->ramp_at) / (double)s->ramp_len;
}

void dsp_ducker_process(dsp_ducker *s, const float *const *key, int nkey, float **io, int64_t key_at, int n,
                        float *gain)
{
    int nk = nkey < DSP_DUCKER_MAX_CHANNELS ? nkey : DSP_DUCKER_MAX_CHANNELS;
    for (int k = 0; k < n; k++) {
        int64_t kt = key_at + k; /* key time */
        for (int c = 0; c < nk; c++)
            s->acc[c] += (double)key[c][k] * key[c][k];
        int64_t r = ((kt + 1) % s->W + s->W) % s->W;
        if (r == 0)
            window_done(s, kt + 1 - s->W);
        int64_t t = kt - s->L; /* target time */
        while (s->nev > 0 && s->ev[0].at <= t) {
            s->from_db = ramp_value(s, t);
            s->to_db = s->ev[0].down ? s->depth_db : 0.0;
            s->ramp_at = t;
            s->ramp_len = s->ev[0].down ? s->att : s->rel;
            memmove(&s->ev[0], &s->ev[1], (size_t)(s->nev - 1) * sizeof s->ev[0]);
            s->nev--;
        }
        s->g_db = s->ramp_len > 0 ? ramp_value(s, t) : s->to_db;
        float g = s->g_db == 0.0 ? 1.0f : dsp_db_to_gain_1(s->g_db, -200.0);
        if (gain)
            gain[k] = g;
        for (int c = 0; c < s->nch; c++) {
            float *ring = s->ring + (size_t)c * (size_t)s->L;
            float x = ring[s->ring_pos];
            ring[s->ring_pos] = io[c][k];
            io[c][k] = s->apply ? x * g : x;
        }
        if (++s->ring_pos == s->L)
            s->ring_pos = 0;
    }
}

double dsp_ducker_gain_db(const dsp_ducker *s)
{
    return s->g_db;
}

double dsp_ducker_memory(const dsp_ducker *s)
{
    return (double)s->L + s->W + (double)s->pre + (double)s->att + (double)s->hold + (double)s->bridge +
           (double)s->rel;
}
