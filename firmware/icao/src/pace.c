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
#include "util.h"

#define MRZ_INFO_MIN	24
#define MRZ_INFO_MAX	64
#define CAN_MAX		16
#define FIELD_MAX	66
#define TOKDATA_MAX	(4 + 2 + ICAO_PACE_OID_MAX + 3 + ICAO_PACE_POINT_MAX)

/* id-PACE-ECDH-GM = 0.4.0.127.0.7.2.2.4.2 (BSI TR-03110-3 A.1.1) */
static const struct {
	const char *dotted;
	enum icao_cipher cipher;
	uint8_t last;
} pace_oids[] = {
	{ "0.4.0.127.0.7.2.2.4.2.1", ICAO_CIPHER_3DES, 1 },
	{ "0.4.0.127.0.7.2.2.4.2.2", ICAO_CIPHER_AES128, 2 },
	{ "0.4.0.127.0.7.2.2.4.2.3", ICAO_CIPHER_AES192, 3 },
	{ "0.4.0.127.0.7.2.2.4.2.4", ICAO_CIPHER_AES256, 4 },
};
static const uint8_t pace_ecdh_gm_prefix[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02,
};

/* Standardized domain parameters (Doc 9303 Part 11 §9.5.1) in mbedTLS. */
static const struct {
	int id;
	mbedtls_ecp_group_id gid;
	const char *name;
} pace_curves[] = {
	{ 8, MBEDTLS_ECP_DP_SECP192R1, "NIST P-192" },
	{ 10, MBEDTLS_ECP_DP_SECP224R1, "NIST P-224" },
	{ 12, MBEDTLS_ECP_DP_SECP256R1, "NIST P-256" },
	{ 13, MBEDTLS_ECP_DP_BP256R1, "brainpoolP256r1" },
	{ 15, MBEDTLS_ECP_DP_SECP384R1, "NIST P-384" },
	{ 16, MBEDTLS_ECP_DP_BP384R1, "brainpoolP384r1" },
	{ 17, MBEDTLS_ECP_DP_BP512R1, "brainpoolP512r1" },
	{ 18, MBEDTLS_ECP_DP_SECP521R1, "NIST P-521" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int
icao_pace_params_init(struct icao_pace_params *p, const char *oid_dotted,
    long param_id)
{
	size_t i, j;

	if (p == NULL || oid_dotted == NULL)
		return EG_ERR_INVAL;
	memset(p, 0, sizeof(*p));
	for (i = 0; i < NELEM(pace_oids); i++)
		if (strcmp(pace_oids[i].dotted, oid_dotted) == 0)
			break;
	for (j = 0; j < NELEM(pace_curves); j++)
		if (pace_curves[j].id == param_id)
			break;
	if (i == NELEM(pace_oids) || j == NELEM(pace_curves))
		return EG_ERR_UNSUPPORTED;
	memcpy(p->oid, pace_ecdh_gm_prefix, sizeof(pace_ecdh_gm_prefix));
	p->oid[sizeof(pace_ecdh_gm_prefix)] = pace_oids[i].last;
	p->oid_len = sizeof(pace_ecdh_gm_prefix) + 1;
	p->cipher = pace_oids[i].cipher;
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
	char dotted[32];

	if (p == NULL || p->oid_len != sizeof(pace_ecdh_gm_prefix) + 1 ||
	    memcmp(p->oid, pace_ecdh_gm_prefix, sizeof(pace_ecdh_gm_prefix)) != 0)
		return false;
	(void)snprintf(dotted, sizeof(dotted), "0.4.0.127.0.7.2.2.4.2.%u",
	    (unsigned)p->oid[p->oid_len - 1]);
	if (icao_pace_params_init(&q, dotted, p->param_id) != EG_OK)
		return false;
	return q.cipher == p->cipher && q.group_id == p->group_id;
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
	pc->slen = pc->blen;
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
	if (len == 0 || len > ICAO_PACE_NONCE_MAX || len % pc->blen != 0)
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

int
icao_pace_map_pub(struct icao_pace *pc, uint8_t *out, size_t cap, size_t *len)
{
	int r;

	if (pc == NULL || out == NULL || len == NULL)
		return EG_ERR_INVAL;
	if (pc->step != ST_NONCE || pc->have_map_key)
		return EG_ERR_STATE;
	if ((r = pace_keypair(pc, &pc->grp.G, &pc->map_sk, &pc->map_pk, pc->map_pub,
	    sizeof(pc->map_pub), out, cap, len)) == EG_OK)
		pc->have_map_key = true;
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
	if ((r = icao_ec_point_read(&pc->grp, peer, len, &pk)) != EG_OK)
		goto fail;
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
	/* Kπ, s and the private keys are not needed any more */
	eg_memzero(pc->kpi, sizeof(pc->kpi));
	eg_memzero(pc->s, sizeof(pc->s));
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

int
icao_pace_run(struct icao_chan *ch, const struct icao_pace_params *params,
    enum icao_pace_pw pw_type, const char *password, icao_rng_fn rng,
    void *rng_ctx, struct icao_sm *sm, uint16_t *sw)
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
	/* 2: mapping */
	if ((r = icao_pace_map_pub(pc, pt, sizeof(pt), &n)) != EG_OK ||
	    (r = pace_ga(ch, false, ICAO_PACE_DO_MAP_T, pt, n,
	    ICAO_PACE_DO_MAP_C, &resp, &v, sw)) != EG_OK ||
	    (r = icao_pace_map(pc, v.p, eg_rbuf_left(&v))) != EG_OK)
		goto out;
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
	if ((r = icao_pace_verify(pc, v.p, eg_rbuf_left(&v))) != EG_OK ||
	    (r = icao_pace_install(pc, sm)) != EG_OK)
		goto out;
	icao_chan_set_sm(ch, sm);
out:
	if (r != EG_OK && sm != NULL)
		icao_sm_close(sm);
	eg_memzero(kpi, sizeof(kpi));
	eg_wbuf_free(&resp);
	icao_pace_free(&pc);
	return r;
}
