/* path.c - lexical path handling, resolution as the kernel does it (for
 * the sandbox: a check on the text "media/x.wav" says nothing about the file
 * a symlink there leads to), opening regular files only, and mkdir -p. */
#include "vm/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* the kernel's own limit on symlinks followed in one lookup */
#define PATH_LINKS_MAX 40
/* f_type of the file systems whose "regular files" are views of the system */
#define PROC_FS_MAGIC 0x9fa0
#define SYS_FS_MAGIC 0x62656572

void vm_path_normalize(char *p)
{
    int absolute = p[0] == '/';
    char buf[4096];
    const char *parts[512];
    int np = 0;
    snprintf(buf, sizeof buf, "%s", p);
    for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0 && np > 0 && strcmp(parts[np - 1], "..") != 0) {
            np--;
            continue;
        }
        if (strcmp(tok, "..") == 0 && absolute)
            continue; /* "/.." is "/" */
        if (np < 512)
            parts[np++] = tok;
    }
    char out[4096];
    size_t len = 0;
    out[0] = 0;
    if (absolute)
        out[len++] = '/', out[len] = 0;
    for (int i = 0; i < np; i++) {
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", i ? "/" : "", parts[i]);
        if (len >= sizeof out)
            break;
    }
    if (len == 0)
        snprintf(out, sizeof out, ".");
    strcpy(p, out);
}

int vm_path_join(const char *dir, const char *name, char *out, size_t n)
{
    int w;
    if (name[0] == '/' || !dir || !dir[0])
        w = snprintf(out, n, "%s", name);
    else
        w = snprintf(out, n, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= n)
        return -1;
    vm_path_normalize(out);
    return 0;
}

void vm_path_dirname(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == path)
        snprintf(out, n, "/");
    else
        snprintf(out, n, "%.*s", (int)(slash - path), path);
}

const char *vm_path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int vm_path_is_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (strcmp(root, ".") == 0)
        return path[0] != '/' && strncmp(path, "..", 2) != 0;
    if (strncmp(path, root, n) != 0)
        return 0;
    return path[n] == 0 || path[n] == '/' || (n > 0 && root[n - 1] == '/');
}

ds_result vm_path_mkdirs(const char *path, char *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return ds_fail(err, DS_ERR_IO, "cannot create folder '%s': %s", buf, strerror(errno));
            struct stat st;
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                return ds_fail(err, DS_ERR_IO, "cannot create folder '%s': a file of that name is in the way", buf);
            *p = c;
            if (c == 0)
                break;
        }
    }
    return DS_OK;
}

/* Removes the last component of the absolute path p ("/" stays "/"). */
static void drop_last(char *p, size_t *len)
{
    char *slash = strrchr(p, '/');
    if (!slash || slash == p)
        p[1] = 0;
    else
        *slash = 0;
    *len = strlen(p);
}

/* The absolute text to walk: name, or dir/name, or cwd/dir/name. */
static int absolute_text(const char *dir, const char *name, char *out, size_t n)
{
    char cwd[PATH_MAX];
    int w;
    if (name[0] == '/')
        w = snprintf(out, n, "%s", name);
    else if (dir && dir[0] == '/')
        w = snprintf(out, n, "%s/%s", dir, name);
    else if (!getcwd(cwd, sizeof cwd))
        return -1;
    else if (dir && dir[0])
        w = snprintf(out, n, "%s/%s/%s", cwd, dir, name);
    else
        w = snprintf(out, n, "%s/%s", cwd, name);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

ds_result vm_path_resolve(const char *dir, const char *name, char *out, size_t n, int *missing, char *err)
{
    char cur[PATH_MAX], rest[2 * PATH_MAX], link[PATH_MAX], tmp[2 * PATH_MAX];
    size_t clen = 1;
    int links = 0, nmissing = 0; /* components appended past the first that does not exist */
    if (absolute_text(dir, name, rest, sizeof rest) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot resolve '%s': %s", name, strerror(ENAMETOOLONG));
    strcpy(cur, "/");
    for (const char *p = rest;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, "/");
        const char *comp = p;
        p += len;
        if (len == 1 && comp[0] == '.')
            continue;
        if (len == 2 && comp[0] == '.' && comp[1] == '.') {
            if (nmissing > 0)
                nmissing--;
            drop_last(cur, &clen);
            continue;
        }
        if (clen + 1 + len >= sizeof cur)
            return ds_fail(err, DS_ERR_IO, "cannot resolve '%s': %s", name, strerror(ENAMETOOLONG));
        if (clen > 1)
            cur[clen++] = '/';
        memcpy(cur + clen, comp, len);
        cur[clen += len] = 0;
        if (nmissing > 0) {
            nmissing++;
            continue;
        }
        struct stat st;
        if (lstat(cur, &st) != 0) {
            if (errno != ENOENT)
                return ds_fail(err, DS_ERR_IO, "cannot resolve '%s' at '%s': %s", name, cur, strerror(errno));
            nmissing = 1;
            continue;
        }
        if (!S_ISLNK(st.st_mode))
            continue;
        if (++links > PATH_LINKS_MAX)
            return ds_fail(err, DS_ERR_IO, "cannot resolve '%s': %s", name, strerror(ELOOP));
        ssize_t ln = readlink(cur, link, sizeof link - 1);
        if (ln < 0)
            return ds_fail(err, DS_ERR_IO, "cannot resolve '%s' at '%s': %s", name, cur, strerror(errno));
        link[ln] = 0;
        int w = snprintf(tmp, sizeof tmp, "%s/%s", link, p);
        if (w < 0 || (size_t)w >= sizeof rest)
            return ds_fail(err, DS_ERR_IO, "cannot resolve '%s': %s", name, strerror(ENAMETOOLONG));
        memcpy(rest, tmp, (size_t)w + 1);
        p = rest;
        if (link[0] == '/')
            strcpy(cur, "/"), clen = 1;
        else
            drop_last(cur, &clen); /* a relative target starts beside the link */
    }
    if (clen >= n)
        return ds_fail(err, DS_ERR_IO, "cannot resolve '%s': %s", name, strerror(ENAMETOOLONG));
    memcpy(out, cur, clen + 1);
    if (missing)
        *missing = nmissing > 0;
    return DS_OK;
}

void vm_path_shown(const char *path, char *out, size_t n)
{
    char cwd[PATH_MAX];
    size_t c;
    if (path[0] == '/' && getcwd(cwd, sizeof cwd) && (c = strlen(cwd)) > 1 && strncmp(path, cwd, c) == 0 &&
        path[c] == '/') {
        snprintf(out, n, "%s", path + c + 1);
        return;
    }
    snprintf(out, n, "%s", path);
}

int vm_path_of_fd(int fd, char *out, size_t n)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t ln = readlink(proc, out, n - 1);
    if (ln <= 0 || (size_t)ln >= n - 1 || out[0] != '/')
        return -1;
    out[ln] = 0;
    return 0;
}

/* What a non-regular file is, for messages. */
static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO (named pipe)" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

ds_result vm_path_open_regular(const char *path, int flags, const char *what, int *fd, struct stat *st_out,
                               char *err)
{
    struct stat st;
    struct statfs fs;
    *fd = -1;
    int f = open(path, (flags & ~O_TRUNC) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0666);
    if (f < 0) {
        int e = errno;
        /* a FIFO without a reader refuses a non-blocking writer with ENXIO */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return ds_fail(err, DS_ERR_ARG, "%s '%s' is %s; only regular files are opened", what, path,
                           kind_of(st.st_mode));
        return ds_fail(err, DS_ERR_IO, "cannot open %s '%s': %s", what, path, strerror(e));
    }
    if (fstat(f, &st) != 0) {
        int e = errno;
        close(f);
        return ds_fail(err, DS_ERR_IO, "cannot open %s '%s': %s", what, path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return ds_fail(err, DS_ERR_ARG, "%s '%s' is %s; only regular files are opened", what, path,
                       kind_of(st.st_mode));
    }
    if (fstatfs(f, &fs) == 0 && (fs.f_type == PROC_FS_MAGIC || fs.f_type == SYS_FS_MAGIC)) {
        close(f);
        return ds_fail(err, DS_ERR_ARG, "%s '%s' is in /proc or /sys (a view of the running system, not a "
                       "file); only regular files are opened", what, path);
    }
    int fl = fcntl(f, F_GETFL);
    if (fl != -1)
        fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
    *fd = f;
    if (st_out)
        *st_out = st;
    return DS_OK;
}
