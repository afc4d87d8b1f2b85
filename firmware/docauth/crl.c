/* SPDX-License-Identifier: Apache-2.0 */
/* crl.c — CSCA certificate revocation lists (see crl.h). */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "docauth/crl.h"
#include "der.h"
#include "sig.h"

#define OID_AKI		"\x55\x1d\x23"
#define OID_CRL_NUMBER	"\x55\x1d\x14"
#define OID_DELTA	"\x55\x1d\x1b"
#define OID_IDP		"\x55\x1d\x1c"
#define OID_REASON	"\x55\x1d\x15"
#define OID_INVALIDITY	"\x55\x1d\x18"

/* Extensions ::= SEQUENCE OF Extension; flags unknown critical ones and
 * returns the AKI keyIdentifier if asked. */
static int
walk_extensions(struct eg_rbuf in, struct crl *c, bool entry)
{
	struct eg_tlv seq;
	int r;

	if ((r = ber_expect(&in, 0x30, &seq)) != EG_OK)
		return r;
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
		if (!entry && DER_OID_IS(&oid, OID_AKI)) {
			struct eg_rbuf v = val.value;
			struct eg_tlv aki, k;

			if (ber_expect(&v, 0x30, &aki) == EG_OK) {
				while (eg_rbuf_left(&aki.value) > 0 && ber_read(&aki.value, &k) == EG_OK)
					if (k.tag == 0x80 && eg_rbuf_left(&k.value) > 0) {
						c->aki.p = k.value.p;
						c->aki.len = eg_rbuf_left(&k.value);
					}
			}
		} else if (critical && !(DER_OID_IS(&oid, OID_CRL_NUMBER) ||
		    DER_OID_IS(&oid, OID_REASON) || DER_OID_IS(&oid, OID_INVALIDITY))) {
			/* delta CRLs, issuing distribution points and the like
			 * change what the list means: not processed */
			c->unknown_critical = true;
		}
	}
	return EG_OK;
}

static int
parse_entries(struct eg_rbuf in, struct crl *c)
{
	size_t cap = 0;
	int r;

	while (eg_rbuf_left(&in) > 0) {
		struct eg_tlv ent, serial, date, t;
		struct eg_rbuf e;

		if ((r = ber_expect(&in, 0x30, &ent)) != EG_OK)
			return r;
		e = ent.value;
		if ((r = ber_expect(&e, 0x02, &serial)) != EG_OK || (r = ber_read(&e, &date)) != EG_OK)
			return r;
		if (eg_rbuf_left(&serial.value) == 0)
			return EG_ERR_FORMAT;
		if (eg_rbuf_left(&e) > 0) {
			if ((r = ber_read(&e, &t)) != EG_OK || t.tag != 0x30)
				return EG_ERR_FORMAT;
			if ((r = walk_extensions(eg_rbuf_init(t.raw, t.raw_len), c, true)) != EG_OK)
				return r;
		}
		if (eg_rbuf_left(&e) != 0)
			return EG_ERR_FORMAT;
		if (c->n_revoked == CRL_MAX_ENTRIES)
			return EG_ERR_OVERFLOW;
		if (c->n_revoked == cap) {
			size_t nc = cap == 0 ? 16 : cap * 2;
			struct crl_entry *n = realloc(c->revoked, nc * sizeof(*n));

			if (n == NULL)
				return EG_ERR_NOMEM;
			c->revoked = n;
			cap = nc;
		}
		c->revoked[c->n_revoked].serial.p = serial.value.p;
		c->revoked[c->n_revoked].serial.len = eg_rbuf_left(&serial.value);
		if (der_time_parse(&date, &c->revoked[c->n_revoked].date) != EG_OK)
			return EG_ERR_FORMAT;
		c->n_revoked++;
	}
	return EG_OK;
}

/* TBSCertList ::= SEQUENCE { version Version OPTIONAL (v2), signature,
 *   issuer Name, thisUpdate Time, nextUpdate Time OPTIONAL,
 *   revokedCertificates SEQUENCE OF SEQUENCE {...} OPTIONAL,
 *   crlExtensions [0] EXPLICIT Extensions OPTIONAL } */
static int
parse_tbs(struct eg_rbuf in, struct crl *c)
{
	struct eg_tlv t, issuer, oid, params;
	bool hp;
	long v;
	int r;

	c->version = 1;
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0x02) {
		if ((r = ber_read(&in, &t)) != EG_OK || (r = der_int(&t, &v)) != EG_OK)
			return r == EG_OK ? EG_ERR_FORMAT : r;
		if (v != 1)
			return EG_ERR_FORMAT;
		c->version = 2;
	}
	if ((r = der_alg(&in, &oid, &params, &hp)) != EG_OK)
		return r;
	if ((r = ber_expect(&in, 0x30, &issuer)) != EG_OK ||
	    (r = cert_name_parse(issuer.raw, issuer.raw_len, &c->issuer)) != EG_OK)
		return r;
	if ((r = ber_read(&in, &t)) != EG_OK || der_time_parse(&t, &c->this_update) != EG_OK)
		return r == EG_OK ? EG_ERR_FORMAT : r;
	if (eg_rbuf_left(&in) > 0 && (in.p[0] == 0x17 || in.p[0] == 0x18)) {
		if ((r = ber_read(&in, &t)) != EG_OK || der_time_parse(&t, &c->next_update) != EG_OK)
			return r == EG_OK ? EG_ERR_FORMAT : r;
		c->has_next_update = true;
	}
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0x30) {
		if ((r = ber_read(&in, &t)) != EG_OK || (r = parse_entries(t.value, c)) != EG_OK)
			return r;
	}
	if (eg_rbuf_left(&in) > 0) {
		if (c->version != 2 || (r = ber_expect(&in, 0xA0, &t)) != EG_OK)
			return EG_ERR_FORMAT;
		if ((r = walk_extensions(t.value, c, false)) != EG_OK)
			return r;
	}
	return eg_rbuf_left(&in) == 0 ? EG_OK : EG_ERR_FORMAT;
}

int
crl_parse(const uint8_t *der, size_t len, struct crl **out)
{
	struct crl *c = NULL;
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
	*out = c;
	c = NULL;
out:
	crl_free(&c);
	return r;
}

void
crl_free(struct crl **c)
{
	if (c == NULL || *c == NULL)
		return;
	free((*c)->revoked);
	free((*c)->der);
	free(*c);
	*c = NULL;
}

int
crl_verify_signed_by(const struct crl *c, struct cert *issuer, char *reason, size_t cap)
{
	if (c == NULL || issuer == NULL)
		return EG_ERR_INVAL;
	return sig_verify(c->sig_oid.p, c->sig_oid.len, c->sig_params.len > 0 ? c->sig_params.p : NULL,
	    c->sig_params.len, MBEDTLS_MD_NONE, &issuer->pk, c->tbs.p, c->tbs.len, c->signature.p,
	    c->signature.len, 0, reason, cap);
}

static void
strip(const uint8_t **p, size_t *n)
{
	while (*n > 1 && (*p)[0] == 0) {
		(*p)++;
		(*n)--;
	}
}

const struct crl_entry *
crl_find(const struct crl *c, const uint8_t *serial, size_t len)
{
	if (c == NULL || serial == NULL || len == 0)
		return NULL;
	strip(&serial, &len);
	for (size_t i = 0; i < c->n_revoked; i++) {
		const uint8_t *p = c->revoked[i].serial.p;
		size_t n = c->revoked[i].serial.len;

		strip(&p, &n);
		if (n == len && memcmp(p, serial, n) == 0)
			return &c->revoked[i];
	}
	return NULL;
}

bool
crl_current_at(const struct crl *c, int64_t t)
{
	return c != NULL && c->has_next_update && c->this_update <= t && t <= c->next_update;
}
