/* jack_close_stress.c - the race behind issue 11's crash, reproduced with
 * PortAudio alone (docs/live.md "Leaving JACK").
 *
 *   jack_close_stress N [CHANNELS] [--deactivate-first]
 *
 * N times: Pa_Initialize, an output stream of CHANNELS (default 2) on the
 * JACK device (the server needs as many playback ports) opened,
 * started, run 20 ms, stopped and closed, Pa_Terminate: what `dubstage play`
 * does (vm/live.c). Pa_CloseStream unregisters the stream's ports while the
 * JACK client is still active, and libjack's notification thread walks the
 * same port list when the server reports the latency change that
 * Pa_StopStream's disconnection caused (jackaudio/jack2 issues 216 and
 * 340): now and then the walk follows a freed node and the process dies
 * with SIGSEGV in libjack (2026-12-06, jack2 1.9.21 and PortAudio 19.6.0,
 * loaded 2-vCPU machine: 1 in about 1800 cycles of 2 channels; with 32
 * channels the walk and the unregistering are 16 times longer).
 * It links vm/live.c's jack_port_unregister (which wins over libjack's for
 * PortAudio's calls) with its deactivation turned off
 * (vm_live_unregister_deactivates = 0), PortAudio's own order; with
 * --deactivate-first it stays on, the order dubstage uses.
 *
 * A timing tool, not a test: run it against a JACK server (JACK_DEFAULT_SERVER)
 * in a loop; it exits 0 after N cycles, 2 when PortAudio finds no JACK
 * device or cannot open the stream. */
#include "vm/live.h"

#include <pa_jack.h>
#include <portaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int channels = 2;

static int silence(const void *in, void *out, unsigned long frames, const PaStreamCallbackTimeInfo *ti,
                   PaStreamCallbackFlags flags, void *user)
{
    (void)in, (void)ti, (void)flags, (void)user;
    memset(out, 0, frames * (size_t)channels * sizeof(float));
    return paContinue;
}

/* One cycle; 0, or 2 when there is no JACK device or stream. */
static int cycle(void)
{
    PaJack_SetClientName("dubstage");
    if (Pa_Initialize() != paNoError)
        return 2;
    PaDeviceIndex dev = paNoDevice;
    for (PaDeviceIndex d = 0; d < Pa_GetDeviceCount(); d++) {
        const PaDeviceInfo *di = Pa_GetDeviceInfo(d);
        const PaHostApiInfo *hi = di ? Pa_GetHostApiInfo(di->hostApi) : NULL;
        if (hi && hi->type == paJACK && di->maxOutputChannels >= channels)
            dev = d;
    }
    PaStream *s = NULL;
    PaStreamParameters sp = {dev, channels, paFloat32, 0, NULL};
    if (dev == paNoDevice ||
        Pa_OpenStream(&s, NULL, &sp, 48000, paFramesPerBufferUnspecified, paClipOff, silence, NULL) != paNoError ||
        Pa_StartStream(s) != paNoError) {
        Pa_Terminate();
        return 2;
    }
    usleep(20000);
    Pa_StopStream(s);
    Pa_CloseStream(s);
    Pa_Terminate();
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    vm_live_unregister_deactivates = 0;
    for (int a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--deactivate-first") == 0)
            vm_live_unregister_deactivates = 1;
        else
            channels = atoi(argv[a]);
    }
    if (n < 1 || channels < 1) {
        fprintf(stderr, "usage: jack_close_stress N [CHANNELS] [--deactivate-first]\n");
        return 1;
    }
    for (int i = 0; i < n; i++)
        if (cycle() != 0) {
            fprintf(stderr, "jack_close_stress: cycle %d: no JACK device or stream\n", i + 1);
            return 2;
        }
    return 0;
}
