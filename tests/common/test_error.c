/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "egate/error.h"
#include "eg_check.h"

START_TEST(test_every_code_has_text_and_name)
{
	/* Every code in the table maps to its own name and a non-generic
	 * text; codes are dense from 0 down to the last. */
	static const int codes[] = {
#define X_(name, value, text) value,
		EG_ERRORS(X_)
#undef X_
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(codes[i], -(int)i);
		ck_assert_str_ne(eg_strerror(codes[i]), "unknown error");
		ck_assert_str_ne(eg_err_name(codes[i]), "EG_ERR_UNKNOWN");
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(eg_err_name(codes[i]), eg_err_name(codes[j]));
	}
}
END_TEST

START_TEST(test_known_and_unknown)
{
	ck_assert_str_eq(eg_err_name(EG_OK), "EG_OK");
	ck_assert_str_eq(eg_err_name(EG_ERR_MAC), "EG_ERR_MAC");
	ck_assert_str_eq(eg_strerror(EG_ERR_MAC), "MAC verification failed");
	ck_assert_str_eq(eg_strerror(-9999), "unknown error");
	ck_assert_str_eq(eg_strerror(1), "unknown error");
	ck_assert_str_eq(eg_err_name(-9999), "EG_ERR_UNKNOWN");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_code_has_text_and_name);
	tcase_add_test(tc, test_known_and_unknown);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
