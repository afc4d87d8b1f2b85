/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ca — Chip Authentication (ECDH) after PACE: the DG14 SecurityInfos
 * the chip side writes are parsed back by docauth as the reader does; a
 * genuine chip continues the session under the new keys; a clone that has
 * the genuine DG14 but another private key fails the first protected
 * command afterwards (EG_ERR_MAC, or 6988 in the clear), judged "fail".
 */
#include <string.h>

#include "docauth/lds.h"
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
#include "vec.h"

static const char mrz[] = "T22000129364081251010318";
static const uint8_t ef_com[] = {
	0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x36, 0x5F, 0x36,
	0x06, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75,
};

/* a fixed static key (any value 1 <= k < n works for these curves) */
static const uint8_t sk_genuine[32] = {
	0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93, 0x23, 0x84, 0x62,
	0x64, 0x33, 0x83, 0x27, 0x95, 0x02, 0x88, 0x41, 0x97, 0x16, 0x93,
	0x99, 0x37, 0x51, 0x05, 0x82, 0x09, 0x74, 0x94, 0x45, 0x92,
};
static const uint8_t sk_clone[32] = {
	0x27, 0x18, 0x28, 0x18, 0x28, 0x45, 0x90, 0x45, 0x23, 0x53, 0x60,
	0x28, 0x74, 0x71, 0x35, 0x26, 0x62, 0x49, 0x77, 0x57, 0x24, 0x70,
	0x93, 0x69, 0x99, 0x59, 0x57, 0x49, 0x66, 0x96, 0x76, 0x27,
};

struct ca_sim {
	struct icao_ca_chip *ca;
	unsigned seen;
};

/* CA commands arrive under SM; everything plain is PACE's. */
static bool
ca_handler(struct pacecard *pcd, const struct icao_apdu *a, uint8_t *data,
    size_t cap, size_t *dlen, uint16_t *sw)
{
	struct ca_sim *cs = pcd->extra_ctx;
	struct eg_wbuf w;
	enum icao_cipher c;
	uint8_t ke[32], km[32];

	if (!pcd->sim->sm || (a->ins != ICAO_INS_MSE &&
	    a->ins != ICAO_INS_GENERAL_AUTH))
		return false;
	cs->seen++;
	eg_wbuf_init_fixed(&w, data, cap, false);
	ck_assert_int_eq(icao_ca_chip_apdu(cs->ca, a, &w, sw), EG_OK);
	*dlen = w.len;
	if (icao_ca_chip_session(cs->ca, &c, ke, km) == EG_OK) {
		/* this answer goes out under the old keys, then switch */
		pcd->sim->rk_cipher = c;
		memcpy(pcd->sim->rk_enc, ke, sizeof(ke));
		memcpy(pcd->sim->rk_mac, km, sizeof(km));
		pcd->sim->rekey = true;
	}
	return true;
}

struct rig {
	struct simchip *sim;
	struct pacecard pcd;
	struct icao_pace_chip *pace;
	struct ca_sim cs;
	struct icao_chan *ch;
	struct icao_sm *sm;
	struct test_drbg *dt, *dc;
	uint8_t dg14[600];
	size_t dg14_len;
	struct lds_secinfos si;
	const struct lds_secinfo *ca_info, *ca_pk;
};

/* PACE with pace_cipher, a CA chip with static key sk (the DG14 always
 * holds the GENUINE key's public half). */
static void
rig_up(struct rig *r, const char *pace_oid, int pid, const char *ca_oid,
    long key_id, int group, const uint8_t *sk)
{
	struct icao_pace_params pp;
	struct icao_ca_params cp;
	struct icao_ca_chip *genuine = NULL;
	struct eg_wbuf w, set;
	uint8_t sb[600];
	uint16_t sw;

	memset(r, 0, sizeof(*r));
	r->dt = test_drbg_new("terminal");
	r->dc = test_drbg_new("chip");
	r->sim = simchip_new();
	simchip_add_file(r->sim, ICAO_FID_EF_COM, 0x1E, ef_com, sizeof(ef_com));
	ck_assert_eg(icao_pace_params_init(&pp, pace_oid, pid), EG_OK);
	ck_assert_eg(icao_pace_chip_new(&pp, mrz, NULL, test_drbg_rng, r->dc,
	    &r->pace), EG_OK);
	ck_assert_eg(icao_ca_params_init(&cp, ca_oid, key_id), EG_OK);
	ck_assert_eg(icao_ca_chip_new(&cp, group, sk_genuine,
	    sizeof(sk_genuine), &genuine), EG_OK);
	ck_assert_eg(icao_ca_chip_new(&cp, group, sk, 32, &r->cs.ca), EG_OK);
	/* DG14 = 6E { 31 { CAInfo, CAPKInfo } } of the genuine chip */
	eg_wbuf_init_fixed(&set, sb, sizeof(sb), false);
	ck_assert_eg(icao_ca_chip_secinfos(genuine, &set), EG_OK);
	eg_wbuf_init_fixed(&w, r->dg14, sizeof(r->dg14), false);
	ck_assert_eg(eg_tlv_put_tag(&w, 0x6E), EG_OK);
	ck_assert_eg(eg_tlv_put_len(&w, 1 + eg_tlv_len_size(set.len) + set.len),
	    EG_OK);
	ck_assert_eg(eg_tlv_put(&w, 0x31, set.data, set.len), EG_OK);
	r->dg14_len = w.len;
	icao_ca_chip_free(&genuine);
	ck_assert_eg(lds_dg14_parse(r->dg14, r->dg14_len, &r->si), EG_OK);
	for (size_t i = 0; i < r->si.n; i++) {
		if (r->si.si[i].kind == LDS_SI_CA_INFO)
			r->ca_info = &r->si.si[i];
		if (r->si.si[i].kind == LDS_SI_CA_PUBKEY)
			r->ca_pk = &r->si.si[i];
	}
	ck_assert_ptr_nonnull(r->ca_info);
	ck_assert_ptr_nonnull(r->ca_pk);
	ck_assert_int_eq(r->ca_pk->ka, LDS_KA_ECDH);
	ck_assert_int_eq(r->ca_info->key_id, key_id);
	ck_assert_int_eq(r->ca_pk->key_id, key_id);

	pacecard_init(&r->pcd, r->sim, r->pace);
	r->pcd.extra = ca_handler;
	r->pcd.extra_ctx = &r->cs;
	ck_assert_eg(icao_chan_new(&pacecard_ops, &r->pcd, &r->ch), EG_OK);
	ck_assert_eg(icao_sm_new(&r->sm), EG_OK);
	ck_assert_eg(icao_pace_run(r->ch, &pp, ICAO_PACE_PW_MRZ, mrz,
	    test_drbg_rng, r->dt, r->sm, &sw), EG_OK);
}

static void
rig_down(struct rig *r)
{
	icao_chan_free(&r->ch);
	icao_sm_free(&r->sm);
	icao_pace_chip_free(&r->pace);
	icao_ca_chip_free(&r->cs.ca);
	simchip_free(&r->sim);
	test_drbg_free(&r->dt);
	test_drbg_free(&r->dc);
}

static int
rig_ca(struct rig *r, uint16_t *sw)
{
	struct icao_ca_params cp;

	ck_assert_eg(icao_ca_params_init(&cp, r->ca_info->oid,
	    r->ca_info->key_id), EG_OK);
	return icao_ca_run(r->ch, &cp, r->ca_pk->spki, r->ca_pk->spki_len,
	    test_drbg_rng, r->dt, sw);
}

static void
read_ef_com(struct rig *r)
{
	struct eg_wbuf f;
	uint16_t sw;

	eg_wbuf_init(&f, 256, false);
	ck_assert_eg(icao_select_fid(r->ch, ICAO_FID_EF_COM, &sw), EG_OK);
	ck_assert_eg(icao_read_file(r->ch, NULL, &f, &sw, NULL), EG_OK);
	ck_assert_uint_eq(f.len, sizeof(ef_com));
	ck_assert_mem_eq(f.data, ef_com, sizeof(ef_com));
	eg_wbuf_free(&f);
}

static const struct {
	const char *pace_oid;
	int pid;
	const char *ca_oid;
	long key_id;
	int group;
} combos[] = {
	/* AES-128 CA (GA variant) on brainpoolP256r1 */
	{ "0.4.0.127.0.7.2.2.4.2.2", 13, "0.4.0.127.0.7.2.2.3.2.2", -1,
	  MBEDTLS_ECP_DP_BP256R1 },
	/* AES-256 on NIST P-256 with a keyId */
	{ "0.4.0.127.0.7.2.2.4.2.4", 12, "0.4.0.127.0.7.2.2.3.2.4", 7,
	  MBEDTLS_ECP_DP_SECP256R1 },
	/* AES-192 CA after AES-128 PACE, brainpoolP384r1 (a 32-byte key is
	 * a valid scalar there too) */
	{ "0.4.0.127.0.7.2.2.4.2.2", 13, "0.4.0.127.0.7.2.2.3.2.3", 300,
	  MBEDTLS_ECP_DP_BP384R1 },
	/* 3DES: MSE:Set KAT after 3DES PACE */
	{ "0.4.0.127.0.7.2.2.4.2.1", 13, "0.4.0.127.0.7.2.2.3.2.1", 1,
	  MBEDTLS_ECP_DP_BP256R1 },
};

START_TEST(test_genuine_continues)
{
	struct rig r;
	uint16_t sw;
	uint8_t ssc[16];
	size_t n;

	rig_up(&r, combos[_i].pace_oid, combos[_i].pid, combos[_i].ca_oid,
	    combos[_i].key_id, combos[_i].group, sk_genuine);
	read_ef_com(&r);	/* under the PACE keys */
	ck_assert_eg(rig_ca(&r, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_ge(r.cs.seen, 1);
	/* SSC restarted: nothing sent under the new keys yet */
	n = icao_sm_get_ssc(r.sm, ssc);
	ck_assert_uint_eq(n, combos[_i].ca_oid[strlen(combos[_i].ca_oid) - 1]
	    == '1' ? 8 : 16);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(ssc[i], 0);
	ck_assert_int_eq(icao_sm_cipher(r.sm),
	    combos[_i].ca_oid[strlen(combos[_i].ca_oid) - 1] == '1' ?
	    ICAO_CIPHER_3DES : combos[_i].ca_oid[strlen(combos[_i].ca_oid) - 1]
	    == '2' ? ICAO_CIPHER_AES128 : combos[_i].ca_oid[strlen(
	    combos[_i].ca_oid) - 1] == '3' ? ICAO_CIPHER_AES192 :
	    ICAO_CIPHER_AES256);
	{
		struct eg_wbuf f;
		int e;

		eg_wbuf_init(&f, 256, false);
		e = icao_read_binary(r.ch, 0, 4, &f, &sw);
		ck_assert_eg(e, EG_OK);
		ck_assert_str_eq(icao_ca_result_str(icao_ca_judge(e, sw)), "pass");
		eg_wbuf_free(&f);
	}
	read_ef_com(&r);
	rig_down(&r);
}
END_TEST

/* A clone that answers anyway: its MAC does not verify. */
START_TEST(test_clone_fails_mac)
{
	struct rig r;
	struct eg_wbuf f;
	uint16_t sw;
	int e;

	rig_up(&r, combos[_i].pace_oid, combos[_i].pid, combos[_i].ca_oid,
	    combos[_i].key_id, combos[_i].group, sk_clone);
	read_ef_com(&r);
	/* the switch itself cannot tell */
	ck_assert_eg(rig_ca(&r, &sw), EG_OK);
	r.sim->ignore_cmd_mac = true;
	eg_wbuf_init(&f, 256, false);
	e = icao_read_binary(r.ch, 0, 4, &f, &sw);
	ck_assert_eg(e, EG_ERR_MAC);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_int_eq(icao_ca_judge(e, sw), ICAO_CA_FAIL);
	ck_assert_str_eq(icao_ca_result_str(icao_ca_judge(e, sw)), "fail");
	/* and the session is dead: nothing more is sent */
	ck_assert_int_eq(icao_sm_state(r.sm), ICAO_SM_FAILED);
	ck_assert_eg(icao_select_fid(r.ch, ICAO_FID_EF_COM, &sw), EG_ERR_STATE);
	eg_wbuf_free(&f);
	rig_down(&r);
}
END_TEST

/* A clone that checks our MAC rejects the command in the clear. */
START_TEST(test_clone_rejects_in_clear)
{
	struct rig r;
	uint16_t sw;
	int e;

	rig_up(&r, combos[0].pace_oid, combos[0].pid, combos[0].ca_oid,
	    combos[0].key_id, combos[0].group, sk_clone);
	ck_assert_eg(rig_ca(&r, &sw), EG_OK);
	e = icao_select_fid(r.ch, ICAO_FID_EF_COM, &sw);
	ck_assert_eg(e, EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6988);
	ck_assert_str_eq(icao_ca_result_str(icao_ca_judge(e, sw)), "fail");
	rig_down(&r);
}
END_TEST

START_TEST(test_errors)
{
	struct rig r;
	struct icao_ca_params cp;
	struct icao_chan *plain = NULL;
	uint16_t sw;
	/* an RSA SubjectPublicKeyInfo (512-bit, e = 65537) */
	static const uint8_t rsa_spki[] = {
		0x30, 0x5C, 0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
		0x0D, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x4B, 0x00, 0x30, 0x48,
		0x02, 0x41, 0x00, 0xE1, 0x93, 0x2A, 0x38, 0x43, 0xD0, 0x48, 0x4F,
		0xFB, 0x9D, 0xCE, 0xB4, 0x35, 0x89, 0xB8, 0xBE, 0xA9, 0x2D, 0xE0,
		0xF7, 0x52, 0xCB, 0x03, 0xED, 0x28, 0x09, 0x1F, 0x20, 0x3D, 0x36,
		0xF5, 0xB6, 0xD2, 0xDC, 0xD6, 0x39, 0x1B, 0x41, 0x31, 0xD6, 0xA4,
		0x27, 0xFB, 0xD8, 0x1F, 0x4B, 0xF1, 0x42, 0x5C, 0x21, 0x3B, 0x7D,
		0x2C, 0x64, 0x69, 0x64, 0xE7, 0xEC, 0xBA, 0xE1, 0xD7, 0x5B, 0x69,
		0x45, 0x02, 0x03, 0x01, 0x00, 0x01,
	};

	ck_assert_eg(icao_ca_params_init(&cp, "0.4.0.127.0.7.2.2.3.1.2", -1),
	    EG_ERR_UNSUPPORTED);	/* DH */
	ck_assert_eg(icao_ca_params_init(&cp, "0.4.0.127.0.7.2.2.3.2.5", -1),
	    EG_ERR_UNSUPPORTED);
	rig_up(&r, combos[0].pace_oid, combos[0].pid, combos[0].ca_oid, -1,
	    combos[0].group, sk_genuine);
	ck_assert_eg(icao_ca_params_init(&cp, r.ca_info->oid, -1), EG_OK);
	/* no secure messaging on the channel */
	ck_assert_eg(icao_chan_new(&pacecard_ops, &r.pcd, &plain), EG_OK);
	ck_assert_eg(icao_ca_run(plain, &cp, r.ca_pk->spki, r.ca_pk->spki_len,
	    test_drbg_rng, r.dt, &sw), EG_ERR_STATE);
	icao_chan_free(&plain);
	/* key material that is no EC key / no key at all */
	ck_assert_eg(icao_ca_run(r.ch, &cp, rsa_spki, sizeof(rsa_spki),
	    test_drbg_rng, r.dt, &sw), EG_ERR_UNSUPPORTED);
	ck_assert_eg(icao_ca_run(r.ch, &cp, r.ca_pk->spki, 10, test_drbg_rng,
	    r.dt, &sw), EG_ERR_TRUNCATED);
	/* the chip refuses another cipher's OID: the old session goes on */
	ck_assert_eg(icao_ca_params_init(&cp, "0.4.0.127.0.7.2.2.3.2.4", -1),
	    EG_OK);
	ck_assert_eg(icao_ca_run(r.ch, &cp, r.ca_pk->spki, r.ca_pk->spki_len,
	    test_drbg_rng, r.dt, &sw), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6A80);
	read_ef_com(&r);
	/* and a judge that cannot tell */
	ck_assert_int_eq(icao_ca_judge(EG_ERR_IO, 0), ICAO_CA_INCONCLUSIVE);
	ck_assert_int_eq(icao_ca_judge(EG_ERR_CARD_STATUS, 0x6A82),
	    ICAO_CA_INCONCLUSIVE);
	rig_down(&r);
}
END_TEST

START_TEST(test_chip_responder)
{
	struct icao_ca_params cp;
	struct icao_ca_chip *c = NULL;
	struct eg_wbuf resp;
	struct icao_apdu a = { 0 };
	uint16_t sw;
	static const uint8_t ga[] = { 0x7C, 0x03, 0x80, 0x01, 0x04 };
	static const uint8_t mse[] = { 0x80, 0x0A, 0x04, 0x00, 0x7F, 0x00,
	    0x07, 0x02, 0x02, 0x03, 0x02, 0x02, 0x84, 0x01, 0x09 };

	ck_assert_eg(icao_ca_params_init(&cp, "0.4.0.127.0.7.2.2.3.2.2", 8),
	    EG_OK);
	ck_assert_eg(icao_ca_chip_new(&cp, MBEDTLS_ECP_DP_BP256R1, sk_genuine,
	    sizeof(sk_genuine), &c), EG_OK);
	eg_wbuf_init(&resp, 64, false);
	a = (struct icao_apdu){ .ins = 0x86, .data = ga, .lc = sizeof(ga) };
	ck_assert_eg(icao_ca_chip_apdu(c, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6985);	/* GA before MSE */
	a = (struct icao_apdu){ .ins = 0x22, .p1 = 0x41, .p2 = 0xA4,
	    .data = mse, .lc = sizeof(mse) };
	ck_assert_eg(icao_ca_chip_apdu(c, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6A80);	/* keyId 9, ours is 8 */
	a.lc = 12;			/* without the keyId */
	ck_assert_eg(icao_ca_chip_apdu(c, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	a = (struct icao_apdu){ .ins = 0x86, .data = ga, .lc = sizeof(ga) };
	ck_assert_eg(icao_ca_chip_apdu(c, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6A80);	/* not a point */
	{
		enum icao_cipher ci;
		uint8_t ke[32], km[32];

		ck_assert_eg(icao_ca_chip_session(c, &ci, ke, km), EG_ERR_STATE);
	}
	/* bad private keys */
	icao_ca_chip_free(&c);
	ck_assert_eg(icao_ca_chip_new(&cp, MBEDTLS_ECP_DP_BP256R1,
	    (const uint8_t *)"\0\0", 2, &c), EG_ERR_INVAL);
	ck_assert_ptr_null(c);
	eg_wbuf_free(&resp);
}
END_TEST

/* Our SPKI writer against OpenSSL's; explicit parameters (as German
 * DG14s carry them) work; a curve mbedTLS lacks is refused cleanly. */
START_TEST(test_spki_independent)
{
	struct vec *v = vec_load("pace_ca_spki.txt");
	struct icao_ca_params cp;
	struct icao_ca_chip *c = NULL;
	struct lds_secinfos si;
	struct eg_wbuf w;
	struct rig r;
	uint8_t want[400], ex[400], dg14[400];
	size_t n, exn, dn;
	uint16_t sw;
	int seen = 0;

	ck_assert_eg(icao_ca_params_init(&cp, "0.4.0.127.0.7.2.2.3.2.2", -1),
	    EG_OK);
	ck_assert_eg(icao_ca_chip_new(&cp, MBEDTLS_ECP_DP_BP256R1, sk_genuine,
	    sizeof(sk_genuine), &c), EG_OK);
	eg_wbuf_init(&w, 400, false);
	ck_assert_eg(icao_ca_chip_spki(c, &w), EG_OK);
	n = vec_hex(v, "spki_named", want, sizeof(want));
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(w.data, want, n);
	eg_wbuf_free(&w);
	icao_ca_chip_free(&c);

	/* CA with the explicit-parameter SPKI of the same key */
	exn = vec_hex(v, "spki_explicit", ex, sizeof(ex));
	rig_up(&r, combos[0].pace_oid, combos[0].pid, combos[0].ca_oid, -1,
	    combos[0].group, sk_genuine);
	ck_assert_eg(icao_ca_run(r.ch, &cp, ex, exn, test_drbg_rng, r.dt, &sw),
	    EG_OK);
	read_ef_com(&r);
	rig_down(&r);
	/* NIST P-256 with explicit parameters (a = -3, which mbedTLS keeps
	 * implicit) */
	exn = vec_hex(v, "spki_p256_explicit", ex, sizeof(ex));
	rig_up(&r, combos[1].pace_oid, combos[1].pid, combos[1].ca_oid, -1,
	    combos[1].group, sk_genuine);
	ck_assert_eg(icao_ca_params_init(&cp, combos[1].ca_oid, -1), EG_OK);
	ck_assert_eg(icao_ca_run(r.ch, &cp, ex, exn, test_drbg_rng, r.dt, &sw),
	    EG_OK);
	read_ef_com(&r);
	/* a tampered parameter (b) is no known curve */
	ex[120] ^= 0x01;
	ck_assert_eg(icao_ca_run(r.ch, &cp, ex, exn, test_drbg_rng, r.dt, &sw),
	    EG_ERR_UNSUPPORTED);
	read_ef_com(&r);
	/* the BSI reference DG14: brainpoolP224r1, explicit */
	dn = vec_hex(v, "bsi_dg14", dg14, sizeof(dg14));
	ck_assert_eg(lds_dg14_parse(dg14, dn, &si), EG_OK);
	ck_assert_uint_eq(si.n, 3);	/* CAPKInfo, CAInfo, TAInfo */
	for (size_t i = 0; i < si.n; i++) {
		if (si.si[i].kind != LDS_SI_CA_PUBKEY)
			continue;
		seen++;
		ck_assert_eg(icao_ca_run(r.ch, &cp, si.si[i].spki,
		    si.si[i].spki_len, test_drbg_rng, r.dt, &sw),
		    EG_ERR_UNSUPPORTED);
	}
	ck_assert_int_eq(seen, 1);
	read_ef_com(&r);	/* nothing was sent: the session goes on */
	rig_down(&r);
	vec_free(&v);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-ca");
	TCase *tc = tcase_create("ca");
	int n = (int)(sizeof(combos) / sizeof(combos[0]));

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_genuine_continues, 0, n);
	tcase_add_loop_test(tc, test_clone_fails_mac, 0, n);
	tcase_add_test(tc, test_clone_rejects_in_clear);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_chip_responder);
	tcase_add_test(tc, test_spki_independent);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
