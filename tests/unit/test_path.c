/* test_path.c - vm/path: resolution as the kernel does it, and opening
 * regular files only.
 *
 * vm_path_resolve is compared with realpath(3) (glibc's own walk, an
 * independent implementation) on every path that exists: links to files,
 * to folders, chains, absolute targets, ".." after a link. For paths that
 * do not exist the expected result is written out by hand from the rule in
 * path.h (the existing part resolved, the rest lexical). vm_path_open_regular
 * is given a FIFO with no writer (an alarm turns a hang into a failure), a
 * device, a folder, and /proc and /sys files. */
#include "vm/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"

static char root[PATH_MAX]; /* real path of the temporary folder */

static void put(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* resolve(dir, name) equals realpath(expect_rel under root, or absolute) */
static void same_as_realpath(const char *dir, const char *name, const char *expect_rel, const char *label)
{
    char got[PATH_MAX], want[PATH_MAX], err[DS_ERR_LEN], full[PATH_MAX * 2];
    int missing = -1;
    snprintf(full, sizeof full, "%s/%s", expect_rel[0] == '/' ? "" : root, expect_rel);
    ds_result r = vm_path_resolve(dir, name, got, sizeof got, &missing, err);
    if (!realpath(full, want)) {
        check(0, label, "realpath(%s): %s", full, strerror(errno));
        return;
    }
    check(r == DS_OK && missing == 0 && strcmp(got, want) == 0, label, "got '%s' (missing %d, %s), want '%s'",
          r == DS_OK ? got : "-", missing, r == DS_OK ? "ok" : err, want);
}

/* resolve(dir, name) is root/want_rel and missing */
static void missing_as(const char *dir, const char *name, const char *want_rel, const char *label)
{
    char got[PATH_MAX], want[PATH_MAX * 2], err[DS_ERR_LEN];
    int missing = -1;
    snprintf(want, sizeof want, "%s/%s", root, want_rel);
    ds_result r = vm_path_resolve(dir, name, got, sizeof got, &missing, err);
    check(r == DS_OK && missing == 1 && strcmp(got, want) == 0, label, "got '%s' (missing %d, %s), want '%s'",
          r == DS_OK ? got : "-", missing, r == DS_OK ? "ok" : err, want);
}

static void resolve_fails(const char *name, const char *word, const char *label)
{
    char got[PATH_MAX], err[DS_ERR_LEN] = "";
    int missing;
    ds_result r = vm_path_resolve(root, name, got, sizeof got, &missing, err);
    check(r != DS_OK && strstr(err, word) && strstr(err, name), label, "result %d, message '%s' (wanted '%s')",
          (int)r, err, word);
}

static void test_resolve(void)
{
    /* root/a/file, root/a/sub/, links beside them */
    mkdir("a", 0777);
    mkdir("a/sub", 0777);
    put("a/file", "x");
    symlink("a/file", "to_file");
    symlink("a", "to_dir");
    symlink("to_chain2", "to_chain1");
    symlink("to_dir/file", "to_chain2");
    symlink("nowhere", "dangling");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    symlink("/", "to_rootfs");
    symlink("../..", "a/sub/up2");
    char abs_link[PATH_MAX + 16];
    snprintf(abs_link, sizeof abs_link, "%s/a/sub", root);
    symlink(abs_link, "to_sub_abs");

    same_as_realpath(root, "a/file", "a/file", "resolve: a plain file");
    same_as_realpath(root, "to_file", "a/file", "resolve: a symlink to a file");
    same_as_realpath(root, "to_dir/file", "a/file", "resolve: a file through a symlinked folder");
    same_as_realpath(root, "to_chain1", "a/file", "resolve: a chain of two symlinks and a folder link");
    same_as_realpath(root, "to_sub_abs/..", "a", "resolve: '..' after an absolute link goes up from its target");
    same_as_realpath(root, "to_dir/sub/../file", "a/file", "resolve: '..' inside the link's target");
    same_as_realpath(root, "a/sub/up2", ".", "resolve: a relative link that climbs two folders");
    same_as_realpath(NULL, root, ".", "resolve: an absolute name ignores the folder");
    same_as_realpath("to_dir", "file", "a/file", "resolve: a relative folder from the current one");
    same_as_realpath(root, "to_rootfs/tmp/..", "/", "resolve: a link to / then '..' stays at /");

    missing_as(root, "dangling", "nowhere", "resolve: a dangling link gives its target, missing");
    missing_as(root, "to_dir/new/x.wav", "a/new/x.wav", "resolve: a new file under a linked folder");
    missing_as(root, "to_dir/new/../x.wav", "a/x.wav", "resolve: '..' after a missing folder is lexical");
    missing_as(root, "to_sub_abs/../../out/", "out", "resolve: a trailing slash on a missing name");

    /* lexical normalisation would say root/x.wav; the kernel reaches root/a/x.wav */
    char got[PATH_MAX], err[DS_ERR_LEN], lexical[PATH_MAX];
    int missing;
    vm_path_join(root, "to_sub_abs/../x.wav", lexical, sizeof lexical);
    vm_path_resolve(root, "to_sub_abs/../x.wav", got, sizeof got, &missing, err);
    check(strcmp(got, lexical) != 0 && strstr(got, "/a/x.wav"), "resolve: judges the place, not the text",
          "got '%s', text says '%s'", got, lexical);

    resolve_fails("loop1", "Too many levels of symbolic links", "resolve: a symlink loop is an error");
    resolve_fails("a/file/x", "Not a directory", "resolve: a file used as a folder is an error");
}

static void test_shown(void)
{
    char out[PATH_MAX], in[PATH_MAX * 2];
    snprintf(in, sizeof in, "%s/a/file", root);
    vm_path_shown(in, out, sizeof out);
    check(strcmp(out, "a/file") == 0, "shown: relative under the current folder", "got '%s'", out);
    vm_path_shown("/etc/passwd", out, sizeof out);
    check(strcmp(out, "/etc/passwd") == 0, "shown: absolute elsewhere", "got '%s'", out);
}

static void on_alarm(int sig)
{
    (void)sig;
    const char msg[] = "not ok - open_regular: blocked (alarm after 5 s)\n";
    if (write(1, msg, sizeof msg - 1) < 0)
        _exit(2);
    _exit(1);
}

static void open_refused(const char *path, int flags, const char *word, const char *label)
{
    int fd = 123;
    char err[DS_ERR_LEN] = "";
    ds_result r = vm_path_open_regular(path, flags, "test file", &fd, NULL, err);
    check(r != DS_OK && fd == -1 && strstr(err, word) && strstr(err, "test file"), label,
          "result %d, fd %d, message '%s' (wanted '%s')", (int)r, fd, err, word);
    if (r == DS_OK)
        close(fd);
}

static void test_open_regular(void)
{
    signal(SIGALRM, on_alarm);
    alarm(5);
    mkfifo("fifo", 0666);
    open_refused("fifo", O_RDONLY, "FIFO", "open_regular: a FIFO without a writer is refused for reading");
    open_refused("fifo", O_WRONLY, "FIFO", "open_regular: a FIFO without a reader is refused for writing");
    open_refused("/dev/null", O_RDONLY, "character device", "open_regular: a device is refused");
    open_refused("a", O_RDONLY, "directory", "open_regular: a folder is refused");
    open_refused("/proc/self/status", O_RDONLY, "/proc", "open_regular: a /proc file is refused");
    struct stat st;
    if (stat("/sys/kernel/mm/transparent_hugepage/enabled", &st) == 0)
        open_refused("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY, "/sys",
                     "open_regular: a /sys file is refused");
    else
        printf("skip - open_regular: a /sys file is refused: no such file here\n");
    open_refused("no_such_file", O_RDONLY, "No such file", "open_regular: a missing file names the error");
    alarm(0);

    int fd = -1;
    char err[DS_ERR_LEN], buf[8] = "";
    ds_result r = vm_path_open_regular("to_file", O_RDONLY, "test file", &fd, &st, err);
    ssize_t got = r == DS_OK ? read(fd, buf, sizeof buf) : -1;
    int fl = r == DS_OK ? fcntl(fd, F_GETFL) : 0;
    check(r == DS_OK && got == 1 && buf[0] == 'x' && S_ISREG(st.st_mode) && !(fl & O_NONBLOCK),
          "open_regular: a regular file opens, blocking again", "result %d (%s), read %zd", (int)r,
          r == DS_OK ? "ok" : err, got);
    if (fd >= 0)
        close(fd);
    r = vm_path_open_regular("to_file", O_RDONLY | O_NOFOLLOW, "test file", &fd, NULL, err);
    check(r != DS_OK, "open_regular: O_NOFOLLOW refuses a link in the last place", "it opened");
    if (r == DS_OK)
        close(fd);
    r = vm_path_open_regular("a/file", O_WRONLY | O_TRUNC, "test file", &fd, &st, err);
    check(r == DS_OK && st.st_size == 1, "open_regular: O_TRUNC is left to the caller", "size %lld",
          (long long)st.st_size);
    if (fd >= 0) {
        char at[PATH_MAX], want[PATH_MAX * 2];
        snprintf(want, sizeof want, "%s/a/file", root);
        check(vm_path_of_fd(fd, at, sizeof at) == 0 && strcmp(at, want) == 0, "path_of_fd: the file opened",
              "got '%s'", at);
        close(fd);
    }
}

int main(void)
{
    char tmpl[] = "/tmp/dubstage-path.XXXXXX";
    if (!mkdtemp(tmpl) || !realpath(tmpl, root) || chdir(root) != 0) {
        printf("not ok - path: cannot make a temporary folder\n");
        return 1;
    }
    test_resolve();
    test_shown();
    test_open_regular();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (chdir("/") != 0 || system(cmd) != 0)
        printf("# could not remove %s\n", root);
    return check_exit();
}
