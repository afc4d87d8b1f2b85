/* SPDX-License-Identifier: Apache-2.0 */
/* test_crypto — KDF, retail MAC, CMAC, CBC and padding against the ICAO
 * Doc 9303 Part 11 worked examples (App. D BAC, App. G.1 PACE). */
#include <string.h>

#include <mbedtls/sha1.h>

#include "egate/error.h"
#include "icao/crypto.h"
#include "icao/iso7816.h"
#include "eg_check.h"
#include "vec.h"

START_TEST(test_kdf_bac)
{
	struct vec *v = vec_load("bac.txt");
	uint8_t seed[16], want[32], out[32];

	vec_hex(v, "kseed", seed, sizeof(seed));
	ck_assert_eg(icao_kdf(seed, 16, ICAO_KDF_ENC, ICAO_CIPHER_3DES, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "kenc", want, sizeof(want)));
	ck_assert_eg(icao_kdf(seed, 16, ICAO_KDF_MAC, ICAO_CIPHER_3DES, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "kmac", want, sizeof(want)));
	vec_hex(v, "ks_seed", seed, sizeof(seed));
	ck_assert_eg(icao_kdf(seed, 16, ICAO_KDF_ENC, ICAO_CIPHER_3DES, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "ksenc", want, sizeof(want)));
	ck_assert_eg(icao_kdf(seed, 16, ICAO_KDF_MAC, ICAO_CIPHER_3DES, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "ksmac", want, sizeof(want)));
	vec_free(&v);
}
END_TEST

START_TEST(test_kdf_pace)
{
	struct vec *v = vec_load("pace_kdf.txt");
	const char *mrz = vec_str(v, "mrz_info_str");
	uint8_t k[32], want[32], out[32], h[20];
	size_t n;

	/* K_pi = KDF(SHA-1(MRZ information), 3): the KDF is fed the whole
	 * 20-byte hash (not the 16-byte BAC seed) */
	ck_assert_int_eq(mbedtls_sha1_ret((const unsigned char *)mrz, strlen(mrz),
	    h), 0);
	ck_assert_mem_eq(h, want, vec_hex(v, "mrz_sha1", want, sizeof(want)));
	ck_assert_eg(icao_kdf(h, 20, ICAO_KDF_PACE, ICAO_CIPHER_AES128, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "kpi", want, sizeof(want)));

	/* s = AES-CBC^-1(K_pi, zero IV, encrypted nonce) */
	{
		uint8_t enc[16], s[16];

		vec_hex(v, "enc_nonce", enc, sizeof(enc));
		ck_assert_eg(icao_cbc(ICAO_CIPHER_AES128, 0, out, NULL, enc, 16, s),
		    EG_OK);
		ck_assert_mem_eq(s, want, vec_hex(v, "nonce", want, sizeof(want)));
	}

	n = vec_hex(v, "shared_k", k, sizeof(k));
	ck_assert_eg(icao_kdf(k, n, ICAO_KDF_ENC, ICAO_CIPHER_AES128, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "ksenc", want, sizeof(want)));
	ck_assert_eg(icao_kdf(k, n, ICAO_KDF_MAC, ICAO_CIPHER_AES128, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "ksmac", want, sizeof(want)));
	vec_free(&v);
}
END_TEST

START_TEST(test_kdf_aes256_and_parity)
{
	struct vec *v = vec_load("sm_aes.txt");
	struct vec *p = vec_load("pace_kdf.txt");
	uint8_t k[32], want[32], out[32];
	size_t n = vec_hex(p, "shared_k", k, sizeof(k));

	/* AES-256 keys use SHA-256 (values made by make_aes_sm.py) */
	ck_assert_eg(icao_kdf(k, n, ICAO_KDF_ENC, ICAO_CIPHER_AES256, out), EG_OK);
	ck_assert_uint_eq(vec_hex(v, "aes256_ksenc", want, sizeof(want)), 32);
	ck_assert_mem_eq(out, want, 32);
	ck_assert_eg(icao_kdf(k, n, ICAO_KDF_MAC, ICAO_CIPHER_AES256, out), EG_OK);
	ck_assert_mem_eq(out, want, vec_hex(v, "aes256_ksmac", want, sizeof(want)));
	/* AES-192: the first 24 bytes of the same SHA-256 */
	{
		uint8_t o192[24];

		ck_assert_eg(icao_kdf(k, n, ICAO_KDF_ENC, ICAO_CIPHER_AES192, o192),
		    EG_OK);
		ck_assert_eg(icao_kdf(k, n, ICAO_KDF_ENC, ICAO_CIPHER_AES256, out),
		    EG_OK);
		ck_assert_mem_eq(o192, out, 24);
	}
	/* 3DES keys have odd parity in every byte */
	ck_assert_eg(icao_kdf(k, n, ICAO_KDF_ENC, ICAO_CIPHER_3DES, out), EG_OK);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(__builtin_popcount(out[i]) & 1, 1);
	ck_assert_eg(icao_kdf(k, n, 1, (enum icao_cipher)99, out), EG_ERR_INVAL);
	vec_free(&v);
	vec_free(&p);
}
END_TEST

START_TEST(test_bac_mac_and_cbc)
{
	struct vec *v = vec_load("bac.txt");
	uint8_t kenc[16], kmac[16], s[32], e[32], want[48], mac[8], back[32];

	vec_hex(v, "kenc", kenc, 16);
	vec_hex(v, "kmac", kmac, 16);
	/* S = RND.IFD || RND.IC || K.IFD */
	vec_hex(v, "rnd_ifd", s, 8);
	vec_hex(v, "rnd_ic", s + 8, 8);
	vec_hex(v, "k_ifd", s + 16, 16);
	ck_assert_eg(icao_cbc(ICAO_CIPHER_3DES, 1, kenc, NULL, s, 32, e), EG_OK);
	ck_assert_mem_eq(e, want, vec_hex(v, "e_ifd", want, sizeof(want)));
	ck_assert_eg(icao_mac(ICAO_CIPHER_3DES, kmac, e, 32, mac), EG_OK);
	ck_assert_mem_eq(mac, want, vec_hex(v, "m_ifd", want, sizeof(want)));
	ck_assert_eg(icao_cbc(ICAO_CIPHER_3DES, 0, kenc, NULL, e, 32, back), EG_OK);
	ck_assert_mem_eq(back, s, 32);
	/* the chip's M.IC over E.IC */
	vec_hex(v, "resp", want, sizeof(want));
	ck_assert_eg(icao_mac(ICAO_CIPHER_3DES, kmac, want, 32, mac), EG_OK);
	ck_assert_mem_eq(mac, want + 32, 8);
	/* one flipped message bit changes the MAC */
	want[5] ^= 1;
	ck_assert_eg(icao_mac(ICAO_CIPHER_3DES, kmac, want, 32, mac), EG_OK);
	ck_assert(memcmp(mac, want + 32, 8) != 0);
	ck_assert_eg(icao_cbc(ICAO_CIPHER_3DES, 1, kenc, NULL, s, 31, e), EG_ERR_INVAL);
	vec_free(&v);
}
END_TEST

START_TEST(test_padding)
{
	uint8_t b[32], o[32];
	size_t n;

	memset(b, 0xAA, sizeof(b));
	ck_assert_eg(icao_pad(b, 0, 8, o, sizeof(o), &n), EG_OK);
	ck_assert_uint_eq(n, 8);
	ck_assert_mem_eq(o, "\x80\0\0\0\0\0\0\0", 8);
	ck_assert_eg(icao_pad(b, 8, 8, o, sizeof(o), &n), EG_OK);
	ck_assert_uint_eq(n, 16);	/* a full block gets a whole pad block */
	ck_assert_uint_eq(o[8], 0x80);
	ck_assert_eg(icao_pad(b, 7, 8, o, sizeof(o), &n), EG_OK);
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(o[7], 0x80);
	ck_assert_eg(icao_pad(b, 16, 16, o, 31, &n), EG_ERR_OVERFLOW);
	/* in place */
	memcpy(o, "\x01\x1E", 2);
	ck_assert_eg(icao_pad(o, 2, 8, o, sizeof(o), &n), EG_OK);
	ck_assert_mem_eq(o, "\x01\x1E\x80\0\0\0\0\0", 8);

	ck_assert_eg(icao_unpad(o, 8, 8, &n), EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_eg(icao_unpad((const uint8_t *)"\x80\0\0\0\0\0\0\0", 8, 8, &n), EG_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_eg(icao_unpad((const uint8_t *)"1234567\x80", 8, 8, &n), EG_OK);
	ck_assert_uint_eq(n, 7);
	/* strict: no 0x80, a non-zero byte after it, pad longer than a block,
	 * length not a multiple of the block */
	ck_assert_eg(icao_unpad((const uint8_t *)"12345678", 8, 8, &n), EG_ERR_FORMAT);
	ck_assert_eg(icao_unpad((const uint8_t *)"123\x80\0\0\x01\0", 8, 8, &n),
	    EG_ERR_FORMAT);
	ck_assert_eg(icao_unpad((const uint8_t *)"1234567\x80\0\0\0\0\0\0\0\0", 16, 8,
	    &n), EG_ERR_FORMAT);
	ck_assert_eg(icao_unpad((const uint8_t *)"1234567", 7, 8, &n), EG_ERR_FORMAT);
	ck_assert_eg(icao_unpad((const uint8_t *)"", 0, 8, &n), EG_ERR_FORMAT);
	ck_assert_eg(icao_unpad((const uint8_t *)"\0\0\0\0\0\0\0\0", 8, 8, &n),
	    EG_ERR_FORMAT);
}
END_TEST

START_TEST(test_cipher_info)
{
	ck_assert_uint_eq(icao_cipher_key_len(ICAO_CIPHER_3DES), 16);
	ck_assert_uint_eq(icao_cipher_key_len(ICAO_CIPHER_AES192), 24);
	ck_assert_uint_eq(icao_cipher_block_len(ICAO_CIPHER_3DES), 8);
	ck_assert_uint_eq(icao_cipher_block_len(ICAO_CIPHER_AES256), 16);
	ck_assert_str_eq(icao_cipher_name(ICAO_CIPHER_AES128), "AES-128");
	ck_assert_uint_eq(icao_cipher_key_len((enum icao_cipher)7), 0);
}
END_TEST

/* 7F49 { 06 oid, 86 point } */
static size_t
pk_object(const uint8_t *oid, size_t ol, const uint8_t *pt, size_t pl,
    uint8_t *out)
{
	size_t inner = 2 + ol + 2 + pl, n = 0;

	ck_assert_uint_lt(inner, 128);
	out[n++] = 0x7F;
	out[n++] = 0x49;
	out[n++] = (uint8_t)inner;
	out[n++] = 0x06;
	out[n++] = (uint8_t)ol;
	memcpy(out + n, oid, ol);
	n += ol;
	out[n++] = 0x86;
	out[n++] = (uint8_t)pl;
	memcpy(out + n, pt, pl);
	return n + pl;
}

START_TEST(test_pace_tokens_cmac)
{
	/* AES-CMAC anchored on the standard: the G.1 authentication tokens */
	struct vec *v = vec_load("pace_kdf.txt");
	uint8_t ksmac[16], oid[16], pt[80], obj[128], t[8], want[8];
	size_t ol = vec_hex(v, "pace_oid", oid, sizeof(oid)), pl, n;

	vec_hex(v, "ksmac", ksmac, sizeof(ksmac));
	pl = vec_hex(v, "epk_chip", pt, sizeof(pt));
	n = pk_object(oid, ol, pt, pl, obj);
	ck_assert_eg(icao_cmac8(ICAO_CIPHER_AES128, ksmac, obj, n, t), EG_OK);
	ck_assert_mem_eq(t, want, vec_hex(v, "t_ifd", want, sizeof(want)));
	pl = vec_hex(v, "epk_ifd", pt, sizeof(pt));
	n = pk_object(oid, ol, pt, pl, obj);
	ck_assert_eg(icao_cmac8(ICAO_CIPHER_AES128, ksmac, obj, n, t), EG_OK);
	ck_assert_mem_eq(t, want, vec_hex(v, "t_ic", want, sizeof(want)));
	/* icao_mac() pads first, so it differs from the token */
	ck_assert_eg(icao_mac(ICAO_CIPHER_AES128, ksmac, obj, n, t), EG_OK);
	ck_assert(memcmp(t, want, 8) != 0);
	ck_assert_eg(icao_cmac8(ICAO_CIPHER_3DES, ksmac, obj, n, t), EG_ERR_INVAL);
	vec_free(&v);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-crypto");
	TCase *tc = tcase_create("crypto");

	tcase_add_test(tc, test_kdf_bac);
	tcase_add_test(tc, test_kdf_pace);
	tcase_add_test(tc, test_kdf_aes256_and_parity);
	tcase_add_test(tc, test_bac_mac_and_cbc);
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_cipher_info);
	tcase_add_test(tc, test_pace_tokens_cmac);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
