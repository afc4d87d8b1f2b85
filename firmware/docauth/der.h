/* SPDX-License-Identifier: Apache-2.0 */
/* der.h — internal DER helpers shared by the docauth modules; not installed. */
#ifndef EGATE_DOCAUTH_DER_H
#define EGATE_DOCAUTH_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <mbedtls/md.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include "egate/buf.h"
#include "egate/tlv.h"

/* DER contents of OIDs used here (value bytes only) */
#define DER_OID_SIGNED_DATA	"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"	/* 1.2.840.113549.1.7.2 */
#define DER_OID_CONTENT_TYPE	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03"	/* 1.2.840.113549.1.9.3 */
#define DER_OID_MESSAGE_DIGEST	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04"	/* 1.2.840.113549.1.9.4 */
#define DER_OID_LDS_SO		"\x67\x81\x08\x01\x01\x01"		/* 2.23.136.1.1.1 */
#define DER_OID_CSCA_ML		"\x67\x81\x08\x01\x01\x02"		/* 2.23.136.1.1.2 */
#define DER_OID_SECURITY_OBJECT	"\x04\x00\x7f\x00\x07\x03\x02\x01"	/* 0.4.0.127.0.7.3.2.1 */
#define DER_OID_LEN(o)		(sizeof(o) - 1)

/* der_oid_eq — the value of TLV t is the OID o (DER content bytes). */
bool der_oid_eq(const struct eg_tlv *t, const char *o, size_t olen);
#define DER_OID_IS(t, o) der_oid_eq((t), (o), DER_OID_LEN(o))

/* der_oid_str — dotted text of an OID value; EG_ERR_FORMAT if malformed. */
int der_oid_str(const uint8_t *p, size_t n, char *out, size_t cap);

/* der_int — a non-negative INTEGER TLV (tag 02) of at most 4 value bytes. */
int der_int(const struct eg_tlv *t, long *v);

/* der_md_from_oid — MD type of a digest OID value, MBEDTLS_MD_NONE if unknown. */
mbedtls_md_type_t der_md_from_oid(const uint8_t *p, size_t n);

/* der_alg — read AlgorithmIdentifier SEQUENCE { OID, params OPTIONAL }:
 * *oid is the OID TLV, *params the parameter TLV (has_params false if absent). */
int der_alg(struct eg_rbuf *b, struct eg_tlv *oid, struct eg_tlv *params, bool *has_params);

/* der_time_cmp — compare an X.509 time with a time_t (UTC): <0, 0, >0. */
int der_time_cmp(const mbedtls_x509_time *xt, time_t t);
/* der_time_str — "YYYY-MM-DDThh:mm:ssZ" */
void der_time_str(const mbedtls_x509_time *xt, char out[21]);

/* der_x509_profile — the certificate profile for CSCA/DS/master list signer
 * chains: SHA-1 to SHA-512 (SHA-1 because documents signed under it are
 * still in circulation), RSA keys of at least 2048 bits, every EC curve
 * mbedTLS knows (brainpool included). */
extern const mbedtls_x509_crt_profile der_x509_profile;

/* der_cert_ski — the subjectKeyIdentifier extension (2.5.29.14) of a
 * certificate, borrowed from it. EG_ERR_NOT_FOUND if absent. */
int der_cert_ski(const mbedtls_x509_crt *c, const uint8_t **ski, size_t *n);

#endif
