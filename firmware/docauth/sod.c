/* SPDX-License-Identifier: Apache-2.0 */
/* sod.c — EF.SOD and the LDSSecurityObject (Doc 9303 Part 10, 4.6.2). */
#include <string.h>

#include "egate/error.h"
#include "docauth/sod.h"
#include "der.h"

/* LDSSecurityObject ::= SEQUENCE { version INTEGER, hashAlgorithm
 *   AlgorithmIdentifier, dataGroupHashValues SEQUENCE SIZE (2..16) OF
 *   DataGroupHash, ldsVersionInfo LDSVersionInfo OPTIONAL } */
static int
parse_lds_so(struct sod *s)
{
	struct eg_rbuf b = eg_rbuf_init(s->cms.econtent.p, s->cms.econtent.len), in, hs;
	struct eg_tlv seq, t, oid, params;
	const mbedtls_md_info_t *mi;
	bool hp;
	int ret;

	if ((ret = ber_expect(&b, 0x30, &seq)) != EG_OK)
		return ret;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	in = seq.value;
	if ((ret = ber_expect(&in, 0x02, &t)) != EG_OK ||
	    (ret = der_int(&t, &s->lds_so_version)) != EG_OK)
		return ret;
	if (s->lds_so_version > 1)
		return EG_ERR_FORMAT;
	if ((ret = der_alg(&in, &oid, &params, &hp)) != EG_OK)
		return ret;
	s->hash_md = der_md_from_oid(oid.value.p, eg_rbuf_left(&oid.value));
	if ((mi = mbedtls_md_info_from_type(s->hash_md)) == NULL)
		return EG_ERR_UNSUPPORTED;
	if ((ret = ber_expect(&in, 0x30, &t)) != EG_OK)
		return ret;
	hs = t.value;
	while (eg_rbuf_left(&hs) > 0) {
		struct eg_tlv dgh, num, h;
		struct eg_rbuf e;
		long dg;

		if ((ret = ber_expect(&hs, 0x30, &dgh)) != EG_OK)
			return ret;
		e = dgh.value;
		if ((ret = ber_expect(&e, 0x02, &num)) != EG_OK ||
		    (ret = der_int(&num, &dg)) != EG_OK ||
		    (ret = ber_expect(&e, 0x04, &h)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&e) != 0 || dg < 1 || dg > LDS_MAX_DG ||
		    (s->dg_mask & (1u << dg)) ||
		    eg_rbuf_left(&h.value) != mbedtls_md_get_size(mi))
			return EG_ERR_FORMAT;
		if (s->n_dg == LDS_MAX_DG)
			return EG_ERR_OVERFLOW;
		s->dg[s->n_dg].dg = (int)dg;
		s->dg[s->n_dg].hash = h.value.p;
		s->dg[s->n_dg].len = eg_rbuf_left(&h.value);
		s->n_dg++;
		s->dg_mask |= 1u << dg;
	}
	if (s->n_dg == 0)
		return EG_ERR_FORMAT;
	/* LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString (SIZE(4)),
	 *   unicodeVersion PrintableString (SIZE(6)) }, present exactly in v1 */
	if (s->lds_so_version == 1) {
		struct eg_tlv lv, uv;
		struct eg_rbuf vi;

		if ((ret = ber_expect(&in, 0x30, &t)) != EG_OK)
			return ret;
		vi = t.value;
		if ((ret = ber_expect(&vi, 0x13, &lv)) != EG_OK ||
		    (ret = ber_expect(&vi, 0x13, &uv)) != EG_OK)
			return ret;
		if (eg_rbuf_left(&vi) != 0 || eg_rbuf_left(&lv.value) != 4 ||
		    eg_rbuf_left(&uv.value) != 6)
			return EG_ERR_FORMAT;
		memcpy(s->lds_version, lv.value.p, 4);
		memcpy(s->unicode_version, uv.value.p, 6);
		for (int i = 0; i < 4; i++)
			if (s->lds_version[i] < '0' || s->lds_version[i] > '9')
				return EG_ERR_FORMAT;
		for (int i = 0; i < 6; i++)
			if (s->unicode_version[i] < '0' || s->unicode_version[i] > '9')
				return EG_ERR_FORMAT;
	}
	return eg_rbuf_left(&in) == 0 ? EG_OK : EG_ERR_FORMAT;
}

static bool
lds_so_type(const struct cms_span *t, bool *standard)
{
	/* 2.23.136.1.1.1; older documents: 1.3.27.1.1.1 (early Belgian and
	 * French chips), 1.2.528.1.1006.1.20.1 (Dutch, Sdu) and id-data
	 * (1.2.840.113549.1.7.1, Chinese passports) */
	static const struct {
		const char *oid;
		size_t len;
	} legacy[] = {
		{ DER_OID_LDS_SO_LEGACY, DER_OID_LEN(DER_OID_LDS_SO_LEGACY) },
		{ "\x2a\x84\x10\x01\x87\x6e\x01\x14\x01", 9 },
		{ "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 9 },
	};

	*standard = t->len == DER_OID_LEN(DER_OID_LDS_SO) &&
	    memcmp(t->p, DER_OID_LDS_SO, t->len) == 0;
	if (*standard)
		return true;
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
		if (legacy[i].len == t->len && memcmp(legacy[i].oid, t->p, t->len) == 0)
			return true;
	return false;
}

int
sod_parse(const uint8_t *data, size_t len, struct sod *out)
{
	struct eg_rbuf b;
	struct eg_tlv t;
	bool standard;
	int ret;

	if (data == NULL || out == NULL)
		return EG_ERR_INVAL;
	b = eg_rbuf_init(data, len);
	memset(out, 0, sizeof(*out));
	if ((ret = ber_expect(&b, LDS_TAG_SOD, &t)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (eg_rbuf_left(&b) != 0)
		goto out;
	if ((ret = cms_parse(t.value.p, eg_rbuf_left(&t.value), &out->cms)) != EG_OK)
		goto out;
	out->cms.ber |= ber_is_indefinite(&t);
	ret = EG_ERR_FORMAT;
	if (!lds_so_type(&out->cms.econtent_type, &standard))
		goto out;
	out->legacy_content_type = !standard;
	ret = parse_lds_so(out);
out:
	if (ret != EG_OK && out != NULL)
		sod_free(out);
	return ret;
}

void
sod_free(struct sod *s)
{
	if (s == NULL)
		return;
	cms_signed_data_free(&s->cms);
	memset(s, 0, sizeof(*s));
}

const struct sod_dg_hash *
sod_find_dg(const struct sod *s, int dg)
{
	for (size_t i = 0; s != NULL && i < s->n_dg; i++)
		if (s->dg[i].dg == dg)
			return &s->dg[i];
	return NULL;
}
