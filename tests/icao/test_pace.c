/* SPDX-License-Identifier: Apache-2.0 */
/* test_pace — PACE ECDH-GM: every value of ICAO Doc 9303 Part 11 App. G.1
 * (both roles), the whole G.1 run over a channel, terminal ↔ chip for every
 * curve and cipher with MRZ and CAN, wrong passwords and bad peers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha1.h>

#include "docauth/lds.h"
#include "egate/error.h"
#include "egate/hex.h"
#include "egate/log.h"
#include "egate/tlv.h"
#include "icao/chan.h"
#include "icao/iso7816.h"
#include "icao/pace.h"
#include "icao/pace_chip.h"
#include "icao/sm.h"
#include "eg_check.h"
#include "pacecard.h"
#include "simchip.h"
#include "vec.h"

static const uint8_t ef_com[] = {
	0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x36, 0x5F, 0x36,
	0x06, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75,
};

static void
params_from_cardaccess(const struct vec *v, struct icao_pace_params *p)
{
	uint8_t ca[64];
	size_t n = vec_hex(v, "ef_cardaccess", ca, sizeof(ca));
	struct lds_secinfos si;

	ck_assert_eg(lds_cardaccess_parse(ca, n, &si), EG_OK);
	ck_assert_uint_eq(si.n, 1);
	ck_assert_int_eq(si.si[0].kind, LDS_SI_PACE_INFO);
	ck_assert_str_eq(si.si[0].oid, vec_str(v, "oid_str"));
	ck_assert_int_eq(si.si[0].param_id, 13);
	ck_assert_eg(icao_pace_params_init(p, si.si[0].oid, si.si[0].param_id),
	    EG_OK);
}

static void
check_value(const struct icao_pace *pc, enum icao_pace_value what,
    const struct vec *v, const char *name)
{
	uint8_t got[200], want[200];
	size_t n, wn = vec_hex(v, name, want, sizeof(want));

	ck_assert_eg(icao_pace_get(pc, what, got, sizeof(got), &n), EG_OK);
	ck_assert_msg(n == wn && memcmp(got, want, n) == 0, "%s differs", name);
}

START_TEST(test_g1_params_kpi_mse)
{
	struct vec *v = vec_load("pace_g1.txt");
	struct icao_pace_params p;
	uint8_t kpi[32], want[64], h[20], mb[32];
	const char *mrz = vec_str(v, "mrz_info_str");
	struct eg_wbuf data, apdu;
	struct icao_apdu cmd;
	size_t n;

	params_from_cardaccess(v, &p);
	ck_assert_int_eq(p.cipher, ICAO_CIPHER_AES128);
	/* and back: the chip side writes the same EF.CardAccess */
	{
		uint8_t ca[64], pi[64];
		struct eg_wbuf w, set;

		eg_wbuf_init_fixed(&w, pi, sizeof(pi), false);
		ck_assert_eg(icao_pace_params_secinfo(&p, &w), EG_OK);
		eg_wbuf_init_fixed(&set, ca, sizeof(ca), false);
		ck_assert_eg(eg_tlv_put(&set, 0x31, w.data, w.len), EG_OK);
		n = vec_hex(v, "ef_cardaccess", want, sizeof(want));
		ck_assert_uint_eq(set.len, n);
		ck_assert_mem_eq(set.data, want, n);
	}
	ck_assert_str_eq(icao_pace_curve_name(p.param_id), "brainpoolP256r1");
	ck_assert_int_eq(mbedtls_sha1_ret((const unsigned char *)mrz,
	    strlen(mrz), h), 0);
	ck_assert_mem_eq(h, want, vec_hex(v, "mrz_sha1", want, sizeof(want)));
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, mrz, p.cipher, kpi), EG_OK);
	n = vec_hex(v, "kpi", want, sizeof(want));
	ck_assert_mem_eq(kpi, want, n);
	/* MSE:Set AT as the run sends it */
	eg_wbuf_init_fixed(&data, mb, sizeof(mb), false);
	eg_wbuf_init(&apdu, 64, false);
	ck_assert_eg(icao_mse_set_at_build(ICAO_MSE_SET_AT_PACE, p.oid,
	    p.oid_len, ICAO_PACE_PW_MRZ, -1, &data, &cmd), EG_OK);
	ck_assert_eg(icao_apdu_encode(&cmd, &apdu), EG_OK);
	n = vec_hex(v, "mse_set_at", want, sizeof(want));
	ck_assert_uint_eq(apdu.len, n);
	ck_assert_mem_eq(apdu.data, want, n);
	eg_wbuf_free(&apdu);
	/* bad passwords and parameters */
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, "T2200012936", p.cipher,
	    kpi), EG_ERR_INVAL);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_CAN, "12a456", p.cipher, kpi),
	    EG_ERR_INVAL);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_CAN, "", p.cipher, kpi),
	    EG_ERR_INVAL);
	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.4.2", 10),
	    EG_ERR_UNSUPPORTED);	/* IM on P-224 (p = 1 mod 4) */
	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.6.1", 13),
	    EG_ERR_UNSUPPORTED);	/* CAM with 3DES */
	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.3.2", 13),
	    EG_ERR_UNSUPPORTED);	/* DH-IM */
	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.2.22", 13),
	    EG_ERR_UNSUPPORTED);
	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.2.5", 13),
	    EG_ERR_UNSUPPORTED);
	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.2.2", 14),
	    EG_ERR_UNSUPPORTED);	/* brainpoolP320r1: not in mbedTLS */
	ck_assert_eg(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.1.2", 0),
	    EG_ERR_UNSUPPORTED);	/* DH */
	vec_free(&v);
}
END_TEST

/* Both roles step by step with the example's private keys injected. */
START_TEST(test_g1_every_value)
{
	struct vec *v = vec_load("pace_g1.txt");
	struct icao_pace_params p;
	struct icao_pace *t = NULL, *c = NULL;
	struct fixed_rng rt = { 0 }, rc = { 0 };
	uint8_t kpi[32], b[200], enc[32], want[200], pt_t[133], pt_c[133];
	uint8_t tok_t[8], tok_c[8], ke[32], km[32];
	size_t n, nt, nc;
	enum icao_cipher ciph;
	struct icao_sm *sm = NULL;

	params_from_cardaccess(v, &p);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, vec_str(v, "mrz_info_str"),
	    p.cipher, kpi), EG_OK);
	fixed_rng_add(&rt, b, vec_hex(v, "map_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rt, b, vec_hex(v, "eph_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "nonce", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "map_sk_ic", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "eph_sk_ic", b, sizeof(b)));
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng, &rt,
	    &t), EG_OK);
	ck_assert_eg(icao_pace_new(ICAO_PACE_CHIP, &p, kpi, fixed_rng, &rc, &c),
	    EG_OK);
	/* the roles are enforced */
	ck_assert_eg(icao_pace_nonce_make(t, enc, sizeof(enc), &n), EG_ERR_STATE);
	ck_assert_eg(icao_pace_nonce_decrypt(c, enc, 16), EG_ERR_STATE);
	ck_assert_eg(icao_pace_map_pub(t, b, sizeof(b), &n), EG_ERR_STATE);

	/* 1: the chip encrypts s; the terminal decrypts it */
	ck_assert_eg(icao_pace_nonce_make(c, enc, sizeof(enc), &n), EG_OK);
	ck_assert_uint_eq(n, vec_hex(v, "enc_nonce", want, sizeof(want)));
	ck_assert_mem_eq(enc, want, n);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, n), EG_OK);
	check_value(t, ICAO_PACE_V_NONCE, v, "nonce");
	check_value(c, ICAO_PACE_V_NONCE, v, "nonce");

	/* 2: mapping */
	ck_assert_eg(icao_pace_map_pub(t, pt_t, sizeof(pt_t), &nt), EG_OK);
	ck_assert_eg(icao_pace_map_pub(c, pt_c, sizeof(pt_c), &nc), EG_OK);
	check_value(t, ICAO_PACE_V_MAP_PUB, v, "map_pk_ifd");
	check_value(c, ICAO_PACE_V_MAP_PUB, v, "map_pk_ic");
	ck_assert_eg(icao_pace_map(t, pt_c, nc), EG_OK);
	ck_assert_eg(icao_pace_map(c, pt_t, nt), EG_OK);
	check_value(t, ICAO_PACE_V_MAP_H, v, "shared_h");
	check_value(c, ICAO_PACE_V_MAP_H, v, "shared_h");
	check_value(t, ICAO_PACE_V_MAP_G, v, "mapped_g");
	check_value(c, ICAO_PACE_V_MAP_G, v, "mapped_g");

	/* 3: key agreement on G' */
	ck_assert_eg(icao_pace_eph_pub(t, pt_t, sizeof(pt_t), &nt), EG_OK);
	ck_assert_eg(icao_pace_eph_pub(c, pt_c, sizeof(pt_c), &nc), EG_OK);
	check_value(t, ICAO_PACE_V_EPH_PUB, v, "eph_pk_ifd");
	check_value(c, ICAO_PACE_V_EPH_PUB, v, "eph_pk_ic");
	ck_assert_eg(icao_pace_agree(t, pt_c, nc), EG_OK);
	ck_assert_eg(icao_pace_agree(c, pt_t, nt), EG_OK);
	check_value(t, ICAO_PACE_V_SHARED_K, v, "shared_k");
	check_value(c, ICAO_PACE_V_SHARED_K, v, "shared_k");
	check_value(t, ICAO_PACE_V_KSENC, v, "ksenc");
	check_value(t, ICAO_PACE_V_KSMAC, v, "ksmac");
	check_value(c, ICAO_PACE_V_KSENC, v, "ksenc");
	check_value(c, ICAO_PACE_V_KSMAC, v, "ksmac");
	check_value(t, ICAO_PACE_V_PEER_EPH, v, "eph_pk_ic");
	/* Kπ, s and the private keys are gone after the agreement */
	ck_assert_eg(icao_pace_get(t, ICAO_PACE_V_NONCE, b, sizeof(b), &n),
	    EG_ERR_STATE);
	ck_assert_uint_eq(rt.off, rt.len);	/* exactly two keys drawn */
	ck_assert_uint_eq(rc.off, rc.len);

	/* 4: tokens */
	ck_assert_eg(icao_pace_token(t, tok_t), EG_OK);
	ck_assert_eg(icao_pace_token(c, tok_c), EG_OK);
	ck_assert_mem_eq(tok_t, want, vec_hex(v, "t_ifd", want, sizeof(want)));
	ck_assert_mem_eq(tok_c, want, vec_hex(v, "t_ic", want, sizeof(want)));
	ck_assert_eg(icao_pace_session_keys(t, &ciph, ke, km), EG_ERR_STATE);
	ck_assert_eg(icao_pace_verify(c, tok_t, 8), EG_OK);
	ck_assert_eg(icao_pace_verify(t, tok_c, 8), EG_OK);
	ck_assert(icao_pace_established(t));
	ck_assert_eg(icao_pace_session_keys(t, &ciph, ke, km), EG_OK);
	ck_assert_int_eq(ciph, ICAO_CIPHER_AES128);
	ck_assert_mem_eq(ke, want, vec_hex(v, "ksenc", want, sizeof(want)));
	ck_assert_mem_eq(km, want, vec_hex(v, "ksmac", want, sizeof(want)));
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_pace_install(t, sm), EG_OK);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	ck_assert_uint_eq(icao_sm_get_ssc(sm, b), 16);
	for (size_t i = 0; i < 16; i++)
		ck_assert_uint_eq(b[i], 0);
	icao_sm_free(&sm);
	icao_pace_free(&t);
	icao_pace_free(&c);
	ck_assert_ptr_null(t);
	vec_free(&v);
}
END_TEST

/* The G.1 run through icao_pace_run and the chip responder, byte for byte
 * on the wire, then a protected SELECT + READ with the G.1 session keys. */
START_TEST(test_g1_run_over_channel)
{
	struct vec *v = vec_load("pace_g1.txt");
	struct icao_pace_params p;
	struct icao_pace_chip *chip = NULL;
	struct fixed_rng rt = { 0 }, rc = { 0 };
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct eg_wbuf file;
	uint8_t b[200], want[200];
	uint16_t sw;
	size_t n;
	char hex[300];

	params_from_cardaccess(v, &p);
	fixed_rng_add(&rt, b, vec_hex(v, "map_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rt, b, vec_hex(v, "eph_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "nonce", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "map_sk_ic", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "eph_sk_ic", b, sizeof(b)));
	ck_assert_eg(icao_pace_chip_new(&p, vec_str(v, "mrz_info_str"), NULL,
	    fixed_rng, &rc, &chip), EG_OK);
	simchip_add_file(sim, ICAO_FID_EF_COM, 0x1E, ef_com, sizeof(ef_com));
	pacecard_init(&pcd, sim, chip);
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_pace_run(ch, &p, ICAO_PACE_PW_MRZ,
	    vec_str(v, "mrz_info_str"), fixed_rng, &rt, sm, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(pcd.nlog, 5);
	n = vec_hex(v, "mse_set_at", want, sizeof(want));
	ck_assert_uint_eq(pcd.log_len[0], n);
	ck_assert_mem_eq(pcd.log[0], want, n);
	/* GA 1: 10 86 00 00 02 7C 00 00 */
	ck_assert_uint_eq(pcd.log_len[1], 8);
	ck_assert_mem_eq(pcd.log[1], "\x10\x86\x00\x00\x02\x7C\x00\x00", 8);
	/* GA 2..3 carry the example's public keys, GA 4 T.IFD */
	n = vec_hex(v, "map_pk_ifd", want, sizeof(want));
	ck_assert_uint_eq(pcd.log_len[2], 5 + 4 + n + 1);
	ck_assert_mem_eq(pcd.log[2], "\x10\x86\x00\x00\x45\x7C\x43\x81\x41", 9);
	ck_assert_mem_eq(pcd.log[2] + 9, want, n);
	n = vec_hex(v, "eph_pk_ifd", want, sizeof(want));
	ck_assert_mem_eq(pcd.log[3] + 9, want, n);
	ck_assert_uint_eq(pcd.log[3][7], 0x83);
	n = vec_hex(v, "t_ifd", want, sizeof(want));
	ck_assert_uint_eq(pcd.log_len[4], 5 + 4 + 8 + 1);
	ck_assert_mem_eq(pcd.log[4], "\x00\x86\x00\x00\x0C\x7C\x0A\x85\x08", 9);
	ck_assert_mem_eq(pcd.log[4] + 9, want, n);
	/* SM with the example's keys, SSC 0, on both sides */
	ck_assert_int_eq(icao_sm_cipher(sm), ICAO_CIPHER_AES128);
	ck_assert(sim->sm);
	ck_assert_mem_eq(sim->ksenc, want, vec_hex(v, "ksenc", want, sizeof(want)));
	ck_assert_mem_eq(sim->ksmac, want, vec_hex(v, "ksmac", want, sizeof(want)));
	ck_assert_eg(icao_select_fid(ch, ICAO_FID_EF_COM, &sw), EG_OK);
	/* the protected SELECT is the one of tests/vectors/icao/sm_aes.txt */
	{
		struct vec *sa = vec_load("sm_aes.txt");

		n = vec_hex(sa, "aes128_select_ef_com", want, sizeof(want));
		ck_assert_uint_eq(sim->last_clen, n);
		ck_assert_mem_eq(sim->last_capdu, want, n);
		vec_free(&sa);
	}
	eg_wbuf_init(&file, 1024, false);
	ck_assert_eg(icao_read_file(ch, NULL, &file, &sw, NULL), EG_OK);
	ck_assert_uint_eq(file.len, sizeof(ef_com));
	ck_assert_mem_eq(file.data, ef_com, sizeof(ef_com));
	(void)hex;
	eg_wbuf_free(&file);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	icao_pace_chip_free(&chip);
	simchip_free(&sim);
	vec_free(&v);
}
END_TEST

static const char *const mrz_a = "T22000129364081251010318";
static const char *const mrz_b = "L898902C<369080619406236";

static const char *const oids[] = {
	"0.4.0.127.0.7.2.2.4.2.1", "0.4.0.127.0.7.2.2.4.2.2",
	"0.4.0.127.0.7.2.2.4.2.3", "0.4.0.127.0.7.2.2.4.2.4",
};
static const int params[] = { 8, 10, 12, 13, 15, 16, 17, 18 };

/* One run: chip with (mrz, can), terminal with (type, pw). Returns the
 * run's result; on success reads EF.COM under the new SM. */
static int
one_run(const struct icao_pace_params *p, const char *chip_mrz,
    const char *chip_can, enum icao_pace_pw type, const char *pw,
    uint16_t *sw, enum icao_sm_state *st)
{
	struct icao_pace_chip *chip = NULL;
	struct test_drbg *dt = test_drbg_new("terminal"), *dc = test_drbg_new("chip");
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct eg_wbuf file;
	uint16_t sw2;
	int r;

	ck_assert_eg(icao_pace_chip_new(p, chip_mrz, chip_can, test_drbg_rng,
	    dc, &chip), EG_OK);
	simchip_add_file(sim, ICAO_FID_EF_COM, 0x1E, ef_com, sizeof(ef_com));
	pacecard_init(&pcd, sim, chip);
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	r = icao_pace_run(ch, p, type, pw, test_drbg_rng, dt, sm, sw);
	*st = icao_sm_state(sm);
	if (r == EG_OK) {
		ck_assert_ptr_eq(icao_chan_sm(ch), sm);
		ck_assert_int_eq(icao_sm_cipher(sm), p->cipher);
		eg_wbuf_init(&file, 1024, false);
		ck_assert_eg(icao_select_fid(ch, ICAO_FID_EF_COM, &sw2), EG_OK);
		ck_assert_eg(icao_read_file(ch, NULL, &file, &sw2, NULL), EG_OK);
		ck_assert_uint_eq(file.len, sizeof(ef_com));
		ck_assert_mem_eq(file.data, ef_com, sizeof(ef_com));
		eg_wbuf_free(&file);
	} else {
		ck_assert_ptr_null(icao_chan_sm(ch));
		ck_assert(!sim->sm);
	}
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	icao_pace_chip_free(&chip);
	simchip_free(&sim);
	test_drbg_free(&dt);
	test_drbg_free(&dc);
	return r;
}

/* every curve × every cipher, MRZ and CAN (loop index _i = curve) */
START_TEST(test_roundtrip_all)
{
	struct icao_pace_params p;
	enum icao_sm_state st;
	uint16_t sw;

	for (size_t j = 0; j < sizeof(oids) / sizeof(oids[0]); j++) {
		ck_assert_eg(icao_pace_params_init(&p, oids[j], params[_i]), EG_OK);
		ck_assert_eg(one_run(&p, mrz_a, "123456", ICAO_PACE_PW_MRZ,
		    mrz_a, &sw, &st), EG_OK);
		ck_assert_int_eq(st, ICAO_SM_READY);
		ck_assert_eg(one_run(&p, mrz_a, "123456", ICAO_PACE_PW_CAN,
		    "123456", &sw, &st), EG_OK);
		ck_assert_int_eq(st, ICAO_SM_READY);
	}
}
END_TEST

START_TEST(test_wrong_password)
{
	struct icao_pace_params p;
	enum icao_sm_state st;
	uint16_t sw;

	ck_assert_eg(icao_pace_params_init(&p, oids[1], 13), EG_OK);
	/* the chip rejects our token: 6300 -> EG_ERR_AUTH, nothing installed */
	ck_assert_eg(one_run(&p, mrz_a, "123456", ICAO_PACE_PW_MRZ, mrz_b, &sw,
	    &st), EG_ERR_AUTH);
	ck_assert_uint_eq(sw, 0x6300);
	ck_assert_int_eq(st, ICAO_SM_IDLE);
	ck_assert_eg(one_run(&p, mrz_a, "123456", ICAO_PACE_PW_CAN, "123457",
	    &sw, &st), EG_ERR_AUTH);
	ck_assert_int_eq(st, ICAO_SM_IDLE);
	/* a chip without a CAN refuses the password reference */
	ck_assert_eg(one_run(&p, mrz_a, NULL, ICAO_PACE_PW_CAN, "123456", &sw,
	    &st), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6A80);
	ck_assert_int_eq(st, ICAO_SM_IDLE);
}
END_TEST

/* Terminal-side token check: a chip with another password (or a tampered
 * token) is caught by the terminal itself. */
START_TEST(test_terminal_rejects_chip_token)
{
	struct icao_pace_params p;
	struct icao_pace *t = NULL, *c = NULL;
	struct test_drbg *dt = test_drbg_new("t"), *dc = test_drbg_new("c");
	uint8_t kt[32], kc[32], enc[32], a[133], b[133], tok[8];
	size_t n, na, nb;

	ck_assert_eg(icao_pace_params_init(&p, oids[3], 16), EG_OK);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, mrz_a, p.cipher, kt), EG_OK);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, mrz_b, p.cipher, kc), EG_OK);
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kt, test_drbg_rng,
	    dt, &t), EG_OK);
	ck_assert_eg(icao_pace_new(ICAO_PACE_CHIP, &p, kc, test_drbg_rng, dc,
	    &c), EG_OK);
	ck_assert_eg(icao_pace_nonce_make(c, enc, sizeof(enc), &n), EG_OK);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, n), EG_OK);
	ck_assert_eg(icao_pace_map_pub(t, a, sizeof(a), &na), EG_OK);
	ck_assert_eg(icao_pace_map_pub(c, b, sizeof(b), &nb), EG_OK);
	ck_assert_eg(icao_pace_map(t, b, nb), EG_OK);
	ck_assert_eg(icao_pace_map(c, a, na), EG_OK);
	ck_assert_eg(icao_pace_eph_pub(t, a, sizeof(a), &na), EG_OK);
	ck_assert_eg(icao_pace_eph_pub(c, b, sizeof(b), &nb), EG_OK);
	ck_assert_eg(icao_pace_agree(t, b, nb), EG_OK);
	ck_assert_eg(icao_pace_agree(c, a, na), EG_OK);
	ck_assert_eg(icao_pace_token(c, tok), EG_OK);
	ck_assert_eg(icao_pace_verify(t, tok, 7), EG_ERR_AUTH);
	ck_assert(!icao_pace_established(t));
	/* after a failure the context refuses everything */
	ck_assert_eg(icao_pace_verify(t, tok, 8), EG_ERR_STATE);
	ck_assert_eg(icao_pace_token(t, tok), EG_ERR_STATE);
	icao_pace_free(&t);
	icao_pace_free(&c);
	test_drbg_free(&dt);
	test_drbg_free(&dc);
}
END_TEST

/* Bad points from the peer. */
START_TEST(test_bad_points)
{
	struct vec *v = vec_load("pace_g1.txt");
	struct icao_pace_params p;
	struct icao_pace *t = NULL;
	struct fixed_rng rt = { 0 };
	uint8_t kpi[32], b[200], pt[133], enc[32], mine[133];
	size_t n, ne, nm;

	params_from_cardaccess(v, &p);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, vec_str(v, "mrz_info_str"),
	    p.cipher, kpi), EG_OK);
	fixed_rng_add(&rt, b, vec_hex(v, "map_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rt, b, vec_hex(v, "eph_sk_ifd", b, sizeof(b)));
	ne = vec_hex(v, "enc_nonce", enc, sizeof(enc));
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng, &rt,
	    &t), EG_OK);
	/* nonce of a bad length fails the run */
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, 15), EG_ERR_PROTOCOL);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, ne), EG_ERR_STATE);
	icao_pace_free(&t);

	rt.off = 0;
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng, &rt,
	    &t), EG_OK);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, ne), EG_OK);
	ck_assert_eg(icao_pace_map(t, pt, 65), EG_ERR_STATE);	/* no key yet */
	ck_assert_eg(icao_pace_map_pub(t, mine, sizeof(mine), &nm), EG_OK);
	n = vec_hex(v, "map_pk_ic", pt, sizeof(pt));
	pt[40] ^= 1;	/* off the curve */
	ck_assert_eg(icao_pace_map(t, pt, n), EG_ERR_PROTOCOL);
	icao_pace_free(&t);

	struct {
		size_t len;
		uint8_t first;
		int want;
	} cases[] = {
		{ 64, 0x04, EG_ERR_FORMAT },	/* one byte short */
		{ 65, 0x02, EG_ERR_FORMAT },	/* not uncompressed */
		{ 33, 0x03, EG_ERR_FORMAT },	/* compressed: not accepted */
		{ 0, 0x04, EG_ERR_FORMAT },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rt.off = 0;
		ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng,
		    &rt, &t), EG_OK);
		ck_assert_eg(icao_pace_nonce_decrypt(t, enc, ne), EG_OK);
		ck_assert_eg(icao_pace_map_pub(t, mine, sizeof(mine), &nm), EG_OK);
		n = vec_hex(v, "map_pk_ic", pt, sizeof(pt));
		pt[0] = cases[i].first;
		ck_assert_eg(icao_pace_map(t, pt, cases[i].len), cases[i].want);
		icao_pace_free(&t);
	}

	/* the chip reflecting our own ephemeral key */
	rt.off = 0;
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng, &rt,
	    &t), EG_OK);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, ne), EG_OK);
	ck_assert_eg(icao_pace_map_pub(t, mine, sizeof(mine), &nm), EG_OK);
	n = vec_hex(v, "map_pk_ic", pt, sizeof(pt));
	ck_assert_eg(icao_pace_map(t, pt, n), EG_OK);
	ck_assert_eg(icao_pace_eph_pub(t, mine, sizeof(mine), &nm), EG_OK);
	ck_assert_eg(icao_pace_agree(t, mine, nm), EG_ERR_PROTOCOL);
	icao_pace_free(&t);
	/* the chip reflecting our mapping key gives a valid, if odd, H:
	 * nothing to reject there; the generator point itself as PK_map is
	 * fine too. An RNG that fails is a crypto error. */
	{
		struct fixed_rng empty = { 0 };

		ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng,
		    &empty, &t), EG_OK);
		ck_assert_eg(icao_pace_nonce_decrypt(t, enc, ne), EG_OK);
		ck_assert_eg(icao_pace_map_pub(t, mine, sizeof(mine), &nm),
		    EG_ERR_CRYPTO);
		icao_pace_free(&t);
	}
	vec_free(&v);
}
END_TEST

/* The chip responder's refusals. */
START_TEST(test_chip_responder)
{
	struct icao_pace_params p;
	struct icao_pace_chip *chip = NULL;
	struct test_drbg *d = test_drbg_new("chip");
	struct eg_wbuf resp;
	struct icao_apdu a = { 0 };
	uint16_t sw;
	static const uint8_t mse_ok[] = { 0x80, 0x0A, 0x04, 0x00, 0x7F, 0x00,
	    0x07, 0x02, 0x02, 0x04, 0x02, 0x02, 0x83, 0x01, 0x01 };
	static const uint8_t mse_oid[] = { 0x80, 0x0A, 0x04, 0x00, 0x7F, 0x00,
	    0x07, 0x02, 0x02, 0x04, 0x02, 0x04, 0x83, 0x01, 0x01 };
	static const uint8_t ga0[] = { 0x7C, 0x00 };
	static const uint8_t ga_bad[] = { 0x7C, 0x03, 0x81, 0x01, 0x04 };

	ck_assert_eg(icao_pace_params_init(&p, oids[1], 13), EG_OK);
	char *logbuf = NULL;
	size_t logsz = 0;
	struct eg_log lg;
	FILE *lf = open_memstream(&logbuf, &logsz);

	ck_assert_ptr_nonnull(lf);
	eg_log_init(&lg, "test");
	lg.out = lf;
	lg.min_level = EG_LOG_DEBUG;
	lg.timestamps = false;
	lg.journal = false;
	ck_assert_eg(icao_pace_chip_new(&p, mrz_a, NULL, test_drbg_rng, d,
	    &chip), EG_OK);
	icao_pace_chip_set_log(chip, &lg);
	eg_wbuf_init(&resp, 512, false);
	/* GA before MSE */
	a = (struct icao_apdu){ .cla = 0x10, .ins = 0x86, .data = ga0, .lc = 2 };
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6985);
	/* MSE with another OID */
	a = (struct icao_apdu){ .ins = 0x22, .p1 = 0xC1, .p2 = 0xA4,
	    .data = mse_oid, .lc = sizeof(mse_oid) };
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6A80);
	/* good MSE, then GA step 1 without the chaining bit */
	a.data = mse_ok;
	a.lc = sizeof(mse_ok);
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	a = (struct icao_apdu){ .cla = 0x00, .ins = 0x86, .data = ga0, .lc = 2 };
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6985);
	/* again: MSE, step 1 ok, step 2 with a bad point */
	a = (struct icao_apdu){ .ins = 0x22, .p1 = 0xC1, .p2 = 0xA4,
	    .data = mse_ok, .lc = sizeof(mse_ok) };
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	a = (struct icao_apdu){ .cla = 0x10, .ins = 0x86, .data = ga0, .lc = 2 };
	eg_wbuf_reset(&resp);
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(resp.len, 2 + 2 + 16);
	ck_assert_uint_eq(resp.data[0], 0x7C);
	ck_assert_uint_eq(resp.data[2], 0x80);
	a.data = ga_bad;
	a.lc = sizeof(ga_bad);
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6A80);
	/* the run is over: the next GA is out of sequence */
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6985);
	/* other INS */
	a.ins = 0xB0;
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6D00);
	{
		enum icao_cipher c;
		uint8_t ke[32], km[32];

		ck_assert_eg(icao_pace_chip_session(chip, &c, ke, km),
		    EG_ERR_STATE);
	}
	fclose(lf);
	/* the transitions, in order, without any key material */
	ck_assert_ptr_nonnull(strstr(logbuf, "from=idle event=general_authenticate to=idle sw=27013"));
	ck_assert_ptr_nonnull(strstr(logbuf, "from=idle event=mse_set_at to=set sw=36864"));
	ck_assert_ptr_nonnull(strstr(logbuf, "from=set event=general_authenticate to=nonce sw=36864"));
	ck_assert_ptr_nonnull(strstr(logbuf, "from=nonce event=general_authenticate to=idle sw=27264"));
	free(logbuf);
	eg_wbuf_free(&resp);
	icao_pace_chip_free(&chip);
	test_drbg_free(&d);
}
END_TEST

/* A corrupted chip token on the wire: EG_ERR_AUTH, nothing installed. */
START_TEST(test_run_bad_chip_token)
{
	struct icao_pace_params p;
	struct icao_pace_chip *chip = NULL;
	struct test_drbg *dt = test_drbg_new("t"), *dc = test_drbg_new("c");
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	uint16_t sw;

	ck_assert_eg(icao_pace_params_init(&p, oids[1], 12), EG_OK);
	ck_assert_eg(icao_pace_chip_new(&p, mrz_a, NULL, test_drbg_rng, dc,
	    &chip), EG_OK);
	pacecard_init(&pcd, sim, chip);
	pcd.corrupt_ga = 4;
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_pace_run(ch, &p, ICAO_PACE_PW_MRZ, mrz_a,
	    test_drbg_rng, dt, sm, &sw), EG_ERR_AUTH);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	ck_assert_ptr_null(icao_chan_sm(ch));
	/* a corrupted mapping point (last byte of y): off the curve */
	icao_pace_chip_free(&chip);
	ck_assert_eg(icao_pace_chip_new(&p, mrz_a, NULL, test_drbg_rng, dc,
	    &chip), EG_OK);
	/* the chip believes in the session it ended the last run with */
	ck_assert(sim->sm);
	sim->sm = false;
	pacecard_init(&pcd, sim, chip);
	pcd.corrupt_ga = 2;
	ck_assert_eg(icao_pace_run(ch, &p, ICAO_PACE_PW_MRZ, mrz_a,
	    test_drbg_rng, dt, sm, &sw), EG_ERR_PROTOCOL);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	icao_pace_chip_free(&chip);
	simchip_free(&sim);
	test_drbg_free(&dt);
	test_drbg_free(&dc);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-pace");
	TCase *tc = tcase_create("g1");
	TCase *rt = tcase_create("roundtrip");

	tcase_add_test(tc, test_g1_params_kpi_mse);
	tcase_add_test(tc, test_g1_every_value);
	tcase_add_test(tc, test_g1_run_over_channel);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_terminal_rejects_chip_token);
	tcase_add_test(tc, test_bad_points);
	tcase_add_test(tc, test_chip_responder);
	tcase_add_test(tc, test_run_bad_chip_token);
	suite_add_tcase(s, tc);
	tcase_set_timeout(rt, 120);
	tcase_add_loop_test(rt, test_roundtrip_all, 0,
	    (int)(sizeof(params) / sizeof(params[0])));
	suite_add_tcase(s, rt);
	return s;
}

EG_CHECK_MAIN()
