/* fps_util.h - a frame rate by its name, for the tests of timecode and of
 * the edit-list readers (test_timecode.c, test_edl.c, test_otio.c).
 * Header-only, as render_util.h. */
#ifndef TESTS_FPS_UTIL_H
#define TESTS_FPS_UTIL_H

#include <stdio.h>
#include <string.h>

#include "vm/timecode.h"

/* The frame rate named ("24", "23.976", "29.97", ...); a name vm_fps_parse
 * refuses is reported as a "#" line and gives a zeroed rate, which what
 * the test gives it to refuses in turn, so the check that uses it fails. */
__attribute__((unused)) static vm_fps fps_of(const char *name)
{
    vm_fps f;
    char err[DS_ERR_LEN];
    memset(&f, 0, sizeof f);
    if (vm_fps_parse(name, &f, err) != DS_OK)
        printf("# vm_fps_parse(%s): %s\n", name, err);
    return f;
}

#endif
