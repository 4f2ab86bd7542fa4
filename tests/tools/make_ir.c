/* make_ir.c - writes a synthetic room impulse response for the convolution
 * reverb: exponentially decaying noise, one independent noise per channel
 * (a decorrelated stereo tail), 32-bit float WAV.
 *
 *   build/tools/make_ir OUT.wav SECONDS RT60 [CHANNELS [RATE]]
 *                                     (defaults: 2 channels, 48000 Hz)
 *
 * Sample n of channel c is u * 10^(-3 t / RT60), t = n / RATE, u uniform
 * noise in [-1, 1) from a fixed-seed xorshift64* per channel, so the level
 * falls by 60 dB every RT60 seconds and the file is the same on every run.
 * The first millisecond fades in (a half cosine), as a measured IR's direct
 * sound does not start with a click. The whole IR is then scaled so that
 * its loudest channel has unit energy (sum of squares 1): white noise goes
 * through it at the same power, with the file's values as they are
 * (t:convolve's `normalize = false`, ffmpeg's afir), as through
 * `normalize = true`. The file is written under a temporary
 * name and renamed when complete; a file already there is replaced.
 *
 * It stands in for a recorded IR in the demo (scripts/make-demo-media.sh)
 * and the benchmark (tests/bench/run.sh): Debian ships no room IRs that
 * the project could use, and audio is never committed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MAX_CHANNELS 8
#define CHUNK_FRAMES 4096

static uint64_t xorshift64s(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* uniform in [-1, 1), from the top 24 bits */
static double noise(uint64_t *s)
{
    return (double)(xorshift64s(s) >> 40) / 8388608.0 - 1.0;
}

/* The IR's samples times scale: written to f (pass 1), or only their
 * energies per channel summed into energy[] (pass 0). 0, or -1 when a
 * write failed. */
static int generate(SNDFILE *f, int pass, int channels, int rate, long long frames, double rt60, double scale,
                    double *energy)
{
    uint64_t seed[MAX_CHANNELS];
    for (int c = 0; c < channels; c++)
        seed[c] = 0x9E3779B97F4A7C15ULL * (uint64_t)(c + 1);
    long long onset = rate / 1000;
    double decay = pow(10.0, -3.0 / (rt60 * rate)); /* per sample: -60 dB over rt60 */
    double env = 1.0;
    static float buf[CHUNK_FRAMES * MAX_CHANNELS];
    for (long long n0 = 0; n0 < frames; n0 += CHUNK_FRAMES) {
        int m = (int)(frames - n0 < CHUNK_FRAMES ? frames - n0 : CHUNK_FRAMES);
        for (int i = 0; i < m; i++) {
            long long n = n0 + i;
            double fade = n < onset ? 0.5 - 0.5 * cos(M_PI * (double)n / (double)onset) : 1.0;
            for (int c = 0; c < channels; c++) {
                double v = noise(&seed[c]) * env * fade;
                if (pass == 0)
                    energy[c] += v * v;
                buf[i * channels + c] = (float)(v * scale);
            }
            env *= decay;
        }
        if (pass == 1 && sf_writef_float(f, buf, m) != m)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: make_ir OUT.wav SECONDS RT60 [CHANNELS [RATE]]\n");
        return 2;
    }
    const char *path = argv[1];
    double seconds = atof(argv[2]), rt60 = atof(argv[3]);
    int channels = argc > 4 ? atoi(argv[4]) : 2;
    int rate = argc > 5 ? atoi(argv[5]) : 48000;
    if (!(seconds > 0 && seconds <= 60) || !(rt60 > 0 && rt60 <= 60) || channels < 1 || channels > MAX_CHANNELS ||
        rate < 8000 || rate > 384000) {
        fprintf(stderr, "make_ir: SECONDS 0..60, RT60 0..60, CHANNELS 1..%d, RATE 8000..384000\n", MAX_CHANNELS);
        return 2;
    }
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        fprintf(stderr, "make_ir: path too long\n");
        return 1;
    }
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = rate;
    info.channels = channels;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE *f = sf_open(tmp, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "make_ir: cannot write %s: %s\n", tmp, sf_strerror(NULL));
        return 1;
    }
    long long frames = llround(seconds * rate);
    double energy[MAX_CHANNELS] = {0}, loudest = 0;
    /* two passes over the same noise: the energies, then the samples */
    for (int pass = 0; pass < 2; pass++) {
        double scale = pass ? 1.0 / sqrt(loudest) : 1.0;
        if (generate(f, pass, channels, rate, frames, rt60, scale, energy) != 0) {
            fprintf(stderr, "make_ir: write failed: %s\n", sf_strerror(f));
            sf_close(f);
            remove(tmp);
            return 1;
        }
        for (int c = 0; c < channels; c++)
            loudest = energy[c] > loudest ? energy[c] : loudest;
    }
    if (sf_close(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "make_ir: cannot complete %s\n", path);
        remove(tmp);
        return 1;
    }
    return 0;
}
