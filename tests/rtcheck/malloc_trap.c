/* malloc_trap.c - the realtime tests' allocation trap (ARCHITECTURE.md
 * property 4: no malloc or free in the audio callback).
 *
 * Linked only into build/dubstage-rtcheck. Its vm_rtcheck_enter()/vm_rtcheck_leave()
 * replace the program's weak no-ops (vm/rtcheck.c) and set a thread-local
 * flag while the live driver's PortAudio callback runs. This file also
 * defines malloc, calloc, realloc, reallocarray, free and the aligned
 * allocators; being in the executable, they win over glibc's for every
 * caller, libraries included (glibc's own strdup, PortAudio, libsndfile).
 * Each forwards to glibc's allocator through its __libc_* entry points;
 * while the flag is set on the calling thread it writes one line to fd 2
 * and aborts, so a test sees exit status 134 and the line
 *
 *   dubstage-rtcheck: malloc in the audio callback: calloc(4, 256)
 *   dubstage-rtcheck: malloc in the audio callback: free(0x55d0c2a4f2a0)
 *
 * free(NULL) is allowed (it does nothing); free of a real pointer is not.
 *
 * Why __libc_* and not dlsym(RTLD_NEXT): dlsym itself calls calloc, which
 * would recurse into this file before the real pointer is known. The
 * __libc_* symbols are resolved by the dynamic linker like any other, so
 * these functions work from the first allocation of process start. The flag
 * lives in the executable's static TLS block (no __tls_get_addr, no
 * allocation to reach it). Nothing on the trap path allocates: the message
 * is formatted by hand and written with write(2).
 *
 * Under AddressSanitizer (make asan) or ThreadSanitizer (make tsan) the
 * sanitizer owns malloc: defining it here would hand the sanitizer's chunks
 * to glibc's free. There the same check runs from the sanitizer's
 * allocation hooks instead, which name every allocator "malloc" and every
 * release "free".
 *
 * DUBSTAGE_RTCHECK_SELFTEST=1 in the environment makes the program allocate
 * inside vm_rtcheck_enter()/vm_rtcheck_leave() at start-up, before main: the proof
 * that the trap fires (tests/live/rtcheck_trap.sh).
 *
 * DUBSTAGE_RTCHECK_LATE=N:MS makes the N-th callback (counted from 1) spend
 * MS milliseconds busy before it does its work: a callback really late, by
 * dubstage's own doing, so that the realtime tests prove they fail on one
 * (tests/live/play.sh "an injected late callback").
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm/rtcheck.h"

/* A sanitizer that owns malloc (ASan, TSan): the trap runs from its hooks */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TRAP_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TRAP_HOOKS 1
#endif
#endif

static _Thread_local int in_callback;
static long late_callback, late_ms, callbacks; /* DUBSTAGE_RTCHECK_LATE; callbacks: the audio thread's only */

static double monotonic_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void vm_rtcheck_enter(void)
{
    in_callback = 1;
    if (late_callback && ++callbacks == late_callback) {
        double until = monotonic_s() + 1e-3 * (double)late_ms;
        while (monotonic_s() < until)
            ;
    }
}

void vm_rtcheck_leave(void)
{
    in_callback = 0;
}

static void put_str(char *buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + *len, s, n);
    *len += n;
}

/* Appends v in decimal, or in hex with a 0x prefix when hex is set. */
static void put_num(char *buf, size_t *len, uintptr_t v, int hex)
{
    char digits[24];
    unsigned base = hex ? 16 : 10;
    int n = 0;

    if (hex)
        put_str(buf, len, "0x");
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (n > 0)
        buf[(*len)++] = digits[--n];
}

/* Writes "dubstage-rtcheck: malloc in the audio callback: FN(ARGS)" to fd 2
 * and aborts. args says what a and b are: "z" one size, "zz" two sizes,
 * "p" a pointer, "pz" a pointer and a size. */
__attribute__((noreturn)) static void violation(const char *fn, const char *args, uintptr_t a, uintptr_t b)
{
    char msg[160];
    size_t len = 0;
    ssize_t w;

    in_callback = 0; /* whatever runs from here on is not the callback's */
    put_str(msg, &len, "dubstage-rtcheck: malloc in the audio callback: ");
    put_str(msg, &len, fn);
    put_str(msg, &len, "(");
    for (int i = 0; args[i] != '\0'; i++) {
        if (i > 0)
            put_str(msg, &len, ", ");
        put_num(msg, &len, i == 0 ? a : b, args[i] == 'p');
    }
    put_str(msg, &len, ")\n");
    w = write(2, msg, len);
    (void)w;
    abort();
}

#ifndef TRAP_HOOKS

/* glibc's allocator under its exported internal names. Declared here
 * because no public header does. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);
void *__libc_memalign(size_t alignment, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

void *malloc(size_t size)
{
    if (in_callback)
        violation("malloc", "z", size, 0);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    if (in_callback)
        violation("calloc", "zz", n, size);
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    if (in_callback)
        violation("realloc", "pz", (uintptr_t)p, size);
    return __libc_realloc(p, size);
}

/* glibc's reallocarray calls its realloc internally, past this file. */
void *reallocarray(void *p, size_t n, size_t size)
{
    if (in_callback)
        violation("reallocarray", "zz", n, size);
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n * size);
}

void free(void *p)
{
    if (p == NULL)
        return;
    if (in_callback)
        violation("free", "p", (uintptr_t)p, 0);
    __libc_free(p);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    void *p;

    if (in_callback)
        violation("posix_memalign", "zz", alignment, size);
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % sizeof(void *) != 0)
        return EINVAL;
    p = __libc_memalign(alignment, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (in_callback)
        violation("aligned_alloc", "zz", alignment, size);
    /* C11: an alignment the implementation does not support gives NULL */
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
    if (in_callback)
        violation("memalign", "zz", alignment, size);
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size)
{
    if (in_callback)
        violation("valloc", "z", size, 0);
    return __libc_valloc(size);
}

void *pvalloc(size_t size)
{
    if (in_callback)
        violation("pvalloc", "z", size, 0);
    return __libc_pvalloc(size);
}

#else /* TRAP_HOOKS */

/* Called by the sanitizer for every allocation and deallocation of the program
 * (sanitizer/allocator_interface.h); its free hook never sees NULL. */
void __sanitizer_malloc_hook(const volatile void *p, size_t size);
void __sanitizer_free_hook(const volatile void *p);

void __sanitizer_malloc_hook(const volatile void *p, size_t size)
{
    (void)p;
    if (in_callback)
        violation("malloc", "z", size, 0);
}

void __sanitizer_free_hook(const volatile void *p)
{
    if (in_callback)
        violation("free", "p", (uintptr_t)p, 0);
}

#endif /* TRAP_HOOKS */

/* Calls through a volatile pointer: gcc knows the builtin malloc reads no
 * variable of ours, so a direct call let it drop the flag's store as dead.
 * The result goes to a volatile object so the allocation is not dropped
 * as unused either. */
static void *(*volatile selftest_malloc)(size_t) = malloc;
static void *volatile selftest_sink;

__attribute__((constructor)) static void rtcheck_selftest(void)
{
    const char *late = getenv("DUBSTAGE_RTCHECK_LATE");
    char *end;
    if (late && (late_callback = strtol(late, &end, 10)) > 0 && *end == ':')
        late_ms = strtol(end + 1, NULL, 10);
    const char *v = getenv("DUBSTAGE_RTCHECK_SELFTEST");

    if (v == NULL || strcmp(v, "1") != 0)
        return;
    vm_rtcheck_enter();
    selftest_sink = selftest_malloc(16);
    vm_rtcheck_leave();
    /* reached only if the trap did not fire */
    free(selftest_sink);
}
