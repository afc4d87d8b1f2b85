/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "eg_check.h"

START_TEST(test_reads_in_bounds)
{
	static const uint8_t d[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	struct eg_rbuf b = eg_rbuf_init(d, sizeof(d));
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	ck_assert_eg(eg_rbuf_u8(&b, &u8), EG_OK);
	ck_assert_uint_eq(u8, 0x01);
	ck_assert_eg(eg_rbuf_be16(&b, &u16), EG_OK);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_eg(eg_rbuf_le16(&b, &u16), EG_OK);
	ck_assert_uint_eq(u16, 0x0504);
	ck_assert_eg(eg_rbuf_be32(&b, &u32), EG_OK);
	ck_assert_uint_eq(u32, 0x06070809);
	ck_assert_uint_eq(eg_rbuf_left(&b), 0);
}
END_TEST

START_TEST(test_short_read_does_not_move)
{
	static const uint8_t d[] = { 0xAA, 0xBB, 0xCC };
	struct eg_rbuf b = eg_rbuf_init(d, sizeof(d));
	struct eg_rbuf sub;
	const uint8_t *p;
	uint32_t u32;
	uint8_t out[4] = { 0 };

	ck_assert_eg(eg_rbuf_be32(&b, &u32), EG_ERR_TRUNCATED);
	ck_assert_eg(eg_rbuf_le32(&b, &u32), EG_ERR_TRUNCATED);
	ck_assert_eg(eg_rbuf_copy(&b, out, 4), EG_ERR_TRUNCATED);
	ck_assert_eg(eg_rbuf_sub(&b, 4, &sub), EG_ERR_TRUNCATED);
	ck_assert_eg(eg_rbuf_skip(&b, SIZE_MAX), EG_ERR_TRUNCATED);
	ck_assert_uint_eq(eg_rbuf_left(&b), 3);
	ck_assert_eg(eg_rbuf_ptr(&b, 3, &p), EG_OK);
	ck_assert_ptr_eq(p, d);
	ck_assert_eg(eg_rbuf_skip(&b, 1), EG_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_sub_is_bounded)
{
	static const uint8_t d[] = { 1, 2, 3, 4, 5 };
	struct eg_rbuf b = eg_rbuf_init(d, sizeof(d));
	struct eg_rbuf sub;
	uint16_t v;

	ck_assert_eg(eg_rbuf_sub(&b, 3, &sub), EG_OK);
	ck_assert_uint_eq(eg_rbuf_left(&sub), 3);
	ck_assert_eg(eg_rbuf_be16(&sub, &v), EG_OK);
	ck_assert_eg(eg_rbuf_be16(&sub, &v), EG_ERR_TRUNCATED);	/* not into b */
	ck_assert_uint_eq(eg_rbuf_left(&b), 2);
}
END_TEST

START_TEST(test_null_input)
{
	struct eg_rbuf b = eg_rbuf_init(NULL, 10);
	uint8_t v;

	ck_assert_uint_eq(eg_rbuf_left(&b), 0);
	ck_assert_eg(eg_rbuf_u8(&b, &v), EG_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_wbuf_grows_to_max)
{
	struct eg_wbuf w;
	uint8_t chunk[100];

	memset(chunk, 0x5A, sizeof(chunk));
	eg_wbuf_init(&w, 250, false);
	ck_assert_eg(eg_wbuf_put(&w, chunk, 100), EG_OK);
	ck_assert_eg(eg_wbuf_put(&w, chunk, 100), EG_OK);
	ck_assert_eg(eg_wbuf_put(&w, chunk, 51), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(w.len, 200);	/* unchanged by the failed write */
	ck_assert_eg(eg_wbuf_put(&w, chunk, 50), EG_OK);
	ck_assert_uint_eq(w.len, 250);
	ck_assert_eg(eg_wbuf_u8(&w, 1), EG_ERR_OVERFLOW);
	ck_assert_eg(eg_wbuf_reserve(&w, SIZE_MAX, NULL), EG_ERR_OVERFLOW);
	eg_wbuf_free(&w);
	ck_assert_ptr_null(w.data);
	ck_assert_uint_eq(w.len, 0);
	eg_wbuf_free(&w);	/* twice is safe */
}
END_TEST

START_TEST(test_wbuf_integers)
{
	static const uint8_t want[] = { 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE,
		0x34, 0x12, 0x78, 0x56, 0x34, 0x12 };
	struct eg_wbuf w;

	eg_wbuf_init(&w, 64, true);
	ck_assert_eg(eg_wbuf_be16(&w, 0x1234), EG_OK);
	ck_assert_eg(eg_wbuf_be32(&w, 0x56789ABC), EG_OK);
	ck_assert_eg(eg_wbuf_u8(&w, 0xDE), EG_OK);
	ck_assert_eg(eg_wbuf_le16(&w, 0x1234), EG_OK);
	ck_assert_eg(eg_wbuf_le32(&w, 0x12345678), EG_OK);
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert_mem_eq(w.data, want, sizeof(want));
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(test_wbuf_fixed_never_allocates)
{
	uint8_t store[8];
	struct eg_wbuf w;

	eg_wbuf_init_fixed(&w, store, sizeof(store), true);
	ck_assert_eg(eg_wbuf_put(&w, "abcdefgh", 8), EG_OK);
	ck_assert_ptr_eq(w.data, store);
	ck_assert_eg(eg_wbuf_u8(&w, 'x'), EG_ERR_OVERFLOW);
	eg_wbuf_free(&w);	/* secret: wiped, storage not freed */
	for (size_t i = 0; i < sizeof(store); i++)
		ck_assert_uint_eq(store[i], 0);
}
END_TEST

START_TEST(test_wbuf_secret_reset_wipes)
{
	struct eg_wbuf w;
	uint8_t *p;

	eg_wbuf_init(&w, 1024, true);
	ck_assert_eg(eg_wbuf_put(&w, "KEYKEYKEY", 9), EG_OK);
	p = w.data;
	eg_wbuf_reset(&w);
	ck_assert_uint_eq(w.len, 0);
	for (size_t i = 0; i < 9; i++)
		ck_assert_uint_eq(p[i], 0);
	/* growth past the first allocation keeps the contents */
	for (int i = 0; i < 500; i++)
		ck_assert_eg(eg_wbuf_u8(&w, (uint8_t)i), EG_OK);
	for (int i = 0; i < 500; i++)
		ck_assert_uint_eq(w.data[i], (uint8_t)i);
	eg_wbuf_free(&w);
}
END_TEST

START_TEST(test_wbuf_reserve)
{
	struct eg_wbuf w;
	uint8_t *p;

	eg_wbuf_init(&w, 16, false);
	ck_assert_eg(eg_wbuf_reserve(&w, 4, &p), EG_OK);
	memcpy(p, "wxyz", 4);
	ck_assert_uint_eq(w.len, 4);
	ck_assert_mem_eq(w.data, "wxyz", 4);
	ck_assert_eg(eg_wbuf_reserve(&w, 13, &p), EG_ERR_OVERFLOW);
	eg_wbuf_free(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *r = tcase_create("rbuf");
	TCase *w = tcase_create("wbuf");

	tcase_add_test(r, test_reads_in_bounds);
	tcase_add_test(r, test_short_read_does_not_move);
	tcase_add_test(r, test_sub_is_bounded);
	tcase_add_test(r, test_null_input);
	tcase_add_test(w, test_wbuf_grows_to_max);
	tcase_add_test(w, test_wbuf_integers);
	tcase_add_test(w, test_wbuf_fixed_never_allocates);
	tcase_add_test(w, test_wbuf_secret_reset_wipes);
	tcase_add_test(w, test_wbuf_reserve);
	suite_add_tcase(s, r);
	suite_add_tcase(s, w);
	return s;
}

EG_CHECK_MAIN()
