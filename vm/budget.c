/* budget.c - instruction budget, memory cap and interrupt (vm/budget.h).
 *
 * Everything reaches the counters through the allocator's user data
 * (lua_getallocf), which all threads of a state share; the hook and the
 * allocator never longjmp from the allocator (Lua only lets it return
 * NULL), so the memory error gets its line afterwards, from the stack the
 * failed coroutine keeps. */
#define _GNU_SOURCE /* SIGEV_THREAD_ID: the watch's tick goes to the script's thread */
#include "vm/budget.h"

#include <malloc.h>
#include <signal.h>
/* AddressSanitizer (gcc says __SANITIZE_ADDRESS__, clang __has_feature) */
#if defined(__SANITIZE_ADDRESS__)
#define BUDGET_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUDGET_ASAN 1
#endif
#endif
#ifdef BUDGET_ASAN
/* sanitizer/allocator_interface.h's, declared here: gcc 12 ships no header */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    vm_budget *b = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        b->memory_bytes -= old;
        return NULL;
    }
    if (b->max_memory_mb > 0 && nsize > old &&
        (double)(b->memory_bytes - old + nsize) > b->max_memory_mb * 1048576.0) {
        b->memory_refused = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p)
        b->memory_bytes = b->memory_bytes - old + nsize;
    return p;
}

static void count_hook(lua_State *L, lua_Debug *ar);

/* bytes the process's heap holds (malloc'd and mmapped); under
 * AddressSanitizer (make asan, make fuzz) its allocator's own count */
static double heap_in_use(void)
{
#ifdef BUDGET_ASAN
    return (double)__sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 m = mallinfo2();
    return (double)m.uordblks + (double)m.hblkhd;
#endif
}

/* how much the heap grew since the watch began: the script's Lua state and
 * everything its calls made in C (tracks, clips, moves, names) */
static double heap_grown(const vm_budget *b)
{
    return heap_in_use() - b->heap_start;
}

/* Raises msg at the running script line, and makes the hook fire on every
 * instruction of this thread so that no pcall in the script keeps going. */
static void stop_script(lua_State *L, const char *msg)
{
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    luaL_where(L, 0); /* inside a hook, level 0 is the Lua function running */
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    lua_error(L);
}

/* the budget's limit as people write it: "2e9", "1e6" (not "2e+09") */
static void limit_text(double v, char *n, size_t size)
{
    snprintf(n, size, "%.3g", v);
    char *e = strstr(n, "e+");
    if (e)
        memmove(e + 1, e + 2 + strspn(e + 2, "0"), strlen(e + 2 + strspn(e + 2, "0")) + 1);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    void *ud;
    (void)ar;
    lua_getallocf(L, &ud);
    vm_budget *b = ud;
    b->running = L;
    if (b->interrupt && *b->interrupt)
        stop_script(L, "interrupted");
    if (b->memory_refused) { /* a pcall in the script caught the memory error: stop it here */
        if (b->max_memory_mb > 0) {
            b->memory_cap_hit_mb = b->max_memory_mb;
            b->max_memory_mb = 0; /* room for the message; the flag keeps stopping every instruction */
        }
        char msg[128];
        snprintf(msg, sizeof msg, "memory limit exhausted (%g MiB; --max-memory)", b->memory_cap_hit_mb);
        stop_script(L, msg);
    }
    if (b->watching && b->max_memory_mb > 0 && (b->tick_seen != b->ticks || ++b->hooks % VM_BUDGET_HEAP_EVERY == 0)) {
        b->tick_seen = b->ticks;
        if (heap_grown(b) > b->max_memory_mb * 1048576.0) {
            lua_gc(L, LUA_GCCOLLECT); /* garbage never counts */
            if (heap_grown(b) > b->max_memory_mb * 1048576.0) {
                b->memory_refused = 1;
                b->memory_cap_hit_mb = b->max_memory_mb;
                b->max_memory_mb = 0;
                char msg[128];
                snprintf(msg, sizeof msg, "memory limit exhausted (%g MiB; --max-memory)", b->memory_cap_hit_mb);
                stop_script(L, msg);
            }
        }
    }
    b->instructions += VM_BUDGET_HOOK_EVERY;
    if (b->max_instructions > 0 && b->instructions + b->c_instructions > b->max_instructions) {
        char n[32], msg[128];
        limit_text(b->max_instructions, n, sizeof n);
        snprintf(msg, sizeof msg, "instruction budget exhausted (%s; --max-instructions)", n);
        stop_script(L, msg);
    }
}

void vm_budget_init(vm_budget *b, double max_instructions, double max_memory_mb,
                    const volatile sig_atomic_t *interrupt)
{
    memset(b, 0, sizeof *b);
    b->max_instructions = max_instructions == 0 ? VM_BUDGET_DEFAULT_INSTRUCTIONS
                        : max_instructions < 0  ? 0
                                                : max_instructions;
    b->max_memory_mb = max_memory_mb == 0 ? VM_BUDGET_DEFAULT_MEMORY_MB
                     : max_memory_mb < 0  ? 0
                                          : max_memory_mb;
    b->interrupt = interrupt;
}

lua_State *vm_budget_newstate(vm_budget *b)
{
    b->instructions = 0;
    b->c_instructions = 0;
    b->memory_bytes = 0;
    b->memory_refused = 0;
    b->memory_cap_hit_mb = 0;
    lua_State *L = lua_newstate(budget_alloc, b);
    /* Lua 5.4 checks a count hook's counter on every instruction (a call
     * into ldebug.c each time): a pure Lua loop runs ~40% slower with it, so
     * it is set only when there is something to count or to look at. */
    if (L && (b->max_instructions > 0 || b->max_memory_mb > 0 || b->interrupt))
        lua_sethook(L, count_hook, LUA_MASKCOUNT, VM_BUDGET_HOOK_EVERY);
    return L;
}

void vm_budget_restart(vm_budget *b, lua_State *L)
{
    b->instructions = 0;
    b->c_instructions = 0;
    b->memory_refused = 0;
    if (b->memory_cap_hit_mb > 0)
        b->max_memory_mb = b->memory_cap_hit_mb, b->memory_cap_hit_mb = 0;
    if (b->max_instructions > 0 || b->max_memory_mb > 0 || b->interrupt)
        lua_sethook(L, count_hook, LUA_MASKCOUNT, VM_BUDGET_HOOK_EVERY);
}

int vm_budget_where(lua_State *co, char *out, size_t n)
{
    lua_Debug ar;
    for (int level = 0; lua_getstack(co, level, &ar); level++)
        if (lua_getinfo(co, "Sl", &ar) && ar.currentline > 0) {
            snprintf(out, n, "%s:%d", ar.short_src, ar.currentline);
            return 1;
        }
    return 0;
}

int vm_budget_memory_error(vm_budget *b, lua_State *co, int status, char *msg, size_t n)
{
    const char *m = lua_type(co, -1) == LUA_TSTRING ? lua_tostring(co, -1) : "";
    /* a script's pcall may have caught the memory error and raised it again */
    if (!b->memory_refused || (status != LUA_ERRMEM && !strstr(m, "not enough memory")))
        return 0;
    double cap = b->max_memory_mb > 0 ? b->max_memory_mb : b->memory_cap_hit_mb;
    if (b->max_memory_mb > 0)
        b->memory_cap_hit_mb = b->max_memory_mb;
    b->max_memory_mb = 0; /* room for the message and for unwinding */
    char where[256];
    if (!vm_budget_where(co, where, sizeof where))
        snprintf(where, sizeof where, "script");
    snprintf(msg, n, "%s: memory limit exhausted (%g MiB; --max-memory)", where, cap);
    return 1;
}

/* ---- the watch of C calls ----------------------------------------------------- */

static vm_budget *volatile watched;
/* the message of a budget spent inside one call, made when the watch starts
 * (the handler only adds the line): "instruction budget exhausted (2e9;
 * --max-instructions) inside one call of a library function" */
static char stall_msg[256];

/* appends s to buf (capacity n, used *at) */
static void put(char *buf, size_t n, size_t *at, const char *s)
{
    while (*s && *at + 1 < n)
        buf[(*at)++] = *s++;
}

/* SIGVTALRM from the watch's timer, on the script's thread. Only
 * async-signal-safe work until the budget is spent; then the thread has
 * been inside one C call for a whole tick and more (it changes no Lua call
 * frame there), so the frames are read for the script's line, the message
 * written with write(2), and the process ends. */
static void on_tick(int sig)
{
    (void)sig;
    vm_budget *b = watched;
    if (!b)
        return;
    /* the tick's CPU time beyond what its Lua instructions account for was
     * spent in C: counted at VM_BUDGET_C_RATE (the hook, the only writer of
     * instructions, may be the code this signal interrupted: C time has a
     * counter of its own) */
    double lua = b->instructions - b->seen, c = VM_BUDGET_C_RATE * VM_BUDGET_TICK_S - lua;
    b->seen = b->instructions;
    b->ticks++;
    if (c > 0)
        b->c_instructions += c;
    if (lua > 0 || b->max_instructions <= 0 || b->instructions + b->c_instructions <= b->max_instructions)
        return; /* Lua runs: its hook stops it at the next look, with a Lua error */
    char msg[512], num[16];
    size_t at = 0;
    lua_Debug ar;
    lua_State *co = b->running ? b->running : b->main;
    int line = 0;
    for (int level = 0; lua_getstack(co, level, &ar); level++)
        if (lua_getinfo(co, "Sl", &ar) && ar.currentline > 0) {
            line = ar.currentline;
            break;
        }
    put(msg, sizeof msg, &at, "dubstage: ");
    if (line > 0) {
        int k = (int)sizeof num - 1;
        num[k] = 0;
        for (int v = line; v > 0 && k > 0; v /= 10)
            num[--k] = (char)('0' + v % 10);
        put(msg, sizeof msg, &at, ar.short_src);
        put(msg, sizeof msg, &at, ":");
        put(msg, sizeof msg, &at, num + k);
        put(msg, sizeof msg, &at, ": ");
    }
    put(msg, sizeof msg, &at, stall_msg);
    msg[at++] = '\n';
    ssize_t w = write(2, msg, at);
    (void)w;
    _exit(1);
}

void vm_budget_watch(vm_budget *b, lua_State *L, int on)
{
    if (!on) {
        if (b->watching) {
            timer_delete(*(timer_t *)b->timer);
            free(b->timer);
            b->timer = NULL;
            b->watching = 0;
            if (watched == b)
                watched = NULL;
        }
        return;
    }
    if (b->watching || (b->max_instructions <= 0 && b->max_memory_mb <= 0))
        return;
    timer_t *t = malloc(sizeof *t);
    struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGVTALRM};
    ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    struct sigaction sa = {.sa_handler = on_tick, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    if (!t || sigaction(SIGVTALRM, &sa, NULL) != 0 || timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, t) != 0) {
        free(t);
        return; /* no watch: the hook still counts Lua's instructions */
    }
    char n[32];
    limit_text(b->max_instructions, n, sizeof n);
    snprintf(stall_msg, sizeof stall_msg, "instruction budget exhausted (%s; --max-instructions) inside one call "
             "of a library function (a string pattern that backtracks?), which cannot be stopped: the process ends", n);
    b->main = L;
    b->running = L;
    b->seen = b->instructions;
    b->heap_start = heap_in_use();
    b->timer = t;
    b->watching = 1;
    watched = b;
    long ns = (long)(VM_BUDGET_TICK_S * 1e9);
    struct itimerspec every = {.it_interval = {ns / 1000000000L, ns % 1000000000L},
                               .it_value = {ns / 1000000000L, ns % 1000000000L}};
    timer_settime(*t, 0, &every, NULL);
}
