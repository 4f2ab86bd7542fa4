/* test_delay.c - dsp/delay against closed forms: the 4-point Lagrange
 * coefficients (delay.h) for an impulse at a fractional delay, the input
 * shifted bit for bit at whole-sample delays, the repeats of a feedback
 * loop (feedback^(k - 1), and with the loop filter the DC content of each
 * repeat times the filter's DC gain^(k - 1), and -3 dB at the cutoff), a
 * glide whose steps on a sine stay within the bound the glide rate allows,
 * the same bits whatever the split into calls, no subnormal numbers in a
 * long decaying loop, and the state carried between lines of different
 * lengths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/delay.h"
#include "tests/check.h"

#define FS 48000.0

static float *mem_for(int nch, double max_delay)
{
    return calloc(dsp_delay_heap_size(nch, max_delay) / sizeof(float), sizeof(float));
}

static dsp_delay_params params(double delay, double feedback, double mix)
{
    return (dsp_delay_params){.delay = delay, .feedback = feedback, .mix = mix};
}

/* Runs x[0..n) (one channel) through s in calls of `block` samples. */
static void run(dsp_delay *s, float *x, int n, int block)
{
    for (int done = 0; done < n; done += block) {
        float *io[1] = {x + done};
        dsp_delay_process(s, io, n - done < block ? n - done : block);
    }
}

static void test_fractional_impulse(void)
{
    static const double xs[] = {0.5, 0.25, 0.9};
    for (int t = 0; t < 3; t++) {
        double frac = xs[t], delay = 10 + frac;
        float *mem = mem_for(1, 64);
        dsp_delay s;
        dsp_delay_params p = params(delay, 0, 1);
        dsp_delay_init(&s, mem, 1, FS, 64, 1, &p);
        float x[64] = {1};
        run(&s, x, 64, 64);
        /* closed form, written out independently of dsp_delay_lagrange */
        double want[64] = {0};
        want[9] = -frac * (frac - 1) * (frac - 2) / 6;
        want[10] = (frac + 1) * (frac - 1) * (frac - 2) / 2;
        want[11] = -(frac + 1) * frac * (frac - 2) / 2;
        want[12] = (frac + 1) * frac * (frac - 1) / 6;
        double worst = 0;
        for (int k = 0; k < 64; k++)
            worst = fabs(x[k] - want[k]) > worst ? fabs(x[k] - want[k]) : worst;
        char name[160];
        snprintf(name, sizeof name, "an impulse through a %.2f-sample delay: the Lagrange closed form at samples "
                 "9..12, 0 elsewhere, within 6e-8 (float rounding)", delay);
        check(worst <= 6e-8, name, "worst %.3g", worst);
        if (frac == 0.5) /* -1/16, 9/16, 9/16, -1/16: exact in binary */
            check(x[9] == -0.0625f && x[10] == 0.5625f && x[11] == 0.5625f && x[12] == -0.0625f,
                  "at 10.5 samples the taps are exactly -1/16, 9/16, 9/16, -1/16", "%g %g %g %g", x[9], x[10], x[11],
                  x[12]);
        free(mem);
    }
}

static void test_whole_samples_exact(void)
{
    enum { N = 20000, NCH = 3 };
    static float in[NCH][N], io[NCH][N];
    srand(7);
    for (int c = 0; c < NCH; c++)
        for (int k = 0; k < N; k++)
            in[c][k] = io[c][k] = (float)rand() / RAND_MAX * 2 - 1;
    /* 0.0125 s at 48 kHz is 600 samples; the seconds are not exact in
     * binary, dsp_delay_samples makes them whole */
    double d = dsp_delay_samples(0.0125, FS);
    check(d == 600.0, "dsp_delay_samples(0.0125 s, 48 kHz) is exactly 600", "%.17g", d);
    float *mem = mem_for(NCH, 1000);
    dsp_delay s;
    dsp_delay_params p = params(d, 0, 1);
    dsp_delay_init(&s, mem, NCH, FS, 1000, 1, &p);
    for (int done = 0, b = 1; done < N; done += b, b = b * 3 % 997 + 1) { /* ragged calls */
        int m = N - done < b ? N - done : b;
        float *ch[NCH];
        for (int c = 0; c < NCH; c++)
            ch[c] = io[c] + done;
        dsp_delay_process(&s, ch, m);
    }
    int exact = 1;
    for (int c = 0; c < NCH; c++)
        for (int k = 0; k < N; k++)
            exact &= memcmp(&io[c][k], k < 600 ? &(float){0} : &in[c][k - 600], sizeof(float)) == 0;
    check(exact, "a 600-sample delay (mix 100 %) is the input shifted by 600 samples, bit for bit, on 3 channels",
          "differs");
    /* mix 50 %: 0.5 x + 0.5 x[n - 600], each product exact in double */
    memcpy(io, in, sizeof io);
    p.mix = 0.5;
    dsp_delay_init(&s, mem, NCH, FS, 1000, 1, &p); /* on the memory the first run left */
    float *ch[NCH] = {io[0], io[1], io[2]};
    dsp_delay_process(&s, ch, N);
    exact = 1;
    for (int c = 0; c < NCH; c++)
        for (int k = 0; k < N; k++)
            exact &= io[c][k] == (float)(0.5 * in[c][k] + 0.5 * (k < 600 ? 0.0 : in[c][k - 600]));
    check(exact, "mix 50 %, in memory a run left full: 0.5 x[n] + 0.5 x[n - 600] exactly", "differs");
    free(mem);
}

static void test_feedback_repeats(void)
{
    enum { D = 100, N = 3000 };
    static const double fbs[] = {0.5, -0.5, 0.7};
    for (int t = 0; t < 3; t++) {
        double g = fbs[t];
        float *mem = mem_for(1, D);
        dsp_delay s;
        dsp_delay_params p = params(D, g, 1);
        dsp_delay_init(&s, mem, 1, FS, D, 1, &p);
        static float x[N];
        memset(x, 0, sizeof x);
        x[0] = 1;
        run(&s, x, N, 256);
        double worst = 0, stray = 0;
        for (int k = 0; k < N; k++) {
            if (k % D == 0 && k > 0) {
                double want = pow(g, k / D - 1);
                worst = fabs(x[k] - want) / fabs(want) > worst ? fabs(x[k] - want) / fabs(want) : worst;
            } else {
                stray = fabs(x[k]) > stray ? fabs(x[k]) : stray;
            }
        }
        char name[200];
        snprintf(name, sizeof name, "feedback %+.0f %%: repeat k of an impulse is %g^(k-1) (29 repeats, relative "
                 "error within 2e-6: one float rounding per pass), nothing between", g * 100, g);
        check(worst <= 2e-6 && stray == 0, name, "worst %.3g, stray %.3g", worst, stray);
        free(mem);
    }
}

static void test_pingpong(void)
{
    /* an impulse on either channel of a ping-pong pair: repeat k is
     * 0.5 fb^(k-1) (the mono fold's half), on channel 0 for odd k and on
     * channel 1 for even k, exactly; nothing else anywhere */
    enum { D = 100, N = 1200 };
    for (int side = 0; side < 2; side++) {
        float *mem = mem_for(2, D);
        dsp_delay s;
        dsp_delay_params p = params(D, 0.5, 1);
        dsp_delay_init(&s, mem, 2, FS, D, 1, &p);
        dsp_delay_set_pingpong(&s, 1);
        static float x[2][N];
        memset(x, 0, sizeof x);
        x[side][0] = 1;
        float *io[2] = {x[0], x[1]};
        dsp_delay_process(&s, io, N);
        int exact = 1;
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < N; k++) {
                int rep = k % D == 0 ? k / D : 0;
                double want = rep > 0 && (rep - 1) % 2 == c ? 0.5 * pow(0.5, rep - 1) : 0;
                exact &= x[c][k] == want;
            }
        char name[160];
        snprintf(name, sizeof name, "ping-pong, an impulse on channel %d: repeats 0.5 x 0.5^(k-1) alternating "
                 "0, 1, 0, ... exactly", side);
        check(exact, name, "differs");
        free(mem);
    }
}

/* The sum of x over the window of repeat k (k D - 50 .. (k + 1) D - 50). */
static double repeat_sum(const float *x, int D, int k)
{
    double sum = 0;
    for (int i = k * D - 50; i < (k + 1) * D - 50; i++)
        sum += x[i];
    return sum;
}

static void test_loop_filter(void)
{
    enum { D = 4800, N = 10 * 4800 };
    static float x[N];
    const double g = 0.8;
    /* The sum of a repeat is its DC content: a linear filter scales it by
     * its DC gain (1 for the low-pass, 0 for the high-pass), so repeat k of
     * an impulse sums to g^(k-1) H(0)^(k-1); the tails have died within a
     * repeat's window (time constants of a few samples to 40). */
    for (int hp = 0; hp < 2; hp++) {
        float *mem = mem_for(1, D);
        dsp_delay s;
        dsp_delay_params p = params(D, g, 1);
        if (hp)
            p.highpass_hz = 200;
        else
            p.lowpass_hz = 2000;
        dsp_delay_init(&s, mem, 1, FS, D, 1, &p);
        memset(x, 0, sizeof x);
        x[0] = 1;
        run(&s, x, N, 1000);
        double worst = 0;
        for (int k = 1; k < 9; k++) {
            double want = k == 1 ? 1 : hp ? 0 : pow(g, k - 1);
            worst = fabs(repeat_sum(x, D, k) - want) > worst ? fabs(repeat_sum(x, D, k) - want) : worst;
        }
        char name[200];
        snprintf(name, sizeof name, "feedback 80 %% through a %s: each of 8 repeats sums (DC content) to %s within "
                 "1e-5", hp ? "200 Hz high-pass" : "2 kHz low-pass", hp ? "0 after the first (1)" : "0.8^(k-1)");
        check(worst <= 1e-5, name, "worst %.3g", worst);
        if (!hp) {
            double peak = 0;
            for (int i = 2 * D - 50; i < 3 * D - 50; i++)
                peak = fabs(x[i]) > peak ? fabs(x[i]) : peak;
            /* the bilinear one-pole's impulse response: G, then 2G(1 - G)(1 - 2G)^(n-1),
             * G = tan(pi fc/fs) / (1 + tan(pi fc/fs)); its peak is 2G(1 - G) for G < 1/2 */
            double tg = tan(M_PI * 2000 / FS), G = tg / (1 + tg);
            check_near(peak, g * 2 * G * (1 - G), 1e-6,
                       "the second repeat of an impulse through a 2 kHz loop low-pass peaks at 0.8 x 2G(1 - G)");
        }
        free(mem);
    }
    /* -3 dB at the cutoff: a 1 kHz tone through a 1 kHz loop low-pass comes
     * back at 0.8 / sqrt(2) in the second repeat */
    float *mem = mem_for(1, D);
    dsp_delay s;
    dsp_delay_params p = params(D, g, 1);
    p.lowpass_hz = 1000;
    dsp_delay_init(&s, mem, 1, FS, D, 1, &p);
    memset(x, 0, sizeof x);
    for (int i = 0; i < 3000; i++)
        x[i] = (float)sin(2 * M_PI * 1000 * i / FS);
    run(&s, x, N, 777);
    double scc = 0, sss = 0, sxc = 0, sxs = 0; /* over 20 whole periods of the settled burst */
    for (int i = 2 * D + 1008; i < 2 * D + 1968; i++) {
        double c = cos(2 * M_PI * 1000 * i / FS), sn = sin(2 * M_PI * 1000 * i / FS);
        scc += c * c, sss += sn * sn, sxc += x[i] * c, sxs += x[i] * sn;
    }
    double amp = hypot(sxc / scc, sxs / sss);
    check_near(amp, 0.8 / sqrt(2), 1e-5, "a 1 kHz tone's second repeat through a 1 kHz loop low-pass is 0.8 / sqrt 2");
    free(mem);
}

/* A sine through a delay whose setting jumps from 700 to 100 samples at
 * `at` (the heads speed up): the largest step between two output samples. */
static double jump_step(double glide, float *y, int n, int at)
{
    float *mem = mem_for(1, 800);
    dsp_delay s;
    dsp_delay_params a = params(700, 0, 1), b = params(100, 0, 1);
    dsp_delay_init(&s, mem, 1, FS, 800, glide, &a);
    for (int i = 0; i < n; i++)
        y[i] = (float)sin(2 * M_PI * 1000 * i / FS);
    float *io[1] = {y};
    dsp_delay_process(&s, io, at);
    dsp_delay_set(&s, &b, NULL, 0);
    io[0] = y + at;
    dsp_delay_process(&s, io, n - at);
    double worst = 0;
    for (int i = 800; i < n; i++)
        worst = fabs(y[i] - y[i - 1]) > worst ? fabs(y[i] - y[i - 1]) : worst;
    free(mem);
    return worst;
}

static void test_glide(void)
{
    enum { N = 20000, AT = 5000 };
    static float y[N];
    const double glide = 0.1, w = 2 * M_PI * 1000 / FS;
    /* y[n] = sin(w (n - d[n])) and |d[n] - d[n-1]| <= glide, so
     * |y[n] - y[n-1]| <= w (1 + glide), plus the interpolation's error */
    double bound = w * (1 + glide) + 1e-4;
    double step = jump_step(glide, y, N, AT);
    char name[200];
    snprintf(name, sizeof name, "a jump of the delay from 700 to 100 samples on a 1 kHz sine glides: no step above "
             "w (1 + 0.1) + 1e-4 = %.4f (largest %.4f)", bound, step);
    check(step <= bound, name, "%.4f", step);
    /* the glide takes 600 / 0.1 = 6000 samples; after it the output is the
     * input 100 samples late, bit for bit */
    int exact = 1;
    for (int i = AT + 6010; i < N; i++)
        exact &= y[i] == (float)sin(2 * M_PI * 1000 * (i - 100) / FS);
    check(exact, "from 6010 samples after the jump (600 / 0.1 of glide) the delay reads exactly 100 samples back",
          "differs");
    /* the control: the fastest glide (1 sample a sample: the heads at twice
     * the speed) steps up to 2 w, past the bound, so the check above can fail */
    double hard = jump_step(1, y, N, AT);
    snprintf(name, sizeof name, "control: the same jump at a glide of 1 steps %.3f (above the bound)", hard);
    check(hard > 1.5 * bound, name, "%.4f", hard);
}

/* The same bits whatever the split into calls, with a ramp set at sample
 * 3000 (of 2500 samples) and feedback through both filters. */
static void test_calls_independent(void)
{
    enum { N = 12000 };
    static float a[2][N], b[2][N];
    for (int i = 0; i < N; i++)
        a[0][i] = b[0][i] = (float)sin(i * 0.01) * (i < 4000), a[1][i] = b[1][i] = (float)cos(i * 0.03) * (i < 4000);
    float *mem = mem_for(2, 2000);
    dsp_delay_params p0 = params(333.25, 0.6, 0.7), p1 = params(1234.5, -0.3, 0.2);
    p0.lowpass_hz = p1.lowpass_hz = 3000;
    p0.highpass_hz = p1.highpass_hz = 100;
    float *out[2][2] = {{a[0], a[1]}, {b[0], b[1]}};
    static const int blocks[2] = {1, 4096};
    dsp_delay s;
    dsp_delay_init(&s, mem, 2, FS, 2000, 0.05, &p0);
    for (int r = 0; r < 2; r++) {
        if (r) { /* the second run after a reset (which clears only what was written) */
            dsp_delay_set(&s, &p0, NULL, 0);
            dsp_delay_reset(&s);
        }
        for (int done = 0; done < N;) {
            int m = N - done < blocks[r] ? N - done : blocks[r];
            if (done < 3000 && done + m > 3000)
                m = 3000 - done;
            if (done == 3000)
                dsp_delay_set(&s, &p0, &p1, 2500);
            float *io[2] = {out[r][0] + done, out[r][1] + done};
            dsp_delay_process(&s, io, m);
            done += m;
        }
    }
    check(memcmp(a, b, sizeof a) == 0, "a ramping delay in calls of 1 sample and of 4096, the second after a reset: "
          "the same bits", "differs");
    free(mem);
}

static void test_no_subnormals(void)
{
    /* 60 s of a 50 % loop through the filters after one impulse: the
     * repeats decay past the float range within about 10 s; no subnormal may appear in the output,
     * the line or the filter states, and the output ends at exactly 0 */
    enum { N = 48000 };
    static float x[N];
    float *mem = mem_for(2, 4800);
    dsp_delay s;
    dsp_delay_params p = params(4799.5, 0.5, 1);
    p.lowpass_hz = 5000;
    p.highpass_hz = 50;
    dsp_delay_init(&s, mem, 2, FS, 4800, 1, &p);
    int sub = 0, last_nonzero = -1;
    for (int sec = 0; sec < 60; sec++) {
        memset(x, 0, sizeof x);
        if (sec == 0)
            x[0] = 1;
        float *io[2] = {x, x};
        dsp_delay_process(&s, io, N);
        for (int i = 0; i < N; i++) {
            sub += fpclassify(x[i]) == FP_SUBNORMAL;
            if (x[i] != 0)
                last_nonzero = sec * N + i;
        }
    }
    for (int i = 0; i < 2 * s.len; i++)
        sub += fpclassify(s.line[i]) == FP_SUBNORMAL;
    for (int c = 0; c < 2; c++)
        sub += (fpclassify(s.lp_s[c]) == FP_SUBNORMAL) + (fpclassify(s.hp_s[c]) == FP_SUBNORMAL);
    check(sub == 0, "60 s of a decaying 50 % loop: no subnormal in the output, the line or the filter states",
          "%d subnormals", sub);
    check(last_nonzero >= 0 && last_nonzero < 30 * N, "the decaying loop reaches exact silence before 30 s",
          "last non-zero sample %d", last_nonzero);
    free(mem);
}

static void test_memory_never_cleared(void)
{
    /* a delay made in memory full of NaN, and reset after running: the
     * taps never reach what was not written since, so the output is the
     * clean run's, bit for bit */
    enum { N = 3000 };
    static float clean[N], dirty[N];
    for (int i = 0; i < N; i++)
        clean[i] = dirty[i] = (float)sin(i * 0.07) * (i < 700);
    dsp_delay_params p = params(1234.5, 0.7, 0.6);
    p.lowpass_hz = 3000;
    float *zero = mem_for(1, 2000), *nan_mem = mem_for(1, 2000);
    for (size_t i = 0; i < dsp_delay_heap_size(1, 2000) / sizeof(float); i++)
        nan_mem[i] = NAN;
    dsp_delay a, b;
    dsp_delay_init(&a, zero, 1, FS, 2000, 0.1, &p);
    dsp_delay_init(&b, nan_mem, 1, FS, 2000, 0.1, &p);
    run(&a, clean, N, 64);
    run(&b, dirty, N, 333);
    check(memcmp(clean, dirty, sizeof clean) == 0, "a delay made in memory full of NaN gives the clean run's bits",
          "differs");
    for (int i = 0; i < N; i++)
        dirty[i] = (float)sin(i * 0.07) * (i < 700);
    dsp_delay_reset(&b); /* the line still holds the first run's echoes */
    run(&b, dirty, N, 1000);
    check(memcmp(clean, dirty, sizeof clean) == 0, "after a reset (which clears nothing) the same bits again",
          "differs");
    free(zero), free(nan_mem);
}

static void test_copy_state_lengths(void)
{
    /* a running 100-sample echo carried into a line half as long and one
     * twice as long: the newest samples go on */
    enum { N = 1000 };
    float *m1 = mem_for(1, 300), *m2 = mem_for(1, 150), *m3 = mem_for(1, 600);
    dsp_delay a, b, c;
    dsp_delay_params p = params(100, 0.5, 1);
    dsp_delay_init(&a, m1, 1, FS, 300, 1, &p);
    dsp_delay_init(&b, m2, 1, FS, 150, 1, &p);
    dsp_delay_init(&c, m3, 1, FS, 600, 1, &p);
    static float x[N], y[N], z[N];
    for (int i = 0; i < N; i++)
        x[i] = (float)sin(i * 0.05) * (i < 500);
    float *io[1] = {x};
    dsp_delay_process(&a, io, 450);
    memcpy(y, x, sizeof y);
    memcpy(z, x, sizeof z);
    float quiet[77] = {0};
    io[0] = quiet;
    dsp_delay_process(&c, io, 77); /* c's ring elsewhere than a's: the runs wrap at other places */
    check(dsp_delay_copy_state(&b, &a) == 0 && dsp_delay_copy_state(&c, &a) == 0,
          "copy_state between lines of different lengths is accepted", "refused");
    io[0] = x + 450;
    dsp_delay_process(&a, io, N - 450);
    io[0] = y + 450;
    dsp_delay_process(&b, io, N - 450);
    io[0] = z + 450;
    dsp_delay_process(&c, io, N - 450);
    check(memcmp(x, y, sizeof x) == 0 && memcmp(x, z, sizeof x) == 0,
          "after copy_state into a shorter and a longer line, both go on with the original's bits", "differs");
    dsp_delay two;
    float *m4 = mem_for(2, 300);
    dsp_delay_init(&two, m4, 2, FS, 300, 1, &p);
    float before = two.line[0];
    two.line[0] = 0.25f;
    check(dsp_delay_copy_state(&two, &a) == -1 && two.line[0] == 0.25f,
          "copy_state between 1 and 2 channels returns -1 and leaves dst as it was", "changed");
    (void)before;
    free(m1), free(m2), free(m3), free(m4);
}

int main(void)
{
    test_fractional_impulse();
    test_whole_samples_exact();
    test_feedback_repeats();
    test_pingpong();
    test_loop_filter();
    test_glide();
    test_calls_independent();
    test_no_subnormals();
    test_memory_never_cleared();
    test_copy_state_lengths();
    return check_exit();
}
