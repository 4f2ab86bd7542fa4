/* rtprio.c - see rtprio.h. Realtime needs permission (root, CAP_SYS_NICE,
 * an rtprio limit); without it the thread stays as it is and desc says so
 * (docs/live.md "Scheduling"). */
#include "vm/rtprio.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

int vm_rtprio_promote(pthread_t t, int priority, char *desc, size_t n)
{
    int policy;
    struct sched_param sp;
    if (pthread_getschedparam(t, &policy, &sp) == 0 && (policy == SCHED_FIFO || policy == SCHED_RR)) {
        snprintf(desc, n, "realtime, from the host (%s %d)", policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_RR",
                 sp.sched_priority);
        return 1;
    }
    sp.sched_priority = priority;
    int e = pthread_setschedparam(t, SCHED_FIFO, &sp);
    if (e == 0) {
        snprintf(desc, n, "realtime (SCHED_FIFO %d)", priority);
        return 1;
    }
    snprintf(desc, n, "ordinary (realtime not permitted: %s)", strerror(e));
    return 0;
}
