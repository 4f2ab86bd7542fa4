/* lib_env.c - DUBSTAGE_LIB's folders (repl/lib_env.h). */
#include "repl/lib_env.h"

#include <stdlib.h>
#include <string.h>

/* The variable's copy the folders point into, for the life of the process
 * (a static, so no exit path need free it). */
static char *lib_env;

size_t repl_lib_env_room(void)
{
    const char *env = getenv("DUBSTAGE_LIB");
    size_t room = env && env[0] ? 1 : 0;
    for (const char *e = env; e && *e; e++)
        room += *e == ':';
    return room;
}

int repl_lib_env(vm_script_lib *libs, int *n)
{
    const char *env = getenv("DUBSTAGE_LIB");
    if (!env || !env[0])
        return 0;
    free(lib_env);
    if (!(lib_env = strdup(env)))
        return -1;
    for (char *dir = lib_env, *next; dir; dir = next) {
        next = strchr(dir, ':');
        if (next)
            *next++ = 0;
        if (dir[0])
            libs[(*n)++] = (vm_script_lib){.dir = dir, .origin = "DUBSTAGE_LIB"};
    }
    return 0;
}
