/* test_opclass.c - the op class table (vm/ops.h): what the engine does
 * through each op's class, checked against invariants that need no
 * knowledge of the kinds:
 *   - every op of a plan that uses every stateful kind has a class; an op
 *     has a swap key exactly when its class copies state, and a meter name
 *     exactly when its class has a meter;
 *   - vm_plan_reset (each class's reset) puts a plan that has run back to
 *     the state of a fresh one: the same bytes from sample 0, bit for bit;
 *   - copy_state (what a live swap does): a fresh plan started in the
 *     middle, given the running plan's state through its classes (ops paired
 *     by class and key), continues with the same bytes, bit for bit, where
 *     the same fresh plan without the state does not;
 *   - meter_db reads the gain reduction a formula predicts (a compressor's
 *     static curve, a duck's depth) under the names the live meters show;
 *   - memory (what a segment's pre-roll is weighed against,
 *     docs/segments.md): every stateful class but the clip player (whose
 *     cursor is a function of the session sample) states one and no
 *     stateless class does; the values against formulas: a pole's and a
 *     resonator's 60 dB decay, the reverb's rt60 (with its pre-delay and
 *     diffusers, under 60 ms), the convolver's IR + partition exactly, the
 *     moving delay's echo train before and after its time moves, the
 *     compressor's hold + 60 dB release. */
#include "tests/unit/render_util.h"

#include "dsp/memory.h"
#include "vm/ops.h"
#include "vm/sched.h"

#define RATE 48000
#define BLOCK 256

/* broadband noise (a 32-bit LCG), -12 dBFS peak, different per channel */
static double noise(int i, int c)
{
    uint32_t x = (uint32_t)i * 2654435761u + (uint32_t)c * 40503u + 12345u;
    x ^= x >> 15, x *= 2246822519u, x ^= x >> 13;
    return 0.25 * ((double)(x & 0xffff) / 32768.0 - 1.0);
}

/* a steady 1 kHz sine at 0.25 (-12 dBFS) */
static double music(int i, int c)
{
    (void)c;
    return 0.25 * sin(2 * M_PI * 1000.0 * i / RATE);
}

/* a 300 Hz sine at 0.5 (-6 dBFS): the key */
static double voice(int i, int c)
{
    (void)c;
    return 0.5 * sin(2 * M_PI * 300.0 * i / RATE);
}

/* Every stateful kind: clips; an order-2 eq and a Butterworth eq; a
 * transient shaper; a bit crusher holding at a rate that does not divide
 * the session's, its bits moving (and the stateless stereo tools: a width with a moving
 * side, a polarity inverter, an M/S encoder, a channel map); a moving delay (a send's aux); a convolution
 * reverb (a stereo IR, late by its partition); a reverb on an aux fed by a send, its mix moving; a limiter
 * that makes MX late before its compressor
 * keyed from DX (a key delay line: DX is recorded too, so it keeps its
 * own timing instead of running late, vm/compile_graph.c); a realtime
 * duck (FX under DX); a band duck (E under DX, analysed offline); the
 * compensation delays that meet the late paths at PM. */
static const char *script =
    "session { rate = 48000, length = 3 }\n"
    "local pm = bus \"PM\" { channels = 2 }\n"
    "local dx = bus \"DX\" { channels = 2, to = pm }\n"
    "local mx = bus \"MX\" { channels = 2, to = pm }\n"
    "local fx = bus \"FX\" { channels = 2, to = pm }\n"
    "local v = track \"V\" { channels = 2, to = dx }\n"
    "v:clip { \"voice.wav\", at = 0.5 }\n"
    "track \"M\" { channels = 2, to = mx }:clip { \"music.wav\", at = 0 }\n"
    "local f = track \"F\" { channels = 2, to = fx }\n"
    "f:clip { \"noise.wav\", at = 0 }\n"
    "f:eq { \"peak\", freq = 3000, gain = 3, q = 1 }\n"
    "f:eq { \"highpass\", freq = 80, order = 4 }\n"
    "f:transient { attack = 3 }\n"
    "local cr = f:bitcrush { bits = 10, rate = 7350 }\n"
    "cr.bits:ramp { at = 1, to = 6, over = 1 }\n"
    "local w = f:width { width = 1.5 }\n"
    "w.side:ramp { at = 0.5, to = -6, over = 1.5 }\n"
    "f:polarity \"R\"\n"
    "local d = f:delay { time = 0.125, feedback = 40, lowpass = 3000, highpass = 200, mix = 30 }\n"
    "d.time:ramp { at = 1, to = 0.2, over = 0.5 }\n"
    "f:convolve { \"ir.wav\", mix = 50, partition = 256 }\n"
    "local rv = bus \"RV\" { channels = 2, to = pm }\n"
    "f:send(rv, -6)\n"
    "local r = rv:reverb { rt60 = 1.2, size = 9, predelay = 0.01 }\n"
    "r.mix:ramp { at = 0.5, to = 50, over = 1 }\n"
    "local e = track \"E\" { channels = 2, to = pm }\n"
    "e:clip { \"noise.wav\", at = 0.25 }\n"
    "e:ms \"encode\"\n"
    "e:channel_map { 2, 1 }\n"
    "mx:limiter { ceiling = 0 }\n"
    "mx:compressor { threshold = -30, ratio = 4, knee = 0, attack = 0.005, release = 0.05, hold = 0.01, key = dx }\n"
    "duck { fx, under = dx, depth = -9, attack = 0.01, lookahead = 0.05 }\n"
    "duck { e, under = dx, depth = -6, band = { 1000, 4000 } }\n"
    "pm:limiter { ceiling = -1 }\n"
    "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n"
    "output { \"dx.wav\", from = dx, format = \"wav32f\" }\n";

static vm_desc desc;

/* A newly compiled plan of the script (loaded once), reset as a render
 * starts it. */
static plan *fresh_plan(void)
{
    char err[DS_ERR_LEN];
    plan *p = NULL;
    if (vm_compile(&desc, BLOCK, &p, err) != DS_OK) {
        printf("# compile failed: %s\n", err);
        return NULL;
    }
    vm_plan_reset(p);
    return p;
}

/* Runs nblocks blocks of p from session sample pos. */
static void run(plan *p, int64_t pos, int nblocks)
{
    for (int b = 0; b < nblocks; b++)
        sched_run_block(p, pos + (int64_t)b * BLOCK, BLOCK);
}

/* Runs p and q side by side from pos for nblocks blocks; returns the
 * blocks whose output (PM) differs anywhere. */
static int run_compare(plan *p, plan *q, int64_t pos, int nblocks)
{
    int differ = 0;
    const plan_output *a = &p->outputs[0], *b = &q->outputs[0];
    for (int k = 0; k < nblocks; k++) {
        sched_run_block(p, pos + (int64_t)k * BLOCK, BLOCK);
        sched_run_block(q, pos + (int64_t)k * BLOCK, BLOCK);
        for (int c = 0; c < a->channels; c++)
            if (memcmp(a->chans[c], b->chans[c], BLOCK * sizeof(float)) != 0) {
                differ++;
                break;
            }
    }
    return differ;
}

static const plan_op *find_class(const plan *p, const plan_op_class *cls, int nth)
{
    for (int i = 0; i < p->nops; i++)
        if (p->ops[i].cls == cls && nth-- == 0)
            return &p->ops[i];
    return NULL;
}

static void test_table(const plan *p)
{
    int bad = 0;
    for (int i = 0; i < p->nops; i++) {
        const plan_op *op = &p->ops[i];
        if (!op->cls || !op->cls->run || !op->cls->name || !op->args ||
            (op->key != NULL) != (op->cls->copy_state != NULL) ||
            (op->readout != NULL) != (op->cls->meter_db != NULL)) {
            printf("# op %d '%s': class %s, key %s, readout %s\n", i, op->label, op->cls ? op->cls->name : "none",
                   op->key ? op->key : "none", op->readout ? op->readout : "none");
            bad++;
        }
    }
    check(bad == 0, "every op has a class; a key iff it copies state, a readout iff it has a meter",
          "%d ops wrong", bad);
    static const plan_op_class *const stateful[] = {&op_clips_class, &op_eq_class, &op_dyn_class,
                                                    &op_limiter_class, &op_transient_class, &op_reverb_class,
                                                    &op_duck_class, &op_bandduck_class, &op_delay_class,
                                                    &op_delay_insert_class, &op_convolve_class, &op_bitcrush_class};
    char missing[200] = "";
    for (size_t k = 0; k < sizeof stateful / sizeof stateful[0]; k++)
        if (!find_class(p, stateful[k], 0))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", stateful[k]->name);
    check(!missing[0], "the test plan has an op of every stateful class", "missing:%s", missing);
    static const plan_op_class *const stateless[] = {&op_width_class, &op_ms_class, &op_chmap_class};
    missing[0] = 0;
    for (size_t k = 0; k < sizeof stateless / sizeof stateless[0]; k++)
        if (!find_class(p, stateless[k], 0))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", stateless[k]->name);
    check(!missing[0], "... and of the stereo tools' classes (width, ms, chmap)", "missing:%s", missing);
    int butter = 0, multi = 0, keyring = 0;
    for (int k = 0; find_class(p, &op_eq_class, k); k++) {
        const op_eq_args *a = find_class(p, &op_eq_class, k)->args;
        butter |= a->butter != NULL, multi |= a->multi != NULL;
    }
    for (int k = 0; find_class(p, &op_dyn_class, k); k++)
        keyring |= ((const op_dyn_args *)find_class(p, &op_dyn_class, k)->args)->key_delay > 0;
    check(butter && multi && keyring, "... with an order-2 eq, a Butterworth eq and a delayed key",
          "butter %d multi %d key ring %d", butter, multi, keyring);
}

static void test_reset(void)
{
    plan *p = fresh_plan(), *q = fresh_plan();
    if (!check(p && q, "two plans compile", "failed"))
        goto done;
    run(p, 0, 300); /* 1.6 s: every insert has state by now */
    vm_plan_reset(p);
    int differ = run_compare(p, q, 0, 400);
    check(differ == 0, "vm_plan_reset: a plan that ran renders from 0 the same bytes as a fresh one (400 blocks)",
          "%d blocks differ", differ);
done:
    vm_plan_free(&p);
    vm_plan_free(&q);
}

static void test_copy_state(void)
{
    plan *p = fresh_plan(), *q = fresh_plan(), *r = fresh_plan();
    if (!check(p && q && r, "three plans compile", "failed"))
        goto done;
    const int64_t at = 200 * BLOCK; /* 1.07 s: the voice plays, everything is busy */
    run(p, 0, 200);
    int keyed = 0;
    for (int i = 0; i < q->nops; i++)
        keyed += q->ops[i].key != NULL;
    int pairs = plan_copy_states(q, p);
    check(pairs == keyed && pairs > 0, "every op with state finds its partner by class and key",
          "%d pairs of %d keyed ops", pairs, keyed);
    int differ = run_compare(p, q, at, 200);
    check(differ == 0, "copy_state: a fresh plan given the running one's state continues it bit for bit (200 blocks)",
          "%d blocks differ", differ);
    int control = run_compare(p, r, at + 200 * BLOCK, 20);
    check(control > 0, "... where a fresh plan started there without the state differs",
          "no block differs: the comparison cannot fail");
done:
    vm_plan_free(&p);
    vm_plan_free(&q);
    vm_plan_free(&r);
}

static void test_meters(void)
{
    plan *p = fresh_plan();
    if (!check(p != NULL, "a plan compiles", "failed"))
        return;
    run(p, 0, 280); /* to 1.49 s: the key has played for ~1 s */
    const plan_op *dyn = find_class(p, &op_dyn_class, 0), *duck = find_class(p, &op_duck_class, 0);
    const plan_op *lim = find_class(p, &op_limiter_class, 0);
    check(dyn && strcmp(dyn->readout, "dyn bus 'MX' compressor") == 0, "the compressor's readout name",
          "got '%s'", dyn ? dyn->readout : "(none)");
    check(duck && strcmp(duck->readout, "duck bus 'FX' under 'DX'") == 0, "the duck's readout name", "got '%s'",
          duck ? duck->readout : "(none)");
    check(lim && strcmp(lim->readout, "limit bus 'MX'") == 0, "the first limiter's readout name", "got '%s'",
          lim ? lim->readout : "(none)");
    /* the key (DX: the voice, -6 dBFS peak; the hold keeps the peak over
     * its cycle) over the threshold: (1/4 - 1)(-6 - (-30)) = -18 dB */
    if (dyn)
        check_near(dyn->cls->meter_db(dyn->args), -18.0, 0.1, "compressor meter_db: the static curve's -18 dB");
    if (duck)
        check_near(duck->cls->meter_db(duck->args), -9.0, 0.01, "duck meter_db: the depth, -9 dB, while DX plays");
    if (lim)
        check_near(lim->cls->meter_db(lim->args), 0.0, 1e-9, "limiter meter_db: 0 dB on a -12 dBFS sine, ceiling 0");
    vm_plan_free(&p);
}

static void test_memory(const plan *p)
{
    int bad = 0;
    for (int i = 0; i < p->nops; i++) {
        const plan_op_class *c = p->ops[i].cls;
        int stateful = c->reset != NULL && c != &op_clips_class && c != &op_saturate_class &&
                       c != &op_mix_surround_class;
        if (stateful != (c->memory != NULL)) {
            printf("# op %d '%s': class %s %s a memory\n", i, p->ops[i].label, c->name, c->memory ? "has" : "lacks");
            bad++;
        }
    }
    check(bad == 0, "memory: every stateful class but the clip player states one, no other class does", "%d wrong", bad);

    const double ln1000 = log(1000.0);
    dsp_biquad_coefs one_pole = {.b0 = 0.1, .a1 = -0.9};
    check_near(dsp_memory_biquad(&one_pole), ln1000 / -log(0.9), 1e-9, "memory: a pole at 0.9, ln 1000 / -ln 0.9");
    double r = 0.999, th = 0.3;
    dsp_biquad_coefs ring = {.b0 = 1, .a1 = -2 * r * cos(th), .a2 = r * r};
    check_near(dsp_memory_biquad(&ring), ln1000 / -log(r), 1e-6, "memory: a resonator of radius 0.999");
    dsp_biquad_coefs real2 = {.b0 = 1, .a1 = -(0.5 + 0.99), .a2 = 0.5 * 0.99};
    check_near(dsp_memory_biquad(&real2), ln1000 / -log(0.99), 1e-6, "memory: two real poles, the slower (0.99)");

    const plan_op *rv = find_class(p, &op_reverb_class, 0), *cv = find_class(p, &op_convolve_class, 0);
    const plan_op *dl = find_class(p, &op_delay_insert_class, 0), *dy = find_class(p, &op_dyn_class, 0);
    if (rv) {
        double m = rv->cls->memory(rv->args, 0) / RATE;
        check(m >= 1.2 + 0.01 && m < 1.2 + 0.01 + 0.06, "memory: the reverb's rt60 1.2 s + pre-delay 10 ms + diffusers",
              "%.4f s", m);
    }
    if (cv)
        check_near(cv->cls->memory(cv->args, 0), RATE / 10 + 256, 0, "memory: the convolver's IR (4800) + partition (256)");
    if (dl) {
        double before = (0.125 * RATE + 2) * (1 + ln1000 / -log(0.4)), after = (0.2 * RATE + 2) * (1 + ln1000 / -log(0.4));
        check_near(dl->cls->memory(dl->args, 0), before, 1e-6, "memory: the delay's echoes at 125 ms, 40 percent feedback");
        check_near(dl->cls->memory(dl->args, 2 * RATE), after, 1e-6, "memory: ... and at 200 ms, once its time moved");
    }
    if (dy) {
        double m = dy->cls->memory(dy->args, 0) / RATE, floor = 0.01 + ln1000 * 0.05;
        check(m >= floor && m < floor + 0.02, "memory: the compressor's hold 10 ms + its 50 ms release falling 60 dB",
              "%.4f s, expected %.4f s + the key's delay and filters", m, floor);
    }
}

int main(void)
{
    if (scratch_open("opclass") != 0)
        return 2;
    write_wav("voice.wav", RATE, 2, RATE * 2, voice);
    write_wav("music.wav", RATE, 2, RATE * 3, music);
    write_wav("noise.wav", RATE, 2, RATE * 3, noise);
    write_wav("ir.wav", RATE, 2, RATE / 10, noise);
    char path[512], err[DS_ERR_LEN];
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    if (vm_script_load(path, &so, &desc, err) != DS_OK || vm_duck_analyse(&desc, BLOCK, err) != DS_OK) {
        check(0, "the test script loads", "%s", err);
        scratch_close();
        return check_exit();
    }
    plan *p = fresh_plan();
    if (check(p != NULL, "the test script compiles", "see above"))
        test_table(p);
    if (p)
        test_memory(p);
    vm_plan_free(&p);
    test_reset();
    test_copy_state();
    test_meters();
    vm_desc_free(&desc);
    scratch_close();
    return check_exit();
}
