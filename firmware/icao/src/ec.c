/* SPDX-License-Identifier: Apache-2.0 */
/* ec.c — elliptic-curve helpers shared by PACE, CA and AA (see ec.h). */
#include <stdbool.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "ec.h"

#define KEYGEN_TRIES	16
#define SCALAR_MAX	66	/* P-521 */

size_t
icao_ec_plen(const mbedtls_ecp_group *grp)
{
	return (grp->pbits + 7) / 8;
}

int
icao_ec_keygen(mbedtls_ecp_group *grp, const mbedtls_ecp_point *base,
    icao_rng_fn rng, void *rng_ctx, mbedtls_mpi *sk, mbedtls_ecp_point *pk)
{
	uint8_t buf[SCALAR_MAX];
	size_t nbits = mbedtls_mpi_bitlen(&grp->N), nbytes = (nbits + 7) / 8;
	int r = EG_ERR_CRYPTO, i;

	if (rng == NULL || nbytes == 0 || nbytes > sizeof(buf))
		goto out;
	for (i = 0; i < KEYGEN_TRIES; i++) {
		if (rng(rng_ctx, buf, nbytes) != 0)
			goto out;
		buf[0] &= (uint8_t)(0xFF >> (8 * nbytes - nbits));
		if (mbedtls_mpi_read_binary(sk, buf, nbytes) != 0)
			goto out;
		if (mbedtls_mpi_cmp_int(sk, 1) >= 0 &&
		    mbedtls_mpi_cmp_mpi(sk, &grp->N) < 0)
			break;
	}
	if (i == KEYGEN_TRIES)
		goto out;
	/* f_rng NULL: mbedTLS 2.28 blinds with its internal DRBG, so the
	 * caller's RNG is only ever used for private keys and nonces. */
	if (mbedtls_ecp_mul(grp, pk, sk, base, NULL, NULL) != 0)
		goto out;
	r = EG_OK;
out:
	eg_memzero(buf, sizeof(buf));
	if (r != EG_OK)
		(void)mbedtls_mpi_lset(sk, 0);
	return r;
}

int
icao_ec_point_read(const mbedtls_ecp_group *grp, const uint8_t *in,
    size_t len, mbedtls_ecp_point *pt)
{
	size_t plen = icao_ec_plen(grp);

	if (in == NULL || len != 1 + 2 * plen || in[0] != 0x04)
		return EG_ERR_FORMAT;
	if (mbedtls_ecp_point_read_binary(grp, pt, in, len) != 0)
		return EG_ERR_FORMAT;
	if (mbedtls_ecp_check_pubkey(grp, pt) != 0)
		return EG_ERR_PROTOCOL;
	return EG_OK;
}

int
icao_ec_point_write(const mbedtls_ecp_group *grp,
    const mbedtls_ecp_point *pt, uint8_t *out, size_t cap, size_t *len)
{
	size_t plen = icao_ec_plen(grp);
	int ret;

	if (mbedtls_ecp_is_zero((mbedtls_ecp_point *)(uintptr_t)pt))
		return EG_ERR_CRYPTO;
	if (cap < 1 + 2 * plen)
		return EG_ERR_OVERFLOW;
	ret = mbedtls_ecp_point_write_binary(grp, pt,
	    MBEDTLS_ECP_PF_UNCOMPRESSED, len, out, cap);
	return ret == 0 ? EG_OK : EG_ERR_CRYPTO;
}

int
icao_ec_shared_x(mbedtls_ecp_group *grp, const mbedtls_mpi *sk,
    const mbedtls_ecp_point *peer, uint8_t *out, size_t cap)
{
	mbedtls_ecp_point z;
	size_t plen = icao_ec_plen(grp);
	int r = EG_ERR_OVERFLOW;

	mbedtls_ecp_point_init(&z);
	if (cap < plen)
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_ecp_mul(grp, &z, sk, peer, NULL, NULL) != 0)
		goto out;
	r = EG_ERR_PROTOCOL;
	if (mbedtls_ecp_is_zero(&z))
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_mpi_write_binary(&z.X, out, plen) != 0)
		goto out;
	r = EG_OK;
out:
	mbedtls_ecp_point_free(&z);
	return r;
}

int
icao_ec_pubkey_do(const uint8_t *oid, size_t oid_len, const uint8_t *pt,
    size_t pt_len, struct eg_wbuf *w)
{
	size_t inner = 1 + eg_tlv_len_size(oid_len) + oid_len +
	    1 + eg_tlv_len_size(pt_len) + pt_len;
	int r;

	if ((r = eg_tlv_put_tag(w, 0x7F49)) != EG_OK ||
	    (r = eg_tlv_put_len(w, inner)) != EG_OK ||
	    (r = eg_tlv_put(w, 0x06, oid, oid_len)) != EG_OK ||
	    (r = eg_tlv_put(w, 0x86, pt, pt_len)) != EG_OK)
		return r;
	return EG_OK;
}

/* ---- SubjectPublicKeyInfo ------------------------------------------------ */

/* 1.2.840.10045.2.1 id-ecPublicKey, 1.2.840.10045.1.1 prime-field */
static const uint8_t oid_ec_pubkey[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02,
	0x01 };
static const uint8_t oid_prime_field[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D,
	0x01, 0x01 };

static bool
tlv_is(const struct eg_tlv *t, const uint8_t *v, size_t n)
{
	return eg_rbuf_left(&t->value) == n && memcmp(t->value.p, v, n) == 0;
}

/* An unsigned big-endian value (INTEGER or OCTET STRING content). */
static int
mpi_of(const struct eg_tlv *t, mbedtls_mpi *x)
{
	if (eg_rbuf_left(&t->value) == 0 || eg_rbuf_left(&t->value) > 80)
		return EG_ERR_FORMAT;
	if (t->tag == 0x02 && (t->value.p[0] & 0x80) != 0)
		return EG_ERR_FORMAT;	/* negative */
	return mbedtls_mpi_read_binary(x, t->value.p,
	    eg_rbuf_left(&t->value)) == 0 ? EG_OK : EG_ERR_CRYPTO;
}

/* The explicit parameters of a SpecifiedECDomain, undecoded. */
struct ec_explicit {
	struct eg_tlv p, a, b, g, n;
};

static int
explicit_parse(struct eg_rbuf in, struct ec_explicit *e)
{
	struct eg_tlv ver, field, ftype, curve;
	int r;

	/* version, fieldID { prime-field, p }, curve { a, b [, seed] },
	 * base, order [, cofactor] */
	if ((r = eg_tlv_expect(&in, 0x02, &ver)) != EG_OK ||
	    (r = eg_tlv_expect(&in, 0x30, &field)) != EG_OK ||
	    (r = eg_tlv_expect(&field.value, 0x06, &ftype)) != EG_OK)
		return r;
	if (!tlv_is(&ftype, oid_prime_field, sizeof(oid_prime_field)))
		return EG_ERR_UNSUPPORTED;
	if ((r = eg_tlv_expect(&field.value, 0x02, &e->p)) != EG_OK ||
	    eg_rbuf_left(&field.value) != 0 ||
	    (r = eg_tlv_expect(&in, 0x30, &curve)) != EG_OK ||
	    (r = eg_tlv_expect(&curve.value, 0x04, &e->a)) != EG_OK ||
	    (r = eg_tlv_expect(&curve.value, 0x04, &e->b)) != EG_OK ||
	    (r = eg_tlv_expect(&in, 0x04, &e->g)) != EG_OK ||
	    (r = eg_tlv_expect(&in, 0x02, &e->n)) != EG_OK)
		return r == EG_OK ? EG_ERR_FORMAT : r;
	/* an optional seed in the curve, an optional cofactor after n */
	return EG_OK;
}

/* Does grp (loaded) have exactly the explicit parameters e? */
static bool
explicit_match(mbedtls_ecp_group *grp, const struct ec_explicit *e)
{
	mbedtls_mpi p, a, b, n, aref;
	mbedtls_ecp_point g;
	bool ok = false;

	mbedtls_mpi_init(&p);
	mbedtls_mpi_init(&a);
	mbedtls_mpi_init(&b);
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&aref);
	mbedtls_ecp_point_init(&g);
	if (mpi_of(&e->p, &p) != EG_OK || mpi_of(&e->a, &a) != EG_OK ||
	    mpi_of(&e->b, &b) != EG_OK || mpi_of(&e->n, &n) != EG_OK)
		goto out;
	if (mbedtls_mpi_cmp_mpi(&p, &grp->P) != 0 ||
	    mbedtls_mpi_cmp_mpi(&b, &grp->B) != 0 ||
	    mbedtls_mpi_cmp_mpi(&n, &grp->N) != 0)
		goto out;
	/* mbedTLS leaves A unset for a = -3 */
	if (grp->A.p == NULL) {
		if (mbedtls_mpi_sub_int(&aref, &grp->P, 3) != 0)
			goto out;
	} else if (mbedtls_mpi_copy(&aref, &grp->A) != 0) {
		goto out;
	}
	if (mbedtls_mpi_cmp_mpi(&a, &aref) != 0)
		goto out;
	if (eg_rbuf_left(&e->g.value) == 1 + icao_ec_plen(grp) &&
	    (e->g.value.p[0] == 0x02 || e->g.value.p[0] == 0x03)) {
		/* compressed base point: x and the parity of y */
		if (mbedtls_mpi_read_binary(&g.X, e->g.value.p + 1,
		    icao_ec_plen(grp)) != 0 ||
		    mbedtls_mpi_cmp_mpi(&g.X, &grp->G.X) != 0 ||
		    mbedtls_mpi_get_bit(&grp->G.Y, 0) != (e->g.value.p[0] & 1))
			goto out;
	} else if (mbedtls_ecp_point_read_binary(grp, &g, e->g.value.p,
	    eg_rbuf_left(&e->g.value)) != 0 ||
	    mbedtls_ecp_point_cmp(&g, &grp->G) != 0) {
		goto out;
	}
	ok = true;
out:
	mbedtls_mpi_free(&p);
	mbedtls_mpi_free(&a);
	mbedtls_mpi_free(&b);
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&aref);
	mbedtls_ecp_point_free(&g);
	return ok;
}

static int
group_from_explicit(const struct ec_explicit *e, mbedtls_ecp_group *grp)
{
	const mbedtls_ecp_curve_info *ci;

	for (ci = mbedtls_ecp_curve_list(); ci->grp_id != MBEDTLS_ECP_DP_NONE;
	    ci++) {
		mbedtls_ecp_group_free(grp);
		mbedtls_ecp_group_init(grp);
		if (mbedtls_ecp_group_load(grp, ci->grp_id) != 0)
			return EG_ERR_CRYPTO;
		if (mbedtls_ecp_get_type(grp) == MBEDTLS_ECP_TYPE_SHORT_WEIERSTRASS &&
		    explicit_match(grp, e))
			return EG_OK;
	}
	mbedtls_ecp_group_free(grp);
	mbedtls_ecp_group_init(grp);
	return EG_ERR_UNSUPPORTED;
}

int
icao_ec_spki_parse(const uint8_t *spki, size_t len, mbedtls_ecp_group *grp,
    mbedtls_ecp_point *q)
{
	struct eg_rbuf b = eg_rbuf_init(spki, spki == NULL ? 0 : len);
	struct eg_tlv top, alg, oid, params, bits;
	struct ec_explicit e;
	mbedtls_asn1_buf ob;
	mbedtls_ecp_group_id gid;
	int r;

	if ((r = eg_tlv_expect(&b, 0x30, &top)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	if ((r = eg_tlv_expect(&top.value, 0x30, &alg)) != EG_OK ||
	    (r = eg_tlv_expect(&alg.value, 0x06, &oid)) != EG_OK)
		return r;
	if (!tlv_is(&oid, oid_ec_pubkey, sizeof(oid_ec_pubkey)))
		return EG_ERR_UNSUPPORTED;
	if ((r = eg_tlv_read(&alg.value, &params)) != EG_OK)
		return r;
	if (eg_rbuf_left(&alg.value) != 0)
		return EG_ERR_FORMAT;
	if ((r = eg_tlv_expect(&top.value, 0x03, &bits)) != EG_OK)
		return r;
	if (eg_rbuf_left(&top.value) != 0 || eg_rbuf_left(&bits.value) < 2 ||
	    bits.value.p[0] != 0x00)
		return EG_ERR_FORMAT;
	if (params.tag == 0x06) {
		ob.tag = MBEDTLS_ASN1_OID;
		ob.len = eg_rbuf_left(&params.value);
		ob.p = (unsigned char *)(uintptr_t)params.value.p;
		if (mbedtls_oid_get_ec_grp(&ob, &gid) != 0)
			return EG_ERR_UNSUPPORTED;
		mbedtls_ecp_group_free(grp);
		mbedtls_ecp_group_init(grp);
		if (mbedtls_ecp_group_load(grp, gid) != 0)
			return EG_ERR_UNSUPPORTED;
	} else if (params.tag == 0x30) {
		if ((r = explicit_parse(params.value, &e)) != EG_OK ||
		    (r = group_from_explicit(&e, grp)) != EG_OK)
			return r;
	} else {
		return EG_ERR_FORMAT;
	}
	if (mbedtls_ecp_get_type(grp) != MBEDTLS_ECP_TYPE_SHORT_WEIERSTRASS)
		return EG_ERR_UNSUPPORTED;
	return icao_ec_point_read(grp, bits.value.p + 1,
	    eg_rbuf_left(&bits.value) - 1, q);
}
