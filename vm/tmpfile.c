/* tmpfile.c - uniquely named, locked temporary files and the sweep of stale
 * ones (see tmpfile.h).
 *
 * Why flock and not a pid in the name: a pid is reused, and means nothing
 * across containers sharing a folder; a lock is dropped by the kernel
 * exactly when its holder dies.
 *
 * The race between a creator and a sweeper: the creator opens the name with
 * O_EXCL and then locks it, so for an instant a new file is unlocked. A
 * sweeper that takes the lock in that instant makes the creator's
 * non-blocking flock fail, and the creator tries another name; a sweeper
 * that took the lock, removed the file and let go before the creator locked
 * leaves the creator holding a file with no name (st_nlink 0), which the
 * creator sees and also replaces. So no sweep removes a file its creator
 * goes on to use.
 */
#include "vm/tmpfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_TRIES 100
#define TMP_TAG ".part-"
#define TMP_SUFFIX_LEN 6

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* Six characters of the alphabet, from the kernel's random source when it
 * answers, else from the clock, the pid and a counter. */
static void make_suffix(char out[TMP_SUFFIX_LEN + 1])
{
    static unsigned counter;
    uint64_t h = 0;
    if (getrandom(&h, sizeof h, GRND_NONBLOCK) != (ssize_t)sizeof h) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        h = ((uint64_t)getpid() << 40) ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)ts.tv_nsec ^ counter++;
        h *= 0x9E3779B97F4A7C15ull; /* spread the low bits over the six characters */
        h ^= h >> 31;
    }
    for (int i = 0; i < TMP_SUFFIX_LEN; i++) {
        out[i] = alphabet[h % 62];
        h /= 62;
    }
    out[TMP_SUFFIX_LEN] = '\0';
}

/* One attempt: 1 made and locked, 0 try another name, -1 a real error. */
static int try_create(vm_tmpfile *t)
{
    struct stat st;
    t->fd = open(t->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (t->fd < 0)
        return errno == EEXIST ? 0 : -1;
    if (flock(t->fd, LOCK_EX | LOCK_NB) != 0 || fstat(t->fd, &st) != 0 || st.st_nlink == 0) {
        /* a sweeper holds it, or removed it already: it is the sweeper's */
        close(t->fd);
        t->fd = -1;
        return 0;
    }
    /* the lock belongs to the open file description, which this second
     * descriptor keeps alive after fd is closed (to catch close's errors) */
    t->lock_fd = fcntl(t->fd, F_DUPFD_CLOEXEC, 0);
    if (t->lock_fd < 0) {
        int e = errno;
        unlink(t->path);
        close(t->fd);
        t->fd = -1;
        errno = e;
        return -1;
    }
    return 1;
}

ds_result vm_tmpfile_create(vm_tmpfile *t, const char *path, char *err)
{
    t->fd = t->lock_fd = -1;
    t->path = NULL;
    if (!path || !*path)
        return ds_fail(err, DS_ERR_ARG, "cannot write an output with no name");
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = (size_t)(base - path), len = strlen(path) + 1 + strlen(TMP_TAG) + TMP_SUFFIX_LEN + 1;
    if (!*base)
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': the name is a folder", path);
    if (!(t->path = malloc(len)))
        return ds_fail(err, DS_ERR_NOMEM, "cannot write '%s': out of memory", path);
    for (int attempt = 0; attempt < TMP_TRIES; attempt++) {
        char sfx[TMP_SUFFIX_LEN + 1];
        make_suffix(sfx);
        snprintf(t->path, len, "%.*s.%s" TMP_TAG "%s", (int)dir_len, path, base, sfx);
        int r = try_create(t);
        if (r > 0)
            return DS_OK;
        if (r < 0)
            break;
        errno = EEXIST;
    }
    int e = errno;
    free(t->path);
    t->path = NULL;
    return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", path, strerror(e));
}

void vm_tmpfile_release(vm_tmpfile *t, int remove_file)
{
    if (t->fd >= 0)
        close(t->fd);
    if (remove_file && t->path)
        unlink(t->path); /* before the lock goes: no sweeper can see it unlocked */
    if (t->lock_fd >= 0)
        close(t->lock_fd);
    free(t->path);
    t->fd = t->lock_fd = -1;
    t->path = NULL;
}

FILE *vm_tmpfile_fopen(vm_tmpfile *t, const char *path, char *err)
{
    if (vm_tmpfile_create(t, path, err) != DS_OK)
        return NULL;
    FILE *f = fdopen(t->fd, "w");
    if (!f) {
        ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        vm_tmpfile_release(t, 1);
        return NULL;
    }
    t->fd = -1; /* fclose closes it */
    return f;
}

ds_result vm_tmpfile_fcommit(vm_tmpfile *t, FILE *f, const char *path, char *err)
{
    int bad = ferror(f) != 0;
    int e = bad ? EIO : 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        bad = 1;
        e = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && rename(t->path, path) != 0) {
        bad = 1;
        e = errno;
    }
    vm_tmpfile_release(t, bad);
    if (bad)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    return DS_OK;
}

/* The guard's state: written only outside the handler, with the handler's
 * signals blocked. */
static char guard_path[4096];
static volatile sig_atomic_t guard_on;
static struct sigaction guard_old[3];
static const int guard_sigs[3] = {SIGINT, SIGTERM, SIGHUP};

static void guard_handler(int sig)
{
    if (guard_on)
        unlink(guard_path); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

void vm_tmpfile_guard(const vm_tmpfile *t)
{
    if (!t->path || strlen(t->path) >= sizeof guard_path)
        return;
    memcpy(guard_path, t->path, strlen(t->path) + 1);
    guard_on = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = guard_handler;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaddset(&sa.sa_mask, guard_sigs[i]);
    for (int i = 0; i < 3; i++)
        sigaction(guard_sigs[i], &sa, &guard_old[i]);
}

void vm_tmpfile_unguard(void)
{
    if (!guard_on)
        return;
    guard_on = 0;
    for (int i = 0; i < 3; i++)
        sigaction(guard_sigs[i], &guard_old[i], NULL);
}

/* ".BASE.part-XXXXXX", BASE not empty, XXXXXX six alphabet characters. */
static int is_tmp_name(const char *name)
{
    size_t n = strlen(name), tag = strlen(TMP_TAG);
    if (n < 1 + 1 + tag + TMP_SUFFIX_LEN || name[0] != '.')
        return 0;
    const char *sfx = name + n - TMP_SUFFIX_LEN;
    if (memcmp(sfx - tag, TMP_TAG, tag) != 0)
        return 0;
    for (int i = 0; i < TMP_SUFFIX_LEN; i++)
        if (!memchr(alphabet, sfx[i], sizeof alphabet - 1))
            return 0;
    return 1;
}

/* Removes dir/name when it is a regular file nobody holds locked; 1 when
 * removed. The lock is held across the removal, and the name checked to
 * still be the file locked, so a file made meanwhile under the name stays. */
static int sweep_one(int dfd, const char *name)
{
    struct stat a, b;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int removed = 0;
    if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        fstatat(dfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        removed = unlinkat(dfd, name, 0) == 0;
    close(fd);
    return removed;
}

int vm_tmpfile_sweep(const char *dir, void (*notice)(void *user, const char *path), void *user)
{
    const char *d = dir && *dir ? dir : ".";
    DIR *dp = opendir(d);
    if (!dp)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!is_tmp_name(e->d_name) || !sweep_one(dirfd(dp), e->d_name))
            continue;
        removed++;
        if (notice) {
            char path[4096];
            snprintf(path, sizeof path, "%s%s%s", d, d[strlen(d) - 1] == '/' ? "" : "/", e->d_name);
            notice(user, path);
        }
    }
    closedir(dp);
    return removed;
}
