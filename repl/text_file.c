/* text_file.c - text outputs written atomically (see text_file.h). */
#include "repl/text_file.h"

#include <signal.h>

FILE *repl_text_open(const char *path, vm_tmpfile *tmp)
{
    char err[DS_ERR_LEN];
    sigset_t stop, old;
    /* no signal between the file's creation and its guard */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, &old);
    FILE *f = vm_tmpfile_fopen(tmp, path, err);
    if (f)
        vm_tmpfile_guard(tmp);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (!f)
        fprintf(stderr, "dubstage: %s\n", err);
    return f;
}

int repl_text_commit(FILE *f, vm_tmpfile *tmp, const char *path)
{
    char err[DS_ERR_LEN];
    ds_result r = vm_tmpfile_fcommit(tmp, f, path, err);
    vm_tmpfile_unguard();
    if (r != DS_OK) {
        fprintf(stderr, "dubstage: %s\n", err);
        return 1;
    }
    return 0;
}
