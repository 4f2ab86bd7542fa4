/* sha256.h - SHA-256 (FIPS 180-4), for the check manifest's file identities
 * (vm/manifest.h): a content hash that does not depend on where or when a
 * file was written. Incremental: init, update any number of times, final. */
#ifndef VM_SHA256_H
#define VM_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t bytes;          /* message length so far */
    unsigned char block[64]; /* the unfinished block */
    size_t used;             /* bytes in block */
} vm_sha256;

/* 1: the portable code even where the CPU has the SHA extensions (the
 * tests set it to check both paths; the digests are the same). */
extern int vm_sha256_portable;

void vm_sha256_init(vm_sha256 *s);
void vm_sha256_update(vm_sha256 *s, const void *data, size_t n);
/* The digest as 64 lowercase hex digits and a NUL into hex (65 bytes). */
void vm_sha256_final(vm_sha256 *s, char hex[65]);

#endif
