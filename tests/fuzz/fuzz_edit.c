/* fuzz_edit.c - libFuzzer target for two cuts read from files as a user's
 * are (vm_edl_load / vm_otio_load: vm/textfile.c's reading, BOMs, UTF-16,
 * line ends, the size bound, then vm/edl.c or vm/otio.c) and compared
 * (vm/conform.c: the change list and the map).
 *
 * Input: byte 0 says which reader reads each file (bit 0: the old cut is
 * OTIO, bit 1: the new cut is OTIO) and bits 2-7 the frame rate; byte 1 the
 * track compared (-1 = the picture or the first audio track both have, 0 =
 * V, k = Ak); bytes 2-3 the old file's length (big-endian, cut to what is
 * there); then the old file's bytes and the new file's. The seeds
 * (corpus/edit, tests/fuzz/make_edit_seeds.py) are the tests' EDL and OTIO
 * files in pairs.
 *
 * Invariants checked: what a reader loads passes tests/fuzz/edit_check.h's
 * checks; a comparison that fails leaves nothing and a message that fits;
 * one that succeeds partitions the old record timeline (the ranges in old
 * order follow each other from INT64_MIN to INT64_MAX), a kept range has
 * the same length on both cuts, a removed one none on the new cut, an
 * inserted one none on the old; kept ranges do not overlap on the new cut;
 * the map sends a kept range's first sample to its new first sample and a
 * removed range's to where it was; every change names events that exist. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/edit_check.h"

#include <string.h>

#include "vm/conform.h"
#include "vm/edl.h"
#include "vm/otio.h"

/* The file `name` holding data, read by one reader; NULL when refused.
 * path (512 bytes): where it is. */
static vm_edit *load(int otio, const char *name, const uint8_t *data, size_t n, const vm_fps *fps, char *path)
{
    char err[DS_ERR_LEN];
    vm_edit *e = NULL;
    if (fuzz_write_file(name, data, n, path, 512) != 0)
        return NULL;
    ds_result r = otio ? vm_otio_load(path, fps, &e, err) : vm_edl_load(path, fps, &e, err);
    if (r != DS_OK) {
        FUZZ_ASSERT(e == NULL && strlen(err) < DS_ERR_LEN);
        return NULL;
    }
    return e;
}

static void check_comparison(const vm_conform *c, const vm_edit *a, const vm_edit *b)
{
    int n, nold = 0, nch;
    const vm_conform_range *r = vm_conform_ranges(c, &n);
    while (nold < n && r[nold].kind != VM_CONFORM_INSERTED)
        nold++;
    FUZZ_ASSERT(nold >= 2 && r[0].old_in == INT64_MIN && r[nold - 1].old_out == INT64_MAX);
    for (int i = 0; i < n; i++) {
        const vm_conform_range *g = &r[i];
        if (i < nold) {
            FUZZ_ASSERT(g->kind != VM_CONFORM_INSERTED);
            FUZZ_ASSERT(i + 1 == nold || g->old_out == r[i + 1].old_in);
            FUZZ_ASSERT(g->old_in < g->old_out);
        } else {
            FUZZ_ASSERT(g->kind == VM_CONFORM_INSERTED);
            FUZZ_ASSERT(g->old_in == g->old_out && g->new_in < g->new_out);
        }
        int64_t now;
        int kept;
        if (g->kind == VM_CONFORM_KEPT && g->old_in != INT64_MIN && g->old_out != INT64_MAX) {
            FUZZ_ASSERT(g->new_out - g->new_in == g->old_out - g->old_in);
            kept = vm_conform_map(c, g->old_in_s, &now, NULL);
            FUZZ_ASSERT(kept == 1 && now == g->new_in_s);
        } else if (g->kind == VM_CONFORM_REMOVED) {
            FUZZ_ASSERT(g->new_in == g->new_out);
            kept = vm_conform_map(c, g->old_in_s, &now, NULL);
            FUZZ_ASSERT(kept == 0 && now == g->new_in_s);
        }
        FUZZ_ASSERT(g->old_event >= -1 && g->old_event < vm_edit_count(a));
        FUZZ_ASSERT(g->new_event >= -1 && g->new_event < vm_edit_count(b));
    }
    int nk;
    const int *kept_new = vm_conform_kept_by_new(c, &nk);
    for (int k = 0; k + 1 < nk; k++) {
        const vm_conform_range *x = &r[kept_new[k]], *y = &r[kept_new[k + 1]];
        FUZZ_ASSERT(x->kind == VM_CONFORM_KEPT && y->kind == VM_CONFORM_KEPT);
        FUZZ_ASSERT(x->new_out <= y->new_in);
    }
    const vm_change *ch = vm_conform_changes(c, &nch);
    for (int i = 0; i < nch; i++) {
        FUZZ_ASSERT(ch[i].kind >= VM_CHANGE_MOVED && ch[i].kind <= VM_CHANGE_TRANSITION);
        FUZZ_ASSERT(ch[i].old_event >= -1 && ch[i].old_event < vm_edit_count(a));
        FUZZ_ASSERT(ch[i].new_event >= -1 && ch[i].new_event < vm_edit_count(b));
        FUZZ_ASSERT(ch[i].old_event >= 0 || ch[i].new_event >= 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    unsigned flags = data[0];
    int track = (int)(data[1] % (VM_CONFORM_LAYER(VM_CONFORM_LAYERS - 1) + 2)) - 1; /* -1, V, A1..A16, V1..V8 */
    size_t na = (size_t)data[2] << 8 | data[3];
    data += 4;
    size -= 4;
    if (na > size)
        na = size;
    vm_fps fps = fuzz_edit_fps((uint8_t)(flags >> 2));
    char pa[512], pb[512];
    vm_edit *a = load(flags & 1, flags & 1 ? "old.otio" : "old.edl", data, na, &fps, pa);
    vm_edit *b = load(flags & 2, flags & 2 ? "new.otio" : "new.edl", data + na, size - na, &fps, pb);
    if (a && b) {
        char err[DS_ERR_LEN];
        vm_conform *c = NULL;
        /* a session starting at 01:00:00:00 at 48 kHz */
        int64_t start = vm_tc_frames_to_samples(&fps, 48000, (int64_t)3600 * fps.nominal);
        if (vm_conform_new(a, b, track, 48000, start, &c, err) == DS_OK) {
            FUZZ_ASSERT(c != NULL);
            check_comparison(c, a, b);
            vm_conform_free(&c);
            FUZZ_ASSERT(c == NULL);
        } else {
            FUZZ_ASSERT(c == NULL && strlen(err) < DS_ERR_LEN);
        }
    }
    if (a) /* every event's `where` starts with the file's path */
        fuzz_check_edit(&a, pa);
    if (b)
        fuzz_check_edit(&b, pb);
    return 0;
}
