/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sig.c — signature verification for EF.SOD, master lists, certificates and
 * CRLs (see sig.h): RSA PKCS#1 v1.5, RSASSA-PSS with its parameters, ECDSA
 * (DER or plain r||s) on named and custom EC groups.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/oid.h>

#include "egate/error.h"
#include "der.h"
#include "sig.h"

#define OID_ECDSA_PLAIN "\x04\x00\x7f\x00\x07\x01\x01\x04\x01"	/* 0.4.0.127.0.7.1.1.4.1 */

static const struct {
	const char *oid;
	size_t len;
	struct sig_alg a;
} sigalgs[] = {
#define S(o, pk, md, plain, name) { o, DER_OID_LEN(o), { pk, md, MBEDTLS_MD_NONE, 0, plain, name } }
	S(MBEDTLS_OID_PKCS1_SHA1, MBEDTLS_PK_RSA, MBEDTLS_MD_SHA1, false, "sha1WithRSAEncryption"),
	S(MBEDTLS_OID_PKCS1_SHA224, MBEDTLS_PK_RSA, MBEDTLS_MD_SHA224, false, "sha224WithRSAEncryption"),
	S(MBEDTLS_OID_PKCS1_SHA256, MBEDTLS_PK_RSA, MBEDTLS_MD_SHA256, false, "sha256WithRSAEncryption"),
	S(MBEDTLS_OID_PKCS1_SHA384, MBEDTLS_PK_RSA, MBEDTLS_MD_SHA384, false, "sha384WithRSAEncryption"),
	S(MBEDTLS_OID_PKCS1_SHA512, MBEDTLS_PK_RSA, MBEDTLS_MD_SHA512, false, "sha512WithRSAEncryption"),
	S(MBEDTLS_OID_PKCS1_RSA, MBEDTLS_PK_RSA, MBEDTLS_MD_NONE, false, "rsaEncryption"),
	S(MBEDTLS_OID_RSASSA_PSS, MBEDTLS_PK_RSASSA_PSS, MBEDTLS_MD_NONE, false, "RSASSA-PSS"),
	S(MBEDTLS_OID_ECDSA_SHA1, MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA1, false, "ecdsa-with-SHA1"),
	S(MBEDTLS_OID_ECDSA_SHA224, MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA224, false, "ecdsa-with-SHA224"),
	S(MBEDTLS_OID_ECDSA_SHA256, MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA256, false, "ecdsa-with-SHA256"),
	S(MBEDTLS_OID_ECDSA_SHA384, MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA384, false, "ecdsa-with-SHA384"),
	S(MBEDTLS_OID_ECDSA_SHA512, MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA512, false, "ecdsa-with-SHA512"),
	S(MBEDTLS_OID_EC_ALG_UNRESTRICTED, MBEDTLS_PK_ECDSA, MBEDTLS_MD_NONE, false, "id-ecPublicKey"),
	S(OID_ECDSA_PLAIN "\x01", MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA1, true, "ecdsa-plain-SHA1"),
	S(OID_ECDSA_PLAIN "\x02", MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA224, true, "ecdsa-plain-SHA224"),
	S(OID_ECDSA_PLAIN "\x03", MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA256, true, "ecdsa-plain-SHA256"),
	S(OID_ECDSA_PLAIN "\x04", MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA384, true, "ecdsa-plain-SHA384"),
	S(OID_ECDSA_PLAIN "\x05", MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA512, true, "ecdsa-plain-SHA512"),
#undef S
};

/* RSASSA-PSS-params ::= SEQUENCE { [0] hashAlgorithm DEFAULT sha1,
 *   [1] maskGenAlgorithm DEFAULT mgf1SHA1, [2] saltLength DEFAULT 20,
 *   [3] trailerField DEFAULT 1 } (RFC 4055) */
static int
pss_params(const uint8_t *params, size_t params_len, struct sig_alg *a)
{
	struct eg_rbuf b, in;
	struct eg_tlv seq, t, oid, p, oid2, p2;
	bool hp, hp2;
	long v;

	a->md = a->mgf_md = MBEDTLS_MD_SHA1;
	a->salt_len = 20;
	if (params == NULL || (params_len == 2 && params[0] == 0x05 && params[1] == 0x00))
		return EG_OK;	/* absent or NULL: all defaults */
	b = eg_rbuf_init(params, params_len);
	if (ber_expect(&b, 0x30, &seq) != EG_OK || eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	in = seq.value;
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA0) {
		if (ber_read(&in, &t) != EG_OK || der_alg(&t.value, &oid, &p, &hp) != EG_OK)
			return EG_ERR_FORMAT;
		a->md = der_md_from_oid(oid.value.p, eg_rbuf_left(&oid.value));
	}
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA1) {
		struct eg_rbuf pb;

		if (ber_read(&in, &t) != EG_OK || der_alg(&t.value, &oid, &p, &hp) != EG_OK ||
		    !hp || !DER_OID_IS(&oid, MBEDTLS_OID_MGF1))
			return EG_ERR_FORMAT;
		pb = eg_rbuf_init(p.raw, p.raw_len);
		if (der_alg(&pb, &oid2, &p2, &hp2) != EG_OK)
			return EG_ERR_FORMAT;
		a->mgf_md = der_md_from_oid(oid2.value.p, eg_rbuf_left(&oid2.value));
	}
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA2) {
		struct eg_tlv i;

		if (ber_read(&in, &t) != EG_OK || ber_expect(&t.value, 0x02, &i) != EG_OK ||
		    der_int(&i, &v) != EG_OK || v > 1024)
			return EG_ERR_FORMAT;
		a->salt_len = (int)v;
	}
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA3) {
		struct eg_tlv i;

		if (ber_read(&in, &t) != EG_OK || ber_expect(&t.value, 0x02, &i) != EG_OK ||
		    der_int(&i, &v) != EG_OK || v != 1)
			return EG_ERR_FORMAT;
	}
	if (eg_rbuf_left(&in) != 0)
		return EG_ERR_FORMAT;
	if (a->md == MBEDTLS_MD_NONE || a->mgf_md == MBEDTLS_MD_NONE)
		return EG_ERR_UNSUPPORTED;
	return EG_OK;
}

int
sig_alg_resolve(const uint8_t *oid, size_t oid_len, const uint8_t *params, size_t params_len,
    mbedtls_md_type_t md_default, struct sig_alg *out)
{
	bool found = false;

	memset(out, 0, sizeof(*out));
	out->name = "unknown";
	for (size_t i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]); i++)
		if (sigalgs[i].len == oid_len && memcmp(sigalgs[i].oid, oid, oid_len) == 0) {
			*out = sigalgs[i].a;
			found = true;
		}
	if (!found)
		return EG_ERR_UNSUPPORTED;
	if (out->pk == MBEDTLS_PK_RSASSA_PSS)
		return pss_params(params, params_len, out);
	if (out->md == MBEDTLS_MD_NONE)
		out->md = md_default;
	return mbedtls_md_info_from_type(out->md) != NULL ? EG_OK : EG_ERR_UNSUPPORTED;
}

/* A DER ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s } and nothing else. */
static bool
der_ecdsa(const uint8_t *p, size_t n, mbedtls_mpi *r, mbedtls_mpi *s)
{
	struct eg_rbuf b = eg_rbuf_init(p, n), in;
	struct eg_tlv seq, ri, si;

	if (eg_tlv_expect(&b, 0x30, &seq) != EG_OK || eg_rbuf_left(&b) != 0)
		return false;
	in = seq.value;
	if (eg_tlv_expect(&in, 0x02, &ri) != EG_OK || eg_tlv_expect(&in, 0x02, &si) != EG_OK ||
	    eg_rbuf_left(&in) != 0 || eg_rbuf_left(&ri.value) == 0 ||
	    eg_rbuf_left(&si.value) == 0 || eg_rbuf_left(&ri.value) > 67 ||
	    eg_rbuf_left(&si.value) > 67 || (ri.value.p[0] & 0x80) || (si.value.p[0] & 0x80))
		return false;
	return mbedtls_mpi_read_binary(r, ri.value.p, eg_rbuf_left(&ri.value)) == 0 &&
	    mbedtls_mpi_read_binary(s, si.value.p, eg_rbuf_left(&si.value)) == 0;
}

static int
ecdsa_verify(const struct sig_alg *a, mbedtls_pk_context *pk, const uint8_t *h, size_t hlen,
    const uint8_t *sig, size_t sig_len, bool *plain)
{
	mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*pk);
	size_t nbytes = (kp->grp.nbits + 7) / 8;
	mbedtls_mpi r, s;
	bool der;
	int ret = EG_ERR_AUTH;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	der = !a->plain && der_ecdsa(sig, sig_len, &r, &s);
	if (der)
		ret = mbedtls_ecdsa_verify(&kp->grp, h, hlen, &kp->Q, &r, &s) == 0 ? EG_OK : EG_ERR_AUTH;
	/* plain r||s: by OID, or under an X9.62 OID as some chips do (also
	 * when the plain bytes happen to parse as DER) */
	if (ret != EG_OK && sig_len == 2 * nbytes && nbytes > 0 &&
	    mbedtls_mpi_read_binary(&r, sig, nbytes) == 0 &&
	    mbedtls_mpi_read_binary(&s, sig + nbytes, nbytes) == 0 &&
	    mbedtls_ecdsa_verify(&kp->grp, h, hlen, &kp->Q, &r, &s) == 0) {
		ret = EG_OK;
		*plain = true;
	}
	if (ret != EG_OK && !der && sig_len != 2 * nbytes)
		ret = EG_ERR_FORMAT;
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ret;
}

int
sig_verify_hash(const struct sig_alg *a, mbedtls_pk_context *pk, const uint8_t *h, size_t hlen,
    const uint8_t *sig, size_t sig_len, size_t rsa_min_bits, bool *plain)
{
	mbedtls_pk_type_t key = mbedtls_pk_get_type(pk);
	bool dummy;

	if (plain == NULL)
		plain = &dummy;
	*plain = false;
	if (a->pk == MBEDTLS_PK_ECDSA) {
		if (key != MBEDTLS_PK_ECKEY && key != MBEDTLS_PK_ECDSA)
			return EG_ERR_UNSUPPORTED;
		return ecdsa_verify(a, pk, h, hlen, sig, sig_len, plain);
	}
	if (key != MBEDTLS_PK_RSA)
		return EG_ERR_UNSUPPORTED;
	if (rsa_min_bits > 0 && mbedtls_pk_get_bitlen(pk) < rsa_min_bits)
		return EG_ERR_UNSUPPORTED;
	if (a->pk == MBEDTLS_PK_RSASSA_PSS) {
		mbedtls_pk_rsassa_pss_options o = { a->mgf_md, a->salt_len };

		return mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &o, pk, a->md, h, hlen, sig,
		    sig_len) == 0 ? EG_OK : EG_ERR_AUTH;
	}
	return mbedtls_pk_verify_ext(MBEDTLS_PK_RSA, NULL, pk, a->md, h, hlen, sig, sig_len) == 0 ?
	    EG_OK : EG_ERR_AUTH;
}

void
sig_reason(const struct sig_alg *a, int ret, bool plain, mbedtls_pk_context *pk,
    char *reason, size_t cap)
{
	if (reason == NULL || cap == 0)
		return;
	if (ret == EG_ERR_UNSUPPORTED && mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA &&
	    a->pk != MBEDTLS_PK_ECDSA)
		snprintf(reason, cap, "%s with an RSA key of %zu bits (too short)", a->name,
		    mbedtls_pk_get_bitlen(pk));
	else if (ret == EG_ERR_UNSUPPORTED)
		snprintf(reason, cap, "%s does not fit the signer's %s key", a->name,
		    mbedtls_pk_get_name(pk));
	else if (ret == EG_ERR_FORMAT)
		snprintf(reason, cap, "ECDSA signature is neither DER nor plain r||s of the curve size");
	else
		snprintf(reason, cap, "%s %s with %s%s", a->name, ret == EG_OK ? "valid" : "INVALID",
		    mbedtls_md_get_name(mbedtls_md_info_from_type(a->md)),
		    plain ? " (plain r||s)" : "");
}

int
sig_verify(const uint8_t *oid, size_t oid_len, const uint8_t *params, size_t params_len,
    mbedtls_md_type_t md_default, mbedtls_pk_context *pk, const uint8_t *msg, size_t msg_len,
    const uint8_t *sig, size_t sig_len, size_t rsa_min_bits, char *reason, size_t cap)
{
	struct sig_alg a;
	uint8_t h[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *mi;
	bool plain = false;
	int ret;

	if ((ret = sig_alg_resolve(oid, oid_len, params, params_len, md_default, &a)) != EG_OK) {
		if (reason != NULL && cap > 0)
			snprintf(reason, cap, ret == EG_ERR_FORMAT ? "bad RSASSA-PSS parameters" :
			    "unknown signature algorithm");
		return ret;
	}
	mi = mbedtls_md_info_from_type(a.md);
	if (mi == NULL || mbedtls_md(mi, msg, msg_len, h) != 0) {
		if (reason != NULL && cap > 0)
			snprintf(reason, cap, "hash failed");
		return EG_ERR_CRYPTO;
	}
	ret = sig_verify_hash(&a, pk, h, mbedtls_md_get_size(mi), sig, sig_len, rsa_min_bits,
	    &plain);
	sig_reason(&a, ret, plain, pk, reason, cap);
	return ret;
}
