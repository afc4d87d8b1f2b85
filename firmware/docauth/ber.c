/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ber.c — the BER that real documents use (see der.h): indefinite lengths
 * (some states' EF.SOD, CMS written by Java and .NET toolkits), long-form
 * lengths with leading zeros, constructed OCTET STRINGs, and X.509 times.
 * Everything is read through eg_rbuf; nothing is re-encoded, so a
 * signature is always checked over the bytes exactly as received.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "der.h"

static int
read_tag(struct eg_rbuf *b, uint32_t *tag, bool *constructed)
{
	uint8_t c;
	uint32_t t;
	int r;

	if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
		return r;
	*constructed = (c & 0x20) != 0;
	t = c;
	if ((c & 0x1f) == 0x1f) {
		for (int i = 1;; i++) {
			if (i == 4)
				return EG_ERR_FORMAT;
			if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
				return r;
			t = (t << 8) | c;
			if ((c & 0x80) == 0)
				break;
		}
	}
	*tag = t;
	return EG_OK;
}

/* *indef set for the 0x80 form; leading zero length bytes are accepted. */
static int
read_len(struct eg_rbuf *b, size_t *len, bool *indef)
{
	uint8_t c, n;
	size_t v = 0;
	int r;

	*indef = false;
	if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
		return r;
	if (c < 0x80) {
		*len = c;
		return EG_OK;
	}
	n = c & 0x7f;
	if (n == 0) {
		*indef = true;
		*len = 0;
		return EG_OK;
	}
	if (n > 4)
		return EG_ERR_OVERFLOW;
	for (uint8_t i = 0; i < n; i++) {
		if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
			return r;
		v = (v << 8) | c;
	}
	if (v > EG_TLV_MAX_LEN)
		return EG_ERR_OVERFLOW;
	*len = v;
	return EG_OK;
}

static int ber_read_depth(struct eg_rbuf *b, struct eg_tlv *out, int depth);

/* Skip the TLVs of an indefinite-length value up to and including the
 * end-of-contents octets; *end_of_value is where they begin. */
static int
skip_indefinite(struct eg_rbuf *c, const uint8_t **end_of_value, int depth)
{
	struct eg_tlv t;
	int r;

	for (;;) {
		if (eg_rbuf_left(c) < 2)
			return EG_ERR_TRUNCATED;
		if (c->p[0] == 0x00 && c->p[1] == 0x00) {
			*end_of_value = c->p;
			c->p += 2;
			return EG_OK;
		}
		if ((r = ber_read_depth(c, &t, depth + 1)) != EG_OK)
			return r == EG_ERR_TRUNCATED ? EG_ERR_TRUNCATED : r;
	}
}

static int
ber_read_depth(struct eg_rbuf *b, struct eg_tlv *out, int depth)
{
	struct eg_rbuf c = *b;
	struct eg_tlv t;
	const uint8_t *vstart, *vend = NULL;
	size_t len;
	bool indef;
	int r;

	if (depth > BER_MAX_DEPTH)
		return EG_ERR_FORMAT;
	t.raw = c.p;
	if ((r = read_tag(&c, &t.tag, &t.constructed)) != EG_OK)
		return r;
	if (t.tag == 0x00)
		return EG_ERR_FORMAT;	/* end-of-contents where a TLV belongs */
	if ((r = read_len(&c, &len, &indef)) != EG_OK)
		return r;
	if (!indef) {
		if ((r = eg_rbuf_sub(&c, len, &t.value)) != EG_OK)
			return r;
	} else {
		if (!t.constructed)
			return EG_ERR_FORMAT;
		vstart = c.p;
		if ((r = skip_indefinite(&c, &vend, depth)) != EG_OK)
			return r;
		t.value = eg_rbuf_init(vstart, (size_t)(vend - vstart));
	}
	t.raw_len = (size_t)(c.p - t.raw);
	*b = c;
	*out = t;
	return EG_OK;
}

int
ber_read(struct eg_rbuf *b, struct eg_tlv *out)
{
	if (b == NULL || out == NULL)
		return EG_ERR_INVAL;
	return ber_read_depth(b, out, 0);
}

int
ber_expect(struct eg_rbuf *b, uint32_t tag, struct eg_tlv *out)
{
	struct eg_rbuf c = *b;
	int r;

	if ((r = ber_read(&c, out)) != EG_OK)
		return r;
	if (out->tag != tag)
		return EG_ERR_FORMAT;
	*b = c;
	return EG_OK;
}

bool
ber_is_indefinite(const struct eg_tlv *t)
{
	/* the length octet right after the tag is 0x80 */
	size_t tl = 1;

	if ((t->raw[0] & 0x1f) == 0x1f)
		while (tl < t->raw_len && (t->raw[tl++] & 0x80) != 0)
			;
	return tl < t->raw_len && t->raw[tl] == 0x80;
}

/* Append the segments of a constructed OCTET STRING (depth-limited). */
static int
gather(struct eg_rbuf in, struct eg_wbuf *w, int depth)
{
	struct eg_tlv t;
	int r;

	if (depth > BER_MAX_DEPTH)
		return EG_ERR_FORMAT;
	while (eg_rbuf_left(&in) > 0) {
		if ((r = ber_read(&in, &t)) != EG_OK)
			return r;
		if (t.tag == 0x04) {
			if ((r = eg_wbuf_put(w, t.value.p, eg_rbuf_left(&t.value))) != EG_OK)
				return r;
		} else if (t.tag == 0x24) {
			if ((r = gather(t.value, w, depth + 1)) != EG_OK)
				return r;
		} else {
			return EG_ERR_FORMAT;
		}
	}
	return EG_OK;
}

int
ber_octets(const struct eg_tlv *t, const uint8_t **p, size_t *n, uint8_t **owned)
{
	struct eg_wbuf w;
	int r;

	*owned = NULL;
	if (t->tag == 0x04) {
		*p = t->value.p;
		*n = eg_rbuf_left(&t->value);
		return EG_OK;
	}
	if (t->tag != 0x24)
		return EG_ERR_FORMAT;
	eg_wbuf_init(&w, EG_TLV_MAX_LEN, false);
	if ((r = gather(t->value, &w, 0)) != EG_OK) {
		eg_wbuf_free(&w);
		return r;
	}
	if (w.len == 0) {
		/* an empty constructed string: a one-byte buffer so *p is valid */
		if ((r = eg_wbuf_u8(&w, 0)) != EG_OK) {
			eg_wbuf_free(&w);
			return r;
		}
		w.len = 0;
	}
	*owned = w.data;	/* the wbuf's heap memory is ours now */
	*p = w.data;
	*n = w.len;
	return EG_OK;
}

/* ---- time ------------------------------------------------------------------- */

static int
digits(const uint8_t *p, size_t n, int *v)
{
	int x = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return EG_ERR_FORMAT;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return EG_OK;
}

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
der_time_parse(const struct eg_tlv *t, int64_t *out)
{
	const uint8_t *p = t->value.p;
	size_t n = eg_rbuf_left(&t->value), k;
	int y, mo, d, h, mi, s = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (t->tag == 0x17) {		/* UTCTime YYMMDDhhmm[ss]Z */
		if ((n != 11 && n != 13) || digits(p, 2, &y) != EG_OK)
			return EG_ERR_FORMAT;
		y += y < 50 ? 2000 : 1900;
		k = 2;
	} else if (t->tag == 0x18) {	/* GeneralizedTime YYYYMMDDhhmm[ss[.f*]]Z */
		if (n < 13 || digits(p, 4, &y) != EG_OK)
			return EG_ERR_FORMAT;
		k = 4;
	} else {
		return EG_ERR_FORMAT;
	}
	if (digits(p + k, 2, &mo) != EG_OK || digits(p + k + 2, 2, &d) != EG_OK ||
	    digits(p + k + 4, 2, &h) != EG_OK || digits(p + k + 6, 2, &mi) != EG_OK)
		return EG_ERR_FORMAT;
	k += 8;
	if (k + 1 < n || (k + 1 == n && p[k] != 'Z')) {
		if (digits(p + k, 2, &s) != EG_OK)
			return EG_ERR_FORMAT;
		k += 2;
		if (t->tag == 0x18 && k < n && (p[k] == '.' || p[k] == ',')) {
			for (k++; k < n && p[k] >= '0' && p[k] <= '9'; k++)
				;
		}
	}
	if (k + 1 != n || p[k] != 'Z')
		return EG_ERR_FORMAT;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60)
		return EG_ERR_FORMAT;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return EG_OK;
}

void
der_time_fmt(int64_t t, char out[21])
{
	int64_t z = (t >= 0 ? t : t - 86399) / 86400, secs = t - z * 86400;
	int64_t era, doe, yoe, y, doy, mp, d, m;

	/* civil_from_days (H. Hinnant) */
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)((y % 10000 + 10000) % 10000),
	    (unsigned)m % 13u, (unsigned)d % 32u, (unsigned)(secs / 3600) % 24u,
	    (unsigned)(secs / 60 % 60) % 60u, (unsigned)(secs % 60) % 60u);
}
