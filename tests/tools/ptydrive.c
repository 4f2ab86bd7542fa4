/* ptydrive.c - drives an interactive program through a pseudo-terminal, as
 * a user at a terminal would, for the REPL tests.
 *
 * usage: ptydrive STEPS OUTPUT -- PROGRAM [ARG ...]
 *
 * STEPS is a text file, one step a line:
 *   expect TEXT     wait (up to 30 s) until the program has printed TEXT
 *   sleep SECONDS   wait
 *   run COMMAND     run a shell command (edit a file, say) and wait for it
 *   mark NAME       print "mark NAME SECONDS" (wall-clock, CLOCK_REALTIME)
 *   send TEXT       type TEXT and Enter; prints "sent SECONDS TEXT"
 *   ctrl X          type Ctrl-X (ctrl C: the terminal sends SIGINT); prints
 *                   "sent SECONDS ^X"
 *   # ...           a comment
 * Everything the program prints goes to OUTPUT. Exits with the program's
 * status, or 3 when an expect timed out (the missing text is printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char seen[1 << 20];
static size_t nseen;
static FILE *out;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Reads what the program printed for up to `secs`; returns -1 at its end. */
static int pump(int fd, double secs)
{
    double until = now() + secs;
    for (;;) {
        double left = until - now();
        if (left <= 0)
            return 0;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return -1;
        fwrite(buf, 1, (size_t)n, out);
        fflush(out);
        if (nseen + (size_t)n >= sizeof seen) { /* keep the last half */
            memmove(seen, seen + sizeof seen / 2, nseen - sizeof seen / 2);
            nseen -= sizeof seen / 2;
        }
        memcpy(seen + nseen, buf, (size_t)n);
        nseen += (size_t)n;
        seen[nseen] = 0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: ptydrive STEPS OUTPUT -- PROGRAM [ARG ...]\n");
        return 2;
    }
    FILE *steps = fopen(argv[1], "r");
    out = fopen(argv[2], "w");
    if (!steps || !out) {
        fprintf(stderr, "ptydrive: cannot open %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    struct winsize ws = {.ws_row = 40, .ws_col = 120};
    int fd;
    pid_t pid = forkpty(&fd, NULL, NULL, &ws);
    if (pid < 0) {
        perror("ptydrive: forkpty");
        return 2;
    }
    if (pid == 0) {
        setenv("TERM", "xterm", 1);
        execvp(argv[4], argv + 4);
        perror("ptydrive: exec");
        _exit(127);
    }
    char line[4096];
    int rc = 0;
    size_t from = 0; /* expect looks at output after the previous expect */
    while (fgets(line, sizeof line, steps)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        if (strncmp(line, "expect ", 7) == 0) {
            const char *want = line + 7;
            double until = now() + 30;
            char *hit = NULL;
            while (!(hit = strstr(seen + from, want)) && now() < until)
                if (pump(fd, 0.05) < 0)
                    break;
            if (!hit) {
                printf("expect timed out: '%s'\n", want);
                rc = 3;
                break;
            }
            from = (size_t)(hit - seen) + strlen(want);
        } else if (strncmp(line, "sleep ", 6) == 0) {
            pump(fd, atof(line + 6));
        } else if (strncmp(line, "run ", 4) == 0) {
            pump(fd, 0);
            if (system(line + 4) != 0)
                printf("run failed: %s\n", line + 4);
        } else if (strncmp(line, "mark ", 5) == 0) {
            printf("mark %s %.6f\n", line + 5, now());
        } else if (strncmp(line, "send ", 5) == 0) {
            printf("sent %.6f %s\n", now(), line + 5);
            fflush(stdout);
            size_t n = strlen(line + 5);
            line[5 + n] = '\r';
            if (write(fd, line + 5, n + 1) != (ssize_t)(n + 1))
                break;
            pump(fd, 0.02);
        } else if (strncmp(line, "ctrl ", 5) == 0 && line[5]) {
            char c = (char)(line[5] & 0x1f);
            printf("sent %.6f ^%c\n", now(), line[5] & 0x5f);
            fflush(stdout);
            if (write(fd, &c, 1) != 1)
                break;
            pump(fd, 0.02);
        } else {
            fprintf(stderr, "ptydrive: unknown step '%s'\n", line);
            rc = 2;
            break;
        }
        fflush(stdout);
    }
    /* let it finish (30 s at most), then collect its status */
    int status = 0;
    double until = now() + 30;
    while (now() < until) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (pump(fd, 0.05) < 0 && waitpid(pid, &status, 0) == pid)
            break;
    }
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        printf("killed: the program did not end\n");
        rc = rc ? rc : 4;
    }
    pump(fd, 0.1);
    fclose(out);
    if (rc)
        return rc;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
