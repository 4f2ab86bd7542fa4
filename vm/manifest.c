/* manifest.c - the check manifest (see manifest.h).
 *
 * Format, one record a line, fields separated by one space, a path last and
 * escaped (%XX for '%', space, control bytes and DEL):
 *   dubstage-check 1
 *   engine VERSION SHA256 SIZE MTIME CTIME DEV INO SEEN PATH
 *   option out_dir PATH|-
 *   option allow_paths 0|1
 *   input SHA256 SIZE MTIME CTIME DEV INO SEEN PATH
 *   output SHA256 SIZE MTIME CTIME DEV INO SEEN PATH
 *   measure DELIVERABLE KEY VALUE          (%.17g, so a reused value prints as measured)
 */
#include "vm/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vm/path.h"
#include "vm/sha256.h"
#include "vm/tmpfile.h"

#define MANIFEST_MAGIC "dubstage-check 1"

void vm_manifest_path(const vm_desc *d, char *out, size_t n)
{
    char dir[PATH_MAX];
    vm_path_dirname(d->noutputs ? d->outputs[0].path : d->script_path, dir, sizeof dir);
    snprintf(out, n, "%s/.%s.check", dir, vm_path_basename(d->script_path));
}

ds_result vm_manifest_check_place(const vm_desc *d, const char *path, char *err)
{
    char real[PATH_MAX], other[PATH_MAX];
    int missing;
    if (vm_path_resolve(NULL, path, real, sizeof real, &missing, err) != DS_OK)
        return DS_ERR_IO;
    for (int i = 0; i < d->ninputs; i++)
        if (strcmp(d->inputs[i], real) == 0)
            return ds_fail(err, DS_ERR_ARG, "the check's manifest '%s' is a file the script reads: rename that file",
                           path);
    for (int i = 0; i < d->noutputs; i++)
        if (vm_path_resolve(NULL, d->outputs[i].path, other, sizeof other, &missing, err) == DS_OK &&
            strcmp(other, real) == 0)
            return ds_fail(err, DS_ERR_ARG, "the check's manifest '%s' is an output of the script: rename the "
                                            "output", path);
    return DS_OK;
}

static void file_free(vm_manifest_file *f)
{
    free(f->path);
    f->path = NULL;
}

void vm_manifest_free(vm_manifest *m)
{
    file_free(&m->engine);
    for (int i = 0; i < m->ninputs; i++)
        file_free(&m->inputs[i]);
    for (int i = 0; i < m->noutputs; i++)
        file_free(&m->outputs[i]);
    free(m->inputs);
    free(m->outputs);
    free(m->values);
    memset(m, 0, sizeof *m);
}

static int64_t ns_of(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return ns_of(t);
}

/* f's identity from stat(2) of path (the path is not copied), and when it
 * was taken. */
static ds_result identify(const char *path, vm_manifest_file *f, char *err)
{
    struct stat st;
    f->seen_ns = now_ns(); /* before the stat: a change after it is not settled */
    if (stat(path, &st) != 0)
        return ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    f->size = (int64_t)st.st_size;
    f->mtime_ns = ns_of(st.st_mtim);
    f->ctime_ns = ns_of(st.st_ctim);
    f->dev = (uint64_t)st.st_dev;
    f->ino = (uint64_t)st.st_ino;
    return DS_OK;
}

static int same_identity(const vm_manifest_file *a, const vm_manifest_file *b)
{
    return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns && a->dev == b->dev &&
           a->ino == b->ino;
}

static ds_result hash_file(const char *path, char hex[65], char *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    if (!buf) {
        close(fd);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    vm_sha256 s;
    vm_sha256_init(&s);
    ssize_t got;
    while ((got = read(fd, buf, CHUNK)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0)
            vm_sha256_update(&s, buf, (size_t)got);
    int read_errno = errno;
    free(buf);
    close(fd);
    if (got < 0)
        return ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", path, strerror(read_errno));
    vm_sha256_final(&s, hex);
    return DS_OK;
}

/* The recorded entry for path in list, or NULL. Linear: a mix reads
 * hundreds of files, not millions, and this runs once per file. */
static const vm_manifest_file *find(const vm_manifest_file *list, int n, const char *path)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i].path, path) == 0)
            return &list[i];
    return NULL;
}

/* The identity recorded in known still stands for the file now seen as f:
 * the same, and the file had settled when it was recorded (its last change
 * VM_MANIFEST_SETTLE_NS before: a change in the same timestamp tick as the
 * look would otherwise go unseen). */
static int still_known(const vm_manifest_file *f, const vm_manifest_file *known)
{
    return known && known->sha256[0] && same_identity(f, known) &&
           known->ctime_ns < known->seen_ns - VM_MANIFEST_SETTLE_NS;
}

/* f (path already set): identity, and the contents' hash: known's when it
 * still stands, else read (*hashed counts the files read). */
static ds_result identify_hashed(vm_manifest_file *f, const vm_manifest_file *known, int *hashed, char *err)
{
    ds_result r = identify(f->path, f, err);
    if (r != DS_OK)
        return r;
    if (still_known(f, known)) {
        memcpy(f->sha256, known->sha256, sizeof f->sha256);
        return DS_OK;
    }
    ++*hashed;
    return hash_file(f->path, f->sha256, err);
}

ds_result vm_manifest_build(vm_manifest *m, const vm_desc *d, const char *exe, const char *version,
                            const char *out_dir, int allow_paths, const vm_manifest *known, char *err)
{
    memset(m, 0, sizeof *m);
    snprintf(m->version, sizeof m->version, "%s", version);
    if (out_dir) {
        int missing;
        ds_result r = vm_path_resolve(NULL, out_dir, m->out_dir, sizeof m->out_dir, &missing, err);
        if (r != DS_OK)
            return r;
    }
    m->allow_paths = allow_paths;
    if (!(m->engine.path = strdup(exe)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    ds_result r = identify_hashed(&m->engine, known && known->engine.path && strcmp(known->engine.path, exe) == 0
                                                  ? &known->engine : NULL, &m->hashed, err);
    if (r != DS_OK)
        return r;
    m->inputs = calloc((size_t)(d->ninputs ? d->ninputs : 1), sizeof *m->inputs);
    if (!m->inputs)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < d->ninputs; i++) {
        vm_manifest_file *f = &m->inputs[m->ninputs++];
        if (!(f->path = strdup(d->inputs[i])))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        const vm_manifest_file *k = known ? find(known->inputs, known->ninputs, f->path) : NULL;
        if ((r = identify_hashed(f, k, &m->hashed, err)) != DS_OK)
            return r;
    }
    return DS_OK;
}

int vm_manifest_same_inputs(const vm_manifest *m, const vm_manifest *disk, char *why, size_t n)
{
    if (strcmp(m->version, disk->version) != 0 || strcmp(m->engine.sha256, disk->engine.sha256) != 0) {
        snprintf(why, n, "the engine changed (dubstage %s, built differently)", m->version);
        return 0;
    }
    if (strcmp(m->out_dir, disk->out_dir) != 0 || m->allow_paths != disk->allow_paths) {
        snprintf(why, n, "the options changed (--out, --allow-paths)");
        return 0;
    }
    for (int i = 0; i < m->ninputs; i++) {
        const vm_manifest_file *k = find(disk->inputs, disk->ninputs, m->inputs[i].path);
        if (!k || strcmp(k->sha256, m->inputs[i].sha256) != 0) {
            char shown[PATH_MAX];
            vm_path_shown(m->inputs[i].path, shown, sizeof shown);
            if (i == 0)
                snprintf(why, n, "the script changed");
            else
                snprintf(why, n, "%s '%s'", k ? "changed:" : "a new input:", shown);
            return 0;
        }
    }
    if (disk->ninputs != m->ninputs) {
        snprintf(why, n, "the script reads other files");
        return 0;
    }
    return 1;
}

int vm_manifest_outputs_intact(vm_manifest *disk, char *why, size_t n)
{
    char err[DS_ERR_LEN];
    for (int i = 0; i < disk->noutputs; i++) {
        vm_manifest_file *was = &disk->outputs[i], now = {.path = was->path};
        char shown[PATH_MAX];
        vm_path_shown(now.path, shown, sizeof shown);
        if (identify(now.path, &now, err) != DS_OK) {
            snprintf(why, n, "output '%s' is missing", shown);
            return 0;
        }
        if (still_known(&now, was))
            continue;
        disk->hashed++;
        if (now.size != was->size || hash_file(now.path, now.sha256, err) != DS_OK ||
            strcmp(now.sha256, was->sha256) != 0) {
            snprintf(why, n, "output '%s' was changed since", shown);
            return 0;
        }
        *was = now; /* the same contents: its identity as it is now */
    }
    return 1;
}

ds_result vm_manifest_record(vm_manifest *m, const vm_desc *d, const double (*values)[VM_MEASURE_COUNT],
                             char *err)
{
    m->outputs = calloc((size_t)(d->noutputs ? d->noutputs : 1), sizeof *m->outputs);
    m->values = calloc((size_t)(d->ndeliverables ? d->ndeliverables : 1), sizeof *m->values);
    if (!m->outputs || !m->values)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < d->noutputs; i++) {
        vm_manifest_file *f = &m->outputs[m->noutputs++];
        if (!(f->path = strdup(d->outputs[i].path)))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        int hashed = 0;
        ds_result r = identify_hashed(f, NULL, &hashed, err);
        if (r != DS_OK)
            return r;
    }
    m->ndeliverables = d->ndeliverables;
    memcpy(m->values, values, (size_t)d->ndeliverables * sizeof *m->values);
    return DS_OK;
}

/* ---- text ------------------------------------------------------------- */

static void put_path(FILE *f, const char *p)
{
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c <= ' ' || *c == '%' || *c == 0x7f)
            fprintf(f, "%%%02X", *c);
        else
            fputc(*c, f);
}

static void put_identity(FILE *f, const vm_manifest_file *x)
{
    fprintf(f, " %s %lld %lld %lld %llu %llu %lld ", x->sha256, (long long)x->size, (long long)x->mtime_ns,
            (long long)x->ctime_ns, (unsigned long long)x->dev, (unsigned long long)x->ino, (long long)x->seen_ns);
    put_path(f, x->path);
    fputc('\n', f);
}

ds_result vm_manifest_write(const vm_manifest *m, const char *path, char *err)
{
    vm_tmpfile t;
    FILE *f = vm_tmpfile_fopen(&t, path, err);
    if (!f)
        return DS_ERR_IO;
    fprintf(f, "%s\nengine %s", MANIFEST_MAGIC, m->version);
    put_identity(f, &m->engine);
    fprintf(f, "option out_dir ");
    if (m->out_dir[0])
        put_path(f, m->out_dir);
    else
        fputc('-', f);
    fprintf(f, "\noption allow_paths %d\n", m->allow_paths);
    for (int i = 0; i < m->ninputs; i++) {
        fprintf(f, "input");
        put_identity(f, &m->inputs[i]);
    }
    for (int i = 0; i < m->noutputs; i++) {
        fprintf(f, "output");
        put_identity(f, &m->outputs[i]);
    }
    for (int k = 0; k < m->ndeliverables; k++)
        for (int j = 0; j < VM_MEASURE_COUNT; j++)
            fprintf(f, "measure %d %s %.17g\n", k, vm_measures[j].key, m->values[k][j]);
    return vm_tmpfile_fcommit(&t, f, path, err);
}

/* An escaped path back into out; 0 when malformed. */
static int get_path(const char *s, char *out, size_t n)
{
    size_t len = 0;
    for (; *s && *s != '\n'; s++) {
        unsigned v = (unsigned char)*s;
        if (*s == '%') {
            if (sscanf(s + 1, "%2X", &v) != 1)
                return 0;
            s += 2;
        }
        if (len + 1 >= n || v == 0)
            return 0;
        out[len++] = (char)v;
    }
    out[len] = 0;
    return len > 0;
}

/* " SHA256 SIZE MTIME CTIME DEV INO SEEN PATH" at s into x; 0 when
 * malformed. */
static int get_identity(const char *s, vm_manifest_file *x)
{
    long long size, mt, ct, seen;
    unsigned long long dev, ino;
    int used = 0;
    char path[PATH_MAX];
    if (sscanf(s, " %64[0-9a-f] %lld %lld %lld %llu %llu %lld %n", x->sha256, &size, &mt, &ct, &dev, &ino, &seen,
               &used) != 7 || !used || strlen(x->sha256) != 64 || !get_path(s + used, path, sizeof path) ||
        !(x->path = strdup(path)))
        return 0;
    x->size = size, x->mtime_ns = mt, x->ctime_ns = ct, x->dev = dev, x->ino = ino, x->seen_ns = seen;
    return 1;
}

/* list with room for one more (doubling *cap); NULL when out of memory */
static void *grow(void *list, int n, int *cap, size_t elem)
{
    if (n < *cap)
        return list;
    int ncap = *cap ? 2 * *cap : 16;
    void *p = realloc(list, (size_t)ncap * elem);
    if (p) {
        memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
        *cap = ncap;
    }
    return p;
}

/* The identity at s appended to list; 0 when malformed or out of memory. */
static int append_file(vm_manifest_file **list, int *n, int *cap, const char *s)
{
    vm_manifest_file *l = grow(*list, *n, cap, sizeof *l);
    if (!l)
        return 0;
    *list = l;
    if (!get_identity(s, &l[*n]))
        return 0;
    ++*n;
    return 1;
}

/* One line into m; 0 when malformed or out of memory. */
static int parse_line(const char *line, vm_manifest *m, int *capin, int *capout, int *capval)
{
    int used = 0;
    char key[32];
    if (sscanf(line, "engine %63s%n", m->version, &used) == 1)
        return get_identity(line + used, &m->engine);
    static const char out_dir_key[] = "option out_dir ";
    if (strncmp(line, out_dir_key, sizeof out_dir_key - 1) == 0) {
        const char *v = line + sizeof out_dir_key - 1;
        return strcmp(v, "-\n") == 0 || get_path(v, m->out_dir, sizeof m->out_dir);
    }
    if (sscanf(line, "option allow_paths %d", &m->allow_paths) == 1)
        return 1;
    if (strncmp(line, "input ", 6) == 0)
        return append_file(&m->inputs, &m->ninputs, capin, line + 5);
    if (strncmp(line, "output ", 7) == 0)
        return append_file(&m->outputs, &m->noutputs, capout, line + 6);
    int k;
    double v;
    if (sscanf(line, "measure %d %31s %lf", &k, key, &v) == 3 && k >= 0 && k < 100000) {
        while (k >= m->ndeliverables) {
            double(*l)[VM_MEASURE_COUNT] = grow(m->values, m->ndeliverables, capval, sizeof *l);
            if (!l)
                return 0;
            m->values = l;
            for (int j = 0; j < VM_MEASURE_COUNT; j++)
                m->values[m->ndeliverables][j] = NAN;
            m->ndeliverables++;
        }
        for (int j = 0; j < VM_MEASURE_COUNT; j++)
            if (strcmp(key, vm_measures[j].key) == 0) {
                m->values[k][j] = v;
                return 1;
            }
    }
    return 0;
}

ds_result vm_manifest_read(const char *path, vm_manifest *m, char *err)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "re");
    if (!f)
        return ds_fail(err, DS_ERR_IO, "no manifest at '%s'", path);
    char *line = NULL;
    size_t cap = 0;
    int capin = 0, capout = 0, capval = 0, ok = 1, lineno = 0;
    while (ok && getline(&line, &cap, f) > 0) {
        if (lineno++ == 0)
            ok = strcmp(line, MANIFEST_MAGIC "\n") == 0;
        else
            ok = parse_line(line, m, &capin, &capout, &capval);
    }
    free(line);
    fclose(f);
    if (!ok || !m->engine.path)
        return ds_fail(err, DS_ERR_FORMAT, "'%s' is not a manifest this dubstage wrote (line %d)", path, lineno);
    return DS_OK;
}
