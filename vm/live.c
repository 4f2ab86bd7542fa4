/* live.c - the live driver (see live.h): PortAudio's callback runs the
 * scheduler; commands arrive through a lock-free queue; retired plans leave
 * through another and are freed on the control thread. */
#define _GNU_SOURCE /* strcasestr */
#include "vm/live.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jack/jack.h>
#include <math.h>
#include <pa_jack.h>
#include <portaudio.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dsp/loudness.h"
#include "vm/feed.h"
#include "vm/live_profile.h"
#include "vm/ops.h"
#include "vm/rtcheck.h"
#include "vm/rtprio.h"
#include "vm/sched.h"
#include "vm/suggest.h"

#define LIVE_MAX_BLOCK 1024
#define DECLICK 240            /* frames of a locate/stop fade (5 ms at 48 kHz) */
#define QUEUE_LEN 64           /* commands and retired plans in flight, each way */
#define HIST_BINS 1000         /* callback time histogram: 0.5 % of the period per bin */
#define HIST_STEP 0.005
#define LIVE_RT_PRIORITY 10    /* SCHED_FIFO priority the callback's thread asks for (JACK's default is 10) */
#define PROFILE_CALLBACKS 65536 /* callbacks DUBSTAGE_LIVE_PROFILE records: 87 s at 64 frames */

/* ---- a plan as the live driver runs it ----------------------------------- */

typedef struct live_meter {
    char name[64];
    float **chans;
    int nch;
    dsp_loudness *meter;       /* K-weighted, sample peak only, 100 ms grid */
    _Atomic float peak;        /* since the control thread last read it */
    _Atomic double short_term;
    struct live_meter *from;   /* the same strip's meter in the plan this one replaces, or NULL */
} live_meter;

typedef struct live_gr {
    char name[96];
    const plan_op *op;         /* its class has a meter (cls->meter_db) */
    _Atomic double gain_db;
    const struct live_gr *from; /* the same readout in the plan this one replaces, or NULL */
} live_gr;

typedef struct {
    const plan_op_class *cls;
    void *dst;
    const void *src;
} state_pair;

typedef struct {
    plan *p;
    float **tap;
    int tap_ch, tap_lat;
    live_meter *meters;
    int nmeters;
    live_gr *grs;
    int ngr;
    state_pair *pairs;         /* state carried over from the plan this one replaces */
    int npairs;
} live_plan;

/* ---- single-producer single-consumer queues -------------------------------- */

typedef enum { CMD_PLAY, CMD_STOP, CMD_SWAP } cmd_kind;

typedef struct {
    cmd_kind kind;
    int64_t pass, start, end, loop_from, loop_to;
    live_plan *lp;
} live_cmd;

typedef struct {
    live_cmd items[QUEUE_LEN];
    _Atomic unsigned head, tail; /* head: next to read; tail: next to write */
} cmd_queue;

typedef struct {
    live_plan *items[QUEUE_LEN];
    _Atomic unsigned head, tail;
} plan_queue;

static int cmd_push(cmd_queue *q, const live_cmd *c)
{
    unsigned t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    if (t - atomic_load_explicit(&q->head, memory_order_acquire) == QUEUE_LEN)
        return -1;
    q->items[t % QUEUE_LEN] = *c;
    atomic_store_explicit(&q->tail, t + 1, memory_order_release);
    return 0;
}

static int cmd_pop(cmd_queue *q, live_cmd *c)
{
    unsigned h = atomic_load_explicit(&q->head, memory_order_relaxed);
    if (h == atomic_load_explicit(&q->tail, memory_order_acquire))
        return -1;
    *c = q->items[h % QUEUE_LEN];
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
    return 0;
}

static int plan_push(plan_queue *q, live_plan *lp)
{
    unsigned t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    if (t - atomic_load_explicit(&q->head, memory_order_acquire) == QUEUE_LEN)
        return -1;
    q->items[t % QUEUE_LEN] = lp;
    atomic_store_explicit(&q->tail, t + 1, memory_order_release);
    return 0;
}

static live_plan *plan_pop(plan_queue *q)
{
    unsigned h = atomic_load_explicit(&q->head, memory_order_relaxed);
    if (h == atomic_load_explicit(&q->tail, memory_order_acquire))
        return NULL;
    live_plan *lp = q->items[h % QUEUE_LEN];
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
    return lp;
}

/* ---- the driver ------------------------------------------------------------ */

typedef enum { FADE_NONE, FADE_OUT, FADE_IN } fade_kind;

struct vm_live {
    PaStream *stream;
    int pa_up;
    vm_feed *feed;
    int rate, dev_ch, max_block;
    double xfade_s;
    char tap_name[128];
    cmd_queue cmds;
    plan_queue retired;
    /* control thread */
    live_plan *ctl_current;
    int64_t next_pass;
    /* audio thread */
    live_plan *cur, *old;      /* old: fading out during a swap */
    int xf_pos, xf_len;
    int playing;
    int64_t pass, pos, seg_end, end, loop_from, loop_to;
    int looping;
    int skip;                  /* stream frames still to drop at a pass start (the tap's latency) */
    fade_kind fade;
    int fade_pos;
    int fade_then_stop;
    live_cmd pending_play;
    int has_pending_play;
    float *mixbuf;             /* max_block x dev_ch: the outgoing plan during a crossfade */
    live_plan *overflow[QUEUE_LEN]; /* retired plans waiting for room in the queue */
    int noverflow;
    /* shared, written by the audio thread */
    _Atomic uint64_t xruns, xruns_playing, late, callbacks, cmds_taken;
    _Atomic uint64_t late_held; /* late callbacks whose thread used under half the period of CPU: held up, not busy */
    double cpu_prev;            /* the callback thread's CPU time at the end of the previous callback (s), < 0: none yet */
    uint64_t first_xrun;       /* the callback that first reported one (1-based), 0: none */
    pthread_t audio_thread;    /* the callback's thread, set by its first call */
    int audio_cpu;             /* the CPU it ran that call on (-1: not known) */
    _Atomic int audio_thread_known;
    char sched[96];            /* how that thread is scheduled (vm_live_report) */
    _Atomic int64_t heard;     /* session sample being heard */
    _Atomic int is_playing, finished;
    uint32_t hist[HIST_BINS + 1];
    double worst, sum_frac;
    int max_frames;
    live_profile *prof;        /* DUBSTAGE_LIVE_PROFILE (vm/live_profile.h), or NULL */
    char prof_path[4096];
};

void vm_live_opts_init(vm_live_opts *o)
{
    memset(o, 0, sizeof *o);
    o->readahead = 2.0;
    o->xfade = 0.03;
}

/* ---- live plans (control thread) ------------------------------------------ */

static void live_plan_free(vm_live *L, live_plan *lp)
{
    if (!lp)
        return;
    if (L->feed)
        vm_feed_detach(L->feed, lp->p);
    for (int i = 0; i < lp->nmeters; i++)
        dsp_loudness_destroy(&lp->meters[i].meter);
    free(lp->meters);
    free(lp->grs);
    free(lp->pairs);
    vm_plan_free(&lp->p);
    free(lp);
}

static int strip_index(const plan *p, const char *name)
{
    for (int s = 0; s < p->nstrips; s++)
        if (p->strip_names[s] && strcmp(p->strip_names[s], name) == 0)
            return s;
    return -1;
}

/* Meters and gain readouts of lp that continue prev's: the same strip with
 * the same channels, the same readout name (in order). What a swap copies (see
 * carry_meters), so a fader move does not empty the short-term window. */
static void pair_meters(live_plan *lp, live_plan *prev)
{
    for (int i = 0; i < lp->nmeters; i++)
        for (int j = 0; j < prev->nmeters; j++)
            if (prev->meters[j].nch == lp->meters[i].nch && strcmp(prev->meters[j].name, lp->meters[i].name) == 0) {
                lp->meters[i].from = &prev->meters[j];
                break;
            }
    for (int i = 0; i < lp->ngr; i++) {
        /* two compressors on one strip share a name: the k-th takes the k-th */
        int k = 0;
        for (int j = 0; j < i; j++)
            k += strcmp(lp->grs[j].name, lp->grs[i].name) == 0;
        for (int j = 0; j < prev->ngr; j++)
            if (strcmp(prev->grs[j].name, lp->grs[i].name) == 0 && k-- == 0) {
                lp->grs[i].from = &prev->grs[j];
                break;
            }
    }
}

/* Wraps p for the audio thread: its tap, a meter per bus it keeps, the gain
 * reductions it can report, and the state pairs from prev (may be NULL). */
static ds_result live_plan_make(vm_live *L, plan *p, live_plan *prev, live_plan **out, char *err)
{
    *out = NULL;
    live_plan *lp = calloc(1, sizeof *lp);
    if (!lp) {
        vm_plan_free(&p);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    lp->p = p;
    int s = strip_index(p, L->tap_name);
    if (s < 0 || !p->strip_chans[s]) {
        live_plan_free(L, lp);
        return ds_fail(err, DS_ERR_ARG, "the mix has no bus or output '%s' to play", L->tap_name);
    }
    lp->tap = p->strip_chans[s];
    lp->tap_lat = p->strip_latency[s];
    lp->tap_ch = p->strip_nch[s];
    lp->meters = calloc(VM_LIVE_MAX_METERS, sizeof *lp->meters);
    lp->grs = calloc(VM_LIVE_MAX_METERS, sizeof *lp->grs);
    lp->pairs = calloc((size_t)(p->nops ? p->nops : 1), sizeof *lp->pairs);
    if (!lp->meters || !lp->grs || !lp->pairs) {
        live_plan_free(L, lp);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    /* meters: every strip the plan keeps (the buses, the tap), in strip order */
    for (int c = 0; c < p->nstrips && lp->nmeters < VM_LIVE_MAX_METERS; c++) {
        if (!p->strip_chans[c] || p->strip_nch[c] < 1)
            continue;
        live_meter *m = &lp->meters[lp->nmeters];
        snprintf(m->name, sizeof m->name, "%s", p->strip_names[c]);
        m->chans = p->strip_chans[c];
        m->nch = p->strip_nch[c];
        dsp_loudness_config mc;
        dsp_loudness_config_init(&mc, p->tb.rate, m->nch);
        mc.true_peak = 0;
        mc.grid = 1;
        if (!(m->meter = dsp_loudness_create(&mc))) {
            live_plan_free(L, lp);
            return ds_fail(err, DS_ERR_NOMEM, "out of memory for the meters");
        }
        atomic_init(&m->peak, 0.0f);
        atomic_init(&m->short_term, -INFINITY);
        lp->nmeters++;
    }
    for (int i = 0; i < p->nops && lp->ngr < VM_LIVE_MAX_METERS; i++) {
        const plan_op *op = &p->ops[i];
        if (!op->cls->meter_db)
            continue;
        live_gr *g = &lp->grs[lp->ngr++];
        snprintf(g->name, sizeof g->name, "%s", op->readout);
        g->op = op;
        atomic_init(&g->gain_db, 0.0);
    }
    if (prev) {
        pair_meters(lp, prev);
        const plan *q = prev->p;
        for (int i = 0; i < p->nops; i++) {
            if (!p->ops[i].key)
                continue;
            for (int j = 0; j < q->nops; j++)
                if (q->ops[j].key && q->ops[j].cls == p->ops[i].cls && strcmp(q->ops[j].key, p->ops[i].key) == 0) {
                    lp->pairs[lp->npairs++] = (state_pair){p->ops[i].cls, p->ops[i].args, q->ops[j].args};
                    break;
                }
        }
    }
    p->feed = L->feed;
    ds_result r = vm_feed_attach(L->feed, p, err);
    if (r != DS_OK) {
        p->feed = NULL;
        live_plan_free(L, lp);
        return r;
    }
    /* the audio thread's first block with this plan would otherwise map its
     * buffers' pages (measured: about 20 page faults at a swap) */
    vm_arena_prefault(&p->arena);
    *out = lp;
    return DS_OK;
}

/* ---- the audio thread ------------------------------------------------------ */

static void retire(vm_live *L, live_plan *lp)
{
    if (!lp)
        return;
    while (L->noverflow > 0 && plan_push(&L->retired, L->overflow[L->noverflow - 1]) == 0)
        L->noverflow--;
    if (plan_push(&L->retired, lp) != 0 && L->noverflow < QUEUE_LEN)
        L->overflow[L->noverflow++] = lp; /* never more than the commands in flight */
}

static void rewind_clips(live_plan *lp)
{
    if (lp)
        vm_plan_rewind(lp->p); /* live: no reader is open, nothing to close */
}

static void start_pass(vm_live *L, const live_cmd *c)
{
    if (L->old) { /* a locate ends a crossfade at once */
        retire(L, L->old);
        L->old = NULL;
    }
    vm_plan_reset(L->cur->p); /* offline = live: a pass starts from a clean state */
    L->pass = c->pass;
    L->pos = c->start;
    L->end = c->end;
    L->loop_from = c->loop_from;
    L->loop_to = c->loop_to;
    L->looping = c->loop_to > c->loop_from && c->start < c->loop_to;
    L->seg_end = L->looping ? c->loop_to : c->end + L->cur->tap_lat;
    L->skip = L->cur->tap_lat;
    L->playing = 1;
    atomic_store_explicit(&L->is_playing, 1, memory_order_relaxed);
    atomic_store_explicit(&L->finished, 0, memory_order_relaxed);
    vm_feed_position(L->feed, L->pass, L->pos);
}

/* Audio thread, at a swap: the new plan's meters go on from the old ones'
 * (loudness windows and histograms, the peak not yet read, the last gain
 * readouts). Bounded copies into memory allocated with the plan. */
static void carry_meters(live_plan *lp)
{
    for (int i = 0; i < lp->nmeters; i++) {
        live_meter *m = &lp->meters[i];
        live_meter *o = m->from;
        if (!o || dsp_loudness_copy_state(m->meter, o->meter) != 0)
            continue;
        atomic_store_explicit(&m->peak, atomic_exchange_explicit(&o->peak, 0.0f, memory_order_relaxed),
                              memory_order_relaxed);
        atomic_store_explicit(&m->short_term, dsp_loudness_short_term(m->meter), memory_order_relaxed);
    }
    for (int i = 0; i < lp->ngr; i++)
        if (lp->grs[i].from)
            atomic_store_explicit(&lp->grs[i].gain_db,
                                  atomic_load_explicit(&lp->grs[i].from->gain_db, memory_order_relaxed),
                                  memory_order_relaxed);
}

static void take_commands(vm_live *L)
{
    live_cmd c;
    while (cmd_pop(&L->cmds, &c) == 0) {
        if (c.kind == CMD_SWAP) {
            live_plan *lp = c.lp;
            for (int i = 0; i < lp->npairs; i++)
                lp->pairs[i].cls->copy_state(lp->pairs[i].dst, lp->pairs[i].src);
            carry_meters(lp);
            if (L->old)
                retire(L, L->old);
            L->old = L->playing ? L->cur : NULL;
            if (!L->old)
                retire(L, L->cur);
            L->cur = lp;
            L->xf_pos = 0;
        } else if (c.kind == CMD_PLAY) {
            if (L->playing && L->fade != FADE_OUT) { /* a locate: fade out, then start */
                L->fade = FADE_OUT;
                L->fade_pos = 0;
                L->fade_then_stop = 0;
            }
            if (L->playing) {
                L->pending_play = c;
                L->has_pending_play = 1;
            } else {
                L->fade = FADE_NONE;
                start_pass(L, &c);
            }
        } else if (c.kind == CMD_STOP) {
            L->has_pending_play = 0;
            if (L->playing) {
                L->fade = FADE_OUT;
                L->fade_pos = 0;
                L->fade_then_stop = 1;
            }
        }
        atomic_fetch_add_explicit(&L->cmds_taken, 1, memory_order_release);
    }
}

static void run_plan(vm_live *L, live_plan *lp, int n)
{
    lp->p->pass = L->pass;
    if (L->prof && lp == L->cur) {
        live_profile_run_plan(L->prof, lp->p, L->pos, n);
    } else {
        live_profile_phase_begin(L->prof);
        sched_run_block(lp->p, L->pos, n);
        live_profile_phase_end(L->prof, PROF_OTHER_PLAN);
    }
}

static void meter_block(live_plan *lp, int off, int n)
{
    for (int i = 0; i < lp->nmeters; i++) {
        live_meter *m = &lp->meters[i];
        const float *ch[VM_MAX_CHANNELS]; /* a strip has at most that many (vm_compile checks) */
        float pk = atomic_load_explicit(&m->peak, memory_order_relaxed);
        for (int c = 0; c < m->nch && c < VM_MAX_CHANNELS; c++) {
            ch[c] = m->chans[c] + off;
            for (int k = 0; k < n; k++) {
                float a = fabsf(ch[c][k]);
                pk = a > pk ? a : pk;
            }
        }
        atomic_store_explicit(&m->peak, pk, memory_order_relaxed);
        dsp_loudness_process(m->meter, ch, n);
        atomic_store_explicit(&m->short_term, dsp_loudness_short_term(m->meter), memory_order_relaxed);
    }
    for (int i = 0; i < lp->ngr; i++) {
        live_gr *g = &lp->grs[i];
        atomic_store_explicit(&g->gain_db, g->op->cls->meter_db(g->op->args), memory_order_relaxed);
    }
}

/* Copies frames [from, n) of a plan's tap into out (dev_ch interleaved). */
static void tap_copy(const vm_live *L, const live_plan *lp, float *out, int from, int n)
{
    int nc = lp->tap_ch < L->dev_ch ? lp->tap_ch : L->dev_ch;
    for (int k = from; k < n; k++) {
        float *o = out + (size_t)(k - from) * (size_t)L->dev_ch;
        for (int c = 0; c < nc; c++)
            o[c] = lp->tap[c][k];
        for (int c = nc; c < L->dev_ch; c++)
            o[c] = 0.0f;
    }
}

/* Runs at most `want` frames of the pass into out; returns the frames
 * written (0 when playback ended). */
static int run_chunk(vm_live *L, float *out, int want)
{
    if (L->pos >= L->seg_end) {
        if (!L->looping && !(L->loop_to > L->loop_from && L->seg_end == L->loop_to)) {
            L->playing = 0;
            atomic_store_explicit(&L->is_playing, 0, memory_order_relaxed);
            atomic_store_explicit(&L->finished, 1, memory_order_relaxed);
            return 0;
        }
        L->pass++; /* the loop: the same range again, state kept */
        L->pos = L->loop_from;
        L->seg_end = L->loop_to;
        rewind_clips(L->cur);
        rewind_clips(L->old);
        vm_feed_position(L->feed, L->pass, L->pos);
    }
    int n = want < L->max_block ? want : L->max_block;
    if (L->seg_end - L->pos < n)
        n = (int)(L->seg_end - L->pos);
    run_plan(L, L->cur, n);
    int from = L->skip < n ? L->skip : n;
    L->skip -= from;
    tap_copy(L, L->cur, out, from, n);
    int m = n - from;
    if (L->old) {
        run_plan(L, L->old, n);
        tap_copy(L, L->old, L->mixbuf, from, n);
        for (int k = 0; k < m; k++) {
            double t = L->xf_pos < L->xf_len ? (double)L->xf_pos / L->xf_len : 1.0;
            float w = (float)(0.5 - 0.5 * cos(M_PI * t));
            float *o = out + (size_t)k * (size_t)L->dev_ch;
            const float *q = L->mixbuf + (size_t)k * (size_t)L->dev_ch;
            for (int c = 0; c < L->dev_ch; c++)
                o[c] = w * o[c] + (1.0f - w) * q[c];
            L->xf_pos++;
        }
        if (L->xf_pos >= L->xf_len) {
            retire(L, L->old);
            L->old = NULL;
        }
    }
    if (L->fade != FADE_NONE) {
        for (int k = 0; k < m; k++) {
            float g = (float)L->fade_pos / DECLICK;
            if (L->fade == FADE_OUT)
                g = 1.0f - g;
            g = g < 0 ? 0 : g;
            float *o = out + (size_t)k * (size_t)L->dev_ch;
            for (int c = 0; c < L->dev_ch; c++)
                o[c] *= g;
            if (L->fade_pos < DECLICK)
                L->fade_pos++;
        }
    }
    live_profile_phase_begin(L->prof);
    meter_block(L->cur, 0, n);
    live_profile_phase_end(L->prof, PROF_METERS);
    L->pos += n;
    vm_feed_position(L->feed, L->pass, L->pos);
    atomic_store_explicit(&L->heard, L->pos - L->cur->tap_lat, memory_order_relaxed);
    if (L->fade == FADE_OUT && L->fade_pos >= DECLICK) {
        /* faded out: the rest of this chunk is silent, then stop or locate */
        L->fade = FADE_NONE;
        if (L->has_pending_play) {
            L->has_pending_play = 0;
            start_pass(L, &L->pending_play);
            L->fade = FADE_IN;
            L->fade_pos = 0;
        } else if (L->fade_then_stop) {
            L->playing = 0;
            atomic_store_explicit(&L->is_playing, 0, memory_order_relaxed);
        }
    } else if (L->fade == FADE_IN && L->fade_pos >= DECLICK) {
        L->fade = FADE_NONE;
    }
    return m > 0 ? m : (L->playing ? -1 : 0);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The calling thread's own CPU time (s): a system call (the thread clock
 * has no vDSO path), one per callback. */
static double thread_cpu_s(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
        return -1;
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int callback(const void *input, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *ti,
                    PaStreamCallbackFlags flags, void *user)
{
    (void)input, (void)ti;
    vm_live *L = user;
    live_profile_begin(L->prof);
    double t0 = now_s(); /* from the very start: everything in here is the callback's time */
    vm_rtcheck_enter();
    if (!atomic_load_explicit(&L->audio_thread_known, memory_order_relaxed)) {
        L->audio_thread = pthread_self();
        L->audio_cpu = sched_getcpu();
        atomic_store_explicit(&L->audio_thread_known, 1, memory_order_release);
    }
    if (flags & (paOutputUnderflow | paOutputOverflow)) {
        atomic_fetch_add_explicit(&L->xruns, 1, memory_order_relaxed);
        if (L->playing)
            atomic_fetch_add_explicit(&L->xruns_playing, 1, memory_order_relaxed);
        if (!L->first_xrun)
            L->first_xrun = atomic_load_explicit(&L->callbacks, memory_order_relaxed) + 1;
    }
    live_profile_phase_begin(L->prof);
    take_commands(L);
    live_profile_phase_end(L->prof, PROF_COMMANDS);
    float *out = output;
    int done = 0, total = (int)frames;
    while (done < total) {
        if (!L->playing) {
            memset(out + (size_t)done * (size_t)L->dev_ch, 0, (size_t)(total - done) * (size_t)L->dev_ch * sizeof *out);
            break;
        }
        int m = run_chunk(L, out + (size_t)done * (size_t)L->dev_ch, total - done);
        if (m > 0)
            done += m;
        else if (m == 0 && !L->playing)
            continue;
    }
    if (L->noverflow)
        retire(L, NULL);
    double frac = (now_s() - t0) * L->rate / (double)(frames ? frames : 1);
    int bin = (int)(frac / HIST_STEP);
    L->hist[bin < HIST_BINS ? bin : HIST_BINS]++;
    L->worst = frac > L->worst ? frac : L->worst;
    L->sum_frac += frac;
    L->max_frames = total > L->max_frames ? total : L->max_frames;
    /* A late callback is told apart by the CPU its thread used since the
     * previous one ended (this callback and the host's few microseconds
     * between): under half the period means it was not working but waiting
     * for the CPU (preempted, the machine stalled), which the realtime tests
     * judge with the machine's own account (tests/live/lib/jack.sh) */
    double cpu = thread_cpu_s();
    if (frac > 1.0) {
        atomic_fetch_add_explicit(&L->late, 1, memory_order_relaxed);
        if (L->cpu_prev >= 0 && cpu >= 0 && (cpu - L->cpu_prev) * L->rate < 0.5 * (double)(frames ? frames : 1))
            atomic_fetch_add_explicit(&L->late_held, 1, memory_order_relaxed);
    }
    L->cpu_prev = cpu;
    atomic_fetch_add_explicit(&L->callbacks, 1, memory_order_release);
    vm_rtcheck_leave();
    live_profile_end(L->prof, total);
    return paContinue;
}

/* ---- PortAudio set-up (control thread) ------------------------------------ */

/* jack2's port list race (jackaudio/jack2 issues 216 and 340; found in
 * 1.9.21, Debian 12). libjack keeps a client's ports in a std::list that
 * two of its threads use without a lock: jack_port_unregister erases from it
 * on the caller's thread, and the client's notification thread walks it in
 * JackClient::HandleLatencyCallback whenever the server reports a latency
 * change, which it does one engine cycle after every connect, disconnect or
 * unregister, to an active client. PortAudio's JACK host API (19.6.0)
 * unregisters a stream's ports in Pa_CloseStream with its client still
 * active (it deactivates the client only in Pa_Terminate), a cycle after
 * Pa_StopStream disconnected them: the same cycle that lets Pa_CloseStream
 * on, so the walk could follow a node just freed. It did once (2026-12-06,
 * tests/live/play.sh, the kernel's log: "dubstage-rtchec: segfault at
 * 55973da0a08a ... error 4 in libjack.so.0.1.0[12986,...]", a thread of
 * libjack reading through a freed std::list node; the instruction is the
 * walk's first loop). Both threads are libjack's and PortAudio's, so
 * neither sanitizer saw it.
 *
 * This definition wins over libjack's for PortAudio's calls (the program
 * is searched before the libraries, as the malloc trap's malloc is): it
 * deactivates the client first, the order jack2's maintainers ask for, then
 * calls libjack's. A client deactivated walks no list on a latency change,
 * and a walk already under way holds up the server (the notification is
 * synchronous), which answers the deactivation only after it. Deactivating
 * stops the client's process callback: dubstage closes its one stream only
 * to terminate PortAudio (vm_live_close), whose own jack_deactivate then
 * finds nothing to do. tests/live/play.sh checks the order in the
 * server's log. PortAudio unregisters ports only when a stream closes or
 * fails to open; vm_live opens one stream, with no retry, and terminates
 * PortAudio after either, so no later stream needs the client active. */
int vm_live_unregister_deactivates = 1;

int jack_port_unregister(jack_client_t *client, jack_port_t *port)
{
    static int (*unregister_port)(jack_client_t *, jack_port_t *);
    static int (*deactivate)(jack_client_t *);
    if (!unregister_port) {
        *(void **)&unregister_port = dlsym(RTLD_NEXT, "jack_port_unregister");
        *(void **)&deactivate = dlsym(RTLD_NEXT, "jack_deactivate");
    }
    if (!unregister_port || !deactivate)
        return -1;
    if (vm_live_unregister_deactivates)
        deactivate(client);
    return unregister_port(client, port);
}

/* The callback's thread asks for realtime scheduling (SCHED_FIFO) when the
 * host API left it an ordinary thread: a JACK server started without
 * realtime gives its clients' threads none. An ordinary thread waits for the
 * CPU behind every other process, and, with the kernel's session groups
 * (autogroup), behind this process's own control thread compiling a plan or
 * spinning in Lua (docs/live.md "Scheduling"). Where realtime is not
 * permitted (no CAP_SYS_NICE, RLIMIT_RTPRIO 0) the thread stays as it is and
 * the report says so. Runs on the control thread once the stream started. */
static void promote_audio_thread(vm_live *L)
{
    for (int i = 0; i < 2000 && !atomic_load_explicit(&L->audio_thread_known, memory_order_acquire); i++)
        usleep(1000);
    if (!atomic_load_explicit(&L->audio_thread_known, memory_order_acquire)) {
        snprintf(L->sched, sizeof L->sched, "ordinary (no callback within 2 s)");
        return;
    }
    vm_rtprio_promote(L->audio_thread, LIVE_RT_PRIORITY, L->audio_cpu, L->sched, sizeof L->sched);
}

/* PortAudio probes ALSA, which prints to stderr about every card it cannot
 * open on a machine without one; its return codes say what matters. */
static PaError pa_init_quietly(void)
{
    fflush(stderr);
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    if (saved >= 0 && devnull >= 0)
        dup2(devnull, 2);
    PaJack_SetClientName("dubstage");
    PaError e = Pa_Initialize();
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (devnull >= 0)
        close(devnull);
    return e;
}

static void device_label(PaDeviceIndex d, char *buf, size_t n)
{
    const PaDeviceInfo *di = Pa_GetDeviceInfo(d);
    const PaHostApiInfo *hi = di ? Pa_GetHostApiInfo(di->hostApi) : NULL;
    snprintf(buf, n, "%s: %s", hi ? hi->name : "?", di ? di->name : "?");
}

ds_result vm_live_devices(FILE *out, char *err)
{
    PaError e = pa_init_quietly();
    if (e != paNoError)
        return ds_fail(err, DS_ERR_IO, "cannot start PortAudio: %s", Pa_GetErrorText(e));
    PaDeviceIndex def = Pa_GetDefaultOutputDevice();
    int count = Pa_GetDeviceCount(), shown = 0;
    for (PaDeviceIndex d = 0; d < count; d++) {
        const PaDeviceInfo *di = Pa_GetDeviceInfo(d);
        if (!di || di->maxOutputChannels < 1)
            continue;
        char name[300];
        device_label(d, name, sizeof name);
        fprintf(out, "%c %-50s %3d ch  %6.0f Hz\n", d == def ? '*' : ' ', name, di->maxOutputChannels,
                di->defaultSampleRate);
        shown++;
    }
    if (!shown)
        fprintf(out, "no output device (is an audio server running? e.g. jackd -d dummy)\n");
    Pa_Terminate();
    return DS_OK;
}

static ds_result pick_device(const char *want, PaDeviceIndex *out, char *err)
{
    int count = Pa_GetDeviceCount();
    if (!want) {
        PaDeviceIndex d = Pa_GetDefaultOutputDevice();
        if (d == paNoDevice) /* the default host API has none: take the first that has one */
            for (int h = 0; h < Pa_GetHostApiCount() && d == paNoDevice; h++) {
                const PaHostApiInfo *hi = Pa_GetHostApiInfo(h);
                if (hi && hi->defaultOutputDevice != paNoDevice)
                    d = hi->defaultOutputDevice;
            }
        if (d == paNoDevice)
            return ds_fail(err, DS_ERR_IO, "no audio output device (run 'dubstage devices'; with no sound card, "
                                           "start an audio server such as 'jackd -d dummy')");
        *out = d;
        return DS_OK;
    }
    const char *names[256];
    char labels[256][300];
    int nn = 0;
    PaDeviceIndex found = paNoDevice;
    for (int pass = 0; pass < 2 && found == paNoDevice; pass++)
        for (PaDeviceIndex d = 0; d < count && found == paNoDevice; d++) {
            const PaDeviceInfo *di = Pa_GetDeviceInfo(d);
            if (!di || di->maxOutputChannels < 1)
                continue;
            char label[300];
            device_label(d, label, sizeof label);
            if (pass == 0 && nn < 256) {
                snprintf(labels[nn], sizeof labels[nn], "%s", di->name);
                names[nn] = labels[nn];
                nn++;
            }
            /* pass 0: the exact name (or "host: name"); pass 1: a part of it */
            if (pass == 0 ? (strcmp(di->name, want) == 0 || strcmp(label, want) == 0)
                          : (strcasestr(label, want) != NULL))
                found = d;
        }
    if (found == paNoDevice) {
        const char *near = vm_suggest(want, names, nn);
        char list[2000] = "";
        for (int i = 0; i < nn && strlen(list) < sizeof list - 310; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", i ? ", " : "", names[i]);
        if (near)
            return ds_fail(err, DS_ERR_ARG, "no output device '%s'; did you mean '%s'? (devices: %s)", want, near,
                           list);
        return ds_fail(err, DS_ERR_ARG, "no output device '%s' (devices: %s)", want, nn ? list : "none");
    }
    *out = found;
    return DS_OK;
}

ds_result vm_live_open(vm_live **out, plan *p, const char *tap, const vm_live_opts *o, char *err)
{
    *out = NULL;
    vm_live_opts def;
    if (!o) {
        vm_live_opts_init(&def);
        o = &def;
    }
    vm_live *L = calloc(1, sizeof *L);
    if (!L) {
        vm_plan_free(&p);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    L->cpu_prev = -1;
    L->rate = p->tb.rate;
    L->max_block = p->max_block;
    L->xfade_s = o->xfade > 0 ? o->xfade : 0.03;
    L->xf_len = (int)lrint(L->xfade_s * L->rate);
    L->xf_len = L->xf_len < 1 ? 1 : L->xf_len;
    snprintf(L->tap_name, sizeof L->tap_name, "%s", tap);
    ds_result r = vm_feed_create(&L->feed, L->rate, o->readahead > 0 ? o->readahead : 2.0, err);
    live_plan *lp = NULL;
    if (r != DS_OK) {
        vm_plan_free(&p);
        vm_live_close(&L, NULL);
        return r;
    }
    if ((r = live_plan_make(L, p, NULL, &lp, err)) != DS_OK) {
        vm_live_close(&L, NULL);
        return r;
    }
    L->cur = L->ctl_current = lp;
    const char *prof = getenv("DUBSTAGE_LIVE_PROFILE");
    if (prof && *prof) {
        snprintf(L->prof_path, sizeof L->prof_path, "%s", prof);
        /* at most 256 MB of op times */
        int nops = lp->p->nops > 0 ? lp->p->nops : 1, cap = (256 << 20) / (4 * nops);
        if (!(L->prof = live_profile_create(prof, cap < PROFILE_CALLBACKS ? cap : PROFILE_CALLBACKS, nops))) {
            vm_live_close(&L, NULL);
            return ds_fail(err, DS_ERR_NOMEM, "out of memory for the callback profile (DUBSTAGE_LIVE_PROFILE)");
        }
    }
    PaError e = pa_init_quietly();
    if (e != paNoError) {
        vm_live_close(&L, NULL);
        return ds_fail(err, DS_ERR_IO, "cannot start PortAudio: %s", Pa_GetErrorText(e));
    }
    L->pa_up = 1;
    PaDeviceIndex dev;
    if ((r = pick_device(o->device, &dev, err)) != DS_OK) {
        vm_live_close(&L, NULL);
        return r;
    }
    const PaDeviceInfo *di = Pa_GetDeviceInfo(dev);
    char dname[300];
    device_label(dev, dname, sizeof dname);
    L->dev_ch = lp->tap_ch < di->maxOutputChannels ? lp->tap_ch : di->maxOutputChannels;
    L->mixbuf = calloc((size_t)L->max_block * (size_t)L->dev_ch, sizeof *L->mixbuf);
    if (!L->mixbuf) {
        vm_live_close(&L, NULL);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    PaStreamParameters sp = {dev, L->dev_ch, paFloat32, di->defaultLowOutputLatency, NULL};
    e = Pa_IsFormatSupported(NULL, &sp, L->rate);
    if (e != paFormatIsSupported) {
        vm_live_close(&L, NULL);
        return ds_fail(err, DS_ERR_IO, "device '%s' cannot play %d channels at %d Hz (the session rate): %s", dname,
                       sp.channelCount, p ? (int)L->rate : 0, Pa_GetErrorText(e));
    }
    e = Pa_OpenStream(&L->stream, NULL, &sp, L->rate, o->buffer > 0 ? (unsigned long)o->buffer : paFramesPerBufferUnspecified,
                      paClipOff | paDitherOff, callback, L);
    if (e == paNoError)
        e = Pa_StartStream(L->stream);
    if (e != paNoError) {
        vm_live_close(&L, NULL);
        return ds_fail(err, DS_ERR_IO, "cannot open device '%s': %s", dname, Pa_GetErrorText(e));
    }
    promote_audio_thread(L);
    *out = L;
    return DS_OK;
}

static ds_result push_wait(vm_live *L, const live_cmd *c, char *err)
{
    uint64_t want = atomic_load(&L->cmds_taken) + 1;
    while (cmd_push(&L->cmds, c) != 0)
        usleep(1000);
    /* the callback takes it within a buffer; a stream that stopped would not */
    for (int i = 0; i < 5000; i++) {
        if (atomic_load_explicit(&L->cmds_taken, memory_order_acquire) >= want)
            return DS_OK;
        usleep(1000);
    }
    return ds_fail(err, DS_ERR_IO, "the audio device stopped calling back (is the audio server still running?)");
}

ds_result vm_live_play(vm_live *L, int64_t from, int64_t to, int64_t loop_from, int64_t loop_to, char *err)
{
    const plan *p = L->ctl_current->p;
    if (from < 0)
        from = 0;
    if (to <= from)
        to = p->length;
    if (from >= to)
        return ds_fail(err, DS_ERR_ARG, "nothing to play: the range starts at or after its end");
    int loop = loop_to > loop_from;
    if (loop && (loop_to - loop_from) < L->rate / 10)
        return ds_fail(err, DS_ERR_ARG, "a loop must be at least 0.1 s long");
    live_cmd c = {.kind = CMD_PLAY, .pass = ++L->next_pass, .start = from, .end = to};
    if (loop && from < loop_to) {
        c.loop_from = loop_from;
        c.loop_to = loop_to;
    }
    int lat = L->ctl_current->tap_lat;
    vm_feed_program(L->feed, c.pass, from, c.loop_to > c.loop_from ? c.loop_to : to + lat, c.loop_from, c.loop_to);
    if (c.loop_to > c.loop_from)
        L->next_pass += 1 << 30; /* the loop's passes follow the first; the next program starts after them */
    vm_feed_wait_ready(L->feed, 5.0);
    return push_wait(L, &c, err);
}

void vm_live_stop(vm_live *L)
{
    char err[DS_ERR_LEN];
    live_cmd c = {.kind = CMD_STOP};
    push_wait(L, &c, err);
}

ds_result vm_live_swap(vm_live *L, plan *p, char *err)
{
    live_plan *lp;
    ds_result r = live_plan_make(L, p, L->ctl_current, &lp, err);
    if (r != DS_OK)
        return r;
    if (lp->tap_ch != L->ctl_current->tap_ch) {
        ds_fail(err, DS_ERR_ARG, "'%s' now has %d channels, not %d: restart playback to change its layout",
                L->tap_name, lp->tap_ch, L->ctl_current->tap_ch);
        live_plan_free(L, lp);
        return DS_ERR_ARG;
    }
    vm_feed_wait_ready(L->feed, 5.0);
    live_cmd c = {.kind = CMD_SWAP, .lp = lp};
    L->ctl_current = lp;
    r = push_wait(L, &c, err);
    vm_live_poll(L);
    return r;
}

void vm_live_poll(vm_live *L)
{
    live_plan *lp;
    while ((lp = plan_pop(&L->retired)))
        live_plan_free(L, lp);
}

void vm_live_get_status(vm_live *L, vm_live_status *st)
{
    memset(st, 0, sizeof *st);
    st->playing = atomic_load(&L->is_playing);
    st->finished = atomic_load(&L->finished);
    st->position = atomic_load(&L->heard);
    st->xruns = atomic_load(&L->xruns);
    st->xruns_playing = atomic_load(&L->xruns_playing);
    st->late = atomic_load(&L->late);
    st->callbacks = atomic_load(&L->callbacks);
    st->underruns = L->feed ? vm_feed_underruns(L->feed) : 0;
    snprintf(st->feed_error, sizeof st->feed_error, "%s", L->feed ? vm_feed_error(L->feed) : "");
    /* the plan the control thread last handed over: the audio thread meters
     * that one (or will, within a buffer) */
    live_plan *lp = L->ctl_current;
    for (int i = 0; lp && i < lp->nmeters; i++) {
        live_meter *m = &lp->meters[i];
        vm_live_meter *o = &st->meters[st->nmeters++];
        snprintf(o->name, sizeof o->name, "%s", m->name);
        float pk = atomic_exchange_explicit(&m->peak, 0.0f, memory_order_relaxed);
        o->peak_dbfs = pk > 0 ? 20.0 * log10(pk) : -INFINITY;
        o->short_term_lufs = atomic_load_explicit(&m->short_term, memory_order_relaxed);
    }
    for (int i = 0; lp && i < lp->ngr; i++) {
        vm_live_gr *o = &st->gr[st->ngr++];
        snprintf(o->name, sizeof o->name, "%s", lp->grs[i].name);
        o->gain_db = atomic_load_explicit(&lp->grs[i].gain_db, memory_order_relaxed);
    }
}

/* The callback time (a fraction of the period) that all but
 * per_mille / 1000 of n callbacks stayed within: the upper edge of the
 * histogram bin where the count reaches that share, at most the worst. */
static double hist_quantile(const vm_live *L, uint64_t n, uint64_t per_mille)
{
    uint64_t need = n - n * per_mille / 1000, seen = 0;
    double q = 0;
    for (int b = 0; b <= HIST_BINS && n; b++) {
        seen += L->hist[b];
        if (seen >= need) {
            q = (b + 1) * HIST_STEP;
            break;
        }
    }
    return q > L->worst ? L->worst : q;
}

void vm_live_close(vm_live **pL, vm_live_report *rep)
{
    vm_live *L = *pL;
    if (!L)
        return;
    if (L->stream) {
        Pa_StopStream(L->stream);
        Pa_CloseStream(L->stream);
    }
    if (L->pa_up)
        Pa_Terminate();
    char prof_note[sizeof rep->profile] = "";
    if (L->prof) {
        if (live_profile_write(&L->prof, L->cur->p, L->rate, L->max_frames) == 0)
            snprintf(prof_note, sizeof prof_note, "callback profile written to %s", L->prof_path);
        else
            snprintf(prof_note, sizeof prof_note, "could not write the callback profile %s: %s", L->prof_path,
                     strerror(errno));
    }
    if (rep) {
        memset(rep, 0, sizeof *rep);
        rep->callbacks = atomic_load(&L->callbacks);
        rep->xruns = atomic_load(&L->xruns);
        rep->xruns_playing = atomic_load(&L->xruns_playing);
        rep->first_xrun = L->first_xrun;
        snprintf(rep->sched, sizeof rep->sched, "%s", L->sched);
        rep->late = atomic_load(&L->late);
        rep->late_held = atomic_load(&L->late_held);
        rep->underruns = L->feed ? vm_feed_underruns(L->feed) : 0;
        rep->buffer = L->max_frames;
        rep->period_us = L->rate ? 1e6 * L->max_frames / L->rate : 0;
        rep->worst = L->worst;
        rep->mean = rep->callbacks ? L->sum_frac / (double)rep->callbacks : 0;
        rep->p50 = hist_quantile(L, rep->callbacks, 500);
        rep->p99 = hist_quantile(L, rep->callbacks, 10);
        rep->p999 = hist_quantile(L, rep->callbacks, 1);
        snprintf(rep->profile, sizeof rep->profile, "%s", prof_note);
    }
    vm_live_poll(L);
    for (int i = 0; i < L->noverflow; i++)
        live_plan_free(L, L->overflow[i]);
    if (L->old)
        live_plan_free(L, L->old);
    if (L->cur != L->ctl_current)
        live_plan_free(L, L->ctl_current);
    live_plan_free(L, L->cur);
    vm_feed_destroy(&L->feed);
    free(L->mixbuf);
    free(L);
    *pL = NULL;
}
