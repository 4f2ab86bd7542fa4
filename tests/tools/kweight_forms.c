/* kweight_forms.c - is the meter's 8-channel K-weighting bound by its
 * recursions' latency or by its operations' throughput? (issue 13, kw13;
 * docs/bench.md)
 *
 *   build/tools/kweight_forms [ROUNDS]
 *
 * Times, in CPU time, the K-weighting's loop body (dsp/loudness.c KSTEP as
 * it was until 2026-12-06, every product rounded then added: the 48 kHz
 * shelf then the high-pass, 8 channels one per lane of an AVX2 vector;
 * the meter now fuses them, meter14 in docs/bench.md) over 1024 samples of
 * noise again and again, in these forms:
 *   one group     KSTEP as the meter runs it: each sample waits for the
 *                 last through the two recursions (a multiply then a
 *                 subtract each).
 *   two groups    two independent groups of 8 channels interleaved (as
 *                 keights2 does for 16): twice the work, the chains
 *                 overlapping. Per group-sample near "one group" means the
 *                 loop is throughput-bound; near half of it, latency-bound.
 *   look-ahead    the recursions two samples at a time: y[n] as before,
 *                 y[n+1] = (w[n+1] - a1 w[n]) + a1 a2 y[n-2] + (a1^2 - a2)
 *                 y[n-1] (w the numerator's sum), the same for the
 *                 high-pass: the chain a sample halved, two operations a
 *                 sample more. Different bits from KSTEP (not the meter's).
 *   keights1      one group loaded as dsp/loudness.c's keights1 does:
 *                 runs of 4 samples from 8 channel arrays transposed in
 *                 registers (KLOAD8X4), with the sample peak (KPEAK).
 * each compiled for AVX2 (16 vector registers) and, where the CPU has
 * AVX-512, AVX-512VL at the same 256-bit width (32 registers). Prints the
 * median over ROUNDS (default 7) of ns per 8-channel sample, and the clock
 * estimated from a chain of dependent float adds (3 cycles each on Zen 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

typedef float v8f __attribute__((vector_size(32)));
typedef int v8si __attribute__((vector_size(32)));

enum { LEN = 1024, FORMS = 4 };

/* dsp_loudness_k_coefficients at 48 kHz (the published ones), in float */
static const float B0 = 1.53512485958697f, B1 = -2.69169618940638f, B2 = 1.19839281085285f;
static const float A1 = -1.69065929318241f, A2 = 0.73248077421585f;
static const float C1 = -1.99004745483398f, C2 = 0.99007225036621f;

typedef struct {
    v8f x1, x2, y1, y2, d1, v1, v2, acc;
} kstate;

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define KCONSTS                                                                                            \
    const v8f b0 = (v8f){0} + B0, b1 = (v8f){0} + B1, b2 = (v8f){0} + B2, a1 = (v8f){0} + A1;              \
    const v8f a2 = (v8f){0} + A2, c1 = (v8f){0} + C1, c2 = (v8f){0} + C2
#define KIN(s) v8f x1 = (s)->x1, x2 = (s)->x2, y1 = (s)->y1, y2 = (s)->y2, d1 = (s)->d1, v1 = (s)->v1, v2 = (s)->v2, acc = (s)->acc
#define KOUT(s) ((s)->x1 = x1, (s)->x2 = x2, (s)->y1 = y1, (s)->y2 = y2, (s)->d1 = d1, (s)->v1 = v1, (s)->v2 = v2, (s)->acc = acc)
/* dsp/loudness.c's KSTEP until 2026-12-06 (unfused), on the state X1 .. ACC */
#define KSTEP_ON(x, X1, X2, Y1, Y2, D1, V1, V2, ACC)                                                       \
    do {                                                                                                   \
        v8f y_ = (((b0 * (x) + b1 * X1) + b2 * X2) - a2 * Y2) - a1 * Y1;                                   \
        v8f d_ = y_ - Y1;                                                                                  \
        v8f v_ = ((d_ - D1) - c2 * V2) - c1 * V1;                                                          \
        X2 = X1, X1 = (x), Y2 = Y1, Y1 = y_, D1 = d_, V2 = V1, V1 = v_;                                    \
        ACC += v_ * v_;                                                                                    \
    } while (0)
#define KSTEP(x) KSTEP_ON(x, x1, x2, y1, y2, d1, v1, v2, acc)

/* the four forms for one target; s[0], s[1] the groups' states */
#define KFORMS(SUF, TARGET)                                                                                \
    TARGET __attribute__((noinline)) static void one_group##SUF(const v8f *in, float *const *q, kstate *s) \
    {                                                                                                      \
        KCONSTS;                                                                                           \
        KIN(s);                                                                                            \
        (void)q;                                                                                           \
        for (int i = 0; i < LEN; i++)                                                                      \
            KSTEP(in[i]);                                                                                  \
        KOUT(s);                                                                                           \
    }                                                                                                      \
    TARGET __attribute__((noinline)) static void two_groups##SUF(const v8f *in, float *const *q, kstate *s) \
    {                                                                                                      \
        kstate *t = s + 1;                                                                                 \
        (void)q;                                                                                           \
        KCONSTS;                                                                                           \
        v8f X1 = t->x1, X2 = t->x2, Y1 = t->y1, Y2 = t->y2, D1 = t->d1, V1 = t->v1, V2 = t->v2, ACC = t->acc; \
        KIN(s);                                                                                            \
        for (int i = 0; i < LEN; i++) {                                                                    \
            KSTEP(in[i]);                                                                                  \
            KSTEP_ON(in[LEN - 1 - i], X1, X2, Y1, Y2, D1, V1, V2, ACC);                                    \
        }                                                                                                  \
        KOUT(s);                                                                                           \
        t->x1 = X1, t->x2 = X2, t->y1 = Y1, t->y2 = Y2, t->d1 = D1, t->v1 = V1, t->v2 = V2, t->acc = ACC;  \
    }                                                                                                      \
    TARGET __attribute__((noinline)) static void look_ahead##SUF(const v8f *in, float *const *q, kstate *s) \
    {                                                                                                      \
        KCONSTS;                                                                                           \
        const v8f ya2 = (v8f){0} + (A1 * A1 - A2), ya3 = (v8f){0} + A1 * A2;                               \
        const v8f va2 = (v8f){0} + (C1 * C1 - C2), va3 = (v8f){0} + C1 * C2;                               \
        KIN(s);                                                                                            \
        (void)q;                                                                                           \
        for (int i = 0; i < LEN; i += 2) {                                                                 \
            v8f xa = in[i], xb = in[i + 1];                                                                \
            v8f wa = (b0 * xa + b1 * x1) + b2 * x2, wb = (b0 * xb + b1 * xa) + b2 * x1;                    \
            v8f ya = (wa - a2 * y2) - a1 * y1;                                                             \
            v8f yb = ((wb - a1 * wa) + ya3 * y2) + ya2 * y1;                                               \
            v8f da = ya - y1, db = yb - ya;                                                                \
            v8f ea = da - d1, eb = db - da;                                                                \
            v8f va = (ea - c2 * v2) - c1 * v1;                                                             \
            v8f vb = ((eb - c1 * ea) + va3 * v2) + va2 * v1;                                               \
            x2 = xa, x1 = xb, y2 = ya, y1 = yb, d1 = db, v2 = va, v1 = vb;                                 \
            acc += va * va;                                                                                \
            acc += vb * vb;                                                                                \
        }                                                                                                  \
        KOUT(s);                                                                                           \
    }                                                                                                      \
    TARGET __attribute__((noinline)) static void keights1##SUF(const v8f *in, float *const *q, kstate *s)  \
    {                                                                                                      \
        KCONSTS;                                                                                           \
        KIN(s);                                                                                            \
        (void)in;                                                                                          \
        const v8si kmag = (v8si){0} + 0x7fffffff;                                                          \
        v8si pk = {0};                                                                                     \
        for (int i = 0; i < LEN; i += 4) {                                                                 \
            __m256 c_[4], t_[4];                                                                           \
            v8f r[4];                                                                                      \
            _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++)                                            \
                c_[k] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(q[k] + i)),               \
                                             _mm_loadu_ps(q[k + 4] + i), 1);                               \
            t_[0] = _mm256_unpacklo_ps(c_[0], c_[1]), t_[1] = _mm256_unpackhi_ps(c_[0], c_[1]);            \
            t_[2] = _mm256_unpacklo_ps(c_[2], c_[3]), t_[3] = _mm256_unpackhi_ps(c_[2], c_[3]);            \
            r[0] = _mm256_shuffle_ps(t_[0], t_[2], 0x44), r[1] = _mm256_shuffle_ps(t_[0], t_[2], 0xee);    \
            r[2] = _mm256_shuffle_ps(t_[1], t_[3], 0x44), r[3] = _mm256_shuffle_ps(t_[1], t_[3], 0xee);    \
            _Pragma("GCC unroll 4") for (int t = 0; t < 4; t++) {                                          \
                KSTEP(r[t]);                                                                               \
                pk = (v8si)_mm256_max_epi32((__m256i)pk, (__m256i)((v8si)r[t] & kmag));                    \
            }                                                                                              \
        }                                                                                                  \
        acc[0] += (float)pk[0] * 0.0f;                                                                     \
        KOUT(s);                                                                                           \
    }

KFORMS(_avx2, __attribute__((target("avx2"))))
KFORMS(_avx512vl, __attribute__((target("avx2,avx512f,avx512vl"))))

typedef void kform(const v8f *in, float *const *q, kstate *s);
static const char *const form_name[FORMS] = {"one group", "two groups (per group)", "look-ahead by two", "keights1 (transpose, peak)"};
static const int form_groups[FORMS] = {1, 2, 1, 1};

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ns per (group-)sample of one form: the median of rounds of 20000 passes */
static double time_form(kform *f, int groups, const v8f *in, float *const *q, int rounds)
{
    double t[64];
    for (int r = 0; r < rounds; r++) {
        kstate s[2];
        memset(s, 0, sizeof s);
        double t0 = cpu_now();
        for (int p = 0; p < 20000; p++)
            f(in, q, s);
        t[r] = (cpu_now() - t0) / (20000.0 * LEN * groups) * 1e9;
        if (!(s[0].acc[0] > 0.0f)) /* keeps the work; never true on noise */
            t[r] = -1.0;
    }
    qsort(t, (size_t)rounds, sizeof *t, by_value);
    return t[rounds / 2];
}

/* ns a dependent float add: the clock is 3 over it on Zen 4 */
static double add_chain_ns(void)
{
    volatile float start = 1.0f, step = 1e-9f;
    float s = start, a = step;
    double t0 = cpu_now();
    for (long i = 0; i < 200000000; i++) {
        s += a;
        __asm__ volatile("" : "+x"(s));
    }
    double ns = (cpu_now() - t0) / 2e8 * 1e9;
    start = s;
    return ns;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 7;
    rounds = rounds < 1 ? 1 : rounds > 64 ? 64 : rounds;
    if (!__builtin_cpu_supports("avx2")) {
        printf("kweight_forms: needs AVX2\n");
        return 0;
    }
    v8f *in = aligned_alloc(64, LEN * sizeof *in);
    float *q[8];
    unsigned seed = 1;
    for (int l = 0; l < 8; l++)
        q[l] = aligned_alloc(64, LEN * sizeof(float));
    for (int i = 0; i < LEN; i++)
        for (int l = 0; l < 8; l++) {
            seed = seed * 1664525u + 1013904223u;
            in[i][l] = q[l][i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
        }
    kform *const avx2[FORMS] = {one_group_avx2, two_groups_avx2, look_ahead_avx2, keights1_avx2};
    kform *const avx512[FORMS] = {one_group_avx512vl, two_groups_avx512vl, look_ahead_avx512vl, keights1_avx512vl};
    int wide = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    double add_ns = add_chain_ns();
    printf("dependent float add %.3f ns (%.2f GHz if 3 cycles); CPU time, median of %d rounds\n", add_ns,
           3.0 / add_ns, rounds);
    printf("%-28s %12s %12s\n", "ns per 8-channel sample", "AVX2", wide ? "AVX-512VL" : "");
    for (int f = 0; f < FORMS; f++) {
        printf("%-28s %12.3f", form_name[f], time_form(avx2[f], form_groups[f], in, q, rounds));
        if (wide)
            printf(" %12.3f", time_form(avx512[f], form_groups[f], in, q, rounds));
        printf("\n");
    }
    for (int l = 0; l < 8; l++)
        free(q[l]);
    free(in);
    return 0;
}
#else
int main(void)
{
    printf("kweight_forms: x86-64 with gcc or clang only\n");
    return 0;
}
#endif
