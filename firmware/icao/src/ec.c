/* SPDX-License-Identifier: Apache-2.0 */
/* ec.c — elliptic-curve helpers shared by PACE, CA and AA (see ec.h). */
#include <string.h>

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
