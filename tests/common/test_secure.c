/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "egate/secure.h"
#include "eg_check.h"

START_TEST(test_memzero)
{
	uint8_t k[32];

	memset(k, 0xA5, sizeof(k));
	eg_memzero(k, 16);
	for (size_t i = 0; i < 16; i++)
		ck_assert_uint_eq(k[i], 0);
	for (size_t i = 16; i < 32; i++)
		ck_assert_uint_eq(k[i], 0xA5);
	eg_memzero(NULL, 0);
}
END_TEST

START_TEST(test_secret_free_nulls)
{
	uint8_t *k = malloc(24);

	ck_assert_ptr_nonnull(k);
	memset(k, 0x11, 24);
	eg_secret_free(&k, 24);
	ck_assert_ptr_null(k);
	eg_secret_free(&k, 24);		/* pointer to NULL: no-op */
	eg_secret_free(NULL, 24);	/* NULL: no-op */
}
END_TEST

START_TEST(test_ct_equal)
{
	static const uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t b[8];

	memcpy(b, a, 8);
	ck_assert(eg_ct_equal(a, b, 8));
	for (size_t i = 0; i < 8; i++) {
		b[i] ^= 0x80;
		ck_assert(!eg_ct_equal(a, b, 8));
		b[i] ^= 0x80;
	}
	ck_assert(eg_ct_equal(a, b, 0));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("secure");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_memzero);
	tcase_add_test(tc, test_secret_free_nulls);
	tcase_add_test(tc, test_ct_equal);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
