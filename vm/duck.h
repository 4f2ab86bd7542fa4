/* duck.h - ducking rules, analysed offline: the key is rendered first, the
 * stretches where it carries a line are found (with short gaps bridged), and
 * each becomes moves on the target's `duck` gain layer: down to the depth
 * starting `preroll` before the line, held through it and `hold` after, back
 * up over `release`. The result is ordinary automation: `dubstage automation`
 * shows it (TARGET.duck), and trims and VCAs act on top of it. */
#ifndef VM_DUCK_H
#define VM_DUCK_H

#include "vm/desc.h"
#include "vm/result.h"

/* Renders the keys of d's duck rules (only what they need), analyses them and
 * writes the moves into each target's duck layer. No-op without rules. */
ds_result vm_duck_analyse(vm_desc *d, int max_block, char *err);

#endif
