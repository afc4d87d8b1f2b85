/* SPDX-License-Identifier: Apache-2.0 */
/* der.h — internal DER helpers shared by the docauth modules; not installed. */
#ifndef EGATE_DOCAUTH_DER_H
#define EGATE_DOCAUTH_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>

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

#define DER_OID_CSCA_ML_SIGNER	"\x67\x81\x08\x01\x01\x03"		/* 2.23.136.1.1.3 */
#define DER_OID_LDS_SO_LEGACY	"\x2b\x1b\x01\x01\x01"		/* 1.3.27.1.1.1 */

/* Nesting limit for BER indefinite lengths (real documents use 4-6). */
#define BER_MAX_DEPTH 24

/*
 * ber_read — one BER TLV at the cursor (DER is a subset): as eg_tlv_read,
 * and also
 *  - the indefinite length form 0x80 for constructed encodings: the value
 *    is what precedes the end-of-contents octets 00 00, and raw_len counts
 *    them (raw..raw+raw_len are the exact bytes received, so signatures are
 *    checked over them as they are);
 *  - long-form lengths with leading zero bytes (up to 4 length bytes).
 * Indefinite lengths nest at most BER_MAX_DEPTH deep. The cursor moves only
 * on success. Errors: EG_ERR_TRUNCATED, EG_ERR_FORMAT (indefinite length on
 * a primitive, missing end-of-contents, nesting too deep, tag over 4 bytes),
 * EG_ERR_OVERFLOW (length over EG_TLV_MAX_LEN).
 */
int ber_read(struct eg_rbuf *b, struct eg_tlv *out);
/* ber_expect — ber_read, then EG_ERR_FORMAT unless the tag is tag. */
int ber_expect(struct eg_rbuf *b, uint32_t tag, struct eg_tlv *out);
/* ber_is_indefinite — t was read with the indefinite length form. */
bool ber_is_indefinite(const struct eg_tlv *t);

/*
 * ber_octets — the contents of an OCTET STRING TLV t: primitive (04) as a
 * borrowed span (*owned NULL), or constructed (24, BER: a sequence of
 * OCTET STRING segments, possibly nested) concatenated into a new heap
 * buffer *owned (caller frees) that *p points into. Errors: EG_ERR_FORMAT,
 * EG_ERR_NOMEM, EG_ERR_OVERFLOW.
 */
int ber_octets(const struct eg_tlv *t, const uint8_t **p, size_t *n, uint8_t **owned);

/* der_time_parse — an X.509 Time TLV (UTCTime 17 or GeneralizedTime 18,
 * "Z" form; UTCTime years 50-99 are 19xx) into seconds since the epoch.
 * Errors: EG_ERR_FORMAT. */
int der_time_parse(const struct eg_tlv *t, int64_t *out);
/* der_time_fmt — "YYYY-MM-DDThh:mm:ssZ" of an epoch time. */
void der_time_fmt(int64_t t, char out[21]);

/* der_oid_eq — the value of TLV t is the OID o (DER content bytes). */
bool der_oid_eq(const struct eg_tlv *t, const char *o, size_t olen);
#define DER_OID_IS(t, o) der_oid_eq((t), (o), DER_OID_LEN(o))

/* der_oid_str — dotted text of an OID value; EG_ERR_FORMAT if malformed. */
int der_oid_str(const uint8_t *p, size_t n, char *out, size_t cap);

/* der_int — a non-negative INTEGER TLV (tag 02) of at most 4 value bytes. */
int der_int(const struct eg_tlv *t, long *v);

/* der_md_from_oid — MD type of a digest OID value, MBEDTLS_MD_NONE if unknown. */
mbedtls_md_type_t der_md_from_oid(const uint8_t *p, size_t n);

/* der_alg — read AlgorithmIdentifier SEQUENCE { OID, params OPTIONAL }
 * (BER lengths accepted): *oid is the OID TLV, *params the parameter TLV
 * (has_params false if absent). */
int der_alg(struct eg_rbuf *b, struct eg_tlv *oid, struct eg_tlv *params, bool *has_params);

#endif
