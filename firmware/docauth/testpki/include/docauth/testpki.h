/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testpki.h — TEST AND SIMULATION SUPPORT ONLY. Never linked into a
 * production decision path.
 *
 * Generates a Country Signing CA, Document Signer certificates, EF.SOD
 * (CMS SignedData over an LDSSecurityObject), EF.COM, DG1, CRLs and CSCA
 * master lists with mbedTLS, so tests and the simulated chip in hw/ can
 * present correctly signed passports — and passports that are wrong on
 * purpose (bad signature, altered DG, expired or revoked DS, unknown CSCA,
 * DG missing from the SOD, wrong issuing state).
 *
 * Keys made here are test keys. A context seeded with a string is
 * deterministic (same seed, same keys and signatures — except RSA-PSS salts
 * and ECDSA nonces also come from the seeded DRBG, so those too).
 *
 * All functions return EG_OK or a negative eg_err (EG_ERR_INVAL, EG_ERR_NOMEM,
 * EG_ERR_OVERFLOW, EG_ERR_CRYPTO for an mbedTLS failure, EG_ERR_CERT for a
 * certificate that does not parse). Output buffers are eg_wbuf the caller
 * initialised; output is appended.
 */
#ifndef EGATE_DOCAUTH_TESTPKI_H
#define EGATE_DOCAUTH_TESTPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>

#include "egate/buf.h"
#include "docauth/lds.h"

struct tpki;

/* tpki_new — a generator context. seed NULL: system entropy; otherwise a
 * deterministic DRBG seeded from the string. */
int tpki_new(struct tpki **out, const char *seed);
void tpki_free(struct tpki **t);

enum tpki_key_type { TPKI_KEY_EC_P256, TPKI_KEY_EC_BP256, TPKI_KEY_RSA2048 };

/* A key with its certificate (DER). */
struct tpki_cred {
	mbedtls_pk_context key;
	struct eg_wbuf cert;	/* DER */
	char subject[160];
};
void tpki_cred_init(struct tpki_cred *c);
void tpki_cred_free(struct tpki_cred *c);

/*
 * tpki_cred_make — generate a key of type kt and a certificate for subject
 * ("C=UT,O=Utopia,CN=CSCA Utopia"), valid not_before..not_after
 * ("YYYYMMDDhhmmss", UTC). issuer NULL: a self-signed CA (CSCA); otherwise
 * signed by issuer (sha256 with RSA PKCS#1 v1.5 or ECDSA). is_ca sets
 * basicConstraints CA and keyCertSign|cRLSign, else digitalSignature.
 * out must be initialised with tpki_cred_init and empty.
 */
int tpki_cred_make(struct tpki *t, enum tpki_key_type kt, const char *subject,
    struct tpki_cred *issuer, bool is_ca, const char *not_before, const char *not_after,
    int serial, struct tpki_cred *out);

/* PEM of a credential's certificate into out (for openssl in tests). */
int tpki_cert_pem(const struct tpki_cred *c, struct eg_wbuf *out);

enum tpki_sig {
	TPKI_SIG_ECDSA,		/* ecdsa-with-SHA256, DER signature */
	TPKI_SIG_ECDSA_PLAIN,	/* ecdsa-with-SHA256 OID but plain r||s value, as some chips */
	TPKI_SIG_RSA_PKCS1,	/* sha256WithRSAEncryption */
	TPKI_SIG_RSA_PSS,	/* RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 */
};

/* misbehaviour flags for tpki_sod_build / tpki_masterlist_build */
#define TPKI_BAD_SIGNATURE	0x01u	/* flip a byte of the signature */
#define TPKI_BAD_DIGEST		0x02u	/* sign a messageDigest that is wrong */
#define TPKI_NO_CERT		0x04u	/* leave certificates [0] out */
#define TPKI_SID_SKI		0x08u	/* sid as subjectKeyIdentifier (signerInfo v3) */

struct tpki_sod_params {
	struct tpki_cred *ds;	/* Document Signer (key and certificate) */
	enum tpki_sig sig;
	const uint8_t *dg[LDS_MAX_DG + 1];	/* DGs to hash (SHA-256); NULL: omitted */
	size_t dg_len[LDS_MAX_DG + 1];
	unsigned flags;
	mbedtls_md_type_t dg_hash;	/* LDSSecurityObject hash: SHA1/224/256/384/512;
					 * MBEDTLS_MD_NONE (0) means SHA-256 */
	const char *lds_version;	/* non-NULL: a v1 LDSSecurityObject with
					 * ldsVersionInfo { lds_version ("0107"), "040000" } */
};

/* tpki_sod_build — EF.SOD (tag 77) signed by p->ds. */
int tpki_sod_build(struct tpki *t, const struct tpki_sod_params *p, struct eg_wbuf *out);

/* tpki_com_build — EF.COM, LDS 1.7, Unicode 4.0.0, listing DGs set in dg_mask (bit n = DGn). */
int tpki_com_build(uint32_t dg_mask, struct eg_wbuf *out);

/* tpki_dg1_build — DG1 from MRZ text (lines concatenated, 88/72/90 chars). */
int tpki_dg1_build(const char *mrz, struct eg_wbuf *out);

/*
 * tpki_crl_build — a v2 CRL issued by ca, revoking the certificates given as
 * DER (their serials, revocation date = this_update). Times "YYYYMMDDhhmmss".
 */
int tpki_crl_build(struct tpki *t, struct tpki_cred *ca, const uint8_t *const *revoked,
    const size_t *revoked_len, size_t n_revoked, const char *this_update,
    const char *next_update, struct eg_wbuf *out);

/*
 * tpki_masterlist_build — an ICAO CSCA master list (CMS SignedData, eContent
 * 2.23.136.1.1.2) listing the DER certificates given, signed by signer
 * (ECDSA or RSA PKCS#1 by its key type). flags as for the SOD.
 */
int tpki_masterlist_build(struct tpki *t, struct tpki_cred *signer, const uint8_t *const *certs,
    const size_t *cert_len, size_t n, unsigned flags, struct eg_wbuf *out);

/*
 * tpki_cardsecurity_build — EF.CardSecurity: a CMS SignedData, eContent
 * id-SecurityObject (0.4.0.127.0.7.3.2.1) holding secinfos (the DER SET
 * OF SecurityInfo), signed by signer with ECDSA. flags as for the SOD.
 */
int tpki_cardsecurity_build(struct tpki *t, struct tpki_cred *signer,
    const uint8_t *secinfos, size_t len, unsigned flags, struct eg_wbuf *out);

#endif
