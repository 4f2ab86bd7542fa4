/* textfile.h - a text file a script names as data (a marker list, an edit
 * decision list, an OpenTimelineIO file), read whole on the control thread.
 *
 * The file must be a regular file (a FIFO, a device or a socket is refused,
 * never waited on) of at most max_bytes. Its text is made UTF-8 with LF line
 * ends: a UTF-8 byte-order mark is skipped; a UTF-16 file (LE or BE, with a
 * BOM) is converted (a lone surrogate becomes U+FFFD); CRLF and a lone CR
 * become LF; any other bytes are kept as they are. A NUL byte is an error
 * naming its line (a binary file, or UTF-16 without its BOM).
 */
#ifndef VM_TEXTFILE_H
#define VM_TEXTFILE_H

#include <stddef.h>

#include "vm/result.h"

/* Reads path into *out (NUL-terminated, *len bytes before the NUL; the
 * caller frees it). what names the file in messages ("marker file",
 * "edit decision list"), kind says what it should have been ("a marker
 * list"): "cannot read marker file 'x': No such file or directory",
 * "marker file 'x' is larger than 64 MB: not a marker list",
 * "x:3: a NUL byte: this is not a text marker list (...)" (kind's article
 * dropped). Results: DS_ERR_IO (cannot read), DS_ERR_FORMAT (too big, NUL),
 * DS_ERR_NOMEM. On failure *out is NULL. */
ds_result vm_textfile_read(const char *path, const char *what, const char *kind, long max_bytes, char **out,
                           size_t *len, char *err);

#endif
