/* test_conform.c - the change list between two cuts (vm/conform.h) on
 * edits written here, every range and every event change compared with
 * the answer worked out by hand from the lists' timecodes (frames counted
 * here as (hh*3600 + mm*60 + ss)*24 + ff, not by vm/timecode); the map in
 * samples at 48 kHz (2,000 samples a frame at 24 fps) on both sides of
 * each change; matching by source, not event number (a cut renumbered and
 * re-ordered in its file gives the same list); a shot used twice; a shot
 * cut in two (an "add edit") is no change; black never matches; the errors.
 * Then the mix moved (vm/conform_mix.h) where a centred dissolve got longer:
 * the crossfade spot() made on the old cut's dissolve, and one written by
 * hand on the same samples, take the new dissolve's samples, every clip's
 * position, source offset, length and fades checked against the samples
 * worked out by hand (and against what spot() places from the new cut);
 * a dissolve whose new length needs sound before the start of a file
 * leaves every crossfade at that edit as it was, listed for review. */
#include "vm/conform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/fps_util.h"
#include "tests/unit/render_util.h"
#include "vm/conform_mix.h"
#include "vm/desc.h"
#include "vm/edl.h"
#include "vm/otio.h"

#define SPF 2000 /* samples a frame: 48 kHz at 24 fps */
#define HOUR1 ((int64_t)3600 * 24) /* 01:00:00:00 in frames: the session start */

static vm_edit *parse(const char *name, const char *text)
{
    vm_fps f = fps_of("24");
    char err[DS_ERR_LEN];
    char *copy = strdup(text);
    vm_edit *e = NULL;
    ds_result r = vm_edl_parse(name, copy, strlen(copy), &f, &e, err);
    free(copy);
    check(r == DS_OK && e, name, "result %d: %s", (int)r, err);
    return e;
}

/* frames from 01:00:00:00 of "01:MM:SS:FF" */
static int64_t f1(const char *tc)
{
    int h, m, s, f;
    sscanf(tc, "%d:%d:%d:%d", &h, &m, &s, &f);
    return ((int64_t)h * 3600 + m * 60 + s) * 24 + f - HOUR1;
}

/* The pair of the render test too (tests/render/conform.sh): an insert
 * (B001), a delete (A003), a head trim (A004 loses 1 s), a move (A006
 * before A005) and a dissolve change (A005 comes in on a 12-frame dissolve
 * instead of a cut). */
static const char old_cut[] =
    "TITLE: REEL 1 V5\n"
    "FCM: NON-DROP FRAME\n"
    "001  A001     AA/V  C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n"
    "002  A002     AA/V  C        11:00:00:00 11:00:04:00 01:00:04:00 01:00:08:00\n"
    "003  A003     AA/V  C        12:00:00:00 12:00:04:00 01:00:08:00 01:00:12:00\n"
    "004  A004     AA/V  C        13:00:00:00 13:00:04:00 01:00:12:00 01:00:16:00\n"
    "005  A005     AA/V  C        14:00:00:00 14:00:04:00 01:00:16:00 01:00:20:00\n"
    "006  A006     AA/V  C        15:00:00:00 15:00:04:00 01:00:20:00 01:00:24:00\n";

static const char new_cut[] =
    "TITLE: REEL 1 V6\n"
    "FCM: NON-DROP FRAME\n"
    "001  A001     AA/V  C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n"
    "002  B001     AA/V  C        20:00:00:00 20:00:02:00 01:00:04:00 01:00:06:00\n"
    "003  A002     AA/V  C        11:00:00:00 11:00:04:00 01:00:06:00 01:00:10:00\n"
    "004  A004     AA/V  C        13:00:01:00 13:00:04:00 01:00:10:00 01:00:13:00\n"
    "005  A006     AA/V  C        15:00:00:00 15:00:04:00 01:00:13:00 01:00:17:00\n"
    "006  A006     AA/V  C        15:00:04:00 15:00:04:00 01:00:17:00 01:00:17:00\n"
    "006  A005     AA/V  D    012 14:00:00:00 14:00:04:00 01:00:17:00 01:00:21:00\n";

typedef struct {
    vm_conform_kind kind;
    const char *old_in, *old_out, *new_in, *new_out; /* NULL: open (head, tail) */
    int old_event, new_event;                       /* indices in the files' event order */
} want_range;

static void compare_ranges(const vm_conform *c, const want_range *w, int n, const char *name)
{
    int got;
    const vm_conform_range *r = vm_conform_ranges(c, &got);
    char label[200];
    snprintf(label, sizeof label, "%s: %d ranges", name, n);
    check(got == n, label, "got %d", got);
    for (int i = 0; i < n && i < got; i++) {
        int64_t oi = w[i].old_in ? f1(w[i].old_in) + HOUR1 : INT64_MIN;
        int64_t oo = w[i].old_out ? f1(w[i].old_out) + HOUR1 : INT64_MAX;
        int64_t ni = w[i].new_in ? f1(w[i].new_in) + HOUR1 : INT64_MIN;
        int64_t no = w[i].new_out ? f1(w[i].new_out) + HOUR1 : INT64_MAX;
        snprintf(label, sizeof label, "%s: range %d (%s %s-%s)", name, i + 1,
                 w[i].kind == VM_CONFORM_KEPT ? "kept" : w[i].kind == VM_CONFORM_REMOVED ? "removed" : "inserted",
                 w[i].old_in ? w[i].old_in : "-", w[i].old_out ? w[i].old_out : "-");
        check(r[i].kind == w[i].kind && r[i].old_in == oi && r[i].old_out == oo && r[i].new_in == ni
                  && r[i].new_out == no && r[i].old_event == w[i].old_event && r[i].new_event == w[i].new_event,
              label, "got kind %d old %lld-%lld new %lld-%lld events %d/%d", (int)r[i].kind, (long long)r[i].old_in,
              (long long)r[i].old_out, (long long)r[i].new_in, (long long)r[i].new_out, r[i].old_event,
              r[i].new_event);
        /* in samples from the session start: the same frames at 2,000 a frame */
        if (w[i].old_in && w[i].new_in) {
            snprintf(label, sizeof label, "%s: range %d in samples", name, i + 1);
            check(r[i].old_in_s == f1(w[i].old_in) * SPF && r[i].new_in_s == f1(w[i].new_in) * SPF, label,
                  "old %lld new %lld", (long long)r[i].old_in_s, (long long)r[i].new_in_s);
        }
    }
}

typedef struct {
    vm_change_kind kind;
    int old_event, new_event;
    int64_t move, head, tail;
} want_change;

static void compare_changes(const vm_conform *c, const want_change *w, int n, const char *name)
{
    int got;
    const vm_change *ch = vm_conform_changes(c, &got);
    char label[200];
    snprintf(label, sizeof label, "%s: %d event changes", name, n);
    check(got == n, label, "got %d", got);
    for (int i = 0; i < n && i < got; i++) {
        snprintf(label, sizeof label, "%s: change %d", name, i + 1);
        check(ch[i].kind == w[i].kind && ch[i].old_event == w[i].old_event && ch[i].new_event == w[i].new_event
                  && ch[i].move == w[i].move && ch[i].head == w[i].head && ch[i].tail == w[i].tail,
              label, "got kind %d events %d/%d move %lld head %lld tail %lld", (int)ch[i].kind, ch[i].old_event,
              ch[i].new_event, (long long)ch[i].move, (long long)ch[i].head, (long long)ch[i].tail);
    }
}

static vm_conform *conform(const vm_edit *a, const vm_edit *b, int track, const char *name)
{
    vm_conform *c = NULL;
    char err[DS_ERR_LEN];
    ds_result r = vm_conform_new(a, b, track, 48000, HOUR1 * SPF, &c, err);
    check(r == DS_OK && c, name, "result %d: %s", (int)r, err);
    return c;
}

/* The pair's ranges. Events by index: old 0..5 = A001..A006; new 0 A001, 1 B001, 2 A002, 3 A004, 4 A006, 5 (A006 from
 * line, zero length), 6 A005 */
static const want_range pair_ranges[] = {
    {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
    {VM_CONFORM_KEPT, "01:00:00:00", "01:00:04:00", "01:00:00:00", "01:00:04:00", 0, 0},
    {VM_CONFORM_KEPT, "01:00:04:00", "01:00:08:00", "01:00:06:00", "01:00:10:00", 1, 2},
    {VM_CONFORM_REMOVED, "01:00:08:00", "01:00:12:00", "01:00:10:00", "01:00:10:00", 2, -1},
    {VM_CONFORM_REMOVED, "01:00:12:00", "01:00:13:00", "01:00:10:00", "01:00:10:00", 3, -1},
    {VM_CONFORM_KEPT, "01:00:13:00", "01:00:16:00", "01:00:10:00", "01:00:13:00", 3, 3},
    {VM_CONFORM_KEPT, "01:00:16:00", "01:00:20:00", "01:00:17:00", "01:00:21:00", 4, 6},
    {VM_CONFORM_KEPT, "01:00:20:00", "01:00:24:00", "01:00:13:00", "01:00:17:00", 5, 4},
    {VM_CONFORM_KEPT, "01:00:24:00", NULL, "01:00:21:00", NULL, -1, -1},
    {VM_CONFORM_INSERTED, "01:00:04:00", "01:00:04:00", "01:00:04:00", "01:00:06:00", -1, 1},
};
#define NPAIR_RANGES (int)(sizeof pair_ranges / sizeof pair_ranges[0])

static void the_pair(void)
{
    vm_edit *a = parse("v5.edl", old_cut), *b = parse("v6.edl", new_cut);
    if (!a || !b)
        return;
    vm_conform *c = conform(a, b, 0, "the pair: compared on V");
    if (!c)
        return;
    compare_ranges(c, pair_ranges, NPAIR_RANGES, "the pair");
    static const want_change changes[] = {
        {VM_CHANGE_MOVED, 1, 2, 48, 0, 0},
        {VM_CHANGE_REMOVED, 2, -1, 0, 0, 0},
        {VM_CHANGE_TRIMMED, 3, 3, -72, 24, 0},
        {VM_CHANGE_MOVED, 4, 6, 24, 0, 0},
        {VM_CHANGE_TRANSITION, 4, 6, 0, 0, 0},
        {VM_CHANGE_MOVED, 5, 4, -168, 0, 0},
        {VM_CHANGE_INSERTED, -1, 1, 0, 0, 0},
    };
    compare_changes(c, changes, (int)(sizeof changes / sizeof changes[0]), "the pair");

    /* the map, in samples from the session start, on both sides of each change */
    static const struct {
        const char *old_tc;
        int64_t plus;      /* samples into the frame */
        int kept;
        const char *new_tc;
    } points[] = {
        {"01:00:00:00", 0, 1, "01:00:00:00"},    {"01:00:03:23", 1999, 1, "01:00:03:23"},
        {"01:00:04:00", 0, 1, "01:00:06:00"},    {"01:00:07:23", 1999, 1, "01:00:09:23"},
        {"01:00:08:00", 0, 0, "01:00:10:00"},    {"01:00:12:23", 1999, 0, "01:00:10:00"},
        {"01:00:13:00", 0, 1, "01:00:10:00"},    {"01:00:15:23", 1999, 1, "01:00:12:23"},
        {"01:00:16:00", 0, 1, "01:00:17:00"},    {"01:00:20:00", 0, 1, "01:00:13:00"},
        {"01:00:23:23", 1999, 1, "01:00:16:23"}, {"01:00:24:00", 0, 1, "01:00:21:00"},
        {"01:00:30:00", 7, 1, "01:00:27:00"},
    };
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        int64_t old_pos = f1(points[i].old_tc) * SPF + points[i].plus, now = -1;
        int64_t want_pos = f1(points[i].new_tc) * SPF + (points[i].kept ? points[i].plus : 0);
        int kept = vm_conform_map(c, old_pos, &now, NULL);
        char label[120];
        snprintf(label, sizeof label, "the pair: map %s+%lld", points[i].old_tc, (long long)points[i].plus);
        check(kept == points[i].kept && now == want_pos, label, "got %d %lld, want %d %lld", kept, (long long)now,
              points[i].kept, (long long)want_pos);
    }
    /* before the cut: kept in place */
    int64_t now;
    check(vm_conform_map(c, -48000, &now, NULL) == 1 && now == -48000, "the pair: map 1 s before the cut",
          "got %lld", (long long)now);
    vm_conform_free(&c);
    check(c == NULL, "vm_conform_free clears the pointer", "%p", (void *)c);

    /* a cut against itself: all kept where it was, no change */
    c = conform(a, a, 0, "the old cut against itself");
    if (c) {
        int n, nch;
        const vm_conform_range *r = vm_conform_ranges(c, &n);
        vm_conform_changes(c, &nch);
        int same = 1;
        for (int i = 0; i < n; i++)
            same &= r[i].kind == VM_CONFORM_KEPT && r[i].old_in == r[i].new_in;
        check(n == 3 && same && nch == 0, "a cut against itself: before, the cut, after; all in place; no change",
              "%d ranges, %d changes", n, nch);
        vm_conform_free(&c);
    }

    /* compared the other way: the inverse (what was inserted is removed, and so on) */
    c = conform(b, a, 0, "the pair backwards");
    if (c) {
        int n;
        const vm_conform_range *r = vm_conform_ranges(c, &n);
        int removed = 0, inserted = 0;
        int64_t removed_frames = 0, inserted_frames = 0;
        for (int i = 0; i < n; i++) {
            removed += r[i].kind == VM_CONFORM_REMOVED;
            inserted += r[i].kind == VM_CONFORM_INSERTED;
            if (r[i].kind == VM_CONFORM_REMOVED)
                removed_frames += r[i].old_out - r[i].old_in;
            if (r[i].kind == VM_CONFORM_INSERTED)
                inserted_frames += r[i].new_out - r[i].new_in;
        }
        check(removed == 1 && removed_frames == 48 && inserted == 2 && inserted_frames == 96 + 24,
              "the pair backwards: B001 removed (48 frames), A003 and A004's head inserted (96 + 24)",
              "removed %d (%lld frames), inserted %d (%lld frames)", removed, (long long)removed_frames, inserted,
              (long long)inserted_frames);
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* The same new cut written with other event numbers, its lines in another
 * order and a clip name on one: the ranges and changes are the same. */
static void renumbered(void)
{
    static const char shuffled[] =
        "TITLE: REEL 1 V6 RENUMBERED\n"
        "FCM: NON-DROP FRAME\n"
        "105  A006     AA/V  C        15:00:00:00 15:00:04:00 01:00:13:00 01:00:17:00\n"
        "101  A001     AA/V  C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n"
        "103  A002     AA/V  C        11:00:00:00 11:00:04:00 01:00:06:00 01:00:10:00\n"
        "102  B001     AA/V  C        20:00:00:00 20:00:02:00 01:00:04:00 01:00:06:00\n"
        "104  A004     AA/V  C        13:00:01:00 13:00:04:00 01:00:10:00 01:00:13:00\n"
        "106  A005     AA/V  C        14:00:00:00 14:00:04:00 01:00:17:00 01:00:21:00\n";
    vm_edit *a = parse("v5.edl", old_cut), *b = parse("v6r.edl", shuffled);
    if (!a || !b)
        return;
    vm_conform *c = conform(a, b, 0, "renumbered");
    if (c) {
        /* the pair's ranges with the new events' indices in this file: v6's 0 A001 is 1 here, 1 B001 3,
         * 2 A002 2, 3 A004 4, 4 A006 0, 6 A005 5 */
        static const int renumber[] = {1, 3, 2, 4, 0, -1, 5};
        want_range want[NPAIR_RANGES];
        for (int i = 0; i < NPAIR_RANGES; i++) {
            want[i] = pair_ranges[i];
            if (want[i].new_event >= 0)
                want[i].new_event = renumber[want[i].new_event];
        }
        compare_ranges(c, want, NPAIR_RANGES, "renumbered");
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* A shot used twice in the new cut: the copy nearest its old place keeps
 * the mix, the other is inserted. A shot cut in two is one kept range. A
 * clip name tells two takes on one reel apart. Black never matches. */
static void repeats_and_splits(void)
{
    static const char a_text[] =
        "001  R1       V     C        00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME: take1\n"
        "002  R1       V     C        00:00:10:00 00:00:12:00 01:00:02:00 01:00:04:00\n"
        "* FROM CLIP NAME: take2\n"
        "003  BL       V     C        00:00:00:00 00:00:01:00 01:00:04:00 01:00:05:00\n"
        "004  R2       V     C        00:00:20:00 00:00:24:00 01:00:05:00 01:00:09:00\n";
    static const char b_text[] =
        "001  R1       V     C        00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME: take2\n"
        "002  R1       V     C        00:00:10:00 00:00:12:00 01:00:02:00 01:00:04:00\n"
        "* FROM CLIP NAME: take1\n"
        "003  BL       V     C        00:00:00:00 00:00:01:00 01:00:04:00 01:00:05:00\n"
        "004  R2       V     C        00:00:20:00 00:00:22:00 01:00:05:00 01:00:07:00\n"
        "005  R2       V     C        00:00:22:00 00:00:24:00 01:00:07:00 01:00:09:00\n"
        "006  R2       V     C        00:00:20:00 00:00:21:00 01:00:09:00 01:00:10:00\n";
    vm_edit *a = parse("a.edl", a_text), *b = parse("b.edl", b_text);
    if (!a || !b)
        return;
    vm_conform *c = conform(a, b, 0, "repeats and splits");
    if (c) {
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
            /* take1 went from first to second, take2 the other way */
            {VM_CONFORM_KEPT, "01:00:00:00", "01:00:02:00", "01:00:02:00", "01:00:04:00", 0, 1},
            {VM_CONFORM_KEPT, "01:00:02:00", "01:00:04:00", "01:00:00:00", "01:00:02:00", 1, 0},
            /* black is not matched: removed (where the range before it in the old cut, take2, ends now),
             * and the new black inserted */
            {VM_CONFORM_REMOVED, "01:00:04:00", "01:00:05:00", "01:00:02:00", "01:00:02:00", 2, -1},
            /* R2 cut in two (events 4 and 5): one range */
            {VM_CONFORM_KEPT, "01:00:05:00", "01:00:09:00", "01:00:05:00", "01:00:09:00", 3, 3},
            {VM_CONFORM_KEPT, "01:00:09:00", NULL, "01:00:10:00", NULL, -1, -1},
            {VM_CONFORM_INSERTED, "01:00:02:00", "01:00:02:00", "01:00:04:00", "01:00:05:00", -1, 2},
            /* R2's first second again: inserted (its first use keeps the mix) */
            {VM_CONFORM_INSERTED, "01:00:09:00", "01:00:09:00", "01:00:09:00", "01:00:10:00", -1, 5},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "repeats and splits");
        static const want_change changes[] = {
            {VM_CHANGE_MOVED, 0, 1, 48, 0, 0},
            {VM_CHANGE_MOVED, 1, 0, -48, 0, 0},
            {VM_CHANGE_INSERTED, -1, 5, 0, 0, 0},
        };
        compare_changes(c, changes, (int)(sizeof changes / sizeof changes[0]), "repeats and splits");
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* Retimed shots (M2 lines): R2 at twice normal speed and R3 frozen, both
 * moved 2 s later by an insert, follow the picture (before, any event at
 * another speed was new picture, and the mix under it was dropped); R4
 * went from normal speed to twice: new picture, the old removed; R5 at
 * twice normal speed starts 4 source frames later, which is 2 record
 * frames: trimmed 2 frames at its head, moved +46; R6 at twice normal speed
 * starts 1 source frame later: half a record frame, no whole-frame match:
 * removed, and inserted. Worked by hand from the lists: new frame = old
 * frame + (new rec in - old rec in) + (old src in - new src in) / speed. */
static void retimed_shots(void)
{
    static const char a_text[] =
        "001  R1       V     C        00:00:00:00 00:00:04:00 01:00:00:00 01:00:04:00\n"
        "002  R2       V     C        00:00:10:00 00:00:14:00 01:00:04:00 01:00:08:00\n"
        "M2   R2       048.0                00:00:10:00\n"
        "003  R3       V     C        00:00:00:00 00:00:04:00 01:00:08:00 01:00:12:00\n"
        "M2   R3       000.0                00:00:00:00\n"
        "004  R4       V     C        00:00:00:00 00:00:04:00 01:00:12:00 01:00:16:00\n"
        "005  R5       V     C        00:00:20:00 00:00:24:00 01:00:16:00 01:00:20:00\n"
        "M2   R5       048.0                00:00:20:00\n"
        "006  R6       V     C        00:00:30:00 00:00:34:00 01:00:20:00 01:00:24:00\n"
        "M2   R6       048.0                00:00:30:00\n";
    static const char b_text[] =
        "001  R1       V     C        00:00:00:00 00:00:04:00 01:00:00:00 01:00:04:00\n"
        "002  R9       V     C        00:00:00:00 00:00:02:00 01:00:04:00 01:00:06:00\n"
        "003  R2       V     C        00:00:10:00 00:00:14:00 01:00:06:00 01:00:10:00\n"
        "M2   R2       048.0                00:00:10:00\n"
        "004  R3       V     C        00:00:00:00 00:00:04:00 01:00:10:00 01:00:14:00\n"
        "M2   R3       000.0                00:00:00:00\n"
        "005  R4       V     C        00:00:00:00 00:00:04:00 01:00:14:00 01:00:18:00\n"
        "M2   R4       048.0                00:00:00:00\n"
        "006  R5       V     C        00:00:20:04 00:00:24:02 01:00:18:00 01:00:21:22\n"
        "M2   R5       048.0                00:00:20:04\n"
        "007  R6       V     C        00:00:30:01 00:00:34:01 01:00:21:22 01:00:25:22\n"
        "M2   R6       048.0                00:00:30:01\n";
    vm_edit *a = parse("retimed_a.edl", a_text), *b = parse("retimed_b.edl", b_text);
    if (!a || !b)
        return;
    vm_conform *c = conform(a, b, 0, "retimed shots");
    if (c) {
        /* events by index: old 0..5 = R1..R6; new 0 R1, 1 R9, 2 R2, 3 R3, 4 R4, 5 R5, 6 R6 */
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
            {VM_CONFORM_KEPT, "01:00:00:00", "01:00:04:00", "01:00:00:00", "01:00:04:00", 0, 0},
            /* R2 (2x) and R3 (frozen), both +48 frames: one range */
            {VM_CONFORM_KEPT, "01:00:04:00", "01:00:12:00", "01:00:06:00", "01:00:14:00", 1, 2},
            /* R4: its speed changed */
            {VM_CONFORM_REMOVED, "01:00:12:00", "01:00:16:00", "01:00:14:00", "01:00:14:00", 3, -1},
            /* R5: 2 record frames off its head */
            {VM_CONFORM_REMOVED, "01:00:16:00", "01:00:16:02", "01:00:14:00", "01:00:14:00", 4, -1},
            {VM_CONFORM_KEPT, "01:00:16:02", "01:00:20:00", "01:00:18:00", "01:00:21:22", 4, 5},
            /* R6: half a record frame off: no match */
            {VM_CONFORM_REMOVED, "01:00:20:00", "01:00:24:00", "01:00:21:22", "01:00:21:22", 5, -1},
            {VM_CONFORM_KEPT, "01:00:24:00", NULL, "01:00:25:22", NULL, -1, -1},
            {VM_CONFORM_INSERTED, "01:00:04:00", "01:00:04:00", "01:00:04:00", "01:00:06:00", -1, 1},
            {VM_CONFORM_INSERTED, "01:00:12:00", "01:00:12:00", "01:00:14:00", "01:00:18:00", -1, 4},
            {VM_CONFORM_INSERTED, "01:00:20:00", "01:00:20:00", "01:00:21:22", "01:00:25:22", -1, 6},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "retimed shots");
        static const want_change changes[] = {
            {VM_CHANGE_MOVED, 1, 2, 48, 0, 0},
            {VM_CHANGE_MOVED, 2, 3, 48, 0, 0},
            {VM_CHANGE_REMOVED, 3, -1, 0, 0, 0},
            {VM_CHANGE_TRIMMED, 4, 5, 46, 2, 0},
            {VM_CHANGE_REMOVED, 5, -1, 0, 0, 0},
            {VM_CHANGE_INSERTED, -1, 1, 0, 0, 0},
            {VM_CHANGE_INSERTED, -1, 4, 0, 0, 0},
            {VM_CHANGE_INSERTED, -1, 6, 0, 0, 0},
        };
        compare_changes(c, changes, (int)(sizeof changes / sizeof changes[0]), "retimed shots");
        int64_t at;
        int range;
        /* a sound at 01:00:09:00 (on the frozen R3) plays at 01:00:11:00 */
        check(vm_conform_map(c, f1("01:00:09:00") * SPF, &at, &range) == 1 && at == f1("01:00:11:00") * SPF,
              "retimed shots: 01:00:09:00 on the freeze maps to 01:00:11:00, to the sample", "%lld", (long long)at);
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* Cuts of sound only (AA, no V), as docs/conform.md's: compared on A1 when
 * no track is asked for; sc12_t3 loses 12 frames at its head, A017 comes
 * 12 frames earlier on a longer dissolve: one kept range from the trim on. */
static void sound_only(void)
{
    static const char v5[] =
        "TITLE: REEL 2 V5\n"
        "001  SC12     AA    C        00:00:01:00 00:00:03:00 01:00:01:00 01:00:03:00\n"
        "* FROM CLIP NAME:  sc12_t3\n"
        "002  SC12     AA    C        00:00:03:00 00:00:03:00 01:00:03:00 01:00:03:00\n"
        "002  A017     AA    D    012 14:21:07:00 14:21:09:00 01:00:03:00 01:00:05:00\n"
        "* FROM CLIP NAME:  sc12_t3\n";
    static const char v6[] =
        "TITLE: REEL 2 V6\n"
        "001  SC12     AA    C        00:00:01:12 00:00:03:00 01:00:01:00 01:00:02:12\n"
        "* FROM CLIP NAME:  sc12_t3\n"
        "002  SC12     AA    C        00:00:03:00 00:00:03:00 01:00:02:12 01:00:02:12\n"
        "002  A017     AA    D    024 14:21:07:00 14:21:09:00 01:00:02:12 01:00:04:12\n"
        "* FROM CLIP NAME:  sc12_t3\n";
    vm_edit *a = parse("reel2_v5.edl", v5), *b = parse("reel2_v6.edl", v6);
    if (!a || !b)
        return;
    vm_conform *c = conform(a, b, -1, "sound only: no track asked for");
    if (c) {
        check(vm_conform_track(c) == 1, "sound only: compared on A1", "track %d", vm_conform_track(c));
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:01:00", NULL, "01:00:01:00", -1, -1},
            {VM_CONFORM_REMOVED, "01:00:01:00", "01:00:01:12", "01:00:01:00", "01:00:01:00", 0, -1},
            {VM_CONFORM_KEPT, "01:00:01:12", "01:00:05:00", "01:00:01:00", "01:00:04:12", 0, 0},
            {VM_CONFORM_KEPT, "01:00:05:00", NULL, "01:00:04:12", NULL, -1, -1},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "sound only");
        static const want_change changes[] = {
            {VM_CHANGE_TRIMMED, 0, 0, -12, 12, 0},
            {VM_CHANGE_MOVED, 2, 2, -12, 0, 0},
            {VM_CHANGE_TRANSITION, 2, 2, 0, 0, 0},
        };
        compare_changes(c, changes, (int)(sizeof changes / sizeof changes[0]), "sound only");
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* The old cut as OpenTimelineIO (clips by name, no reel), the new one as an
 * EDL naming its events with "* FROM CLIP NAME:": matched by clip name
 * (the EDL's reels are no conflict: OTIO names none); shot2 removed, shot3
 * 2 s earlier. With shot3's name changed in the EDL nothing matches it. */
static void otio_and_edl(void)
{
#define RT(v) "{\"OTIO_SCHEMA\": \"RationalTime.1\", \"value\": " #v ", \"rate\": 24}"
#define SHOT(name, start) "{\"OTIO_SCHEMA\": \"Clip.1\", \"name\": \"" name "\", \"source_range\": " \
    "{\"OTIO_SCHEMA\": \"TimeRange.1\", \"start_time\": " RT(start) ", \"duration\": " RT(48) "}, " \
    "\"media_reference\": {\"OTIO_SCHEMA\": \"ExternalReference.1\", \"target_url\": \"file:///m/" name ".wav\"}}"
    static const char old_otio[] =
        "{\"OTIO_SCHEMA\": \"Timeline.1\", \"name\": \"v1\", \"global_start_time\": " RT(86400) ", "
        "\"tracks\": {\"OTIO_SCHEMA\": \"Stack.1\", \"children\": [{\"OTIO_SCHEMA\": \"Track.1\", \"kind\": "
        "\"Video\", \"children\": [" SHOT("shot1", 240) ", " SHOT("shot2", 480) ", " SHOT("shot3", 720) "]}]}}";
#undef SHOT
#undef RT
    static const char new_edl[] =
        "001  R1       V     C        00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME: shot1\n"
        "002  R3       V     C        00:00:30:00 00:00:32:00 01:00:02:00 01:00:04:00\n"
        "* FROM CLIP NAME: shot3\n";
    vm_fps f = fps_of("24");
    char err[DS_ERR_LEN];
    vm_edit *a = NULL, *b = parse("v2.edl", new_edl);
    ds_result r = vm_otio_parse("v1.otio", old_otio, strlen(old_otio), &f, &a, err);
    check(r == DS_OK && a, "otio and edl: the OTIO cut reads", "result %d: %s", (int)r, err);
    if (!a || !b)
        return;
    vm_conform *c = conform(a, b, 0, "otio and edl");
    if (c) {
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
            {VM_CONFORM_KEPT, "01:00:00:00", "01:00:02:00", "01:00:00:00", "01:00:02:00", 0, 0},
            {VM_CONFORM_REMOVED, "01:00:02:00", "01:00:04:00", "01:00:02:00", "01:00:02:00", 1, -1},
            {VM_CONFORM_KEPT, "01:00:04:00", "01:00:06:00", "01:00:02:00", "01:00:04:00", 2, 1},
            {VM_CONFORM_KEPT, "01:00:06:00", NULL, "01:00:04:00", NULL, -1, -1},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "otio and edl");
        vm_conform_free(&c);
    }
    vm_edit_free(&b);
    char *renamed = strdup(new_edl);
    memcpy(strstr(renamed, "shot3"), "shotX", 5);
    b = parse("v2x.edl", renamed);
    free(renamed);
    c = b ? conform(a, b, 0, "otio and edl, shot3 renamed") : NULL;
    if (c) {
        int nch;
        const vm_change *ch = vm_conform_changes(c, &nch);
        check(nch == 3 && ch[0].kind == VM_CHANGE_REMOVED && ch[1].kind == VM_CHANGE_REMOVED
                  && ch[1].old_event == 2 && ch[2].kind == VM_CHANGE_INSERTED && ch[2].new_event == 1,
              "otio and edl, shot3 renamed: another source (removed, and the new one inserted)", "%d changes", nch);
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* Two OTIO timelines written here, read at 24 fps into *a and *b (each
 * checked; NULL when it does not read). */
static void parse_otio_pair(const char *a_name, const char *a_text, const char *b_name, const char *b_text,
                            const char *what, vm_edit **a, vm_edit **b)
{
    vm_fps f = fps_of("24");
    char err[DS_ERR_LEN], label[160];
    *a = *b = NULL;
    ds_result ra = vm_otio_parse(a_name, a_text, strlen(a_text), &f, a, err);
    snprintf(label, sizeof label, "%s: the old cut reads", what);
    check(ra == DS_OK && *a, label, "result %d: %s", (int)ra, err);
    ds_result rb = vm_otio_parse(b_name, b_text, strlen(b_text), &f, b, err);
    snprintf(label, sizeof label, "%s: the new cut reads", what);
    check(rb == DS_OK && *b, label, "result %d: %s", (int)rb, err);
}

/* Two picture layers (OTIO video tracks; the upper one starts with a gap,
 * as every editor's export of a second video track does): a VFX shot on
 * V2 over shot2's middle, shot2 moved before shot1 with its VFX; the new
 * cut puts a second VFX over shot3's frames 12-24. On V (what is seen: the
 * top layer's clips, V2's gaps transparent) shot3's covered frames are
 * removed and the VFX over it inserted; on V1 alone (track "V1") only the
 * swap. Before, the layers were one track cut back by record in: V2's
 * leading gap blacked out shot1's tail... and the VFX was lost. Every range
 * worked out by hand from the frames below (record frames from 01:00:00:00). */
static void picture_layers(void)
{
#define RT(v) "{\"OTIO_SCHEMA\": \"RationalTime.1\", \"value\": " #v ", \"rate\": 24}"
#define TR(start, dur) "{\"OTIO_SCHEMA\": \"TimeRange.1\", \"start_time\": " RT(start) ", \"duration\": " RT(dur) "}"
#define SHOT(name, start, dur) "{\"OTIO_SCHEMA\": \"Clip.1\", \"name\": \"" name "\", \"source_range\": " \
    TR(start, dur) ", \"media_reference\": {\"OTIO_SCHEMA\": \"ExternalReference.1\", \"target_url\": " \
    "\"file:///m/" name ".mov\"}}"
#define GAP(dur) "{\"OTIO_SCHEMA\": \"Gap.1\", \"source_range\": " TR(0, dur) "}"
#define TIMELINE(v1, v2) "{\"OTIO_SCHEMA\": \"Timeline.1\", \"name\": \"layers\", \"global_start_time\": " \
    RT(86400) ", \"tracks\": {\"OTIO_SCHEMA\": \"Stack.1\", \"children\": [" \
    "{\"OTIO_SCHEMA\": \"Track.1\", \"kind\": \"Video\", \"children\": [" v1 "]}, " \
    "{\"OTIO_SCHEMA\": \"Track.1\", \"kind\": \"Video\", \"children\": [" v2 "]}]}}"
    /* old: V1 shot1 [0,48) shot2 [48,96) shot3 [96,144); V2 gap [0,60) vfx2 [60,84)
     * seen: shot1 [0,48) shot2 [48,60) vfx2 [60,84) shot2 [84,96) shot3 [96,144) */
    static const char old_otio[] = TIMELINE(SHOT("shot1", 240, 48) ", " SHOT("shot2", 480, 48) ", "
                                            SHOT("shot3", 720, 48), GAP(60) ", " SHOT("vfx2", 0, 24));
    /* new: V1 shot2 [0,48) shot1 [48,96) shot3 [96,144); V2 gap [0,12) vfx2 [12,36) gap [36,108) vfx3 [108,120)
     * seen: shot2 [0,12) vfx2 [12,36) shot2 [36,48) shot1 [48,96) shot3 [96,108) vfx3 [108,120) shot3 [120,144) */
    static const char new_otio[] = TIMELINE(SHOT("shot2", 480, 48) ", " SHOT("shot1", 240, 48) ", "
                                            SHOT("shot3", 720, 48), GAP(12) ", " SHOT("vfx2", 0, 24) ", " GAP(72)
                                            ", " SHOT("vfx3", 0, 12));
#undef TIMELINE
#undef GAP
#undef SHOT
#undef TR
#undef RT
    char err[DS_ERR_LEN];
    vm_edit *a, *b;
    parse_otio_pair("layers_v1.otio", old_otio, "layers_v2.otio", new_otio, "picture layers", &a, &b);
    if (a && b) {
        check(vm_edit_event_at(a, 2)->layer == 0 && vm_edit_event_at(a, 3)->layer == 1
                  && vm_edit_event_at(a, 4)->layer == 1 && vm_edit_event_at(b, 6)->layer == 1,
              "picture layers: events carry their video track's layer (V1 0, V2 1)", "%d %d",
              vm_edit_event_at(a, 2)->layer, vm_edit_event_at(a, 4)->layer);
    }
    vm_conform *c = a && b ? conform(a, b, 0, "picture layers on V") : NULL;
    if (c) {
        /* events by index: old 0 shot1, 1 shot2, 2 shot3, 3 gap, 4 vfx2; new 0 shot2, 1 shot1, 2 shot3, 3 gap,
         * 4 vfx2, 5 gap, 6 vfx3 */
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
            {VM_CONFORM_KEPT, "01:00:00:00", "01:00:02:00", "01:00:02:00", "01:00:04:00", 0, 1},
            /* shot2, its VFX and shot2 again: one move */
            {VM_CONFORM_KEPT, "01:00:02:00", "01:00:04:00", "01:00:00:00", "01:00:02:00", 1, 0},
            {VM_CONFORM_KEPT, "01:00:04:00", "01:00:04:12", "01:00:04:00", "01:00:04:12", 2, 2},
            /* shot3's frames under the new VFX are not seen any more */
            {VM_CONFORM_REMOVED, "01:00:04:12", "01:00:05:00", "01:00:04:12", "01:00:04:12", 2, -1},
            {VM_CONFORM_KEPT, "01:00:05:00", "01:00:06:00", "01:00:05:00", "01:00:06:00", 2, 2},
            {VM_CONFORM_KEPT, "01:00:06:00", NULL, "01:00:06:00", NULL, -1, -1},
            {VM_CONFORM_INSERTED, "01:00:04:12", "01:00:04:12", "01:00:04:12", "01:00:05:00", -1, 6},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "picture layers on V");
        static const want_change changes[] = {
            {VM_CHANGE_MOVED, 0, 1, 48, 0, 0},
            {VM_CHANGE_MOVED, 1, 0, -48, 0, 0},
            {VM_CHANGE_MOVED, 4, 4, -48, 0, 0},
            {VM_CHANGE_MOVED, 1, 0, -48, 0, 0},
            {VM_CHANGE_TRIMMED, 2, 2, 0, 0, 0},
            {VM_CHANGE_INSERTED, -1, 6, 0, 0, 0},
        };
        compare_changes(c, changes, (int)(sizeof changes / sizeof changes[0]), "picture layers on V");
        vm_conform_free(&c);
    }
    c = a && b ? conform(a, b, VM_CONFORM_LAYER(0), "picture layers on V1 alone") : NULL;
    if (c) {
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
            {VM_CONFORM_KEPT, "01:00:00:00", "01:00:02:00", "01:00:02:00", "01:00:04:00", 0, 1},
            {VM_CONFORM_KEPT, "01:00:02:00", "01:00:04:00", "01:00:00:00", "01:00:02:00", 1, 0},
            {VM_CONFORM_KEPT, "01:00:04:00", "01:00:06:00", "01:00:04:00", "01:00:06:00", 2, 2},
            {VM_CONFORM_KEPT, "01:00:06:00", NULL, "01:00:06:00", NULL, -1, -1},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "picture layers on V1 alone");
        char name[16];
        vm_conform_track_name(vm_conform_track(c), name, sizeof name);
        check(strcmp(name, "V1") == 0, "picture layers on V1 alone: the track is named V1", "'%s'", name);
        vm_conform_free(&c);
    }
    vm_conform *none = NULL;
    ds_result r = a && b ? vm_conform_new(a, b, VM_CONFORM_LAYER(2), 48000, 0, &none, err) : DS_ERR_ARG;
    check(r == DS_ERR_FORMAT && strstr(err, "has no event on track V3"),
          "picture layers: track V3, which the cuts do not have: an error naming it", "%d: %s", (int)r, err);
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* Untimed sources (an EDL's "00:00:00:00 00:00:00:00" for media without
 * timecode): the leader, moved 1 s by an insert, is the same picture; the
 * temp title, one source shown twice at the same (unknown) place, matches
 * only the copy of its own length; the one whose length changed is new
 * picture (its frames cannot be told apart). */
static void untimed_sources(void)
{
    static const char a_text[] =
        "001  LEADER   V     C        00:00:00:00 00:00:00:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME: LEADER.MOV\n"
        "002  R1       V     C        10:00:00:00 10:00:02:00 01:00:02:00 01:00:04:00\n"
        "003  TITLE    V     C        00:00:00:00 00:00:00:00 01:00:04:00 01:00:05:00\n"
        "* FROM CLIP NAME: TITLE.MOV\n";
    static const char b_text[] =
        "001  R9       V     C        20:00:00:00 20:00:01:00 01:00:00:00 01:00:01:00\n"
        "002  LEADER   V     C        00:00:00:00 00:00:00:00 01:00:01:00 01:00:03:00\n"
        "* FROM CLIP NAME: LEADER.MOV\n"
        "003  R1       V     C        10:00:00:00 10:00:02:00 01:00:03:00 01:00:05:00\n"
        "004  TITLE    V     C        00:00:00:00 00:00:00:00 01:00:05:00 01:00:07:00\n"
        "* FROM CLIP NAME: TITLE.MOV\n";
    vm_edit *a = parse("untimed_a.edl", a_text), *b = parse("untimed_b.edl", b_text);
    if (!a || !b)
        return;
    check(vm_edit_event_at(a, 0)->untimed && !vm_edit_event_at(a, 1)->untimed, "untimed sources: read as untimed",
          "%d", vm_edit_event_at(a, 0)->untimed);
    vm_conform *c = conform(a, b, 0, "untimed sources");
    if (c) {
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
            /* the leader and R1, both +1 s: one range */
            {VM_CONFORM_KEPT, "01:00:00:00", "01:00:04:00", "01:00:01:00", "01:00:05:00", 0, 1},
            {VM_CONFORM_REMOVED, "01:00:04:00", "01:00:05:00", "01:00:05:00", "01:00:05:00", 2, -1},
            {VM_CONFORM_KEPT, "01:00:05:00", NULL, "01:00:07:00", NULL, -1, -1},
            {VM_CONFORM_INSERTED, "01:00:00:00", "01:00:00:00", "01:00:00:00", "01:00:01:00", -1, 0},
            {VM_CONFORM_INSERTED, "01:00:04:00", "01:00:04:00", "01:00:05:00", "01:00:07:00", -1, 3},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "untimed sources");
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* Black kept between shots kept with the same move (an EDL's BL): a 1 s
 * shot inserted at the head moves A, the black and B by 24 frames, and the
 * black, found again at its moved place with its length, is kept with them
 * (before, black never matched: the sound over it was dropped and a gap
 * listed). Black whose length changed stays new picture. And OpenTimelineIO's
 * multitrack.otio (three video tracks, gaps between) against its own
 * flattening, preflattened.otio (tests/data/otio; OTIO's test_stack_algo
 * asserts flatten_stack(multitrack) == preflattened): on V the same
 * picture, one kept range and no change. */
static void black_kept(void)
{
    static const char a_text[] =
        "001  A001     V     C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00\n"
        "002  BL       V     C        00:00:00:00 00:00:01:00 01:00:02:00 01:00:03:00\n"
        "003  B001     V     C        11:00:00:00 11:00:02:00 01:00:03:00 01:00:05:00\n"
        "004  BL       V     C        00:00:00:00 00:00:01:00 01:00:05:00 01:00:06:00\n"
        "005  C001     V     C        12:00:00:00 12:00:02:00 01:00:06:00 01:00:08:00\n";
    static const char b_text[] =
        "001  X001     V     C        20:00:00:00 20:00:01:00 01:00:00:00 01:00:01:00\n"
        "002  A001     V     C        10:00:00:00 10:00:02:00 01:00:01:00 01:00:03:00\n"
        "003  BL       V     C        00:00:00:00 00:00:01:00 01:00:03:00 01:00:04:00\n"
        "004  B001     V     C        11:00:00:00 11:00:02:00 01:00:04:00 01:00:06:00\n"
        "005  BL       V     C        00:00:00:00 00:00:02:00 01:00:06:00 01:00:08:00\n"
        "006  C001     V     C        12:00:00:00 12:00:02:00 01:00:08:00 01:00:10:00\n";
    vm_edit *a = parse("black_a.edl", a_text), *b = parse("black_b.edl", b_text);
    vm_conform *c = a && b ? conform(a, b, 0, "black kept") : NULL;
    if (c) {
        static const want_range want[] = {
            {VM_CONFORM_KEPT, NULL, "01:00:00:00", NULL, "01:00:00:00", -1, -1},
            /* A, the black and B: +24 frames, one range */
            {VM_CONFORM_KEPT, "01:00:00:00", "01:00:05:00", "01:00:01:00", "01:00:06:00", 0, 1},
            /* the second black grew: not the same */
            {VM_CONFORM_REMOVED, "01:00:05:00", "01:00:06:00", "01:00:06:00", "01:00:06:00", 3, -1},
            {VM_CONFORM_KEPT, "01:00:06:00", "01:00:08:00", "01:00:08:00", "01:00:10:00", 4, 5},
            {VM_CONFORM_KEPT, "01:00:08:00", NULL, "01:00:10:00", NULL, -1, -1},
            {VM_CONFORM_INSERTED, "01:00:00:00", "01:00:00:00", "01:00:00:00", "01:00:01:00", -1, 0},
            {VM_CONFORM_INSERTED, "01:00:05:00", "01:00:05:00", "01:00:06:00", "01:00:08:00", -1, 4},
        };
        compare_ranges(c, want, (int)(sizeof want / sizeof want[0]), "black kept");
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);

    vm_fps f = fps_of("24");
    char err[DS_ERR_LEN];
    vm_edit *m = NULL, *p = NULL;
    ds_result rm = vm_otio_load("tests/data/otio/multitrack.otio", &f, &m, err);
    check(rm == DS_OK, "multitrack.otio reads", "%s", err);
    ds_result rp = vm_otio_load("tests/data/otio/preflattened.otio", &f, &p, err);
    check(rp == DS_OK, "preflattened.otio reads", "%s", err);
    c = m && p ? conform(m, p, 0, "multitrack.otio against OTIO's flattening of it") : NULL;
    if (c) {
        /* 720 + 83 + 722 + 432 + 720 + 605 = 3282 frames */
        int nr, nch;
        const vm_conform_range *r = vm_conform_ranges(c, &nr);
        vm_conform_changes(c, &nch);
        check(nr == 3 && r[1].kind == VM_CONFORM_KEPT && r[1].old_in == 0 && r[1].old_out == 3282 && r[1].new_in == 0
                  && r[1].new_out == 3282 && nch == 0,
              "multitrack.otio on V (the top layer seen) is OTIO's preflattened.otio: one kept range of 3282 frames, "
              "no change", "%d ranges, %d changes; range 2 %lld-%lld -> %lld-%lld", nr, nch,
              nr > 1 ? (long long)r[1].old_in : 0, nr > 1 ? (long long)r[1].old_out : 0,
              nr > 1 ? (long long)r[1].new_in : 0, nr > 1 ? (long long)r[1].new_out : 0);
        vm_conform_free(&c);
    }
    vm_edit_free(&m);
    vm_edit_free(&p);
}

/* 29.97 drop-frame (FCM: DROP FRAME): a 2 s shot inserted at the head, a
 * shot crossing the minute (where labels ;00 and ;01 are skipped) moved
 * whole, a shot that lost 10 s of its head. Frames counted here with the
 * SMPTE formula, samples as round(frames * 1001 * 48000 / 30000) (never a
 * tie: frames * 8008 / 5), not by vm/timecode; every time mapped to the
 * sample: a clip in A (+60 frames: 01:00:10;00 -> 01:00:12;00), one in B
 * past the minute (01:01:10;00 -> 01:01:12;00), one in C (+60 - 300:
 * 01:01:50;00 -> 01:01:42;00), a move before the minute that lands after
 * it (01:00:59;00 -> 01:01:01;02, two labels skipped on the way). */
static int64_t df_frames(const char *tc)
{
    int h, m, s, f;
    sscanf(tc, "%d:%d:%d;%d", &h, &m, &s, &f);
    int64_t tm = (int64_t)h * 60 + m;
    return ((int64_t)h * 3600 + m * 60 + s) * 30 + f - 2 * (tm - tm / 10);
}

static int64_t df_samples(int64_t frames) { return (frames * 8008 * 2 + 5) / 10; }

static void drop_frame(void)
{
    static const char a_text[] =
        "FCM: DROP FRAME\n"
        "001  A001     V     C        10:00:00;00 10:00:30;00 01:00:00;00 01:00:30;00\n"
        "002  B001     V     C        11:00:00;00 11:01:00;02 01:00:30;00 01:01:30;02\n"
        "003  C001     V     C        12:00:00;00 12:00:40;00 01:01:30;02 01:02:10;04\n";
    static const char b_text[] =
        "FCM: DROP FRAME\n"
        "001  X001     V     C        20:00:00;00 20:00:02;00 01:00:00;00 01:00:02;00\n"
        "002  A001     V     C        10:00:00;00 10:00:30;00 01:00:02;00 01:00:32;00\n"
        "003  B001     V     C        11:00:00;00 11:01:00;02 01:00:32;00 01:01:32;02\n"
        "004  C001     V     C        12:00:10;00 12:00:40;00 01:01:32;02 01:02:02;04\n";
    vm_fps f = fps_of("29.97");
    char err[DS_ERR_LEN];
    vm_edit *a = NULL, *b = NULL;
    check(vm_edl_parse("df_a.edl", a_text, strlen(a_text), &f, &a, err) == DS_OK, "drop-frame: the old cut reads",
          "%s", err);
    check(vm_edl_parse("df_b.edl", b_text, strlen(b_text), &f, &b, err) == DS_OK, "drop-frame: the new cut reads",
          "%s", err);
    vm_conform *c = NULL;
    int64_t start = df_samples(df_frames("01:00:00;00"));
    ds_result r = a && b ? vm_conform_new(a, b, 0, 48000, start, &c, err) : DS_ERR_ARG;
    check(r == DS_OK && c, "drop-frame: the change list", "%s", err);
    if (c) {
        static const struct { const char *old_tc; int64_t move; const char *new_tc; } w[] = {
            {"01:00:10;00", 60, "01:00:12;00"},
            {"01:01:10;00", 60, "01:01:12;00"},
            {"01:01:50;00", 60 - 300, "01:01:42;00"},
            {"01:00:59;00", 60, "01:01:01;02"},
        };
        for (int i = 0; i < 4; i++) {
            int64_t old_f = df_frames(w[i].old_tc), at = 0;
            int range;
            int kept = vm_conform_map(c, df_samples(old_f) - start, &at, &range);
            int64_t want = df_samples(old_f + w[i].move) - start;
            char label[160];
            snprintf(label, sizeof label, "drop-frame: %s maps to %s (%+lld frames), sample %lld", w[i].old_tc,
                     w[i].new_tc, (long long)w[i].move, (long long)want);
            check(kept && at == want && df_frames(w[i].new_tc) == old_f + w[i].move, label, "got %lld", (long long)at);
        }
        int nr;
        const vm_conform_range *rg = vm_conform_ranges(c, &nr);
        check(nr == 6 && rg[2].kind == VM_CONFORM_REMOVED && rg[2].old_in == df_frames("01:01:30;02")
                  && rg[2].old_out == df_frames("01:01:40;02"),
              "drop-frame: C's first 10 s (01:01:30;02 - 01:01:40;02) removed", "%d ranges", nr);
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* Layers inside a nest: a nested Stack on the picture track whose second
 * video track shows y over the middle of x (frames 6-18 of 24), then z;
 * against the same picture cut flat (x, y, the rest of x from its frame 18,
 * z): the same picture, no change (before, two video tracks of a nest
 * showing clips at once were refused). */
static void nested_layers(void)
{
#define RT(v) "{\"OTIO_SCHEMA\": \"RationalTime.1\", \"value\": " #v ", \"rate\": 24}"
#define TR(start, dur) "{\"OTIO_SCHEMA\": \"TimeRange.1\", \"start_time\": " RT(start) ", \"duration\": " RT(dur) "}"
#define SHOT(name, start, dur) "{\"OTIO_SCHEMA\": \"Clip.1\", \"name\": \"" name "\", \"source_range\": " \
    TR(start, dur) ", \"media_reference\": {\"OTIO_SCHEMA\": \"ExternalReference.1\", \"target_url\": \"" name ".mov\"}}"
#define VIDEO(items) "{\"OTIO_SCHEMA\": \"Track.1\", \"kind\": \"Video\", \"children\": [" items "]}"
#define TIMELINE(track) "{\"OTIO_SCHEMA\": \"Timeline.1\", \"tracks\": {\"OTIO_SCHEMA\": \"Stack.1\", \"children\": [" \
    track "]}}"
    static const char nested[] = TIMELINE(VIDEO(
        "{\"OTIO_SCHEMA\": \"Stack.1\", \"source_range\": " TR(0, 24) ", \"children\": ["
        VIDEO(SHOT("x", 0, 24)) ", " VIDEO("{\"OTIO_SCHEMA\": \"Gap.1\", \"source_range\": " TR(0, 6) "}, "
        SHOT("y", 100, 12)) "]}, " SHOT("z", 0, 24)));
    static const char flat[] = TIMELINE(VIDEO(SHOT("x", 0, 6) ", " SHOT("y", 100, 12) ", " SHOT("x", 18, 6) ", "
                                              SHOT("z", 0, 24)));
#undef TIMELINE
#undef VIDEO
#undef SHOT
#undef TR
#undef RT
    vm_edit *a, *b;
    parse_otio_pair("nested.otio", nested, "flat.otio", flat, "layers in a nest", &a, &b);
    vm_conform *c = a && b ? conform(a, b, 0, "layers in a nest") : NULL;
    if (c) {
        int nr, nch;
        const vm_conform_range *r = vm_conform_ranges(c, &nr);
        vm_conform_changes(c, &nch);
        check(nr == 3 && r[1].kind == VM_CONFORM_KEPT && r[1].old_in == 0 && r[1].old_out == 48 && r[1].new_in == 0
                  && nch == 0,
              "layers in a nest: the nest's upper track seen over its lower one = the picture cut flat: one kept "
              "range of 48 frames, no change", "%d ranges, %d changes", nr, nch);
        vm_conform_free(&c);
    }
    vm_edit_free(&a);
    vm_edit_free(&b);
}

static void errors(void)
{
    vm_edit *a = parse("v5.edl", old_cut), *b = NULL;
    vm_fps f25 = fps_of("25");
    char err[DS_ERR_LEN] = "";
    char *copy = strdup(new_cut);
    vm_edl_parse("v6.edl", copy, strlen(copy), &f25, &b, err);
    free(copy);
    vm_conform *c = (vm_conform *)&c;
    ds_result r = a && b ? vm_conform_new(a, b, 0, 48000, 0, &c, err) : DS_ERR_ARG;
    check(r == DS_ERR_ARG && !c && strstr(err, "v5.edl is read at 24 fps and v6.edl at 25 fps"),
          "errors: two rates", "result %d: %s", (int)r, err);
    vm_edit_free(&b);
    b = parse("v6.edl", new_cut);
    r = vm_conform_new(a, b, 3, 48000, 0, &c, err);
    check(r == DS_ERR_FORMAT && !c && strstr(err, "v5.edl has no event on track A3"), "errors: no picture on A3",
          "result %d: %s", (int)r, err);
    vm_edit_free(&a);
    vm_edit_free(&b);
}

/* ---- the mix at a dissolve whose length changed ---- */

/* An OTIO cut at 24 fps from 01:00:00:00 (86,400 frames): on A1, `lead`
 * frames of gap, clip a (a.wav from source frame 24, 48 frames), a
 * dissolve of half + half frames centred on the cut, clip b (b.wav from
 * source frame `b_in`, 48 frames). */
static void write_cut(const char *name, int lead, int half, int b_in)
{
    char text[4096], path[512];
#define RT_(v) "{\"OTIO_SCHEMA\": \"RationalTime.1\", \"value\": " v ", \"rate\": 24}"
#define RANGE_(s, d) "{\"OTIO_SCHEMA\": \"TimeRange.1\", \"start_time\": " RT_(s) ", \"duration\": " RT_(d) "}"
#define CLIP_(n, s) "{\"OTIO_SCHEMA\": \"Clip.1\", \"name\": \"" n "\", \"source_range\": " RANGE_(s, "48") \
    ", \"media_reference\": {\"OTIO_SCHEMA\": \"ExternalReference.1\", \"target_url\": \"" n ".wav\"}}"
    snprintf(text, sizeof text,
             "{\"OTIO_SCHEMA\": \"Timeline.1\", \"name\": \"%s\", \"global_start_time\": " RT_("86400") ",\n"
             " \"tracks\": {\"OTIO_SCHEMA\": \"Stack.1\", \"children\": [{\"OTIO_SCHEMA\": \"Track.1\", \"kind\": "
             "\"Audio\", \"children\": [\n"
             "  {\"OTIO_SCHEMA\": \"Gap.1\", \"source_range\": " RANGE_("0", "%d") "},\n"
             "  " CLIP_("a", "24") ",\n"
             "  {\"OTIO_SCHEMA\": \"Transition.1\", \"transition_type\": \"SMPTE_Dissolve\", \"in_offset\": "
             RT_("%d") ", \"out_offset\": " RT_("%d") "},\n"
             "  {\"OTIO_SCHEMA\": \"Clip.1\", \"name\": \"b\", \"source_range\": " RANGE_("%d", "48")
             ", \"media_reference\": {\"OTIO_SCHEMA\": \"ExternalReference.1\", \"target_url\": \"b.wav\"}}\n"
             "]}]}}\n",
             name, lead, half, half, b_in);
#undef CLIP_
#undef RANGE_
#undef RT_
    write_scratch_file(name, text, path, sizeof path);
}

static double tone(int i, int c)
{
    (void)c;
    return 0.25 * sin(i * 0.01);
}

typedef struct {
    int64_t at, from, length, fade_in, fade_out;
} want_clip;

static void compare_clip(const vm_desc *d, const char *track, int i, const want_clip *w, const char *what)
{
    int s = vm_desc_find_strip(d, track);
    const vm_clip_desc *c = s >= 0 && i < d->strips[s].nclips ? &d->strips[s].clips[i] : NULL;
    check(c && c->at == w->at && c->from == w->from && c->length == w->length && c->fade_in == w->fade_in
              && c->fade_out == w->fade_out,
          what, "at %lld from %lld length %lld fades %lld / %lld", c ? (long long)c->at : -1LL,
          c ? (long long)c->from : -1LL, c ? (long long)c->length : -1LL, c ? (long long)c->fade_in : -1LL,
          c ? (long long)c->fade_out : -1LL);
}

/* Loads mix.lua made of body; DS_OK and d filled, or the message. */
static ds_result load_mix(const char *body, vm_desc *d, char *err)
{
    char path[512];
    write_script(body, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    return vm_script_load(path, &so, d, err);
}

static void crossfades(void)
{
    if (scratch_open("test-conform") != 0) {
        check(0, "crossfades: a scratch folder", "mkdtemp failed");
        return;
    }
    write_wav("a.wav", 48000, 1, 480000, tone); /* 10 s each */
    write_wav("b.wav", 48000, 1, 480000, tone);
    /* v1: no lead, a 6 + 6 frame dissolve; v2: 24 frames of new picture first (everything 1 s later), a
     * 12 + 12 frame dissolve; v3: as v2 with a 30 + 30 frame dissolve, which would start b 6 frames before
     * its file */
    write_cut("v1.otio", 0, 6, 24);
    write_cut("v2.otio", 24, 12, 24);
    write_cut("v3.otio", 24, 30, 24);
    static const char head[] =
        "session { rate = 48000, fps = \"24\", start = \"01:00:00:00\", length = 10 }\n"
        "local dx = track \"DX\" { channels = 1 }\n"
        "local hand = track \"HAND\" { channels = 1 }\n";
    /* the old cut, spotted: a at frame 0 for 48 + 6 frames fading out over 12, b from frame 42 (6 before
     * the cut at 48, its source from 24 - 6 = 18) fading in over 12; the same crossfade written by hand
     * on HAND in seconds (1 frame = 2,000 samples) */
    static const char mix[] =
        "spot(otio \"v1.otio\", { tracks = { A1 = dx }, media = { a = \"a.wav\", b = \"b.wav\" } })\n"
        "hand:clip { \"a.wav\", at = 0, from = 1, length = 2.25, fade_out = 0.5 }\n"
        "hand:clip { \"b.wav\", at = 1.75, from = 0.75, length = 2.25, fade_in = 0.5 }\n"
        "conform { from = otio \"v1.otio\", to = otio \"%s\" }\n";
    char body[2048], err[DS_ERR_LEN] = "";
    vm_desc d;

    /* the crossfade, old, in samples: a at 0, from 48,000, length 54 frames = 108,000, fade out 24,000;
     * b at 84,000, from 36,000, length 108,000, fade in 24,000; the old dissolve is [84,000, 108,000) */
    snprintf(body, sizeof body, "%s%s", head, mix);
    char *cut = strstr(body, "conform {");
    snprintf(cut, sizeof body - (size_t)(cut - body), "\n"); /* the mix without the conform */
    if (check(load_mix(body, &d, err) == DS_OK, "crossfades: the mix on the old cut loads", "%s", err)) {
        const want_clip a = {0, 48000, 108000, 0, 24000}, b = {84000, 36000, 108000, 24000, 0};
        compare_clip(&d, "DX", 0, &a, "crossfades, old cut: spot's a: at 0, from 48000, 108000 long, fade out 24000");
        compare_clip(&d, "DX", 1, &b, "crossfades, old cut: spot's b: at 84000, from 36000, fade in 24000");
        compare_clip(&d, "HAND", 0, &a, "crossfades, old cut: the hand-written a is spot's a");
        compare_clip(&d, "HAND", 1, &b, "crossfades, old cut: the hand-written b is spot's b");
        /* dubstage info's count: a's fade out [84,000, 108,000) = b's fade in; HAND's pair is not spotted */
        int n = vm_desc_spot_crossfades(&d);
        check(d.nspots == 2 && n == 1, "crossfades, old cut: info counts 1 crossfade among the 2 spotted clips",
              "%d spotted, %d counted", d.nspots, n);
        int s = vm_desc_find_strip(&d, "DX");
        if (s >= 0 && d.strips[s].nclips == 2) { /* b's fade in a sample shorter: no longer on a's fade out */
            d.strips[s].clips[1].fade_in--;
            n = vm_desc_spot_crossfades(&d);
            check(n == 0, "crossfades, old cut: a fade in one sample off the fade out is no crossfade", "%d", n);
        }
    }
    vm_desc_free(&d);

    /* onto v2, worked out by hand: everything +24 frames (+48,000 samples); the new cut point is frame
     * 24 + 48 = 72, the new dissolve [72 - 12, 72 + 12) = frames [60, 84) = samples [120,000, 168,000).
     * a: at 48,000, from 48,000, ends at 168,000: 120,000 long, fade out 48,000.
     * b: starts at 120,000 (12,000 earlier than its moved 132,000), from 36,000 - 12,000 = 24,000,
     *    length 108,000 + 12,000 = 120,000, fade in 48,000. */
    snprintf(body, sizeof body, "%s", head);
    snprintf(body + strlen(body), sizeof body - strlen(body), mix, "v2.otio");
    const want_clip a2 = {48000, 48000, 120000, 0, 48000}, b2 = {120000, 24000, 120000, 48000, 0};
    if (check(load_mix(body, &d, err) == DS_OK, "crossfades: the mix conformed to v2 loads", "%s", err)) {
        compare_clip(&d, "DX", 0, &a2, "crossfades, v1 -> v2: a at 48000, 120000 long, fade out 48000 (the new dissolve)");
        compare_clip(&d, "DX", 1, &b2, "crossfades, v1 -> v2: b at 120000, from 24000, 120000 long, fade in 48000");
        compare_clip(&d, "HAND", 0, &a2, "crossfades, v1 -> v2: the hand-written crossfade's a, the same");
        compare_clip(&d, "HAND", 1, &b2, "crossfades, v1 -> v2: the hand-written crossfade's b, the same");
        const vm_conform_log *l = d.conform;
        int xfades = 0, right = 0;
        for (int i = 0; l && i < l->nitems; i++) {
            const vm_clog_item *it = &l->items[i];
            if (it->kind != VM_CLOG_XFADE)
                continue;
            xfades++;
            right += it->old_at == 84000 && it->old_end == 108000 && it->new_at == 120000 && it->new_end == 168000
                     && it->old_fade == 24000 && it->new_fade == 48000 && strstr(it->note, "12 frames -> dissolve 24 frames");
        }
        check(l && l->xfades == 4 && xfades == 4 && right == 4,
              "crossfades, v1 -> v2: the report lists 4 crossfades, old [84000, 108000) 24000 -> new [120000, 168000) "
              "48000", "%d listed, %d as worked out", xfades, right);
        int n = vm_desc_spot_crossfades(&d);
        check(n == 1, "crossfades, v1 -> v2: info still counts 1 spotted crossfade, on the new dissolve", "%d", n);
    }
    vm_desc_free(&d);
    /* the same, independently: spot() of v2 itself places a and b there */
    snprintf(body, sizeof body, "%sspot(otio \"v2.otio\", { tracks = { A1 = dx }, media = { a = \"a.wav\", b = "
             "\"b.wav\" } })\n", head);
    if (check(load_mix(body, &d, err) == DS_OK, "crossfades: v2 spotted loads", "%s", err)) {
        compare_clip(&d, "DX", 0, &a2, "crossfades: spot() of v2 places a where the conform put it");
        compare_clip(&d, "DX", 1, &b2, "crossfades: spot() of v2 places b where the conform put it");
    }
    vm_desc_free(&d);

    /* onto v3: b would start 30 frames before the cut, source frame 24 - 30 < 0: no crossfade there changes
     * (a keeps its 12-frame fade, moved by 1 s), each listed for review */
    snprintf(body, sizeof body, "%s", head);
    snprintf(body + strlen(body), sizeof body - strlen(body), mix, "v3.otio");
    if (check(load_mix(body, &d, err) == DS_OK, "crossfades: the mix conformed to v3 loads", "%s", err)) {
        const want_clip a3 = {48000, 48000, 108000, 0, 24000}, b3 = {132000, 36000, 108000, 24000, 0};
        compare_clip(&d, "DX", 0, &a3, "crossfades, v1 -> v3: a keeps its fade, moved by 48000 (b cannot follow)");
        compare_clip(&d, "DX", 1, &b3, "crossfades, v1 -> v3: b keeps its fade, moved by 48000 (its file starts too late)");
        const vm_conform_log *l = d.conform;
        int reviews = 0;
        for (int i = 0; l && i < l->nitems; i++)
            reviews += l->items[i].kind == VM_CLOG_FADE
                       && strstr(l->items[i].note, "the incoming clip's file starts after the new one does") != NULL;
        check(l && l->xfades == 0 && reviews == 4, "crossfades, v1 -> v3: none changed, the 4 clips listed for review",
              "%d changed, %d listed", l ? l->xfades : -1, reviews);
    }
    vm_desc_free(&d);
    scratch_close();
}

int main(void)
{
    crossfades();
    the_pair();
    renumbered();
    repeats_and_splits();
    retimed_shots();
    untimed_sources();
    black_kept();
    drop_frame();
    sound_only();
    otio_and_edl();
    picture_layers();
    nested_layers();
    errors();
    return check_exit();
}
