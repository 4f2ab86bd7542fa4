/* timecode.c - SMPTE timecode (SMPTE ST 12-1 drop-frame counting), feet+frames,
 * seconds and sample strings, all turned into integer sample indices.
 *
 * Everything is exact 64-bit integer arithmetic. The frame <-> sample maps
 * use the fact that N frames (rate num/den) last exactly rate*den samples, so
 * a frame count is split into whole periods plus a remainder below num: the
 * products stay far below 2^63 for any sample rate up to VM_TC_MAX_RATE and
 * any frame count whose sample index fits in int64 at all.
 */
#include "vm/timecode.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sample rates above this could overflow the seconds-string arithmetic. */
#define VM_TC_MAX_RATE 4000000
/* Below 60 Hz (the fastest frame rate) a frame count exceeds its sample
 * index, and samples -> frames overflows for positions the time words
 * accept (found by tests/fuzz/fuzz_timecode.c: "1e18 s" at 1 Hz); 1 kHz is
 * far below any audio rate. */
#define VM_TC_MIN_RATE 1000

/* How much of a user's string an error message quotes. */
#define QUOTE_MAX 64

static const vm_fps fps_table[] = {
    { 24000, 1001, 24, 0, "23.976" },
    { 24, 1, 24, 0, "24" },
    { 25, 1, 25, 0, "25" },
    { 30000, 1001, 30, 2, "29.97" },
    { 30, 1, 30, 0, "30" },
    { 48, 1, 48, 0, "48" },
    { 50, 1, 50, 0, "50" },
    { 60000, 1001, 60, 4, "59.94" },
    { 60, 1, 60, 0, "60" },
};

#define VALID_RATES "23.976, 24, 25, 29.97, 30, 48, 50, 59.94 or 60"

static const char time_forms[] =
    "write timecode HH:MM:SS:FF, seconds (2.5 or \"2.5s\", \"250ms\"), "
    "samples (\"96000smp\") or feet+frames (\"123+05\")";

/* ---------------------------------------------------------------- helpers */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* Trims leading and trailing white space: *len gets the trimmed length. */
static const char *trim(const char *s, size_t *len)
{
    size_t n;
    while (*s && isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    *len = n;
    return s;
}

/* Quoted strings in messages are the trimmed input, cut at QUOTE_MAX. */
static int qlen(size_t len)
{
    return len > QUOTE_MAX ? QUOTE_MAX : (int)len;
}

static const char *fps_label(const vm_fps *fps)
{
    return fps->name[0] ? fps->name : "this frame rate";
}

/* Labels per 24 h: the wrap point of a timecode counter. */
static int64_t frames_per_day(const vm_fps *fps, int drop)
{
    int64_t n = fps->nominal;
    if (drop && fps->drop_per_min > 0)
        return 144 * (600 * n - 9 * (int64_t)fps->drop_per_min);
    return 86400 * n;
}

/* ------------------------------------------------------------- frame rates */

ds_result vm_fps_parse(const char *s, vm_fps *out, char *err)
{
    char buf[32];
    size_t len, tlen, i;
    int df = 0;
    const char *t;

    if (!s)
        return ds_fail(err, DS_ERR_ARG, "no frame rate given: use " VALID_RATES);
    t = trim(s, &tlen);
    len = tlen;
    if (len == 0 || len >= sizeof buf)
        return ds_fail(err, DS_ERR_ARG, "'%.*s' is not a frame rate: use " VALID_RATES,
                       qlen(len), t);
    for (i = 0; i < len; i++)
        buf[i] = (char)tolower((unsigned char)t[i]);
    buf[len] = '\0';

    /* A trailing "ndf" / "df" (optionally after a space, '-' or '_') is a
     * spelling habit; the timecode separator decides drop-frame. */
    if (len > 3 && strcmp(buf + len - 3, "ndf") == 0) {
        len -= 3;
    } else if (len > 2 && strcmp(buf + len - 2, "df") == 0) {
        len -= 2;
        df = 1;
    }
    while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '-' || buf[len - 1] == '_'))
        len--;
    buf[len] = '\0';
    if (strcmp(buf, "23.98") == 0)
        strcpy(buf, "23.976");

    for (i = 0; i < sizeof fps_table / sizeof fps_table[0]; i++) {
        if (strcmp(buf, fps_table[i].name) == 0) {
            if (df && fps_table[i].drop_per_min == 0)
                return ds_fail(err, DS_ERR_ARG,
                               "'%.*s': %s fps has no drop-frame (only 29.97 and 59.94 do); write %s",
                               qlen(tlen), t, fps_table[i].name, fps_table[i].name);
            *out = fps_table[i];
            return DS_OK;
        }
    }
    return ds_fail(err, DS_ERR_ARG, "'%.*s' is not a frame rate: use " VALID_RATES,
                   qlen(tlen), t);
}

/* ------------------------------------------------------ frames <-> samples */

int64_t vm_tc_frames_to_samples(const vm_fps *fps, int rate, int64_t frames)
{
    /* sample = round_half_up(frames * rate * den / num); num frames are
     * exactly rate * den samples, so split off whole periods first. */
    int64_t num = fps->num, period = (int64_t)rate * fps->den;
    int64_t q = floor_div(frames, num);
    int64_t r = frames - q * num; /* 0 <= r < num */
    return q * period + (2 * r * period + num) / (2 * num);
}

int64_t vm_tc_samples_to_frames(const vm_fps *fps, int rate, int64_t samples)
{
    /* The largest f with round_half_up(f*P/N) <= s is the largest f with
     * 2fP < 2Ns + N, i.e. floor((2Ns + N - 1) / 2P), with P = rate*den. */
    int64_t num = fps->num, period = (int64_t)rate * fps->den;
    int64_t q = floor_div(samples, period);
    int64_t r = samples - q * period; /* 0 <= r < period */
    return q * num + (2 * num * r + num - 1) / (2 * period);
}

/* -------------------------------------------------------------- timecode */

/* Writes a label for fields h, m, s, f: snprintf is too slow for a 24 h
 * round trip and a label never needs more than these digits. */
static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

void vm_tc_format(const vm_fps *fps, int64_t frames, int drop, char *buf, size_t n)
{
    char out[16];
    int64_t nom = fps->nominal, label;
    int use_drop = drop && fps->drop_per_min > 0;
    size_t len = 11;

    if (!buf || n == 0)
        return;
    if (nom <= 0 || nom > 99) { /* not a rate vm_fps_parse makes */
        snprintf(buf, n, "??:??:??:??");
        return;
    }
    frames = floor_mod(frames, frames_per_day(fps, use_drop));
    label = frames;
    if (use_drop) {
        /* Real frames -> label number: add back the labels skipped so far. */
        int64_t d = fps->drop_per_min;
        int64_t per10 = 600 * nom - 9 * d, per_min = 60 * nom - d;
        int64_t tens = frames / per10, rem = frames % per10;
        label += 9 * d * tens;
        if (rem >= 60 * nom)
            label += d * ((rem - 60 * nom) / per_min + 1);
    }
    put2(out, (int)(label / (3600 * nom)));
    out[2] = ':';
    put2(out + 3, (int)(label / (60 * nom) % 60));
    out[5] = ':';
    put2(out + 6, (int)(label / nom % 60));
    out[8] = use_drop ? ';' : ':';
    put2(out + 9, (int)(label % nom));
    out[len] = '\0';
    if (len >= n)
        len = n - 1;
    memcpy(buf, out, len);
    buf[len] = '\0';
}

ds_result vm_tc_parse(const vm_fps *fps, const char *s, int64_t *frames,
                      int *is_drop, char *err)
{
    static const char *const field_name[4] = { "hours", "minutes", "seconds", "frame" };
    static const int field_max[3] = { 23, 59, 59 };
    int v[4], semi = 0, i;
    size_t len, pos = 0;
    const char *t;

    if (!s)
        return ds_fail(err, DS_ERR_ARG, "no timecode given: write HH:MM:SS:FF");
    t = trim(s, &len);

    for (i = 0; i < 4; i++) {
        int digits = 0;
        if (i > 0) {
            if (pos < len && (t[pos] == ':' || t[pos] == ';')) {
                semi |= t[pos] == ';';
                pos++;
            } else {
                goto bad_shape;
            }
        }
        if (pos < len && t[pos] == '-')
            return ds_fail(err, DS_ERR_ARG,
                           "'%.*s' is not a timecode: the %s field is negative; "
                           "timecode fields are never negative",
                           qlen(len), t, field_name[i]);
        v[i] = 0;
        while (pos < len && isdigit((unsigned char)t[pos])) {
            if (++digits > 2)
                return ds_fail(err, DS_ERR_ARG,
                               "'%.*s' is not a timecode: the %s field has more than two digits; "
                               "write HH:MM:SS:FF",
                               qlen(len), t, field_name[i]);
            v[i] = v[i] * 10 + (t[pos] - '0');
            pos++;
        }
        if (digits == 0)
            goto bad_shape;
    }
    if (pos != len)
        goto bad_shape;

    for (i = 0; i < 3; i++) {
        if (v[i] > field_max[i])
            return ds_fail(err, DS_ERR_ARG, "'%.*s': %s %02d is out of range (00-%02d)",
                           qlen(len), t, field_name[i], v[i], field_max[i]);
    }
    if (v[3] >= fps->nominal)
        return ds_fail(err, DS_ERR_ARG, "'%.*s': frame %02d is out of range at %s fps (00-%02d)",
                       qlen(len), t, v[3], fps_label(fps), fps->nominal - 1);

    if (semi && fps->drop_per_min == 0) {
        char fixed[QUOTE_MAX + 1];
        int n = qlen(len), k;
        for (k = 0; k < n; k++)
            fixed[k] = t[k] == ';' ? ':' : t[k];
        fixed[n] = '\0';
        return ds_fail(err, DS_ERR_ARG,
                       "'%.*s': ';' marks drop-frame, which only 29.97 and 59.94 have%s; "
                       "write %s at %s fps",
                       n, t, fps->num == 24000 && fps->den == 1001 ? " (23.976 is never drop-frame)" : "",
                       fixed, fps_label(fps));
    }

    {
        int64_t nom = fps->nominal;
        int64_t minutes = 60 * (int64_t)v[0] + v[1];
        int64_t count = (3600 * (int64_t)v[0] + 60 * (int64_t)v[1] + v[2]) * nom + v[3];
        if (semi) {
            int d = fps->drop_per_min;
            if (v[1] % 10 != 0 && v[2] == 0 && v[3] < d) {
                char range[32];
                if (d == 2)
                    snprintf(range, sizeof range, ";00 and ;01");
                else
                    snprintf(range, sizeof range, ";00 to ;%02d", d - 1);
                return ds_fail(err, DS_ERR_ARG,
                               "'%.*s' does not exist at %s drop-frame: labels %s are skipped "
                               "at minute %02d (every minute except 00, 10, 20, 30, 40 and 50); "
                               "the next frame is %02d:%02d:00;%02d",
                               qlen(len), t, fps_label(fps), range, v[1], v[0], v[1], d);
            }
            count -= (int64_t)d * (minutes - minutes / 10);
        }
        *frames = count;
    }
    if (is_drop)
        *is_drop = semi;
    return DS_OK;

bad_shape:
    return ds_fail(err, DS_ERR_ARG,
                   "'%.*s' is not a timecode: write HH:MM:SS:FF (HH:MM:SS;FF for drop-frame)",
                   qlen(len), t);
}

/* -------------------------------------------------------------- timebase */

ds_result vm_timebase_init(vm_timebase *tb, int rate, const vm_fps *fps,
                           const char *start_tc, char *err)
{
    int64_t frames = 0;
    int drop = 0;
    ds_result r;

    if (rate < VM_TC_MIN_RATE || rate > VM_TC_MAX_RATE)
        return ds_fail(err, DS_ERR_ARG, "sample rate %d Hz is out of range (%d-%d)",
                       rate, VM_TC_MIN_RATE, VM_TC_MAX_RATE);
    if (!fps || fps->num <= 0 || fps->den <= 0 || fps->nominal <= 0)
        return ds_fail(err, DS_ERR_ARG, "no valid frame rate: use " VALID_RATES);
    if (start_tc) {
        r = vm_tc_parse(fps, start_tc, &frames, &drop, err);
        if (r != DS_OK)
            return r;
    }
    tb->rate = rate;
    tb->fps = *fps;
    tb->start_drop = drop;
    tb->start_frames = frames;
    tb->start_samples = vm_tc_frames_to_samples(fps, rate, frames);
    return DS_OK;
}

/* ------------------------------------------------------------ time words */

/* Reads an unsigned decimal "12", "2.5", ".5" from t[0..len): the value is
 * (*ip) + (*fp) / 10^(*fdigits). Digits past the ninth decimal are dropped
 * (a nanosecond, a small fraction of a sample at any rate we accept).
 * Returns 0 when t[0..len) is not such a number or the integer part is
 * longer than max_int_digits. */
static int read_decimal(const char *t, size_t len, int max_int_digits,
                        int64_t *ip, int64_t *fp, int *fdigits)
{
    size_t pos = 0;
    int idig = 0, fdig = 0, any = 0;
    *ip = 0;
    *fp = 0;
    while (pos < len && isdigit((unsigned char)t[pos])) {
        if (*ip != 0 || t[pos] != '0')
            idig++;
        if (idig > max_int_digits)
            return 0;
        *ip = *ip * 10 + (t[pos] - '0');
        pos++;
        any = 1;
    }
    if (pos < len && t[pos] == '.') {
        pos++;
        while (pos < len && isdigit((unsigned char)t[pos])) {
            if (fdig < 9) {
                *fp = *fp * 10 + (t[pos] - '0');
                fdig++;
            }
            pos++;
            any = 1;
        }
    }
    *fdigits = fdig;
    return any && pos == len;
}

static int ends_with_ci(const char *t, size_t len, const char *suffix)
{
    size_t k = strlen(suffix), i;
    if (len < k)
        return 0;
    for (i = 0; i < k; i++)
        if (tolower((unsigned char)t[len - k + i]) != suffix[i])
            return 0;
    return 1;
}

static int is_decimal_number(const char *t, size_t len)
{
    int64_t ip, fp;
    int fd;
    if (len > 0 && (t[0] == '-' || t[0] == '+')) {
        t++;
        len--;
    }
    return len > 0 && read_decimal(t, len, 18, &ip, &fp, &fd);
}

/* "12+05": feet, '+', frames 0..15. Returns 1 and fills *count when t has that
 * shape (or an error), 0 when it does not look like feet+frames at all. */
static int parse_feet(const char *t, size_t len,
                      int64_t *count, ds_result *res, char *err)
{
    size_t plus = 0, pos;
    int64_t feet = 0, fr = 0;
    int fdig = 0, frdig = 0;

    while (plus < len && t[plus] != '+')
        plus++;
    if (plus == len || plus == 0)
        return 0;
    pos = 0;
    if (t[0] == '-') {
        for (pos = 1; pos < plus && isdigit((unsigned char)t[pos]); pos++)
            ;
        if (pos == 1 || pos != plus)
            return 0;
        *res = ds_fail(err, DS_ERR_ARG,
                       "'%.*s': feet+frames cannot be negative", qlen(len), t);
        return 1;
    }
    for (; pos < plus; pos++) {
        if (!isdigit((unsigned char)t[pos]))
            return 0;
        if (++fdig > 12) {
            *res = ds_fail(err, DS_ERR_ARG, "'%.*s': too many feet", qlen(len), t);
            return 1;
        }
        feet = feet * 10 + (t[pos] - '0');
    }
    for (pos = plus + 1; pos < len; pos++) {
        if (!isdigit((unsigned char)t[pos]) || ++frdig > 2) {
            *res = ds_fail(err, DS_ERR_ARG,
                           "'%.*s' is not feet+frames: write FEET+FRAMES, e.g. \"123+05\" "
                           "(16 frames per foot, frames 00-15)",
                           qlen(len), t);
            return 1;
        }
        fr = fr * 10 + (t[pos] - '0');
    }
    if (frdig == 0) {
        *res = ds_fail(err, DS_ERR_ARG,
                       "'%.*s' is not feet+frames: the frames after '+' are missing "
                       "(write e.g. \"123+05\")",
                       qlen(len), t);
        return 1;
    }
    if (fr > 15) {
        *res = ds_fail(err, DS_ERR_ARG,
                       "'%.*s': frame %02lld is out of range in feet+frames "
                       "(00-15: 35 mm 4-perf has 16 frames per foot)",
                       qlen(len), t, (long long)fr);
        return 1;
    }
    *count = feet * 16 + fr;
    *res = DS_OK;
    return 1;
}

ds_result vm_time_parse(const vm_timebase *tb, const char *s, vm_time_kind kind,
                        int64_t *samples, char *err)
{
    const char *t;
    size_t len, i, nlen;
    int neg = 0;
    ds_result r;

    if (!s)
        return ds_fail(err, DS_ERR_ARG, "no time given: %s", time_forms);
    t = trim(s, &len);
    if (len == 0)
        return ds_fail(err, DS_ERR_ARG, "'%s' is not a time: %s", s, time_forms);

    /* Timecode: any ':' or ';'. */
    for (i = 0; i < len; i++) {
        if (t[i] == ':' || t[i] == ';') {
            int64_t frames;
            int drop = 0;
            r = vm_tc_parse(&tb->fps, t, &frames, &drop, err);
            if (r != DS_OK)
                return r;
            /* At 29.97 / 59.94 a label read in the other counting lands
             * seconds away from the one meant (3.6 s per hour): refuse it. */
            if (kind == VM_TIME_POSITION && tb->fps.drop_per_min && drop != tb->start_drop) {
                char start[32];
                vm_tc_format(&tb->fps, tb->start_frames, tb->start_drop, start, sizeof start);
                return ds_fail(err, DS_ERR_ARG,
                               "'%.*s' is %s but the session counts %s (start %s): write every position "
                               "with %s, or change the session start",
                               (int)len, t, drop ? "drop-frame" : "non-drop-frame",
                               tb->start_drop ? "drop-frame" : "non-drop-frame", start,
                               tb->start_drop ? "';' before the frames" : "':' throughout");
            }
            if (kind == VM_TIME_DURATION)
                *samples = vm_tc_frames_to_samples(&tb->fps, tb->rate, frames);
            else
                *samples = vm_tc_frames_to_samples(&tb->fps, tb->rate, frames) - tb->start_samples;
            return DS_OK;
        }
    }

    /* Feet+frames. A position lands on the session's own frame grid (the
     * frame that many frames after the start frame), so "1+00" and the
     * timecode 16 frames after the start are the same sample. */
    {
        int64_t count = 0;
        if (parse_feet(t, len, &count, &r, err)) {
            if (r != DS_OK)
                return r;
            if (kind == VM_TIME_DURATION)
                *samples = vm_tc_frames_to_samples(&tb->fps, tb->rate, count);
            else
                *samples = vm_tc_frames_to_samples(&tb->fps, tb->rate, tb->start_frames + count)
                           - tb->start_samples;
            return DS_OK;
        }
    }

    if (ends_with_ci(t, len, "smp")) {
        int64_t v = 0;
        size_t pos = 0;
        int digits = 0;
        nlen = len - 3;
        while (nlen > 0 && isspace((unsigned char)t[nlen - 1]))
            nlen--;
        if (nlen > 0 && (t[0] == '-' || t[0] == '+')) {
            neg = t[0] == '-';
            pos = 1;
        }
        for (; pos < nlen; pos++) {
            if (!isdigit((unsigned char)t[pos]))
                break;
            if (v != 0 || t[pos] != '0')
                digits++;
            if (digits > 18)
                return ds_fail(err, DS_ERR_ARG, "'%.*s': too many samples", qlen(len), t);
            v = v * 10 + (t[pos] - '0');
        }
        if (pos != nlen || nlen == 0 || !isdigit((unsigned char)t[nlen - 1])) {
            if (is_decimal_number(t, nlen))
                return ds_fail(err, DS_ERR_ARG,
                               "'%.*s': samples must be a whole number (write seconds as \"1.5s\")",
                               qlen(len), t);
            return ds_fail(err, DS_ERR_ARG, "'%.*s' is not a time: %s", qlen(len), t, time_forms);
        }
        if (neg && kind == VM_TIME_DURATION)
            return ds_fail(err, DS_ERR_ARG, "'%.*s': a duration cannot be negative",
                           qlen(len), t);
        *samples = neg ? -v : v;
        return DS_OK;
    }

    {
        int64_t div = 0; /* seconds = number / div */
        if (ends_with_ci(t, len, "ms")) {
            div = 1000;
            nlen = len - 2;
        } else if (ends_with_ci(t, len, "s")) {
            div = 1;
            nlen = len - 1;
        } else {
            nlen = len;
        }
        while (nlen > 0 && isspace((unsigned char)t[nlen - 1]))
            nlen--;
        if (div == 0) {
            if (is_decimal_number(t, len))
                return ds_fail(err, DS_ERR_ARG,
                               "'%.*s' has no unit: write \"%.*ss\" for seconds, \"%.*sms\" for "
                               "milliseconds or \"%.*ssmp\" for samples",
                               qlen(len), t, qlen(len), t, qlen(len), t, qlen(len), t);
            return ds_fail(err, DS_ERR_ARG, "'%.*s' is not a time: %s", qlen(len), t, time_forms);
        }
        {
            const char *num = t;
            int64_t ip, fp, pow10 = 1, denom, q, rem, mant;
            int fd, k;
            if (nlen > 0 && (num[0] == '-' || num[0] == '+')) {
                neg = num[0] == '-';
                num++;
                nlen--;
            }
            if (nlen == 0 || !read_decimal(num, nlen, 12, &ip, &fp, &fd)) {
                if (nlen > 0 && is_decimal_number(num, nlen))
                    return ds_fail(err, DS_ERR_ARG, "'%.*s': too many seconds (at most 12 digits before the point)", qlen(len), t);
                return ds_fail(err, DS_ERR_ARG, "'%.*s' is not a time: %s", qlen(len), t, time_forms);
            }
            if (neg && kind == VM_TIME_DURATION)
                return ds_fail(err, DS_ERR_ARG, "'%.*s': a duration cannot be negative",
                               qlen(len), t);
            for (k = 0; k < fd; k++)
                pow10 *= 10;
            /* seconds = (ip*10^fd + fp) / (10^fd * div); split so that no
             * product exceeds 2 * 10^12 * rate. */
            denom = pow10 * div;
            q = ip / div;
            rem = ip % div;
            mant = rem * pow10 + fp; /* < denom */
            {
                int64_t v = q * tb->rate + (2 * mant * tb->rate + denom) / (2 * denom);
                *samples = neg ? -v : v;
            }
            return DS_OK;
        }
    }
}

ds_result vm_time_parse_arg(const vm_timebase *tb, const char *s, int64_t *samples, char *err)
{
    /* a bare number is seconds here, as in the REPL */
    char *end;
    double v = strtod(s, &end);
    if (end != s && *end == 0)
        return vm_time_from_seconds(tb, v, samples, err);
    return vm_time_parse(tb, s, VM_TIME_POSITION, samples, err);
}

ds_result vm_time_from_seconds(const vm_timebase *tb, double seconds, int64_t *samples, char *err)
{
    double v;
    if (isnan(seconds))
        return ds_fail(err, DS_ERR_ARG, "time is not a number (NaN)");
    if (isinf(seconds))
        return ds_fail(err, DS_ERR_ARG, "time is infinite");
    v = seconds * (double)tb->rate;
    if (fabs(v) > 4.0e18)
        return ds_fail(err, DS_ERR_ARG, "time %g s is too large", seconds);
    *samples = llround(v);
    return DS_OK;
}

void vm_time_format(const vm_timebase *tb, int64_t position, char *buf, size_t n)
{
    int64_t abs_samples = position + tb->start_samples;
    int64_t frame = vm_tc_samples_to_frames(&tb->fps, tb->rate, abs_samples);
    int64_t rem = abs_samples - vm_tc_frames_to_samples(&tb->fps, tb->rate, frame);
    char label[32];

    if (!buf || n == 0)
        return;
    vm_tc_format(&tb->fps, frame, tb->start_drop, label, sizeof label);
    if (rem != 0)
        snprintf(buf, n, "%s+%lld", label, (long long)rem);
    else
        snprintf(buf, n, "%s", label);
}
