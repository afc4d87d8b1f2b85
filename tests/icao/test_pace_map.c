/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pace_map — PACE Integrated Mapping and Chip Authentication Mapping.
 *
 * IM: every value of the worked example of ICAO Doc 9303 Part 11 App. H
 * (ECDH, brainpoolP256r1, AES-128; tests/vectors/icao/pace_im_h1.txt) in
 * both roles, the run over a channel, and terminal <-> chip on every curve
 * IM allows with every cipher. CAM: the G.1 run with the CAM OID and a
 * static key (pace_cam.txt, made by make_cam.py with Python 'cryptography'
 * and integer arithmetic, independent of this code): tokens, A_IC both
 * ways, the check PK_map,IC = CA_IC · PK_IC, a clone that lacks SK_IC, and
 * terminal <-> chip on every curve with AES-128/192/256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>

#include "docauth/lds.h"
#include "egate/error.h"
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
check_value(const struct icao_pace *pc, enum icao_pace_value what,
    const struct vec *v, const char *name)
{
	uint8_t got[200], want[200];
	size_t n, wn = vec_hex(v, name, want, sizeof(want));

	ck_assert_eg(icao_pace_get(pc, what, got, sizeof(got), &n), EG_OK);
	ck_assert_msg(n == wn && memcmp(got, want, n) == 0, "%s differs", name);
}

static void
vparams(const struct vec *v, struct icao_pace_params *p)
{
	ck_assert_eg(icao_pace_params_init(p, vec_str(v, "oid_str"),
	    atol(vec_str(v, "param_id_str"))), EG_OK);
}

/* ---- Integrated Mapping: App. H ------------------------------------------ */

START_TEST(test_h1_every_value)
{
	struct vec *v = vec_load("pace_im_h1.txt");
	struct icao_pace_params p;
	struct icao_pace *t = NULL, *c = NULL;
	struct fixed_rng rt = { 0 }, rc = { 0 };
	uint8_t kpi[32], b[200], enc[64], want[200], tt[32], pt_t[133], pt_c[133];
	uint8_t tok_t[8], tok_c[8];
	size_t n, nt, nc;

	vparams(v, &p);
	ck_assert_int_eq(p.mapping, ICAO_PACE_MAP_IM);
	ck_assert_int_eq(p.cipher, ICAO_CIPHER_AES128);
	ck_assert_str_eq(icao_pace_mapping_name(p.mapping), "IM");
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_CAN, vec_str(v, "can"), p.cipher,
	    kpi), EG_OK);
	ck_assert_mem_eq(kpi, want, vec_hex(v, "kpi", want, sizeof(want)));
	/* terminal draws t, then its ephemeral key; the chip s, then its key */
	fixed_rng_add(&rt, b, vec_hex(v, "im_t", b, sizeof(b)));
	fixed_rng_add(&rt, b, vec_hex(v, "eph_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "nonce", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(v, "eph_sk_ic", b, sizeof(b)));
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng, &rt,
	    &t), EG_OK);
	ck_assert_eg(icao_pace_new(ICAO_PACE_CHIP, &p, kpi, fixed_rng, &rc, &c),
	    EG_OK);
	/* 1: the chip's nonce, encrypted as in the example */
	ck_assert_eg(icao_pace_nonce_make(c, enc, sizeof(enc), &n), EG_OK);
	ck_assert_uint_eq(n, 16);
	ck_assert_mem_eq(enc, want, vec_hex(v, "enc_nonce", want, sizeof(want)));
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, n), EG_OK);
	check_value(t, ICAO_PACE_V_NONCE, v, "nonce");
	/* 2: t; the chip's mapping data is empty */
	ck_assert_eg(icao_pace_map_pub(t, tt, sizeof(tt), &nt), EG_OK);
	ck_assert_mem_eq(tt, want, vec_hex(v, "im_t", want, sizeof(want)));
	ck_assert_uint_eq(nt, 16);
	ck_assert_eg(icao_pace_map_pub(c, pt_c, sizeof(pt_c), &nc), EG_OK);
	ck_assert_uint_eq(nc, 0);
	ck_assert_eg(icao_pace_map(t, NULL, 0), EG_OK);
	ck_assert_eg(icao_pace_map(c, tt, nt), EG_OK);
	check_value(t, ICAO_PACE_V_IM_R, v, "im_r");
	check_value(c, ICAO_PACE_V_IM_R, v, "im_r");
	check_value(t, ICAO_PACE_V_MAP_G, v, "mapped_g");
	check_value(c, ICAO_PACE_V_MAP_G, v, "mapped_g");
	check_value(c, ICAO_PACE_V_IM_T, v, "im_t");
	/* 3: the example's ephemeral keys on G' and K */
	ck_assert_eg(icao_pace_eph_pub(t, pt_t, sizeof(pt_t), &nt), EG_OK);
	ck_assert_mem_eq(pt_t, want, vec_hex(v, "eph_pk_ifd", want, sizeof(want)));
	ck_assert_eg(icao_pace_eph_pub(c, pt_c, sizeof(pt_c), &nc), EG_OK);
	ck_assert_mem_eq(pt_c, want, vec_hex(v, "eph_pk_ic", want, sizeof(want)));
	ck_assert_eg(icao_pace_agree(t, pt_c, nc), EG_OK);
	ck_assert_eg(icao_pace_agree(c, pt_t, nt), EG_OK);
	check_value(t, ICAO_PACE_V_SHARED_K, v, "shared_k");
	check_value(c, ICAO_PACE_V_SHARED_K, v, "shared_k");
	check_value(t, ICAO_PACE_V_KSENC, v, "ksenc");
	check_value(t, ICAO_PACE_V_KSMAC, v, "ksmac");
	/* 4: tokens over the IM OID */
	ck_assert_eg(icao_pace_token(t, tok_t), EG_OK);
	ck_assert_mem_eq(tok_t, want, vec_hex(v, "t_ifd", want, sizeof(want)));
	ck_assert_eg(icao_pace_token(c, tok_c), EG_OK);
	ck_assert_mem_eq(tok_c, want, vec_hex(v, "t_ic", want, sizeof(want)));
	ck_assert_eg(icao_pace_verify(t, tok_c, 8), EG_OK);
	ck_assert_eg(icao_pace_verify(c, tok_t, 8), EG_OK);
	icao_pace_free(&t);
	icao_pace_free(&c);
	vec_free(&v);
}
END_TEST

/* The chip refuses a t of the wrong length; the terminal a chip that
 * sends mapping data; a nonce of another length than 16 or 32. */
START_TEST(test_im_bad_peers)
{
	struct vec *v = vec_load("pace_im_h1.txt");
	struct icao_pace_params p;
	struct icao_pace *t = NULL, *c = NULL;
	struct test_drbg *d = test_drbg_new("im bad");
	uint8_t kpi[32], enc[64], buf[133];
	size_t n;

	vparams(v, &p);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_CAN, "123456", p.cipher, kpi), EG_OK);
	ck_assert_eg(icao_pace_new(ICAO_PACE_CHIP, &p, kpi, test_drbg_rng, d, &c),
	    EG_OK);
	ck_assert_eg(icao_pace_nonce_make(c, enc, sizeof(enc), &n), EG_OK);
	ck_assert_eg(icao_pace_map_pub(c, buf, sizeof(buf), &n), EG_OK);
	ck_assert_eg(icao_pace_map(c, buf, 15), EG_ERR_PROTOCOL);
	icao_pace_free(&c);
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, test_drbg_rng, d,
	    &t), EG_OK);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, 48), EG_ERR_PROTOCOL);
	icao_pace_free(&t);
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, test_drbg_rng, d,
	    &t), EG_OK);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, 16), EG_OK);
	ck_assert_eg(icao_pace_map_pub(t, buf, sizeof(buf), &n), EG_OK);
	ck_assert_eg(icao_pace_map(t, buf, 1), EG_ERR_PROTOCOL);
	icao_pace_free(&t);
	test_drbg_free(&d);
	vec_free(&v);
}
END_TEST

/* One PACE run over a channel: our terminal against our chip responder;
 * reads EF.COM under the new SM on success. cam_sk: the chip's CA key
 * (CAM), cam: where the terminal leaves the CAM data. */
static int
one_run(const struct icao_pace_params *p, const char *chip_pw, const char *pw,
    const uint8_t *cam_sk, size_t cam_sk_len, struct icao_pace_cam *cam,
    struct pacecard *log)
{
	struct icao_pace_chip *chip = NULL;
	struct test_drbg *dt = test_drbg_new("terminal"), *dc = test_drbg_new("chip");
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct eg_wbuf file;
	uint16_t sw;
	int r;

	ck_assert_eg(icao_pace_chip_new(p, chip_pw, NULL, test_drbg_rng, dc,
	    &chip), EG_OK);
	if (cam_sk != NULL)
		ck_assert_eg(icao_pace_chip_set_cam_key(chip, cam_sk, cam_sk_len),
		    EG_OK);
	simchip_add_file(sim, ICAO_FID_EF_COM, 0x1E, ef_com, sizeof(ef_com));
	pacecard_init(&pcd, sim, chip);
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	r = icao_pace_run_cam(ch, p, ICAO_PACE_PW_MRZ, pw, test_drbg_rng, dt, sm,
	    cam, &sw);
	if (r == EG_OK) {
		ck_assert_int_eq(icao_sm_cipher(sm), p->cipher);
		eg_wbuf_init(&file, 1024, false);
		ck_assert_eg(icao_select_fid(ch, ICAO_FID_EF_COM, &sw), EG_OK);
		ck_assert_eg(icao_read_file(ch, NULL, &file, &sw, NULL), EG_OK);
		ck_assert_uint_eq(file.len, sizeof(ef_com));
		ck_assert_mem_eq(file.data, ef_com, sizeof(ef_com));
		eg_wbuf_free(&file);
	} else {
		ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	}
	if (log != NULL)
		*log = pcd;
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	icao_pace_chip_free(&chip);
	simchip_free(&sim);
	test_drbg_free(&dt);
	test_drbg_free(&dc);
	return r;
}

static const char *const mrz_a = "T22000129364081251010318";
static const int params[] = { 8, 10, 12, 13, 15, 16, 17, 18 };

START_TEST(test_h1_over_channel)
{
	struct vec *v = vec_load("pace_im_h1.txt");
	struct icao_pace_params p;
	struct pacecard log;

	vparams(v, &p);
	ck_assert_eg(one_run(&p, mrz_a, mrz_a, NULL, 0, NULL, &log), EG_OK);
	/* GA 2: 81 t (16 bytes) and the answer 7C 02 82 00 */
	ck_assert_uint_eq(log.log_len[2], 5 + 4 + 16 + 1);
	ck_assert_mem_eq(log.log[2], "\x10\x86\x00\x00\x14\x7C\x12\x81\x10", 9);
	/* a wrong password still fails at the tokens */
	ck_assert_eg(one_run(&p, mrz_a, "T22000129364081251010319", NULL, 0, NULL,
	    NULL), EG_ERR_AUTH);
	vec_free(&v);
}
END_TEST

/* IM on every curve it allows (not P-224) with every cipher */
START_TEST(test_im_roundtrip_all)
{
	struct icao_pace_params p;
	char oid[32];

	for (unsigned c = 1; c <= 4; c++) {
		snprintf(oid, sizeof(oid), "0.4.0.127.0.7.2.2.4.4.%u", c);
		if (params[_i] == 10) {
			ck_assert_eg(icao_pace_params_init(&p, oid, params[_i]),
			    EG_ERR_UNSUPPORTED);
			continue;
		}
		ck_assert_eg(icao_pace_params_init(&p, oid, params[_i]), EG_OK);
		ck_assert_msg(one_run(&p, mrz_a, mrz_a, NULL, 0, NULL, NULL) == EG_OK,
		    "IM cipher %u curve %d", c, params[_i]);
	}
}
END_TEST

/* ---- Chip Authentication Mapping ------------------------------------------ */

START_TEST(test_cam_every_value)
{
	struct vec *g1 = vec_load("pace_g1.txt"), *v = vec_load("pace_cam.txt");
	struct icao_pace_params p;
	struct icao_pace *t = NULL, *c = NULL;
	struct fixed_rng rt = { 0 }, rc = { 0 };
	struct icao_pace_cam cam;
	uint8_t kpi[32], b[200], enc[32], want[200], pt_t[133], pt_c[133];
	uint8_t tok_t[8], tok_c[8], a_ic[96], sk[32], spki[200];
	size_t n, nt, nc, an, skn, spn;

	vparams(v, &p);
	ck_assert_int_eq(p.mapping, ICAO_PACE_MAP_CAM);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, vec_str(g1, "mrz_info_str"),
	    p.cipher, kpi), EG_OK);
	fixed_rng_add(&rt, b, vec_hex(g1, "map_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rt, b, vec_hex(g1, "eph_sk_ifd", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(g1, "nonce", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(g1, "map_sk_ic", b, sizeof(b)));
	fixed_rng_add(&rc, b, vec_hex(g1, "eph_sk_ic", b, sizeof(b)));
	ck_assert_eg(icao_pace_new(ICAO_PACE_TERMINAL, &p, kpi, fixed_rng, &rt,
	    &t), EG_OK);
	ck_assert_eg(icao_pace_new(ICAO_PACE_CHIP, &p, kpi, fixed_rng, &rc, &c),
	    EG_OK);
	ck_assert_eg(icao_pace_nonce_make(c, enc, sizeof(enc), &n), EG_OK);
	ck_assert_eg(icao_pace_nonce_decrypt(t, enc, n), EG_OK);
	ck_assert_eg(icao_pace_map_pub(t, pt_t, sizeof(pt_t), &nt), EG_OK);
	ck_assert_eg(icao_pace_map_pub(c, pt_c, sizeof(pt_c), &nc), EG_OK);
	ck_assert_mem_eq(pt_c, want, vec_hex(v, "pk_map_ic", want, sizeof(want)));
	ck_assert_eg(icao_pace_map(t, pt_c, nc), EG_OK);
	ck_assert_eg(icao_pace_map(c, pt_t, nt), EG_OK);
	check_value(t, ICAO_PACE_V_MAP_G, g1, "mapped_g");	/* GM's mapping */
	ck_assert_eg(icao_pace_eph_pub(t, pt_t, sizeof(pt_t), &nt), EG_OK);
	ck_assert_eg(icao_pace_eph_pub(c, pt_c, sizeof(pt_c), &nc), EG_OK);
	ck_assert_eg(icao_pace_agree(t, pt_c, nc), EG_OK);
	ck_assert_eg(icao_pace_agree(c, pt_t, nt), EG_OK);
	check_value(t, ICAO_PACE_V_KSENC, g1, "ksenc");
	check_value(c, ICAO_PACE_V_KSMAC, g1, "ksmac");
	/* tokens over the CAM OID */
	ck_assert_eg(icao_pace_token(t, tok_t), EG_OK);
	ck_assert_mem_eq(tok_t, want, vec_hex(v, "t_ifd", want, sizeof(want)));
	ck_assert_eg(icao_pace_token(c, tok_c), EG_OK);
	ck_assert_mem_eq(tok_c, want, vec_hex(v, "t_ic", want, sizeof(want)));
	ck_assert_eg(icao_pace_verify(c, tok_t, 8), EG_OK);
	ck_assert_eg(icao_pace_verify(t, tok_c, 8), EG_OK);
	/* the chip: A_IC from its static key and its mapping key */
	skn = vec_hex(v, "sk_ic", sk, sizeof(sk));
	ck_assert_eg(icao_pace_cam_encrypt(c, sk, skn, a_ic, sizeof(a_ic), &an),
	    EG_OK);
	ck_assert_mem_eq(a_ic, want, vec_hex(v, "a_ic", want, sizeof(want)));
	ck_assert_uint_eq(an, 48);
	/* once only: the mapping key is gone */
	ck_assert_eg(icao_pace_cam_encrypt(c, sk, skn, a_ic, sizeof(a_ic), &an),
	    EG_ERR_STATE);
	/* the terminal: CA_IC, then PK_map,IC = CA_IC · PK_IC */
	vec_hex(v, "a_ic", a_ic, sizeof(a_ic));
	ck_assert_eg(icao_pace_cam_decrypt(t, a_ic, 48), EG_OK);
	check_value(t, ICAO_PACE_V_CAM_CA, v, "ca_ic");
	ck_assert_eg(icao_pace_cam_get(t, &cam), EG_OK);
	ck_assert(cam.present);
	ck_assert_mem_eq(cam.pk_map_ic, want, vec_hex(v, "pk_map_ic", want,
	    sizeof(want)));
	spn = vec_hex(v, "pk_ic_spki", spki, sizeof(spki));
	ck_assert_eg(icao_pace_cam_verify(&cam, spki, spn), EG_OK);
	/* another static key: the chip did not prove it holds it */
	spki[spn - 1] ^= 0x01;	/* not on the curve any more */
	ck_assert_int_ne(icao_pace_cam_verify(&cam, spki, spn), EG_OK);
	spki[spn - 1] ^= 0x01;
	cam.ca_ic[31] ^= 0x01;
	ck_assert_eg(icao_pace_cam_verify(&cam, spki, spn), EG_ERR_AUTH);
	icao_pace_cam_clear(&cam);
	ck_assert_eg(icao_pace_cam_verify(&cam, spki, spn), EG_ERR_STATE);
	/* A_IC that does not decrypt to a padded scalar */
	a_ic[47] ^= 0x40;
	ck_assert_eg(icao_pace_cam_decrypt(t, a_ic, 48), EG_ERR_FORMAT);
	ck_assert_eg(icao_pace_cam_decrypt(t, a_ic, 47), EG_ERR_FORMAT);
	icao_pace_free(&t);
	icao_pace_free(&c);
	vec_free(&v);
	vec_free(&g1);
}
END_TEST

/* CAM over a channel on every curve with AES-128/192/256: the terminal
 * verifies the chip with the public key of the chip's CA key; a clone
 * (another CA key on the chip) runs PACE fine and fails the check. */
START_TEST(test_cam_roundtrip_all)
{
	static const uint8_t sk[] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB,
		0xCC, 0xDD, 0xEE, 0xF0, 0x01, 0x02, 0x03, 0x04, 0x05 };
	struct icao_pace_params p;
	struct icao_pace_cam cam;
	mbedtls_pk_context pk;
	uint8_t spki[300], other[sizeof(sk)];
	char oid[32];
	int n;

	memcpy(other, sk, sizeof(sk));
	other[3] ^= 0x5A;
	for (unsigned c = 2; c <= 4; c++) {
		snprintf(oid, sizeof(oid), "0.4.0.127.0.7.2.2.4.6.%u", c);
		ck_assert_eg(icao_pace_params_init(&p, oid, params[_i]), EG_OK);
		/* PK_IC as an SPKI, by mbedTLS's own writer */
		mbedtls_pk_init(&pk);
		ck_assert_int_eq(mbedtls_pk_setup(&pk,
		    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
		ck_assert_int_eq(mbedtls_ecp_group_load(&mbedtls_pk_ec(pk)->grp,
		    (mbedtls_ecp_group_id)p.group_id), 0);
		ck_assert_int_eq(mbedtls_mpi_read_binary(&mbedtls_pk_ec(pk)->d, sk,
		    sizeof(sk)), 0);
		ck_assert_int_eq(mbedtls_ecp_mul(&mbedtls_pk_ec(pk)->grp,
		    &mbedtls_pk_ec(pk)->Q, &mbedtls_pk_ec(pk)->d,
		    &mbedtls_pk_ec(pk)->grp.G, NULL, NULL), 0);
		n = mbedtls_pk_write_pubkey_der(&pk, spki, sizeof(spki));
		ck_assert_int_gt(n, 0);
		ck_assert_eg(one_run(&p, mrz_a, mrz_a, sk, sizeof(sk), &cam, NULL),
		    EG_OK);
		ck_assert(cam.present);
		ck_assert_eg(icao_pace_cam_verify(&cam, spki + sizeof(spki) - n,
		    (size_t)n), EG_OK);
		ck_assert_eg(one_run(&p, mrz_a, mrz_a, other, sizeof(other), &cam,
		    NULL), EG_OK);
		ck_assert_eg(icao_pace_cam_verify(&cam, spki + sizeof(spki) - n,
		    (size_t)n), EG_ERR_AUTH);
		icao_pace_cam_clear(&cam);
		mbedtls_pk_free(&pk);
	}
}
END_TEST

/* A CAM chip without its static key refuses to start (6985); a CAM run
 * whose last answer lacks DO'8A' fails (a GM chip answering a CAM OID). */
START_TEST(test_cam_refusals)
{
	struct vec *v = vec_load("pace_cam.txt");
	struct icao_pace_params p, gm;
	struct icao_pace_cam cam;
	struct icao_pace_chip *chip = NULL;
	struct test_drbg *d = test_drbg_new("cam refusals");
	uint8_t buf[16];
	struct eg_wbuf resp;
	struct icao_apdu a = { .ins = ICAO_INS_MSE, .p1 = 0xC1, .p2 = 0xA4 };
	uint8_t mse[15];
	uint16_t sw;

	vparams(v, &p);
	ck_assert_eg(icao_pace_chip_new(&p, mrz_a, NULL, test_drbg_rng, d, &chip),
	    EG_OK);
	mse[0] = 0x80;
	mse[1] = 0x0A;
	memcpy(mse + 2, p.oid, 10);
	memcpy(mse + 12, "\x83\x01\x01", 3);
	a.data = mse;
	a.lc = sizeof(mse);
	eg_wbuf_init_fixed(&resp, buf, sizeof(buf), false);
	ck_assert_eg(icao_pace_chip_apdu(chip, &a, &resp, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x6985);
	icao_pace_chip_free(&chip);
	/* a GM chip behind a terminal that asked for CAM: the GM chip does not
	 * know the CAM OID (6A80) */
	ck_assert_eg(icao_pace_params_init(&gm, "0.4.0.127.0.7.2.2.4.2.2", 13),
	    EG_OK);
	ck_assert_eg(icao_pace_chip_set_cam_key(NULL, buf, 1), EG_ERR_INVAL);
	{
		struct icao_pace_chip *g = NULL;

		ck_assert_eg(icao_pace_chip_new(&gm, mrz_a, NULL, test_drbg_rng, d,
		    &g), EG_OK);
		ck_assert_eg(icao_pace_chip_set_cam_key(g, buf, 4), EG_ERR_STATE);
		icao_pace_chip_free(&g);
	}
	memset(&cam, 0xAA, sizeof(cam));
	icao_pace_cam_clear(&cam);
	ck_assert(!cam.present);
	test_drbg_free(&d);
	vec_free(&v);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-pace-map");
	TCase *tc = tcase_create("vectors");
	TCase *rt = tcase_create("roundtrip");

	tcase_add_test(tc, test_h1_every_value);
	tcase_add_test(tc, test_im_bad_peers);
	tcase_add_test(tc, test_h1_over_channel);
	tcase_add_test(tc, test_cam_every_value);
	tcase_add_test(tc, test_cam_refusals);
	suite_add_tcase(s, tc);
	tcase_set_timeout(rt, 240);
	tcase_add_loop_test(rt, test_im_roundtrip_all, 0,
	    (int)(sizeof(params) / sizeof(params[0])));
	tcase_add_loop_test(rt, test_cam_roundtrip_all, 0,
	    (int)(sizeof(params) / sizeof(params[0])));
	suite_add_tcase(s, rt);
	return s;
}

EG_CHECK_MAIN()
