/* test_markers.c - marker lists of every accepted format, written to a
 * temporary folder, loaded, and compared with positions computed here from
 * the frame-count formulas (23.976 at 48 kHz is exactly 2002 samples a
 * frame; 29.97 drop-frame labels counted with the SMPTE skip rule), and
 * every error message checked for its file, line, name and suggestion. */
#include "vm/markers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"

static char tmp_dir[64];

static vm_timebase tb_of(int rate, const char *fps, const char *start)
{
    vm_timebase tb;
    vm_fps f;
    char err[DS_ERR_LEN];
    memset(&tb, 0, sizeof tb);
    memset(&f, 0, sizeof f);
    if (vm_fps_parse(fps, &f, err) != DS_OK || vm_timebase_init(&tb, rate, &f, start, err) != DS_OK)
        printf("# timebase %d %s %s: %s\n", rate, fps, start, err);
    return tb;
}

/* 23.976 at 48 kHz, start 01:00:00:00: 48000 * 1001 / 24000 = 2002 samples
 * per frame, start frame 3600 * 24. */
static int64_t pos24(int h, int m, int s, int f)
{
    int64_t frames = ((int64_t)(h * 3600 + m * 60 + s)) * 24 + f;
    return (frames - 3600 * 24) * 2002;
}

/* 29.97 drop-frame at 48 kHz, start 01:00:00;00: real frames of a DF label
 * (two labels skipped each minute but the tenth), then round-half-up of
 * frames * 48000 * 1001 / 30000. */
static int64_t df_samples(int64_t frames)
{
    return (2 * frames * 48048000 + 30000) / 60000;
}

static int64_t pos_df(int h, int m, int s, int f)
{
    int64_t tm = h * 60 + m;
    int64_t frames = ((int64_t)(h * 3600 + m * 60 + s)) * 30 + f - 2 * (tm - tm / 10);
    return df_samples(frames) - df_samples(107892);
}

static void write_file(const char *name, const char *bytes, size_t n)
{
    FILE *f = fopen(name, "wb");
    if (!f || fwrite(bytes, 1, n, f) != n)
        printf("# cannot write %s\n", name);
    if (f)
        fclose(f);
}

static void write_text(const char *name, const char *text)
{
    write_file(name, text, strlen(text));
}

/* UTF-8 -> UTF-16 with a BOM, little- or big-endian (test-side encoder). */
static void write_utf16(const char *name, const char *text, int big_endian)
{
    unsigned char out[4096];
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)text;
    unsigned units[2];
    out[o++] = big_endian ? 0xFE : 0xFF;
    out[o++] = big_endian ? 0xFF : 0xFE;
    while (*p) {
        unsigned cp;
        int nu = 1;
        if (*p < 0x80) {
            cp = *p++;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            p += 3;
        } else {
            cp = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12
                 | (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
            p += 4;
        }
        if (cp >= 0x10000) {
            units[0] = 0xD800 + ((cp - 0x10000) >> 10);
            units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            nu = 2;
        } else {
            units[0] = cp;
        }
        for (int i = 0; i < nu && o + 2 <= sizeof out; i++) {
            out[o++] = (unsigned char)(big_endian ? units[i] >> 8 : units[i] & 0xFF);
            out[o++] = (unsigned char)(big_endian ? units[i] & 0xFF : units[i] >> 8);
        }
    }
    write_file(name, (const char *)out, o);
}

static vm_markers *load_ok(const char *name, const vm_timebase *tb, int want_count)
{
    vm_markers *m = NULL;
    char err[DS_ERR_LEN] = "";
    char label[160];
    ds_result r = vm_markers_load(name, tb, &m, err);
    snprintf(label, sizeof label, "%s loads", name);
    if (!check(r == DS_OK && m != NULL, label, "result %d: %s", (int)r, err))
        return NULL;
    snprintf(label, sizeof label, "%s has %d cues", name, want_count);
    check_int(vm_markers_count(m), want_count, label);
    return m;
}

static void cue_is(const vm_markers *m, int i, const char *name, int64_t pos)
{
    char label[200], shown[100];
    const char *got = vm_markers_name(m, i);
    size_t k;
    /* One output line per check: a line break in a name shows as '|'. */
    for (k = 0; name[k] && k + 2 < sizeof shown; k++)
        shown[k] = name[k] == '\n' ? '|' : name[k];
    shown[k] = '\0';
    snprintf(label, sizeof label, "cue %d is '%s'", i, shown);
    check(got && strcmp(got, name) == 0, label, "got '%s'", got ? got : "(null)");
    snprintf(label, sizeof label, "cue '%s' at sample %lld", shown, (long long)pos);
    check_int(vm_markers_position(m, i), pos, label);
}

static void find_is(const vm_markers *m, const char *name, int64_t pos)
{
    int64_t got = -12345;
    char err[DS_ERR_LEN] = "";
    char label[200];
    ds_result r = vm_markers_find(m, name, &got, err);
    snprintf(label, sizeof label, "find '%s' -> %lld", name, (long long)pos);
    check(r == DS_OK && got == pos, label, "result %d (%s), got %lld", (int)r, err, (long long)got);
}

static void find_fails(const vm_markers *m, const char *name, const char *want)
{
    int64_t got = 0;
    char err[DS_ERR_LEN] = "";
    char label[200];
    ds_result r = vm_markers_find(m, name, &got, err);
    snprintf(label, sizeof label, "find '%s' fails with the exact message", name);
    check(r == DS_ERR_ARG && strcmp(err, want) == 0, label, "result %d, message: %s\n#   want: %s",
          (int)r, err, want);
}

/* Loading fails with code and a message equal to want (exact) or, when
 * exact is 0, containing want. */
static void load_fails(const char *name, const vm_timebase *tb, ds_result code, const char *want,
                       int exact, const char *what)
{
    vm_markers *m = (vm_markers *)&m; /* must come back NULL */
    char err[DS_ERR_LEN] = "";
    char label[200];
    ds_result r = vm_markers_load(name, tb, &m, err);
    snprintf(label, sizeof label, "%s: rejected with code %d", what, (int)code);
    check(r == code && m == NULL, label, "result %d, out %p, message: %s", (int)r, (void *)m, err);
    snprintf(label, sizeof label, "%s: message", what);
    check(exact ? strcmp(err, want) == 0 : strstr(err, want) != NULL, label,
          "message: %s\n#   want%s: %s", err, exact ? "" : " (part)", want);
    vm_markers_free(&m);
}

/* The message vm_time_parse gives for s, to build exact expectations. */
static const char *time_msg(const vm_timebase *tb, const char *s)
{
    static char err[DS_ERR_LEN];
    int64_t v;
    if (vm_time_parse(tb, s, VM_TIME_POSITION, &v, err) == DS_OK)
        snprintf(err, sizeof err, "(parsed)");
    return err;
}

static void test_csv(const vm_timebase *tb)
{
    vm_markers *m;
    write_text("cues.csv",
               "\xEF\xBB\xBF" "Name,Timecode,Color\r\n"
               "door slam,01:00:05:12,Red\r\n"
               "\"Gun, shot\",01:00:10:00,Blue\r\n"
               "\"He said \"\"run\"\"\",01:01:00:23,\r\n"
               "  padded name  ,  01:00:20:00  ,x\r\n"
               ",01:00:30:00,unnamed: skipped\r\n"
               ",,\r\n"
               "\r\n"
               "caf\xC3\xA9 crash,01:02:03:04,Green\r\n");
    m = load_ok("cues.csv", tb, 5);
    if (m) {
        cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
        cue_is(m, 1, "Gun, shot", pos24(1, 0, 10, 0));
        cue_is(m, 2, "He said \"run\"", pos24(1, 1, 0, 23));
        cue_is(m, 3, "padded name", pos24(1, 0, 20, 0));
        cue_is(m, 4, "caf\xC3\xA9 crash", pos24(1, 2, 3, 4));
        find_is(m, "door slam", pos24(1, 0, 5, 12));
        find_is(m, "  door slam ", pos24(1, 0, 5, 12));
        find_is(m, "caf\xC3\xA9 crash", pos24(1, 2, 3, 4));
        find_fails(m, "dor slam", "no cue 'dor slam' in cues.csv; did you mean 'door slam'? (5 cues)");
        find_fails(m, "Door Slam", "no cue 'Door Slam' in cues.csv; did you mean 'door slam'? (5 cues)");
        find_fails(m, "zebra crossing", "no cue 'zebra crossing' in cues.csv (5 cues)");
        check(vm_markers_name(m, 5) == NULL && vm_markers_name(m, -1) == NULL
                  && vm_markers_position(m, 5) == 0,
              "out-of-range index gives NULL and 0", "%s", "");
        vm_markers_free(&m);
        check(m == NULL, "vm_markers_free clears the pointer", "%p", (void *)m);
        vm_markers_free(&m);
        vm_markers_free(NULL);
        check_int(vm_markers_count(NULL), 0, "count of NULL is 0");
    }

    /* Semicolons: a comma inside a name needs no quotes; every time form;
     * a quoted field spanning two lines. */
    write_text("semi.csv",
               "Cue;Start;Notes\n"
               "door, slam;01:00:05:12;x\n"
               "thunder;12.5s;\n"
               "count;1234smp;\n"
               "reel mark;10+08;\n"
               "start;01:00:00:00;\n"
               "pre-roll;-0.5s;\n"
               "\"two\nlines\";2s;\"note\n\"\n");
    m = load_ok("semi.csv", tb, 7);
    if (m) {
        cue_is(m, 0, "door, slam", pos24(1, 0, 5, 12));
        cue_is(m, 1, "thunder", 600000);
        cue_is(m, 2, "count", 1234);
        cue_is(m, 3, "reel mark", (10 * 16 + 8) * 2002);
        cue_is(m, 4, "start", 0);
        cue_is(m, 5, "pre-roll", -24000);
        cue_is(m, 6, "two\nlines", 96000);
        vm_markers_free(&m);
    }

    /* Column priority: "marker" beats "comment"; "record in" beats
     * "source in" (the timeline side of an edit list). */
    write_text("prio.csv",
               "Comment,Source In,Marker,Record In\n"
               "a note,10:00:00:00,hit,01:00:01:00\n");
    m = load_ok("prio.csv", tb, 1);
    if (m) {
        cue_is(m, 0, "hit", pos24(1, 0, 1, 0));
        vm_markers_free(&m);
    }
    write_text("desc.tsv", "Description\tTC\tColour\nbig boom\t01:00:02:00\tred\n");
    m = load_ok("desc.tsv", tb, 1);
    if (m) {
        cue_is(m, 0, "big boom", pos24(1, 0, 2, 0));
        vm_markers_free(&m);
    }
    /* ',' finds more known columns, but only ';' finds both a name and a time. */
    write_text("sep.csv", "Name;Timecode;Notes,Comment,Marker,Cue\ndoor slam;01:00:05:12;a,b,c,d\n");
    m = load_ok("sep.csv", tb, 1);
    if (m) {
        cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
        vm_markers_free(&m);
    }
    write_text("under.csv", "marker_name,TIMECODE\nswish,01:00:03:00\n");
    m = load_ok("under.csv", tb, 1);
    if (m) {
        cue_is(m, 0, "swish", pos24(1, 0, 3, 0));
        vm_markers_free(&m);
    }

    /* Premiere-style marker text in UTF-16 (LE and BE), with a name outside
     * the BMP. */
    {
        const char *text = "Marker Name\tDescription\tIn\tOut\tDuration\tMarker Type\r\n"
                           "door slam\t\t01:00:05:12\t01:00:05:12\t00:00:00:00\tComment\r\n"
                           "\xC3\x9C" "berblende\t\t01:00:06:00\t01:00:06:00\t00:00:00:00\tComment\r\n"
                           "\xF0\x9F\x8E\xB5 cue\t\t01:00:07:00\t01:00:07:00\t00:00:00:00\tComment\r\n";
        write_utf16("premiere_le.txt", text, 0);
        write_utf16("premiere_be.txt", text, 1);
        for (int be = 0; be < 2; be++) {
            m = load_ok(be ? "premiere_be.txt" : "premiere_le.txt", tb, 3);
            if (m) {
                cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
                cue_is(m, 1, "\xC3\x9C" "berblende", pos24(1, 0, 6, 0));
                cue_is(m, 2, "\xF0\x9F\x8E\xB5 cue", pos24(1, 0, 7, 0));
                vm_markers_free(&m);
            }
        }
    }
}

static void test_protools(const vm_timebase *tb)
{
    vm_markers *m;
    const char *preamble =
        "SESSION NAME:\treel1 mix\n"
        "SAMPLE RATE:\t48000.000000\n"
        "BIT DEPTH:\t24-bit\n"
        "SESSION START TIMECODE:\t01:00:00:00\n"
        "TIMECODE FORMAT:\t23.976 Frame\n"
        "# OF AUDIO TRACKS:\t1\n"
        "# OF AUDIO CLIPS:\t1\n"
        "# OF AUDIO FILES:\t1\n"
        "\n\n"
        "T R A C K  L I S T I N G\n"
        "TRACK NAME:\tDX 1\n"
        "COMMENTS:\t\n"
        "USER DELAY:\t0 Samples\n"
        "STATE:\t\n"
        "CHANNEL \tEVENT   \tCLIP NAME                     \tSTART TIME    \tEND TIME      \tDURATION      \tSTATE\n"
        "1       \t1       \tdx_01                         \t01:00:00:00   \t01:00:05:00   \t00:00:05:00   \tUnmuted\n"
        "\n\n";
    char text[4096];

    snprintf(text, sizeof text, "%s%s", preamble,
             "M A R K E R S  L I S T I N G\n"
             "#   \tLOCATION     \tTIME REFERENCE    \tUNITS    \tNAME                             \tCOMMENTS\n"
             "1   \t01:00:05:12  \t252252            \tSamples  \tdoor slam                        \t\n"
             "2   \t01:00:10:00  \t480480            \tSamples  \tcar \"by\"                         \tloud\n"
             "\n"
             "(the listing ends at the blank line; this is not a marker)\n"
             "3   \tnot a time\t0\tSamples\tafter the section\t\n");
    write_text("session.txt", text);
    m = load_ok("session.txt", tb, 2);
    if (m) {
        cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
        cue_is(m, 1, "car \"by\"", pos24(1, 0, 10, 0));
        vm_markers_free(&m);
    }

    /* Newer exports add TRACK NAME / TRACK TYPE: "NAME" is still the name. */
    write_text("session2.txt",
               "M A R K E R S  L I S T I N G\r\n"
               "#   \tLOCATION     \tTIME REFERENCE    \tUNITS    \tNAME                             \tTRACK NAME                       \tTRACK TYPE   \tCOMMENTS\r\n"
               "1   \t01:00:05:12  \t252252            \tSamples  \tdoor slam                        \tMarkers                          \tRuler        \t\r\n");
    m = load_ok("session2.txt", tb, 1);
    if (m) {
        cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
        vm_markers_free(&m);
    }

    write_text("bars.txt",
               "M A R K E R S  L I S T I N G\n"
               "#   \tLOCATION     \tTIME REFERENCE    \tUNITS    \tNAME                             \tCOMMENTS\n"
               "1   \t  3| 1| 000  \t252252            \tSamples  \tdoor slam                        \t\n");
    {
        char want[DS_ERR_LEN];
        snprintf(want, sizeof want,
                 "bars.txt:3: bad time '3| 1| 000' for cue 'door slam': %s; export the session info "
                 "with Time Format 'Timecode'",
                 time_msg(tb, "3| 1| 000"));
        load_fails("bars.txt", tb, DS_ERR_FORMAT, want, 1, "Pro Tools bars|beats location");
    }
    write_text("ptempty.txt", "SESSION NAME:\tx\n\nM A R K E R S  L I S T I N G\n\n");
    load_fails("ptempty.txt", tb, DS_ERR_FORMAT,
               "no cues in marker file 'ptempty.txt' (read as a Pro Tools marker listing)", 1,
               "empty Pro Tools listing");
}

static void test_avid(const vm_timebase *tb)
{
    vm_markers *m;
    write_text("avid.txt",
               "Isabel Y\t01:00:05:12\tV1\tred\tdoor slam\t1\n"
               "Isabel Y\t01:00:07:00\tV1\tgreen\tVFX - \"fix\" sky\t1\t\tgreen\n"
               "Isabel Y\t01:00:08:00\tA1\tblue\t\t1\n"
               "Isabel Y\t01:00:09:00\tTC1\tcyan\tlast one\t1\n"
               "Isabel Y\t01:00:10:00\tV1\tred\t\"quoted\" start, no escaping\t1\n");
    m = load_ok("avid.txt", tb, 4);
    if (m) {
        cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
        cue_is(m, 1, "VFX - \"fix\" sky", pos24(1, 0, 7, 0));
        cue_is(m, 2, "last one", pos24(1, 0, 9, 0));
        cue_is(m, 3, "\"quoted\" start, no escaping", pos24(1, 0, 10, 0));
        find_fails(m, "Isabel Y", "no cue 'Isabel Y' in avid.txt (4 cues)");
        vm_markers_free(&m);
    }
}

static void test_edl(const vm_timebase *tb, const vm_timebase *df)
{
    vm_markers *m;
    write_text("markers.edl",
               "TITLE: Timeline 1\r\n"
               "FCM: NON-DROP FRAME\r\n"
               "\r\n"
               "001  001      V     C        01:00:05:12 01:00:05:13 01:00:05:12 01:00:05:13  \r\n"
               " |C:ResolveColorBlue |M:door slam |D:1\r\n"
               "\r\n"
               "002  001      V     C        01:00:10:00 01:00:10:01 01:00:10:00 01:00:10:01  \r\n"
               "a note before |C:ResolveColorYellow |M:car | by |D:1\r\n"
               "\r\n"
               "003  AX       A     D    030 12:00:00:00 12:00:01:00 01:00:20:00 01:00:21:00\r\n"
               "* FROM CLIP NAME: bang.wav\r\n"
               " |C:ResolveColorRed |M:dissolve cue |D:24\r\n"
               "\r\n"
               "004  001      V     C        01:00:30:00 01:00:30:01 01:00:30:00 01:00:30:01  \r\n");
    m = load_ok("markers.edl", tb, 3);
    if (m) {
        cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
        cue_is(m, 1, "car | by", pos24(1, 0, 10, 0));
        cue_is(m, 2, "dissolve cue", pos24(1, 0, 20, 0));
        vm_markers_free(&m);
    }

    /* No TITLE: line; detected by the event lines. */
    write_text("notitle.edl",
               "001  001      V     C        01:00:01:00 01:00:01:01 01:00:01:00 01:00:01:01\n"
               " |M:first |D:1\n");
    m = load_ok("notitle.edl", tb, 1);
    if (m) {
        cue_is(m, 0, "first", pos24(1, 0, 1, 0));
        vm_markers_free(&m);
    }

    /* Drop-frame: FCM: DROP FRAME turns ':'-only labels drop-frame. */
    write_text("df.edl",
               "TITLE: df\n"
               "FCM: DROP FRAME\n"
               "001  001  V  C  01:00:10:00 01:00:10:01 01:00:10:00 01:00:10:01\n"
               " |C:ResolveColorBlue |M:ten |D:1\n"
               "002  001  V  C  01:01:00:02 01:01:00:03 01:01:00:02 01:01:00:03\n"
               " |C:ResolveColorBlue |M:minute |D:1\n"
               "003  001  V  C  01:02:00;04 01:02:00;05 01:02:00;04 01:02:00;05\n"
               " |C:ResolveColorBlue |M:two |D:1\n");
    m = load_ok("df.edl", df, 3);
    if (m) {
        cue_is(m, 0, "ten", pos_df(1, 0, 10, 0));
        cue_is(m, 1, "minute", pos_df(1, 1, 0, 2));
        cue_is(m, 2, "two", pos_df(1, 2, 0, 4));
        /* Independent anchor: 01:01:00;02 is 1800 real frames after 01:00:00;00. */
        check_int(vm_markers_position(m, 1), df_samples(107892 + 1800) - df_samples(107892),
                  "01:01:00;02 is 1800 frames after the start");
        vm_markers_free(&m);
    }
    write_text("ndf.edl",
               "TITLE: ndf\n"
               "FCM: NON-DROP FRAME\n"
               "001  001  V  C  01:00:10:00 01:00:10:01 01:00:10:00 01:00:10:01\n"
               " |M:ten |D:1\n");
    {
        char want[DS_ERR_LEN];
        snprintf(want, sizeof want, "ndf.edl:3: bad timecode '01:00:10:00' for cue 'ten': %s",
                 time_msg(df, "01:00:10:00"));
        load_fails("ndf.edl", df, DS_ERR_FORMAT, want, 1, "non-drop EDL in a drop-frame session");
        load_fails("ndf.edl", df, DS_ERR_FORMAT, "non-drop-frame", 0, "DF mismatch explained");
    }
    write_text("orphan.edl", "TITLE: x\n |C:ResolveColorBlue |M:lost |D:1\n");
    load_fails("orphan.edl", tb, DS_ERR_FORMAT,
               "orphan.edl:2: marker 'lost' has no event line above it", 0, "EDL marker without event");
    write_text("nomarks.edl",
               "TITLE: cut list\n"
               "001  001  V  C  01:00:10:00 01:00:10:01 01:00:10:00 01:00:10:01\n");
    load_fails("nomarks.edl", tb, DS_ERR_FORMAT,
               "no cues in marker file 'nomarks.edl' (read as an EDL with markers)", 1,
               "EDL without markers");
}

static void test_plain(const vm_timebase *tb, const vm_timebase *df)
{
    vm_markers *m;
    write_text("cues.txt",
               "# reel 1 cues\n"
               "\n"
               "01:00:05:12  door slam\n"
               "   12.5s\tthunder roll   # not a comment  \n"
               "1234smp x\n"
               "10+08 feet cue\n");
    m = load_ok("cues.txt", tb, 4);
    if (m) {
        cue_is(m, 0, "door slam", pos24(1, 0, 5, 12));
        cue_is(m, 1, "thunder roll   # not a comment", 600000);
        cue_is(m, 2, "x", 1234);
        cue_is(m, 3, "feet cue", 168 * 2002);
        vm_markers_free(&m);
    }
    /* Old Mac line ends (CR only). */
    write_text("cr.txt", "01:00:05:12 a\r01:00:06:00 b\r\r# c\r");
    m = load_ok("cr.txt", tb, 2);
    if (m) {
        cue_is(m, 0, "a", pos24(1, 0, 5, 12));
        cue_is(m, 1, "b", pos24(1, 0, 6, 0));
        vm_markers_free(&m);
    }
    write_text("df.txt", "01:00:00;00 start\n01:10:00;00 ten min\n01:11:00;02 eleven\n");
    m = load_ok("df.txt", df, 3);
    if (m) {
        cue_is(m, 0, "start", 0);
        cue_is(m, 1, "ten min", pos_df(1, 10, 0, 0));
        /* 10 minutes of DF = 17982 real frames, exactly 600.0 * 1000/1001 * 30 + ... */
        check_int(vm_markers_position(m, 1), df_samples(107892 + 17982) - df_samples(107892),
                  "01:10:00;00 is 17982 frames after 01:00:00;00");
        cue_is(m, 2, "eleven", pos_df(1, 11, 0, 2));
        vm_markers_free(&m);
    }
    write_text("dfbad.txt", "01:00:00:00 start\n");
    load_fails("dfbad.txt", df, DS_ERR_FORMAT, "non-drop-frame", 0, "NDF label in a DF session");
}

static void test_errors(const vm_timebase *tb)
{
    char want[DS_ERR_LEN];

    load_fails("missing.csv", tb, DS_ERR_IO,
               "cannot read marker file 'missing.csv': No such file or directory", 1, "missing file");
    mkdir("adir", 0700);
    load_fails("adir", tb, DS_ERR_IO, "cannot read marker file 'adir': Is a directory", 1, "directory");
    rmdir("adir");

    write_text("empty.csv", "");
    load_fails("empty.csv", tb, DS_ERR_FORMAT,
               "no cues in marker file 'empty.csv' (read as an empty file)", 1, "empty file");
    write_text("bom.csv", "\xEF\xBB\xBF");
    load_fails("bom.csv", tb, DS_ERR_FORMAT, "no cues in marker file 'bom.csv'", 0, "only a BOM");
    write_text("comments.txt", "# nothing yet\n\n   \n# still nothing\n");
    load_fails("comments.txt", tb, DS_ERR_FORMAT,
               "no cues in marker file 'comments.txt' (read as plain 'TIME NAME' lines)", 1,
               "only comments");
    write_text("header.csv", "Name,Timecode\r\n");
    load_fails("header.csv", tb, DS_ERR_FORMAT,
               "no cues in marker file 'header.csv' (read as a table with a header line)", 1,
               "header only");

    write_text("bad.csv",
               "Name,Timecode\n"
               "a,01:00:01:00\n"
               "b,01:00:02:00\n"
               "c,01:00:03:00\n"
               "d,01:00:04:00\n"
               "e,01:00:05:00\n"
               "door slam,01:00:6x:00\n");
    snprintf(want, sizeof want, "bad.csv:7: bad timecode '01:00:6x:00' for cue 'door slam': %s",
             time_msg(tb, "01:00:6x:00"));
    load_fails("bad.csv", tb, DS_ERR_FORMAT, want, 1, "bad timecode");

    write_text("badcrlf.csv", "\xEF\xBB\xBFName,Timecode\r\na,01:00:01:00\r\nb,01:00:00:24\r\n");
    snprintf(want, sizeof want, "badcrlf.csv:3: bad timecode '01:00:00:24' for cue 'b': %s",
             time_msg(tb, "01:00:00:24"));
    load_fails("badcrlf.csv", tb, DS_ERR_FORMAT, want, 1, "frame out of range, CRLF line count");

    /* A quoted field spanning lines 2-3: the bad row is line 4. */
    write_text("multi.csv", "Name,TC\n\"two\nlines\",01:00:01:00\nx,nonsense\n");
    snprintf(want, sizeof want, "multi.csv:4: bad time 'nonsense' for cue 'x': %s",
             time_msg(tb, "nonsense"));
    load_fails("multi.csv", tb, DS_ERR_FORMAT, want, 1, "line count after a multi-line field");

    write_text("notime.csv", "Name,When,Colour\ndoor slam,01:00:05:12,red\n");
    load_fails("notime.csv", tb, DS_ERR_FORMAT,
               "notime.csv:1: no time column (looked for: timecode, tc, record in, position, location, "
               "start, time, in, source in); the header line has: 'Name', 'When', 'Colour'",
               1, "no time column");
    write_text("noname.tsv", "\n\nWho\tTimecode\nme\t01:00:05:12\n");
    load_fails("noname.tsv", tb, DS_ERR_FORMAT,
               "noname.tsv:3: no name column (looked for: name, marker name, marker, cue, "
               "description, comment, comments, notes, note); the header line has: 'Who', 'Timecode'",
               1, "no name column");

    write_text("dup.csv",
               "Name,Timecode\n"
               "door slam,01:00:01:00\n"
               "bang,01:00:02:00\n"
               " door slam,01:00:03:00\n"
               "bang,01:00:04:00\n"
               "door slam,01:00:05:00\n");
    load_fails("dup.csv", tb, DS_ERR_FORMAT,
               "dup.csv:4: cue 'door slam' is defined twice (first at line 2)", 1, "duplicate name");
    write_text("case.csv", "Name,Timecode\nDoor,01:00:01:00\ndoor,01:00:02:00\n");
    {
        vm_markers *m = load_ok("case.csv", tb, 2);
        if (m) {
            find_is(m, "Door", pos24(1, 0, 1, 0));
            find_is(m, "door", pos24(1, 0, 2, 0));
            vm_markers_free(&m);
        }
    }

    write_text("open.csv", "Name,Timecode\na,01:00:01:00\n\"never closed,01:00:02:00\nb,01:00:03:00\n");
    load_fails("open.csv", tb, DS_ERR_FORMAT,
               "open.csv:3: a quoted field is not closed (its '\"' has no partner)", 1, "unclosed quote");
    write_text("notc.csv", "Name,Timecode\nlonely,\n");
    load_fails("notc.csv", tb, DS_ERR_FORMAT, "notc.csv:2: cue 'lonely' has no time", 1, "name without time");
    write_text("short.csv", "Name,Comment,Timecode\nlonely,x\n");
    load_fails("short.csv", tb, DS_ERR_FORMAT, "short.csv:2: cue 'lonely' has no time", 1,
               "row shorter than the header");

    write_text("noname.txt", "01:00:01:00 ok\n01:00:02:00   \n");
    load_fails("noname.txt", tb, DS_ERR_FORMAT,
               "noname.txt:2: the cue at '01:00:02:00' has no name (write TIME NAME)", 1,
               "plain time without name");
    write_text("headerless.csv", "01:00:01:00,door slam\n");
    load_fails("headerless.csv", tb, DS_ERR_FORMAT, "needs a header line", 0, "headerless CSV hint");
    write_text("namefirst.csv", "door slam,01:00:01:00\n");
    load_fails("namefirst.csv", tb, DS_ERR_FORMAT, "namefirst.csv:1: no time column", 0,
               "name-first headerless CSV read as a header");

    /* Sparse, so cheap: one byte past the 64 MB limit. */
    {
        FILE *f = fopen("huge.txt", "wb");
        if (!f || ftruncate(fileno(f), (64L << 20) + 1) != 0)
            printf("# cannot make huge.txt\n");
        if (f)
            fclose(f);
        load_fails("huge.txt", tb, DS_ERR_FORMAT,
                   "marker file 'huge.txt' is larger than 64 MB: not a marker list", 1, "size limit");
    }

    write_file("nul.txt", "01:00:01:00 a\n\0\0b", 17);
    load_fails("nul.txt", tb, DS_ERR_FORMAT, "nul.txt:2: a NUL byte", 0, "binary file");

    /* A long duplicated name is shortened in the message, on a UTF-8 boundary. */
    {
        char text[1200], name[400];
        size_t o = 0;
        for (int i = 0; i < 130; i++)
            o += (size_t)snprintf(name + o, sizeof name - o, "\xC3\xA9"); /* 260 bytes */
        snprintf(text, sizeof text, "Name,TC\n%s,01:00:01:00\n%s,01:00:02:00\n", name, name);
        write_text("long.csv", text);
        {
            vm_markers *m = (vm_markers *)&m;
            char err[DS_ERR_LEN] = "";
            ds_result r = vm_markers_load("long.csv", tb, &m, err);
            char head[120];
            memcpy(head, name, 96);
            head[96] = '\0';
            snprintf(want, sizeof want, "long.csv:3: cue '%s...' is defined twice (first at line 2)", head);
            check(r == DS_ERR_FORMAT && m == NULL && strcmp(err, want) == 0,
                  "long name shortened to 96 bytes + '...'", "message: %s", err);
        }
    }

    {
        vm_markers *m = (vm_markers *)&m;
        char err[DS_ERR_LEN] = "";
        check(vm_markers_load(NULL, tb, &m, err) == DS_ERR_ARG && m == NULL, "NULL path rejected",
              "%s", err);
        check(vm_markers_load("cues.csv", NULL, &m, err) == DS_ERR_ARG, "NULL timebase rejected",
              "%s", err);
    }
}

/* One cue list, one cue: the singular. */
static void test_singular(const vm_timebase *tb)
{
    vm_markers *m;
    write_text("one.txt", "01:00:01:00 only\n");
    m = load_ok("one.txt", tb, 1);
    if (m) {
        find_fails(m, "onyl", "no cue 'onyl' in one.txt; did you mean 'only'? (1 cue)");
        vm_markers_free(&m);
    }
}

static void cleanup(void)
{
    static const char *const files[] = {
        "cues.csv", "semi.csv", "sep.csv", "prio.csv", "desc.tsv", "under.csv", "premiere_le.txt",
        "premiere_be.txt", "session.txt", "session2.txt", "bars.txt", "ptempty.txt", "avid.txt",
        "markers.edl", "notitle.edl", "df.edl", "ndf.edl", "orphan.edl", "nomarks.edl", "cues.txt",
        "cr.txt", "df.txt", "dfbad.txt", "empty.csv", "bom.csv", "comments.txt", "header.csv",
        "bad.csv", "badcrlf.csv", "multi.csv", "notime.csv", "noname.tsv", "dup.csv", "case.csv",
        "open.csv", "notc.csv", "short.csv", "noname.txt", "headerless.csv", "namefirst.csv",
        "nul.txt", "long.csv", "one.txt", "huge.txt",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    if (chdir("/") == 0 && rmdir(tmp_dir) != 0)
        printf("# could not remove %s (a file left behind?)\n", tmp_dir);
}

int main(void)
{
    vm_timebase tb = tb_of(48000, "23.976", "01:00:00:00");
    vm_timebase df = tb_of(48000, "29.97", "01:00:00;00");

    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/test_markers.XXXXXX");
    if (!mkdtemp(tmp_dir) || chdir(tmp_dir) != 0) {
        printf("not ok - temporary folder: cannot create %s\n", tmp_dir);
        return 1;
    }
    /* Relative names, so messages read as a user sees them ("cues.csv:7: ..."). */
    test_csv(&tb);
    test_protools(&tb);
    test_avid(&tb);
    test_edl(&tb, &df);
    test_plain(&tb, &df);
    test_errors(&tb);
    test_singular(&tb);
    cleanup();
    return check_exit();
}
