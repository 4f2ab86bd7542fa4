/* segment_cmd.c - the command line of a segment render (segment_cmd.h). */
#include "repl/segment_cmd.h"

#include <stdio.h>
#include <string.h>

#include "vm/timecode.h"

int repl_segment_option(int argc, char **argv, int *i, repl_segment_args *sa)
{
    const char *s = argv[*i];
    if (strcmp(s, "--preroll") != 0)
        return 0;
    if (*i + 1 >= argc || !argv[*i + 1][0]) {
        fprintf(stderr, "dubstage: --preroll needs seconds, from 0 to %.0f: --preroll 5\n"
                        "run 'dubstage --help' for usage\n", VM_SEGMENT_MAX_PREROLL_S);
        return 2;
    }
    sa->preroll = argv[++*i];
    return 1;
}

typedef struct {
    int strict;
} note_ctx;

static void print_note(void *user, const char *msg)
{
    const note_ctx *c = user;
    fprintf(stderr, "dubstage: %s: %s\n", c->strict ? "error" : "warning", msg);
}

int repl_segment_prepare(const plan *p, const char *from, const char *to, const repl_segment_args *sa, int strict,
                         vm_segment *seg)
{
    memset(seg, 0, sizeof *seg);
    if (!from && !to && !sa->preroll) {
        if (strict) {
            fprintf(stderr, "dubstage: --strict is for a segment: give --from and/or --to\n");
            return 2;
        }
        return 0;
    }
    char err[DS_ERR_LEN];
    if (vm_segment_parse(p, from, to, sa->preroll, seg, err) != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 2;
    }
    note_ctx c = {.strict = strict};
    int n = vm_segment_check(p, seg, print_note, &c);
    if (n && strict) {
        fprintf(stderr, "dubstage: --strict: %d node%s remember%s longer than the pre-roll; nothing was rendered\n",
                n, n > 1 ? "s" : "", n > 1 ? "" : "s");
        return 1;
    }
    return 0;
}

void repl_segment_describe(const plan *p, const vm_segment *seg, char *buf, size_t n)
{
    char a[64], b[64], c[64];
    int64_t run = vm_segment_run_preroll(seg);
    vm_time_format(&p->tb, seg->from, a, sizeof a);
    vm_time_format(&p->tb, seg->to, b, sizeof b);
    vm_time_format(&p->tb, seg->from - run, c, sizeof c);
    snprintf(buf, n, "segment %s to %s (%.2f s; pre-roll %.2f s from %s%s)", a, b,
             (double)(seg->to - seg->from) / p->tb.rate, (double)run / p->tb.rate, c,
             run < seg->preroll ? ", the session start" : seg->preroll_auto ? ", twice the longest memory" : "");
}
