/* SPDX-License-Identifier: Apache-2.0 */
/* pace.c — PACE ECDH Generic Mapping, terminal side and the protocol core both roles share (see pace.h; the chip-side responder is chip/pace_chip.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/sha1.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/log.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "icao/iso7816.h"
#include "icao/pace.h"
#include "ec.h"
#include "pace_int.h"
#include "util.h"

#define MRZ_INFO_MIN	24
#define MRZ_INFO_MAX	64
#define CAN_MAX		16
#define FIELD_MAX	66
#define TOKDATA_MAX	(4 + 2 + ICAO_PACE_OID_MAX + 3 + ICAO_PACE_POINT_MAX)

/* id-PACE-ECDH-{GM,IM,CAM} = 0.4.0.127.0.7.2.2.4.{2,4,6} (BSI TR-03110-3
 * A.1.1, Doc 9303 Part 11 §9.2.1); the last arc names the cipher. */
static const struct {
	uint8_t arc;
	enum icao_pace_mapping m;
	const char *name;
} pace_maps[] = {
	{ 2, ICAO_PACE_MAP_GM, "GM" },
	{ 4, ICAO_PACE_MAP_IM, "IM" },
	{ 6, ICAO_PACE_MAP_CAM, "CAM" },
};
static const enum icao_cipher pace_ciphers[] = {
	ICAO_CIPHER_3DES, ICAO_CIPHER_AES128, ICAO_CIPHER_AES192,
	ICAO_CIPHER_AES256,
};
static const uint8_t pace_ecdh_prefix[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04,
};
#define PACE_OID_LEN	(sizeof(pace_ecdh_prefix) + 2)

/* Standardized domain parameters (Doc 9303 Part 11 §9.5.1) in mbedTLS;
 * im: p = 3 mod 4, as the point encoding of Appendix B needs. */
static const struct {
	int id;
	mbedtls_ecp_group_id gid;
	const char *name;
	bool im;
} pace_curves[] = {
	{ 8, MBEDTLS_ECP_DP_SECP192R1, "NIST P-192", true },
	{ 10, MBEDTLS_ECP_DP_SECP224R1, "NIST P-224", false },
	{ 12, MBEDTLS_ECP_DP_SECP256R1, "NIST P-256", true },
	{ 13, MBEDTLS_ECP_DP_BP256R1, "brainpoolP256r1", true },
	{ 15, MBEDTLS_ECP_DP_SECP384R1, "NIST P-384", true },
	{ 16, MBEDTLS_ECP_DP_BP384R1, "brainpoolP384r1", true },
	{ 17, MBEDTLS_ECP_DP_BP512R1, "brainpoolP512r1", true },
	{ 18, MBEDTLS_ECP_DP_SECP521R1, "NIST P-521", true },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
icao_pace_mapping_name(enum icao_pace_mapping m)
{
	for (size_t i = 0; i < NELEM(pace_maps); i++)
		if (pace_maps[i].m == m)
			return pace_maps[i].name;
	return "unknown";
}

int
icao_pace_params_init(struct icao_pace_params *p, const char *oid_dotted,
    long param_id)
{
	static const char stem[] = "0.4.0.127.0.7.2.2.4.";
	unsigned arc = 0, c = 0;
	size_t i, j;
	char tail;

	if (p == NULL || oid_dotted == NULL)
		return EG_ERR_INVAL;
	memset(p, 0, sizeof(*p));
	if (strncmp(oid_dotted, stem, sizeof(stem) - 1) != 0 ||
	    sscanf(oid_dotted + sizeof(stem) - 1, "%1u.%1u%c", &arc, &c,
	    &tail) != 2 || c < 1 || c > 4)
		return EG_ERR_UNSUPPORTED;
	for (i = 0; i < NELEM(pace_maps); i++)
		if (pace_maps[i].arc == arc)
			break;
	for (j = 0; j < NELEM(pace_curves); j++)
		if (pace_curves[j].id == param_id)
			break;
	if (i == NELEM(pace_maps) || j == NELEM(pace_curves))
		return EG_ERR_UNSUPPORTED;	/* DH (1, 3), unknown, curve */
	if ((pace_maps[i].m == ICAO_PACE_MAP_CAM && c == 1) ||
	    (pace_maps[i].m == ICAO_PACE_MAP_IM && !pace_curves[j].im))
		return EG_ERR_UNSUPPORTED;
	memcpy(p->oid, pace_ecdh_prefix, sizeof(pace_ecdh_prefix));
	p->oid[sizeof(pace_ecdh_prefix)] = (uint8_t)arc;
	p->oid[sizeof(pace_ecdh_prefix) + 1] = (uint8_t)c;
	p->oid_len = PACE_OID_LEN;
	p->mapping = pace_maps[i].m;
	p->cipher = pace_ciphers[c - 1];
	p->param_id = (int)param_id;
	p->group_id = (int)pace_curves[j].gid;
	return EG_OK;
}

int
icao_pace_params_secinfo(const struct icao_pace_params *p, struct eg_wbuf *w)
{
	uint8_t buf[8 + ICAO_PACE_OID_MAX + 6], pid;
	struct eg_wbuf in;
	int r;

	if (p == NULL || w == NULL || p->oid_len == 0 ||
	    p->oid_len > ICAO_PACE_OID_MAX || p->param_id < 0 ||
	    p->param_id > 0x7F)
		return EG_ERR_INVAL;
	pid = (uint8_t)p->param_id;
	eg_wbuf_init_fixed(&in, buf, sizeof(buf), false);
	if ((r = eg_tlv_put(&in, 0x06, p->oid, p->oid_len)) != EG_OK ||
	    (r = eg_tlv_put(&in, 0x02, "\x02", 1)) != EG_OK ||
	    (r = eg_tlv_put(&in, 0x02, &pid, 1)) != EG_OK)
		return r;
	if (w->len + 2 + in.len > w->max)
		return EG_ERR_OVERFLOW;
	return eg_tlv_put(w, 0x30, in.data, in.len);
}

const char *
icao_pace_curve_name(int param_id)
{
	for (size_t j = 0; j < NELEM(pace_curves); j++)
		if (pace_curves[j].id == param_id)
			return pace_curves[j].name;
	return "unknown";
}

bool
icao_pace_params_check(const struct icao_pace_params *p)
{
	struct icao_pace_params q;
	char dotted[40];

	if (p == NULL || p->oid_len != PACE_OID_LEN ||
	    memcmp(p->oid, pace_ecdh_prefix, sizeof(pace_ecdh_prefix)) != 0 ||
	    p->oid[PACE_OID_LEN - 2] > 9 || p->oid[PACE_OID_LEN - 1] > 9)
		return false;
	(void)snprintf(dotted, sizeof(dotted), "0.4.0.127.0.7.2.2.4.%u.%u",
	    (unsigned)p->oid[PACE_OID_LEN - 2], (unsigned)p->oid[PACE_OID_LEN - 1]);
	if (icao_pace_params_init(&q, dotted, p->param_id) != EG_OK)
		return false;
	return q.cipher == p->cipher && q.group_id == p->group_id &&
	    q.mapping == p->mapping;
}

int
icao_pace_kpi(enum icao_pace_pw type, const char *password,
    enum icao_cipher cipher, uint8_t kpi[ICAO_KEY_MAX])
{
	uint8_t h[20];
	const uint8_t *k;
	size_t n, klen;
	int r = EG_ERR_INVAL;

	if (password == NULL || kpi == NULL || icao_cipher_key_len(cipher) == 0)
		goto out;
	n = strnlen(password, MRZ_INFO_MAX + 1);
	if (type == ICAO_PACE_PW_MRZ) {
		if (n < MRZ_INFO_MIN || n > MRZ_INFO_MAX)
			goto out;
		for (size_t i = 0; i < n; i++) {
			char c = password[i];

			if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
			    c == '<'))
				goto out;
		}
		r = EG_ERR_CRYPTO;
		if (mbedtls_sha1_ret((const unsigned char *)password, n, h) != 0)
			goto out;
		k = h;
		klen = sizeof(h);
	} else if (type == ICAO_PACE_PW_CAN) {
		if (n < 1 || n > CAN_MAX)
			goto out;
		for (size_t i = 0; i < n; i++)
			if (password[i] < '0' || password[i] > '9')
				goto out;
		k = (const uint8_t *)password;
		klen = n;
	} else {
		goto out;
	}
	r = icao_kdf(k, klen, ICAO_KDF_PACE, cipher, kpi);
out:
	eg_memzero(h, sizeof(h));
	return r;
}

/* ---- the context -------------------------------------------------------- */

enum pace_step {
	ST_INIT = 0,	/* nothing done */
	ST_NONCE,	/* s known */
	ST_MAPPED,	/* G' known */
	ST_AGREED,	/* K, session keys, tokens known */
	ST_DONE,	/* peer token verified */
	ST_FAILED,	/* a step failed: secrets wiped, refuses everything */
};

struct icao_pace {
	enum icao_pace_role role;
	struct icao_pace_params p;
	icao_rng_fn rng;
	void *rng_ctx;
	mbedtls_ecp_group grp;
	size_t plen, klen, blen;
	enum pace_step step;
	/* secrets */
	uint8_t kpi[ICAO_KEY_MAX];
	uint8_t s[ICAO_PACE_NONCE_MAX];
	size_t slen;
	mbedtls_mpi map_sk, eph_sk;
	mbedtls_ecp_point h, gmap;
	uint8_t k[FIELD_MAX];
	uint8_t ksenc[ICAO_KEY_MAX], ksmac[ICAO_KEY_MAX];
	/* public */
	bool have_map_key, have_eph_key;
	mbedtls_ecp_point map_pk, eph_pk;
	uint8_t map_pub[ICAO_PACE_POINT_MAX], eph_pub[ICAO_PACE_POINT_MAX];
	uint8_t peer_eph[ICAO_PACE_POINT_MAX];
	size_t pt_len;
	uint8_t tok_own[ICAO_PACE_TOKEN_LEN], tok_peer[ICAO_PACE_TOKEN_LEN];
	/* IM: the terminal's nonce t and R(s, t) (secret) */
	uint8_t t[ICAO_KEY_MAX];
	size_t tlen;
	uint8_t r[PACE_IM_R_MAX];
	size_t rlen;
	/* CAM: the chip's mapping public point (terminal) and CA_IC */
	uint8_t peer_map[ICAO_PACE_POINT_MAX];
	bool have_peer_map;
	uint8_t ca_ic[FIELD_MAX];
	size_t ca_len;
};

/* Wipe all secrets; the context refuses further steps. */
static void
pace_fail(struct icao_pace *pc)
{
	eg_memzero(pc->kpi, sizeof(pc->kpi));
	eg_memzero(pc->s, sizeof(pc->s));
	eg_memzero(pc->k, sizeof(pc->k));
	eg_memzero(pc->ksenc, sizeof(pc->ksenc));
	eg_memzero(pc->ksmac, sizeof(pc->ksmac));
	eg_memzero(pc->tok_own, sizeof(pc->tok_own));
	eg_memzero(pc->tok_peer, sizeof(pc->tok_peer));
	eg_memzero(pc->r, sizeof(pc->r));
	eg_memzero(pc->ca_ic, sizeof(pc->ca_ic));
	pc->ca_len = 0;
	(void)mbedtls_mpi_lset(&pc->map_sk, 0);
	(void)mbedtls_mpi_lset(&pc->eph_sk, 0);
	mbedtls_ecp_point_free(&pc->h);
	mbedtls_ecp_point_init(&pc->h);
	pc->step = ST_FAILED;
}

int
icao_pace_new(enum icao_pace_role role, const struct icao_pace_params *params,
    const uint8_t *kpi, icao_rng_fn rng, void *rng_ctx, struct icao_pace **out)
{
	struct icao_pace *pc = NULL;
	int r = EG_ERR_INVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	if (params == NULL || kpi == NULL || rng == NULL ||
	    (role != ICAO_PACE_TERMINAL && role != ICAO_PACE_CHIP))
		goto out;
	r = EG_ERR_UNSUPPORTED;
	if (!icao_pace_params_check(params))
		goto out;
	r = EG_ERR_NOMEM;
	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		goto out;
	pc->role = role;
	pc->p = *params;
	pc->rng = rng;
	pc->rng_ctx = rng_ctx;
	mbedtls_ecp_group_init(&pc->grp);
	mbedtls_mpi_init(&pc->map_sk);
	mbedtls_mpi_init(&pc->eph_sk);
	mbedtls_ecp_point_init(&pc->h);
	mbedtls_ecp_point_init(&pc->gmap);
	mbedtls_ecp_point_init(&pc->map_pk);
	mbedtls_ecp_point_init(&pc->eph_pk);
	r = EG_ERR_CRYPTO;
	if (mbedtls_ecp_group_load(&pc->grp,
	    (mbedtls_ecp_group_id)params->group_id) != 0)
		goto out;
	pc->plen = icao_ec_plen(&pc->grp);
	pc->pt_len = 1 + 2 * pc->plen;
	pc->klen = icao_cipher_key_len(params->cipher);
	pc->blen = icao_cipher_block_len(params->cipher);
	memcpy(pc->kpi, kpi, pc->klen);
	*out = pc;
	pc = NULL;
	r = EG_OK;
out:
	icao_pace_free(&pc);
	return r;
}

void
icao_pace_free(struct icao_pace **ppc)
{
	struct icao_pace *pc;

	if (ppc == NULL || *ppc == NULL)
		return;
	pc = *ppc;
	pace_fail(pc);
	mbedtls_mpi_free(&pc->map_sk);
	mbedtls_mpi_free(&pc->eph_sk);
	mbedtls_ecp_point_free(&pc->h);
	mbedtls_ecp_point_free(&pc->gmap);
	mbedtls_ecp_point_free(&pc->map_pk);
	mbedtls_ecp_point_free(&pc->eph_pk);
	mbedtls_ecp_group_free(&pc->grp);
	eg_secret_free(ppc, sizeof(*pc));
}

int
icao_pace_nonce_make(struct icao_pace *pc, uint8_t *enc, size_t cap,
    size_t *len)
{
	int r = EG_ERR_INVAL;

	if (pc == NULL || enc == NULL || len == NULL)
		goto out;
	r = EG_ERR_STATE;
	if (pc->role != ICAO_PACE_CHIP || pc->step != ST_INIT)
		goto out;
	r = EG_ERR_OVERFLOW;
	if (cap < pc->blen)
		goto out;
	r = EG_ERR_CRYPTO;
	/* GM, CAM: one block; IM: l = 128 bits (3DES, AES-128) or 256 */
	pc->slen = pc->p.mapping != ICAO_PACE_MAP_IM ? pc->blen :
	    pc->klen <= 16 ? 16 : 32;
	if (pc->rng(pc->rng_ctx, pc->s, pc->slen) != 0)
		goto fail;
	if ((r = icao_cbc(pc->p.cipher, 1, pc->kpi, NULL, pc->s, pc->slen,
	    enc)) != EG_OK)
		goto fail;
	*len = pc->slen;
	pc->step = ST_NONCE;
	r = EG_OK;
	goto out;
fail:
	pace_fail(pc);
out:
	return r;
}

int
icao_pace_nonce_decrypt(struct icao_pace *pc, const uint8_t *enc, size_t len)
{
	int r = EG_ERR_INVAL;

	if (pc == NULL || (enc == NULL && len > 0))
		goto out;
	r = EG_ERR_STATE;
	if (pc->role != ICAO_PACE_TERMINAL || pc->step != ST_INIT)
		goto out;
	r = EG_ERR_PROTOCOL;
	if (len == 0 || len > ICAO_PACE_NONCE_MAX || len % pc->blen != 0 ||
	    (pc->p.mapping == ICAO_PACE_MAP_IM && len != 16 && len != 32))
		goto fail;
	if ((r = icao_cbc(pc->p.cipher, 0, pc->kpi, NULL, enc, len,
	    pc->s)) != EG_OK)
		goto fail;
	pc->slen = len;
	pc->step = ST_NONCE;
	r = EG_OK;
	goto out;
fail:
	pace_fail(pc);
out:
	return r;
}

/* The mapping and the ephemeral step are the same operation on a different
 * generator: a fresh key pair, its public point kept in pub and copied out. */
static int
pace_keypair(struct icao_pace *pc, const mbedtls_ecp_point *gen, mbedtls_mpi *sk,
    mbedtls_ecp_point *pk, uint8_t *pub, size_t pubsz, uint8_t *out, size_t cap,
    size_t *len)
{
	int r;

	if ((r = icao_ec_keygen(&pc->grp, gen, pc->rng, pc->rng_ctx, sk, pk)) != EG_OK ||
	    (r = icao_ec_point_write(&pc->grp, pk, pub, pubsz, len)) != EG_OK)
		goto fail;
	r = EG_ERR_OVERFLOW;
	if (cap < *len)
		goto fail;
	memcpy(out, pub, *len);
	return EG_OK;
fail:
	pace_fail(pc);
	return r;
}

/* IM, terminal: draw t (the key length of the cipher) and write it out. */
static int
pace_im_nonce(struct icao_pace *pc, uint8_t *out, size_t cap, size_t *len)
{
	int r = EG_ERR_OVERFLOW;

	if (cap < pc->klen)
		goto fail;
	r = EG_ERR_CRYPTO;
	pc->tlen = pc->klen;
	if (pc->rng(pc->rng_ctx, pc->t, pc->tlen) != 0)
		goto fail;
	memcpy(out, pc->t, pc->tlen);
	*len = pc->tlen;
	return EG_OK;
fail:
	pace_fail(pc);
	return r;
}

int
icao_pace_map_pub(struct icao_pace *pc, uint8_t *out, size_t cap, size_t *len)
{
	int r;

	if (pc == NULL || out == NULL || len == NULL)
		return EG_ERR_INVAL;
	if (pc->step != ST_NONCE || pc->have_map_key)
		return EG_ERR_STATE;
	if (pc->p.mapping == ICAO_PACE_MAP_IM) {
		/* terminal: the nonce t; chip: nothing (its '82' is empty) */
		r = EG_OK;
		*len = 0;
		if (pc->role == ICAO_PACE_TERMINAL)
			r = pace_im_nonce(pc, out, cap, len);
		if (r == EG_OK)
			pc->have_map_key = true;
		return r;
	}
	if ((r = pace_keypair(pc, &pc->grp.G, &pc->map_sk, &pc->map_pk, pc->map_pub,
	    sizeof(pc->map_pub), out, cap, len)) == EG_OK)
		pc->have_map_key = true;
	return r;
}

/* IM: G' = f_G(R_p(s, t)). The chip takes t from the terminal (peer); the
 * terminal's peer data is the chip's empty answer. */
static int
pace_im_map(struct icao_pace *pc, const uint8_t *peer, size_t len)
{
	mbedtls_mpi u;
	int r = EG_ERR_PROTOCOL;

	mbedtls_mpi_init(&u);
	if (pc->role == ICAO_PACE_CHIP) {
		if (peer == NULL || len != pc->klen)
			goto out;
		memcpy(pc->t, peer, len);
		pc->tlen = len;
	} else if (len != 0) {
		goto out;	/* the chip's mapping data must be empty */
	}
	if ((r = pace_im_prf(pc->p.cipher, pc->s, pc->slen, pc->t, pc->tlen,
	    mbedtls_mpi_bitlen(&pc->grp.P), pc->r, &pc->rlen)) != EG_OK)
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_mpi_read_binary(&u, pc->r, pc->rlen) != 0)
		goto out;
	r = pace_im_encode(&pc->grp, &u, &pc->gmap);
out:
	mbedtls_mpi_free(&u);
	return r;
}

int
icao_pace_map(struct icao_pace *pc, const uint8_t *peer, size_t len)
{
	mbedtls_ecp_point pk, sg;
	mbedtls_mpi s, one;
	int r = EG_ERR_INVAL;

	mbedtls_ecp_point_init(&pk);
	mbedtls_ecp_point_init(&sg);
	mbedtls_mpi_init(&s);
	mbedtls_mpi_init(&one);
	if (pc == NULL)
		goto out;
	r = EG_ERR_STATE;
	if (pc->step != ST_NONCE || !pc->have_map_key)
		goto out;
	if (pc->p.mapping == ICAO_PACE_MAP_IM) {
		if ((r = pace_im_map(pc, peer, len)) != EG_OK)
			goto fail;
		pc->step = ST_MAPPED;
		goto out;
	}
	if ((r = icao_ec_point_read(&pc->grp, peer, len, &pk)) != EG_OK)
		goto fail;
	if (pc->p.mapping == ICAO_PACE_MAP_CAM && pc->role == ICAO_PACE_TERMINAL) {
		/* kept to check CA_IC against PK_IC later */
		memcpy(pc->peer_map, peer, len);
		pc->have_peer_map = true;
	}
	/* H = SK_map · PK_map(peer) */
	r = EG_ERR_CRYPTO;
	if (mbedtls_ecp_mul(&pc->grp, &pc->h, &pc->map_sk, &pk, NULL, NULL) != 0)
		goto fail;
	r = EG_ERR_PROTOCOL;
	if (mbedtls_ecp_is_zero(&pc->h))
		goto fail;
	/* s as a scalar mod n (a nonce of one block is far below n) */
	r = EG_ERR_CRYPTO;
	if (mbedtls_mpi_read_binary(&s, pc->s, pc->slen) != 0 ||
	    mbedtls_mpi_mod_mpi(&s, &s, &pc->grp.N) != 0)
		goto fail;
	r = EG_ERR_PROTOCOL;
	if (mbedtls_mpi_cmp_int(&s, 0) == 0)
		goto fail;
	/* G' = s·G + H: the secret multiplication in constant time with
	 * mbedtls_ecp_mul, then 1·sG + 1·H (muladd is not constant time, but
	 * its scalars are public here). */
	r = EG_ERR_CRYPTO;
	if (mbedtls_ecp_mul(&pc->grp, &sg, &s, &pc->grp.G, NULL, NULL) != 0 ||
	    mbedtls_mpi_lset(&one, 1) != 0 ||
	    mbedtls_ecp_muladd(&pc->grp, &pc->gmap, &one, &sg, &one,
	    &pc->h) != 0)
		goto fail;
	r = EG_ERR_PROTOCOL;
	if (mbedtls_ecp_is_zero(&pc->gmap))
		goto fail;
	pc->step = ST_MAPPED;
	r = EG_OK;
	goto out;
fail:
	pace_fail(pc);
out:
	mbedtls_ecp_point_free(&pk);
	mbedtls_ecp_point_free(&sg);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&one);
	return r;
}

int
icao_pace_eph_pub(struct icao_pace *pc, uint8_t *out, size_t cap, size_t *len)
{
	int r;

	if (pc == NULL || out == NULL || len == NULL)
		return EG_ERR_INVAL;
	if (pc->step != ST_MAPPED || pc->have_eph_key)
		return EG_ERR_STATE;
	if ((r = pace_keypair(pc, &pc->gmap, &pc->eph_sk, &pc->eph_pk, pc->eph_pub,
	    sizeof(pc->eph_pub), out, cap, len)) == EG_OK)
		pc->have_eph_key = true;
	return r;
}

/* T = MAC(KSmac, 7F49 { 06 OID, 86 point }) */
static int
pace_token_calc(const struct icao_pace *pc, const uint8_t *pt, uint8_t *tok)
{
	uint8_t buf[TOKDATA_MAX];
	struct eg_wbuf w;
	int r;

	eg_wbuf_init_fixed(&w, buf, sizeof(buf), false);
	if ((r = icao_ec_pubkey_do(pc->p.oid, pc->p.oid_len, pt, pc->pt_len,
	    &w)) != EG_OK)
		return r;
	if (pc->p.cipher == ICAO_CIPHER_3DES)
		return icao_mac(pc->p.cipher, pc->ksmac, w.data, w.len, tok);
	return icao_cmac8(pc->p.cipher, pc->ksmac, w.data, w.len, tok);
}

int
icao_pace_agree(struct icao_pace *pc, const uint8_t *peer, size_t len)
{
	mbedtls_ecp_point pk;
	int r = EG_ERR_INVAL;

	mbedtls_ecp_point_init(&pk);
	if (pc == NULL)
		goto out;
	r = EG_ERR_STATE;
	if (pc->step != ST_MAPPED || !pc->have_eph_key)
		goto out;
	if ((r = icao_ec_point_read(&pc->grp, peer, len, &pk)) != EG_OK)
		goto fail;
	/* the peer must not reflect our own key (Doc 9303 §4.4.3.3.3) */
	r = EG_ERR_PROTOCOL;
	if (memcmp(peer, pc->eph_pub, pc->pt_len) == 0)
		goto fail;
	memcpy(pc->peer_eph, peer, pc->pt_len);
	if ((r = icao_ec_shared_x(&pc->grp, &pc->eph_sk, &pk, pc->k,
	    sizeof(pc->k))) != EG_OK)
		goto fail;
	if ((r = icao_kdf(pc->k, pc->plen, ICAO_KDF_ENC, pc->p.cipher,
	    pc->ksenc)) != EG_OK ||
	    (r = icao_kdf(pc->k, pc->plen, ICAO_KDF_MAC, pc->p.cipher,
	    pc->ksmac)) != EG_OK)
		goto fail;
	/* our token covers the peer's key, the peer's token ours */
	if ((r = pace_token_calc(pc, pc->peer_eph, pc->tok_own)) != EG_OK ||
	    (r = pace_token_calc(pc, pc->eph_pub, pc->tok_peer)) != EG_OK)
		goto fail;
	/* Kπ, s and the private keys are not needed any more (but the
	 * chip's mapping key with CAM: icao_pace_cam_encrypt wipes it) */
	eg_memzero(pc->kpi, sizeof(pc->kpi));
	eg_memzero(pc->s, sizeof(pc->s));
	eg_memzero(pc->r, sizeof(pc->r));
	if (!(pc->p.mapping == ICAO_PACE_MAP_CAM && pc->role == ICAO_PACE_CHIP))
		(void)mbedtls_mpi_lset(&pc->map_sk, 0);
	(void)mbedtls_mpi_lset(&pc->eph_sk, 0);
	pc->step = ST_AGREED;
	r = EG_OK;
	goto out;
fail:
	pace_fail(pc);
out:
	mbedtls_ecp_point_free(&pk);
	return r;
}

int
icao_pace_token(const struct icao_pace *pc, uint8_t tok[ICAO_PACE_TOKEN_LEN])
{
	if (pc == NULL || tok == NULL)
		return EG_ERR_INVAL;
	if (pc->step != ST_AGREED && pc->step != ST_DONE)
		return EG_ERR_STATE;
	memcpy(tok, pc->tok_own, ICAO_PACE_TOKEN_LEN);
	return EG_OK;
}

int
icao_pace_verify(struct icao_pace *pc, const uint8_t *tok, size_t len)
{
	if (pc == NULL || (tok == NULL && len > 0))
		return EG_ERR_INVAL;
	if (pc->step != ST_AGREED)
		return EG_ERR_STATE;
	if (len != ICAO_PACE_TOKEN_LEN ||
	    !eg_ct_equal(tok, pc->tok_peer, ICAO_PACE_TOKEN_LEN)) {
		pace_fail(pc);
		return EG_ERR_AUTH;
	}
	pc->step = ST_DONE;
	return EG_OK;
}

bool
icao_pace_established(const struct icao_pace *pc)
{
	return pc != NULL && pc->step == ST_DONE;
}

int
icao_pace_session_keys(const struct icao_pace *pc, enum icao_cipher *c,
    uint8_t *ksenc, uint8_t *ksmac)
{
	if (pc == NULL || c == NULL || ksenc == NULL || ksmac == NULL)
		return EG_ERR_INVAL;
	if (pc->step != ST_DONE)
		return EG_ERR_STATE;
	*c = pc->p.cipher;
	memcpy(ksenc, pc->ksenc, pc->klen);
	memcpy(ksmac, pc->ksmac, pc->klen);
	return EG_OK;
}

int
icao_pace_install(const struct icao_pace *pc, struct icao_sm *sm)
{
	if (pc == NULL || sm == NULL)
		return EG_ERR_INVAL;
	if (pc->step != ST_DONE)
		return EG_ERR_STATE;
	return icao_sm_set_keys(sm, pc->p.cipher, pc->ksenc, pc->ksmac, NULL);
}

/* ---- Chip Authentication Mapping ------------------------------------------ */

/* The CBC IV of A_IC: E(KSenc, -1), the all-ones block. */
static int
cam_iv(const struct icao_pace *pc, uint8_t iv[ICAO_BLOCK_MAX])
{
	uint8_t ones[ICAO_BLOCK_MAX];

	memset(ones, 0xFF, sizeof(ones));
	return icao_ecb_block(pc->p.cipher, pc->ksenc, ones, iv);
}

int
icao_pace_cam_encrypt(struct icao_pace *pc, const uint8_t *sk_ic,
    size_t sk_len, uint8_t *out, size_t cap, size_t *len)
{
	mbedtls_mpi sk, ca;
	uint8_t iv[ICAO_BLOCK_MAX], buf[FIELD_MAX + ICAO_BLOCK_MAX];
	size_t nlen, plen = 0;
	int r = EG_ERR_INVAL;

	mbedtls_mpi_init(&sk);
	mbedtls_mpi_init(&ca);
	if (pc == NULL || sk_ic == NULL || sk_len == 0 || out == NULL ||
	    len == NULL)
		goto out;
	r = EG_ERR_STATE;
	if (pc->p.mapping != ICAO_PACE_MAP_CAM || pc->role != ICAO_PACE_CHIP ||
	    (pc->step != ST_AGREED && pc->step != ST_DONE) ||
	    mbedtls_mpi_cmp_int(&pc->map_sk, 0) == 0)
		goto out;
	nlen = mbedtls_mpi_size(&pc->grp.N);
	r = EG_ERR_CRYPTO;
	if (mbedtls_mpi_read_binary(&sk, sk_ic, sk_len) != 0)
		goto out;
	r = EG_ERR_INVAL;
	if (mbedtls_mpi_cmp_int(&sk, 1) < 0 ||
	    mbedtls_mpi_cmp_mpi(&sk, &pc->grp.N) >= 0)
		goto out;
	/* CA_IC = SK_IC^-1 · SK_map,IC mod n, FE2OS to the length of n */
	r = EG_ERR_CRYPTO;
	if (mbedtls_mpi_inv_mod(&ca, &sk, &pc->grp.N) != 0 ||
	    mbedtls_mpi_mul_mpi(&ca, &ca, &pc->map_sk) != 0 ||
	    mbedtls_mpi_mod_mpi(&ca, &ca, &pc->grp.N) != 0 ||
	    mbedtls_mpi_write_binary(&ca, buf, nlen) != 0)
		goto out;
	if ((r = icao_pad(buf, nlen, pc->blen, buf, sizeof(buf), &plen)) != EG_OK)
		goto out;
	r = EG_ERR_OVERFLOW;
	if (cap < plen)
		goto out;
	if ((r = cam_iv(pc, iv)) != EG_OK ||
	    (r = icao_cbc(pc->p.cipher, 1, pc->ksenc, iv, buf, plen, out)) != EG_OK)
		goto out;
	*len = plen;
	/* the mapping key has done its last job */
	(void)mbedtls_mpi_lset(&pc->map_sk, 0);
out:
	eg_memzero(buf, sizeof(buf));
	eg_memzero(iv, sizeof(iv));
	mbedtls_mpi_free(&sk);
	mbedtls_mpi_free(&ca);
	return r;
}

int
icao_pace_cam_decrypt(struct icao_pace *pc, const uint8_t *a_ic, size_t len)
{
	uint8_t iv[ICAO_BLOCK_MAX], buf[FIELD_MAX + 2 * ICAO_BLOCK_MAX];
	mbedtls_mpi ca;
	size_t ul = 0;
	int r = EG_ERR_INVAL;

	mbedtls_mpi_init(&ca);
	if (pc == NULL || (a_ic == NULL && len > 0))
		goto out;
	r = EG_ERR_STATE;
	if (pc->p.mapping != ICAO_PACE_MAP_CAM || pc->role != ICAO_PACE_TERMINAL ||
	    (pc->step != ST_AGREED && pc->step != ST_DONE))
		goto out;
	r = EG_ERR_FORMAT;
	if (len == 0 || len % pc->blen != 0 || len > sizeof(buf))
		goto out;
	if ((r = cam_iv(pc, iv)) != EG_OK ||
	    (r = icao_cbc(pc->p.cipher, 0, pc->ksenc, iv, a_ic, len, buf)) != EG_OK ||
	    (r = icao_unpad(buf, len, pc->blen, &ul)) != EG_OK)
		goto out;
	r = EG_ERR_FORMAT;
	if (ul == 0 || ul > mbedtls_mpi_size(&pc->grp.N))
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_mpi_read_binary(&ca, buf, ul) != 0)
		goto out;
	r = EG_ERR_FORMAT;
	if (mbedtls_mpi_cmp_int(&ca, 0) == 0 ||
	    mbedtls_mpi_cmp_mpi(&ca, &pc->grp.N) >= 0)
		goto out;
	memcpy(pc->ca_ic, buf, ul);
	pc->ca_len = ul;
	r = EG_OK;
out:
	eg_memzero(buf, sizeof(buf));
	eg_memzero(iv, sizeof(iv));
	mbedtls_mpi_free(&ca);
	return r;
}

int
icao_pace_cam_get(const struct icao_pace *pc, struct icao_pace_cam *out)
{
	if (pc == NULL || out == NULL)
		return EG_ERR_INVAL;
	if (pc->ca_len == 0 || !pc->have_peer_map ||
	    (pc->step != ST_AGREED && pc->step != ST_DONE))
		return EG_ERR_STATE;
	icao_pace_cam_clear(out);
	out->present = true;
	out->group_id = pc->p.group_id;
	memcpy(out->ca_ic, pc->ca_ic, pc->ca_len);
	out->ca_ic_len = pc->ca_len;
	memcpy(out->pk_map_ic, pc->peer_map, pc->pt_len);
	out->pk_map_ic_len = pc->pt_len;
	return EG_OK;
}

void
icao_pace_cam_clear(struct icao_pace_cam *c)
{
	if (c != NULL)
		eg_memzero(c, sizeof(*c));
}

int
icao_pace_cam_verify(const struct icao_pace_cam *c, const uint8_t *spki,
    size_t spki_len)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point pk, q;
	mbedtls_mpi ca;
	uint8_t got[ICAO_PACE_POINT_MAX];
	size_t gl = 0;
	int r = EG_ERR_INVAL;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&pk);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&ca);
	if (c == NULL || spki == NULL)
		goto out;
	r = EG_ERR_STATE;
	if (!c->present || c->ca_ic_len == 0 || c->pk_map_ic_len == 0)
		goto out;
	if ((r = icao_ec_spki_parse(spki, spki_len, &grp, &pk)) != EG_OK)
		goto out;
	/* PK_IC on PACE's domain parameters, or nothing to compare */
	r = EG_ERR_UNSUPPORTED;
	if ((int)grp.id != c->group_id)
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_mpi_read_binary(&ca, c->ca_ic, c->ca_ic_len) != 0)
		goto out;
	/* CA_IC · PK_IC (both public values: mbedtls_ecp_mul with no RNG
	 * still works in constant time) */
	if (mbedtls_ecp_mul(&grp, &q, &ca, &pk, NULL, NULL) != 0)
		goto out;
	if ((r = icao_ec_point_write(&grp, &q, got, sizeof(got), &gl)) != EG_OK)
		goto out;
	r = gl == c->pk_map_ic_len && eg_ct_equal(got, c->pk_map_ic, gl) ?
	    EG_OK : EG_ERR_AUTH;
out:
	mbedtls_ecp_group_free(&grp);
	mbedtls_ecp_point_free(&pk);
	mbedtls_ecp_point_free(&q);
	mbedtls_mpi_free(&ca);
	return r;
}

static int
copy_out(const void *src, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	if (cap < n)
		return EG_ERR_OVERFLOW;
	memcpy(out, src, n);
	*len = n;
	return EG_OK;
}

int
icao_pace_get(const struct icao_pace *pc, enum icao_pace_value v,
    uint8_t *out, size_t cap, size_t *len)
{
	bool agreed;

	if (pc == NULL || out == NULL || len == NULL)
		return EG_ERR_INVAL;
	agreed = pc->step == ST_AGREED || pc->step == ST_DONE;
	switch (v) {
	case ICAO_PACE_V_NONCE:
		if (pc->step != ST_NONCE && pc->step != ST_MAPPED)
			return EG_ERR_STATE;
		return copy_out(pc->s, pc->slen, out, cap, len);
	case ICAO_PACE_V_MAP_PUB:
		if (!pc->have_map_key || pc->step == ST_FAILED)
			return EG_ERR_STATE;
		return copy_out(pc->map_pub, pc->pt_len, out, cap, len);
	case ICAO_PACE_V_MAP_H:
		if (pc->step != ST_MAPPED && !agreed)
			return EG_ERR_STATE;
		return icao_ec_point_write(&pc->grp, &pc->h, out, cap, len);
	case ICAO_PACE_V_MAP_G:
		if (pc->step != ST_MAPPED && !agreed)
			return EG_ERR_STATE;
		return icao_ec_point_write(&pc->grp, &pc->gmap, out, cap, len);
	case ICAO_PACE_V_EPH_PUB:
		if (!pc->have_eph_key || pc->step == ST_FAILED)
			return EG_ERR_STATE;
		return copy_out(pc->eph_pub, pc->pt_len, out, cap, len);
	case ICAO_PACE_V_PEER_EPH:
		if (!agreed)
			return EG_ERR_STATE;
		return copy_out(pc->peer_eph, pc->pt_len, out, cap, len);
	case ICAO_PACE_V_SHARED_K:
		if (!agreed)
			return EG_ERR_STATE;
		return copy_out(pc->k, pc->plen, out, cap, len);
	case ICAO_PACE_V_KSENC:
		if (!agreed)
			return EG_ERR_STATE;
		return copy_out(pc->ksenc, pc->klen, out, cap, len);
	case ICAO_PACE_V_KSMAC:
		if (!agreed)
			return EG_ERR_STATE;
		return copy_out(pc->ksmac, pc->klen, out, cap, len);
	case ICAO_PACE_V_IM_T:
		if (pc->tlen == 0 || pc->step == ST_FAILED)
			return EG_ERR_STATE;
		return copy_out(pc->t, pc->tlen, out, cap, len);
	case ICAO_PACE_V_IM_R:
		if (pc->rlen == 0 || pc->step != ST_MAPPED)
			return EG_ERR_STATE;
		return copy_out(pc->r, pc->rlen, out, cap, len);
	case ICAO_PACE_V_CAM_CA:
		if (pc->ca_len == 0 || !agreed)
			return EG_ERR_STATE;
		return copy_out(pc->ca_ic, pc->ca_len, out, cap, len);
	}
	return EG_ERR_INVAL;
}

/* ---- terminal over a channel -------------------------------------------- */

/* One GENERAL AUTHENTICATE: send tag/value, return the response's rtag
 * value (borrowed from resp). */
static int
pace_ga(struct icao_chan *ch, bool last, uint32_t tag, const uint8_t *v,
    size_t n, uint32_t rtag, struct eg_wbuf *resp, struct eg_rbuf *out,
    uint16_t *sw)
{
	uint8_t dbuf[8 + ICAO_PACE_POINT_MAX];
	struct eg_wbuf data;
	struct icao_apdu cmd;
	int r;

	eg_wbuf_init_fixed(&data, dbuf, sizeof(dbuf), false);
	eg_wbuf_reset(resp);
	if ((r = icao_ga_build(last, tag, v, n, &data, &cmd)) != EG_OK ||
	    (r = icao_chan_transceive(ch, &cmd, resp, sw)) != EG_OK)
		return r;
	return icao_ga_parse(resp->data, resp->len, rtag, out);
}

/* IM: the chip's answer to the nonce t is '7C 00' or '7C 02 82 00'. */
static int
pace_im_answer(const struct eg_wbuf *resp)
{
	struct eg_rbuf b = icao_rbuf(resp->data, resp->len);
	struct eg_tlv outer, in;
	int r;

	if ((r = eg_tlv_expect(&b, ICAO_DO_DYN_AUTH, &outer)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	if (eg_rbuf_left(&outer.value) == 0)
		return EG_OK;
	if ((r = eg_tlv_expect(&outer.value, ICAO_PACE_DO_MAP_C, &in)) != EG_OK)
		return r;
	return eg_rbuf_left(&in.value) == 0 && eg_rbuf_left(&outer.value) == 0 ?
	    EG_OK : EG_ERR_PROTOCOL;
}

int
icao_pace_run(struct icao_chan *ch, const struct icao_pace_params *params,
    enum icao_pace_pw pw_type, const char *password, icao_rng_fn rng,
    void *rng_ctx, struct icao_sm *sm, uint16_t *sw)
{
	return icao_pace_run_cam(ch, params, pw_type, password, rng, rng_ctx, sm,
	    NULL, sw);
}

int
icao_pace_run_cam(struct icao_chan *ch, const struct icao_pace_params *params,
    enum icao_pace_pw pw_type, const char *password, icao_rng_fn rng,
    void *rng_ctx, struct icao_sm *sm, struct icao_pace_cam *cam, uint16_t *sw)
{
	uint8_t kpi[ICAO_KEY_MAX], pt[ICAO_PACE_POINT_MAX], tok[8], mbuf[32];
	struct icao_pace *pc = NULL;
	struct eg_wbuf data, resp;
	struct icao_apdu cmd;
	struct eg_rbuf v;
	uint16_t dummy;
	size_t n;
	int r = EG_ERR_INVAL;

	eg_wbuf_init(&resp, 1024, false);
	if (sw == NULL)
		sw = &dummy;
	*sw = 0;
	icao_pace_cam_clear(cam);
	if (ch == NULL || params == NULL || sm == NULL)
		goto out;
	icao_chan_set_sm(ch, NULL);
	icao_sm_close(sm);
	if ((r = icao_pace_kpi(pw_type, password, params->cipher, kpi)) != EG_OK ||
	    (r = icao_pace_new(ICAO_PACE_TERMINAL, params, kpi, rng, rng_ctx,
	    &pc)) != EG_OK)
		goto out;
	/* MSE:Set AT */
	eg_wbuf_init_fixed(&data, mbuf, sizeof(mbuf), false);
	if ((r = icao_mse_set_at_build(ICAO_MSE_SET_AT_PACE, params->oid,
	    params->oid_len, (int)pw_type, -1, &data, &cmd)) != EG_OK ||
	    (r = icao_chan_transceive(ch, &cmd, NULL, sw)) != EG_OK)
		goto out;
	/* 1: encrypted nonce */
	if ((r = pace_ga(ch, false, ICAO_PACE_DO_NONCE, NULL, 0,
	    ICAO_PACE_DO_NONCE, &resp, &v, sw)) != EG_OK ||
	    (r = icao_pace_nonce_decrypt(pc, v.p, eg_rbuf_left(&v))) != EG_OK)
		goto out;
	/* 2: mapping (IM: our nonce t, an empty answer) */
	if ((r = icao_pace_map_pub(pc, pt, sizeof(pt), &n)) != EG_OK)
		goto out;
	if (params->mapping == ICAO_PACE_MAP_IM) {
		uint8_t dbuf[8 + ICAO_PACE_POINT_MAX];

		eg_wbuf_init_fixed(&data, dbuf, sizeof(dbuf), false);
		eg_wbuf_reset(&resp);
		if ((r = icao_ga_build(false, ICAO_PACE_DO_MAP_T, pt, n, &data,
		    &cmd)) != EG_OK ||
		    (r = icao_chan_transceive(ch, &cmd, &resp, sw)) != EG_OK ||
		    (r = pace_im_answer(&resp)) != EG_OK ||
		    (r = icao_pace_map(pc, NULL, 0)) != EG_OK)
			goto out;
	} else if ((r = pace_ga(ch, false, ICAO_PACE_DO_MAP_T, pt, n,
	    ICAO_PACE_DO_MAP_C, &resp, &v, sw)) != EG_OK ||
	    (r = icao_pace_map(pc, v.p, eg_rbuf_left(&v))) != EG_OK) {
		goto out;
	}
	/* 3: key agreement */
	if ((r = icao_pace_eph_pub(pc, pt, sizeof(pt), &n)) != EG_OK ||
	    (r = pace_ga(ch, false, ICAO_PACE_DO_EPK_T, pt, n,
	    ICAO_PACE_DO_EPK_C, &resp, &v, sw)) != EG_OK ||
	    (r = icao_pace_agree(pc, v.p, eg_rbuf_left(&v))) != EG_OK)
		goto out;
	/* 4: mutual authentication */
	if ((r = icao_pace_token(pc, tok)) != EG_OK)
		goto out;
	r = pace_ga(ch, true, ICAO_PACE_DO_TOK_T, tok, sizeof(tok),
	    ICAO_PACE_DO_TOK_C, &resp, &v, sw);
	if (r == EG_ERR_CARD_STATUS && (*sw == 0x6300 ||
	    (*sw & 0xFFF0) == 0x63C0 || *sw == ICAO_SW_SECURITY_STATUS))
		r = EG_ERR_AUTH;	/* the chip rejects our token */
	if (r != EG_OK)
		goto out;
	if ((r = icao_pace_verify(pc, v.p, eg_rbuf_left(&v))) != EG_OK)
		goto out;
	if (params->mapping == ICAO_PACE_MAP_CAM) {
		/* the chip's encrypted chip authentication data, next to
		 * its token (only now, after the token verified) */
		if ((r = icao_ga_parse(resp.data, resp.len, ICAO_PACE_DO_CAM,
		    &v)) != EG_OK ||
		    (r = icao_pace_cam_decrypt(pc, v.p, eg_rbuf_left(&v))) != EG_OK)
			goto out;
		if (cam != NULL && (r = icao_pace_cam_get(pc, cam)) != EG_OK)
			goto out;
	}
	if ((r = icao_pace_install(pc, sm)) != EG_OK)
		goto out;
	icao_chan_set_sm(ch, sm);
out:
	if (r != EG_OK) {
		if (sm != NULL)
			icao_sm_close(sm);
		icao_pace_cam_clear(cam);
	}
	eg_memzero(kpi, sizeof(kpi));
	eg_wbuf_free(&resp);
	icao_pace_free(&pc);
	return r;
}
