/* new_cmd.c - `dubstage new DIR` (repl/new_cmd.h): the template folder
 * (templates/mix: a script using the standard recipes, media/README.md,
 * markers.csv, .gitignore, a CI job) copied, luacheck's standard as
 * .luacheckrc, and a .luarc.json pointing the Lua language server at this
 * installation's stubs and standard library (docs/editors.md).
 *
 * Built in a hidden folder beside DIR and renamed over it at the end:
 * rename(2) replaces an empty folder and refuses one that is not, so a
 * folder someone fills meanwhile is never written into either. */
#include "repl/new_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/json.h"
#include "vm/path.h"
#include "vm/result.h"

/* 1 when dir exists and holds anything; 0 when it is missing or empty;
 * -1 (with the reason in err) when it is not a folder or cannot be read. */
static int holds_something(const char *dir, char *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno == ENOENT ? 0 : (ds_fail(err, DS_ERR_IO, "'%s': %s", dir, strerror(errno)), -1);
    if (!S_ISDIR(st.st_mode))
        return ds_fail(err, DS_ERR_ARG, "'%s' exists and is not a folder: give the name of a new folder", dir), -1;
    DIR *d = opendir(dir);
    if (!d)
        return ds_fail(err, DS_ERR_IO, "cannot read folder '%s': %s", dir, strerror(errno)), -1;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)))
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

static ds_result copy_file(const char *from, const char *to, char *err)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", from, strerror(errno));
    FILE *out = fopen(to, "wbx");
    if (!out) {
        fclose(in);
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", to, strerror(errno));
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0 && fwrite(buf, 1, n, out) == n)
        ;
    int failed = ferror(in) || ferror(out);
    fclose(in);
    if (fclose(out) != 0 || failed)
        return ds_fail(err, DS_ERR_IO, "cannot copy '%s' to '%s'", from, to);
    return DS_OK;
}

/* Copies the folders and regular files under from into folder to (which
 * exists); anything else (a link, a FIFO) is not part of a template. */
static ds_result copy_tree(const char *from, const char *to, char *err)
{
    DIR *d = opendir(from);
    if (!d)
        return ds_fail(err, DS_ERR_IO, "cannot read the template folder '%s': %s", from, strerror(errno));
    ds_result r = DS_OK;
    struct dirent *e;
    while (r == DS_OK && (e = readdir(d))) {
        char src[PATH_MAX], dst[PATH_MAX];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (vm_path_join(from, e->d_name, src, sizeof src) != 0 || vm_path_join(to, e->d_name, dst, sizeof dst) != 0)
            r = ds_fail(err, DS_ERR_ARG, "a path under '%s' is too long", from);
        else if (lstat(src, &st) != 0)
            r = ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", src, strerror(errno));
        else if (S_ISDIR(st.st_mode) && mkdir(dst, 0777) != 0)
            r = ds_fail(err, DS_ERR_IO, "cannot make folder '%s': %s", dst, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            r = copy_tree(src, dst, err);
        else if (S_ISREG(st.st_mode))
            r = copy_file(src, dst, err);
    }
    closedir(d);
    return r;
}

/* rm -r of the folder being built (never links followed: lstat) */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char sub[PATH_MAX];
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                vm_path_join(path, e->d_name, sub, sizeof sub) == 0)
                remove_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* .luarc.json: the Lua language server's settings (docs/editors.md), with
 * this installation's folders by real path. */
static ds_result write_luarc(const char *path, const repl_new_paths *p, char *err)
{
    char meta[PATH_MAX], meta_real[PATH_MAX], lib_real[PATH_MAX];
    if (vm_path_join(p->editors_dir, "meta", meta, sizeof meta) != 0 || !realpath(meta, meta_real))
        return ds_fail(err, DS_ERR_IO, "cannot find the language-server stubs '%s': %s", meta, strerror(errno));
    if (!realpath(p->stdlib_dir, lib_real))
        return ds_fail(err, DS_ERR_IO, "cannot find the standard library '%s': %s", p->stdlib_dir, strerror(errno));
    FILE *f = fopen(path, "wx");
    if (!f)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fputs("{\n"
          "  \"$schema\": \"https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json\",\n"
          "  \"runtime.version\": \"Lua 5.4\",\n"
          "  \"runtime.builtin\": { \"io\": \"disable\", \"os\": \"disable\", \"package\": \"disable\", "
          "\"debug\": \"disable\" },\n"
          "  \"workspace.library\": [", f);
    vm_json_string(f, meta_real);
    fputs(", ", f);
    vm_json_string(f, lib_real);
    fputs("],\n  \"workspace.checkThirdParty\": false\n}\n", f);
    if (fclose(f) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot write '%s'", path);
    return DS_OK;
}

static ds_result fill(const char *tmp, const repl_new_paths *p, char *err)
{
    char from[PATH_MAX], to[PATH_MAX];
    ds_result r = copy_tree(p->template_dir, tmp, err);
    if (r == DS_OK && (vm_path_join(p->editors_dir, "dubstage.luacheckrc", from, sizeof from) != 0 ||
                       vm_path_join(tmp, ".luacheckrc", to, sizeof to) != 0))
        r = ds_fail(err, DS_ERR_ARG, "the path '%s' is too long", tmp);
    if (r == DS_OK)
        r = copy_file(from, to, err);
    if (r == DS_OK && vm_path_join(tmp, ".luarc.json", to, sizeof to) != 0)
        r = ds_fail(err, DS_ERR_ARG, "the path '%s' is too long", tmp);
    if (r == DS_OK)
        r = write_luarc(to, p, err);
    return r;
}

int repl_new(const char *dir, const repl_new_paths *p)
{
    char err[DS_ERR_LEN], parent[PATH_MAX], tmp[PATH_MAX];
    int full = holds_something(dir, err);
    if (full > 0)
        snprintf(err, sizeof err, "'%s' is not empty: dubstage new starts a mix repository in a new or empty "
                 "folder, and leaves this one as it is", dir);
    if (full != 0) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    const char *base = vm_path_basename(dir);
    vm_path_dirname(dir, parent, sizeof parent);
    if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        fprintf(stderr, "dubstage: new needs the name of a folder to make, such as 'dubstage new reel1' (got '%s')\n",
                dir);
        return 1;
    }
    if (vm_path_mkdirs(parent, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    if (snprintf(tmp, sizeof tmp, "%s/.%s.new-XXXXXX", parent, base) >= (int)sizeof tmp || !mkdtemp(tmp)) {
        fprintf(stderr, "dubstage: cannot make a folder beside '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    mode_t mask = umask(0);
    umask(mask);
    ds_result r = fill(tmp, p, err);
    if (r == DS_OK && chmod(tmp, 0777 & ~mask) != 0) /* mkdtemp made it 0700 */
        r = ds_fail(err, DS_ERR_IO, "cannot set the mode of '%s': %s", tmp, strerror(errno));
    if (r == DS_OK && rename(tmp, dir) != 0)
        r = errno == ENOTEMPTY || errno == EEXIST
                ? ds_fail(err, DS_ERR_IO, "'%s' was filled while the repository was made; nothing was written", dir)
                : ds_fail(err, DS_ERR_IO, "cannot make '%s': %s", dir, strerror(errno));
    if (r != DS_OK) {
        remove_tree(tmp);
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    printf("started a mix repository in %s (its README.md says what is there)\n"
           "next: put the recordings %s/media/README.md lists into %s/media, then: dubstage render %s/mix.lua\n",
           dir, dir, dir, dir);
    return 0;
}
