/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cms.c — CMS SignedData as used by ICAO (EF.SOD, EF.CardSecurity, CSCA
 * master lists): parsing (BER tolerated) into borrowed spans, signer
 * certificate lookup, signature and message-digest verification. See cms.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "docauth/cms.h"
#include "der.h"
#include "sig.h"

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

		if ((ret = ber_expect(&in, 0x30, &attr)) != EG_OK)
			return ret;
		a = attr.value;
		if ((ret = ber_expect(&a, 0x06, &type)) != EG_OK ||
		    (ret = ber_expect(&a, 0x31, &values)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&a) != 0)
			return EG_ERR_FORMAT;
		vs = values.value;
		if (DER_OID_IS(&type, DER_OID_CONTENT_TYPE)) {
			if (sd->attr_content_type.p != NULL ||
			    (ret = ber_expect(&vs, 0x06, &v)) != EG_OK || eg_rbuf_left(&vs) != 0)
				return ret != EG_OK ? ret : EG_ERR_FORMAT;
			SPAN_VAL(sd->attr_content_type, v);
		} else if (DER_OID_IS(&type, DER_OID_MESSAGE_DIGEST)) {
			if (sd->attr_message_digest.p != NULL ||
			    (ret = ber_expect(&vs, 0x04, &v)) != EG_OK || eg_rbuf_left(&vs) != 0)
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

	if ((ret = ber_expect(&in, 0x02, &t)) != EG_OK ||
	    (ret = der_int(&t, &sd->si_version)) != EG_OK)
		return ret;
	if ((ret = ber_read(&in, &t)) != EG_OK)
		return ret;
	if (t.tag == 0x30) {		/* issuerAndSerialNumber */
		struct eg_rbuf s = t.value;

		if ((ret = ber_expect(&s, 0x30, &issuer)) != EG_OK ||
		    (ret = ber_expect(&s, 0x02, &serial)) != EG_OK)
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
		if ((ret = ber_read(&in, &t)) != EG_OK)
			return ret;
		sd->has_signed_attrs = true;
		sd->ber |= ber_is_indefinite(&t);
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
	if ((ret = ber_expect(&in, 0x04, &t)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&t.value) == 0)
		return EG_ERR_FORMAT;
	SPAN_VAL(sd->signature, t);
	if (eg_rbuf_left(&in) > 0) {	/* unsignedAttrs [1] */
		if ((ret = ber_expect(&in, 0xA1, &t)) != EG_OK)
			return ret;
	}
	return eg_rbuf_left(&in) == 0 ? EG_OK : EG_ERR_FORMAT;
}

void
cms_signed_data_free(struct cms_signed_data *sd)
{
	if (sd == NULL)
		return;
	free(sd->econtent_owned);
	memset(sd, 0, sizeof(*sd));
}

int
cms_parse(const uint8_t *der, size_t len, struct cms_signed_data *out)
{
	struct eg_rbuf b, ci, sdv, e;
	struct eg_tlv t, oid, sdt, eci, sis, si, outer;
	int ret;

	/* (eg_rbuf_init(NULL, 0) would compute NULL + 0: check first) */
	if (der == NULL || out == NULL)
		return EG_ERR_INVAL;
	b = eg_rbuf_init(der, len);
	memset(out, 0, sizeof(*out));
	/* ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content } */
	if ((ret = ber_expect(&b, 0x30, &outer)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&b) != 0)
		goto out;
	out->ber |= ber_is_indefinite(&outer);
	ci = outer.value;
	if ((ret = ber_expect(&ci, 0x06, &oid)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (!DER_OID_IS(&oid, DER_OID_SIGNED_DATA))
		goto out;
	if ((ret = ber_expect(&ci, 0xA0, &t)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&ci) != 0)
		goto out;
	out->ber |= ber_is_indefinite(&t);
	sdv = t.value;
	if ((ret = ber_expect(&sdv, 0x30, &sdt)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&sdv) != 0)
		goto out;
	out->ber |= ber_is_indefinite(&sdt);
	sdv = sdt.value;
	/* SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
	 *   certificates [0] OPTIONAL, crls [1] OPTIONAL, signerInfos SET } */
	if ((ret = ber_expect(&sdv, 0x02, &t)) != EG_OK ||
	    (ret = der_int(&t, &out->version)) != EG_OK ||
	    (ret = ber_expect(&sdv, 0x31, &t)) != EG_OK ||
	    (ret = ber_expect(&sdv, 0x30, &eci)) != EG_OK)
		goto out;
	out->ber |= ber_is_indefinite(&eci);
	e = eci.value;
	if ((ret = ber_expect(&e, 0x06, &oid)) != EG_OK)
		goto out;
	SPAN_VAL(out->econtent_type, oid);
	if ((ret = ber_expect(&e, 0xA0, &t)) != EG_OK)
		goto out;	/* detached content is not used by ICAO */
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&e) != 0)
		goto out;
	out->ber |= ber_is_indefinite(&t);
	e = t.value;
	if ((ret = ber_read(&e, &t)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&e) != 0)
		goto out;
	if ((ret = ber_octets(&t, &out->econtent.p, &out->econtent.len,
	    &out->econtent_owned)) != EG_OK)
		goto out;
	out->ber |= t.tag == 0x24;
	if (eg_rbuf_left(&sdv) > 0 && sdv.p[0] == 0xA0) {
		if ((ret = ber_read(&sdv, &t)) != EG_OK)
			goto out;
		out->ber |= ber_is_indefinite(&t);
		SPAN_VAL(out->certs, t);
	}
	if (eg_rbuf_left(&sdv) > 0 && sdv.p[0] == 0xA1) {
		if ((ret = ber_read(&sdv, &t)) != EG_OK)
			goto out;
	}
	if ((ret = ber_expect(&sdv, 0x31, &sis)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&sdv) != 0)
		goto out;
	out->ber |= ber_is_indefinite(&sis);
	if ((ret = ber_expect(&sis.value, 0x30, &si)) != EG_OK)
		goto out;
	ret = EG_ERR_UNSUPPORTED;
	if (eg_rbuf_left(&sis.value) != 0)
		goto out;	/* ICAO: exactly one signerInfo */
	out->ber |= ber_is_indefinite(&si);
	ret = parse_signer_info(out, si.value);
out:
	if (ret != EG_OK)
		cms_signed_data_free(out);
	return ret;
}

/* ---- signer certificate ------------------------------------------------- */

static bool
serial_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	while (an > 1 && a[0] == 0) {
		a++;
		an--;
	}
	while (bn > 1 && b[0] == 0) {
		b++;
		bn--;
	}
	return an == bn && memcmp(a, b, an) == 0;
}

static bool
sid_matches(const struct cms_signed_data *sd, const struct cert_name *sid_issuer,
    const struct cert *c)
{
	if (sd->sid_is_ski)
		return c->ski.len == sd->sid_ski.len && c->ski.len > 0 &&
		    memcmp(c->ski.p, sd->sid_ski.p, c->ski.len) == 0;
	if (!serial_eq(c->serial.p, c->serial.len, sd->sid_serial.p, sd->sid_serial.len))
		return false;
	/* some signers write the issuer with its RDNs in another order than
	 * the certificate does (seen in Malaysian passports) */
	return cert_name_eq(sid_issuer, &c->issuer) || cert_name_eq_any_order(sid_issuer, &c->issuer);
}

int
cms_signer_cert(const struct cms_signed_data *sd, struct cert **out, int *why)
{
	struct cert_name sid_issuer;
	struct eg_rbuf b;
	struct eg_tlv t;
	int ret = EG_ERR_NOT_FOUND;

	if (why != NULL)
		*why = EG_OK;
	if (sd == NULL || out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (sd->certs.p == NULL)
		return EG_ERR_NOT_FOUND;
	memset(&sid_issuer, 0, sizeof(sid_issuer));
	if (!sd->sid_is_ski &&
	    cert_name_parse(sd->sid_issuer.p, sd->sid_issuer.len, &sid_issuer) != EG_OK)
		return EG_ERR_NOT_FOUND;
	b = eg_rbuf_init(sd->certs.p, sd->certs.len);
	while (eg_rbuf_left(&b) > 0) {
		struct cert *c = NULL;
		int r;

		if (ber_read(&b, &t) != EG_OK)
			break;
		if (t.tag != 0x30)
			continue;	/* other CertificateChoices */
		if ((r = cert_parse(t.raw, t.raw_len, &c)) != EG_OK) {
			/* a certificate we cannot parse may be the signer's: if
			 * no other matches, say so rather than "not found" */
			if (ret == EG_ERR_NOT_FOUND) {
				ret = EG_ERR_CERT;
				if (why != NULL)
					*why = r;
			}
			continue;
		}
		if (sid_matches(sd, &sid_issuer, c)) {
			*out = c;
			if (why != NULL)
				*why = EG_OK;
			return EG_OK;
		}
		cert_free(&c);
	}
	return ret;
}

/* ---- signature ------------------------------------------------------------ */

/* Hash what the signature covers: signedAttrs as received with the [0]
 * IMPLICIT tag byte replaced by SET (RFC 5652, 5.4), or eContent without
 * attributes. */
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
	struct sig_alg a;
	uint8_t h[MBEDTLS_MD_MAX_SIZE];
	size_t hlen = 0;
	bool plain = false;
	int ret;

	if (sd == NULL || pk == NULL)
		return EG_ERR_INVAL;
	ret = sig_alg_resolve(sd->sig_alg.p, sd->sig_alg.len,
	    sd->has_sig_params ? sd->sig_params.p : NULL, sd->sig_params.len, sd->digest_md, &a);
	if (ret != EG_OK) {
		snprintf(reason, cap, ret == EG_ERR_FORMAT ? "bad RSASSA-PSS parameters" :
		    "unknown signature algorithm");
		return ret;
	}
	if ((ret = signed_hash(sd, a.md, h, &hlen)) != EG_OK) {
		snprintf(reason, cap, "hash failed");
		return ret;
	}
	ret = sig_verify_hash(&a, pk, h, hlen, sd->signature.p, sd->signature.len, 0, &plain);
	sig_reason(&a, ret, plain, pk, reason, cap);
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
