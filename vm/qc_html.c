/* qc_html.c - the QC report's HTML page (see qc_report.h). */
#include "vm/qc_report.h"

#include "vm/qc_report_priv.h"

void vm_qc_write_html(FILE *f, const vm_qc_input *in)
{
    (void)in;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>QC report</title></head><body></body></html>\n", f);
}
