/* plan_cmd.c - `dubstage plan` (repl/plan_cmd.h, docs/cluster.md).
 *
 * dubstage hands its work to the batch engines a facility already runs
 * rather than growing a scheduler: a project (vm/project.h) becomes one
 * job per script, each `dubstage render SCRIPT` writing all the script's
 * outputs and its manifest (docs/manifest.md), or one job per deliverable
 * the project names in a script, `dubstage render SCRIPT --output NAME...`
 * writing those outputs and a manifest of its own. A job is run as
 *
 *     dubstage plan --fresh SCRIPT [--output NAME] || dubstage render --quiet SCRIPT [--output NAME]
 *
 * so a job whose manifest records a render of exactly these inputs (by
 * their contents: script, modules, media, trims, markers, and the engine)
 * with its outputs intact renders nothing; the test is `dubstage check`'s
 * (vm_manifest_compare). Renders write through temporary files renamed
 * into place, so a job killed and run again leaves no half file.
 *
 * Every script is run (as render would run it) to learn what it reads and
 * writes, so the plan refuses jobs that are not independent: two jobs
 * writing one file, or one job reading another's output. */
#include "repl/plan_cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl/lib_env.h"
#include "vm/desc.h"
#include "vm/manifest.h"
#include "vm/output_select.h"
#include "vm/path.h"
#include "vm/project.h"
#include "vm/script.h"
#include "vm/segment.h"
#include "vm/suggest.h"

#ifndef DS_VERSION
#define DS_VERSION "dev"
#endif

#define PLAN_MAX_PATH_MAPS 16
/* slurm.conf's MaxArraySize when not set: array indices 0 to 1000 */
#define SLURM_DEFAULT_MAX_ARRAY_SIZE 1001
/* --segments: at most this many a job */
#define PLAN_MAX_SEGMENTS 64
/* where a split job's segments go, under the folder of its outputs */
#define PLAN_SEGMENTS_DIR ".segments"

static const char plan_usage[] =
    "usage: dubstage plan PROJECT [--make | --parallel | --slurm] [options]\n"
    "       dubstage plan --fresh SCRIPT [--lib DIR ...] [--out DIR] [--output NAME ...]\n"
    "  PROJECT is a project file (reel \"r1\" { \"reel1/pm.lua\", ... }), a plain list (a reel a\n"
    "  line: r1 reel1/pm.lua reel1/stems.lua; a name not ending in .lua) or a folder of\n"
    "  reels (docs/cluster.md). A job is `dubstage render` of one script, or of one\n"
    "  deliverable's outputs of it (reel \"r1\" { { \"reel1.lua\", pm = \"PM\", me = \"ME\" } }).\n"
    "  Without an emitter: each job's inputs, outputs, manifest and whether it is up\n"
    "  to date (its manifest records these inputs, by content, and its outputs).\n"
    "  --make          print a Makefile: `make -j2 -f FILE` renders the jobs not up to date\n"
    "  --parallel      print a GNU parallel job file (a command a line): parallel -j2 < FILE\n"
    "  --slurm         print a Slurm job array script: sbatch FILE\n"
    "  --path-map OLD=NEW  write paths under the folder OLD as under NEW in job files\n"
    "                  (the cluster's view of shared storage); repeatable, the first match wins\n"
    "  --dubstage PATH the dubstage the jobs run (default: this one, path-mapped)\n"
    "  --threads N     each job's render --threads, 1 or 2 (default 1: the engine runs\n"
    "                  the jobs side by side); --slurm asks for N CPUs a task\n"
    "  --log-dir DIR   --slurm: where each task's log goes (default: the project's folder)\n"
    "  --lib DIR       a library folder for every job, after the project's lib folders\n"
    "  --segments N    --make, --slurm: split each job in time into N segments (render --from --to\n"
    "                  --out OUTDIR/.segments/JOB/K), joined by `dubstage join` into its\n"
    "                  outputs when all are done (docs/segments.md); 2 to 64\n"
    "  --preroll S     with --segments: each segment's pre-roll (default: render's, twice the\n"
    "                  longest memory of the graph)\n"
    "  --fresh SCRIPT  exit 0 when SCRIPT's last render (its manifest) is up to date,\n"
    "                  1 when it must render (saying why): what each job runs first;\n"
    "                  with --out DIR and --output NAME as the render was given them\n"
    "                  (a join's manifest counts as a render: docs/segments.md)\n";

typedef struct {
    const char *from, *to;
} path_map;

typedef struct {
    const char *project, *fresh;
    enum { EMIT_LIST, EMIT_MAKE, EMIT_PARALLEL, EMIT_SLURM } emit;
    path_map maps[PLAN_MAX_PATH_MAPS];
    int nmaps;
    const char *dubstage, *log_dir;
    const char *out_dir;   /* --fresh's --out */
    const char **outputs;  /* --fresh's --output NAME..., room for argc */
    int noutputs;
    int threads;
    int segments;          /* --segments N: 0 for none */
    const char *preroll;   /* --preroll S with --segments, or NULL */
    const char **libs; /* --lib, room for argc */
    int nlibs;
} plan_args;

/* A job with what its script reads and writes. */
typedef struct {
    const vm_project_job *job;
    vm_desc d;
    char (*outputs)[PATH_MAX]; /* absolute, as render will write them, and the manifest last */
    int noutputs;              /* the outputs and the manifest */
    char (*script_outputs)[PATH_MAX]; /* a deliverable's job: every output of its script, absolute */
    int nscript_outputs;
    char out_dir[PATH_MAX];    /* --segments: the folder of its outputs, where they are joined */
    int64_t length;            /* --segments: the session's length, samples */
} plan_job;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dubstage plan: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nrun 'dubstage plan --help' for usage\n");
    return 2;
}

static int parse_plan_args(int argc, char **argv, plan_args *a)
{
    static const char *const options[] = {"--make",  "--parallel", "--slurm", "--path-map", "--dubstage",
                                          "--threads", "--log-dir", "--lib",   "--fresh",    "--help",
                                          "--out",   "--output",   "--segments", "--preroll", NULL};
    memset(a, 0, sizeof *a);
    a->threads = 1;
    if (!(a->libs = calloc((size_t)argc + 1, sizeof *a->libs)) ||
        !(a->outputs = calloc((size_t)argc + 1, sizeof *a->outputs))) {
        fprintf(stderr, "dubstage plan: out of memory\n");
        return 1;
    }
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--make") == 0 || strcmp(s, "--parallel") == 0 || strcmp(s, "--slurm") == 0) {
            if (a->emit != EMIT_LIST)
                return usage_error("give one of --make, --parallel and --slurm (%s is the second)", s);
            a->emit = s[2] == 'm' ? EMIT_MAKE : s[2] == 'p' ? EMIT_PARALLEL : EMIT_SLURM;
            continue;
        }
        if (strcmp(s, "--path-map") == 0 || strcmp(s, "--dubstage") == 0 || strcmp(s, "--threads") == 0 ||
            strcmp(s, "--log-dir") == 0 || strcmp(s, "--lib") == 0 || strcmp(s, "--fresh") == 0 ||
            strcmp(s, "--out") == 0 || strcmp(s, "--output") == 0 || strcmp(s, "--segments") == 0 ||
            strcmp(s, "--preroll") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return usage_error("option %s needs a value", s);
            const char *v = argv[++i];
            if (strcmp(s, "--out") == 0) {
                a->out_dir = v;
            } else if (strcmp(s, "--segments") == 0) {
                char *end;
                long n = strtol(v, &end, 10);
                if (end == v || *end || n < 2 || n > PLAN_MAX_SEGMENTS)
                    return usage_error("--segments takes a count from 2 to 64 (got '%s')", v);
                a->segments = (int)n;
            } else if (strcmp(s, "--preroll") == 0) {
                char *end;
                double sec = strtod(v, &end);
                if (end == v || *end || !(sec >= 0 && sec <= VM_SEGMENT_MAX_PREROLL_S))
                    return usage_error("--preroll takes seconds from 0 to 3600, such as 5 (got '%s')", v);
                a->preroll = v;
            } else if (strcmp(s, "--output") == 0) {
                a->outputs[a->noutputs++] = v;
            } else if (strcmp(s, "--path-map") == 0) {
                char *eq = strchr(v, '=');
                if (!eq || v[0] != '/' || eq[1] != '/')
                    return usage_error("--path-map takes two absolute folders, OLD=NEW, such as "
                                       "/home/mix/film=/mnt/film (got '%s')", v);
                if (a->nmaps >= PLAN_MAX_PATH_MAPS)
                    return usage_error("at most 16 --path-map options (the 17th is '%s')", v);
                *eq = 0; /* argv's own text: OLD and NEW */
                a->maps[a->nmaps++] = (path_map){.from = v, .to = eq + 1};
            } else if (strcmp(s, "--threads") == 0) {
                if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0)
                    return usage_error("--threads must be 1 or 2 (got '%s')", v);
                a->threads = v[0] - '0';
            } else if (strcmp(s, "--lib") == 0) {
                if (a->nlibs >= VM_PROJECT_MAX_LIBS)
                    return usage_error("at most 16 --lib folders (the 17th is '%s')", v);
                a->libs[a->nlibs++] = v;
            } else {
                *(s[2] == 'd' ? &a->dubstage : s[2] == 'l' ? &a->log_dir : &a->fresh) = v;
            }
            continue;
        }
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            fputs(plan_usage, stdout);
            exit(0);
        }
        if (s[0] == '-' && s[1] == '-') {
            const char *near = vm_suggest(s, options, (int)(sizeof options / sizeof options[0]) - 1);
            if (near) {
                fprintf(stderr, "dubstage plan: unknown option %s; did you mean %s?\n", s, near);
                return 2;
            }
            return usage_error("unknown option %s", s);
        }
        if (a->project)
            return usage_error("unexpected argument '%s' (one project at a time)", s);
        a->project = s;
    }
    if (a->fresh && (a->project || a->emit != EMIT_LIST))
        return usage_error("--fresh takes a script and nothing else but --lib, --out and --output (got '%s' too)",
                           a->project ? a->project : "an emitter");
    if (!a->fresh && !a->project)
        return usage_error("%s", "plan needs a project: dubstage plan feature.lua (docs/cluster.md)");
    if (a->log_dir && a->emit != EMIT_SLURM)
        return usage_error("%s", "--log-dir is an option of --slurm");
    if (a->segments && (a->fresh || a->emit == EMIT_PARALLEL))
        return usage_error("%s", "--segments is for the job list, --make and --slurm: a job's join must wait "
                                 "for its segments, which GNU parallel's lines cannot say (run them, then "
                                 "`dubstage join`: docs/segments.md)");
    if (a->preroll && !a->segments)
        return usage_error("%s", "--preroll is an option of --segments");
    if ((a->out_dir || a->noutputs) && !a->fresh)
        return usage_error("%s", "--out and --output are options of --fresh (the jobs render where their scripts say)");
    return 0;
}

/* The script options render would run a job's script with: the standard
 * library, the project's lib folders, --lib's, then DUBSTAGE_LIB's. libs
 * must have room for all of them (lib_room). */
static size_t lib_room(const vm_project *p, const plan_args *a)
{
    return (size_t)(p ? p->nlibs : 0) + (size_t)a->nlibs + repl_lib_env_room() + 1;
}

static int script_opts(vm_script_opts *so, vm_script_lib *libs, const vm_project *p, const plan_args *a,
                       const char *stdlib_dir)
{
    int n = 0;
    for (int i = 0; p && i < p->nlibs; i++)
        libs[n++] = (vm_script_lib){.dir = p->libs[i], .origin = "--lib"};
    for (int i = 0; i < a->nlibs; i++)
        libs[n++] = (vm_script_lib){.dir = a->libs[i], .origin = "--lib"};
    if (repl_lib_env(libs, &n) != 0)
        return -1;
    *so = (vm_script_opts){.stdlib_dir = stdlib_dir, .libs = libs, .nlibs = n};
    return 0;
}

/* ---- --fresh SCRIPT ------------------------------------------------------ */

/* Whether d's last render stands (of its selected outputs, when
 * vm_output_select chose some); said on stdout either way. 0: it does,
 * 1: it must render, or an error. */
static int fresh_state(const vm_desc *d, const char *out_dir, const char *shown, int quiet, char *why, size_t n)
{
    char err[DS_ERR_LEN], mpath[PATH_MAX + 32];
    vm_manifest now, disk;
    int have, fresh;
    vm_manifest_path(d, mpath, sizeof mpath);
    snprintf(why, n, "not rendered yet (no manifest '%s')", mpath);
    if (access(mpath, F_OK) != 0) { /* nothing to compare with: hash nothing */
        if (!quiet)
            printf("%s: to render: %s\n", shown, why);
        return 1;
    }
    if (vm_manifest_compare(&now, &disk, &have, &fresh, d, mpath, "/proc/self/exe", DS_VERSION, out_dir, 0, why, n,
                            err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        fresh = 0;
        snprintf(why, n, "%s", err);
    } else if (fresh && vm_manifest_reuse(&now, &disk, mpath, err) != DS_OK) {
        fprintf(stderr, "dubstage: warning: %s\n", err);
    }
    vm_manifest_free(&now);
    vm_manifest_free(&disk);
    if (!quiet) {
        if (fresh)
            printf("%s: up to date (its manifest records these inputs and engine, and its outputs are intact)\n",
                   shown);
        else
            printf("%s: to render: %s\n", shown, why);
    }
    return fresh ? 0 : 1;
}

static int plan_fresh(const plan_args *a, const char *stdlib_dir)
{
    char err[DS_ERR_LEN], why[PATH_MAX + 128];
    vm_script_lib *libs = calloc(lib_room(NULL, a), sizeof *libs);
    vm_script_opts so;
    vm_desc d;
    if (!libs || script_opts(&so, libs, NULL, a, stdlib_dir) != 0) {
        free(libs);
        fprintf(stderr, "dubstage plan: out of memory\n");
        return 1;
    }
    int rc = 1;
    so.out_dir = a->out_dir;
    if (vm_script_load(a->fresh, &so, &d, err) != DS_OK)
        fprintf(stderr, "dubstage: %s\n", err);
    else if (a->noutputs && vm_output_select(&d, a->outputs, a->noutputs, err) != DS_OK)
        fprintf(stderr, "dubstage: %s\n", err), rc = 2;
    else {
        /* a deliverable's job says which: "reel.lua --output DX+MX" */
        char shown[PATH_MAX + 64];
        snprintf(shown, sizeof shown, "%s%s%s", a->fresh, d.output_selection ? " --output " : "",
                 d.output_selection ? d.output_selection : "");
        rc = fresh_state(&d, a->out_dir, shown, 0, why, sizeof why);
    }
    vm_desc_free(&d);
    free(libs);
    return rc;
}

/* ---- the jobs ------------------------------------------------------------ */

/* The outputs of d as render will write them, absolute, into a new array
 * (*paths, *n); extra: room for more after them. */
static int resolved_outputs(const vm_desc *d, int extra, char (**paths)[PATH_MAX], int *n, const char *job)
{
    char err[DS_ERR_LEN];
    *n = 0;
    if (!(*paths = calloc((size_t)(d->noutputs + extra), sizeof **paths))) {
        fprintf(stderr, "dubstage plan: out of memory\n");
        return 1;
    }
    for (int i = 0; i < d->noutputs; i++) {
        int missing;
        if (vm_path_resolve(NULL, d->outputs[i].path, (*paths)[i], PATH_MAX, &missing, err) != DS_OK) {
            fprintf(stderr, "dubstage: %s (job %s)\n", err, job);
            return 1;
        }
        ++*n;
    }
    return 0;
}

/* Loads every job's script and records what it writes; a deliverable's
 * job keeps only its outputs (render --output), after noting all of its
 * script's. Scripts that write nothing (modules beside the reels' scripts
 * in a folder project) are no jobs: said, and left out of *njobs. */
static int load_jobs(const vm_project *p, const vm_script_opts *so, plan_job *jobs, int *njobs)
{
    char err[DS_ERR_LEN];
    *njobs = 0;
    for (int k = 0; k < p->njobs; k++) {
        plan_job *j = &jobs[*njobs];
        j->job = &p->jobs[k];
        if (vm_script_load(j->job->script, so, &j->d, err) != DS_OK) {
            fprintf(stderr, "dubstage: %s\n  (job %s, listed at %s)\n", err, j->job->name, j->job->where);
            vm_desc_free(&j->d);
            return 1;
        }
        if (j->d.noutputs == 0) {
            char shown[PATH_MAX];
            vm_path_shown(j->job->script, shown, sizeof shown);
            fprintf(stderr, "dubstage plan: %s writes no output: not a job (a module?)\n", shown);
            vm_desc_free(&j->d);
            continue;
        }
        ++*njobs;
        if (j->job->noutputs) {
            if (resolved_outputs(&j->d, 0, &j->script_outputs, &j->nscript_outputs, j->job->name) != 0)
                return 1;
            if (vm_output_select(&j->d, (const char *const *)j->job->outputs, j->job->noutputs, err) != DS_OK) {
                fprintf(stderr, "dubstage: %s\n  (deliverable %s, listed at %s)\n", err, j->job->name,
                        j->job->where);
                return 1;
            }
        }
        char mpath[PATH_MAX + 32];
        int missing;
        if (resolved_outputs(&j->d, 1, &j->outputs, &j->noutputs, j->job->name) != 0)
            return 1;
        vm_manifest_path(&j->d, mpath, sizeof mpath);
        if (vm_path_resolve(NULL, mpath, j->outputs[j->noutputs], PATH_MAX, &missing, err) != DS_OK) {
            fprintf(stderr, "dubstage: %s (job %s)\n", err, j->job->name);
            return 1;
        }
        j->noutputs++;
    }
    if (*njobs == 0) {
        fprintf(stderr, "dubstage plan: %s: no script of the project writes an output\n", p->path);
        return 1;
    }
    return 0;
}

/* A script split into deliverables whose outputs some deliverable leaves
 * out: no job writes those. Said (a warning: leaving a file out may be
 * meant), once, from the script's first job. */
static void warn_unrendered(const plan_job *jobs, int njobs)
{
    char shown[PATH_MAX], script[PATH_MAX];
    for (int a = 0; a < njobs; a++) {
        int first = 1;
        for (int b = 0; b < a && first; b++)
            first = strcmp(jobs[b].job->script, jobs[a].job->script) != 0;
        for (int i = 0; first && i < jobs[a].nscript_outputs; i++) {
            const char *out = jobs[a].script_outputs[i];
            int written = 0;
            for (int b = a; b < njobs && !written; b++)
                for (int k = 0; k + 1 < jobs[b].noutputs && !written; k++) /* the last is the manifest */
                    written = strcmp(jobs[b].job->script, jobs[a].job->script) == 0 &&
                              strcmp(jobs[b].outputs[k], out) == 0;
            if (!written) {
                vm_path_shown(out, shown, sizeof shown);
                vm_path_shown(jobs[a].job->script, script, sizeof script);
                fprintf(stderr, "dubstage plan: warning: %s writes '%s', which none of its deliverables names "
                                "(%s): no job renders it\n", script, shown, jobs[a].job->where);
            }
        }
    }
}

/* --segments: each job's outputs must be joinable (WAV, none normalised:
 * dubstage join's and a segment render's terms) and in one folder (the
 * joined folder); that folder and the session's length into the job. */
static int prepare_segments(plan_job *jobs, int njobs, int segments)
{
    for (int k = 0; k < njobs; k++) {
        plan_job *j = &jobs[k];
        const char *why = NULL, *which = NULL;
        for (int i = 0; i < j->d.noutputs && !why; i++) {
            char dir[PATH_MAX];
            const vm_output_desc *o = &j->d.outputs[i];
            which = o->declared ? o->declared : o->path;
            vm_path_dirname(j->outputs[i], dir, sizeof dir);
            if (o->format != VM_OUT_WAV16 && o->format != VM_OUT_WAV24 && o->format != VM_OUT_WAV32F)
                why = "is not a WAV file (dubstage join joins WAV files)";
            else if (o->normalize.on)
                why = "is normalised (its gain is measured over the whole programme)";
            else if (i > 0 && strcmp(dir, j->out_dir) != 0)
                why = "is in another folder than the job's first output (the segments are joined into one folder)";
            else
                snprintf(j->out_dir, sizeof j->out_dir, "%s", dir);
        }
        j->length = vm_desc_length(&j->d);
        if (!why && j->length < segments)
            why = "is shorter than one sample a segment (the session is too short to split)";
        if (why) {
            fprintf(stderr, "dubstage plan: --segments: job %s (%s): its output '%s' %s; render it whole: "
                            "make it a job of a project without --segments\n", j->job->name, j->job->where,
                    which ? which : "?", why);
            return 1;
        }
    }
    return 0;
}

/* Independent jobs only: no file written by two jobs (make -j would race
 * them), none read by one job and written by another (an order the engines
 * would have to know). Quadratic in the files, bounded by the project's
 * limits; a feature has a few hundred. */
static int check_independent(const plan_job *jobs, int njobs)
{
    for (int a = 0; a < njobs; a++)
        for (int i = 0; i < jobs[a].noutputs; i++)
            for (int b = 0; b < njobs; b++) {
                for (int k = 0; b > a && k < jobs[b].noutputs; k++)
                    if (strcmp(jobs[a].outputs[i], jobs[b].outputs[k]) == 0) {
                        fprintf(stderr, "dubstage plan: jobs %s (%s) and %s (%s) both write '%s': %s\n",
                                jobs[a].job->name, jobs[a].job->where, jobs[b].job->name, jobs[b].job->where,
                                jobs[a].outputs[i],
                                strcmp(jobs[a].job->script, jobs[b].job->script) == 0
                                    ? "name each output in one deliverable only"
                                    : "give one of them another output name");
                        return 1;
                    }
                for (int k = 0; b != a && k < jobs[b].d.ninputs; k++)
                    if (strcmp(jobs[a].outputs[i], jobs[b].d.inputs[k]) == 0) {
                        fprintf(stderr, "dubstage plan: job %s reads '%s', which job %s writes: jobs must be "
                                        "independent (make one script write both, or read the source "
                                        "material)\n", jobs[b].job->name, jobs[a].outputs[i], jobs[a].job->name);
                        return 1;
                    }
            }
    return 0;
}

/* What an input of d is, for the list: "script", "module", "trims",
 * "markers", or "media" (clip sources, impulse responses, files read with
 * io.open). found_in: the module's folder of the search path. */
static const char *input_kind(const vm_desc *d, int i, const char **found_in)
{
    char real[PATH_MAX];
    *found_in = NULL;
    if (i == 0)
        return "script";
    for (int m = 0; m < d->nmodules; m++)
        if (realpath(d->modules[m].path, real) && strcmp(real, d->inputs[i]) == 0) {
            *found_in = d->modules[m].found_in;
            return "module";
        }
    if (d->trims_path[0] && realpath(d->trims_path, real) && strcmp(real, d->inputs[i]) == 0)
        return "trims";
    for (int m = 0; m < d->nmarker_files; m++)
        if (realpath(d->marker_files[m], real) && strcmp(real, d->inputs[i]) == 0)
            return "markers";
    return "media";
}

static int print_jobs(const plan_args *a, const vm_project *p, const plan_job *jobs, int njobs)
{
    int fresh_count = 0;
    char shown[PATH_MAX], why[PATH_MAX + 128];
    printf("project %s: %d reel%s, %d job%s (a job renders all of its script's outputs, or a deliverable's)\n",
           p->path, p->nreels, p->nreels == 1 ? "" : "s", njobs, njobs == 1 ? "" : "s");
    for (int k = 0; k < njobs; k++) {
        const plan_job *j = &jobs[k];
        vm_path_shown(j->job->script, shown, sizeof shown);
        printf("\njob %s  (%s)\n", j->job->name, j->job->where);
        if (j->job->noutputs) {
            printf("  renders");
            for (int i = 0; i < j->job->noutputs; i++)
                printf(" --output %s", j->job->outputs[i]);
            printf("\n");
        }
        for (int i = 0; i < j->d.ninputs; i++) {
            const char *found_in;
            const char *kind = input_kind(&j->d, i, &found_in);
            vm_path_shown(j->d.inputs[i], shown, sizeof shown);
            printf("  %-7s %-8s %s%s%s%s\n", i ? "" : "reads", kind, shown, found_in ? " (" : "",
                   found_in ? found_in : "", found_in ? ")" : "");
        }
        for (int i = 0; i < j->noutputs; i++) {
            vm_path_shown(j->outputs[i], shown, sizeof shown);
            printf("  %-7s %-8s %s\n", i ? "" : "writes", i + 1 < j->noutputs ? "output" : "manifest", shown);
        }
        if (a->segments) {
            vm_path_shown(j->out_dir, shown, sizeof shown);
            printf("  splits  into %d segments (pre-roll %s%s), joined into %s/\n", a->segments,
                   a->preroll ? a->preroll : "twice the longest memory", a->preroll ? " s" : "", shown);
        }
        vm_path_shown(j->job->script, shown, sizeof shown);
        int fresh = fresh_state(&j->d, a->segments ? j->out_dir : NULL, shown, 1, why, sizeof why) == 0;
        fresh_count += fresh;
        printf("  state   %s\n", fresh ? "up to date" : why);
    }
    printf("\n%d job%s: %d up to date, %d to render\n", njobs, njobs == 1 ? "" : "s", fresh_count,
           njobs - fresh_count);
    return 0;
}

/* ---- job files ------------------------------------------------------------ */

/* path as the job files name it: under the first --path-map folder that
 * holds it, moved to that map's NEW folder. */
static void mapped(const plan_args *a, const char *path, char *out, size_t n)
{
    for (int i = 0; i < a->nmaps; i++) {
        size_t len = strlen(a->maps[i].from);
        while (len > 1 && a->maps[i].from[len - 1] == '/')
            len--;
        if (strncmp(path, a->maps[i].from, len) == 0 && (path[len] == '/' || path[len] == 0)) {
            snprintf(out, n, "%s%s", a->maps[i].to, path + len);
            return;
        }
    }
    snprintf(out, n, "%s", path);
}

/* Appends s to out (at *used of n) quoted for sh ('...', a ' as '\''),
 * each $ doubled when for_make (make would expand it first). */
static void put_quoted(char *out, size_t n, size_t *used, const char *s, int for_make)
{
    char buf[4 * PATH_MAX + 8];
    size_t k = 0;
    buf[k++] = '\'';
    for (; *s && k < sizeof buf - 8; s++) {
        if (*s == '\'') {
            memcpy(buf + k, "'\\''", 4);
            k += 4;
        } else {
            if (*s == '$' && for_make)
                buf[k++] = '$';
            buf[k++] = *s;
        }
    }
    buf[k++] = '\'';
    buf[k] = 0;
    *used += (size_t)snprintf(out + *used, *used < n ? n - *used : 0, "%s", buf);
}

/* A job's words after `render` or `plan --fresh`: the script and its lib
 * folders, quoted and mapped, and a deliverable's --output names, into
 * out. */
static void job_words(const plan_args *a, const vm_project *p, const plan_job *j, int for_make, char *out, size_t n)
{
    char path[PATH_MAX];
    size_t used = 0;
    out[0] = 0;
    mapped(a, j->job->script, path, sizeof path);
    put_quoted(out, n, &used, path, for_make);
    for (int i = 0; i < p->nlibs + a->nlibs; i++) {
        char real[PATH_MAX];
        const char *lib = i < p->nlibs ? p->libs[i] : realpath(a->libs[i - p->nlibs], real) ? real : a->libs[i - p->nlibs];
        mapped(a, lib, path, sizeof path);
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, " --lib ");
        put_quoted(out, n, &used, path, for_make);
    }
    for (int i = 0; i < j->job->noutputs; i++) {
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, " --output ");
        put_quoted(out, n, &used, j->job->outputs[i], for_make);
    }
}

/* The dubstage the jobs run, quoted. */
static int engine_words(const plan_args *a, int for_make, char *out, size_t n)
{
    char exe[PATH_MAX], path[PATH_MAX];
    size_t used = 0;
    if (a->dubstage) {
        snprintf(path, sizeof path, "%s", a->dubstage);
    } else {
        ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (len < 0) {
            fprintf(stderr, "dubstage plan: cannot tell where this dubstage is (%s): give --dubstage PATH\n",
                    strerror(errno));
            return 1;
        }
        exe[len] = 0;
        mapped(a, exe, path, sizeof path);
    }
    out[0] = 0;
    put_quoted(out, n, &used, path, for_make);
    return 0;
}

/* A path a job file could not carry: a newline ends a make recipe, a
 * Slurm directive and a parallel line. */
static int unwritable(const plan_args *a, const plan_job *jobs, int njobs, const vm_project *p)
{
    for (int k = 0; k < njobs; k++) {
        if (strchr(jobs[k].job->script, '\n')) {
            fprintf(stderr, "dubstage plan: the script path of job %s holds a newline: rename it\n",
                    jobs[k].job->name);
            return 1;
        }
        for (int i = 0; i < jobs[k].job->noutputs; i++)
            if (strchr(jobs[k].job->outputs[i], '\n')) {
                fprintf(stderr, "dubstage plan: an output name of job %s holds a newline\n", jobs[k].job->name);
                return 1;
            }
    }
    for (int i = 0; i < p->nlibs + a->nlibs; i++)
        if (strchr(i < p->nlibs ? p->libs[i] : a->libs[i - p->nlibs], '\n')) {
            fprintf(stderr, "dubstage plan: a lib folder's path holds a newline: rename it\n");
            return 1;
        }
    return 0;
}

/* A job's words: its script, up to 2 x 16 lib folders and a deliverable's
 * output names, each quoted (put_quoted's bound) with " --lib " or
 * " --output " before it. */
#define WORDS_LEN ((1 + 2 * VM_PROJECT_MAX_LIBS + VM_PROJECT_MAX_OUTPUTS) * (4 * PATH_MAX + 16))

/* A split job's (--segments) folders as the job files name them, each
 * quoted for sh (and make when for_make): the folder of its outputs, where
 * they are joined, into qout, and that of its segment k (1..), under it,
 * into qseg (when not NULL); and segment k's bounds, session samples. */
#define QUOTED_LEN (4 * PATH_MAX + 8)
static void segment_words(const plan_args *a, const plan_job *j, int k, int for_make, char *qout, char *qseg,
                          int64_t *from, int64_t *to)
{
    char dir[PATH_MAX], seg[PATH_MAX + 2 * VM_PROJECT_NAME_LEN + 32];
    size_t used = 0;
    mapped(a, j->out_dir, dir, sizeof dir);
    qout[0] = 0;
    put_quoted(qout, QUOTED_LEN, &used, dir, for_make);
    if (qseg) {
        snprintf(seg, sizeof seg, "%s/" PLAN_SEGMENTS_DIR "/%s/%d", dir, j->job->name, k);
        qseg[0] = 0, used = 0;
        put_quoted(qseg, QUOTED_LEN, &used, seg, for_make);
        *from = j->length * (k - 1) / a->segments;
        *to = j->length * k / a->segments;
    }
}

/* A job split in time (--segments), for make: a target per segment,
 * rendering it into OUTDIR/.segments/JOB/K unless the joined outputs are
 * up to date (its folder emptied first: join takes every WAV file in it),
 * and the job's target, after them, joining the segments into OUTDIR
 * unless that is up to date. The joined outputs' manifest is a render's
 * with --out OUTDIR (docs/segments.md), so `plan --fresh --out OUTDIR`
 * judges them. words: the job's words (job_words, for make). */
static void emit_make_segments(const plan_args *a, const plan_job *j, const char *words)
{
    char qout[QUOTED_LEN], qseg[QUOTED_LEN];
    int64_t from, to;
    segment_words(a, j, 0, 1, qout, NULL, NULL, NULL);
    printf("%s:", j->job->name);
    for (int k = 1; k <= a->segments; k++)
        printf(" %s.seg%d", j->job->name, k);
    printf("\n\t@$(DUBSTAGE) plan --fresh %s --out %s || $(DUBSTAGE) join %s", words, qout, qout);
    for (int k = 1; k <= a->segments; k++) {
        segment_words(a, j, k, 1, qout, qseg, &from, &to);
        printf(" %s", qseg);
    }
    printf("\n");
    for (int k = 1; k <= a->segments; k++) {
        segment_words(a, j, k, 1, qout, qseg, &from, &to);
        printf("%s.seg%d:\n\t@$(DUBSTAGE) plan --fresh %s --out %s > /dev/null || { rm -rf %s && "
               "$(DUBSTAGE) render --quiet --threads %d %s --from %lldsmp --to %lldsmp%s%s --out %s; }\n",
               j->job->name, k, words, qout, qseg, a->threads, words, (long long)from, (long long)to,
               a->preroll ? " --preroll " : "", a->preroll ? a->preroll : "", qseg);
    }
}

/* The emitters print a job file on stdout; words: WORDS_LEN bytes to build
 * each job's words in. */
static int emit_make(const plan_args *a, const vm_project *p, const plan_job *jobs, int njobs, const char *engine,
                     char *words)
{
    printf("# %s: %d render jobs, written by `dubstage plan %s --make` (docs/cluster.md).\n"
           "# make -j2 -f THIS renders every job that is not up to date, judged by the contents of what\n"
           "# it reads (script, modules, media, trims, markers) and the engine, as its manifest records\n"
           "# them; `make -f THIS REEL` one reel, `make -f THIS REEL.DELIVERABLE` one job.\n"
           "DUBSTAGE = %s\n\nall:", p->path, njobs, p->path, engine);
    for (int k = 0; k < njobs; k++)
        printf(" %s", jobs[k].job->name);
    printf("\n");
    for (int k = 0; k < njobs; k++) {
        if (k > 0 && strcmp(jobs[k].job->reel, jobs[k - 1].job->reel) == 0)
            continue;
        printf("%s:", jobs[k].job->reel);
        for (int m = k; m < njobs; m++)
            if (strcmp(jobs[m].job->reel, jobs[k].job->reel) == 0)
                printf(" %s", jobs[m].job->name);
        printf("\n");
    }
    printf("\n");
    for (int k = 0; k < njobs; k++) {
        job_words(a, p, &jobs[k], 1, words, WORDS_LEN);
        if (a->segments)
            emit_make_segments(a, &jobs[k], words);
        else
            printf("%s:\n\t@$(DUBSTAGE) plan --fresh %s || $(DUBSTAGE) render --quiet --threads %d %s\n",
                   jobs[k].job->name, words, a->threads, words);
    }
    printf("\n.PHONY: all");
    for (int k = 0; k < njobs; k++) {
        if (k == 0 || strcmp(jobs[k].job->reel, jobs[k - 1].job->reel) != 0)
            printf(" %s", jobs[k].job->reel);
        printf(" %s", jobs[k].job->name);
        for (int m = 1; m <= a->segments; m++)
            printf(" %s.seg%d", jobs[k].job->name, m);
    }
    printf("\n");
    return 0;
}

static int emit_parallel(const plan_args *a, const vm_project *p, const plan_job *jobs, int njobs,
                         const char *engine, char *words)
{
    for (int k = 0; k < njobs; k++) {
        job_words(a, p, &jobs[k], 0, words, WORDS_LEN);
        printf("%s plan --fresh %s || %s render --quiet --threads %d %s\n", engine, words, engine, a->threads, words);
    }
    return 0;
}

/* --slurm --segments: an array of every job's segments, each task
 * rendering one unless its job's joined outputs are up to date; the same
 * script given the word `join` (submitted after the array, with
 * --dependency=afterok) joins each job whose joined outputs are not. */
static int emit_slurm_segments(const plan_args *a, const vm_project *p, const plan_job *jobs, int njobs,
                               const char *engine, char *words, const char *name, const char *dir,
                               const char *logs)
{
    char qout[QUOTED_LEN], qseg[QUOTED_LEN];
    int64_t from, to;
    int ntasks = njobs * a->segments;
    printf("#!/bin/sh\n"
           "# %s: %d render jobs, each in %d segments, as a Slurm job array, written by `dubstage plan\n"
           "# %s --slurm --segments %d` (docs/cluster.md). Submit the segments, then the joins after them:\n"
           "#   jid=$(sbatch --parsable THIS) && sbatch --dependency=afterok:$jid --array=0 THIS join\n"
           "# Array task N renders segment N (render --from --to --out OUTDIR/.segments/JOB/K) unless its\n"
           "# job's joined outputs are up to date; `join` joins every job whose are not. A task killed and\n"
           "# re-queued starts again: outputs are written whole (temporary file, renamed) or not at all.\n"
           "#SBATCH --job-name=%s\n#SBATCH --array=0-%d\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%d\n"
           "#SBATCH --requeue\n#SBATCH --chdir=%s\n#SBATCH --output=%s/%s-%%A_%%a.log\n\n"
           "DUBSTAGE=%s\n"
           "if [ \"${1:-}\" = join ]; then\n"
           "  echo \"the joins of %d jobs on $(hostname)\"\n  failed=0\n",
           p->path, njobs, a->segments, p->path, a->segments, name, ntasks - 1, a->threads, dir, logs, name,
           engine, njobs);
    for (int k = 0; k < njobs; k++) {
        job_words(a, p, &jobs[k], 0, words, WORDS_LEN);
        segment_words(a, &jobs[k], 0, 0, qout, NULL, NULL, NULL);
        printf("  \"$DUBSTAGE\" plan --fresh %s --out %s || \"$DUBSTAGE\" join %s", words, qout, qout);
        for (int m = 1; m <= a->segments; m++) {
            segment_words(a, &jobs[k], m, 0, qout, qseg, &from, &to);
            printf(" %s", qseg);
        }
        printf(" || failed=1\n");
    }
    printf("  exit $failed\nfi\ncase ${SLURM_ARRAY_TASK_ID:?\"run by sbatch, as a job array\"} in\n");
    for (int k = 0; k < njobs; k++) {
        job_words(a, p, &jobs[k], 0, words, WORDS_LEN);
        for (int m = 1; m <= a->segments; m++) {
            segment_words(a, &jobs[k], m, 0, qout, qseg, &from, &to);
            printf("%d) job=%s.seg%d; out=%s; seg=%s; range='--from %lldsmp --to %lldsmp%s%s'; set -- %s ;;\n",
                   k * a->segments + m - 1, jobs[k].job->name, m, qout, qseg, (long long)from, (long long)to,
                   a->preroll ? " --preroll " : "", a->preroll ? a->preroll : "", words);
        }
    }
    printf("*) echo \"no task $SLURM_ARRAY_TASK_ID in this array (0-%d)\" >&2; exit 2 ;;\nesac\n"
           "echo \"segment $job (array task $SLURM_ARRAY_TASK_ID) on $(hostname)\"\n"
           "\"$DUBSTAGE\" plan --fresh \"$@\" --out \"$out\" ||\n"
           "  { rm -rf \"$seg\" && exec \"$DUBSTAGE\" render --quiet --threads %d \"$@\" $range --out \"$seg\"; }\n",
           ntasks - 1, a->threads);
    return 0;
}

static int emit_slurm(const plan_args *a, const vm_project *p, const plan_job *jobs, int njobs, const char *engine,
                      char *words)
{
    char name[VM_PROJECT_NAME_LEN], dir[PATH_MAX], logs[PATH_MAX], real[PATH_MAX];
    const char *base = vm_path_basename(p->path);
    size_t len = 0;
    for (; base[len] && base[len] != '.' && len < sizeof name - 1; len++)
        name[len] = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", base[len]) ? base[len]
                                                                                                           : '_';
    name[len] = 0;
    if (!name[0])
        snprintf(name, sizeof name, "dubstage");
    mapped(a, p->dir, dir, sizeof dir);
    if (a->log_dir && !realpath(a->log_dir, real)) {
        fprintf(stderr, "dubstage plan: --log-dir '%s': %s\n", a->log_dir, strerror(errno));
        return 1;
    }
    mapped(a, a->log_dir ? real : p->dir, logs, sizeof logs);
    if (strpbrk(dir, " \t\n'\"%") || strpbrk(logs, " \t\n'\"%")) {
        fprintf(stderr, "dubstage plan: --slurm: the folder '%s' holds a space, a quote or a %%, which #SBATCH "
                        "lines cannot carry: give --log-dir, or --path-map to a plain path\n",
                strpbrk(dir, " \t\n'\"%") ? dir : logs);
        return 1;
    }
    int ntasks = njobs * (a->segments ? a->segments : 1);
    if (ntasks > SLURM_DEFAULT_MAX_ARRAY_SIZE)
        fprintf(stderr, "dubstage plan: warning: %d array tasks (0-%d): Slurm refuses an index of %d or more "
                        "unless slurm.conf raises MaxArraySize (default %d); `scontrol show config | grep "
                        "MaxArraySize` says what the cluster allows\n", ntasks, ntasks - 1,
                SLURM_DEFAULT_MAX_ARRAY_SIZE, SLURM_DEFAULT_MAX_ARRAY_SIZE);
    if (a->segments)
        return emit_slurm_segments(a, p, jobs, njobs, engine, words, name, dir, logs);
    printf("#!/bin/sh\n"
           "# %s: %d render jobs as a Slurm job array, written by `dubstage plan %s --slurm`\n"
           "# (docs/cluster.md). Submit with: sbatch THIS. Array task N runs job N: `dubstage render`\n"
           "# of one script (or of one deliverable's outputs of it) unless its manifest says it is up\n"
           "# to date, leaving the manifest. A task killed and re-queued starts again: outputs are\n"
           "# written whole (temporary file, renamed) or not at all.\n"
           "#SBATCH --job-name=%s\n#SBATCH --array=0-%d\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%d\n"
           "#SBATCH --requeue\n#SBATCH --chdir=%s\n#SBATCH --output=%s/%s-%%A_%%a.log\n\n"
           "DUBSTAGE=%s\ncase ${SLURM_ARRAY_TASK_ID:?\"run by sbatch, as a job array\"} in\n",
           p->path, njobs, p->path, name, njobs - 1, a->threads, dir, logs, name, engine);
    for (int k = 0; k < njobs; k++) {
        job_words(a, p, &jobs[k], 0, words, WORDS_LEN);
        printf("%d) job=%s; set -- %s ;;\n", k, jobs[k].job->name, words);
    }
    printf("*) echo \"no job $SLURM_ARRAY_TASK_ID in this array (0-%d)\" >&2; exit 2 ;;\nesac\n"
           "echo \"job $job (array task $SLURM_ARRAY_TASK_ID) on $(hostname)\"\n"
           "\"$DUBSTAGE\" plan --fresh \"$@\" || exec \"$DUBSTAGE\" render --quiet --threads %d \"$@\"\n",
           njobs - 1, a->threads);
    return 0;
}

static int plan_project(const plan_args *a, const char *stdlib_dir)
{
    char err[DS_ERR_LEN], engine[4 * PATH_MAX + 8], *words = NULL;
    vm_project p;
    vm_script_lib *libs = NULL;
    plan_job *jobs = NULL;
    int njobs = 0, rc = 1;
    vm_script_opts so;
    if (vm_project_load(a->project, &p, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        goto done;
    }
    libs = calloc(lib_room(&p, a), sizeof *libs);
    jobs = calloc((size_t)p.njobs, sizeof *jobs);
    if (!libs || !jobs || script_opts(&so, libs, &p, a, stdlib_dir) != 0) {
        fprintf(stderr, "dubstage plan: out of memory\n");
        goto done;
    }
    if (load_jobs(&p, &so, jobs, &njobs) != 0 || check_independent(jobs, njobs) != 0)
        goto done;
    warn_unrendered(jobs, njobs);
    if (a->segments && prepare_segments(jobs, njobs, a->segments) != 0)
        goto done;
    if (a->emit == EMIT_LIST) {
        rc = print_jobs(a, &p, jobs, njobs);
        goto done;
    }
    if (unwritable(a, jobs, njobs, &p) != 0 || engine_words(a, a->emit == EMIT_MAKE, engine, sizeof engine) != 0)
        goto done;
    if (!(words = malloc(WORDS_LEN))) {
        fprintf(stderr, "dubstage plan: out of memory\n");
        goto done;
    }
    if (a->emit == EMIT_MAKE)
        rc = emit_make(a, &p, jobs, njobs, engine, words);
    else if (a->emit == EMIT_PARALLEL)
        rc = emit_parallel(a, &p, jobs, njobs, engine, words);
    else
        rc = emit_slurm(a, &p, jobs, njobs, engine, words);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "dubstage plan: cannot write the job file: %s\n", strerror(errno));
        rc = 1;
    }
done:
    for (int k = 0; jobs && k < p.njobs; k++) {
        vm_desc_free(&jobs[k].d);
        free(jobs[k].outputs);
        free(jobs[k].script_outputs);
    }
    free(words);
    free(jobs);
    free(libs);
    vm_project_free(&p);
    return rc;
}

int repl_plan(int argc, char **argv, const char *stdlib_dir)
{
    plan_args a;
    int rc = parse_plan_args(argc, argv, &a);
    if (rc == 0)
        rc = a.fresh ? plan_fresh(&a, stdlib_dir) : plan_project(&a, stdlib_dir);
    free(a.libs);
    free(a.outputs);
    return rc;
}
