/* manifest.c - the render manifest (see manifest.h; its format, written
 * down for users, in docs/manifest.md). */
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

#include "dsp/simd.h"
#include "vm/json.h"
#include "vm/judge.h"
#include "vm/layout.h"
#include "vm/outfile.h"
#include "vm/path.h"
#include "vm/sha256.h"
#include "vm/timecode.h"
#include "vm/tmpfile.h"

#ifndef DS_BUILD_FLAGS
#define DS_BUILD_FLAGS "unknown"
#endif

void vm_manifest_path_for(const char *script, const char *first_output, const char *selection, char *out, size_t n)
{
    char dir[PATH_MAX];
    vm_path_dirname(first_output ? first_output : script, dir, sizeof dir);
    const char *base = vm_path_basename(script);
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".lua") == 0)
        len -= 4;
    snprintf(out, n, "%s/%.*s%s%s.manifest.json", dir, (int)len, base, selection ? "." : "",
             selection ? selection : "");
}

void vm_manifest_path(const vm_desc *d, char *out, size_t n)
{
    vm_manifest_path_for(d->script_path, d->noutputs ? d->outputs[0].path : NULL, d->output_selection, out, n);
}

void vm_manifest_root(const vm_desc *d, char *out, size_t n)
{
    vm_path_dirname(d->ninputs ? d->inputs[0] : d->script_path ? d->script_path : ".", out, n);
}

ds_result vm_manifest_check_place(const vm_desc *d, const char *path, char *err)
{
    char real[PATH_MAX], other[PATH_MAX];
    int missing;
    if (vm_path_resolve(NULL, path, real, sizeof real, &missing, err) != DS_OK)
        return DS_ERR_IO;
    for (int i = 0; i < d->ninputs; i++)
        if (strcmp(d->inputs[i], real) == 0)
            return ds_fail(err, DS_ERR_ARG, "the manifest '%s' is a file the script reads: rename that file",
                           path);
    for (int i = 0; i < d->noutputs; i++)
        if (vm_path_resolve(NULL, d->outputs[i].path, other, sizeof other, &missing, err) == DS_OK &&
            strcmp(other, real) == 0)
            return ds_fail(err, DS_ERR_ARG, "the manifest '%s' is an output of the script: rename the "
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
    for (int i = 0; i < m->nmodules; i++)
        free(m->modules[i].name), free(m->modules[i].path), free(m->modules[i].found_in);
    free(m->modules);
    free(m->outputs);
    for (int i = 0; i < m->njoined; i++)
        file_free(&m->joined[i]);
    free(m->joined);
    free(m->selection);
    free(m->values);
    free(m->labels);
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
    enum { CHUNK = 1 << 18 }; /* 256 KiB reads: as fast as larger ones, and the render's peak memory stays its own */
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

ds_result vm_manifest_file_at(vm_manifest_file *f, const char *path, const vm_manifest_file *known, char *err)
{
    memset(f, 0, sizeof *f);
    if (!(f->path = strdup(path)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    int hashed = 0;
    return identify_hashed(f, known, &hashed, err);
}

const char *vm_manifest_output_name(const vm_manifest *m, int i)
{
    const char *first = m->outputs[0].path, *p = m->outputs[i].path;
    const char *slash = strrchr(first, '/');
    size_t n0 = slash ? (size_t)(slash - first) : 0;
    return slash && strncmp(p, first, n0) == 0 && p[n0] == '/' ? p + n0 + 1 : p;
}

/* The modules d required, each by the real path of its file (an input). */
static ds_result note_modules(vm_manifest *m, const vm_desc *d, char *err)
{
    if (!d->nmodules)
        return DS_OK;
    if (!(m->modules = calloc((size_t)d->nmodules, sizeof *m->modules)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < d->nmodules; i++) {
        vm_manifest_module *x = &m->modules[m->nmodules++];
        char real[PATH_MAX];
        if (!realpath(d->modules[i].path, real))
            return ds_fail(err, DS_ERR_IO, "cannot read module '%s': %s", d->modules[i].path, strerror(errno));
        if (!(x->name = strdup(d->modules[i].name)) || !(x->path = strdup(real)) ||
            !(x->found_in = strdup(d->modules[i].found_in)))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    }
    return DS_OK;
}

ds_result vm_manifest_build(vm_manifest *m, const vm_desc *d, const char *exe, const char *version,
                            const char *out_dir, int allow_paths, const vm_manifest *known, char *err)
{
    memset(m, 0, sizeof *m);
    snprintf(m->version, sizeof m->version, "%s", version);
#if defined(__clang__)
    snprintf(m->compiler, sizeof m->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(m->compiler, sizeof m->compiler, "gcc %s", __VERSION__);
#endif
    snprintf(m->flags, sizeof m->flags, "%s", DS_BUILD_FLAGS);
    snprintf(m->simd, sizeof m->simd, "%s", dsp_simd_path());
    vm_manifest_root(d, m->root, sizeof m->root);
    if (out_dir) {
        int missing;
        ds_result r = vm_path_resolve(NULL, out_dir, m->out_dir, sizeof m->out_dir, &missing, err);
        if (r != DS_OK)
            return r;
    }
    m->allow_paths = allow_paths;
    if (d->output_selection && !(m->selection = strdup(d->output_selection)))
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    char exe_real[PATH_MAX];
    if (!realpath(exe, exe_real))
        snprintf(exe_real, sizeof exe_real, "%s", exe);
    exe = exe_real;
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
    return note_modules(m, d, err);
}

int vm_manifest_same_sources(const vm_manifest *m, const vm_manifest *disk, char *why, size_t n)
{
    if (strcmp(m->version, disk->version) != 0 || strcmp(m->engine.sha256, disk->engine.sha256) != 0) {
        snprintf(why, n, "the engine changed (dubstage %s, built differently)", m->version);
        return 0;
    }
    if (m->allow_paths != disk->allow_paths) {
        snprintf(why, n, "the options changed (--allow-paths)");
        return 0;
    }
    if (strcmp(m->selection ? m->selection : "", disk->selection ? disk->selection : "") != 0) {
        snprintf(why, n, "the outputs rendered changed (--output)");
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

int vm_manifest_same_inputs(const vm_manifest *m, const vm_manifest *disk, char *why, size_t n)
{
    if (strcmp(m->out_dir, disk->out_dir) != 0) {
        snprintf(why, n, "the options changed (--out)");
        return 0;
    }
    if (m->segment.on != disk->segment.on || (m->segment.on && (m->segment.from != disk->segment.from ||
                                                                m->segment.to != disk->segment.to ||
                                                                m->segment.preroll != disk->segment.preroll))) {
        snprintf(why, n, disk->segment.on ? "the last render was a segment (--from/--to)" : "the segment changed");
        return 0;
    }
    return vm_manifest_same_sources(m, disk, why, n);
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
        /* the same contents: its identity as it is now */
        was->size = now.size, was->mtime_ns = now.mtime_ns, was->ctime_ns = now.ctime_ns;
        was->dev = now.dev, was->ino = now.ino, was->seen_ns = now.seen_ns;
    }
    return 1;
}

ds_result vm_manifest_compare(vm_manifest *now, vm_manifest *disk, int *have, int *fresh, const vm_desc *d,
                              const char *mpath, const char *exe, const char *version, const char *out_dir,
                              int allow_paths, char *why, size_t n, char *err)
{
    char root[PATH_MAX];
    *fresh = 0;
    vm_manifest_root(d, root, sizeof root);
    *have = vm_manifest_read(mpath, root, disk, err) == DS_OK;
    ds_result r = vm_manifest_build(now, d, exe, version, out_dir, allow_paths, *have ? disk : NULL, err);
    if (r != DS_OK)
        return r;
    *fresh = *have && vm_manifest_same_inputs(now, disk, why, n) && vm_manifest_outputs_intact(disk, why, n);
    return DS_OK;
}

ds_result vm_manifest_reuse(vm_manifest *now, vm_manifest *disk, const char *mpath, char *err)
{
    int reread = now->hashed || disk->hashed;
    vm_manifest_take_render(now, disk);
    return reread ? vm_manifest_write(now, mpath, err) : DS_OK;
}

ds_result vm_manifest_record(vm_manifest *m, const vm_desc *d, const plan *p, int block, int threads,
                             const double (*values)[VM_MEASURE_COUNT], char *err)
{
    m->block = block;
    m->threads = threads;
    vm_manifest_session *se = &m->session;
    se->rate = p->tb.rate;
    snprintf(se->fps, sizeof se->fps, "%s", p->tb.fps.name);
    se->drop_frame = p->tb.start_drop;
    vm_tc_format(&p->tb.fps, p->tb.start_frames, p->tb.start_drop, se->start, sizeof se->start);
    se->start_samples = p->tb.start_samples;
    se->length = p->length;
    m->outputs = calloc((size_t)(p->noutputs ? p->noutputs : 1), sizeof *m->outputs);
    if (!m->outputs)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < p->noutputs; i++) {
        const plan_output *po = &p->outputs[i];
        vm_manifest_file *f = &m->outputs[m->noutputs++];
        char real[PATH_MAX];
        int missing;
        if (vm_path_resolve(NULL, po->path, real, sizeof real, &missing, err) != DS_OK)
            return DS_ERR_IO;
        if (!(f->path = strdup(real)))
            return ds_fail(err, DS_ERR_NOMEM, "out of memory");
        int hashed = 0;
        const char *written = m->written_sha256 && m->written_sha256[i][0] ? m->written_sha256[i] : NULL;
        ds_result r = written ? identify(f->path, f, err) : identify_hashed(f, NULL, &hashed, err);
        if (r != DS_OK)
            return r;
        if (written)
            memcpy(f->sha256, written, sizeof f->sha256);
        snprintf(f->format, sizeof f->format, "%s", vm_out_format_name(po->format));
        snprintf(f->layout, sizeof f->layout, "%s", vm_layout_name(po->layout));
        f->channels = po->channels;
        f->rate = p->tb.rate;
        f->length = m->segment.on ? m->segment.to - m->segment.from : p->length;
    }
    if (!values) {
        m->ndeliverables = -1; /* not measured */
        return DS_OK;
    }
    m->values = calloc((size_t)(d->ndeliverables ? d->ndeliverables : 1), sizeof *m->values);
    m->labels = calloc((size_t)(d->ndeliverables ? d->ndeliverables : 1), sizeof *m->labels);
    if (!m->values || !m->labels)
        return ds_fail(err, DS_ERR_NOMEM, "out of memory");
    m->ndeliverables = d->ndeliverables;
    memcpy(m->values, values, (size_t)d->ndeliverables * sizeof *m->values);
    for (int k = 0; k < d->ndeliverables; k++) {
        char name[sizeof *m->labels];
        snprintf(m->labels[k], sizeof *m->labels, "%.200s (%.40s)", vm_judge_name(d, k, name, sizeof name),
                 d->deliverables[k].spec.name);
    }
    return DS_OK;
}

void vm_manifest_take_render(vm_manifest *m, vm_manifest *disk)
{
    m->block = disk->block, m->threads = disk->threads, m->session = disk->session, m->segment = disk->segment;
    m->threads_ran = disk->threads_ran, m->threads_run = disk->threads_run;
    m->outputs = disk->outputs, m->noutputs = disk->noutputs;
    m->values = disk->values, m->labels = disk->labels, m->ndeliverables = disk->ndeliverables;
    disk->outputs = NULL, disk->noutputs = 0, disk->values = NULL, disk->labels = NULL, disk->ndeliverables = 0;
    m->joined = disk->joined, m->njoined = disk->njoined; /* a join stays one */
    disk->joined = NULL, disk->njoined = 0;
}


/* ---- JSON (docs/manifest.md) -------------------------------------------- */

/* path as the file writes it: relative to root when inside it */
static void put_path(FILE *f, const char *path, const char *root)
{
    size_t n = strlen(root);
    if (root[0] && strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == 0) && strcmp(root, "/") != 0)
        vm_json_string(f, path[n] ? path + n + 1 : ".");
    else
        vm_json_string(f, path);
}

static void put_identity(FILE *f, const vm_manifest_file *x)
{
    fprintf(f, "\"identity\": \"%llu %llu %lld %lld %lld\"", (unsigned long long)x->dev, (unsigned long long)x->ino,
            (long long)x->mtime_ns, (long long)x->ctime_ns, (long long)x->seen_ns);
}

static void put_file(FILE *f, const vm_manifest_file *x, const char *root, int output)
{
    fprintf(f, "    {\"path\": ");
    put_path(f, x->path, root);
    fprintf(f, ", \"sha256\": \"%s\", \"bytes\": %lld", x->sha256, (long long)x->size);
    if (output) {
        fprintf(f, ", \"format\": ");
        vm_json_string(f, x->format);
        fprintf(f, ", \"channels\": %d, \"layout\": ", x->channels);
        vm_json_string(f, x->layout);
        fprintf(f, ", \"rate\": %d, \"length_samples\": %lld", x->rate, (long long)x->length);
    }
    fprintf(f, ", ");
    put_identity(f, x);
    fprintf(f, "}");
}

/* A measure: a number to the bit, "-inf"/"inf" (below the gate), null
 * (not measured). */
static void put_measure(FILE *f, double v)
{
    if (isnan(v))
        fputs("null", f);
    else if (isinf(v))
        fputs(v < 0 ? "\"-inf\"" : "\"inf\"", f);
    else
        fprintf(f, "%.17g", v);
}

/* "segment": the stretch a segment render wrote, in samples and as
 * timecode (the session's, when the manifest has one), or null. */
static void put_segment(FILE *f, const vm_manifest *m)
{
    const vm_segment *g = &m->segment;
    if (!g->on) {
        fprintf(f, "  \"segment\": null,\n");
        return;
    }
    fprintf(f, "  \"segment\": {\"from_samples\": %lld, \"to_samples\": %lld, \"preroll_samples\": %lld",
            (long long)g->from, (long long)g->to, (long long)g->preroll);
    vm_fps fps;
    vm_timebase tb;
    char err[DS_ERR_LEN];
    if (m->session.rate && vm_fps_parse(m->session.fps, &fps, err) == DS_OK &&
        vm_timebase_init(&tb, m->session.rate, &fps, m->session.start, err) == DS_OK) {
        char a[64], b[64];
        vm_time_format(&tb, g->from, a, sizeof a);
        vm_time_format(&tb, g->to, b, sizeof b);
        fprintf(f, ", \"from\": ");
        vm_json_string(f, a);
        fprintf(f, ", \"to\": ");
        vm_json_string(f, b);
    }
    fprintf(f, "},\n");
}

/* options.threads_run: how the render's blocks ran (docs/threads.md), when recorded. */
static void put_threads_run(FILE *f, const vm_manifest *m)
{
    if (!m->threads_ran)
        return;
    const sched_tally *t = &m->threads_run;
    fprintf(f, "\"threads_run\": {\"threads\": %d, \"blocks_two\": %lld, \"blocks_one\": %lld, \"tries\": %d, "
               "\"tries_two\": %d, \"tries_cut\": %d, \"tries_quick\": %d, \"runs_cut\": %d, \"tries_skipped\": %d, "
               "\"runs_extended\": %d, \"last_try_ns_per_frame\": {\"one\": ",
            m->threads_ran, (long long)t->blocks[1], (long long)t->blocks[0], t->tries, t->tries_two, t->tries_cut,
            t->tries_quick, t->runs_cut, t->tries_skipped, t->runs_extended);
    vm_json_number(f, t->tries ? t->ns_per_frame[0] : NAN, 1);
    fprintf(f, ", \"two\": ");
    vm_json_number(f, t->tries ? t->ns_per_frame[1] : NAN, 1);
    fprintf(f, "}},\n              ");
}

ds_result vm_manifest_write(const vm_manifest *m, const char *path, char *err)
{
    vm_tmpfile t;
    FILE *f = vm_tmpfile_fopen(&t, path, err);
    if (!f)
        return DS_ERR_IO;
    fprintf(f, "{\n  \"dubstage_manifest\": %d,\n  \"engine\": {\"version\": ", VM_MANIFEST_VERSION);
    vm_json_string(f, m->version);
    fprintf(f, ", \"sha256\": \"%s\", \"bytes\": %lld, \"path\": ", m->engine.sha256, (long long)m->engine.size);
    vm_json_string(f, m->engine.path);
    fprintf(f, ",\n             \"compiler\": ");
    vm_json_string(f, m->compiler);
    fprintf(f, ", \"flags\": ");
    vm_json_string(f, m->flags);
    fprintf(f, ", \"simd\": ");
    vm_json_string(f, m->simd);
    fprintf(f, ", ");
    put_identity(f, &m->engine);
    fprintf(f, "},\n  \"options\": {\"block\": %d, \"threads\": %d, ", m->block, m->threads);
    put_threads_run(f, m);
    fprintf(f, "\"out_dir\": ");
    if (m->out_dir[0])
        put_path(f, m->out_dir, m->root);
    else
        fputs("null", f);
    fprintf(f, ", \"allow_paths\": %s, \"outputs\": ", m->allow_paths ? "true" : "false");
    if (m->selection)
        vm_json_string(f, m->selection);
    else
        fputs("null", f);
    fprintf(f, "},\n");
    const vm_manifest_session *se = &m->session;
    if (se->rate) {
        fprintf(f, "  \"session\": {\"rate\": %d, \"fps\": ", se->rate);
        vm_json_string(f, se->fps);
        fprintf(f, ", \"drop_frame\": %s, \"start\": ", se->drop_frame ? "true" : "false");
        vm_json_string(f, se->start);
        fprintf(f, ", \"start_samples\": %lld, \"length_samples\": %lld},\n", (long long)se->start_samples,
                (long long)se->length);
    } else {
        fprintf(f, "  \"session\": null,\n");
    }
    put_segment(f, m);
    fprintf(f, "  \"root\": ");
    vm_json_string(f, m->root);
    fprintf(f, ",\n  \"inputs\": [");
    for (int i = 0; i < m->ninputs; i++) {
        fprintf(f, "%s\n", i ? "," : "");
        put_file(f, &m->inputs[i], m->root, 0);
    }
    fprintf(f, "%s],\n  \"modules\": [", m->ninputs ? "\n  " : "");
    for (int i = 0; i < m->nmodules; i++) {
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        vm_json_string(f, m->modules[i].name);
        fprintf(f, ", \"path\": ");
        put_path(f, m->modules[i].path, m->root);
        fprintf(f, ", \"found_in\": ");
        vm_json_string(f, m->modules[i].found_in);
        fprintf(f, "}");
    }
    fprintf(f, "%s],\n  \"outputs\": [", m->nmodules ? "\n  " : "");
    for (int i = 0; i < m->noutputs; i++) {
        fprintf(f, "%s\n", i ? "," : "");
        put_file(f, &m->outputs[i], m->root, 1);
    }
    fprintf(f, "%s],\n", m->noutputs ? "\n  " : "");
    if (m->joined) {
        fprintf(f, "  \"joined\": [");
        for (int i = 0; i < m->njoined; i++) {
            fprintf(f, "%s\n", i ? "," : "");
            put_file(f, &m->joined[i], m->root, 0);
        }
        fprintf(f, "%s],\n", m->njoined ? "\n  " : "");
    }
    fprintf(f, "  \"deliverables\": ");
    if (m->ndeliverables < 0) {
        fputs("null", f);
    } else {
        fputc('[', f);
        for (int k = 0; k < m->ndeliverables; k++) {
            fprintf(f, "%s\n    {\"name\": ", k ? "," : "");
            vm_json_string(f, m->labels ? m->labels[k] : "");
            fprintf(f, ", \"measures\": {");
            for (int j = 0; j < VM_MEASURE_COUNT; j++) {
                fprintf(f, "%s\"%s\": ", j ? ", " : "", vm_measures[j].key);
                put_measure(f, m->values[k][j]);
            }
            fprintf(f, "}}");
        }
        fprintf(f, "%s]", m->ndeliverables ? "\n  " : "");
    }
    fprintf(f, "\n}\n");
    return vm_tmpfile_fcommit(&t, f, path, err);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct {
    const char *file; /* the manifest, for messages */
    const char *root;
    char *err;
} manifest_reader;

static ds_result bad(const manifest_reader *mr, const char *where, const char *what)
{
    return ds_fail(mr->err, DS_ERR_FORMAT, "'%s' is not a dubstage manifest: %s %s", mr->file, where, what);
}

/* A path member into *out (malloc'd, absolute: a relative one joined to
 * root). */
static ds_result get_path(const manifest_reader *mr, const vm_json *o, const char *where, char **out)
{
    const char *p = vm_json_get_string(o, "path");
    char joined[PATH_MAX];
    if (!p || !p[0])
        return bad(mr, where, "has no \"path\"");
    if (vm_path_join(mr->root, p, joined, sizeof joined) != 0)
        return bad(mr, where, "has a path too long");
    if (!(*out = strdup(joined)))
        return ds_fail(mr->err, DS_ERR_NOMEM, "out of memory");
    return DS_OK;
}

static void get_identity(const vm_json *o, vm_manifest_file *x)
{
    const char *id = vm_json_get_string(o, "identity");
    unsigned long long dev, ino;
    long long mt, ct, seen;
    if (id && sscanf(id, "%llu %llu %lld %lld %lld", &dev, &ino, &mt, &ct, &seen) == 5)
        x->dev = dev, x->ino = ino, x->mtime_ns = mt, x->ctime_ns = ct, x->seen_ns = seen;
    /* else: no identity, so no hash is taken on trust (seen_ns 0 is never settled) */
}

static int64_t get_int(const vm_json *o, const char *key)
{
    double v = 0;
    vm_json_get_number(o, key, &v);
    return v >= -9e15 && v <= 9e15 ? (int64_t)v : 0;
}

/* options.threads_run, read back so that a manifest written again keeps it. */
static void get_threads_run(const vm_json *r, vm_manifest *m)
{
    if (!r)
        return;
    sched_tally *t = &m->threads_run;
    m->threads_ran = (int)get_int(r, "threads");
    t->blocks[1] = get_int(r, "blocks_two");
    t->blocks[0] = get_int(r, "blocks_one");
    t->tries = (int)get_int(r, "tries");
    t->tries_two = (int)get_int(r, "tries_two");
    t->tries_cut = (int)get_int(r, "tries_cut");
    t->tries_quick = (int)get_int(r, "tries_quick");
    t->runs_cut = (int)get_int(r, "runs_cut");
    t->tries_skipped = (int)get_int(r, "tries_skipped");
    t->runs_extended = (int)get_int(r, "runs_extended");
    const vm_json *ns = vm_json_get(r, "last_try_ns_per_frame");
    vm_json_get_number(ns, "one", &t->ns_per_frame[0]);
    vm_json_get_number(ns, "two", &t->ns_per_frame[1]);
}

static void get_text(const vm_json *o, const char *key, char *out, size_t n)
{
    const char *s = vm_json_get_string(o, key);
    snprintf(out, n, "%s", s ? s : "");
}

static ds_result get_file(const manifest_reader *mr, const vm_json *o, const char *where, vm_manifest_file *x,
                          int output)
{
    ds_result r = get_path(mr, o, where, &x->path);
    if (r != DS_OK)
        return r;
    const char *h = vm_json_get_string(o, "sha256");
    if (!h || strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64)
        return bad(mr, where, "has no \"sha256\" of 64 hex digits");
    memcpy(x->sha256, h, 65);
    x->size = get_int(o, "bytes");
    get_identity(o, x);
    if (output) {
        get_text(o, "format", x->format, sizeof x->format);
        get_text(o, "layout", x->layout, sizeof x->layout);
        x->channels = (int)get_int(o, "channels");
        x->rate = (int)get_int(o, "rate");
        x->length = get_int(o, "length_samples");
    }
    return DS_OK;
}

static ds_result get_files(const manifest_reader *mr, const vm_json *doc, const char *key, vm_manifest_file **list,
                           int *n, int output)
{
    const vm_json *a = vm_json_get(doc, key);
    if (!a || a->type != VM_JSON_ARRAY)
        return bad(mr, key, "is not an array");
    *list = calloc((size_t)(a->n ? a->n : 1), sizeof **list);
    if (!*list)
        return ds_fail(mr->err, DS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < a->n; i++) {
        char where[64];
        snprintf(where, sizeof where, "%s[%d]", key, i);
        if (a->items[i].type != VM_JSON_OBJECT)
            return bad(mr, where, "is not an object");
        ds_result r = get_file(mr, &a->items[i], where, &(*list)[*n], output);
        if (r != DS_OK)
            return r;
        ++*n;
    }
    return DS_OK;
}

static double get_measure(const vm_json *v)
{
    if (v && v->type == VM_JSON_NUMBER)
        return v->number;
    if (v && v->type == VM_JSON_STRING)
        return strcmp(v->string, "-inf") == 0 ? -INFINITY : strcmp(v->string, "inf") == 0 ? INFINITY : NAN;
    return NAN;
}

static ds_result get_deliverables(const manifest_reader *mr, const vm_json *doc, vm_manifest *m)
{
    const vm_json *a = vm_json_get(doc, "deliverables");
    if (!a || a->type == VM_JSON_NULL) {
        m->ndeliverables = -1;
        return DS_OK;
    }
    if (a->type != VM_JSON_ARRAY)
        return bad(mr, "deliverables", "is not an array");
    m->values = calloc((size_t)(a->n ? a->n : 1), sizeof *m->values);
    m->labels = calloc((size_t)(a->n ? a->n : 1), sizeof *m->labels);
    if (!m->values || !m->labels)
        return ds_fail(mr->err, DS_ERR_NOMEM, "out of memory");
    for (int k = 0; k < a->n; k++) {
        const vm_json *ms = vm_json_get(&a->items[k], "measures");
        for (int j = 0; j < VM_MEASURE_COUNT; j++)
            m->values[k][j] = get_measure(vm_json_get(ms, vm_measures[j].key));
        get_text(&a->items[k], "name", m->labels[k], sizeof *m->labels);
    }
    m->ndeliverables = a->n;
    return DS_OK;
}

static ds_result read_doc(const manifest_reader *mr, const vm_json *doc, vm_manifest *m)
{
    double version = 0;
    if (!vm_json_get_number(doc, "dubstage_manifest", &version))
        return bad(mr, "its top", "has no \"dubstage_manifest\" version");
    if (version != VM_MANIFEST_VERSION)
        return ds_fail(mr->err, DS_ERR_FORMAT, "'%s' is a dubstage manifest of version %g; this dubstage reads "
                       "version %d", mr->file, version, VM_MANIFEST_VERSION);
    const vm_json *e = vm_json_get(doc, "engine");
    const char *h = vm_json_get_string(e, "sha256"), *exe = vm_json_get_string(e, "path");
    if (!h || strlen(h) != 64 || !exe || !vm_json_get_string(e, "version"))
        return bad(mr, "engine", "lacks its version, path or sha256");
    get_text(e, "version", m->version, sizeof m->version);
    memcpy(m->engine.sha256, h, 65);
    if (!(m->engine.path = strdup(exe)))
        return ds_fail(mr->err, DS_ERR_NOMEM, "out of memory");
    m->engine.size = get_int(e, "bytes");
    get_identity(e, &m->engine);
    get_text(e, "compiler", m->compiler, sizeof m->compiler);
    get_text(e, "flags", m->flags, sizeof m->flags);
    get_text(e, "simd", m->simd, sizeof m->simd);
    snprintf(m->root, sizeof m->root, "%s", mr->root);
    const vm_json *o = vm_json_get(doc, "options");
    m->block = (int)get_int(o, "block");
    m->threads = (int)get_int(o, "threads");
    get_threads_run(vm_json_get(o, "threads_run"), m);
    const char *od = vm_json_get_string(o, "out_dir");
    if (od && vm_path_join(mr->root, od, m->out_dir, sizeof m->out_dir) != 0)
        return bad(mr, "options.out_dir", "is too long");
    const vm_json *ap = vm_json_get(o, "allow_paths");
    m->allow_paths = ap && ap->type == VM_JSON_TRUE;
    const char *sel = vm_json_get_string(o, "outputs");
    if (sel && !(m->selection = strdup(sel)))
        return ds_fail(mr->err, DS_ERR_NOMEM, "out of memory");
    const vm_json *se = vm_json_get(doc, "session");
    if (se && se->type == VM_JSON_OBJECT) {
        m->session.rate = (int)get_int(se, "rate");
        get_text(se, "fps", m->session.fps, sizeof m->session.fps);
        const vm_json *df = vm_json_get(se, "drop_frame");
        m->session.drop_frame = df && df->type == VM_JSON_TRUE;
        get_text(se, "start", m->session.start, sizeof m->session.start);
        m->session.start_samples = get_int(se, "start_samples");
        m->session.length = get_int(se, "length_samples");
    }
    const vm_json *sg = vm_json_get(doc, "segment");
    if (sg && sg->type == VM_JSON_OBJECT) {
        m->segment.on = 1;
        m->segment.from = get_int(sg, "from_samples");
        m->segment.to = get_int(sg, "to_samples");
        m->segment.preroll = get_int(sg, "preroll_samples");
    }
    ds_result r = get_files(mr, doc, "inputs", &m->inputs, &m->ninputs, 0);
    if (r == DS_OK)
        r = get_files(mr, doc, "outputs", &m->outputs, &m->noutputs, 1);
    const vm_json *joined = vm_json_get(doc, "joined");
    if (r == DS_OK && joined && joined->type != VM_JSON_NULL)
        r = get_files(mr, doc, "joined", &m->joined, &m->njoined, 0);
    if (r == DS_OK)
        r = get_deliverables(mr, doc, m);
    return r;
}

ds_result vm_manifest_read(const char *path, const char *root, vm_manifest *m, char *err)
{
    memset(m, 0, sizeof *m);
    vm_json *doc = NULL;
    if (access(path, F_OK) != 0)
        return ds_fail(err, DS_ERR_IO, "no manifest at '%s'", path);
    ds_result r = vm_json_parse_file(path, &doc, err);
    if (r != DS_OK)
        return r == DS_ERR_NOMEM ? r : DS_ERR_FORMAT;
    const char *recorded = vm_json_get_string(doc, "root");
    manifest_reader mr = {.file = path, .root = root ? root : recorded ? recorded : ".", .err = err};
    if (doc->type != VM_JSON_OBJECT)
        r = bad(&mr, "its top", "is not an object");
    else
        r = read_doc(&mr, doc, m);
    vm_json_free(&doc);
    return r;
}
