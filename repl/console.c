/* console.c - the REPL's terminal (see console.h).
 *
 * GNU readline runs in callback mode: one poll() loop waits on stdin with a
 * timeout, feeds readline a byte at a time and calls on_tick between bytes,
 * so meters move while the user types. Readline's state is global, so this
 * module's is too: one console per process.
 *
 * The screen's bottom is [status block][readline's input area]. Any redraw
 * erases both (rl_clear_visible_line, then cursor-up over the status rows
 * and ESC[J), prints what it must, then lets readline repaint its own area
 * (rl_forced_update_display) -- readline never sees its prompt or line
 * touched, so a search prompt (Ctrl-R) or a numeric argument survives a
 * meter update. Status lines are clipped to the terminal's width, which is
 * what makes "cursor up N rows" exact. Accepting a line first takes the
 * status block away so the scrollback keeps only prompts, input and
 * output; the block comes back under the output, before the next prompt.
 *
 * Chunk completeness is the lua.c technique: a chunk is unfinished when it
 * does not compile (neither as "return CHUNK" nor as CHUNK) and the syntax
 * error is at "<eof>".
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>

#include "repl/console.h"

#define CONSOLE_HISTORY_MAX 1000
#define CONSOLE_CONT_PROMPT ">> "
/* Longest wait without looking at the signal flags: a Ctrl-C or SIGTERM
 * that lands just before poll() is seen within this. */
#define CONSOLE_MAX_WAIT_MS 100

/* Lua's lexer separators, minus '.', ':' and '_', so "mx.gain" and
 * "dx:fade" complete as one word. Readline keeps the pointer. */
static char word_breaks[] = " \t\n\"\\'`@$><=;|&{(,[+-*/%^~#";

static struct {
    const repl_console_hooks *h;
    const char *prompt;   /* h->prompt, or "> " */
    int tty;              /* readline mode (stdin and stdout are terminals) */
    FILE *out;            /* readline's and our terminal output, fully buffered */
    int active;           /* readline's prompt and line are on screen */
    int done;             /* leave the loop */
    char *status;         /* the status text, as given */
    int status_rows;      /* rows of it on screen now, just above readline's area */
    char *chunk;          /* lines of an unfinished chunk, '\n'-joined */
    size_t chunk_len, chunk_cap;
    lua_State *L;         /* only for the completeness check */
    int history_added;    /* entries added this session */
    char **matches;       /* the caller's completion candidates being handed out */
    int match_next;
} con;

static volatile sig_atomic_t got_sigint, got_sigwinch, got_sigcont, got_sigtstp;

static void on_sigint(int sig)
{
    (void)sig;
    got_sigint = 1;
}

static void on_sigwinch(int sig)
{
    (void)sig;
    got_sigwinch = 1;
}

static void on_sigcont(int sig)
{
    (void)sig;
    got_sigcont = 1;
}

static void on_sigtstp(int sig)
{
    (void)sig;
    got_sigtstp = 1;
}

/* Ctrl-Z: give the shell back its terminal modes, stop, and take ours back
 * when continued (what readline does itself when it owns the signals). */
static void suspend(void)
{
    struct sigaction dfl, mine;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    fflush(con.out);
    rl_deprep_terminal();
    sigaction(SIGTSTP, &dfl, &mine);
    raise(SIGTSTP); /* returns once continued */
    sigaction(SIGTSTP, &mine, NULL);
    got_sigcont = 1;
}

/* Readline restores the terminal's modes after each line and sets them
 * again before the next prompt; in between the terminal would echo and
 * edit typeahead itself (a Ctrl-R typed while a chunk runs would become
 * the tty's "reprint"). The terminal stays in readline's mode for the
 * whole loop instead, so typeahead waits unseen for the next prompt. */
static void keep_prepped(void)
{
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* ---- chunks ---------------------------------------------------------------- */

static int chunk_append(const char *s, size_t n, int newline)
{
    size_t need = con.chunk_len + n + 2;
    if (need > con.chunk_cap) {
        size_t cap = con.chunk_cap ? con.chunk_cap : 256;
        while (cap < need)
            cap *= 2;
        char *p = realloc(con.chunk, cap);
        if (!p)
            return -1;
        con.chunk = p;
        con.chunk_cap = cap;
    }
    if (newline)
        con.chunk[con.chunk_len++] = '\n';
    memcpy(con.chunk + con.chunk_len, s, n);
    con.chunk_len += n;
    con.chunk[con.chunk_len] = 0;
    return 0;
}

static void chunk_reset(void)
{
    con.chunk_len = 0;
    if (con.chunk)
        con.chunk[0] = 0;
}

/* 1 when the chunk so far only lacks its end: lua.c's incomplete(). */
static int chunk_unfinished(const char *s, size_t n)
{
    static const char eof_mark[] = "<eof>";
    const size_t mark_len = sizeof eof_mark - 1;
    lua_State *L = con.L;
    int unfinished = 0;
    lua_pushliteral(L, "return ");
    lua_pushlstring(L, s, n);
    lua_concat(L, 2);
    size_t rn;
    const char *r = lua_tolstring(L, -1, &rn);
    if (luaL_loadbuffer(L, r, rn, "=stdin") == LUA_OK) {
        lua_settop(L, 0);
        return 0;
    }
    if (luaL_loadbuffer(L, s, n, "=stdin") == LUA_ERRSYNTAX) {
        size_t ln;
        const char *msg = lua_tolstring(L, -1, &ln);
        unfinished = msg && ln >= mark_len && strcmp(msg + ln - mark_len, eof_mark) == 0;
    }
    lua_settop(L, 0);
    return unfinished;
}

/* Takes one line of input. Returns 1 when the loop should end. */
static int feed_line(const char *line)
{
    size_t n = strlen(line);
    if (con.chunk_len == 0 && strspn(line, " \t\r\n") == n)
        return 0;
    if (chunk_append(line, n, con.chunk_len > 0) < 0) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 1;
    }
    if (chunk_unfinished(con.chunk, con.chunk_len))
        return 0;
    /* Trailing blanks are never part of a finished chunk (it ends outside
     * any string); completion leaves one after a name. */
    while (con.chunk_len > 0 && strchr(" \t\r", con.chunk[con.chunk_len - 1]))
        con.chunk[--con.chunk_len] = 0;
    if (con.tty) {
        HIST_ENTRY *last = history_get(history_base + history_length - 1);
        if (!last || strcmp(last->line, con.chunk) != 0) {
            add_history(con.chunk);
            con.history_added++;
        }
    }
    /* The caller may print and run a while; a Ctrl-C meanwhile was for the
     * chunk, not for the next prompt. */
    int stop = con.h->on_chunk ? con.h->on_chunk(con.h->user, con.chunk) : 0;
    got_sigint = 0;
    chunk_reset();
    return stop;
}

/* ---- screen -------------------------------------------------------------- */

/* Writes at most `cols` columns of s[0..n): UTF-8 continuation bytes and
 * ANSI escape sequences take no column, so coloured or block-character
 * meters clip right. Wide (CJK) characters count as one: a caveat. */
static void put_clipped(const char *s, size_t n, int cols)
{
    size_t i = 0;
    int col = 0, escaped = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1b && i + 1 < n && s[i + 1] == '[') {
            size_t j = i + 2;
            while (j < n && !((unsigned char)s[j] >= 0x40 && (unsigned char)s[j] <= 0x7e))
                j++;
            if (j < n)
                j++;
            fwrite(s + i, 1, j - i, con.out);
            i = j;
            escaped = 1;
            continue;
        }
        if ((c & 0xc0) != 0x80) {
            if (col == cols)
                break;
            col++;
        }
        if (c < 0x20 || c == 0x7f) /* a tab or a stray control would move the cursor */
            c = ' ';
        fputc(c, con.out);
        i++;
    }
    if (escaped) /* a colour cut off with the line must not leak */
        fputs("\033[m", con.out);
}

/* Prints the status block at the cursor (column 0 of an empty row). */
static void draw_status(void)
{
    con.status_rows = 0;
    if (!con.status || !con.status[0])
        return;
    int rows = 0, cols = 0;
    rl_get_screen_size(&rows, &cols);
    if (cols < 2)
        cols = 80;
    if (rows < 3)
        rows = 24;
    const char *p = con.status;
    while (*p && con.status_rows < rows - 2) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        /* one column short of the edge: no pending-wrap state, so the row
         * count is exact */
        put_clipped(p, len, cols - 1);
        fputs("\n", con.out);
        con.status_rows++;
        p += len + (nl ? 1 : 0);
    }
}

/* Erases readline's area and the status block; the cursor ends at the
 * block's first row, column 0, with nothing below. */
static void hide_all(void)
{
    fflush(stdout);
    rl_clear_visible_line();
    if (con.status_rows > 0)
        fprintf(con.out, "\033[%dA", con.status_rows);
    fputs("\r\033[J", con.out);
    con.status_rows = 0;
}

static void show_input(void)
{
    rl_forced_update_display();
    fflush(con.out);
}

/* ---- readline hooks ---------------------------------------------------- */

static char *match_generator(const char *text, int state)
{
    if (state == 0) {
        if (con.matches) {
            for (int i = con.match_next; con.matches[i]; i++)
                free(con.matches[i]);
            free(con.matches);
        }
        con.matches = con.h->complete ? con.h->complete(con.h->user, text) : NULL;
        con.match_next = 0;
    }
    if (!con.matches)
        return NULL;
    size_t n = strlen(text);
    char *m;
    /* Only prefix matches: readline replaces the word with the matches'
     * common prefix, which must not be shorter than what was typed. */
    while ((m = con.matches[con.match_next]) != NULL) {
        con.match_next++;
        if (strncmp(m, text, n) == 0)
            return m;
        free(m);
    }
    free(con.matches);
    con.matches = NULL;
    return NULL;
}

static char **attempt_completion(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    char **m = rl_completion_matches(text, match_generator);
    if (m && m[0] && !m[1]) {
        size_t n = strlen(m[0]);
        if (n && strchr(".:(", m[0][n - 1]))
            rl_completion_append_character = '\0';
    }
    return m;
}

/* Readline prints a list of candidates below the input and repaints the
 * prompt after it; doing it here keeps the status block above the prompt
 * and out of the list. */
static void display_matches(char **matches, int n, int max_len)
{
    hide_all();
    show_input();
    rl_display_match_list(matches, n, max_len);
    draw_status();
    show_input();
}

/* RETURN: take the status block away first, so it does not stay behind in
 * the scrollback above the accepted line. */
static int accept_line(int count, int key)
{
    if (con.status_rows > 0) {
        hide_all();
        show_input();
    }
    return rl_newline(count, key);
}

static void line_handler(char *line)
{
    con.active = 0;
    if (!line) {
        /* Ctrl-D on an empty line: the status block goes, the prompt stays
         * and the cursor moves past it. */
        hide_all();
        fputs(rl_prompt ? rl_prompt : "", con.out);
        fputs("\n", con.out);
        fflush(con.out);
        con.done = 1;
        rl_callback_handler_remove();
        return;
    }
    /* Accepted some other way than accept_line (a user's key binding): the
     * block stays in the scrollback, forget it. */
    con.status_rows = 0;
    int stop = feed_line(line);
    free(line);
    fflush(stdout);
    if (stop || con.done) {
        con.done = 1;
        rl_callback_handler_remove();
        return;
    }
    rl_set_prompt(con.chunk_len ? CONSOLE_CONT_PROMPT : con.prompt);
    draw_status();
    fflush(con.out);
    con.active = 1; /* readline shows the prompt as soon as this returns */
}

/* Ctrl-C at the prompt: drop the line and any unfinished chunk. */
static void cancel_input(void)
{
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_point = rl_end;
    hide_all();
    show_input();
    fputs("^C\n", con.out);
    chunk_reset();
    rl_set_prompt(con.prompt);
    rl_replace_line("", 1);
    using_history();
    draw_status();
    rl_on_new_line();
    rl_redisplay();
    fflush(con.out);
}

/* ---- the loops ------------------------------------------------------------- */

/* Waits for input on stdin for at most one tick, calling on_tick when one
 * is due. Returns poll()'s result (-1 with EINTR on a signal). */
static int wait_input(double *next_tick)
{
    const repl_console_hooks *h = con.h;
    int ticking = h->on_tick && h->tick_ms > 0;
    double t = now_ms();
    if (ticking && t >= *next_tick) {
        h->on_tick(h->user);
        *next_tick += h->tick_ms;
        if (*next_tick <= t)
            *next_tick = t + h->tick_ms;
    }
    int wait = CONSOLE_MAX_WAIT_MS;
    if (ticking) {
        double left = *next_tick - now_ms();
        if (left < wait)
            wait = left < 0 ? 0 : (int)left + 1;
    }
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    return poll(&pfd, 1, wait);
}

static int run_tty(volatile int *interrupt)
{
    const repl_console_hooks *h = con.h;
    double next_tick = now_ms() + (h->tick_ms > 0 ? h->tick_ms : 0);
    rl_deprep_term_function = keep_prepped;
    rl_callback_handler_install(con.prompt, line_handler);
    /* After install: its first rl_initialize reads ~/.inputrc, which must
     * not override these. */
    rl_bind_key_in_map('\r', accept_line, emacs_standard_keymap);
    rl_bind_key_in_map('\n', accept_line, emacs_standard_keymap);
    rl_bind_key_in_map('\r', accept_line, vi_insertion_keymap);
    rl_bind_key_in_map('\n', accept_line, vi_insertion_keymap);
    rl_bind_key_in_map('\r', accept_line, vi_movement_keymap);
    rl_bind_key_in_map('\n', accept_line, vi_movement_keymap);
    rl_variable_bind("page-completions", "off"); /* "--More--" would block */
    con.active = 1;
    while (!con.done) {
        if (interrupt && *interrupt)
            break;
        if (got_sigint) {
            got_sigint = 0;
            cancel_input();
            continue;
        }
        if (got_sigtstp) {
            got_sigtstp = 0;
            suspend();
        }
        if (got_sigcont) {
            /* back from a stop: the shell had the terminal in its own mode
             * and wrote below our lines */
            got_sigcont = 0;
            rl_deprep_terminal();
            rl_prep_terminal(1);
            con.status_rows = 0;
            draw_status();
            show_input();
            continue;
        }
        if (got_sigwinch) {
            got_sigwinch = 0;
            rl_resize_terminal();
            if (con.status_rows > 0) {
                hide_all();
                draw_status();
                show_input();
            }
            continue;
        }
        int r = wait_input(&next_tick);
        if (r > 0) {
            rl_callback_read_char();
        } else if (r < 0 && errno != EINTR) {
            break;
        }
    }
    if (con.active) {
        /* Interrupted at the prompt: leave the line as typed, status gone. */
        hide_all();
        show_input();
        fputs("\n", con.out);
        fflush(con.out);
        rl_callback_handler_remove();
        con.active = 0;
    }
    rl_deprep_term_function = rl_deprep_terminal;
    rl_deprep_terminal();
    return 0;
}

static int run_plain(volatile int *interrupt)
{
    const repl_console_hooks *h = con.h;
    double next_tick = now_ms() + (h->tick_ms > 0 ? h->tick_ms : 0);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int eof = 0, rc = 0;
    while (!con.done && !eof) {
        if (interrupt && *interrupt)
            break;
        int r = wait_input(&next_tick);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        if (r == 0)
            continue;
        if (cap - len < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, ncap);
            if (!p) {
                rc = -1;
                break;
            }
            buf = p;
            cap = ncap;
        }
        ssize_t got = read(STDIN_FILENO, buf + len, cap - len - 1);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            rc = -1;
            break;
        }
        if (got == 0) {
            eof = 1;
            if (len > 0)
                buf[len++] = '\n'; /* a last line without its newline */
        }
        len += (size_t)got;
        size_t start = 0;
        for (size_t i = 0; i < len && !con.done; i++) {
            if (buf[i] != '\n')
                continue;
            buf[i] = 0;
            if (i > start && buf[i - 1] == '\r')
                buf[i - 1] = 0;
            if (feed_line(buf + start))
                con.done = 1;
            start = i + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    free(buf);
    return rc;
}

int repl_console_run(const repl_console_hooks *h, volatile int *interrupt)
{
    int rc = -1;
    struct sigaction sa, old_int, old_winch, old_cont, old_tstp;
    int tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    int history_read = 0;
    FILE *old_out = rl_outstream;

    memset(&con, 0, sizeof con);
    con.h = h;
    con.prompt = h->prompt ? h->prompt : "> ";
    con.tty = tty;
    con.L = luaL_newstate();
    if (!con.L)
        return -1;
    if (!tty) {
        rc = run_plain(interrupt);
        goto done;
    }

    /* One buffer for a whole redraw, written at once: no flicker. */
    int fd = dup(STDOUT_FILENO);
    con.out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!con.out) {
        if (fd >= 0)
            close(fd);
        goto done;
    }
    setvbuf(con.out, NULL, _IOFBF, 1 << 16);

    rl_readline_name = "dubstage";
    rl_instream = stdin;
    rl_outstream = con.out;
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_attempted_completion_function = attempt_completion;
    rl_completion_display_matches_hook = display_matches;
    rl_basic_word_break_characters = word_breaks;
    rl_completer_word_break_characters = word_breaks;

    using_history();
    stifle_history(CONSOLE_HISTORY_MAX);
    /* Multi-line chunks survive the file: each entry is written after a
     * "#<time>" line, and lines up to the next such line are one entry. */
    history_comment_char = '#';
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    if (h->history_path)
        history_read = read_history(h->history_path) == 0;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* poll() returns EINTR regardless */
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old_int);
    sa.sa_handler = on_sigwinch;
    sigaction(SIGWINCH, &sa, &old_winch);
    sa.sa_handler = on_sigcont;
    sigaction(SIGCONT, &sa, &old_cont);
    sigaction(SIGTSTP, NULL, &old_tstp);
    if (old_tstp.sa_handler == SIG_DFL) { /* a caller ignoring it keeps that */
        sa.sa_handler = on_sigtstp;
        sigaction(SIGTSTP, &sa, NULL);
    }
    got_sigint = got_sigwinch = got_sigcont = got_sigtstp = 0;

    rc = run_tty(interrupt);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGWINCH, &old_winch, NULL);
    sigaction(SIGCONT, &old_cont, NULL);
    sigaction(SIGTSTP, &old_tstp, NULL);
    if (h->history_path) {
        if (history_read) {
            int n = con.history_added < history_length ? con.history_added : history_length;
            if (n > 0)
                append_history(n, h->history_path);
            history_truncate_file(h->history_path, CONSOLE_HISTORY_MAX);
        } else if (con.history_added > 0) {
            write_history(h->history_path);
        }
    }
    clear_history();
    rl_attempted_completion_function = NULL;
    rl_completion_display_matches_hook = NULL;
    rl_outstream = old_out;
    fclose(con.out);

done:
    if (con.matches) {
        for (int i = con.match_next; con.matches[i]; i++)
            free(con.matches[i]);
        free(con.matches);
    }
    lua_close(con.L);
    free(con.chunk);
    free(con.status);
    memset(&con, 0, sizeof con);
    return rc;
}

/* ---- output ---------------------------------------------------------------- */

void repl_console_status(const char *text)
{
    if (!con.tty || !con.out)
        return;
    if (!text)
        text = "";
    if (con.status && strcmp(con.status, text) == 0)
        return;
    char *copy = strdup(text);
    if (!copy)
        return;
    free(con.status);
    con.status = copy;
    /* Not at the prompt (a chunk is running): shown before the next one. */
    if (!con.active)
        return;
    hide_all();
    draw_status();
    show_input();
}

void repl_console_print(const char *fmt, ...)
{
    char small[512], *msg = small;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)) != NULL)
        vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (!msg)
        msg = small; /* truncated rather than lost */
    size_t len = strlen(msg);
    const char *end = len == 0 || msg[len - 1] != '\n' ? "\n" : "";
    if (!con.tty || !con.out) {
        fputs(msg, stdout);
        fputs(end, stdout);
        fflush(stdout);
    } else if (con.active) {
        hide_all();
        fputs(msg, con.out);
        fputs(end, con.out);
        draw_status();
        show_input();
    } else {
        fflush(stdout);
        fputs(msg, con.out);
        fputs(end, con.out);
        fflush(con.out);
    }
    if (msg != small)
        free(msg);
}
