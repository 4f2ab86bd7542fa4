/* delay.c - fractional feedback delay with a loop filter (see delay.h). */
#include "dsp/delay.h"
#include "dsp/memory.h"

#include <math.h>
#include <string.h>

#define FLUSH 1e-30

double dsp_delay_samples(double seconds, double fs)
{
    return round(seconds * fs * 1048576.0) / 1048576.0;
}

int dsp_delay_line_length(double max_delay)
{
    if (!(max_delay >= DSP_DELAY_MIN_SAMPLES))
        max_delay = DSP_DELAY_MIN_SAMPLES;
    return (int)floor(max_delay) + 4; /* taps to D + 2 behind the sample written now */
}

size_t dsp_delay_heap_size(int nch, double max_delay)
{
    return (size_t)nch * (size_t)dsp_delay_line_length(max_delay) * sizeof(float);
}

void dsp_delay_lagrange(double x, double h[4])
{
    h[0] = -x * (x - 1) * (x - 2) / 6;
    h[1] = (x + 1) * (x - 1) * (x - 2) / 2;
    h[2] = -(x + 1) * x * (x - 2) / 2;
    h[3] = (x + 1) * x * (x - 1) / 6;
}

/* g / (1 + g), g = tan(pi fc / fs), of a one-pole; 0 when fc is 0 (off) */
static double one_pole(double hz, double fs, int *on)
{
    *on = hz > 0;
    if (!*on)
        return 0;
    double g = tan(M_PI * (hz < 0.49 * fs ? hz : 0.49 * fs) / fs);
    return g / (1 + g);
}

static double clamp_delay(const dsp_delay *s, double d)
{
    return d < DSP_DELAY_MIN_SAMPLES ? DSP_DELAY_MIN_SAMPLES : d > s->max_delay ? s->max_delay : d;
}

void dsp_delay_set(dsp_delay *s, const dsp_delay_params *at, const dsp_delay_params *next, int n)
{
    if (at->lowpass_hz != s->at.lowpass_hz || !s->lp_g)
        s->lp_g = one_pole(at->lowpass_hz, s->fs, &s->lp_on);
    if (at->highpass_hz != s->at.highpass_hz || !s->hp_g)
        s->hp_g = one_pole(at->highpass_hz, s->fs, &s->hp_on);
    s->at = *at;
    s->at.delay = clamp_delay(s, at->delay);
    s->ramp = next && n > 0 ? n : 0;
    s->since = 0;
    s->delay_step = s->feedback_step = s->mix_step = 0;
    if (s->ramp) {
        s->delay_step = (clamp_delay(s, next->delay) - s->at.delay) / n;
        s->feedback_step = (next->feedback - at->feedback) / n;
        s->mix_step = (next->mix - at->mix) / n;
    }
}

void dsp_delay_set_pingpong(dsp_delay *s, int on)
{
    s->pingpong = on != 0;
}

void dsp_delay_reset(dsp_delay *s)
{
    /* the line itself is left as it is: a tap further back than what was
     * written since reads 0 (dsp_delay_process), so a reset costs nothing
     * however long the line, and its untouched pages stay unmapped */
    s->written = 0;
    s->wpos = 0;
    for (int c = 0; c < s->nch; c++)
        s->lp_s[c] = s->hp_s[c] = 0;
    s->d = s->at.delay;
}

void dsp_delay_init(dsp_delay *s, void *memory, int nch, double fs, double max_delay, double glide,
                    const dsp_delay_params *p)
{
    memset(s, 0, sizeof *s);
    s->nch = nch < 1 ? 1 : nch > DSP_DELAY_MAX_CHANNELS ? DSP_DELAY_MAX_CHANNELS : nch;
    s->len = dsp_delay_line_length(max_delay);
    s->max_delay = max_delay > DSP_DELAY_MIN_SAMPLES ? max_delay : DSP_DELAY_MIN_SAMPLES;
    s->line = memory;
    s->fs = fs;
    s->glide = glide > 0 && glide < 1 ? glide : 1;
    s->written = 0; /* nothing in the line counts yet, whatever the memory holds */
    dsp_delay_set(s, p, NULL, 0);
    dsp_delay_reset(s);
}

int dsp_delay_copy_state(dsp_delay *dst, const dsp_delay *src)
{
    if (dst->nch != src->nch)
        return -1;
    double d = clamp_delay(dst, src->d);
    /* The read position n - d never moves back (the glide is at most a
     * sample a sample), so the heads will never read further back than
     * they do now: the newest floor(d) + 3 samples are all that can still
     * be heard (taps to D + 2, D up to floor(d) + 1 on the next sample).
     * They go to the start of dst's line, and its write position after
     * them, so what a reset must clear stays a prefix. */
    int m = (int)floor(d) + 3;
    m = m < dst->len ? m : dst->len;
    m = m < src->len ? m : src->len;
    for (int c = 0; c < dst->nch; c++) {
        float *to = dst->line + (size_t)c * dst->len;
        const float *from = src->line + (size_t)c * src->len;
        int start = src->wpos - m, head = start < 0 ? -start : 0; /* head: the part before src's wrap */
        if (head)
            memcpy(to, from + src->len - head, (size_t)head * sizeof(float));
        memcpy(to + head, from + (start < 0 ? 0 : start), (size_t)(m - head) * sizeof(float));
        dst->lp_s[c] = src->lp_s[c];
        dst->hp_s[c] = src->hp_s[c];
    }
    dst->wpos = m == dst->len ? 0 : m;
    dst->written = m;
    dst->d = d;
    return 0;
}

void dsp_delay_process(dsp_delay *s, float *const *io, int n)
{
    const int nch = s->nch, len = s->len;
    const double glide = s->glide, lp_g = s->lp_g, hp_g = s->hp_g;
    const int lp_on = s->lp_on, hp_on = s->hp_on, pingpong = s->pingpong;
    double d = s->d;
    int wpos = s->wpos, since = s->since, written = s->written;
    for (int k = 0; k < n; k++) {
        int t = since < s->ramp ? since : s->ramp;
        double target = s->at.delay + s->delay_step * t;
        double fb = s->at.feedback + s->feedback_step * t, mix = s->at.mix + s->mix_step * t;
        since += since < s->ramp;
        /* the read position glides toward the target, at most `glide` a sample */
        double gap = target - d;
        d = gap > glide ? d + glide : gap < -glide ? d - glide : target;
        double whole = floor(d), x = d - whole;
        int D = (int)whole;
        double h[4];
        if (x != 0)
            dsp_delay_lagrange(x, h);
        int i1 = wpos - D; /* the tap at delay D, and its neighbours */
        i1 += i1 < 0 ? len : 0;
        int i0 = i1 + 1 == len ? 0 : i1 + 1, i2 = i1 ? i1 - 1 : len - 1, i3 = i2 ? i2 - 1 : len - 1;
        double in[DSP_DELAY_MAX_CHANNELS], y[DSP_DELAY_MAX_CHANNELS];
        /* a tap j samples back is what was written then if j <= written,
         * else silence (before the reset: stale memory, never read) */
        int whole_line = D + 2 <= written;
        int m0 = whole_line || D - 1 <= written, m1 = whole_line || D <= written;
        int m2 = whole_line || D + 1 <= written, m3 = whole_line;
        for (int c = 0; c < nch; c++) {
            const float *line = s->line + (size_t)c * len;
            in[c] = io[c][k];
            if (whole_line)
                y[c] = x == 0 ? (double)line[i1] : h[0] * line[i0] + h[1] * line[i1] + h[2] * line[i2] + h[3] * line[i3];
            else
                y[c] = x == 0 ? (double)(m1 ? line[i1] : 0.0f)
                              : h[0] * (m0 ? line[i0] : 0.0f) + h[1] * (m1 ? line[i1] : 0.0f) +
                                    h[2] * (m2 ? line[i2] : 0.0f) + h[3] * (m3 ? line[i3] : 0.0f);
        }
        for (int c = 0; c < nch; c++) {
            /* ping-pong: each line of a pair is fed back from the other's echo,
             * and the pair's input, folded to mono, enters the first */
            int paired = pingpong && (c ^ 1) < nch;
            double f = y[paired ? c ^ 1 : c];
            if (hp_on) { /* high-pass: the input less its one-pole low-pass */
                double v = (f - s->hp_s[c]) * hp_g, lo = v + s->hp_s[c];
                s->hp_s[c] = fabs(lo + v) < FLUSH ? 0 : lo + v;
                f -= lo;
            }
            if (lp_on) {
                double v = (f - s->lp_s[c]) * lp_g, lo = v + s->lp_s[c];
                s->lp_s[c] = fabs(lo + v) < FLUSH ? 0 : lo + v;
                f = lo;
            }
            double back = fb * f;
            back = fabs(back) < FLUSH ? 0 : back;
            double feed = !paired ? in[c] : c & 1 ? 0 : 0.5 * (in[c] + in[c + 1]);
            s->line[(size_t)c * len + wpos] = (float)(feed + back);
            io[c][k] = (float)((1 - mix) * in[c] + mix * y[c]);
        }
        wpos = wpos + 1 == len ? 0 : wpos + 1;
        written += written < len;
    }
    s->d = d;
    s->wpos = wpos;
    s->since = since;
    s->written = written;
}

double dsp_delay_memory(double delay, double feedback)
{
    return (delay + 2) * (1 + dsp_memory_pole(feedback));
}
