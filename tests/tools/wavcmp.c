/* wavcmp.c - compares a recording of live playback against a reference
 * render (ARCHITECTURE.md property 3: offline = live), or measures the
 * clicks and dropouts of a recording whose mix was changed while it played.
 *
 *   build/tools/wavcmp REF.wav REC.wav [--search SECONDS] [--tolerance DB]
 *                      [--length SECONDS]
 *   build/tools/wavcmp REF.wav|- REC.wav --changes T1,T2,... [--window MS]
 *                      [--factor X] [--order 1|2] [--search SECONDS]
 *                      [--tolerance DB]
 *
 * Comparing. The recorder starts before playback, so REC holds REF
 * somewhere after leading silence or other material. The offset is found
 * from REF's first sample above 1e-4 (any channel): every position of REC
 * up to --search seconds (default 10) is tried against the ~1000 frames
 * around it, and a position is dropped as soon as one sample differs more
 * than the best position's largest difference so far, so a wrong position
 * usually costs one comparison and no cross-correlation is needed. The
 * frames before that sample take part too, so a periodic signal cannot
 * align a period late. Then every overlapping frame (or --length seconds of
 * them from REF's start) is compared. Prints
 *
 *   offset N frames
 *   compared N frames
 *   max abs diff X (Y dBFS)
 *   first mismatch at frame F (REC frame G) channel C: ref R rec S
 *
 * and exits 0 when the largest difference is within --tolerance (default
 * -120 dBFS, 1e-6), 1 when not. jack_rec records 32-bit integer PCM:
 * steps of 2^-31, so a float sample comes back within 2^-32 (-192 dBFS).
 * Files are read as double, which holds both int32 and float samples
 * exactly.
 *
 * Changes. A mix changed from the REPL does not equal one reference; what
 * must hold is that no change clicks and nothing drops out. For each change
 * time (seconds into REC) the largest sample-to-sample step (first
 * difference, any channel) within +-window ms (default 10) is compared with
 * the largest step of the music itself: all of REC between its first and
 * last non-silent frame, less the windows around the changes. A change
 * whose step exceeds --factor (default 1.0) times the music's fails.
 * --order 2 measures the second difference instead: a gain step where the
 * waveform is near zero, or in low-frequency material, barely changes the
 * first difference but stands far above a smooth signal's second
 * difference (a sine's shrinks with (2 pi f / rate)^2, a step's does not).
 * Runs of exact digital silence on every channel longer than 5 ms between
 * the first and last non-silent frame are dropouts and fail, unless REF
 * (when not "-") is silent at the same place too (REF is aligned as above).
 *
 * Exit status: 0 pass, 1 fail, 2 bad usage or unreadable file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#define ONSET_LEVEL 1e-4   /* REF's start: its first sample above this */
#define ALIGN_FRAMES 1000  /* frames on each side of it that must match */
#define DROPOUT_MS 5.0
#define MAX_CHANGES 256

typedef struct {
    const char *path;
    double *x; /* interleaved */
    long frames;
    int channels;
    int rate;
} wav;

static void usage(void)
{
    fprintf(stderr,
            "usage: wavcmp REF.wav REC.wav [--search SECONDS] [--tolerance DB] [--length SECONDS]\n"
            "       wavcmp REF.wav|- REC.wav --changes T1,T2,... [--window MS] [--factor X] [--order 1|2]\n");
    exit(2);
}

static void load(wav *w, const char *path)
{
    SF_INFO info;
    SNDFILE *f;

    memset(&info, 0, sizeof info);
    w->path = path;
    f = sf_open(path, SFM_READ, &info);
    if (f == NULL) {
        fprintf(stderr, "wavcmp: %s: %s\n", path, sf_strerror(NULL));
        exit(2);
    }
    w->frames = (long)info.frames;
    w->channels = info.channels;
    w->rate = info.samplerate;
    w->x = malloc((size_t)(w->frames > 0 ? w->frames : 1) * (size_t)w->channels * sizeof *w->x);
    if (w->x == NULL) {
        fprintf(stderr, "wavcmp: %s: out of memory for %ld frames\n", path, w->frames);
        exit(2);
    }
    /* int PCM is scaled by 1/2^31 (16-bit by 1/2^15...), exactly */
    if (sf_readf_double(f, w->x, w->frames) != w->frames) {
        fprintf(stderr, "wavcmp: %s: short read\n", path);
        exit(2);
    }
    sf_close(f);
}

static double to_db(double v)
{
    return v > 0 ? 20.0 * log10(v) : -INFINITY;
}

static double number(const char *opt, const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end != '\0' || !isfinite(v)) {
        fprintf(stderr, "wavcmp: %s expects a number, got '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

/* First frame with any channel above level, or -1. */
static long first_above(const wav *w, double level)
{
    for (long i = 0; i < w->frames * w->channels; i++)
        if (fabs(w->x[i]) > level)
            return i / w->channels;
    return -1;
}

/* Largest |ref - rec| over the frames [lo, hi) of REF, REC shifted by
 * offset, starting with frame `start` (the most telling one); stops once it
 * reaches `bound` and then returns a value >= bound. */
static double diff_bounded(const wav *ref, const wav *rec, long offset, long start, long lo, long hi,
                           double bound)
{
    int nc = ref->channels;
    double m = 0;

    for (long k = -1; k < hi - lo; k++) {
        long n = k < 0 ? start : lo + k;
        const double *a = ref->x + n * nc, *b = rec->x + (n + offset) * nc;
        if (k >= 0 && n == start)
            continue;
        for (int c = 0; c < nc; c++) {
            double d = fabs(a[c] - b[c]);
            if (d > m) {
                m = d;
                if (m >= bound)
                    return m;
            }
        }
    }
    return m;
}

/* Finds where REF starts in REC: sets *offset (REC frame = REF frame +
 * offset) and returns the largest difference over the frames checked. */
static double align(const wav *ref, const wav *rec, double search_s, long *offset)
{
    long first = first_above(ref, ONSET_LEVEL);
    long search = (long)(search_s * rec->rate + 0.5);
    double best = INFINITY;

    *offset = 0;
    if (first < 0) {
        fprintf(stderr, "wavcmp: %s: silent (no sample above %g), nothing to align\n", ref->path, ONSET_LEVEL);
        exit(2);
    }
    /* p: the REC frame that REF's first loud frame lands on */
    for (long p = 0; p <= first + search && p < rec->frames; p++) {
        long off = p - first;
        long lo = first - ALIGN_FRAMES, hi = first + ALIGN_FRAMES;
        double d;
        if (lo < 0)
            lo = 0;
        if (lo + off < 0)
            lo = -off;
        if (hi > ref->frames)
            hi = ref->frames;
        if (hi + off > rec->frames)
            hi = rec->frames - off;
        d = diff_bounded(ref, rec, off, first, lo, hi, best);
        if (d < best) {
            best = d;
            *offset = off;
        }
    }
    return best;
}

static int compare(const wav *ref, const wav *rec, double search_s, double tol, double length_s)
{
    long offset, lo, hi, mismatch = -1;
    int nc = ref->channels, mc = 0;
    double m = 0, ar = 0, ab = 0, adiff;

    adiff = align(ref, rec, search_s, &offset);
    printf("offset %ld frames (%.6f s)\n", offset, (double)offset / rec->rate);
    if (adiff > tol)
        printf("no offset matches within tolerance: best differs by %.3g (%.1f dBFS) around REF's start\n", adiff,
               to_db(adiff));
    lo = offset < 0 ? -offset : 0;
    hi = ref->frames;
    if (hi + offset > rec->frames)
        hi = rec->frames - offset;
    if (length_s > 0) {
        long want = (long)(length_s * ref->rate + 0.5);
        if (hi - lo < want) {
            printf("compared %ld frames\n", hi > lo ? hi - lo : 0);
            printf("only %ld frames overlap, --length asks %ld\n", hi > lo ? hi - lo : 0, want);
            return 1;
        }
        hi = lo + want;
    } else if (hi < ref->frames) {
        printf("the recording ends %ld frames before the reference\n", ref->frames - hi);
    }
    if (lo > 0)
        printf("the recording misses the reference's first %ld frames\n", lo);
    for (long n = lo; n < hi; n++) {
        const double *a = ref->x + n * nc, *b = rec->x + (n + offset) * nc;
        for (int c = 0; c < nc; c++) {
            double d = fabs(a[c] - b[c]);
            if (d > tol && mismatch < 0) {
                mismatch = n;
                mc = c;
                ar = a[c];
                ab = b[c];
            }
            if (d > m)
                m = d;
        }
    }
    printf("compared %ld frames\n", hi > lo ? hi - lo : 0);
    printf("max abs diff %.3g (%.1f dBFS)\n", m, to_db(m));
    if (mismatch >= 0)
        printf("first mismatch at frame %ld (REC frame %ld) channel %d: ref %.9f rec %.9f\n", mismatch,
               mismatch + offset, mc + 1, ar, ab);
    return hi > lo && m <= tol ? 0 : 1;
}

static int order = 1; /* --order: first or second difference */

/* Largest first (or second) difference over REC frames [lo, hi), from
 * frames all in the range, any channel. */
static double max_step(const wav *w, long lo, long hi)
{
    int nc = w->channels;
    double m = 0;

    for (long n = lo + order; n < hi; n++)
        for (int c = 0; c < nc; c++) {
            const double *x = w->x + n * nc + c;
            double d = order == 1 ? fabs(x[0] - x[-nc]) : fabs(x[0] - 2 * x[-nc] + x[-2 * nc]);
            if (d > m)
                m = d;
        }
    return m;
}

static int frame_silent(const wav *w, long n)
{
    for (int c = 0; c < w->channels; c++)
        if (w->x[n * w->channels + c] != 0.0)
            return 0;
    return 1;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int changes(const wav *ref, const wav *rec, const char *list, double window_ms, double factor,
                   double search_s, double tol)
{
    long at[MAX_CHANGES], win = (long)(window_ms * rec->rate / 1000.0 + 0.5), first, last, offset = 0;
    long min_run = (long)(DROPOUT_MS * rec->rate / 1000.0 + 0.5);
    int n = 0, failed = 0;
    double music = 0;
    const char *s = list;

    while (*s != '\0') {
        char *end;
        double t = strtod(s, &end);
        if (end == s || (*end != ',' && *end != '\0') || t < 0 || n == MAX_CHANGES) {
            fprintf(stderr, "wavcmp: --changes expects seconds separated by commas, got '%s'\n", list);
            exit(2);
        }
        at[n++] = (long)(t * rec->rate + 0.5);
        s = *end == ',' ? end + 1 : end;
    }
    first = first_above(rec, 0.0);
    if (first < 0) {
        printf("the recording is digital silence\n");
        return 1;
    }
    for (last = rec->frames - 1; frame_silent(rec, last); last--)
        ;
    printf("music from frame %ld to %ld (%.3f s to %.3f s)\n", first, last, (double)first / rec->rate,
           (double)last / rec->rate);

    /* the music's own steps: [first, last] less the change windows, taken
     * in time order */
    qsort(at, (size_t)n, sizeof at[0], cmp_long);
    for (int i = 0; i <= n; i++) {
        long lo = i == 0 ? first : at[i - 1] + win, hi = i == n ? last + 1 : at[i] - win + 1;
        double m;
        if (lo < first)
            lo = first;
        if (hi > last + 1)
            hi = last + 1;
        m = hi - lo > order ? max_step(rec, lo, hi) : 0;
        if (m > music)
            music = m;
    }
    printf("music's own max step %.3g (%.1f dBFS), outside +-%g ms of the changes%s\n", music, to_db(music),
           window_ms, order == 2 ? " (second difference)" : "");

    for (int i = 0; i < n; i++) {
        long lo = at[i] - win, hi = at[i] + win + 1;
        double m;
        if (lo < 0)
            lo = 0;
        if (hi > rec->frames)
            hi = rec->frames;
        if (hi - lo <= order) {
            printf("change at %.3f s: outside the recording\n", (double)at[i] / rec->rate);
            failed = 1;
            continue;
        }
        m = max_step(rec, lo, hi);
        printf("change at %.3f s (frame %ld): max step %.3g (%.1f dBFS)%s\n", (double)at[i] / rec->rate, at[i], m,
               to_db(m), m > factor * music ? ": exceeds the music's, a click" : "");
        if (m > factor * music)
            failed = 1;
    }

    if (ref != NULL) {
        double d = align(ref, rec, search_s, &offset);
        printf("reference offset %ld frames, differs by %.3g (%.1f dBFS) around its start%s\n", offset, d, to_db(d),
               d > tol ? " (no exact match: the silence check maps REC to REF by it all the same)" : "");
    }
    for (long i = first; i <= last;) {
        long j = i;
        if (!frame_silent(rec, i)) {
            i++;
            continue;
        }
        while (j <= last && frame_silent(rec, j))
            j++;
        if (j - i > min_run) {
            int excused = 0;
            if (ref != NULL) {
                long r0 = i - offset, r1 = j - offset;
                excused = r0 >= 0 && r1 <= ref->frames;
                for (long k = r0; excused && k < r1; k++)
                    if (!frame_silent(ref, k))
                        excused = 0;
            }
            printf("%s at frame %ld (%.3f s): %ld frames (%.1f ms) of digital silence%s\n",
                   excused ? "silence" : "dropout", i, (double)i / rec->rate, j - i, 1000.0 * (j - i) / rec->rate,
                   excused ? ", as in the reference" : "");
            if (!excused)
                failed = 1;
        }
        i = j;
    }
    return failed;
}

int main(int argc, char **argv)
{
    const char *paths[2] = { NULL, NULL }, *change_list = NULL;
    double search_s = 10, tol_db = -120, length_s = 0, window_ms = 10, factor = 1.0;
    int npaths = 0, have_ref, status;
    wav ref, rec;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-') {
            if (i + 1 >= argc)
                usage();
            if (strcmp(a, "--search") == 0)
                search_s = number(a, argv[++i]);
            else if (strcmp(a, "--tolerance") == 0)
                tol_db = number(a, argv[++i]);
            else if (strcmp(a, "--length") == 0)
                length_s = number(a, argv[++i]);
            else if (strcmp(a, "--window") == 0)
                window_ms = number(a, argv[++i]);
            else if (strcmp(a, "--order") == 0)
                order = (int)number(a, argv[++i]);
            else if (strcmp(a, "--factor") == 0)
                factor = number(a, argv[++i]);
            else if (strcmp(a, "--changes") == 0)
                change_list = argv[++i];
            else
                usage();
        } else if (npaths < 2) {
            paths[npaths++] = a;
        } else {
            usage();
        }
    }
    if (npaths != 2 || search_s < 0 || window_ms <= 0 || factor <= 0 || (order != 1 && order != 2))
        usage();
    if (strcmp(paths[0], "-") == 0 && change_list == NULL) {
        fprintf(stderr, "wavcmp: REF '-' (none) is for --changes only\n");
        exit(2);
    }

    have_ref = strcmp(paths[0], "-") != 0;
    load(&rec, paths[1]);
    if (have_ref) {
        load(&ref, paths[0]);
        if (ref.channels != rec.channels || ref.rate != rec.rate) {
            fprintf(stderr, "wavcmp: %s is %d ch at %d Hz, %s is %d ch at %d Hz\n", ref.path, ref.channels, ref.rate,
                    rec.path, rec.channels, rec.rate);
            exit(2);
        }
    }
    if (change_list != NULL)
        status = changes(have_ref ? &ref : NULL, &rec, change_list, window_ms, factor, search_s,
                         pow(10.0, tol_db / 20.0));
    else
        status = compare(&ref, &rec, search_s, pow(10.0, tol_db / 20.0), length_s);
    free(rec.x);
    if (have_ref)
        free(ref.x);
    return status;
}
