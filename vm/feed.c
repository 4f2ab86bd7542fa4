/* feed.c - disk streaming for live playback (vm/feed.h).
 *
 * Shape. A source (one per distinct clip) holds FEED_SLOTS atomic pointers
 * to voices; the audio thread finds the voice of a pass by looking at those
 * slots only. A voice is a ring the disk thread fills from one
 * vm_media_reader and publishes `filled_to` (release) after every chunk; the
 * audio thread copies frames below it (acquire). Only the disk thread
 * creates, fills, publishes, unpublishes and frees voices; the control
 * thread creates sources (attach), queues the unused ones for the disk
 * thread to free (detach) and gives programs. One mutex guards what the
 * control and disk threads share; the audio thread never takes it and the
 * disk thread drops it while it opens and reads files.
 *
 * The ring rule. A voice of pass q whose range does not fit its ring is
 * refilled in place: writing session sample s overwrites s - cap, which is
 * allowed only once the audio thread has published a playhead past it (the
 * pass is q and pos > s - cap). The audio thread only reads at or after the
 * playhead it last published (feed.h: position says what has been played),
 * so what it reads is never being written.
 *
 * The playhead is (pass, pos), written by the audio thread alone under a
 * sequence counter (a seqlock whose writer never waits). A reader that saw
 * a torn pair - a new pass with the old pass's position - could free frames
 * of the new pass still needed, so readers retry until the counter is even
 * and unchanged. The counter's release/acquire also orders the audio
 * thread's last reads of ring frames before the disk thread's overwrite.
 *
 * Loops. Every pass of a loop after the first plays the same range, and a
 * reader opened where that range starts gives the same frames each time, so
 * when the clip's part of the loop fits in a ring the voice is read once and
 * shared by all of the program's loop passes (pass_first .. pass_last,
 * pass_last lowered when the next program is given). A longer part gets a
 * voice per pass like any other.
 *
 * Freeing. A voice is freed only when it is no longer needed (its passes
 * are over, or it belongs to a program that will not play) and after it was
 * unpublished; the audio thread might still hold the pointer it loaded from
 * the slot a moment before, so the disk thread counts reads in and out
 * (enters/exits, sequentially consistent with the slot stores) and waits
 * for the reads in flight at the unpublish to end (microseconds) before it
 * frees.
 */
#include "vm/feed.h"

#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm/media.h"
#include "vm/ops.h"

#define FEED_SLOTS 6              /* voices per source: playing pass, the next, a pending program's two, spare */
#define FEED_CHUNK 4096           /* frames per vm_media_read */
#define FEED_ROUND_FRAMES 16384   /* most frames one voice gets per service round (fairness) */
#define FEED_SPARE 16384          /* ring frames beyond the readahead */
#define FEED_MAX_PROGRAMS 64
#define FEED_MAX_WINDOWS 24
#define FEED_MAX_WALK 8           /* passes one readahead walk looks at */
#define FEED_POLL_BUSY_NS 2000000L   /* idle wait while the playhead moves */
#define FEED_POLL_IDLE_NS 20000000L  /* idle wait while it stands still */
#define FEED_STILL_NS 300000000L     /* no position for this long (longer than any block): standing still */

typedef struct feed_voice feed_voice;

struct feed_voice {
    /* what the audio thread reads: fixed before publication, except
     * pass_last (lowered by vm_feed_program) and filled_to */
    int64_t pass_first;
    _Atomic int64_t pass_last;
    int64_t begin, end;        /* session samples [begin, end) */
    int64_t cap;               /* ring frames: session sample s is frame (s - begin) % cap */
    float *ring;
    _Atomic int64_t filled_to; /* frames in [.., filled_to) are valid */
    /* the disk thread's */
    vm_feed_source *src;
    int shared;                /* one voice for every loop pass of its program */
    int64_t prog_first;        /* first_pass of the program it belongs to */
    vm_media_reader *reader;   /* NULL once complete or failed */
    int failed;
    feed_voice *prev, *next;   /* the feed's voice list (mutex) */
    feed_voice *link;          /* the disk thread's private lists */
};

struct vm_feed_source {
    vm_feed *feed;
    _Atomic(feed_voice *) slot[FEED_SLOTS];
    vm_media_info probed;      /* the file when the mix was compiled (channels, rate, frames) */
    int channels;
    char *path;
    int64_t at, from, length;
    int refs;                  /* clips of attached plans (mutex) */
    vm_feed_source *hnext;     /* hash chain, then the dead list (mutex) */
    /* the disk thread's, for one service round: voices being created */
    uint64_t round;
    int npend;
    int64_t pend_first[FEED_SLOTS];
    int pend_shared[FEED_SLOTS];
};

typedef struct {
    int64_t first, start, end, loop_from, loop_to;
    int loop;
} feed_program;

typedef struct {
    int64_t at, end;
    vm_feed_source *src;
} feed_span;

/* An attached plan: its clips sorted by start, with the running maximum of
 * their ends, so the clips overlapping a window are found by a binary
 * search and a short scan back. */
typedef struct feed_plan {
    plan *p;
    feed_span *spans;
    int64_t *maxend;
    int nspans;
    struct feed_plan *next;
} feed_plan;

typedef struct {
    int64_t pass, ps, pe, w0, w1;
    int prog;
} feed_window;

typedef struct {
    vm_feed_source *src;
    int64_t first, begin, end, w1, prog_first;
    int shared;
} feed_need;

typedef struct {
    feed_voice *v;
    int64_t limit, lead;
} feed_fill;

struct vm_feed {
    int rate;
    int64_t ra;                /* readahead in frames */
    int64_t cap;               /* ring frames of a voice that does not fit whole */

    /* the audio thread's side */
    _Atomic uint64_t ph_seq;
    _Atomic int64_t ph_pass, ph_pos;
    _Atomic uint64_t enters, exits;
    _Atomic uint64_t underruns;
    _Atomic int error_set;
    char error[DS_ERR_LEN];    /* written once by the disk thread before error_set */

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;       /* the disk thread sleeps on it */
    pthread_cond_t ready_cv;   /* vm_feed_wait_ready sleeps on it */

    /* under mu */
    int stop, kick;
    uint64_t gen;              /* bumped by attach, detach, program */
    uint64_t ready_gen, rounds;
    int ready;
    feed_program progs[FEED_MAX_PROGRAMS];
    int nprogs;
    feed_plan *plans;
    vm_feed_source **table;
    size_t nbuckets, nsources;
    vm_feed_source *dead;      /* sources no plan uses, for the disk thread to free */
    feed_voice *voices;        /* every published voice */

    /* the disk thread's */
    uint64_t round;
    uint64_t last_seq;
    int64_t last_move_ns;
    feed_window wins[FEED_MAX_WINDOWS];
    int nwins;
    feed_need *needs;
    int nneeds, capneeds;
    feed_need *creates;
    int ncreates, capcreates;
    feed_fill *fills;
    int nfills, capfills;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* ---- the playhead ------------------------------------------------------ */

void vm_feed_position(vm_feed *f, int64_t pass, int64_t pos)
{
    if (!f)
        return;
    uint64_t s = atomic_load_explicit(&f->ph_seq, memory_order_relaxed);
    atomic_store_explicit(&f->ph_seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&f->ph_pass, pass, memory_order_relaxed);
    atomic_store_explicit(&f->ph_pos, pos, memory_order_relaxed);
    atomic_store_explicit(&f->ph_seq, s + 2, memory_order_release);
}

/* The last published (pass, pos); (INT64_MIN, INT64_MIN) before any. */
static uint64_t read_playhead(vm_feed *f, int64_t *pass, int64_t *pos)
{
    for (;;) {
        uint64_t s1 = atomic_load_explicit(&f->ph_seq, memory_order_acquire);
        if (!(s1 & 1)) {
            int64_t a = atomic_load_explicit(&f->ph_pass, memory_order_relaxed);
            int64_t b = atomic_load_explicit(&f->ph_pos, memory_order_relaxed);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&f->ph_seq, memory_order_relaxed) == s1) {
                *pass = a;
                *pos = b;
                return s1;
            }
        }
        sched_yield(); /* the audio thread is between its two stores */
    }
}

/* ---- the audio thread's read ------------------------------------------- */

int vm_feed_read(vm_feed_source *src, int64_t pass, int64_t pos, float *out, int n)
{
    if (n <= 0)
        return 0;
    if (!src)
        return n; /* no feed to count it in; op_clips never passes NULL live */
    vm_feed *f = src->feed;
    int ch = src->channels;
    /* seq_cst: ordered with the disk thread's unpublish (see the top) */
    atomic_fetch_add(&f->enters, 1);
    feed_voice *v = NULL;
    for (int i = 0; i < FEED_SLOTS; i++) {
        feed_voice *c = atomic_load(&src->slot[i]);
        if (c && c->pass_first <= pass && pass <= atomic_load_explicit(&c->pass_last, memory_order_acquire)) {
            v = c;
            break;
        }
    }
    int64_t end = pos + n, lo = end, hi = end;
    if (v) {
        int64_t filled = atomic_load_explicit(&v->filled_to, memory_order_acquire);
        lo = min64(max64(pos, v->begin), end);
        hi = max64(min64(end, filled), lo);
    }
    if (lo > pos)
        memset(out, 0, (size_t)(lo - pos) * (size_t)ch * sizeof *out);
    if (hi > lo) {
        int64_t idx = (lo - v->begin) % v->cap;
        int64_t k = min64(hi - lo, v->cap - idx);
        float *o = out + (size_t)(lo - pos) * (size_t)ch;
        memcpy(o, v->ring + (size_t)idx * (size_t)ch, (size_t)k * (size_t)ch * sizeof *out);
        if (k < hi - lo)
            memcpy(o + (size_t)k * (size_t)ch, v->ring, (size_t)(hi - lo - k) * (size_t)ch * sizeof *out);
    }
    if (end > hi)
        memset(out + (size_t)(hi - pos) * (size_t)ch, 0, (size_t)(end - hi) * (size_t)ch * sizeof *out);
    int missing = n - (int)(hi - lo);
    if (missing)
        atomic_fetch_add_explicit(&f->underruns, (uint64_t)missing, memory_order_relaxed);
    atomic_fetch_add_explicit(&f->exits, 1, memory_order_release);
    return missing;
}

uint64_t vm_feed_underruns(const vm_feed *f)
{
    return f ? atomic_load_explicit(&((vm_feed *)f)->underruns, memory_order_relaxed) : 0;
}

const char *vm_feed_error(const vm_feed *f)
{
    if (f && atomic_load_explicit(&((vm_feed *)f)->error_set, memory_order_acquire))
        return f->error;
    return "";
}

/* Disk thread only (the one writer): keeps the first message. */
static void set_error(vm_feed *f, const char *msg)
{
    if (atomic_load_explicit(&f->error_set, memory_order_relaxed))
        return;
    snprintf(f->error, sizeof f->error, "%s", msg);
    atomic_store_explicit(&f->error_set, 1, memory_order_release);
}

/* ---- programs and windows ---------------------------------------------- */

/* The program pass belongs to: the one with the greatest first <= pass. */
static int prog_index(const vm_feed *f, int64_t pass)
{
    int i = f->nprogs - 1;
    while (i >= 0 && f->progs[i].first > pass)
        i--;
    return i;
}

/* The session range of pass q of program g; 0 when g has no such pass. */
static int pass_range(const feed_program *g, int64_t q, int64_t *ps, int64_t *pe)
{
    if (q == g->first) {
        *ps = g->start;
        *pe = g->loop && g->start < g->loop_to ? g->loop_to : g->end;
        return *pe > *ps;
    }
    if (q > g->first && g->loop) {
        *ps = g->loop_from;
        *pe = g->loop_to;
        return 1;
    }
    return 0;
}

/* Appends the windows `budget` frames of playing cover, from pass q at
 * session sample x on, through program gi's passes. */
static void walk(vm_feed *f, int gi, int64_t q, int64_t x, int64_t budget)
{
    const feed_program *g = &f->progs[gi];
    int64_t limit = gi + 1 < f->nprogs ? f->progs[gi + 1].first : INT64_MAX;
    for (int k = 0; k < FEED_MAX_WALK && budget > 0 && q < limit && f->nwins < FEED_MAX_WINDOWS;
         k++, q++, x = INT64_MIN) {
        int64_t ps, pe;
        if (!pass_range(g, q, &ps, &pe))
            break;
        int64_t w0 = max64(x, ps);
        if (w0 >= pe)
            continue;
        int64_t w1 = pe - w0 > budget ? w0 + budget : pe;
        f->wins[f->nwins++] = (feed_window){.pass = q, .ps = ps, .pe = pe, .w0 = w0, .w1 = w1, .prog = gi};
        budget -= w1 - w0;
        if (q > g->first && w0 == ps && w1 == pe)
            break; /* a whole loop pass: the ones after it are the same */
    }
}

static int grow(void **arr, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *a = realloc(*arr, (size_t)n * size);
    if (!a)
        return -1;
    *arr = a;
    *cap = n;
    return 0;
}

/* f->needs = the voices the windows need: for every window and every
 * attached plan, every clip overlapping it. The playing pass's voice of a
 * clip that starts behind the playhead x starts at x (the part before is
 * never read again). */
static void collect_needs(vm_feed *f, int64_t P, int64_t x)
{
    f->nneeds = 0;
    for (int wi = 0; wi < f->nwins; wi++) {
        const feed_window *w = &f->wins[wi];
        const feed_program *g = &f->progs[w->prog];
        for (feed_plan *r = f->plans; r; r = r->next) {
            int lo = 0, hi = r->nspans; /* first span with at >= w1 */
            while (lo < hi) {
                int mid = lo + (hi - lo) / 2;
                if (r->spans[mid].at < w->w1)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (int i = lo - 1; i >= 0 && r->maxend[i] > w->w0; i--) {
                const feed_span *sp = &r->spans[i];
                if (sp->end <= w->w0)
                    continue;
                feed_need nd = {.src = sp->src, .w1 = w->w1, .prog_first = g->first};
                if (g->loop && w->pass > g->first) {
                    nd.begin = max64(sp->at, g->loop_from);
                    nd.end = min64(sp->end, g->loop_to);
                    if (nd.end - nd.begin <= f->cap) {
                        nd.shared = 1;
                        nd.first = g->first + 1;
                    }
                }
                if (!nd.shared) {
                    nd.first = w->pass;
                    nd.begin = max64(sp->at, w->ps);
                    if (w->pass == P && x > nd.begin)
                        nd.begin = x;
                    nd.end = min64(sp->end, w->pe);
                }
                if (nd.end <= nd.begin)
                    continue;
                if (grow((void **)&f->needs, &f->capneeds, f->nneeds + 1, sizeof *f->needs))
                    return; /* out of memory: serve what fits */
                f->needs[f->nneeds++] = nd;
            }
        }
    }
}

static feed_voice *find_voice(vm_feed_source *s, int64_t first, int shared)
{
    for (int i = 0; i < FEED_SLOTS; i++) {
        feed_voice *v = atomic_load_explicit(&s->slot[i], memory_order_relaxed);
        if (v && v->pass_first == first && v->shared == shared)
            return v;
    }
    return NULL;
}

/* The last pass a shared voice of program prog_first serves: the one before
 * the next program. */
static int64_t shared_last(const vm_feed *f, int64_t prog_first)
{
    for (int i = 0; i < f->nprogs; i++)
        if (f->progs[i].first > prog_first)
            return f->progs[i].first - 1;
    return INT64_MAX;
}

/* How far v may be filled with the playhead at (P, x): to its end when it
 * fits its ring, else up to where it would overwrite a frame not yet played. */
static int64_t fill_limit(const feed_voice *v, int64_t P, int64_t x)
{
    if (v->shared || v->end - v->begin <= v->cap)
        return v->end;
    int64_t behind = v->pass_first == P ? max64(x, v->begin) : v->begin;
    return min64(v->end, behind + v->cap);
}

/* Frames buffered ahead of where the audio thread next needs v: the fill
 * order, least first. */
static int64_t lead(const feed_voice *v, int64_t P, int64_t x)
{
    int plays = v->pass_first <= P && P <= atomic_load_explicit(&v->pass_last, memory_order_relaxed);
    return atomic_load_explicit(&v->filled_to, memory_order_relaxed) - (plays ? max64(x, v->begin) : v->begin);
}

static int voice_dead(const vm_feed *f, const feed_voice *v, int64_t P, int64_t x, int gi, int ni)
{
    if (atomic_load_explicit(&v->pass_last, memory_order_relaxed) < P)
        return 1;
    if (!v->shared && v->pass_first == P && v->end <= x)
        return 1;
    if (!(gi >= 0 && v->prog_first == f->progs[gi].first) && !(ni >= 0 && v->prog_first == f->progs[ni].first))
        return 1; /* a program that has ended, or one superseded before it started */
    return 0;
}

static void list_unlink(vm_feed *f, feed_voice *v)
{
    if (v->prev)
        v->prev->next = v->next;
    else
        f->voices = v->next;
    if (v->next)
        v->next->prev = v->prev;
    v->prev = v->next = NULL;
}

static void voice_free(feed_voice *v)
{
    vm_media_close(&v->reader);
    free(v->ring);
    free(v);
}

static void source_free(vm_feed_source *s)
{
    free(s->path);
    free(s);
}

/* Waits until every vm_feed_read that may have loaded a voice pointer
 * before the unpublish just done has returned. */
static void wait_readers(vm_feed *f)
{
    uint64_t e = atomic_load(&f->enters);
    while (atomic_load(&f->exits) < e)
        sched_yield();
}

/* The window wait_ready speaks of, buffered? (mutex held) */
static int compute_ready(vm_feed *f)
{
    int64_t P, x;
    read_playhead(f, &P, &x);
    int gi = prog_index(f, P);
    int ni = f->nprogs > 0 && f->progs[f->nprogs - 1].first > P ? f->nprogs - 1 : -1;
    f->nwins = 0;
    if (ni >= 0)
        walk(f, ni, f->progs[ni].first, f->progs[ni].start, f->ra / 2);
    else if (gi >= 0)
        walk(f, gi, P, x, f->ra / 2);
    collect_needs(f, P, x);
    for (int i = 0; i < f->nneeds; i++) {
        const feed_need *nd = &f->needs[i];
        feed_voice *v = find_voice(nd->src, nd->first, nd->shared);
        if (!v)
            return 0;
        if (!v->failed && atomic_load_explicit(&v->filled_to, memory_order_relaxed) < min64(v->end, nd->w1))
            return 0;
    }
    return 1;
}

/* v cannot read on from session sample `at`: the feed's error (the first
 * one) says so, placed on the session's timeline; the voice's frames from
 * there read as missing, and the live driver stops on the error. */
static void voice_failed(vm_feed *f, feed_voice *v, int64_t at, const char *why)
{
    char msg[DS_ERR_LEN];
    int n = snprintf(msg, sizeof msg, "at %.3f s of the session: ", (double)at / f->rate);
    if (n >= 0 && (size_t)n < sizeof msg)
        snprintf(msg + n, sizeof msg - (size_t)n, "%.*s", (int)(sizeof msg - (size_t)n - 1), why);
    set_error(f, msg);
    vm_media_close(&v->reader);
    v->failed = 1;
}

/* Makes a voice (disk thread, no lock): ring, reader opened at the frame
 * the pass first needs. A voice that cannot read is returned failed (its
 * frames read as missing) so it is not retried every round. */
static feed_voice *voice_new(vm_feed *f, const feed_need *c)
{
    feed_voice *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    vm_feed_source *s = c->src;
    v->src = s;
    v->pass_first = c->first;
    atomic_init(&v->pass_last, c->shared ? INT64_MAX : c->first);
    v->begin = c->begin;
    v->end = c->end;
    v->cap = min64(f->cap, c->end - c->begin);
    atomic_init(&v->filled_to, c->begin);
    v->shared = c->shared;
    v->prog_first = c->prog_first;
    char err[DS_ERR_LEN];
    v->ring = malloc((size_t)v->cap * (size_t)s->channels * sizeof *v->ring);
    if (!v->ring) {
        snprintf(err, sizeof err, "out of memory buffering '%s' for playback", s->path);
        set_error(f, err);
        v->failed = 1;
    } else if (vm_media_open_expect(&v->reader, s->path, &s->probed, f->rate, s->from + (c->begin - s->at),
                                    err) != DS_OK) {
        voice_failed(f, v, c->begin, err);
    }
    return v;
}

/* Reads up to `budget` frames into v, not past limit; returns frames read. */
static int64_t voice_fill(vm_feed *f, feed_voice *v, int64_t limit, int64_t budget)
{
    int ch = v->src->channels;
    int64_t ft = atomic_load_explicit(&v->filled_to, memory_order_relaxed), got = 0;
    char err[DS_ERR_LEN];
    while (v->reader && ft < limit && got < budget) {
        int64_t idx = (ft - v->begin) % v->cap;
        int64_t n = min64(min64(limit - ft, FEED_CHUNK), min64(v->cap - idx, budget - got));
        if (vm_media_read(v->reader, v->ring + (size_t)idx * (size_t)ch, (int)n, err) != DS_OK) {
            voice_failed(f, v, ft, err);
            break;
        }
        ft += n;
        got += n;
        atomic_store_explicit(&v->filled_to, ft, memory_order_release);
    }
    if (ft >= v->end)
        vm_media_close(&v->reader); /* complete: give the file and the resampler back */
    return got;
}

static int cmp_fill(const void *a, const void *b)
{
    const feed_fill *x = a, *y = b;
    return x->lead < y->lead ? -1 : x->lead > y->lead;
}

/* Unpublishes every voice of the sources no plan uses (f->dead, taken from
 * the feed into *dead) onto *doomed: the audio thread no longer reads them
 * (detach's contract). Mutex held. */
static void take_dead_sources(vm_feed *f, vm_feed_source **dead, feed_voice **doomed)
{
    *dead = f->dead;
    f->dead = NULL;
    for (vm_feed_source *s = *dead; s; s = s->hnext)
        for (int i = 0; i < FEED_SLOTS; i++) {
            feed_voice *v = atomic_load_explicit(&s->slot[i], memory_order_relaxed);
            if (v) {
                atomic_store(&s->slot[i], NULL);
                list_unlink(f, v);
                v->link = *doomed;
                *doomed = v;
            }
        }
}

/* Unpublishes the voices no longer needed with the playhead at (P, x) onto
 * *doomed. Mutex held. */
static void take_dead_voices(vm_feed *f, int64_t P, int64_t x, int gi, int ni, feed_voice **doomed)
{
    for (feed_voice *v = f->voices, *next; v; v = next) {
        next = v->next;
        if (voice_dead(f, v, P, x, gi, ni)) {
            for (int i = 0; i < FEED_SLOTS; i++)
                if (atomic_load_explicit(&v->src->slot[i], memory_order_relaxed) == v)
                    atomic_store(&v->src->slot[i], NULL);
            list_unlink(f, v);
            v->link = *doomed;
            *doomed = v;
        }
    }
}

/* f->creates = the needs with no voice yet, at most what each source's
 * free slots take (a slot frees when a pass ends). Mutex held. */
static void plan_creates(vm_feed *f)
{
    f->ncreates = 0;
    for (int i = 0; i < f->nneeds; i++) {
        const feed_need *nd = &f->needs[i];
        vm_feed_source *s = nd->src;
        if (find_voice(s, nd->first, nd->shared))
            continue;
        if (s->round != f->round) {
            s->round = f->round;
            s->npend = 0;
        }
        int pending = 0, free_slots = -s->npend;
        for (int k = 0; k < s->npend; k++)
            pending |= s->pend_first[k] == nd->first && s->pend_shared[k] == nd->shared;
        for (int k = 0; k < FEED_SLOTS; k++)
            free_slots += !atomic_load_explicit(&s->slot[k], memory_order_relaxed);
        if (pending || free_slots <= 0)
            continue;
        if (grow((void **)&f->creates, &f->capcreates, f->ncreates + 1, sizeof *f->creates))
            break;
        s->pend_first[s->npend] = nd->first;
        s->pend_shared[s->npend] = nd->shared;
        s->npend++;
        f->creates[f->ncreates++] = *nd;
    }
}

/* f->fills = the published voices below their fill limit, with room in
 * f->fills for the voices about to be created. Returns how many of
 * f->creates to make (0 when that room could not be had). Mutex held. */
static int plan_fills(vm_feed *f, int64_t P, int64_t x)
{
    f->nfills = 0;
    for (feed_voice *v = f->voices; v; v = v->next) {
        if (!v->reader)
            continue;
        int64_t lim = fill_limit(v, P, x);
        int64_t ft = atomic_load_explicit(&v->filled_to, memory_order_relaxed);
        if (ft >= lim || grow((void **)&f->fills, &f->capfills, f->nfills + 1, sizeof *f->fills))
            continue;
        f->fills[f->nfills++] = (feed_fill){v, lim, lead(v, P, x)};
    }
    if (grow((void **)&f->fills, &f->capfills, f->nfills + f->ncreates, sizeof *f->fills))
        return 0;
    return f->ncreates;
}

/* The file work of a round, unlocked: frees what was taken, makes the
 * first ncreates voices of f->creates (returned through *born, linked by
 * `link`, not yet published) and fills everything, least lead first.
 * Returns nonzero when it did anything. Only this thread frees voices and
 * sources, so every pointer here stays valid while control attaches,
 * detaches and programs. */
static int file_work(vm_feed *f, feed_voice *doomed, vm_feed_source *dead, int ncreates, int64_t P,
                     int64_t x, feed_voice **born)
{
    int worked = 0;
    while (doomed) {
        feed_voice *v = doomed;
        doomed = v->link;
        voice_free(v);
        worked = 1;
    }
    while (dead) {
        vm_feed_source *s = dead;
        dead = s->hnext;
        source_free(s);
    }
    *born = NULL;
    for (int i = 0; i < ncreates; i++) {
        feed_voice *v = voice_new(f, &f->creates[i]);
        if (!v)
            continue;
        worked = 1;
        v->link = *born;
        *born = v;
        if (v->reader)
            f->fills[f->nfills++] = (feed_fill){v, fill_limit(v, P, x), lead(v, P, x)};
    }
    if (f->nfills > 1)
        qsort(f->fills, (size_t)f->nfills, sizeof *f->fills, cmp_fill);
    for (int i = 0; i < f->nfills; i++)
        if (voice_fill(f, f->fills[i].v, f->fills[i].limit, FEED_ROUND_FRAMES) > 0)
            worked = 1;
    return worked;
}

/* Publishes the voices file_work made, each in a free slot of its source.
 * Mutex held. */
static void publish(vm_feed *f, feed_voice *born)
{
    while (born) {
        feed_voice *v = born;
        born = v->link;
        vm_feed_source *s = v->src;
        int slot = -1;
        for (int k = 0; k < FEED_SLOTS && slot < 0; k++)
            if (!atomic_load_explicit(&s->slot[k], memory_order_relaxed))
                slot = k;
        if (slot < 0) { /* cannot happen: slots were counted */
            voice_free(v);
            continue;
        }
        if (v->shared) /* a program may have come since it was made */
            atomic_store_explicit(&v->pass_last, shared_last(f, v->prog_first), memory_order_relaxed);
        v->prev = NULL;
        v->next = f->voices;
        if (f->voices)
            f->voices->prev = v;
        f->voices = v;
        atomic_store(&s->slot[slot], v);
    }
}

/* One service round: free what is over, create what the windows need, top
 * everything up. Called and returns with the mutex held; drops it for the
 * file work. Returns 2 when it did anything, else 1 while the playhead
 * moves, 0 when it stands still (disk_main's wait). */
static int service(vm_feed *f)
{
    f->round++;
    feed_voice *doomed = NULL, *born = NULL;
    vm_feed_source *dead = NULL;
    take_dead_sources(f, &dead, &doomed);

    int64_t P, x;
    uint64_t seq = read_playhead(f, &P, &x);
    int64_t now = now_ns();
    if (seq != f->last_seq) {
        f->last_seq = seq;
        f->last_move_ns = now;
    }
    int moving = now - f->last_move_ns < FEED_STILL_NS;
    int gi = prog_index(f, P);
    int ni = f->nprogs > 0 && f->progs[f->nprogs - 1].first > P ? f->nprogs - 1 : -1;

    take_dead_voices(f, P, x, gi, ni, &doomed);
    if (doomed)
        wait_readers(f);

    f->nwins = 0;
    if (gi >= 0)
        walk(f, gi, P, x, f->ra);
    if (ni >= 0)
        walk(f, ni, f->progs[ni].first, f->progs[ni].start, f->ra);
    collect_needs(f, P, x);
    plan_creates(f);
    int ncreates = plan_fills(f, P, x);

    pthread_mutex_unlock(&f->mu);
    int worked = file_work(f, doomed, dead, ncreates, P, x, &born);
    pthread_mutex_lock(&f->mu);

    publish(f, born);
    f->ready = compute_ready(f);
    f->ready_gen = f->gen;
    f->rounds++;
    pthread_cond_broadcast(&f->ready_cv);
    return worked ? 2 : moving;
}

static void deadline_in(struct timespec *ts, int64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += (long)(ns % 1000000000L);
    ts->tv_sec += (time_t)(ns / 1000000000L);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_nsec -= 1000000000L;
        ts->tv_sec++;
    }
}

static void *disk_main(void *arg)
{
    /* Decoding a clip's first seconds is a burst of work; on a machine
     * where the audio server runs without realtime priority it must not
     * take the core from the audio threads: this thread yields to them
     * (a higher nice value, which needs no privilege). */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    vm_feed *f = arg;
    pthread_mutex_lock(&f->mu);
    while (!f->stop) {
        int r = service(f);
        if (r == 2 || f->stop)
            continue; /* more may be waiting */
        if (!f->kick) {
            struct timespec ts;
            deadline_in(&ts, r ? FEED_POLL_BUSY_NS : FEED_POLL_IDLE_NS);
            pthread_cond_timedwait(&f->wake, &f->mu, &ts);
        }
        f->kick = 0;
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* mutex held */
static void kick(vm_feed *f)
{
    f->kick = 1;
    pthread_cond_signal(&f->wake);
}

/* ---- create / destroy -------------------------------------------------- */

ds_result vm_feed_create(vm_feed **fp, int rate, double readahead, char *err)
{
    if (!fp)
        return ds_fail(err, DS_ERR_ARG, "vm_feed_create needs a feed pointer, got NULL");
    *fp = NULL;
    if (rate <= 0)
        return ds_fail(err, DS_ERR_ARG, "bad session rate %d Hz for the disk feed", rate);
    if (!(readahead >= 0.25 && readahead <= 10))
        return ds_fail(err, DS_ERR_ARG, "readahead = %g s is out of range (0.25 .. 10 s)", readahead);
    vm_feed *f = calloc(1, sizeof *f);
    if (!f)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory starting the disk feed");
    f->rate = rate;
    f->ra = (int64_t)(readahead * rate + 0.5);
    f->cap = f->ra + FEED_SPARE;
    atomic_init(&f->ph_seq, 0);
    atomic_init(&f->ph_pass, INT64_MIN);
    atomic_init(&f->ph_pos, INT64_MIN);
    atomic_init(&f->enters, 0);
    atomic_init(&f->exits, 0);
    atomic_init(&f->underruns, 0);
    atomic_init(&f->error_set, 0);
    f->nbuckets = 256;
    f->table = calloc(f->nbuckets, sizeof *f->table);
    if (!f->table)
        goto fail_mem;

    int rc;
    pthread_condattr_t ca;
    if ((rc = pthread_mutex_init(&f->mu, NULL)) != 0)
        goto fail_table;
    if ((rc = pthread_condattr_init(&ca)) != 0)
        goto fail_mu;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if ((rc = pthread_cond_init(&f->wake, &ca)) != 0) {
        pthread_condattr_destroy(&ca);
        goto fail_mu;
    }
    if ((rc = pthread_cond_init(&f->ready_cv, &ca)) != 0) {
        pthread_condattr_destroy(&ca);
        goto fail_wake;
    }
    pthread_condattr_destroy(&ca);
    if ((rc = pthread_create(&f->thread, NULL, disk_main, f)) != 0)
        goto fail_ready;
    *fp = f;
    return DS_OK;

fail_ready:
    pthread_cond_destroy(&f->ready_cv);
fail_wake:
    pthread_cond_destroy(&f->wake);
fail_mu:
    pthread_mutex_destroy(&f->mu);
fail_table:
    free(f->table);
    free(f);
    return ds_fail(err, DS_ERR_NOMEM, "cannot start the disk thread: %s", strerror(rc));
fail_mem:
    free(f);
    return ds_fail(err, DS_ERR_NOMEM, "out of memory starting the disk feed");
}

static void plan_rec_free(feed_plan *r)
{
    free(r->spans);
    free(r->maxend);
    free(r);
}

void vm_feed_destroy(vm_feed **fp)
{
    if (!fp || !*fp)
        return;
    vm_feed *f = *fp;
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    kick(f);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);

    while (f->voices) {
        feed_voice *v = f->voices;
        f->voices = v->next;
        voice_free(v);
    }
    while (f->dead) {
        vm_feed_source *s = f->dead;
        f->dead = s->hnext;
        source_free(s);
    }
    for (size_t b = 0; b < f->nbuckets; b++)
        while (f->table[b]) {
            vm_feed_source *s = f->table[b];
            f->table[b] = s->hnext;
            source_free(s);
        }
    while (f->plans) {
        feed_plan *r = f->plans;
        f->plans = r->next;
        plan_rec_free(r);
    }
    free(f->table);
    free(f->needs);
    free(f->creates);
    free(f->fills);
    pthread_cond_destroy(&f->ready_cv);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->mu);
    free(f);
    *fp = NULL;
}

/* ---- sources ----------------------------------------------------------- */

static uint64_t clip_hash(const op_clip *c)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *s = (const unsigned char *)c->path; *s; s++)
        h = (h ^ *s) * 1099511628211ull;
    const uint64_t v[4] = {(uint64_t)c->at, (uint64_t)c->from, (uint64_t)c->length, (uint64_t)c->file_channels};
    for (int i = 0; i < 4; i++) {
        h = (h ^ v[i]) * 1099511628211ull;
        h ^= h >> 29;
    }
    return h;
}

static int same_clip(const vm_feed_source *s, const op_clip *c)
{
    return s->at == c->at && s->from == c->from && s->length == c->length && s->channels == c->file_channels &&
           strcmp(s->path, c->path) == 0;
}

static void table_grow(vm_feed *f)
{
    size_t nb = f->nbuckets * 2;
    vm_feed_source **t = calloc(nb, sizeof *t);
    if (!t)
        return; /* longer chains, still correct */
    for (size_t b = 0; b < f->nbuckets; b++)
        while (f->table[b]) {
            vm_feed_source *s = f->table[b];
            f->table[b] = s->hnext;
            op_clip key = {.path = s->path, .at = s->at, .from = s->from, .length = s->length,
                           .file_channels = s->channels};
            size_t i = clip_hash(&key) & (nb - 1);
            s->hnext = t[i];
            t[i] = s;
        }
    free(f->table);
    f->table = t;
    f->nbuckets = nb;
}

static vm_feed_source *source_get(vm_feed *f, const op_clip *c)
{
    size_t b = clip_hash(c) & (f->nbuckets - 1);
    for (vm_feed_source *s = f->table[b]; s; s = s->hnext)
        if (same_clip(s, c))
            return s;
    vm_feed_source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = malloc(strlen(c->path) + 1);
    if (!s->path) {
        free(s);
        return NULL;
    }
    strcpy(s->path, c->path);
    s->feed = f;
    for (int i = 0; i < FEED_SLOTS; i++)
        atomic_init(&s->slot[i], NULL);
    s->channels = c->file_channels;
    s->probed = (vm_media_info){.channels = c->file_channels, .rate = c->file_rate, .frames = c->file_frames};
    s->at = c->at;
    s->from = c->from;
    s->length = c->length;
    s->hnext = f->table[b];
    f->table[b] = s;
    f->nsources++;
    if (f->nsources > 2 * f->nbuckets)
        table_grow(f);
    return s;
}

static void source_unref(vm_feed *f, vm_feed_source *s, int unused_now)
{
    if (--s->refs > 0)
        return;
    op_clip key = {.path = s->path, .at = s->at, .from = s->from, .length = s->length, .file_channels = s->channels};
    vm_feed_source **pp = &f->table[clip_hash(&key) & (f->nbuckets - 1)];
    while (*pp && *pp != s)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = s->hnext;
    f->nsources--;
    if (unused_now) { /* made by a failing attach: the disk thread never saw it */
        source_free(s);
    } else {
        s->hnext = f->dead;
        f->dead = s;
    }
}

static int cmp_span(const void *a, const void *b)
{
    const feed_span *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

ds_result vm_feed_attach(vm_feed *f, plan *p, char *err)
{
    if (!f || !p)
        return ds_fail(err, DS_ERR_ARG, "vm_feed_attach needs a feed and a plan");
    pthread_mutex_lock(&f->mu);
    for (feed_plan *r = f->plans; r; r = r->next)
        if (r->p == p) {
            pthread_mutex_unlock(&f->mu);
            return DS_OK; /* attached already: its sources are set */
        }
    int n = 0;
    for (int i = 0; i < p->nops; i++) {
        const op_clips_args *a = op_clips_of(&p->ops[i]);
        n += a ? a->nclips : 0;
    }
    feed_plan *r = calloc(1, sizeof *r);
    if (r) {
        r->p = p;
        r->spans = malloc((size_t)(n ? n : 1) * sizeof *r->spans);
        r->maxend = malloc((size_t)(n ? n : 1) * sizeof *r->maxend);
    }
    if (!r || !r->spans || !r->maxend)
        goto nomem;
    for (int i = 0; i < p->nops; i++) {
        op_clips_args *a = op_clips_of(&p->ops[i]);
        for (int k = 0; a && k < a->nclips; k++) {
            op_clip *c = &a->clips[k];
            vm_feed_source *s = source_get(f, c);
            if (!s)
                goto nomem;
            s->refs++;
            c->source = s;
            r->spans[r->nspans++] = (feed_span){c->at, c->at + c->length, s};
        }
    }
    qsort(r->spans, (size_t)r->nspans, sizeof *r->spans, cmp_span);
    for (int i = 0; i < r->nspans; i++)
        r->maxend[i] = i ? max64(r->maxend[i - 1], r->spans[i].end) : r->spans[i].end;
    r->next = f->plans;
    f->plans = r;
    f->gen++;
    kick(f);
    pthread_mutex_unlock(&f->mu);
    return DS_OK;

nomem:
    if (r) {
        for (int i = 0; i < r->nspans; i++)
            source_unref(f, r->spans[i].src, 1);
        for (int i = 0; i < p->nops; i++) {
            op_clips_args *a = op_clips_of(&p->ops[i]);
            for (int k = 0; a && k < a->nclips; k++)
                a->clips[k].source = NULL;
        }
        plan_rec_free(r);
    }
    pthread_mutex_unlock(&f->mu);
    return ds_fail(err, DS_ERR_NOMEM, "out of memory attaching the mix to the disk feed");
}

void vm_feed_detach(vm_feed *f, plan *p)
{
    if (!f || !p)
        return;
    pthread_mutex_lock(&f->mu);
    feed_plan **pp = &f->plans;
    while (*pp && (*pp)->p != p)
        pp = &(*pp)->next;
    feed_plan *r = *pp;
    if (r) {
        *pp = r->next;
        for (int i = 0; i < r->nspans; i++)
            source_unref(f, r->spans[i].src, 0);
        for (int i = 0; i < p->nops; i++) {
            op_clips_args *a = op_clips_of(&p->ops[i]);
            for (int k = 0; a && k < a->nclips; k++)
                a->clips[k].source = NULL;
        }
        plan_rec_free(r);
        f->gen++;
        kick(f);
    }
    pthread_mutex_unlock(&f->mu);
}

/* ---- programs and readiness -------------------------------------------- */

void vm_feed_program(vm_feed *f, int64_t first_pass, int64_t start, int64_t end, int64_t loop_from,
                     int64_t loop_to)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    int64_t P, x;
    read_playhead(f, &P, &x);
    int gi = prog_index(f, P);
    if (gi > 0) { /* programs before the playing one are over */
        memmove(f->progs, f->progs + gi, (size_t)(f->nprogs - gi) * sizeof *f->progs);
        f->nprogs -= gi;
        gi = 0;
    }
    if (f->nprogs == FEED_MAX_PROGRAMS) { /* drop the oldest one given but never started */
        int d = gi >= 0 ? 1 : 0;
        memmove(f->progs + d, f->progs + d + 1, (size_t)(f->nprogs - d - 1) * sizeof *f->progs);
        f->nprogs--;
    }
    feed_program *g = &f->progs[f->nprogs++];
    *g = (feed_program){first_pass, start, end, loop_from, loop_to, loop_to > loop_from};
    /* shared loop voices of earlier programs stop at this program, before
     * the audio thread can ask for its passes */
    for (feed_voice *v = f->voices; v; v = v->next)
        if (v->shared && atomic_load_explicit(&v->pass_last, memory_order_relaxed) >= first_pass)
            atomic_store_explicit(&v->pass_last, first_pass - 1, memory_order_release);
    f->gen++;
    kick(f);
    pthread_mutex_unlock(&f->mu);
}

int vm_feed_wait_ready(vm_feed *f, double timeout)
{
    if (!f)
        return 1;
    struct timespec dl;
    deadline_in(&dl, timeout > 0 ? (int64_t)(timeout < 3600 ? timeout * 1e9 : 3.6e12) : 0);
    pthread_mutex_lock(&f->mu);
    uint64_t r0 = f->rounds;
    kick(f);
    int ok = 0;
    for (;;) {
        if (f->rounds > r0 && f->ready_gen == f->gen && f->ready) {
            ok = 1;
            break;
        }
        if (pthread_cond_timedwait(&f->ready_cv, &f->mu, &dl) == ETIMEDOUT) {
            ok = f->rounds > r0 && f->ready_gen == f->gen && f->ready;
            break;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return ok;
}
