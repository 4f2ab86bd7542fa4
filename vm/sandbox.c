/* sandbox.c - the file rules of a mix script (vm/sandbox.h).
 *
 * Every check is made on the real path that vm_path_resolve gives and then
 * again on the open descriptor, so a symlink swapped in between the two
 * (by another program: a script cannot make links) is caught. Inputs are
 * kept in a hash by (device, inode) because a mix may name 200,000 clips;
 * outputs are few and searched in order. */
#include "vm/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/path.h"

struct vm_sb_name {
    char *name;  /* a clip source as the script wrote it; NULL: empty slot */
    char *path;  /* the path to open it by */
};

static int is_under(const char *real, const char *root)
{
    return root[0] && vm_path_is_under(real, root);
}

static int allowed(const vm_sandbox *sb, vm_sb_use use, const char *real)
{
    if (sb->allow_any || use == VM_SB_MEDIA)
        return 1;
    if (is_under(real, sb->script_dir))
        return 1;
    if (use == VM_SB_MODULE)
        for (int i = 0; i < sb->nlib_dirs; i++)
            if (is_under(real, sb->lib_dirs[i]))
                return 1;
    return use == VM_SB_MODULE ? is_under(real, sb->stdlib_dir) : is_under(real, sb->out_root);
}

/* " (a link to '/etc/x')" when the name reached a file its text does not
 * say, so the user sees why a name inside the folder is refused. */
static void leads_to(const vm_sandbox *sb, const char *name, const char *real, char *out, size_t n)
{
    char text[PATH_MAX];
    out[0] = 0;
    if (vm_path_join(sb->script_dir, name, text, sizeof text) == 0 && strcmp(text, real) != 0)
        snprintf(out, n, " (it leads to '%s')", real);
}

static uint64_t inode_hash(dev_t dev, ino_t ino)
{
    uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static int find_input(const vm_sandbox *sb, dev_t dev, ino_t ino)
{
    if (!sb->by_inode_cap)
        return -1;
    for (size_t i = inode_hash(dev, ino) & (sb->by_inode_cap - 1);; i = (i + 1) & (sb->by_inode_cap - 1)) {
        int k = sb->by_inode[i];
        if (k < 0)
            return -1;
        if (sb->inputs[k].dev == dev && sb->inputs[k].ino == ino)
            return k;
    }
}

/* Doubles the input hash when it is half full (and makes it the first time). */
static int grow_inode_index(vm_sandbox *sb)
{
    if ((size_t)(sb->ninputs + 1) * 2 <= sb->by_inode_cap)
        return 0;
    size_t cap = sb->by_inode_cap ? sb->by_inode_cap * 2 : 64;
    int *t = malloc(cap * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < cap; i++)
        t[i] = -1;
    for (int k = 0; k < sb->ninputs; k++) {
        size_t i = inode_hash(sb->inputs[k].dev, sb->inputs[k].ino) & (cap - 1);
        while (t[i] >= 0)
            i = (i + 1) & (cap - 1);
        t[i] = k;
    }
    free(sb->by_inode);
    sb->by_inode = t;
    sb->by_inode_cap = cap;
    return 0;
}

static vm_sb_file *append(vm_sb_file **list, int *count, int *cap, const char *what, const char *name,
                          const char *where, const char *real, const struct stat *st)
{
    if (*count == *cap) {
        int ncap = *cap ? *cap * 2 : 16;
        vm_sb_file *l = realloc(*list, (size_t)ncap * sizeof *l);
        if (!l)
            return NULL;
        *list = l;
        *cap = ncap;
    }
    vm_sb_file *f = &(*list)[*count];
    memset(f, 0, sizeof *f);
    f->real = strdup(real);
    f->name = strdup(name);
    if (!f->real || !f->name) {
        free(f->real);
        free(f->name);
        return NULL;
    }
    f->what = what;
    snprintf(f->where, sizeof f->where, "%s", where ? where : "");
    if (st) {
        f->exists = 1;
        f->dev = st->st_dev;
        f->ino = st->st_ino;
    }
    (*count)++;
    return f;
}

/* "the clip source 'media/x.wav' (mix.lua:4)" or "the script itself" */
static void describe(const vm_sb_file *f, char *out, size_t n)
{
    if (!f->where[0])
        snprintf(out, n, "%s '%s' itself", f->what, f->name);
    else
        snprintf(out, n, "%s '%s' (%s)", f->what, f->name, f->where);
}

/* The output that is this file, or NULL. */
static const vm_sb_file *output_at(const vm_sandbox *sb, const char *real, const struct stat *st)
{
    for (int i = 0; i < sb->noutputs; i++) {
        const vm_sb_file *o = &sb->outputs[i];
        if (strcmp(o->real, real) == 0 || (st && o->exists && o->dev == st->st_dev && o->ino == st->st_ino))
            return o;
    }
    return NULL;
}

static ds_result add_input(vm_sandbox *sb, const char *what, const char *name, const char *where,
                           const char *real, const struct stat *st, char *err)
{
    const vm_sb_file *o = output_at(sb, real, st);
    if (o)
        return ds_fail(err, DS_ERR_ARG, "%s '%s' is the file of output '%s' (%s); an output never replaces an "
                       "input: give the output another name", what, name, o->name, o->where);
    if (find_input(sb, st->st_dev, st->st_ino) >= 0)
        return DS_OK;
    if (grow_inode_index(sb) != 0 || !append(&sb->inputs, &sb->ninputs, &sb->capinputs, what, name, where, real, st))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory noting %s '%s'", what, name);
    size_t i = inode_hash(st->st_dev, st->st_ino) & (sb->by_inode_cap - 1);
    while (sb->by_inode[i] >= 0)
        i = (i + 1) & (sb->by_inode_cap - 1);
    sb->by_inode[i] = sb->ninputs - 1;
    return DS_OK;
}

ds_result vm_sandbox_init(vm_sandbox *sb, const char *script_path, const char *out_dir, const char *stdlib_dir,
                          int allow_any, char *err)
{
    char real[PATH_MAX];
    int missing;
    struct stat st;
    ds_result r;
    memset(sb, 0, sizeof *sb);
    sb->allow_any = allow_any;
    vm_path_dirname(script_path, sb->script_dir_text, sizeof sb->script_dir_text);
    if ((r = vm_path_resolve(NULL, sb->script_dir_text, sb->script_dir, sizeof sb->script_dir, &missing, err)))
        return r;
    if ((r = vm_path_resolve(NULL, script_path, real, sizeof real, &missing, err)))
        return r;
    if (missing || stat(real, &st) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot open script '%s': %s", script_path, strerror(missing ? ENOENT : errno));
    if (!S_ISREG(st.st_mode))
        return ds_fail(err, DS_ERR_IO, "script '%s' is not a regular file", script_path);
    if (out_dir) {
        sb->out_dir_given = 1;
        if ((r = vm_path_resolve(NULL, out_dir, sb->out_root, sizeof sb->out_root, &missing, err)))
            return r;
    } else {
        snprintf(sb->out_root, sizeof sb->out_root, "%s", sb->script_dir);
    }
    if (stdlib_dir && stdlib_dir[0] &&
        (r = vm_path_resolve(NULL, stdlib_dir, sb->stdlib_dir, sizeof sb->stdlib_dir, &missing, err)))
        return r;
    return add_input(sb, "the script", script_path, "", real, &st, err);
}

void vm_sandbox_free(vm_sandbox *sb)
{
    for (int i = 0; i < sb->ninputs; i++)
        free(sb->inputs[i].real), free(sb->inputs[i].name);
    for (int i = 0; i < sb->noutputs; i++)
        free(sb->outputs[i].real), free(sb->outputs[i].name);
    for (size_t i = 0; i < sb->by_name_cap; i++)
        free(sb->by_name[i].name), free(sb->by_name[i].path);
    free(sb->inputs);
    free(sb->outputs);
    free(sb->by_inode);
    free(sb->by_name);
    free(sb->lib_dirs);
    memset(sb, 0, sizeof *sb);
}

ds_result vm_sandbox_add_lib(vm_sandbox *sb, const char *dir, const char *option, char *err)
{
    char real[PATH_MAX];
    struct stat st;
    int missing;
    ds_result r = vm_path_resolve(NULL, dir, real, sizeof real, &missing, err);
    if (r != DS_OK)
        return r;
    if (missing || stat(real, &st) != 0)
        return ds_fail(err, DS_ERR_IO, "%s '%s': no such folder", option, dir);
    if (!S_ISDIR(st.st_mode))
        return ds_fail(err, DS_ERR_ARG, "%s '%s' is not a folder: give the folder that holds the modules "
                       "(require \"studio.dialogue\" loads studio/dialogue.lua inside it)", option, dir);
    char (*l)[PATH_MAX] = realloc(sb->lib_dirs, (size_t)(sb->nlib_dirs + 1) * sizeof *l);
    if (!l)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory noting %s '%s'", option, dir);
    sb->lib_dirs = l;
    memcpy(l[sb->nlib_dirs++], real, sizeof real);
    return DS_OK;
}

/* Opens the checked real path (shown: its name relative to the current
 * folder; name: as the script wrote it, for messages) without following a link there, and makes sure the descriptor
 * is the file that was judged: its name in /proc/self/fd still allowed. */
static ds_result open_judged(const vm_sandbox *sb, vm_sb_use use, const char *what, const char *name,
                             const char *shown, int flags, int *fd, struct stat *st, char *err)
{
    char at[PATH_MAX];
    ds_result r = vm_path_open_regular(shown, flags | O_NOFOLLOW, what, fd, st, err);
    if (r != DS_OK && strcmp(name, shown) != 0) { /* say which name of the script's led there */
        size_t len = strlen(err);
        snprintf(err + len, DS_ERR_LEN - len, " (the script names it '%s')", name);
    }
    if (r != DS_OK)
        return r;
    if (vm_path_of_fd(*fd, at, sizeof at) == 0 && !allowed(sb, use, at)) {
        close(*fd);
        *fd = -1;
        return ds_fail(err, DS_ERR_ARG, "%s '%s' changed while it was opened and now leads to '%s'", what, shown, at);
    }
    return DS_OK;
}

ds_result vm_sandbox_open_read(vm_sandbox *sb, vm_sb_use use, const char *what, const char *name,
                               const char *where, int *fd, char *shown, size_t n, int *missing, char *err)
{
    char real[PATH_MAX], link[PATH_MAX + 32];
    struct stat st;
    ds_result r;
    *fd = -1;
    *missing = 0;
    if ((r = vm_path_resolve(sb->script_dir, name, real, sizeof real, missing, err)))
        return r;
    if (*missing)
        return ds_fail(err, DS_ERR_IO, "cannot open %s '%s': %s", what, name, strerror(ENOENT));
    if (!allowed(sb, use, real)) {
        leads_to(sb, name, real, link, sizeof link);
        return ds_fail(err, DS_ERR_ARG, "%s '%s'%s is outside the script's folder%s; scripts read only there "
                       "(run with --allow-paths to lift this)", what, name, link,
                       use != VM_SB_MODULE ? " and the output folder"
                       : sb->nlib_dirs ? ", the library folders (--lib, DUBSTAGE_LIB) and the standard library"
                       : " and the standard library");
    }
    vm_path_shown(real, shown, n);
    if ((r = open_judged(sb, use, what, name, shown, O_RDONLY, fd, &st, err)))
        return r;
    if ((r = add_input(sb, what, name, where, real, &st, err))) {
        close(*fd);
        *fd = -1;
    }
    return r;
}

static struct vm_sb_name *name_slot(vm_sandbox *sb, const char *name)
{
    for (size_t i = name_hash(name) & (sb->by_name_cap - 1);; i = (i + 1) & (sb->by_name_cap - 1))
        if (!sb->by_name[i].name || strcmp(sb->by_name[i].name, name) == 0)
            return &sb->by_name[i];
}

/* Remembers that clip name opens as path (nothing lost if memory is short). */
static void remember_media(vm_sandbox *sb, const char *name, const char *path)
{
    if ((sb->nby_name + 1) * 2 > sb->by_name_cap) {
        size_t cap = sb->by_name_cap ? sb->by_name_cap * 2 : 64;
        struct vm_sb_name *old = sb->by_name;
        size_t oldcap = sb->by_name_cap;
        if (!(sb->by_name = calloc(cap, sizeof *sb->by_name))) {
            sb->by_name = old;
            return;
        }
        sb->by_name_cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].name)
                *name_slot(sb, old[i].name) = old[i];
        free(old);
    }
    struct vm_sb_name *s = name_slot(sb, name);
    if (s->name)
        return;
    s->name = strdup(name);
    s->path = strdup(path);
    if (!s->name || !s->path) {
        free(s->name), free(s->path);
        s->name = s->path = NULL;
        return;
    }
    sb->nby_name++;
}

ds_result vm_sandbox_media(vm_sandbox *sb, const char *name, const char *where, char *path, size_t n, char *err)
{
    if (sb->by_name_cap) {
        struct vm_sb_name *s = name_slot(sb, name);
        if (s->name) {
            snprintf(path, n, "%s", s->path);
            return DS_OK;
        }
    }
    int fd, missing;
    ds_result r = vm_sandbox_open_read(sb, VM_SB_MEDIA, "clip source", name, where, &fd, path, n, &missing, err);
    if (r == DS_OK) {
        close(fd);
        remember_media(sb, name, path);
    } else if (missing) {
        r = ds_fail(err, DS_ERR_IO, "cannot open '%s': %s", name, strerror(ENOENT));
    }
    return r;
}

/* The input or output that the existing file st is, described into out;
 * 0 when it is neither. */
static int touched(const vm_sandbox *sb, const char *real, const struct stat *st, char *out, size_t n)
{
    int k = st ? find_input(sb, st->st_dev, st->st_ino) : -1;
    const vm_sb_file *f = k >= 0 ? &sb->inputs[k] : output_at(sb, real, st);
    if (f)
        describe(f, out, n);
    return f != NULL;
}

ds_result vm_sandbox_open_write(vm_sandbox *sb, const char *name, int flags, int *fd, char *err)
{
    char real[PATH_MAX], shown[PATH_MAX], link[PATH_MAX + 32], other[2 * PATH_MAX];
    struct stat st;
    int missing;
    ds_result r;
    *fd = -1;
    if ((r = vm_path_resolve(sb->script_dir, name, real, sizeof real, &missing, err)))
        return r;
    if (!allowed(sb, VM_SB_DATA, real)) {
        leads_to(sb, name, real, link, sizeof link);
        return ds_fail(err, DS_ERR_ARG, "'%s'%s is outside the script's folder and the output folder; scripts may "
                       "only read and write there (run with --allow-paths to lift this)", name, link);
    }
    if (touched(sb, real, missing || lstat(real, &st) != 0 ? NULL : &st, other, sizeof other))
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': it is %s, which a script never overwrites", name, other);
    vm_path_shown(real, shown, sizeof shown);
    if ((r = open_judged(sb, VM_SB_DATA, "file", name, shown, flags, fd, &st, err)))
        return r;
    if (st.st_nlink > 1 || touched(sb, real, &st, other, sizeof other)) {
        close(*fd);
        *fd = -1;
        if (st.st_nlink > 1)
            return ds_fail(err, DS_ERR_ARG, "cannot write '%s': the file has %lu names (hard links), and writing "
                           "it would change it under the others too; scripts write only files of one name", name,
                           (unsigned long)st.st_nlink);
        return ds_fail(err, DS_ERR_ARG, "cannot write '%s': it is %s, which a script never overwrites", name, other);
    }
    if ((flags & O_TRUNC) && ftruncate(*fd, 0) != 0) {
        int e = errno;
        close(*fd);
        *fd = -1;
        return ds_fail(err, DS_ERR_IO, "cannot write '%s': %s", name, strerror(e));
    }
    return DS_OK;
}

ds_result vm_sandbox_output(vm_sandbox *sb, const char *file, const char *where, char *path, size_t n, char *err)
{
    char real[PATH_MAX], link[PATH_MAX + 32], other[2 * PATH_MAX];
    const char *base = vm_path_basename(file);
    struct stat st;
    int missing;
    ds_result r;
    if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return ds_fail(err, DS_ERR_ARG, "output '%s' names a folder, not a file: give the file name too, such as "
                       "'%.*smix.wav'", file, (int)(base - file), file);
    if (sb->out_dir_given)
        r = vm_path_resolve(sb->out_root, base, real, sizeof real, &missing, err);
    else
        r = vm_path_resolve(sb->script_dir, file, real, sizeof real, &missing, err);
    if (r)
        return r;
    if (!sb->out_dir_given && !sb->allow_any && !is_under(real, sb->script_dir)) {
        leads_to(sb, file, real, link, sizeof link);
        return ds_fail(err, DS_ERR_ARG, "output '%s'%s is outside the script's folder; use --out DIR, or "
                       "--allow-paths to write anywhere", file, link);
    }
    int exists = !missing && stat(real, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return ds_fail(err, DS_ERR_ARG, "output '%s' names a folder, not a file: give the file name too, such as "
                       "'%s/mix.wav'", file, file);
    if (exists && !S_ISREG(st.st_mode))
        return ds_fail(err, DS_ERR_ARG, "output '%s' is not a regular file (a FIFO, a device or a socket)", file);
    int k = exists ? find_input(sb, st.st_dev, st.st_ino) : -1;
    if (k >= 0) {
        describe(&sb->inputs[k], other, sizeof other);
        return ds_fail(err, DS_ERR_ARG, "output '%s' is the file of %s; an output never replaces an input: give "
                       "the output another name", file, other);
    }
    const vm_sb_file *o = output_at(sb, real, exists ? &st : NULL);
    if (o)
        return ds_fail(err, DS_ERR_ARG, "two outputs write '%s' (the other, '%s', is at %s)", file, o->name,
                       o->where);
    if (!append(&sb->outputs, &sb->noutputs, &sb->capoutputs, "output", file, where, real, exists ? &st : NULL))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory noting output '%s'", file);
    vm_path_shown(real, path, n);
    return DS_OK;
}

ds_result vm_sandbox_cli_outputs(vm_sandbox *sb, const char *option, const char *dir, const char *const *names,
                                 int n, char (*paths)[PATH_MAX], char *err)
{
    char real[PATH_MAX], file[PATH_MAX], other[2 * PATH_MAX];
    struct stat st;
    int missing;
    ds_result r;
    if (!dir[0])
        return ds_fail(err, DS_ERR_ARG, "%s needs a folder name, such as %s qc", option, option);
    if ((r = vm_path_resolve(NULL, dir, real, sizeof real, &missing, err)) != DS_OK)
        return r;
    int dir_exists = !missing && stat(real, &st) == 0;
    if (!dir_exists && strcmp(option, "--report") == 0 && touched(sb, real, NULL, other, sizeof other))
        /* the folder would be made where an output of the script goes */
        return ds_fail(err, DS_ERR_ARG, "%s '%s' is %s, not a folder: give a folder for the report, such as "
                       "%s qc (an output never replaces an input or another output)", option, dir, other, option);
    if (dir_exists && !S_ISDIR(st.st_mode)) {
        if (touched(sb, real, &st, other, sizeof other))
            return ds_fail(err, DS_ERR_ARG, "%s '%s' is %s, not a folder: give a folder for the report, such as "
                           "%s qc (an output never replaces an input)", option, dir, other, option);
        return ds_fail(err, DS_ERR_ARG, "%s '%s' is a file, not a folder: give a folder, such as %s qc", option,
                       dir, option);
    }
    for (int i = 0; i < n; i++) {
        if (vm_path_join(real, names[i], file, sizeof file) != 0)
            return ds_fail(err, DS_ERR_ARG, "%s '%s': the path is too long", option, dir);
        if ((r = vm_path_resolve(NULL, file, paths[i], PATH_MAX, &missing, err)) != DS_OK)
            return r;
        int exists = !missing && stat(paths[i], &st) == 0;
        /* a file option (--html, --csv, --svg FILE) names the file itself */
        int file_option = strcmp(option, "--report") != 0;
        char shown[PATH_MAX];
        snprintf(shown, sizeof shown, "%s%s", strcmp(dir, ".") == 0 ? "" : dir, names[i]);
        if (exists && !S_ISREG(st.st_mode) && file_option)
            return ds_fail(err, DS_ERR_ARG, "%s '%s' is there and is not a regular file (a folder, a FIFO or a "
                           "device): give a file name", option, shown);
        if (exists && !S_ISREG(st.st_mode))
            return ds_fail(err, DS_ERR_ARG, "%s '%s': '%s' is there and is not a regular file", option, dir,
                           names[i]);
        if (file_option && touched(sb, paths[i], exists ? &st : NULL, other, sizeof other))
            return ds_fail(err, DS_ERR_ARG, "%s '%s' would replace %s; an output never replaces an input or "
                           "another output: give another name", option, shown, other);
        if (touched(sb, paths[i], exists ? &st : NULL, other, sizeof other))
            return ds_fail(err, DS_ERR_ARG, "%s '%s': its '%s' would replace %s; an output never replaces an "
                           "input or another output: give another folder", option, dir, names[i], other);
        if (!append(&sb->outputs, &sb->noutputs, &sb->capoutputs, "report file", names[i], option, paths[i],
                    exists ? &st : NULL))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory noting %s's files", option);
        snprintf(file, sizeof file, "%s", paths[i]);
        vm_path_shown(file, paths[i], PATH_MAX);
    }
    return DS_OK;
}

ds_result vm_sandbox_check_save(const char *script_path, const char *name, char *real, size_t n, char *err)
{
    vm_sandbox sb;
    char link[PATH_MAX + 32], other[2 * PATH_MAX];
    struct stat st;
    int missing;
    ds_result r = vm_sandbox_init(&sb, script_path, NULL, NULL, 0, err);
    if (r == DS_OK)
        r = vm_path_resolve(sb.script_dir, name, real, n, &missing, err);
    if (r == DS_OK && !allowed(&sb, VM_SB_DATA, real)) {
        leads_to(&sb, name, real, link, sizeof link);
        r = ds_fail(err, DS_ERR_ARG, "cannot save to '%s'%s: it is outside the script's folder", name, link);
    } else if (r == DS_OK && !missing && stat(real, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            r = ds_fail(err, DS_ERR_ARG, "cannot save to '%s': it is not a regular file", name);
        else if (touched(&sb, real, &st, other, sizeof other))
            r = ds_fail(err, DS_ERR_ARG, "cannot save to '%s': it is %s", name, other);
    }
    vm_sandbox_free(&sb);
    return r;
}
