/* otio.c - OpenTimelineIO JSON into an edit (otio.h). The file is parsed
 * whole by vm/json, then walked: Timeline -> Stack -> Tracks -> items, with
 * the JSON path of each value kept for messages. */
#include "vm/otio.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/json.h"

#define PATH_LEN 256

typedef struct {
    const char *path;
    const vm_fps *fps;
    char *err;
    vm_edit *e;
    int naudio;
    int nvideo;                      /* the timeline's video tracks so far: the next one's layer */
    int nitems;
} walker;

/* Nests (a Stack or Track inside a track) are flattened: each nest has a
 * time of its own, which its source_range trims and places. A window says
 * where the items being walked land: inner frame u is record frame
 * u + shift, and only inner frames [lo, hi) are seen (what lies outside is
 * trimmed away). The top level sees everything: shift is the timeline's
 * start. */
#define MAX_NEST 8                   /* nests inside nests */
#define NEST_LAYER_BITS 4            /* a nested Stack's child's place in vm_edit_event.sublayer, one digit a depth */
#define NEST_LAYERS (1 << NEST_LAYER_BITS)
#define UNBOUNDED ((int64_t)1 << 62) /* |every time| < 2^61: sums stay inside int64 */

typedef struct {
    int64_t shift, lo, hi;
    int depth;                       /* nests around these items */
    int number;                      /* inside a nest: the number of its events (the nest's place in the
                                        outer track); 0 at the top level (each item its own) */
} window;

/* base followed by a suffix (printf format): a JSON path for a message,
 * cut at n bytes (a long path only shortens the message). */
static void jp(char *out, size_t n, const char *base, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void jp(char *out, size_t n, const char *base, const char *fmt, ...)
{
    va_list ap;
    size_t k = strlen(base);
    if (k >= n)
        k = n - 1;
    memmove(out, base, k);
    va_start(ap, fmt);
    vsnprintf(out + k, n - k, fmt, ap);
    va_end(ap);
}

static ds_result fail(walker *W, const char *jpath, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static ds_result fail(walker *W, const char *jpath, const char *fmt, ...)
{
    char msg[DS_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ds_fail(W->err, DS_ERR_FORMAT, "%s: %s: %s", W->path, jpath, msg);
}

static const char *type_name(const vm_json *v)
{
    static const char *const names[] = {"null", "false", "true", "a number", "a string", "an array", "an object"};
    return v ? names[v->type] : "missing";
}

/* The schema name without its version: "Clip.2" -> "Clip" (into buf). */
static const char *schema_of(const vm_json *o, char *buf, size_t n)
{
    const char *s = vm_json_get_string(o, "OTIO_SCHEMA");
    if (!s || o->type != VM_JSON_OBJECT)
        return NULL;
    snprintf(buf, n, "%s", s);
    char *dot = strrchr(buf, '.');
    if (dot)
        *dot = '\0';
    if (strcmp(buf, "Sequence") == 0) /* the first schema's name for a Track (OTIO reads Sequence.1 as Track.1) */
        snprintf(buf, n, "Track");
    return buf;
}

static int is_schema(const vm_json *o, const char *name)
{
    char buf[64];
    const char *s = schema_of(o, buf, sizeof buf);
    return s && strcmp(s, name) == 0;
}

/* A RationalTime at jpath into whole frames at the edit's rate. */
static ds_result frames_of(walker *W, const vm_json *t, const char *jpath, int64_t *frames)
{
    double value, rate;
    if (!t || t->type != VM_JSON_OBJECT)
        return fail(W, jpath, "a RationalTime ({\"value\": ..., \"rate\": ...}) expected, found %s", type_name(t));
    char vpath[PATH_LEN + 16];
    if (!vm_json_get_number(t, "value", &value)) {
        jp(vpath, sizeof vpath, jpath, ".value");
        return fail(W, vpath, "a number expected, found %s", type_name(vm_json_get(t, "value")));
    }
    if (!vm_json_get_number(t, "rate", &rate)) {
        jp(vpath, sizeof vpath, jpath, ".rate");
        return fail(W, vpath, "a number expected, found %s", type_name(vm_json_get(t, "rate")));
    }
    if (!(rate > 0) || rate > 1e7) {
        jp(vpath, sizeof vpath, jpath, ".rate");
        return fail(W, vpath, "rate %g is not a frame or sample rate (above 0, at most 10,000,000)", rate);
    }
    double fps = (double)W->fps->num / W->fps->den, f;
    if (fabs(rate - W->fps->nominal) < 0.5)
        f = value; /* 24 and 23.976 on a 23.976 edit both count frames */
    else
        f = value * fps / rate;
    if (!(fabs(f) < 1e12)) { /* 1,300 years at 24 fps: keeps every sum and product below in int64 */
        jp(vpath, sizeof vpath, jpath, ".value");
        return fail(W, vpath, "value %g at rate %g is out of range", value, rate);
    }
    double whole = floor(f + 0.5);
    if (fabs(f - whole) > 1e-6) {
        jp(vpath, sizeof vpath, jpath, ".value");
        return fail(W, vpath, "value %.10g at rate %g is not a whole frame at %s fps", value, rate, W->fps->name);
    }
    *frames = (int64_t)whole;
    return DS_OK;
}

/* A TimeRange: start and duration in frames (duration >= 0). */
static ds_result range_of(walker *W, const vm_json *r, const char *jpath, int64_t *start, int64_t *dur)
{
    char p[PATH_LEN + 16];
    ds_result res;
    if (!r || r->type != VM_JSON_OBJECT)
        return fail(W, jpath, "a TimeRange ({\"start_time\": ..., \"duration\": ...}) expected, found %s",
                    type_name(r));
    jp(p, sizeof p, jpath, ".start_time");
    if ((res = frames_of(W, vm_json_get(r, "start_time"), p, start)) != DS_OK)
        return res;
    jp(p, sizeof p, jpath, ".duration");
    if ((res = frames_of(W, vm_json_get(r, "duration"), p, dur)) != DS_OK)
        return res;
    if (*dur < 0)
        return fail(W, p, "a negative duration (%lld frames)", (long long)*dur);
    if (*start < 0) {
        jp(p, sizeof p, jpath, ".start_time");
        return fail(W, p, "a negative start (%lld frames)", (long long)*start);
    }
    return DS_OK;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* target_url as a path: "file:///a/b%20c.wav" -> "/a/b c.wav",
 * "file://localhost/x" -> "/x"; anything else as written. */
static size_t url_path(const char *url, char *out, size_t cap)
{
    size_t n = 0;
    const char *s = url;
    int file = strncmp(s, "file://", 7) == 0;
    if (file) {
        s += 7;
        if (strncmp(s, "localhost/", 10) == 0)
            s += 9;
    }
    for (; *s && n + 1 < cap; s++) {
        int a, b;
        if (file && s[0] == '%' && (a = hexval((unsigned char)s[1])) >= 0 && (b = hexval((unsigned char)s[2])) >= 0
            && (a || b)) {
            out[n++] = (char)(a * 16 + b);
            s += 2;
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
    return n;
}

static ds_result name_field(walker *W, const vm_json *o, const char *key, const char *jpath, const char **out)
{
    const vm_json *v = vm_json_get(o, key);
    char p[PATH_LEN + 16];
    *out = "";
    if (!v || v->type == VM_JSON_NULL)
        return DS_OK;
    jp(p, sizeof p, jpath, "%s%s", *jpath ? "." : "", key);
    if (v->type != VM_JSON_STRING)
        return fail(W, p, "a string expected, found %s", type_name(v));
    if (v->length > VM_EDIT_MAX_NAME)
        return fail(W, p, "%zu bytes long; the most taken is %d", v->length, VM_EDIT_MAX_NAME);
    if (strlen(v->string) != v->length)
        return fail(W, p, "a NUL character (\\u0000) in a name");
    *out = v->string;
    return DS_OK;
}

static ds_result speed_of(walker *W, const vm_json *clip, const char *jpath, vm_edit_event *ev)
{
    const vm_json *fx = vm_json_get(clip, "effects");
    char p[PATH_LEN + 32];
    if (!fx || fx->type == VM_JSON_NULL)
        return DS_OK;
    jp(p, sizeof p, jpath, ".effects");
    if (fx->type != VM_JSON_ARRAY)
        return fail(W, p, "an array expected, found %s", type_name(fx));
    for (int i = 0; i < fx->n; i++) {
        const vm_json *e = &fx->items[i];
        double ts;
        jp(p, sizeof p, jpath, ".effects[%d]", i);
        if (is_schema(e, "FreezeFrame")) {
            ev->speed_num = 0;
            ev->speed_den = 1;
        } else if (is_schema(e, "LinearTimeWarp")) {
            if (!vm_json_get_number(e, "time_scalar", &ts) || !(fabs(ts) <= 1000))
                return fail(W, p, "a LinearTimeWarp needs a time_scalar from -1000 to 1000");
            /* the scalar as a ratio over 10^6 (OTIO writes it as a decimal) */
            ev->speed_num = (int64_t)llround(ts * 1000000.0);
            ev->speed_den = 1000000;
            for (int64_t g = ev->speed_num ? llabs(ev->speed_num) : 1000000, d = 1000000; ; ) {
                int64_t t = g % d;
                g = d;
                d = t;
                if (!d) {
                    ev->speed_num /= g;
                    ev->speed_den /= g;
                    break;
                }
            }
        }
    }
    return DS_OK;
}

static ds_result add(walker *W, vm_edit_event *ev, const char *jpath, vm_edit_event **stored)
{
    char where[PATH_LEN + 1024];
    jp(where, sizeof where, W->path, ": %s", jpath);
    ev->where = where;
    return vm_edit_add(W->e, ev, stored, W->err);
}

/* The part of an item at inner [t, t + dur) that window w shows: 1 with
 * [*a, *b) (inner frames), or 0 when none of it is seen. */
static int seen(const window *w, int64_t t, int64_t dur, int64_t *a, int64_t *b)
{
    *a = t > w->lo ? t : w->lo;
    *b = t + dur < w->hi ? t + dur : w->hi;
    return dur > 0 ? *a < *b : t >= w->lo && t < w->hi;
}

static ds_result clip_item(walker *W, const vm_json *it, const char *jpath, uint32_t tracks, int number,
                           int64_t *rec, const window *win, vm_edit_event **stored)
{
    vm_edit_event ev;
    ds_result r;
    char p[PATH_LEN + 64], url[VM_EDIT_MAX_NAME + 1];
    const vm_json *ref = vm_json_get(it, "media_reference"), *sr = vm_json_get(it, "source_range");
    const vm_json *refs = vm_json_get(it, "media_references");
    const char *active = vm_json_get_string(it, "active_media_reference_key");
    const vm_json *en = vm_json_get(it, "enabled");
    int64_t start = 0, dur = 0, avail_start = -1, avail_dur = 0;

    memset(&ev, 0, sizeof ev);
    ev.kind = VM_EDIT_EVENT_CLIP;
    ev.number = number;
    ev.tracks = tracks;
    ev.media_in = -1;
    if ((r = name_field(W, it, "name", jpath, &ev.clip)) != DS_OK)
        return r;
    /* the reel an EDL adapter kept (metadata.cmx_3600.reel) */
    if ((r = name_field(W, vm_json_get(vm_json_get(it, "metadata"), "cmx_3600"), "reel", jpath, &ev.reel)) != DS_OK)
        return r;
    url[0] = '\0';
    if (!ref && refs && refs->type == VM_JSON_OBJECT && active) { /* Clip.2: several, one active */
        ref = vm_json_get(refs, active);
        jp(p, sizeof p, jpath, ".media_references.%s", active);
    } else {
        jp(p, sizeof p, jpath, ".media_reference");
    }
    if (ref && ref->type != VM_JSON_NULL) {
        if (ref->type != VM_JSON_OBJECT)
            return fail(W, p, "an object expected, found %s", type_name(ref));
        const vm_json *ar = vm_json_get(ref, "available_range");
        if (ar && ar->type != VM_JSON_NULL) {
            char ap[PATH_LEN + 96];
            jp(ap, sizeof ap, p, ".available_range");
            if ((r = range_of(W, ar, ap, &avail_start, &avail_dur)) != DS_OK)
                return r;
            ev.media_in = avail_start;
        }
        if (is_schema(ref, "ExternalReference")) {
            const char *t;
            if ((r = name_field(W, ref, "target_url", p, &t)) != DS_OK)
                return r;
            url_path(t, url, sizeof url);
        }
    }
    ev.file = url;
    if (sr && sr->type != VM_JSON_NULL) {
        jp(p, sizeof p, jpath, ".source_range");
        if ((r = range_of(W, sr, p, &start, &dur)) != DS_OK)
            return r;
    } else if (avail_start >= 0) {
        start = avail_start;
        dur = avail_dur;
    } else {
        jp(p, sizeof p, jpath, ".source_range");
        return fail(W, p, "a clip needs a source_range (or a media reference with an available_range)");
    }
    if ((r = speed_of(W, it, jpath, &ev)) != DS_OK)
        return r;
    if (en && en->type == VM_JSON_FALSE)
        ev.kind = VM_EDIT_EVENT_GAP; /* a disabled clip is heard as nothing */
    int64_t a, b, t = *rec;
    *rec += dur;
    *stored = NULL;
    if (!seen(win, t, dur, &a, &b))
        return DS_OK; /* trimmed away by the nest it is in */
    if (win->number)
        ev.number = win->number;
    if (!ev.speed_den) {
        ev.speed_num = 1;
        ev.speed_den = 1;
    }
    /* what the nest trims off its head is source skipped at the clip's speed (|num| <= 1000 den <= 10^9
     * and head < 10^12: split as below, no product passes 10^15) */
    int64_t head = a - t;
    if (head && (ev.speed_num < 0 || head % ev.speed_den * ev.speed_num % ev.speed_den)) {
        jp(p, sizeof p, jpath, ".effects");
        return fail(W, p, "the nest it is in starts %lld frames into it, which at its speed (%.6g) is not a whole "
                    "source frame forwards: cannot be represented", (long long)head,
                    (double)ev.speed_num / (double)ev.speed_den);
    }
    start += head / ev.speed_den * ev.speed_num + head % ev.speed_den * ev.speed_num / ev.speed_den;
    dur = b - a;
    ev.rec_in = a + win->shift;
    ev.rec_out = b + win->shift;
    ev.src_in = start;
    /* the source covers the record length times the speed */
    ev.src_out = start + dur / ev.speed_den * ev.speed_num + dur % ev.speed_den * ev.speed_num / ev.speed_den;
    if (ev.src_out < ev.src_in)
        ev.src_out = ev.src_in; /* backwards: the range is [src_in, src_in + |...|) read in reverse */
    return add(W, &ev, jpath, stored);
}

static ds_result transition_item(walker *W, const vm_json *it, const char *jpath, vm_edit_join *join)
{
    char p[PATH_LEN + 32];
    int64_t in_off, out_off;
    ds_result r;
    const char *type = vm_json_get_string(it, "transition_type");
    jp(p, sizeof p, jpath, ".in_offset");
    if ((r = frames_of(W, vm_json_get(it, "in_offset"), p, &in_off)) != DS_OK)
        return r;
    if (in_off < 0)
        return fail(W, p, "a negative offset (%lld frames)", (long long)in_off);
    jp(p, sizeof p, jpath, ".out_offset");
    if ((r = frames_of(W, vm_json_get(it, "out_offset"), p, &out_off)) != DS_OK)
        return r;
    if (out_off < 0)
        return fail(W, p, "a negative offset (%lld frames)", (long long)out_off);
    memset(join, 0, sizeof *join);
    join->kind = type && strstr(type, "Wipe") ? VM_EDIT_WIPE : VM_EDIT_DISSOLVE;
    join->frames = in_off + out_off;
    join->before = in_off;
    if (join->frames == 0)
        join->kind = VM_EDIT_CUT;
    return DS_OK;
}

/* A track's kind as the edit's track bits: "Audio" is the next audio
 * track (top: 1 for the timeline's own tracks; a nest's tracks go on the
 * track the nest is on, `outer`), "Video" is V. */
static ds_result track_kind(walker *W, const vm_json *tr, const char *tpath, int top, uint32_t outer, uint32_t *tracks)
{
    char p[PATH_LEN + 32];
    const char *kind = vm_json_get_string(tr, "kind");
    int audio = kind && strcmp(kind, "Audio") == 0, video = kind && strcmp(kind, "Video") == 0;
    if (!audio && !video) {
        jp(p, sizeof p, tpath, ".kind");
        return fail(W, p, "a track's kind is \"Audio\" or \"Video\", found %s%s%s", kind ? "\"" : "",
                    kind ? kind : type_name(vm_json_get(tr, "kind")), kind ? "\"" : "");
    }
    if (!top) {
        if (audio != (outer != VM_EDIT_VIDEO))
            return fail(W, tpath, "%s track inside a nest on %s track: its %s has no track of the timeline to go "
                        "on (flatten the timeline first)", audio ? "an Audio" : "a Video",
                        outer == VM_EDIT_VIDEO ? "a Video" : "an Audio", audio ? "sound" : "picture");
        *tracks = outer;
        return DS_OK;
    }
    if (audio) {
        if (++W->naudio > VM_EDIT_MAX_AUDIO)
            return fail(W, tpath, "more than %d audio tracks", VM_EDIT_MAX_AUDIO);
        *tracks = VM_EDIT_AUDIO(W->naudio);
    } else {
        *tracks = VM_EDIT_VIDEO;
    }
    return DS_OK;
}

static ds_result track_items(walker *W, const vm_json *tr, const char *tpath, uint32_t tracks, const window *win);

/* The frames item `it` takes in its track (transitions take none): its
 * source_range's duration, else a clip's available range, a Stack's longest
 * child, a Track's items end to end. */
static ds_result item_length(walker *W, const vm_json *it, const char *jpath, int depth, int64_t *len)
{
    char p[PATH_LEN + 32], schema[64];
    const char *s = schema_of(it, schema, sizeof schema);
    const vm_json *sr = vm_json_get(it, "source_range");
    int64_t start;
    *len = 0;
    if (!s || strcmp(s, "Transition") == 0)
        return DS_OK; /* (a missing schema is reported where the item is read) */
    if (sr && sr->type != VM_JSON_NULL) {
        jp(p, sizeof p, jpath, ".source_range");
        return range_of(W, sr, p, &start, len);
    }
    if (strcmp(s, "Clip") == 0) {
        const vm_json *ar = vm_json_get(vm_json_get(it, "media_reference"), "available_range");
        const char *active = vm_json_get_string(it, "active_media_reference_key");
        if (!ar && active)
            ar = vm_json_get(vm_json_get(vm_json_get(it, "media_references"), active), "available_range");
        jp(p, sizeof p, jpath, ".media_reference.available_range");
        if (ar && ar->type != VM_JSON_NULL)
            return range_of(W, ar, p, &start, len);
        return DS_OK; /* reading the clip says what it lacks */
    }
    if (strcmp(s, "Stack") != 0 && strcmp(s, "Track") != 0)
        return DS_OK;
    if (depth > MAX_NEST)
        return fail(W, jpath, "nests inside nests more than %d deep", MAX_NEST);
    const vm_json *children = vm_json_get(it, "children");
    if (!children || children->type != VM_JSON_ARRAY) {
        jp(p, sizeof p, jpath, ".children");
        return fail(W, p, "an array expected, found %s", type_name(children));
    }
    for (int i = 0; i < children->n; i++) {
        int64_t n;
        jp(p, sizeof p, jpath, ".children[%d]", i);
        ds_result r = item_length(W, &children->items[i], p, depth + 1, &n);
        if (r != DS_OK)
            return r;
        if (strcmp(s, "Track") == 0)
            *len += n;
        else if (n > *len)
            *len = n;
        if (*len > 1000000000000LL)
            return fail(W, jpath, "longer than 10^12 frames");
    }
    return DS_OK;
}

/* A Stack or Track inside a track, at inner frame *t of window win: its
 * items flattened onto the outer track, seen through its source_range. */
static ds_result nest_item(walker *W, const vm_json *it, const char *jpath, const char *schema, uint32_t tracks,
                           int number, int64_t *t, const window *win)
{
    char p[PATH_LEN + 32];
    ds_result r;
    if (win->depth >= MAX_NEST)
        return fail(W, jpath, "nests inside nests more than %d deep", MAX_NEST);
    const vm_json *fx = vm_json_get(it, "effects");
    for (int i = 0; fx && fx->type == VM_JSON_ARRAY && i < fx->n; i++)
        if (is_schema(&fx->items[i], "LinearTimeWarp") || is_schema(&fx->items[i], "FreezeFrame")) {
            jp(p, sizeof p, jpath, ".effects[%d]", i);
            return fail(W, p, "a speed change on a nested %s cannot be represented (its cuts would fall between "
                        "frames): make the retimed nest a clip of its own", schema);
        }
    int64_t start = 0, len;
    const vm_json *sr = vm_json_get(it, "source_range");
    if (sr && sr->type != VM_JSON_NULL) {
        jp(p, sizeof p, jpath, ".source_range");
        if ((r = range_of(W, sr, p, &start, &len)) != DS_OK)
            return r;
    } else if ((r = item_length(W, it, jpath, win->depth + 1, &len)) != DS_OK) {
        return r;
    }
    int64_t at = *t;
    *t += len;
    const vm_json *en = vm_json_get(it, "enabled");
    if (en && en->type == VM_JSON_FALSE) { /* a disabled nest: a gap as long */
        vm_edit_event gap, *stored;
        int64_t a, b;
        memset(&gap, 0, sizeof gap);
        gap.kind = VM_EDIT_EVENT_GAP;
        gap.number = win->number ? win->number : number;
        gap.tracks = tracks;
        gap.media_in = -1;
        if (!seen(win, at, len, &a, &b))
            return DS_OK;
        gap.rec_in = a + win->shift;
        gap.rec_out = b + win->shift;
        return add(W, &gap, jpath, &stored);
    }
    /* inner frame u is outer frame at + (u - start); seen where the outer window sees it */
    window in = {.shift = win->shift + at - start, .depth = win->depth + 1, .number = win->number ? win->number : number};
    in.lo = win->lo - (at - start) > start ? win->lo - (at - start) : start;
    in.hi = win->hi - (at - start) < start + len ? win->hi - (at - start) : start + len;
    if (strcmp(schema, "Track") == 0) {
        uint32_t kind;
        if ((r = track_kind(W, it, jpath, 0, tracks, &kind)) != DS_OK || (r = track_items(W, it, jpath, tracks, &in)) != DS_OK)
            return r;
    } else {
        const vm_json *children = vm_json_get(it, "children");
        if (!children || children->type != VM_JSON_ARRAY) {
            jp(p, sizeof p, jpath, ".children");
            return fail(W, p, "an array expected, found %s", type_name(children));
        }
        for (int i = 0; i < children->n; i++) {
            const vm_json *c = &children->items[i];
            char cs[64];
            const char *k = schema_of(c, cs, sizeof cs);
            int64_t zero = 0;
            vm_edit_event *stored;
            int first = vm_edit_count(W->e);
            jp(p, sizeof p, jpath, ".children[%d]", i);
            if (tracks == VM_EDIT_VIDEO && i >= NEST_LAYERS)
                return fail(W, p, "more than %d children in a nested Stack on a picture track: flatten the "
                            "timeline first (otiotool --flatten)", NEST_LAYERS);
            if (++W->nitems > VM_EDIT_MAX_EVENTS)
                return fail(W, p, "more than %d items: not an edit dubstage reads", VM_EDIT_MAX_EVENTS);
            if (!k)
                return fail(W, p, "an OTIO object (with \"OTIO_SCHEMA\") expected, found %s", type_name(c));
            if (strcmp(k, "Track") == 0) {
                uint32_t kind;
                if ((r = track_kind(W, c, p, 0, tracks, &kind)) != DS_OK || (r = track_items(W, c, p, tracks, &in)) != DS_OK)
                    return r;
            } else if (strcmp(k, "Stack") == 0) {
                if ((r = nest_item(W, c, p, k, tracks, number, &zero, &in)) != DS_OK)
                    return r;
            } else if (strcmp(k, "Clip") == 0) { /* a clip right in a stack starts at the stack's start */
                if ((r = clip_item(W, c, p, tracks, number, &zero, &in, &stored)) != DS_OK)
                    return r;
            } else if (strcmp(k, "Gap") != 0) {
                return fail(W, p, "unknown item '%s' in a stack (Track, Stack, Clip, Gap)", k);
            }
            /* a later child of a Stack is on top of the earlier ones (vm/edit.h: sublayer) */
            for (int j = first; tracks == VM_EDIT_VIDEO && j < vm_edit_count(W->e); j++)
                vm_edit_event_mut(W->e, j)->sublayer += (uint32_t)i << (NEST_LAYER_BITS * (MAX_NEST - 1 - win->depth));
        }
    }
    return DS_OK;
}

/* The items of track tr (its "children"), laid end to end from inner frame
 * 0 of window win, on the edit's tracks `tracks`. */
static ds_result track_items(walker *W, const vm_json *tr, const char *tpath, uint32_t tracks, const window *win)
{
    char p[PATH_LEN + 32], schema[64];
    const vm_json *children = vm_json_get(tr, "children");
    int64_t t = 0;
    int number = 0, prev = -1, pending = 0, prev_nest = 0;
    vm_edit_join join;
    ds_result r;

    if (!children || children->type != VM_JSON_ARRAY) {
        jp(p, sizeof p, tpath, ".children");
        return fail(W, p, "an array expected, found %s", type_name(children));
    }
    memset(&join, 0, sizeof join);
    for (int i = 0; i < children->n; i++) {
        const vm_json *it = &children->items[i];
        vm_edit_event *ev = NULL;
        jp(p, sizeof p, tpath, ".children[%d]", i);
        const char *s = schema_of(it, schema, sizeof schema);
        if (!s)
            return fail(W, p, "an OTIO object (with \"OTIO_SCHEMA\") expected, found %s", type_name(it));
        if (++W->nitems > VM_EDIT_MAX_EVENTS)
            return fail(W, p, "more than %d items: not an edit dubstage reads", VM_EDIT_MAX_EVENTS);
        if (strcmp(s, "Transition") == 0) {
            if (pending)
                return fail(W, p, "a transition right after another one (at %s.children[%d])", tpath, i - 1);
            if ((r = transition_item(W, it, p, &join)) != DS_OK)
                return r;
            /* inside a nest, a transition its source_range cuts away is gone; one it cuts through cannot be
             * represented */
            int64_t a = t - join.before, b = t + (join.frames - join.before);
            if (join.frames && (b <= win->lo || a >= win->hi))
                continue;
            if (join.frames && (a < win->lo || b > win->hi))
                return fail(W, p, "the nest's source_range cuts through this transition: cannot be represented");
            if (join.frames && prev_nest)
                return fail(W, p, "a transition from a nested Stack or Track cannot be represented");
            if (prev >= 0)
                vm_edit_event_mut(W->e, prev)->out = join;
            pending = 1;
            continue;
        }
        ++number;
        if (strcmp(s, "Clip") == 0) {
            if ((r = clip_item(W, it, p, tracks, number, &t, win, &ev)) != DS_OK)
                return r;
        } else if (strcmp(s, "Gap") == 0) {
            vm_edit_event gap;
            int64_t gs, gd, a, b;
            char gp[PATH_LEN + 16];
            memset(&gap, 0, sizeof gap);
            jp(gp, sizeof gp, p, ".source_range");
            if ((r = range_of(W, vm_json_get(it, "source_range"), gp, &gs, &gd)) != DS_OK)
                return r;
            gap.kind = VM_EDIT_EVENT_GAP;
            gap.number = win->number ? win->number : number;
            gap.tracks = tracks;
            gap.media_in = -1;
            if (seen(win, t, gd, &a, &b)) {
                gap.rec_in = a + win->shift;
                gap.rec_out = b + win->shift;
                if ((r = add(W, &gap, p, &ev)) != DS_OK)
                    return r;
            }
            t += gd;
        } else if (strcmp(s, "Stack") == 0 || strcmp(s, "Track") == 0) {
            if (pending && join.frames)
                return fail(W, p, "a transition into a nested %s cannot be represented", s);
            if ((r = nest_item(W, it, p, s, tracks, number, &t, win)) != DS_OK)
                return r;
            pending = 0;
            prev = -1; /* nothing to join a transition after it to */
            prev_nest = 1;
            continue;
        } else {
            return fail(W, p, "unknown item '%s' in a track (Clip, Gap, Transition, Stack, Track)", s);
        }
        if (pending) {
            if (ev)
                ev->in = join;
            else if (join.frames)
                return fail(W, p, "the nest's source_range cuts through the transition into this item: cannot be "
                            "represented");
            pending = 0;
        }
        prev = ev ? vm_edit_count(W->e) - 1 : -1;
        prev_nest = 0;
    }
    return DS_OK;
}

static ds_result track(walker *W, const vm_json *tr, const char *tpath, int64_t start)
{
    uint32_t tracks;
    ds_result r = track_kind(W, tr, tpath, 1, 0, &tracks);
    if (r != DS_OK)
        return r;
    window top = {.shift = start, .lo = -UNBOUNDED, .hi = UNBOUNDED};
    int first = vm_edit_count(W->e), layer = tracks == VM_EDIT_VIDEO ? W->nvideo++ : 0;
    if ((r = track_items(W, tr, tpath, tracks, &top)) != DS_OK)
        return r;
    for (int i = first; i < vm_edit_count(W->e); i++) /* a nest's events too: they are on this track */
        vm_edit_event_mut(W->e, i)->layer = layer;
    return DS_OK;
}

ds_result vm_otio_parse(const char *path, const char *text, size_t n, const vm_fps *fps, vm_edit **out, char *err)
{
    walker W;
    vm_json *doc = NULL;
    char why[DS_ERR_LEN], p[PATH_LEN];
    ds_result r;
    int64_t start = 0;

    *out = NULL;
    memset(&W, 0, sizeof W);
    W.path = path;
    W.fps = fps;
    W.err = err;
    r = vm_json_parse(text, n, &doc, why);
    if (r != DS_OK)
        return ds_fail(err, r, "%s: %s", path, why);
    W.e = vm_edit_new(path, fps, VM_EDIT_FROM_OTIO);
    if (!W.e) {
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory reading '%s'", path);
        goto done;
    }
    if (!is_schema(doc, "Timeline")) {
        char schema[64];
        const char *s = schema_of(doc, schema, sizeof schema);
        r = ds_fail(err, DS_ERR_FORMAT, "%s: not an OpenTimelineIO timeline (the top is %s%s%s, not a Timeline)", path,
                    s ? "a " : "", s ? s : type_name(doc), s ? "" : " without OTIO_SCHEMA");
        goto done;
    }
    const char *title;
    if ((r = name_field(&W, doc, "name", "", &title)) != DS_OK
        || (r = vm_edit_set_title(W.e, title, strlen(title), err)) != DS_OK)
        goto done;
    const vm_json *gst = vm_json_get(doc, "global_start_time");
    if (gst && gst->type != VM_JSON_NULL && (r = frames_of(&W, gst, "global_start_time", &start)) != DS_OK)
        goto done;
    if (start < 0) {
        r = fail(&W, "global_start_time", "a negative start (%lld frames)", (long long)start);
        goto done;
    }
    const vm_json *stack = vm_json_get(doc, "tracks");
    if (!is_schema(stack, "Stack")) {
        r = fail(&W, "tracks", "a Stack expected, found %s", type_name(stack));
        goto done;
    }
    const vm_json *tracks = vm_json_get(stack, "children");
    if (!tracks || tracks->type != VM_JSON_ARRAY) {
        r = fail(&W, "tracks.children", "an array expected, found %s", type_name(tracks));
        goto done;
    }
    for (int i = 0; i < tracks->n; i++) {
        snprintf(p, sizeof p, "tracks.children[%d]", i);
        if (!is_schema(&tracks->items[i], "Track")) {
            r = fail(&W, p, "a Track expected, found %s", type_name(&tracks->items[i]));
            goto done;
        }
        if ((r = track(&W, &tracks->items[i], p, start)) != DS_OK)
            goto done;
    }
    if (vm_edit_count(W.e) == 0) {
        r = ds_fail(err, DS_ERR_FORMAT, "%s: the timeline has no clip and no gap", path);
        goto done;
    }
    *out = W.e;
    W.e = NULL;
    r = DS_OK;
done:
    vm_edit_free(&W.e);
    vm_json_free(&doc);
    return r;
}

ds_result vm_otio_load(const char *path, const vm_fps *fps, vm_edit **out, char *err)
{
    return vm_edit_load_file(path, "OpenTimelineIO file", "an OTIO timeline", vm_otio_parse, fps, out, err);
}
