/* output_select.h - a render of some of a script's outputs (`dubstage
 * render --output NAME`, docs/cluster.md): one job, one deliverable.
 *
 * The outputs not named are dropped from the description before it is
 * compiled; the compiler's own pruning (vmc_decide_needed: a strip is
 * needed when an output records it or it feeds a needed strip) then
 * leaves out every strip only they needed: its clips are not read, its
 * inserts not run. An output kept is written exactly as the whole render
 * writes it: its graph is the same, each output reads its strip at its own
 * latency, and its dither seed is its place among all the script's
 * outputs (vm_output_desc.place), so its bytes are the whole render's.
 *
 * A NAME is the output's path as the script wrote it or as it resolved
 * (with --out: in that folder), any tail of either after a '/'
 * ("stems/DX.wav", "DX.wav"), or its file name without the extension
 * ("DX"). */
#ifndef VM_OUTPUT_SELECT_H
#define VM_OUTPUT_SELECT_H

#include <stddef.h>

#include "vm/desc.h"
#include "vm/result.h"

/* Keeps only the outputs of d that names[0..n) name (each must name
 * exactly one; an output named twice is kept once), in the script's
 * order, and sets d->output_selection. Deliverables are dropped: they are
 * judged on a render of the whole script (docs/delivery.md). Refused: a
 * name that matches nothing (with a did-you-mean and the list of the
 * outputs), a name that matches two outputs (give more of the path), and
 * leaving out an output normalised with stems = true when an output kept
 * could be one of its stems (its gain comes from that output's measure).
 * On an error (but out of memory) d is unchanged. */
ds_result vm_output_select(vm_desc *d, const char *const *names, int n, char *err);

/* The file name of path without its extension ("DX" for
 * "out/stems/DX.wav"), into out (n bytes). */
void vm_output_stem(const char *path, char *out, size_t n);

/* A selection's name from its outputs' paths: their stems joined by '+'
 * ("DX+MX"), what the manifest of a render of them is named by. Returns a
 * malloc'd string, or NULL when out of memory. */
char *vm_output_selection_name(const char *const *paths, int n);

#endif
