/* test_edl.c - CMX3600 edit decision lists read into the edit list
 * (vm/edl.h): lists written here for the purpose (cuts, dissolves, wipes,
 * drop-frame and non-drop in one list, audio tracks A1-A4 and AA, comments,
 * speed changes; Avid's untimed sources, source table and effect names,
 * a source a frame longer than its record read with the record's length)
 * and samples published with OpenTimelineIO (tests/data/otio,
 * Apache-2.0; pycmx's Avid lists: tests/render/edl_samples.sh), each event
 * compared field by field with
 * the values read off the file's text by hand; frame counts are computed
 * here from the labels with the SMPTE formulas, not by vm/timecode. Every
 * error class is checked for its message: file, line, event, the word that
 * was wrong. */
#include "vm/edl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/fps_util.h"

/* Frames of a non-drop label "HH:MM:SS:FF" at `nominal` frames a second. */
static int64_t ndf(const char *tc, int nominal)
{
    int h, m, s, f;
    if (sscanf(tc, "%d:%d:%d:%d", &h, &m, &s, &f) != 4)
        return -1;
    return ((int64_t)h * 3600 + m * 60 + s) * nominal + f;
}

/* Frames of a 29.97 drop-frame label (separators ':' or ';'): two labels
 * skipped each minute except every tenth. */
static int64_t df(const char *tc)
{
    int h, m, s, f;
    char a, b, c;
    if (sscanf(tc, "%d%c%d%c%d%c%d", &h, &a, &m, &b, &s, &c, &f) != 7)
        return -1;
    int64_t tm = (int64_t)h * 60 + m;
    return ((int64_t)h * 3600 + m * 60 + s) * 30 + f - 2 * (tm - tm / 10);
}

static vm_edit *parse(const char *text, const char *fps, const char *label)
{
    vm_fps f = fps_of(fps);
    char err[DS_ERR_LEN];
    char *copy = strdup(text);
    vm_edit *e = NULL;
    ds_result r = vm_edl_parse("cut.edl", copy, strlen(copy), &f, &e, err);
    free(copy);
    check(r == DS_OK && e != NULL, label, "result %d: %s", (int)r, err);
    return e;
}

static void fails(const char *text, const char *fps, const char *want, const char *label)
{
    vm_fps f = fps_of(fps);
    char err[DS_ERR_LEN] = "";
    char *copy = strdup(text);
    vm_edit *e = (vm_edit *)&e;
    ds_result r = vm_edl_parse("cut.edl", copy, strlen(copy), &f, &e, err);
    free(copy);
    check(r == DS_ERR_FORMAT && e == NULL && strstr(err, want) != NULL, label, "result %d, message '%s', want '%s'",
          (int)r, err, want);
}

typedef struct {
    int number;
    const char *reel, *tracks; /* tracks as a string: "V A1 A2" */
    const char *src_in, *src_out, *rec_in, *rec_out;
    int in_kind, in_frames, out_frames;
    const char *clip, *file;
    long speed_num, speed_den;
    int line;
} want_event;

static void tracks_text(uint32_t mask, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int k = 0; k <= VM_EDIT_MAX_AUDIO; k++)
        if (mask & (1u << k)) {
            char t[8];
            vm_edit_track_name(k, t, sizeof t);
            if (buf[0])
                strncat(buf, " ", n - strlen(buf) - 1);
            strncat(buf, t, n - strlen(buf) - 1);
        }
}

/* frames: 0 = NDF at nominal, 1 = 29.97 DF labels */
static void compare(const vm_edit *e, const want_event *w, int n, int nominal, int dropf, const char *name)
{
    char label[160], tr[128];
    check_int(vm_edit_count(e), n, name);
    for (int i = 0; i < n && i < vm_edit_count(e); i++) {
        const vm_edit_event *ev = vm_edit_event_at(e, i);
        int64_t si = dropf ? df(w[i].src_in) : ndf(w[i].src_in, nominal);
        int64_t so = dropf ? df(w[i].src_out) : ndf(w[i].src_out, nominal);
        int64_t ri = dropf ? df(w[i].rec_in) : ndf(w[i].rec_in, nominal);
        int64_t ro = dropf ? df(w[i].rec_out) : ndf(w[i].rec_out, nominal);
        tracks_text(ev->tracks, tr, sizeof tr);
        snprintf(label, sizeof label, "%s: event %d (line %d) as written", name, w[i].number, w[i].line);
        check(ev->number == w[i].number && strcmp(ev->reel, w[i].reel) == 0 && strcmp(tr, w[i].tracks) == 0
                  && ev->src_in == si && ev->src_out == so && ev->rec_in == ri && ev->rec_out == ro
                  && (int)ev->in.kind == w[i].in_kind && ev->in.frames == w[i].in_frames
                  && ev->out.frames == w[i].out_frames && ev->in.before == 0 && ev->out.before == 0
                  && strcmp(ev->clip, w[i].clip) == 0 && strcmp(ev->file, w[i].file) == 0
                  && ev->speed_num == w[i].speed_num && ev->speed_den == w[i].speed_den && ev->line == w[i].line,
              label,
              "got #%d reel '%s' tracks '%s' src %lld-%lld (want %lld-%lld) rec %lld-%lld (want %lld-%lld) in %d/%lld "
              "out %lld clip '%s' file '%s' speed %lld/%lld line %d",
              ev->number, ev->reel, tr, (long long)ev->src_in, (long long)ev->src_out, (long long)si, (long long)so,
              (long long)ev->rec_in, (long long)ev->rec_out, (long long)ri, (long long)ro, (int)ev->in.kind,
              (long long)ev->in.frames, (long long)ev->out.frames, ev->clip, ev->file, (long long)ev->speed_num,
              (long long)ev->speed_den, ev->line);
    }
}

#define CUT VM_EDIT_CUT
#define DIS VM_EDIT_DISSOLVE
#define WIPE VM_EDIT_WIPE

static void written_lists(void)
{
    static const char cuts[] =
        "TITLE: REEL 1 CUT 3\n"
        "FCM: NON-DROP FRAME\n"
        "\n"
        "001  A001     AA/V  C        01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n"
        "* FROM CLIP NAME:  sc1_t1\n"
        "* SOURCE FILE: media/sc1_t1.wav\n"
        "002  A001     A     C        01:00:14:00 01:00:14:00 01:00:04:00 01:00:04:00\n"
        "002  B002     A     D    012 02:00:00:00 02:00:03:00 01:00:04:00 01:00:07:00\n"
        "* BLEND, DISSOLVE\n"
        "* FROM CLIP NAME:  sc1_t1\n"
        "* TO CLIP NAME:  sc2_t4\n"
        "* SOURCE FILE: media/sc2_t4.wav\n"
        "003  BL       AA/V  C        00:00:00:00 00:00:01:00 01:00:07:00 01:00:08:00\r\n"
        "004  C003     A2    W001 006 03:00:00:00 03:00:02:00 01:00:08:00 01:00:10:00\n"
        "*TO CLIP NAME: wipe_in\n"
        "005\tD004\tA3\tC\t04:00:00:00 04:00:01:00 01:00:10:00 01:00:11:00\n"
        "AUD  4\n"
        "006  E005     A4/A2 C   000  05:00:00:00 05:00:00:12 01:00:11:00 01:00:11:12\n"
        "007  F006     B     C        06:00:00:00 06:00:00:06 01:00:11:12 01:00:11:18\n"
        "* LOC: 01:00:11:14 RED  a locator, ignored\n"
        "*\n";
    static const want_event w[] = {
        {1, "A001", "V A1 A2", "01:00:10:00", "01:00:14:00", "01:00:00:00", "01:00:04:00", CUT, 0, 0, "sc1_t1",
         "media/sc1_t1.wav", 1, 1, 4},
        {2, "A001", "A1", "01:00:14:00", "01:00:14:00", "01:00:04:00", "01:00:04:00", CUT, 0, 12, "sc1_t1", "", 1, 1,
         7},
        {2, "B002", "A1", "02:00:00:00", "02:00:03:00", "01:00:04:00", "01:00:07:00", DIS, 12, 0, "sc2_t4",
         "media/sc2_t4.wav", 1, 1, 8},
        {3, "BL", "V A1 A2", "00:00:00:00", "00:00:01:00", "01:00:07:00", "01:00:08:00", CUT, 0, 6, "", "", 1, 1, 13},
        {4, "C003", "A2", "03:00:00:00", "03:00:02:00", "01:00:08:00", "01:00:10:00", WIPE, 6, 0, "wipe_in", "", 1, 1,
         14},
        {5, "D004", "A3 A4", "04:00:00:00", "04:00:01:00", "01:00:10:00", "01:00:11:00", CUT, 0, 0, "", "", 1, 1, 16},
        {6, "E005", "A2 A4", "05:00:00:00", "05:00:00:12", "01:00:11:00", "01:00:11:12", CUT, 0, 0, "", "", 1, 1, 18},
        {7, "F006", "V A1", "06:00:00:00", "06:00:00:06", "01:00:11:12", "01:00:11:18", CUT, 0, 0, "", "", 1, 1, 19},
    };
    vm_edit *e = parse(cuts, "24", "cuts, a dissolve, a wipe, A1-A4, comments: loads");
    if (e) {
        compare(e, w, 8, 24, 0, "written list");
        check(strcmp(vm_edit_title(e), "REEL 1 CUT 3") == 0, "TITLE is read, trimmed", "'%s'", vm_edit_title(e));
        check(vm_edit_event_at(e, 3)->kind == VM_EDIT_EVENT_GAP && vm_edit_event_at(e, 2)->kind == VM_EDIT_EVENT_CLIP,
              "reel BL is black: a gap", "%d", (int)vm_edit_event_at(e, 3)->kind);
        check(vm_edit_event_at(e, 4)->in.wipe == 1 && vm_edit_event_at(e, 3)->out.kind == VM_EDIT_WIPE,
              "W001: wipe pattern 1 on both sides of the transition", "%d", vm_edit_event_at(e, 4)->in.wipe);
        check(strcmp(vm_edit_event_at(e, 0)->where, "cut.edl:4") == 0, "where names file and line", "'%s'",
              vm_edit_event_at(e, 0)->where);
        check(vm_edit_event_at(e, 8) == NULL && vm_edit_event_at(e, -1) == NULL, "out of range: NULL", "%s", "");
        vm_edit_free(&e);
        check(e == NULL, "vm_edit_free clears the pointer", "%p", (void *)e);
    }

    /* drop-frame and non-drop in one list at 29.97; ':' labels under FCM:
     * DROP FRAME are drop-frame, as are ';' labels anywhere */
    static const char dropf[] =
        "TITLE: DF\n"
        "FCM: DROP FRAME\n"
        "001  R1  A  C  00:59:59:28 01:00:00:02 01:00:59:28 01:01:00:04\n"
        "002  R2  A  C  01:09:59;29 01:10:00;02 01:01:00;04 01:01:00;07\n"
        "FCM: NON-DROP FRAME\n"
        "003  R3  A  C  00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n";
    e = parse(dropf, "29.97", "29.97 drop-frame and non-drop in one list: loads");
    if (e) {
        const vm_edit_event *a = vm_edit_event_at(e, 0), *b = vm_edit_event_at(e, 1), *c = vm_edit_event_at(e, 2);
        check(a && a->drop && a->src_in == df("00:59:59:28") && a->rec_out == df("01:01:00:04")
                  && a->rec_out - a->rec_in == 4 && a->src_out - a->src_in == 4,
              "FCM: DROP FRAME: 01:00:59:28 to 01:01:00:04 is 4 real frames (;00 and ;01 skipped)", "%lld %lld",
              a ? (long long)a->rec_in : 0, a ? (long long)a->rec_out : 0);
        check(b && b->drop && b->src_in == df("01:09:59;29") && b->src_out - b->src_in == 3,
              "drop-frame at the tenth minute: nothing skipped (3 frames)", "%lld",
              b ? (long long)(b->src_out - b->src_in) : 0);
        check(c && !c->drop && c->rec_in == 3600 * 30 && c->rec_out == 3600 * 30 + 30,
              "FCM: NON-DROP FRAME switches the next events back", "%lld", c ? (long long)c->rec_in : 0);
        vm_edit_free(&e);
    }

    /* speed changes: M2 read, durations may differ */
    static const char speed[] =
        "001  S1  V  C  01:00:00:00 01:00:02:00 01:00:00:00 01:00:01:00\n"
        "M2   S1       048.0                01:00:00:00\n"
        "002  S2  A  C  01:00:05:00 01:00:05:01 01:00:01:00 01:00:02:00\n"
        "M2   S2       000.0                01:00:05:00\n"
        "* * FREEZE FRAME\n"
        "003  S3  A  C  01:00:09:00 01:00:10:00 01:00:02:00 01:00:03:00\n"
        "M2   S3       -024.0               01:00:10:00\n"
        "004  S4  A  C  01:00:09:00 01:00:10:00 01:00:03:00 01:00:04:00\n"
        "M2   S4       012.5                01:00:09:00\n";
    e = parse(speed, "24", "M2 speed changes: loads");
    if (e) {
        long want[4][2] = {{2, 1}, {0, 1}, {-1, 1}, {25, 48}};
        for (int i = 0; i < 4; i++) {
            char label[96];
            const vm_edit_event *ev = vm_edit_event_at(e, i);
            snprintf(label, sizeof label, "M2 of event %d: speed %ld/%ld of normal", i + 1, want[i][0], want[i][1]);
            check(ev && ev->speed_num == want[i][0] && ev->speed_den == want[i][1], label, "%lld/%lld",
                  ev ? (long long)ev->speed_num : 0, ev ? (long long)ev->speed_den : 0);
        }
        vm_edit_free(&e);
    }
}

/* What Avid and other editors write besides events (tests/data/pycmx has
 * the real lists): a source without timecode ("00:00:00:00 00:00:00:00",
 * untimed: the source runs the record's length), the source table after
 * the events (">>> SOURCE", whose "*SOURCE FILE:" lines name no event),
 * a transition's effect name ("EFFECTS NAME IS"), comments without a space
 * after '*'; and a source a frame longer than its record, an error unless
 * read with vm_edl_parse_record_length (as OpenTimelineIO's
 * ignore_timecode_mismatch). */
static void editors_forms(void)
{
    static const char avid[] =
        "TITLE:   INS4_R1 \r\n"
        "FCM: NON-DROP FRAME\r\n"
        "001  FKI_LEAD A     C        00:00:00:00 00:00:00:00 01:00:00:00 01:00:08:00 \r\n"
        "*FROM CLIP NAME:  FKI_LEADER_HEAD.MOV \r\n"
        "*SOURCE FILE: FKI_LEADER_HEAD.MOV\r\n"
        "002  SR018    A2    C        19:11:54:10 19:11:58:18 01:00:08:00 01:00:12:08 \r\n"
        "* PATCH SR018:  FROM SOURCE 1 TO RECORD 2 \r\n"
        "003  SR018    A2    C        19:11:58:18 19:11:58:18 01:00:12:08 01:00:12:08 \r\n"
        "003  SR019    A2    D    010 10:00:00:00 10:00:02:00 01:00:12:08 01:00:14:08 \r\n"
        "EFFECTS NAME IS CROSS DISSOLVE\r\n"
        ">>> SOURCE SR018             SR018 060a2b340101010101010f00-13-00-00-00-{53c08d51}\r\n"
        "*SOURCE FILE: B140C001_160908_R16W\r\n"
        ">>> SOURCE SR019             SR019 060a2b340101010101010f00-13-00-00-00-{53c08d52}\r\n"
        "*SOURCE FILE: B141C001_160908_R16W\r\n";
    static const want_event w[] = {
        /* untimed: source 00:00:00:00 for the record's 8 s */
        {1, "FKI_LEAD", "A1", "00:00:00:00", "00:00:08:00", "01:00:00:00", "01:00:08:00", CUT, 0, 0,
         "FKI_LEADER_HEAD.MOV", "FKI_LEADER_HEAD.MOV", 1, 1, 3},
        {2, "SR018", "A2", "19:11:54:10", "19:11:58:18", "01:00:08:00", "01:00:12:08", CUT, 0, 0, "", "", 1, 1, 6},
        {3, "SR018", "A2", "19:11:58:18", "19:11:58:18", "01:00:12:08", "01:00:12:08", CUT, 0, 10, "", "", 1, 1, 8},
        {3, "SR019", "A2", "10:00:00:00", "10:00:02:00", "01:00:12:08", "01:00:14:08", DIS, 10, 0, "", "", 1, 1, 9},
    };
    vm_edit *e = parse(avid, "24", "Avid's forms (untimed source, >>> SOURCE table, EFFECTS NAME IS): loads");
    if (e) {
        compare(e, w, 4, 24, 0, "Avid's forms: every event as written, the table's SOURCE FILE lines on none");
        check(vm_edit_event_at(e, 1)->patch[2] == 1 && vm_edit_event_at(e, 1)->patch[1] == 0
                  && vm_edit_event_at(e, 0)->patch[1] == 0,
              "* PATCH SR018: FROM SOURCE 1 TO RECORD 2: event 2's A2 takes source channel 1; nothing else patched",
              "%d %d", vm_edit_event_at(e, 1)->patch[2], vm_edit_event_at(e, 1)->patch[1]);
        check(vm_edit_event_at(e, 0)->untimed && !vm_edit_event_at(e, 1)->untimed
                  && !vm_edit_event_at(e, 2)->untimed,
              "a source with no length under a record of 8 s is untimed; a dissolve's from line (no record) is not",
              "%d %d %d", vm_edit_event_at(e, 0)->untimed, vm_edit_event_at(e, 1)->untimed,
              vm_edit_event_at(e, 2)->untimed);
        vm_edit_free(&e);
    }
    /* PATCH lines of a pair: the one naming a reel of the group patches that line; one naming another reel
     * (Avid writes the reel of an earlier take) patches every line of the group on its record track */
    static const char patches[] =
        "001  R1       A3    C        01:00:00:00 01:00:00:00 01:00:00:00 01:00:00:00\n"
        "001  R2       A3    D    010 02:00:00:00 02:00:02:00 01:00:00:00 01:00:02:00\n"
        "* PATCH R2:  FROM SOURCE 4 TO RECORD 3\n"
        "002  R3       A2    C        03:00:00:00 03:00:01:00 01:00:02:00 01:00:03:00\n"
        "* PATCH R0:  FROM SOURCE 2 TO RECORD 2\n"
        "* PATCH R3:  FROM SOURCE 1 TO RECORD 4\n"
        "* PATCH R3: some other note\n";
    e = parse(patches, "24", "PATCH lines: loads");
    if (e) {
        check(vm_edit_event_at(e, 0)->patch[3] == 0 && vm_edit_event_at(e, 1)->patch[3] == 4
                  && vm_edit_event_at(e, 2)->patch[2] == 2 && vm_edit_event_at(e, 2)->patch[4] == 0,
              "PATCH: the named reel's line only; another reel's: the group's line on that record track; a record "
              "track the event is not on: nothing; another shape: a comment",
              "%d %d %d %d", vm_edit_event_at(e, 0)->patch[3], vm_edit_event_at(e, 1)->patch[3],
              vm_edit_event_at(e, 2)->patch[2], vm_edit_event_at(e, 2)->patch[4]);
        vm_edit_free(&e);
    }
    fails("001  R1       A     C        01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n"
          "* PATCH R1:  FROM SOURCE 1 TO RECORD 17\n",
          "24", "cut.edl:2: event 1: PATCH from source 1 to record 17: a source channel from 1 to 255 and a record "
          "track from 1 to 16", "PATCH to record 17: an error naming line, event and the ranges");

    /* a sound edit rounded a frame longer in the source */
    static const char rounded[] =
        "001  SR018    A     C        19:11:54:10 19:11:58:18 01:01:51:18 01:01:56:01\n"
        "002  SR018    A     C        19:11:59:17 19:12:00:02 01:01:56:01 01:01:56:09\n";
    fails(rounded, "24", "cut.edl:1: event 1: the source runs 00:00:04:08 (104 frames) but the record 00:00:04:07 "
          "(103 frames), and no M2 line changes its speed (an editor's rounding of a sound edit, or a retime it did not "
          "write: edl(\"...\", { ignore_timecode_mismatch = true })",
          "a source a frame longer than its record: an error naming the option");
    vm_fps f = fps_of("24");
    char err[DS_ERR_LEN];
    e = NULL;
    ds_result r = vm_edl_parse_record_length("cut.edl", rounded, strlen(rounded), &f, &e, err);
    if (r == DS_OK && e) {
        static const want_event wr[] = {
            {1, "SR018", "A1", "19:11:54:10", "19:11:58:17", "01:01:51:18", "01:01:56:01", CUT, 0, 0, "", "", 1, 1, 1},
            {2, "SR018", "A1", "19:11:59:17", "19:12:00:01", "01:01:56:01", "01:01:56:09", CUT, 0, 0, "", "", 1, 1, 2},
        };
        compare(e, wr, 2, 24, 0, "read with the record's length: source out = source in + record length");
        check(!vm_edit_event_at(e, 0)->untimed, "a source of another length is not untimed", "%d",
              vm_edit_event_at(e, 0)->untimed);
        vm_edit_free(&e);
    } else {
        check(0, "vm_edl_parse_record_length reads the rounded list", "%d: %s", (int)r, err);
    }
}

static void errors(void)
{
    static const char ev1[] = "001  A001  A  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n";
    char big[8192];

    fails("001  A001  A  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\nFROM CLIP NAME: x\n", "24",
          "cut.edl:2: after event 1: cannot read a line starting 'FROM'", "garbage line: file, line, event");
    fails("TITLE: x\nhello there\n", "24", "cut.edl:2: cannot read a line starting 'hello'",
          "garbage before any event: file and line");
    fails("00a1  A001  A  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "cut.edl:1: bad event number '00a1'", "malformed event number");
    fails("1234567  A001  A  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "bad event number '1234567': 1 to 6 digits", "event number too long");
    fails("001  A001  A  C  01:00:6x:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "cut.edl:1: event 1: bad source in '01:00:6x:00': a timecode is HH:MM:SS:FF", "malformed timecode");
    fails("001  A001  A  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:03:24\n", "24",
          "cut.edl:1: event 1: bad record out '01:00:03:24'", "frames past the rate");
    fails("001  A001  A  C  01:00:10:00 01:00:14:00 01:00:04:00 01:00:00:00\n", "24",
          "event 1: record out 01:00:00:00 is before record in 01:00:04:00", "record out before in");
    fails("001  A001  A  C  01:00:14:00 01:00:10:00 01:00:00:00 01:00:04:00\n", "24",
          "event 1: source out 01:00:10:00 is before source in 01:00:14:00", "source out before in");
    fails("\n001  A001  A  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:01\n", "24",
          "cut.edl:2: event 1: the source runs 00:00:04:00 (96 frames) but the record 00:00:04:01 (97 frames), and "
          "no M2 line",
          "source and record lengths differ without M2");
    fails("001  A001  A  D  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "event 1: the dissolve has no length", "dissolve without a length");
    fails("001  A001  A  D  010  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "event 1: a dissolve from nothing", "dissolve with nothing before it");
    fails("001  A001  A  C  01:00:10:00 01:00:10:00 01:00:00:00 01:00:00:00\n"
          "001  B001  A  D  100  01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00\n",
          "24", "cut.edl:2: event 1: the dissolve (100 frames) is longer than the event (48 frames)",
          "dissolve longer than its event");
    fails("001  A001  A  C  01:00:10:00 01:00:10:00 01:00:00:00 01:00:00:00\n"
          "001  B001  A  W12x 010  01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00\n",
          "24", "event 1: bad wipe 'W12x'", "malformed wipe number");
    fails("001  A001  A  C  010 01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "event 1: a cut (C) with a length of 10 frames", "a cut with a length");
    fails("001  A001  A17  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "event 1: unknown track 'A17' (tracks: V, A, A1 to A16, AA, B, NONE", "track past A16");
    fails("001  A001  V/  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24", "unknown track 'V/'",
          "track list ending in '/'");
    fails("001  A001  A  X  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "event 1: unknown transition 'X' (C: cut, D: dissolve, Wnnn: wipe)", "unknown transition");
    fails("001  A001  A  K  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n", "24",
          "event 1: key events ('K') are not read", "key event");
    fails("001  A001  A  C  01:00:10:00 01:00:14:00 01:00:00:00\n", "24",
          "event 1: an event line has 8 or 9 words", "too few words");
    fails("FCM: DROP FRAME\n", "24", "cut.edl:1: FCM: DROP FRAME at 24 fps: only 29.97 and 59.94",
          "FCM: DROP FRAME at a rate without drop-frame");
    fails("FCM: SOMETIMES\n", "29.97", "unknown frame code mode 'SOMETIMES'", "unknown FCM");
    fails("FCM: DROP FRAME\n001  A001  A  C  01:01:00:00 01:01:00:04 01:00:00:00 01:00:00:04\n", "29.97",
          "event 1: bad source in '01:01:00:00'", "a dropped drop-frame label");
    fails("TITLE: a\nTITLE: b\n", "24", "cut.edl:2: a second TITLE: (the first is at line 1)", "second TITLE");
    fails("M2   A001  048.0  01:00:00:00\n", "24", "cut.edl:1: an M2 speed change before any event", "M2 first");
    {
        char t[256];
        snprintf(t, sizeof t, "%sM2   B001  048.0  01:00:10:00\n", ev1);
        fails(t, "24", "cut.edl:2: event 1: the M2 line names reel 'B001', but the event's reel is 'A001'",
              "M2 naming another reel");
        snprintf(t, sizeof t, "%sM2   A001  4x.0  01:00:10:00\n", ev1);
        fails(t, "24", "cut.edl:2: event 1: bad M2 speed '4x.0'", "malformed M2 speed");
        snprintf(t, sizeof t, "%sAUD  5x\n", ev1);
        fails(t, "24", "cut.edl:2: event 1: bad audio track '5x' in an AUD line", "malformed AUD");
        snprintf(t, sizeof t, "%sSPLIT:    AUDIO DELAY=  00:00:00:10\n", ev1);
        fails(t, "24", "cut.edl:2: event 1: split edits (SPLIT:) are not read", "split edit");
    }
    fails("TITLE: nothing\n\n* a comment\n", "24", "cut.edl: no events", "no events");
    fails("", "24", "cut.edl: no events", "empty file");

    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "* ", 2);
    fails(big, "24", "cut.edl:1: a line of 8191 bytes: not an EDL (lines are at most 4096 bytes)", "line too long");
    {
        char *t = malloc(4096);
        int n = snprintf(t, 4096, "%s* FROM CLIP NAME: ", ev1);
        memset(t + n, 'n', 1100);
        t[n + 1100] = '\0';
        fails(t, "24", "cut.edl:2: event 1: the clip name is 1100 bytes long; the most taken is 1024",
              "clip name too long");
        n = snprintf(t, 4096, "001  ");
        memset(t + n, 'r', 1030);
        snprintf(t + n + 1030, 4096 - (size_t)n - 1030, "  A  C  01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n");
        fails(t, "24", "cut.edl:1: event 1: the reel name is 1030 bytes long", "reel name too long");
        free(t);
    }
    {
        /* one more event than VM_EDIT_MAX_EVENTS */
        size_t cap = (size_t)(VM_EDIT_MAX_EVENTS + 1) * 80 + 1, n = 0;
        char *t = malloc(cap);
        for (int i = 0; i <= VM_EDIT_MAX_EVENTS; i++)
            n += (size_t)snprintf(t + n, cap - n, "%06d  R  A  C  00:00:00:00 00:00:00:01 00:00:00:00 00:00:00:01\n",
                                  i % 1000000);
        vm_fps f = fps_of("24");
        vm_edit *e = NULL;
        char err[DS_ERR_LEN];
        ds_result r = vm_edl_parse("big.edl", t, n, &f, &e, err);
        check(r == DS_ERR_FORMAT && e == NULL && strstr(err, "big.edl:100001: more than 100000 events"),
              "more than VM_EDIT_MAX_EVENTS events", "%d %s", (int)r, err);
        free(t);
    }
    {
        vm_fps f = fps_of("24");
        vm_edit *e = NULL;
        char err[DS_ERR_LEN];
        ds_result r = vm_edl_load("tests/data/otio/no-such.edl", &f, &e, err);
        check(r == DS_ERR_IO && e == NULL
                  && strcmp(err, "cannot read edit decision list 'tests/data/otio/no-such.edl': No such file or "
                                 "directory") == 0,
              "a missing file", "%d %s", (int)r, err);
    }
}

static vm_edit *load(const char *name, const char *fps)
{
    char path[256], err[DS_ERR_LEN];
    vm_fps f = fps_of(fps);
    vm_edit *e = NULL;
    snprintf(path, sizeof path, "tests/data/otio/%s", name);
    ds_result r = vm_edl_load(path, &f, &e, err);
    check(r == DS_OK, name, "%s", err);
    return e;
}

/* OpenTimelineIO's sample EDLs, every event as its line reads. */
static void samples(void)
{
    vm_edit *e;
    if ((e = load("dissolve_test.edl", "24"))) {
        static const want_event w[] = {
            {1, "TST", "V", "01:00:04:05", "01:00:04:14", "01:00:00:00", "01:00:00:09", CUT, 0, 0, "clip_A", "", 1, 1, 3},
            {2, "TST", "V", "01:00:04:14", "01:00:04:14", "01:00:00:09", "01:00:00:09", CUT, 0, 10, "clip_A", "", 1, 1, 5},
            {2, "TST", "V", "01:00:08:08", "01:00:08:18", "01:00:00:09", "01:00:00:19", DIS, 10, 0, "clip_B", "", 1, 1, 6},
            {3, "TST", "V", "01:00:08:18", "01:00:08:19", "01:00:00:19", "01:00:00:20", CUT, 0, 0, "clip_B", "", 1, 1, 10},
        };
        compare(e, w, 4, 24, 0, "dissolve_test.edl");
        check(strcmp(vm_edit_title(e), "dissolve test") == 0, "dissolve_test.edl: title", "'%s'", vm_edit_title(e));
        vm_edit_free(&e);
    }
    if ((e = load("wipe_test.edl", "24"))) {
        static const want_event w[] = {
            {1, "TST", "V", "01:00:04:05", "01:00:04:14", "01:00:00:00", "01:00:00:09", CUT, 0, 0, "clip_A", "", 1, 1, 3},
            {2, "TST", "V", "01:00:04:14", "01:00:04:14", "01:00:00:09", "01:00:00:09", CUT, 0, 10, "clip_A", "", 1, 1, 5},
            {2, "TST", "V", "01:00:08:08", "01:00:08:18", "01:00:00:09", "01:00:00:19", WIPE, 10, 0, "clip_B", "", 1, 1, 6},
            {3, "TST", "V", "01:00:08:18", "01:00:08:19", "01:00:00:19", "01:00:00:20", CUT, 0, 0, "clip_B", "", 1, 1, 9},
        };
        compare(e, w, 4, 24, 0, "wipe_test.edl");
        vm_edit_free(&e);
    }
    if ((e = load("transition_duration.edl", "24"))) {
        static const want_event w[] = {
            {1, "ABC0100.", "V", "01:00:12:15", "01:00:17:01", "01:00:48:20", "01:00:53:06", CUT, 0, 0, "", "", 1, 1, 3},
            {2, "ABC0200.", "V", "01:00:11:07", "01:00:14:09", "01:00:53:06", "01:00:56:08", CUT, 0, 0, "", "", 1, 1, 4},
            {3, "ABC0200.", "V", "01:00:14:09", "01:00:14:09", "01:00:56:08", "01:00:56:08", CUT, 0, 26, "", "", 1, 1, 5},
            {3, "ABC0300.", "V", "01:00:10:08", "01:00:13:09", "01:00:56:08", "01:00:59:09", DIS, 26, 0, "", "", 1, 1, 6},
            {4, "ABC0400.", "V", "01:00:11:09", "01:00:17:20", "01:00:59:09", "01:01:05:20", CUT, 0, 0, "", "", 1, 1, 8},
        };
        compare(e, w, 5, 24, 0, "transition_duration.edl (CRLF)");
        vm_edit_free(&e);
    }
    if ((e = load("speed_effects_small.edl", "24"))) {
        static const want_event w[] = {
            {1, "Z677_4C.", "V", "01:00:01:21", "01:00:07:03", "01:00:00:00", "01:00:05:06", CUT, 0, 0,
             "Z677_4C (ANIM10)", "", 1, 1, 3},
            {2, "Z682_156", "V", "01:00:10:21", "01:00:10:22", "01:08:30:00", "01:08:30:17", CUT, 0, 0,
             "Z682_156 (LAY3) FF", "", 0, 1, 5},
            {3, "Z682_157", "V", "01:00:10:20", "01:00:10:21", "01:08:30:17", "01:08:30:18", CUT, 0, 0,
             "Z682_157 (LAY2) FF", "", 0, 1, 9},
            {4, "Z682_157", "V", "01:00:10:20", "01:00:11:14", "01:08:30:18", "01:08:31:12", CUT, 0, 0,
             "Z682_157 (LAY2)", "", 1, 1, 13},
            {5, "Z686_5A.", "V", "01:00:06:00", "01:00:08:22", "01:11:31:16", "01:11:33:04", CUT, 0, 0,
             "Z686_5A (LAY2) (47.56 FPS)", "", 119, 60, 15},
        };
        compare(e, w, 5, 24, 0, "speed_effects_small.edl: freezes (000.0) and 047.6 fps");
        vm_edit_free(&e);
    }
    if ((e = load("screening_example.edl", "24"))) {
        /* blank and white-space lines between; "* LOC:" and "* AVX2 EFFECT" comments ignored */
        static const want_event w[] = {
            {1, "ZZ100_50", "V", "01:00:04:05", "01:00:05:12", "00:59:53:11", "00:59:54:18", CUT, 0, 0,
             "ZZ100_501 (LAY3)", "ZZ100_501.LAY3.01", 1, 1, 4},
            {2, "ZZ100_50", "V", "01:00:06:13", "01:00:08:15", "00:59:54:18", "00:59:56:20", CUT, 0, 0,
             "ZZ100_502A (LAY3)", "ZZ100_502A.LAY3.02", 1, 1, 9},
            {3, "ZZ100_50", "V", "01:00:08:09", "01:00:09:13", "00:59:56:20", "00:59:58:00", CUT, 0, 0,
             "ZZ100_503A (LAY1)", "ZZ100_503A.LAY1.01", 1, 1, 12},
            {4, "ZZ100_50", "V", "01:00:10:01", "01:00:14:20", "00:59:58:00", "01:00:02:19", CUT, 0, 0,
             "ZZ100_504C (LAY1)", "ZZ100_504C.LAY1.02", 1, 1, 15},
            {5, "ZZ100_50", "V", "01:00:14:17", "01:00:18:22", "01:00:02:19", "01:00:07:00", CUT, 0, 0,
             "ZZ100_504B (LAY1)", "ZZ100_504B.LAY1.02", 1, 1, 20},
            {6, "ZZ100_50", "V", "01:00:04:05", "01:00:10:22", "01:00:07:00", "01:00:13:17", CUT, 0, 0,
             "ZZ100_507C (LAY2)", "ZZ100_507C.LAY2.01", 1, 1, 23},
            {7, "ZZ100_50", "V", "01:00:09:12", "01:00:16:14", "01:00:13:17", "01:00:20:19", CUT, 0, 0,
             "ZZ100_508 (LAY2)", "ZZ100_508.LAY2.02", 1, 1, 26},
            {8, "ZZ100_51", "V", "01:00:13:10", "01:00:19:02", "01:00:20:19", "01:00:26:11", CUT, 0, 0,
             "ZZ100_510 (LAY1)", "ZZ100_510.LAY1.02", 1, 1, 31},
            {9, "ZZ100_51", "V", "01:00:04:05", "01:00:14:22", "01:00:26:11", "01:00:37:04", CUT, 0, 0,
             "ZZ100_510B (LAY1)", "ZZ100_510B.LAY1.02", 1, 1, 36},
        };
        compare(e, w, 9, 24, 0, "screening_example.edl");
        vm_edit_free(&e);
    }
    if ((e = load("multi_audio.edl", "24"))) {
        static const want_event w[] = {
            {1, "AX", "A1 A2 A3", "00:00:00:00", "00:56:55:22", "00:00:00:00", "00:56:55:22", CUT, 0, 0, "AX", "", 1, 1, 4},
        };
        compare(e, w, 1, 24, 0, "multi_audio.edl: AA and AUD 3");
        vm_edit_free(&e);
    }
    if ((e = load("avid_example.edl", "24"))) {
        static const want_event w[] = {
            {1, "ZZ100_50", "V", "01:00:04:05", "01:00:05:12", "00:59:53:11", "00:59:54:18", CUT, 0, 0, "take_1",
             "S:\\path\\to\\ZZ100_501.take_1.0001.exr", 1, 1, 2},
            {2, "ZZ100_50", "V", "01:00:06:13", "01:00:08:15", "00:59:54:18", "00:59:56:20", CUT, 0, 0, "take_2",
             "S:\\path\\to\\ZZ100_502A.take_2.0101.exr", 1, 1, 5},
        };
        compare(e, w, 2, 24, 0, "avid_example.edl: '* FROM CLIP:' is the source file");
        vm_edit_free(&e);
    }
    if ((e = load("nucoda_example.edl", "24"))) {
        static const want_event w[] = {
            {1, "ZZ100_50", "V", "01:00:04:05", "01:00:05:12", "00:59:53:11", "00:59:54:18", CUT, 0, 0, "take_1",
             "S:\\path\\to\\ZZ100_501.take_1.0001.exr", 1, 1, 2},
            {2, "ZZ100_50", "V", "01:00:06:13", "01:00:08:15", "00:59:54:18", "00:59:56:20", CUT, 0, 0, "take_2",
             "S:\\path\\to\\ZZ100_502A.take_2.0101.exr", 1, 1, 5},
        };
        compare(e, w, 2, 24, 0, "nucoda_example.edl: '* FROM FILE:' is the source file");
        vm_edit_free(&e);
    }
    if ((e = load("25fps.edl", "25"))) {
        static const want_event w[] = {
            {1, "SC00.JPG", "V", "01:00:00:00", "01:00:06:11", "00:00:00:00", "00:00:06:11", CUT, 0, 0, "sq001_s001",
             "", 1, 1, 4},
            {2, "SC00.JPG", "V", "01:00:00:00", "01:00:08:00", "00:00:06:11", "00:00:14:11", CUT, 0, 0, "sq001_s002",
             "", 1, 1, 7},
            {3, "SC00.JPG", "V", "01:00:00:00", "01:00:03:11", "00:00:14:11", "00:00:17:22", CUT, 0, 0, "sq001_s003",
             "", 1, 1, 10},
            /* frame 24 of a second: valid at 25 fps */
            {4, "SC00.JPG", "V", "01:00:00:00", "01:00:01:24", "00:00:17:22", "00:00:19:21", CUT, 0, 0, "sq001_s004",
             "", 1, 1, 13},
        };
        compare(e, w, 4, 25, 0, "25fps.edl at 25 fps");
        vm_edit_free(&e);
    }
    if ((e = load("dissolve_test_4.edl", "24"))) {
        /* two dissolves in a row (35 and 64 frames), each from its pair's from line; event numbers jump to 60 */
        static const want_event w[] = {
            {1, "ABC0000.", "V", "01:00:06:18", "01:00:08:00", "01:04:11:17", "01:04:12:23", CUT, 0, 0, "", "", 1, 1, 3},
            {2, "ABC0010.", "V", "01:00:06:15", "01:00:08:18", "01:04:12:23", "01:04:15:02", CUT, 0, 0, "", "", 1, 1, 4},
            {3, "ABC0020.", "V", "01:00:08:18", "01:00:08:18", "01:04:15:02", "01:04:15:02", CUT, 0, 35, "", "", 1, 1, 5},
            {3, "ABC0020.", "V", "01:00:06:22", "01:00:10:07", "01:04:15:02", "01:04:18:11", DIS, 35, 0, "", "", 1, 1, 6},
            {4, "ABC0030.", "V", "01:00:10:07", "01:00:10:07", "01:04:18:11", "01:04:18:11", CUT, 0, 64, "", "", 1, 1, 8},
            {4, "ABC0030.", "V", "01:00:06:10", "01:00:09:22", "01:04:18:11", "01:04:21:23", DIS, 64, 0, "", "", 1, 1, 9},
            {5, "ABC0040.", "V", "01:00:08:14", "01:00:12:14", "01:04:21:23", "01:04:25:23", CUT, 0, 0, "", "", 1, 1, 11},
            {60, "ABC0050.", "V", "01:00:12:06", "01:00:17:21", "01:04:25:23", "01:04:31:14", CUT, 0, 0, "", "", 1, 1, 12},
        };
        compare(e, w, 8, 24, 0, "dissolve_test_4.edl: two dissolves in a row, event numbers jump to 60");
        vm_edit_free(&e);
    }
    {
        vm_fps f = fps_of("24");
        char err[DS_ERR_LEN];
        e = NULL;
        ds_result r = vm_edl_load("tests/data/otio/25fps.edl", &f, &e, err);
        check(r == DS_ERR_FORMAT && strstr(err, "25fps.edl:13: event 4: bad source out '01:00:01:24'"),
              "25fps.edl read at 24 fps: frame 24 is an error naming line and event", "%s", err);
        f = fps_of("25");
        r = vm_edl_load("tests/data/otio/timecode_mismatch.edl", &f, &e, err);
        check(r == DS_ERR_FORMAT && strstr(err, "timecode_mismatch.edl:13: event 4: the source runs"),
              "timecode_mismatch.edl: source and record lengths differ at event 4", "%s", err);
    }
}

int main(void)
{
    written_lists();
    editors_forms();
    errors();
    samples();
    return check_exit();
}
