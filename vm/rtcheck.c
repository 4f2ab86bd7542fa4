/* rtcheck.c - the program's no-op callback markers (see rtcheck.h). */
#include "vm/rtcheck.h"

__attribute__((weak)) void vm_rtcheck_enter(void)
{
}

__attribute__((weak)) void vm_rtcheck_leave(void)
{
}
