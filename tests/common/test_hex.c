/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "eg_check.h"

START_TEST(test_roundtrip)
{
	static const uint8_t d[] = { 0x00, 0x01, 0xAB, 0xCD, 0xEF, 0xFF };
	char s[13];
	uint8_t back[6];
	size_t n;

	ck_assert_eg(eg_hex_encode(d, sizeof(d), s, sizeof(s)), EG_OK);
	ck_assert_str_eq(s, "0001ABCDEFFF");
	ck_assert_eg(eg_hex_decode("00 01:ab\tCD\nef FF", back, sizeof(back), &n), EG_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert_mem_eq(back, d, 6);
}
END_TEST

START_TEST(test_encode_overflow)
{
	static const uint8_t d[] = { 1, 2, 3 };
	char s[6] = "zzzzz";

	ck_assert_eg(eg_hex_encode(d, 3, s, sizeof(s)), EG_ERR_OVERFLOW);
	ck_assert_str_eq(s, "");
	ck_assert_eg(eg_hex_encode(d, 0, s, 1), EG_OK);
	ck_assert_str_eq(s, "");
}
END_TEST

START_TEST(test_decode_errors)
{
	uint8_t out[2];
	size_t n = 99;

	ck_assert_eg(eg_hex_decode("ABC", out, sizeof(out), &n), EG_ERR_FORMAT);
	ck_assert_uint_eq(n, 0);
	ck_assert_eg(eg_hex_decode("A B", out, sizeof(out), &n), EG_ERR_FORMAT);
	ck_assert_eg(eg_hex_decode("0G", out, sizeof(out), &n), EG_ERR_FORMAT);
	ck_assert_eg(eg_hex_decode("000102", out, sizeof(out), &n), EG_ERR_OVERFLOW);
	ck_assert_eg(eg_hex_decode("", out, sizeof(out), &n), EG_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("hex");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_encode_overflow);
	tcase_add_test(tc, test_decode_errors);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
