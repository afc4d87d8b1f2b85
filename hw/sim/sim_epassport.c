/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_epassport.c — the simulated ePassport chip (see sim_epassport.h).
 *
 * The chip-side BAC and secure messaging are written here from the ICAO
 * crypto primitives (icao_kdf, icao_mac, icao_cbc, icao_pad/unpad), not from
 * the terminal's bac.c/sm.c, so the terminal is tested against a second
 * implementation of the protocol.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "icao/aa.h"
#include "icao/aa_chip.h"
#include "icao/bac.h"
#include "icao/ca.h"
#include "icao/crypto.h"
#include "icao/pace.h"
#include "icao/iso7816.h"
#include "sim_epassport.h"

#define EP_MAX_FILES	20
#define EP_FILE_MAX	(1u << 20)
#define EP_BUF		(65536u + 64u)	/* one response, plain or protected */
#define EP_CMD_MAX	1024u		/* decrypted command data */
#define EP_SW_NO_REF	0x6A88		/* referenced data not found */
#define EP_SW_AUTH_FAIL	0x6300
#define EP_SW_NO_INS	0x6D00
#define EP_SW_WRONG_DATA 0x6A80

static const uint8_t ep_atr[] = {
	/* 3B 88 80 01 + "EPASSSIM" historical bytes (proprietary) + TCK */
	0x3B, 0x88, 0x80, 0x01, 0x45, 0x50, 0x41, 0x53, 0x53, 0x53, 0x49, 0x4D,
	0x00,
};
/* With extended length: 3B 8E 80 01, historical bytes in COMPACT-TLV
 * (category 80; card capabilities 73 00 00 xx; pre-issuing data
 * 68 "EPASSSIM"), TCK; xx is completed in ep_make_atr. */
static const uint8_t ep_atr_ext[] = {
	0x3B, 0x8E, 0x80, 0x01, 0x80, 0x73, 0x00, 0x00, 0x00,
	0x68, 0x45, 0x50, 0x41, 0x53, 0x53, 0x53, 0x49, 0x4D, 0x00,
};
#define EP_ATR_CAPS3	8	/* index of the third capability byte */
#define EP_ATR_MAX	sizeof(ep_atr_ext)
#define EP_EXT_MIN	64u
#define EP_EXT_MAX	65544u

struct ep_file {
	uint16_t fid;
	uint8_t sfi;
	bool in_mf;
	uint8_t *data;
	size_t len;
};

struct sim_epassport {
	struct ep_file f[EP_MAX_FILES];
	size_t nf;
	unsigned flags;
	unsigned wrong_mac_after;
	size_t max_read;
	size_t ext_max;			/* 0: short APDUs only */
	uint8_t atr[EP_ATR_MAX];
	size_t atr_len;
	uint8_t kenc[ICAO_BAC_K_LEN], kmac[ICAO_BAC_K_LEN];
	uint8_t fixed_rnd_ic[ICAO_BAC_RND_LEN], fixed_k_ic[ICAO_BAC_K_LEN];
	bool have_fixed_rnd, have_fixed_k;
	mbedtls_hmac_drbg_context drbg;
	bool drbg_ready;
	/* session state */
	bool app_selected;
	int cur;			/* current EF, -1: none */
	bool challenge_valid;
	uint8_t rnd_ic[ICAO_BAC_RND_LEN];
	bool sm;
	enum icao_cipher cipher;	/* of the session: 3DES (BAC) or PACE's */
	uint8_t ksenc[ICAO_KEY_MAX], ksmac[ICAO_KEY_MAX], ssc[ICAO_BLOCK_MAX];
	unsigned sm_responses;
	/* PACE, CA, AA responders (NULL / not ready: the chip lacks them) */
	struct icao_pace_chip *pace;
	struct icao_ca_chip *ca;
	mbedtls_pk_context aa_key;
	bool have_aa;
	/* keys agreed by PACE or CA, installed after the current response */
	bool rekey;
	enum icao_cipher rk_cipher;
	uint8_t rk_enc[ICAO_KEY_MAX], rk_mac[ICAO_KEY_MAX];
	/* work buffers */
	uint8_t *r;			/* plain response: data + SW */
	uint8_t *w;			/* protected response */
	uint8_t *c;			/* cryptogram */
	sim_epassport_trace_fn trace;
	void *trace_ctx;
	struct sim_epassport_stats st;
};

/* ---- life cycle ---------------------------------------------------------- */

static int
ep_rng(void *ctx, unsigned char *out, size_t len)
{
	struct sim_epassport *c = ctx;

	return mbedtls_hmac_drbg_random(&c->drbg, out, len);
}

/* The PACE, CA and AA responders the configuration asks for. */
static int
ep_add_protocols(struct sim_epassport *c, const struct sim_epassport_cfg *cfg)
{
	int ret;

	if (cfg->pace != NULL && (ret = icao_pace_chip_new(cfg->pace,
	    cfg->mrz_info, cfg->can, ep_rng, c, &c->pace)) != EG_OK)
		return ret;
	if (cfg->pace != NULL && cfg->cam_priv != NULL &&
	    (ret = icao_pace_chip_set_cam_key(c->pace, cfg->cam_priv,
	    cfg->cam_priv_len)) != EG_OK)
		return ret;
	if (cfg->ca != NULL && (ret = icao_ca_chip_new(cfg->ca, cfg->ca_group,
	    cfg->ca_priv, cfg->ca_priv_len, &c->ca)) != EG_OK)
		return ret;
	if (cfg->aa_key_der != NULL) {
		if (mbedtls_pk_parse_key(&c->aa_key, cfg->aa_key_der,
		    cfg->aa_key_len, NULL, 0) != 0)
			return EG_ERR_INVAL;
		c->have_aa = true;
	}
	return EG_OK;
}

/* The ATR: the old proprietary one for a short-only chip, else COMPACT-TLV
 * card capabilities announcing extended Lc/Le (and EF.ATR/INFO). */
static int
ep_make_atr(struct sim_epassport *c, const struct sim_epassport_cfg *cfg)
{
	uint8_t tck = 0;

	if (cfg->ext_max_rapdu == 0) {
		if (cfg->ext_info)
			return EG_ERR_INVAL;
		memcpy(c->atr, ep_atr, sizeof(ep_atr));
		c->atr_len = sizeof(ep_atr);
		return EG_OK;
	}
	if (cfg->ext_max_rapdu < EP_EXT_MIN || cfg->ext_max_rapdu > EP_EXT_MAX)
		return EG_ERR_INVAL;
	c->ext_max = cfg->ext_max_rapdu;
	memcpy(c->atr, ep_atr_ext, sizeof(ep_atr_ext));
	c->atr[EP_ATR_CAPS3] = (uint8_t)(0x40 | (cfg->ext_info ? 0x20 : 0));
	for (size_t i = 1; i + 1 < sizeof(ep_atr_ext); i++)
		tck ^= c->atr[i];
	c->atr[sizeof(ep_atr_ext) - 1] = tck;
	c->atr_len = sizeof(ep_atr_ext);
	return EG_OK;
}

/* EF.ATR/INFO: DO'7F66' with the chip's limit for commands and responses. */
static int
ep_add_atr_info(struct sim_epassport *c, const struct sim_epassport_cfg *cfg)
{
	uint8_t f[] = { 0x7F, 0x66, 0x08, 0x02, 0x02, 0, 0, 0x02, 0x02, 0, 0 };
	size_t m = cfg->ext_max_rapdu > 0xFFFF ? 0xFFFF : cfg->ext_max_rapdu;

	if (!cfg->ext_info)
		return EG_OK;
	f[5] = f[9] = (uint8_t)(m >> 8);
	f[6] = f[10] = (uint8_t)m;
	return sim_epassport_add_file(c, ICAO_FID_EF_ATR_INFO, 0, f, sizeof(f));
}

int
sim_epassport_new(const struct sim_epassport_cfg *cfg, struct sim_epassport **out)
{
	struct sim_epassport *c = NULL;
	const char *seed;
	uint8_t kseed[ICAO_BAC_K_LEN];
	int ret = EG_ERR_INVAL;

	if (out == NULL || cfg == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((cfg->flags & SIM_EP_F_SHORT_READS) && cfg->max_read == 0)
		goto out;
	if ((!(cfg->flags & SIM_EP_F_NO_BAC) || cfg->pace != NULL) &&
	    cfg->mrz_info == NULL)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->r = malloc(EP_BUF)) == NULL || (c->w = malloc(EP_BUF)) == NULL ||
	    (c->c = malloc(EP_BUF)) == NULL)
		goto out;
	c->flags = cfg->flags;
	c->wrong_mac_after = cfg->wrong_mac_after;
	c->max_read = cfg->max_read;
	c->cur = -1;
	if ((ret = ep_make_atr(c, cfg)) != EG_OK)
		goto out;
	if (!(cfg->flags & SIM_EP_F_NO_BAC)) {
		if ((ret = icao_bac_kseed(cfg->mrz_info, kseed)) != EG_OK ||
		    (ret = icao_kdf(kseed, sizeof(kseed), ICAO_KDF_ENC,
		    ICAO_CIPHER_3DES, c->kenc)) != EG_OK ||
		    (ret = icao_kdf(kseed, sizeof(kseed), ICAO_KDF_MAC,
		    ICAO_CIPHER_3DES, c->kmac)) != EG_OK)
			goto out;
	}
	if (cfg->fixed_rnd_ic != NULL) {
		memcpy(c->fixed_rnd_ic, cfg->fixed_rnd_ic, ICAO_BAC_RND_LEN);
		c->have_fixed_rnd = true;
	}
	if (cfg->fixed_k_ic != NULL) {
		memcpy(c->fixed_k_ic, cfg->fixed_k_ic, ICAO_BAC_K_LEN);
		c->have_fixed_k = true;
	}
	seed = cfg->seed != NULL ? cfg->seed : "egate sim chip";
	mbedtls_hmac_drbg_init(&c->drbg);
	c->drbg_ready = true;
	if (mbedtls_hmac_drbg_seed_buf(&c->drbg,
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (const unsigned char *)seed, strlen(seed)) != 0) {
		ret = EG_ERR_CRYPTO;
		goto out;
	}
	mbedtls_pk_init(&c->aa_key);
	if ((ret = ep_add_protocols(c, cfg)) != EG_OK ||
	    (ret = ep_add_atr_info(c, cfg)) != EG_OK)
		goto out;
	*out = c;
	c = NULL;
	ret = EG_OK;
out:
	eg_memzero(kseed, sizeof(kseed));
	sim_epassport_free(&c);
	return ret;
}

void
sim_epassport_free(struct sim_epassport **cp)
{
	struct sim_epassport *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	for (size_t i = 0; i < c->nf; i++) {
		eg_memzero(c->f[i].data, c->f[i].len);
		free(c->f[i].data);
	}
	if (c->r != NULL)
		eg_memzero(c->r, EP_BUF);
	if (c->w != NULL)
		eg_memzero(c->w, EP_BUF);
	if (c->c != NULL)
		eg_memzero(c->c, EP_BUF);
	free(c->r);
	free(c->w);
	free(c->c);
	if (c->drbg_ready) {
		mbedtls_hmac_drbg_free(&c->drbg);
		mbedtls_pk_free(&c->aa_key);
	}
	icao_pace_chip_free(&c->pace);
	icao_ca_chip_free(&c->ca);
	eg_memzero(c, sizeof(*c));
	free(c);
	*cp = NULL;
}

static int
ep_add(struct sim_epassport *c, uint16_t fid, uint8_t sfi, bool in_mf,
    const uint8_t *data, size_t len)
{
	struct ep_file *f;

	if (c == NULL || (data == NULL && len > 0) || sfi > ICAO_SFI_MAX)
		return EG_ERR_INVAL;
	for (size_t i = 0; i < c->nf; i++)
		if (c->f[i].fid == fid && c->f[i].in_mf == in_mf)
			return EG_ERR_INVAL;
	if (c->nf == EP_MAX_FILES || len > EP_FILE_MAX)
		return EG_ERR_OVERFLOW;
	f = &c->f[c->nf];
	if ((f->data = malloc(len > 0 ? len : 1)) == NULL)
		return EG_ERR_NOMEM;
	if (len > 0)
		memcpy(f->data, data, len);
	f->len = len;
	f->fid = fid;
	f->sfi = sfi;
	f->in_mf = in_mf;
	c->nf++;
	return EG_OK;
}

int
sim_epassport_add_file(struct sim_epassport *c, uint16_t fid, uint8_t sfi,
    const uint8_t *data, size_t len)
{
	return ep_add(c, fid, sfi, fid == ICAO_FID_EF_CARDACCESS ||
	    fid == ICAO_FID_EF_ATR_INFO, data, len);
}

int
sim_epassport_add_mf_file(struct sim_epassport *c, uint16_t fid, uint8_t sfi,
    const uint8_t *data, size_t len)
{
	return ep_add(c, fid, sfi, true, data, len);
}

const uint8_t *
sim_epassport_file(const struct sim_epassport *c, uint16_t fid, size_t *len)
{
	/* the application's file first (011D: EF.SOD, not EF.CardSecurity) */
	for (int mf = 0; mf < 2; mf++)
		for (size_t i = 0; i < c->nf; i++)
			if (c->f[i].fid == fid && c->f[i].in_mf == (mf == 1)) {
				*len = c->f[i].len;
				return c->f[i].data;
			}
	*len = 0;
	return NULL;
}

void
sim_epassport_set_trace(struct sim_epassport *c, sim_epassport_trace_fn fn,
    void *ctx)
{
	c->trace = fn;
	c->trace_ctx = ctx;
}

void
sim_epassport_stats(const struct sim_epassport *c, struct sim_epassport_stats *st)
{
	*st = c->st;
}

/* ---- plain command processing --------------------------------------------- */

/* A response being built in c->r: data then SW. */
struct ep_rsp {
	uint8_t *p;
	size_t len;
};

static void
rsp_sw(struct ep_rsp *r, uint16_t sw)
{
	r->p[r->len++] = (uint8_t)(sw >> 8);
	r->p[r->len++] = (uint8_t)sw;
}

static void
rsp_data(struct ep_rsp *r, const void *d, size_t n)
{
	memcpy(r->p + r->len, d, n);	/* callers keep n <= 65536 + header */
	r->len += n;
}

static void
ep_end_session(struct sim_epassport *c)
{
	c->sm = false;
	c->rekey = false;
	eg_memzero(c->rk_enc, sizeof(c->rk_enc));
	eg_memzero(c->rk_mac, sizeof(c->rk_mac));
	eg_memzero(c->ksenc, sizeof(c->ksenc));
	eg_memzero(c->ksmac, sizeof(c->ksmac));
	eg_memzero(c->ssc, sizeof(c->ssc));
}

static int
ep_find(const struct sim_epassport *c, bool by_sfi, unsigned id)
{
	for (size_t i = 0; i < c->nf; i++) {
		const struct ep_file *f = &c->f[i];

		if (f->in_mf == c->app_selected)
			continue;	/* only the current DF's files */
		if (by_sfi ? (f->sfi != 0 && f->sfi == id) : f->fid == id)
			return (int)i;
	}
	return -1;
}

static int
ep_random(struct sim_epassport *c, uint8_t *out, size_t n)
{
	return mbedtls_hmac_drbg_random(&c->drbg, out, n) == 0 ? EG_OK :
	    EG_ERR_CRYPTO;
}

static size_t
ep_len_size(size_t n)
{
	return n < 0x80 ? 1 : n < 0x100 ? 2 : 3;
}

/* The response APDU (SW included) that n data bytes make: plain, or
 * protected under the session's cipher (DO'87' with the padding indicator,
 * DO'99', DO'8E'). The chip's own count, independent of icao/extlen.c. */
static size_t
ep_rsp_len(const struct sim_epassport *c, size_t n)
{
	size_t bs, body;

	if (!c->sm)
		return n + 2;
	bs = icao_cipher_block_len(c->cipher);
	body = 1 + (n / bs + 1) * bs;
	return 1 + ep_len_size(body) + body + 4 + 10 + 2;
}

/* READ BINARY of the current EF at off: Le bytes (B1: Le covers DO'53'). */
static void
ep_read(struct sim_epassport *c, size_t off, uint32_t le, bool odd,
    struct ep_rsp *r)
{
	const struct ep_file *f;
	size_t want, avail, n;
	bool short_read = false;
	uint8_t hdr[4];
	size_t hl = 0;

	c->st.reads++;
	if (le > c->st.max_le_seen)
		c->st.max_le_seen = le;
	if (c->cur < 0) {
		rsp_sw(r, ICAO_SW_COND_NOT_SATISFIED);
		return;
	}
	f = &c->f[c->cur];
	if (!f->in_mf && !(c->flags & SIM_EP_F_NO_BAC) && !c->sm) {
		rsp_sw(r, ICAO_SW_SECURITY_STATUS);
		return;
	}
	if (off > f->len) {
		rsp_sw(r, ICAO_SW_WRONG_P1P2);
		return;
	}
	want = le == 0 ? 256 : le;
	if (c->ext_max != 0 && ep_rsp_len(c, want) > c->ext_max) {
		/* Ne could overflow the chip's response buffer */
		c->st.ext_refused++;
		rsp_sw(r, ICAO_SW_WRONG_LENGTH);
		return;
	}
	if (odd) {
		want = want >= 2 ? want - 2 : 0;
		while (want > 0 && want + 1 + ep_len_size(want) > le)
			want--;
	}
	if ((c->flags & SIM_EP_F_SHORT_READS) && want > c->max_read) {
		want = c->max_read;
		short_read = true;
		c->st.short_reads++;
	}
	avail = f->len - off;
	n = want < avail ? want : avail;
	if (n < want)
		short_read = true;
	if (odd) {
		hdr[hl++] = ICAO_DO_DISCRETIONARY;
		if (n > 255) {
			hdr[hl++] = 0x82;
			hdr[hl++] = (uint8_t)(n >> 8);
		} else if (n > 127) {
			hdr[hl++] = 0x81;
		}
		hdr[hl++] = (uint8_t)n;
		rsp_data(r, hdr, hl);
	}
	rsp_data(r, f->data + off, n);
	rsp_sw(r, short_read ? ICAO_SW_EOF_BEFORE_LE : ICAO_SW_OK);
}

static void
ep_select(struct sim_epassport *c, const struct icao_apdu *a, struct ep_rsp *r)
{
	int i;
	uint16_t fid;

	if (a->p1 == ICAO_SELECT_P1_DF_NAME) {
		if (!(c->flags & SIM_EP_F_NO_APP) && a->lc == ICAO_AID_EMRTD_LEN &&
		    memcmp(a->data, ICAO_AID_EMRTD, ICAO_AID_EMRTD_LEN) == 0) {
			c->app_selected = true;
			c->cur = -1;
			rsp_sw(r, ICAO_SW_OK);
			return;
		}
		rsp_sw(r, ICAO_SW_FILE_NOT_FOUND);
		return;
	}
	if ((a->p1 != 0x00 && a->p1 != ICAO_SELECT_P1_EF) || a->lc != 2) {
		rsp_sw(r, ICAO_SW_WRONG_P1P2);
		return;
	}
	fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
	if (fid == 0x3F00) {
		c->app_selected = false;
		c->cur = -1;
		rsp_sw(r, ICAO_SW_OK);
		return;
	}
	if ((i = ep_find(c, false, fid)) < 0) {
		rsp_sw(r, ICAO_SW_FILE_NOT_FOUND);
		return;
	}
	c->cur = i;
	rsp_sw(r, ICAO_SW_OK);
}

/* BAC, chip side (Doc 9303 Part 11 §4.3.3.1 / App. D.3). */
static void
ep_mutual_auth(struct sim_epassport *c, const struct icao_apdu *a,
    struct ep_rsp *r)
{
	uint8_t mac[8], s[32], resp[40], ksseed[16];
	uint8_t k_ic[ICAO_BAC_K_LEN];
	bool ok = false;

	if (c->flags & SIM_EP_F_NO_BAC) {
		rsp_sw(r, EP_SW_NO_REF);
		return;
	}
	if (c->flags & SIM_EP_F_REFUSE_BAC) {
		rsp_sw(r, ICAO_SW_COND_NOT_SATISFIED);
		return;
	}
	if (!c->challenge_valid) {
		rsp_sw(r, ICAO_SW_COND_NOT_SATISFIED);
		return;
	}
	c->challenge_valid = false;	/* one attempt per challenge */
	if (a->lc != ICAO_BAC_CMD_LEN) {
		rsp_sw(r, ICAO_SW_WRONG_LENGTH);
		return;
	}
	if (icao_mac(ICAO_CIPHER_3DES, c->kmac, a->data, 32, mac) != EG_OK ||
	    !eg_ct_equal(mac, a->data + 32, 8) ||
	    icao_cbc(ICAO_CIPHER_3DES, 0, c->kenc, NULL, a->data, 32, s) != EG_OK ||
	    !eg_ct_equal(s + 8, c->rnd_ic, 8)) {
		rsp_sw(r, EP_SW_AUTH_FAIL);
		goto out;
	}
	if (c->have_fixed_k)
		memcpy(k_ic, c->fixed_k_ic, sizeof(k_ic));
	else if (ep_random(c, k_ic, sizeof(k_ic)) != EG_OK) {
		rsp_sw(r, 0x6F00);
		goto out;
	}
	/* R = RND.IC || RND.IFD || K.IC */
	memcpy(resp, c->rnd_ic, 8);
	memcpy(resp + 8, s, 8);
	memcpy(resp + 16, k_ic, 16);
	for (size_t i = 0; i < 16; i++)
		ksseed[i] = (uint8_t)(s[16 + i] ^ k_ic[i]);
	if (icao_cbc(ICAO_CIPHER_3DES, 1, c->kenc, NULL, resp, 32, resp) != EG_OK ||
	    icao_mac(ICAO_CIPHER_3DES, c->kmac, resp, 32, resp + 32) != EG_OK ||
	    icao_kdf(ksseed, 16, ICAO_KDF_ENC, ICAO_CIPHER_3DES, c->ksenc) != EG_OK ||
	    icao_kdf(ksseed, 16, ICAO_KDF_MAC, ICAO_CIPHER_3DES, c->ksmac) != EG_OK) {
		rsp_sw(r, 0x6F00);
		goto out;
	}
	c->cipher = ICAO_CIPHER_3DES;
	memcpy(c->ssc, c->rnd_ic + 4, 4);
	memcpy(c->ssc + 4, s + 4, 4);
	rsp_data(r, resp, sizeof(resp));
	rsp_sw(r, ICAO_SW_OK);
	ok = true;
	c->st.bac_ok++;
out:
	eg_memzero(s, sizeof(s));
	eg_memzero(ksseed, sizeof(ksseed));
	eg_memzero(k_ic, sizeof(k_ic));
	eg_memzero(resp, sizeof(resp));
	if (ok)
		c->sm = true;	/* the answer itself goes out in the clear */
}

/* PACE (plain, before any session) or Chip Authentication (under SM):
 * the icao chip-side responders answer; keys they agree on take effect
 * after this response (PACE: its last GA goes out in the clear; CA: under
 * the old keys), with SSC 0. */
static void
ep_key_agreement(struct sim_epassport *c, const struct icao_apdu *a,
    struct ep_rsp *r)
{
	struct eg_wbuf w;
	uint16_t sw = EP_SW_NO_INS;
	int err;

	eg_wbuf_init_fixed(&w, r->p + r->len, EP_BUF - 2 - r->len, false);
	if (!c->sm && c->pace != NULL) {
		err = icao_pace_chip_apdu(c->pace, a, &w, &sw);
		if (err == EG_OK && sw == ICAO_SW_OK &&
		    a->ins == ICAO_INS_GENERAL_AUTH &&
		    (a->cla & ICAO_CLA_CHAIN) == 0 &&
		    icao_pace_chip_session(c->pace, &c->rk_cipher, c->rk_enc,
		    c->rk_mac) == EG_OK)
			c->rekey = true;
	} else if (c->sm && c->ca != NULL) {
		err = icao_ca_chip_apdu(c->ca, a, &w, &sw);
		if (err == EG_OK && sw == ICAO_SW_OK &&
		    icao_ca_chip_session(c->ca, &c->rk_cipher, c->rk_enc,
		    c->rk_mac) == EG_OK)
			c->rekey = true;
	} else {
		rsp_sw(r, EP_SW_NO_INS);
		return;
	}
	if (err != EG_OK) {
		c->rekey = false;
		rsp_sw(r, 0x6F00);
		return;
	}
	r->len += w.len;
	rsp_sw(r, sw);
}

/* Active Authentication: sign the terminal's challenge with the AA key. */
static void
ep_internal_auth(struct sim_epassport *c, const struct icao_apdu *a,
    struct ep_rsp *r)
{
	uint8_t sig[ICAO_AA_SIG_MAX];
	size_t n = 0;

	if (!c->have_aa) {
		rsp_sw(r, EP_SW_NO_INS);
		return;
	}
	if (!(c->flags & SIM_EP_F_NO_BAC) && !c->sm) {
		rsp_sw(r, ICAO_SW_SECURITY_STATUS);
		return;
	}
	if (a->lc == 0 || a->lc > 64) {
		rsp_sw(r, ICAO_SW_WRONG_LENGTH);
		return;
	}
	if (icao_aa_sign(&c->aa_key, MBEDTLS_MD_NONE, a->data, a->lc, ep_rng, c,
	    sig, sizeof(sig), &n) != EG_OK) {
		rsp_sw(r, 0x6F00);
		return;
	}
	rsp_data(r, sig, n);
	rsp_sw(r, ICAO_SW_OK);
}

static void
ep_process(struct sim_epassport *c, const struct icao_apdu *a, struct ep_rsp *r)
{
	int i;

	switch (a->ins) {
	case ICAO_INS_SELECT:
		ep_select(c, a, r);
		return;
	case ICAO_INS_READ_BINARY:
		if (a->p1 & ICAO_READ_P1_SFI) {
			if ((c->flags & SIM_EP_F_NO_SFI) || (a->p1 & 0x60) != 0 ||
			    (i = ep_find(c, true, a->p1 & ICAO_SFI_MAX)) < 0) {
				rsp_sw(r, ICAO_SW_FILE_NOT_FOUND);
				return;
			}
			c->cur = i;
			ep_read(c, a->p2, a->le, false, r);
			return;
		}
		ep_read(c, (size_t)a->p1 << 8 | a->p2, a->le, false, r);
		return;
	case ICAO_INS_READ_BINARY_ODD: {
		struct eg_rbuf b = eg_rbuf_init(a->data, a->lc);
		struct eg_tlv t;
		size_t off = 0;

		if (eg_tlv_expect(&b, ICAO_DO_OFFSET, &t) != EG_OK ||
		    eg_rbuf_left(&t.value) == 0 || eg_rbuf_left(&t.value) > 3) {
			rsp_sw(r, EP_SW_WRONG_DATA);
			return;
		}
		for (const uint8_t *p = t.value.p; p < t.value.end; p++)
			off = off << 8 | *p;
		ep_read(c, off, a->le, true, r);
		return;
	}
	case ICAO_INS_GET_CHALLENGE:
		if (c->flags & SIM_EP_F_NO_BAC) {
			rsp_sw(r, EP_SW_NO_REF);
			return;
		}
		if (c->flags & SIM_EP_F_REFUSE_BAC) {
			rsp_sw(r, ICAO_SW_COND_NOT_SATISFIED);
			return;
		}
		if (a->le != ICAO_BAC_RND_LEN) {
			rsp_sw(r, ICAO_SW_WRONG_LENGTH);
			return;
		}
		if (c->have_fixed_rnd)
			memcpy(c->rnd_ic, c->fixed_rnd_ic, sizeof(c->rnd_ic));
		else if (ep_random(c, c->rnd_ic, sizeof(c->rnd_ic)) != EG_OK) {
			rsp_sw(r, 0x6F00);
			return;
		}
		c->challenge_valid = true;
		rsp_data(r, c->rnd_ic, sizeof(c->rnd_ic));
		rsp_sw(r, ICAO_SW_OK);
		return;
	case ICAO_INS_EXTERNAL_AUTH:
		ep_mutual_auth(c, a, r);
		return;
	case ICAO_INS_MSE:
	case ICAO_INS_GENERAL_AUTH:
		ep_key_agreement(c, a, r);
		return;
	case ICAO_INS_INTERNAL_AUTH:
		ep_internal_auth(c, a, r);
		return;
	default:
		rsp_sw(r, EP_SW_NO_INS);
	}
}

/* ---- secure messaging, chip side ------------------------------------------ */

static void
ep_ssc_inc(struct sim_epassport *c)
{
	for (size_t i = icao_cipher_block_len(c->cipher); i > 0; i--)
		if (++c->ssc[i - 1] != 0)
			break;
}

/* The CBC IV: zero for 3DES, E(KSenc, SSC) for AES (Doc 9303 §9.8.6.1). */
static bool
ep_iv(const struct sim_epassport *c, uint8_t iv[ICAO_BLOCK_MAX])
{
	memset(iv, 0, ICAO_BLOCK_MAX);
	return c->cipher == ICAO_CIPHER_3DES ||
	    icao_ecb_block(c->cipher, c->ksenc, c->ssc, iv) == EG_OK;
}

/*
 * ep_sm_in — verify and decrypt a protected command; plain (with data in
 * dbuf) on success. Any error: false (the caller answers 6988 and ends the
 * session).
 */
static bool
ep_sm_in(struct sim_epassport *c, const struct icao_apdu *a,
    struct icao_apdu *plain, uint8_t *dbuf)
{
	uint8_t m[EP_CMD_MAX + 64], mac[8], iv[ICAO_BLOCK_MAX];
	struct eg_rbuf b = eg_rbuf_init(a->data, a->lc);
	struct eg_tlv t, cry = { 0 }, le = { 0 };
	size_t ml, n, bs = icao_cipher_block_len(c->cipher);
	bool have_cry = false, have_le = false, have_mac = false;

	if (a->lc > EP_CMD_MAX)
		return false;
	ep_ssc_inc(c);
	memcpy(m, c->ssc, bs);
	m[bs] = a->cla; m[bs + 1] = a->ins; m[bs + 2] = a->p1; m[bs + 3] = a->p2;
	if (icao_pad(m + bs, 4, bs, m + bs, sizeof(m) - bs, &n) != EG_OK)
		return false;
	ml = bs + n;
	while (eg_rbuf_left(&b) > 0) {
		if (eg_tlv_read(&b, &t) != EG_OK)
			return false;
		if (t.tag == ICAO_DO_MAC) {
			if (eg_rbuf_left(&b) != 0 || eg_rbuf_left(&t.value) != 8)
				return false;
			if (icao_mac(c->cipher, c->ksmac, m, ml, mac) != EG_OK ||
			    (!eg_ct_equal(mac, t.value.p, 8) &&
			    !(c->flags & SIM_EP_F_IGNORE_CMD_MAC)))
				return false;
			have_mac = true;
			break;
		}
		if (ml + t.raw_len > sizeof(m))
			return false;
		memcpy(m + ml, t.raw, t.raw_len);
		ml += t.raw_len;
		if ((t.tag == ICAO_DO_CRYPTO_EVEN || t.tag == ICAO_DO_CRYPTO_ODD) &&
		    !have_cry && !have_le) {
			cry = t;
			have_cry = true;
		} else if (t.tag == ICAO_DO_LE && !have_le) {
			le = t;
			have_le = true;
		} else {
			return false;
		}
	}
	if (!have_mac)
		return false;
	*plain = *a;
	plain->cla = (uint8_t)(a->cla & ~0x0C);
	plain->data = NULL;
	plain->lc = 0;
	plain->le = 0;
	if (have_cry) {
		struct eg_rbuf cv = cry.value;
		uint8_t ind;
		size_t ul;

		if (cry.tag == ICAO_DO_CRYPTO_EVEN &&
		    (eg_rbuf_u8(&cv, &ind) != EG_OK || ind != ICAO_PAD_INDICATOR))
			return false;
		n = eg_rbuf_left(&cv);
		if (n == 0 || n % bs != 0 || n > EP_CMD_MAX || !ep_iv(c, iv) ||
		    icao_cbc(c->cipher, 0, c->ksenc, iv, cv.p, n,
		    dbuf) != EG_OK || icao_unpad(dbuf, n, bs, &ul) != EG_OK)
			return false;
		plain->data = dbuf;
		plain->lc = ul;
	}
	if (have_le) {
		size_t ll = eg_rbuf_left(&le.value);

		if (ll == 0 || ll > 2)
			return false;
		for (const uint8_t *p = le.value.p; p < le.value.end; p++)
			plain->le = plain->le << 8 | *p;
		if (plain->le == 0)
			plain->le = ll == 1 ? 256 : 65536;
	}
	return true;
}

/* ep_sm_out — protect the plain response in c->r (rl bytes incl. SW) into
 * c->w; returns the protected length (0 on an internal failure). */
static size_t
ep_sm_out(struct sim_epassport *c, bool odd, size_t rl)
{
	struct eg_wbuf w;
	size_t dl = rl - 2, cl, bs = icao_cipher_block_len(c->cipher);
	uint8_t mac[8], iv[ICAO_BLOCK_MAX];

	eg_wbuf_init_fixed(&w, c->w, EP_BUF, false);
	ep_ssc_inc(c);
	if (eg_wbuf_put(&w, c->ssc, bs) != EG_OK)
		return 0;
	if (dl > 0) {
		c->c[0] = ICAO_PAD_INDICATOR;
		if (icao_pad(c->r, dl, bs, c->c + 1, EP_BUF - 1, &cl) != EG_OK ||
		    !ep_iv(c, iv) ||
		    icao_cbc(c->cipher, 1, c->ksenc, iv, c->c + 1, cl,
		    c->c + 1) != EG_OK)
			return 0;
		if (odd ? eg_tlv_put(&w, ICAO_DO_CRYPTO_ODD, c->c + 1, cl) :
		    eg_tlv_put(&w, ICAO_DO_CRYPTO_EVEN, c->c, cl + 1))
			return 0;
	}
	if (!((c->flags & SIM_EP_F_NO_DO99) && c->r[dl] == 0x90 &&
	    c->r[dl + 1] == 0x00) &&
	    eg_tlv_put(&w, ICAO_DO_SW, c->r + dl, 2) != EG_OK)
		return 0;
	if (icao_mac(c->cipher, c->ksmac, w.data, w.len, mac) != EG_OK)
		return 0;
	c->sm_responses++;
	if ((c->flags & SIM_EP_F_WRONG_MAC) && c->sm_responses > c->wrong_mac_after)
		mac[3] ^= 0x10;
	if (eg_tlv_put(&w, ICAO_DO_MAC, mac, 8) != EG_OK ||
	    eg_wbuf_put(&w, c->r + dl, 2) != EG_OK)
		return 0;
	memmove(c->w, c->w + bs, w.len - bs);
	return w.len - bs;
}

/* ---- the card ------------------------------------------------------------- */

static int
ep_apdu(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t cap, size_t *rlen)
{
	struct sim_epassport *c = ctx;
	struct icao_apdu a, plain;
	struct ep_rsp r = { c->r, 0 };
	uint8_t dbuf[EP_CMD_MAX];
	const uint8_t *out = c->r;
	size_t olen;
	bool ext;
	int ret = EG_OK;

	c->st.apdus++;
	ext = clen >= 7 && capdu[4] == 0x00;	/* Lc or Le in 3 / 2 bytes */
	if (ext)
		c->st.ext_commands++;
	if (icao_apdu_decode(capdu, clen, &a) != EG_OK) {
		rsp_sw(&r, ICAO_SW_WRONG_LENGTH);
	} else if (ext && c->ext_max == 0) {
		/* cannot parse it: refused before secure messaging */
		ep_end_session(c);
		c->st.ext_refused++;
		rsp_sw(&r, ICAO_SW_WRONG_LENGTH);
	} else if (c->sm) {
		if ((a.cla & ICAO_CLA_SM) != ICAO_CLA_SM) {
			ep_end_session(c);
			c->st.sm_errors++;
			rsp_sw(&r, ICAO_SW_SM_MISSING);
		} else if (!ep_sm_in(c, &a, &plain, dbuf)) {
			ep_end_session(c);
			c->st.sm_errors++;
			rsp_sw(&r, ICAO_SW_SM_INCORRECT);
		} else {
			ep_process(c, &plain, &r);
			if ((c->flags & SIM_EP_F_DROP_SM) && r.len >= 2 &&
			    !(r.p[r.len - 2] == 0x90 && r.p[r.len - 1] == 0x00) &&
			    !(r.p[r.len - 2] == 0x62 && r.p[r.len - 1] == 0x82)) {
				/* an error, said in the clear: session over */
				memmove(r.p, r.p + r.len - 2, 2);
				r.len = 2;
				ep_end_session(c);
				c->st.sm_dropped++;
				goto done;
			}
			if ((olen = ep_sm_out(c, (a.ins & 1) != 0, r.len)) == 0) {
				ret = EG_ERR_CRYPTO;
				goto out;
			}
			if ((c->flags & SIM_EP_F_TRUNCATE) && olen > 5 &&
			    (a.ins == ICAO_INS_READ_BINARY ||
			    a.ins == ICAO_INS_READ_BINARY_ODD)) {
				/* lose 3 bytes of data objects, keep SW1SW2 */
				memmove(c->w + olen - 5, c->w + olen - 2, 2);
				olen -= 3;
			}
			out = c->w;
			r.len = olen;
		}
	} else if (a.cla & ICAO_CLA_SM) {
		rsp_sw(&r, ICAO_SW_SM_INCORRECT);	/* no session */
	} else {
		ep_process(c, &a, &r);
	}
done:
	if (c->rekey) {
		/* PACE done, or CA: this answer went out under the old state */
		c->rekey = false;
		c->sm = true;
		c->cipher = c->rk_cipher;
		memcpy(c->ksenc, c->rk_enc, sizeof(c->ksenc));
		memcpy(c->ksmac, c->rk_mac, sizeof(c->ksmac));
		memset(c->ssc, 0, sizeof(c->ssc));
		eg_memzero(c->rk_enc, sizeof(c->rk_enc));
		eg_memzero(c->rk_mac, sizeof(c->rk_mac));
	}
	if (r.len > cap) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	memcpy(rapdu, out, r.len);
	*rlen = r.len;
	if (c->trace != NULL)
		c->trace(c->trace_ctx, capdu, clen, rapdu, r.len);
out:
	eg_memzero(dbuf, sizeof(dbuf));
	return ret;
}

static int
ep_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct sim_epassport *c = ctx;

	if (c->flags & SIM_EP_F_MUTE)
		return EG_ERR_NO_CARD;
	ep_end_session(c);
	c->app_selected = false;
	c->cur = -1;
	c->challenge_valid = false;
	c->sm_responses = 0;
	if (cap < c->atr_len)
		return EG_ERR_OVERFLOW;
	memcpy(atr, c->atr, c->atr_len);
	*atr_len = c->atr_len;
	return EG_OK;
}

static int
ep_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t rcap, size_t *rlen)
{
	struct sim_epassport *c = ctx;

	if (c->flags & SIM_EP_F_MUTE)
		return EG_ERR_NO_CARD;
	return ep_apdu(ctx, capdu, clen, rapdu, rcap, rlen);
}

const struct sim_card_ops sim_epassport_card_ops = {
	.power_on = ep_power_on,
	.apdu = ep_apdu,
};

const struct icao_card_ops sim_epassport_icao_ops = {
	.transmit = ep_transmit,
};
