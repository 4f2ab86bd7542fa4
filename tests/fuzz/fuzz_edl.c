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

#include <string.h>

#include "vm/edl.h"

static const char *const rates[] = {"24", "23.976", "25", "29.97", "30", "50", "59.94", "60"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DS_ERR_LEN];
    vm_fps fps;
    vm_edit *e = NULL;

    if (size == 0)
        return 0;
    FUZZ_ASSERT(vm_fps_parse(rates[data[0] % 8u], &fps, err) == DS_OK);
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    ds_result r = vm_edl_parse("fuzz.edl", text, size - 1, &fps, &e, err);
    free(text);
    if (r != DS_OK) {
        FUZZ_ASSERT(e == NULL);
        FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
        FUZZ_ASSERT(strncmp(err, "fuzz.edl", 8) == 0);
        return 0;
    }
    int n = vm_edit_count(e);
    FUZZ_ASSERT(n >= 1 && n <= VM_EDIT_MAX_EVENTS);
    for (int i = 0; i < n; i++) {
        const vm_edit_event *ev = vm_edit_event_at(e, i);
        FUZZ_ASSERT(ev != NULL);
        FUZZ_ASSERT(ev->rec_in <= ev->rec_out && ev->src_in <= ev->src_out);
        FUZZ_ASSERT(ev->in.frames >= 0 && ev->in.frames <= ev->rec_out - ev->rec_in);
        FUZZ_ASSERT(ev->in.before >= 0 && ev->in.before <= ev->in.frames);
        FUZZ_ASSERT(ev->out.before >= 0 && ev->out.before <= ev->out.frames);
        FUZZ_ASSERT(ev->speed_den > 0);
        if (ev->speed_num == ev->speed_den)
            FUZZ_ASSERT(ev->src_out - ev->src_in == ev->rec_out - ev->rec_in);
        FUZZ_ASSERT(ev->reel && ev->clip && ev->file && ev->where);
        FUZZ_ASSERT(strlen(ev->reel) <= VM_EDIT_MAX_NAME && strlen(ev->clip) <= VM_EDIT_MAX_NAME
                    && strlen(ev->file) <= VM_EDIT_MAX_NAME);
        FUZZ_ASSERT(strncmp(ev->where, "fuzz.edl:", 9) == 0);
    }
    FUZZ_ASSERT(vm_edit_event_at(e, n) == NULL && vm_edit_event_at(e, -1) == NULL);
    vm_edit_free(&e);
    FUZZ_ASSERT(e == NULL);
    return 0;
}
