/* test_ducker.c - dsp/ducker's gain against the closed form that
 * dsp/ducker.h states, for keys that are steps (silence, then a steady
 * line, then silence) aligned to the 10 ms windows:
 *   - a line on [S, E) gives, at target time t, the piecewise-linear gain in
 *     dB: 0 before S - P; depth (t - (S - P)) / attack over the attack;
 *     depth until E + H; then depth (1 - (t - (E + H)) / release) back to
 *     0, with P = min(preroll, L - W) and H = max(hold, bridge - (L - W)).
 *     The gain output (linear) is compared in dB within 2e-6 dB (the
 *     10^(dB/20) polynomial is good to 1e-8 relative, float rounding to
 *     6e-8: 5e-7 dB);
 *   - two lines closer than `bridge` make one dip (no release between);
 *   - a line shorter than the attack releases from where the gain got to;
 *   - the audio: each output sample is the input L samples earlier times
 *     that sample's gain, bit for bit;
 *   - the gain does not depend on the block size (1, 64, 4096 samples);
 *   - a key chattering every 10 ms for 7 s under a 10 s look-ahead (the
 *     most a script may ask: about 700 moves pending at once, where a fixed
 *     queue of 256 used to drop the rest): every move still happens, as the
 *     closed form says. */
#include "dsp/ducker.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

#define FS 48000.0
#define W 480 /* 10 ms */
#define TOTAL 672000 /* 14 s */
#define DB_TOL 2e-6

typedef struct {
    int64_t on, off;
} line;

/* The key: 0.1 (-20 dBFS mean square, over the -30 dB threshold) inside
 * the lines, 0 outside. */
static void make_key(float *key, const line *lines, int nl)
{
    memset(key, 0, TOTAL * sizeof *key);
    for (int k = 0; k < nl; k++)
        for (int64_t i = lines[k].on; i < lines[k].off; i++)
            key[i] = (i & 1) ? 0.1f : -0.1f;
}

/* The closed form: moves, each from the gain where it starts (ducker.h). */
typedef struct {
    int64_t at, len;
    double to;
} move;

static double closed_form(const move *mv, int nm, int64_t t)
{
    double g = 0.0, from = 0.0, to = 0.0;
    int64_t at = INT64_MIN, len = 0;
    for (int k = 0; k < nm && mv[k].at <= t; k++) {
        /* the value where this move starts */
        double start = at == INT64_MIN ? 0.0
                       : mv[k].at >= at + len ? to
                                              : from + (to - from) * (double)(mv[k].at - at) / (double)len;
        from = start, to = mv[k].to, at = mv[k].at, len = mv[k].len;
    }
    if (at == INT64_MIN)
        return 0.0;
    g = t >= at + len ? to : from + (to - from) * (double)(t - at) / (double)len;
    return g;
}

/* Runs the ducker over the key in blocks of `block`; gain[t] for target
 * time t (t = key time - L), audio through io. Returns L. */
static int run(const dsp_ducker_params *p, const float *key, float *gain_t, float *audio_in, float *audio_out,
               int block)
{
    dsp_ducker d;
    void *mem = calloc(1, dsp_ducker_heap_size(1, FS, p));
    dsp_ducker_init(&d, mem, 1, FS, p);
    int L = d.L;
    float *g = malloc(TOTAL * sizeof *g);
    memcpy(audio_out, audio_in, TOTAL * sizeof *audio_out);
    for (int at = 0; at < TOTAL; at += block) {
        int n = TOTAL - at < block ? TOTAL - at : block;
        const float *k = key + at;
        float *io = audio_out + at;
        dsp_ducker_process(&d, &k, 1, &io, at, n, g + at);
    }
    for (int t = 0; t + L < TOTAL; t++)
        gain_t[t] = g[t + L];
    free(g);
    free(mem);
    return L;
}

static double worst_db(const float *gain_t, int L, const move *mv, int nm)
{
    double worst = 0;
    for (int t = 0; t + L < TOTAL; t++) {
        double want = closed_form(mv, nm, t), got = 20 * log10(gain_t[t]);
        worst = fmax(worst, fabs(got - want));
    }
    return worst;
}

static const dsp_ducker_params params = {
    .depth_db = -12, .threshold_db = -30, .attack_s = 0.05, .release_s = 0.3, .hold_s = 0.02,
    .preroll_s = 0.01, .bridge_s = 0.1, .lookahead_s = 0.03,
};

int main(void)
{
    float *key = malloc(TOTAL * sizeof *key), *gain = malloc(TOTAL * sizeof *gain);
    float *in = malloc(TOTAL * sizeof *in), *out = malloc(TOTAL * sizeof *out);
    for (int i = 0; i < TOTAL; i++)
        in[i] = (float)sin(i * 0.01) * 0.5f;
    const dsp_ducker_params *p = &params;
    int64_t att = llround(p->attack_s * FS), rel = llround(p->release_s * FS);
    int64_t L = dsp_ducker_latency(FS, p);
    int64_t P = fmin(llround(p->preroll_s * FS), L - W), H = fmax(llround(p->hold_s * FS),
                                                                  llround(p->bridge_s * FS) - (L - W));

    /* one line */
    line one = {20 * W, 60 * W};
    make_key(key, &one, 1);
    int lat = run(p, key, gain, in, out, 64);
    move m1[] = {{one.on - P, att, p->depth_db}, {one.off + H, rel, 0.0}};
    double w = worst_db(gain, lat, m1, 2);
    check(lat == L && w <= DB_TOL, "one line: attack, dip, hold, release as the closed form",
          "L %d, worst %.3g dB (tolerance %g)", lat, w, DB_TOL);
    check_near(20 * log10(gain[one.on - P + att + 100]), p->depth_db, DB_TOL, "one line: the dip reaches depth");
    check(gain[one.on - P - 1] == 1.0f && gain[one.off + H + rel + 1] == 1.0f,
          "one line: exactly unity before the preroll and after the release", "before %.9g, after %.9g",
          gain[one.on - P - 1], gain[one.off + H + rel + 1]);

    /* the audio: input L samples earlier times the gain */
    int bad = 0;
    for (int t = 0; t + L < TOTAL; t++)
        bad += out[t + L] != in[t] * gain[t];
    check(bad == 0, "audio = input delayed by L times the gain, bit for bit", "%d samples differ", bad);

    /* block sizes */
    float *g2 = malloc(TOTAL * sizeof *g2), *o2 = malloc(TOTAL * sizeof *o2);
    int same = 1;
    for (int b = 0; b < 2; b++) {
        run(p, key, g2, in, o2, b ? 4096 : 1);
        same &= memcmp(g2, gain, (TOTAL - L) * sizeof *g2) == 0 && memcmp(o2, out, TOTAL * sizeof *o2) == 0;
    }
    check(same, "blocks of 1, 64 and 4096 samples: the same bits", "differ");

    /* two lines 50 ms apart (bridge 100 ms): one dip */
    line two[] = {{20 * W, 40 * W}, {45 * W, 70 * W}};
    make_key(key, two, 2);
    run(p, key, gain, in, out, 64);
    move m2[] = {{two[0].on - P, att, p->depth_db}, {two[1].off + H, rel, 0.0}};
    w = worst_db(gain, lat, m2, 2);
    check(w <= DB_TOL, "two lines under the bridge: one dip", "worst %.3g dB (tolerance %g)", w, DB_TOL);

    /* a 20 ms line, shorter than the 50 ms attack plus preroll: released
     * from part-way down */
    dsp_ducker_params q = *p;
    q.hold_s = 0, q.bridge_s = 0.02, q.preroll_s = 0;
    int64_t Hq = fmax(0, llround(q.bridge_s * FS) - (L - W));
    line shortl = {30 * W, 32 * W};
    make_key(key, &shortl, 1);
    run(&q, key, gain, in, out, 64);
    move m3[] = {{shortl.on, att, q.depth_db}, {shortl.off + Hq, rel, 0.0}};
    w = worst_db(gain, lat, m3, 2);
    double deepest = 0;
    for (int t = 0; t + L < TOTAL; t++)
        deepest = fmin(deepest, 20 * log10(gain[t]));
    check(w <= DB_TOL && deepest > q.depth_db + 1, "short line: release starts from part-way down",
          "worst %.3g dB (tolerance %g), deepest %.3f dB", w, DB_TOL, deepest);

    /* chatter: lines of 10 ms every 20 ms for 7 s, seen 10 s ahead;
     * preroll 12.3 ms so no down move falls on the same sample as a
     * release */
    dsp_ducker_params c = *p;
    c.hold_s = 0, c.bridge_s = 0, c.preroll_s = 0.0123, c.lookahead_s = 10, c.attack_s = 0.004,
    c.release_s = 0.004;
    int64_t Lc = dsp_ducker_latency(FS, &c);
    int64_t Pc = fmin(llround(c.preroll_s * FS), Lc - W), Hc = 0; /* max(hold, bridge - (L - W)) */
    int nl = 350;
    line *lines = malloc((size_t)nl * sizeof *lines);
    move *mc = malloc(2 * (size_t)nl * sizeof *mc);
    for (int k = 0; k < nl; k++)
        lines[k] = (line){(int64_t)(2 * k + 1) * W, (int64_t)(2 * k + 2) * W};
    make_key(key, lines, nl);
    lat = run(&c, key, gain, in, out, 64);
    /* the moves in time order: downs at on - P, releases at off + H */
    int nm = 0, a = 0, r = 0;
    int64_t att_c = llround(c.attack_s * FS), rel_c = llround(c.release_s * FS);
    while (a < nl || r < nl) {
        int64_t ta = a < nl ? lines[a].on - Pc : INT64_MAX, tr = r < nl ? lines[r].off + Hc : INT64_MAX;
        if (ta < tr)
            mc[nm++] = (move){ta, att_c, c.depth_db}, a++;
        else
            mc[nm++] = (move){tr, rel_c, 0.0}, r++;
    }
    w = worst_db(gain, lat, mc, nm);
    check(lat == Lc && w <= DB_TOL, "chattering key, 10 s look-ahead: every move as the closed form",
          "worst %.3g dB (tolerance %g)", w, DB_TOL);
    free(lines), free(mc);

    free(key), free(gain), free(in), free(out), free(g2), free(o2);
    return check_exit();
}
