/* replay.c - the main() that replays saved fuzz inputs through one target
 * without libFuzzer (fuzz.h): every regular file in each folder (or each
 * file) named on the command line, in name order, prints
 * "ok - TARGET: FILE". A crash or a failed invariant ends the program with
 * the file's name already printed on stderr, and tests/run.sh reports it. */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *target, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok - %s: cannot open %s\n", target, path);
        return 1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        printf("not ok - %s: out of memory reading %s\n", target, path);
        return 1;
    }
    fprintf(stderr, "replaying %s\n", path);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    printf("ok - %s: %s\n", target, path);
    fflush(stdout);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *target, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* a target with no saved crash has no regress folder */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            failed += replay_file(target, path);
        free(names[i]);
    }
    free(names);
    return failed;
}

int main(int argc, char **argv)
{
    const char *target = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            failed += replay_dir(target, argv[i]);
        else
            failed += replay_file(target, argv[i]);
    }
    return failed ? 1 : 0;
}
