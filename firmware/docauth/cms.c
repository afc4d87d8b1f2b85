/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cms.c — CMS SignedData as used by ICAO (EF.SOD, CSCA master lists):
 * parsing into borrowed spans, signer certificate lookup, signature and
 * message-digest verification with mbedTLS. See cms.h.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "docauth/cms.h"
#include "der.h"

#define SPAN(s, ptr, n) do { (s).p = (ptr); (s).len = (n); } while (0)
#define SPAN_TLV(s, t) SPAN(s, (t).raw, (t).raw_len)
#define SPAN_VAL(s, t) SPAN(s, (t).value.p, eg_rbuf_left(&(t).value))

static int
parse_attrs(struct cms_signed_data *sd, struct eg_rbuf in)
{
	struct eg_tlv attr, type, values, v;
	int ret;

	while (eg_rbuf_left(&in) > 0) {
		struct eg_rbuf a, vs;

		if ((ret = eg_tlv_expect(&in, 0x30, &attr)) != EG_OK)
			return ret;
		a = attr.value;
		if ((ret = eg_tlv_expect(&a, 0x06, &type)) != EG_OK ||
		    (ret = eg_tlv_expect(&a, 0x31, &values)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&a) != 0)
			return EG_ERR_FORMAT;
		vs = values.value;
		if (DER_OID_IS(&type, DER_OID_CONTENT_TYPE)) {
			if (sd->attr_content_type.p != NULL ||
			    (ret = eg_tlv_expect(&vs, 0x06, &v)) != EG_OK || eg_rbuf_left(&vs) != 0)
				return ret != EG_OK ? ret : EG_ERR_FORMAT;
			SPAN_VAL(sd->attr_content_type, v);
		} else if (DER_OID_IS(&type, DER_OID_MESSAGE_DIGEST)) {
			if (sd->attr_message_digest.p != NULL ||
			    (ret = eg_tlv_expect(&vs, 0x04, &v)) != EG_OK || eg_rbuf_left(&vs) != 0)
				return ret != EG_OK ? ret : EG_ERR_FORMAT;
			SPAN_VAL(sd->attr_message_digest, v);
		}
	}
	return EG_OK;
}

static int
parse_signer_info(struct cms_signed_data *sd, struct eg_rbuf in)
{
	struct eg_tlv t, oid, params, issuer, serial;
	bool has_params;
	int ret;

	if ((ret = eg_tlv_expect(&in, 0x02, &t)) != EG_OK ||
	    (ret = der_int(&t, &sd->si_version)) != EG_OK)
		return ret;
	if ((ret = eg_tlv_read(&in, &t)) != EG_OK)
		return ret;
	if (t.tag == 0x30) {		/* issuerAndSerialNumber */
		struct eg_rbuf s = t.value;
		if ((ret = eg_tlv_expect(&s, 0x30, &issuer)) != EG_OK ||
		    (ret = eg_tlv_expect(&s, 0x02, &serial)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&s) != 0 || eg_rbuf_left(&serial.value) == 0)
			return EG_ERR_FORMAT;
		SPAN_TLV(sd->sid_issuer, issuer);
		SPAN_VAL(sd->sid_serial, serial);
	} else if (t.tag == 0x80) {	/* [0] IMPLICIT SubjectKeyIdentifier */
		if (eg_rbuf_left(&t.value) == 0)
			return EG_ERR_FORMAT;
		sd->sid_is_ski = true;
		SPAN_VAL(sd->sid_ski, t);
	} else {
		return EG_ERR_FORMAT;
	}
	if ((ret = der_alg(&in, &oid, &params, &has_params)) != EG_OK)
		return ret;
	sd->digest_md = der_md_from_oid(oid.value.p, eg_rbuf_left(&oid.value));
	if (sd->digest_md == MBEDTLS_MD_NONE)
		return EG_ERR_UNSUPPORTED;
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA0) {
		if ((ret = eg_tlv_read(&in, &t)) != EG_OK)
			return ret;
		sd->has_signed_attrs = true;
		SPAN_TLV(sd->signed_attrs, t);
		if ((ret = parse_attrs(sd, t.value)) != EG_OK)
			return ret;
	}
	if ((ret = der_alg(&in, &oid, &params, &has_params)) != EG_OK)
		return ret;
	SPAN_VAL(sd->sig_alg, oid);
	sd->has_sig_params = has_params;
	if (has_params)
		SPAN_TLV(sd->sig_params, params);
	if ((ret = eg_tlv_expect(&in, 0x04, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&t.value) == 0)
		return EG_ERR_FORMAT;
	SPAN_VAL(sd->signature, t);
	if (eg_rbuf_left(&in) > 0) {	/* unsignedAttrs [1] */
		if ((ret = eg_tlv_expect(&in, 0xA1, &t)) != EG_OK)
			return ret;
	}
	return eg_rbuf_left(&in) == 0 ? EG_OK : EG_ERR_FORMAT;
}

int
cms_parse(const uint8_t *der, size_t len, struct cms_signed_data *out)
{
	struct eg_rbuf b, ci, sdv, e;
	struct eg_tlv t, oid, sdt, eci, sis, si;
	int ret;

	/* (eg_rbuf_init(NULL, 0) would compute NULL + 0: check first) */
	if (der == NULL || out == NULL)
		return EG_ERR_INVAL;
	b = eg_rbuf_init(der, len);
	memset(out, 0, sizeof(*out));
	/* ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content } */
	if ((ret = eg_tlv_expect(&b, 0x30, &t)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&b) != 0)
		goto out;
	ci = t.value;
	if ((ret = eg_tlv_expect(&ci, 0x06, &oid)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (!DER_OID_IS(&oid, DER_OID_SIGNED_DATA))
		goto out;
	if ((ret = eg_tlv_expect(&ci, 0xA0, &t)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&ci) != 0)
		goto out;
	sdv = t.value;
	if ((ret = eg_tlv_expect(&sdv, 0x30, &sdt)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&sdv) != 0)
		goto out;
	sdv = sdt.value;
	/* SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
	 *   certificates [0] OPTIONAL, crls [1] OPTIONAL, signerInfos SET } */
	if ((ret = eg_tlv_expect(&sdv, 0x02, &t)) != EG_OK ||
	    (ret = der_int(&t, &out->version)) != EG_OK ||
	    (ret = eg_tlv_expect(&sdv, 0x31, &t)) != EG_OK ||
	    (ret = eg_tlv_expect(&sdv, 0x30, &eci)) != EG_OK)
		goto out;
	e = eci.value;
	if ((ret = eg_tlv_expect(&e, 0x06, &oid)) != EG_OK)
		goto out;
	SPAN_VAL(out->econtent_type, oid);
	if ((ret = eg_tlv_expect(&e, 0xA0, &t)) != EG_OK)
		goto out;	/* detached content is not used by ICAO */
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&e) != 0)
		goto out;
	e = t.value;
	if ((ret = eg_tlv_expect(&e, 0x04, &t)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&e) != 0)
		goto out;
	SPAN_VAL(out->econtent, t);
	if (eg_rbuf_left(&sdv) > 0 && sdv.p[0] == 0xA0) {
		if ((ret = eg_tlv_read(&sdv, &t)) != EG_OK)
			goto out;
		SPAN_VAL(out->certs, t);
	}
	if (eg_rbuf_left(&sdv) > 0 && sdv.p[0] == 0xA1) {
		if ((ret = eg_tlv_read(&sdv, &t)) != EG_OK)
			goto out;
	}
	if ((ret = eg_tlv_expect(&sdv, 0x31, &sis)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&sdv) != 0)
		goto out;
	if ((ret = eg_tlv_expect(&sis.value, 0x30, &si)) != EG_OK)
		goto out;
	ret = EG_ERR_UNSUPPORTED;
	if (eg_rbuf_left(&sis.value) != 0)
		goto out;	/* ICAO: exactly one signerInfo */
	ret = parse_signer_info(out, si.value);
out:
	if (ret != EG_OK && out != NULL)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* ---- signer certificate ------------------------------------------------- */

static bool
sid_matches(const struct cms_signed_data *sd, const mbedtls_x509_crt *c)
{
	if (sd->sid_is_ski) {
		const uint8_t *ski;
		size_t n;

		return der_cert_ski(c, &ski, &n) == EG_OK && n == sd->sid_ski.len &&
		    memcmp(ski, sd->sid_ski.p, n) == 0;
	}
	/* issuer as the raw Name TLV, serial as INTEGER value bytes */
	return c->issuer_raw.len == sd->sid_issuer.len &&
	    memcmp(c->issuer_raw.p, sd->sid_issuer.p, c->issuer_raw.len) == 0 &&
	    c->serial.len == sd->sid_serial.len &&
	    memcmp(c->serial.p, sd->sid_serial.p, c->serial.len) == 0;
}

int
cms_signer_cert(const struct cms_signed_data *sd, mbedtls_x509_crt *crt)
{
	struct eg_rbuf b;
	struct eg_tlv t;
	int ret = EG_ERR_NOT_FOUND;

	if (sd == NULL || crt == NULL)
		return EG_ERR_INVAL;
	if (sd->certs.p == NULL)
		return EG_ERR_NOT_FOUND;
	b = eg_rbuf_init(sd->certs.p, sd->certs.len);
	while (eg_rbuf_left(&b) > 0) {
		mbedtls_x509_crt c;
		bool match;

		if (eg_tlv_read(&b, &t) != EG_OK || t.tag != 0x30)
			return EG_ERR_CERT;
		mbedtls_x509_crt_init(&c);
		if (mbedtls_x509_crt_parse_der(&c, t.raw, t.raw_len) != 0) {
			mbedtls_x509_crt_free(&c);
			return EG_ERR_CERT;
		}
		match = sid_matches(sd, &c);
		mbedtls_x509_crt_free(&c);
		if (match) {
			ret = mbedtls_x509_crt_parse_der(crt, t.raw, t.raw_len) == 0 ?
			    EG_OK : EG_ERR_CERT;
			break;
		}
	}
	return ret;
}

/* ---- signature ------------------------------------------------------------ */

struct sigalg {
	mbedtls_pk_type_t pk;	/* MBEDTLS_PK_RSA, MBEDTLS_PK_RSASSA_PSS, MBEDTLS_PK_ECDSA */
	mbedtls_md_type_t md;
	mbedtls_md_type_t mgf_md;
	int salt_len;
	bool plain;		/* ECDSA r||s by OID */
	const char *name;
};

#define OID_ECDSA_PLAIN "\x04\x00\x7f\x00\x07\x01\x01\x04\x01"	/* 0.4.0.127.0.7.1.1.4.1 */

static const struct {
	const char *oid;
	size_t len;
	struct sigalg a;
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
pss_params(const struct cms_signed_data *sd, struct sigalg *a)
{
	struct eg_rbuf b, in;
	struct eg_tlv seq, t, oid, params, oid2, params2;
	bool hp, hp2;
	long v;
	int ret;

	a->md = a->mgf_md = MBEDTLS_MD_SHA1;
	a->salt_len = 20;
	if (!sd->has_sig_params)
		return EG_OK;
	b = eg_rbuf_init(sd->sig_params.p, sd->sig_params.len);
	if ((ret = eg_tlv_expect(&b, 0x30, &seq)) != EG_OK)
		return EG_ERR_FORMAT;
	in = seq.value;
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA0) {
		if (eg_tlv_read(&in, &t) != EG_OK || der_alg(&t.value, &oid, &params, &hp) != EG_OK)
			return EG_ERR_FORMAT;
		a->md = der_md_from_oid(oid.value.p, eg_rbuf_left(&oid.value));
	}
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA1) {
		struct eg_rbuf pb;
		if (eg_tlv_read(&in, &t) != EG_OK || der_alg(&t.value, &oid, &params, &hp) != EG_OK ||
		    !hp || !DER_OID_IS(&oid, MBEDTLS_OID_MGF1))
			return EG_ERR_FORMAT;
		pb = eg_rbuf_init(params.raw, params.raw_len);
		if (der_alg(&pb, &oid2, &params2, &hp2) != EG_OK)
			return EG_ERR_FORMAT;
		a->mgf_md = der_md_from_oid(oid2.value.p, eg_rbuf_left(&oid2.value));
	}
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA2) {
		struct eg_tlv i;
		if (eg_tlv_read(&in, &t) != EG_OK || eg_tlv_expect(&t.value, 0x02, &i) != EG_OK ||
		    der_int(&i, &v) != EG_OK || v > 1024)
			return EG_ERR_FORMAT;
		a->salt_len = (int)v;
	}
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA3) {
		struct eg_tlv i;
		if (eg_tlv_read(&in, &t) != EG_OK || eg_tlv_expect(&t.value, 0x02, &i) != EG_OK ||
		    der_int(&i, &v) != EG_OK || v != 1)
			return EG_ERR_FORMAT;
	}
	if (eg_rbuf_left(&in) != 0)
		return EG_ERR_FORMAT;
	if (a->md == MBEDTLS_MD_NONE || a->mgf_md == MBEDTLS_MD_NONE)
		return EG_ERR_UNSUPPORTED;
	return EG_OK;
}

/* A DER ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s } and nothing else. */
static bool
is_der_ecdsa(const uint8_t *p, size_t n)
{
	struct eg_rbuf b = eg_rbuf_init(p, n), in;
	struct eg_tlv seq, r, s;

	if (eg_tlv_expect(&b, 0x30, &seq) != EG_OK || eg_rbuf_left(&b) != 0)
		return false;
	in = seq.value;
	return eg_tlv_expect(&in, 0x02, &r) == EG_OK && eg_tlv_expect(&in, 0x02, &s) == EG_OK &&
	    eg_rbuf_left(&in) == 0 && eg_rbuf_left(&r.value) > 0 && eg_rbuf_left(&s.value) > 0;
}

/* Append one unsigned big-endian integer as DER INTEGER. */
static size_t
put_uint(uint8_t *o, const uint8_t *v, size_t n)
{
	size_t k = 0;

	while (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	o[k++] = 0x02;
	o[k++] = (uint8_t)(n + (v[0] & 0x80 ? 1 : 0));
	if (v[0] & 0x80)
		o[k++] = 0;
	memcpy(o + k, v, n);
	return k + n;
}

/* Plain r||s (BSI TR-03111) -> DER. n is 2 * the group size (<= 2 * 66). */
static int
plain_to_der(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *olen)
{
	uint8_t body[2 * (66 + 3)];
	size_t h = n / 2, k;

	if (n == 0 || n % 2 != 0 || h > 66 || cap < sizeof(body) + 3)
		return EG_ERR_FORMAT;
	k = put_uint(body, p, h);
	k += put_uint(body + k, p + h, h);
	out[0] = 0x30;
	if (k < 0x80) {
		out[1] = (uint8_t)k;
		memcpy(out + 2, body, k);
		*olen = k + 2;
	} else {
		out[1] = 0x81;
		out[2] = (uint8_t)k;
		memcpy(out + 3, body, k);
		*olen = k + 3;
	}
	return EG_OK;
}

/* Hash what the signature covers: DER(signedAttrs) with the [0] IMPLICIT
 * tag replaced by SET (RFC 5652, 5.4), or eContent without attributes. */
static int
signed_hash(const struct cms_signed_data *sd, mbedtls_md_type_t md, uint8_t *h, size_t *hlen)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
	mbedtls_md_context_t ctx;
	static const uint8_t set_tag = 0x31;
	int ret = EG_ERR_CRYPTO;

	if (mi == NULL)
		return EG_ERR_UNSUPPORTED;
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, mi, 0) != 0 || mbedtls_md_starts(&ctx) != 0)
		goto out;
	if (sd->has_signed_attrs) {
		if (mbedtls_md_update(&ctx, &set_tag, 1) != 0 ||
		    mbedtls_md_update(&ctx, sd->signed_attrs.p + 1, sd->signed_attrs.len - 1) != 0)
			goto out;
	} else if (mbedtls_md_update(&ctx, sd->econtent.p, sd->econtent.len) != 0) {
		goto out;
	}
	if (mbedtls_md_finish(&ctx, h) != 0)
		goto out;
	*hlen = mbedtls_md_get_size(mi);
	ret = EG_OK;
out:
	mbedtls_md_free(&ctx);
	return ret;
}

int
cms_verify_signature(const struct cms_signed_data *sd, mbedtls_pk_context *pk,
    char *reason, size_t cap)
{
	struct sigalg a = { MBEDTLS_PK_NONE, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE, 0, false, "" };
	uint8_t h[MBEDTLS_MD_MAX_SIZE], dersig[MBEDTLS_ECDSA_MAX_LEN + 8];
	const uint8_t *sig;
	size_t hlen = 0, sig_len, dl = 0;
	bool plain = false;
	mbedtls_pk_type_t key = mbedtls_pk_get_type(pk);
	bool found = false;
	int ret = EG_ERR_UNSUPPORTED;

	snprintf(reason, cap, "unknown signature algorithm");
	for (size_t i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]); i++)
		if (sigalgs[i].len == sd->sig_alg.len &&
		    memcmp(sigalgs[i].oid, sd->sig_alg.p, sd->sig_alg.len) == 0) {
			a = sigalgs[i].a;
			found = true;
		}
	if (!found)
		goto out;
	if (a.pk == MBEDTLS_PK_RSASSA_PSS) {
		if ((ret = pss_params(sd, &a)) != EG_OK) {
			snprintf(reason, cap, "bad RSASSA-PSS parameters");
			goto out;
		}
	} else if (a.md == MBEDTLS_MD_NONE) {
		a.md = sd->digest_md;	/* rsaEncryption / id-ecPublicKey */
	}
	ret = EG_ERR_UNSUPPORTED;
	if ((a.pk == MBEDTLS_PK_ECDSA) != (key == MBEDTLS_PK_ECKEY || key == MBEDTLS_PK_ECDSA) ||
	    (a.pk != MBEDTLS_PK_ECDSA && key != MBEDTLS_PK_RSA)) {
		snprintf(reason, cap, "%s does not fit the signer's %s key", a.name,
		    mbedtls_pk_get_name(pk));
		goto out;
	}
	if ((ret = signed_hash(sd, a.md, h, &hlen)) != EG_OK) {
		snprintf(reason, cap, "hash failed");
		goto out;
	}
	sig = sd->signature.p;
	sig_len = sd->signature.len;
	if (a.pk == MBEDTLS_PK_ECDSA) {
		size_t gbytes = (mbedtls_pk_ec(*pk)->grp.pbits + 7) / 8;
		bool der = !a.plain && is_der_ecdsa(sig, sig_len);

		ret = EG_ERR_AUTH;
		if (der)
			ret = mbedtls_pk_verify(pk, a.md, h, hlen, sig, sig_len) == 0 ? EG_OK : EG_ERR_AUTH;
		/* plain r||s: by OID, or under an X9.62 OID as some chips do
		 * (also when the plain bytes happen to parse as DER) */
		if (ret != EG_OK && sig_len == 2 * gbytes &&
		    plain_to_der(sig, sig_len, dersig, sizeof(dersig), &dl) == EG_OK &&
		    mbedtls_pk_verify(pk, a.md, h, hlen, dersig, dl) == 0) {
			ret = EG_OK;
			plain = true;
		}
		if (ret != EG_OK && !der && sig_len != 2 * gbytes) {
			snprintf(reason, cap, "ECDSA signature is neither DER nor plain r||s of the curve size");
			goto out;
		}
	} else if (a.pk == MBEDTLS_PK_RSASSA_PSS) {
		mbedtls_pk_rsassa_pss_options o = { a.mgf_md, a.salt_len };
		ret = mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &o, pk, a.md, h, hlen,
		    sig, sig_len) == 0 ? EG_OK : EG_ERR_AUTH;
	} else {
		ret = mbedtls_pk_verify_ext(MBEDTLS_PK_RSA, NULL, pk, a.md, h, hlen,
		    sig, sig_len) == 0 ? EG_OK : EG_ERR_AUTH;
	}
	snprintf(reason, cap, "%s %s with %s%s", a.name, ret == EG_OK ? "valid" : "INVALID",
	    mbedtls_md_get_name(mbedtls_md_info_from_type(a.md)), plain ? " (plain r||s)" : "");
out:
	return ret;
}

int
cms_check_message_digest(const struct cms_signed_data *sd, char *reason, size_t cap)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(sd->digest_md);
	uint8_t h[MBEDTLS_MD_MAX_SIZE];
	size_t hl;

	if (!sd->has_signed_attrs) {
		snprintf(reason, cap, "no signed attributes");
		return EG_ERR_FORMAT;
	}
	if (sd->attr_message_digest.p == NULL || sd->attr_content_type.p == NULL) {
		snprintf(reason, cap, "signed attributes lack %s",
		    sd->attr_message_digest.p == NULL ? "messageDigest" : "contentType");
		return EG_ERR_FORMAT;
	}
	if (sd->attr_content_type.len != sd->econtent_type.len ||
	    memcmp(sd->attr_content_type.p, sd->econtent_type.p, sd->econtent_type.len) != 0) {
		snprintf(reason, cap, "contentType attribute differs from eContentType");
		return EG_ERR_AUTH;
	}
	if (mi == NULL || mbedtls_md(mi, sd->econtent.p, sd->econtent.len, h) != 0) {
		snprintf(reason, cap, "hash failed");
		return EG_ERR_CRYPTO;
	}
	hl = mbedtls_md_get_size(mi);
	if (sd->attr_message_digest.len != hl ||
	    memcmp(sd->attr_message_digest.p, h, hl) != 0) {
		snprintf(reason, cap, "messageDigest differs from the %s of the security object",
		    mbedtls_md_get_name(mi));
		return EG_ERR_AUTH;
	}
	snprintf(reason, cap, "messageDigest matches (%s)", mbedtls_md_get_name(mi));
	return EG_OK;
}
