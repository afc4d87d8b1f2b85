/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_aa — Active Authentication: the chip signs with icao_aa_sign (RSA
 * ISO 9796-2 scheme 1, ECDSA plain), the terminal reads the key from a DG15
 * parsed by docauth and verifies over the channel. Genuine passes; a wrong
 * key, a tampered signature, a wrong challenge and short or garbage answers
 * fail with clear errors.
 */
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "docauth/lds.h"
#include "egate/error.h"
#include "egate/tlv.h"
#include "icao/aa.h"
#include "icao/aa_chip.h"
#include "icao/chan.h"
#include "icao/iso7816.h"
#include "eg_check.h"
#include "pacecard.h"
#include "simchip.h"
#include "vec.h"

struct aa_sim {
	mbedtls_pk_context *key;	/* the chip's private key */
	mbedtls_md_type_t md;
	struct test_drbg *rng;
	int mode;			/* see below */
	uint8_t last_chal[8];
};

enum { AA_OK = 0, AA_FLIP, AA_SHORT, AA_EMPTY, AA_FF, AA_GARBAGE, AA_NOAA,
	AA_OTHER_CHAL };

static bool
aa_handler(struct pacecard *pcd, const struct icao_apdu *a, uint8_t *data,
    size_t cap, size_t *dlen, uint16_t *sw)
{
	struct aa_sim *as = pcd->extra_ctx;
	uint8_t chal[8];
	size_t n;

	if (a->ins != ICAO_INS_INTERNAL_AUTH)
		return false;
	*sw = 0x9000;
	if (as->mode == AA_NOAA) {
		*sw = 0x6D00;
		return true;
	}
	ck_assert_uint_eq(a->lc, 8);
	memcpy(as->last_chal, a->data, 8);
	memcpy(chal, a->data, 8);
	if (as->mode == AA_OTHER_CHAL)
		chal[7] ^= 1;
	ck_assert_eg(icao_aa_sign(as->key, as->md, chal, 8, test_drbg_rng,
	    as->rng, data, cap, &n), EG_OK);
	switch (as->mode) {
	case AA_FLIP:
		data[n / 2] ^= 0x10;
		break;
	case AA_SHORT:
		n -= 1;
		break;
	case AA_EMPTY:
		n = 0;
		break;
	case AA_FF:
		memset(data, 0xFF, n);
		break;
	case AA_GARBAGE:
		memset(data, 0x00, n);
		for (size_t i = 1; i < n; i += 7)
			data[i] = (uint8_t)(i * 37);
		break;
	default:
		break;
	}
	*dlen = n;
	return true;
}

/* DG15 = 6F { SPKI } of key, parsed back by docauth. */
static void
dg15_of(mbedtls_pk_context *key, struct lds_dg15 *out, uint8_t *buf,
    size_t cap)
{
	uint8_t der[1200];
	struct eg_wbuf w;
	int n = mbedtls_pk_write_pubkey_der(key, der, sizeof(der));

	ck_assert_int_gt(n, 0);
	eg_wbuf_init_fixed(&w, buf, cap, false);
	ck_assert_eg(eg_tlv_put(&w, 0x6F, der + sizeof(der) - n, (size_t)n),
	    EG_OK);
	ck_assert_eg(lds_dg15_parse(buf, w.len, out), EG_OK);
}

static void
rsa_key(mbedtls_pk_context *pk, struct test_drbg *d, unsigned bits)
{
	mbedtls_pk_init(pk);
	ck_assert_int_eq(mbedtls_pk_setup(pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), 0);
	ck_assert_int_eq(mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk), test_drbg_rng,
	    d, bits, 65537), 0);
}

static void
ec_key(mbedtls_pk_context *pk, struct test_drbg *d, mbedtls_ecp_group_id g)
{
	mbedtls_pk_init(pk);
	ck_assert_int_eq(mbedtls_pk_setup(pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	ck_assert_int_eq(mbedtls_ecp_gen_key(g, mbedtls_pk_ec(*pk),
	    test_drbg_rng, d), 0);
}

/* One AA over a plain channel; the DG15 holds dg15_key, the chip signs
 * with chip_key. */
static int
aa_once(mbedtls_pk_context *dg15_key, mbedtls_pk_context *chip_key,
    mbedtls_md_type_t chip_md, mbedtls_md_type_t terminal_md, int mode,
    uint16_t *sw)
{
	struct simchip *sim = simchip_new();
	struct pacecard pcd;
	struct aa_sim as = { chip_key, chip_md, test_drbg_new("chip"), mode,
	    { 0 } };
	struct test_drbg *dt = test_drbg_new("terminal");
	struct icao_chan *ch = NULL;
	struct lds_dg15 dg15;
	uint8_t buf[1300];
	int r;

	dg15_of(dg15_key, &dg15, buf, sizeof(buf));
	pacecard_init(&pcd, sim, NULL);
	pcd.extra = aa_handler;
	pcd.extra_ctx = &as;
	ck_assert_eg(icao_chan_new(&pacecard_ops, &pcd, &ch), EG_OK);
	r = icao_aa_run(ch, &dg15.pk, terminal_md, test_drbg_rng, dt, sw);
	if (mode != AA_NOAA && pcd.log_len[0] == 14) {
		/* the challenge on the wire: 00 88 00 00 08 <8> 00 */
		ck_assert_mem_eq(pcd.log[0], "\x00\x88\x00\x00\x08", 5);
		ck_assert_mem_eq(pcd.log[0] + 5, as.last_chal, 8);
		ck_assert_uint_eq(pcd.log[0][13], 0x00);
	} else if (mode != AA_NOAA) {
		/* extended: 00 88 00 00 00 00 08 <8> Le(2) */
		ck_assert_uint_eq(pcd.log_len[0], 17);
		ck_assert_mem_eq(pcd.log[0], "\x00\x88\x00\x00\x00\x00\x08", 7);
		ck_assert_mem_eq(pcd.log[0] + 7, as.last_chal, 8);
	}
	lds_dg15_free(&dg15);
	icao_chan_free(&ch);
	simchip_free(&sim);
	test_drbg_free(&as.rng);
	test_drbg_free(&dt);
	return r;
}

START_TEST(test_rsa)
{
	struct test_drbg *d = test_drbg_new("rsa keys");
	mbedtls_pk_context k1, k2, k3;
	uint16_t sw;

	rsa_key(&k1, d, 1024);
	rsa_key(&k2, d, 1024);
	rsa_key(&k3, d, 1028);	/* not a multiple of 8 bits */
	{
		/* 2056 bits: a 257-byte signature needs an extended Le */
		mbedtls_pk_context k4;

		rsa_key(&k4, d, 2056);
		ck_assert_eg(aa_once(&k4, &k4, MBEDTLS_MD_SHA256,
		    MBEDTLS_MD_NONE, AA_OK, &sw), EG_OK);
		mbedtls_pk_free(&k4);
	}
	/* genuine: SHA-1 (trailer BC), SHA-256 and SHA-512 (hh CC) */
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE, AA_OK,
	    &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA256, MBEDTLS_MD_NONE,
	    AA_OK, &sw), EG_OK);
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA512, MBEDTLS_MD_NONE,
	    AA_OK, &sw), EG_OK);
	ck_assert_eg(aa_once(&k3, &k3, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE, AA_OK,
	    &sw), EG_OK);
	/* wrong key: s^e with another key is noise (header/trailer fail),
	 * or too large for the DG15 modulus */
	{
		int e = aa_once(&k1, &k2, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE,
		    AA_OK, &sw);

		ck_assert_msg(e == EG_ERR_AUTH || e == EG_ERR_FORMAT, "%s",
		    eg_err_name(e));
	}
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE,
	    AA_FLIP, &sw), EG_ERR_AUTH);
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA256, MBEDTLS_MD_NONE,
	    AA_OTHER_CHAL, &sw), EG_ERR_AUTH);
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE,
	    AA_SHORT, &sw), EG_ERR_FORMAT);
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE,
	    AA_EMPTY, &sw), EG_ERR_FORMAT);
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE,
	    AA_FF, &sw), EG_ERR_FORMAT);		/* >= n */
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE,
	    AA_GARBAGE, &sw), EG_ERR_AUTH);
	ck_assert_eg(aa_once(&k1, &k1, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE,
	    AA_NOAA, &sw), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6D00);
	mbedtls_pk_free(&k1);
	mbedtls_pk_free(&k2);
	mbedtls_pk_free(&k3);
	test_drbg_free(&d);
}
END_TEST

/* The RSA recovery by hand: the representative the signer builds. */
START_TEST(test_rsa_representative)
{
	struct test_drbg *d = test_drbg_new("rsa rep");
	mbedtls_pk_context k;
	uint8_t chal[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, sig[128], f[128];
	size_t n;

	rsa_key(&k, d, 1024);
	ck_assert_eg(icao_aa_sign(&k, MBEDTLS_MD_SHA256, chal, 8, test_drbg_rng,
	    d, sig, sizeof(sig), &n), EG_OK);
	ck_assert_uint_eq(n, 128);
	ck_assert_int_eq(mbedtls_rsa_public(mbedtls_pk_rsa(k), sig, f), 0);
	ck_assert_uint_eq(f[0], 0x6A);
	ck_assert_uint_eq(f[126], 0x34);
	ck_assert_uint_eq(f[127], 0xCC);
	ck_assert_eg(icao_aa_verify(&k, MBEDTLS_MD_NONE, chal, 8, sig, n), EG_OK);
	/* a representative with a trailer naming an unknown hash: the
	 * chip's (a clone's) answer is wrong, not "unsupported" — a clone
	 * can find such a value with the public key alone and replay it to
	 * every challenge (issue 12, trust defect 2). Every unknown id fails;
	 * the known ones need the right hash. */
	for (unsigned id = 0; id < 256; id++) {
		int want = id == 0x34 ? EG_OK : EG_ERR_AUTH;

		f[126] = (uint8_t)id;
		ck_assert_int_eq(mbedtls_rsa_private(mbedtls_pk_rsa(k), test_drbg_rng,
		    d, f, sig), 0);
		ck_assert_msg(icao_aa_verify(&k, MBEDTLS_MD_NONE, chal, 8, sig, n) == want,
		    "hash id %02X", id);
	}
	/* a wrong header */
	f[126] = 0x34;
	f[0] = 0x4A;
	ck_assert_int_eq(mbedtls_rsa_private(mbedtls_pk_rsa(k), test_drbg_rng,
	    d, f, sig), 0);
	ck_assert_eg(icao_aa_verify(&k, MBEDTLS_MD_NONE, chal, 8, sig, n),
	    EG_ERR_AUTH);
	mbedtls_pk_free(&k);
	test_drbg_free(&d);
}
END_TEST

START_TEST(test_ecdsa)
{
	struct test_drbg *d = test_drbg_new("ec keys");
	mbedtls_pk_context p256, p256b, bp384;
	uint16_t sw;

	ec_key(&p256, d, MBEDTLS_ECP_DP_SECP256R1);
	ec_key(&p256b, d, MBEDTLS_ECP_DP_SECP256R1);
	ec_key(&bp384, d, MBEDTLS_ECP_DP_BP384R1);
	/* default SHA-256 on both sides */
	ck_assert_eg(aa_once(&p256, &p256, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_OK, &sw), EG_OK);
	/* SHA-384 named by ActiveAuthenticationInfo */
	ck_assert_eg(aa_once(&bp384, &bp384, MBEDTLS_MD_SHA384,
	    icao_aa_md_from_oid("0.4.0.127.0.7.1.1.4.1.4"), AA_OK, &sw), EG_OK);
	/* the hashes disagree: fails */
	ck_assert_eg(aa_once(&bp384, &bp384, MBEDTLS_MD_SHA384, MBEDTLS_MD_NONE,
	    AA_OK, &sw), EG_ERR_AUTH);
	ck_assert_eg(aa_once(&p256, &p256b, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_OK, &sw), EG_ERR_AUTH);
	ck_assert_eg(aa_once(&p256, &p256, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_FLIP, &sw), EG_ERR_AUTH);
	ck_assert_eg(aa_once(&p256, &p256, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_OTHER_CHAL, &sw), EG_ERR_AUTH);
	ck_assert_eg(aa_once(&p256, &p256, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_SHORT, &sw), EG_ERR_FORMAT);
	ck_assert_eg(aa_once(&p256, &p256, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_EMPTY, &sw), EG_ERR_FORMAT);
	ck_assert_eg(aa_once(&p256, &p256, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_FF, &sw), EG_ERR_AUTH);	/* r, s >= n */
	ck_assert_eg(aa_once(&p256, &p256, MBEDTLS_MD_NONE, MBEDTLS_MD_NONE,
	    AA_GARBAGE, &sw), EG_ERR_AUTH);
	{
		uint8_t zero[64] = { 0 }, chal[8] = { 0 };

		ck_assert_eg(icao_aa_verify(&p256, MBEDTLS_MD_NONE, chal, 8, zero,
		    64), EG_ERR_AUTH);	/* r = s = 0 */
	}
	mbedtls_pk_free(&p256);
	mbedtls_pk_free(&p256b);
	mbedtls_pk_free(&bp384);
	test_drbg_free(&d);
}
END_TEST

/* Signatures made outside egate (tests/vectors/icao/make_aa.py). */
START_TEST(test_independent_signatures)
{
	struct vec *v = vec_load("pace_aa.txt");
	uint8_t chal[8], spki[300], sig[200];
	size_t n, sn;
	const char *const rsa_sigs[] = { "rsa_sig_sha1", "rsa_sig_sha256" };
	mbedtls_pk_context pk;

	ck_assert_uint_eq(vec_hex(v, "chal", chal, sizeof(chal)), 8);
	mbedtls_pk_init(&pk);
	n = vec_hex(v, "rsa_spki", spki, sizeof(spki));
	ck_assert_int_eq(mbedtls_pk_parse_public_key(&pk, spki, n), 0);
	for (size_t i = 0; i < 2; i++) {
		sn = vec_hex(v, rsa_sigs[i], sig, sizeof(sig));
		ck_assert_eg(icao_aa_verify(&pk, MBEDTLS_MD_NONE, chal, 8, sig,
		    sn), EG_OK);
		chal[0] ^= 1;
		ck_assert_eg(icao_aa_verify(&pk, MBEDTLS_MD_NONE, chal, 8, sig,
		    sn), EG_ERR_AUTH);
		chal[0] ^= 1;
		sig[sn - 1] ^= 1;
		ck_assert_eg(icao_aa_verify(&pk, MBEDTLS_MD_NONE, chal, 8, sig,
		    sn), EG_ERR_AUTH);
	}
	mbedtls_pk_free(&pk);
	mbedtls_pk_init(&pk);
	n = vec_hex(v, "ec_spki", spki, sizeof(spki));
	ck_assert_int_eq(mbedtls_pk_parse_public_key(&pk, spki, n), 0);
	sn = vec_hex(v, "ec_sig_sha256", sig, sizeof(sig));
	ck_assert_eg(icao_aa_verify(&pk, MBEDTLS_MD_NONE, chal, 8, sig, sn),
	    EG_OK);
	ck_assert_eg(icao_aa_verify(&pk, MBEDTLS_MD_SHA256, chal, 8, sig, sn),
	    EG_OK);
	ck_assert_eg(icao_aa_verify(&pk, MBEDTLS_MD_SHA1, chal, 8, sig, sn),
	    EG_ERR_AUTH);
	sig[10] ^= 0x80;
	ck_assert_eg(icao_aa_verify(&pk, MBEDTLS_MD_NONE, chal, 8, sig, sn),
	    EG_ERR_AUTH);
	mbedtls_pk_free(&pk);
	vec_free(&v);
}
END_TEST

START_TEST(test_md_from_oid)
{
	ck_assert_int_eq(icao_aa_md_from_oid(NULL), MBEDTLS_MD_SHA256);
	ck_assert_int_eq(icao_aa_md_from_oid("0.4.0.127.0.7.1.1.4.1.1"),
	    MBEDTLS_MD_SHA1);
	ck_assert_int_eq(icao_aa_md_from_oid("0.4.0.127.0.7.1.1.4.1.5"),
	    MBEDTLS_MD_SHA512);
	ck_assert_int_eq(icao_aa_md_from_oid("1.2.3"), MBEDTLS_MD_NONE);
	{
		/* DG14 with a CAInfo and an AAInfo naming ecdsa-plain-SHA384 */
		static const uint8_t dg14[] = { 0x6E, 0x2F, 0x31, 0x2D,
			0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07,
			0x02, 0x02, 0x03, 0x02, 0x02, 0x02, 0x01, 0x01, 0x02,
			0x01, 0x01,
			0x30, 0x17, 0x06, 0x06, 0x67, 0x81, 0x08, 0x01, 0x01,
			0x05, 0x02, 0x01, 0x01, 0x06, 0x0A, 0x04, 0x00, 0x7F,
			0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x04 };
		uint8_t bad[sizeof(dg14)];
		mbedtls_md_type_t md = MBEDTLS_MD_NONE;
		struct lds_secinfos si;

		/* docauth agrees on the structure */
		ck_assert_eg(lds_dg14_parse(dg14, sizeof(dg14), &si), EG_OK);
		ck_assert_uint_eq(si.n, 2);
		ck_assert_int_eq(si.si[1].kind, LDS_SI_AA_INFO);
		ck_assert_eg(icao_aa_md_from_dg14(dg14, sizeof(dg14), &md), EG_OK);
		ck_assert_int_eq(md, MBEDTLS_MD_SHA384);
		/* without the AAInfo: SHA-256 */
		memcpy(bad, dg14, sizeof(dg14));
		bad[1] = 0x16;
		bad[3] = 0x14;
		ck_assert_eg(icao_aa_md_from_dg14(bad, 0x18, &md), EG_OK);
		ck_assert_int_eq(md, MBEDTLS_MD_SHA256);
		/* an unknown algorithm, and a truncated DG14 */
		memcpy(bad, dg14, sizeof(dg14));
		bad[sizeof(bad) - 1] = 0x09;
		ck_assert_eg(icao_aa_md_from_dg14(bad, sizeof(bad), &md),
		    EG_ERR_UNSUPPORTED);
		ck_assert_eg(icao_aa_md_from_dg14(dg14, sizeof(dg14) - 1, &md),
		    EG_ERR_TRUNCATED);
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-aa");
	TCase *tc = tcase_create("aa");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_rsa);
	tcase_add_test(tc, test_rsa_representative);
	tcase_add_test(tc, test_ecdsa);
	tcase_add_test(tc, test_md_from_oid);
	tcase_add_test(tc, test_independent_signatures);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
