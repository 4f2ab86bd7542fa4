/* scratch.c - the fuzz targets' scratch folder and input files (fuzz.h).
 * The input is written to a real file, not a memfd: the code under test
 * resolves and checks the paths it opens, and a /proc/self/fd name resolves
 * to no file at all. */
#define _XOPEN_SOURCE 700
#include "tests/fuzz/fuzz.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char scratch[256];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path); /* keep going: remove what can be removed */
    return 0;
}

static void remove_scratch(void)
{
    if (scratch[0])
        nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_scratch_dir(void)
{
    if (scratch[0])
        return scratch;
    const char *env = getenv("TMPDIR");
    const char *bases[] = {"/dev/shm", env && env[0] ? env : "/tmp", "/tmp"};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        snprintf(scratch, sizeof scratch, "%s/dubstage-fuzz-XXXXXX", bases[i]);
        if (mkdtemp(scratch)) {
            atexit(remove_scratch);
            return scratch;
        }
    }
    scratch[0] = '\0';
    return NULL;
}

int fuzz_write_file(const char *name, const uint8_t *data, size_t size, char *path, size_t n)
{
    const char *dir = fuzz_scratch_dir();
    if (!dir || snprintf(path, n, "%s/%s", dir, name) >= (int)n)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return close(fd) == 0 ? 0 : -1;
}
