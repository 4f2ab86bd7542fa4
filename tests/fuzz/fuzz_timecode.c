/* fuzz_timecode.c - libFuzzer target for vm/timecode.c: frame rate names,
 * SMPTE labels, every time word, and the round trips timecode.h promises.
 *
 * Input: byte 0 picks the frame rate (one of the nine, or the first line
 * parsed as a rate name), bytes 1-3 the sample rate; the rest is text, one
 * string per line: line 1 the session start (empty: none), every line after
 * it parsed as a label, a position, a duration and a number of seconds.
 *
 * Invariants checked (timecode.h): a parsed label is a frame count >= 0
 * whose formatted label parses back to it; frame -> sample -> frame is the
 * identity; a duration is never negative; a position printed on a frame
 * boundary within the day parses back to itself; every message fits its
 * buffer. */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "vm/timecode.h"

static const char *const fps_names[] = {"23.976", "24", "25", "29.97", "30", "48", "50", "59.94", "60"};
static const int rates[] = {48000, 44100, 96000, 8000, 1, 4000000, 23976, 1000};

/* Labels in a day at this rate (frames of 24 h of labels, drop-frame
 * labels skipped). */
static int64_t day_frames(const vm_fps *fps, int drop)
{
    int64_t per10 = 600 * (int64_t)fps->nominal - (drop ? 9 * (int64_t)fps->drop_per_min : 0);
    return 144 * per10;
}

/* rate: the sample rate for the frame <-> sample checks, 0 when the
 * timebase refuses it (below one sample per frame there is no identity). */
static void check_label(const vm_fps *fps, int rate, const char *s)
{
    char err[DS_ERR_LEN], buf[64];
    int64_t frames = -1, again = -1;
    int drop = 0, drop2 = 0;

    if (vm_tc_parse(fps, s, &frames, &drop, err) != DS_OK) {
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
        return;
    }
    FUZZ_ASSERT(frames >= 0 && frames < day_frames(fps, drop));
    vm_tc_format(fps, frames, drop, buf, sizeof buf);
    FUZZ_ASSERT(vm_tc_parse(fps, buf, &again, &drop2, err) == DS_OK);
    FUZZ_ASSERT(again == frames && drop2 == drop);
    if (!rate)
        return;
    int64_t smp = vm_tc_frames_to_samples(fps, rate, frames);
    FUZZ_ASSERT(vm_tc_samples_to_frames(fps, rate, smp) == frames);
    /* the last sample of the frame still belongs to it */
    int64_t next = vm_tc_frames_to_samples(fps, rate, frames + 1);
    if (next > smp)
        FUZZ_ASSERT(vm_tc_samples_to_frames(fps, rate, next - 1) == frames);
}

static void check_time(const vm_timebase *tb, const char *s)
{
    char err[DS_ERR_LEN], buf[96];
    int64_t pos = 0, dur = 0, again = 0;

    if (vm_time_parse(tb, s, VM_TIME_POSITION, &pos, err) == DS_OK) {
        vm_time_format(tb, pos, buf, sizeof buf);
        FUZZ_ASSERT(buf[0] != '\0');
        int64_t abs_frame = vm_tc_samples_to_frames(&tb->fps, tb->rate, pos + tb->start_samples);
        if (!strchr(buf, '+') && abs_frame >= 0 && abs_frame < day_frames(&tb->fps, tb->start_drop)) {
            FUZZ_ASSERT(vm_time_parse(tb, buf, VM_TIME_POSITION, &again, err) == DS_OK);
            FUZZ_ASSERT(again == pos);
        }
    } else {
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
    }
    if (vm_time_parse(tb, s, VM_TIME_DURATION, &dur, err) == DS_OK)
        FUZZ_ASSERT(dur >= 0);
    else
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);

    char *end;
    double sec = strtod(s, &end);
    if (end != s && vm_time_from_seconds(tb, sec, &pos, err) == DS_OK) {
        vm_time_format(tb, pos, buf, sizeof buf);
        FUZZ_ASSERT(buf[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader rd = {data, size, 0};
    unsigned pick = fuzz_byte(&rd) % 10;
    unsigned r0 = fuzz_byte(&rd), r1 = fuzz_byte(&rd), r2 = fuzz_byte(&rd);
    int rate = r0 < 200 ? rates[r0 % 8] : (int)((r0 << 16 | r1 << 8 | r2) % 4000000u) + 1;

    /* the text, NUL-terminated, cut into lines */
    size_t n = size - rd.i;
    char *text = malloc(n + 1);
    if (!text)
        return 0;
    memcpy(text, data + rd.i, n);
    text[n] = '\0';
    char *lines[16];
    int nlines = 0;
    for (char *s = text; nlines < 16;) {
        lines[nlines++] = s;
        char *nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = '\0';
        s = nl + 1;
    }

    char err[DS_ERR_LEN];
    vm_fps fps;
    int first = 0;
    if (pick < 9) {
        FUZZ_ASSERT(vm_fps_parse(fps_names[pick], &fps, err) == DS_OK);
    } else if (vm_fps_parse(lines[first++], &fps, err) != DS_OK) {
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
        free(text);
        return 0;
    }
    vm_timebase tb;
    int rate_ok = vm_timebase_init(&tb, rate, &fps, NULL, err) == DS_OK;
    for (int i = first; i < nlines; i++)
        check_label(&fps, rate_ok ? rate : 0, lines[i]);

    const char *start = first < nlines && lines[first][0] ? lines[first] : NULL;
    if (vm_timebase_init(&tb, rate, &fps, start, err) == DS_OK) {
        for (int i = first + 1; i < nlines; i++)
            check_time(&tb, lines[i]);
    } else {
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
    }
    free(text);
    return 0;
}
