/* SPDX-License-Identifier: Apache-2.0 */
/* ca.c — Chip Authentication (ECDH), terminal side (see ca.h; the chip-side responder is chip/ca_chip.c). */
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
#include "ca_int.h"

/* id-CA-ECDH = 0.4.0.127.0.7.2.2.3.2 */
static const uint8_t ca_ecdh_prefix[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02,
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

bool
icao_ca_params_ok(const struct icao_ca_params *p)
{
	uint8_t last;

	if (p == NULL || p->oid_len != sizeof(ca_ecdh_prefix) + 1 ||
	    memcmp(p->oid, ca_ecdh_prefix, sizeof(ca_ecdh_prefix)) != 0)
		return false;
	last = p->oid[p->oid_len - 1];
	return last >= 1 && last <= 4 && p->cipher == ca_ciphers[last - 1];
}

int
icao_ca_put_key_id(struct eg_wbuf *w, uint32_t tag, long key_id)
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
	uint8_t k[CA_FIELD_MAX], ksenc[ICAO_KEY_MAX], ksmac[ICAO_KEY_MAX];
	uint8_t pt[CA_POINT_MAX], dbuf[16 + CA_POINT_MAX], gbuf[8 + CA_POINT_MAX];
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
	if (!icao_ca_params_ok(p))
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
		    (p->key_id >= 0 && (r = icao_ca_put_key_id(&data,
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
		    (p->key_id >= 0 && (r = icao_ca_put_key_id(&data,
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
