/* script_error.h - raising a Lua error from C with printf formats.
 *
 * Shared by the script bindings (vm/script*.c) and the REPL's commands
 * (repl/live_cmd.c): one way to say "FILE:LINE: what was wrong". Only files
 * that already include lua.h include this. */
#ifndef VM_SCRIPT_ERROR_H
#define VM_SCRIPT_ERROR_H

#include <lua.h>

/* luaL_error with C's printf formats (Lua's own lacks %g, %.3f, %lld) and
 * compile-time format checks; like luaL_error it prefixes "file:line:" of
 * the Lua line that called into C (level 1). The message is cut at 1,023
 * bytes. Never returns (the int is for `return vm_script_error(...)`). */
int vm_script_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
