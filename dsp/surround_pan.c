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
        t.x_by_row[i] = spk[t.by_row[i]].x;
    }
    for (int i = 0; t.centre_row >= 0 && i < nfull; i++) {
        int ch = t.by_row[i];
        if (ch != t.centre && spk[ch].y == t.row_y[t.centre_row])
            t.phantom_x[t.nphantom++] = spk[ch].x;
    }
    t.row_first[t.nrows] = nfull;
    t.centre_alone = t.centre_row >= 0 && t.row_first[t.centre_row + 1] - t.row_first[t.centre_row] == 1;
    *s = t;
    return 0;
}

/* Step 2 along one row's speakers at xs[0..m) (ascending): their gains
 * q[0..m) for x. */
static void row_gains(const double *xs, int m, double x, double *q)
{
    for (int i = 0; i < m; i++)
        q[i] = 0;
    x = clamp(x, xs[0], xs[m - 1]);
    int a = 0;
    while (a + 1 < m && xs[a + 1] <= x)
        a++;
    if (a + 1 == m) { /* at the last speaker */
        q[a] = 1;
        return;
    }
    pair_law((x - xs[a]) / (xs[a + 1] - xs[a]), &q[a], &q[a + 1]);
}

static dsp_surround_pan_rows rows_for(const dsp_surround_pan *s, const dsp_surround_pan_setting *set)
{
    dsp_surround_pan_rows ra = {.rg = {1, 0}, .spread = clamp(set->spread, 0, 1), .c = clamp(set->centre, 0, 1)};
    double y = clamp(set->y, s->row_y[0], s->row_y[s->nrows - 1]);
    while (ra.r + 1 < s->nrows && s->row_y[ra.r + 1] <= y)
        ra.r++;
    if (ra.r + 1 < s->nrows)
        pair_law((y - s->row_y[ra.r]) / (s->row_y[ra.r + 1] - s->row_y[ra.r]), &ra.rg[0], &ra.rg[1]);
    if (s->lfe >= 0) {
        const double k = 0.16609640474436811739; /* log2(10) / 20 */
        double db = set->lfe_db;
        ra.lfe = db > DSP_SURROUND_PAN_SILENCE_DB ? dsp_exp2_poly(clamp(db, -144, 24) * k) : 0.0;
    }
    return ra;
}

/* A setting whose sources are points: no spread, and no phantom centre
 * in the rows about y (at most two speakers a row lit). */
static int is_point(const dsp_surround_pan *s, const dsp_surround_pan_rows *ra)
{
    int phantom = s->centre_row >= 0 && !s->centre_alone && ra->c < 1 &&
                  (s->centre_row == ra->r || (s->centre_row == ra->r + 1 && ra->rg[1] != 0));
    return !(ra->spread > 0) && !phantom;
}

/* Steps 2 to 4 of place for n (1 or 2) point sources at x[0..n) under
 * one setting's rows (is_point), side by side: the two chains of
 * arithmetic (a division, the pair law's polynomials, square roots) do
 * not wait on each other. Every other speaker gets +0, as place's power
 * array gives it (rp * 0 * 0); the lit ones the same operations. */
__attribute__((always_inline)) static inline void place_points(const dsp_surround_pan *s,
                                                               const dsp_surround_pan_rows *ra, const double *x_in,
                                                               const int n, double (*gains)[DSP_SURROUND_PAN_MAX_SPEAKERS])
{
    double x[2];
    for (int i = 0; i < n; i++) {
        x[i] = clamp(x_in[i], -1, 1);
        for (int ch = 0; ch < DSP_SURROUND_PAN_MAX_SPEAKERS; ch++) /* the whole row: copy_row copies it */
            gains[i][ch] = 0;
    }
    for (int k = 0; k < 2 && ra->r + k < s->nrows; k++) {
        int row = ra->r + k, first = s->row_first[row], m = s->row_first[row + 1] - first;
        if (ra->rg[k] == 0)
            continue;
        double rp = ra->rg[k] * ra->rg[k], q0[2], q1[2];
        const double *xs = s->x_by_row + first;
        int a[2];
        for (int i = 0; i < n; i++) {
            double xr = clamp(x[i], xs[0], xs[m - 1]);
            int j = 0;
            while (j + 1 < m && xs[j + 1] <= xr)
                j++;
            a[i] = j, q0[i] = 1, q1[i] = 0;
            if (j + 1 < m)
                pair_law((xr - xs[j]) / (xs[j + 1] - xs[j]), &q0[i], &q1[i]);
        }
        for (int i = 0; i < n; i++) {
            double p = rp * q0[i] * q0[i];
            gains[i][s->by_row[first + a[i]]] = p == 0 ? p : sqrt(p);
            if (a[i] + 1 < m) {
                p = rp * q1[i] * q1[i];
                gains[i][s->by_row[first + a[i] + 1]] = p == 0 ? p : sqrt(p);
            }
        }
    }
    for (int i = 0; i < n && s->lfe >= 0; i++)
        gains[i][s->lfe] = ra->lfe;
}

/* Steps 2 to 4 for a point source at x (clamped to [-1, 1]), into a whole
 * row of gains (DSP_SURROUND_PAN_MAX_SPEAKERS; those past the layout 0). */
static void place(const dsp_surround_pan *s, const dsp_surround_pan_rows *ra, double x, double *gains)
{
    double spread = ra->spread, c = ra->c;
    if (is_point(s, ra)) {
        place_points(s, ra, &x, 1, (double (*)[DSP_SURROUND_PAN_MAX_SPEAKERS])gains);
        return;
    }
    x = clamp(x, -1, 1);

    double power[DSP_SURROUND_PAN_MAX_SPEAKERS] = {0};
    /* steps 2 and 3, in power */
    for (int k = 0; k < 2 && ra->r + k < s->nrows; k++) {
        int row = ra->r + k, first = s->row_first[row], m = s->row_first[row + 1] - first;
        if (ra->rg[k] == 0)
            continue;
        double q[DSP_SURROUND_PAN_MAX_SPEAKERS], rp = ra->rg[k] * ra->rg[k];
        row_gains(s->x_by_row + first, m, x, q);
        if (row == s->centre_row && !s->centre_alone && c < 1) {
            double off[DSP_SURROUND_PAN_MAX_SPEAKERS];
            row_gains(s->phantom_x, s->nphantom, x, off);
            for (int i = 0, j = 0; i < m; i++) {
                int ch = s->by_row[first + i];
                double o = ch == s->centre ? 0 : off[j++]; /* the phantom row is this one without the centre */
                power[ch] = rp * (c * q[i] * q[i] + (1 - c) * o * o);
            }
        } else {
            for (int i = 0; i < m; i++)
                power[s->by_row[first + i]] = rp * q[i] * q[i];
        }
    }

    /* step 4 */
    if (spread > 0) {
        double wc = s->centre_alone ? 1 : c, sum_w = 0;
        for (int ch = 0; ch < s->nch; ch++)
            if (ch != s->lfe)
                sum_w += ch == s->centre ? wc : 1;
        for (int ch = 0; ch < s->nch; ch++)
            if (ch != s->lfe)
                power[ch] = (1 - spread) * power[ch] + spread * (ch == s->centre ? wc : 1) / sum_w;
    }

    for (int ch = 0; ch < DSP_SURROUND_PAN_MAX_SPEAKERS; ch++) /* most are 0 (sqrt(+-0) is itself) */
        gains[ch] = power[ch] == 0 ? power[ch] : sqrt(power[ch]);
    if (s->lfe >= 0)
        gains[s->lfe] = ra->lfe;
}

/* The rows of set, from the memo when its y, spread, centre and LFE are
 * the memo's (bit for bit), else worked out and remembered. */
static const dsp_surround_pan_rows *rows_of(const dsp_surround_pan *s, const dsp_surround_pan_setting *set,
                                            dsp_surround_pan_memo *memo)
{
    double key[4] = {set->y, set->spread, set->centre, set->lfe_db};
    if (!memo->rows_valid || memcmp(memo->rows_key, key, sizeof key) != 0) {
        memo->rows = rows_for(s, set);
        memcpy(memo->rows_key, key, sizeof key);
        memo->rows_valid = 1;
    }
    return &memo->rows;
}

/* Source channel side's point and the values its gains depend on. */
static double side_key(const dsp_surround_pan_setting *set, int nsrc, int side, double key[5])
{
    /* mono: the point at x; stereo: at x - width and x + width */
    double w = clamp(set->width, 0, 1);
    double x = nsrc == 1 ? clamp(set->x, -1, 1) : clamp(side == 0 ? set->x - w : set->x + w, -1, 1);
    key[0] = x, key[1] = set->y, key[2] = set->spread, key[3] = set->centre, key[4] = set->lfe_db;
    return x;
}

/* A row of gains (all DSP_SURROUND_PAN_MAX_SPEAKERS: a copy of fixed size
 * is a few vector moves, one of nch doubles a call into libc) */
static void copy_row(double *dst, const double *src)
{
    memcpy(dst, src, DSP_SURROUND_PAN_MAX_SPEAKERS * sizeof(double));
}

static void remember(dsp_surround_pan_memo *memo, int side, const double key[5], const double *gains)
{
    memo->side[side].valid = 1;
    memcpy(memo->side[side].key, key, sizeof memo->side[side].key);
    copy_row(memo->side[side].gains, gains);
}

void dsp_surround_pan_remembered(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, int nsrc,
                                 dsp_surround_pan_memo *memo, double gains[][DSP_SURROUND_PAN_MAX_SPEAKERS])
{
    for (int side = 0; side < nsrc; side++) {
        double key[5], x = side_key(set, nsrc, side, key);
        if (memo->side[side].valid && memcmp(memo->side[side].key, key, sizeof key) == 0) {
            copy_row(gains[side], memo->side[side].gains);
            continue;
        }
        place(s, rows_of(s, set, memo), x, gains[side]);
        remember(memo, side, key, gains[side]);
    }
}

void dsp_surround_pan_remembered2(const dsp_surround_pan *s, const dsp_surround_pan_setting *set0,
                                  const dsp_surround_pan_setting *set1, int nsrc, dsp_surround_pan_memo *memo,
                                  double g0[][DSP_SURROUND_PAN_MAX_SPEAKERS], double g1[][DSP_SURROUND_PAN_MAX_SPEAKERS])
{
    double rk0[4] = {set0->y, set0->spread, set0->centre, set0->lfe_db};
    double rk1[4] = {set1->y, set1->spread, set1->centre, set1->lfe_db};
    if (memcmp(rk0, rk1, sizeof rk0) != 0) { /* the rows move too: one after the other */
        dsp_surround_pan_remembered(s, set0, nsrc, memo, g0);
        dsp_surround_pan_remembered(s, set1, nsrc, memo, g1);
        return;
    }
    for (int side = 0; side < nsrc; side++) {
        double k0[5], k1[5], x[2];
        x[0] = side_key(set0, nsrc, side, k0);
        x[1] = side_key(set1, nsrc, side, k1);
        int hit0 = memo->side[side].valid && memcmp(memo->side[side].key, k0, sizeof k0) == 0;
        int hit1 = memcmp(k0, k1, sizeof k0) == 0; /* set1 finds set0's in the memo */
        if (hit0)
            copy_row(g0[side], memo->side[side].gains);
        if (hit0 && hit1) {
            copy_row(g1[side], g0[side]);
            continue;
        }
        const dsp_surround_pan_rows *ra = rows_of(s, set0, memo);
        if (!hit0 && !hit1 && is_point(s, ra)) {
            double g[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
            place_points(s, ra, x, 2, g);
            copy_row(g0[side], g[0]);
            copy_row(g1[side], g[1]);
        } else {
            if (!hit0)
                place(s, ra, x[0], g0[side]);
            if (hit1)
                copy_row(g1[side], g0[side]);
            else
                place(s, ra, x[1], g1[side]);
        }
        remember(memo, side, k1, g1[side]);
    }
}

void dsp_surround_pan_mono(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, double *gains)
{
    dsp_surround_pan_memo none;
    double g[1][DSP_SURROUND_PAN_MAX_SPEAKERS];
    memset(&none, 0, sizeof none);
    dsp_surround_pan_remembered(s, set, 1, &none, g);
    memcpy(gains, g[0], (size_t)s->nch * sizeof(double));
}

void dsp_surround_pan_stereo(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, double *left,
                             double *right)
{
    dsp_surround_pan_memo none;
    double g[2][DSP_SURROUND_PAN_MAX_SPEAKERS];
    memset(&none, 0, sizeof none);
    dsp_surround_pan_remembered(s, set, 2, &none, g);
    memcpy(left, g[0], (size_t)s->nch * sizeof(double));
    memcpy(right, g[1], (size_t)s->nch * sizeof(double));
}
