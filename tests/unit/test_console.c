/* test_console.c - the REPL console (repl/console.c) driven through a
 * pseudo-terminal as a user would: keystrokes in, chunks and screen out.
 *
 * A child runs repl_console_run on the slave side; its hooks append each chunk
 * to a file, complete from a fixed list of names and draw a status block
 * on every tick. The parent types into the master side and feeds what
 * comes back to a small VT100 model, so the checks are on the screen a
 * user would see (status block above the prompt, nothing stale left in the
 * scrollback), not on the escape sequences that produce it.
 *
 * repl/ is not part of libdubstage.a, so console.c is compiled into this
 * test by including its source.
 */
#include "repl/console.c"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/check.h"

#define SCREEN_ROWS 24
#define SCREEN_COLS 80
#define MAX_LINES 400
#define SESSION_TIMEOUT_MS 10000
#define MAX_CHUNKS 32

/* ---- the child: repl_console_run with recording hooks ------------------------- */

static int child_chunk_fd;
static int child_ticks, child_chunks;

static int child_on_chunk(void *user, const char *chunk)
{
    (void)user;
    if (!chunk) /* never; tells gcc's -Wnonnull under -fsanitize=undefined */
        return 1;
    size_t n = strlen(chunk) + 1;
    if (write(child_chunk_fd, chunk, n) != (ssize_t)n)
        return 1;
    repl_console_print("ran %d", ++child_chunks);
    return strcmp(chunk, "quit()") == 0;
}

static void child_on_tick(void *user)
{
    (void)user;
    char text[256];
    child_ticks++;
    /* the third line is longer than the terminal: it must be clipped */
    snprintf(text, sizeof text, "meter %d\ndx -12.0 dB\n%0100d", child_ticks, 0);
    repl_console_status(text);
    if (child_ticks == 5)
        repl_console_print("tick message");
}

static char **child_complete(void *user, const char *text)
{
    static const char *const names[] = {"dx", "dx.gain", "dx.pan", "mx", "mx.gain", "music"};
    (void)user;
    (void)text;
    /* all of them: console.c keeps only those starting with text */
    char **r = calloc(sizeof names / sizeof names[0] + 1, sizeof *r);
    for (size_t i = 0; r && i < sizeof names / sizeof names[0]; i++)
        r[i] = strdup(names[i]);
    return r;
}

static void child_main(const char *chunk_path, const char *history_path)
{
    child_chunk_fd = open(chunk_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (child_chunk_fd < 0)
        _exit(3);
    setenv("TERM", "xterm", 1);
    setenv("INPUTRC", "/dev/null", 1);
    repl_console_hooks h = {
        .on_chunk = child_on_chunk,
        .on_tick = child_on_tick,
        .tick_ms = 20,
        .complete = child_complete,
        .prompt = "dubstage> ",
        .history_path = history_path,
    };
    int rc = repl_console_run(&h, NULL);
    char tail[64];
    /* an empty record, then the tick count: the pipe test's evidence */
    int n = snprintf(tail, sizeof tail, "%cticks %d", 0, child_ticks);
    if (write(child_chunk_fd, tail, (size_t)n + 1) < 0)
        _exit(3);
    _exit(rc == 0 ? 0 : 1);
}

/* ---- the parent's terminal model ------------------------------------------- */

/* VT100/xterm as far as readline and console.c use it: printable bytes with
 * deferred auto-wrap, CR, LF (scrolling into a scrollback), BS, and CSI
 * A B C D G H J K P @ m h l. */
typedef struct {
    char line[MAX_LINES][SCREEN_COLS + 1];
    int nlines, top, row, col, wrap_pending;
    int esc, csi_len;
    char csi[32];
    int unknown;
} vt_screen;

static void vt_init(vt_screen *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < MAX_LINES; i++)
        memset(s->line[i], ' ', SCREEN_COLS);
    s->nlines = 1;
}

static void vt_down(vt_screen *s)
{
    if (s->row == s->top + SCREEN_ROWS - 1)
        s->top++;
    if (s->row + 1 < MAX_LINES)
        s->row++;
    if (s->row + 1 > s->nlines)
        s->nlines = s->row + 1;
}

static void vt_clear(vt_screen *s, int row, int from, int to)
{
    if (row >= 0 && row < MAX_LINES)
        for (int c = from; c < to && c < SCREEN_COLS; c++)
            s->line[row][c] = ' ';
}

static void vt_csi(vt_screen *s, char final)
{
    int n = atoi(s->csi[0] == '?' ? s->csi + 1 : s->csi);
    int n1 = n > 0 ? n : 1;
    char *row = s->line[s->row];
    if (s->csi[0] == '?' && (final == 'h' || final == 'l'))
        return; /* modes: keypad, bracketed paste, meta */
    s->wrap_pending = 0;
    switch (final) {
    case 'A': s->row = s->row - n1 < s->top ? s->top : s->row - n1; break;
    case 'B': for (int i = 0; i < n1 && s->row < s->top + SCREEN_ROWS - 1; i++) vt_down(s); break;
    case 'C': s->col = s->col + n1 >= SCREEN_COLS ? SCREEN_COLS - 1 : s->col + n1; break;
    case 'D': s->col = s->col - n1 < 0 ? 0 : s->col - n1; break;
    case 'G': s->col = n1 - 1 < SCREEN_COLS ? n1 - 1 : SCREEN_COLS - 1; break;
    case 'H': {
        int r = n1, c = 1;
        const char *semi = strchr(s->csi, ';');
        if (semi && atoi(semi + 1) > 0)
            c = atoi(semi + 1);
        s->row = s->top + r - 1;
        s->col = c - 1;
        while (s->row + 1 > s->nlines)
            s->nlines++;
        break;
    }
    case 'J':
        if (n == 2) {
            for (int r = s->top; r < s->top + SCREEN_ROWS; r++)
                vt_clear(s, r, 0, SCREEN_COLS);
        } else {
            vt_clear(s, s->row, s->col, SCREEN_COLS);
            for (int r = s->row + 1; r < s->top + SCREEN_ROWS; r++)
                vt_clear(s, r, 0, SCREEN_COLS);
        }
        break;
    case 'K': vt_clear(s, s->row, s->col, SCREEN_COLS); break;
    case 'P':
        for (int c = s->col; c < SCREEN_COLS; c++)
            row[c] = c + n1 < SCREEN_COLS ? row[c + n1] : ' ';
        break;
    case '@':
        for (int c = SCREEN_COLS - 1; c >= s->col; c--)
            row[c] = c - n1 >= s->col ? row[c - n1] : ' ';
        break;
    case 'm': break;
    default: s->unknown++; break;
    }
}

static void vt_feed(vt_screen *s, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (s->esc == 1) {
            s->esc = 0;
            if (c == '[') {
                s->esc = 2;
                s->csi_len = 0;
                s->csi[0] = 0;
            } else if (c != '=' && c != '>') {
                s->unknown++;
            }
            continue;
        }
        if (s->esc == 2) {
            if (c >= 0x40 && c <= 0x7e) {
                s->esc = 0;
                vt_csi(s, (char)c);
            } else if (s->csi_len + 1 < (int)sizeof s->csi) {
                s->csi[s->csi_len++] = (char)c;
                s->csi[s->csi_len] = 0;
            }
            continue;
        }
        switch (c) {
        case 0x1b: s->esc = 1; break;
        case '\r': s->col = 0; s->wrap_pending = 0; break;
        case '\n': vt_down(s); s->wrap_pending = 0; break;
        case '\b': if (s->col > 0) s->col--; s->wrap_pending = 0; break;
        case '\a': break;
        default:
            if (c < 0x20)
                break;
            if (s->wrap_pending) {
                s->col = 0;
                vt_down(s);
                s->wrap_pending = 0;
            }
            s->line[s->row][s->col] = (char)c;
            if (s->col == SCREEN_COLS - 1)
                s->wrap_pending = 1;
            else
                s->col++;
        }
    }
}

/* Row r without its trailing blanks, in a static buffer. */
static const char *vt_row(const vt_screen *s, int r)
{
    static char out[SCREEN_COLS + 1];
    int n = SCREEN_COLS;
    if (r < 0 || r >= s->nlines)
        return "";
    memcpy(out, s->line[r], SCREEN_COLS);
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = 0;
    return out;
}

/* ---- the parent's side of a session -------------------------------------- */

typedef struct {
    pid_t pid;
    int master;
    char *out;              /* everything the child wrote to the terminal */
    size_t out_len, out_cap;
    vt_screen *vt;
    const char *chunk_path;
    struct timespec t0;
    int status;             /* waitpid status once reaped */
    int reaped;
} session;

static double elapsed_ms(const session *ss)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - ss->t0.tv_sec) * 1e3 + (double)(t.tv_nsec - ss->t0.tv_nsec) * 1e-6;
}

/* Reads what the child wrote within ms milliseconds. */
static void pump(session *ss, int ms)
{
    struct pollfd p = {.fd = ss->master, .events = POLLIN};
    if (ss->master < 0 || poll(&p, 1, ms) <= 0)
        return;
    char buf[4096];
    ssize_t n = read(ss->master, buf, sizeof buf);
    if (n <= 0) {
        /* EIO: the child closed the slave side */
        close(ss->master);
        ss->master = -1;
        return;
    }
    if (ss->out_len + (size_t)n + 1 > ss->out_cap) {
        size_t cap = ss->out_cap ? ss->out_cap * 2 : 65536;
        while (cap < ss->out_len + (size_t)n + 1)
            cap *= 2;
        char *p2 = realloc(ss->out, cap);
        if (!p2)
            return;
        ss->out = p2;
        ss->out_cap = cap;
    }
    memcpy(ss->out + ss->out_len, buf, (size_t)n);
    ss->out_len += (size_t)n;
    ss->out[ss->out_len] = 0;
    vt_feed(ss->vt, buf, (size_t)n);
}

/* The chunks recorded so far: NUL-separated records. */
static int read_chunks(const session *ss, char chunks[][256], int max)
{
    char buf[8192];
    int fd = open(ss->chunk_path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    int count = 0;
    for (ssize_t i = 0; i < n && count < max;) {
        size_t len = strnlen(buf + i, (size_t)(n - i));
        if ((ssize_t)(i + (ssize_t)len) >= n)
            break; /* a record still being written */
        snprintf(chunks[count++], 256, "%s", buf + i);
        i += (ssize_t)len + 1;
    }
    return count;
}

static int count_chunks(const session *ss)
{
    static char chunks[MAX_CHUNKS][256];
    return read_chunks(ss, chunks, MAX_CHUNKS);
}

/* Waits (pumping output) until the child has recorded `want` chunks. */
static int wait_chunks(session *ss, int want)
{
    while (elapsed_ms(ss) < SESSION_TIMEOUT_MS) {
        if (count_chunks(ss) >= want)
            return 1;
        pump(ss, 10);
    }
    return 0;
}

/* Waits until `text` appears in the output after byte `from`. */
static int wait_output(session *ss, size_t from, const char *text)
{
    while (elapsed_ms(ss) < SESSION_TIMEOUT_MS) {
        if (ss->out && from <= ss->out_len && strstr(ss->out + from, text))
            return 1;
        pump(ss, 10);
    }
    return 0;
}

/* Waits until the cursor's row reads `text` (trailing blanks aside). */
static int wait_cursor_row(session *ss, const char *text)
{
    while (elapsed_ms(ss) < SESSION_TIMEOUT_MS) {
        if (strcmp(vt_row(ss->vt, ss->vt->row), text) == 0)
            return 1;
        pump(ss, 10);
    }
    return 0;
}

static void type(session *ss, const char *keys)
{
    if (ss->master >= 0 && write(ss->master, keys, strlen(keys)) < 0)
        printf("# write to the terminal: %s\n", strerror(errno));
    pump(ss, 30);
}

static int session_start(session *ss, vt_screen *vt, const char *chunk_path, const char *history_path)
{
    memset(ss, 0, sizeof *ss);
    vt_init(vt);
    ss->vt = vt;
    ss->chunk_path = chunk_path;
    unlink(chunk_path);
    struct winsize ws = {.ws_row = SCREEN_ROWS, .ws_col = SCREEN_COLS};
    fflush(stdout);
    ss->pid = forkpty(&ss->master, NULL, NULL, &ws);
    if (ss->pid < 0)
        return 0;
    if (ss->pid == 0)
        child_main(chunk_path, history_path);
    clock_gettime(CLOCK_MONOTONIC, &ss->t0);
    return 1;
}

/* Reaps the child, killing it once the session's time is up. */
static int session_end(session *ss)
{
    while (!ss->reaped) {
        pid_t r = waitpid(ss->pid, &ss->status, WNOHANG);
        if (r == ss->pid) {
            ss->reaped = 1;
            break;
        }
        if (elapsed_ms(ss) >= SESSION_TIMEOUT_MS) {
            printf("# killing the console after %d ms\n", SESSION_TIMEOUT_MS);
            kill(ss->pid, SIGKILL);
            waitpid(ss->pid, &ss->status, 0);
            ss->reaped = 1;
            ss->status = -1;
            break;
        }
        pump(ss, 10);
    }
    for (int i = 0; i < 20 && ss->master >= 0; i++)
        pump(ss, 5);
    if (ss->master >= 0)
        close(ss->master);
    return ss->status != -1 && WIFEXITED(ss->status) && WEXITSTATUS(ss->status) == 0;
}

/* Checks the chunks against want[], printing the first difference. */
static void check_chunks(const session *ss, const char *const *want, int nwant, const char *name)
{
    static char got[MAX_CHUNKS][256];
    int n = read_chunks(ss, got, MAX_CHUNKS);
    if (n > nwant && got[nwant][0] == 0)
        n = nwant; /* the child's closing record */
    int i = 0;
    while (i < n && i < nwant && strcmp(got[i], want[i]) == 0)
        i++;
    check(i == n && n == nwant, name, "chunk %d: got '%s', want '%s' (%d chunks, want %d)", i + 1,
          i < n ? got[i] : "(none)", i < nwant ? want[i] : "(none)", n, nwant);
}

static void dump_screen(const vt_screen *vt)
{
    for (int r = 0; r < vt->nlines; r++)
        printf("#   |%s|\n", vt_row(vt, r));
}

/* ---- the tests ------------------------------------------------------------- */

static void test_terminal_session(const char *dir)
{
    char chunk_path[512], history_path[512];
    snprintf(chunk_path, sizeof chunk_path, "%s/chunks", dir);
    snprintf(history_path, sizeof history_path, "%s/history", dir);
    /* a history from an earlier session, in the format console.c writes */
    FILE *f = fopen(history_path, "w");
    if (f) {
        fputs("#1700000000\nold = 7\n", f);
        fclose(f);
    }

    static vt_screen vt;
    session ss;
    if (!session_start(&ss, &vt, chunk_path, history_path)) {
        printf("skip - console: terminal session: no pseudo-terminal (%s)\n", strerror(errno));
        return;
    }

    /* idle at the prompt: the status block is redrawn above it */
    int ok = wait_output(&ss, 0, "tick message") && wait_output(&ss, 0, "meter 12");
    check(ok, "console: ticks draw the status and print while idle", "output so far: %zu bytes", ss.out_len);
    int cur = vt.row;
    char clipped[SCREEN_COLS];
    memset(clipped, '0', SCREEN_COLS - 1);
    clipped[SCREEN_COLS - 1] = 0;
    ok = strncmp(vt_row(&vt, cur - 3), "meter ", 6) == 0 && strcmp(vt_row(&vt, cur - 2), "dx -12.0 dB") == 0 &&
         strcmp(vt_row(&vt, cur - 1), clipped) == 0 && strcmp(vt_row(&vt, cur), "dubstage>") == 0 &&
         strcmp(vt_row(&vt, cur - 4), "tick message") == 0 && vt.col == 10;
    if (!check(ok, "console: status block (3 lines, the long one clipped to 79 columns) sits above the prompt",
               "screen below"))
        dump_screen(&vt);
    size_t mark = ss.out_len;
    ok = wait_output(&ss, mark, "meter");
    check(ok, "console: the status keeps updating", "no redraw in %d ms", SESSION_TIMEOUT_MS);

    type(&ss, "\r"); /* an empty line does nothing */
    type(&ss, "x = 1\r");
    wait_chunks(&ss, 1);
    mark = ss.out_len;
    type(&ss, "function f()\r");
    check(wait_output(&ss, mark, ">> "), "console: an open function gets the continuation prompt", "not seen");
    type(&ss, " return 1\r");
    type(&ss, "end\r");
    wait_chunks(&ss, 2);
    /* typed slowly, so meters redraw while the line is half typed */
    type(&ss, "m");
    pump(&ss, 60);
    type(&ss, "x.g");
    pump(&ss, 60);
    type(&ss, "\t");
    check(wait_cursor_row(&ss, "dubstage> mx.gain"), "console: tab completes mx.g to mx.gain", "the line reads '%s'",
          vt_row(&vt, vt.row));
    type(&ss, "\r");
    wait_chunks(&ss, 3);
    /* Ctrl-C drops the line. The terminal discards input it has not
     * delivered when it sends SIGINT, so the line must be read first. */
    type(&ss, "y = 2");
    wait_cursor_row(&ss, "dubstage> y = 2");
    type(&ss, "\003");
    wait_cursor_row(&ss, "dubstage>");
    type(&ss, "do\r"); /* ... and an unfinished chunk */
    wait_cursor_row(&ss, ">>");
    type(&ss, "\003");
    wait_cursor_row(&ss, "dubstage>");
    type(&ss, "z = 3\r");
    wait_chunks(&ss, 4);
    /* history: the entry read from the file, then a multi-line one found
     * by reverse search */
    type(&ss, "\033[A\033[A\033[A\033[A\033[A\r");
    wait_chunks(&ss, 5);
    type(&ss, "\022func");
    pump(&ss, 50);
    type(&ss, "\r");
    wait_chunks(&ss, 6);
    type(&ss, "quit()\r");
    wait_chunks(&ss, 7);
    check(session_end(&ss), "console: quit() ends repl_console_run, which returns 0", "wait status %d", ss.status);

    static const char *const want[] = {"x = 1", "function f()\n return 1\nend", "mx.gain", "z = 3", "old = 7",
                                       "function f()\n return 1\nend", "quit()"};
    check_chunks(&ss, want, 7, "console: chunks received, exactly");

    /* Every accepted line took the status block away first, so the
     * scrollback holds prompts, input and output only. */
    static const char *const screen[] = {
        "tick message", "dubstage>", "dubstage> x = 1", "ran 1", "dubstage> function f()", ">>  return 1",
        ">> end", "ran 2", "dubstage> mx.gain", "ran 3", "dubstage> y = 2^C", "dubstage> do", ">> ^C",
        "dubstage> z = 3", "ran 4", "dubstage> old = 7", "ran 5", "dubstage> function f()", " return 1", "end",
        "ran 6", "dubstage> quit()", "ran 7",
    };
    int nscreen = (int)(sizeof screen / sizeof screen[0]);
    int r = 0;
    while (r < nscreen && strcmp(vt_row(&vt, r), screen[r]) == 0)
        r++;
    int rest_blank = 1;
    for (int i = nscreen; i < vt.nlines; i++)
        rest_blank &= vt_row(&vt, i)[0] == 0;
    ok = r == nscreen && rest_blank;
    if (!check(ok, "console: the final screen shows the session without stale status lines",
               "row %d is '%s', want '%s'", r + 1, vt_row(&vt, r), r < nscreen ? screen[r] : ""))
        dump_screen(&vt);
    check(vt.unknown == 0, "console: only escape sequences of the VT100 model", "%d unknown", vt.unknown);

    /* the history file: the old entry, then this session's seven */
    char hist[4096] = "";
    f = fopen(history_path, "r");
    if (f) {
        size_t n = fread(hist, 1, sizeof hist - 1, f);
        hist[n] = 0;
        fclose(f);
    }
    int entries = 0;
    for (const char *p = hist; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        entries += p[0] == '#' && p[1] >= '0' && p[1] <= '9';
    ok = strncmp(hist, "#1700000000\nold = 7\n", 20) == 0 && strstr(hist, "\nx = 1\n") &&
         strstr(hist, "\nfunction f()\n return 1\nend\n") && strstr(hist, "\nmx.gain\n") &&
         strstr(hist, "\nquit()\n") && entries == 8;
    check(ok, "console: history file holds the old entry and the 7 new chunks", "%d entries:\n%s", entries, hist);

    /* Second session on the same file: the multi-line entry comes back
     * whole; Ctrl-D ends the loop. */
    session s2;
    if (!check(session_start(&s2, &vt, chunk_path, history_path), "console: second terminal session", "forkpty: %s",
               strerror(errno)))
        return;
    wait_output(&s2, 0, "dubstage> ");
    type(&s2, "\022func");
    pump(&s2, 50);
    type(&s2, "\r");
    wait_chunks(&s2, 1);
    type(&s2, "\004");
    check(session_end(&s2), "console: Ctrl-D ends repl_console_run, which returns 0", "wait status %d", s2.status);
    static const char *const want2[] = {"function f()\n return 1\nend"};
    check_chunks(&s2, want2, 1, "console: a multi-line chunk read back from the history file");
    static const char *const screen2[] = {"dubstage> function f()", " return 1", "end", "ran 1", "dubstage>"};
    r = 0;
    while (r < 5 && strcmp(vt_row(&vt, r), screen2[r]) == 0)
        r++;
    rest_blank = 1;
    for (int i = 5; i < vt.nlines; i++)
        rest_blank &= vt_row(&vt, i)[0] == 0;
    if (!check(r == 5 && rest_blank, "console: after Ctrl-D the prompt stays and the status block is gone",
               "row %d is '%s'", r + 1, vt_row(&vt, r)))
        dump_screen(&vt);
    free(ss.out);
    free(s2.out);
}

/* Reads the child's output (fd) into buf until it holds text, or until
 * SESSION_TIMEOUT_MS from t0 have passed; 1 when it does. */
static int pipe_wait(int fd, char *buf, size_t *len, size_t cap, const char *text, const struct timespec *t0)
{
    for (;;) {
        buf[*len] = 0;
        if (strstr(buf, text))
            return 1;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000 > SESSION_TIMEOUT_MS)
            return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20) > 0) {
            ssize_t n = read(fd, buf + *len, cap - 1 - *len);
            if (n <= 0)
                return 0; /* the child closed its output: it is gone */
            *len += (size_t)n;
        }
    }
}

/* Without a terminal: lines from a pipe, joined into chunks, ticks still
 * run, no status output. Each step waits for the child's own output, not
 * for a time: the first lines are written once the fifth tick has printed
 * "tick message" (so at least five ticks ran while it waited for input, on
 * however loaded a machine), the rest once the first two chunks have
 * run. */
static void test_pipe_session(const char *dir)
{
    char chunk_path[512];
    snprintf(chunk_path, sizeof chunk_path, "%s/chunks-pipe", dir);
    unlink(chunk_path);
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0) {
        check(0, "console: pipes", "%s", strerror(errno));
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        child_main(chunk_path, NULL);
    }
    close(in[0]);
    close(out[1]);
    signal(SIGPIPE, SIG_IGN); /* a child gone early fails the checks below, not this process */
    static const char script[] = "x = 1\n\nfunction f()\n return 1\nend\n";
    static const char script2[] = "quit()\nnot = 'reached'\n";
    char buf[4096];
    size_t len = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int waited = pipe_wait(out[0], buf, &len, sizeof buf, "tick message\n", &t0);
    int ok = write(in[1], script, sizeof script - 1) > 0;
    waited &= pipe_wait(out[0], buf, &len, sizeof buf, "ran 2\n", &t0);
    ok &= write(in[1], script2, sizeof script2 - 1) > 0;
    close(in[1]);
    check(waited, "console (pipe): ticks print while waiting for the first line, then two chunks run",
          "after %d ms the output is '%s'", SESSION_TIMEOUT_MS, buf);

    int status = -1;
    for (;;) {
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        if (poll(&p, 1, 20) > 0) {
            ssize_t n = read(out[0], buf + len, sizeof buf - 1 - len);
            if (n > 0)
                len += (size_t)n;
        }
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > SESSION_TIMEOUT_MS / 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            status = -1;
            break;
        }
    }
    ssize_t n;
    while ((n = read(out[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = 0;
    close(out[0]);
    check(ok && status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "console (pipe): quit() ends repl_console_run, which returns 0", "wait status %d", status);

    session ss = {.chunk_path = chunk_path};
    static const char *const want[] = {"x = 1", "function f()\n return 1\nend", "quit()"};
    check_chunks(&ss, want, 3, "console (pipe): chunks received, exactly");
    static char got[MAX_CHUNKS][256];
    int nc = read_chunks(&ss, got, MAX_CHUNKS);
    int ticks = nc == 5 ? atoi(got[4] + 6) : -1;
    check(ticks >= 5, "console (pipe): ticks run while waiting for input", "%d ticks", ticks);
    /* the fifth tick's message came before any input */
    check(strcmp(buf, "tick message\nran 1\nran 2\nran 3\n") == 0,
          "console (pipe): plain output, no status or escapes", "got '%s'", buf);
}

int main(void)
{
    char dir[] = "/tmp/dubstage-console.XXXXXX";
    if (!mkdtemp(dir)) {
        check(0, "console: temporary directory", "%s", strerror(errno));
        return check_exit();
    }
    test_terminal_session(dir);
    test_pipe_session(dir);
    char path[600];
    static const char *const files[] = {"chunks", "history", "chunks-pipe"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return check_exit();
}
