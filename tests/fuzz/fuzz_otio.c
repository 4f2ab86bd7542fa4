/* fuzz_otio.c - libFuzzer target for vm/otio.c (and the vm/json reader
 * under it): OpenTimelineIO JSON into an edit list.
 *
 * Input: byte 0 picks the frame rate the timeline is read at; the rest is
 * the .otio text.
 *
 * Invariants checked (otio.h, edit.h): a loaded edit has 1 to
 * VM_EDIT_MAX_EVENTS events; every event has in <= out on both sides,
 * 0 <= before <= frames on both transitions, a positive speed denominator,
 * strings that are never NULL and within VM_EDIT_MAX_NAME, and a `where`
 * naming the file and a JSON path; a failure leaves no edit and a message
 * that fits its buffer and names the file. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/edit_check.h"

#include <string.h>

#include "vm/otio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DS_ERR_LEN];
    vm_edit *e = NULL;

    if (size == 0)
        return 0;
    vm_fps fps = fuzz_edit_fps(data[0]);
    ds_result r = vm_otio_parse("fuzz.otio", (const char *)data + 1, size - 1, &fps, &e, err);
    if (r != DS_OK) {
        fuzz_check_failure(e, err, "fuzz.otio");
        return 0;
    }
    fuzz_check_edit(&e, "fuzz.otio: tracks.children[");
    return 0;
}
