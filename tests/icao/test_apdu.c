/* SPDX-License-Identifier: Apache-2.0 */
/* test_apdu — ISO 7816-4 command encoding (cases 1–4, short and extended),
 * decoding, response splitting and status word names. */
#include <string.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "icao/apdu.h"
#include "eg_check.h"

static void
check_enc(const struct icao_apdu *a, const char *want_hex)
{
	uint8_t want[80];
	size_t wl;
	struct eg_wbuf w;
	struct icao_apdu back;

	ck_assert_eg(eg_hex_decode(want_hex, want, sizeof(want), &wl), EG_OK);
	eg_wbuf_init(&w, 70000, false);
	ck_assert_eg(icao_apdu_encode(a, &w), EG_OK);
	ck_assert_uint_eq(w.len, wl);
	ck_assert_mem_eq(w.data, want, wl);
	/* and it decodes back to the same command */
	ck_assert_eg(icao_apdu_decode(w.data, w.len, &back), EG_OK);
	ck_assert_uint_eq(back.cla, a->cla);
	ck_assert_uint_eq(back.ins, a->ins);
	ck_assert_uint_eq(back.p1, a->p1);
	ck_assert_uint_eq(back.p2, a->p2);
	ck_assert_uint_eq(back.lc, a->lc);
	ck_assert_uint_eq(back.le, a->le);
	if (a->lc > 0)
		ck_assert_mem_eq(back.data, a->data, a->lc);
	eg_wbuf_free(&w);
}

START_TEST(test_short_cases)
{
	const uint8_t fid[2] = { 0x01, 0x1E };
	struct icao_apdu a = { .cla = 0, .ins = 0xA4, .p1 = 2, .p2 = 0x0C };

	check_enc(&a, "00A4020C");				/* case 1 */
	a.le = 4;
	a.ins = 0xB0; a.p1 = 0; a.p2 = 0;
	check_enc(&a, "00B0000004");				/* case 2S */
	a.le = 256;
	check_enc(&a, "00B0000000");				/* Le 256 = 00 */
	a.ins = 0xA4; a.p1 = 2; a.p2 = 0x0C; a.le = 0;
	a.data = fid; a.lc = 2;
	check_enc(&a, "00A4020C02011E");			/* case 3S, ICAO */
	a.ins = 0x88; a.p1 = 0; a.p2 = 0; a.le = 256;
	check_enc(&a, "008800000201 1E00");			/* case 4S */
}
END_TEST

START_TEST(test_extended_cases)
{
	static uint8_t big[300];
	struct icao_apdu a = { .cla = 0, .ins = 0xB0 };
	struct eg_wbuf w;

	a.le = 257;
	check_enc(&a, "00B00000000101");			/* case 2E */
	a.le = 65536;
	check_enc(&a, "00B00000000000");			/* Le 65536 = 0000 */
	a.le = 1000;
	check_enc(&a, "00B000000003E8");

	/* case 3E: 300 bytes of data */
	memset(big, 0xAB, sizeof(big));
	a.ins = 0xD6; a.le = 0; a.data = big; a.lc = sizeof(big);
	eg_wbuf_init(&w, 70000, false);
	ck_assert_eg(icao_apdu_encode(&a, &w), EG_OK);
	ck_assert_uint_eq(w.len, 4 + 3 + 300);
	ck_assert_mem_eq(w.data, "\x00\xD6\x00\x00\x00\x01\x2C", 7);
	/* case 4E: extended Lc and a 2-byte Le (no second 00 marker) */
	eg_wbuf_reset(&w);
	a.le = 256;
	ck_assert_eg(icao_apdu_encode(&a, &w), EG_OK);
	ck_assert_uint_eq(w.len, 4 + 3 + 300 + 2);
	ck_assert_mem_eq(w.data + 307, "\x01\x00", 2);
	eg_wbuf_free(&w);

	/* short data, extended Le: both extended */
	a.data = big; a.lc = 2; a.le = 300;
	check_enc(&a, "00D6000000 0002ABAB 012C");
	/* forced extended for a short case 4 */
	a.le = 10; a.force_extended = true;
	check_enc(&a, "00D6000000 0002ABAB 000A");
}
END_TEST

START_TEST(test_encode_invalid)
{
	struct icao_apdu a = { .ins = 0xB0, .le = 65537 };
	uint8_t st[4];
	struct eg_wbuf w;

	eg_wbuf_init(&w, 100, false);
	ck_assert_eg(icao_apdu_encode(&a, &w), EG_ERR_INVAL);
	a.le = 0; a.lc = 5; a.data = NULL;
	ck_assert_eg(icao_apdu_encode(&a, &w), EG_ERR_INVAL);
	ck_assert_uint_eq(w.len, 0);
	eg_wbuf_free(&w);
	/* too small a fixed buffer: overflow, nothing left behind */
	eg_wbuf_init_fixed(&w, st, sizeof(st), false);
	a.lc = 0; a.le = 4;
	ck_assert_eg(icao_apdu_encode(&a, &w), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(w.len, 0);
}
END_TEST

START_TEST(test_decode_malformed)
{
	struct icao_apdu a;
	uint8_t c[16];
	size_t n;

	ck_assert_eg(icao_apdu_decode((const uint8_t *)"\x00\xB0\x00", 3, &a),
	    EG_ERR_TRUNCATED);
	/* Lc 3 with only 2 data bytes */
	ck_assert_eg(eg_hex_decode("00A4020C03011E", c, sizeof(c), &n), EG_OK);
	ck_assert_eg(icao_apdu_decode(c, n, &a), EG_ERR_FORMAT);
	/* short Lc with two trailing bytes */
	ck_assert_eg(eg_hex_decode("00A4020C02011E0000", c, sizeof(c), &n), EG_OK);
	ck_assert_eg(icao_apdu_decode(c, n, &a), EG_ERR_FORMAT);
	/* 00 then one byte: neither short nor extended */
	ck_assert_eg(eg_hex_decode("00B0000000 01", c, sizeof(c), &n), EG_OK);
	ck_assert_eg(icao_apdu_decode(c, n, &a), EG_ERR_FORMAT);
	/* extended Lc 0 */
	ck_assert_eg(eg_hex_decode("00B000000000000102", c, sizeof(c), &n), EG_OK);
	ck_assert_eg(icao_apdu_decode(c, n, &a), EG_ERR_FORMAT);
}
END_TEST

START_TEST(test_rapdu)
{
	struct eg_rbuf d;
	uint16_t sw;
	const uint8_t r[] = { 0x60, 0x14, 0x5F, 0x01, 0x90, 0x00 };

	ck_assert_eg(icao_rapdu_parse(r, sizeof(r), &d, &sw), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(eg_rbuf_left(&d), 4);
	ck_assert_ptr_eq(d.p, r);
	ck_assert_eg(icao_rapdu_parse(r + 4, 2, &d, &sw), EG_OK);
	ck_assert_uint_eq(eg_rbuf_left(&d), 0);
	ck_assert_eg(icao_rapdu_parse(r, 1, &d, &sw), EG_ERR_TRUNCATED);
	ck_assert_eg(icao_rapdu_parse(NULL, 0, &d, &sw), EG_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_sw_names)
{
	ck_assert_str_eq(icao_sw_str(0x6982), "security status not satisfied");
	ck_assert_str_eq(icao_sw_str(0x9000), "success");
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x6A82), "file"));
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x6A82), "not found"));
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x6282), "end of file reached before Le"));
	ck_assert_str_eq(icao_sw_str(0x6700), "wrong length");
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x6C10), "wrong Le"));
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x6C00), "wrong Le"));
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x6112), "GET RESPONSE"));
	ck_assert_str_eq(icao_sw_str(0x6988), "incorrect SM data objects");
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x6987), "SM data objects missing"));
	ck_assert_ptr_nonnull(strstr(icao_sw_str(0x63C2), "verification failed"));
	ck_assert_str_eq(icao_sw_str(0x1234), "unknown status word");
	ck_assert(icao_sw_ok(0x9000));
	ck_assert(!icao_sw_ok(0x6282));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-apdu");
	TCase *tc = tcase_create("apdu");

	tcase_add_test(tc, test_short_cases);
	tcase_add_test(tc, test_extended_cases);
	tcase_add_test(tc, test_encode_invalid);
	tcase_add_test(tc, test_decode_malformed);
	tcase_add_test(tc, test_rapdu);
	tcase_add_test(tc, test_sw_names);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
