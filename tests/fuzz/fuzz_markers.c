/* fuzz_markers.c - libFuzzer target for vm/markers.c: every marker-list
 * format the reader detects (Pro Tools text, CMX3600/Resolve EDL, Avid,
 * CSV/TSV tables, plain lines; UTF-8/UTF-16 with or without a BOM).
 *
 * Input: byte 0 picks the session (frame rate, drop-frame start or not,
 * sample rate); the rest is the marker file, written to a scratch file and
 * read by its path like any list a script names.
 *
 * Invariants checked (markers.h): a loaded list has at least one cue; every
 * name is trimmed and unique, so looking it up finds its own position;
 * out-of-range indices give NULL and 0; a lookup of an unknown name fails
 * with a message that fits its buffer. */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "vm/markers.h"

static const struct {
    const char *fps, *start;
    int rate;
} sessions[] = {
    {"24", "01:00:00:00", 48000},   {"23.976", "00:00:00:00", 48000}, {"29.97", "00:59:58;00", 48000},
    {"29.97", "01:00:00:00", 44100}, {"25", NULL, 96000},              {"59.94", "00:00:00;00", 192000},
    {"30", "23:59:59:29", 8000},    {"60", "10:00:00:00", 1000},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DS_ERR_LEN], path[512];
    unsigned pick = size ? data[0] % 8u : 0;
    vm_fps fps;
    vm_timebase tb;

    if (size == 0)
        return 0;
    FUZZ_ASSERT(vm_fps_parse(sessions[pick].fps, &fps, err) == DS_OK);
    FUZZ_ASSERT(vm_timebase_init(&tb, sessions[pick].rate, &fps, sessions[pick].start, err) == DS_OK);
    if (fuzz_write_file("cues.txt", data + 1, size - 1, path, sizeof path) != 0)
        return 0;

    vm_markers *m = NULL;
    if (vm_markers_load(path, &tb, &m, err) != DS_OK) {
        FUZZ_ASSERT(m == NULL);
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
        return 0;
    }
    int n = vm_markers_count(m);
    FUZZ_ASSERT(n >= 1);
    for (int i = 0; i < n; i++) {
        const char *name = vm_markers_name(m, i);
        int64_t pos = 0;
        FUZZ_ASSERT(name != NULL);
        size_t len = strlen(name);
        FUZZ_ASSERT(len > 0);
        FUZZ_ASSERT(!strchr(" \t\r\n\v\f", name[0]) && !strchr(" \t\r\n\v\f", name[len - 1]));
        FUZZ_ASSERT(vm_markers_find(m, name, &pos, err) == DS_OK);
        FUZZ_ASSERT(pos == vm_markers_position(m, i));
    }
    FUZZ_ASSERT(vm_markers_name(m, n) == NULL && vm_markers_position(m, -1) == 0);
    int64_t pos = 0;
    /* a name no list holds (cue names are trimmed, so never all blank) */
    if (vm_markers_find(m, " ", &pos, err) != DS_OK)
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
    err[0] = '\0';
    vm_markers_find(m, (const char *)"\xff\xfe no such cue \x01", &pos, err);
    FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
    vm_markers_free(&m);
    FUZZ_ASSERT(m == NULL);
    return 0;
}
