/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_extlen.c — extended-length support (icao/extlen.h): the ATR's card
 * capabilities, EF.ATR/INFO's DO'7F66', the size of protected responses
 * and the largest READ BINARY that fits each reader profile's limit.
 *
 * The expected sizes are worked out by hand in the comments (DO'87' =
 * 87 L 01 || padded data, DO'99' = 4 bytes, DO'8E' = 10 bytes, SW = 2).
 */
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "icao/extlen.h"
#include "icao/iso7816.h"

START_TEST(atr_caps)
{
	/* 3B 8E 80 01, 80 (COMPACT-TLV), 73 00 00 60, 68 "EPASSSIM", TCK */
	uint8_t ext[] = { 0x3B, 0x8E, 0x80, 0x01, 0x80, 0x73, 0x00, 0x00, 0x60,
		0x68, 'E', 'P', 'A', 'S', 'S', 'S', 'I', 'M', 0x00 };
	/* the same with only b7 (no EF.ATR/INFO) */
	uint8_t ext_only[sizeof(ext)];
	/* proprietary historical bytes (category 45): nothing known */
	static const uint8_t prop[] = { 0x3B, 0x88, 0x80, 0x01, 'E', 'P', 'A', 'S',
		'S', 'S', 'I', 'M', 0x00 };
	/* category 00: COMPACT-TLV then 3 status bytes; card service data
	 * 31 10 ("DOs in EF.ATR/INFO"), capabilities 73 00 00 40; T=0 only
	 * (no TD1): no TCK */
	static const uint8_t cat00[] = { 0x3B, 0x0A, 0x00, 0x31, 0x10, 0x73, 0x00,
		0x00, 0x40, 0x00, 0x90, 0x00 };
	/* no historical bytes; TA1 TB1 TC1 present */
	static const uint8_t none[] = { 0x3B, 0x70, 0x11, 0x00, 0xFF };
	struct icao_atr_caps c;

	memcpy(ext_only, ext, sizeof(ext));
	ext_only[8] = 0x40;
	ck_assert_eg(icao_atr_caps_parse(ext, sizeof(ext), &c), EG_OK);
	ck_assert(c.compact && c.ext_length && c.ext_info);
	ck_assert_eg(icao_atr_caps_parse(ext_only, sizeof(ext_only), &c), EG_OK);
	ck_assert(c.compact && c.ext_length && !c.ext_info);
	ck_assert_eg(icao_atr_caps_parse(prop, sizeof(prop), &c), EG_OK);
	ck_assert(!c.compact && !c.ext_length && !c.ext_info);
	ck_assert_eg(icao_atr_caps_parse(cat00, sizeof(cat00), &c), EG_OK);
	ck_assert(c.compact && c.ext_length && c.ext_info);
	ck_assert_eg(icao_atr_caps_parse(none, sizeof(none), &c), EG_OK);
	ck_assert(!c.compact && !c.ext_length);
}
END_TEST

START_TEST(atr_errors)
{
	static const uint8_t bad_ts[] = { 0x3A, 0x00 };
	static const uint8_t short_hist[] = { 0x3B, 0x8E, 0x80, 0x01, 0x80, 0x73 };
	static const uint8_t no_tck[] = { 0x3B, 0x81, 0x80, 0x01, 0x80 };
	static const uint8_t extra[] = { 0x3B, 0x00, 0x00 };
	/* a capability object claiming 3 bytes with one left */
	static const uint8_t cut_obj[] = { 0x3B, 0x03, 0x80, 0x73, 0x00 };
	/* endless TDi chain */
	uint8_t tds[40];
	struct icao_atr_caps c;

	ck_assert_eg(icao_atr_caps_parse(bad_ts, sizeof(bad_ts), &c), EG_ERR_FORMAT);
	ck_assert_eg(icao_atr_caps_parse(bad_ts, 1, &c), EG_ERR_TRUNCATED);
	ck_assert_eg(icao_atr_caps_parse(NULL, 0, &c), EG_ERR_TRUNCATED);
	ck_assert_eg(icao_atr_caps_parse(short_hist, sizeof(short_hist), &c),
	    EG_ERR_TRUNCATED);
	ck_assert_eg(icao_atr_caps_parse(no_tck, sizeof(no_tck), &c), EG_ERR_TRUNCATED);
	ck_assert_eg(icao_atr_caps_parse(extra, sizeof(extra), &c), EG_ERR_FORMAT);
	ck_assert_eg(icao_atr_caps_parse(cut_obj, sizeof(cut_obj), &c), EG_ERR_FORMAT);
	ck_assert(!c.ext_length);
	tds[0] = 0x3B;
	memset(tds + 1, 0x80, sizeof(tds) - 1);
	ck_assert_eg(icao_atr_caps_parse(tds, sizeof(tds), &c), EG_ERR_FORMAT);
	ck_assert_eg(icao_atr_caps_parse(extra, sizeof(extra), NULL), EG_ERR_INVAL);
}
END_TEST

START_TEST(atr_info)
{
	/* 7F66 08 { 02 02 0400, 02 02 0800 }, after another DO */
	static const uint8_t ok[] = { 0x47, 0x03, 0x00, 0x00, 0x40,
		0x7F, 0x66, 0x08, 0x02, 0x02, 0x04, 0x00, 0x02, 0x02, 0x08, 0x00 };
	/* one-byte and three-byte INTEGERs */
	static const uint8_t ok2[] = { 0x7F, 0x66, 0x08, 0x02, 0x01, 0xFF,
		0x02, 0x03, 0x01, 0x00, 0x08 };
	static const uint8_t none[] = { 0x47, 0x03, 0x00, 0x00, 0x40 };
	static const uint8_t one_int[] = { 0x7F, 0x66, 0x04, 0x02, 0x02, 0x04, 0x00 };
	static const uint8_t zero[] = { 0x7F, 0x66, 0x08, 0x02, 0x02, 0x04, 0x00,
		0x02, 0x02, 0x00, 0x00 };
	static const uint8_t too_big[] = { 0x7F, 0x66, 0x09, 0x02, 0x02, 0x04, 0x00,
		0x02, 0x03, 0x01, 0x00, 0x09 };
	static const uint8_t not_int[] = { 0x7F, 0x66, 0x08, 0x04, 0x02, 0x04, 0x00,
		0x02, 0x02, 0x04, 0x00 };
	static const uint8_t cut[] = { 0x7F, 0x66, 0x08, 0x02, 0x02, 0x04 };
	size_t c = 0, r = 0;

	ck_assert_eg(icao_atr_info_parse(ok, sizeof(ok), &c, &r), EG_OK);
	ck_assert_uint_eq(c, 1024);
	ck_assert_uint_eq(r, 2048);
	ck_assert_eg(icao_atr_info_parse(ok2, sizeof(ok2), &c, &r), EG_OK);
	ck_assert_uint_eq(c, 255);
	ck_assert_uint_eq(r, 65544);
	ck_assert_eg(icao_atr_info_parse(none, sizeof(none), &c, &r), EG_ERR_NOT_FOUND);
	ck_assert_eg(icao_atr_info_parse(NULL, 0, &c, &r), EG_ERR_NOT_FOUND);
	ck_assert_eg(icao_atr_info_parse(one_int, sizeof(one_int), &c, &r), EG_ERR_FORMAT);
	ck_assert_eg(icao_atr_info_parse(zero, sizeof(zero), &c, &r), EG_ERR_FORMAT);
	ck_assert_eg(icao_atr_info_parse(too_big, sizeof(too_big), &c, &r), EG_ERR_FORMAT);
	ck_assert_eg(icao_atr_info_parse(not_int, sizeof(not_int), &c, &r), EG_ERR_FORMAT);
	ck_assert_int_ne(icao_atr_info_parse(cut, sizeof(cut), &c, &r), EG_OK);
	ck_assert_eg(icao_atr_info_parse(ok, sizeof(ok), NULL, &r), EG_ERR_INVAL);
}
END_TEST

START_TEST(protected_sizes)
{
	/* plain: data + SW */
	ck_assert_uint_eq(icao_sm_rapdu_len(223, 0), 225);
	/* no data: DO'99' + DO'8E' + SW */
	ck_assert_uint_eq(icao_sm_rapdu_len(0, 16), 16);
	/* 223 under AES: padded 224, DO'87' = 87 81 E1 01 + 224 = 228; + 16 */
	ck_assert_uint_eq(icao_sm_rapdu_len(223, 16), 244);
	/* 475 under AES: padded 480, DO'87' = 87 82 01 E1 01 + 480 = 485; + 16 */
	ck_assert_uint_eq(icao_sm_rapdu_len(475, 16), 501);
	/* 483 under 3DES: padded 488, DO'87' = 4 + 1 + 488 = 493; + 16 */
	ck_assert_uint_eq(icao_sm_rapdu_len(483, 8), 509);
	/* 100 under 3DES: padded 104, DO'87' = 87 69 01 + 104 = 107; + 16 */
	ck_assert_uint_eq(icao_sm_rapdu_len(100, 8), 123);
}
END_TEST

/* The reader profiles of hw/profiles/readers.ini: one CCID message carries
 * dwMaxCCIDMessageLength - 10 bytes of response APDU. The chunk leaves 4
 * bytes for a B1 DO'53' header. */
START_TEST(chunk_per_reader)
{
	static const struct {
		const char *reader;
		size_t max_rapdu, plain, des, aes;
	} v[] = {
		/* 512: AES pad <= 491 -> 480 -> data+4 <= 479; 3DES pad 488 */
		{ "ACS ACR1252 (522)", 512, 506, 483, 475 },
		/* 506: AES 480 -> 475; 3DES pad <= 485 -> 480 -> 475 */
		{ "ACS ACR1581 (516)", 506, 500, 475, 475 },
		{ "HID OMNIKEY 5022/5422 (520)", 510, 504, 483, 475 },
		/* 1024: AES pad <= 1003 -> 992 -> 987; 3DES 1000 -> 995 */
		{ "Identiv uTrust 3700 F (1034)", 1024, 1018, 995, 987 },
		/* 268: 2-byte DO'87' length: AES pad <= 248 -> 240 -> 235;
		 * 3DES 248 -> 243 */
		{ "Access IS (278)", 268, 262, 243, 235 },
		/* the short limit: 256 + SW */
		{ "short APDUs", 258, 252, 227, 219 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t p = icao_read_chunk_fit(v[i].max_rapdu, 0);
		size_t d = icao_read_chunk_fit(v[i].max_rapdu, 8);
		size_t a = icao_read_chunk_fit(v[i].max_rapdu, 16);

		ck_assert_msg(p == v[i].plain && d == v[i].des && a == v[i].aes,
		    "%s: plain %zu 3DES %zu AES %zu", v[i].reader, p, d, a);
		/* the largest: one more byte does not fit */
		ck_assert_uint_le(icao_sm_rapdu_len(a + ICAO_READ_B1_HDR_MAX, 16),
		    v[i].max_rapdu);
		ck_assert_uint_gt(icao_sm_rapdu_len(a + 1 + ICAO_READ_B1_HDR_MAX, 16),
		    v[i].max_rapdu);
		ck_assert_uint_gt(icao_sm_rapdu_len(d + 1 + ICAO_READ_B1_HDR_MAX, 8),
		    v[i].max_rapdu);
	}
	ck_assert_uint_eq(icao_read_chunk_fit(10, 16), 0);
	ck_assert_uint_eq(icao_read_chunk_fit(512, 12), 0);
	ck_assert_uint_eq(icao_read_chunk_fit(1u << 20, 0), ICAO_EXT_LE_MAX - 8);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-extlen");
	TCase *tc = tcase_create("extlen");

	tcase_add_test(tc, atr_caps);
	tcase_add_test(tc, atr_errors);
	tcase_add_test(tc, atr_info);
	tcase_add_test(tc, protected_sizes);
	tcase_add_test(tc, chunk_per_reader);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
