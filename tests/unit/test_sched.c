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
 *     to it: the faster is kept, two only when 5 % faster, a try ended
 *     after its first pair when two are clearly slower (over 1.15x one's
 *     time) and when clearly faster (under 0.75x), the switch to two
 *     not counted, a slow spell during a try falls on both (slices taking
 *     turns), a run on two cut short when it turns slower than one thread
 *     was, longer runs after tries that keep one in a row; the report line (sched_tally_describe) against its text; and a
 *     pool that measures, with one side made slow by a test hook (a
 *     penalty added to its measure, no clock judged): the other side kept
 *     after every try, blocks run both ways, the bytes of one thread;
 *   - vm_render_compile: a render that may use two threads gets a plan for
 *     blocks of 8192 frames, a session of 300 tracks a smaller power of
 *     two with the plan within 64 MiB; --threads 1 and blocks under 256
 *     frames the plan for --block.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/unit/render_util.h"

#include "dsp/simd.h"
#include "vm/ops.h"
#include "vm/render.h"
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

static sched_tally tally;   /* the last run_compare's: blocks on one thread and on two, the tries */
static int announce_wrong;  /* run_compare tells the pool a next block one frame short */
static double idle_hook = -2; /* run_compare's pool reports this many idle CPUs after each run on one (-2: measured) */
static int slow_side = -1;  /* run_compare's pool counts a second more per block on two (1) or one (0) */
static int late_helper;     /* run_compare's helper holds its readings and tails until the next block */
static int64_t ahead_mixed; /* the last run_compare's: fewest blocks a clip player mixed from a reading done ahead */

/* The driver's output stage as the render has it: block k's first output
 * copied into stage k % 2 by the pool's copy task (sched_pool_set_copy),
 * then read by the tail handed over for block k + 1, which may still run
 * after that block's sched_run_block_pool returns. The tail checks that
 * its stage still holds what the copy put there (a sum taken when it was
 * handed over), that tails run in block order and never two at once. */
typedef struct {
    const plan *p;
    int64_t pos;
    int n;
    float data[4096];
    double sum;
} test_stage;

static _Atomic int tails_run, tails_bad, tail_running;
static int64_t last_tail_pos;

static double stage_sum(const test_stage *st)
{
    double sum = (double)st->pos;
    for (int i = 0; i < st->n; i++)
        sum += st->data[i] * (double)(i + 1);
    return sum;
}

static void copy_stage(void *user, int64_t pos, int n)
{
    test_stage *st = user;
    st->pos = pos;
    st->n = n;
    memcpy(st->data, st->p->outputs[0].chans[0], (size_t)n * sizeof(float));
}

static void check_tail(void *user)
{
    const test_stage *st = user;
    int bad = atomic_exchange(&tail_running, 1) != 0 || st->pos <= last_tail_pos;
    last_tail_pos = st->pos;
    for (volatile int spin = 0; spin < 2000; spin++) /* long enough for a copy to overlap it, if one could */
        ;
    bad |= stage_sum(st) != st->sum;
    atomic_store(&tail_running, 0);
    atomic_fetch_add(&tails_bad, bad);
    atomic_fetch_add(&tails_run, 1);
}

/* One plan through sched_run_block, the other through a pool (with the
 * slow worker, pinned or not): every output's frames compared block by
 * block, and the first output's copy (the copy task) too. Returns the
 * blocks that differ (1 when a plan failed); *pool_made 0 when no pool
 * could be made. units[2]: what each worker ran; nblocks: blocks run;
 * tails: how often the tail task ran and found its stage intact, in
 * order and alone (one is handed over after each block, as the render's
 * output stage is; -1 when one did not). */
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
    if (late_helper)
        sched_pool_test_late(pool, 1);
    sched_choice *choice = sched_pool_choice(pool);
    choice->slice_frames = 2000; /* measured pools (flags 0): slices of 2 blocks of 1000, 2 of each a try, runs of 8 */
    choice->slices = 2;
    choice->settle_frames = 0;
    choice->run_frames = 8000;
    if (slow_side >= 0)
        sched_pool_test_penalty(pool, slow_side, 1000000000);
    sched_pool_test_idle(pool, idle_hook);
    int differ = 0;
    static test_stage stage[2];
    stage[0] = stage[1] = (test_stage){.p = b};
    atomic_store(&tails_run, 0);
    atomic_store(&tails_bad, 0);
    last_tail_pos = -1;
    int64_t total = a->length + a->tail;
    if (block == 1 && total > 4800)
        total = 4800; /* a tenth of a second at one frame a block */
    *nblocks = 0;
    for (int64_t pos = 0; pos < total; pos += block) {
        int n = total - pos < block ? (int)(total - pos) : block;
        test_stage *st = &stage[*nblocks % 2];
        sched_pool_set_copy(pool, copy_stage, st);
        sched_run_block(a, pos, n);
        int next_n = pos + n < total ? (int)(total - pos - n < block ? total - pos - n : block) : 0;
        if (announce_wrong && next_n > 1)
            next_n--; /* a driver that runs another block than it announced */
        sched_run_block_pool(pool, pos, n, next_n);
        (*nblocks)++;
        if (st->pos != pos || st->n != n ||
            memcmp(st->data, a->outputs[0].chans[0], (size_t)n * sizeof(float)) != 0)
            differ++; /* the copy did not run, or before the block's last op */
        st->sum = stage_sum(st);
        sched_pool_set_tail(pool, check_tail, st);
        for (int o = 0; o < a->noutputs; o++)
            for (int c = 0; c < a->outputs[o].channels; c++)
                if (memcmp(a->outputs[o].chans[c], b->outputs[o].chans[c], (size_t)n * sizeof(float)) != 0) {
                    differ++;
                    o = a->noutputs;
                    break;
                }
    }
    ahead_mixed = INT64_MAX; /* op_clips_args.take: blocks mixed from the reading done ahead (vm/ops.h) */
    for (int i = 0; i < b->nops; i++)
        if (b->ops[i].cls->read_ahead && ((op_clips_args *)b->ops[i].args)->take < ahead_mixed)
            ahead_mixed = ((op_clips_args *)b->ops[i].args)->take;
    units[0] = sched_pool_units_run(pool, 0);
    units[1] = sched_pool_units_run(pool, 1);
    tally = choice->tally;
    sched_pool_destroy(&pool);
    *tails = atomic_load(&tails_bad) ? -1 : atomic_load(&tails_run);
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
                check(d == 0 && tails == nb && ahead_mixed == nb, name,
                      "%d of %d blocks differ; the tail ran %d times; a clip player mixed %lld blocks read ahead", d,
                      nb, tails, (long long)ahead_mixed);
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

/* A block ends when its units and its copy are done: the helper's last
 * task (a reading of the next block's clips, or the tail) may still run
 * while the next block starts. With the helper made to hold every reading
 * and tail it takes until the next block is posted (sched_pool_test_late),
 * that happens in every block: the next block's units wait for their
 * readings, the next readings for the last, the copy for the tail before;
 * the bytes are the one-thread bytes, each copy its block's, and the tails
 * run in order, one at a time, on stages not yet written again. Also with
 * the choice switching between two threads and one (a pool that measures,
 * one side made slow: blocks on one wait for the held task). */
static void test_late_helper(void)
{
    static const struct {
        int block, flags, slow;
    } cases[] = {{64, SCHED_ALWAYS_TWO, -1}, {1000, SCHED_ALWAYS_TWO, -1}, {1000, 0, 1}, {1000, 0, 0}};
    late_helper = 1;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int64_t units[2];
        int nb, made, tails;
        slow_side = cases[k].slow;
        int d = run_compare(cases[k].block, -1, cases[k].flags, units, &nb, &tails, &made);
        slow_side = -1;
        char name[200];
        snprintf(name, sizeof name,
                 "block %d%s: the helper's readings and tails held into the next block: same bytes, every copy its "
                 "block's, tails in order on intact stages",
                 cases[k].block,
                 cases[k].flags ? "" : cases[k].slow == 1 ? ", measured, two threads penalised"
                                                           : ", measured, one thread penalised");
        if (!made) {
            printf("skip - %s: no pool (one CPU allowed)\n", name);
            continue;
        }
        /* on two threads alone, every block is mixed from its reading done
         * ahead: no unit ran before its reading had finished (it would have
         * read the block itself, and the late reading would have been dropped) */
        check(d == 0 && tails == nb &&
                  (cases[k].flags ? ahead_mixed == nb : tally.blocks[0] > 0 && tally.blocks[1] > 0),
              name,
              "%d of %d blocks differ; tails %d (-1: one found its stage changed, out of order or beside another); "
              "a clip player mixed %lld blocks read ahead; blocks on one %lld, on two %lld",
              d, nb, tails, (long long)ahead_mixed, (long long)tally.blocks[0], (long long)tally.blocks[1]);
    }
    late_helper = 0;
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

/* sched_choice on times fed to it, blocks of 1024 frames: slices of 128
 * blocks (the first 8 of each not counted), a try of 4 pairs (two threads
 * first), runs of 8192 blocks, a run on two checked every 512 blocks.
 * Each block costs `one` or `two` ns by the side that runs it, `switch_ns`
 * more when it is the first on two after blocks on one (the helper woken), `spell` times more during the first
 * `spell_blocks` blocks fed (a slow spell of the machine); after the try,
 * blocks on two cost `later_two` (0: the same). */
typedef struct {
    int64_t one, two, switch_ns;
    int spell_blocks, spell;
    int64_t later_two;
} block_costs;

/* Feeds blocks until the try ends (at most max); returns the blocks fed. */
static int feed_try(sched_choice *c, const block_costs *k, int max, int *fed, int *prev_two)
{
    int start = *fed;
    while (c->phase == 0 && *fed - start < max) {
        int64_t ns = c->two ? k->two : k->one;
        if (c->two && !*prev_two)
            ns += k->switch_ns;
        if (*fed < k->spell_blocks)
            ns *= k->spell;
        *prev_two = c->two;
        sched_choice_account(c, 1024, ns);
        (*fed)++;
    }
    return *fed - start;
}

static void test_choice(void)
{
    static const struct {
        block_costs k;
        int want_two, want_cut, want_quick;
        const char *what;
    } cases[] = {
        {{2000, 1000, 0, 0, 1, 0}, 1, 0, 1, "two threads twice as fast: the try ends after a pair, two run"},
        {{1000, 740, 0, 0, 1, 0}, 1, 0, 1, "two threads taking 0.74 of one's time: the try ends after a pair, two run"},
        {{1000, 760, 0, 0, 1, 0}, 1, 0, 0, "two threads taking 0.76 of one's time: two run, after the whole try"},
        {{1000, 2000, 0, 0, 1, 0}, 0, 1, 0, "two threads half as fast (a loaded machine): the try ends after a pair, one runs"},
        {{1000, 970, 0, 0, 1, 0}, 0, 0, 0, "two threads 3 % faster: one runs (it spends less CPU)"},
        {{1000, 940, 0, 0, 1, 0}, 1, 0, 0, "two threads 6 % faster: two run"},
        {{1000, 1100, 0, 0, 1, 0}, 0, 0, 0, "two threads 10 % slower: the whole try, one runs"},
        {{1000, 800, 200000, 0, 1, 0}, 1, 0, 0,
         "two 20 % faster, each switch to two costing 200 blocks' time: the switches not counted, two run"},
        {{2000, 1000, 300000, 0, 1, 0}, 1, 0, 1,
         "two twice as fast, each switch to two costing 300 blocks' time: not counted, the try ends after a pair"},
        {{1200, 1000, 0, 512, 3, 0}, 1, 0, 0, "a slow spell over the try's first half falls on both: two (17 % faster) run"},
        {{1000, 1100, 0, 512, 3, 0}, 0, 0, 0, "a slow spell over the try's first half falls on both: one (faster) runs"},
        {{1000, 600, 0, 256, 3, 0}, 1, 0, 1,
         "a slow spell over the try's first pair falls on both: two (0.6 of one's time) run after it"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sched_choice c;
        sched_choice_init(&c);
        int fed = 0, prev_two = 0;
        int first = c.two;
        int tried = feed_try(&c, &cases[i].k, 4096, &fed, &prev_two);
        int64_t want_tried = cases[i].want_cut || cases[i].want_quick ? 128 : 512;
        int ok = first == 1 && c.phase == 1 && c.two == cases[i].want_two && c.tally.tries == 1 &&
                 c.tally.tries_two == cases[i].want_two && c.tally.tries_cut == cases[i].want_cut &&
                 c.tally.tries_quick == cases[i].want_quick &&
                 c.tally.blocks[0] == want_tried && c.tally.blocks[1] == want_tried && tried == 2 * want_tried;
        /* the run: 8192 blocks on the side chosen, then a try again, on two */
        int64_t before = c.tally.blocks[c.two];
        int run_two = c.two;
        for (int b = 0; b < 8191; b++)
            sched_choice_account(&c, 1024, run_two ? cases[i].k.two : cases[i].k.one);
        int still = c.phase == 1 && c.two == run_two;
        sched_choice_account(&c, 1024, run_two ? cases[i].k.two : cases[i].k.one);
        /* a run on one thread asks about the idle CPUs first (not known here: a try); a run on two
         * under 0.75 of one thread's time a frame (as the try measured it) all along goes on, no try */
        int asked = c.idle_ask == !run_two;
        sched_choice_idle(&c, -1);
        int extend = run_two && (double)cases[i].k.two / 1024 < 0.75 * c.tally.ns_per_frame[0];
        check(ok && still && asked && c.phase == !!extend && c.two == 1 &&
                  c.tally.blocks[run_two] == before + 8192 && c.tally.runs_cut == 0 && c.tally.tries_skipped == 0 &&
                  c.tally.runs_extended == extend,
              cases[i].what,
              "first on %d, chose %d after %d blocks (tries %d, two %d, cut %d, quick %d), blocks one %lld two %lld; "
              "run kept %d, then phase %d on %d, runs cut %d, extended %d (want %d)",
              first, run_two, tried, c.tally.tries, c.tally.tries_two, c.tally.tries_cut, c.tally.tries_quick,
              (long long)c.tally.blocks[0], (long long)c.tally.blocks[1], still, c.phase, c.two, c.tally.runs_cut,
              c.tally.runs_extended, extend);
    }
    /* a run on two that turns slower than one thread was: cut after a stretch of 512 blocks, tried again;
     * after a whole try, and after one ended early (one thread measured over a single slice) */
    sched_choice c;
    int fed, prev_two;
    for (int quick = 0; quick < 2; quick++) {
        block_costs busy = {1000, quick ? 500 : 800, 0, 0, 1, 0};
        sched_choice_init(&c);
        fed = 0, prev_two = 0;
        int tried = feed_try(&c, &busy, 4096, &fed, &prev_two);
        int chose = c.two, cut_at = -1;
        for (int b = 0; b < 4096 && cut_at < 0; b++) {
            sched_choice_account(&c, 1024, b < 512 ? busy.two : 1300);
            if (c.phase == 0)
                cut_at = b + 1;
        }
        check(chose == 1 && tried == (quick ? 256 : 1024) && c.tally.tries_quick == quick && cut_at == 1024 &&
                  c.tally.runs_cut == 1 && c.two == 1 && c.phase == 0,
              quick ? "a run on two threads slower than one was in a try ended early: cut after the stretch, tried again"
                    : "a run on two threads slower than one was in the try: cut after the stretch, tried again",
              "chose %d after %d blocks (quick %d), cut after %d blocks (want 1024), runs cut %d, next on %d", chose,
              tried, c.tally.tries_quick, cut_at, c.tally.runs_cut, c.two);
    }
    /* beside a busy process every try keeps one thread: runs of 8192, 16384, then 32768 blocks */
    sched_choice_init(&c);
    fed = 0, prev_two = 0;
    block_costs slow_two = {1000, 2000, 0, 0, 1, 0};
    int64_t runs[5] = {0};
    for (int r = 0; r < 5; r++) {
        feed_try(&c, &slow_two, 4096, &fed, &prev_two);
        for (; c.phase == 1 && !c.idle_ask && runs[r] < 100000; runs[r]++)
            sched_choice_account(&c, 1024, 1000);
        sched_choice_idle(&c, -1); /* not known: a try */
    }
    check(runs[0] == 8192 && runs[1] == 16384 && runs[2] == 32768 && runs[3] == 32768 && runs[4] == 32768 &&
              c.tally.tries == 5 && c.tally.tries_cut == 5 && c.tally.blocks[1] == 5 * 128,
          "tries that keep one thread in a row: runs of 1, 2, 4, 4, 4 times the length, a slice on two each",
          "runs %lld %lld %lld %lld %lld blocks, tries %d (cut %d), blocks on two %lld", (long long)runs[0],
          (long long)runs[1], (long long)runs[2], (long long)runs[3], (long long)runs[4], c.tally.tries,
          c.tally.tries_cut, (long long)c.tally.blocks[1]);
    /* two threads at half one's time: runs on two follow each other without a try; a run that took
     * 0.8 of one's time over a whole (every stretch faster than one: no cut): a try at its end; a run
     * at 0.5 but for a slow tenth at 0.9 (0.54 over all): extended */
    for (int late = 0; late < 3; late++) {
        block_costs fast = {1000, 500, 0, 0, 1, 0};
        sched_choice_init(&c);
        fed = 0, prev_two = 0;
        feed_try(&c, &fast, 4096, &fed, &prev_two);
        double one_frame = c.tally.ns_per_frame[0];
        int b = 0, tries0 = c.tally.tries;
        for (; b < 5 * 8192 && c.tally.tries == tries0 && c.phase == 1; b++) {
            int in_run = b % 8192, third = b / 8192 == 2;
            double at = !third ? 0.5 : late == 1 ? 0.8 : late == 2 && in_run < 820 ? 0.9 : 0.5;
            sched_choice_account(&c, 1024, (int64_t)(1024 * one_frame * at));
        }
        int want_try = late == 1;
        check(c.tally.runs_cut == 0 && (want_try ? c.phase == 0 && c.tally.runs_extended == 2 && b == 3 * 8192
                                                 : c.phase == 1 && c.two == 1 && c.tally.runs_extended == 5),
              late == 0   ? "two threads at half one's time all along: each run on two followed by another, no try"
              : late == 1 ? "a run on two at 0.8 of one's time: a try at its end"
                          : "a run on two at 0.5 of one's time but for a tenth at 0.9: followed by another, no try",
              "runs extended %d, blocks %d, phase %d on %d, runs cut %d", c.tally.runs_extended, b, c.phase, c.two,
              c.tally.runs_cut);
    }
    /* no CPU idle during a run on one thread: no try, another run as long; a CPU idle again: a try */
    sched_choice_init(&c);
    fed = 0, prev_two = 0;
    feed_try(&c, &slow_two, 4096, &fed, &prev_two);
    int marked = c.idle_mark, asks = 0, skipped_runs[3] = {0}, tries_before = c.tally.tries;
    c.idle_mark = 0; /* as the pool does when it notes the start */
    for (int r = 0; r < 3; r++) {
        for (; c.phase == 1 && !c.idle_ask && skipped_runs[r] < 100000; skipped_runs[r]++)
            sched_choice_account(&c, 1024, 1000);
        asks += c.idle_ask;
        sched_choice_idle(&c, r < 2 ? 0.2 : 0.5);
        if (r < 2) {
            marked += c.idle_mark;
            c.idle_mark = 0;
        }
    }
    check(marked == 3 && asks == 3 && skipped_runs[0] == 8192 && skipped_runs[1] == 8192 &&
              skipped_runs[2] == 8192 && c.tally.tries_skipped == 2 && c.tally.tries == tries_before &&
              c.phase == 0 && c.two == 1 && c.tally.blocks[1] == 128,
          "no CPU idle after a run on one thread (0.2 of one): no try, two more runs as long, then 0.5 idle: a try",
          "runs %d %d %d blocks, marks %d, asks %d, skipped %d, tries %d (before %d), phase %d on %d, blocks on two "
          "%lld",
          skipped_runs[0], skipped_runs[1], skipped_runs[2], marked, asks, c.tally.tries_skipped, c.tally.tries,
          tries_before, c.phase, c.two, (long long)c.tally.blocks[1]);
    sched_choice_idle(&c, 0); /* not asked: no effect */
    check(c.phase == 0 && c.two == 1 && c.tally.tries_skipped == 2, "an answer nobody asked for changes nothing",
          "phase %d on %d, skipped %d", c.phase, c.two, c.tally.tries_skipped);
    /* the report line */
    sched_tally t = {.blocks = {19933, 8192}, .tries = 3, .tries_two = 1, .tries_cut = 1, .tries_quick = 1,
                     .runs_cut = 1, .tries_skipped = 2, .runs_extended = 3, .ns_per_frame = {61.3, 79.5}};
    char line[512];
    sched_tally_describe(&t, line, sizeof line);
    const char *want = "8192 blocks on two threads, 19933 on one; 3 tries, two kept after 1, 1 cut short (two clearly "
                       "slower), 1 ended early (two clearly faster), 1 run on two cut short (slower than one); 2 "
                       "tries skipped (no CPU idle); 3 runs on two extended without a try (clearly faster); the "
                       "last try: 61.3 ns a frame on one thread, 79.5 on two";
    check(strcmp(line, want) == 0, "the report line says the blocks on each side, the tries and their figures",
          "got '%s'", line);
    sched_tally none = {.blocks = {96, 0}};
    sched_tally_describe(&none, line, sizeof line);
    check(strcmp(line, "0 blocks on two threads, 96 on one") == 0, "no try: the blocks only", "got '%s'", line);
}

/* A measured pool (flags 0, its tries shortened to 2 pairs of 2 blocks,
 * runs of 8 to 32) with one side made slow by the test hook (a second more a
 * block in the choice's measure, sched_pool_test_penalty; no clock
 * judged): the choice reports the other side winning every try, and the
 * bytes are those of one thread. */
static void test_measured_pool(void)
{
    for (int side = 0; side < 2; side++) {
        int64_t units[2];
        int nb, made, tails;
        slow_side = side;
        int d = run_compare(1000, -1, 0, units, &nb, &tails, &made);
        slow_side = -1;
        char name[200];
        snprintf(name, sizeof name,
                 "a measured pool, %s made slow: %s kept after every try, blocks on both, the one-thread bytes",
                 side ? "two threads" : "one thread", side ? "one" : "two");
        if (!made) {
            printf("skip - %s: no pool (one CPU allowed)\n", name);
            continue;
        }
        char line[512];
        /* two slow: every try cut after its first pair; one slow: two kept after all, and runs on two
         * followed by more without a try */
        int verdicts = side ? tally.tries >= 3 && tally.tries_two == 0 && tally.tries_cut == tally.tries
                            : tally.tries >= 1 && tally.tries_two == tally.tries && tally.tries_cut == 0 &&
                                  tally.runs_extended >= 3;
        check(d == 0 && tails == nb && verdicts && tally.blocks[0] >= 2 && tally.blocks[1] >= 4 &&
                  tally.blocks[0] + tally.blocks[1] == nb,
              name, "%d of %d blocks differ, the tail ran %d times; %s", d, nb, tails,
              sched_tally_describe(&tally, line, sizeof line));
    }
}

/* The same pool with two threads made slow and no CPU idle after each
 * run on one thread (the test hook): the first try only, every later one
 * skipped, and the one-thread bytes; with a CPU idle, tries again. */
static void test_no_idle_cpu(void)
{
    for (int idle = 0; idle < 2; idle++) {
        int64_t units[2];
        int nb, made, tails;
        slow_side = 1;
        idle_hook = idle ? 1.0 : 0.0;
        int d = run_compare(1000, -1, 0, units, &nb, &tails, &made);
        slow_side = -1;
        idle_hook = -2;
        const char *name = idle ? "a measured pool with a CPU idle after each run on one thread: tried again each time"
                                : "a measured pool with no CPU idle after each run on one thread: only the first try, "
                                  "the rest on one thread, the one-thread bytes";
        if (!made) {
            printf("skip - %s: no pool (one CPU allowed)\n", name);
            continue;
        }
        char line[512];
        int want = idle ? tally.tries >= 3 && tally.tries_skipped == 0
                        : tally.tries == 1 && tally.tries_skipped >= 2 && tally.blocks[1] == 2;
        check(d == 0 && tails == nb && want && tally.tries_two == 0 && tally.blocks[0] + tally.blocks[1] == nb, name,
              "%d of %d blocks differ, the tail ran %d times; %s", d, nb, tails,
              sched_tally_describe(&tally, line, sizeof line));
    }
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

/* vm_render_compile: the plan of a render that may use two threads is
 * compiled for larger blocks, bounded by its memory. A session of `tracks`
 * stereo tracks (clip, EQ, compressor, limiter each, every track's buffers
 * and scratch growing with the block) compiled at 1024 frames alone gives
 * the expectation: the largest power of two up to PLAN_MAX_BLOCK whose
 * scaled size fits 64 MiB. Checked besides: the larger plan itself within
 * 64 MiB (the bound holds on what was made, not only on the estimate). */
/* want_larger: 0 the plan for `block`; 1 a larger block if the pool can
 * be made; 2 that, and under PLAN_MAX_BLOCK (the bound bit) */
static void check_render_block(int tracks, int threads, int block, int want_larger, const char *name)
{
    char script[1024], path[512], err[DS_ERR_LEN];
    snprintf(script, sizeof script,
             "session { rate = 48000, fps = \"24\", start = \"01:00:00:00\", length = 1 }\n"
             "local pm = bus \"PM\" {}\n"
             "for k = 1, %d do\n"
             "  local t = track(\"T\" .. k) { channels = 2, to = pm }\n"
             "  t:clip { \"t\" .. (7 + k %% 10) .. \".wav\", at = 0 }\n"
             "  t:eq { \"peak\", freq = 250 + k, gain = -3, q = 1 }\n"
             "  t:compressor { threshold = -30, ratio = 3 }\n"
             "  t:limiter { ceiling = -1, lookahead = 0.005, release = 0.050 }\n"
             "end\n"
             "output { \"pm.wav\", from = pm }\n",
             tracks);
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *at_block = NULL, *p = NULL;
    if (vm_script_load(path, &so, &d, err) != DS_OK || vm_compile(&d, block, &at_block, err) != DS_OK ||
        vm_render_compile(&d, block, threads, &p, err) != DS_OK) {
        check(0, name, "compile failed: %s", err);
        vm_desc_free(&d);
        vm_plan_free(&at_block);
        return;
    }
    double limit = 64.0 * 1024 * 1024, per_frame = (double)at_block->arena.used_total / block;
    int want = block;
    if (want_larger && !sched_pool_unavailable(at_block))
        for (int b = PLAN_MAX_BLOCK; b > block && want == block; b /= 2)
            want = per_frame * b <= limit ? b : block;
    int bounded = want_larger != 2 || sched_pool_unavailable(at_block) || (want > block && want < PLAN_MAX_BLOCK);
    check(p->max_block == want && bounded && (p->max_block == block || (double)p->arena.used_total <= limit), name,
          "plan for %d frames (%.1f MiB), expected %d (%.1f MiB at %d)", p->max_block,
          (double)p->arena.used_total / (1 << 20), want, (double)at_block->arena.used_total / (1 << 20), block);
    vm_desc_free(&d);
    vm_plan_free(&at_block);
    vm_plan_free(&p);
}

static void test_render_block(void)
{
    check_render_block(4, 0, 1024, 1, "a render on two threads: its plan for blocks of 8192 frames");
    check_render_block(300, 0, 1024, 2, "a session of 300 tracks: a smaller block, the plan within 64 MiB");
    check_render_block(4, 1, 1024, 0, "--threads 1: the plan for --block");
    check_render_block(4, 0, 128, 0, "blocks under 256 frames: the plan for --block");
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
    test_late_helper();
    test_same_bytes();
    test_measured_pool();
    test_no_idle_cpu();
    test_wrong_next_block();
    test_one_cpu();
    test_render_block();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return check_exit();
}
