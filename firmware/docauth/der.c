/* SPDX-License-Identifier: Apache-2.0 */
/* der.c — small DER helpers over eg_tlv (see der.h). */
#include <stdio.h>
#include <string.h>

#include <mbedtls/oid.h>

#include "egate/error.h"
#include "der.h"

const mbedtls_x509_crt_profile der_x509_profile = {
	.allowed_mds = MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA1) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA224) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
	.allowed_pks = 0x0FFFFFFF,
	.allowed_curves = 0x0FFFFFFF,
	.rsa_min_bitlen = 2048,
};

bool
der_oid_eq(const struct eg_tlv *t, const char *o, size_t olen)
{
	return t->tag == 0x06 && eg_rbuf_left(&t->value) == olen &&
	    memcmp(t->value.p, o, olen) == 0;
}

int
der_oid_str(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t pos = 0, i = 0;
	bool first = true;
	int w;

	if (n == 0 || cap == 0)
		return EG_ERR_FORMAT;
	out[0] = '\0';
	while (i < n) {
		unsigned long v = 0;
		size_t start = i;

		do {
			if (i >= n || i - start >= 8 || (i == start && p[i] == 0x80))
				return EG_ERR_FORMAT;
			v = (v << 7) | (p[i] & 0x7F);
		} while (p[i++] & 0x80);
		if (first) {
			unsigned long a = v < 80 ? v / 40 : 2;
			w = snprintf(out + pos, cap - pos, "%lu.%lu", a, v - a * 40);
			first = false;
		} else {
			w = snprintf(out + pos, cap - pos, ".%lu", v);
		}
		if (w < 0 || (size_t)w >= cap - pos)
			return EG_ERR_OVERFLOW;
		pos += (size_t)w;
	}
	return EG_OK;
}

int
der_int(const struct eg_tlv *t, long *v)
{
	size_t n = eg_rbuf_left(&t->value);
	long r = 0;

	if (t->tag != 0x02 || n == 0 || n > 4 || (t->value.p[0] & 0x80))
		return EG_ERR_FORMAT;
	for (size_t i = 0; i < n; i++)
		r = (r << 8) | t->value.p[i];
	*v = r;
	return EG_OK;
}

static const struct {
	const char *oid;
	size_t len;
	mbedtls_md_type_t md;
} md_oids[] = {
	{ MBEDTLS_OID_DIGEST_ALG_SHA1, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA1), MBEDTLS_MD_SHA1 },
	{ MBEDTLS_OID_DIGEST_ALG_SHA224, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA224), MBEDTLS_MD_SHA224 },
	{ MBEDTLS_OID_DIGEST_ALG_SHA256, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA256), MBEDTLS_MD_SHA256 },
	{ MBEDTLS_OID_DIGEST_ALG_SHA384, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA384), MBEDTLS_MD_SHA384 },
	{ MBEDTLS_OID_DIGEST_ALG_SHA512, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA512), MBEDTLS_MD_SHA512 },
};

mbedtls_md_type_t
der_md_from_oid(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < sizeof(md_oids) / sizeof(md_oids[0]); i++)
		if (md_oids[i].len == n && memcmp(md_oids[i].oid, p, n) == 0)
			return md_oids[i].md;
	return MBEDTLS_MD_NONE;
}

int
der_alg(struct eg_rbuf *b, struct eg_tlv *oid, struct eg_tlv *params, bool *has_params)
{
	struct eg_rbuf save = *b;
	struct eg_tlv seq;
	struct eg_rbuf in;
	int ret;

	if ((ret = eg_tlv_expect(b, 0x30, &seq)) != EG_OK)
		return ret;
	in = seq.value;
	if ((ret = eg_tlv_expect(&in, 0x06, oid)) != EG_OK)
		goto fail;
	*has_params = false;
	if (eg_rbuf_left(&in) > 0) {
		if ((ret = eg_tlv_read(&in, params)) != EG_OK)
			goto fail;
		*has_params = true;
	}
	if (eg_rbuf_left(&in) != 0) {
		ret = EG_ERR_FORMAT;
		goto fail;
	}
	return EG_OK;
fail:
	*b = save;
	return ret;
}

int
der_time_cmp(const mbedtls_x509_time *xt, time_t t)
{
	struct tm tm;
	int a[6], c[6];

	gmtime_r(&t, &tm);
	a[0] = xt->year; a[1] = xt->mon; a[2] = xt->day;
	a[3] = xt->hour; a[4] = xt->min; a[5] = xt->sec;
	c[0] = tm.tm_year + 1900; c[1] = tm.tm_mon + 1; c[2] = tm.tm_mday;
	c[3] = tm.tm_hour; c[4] = tm.tm_min; c[5] = tm.tm_sec;
	for (int i = 0; i < 6; i++)
		if (a[i] != c[i])
			return a[i] < c[i] ? -1 : 1;
	return 0;
}

void
der_time_str(const mbedtls_x509_time *xt, char out[21])
{
	unsigned y = (unsigned)xt->year % 10000u, mo = (unsigned)xt->mon % 100u,
	    d = (unsigned)xt->day % 100u, h = (unsigned)xt->hour % 100u,
	    mi = (unsigned)xt->min % 100u, s = (unsigned)xt->sec % 100u;

	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, h, mi, s);
}

/* Walk the DER of the extensions for SEQUENCE { OID 2.5.29.14, [critical],
 * OCTET STRING { OCTET STRING ski } }. */
static bool
find_ski(struct eg_rbuf b, const uint8_t **ski, size_t *n, int depth)
{
	static const char oid_ski[] = "\x55\x1d\x0e";
	struct eg_tlv t;

	while (eg_rbuf_left(&b) > 0 && eg_tlv_read(&b, &t) == EG_OK) {
		if (t.tag == 0x30) {
			struct eg_rbuf in = t.value;
			struct eg_tlv oid, v, inner;

			if (eg_tlv_read(&in, &oid) == EG_OK && DER_OID_IS(&oid, oid_ski)) {
				if (eg_rbuf_left(&in) > 0 && in.p[0] == 0x01 &&
				    eg_tlv_read(&in, &v) != EG_OK)
					return false;
				if (eg_tlv_expect(&in, 0x04, &v) != EG_OK ||
				    eg_tlv_expect(&v.value, 0x04, &inner) != EG_OK)
					return false;
				*ski = inner.value.p;
				*n = eg_rbuf_left(&inner.value);
				return true;
			}
			if (depth < 3 && find_ski(t.value, ski, n, depth + 1))
				return true;
		} else if (t.tag == 0xA3 && depth < 3 && find_ski(t.value, ski, n, depth + 1)) {
			return true;
		}
	}
	return false;
}

int
der_cert_ski(const mbedtls_x509_crt *c, const uint8_t **ski, size_t *n)
{
	struct eg_rbuf ext;

	if (c->v3_ext.p == NULL)
		return EG_ERR_NOT_FOUND;
	ext = eg_rbuf_init(c->v3_ext.p, c->v3_ext.len);
	return find_ski(ext, ski, n, 0) ? EG_OK : EG_ERR_NOT_FOUND;
}
