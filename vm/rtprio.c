/* rtprio.c - see rtprio.h. Realtime needs permission (root, CAP_SYS_NICE,
 * an rtprio limit); without it the thread stays as it is and desc says so
 * (docs/live.md "Scheduling").
 *
 * Why a realtime callback thread is kept on one CPU. When a thread of
 * higher priority wakes on the callback's CPU (an interrupt thread, the
 * audio server, the realtime tests' stall probe), the kernel pushes the
 * preempted callback to another CPU running an ordinary task. A kernel
 * built without preemption of kernel code (CONFIG_PREEMPT_NONE or
 * _VOLUNTARY, the default of server and many distribution kernels; this
 * project's test machine) lets that task finish its system call first, so
 * the callback stood still for up to 2 ms where the preempting thread
 * needed 10 us (measured with `perf record -e sched:sched_switch`, docs/live.md
 * "Profiling the callback"). Kept on its CPU it resumes as soon as the
 * preempting thread is done. Ordinary tasks cannot hold a realtime thread
 * back on its CPU (it preempts them), so the keeping costs only where a
 * realtime thread of higher priority runs long on that CPU. A thread the
 * host made realtime is the host's to place. */
#define _GNU_SOURCE /* pthread_setaffinity_np */
#include "vm/rtprio.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

int vm_rtprio_promote(pthread_t t, int priority, int cpu, char *desc, size_t n)
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
    if (e != 0) {
        snprintf(desc, n, "ordinary (realtime not permitted: %s)", strerror(e));
        return 0;
    }
    char where[48] = "";
    if (cpu >= 0 && cpu < CPU_SETSIZE) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (pthread_setaffinity_np(t, sizeof set, &set) == 0)
            snprintf(where, sizeof where, ", on CPU %d", cpu);
    }
    snprintf(desc, n, "realtime (SCHED_FIFO %d%s)", priority, where);
    return 1;
}
