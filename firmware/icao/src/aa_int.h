/* SPDX-License-Identifier: Apache-2.0 */
/* aa_int.h — what the verifier (aa.c) and the chip-side signer
 * (chip/aa_chip.c) of Active Authentication share; private to firmware/icao. */
#ifndef ICAO_AA_INT_H
#define ICAO_AA_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>

#define AA_HDR		0x6A	/* ISO/IEC 9796-2 scheme 1, partial recovery */
#define AA_TRAILER_SHA1	0xBC	/* implicit SHA-1 */
#define AA_TRAILER_X	0xCC	/* explicit: hash id byte before it */

/* icao_aa_hash_id — the ISO/IEC 10118-3 hash identifier of md for the
 * 9796-2 trailer, 0 when md has none. */
uint8_t icao_aa_hash_id(mbedtls_md_type_t md);

/* icao_aa_hash2 — out = md(a || b) (either part may be empty). Errors:
 * EG_ERR_CRYPTO (unknown md or mbedTLS failure). */
int icao_aa_hash2(mbedtls_md_type_t md, const uint8_t *a, size_t an,
    const uint8_t *b, size_t bn, uint8_t *out);

#endif
