/* SPDX-License-Identifier: Apache-2.0 */
/* aa.c — Active Authentication: the verifier (see aa.h; the chip-side signer is chip/aa_chip.c). */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "icao/aa.h"
#include "icao/iso7816.h"
#include "aa_int.h"

#define SCALAR_MAX	66
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ISO/IEC 10118-3 hash identifiers used in the 9796-2 trailer */
static const struct {
	uint8_t id;
	mbedtls_md_type_t md;
} aa_hash_ids[] = {
	{ 0x33, MBEDTLS_MD_SHA1 },
	{ 0x34, MBEDTLS_MD_SHA256 },
	{ 0x35, MBEDTLS_MD_SHA512 },
	{ 0x36, MBEDTLS_MD_SHA384 },
	{ 0x38, MBEDTLS_MD_SHA224 },
};

uint8_t
icao_aa_hash_id(mbedtls_md_type_t md)
{
	for (size_t i = 0; i < NELEM(aa_hash_ids); i++)
		if (aa_hash_ids[i].md == md)
			return aa_hash_ids[i].id;
	return 0;
}


mbedtls_md_type_t
icao_aa_md_from_oid(const char *oid_dotted)
{
	static const struct {
		const char *oid;
		mbedtls_md_type_t md;
	} t[] = {
		{ "0.4.0.127.0.7.1.1.4.1.1", MBEDTLS_MD_SHA1 },
		{ "0.4.0.127.0.7.1.1.4.1.2", MBEDTLS_MD_SHA224 },
		{ "0.4.0.127.0.7.1.1.4.1.3", MBEDTLS_MD_SHA256 },
		{ "0.4.0.127.0.7.1.1.4.1.4", MBEDTLS_MD_SHA384 },
		{ "0.4.0.127.0.7.1.1.4.1.5", MBEDTLS_MD_SHA512 },
	};

	if (oid_dotted == NULL)
		return MBEDTLS_MD_SHA256;
	for (size_t i = 0; i < NELEM(t); i++)
		if (strcmp(t[i].oid, oid_dotted) == 0)
			return t[i].md;
	return MBEDTLS_MD_NONE;
}

int
icao_aa_md_from_dg14(const uint8_t *dg14, size_t len, mbedtls_md_type_t *md)
{
	/* 2.23.136.1.1.5; ecdsa-plain-signatures 0.4.0.127.0.7.1.1.4.1 */
	static const uint8_t aa_info[] = { 0x67, 0x81, 0x08, 0x01, 0x01, 0x05 };
	static const uint8_t plain[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x01,
		0x01, 0x04, 0x01 };
	static const mbedtls_md_type_t mds[] = { MBEDTLS_MD_SHA1,
		MBEDTLS_MD_SHA224, MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384,
		MBEDTLS_MD_SHA512 };
	struct eg_rbuf b;
	struct eg_tlv top, set, si, oid, ver, alg;
	int r;

	if (dg14 == NULL || md == NULL)
		return EG_ERR_INVAL;
	*md = MBEDTLS_MD_SHA256;
	b = eg_rbuf_init(dg14, len);
	if ((r = eg_tlv_expect(&b, 0x6E, &top)) != EG_OK ||
	    (r = eg_tlv_expect(&top.value, 0x31, &set)) != EG_OK)
		return r;
	while (eg_rbuf_left(&set.value) > 0) {
		if ((r = eg_tlv_expect(&set.value, 0x30, &si)) != EG_OK ||
		    (r = eg_tlv_expect(&si.value, 0x06, &oid)) != EG_OK)
			return r;
		if (eg_rbuf_left(&oid.value) != sizeof(aa_info) ||
		    memcmp(oid.value.p, aa_info, sizeof(aa_info)) != 0)
			continue;
		if ((r = eg_tlv_expect(&si.value, 0x02, &ver)) != EG_OK)
			return r;
		if (eg_rbuf_left(&si.value) == 0)
			return EG_OK;	/* no signatureAlgorithm: RSA chip */
		if ((r = eg_tlv_expect(&si.value, 0x06, &alg)) != EG_OK)
			return r;
		if (eg_rbuf_left(&alg.value) != sizeof(plain) + 1 ||
		    memcmp(alg.value.p, plain, sizeof(plain)) != 0 ||
		    alg.value.p[sizeof(plain)] < 1 ||
		    alg.value.p[sizeof(plain)] > NELEM(mds))
			return EG_ERR_UNSUPPORTED;
		*md = mds[alg.value.p[sizeof(plain)] - 1];
		return EG_OK;
	}
	return EG_OK;
}

int
icao_aa_hash2(mbedtls_md_type_t md, const uint8_t *a, size_t an, const uint8_t *b,
    size_t bn, uint8_t *out)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
	mbedtls_md_context_t ctx;
	int r = EG_ERR_CRYPTO;

	mbedtls_md_init(&ctx);
	if (mi == NULL)
		goto out;
	if (mbedtls_md_setup(&ctx, mi, 0) != 0 ||
	    mbedtls_md_starts(&ctx) != 0 ||
	    (an > 0 && mbedtls_md_update(&ctx, a, an) != 0) ||
	    (bn > 0 && mbedtls_md_update(&ctx, b, bn) != 0) ||
	    mbedtls_md_finish(&ctx, out) != 0)
		goto out;
	r = EG_OK;
out:
	mbedtls_md_free(&ctx);
	return r;
}

/* A copy of grp, named or custom: DG15 keys with explicit parameters of a
 * curve mbedTLS does not know come as a group with id NONE (docauth's
 * spki.h), which mbedtls_ecp_group_copy() cannot reload by id. */
static int
group_copy(mbedtls_ecp_group *dst, const mbedtls_ecp_group *src)
{
	if (src->id != MBEDTLS_ECP_DP_NONE)
		return mbedtls_ecp_group_copy(dst, src);
	mbedtls_ecp_group_free(dst);
	mbedtls_ecp_group_init(dst);
	if (mbedtls_mpi_copy(&dst->P, &src->P) != 0 || mbedtls_mpi_copy(&dst->A, &src->A) != 0 ||
	    mbedtls_mpi_copy(&dst->B, &src->B) != 0 || mbedtls_mpi_copy(&dst->N, &src->N) != 0 ||
	    mbedtls_ecp_copy(&dst->G, &src->G) != 0)
		return -1;
	dst->pbits = src->pbits;
	dst->nbits = src->nbits;
	return 0;
}

static int
verify_ecdsa(const mbedtls_ecp_keypair *kp, mbedtls_md_type_t md,
    const uint8_t *chal, size_t chal_len, const uint8_t *sig, size_t sig_len)
{
	mbedtls_ecp_group grp;
	mbedtls_mpi r, s;
	uint8_t h[MBEDTLS_MD_MAX_SIZE];
	size_t nlen = (mbedtls_mpi_bitlen(&kp->grp.N) + 7) / 8;
	const mbedtls_md_info_t *mi;
	int ret = EG_ERR_FORMAT;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (md == MBEDTLS_MD_NONE)
		md = MBEDTLS_MD_SHA256;
	if (nlen == 0 || sig_len != 2 * nlen)
		goto out;
	ret = EG_ERR_UNSUPPORTED;
	if ((mi = mbedtls_md_info_from_type(md)) == NULL)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_mpi_read_binary(&r, sig, nlen) != 0 ||
	    mbedtls_mpi_read_binary(&s, sig + nlen, nlen) != 0 ||
	    icao_aa_hash2(md, chal, chal_len, NULL, 0, h) != EG_OK ||
	    group_copy(&grp, &kp->grp) != 0)
		goto out;
	/* mbedtls_ecdsa_verify checks 1 <= r, s < n itself */
	ret = mbedtls_ecdsa_verify(&grp, h, mbedtls_md_get_size(mi), &kp->Q,
	    &r, &s) == 0 ? EG_OK : EG_ERR_AUTH;
out:
	mbedtls_ecp_group_free(&grp);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ret;
}

static int
verify_rsa(mbedtls_rsa_context *rsa, const uint8_t *chal, size_t chal_len,
    const uint8_t *sig, size_t sig_len)
{
	uint8_t *f = NULL, h[MBEDTLS_MD_MAX_SIZE];
	size_t k = mbedtls_rsa_get_len(rsa), off = 0, tlen, hlen, m1len;
	mbedtls_md_type_t md = MBEDTLS_MD_NONE;
	const mbedtls_md_info_t *mi;
	int ret = EG_ERR_FORMAT;

	if (sig_len != k)
		goto out;
	ret = EG_ERR_UNSUPPORTED;
	if (k < 64)
		goto out;	/* below 512 bits: not an AA key */
	ret = EG_ERR_NOMEM;
	if ((f = malloc(k)) == NULL)
		goto out;
	/* s^e mod n; fails (BAD_INPUT) when s >= n */
	ret = EG_ERR_FORMAT;
	if (mbedtls_rsa_public(rsa, sig, f) != 0)
		goto out;
	ret = EG_ERR_AUTH;
	if (f[0] == 0x00 && mbedtls_mpi_bitlen(&rsa->N) % 8 != 0)
		off = 1;	/* F is shorter than n by some bits */
	if (f[off] != AA_HDR)
		goto out;
	if (f[k - 1] == AA_TRAILER_SHA1) {
		md = MBEDTLS_MD_SHA1;
		tlen = 1;
	} else if (f[k - 1] == AA_TRAILER_X) {
		for (size_t i = 0; i < NELEM(aa_hash_ids); i++)
			if (aa_hash_ids[i].id == f[k - 2])
				md = aa_hash_ids[i].md;
		/* The recovered block is the chip's answer, not a property of
		 * its key: an unknown hash identifier is a wrong signature.
		 * Were it "not supported", a clone could search offline for a
		 * value s whose s^e mod n starts 6A and ends xx CC with xx
		 * unknown (one try in 2^16 on average, with the public key
		 * alone) and replay it to every challenge. */
		if (md == MBEDTLS_MD_NONE)
			goto out;	/* EG_ERR_AUTH */
		tlen = 2;
	} else {
		goto out;	/* EG_ERR_AUTH */
	}
	ret = EG_ERR_UNSUPPORTED;
	if ((mi = mbedtls_md_info_from_type(md)) == NULL)
		goto out;
	hlen = mbedtls_md_get_size(mi);
	ret = EG_ERR_AUTH;
	if (k < off + 1 + hlen + tlen + 1)
		goto out;	/* no room for a non-empty M1 */
	m1len = k - off - 1 - hlen - tlen;
	if ((ret = icao_aa_hash2(md, f + off + 1, m1len, chal, chal_len, h)) != EG_OK)
		goto out;
	ret = eg_ct_equal(h, f + off + 1 + m1len, hlen) ? EG_OK : EG_ERR_AUTH;
out:
	if (f != NULL)
		eg_secret_free(&f, k);
	return ret;
}

int
icao_aa_verify(const mbedtls_pk_context *pk, mbedtls_md_type_t ecdsa_md,
    const uint8_t *chal, size_t chal_len, const uint8_t *sig, size_t sig_len)
{
	if (pk == NULL || chal == NULL || (sig == NULL && sig_len > 0))
		return EG_ERR_INVAL;
	if (sig_len == 0)
		return EG_ERR_FORMAT;
	switch (mbedtls_pk_get_type(pk)) {
	case MBEDTLS_PK_RSA:
		return verify_rsa(mbedtls_pk_rsa(*pk), chal, chal_len, sig,
		    sig_len);
	case MBEDTLS_PK_ECKEY:
	case MBEDTLS_PK_ECDSA:
		return verify_ecdsa(mbedtls_pk_ec(*pk), ecdsa_md, chal, chal_len,
		    sig, sig_len);
	default:
		return EG_ERR_UNSUPPORTED;
	}
}

int
icao_aa_run(struct icao_chan *ch, const mbedtls_pk_context *pk,
    mbedtls_md_type_t ecdsa_md, icao_rng_fn rng, void *rng_ctx, uint16_t *sw)
{
	uint8_t chal[ICAO_AA_CHALLENGE_LEN];
	struct icao_apdu cmd = { .cla = ICAO_CLA_PLAIN,
		.ins = ICAO_INS_INTERNAL_AUTH };
	struct eg_wbuf resp;
	size_t expect = 0;
	uint16_t dummy;
	int r = EG_ERR_INVAL;

	eg_wbuf_init(&resp, ICAO_AA_SIG_MAX, false);
	if (sw == NULL)
		sw = &dummy;
	*sw = 0;
	if (ch == NULL || pk == NULL || rng == NULL)
		goto out;
	if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA)
		expect = mbedtls_rsa_get_len(mbedtls_pk_rsa(*pk));
	r = EG_ERR_UNSUPPORTED;
	if (expect > ICAO_AA_SIG_MAX)
		goto out;
	r = EG_ERR_CRYPTO;
	if (rng(rng_ctx, chal, sizeof(chal)) != 0)
		goto out;
	/* Le: 256 (short) unless the key's signature is longer (RSA above
	 * 2048 bits), then exactly its length (extended) */
	cmd.data = chal;
	cmd.lc = sizeof(chal);
	cmd.le = expect > ICAO_SHORT_LE_MAX ? (uint32_t)expect :
	    ICAO_SHORT_LE_MAX;
	if ((r = icao_chan_transceive(ch, &cmd, &resp, sw)) != EG_OK)
		goto out;
	r = icao_aa_verify(pk, ecdsa_md, chal, sizeof(chal), resp.data,
	    resp.len);
out:
	eg_wbuf_free(&resp);
	return r;
}
