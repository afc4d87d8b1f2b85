/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca_chip.c — the Chip Authentication responder of a simulated chip (ICAO 9303-11 §6.2).
 *
 * Chip-side code: built into libegate_icao_chip, which only the simulated
 * ePassport (hw/sim/), the tests and the fuzzers link. The product
 * (egate-kiosk, egate read on real readers) never contains it.
 */
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
#include "icao/ca_chip.h"
#include "icao/iso7816.h"
#include "icao/sm.h"
#include "ec.h"
#include "util.h"
#include "ca_int.h"

/* id-PK-ECDH = 0.4.0.127.0.7.2.2.1.2 */
static const uint8_t pk_ecdh_oid[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02,
};

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
	if (!icao_ca_params_ok(p))
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
	uint8_t buf[CA_SPKI_MAX];
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
	uint8_t sb[CA_SPKI_MAX], ib[64], kb[16];
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
	    (r = icao_ca_put_key_id(&kid, 0x02, c->p.key_id)) != EG_OK)
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
	uint8_t k[CA_FIELD_MAX];
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
