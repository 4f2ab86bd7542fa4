/* join_cmd.c - `dubstage join` (join_cmd.h, docs/segments.md).
 *
 * Each segment is read with libsndfile as float: a 16- or 24-bit sample
 * read that way is exactly k / 2^(bits-1), which vm/outfile.h's rounding
 * turns back into k, so with `quantised` set (no new dither) the joined
 * file holds the segments' samples unchanged, and its header is the one a
 * whole render writes (same format, mask, description, time reference and
 * coding history): a join of segments that are bit-exact is the whole
 * render's file byte for byte. */
#include "repl/join_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "dsp/pcm.h"
#include "vm/layout.h"
#include "vm/manifest.h"
#include "vm/limits.h"
#include "vm/media.h"
#include "vm/outfile.h"
#include "vm/output_select.h"
#include "vm/path.h"
#include "vm/timecode.h"

static const char join_usage[] =
    "usage: dubstage join OUT SEG1 SEG2 ... [--fps RATE]\n"
    "  joins segment renders (dubstage render --from/--to, docs/segments.md) in order:\n"
    "  files into the file OUT, or folders into the folder OUT (each WAV file under\n"
    "  SEG1 with the files of the same name under the others). The segments must\n"
    "  follow each other exactly by their BWF time references, with one rate,\n"
    "  channel count, format (wav16, wav24, wav32f) and speaker mask.\n"
    "  --fps RATE      print times as SMPTE timecode at RATE (23.976, 24, 25, 29.97,\n"
    "                  29.97df, 30, 48, 50, 59.94, 59.94df, 60); default: h:m:s\n"
    "  Exit status 0: joined; 1: the segments do not join (a gap, an overlap, a\n"
    "  mismatch); 2: a usage error or a file that cannot be read.\n";

#define JOIN_FRAMES 4096
#define JOIN_MAX_DEPTH 16

static volatile sig_atomic_t join_stop;

static void on_join_signal(int sig)
{
    join_stop = sig;
}

typedef struct {
    int have_fps;         /* --fps given: */
    vm_fps fps;
    int drop;             /* ... as drop-frame timecode */
} join_clock;

typedef struct {
    const char *path;
    SNDFILE *sf;
    SF_INFO info;
    vm_out_format format;
    vm_layout layout;
    uint32_t mask;
    int64_t time_reference;
    int tpdf;             /* its coding history says TPDF dither */
    char description[257];
} join_input;

/* A time reference (samples since midnight) as timecode at --fps, else as
 * h:m:s.mmm; with the sample count either way. */
static void show_time(const join_clock *c, int rate, int64_t t, char *buf, size_t n)
{
    char when[64], err[DS_ERR_LEN];
    vm_timebase tb; /* starting at midnight: a position is a time reference */
    if (c->have_fps && vm_timebase_init(&tb, rate, &c->fps, c->drop ? "00:00:00;00" : "00:00:00:00", err) == DS_OK) {
        vm_time_format(&tb, t, when, sizeof when);
    } else {
        double s = (double)t / rate;
        int h = (int)(s / 3600), m = (int)(s / 60) % 60;
        snprintf(when, sizeof when, "%02d:%02d:%06.3f", h, m, s - 3600.0 * h - 60.0 * m);
    }
    snprintf(buf, n, "%s (sample %lld)", when, (long long)t);
}

static vm_layout layout_of_mask(uint32_t mask, int channels, int *known)
{
    *known = 1;
    if (mask == 0)
        return VM_LAYOUT_PLAIN;
    for (int l = VM_LAYOUT_PLAIN + 1; l < VM_LAYOUT_COUNT; l++)
        if (vm_layout_mask((vm_layout)l) == mask && vm_layout_channels((vm_layout)l) == channels)
            return (vm_layout)l;
    *known = 0;
    return VM_LAYOUT_PLAIN;
}

/* Opens one segment and reads what a join needs of it. Returns 0, or the
 * exit status after printing why: 2 when it cannot be read, 1 when it is
 * not a segment a render wrote. */
static int open_input(const char *path, join_input *in)
{
    char err[DS_ERR_LEN];
    vm_media_info mi;
    memset(in, 0, sizeof *in);
    in->path = path;
    if (vm_media_probe(path, &mi, err) != DS_OK) {
        fprintf(stderr, "dubstage: join: %s\n", err);
        return 2;
    }
    if (!(in->sf = sf_open(path, SFM_READ, &in->info))) {
        fprintf(stderr, "dubstage: join: cannot read '%s': %s\n", path, sf_strerror(NULL));
        return 2;
    }
    int major = in->info.format & SF_FORMAT_TYPEMASK, sub = in->info.format & SF_FORMAT_SUBMASK;
    int wav = major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_RF64;
    if (!wav || (sub != SF_FORMAT_PCM_16 && sub != SF_FORMAT_PCM_24 && sub != SF_FORMAT_FLOAT)) {
        fprintf(stderr, "dubstage: join: '%s' is %s: join takes the WAV files a render writes (wav16, wav24, "
                        "wav32f), whose BWF time reference places them\n", path, mi.format);
        return 1;
    }
    in->format = sub == SF_FORMAT_PCM_16 ? VM_OUT_WAV16 : sub == SF_FORMAT_PCM_24 ? VM_OUT_WAV24 : VM_OUT_WAV32F;
    SF_BROADCAST_INFO bext;
    memset(&bext, 0, sizeof bext);
    if (mi.time_reference < 0 || sf_command(in->sf, SFC_GET_BROADCAST_INFO, &bext, sizeof bext) != SF_TRUE) {
        fprintf(stderr, "dubstage: join: '%s' has no BWF time reference (bext chunk): join places the segments "
                        "by it, as a render writes it\n", path);
        return 1;
    }
    in->time_reference = mi.time_reference;
    memcpy(in->description, bext.description, sizeof bext.description);
    in->description[sizeof bext.description] = 0;
    in->tpdf = strstr(bext.coding_history, "TPDF dither") != NULL;
    in->mask = mi.channel_mask;
    int known;
    in->layout = layout_of_mask(in->mask, in->info.channels, &known);
    if (!known) {
        fprintf(stderr, "dubstage: join: '%s' has the speaker mask 0x%X, which no dubstage layout has (layouts: "
                        "%s)\n", path, (unsigned)in->mask, vm_layout_list());
        return 1;
    }
    return 0;
}

static void close_inputs(join_input *in, int n)
{
    for (int k = 0; k < n; k++)
        if (in[k].sf)
            sf_close(in[k].sf);
}

/* 0 when b can follow a (shape and place); else 1 after printing why. */
static int check_follows(const join_clock *c, const join_input *a, const join_input *b)
{
    const char *what = NULL;
    char av[64], bv[64];
    if (a->info.samplerate != b->info.samplerate) {
        what = "sample rate";
        snprintf(av, sizeof av, "%d Hz", a->info.samplerate);
        snprintf(bv, sizeof bv, "%d Hz", b->info.samplerate);
    } else if (a->info.channels != b->info.channels) {
        what = "channel count";
        snprintf(av, sizeof av, "%d", a->info.channels);
        snprintf(bv, sizeof bv, "%d", b->info.channels);
    } else if (a->format != b->format) {
        what = "format";
        snprintf(av, sizeof av, "%s", vm_out_format_name(a->format));
        snprintf(bv, sizeof bv, "%s", vm_out_format_name(b->format));
    } else if (a->mask != b->mask) {
        what = "speaker mask (layout)";
        snprintf(av, sizeof av, "0x%X", (unsigned)a->mask);
        snprintf(bv, sizeof bv, "0x%X", (unsigned)b->mask);
    }
    if (what) {
        fprintf(stderr, "dubstage: join: '%s' and '%s' differ in %s (%s, %s): segments of one output share it\n",
                a->path, b->path, what, av, bv);
        return 1;
    }
    int rate = a->info.samplerate;
    int64_t end = a->time_reference + a->info.frames;
    if (b->time_reference == end)
        return 0;
    char ends[96], starts[96];
    show_time(c, rate, end, ends, sizeof ends);
    show_time(c, rate, b->time_reference, starts, sizeof starts);
    int64_t d = b->time_reference - end;
    fprintf(stderr, "dubstage: join: '%s' ends at %s but '%s' starts at %s: %s of %lld samples (%.3f s); the "
                    "segments must follow each other exactly, in order\n", a->path, ends, b->path, starts,
            d > 0 ? "a gap" : "an overlap", (long long)(d > 0 ? d : -d), (double)(d > 0 ? d : -d) / rate);
    return 1;
}

static int find_manifest_of(const char *path, char *mname, size_t nm, char *name, size_t nn);

/* 1 when the file at path starts as a WAV file does (RIFF, RF64 or BW64,
 * then WAVE): the only kind of file a join may replace. */
static int starts_as_wav(const char *path)
{
    unsigned char head[12];
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return got == sizeof head &&
           (memcmp(head, "RIFF", 4) == 0 || memcmp(head, "RF64", 4) == 0 || memcmp(head, "BW64", 4) == 0) &&
           memcmp(head + 8, "WAVE", 4) == 0;
}

/* 1 (after printing why) when out is a file the render of segment path
 * read (its script, media, trims, modules: the inputs its manifest lists). */
static int out_is_render_input(const char *out, const struct stat *so, const char *path)
{
    char mname[PATH_MAX], name[PATH_MAX], dir[PATH_MAX], mpath[2 * PATH_MAX + 2], err[DS_ERR_LEN];
    if (find_manifest_of(path, mname, sizeof mname, name, sizeof name) != 0)
        return 0;
    vm_path_dirname(path, dir, sizeof dir);
    snprintf(mpath, sizeof mpath, "%s/%s", dir, mname);
    vm_manifest m;
    if (vm_manifest_read(mpath, NULL, &m, err) != DS_OK) {
        vm_manifest_free(&m);
        return 0;
    }
    int hit = 0;
    struct stat si;
    for (int i = 0; i < m.ninputs && !hit; i++)
        if (m.inputs[i].path && stat(m.inputs[i].path, &si) == 0 && si.st_dev == so->st_dev &&
            si.st_ino == so->st_ino) {
            fprintf(stderr, "dubstage: join: the output '%s' is '%s', %s of the render that made '%s' (%s): join "
                            "never writes over an input\n",
                    out, m.inputs[i].path, i == 0 ? "the script" : "an input", path, mpath);
            hit = 1;
        }
    vm_manifest_free(&m);
    return hit;
}

/* 1 (after printing why) when writing out would replace something that is
 * not a join's to replace: one of the segments' files, a file the renders
 * of the segments read, or any file that is not a WAV file (a script, a
 * document). A WAV file that is none of those (an earlier join's) is
 * replaced, so a join can be run again. */
static int out_is_input(const char *out, const join_input *in, int n)
{
    struct stat so, si;
    if (stat(out, &so) != 0)
        return 0;
    for (int k = 0; k < n; k++)
        if (stat(in[k].path, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
            fprintf(stderr, "dubstage: join: the output '%s' is the segment '%s': join never writes over a segment\n",
                    out, in[k].path);
            return 1;
        }
    if (!S_ISREG(so.st_mode) || !starts_as_wav(out)) {
        fprintf(stderr, "dubstage: join: '%s' exists and is not a WAV file: join replaces only a WAV file (an "
                        "earlier join's), never a script or another document\n", out);
        return 1;
    }
    for (int k = 0; k < n; k++)
        if (out_is_render_input(out, &so, in[k].path))
            return 1;
    return 0;
}

/* Every frame of in[0..n) into o, in order; planar in the caller's
 * (dubstage's) channel order, read in the file's. */
static ds_result copy_frames(vm_outfile *o, join_input *in, int n, float *buf, float **planar, char *err)
{
    int ch = in[0].info.channels, order[VM_MAX_CHANNELS];
    vm_layout_file_order(in[0].layout, ch, order);
    for (int k = 0; k < n; k++) {
        sf_count_t left = in[k].info.frames;
        while (left > 0) {
            if (join_stop)
                return ds_fail(err, DS_ERR_INTERRUPTED, "interrupted: no output was written");
            sf_count_t m = left < JOIN_FRAMES ? left : JOIN_FRAMES;
            if (sf_readf_float(in[k].sf, buf, m) != m)
                return ds_fail(err, DS_ERR_IO, "cannot read '%s': %s", in[k].path, sf_strerror(in[k].sf));
            int64_t bad = dsp_pcm_first_nonfinite(buf, (size_t)m * (size_t)ch);
            if (bad >= 0) /* a float segment edited since its render: never copied (docs/media.md) */
                return ds_fail(err, DS_ERR_FORMAT, "'%s' holds %s at frame %lld, channel %d: dubstage never "
                               "writes a NaN or an infinity", in[k].path,
                               isnan(buf[bad]) ? "a NaN" : buf[bad] > 0 ? "+infinity" : "-infinity",
                               (long long)(in[k].info.frames - left + bad / ch), (int)(bad % ch) + 1);
            for (sf_count_t i = 0; i < m; i++)
                for (int c = 0; c < ch; c++)
                    planar[order[c]][i] = buf[i * ch + c];
            ds_result r = vm_outfile_write(o, (const float *const *)planar, (int)m, err);
            if (r != DS_OK)
                return r;
            left -= m;
        }
    }
    return DS_OK;
}

/* Writes the joined file out from in[0..n) (checked), atomically. */
static int write_joined(const char *out, join_input *in, int n)
{
    char err[DS_ERR_LEN];
    int ch = in[0].info.channels;
    float *buf = malloc((size_t)JOIN_FRAMES * (size_t)ch * sizeof *buf);
    float *planar[VM_MAX_CHANNELS] = {0};
    int ok = buf != NULL;
    for (int c = 0; c < ch; c++)
        ok = ok && (planar[c] = malloc(JOIN_FRAMES * sizeof(float))) != NULL;
    vm_outfile_config cfg;
    vm_outfile_config_init(&cfg);
    cfg.path = out;
    cfg.channels = ch;
    cfg.layout = in[0].layout;
    cfg.rate = in[0].info.samplerate;
    cfg.format = in[0].format;
    cfg.dither = in[0].tpdf ? VM_DITHER_TPDF : VM_DITHER_NONE;
    cfg.quantised = 1;
    cfg.time_reference = in[0].time_reference;
    cfg.description = in[0].description;
    vm_outfile *o = NULL;
    ds_result r = ok ? vm_outfile_open(&o, &cfg, err) : ds_fail(err, DS_ERR_NOMEM, "out of memory");
    if (r == DS_OK)
        r = copy_frames(o, in, n, buf, planar, err);
    if (r == DS_OK)
        r = vm_outfile_commit(&o, err);
    vm_outfile_abort(&o);
    for (int c = 0; c < ch && buf; c++)
        free(planar[c]);
    free(buf);
    if (r != DS_OK) {
        fprintf(stderr, "dubstage: join: %s\n", err);
        return r == DS_ERR_INTERRUPTED ? 128 + (int)join_stop : 2;
    }
    return 0;
}

static void file_join_manifest(const char *out, char *const *paths, int n);

static int join_files(const join_clock *c, const char *out, char *const *paths, int n, int with_manifest)
{
    join_input *in = calloc((size_t)n, sizeof *in);
    if (!in) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 2;
    }
    int rc = 0;
    int64_t frames = 0;
    for (int k = 0; k < n && rc == 0; k++) {
        rc = open_input(paths[k], &in[k]);
        if (rc == 0 && k > 0)
            rc = check_follows(c, &in[k - 1], &in[k]);
        frames += in[k].info.frames;
    }
    if (rc == 0 && out_is_input(out, in, n))
        rc = 1;
    if (rc == 0)
        rc = write_joined(out, in, n);
    if (rc == 0) {
        char from[96];
        show_time(c, in[0].info.samplerate, in[0].time_reference, from, sizeof from);
        printf("joined %d segments into %s: %lld samples (%.2f s) from %s\n", n, out, (long long)frames,
               (double)frames / in[0].info.samplerate, from);
    }
    if (rc == 0 && with_manifest)
        file_join_manifest(out, paths, n);
    close_inputs(in, n);
    free(in);
    return rc;
}

/* ---- the manifest of a join ------------------------------------------- */

/* The outputs joined, as the segments' manifests name them
 * (vm_manifest_output_name), and the files written for them. */
typedef struct {
    const char *const *names;
    const char *const *outs;
    int n;
} join_outputs;

static int joined_index(const join_outputs *jo, const char *name)
{
    for (int j = 0; j < jo->n; j++)
        if (strcmp(jo->names[j], name) == 0)
            return j;
    return -1;
}

static int output_index(const vm_manifest *m, const char *name)
{
    for (int i = 0; i < m->noutputs; i++)
        if (strcmp(vm_manifest_output_name(m, i), name) == 0)
            return i;
    return -1;
}

/* "DX+MX": the file names without extension of m's outputs that were
 * joined, in m's order (render --output's name for them), or NULL when
 * every output was (m's own selection then stands). */
static char *joined_selection(const vm_manifest *m, const join_outputs *jo)
{
    const char **paths = calloc((size_t)m->noutputs + 1, sizeof *paths);
    int n = 0;
    for (int i = 0; paths && i < m->noutputs; i++)
        if (joined_index(jo, vm_manifest_output_name(m, i)) >= 0)
            paths[n++] = m->outputs[i].path;
    char *sel = !paths ? NULL : n < m->noutputs ? vm_output_selection_name(paths, n)
                                                : m->selection ? strdup(m->selection) : NULL;
    free(paths);
    return sel;
}

/* Turns seg[0] (the first segment's manifest) into the manifest of the
 * join: the outputs written (hashed now; their shape from the segments'
 * records, their length the sum), the segment files read (joined), the
 * stretch covered, --out the joined files' folder, no measures. why: what
 * stops it (then 1). */
static int make_join_manifest(vm_manifest *seg, char *const *folders, int n, const join_outputs *jo,
                              const char *out_dir, char *why, size_t nwhy)
{
    vm_manifest *j = &seg[0];
    char err[DS_ERR_LEN];
    vm_manifest_file *outs = calloc((size_t)jo->n, sizeof *outs);
    vm_manifest_file *seg_files = calloc((size_t)jo->n * (size_t)n, sizeof *seg_files);
    int nouts = 0, nread = 0, rc = 0;
    if (!outs || !seg_files) {
        snprintf(why, nwhy, "out of memory");
        rc = 1;
    }
    for (int i = 0; i < j->noutputs && rc == 0; i++) {
        const char *name = vm_manifest_output_name(j, i);
        int w = joined_index(jo, name);
        if (w < 0)
            continue;
        int64_t length = 0;
        for (int k = 0; k < n && rc == 0; k++) {
            int x = output_index(&seg[k], name);
            char path[2 * PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", folders[k], name);
            if (x < 0) {
                snprintf(why, nwhy, "segment %d's manifest does not list '%s'", k + 1, name);
                rc = 1;
                break;
            }
            vm_manifest_file *f = &seg_files[nread++];
            char real[PATH_MAX]; /* a manifest's paths are absolute (relative to its root when written) */
            if (vm_manifest_file_at(f, realpath(path, real) ? real : path, &seg[k].outputs[x], err) != DS_OK) {
                snprintf(why, nwhy, "%s", err);
                rc = 1;
            } else if (strcmp(f->sha256, seg[k].outputs[x].sha256) != 0) {
                snprintf(why, nwhy, "'%s' changed since it was rendered (its manifest records other contents)",
                         path);
                rc = 1;
            } else {
                length += seg[k].outputs[x].length;
            }
        }
        if (rc)
            break;
        vm_manifest_file *o = &outs[nouts++];
        char real[PATH_MAX];
        if (vm_manifest_file_at(o, realpath(jo->outs[w], real) ? real : jo->outs[w], NULL, err) != DS_OK) {
            snprintf(why, nwhy, "%s", err);
            rc = 1;
            break;
        }
        memcpy(o->format, j->outputs[i].format, sizeof o->format);
        memcpy(o->layout, j->outputs[i].layout, sizeof o->layout);
        o->channels = j->outputs[i].channels;
        o->rate = j->outputs[i].rate;
        o->length = length;
    }
    char *sel = rc == 0 ? joined_selection(j, jo) : NULL;
    for (int i = 0; i < j->noutputs; i++)
        free(j->outputs[i].path);
    free(j->outputs);
    j->outputs = outs, j->noutputs = nouts;
    j->joined = seg_files, j->njoined = nread;
    if (rc)
        return 1;
    free(j->selection);
    j->selection = sel;
    const vm_manifest *last = &seg[n - 1];
    j->segment.from = j->segment.on ? j->segment.from : 0;
    j->segment.to = last->segment.on ? last->segment.to : j->session.length;
    j->segment.on = !(j->segment.from == 0 && j->segment.to == j->session.length);
    snprintf(j->out_dir, sizeof j->out_dir, "%s", out_dir);
    free(j->values), free(j->labels);
    j->values = NULL, j->labels = NULL, j->ndeliverables = -1; /* measures are a render's of a whole script */
    return 0;
}

/* Writes the manifest of the join of jo (docs/segments.md): the segments'
 * manifests (folders[k]/mname) must record renders of the same sources,
 * following each other, and each segment file joined must hold what its
 * manifest recorded. When they do not (or a segment has none), says why
 * and writes none: the joined files stand without one. */
static void write_join_manifest(char *const *folders, int n, const char *mname, const join_outputs *jo,
                                const char *out_folder)
{
    char err[DS_ERR_LEN], why[3 * PATH_MAX] = "", out_dir[PATH_MAX], mpath[PATH_MAX + 64];
    vm_manifest *seg = calloc((size_t)n, sizeof *seg);
    int rc = seg ? 0 : 1, nread = 0;
    if (!seg)
        snprintf(why, sizeof why, "out of memory");
    for (int k = 0; k < n && rc == 0; k++) {
        char path[2 * PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", folders[k], mname);
        nread++;
        if (vm_manifest_read(path, NULL, &seg[k], err) != DS_OK) {
            snprintf(why, sizeof why, "%s", err);
            rc = 1;
        } else if (seg[k].noutputs == 0) {
            snprintf(why, sizeof why, "'%s' lists no output", path);
            rc = 1;
        } else if (k > 0 && !vm_manifest_same_sources(&seg[0], &seg[k], why, sizeof why)) {
            char what[3 * PATH_MAX];
            snprintf(what, sizeof what, "%s", why);
            snprintf(why, sizeof why, "segment %d is not a render of what segment 1 is: %.*s", k + 1, PATH_MAX,
                     what);
            rc = 1;
        } else if (k > 0 && !(seg[k - 1].segment.on && seg[k].segment.on &&
                              seg[k - 1].segment.to == seg[k].segment.from)) {
            snprintf(why, sizeof why, "segments %d and %d's manifests do not record one following the other", k,
                     k + 1);
            rc = 1;
        }
    }
    int missing;
    if (rc == 0 && vm_path_resolve(NULL, out_folder, out_dir, sizeof out_dir, &missing, err) != DS_OK) {
        snprintf(why, sizeof why, "%s", err);
        rc = 1;
    }
    if (rc == 0)
        rc = make_join_manifest(seg, folders, n, jo, out_dir, why, sizeof why);
    if (rc == 0) {
        vm_manifest_path_for(seg[0].inputs[0].path, seg[0].outputs[0].path, seg[0].selection, mpath, sizeof mpath);
        if (vm_manifest_write(&seg[0], mpath, err) != DS_OK) {
            snprintf(why, sizeof why, "%s", err);
            rc = 1;
        }
    }
    if (rc == 0)
        printf("manifest %s\n", mpath);
    else
        fprintf(stderr, "dubstage: join: warning: no manifest for the joined files: %s\n", why);
    for (int k = 0; k < nread; k++)
        vm_manifest_free(&seg[k]);
    free(seg);
}

/* The manifest beside the segment file path that lists it, by its name
 * there (a manifest names its outputs under its folder); into mname (its
 * file name) and name (the output's name). 0 when found. */
static int find_manifest_of(const char *path, char *mname, size_t nm, char *name, size_t nn)
{
    char dir[PATH_MAX], real[PATH_MAX], err[DS_ERR_LEN];
    vm_path_dirname(path, dir, sizeof dir);
    if (!realpath(path, real))
        return 1;
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 14 || strcmp(e->d_name + len - 14, ".manifest.json") != 0)
            continue;
        char mpath[2 * PATH_MAX], at[3 * PATH_MAX], at_real[PATH_MAX];
        snprintf(mpath, sizeof mpath, "%s/%s", dir, e->d_name);
        vm_manifest m;
        if (vm_manifest_read(mpath, NULL, &m, err) == DS_OK) {
            for (int i = 0; i < m.noutputs && !found; i++) {
                snprintf(at, sizeof at, "%s/%s", dir, vm_manifest_output_name(&m, i));
                if (realpath(at, at_real) && strcmp(at_real, real) == 0) {
                    snprintf(mname, nm, "%s", e->d_name);
                    snprintf(name, nn, "%s", vm_manifest_output_name(&m, i));
                    found = 1;
                }
            }
        }
        vm_manifest_free(&m);
    }
    if (d)
        closedir(d);
    return !found;
}

/* The manifest of a join of files (repl_join's), when the first segment's
 * manifest is found beside it and the joined file has its name. */
static void file_join_manifest(const char *out, char *const *paths, int n)
{
    char mname[PATH_MAX], name[PATH_MAX], outdir[PATH_MAX];
    char **folders = calloc((size_t)n, sizeof *folders);
    if (!folders)
        return;
    if (find_manifest_of(paths[0], mname, sizeof mname, name, sizeof name) != 0) {
        fprintf(stderr, "dubstage: join: warning: no manifest for the joined file: no manifest beside '%s' lists "
                        "it\n", paths[0]);
    } else if (strcmp(vm_path_basename(name), vm_path_basename(out)) != 0) {
        fprintf(stderr, "dubstage: join: warning: no manifest for the joined file: '%s' is not named as its "
                        "segments' output '%s' (a manifest records a render's own names)\n", out, name);
    } else {
        int ok = 1;
        for (int k = 0; k < n && ok; k++) {
            char dir[PATH_MAX];
            vm_path_dirname(paths[k], dir, sizeof dir);
            ok = (folders[k] = strdup(dir)) != NULL;
        }
        const char *names[1] = {name}, *outs[1] = {out};
        join_outputs jo = {names, outs, 1};
        vm_path_dirname(out, outdir, sizeof outdir);
        if (ok)
            write_join_manifest(folders, n, mname, &jo, outdir);
    }
    for (int k = 0; k < n; k++)
        free(folders[k]);
    free(folders);
}

/* The manifests of a join of folders: one for each manifest at the top of
 * the first segment folder, listing the outputs of its that were joined
 * (names: the joined files, under each folder). */
static void folder_join_manifests(const char *out, char *const *dirs, int n, char *const *names, int nnames)
{
    DIR *d = opendir(dirs[0]);
    int any = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 14 || strcmp(e->d_name + len - 14, ".manifest.json") != 0)
            continue;
        char mpath[2 * PATH_MAX], err[DS_ERR_LEN];
        snprintf(mpath, sizeof mpath, "%s/%s", dirs[0], e->d_name);
        vm_manifest m;
        any = 1;
        if (vm_manifest_read(mpath, NULL, &m, err) != DS_OK) {
            fprintf(stderr, "dubstage: join: warning: no manifest for the files of '%s': %s\n", mpath, err);
        } else {
            const char **jn = calloc((size_t)m.noutputs + 1, sizeof *jn), **jout = calloc((size_t)m.noutputs + 1,
                                                                                           sizeof *jout);
            int nj = 0;
            for (int i = 0; jn && jout && i < m.noutputs; i++) {
                const char *name = vm_manifest_output_name(&m, i);
                for (int k = 0; k < nnames; k++)
                    if (strcmp(names[k], name) == 0) {
                        size_t sz = strlen(out) + strlen(name) + 2;
                        char *o = malloc(sz);
                        if (o)
                            snprintf(o, sz, "%s/%s", out, name);
                        jn[nj] = names[k], jout[nj++] = o;
                    }
            }
            join_outputs jo = {jn, jout, nj};
            if (nj)
                write_join_manifest(dirs, n, e->d_name, &jo, out);
            for (int k = 0; k < nj; k++)
                free((char *)jout[k]);
            free(jn), free(jout);
        }
        vm_manifest_free(&m);
    }
    if (d)
        closedir(d);
    if (!any)
        fprintf(stderr, "dubstage: join: warning: no manifest for the joined files: '%s' holds none\n", dirs[0]);
}

/* ---- folders ------------------------------------------------------------ */

typedef struct {
    char **names;         /* paths inside the folder, sorted */
    int n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}

static int is_wav_name(const char *name)
{
    size_t len = strlen(name);
    return len > 4 && strcasecmp(name + len - 4, ".wav") == 0;
}

/* The WAV files under root/rel (hidden names skipped: a render's
 * temporary files are hidden) into l. -1 when out of memory. */
static int list_wavs(const char *root, const char *rel, int depth, name_list *l)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/%s", root, rel) >= (int)sizeof dir || depth > JOIN_MAX_DEPTH)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        char sub[PATH_MAX], full[PATH_MAX];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >= (int)sizeof sub ||
            snprintf(full, sizeof full, "%s/%s", root, sub) >= (int)sizeof full || stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = list_wavs(root, sub, depth + 1, l);
        } else if (S_ISREG(st.st_mode) && is_wav_name(e->d_name)) {
            if (l->n == l->cap) {
                int cap = l->cap ? 2 * l->cap : 16;
                char **grown = realloc(l->names, (size_t)cap * sizeof *grown);
                if (!grown) {
                    rc = -1;
                    break;
                }
                l->names = grown, l->cap = cap;
            }
            if (!(l->names[l->n] = strdup(sub)))
                rc = -1;
            else
                l->n++;
        }
    }
    closedir(d);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted WAV files of folder into l; 0, or the exit status after
 * printing why. */
static int folder_wavs(const char *folder, name_list *l)
{
    if (list_wavs(folder, "", 0, l) != 0) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 2;
    }
    qsort(l->names, (size_t)l->n, sizeof *l->names, by_name);
    return 0;
}

/* 0 when b holds the same files as a; else 1 after naming one that is in
 * only one of them. */
static int same_names(const char *fa, const name_list *a, const char *fb, const name_list *b)
{
    for (int i = 0, j = 0; i < a->n || j < b->n;) {
        int cmp = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->names[i], b->names[j]);
        if (cmp != 0) {
            const char *name = cmp < 0 ? a->names[i] : b->names[j];
            fprintf(stderr, "dubstage: join: '%s/%s' has no match in '%s': every segment folder must hold the same "
                            "outputs\n", cmp < 0 ? fa : fb, name, cmp < 0 ? fb : fa);
            return 1;
        }
        i++, j++;
    }
    return 0;
}

static int join_folders(const join_clock *c, const char *out, char *const *dirs, int n)
{
    name_list first = {0}, other = {0};
    int rc = folder_wavs(dirs[0], &first);
    if (rc == 0 && first.n == 0) {
        fprintf(stderr, "dubstage: join: '%s' holds no WAV file to join\n", dirs[0]);
        rc = 1;
    }
    for (int k = 1; k < n && rc == 0; k++) {
        rc = folder_wavs(dirs[k], &other);
        if (rc == 0)
            rc = same_names(dirs[0], &first, dirs[k], &other);
        names_free(&other);
    }
    char **paths = rc == 0 ? calloc((size_t)n, sizeof *paths) : NULL;
    if (rc == 0 && !paths) {
        fprintf(stderr, "dubstage: out of memory\n");
        rc = 2;
    }
    for (int i = 0; i < first.n && rc == 0; i++) {
        char target[PATH_MAX], dir[PATH_MAX], err[DS_ERR_LEN];
        for (int k = 0; k < n && rc == 0; k++) {
            size_t len = strlen(dirs[k]) + strlen(first.names[i]) + 2;
            if (!(paths[k] = malloc(len)))
                rc = 2;
            else
                snprintf(paths[k], len, "%s/%s", dirs[k], first.names[i]);
        }
        snprintf(target, sizeof target, "%s/%s", out, first.names[i]);
        vm_path_dirname(target, dir, sizeof dir);
        if (rc == 0 && vm_path_mkdirs(dir, err) != DS_OK) {
            fprintf(stderr, "dubstage: join: %s\n", err);
            rc = 2;
        }
        if (rc == 0)
            rc = join_files(c, target, paths, n, 0);
        for (int k = 0; k < n; k++) {
            free(paths[k]);
            paths[k] = NULL;
        }
    }
    free(paths);
    if (rc == 0)
        folder_join_manifests(out, dirs, n, first.names, first.n);
    names_free(&first);
    return rc;
}

/* ---- the command -------------------------------------------------------- */

static int join_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dubstage: join: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", join_usage);
    return 2;
}

int repl_join(int argc, char **argv)
{
    char **words = calloc((size_t)argc + 1, sizeof *words);
    int nwords = 0, options = 1;
    const char *fps = NULL;
    if (!words) {
        fprintf(stderr, "dubstage: out of memory\n");
        return 2;
    }
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (options && strcmp(s, "--") == 0) {
            options = 0;
        } else if (options && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)) {
            fputs(join_usage, stdout);
            free(words);
            return 0;
        } else if (options && strcmp(s, "--fps") == 0) {
            if (i + 1 >= argc) {
                free(words);
                return join_usage_error("%s needs a frame rate, such as --fps 24", s);
            }
            fps = argv[++i];
        } else if (options && s[0] == '-' && s[1] == '-') {
            free(words);
            return join_usage_error("unknown option %s", s);
        } else {
            words[nwords++] = argv[i];
        }
    }
    join_clock clock = {0};
    char err[DS_ERR_LEN];
    int rc = 0;
    if (nwords < 3)
        rc = join_usage_error("%s", nwords == 0 ? "give the output and at least two segments"
                                                 : "give at least two segments after the output");
    if (rc == 0 && fps) {
        vm_timebase tb;
        clock.drop = strstr(fps, "df") != NULL && strstr(fps, "ndf") == NULL;
        if (vm_fps_parse(fps, &clock.fps, err) != DS_OK ||
            vm_timebase_init(&tb, 48000, &clock.fps, clock.drop ? "00:00:00;00" : "00:00:00:00", err) != DS_OK)
            rc = join_usage_error("--fps: %s", err);
        clock.have_fps = rc == 0;
    }
    struct stat st;
    int folders = rc == 0 && stat(words[1], &st) == 0 && S_ISDIR(st.st_mode);
    for (int k = 1; k < nwords && rc == 0; k++) {
        if (stat(words[k], &st) != 0) {
            fprintf(stderr, "dubstage: join: cannot read '%s': %s\n", words[k], strerror(errno));
            rc = 2;
        } else if ((S_ISDIR(st.st_mode) != 0) != folders) {
            fprintf(stderr, "dubstage: join: '%s' is %s but '%s' is %s: give segment files, or segment folders\n",
                    words[1], folders ? "a folder" : "a file", words[k], folders ? "not" : "a folder");
            rc = 2;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_join_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (rc == 0)
        rc = folders ? join_folders(&clock, words[0], words + 1, nwords - 1)
                     : join_files(&clock, words[0], words + 1, nwords - 1, 1);
    free(words);
    return rc;
}
