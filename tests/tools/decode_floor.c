/* decode_floor.c - the benchmark's "decode floor": reads every file named on
 * the command line to float with libsndfile and does nothing else.
 *
 *   build/tools/decode_floor FILE...
 *
 * The files are read the way a mixer reads its tracks: all open at once,
 * 1024 frames of each in turn (interleaved by block), until every file has
 * ended. No renderer that reads these inputs through libsndfile can be
 * faster than this, so the benchmark reports each renderer's time as a
 * multiple of it. Prints the total frames read (summed over the files) so
 * the work cannot be optimised away and the caller can check it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#define BLOCK_FRAMES 1024

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: decode_floor FILE...\n");
        return 2;
    }
    int n = argc - 1;
    SNDFILE **sf = calloc((size_t)n, sizeof *sf);
    int max_ch = 1;
    int rc = 0;
    float *buf = NULL;
    if (!sf) {
        fprintf(stderr, "decode_floor: out of memory\n");
        rc = 1;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        SF_INFO info;
        memset(&info, 0, sizeof info);
        sf[i] = sf_open(argv[i + 1], SFM_READ, &info);
        if (!sf[i]) {
            fprintf(stderr, "decode_floor: %s: %s\n", argv[i + 1], sf_strerror(NULL));
            rc = 1;
            goto done;
        }
        if (info.channels > max_ch)
            max_ch = info.channels;
    }
    buf = malloc(sizeof(float) * BLOCK_FRAMES * (size_t)max_ch);
    if (!buf) {
        fprintf(stderr, "decode_floor: out of memory\n");
        rc = 1;
        goto done;
    }

    int64_t total = 0;
    float sink = 0.0f;     /* one sample per block feeds it, so the reads are used */
    int open_files = n;
    while (open_files > 0) {
        for (int i = 0; i < n; i++) {
            if (!sf[i])
                continue;
            sf_count_t got = sf_readf_float(sf[i], buf, BLOCK_FRAMES);
            if (got > 0) {
                total += got;
                sink += buf[0];
            }
            if (got < BLOCK_FRAMES) {
                sf_close(sf[i]);
                sf[i] = NULL;
                open_files--;
            }
        }
    }
    printf("%lld frames%s\n", (long long)total, sink == 12345.0f ? " " : "");

done:
    if (sf)
        for (int i = 0; i < n; i++)
            if (sf[i])
                sf_close(sf[i]);
    free(sf);
    free(buf);
    return rc;
}
