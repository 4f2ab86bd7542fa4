/* test_feed.c - vm/feed: disk streaming for live playback.
 *
 * The reference is independent of the feed: for every clip and every pass,
 * the frames vm_media_open / vm_media_read give when opened where an
 * offline render of that pass opens the clip (max(at, pass start)). An
 * "audio" thread plays the passes in blocks of varying sizes at several
 * times real time, publishing the playhead after each block as the live
 * driver does, and every frame the feed hands over must equal the reference
 * bit for bit with no frame missing. Also: a locate that starts mid-clip
 * (a resampled one too), loops (long ranges refilled in place, short ones
 * shared by every loop pass), sources shared between plans, underruns
 * counted honestly, and a file that vanished reported once.
 *
 * FEED_TEST_SPEED (default 8) sets how many times real time the audio
 * thread runs; lower it under valgrind or a sanitizer.
 *
 * Arriving in time is a realtime property (the disk thread must get the CPU
 * within READAHEAD / speed of wall time), judged where it belongs: by
 * tests/live (play.sh, repl.sh, surround.sh: zero disk underruns against a
 * real JACK server). Here a block that comes up short is read again every
 * millisecond, the playhead held where it is, for up to LATE_LIMIT seconds:
 * the frames must arrive (the disk thread fills ahead of a held playhead)
 * and equal the reference, whatever the machine's load; frames that were
 * late are printed as a diagnostic, not judged. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

#include "vm/feed.h"
#include "vm/media.h"
#include "vm/ops.h"

#define RATE 48000
#define READAHEAD 0.5
#define MAXCLIPS 16
#define MAXPASSES 8
#define LATE_LIMIT 10.0

static double speed = 8;

static double tone_mono(int i, int c)
{
    (void)c;
    return 0.5 * sin(i * 0.0123) + 0.25 * sin(i * 0.771 + 1.0);
}

static double tone_stereo(int i, int c)
{
    return c == 0 ? 0.4 * sin(i * 0.031) : 0.3 * cos(i * 0.0071) + 0.1 * sin(i * 1.3);
}

static double noise_mono(int i, int c)
{
    (void)c;
    unsigned x = (unsigned)i * 2654435761u;
    x ^= x >> 15;
    return ((x & 0xffff) / 65536.0 - 0.5) * 0.5;
}

typedef struct {
    op_clip *c[MAXCLIPS];
    int n;
} clip_list;

static void list_clips(plan *p, clip_list *l)
{
    l->n = 0;
    for (int i = 0; i < p->nops; i++) {
        op_clips_args *a = op_clips_of(&p->ops[i]);
        for (int k = 0; a && k < a->nclips && l->n < MAXCLIPS; k++)
            l->c[l->n++] = &a->clips[k];
    }
}

static plan *compile_text(const char *text)
{
    char path[512], err[DS_ERR_LEN] = "";
    write_script(text, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    if (vm_script_load(path, &so, &d, err) != DS_OK || vm_compile(&d, 1024, &p, err) != DS_OK) {
        printf("# compile failed: %s\n", err);
        p = NULL;
    }
    vm_desc_free(&d);
    return p;
}

/* What an offline render of a pass over [ps, pe) reads for clip c. */
typedef struct {
    int64_t b, e;
    int ch;
    float *x;
} clip_ref;

static void make_ref(const op_clip *c, int64_t ps, int64_t pe, clip_ref *r)
{
    r->b = c->at > ps ? c->at : ps;
    r->e = c->at + c->length < pe ? c->at + c->length : pe;
    r->ch = c->file_channels;
    r->x = NULL;
    if (r->e <= r->b)
        return;
    char err[DS_ERR_LEN];
    vm_media_reader *rd = NULL;
    if (vm_media_open(&rd, c->path, RATE, c->from + (r->b - c->at), err) != DS_OK) {
        printf("# reference: %s\n", err);
        exit(2);
    }
    r->x = malloc((size_t)(r->e - r->b) * (size_t)r->ch * sizeof *r->x);
    /* in odd pieces: the reader's output does not depend on the split */
    for (int64_t k = 0; k < r->e - r->b;) {
        int n = (int)(r->e - r->b - k < 3001 ? r->e - r->b - k : 3001);
        if (vm_media_read(rd, r->x + (size_t)k * (size_t)r->ch, n, err) != DS_OK) {
            printf("# reference: %s\n", err);
            exit(2);
        }
        k += n;
    }
    vm_media_close(&rd);
}

typedef struct {
    vm_feed *f;
    const clip_list *cl;
    int npass;
    int64_t pass[MAXPASSES], ps[MAXPASSES], pe[MAXPASSES];
    clip_ref refs[MAXPASSES][MAXCLIPS];
    long long frames, missing, late, underruns, mismatched, reads;
} play_job;

static void job_add_pass(play_job *j, int64_t pass, int64_t ps, int64_t pe)
{
    int k = j->npass++;
    j->pass[k] = pass;
    j->ps[k] = ps;
    j->pe[k] = pe;
    for (int i = 0; i < j->cl->n; i++)
        make_ref(j->cl->c[i], ps, pe, &j->refs[k][i]);
}

static void job_free(play_job *j)
{
    for (int k = 0; k < j->npass; k++)
        for (int i = 0; i < j->cl->n; i++)
            free(j->refs[k][i].x);
}

static void sleep_until(const struct timespec *t0, double seconds)
{
    struct timespec t = *t0;
    long long ns = (long long)(seconds * 1e9);
    t.tv_sec += ns / 1000000000LL;
    t.tv_nsec += ns % 1000000000LL;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_nsec -= 1000000000L;
        t.tv_sec++;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) != 0) {
    }
}

/* The audio thread: plays the job's passes in order, as vm/live.c does:
 * publish the pass start, then per block read every clip, compare, and
 * publish the block's end. */
static void *audio_main(void *arg)
{
    play_job *j = arg;
    static const int sizes[] = {512, 1, 17, 4096, 64, 1000, 8192, 333, 2048, 128};
    static float buf[8192 * 2];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t played = 0;
    int si = 0;
    for (int k = 0; k < j->npass; k++) {
        int64_t pass = j->pass[k], pos = j->ps[k];
        vm_feed_position(j->f, pass, pos);
        while (pos < j->pe[k]) {
            int n = sizes[si++ % (int)(sizeof sizes / sizeof sizes[0])];
            if (j->pe[k] - pos < n)
                n = (int)(j->pe[k] - pos);
            for (int i = 0; i < j->cl->n; i++) {
                const op_clip *c = j->cl->c[i];
                int64_t s0 = pos > c->at ? pos : c->at;
                int64_t e0 = pos + n < c->at + c->length ? pos + n : c->at + c->length;
                if (e0 <= s0)
                    continue;
                int len = (int)(e0 - s0);
                int miss = vm_feed_read(c->source, pass, s0, buf, len);
                j->frames += len;
                j->underruns += miss;
                if (miss) {
                    j->late += miss;
                    const struct timespec ms = {0, 1000000L};
                    for (int w = 0; miss && w < (int)(LATE_LIMIT * 1000); w++) {
                        nanosleep(&ms, NULL);
                        miss = vm_feed_read(c->source, pass, s0, buf, len);
                        j->underruns += miss;
                    }
                    j->missing += miss;
                    if (miss)
                        printf("# clip %d, pass %lld: %d of %d frames at %lld still missing after %.0f s\n", i,
                               (long long)pass, miss, len, (long long)s0, LATE_LIMIT);
                }
                j->reads++;
                const clip_ref *r = &j->refs[k][i];
                if (!miss && memcmp(buf, r->x + (size_t)(s0 - r->b) * (size_t)r->ch,
                                    (size_t)len * (size_t)r->ch * sizeof *buf) != 0)
                    j->mismatched += len;
            }
            pos += n;
            played += n;
            vm_feed_position(j->f, pass, pos);
            sleep_until(&t0, (double)played / RATE / speed);
        }
    }
    return NULL;
}

static void play(vm_feed *f, play_job *j, const char *what)
{
    uint64_t u0 = vm_feed_underruns(f);
    pthread_t t;
    pthread_create(&t, NULL, audio_main, j);
    pthread_join(t, NULL);
    char name[300];
    if (j->late)
        printf("# %s: %lld frames came late at %gx real time (the machine's load; judged by tests/live)\n", what,
               j->late, speed);
    snprintf(name, sizeof name, "%s: every frame read (%lld frames, %lld reads) arrives, the playhead held", what,
             j->frames, j->reads);
    check(j->frames > 0 && j->missing == 0, name, "%lld frames missing after %.0f s", j->missing, LATE_LIMIT);
    snprintf(name, sizeof name, "%s: the frames equal a direct vm_media read opened where the pass needs each clip",
             what);
    check(j->mismatched == 0, name, "%lld frames differ", j->mismatched);
    snprintf(name, sizeof name, "%s: the underrun counter grew by the frames missing at each read", what);
    check_int((long long)(vm_feed_underruns(f) - u0), j->underruns, name);
}

#define SESSION "session { rate = 48000, length = \"300000smp\" }\nlocal m = bus \"M\" { channels = 2 }\n"
#define OUTPUT "output { \"out.wav\", from = m, format = \"wav32f\" }\n"
#define CLIPS                                                                                                  \
    "track \"A\" { channels = 1, to = m }:clip { \"m48.wav\", at = \"1000smp\" }\n"                           \
    "local b = track \"B\" { channels = 2, to = m }\n"                                                        \
    "b:clip { \"s48.wav\", at = \"30000smp\", from = \"500smp\", length = \"20000smp\" }\n"                   \
    "b:clip { \"s48.wav\", at = \"70000smp\" }\n"                                                             \
    "track \"D\" { channels = 2, to = m }:clip { \"s48.wav\", at = \"70000smp\" }\n"                          \
    "track \"C\" { channels = 2, to = m }:clip { \"s44.wav\", at = \"5000smp\", from = \"1234smp\" }\n"

static const op_clip *find_clip(const clip_list *l, const char *file, int64_t at)
{
    for (int i = 0; i < l->n; i++) {
        const char *s = strrchr(l->c[i]->path, '/');
        if (strcmp(s ? s + 1 : l->c[i]->path, file) == 0 && l->c[i]->at == at)
            return l->c[i];
    }
    return NULL;
}

int main(void)
{
    const char *sp = getenv("FEED_TEST_SPEED");
    if (sp && atof(sp) > 0)
        speed = atof(sp);
    if (scratch_open("feed"))
        return 2;
    write_wav("m48.wav", 48000, 1, 120000, tone_mono);
    write_wav("s48.wav", 48000, 2, 60000, tone_stereo);
    write_wav("s44.wav", 44100, 2, 80000, tone_stereo);
    write_wav("gone.wav", 48000, 1, 20000, noise_mono);

    char err[DS_ERR_LEN] = "";
    vm_feed *f = NULL;
    check(vm_feed_create(&f, RATE, 0.1, err) == DS_ERR_ARG && strstr(err, "readahead") && !f,
          "a readahead under 0.25 s is refused, naming it", "err '%s'", err);
    check(vm_feed_create(&f, RATE, 11, err) == DS_ERR_ARG && !f, "a readahead over 10 s is refused", "err '%s'", err);
    if (!check(vm_feed_create(&f, RATE, READAHEAD, err) == DS_OK && f, "the feed starts", "%s", err))
        return check_exit();
    check(vm_feed_wait_ready(f, 2.0) == 1, "nothing attached, nothing programmed: ready", "timed out");

    plan *p1 = compile_text(SESSION CLIPS OUTPUT);
    if (!p1)
        return 2;
    clip_list l1;
    list_clips(p1, &l1);
    check(vm_feed_attach(f, p1, err) == DS_OK, "attach", "%s", err);
    int all = l1.n == 5;
    for (int i = 0; i < l1.n; i++)
        all &= l1.c[i]->source != NULL;
    check(all, "every clip of the plan gets a source", "%d clips", l1.n);
    const op_clip *b2 = find_clip(&l1, "s48.wav", 70000);
    const op_clip *d2 = NULL;
    for (int i = 0; i < l1.n; i++)
        if (l1.c[i] != b2 && l1.c[i]->at == 70000)
            d2 = l1.c[i];
    check(b2 && d2 && b2->source == d2->source, "the same clip on two tracks shares one source", "%p %p",
          b2 ? (void *)b2->source : NULL, d2 ? (void *)d2->source : NULL);
    const op_clip *b1 = find_clip(&l1, "s48.wav", 30000);
    check(b1 && b2 && b1->source != b2->source, "the same file placed twice is two sources", "shared");

    const int64_t L = 160000;

    /* a pass from 0: the 120000-frame clip is longer than a ring, so its
     * ring is refilled in place behind the playhead */
    {
        play_job j = {.f = f, .cl = &l1};
        job_add_pass(&j, 1, 0, L);
        vm_feed_program(f, 1, 0, L, 0, 0);
        check(vm_feed_wait_ready(f, 2.0) == 1, "pass from 0: ready", "timed out");
        play(f, &j, "pass from 0");
        job_free(&j);
    }

    /* a locate mid-clip: readers open mid-file, the 44.1 kHz one in its
     * resampler's middle */
    {
        play_job j = {.f = f, .cl = &l1};
        job_add_pass(&j, 2, 60000, L);
        vm_feed_program(f, 2, 60000, L, 0, 0);
        check(vm_feed_wait_ready(f, 2.0) == 1, "locate to 60000: ready", "timed out");
        play(f, &j, "locate to 60000 (mid-clip)");
        job_free(&j);
    }

    /* a loop of 60000 frames (longer than a ring: voices per pass, refilled
     * in place) with a short clip part (one voice for every pass) */
    {
        play_job j = {.f = f, .cl = &l1};
        job_add_pass(&j, 3, 20000, 100000);
        for (int k = 4; k <= 6; k++)
            job_add_pass(&j, k, 40000, 100000);
        vm_feed_program(f, 3, 20000, 100000, 40000, 100000);
        check(vm_feed_wait_ready(f, 2.0) == 1, "loop 40000-100000: ready", "timed out");
        play(f, &j, "loop 40000-100000 from 20000, four passes");
        job_free(&j);
    }

    /* a short loop: every clip's part fits a ring and is read once */
    {
        play_job j = {.f = f, .cl = &l1};
        job_add_pass(&j, 1000, 47000, 52000);
        for (int k = 1001; k <= 1005; k++)
            job_add_pass(&j, k, 40000, 52000);
        vm_feed_program(f, 1000, 47000, 52000, 40000, 52000);
        check(vm_feed_wait_ready(f, 2.0) == 1, "loop 40000-52000: ready", "timed out");
        play(f, &j, "loop 40000-52000 from 47000, six passes");
        job_free(&j);
    }

    /* a recompiled plan with the same clips and one more: the same sources */
    plan *p2 = compile_text(SESSION CLIPS
                            "track \"E\" { channels = 1, to = m }:clip { \"m48.wav\", at = \"1000smp\", from = \"10smp\" }\n"
                            OUTPUT);
    if (!p2)
        return 2;
    clip_list l2;
    list_clips(p2, &l2);
    check(vm_feed_attach(f, p2, err) == DS_OK, "attach a second plan", "%s", err);
    int same = l2.n == 6, fresh = 0;
    for (int i = 0; i < l2.n; i++) {
        const op_clip *c = l2.c[i], *o = NULL;
        for (int k = 0; k < l1.n; k++)
            if (l1.c[k]->at == c->at && l1.c[k]->from == c->from && l1.c[k]->length == c->length &&
                strcmp(l1.c[k]->path, c->path) == 0)
                o = l1.c[k];
        if (o)
            same &= o->source == c->source;
        else
            fresh += c->source != NULL && c->source != l1.c[0]->source;
    }
    check(same, "the second plan's clips that the first has use the first's sources (same pointers)", "differ");
    check(fresh == 1, "its new clip (another 'from') gets a source of its own", "%d", fresh);
    vm_feed_detach(f, p1);
    check(l1.c[0]->source == NULL, "detach clears the plan's sources", "still set");
    {
        play_job j = {.f = f, .cl = &l2};
        job_add_pass(&j, 2000, 0, 130000);
        vm_feed_program(f, 2000, 0, 130000, 0, 0);
        check(vm_feed_wait_ready(f, 2.0) == 1, "second plan, first plan detached: ready", "timed out");
        play(f, &j, "second plan after the first was detached");
        job_free(&j);
    }

    /* starved: a program given, read at once far ahead of what is buffered */
    {
        vm_feed_program(f, 3000, 0, L, 0, 0);
        static float buf[4096];
        for (int i = 0; i < 4096; i++)
            buf[i] = 1.0f;
        const op_clip *a = find_clip(&l2, "m48.wav", 1000);
        uint64_t u0 = vm_feed_underruns(f);
        int miss = a ? vm_feed_read(a->source, 3000, 100000, buf, 4096) : -1;
        int zeros = 1;
        for (int i = 0; i < 4096; i++)
            zeros &= buf[i] == 0.0f;
        check(miss == 4096 && zeros, "a read far ahead of the buffer: every frame missing, zeros", "missing %d", miss);
        check_int((long long)(vm_feed_underruns(f) - u0), 4096, "underruns count the missing frames");
        miss = a ? vm_feed_read(a->source, 77777, 2000, buf, 100) : -1;
        check(miss == 100, "a pass nobody programmed: every frame missing", "missing %d", miss);
        check_int((long long)(vm_feed_underruns(f) - u0), 4196, "and counted");
    }

    /* a file deleted after attach: one message naming it, its frames missing */
    plan *p3 = compile_text(SESSION "track \"G\" { channels = 1, to = m }:clip { \"gone.wav\", at = \"200000smp\" }\n"
                                    OUTPUT);
    if (!p3)
        return 2;
    clip_list l3;
    list_clips(p3, &l3);
    check(vm_feed_attach(f, p3, err) == DS_OK, "attach a plan with a clip far from the playhead", "%s", err);
    check(strcmp(vm_feed_error(f), "") == 0, "no error so far", "'%s'", vm_feed_error(f));
    char gone[600];
    snprintf(gone, sizeof gone, "%s/gone.wav", dir);
    unlink(gone);
    vm_feed_program(f, 4000, 195000, 260000, 0, 0);
    check(vm_feed_wait_ready(f, 2.0) == 1, "a clip that cannot be read does not hold up readiness", "timed out");
    check(strstr(vm_feed_error(f), "gone.wav") != NULL, "the vanished file is reported, named",
          "error '%s'", vm_feed_error(f));
    {
        static float buf[1000];
        vm_feed_position(f, 4000, 195000);
        int miss = l3.n == 1 ? vm_feed_read(l3.c[0]->source, 4000, 200000, buf, 1000) : -1;
        check(miss == 1000, "its frames read as missing", "missing %d", miss);
    }

    vm_feed_detach(f, p3);
    vm_feed_detach(f, p2);
    vm_feed_detach(f, p2); /* twice: nothing */
    usleep(20000);         /* let the disk thread free the sources itself */
    vm_feed_destroy(&f);
    check(f == NULL, "destroy clears the pointer", "%p", (void *)f);
    vm_feed_destroy(&f);
    vm_plan_free(&p1);
    vm_plan_free(&p2);
    vm_plan_free(&p3);

    /* a file cut after the mix was compiled: the voice refuses it (the
     * length probed at compile time is checked), and the feed's error
     * names the file and the session time; playback stops on it */
    write_wav("cut.wav", 48000, 1, 200000, noise_mono);
    plan *p4 = compile_text(SESSION "track \"C\" { channels = 1, to = m }:clip { \"cut.wav\", at = \"100000smp\" }\n"
                                    OUTPUT);
    char cut[600];
    snprintf(cut, sizeof cut, "%s/cut.wav", dir);
    if (p4 && truncate(cut, 4096) == 0 && vm_feed_create(&f, RATE, READAHEAD, err) == DS_OK) {
        check(vm_feed_attach(f, p4, err) == DS_OK, "attach a plan whose file is cut afterwards", "%s", err);
        vm_feed_program(f, 1, 90000, 300000, 0, 0);
        check(vm_feed_wait_ready(f, 2.0) == 1, "a cut file does not hold up readiness", "timed out");
        const char *e = vm_feed_error(f);
        check(strstr(e, "cut.wav") && strstr(e, "ends early") && strstr(e, "200000 frames when the mix was compiled") &&
                  strstr(e, "at 2.083 s of the session"),
              "the cut file is reported: its name, both lengths, the session time", "error '%s'", e);
        vm_feed_detach(f, p4);
        vm_feed_destroy(&f);
    } else {
        check(0, "a file cut after compiling", "set-up failed: %s", err);
    }
    vm_plan_free(&p4);
    scratch_close();
    return check_exit();
}
