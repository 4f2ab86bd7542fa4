/* spool.c - raw float temporary files for the passes after the first
 * (see spool.h). */
#include "vm/spool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/tmpfile.h"

struct vm_spool {
    vm_tmpfile tmp;
    const char *path;  /* the output's name, for messages (the caller's string) */
    int channels;
    int64_t frames;    /* written, buffered included */
    float *buf;        /* VM_SPOOL_FRAMES interleaved frames */
    int buffered;
    int failed;
};

ds_result vm_spool_create(vm_spool **out, const char *path, int channels, char *err)
{
    *out = NULL;
    vm_spool *s = calloc(1, sizeof *s);
    if (!s || !(s->buf = malloc((size_t)VM_SPOOL_FRAMES * (size_t)channels * sizeof *s->buf))) {
        free(s);
        return ds_fail(err, DS_ERR_NOMEM, "out of memory for the first pass of '%s'", path);
    }
    s->path = path;
    s->channels = channels;
    ds_result r = vm_tmpfile_create(&s->tmp, path, err);
    if (r != DS_OK) {
        free(s->buf);
        free(s);
        return r;
    }
    *out = s;
    return DS_OK;
}

static ds_result write_all(vm_spool *s, const void *data, size_t bytes, char *err)
{
    const char *p = data;
    while (bytes > 0) {
        ssize_t w = write(s->tmp.fd, p, bytes);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->failed = 1;
            return ds_fail(err, DS_ERR_IO, "cannot write the first pass of '%s' beside it: %s", s->path,
                           w < 0 ? strerror(errno) : "no space written");
        }
        p += w;
        bytes -= (size_t)w;
    }
    return DS_OK;
}

static ds_result flush(vm_spool *s, char *err)
{
    ds_result r = DS_OK;
    if (s->buffered)
        r = write_all(s, s->buf, (size_t)s->buffered * (size_t)s->channels * sizeof *s->buf, err);
    s->buffered = 0;
    return r;
}

ds_result vm_spool_write(vm_spool *s, const float *const *planar, int n, char *err)
{
    if (s->failed)
        return ds_fail(err, DS_ERR_IO, "cannot write the first pass of '%s': an earlier write failed", s->path);
    for (int done = 0; done < n;) {
        int m = n - done < VM_SPOOL_FRAMES - s->buffered ? n - done : VM_SPOOL_FRAMES - s->buffered;
        float *dst = s->buf + (size_t)s->buffered * (size_t)s->channels;
        for (int i = done; i < done + m; i++)
            for (int c = 0; c < s->channels; c++)
                *dst++ = planar[c][i];
        s->buffered += m;
        s->frames += m;
        done += m;
        if (s->buffered == VM_SPOOL_FRAMES && flush(s, err) != DS_OK)
            return DS_ERR_IO;
    }
    return DS_OK;
}

int64_t vm_spool_frames(const vm_spool *s)
{
    return s->frames;
}

ds_result vm_spool_read(vm_spool *s, int64_t from, float *const *planar, int n, char *err)
{
    if (s->buffered && flush(s, err) != DS_OK)
        return DS_ERR_IO;
    int have = from >= s->frames ? 0 : (s->frames - from < n ? (int)(s->frames - from) : n);
    size_t frame_bytes = (size_t)s->channels * sizeof *s->buf, want = (size_t)have * frame_bytes, got = 0;
    while (got < want) {
        ssize_t r = pread(s->tmp.fd, (char *)s->buf + got, want - got, (off_t)(from * (int64_t)frame_bytes + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return ds_fail(err, DS_ERR_IO, "cannot read back the first pass of '%s': %s", s->path,
                           r < 0 ? strerror(errno) : "the file is shorter than written");
        got += (size_t)r;
    }
    for (int c = 0; c < s->channels; c++) {
        const float *src = s->buf + c;
        for (int i = 0; i < have; i++)
            planar[c][i] = src[(size_t)i * (size_t)s->channels];
        memset(planar[c] + have, 0, (size_t)(n - have) * sizeof(float));
    }
    return DS_OK;
}

void vm_spool_destroy(vm_spool **s)
{
    if (!s || !*s)
        return;
    vm_tmpfile_release(&(*s)->tmp, 1);
    free((*s)->buf);
    free(*s);
    *s = NULL;
}
