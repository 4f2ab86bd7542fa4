/* test_transient.c - dsp/transient's settings change (dsp_transient_set)
 * against the invariant transient.h states: the level and the followers do
 * not depend on attack and sustain, so a shaper whose settings change at
 * sample k gives, bit for bit, the output of a shaper made with the first
 * settings before k and of one made with the second settings from k on; the
 * same at any split of the input into calls. And the settings act: on a hit
 * the changed output differs from the unchanged one after k. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/transient.h"
#include "tests/check.h"

#define FS 48000.0
#define N 48000

/* drum-like hits: a decaying 180 Hz burst every 120 ms, on two channels */
static void hits(float *x, int ch)
{
    for (int i = 0; i < N; i++) {
        int t = i % 5760;
        x[i] = (float)((ch ? 0.4 : 0.5) * exp(-t / 1200.0) * sin(2 * M_PI * 180.0 * t / FS));
    }
}

/* Runs a shaper over both channels in calls of `block` samples; at sample
 * `at` (a call boundary is made there) the settings become a2, s2. */
static void run(float *l, float *r, int block, int at, double a1, double s1, double a2, double s2)
{
    dsp_transient t;
    dsp_transient_init(&t, FS, a1, s1);
    for (int done = 0; done < N;) {
        int m = N - done < block ? N - done : block;
        if (done < at && done + m > at)
            m = at - done;
        if (done == at)
            dsp_transient_set(&t, a2, s2);
        float *io[2] = {l + done, r + done};
        dsp_transient_process(&t, io, 2, m);
        done += m;
    }
}

int main(void)
{
    static float in[2][N], a[2][N], b[2][N], c[2][N];
    hits(in[0], 0);
    hits(in[1], 1);
    const int at = 17321; /* inside a hit's decay */

    memcpy(a, in, sizeof a);
    run(a[0], a[1], 512, at, 6, -3, -9, 12); /* changed at `at` */
    memcpy(b, in, sizeof b);
    run(b[0], b[1], 512, N, 6, -3, 0, 0); /* first settings throughout */
    memcpy(c, in, sizeof c);
    run(c[0], c[1], 512, N, -9, 12, 0, 0); /* second settings throughout */
    int before = 1, after = 1;
    for (int ch = 0; ch < 2; ch++) {
        before &= memcmp(a[ch], b[ch], at * sizeof(float)) == 0;
        after &= memcmp(a[ch] + at, c[ch] + at, (N - at) * sizeof(float)) == 0;
    }
    check(before, "set: before the change, the output of the first settings (bit for bit)", "differs");
    check(after, "set keeps the followers: from the change on, the output of a shaper made with the new settings",
          "differs");
    int acts = 0;
    for (int i = at; i < N; i++)
        acts |= a[0][i] != b[0][i];
    check(acts, "set: the new settings act from the change on", "output unchanged");

    memcpy(b, in, sizeof b);
    run(b[0], b[1], 1, at, 6, -3, -9, 12);
    check(memcmp(a, b, sizeof a) == 0, "set at one sample: the same bits in calls of 1 and of 512 samples", "differs");
    return check_exit();
}
