/* kweight_float.c - what the meter's K-weighting arithmetic changes in its
 * readings (issue 13: the meter's cost; dsp/loudness filtered in double
 * until meter13c, in float with every product rounded until session 14,
 * in float with fused multiply-adds since: docs/loudness.md).
 *
 *   build/tools/kweight_float FILE...
 *
 * Each file is read whole by libsndfile (float samples, the meter's input)
 * and measured three times by a plain BS.1770-4 / Tech 3342 measurement
 * written out here: I (400 ms blocks every 100 ms, gates -70 LUFS and -10
 * LU), LRA (3 s values every 100 ms, gates -70 LUFS and -20 LU, 10th and
 * 95th percentiles by Tech 3342's rank rule round((n - 1) p / 100 + 1)),
 * and the largest M and S on the 100 ms grid. All use the meter's
 * coefficients (dsp_loudness_k_coefficients), its filter structure (Direct
 * Form I shelf, then the high-pass with numerator (1 - z^-1)^2 done as a
 * difference of differences), its channel weights, and sum each 10 ms of
 * squares before adding them up in double:
 *   double  every operation in double, each product rounded then added:
 *           the meter before meter13c;
 *   float   the same operations in float (coefficients rounded to float,
 *           squares summed in float over each 10 ms): the meter from
 *           meter13c to session 13;
 *   fused   the meter's arithmetic now (dsp/loudness.c KSTEP, which its
 *           kernels do in this order): float, the shelf's b0 taken out of
 *           the filter into the weight of the squares (b0^2), every
 *           product fused with the addition after it (fmaf: one
 *           rounding).
 * The meter itself (dsp_loudness) also measures the file, and its I is
 * printed beside them (its histogram method agrees with the plain one
 * within 0.01 LU; loudness.h), so the fused column is known to be the
 * meter's reading.
 *
 * Prints one line a file:
 *   I_METER I_FUSED dI dLRA dMAX_M dMAX_S  eI eLRA eMAX_M eMAX_S FILE
 * where dX = X(float) - X(double) and eX = X(fused) - X(float) in LU (how
 * far the readings moved in session 14; 0 where both are undefined), and
 * last lines with the largest |dX| and |eX| of each over the files, the
 * largest |I_METER - I_FUSED|, and the largest |X(fused) - X(double)|.
 * Exit status 1 when a file could not be read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "dsp/loudness.h"
#include "tests/tools/bench_util.h"

typedef struct {
    double i, lra, max_m, max_s;
} reading;

/* The 100 ms hop energies sum_c w_c sum(v^2) of every whole hop, one filter
 * arithmetic: T the type the filter and the 10 ms sums run in, STEP one
 * sample (xi to v, adding v^2 to acc), GAIN what the sums of squares are
 * multiplied by besides the channel's weight. */
#define HOP_ENERGIES(NAME, T, STEP, GAIN)                                                               \
    static void NAME(float *const *x, int channels, long n, double rate, double *hop_e, long hops)     \
    {                                                                                                   \
        double bd[3], ad[3], a2d[3];                                                                    \
        dsp_loudness_k_coefficients(rate, bd, ad, a2d);                                                 \
        long hop = lround(rate / 10.0);                                                                 \
        for (long h = 0; h < hops; h++)                                                                 \
            hop_e[h] = 0.0;                                                                             \
        for (int c = 0; c < channels; c++) {                                                            \
            double w = dsp_loudness_default_weight(channels, c) * (GAIN);                               \
            if (w == 0.0)                                                                               \
                continue;                                                                               \
            T x1 = 0, x2 = 0, y1 = 0, y2 = 0, d1 = 0, v1 = 0, v2 = 0;                                   \
            for (long h = 0; h < hops; h++) {                                                           \
                double e = 0.0;                                                                         \
                for (int k = 0; k < 10; k++) {                                                          \
                    long from = h * hop + k * hop / 10, to = h * hop + (k + 1) * hop / 10;              \
                    T acc = 0;                                                                          \
                    for (long i = from; i < to && i < n; i++) {                                         \
                        T xi = (T)x[c][i];                                                              \
                        STEP(T)                                                                         \
                        x2 = x1, x1 = xi, y2 = y1, y1 = y, d1 = d, v2 = v1, v1 = v;                     \
                    }                                                                                   \
                    e += (double)acc;                                                                   \
                }                                                                                       \
                hop_e[h] += w * e;                                                                      \
            }                                                                                           \
        }                                                                                               \
    }
/* every product rounded, then added, coefficients rounded to T: the meter
 * in double before meter13c, in float from then to session 13 */
#define STEP_PLAIN(T)                                                                                   \
    const T b0 = (T)bd[0], b1 = (T)bd[1], b2 = (T)bd[2], a1 = (T)ad[1], a2 = (T)ad[2];                  \
    const T c1 = (T)a2d[1], c2 = (T)a2d[2];                                                             \
    T y = (((b0 * xi + b1 * x1) + b2 * x2) - a2 * y2) - a1 * y1;                                        \
    T d = y - y1;                                                                                       \
    T v = ((d - d1) - c2 * v2) - c1 * v1;                                                               \
    acc += v * v;
/* the meter's now (dsp/loudness.c KSTEP): b0 taken out of the shelf into
 * the squares' weight (GAIN b0^2), the denominators negated, every product
 * fused with the add after it (one rounding) */
#define STEP_FUSED(T)                                                                                   \
    const T n1 = (T)(bd[1] / bd[0]), n2 = (T)(bd[2] / bd[0]);                                           \
    const T a1 = (T)-ad[1], a2 = (T)-ad[2], c1 = (T)-a2d[1], c2 = (T)-a2d[2];                           \
    T y = fmaf(a1, y1, fmaf(a2, y2, fmaf(n1, x1, fmaf(n2, x2, xi))));                                   \
    T d = y - y1;                                                                                       \
    T v = fmaf(c1, v1, fmaf(c2, v2, d - d1));                                                           \
    acc = fmaf(v, v, acc);
HOP_ENERGIES(hops_double, double, STEP_PLAIN, 1.0)
HOP_ENERGIES(hops_float, float, STEP_PLAIN, 1.0)
HOP_ENERGIES(hops_fused, float, STEP_FUSED, bd[0] * bd[0])

static double lufs(double e)
{
    return e > 0.0 ? -0.691 + 10.0 * log10(e) : -INFINITY;
}

/* the mean of the energies above both gates (abs -70 LUFS, rel `rel` LU
 * below the mean of those above the absolute one), as loudness; keeps the
 * gated values' loudness in kept[0 .. *nkept) */
static double gated(const double *e, long n, double rel, double *kept, long *nkept)
{
    double sum = 0.0;
    long m = 0;
    for (long k = 0; k < n; k++)
        if (lufs(e[k]) > -70.0)
            sum += e[k], m++;
    *nkept = 0;
    if (m == 0)
        return -INFINITY;
    double thr = lufs(sum / (double)m) + rel, s2 = 0.0;
    long m2 = 0;
    for (long k = 0; k < n; k++)
        if (lufs(e[k]) > -70.0 && lufs(e[k]) > thr) {
            s2 += e[k], m2++;
            kept[(*nkept)++] = lufs(e[k]);
        }
    return m2 ? lufs(s2 / (double)m2) : -INFINITY;
}

static reading measure(const double *hop_e, long hops, double rate)
{
    reading r = {-INFINITY, 0.0, -INFINITY, -INFINITY};
    double hop = (double)lround(rate / 10.0);
    double *m = malloc(sizeof *m * (size_t)(hops + 1)), *s = malloc(sizeof *s * (size_t)(hops + 1));
    double *kept = malloc(sizeof *kept * (size_t)(hops + 1));
    long nm = 0, ns = 0, nkept;
    for (long k = 3; k < hops; k++) {
        double e = (hop_e[k - 3] + hop_e[k - 2] + hop_e[k - 1] + hop_e[k]) / (4.0 * hop);
        m[nm++] = e;
        r.max_m = lufs(e) > r.max_m ? lufs(e) : r.max_m;
    }
    for (long k = 29; k < hops; k++) {
        double e = 0.0;
        for (long j = k - 29; j <= k; j++)
            e += hop_e[j];
        e /= 30.0 * hop;
        s[ns++] = e;
        r.max_s = lufs(e) > r.max_s ? lufs(e) : r.max_s;
    }
    r.i = gated(m, nm, -10.0, kept, &nkept);
    gated(s, ns, -20.0, kept, &nkept);
    if (nkept >= 2) {
        qsort(kept, (size_t)nkept, sizeof *kept, bench_cmp_double);
        long lo = (long)floor((double)(nkept - 1) * 0.10 + 0.5), hi = (long)floor((double)(nkept - 1) * 0.95 + 0.5);
        r.lra = kept[hi] - kept[lo];
    }
    free(m);
    free(s);
    free(kept);
    return r;
}

static double diff(double f, double d)
{
    if (isinf(f) && isinf(d))
        return 0.0;
    return f - d;
}

static double worst[13];

/* one file: 0, or 1 with a message on stderr */
static int one(const char *path)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        fprintf(stderr, "kweight_float: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    long n = (long)info.frames;
    int nch = info.channels;
    float *inter = malloc(sizeof *inter * (size_t)n * (size_t)nch);
    float **x = malloc(sizeof *x * (size_t)nch);
    long hops = n / lround(info.samplerate / 10.0);
    double *hop_e = calloc((size_t)(hops + 1), sizeof *hop_e);
    int rc = 1;
    if (x)
        memset(x, 0, sizeof *x * (size_t)nch);
    if (nch > 64 || !inter || !x || !hop_e || sf_readf_float(sf, inter, n) != n) {
        fprintf(stderr, "kweight_float: %s: cannot read it whole\n", path);
        goto done;
    }
    for (int c = 0; c < nch; c++) {
        if (!(x[c] = malloc(sizeof **x * (size_t)(n + 1)))) {
            fprintf(stderr, "kweight_float: %s: out of memory\n", path);
            goto done;
        }
        for (long i = 0; i < n; i++)
            x[c][i] = inter[i * nch + c];
    }
    dsp_loudness_config cfg;
    dsp_loudness_config_init(&cfg, info.samplerate, nch);
    cfg.true_peak = 0;
    dsp_loudness *meter = dsp_loudness_create(&cfg);
    if (!meter) {
        fprintf(stderr, "kweight_float: %s: no meter for %d channels at %d Hz\n", path, nch, info.samplerate);
        goto done;
    }
    {
        const float *ch[64];
        for (long i = 0; i < n; i += 4096) {
            for (int c = 0; c < nch; c++)
                ch[c] = x[c] + i;
            dsp_loudness_process(meter, ch, n - i < 4096 ? (int)(n - i) : 4096);
        }
    }
    dsp_loudness_result mr;
    dsp_loudness_get(meter, &mr);
    dsp_loudness_destroy(&meter);

    hops_double(x, nch, n, info.samplerate, hop_e, hops);
    reading d = measure(hop_e, hops, info.samplerate);
    hops_float(x, nch, n, info.samplerate, hop_e, hops);
    reading f = measure(hop_e, hops, info.samplerate);
    hops_fused(x, nch, n, info.samplerate, hop_e, hops);
    reading u = measure(hop_e, hops, info.samplerate);
    double dx[8] = {diff(f.i, d.i), diff(f.lra, d.lra), diff(f.max_m, d.max_m), diff(f.max_s, d.max_s),
                    diff(u.i, f.i), diff(u.lra, f.lra), diff(u.max_m, f.max_m), diff(u.max_s, f.max_s)};
    for (int k = 0; k < 8; k++)
        worst[k] = fabs(dx[k]) > worst[k] ? fabs(dx[k]) : worst[k];
    double du[4] = {diff(u.i, d.i), diff(u.lra, d.lra), diff(u.max_m, d.max_m), diff(u.max_s, d.max_s)};
    for (int k = 0; k < 4; k++)
        worst[9 + k] = fabs(du[k]) > worst[9 + k] ? fabs(du[k]) : worst[9 + k];
    double dm = diff(mr.integrated_lufs, u.i);
    worst[8] = fabs(dm) > worst[8] ? fabs(dm) : worst[8];
    printf("%8.3f %8.3f %+.6f %+.6f %+.6f %+.6f  %+.6f %+.6f %+.6f %+.6f %s\n", mr.integrated_lufs, u.i, dx[0], dx[1],
           dx[2], dx[3], dx[4], dx[5], dx[6], dx[7], path);
    rc = 0;
done:
    for (int c = 0; x && c < nch; c++)
        free(x[c]);
    free(inter);
    free(x);
    free(hop_e);
    sf_close(sf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: kweight_float FILE...\n");
        return 2;
    }
    int rc = 0;
    printf("# I_meter I_fused, float minus double: dI dLRA dmaxM dmaxS, fused minus float: dI dLRA dmaxM dmaxS (LU)\n");
    for (int k = 1; k < argc; k++)
        rc |= one(argv[k]);
    printf("# largest |d|, float minus double: I %.6f LRA %.6f max M %.6f max S %.6f LU\n", worst[0], worst[1],
           worst[2], worst[3]);
    printf("# largest |d|, fused minus float: I %.6f LRA %.6f max M %.6f max S %.6f LU; |I_meter - I_fused| %.6f LU\n",
           worst[4], worst[5], worst[6], worst[7], worst[8]);
    printf("# largest |d|, fused minus double: I %.6f LRA %.6f max M %.6f max S %.6f LU\n", worst[9], worst[10],
           worst[11], worst[12]);
    return rc;
}
