/* direct_file.c - O_DIRECT writing from two buffers and a writer thread
 * (see direct_file.h).
 *
 * Who touches what: the caller's thread fills buf[fill] and moves buf_off
 * and end; the writer thread only reads the buffer it was handed (job)
 * and writes it with pwrite on fd. pending, job*, err and quit are shared
 * under mu. At most one buffer is in flight: hand_off waits for the last
 * one first, so the buffer it switches to is free.
 */
#define _GNU_SOURCE /* O_DIRECT, statx */
#include "vm/direct_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vm_direct_file {
    int fd;            /* the file again, O_WRONLY | O_DIRECT: the writer thread's */
    int buffered_fd;   /* the caller's: writes before buf_off, and all after finish */
    size_t align;      /* offset and length alignment (STATX_DIOALIGN) */
    size_t cap;        /* bytes of each buffer, a multiple of align */
    unsigned char *buf[2];
    int fill;          /* the buffer being filled */
    int64_t buf_off;   /* the file offset of buf[fill][0] */
    int64_t end;       /* the file's length so far */
    int finished;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* pending or quit changed */
    int pending;       /* job handed over, not yet written */
    const unsigned char *job;
    size_t job_len;
    int64_t job_off;
    int err;           /* errno of the first failed write, 0: none */
    int quit;
};

/* pwrite all n bytes: 0, or the errno (ENOSPC for a write that wrote
 * nothing). */
static int pwrite_all(int fd, const unsigned char *p, size_t n, int64_t at)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno;
        if (w == 0)
            return ENOSPC;
        p += w;
        n -= (size_t)w;
        at += w;
    }
    return 0;
}

static void *writer(void *arg)
{
    vm_direct_file *d = arg;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        while (!d->pending && !d->quit)
            pthread_cond_wait(&d->cv, &d->mu);
        if (!d->pending)
            break;
        const unsigned char *p = d->job;
        size_t n = d->job_len;
        int64_t at = d->job_off;
        int skip = d->err != 0; /* the file is lost already */
        pthread_mutex_unlock(&d->mu);
        int e = skip ? 0 : pwrite_all(d->fd, p, n, at);
        pthread_mutex_lock(&d->mu);
        if (e && !d->err)
            d->err = e;
        d->pending = 0;
        pthread_cond_broadcast(&d->cv);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* Waits until no buffer is in flight. 0, or -1 with errno: a write failed. */
static int wait_idle(vm_direct_file *d)
{
    int e;
    pthread_mutex_lock(&d->mu);
    while (d->pending)
        pthread_cond_wait(&d->cv, &d->mu);
    e = d->err;
    pthread_mutex_unlock(&d->mu);
    if (e) {
        errno = e;
        return -1;
    }
    return 0;
}

/* Hands the first n bytes of buf[fill] (n aligned) to the writer and
 * starts filling the other buffer at buf_off + n. */
static int hand_off(vm_direct_file *d, size_t n)
{
    if (wait_idle(d) != 0)
        return -1;
    pthread_mutex_lock(&d->mu);
    d->job = d->buf[d->fill];
    d->job_len = n;
    d->job_off = d->buf_off;
    d->pending = 1;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    d->fill ^= 1;
    d->buf_off += (int64_t)n;
    return 0;
}

static int power_of_two(size_t x)
{
    return x && !(x & (x - 1));
}

static void free_parts(vm_direct_file *d)
{
    if (d->fd >= 0)
        close(d->fd);
    free(d->buf[0]);
    free(d->buf[1]);
    free(d);
}

int vm_direct_file_open(vm_direct_file **out, const char *path, int buffered_fd, int64_t expect_bytes)
{
    struct statx sx;
    struct stat a, b;
    vm_direct_file *d;
    size_t align, mem_align;
    int e;

    *out = NULL;
    if (statx(buffered_fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) != 0)
        return 1; /* no statx (ENOSYS), or a sandbox that refuses it */
    if (!(sx.stx_mask & STATX_DIOALIGN) || sx.stx_dio_offset_align == 0 || sx.stx_dio_mem_align == 0)
        return 1; /* no O_DIRECT here, or none the file system describes */
    align = sx.stx_dio_offset_align;
    mem_align = sx.stx_dio_mem_align > align ? sx.stx_dio_mem_align : align;
    if (mem_align < sizeof(void *))
        mem_align = sizeof(void *);
    if (!power_of_two(align) || !power_of_two(mem_align) || align > VM_DIRECT_FILE_BUFFER)
        return 1;

    if (!(d = calloc(1, sizeof *d)))
        return -1;
    d->fd = -1;
    d->buffered_fd = buffered_fd;
    d->align = align;
    d->cap = VM_DIRECT_FILE_BUFFER;
    if (expect_bytes > 0 && (uint64_t)expect_bytes < d->cap) /* a short file: buffers its size */
        d->cap = ((size_t)expect_bytes + align - 1) / align * align;
    if (posix_memalign((void **)&d->buf[0], mem_align, d->cap) != 0 ||
        posix_memalign((void **)&d->buf[1], mem_align, d->cap) != 0) {
        d->buf[0] = d->buf[1] = NULL; /* posix_memalign leaves a failed pointer undefined */
        free_parts(d);
        errno = ENOMEM;
        return -1;
    }

    /* EINVAL: no O_DIRECT here; anything else (a umask that left the new
     * file unwritable by name) costs only the speed: buffered either way */
    d->fd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
    if (d->fd < 0) {
        free_parts(d);
        return 1;
    }
    /* the name still leads to the caller's file (it is ours and locked;
     * someone would have to have replaced it in between) */
    if (fstat(d->fd, &a) != 0 || fstat(buffered_fd, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
        free_parts(d);
        errno = ESTALE;
        return -1;
    }
    /* The first write, as the file's own writes will be (aligned memory,
     * offset and length): EINVAL means O_DIRECT is refused after all. The
     * test hook misaligns it, for the kernel to refuse. */
    memset(d->buf[0], 0, align);
    int refuse = align > 1 && getenv("DUBSTAGE_TEST_DIRECT_EINVAL") != NULL;
    ssize_t w = refuse ? pwrite(d->fd, d->buf[0] + 1, align - 1, 1) : pwrite(d->fd, d->buf[0], align, 0);
    if (w != (ssize_t)align || ftruncate(buffered_fd, 0) != 0) {
        e = w < 0 ? errno : w != (ssize_t)align ? ENOSPC : errno;
        free_parts(d);
        errno = e;
        return e == EINVAL ? 1 : -1;
    }

    /* the writer takes no signal: Ctrl-C and the rest go to the threads
     * that act on them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e = pthread_create(&d->thread, NULL, writer, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) { /* no thread to spare: buffered, as before */
        pthread_cond_destroy(&d->cv);
        pthread_mutex_destroy(&d->mu);
        free_parts(d);
        return 1;
    }
    d->started = 1;
    *out = d;
    return 0;
}

unsigned char *vm_direct_file_room(vm_direct_file *d, int64_t at, size_t n)
{
    if (d->finished || at < d->buf_off || at > d->end || at + (int64_t)n > d->buf_off + (int64_t)d->cap)
        return NULL;
    return d->buf[d->fill] + (at - d->buf_off);
}

int vm_direct_file_write(vm_direct_file *d, const void *src, size_t n, int64_t at)
{
    const unsigned char *p = src;
    int e;
    if (at < 0 || at > d->end) { /* a hole would hold whatever the buffer held */
        errno = EINVAL;
        return -1;
    }
    if (d->finished || at < d->buf_off) { /* through the buffered descriptor */
        size_t below = d->finished || at + (int64_t)n <= d->buf_off ? n : (size_t)(d->buf_off - at);
        if (wait_idle(d) != 0)
            return -1;
        if ((e = pwrite_all(d->buffered_fd, p, below, at)) != 0) {
            errno = e;
            return -1;
        }
        p += below;
        n -= below;
        at += (int64_t)below;
        if (at > d->end)
            d->end = at;
    }
    while (n > 0) {
        size_t off = (size_t)(at - d->buf_off), k = d->cap - off < n ? d->cap - off : n;
        unsigned char *dst = d->buf[d->fill] + off;
        if (dst != p) /* built in place (vm_direct_file_room) when equal */
            memmove(dst, p, k);
        p += k;
        n -= k;
        at += (int64_t)k;
        if (at > d->end)
            d->end = at;
        if (d->end == d->buf_off + (int64_t)d->cap && hand_off(d, d->cap) != 0)
            return -1;
    }
    return 0;
}

long long vm_direct_file_read(vm_direct_file *d, void *p, size_t n, int64_t at)
{
    if (!d->finished) {
        errno = EINVAL;
        return -1;
    }
    return pread(d->buffered_fd, p, n, (off_t)at);
}

int64_t vm_direct_file_length(const vm_direct_file *d)
{
    return d->end;
}

int vm_direct_file_finish(vm_direct_file *d)
{
    if (d->finished)
        return 0;
    size_t used = (size_t)(d->end - d->buf_off);
    if (used > 0) { /* the tail, padded with zeros that the ftruncate cuts off */
        size_t padded = (used + d->align - 1) / d->align * d->align;
        memset(d->buf[d->fill] + used, 0, padded - used);
        if (hand_off(d, padded) != 0)
            return -1;
    }
    if (wait_idle(d) != 0 || ftruncate(d->buffered_fd, (off_t)d->end) != 0)
        return -1;
    d->finished = 1;
    return 0;
}

void vm_direct_file_close(vm_direct_file **dp)
{
    vm_direct_file *d = dp ? *dp : NULL;
    if (!d)
        return;
    *dp = NULL;
    if (d->started) {
        pthread_mutex_lock(&d->mu);
        d->quit = 1;
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->thread, NULL);
        pthread_cond_destroy(&d->cv);
        pthread_mutex_destroy(&d->mu);
    }
    free_parts(d);
}
