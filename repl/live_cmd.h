/* live_cmd.h - the live commands of the command line: devices, play, repl. */
#ifndef REPL_LIVE_CMD_H
#define REPL_LIVE_CMD_H

#include <signal.h>

#include "vm/live.h"
#include "vm/script.h"

typedef struct {
    const char *script;
    vm_script_opts so;
    const char *bus;        /* the bus or output to play (NULL: the first output) */
    const char *from, *to;  /* time strings (NULL: session start / end) */
    int loop;               /* loop [from, to) */
    vm_live_opts lo;
    volatile sig_atomic_t *stop;
} live_args;

int repl_devices(void);
int repl_play(const live_args *a);
int repl_live(const live_args *a);

#endif
