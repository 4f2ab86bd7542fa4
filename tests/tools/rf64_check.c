/* rf64_check.c - writes just over 4 GiB of wav24 through vm/outfile and
 * reports what came out: the header must be RF64 with a ds64 chunk, bext
 * must survive, and libsndfile must read every frame back.
 *
 *   build/tools/rf64_check FOLDER
 *
 * Needs about 4.3 GB free in FOLDER and some tens of seconds; the file is
 * removed afterwards. Not run by the test suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "vm/outfile.h"

#define BLOCK 65536

static uint64_t le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

int main(int argc, char **argv)
{
    static float zeros[BLOCK], last[1] = { 0.5f };
    const float *planar[2] = { zeros, zeros };
    const float *planar_last[2] = { last, last };
    /* 6 bytes a frame (stereo, 24-bit): 2^32 / 6 frames is 4 GiB of data */
    const int64_t frames = (int64_t)(4294967296.0 / 6.0) + 48000;
    char path[4096], err[DS_ERR_LEN];
    vm_outfile_config cfg;
    vm_outfile *o;
    unsigned char head[4096];
    SF_INFO info;
    SF_BROADCAST_INFO bext;
    SNDFILE *sf;
    FILE *f;
    size_t got;
    int bad = 0, tail[2] = { 0, 0 };

    if (argc != 2) {
        fprintf(stderr, "usage: %s FOLDER\n", argv[0]);
        return 2;
    }
    snprintf(path, sizeof path, "%s/rf64_check.wav", argv[1]);
    vm_outfile_config_init(&cfg);
    cfg.path = path;
    cfg.format = VM_OUT_WAV24;
    cfg.time_reference = 172800000;
    cfg.description = "rf64 check";
    if (vm_outfile_open(&o, &cfg, err) != DS_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    for (int64_t done = 0; done < frames - 1;) {
        int n = frames - 1 - done < BLOCK ? (int)(frames - 1 - done) : BLOCK;
        if (vm_outfile_write(o, planar, n, err) != DS_OK) {
            fprintf(stderr, "%s\n", err);
            vm_outfile_abort(&o);
            return 1;
        }
        done += n;
    }
    if (vm_outfile_write(o, planar_last, 1, err) != DS_OK || vm_outfile_commit(&o, err) != DS_OK) {
        fprintf(stderr, "%s\n", err);
        vm_outfile_abort(&o);
        return 1;
    }

    f = fopen(path, "rb");
    got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    printf("frames written : %lld (%lld data bytes)\n", (long long)frames, (long long)frames * 6);
    printf("magic          : %.4s\n", (const char *)head);
    bad |= got < 64 || memcmp(head, "RF64", 4) != 0;
    if (got >= 64 && memcmp(head + 12, "ds64", 4) == 0)
        printf("ds64           : riff %llu, data %llu, frames %llu\n", (unsigned long long)le64(head + 20),
               (unsigned long long)le64(head + 28), (unsigned long long)le64(head + 36));
    else {
        printf("ds64           : missing\n");
        bad = 1;
    }
    int has_bext = 0;
    for (size_t i = 0; i + 4 <= got; i++)
        has_bext |= memcmp(head + i, "bext", 4) == 0;
    printf("bext in header : %s\n", has_bext ? "yes" : "no");
    bad |= !has_bext;

    memset(&info, 0, sizeof info);
    if ((sf = sf_open(path, SFM_READ, &info))) {
        memset(&bext, 0, sizeof bext);
        sf_command(sf, SFC_GET_BROADCAST_INFO, &bext, sizeof bext);
        sf_seek(sf, frames - 1, SEEK_SET);
        sf_readf_int(sf, tail, 1);
        sf_close(sf);
        printf("libsndfile     : format 0x%x, %lld frames, time reference %llu, '%s'\n", info.format,
               (long long)info.frames,
               (unsigned long long)((uint64_t)bext.time_reference_high << 32 | bext.time_reference_low),
               bext.description);
        printf("last frame     : %d %d (want %d)\n", tail[0] / 256, tail[1] / 256, 4194304);
        bad |= info.frames != frames || (info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_RF64
               || bext.time_reference_low != 172800000u || tail[0] / 256 != 4194304;
    } else {
        printf("libsndfile     : cannot read it back: %s\n", sf_strerror(NULL));
        bad = 1;
    }
    unlink(path);
    printf("%s\n", bad ? "FAIL" : "OK");
    return bad;
}
