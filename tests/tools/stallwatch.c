/* stallwatch.c - the realtime tests' witness of machine stalls.
 *
 *   jackd ... 2>&1 | stallwatch > jackd.log
 *
 * Copies its input to its output line by line, each line prefixed with the
 * time it arrived (CLOCK_MONOTONIC, seconds). Meanwhile one thread per CPU,
 * pinned to it at realtime priority (SCHED_FIFO 30, above the test's server
 * and recorder), wakes every millisecond; when it wakes more than 5 ms late
 * it writes
 *
 *   TIME stall cpu N D ms
 *
 * where TIME is when it woke: for D ms before that, nothing of lower
 * priority could have run on that CPU either. A realtime thread waits that
 * long only when the machine itself stops (a virtual machine's processor
 * not run by its host, a kernel holding the CPU): measured here, a realtime
 * and an ordinary thread 100 ms late at the same instant (docs/live.md
 * "Scheduling"). tests/live/lib/jack.sh reads these lines next to the
 * server's xrun messages, so that an xrun the whole machine caused is not
 * put on dubstage.
 *
 * STALLWATCH_REPORT_MS=X reports wakes more than X ms late instead of 5
 * (tests/bench/live.sh counts the machine's stalls down to 0.3 ms beside
 * the callback's percentiles). A timer wake of an idle realtime thread in
 * a virtual machine is normally 0.01-0.1 ms late.
 *
 * Where realtime scheduling is not permitted the watch threads do not run
 * (an ordinary thread's lateness proves nothing about the machine) and the
 * first line says so. Ends at the end of its input.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WATCH_PRIORITY 30
#define WATCH_STEP_NS 1000000L /* 1 ms */
#define WATCH_REPORT_MS 5.0 /* default; STALLWATCH_REPORT_MS */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static double report_ms = WATCH_REPORT_MS;

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void put_line(const char *text)
{
    pthread_mutex_lock(&out_lock);
    printf("%.6f %s", mono_s(), text);
    if (!*text || text[strlen(text) - 1] != '\n')
        putchar('\n');
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
}

static void *watch(void *arg)
{
    int cpu = (int)(long)arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        next.tv_nsec += WATCH_STEP_NS;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double late_ms = 1e3 * ((double)(now.tv_sec - next.tv_sec) + 1e-9 * (double)(now.tv_nsec - next.tv_nsec));
        if (late_ms > report_ms) {
            char line[80];
            snprintf(line, sizeof line, "stall cpu %d %.*f ms", cpu, report_ms < 1 ? 2 : 1, late_ms);
            put_line(line);
            next = now; /* count a stall once, not once per missed step */
        }
    }
    return NULL;
}

/* One watch thread pinned to cpu at realtime priority; 0 when it runs. */
static int start_watch(int cpu)
{
    pthread_attr_t a;
    cpu_set_t set;
    struct sched_param sp = {.sched_priority = WATCH_PRIORITY};
    pthread_t t;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int e = pthread_attr_init(&a);
    if (!e)
        e = pthread_attr_setaffinity_np(&a, sizeof set, &set);
    if (!e)
        e = pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
    if (!e)
        e = pthread_attr_setschedpolicy(&a, SCHED_FIFO);
    if (!e)
        e = pthread_attr_setschedparam(&a, &sp);
    if (!e)
        e = pthread_create(&t, &a, watch, (void *)(long)cpu);
    pthread_attr_destroy(&a);
    if (!e)
        pthread_detach(t);
    return e;
}

int main(void)
{
    const char *ms = getenv("STALLWATCH_REPORT_MS");
    if (ms && atof(ms) > 0)
        report_ms = atof(ms);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int watching = 0;
    for (long c = 0; c < ncpu && c < CPU_SETSIZE; c++)
        watching += start_watch((int)c) == 0;
    /* the copying thread too, so that a line is stamped when it is written */
    struct sched_param sp = {.sched_priority = WATCH_PRIORITY - 1};
    if (watching)
        pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    char line[4096];
    snprintf(line, sizeof line, "stallwatch: %d of %ld CPUs watched at SCHED_FIFO %d%s", watching, ncpu,
             WATCH_PRIORITY, watching ? "" : " (realtime not permitted: no stall is reported)");
    put_line(line);
    while (fgets(line, sizeof line, stdin))
        put_line(line);
    return 0;
}
