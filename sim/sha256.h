/* sha256: SHA-256 (FIPS 180-4), for the checksums of a run's input files.
 *
 * The digest printed in hex is the one `sha256sum FILE` prints, so a user
 * can check a recorded input by hand. Known answers: tests/test_inputs.c. */
#ifndef HP_SHA256_H
#define HP_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct hp_sha256 {
    uint32_t h[8];
    uint64_t bytes;          /* message length so far */
    uint8_t block[64];       /* pending input, bytes % 64 of it */
} hp_sha256;

void hp_sha256_init(hp_sha256 *s);
void hp_sha256_update(hp_sha256 *s, const void *data, size_t n);
/* Writes the digest as 64 lowercase hex digits and a NUL. */
void hp_sha256_hex(hp_sha256 *s, char hex[65]);

#endif
