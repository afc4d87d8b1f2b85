/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki_csr.c — certificate signing requests (PKCS #10, RFC 2986) that carry
 * an enrolment token.
 *
 * The token travels as the PKCS #9 challengePassword attribute (RFC 2985
 * 5.4.1), the attribute made for exactly this (SCEP uses it the same way),
 * so `openssl req -text` shows it and a request made with `openssl req`
 * and a challengePassword works too. mbedTLS 2.28's CSR writer cannot add
 * that attribute and its parser skips attributes, so the request is
 * encoded here with mbedTLS's ASN.1 writer, and the CA reads the token back
 * from the request's CertificationRequestInfo with our bounded TLV reader
 * (pki_csr_token: untrusted bytes, fuzzed by tests/fuzz/fuzz_pki_csr.c).
 */
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/tlv.h"
#include "pki.h"
#include "pki_internal.h"

/* challengePassword: 1.2.840.113549.1.9.7 */
#define OID_CHALLENGE_PASSWORD MBEDTLS_OID_PKCS9 "\x07"

#define TAG_SEQUENCE 0x30
#define TAG_SET 0x31
#define TAG_INTEGER 0x02
#define TAG_OID 0x06
#define TAG_UTF8 0x0C
#define TAG_PRINTABLE 0x13
#define TAG_IA5 0x16
#define TAG_ATTRS 0xA0	/* [0] IMPLICIT SET OF Attribute */

/* ---- writing (on the device) -------------------------------------------------- */

/* Errors from the ASN.1 writer are negative; keep a running length. */
#define W(len, expr) do { int w_ = (expr); if (w_ < 0) { ret = EG_ERR_OVERFLOW; goto out; } \
	(len) += (size_t)w_; } while (0)

int
pki_csr_write_pem(mbedtls_pk_context *key, const char *subject, const char *token,
    struct pki_rng *rng, unsigned char *pem, size_t pemsz)
{
	unsigned char cri[1024], whole[1280], hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
	unsigned char *c = cri + sizeof(cri), *q = whole + sizeof(whole);
	mbedtls_asn1_named_data *names = NULL;
	size_t len = 0, alen = 0, wlen = 0, sig_len = 0, olen = 0, l0;
	int ret = EG_ERR_INVAL, pub;

	if (mbedtls_x509_string_to_names(&names, subject) != 0)
		goto out;
	/* attributes [0]: the token, if any */
	if (token != NULL) {
		size_t tl = strlen(token);
		if (tl == 0 || tl > 255)
			goto out;
		W(alen, mbedtls_asn1_write_printable_string(&c, cri, token, tl));
		W(alen, mbedtls_asn1_write_len(&c, cri, alen));
		W(alen, mbedtls_asn1_write_tag(&c, cri, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET));
		W(alen, mbedtls_asn1_write_oid(&c, cri, OID_CHALLENGE_PASSWORD,
		    MBEDTLS_OID_SIZE(OID_CHALLENGE_PASSWORD)));
		W(alen, mbedtls_asn1_write_len(&c, cri, alen));
		W(alen, mbedtls_asn1_write_tag(&c, cri, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	}
	W(alen, mbedtls_asn1_write_len(&c, cri, alen));
	W(alen, mbedtls_asn1_write_tag(&c, cri, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED));
	len += alen;
	/* subjectPKInfo: written at the end of cri[0, c) */
	if ((pub = mbedtls_pk_write_pubkey_der(key, cri, (size_t)(c - cri))) < 0) {
		ret = EG_ERR_CRYPTO;
		goto out;
	}
	c -= pub;
	len += (size_t)pub;
	W(len, mbedtls_x509_write_names(&c, cri, names));
	W(len, mbedtls_asn1_write_int(&c, cri, 0));	/* version v1 */
	W(len, mbedtls_asn1_write_len(&c, cri, len));
	W(len, mbedtls_asn1_write_tag(&c, cri, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));

	ret = EG_ERR_CRYPTO;
	if (mbedtls_sha256_ret(c, len, hash, 0) != 0 ||
	    mbedtls_pk_sign(key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &sig_len,
	    mbedtls_ctr_drbg_random, &rng->drbg) != 0)
		goto out;
	/* CertificationRequest ::= SEQUENCE { info, algorithm, signature } with
	 * ecdsa-with-SHA256 and its parameters absent (RFC 5758 3.2) */
	W(wlen, mbedtls_asn1_write_bitstring(&q, whole, sig, sig_len * 8));
	l0 = wlen;
	W(wlen, mbedtls_asn1_write_oid(&q, whole, MBEDTLS_OID_ECDSA_SHA256,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_ECDSA_SHA256)));
	W(wlen, mbedtls_asn1_write_len(&q, whole, wlen - l0));
	W(wlen, mbedtls_asn1_write_tag(&q, whole, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	W(wlen, mbedtls_asn1_write_raw_buffer(&q, whole, c, len));
	W(wlen, mbedtls_asn1_write_len(&q, whole, wlen));
	W(wlen, mbedtls_asn1_write_tag(&q, whole, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	ret = EG_ERR_OVERFLOW;
	if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE REQUEST-----\n",
	    "-----END CERTIFICATE REQUEST-----\n", q, wlen, pem, pemsz, &olen) != 0)
		goto out;
	ret = EG_OK;
out:
	mbedtls_asn1_free_named_data_list(&names);
	return ret;
}
#undef W

/* ---- reading (on the CA: untrusted bytes) -------------------------------------- */

static bool
printable(const struct eg_rbuf *v)
{
	for (const uint8_t *p = v->p; p < v->end; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return v->p < v->end;
}

int
pki_csr_token(const uint8_t *der, size_t len, char *out, size_t outsz, bool *found)
{
	struct eg_rbuf b = eg_rbuf_init(der, len), in, attrs;
	struct eg_tlv cri, t;
	int ret;

	*found = false;
	if (outsz > 0)
		out[0] = '\0';
	if ((ret = eg_tlv_expect(&b, TAG_SEQUENCE, &cri)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	in = cri.value;
	if ((ret = eg_tlv_expect(&in, TAG_INTEGER, &t)) != EG_OK ||	/* version */
	    (ret = eg_tlv_expect(&in, TAG_SEQUENCE, &t)) != EG_OK ||	/* subject */
	    (ret = eg_tlv_expect(&in, TAG_SEQUENCE, &t)) != EG_OK)	/* subjectPKInfo */
		return ret;
	if (eg_rbuf_left(&in) == 0)
		return EG_OK;	/* no attributes at all */
	if ((ret = eg_tlv_expect(&in, TAG_ATTRS, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&in) != 0)
		return EG_ERR_FORMAT;
	attrs = t.value;
	while (eg_rbuf_left(&attrs) > 0) {
		struct eg_tlv attr, oid, set, val;
		struct eg_rbuf a;

		if ((ret = eg_tlv_expect(&attrs, TAG_SEQUENCE, &attr)) != EG_OK)
			return ret;
		a = attr.value;
		if ((ret = eg_tlv_expect(&a, TAG_OID, &oid)) != EG_OK ||
		    (ret = eg_tlv_expect(&a, TAG_SET, &set)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&a) != 0)
			return EG_ERR_FORMAT;
		if (eg_rbuf_left(&oid.value) != MBEDTLS_OID_SIZE(OID_CHALLENGE_PASSWORD) ||
		    memcmp(oid.value.p, OID_CHALLENGE_PASSWORD,
		    MBEDTLS_OID_SIZE(OID_CHALLENGE_PASSWORD)) != 0)
			continue;	/* another attribute (extensionRequest, ...) */
		if (*found)
			return EG_ERR_FORMAT;	/* two passwords: which one? neither */
		/* exactly one value, a printable string */
		if ((ret = eg_tlv_read(&set.value, &val)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&set.value) != 0 ||
		    (val.tag != TAG_PRINTABLE && val.tag != TAG_UTF8 && val.tag != TAG_IA5) ||
		    !printable(&val.value))
			return EG_ERR_FORMAT;
		if (eg_rbuf_left(&val.value) >= outsz)
			return EG_ERR_OVERFLOW;
		memcpy(out, val.value.p, eg_rbuf_left(&val.value));
		out[eg_rbuf_left(&val.value)] = '\0';
		*found = true;
	}
	return EG_OK;
}
