/* SPDX-License-Identifier: Apache-2.0 */
/* ca.c — Chip Authentication (ECDH), both roles (see ca.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "icao/ca.h"
#include "icao/iso7816.h"
#include "icao/sm.h"
#include "ec.h"
#include "util.h"

#define FIELD_MAX	66
#define POINT_MAX	133
#define SPKI_MAX	400

/* id-CA-ECDH = 0.4.0.127.0.7.2.2.3.2; id-PK-ECDH = 0.4.0.127.0.7.2.2.1.2 */
static const uint8_t ca_ecdh_prefix[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02,
};
static const uint8_t pk_ecdh_oid[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02,
};

static const enum icao_cipher ca_ciphers[] = {
	ICAO_CIPHER_3DES, ICAO_CIPHER_AES128, ICAO_CIPHER_AES192,
	ICAO_CIPHER_AES256,
};

int
icao_ca_params_init(struct icao_ca_params *p, const char *oid_dotted,
    long key_id)
{
	char want[32];

	if (p == NULL || oid_dotted == NULL)
		return EG_ERR_INVAL;
	memset(p, 0, sizeof(*p));
	for (unsigned i = 1; i <= 4; i++) {
		(void)snprintf(want, sizeof(want), "0.4.0.127.0.7.2.2.3.2.%u", i);
		if (strcmp(want, oid_dotted) != 0)
			continue;
		memcpy(p->oid, ca_ecdh_prefix, sizeof(ca_ecdh_prefix));
		p->oid[sizeof(ca_ecdh_prefix)] = (uint8_t)i;
		p->oid_len = sizeof(ca_ecdh_prefix) + 1;
		p->cipher = ca_ciphers[i - 1];
		p->key_id = key_id < 0 ? -1 : key_id;
		return EG_OK;
	}
	return EG_ERR_UNSUPPORTED;
}

static bool
params_ok(const struct icao_ca_params *p)
{
	uint8_t last;

	if (p == NULL || p->oid_len != sizeof(ca_ecdh_prefix) + 1 ||
	    memcmp(p->oid, ca_ecdh_prefix, sizeof(ca_ecdh_prefix)) != 0)
		return false;
	last = p->oid[p->oid_len - 1];
	return last >= 1 && last <= 4 && p->cipher == ca_ciphers[last - 1];
}

/* keyId as a minimal unsigned big-endian integer into DO tag. */
static int
put_key_id(struct eg_wbuf *w, uint32_t tag, long key_id)
{
	uint8_t b[sizeof(long)];
	size_t n = 0;
	unsigned long v = (unsigned long)key_id;

	do {
		b[sizeof(b) - 1 - n++] = (uint8_t)v;
		v >>= 8;
	} while (v != 0 && n < sizeof(b));
	return eg_tlv_put(w, tag, b + sizeof(b) - n, n);
}

enum icao_ca_result
icao_ca_judge(int err, uint16_t sw)
{
	if (err == EG_OK)
		return ICAO_CA_PASS;
	if (err == EG_ERR_MAC || (err == EG_ERR_CARD_STATUS &&
	    (sw == ICAO_SW_SM_MISSING || sw == ICAO_SW_SM_INCORRECT)))
		return ICAO_CA_FAIL;
	return ICAO_CA_INCONCLUSIVE;
}

const char *
icao_ca_result_str(enum icao_ca_result r)
{
	switch (r) {
	case ICAO_CA_PASS: return "pass";
	case ICAO_CA_FAIL: return "fail";
	case ICAO_CA_INCONCLUSIVE: return "inconclusive";
	}
	return "unknown";
}

int
icao_ca_run(struct icao_chan *ch, const struct icao_ca_params *p,
    const uint8_t *spki, size_t spki_len, icao_rng_fn rng, void *rng_ctx,
    uint16_t *sw)
{
	mbedtls_ecp_group grp;
	mbedtls_mpi sk;
	mbedtls_ecp_point pub, pkc;
	struct icao_sm *sm;
	struct eg_wbuf data, resp;
	struct icao_apdu cmd;
	struct eg_rbuf rb;
	struct eg_tlv t;
	uint8_t k[FIELD_MAX], ksenc[ICAO_KEY_MAX], ksmac[ICAO_KEY_MAX];
	uint8_t pt[POINT_MAX], dbuf[16 + POINT_MAX], gbuf[8 + POINT_MAX];
	size_t ptlen, plen;
	uint16_t dummy;
	int r = EG_ERR_INVAL;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&sk);
	mbedtls_ecp_point_init(&pub);
	mbedtls_ecp_point_init(&pkc);
	eg_wbuf_init(&resp, 1024, false);
	if (sw == NULL)
		sw = &dummy;
	*sw = 0;
	if (ch == NULL || spki == NULL || rng == NULL)
		goto out;
	r = EG_ERR_UNSUPPORTED;
	if (!params_ok(p))
		goto out;
	r = EG_ERR_STATE;
	if ((sm = icao_chan_sm(ch)) == NULL ||
	    icao_sm_state(sm) != ICAO_SM_READY)
		goto out;
	/* the chip's static key (named or explicit domain parameters) */
	if ((r = icao_ec_spki_parse(spki, spki_len, &grp, &pkc)) != EG_OK)
		goto out;
	/* our ephemeral key and the shared secret */
	plen = icao_ec_plen(&grp);
	if ((r = icao_ec_keygen(&grp, &grp.G, rng, rng_ctx, &sk, &pub)) != EG_OK ||
	    (r = icao_ec_point_write(&grp, &pub, pt, sizeof(pt), &ptlen)) != EG_OK ||
	    (r = icao_ec_shared_x(&grp, &sk, &pkc, k, sizeof(k))) != EG_OK ||
	    (r = icao_kdf(k, plen, ICAO_KDF_ENC, p->cipher, ksenc)) != EG_OK ||
	    (r = icao_kdf(k, plen, ICAO_KDF_MAC, p->cipher, ksmac)) != EG_OK)
		goto out;
	eg_wbuf_init_fixed(&data, dbuf, sizeof(dbuf), false);
	memset(&cmd, 0, sizeof(cmd));
	cmd.ins = ICAO_INS_MSE;
	if (p->cipher == ICAO_CIPHER_3DES) {
		/* MSE:Set KAT 91 PK_T [84 keyId] */
		if ((r = eg_tlv_put(&data, ICAO_CA_DO_EPK_KAT, pt, ptlen)) != EG_OK ||
		    (p->key_id >= 0 && (r = put_key_id(&data,
		    ICAO_DO_MSE_PRIV_KEY, p->key_id)) != EG_OK))
			goto out;
		cmd.p1 = ICAO_MSE_SET_KAT_CA >> 8;
		cmd.p2 = ICAO_MSE_SET_KAT_CA & 0xFF;
		cmd.data = data.data;
		cmd.lc = data.len;
		if ((r = icao_chan_transceive(ch, &cmd, NULL, sw)) != EG_OK)
			goto out;
	} else {
		/* MSE:Set AT 80 OID [84 keyId], then GA 7C { 80 PK_T } */
		if ((r = eg_tlv_put(&data, ICAO_DO_MSE_OID, p->oid,
		    p->oid_len)) != EG_OK ||
		    (p->key_id >= 0 && (r = put_key_id(&data,
		    ICAO_DO_MSE_PRIV_KEY, p->key_id)) != EG_OK))
			goto out;
		cmd.p1 = ICAO_MSE_SET_AT_CA >> 8;
		cmd.p2 = ICAO_MSE_SET_AT_CA & 0xFF;
		cmd.data = data.data;
		cmd.lc = data.len;
		if ((r = icao_chan_transceive(ch, &cmd, NULL, sw)) != EG_OK)
			goto out;
		eg_wbuf_init_fixed(&data, gbuf, sizeof(gbuf), false);
		if ((r = icao_ga_build(true, ICAO_CA_DO_EPK_GA, pt, ptlen, &data,
		    &cmd)) != EG_OK ||
		    (r = icao_chan_transceive(ch, &cmd, &resp, sw)) != EG_OK)
			goto out;
		/* CA version 1: the answer is an empty '7C 00' (a CA v2 chip
		 * would add a nonce and token, which we do not use) */
		rb = icao_rbuf(resp.data, resp.len);
		if ((r = eg_tlv_expect(&rb, ICAO_DO_DYN_AUTH, &t)) != EG_OK)
			goto out;
		r = EG_ERR_FORMAT;
		if (eg_rbuf_left(&rb) != 0)
			goto out;
	}
	/* the chip has answered under the old keys: switch */
	r = icao_sm_set_keys(sm, p->cipher, ksenc, ksmac, NULL);
out:
	eg_memzero(k, sizeof(k));
	eg_memzero(ksenc, sizeof(ksenc));
	eg_memzero(ksmac, sizeof(ksmac));
	mbedtls_mpi_free(&sk);
	mbedtls_ecp_point_free(&pub);
	mbedtls_ecp_point_free(&pkc);
	mbedtls_ecp_group_free(&grp);
	eg_wbuf_free(&resp);
	return r;
}

/* ---- chip side ------------------------------------------------------------ */

struct icao_ca_chip {
	struct icao_ca_params p;
	mbedtls_ecp_group grp;
	mbedtls_mpi sk;
	mbedtls_ecp_point pk;
	bool mse_done;
	bool have_keys;
	uint8_t ksenc[ICAO_KEY_MAX], ksmac[ICAO_KEY_MAX];
};

int
icao_ca_chip_new(const struct icao_ca_params *p, int group_id,
    const uint8_t *priv, size_t priv_len, struct icao_ca_chip **out)
{
	struct icao_ca_chip *c = NULL;
	int r = EG_ERR_INVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	if (priv == NULL || priv_len == 0)
		goto out;
	r = EG_ERR_UNSUPPORTED;
	if (!params_ok(p))
		goto out;
	r = EG_ERR_NOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	c->p = *p;
	mbedtls_ecp_group_init(&c->grp);
	mbedtls_mpi_init(&c->sk);
	mbedtls_ecp_point_init(&c->pk);
	r = EG_ERR_UNSUPPORTED;
	if (mbedtls_ecp_group_load(&c->grp, (mbedtls_ecp_group_id)group_id) != 0 ||
	    mbedtls_ecp_get_type(&c->grp) != MBEDTLS_ECP_TYPE_SHORT_WEIERSTRASS)
		goto out;
	r = EG_ERR_INVAL;
	if (mbedtls_mpi_read_binary(&c->sk, priv, priv_len) != 0 ||
	    mbedtls_ecp_check_privkey(&c->grp, &c->sk) != 0)
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_ecp_mul(&c->grp, &c->pk, &c->sk, &c->grp.G, NULL, NULL) != 0)
		goto out;
	*out = c;
	c = NULL;
	r = EG_OK;
out:
	icao_ca_chip_free(&c);
	return r;
}

void
icao_ca_chip_free(struct icao_ca_chip **pc)
{
	struct icao_ca_chip *c;

	if (pc == NULL || *pc == NULL)
		return;
	c = *pc;
	mbedtls_mpi_free(&c->sk);	/* zeroizes */
	mbedtls_ecp_point_free(&c->pk);
	mbedtls_ecp_group_free(&c->grp);
	eg_secret_free(pc, sizeof(*c));
}

int
icao_ca_chip_spki(const struct icao_ca_chip *c, struct eg_wbuf *w)
{
	mbedtls_pk_context pk;
	mbedtls_ecp_keypair *kp;
	uint8_t buf[SPKI_MAX];
	int n, r = EG_ERR_INVAL;

	mbedtls_pk_init(&pk);
	if (c == NULL || w == NULL)
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
		goto out;
	kp = mbedtls_pk_ec(pk);
	if (mbedtls_ecp_group_load(&kp->grp, c->grp.id) != 0 ||
	    mbedtls_ecp_copy(&kp->Q, &c->pk) != 0)
		goto out;
	if ((n = mbedtls_pk_write_pubkey_der(&pk, buf, sizeof(buf))) <= 0)
		goto out;
	r = eg_wbuf_put(w, buf + sizeof(buf) - (size_t)n, (size_t)n);
out:
	mbedtls_pk_free(&pk);
	return r;
}

int
icao_ca_chip_secinfos(const struct icao_ca_chip *c, struct eg_wbuf *w)
{
	uint8_t sb[SPKI_MAX], ib[64], kb[16];
	struct eg_wbuf spki, info, kid;
	size_t start;
	int r;

	if (c == NULL || w == NULL)
		return EG_ERR_INVAL;
	eg_wbuf_init_fixed(&spki, sb, sizeof(sb), false);
	eg_wbuf_init_fixed(&info, ib, sizeof(ib), false);
	eg_wbuf_init_fixed(&kid, kb, sizeof(kb), false);
	start = w->len;
	if ((r = icao_ca_chip_spki(c, &spki)) != EG_OK)
		return r;
	if (c->p.key_id >= 0 &&
	    (r = put_key_id(&kid, 0x02, c->p.key_id)) != EG_OK)
		return r;
	/* ChipAuthenticationInfo ::= SEQUENCE { OID, version 1, keyId } */
	if ((r = eg_tlv_put(&info, 0x06, c->p.oid, c->p.oid_len)) != EG_OK ||
	    (r = eg_tlv_put(&info, 0x02, "\x01", 1)) != EG_OK ||
	    (r = eg_wbuf_put(&info, kid.data, kid.len)) != EG_OK ||
	    (r = eg_tlv_put(w, 0x30, info.data, info.len)) != EG_OK)
		goto out;
	/* ChipAuthenticationPublicKeyInfo ::= SEQUENCE { id-PK-ECDH, SPKI,
	 * keyId } */
	if ((r = eg_tlv_put_tag(w, 0x30)) != EG_OK ||
	    (r = eg_tlv_put_len(w, 2 + sizeof(pk_ecdh_oid) + spki.len +
	    kid.len)) != EG_OK ||
	    (r = eg_tlv_put(w, 0x06, pk_ecdh_oid, sizeof(pk_ecdh_oid))) != EG_OK ||
	    (r = eg_wbuf_put(w, spki.data, spki.len)) != EG_OK ||
	    (r = icao_put(w, kid.data, kid.len)) != EG_OK)
		goto out;
	return EG_OK;
out:
	w->len = start;
	return r;
}

/* K from PK_T; keep the new keys. Returns a status word. */
static uint16_t
chip_agree(struct icao_ca_chip *c, const uint8_t *pt, size_t n)
{
	mbedtls_ecp_point q;
	uint8_t k[FIELD_MAX];
	size_t plen = icao_ec_plen(&c->grp);
	uint16_t sw = 0x6A80;

	mbedtls_ecp_point_init(&q);
	if (icao_ec_point_read(&c->grp, pt, n, &q) != EG_OK ||
	    icao_ec_shared_x(&c->grp, &c->sk, &q, k, sizeof(k)) != EG_OK)
		goto out;
	sw = 0x6F00;
	if (icao_kdf(k, plen, ICAO_KDF_ENC, c->p.cipher, c->ksenc) != EG_OK ||
	    icao_kdf(k, plen, ICAO_KDF_MAC, c->p.cipher, c->ksmac) != EG_OK)
		goto out;
	c->have_keys = true;
	sw = ICAO_SW_OK;
out:
	eg_memzero(k, sizeof(k));
	mbedtls_ecp_point_free(&q);
	return sw;
}

/* MSE data: check 80 (our OID) and 84 (our keyId); return 91 if present. */
static uint16_t
chip_mse_data(struct icao_ca_chip *c, const struct icao_apdu *cmd,
    bool want_oid, struct eg_rbuf *epk)
{
	struct eg_rbuf b = icao_rbuf(cmd->data, cmd->lc);
	struct eg_tlv t;
	bool have_oid = false;

	*epk = icao_rbuf(NULL, 0);
	while (eg_rbuf_left(&b) > 0) {
		if (eg_tlv_read(&b, &t) != EG_OK)
			return 0x6A80;
		if (t.tag == ICAO_DO_MSE_OID) {
			if (eg_rbuf_left(&t.value) != c->p.oid_len ||
			    memcmp(t.value.p, c->p.oid, c->p.oid_len) != 0)
				return 0x6A80;
			have_oid = true;
		} else if (t.tag == ICAO_DO_MSE_PRIV_KEY) {
			long v = 0;

			if (eg_rbuf_left(&t.value) == 0 ||
			    eg_rbuf_left(&t.value) > 4)
				return 0x6A80;
			for (const uint8_t *q = t.value.p; q < t.value.end; q++)
				v = v << 8 | *q;
			if (v != c->p.key_id)
				return 0x6A80;
		} else if (t.tag == ICAO_CA_DO_EPK_KAT) {
			*epk = t.value;
		}
	}
	if (want_oid && !have_oid)
		return 0x6A80;
	return ICAO_SW_OK;
}

int
icao_ca_chip_apdu(struct icao_ca_chip *c, const struct icao_apdu *cmd,
    struct eg_wbuf *resp, uint16_t *sw)
{
	uint16_t p1p2;
	struct eg_rbuf b, epk;
	struct eg_tlv outer, in;

	if (c == NULL || cmd == NULL || resp == NULL || sw == NULL ||
	    (cmd->data == NULL && cmd->lc > 0))
		return EG_ERR_INVAL;
	p1p2 = (uint16_t)(cmd->p1 << 8 | cmd->p2);
	if (cmd->ins == ICAO_INS_MSE && p1p2 == ICAO_MSE_SET_AT_CA &&
	    c->p.cipher != ICAO_CIPHER_3DES) {
		*sw = chip_mse_data(c, cmd, true, &epk);
		c->mse_done = *sw == ICAO_SW_OK;
		return EG_OK;
	}
	if (cmd->ins == ICAO_INS_MSE && p1p2 == ICAO_MSE_SET_KAT_CA &&
	    c->p.cipher == ICAO_CIPHER_3DES) {
		*sw = chip_mse_data(c, cmd, false, &epk);
		if (*sw == ICAO_SW_OK)
			*sw = chip_agree(c, epk.p, eg_rbuf_left(&epk));
		return EG_OK;
	}
	if (cmd->ins == ICAO_INS_GENERAL_AUTH) {
		if (!c->mse_done || (cmd->cla & ICAO_CLA_CHAIN) != 0) {
			*sw = ICAO_SW_COND_NOT_SATISFIED;
			return EG_OK;
		}
		c->mse_done = false;
		b = icao_rbuf(cmd->data, cmd->lc);
		if (eg_tlv_expect(&b, ICAO_DO_DYN_AUTH, &outer) != EG_OK ||
		    eg_rbuf_left(&b) != 0 ||
		    eg_tlv_expect(&outer.value, ICAO_CA_DO_EPK_GA, &in) != EG_OK ||
		    eg_rbuf_left(&outer.value) != 0) {
			*sw = 0x6A80;
			return EG_OK;
		}
		*sw = chip_agree(c, in.value.p, eg_rbuf_left(&in.value));
		if (*sw == ICAO_SW_OK)
			return eg_wbuf_put(resp, "\x7C\x00", 2);
		return EG_OK;
	}
	*sw = cmd->ins == ICAO_INS_MSE ? ICAO_SW_WRONG_P1P2 : 0x6D00;
	return EG_OK;
}

int
icao_ca_chip_session(struct icao_ca_chip *c, enum icao_cipher *cipher,
    uint8_t *ksenc, uint8_t *ksmac)
{
	size_t kl;

	if (c == NULL || cipher == NULL || ksenc == NULL || ksmac == NULL)
		return EG_ERR_INVAL;
	if (!c->have_keys)
		return EG_ERR_STATE;
	kl = icao_cipher_key_len(c->p.cipher);
	*cipher = c->p.cipher;
	memcpy(ksenc, c->ksenc, kl);
	memcpy(ksmac, c->ksmac, kl);
	eg_memzero(c->ksenc, sizeof(c->ksenc));
	eg_memzero(c->ksmac, sizeof(c->ksmac));
	c->have_keys = false;
	return EG_OK;
}
