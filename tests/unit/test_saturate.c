/* test_saturate.c - the saturator (dsp/saturate.h) against its formula,
 * written out independently in long double (tanhl), and its claims:
 *   - kernel: y = (1 - m) x + m c tanh(x / c) over a sweep of inputs from
 *     silence to +24 dBFS, at three clip levels and three mixes, within
 *     2 float ulps of the output;
 *   - the wet output never reaches c, whatever comes in;
 *   - the header's numbers: a sine peaking 20 dB under c loses 0.022 dB and
 *     gets a 3rd harmonic 61.6 dB under it (least-squares sine fits on the
 *     rendered output; the series tanh u = u - u^3/3 says -0.0217 dB and
 *     20 log10(u^2 / 12) = -61.58 dB), within 0.005 dB and 0.3 dB;
 *   - t:saturate in a render is the kernel on the strip's signal (a 100 Hz
 *     sine at -6 dBFS through clip = -12, the formula per sample within
 *     1e-6), and a moving clip renders bit-identically at --block 1, 64 and
 *     4096. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/saturate.h"
#include "tests/check.h"
#include "tests/unit/render_util.h"

static double sine_amp = 0.5, sine_f = 100;
static double sine(int i, int c)
{
    (void)c;
    return sine_amp * sin(2 * M_PI * sine_f * i / 48000.0);
}

static void test_kernel(void)
{
    static const double clips[] = {-30, -12, 0}, mixes[] = {100, 50, 0};
    enum { N = 4801 };
    static float in[N], io[N];
    for (int i = 0; i < N; i++) /* -24 .. +24 dBFS peaks, both signs */
        in[i] = (float)((i % 2 ? -1 : 1) * pow(10.0, (-48.0 + 72.0 * i / (N - 1)) / 20.0) * ((i % 3) + 1) / 3.0);
    for (size_t ci = 0; ci < sizeof clips / sizeof clips[0]; ci++)
        for (size_t mi = 0; mi < sizeof mixes / sizeof mixes[0]; mi++) {
            dsp_saturate s;
            dsp_saturate_init(&s, clips[ci], mixes[mi]);
            memcpy(io, in, sizeof in);
            float *chans[1] = {io};
            dsp_saturate_process(&s, chans, 1, N);
            long double c = powl(10.0L, clips[ci] / 20.0L), m = mixes[mi] / 100.0L;
            double worst = 0;
            for (int i = 0; i < N; i++) {
                long double want = (1 - m) * in[i] + m * c * tanhl(in[i] / c);
                double ulp = nextafterf((float)fabsl(want), INFINITY) - (float)fabsl(want);
                double e = fabs((double)(io[i] - want)) / ulp;
                if (e > worst)
                    worst = e;
            }
            char name[160];
            snprintf(name, sizeof name, "clip %g dBFS, mix %g %%: the formula within 2 ulps (worst %.2f)", clips[ci],
                     mixes[mi], worst);
            check(worst <= 2, name, "%.2f ulps", worst);
        }
    /* the wet output never reaches c: 1000 at -12 dBFS clip */
    dsp_saturate s;
    dsp_saturate_init(&s, -12, 100);
    float big[3] = {1000.0f, -1000.0f, 3.0f};
    float *chans[1] = {big};
    dsp_saturate_process(&s, chans, 1, 3);
    double c = pow(10.0, -12 / 20.0);
    check(fabs(big[0]) <= c && fabs(big[1]) <= c && big[2] < c, "a signal far over the clip level stays within +-c",
          "%g %g %g against %g", big[0], big[1], big[2], c);
}

static void test_render(void)
{
    /* a 100 Hz sine peaking 20 dB under c = -12 dBFS (at -32 dBFS), and one
     * at -6 dBFS */
    sine_amp = pow(10.0, -32 / 20.0);
    write_wav("quiet.wav", 48000, 1, 48000, sine);
    sine_amp = 0.5;
    write_wav("loud.wav", 48000, 1, 48000, sine);
    char body[1024];
    int f = 0, ch = 0;
    one_track_script(body, sizeof body, "quiet.wav", "t:saturate { clip = -12 }\n");
    float *q = render(body, 1024) == 0 ? read_wav("o.wav", &f, &ch) : NULL;
    if (q) {
        double a1, b1, a3, b3;
        sine_fit(q, 4800, 38400, 100, 48000, &a1, &b1);
        sine_fit(q, 4800, 38400, 300, 48000, &a3, &b3);
        double fund = 20 * log10(hypot(a1, b1) / pow(10.0, -32 / 20.0));
        double third = 20 * log10(hypot(a3, b3) / hypot(a1, b1));
        double u = pow(10.0, -20 / 20.0);
        double want_fund = 20 * log10(1 - u * u / 4), want_third = 20 * log10(u * u / 12);
        char name[200];
        snprintf(name, sizeof name, "20 dB under the clip level: the sine loses %.4f dB (series: %.4f)", -fund,
                 -want_fund);
        check(fabs(fund - want_fund) < 0.005, name, "%.4f dB", fund);
        snprintf(name, sizeof name, "and its 3rd harmonic is at %.2f dB against it (series: %.2f)", third, want_third);
        check(fabs(third - want_third) < 0.3, name, "%.2f dB", third);
    } else
        check(0, "a quiet sine through t:saturate renders", "failed");
    free(q);
    one_track_script(body, sizeof body, "loud.wav", "t:saturate { clip = -12 }\n");
    float *l = render(body, 1024) == 0 ? read_wav("o.wav", &f, &ch) : NULL;
    double worst = l ? 0 : 1;
    double c = pow(10.0, -12 / 20.0);
    for (int i = 0; l && i < f; i++) {
        double x = (float)sine(i, 0);
        double e = fabs(l[i] - c * tanh(x / c));
        if (e > worst)
            worst = e;
    }
    char name[160];
    snprintf(name, sizeof name, "t:saturate { clip = -12 } on a -6 dBFS sine is c tanh(x / c) per sample (worst %.2g)",
             worst);
    check(worst < 1e-6, name, "%g", worst);
    free(l);
    check_moving_blocks("loud.wav",
                        "local s = t:saturate { clip = -24, mix = 80 }\n"
                        "s.clip:ramp { at = 0.1, to = -3, over = 0.5 }\n"
                        "s.mix:set { at = \"30017smp\", to = 40 }\n",
                        "a saturator with a moving clip and mix");
}

int main(void)
{
    if (scratch_open("test-saturate") != 0)
        return 2;
    test_kernel();
    test_render();
    scratch_close();
    return check_exit();
}
