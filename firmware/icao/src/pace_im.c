/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pace_im.c — the Integrated Mapping of PACE over ECDH (Doc 9303 Part 11
 * §4.4.3.3.2 and Appendix B): the pseudo-random function R(s, t) and the
 * point encoding f_G. Checked against the worked example of Appendix H
 * (tests/vectors/icao/pace_im_h1.txt).
 */
#include <string.h>

#include <mbedtls/bignum.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "pace_int.h"

/* Constants of the pseudo-random function, by the bit length l of s. */
static const uint8_t c0_128[16] = {
	0xa6, 0x68, 0x89, 0x2a, 0x7c, 0x41, 0xe3, 0xca, 0x73, 0x9f, 0x40, 0xb0,
	0x57, 0xd8, 0x59, 0x04,
};
static const uint8_t c1_128[16] = {
	0xa4, 0xe1, 0x36, 0xac, 0x72, 0x5f, 0x73, 0x8b, 0x01, 0xc1, 0xf6, 0x02,
	0x17, 0xc1, 0x88, 0xad,
};
static const uint8_t c0_256[32] = {
	0xd4, 0x63, 0xd6, 0x52, 0x34, 0x12, 0x4e, 0xf7, 0x89, 0x70, 0x54, 0x98,
	0x6d, 0xca, 0x0a, 0x17, 0x4e, 0x28, 0xdf, 0x75, 0x8c, 0xba, 0xa0, 0x3f,
	0x24, 0x06, 0x16, 0x41, 0x4d, 0x5a, 0x16, 0x76,
};
static const uint8_t c1_256[32] = {
	0x54, 0xbd, 0x72, 0x55, 0xf0, 0xaa, 0xf8, 0x31, 0xbe, 0xc3, 0x42, 0x3f,
	0xcf, 0x39, 0xd6, 0x9b, 0x6c, 0xbf, 0x06, 0x66, 0x77, 0xd0, 0xfa, 0xae,
	0x5a, 0xad, 0xd9, 0x9d, 0xf8, 0xe5, 0x35, 0x17,
};

int
pace_im_prf(enum icao_cipher cipher, const uint8_t *s, size_t slen,
    const uint8_t *t, size_t tlen, size_t pbits, uint8_t *r, size_t *rlen)
{
	uint8_t k[32], next[32], key[ICAO_KEY_MAX];
	const uint8_t *c0, *c1;
	size_t kl = icao_cipher_key_len(cipher), n, i;
	int ret = EG_ERR_PROTOCOL;

	*rlen = 0;
	if (kl == 0 || tlen != kl || (slen != 16 && slen != 32))
		goto out;
	c0 = slen == 16 ? c0_128 : c0_256;
	c1 = slen == 16 ? c1_128 : c1_256;
	n = (pbits + 64 + slen * 8 - 1) / (slen * 8);
	if (n * slen > PACE_IM_R_MAX)
		goto out;
	/* k0 = E(t, s) */
	if ((ret = icao_cbc(cipher, 1, t, NULL, s, slen, k)) != EG_OK)
		goto out;
	for (i = 0; i < n; i++) {
		memcpy(key, k, kl);	/* truncated to the key length */
		if ((ret = icao_cbc(cipher, 1, key, NULL, c0, slen, next)) != EG_OK ||
		    (ret = icao_cbc(cipher, 1, key, NULL, c1, slen,
		    r + i * slen)) != EG_OK)
			goto out;
		memcpy(k, next, slen);
	}
	*rlen = n * slen;
	ret = EG_OK;
out:
	if (ret != EG_OK && r != NULL)
		eg_memzero(r, PACE_IM_R_MAX);
	eg_memzero(k, sizeof(k));
	eg_memzero(next, sizeof(next));
	eg_memzero(key, sizeof(key));
	return ret;
}

#define MPI(f) do { if ((f) != 0) { ret = EG_ERR_CRYPTO; goto out; } } while (0)

int
pace_im_encode(const mbedtls_ecp_group *grp, const mbedtls_mpi *u,
    mbedtls_ecp_point *g)
{
	mbedtls_mpi t, a, alpha, al2, sum, x2, x3, h2, uu, A, e, tmp, y;
	const mbedtls_mpi *P = &grp->P;
	int ret = EG_ERR_CRYPTO;

	mbedtls_mpi_init(&t);
	mbedtls_mpi_init(&a);
	mbedtls_mpi_init(&alpha);
	mbedtls_mpi_init(&al2);
	mbedtls_mpi_init(&sum);
	mbedtls_mpi_init(&x2);
	mbedtls_mpi_init(&x3);
	mbedtls_mpi_init(&h2);
	mbedtls_mpi_init(&uu);
	mbedtls_mpi_init(&A);
	mbedtls_mpi_init(&e);
	mbedtls_mpi_init(&tmp);
	mbedtls_mpi_init(&y);
	if (mbedtls_mpi_get_bit(P, 0) != 1 || mbedtls_mpi_get_bit(P, 1) != 1) {
		ret = EG_ERR_UNSUPPORTED;	/* p != 3 mod 4 */
		goto out;
	}
	/* a: mbedTLS leaves A unset for A = -3 (the NIST curves) */
	if (grp->A.p == NULL)
		MPI(mbedtls_mpi_sub_int(&a, P, 3));
	else
		MPI(mbedtls_mpi_copy(&a, &grp->A));
	MPI(mbedtls_mpi_mod_mpi(&t, u, P));
	ret = EG_ERR_PROTOCOL;
	if (mbedtls_mpi_cmp_int(&t, 0) == 0)
		goto out;
	/* alpha = -t^2 mod p */
	MPI(mbedtls_mpi_mul_mpi(&tmp, &t, &t));
	MPI(mbedtls_mpi_mod_mpi(&tmp, &tmp, P));
	MPI(mbedtls_mpi_sub_mpi(&alpha, P, &tmp));
	MPI(mbedtls_mpi_mod_mpi(&alpha, &alpha, P));
	/* sum = alpha + alpha^2 */
	MPI(mbedtls_mpi_mul_mpi(&al2, &alpha, &alpha));
	MPI(mbedtls_mpi_add_mpi(&sum, &alpha, &al2));
	MPI(mbedtls_mpi_mod_mpi(&sum, &sum, P));
	/* X2 = -b (1 + sum) (a sum)^(p-2) mod p */
	MPI(mbedtls_mpi_mul_mpi(&tmp, &a, &sum));
	MPI(mbedtls_mpi_mod_mpi(&tmp, &tmp, P));
	ret = EG_ERR_PROTOCOL;
	if (mbedtls_mpi_cmp_int(&tmp, 0) == 0)
		goto out;
	MPI(mbedtls_mpi_sub_int(&e, P, 2));
	MPI(mbedtls_mpi_exp_mod(&tmp, &tmp, &e, P, NULL));
	MPI(mbedtls_mpi_add_int(&x2, &sum, 1));
	MPI(mbedtls_mpi_mul_mpi(&x2, &x2, &grp->B));
	MPI(mbedtls_mpi_mod_mpi(&x2, &x2, P));
	MPI(mbedtls_mpi_sub_mpi(&x2, P, &x2));		/* -b (1 + sum) */
	MPI(mbedtls_mpi_mul_mpi(&x2, &x2, &tmp));
	MPI(mbedtls_mpi_mod_mpi(&x2, &x2, P));
	/* X3 = alpha X2 */
	MPI(mbedtls_mpi_mul_mpi(&x3, &alpha, &x2));
	MPI(mbedtls_mpi_mod_mpi(&x3, &x3, P));
	/* h2 = X2^3 + a X2 + b */
	MPI(mbedtls_mpi_mul_mpi(&h2, &x2, &x2));
	MPI(mbedtls_mpi_mod_mpi(&h2, &h2, P));
	MPI(mbedtls_mpi_add_mpi(&h2, &h2, &a));
	MPI(mbedtls_mpi_mul_mpi(&h2, &h2, &x2));
	MPI(mbedtls_mpi_add_mpi(&h2, &h2, &grp->B));
	MPI(mbedtls_mpi_mod_mpi(&h2, &h2, P));
	/* U = t^3 h2 */
	MPI(mbedtls_mpi_mul_mpi(&uu, &t, &t));
	MPI(mbedtls_mpi_mod_mpi(&uu, &uu, P));
	MPI(mbedtls_mpi_mul_mpi(&uu, &uu, &t));
	MPI(mbedtls_mpi_mod_mpi(&uu, &uu, P));
	MPI(mbedtls_mpi_mul_mpi(&uu, &uu, &h2));
	MPI(mbedtls_mpi_mod_mpi(&uu, &uu, P));
	/* A = h2^(p - 1 - (p + 1)/4) */
	MPI(mbedtls_mpi_add_int(&e, P, 1));
	MPI(mbedtls_mpi_shift_r(&e, 2));
	MPI(mbedtls_mpi_sub_mpi(&e, P, &e));
	MPI(mbedtls_mpi_sub_int(&e, &e, 1));
	MPI(mbedtls_mpi_exp_mod(&A, &h2, &e, P, NULL));
	/* A^2 h2 = 1: (X2, A h2), else (X3, A U) */
	MPI(mbedtls_mpi_mul_mpi(&tmp, &A, &A));
	MPI(mbedtls_mpi_mod_mpi(&tmp, &tmp, P));
	MPI(mbedtls_mpi_mul_mpi(&tmp, &tmp, &h2));
	MPI(mbedtls_mpi_mod_mpi(&tmp, &tmp, P));
	if (mbedtls_mpi_cmp_int(&tmp, 1) == 0) {
		MPI(mbedtls_mpi_mul_mpi(&y, &A, &h2));
		MPI(mbedtls_mpi_copy(&g->X, &x2));
	} else {
		MPI(mbedtls_mpi_mul_mpi(&y, &A, &uu));
		MPI(mbedtls_mpi_copy(&g->X, &x3));
	}
	MPI(mbedtls_mpi_mod_mpi(&g->Y, &y, P));
	MPI(mbedtls_mpi_lset(&g->Z, 1));
	/* on the curve and not the point at infinity, or not at all */
	ret = mbedtls_ecp_check_pubkey(grp, g) == 0 ? EG_OK : EG_ERR_PROTOCOL;
out:
	mbedtls_mpi_free(&t);
	mbedtls_mpi_free(&a);
	mbedtls_mpi_free(&alpha);
	mbedtls_mpi_free(&al2);
	mbedtls_mpi_free(&sum);
	mbedtls_mpi_free(&x2);
	mbedtls_mpi_free(&x3);
	mbedtls_mpi_free(&h2);
	mbedtls_mpi_free(&uu);
	mbedtls_mpi_free(&A);
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&tmp);
	mbedtls_mpi_free(&y);
	return ret;
}
