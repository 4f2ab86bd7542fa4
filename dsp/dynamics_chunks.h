/* dynamics_chunks.h - dsp/dynamics.c's path for whole chunks of a linked
 * peak detector (see the comment there), written once for the builds that
 * have it: dynamics.c includes this file once per build, with
 *   CK_LANES      doubles a vector (8: 64-byte vectors, 4: 32-byte)
 *   CK_TARGET     the function attribute of that build
 *   CK_SUFFIX(x)  the names of this copy's types and functions
 *   CK_LOAD(x)    8 or 4 floats at x as doubles, in an intrinsic vector
 *   CK_SCALE(x, g)  x[0..CK_LANES) *= g (doubles, rounded to float first)
 *   CK_MAX(a, b), CK_MIN(a, b)  MAXPD and MINPD of that width
 *   CK_FLOOR(y)   y rounded toward -inf (VRNDSCALEPD / VROUNDPD)
 *   CK_PAIRS_LO(a, r), CK_PAIRS_HI: the lanes of a and r as pairs
 *                 {a[i], r[i]} in order, the first and second half
 *   CK_MASK_ALL(m)  every lane of the comparison mask m set
 *   K_TARGETS, K_APPLY  vectors side by side in the two passes
 * and defines peak_chunks_v (renamed by CK_SUFFIX); at its end it #undefs
 * them and its own names. Not a header of its
 * own module: it has no guard and nothing else includes it. */
#define gv_d CK_SUFFIX(gv_d)
#define gv_l CK_SUFFIX(gv_l)
#define gv_u CK_SUFFIX(gv_u)
#define gv_sel CK_SUFFIX(gv_sel)
#define gv_floor CK_SUFFIX(gv_floor)
#define gv_min CK_SUFFIX(gv_min)
#define gv_max CK_SUFFIX(gv_max)
#define gv_splat CK_SUFFIX(gv_splat)
#define gv_abs_load CK_SUFFIX(gv_abs_load)
#define chunk_consts_of CK_SUFFIX(chunk_consts_of)
#define gv_all CK_SUFFIX(gv_all)
#define chunk_consts CK_SUFFIX(chunk_consts)
#define rec_state CK_SUFFIX(rec_state)
#define rec_step CK_SUFFIX(rec_step)
#define rec_cursor CK_SUFFIX(rec_cursor)
#define rec_next CK_SUFFIX(rec_next)
#define chunk_targets CK_SUFFIX(chunk_targets)
#define chunk_apply CK_SUFFIX(chunk_apply)
#define peak_chunks CK_SUFFIX(peak_chunks)
#define peak_chunk CK_SUFFIX(peak_chunk)
#define peak_chunks_v CK_SUFFIX(peak_chunks_v)
#define NV (CHUNK / CK_LANES)

typedef double gv_d __attribute__((vector_size(CK_LANES * sizeof(double))));
typedef int64_t gv_l __attribute__((vector_size(CK_LANES * sizeof(int64_t))));
typedef uint64_t gv_u __attribute__((vector_size(CK_LANES * sizeof(uint64_t))));

/* m ? a : b, lane by lane (m all ones or zero) */
CK_TARGET __attribute__((always_inline)) static inline gv_d gv_sel(gv_l m, gv_d a, gv_d b)
{
    return (gv_d)(((gv_l)a & m) | ((gv_l)b & ~m));
}

/* a > b ? a : b and a < b ? a : b, lane by lane, in one instruction
 * (MAXPD and MINPD take the second operand where the comparison fails:
 * NaN in either, or two zeros), so they are the selects of the scalar
 * functions, NaNs and the signs of zeros included */
CK_TARGET __attribute__((always_inline)) static inline gv_d gv_max(gv_d a, gv_d b)
{
    return (gv_d)CK_MAX(a, b);
}

CK_TARGET __attribute__((always_inline)) static inline gv_d gv_min(gv_d a, gv_d b)
{
    return (gv_d)CK_MIN(a, b);
}

/* exp2_poly's i (floor(y) for |y| < 2^31, (int)y less 1 where y is below
 * it) as a double, in one rounding instruction: it differs only for y =
 * -0, where it gives -0 instead of +0, and there f = (y - i) ln 2 is a
 * zero either way, the series gives 1 + (+-0) = 1 and i + 2^52 + 1023 has
 * the same bits. y = (g + makeup) log2(10) / 20 lies in [-44, 10]: g in
 * [-200, 0] (every target, so every step between them), makeup in
 * [-60, 60] */
CK_TARGET __attribute__((always_inline)) static inline gv_d gv_floor(gv_d y)
{
    return (gv_d)CK_FLOOR(y);
}

/* v in every lane, by its bits (-0.0 stays -0.0) */
CK_TARGET __attribute__((always_inline)) static inline gv_d gv_splat(double v)
{
    int64_t b;
    memcpy(&b, &v, sizeof b);
    return (gv_d)((gv_l){0} + b);
}

/* |x[0..CK_LANES)| in doubles */
CK_TARGET __attribute__((always_inline)) static inline gv_d gv_abs_load(const float *x)
{
    return (gv_d)((gv_u)CK_LOAD(x) & INT64_MAX);
}

/* every lane of m set */
CK_TARGET __attribute__((always_inline)) static inline int gv_all(gv_l m)
{
    return CK_MASK_ALL(m);
}

/* The settings as locals: loads through s would be repeated after every
 * store to the audio. below: the compressor's quiet test (dsp_dyn's
 * quiet_below; 0: none); t0: the target there, -0 dB (quiet_below is 0
 * where it is not). unit: makeup 0 dB, so a gain of exactly 0 dB is a
 * factor of exactly 1. */
typedef struct {
    double t, hw, slope, inv_2w, kl, mk;
    gv_d lo, hi, w, range, zero, below, t0, caa, car;
    int unit;
} chunk_consts;

CK_TARGET __attribute__((always_inline)) static inline void chunk_consts_of(chunk_consts *c, const dsp_dyn *s)
{
    double lo, hi;
    level_consts(0, &lo, &hi, &c->kl);
    c->lo = gv_splat(lo), c->hi = gv_splat(hi);
    c->t = s->p.threshold_db, c->hw = 0.5 * s->p.knee_db, c->w = gv_splat(s->p.knee_db);
    c->slope = s->slope, c->inv_2w = s->inv_2w, c->range = gv_splat(s->p.range_db), c->zero = gv_splat(0.0);
    c->mk = s->p.makeup_db;
    c->below = gv_splat(s->quiet_below), c->t0 = gv_splat(-0.0);
    c->unit = s->p.makeup_db == 0.0;
    c->caa = gv_splat(1.0 - s->a_att), c->car = gv_splat(1.0 - s->a_rel);
}

typedef struct {
    d2 x, a, ar; /* x = {g, g}; a = {a_att, a_rel}; ar = {a_rel, a_rel} */
} rec_state;

/* One step toward the target *t: both candidates in one multiply and one
 * add, {a_att g + (1 - a_att) t, a_rel g + (1 - a_rel) t}, the products
 * of the target {(1 - a_att) t, (1 - a_rel) t} (ct) formed in the target
 * pass, 8 or 4 at a time (the same products: no FMA), then the one the
 * comparison picks put in both lanes by a permute whose control is the
 * comparison's mask (bit 1 of a lane set: the second candidate). So a
 * step is a multiply, an add, a compare and a permute (and two loads),
 * against four multiplies, two adds, a compare and a blend before; the
 * loop-carried path is as long (a multiply, an add and the permute), but
 * fewer of the recursion's operations compete with the vector work
 * woven around it for the floating-point pipes. */
CK_TARGET __attribute__((always_inline)) static inline void rec_step(rec_state *r, double *t, const double *ct,
                                                                     const int up)
{
    __m128d tv = _mm_loaddup_pd(t), x = (__m128d)r->x;
    __m128d both = _mm_add_pd(_mm_mul_pd((__m128d)r->a, x), _mm_load_pd(ct));
    __m128d rel = up ? _mm_cmp_pd(tv, x, _CMP_GT_OQ) : _mm_cmp_pd(tv, x, _CMP_LT_OQ);
    r->x = (d2)_mm_permutevar_pd(both, (__m128i)rel);
    *t = r->x[0];
}


/* A chunk's recursion spread over other work: t[step++] at each call until
 * the chunk is done. NULL: none. quiet (or NULL): per CK_LANES targets, 1
 * where all are -0 dB, for the compressor with g <= 0: there the step is
 * g = a_rel g, the same bits. rec_step forms a_att g + (1 - a_att)(-0) =
 * a_att g (x + -0 is x for every x, zeros included) and a_rel g the same
 * way, and takes the second where -0 > g: for g < 0 that is a_rel g, for
 * g = +-0 both are g. */
typedef struct {
    rec_state r;
    double *t;
    const double *ct; /* the pairs of products of t's targets, in step order */
    const unsigned char *quiet;
    int step, up;
} rec_cursor;

CK_TARGET __attribute__((always_inline)) static inline void rec_next(rec_cursor *rc)
{
    if (rc && rc->step < CHUNK) {
        const int i = rc->step++;
        if (rc->quiet && rc->quiet[i / CK_LANES]) {
            rc->r.x = rc->r.ar * rc->r.x;
            rc->t[i] = rc->r.x[0];
        } else {
            rec_step(&rc->r, rc->t + i, rc->ct + 2 * i, rc->up);
        }
    }
}

/* det[0..CHUNK) = the gain computer's targets for the key samples at
 * offset off of k[0..nk): detect (linked: max or mean), level_db and
 * gain_computer, K vectors at a time, and ct the products of the
 * targets that rec_step adds (NULL: none); with rc, the first half of
 * another chunk's recursion (steps 0 to CHUNK / 2), spread over the
 * groups' work: a slot after each vector's log2 set-up, each term of the
 * series and each vector's gain computer. The compressor's
 * vectors below its quiet test take the target -0 dB without the rest;
 * quiet[v] = 1 where vector v's targets are all -0 dB. */
CK_TARGET __attribute__((always_inline)) static inline void chunk_targets(const chunk_consts *c, const float *const *k, int nk,
                                                                const int mean, int off, double *restrict det,
                                                                double *restrict ct, unsigned char *quiet, const int mode, const int K,
                                                                rec_cursor *rc)
{
    gv_d d[NV];
    for (int v = 0; v < NV; v++)
        d[v] = gv_abs_load(k[0] + off + v * CK_LANES);
    for (int ch = 1; ch < nk; ch++)
        for (int v = 0; v < NV; v++) {
            gv_d a = gv_abs_load(k[ch] + off + v * CK_LANES);
            d[v] = mean ? d[v] + a : gv_max(a, d[v]);
        }
    for (int v0 = 0; v0 < NV; v0 += K) {
        if (mean && nk > 1)
            for (int v = v0; v < v0 + K; v++)
                d[v] *= 1.0 / nk;
        if (mode == DSP_DYN_COMPRESS) {
            int below = 1;
            for (int v = v0; v < v0 + K; v++)
                below &= gv_all(d[v] < c->below);
            if (below) {
                for (int v = v0; v < v0 + K; v++) {
                    *(gv_d *)(det + v * CK_LANES) = c->t0;
                    if (ct) /* (1 - a) (-0) is -0 for every a <= 1 */
                        *(gv_d *)(ct + v * 2 * CK_LANES) = *(gv_d *)(ct + v * 2 * CK_LANES + CK_LANES) = c->t0;
                    quiet[v] = 1;
                }
                for (int j = 0; j < 6 * K; j++)
                    rec_next(rc);
                continue;
            }
        }
        gv_d e[NV], sv[NV], s2[NV], p[NV];
        for (int v = v0; v < v0 + K; v++) { /* level_db's clamps, then log2_poly up to its series */
            gv_d x = d[v];
            x = gv_min(gv_max(x, c->lo), c->hi);
            gv_u b = (gv_u)x, mant = b & UINT64_C(0x000fffffffffffff);
            gv_u big = (gv_u)(mant > UINT64_C(0x6a09e667f3bcc)); /* all ones where log2_poly's big is 1 */
            e[v] = (gv_d)(((b >> 52) - big) | UINT64_C(0x4330000000000000)) - 4503599627371519.0;
            gv_d m = (gv_d)(mant | (UINT64_C(0x3ff0000000000000) - (big & (UINT64_C(1) << 52))));
            sv[v] = (m - 1.0) / (m + 1.0);
            s2[v] = sv[v] * sv[v];
            p[v] = s2[v] * (1.0 / 15);
        }
        static const double series[] = {1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3};
        for (int j = 0; j < 6; j++) {
            for (int v = v0; v < v0 + K; v++)
                p[v] = series[j] + p[v];
            for (int v = v0; v < v0 + K; v++) {
                p[v] = s2[v] * p[v];
                rec_next(rc);
            }
        }
        for (int v = v0; v < v0 + K; v++) {
            gv_d l = c->kl * (e[v] + sv[v] * (1.0 + p[v]) * 2.88539008177792681472), g;
            if (mode == DSP_DYN_GATE) {
                g = gv_sel(l >= c->t, c->zero, c->range);
            } else { /* gc_knee */
                gv_d x = mode == DSP_DYN_COMPRESS ? l - c->t : c->t - l;
                gv_d u = x + c->hw, ex = x - c->hw;
                u = gv_min(gv_max(u, c->zero), c->w);
                ex = gv_max(ex, c->zero);
                g = c->slope * (u * u * c->inv_2w + ex);
                g = gv_max(g, c->range);
            }
            *(gv_d *)(det + v * CK_LANES) = g;
            if (ct) {
                gv_d pa = c->caa * g, pr = c->car * g;
                *(gv_d *)(ct + v * 2 * CK_LANES) = (gv_d)CK_PAIRS_LO(pa, pr);
                *(gv_d *)(ct + v * 2 * CK_LANES + CK_LANES) = (gv_d)CK_PAIRS_HI(pa, pr);
            }
            quiet[v] = gv_all((gv_l)g == (gv_l)c->t0);
        }
    }
}

/* io[0..nch) at offset off times 10^((g[i] + makeup) / 20), i < CHUNK:
 * to_gain and the multiply, K vectors at a time; with rc, the second half
 * of another chunk's recursion (steps CHUNK / 2 to CHUNK), spread as in
 * chunk_targets: a slot after each vector's exp2 set-up, each term of the
 * series and each vector's multiply. With makeup 0 dB, vectors whose gains
 * are all 0 dB (either sign) are multiplied by 1 without the series:
 * exp2_poly's y is then +0 and its result exactly 1. (Gains within 1e-7
 * dB of 0, whose float is 1 too, were tried: no gain on the film mix.) */
CK_TARGET __attribute__((always_inline)) static inline void chunk_apply(const chunk_consts *c, const double *restrict g,
                                                              float *const *io, int nch, int off, const int K,
                                                              rec_cursor *rc)
{
    const double kx = 0.16609640474436811739; /* as to_gain's */
    for (int v0 = 0; v0 < NV; v0 += K) {
        if (c->unit) {
            int unity = 1;
            for (int v = v0; v < v0 + K; v++)
                unity &= gv_all(*(const gv_d *)(g + v * CK_LANES) == c->zero);
            if (unity) {
                const gv_d one = c->zero + 1.0;
                for (int v = v0; v < v0 + K; v++)
                    for (int ch = 0; ch < nch; ch++)
                        CK_SCALE(io[ch] + off + v * CK_LANES, one);
                for (int j = 0; j < 10 * K; j++)
                    rec_next(rc);
                continue;
            }
        }
        gv_d f[NV], p[NV], id[NV];
        for (int v = v0; v < v0 + K; v++) { /* exp2_poly up to its series, its i as an exact double */
            gv_d y = (*(const gv_d *)(g + v * CK_LANES) + c->mk) * kx;
            id[v] = gv_floor(y);
            f[v] = (y - id[v]) * 0.69314718055994530942;
            p[v] = f[v] * (1.0 / 39916800);
        }
        static const double series[] = {1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720,
                                        1.0 / 120,     1.0 / 24,     1.0 / 6,     1.0 / 2,    1.0};
        for (int j = 0; j < 10; j++) {
            for (int v = v0; v < v0 + K; v++)
                p[v] = series[j] + p[v];
            for (int v = v0; v < v0 + K; v++) {
                p[v] = f[v] * p[v];
                rec_next(rc);
            }
        }
        for (int v = v0; v < v0 + K; v++) {
            /* (i + 1023) << 52: i + 1023 + 2^52 holds i + 1023 in its low bits */
            gv_u bits = (gv_u)(id[v] + 4503599627371519.0) << 52;
            gv_d gain = (1.0 + p[v]) * (gv_d)bits;
            for (int ch = 0; ch < nch; ch++)
                CK_SCALE(io[ch] + off + v * CK_LANES, gain);
        }
    }
    while (rc && rc->step < CHUNK)
        rec_next(rc);
}

/* A whole chunk at offset off, the flush phase at 0: chunk_targets, the
 * recursion as in gains, chunk_apply. */
CK_TARGET __attribute__((always_inline)) static inline void peak_chunk(dsp_dyn *s, const float *const *k, int nk,
                                                             float *const *io, int nch, int off,
                                                             double *restrict det, const int mode)
{
    chunk_consts c;
    unsigned char quiet[NV];
    chunk_consts_of(&c, s);
    chunk_targets(&c, k, nk, s->p.link == DSP_DYN_LINK_MEAN, off, det, NULL, quiet, mode, K_TARGETS, NULL);
    const double aa = s->a_att, ar = s->a_rel;
    const int hold_n = s->hold_n;
    double g = s->g[0];
    int h = s->hold[0];
    for (int i = 0; i < CHUNK; i++)
        det[i] = follow(det[i], &g, &h, aa, ar, mode == DSP_DYN_COMPRESS, hold_n);
    s->g[0] = g;
    s->hold[0] = h;
    chunk_apply(&c, det, io, nch, off, K_APPLY, NULL);
}

/* nc >= 1 whole chunks from offset off, the flush phase at 0, without a
 * hold (hold_n and the counter 0): in round c, chunk c + 2's targets and
 * chunk c's gains, with chunk c + 1's recursion woven into both (its
 * first half into the targets, its second into the gains). The
 * recursion reads targets stored a round earlier and its gains are read a
 * round later: a vector load of values stored one at a time (or the
 * reverse) cannot be served from the store queue and would wait for the
 * stores to retire. */
CK_TARGET __attribute__((always_inline)) static inline void peak_chunks(dsp_dyn *s, const float *const *k, int nk,
                                                              float *const *io, int nch, int off, int nc,
                                                              const int mode)
{
    double buf[3][CHUNK] __attribute__((aligned(64))), ct[3][2 * CHUNK] __attribute__((aligned(64)));
    unsigned char quiet[3][NV];
    chunk_consts c;
    chunk_consts_of(&c, s);
    const int mean = s->p.link == DSP_DYN_LINK_MEAN, up = mode == DSP_DYN_COMPRESS;
    const double aa = s->a_att, ar = s->a_rel;
    rec_cursor rc = {.r = {.x = {s->g[0], s->g[0]}, .a = {aa, ar}, .ar = {ar, ar}},
                     .t = buf[0], .ct = ct[0], .step = 0, .up = up};
    /* the recursion's quiet steps: the compressor with g <= 0, as it stays
     * (its targets are <= 0, and so are both steps' results) */
    const int quiet_steps = mode == DSP_DYN_COMPRESS && s->g[0] <= 0.0;
    rc.quiet = quiet_steps ? quiet[0] : NULL;
    chunk_targets(&c, k, nk, mean, off, buf[0], ct[0], quiet[0], mode, K_TARGETS, NULL);
    if (nc > 1)
        chunk_targets(&c, k, nk, mean, off + CHUNK, buf[1], ct[1], quiet[1], mode, K_TARGETS, NULL);
    while (rc.step < CHUNK)
        rec_next(&rc);
    for (int ci = 0; ci < nc; ci++) {
        double g = rc.r.x[0]; /* flush's, for this slot, at the end of chunk ci */
        g = fabs(g) < GAIN_FLUSH ? 0.0 : g;
        rc.r.x = (d2){g, g};
        if (ci + 1 == nc)
            break;
        rc.t = buf[(ci + 1) % 3], rc.ct = ct[(ci + 1) % 3], rc.step = 0; /* chunk ci + 1's recursion, over the two */
        rc.quiet = quiet_steps ? quiet[(ci + 1) % 3] : NULL;
        if (ci + 2 < nc)
            chunk_targets(&c, k, nk, mean, off + (ci + 2) * CHUNK, buf[(ci + 2) % 3], ct[(ci + 2) % 3],
                          quiet[(ci + 2) % 3], mode, K_TARGETS, &rc);
        chunk_apply(&c, buf[ci % 3], io, nch, off + ci * CHUNK, K_APPLY, &rc);
    }
    chunk_apply(&c, buf[(nc - 1) % 3], io, nch, off + (nc - 1) * CHUNK, K_APPLY, NULL);
    flush(s); /* the other slots and the mean squares: unused here, as flush leaves them */
    s->g[0] = rc.r.x[0];
}

/* Whole chunks from offset off (nc >= 1, the flush phase at 0): a
 * function of its own, called per process call, so that the intrinsics
 * stay in the build they belong to. */
CK_TARGET static void peak_chunks_v(dsp_dyn *s, const float *const *k, int nk, float *const *io, int nch, int off,
                                      int nc)
{
    const int mode = (int)s->p.mode;
    if (s->hold_n == 0 && s->hold[0] == 0) {
        if (mode == DSP_DYN_COMPRESS)
            peak_chunks(s, k, nk, io, nch, off, nc, DSP_DYN_COMPRESS);
        else if (mode == DSP_DYN_EXPAND)
            peak_chunks(s, k, nk, io, nch, off, nc, DSP_DYN_EXPAND);
        else
            peak_chunks(s, k, nk, io, nch, off, nc, DSP_DYN_GATE);
        return;
    }
    double det[CHUNK] __attribute__((aligned(64)));
    for (int ci = 0; ci < nc; ci++) {
        if (mode == DSP_DYN_COMPRESS)
            peak_chunk(s, k, nk, io, nch, off + ci * CHUNK, det, DSP_DYN_COMPRESS);
        else if (mode == DSP_DYN_EXPAND)
            peak_chunk(s, k, nk, io, nch, off + ci * CHUNK, det, DSP_DYN_EXPAND);
        else
            peak_chunk(s, k, nk, io, nch, off + ci * CHUNK, det, DSP_DYN_GATE);
        flush(s);
    }
}

#undef NV
#undef peak_chunks_v
#undef gv_d
#undef gv_l
#undef gv_u
#undef gv_sel
#undef gv_floor
#undef gv_min
#undef gv_max
#undef gv_splat
#undef gv_abs_load
#undef chunk_consts_of
#undef gv_all
#undef chunk_consts
#undef rec_state
#undef rec_step
#undef rec_cursor
#undef rec_next
#undef chunk_targets
#undef chunk_apply
#undef peak_chunks
#undef peak_chunk
/* and the includer's parameters, so the next copy sets its own */
#undef CK_LANES
#undef CK_TARGET
#undef CK_SUFFIX
#undef CK_LOAD
#undef CK_SCALE
#undef CK_MASK_ALL
#undef CK_MAX
#undef CK_MIN
#undef CK_FLOOR
#undef CK_PAIRS_LO
#undef CK_PAIRS_HI
#undef K_TARGETS
#undef K_APPLY
