/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spki.h — SubjectPublicKeyInfo (RFC 5280, RFC 3279, RFC 4055) of Document
 * Signer, CSCA, master list signer, DG14 and DG15 keys, parsed here rather
 * than by mbedTLS 2.28, which refuses EC keys with explicit domain
 * parameters (about a quarter of the CSCAs in a national master list, and
 * many European Document Signers).
 *
 * EC keys: the parameters are a named curve OID, or explicit ECParameters
 * (SEC 1 / X9.62 SpecifiedECDomain over a prime field). Explicit parameters
 * equal to a curve mbedTLS knows (NIST P-192..P-521, brainpoolP256/384/512,
 * secp*k1) load that named group; any other curve is validated (below) and
 * loaded as a custom short Weierstrass group (group id MBEDTLS_ECP_DP_NONE),
 * on which mbedtls_ecdsa_verify() works. The public point may be
 * uncompressed or compressed (p = 3 mod 4).
 *
 * Validation of a custom curve: p prime of 192..521 bits; a, b < p;
 * 4a^3 + 27b^2 != 0; the base point on the curve; n prime of at least 160
 * bits, n != p, (n-1)G = -G; cofactor h (given or found) at most 4 with
 * |hn - (p+1)| <= 2 sqrt(p) (Hasse); p^k != 1 mod n for k <= 20 (no small
 * embedding degree). The public point must lie on the curve.
 *
 * RSA keys: rsaEncryption or id-RSASSA-PSS (its parameters are ignored:
 * the signature's own parameters govern), RSAPublicKey { n, e } checked by
 * mbedtls_rsa_check_pubkey().
 *
 * Parsing goes through eg_rbuf (BER tolerated); errors: EG_ERR_INVAL,
 * EG_ERR_TRUNCATED / EG_ERR_FORMAT (malformed), EG_ERR_UNSUPPORTED
 * (another algorithm, a characteristic-2 field, implicitlyCA), EG_ERR_CERT
 * (explicit parameters that fail validation, a point not on the curve),
 * EG_ERR_NOMEM, EG_ERR_CRYPTO.
 */
#ifndef EGATE_DOCAUTH_SPKI_H
#define EGATE_DOCAUTH_SPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>

struct spki_info {
	mbedtls_pk_type_t type;		/* MBEDTLS_PK_RSA or MBEDTLS_PK_ECKEY */
	bool rsa_pss;			/* RSA key under id-RSASSA-PSS */
	bool explicit_params;		/* EC: explicit ECParameters */
	bool custom_curve;		/* EC: no named curve has these parameters */
	mbedtls_ecp_group_id curve;	/* EC: the named group, NONE if custom */
	size_t bits;			/* modulus or field size */
	char curve_name[24];		/* "brainpoolP256r1", "custom 320-bit", "" for RSA */
};

/*
 * spki_parse — parse a whole SubjectPublicKeyInfo (exactly len bytes) into
 * pk (initialised by the caller with mbedtls_pk_init and empty; on error it
 * is left empty). info may be NULL.
 */
int spki_parse(const uint8_t *der, size_t len, mbedtls_pk_context *pk, struct spki_info *info);

/*
 * spki_ecparams_parse — EC domain parameters alone: a named curve OID TLV
 * or an explicit ECParameters SEQUENCE TLV (exactly len bytes) into grp
 * (initialised by the caller; freed and reloaded here). info may be NULL.
 */
int spki_ecparams_parse(const uint8_t *der, size_t len, mbedtls_ecp_group *grp,
    struct spki_info *info);

/*
 * spki_ec_group_copy — copy a group, named or custom (mbedtls_ecp_group_copy
 * only reloads named groups by id). dst initialised by the caller.
 * Errors: EG_ERR_NOMEM / EG_ERR_CRYPTO.
 */
int spki_ec_group_copy(mbedtls_ecp_group *dst, const mbedtls_ecp_group *src);

/* spki_pk_copy — a copy of an RSA or EC public key (named or custom
 * group) into dst (initialised, empty). Errors as spki_ec_group_copy,
 * EG_ERR_UNSUPPORTED for other key types. */
int spki_pk_copy(mbedtls_pk_context *dst, const mbedtls_pk_context *src);

#endif
