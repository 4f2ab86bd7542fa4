/* test_timecode.c - timecode, feet+frames and time strings against exact
 * integer formulas and published SMPTE drop-frame counts. */
#include "vm/timecode.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/check.h"
#include "tests/unit/fps_util.h"

static vm_timebase tb_of(int rate, const char *fps, const char *start)
{
    vm_timebase tb;
    vm_fps f = fps_of(fps);
    char err[DS_ERR_LEN];
    memset(&tb, 0, sizeof tb);
    if (vm_timebase_init(&tb, rate, &f, start, err) != DS_OK)
        printf("# vm_timebase_init(%d, %s, %s): %s\n", rate, fps, start ? start : "NULL", err);
    return tb;
}

/* Parses a timecode at fps; returns -1 on error. */
static int64_t tc(const char *fps, const char *s)
{
    vm_fps f = fps_of(fps);
    int64_t frames;
    char err[DS_ERR_LEN];
    if (vm_tc_parse(&f, s, &frames, NULL, err) != DS_OK)
        return -1;
    return frames;
}

/* Expects vm_tc_parse to fail and its message to contain `want`. */
static void tc_rejects(const char *fps, const char *s, const char *want)
{
    vm_fps f = fps_of(fps);
    int64_t frames = 0;
    char err[DS_ERR_LEN] = "";
    char name[160];
    ds_result r = vm_tc_parse(&f, s, &frames, NULL, err);
    snprintf(name, sizeof name, "'%s' rejected at %s", s, fps);
    if (check(r == DS_ERR_ARG, name, "returned %d, frames %lld", (int)r, (long long)frames) && want) {
        snprintf(name, sizeof name, "message for '%s' at %s mentions \"%s\"", s, fps, want);
        check(strstr(err, want) != NULL, name, "message was: %s", err);
    }
}

static void time_is(const vm_timebase *tb, const char *s, vm_time_kind kind, int64_t want)
{
    int64_t got = 0;
    char err[DS_ERR_LEN] = "";
    char name[160];
    ds_result r = vm_time_parse(tb, s, kind, &got, err);
    snprintf(name, sizeof name, "%s '%s' at %s/%d", kind == VM_TIME_POSITION ? "position" : "duration",
             s, tb->fps.name, tb->rate);
    check(r == DS_OK && got == want, name, "result %d (%s), got %lld, want %lld", (int)r,
          r == DS_OK ? "" : err, (long long)got, (long long)want);
}

static void time_rejects(const vm_timebase *tb, const char *s, const char *want)
{
    int64_t got = 0;
    char err[DS_ERR_LEN] = "";
    char name[160];
    ds_result r = vm_time_parse(tb, s, VM_TIME_POSITION, &got, err);
    snprintf(name, sizeof name, "time '%s' rejected", s);
    if (check(r == DS_ERR_ARG, name, "returned %d, got %lld", (int)r, (long long)got) && want) {
        snprintf(name, sizeof name, "message for '%s' mentions \"%s\"", s, want);
        check(strstr(err, want) != NULL, name, "message was: %s", err);
    }
}

static void format_is(const vm_timebase *tb, int64_t pos, const char *want)
{
    char buf[64], name[160];
    vm_time_format(tb, pos, buf, sizeof buf);
    snprintf(name, sizeof name, "vm_time_format(%lld) at %s = %s", (long long)pos, tb->fps.name, want);
    check(strcmp(buf, want) == 0, name, "got '%s'", buf);
}

static void test_fps(void)
{
    static const struct { const char *in, *name; int num, den, nominal, drop; } cases[] = {
        { "23.976", "23.976", 24000, 1001, 24, 0 },
        { "23.98", "23.976", 24000, 1001, 24, 0 },
        { "24", "24", 24, 1, 24, 0 },
        { " 25 ", "25", 25, 1, 25, 0 },
        { "29.97", "29.97", 30000, 1001, 30, 2 },
        { "29.97df", "29.97", 30000, 1001, 30, 2 },
        { "29.97 NDF", "29.97", 30000, 1001, 30, 2 },
        { "30", "30", 30, 1, 30, 0 },
        { "48", "48", 48, 1, 48, 0 },
        { "50", "50", 50, 1, 50, 0 },
        { "59.94DF", "59.94", 60000, 1001, 60, 4 },
        { "60", "60", 60, 1, 60, 0 },
    };
    size_t i;
    char err[DS_ERR_LEN], name[96];
    vm_fps f;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_result r = vm_fps_parse(cases[i].in, &f, err);
        snprintf(name, sizeof name, "fps '%s' parses as %s", cases[i].in, cases[i].name);
        check(r == DS_OK && f.num == cases[i].num && f.den == cases[i].den &&
                  f.nominal == cases[i].nominal && f.drop_per_min == cases[i].drop &&
                  strcmp(f.name, cases[i].name) == 0,
              name, "result %d, %d/%d nominal %d drop %d name %s", (int)r, f.num, f.den,
              f.nominal, f.drop_per_min, f.name);
    }
    check(vm_fps_parse("31", &f, err) == DS_ERR_ARG && strstr(err, "'31'") && strstr(err, "29.97"),
          "fps '31' rejected, message names it and lists the rates", "message: %s", err);
    check(vm_fps_parse("25df", &f, err) == DS_ERR_ARG && strstr(err, "no drop-frame"),
          "fps '25df' rejected", "message: %s", err);
}

/* Every label of a 24 h day, walked in label order: the non-dropped ones must
 * parse as DF to consecutive real frame counts 0, 1, 2, ... and the dropped
 * ones must be rejected. Then every frame formats to a label that parses
 * back to it. */
static void test_df_day(const char *fps_name, int64_t want_day)
{
    vm_fps f = fps_of(fps_name);
    char err[DS_ERR_LEN], label[32], name[128];
    int h, m, s, fr, d = f.drop_per_min;
    int64_t next = 0, bad_parse = 0, bad_drop = 0, bad_trip = 0, frames, k;
    int is_drop;

    for (h = 0; h < 24; h++)
        for (m = 0; m < 60; m++)
            for (s = 0; s < 60; s++)
                for (fr = 0; fr < f.nominal; fr++) {
                    int dropped = m % 10 != 0 && s == 0 && fr < d;
                    ds_result r;
                    /* by hand: snprintf would dominate the test's run time */
                    memcpy(label, "00:00:00;00", 12);
                    label[0] = (char)('0' + h / 10), label[1] = (char)('0' + h % 10);
                    label[3] = (char)('0' + m / 10), label[4] = (char)('0' + m % 10);
                    label[6] = (char)('0' + s / 10), label[7] = (char)('0' + s % 10);
                    label[9] = (char)('0' + fr / 10), label[10] = (char)('0' + fr % 10);
                    r = vm_tc_parse(&f, label, &frames, &is_drop, err);
                    if (dropped) {
                        if (r != DS_ERR_ARG)
                            bad_drop++;
                    } else if (r != DS_OK || frames != next++ || !is_drop) {
                        if (bad_parse++ == 0)
                            printf("# %s at %s: result %d frames %lld want %lld\n", label,
                                   fps_name, (int)r, (long long)frames, (long long)(next - 1));
                    }
                }
    snprintf(name, sizeof name, "%s DF: every existing label of 24 h counts real frames", fps_name);
    check(bad_parse == 0, name, "%lld labels wrong", (long long)bad_parse);
    snprintf(name, sizeof name, "%s DF: every dropped label of 24 h is rejected", fps_name);
    check(bad_drop == 0, name, "%lld dropped labels accepted", (long long)bad_drop);
    snprintf(name, sizeof name, "%s DF: 24 h is %lld frames", fps_name, (long long)want_day);
    check_int(next, want_day, name);

    for (k = 0; k < want_day; k++) {
        vm_tc_format(&f, k, 1, label, sizeof label);
        if (vm_tc_parse(&f, label, &frames, &is_drop, err) != DS_OK || frames != k || !is_drop) {
            if (bad_trip++ == 0)
                printf("# frame %lld -> '%s' -> %lld\n", (long long)k, label, (long long)frames);
        }
    }
    snprintf(name, sizeof name, "%s DF: every frame of 24 h round-trips frames -> label -> frames", fps_name);
    check(bad_trip == 0, name, "%lld frames failed", (long long)bad_trip);

    vm_tc_format(&f, want_day, 1, label, sizeof label);
    snprintf(name, sizeof name, "%s DF: frame %lld wraps to 00:00:00;00", fps_name, (long long)want_day);
    check(strcmp(label, "00:00:00;00") == 0, name, "got %s", label);
    vm_tc_format(&f, -1, 1, label, sizeof label);
    snprintf(name, sizeof name, "%s DF: frame -1 wraps to 23:59:59;%02d", fps_name, f.nominal - 1);
    check(strncmp(label, "23:59:59;", 9) == 0 && (label[9] - '0') * 10 + (label[10] - '0') == f.nominal - 1,
          name, "got %s", label);
}

/* frames -> samples against the direct formula round_half_up(f*rate*den/num)
 * (which fits in int64 for one day), samples -> frames back, and the sample
 * just before a frame's first belongs to the previous frame. */
static void test_samples_day(const char *fps_name, int rate)
{
    vm_fps f = fps_of(fps_name);
    int64_t day = 86400 * (int64_t)f.nominal + 1, k, bad_formula = 0, bad_trip = 0, bad_edge = 0;
    int64_t n2 = 2 * (int64_t)f.num, p2 = 2 * (int64_t)rate * f.den;
    char name[128];

    for (k = 0; k <= day; k++) {
        int64_t smp = vm_tc_frames_to_samples(&f, rate, k);
        if (smp != (k * p2 + f.num) / n2)
            bad_formula++;
        if (vm_tc_samples_to_frames(&f, rate, smp) != k)
            bad_trip++;
        if (vm_tc_samples_to_frames(&f, rate, smp - 1) != k - 1)
            bad_edge++;
    }
    snprintf(name, sizeof name, "%s fps at %d Hz: frames -> samples is round_half_up(f*rate/fps) for 24 h",
             fps_name, rate);
    check(bad_formula == 0, name, "%lld frames wrong", (long long)bad_formula);
    snprintf(name, sizeof name, "%s fps at %d Hz: every frame of 24 h round-trips frames -> samples -> frames",
             fps_name, rate);
    check(bad_trip == 0, name, "%lld frames failed", (long long)bad_trip);
    snprintf(name, sizeof name, "%s fps at %d Hz: the sample before each frame is in the previous frame",
             fps_name, rate);
    check(bad_edge == 0, name, "%lld frames failed", (long long)bad_edge);
}

static void test_known_values(void)
{
    vm_fps f;
    char label[32];
    check_int(tc("29.97", "01:00:00;00"), 107892, "01:00:00;00 at 29.97 DF = frame 107892");
    check_int(tc("29.97", "00:01:00;02"), 1800, "00:01:00;02 at 29.97 DF = frame 1800");
    check_int(tc("29.97", "00:00:59;29"), 1799, "00:00:59;29 at 29.97 DF = frame 1799");
    check_int(tc("29.97", "00:10:00;00"), 17982, "00:10:00;00 at 29.97 DF = frame 17982");
    check_int(tc("29.97", "01:00:00:00"), 108000, "01:00:00:00 at 29.97 NDF = frame 108000");
    check_int(tc("59.94", "01:00:00;00"), 215784, "01:00:00;00 at 59.94 DF = frame 215784");
    check_int(tc("59.94", "00:01:00;04"), 3600, "00:01:00;04 at 59.94 DF = frame 3600");
    check_int(tc("23.976", "01:00:00:00"), 86400, "01:00:00:00 at 23.976 = frame 86400");
    check_int(tc("25", " 10:00:00:00\t"), 900000, "10:00:00:00 at 25 (with white space) = 900000");
    check_int(tc("24", "1:2:3:4"), (3600 + 120 + 3) * 24 + 4, "1:2:3:4 at 24 (single digits)");

    f = fps_of("23.976");
    check_int(vm_tc_frames_to_samples(&f, 48000, 86400), 86400LL * 2002,
              "86400 frames at 23.976 / 48 kHz = 86400*2002 samples");
    f = fps_of("29.97");
    /* 108000 * 1601.6 = 172972800 exactly */
    check_int(vm_tc_frames_to_samples(&f, 48000, 108000), 172972800LL,
              "108000 frames at 29.97 / 48 kHz = 108000*1601.6 samples");
    /* frame 1 at 29.97/48k: 1601.6 rounds to 1602; frame 3: 4804.8 -> 4805 */
    check_int(vm_tc_frames_to_samples(&f, 48000, 1), 1602, "frame 1 at 29.97 / 48 kHz starts at 1602");
    check_int(vm_tc_frames_to_samples(&f, 48000, 3), 4805, "frame 3 at 29.97 / 48 kHz starts at 4805");
    f = fps_of("23.976");
    /* 44100 * 1001 / 24000 = 1839.3375 */
    check_int(vm_tc_frames_to_samples(&f, 44100, 1), 1839, "frame 1 at 23.976 / 44.1 kHz starts at 1839");
    check_int(vm_tc_frames_to_samples(&f, 44100, 2), 3679, "frame 2 at 23.976 / 44.1 kHz starts at 3679 (3678.675)");
    check_int(vm_tc_frames_to_samples(&f, 44100, -1), -1839, "frame -1 at 23.976 / 44.1 kHz starts at -1839");
    check_int(vm_tc_samples_to_frames(&f, 44100, -1), -1, "sample -1 at 23.976 / 44.1 kHz is in frame -1");
    /* rounding at toy sample rates where a frame starts on or near half a sample */
    f = fps_of("25");
    check_int(vm_tc_frames_to_samples(&f, 50, 1), 2, "25 fps at 50 Hz: frame 1 at sample 2");
    check_int(vm_tc_frames_to_samples(&f, 10, 1), 0, "25 fps at 10 Hz: frame 1 (0.4) rounds to 0");
    f = fps_of("24");
    check_int(vm_tc_frames_to_samples(&f, 12, 1), 1, "24 fps at 12 Hz: frame 1 (0.5) rounds half up to 1");

    f = fps_of("29.97");
    vm_tc_format(&f, 107892, 1, label, sizeof label);
    check(strcmp(label, "01:00:00;00") == 0, "frame 107892 at 29.97 DF formats 01:00:00;00", "got %s", label);
    vm_tc_format(&f, 1800, 1, label, sizeof label);
    check(strcmp(label, "00:01:00;02") == 0, "frame 1800 at 29.97 DF formats 00:01:00;02", "got %s", label);
    vm_tc_format(&f, 108000, 0, label, sizeof label);
    check(strcmp(label, "01:00:00:00") == 0, "frame 108000 at 29.97 NDF formats 01:00:00:00", "got %s", label);
    f = fps_of("25");
    vm_tc_format(&f, 900000, 1, label, sizeof label);
    check(strcmp(label, "10:00:00:00") == 0, "drop flag ignored at 25 fps", "got %s", label);
    vm_tc_format(&f, 86400 * 25 + 3, 0, label, sizeof label);
    check(strcmp(label, "00:00:00:03") == 0, "25 fps label wraps at 24 h", "got %s", label);
    vm_tc_format(&f, 3, 0, label, 6);
    check(strcmp(label, "00:00") == 0, "vm_tc_format truncates to the buffer", "got %s", label);
}

static void test_rejects(void)
{
    tc_rejects("29.97", "00:01:00;00", "does not exist at 29.97 drop-frame");
    tc_rejects("29.97", "00:01:00;01", "00:01:00;02");
    tc_rejects("29.97", "01:01:00;00", "labels ;00 and ;01 are skipped at minute 01");
    tc_rejects("59.94", "00:01:00;00", ";00 to ;03");
    tc_rejects("59.94", "00:01:00;01", NULL);
    tc_rejects("59.94", "00:01:00;02", NULL);
    tc_rejects("59.94", "00:01:00;03", "00:01:00;04");
    check(tc("29.97", "00:10:00;00") == 17982, "00:10:00;00 at 29.97 DF accepted", " ");
    check(tc("29.97", "00:01:00:00") == 1800, "00:01:00:00 at 29.97 NDF accepted", " ");
    check(tc("59.94", "00:20:00;00") == 2 * 35964, "00:20:00;00 at 59.94 DF accepted", " ");
    tc_rejects("25", "01:00:00;00", "write 01:00:00:00 at 25 fps");
    tc_rejects("25", "01:00:00;00", "only 29.97 and 59.94");
    tc_rejects("23.976", "01:00:00;00", "23.976 is never drop-frame");
    tc_rejects("25", "00:00:00:25", "frame 25 is out of range at 25 fps (00-24)");
    tc_rejects("29.97", "00:00:00;30", "(00-29)");
    tc_rejects("59.94", "00:00:00:60", "(00-59)");
    tc_rejects("24", "00:60:00:00", "minutes 60");
    tc_rejects("24", "00:00:60:00", "seconds 60");
    tc_rejects("24", "24:00:00:00", "hours 24");
    tc_rejects("24", "01:-1:00:00", "negative");
    tc_rejects("24", "-01:00:00:00", "negative");
    tc_rejects("24", "01:00:00", "'01:00:00' is not a timecode");
    tc_rejects("24", "01:00:00:00:00", "HH:MM:SS:FF");
    tc_rejects("24", "001:00:00:00", "two digits");
    tc_rejects("24", "01:00:00:0x", "not a timecode");
    tc_rejects("24", "", "not a timecode");
}

static void test_time_strings(void)
{
    vm_timebase tb = tb_of(48000, "23.976", "01:00:00:00");
    vm_timebase t24 = tb_of(48000, "24", NULL);
    vm_timebase t44 = tb_of(44100, "25", NULL);

    check_int(tb.start_frames, 86400, "timebase 01:00:00:00 at 23.976: start_frames");
    check_int(tb.start_samples, 86400LL * 2002, "timebase 01:00:00:00 at 23.976/48k: start_samples");
    check_int(tb.start_drop, 0, "timebase 01:00:00:00 is not drop-frame");

    /* timecode positions are absolute */
    time_is(&tb, "01:00:02:12", VM_TIME_POSITION, (2 * 24 + 12) * 2002LL);
    time_is(&tb, "01:00:00:00", VM_TIME_POSITION, 0);
    time_is(&tb, "00:59:59:23", VM_TIME_POSITION, -2002);
    /* durations written as timecode are frame counts */
    time_is(&tb, "00:00:04:00", VM_TIME_DURATION, 96 * 2002LL);
    time_is(&t24, "00:00:04:00", VM_TIME_DURATION, 4 * 48000);
    /* seconds, milliseconds and samples count from the session start */
    time_is(&tb, "2.5s", VM_TIME_POSITION, 120000);
    time_is(&tb, " 2.5 s ", VM_TIME_POSITION, 120000);
    time_is(&tb, "0.5s", VM_TIME_DURATION, 24000);
    time_is(&tb, ".5s", VM_TIME_DURATION, 24000);
    time_is(&tb, "250ms", VM_TIME_DURATION, 12000);
    time_is(&tb, "12ms", VM_TIME_POSITION, 576);
    time_is(&tb, "0.0104166666s", VM_TIME_POSITION, 500);
    time_is(&tb, "-1s", VM_TIME_POSITION, -48000);
    time_is(&tb, "96000smp", VM_TIME_POSITION, 96000);
    time_is(&tb, "96000 smp", VM_TIME_DURATION, 96000);
    time_is(&tb, "3600s", VM_TIME_POSITION, 3600LL * 48000);
    time_is(&t44, "0.1s", VM_TIME_POSITION, 4410);
    time_is(&t44, "1ms", VM_TIME_POSITION, 44);     /* 44.1 -> 44 */
    time_is(&t44, "0.5ms", VM_TIME_POSITION, 22);   /* 22.05 -> 22 */
    time_is(&t44, "0.01ms", VM_TIME_POSITION, 0);   /* 0.441 -> 0 */
    time_is(&t24, "1.5ms", VM_TIME_POSITION, 72);
    time_is(&t24, "0.0000104166666666s", VM_TIME_POSITION, 0); /* 0.4999999 sample, read to the ns */
    time_is(&t24, "0.00003125s", VM_TIME_POSITION, 2);         /* 1.5 samples rounds half up */
    time_is(&t24, "-0.00003125s", VM_TIME_POSITION, -2);       /* and half away from zero below 0 */

    /* feet+frames: 16 frames per foot */
    time_is(&t24, "0+01", VM_TIME_DURATION, 2000);
    time_is(&t24, "1+00", VM_TIME_DURATION, 16 * 2000);
    time_is(&t24, "90+00", VM_TIME_DURATION, 60 * 48000);
    time_is(&t24, "90+00", VM_TIME_POSITION, 60 * 48000);
    time_is(&tb, "1+00", VM_TIME_POSITION, 16 * 2002);
    time_rejects(&t24, "1+16", "00-15");
    time_rejects(&t24, "-1+00", "negative");
    time_rejects(&t24, "1+", "missing");

    {
        /* a feet+frames position lands on the session's frame grid, exactly
         * where the timecode that many frames after the start is */
        vm_timebase t = tb_of(44100, "29.97", "00:59:58;00");
        int64_t a = 0, b = 1;
        char err[DS_ERR_LEN];
        vm_time_parse(&t, "0+05", VM_TIME_POSITION, &a, err);
        vm_time_parse(&t, "00:59:58;05", VM_TIME_POSITION, &b, err);
        check(a == b, "29.97 DF / 44.1 kHz: '0+05' is the same sample as the start + 5 frames",
              "%lld vs %lld", (long long)a, (long long)b);
        check(t.start_drop == 1, "timebase 00:59:58;00 is drop-frame", "start_drop %d", t.start_drop);
    }

    time_rejects(&tb, "1.5x",
                 "'1.5x' is not a time: write timecode HH:MM:SS:FF, seconds (2.5 or \"2.5s\", "
                 "\"250ms\"), samples (\"96000smp\") or feet+frames (\"123+05\")");
    time_rejects(&tb, "1.5smp", "whole number");
    time_rejects(&tb, "2.5", "has no unit");
    time_rejects(&tb, "", "is not a time");
    time_rejects(&tb, "1e3s", "is not a time");
    time_rejects(&tb, "01:00:00;00", "23.976 is never drop-frame");
    time_rejects(&tb, "01:00:00:24", "frame 24 is out of range at 23.976 fps (00-23)");
}

static void test_negative_duration(void)
{
    vm_timebase tb = tb_of(48000, "25", NULL);
    int64_t got = 0;
    char err[DS_ERR_LEN] = "";
    check(vm_time_parse(&tb, "-2s", VM_TIME_DURATION, &got, err) == DS_ERR_ARG && strstr(err, "negative"),
          "duration '-2s' rejected as negative", "got %lld, message: %s", (long long)got, err);
    check(vm_time_parse(&tb, "-100smp", VM_TIME_DURATION, &got, err) == DS_ERR_ARG,
          "duration '-100smp' rejected", "got %lld", (long long)got);
    check(vm_time_parse(&tb, "-100smp", VM_TIME_POSITION, &got, err) == DS_OK && got == -100,
          "position '-100smp' is 100 samples before the start", "got %lld", (long long)got);
}

static void test_seconds(void)
{
    vm_timebase tb = tb_of(48000, "25", NULL);
    int64_t got = 0;
    char err[DS_ERR_LEN] = "";
    check(vm_time_from_seconds(&tb, 2.5, &got, err) == DS_OK && got == 120000,
          "2.5 s = 120000 samples at 48 kHz", "got %lld", (long long)got);
    check(vm_time_from_seconds(&tb, 1.0 / 96000.0, &got, err) == DS_OK && got == 1,
          "half a sample rounds to nearest (up)", "got %lld", (long long)got);
    check(vm_time_from_seconds(&tb, -0.25, &got, err) == DS_OK && got == -12000,
          "-0.25 s = -12000 samples", "got %lld", (long long)got);
    check(vm_time_from_seconds(&tb, NAN, &got, err) == DS_ERR_ARG && strstr(err, "NaN"),
          "NaN seconds rejected", "message: %s", err);
    check(vm_time_from_seconds(&tb, INFINITY, &got, err) == DS_ERR_ARG,
          "infinite seconds rejected", "message: %s", err);
}

static void test_format(void)
{
    vm_timebase tb = tb_of(48000, "23.976", "01:00:00:00");
    vm_timebase df = tb_of(48000, "29.97", "00:59:59;00");
    vm_timebase ndf = tb_of(48000, "29.97", "00:59:59:00");
    vm_timebase zero = tb_of(48000, "23.976", NULL);
    vm_timebase late = tb_of(48000, "25", "23:59:59:24");

    format_is(&tb, 0, "01:00:00:00");
    format_is(&tb, 120120, "01:00:02:12");
    format_is(&tb, 120120 + 417, "01:00:02:12+417");
    format_is(&tb, 120119, "01:00:02:11+2001");
    format_is(&tb, -2002, "00:59:59:23");
    /* 01:00:00;00 exists (minute 60 is a tenth minute); 01:01:00;00 does not */
    format_is(&df, vm_tc_frames_to_samples(&df.fps, 48000, 107892) - df.start_samples, "01:00:00;00");
    format_is(&df, vm_tc_frames_to_samples(&df.fps, 48000, 107892 + 1800) - df.start_samples,
              "01:01:00;02");
    /* frame 1 of 29.97 at 48k starts at 1602 (1601.6 rounded): 1601 is in frame 0 */
    format_is(&ndf, vm_tc_frames_to_samples(&ndf.fps, 48000, 107970 + 1) - ndf.start_samples - 1,
              "00:59:59:00+1601");
    format_is(&zero, -1, "23:59:59:23+2001");
    format_is(&late, 48000 / 25, "00:00:00:00");
    format_is(&late, 48000 / 25 + 5, "00:00:00:00+5");
    {
        char buf[8];
        vm_time_format(&tb, 120120 + 417, buf, sizeof buf);
        check(strcmp(buf, "01:00:0") == 0, "vm_time_format truncates to the buffer", "got '%s'", buf);
    }
}

/* A position label counted the other way (DF vs NDF) than the session is
 * refused, because it would land 3.6 s per hour away from the one meant. */
static void test_df_style_mismatch(void)
{
    vm_timebase df = tb_of(48000, "29.97", "00:59:58;00");
    vm_timebase ndf = tb_of(48000, "29.97", "00:59:58:00");
    vm_timebase df5994 = tb_of(48000, "59.94", "01:00:00;00");
    time_rejects(&df, "01:00:10:00", "non-drop-frame but the session counts drop-frame");
    time_rejects(&ndf, "01:00:10;00", "drop-frame but the session counts non-drop-frame");
    time_rejects(&df5994, "01:00:10:00", "start 01:00:00;00");
    /* 00:59:58;00 is frame 107832 and 01:00:10;00 frame 108192 (no labels are
     * dropped at minute 60): 360 frames apart, round(108192 * 1601.6) -
     * round(107832 * 1601.6) = 173280307 - 172703731 samples */
    time_is(&df, "01:00:10;00", VM_TIME_POSITION, 576576);
    /* durations are frame counts and may be written either way */
    time_is(&df, "00:00:04:00", VM_TIME_DURATION, 192192); /* 120 frames x 1601.6 */
}

/* The timebase's sample-rate bounds. Below one sample per frame a frame
 * count outgrows its sample index and samples -> frames overflowed for
 * positions the time words accept (fuzz_timecode found "1e18 s" at 1 Hz);
 * at the lowest rate accepted the largest such position converts back
 * exactly: frames = floor(samples * 24 / 1000), computed here in long
 * double from the same samples. */
static void test_rate_bounds(void)
{
    vm_fps f = fps_of("24");
    vm_timebase tb;
    char err[DS_ERR_LEN];
    int64_t smp = 0;
    check(vm_timebase_init(&tb, 999, &f, NULL, err) == DS_ERR_ARG && strstr(err, "999 Hz") && strstr(err, "1000-"),
          "timebase refuses 999 Hz, naming the range", "message: %s", err);
    check(vm_timebase_init(&tb, 4000001, &f, NULL, err) == DS_ERR_ARG, "timebase refuses 4000001 Hz",
          "message: %s", err);
    if (!check(vm_timebase_init(&tb, 1000, &f, NULL, err) == DS_OK, "timebase takes 1000 Hz", "message: %s", err))
        return;
    check(vm_time_parse(&tb, "999999999999.999999999s", VM_TIME_POSITION, &smp, err) == DS_OK,
          "a 12-digit seconds position parses at 1000 Hz", "message: %s", err);
    check_int(vm_tc_samples_to_frames(&f, 1000, smp), (int64_t)((long double)smp * 24 / 1000),
              "its frame at 1000 Hz is floor(samples * 24 / 1000), no overflow");
}

int main(void)
{
    static const char *const rates[] = { "23.976", "24", "25", "29.97", "30", "48", "50", "59.94", "60" };
    size_t i;

    test_fps();
    test_known_values();
    test_rejects();
    test_df_day("29.97", 2589408);
    test_df_day("59.94", 5178816);
    for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        test_samples_day(rates[i], 48000);
        test_samples_day(rates[i], 44100);
    }
    test_time_strings();
    test_negative_duration();
    test_seconds();
    test_format();
    test_df_style_mismatch();
    test_rate_bounds();
    return check_exit();
}
