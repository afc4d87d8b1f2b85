/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spki.c — SubjectPublicKeyInfo and EC domain parameters (see spki.h):
 * named curves, explicit parameters matched to a named group or validated
 * and loaded as a custom group, RSA and RSASSA-PSS keys.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include "egate/error.h"
#include "docauth/spki.h"
#include "der.h"

#define OID_EC_PUBKEY	"\x2a\x86\x48\xce\x3d\x02\x01"		/* 1.2.840.10045.2.1 */
#define OID_PRIME_FIELD	"\x2a\x86\x48\xce\x3d\x01\x01"		/* 1.2.840.10045.1.1 */
#define OID_RSA		"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"	/* 1.2.840.113549.1.1.1 */
#define OID_RSA_PSS	"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"	/* 1.2.840.113549.1.1.10 */

#define SCALAR_MAX	66	/* P-521 */
#define PRIME_ROUNDS	25
#define MOV_DEGREE	20

static void
info_clear(struct spki_info *i)
{
	if (i != NULL) {
		memset(i, 0, sizeof(*i));
		i->curve = MBEDTLS_ECP_DP_NONE;
	}
}

/* An unsigned big number from an INTEGER (non-negative) or an OCTET STRING. */
static int
mpi_of(const struct eg_tlv *t, mbedtls_mpi *x)
{
	const uint8_t *p = t->value.p;
	size_t n = eg_rbuf_left(&t->value);

	if (n == 0 || (t->tag != 0x02 && t->tag != 0x04))
		return EG_ERR_FORMAT;
	if (t->tag == 0x02 && (p[0] & 0x80) != 0)
		return EG_ERR_FORMAT;	/* negative */
	while (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > SCALAR_MAX)
		return EG_ERR_UNSUPPORTED;
	return mbedtls_mpi_read_binary(x, p, n) == 0 ? EG_OK : EG_ERR_NOMEM;
}

/* ---- explicit parameters --------------------------------------------------- */

struct ecparams {
	mbedtls_mpi p, a, b, n, h;
	bool has_h;
	struct eg_tlv g;	/* the base point OCTET STRING */
};

static void
ecparams_init(struct ecparams *e)
{
	memset(e, 0, sizeof(*e));
	mbedtls_mpi_init(&e->p);
	mbedtls_mpi_init(&e->a);
	mbedtls_mpi_init(&e->b);
	mbedtls_mpi_init(&e->n);
	mbedtls_mpi_init(&e->h);
}

static void
ecparams_free(struct ecparams *e)
{
	mbedtls_mpi_free(&e->p);
	mbedtls_mpi_free(&e->a);
	mbedtls_mpi_free(&e->b);
	mbedtls_mpi_free(&e->n);
	mbedtls_mpi_free(&e->h);
}

/* ECParameters ::= SEQUENCE { version INTEGER { ecpVer1(1) }, fieldID
 *   FieldID { prime-field, Prime-p INTEGER }, curve Curve { a, b
 *   FieldElement, seed BIT STRING OPTIONAL }, base ECPoint, order INTEGER,
 *   cofactor INTEGER OPTIONAL, ... } (SEC 1 C.2; the value of the SEQUENCE) */
static int
explicit_parse(struct eg_rbuf in, struct ecparams *e)
{
	struct eg_tlv ver, field, ftype, fp, curve, a, b, n, h;
	long v;
	int r;

	if ((r = ber_expect(&in, 0x02, &ver)) != EG_OK || (r = der_int(&ver, &v)) != EG_OK)
		return r == EG_OK ? EG_ERR_FORMAT : r;
	if (v < 1 || v > 3)
		return EG_ERR_FORMAT;
	if ((r = ber_expect(&in, 0x30, &field)) != EG_OK ||
	    (r = ber_expect(&field.value, 0x06, &ftype)) != EG_OK)
		return r;
	if (!DER_OID_IS(&ftype, OID_PRIME_FIELD))
		return EG_ERR_UNSUPPORTED;	/* characteristic two */
	if ((r = ber_expect(&field.value, 0x02, &fp)) != EG_OK)
		return r;
	if (eg_rbuf_left(&field.value) != 0)
		return EG_ERR_FORMAT;
	if ((r = ber_expect(&in, 0x30, &curve)) != EG_OK ||
	    (r = ber_expect(&curve.value, 0x04, &a)) != EG_OK ||
	    (r = ber_expect(&curve.value, 0x04, &b)) != EG_OK)
		return r;
	if (eg_rbuf_left(&curve.value) > 0) {
		struct eg_tlv seed;

		if ((r = ber_expect(&curve.value, 0x03, &seed)) != EG_OK)
			return r;
		if (eg_rbuf_left(&curve.value) != 0)
			return EG_ERR_FORMAT;
	}
	if ((r = ber_expect(&in, 0x04, &e->g)) != EG_OK ||
	    (r = ber_expect(&in, 0x02, &n)) != EG_OK)
		return r;
	if (eg_rbuf_left(&in) > 0 && in.p[0] == 0x02) {
		if ((r = ber_expect(&in, 0x02, &h)) != EG_OK || (r = mpi_of(&h, &e->h)) != EG_OK)
			return r;
		e->has_h = true;
	}
	/* SEC 1 allows a hash algorithm after the cofactor; ignore the rest */
	if ((r = mpi_of(&fp, &e->p)) != EG_OK || (r = mpi_of(&a, &e->a)) != EG_OK ||
	    (r = mpi_of(&b, &e->b)) != EG_OK || (r = mpi_of(&n, &e->n)) != EG_OK)
		return r;
	if (mbedtls_mpi_cmp_int(&e->p, 3) <= 0 || mbedtls_mpi_get_bit(&e->p, 0) == 0 ||
	    mbedtls_mpi_cmp_mpi(&e->a, &e->p) >= 0 || mbedtls_mpi_cmp_mpi(&e->b, &e->p) >= 0 ||
	    mbedtls_mpi_cmp_int(&e->n, 1) <= 0)
		return EG_ERR_CERT;
	return EG_OK;
}

/* rhs = x^3 + a x + b mod p */
static int
curve_rhs(const mbedtls_mpi *p, const mbedtls_mpi *a, const mbedtls_mpi *b,
    const mbedtls_mpi *x, mbedtls_mpi *rhs)
{
	mbedtls_mpi t;
	int r = EG_ERR_NOMEM;

	mbedtls_mpi_init(&t);
	if (mbedtls_mpi_mul_mpi(&t, x, x) != 0 || mbedtls_mpi_mod_mpi(&t, &t, p) != 0 ||
	    mbedtls_mpi_add_mpi(&t, &t, a) != 0 || mbedtls_mpi_mul_mpi(&t, &t, x) != 0 ||
	    mbedtls_mpi_add_mpi(&t, &t, b) != 0 || mbedtls_mpi_mod_mpi(rhs, &t, p) != 0)
		goto out;
	r = EG_OK;
out:
	mbedtls_mpi_free(&t);
	return r;
}

/*
 * Decode an untrusted point (SEC 1 2.3.4): 04 x y, or 02/03 x (compressed,
 * only for p = 3 mod 4, where y = rhs^((p+1)/4)). The result is checked to
 * lie on y^2 = x^3 + ax + b.
 */
static int
point_decode(const mbedtls_mpi *p, const mbedtls_mpi *a, const mbedtls_mpi *b,
    const uint8_t *in, size_t len, mbedtls_ecp_point *pt)
{
	size_t plen = mbedtls_mpi_size(p);
	mbedtls_mpi rhs, e, y2;
	int r = EG_ERR_CERT;

	mbedtls_mpi_init(&rhs);
	mbedtls_mpi_init(&e);
	mbedtls_mpi_init(&y2);
	if (len == 0)
		goto out;
	if (in[0] == 0x04 && len == 1 + 2 * plen) {
		if (mbedtls_mpi_read_binary(&pt->X, in + 1, plen) != 0 ||
		    mbedtls_mpi_read_binary(&pt->Y, in + 1 + plen, plen) != 0)
			goto nomem;
	} else if ((in[0] == 0x02 || in[0] == 0x03) && len == 1 + plen) {
		if (mbedtls_mpi_get_bit(p, 1) != 1 || mbedtls_mpi_get_bit(p, 0) != 1) {
			r = EG_ERR_UNSUPPORTED;	/* p = 1 mod 4: no cheap square root */
			goto out;
		}
		if (mbedtls_mpi_read_binary(&pt->X, in + 1, plen) != 0)
			goto nomem;
		if (mbedtls_mpi_cmp_mpi(&pt->X, p) >= 0)
			goto out;
		if (curve_rhs(p, a, b, &pt->X, &rhs) != EG_OK ||
		    mbedtls_mpi_add_int(&e, p, 1) != 0 || mbedtls_mpi_shift_r(&e, 2) != 0 ||
		    mbedtls_mpi_exp_mod(&pt->Y, &rhs, &e, p, NULL) != 0)
			goto nomem;
		if ((unsigned)mbedtls_mpi_get_bit(&pt->Y, 0) != (unsigned)(in[0] & 1) &&
		    mbedtls_mpi_cmp_int(&pt->Y, 0) != 0 &&
		    mbedtls_mpi_sub_mpi(&pt->Y, p, &pt->Y) != 0)
			goto nomem;
	} else {
		r = EG_ERR_FORMAT;
		goto out;
	}
	if (mbedtls_mpi_lset(&pt->Z, 1) != 0)
		goto nomem;
	if (mbedtls_mpi_cmp_mpi(&pt->X, p) >= 0 || mbedtls_mpi_cmp_mpi(&pt->Y, p) >= 0)
		goto out;
	/* on the curve? */
	if (curve_rhs(p, a, b, &pt->X, &rhs) != EG_OK ||
	    mbedtls_mpi_mul_mpi(&y2, &pt->Y, &pt->Y) != 0 || mbedtls_mpi_mod_mpi(&y2, &y2, p) != 0)
		goto nomem;
	r = mbedtls_mpi_cmp_mpi(&y2, &rhs) == 0 ? EG_OK : EG_ERR_CERT;
	goto out;
nomem:
	r = EG_ERR_NOMEM;
out:
	mbedtls_mpi_free(&rhs);
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&y2);
	return r;
}

/* A named short Weierstrass group with exactly these p, a, b, n and G? */
static bool
named_matches(const mbedtls_ecp_group *grp, const struct ecparams *e, const mbedtls_ecp_point *g)
{
	mbedtls_mpi aref;
	bool ok = false;

	mbedtls_mpi_init(&aref);
	if (mbedtls_mpi_cmp_mpi(&e->p, &grp->P) != 0 || mbedtls_mpi_cmp_mpi(&e->b, &grp->B) != 0 ||
	    mbedtls_mpi_cmp_mpi(&e->n, &grp->N) != 0)
		goto out;
	if (grp->A.p == NULL) {		/* mbedTLS leaves A unset for a = -3 */
		if (mbedtls_mpi_sub_int(&aref, &grp->P, 3) != 0)
			goto out;
	} else if (mbedtls_mpi_copy(&aref, &grp->A) != 0) {
		goto out;
	}
	ok = mbedtls_mpi_cmp_mpi(&e->a, &aref) == 0 && mbedtls_mpi_cmp_mpi(&g->X, &grp->G.X) == 0 &&
	    mbedtls_mpi_cmp_mpi(&g->Y, &grp->G.Y) == 0;
out:
	mbedtls_mpi_free(&aref);
	return ok;
}

/* Deterministic bases for Miller-Rabin: SHA-256(label || counter). */
struct det_rng {
	uint8_t seed[32];
	uint32_t ctr;
};

static int
det_rng(void *ctx, unsigned char *out, size_t len)
{
	struct det_rng *d = ctx;

	while (len > 0) {
		uint8_t in[36], h[32];
		size_t k = len < 32 ? len : 32;

		memcpy(in, d->seed, 32);
		in[32] = (uint8_t)(d->ctr >> 24);
		in[33] = (uint8_t)(d->ctr >> 16);
		in[34] = (uint8_t)(d->ctr >> 8);
		in[35] = (uint8_t)d->ctr;
		d->ctr++;
		if (mbedtls_sha256_ret(in, sizeof(in), h, 0) != 0)
			return -1;
		memcpy(out, h, k);
		out += k;
		len -= k;
	}
	return 0;
}

static bool
is_prime(const mbedtls_mpi *x)
{
	struct det_rng d = { .ctr = 0 };
	uint8_t buf[SCALAR_MAX];
	size_t n = mbedtls_mpi_size(x);

	if (n == 0 || n > sizeof(buf) || mbedtls_mpi_write_binary(x, buf, n) != 0 ||
	    mbedtls_sha256_ret(buf, n, d.seed, 0) != 0)
		return false;
	return mbedtls_mpi_is_prime_ext(x, PRIME_ROUNDS, det_rng, &d) == 0;
}

/* The checks of spki.h on a custom curve; grp is loaded on success. */
static int
custom_group(const struct ecparams *e, const mbedtls_ecp_point *g, mbedtls_ecp_group *grp)
{
	mbedtls_mpi t, u, h, four_p;
	mbedtls_ecp_point r1;
	size_t pbits = mbedtls_mpi_bitlen(&e->p), nbits = mbedtls_mpi_bitlen(&e->n);
	int ret = EG_ERR_CERT, k;
	bool hasse = false;

	mbedtls_mpi_init(&t);
	mbedtls_mpi_init(&u);
	mbedtls_mpi_init(&h);
	mbedtls_mpi_init(&four_p);
	mbedtls_ecp_point_init(&r1);
	if (pbits < 192 || pbits > 521 || nbits < 160 || mbedtls_mpi_cmp_mpi(&e->n, &e->p) == 0)
		goto out;
	/* 4a^3 + 27b^2 != 0 mod p */
	ret = EG_ERR_NOMEM;
	if (mbedtls_mpi_mul_mpi(&t, &e->a, &e->a) != 0 || mbedtls_mpi_mul_mpi(&t, &t, &e->a) != 0 ||
	    mbedtls_mpi_mul_int(&t, &t, 4) != 0 || mbedtls_mpi_mul_mpi(&u, &e->b, &e->b) != 0 ||
	    mbedtls_mpi_mul_int(&u, &u, 27) != 0 || mbedtls_mpi_add_mpi(&t, &t, &u) != 0 ||
	    mbedtls_mpi_mod_mpi(&t, &t, &e->p) != 0)
		goto out;
	ret = EG_ERR_CERT;
	if (mbedtls_mpi_cmp_int(&t, 0) == 0 || !is_prime(&e->p) || !is_prime(&e->n))
		goto out;
	/* cofactor: given or the first of 1..4 that satisfies Hasse */
	ret = EG_ERR_NOMEM;
	if (mbedtls_mpi_mul_int(&four_p, &e->p, 4) != 0)
		goto out;
	for (int c = 1; c <= 4 && !hasse; c++) {
		if (e->has_h && mbedtls_mpi_cmp_int(&e->h, c) != 0)
			continue;
		if (mbedtls_mpi_lset(&h, c) != 0 || mbedtls_mpi_mul_int(&t, &e->n, (mbedtls_mpi_uint)c) != 0 ||
		    mbedtls_mpi_sub_mpi(&t, &t, &e->p) != 0 || mbedtls_mpi_sub_int(&t, &t, 1) != 0 ||
		    mbedtls_mpi_mul_mpi(&u, &t, &t) != 0)
			goto out;
		hasse = mbedtls_mpi_cmp_mpi(&u, &four_p) <= 0;
	}
	ret = EG_ERR_CERT;
	if (!hasse)
		goto out;
	/* no small embedding degree: p^k != 1 mod n */
	ret = EG_ERR_NOMEM;
	if (mbedtls_mpi_mod_mpi(&t, &e->p, &e->n) != 0 || mbedtls_mpi_copy(&u, &t) != 0)
		goto out;
	for (k = 1; k <= MOV_DEGREE; k++) {
		if (mbedtls_mpi_cmp_int(&u, 1) == 0)
			break;
		if (mbedtls_mpi_mul_mpi(&u, &u, &t) != 0 || mbedtls_mpi_mod_mpi(&u, &u, &e->n) != 0)
			goto out;
	}
	ret = EG_ERR_CERT;
	if (k <= MOV_DEGREE)
		goto out;
	/* the group */
	ret = EG_ERR_NOMEM;
	mbedtls_ecp_group_free(grp);
	mbedtls_ecp_group_init(grp);
	grp->id = MBEDTLS_ECP_DP_NONE;
	if (mbedtls_mpi_copy(&grp->P, &e->p) != 0 || mbedtls_mpi_copy(&grp->A, &e->a) != 0 ||
	    mbedtls_mpi_copy(&grp->B, &e->b) != 0 || mbedtls_mpi_copy(&grp->N, &e->n) != 0 ||
	    mbedtls_ecp_copy(&grp->G, g) != 0)
		goto out;
	grp->pbits = pbits;
	grp->nbits = nbits;
	/* (n-1) G = -G, i.e. n G = 0 */
	ret = EG_ERR_CERT;
	if (mbedtls_mpi_sub_int(&t, &e->n, 1) != 0 ||
	    mbedtls_ecp_mul(grp, &r1, &t, &grp->G, NULL, NULL) != 0 ||
	    mbedtls_mpi_sub_mpi(&u, &e->p, &g->Y) != 0 ||
	    mbedtls_mpi_cmp_mpi(&r1.X, &g->X) != 0 || mbedtls_mpi_cmp_mpi(&r1.Y, &u) != 0)
		goto out;
	ret = EG_OK;
out:
	if (ret != EG_OK) {
		mbedtls_ecp_group_free(grp);
		mbedtls_ecp_group_init(grp);
	}
	mbedtls_mpi_free(&t);
	mbedtls_mpi_free(&u);
	mbedtls_mpi_free(&h);
	mbedtls_mpi_free(&four_p);
	mbedtls_ecp_point_free(&r1);
	return ret;
}

static void
set_curve_info(struct spki_info *info, const mbedtls_ecp_group *grp, bool explicit_params)
{
	const mbedtls_ecp_curve_info *ci;

	if (info == NULL)
		return;
	info->type = MBEDTLS_PK_ECKEY;
	info->explicit_params = explicit_params;
	info->curve = grp->id;
	info->custom_curve = grp->id == MBEDTLS_ECP_DP_NONE;
	info->bits = grp->pbits;
	ci = mbedtls_ecp_curve_info_from_grp_id(grp->id);
	if (ci != NULL)
		snprintf(info->curve_name, sizeof(info->curve_name), "%s", ci->name);
	else
		snprintf(info->curve_name, sizeof(info->curve_name), "custom %zu-bit", grp->pbits);
}

/* Explicit parameters (the ECParameters SEQUENCE's value) into grp. */
static int
group_from_explicit(struct eg_rbuf in, mbedtls_ecp_group *grp)
{
	struct ecparams e;
	mbedtls_ecp_point g;
	const mbedtls_ecp_curve_info *ci;
	int r;

	ecparams_init(&e);
	mbedtls_ecp_point_init(&g);
	if ((r = explicit_parse(in, &e)) != EG_OK)
		goto out;
	if ((r = point_decode(&e.p, &e.a, &e.b, e.g.value.p, eg_rbuf_left(&e.g.value), &g)) != EG_OK)
		goto out;
	for (ci = mbedtls_ecp_curve_list(); ci->grp_id != MBEDTLS_ECP_DP_NONE; ci++) {
		mbedtls_ecp_group_free(grp);
		mbedtls_ecp_group_init(grp);
		if (mbedtls_ecp_group_load(grp, ci->grp_id) != 0) {
			r = EG_ERR_CRYPTO;
			goto out;
		}
		if (mbedtls_ecp_get_type(grp) == MBEDTLS_ECP_TYPE_SHORT_WEIERSTRASS &&
		    named_matches(grp, &e, &g)) {
			r = EG_OK;
			goto out;
		}
	}
	r = custom_group(&e, &g, grp);
out:
	if (r != EG_OK) {
		mbedtls_ecp_group_free(grp);
		mbedtls_ecp_group_init(grp);
	}
	ecparams_free(&e);
	mbedtls_ecp_point_free(&g);
	return r;
}

/* params: the AlgorithmIdentifier parameters TLV of id-ecPublicKey. */
static int
group_from_params(const struct eg_tlv *params, mbedtls_ecp_group *grp, bool *explicit_params)
{
	mbedtls_asn1_buf ob;
	mbedtls_ecp_group_id gid;

	*explicit_params = false;
	if (params->tag == 0x06) {
		ob.tag = MBEDTLS_ASN1_OID;
		ob.len = eg_rbuf_left(&params->value);
		ob.p = (unsigned char *)(uintptr_t)params->value.p;
		if (ob.len == 0 || mbedtls_oid_get_ec_grp(&ob, &gid) != 0)
			return EG_ERR_UNSUPPORTED;
		mbedtls_ecp_group_free(grp);
		mbedtls_ecp_group_init(grp);
		if (mbedtls_ecp_group_load(grp, gid) != 0 ||
		    mbedtls_ecp_get_type(grp) != MBEDTLS_ECP_TYPE_SHORT_WEIERSTRASS) {
			mbedtls_ecp_group_free(grp);
			mbedtls_ecp_group_init(grp);
			return EG_ERR_UNSUPPORTED;
		}
		return EG_OK;
	}
	if (params->tag == 0x30) {
		*explicit_params = true;
		return group_from_explicit(params->value, grp);
	}
	return params->tag == 0x05 ? EG_ERR_UNSUPPORTED : EG_ERR_FORMAT;	/* implicitlyCA */
}

int
spki_ecparams_parse(const uint8_t *der, size_t len, mbedtls_ecp_group *grp,
    struct spki_info *info)
{
	struct eg_rbuf b;
	struct eg_tlv t;
	bool ex;
	int r;

	info_clear(info);
	if (der == NULL || grp == NULL)
		return EG_ERR_INVAL;
	b = eg_rbuf_init(der, len);
	if ((r = ber_read(&b, &t)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	if ((r = group_from_params(&t, grp, &ex)) != EG_OK)
		return r;
	set_curve_info(info, grp, ex);
	return EG_OK;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static int
rsa_key(const uint8_t *p, size_t n, mbedtls_pk_context *pk)
{
	struct eg_rbuf b = eg_rbuf_init(p, n), in;
	struct eg_tlv seq, mod, exp;
	mbedtls_rsa_context *rsa;
	const uint8_t *mp, *ep;
	size_t ml, el;
	int r;

	if ((r = ber_expect(&b, 0x30, &seq)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	in = seq.value;
	if ((r = ber_expect(&in, 0x02, &mod)) != EG_OK || (r = ber_expect(&in, 0x02, &exp)) != EG_OK)
		return r;
	if (eg_rbuf_left(&in) != 0)
		return EG_ERR_FORMAT;
	mp = mod.value.p;
	ml = eg_rbuf_left(&mod.value);
	ep = exp.value.p;
	el = eg_rbuf_left(&exp.value);
	if (ml == 0 || el == 0 || (mp[0] & 0x80) || (ep[0] & 0x80))
		return EG_ERR_FORMAT;
	while (ml > 1 && mp[0] == 0) {
		mp++;
		ml--;
	}
	while (el > 1 && ep[0] == 0) {
		ep++;
		el--;
	}
	if (ml > 1024 || el > 1024)	/* RSA-8192 at most */
		return EG_ERR_UNSUPPORTED;
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0)
		return EG_ERR_NOMEM;
	rsa = mbedtls_pk_rsa(*pk);
	if (mbedtls_rsa_import_raw(rsa, mp, ml, NULL, 0, NULL, 0, NULL, 0, ep, el) != 0 ||
	    mbedtls_rsa_complete(rsa) != 0 || mbedtls_rsa_check_pubkey(rsa) != 0)
		return EG_ERR_CERT;
	return EG_OK;
}

int
spki_parse(const uint8_t *der, size_t len, mbedtls_pk_context *pk, struct spki_info *info)
{
	struct eg_rbuf b, in;
	struct eg_tlv top, oid, params, bits;
	bool hp = false, ex = false;
	mbedtls_ecp_keypair *kp;
	int r;

	info_clear(info);
	if (der == NULL || pk == NULL)
		return EG_ERR_INVAL;
	b = eg_rbuf_init(der, len);
	if ((r = ber_expect(&b, 0x30, &top)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	in = top.value;
	{
		struct eg_tlv alg;
		struct eg_rbuf a;

		if ((r = ber_expect(&in, 0x30, &alg)) != EG_OK)
			return r;
		a = alg.value;
		if ((r = ber_expect(&a, 0x06, &oid)) != EG_OK)
			return r;
		if (eg_rbuf_left(&a) > 0) {
			if ((r = ber_read(&a, &params)) != EG_OK)
				return r;
			hp = true;
		}
		if (eg_rbuf_left(&a) != 0)
			return EG_ERR_FORMAT;
	}
	if ((r = ber_expect(&in, 0x03, &bits)) != EG_OK)
		return r;
	if (eg_rbuf_left(&in) != 0 || eg_rbuf_left(&bits.value) < 2 || bits.value.p[0] != 0)
		return EG_ERR_FORMAT;
	if (DER_OID_IS(&oid, OID_RSA) || DER_OID_IS(&oid, OID_RSA_PSS)) {
		r = rsa_key(bits.value.p + 1, eg_rbuf_left(&bits.value) - 1, pk);
		if (r == EG_OK && info != NULL) {
			info->type = MBEDTLS_PK_RSA;
			info->rsa_pss = DER_OID_IS(&oid, OID_RSA_PSS);
			info->bits = mbedtls_pk_get_bitlen(pk);
		}
		goto out;
	}
	if (!DER_OID_IS(&oid, OID_EC_PUBKEY)) {
		r = EG_ERR_UNSUPPORTED;
		goto out;
	}
	if (!hp) {
		r = EG_ERR_FORMAT;
		goto out;
	}
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0) {
		r = EG_ERR_NOMEM;
		goto out;
	}
	kp = mbedtls_pk_ec(*pk);
	if ((r = group_from_params(&params, &kp->grp, &ex)) != EG_OK)
		goto out;
	{
		mbedtls_mpi a;	/* mbedTLS leaves A unset for a = -3 */

		mbedtls_mpi_init(&a);
		if (kp->grp.A.p == NULL ? mbedtls_mpi_sub_int(&a, &kp->grp.P, 3) != 0 :
		    mbedtls_mpi_copy(&a, &kp->grp.A) != 0)
			r = EG_ERR_NOMEM;
		else
			r = point_decode(&kp->grp.P, &a, &kp->grp.B, bits.value.p + 1,
			    eg_rbuf_left(&bits.value) - 1, &kp->Q);
		mbedtls_mpi_free(&a);
		if (r != EG_OK)
			goto out;
	}
	r = mbedtls_ecp_check_pubkey(&kp->grp, &kp->Q) == 0 ? EG_OK : EG_ERR_CERT;
	if (r == EG_OK)
		set_curve_info(info, &kp->grp, ex);
out:
	if (r != EG_OK) {
		mbedtls_pk_free(pk);
		mbedtls_pk_init(pk);
		info_clear(info);
	}
	return r;
}

int
spki_ec_group_copy(mbedtls_ecp_group *dst, const mbedtls_ecp_group *src)
{
	if (dst == NULL || src == NULL)
		return EG_ERR_INVAL;
	if (src->id != MBEDTLS_ECP_DP_NONE)
		return mbedtls_ecp_group_copy(dst, src) == 0 ? EG_OK : EG_ERR_CRYPTO;
	mbedtls_ecp_group_free(dst);
	mbedtls_ecp_group_init(dst);
	dst->id = MBEDTLS_ECP_DP_NONE;
	if (mbedtls_mpi_copy(&dst->P, &src->P) != 0 || mbedtls_mpi_copy(&dst->A, &src->A) != 0 ||
	    mbedtls_mpi_copy(&dst->B, &src->B) != 0 || mbedtls_mpi_copy(&dst->N, &src->N) != 0 ||
	    mbedtls_ecp_copy(&dst->G, &src->G) != 0) {
		mbedtls_ecp_group_free(dst);
		mbedtls_ecp_group_init(dst);
		return EG_ERR_NOMEM;
	}
	dst->pbits = src->pbits;
	dst->nbits = src->nbits;
	return EG_OK;
}

int
spki_pk_copy(mbedtls_pk_context *dst, const mbedtls_pk_context *src)
{
	mbedtls_pk_type_t t;
	int r = EG_ERR_NOMEM;

	if (dst == NULL || src == NULL)
		return EG_ERR_INVAL;
	t = mbedtls_pk_get_type(src);
	if (t != MBEDTLS_PK_RSA && t != MBEDTLS_PK_ECKEY)
		return EG_ERR_UNSUPPORTED;
	if (mbedtls_pk_setup(dst, mbedtls_pk_info_from_type(t)) != 0)
		return EG_ERR_NOMEM;
	if (t == MBEDTLS_PK_RSA) {
		r = mbedtls_rsa_copy(mbedtls_pk_rsa(*dst), mbedtls_pk_rsa(*src)) == 0 ? EG_OK :
		    EG_ERR_NOMEM;
	} else {
		const mbedtls_ecp_keypair *s = mbedtls_pk_ec(*src);
		mbedtls_ecp_keypair *d = mbedtls_pk_ec(*dst);

		if ((r = spki_ec_group_copy(&d->grp, &s->grp)) == EG_OK &&
		    mbedtls_ecp_copy(&d->Q, &s->Q) != 0)
			r = EG_ERR_NOMEM;
	}
	if (r != EG_OK) {
		mbedtls_pk_free(dst);
		mbedtls_pk_init(dst);
	}
	return r;
}
