/* SPDX-License-Identifier: Apache-2.0 */
/* cert.c — X.509 certificates and names of the eMRTD PKI (see cert.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "egate/error.h"
#include "docauth/cert.h"
#include "der.h"
#include "sig.h"

#define RSA_MIN_BITS	2048	/* for certificate signatures, as ICAO Part 12 */
#define NORM_MAX	512	/* longer attribute values are compared byte for byte */

/* ---- names ---------------------------------------------------------------------- */

int
cert_name_parse(const uint8_t *der, size_t len, struct cert_name *out)
{
	struct eg_rbuf b, in;
	struct eg_tlv name;
	int r;

	if (der == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	b = eg_rbuf_init(der, len);
	if ((r = ber_expect(&b, 0x30, &name)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	out->raw.p = name.raw;
	out->raw.len = name.raw_len;
	in = name.value;
	while (eg_rbuf_left(&in) > 0) {
		struct eg_tlv rdn;
		struct eg_rbuf set;

		if ((r = ber_expect(&in, 0x31, &rdn)) != EG_OK)
			return r;
		set = rdn.value;
		if (eg_rbuf_left(&set) == 0)
			return EG_ERR_FORMAT;	/* an RDN has at least one attribute */
		while (eg_rbuf_left(&set) > 0) {
			struct eg_tlv ava, type, val;
			struct eg_rbuf a;
			struct cert_ava *v;

			if ((r = ber_expect(&set, 0x30, &ava)) != EG_OK)
				return r;
			a = ava.value;
			if ((r = ber_expect(&a, 0x06, &type)) != EG_OK || (r = ber_read(&a, &val)) != EG_OK)
				return r;
			if (eg_rbuf_left(&a) != 0 || eg_rbuf_left(&type.value) == 0 ||
			    val.tag > 0xff)
				return EG_ERR_FORMAT;
			if (out->n == CERT_NAME_MAX)
				return EG_ERR_OVERFLOW;
			v = &out->ava[out->n++];
			v->rdn = out->n_rdn;
			v->type.p = type.value.p;
			v->type.len = eg_rbuf_left(&type.value);
			v->tag = (uint8_t)val.tag;
			v->value.p = val.value.p;
			v->value.len = eg_rbuf_left(&val.value);
		}
		out->n_rdn++;
	}
	return EG_OK;
}

static size_t
put_utf8(uint8_t *o, size_t k, size_t cap, uint32_t c)
{
	uint8_t b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (uint8_t)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (uint8_t)(0xC0 | (c >> 6));
		b[1] = (uint8_t)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (uint8_t)(0xE0 | (c >> 12));
		b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (uint8_t)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | ((c >> 18) & 0x07));
		b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (uint8_t)(0x80 | (c & 0x3F));
		n = 4;
	}
	if (k + n > cap)
		return cap + 1;
	memcpy(o + k, b, n);
	return k + n;
}

/*
 * The comparison form of a value: BMPString and UniversalString as UTF-8,
 * then leading and trailing spaces dropped, inner runs of white space as
 * one space, ASCII letters lower-cased. Returns the length, or
 * (size_t)-1 if the value does not fit (then compare raw bytes).
 */
static size_t
norm(const struct cert_ava *v, uint8_t *o, size_t cap)
{
	uint8_t u[NORM_MAX];
	size_t n = 0, k = 0;
	bool space = false;

	if (v->tag == 0x1E || v->tag == 0x1C) {
		size_t w = v->tag == 0x1E ? 2 : 4;

		if (v->value.len % w != 0)
			return (size_t)-1;
		for (size_t i = 0; i < v->value.len && n <= sizeof(u); i += w) {
			uint32_t c = 0;

			for (size_t j = 0; j < w; j++)
				c = (c << 8) | v->value.p[i + j];
			n = put_utf8(u, n, sizeof(u), c);
		}
		if (n > sizeof(u))
			return (size_t)-1;
	} else {
		if (v->value.len > sizeof(u))
			return (size_t)-1;
		memcpy(u, v->value.p, v->value.len);
		n = v->value.len;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t c = u[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = k > 0;
			continue;
		}
		if (space) {
			if (k == cap)
				return (size_t)-1;
			o[k++] = ' ';
			space = false;
		}
		if (k == cap)
			return (size_t)-1;
		o[k++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return k;
}

static bool
ava_eq(const struct cert_ava *a, const struct cert_ava *b)
{
	uint8_t x[NORM_MAX], y[NORM_MAX];
	size_t nx, ny;

	if (a->type.len != b->type.len || memcmp(a->type.p, b->type.p, a->type.len) != 0)
		return false;
	nx = norm(a, x, sizeof(x));
	ny = norm(b, y, sizeof(y));
	if (nx == (size_t)-1 || ny == (size_t)-1)
		return a->value.len == b->value.len && a->tag == b->tag &&
		    memcmp(a->value.p, b->value.p, a->value.len) == 0;
	return nx == ny && memcmp(x, y, nx) == 0;
}

/* Are the attributes of a (those with rdn ra, or all if ra < 0) a
 * permutation of those of b (rdn rb, or all)? */
static bool
ava_sets_eq(const struct cert_name *a, int ra, const struct cert_name *b, int rb)
{
	bool used[CERT_NAME_MAX] = { false };
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < a->n; i++)
		na += ra < 0 || a->ava[i].rdn == (unsigned)ra;
	for (size_t j = 0; j < b->n; j++)
		nb += rb < 0 || b->ava[j].rdn == (unsigned)rb;
	if (na != nb)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		bool found = false;

		if (ra >= 0 && a->ava[i].rdn != (unsigned)ra)
			continue;
		for (size_t j = 0; j < b->n && !found; j++) {
			if (used[j] || (rb >= 0 && b->ava[j].rdn != (unsigned)rb))
				continue;
			if (ava_eq(&a->ava[i], &b->ava[j]))
				used[j] = found = true;
		}
		if (!found)
			return false;
	}
	return true;
}

bool
cert_name_eq(const struct cert_name *a, const struct cert_name *b)
{
	if (a == NULL || b == NULL || a->n_rdn != b->n_rdn || a->n != b->n)
		return false;
	if (a->raw.len == b->raw.len && a->raw.len > 0 && memcmp(a->raw.p, b->raw.p, a->raw.len) == 0)
		return true;
	for (unsigned r = 0; r < a->n_rdn; r++)
		if (!ava_sets_eq(a, (int)r, b, (int)r))
			return false;
	return true;
}

bool
cert_name_eq_any_order(const struct cert_name *a, const struct cert_name *b)
{
	if (a == NULL || b == NULL || a->n != b->n || a->n == 0)
		return false;
	return ava_sets_eq(a, -1, b, -1);
}

static const struct {
	const char *oid;
	size_t len;
	const char *name;
} attr_names[] = {
	{ "\x55\x04\x06", 3, "C" }, { "\x55\x04\x0a", 3, "O" }, { "\x55\x04\x0b", 3, "OU" },
	{ "\x55\x04\x03", 3, "CN" }, { "\x55\x04\x07", 3, "L" }, { "\x55\x04\x08", 3, "ST" },
	{ "\x55\x04\x05", 3, "serialNumber" }, { "\x55\x04\x2a", 3, "GN" },
	{ "\x55\x04\x04", 3, "SN" }, { "\x55\x04\x09", 3, "street" },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01", 9, "emailAddress" },
	{ "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19", 10, "DC" },
};

void
cert_name_str(const struct cert_name *n, char *out, size_t cap)
{
	size_t k = 0;

	if (out == NULL || cap == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; n != NULL && i < n->n && k + 1 < cap; i++) {
		const struct cert_ava *v = &n->ava[i];
		const char *an = NULL;
		char dotted[64];
		uint8_t u[NORM_MAX];
		size_t ul = 0;
		int w;

		for (size_t j = 0; j < sizeof(attr_names) / sizeof(attr_names[0]); j++)
			if (attr_names[j].len == v->type.len &&
			    memcmp(attr_names[j].oid, v->type.p, v->type.len) == 0)
				an = attr_names[j].name;
		if (an == NULL) {
			if (der_oid_str(v->type.p, v->type.len, dotted, sizeof(dotted)) != EG_OK)
				snprintf(dotted, sizeof(dotted), "?");
			an = dotted;
		}
		w = snprintf(out + k, cap - k, "%s%s=", i > 0 ? ", " : "", an);
		if (w < 0 || (size_t)w >= cap - k) {
			out[k] = '\0';
			return;
		}
		k += (size_t)w;
		if (v->tag == 0x1E && v->value.len % 2 == 0) {
			for (size_t j = 0; j < v->value.len && ul <= sizeof(u); j += 2)
				ul = put_utf8(u, ul, sizeof(u),
				    (uint32_t)(v->value.p[j] << 8 | v->value.p[j + 1]));
		} else {
			ul = v->value.len < sizeof(u) ? v->value.len : sizeof(u);
			memcpy(u, v->value.p, ul);
		}
		if (ul > sizeof(u))
			ul = sizeof(u);
		for (size_t j = 0; j < ul && k + 1 < cap; j++) {
			uint8_t c = u[j];

			/* printable ASCII and UTF-8 continuation/lead bytes pass */
			out[k++] = (char)((c >= 0x20 && c != 0x7f) ? c : '?');
		}
		out[k] = '\0';
	}
}

bool
cert_name_country(const struct cert_name *n, char out[4])
{
	out[0] = '\0';
	for (size_t i = 0; n != NULL && i < n->n; i++) {
		const struct cert_ava *v = &n->ava[i];

		if (v->type.len == 3 && memcmp(v->type.p, "\x55\x04\x06", 3) == 0) {
			if (v->value.len == 0 || v->value.len > 3)
				return false;
			for (size_t j = 0; j < v->value.len; j++)
				if (v->value.p[j] < 0x20 || v->value.p[j] > 0x7e)
					return false;
			memcpy(out, v->value.p, v->value.len);
			out[v->value.len] = '\0';
			return true;
		}
	}
	return false;
}

/* ---- certificates ---------------------------------------------------------------- */

#define OID_BC		"\x55\x1d\x13"
#define OID_KU		"\x55\x1d\x0f"
#define OID_EKU		"\x55\x1d\x25"
#define OID_SKI		"\x55\x1d\x0e"
#define OID_AKI		"\x55\x1d\x23"
#define OID_EKU_ANY	"\x55\x1d\x25\x00"

/* extensions we understand well enough to accept when critical */
static bool
known_ext(const struct eg_tlv *oid)
{
	static const char *const known[] = {
		"\x55\x1d\x20",	/* certificatePolicies (not processed; no policy mapping in eMRTD) */
		"\x55\x1d\x11", "\x55\x1d\x12",	/* subject / issuer alternative name */
		"\x55\x1d\x1f", "\x55\x1d\x2e",	/* CRL distribution points, freshest CRL */
		"\x55\x1d\x10",	/* privateKeyUsagePeriod */
		"\x55\x1d\x09",	/* subjectDirectoryAttributes */
		"\x67\x81\x08\x01\x01\x06\x02",	/* ICAO documentTypeList */
		"\x67\x81\x08\x01\x01\x06\x01",	/* ICAO nameChange */
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (eg_rbuf_left(&oid->value) == strlen(known[i]) &&
		    memcmp(oid->value.p, known[i], strlen(known[i])) == 0)
			return true;
	return false;
}

static int
parse_bc(struct eg_rbuf v, struct cert *c)
{
	struct eg_tlv seq, t;
	struct eg_rbuf in;
	long pl;
	int r;

	if ((r = ber_expect(&v, 0x30, &seq)) != EG_OK)
		return r;
	in = seq.value;
	c->has_bc = true;
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0x01) {
		if ((r = ber_read(&in, &t)) != EG_OK || eg_rbuf_left(&t.value) != 1)
			return EG_ERR_FORMAT;
		c->ca = t.value.p[0] != 0;
	}
	if (eg_rbuf_left(&in) > 0) {
		if ((r = ber_expect(&in, 0x02, &t)) != EG_OK || (r = der_int(&t, &pl)) != EG_OK)
			return r == EG_OK ? EG_ERR_FORMAT : r;
		c->path_len = (int)(pl > 255 ? 255 : pl);
	}
	return eg_rbuf_left(&in) == 0 ? EG_OK : EG_ERR_FORMAT;
}

static int
parse_ku(struct eg_rbuf v, struct cert *c)
{
	struct eg_tlv t;
	int r;

	if ((r = ber_expect(&v, 0x03, &t)) != EG_OK)
		return r;
	if (eg_rbuf_left(&t.value) < 1 || t.value.p[0] > 7)
		return EG_ERR_FORMAT;
	c->has_ku = true;
	c->ku = eg_rbuf_left(&t.value) >= 2 ? t.value.p[1] : 0;
	return EG_OK;
}

static int
parse_eku(struct eg_rbuf v, struct cert *c)
{
	struct eg_tlv seq, o;
	int r;

	if ((r = ber_expect(&v, 0x30, &seq)) != EG_OK)
		return r;
	c->has_eku = true;
	while (eg_rbuf_left(&seq.value) > 0) {
		if ((r = ber_expect(&seq.value, 0x06, &o)) != EG_OK)
			return r;
		c->n_eku++;
		if (DER_OID_IS(&o, DER_OID_CSCA_ML_SIGNER))
			c->eku_ml_signer = true;
		else if (DER_OID_IS(&o, OID_EKU_ANY))
			c->eku_any = true;
	}
	return EG_OK;
}

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT
 *   OCTET STRING OPTIONAL, authorityCertIssuer [1], serial [2] } */
static int
parse_aki(struct eg_rbuf v, struct cert *c)
{
	struct eg_tlv seq, t;
	int r;

	if ((r = ber_expect(&v, 0x30, &seq)) != EG_OK)
		return r;
	while (eg_rbuf_left(&seq.value) > 0) {
		if ((r = ber_read(&seq.value, &t)) != EG_OK)
			return r;
		if (t.tag == 0x80 && eg_rbuf_left(&t.value) > 0) {
			c->aki.p = t.value.p;
			c->aki.len = eg_rbuf_left(&t.value);
		}
	}
	return EG_OK;
}

static int
parse_extensions(struct eg_rbuf in, struct cert *c)
{
	struct eg_tlv seq;
	int r;

	if ((r = ber_expect(&in, 0x30, &seq)) != EG_OK)
		return r;
	if (eg_rbuf_left(&in) != 0)
		return EG_ERR_FORMAT;
	while (eg_rbuf_left(&seq.value) > 0) {
		struct eg_tlv ext, oid, t, val;
		struct eg_rbuf e;
		bool critical = false;

		if ((r = ber_expect(&seq.value, 0x30, &ext)) != EG_OK)
			return r;
		e = ext.value;
		if ((r = ber_expect(&e, 0x06, &oid)) != EG_OK)
			return r;
		if (eg_rbuf_left(&e) > 0 && e.p[0] == 0x01) {
			if ((r = ber_read(&e, &t)) != EG_OK || eg_rbuf_left(&t.value) != 1)
				return EG_ERR_FORMAT;
			critical = t.value.p[0] != 0;
		}
		if ((r = ber_expect(&e, 0x04, &val)) != EG_OK)
			return r;
		if (eg_rbuf_left(&e) != 0)
			return EG_ERR_FORMAT;
		if (DER_OID_IS(&oid, OID_BC))
			r = parse_bc(val.value, c);
		else if (DER_OID_IS(&oid, OID_KU))
			r = parse_ku(val.value, c);
		else if (DER_OID_IS(&oid, OID_EKU))
			r = parse_eku(val.value, c);
		else if (DER_OID_IS(&oid, OID_AKI))
			r = parse_aki(val.value, c);
		else if (DER_OID_IS(&oid, OID_SKI)) {
			struct eg_rbuf sv = val.value;

			if ((r = ber_expect(&sv, 0x04, &t)) == EG_OK) {
				c->ski.p = t.value.p;
				c->ski.len = eg_rbuf_left(&t.value);
			}
		} else {
			r = EG_OK;
			if (critical && !known_ext(&oid))
				c->unknown_critical = true;
		}
		/* a malformed extension we depend on makes the certificate
		 * unusable; a malformed one we ignore does not */
		if (r != EG_OK)
			return EG_ERR_FORMAT;
	}
	return EG_OK;
}

static int
parse_tbs(struct eg_rbuf in, struct cert *c)
{
	struct eg_tlv t, serial, issuer, validity, nb, na, subject, spki, oid, params;
	bool hp;
	long v = 0;
	int r;

	c->version = 1;
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0xA0) {
		struct eg_tlv vi;

		if ((r = ber_read(&in, &t)) != EG_OK || (r = ber_expect(&t.value, 0x02, &vi)) != EG_OK ||
		    (r = der_int(&vi, &v)) != EG_OK)
			return r == EG_OK ? EG_ERR_FORMAT : r;
		if (v < 0 || v > 2)
			return EG_ERR_FORMAT;
		c->version = (int)v + 1;
	}
	if ((r = ber_expect(&in, 0x02, &serial)) != EG_OK)
		return r;
	if (eg_rbuf_left(&serial.value) == 0 || eg_rbuf_left(&serial.value) > 64)
		return EG_ERR_FORMAT;
	c->serial.p = serial.value.p;
	c->serial.len = eg_rbuf_left(&serial.value);
	if ((r = der_alg(&in, &oid, &params, &hp)) != EG_OK)
		return r;
	if ((r = ber_expect(&in, 0x30, &issuer)) != EG_OK ||
	    (r = cert_name_parse(issuer.raw, issuer.raw_len, &c->issuer)) != EG_OK)
		return r;
	if ((r = ber_expect(&in, 0x30, &validity)) != EG_OK)
		return r;
	if ((r = ber_read(&validity.value, &nb)) != EG_OK || (r = ber_read(&validity.value, &na)) != EG_OK)
		return r;
	if (eg_rbuf_left(&validity.value) != 0 || der_time_parse(&nb, &c->not_before) != EG_OK ||
	    der_time_parse(&na, &c->not_after) != EG_OK)
		return EG_ERR_FORMAT;
	if ((r = ber_expect(&in, 0x30, &subject)) != EG_OK ||
	    (r = cert_name_parse(subject.raw, subject.raw_len, &c->subject)) != EG_OK)
		return r;
	if ((r = ber_expect(&in, 0x30, &spki)) != EG_OK)
		return r;
	c->spki.p = spki.raw;
	c->spki.len = spki.raw_len;
	/* issuerUniqueID [1], subjectUniqueID [2] */
	while (eg_rbuf_left(&in) > 0 && (in.p[0] == 0x81 || in.p[0] == 0xA1 ||
	    in.p[0] == 0x82 || in.p[0] == 0xA2))
		if ((r = ber_read(&in, &t)) != EG_OK)
			return r;
	if (eg_rbuf_left(&in) > 0) {
		if (c->version < 3 || (r = ber_expect(&in, 0xA3, &t)) != EG_OK)
			return EG_ERR_FORMAT;
		if ((r = parse_extensions(t.value, c)) != EG_OK)
			return r;
	}
	if (eg_rbuf_left(&in) != 0)
		return EG_ERR_FORMAT;
	return spki_parse(c->spki.p, c->spki.len, &c->pk, &c->key);
}

int
cert_parse(const uint8_t *der, size_t len, struct cert **out)
{
	struct cert *c = NULL;
	struct eg_rbuf b, in;
	struct eg_tlv top, tbs, oid, params, sig;
	bool hp;
	int r = EG_ERR_INVAL;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (der == NULL || len == 0)
		goto out;
	r = EG_ERR_NOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->der = malloc(len)) == NULL)
		goto out;
	memcpy(c->der, der, len);
	c->der_len = len;
	c->path_len = -1;
	mbedtls_pk_init(&c->pk);
	b = eg_rbuf_init(c->der, len);
	if ((r = ber_expect(&b, 0x30, &top)) != EG_OK)
		goto out;
	r = EG_ERR_FORMAT;
	if (eg_rbuf_left(&b) != 0)
		goto out;
	in = top.value;
	if ((r = ber_expect(&in, 0x30, &tbs)) != EG_OK ||
	    (r = der_alg(&in, &oid, &params, &hp)) != EG_OK ||
	    (r = ber_expect(&in, 0x03, &sig)) != EG_OK)
		goto out;
	r = EG_ERR_FORMAT;
	if (eg_rbuf_left(&in) != 0 || eg_rbuf_left(&sig.value) < 2 || sig.value.p[0] != 0)
		goto out;
	c->tbs.p = tbs.raw;
	c->tbs.len = tbs.raw_len;
	c->sig_oid.p = oid.value.p;
	c->sig_oid.len = eg_rbuf_left(&oid.value);
	if (hp) {
		c->sig_params.p = params.raw;
		c->sig_params.len = params.raw_len;
	}
	c->signature.p = sig.value.p + 1;
	c->signature.len = eg_rbuf_left(&sig.value) - 1;
	if ((r = parse_tbs(tbs.value, c)) != EG_OK)
		goto out;
	c->self_issued = cert_name_eq(&c->subject, &c->issuer);
	*out = c;
	c = NULL;
	r = EG_OK;
out:
	cert_free(&c);
	return r;
}

void
cert_free(struct cert **c)
{
	if (c == NULL || *c == NULL)
		return;
	mbedtls_pk_free(&(*c)->pk);
	free((*c)->der);
	free(*c);
	*c = NULL;
}

int
cert_verify_signed_by(const struct cert *c, struct cert *issuer, char *reason, size_t cap)
{
	if (c == NULL || issuer == NULL)
		return EG_ERR_INVAL;
	return sig_verify(c->sig_oid.p, c->sig_oid.len, c->sig_params.len > 0 ? c->sig_params.p : NULL,
	    c->sig_params.len, MBEDTLS_MD_NONE, &issuer->pk, c->tbs.p, c->tbs.len, c->signature.p,
	    c->signature.len, RSA_MIN_BITS, reason, cap);
}

bool
cert_is_self_signed(struct cert *c)
{
	return c != NULL && c->self_issued && cert_verify_signed_by(c, c, NULL, 0) == EG_OK;
}

bool
cert_valid_at(const struct cert *c, int64_t t)
{
	return c != NULL && c->not_before <= t && t <= c->not_after;
}

void
cert_fingerprint(const struct cert *c, char out[65])
{
	uint8_t h[32];
	static const char hx[] = "0123456789abcdef";

	out[0] = '\0';
	if (c == NULL || mbedtls_sha256_ret(c->der, c->der_len, h, 0) != 0)
		return;
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[h[i] >> 4];
		out[2 * i + 1] = hx[h[i] & 15];
	}
	out[64] = '\0';
}
