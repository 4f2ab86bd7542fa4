/* fuzz_edl.c - libFuzzer target for vm/edl.c, the CMX3600 reader.
 *
 * Input: byte 0 picks the frame rate the list is read at; the rest is the
 * list's text (parsed in memory: vm/textfile.c, which turns a file into
 * that text, is fuzzed through fuzz_markers).
 *
 * Invariants checked (edl.h, edit.h): a loaded edit has 1 to
 * VM_EDIT_MAX_EVENTS events; every event has in <= out on both sides, a
 * transition no longer than its event, before <= frames, a positive speed
 * denominator, a source and record length that agree unless the speed was
 * changed, strings that are never NULL and within VM_EDIT_MAX_NAME, and a
 * `where` naming the file; a failure leaves no edit and a message that
 * fits its buffer and names the file. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/edit_check.h"

#include <string.h>

#include "vm/edl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DS_ERR_LEN];
    vm_edit *e = NULL;

    if (size == 0)
        return 0;
    vm_fps fps = fuzz_edit_fps(data[0]);
    ds_result r = vm_edl_parse("fuzz.edl", (const char *)data + 1, size - 1, &fps, &e, err);
    if (r != DS_OK) {
        fuzz_check_failure(e, err, "fuzz.edl");
        return 0;
    }
    for (int i = 0; i < vm_edit_count(e); i++) {
        const vm_edit_event *ev = vm_edit_event_at(e, i);
        FUZZ_ASSERT(ev->in.frames <= ev->rec_out - ev->rec_in);
        if (ev->speed_num == ev->speed_den)
            FUZZ_ASSERT(ev->src_out - ev->src_in == ev->rec_out - ev->rec_in);
    }
    fuzz_check_edit(&e, "fuzz.edl:");
    return 0;
}
