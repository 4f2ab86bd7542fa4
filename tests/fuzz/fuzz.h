/* fuzz.h - what the libFuzzer targets in tests/fuzz share.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput and nothing else public.
 * It is linked two ways (Makefile): with clang's -fsanitize=fuzzer for
 * `make fuzz`, and with tests/fuzz/replay.c by the normal gcc build, which
 * feeds it every saved input (tests/fuzz/regress/NAME, tests/fuzz/corpus/NAME)
 * so `make test` and `make asan` replay the crashes found without clang.
 *
 * A target returns 0 whatever the input; a crash, a sanitizer report or a
 * failed invariant (FUZZ_ASSERT aborts) is the finding. */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant the code under test promises: a violation aborts, which the
 * fuzzer reports with the input and the replay runner as a failed test. */
#define FUZZ_ASSERT(cond)                                                                 \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

/* Bytes consumed from the front of an input, zeros once it runs out (so
 * every input decodes to something). */
typedef struct {
    const uint8_t *p;
    size_t n, i;
} fuzz_reader;

__attribute__((unused)) static unsigned fuzz_byte(fuzz_reader *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

/* A private scratch folder for this process (on /dev/shm when it is
 * writable, so millions of rewrites stay off the disk; else $TMPDIR or
 * /tmp), made on the first call and removed with everything in it at exit.
 * Returns NULL when it cannot be made. */
const char *fuzz_scratch_dir(void);

/* Writes data to the file `name` in the scratch folder (replacing it) and
 * puts its path in path (n bytes). Returns 0, or -1 when it cannot. Code
 * under test then opens it by name, as it opens a user's file. */
int fuzz_write_file(const char *name, const uint8_t *data, size_t size, char *path, size_t n);

#endif
