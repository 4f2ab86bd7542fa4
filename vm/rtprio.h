/* rtprio.h - realtime scheduling for an audio callback's thread (the live
 * driver's, and tests/tools/callback_floor's, so both run alike). */
#ifndef VM_RTPRIO_H
#define VM_RTPRIO_H

#include <pthread.h>
#include <stddef.h>

/* Gives thread t SCHED_FIFO at priority, unless it is realtime already (a
 * host such as a realtime JACK server made it so: then it is left as the
 * host set it). When this call made it realtime and cpu >= 0, t is also
 * kept on CPU cpu (the one it runs on; rtprio.c says why). Writes how t is
 * then scheduled into desc (n bytes): "realtime (SCHED_FIFO 10, on CPU 1)",
 * "realtime, from the host (SCHED_FIFO 20)", "ordinary (realtime not
 * permitted: Operation not permitted)". Returns 1 when t runs realtime,
 * else 0. */
int vm_rtprio_promote(pthread_t t, int priority, int cpu, char *desc, size_t n);

#endif
