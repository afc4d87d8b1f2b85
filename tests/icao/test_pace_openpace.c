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
 *
 * PACE-CAM: OpenPACE 1.1.2 (Debian 12) knows no CAM OID. CAM's mapping,
 * key agreement and key derivation are GM's, so OpenPACE runs those (with
 * the GM OID of the same cipher and curve) and the CAM-specific parts are
 * written here on OpenSSL's libcrypto, not on mbedTLS: the tokens over the
 * CAM OID (EVP_MAC CMAC), CA_IC = SK_IC^-1 * SK_map,IC mod n from
 * OpenPACE's own mapping key (BIGNUM), A_IC (EVP AES-CBC, IV = E(KSenc,
 * -1)), and the terminal's check PK_map,IC = CA_IC * PK_IC (EC_POINT_mul).
 *
 * Integrated Mapping: OpenPACE's ECDH-IM is the mapping of the 2010
 * technical report (Icart's encoding of E(t, s), p = 2 mod 3), not Doc
 * 9303's (the pseudo-random function and Appendix B's encoding: our
 * vectors are the standard's Appendix H), and it does not install its
 * mapped generator. test_im_openpace_differs keeps that observed: the day
 * it fails, OpenPACE speaks Doc 9303 IM and can become a peer for it.
 */
#include <stdio.h>
#include <string.h>

#include <eac/ca.h>
#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

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

/* ---- CAM's own parts on OpenSSL ----------------------------------------- */

static int
ossl_nid(uint8_t pid)
{
	switch (pid) {
	case 8: return NID_X9_62_prime192v1;
	case 10: return NID_secp224r1;
	case 12: return NID_X9_62_prime256v1;
	case 13: return NID_brainpoolP256r1;
	case 15: return NID_secp384r1;
	case 16: return NID_brainpoolP384r1;
	case 17: return NID_brainpoolP512r1;
	case 18: return NID_secp521r1;
	}
	ck_abort_msg("no curve for parameterId %u", pid);
	return 0;
}

static const EVP_CIPHER *
ossl_aes(size_t klen, bool cbc)
{
	switch (klen) {
	case 16: return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
	case 24: return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
	case 32: return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
	}
	ck_abort_msg("key length %zu", klen);
	return NULL;
}

/* AES with OpenSSL, no padding; iv NULL: ECB */
static void
ossl_aes_run(const uint8_t *key, size_t klen, const uint8_t *iv, int enc,
    const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_CipherInit_ex(c, ossl_aes(klen, iv != NULL), NULL, key,
	    iv, enc), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	ck_assert_int_eq(EVP_CipherUpdate(c, out, &l1, in, (int)n), 1);
	ck_assert_int_eq(EVP_CipherFinal_ex(c, out + l1, &l2), 1);
	ck_assert_int_eq(l1 + l2, (int)n);
	EVP_CIPHER_CTX_free(c);
}

/* the token T = CMAC(KSmac, 7F49 { 06 oid, 86 pk })[0..8], OpenSSL */
static void
ossl_token(const BUF_MEM *ksmac, const uint8_t *oid, size_t oid_len,
    const uint8_t *pk, size_t pk_len, uint8_t tok[8])
{
	uint8_t d[300], full[16];
	char cname[32];
	size_t n = 0, ml = 0;
	size_t inner = 2 + oid_len + 1 + (pk_len < 128 ? 1 : 2) + pk_len;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *mc;
	OSSL_PARAM prm[2];

	ck_assert_ptr_nonnull(mac);
	d[n++] = 0x7F;
	d[n++] = 0x49;
	if (inner > 127)
		d[n++] = 0x81;
	d[n++] = (uint8_t)inner;
	d[n++] = 0x06;
	d[n++] = (uint8_t)oid_len;
	memcpy(d + n, oid, oid_len);
	n += oid_len;
	d[n++] = 0x86;
	ck_assert_uint_lt(pk_len, 256);
	if (pk_len >= 128)
		d[n++] = 0x81;
	d[n++] = (uint8_t)pk_len;
	memcpy(d + n, pk, pk_len);
	n += pk_len;
	ck_assert_uint_le(n, sizeof(d));
	snprintf(cname, sizeof(cname), "AES-%zu-CBC", ksmac->length * 8);
	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cname, 0);
	prm[1] = OSSL_PARAM_construct_end();
	mc = EVP_MAC_CTX_new(mac);
	ck_assert_ptr_nonnull(mc);
	ck_assert_int_eq(EVP_MAC_init(mc, (const unsigned char *)ksmac->data,
	    ksmac->length, prm), 1);
	ck_assert_int_eq(EVP_MAC_update(mc, d, n), 1);
	ck_assert_int_eq(EVP_MAC_final(mc, full, &ml, sizeof(full)), 1);
	ck_assert_uint_eq(ml, 16);
	memcpy(tok, full, 8);
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(mac);
}

/* IV = E(KSenc, -1), the all-ones block */
static void
ossl_cam_iv(const BUF_MEM *ksenc, uint8_t iv[16])
{
	uint8_t ones[16];

	memset(ones, 0xFF, sizeof(ones));
	ossl_aes_run((const uint8_t *)ksenc->data, ksenc->length, NULL, 1, ones,
	    16, iv);
}

/* CA_IC = SK_IC^-1 * sk_map mod n, FE2OS, padded, AES-CBC: A_IC */
static size_t
ossl_cam_encrypt(int nid, const BIGNUM *sk_ic, const BIGNUM *sk_map,
    const BUF_MEM *ksenc, uint8_t *out)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *inv = BN_new(), *ca = BN_new();
	uint8_t buf[96], iv[16];
	int nlen;
	size_t plen;

	ck_assert(g != NULL && bc != NULL && inv != NULL && ca != NULL);
	nlen = BN_num_bytes(EC_GROUP_get0_order(g));
	ck_assert_ptr_nonnull(BN_mod_inverse(inv, sk_ic, EC_GROUP_get0_order(g), bc));
	ck_assert_int_eq(BN_mod_mul(ca, inv, sk_map, EC_GROUP_get0_order(g), bc), 1);
	ck_assert_int_eq(BN_bn2binpad(ca, buf, nlen), nlen);
	plen = ((size_t)nlen / 16 + 1) * 16;
	buf[nlen] = 0x80;
	memset(buf + nlen + 1, 0, plen - (size_t)nlen - 1);
	ossl_cam_iv(ksenc, iv);
	ossl_aes_run((const uint8_t *)ksenc->data, ksenc->length, iv, 1, buf, plen,
	    out);
	BN_clear_free(inv);
	BN_clear_free(ca);
	BN_CTX_free(bc);
	EC_GROUP_free(g);
	return plen;
}

/* the terminal's check, OpenSSL: D(A_IC) = CA_IC, CA_IC * PK_IC = PK_map */
static bool
ossl_cam_check(int nid, const uint8_t *a_ic, size_t alen, const BUF_MEM *ksenc,
    const BIGNUM *sk_ic, const uint8_t *pk_map, size_t pk_len)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	BN_CTX *bc = BN_CTX_new();
	EC_POINT *pk = EC_POINT_new(g), *q = EC_POINT_new(g), *m = EC_POINT_new(g);
	BIGNUM *ca;
	uint8_t buf[96], iv[16];
	size_t ul = alen;
	bool ok;

	ck_assert(g != NULL && bc != NULL && pk != NULL && q != NULL && m != NULL);
	ck_assert_uint_le(alen, sizeof(buf));
	ossl_cam_iv(ksenc, iv);
	ossl_aes_run((const uint8_t *)ksenc->data, ksenc->length, iv, 0, a_ic, alen,
	    buf);
	while (ul > 0 && buf[ul - 1] == 0x00)
		ul--;
	ck_assert_uint_gt(ul, 0);
	ck_assert_uint_eq(buf[ul - 1], 0x80);
	ca = BN_bin2bn(buf, (int)(ul - 1), NULL);
	ck_assert_ptr_nonnull(ca);
	/* PK_IC = SK_IC * G, then CA_IC * PK_IC */
	ck_assert_int_eq(EC_POINT_mul(g, pk, sk_ic, NULL, NULL, bc), 1);
	ck_assert_int_eq(EC_POINT_mul(g, q, NULL, pk, ca, bc), 1);
	ck_assert_int_eq(EC_POINT_oct2point(g, m, pk_map, pk_len, bc), 1);
	ok = EC_POINT_cmp(g, q, m, bc) == 0;
	BN_clear_free(ca);
	EC_POINT_free(pk);
	EC_POINT_free(q);
	EC_POINT_free(m);
	BN_CTX_free(bc);
	EC_GROUP_free(g);
	return ok;
}

/* OpenPACE's mapping private key (the EVP_PKEY it generated in step 3A) */
static BIGNUM *
op_map_sk(const EAC_CTX *ctx)
{
	BIGNUM *bn = NULL;

	ck_assert_int_eq(EVP_PKEY_get_bn_param(ctx->pace_ctx->static_key,
	    OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
	return bn;
}

/* ---- OpenPACE as the chip ------------------------------------------------ */

struct op_chip {
	EAC_CTX *ctx;
	PACE_SEC *sec;
	BUF_MEM *pcd_eph;	/* the terminal's ephemeral key */
	int step;
	bool token_ok;
	enum icao_cipher cipher;	/* what the OID names */
	/* CAM: the OID the tokens cover, the curve and the static key */
	bool cam;
	uint8_t cam_oid[16];
	size_t cam_oid_len;
	int nid;
	BIGNUM *sk_ic;
	/* IM: OpenPACE maps with the terminal's nonce (test_im_*) */
	bool im;
	bool map_failed;
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
		if (oc->im) {
			/* IM: the terminal's nonce is the mapping input;
			 * the chip answers an empty '82' */
			if (PACE_STEP3A_map_generator(oc->ctx, in) != 1) {
				oc->map_failed = true;
				goto done;	/* 6A80 */
			}
			out = BUF_MEM_new();
			ck_assert_ptr_nonnull(out);
			*dlen = reply(data, cap, 0x82, out);
			break;
		}
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
		if (oc->cam) {
			/* CAM: tokens over the CAM OID, then A_IC (OpenSSL) */
			const BUF_MEM *mine = oc->ctx->pace_ctx->my_eph_pubkey;
			uint8_t want[8], tok[8], a_ic[96];
			BIGNUM *skm;
			size_t alen;
			struct eg_wbuf w;

			ossl_token(ka->k_mac, oc->cam_oid, oc->cam_oid_len,
			    (const uint8_t *)mine->data, mine->length, want);
			if (in->length != 8 || memcmp(in->data, want, 8) != 0) {
				*sw = 0x6300;
				goto done;
			}
			oc->token_ok = true;
			ossl_token(ka->k_mac, oc->cam_oid, oc->cam_oid_len,
			    (const uint8_t *)oc->pcd_eph->data, oc->pcd_eph->length,
			    tok);
			skm = op_map_sk(oc->ctx);
			alen = ossl_cam_encrypt(oc->nid, oc->sk_ic, skm, ka->k_enc,
			    a_ic);
			BN_clear_free(skm);
			eg_wbuf_init_fixed(&w, data, cap, false);
			ck_assert_int_eq(eg_tlv_put_tag(&w, 0x7C), EG_OK);
			ck_assert_int_eq(eg_tlv_put_len(&w, 10 + 2 + alen), EG_OK);
			ck_assert_int_eq(eg_tlv_put(&w, 0x86, tok, 8), EG_OK);
			ck_assert_int_eq(eg_tlv_put(&w, 0x8A, a_ic, alen), EG_OK);
			*dlen = w.len;
		} else {
			if (PACE_STEP3D_verify_authentication_token(oc->ctx,
			    in) != 1) {
				*sw = 0x6300;
				goto done;
			}
			oc->token_ok = true;
			out = PACE_STEP3D_compute_authentication_token(oc->ctx,
			    oc->pcd_eph);
			ck_assert_ptr_nonnull(out);
			*dlen = reply(data, cap, 0x86, out);
		}
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

/* ---- PACE-CAM against OpenPACE + OpenSSL --------------------------------- */

static const uint8_t cam_sk_bytes[20] = {
	0x3C, 0x41, 0x4D, 0x20, 0x70, 0x65, 0x65, 0x72, 0x20, 0x6B, 0x65, 0x79,
	0x20, 0x28, 0x74, 0x65, 0x73, 0x74, 0x29, 0x01 };

/* PK_IC as an SPKI for sk (our side's writer: what is checked here is the
 * CAM arithmetic, not the encoding) */
static size_t
spki_for(int group_id, const uint8_t *sk, size_t n, uint8_t *out, size_t cap)
{
	mbedtls_pk_context pk;
	int len;

	mbedtls_pk_init(&pk);
	ck_assert_int_eq(mbedtls_pk_setup(&pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	ck_assert_int_eq(mbedtls_ecp_group_load(&mbedtls_pk_ec(pk)->grp,
	    (mbedtls_ecp_group_id)group_id), 0);
	ck_assert_int_eq(mbedtls_mpi_read_binary(&mbedtls_pk_ec(pk)->d, sk, n), 0);
	ck_assert_int_eq(mbedtls_ecp_mul(&mbedtls_pk_ec(pk)->grp,
	    &mbedtls_pk_ec(pk)->Q, &mbedtls_pk_ec(pk)->d, &mbedtls_pk_ec(pk)->grp.G,
	    NULL, NULL), 0);
	len = mbedtls_pk_write_pubkey_der(&pk, out, cap);
	ck_assert_int_gt(len, 0);
	memmove(out, out + cap - (size_t)len, (size_t)len);
	mbedtls_pk_free(&pk);
	return (size_t)len;
}

/* Our CAM terminal against OpenPACE's chip (GM steps) with OpenSSL's CAM
 * tokens and A_IC; the chip's key is cam_sk_bytes, or another one
 * (clone). Returns icao_pace_cam_verify's verdict. */
static int
cam_terminal_vs_openpace(uint8_t c, uint8_t pid, bool clone)
{
	uint8_t ca[22], spki[200], sk2[sizeof(cam_sk_bytes)];
	size_t cal = cardaccess(c, pid, ca), spl;
	char dotted[32];
	struct icao_pace_params p;
	struct icao_pace_cam cam;
	struct op_chip oc = { 0 };
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct test_drbg *d = test_drbg_new("egate cam terminal");
	struct eg_wbuf file;
	uint16_t sw;
	int r;

	snprintf(dotted, sizeof(dotted), "0.4.0.127.0.7.2.2.4.6.%u", c);
	ck_assert_eg(icao_pace_params_init(&p, dotted, pid), EG_OK);
	oc.cipher = p.cipher;
	oc.cam = true;
	memcpy(oc.cam_oid, p.oid, p.oid_len);
	oc.cam_oid_len = p.oid_len;
	oc.nid = ossl_nid(pid);
	memcpy(sk2, cam_sk_bytes, sizeof(sk2));
	if (clone)
		sk2[5] ^= 0x33;
	oc.sk_ic = BN_bin2bn(sk2, sizeof(sk2), NULL);
	ck_assert_ptr_nonnull(oc.sk_ic);
	/* OpenPACE runs the GM steps of the same cipher and curve */
	oc.ctx = EAC_CTX_new();
	ck_assert_ptr_nonnull(oc.ctx);
	ck_assert_int_eq(EAC_CTX_init_ef_cardaccess(ca, cal, oc.ctx), 1);
	oc.sec = PACE_SEC_new(td1, strlen(td1), PACE_MRZ);
	ck_assert_ptr_nonnull(oc.sec);
	simchip_add_file(sim, ICAO_FID_EF_COM, 0x1E, ef_com, sizeof(ef_com));
	pacecard_init(&pcd, sim, NULL);
	pcd.extra = op_handler;
	pcd.extra_ctx = &oc;
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_pace_run_cam(ch, &p, ICAO_PACE_PW_MRZ, mrz_info,
	    test_drbg_rng, d, sm, &cam, &sw), EG_OK);
	ck_assert(oc.token_ok);
	ck_assert(cam.present);
	/* SM with the keys OpenPACE derived */
	eg_wbuf_init(&file, 1024, false);
	ck_assert_eg(icao_select_fid(ch, ICAO_FID_EF_COM, &sw), EG_OK);
	ck_assert_eg(icao_read_file(ch, NULL, &file, &sw, NULL), EG_OK);
	ck_assert_uint_eq(file.len, sizeof(ef_com));
	eg_wbuf_free(&file);
	/* the chip is checked against the key EF.CardSecurity would carry */
	spl = spki_for(p.group_id, cam_sk_bytes, sizeof(cam_sk_bytes), spki,
	    sizeof(spki));
	r = icao_pace_cam_verify(&cam, spki, spl);
	icao_pace_cam_clear(&cam);
	BN_clear_free(oc.sk_ic);
	BUF_MEM_free(oc.pcd_eph);
	PACE_SEC_clear_free(oc.sec);
	EAC_CTX_clear_free(oc.ctx);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	simchip_free(&sim);
	test_drbg_free(&d);
	return r;
}

START_TEST(test_cam_terminal_vs_openpace)
{
	for (uint8_t c = 2; c <= 4; c++) {
		ck_assert_msg(cam_terminal_vs_openpace(c, pids[_i], false) == EG_OK,
		    "CAM cipher %u parameterId %u", c, pids[_i]);
		ck_assert_msg(cam_terminal_vs_openpace(c, pids[_i], true) ==
		    EG_ERR_AUTH, "CAM clone cipher %u parameterId %u", c, pids[_i]);
	}
}
END_TEST

/* Our CAM chip against OpenPACE's terminal (GM steps), the CAM tokens and
 * the check of A_IC on OpenSSL. The chip holds cam_sk_bytes (or, a clone,
 * another key); the terminal checks against cam_sk_bytes' public key. */
static bool
cam_chip_vs_openpace(uint8_t c, uint8_t pid, bool clone)
{
	uint8_t ca[22], d[300], mse[15], sk2[sizeof(cam_sk_bytes)], want[8];
	size_t cal = cardaccess(c, pid, ca), n;
	char dotted[32];
	struct icao_pace_params p;
	struct icao_pace_chip *chip = NULL;
	struct test_drbg *dr = test_drbg_new("egate cam chip");
	EAC_CTX *t = EAC_CTX_new();
	PACE_SEC *sec = PACE_SEC_new(td1, strlen(td1), PACE_MRZ);
	BUF_MEM *enc, *map_t, *map_c, *eph_t, *eph_c, *a_ic;
	BIGNUM *sk = BN_bin2bn(cam_sk_bytes, sizeof(cam_sk_bytes), NULL);
	struct eg_wbuf resp;
	struct eg_rbuf v;
	uint8_t tok[8];
	KA_CTX *ka;
	bool ok;

	snprintf(dotted, sizeof(dotted), "0.4.0.127.0.7.2.2.4.6.%u", c);
	ck_assert_eg(icao_pace_params_init(&p, dotted, pid), EG_OK);
	ck_assert_eg(icao_pace_chip_new(&p, mrz_info, NULL, test_drbg_rng, dr,
	    &chip), EG_OK);
	memcpy(sk2, cam_sk_bytes, sizeof(sk2));
	if (clone)
		sk2[5] ^= 0x33;
	ck_assert_eg(icao_pace_chip_set_cam_key(chip, sk2, sizeof(sk2)), EG_OK);
	ck_assert(t != NULL && sec != NULL && sk != NULL);
	ck_assert_int_eq(EAC_CTX_init_ef_cardaccess(ca, cal, t), 1);
	eg_wbuf_init(&resp, 512, false);
	mse[0] = 0x80;
	mse[1] = 0x0A;
	memcpy(mse + 2, p.oid, 10);	/* our chip is told CAM */
	mse[12] = 0x83;
	mse[13] = 0x01;
	mse[14] = 0x01;
	chip_apdu(chip, 0x00, ICAO_INS_MSE, mse, sizeof(mse), &resp, 0x9000);
	n = ga_data(0, NULL, d, sizeof(d));
	chip_apdu(chip, 0x10, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	enc = resp_value(&resp, 0x80);
	ck_assert_int_eq(PACE_STEP2_dec_nonce(t, sec, enc), 1);
	map_t = PACE_STEP3A_generate_mapping_data(t);
	ck_assert_ptr_nonnull(map_t);
	n = ga_data(0x81, map_t, d, sizeof(d));
	chip_apdu(chip, 0x10, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	map_c = resp_value(&resp, 0x82);
	ck_assert_int_eq(PACE_STEP3A_map_generator(t, map_c), 1);
	eph_t = PACE_STEP3B_generate_ephemeral_key(t);
	ck_assert_ptr_nonnull(eph_t);
	n = ga_data(0x83, eph_t, d, sizeof(d));
	chip_apdu(chip, 0x10, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	eph_c = resp_value(&resp, 0x84);
	ck_assert_int_eq(PACE_STEP3B_compute_shared_secret(t, eph_c), 1);
	ck_assert_int_eq(PACE_STEP3C_derive_keys(t), 1);
	ka = t->pace_ctx->ka_ctx;
	/* 4: OpenSSL's token over the CAM OID; the chip's, and A_IC */
	ossl_token(ka->k_mac, p.oid, p.oid_len, (const uint8_t *)eph_c->data,
	    eph_c->length, tok);
	{
		BUF_MEM *tb = bm(tok, sizeof(tok));

		n = ga_data(0x85, tb, d, sizeof(d));
		BUF_MEM_free(tb);
	}
	chip_apdu(chip, 0x00, ICAO_INS_GENERAL_AUTH, d, n, &resp, 0x9000);
	ck_assert_eg(icao_ga_parse(resp.data, resp.len, 0x86, &v), EG_OK);
	ossl_token(ka->k_mac, p.oid, p.oid_len, (const uint8_t *)eph_t->data,
	    eph_t->length, want);
	ck_assert_uint_eq(eg_rbuf_left(&v), 8);
	ck_assert_mem_eq(v.p, want, 8);
	a_ic = resp_value(&resp, 0x8A);
	ok = ossl_cam_check(ossl_nid(pid), (const uint8_t *)a_ic->data,
	    a_ic->length, ka->k_enc, sk, (const uint8_t *)map_c->data,
	    map_c->length);
	BUF_MEM_free(enc);
	BUF_MEM_free(map_t);
	BUF_MEM_free(map_c);
	BUF_MEM_free(eph_t);
	BUF_MEM_free(eph_c);
	BUF_MEM_free(a_ic);
	BN_clear_free(sk);
	eg_wbuf_free(&resp);
	PACE_SEC_clear_free(sec);
	EAC_CTX_clear_free(t);
	icao_pace_chip_free(&chip);
	test_drbg_free(&dr);
	return ok;
}

START_TEST(test_cam_chip_vs_openpace)
{
	for (uint8_t c = 2; c <= 4; c++) {
		ck_assert_msg(cam_chip_vs_openpace(c, pids[_i], false),
		    "CAM chip cipher %u parameterId %u", c, pids[_i]);
		ck_assert_msg(!cam_chip_vs_openpace(c, pids[_i], true),
		    "CAM clone chip cipher %u parameterId %u", c, pids[_i]);
	}
}
END_TEST

/* ---- Integrated Mapping: OpenPACE 1.1.2 is not a Doc 9303 peer ----------- */

START_TEST(test_im_openpace_differs)
{
	static const uint8_t ca_im[] = { 0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04,
	    0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x04, 0x02, 0x02, 0x01,
	    0x02, 0x02, 0x01, 0x0D };
	struct icao_pace_params p;
	struct op_chip oc = { 0 };
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct test_drbg *d = test_drbg_new("egate im terminal");
	uint16_t sw;
	int r;

	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.4.2", 13),
	    EG_OK);
	oc.cipher = p.cipher;
	oc.im = true;
	oc.ctx = EAC_CTX_new();
	ck_assert_ptr_nonnull(oc.ctx);
	/* OpenPACE refuses ECDH-IM unless told to speak TR-03110 version
	 * 2.01 (the old report's mapping): so told */
	ck_assert_int_eq(EAC_CTX_init_ef_cardaccess(ca_im, sizeof(ca_im),
	    oc.ctx), 0);
	EAC_CTX_clear_free(oc.ctx);
	oc.ctx = EAC_CTX_new();
	ck_assert_ptr_nonnull(oc.ctx);
	oc.ctx->tr_version = EAC_TR_VERSION_2_01;
	ck_assert_int_eq(EAC_CTX_init_ef_cardaccess(ca_im, sizeof(ca_im),
	    oc.ctx), 1);
	oc.sec = PACE_SEC_new(td1, strlen(td1), PACE_MRZ);
	ck_assert_ptr_nonnull(oc.sec);
	pacecard_init(&pcd, sim, NULL);
	pcd.extra = op_handler;
	pcd.extra_ctx = &oc;
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	r = icao_pace_run(ch, &p, ICAO_PACE_PW_MRZ, mrz_info, test_drbg_rng, d,
	    sm, &sw);
	/* the mapping differs, so the keys and the tokens do (or OpenPACE
	 * refuses to map): never a session */
	ck_assert_msg(r != EG_OK, "OpenPACE now agrees with Doc 9303 IM: make "
	    "it an IM peer (see the comment at the top)");
	ck_assert_msg(r == EG_ERR_AUTH || oc.map_failed, "%s %04X",
	    eg_err_name(r), sw);
	BUF_MEM_free(oc.pcd_eph);
	PACE_SEC_clear_free(oc.sec);
	EAC_CTX_clear_free(oc.ctx);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	simchip_free(&sim);
	test_drbg_free(&d);
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
	tcase_add_loop_test(tc, test_cam_terminal_vs_openpace, 0, (int)sizeof(pids));
	tcase_add_loop_test(tc, test_cam_chip_vs_openpace, 0, (int)sizeof(pids));
	tcase_add_test(tc, test_im_openpace_differs);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
