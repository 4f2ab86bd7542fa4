/* surround_pan.c - the surround panner's law (stated in surround_pan.h):
 * rows and pairs of speakers on an X/Y square, constant power, a centre
 * blended in power, a spread blended in power towards an even spread. */
#include "dsp/surround_pan.h"

#include <math.h>
#include <string.h>

#include "dsp/fastmath.h"

static double clamp(double v, double lo, double hi)
{
    return !(v >= lo) ? lo : v > hi ? hi : v; /* NaN: lo */
}

/* The pair law: the near and far gains of a value t of the way from one
 * neighbour to the next, exactly 1 and 0 at the ends. */
static void pair_law(double t, double *near, double *far)
{
    const double h = 1.57079632679489661923; /* pi / 2 */
    if (!(t > 0)) {
        *near = 1, *far = 0;
    } else if (t >= 1) {
        *near = 0, *far = 1;
    } else {
        *near = dsp_cos_poly(t * h);
        *far = dsp_sin_poly(t * h);
    }
}

int dsp_surround_pan_init(dsp_surround_pan *s, const dsp_speaker *spk, int n)
{
    dsp_surround_pan t;
    if (n < 1 || n > DSP_SURROUND_PAN_MAX_SPEAKERS)
        return -1;
    memset(&t, 0, sizeof t);
    t.nch = n;
    t.centre = t.lfe = t.centre_row = -1;
    int nfull = 0;
    for (int k = 0; k < n; k++) {
        if (spk[k].kind == DSP_SPEAKER_LFE) {
            if (t.lfe >= 0)
                return -1;
            t.lfe = k;
            continue;
        }
        if (spk[k].kind == DSP_SPEAKER_CENTRE) {
            if (t.centre >= 0)
                return -1;
            t.centre = k;
        }
        if (!(spk[k].x >= -1 && spk[k].x <= 1 && spk[k].y >= -1 && spk[k].y <= 1))
            return -1;
        for (int j = 0; j < k; j++)
            if (spk[j].kind != DSP_SPEAKER_LFE && spk[j].x == spk[k].x && spk[j].y == spk[k].y)
                return -1;
        /* insertion by (y, x): n is at most 16 */
        int at = nfull;
        while (at > 0) {
            const dsp_speaker *o = &spk[t.by_row[at - 1]];
            if (o->y < spk[k].y || (o->y == spk[k].y && o->x < spk[k].x))
                break;
            t.by_row[at] = t.by_row[at - 1];
            at--;
        }
        t.by_row[at] = k;
        t.x[k] = spk[k].x;
        nfull++;
    }
    if (nfull == 0)
        return -1;
    for (int i = 0; i < nfull; i++) {
        double y = spk[t.by_row[i]].y;
        if (i == 0 || y != t.row_y[t.nrows - 1]) {
            t.row_y[t.nrows] = y;
            t.row_first[t.nrows] = i;
            t.nrows++;
        }
        if (t.by_row[i] == t.centre)
            t.centre_row = t.nrows - 1;
    }
    t.row_first[t.nrows] = nfull;
    *s = t;
    return 0;
}

/* The gains q of row r's speakers for x (step 2), the centre left out when
 * skip_centre; they are added into q[channel] (each channel is in one row
 * and every q starts at 0). */
static void row_gains(const dsp_surround_pan *s, int r, double x, int skip_centre, double *q)
{
    int idx[DSP_SURROUND_PAN_MAX_SPEAKERS], m = 0;
    for (int i = s->row_first[r]; i < s->row_first[r + 1]; i++)
        if (!(skip_centre && s->by_row[i] == s->centre))
            idx[m++] = s->by_row[i];
    if (m == 0) /* not reached: a row alone with its centre keeps it */
        return;
    x = clamp(x, s->x[idx[0]], s->x[idx[m - 1]]);
    int a = 0;
    while (a + 1 < m && s->x[idx[a + 1]] <= x)
        a++;
    if (a + 1 == m) { /* at the last speaker */
        q[idx[a]] = 1;
        return;
    }
    double near, far;
    pair_law((x - s->x[idx[a]]) / (s->x[idx[a + 1]] - s->x[idx[a]]), &near, &far);
    q[idx[a]] = near;
    q[idx[a + 1]] = far;
}

void dsp_surround_pan_mono(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, double *gains)
{
    double power[DSP_SURROUND_PAN_MAX_SPEAKERS] = {0};
    double spread = clamp(set->spread, 0, 1), c = clamp(set->centre, 0, 1);
    double x = clamp(set->x, -1, 1), y = clamp(set->y, s->row_y[0], s->row_y[s->nrows - 1]);

    /* step 1: the two rows about y and their gains */
    int r = 0;
    while (r + 1 < s->nrows && s->row_y[r + 1] <= y)
        r++;
    double rg[2] = {1, 0};
    if (r + 1 < s->nrows)
        pair_law((y - s->row_y[r]) / (s->row_y[r + 1] - s->row_y[r]), &rg[0], &rg[1]);

    /* steps 2 and 3, in power */
    int centre_alone = s->centre_row >= 0 && s->row_first[s->centre_row + 1] - s->row_first[s->centre_row] == 1;
    for (int k = 0; k < 2 && r + k < s->nrows; k++) {
        int row = r + k;
        if (rg[k] == 0)
            continue;
        double q[DSP_SURROUND_PAN_MAX_SPEAKERS] = {0}, rp = rg[k] * rg[k];
        row_gains(s, row, x, 0, q);
        if (row == s->centre_row && !centre_alone && c < 1) {
            double off[DSP_SURROUND_PAN_MAX_SPEAKERS] = {0};
            row_gains(s, row, x, 1, off);
            for (int i = s->row_first[row]; i < s->row_first[row + 1]; i++) {
                int ch = s->by_row[i];
                power[ch] = rp * (c * q[ch] * q[ch] + (1 - c) * off[ch] * off[ch]);
            }
        } else {
            for (int i = s->row_first[row]; i < s->row_first[row + 1]; i++) {
                int ch = s->by_row[i];
                power[ch] = rp * q[ch] * q[ch];
            }
        }
    }

    /* step 4 */
    if (spread > 0) {
        double wc = centre_alone ? 1 : c, sum_w = 0;
        for (int ch = 0; ch < s->nch; ch++)
            if (ch != s->lfe)
                sum_w += ch == s->centre ? wc : 1;
        for (int ch = 0; ch < s->nch; ch++)
            if (ch != s->lfe)
                power[ch] = (1 - spread) * power[ch] + spread * (ch == s->centre ? wc : 1) / sum_w;
    }

    for (int ch = 0; ch < s->nch; ch++)
        gains[ch] = sqrt(power[ch]);
    if (s->lfe >= 0) {
        const double k = 0.16609640474436811739; /* log2(10) / 20 */
        double db = set->lfe_db;
        gains[s->lfe] = db > DSP_SURROUND_PAN_SILENCE_DB ? dsp_exp2_poly(clamp(db, -144, 24) * k) : 0.0;
    }
}

void dsp_surround_pan_stereo(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, double *left,
                             double *right)
{
    dsp_surround_pan_setting side = *set;
    double w = clamp(set->width, 0, 1);
    side.x = clamp(set->x - w, -1, 1);
    dsp_surround_pan_mono(s, &side, left);
    side.x = clamp(set->x + w, -1, 1);
    dsp_surround_pan_mono(s, &side, right);
}
