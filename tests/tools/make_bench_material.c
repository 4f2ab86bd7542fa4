/* make_bench_material.c - writes the reference material of the benchmark
 * (shared/BENCH.md): 8 mono dialogue tracks, 8 stereo music tracks and 8
 * stereo effects tracks, 48 kHz, 24-bit PCM in a plain WAVE_FORMAT_PCM file.
 *
 *   build/tools/make_bench_material DIR [SECONDS]     (default 600 s)
 *
 * Files: DIR/dx01.wav..dx08.wav, mx01..mx08, fx01..fx08. A file that already
 * holds the expected frames in the expected format is kept, so a re-run
 * costs a few milliseconds. New files are written under a temporary name and
 * renamed when complete, so an interrupted run leaves no half file behind.
 *
 * The signals are synthetic but shaped like what they stand for, so that
 * filters, compressor and limiter see realistic levels and dynamics:
 *   dialogue  phrases of 1-6 s made of syllables (half-sine envelopes at 3-8
 *             per second), a glottal sawtooth or fricative noise through
 *             three formant resonators, separated by room tone;
 *   music     4-note chords from a per-track harmonic wavetable, slow
 *             attack/decay envelopes, slightly detuned and panned per
 *             channel, over a little low-passed noise;
 *   effects   a low-passed noise bed with slowly moving level, plus
 *             impulsive hits (exponentially decaying noise through a
 *             resonator) at random times and pan positions.
 *
 * Everything comes from one fixed-seed PRNG per file (xorshift64*), so the
 * files are identical on every run. Speed matters (3.5 GB for the 600 s
 * set): oscillators are phase accumulators over a wavetable, envelopes are
 * linear ramps or one-multiply decays, and transcendental functions are
 * only called once per segment (syllable, chord, hit), never per sample.
 * Files are spread over one worker process per CPU.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sndfile.h>

#define RATE 48000
#define CHUNK_FRAMES 65536
#define N_PER_KIND 8
#define TABLE_BITS 12
#define TABLE_SIZE (1 << TABLE_BITS)

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---------------------------------------------------------------- PRNG */

typedef struct {
    uint64_t s;
} rng;

static void rng_seed(rng *r, uint64_t seed)
{
    /* splitmix64 of the seed: any seed, including 0, gives a good state */
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    r->s = (z ^ (z >> 31)) | 1;
}

static inline uint32_t rng_u32(rng *r)
{
    uint64_t s = r->s;
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    r->s = s;
    return (uint32_t)((s * 2685821657736338717ull) >> 32);
}

/* uniform in [-1, 1) */
static inline float rng_bi(rng *r)
{
    return (float)(int32_t)rng_u32(r) * (1.0f / 2147483648.0f);
}

/* uniform in [lo, hi) */
static double rng_range(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * (rng_u32(r) * (1.0 / 4294967296.0));
}

static int64_t secs(double s)
{
    return (int64_t)(s * RATE + 0.5);
}

/* Two-pole resonator with unity gain at its centre frequency (approximately,
 * for narrow bands): y = b0 x + a1 y1 - a2 y2. */
typedef struct {
    float b0, a1, a2, y1, y2;
} reson;

static void reson_set(reson *f, double freq, double bw)
{
    double w = 2.0 * M_PI * freq / RATE;
    double r = exp(-M_PI * bw / RATE);
    f->a1 = (float)(2.0 * r * cos(w));
    f->a2 = (float)(r * r);
    f->b0 = (float)((1.0 - r) * sqrt(1.0 - 2.0 * r * cos(2.0 * w) + r * r));
}

/* ------------------------------------------------------------ dialogue */

typedef struct {
    rng r;
    int64_t seg_left;      /* frames left in the current segment */
    int64_t phrase_left;   /* frames of syllables left in this phrase */
    int in_phrase;
    /* syllable envelope: half sine by recurrence e[n] = c e[n-1] - e[n-2] */
    float env1, env2, env_c, amp;
    int voiced;
    uint32_t phase, inc;   /* glottal sawtooth */
    int32_t inc_step;      /* pitch glide per frame */
    float tilt;            /* one-pole state: source spectral tilt */
    reson fm[3];
    float fm_gain[3];
    float room;            /* room-tone low-pass state */
    double f0_base;
} dx_state;

static void dx_init(dx_state *s, uint64_t seed, int k)
{
    memset(s, 0, sizeof *s);
    rng_seed(&s->r, seed);
    /* half the voices low, half high */
    s->f0_base = (k % 2) ? rng_range(&s->r, 165, 230) : rng_range(&s->r, 85, 135);
    s->fm_gain[0] = 1.0f;
    s->fm_gain[1] = 0.55f;
    s->fm_gain[2] = 0.3f;
    s->in_phrase = 1;      /* with phrase_left 0: the file opens on room tone */
}

static void dx_next_segment(dx_state *s)
{
    rng *r = &s->r;
    if (s->in_phrase && s->phrase_left <= 0) {
        /* the phrase is over (or the file starts): room tone only */
        s->in_phrase = 0;
        s->amp = 0.0f;
        s->seg_left = secs(rng_range(r, 0.4, 2.5));
        return;
    }
    if (!s->in_phrase) {
        s->in_phrase = 1;
        s->phrase_left = secs(rng_range(r, 1.0, 6.0));
    }
    /* one syllable, sometimes preceded by a short pause folded into it */
    int64_t len = secs(rng_range(r, 0.12, 0.32));
    double w = M_PI / (double)len;
    s->env_c = (float)(2.0 * cos(w));
    s->env1 = 0.0f;                     /* e[-1] */
    s->env2 = (float)(-sin(w));         /* e[-2]: e[n] = sin(w (n+1)) */
    s->amp = (float)rng_range(r, 0.45, 1.0);
    s->voiced = rng_u32(r) % 5 != 0;
    double f0 = s->f0_base * rng_range(r, 0.85, 1.2);
    double f0_end = f0 * rng_range(r, 0.9, 1.08);
    s->inc = (uint32_t)(f0 / RATE * 4294967296.0);
    s->inc_step = (int32_t)((f0_end - f0) / RATE * 4294967296.0 / (double)len);
    if (s->voiced) {
        reson_set(&s->fm[0], rng_range(r, 300, 850), 90);
        reson_set(&s->fm[1], rng_range(r, 900, 2300), 120);
        reson_set(&s->fm[2], rng_range(r, 2400, 3200), 180);
    } else {
        reson_set(&s->fm[0], rng_range(r, 2500, 4500), 1200);
        reson_set(&s->fm[1], rng_range(r, 5000, 7500), 2000);
        reson_set(&s->fm[2], rng_range(r, 7000, 9500), 2500);
    }
    s->seg_left = len;
    s->phrase_left -= len;
    if (rng_u32(r) % 4 == 0) {
        int64_t pause = secs(rng_range(r, 0.02, 0.09));
        s->phrase_left -= pause;
        s->seg_left += pause;          /* the envelope stays at 0 past the half sine */
    }
}

static void dx_fill(dx_state *s, float *out, int n)
{
    const float room_gain = 0.009f, room_a = 0.08f;
    while (n > 0) {
        if (s->seg_left <= 0)
            dx_next_segment(s);
        int m = s->seg_left < n ? (int)s->seg_left : n;
        /* state into locals */
        rng r = s->r;
        float e1 = s->env1, e2 = s->env2, c = s->env_c, amp = s->amp, tilt = s->tilt, room = s->room;
        uint32_t ph = s->phase, inc = s->inc;
        int32_t step = s->inc_step;
        reson f0 = s->fm[0], f1 = s->fm[1], f2 = s->fm[2];
        float g0 = s->fm_gain[0], g1 = s->fm_gain[1], g2 = s->fm_gain[2];
        int voiced = s->voiced;
        for (int i = 0; i < m; i++) {
            float e = c * e1 - e2;
            if (e < 0.0f) {            /* past the half sine: silence until the segment ends */
                e = 0.0f;
                c = 0.0f;
            }
            e2 = e1;
            e1 = e;
            float noise = rng_bi(&r);
            float src;
            if (voiced) {
                ph += inc;
                inc += (uint32_t)step;
                float saw = (float)(int32_t)ph * (1.0f / 2147483648.0f);
                tilt += 0.3f * (saw - tilt);
                src = tilt + 0.08f * noise;
            } else {
                src = 0.6f * noise;
            }
            src *= e * amp;
            float y0 = f0.b0 * src + f0.a1 * f0.y1 - f0.a2 * f0.y2;
            f0.y2 = f0.y1; f0.y1 = y0;
            float y1 = f1.b0 * src + f1.a1 * f1.y1 - f1.a2 * f1.y2;
            f1.y2 = f1.y1; f1.y1 = y1;
            float y2 = f2.b0 * src + f2.a1 * f2.y1 - f2.a2 * f2.y2;
            f2.y2 = f2.y1; f2.y1 = y2;
            room += room_a * (noise - room);
            out[i] = 0.15f * (g0 * y0 + g1 * y1 + g2 * y2) + room_gain * room;
        }
        /* flush denormals in the recursive states */
        if (fabsf(f0.y1) < 1e-20f) f0.y1 = f0.y2 = 0.0f;
        if (fabsf(f1.y1) < 1e-20f) f1.y1 = f1.y2 = 0.0f;
        if (fabsf(f2.y1) < 1e-20f) f2.y1 = f2.y2 = 0.0f;
        s->r = r;
        s->env1 = e1; s->env2 = e2; s->env_c = c; s->tilt = tilt; s->room = room;
        s->phase = ph; s->inc = inc;
        s->fm[0] = f0; s->fm[1] = f1; s->fm[2] = f2;
        s->seg_left -= m;
        out += m;
        n -= m;
    }
}

/* --------------------------------------------------------------- music */

#define MX_NOTES 4

typedef struct {
    rng r;
    float table[TABLE_SIZE];
    int64_t seg_left;
    uint32_t ph[2][MX_NOTES], inc[2][MX_NOTES];
    float gain[2][MX_NOTES];
    float env, env_step, env_target;
    int64_t attack_left;
    float noise_l, noise_r;
    int root_midi;         /* register of this track */
    int key;
} mx_state;

static void mx_init(mx_state *s, uint64_t seed, int k)
{
    memset(s, 0, sizeof *s);
    rng_seed(&s->r, seed);
    /* timbre: 10 harmonics, tilt and odd/even balance vary per track */
    double tilt = rng_range(&s->r, 0.8, 2.0), even = rng_range(&s->r, 0.2, 1.0);
    double peak = 0.0;
    for (int i = 0; i < TABLE_SIZE; i++) {
        double x = 0.0;
        for (int h = 1; h <= 10; h++)
            x += ((h % 2) ? 1.0 : even) * pow(h, -tilt) * sin(2.0 * M_PI * h * i / TABLE_SIZE);
        s->table[i] = (float)x;
        if (fabs(x) > peak)
            peak = fabs(x);
    }
    for (int i = 0; i < TABLE_SIZE; i++)
        s->table[i] = (float)(s->table[i] / peak);
    static const int registers[N_PER_KIND] = {36, 48, 55, 60, 43, 52, 64, 57};
    s->root_midi = registers[k % N_PER_KIND];
    s->key = (int)(rng_u32(&s->r) % 12);
}

static void mx_next_segment(mx_state *s)
{
    rng *r = &s->r;
    static const int degrees[7] = {0, 2, 4, 5, 7, 9, 11};
    static const int shape[MX_NOTES] = {0, 2, 4, 7};  /* scale steps: triad + octave */
    int deg = (int)(rng_u32(r) % 7);
    for (int j = 0; j < MX_NOTES; j++) {
        int step = deg + shape[j];
        int midi = s->root_midi + s->key % 5 + degrees[step % 7] + 12 * (step / 7);
        double f = 440.0 * pow(2.0, (midi - 69) / 12.0);
        double pan = rng_range(r, 0.15, 0.85);
        double detune = 1.0 + rng_range(r, 0.0005, 0.003);
        s->inc[0][j] = (uint32_t)(f / RATE * 4294967296.0);
        s->inc[1][j] = (uint32_t)(f * detune / RATE * 4294967296.0);
        s->gain[0][j] = (float)(cos(pan * M_PI / 2) / MX_NOTES);
        s->gain[1][j] = (float)(sin(pan * M_PI / 2) / MX_NOTES);
    }
    int64_t len = secs(rng_range(r, 2.5, 8.0));
    s->attack_left = secs(rng_range(r, 0.2, 1.5));
    /* ramp from the decayed level up to the new chord's level */
    s->env_target = (float)rng_range(r, 0.35, 1.0);
    s->env_step = (s->env_target - s->env) / (float)s->attack_left;
    s->seg_left = len;
}

static void mx_fill(mx_state *s, float *out, int n)
{
    /* during the sustain the level decays slowly: -6 dB over ~4 s */
    const float decay = 0.9999964f;
    while (n > 0) {
        if (s->seg_left <= 0)
            mx_next_segment(s);
        int m = s->seg_left < n ? (int)s->seg_left : n;
        int64_t att = s->attack_left;
        rng r = s->r;
        float env = s->env, step = s->env_step, nl = s->noise_l, nr = s->noise_r;
        const float *tab = s->table;
        uint32_t ph[2][MX_NOTES], inc[2][MX_NOTES];
        float g[2][MX_NOTES];
        memcpy(ph, s->ph, sizeof ph);
        memcpy(inc, s->inc, sizeof inc);
        memcpy(g, s->gain, sizeof g);
        for (int i = 0; i < m; i++) {
            if (att > 0) {
                env += step;
                att--;
            } else {
                env *= decay;
            }
            float l = 0.0f, rr = 0.0f;
            for (int j = 0; j < MX_NOTES; j++) {
                ph[0][j] += inc[0][j];
                ph[1][j] += inc[1][j];
                l += g[0][j] * tab[ph[0][j] >> (32 - TABLE_BITS)];
                rr += g[1][j] * tab[ph[1][j] >> (32 - TABLE_BITS)];
            }
            nl += 0.02f * (rng_bi(&r) - nl);
            nr += 0.02f * (rng_bi(&r) - nr);
            out[2 * i] = 0.3f * env * l + 0.02f * nl;
            out[2 * i + 1] = 0.3f * env * rr + 0.02f * nr;
        }
        memcpy(s->ph, ph, sizeof ph);
        s->r = r;
        s->env = env; s->noise_l = nl; s->noise_r = nr;
        s->attack_left = att;
        s->seg_left -= m;
        out += 2 * m;
        n -= m;
    }
}

/* ------------------------------------------------------------- effects */

typedef struct {
    rng r;
    int64_t seg_left;
    /* bed: partly correlated low-passed noise with a level ramp */
    float lp_l, lp_r, bed_a, bed_norm, bed, bed_step;
    /* hit: decaying noise through a resonator */
    float hit, hit_decay, hit_gl, hit_gr, crack;
    reson body;
    float body_mix;
} fx_state;

static void fx_init(fx_state *s, uint64_t seed, int k)
{
    memset(s, 0, sizeof *s);
    rng_seed(&s->r, seed);
    /* rumble beds on some tracks, hiss (rain, wind) on others */
    s->bed_a = (k % 3 == 0) ? 0.01f : (k % 3 == 1) ? 0.06f : 0.3f;
    /* a one-pole low-pass passes a fraction a/(2-a) of white noise's power */
    s->bed_norm = sqrtf((2.0f - s->bed_a) / s->bed_a);
}

static void fx_next_segment(fx_state *s)
{
    rng *r = &s->r;
    int64_t len = secs(rng_range(r, 0.8, 6.0));
    /* the bed drifts to a new level over the segment */
    float target = (float)rng_range(r, 0.015, 0.08);
    s->bed_step = (target - s->bed) / (float)len;
    /* a hit at the start of most segments */
    if (rng_u32(r) % 4 != 0) {
        double tau = rng_range(r, 0.03, 0.4);
        s->hit = (float)rng_range(r, 0.1, 0.5);
        s->hit_decay = (float)exp(-1.0 / (tau * RATE));
        double pan = rng_range(r, 0.0, 1.0);
        s->hit_gl = (float)cos(pan * M_PI / 2);
        s->hit_gr = (float)sin(pan * M_PI / 2);
        reson_set(&s->body, rng_range(r, 50, 1500), rng_range(r, 20, 200));
        s->body_mix = (float)rng_range(r, 0.3, 0.9);
        s->crack = 1.0f - s->body_mix;
    }
    s->seg_left = len;
}

static void fx_fill(fx_state *s, float *out, int n)
{
    while (n > 0) {
        if (s->seg_left <= 0)
            fx_next_segment(s);
        int m = s->seg_left < n ? (int)s->seg_left : n;
        rng r = s->r;
        float ll = s->lp_l, lr = s->lp_r, a = s->bed_a, bn = s->bed_norm, bed = s->bed, bstep = s->bed_step;
        float hit = s->hit, hd = s->hit_decay, gl = s->hit_gl, gr = s->hit_gr;
        float bm = 6.0f * s->body_mix, cr = s->crack;
        reson b = s->body;
        for (int i = 0; i < m; i++) {
            float n0 = rng_bi(&r), n1 = rng_bi(&r), n2 = rng_bi(&r);
            ll += a * ((0.6f * n0 + 0.8f * n1) - ll);
            lr += a * ((0.6f * n0 + 0.8f * n2) - lr);
            bed += bstep;
            float x = hit * n0;
            hit *= hd;
            float y = b.b0 * x + b.a1 * b.y1 - b.a2 * b.y2;
            b.y2 = b.y1; b.y1 = y;
            float h = bm * y + cr * x;
            out[2 * i] = bed * bn * ll + gl * h;
            out[2 * i + 1] = bed * bn * lr + gr * h;
        }
        if (hit < 1e-9f) hit = 0.0f;
        if (fabsf(b.y1) < 1e-20f) b.y1 = b.y2 = 0.0f;
        s->r = r;
        s->lp_l = ll; s->lp_r = lr; s->bed = bed; s->hit = hit; s->body = b;
        s->seg_left -= m;
        out += 2 * m;
        n -= m;
    }
}

/* ------------------------------------------------------------ files */

enum { KIND_DX, KIND_MX, KIND_FX };

typedef struct {
    int kind, k;           /* k: 1..8 */
    char name[16];
    int channels;
} job;

/* 1 when path holds frames frames of the expected format already. */
static int is_complete(const char *path, int channels, int64_t frames)
{
    SF_INFO info;
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf)
        return 0;
    sf_close(sf);
    return info.frames == frames && info.channels == channels && info.samplerate == RATE &&
           info.format == (SF_FORMAT_WAV | SF_FORMAT_PCM_24) &&
           (int64_t)st.st_size >= frames * channels * 3 + 44;
}

static int write_job(const job *j, const char *dir, int64_t frames)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.wav", dir, j->name);
    if (is_complete(path, j->channels, frames))
        return 0;
    snprintf(tmp, sizeof tmp, "%s.part-%ld", path, (long)getpid());

    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = RATE;
    info.channels = j->channels;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    SNDFILE *sf = sf_open(tmp, SFM_WRITE, &info);
    if (!sf) {
        fprintf(stderr, "make_bench_material: cannot write %s: %s\n", tmp, sf_strerror(NULL));
        return -1;
    }

    uint64_t seed = 0x6475627374616765ull ^ ((uint64_t)j->kind << 8) ^ (uint64_t)j->k;  /* "dubstage" */
    void *st = NULL;
    switch (j->kind) {
    case KIND_DX: st = malloc(sizeof(dx_state)); if (st) dx_init(st, seed, j->k); break;
    case KIND_MX: st = malloc(sizeof(mx_state)); if (st) mx_init(st, seed, j->k); break;
    default:      st = malloc(sizeof(fx_state)); if (st) fx_init(st, seed, j->k); break;
    }
    float *buf = malloc(sizeof(float) * CHUNK_FRAMES * (size_t)j->channels);
    int *ibuf = malloc(sizeof(int) * CHUNK_FRAMES * (size_t)j->channels);
    int rc = 0;
    if (!st || !buf || !ibuf) {
        fprintf(stderr, "make_bench_material: out of memory\n");
        rc = -1;
        goto done;
    }

    for (int64_t done_frames = 0; done_frames < frames;) {
        int n = frames - done_frames < CHUNK_FRAMES ? (int)(frames - done_frames) : CHUNK_FRAMES;
        switch (j->kind) {
        case KIND_DX: dx_fill(st, buf, n); break;
        case KIND_MX: mx_fill(st, buf, n); break;
        default:      fx_fill(st, buf, n); break;
        }
        int total = n * j->channels;
        for (int i = 0; i < total; i++) {
            float x = buf[i];
            x = x > 0.999f ? 0.999f : x < -0.999f ? -0.999f : x;
            /* 24-bit sample in the top bits of an int, as sf_writef_int wants */
            ibuf[i] = (int)(x * 8388607.0f) * 256;
        }
        if (sf_writef_int(sf, ibuf, n) != n) {
            fprintf(stderr, "make_bench_material: writing %s: %s\n", tmp, sf_strerror(sf));
            rc = -1;
            goto done;
        }
        done_frames += n;
    }

done:
    free(st);
    free(buf);
    free(ibuf);
    if (sf_close(sf) != 0 && rc == 0) {
        fprintf(stderr, "make_bench_material: closing %s failed\n", tmp);
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        fprintf(stderr, "make_bench_material: rename %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || argv[1][0] == '-') {
        fprintf(stderr, "usage: make_bench_material DIR [SECONDS]   (default 600)\n");
        return 2;
    }
    const char *dir = argv[1];
    double seconds = 600.0;
    if (argc == 3) {
        char *end;
        seconds = strtod(argv[2], &end);
        if (*end || !(seconds > 0.0) || seconds > 86400.0) {
            fprintf(stderr, "make_bench_material: bad length '%s' (seconds, 0 < s <= 86400)\n", argv[2]);
            return 2;
        }
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_bench_material: mkdir %s: %s\n", dir, strerror(errno));
        return 1;
    }
    int64_t frames = (int64_t)(seconds * RATE + 0.5);

    job jobs[3 * N_PER_KIND];
    int njobs = 0;
    /* music and effects (stereo, the longer jobs) first, so workers end together */
    static const char *prefix[3] = {"dx", "mx", "fx"};
    static const int order[3] = {KIND_MX, KIND_FX, KIND_DX};
    for (int o = 0; o < 3; o++)
        for (int k = 1; k <= N_PER_KIND; k++) {
            job *j = &jobs[njobs++];
            j->kind = order[o];
            j->k = k;
            j->channels = order[o] == KIND_DX ? 1 : 2;
            snprintf(j->name, sizeof j->name, "%s%02d", prefix[order[o]], k);
        }

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nworkers = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    pid_t pids[8];
    for (int w = 0; w < nworkers; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("make_bench_material: fork");
            nworkers = w;
            break;
        }
        if (pid == 0) {
            int rc = 0;
            for (int i = w; i < njobs; i += nworkers)
                if (write_job(&jobs[i], dir, frames) != 0)
                    rc = 1;
            _exit(rc);
        }
        pids[w] = pid;
    }
    int failed = nworkers == 0;
    for (int w = 0; w < nworkers; w++) {
        int status;
        if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    return failed ? 1 : 0;
}
