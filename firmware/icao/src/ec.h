/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec.h — private elliptic-curve helpers of the icao module (PACE, CA, AA),
 * on mbedTLS ECP. Points on the wire are uncompressed: 04 || x || y with
 * x and y of the field length.
 */
#ifndef ICAO_EC_H
#define ICAO_EC_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>

#include "icao/bac.h"	/* icao_rng_fn */

/* icao_ec_plen — the field length in bytes of grp. */
size_t icao_ec_plen(const mbedtls_ecp_group *grp);

/*
 * icao_ec_keygen — a key pair on base (grp->G or a mapped generator): the
 * private key is ceil(bits(n)/8) bytes from rng, big endian, bits above
 * bits(n) cleared, redrawn if 0 or >= n (at most 16 draws); pk = sk · base.
 * Errors: EG_ERR_CRYPTO (RNG failure, no valid draw, ECP failure).
 */
int icao_ec_keygen(mbedtls_ecp_group *grp, const mbedtls_ecp_point *base,
    icao_rng_fn rng, void *rng_ctx, mbedtls_mpi *sk, mbedtls_ecp_point *pk);

/*
 * icao_ec_point_read — decode an untrusted uncompressed point and check it
 * lies on the curve (mbedtls_ecp_check_pubkey; not the point at infinity).
 * Errors: EG_ERR_FORMAT (length is not 1 + 2·plen, first byte not 04),
 * EG_ERR_PROTOCOL (not on the curve).
 */
int icao_ec_point_read(const mbedtls_ecp_group *grp, const uint8_t *in,
    size_t len, mbedtls_ecp_point *pt);

/* icao_ec_point_write — 04 || x || y into out. Errors: EG_ERR_OVERFLOW,
 * EG_ERR_CRYPTO (point at infinity). */
int icao_ec_point_write(const mbedtls_ecp_group *grp,
    const mbedtls_ecp_point *pt, uint8_t *out, size_t cap, size_t *len);

/*
 * icao_ec_shared_x — x(sk · peer) as plen bytes into out (cap >= plen).
 * Errors: EG_ERR_PROTOCOL (result at infinity), EG_ERR_CRYPTO,
 * EG_ERR_OVERFLOW.
 */
int icao_ec_shared_x(mbedtls_ecp_group *grp, const mbedtls_mpi *sk,
    const mbedtls_ecp_point *peer, uint8_t *out, size_t cap);

/*
 * icao_ec_pubkey_do — the public key data object of TR-03110-3 D.3.3 for
 * EC keys as used in PACE/CA tokens: 7F49 L { 06 L oid, 86 L point }.
 * Errors: buffer errors.
 */
struct eg_wbuf;
int icao_ec_pubkey_do(const uint8_t *oid, size_t oid_len, const uint8_t *pt,
    size_t pt_len, struct eg_wbuf *w);

/*
 * icao_ec_spki_parse — an EC SubjectPublicKeyInfo (untrusted DER, exactly
 * len bytes): algorithm id-ecPublicKey with either a named curve OID or
 * explicit SpecifiedECDomain parameters (as many DG14s carry them), which
 * are matched against every curve mbedTLS knows (p, a, b, G, n must all be
 * equal); the key must be an uncompressed point on that curve. grp is
 * loaded with the named group, q gets the point.
 * Errors: EG_ERR_FORMAT / EG_ERR_TRUNCATED (malformed DER, bad point),
 * EG_ERR_UNSUPPORTED (not an EC key, a curve mbedTLS does not have,
 * not a prime field), EG_ERR_PROTOCOL (point not on the curve).
 */
int icao_ec_spki_parse(const uint8_t *spki, size_t len, mbedtls_ecp_group *grp,
    mbedtls_ecp_point *q);

#endif
