/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aa_chip.c — the Active Authentication signer of a simulated chip
 * (ICAO 9303-11 §6.1; ISO/IEC 9796-2 scheme 1 or plain ECDSA).
 *
 * Chip-side code: built into libegate_icao_chip, which only the simulated
 * ePassport (hw/sim/), the tests and the fuzzers link. The product
 * (egate-kiosk, egate read on real readers) never contains it.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "icao/aa_chip.h"
#include "aa_int.h"

static int
sign_ecdsa(mbedtls_ecp_keypair *kp, mbedtls_md_type_t md, const uint8_t *chal,
    size_t chal_len, icao_rng_fn rng, void *rng_ctx, uint8_t *sig, size_t cap,
    size_t *len)
{
	mbedtls_mpi r, s;
	uint8_t h[MBEDTLS_MD_MAX_SIZE];
	size_t nlen = (mbedtls_mpi_bitlen(&kp->grp.N) + 7) / 8;
	const mbedtls_md_info_t *mi;
	int ret = EG_ERR_UNSUPPORTED;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (md == MBEDTLS_MD_NONE)
		md = MBEDTLS_MD_SHA256;
	if ((mi = mbedtls_md_info_from_type(md)) == NULL)
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (cap < 2 * nlen)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (icao_aa_hash2(md, chal, chal_len, NULL, 0, h) != EG_OK ||
	    mbedtls_ecdsa_sign(&kp->grp, &r, &s, &kp->d, h,
	    mbedtls_md_get_size(mi), rng, rng_ctx) != 0 ||
	    mbedtls_mpi_write_binary(&r, sig, nlen) != 0 ||
	    mbedtls_mpi_write_binary(&s, sig + nlen, nlen) != 0)
		goto out;
	*len = 2 * nlen;
	ret = EG_OK;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ret;
}

static int
sign_rsa(mbedtls_rsa_context *rsa, mbedtls_md_type_t md, const uint8_t *chal,
    size_t chal_len, icao_rng_fn rng, void *rng_ctx, uint8_t *sig, size_t cap,
    size_t *len)
{
	uint8_t *f = NULL;
	size_t k = mbedtls_rsa_get_len(rsa), hlen, tlen, m1len, off = 0;
	const mbedtls_md_info_t *mi;
	uint8_t hid = 0;
	int ret = EG_ERR_UNSUPPORTED;

	if (md == MBEDTLS_MD_NONE)
		md = MBEDTLS_MD_SHA1;
	if ((mi = mbedtls_md_info_from_type(md)) == NULL)
		goto out;
	if (md != MBEDTLS_MD_SHA1 && (hid = icao_aa_hash_id(md)) == 0)
		goto out;
	hlen = mbedtls_md_get_size(mi);
	tlen = md == MBEDTLS_MD_SHA1 ? 1 : 2;
	if (mbedtls_mpi_bitlen(&rsa->N) % 8 != 0)
		off = 1;	/* keep F below n: leading zero byte */
	ret = EG_ERR_INVAL;
	if (k < off + 1 + hlen + tlen + 1)
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (cap < k)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((f = calloc(1, k)) == NULL)
		goto out;
	m1len = k - off - 1 - hlen - tlen;
	ret = EG_ERR_CRYPTO;
	f[off] = AA_HDR;
	if (rng(rng_ctx, f + off + 1, m1len) != 0 ||
	    icao_aa_hash2(md, f + off + 1, m1len, chal, chal_len,
	    f + off + 1 + m1len) != EG_OK)
		goto out;
	if (tlen == 1) {
		f[k - 1] = AA_TRAILER_SHA1;
	} else {
		f[k - 2] = hid;
		f[k - 1] = AA_TRAILER_X;
	}
	if (mbedtls_rsa_private(rsa, rng, rng_ctx, f, sig) != 0)
		goto out;
	*len = k;
	ret = EG_OK;
out:
	if (f != NULL)
		eg_secret_free(&f, k);
	return ret;
}

int
icao_aa_sign(mbedtls_pk_context *key, mbedtls_md_type_t md,
    const uint8_t *chal, size_t chal_len, icao_rng_fn rng, void *rng_ctx,
    uint8_t *sig, size_t cap, size_t *len)
{
	if (key == NULL || chal == NULL || rng == NULL || sig == NULL ||
	    len == NULL)
		return EG_ERR_INVAL;
	switch (mbedtls_pk_get_type(key)) {
	case MBEDTLS_PK_RSA:
		return sign_rsa(mbedtls_pk_rsa(*key), md, chal, chal_len, rng,
		    rng_ctx, sig, cap, len);
	case MBEDTLS_PK_ECKEY:
	case MBEDTLS_PK_ECDSA:
		return sign_ecdsa(mbedtls_pk_ec(*key), md, chal, chal_len, rng,
		    rng_ctx, sig, cap, len);
	default:
		return EG_ERR_UNSUPPORTED;
	}
}
