/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aa.h — Active Authentication (ICAO Doc 9303 Part 11 §6.1), terminal
 * verifier and chip-side signer, on mbedTLS.
 *
 * The terminal sends INTERNAL AUTHENTICATE with an 8-byte random challenge;
 * the chip signs it with the private key whose public half is in DG15.
 *
 * ECDSA (BSI TR-03111): the signature is plain r || s, each of the byte
 * length of the group order; the hash function is the one DG14's
 * ActiveAuthenticationInfo names (ecdsa-plain-SHA1/224/256/384/512, see
 * icao_aa_md_from_oid()), SHA-256 if there is none (the caller passes
 * MBEDTLS_MD_NONE). The challenge is hashed as is.
 *
 * RSA (ISO/IEC 9796-2 digital signature scheme 1, partial message
 * recovery): F = s^e mod n is k bytes (k = byte length of n) of
 *   6A || M1 || H(M1 || challenge) || trailer
 * where the trailer is BC (SHA-1, implicit) or hh CC with hh naming the
 * hash (33 SHA-1, 34 SHA-256, 35 SHA-512, 36 SHA-384, 38 SHA-224). For a
 * modulus whose bit length is not a multiple of 8, F is one byte shorter
 * than k only in value: a leading 00 byte is skipped. M1 (the recovered
 * part, chosen by the chip) must not be empty.
 */
#ifndef ICAO_AA_H
#define ICAO_AA_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>

#include "icao/bac.h"	/* icao_rng_fn */
#include "icao/chan.h"

#define ICAO_AA_CHALLENGE_LEN	8
#define ICAO_AA_SIG_MAX		1024	/* RSA-8192 */

/*
 * icao_aa_md_from_oid — the hash of an ActiveAuthenticationInfo
 * signatureAlgorithm OID (dotted): ecdsa-plain-SHA1 .. SHA512
 * (0.4.0.127.0.7.1.1.4.1.1 .. .5, BSI TR-03111). NULL gives SHA-256 (the
 * default); an unknown OID gives MBEDTLS_MD_NONE.
 */
mbedtls_md_type_t icao_aa_md_from_oid(const char *oid_dotted);

/*
 * icao_aa_md_from_dg14 — the same from a whole DG14 (untrusted bytes,
 * '6E' { '31' { SecurityInfo... } }): the hash named by the
 * signatureAlgorithm of its ActiveAuthenticationInfo (SEQUENCE {
 * 2.23.136.1.1.5, version INTEGER, signatureAlgorithm OID }), or SHA-256
 * when DG14 has none. Errors: EG_ERR_INVAL, EG_ERR_FORMAT /
 * EG_ERR_TRUNCATED (malformed DG14), EG_ERR_UNSUPPORTED (an algorithm that
 * is not ecdsa-plain-SHA*).
 */
int icao_aa_md_from_dg14(const uint8_t *dg14, size_t len,
    mbedtls_md_type_t *md);

/*
 * icao_aa_verify — check the chip's answer sig (untrusted, sig_len bytes)
 * to challenge chal (chal_len bytes, normally 8) with the DG15 key pk
 * (borrowed; RSA or EC). ecdsa_md: the hash for ECDSA (MBEDTLS_MD_NONE:
 * SHA-256); ignored for RSA, whose trailer names the hash.
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_UNSUPPORTED (another key type, an
 * RSA key below 512 bits: properties of the key, which DG15 fixes),
 * EG_ERR_FORMAT (signature of the wrong length, or not below the modulus),
 * EG_ERR_AUTH (the signature does not verify: wrong key, tampered, wrong
 * challenge, bad header or trailer, or a trailer naming a hash we do not
 * know — the chip chose it, so it is a wrong answer, never "unsupported"),
 * EG_ERR_CRYPTO. EC keys may be on a custom curve (explicit parameters).
 */
int icao_aa_verify(const mbedtls_pk_context *pk, mbedtls_md_type_t ecdsa_md,
    const uint8_t *chal, size_t chal_len, const uint8_t *sig, size_t sig_len);

/*
 * icao_aa_run — draw an 8-byte challenge from rng, send INTERNAL
 * AUTHENTICATE (00 88 00 00, Le 256, or the RSA signature length with an
 * extended Le for keys above 2048 bits) over ch (plain or under SM,
 * whatever ch has) and verify the answer with pk. Errors: those of
 * icao_aa_verify, EG_ERR_CARD_STATUS
 * (*sw; e.g. 6D00: the chip has no AA), EG_ERR_CRYPTO (RNG), transport
 * and SM errors.
 */
int icao_aa_run(struct icao_chan *ch, const mbedtls_pk_context *pk,
    mbedtls_md_type_t ecdsa_md, icao_rng_fn rng, void *rng_ctx,
    uint16_t *sw);

#endif
