/* callback_floor.c - the machine's share of an audio callback's slow tail.
 *
 *   callback_floor [--seconds S] [--work-us US] [--pages N]
 *
 * Plays silence through PortAudio's JACK device (the server the realtime
 * tests and tests/bench/live.sh start) the way `dubstage play` does: the
 * callback's thread at SCHED_FIFO 10 where permitted (vm/rtprio.h), woken
 * by the server each period. Instead of a mix, each callback does a fixed
 * piece of work that takes about US microseconds when undisturbed (default
 * 27, the 64-track film mix's median at 64 frames): 64-sample biquads over
 * N pages of memory in turn (default 512, 2 MB apart like a plan's
 * buffers), the same instructions every time. So its times vary only by
 * what the machine does to the thread: interrupts, the hypervisor not
 * running the CPU, caches and TLB emptied by whatever ran in between.
 * Its percentiles, beside dubstage's for the mix (same period, same
 * median), say how much of the mix's tail any callback of that length
 * would have on this machine.
 *
 * It leaves JACK as `dubstage play` does (vm/live.c's jack_port_unregister:
 * the client deactivated before its ports go).
 *
 * Prints, as `dubstage play` does at exit (so tests/bench/live.sh reads
 * both the same way):
 *
 *   ran S s: X xruns, L late callbacks, 0 disk underruns (frames)
 *   callback: F frames (P ms); time used, as a fraction of that period: mean ..., median ...,
 *     99th percentile ..., 99.9th percentile ..., worst ... (N callbacks)
 *   audio thread: realtime (SCHED_FIFO 10)
 *   work: US us calibrated (V page visits a callback)
 */
#define _GNU_SOURCE
#include <math.h>
#include <pa_jack.h>
#include <portaudio.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm/live.h"
#include "vm/rtprio.h"

#define PAGE_FLOATS 1024 /* 4 KB */
#define BLOCK 64
#define HIST_BINS 1000   /* 0.5 % of the period per bin, as vm/live.c */
#define HIST_STEP 0.005

static float *pages;
static int npages;
static long visits;
static volatile float sink;

static pthread_t audio_thread;
static int audio_cpu = -1;
static _Atomic int audio_thread_known;
static _Atomic uint64_t callbacks, xruns, late;
static uint32_t hist[HIST_BINS + 1];
static double worst, sum_frac;
static int max_frames;
static double rate;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A 64-sample biquad (RBJ low-pass at 1 kHz, 48 kHz) from page pg's first
 * 64 floats (noise, never changed) into its next 64, from a zero state:
 * the same work on every visit, no denormals. */
static void visit(int pg)
{
    const float b0 = 0.0039160f, b1 = 0.0078320f, b2 = 0.0039160f, a1 = -1.8153396f, a2 = 0.8310036f;
    float *x = pages + (size_t)pg * PAGE_FLOATS, *y = x + BLOCK;
    float x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (int k = 0; k < BLOCK; k++) {
        float v = b0 * x[k] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1;
        x1 = x[k];
        y2 = y1;
        y1 = v;
        y[k] = v;
    }
}

static void work(long n)
{
    int pg = 0;
    for (long v = 0; v < n; v++) {
        visit(pg);
        pg = pg + 1 == npages ? 0 : pg + 1;
    }
    sink = pages[BLOCK];
}

static int callback(const void *input, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *ti,
                    PaStreamCallbackFlags flags, void *user)
{
    (void)input, (void)ti, (void)user;
    double t0 = now_s();
    if (!atomic_load_explicit(&audio_thread_known, memory_order_relaxed)) {
        audio_thread = pthread_self();
        audio_cpu = sched_getcpu();
        atomic_store_explicit(&audio_thread_known, 1, memory_order_release);
    }
    if (flags & (paOutputUnderflow | paOutputOverflow))
        atomic_fetch_add_explicit(&xruns, 1, memory_order_relaxed);
    work(visits);
    memset(output, 0, frames * 2 * sizeof(float));
    double frac = (now_s() - t0) * rate / (double)(frames ? frames : 1);
    int bin = (int)(frac / HIST_STEP);
    hist[bin < HIST_BINS ? bin : HIST_BINS]++;
    worst = frac > worst ? frac : worst;
    sum_frac += frac;
    max_frames = (int)frames > max_frames ? (int)frames : max_frames;
    if (frac > 1.0)
        atomic_fetch_add_explicit(&late, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&callbacks, 1, memory_order_release);
    return paContinue;
}

/* As vm/live.c's hist_quantile. */
static double quantile(uint64_t n, uint64_t per_mille)
{
    uint64_t need = n - n * per_mille / 1000, seen = 0;
    double q = 0;
    for (int b = 0; b <= HIST_BINS && n; b++) {
        seen += hist[b];
        if (seen >= need) {
            q = (b + 1) * HIST_STEP;
            break;
        }
    }
    return q > worst ? worst : q;
}

int main(int argc, char **argv)
{
    double seconds = 20, work_us = 27;
    npages = 512;
    /* leave JACK as dubstage play does: vm/live.c's jack_port_unregister
     * deactivates the client before PortAudio unregisters its ports
     * (libjack's port list race, docs/live.md "Leaving JACK"); naming its
     * switch links that override in from libdubstage.a */
    vm_live_unregister_deactivates = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--work-us") == 0 && i + 1 < argc)
            work_us = atof(argv[++i]);
        else if (strcmp(argv[i], "--pages") == 0 && i + 1 < argc)
            npages = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: callback_floor [--seconds S] [--work-us US] [--pages N]\n");
            return 2;
        }
    }
    if (seconds <= 0 || work_us < 0 || npages < 1) {
        fprintf(stderr, "callback_floor: --seconds above 0, --work-us 0 or more, --pages 1 or more\n");
        return 2;
    }
    pages = malloc((size_t)npages * PAGE_FLOATS * sizeof *pages);
    if (!pages) {
        fprintf(stderr, "callback_floor: out of memory\n");
        return 1;
    }
    srand(1);
    for (size_t k = 0; k < (size_t)npages * PAGE_FLOATS; k++)
        pages[k] = (float)rand() / (float)RAND_MAX * 2.0f - 1.0f;
    /* calibration: the fastest of 50 passes over every page (the least
     * disturbed; a loaded machine only makes passes slower) */
    double best = 1e9;
    for (int r = 0; r < 50; r++) {
        double t0 = now_s();
        work(npages);
        double t = now_s() - t0;
        best = t < best ? t : best;
    }
    visits = lround(work_us * 1e-6 / best * npages);

    PaJack_SetClientName("callback_floor");
    PaError e = Pa_Initialize(); /* ALSA may complain on stderr about absent cards: harmless */
    if (e != paNoError) {
        fprintf(stderr, "callback_floor: cannot start PortAudio: %s\n", Pa_GetErrorText(e));
        return 1;
    }
    PaHostApiIndex jack = Pa_HostApiTypeIdToHostApiIndex(paJACK);
    const PaHostApiInfo *hi = jack >= 0 ? Pa_GetHostApiInfo(jack) : NULL;
    if (!hi || hi->defaultOutputDevice == paNoDevice) {
        fprintf(stderr, "callback_floor: no JACK output device (is a JACK server running?)\n");
        Pa_Terminate();
        return 1;
    }
    PaDeviceIndex dev = hi->defaultOutputDevice;
    const PaDeviceInfo *di = Pa_GetDeviceInfo(dev);
    rate = di->defaultSampleRate;
    PaStreamParameters sp = {dev, 2, paFloat32, di->defaultLowOutputLatency, NULL};
    PaStream *stream;
    e = Pa_OpenStream(&stream, NULL, &sp, rate, paFramesPerBufferUnspecified, paClipOff | paDitherOff, callback,
                      NULL);
    if (e == paNoError)
        e = Pa_StartStream(stream);
    if (e != paNoError) {
        fprintf(stderr, "callback_floor: cannot open the JACK device: %s\n", Pa_GetErrorText(e));
        Pa_Terminate();
        return 1;
    }
    char sched[96] = "ordinary (no callback within 2 s)";
    for (int i = 0; i < 2000 && !atomic_load_explicit(&audio_thread_known, memory_order_acquire); i++)
        usleep(1000);
    if (atomic_load_explicit(&audio_thread_known, memory_order_acquire))
        vm_rtprio_promote(audio_thread, 10, audio_cpu, sched, sizeof sched);
    double t0 = now_s();
    while (now_s() - t0 < seconds)
        usleep(50 * 1000);
    double ran = now_s() - t0;
    Pa_StopStream(stream);
    Pa_CloseStream(stream);
    Pa_Terminate();
    uint64_t n = atomic_load(&callbacks);
    double period_ms = rate > 0 ? 1e3 * max_frames / rate : 0;
    printf("ran %.2f s: %llu xruns, %llu late callbacks, 0 disk underruns (frames)\n", ran,
           (unsigned long long)atomic_load(&xruns), (unsigned long long)atomic_load(&late));
    printf("callback: %d frames (%.2f ms); time used, as a fraction of that period: mean %.1f %%, median %.1f %%, "
           "99th percentile %.1f %%, 99.9th percentile %.1f %%, worst %.1f %% (%llu callbacks)\n",
           max_frames, period_ms, n ? 100 * sum_frac / (double)n : 0.0, 100 * quantile(n, 500), 100 * quantile(n, 10),
           100 * quantile(n, 1), 100 * worst, (unsigned long long)n);
    printf("audio thread: %s\n", sched);
    printf("work: %.1f us calibrated (%ld page visits a callback, %d pages)\n", work_us, visits, npages);
    free(pages);
    return 0;
}
