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
    int nitems;
} walker;

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

static ds_result clip_item(walker *W, const vm_json *it, const char *jpath, uint32_t tracks, int number,
                           int64_t *rec, vm_edit_event **stored)
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
    ev.rec_in = *rec;
    ev.rec_out = *rec + dur;
    ev.src_in = start;
    /* the source covers the record length times the speed */
    if (ev.speed_den) /* |num| <= 1000 den and dur < 1e12: no product passes 1e15 */
        ev.src_out = start + dur / ev.speed_den * ev.speed_num + dur % ev.speed_den * ev.speed_num / ev.speed_den;
    else
        ev.src_out = start + dur;
    if (ev.src_out < ev.src_in)
        ev.src_out = ev.src_in; /* backwards: the range is [src_in, src_in + |...|) read in reverse */
    *rec += dur;
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

static ds_result track(walker *W, const vm_json *tr, const char *tpath, int64_t start)
{
    char p[PATH_LEN + 32], schema[64];
    const char *kind = vm_json_get_string(tr, "kind");
    const vm_json *children = vm_json_get(tr, "children");
    uint32_t tracks;
    int64_t rec = start;
    int number = 0, prev = -1, pending = 0;
    vm_edit_join join;
    ds_result r;

    if (kind && strcmp(kind, "Audio") == 0) {
        if (++W->naudio > VM_EDIT_MAX_AUDIO)
            return fail(W, tpath, "more than %d audio tracks", VM_EDIT_MAX_AUDIO);
        tracks = VM_EDIT_AUDIO(W->naudio);
    } else if (kind && strcmp(kind, "Video") == 0) {
        tracks = VM_EDIT_VIDEO;
    } else {
        jp(p, sizeof p, tpath, ".kind");
        return fail(W, p, "a track's kind is \"Audio\" or \"Video\", found %s%s%s", kind ? "\"" : "",
                    kind ? kind : type_name(vm_json_get(tr, "kind")), kind ? "\"" : "");
    }
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
            if (prev >= 0)
                vm_edit_event_mut(W->e, prev)->out = join;
            pending = 1;
            continue;
        }
        if (strcmp(s, "Clip") == 0) {
            if ((r = clip_item(W, it, p, tracks, ++number, &rec, &ev)) != DS_OK)
                return r;
        } else if (strcmp(s, "Gap") == 0) {
            vm_edit_event gap;
            int64_t gs, gd;
            char gp[PATH_LEN + 16];
            memset(&gap, 0, sizeof gap);
            jp(gp, sizeof gp, p, ".source_range");
            if ((r = range_of(W, vm_json_get(it, "source_range"), gp, &gs, &gd)) != DS_OK)
                return r;
            gap.kind = VM_EDIT_EVENT_GAP;
            gap.number = ++number;
            gap.tracks = tracks;
            gap.media_in = -1;
            gap.rec_in = rec;
            gap.rec_out = rec + gd;
            rec += gd;
            if ((r = add(W, &gap, p, &ev)) != DS_OK)
                return r;
        } else if (strcmp(s, "Stack") == 0 || strcmp(s, "Track") == 0) {
            return fail(W, p, "a %s inside a track is not read: flatten the timeline first (otiotool --flatten)", s);
        } else {
            return fail(W, p, "unknown item '%s' in a track (Clip, Gap, Transition)", s);
        }
        if (pending) {
            ev->in = join;
            pending = 0;
        }
        prev = vm_edit_count(W->e) - 1;
    }
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
