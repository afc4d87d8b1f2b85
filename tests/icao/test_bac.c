/* SPDX-License-Identifier: Apache-2.0 */
/* test_bac — Basic Access Control against ICAO Doc 9303 Part 11 App. D, and
 * the whole worked example (BAC, then SELECT and READ BINARY under 3DES SM)
 * replayed byte for byte through the channel. */
#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/sha1.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "icao/bac.h"
#include "icao/chan.h"
#include "icao/crypto.h"
#include "icao/sm.h"
#include "eg_check.h"
#include "vec.h"

/* Fixed "random" bytes: RND.IFD then K.IFD, as the RNG callback. */
struct fixed_rng {
	uint8_t b[64];
	size_t len, off;
	bool fail;
};

static int
fixed_rng(void *ctx, unsigned char *out, size_t len)
{
	struct fixed_rng *r = ctx;

	if (r->fail || r->off + len > r->len)
		return -1;
	memcpy(out, r->b + r->off, len);
	r->off += len;
	return 0;
}

static void
rng_from_vec(struct fixed_rng *r, const struct vec *v)
{
	memset(r, 0, sizeof(*r));
	r->len = vec_hex(v, "rnd_ifd", r->b, 8);
	r->len += vec_hex(v, "k_ifd", r->b + 8, 16);
}

START_TEST(test_kseed)
{
	struct vec *v = vec_load("bac.txt");
	uint8_t seed[16], want[20], h[20];
	const char *mrz = vec_str(v, "mrz_info_str");

	ck_assert_int_eq(mbedtls_sha1_ret((const unsigned char *)mrz, strlen(mrz), h), 0);
	ck_assert_mem_eq(h, want, vec_hex(v, "sha1", want, sizeof(want)));
	ck_assert_eg(icao_bac_kseed(mrz, seed), EG_OK);
	ck_assert_mem_eq(seed, want, vec_hex(v, "kseed", want, sizeof(want)));
	ck_assert_eg(icao_bac_kseed(vec_str(v, "td2ext_mrz_info_str"), seed), EG_OK);
	ck_assert_mem_eq(seed, want, vec_hex(v, "td2ext_kseed", want, sizeof(want)));
	/* not MRZ information */
	ck_assert_eg(icao_bac_kseed("l898902c<369080619406236", seed), EG_ERR_INVAL);
	ck_assert_eg(icao_bac_kseed("L898902C<36908061940623", seed), EG_ERR_INVAL);
	ck_assert_eg(icao_bac_kseed("L898902C<3690806194062 6", seed), EG_ERR_INVAL);
	ck_assert_eg(icao_bac_kseed(NULL, seed), EG_ERR_INVAL);
	ck_assert_eg(icao_bac_kseed("L898902C<369080619406236L898902C<369080619406236"
	    "L898902C<3690806194", seed), EG_ERR_INVAL);	/* 67 chars */
	vec_free(&v);
}
END_TEST

START_TEST(test_mutual_auth_vector)
{
	struct vec *v = vec_load("bac.txt");
	struct icao_bac bac;
	struct icao_sm *sm = NULL;
	struct fixed_rng rng;
	uint8_t rnd_ic[8], cmd[40], want[64], resp[40], ssc[16], seed[16];
	struct icao_apdu sel;
	struct eg_wbuf w;
	struct vec *sv = vec_load("sm_3des.txt");
	uint8_t plain[16];
	size_t pl;

	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_bac_init(&bac, vec_str(v, "mrz_info_str")), EG_OK);
	ck_assert_mem_eq(bac.kenc, want, vec_hex(v, "kenc", want, sizeof(want)));
	ck_assert_mem_eq(bac.kmac, want, vec_hex(v, "kmac", want, sizeof(want)));
	vec_hex(v, "rnd_ic", rnd_ic, 8);
	rng_from_vec(&rng, v);
	ck_assert_eg(icao_bac_make_cmd(&bac, rnd_ic, fixed_rng, &rng, cmd), EG_OK);
	ck_assert_mem_eq(cmd, want, vec_hex(v, "e_ifd", want, sizeof(want)));
	ck_assert_mem_eq(cmd + 32, want, vec_hex(v, "m_ifd", want, sizeof(want)));

	vec_hex(v, "resp", resp, sizeof(resp));
	ck_assert_eg(icao_bac_finish(&bac, resp, sizeof(resp), sm), EG_OK);
	ck_assert_mem_eq(bac.k_ic, want, vec_hex(v, "k_ic", want, sizeof(want)));
	for (int i = 0; i < 16; i++)
		seed[i] = bac.k_ifd[i] ^ bac.k_ic[i];
	ck_assert_mem_eq(seed, want, vec_hex(v, "ks_seed", want, sizeof(want)));
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	ck_assert_int_eq(icao_sm_cipher(sm), ICAO_CIPHER_3DES);
	ck_assert_uint_eq(icao_sm_get_ssc(sm, ssc), 8);
	ck_assert_mem_eq(ssc, want, vec_hex(v, "ssc", want, sizeof(want)));
	/* KSenc and KSmac are inside the opaque context: the protected
	 * SELECT of App. D.4 proves both */
	pl = vec_hex(sv, "select_plain", plain, sizeof(plain));
	ck_assert_eg(icao_apdu_decode(plain, pl, &sel), EG_OK);
	eg_wbuf_init(&w, 512, false);
	ck_assert_eg(icao_sm_wrap(sm, &sel, &w), EG_OK);
	ck_assert_uint_eq(w.len, vec_hex(sv, "select_prot", want, sizeof(want)));
	ck_assert_mem_eq(w.data, want, w.len);
	eg_wbuf_free(&w);
	icao_bac_wipe(&bac);
	icao_sm_free(&sm);
	ck_assert_ptr_null(sm);
	vec_free(&v);
	vec_free(&sv);
}
END_TEST

START_TEST(test_mutual_auth_failures)
{
	struct vec *v = vec_load("bac.txt");
	struct icao_bac bac;
	struct icao_sm *sm = NULL;
	struct fixed_rng rng;
	uint8_t rnd_ic[8], cmd[40], resp[40], r[32];

	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	vec_hex(v, "rnd_ic", rnd_ic, 8);

	/* a flipped bit anywhere in E.IC or M.IC: EG_ERR_MAC, no keys */
	for (size_t bit = 0; bit < 40 * 8; bit += 37) {
		ck_assert_eg(icao_bac_init(&bac, vec_str(v, "mrz_info_str")), EG_OK);
		rng_from_vec(&rng, v);
		ck_assert_eg(icao_bac_make_cmd(&bac, rnd_ic, fixed_rng, &rng, cmd), EG_OK);
		vec_hex(v, "resp", resp, sizeof(resp));
		resp[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_eg(icao_bac_finish(&bac, resp, sizeof(resp), sm), EG_ERR_MAC);
		ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	}
	/* wrong length */
	vec_hex(v, "resp", resp, sizeof(resp));
	ck_assert_eg(icao_bac_finish(&bac, resp, 39, sm), EG_ERR_PROTOCOL);

	/* a correctly MACed answer that does not echo our RND.IFD: a chip
	 * (or relay) that did not see our challenge. Built with Kenc/Kmac. */
	ck_assert_eg(icao_bac_init(&bac, vec_str(v, "mrz_info_str")), EG_OK);
	rng_from_vec(&rng, v);
	ck_assert_eg(icao_bac_make_cmd(&bac, rnd_ic, fixed_rng, &rng, cmd), EG_OK);
	memcpy(r, bac.rnd_ic, 8);
	memcpy(r + 8, bac.rnd_ifd, 8);
	r[15] ^= 1;
	memset(r + 16, 0x42, 16);
	ck_assert_eg(icao_cbc(ICAO_CIPHER_3DES, 1, bac.kenc, NULL, r, 32, resp), EG_OK);
	ck_assert_eg(icao_mac(ICAO_CIPHER_3DES, bac.kmac, resp, 32, resp + 32), EG_OK);
	ck_assert_eg(icao_bac_finish(&bac, resp, 40, sm), EG_ERR_AUTH);
	/* ... or not our RND.IC */
	r[15] ^= 1;
	r[0] ^= 0x80;
	ck_assert_eg(icao_cbc(ICAO_CIPHER_3DES, 1, bac.kenc, NULL, r, 32, resp), EG_OK);
	ck_assert_eg(icao_mac(ICAO_CIPHER_3DES, bac.kmac, resp, 32, resp + 32), EG_OK);
	ck_assert_eg(icao_bac_finish(&bac, resp, 40, sm), EG_ERR_AUTH);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	/* and the same construction with the right nonces is accepted */
	r[0] ^= 0x80;
	ck_assert_eg(icao_cbc(ICAO_CIPHER_3DES, 1, bac.kenc, NULL, r, 32, resp), EG_OK);
	ck_assert_eg(icao_mac(ICAO_CIPHER_3DES, bac.kmac, resp, 32, resp + 32), EG_OK);
	ck_assert_eg(icao_bac_finish(&bac, resp, 40, sm), EG_OK);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);

	/* a failing RNG */
	rng.fail = true;
	ck_assert_eg(icao_bac_make_cmd(&bac, rnd_ic, fixed_rng, &rng, cmd), EG_ERR_CRYPTO);
	icao_bac_wipe(&bac);
	for (size_t i = 0; i < sizeof(bac); i++)
		ck_assert_uint_eq(((uint8_t *)&bac)[i], 0);
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

/* A card that plays a recorded exchange: each command must match. */
struct script {
	uint8_t cmd[8][128], resp[8][128];
	size_t clen[8], rlen[8], n, i;
};

static void
script_add(struct script *s, const char *c, const char *r)
{
	ck_assert_uint_lt(s->n, 8);
	ck_assert_eg(eg_hex_decode(c, s->cmd[s->n], 128, &s->clen[s->n]), EG_OK);
	ck_assert_eg(eg_hex_decode(r, s->resp[s->n], 128, &s->rlen[s->n]), EG_OK);
	s->n++;
}

static int
script_transmit(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
    size_t rcap, size_t *rlen)
{
	struct script *s = ctx;
	size_t i = s->i++;

	ck_assert_msg(i < s->n, "unexpected APDU #%zu", i);
	ck_assert_uint_eq(clen, s->clen[i]);
	ck_assert_mem_eq(c, s->cmd[i], clen);
	ck_assert_uint_le(s->rlen[i], rcap);
	memcpy(r, s->resp[i], s->rlen[i]);
	*rlen = s->rlen[i];
	return EG_OK;
}

static const struct icao_card_ops script_ops = { .transmit = script_transmit };

START_TEST(test_worked_example_end_to_end)
{
	struct vec *v = vec_load("bac.txt");
	struct vec *sv = vec_load("sm_3des.txt");
	static struct script sc;
	char buf[256], hex[256];
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct fixed_rng rng;
	struct eg_wbuf file;
	struct icao_read_stats st;
	uint8_t want[64], ssc[16];
	uint16_t sw;

	memset(&sc, 0, sizeof(sc));
	snprintf(buf, sizeof(buf), "%s9000", vec_str(v, "rnd_ic"));
	script_add(&sc, "0084000008", buf);
	snprintf(buf, sizeof(buf), "0082000028%s%s28", vec_str(v, "e_ifd"),
	    vec_str(v, "m_ifd"));
	snprintf(hex, sizeof(hex), "%s9000", vec_str(v, "resp"));
	script_add(&sc, buf, hex);
	script_add(&sc, vec_str(sv, "select_prot"), vec_str(sv, "select_resp"));
	script_add(&sc, vec_str(sv, "read4_prot"), vec_str(sv, "read4_resp"));
	script_add(&sc, vec_str(sv, "read18_prot"), vec_str(sv, "read18_resp"));

	ck_assert_eg(icao_chan_new(&script_ops, &sc, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	rng_from_vec(&rng, v);
	ck_assert_eg(icao_bac_run(ch, vec_str(v, "mrz_info_str"), fixed_rng, &rng,
	    sm, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_ptr_eq(icao_chan_sm(ch), sm);
	ck_assert_eg(icao_select_fid(ch, 0x011E, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	/* read_file reads the 4-byte header, learns 22 bytes, reads 18 more:
	 * exactly the two READ BINARY commands of App. D.4 */
	eg_wbuf_init(&file, 4096, true);
	ck_assert_eg(icao_read_file(ch, NULL, &file, &sw, &st), EG_OK);
	ck_assert_uint_eq(st.commands, 2);
	ck_assert_uint_eq(sc.i, sc.n);
	vec_hex(sv, "read4_data", want, sizeof(want));
	vec_hex(sv, "read18_data", want + 4, sizeof(want) - 4);
	ck_assert_uint_eq(file.len, 22);
	ck_assert_mem_eq(file.data, want, 22);
	/* SSC: 887022120C06C226 + 6 messages */
	ck_assert_uint_eq(icao_sm_get_ssc(sm, ssc), 8);
	ck_assert_mem_eq(ssc, "\x88\x70\x22\x12\x0C\x06\xC2\x2C", 8);
	eg_wbuf_free(&file);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	vec_free(&v);
	vec_free(&sv);
}
END_TEST

START_TEST(test_run_wrong_mrz)
{
	/* the chip refuses our cryptogram (wrong MRZ): 6300 → CARD_STATUS,
	 * no session installed */
	struct vec *v = vec_load("bac.txt");
	static struct script sc;
	char buf[256];
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	struct fixed_rng rng;
	struct icao_bac bac;
	uint8_t rnd_ic[8], cmd[40], hx[81];
	uint16_t sw;

	memset(&sc, 0, sizeof(sc));
	/* what we will send with the other MRZ */
	ck_assert_eg(icao_bac_init(&bac, "L898902C<369080619406244"), EG_OK);
	vec_hex(v, "rnd_ic", rnd_ic, 8);
	rng_from_vec(&rng, v);
	ck_assert_eg(icao_bac_make_cmd(&bac, rnd_ic, fixed_rng, &rng, cmd), EG_OK);
	ck_assert_eg(eg_hex_encode(cmd, 40, (char *)hx, sizeof(hx)), EG_OK);
	snprintf(buf, sizeof(buf), "%s9000", vec_str(v, "rnd_ic"));
	script_add(&sc, "0084000008", buf);
	snprintf(buf, sizeof(buf), "0082000028%s28", (char *)hx);
	script_add(&sc, buf, "6300");

	ck_assert_eg(icao_chan_new(&script_ops, &sc, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	rng_from_vec(&rng, v);
	ck_assert_eg(icao_bac_run(ch, "L898902C<369080619406244", fixed_rng, &rng,
	    sm, &sw), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6300);
	ck_assert_ptr_null(icao_chan_sm(ch));
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	icao_bac_wipe(&bac);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

START_TEST(test_ctr_drbg_rng)
{
	/* production plugs mbedtls_ctr_drbg_random in directly */
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	struct icao_bac bac;
	uint8_t rnd_ic[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, cmd[40], s[32], mac[8];
	icao_rng_fn f = mbedtls_ctr_drbg_random;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
	    (const unsigned char *)"egate-test", 10), 0);
	ck_assert_eg(icao_bac_init(&bac, "L898902C<369080619406236"), EG_OK);
	ck_assert_eg(icao_bac_make_cmd(&bac, rnd_ic, f, &drbg, cmd), EG_OK);
	ck_assert_eg(icao_cbc(ICAO_CIPHER_3DES, 0, bac.kenc, NULL, cmd, 32, s), EG_OK);
	ck_assert_mem_eq(s, bac.rnd_ifd, 8);
	ck_assert_mem_eq(s + 8, rnd_ic, 8);
	ck_assert_mem_eq(s + 16, bac.k_ifd, 16);
	ck_assert_eg(icao_mac(ICAO_CIPHER_3DES, bac.kmac, cmd, 32, mac), EG_OK);
	ck_assert_mem_eq(mac, cmd + 32, 8);
	icao_bac_wipe(&bac);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-bac");
	TCase *tc = tcase_create("bac");

	tcase_add_test(tc, test_kseed);
	tcase_add_test(tc, test_mutual_auth_vector);
	tcase_add_test(tc, test_mutual_auth_failures);
	tcase_add_test(tc, test_worked_example_end_to_end);
	tcase_add_test(tc, test_run_wrong_mrz);
	tcase_add_test(tc, test_ctr_drbg_rng);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
