/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cms.h — the subset of CMS SignedData (RFC 5652) that ICAO uses for EF.SOD,
 * EF.CardSecurity and CSCA master lists: one signerInfo, embedded signer
 * certificate(s), signed attributes with content-type and message-digest.
 *
 * BER as real documents use it is accepted: indefinite lengths anywhere,
 * eContent as a constructed OCTET STRING, long-form lengths with leading
 * zeros. Nothing is re-encoded: the signature is checked over the signed
 * attributes exactly as received (their [0] tag replaced by SET, RFC 5652
 * 5.4), or over eContent when there are none.
 *
 * cms_parse() splits the input into borrowed spans (valid while the input
 * is); only a constructed eContent is copied (cms_signed_data_free).
 * Signature algorithms: RSA PKCS#1 v1.5, RSASSA-PSS (with its parameters),
 * ECDSA with DER or plain r||s signatures (BSI TR-03111 ecdsa-plain-* OIDs,
 * and plain values under the X9.62 OIDs as some passports emit them), on
 * named, explicit-parameter and custom curves (spki.h); SHA-1 to SHA-512.
 */
#ifndef EGATE_DOCAUTH_CMS_H
#define EGATE_DOCAUTH_CMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>

#include "docauth/cert.h"

struct cms_span {
	const uint8_t *p;	/* borrowed */
	size_t len;
};

struct cms_signed_data {
	long version;
	bool ber;			/* indefinite lengths or a constructed eContent */
	struct cms_span econtent_type;	/* OID value bytes */
	struct cms_span econtent;	/* the eContent octets */
	uint8_t *econtent_owned;	/* non-NULL when eContent was constructed */
	struct cms_span certs;		/* the value of certificates [0]: concatenated Certificates */
	/* the one signerInfo */
	long si_version;
	bool sid_is_ski;
	struct cms_span sid_issuer;	/* whole Name TLV (issuerAndSerialNumber) */
	struct cms_span sid_serial;	/* INTEGER value bytes */
	struct cms_span sid_ski;	/* subjectKeyIdentifier value */
	mbedtls_md_type_t digest_md;	/* signerInfo digestAlgorithm */
	bool has_signed_attrs;
	struct cms_span signed_attrs;	/* whole [0] TLV as received, first byte A0 */
	struct cms_span attr_content_type;	/* OID value, if present */
	struct cms_span attr_message_digest;	/* OCTET STRING value, if present */
	struct cms_span sig_alg;	/* OID value bytes */
	bool has_sig_params;
	struct cms_span sig_params;	/* whole parameters TLV */
	struct cms_span signature;
};

/*
 * cms_parse — parse a ContentInfo carrying SignedData. out borrows der;
 * free with cms_signed_data_free (also after an error: safe).
 * Errors: EG_ERR_INVAL, EG_ERR_TRUNCATED, EG_ERR_FORMAT (not signedData,
 * missing or repeated parts, bad lengths), EG_ERR_UNSUPPORTED (not exactly
 * one signerInfo, unknown digest algorithm), EG_ERR_NOMEM.
 */
int cms_parse(const uint8_t *der, size_t len, struct cms_signed_data *out);
/* cms_signed_data_free — free what cms_parse allocated; the struct is zeroed. */
void cms_signed_data_free(struct cms_signed_data *sd);

/*
 * cms_signer_cert — parse the certificate in certificates [0] that the
 * signerInfo's sid names (issuer and serial, the issuer compared by RFC
 * 5280 name matching and, failing that, with its RDNs in any order; or the
 * subjectKeyIdentifier) into a new *out (cert_free). Certificates that do
 * not parse are passed over. Errors: EG_ERR_NOT_FOUND (none matches or none
 * present), EG_ERR_CERT (the matching certificate does not parse; *why,
 * if not NULL, gets its eg_err), EG_ERR_INVAL.
 */
int cms_signer_cert(const struct cms_signed_data *sd, struct cert **out, int *why);

/*
 * cms_verify_signature — verify the signerInfo signature with pk (see
 * above). reason (cap bytes) receives a short explanation either way.
 * Returns EG_OK, EG_ERR_AUTH (signature wrong), EG_ERR_UNSUPPORTED
 * (algorithm unknown or not matching the key type), EG_ERR_FORMAT (bad PSS
 * parameters or signature encoding).
 */
int cms_verify_signature(const struct cms_signed_data *sd, mbedtls_pk_context *pk,
    char *reason, size_t cap);

/*
 * cms_check_message_digest — the messageDigest signed attribute equals the
 * hash (signerInfo digestAlgorithm) of eContent, and contentType equals
 * eContentType. Returns EG_OK, EG_ERR_AUTH (mismatch), EG_ERR_FORMAT
 * (attributes missing). reason as above.
 */
int cms_check_message_digest(const struct cms_signed_data *sd, char *reason, size_t cap);

#endif
