/* console.h - the REPL's terminal: GNU readline in callback mode, so meters
 * can be redrawn a few times a second above the prompt while the user types.
 *
 * The console reads lines, joins them into complete Lua chunks (a line that
 * leaves a chunk unfinished -- an open function, table, string or block --
 * gets a continuation prompt ">> " and the next line is appended), keeps a
 * persistent history of chunks, and completes words with the names the
 * caller provides. Without a terminal on stdin and stdout it reads plain
 * lines (no prompt, no editing, no history, no status; on_tick still runs),
 * so it can be driven by a pipe too.
 *
 * With a terminal, from repl_console_run until it returns: SIGINT, SIGWINCH,
 * SIGTSTP and SIGCONT are the console's (the previous handlers come back at
 * the end; a Ctrl-Z while on_chunk runs stops the process once it returns),
 * and the terminal stays in readline's mode -- also while on_chunk runs, so
 * keys typed ahead wait unechoed for the next prompt. A Ctrl-C while
 * on_chunk runs is dropped when it returns; a caller that wants it to stop
 * a running chunk installs its own SIGINT handler in on_chunk and puts the
 * previous one back before returning. One console per process (readline's
 * state is global).
 */
#ifndef REPL_CONSOLE_H
#define REPL_CONSOLE_H

typedef struct {
    /* A complete chunk was entered (history already updated; trailing
     * blanks removed). Return 0 to go on, 1 to leave the loop (e.g. the
     * chunk was `quit()`). It may print with printf or repl_console_print. */
    int (*on_chunk)(void *user, const char *chunk);
    /* Called about every tick_ms while waiting for input (never while
     * on_chunk runs); the caller may call repl_console_status and repl_console_print
     * from here. May be NULL, or tick_ms <= 0, for no ticks. */
    void (*on_tick)(void *user);
    int tick_ms;
    /* Completion candidates for the word being completed (which may contain
     * '.', ':' and '_'): returns a NULL-terminated array of strings, each
     * malloc'ed, the array malloc'ed (the console frees them), or NULL.
     * Candidates not starting with text are ignored. A sole candidate
     * ending in '.', ':' or '(' gets no space after it. May be NULL. */
    char **(*complete)(void *user, const char *text);
    void *user;
    const char *prompt;          /* e.g. "dubstage> " */
    const char *history_path;    /* NULL: no history file. Read at the start
                                  * (a missing file is fine), the session's
                                  * chunks appended at the end, kept to the
                                  * last 1000; its folder must exist. */
} repl_console_hooks;

/* Runs the loop until on_chunk returns 1, end of input (Ctrl-D), or
 * *interrupt (may be NULL) becomes non-zero -- set by the caller's own
 * signal handler, e.g. for SIGTERM; it is looked at every 100 ms at most.
 * Returns 0, or -1 when the terminal could not be set up or stdin could
 * not be read. */
int repl_console_run(const repl_console_hooks *h, volatile int *interrupt);

/* Shows text (one or more lines, no trailing newline needed) as the status
 * block just above the prompt, replacing the previous status, without
 * disturbing what the user is typing. Lines are clipped to the terminal's
 * width (ANSI colour sequences take no room); "" removes the block. The
 * text is copied. Called while on_chunk runs, it shows before the next
 * prompt. No-op without a terminal or outside repl_console_run. */
void repl_console_status(const char *text);

/* Prints a message (output of a chunk, an error) above the status block
 * and the prompt, keeping the line being typed intact; a newline is added
 * when the message lacks one. Outside repl_console_run, or without a terminal,
 * it prints to stdout. */
void repl_console_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
