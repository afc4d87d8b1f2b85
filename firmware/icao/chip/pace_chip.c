/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pace_chip.c — the PACE responder of a simulated chip (ICAO 9303-11 §4.4).
 *
 * Chip-side code: built into libegate_icao_chip, which only the simulated
 * ePassport (hw/sim/), the tests and the fuzzers link. The product
 * (egate-kiosk, egate read on real readers) never contains it.
 */
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
#include "icao/pace_chip.h"
#include "ec.h"
#include "util.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum chip_state {
	CS_IDLE = 0,	/* waiting for MSE:Set AT */
	CS_SET,		/* MSE done: GA step 1 due */
	CS_NONCE,	/* GA step 2 due */
	CS_MAPPED,	/* GA step 3 due */
	CS_AGREED,	/* GA step 4 due */
	CS_DONE,	/* established */
};

static const char *const chip_state_names[] = {
	[CS_IDLE] = "idle", [CS_SET] = "set", [CS_NONCE] = "nonce",
	[CS_MAPPED] = "mapped", [CS_AGREED] = "agreed", [CS_DONE] = "done",
};

struct icao_pace_chip {
	const struct eg_log *log;
	struct icao_pace_params p;
	icao_rng_fn rng;
	void *rng_ctx;
	uint8_t kpi_mrz[ICAO_KEY_MAX], kpi_can[ICAO_KEY_MAX];
	bool have_can;
	enum chip_state state;
	struct icao_pace *pc;
	enum icao_cipher cipher;
	uint8_t ksenc[ICAO_KEY_MAX], ksmac[ICAO_KEY_MAX];
	/* CAM: the static Chip Authentication private key */
	uint8_t cam_sk[ICAO_PACE_FIELD_MAX];
	size_t cam_sk_len;
};

int
icao_pace_chip_new(const struct icao_pace_params *params, const char *mrz_info,
    const char *can, icao_rng_fn rng, void *rng_ctx,
    struct icao_pace_chip **out)
{
	struct icao_pace_chip *c = NULL;
	int r = EG_ERR_INVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	if (params == NULL || mrz_info == NULL || rng == NULL)
		goto out;
	r = EG_ERR_UNSUPPORTED;
	if (!icao_pace_params_check(params))
		goto out;
	r = EG_ERR_NOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	c->p = *params;
	c->rng = rng;
	c->rng_ctx = rng_ctx;
	if ((r = icao_pace_kpi(ICAO_PACE_PW_MRZ, mrz_info, params->cipher,
	    c->kpi_mrz)) != EG_OK)
		goto out;
	if (can != NULL) {
		if ((r = icao_pace_kpi(ICAO_PACE_PW_CAN, can, params->cipher,
		    c->kpi_can)) != EG_OK)
			goto out;
		c->have_can = true;
	}
	*out = c;
	c = NULL;
	r = EG_OK;
out:
	icao_pace_chip_free(&c);
	return r;
}

void
icao_pace_chip_free(struct icao_pace_chip **pc)
{
	if (pc == NULL || *pc == NULL)
		return;
	icao_pace_free(&(*pc)->pc);
	eg_secret_free(pc, sizeof(**pc));
}

int
icao_pace_chip_set_cam_key(struct icao_pace_chip *c, const uint8_t *priv,
    size_t len)
{
	if (c == NULL || priv == NULL || len == 0 || len > sizeof(c->cam_sk))
		return EG_ERR_INVAL;
	if (c->p.mapping != ICAO_PACE_MAP_CAM)
		return EG_ERR_STATE;
	memcpy(c->cam_sk, priv, len);
	c->cam_sk_len = len;
	return EG_OK;
}

void
icao_pace_chip_set_log(struct icao_pace_chip *c, const struct eg_log *lg)
{
	if (c != NULL)
		c->log = lg;
}

/* state A → event → state B, with the status word answered */
static void
chip_go(struct icao_pace_chip *c, const char *event, enum chip_state to,
    uint16_t sw)
{
	if (c->log != NULL)
		EG_LOG(c->log, sw == ICAO_SW_OK ? EG_LOG_DEBUG : EG_LOG_NOTICE,
		    "icao.pace.chip.transition",
		    EG_STR("from", chip_state_names[c->state]),
		    EG_STR("event", event), EG_STR("to", chip_state_names[to]),
		    EG_UINT("sw", sw));
	c->state = to;
}

static void
chip_reset(struct icao_pace_chip *c)
{
	icao_pace_free(&c->pc);
	eg_memzero(c->ksenc, sizeof(c->ksenc));
	eg_memzero(c->ksmac, sizeof(c->ksmac));
	c->state = CS_IDLE;
}

/* MSE:Set AT: 80 OID, 83 password ref, optional 84 parameter id. */
static uint16_t
chip_mse(struct icao_pace_chip *c, const struct icao_apdu *cmd)
{
	struct eg_rbuf b = icao_rbuf(cmd->data, cmd->lc);
	struct eg_tlv t;
	const uint8_t *kpi = NULL;
	bool have_oid = false;

	chip_reset(c);
	if (cmd->p1 != (ICAO_MSE_SET_AT_PACE >> 8) ||
	    cmd->p2 != (ICAO_MSE_SET_AT_PACE & 0xFF))
		return ICAO_SW_WRONG_P1P2;
	while (eg_rbuf_left(&b) > 0) {
		if (eg_tlv_read(&b, &t) != EG_OK)
			return 0x6A80;
		switch (t.tag) {
		case ICAO_DO_MSE_OID:
			if (eg_rbuf_left(&t.value) != c->p.oid_len ||
			    memcmp(t.value.p, c->p.oid, c->p.oid_len) != 0)
				return 0x6A80;
			have_oid = true;
			break;
		case ICAO_DO_MSE_KEY_REF:
			if (eg_rbuf_left(&t.value) != 1)
				return 0x6A80;
			if (t.value.p[0] == ICAO_PACE_PW_MRZ)
				kpi = c->kpi_mrz;
			else if (t.value.p[0] == ICAO_PACE_PW_CAN && c->have_can)
				kpi = c->kpi_can;
			else
				return 0x6A80;
			break;
		case ICAO_DO_MSE_PRIV_KEY:
			if (eg_rbuf_left(&t.value) != 1 ||
			    t.value.p[0] != c->p.param_id)
				return 0x6A80;
			break;
		default:
			break;	/* 7F4C CHAT etc.: not for this chip */
		}
	}
	if (!have_oid || kpi == NULL)
		return 0x6A80;
	if (c->p.mapping == ICAO_PACE_MAP_CAM && c->cam_sk_len == 0)
		return ICAO_SW_COND_NOT_SATISFIED;	/* no CA key to map with */
	if (icao_pace_new(ICAO_PACE_CHIP, &c->p, kpi, c->rng, c->rng_ctx,
	    &c->pc) != EG_OK)
		return 0x6F00;
	chip_go(c, "mse_set_at", CS_SET, ICAO_SW_OK);
	return ICAO_SW_OK;
}

/* 7C L { tag L value [tag2 L value2] } */
static int
chip_reply(struct eg_wbuf *resp, uint32_t tag, const uint8_t *v, size_t n,
    uint32_t tag2, const uint8_t *v2, size_t n2)
{
	size_t inner = 1 + eg_tlv_len_size(n) + n;
	int r;

	if (tag2 != 0)
		inner += 1 + eg_tlv_len_size(n2) + n2;
	if ((r = eg_tlv_put_tag(resp, ICAO_DO_DYN_AUTH)) != EG_OK ||
	    (r = eg_tlv_put_len(resp, inner)) != EG_OK ||
	    (r = eg_tlv_put(resp, tag, v, n)) != EG_OK)
		return r;
	return tag2 != 0 ? eg_tlv_put(resp, tag2, v2, n2) : EG_OK;
}

/* The GA steps as a table: in the state, the command must carry in_tag
 * (0: '7C 00') with the chaining bit as given; the step's handler answers
 * with out_tag and the state moves to next. */
typedef int (*chip_step_fn)(struct icao_pace_chip *c, const uint8_t *in,
    size_t n, uint8_t *out, size_t cap, size_t *olen);

static int
step_nonce(struct icao_pace_chip *c, const uint8_t *in, size_t n,
    uint8_t *out, size_t cap, size_t *olen)
{
	(void)in;
	(void)n;
	return icao_pace_nonce_make(c->pc, out, cap, olen);
}

static int
step_map(struct icao_pace_chip *c, const uint8_t *in, size_t n, uint8_t *out,
    size_t cap, size_t *olen)
{
	int r;

	if ((r = icao_pace_map_pub(c->pc, out, cap, olen)) != EG_OK)
		return r;
	return icao_pace_map(c->pc, in, n);
}

static int
step_agree(struct icao_pace_chip *c, const uint8_t *in, size_t n,
    uint8_t *out, size_t cap, size_t *olen)
{
	int r;

	if ((r = icao_pace_eph_pub(c->pc, out, cap, olen)) != EG_OK)
		return r;
	return icao_pace_agree(c->pc, in, n);
}

static int
step_token(struct icao_pace_chip *c, const uint8_t *in, size_t n,
    uint8_t *out, size_t cap, size_t *olen)
{
	int r;

	if (cap < ICAO_PACE_TOKEN_LEN)
		return EG_ERR_OVERFLOW;
	if ((r = icao_pace_verify(c->pc, in, n)) != EG_OK ||
	    (r = icao_pace_token(c->pc, out)) != EG_OK ||
	    (r = icao_pace_session_keys(c->pc, &c->cipher, c->ksenc,
	    c->ksmac)) != EG_OK)
		return r;
	*olen = ICAO_PACE_TOKEN_LEN;
	return EG_OK;
}

static const struct {
	enum chip_state state;
	uint32_t in_tag;
	bool chained;
	chip_step_fn fn;
	uint32_t out_tag;
	enum chip_state next;
} chip_table[] = {
	{ CS_SET, 0, true, step_nonce, ICAO_PACE_DO_NONCE, CS_NONCE },
	{ CS_NONCE, ICAO_PACE_DO_MAP_T, true, step_map, ICAO_PACE_DO_MAP_C,
	  CS_MAPPED },
	{ CS_MAPPED, ICAO_PACE_DO_EPK_T, true, step_agree, ICAO_PACE_DO_EPK_C,
	  CS_AGREED },
	{ CS_AGREED, ICAO_PACE_DO_TOK_T, false, step_token, ICAO_PACE_DO_TOK_C,
	  CS_DONE },
};

static int
chip_ga(struct icao_pace_chip *c, const struct icao_apdu *cmd,
    struct eg_wbuf *resp, uint16_t *sw)
{
	struct eg_rbuf b = icao_rbuf(cmd->data, cmd->lc), in_v;
	struct eg_tlv outer, in;
	uint8_t out[ICAO_PACE_POINT_MAX], a_ic[ICAO_PACE_FIELD_MAX + 32];
	size_t i, olen = 0, alen = 0;
	uint32_t tag2 = 0;
	int r;

	for (i = 0; i < NELEM(chip_table); i++)
		if (chip_table[i].state == c->state)
			break;
	if (i == NELEM(chip_table) || cmd->p1 != 0 || cmd->p2 != 0 ||
	    ((cmd->cla & ICAO_CLA_CHAIN) != 0) != chip_table[i].chained) {
		*sw = ICAO_SW_COND_NOT_SATISFIED;
		goto fail;
	}
	*sw = 0x6A80;
	if (eg_tlv_expect(&b, ICAO_DO_DYN_AUTH, &outer) != EG_OK ||
	    eg_rbuf_left(&b) != 0)
		goto fail;
	if (chip_table[i].in_tag == 0) {
		if (eg_rbuf_left(&outer.value) != 0)
			goto fail;
		in_v = outer.value;
	} else {
		if (eg_tlv_read(&outer.value, &in) != EG_OK ||
		    in.tag != chip_table[i].in_tag ||
		    eg_rbuf_left(&outer.value) != 0)
			goto fail;
		in_v = in.value;
	}
	r = chip_table[i].fn(c, in_v.p, eg_rbuf_left(&in_v), out, sizeof(out),
	    &olen);
	if (r == EG_ERR_AUTH) {
		*sw = 0x6300;
		goto fail;
	}
	if (r == EG_ERR_FORMAT || r == EG_ERR_PROTOCOL)
		goto fail;	/* 6A80 */
	if (r == EG_OK && chip_table[i].state == CS_AGREED &&
	    c->p.mapping == ICAO_PACE_MAP_CAM) {
		/* CAM: the encrypted chip authentication data with the token */
		r = icao_pace_cam_encrypt(c->pc, c->cam_sk, c->cam_sk_len, a_ic,
		    sizeof(a_ic), &alen);
		tag2 = ICAO_PACE_DO_CAM;
	}
	if (r != EG_OK ||
	    (r = chip_reply(resp, chip_table[i].out_tag, out, olen, tag2, a_ic,
	    alen)) != EG_OK) {
		eg_memzero(a_ic, sizeof(a_ic));
		chip_reset(c);
		return r;
	}
	eg_memzero(a_ic, sizeof(a_ic));
	chip_go(c, "general_authenticate", chip_table[i].next, ICAO_SW_OK);
	if (c->state == CS_DONE)
		icao_pace_free(&c->pc);	/* keys are copied out */
	*sw = ICAO_SW_OK;
	return EG_OK;
fail:
	chip_go(c, "general_authenticate", CS_IDLE, *sw);
	chip_reset(c);
	return EG_OK;
}

int
icao_pace_chip_apdu(struct icao_pace_chip *c, const struct icao_apdu *cmd,
    struct eg_wbuf *resp, uint16_t *sw)
{
	if (c == NULL || cmd == NULL || resp == NULL || sw == NULL ||
	    (cmd->data == NULL && cmd->lc > 0))
		return EG_ERR_INVAL;
	switch (cmd->ins) {
	case ICAO_INS_MSE:
		*sw = chip_mse(c, cmd);
		if (*sw != ICAO_SW_OK) {
			chip_go(c, "mse_set_at", CS_IDLE, *sw);
			chip_reset(c);
		}
		return EG_OK;
	case ICAO_INS_GENERAL_AUTH:
		return chip_ga(c, cmd, resp, sw);
	default:
		*sw = 0x6D00;
		return EG_OK;
	}
}

int
icao_pace_chip_session(const struct icao_pace_chip *c,
    enum icao_cipher *cipher, uint8_t *ksenc, uint8_t *ksmac)
{
	size_t kl;

	if (c == NULL || cipher == NULL || ksenc == NULL || ksmac == NULL)
		return EG_ERR_INVAL;
	if (c->state != CS_DONE)
		return EG_ERR_STATE;
	kl = icao_cipher_key_len(c->cipher);
	*cipher = c->cipher;
	memcpy(ksenc, c->ksenc, kl);
	memcpy(ksmac, c->ksmac, kl);
	return EG_OK;
}
