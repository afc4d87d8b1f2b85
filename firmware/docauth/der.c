/* SPDX-License-Identifier: Apache-2.0 */
/* der.c — small DER helpers over eg_tlv (see der.h). */
#include <stdio.h>
#include <string.h>

#include <mbedtls/oid.h>

#include "egate/error.h"
#include "der.h"

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

	if ((ret = ber_expect(b, 0x30, &seq)) != EG_OK)
		return ret;
	in = seq.value;
	if ((ret = ber_expect(&in, 0x06, oid)) != EG_OK)
		goto fail;
	*has_params = false;
	if (eg_rbuf_left(&in) > 0) {
		if ((ret = ber_read(&in, params)) != EG_OK)
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
