/* test_sched.c - the two-thread pool (vm/sched.h) against the one-thread
 * block loop, with no clock anywhere:
 *   - the same mix compiled twice, one plan run by sched_run_block and the
 *     other by the pool: every output channel of every block the same
 *     bytes (memcmp), at blocks of 1, 64, 1000 and 4096 frames, on each
 *     SIMD path the CPU has (dsp_simd_cap), floating and pinned (--pin);
 *     the mix has what makes units wait for each other: EQ batches, a
 *     track keyed by another, a bus compressor keyed by a bus, a pre-fader
 *     send (its units merged), a moving pan into two buses (one evaluator),
 *     a track of short overlapping clips with fades (read a block ahead
 *     while clips start and end inside blocks),
 *     a limiter's look-ahead (latency-compensating delays), and the tail
 *     (the driver's output stage) as a task;
 *   - with one worker made slow (sched_pool_test_slow: after each task it
 *     waits until every task of the block is taken), the other runs all but
 *     at most one unit a block (units counted per worker), and the bytes
 *     are the same;
 *   - the clips read a block ahead (op read_ahead, a task of the pool):
 *     with the next block announced wrong, the same bytes all the same;
 *   - the plan's units: every op in exactly one unit, each unit's ops in
 *     plan order, the order the workers take them topological (a unit's
 *     waits all come before it);
 *   - on one allowed CPU (sched_setaffinity) no pool is made: one thread;
 *   - the choice between two threads and one (sched_choice) on times fed
 *     to it: the faster is kept, two only when 3 % faster, a slow spell
 *     during a try falls on both (slices taking turns); and a pool that
 *     measures runs blocks both ways with the same bytes.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

#include "dsp/simd.h"
#include "vm/sched.h"

#define RATE 48000
#define SECONDS 2

/* deterministic signals: a chirp-like tone per track and channel, and a
 * dialogue-like gated tone (the keys have something to react to) */
static int track_no;
static double tone(int i, int c)
{
    double f = 110.0 * (1 + track_no) + 37.0 * c;
    double gate = ((i / 6000) % 3) ? 1.0 : 0.05;
    return 0.3 * gate * sin(2 * M_PI * f * i / RATE + 0.001 * (double)i * i / RATE);
}

static const char *mix_script =
    "session { rate = 48000, fps = \"24\", start = \"01:00:00:00\", length = 2 }\n"
    "local pm = bus \"PM\" {}\n"
    "local dx = bus \"DX\" { to = pm }\n"
    "local mx = bus \"MX\" { to = pm }\n"
    "local fx = bus \"FX\" { to = pm }\n"
    "local verb = bus \"VERB\" { to = pm }\n"
    "local t = {}\n"
    "for k = 1, 6 do\n"
    "  t[k] = track(\"D\" .. k) { channels = 1, to = dx, pan = -0.3 + 0.1 * k }\n"
    "  t[k]:clip { \"t\" .. k .. \".wav\", at = 0 }\n"
    "  t[k]:eq { \"highpass\", freq = 80, q = 0.707 }\n"
    "end\n"
    "for k = 7, 12 do\n"
    "  t[k] = track(\"M\" .. k) { channels = 2, to = mx, gain = -4 }\n"
    "  t[k]:clip { \"t\" .. k .. \".wav\", at = 0 }\n"
    "  t[k]:eq { \"peak\", freq = 250, gain = -3, q = 1 }\n"
    "end\n"
    "for k = 13, 16 do\n"
    "  t[k] = track(\"F\" .. k) { channels = 2, to = fx, gain = -3 }\n"
    "  t[k]:clip { \"t\" .. k .. \".wav\", at = 0 }\n"
    "end\n"
    "local sfx = track(\"SFX\") { channels = 2, to = fx, gain = -6 }\n"
    "for k = 0, 13 do\n"
    "  sfx:clip { \"t\" .. (13 + k % 4) .. \".wav\", at = 0.05 + 0.11 * k, from = 0.013 * k,\n"
    "             length = 0.17 + 0.007 * k, fade_in = 0.004, fade_out = 0.01 }\n"
    "end\n"
    "t[13]:compressor { threshold = -30, ratio = 3, key = t[1] }\n"
    "t[1]:send(verb, { level = -9, pre = true })\n"
    "t[2].pan:ramp { at = 0.5, to = 0.8, over = 1 }\n"
    "t[2]:send(verb, -12)\n"
    "mx:compressor { threshold = -30, ratio = 4, attack = 0.010, release = 0.250, key = dx }\n"
    "mx.gain:ramp { at = 0.7, to = -6, over = 0.5 }\n"
    "dx:limiter { ceiling = -3, lookahead = 0.005, release = 0.050 }\n"
    "pm:limiter { ceiling = -1, lookahead = 0.005, release = 0.050 }\n"
    "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n"
    "output { \"dx.wav\", from = dx, format = \"wav32f\" }\n";

static plan *compile_mix(int max_block)
{
    char path[512], err[DS_ERR_LEN];
    write_script(mix_script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    if (vm_script_load(path, &so, &d, err) != DS_OK || vm_compile(&d, max_block, &p, err) != DS_OK)
        printf("# compile failed: %s\n", err);
    vm_desc_free(&d);
    return p;
}

/* Every op in one unit, in plan order within it; unit_order a permutation
 * in which every unit comes after the units it waits for. */
static void check_units(const plan *p)
{
    int *seen = calloc((size_t)p->nops + 1, sizeof *seen), *place = calloc((size_t)p->nunits + 1, sizeof *place);
    int ok = seen && place && p->unit_op_start[0] == 0 && p->unit_op_start[p->nunits] == p->nops;
    for (int u = 0; ok && u < p->nunits; u++)
        for (int k = p->unit_op_start[u]; ok && k < p->unit_op_start[u + 1]; k++) {
            int i = p->unit_ops[k];
            ok = i >= 0 && i < p->nops && !seen[i] && p->op_unit[i] == u &&
                 (k == p->unit_op_start[u] || p->unit_ops[k - 1] < i);
            if (ok)
                seen[i] = 1;
        }
    check(ok, "every op is in exactly one unit, each unit's ops in plan order", "%d units, %d ops", p->nunits,
          p->nops);
    for (int k = 0; ok && k < p->nunits; k++) {
        int u = p->unit_order[k];
        ok = u >= 0 && u < p->nunits && !place[u];
        if (ok)
            place[u] = k + 1;
    }
    int npred_ok = ok;
    int *count = calloc((size_t)p->nunits + 1, sizeof *count);
    for (int u = 0; ok && count && u < p->nunits; u++)
        for (int k = p->unit_succ_start[u]; ok && k < p->unit_succ_start[u + 1]; k++) {
            int v = p->unit_succ[k];
            ok = place[u] < place[v];
            count[v]++;
        }
    for (int u = 0; npred_ok && count && u < p->nunits; u++)
        npred_ok = count[u] == p->unit_npred[u];
    check(ok && npred_ok && count, "the workers' order of units is topological (a unit after those it waits for)",
          "order or wait counts wrong");
    free(count);
    free(seen);
    free(place);
}

static int64_t blocks_on[2]; /* the last run_compare's blocks on one thread, on two */
static int announce_wrong;   /* run_compare tells the pool a next block one frame short */

/* One plan through sched_run_block, the other through a pool (with the
 * slow worker, pinned or not): every output's frames compared block by
 * block. Returns the blocks that differ (1 when a plan failed);
 * *pool_made 0 when no pool could be made. units[2]: what each worker
 * ran; nblocks: blocks run; tails: how often the tail task ran (one is
 * handed over before each block, as the render's output stage is). */
static void count_tail(void *user)
{
    (*(int *)user)++;
}

static int run_compare(int block, int slow, int flags, int64_t units[2], int *nblocks, int *tails, int *pool_made)
{
    plan *a = compile_mix(block), *b = compile_mix(block);
    *pool_made = 0;
    if (!a || !b) {
        vm_plan_free(&a);
        vm_plan_free(&b);
        return 1;
    }
    vm_plan_reset(a);
    vm_plan_reset(b);
    sched_pool *pool = sched_pool_create(b, flags);
    if (!pool) {
        vm_plan_free(&a);
        vm_plan_free(&b);
        return -1;
    }
    *pool_made = 1;
    sched_pool_test_slow(pool, slow);
    sched_choice *choice = sched_pool_choice(pool);
    choice->slice_frames = 2000; /* measured pools (flags 0): slices of 2 blocks of 1000, 2 of each a try, runs of 16 */
    choice->slices = 2;
    choice->run_frames = 16000;
    int differ = 0;
    *tails = 0;
    int64_t total = a->length + a->tail;
    if (block == 1 && total > 4800)
        total = 4800; /* a tenth of a second at one frame a block */
    *nblocks = 0;
    for (int64_t pos = 0; pos < total; pos += block) {
        int n = total - pos < block ? (int)(total - pos) : block;
        sched_pool_set_tail(pool, count_tail, tails);
        sched_run_block(a, pos, n);
        int next_n = pos + n < total ? (int)(total - pos - n < block ? total - pos - n : block) : 0;
        if (announce_wrong && next_n > 1)
            next_n--; /* a driver that runs another block than it announced */
        sched_run_block_pool(pool, pos, n, next_n);
        (*nblocks)++;
        for (int o = 0; o < a->noutputs; o++)
            for (int c = 0; c < a->outputs[o].channels; c++)
                if (memcmp(a->outputs[o].chans[c], b->outputs[o].chans[c], (size_t)n * sizeof(float)) != 0) {
                    differ++;
                    o = a->noutputs;
                    break;
                }
    }
    units[0] = sched_pool_units_run(pool, 0);
    units[1] = sched_pool_units_run(pool, 1);
    blocks_on[0] = choice->blocks[0];
    blocks_on[1] = choice->blocks[1];
    sched_pool_destroy(&pool);
    int failed = a->failed || b->failed;
    vm_plan_free(&a);
    vm_plan_free(&b);
    return failed ? 1 : differ;
}

static void test_same_bytes(void)
{
    static const int blocks[] = {1, 64, 1000, 4096};
    static const int caps[] = {DSP_SIMD_ANY, DSP_SIMD_NO_WIDE, DSP_SIMD_NO_AVX2};
    static const char *cap_names[] = {"the widest SIMD path", "AVX2 (no AVX-512)", "SSE2"};
    for (int ci = 0; ci < 3; ci++) {
        dsp_simd_cap = caps[ci];
        for (size_t bi = 0; bi < sizeof blocks / sizeof blocks[0]; bi++) {
            for (int pin = 0; pin < 2; pin++) {
                if (pin && blocks[bi] != 1000)
                    continue;
                int64_t units[2];
                int nb, made, tails;
                int d = run_compare(blocks[bi], -1, (pin ? SCHED_PIN : 0) | SCHED_ALWAYS_TWO, units, &nb, &tails,
                                    &made);
                char name[200];
                snprintf(name, sizeof name, "%s, block %d%s: two threads give the one-thread bytes in every block",
                         cap_names[ci], blocks[bi], pin ? ", pinned" : "");
                if (!made) {
                    printf("skip - %s: no pool (one CPU allowed)\n", name);
                    continue;
                }
                check(d == 0 && tails == nb, name, "%d of %d blocks differ; the tail ran %d times", d, nb, tails);
            }
        }
    }
    dsp_simd_cap = DSP_SIMD_ANY;
}

static void test_slow_worker(void)
{
    plan *p = compile_mix(1000);
    int nunits = p ? p->nunits : 0;
    if (p)
        check_units(p);
    vm_plan_free(&p);
    for (int slow = 0; slow < 2; slow++) {
        int64_t units[2];
        int nb, made, tails;
        int d = run_compare(1000, slow, SCHED_ALWAYS_TWO, units, &nb, &tails, &made);
        char name[200];
        snprintf(name, sizeof name, "worker %d slow: the other runs all but at most one unit a block, same bytes",
                 slow);
        if (!made) {
            printf("skip - %s: no pool (one CPU allowed)\n", name);
            continue;
        }
        int64_t want = (int64_t)nb * nunits;
        check(d == 0 && tails == nb && units[0] + units[1] == want && units[slow] <= nb &&
                  units[!slow] >= (int64_t)nb * (nunits - 1),
              name, "%d blocks differ; units run: worker 0 %lld, worker 1 %lld; %d blocks x %d units", d,
              (long long)units[0], (long long)units[1], nb, nunits);
    }
}

/* The clips are read a block ahead on two threads (op read_ahead); a
 * driver that then runs another block than it announced gets the clips
 * read again where the block is: the same bytes. */
static void test_wrong_next_block(void)
{
    int64_t units[2];
    int nb, made, tails;
    announce_wrong = 1;
    int d = run_compare(1000, -1, SCHED_ALWAYS_TWO, units, &nb, &tails, &made);
    announce_wrong = 0;
    const char *name = "the next block announced wrong: its clips read again where it is, the one-thread bytes";
    if (!made) {
        printf("skip - %s: no pool (one CPU allowed)\n", name);
        return;
    }
    check(d == 0 && tails == nb, name, "%d of %d blocks differ", d, nb);
}

/* sched_choice on times fed to it: a try takes turns in slices of two
 * threads and one, then the faster runs (two only when 3 % faster), then
 * both are tried again; the block counts follow. ns_two, ns_one: per
 * block of 1024 frames; a spell (blocks [spell_from, spell_to) of the
 * feeding) makes every block `spell` times slower, whichever runs it. */
static void feed(sched_choice *c, int blocks, int64_t ns_two, int64_t ns_one, int64_t *fed, int64_t spell_from,
                 int64_t spell_to, int spell)
{
    for (int k = 0; k < blocks; k++, (*fed)++) {
        int64_t ns = c->two ? ns_two : ns_one;
        if (*fed >= spell_from && *fed < spell_to)
            ns *= spell;
        sched_choice_account(c, 1024, ns);
    }
}

static void test_choice(void)
{
    static const struct {
        int64_t two, one;
        int spell; /* blocks of the try's first half this many times slower */
        int want_two;
        const char *what;
    } cases[] = {
        {1000, 2000, 1, 1, "two threads twice as fast: two run"},
        {2000, 1000, 1, 0, "two threads half as fast (a loaded machine): one runs"},
        {980, 1000, 1, 0, "two threads 2 % faster: one runs (it spends less CPU)"},
        {960, 1000, 1, 1, "two threads 4 % faster: two run"},
        {1000, 1200, 3, 1, "a slow spell over the try's first half falls on both: two (20 % faster) run"},
        {1200, 1000, 3, 0, "a slow spell over the try's first half falls on both: one (faster) runs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sched_choice c;
        sched_choice_init(&c);
        int per_slice = (int)(c.slice_frames / 1024), try_blocks = 2 * c.slices * per_slice;
        int runs = (int)(c.run_frames / 1024);
        int64_t fed = 0;
        int first = c.two;
        feed(&c, per_slice, cases[i].two, cases[i].one, &fed, 0, try_blocks / 2, cases[i].spell);
        int second = c.two; /* the second slice: the other kind */
        feed(&c, try_blocks - per_slice, cases[i].two, cases[i].one, &fed, 0, try_blocks / 2, cases[i].spell);
        int chosen = c.two;
        int64_t tried1 = c.blocks[1], tried0 = c.blocks[0];
        feed(&c, runs - 1, cases[i].two, cases[i].one, &fed, 0, 0, 1);
        int kept = c.two;
        feed(&c, 1, cases[i].two, cases[i].one, &fed, 0, 0, 1);
        int again = c.two;
        int64_t want1 = try_blocks / 2 + (cases[i].want_two ? runs : 0);
        int64_t want0 = try_blocks / 2 + (cases[i].want_two ? 0 : runs);
        check(first == 1 && second == 0 && tried1 == try_blocks / 2 && tried0 == try_blocks / 2 &&
                  chosen == cases[i].want_two && kept == chosen && again == 1 && c.blocks[1] == want1 &&
                  c.blocks[0] == want0,
              cases[i].what,
              "modes %d %d %d %d %d, tried %lld / %lld, blocks on two %lld (want %lld), on one %lld (want %lld)", first,
              second, chosen, kept, again, (long long)tried1, (long long)tried0, (long long)c.blocks[1],
              (long long)want1, (long long)c.blocks[0], (long long)want0);
    }
}

/* A measured pool (flags 0, its tries shortened to 4 blocks): some blocks
 * on each, whatever the times, and the bytes of one thread. */
static void test_measured_pool(void)
{
    int64_t units[2];
    int nb, made, tails;
    int d = run_compare(1000, -1, 0, units, &nb, &tails, &made);
    const char *name = "a measured pool runs blocks on two threads and on one, with the one-thread bytes";
    if (!made) {
        printf("skip - %s: no pool (one CPU allowed)\n", name);
        return;
    }
    check(d == 0 && tails == nb && blocks_on[0] >= 4 && blocks_on[1] >= 4 && blocks_on[0] + blocks_on[1] == nb,
          name, "%d of %d blocks differ, the tail ran %d times; blocks on one %lld, on two %lld", d, nb, tails,
          (long long)blocks_on[0], (long long)blocks_on[1]);
}

static void test_one_cpu(void)
{
    cpu_set_t old, one;
    if (sched_getaffinity(0, sizeof old, &old) != 0) {
        printf("skip - one allowed CPU: no pool: sched_getaffinity failed\n");
        return;
    }
    int cpu = -1;
    for (int k = 0; k < CPU_SETSIZE && cpu < 0; k++)
        if (CPU_ISSET(k, &old))
            cpu = k;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    plan *p = compile_mix(1024);
    int set = sched_setaffinity(0, sizeof one, &one) == 0;
    sched_pool *pool = p && set ? sched_pool_create(p, 0) : NULL;
    check(set && p && !pool, "one allowed CPU: no second thread (the render runs on one)", "pool %p", (void *)pool);
    sched_pool_destroy(&pool);
    sched_setaffinity(0, sizeof old, &old);
    vm_plan_free(&p);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/dubstage-test-sched-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    for (track_no = 1; track_no <= 16; track_no++) {
        char name[32];
        snprintf(name, sizeof name, "t%d.wav", track_no);
        write_wav(name, RATE, track_no <= 6 ? 1 : 2, RATE * SECONDS, tone);
    }
    test_choice();
    test_slow_worker();
    test_same_bytes();
    test_measured_pool();
    test_wrong_next_block();
    test_one_cpu();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return check_exit();
}
