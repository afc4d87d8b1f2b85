/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pace_openpace — PACE against an independent implementation:
 * OpenPACE (libeac, on OpenSSL) plays the chip behind simchip while our
 * terminal (icao_pace_run) drives it over the channel, exchanging the same
 * byte strings the GENERAL AUTHENTICATE data objects carry; then our chip
 * responder (icao_pace_chip) answers OpenPACE's terminal steps. OpenPACE
 * derives Kπ from a whole TD1 MRZ with its own parser (TR-03110 A.3), our
 * side from the MRZ information string, so the password path is checked
 * too. Both sides must agree on the session keys, and protected reads must
 * work afterwards.
 */
#include <stdio.h>
#include <string.h>

#include <eac/ca.h>
#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <mbedtls/ecp.h>
#include <openssl/buffer.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/tlv.h"
#include "icao/ca.h"
#include "icao/ca_chip.h"
#include "icao/chan.h"
#include "icao/iso7816.h"
#include "icao/pace.h"
#include "icao/pace_chip.h"
#include "icao/sm.h"
#include "eg_check.h"
#include "pacecard.h"
#include "simchip.h"

/* TD1 specimen of Doc 9303 Part 5 (reference file), lines concatenated:
 * document number D23145890 (7), birth 740812 (2), expiry 120415 (9). */
static const char td1[] =
    "I<UTOD231458907<<<<<<<<<<<<<<<"
    "7408122F1204159UTO<<<<<<<<<<<6"
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
static const char mrz_info[] = "D23145890774081221204159";
static const char can[] = "500540";

static const uint8_t ef_com[] = {
	0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x36, 0x5F, 0x36,
	0x06, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75,
};

/* EF.CardAccess with one PACEInfo: OID 0.4.0.127.0.7.2.2.4.2.<c>, v2,
 * parameterId pid. */
static size_t
cardaccess(uint8_t c, uint8_t pid, uint8_t out[22])
{
	static const uint8_t t[] = { 0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04,
	    0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x00, 0x02, 0x01,
	    0x02, 0x02, 0x01, 0x00 };

	memcpy(out, t, sizeof(t));
	out[15] = c;
	out[21] = pid;
	return sizeof(t);
}

static BUF_MEM *
bm(const uint8_t *p, size_t n)
{
	BUF_MEM *b = BUF_MEM_new();

	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(BUF_MEM_grow(b, n), n);
	if (n > 0)
		memcpy(b->data, p, n);
	return b;
}

/* ---- OpenPACE as the chip ------------------------------------------------ */

struct op_chip {
	EAC_CTX *ctx;
	PACE_SEC *sec;
	BUF_MEM *pcd_eph;	/* the terminal's ephemeral key */
	int step;
	bool token_ok;
	enum icao_cipher cipher;	/* what the OID names */
};

/* the value of the only object inside 7C, or an empty one for '7C 00' */
static bool
ga_value(const struct icao_apdu *a, uint32_t tag, struct eg_rbuf *v)
{
	struct eg_rbuf b = eg_rbuf_init(a->data, a->lc);
	struct eg_tlv o, in;

	if (eg_tlv_expect(&b, 0x7C, &o) != EG_OK)
		return false;
	if (tag == 0) {
		*v = o.value;
		return eg_rbuf_left(&o.value) == 0;
	}
	if (eg_tlv_expect(&o.value, tag, &in) != EG_OK)
		return false;
	*v = in.value;
	return true;
}

static size_t
reply(uint8_t *data, size_t cap, uint8_t tag, const BUF_MEM *m)
{
	struct eg_wbuf w;

	eg_wbuf_init_fixed(&w, data, cap, false);
	ck_assert_int_eq(eg_tlv_put_tag(&w, 0x7C), EG_OK);
	ck_assert_int_eq(eg_tlv_put_len(&w, 1 + eg_tlv_len_size(m->length) +
	    m->length), EG_OK);
	ck_assert_int_eq(eg_tlv_put(&w, tag, m->data, m->length), EG_OK);
	return w.len;
}

static bool
op_handler(struct pacecard *pcd, const struct icao_apdu *a, uint8_t *data,
    size_t cap, size_t *dlen, uint16_t *sw)
{
	struct op_chip *oc = pcd->extra_ctx;
	struct eg_rbuf v;
	BUF_MEM *in = NULL, *out = NULL;

	if (a->ins == ICAO_INS_MSE) {
		oc->step = 1;
		*sw = 0x9000;
		return true;
	}
	if (a->ins != ICAO_INS_GENERAL_AUTH)
		return false;
	*sw = 0x6A80;
	switch (oc->step) {
	case 1:
		if (!ga_value(a, 0, &v))
			return true;
		out = PACE_STEP1_enc_nonce(oc->ctx, oc->sec);
		ck_assert_ptr_nonnull(out);
		*dlen = reply(data, cap, 0x80, out);
		break;
	case 2:
		if (!ga_value(a, 0x81, &v))
			return true;
		in = bm(v.p, eg_rbuf_left(&v));
		out = PACE_STEP3A_generate_mapping_data(oc->ctx);
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(PACE_STEP3A_map_generator(oc->ctx, in), 1);
		*dlen = reply(data, cap, 0x82, out);
		break;
	case 3:
		if (!ga_value(a, 0x83, &v))
			return true;
		oc->pcd_eph = bm(v.p, eg_rbuf_left(&v));
		out = PACE_STEP3B_generate_ephemeral_key(oc->ctx);
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(PACE_STEP3B_compute_shared_secret(oc->ctx,
		    oc->pcd_eph), 1);
		ck_assert_int_eq(PACE_STEP3C_derive_keys(oc->ctx), 1);
		*dlen = reply(data, cap, 0x84, out);
		break;
	case 4: {
		KA_CTX *ka = oc->ctx->pace_ctx->ka_ctx;
		struct simchip *s = pcd->sim;

		if (!ga_value(a, 0x85, &v))
			return true;
		in = bm(v.p, eg_rbuf_left(&v));
		if (PACE_STEP3D_verify_authentication_token(oc->ctx, in) != 1) {
			*sw = 0x6300;
			goto done;
		}
		oc->token_ok = true;
		out = PACE_STEP3D_compute_authentication_token(oc->ctx,
		    oc->pcd_eph);
		ck_assert_ptr_nonnull(out);
		*dlen = reply(data, cap, 0x86, out);
		/* SM with OpenPACE's keys from the next command on */
		ck_assert_uint_le(ka->k_enc->length, sizeof(s->rk_enc));
		ck_assert_uint_eq(ka->k_enc->length,
		    icao_cipher_key_len(oc->cipher));
		s->rk_cipher = oc->cipher;
		memcpy(s->rk_enc, ka->k_enc->data, ka->k_enc->length);
		memcpy(s->rk_mac, ka->k_mac->data, ka->k_mac->length);
		s->rekey = true;
		break;
	}
	default:
		*sw = 0x6985;
		return true;
	}
	oc->step++;
	*sw = 0x9000;
done:
	BUF_MEM_free(in);
	BUF_MEM_free(out);
	return true;
}

/* Our terminal against OpenPACE's chip; returns icao_pace_run's result. */
static int
run_vs_openpace_chip(uint8_t c, uint8_t pid, enum icao_pace_pw type,
    const char *terminal_pw, enum s_type op_type, const char *op_secret,
    enum icao_cipher *cipher_out)
{
	uint8_t ca[22];
	size_t cal = cardaccess(c, pid, ca);
	char dotted[32];
	struct icao_pace_params p;
	struct op_chip oc = { 0 };
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct test_drbg *d = test_drbg_new("egate terminal");
	struct eg_wbuf file;
	uint16_t sw;
	int r;

	snprintf(dotted, sizeof(dotted), "0.4.0.127.0.7.2.2.4.2.%u", c);
	ck_assert_eg(icao_pace_params_init(&p, dotted, pid), EG_OK);
	oc.cipher = p.cipher;
	oc.ctx = EAC_CTX_new();
	ck_assert_ptr_nonnull(oc.ctx);
	ck_assert_int_eq(EAC_CTX_init_ef_cardaccess(ca, cal, oc.ctx), 1);
	oc.sec = PACE_SEC_new(op_secret, strlen(op_secret), op_type);
	ck_assert_ptr_nonnull(oc.sec);
	simchip_add_file(sim, ICAO_FID_EF_COM, 0x1E, ef_com, sizeof(ef_com));
	pacecard_init(&pcd, sim, NULL);
	pcd.extra = op_handler;
	pcd.extra_ctx = &oc;
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	r = icao_pace_run(ch, &p, type, terminal_pw, test_drbg_rng, d, sm, &sw);
	if (r == EG_OK) {
		ck_assert(oc.token_ok);
		*cipher_out = icao_sm_cipher(sm);
		ck_assert_int_eq(*cipher_out, p.cipher);
		ck_assert(sim->sm);
		/* the keys OpenPACE derived drive the simchip's SM */
		eg_wbuf_init(&file, 1024, false);
		ck_assert_eg(icao_select_fid(ch, ICAO_FID_EF_COM, &sw), EG_OK);
		ck_assert_eg(icao_read_file(ch, NULL, &file, &sw, NULL), EG_OK);
		ck_assert_uint_eq(file.len, sizeof(ef_com));
		ck_assert_mem_eq(file.data, ef_com, sizeof(ef_com));
		eg_wbuf_free(&file);
	} else {
		ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	}
	BUF_MEM_free(oc.pcd_eph);
	PACE_SEC_clear_free(oc.sec);
	EAC_CTX_clear_free(oc.ctx);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	simchip_free(&sim);
	test_drbg_free(&d);
	return r;
}

START_TEST(test_terminal_vs_openpace_bp256_aes128_mrz)
{
	enum icao_cipher c;

	ck_assert_eg(run_vs_openpace_chip(2, 13, ICAO_PACE_PW_MRZ, mrz_info,
	    PACE_MRZ, td1, &c), EG_OK);
	ck_assert_int_eq(c, ICAO_CIPHER_AES128);
	/* CAN */
	ck_assert_eg(run_vs_openpace_chip(2, 13, ICAO_PACE_PW_CAN, can,
	    PACE_CAN, can, &c), EG_OK);
	/* OpenPACE refuses our token when the passwords differ */
	ck_assert_eg(run_vs_openpace_chip(2, 13, ICAO_PACE_PW_MRZ,
	    "D23145890774081221204160", PACE_MRZ, td1, &c), EG_ERR_AUTH);
}
END_TEST

static const uint8_t pids[] = { 8, 10, 12, 13, 15, 16, 17, 18 };

/* every curve with every cipher (3DES, AES-128/192/256), MRZ */
START_TEST(test_terminal_vs_openpace_all)
{
	enum icao_cipher c;

	for (uint8_t ci = 1; ci <= 4; ci++)
		ck_assert_msg(run_vs_openpace_chip(ci, pids[_i], ICAO_PACE_PW_MRZ,
		    mrz_info, PACE_MRZ, td1, &c) == EG_OK,
		    "cipher %u parameterId %u", ci, pids[_i]);
}
END_TEST

/* ---- OpenPACE as the terminal, our chip responder ------------------------ */

static void
chip_apdu(struct icao_pace_chip *chip, uint8_t cla, uint8_t ins,
    const uint8_t *d, size_t n, struct eg_wbuf *resp, uint16_t want_sw)
{
	struct icao_apdu a = { .cla = cla, .ins = ins, .data = d, .lc = n };
	uint16_t sw;

	if (ins == ICAO_INS_MSE) {
		a.p1 = 0xC1;
		a.p2 = 0xA4;
	}
	eg_wbuf_reset(resp);
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, want_sw);
}

/* '7C' { tag value } */
static size_t
ga_data(uint8_t tag, const BUF_MEM *m, uint8_t *out, size_t cap)
{
	struct eg_wbuf w;

	eg_wbuf_init_fixed(&w, out, cap, false);
	ck_assert_int_eq(eg_tlv_put_tag(&w, 0x7C), EG_OK);
	if (m == NULL) {
		ck_assert_int_eq(eg_tlv_put_len(&w, 0), EG_OK);
		return w.len;
	}
	ck_assert_int_eq(eg_tlv_put_len(&w, 1 + eg_tlv_len_size(m->length) +
	    m->length), EG_OK);
	ck_assert_int_eq(eg_tlv_put(&w, tag, m->data, m->length), EG_OK);
	return w.len;
}

static BUF_MEM *
resp_value(const struct eg_wbuf *resp, uint32_t tag)
{
	struct eg_rbuf v;

	ck_assert_eg(icao_ga_parse(resp->data, resp->len, tag, &v), EG_OK);
	return bm(v.p, eg_rbuf_left(&v));
}

static void
chip_vs_openpace_terminal(uint8_t c, uint8_t pid, bool wrong_pw)
{
	uint8_t ca[22], d[300], mse[15];
	size_t cal = cardaccess(c, pid, ca), n;
	char dotted[32];
	struct icao_pace_params p;
	struct icao_pace_chip *chip = NULL;
	struct test_drbg *dr = test_drbg_new("egate chip");
	EAC_CTX *t = EAC_CTX_new();
	PACE_SEC *sec = PACE_SEC_new(td1, strlen(td1), PACE_MRZ);
	BUF_MEM *enc, *map_t, *map_c, *eph_t, *eph_c, *tok_t, *tok_c;
	struct eg_wbuf resp;
	enum icao_cipher ciph;
	uint8_t ke[32], km[32];
	KA_CTX *ka;

	snprintf(dotted, sizeof(dotted), "0.4.0.127.0.7.2.2.4.2.%u", c);
	ck_assert_eg(icao_pace_params_init(&p, dotted, pid), EG_OK);
	ck_assert_eg(icao_pace_chip_new(&p, wrong_pw ?
	    "D23145890774081221204160" : mrz_info, NULL, test_drbg_rng, dr,
	    &chip), EG_OK);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(sec);
	ck_assert_int_eq(EAC_CTX_init_ef_cardaccess(ca, cal, t), 1);
	eg_wbuf_init(&resp, 512, false);
	/* MSE:Set AT: 80 OID, 83 01 */
	mse[0] = 0x80;
	mse[1] = 0x0A;
	memcpy(mse + 2, ca + 6, 10);
	mse[12] = 0x83;
	mse[13] = 0x01;
	mse[14] = 0x01;
	chip_apdu(chip, 0x00, ICAO_INS_MSE, mse, sizeof(mse), &resp, 0x9000);
	/* 1 */
	n = ga_data(0, NULL, d, sizeof(d));
	chip_apdu(chip, 0x10, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	enc = resp_value(&resp, 0x80);
	ck_assert_int_eq(PACE_STEP2_dec_nonce(t, sec, enc), 1);
	/* 2 */
	map_t = PACE_STEP3A_generate_mapping_data(t);
	ck_assert_ptr_nonnull(map_t);
	n = ga_data(0x81, map_t, d, sizeof(d));
	chip_apdu(chip, 0x10, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	map_c = resp_value(&resp, 0x82);
	ck_assert_int_eq(PACE_STEP3A_map_generator(t, map_c), 1);
	/* 3 */
	eph_t = PACE_STEP3B_generate_ephemeral_key(t);
	ck_assert_ptr_nonnull(eph_t);
	n = ga_data(0x83, eph_t, d, sizeof(d));
	chip_apdu(chip, 0x10, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	eph_c = resp_value(&resp, 0x84);
	ck_assert_int_eq(PACE_STEP3B_compute_shared_secret(t, eph_c), 1);
	ck_assert_int_eq(PACE_STEP3C_derive_keys(t), 1);
	/* 4 */
	tok_t = PACE_STEP3D_compute_authentication_token(t, eph_c);
	ck_assert_ptr_nonnull(tok_t);
	n = ga_data(0x85, tok_t, d, sizeof(d));
	if (wrong_pw) {
		chip_apdu(chip, 0x00, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x6300);
		ck_assert_eg(icao_pace_chip_session(chip, &ciph, ke, km),
		    EG_ERR_STATE);
		tok_c = NULL;
		goto out;
	}
	chip_apdu(chip, 0x00, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	tok_c = resp_value(&resp, 0x86);
	ck_assert_int_eq(PACE_STEP3D_verify_authentication_token(t, tok_c), 1);
	ck_assert_eg(icao_pace_chip_session(chip, &ciph, ke, km), EG_OK);
	ck_assert_int_eq(ciph, p.cipher);
	ka = t->pace_ctx->ka_ctx;
	ck_assert_uint_eq(ka->k_enc->length, icao_cipher_key_len(ciph));
	if (ciph == ICAO_CIPHER_3DES) {
		/* OpenPACE leaves the DES parity bits as the hash gave them;
		 * we set them (Doc 9303 §9.7.1). DES ignores them. */
		for (size_t i = 0; i < ka->k_enc->length; i++) {
			ck_assert_uint_eq(ke[i] & 0xFE,
			    (uint8_t)ka->k_enc->data[i] & 0xFE);
			ck_assert_uint_eq(km[i] & 0xFE,
			    (uint8_t)ka->k_mac->data[i] & 0xFE);
		}
	} else {
		ck_assert_mem_eq(ke, ka->k_enc->data, ka->k_enc->length);
		ck_assert_mem_eq(km, ka->k_mac->data, ka->k_mac->length);
	}
out:
	BUF_MEM_free(enc);
	BUF_MEM_free(map_t);
	BUF_MEM_free(map_c);
	BUF_MEM_free(eph_t);
	BUF_MEM_free(eph_c);
	BUF_MEM_free(tok_t);
	BUF_MEM_free(tok_c);
	eg_wbuf_free(&resp);
	PACE_SEC_clear_free(sec);
	EAC_CTX_clear_free(t);
	icao_pace_chip_free(&chip);
	test_drbg_free(&dr);
}

START_TEST(test_chip_vs_openpace_terminal)
{
	for (uint8_t ci = 1; ci <= 4; ci++)
		chip_vs_openpace_terminal(ci, pids[_i], false);
}
END_TEST

START_TEST(test_chip_vs_openpace_terminal_wrong_pw)
{
	chip_vs_openpace_terminal(2, 13, true);
}
END_TEST

/* ---- Chip Authentication: OpenPACE computes the chip's shared secret ---- */

struct op_ca {
	EAC_CTX *ctx;
	bool mse, agreed;
};

static bool
op_ca_handler(struct pacecard *pcd, const struct icao_apdu *a, uint8_t *data,
    size_t cap, size_t *dlen, uint16_t *sw)
{
	struct op_ca *oc = pcd->extra_ctx;
	struct simchip *s = pcd->sim;
	struct eg_rbuf v;
	BUF_MEM *pub, *k;

	(void)cap;
	if (!s->sm)
		return false;	/* PACE is icao_pace_chip's */
	if (a->ins == ICAO_INS_MSE && a->p1 == 0x41 && a->p2 == 0xA4) {
		oc->mse = true;
		*sw = 0x9000;
		return true;
	}
	if (a->ins != ICAO_INS_GENERAL_AUTH || !oc->mse)
		return false;
	*sw = 0x6A80;
	if (!ga_value(a, 0x80, &v))
		return true;
	pub = bm(v.p, eg_rbuf_left(&v));
	ck_assert_int_eq(CA_STEP4_compute_shared_secret(oc->ctx, pub), 1);
	BUF_MEM_free(pub);
	/* CA version 1: KSenc/KSmac = KDF(K, 1/2) straight from K */
	k = oc->ctx->ca_ctx->ka_ctx->shared_secret;
	ck_assert_ptr_nonnull(k);
	ck_assert_eg(icao_kdf((const uint8_t *)k->data, k->length, 1,
	    ICAO_CIPHER_AES128, s->rk_enc), EG_OK);
	ck_assert_eg(icao_kdf((const uint8_t *)k->data, k->length, 2,
	    ICAO_CIPHER_AES128, s->rk_mac), EG_OK);
	s->rk_cipher = ICAO_CIPHER_AES128;
	s->rekey = true;
	oc->agreed = true;
	data[0] = 0x7C;
	data[1] = 0x00;
	*dlen = 2;
	*sw = 0x9000;
	return true;
}

START_TEST(test_ca_vs_openpace_chip)
{
	static const uint8_t sk[32] = {
		0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93, 0x23, 0x84,
		0x62, 0x64, 0x33, 0x83, 0x27, 0x95, 0x02, 0x88, 0x41, 0x97,
		0x16, 0x93, 0x99, 0x37, 0x51, 0x05, 0x82, 0x09, 0x74, 0x94,
		0x45, 0x92 };
	struct icao_pace_params pp;
	struct icao_ca_params cp;
	struct icao_ca_chip *ours = NULL;
	struct icao_pace_chip *chip = NULL;
	struct op_ca oc = { 0 };
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct test_drbg *dt = test_drbg_new("t"), *dc = test_drbg_new("c");
	struct eg_wbuf spki, f;
	uint16_t sw;
	bool genuine = _i == 0;

	ck_assert_eg(icao_pace_params_init(&pp, "0.4.0.127.0.7.2.2.4.2.2", 13),
	    EG_OK);
	ck_assert_eg(icao_ca_params_init(&cp, "0.4.0.127.0.7.2.2.3.2.2", -1),
	    EG_OK);
	/* the DG14 key (our SPKI writer, checked against OpenSSL elsewhere) */
	ck_assert_eg(icao_ca_chip_new(&cp, MBEDTLS_ECP_DP_BP256R1, sk,
	    sizeof(sk), &ours), EG_OK);
	eg_wbuf_init(&spki, 400, false);
	ck_assert_eg(icao_ca_chip_spki(ours, &spki), EG_OK);
	/* OpenPACE's chip holds the private key (or, as a clone, another) */
	oc.ctx = EAC_CTX_new();
	ck_assert_ptr_nonnull(oc.ctx);
	ck_assert_int_eq(EAC_CTX_init_ca(oc.ctx, NID_id_CA_ECDH_AES_CBC_CMAC_128,
	    13), 1);
	{
		uint8_t k2[32];

		memcpy(k2, sk, sizeof(k2));
		if (!genuine)
			k2[31] ^= 0x5A;
		ck_assert_int_eq(CA_set_key(oc.ctx, k2, sizeof(k2),
		    spki.data + spki.len - 65, 65), 1);
	}
	ck_assert_eg(icao_pace_chip_new(&pp, mrz_info, NULL, test_drbg_rng, dc,
	    &chip), EG_OK);
	simchip_add_file(sim, ICAO_FID_EF_COM, 0x1E, ef_com, sizeof(ef_com));
	pacecard_init(&pcd, sim, chip);
	pcd.extra = op_ca_handler;
	pcd.extra_ctx = &oc;
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_pace_run(ch, &pp, ICAO_PACE_PW_MRZ, mrz_info,
	    test_drbg_rng, dt, sm, &sw), EG_OK);
	ck_assert_eg(icao_ca_run(ch, &cp, spki.data, spki.len, test_drbg_rng,
	    dt, &sw), EG_OK);
	ck_assert(oc.agreed);
	sim->ignore_cmd_mac = !genuine;
	eg_wbuf_init(&f, 64, false);
	{
		int e = icao_select_fid(ch, ICAO_FID_EF_COM, &sw);

		if (e == EG_OK)
			e = icao_read_binary(ch, 0, 4, &f, &sw);
		/* a clone cannot even decrypt our SELECT: 6988 in the clear */
		if (genuine)
			ck_assert_eg(e, EG_OK);
		else
			ck_assert_msg(e == EG_ERR_MAC ||
			    (e == EG_ERR_CARD_STATUS && sw == 0x6988), "%s %04X",
			    eg_err_name(e), sw);
		ck_assert_str_eq(icao_ca_result_str(icao_ca_judge(e, sw)),
		    genuine ? "pass" : "fail");
	}
	eg_wbuf_free(&f);
	eg_wbuf_free(&spki);
	EAC_CTX_clear_free(oc.ctx);
	icao_ca_chip_free(&ours);
	icao_pace_chip_free(&chip);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	simchip_free(&sim);
	test_drbg_free(&dt);
	test_drbg_free(&dc);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-pace-openpace");
	TCase *tc = tcase_create("openpace");

	EAC_init();
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_terminal_vs_openpace_bp256_aes128_mrz);
	tcase_add_loop_test(tc, test_terminal_vs_openpace_all, 0,
	    (int)sizeof(pids));
	tcase_add_loop_test(tc, test_chip_vs_openpace_terminal, 0,
	    (int)sizeof(pids));
	tcase_add_test(tc, test_chip_vs_openpace_terminal_wrong_pw);
	tcase_add_loop_test(tc, test_ca_vs_openpace_chip, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
