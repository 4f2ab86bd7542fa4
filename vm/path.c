/* path.c - lexical path handling and mkdir -p. */
#include "vm/path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
