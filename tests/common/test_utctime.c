/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>

#include "egate/error.h"
#include "egate/utctime.h"
#include "eg_check.h"

START_TEST(test_known_times)
{
	int64_t t = 0;

	ck_assert_eg(eg_utc_unix(1970, 1, 1, 0, 0, 0, &t), EG_OK);
	ck_assert_int_eq(t, 0);
	ck_assert_eg(eg_utc_unix(2026, 12, 7, 0, 0, 0, &t), EG_OK);
	ck_assert_int_eq(t, 1796601600);
	/* a leap day, at its last second */
	ck_assert_eg(eg_utc_unix(2024, 2, 29, 23, 59, 59, &t), EG_OK);
	ck_assert_int_eq(t, 1709251199);
}
END_TEST

START_TEST(test_dates_that_do_not_exist)
{
	int64_t t = 42;

	/* timegm would move these to March and to the next month: refused */
	ck_assert_eg(eg_utc_unix(2026, 2, 31, 0, 0, 0, &t), EG_ERR_FORMAT);
	ck_assert_eg(eg_utc_unix(2025, 2, 29, 12, 0, 0, &t), EG_ERR_FORMAT);
	ck_assert_eg(eg_utc_unix(2026, 13, 1, 0, 0, 0, &t), EG_ERR_FORMAT);
	ck_assert_eg(eg_utc_unix(2026, 4, 31, 0, 0, 0, &t), EG_ERR_FORMAT);
	ck_assert_int_eq(t, 42);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("utctime");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_known_times);
	tcase_add_test(tc, test_dates_that_do_not_exist);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
