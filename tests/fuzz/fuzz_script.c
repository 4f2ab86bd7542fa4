/* fuzz_script.c - libFuzzer target for the script API: random calls with
 * random argument types into the mix vocabulary (session, track, bus, clip,
 * eq, compressor, send, duck, output, deliver, vca, ramp, edl, otio, spot,
 * conform, ...), run as a script
 * through vm_script_load (the public vm/script.h API), then the duck
 * analysis, vm_compile and, when the input asks, a render of at most
 * MAX_RENDER samples into a scratch folder.
 *
 * The input bytes are decoded into a small Lua program: up to MAX_STMTS
 * statements, each a global call (`V[3] = track(V[1])`), a curried call
 * (`track "A" { ... }`), a method call (`V[2]:clip { ... }`), a field read
 * or write, or a call or an operation on an earlier result, mostly wrapped
 * in pcall so that one refused call does not end the script (the calls
 * after an error are where state left half made would show). Arguments are
 * nil, booleans, integers, doubles (NaN, inf, huge, tiny), strings from the
 * language's vocabulary (names, timecodes, time words, eq types, formats,
 * the scratch media and cuts of it) or random bytes, earlier results, functions and nested
 * tables keyed with the language's option names. Random strings never hold
 * '/' or '\\', so no path leaves the scratch folder, and outputs go to
 * scratch/out (vm_script_opts.out_dir), emptied after each input.
 *
 * Findings: a crash, a sanitizer report (leaks included: a Lua error raised
 * across a C allocation shows here), or an error message that overflows. */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include "vm/duck.h"
#include "vm/plan.h"
#include "vm/render.h"
#include "vm/script.h"

enum {
    NVARS = 16,       /* V[0..15]: results a later statement can use */
    MAX_STMTS = 48,
    MAX_DEPTH = 3,    /* table nesting */
    MAX_RENDER = 2400 /* samples rendered at most (50 ms at 48 kHz) */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* New words go at the end of a list: the seeds (make_script_seeds.py) name words by their place. */
static const char *const globals[] = {"session", "track", "bus", "output", "vca", "mute_group", "markers",
                                      "duck", "trims", "deliver", "edl", "otio", "spot", "conform"};
static const char *const methods[] = {"clip", "eq", "compressor", "expander", "gate", "limiter", "transient",
                                      "send", "to", "ramp", "set", "target", "curve", "moves"};
static const char *const fields[] = {"name", "kind", "channels", "solo", "gain", "trim", "pan", "mute",
                                     "value", "freq", "q", "threshold", "ratio", "knee", "makeup", "range",
                                     "attack", "release", "hold", "ceiling", "lookahead", "sustain", "level",
                                     "at", "length", "finish", "from", "file", "rate", "names", "to"};
static const char *const keys[] = {
    "channels", "to", "gain", "trim", "pan", "mute", "solo", "at", "from", "length", "fade_in", "fade_out",
    "curve", "fade_in_curve", "fade_out_curve", "channel", "freq", "q", "order", "threshold", "ratio", "knee",
    "attack", "release", "hold", "makeup", "range", "detector", "rms", "link", "key", "key_filter", "ceiling",
    "lookahead", "sustain", "level", "pre", "members", "under", "depth", "preroll", "bridge", "band", "rate",
    "fps", "start", "format", "dither", "over", "shape", "tau", "values", "value", "name", "events",
    "normalize", "integrated", "true_peak", "stems", "spec", "tracks", "media", "track"};
static const char *const words[] = {
    "A", "B", "DX", "PM", "MX", "mono.wav", "stereo.wav", "r44.wav", "six.wav", "cues.txt", "mix.trims.lua",
    "out.wav", "pm.wav", "x.flac", "peak", "highpass", "lowpass", "lowshelf", "highshelf", "bandpass", "notch",
    "allpass", "linear", "equal_power", "s_curve", "exponential", "amplitude", "wav16", "wav24", "wav32f",
    "flac16", "flac24", "aiff16", "aiff24", "aiff32f", "auto", "tpdf", "none", "max", "mean", "unlinked",
    "rms", "00:00:00:00", "01:00:00:00", "00:00:01;00", "00:59:58;00", "00:00:00:01", "2.5s", "250ms",
    "96000smp", "90+00", "0+01", "23.976", "24", "25", "29.97", "30", "48", "50", "59.94", "60", "door",
    "thunder", "shot 14", "", " ", "ebu-r128", "ebu-r128-s1", "atsc-a85", "streaming-14", "streaming-16",
    "dialogue-27", "cut.edl", "cut2.edl", "cut.otio", "A1", "A2", "V", "A17", "mono", "r44", "MONO", "R44"};
static const char *const numbers[] = {
    "0", "-0.0", "1", "-1", "0.5", "2", "3", "33", "64", "65", "1e-300", "1e308", "-1e308", "math.huge",
    "-math.huge", "(0/0)", "2^31", "2^53", "2^63", "-2^63", "48000", "384000", "8000", "1e9", "1000",
    "0.001", "-144", "24", "30", "math.maxinteger", "math.mininteger", "0.05", "-6"};
static const char *const modules[] = {"dubstage.dme", "dubstage.none", "dme"};

/* The program text: a fixed buffer; a statement that does not fit is cut
 * and the program ends there. */
typedef struct {
    char s[32768];
    size_t len;
    int full;
} text;

__attribute__((format(printf, 2, 3))) static void put(text *t, const char *fmt, ...)
{
    if (t->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(t->s + t->len, sizeof t->s - t->len, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof t->s - t->len - 1)
        t->full = 1;
    else
        t->len += (size_t)w;
}

static const char *pick(fuzz_reader *r, const char *const *list, size_t n)
{
    return list[fuzz_byte(r) % n];
}

static void put_string(text *t, fuzz_reader *r)
{
    unsigned n = fuzz_byte(r) % 24;
    put(t, "\"");
    for (unsigned i = 0; i < n; i++) {
        unsigned c = fuzz_byte(r);
        if (c == '/' || c == '\\')
            c = '_';
        if (c >= 0x20 && c < 0x7f && c != '"')
            put(t, "%c", c);
        else
            put(t, "\\%03u", c);
    }
    put(t, "\"");
}

static void put_value(text *t, fuzz_reader *r, int depth);

static void put_table(text *t, fuzz_reader *r, int depth)
{
    unsigned n = fuzz_byte(r) % 6;
    put(t, "{");
    for (unsigned i = 0; i < n; i++) {
        unsigned how = fuzz_byte(r) % 4;
        if (how == 1 || how == 2)
            put(t, "%s = ", pick(r, keys, N(keys)));
        else if (how == 3) {
            put(t, "[");
            put_value(t, r, depth + 1);
            put(t, "] = ");
        }
        put_value(t, r, depth + 1);
        put(t, ", ");
    }
    put(t, "}");
}

static void put_value(text *t, fuzz_reader *r, int depth)
{
    unsigned kind = fuzz_byte(r) % 12;
    unsigned char b[8];
    double d;
    switch (kind) {
    case 0: put(t, "nil"); break;
    case 1: put(t, fuzz_byte(r) & 1 ? "true" : "false"); break;
    case 2: put(t, "%d", (int)(signed char)fuzz_byte(r)); break;
    case 3: put(t, "%s", pick(r, numbers, N(numbers))); break;
    case 4: put(t, "\"%s\"", pick(r, words, N(words))); break;
    case 5: put_string(t, r); break;
    case 6: put(t, "V[%u]", fuzz_byte(r) % NVARS); break;
    case 7:
        if (depth < MAX_DEPTH)
            put_table(t, r, depth);
        else
            put(t, "{}");
        break;
    case 8:
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)fuzz_byte(r);
        memcpy(&d, b, sizeof d);
        if (isnan(d))
            put(t, "(0/0)");
        else if (isinf(d))
            put(t, d > 0 ? "math.huge" : "-math.huge");
        else
            put(t, "%.17g", d);
        break;
    case 9:
        put(t, "function(...) return ");
        if (depth < MAX_DEPTH)
            put_value(t, r, depth + 1);
        else
            put(t, "nil");
        put(t, " end");
        break;
    case 10: {
        unsigned h = fuzz_byte(r), m = fuzz_byte(r), s = fuzz_byte(r), f = fuzz_byte(r);
        put(t, "\"%02u:%02u:%02u%c%02u\"", h % 26, m % 62, s % 62, f & 128 ? ';' : ':', f % 64);
        break;
    }
    default: { /* the other time words */
        unsigned hi = fuzz_byte(r), lo = fuzz_byte(r), form = fuzz_byte(r) % 4, v = hi << 8 | lo;
        if (form == 0)
            put(t, "\"%u.%03us\"", v / 1000, v % 1000);
        else if (form == 1)
            put(t, "\"%ums\"", v);
        else if (form == 2)
            put(t, "\"%usmp\"", v * 16);
        else
            put(t, "\"%u+%02u\"", v >> 4, v & 15);
        break;
    }
    }
}

static void put_args(text *t, fuzz_reader *r)
{
    unsigned n = fuzz_byte(r) % 4;
    put(t, "(");
    for (unsigned i = 0; i < n; i++) {
        if (i)
            put(t, ", ");
        put_value(t, r, 0);
    }
    put(t, ")");
}

static void put_statement(text *t, fuzz_reader *r)
{
    unsigned kind = fuzz_byte(r) % 7, k = fuzz_byte(r) % NVARS, j = fuzz_byte(r) % NVARS;
    switch (kind) {
    case 0:
        put(t, "V[%u] = %s", k, pick(r, globals, N(globals)));
        put_args(t, r);
        break;
    case 1: /* track "A" { ... } */
        put(t, "V[%u] = %s(", k, pick(r, globals, N(globals)));
        put_value(t, r, 0);
        put(t, ")(");
        put_value(t, r, 0);
        put(t, ")");
        break;
    case 2:
        put(t, "V[%u] = V[%u]:%s", k, j, pick(r, methods, N(methods)));
        put_args(t, r);
        break;
    case 3:
        put(t, "V[%u] = V[%u].%s", k, j, pick(r, fields, N(fields)));
        break;
    case 4:
        put(t, "V[%u].%s = ", j, pick(r, fields, N(fields)));
        put_value(t, r, 0);
        break;
    case 5:
        put(t, "V[%u] = V[%u]", k, j);
        put_args(t, r);
        break;
    default: {
        static const char *const ops[] = {"V[%u] = V[%u] - ", "V[%u] = V[%u] + ", "V[%u] = V[%u] .. ",
                                          "V[%u] = #V[%u] + ", "V[%u] = tostring(V[%u]) .. "};
        unsigned op = fuzz_byte(r) % (N(ops) + 1);
        if (op == N(ops)) { /* only the shipped modules: a random name could be the script itself */
            put(t, "V[%u] = require \"%s\"", k, pick(r, modules, N(modules)));
        } else {
            put(t, ops[op], k, j);
            put_value(t, r, 0);
        }
        break;
    }
    }
}

static int media_made;

static void write_wav(const char *dir, const char *name, int rate, int channels, int frames, int format)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = SF_FORMAT_WAV | format};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f)
        return;
    float *buf = calloc((size_t)frames * (size_t)channels, sizeof *buf);
    if (buf) {
        for (int i = 0; i < frames; i++)
            for (int c = 0; c < channels; c++)
                buf[(size_t)i * (size_t)channels + (size_t)c] = 0.25f * sinf(0.05f * (float)(i * (c + 1)));
        sf_writef_float(f, buf, frames);
        free(buf);
    }
    sf_close(f);
}

/* The scratch media every input may name: tiny generated files, no audio
 * from anywhere else. */
static void make_media(const char *dir)
{
    static const uint8_t cues[] = "# cues\n1s door\n2.5s thunder\n00:00:03:00 shot 14\n";
    static const uint8_t trims[] = "return { [\"A.gain\"] = -3 }\n";
    /* two cuts of the scratch media (24 fps, a frame is 2,000 samples: mono.wav is 2.4 frames), the second
     * trimmed, re-ordered and on a longer dissolve, and a timeline with a nest and a dissolve */
    static const uint8_t cut[] =
        "TITLE: FUZZ A\n"
        "001  MONO     AA/V  C        00:00:00:00 00:00:00:01 00:00:00:00 00:00:00:01\n"
        "* FROM CLIP NAME: mono\n"
        "002  MONO     AA/V  C        00:00:00:01 00:00:00:01 00:00:00:01 00:00:00:01\n"
        "002  R44      AA/V  D    001 00:00:00:00 00:00:00:02 00:00:00:01 00:00:00:03\n"
        "* FROM CLIP NAME: mono\n"
        "* TO CLIP NAME: r44\n";
    static const uint8_t cut2[] =
        "TITLE: FUZZ B\n"
        "001  R44      AA/V  C        00:00:00:00 00:00:00:01 00:00:00:00 00:00:00:01\n"
        "* FROM CLIP NAME: r44\n"
        "002  R44      AA/V  C        00:00:00:01 00:00:00:01 00:00:00:01 00:00:00:01\n"
        "002  MONO     AA/V  D    002 00:00:00:00 00:00:00:02 00:00:00:01 00:00:00:03\n"
        "* FROM CLIP NAME: r44\n"
        "* TO CLIP NAME: mono\n";
#define RT_(v) "{\"OTIO_SCHEMA\": \"RationalTime.1\", \"value\": " v ", \"rate\": 24}"
#define CLIP_(n, s, d) "{\"OTIO_SCHEMA\": \"Clip.1\", \"name\": \"" n "\", \"source_range\": {\"OTIO_SCHEMA\": " \
    "\"TimeRange.1\", \"start_time\": " RT_(s) ", \"duration\": " RT_(d) "}, \"media_reference\": {\"OTIO_SCHEMA\": " \
    "\"ExternalReference.1\", \"target_url\": \"" n ".wav\"}}"
    static const uint8_t otio[] =
        "{\"OTIO_SCHEMA\": \"Timeline.1\", \"name\": \"fuzz\", \"tracks\": {\"OTIO_SCHEMA\": \"Stack.1\", "
        "\"children\": [{\"OTIO_SCHEMA\": \"Track.1\", \"kind\": \"Audio\", \"children\": [" CLIP_("mono", "0", "1")
        ", {\"OTIO_SCHEMA\": \"Transition.1\", \"in_offset\": " RT_("0") ", \"out_offset\": " RT_("1") "}, "
        CLIP_("r44", "0", "1") ", {\"OTIO_SCHEMA\": \"Stack.1\", \"source_range\": {\"OTIO_SCHEMA\": \"TimeRange.1\", "
        "\"start_time\": " RT_("1") ", \"duration\": " RT_("1") "}, \"children\": [" CLIP_("mono", "0", "2") "]}]}]}}\n";
#undef CLIP_
#undef RT_
    char path[512];
    write_wav(dir, "mono.wav", 48000, 1, 4800, SF_FORMAT_FLOAT);
    write_wav(dir, "stereo.wav", 48000, 2, 2400, SF_FORMAT_PCM_16);
    write_wav(dir, "r44.wav", 44100, 1, 4410, SF_FORMAT_PCM_24);
    write_wav(dir, "six.wav", 48000, 6, 480, SF_FORMAT_PCM_24);
    fuzz_write_file("cues.txt", cues, sizeof cues - 1, path, sizeof path);
    fuzz_write_file("mix.trims.lua", trims, sizeof trims - 1, path, sizeof path);
    fuzz_write_file("cut.edl", cut, sizeof cut - 1, path, sizeof path);
    fuzz_write_file("cut2.edl", cut2, sizeof cut2 - 1, path, sizeof path);
    fuzz_write_file("cut.otio", otio, sizeof otio - 1, path, sizeof path);
    snprintf(path, sizeof path, "%s/out", dir);
    mkdir(path, 0700);
    media_made = 1;
}

static void empty_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static text program;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir();
    char script[512], out_dir[512], err[DS_ERR_LEN] = "";
    if (!dir)
        return 0;
    if (!media_made)
        make_media(dir);
    snprintf(out_dir, sizeof out_dir, "%s/out", dir);

    fuzz_reader rd = {data, size, 0};
    unsigned flags = fuzz_byte(&rd);
    text *t = &program;
    t->len = 0;
    t->full = 0;
    put(t, "local V = {}\nlocal P = pcall\n");
    for (int i = 0; i < MAX_STMTS && rd.i < rd.n && !t->full; i++) {
        int bare = fuzz_byte(&rd) % 8 == 0;
        size_t mark = t->len;
        put(t, bare ? "" : "P(function() ");
        put_statement(t, &rd);
        put(t, bare ? "\n" : " end)\n");
        if (t->full) { /* drop the statement cut short */
            t->len = mark;
            t->s[mark] = '\0';
        }
    }
    if (fuzz_write_file("fuzz-mix.lua", (const uint8_t *)t->s, t->len, script, sizeof script) != 0)
        return 0;
    if (getenv("FUZZ_SCRIPT_PRINT")) /* to read what an input does: the program it decodes to */
        fprintf(stderr, "%s", t->s);

    vm_script_opts so = {.out_dir = out_dir, .allow_any_path = 0, .stdlib_dir = DS_STDLIB_DIR};
    vm_desc d;
    plan *p = NULL;
    if (vm_script_load(script, &so, &d, err) != DS_OK)
        goto done;
    int64_t len = vm_desc_length(&d);
    d.length = len > MAX_RENDER ? MAX_RENDER : len;
    if (vm_duck_analyse(&d, 256, err) != DS_OK)
        goto done;
    if (vm_compile(&d, 256, &p, err) != DS_OK)
        goto done;
    if (flags & 1) {
        vm_render_opts ro = {.block = 1 + (int)(flags >> 1) % 256, .measure = (flags >> 5) & 1, .threads = 1};
        vm_render(p, &ro, NULL, err);
        empty_folder(out_dir);
    }
done:
    if (getenv("FUZZ_SCRIPT_PRINT"))
        fprintf(stderr, "-> %s\n", err[0] ? err : "ok");
    FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
    vm_plan_free(&p);
    vm_desc_free(&d);
    return 0;
}
