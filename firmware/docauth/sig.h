/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sig.h — internal: the signature algorithms of EF.SOD, master lists,
 * certificates and CRLs, verified on mbedTLS public keys whose EC group may
 * be a custom one (spki.h), which mbedtls_pk_verify() cannot use.
 */
#ifndef EGATE_DOCAUTH_SIG_H
#define EGATE_DOCAUTH_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>

struct sig_alg {
	mbedtls_pk_type_t pk;	/* MBEDTLS_PK_RSA, MBEDTLS_PK_RSASSA_PSS, MBEDTLS_PK_ECDSA */
	mbedtls_md_type_t md;
	mbedtls_md_type_t mgf_md;
	int salt_len;
	bool plain;		/* ECDSA r||s by OID (BSI TR-03111) */
	const char *name;
};

/*
 * sig_alg_resolve — the algorithm of a signature AlgorithmIdentifier: oid
 * is the OID's value bytes, params the whole parameters TLV (NULL if
 * absent). md_default is used when the OID names no hash (rsaEncryption or
 * id-ecPublicKey in CMS: the signerInfo digestAlgorithm).
 * Errors: EG_ERR_UNSUPPORTED (unknown OID or hash), EG_ERR_FORMAT (bad
 * RSASSA-PSS parameters).
 */
int sig_alg_resolve(const uint8_t *oid, size_t oid_len, const uint8_t *params,
    size_t params_len, mbedtls_md_type_t md_default, struct sig_alg *out);

/*
 * sig_verify_hash — verify sig over hash h (hlen bytes, made with a->md)
 * with pk. ECDSA signatures are DER, or plain r||s (by OID, or under an
 * X9.62 OID as some chips emit them: *plain is then set). rsa_min_bits > 0
 * refuses smaller RSA keys (EG_ERR_UNSUPPORTED). Returns EG_OK, EG_ERR_AUTH
 * (wrong signature), EG_ERR_UNSUPPORTED (algorithm does not fit the key),
 * EG_ERR_FORMAT (an ECDSA value that is neither DER nor r||s).
 */
int sig_verify_hash(const struct sig_alg *a, mbedtls_pk_context *pk, const uint8_t *h,
    size_t hlen, const uint8_t *sig, size_t sig_len, size_t rsa_min_bits, bool *plain);

/*
 * sig_verify — hash msg with the algorithm's hash and verify (as above);
 * reason (cap bytes, may be NULL) says what happened ("ecdsa-with-SHA256
 * valid with SHA256", "RSA key of 1024 bits is below 2048").
 */
int sig_verify(const uint8_t *oid, size_t oid_len, const uint8_t *params, size_t params_len,
    mbedtls_md_type_t md_default, mbedtls_pk_context *pk, const uint8_t *msg, size_t msg_len,
    const uint8_t *sig, size_t sig_len, size_t rsa_min_bits, char *reason, size_t cap);

/* sig_reason — the text sig_verify writes for a result. */
void sig_reason(const struct sig_alg *a, int ret, bool plain, mbedtls_pk_context *pk,
    char *reason, size_t cap);

#endif
