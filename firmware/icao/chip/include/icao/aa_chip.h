/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aa_chip.h — chip side of aa.h for simulators and tests only
 * (libegate_icao_chip; never linked into the product).
 */
#ifndef EGATE_ICAO_AA_CHIP_H
#define EGATE_ICAO_AA_CHIP_H

#include "icao/aa.h"

/*
 * icao_aa_sign — the chip side: sign chal with key (borrowed; RSA with the
 * private part, or EC). ECDSA: plain r || s over md(chal) (MBEDTLS_MD_NONE:
 * SHA-256). RSA: ISO 9796-2 scheme 1 with md (NONE or SHA-1: trailer BC;
 * others: hh CC), M1 random from rng, then the raw private-key operation.
 * The signature goes to sig (cap bytes), its length to *len.
 * Errors: EG_ERR_INVAL, EG_ERR_UNSUPPORTED, EG_ERR_OVERFLOW, EG_ERR_CRYPTO.
 */
int icao_aa_sign(mbedtls_pk_context *key, mbedtls_md_type_t md,
    const uint8_t *chal, size_t chal_len, icao_rng_fn rng, void *rng_ctx,
    uint8_t *sig, size_t cap, size_t *len);

#endif
