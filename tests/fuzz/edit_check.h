/* edit_check.h - what every edit a reader loads must satisfy (vm/edit.h),
 * checked by the fuzz targets of both readers (fuzz_edl, fuzz_otio). */
#ifndef TESTS_FUZZ_EDIT_CHECK_H
#define TESTS_FUZZ_EDIT_CHECK_H

#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vm/edit.h"

/* The frame rate an input's first byte picks. */
__attribute__((unused)) static vm_fps fuzz_edit_fps(uint8_t pick)
{
    static const char *const rates[] = {"24", "23.976", "25", "29.97", "30", "50", "59.94", "60"};
    char err[DS_ERR_LEN];
    vm_fps fps;
    FUZZ_ASSERT(vm_fps_parse(rates[pick % 8u], &fps, err) == DS_OK);
    return fps;
}

/* A reader that failed left no edit and a message that fits and names the
 * file (prefix). */
__attribute__((unused)) static void fuzz_check_failure(const vm_edit *e, const char *err, const char *prefix)
{
    FUZZ_ASSERT(e == NULL);
    FUZZ_ASSERT(strlen(err) < DS_ERR_LEN);
    FUZZ_ASSERT(strncmp(err, prefix, strlen(prefix)) == 0);
}

/* 1 to VM_EDIT_MAX_EVENTS events; in <= out on both sides; 0 <= before <=
 * frames on both transitions; a positive speed denominator; strings never
 * NULL, within VM_EDIT_MAX_NAME; `where` starting with where_prefix;
 * nothing past the ends; freeing clears the pointer. */
__attribute__((unused)) static void fuzz_check_edit(vm_edit **e, const char *where_prefix)
{
    int n = vm_edit_count(*e);
    FUZZ_ASSERT(n >= 1 && n <= VM_EDIT_MAX_EVENTS);
    for (int i = 0; i < n; i++) {
        const vm_edit_event *ev = vm_edit_event_at(*e, i);
        FUZZ_ASSERT(ev != NULL);
        FUZZ_ASSERT(ev->rec_in <= ev->rec_out && ev->src_in <= ev->src_out);
        FUZZ_ASSERT(ev->in.before >= 0 && ev->in.before <= ev->in.frames);
        FUZZ_ASSERT(ev->out.before >= 0 && ev->out.before <= ev->out.frames);
        FUZZ_ASSERT(ev->speed_den > 0);
        FUZZ_ASSERT(ev->reel && ev->clip && ev->file && ev->where);
        FUZZ_ASSERT(strlen(ev->reel) <= VM_EDIT_MAX_NAME && strlen(ev->clip) <= VM_EDIT_MAX_NAME
                    && strlen(ev->file) <= VM_EDIT_MAX_NAME);
        FUZZ_ASSERT(strncmp(ev->where, where_prefix, strlen(where_prefix)) == 0);
    }
    FUZZ_ASSERT(vm_edit_event_at(*e, n) == NULL && vm_edit_event_at(*e, -1) == NULL);
    vm_edit_free(e);
    FUZZ_ASSERT(*e == NULL);
}

#endif
