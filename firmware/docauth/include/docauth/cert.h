/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cert.h — X.509 certificates of the eMRTD PKI (ICAO Doc 9303 Part 12):
 * CSCAs, link certificates, Document Signers, master list signers.
 *
 * Parsed here through eg_rbuf rather than by mbedTLS 2.28, which refuses
 * whole certificates for an EC key with explicit domain parameters and for
 * some extensions real CSCAs carry. The key goes through spki.h (named,
 * explicit and custom curves). BER lengths are tolerated; the signature is
 * checked over the TBSCertificate bytes exactly as received.
 *
 * Names are kept as parsed attribute lists and compared by RFC 5280 7.1
 * (same RDNs in the same order; attribute values compared after case
 * folding and whitespace folding of the ASCII letters, whatever the string
 * type), and, where a real document needs it, with the RDNs in any order
 * (cert_name_eq_any_order).
 */
#ifndef EGATE_DOCAUTH_CERT_H
#define EGATE_DOCAUTH_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "docauth/spki.h"

#define CERT_NAME_MAX 32	/* attributes in one Name */

struct cert_span {
	const uint8_t *p;	/* borrowed */
	size_t len;
};

struct cert_ava {
	unsigned rdn;		/* index of the RDN the attribute is in */
	struct cert_span type;	/* OID value bytes */
	uint8_t tag;		/* string type (0x13 PrintableString, 0x0C UTF8String, ...) */
	struct cert_span value;
};

struct cert_name {
	size_t n;		/* attributes */
	unsigned n_rdn;
	struct cert_ava ava[CERT_NAME_MAX];
	struct cert_span raw;	/* the whole Name TLV */
};

/*
 * cert_name_parse — a Name TLV (SEQUENCE OF SET OF AttributeTypeAndValue),
 * exactly len bytes; out borrows der. Errors: EG_ERR_FORMAT,
 * EG_ERR_TRUNCATED, EG_ERR_OVERFLOW (more than CERT_NAME_MAX attributes).
 */
int cert_name_parse(const uint8_t *der, size_t len, struct cert_name *out);

/* cert_name_eq — RFC 5280 7.1 name matching (see above). */
bool cert_name_eq(const struct cert_name *a, const struct cert_name *b);
/* cert_name_eq_any_order — the same attributes, RDNs in any order. */
bool cert_name_eq_any_order(const struct cert_name *a, const struct cert_name *b);

/* cert_name_str — "C=DE, O=bund, CN=csca-germany" (RFC 4514 order is not
 * used: attributes as they appear), non-printable bytes as '?'. */
void cert_name_str(const struct cert_name *n, char *out, size_t cap);

/* cert_name_country — the countryName value (up to 3 characters, as
 * written, NUL-terminated) into out; false if there is none or it is longer. */
bool cert_name_country(const struct cert_name *n, char out[4]);

/* keyUsage bits (RFC 5280 4.2.1.3), as in the first content byte */
#define CERT_KU_DIGITAL_SIGNATURE	0x80u
#define CERT_KU_NON_REPUDIATION		0x40u
#define CERT_KU_KEY_CERT_SIGN		0x04u
#define CERT_KU_CRL_SIGN		0x02u

struct cert {
	uint8_t *der;		/* owned copy of the certificate */
	size_t der_len;
	struct cert_span tbs;	/* the signed TBSCertificate bytes as received */
	struct cert_span sig_oid;	/* signatureAlgorithm OID value */
	struct cert_span sig_params;	/* its parameters TLV (len 0 if absent) */
	struct cert_span signature;	/* BIT STRING contents after the unused-bits byte */
	int version;		/* 1..3 */
	struct cert_span serial;	/* INTEGER value bytes */
	struct cert_name issuer, subject;
	int64_t not_before, not_after;	/* seconds since the epoch, UTC */
	struct cert_span spki;	/* SubjectPublicKeyInfo TLV */
	mbedtls_pk_context pk;	/* owned */
	struct spki_info key;
	/* extensions */
	bool has_bc, ca;
	int path_len;		/* -1 if absent */
	bool has_ku;
	unsigned ku;		/* CERT_KU_* */
	bool has_eku, eku_ml_signer, eku_any;	/* 2.23.136.1.1.3, anyExtendedKeyUsage */
	size_t n_eku;
	struct cert_span ski, aki;	/* key identifiers (len 0 if absent) */
	bool unknown_critical;	/* a critical extension we do not process */
	bool self_issued;	/* subject name equals issuer name */
};

/*
 * cert_parse — parse a DER (or BER-length) X.509 certificate of exactly
 * len bytes into a new *out (copies the input). Errors: EG_ERR_INVAL,
 * EG_ERR_NOMEM, EG_ERR_FORMAT / EG_ERR_TRUNCATED (malformed), and those of
 * spki_parse for the key (EG_ERR_UNSUPPORTED, EG_ERR_CERT).
 */
int cert_parse(const uint8_t *der, size_t len, struct cert **out);
/* cert_free — free *c and set it to NULL; NULL-safe. */
void cert_free(struct cert **c);

/*
 * cert_verify_signed_by — c's signature verifies with issuer's key (RSA
 * keys below 2048 bits refused). reason (may be NULL) says why not. issuer
 * is not const: mbedTLS verifies on a mutable EC group.
 * Returns EG_OK, EG_ERR_AUTH, EG_ERR_UNSUPPORTED, EG_ERR_FORMAT.
 */
int cert_verify_signed_by(const struct cert *c, struct cert *issuer, char *reason,
    size_t cap);

/* cert_is_self_signed — self-issued and the signature verifies with the
 * certificate's own key. */
bool cert_is_self_signed(struct cert *c);

/* cert_valid_at — not_before <= t <= not_after. */
bool cert_valid_at(const struct cert *c, int64_t t);

/* cert_fingerprint — SHA-256 of the DER, lower-case hex (65 bytes). */
void cert_fingerprint(const struct cert *c, char out[65]);

#endif
