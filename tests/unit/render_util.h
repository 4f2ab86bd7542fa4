/* render_util.h - what the end-to-end tests share: a scratch folder, WAV
 * files written and read with libsndfile, a script run through the whole
 * engine (script -> compile -> render), and SMPTE label arithmetic written
 * out independently of vm/timecode.c. Header-only: each test is one file. */
#ifndef TESTS_RENDER_UTIL_H
#define TESTS_RENDER_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "vm/duck.h"
#include "vm/plan.h"
#include "vm/render.h"
#include "vm/script.h"

static char dir[256];

/* Writes a float WAV of frames x channels: value(frame, channel). */
__attribute__((unused)) static void write_wav(const char *name, int rate, int channels, int frames, double (*value)(int, int))
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "cannot write %s: %s\n", path, sf_strerror(NULL));
        exit(2);
    }
    float *buf = malloc((size_t)frames * (size_t)channels * sizeof *buf);
    for (int i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++)
            buf[(size_t)i * channels + c] = (float)value(i, c);
    sf_writef_float(f, buf, frames);
    sf_close(f);
    free(buf);
}

/* Reads a rendered file; returns interleaved floats (caller frees). */
__attribute__((unused)) static float *read_wav(const char *name, int *frames, int *channels)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f)
        return NULL;
    float *buf = malloc((size_t)info.frames * (size_t)info.channels * sizeof *buf + 1);
    sf_readf_float(f, buf, info.frames);
    sf_close(f);
    *frames = (int)info.frames;
    *channels = info.channels;
    return buf;
}

/* Runs a script (text) in dir through the whole engine. 0 on success; the
 * message is printed otherwise. */
/* Writes a script's text to dir/mix.lua; its path goes to path. */
__attribute__((unused)) static void write_script(const char *text, char *path, size_t n)
{
    snprintf(path, n, "%s/mix.lua", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

__attribute__((unused)) static int render(const char *script, int block)
{
    char path[512], err[DS_ERR_LEN];
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    int rc = -1;
    if (vm_script_load(path, &so, &d, err) == DS_OK && vm_duck_analyse(&d, block, err) == DS_OK &&
        vm_compile(&d, block, &p, err) == DS_OK) {
        vm_render_opts ro = {.block = block, .measure = 0};
        if (vm_render(p, &ro, NULL, err) == DS_OK)
            rc = 0;
    }
    if (rc)
        printf("# render failed: %s\n", err);
    vm_plan_free(&p);
    vm_desc_free(&d);
    return rc;
}

/* Frame count of an SMPTE label, written out independently of vm/timecode.c:
 * SMPTE 12M drop-frame skips `drop` labels at every minute not divisible by 10. */
__attribute__((unused)) static long long label_frames(int h, int m, int s, int f, int nominal, int drop)
{
    long long minutes = 60LL * h + m;
    long long frames = ((long long)h * 3600 + m * 60 + s) * nominal + f;
    if (drop)
        frames -= (long long)drop * (minutes - minutes / 10);
    return frames;
}

/* Makes the scratch folder (dir); returns 0 on success. */
__attribute__((unused)) static int scratch_open(const char *name)
{
    snprintf(dir, sizeof dir, "/tmp/dubstage-%s.XXXXXX", name);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

__attribute__((unused)) static void scratch_close(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
}

#endif
