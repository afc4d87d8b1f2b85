/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sm.c — ICAO Doc 9303 Part 11 §9.8 secure messaging.
 *
 * MAC input (command):  SSC || pad(CLA' INS P1 P2) || DO'87'/'85' || DO'97'
 * MAC input (response): SSC || DO'87'/'85' || DO'99'
 * both padded with method 2 inside icao_mac(). The SSC is one cipher block
 * (8 bytes for 3DES, 16 for AES). The CBC IV is zero for 3DES and
 * E(KSenc, SSC) for AES, with the SSC value of that message.
 */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/log.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "icao/iso7816.h"
#include "icao/sm.h"
#include "util.h"

struct icao_sm {
	enum icao_sm_state state;
	const struct eg_log *log;	/* borrowed, may be NULL */
	enum icao_cipher cipher;
	size_t block;
	uint8_t ksenc[ICAO_KEY_MAX];
	uint8_t ksmac[ICAO_KEY_MAX];
	uint8_t ssc[ICAO_BLOCK_MAX];
	unsigned no_do99;	/* responses accepted without DO'99' */
};

/* The largest protected body of a command: keep it within extended Lc. */
#define SM_BODY_MAX	ICAO_EXT_LC_MAX
/* The largest plain command data: padded (+ up to 16), DO'87' header (5),
 * DO'97' (4) and DO'8E' (10) must still fit in SM_BODY_MAX. */
#define SM_DATA_MAX	(SM_BODY_MAX - 64u)

static void
sm_wipe(struct icao_sm *sm)
{
	eg_memzero(sm->ksenc, sizeof(sm->ksenc));
	eg_memzero(sm->ksmac, sizeof(sm->ksmac));
	eg_memzero(sm->ssc, sizeof(sm->ssc));
}

/* ---- the session state machine (the table in sm.h and docs/icao.md) ---- */

enum sm_event {
	SM_EV_SET_KEYS,
	SM_EV_WRAP_OK,
	SM_EV_WRAP_FAIL,	/* failure after the SSC moved */
	SM_EV_UNWRAP_OK,
	SM_EV_UNWRAP_FAIL,
	SM_EV_ABORT,
	SM_EV_CLOSE,
};

static const char *
sm_event_str(enum sm_event e)
{
	switch (e) {
	case SM_EV_SET_KEYS:
		return "set_keys";
	case SM_EV_WRAP_OK:
		return "wrap_ok";
	case SM_EV_WRAP_FAIL:
		return "wrap_fail";
	case SM_EV_UNWRAP_OK:
		return "unwrap_ok";
	case SM_EV_UNWRAP_FAIL:
		return "unwrap_fail";
	case SM_EV_ABORT:
		return "abort";
	case SM_EV_CLOSE:
		return "close";
	}
	return "unknown";
}

static const struct sm_transition {
	bool any;			/* from every state */
	enum icao_sm_state from;
	enum sm_event event;
	enum icao_sm_state to;
} sm_table[] = {
	{ true,  ICAO_SM_IDLE,  SM_EV_SET_KEYS,    ICAO_SM_READY },
	{ false, ICAO_SM_READY, SM_EV_WRAP_OK,     ICAO_SM_AWAIT },
	{ false, ICAO_SM_READY, SM_EV_WRAP_FAIL,   ICAO_SM_FAILED },
	{ false, ICAO_SM_AWAIT, SM_EV_UNWRAP_OK,   ICAO_SM_READY },
	{ false, ICAO_SM_AWAIT, SM_EV_UNWRAP_FAIL, ICAO_SM_FAILED },
	{ true,  ICAO_SM_IDLE,  SM_EV_ABORT,	   ICAO_SM_FAILED },
	{ true,  ICAO_SM_IDLE,  SM_EV_CLOSE,	   ICAO_SM_IDLE },
};

static const struct sm_transition *
sm_find(enum icao_sm_state from, enum sm_event ev)
{
	for (size_t i = 0; i < sizeof(sm_table) / sizeof(sm_table[0]); i++)
		if ((sm_table[i].any || sm_table[i].from == from) &&
		    sm_table[i].event == ev)
			return &sm_table[i];
	return NULL;
}

/* sm_can — the guard: may event ev happen in the current state? */
static bool
sm_can(const struct icao_sm *sm, enum sm_event ev)
{
	return sm_find(sm->state, ev) != NULL;
}

/*
 * sm_fire — take a transition. Entering IDLE or FAILED wipes the keys and
 * the SSC. Every transition is logged (debug; a failure at notice, with
 * the error that caused it). Returns EG_ERR_STATE for an event the table
 * does not allow (the state is then unchanged).
 */
static int
sm_fire(struct icao_sm *sm, enum sm_event ev, int err)
{
	const struct sm_transition *t = sm_find(sm->state, ev);
	enum icao_sm_state from = sm->state;

	if (t == NULL)
		return EG_ERR_STATE;
	if (t->to == ICAO_SM_IDLE || t->to == ICAO_SM_FAILED)
		sm_wipe(sm);
	sm->state = t->to;
	EG_LOG(sm->log, t->to == ICAO_SM_FAILED ? EG_LOG_NOTICE : EG_LOG_DEBUG,
	    "icao.sm.transition", EG_STR("from", icao_sm_state_str(from)),
	    EG_STR("event", sm_event_str(ev)),
	    EG_STR("to", icao_sm_state_str(t->to)),
	    EG_STR("cipher", icao_cipher_name(sm->cipher)),
	    EG_STR("err", eg_err_name(err)));
	return EG_OK;
}

int
icao_sm_new(struct icao_sm **out)
{
	if (out == NULL)
		return EG_ERR_INVAL;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return EG_ERR_NOMEM;
	(*out)->state = ICAO_SM_IDLE;
	return EG_OK;
}

void
icao_sm_free(struct icao_sm **sm)
{
	if (sm == NULL || *sm == NULL)
		return;
	sm_wipe(*sm);
	free(*sm);
	*sm = NULL;
}

int
icao_sm_set_keys(struct icao_sm *sm, enum icao_cipher cipher,
    const uint8_t *ksenc, const uint8_t *ksmac, const uint8_t *ssc)
{
	size_t klen = icao_cipher_key_len(cipher);

	if (sm == NULL || klen == 0 || ksenc == NULL || ksmac == NULL)
		return EG_ERR_INVAL;
	sm_wipe(sm);
	sm->cipher = cipher;
	sm->block = icao_cipher_block_len(cipher);
	memcpy(sm->ksenc, ksenc, klen);
	memcpy(sm->ksmac, ksmac, klen);
	if (ssc != NULL)
		memcpy(sm->ssc, ssc, sm->block);
	return sm_fire(sm, SM_EV_SET_KEYS, EG_OK);
}

void
icao_sm_close(struct icao_sm *sm)
{
	if (sm == NULL)
		return;
	(void)sm_fire(sm, SM_EV_CLOSE, EG_OK);
}

void
icao_sm_abort(struct icao_sm *sm)
{
	if (sm == NULL)
		return;
	(void)sm_fire(sm, SM_EV_ABORT, EG_ERR_IO);
}

void
icao_sm_set_log(struct icao_sm *sm, const struct eg_log *lg)
{
	if (sm != NULL)
		sm->log = lg;
}

enum icao_sm_state
icao_sm_state(const struct icao_sm *sm)
{
	return sm == NULL ? ICAO_SM_IDLE : sm->state;
}

const char *
icao_sm_state_str(enum icao_sm_state s)
{
	switch (s) {
	case ICAO_SM_IDLE:
		return "idle";
	case ICAO_SM_READY:
		return "ready";
	case ICAO_SM_AWAIT:
		return "await";
	case ICAO_SM_FAILED:
		return "failed";
	}
	return "unknown";
}

enum icao_cipher
icao_sm_cipher(const struct icao_sm *sm)
{
	return sm->cipher;
}

unsigned
icao_sm_no_do99(const struct icao_sm *sm)
{
	return sm == NULL ? 0 : sm->no_do99;
}

size_t
icao_sm_get_ssc(const struct icao_sm *sm, uint8_t *out)
{
	if (sm == NULL || out == NULL ||
	    (sm->state != ICAO_SM_READY && sm->state != ICAO_SM_AWAIT))
		return 0;
	memcpy(out, sm->ssc, sm->block);
	return sm->block;
}

static void
ssc_inc(struct icao_sm *sm)
{
	for (size_t i = sm->block; i > 0; i--)
		if (++sm->ssc[i - 1] != 0)
			break;
}

/* CBC under KSenc with the IV of the current SSC. */
static int
sm_cbc(struct icao_sm *sm, int encrypt, const uint8_t *in, size_t len,
    uint8_t *out)
{
	uint8_t iv[ICAO_BLOCK_MAX];
	int r;

	if (sm->cipher == ICAO_CIPHER_3DES)
		return icao_cbc(sm->cipher, encrypt, sm->ksenc, NULL, in, len, out);
	if ((r = icao_ecb_block(sm->cipher, sm->ksenc, sm->ssc, iv)) == EG_OK)
		r = icao_cbc(sm->cipher, encrypt, sm->ksenc, iv, in, len, out);
	eg_memzero(iv, sizeof(iv));
	return r;
}

/* MAC of SSC || m (m already laid out as the spec wants; icao_mac pads). */
static int
sm_mac(struct icao_sm *sm, const uint8_t *m, size_t mlen, uint8_t mac[8])
{
	struct eg_wbuf n;
	int r;

	eg_wbuf_init(&n, ICAO_BLOCK_MAX + mlen, false);
	if ((r = icao_put(&n, sm->ssc, sm->block)) == EG_OK &&
	    (r = icao_put(&n, m, mlen)) == EG_OK)
		r = icao_mac(sm->cipher, sm->ksmac, n.data, n.len, mac);
	eg_wbuf_free(&n);
	return r;
}

int
icao_sm_wrap(struct icao_sm *sm, const struct icao_apdu *cmd,
    struct eg_wbuf *out)
{
	struct eg_wbuf dos, macin;
	struct icao_apdu p;
	uint8_t *crypt = NULL, mac[ICAO_SM_MAC_LEN], le[2];
	size_t clen = 0, lelen;
	bool odd, ext;
	int r = EG_ERR_STATE;

	eg_wbuf_init(&dos, SM_BODY_MAX, false);
	eg_wbuf_init(&macin, SM_BODY_MAX + 2 * ICAO_BLOCK_MAX, false);
	if (sm == NULL || !sm_can(sm, SM_EV_WRAP_OK))
		goto out;
	r = EG_ERR_INVAL;
	if (cmd == NULL || out == NULL || (cmd->cla & ICAO_CLA_SM) != 0 ||
	    cmd->lc > SM_DATA_MAX || cmd->le > ICAO_EXT_LE_MAX ||
	    (cmd->lc > 0 && cmd->data == NULL))
		goto out;
	odd = (cmd->ins & 1) != 0;
	ext = cmd->force_extended || cmd->le > ICAO_SHORT_LE_MAX ||
	    cmd->lc > ICAO_SHORT_LC_MAX;

	/* From here on the SSC has moved: any failure ends the session. */
	ssc_inc(sm);

	/* padded header */
	{
		uint8_t hdr[ICAO_BLOCK_MAX];
		size_t hl;

		hdr[0] = (uint8_t)(cmd->cla | ICAO_CLA_SM);
		hdr[1] = cmd->ins;
		hdr[2] = cmd->p1;
		hdr[3] = cmd->p2;
		if ((r = icao_pad(hdr, 4, sm->block, hdr, sizeof(hdr), &hl)) != EG_OK ||
		    (r = icao_put(&macin, hdr, hl)) != EG_OK)
			goto fail;
	}
	if (cmd->lc > 0) {
		clen = icao_pad_len(cmd->lc, sm->block);
		r = EG_ERR_NOMEM;
		if ((crypt = malloc(clen + 1)) == NULL)
			goto fail;
		crypt[0] = ICAO_PAD_INDICATOR;
		if ((r = icao_pad(cmd->data, cmd->lc, sm->block, crypt + 1, clen,
		    &clen)) != EG_OK ||
		    (r = sm_cbc(sm, 1, crypt + 1, clen, crypt + 1)) != EG_OK)
			goto fail;
		if (odd)
			r = eg_tlv_put(&dos, ICAO_DO_CRYPTO_ODD, crypt + 1, clen);
		else
			r = eg_tlv_put(&dos, ICAO_DO_CRYPTO_EVEN, crypt, clen + 1);
		if (r != EG_OK)
			goto fail;
	}
	if (cmd->le > 0) {
		le[0] = (uint8_t)(cmd->le >> 8);
		le[1] = (uint8_t)cmd->le;
		lelen = 1;
		if (ext) {
			le[0] = (uint8_t)((cmd->le & 0xFFFF) >> 8);
			lelen = 2;
		}
		if ((r = eg_tlv_put(&dos, ICAO_DO_LE, le + 2 - lelen, lelen)) != EG_OK)
			goto fail;
	}
	if ((r = icao_put(&macin, dos.data, dos.len)) != EG_OK ||
	    (r = sm_mac(sm, macin.data, macin.len, mac)) != EG_OK ||
	    (r = eg_tlv_put(&dos, ICAO_DO_MAC, mac, sizeof(mac))) != EG_OK)
		goto fail;

	memset(&p, 0, sizeof(p));
	p.cla = (uint8_t)(cmd->cla | ICAO_CLA_SM);
	p.ins = cmd->ins;
	p.p1 = cmd->p1;
	p.p2 = cmd->p2;
	p.data = dos.data;
	p.lc = dos.len;
	p.force_extended = ext;
	p.le = ext || dos.len > ICAO_SHORT_LC_MAX ? ICAO_EXT_LE_MAX :
	    ICAO_SHORT_LE_MAX;
	if ((r = icao_apdu_encode(&p, out)) != EG_OK)
		goto fail;
	r = sm_fire(sm, SM_EV_WRAP_OK, EG_OK);
	goto out;
fail:
	(void)sm_fire(sm, SM_EV_WRAP_FAIL, r);
out:
	eg_memzero(mac, sizeof(mac));
	if (crypt != NULL)
		eg_secret_free(&crypt, clen + 1);
	eg_wbuf_free(&dos);
	eg_wbuf_free(&macin);
	return r;
}

int
icao_sm_unwrap(struct icao_sm *sm, const uint8_t *rapdu, size_t rlen,
    struct eg_wbuf *data, uint16_t *sw)
{
	struct eg_rbuf body, peek;
	struct eg_tlv crypto, dosw, domac;
	uint8_t tag0 = 0;
	const uint8_t *mac_start, *mac_end;
	uint8_t mac[ICAO_SM_MAC_LEN], *plain = NULL;
	uint16_t outer_sw, inner_sw;
	size_t plen = 0, ulen;
	bool have_crypto = false, have_sw = false;
	int r = EG_ERR_STATE;

	if (sm == NULL || !sm_can(sm, SM_EV_UNWRAP_OK))
		return EG_ERR_STATE;	/* no session to fail */
	r = EG_ERR_INVAL;
	if (data == NULL || sw == NULL)
		goto fail;
	if ((r = icao_rapdu_parse(rapdu, rlen, &body, &outer_sw)) != EG_OK)
		goto fail;
	if (eg_rbuf_left(&body) == 0) {
		/* A bare status word: the chip answered outside SM (6987,
		 * 6988, or an error it does not protect) and has ended the
		 * session. Report it; nothing here is authenticated. */
		*sw = outer_sw;
		r = outer_sw == ICAO_SW_OK ? EG_ERR_FORMAT : EG_ERR_CARD_STATUS;
		goto fail;
	}

	mac_start = body.p;
	peek = body;
	(void)eg_rbuf_u8(&peek, &tag0);		/* body is not empty */
	if (tag0 == ICAO_DO_CRYPTO_EVEN || tag0 == ICAO_DO_CRYPTO_ODD) {
		if ((r = eg_tlv_read(&body, &crypto)) != EG_OK)
			goto malformed;
		have_crypto = true;
	}
	peek = body;
	tag0 = 0;
	(void)eg_rbuf_u8(&peek, &tag0);
	if (tag0 == ICAO_DO_SW) {
		if ((r = eg_tlv_expect(&body, ICAO_DO_SW, &dosw)) != EG_OK)
			goto malformed;
		have_sw = true;
	}
	mac_end = body.p;
	if ((r = eg_tlv_expect(&body, ICAO_DO_MAC, &domac)) != EG_OK)
		goto malformed;
	r = EG_ERR_FORMAT;
	if ((have_sw && eg_rbuf_left(&dosw.value) != 2) ||
	    eg_rbuf_left(&domac.value) != ICAO_SM_MAC_LEN ||
	    eg_rbuf_left(&body) != 0)
		goto fail;

	/* 1. MAC, in constant time, before anything else is believed */
	ssc_inc(sm);
	if ((r = sm_mac(sm, mac_start, (size_t)(mac_end - mac_start), mac)) != EG_OK)
		goto fail;
	if (!eg_ct_equal(mac, domac.value.p, ICAO_SM_MAC_LEN)) {
		r = EG_ERR_MAC;
		goto fail;
	}
	/* 2. the authenticated status must be the one on the wire; without
	 * DO'99' (some chips and emulators omit it) only 9000 is believed,
	 * since the outer status word is not covered by the MAC */
	if (have_sw) {
		inner_sw = (uint16_t)(dosw.value.p[0] << 8 | dosw.value.p[1]);
		if (inner_sw != outer_sw) {
			r = EG_ERR_PROTOCOL;
			goto fail;
		}
	} else {
		r = EG_ERR_FORMAT;
		if (outer_sw != ICAO_SW_OK)
			goto fail;
		inner_sw = outer_sw;
	}
	/* 3. decrypt */
	if (have_crypto) {
		struct eg_rbuf c = crypto.value;
		uint8_t ind;

		if (crypto.tag == ICAO_DO_CRYPTO_EVEN) {
			if ((r = eg_rbuf_u8(&c, &ind)) != EG_OK)
				goto fail;
			r = EG_ERR_FORMAT;
			if (ind != ICAO_PAD_INDICATOR)
				goto fail;
		}
		plen = eg_rbuf_left(&c);
		r = EG_ERR_FORMAT;
		if (plen == 0 || plen % sm->block != 0)
			goto fail;
		r = EG_ERR_NOMEM;
		if ((plain = malloc(plen)) == NULL)
			goto fail;
		if ((r = sm_cbc(sm, 0, c.p, plen, plain)) != EG_OK ||
		    (r = icao_unpad(plain, plen, sm->block, &ulen)) != EG_OK ||
		    (r = icao_put(data, plain, ulen)) != EG_OK)
			goto fail;
	}
	*sw = inner_sw;
	if (!have_sw)
		sm->no_do99++;
	r = sm_fire(sm, SM_EV_UNWRAP_OK, EG_OK);
	goto out;
malformed:
	/* a TLV that does not parse: truncated or malformed, nothing else */
	if (r != EG_ERR_TRUNCATED)
		r = EG_ERR_FORMAT;
fail:
	(void)sm_fire(sm, SM_EV_UNWRAP_FAIL, r);
out:
	eg_memzero(mac, sizeof(mac));
	if (plain != NULL)
		eg_secret_free(&plain, plen);
	return r;
}
