/* test_surround_pan.c - dsp/surround_pan against the law written in
 * dsp/surround_pan.h and docs/surround.md:
 *   - 5.1 against the law written out by hand for that layout with libm's
 *     cos and sin in long double (not the code under test: no rows, no
 *     sorting), over a 41 x 41 grid, within 1e-8;
 *   - constant total power: sum of squares of the full-range gains = 1
 *     within 0.01 dB (the brief's figure; the law gives 1e-8) at 100
 *     positions, for 5.1, 5.0, 7.1 and LCR, at several spreads and centre
 *     settings, mono and each side of a stereo source;
 *   - a source at each speaker's place: gain exactly 1 there and exactly 0
 *     in every other channel;
 *   - spread: g^2 = (1 - s) p^2 + s w / W against the point gains p, within
 *     1e-12; s = 1 the same power in every speaker in use;
 *   - centre: off gives the phantom centre (L = R = cos(pi / 4), C = 0),
 *     c blends the powers;
 *   - LFE: 10^(dB / 20) within 1e-9 relative, 0 at -inf, outside the sum;
 *   - stereo: width 1 at front centre is L -> L, R -> R; width 0 is the
 *     mono law at x for both sides;
 *   - init refuses bad arrangements;
 *   - dsp_surround_pan_remembered with one memo over a walk of settings
 *     (x moving past the clamps, the other values changing now and then,
 *     a NaN, -0 and +0) gives the bits of the stateless mono and stereo
 *     functions at every step, and copies from the memo (a held channel)
 *     at least once;
 *   - dsp_surround_pan_remembered2 over pairs of settings from such a walk
 *     (the second the same, x moved, or y moved too) gives the stateless
 *     law's bits for both and leaves the memo's channels as two
 *     remembered() calls leave them. */
#include "dsp/surround_pan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/surround_law.h"

/* The layouts' places, docs/surround.md */
enum { L51_L, L51_R, L51_C, L51_LFE, L51_LS, L51_RS };
static const dsp_speaker s51[] = {
    {DSP_SPEAKER_FULL, -1, 1}, {DSP_SPEAKER_FULL, 1, 1},   {DSP_SPEAKER_CENTRE, 0, 1},
    {DSP_SPEAKER_LFE, 0, 0},   {DSP_SPEAKER_FULL, -1, -1}, {DSP_SPEAKER_FULL, 1, -1},
};
static const dsp_speaker s50[] = {
    {DSP_SPEAKER_FULL, -1, 1}, {DSP_SPEAKER_FULL, 1, 1}, {DSP_SPEAKER_CENTRE, 0, 1},
    {DSP_SPEAKER_FULL, -1, -1}, {DSP_SPEAKER_FULL, 1, -1},
};
static const dsp_speaker s71[] = {
    {DSP_SPEAKER_FULL, -1, 1},  {DSP_SPEAKER_FULL, 1, 1}, {DSP_SPEAKER_CENTRE, 0, 1},
    {DSP_SPEAKER_LFE, 0, 0},    {DSP_SPEAKER_FULL, -1, 0}, {DSP_SPEAKER_FULL, 1, 0},
    {DSP_SPEAKER_FULL, -1, -1}, {DSP_SPEAKER_FULL, 1, -1},
};
static const dsp_speaker slcr[] = {
    {DSP_SPEAKER_FULL, -1, 1}, {DSP_SPEAKER_FULL, 1, 1}, {DSP_SPEAKER_CENTRE, 0, 1},
};

static const struct {
    const char *name;
    const dsp_speaker *spk;
    int n;
} layouts[] = {
    {"5.1", s51, 6}, {"5.0", s50, 5}, {"7.1", s71, 8}, {"LCR", slcr, 3},
};

static dsp_surround_pan_setting at(double x, double y)
{
    dsp_surround_pan_setting s = {.x = x, .y = y, .spread = 0, .centre = 1, .lfe_db = -HUGE_VAL, .width = 1};
    return s;
}

static void test_reference_51(void)
{
    dsp_surround_pan p;
    dsp_surround_pan_init(&p, s51, 6);
    double worst = 0;
    for (int i = 0; i <= 40; i++)
        for (int j = 0; j <= 40; j++) {
            double x = -1 + i / 20.0, y = -1 + j / 20.0, g[6];
            long double want[6];
            dsp_surround_pan_setting set = at(x, y);
            dsp_surround_pan_mono(&p, &set, g);
            surround_law_51(x, y, want);
            for (int k = 0; k < 6; k++)
                worst = fmax(worst, (double)fabsl(g[k] - want[k]));
        }
    check(worst <= 1e-8, "5.1 gains = the law written out for L C R / Ls Rs (41 x 41 positions)",
          "worst error %g (tolerance 1e-8)", worst);
}

static double power_db(const dsp_surround_pan *p, const double *g)
{
    double sum = 0;
    for (int k = 0; k < p->nch; k++)
        if (k != p->lfe)
            sum += g[k] * g[k];
    return 10 * log10(sum);
}

static void test_constant_power(void)
{
    static const double spreads[] = {0, 0.3, 1}, centres[] = {1, 0.4, 0};
    for (size_t li = 0; li < sizeof layouts / sizeof layouts[0]; li++) {
        dsp_surround_pan p;
        dsp_surround_pan_init(&p, layouts[li].spk, layouts[li].n);
        double worst = 0;
        for (int k = 0; k < 100; k++) {
            /* 100 positions: a 10 x 10 grid, off the speakers' places */
            double x = -0.97 + 1.94 * (k % 10) / 9.0 + 0.003 * k / 100, y = -0.95 + 1.9 * (k / 10) / 9.0;
            for (int si = 0; si < 3; si++)
                for (int ci = 0; ci < 3; ci++) {
                    dsp_surround_pan_setting set = at(x, y);
                    set.spread = spreads[si], set.centre = centres[ci], set.lfe_db = -6;
                    set.width = 0.2 + 0.8 * k / 99.0;
                    double g[DSP_SURROUND_PAN_MAX_SPEAKERS], gl[DSP_SURROUND_PAN_MAX_SPEAKERS],
                        gr[DSP_SURROUND_PAN_MAX_SPEAKERS];
                    dsp_surround_pan_mono(&p, &set, g);
                    dsp_surround_pan_stereo(&p, &set, gl, gr);
                    worst = fmax(worst, fabs(power_db(&p, g)));
                    worst = fmax(worst, fabs(power_db(&p, gl)));
                    worst = fmax(worst, fabs(power_db(&p, gr)));
                }
        }
        char name[128];
        snprintf(name, sizeof name, "%s: total power 0 dB within 0.01 dB at 100 positions x 9 spread/centre",
                 layouts[li].name);
        check(worst <= 0.01, name, "worst %g dB", worst);
        printf("# %s: worst total power %.3g dB\n", layouts[li].name, worst);
    }
}

static void test_at_speakers(void)
{
    for (size_t li = 0; li < sizeof layouts / sizeof layouts[0]; li++) {
        dsp_surround_pan p;
        dsp_surround_pan_init(&p, layouts[li].spk, layouts[li].n);
        int bad = 0;
        for (int k = 0; k < layouts[li].n; k++) {
            if (layouts[li].spk[k].kind == DSP_SPEAKER_LFE)
                continue;
            double g[DSP_SURROUND_PAN_MAX_SPEAKERS];
            dsp_surround_pan_setting set = at(layouts[li].spk[k].x, layouts[li].spk[k].y);
            dsp_surround_pan_mono(&p, &set, g);
            for (int j = 0; j < layouts[li].n; j++)
                if (g[j] != (j == k ? 1.0 : 0.0)) {
                    printf("# %s speaker %d: channel %d has %.17g\n", layouts[li].name, k, j, g[j]);
                    bad++;
                }
        }
        char name[128];
        snprintf(name, sizeof name, "%s: a source at each speaker's place is exactly 1 there, exactly 0 elsewhere",
                 layouts[li].name);
        check(bad == 0, name, "%d gains off", bad);
    }
}

static void test_spread(void)
{
    dsp_surround_pan p;
    double worst = 0;
    int bad_even = 0;
    for (size_t li = 0; li < sizeof layouts / sizeof layouts[0]; li++) {
        dsp_surround_pan_init(&p, layouts[li].spk, layouts[li].n);
        for (int k = 0; k < 50; k++) {
            double x = -1 + 2 * k / 49.0, y = 1 - 2 * ((k * 7) % 50) / 49.0, c = (k % 5) / 4.0;
            double pt[DSP_SURROUND_PAN_MAX_SPEAKERS], g[DSP_SURROUND_PAN_MAX_SPEAKERS];
            dsp_surround_pan_setting set = at(x, y);
            set.centre = c;
            dsp_surround_pan_mono(&p, &set, pt);
            double sum_w = 0;
            for (int j = 0; j < p.nch; j++)
                if (j != p.lfe)
                    sum_w += j == p.centre ? c : 1;
            for (int si = 1; si <= 4; si++) {
                set.spread = si / 4.0;
                dsp_surround_pan_mono(&p, &set, g);
                for (int j = 0; j < p.nch; j++) {
                    if (j == p.lfe)
                        continue;
                    double w = j == p.centre ? c : 1;
                    double want = (1 - set.spread) * pt[j] * pt[j] + set.spread * w / sum_w;
                    worst = fmax(worst, fabs(g[j] * g[j] - want));
                    if (si == 4 && fabs(g[j] * g[j] - w / sum_w) > 1e-15)
                        bad_even++;
                }
            }
        }
    }
    check(worst <= 1e-12, "spread: g^2 = (1 - s) p^2 + s w / W (4 layouts, 50 positions, s = 0.25 .. 1)",
          "worst error %g", worst);
    check(bad_even == 0, "spread 1: the same power in every speaker in use (the centre's weighted by c)",
          "%d gains off", bad_even);

    /* written out: 5.1 at spread 1, centre on: 1/5 of the power each; centre off: 1/4, C silent */
    dsp_surround_pan_init(&p, s51, 6);
    dsp_surround_pan_setting set = at(-0.3, 0.2);
    double g[6];
    set.spread = 1;
    dsp_surround_pan_mono(&p, &set, g);
    check_near(g[L51_LS], sqrt(0.2), 1e-15, "5.1 spread 1, centre on: each speaker sqrt(1/5)");
    check_near(g[L51_C], sqrt(0.2), 1e-15, "5.1 spread 1, centre on: centre sqrt(1/5)");
    set.centre = 0;
    dsp_surround_pan_mono(&p, &set, g);
    check_near(g[L51_R], 0.5, 1e-15, "5.1 spread 1, centre off: each of L R Ls Rs 1/2");
    check(g[L51_C] == 0, "5.1 spread 1, centre off: centre exactly 0", "got %g", g[L51_C]);
    /* spread 0.5 of a source on the left speaker: L^2 = 0.5 + 0.5/5 */
    set = at(-1, 1);
    set.spread = 0.5;
    dsp_surround_pan_mono(&p, &set, g);
    check_near(g[L51_L], sqrt(0.6), 1e-15, "5.1 spread 0.5 at L: L = sqrt(0.5 + 0.5 / 5)");
    check_near(g[L51_RS], sqrt(0.1), 1e-15, "5.1 spread 0.5 at L: Rs = sqrt(0.5 / 5)");
}

static void test_centre(void)
{
    dsp_surround_pan p;
    dsp_surround_pan_init(&p, s51, 6);
    double g[6];
    dsp_surround_pan_setting set = at(0, 1);
    set.centre = 0;
    dsp_surround_pan_mono(&p, &set, g);
    check_near(g[L51_L], cos(M_PI / 4), 1e-9, "centre off, front centre: L = cos(pi / 4) (phantom centre)");
    check_near(g[L51_R], sin(M_PI / 4), 1e-9, "centre off, front centre: R = sin(pi / 4)");
    check(g[L51_C] == 0, "centre off: C exactly 0", "got %g", g[L51_C]);
    /* centre off, the front row is the stereo pan law: L = cos((x + 1) pi / 4) */
    double worst = 0;
    for (int k = 0; k <= 100; k++) {
        set.x = -1 + k / 50.0;
        dsp_surround_pan_mono(&p, &set, g);
        worst = fmax(worst, fabs(g[L51_L] - cos((set.x + 1) * M_PI / 4)));
        worst = fmax(worst, fabs(g[L51_R] - sin((set.x + 1) * M_PI / 4)));
    }
    check(worst <= 1e-9, "centre off, front row: L = cos((x + 1) pi / 4), R = sin(...) (dubstage's stereo pan)",
          "worst %g", worst);
    set = at(0, 1);
    set.centre = 0.5;
    dsp_surround_pan_mono(&p, &set, g);
    check_near(g[L51_C] * g[L51_C], 0.5, 1e-12, "centre 0.5 at front centre: C^2 = 0.5");
    check_near(g[L51_L] * g[L51_L], 0.25, 1e-9, "centre 0.5 at front centre: L^2 = 0.25");
    /* the rear row has no centre: centre off leaves it alone */
    set = at(0.3, -1);
    double on[6];
    dsp_surround_pan_mono(&p, &set, on);
    set.centre = 0;
    dsp_surround_pan_mono(&p, &set, g);
    check(memcmp(on, g, sizeof g) == 0, "centre off does not change a source in the rear row", "differs");
}

static void test_lfe(void)
{
    dsp_surround_pan p;
    dsp_surround_pan_init(&p, s51, 6);
    double g[6];
    dsp_surround_pan_setting set = at(0.2, 0.5);
    dsp_surround_pan_mono(&p, &set, g);
    check(g[L51_LFE] == 0, "LFE -inf: exactly 0", "got %g", g[L51_LFE]);
    double before = power_db(&p, g);
    set.lfe_db = -10;
    dsp_surround_pan_mono(&p, &set, g);
    check(fabs(g[L51_LFE] / pow(10, -0.5) - 1) <= 1e-9, "LFE -10 dB: 10^(-10 / 20)", "got %.12g", g[L51_LFE]);
    check(power_db(&p, g) == before, "the LFE send leaves the full-range gains as they were", "changed");
    set.lfe_db = -144;
    dsp_surround_pan_mono(&p, &set, g);
    check(g[L51_LFE] == 0, "LFE -144 dB: exactly 0 (the project's silence)", "got %g", g[L51_LFE]);
    set.lfe_db = 0;
    dsp_surround_pan_mono(&p, &set, g);
    check(fabs(g[L51_LFE] - 1) <= 1e-12, "LFE 0 dB: unity", "got %.17g", g[L51_LFE]);
}

static void test_stereo(void)
{
    dsp_surround_pan p;
    dsp_surround_pan_init(&p, s51, 6);
    double l[6], r[6], m[6];
    dsp_surround_pan_setting set = at(0, 1);
    dsp_surround_pan_stereo(&p, &set, l, r);
    check(l[L51_L] == 1 && l[L51_R] == 0 && l[L51_C] == 0 && r[L51_R] == 1 && r[L51_L] == 0 && r[L51_C] == 0,
          "stereo, width 1, front centre: left -> L only, right -> R only", "L %g %g R %g %g", l[L51_L], l[L51_R],
          r[L51_L], r[L51_R]);
    set = at(0.4, -0.2);
    set.width = 0;
    dsp_surround_pan_stereo(&p, &set, l, r);
    dsp_surround_pan_mono(&p, &set, m);
    check(memcmp(l, m, sizeof m) == 0 && memcmp(r, m, sizeof m) == 0, "stereo, width 0: both sides = mono at x",
          "differ");
    set = at(0.5, 1);
    set.width = 0.25;
    double ml[6], mr[6];
    dsp_surround_pan_stereo(&p, &set, l, r);
    set.x = 0.25;
    dsp_surround_pan_mono(&p, &set, ml);
    set.x = 0.75;
    dsp_surround_pan_mono(&p, &set, mr);
    check(memcmp(l, ml, sizeof m) == 0 && memcmp(r, mr, sizeof m) == 0,
          "stereo, width 0.25 at x 0.5: left = mono at 0.25, right = mono at 0.75", "differ");
    set = at(0.8, 1);
    set.width = 1;
    dsp_surround_pan_stereo(&p, &set, l, r);
    check(r[L51_R] == 1, "stereo: a side past the edge is clamped to it (x + width = 1.8 -> R)", "R %g", r[L51_R]);
}

static void test_init(void)
{
    dsp_surround_pan p;
    memset(&p, 0x5a, sizeof p);
    dsp_surround_pan before = p;
    dsp_speaker twice[] = {{DSP_SPEAKER_FULL, -1, 1}, {DSP_SPEAKER_FULL, -1, 1}};
    dsp_speaker two_lfe[] = {{DSP_SPEAKER_FULL, 0, 1}, {DSP_SPEAKER_LFE, 0, 0}, {DSP_SPEAKER_LFE, 0, 0}};
    dsp_speaker only_lfe[] = {{DSP_SPEAKER_LFE, 0, 0}};
    dsp_speaker outside[] = {{DSP_SPEAKER_FULL, -1.5, 1}};
    dsp_speaker two_c[] = {{DSP_SPEAKER_CENTRE, 0, 1}, {DSP_SPEAKER_CENTRE, 0, -1}};
    int bad = 0;
    bad += dsp_surround_pan_init(&p, twice, 2) != -1;
    bad += dsp_surround_pan_init(&p, two_lfe, 3) != -1;
    bad += dsp_surround_pan_init(&p, only_lfe, 1) != -1;
    bad += dsp_surround_pan_init(&p, outside, 1) != -1;
    bad += dsp_surround_pan_init(&p, two_c, 2) != -1;
    bad += dsp_surround_pan_init(&p, s51, 0) != -1;
    bad += dsp_surround_pan_init(&p, s51, DSP_SURROUND_PAN_MAX_SPEAKERS + 1) != -1;
    check(bad == 0 && memcmp(&p, &before, sizeof p) == 0,
          "init refuses two speakers at one place, two LFEs or centres, no full-range speaker, a place "
          "outside the square, a bad count; and leaves the state untouched",
          "%d accepted", bad);
    /* a single centre (mono) takes everything, whatever the centre setting */
    dsp_speaker mono[] = {{DSP_SPEAKER_CENTRE, 0, 1}};
    double g[1];
    dsp_surround_pan_init(&p, mono, 1);
    dsp_surround_pan_setting set = at(0.7, -0.3);
    set.centre = 0;
    dsp_surround_pan_mono(&p, &set, g);
    check(g[0] == 1, "a centre alone in its row ignores the centre setting", "got %g", g[0]);
}

/* Step `step` of a walk of settings (r: a fresh random word): x from -2 to
 * 2 every 400 steps (past both clamps), the other values changing now and
 * then, a NaN x at step 1000, -0 and +0 at 2000 and 2001. */
static void walk_step(dsp_surround_pan_setting *set, int step, unsigned r)
{
    set->x = -2 + 4 * (step % 400) / 400.0;
    if (step % 97 == 0)
        set->y = (double)((r >> 8) % 2001) / 1000 - 1;
    if (step % 131 == 0)
        set->spread = (r >> 4) % 3 == 0 ? 0.25 : 0;
    if (step % 173 == 0)
        set->centre = (r >> 6) % 2 ? 0.5 : 1;
    if (step % 211 == 0)
        set->lfe_db = (r >> 3) % 2 ? -6 : -HUGE_VAL;
    if (step % 389 == 0)
        set->width = (r >> 5) % 2 ? 0.3 : 1;
    if (step == 1000)
        set->x = NAN;
    if (step == 2000 || step == 2001)
        set->x = step == 2000 ? -0.0 : 0.0;
}

/* A walk of settings through remembered() against the stateless law. */
static void test_memo(void)
{
    for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++)
        for (int nsrc = 1; nsrc <= 2; nsrc++) {
            dsp_surround_pan p;
            dsp_surround_pan_init(&p, layouts[l].spk, layouts[l].n);
            dsp_surround_pan_memo memo;
            memset(&memo, 0, sizeof memo);
            unsigned r = 12345;
            int same = 1, copied = 0;
            dsp_surround_pan_setting set = at(-1, 0);
            for (int step = 0; step < 4000; step++) {
                r = r * 1103515245u + 12345u;
                walk_step(&set, step, r);
                double got[2][DSP_SURROUND_PAN_MAX_SPEAKERS], want[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
                dsp_surround_pan_memo before = memo;
                dsp_surround_pan_remembered(&p, &set, nsrc, &memo, got);
                if (nsrc == 1)
                    dsp_surround_pan_mono(&p, &set, want[0]);
                else
                    dsp_surround_pan_stereo(&p, &set, want[0], want[1]);
                for (int side = 0; side < nsrc; side++) /* the nch gains written */
                    same &= memcmp(got[side], want[side], (size_t)p.nch * sizeof got[side][0]) == 0;
                copied += memcmp(before.side, memo.side, sizeof before.side) == 0;
            }
            char name[160];
            snprintf(name, sizeof name, "%s, %s: remembered gains = the law's, bit for bit, over 4000 settings",
                     layouts[l].name, nsrc == 1 ? "mono" : "stereo");
            check(same, name, "differs");
            snprintf(name, sizeof name, "%s, %s: the memo served a held channel (%d times)", layouts[l].name,
                     nsrc == 1 ? "mono" : "stereo", copied);
            check(copied > 0, name, "never");
        }
}

/* remembered2 against two remembered() calls and the stateless law. */
static void test_memo_pairs(void)
{
    for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++)
        for (int nsrc = 1; nsrc <= 2; nsrc++) {
            dsp_surround_pan p;
            dsp_surround_pan_init(&p, layouts[l].spk, layouts[l].n);
            dsp_surround_pan_memo pair, one;
            memset(&pair, 0, sizeof pair);
            memset(&one, 0, sizeof one);
            unsigned r = 777;
            int same = 1, memo_same = 1;
            dsp_surround_pan_setting a = at(-1, 0);
            for (int step = 0; step < 4000; step++) {
                r = r * 1103515245u + 12345u;
                walk_step(&a, step, r);
                dsp_surround_pan_setting b = a;
                switch ((r >> 12) % 4) {
                case 0: break;                                          /* the same */
                case 1: b.x = a.x + 0.01; break;                        /* x moved */
                case 2: b.x = a.x + 0.01, b.y = a.y * 0.5 - 0.1; break; /* y too */
                default: b.x = a.x - 3; break;                          /* past a clamp */
                }
                double g0[2][DSP_SURROUND_PAN_MAX_SPEAKERS], g1[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
                double w0[2][DSP_SURROUND_PAN_MAX_SPEAKERS], w1[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
                dsp_surround_pan_remembered2(&p, &a, &b, nsrc, &pair, g0, g1);
                dsp_surround_pan_remembered(&p, &a, nsrc, &one, w0);
                dsp_surround_pan_remembered(&p, &b, nsrc, &one, w1);
                if (nsrc == 1) {
                    dsp_surround_pan_mono(&p, &a, w0[0]);
                    dsp_surround_pan_mono(&p, &b, w1[0]);
                } else {
                    dsp_surround_pan_stereo(&p, &a, w0[0], w0[1]);
                    dsp_surround_pan_stereo(&p, &b, w1[0], w1[1]);
                }
                for (int side = 0; side < nsrc; side++)
                    same &= memcmp(g0[side], w0[side], (size_t)p.nch * sizeof(double)) == 0 &&
                            memcmp(g1[side], w1[side], (size_t)p.nch * sizeof(double)) == 0;
                for (int side = 0; side < nsrc; side++)
                    memo_same &= pair.side[side].valid == one.side[side].valid &&
                                 memcmp(pair.side[side].key, one.side[side].key, sizeof pair.side[side].key) == 0 &&
                                 memcmp(pair.side[side].gains, one.side[side].gains, (size_t)p.nch * sizeof(double)) == 0;
            }
            char name[160];
            snprintf(name, sizeof name, "%s, %s: remembered2 = the law's bits for both settings, 4000 pairs",
                     layouts[l].name, nsrc == 1 ? "mono" : "stereo");
            check(same, name, "differs");
            snprintf(name, sizeof name, "%s, %s: remembered2 leaves the memo as two remembered() calls",
                     layouts[l].name, nsrc == 1 ? "mono" : "stereo");
            check(memo_same, name, "differs");
        }
}

int main(void)
{
    test_reference_51();
    test_constant_power();
    test_at_speakers();
    test_spread();
    test_centre();
    test_lfe();
    test_stereo();
    test_init();
    test_memo();
    test_memo_pairs();
    return check_exit();
}
