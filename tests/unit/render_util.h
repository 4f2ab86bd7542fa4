/* render_util.h - what the end-to-end tests share: a scratch folder, WAV
 * files written and read with libsndfile, a script run through the whole
 * engine (script -> compile -> render), and SMPTE label arithmetic written
 * out independently of vm/timecode.c. Header-only: each test is one file. */
#ifndef TESTS_RENDER_UTIL_H
#define TESTS_RENDER_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "tests/check.h"

#include "vm/automation.h"
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

/* Reads a whole file; returns interleaved floats (caller frees), NULL when
 * it cannot be read. */
__attribute__((unused)) static float *read_path(const char *path, int *frames, int *channels)
{
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

/* Reads a rendered file (dir/name), as read_path. */
__attribute__((unused)) static float *read_wav(const char *name, int *frames, int *channels)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return read_path(path, frames, channels);
}

/* Writes text to dir/name (an edit, a marker list, a script); its path
 * goes to path (n bytes) unless path is NULL. Exits on failure. */
__attribute__((unused)) static void write_scratch_file(const char *name, const char *text, char *path, size_t n)
{
    char own[512];
    if (!path)
        path = own, n = sizeof own;
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0) {
        perror(path);
        exit(2);
    }
    fclose(f);
}

/* Writes a script's text to dir/mix.lua; its path goes to path. */
__attribute__((unused)) static void write_script(const char *text, char *path, size_t n)
{
    write_scratch_file("mix.lua", text, path, n);
}

/* Into buf (n bytes): a 48 kHz script `length_s` seconds long of one track
 * `t` ("T") of `channels` channels playing clip from 0 through `lines` (its
 * inserts and their moves; a %s in them stays, for a later snprintf),
 * written to o.wav as 32-bit float. Returns buf. */
__attribute__((unused)) static const char *track_script(char *buf, size_t n, double length_s, int channels,
                                                        const char *clip, const char *lines)
{
    snprintf(buf, n,
             "session { rate = 48000, length = %g }\n"
             "local t = track \"T\" { channels = %d }\n"
             "t:clip { \"%s\", at = 0 }\n"
             "%s"
             "output { \"o.wav\", from = t, format = \"wav32f\" }\n",
             length_s, channels, clip, lines);
    return buf;
}

/* track_script's 1 s with one mono track. */
__attribute__((unused)) static const char *one_track_script(char *buf, size_t n, const char *clip, const char *lines)
{
    return track_script(buf, n, 1, 1, clip, lines);
}

/* The automation lanes of script, loaded from a file of its own as
 * `dubstage automation` loads it; the caller frees list and d
 * (vm_automation_free, vm_desc_free) whatever the result. */
__attribute__((unused)) static ds_result collect_lanes(const char *script, vm_desc *d, vm_auto_list *list, char *err)
{
    char path[512];
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    memset(list, 0, sizeof *list);
    ds_result r = vm_script_load(path, &so, d, err);
    return r == DS_OK ? vm_automation_collect(d, list, err) : r;
}

/* Runs a script (text) in dir through the whole engine. 0 on success; the
 * message is printed otherwise. */
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

/* Renders track_script(length_s, channels, clip, lines) at block size
 * `block`: o.wav's samples (the caller frees), NULL when it failed; frames
 * and chans describe them. */
__attribute__((unused)) static float *render_track_script(double length_s, int channels, const char *clip,
                                                          const char *lines, int block, int *frames, int *chans)
{
    char script[4096];
    track_script(script, sizeof script, length_s, channels, clip, lines);
    return render(script, block) == 0 ? read_wav("o.wav", frames, chans) : NULL;
}

/* Every frame rate a session takes (docs/language.md), for the tests that
 * place things at a label in each: its name, nominal frames a second, exact
 * rate num / den, and the labels drop-frame skips a minute (0: non-drop). */
typedef struct {
    const char *fps;
    int nominal, num, den, drop;
} label_rate;
__attribute__((unused)) static const label_rate label_rates[] = {
    {"23.976", 24, 24000, 1001, 0}, {"24", 24, 24, 1, 0},          {"25", 25, 25, 1, 0},
    {"29.97", 30, 30000, 1001, 0},  {"29.97", 30, 30000, 1001, 2}, {"30", 30, 30, 1, 0},
    {"48", 48, 48, 1, 0},           {"50", 50, 50, 1, 0},          {"59.94", 60, 60000, 1001, 0},
    {"59.94", 60, 60000, 1001, 4},  {"60", 60, 60, 1, 0},
};
#define LABEL_RATES (sizeof label_rates / sizeof label_rates[0])

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

/* Loads and compiles a script (written as mix.lua in the scratch folder);
 * the result, and the message in err when it fails. */
__attribute__((unused)) static ds_result load_and_compile(const char *body, char *err)
{
    char path[512];
    write_script(body, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    ds_result r = vm_script_load(path, &so, &d, err);
    if (r == DS_OK)
        r = vm_compile(&d, 256, &p, err);
    vm_plan_free(&p);
    vm_desc_free(&d);
    return r;
}

/* A script whose error (loading or compiling it) must name line `line` of
 * mix.lua and contain want. */
__attribute__((unused)) static void expect_error_at(const char *body, int line, const char *want, const char *name)
{
    char err[DS_ERR_LEN] = "", at[32];
    ds_result r = load_and_compile(body, err);
    snprintf(at, sizeof at, "mix.lua:%d:", line);
    check(r != DS_OK && strstr(err, want) && strstr(err, at), name, "message: %s", err);
}

/* Renders script at every block size of blocks[0..nb) and checks (one line
 * per size after the first) that output `out` comes out bit-identical to
 * the render at blocks[0]. Returns that first render (the caller frees it),
 * or NULL when it failed; frames and channels describe it. */
__attribute__((unused)) static float *render_blocks(const char *script, const char *out, const int *blocks, int nb,
                                                   const char *what, int *frames, int *channels)
{
    float *first = render(script, blocks[0]) == 0 ? read_wav(out, frames, channels) : NULL;
    for (int i = 1; i < nb; i++) {
        int f = 0, ch = 0;
        float *x = render(script, blocks[i]) == 0 ? read_wav(out, &f, &ch) : NULL;
        char name[200];
        snprintf(name, sizeof name, "%s at --block %d is bit-identical to --block %d", what, blocks[i], blocks[0]);
        check(x && first && f == *frames && ch == *channels &&
                  memcmp(x, first, (size_t)f * (size_t)ch * sizeof *x) == 0,
              name, "outputs differ");
        free(x);
    }
    return first;
}

/* Moving inserts (lines: one_track_script's, on track `t` playing clip)
 * rendered at --block 1, 64 and 4096: that it renders, and bit-identically
 * at each size (render_blocks; what names them). */
__attribute__((unused)) static void check_moving_blocks(const char *clip, const char *lines, const char *what)
{
    static const int blocks[] = {1, 64, 4096};
    char script[2048], name[200];
    int f = 0, ch = 0;
    float *m = render_blocks(one_track_script(script, sizeof script, clip, lines), "o.wav", blocks, 3, what, &f, &ch);
    snprintf(name, sizeof name, "%s renders", what);
    check(m != NULL, name, "failed");
    free(m);
}

/* Least-squares fit x[k] ~ a cos(w k) + b sin(w k), w = 2 pi f / rate, over
 * x[k0, k0 + n): the amplitude is hypot(a, b). */
__attribute__((unused)) static void sine_fit(const float *x, int k0, int n, double f, double rate, double *a,
                                             double *b)
{
    double scc = 0, sss = 0, scs = 0, sxc = 0, sxs = 0;
    for (int k = k0; k < k0 + n; k++) {
        double c = cos(2 * M_PI * f * k / rate), sn = sin(2 * M_PI * f * k / rate);
        scc += c * c; sss += sn * sn; scs += c * sn; sxc += x[k] * c; sxs += x[k] * sn;
    }
    double det = scc * sss - scs * scs;
    *a = (sxc * sss - sxs * scs) / det;
    *b = (sxs * scc - sxc * scs) / det;
}

/* Gives q the state of p's ops, pairing ops as vm/live.c does at a swap
 * (same class, same key); returns the pairs. */
__attribute__((unused)) static int plan_copy_states(plan *q, const plan *p)
{
    int pairs = 0;
    for (int i = 0; i < q->nops; i++)
        for (int j = 0; q->ops[i].key && j < p->nops; j++)
            if (p->ops[j].cls == q->ops[i].cls && p->ops[j].key && strcmp(p->ops[j].key, q->ops[i].key) == 0) {
                q->ops[i].cls->copy_state(q->ops[i].args, p->ops[j].args);
                pairs++;
                break;
            }
    return pairs;
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
