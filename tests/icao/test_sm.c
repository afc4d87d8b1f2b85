/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sm — secure messaging.
 *
 * 3DES: the protected APDUs and responses of ICAO Doc 9303 Part 11 App. D.4.
 * AES: known answers from tests/vectors/icao/sm_aes.txt. Doc 9303 has no
 * AES SM transcript, so these were built by make_aes_sm.py (same folder)
 * with Python 'cryptography' (OpenSSL), an implementation independent of
 * this C code; that script first rebuilds the ICAO 3DES transcript byte for
 * byte with the same message layout, so its rules are anchored to the
 * standard's own example, then applies them with AES (IV = E(KSenc, SSC),
 * 16-byte SSC, CMAC truncated to 8) to the PACE session keys of App. G.1.
 */
#include <stdio.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "egate/log.h"
#include "egate/tlv.h"
#include "icao/crypto.h"
#include "icao/iso7816.h"
#include "icao/sm.h"
#include "eg_check.h"
#include "vec.h"

struct keys {
	enum icao_cipher c;
	uint8_t enc[32], mac[32], ssc[16];
};

static void
bac_keys(struct keys *k)
{
	struct vec *v = vec_load("bac.txt");

	k->c = ICAO_CIPHER_3DES;
	vec_hex(v, "ksenc", k->enc, 32);
	vec_hex(v, "ksmac", k->mac, 32);
	vec_hex(v, "ssc", k->ssc, 16);
	vec_free(&v);
}

/* A context whose SSC is start + skip, in state READY. */
static struct icao_sm *
sm_at(const struct keys *k, unsigned skip)
{
	struct icao_sm *sm = NULL;
	uint8_t ssc[16];
	size_t bs = icao_cipher_block_len(k->c);

	memcpy(ssc, k->ssc, 16);
	for (unsigned s = 0; s < skip; s++)
		for (size_t i = bs; i > 0; i--)
			if (++ssc[i - 1] != 0)
				break;
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_sm_set_keys(sm, k->c, k->enc, k->mac, ssc), EG_OK);
	return sm;
}

static void
wrap_expect(struct icao_sm *sm, const struct icao_apdu *a, const uint8_t *want,
    size_t wl)
{
	struct eg_wbuf w;

	eg_wbuf_init(&w, 70000, false);
	ck_assert_eg(icao_sm_wrap(sm, a, &w), EG_OK);
	ck_assert_uint_eq(w.len, wl);
	ck_assert_mem_eq(w.data, want, wl);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_AWAIT);
	eg_wbuf_free(&w);
}

static void
wrap_hex(struct icao_sm *sm, const struct vec *v, const char *plain,
    const char *prot)
{
	uint8_t p[64], want[128];
	size_t pl = vec_hex(v, plain, p, sizeof(p));
	struct icao_apdu a;

	ck_assert_eg(icao_apdu_decode(p, pl, &a), EG_OK);
	wrap_expect(sm, &a, want, vec_hex(v, prot, want, sizeof(want)));
}

static void
unwrap_hex(struct icao_sm *sm, const struct vec *v, const char *resp,
    const char *data, uint16_t want_sw)
{
	uint8_t r[2048], d[256];
	size_t rl = vec_hex(v, resp, r, sizeof(r)), dl = 0;
	struct eg_wbuf w;
	uint16_t sw = 0;

	if (data != NULL)
		dl = vec_hex(v, data, d, sizeof(d));
	eg_wbuf_init(&w, 70000, true);
	ck_assert_eg(icao_sm_unwrap(sm, r, rl, &w, &sw), EG_OK);
	ck_assert_uint_eq(sw, want_sw);
	ck_assert_uint_eq(w.len, dl);
	if (dl > 0)
		ck_assert_mem_eq(w.data, d, dl);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	eg_wbuf_free(&w);
}

START_TEST(test_3des_worked_example)
{
	struct vec *v = vec_load("sm_3des.txt");
	struct keys k;
	struct icao_sm *sm;
	uint8_t ssc[16];

	bac_keys(&k);
	sm = sm_at(&k, 0);
	wrap_hex(sm, v, "select_plain", "select_prot");
	unwrap_hex(sm, v, "select_resp", NULL, 0x9000);
	wrap_hex(sm, v, "read4_plain", "read4_prot");
	unwrap_hex(sm, v, "read4_resp", "read4_data", 0x9000);
	wrap_hex(sm, v, "read18_plain", "read18_prot");
	unwrap_hex(sm, v, "read18_resp", "read18_data", 0x9000);
	ck_assert_uint_eq(icao_sm_get_ssc(sm, ssc), 8);
	ck_assert_mem_eq(ssc, "\x88\x70\x22\x12\x0C\x06\xC2\x2C", 8);
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

START_TEST(test_aes128_known_answer)
{
	struct vec *v = vec_load("sm_aes.txt");
	struct icao_sm *sm = NULL;
	uint8_t enc[16], mac[16], ssc[16], want[16];
	const uint8_t sel[] = { 0x01, 0x1E };
	struct icao_apdu a = { .ins = 0xA4, .p1 = 2, .p2 = 0x0C, .data = sel, .lc = 2 };
	uint8_t prot[128];

	vec_hex(v, "aes128_ksenc", enc, 16);
	vec_hex(v, "aes128_ksmac", mac, 16);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	/* PACE: SSC starts at zero (NULL) */
	ck_assert_eg(icao_sm_set_keys(sm, ICAO_CIPHER_AES128, enc, mac, NULL), EG_OK);
	wrap_expect(sm, &a, prot, vec_hex(v, "aes128_select_ef_com", prot, sizeof(prot)));
	unwrap_hex(sm, v, "aes128_select_resp", NULL, 0x9000);
	a = (struct icao_apdu){ .ins = 0xB0, .le = 4 };
	wrap_expect(sm, &a, prot, vec_hex(v, "aes128_read4", prot, sizeof(prot)));
	{
		uint8_t r[128];
		size_t rl = vec_hex(v, "aes128_read4_resp", r, sizeof(r));
		struct eg_wbuf w;
		uint16_t sw;

		eg_wbuf_init(&w, 1000, true);
		ck_assert_eg(icao_sm_unwrap(sm, r, rl, &w, &sw), EG_OK);
		ck_assert_uint_eq(sw, 0x9000);
		ck_assert_uint_eq(w.len, 4);
		ck_assert_mem_eq(w.data, "\x60\x14\x5F\x01", 4);
		eg_wbuf_free(&w);
	}
	ck_assert_uint_eq(icao_sm_get_ssc(sm, ssc), 16);
	ck_assert_mem_eq(ssc, want, vec_hex(v, "aes128_ssc_after", want, sizeof(want)));
	/* a protected warning: 6282 with the bytes that were there */
	a = (struct icao_apdu){ .ins = 0xB0, .p2 = 0x14, .le = 0xDF };
	wrap_expect(sm, &a, prot, vec_hex(v, "aes128_read223", prot, sizeof(prot)));
	{
		uint8_t r[128];
		size_t rl = vec_hex(v, "aes128_read223_resp", r, sizeof(r));
		struct eg_wbuf w;
		uint16_t sw;

		eg_wbuf_init(&w, 1000, true);
		ck_assert_eg(icao_sm_unwrap(sm, r, rl, &w, &sw), EG_OK);
		ck_assert_uint_eq(sw, 0x6282);
		ck_assert_uint_eq(w.len, 4);
		ck_assert_mem_eq(w.data, "\x5C\x02\x61\x75", 4);
		eg_wbuf_free(&w);
	}
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

START_TEST(test_aes256_odd_ins_extended)
{
	struct vec *v = vec_load("sm_aes.txt");
	struct icao_sm *sm = NULL;
	uint8_t enc[32], mac[32], prot[128];
	const uint8_t off[] = { 0x54, 0x02, 0x80, 0x00 };
	struct icao_apdu a = { .ins = 0xB1, .data = off, .lc = 4, .le = 1000 };
	static uint8_t r[2048], plain[1024];
	size_t rl, pl;
	struct eg_wbuf w;
	uint16_t sw;

	vec_hex(v, "aes256_ksenc", enc, 32);
	vec_hex(v, "aes256_ksmac", mac, 32);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_sm_set_keys(sm, ICAO_CIPHER_AES256, enc, mac, NULL), EG_OK);
	/* odd INS: DO'85' (no padding indicator); Le 1000: DO'97' 03E8 and an
	 * extended outer APDU ending 0000 */
	wrap_expect(sm, &a, prot, vec_hex(v, "aes256_read_odd_ext", prot, sizeof(prot)));
	rl = vec_hex(v, "aes256_read_odd_resp", r, sizeof(r));
	pl = vec_hex(v, "aes256_read_odd_plain", plain, sizeof(plain));
	ck_assert_uint_eq(r[0], 0x85);
	eg_wbuf_init(&w, 70000, true);
	ck_assert_eg(icao_sm_unwrap(sm, r, rl, &w, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(w.len, pl);
	ck_assert_mem_eq(w.data, plain, pl);
	eg_wbuf_free(&w);
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

/* The App. D.4 READ BINARY (18 bytes) exchange, at the right SSC. */
static struct icao_sm *
sm_before_read18(struct keys *k)
{
	const struct icao_apdu a = { .ins = 0xB0, .p2 = 4, .le = 0x12 };
	struct icao_sm *sm;
	struct eg_wbuf w;

	bac_keys(k);
	sm = sm_at(k, 4);
	eg_wbuf_init(&w, 1000, false);
	ck_assert_eg(icao_sm_wrap(sm, &a, &w), EG_OK);
	eg_wbuf_free(&w);
	return sm;
}

static int
unwrap_bytes(struct icao_sm *sm, const uint8_t *r, size_t rl, uint16_t *sw)
{
	struct eg_wbuf w;
	int ret;

	eg_wbuf_init(&w, 70000, true);
	ret = icao_sm_unwrap(sm, r, rl, &w, sw);
	if (ret != EG_OK)
		ck_assert_uint_eq(w.len, 0);	/* nothing leaks on failure */
	eg_wbuf_free(&w);
	return ret;
}

static void
assert_dead(struct icao_sm *sm)
{
	const struct icao_apdu a = { .ins = 0xB0, .le = 4 };
	struct eg_wbuf w;
	uint8_t ssc[16];
	uint16_t sw;

	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_FAILED);
	ck_assert_uint_eq(icao_sm_get_ssc(sm, ssc), 0);
	eg_wbuf_init(&w, 1000, false);
	ck_assert_eg(icao_sm_wrap(sm, &a, &w), EG_ERR_STATE);
	ck_assert_uint_eq(w.len, 0);
	ck_assert_eg(icao_sm_unwrap(sm, (const uint8_t *)"\x90\x00", 2, &w, &sw),
	    EG_ERR_STATE);
	eg_wbuf_free(&w);
}

START_TEST(test_bad_mac_poisons)
{
	struct vec *v = vec_load("sm_3des.txt");
	struct keys k;
	struct icao_sm *sm;
	uint8_t r[128];
	size_t rl = vec_hex(v, "read18_resp", r, sizeof(r));
	uint16_t sw;

	/* the untouched response passes */
	sm = sm_before_read18(&k);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_OK);
	icao_sm_free(&sm);
	/* every single bit flip in the data objects fails: the MAC covers
	 * DO'87' and DO'99', and a flip in DO'8E' is a wrong MAC too; flips
	 * in tags/lengths break the structure first */
	for (size_t bit = 0; bit < (rl - 2) * 8; bit++) {
		int ret;

		sm = sm_before_read18(&k);
		r[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ret = unwrap_bytes(sm, r, rl, &sw);
		r[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_msg(ret == EG_ERR_MAC || ret == EG_ERR_FORMAT ||
		    ret == EG_ERR_TRUNCATED || ret == EG_ERR_PROTOCOL,
		    "bit %zu: %s", bit, eg_err_name(ret));
		/* flips inside the cryptogram, DO'99' value or MAC value are
		 * caught by the MAC exactly */
		if ((bit / 8 >= 3 && bit / 8 < 27) || (bit / 8 >= 29 && bit / 8 < 31) ||
		    bit / 8 >= 33)
			ck_assert_msg(ret == EG_ERR_MAC, "bit %zu: %s", bit,
			    eg_err_name(ret));
		assert_dead(sm);
		icao_sm_free(&sm);
	}
	vec_free(&v);
}
END_TEST

START_TEST(test_truncated)
{
	struct vec *v = vec_load("sm_3des.txt");
	struct keys k;
	struct icao_sm *sm;
	uint8_t r[128];
	size_t rl = vec_hex(v, "read18_resp", r, sizeof(r));
	uint16_t sw;

	for (size_t n = 0; n < rl; n++) {
		int ret;

		sm = sm_before_read18(&k);
		/* keep a (recomputed) SW at the end for n >= 2 */
		ret = unwrap_bytes(sm, r, n, &sw);
		ck_assert_msg(ret != EG_OK, "prefix %zu accepted", n);
		assert_dead(sm);
		icao_sm_free(&sm);
	}
	vec_free(&v);
}
END_TEST

/* Build a response with a valid MAC over whatever DOs we like. */
static size_t
forge(const struct keys *k, unsigned ssc_skip, const uint8_t *dos, size_t dl,
    uint16_t sw, uint8_t *out)
{
	uint8_t m[512], ssc[16];
	size_t bs = icao_cipher_block_len(k->c);

	memcpy(ssc, k->ssc, 16);
	for (unsigned s = 0; s < ssc_skip; s++)
		for (size_t i = bs; i > 0; i--)
			if (++ssc[i - 1] != 0)
				break;
	memcpy(m, ssc, bs);
	memcpy(m + bs, dos, dl);
	memcpy(out, dos, dl);
	out[dl] = 0x8E;
	out[dl + 1] = 8;
	ck_assert_eg(icao_mac(k->c, k->mac, m, bs + dl, out + dl + 2), EG_OK);
	out[dl + 10] = (uint8_t)(sw >> 8);
	out[dl + 11] = (uint8_t)sw;
	return dl + 12;
}

START_TEST(test_garbled_objects)
{
	struct keys k;
	struct icao_sm *sm;
	uint8_t dos[64], r[128], c[16];
	size_t rl;
	uint16_t sw;

	/* valid MAC, but 99 before 87: misordered → FORMAT */
	sm = sm_before_read18(&k);
	memcpy(dos, "\x99\x02\x90\x00\x87\x09\x01", 7);
	memset(dos + 7, 0x11, 8);
	rl = forge(&k, 6, dos, 15, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* DO'99' missing: accepted as far as the MAC (test_no_do99), then the
	 * garbage cryptogram fails its padding */
	sm = sm_before_read18(&k);
	rl = forge(&k, 6, dos + 4, 11, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* an unknown DO before DO'99' */
	sm = sm_before_read18(&k);
	rl = forge(&k, 6, (const uint8_t *)"\x81\x01\x00\x99\x02\x90\x00", 7, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	icao_sm_free(&sm);
	/* DO'99' of three bytes */
	sm = sm_before_read18(&k);
	rl = forge(&k, 6, (const uint8_t *)"\x99\x03\x90\x00\x00", 5, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	icao_sm_free(&sm);
	/* trailing bytes after DO'8E' */
	sm = sm_before_read18(&k);
	rl = forge(&k, 6, (const uint8_t *)"\x99\x02\x90\x00", 4, 0x9000, r);
	memmove(r + rl - 1, r + rl - 2, 2);
	r[rl - 2] = 0x00;
	ck_assert_eg(unwrap_bytes(sm, r, rl + 1, &sw), EG_ERR_FORMAT);
	icao_sm_free(&sm);
	/* DO'8E' of 4 bytes */
	sm = sm_before_read18(&k);
	ck_assert_eg(unwrap_bytes(sm, (const uint8_t *)
	    "\x99\x02\x90\x00\x8E\x04\x01\x02\x03\x04\x90\x00", 12, &sw), EG_ERR_FORMAT);
	icao_sm_free(&sm);
	/* DO'87' length running past the end */
	sm = sm_before_read18(&k);
	ck_assert_eg(unwrap_bytes(sm, (const uint8_t *)"\x87\x40\x01\x02\x90\x00", 6,
	    &sw), EG_ERR_TRUNCATED);
	icao_sm_free(&sm);

	/* valid MAC, padding indicator 02 → FORMAT (after MAC, before use) */
	sm = sm_before_read18(&k);
	memcpy(dos, "\x87\x09\x02", 3);
	memset(dos + 3, 0x22, 8);
	memcpy(dos + 11, "\x99\x02\x90\x00", 4);
	rl = forge(&k, 6, dos, 15, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* valid MAC, cryptogram not a whole number of blocks */
	sm = sm_before_read18(&k);
	memcpy(dos, "\x87\x06\x01", 3);
	memset(dos + 3, 0x22, 5);
	memcpy(dos + 8, "\x99\x02\x90\x00", 4);
	rl = forge(&k, 6, dos, 12, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	icao_sm_free(&sm);
	/* valid MAC, cryptogram of unpadded data (8 x 'A') → bad padding */
	sm = sm_before_read18(&k);
	ck_assert_eg(icao_cbc(k.c, 1, k.enc, NULL, (const uint8_t *)"AAAAAAAA", 8, c),
	    EG_OK);
	memcpy(dos, "\x87\x09\x01", 3);
	memcpy(dos + 3, c, 8);
	memcpy(dos + 11, "\x99\x02\x90\x00", 4);
	rl = forge(&k, 6, dos, 15, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* ... and the same with padding is accepted: the forge is right */
	sm = sm_before_read18(&k);
	ck_assert_eg(icao_cbc(k.c, 1, k.enc, NULL,
	    (const uint8_t *)"AAAAAAA\x80", 8, c), EG_OK);
	memcpy(dos + 3, c, 8);
	rl = forge(&k, 6, dos, 15, 0x9000, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_OK);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	icao_sm_free(&sm);
}
END_TEST

/* A response without DO'99' (as some chips and emulators send): accepted
 * when the MAC over SSC || DO'87' verifies and the outer status is 9000,
 * counted; never with another outer status (it is not authenticated). */
START_TEST(test_no_do99)
{
	struct vec *v = vec_load("sm_3des.txt");
	struct keys k;
	struct icao_sm *sm;
	uint8_t full[128], r[128], d[64];
	size_t fl = vec_hex(v, "read18_resp", full, sizeof(full));
	size_t dl = vec_hex(v, "read18_data", d, sizeof(d)), rl;
	struct eg_wbuf w;
	uint16_t sw = 0;

	/* App. D.4's DO'87' (87 19 01 + 24 bytes), MACed without DO'99' */
	ck_assert_uint_eq(full[0], 0x87);
	ck_assert_uint_eq(full[1], 0x19);
	sm = sm_before_read18(&k);
	ck_assert_uint_eq(icao_sm_no_do99(sm), 0);
	rl = forge(&k, 6, full, 27, 0x9000, r);
	eg_wbuf_init(&w, 1000, true);
	ck_assert_eg(icao_sm_unwrap(sm, r, rl, &w, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(w.len, dl);
	ck_assert_mem_eq(w.data, d, dl);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	ck_assert_uint_eq(icao_sm_no_do99(sm), 1);
	eg_wbuf_free(&w);
	icao_sm_free(&sm);
	/* the same with an unauthenticated 6282 outside: refused */
	sm = sm_before_read18(&k);
	rl = forge(&k, 6, full, 27, 0x6282, r);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_FORMAT);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* ... and with a MAC that does not verify: EG_ERR_MAC */
	sm = sm_before_read18(&k);
	rl = forge(&k, 6, full, 27, 0x9000, r);
	r[rl - 4] ^= 0x01;
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_MAC);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* no data and no DO'99': DO'8E' alone over the SSC (a SELECT's answer) */
	sm = sm_before_read18(&k);
	rl = forge(&k, 6, full, 0, 0x9000, r);
	ck_assert_uint_eq(rl, 12);
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(icao_sm_no_do99(sm), 1);
	icao_sm_free(&sm);
	/* the original, with DO'99', is not counted */
	sm = sm_before_read18(&k);
	ck_assert_eg(unwrap_bytes(sm, full, fl, &sw), EG_OK);
	ck_assert_uint_eq(icao_sm_no_do99(sm), 0);
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

START_TEST(test_sw_mismatch_and_bare_sw)
{
	struct vec *v = vec_load("sm_3des.txt");
	struct keys k;
	struct icao_sm *sm;
	uint8_t r[128];
	size_t rl = vec_hex(v, "read18_resp", r, sizeof(r));
	uint16_t sw = 0;

	/* outer SW 6A82 while the authenticated DO'99' says 9000 */
	sm = sm_before_read18(&k);
	r[rl - 2] = 0x6A;
	r[rl - 1] = 0x82;
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_PROTOCOL);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* a bare 6988 (chip rejected our SM): status reported, session ends */
	sm = sm_before_read18(&k);
	ck_assert_eg(unwrap_bytes(sm, (const uint8_t *)"\x69\x88", 2, &sw),
	    EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6988);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* a bare 9000 is not a protected response */
	sm = sm_before_read18(&k);
	ck_assert_eg(unwrap_bytes(sm, (const uint8_t *)"\x90\x00", 2, &sw),
	    EG_ERR_FORMAT);
	assert_dead(sm);
	icao_sm_free(&sm);
	/* a single byte */
	sm = sm_before_read18(&k);
	ck_assert_eg(unwrap_bytes(sm, (const uint8_t *)"\x90", 1, &sw),
	    EG_ERR_TRUNCATED);
	assert_dead(sm);
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

START_TEST(test_state_machine)
{
	struct keys k;
	struct icao_sm *sm = NULL;
	const struct icao_apdu a = { .ins = 0xB0, .le = 4 };
	const struct icao_apdu bad = { .cla = 0x0C, .ins = 0xB0, .le = 4 };
	struct eg_wbuf w;
	uint16_t sw;
	uint8_t ssc[16];

	bac_keys(&k);
	eg_wbuf_init(&w, 1000, false);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	ck_assert_str_eq(icao_sm_state_str(ICAO_SM_FAILED), "failed");
	ck_assert_eg(icao_sm_wrap(sm, &a, &w), EG_ERR_STATE);	/* no keys */
	ck_assert_eg(icao_sm_set_keys(sm, k.c, k.enc, k.mac, k.ssc), EG_OK);
	/* unwrap with nothing outstanding: refused, session unharmed */
	ck_assert_eg(icao_sm_unwrap(sm, (const uint8_t *)"\x90\x00", 2, &w, &sw),
	    EG_ERR_STATE);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	/* a command that already carries SM bits: INVAL, SSC unchanged */
	ck_assert_eg(icao_sm_wrap(sm, &bad, &w), EG_ERR_INVAL);
	ck_assert_uint_eq(icao_sm_get_ssc(sm, ssc), 8);
	ck_assert_mem_eq(ssc, k.ssc, 8);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	/* two wraps in a row: the second is refused */
	ck_assert_eg(icao_sm_wrap(sm, &a, &w), EG_OK);
	ck_assert_eg(icao_sm_wrap(sm, &a, &w), EG_ERR_STATE);
	/* abort (transport lost the response) */
	icao_sm_abort(sm);
	assert_dead(sm);
	/* new keys (e.g. after CA) revive it, SSC zero for AES */
	ck_assert_eg(icao_sm_set_keys(sm, ICAO_CIPHER_AES128, k.enc, k.mac, NULL),
	    EG_OK);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_READY);
	ck_assert_uint_eq(icao_sm_get_ssc(sm, ssc), 16);
	ck_assert_mem_eq(ssc, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	icao_sm_close(sm);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_IDLE);
	ck_assert_eg(icao_sm_set_keys(sm, (enum icao_cipher)9, k.enc, k.mac, NULL),
	    EG_ERR_INVAL);
	eg_wbuf_free(&w);
	icao_sm_free(&sm);
	icao_sm_free(&sm);	/* NULL-safe */
}
END_TEST

START_TEST(test_wrap_layout)
{
	/* structure of wrapped commands for every cipher and case */
	static const enum icao_cipher cs[] = { ICAO_CIPHER_3DES, ICAO_CIPHER_AES128,
		ICAO_CIPHER_AES192, ICAO_CIPHER_AES256 };
	static uint8_t data[600];
	uint8_t key[32];

	memset(key, 0x5A, sizeof(key));
	memset(data, 0x33, sizeof(data));
	for (size_t ci = 0; ci < 4; ci++) {
		size_t bs = icao_cipher_block_len(cs[ci]);

		for (size_t lc = 0; lc <= 300; lc += 37) {
			for (int li = 0; li < 4; li++) {
				static const uint32_t les[] = { 0, 1, 256, 1000 };
				struct icao_apdu a = { .ins = (lc % 2) ? 0xB1 : 0xD6,
					.data = data, .lc = lc, .le = les[li] };
				struct icao_apdu p;
				struct icao_sm *sm = NULL;
				struct eg_wbuf w;
				struct eg_rbuf b;
				struct eg_tlv t;
				bool ext = lc > 255 || les[li] > 256;

				ck_assert_eg(icao_sm_new(&sm), EG_OK);
				ck_assert_eg(icao_sm_set_keys(sm, cs[ci], key, key, NULL), EG_OK);
				eg_wbuf_init(&w, 70000, false);
				ck_assert_eg(icao_sm_wrap(sm, &a, &w), EG_OK);
				ck_assert_eg(icao_apdu_decode(w.data, w.len, &p), EG_OK);
				ck_assert_uint_eq(p.cla, 0x0C);
				ck_assert_uint_eq(p.le, ext ? 65536 : 256);
				b = eg_rbuf_init(p.data, p.lc);
				if (lc > 0) {
					ck_assert_eg(eg_tlv_read(&b, &t), EG_OK);
					ck_assert_uint_eq(t.tag, (a.ins & 1) ? 0x85 : 0x87);
					ck_assert_uint_eq(eg_rbuf_left(&t.value),
					    icao_pad_len(lc, bs) + ((a.ins & 1) ? 0 : 1));
				}
				if (les[li] > 0) {
					ck_assert_eg(eg_tlv_expect(&b, 0x97, &t), EG_OK);
					ck_assert_uint_eq(eg_rbuf_left(&t.value), ext ? 2 : 1);
				}
				ck_assert_eg(eg_tlv_expect(&b, 0x8E, &t), EG_OK);
				ck_assert_uint_eq(eg_rbuf_left(&t.value), 8);
				ck_assert_uint_eq(eg_rbuf_left(&b), 0);
				eg_wbuf_free(&w);
				icao_sm_free(&sm);
			}
		}
	}
}
END_TEST

START_TEST(test_transitions_logged)
{
	struct vec *v = vec_load("sm_3des.txt");
	struct keys k;
	struct icao_sm *sm;
	struct eg_log lg;
	uint8_t r[128];
	size_t rl = vec_hex(v, "read18_resp", r, sizeof(r));
	char text[4096];
	size_t n;
	uint16_t sw;
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	eg_log_init(&lg, "icao");
	lg.out = f;
	lg.min_level = EG_LOG_DEBUG;
	lg.timestamps = false;
	sm = sm_before_read18(&k);
	icao_sm_set_log(sm, &lg);
	r[10] ^= 1;
	ck_assert_eg(unwrap_bytes(sm, r, rl, &sw), EG_ERR_MAC);
	icao_sm_close(sm);
	fflush(f);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "event=icao.sm.transition from=await "
	    "event=unwrap_fail to=failed cipher=3DES err=EG_ERR_MAC"));
	ck_assert_ptr_nonnull(strstr(text, "from=failed event=close to=idle"));
	/* no key material in the log, in any case */
	ck_assert_ptr_null(strstr(text, "979EC13B"));
	ck_assert_ptr_null(strstr(text, "979ec13b"));
	ck_assert_ptr_null(strstr(text, "F1CB1F1F"));
	icao_sm_free(&sm);
	vec_free(&v);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-sm");
	TCase *tc = tcase_create("sm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_3des_worked_example);
	tcase_add_test(tc, test_aes128_known_answer);
	tcase_add_test(tc, test_aes256_odd_ins_extended);
	tcase_add_test(tc, test_bad_mac_poisons);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_garbled_objects);
	tcase_add_test(tc, test_no_do99);
	tcase_add_test(tc, test_sw_mismatch_and_bare_sw);
	tcase_add_test(tc, test_state_machine);
	tcase_add_test(tc, test_wrap_layout);
	tcase_add_test(tc, test_transitions_logged);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
