/* new_cmd.h - `dubstage new DIR`: starts a mix repository
 * (docs/recipes-sharing.md). */
#ifndef REPL_NEW_CMD_H
#define REPL_NEW_CMD_H

typedef struct {
    const char *template_dir; /* the repository's files: templates/mix */
    const char *editors_dir;  /* dubstage.luacheckrc (copied as .luacheckrc) and meta/ (named in .luarc.json) */
    const char *stdlib_dir;   /* the standard library (named in .luarc.json) */
} repl_new_paths;

/* Makes folder dir (its parents too) holding a copy of the template
 * folder, .luacheckrc and .luarc.json, and says what it made on stdout.
 * dir must not exist or be an empty folder: anything in it is left alone
 * and the command fails. The folder is built beside dir under a hidden
 * name and renamed into place whole, so a failure leaves nothing behind.
 * Returns the exit status: 0, or 1 with the reason on stderr. */
int repl_new(const char *dir, const repl_new_paths *paths);

#endif
