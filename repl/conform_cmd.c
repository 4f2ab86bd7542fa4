/* conform_cmd.c - `dubstage conform SCRIPT [--json] [--html FILE] [--strict]`. */
#include "repl/conform_cmd.h"

#include <stdio.h>

#include "repl/text_file.h"
#include "vm/conform_report.h"
#include "vm/path.h"

int repl_conform(const vm_desc *d, int json, const char *html_path, const char *html_dir, int strict)
{
    const vm_conform_log *l = d->conform;
    if (!l) {
        fprintf(stderr, "dubstage: %s asks for no conform: add conform { from = edl \"cut_v5.edl\", to = edl "
                        "\"cut_v6.edl\" } to it (docs/conform.md)\n", d->script_path);
        return 2;
    }
    if (json)
        vm_conform_report_json(stdout, l, &d->tb);
    else
        vm_conform_report_text(stdout, l, &d->tb);
    if (fflush(stdout) != 0) {
        perror("dubstage: stdout");
        return 2;
    }
    if (html_path) {
        char err[DS_ERR_LEN];
        if (vm_path_mkdirs(html_dir, err) != DS_OK) {
            fprintf(stderr, "dubstage: --html: %s\n", err);
            return 2;
        }
        vm_tmpfile tmp;
        FILE *f = repl_text_open(html_path, &tmp);
        if (!f)
            return 2;
        vm_conform_report_html(f, l, &d->tb, d->script_path);
        if (repl_text_commit(f, &tmp, html_path) != 0)
            return 2;
    }
    if (strict && l->dropped) {
        fprintf(stderr, "dubstage: conform --strict: %d thing%s dropped with removed picture (listed above)\n",
                l->dropped, l->dropped == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
