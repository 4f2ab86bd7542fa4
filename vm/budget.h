/* budget.h - the limits a mix script runs under: an instruction budget, a
 * cap on the memory it makes (its Lua state, and while it runs what its
 * calls build in C), and an interrupt flag (Ctrl-C in
 * the REPL), all checked by one count hook (ARCHITECTURE.md property 8).
 *
 * The hook is set when there is a limit or a flag to look at (Lua 5.4
 * pays a call per instruction for a count hook: a pure Lua loop runs ~40%
 * slower; with no limits and no flag there is no hook and no cost). It
 * runs every VM_BUDGET_HOOK_EVERY instructions of Lua code; C
 * functions (string.rep, table.sort) count as the instructions that call
 * them, and their memory counts in full. The state's allocator refuses an
 * allocation that would pass the cap, after Lua has tried a full
 * collection, so garbage never counts. Coroutines share the budget: the
 * hook is set before any is made, and each inherits it. Once a limit is
 * hit the hook fires on every instruction, so a `pcall` in the script
 * cannot swallow the error and carry on (a memory error it caught is
 * raised again, with the line, at the next look).
 *
 * Time in C (a string pattern that backtracks, a plain string.find of a
 * long needle, the mix calls themselves: a loop making clips runs ten Lua
 * instructions a clip) is not Lua instructions, and memory made in C (the
 * description's tracks, clips, names) is not the Lua state's.
 * vm_budget_watch covers both while a script runs: a timer on the thread's
 * CPU clock ticks every VM_BUDGET_TICK_S, and the part of a tick its Lua
 * instructions do not account for (at VM_BUDGET_C_RATE a second) counts as
 * instructions; the hook also compares the heap's growth since the script
 * began (Lua's and C's, after a full collection) with the memory cap. The
 * hook raises both errors as Lua errors at the running line. A single C
 * call that spends the budget never returns to the hook, and cannot be
 * unwound from a signal: then the tick prints the budget's message with
 * the script line that made the call and ends the process (status 1). */
#ifndef VM_BUDGET_H
#define VM_BUDGET_H

#include <signal.h>
#include <stddef.h>

#include <lua.h>

#define VM_BUDGET_HOOK_EVERY 1000
#define VM_BUDGET_DEFAULT_INSTRUCTIONS 2e9
#define VM_BUDGET_DEFAULT_MEMORY_MB 1024.0
/* the watch of C calls: a tick every 0.02 s of the thread's CPU time; a
 * second inside one call counts as 2e8 instructions (about what pure Lua
 * runs in a second on the development machine: the default budget is then
 * 10 s either way) */
#define VM_BUDGET_TICK_S 0.02
#define VM_BUDGET_C_RATE 2e8
/* the watch's look at the whole heap (mallinfo2, ~0.5 us): at every tick,
 * and every this many hooks (64,000 instructions) */
#define VM_BUDGET_HEAP_EVERY 64

typedef struct {
    double max_instructions;          /* 0: no budget */
    double max_memory_mb;             /* 0: no cap */
    const volatile sig_atomic_t *interrupt; /* the hook stops the script once *interrupt != 0; NULL: never */
    /* counted by the hook and the allocator */
    double instructions;
    size_t memory_bytes;
    int memory_refused;               /* the allocator refused for the cap */
    double memory_cap_hit_mb;         /* the cap, lifted once hit (to report and unwind) */
    /* the watch of C calls (vm_budget_watch) */
    volatile double c_instructions;   /* CPU time spent in C, as instructions (the watch's ticks) */
    volatile int ticks;               /* the watch's ticks so far */
    int tick_seen, hooks;             /* the hook's last look at the heap: at a new tick, or every
                                         VM_BUDGET_HEAP_EVERY hooks */
    double heap_start;                /* the heap's size when the watch began */
    lua_State *running;               /* the thread (coroutine) the hook saw last */
    lua_State *main;                  /* the state watched */
    double seen;                      /* instructions at the last tick */
    int watching;
    void *timer;                      /* the timer_t, as created */
} vm_budget;

/* Sets b to a budget of max_instructions and max_memory_mb as the command
 * line gives them (0: the default, < 0: none), stopped by *interrupt (may
 * be NULL), nothing counted yet. */
void vm_budget_init(vm_budget *b, double max_instructions, double max_memory_mb,
                    const volatile sig_atomic_t *interrupt);

/* A new Lua state whose allocator and hook keep to b (b must outlive it).
 * NULL when even the empty state does not fit. */
lua_State *vm_budget_newstate(vm_budget *b);

/* on = 1: from now on, time the calling thread spends inside one C call of
 * L's script counts against b's budget (see the top); on = 0 stops that
 * (call it when the script's pcall returns, before the program's own work:
 * compiling a plan is not the script's time). Nothing when b has neither
 * an instruction budget nor a memory cap, or the timer cannot be made. One budget is watched
 * at a time; a second watch replaces the first until it stops. */
void vm_budget_watch(vm_budget *b, lua_State *L, int on);

/* Starts the count again (the REPL: each chunk gets the whole budget) and
 * sets the hook back to its normal rate on L. */
void vm_budget_restart(vm_budget *b, lua_State *L);

/* After a Lua error in co (a coroutine whose stack is left as the error
 * found it): when the error was the memory cap, lifts the cap so the
 * message can be made, and writes "FILE:LINE: memory limit exhausted
 * (1024 MiB; --max-memory)" into msg, FILE:LINE being the script line that
 * was running. Returns 1 then, 0 for any other error. */
int vm_budget_memory_error(vm_budget *b, lua_State *co, int status, char *msg, size_t n);

/* "FILE:LINE" of the innermost Lua function running in co (or stopped
 * there by an error), into out; 0 when none has a line. */
int vm_budget_where(lua_State *co, char *out, size_t n);

#endif
