/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "egate/tlv.h"
#include "eg_check.h"

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n;

	ck_assert_eg(eg_hex_decode(s, out, cap, &n), EG_OK);
	return n;
}

/* EF.COM of the ICAO worked example (Doc 9303 Part 11, App. D.4): the
 * first 22 bytes the chip returns. */
START_TEST(test_ef_com_header)
{
	uint8_t d[64];
	size_t n = unhex("60145F0104303130365F36063034303030305C026175", d, sizeof(d));
	struct eg_rbuf b = eg_rbuf_init(d, n);
	struct eg_tlv com, ver, tags;

	ck_assert_eg(eg_tlv_read(&b, &com), EG_OK);
	ck_assert_uint_eq(com.tag, 0x60);
	ck_assert(com.constructed);
	ck_assert_uint_eq(eg_rbuf_left(&com.value), 0x14);
	ck_assert_uint_eq(com.raw_len, 22);
	ck_assert_ptr_eq(com.raw, d);
	ck_assert_eg(eg_tlv_find(&com.value, 0x5F01, &ver), EG_OK);
	ck_assert_uint_eq(eg_rbuf_left(&ver.value), 4);
	ck_assert_mem_eq(ver.value.p, "0106", 4);
	ck_assert_eg(eg_tlv_find(&com.value, 0x5C, &tags), EG_OK);
	ck_assert_mem_eq(tags.value.p, "\x61\x75", 2);	/* DG1, DG2 */
	ck_assert_eg(eg_tlv_find(&com.value, 0x77, &tags), EG_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_long_lengths)
{
	uint8_t d[300];
	struct eg_rbuf b;
	struct eg_tlv t;

	/* 0x81 form */
	memset(d, 0, sizeof(d));
	d[0] = 0x04; d[1] = 0x81; d[2] = 0x80;
	b = eg_rbuf_init(d, 3 + 0x80);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_OK);
	ck_assert_uint_eq(eg_rbuf_left(&t.value), 0x80);
	/* 0x82 form, three-byte tag 7F2E... no: two-byte tag 7F61 */
	d[0] = 0x7F; d[1] = 0x61; d[2] = 0x82; d[3] = 0x01; d[4] = 0x00;
	b = eg_rbuf_init(d, 5 + 256);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_OK);
	ck_assert_uint_eq(t.tag, 0x7F61);
	ck_assert_uint_eq(eg_rbuf_left(&t.value), 256);
	ck_assert_uint_eq(t.raw_len, 261);
}
END_TEST

START_TEST(test_malformed)
{
	struct eg_rbuf b;
	struct eg_tlv t;
	uint8_t d[16];
	size_t n;

	/* value runs past the end */
	n = unhex("0405010203", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_TRUNCATED);
	ck_assert_uint_eq(eg_rbuf_left(&b), n);	/* cursor unmoved */
	/* indefinite length */
	n = unhex("3080", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_FORMAT);
	/* five length bytes */
	n = unhex("04850000000001", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_OVERFLOW);
	/* huge declared length */
	n = unhex("0484FFFFFFFF", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_OVERFLOW);
	/* non-minimal 0x82 */
	n = unhex("0482000100", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_FORMAT);
	/* tag of five bytes */
	n = unhex("1F8181818101", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_FORMAT);
	/* tag cut short */
	n = unhex("5F", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_TRUNCATED);
	/* length missing */
	n = unhex("04", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_read(&b, &t), EG_ERR_TRUNCATED);
	/* find stops at a malformed sibling */
	n = unhex("01010002", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_find(&b, 0x99, &t), EG_ERR_TRUNCATED);
	/* expect: wrong tag leaves the cursor */
	n = unhex("020100", d, sizeof(d));
	b = eg_rbuf_init(d, n);
	ck_assert_eg(eg_tlv_expect(&b, 0x04, &t), EG_ERR_FORMAT);
	ck_assert_uint_eq(eg_rbuf_left(&b), 3);
	ck_assert_eg(eg_tlv_expect(&b, 0x02, &t), EG_OK);
	ck_assert_uint_eq(eg_rbuf_left(&b), 0);
}
END_TEST

START_TEST(test_encode_roundtrip)
{
	static const size_t lens[] = { 0, 1, 127, 128, 255, 256, 65535, 65536, 70000 };
	static uint8_t val[70000];
	static const uint32_t tags[] = { 0x04, 0x5F1F, 0x7F4E, 0x9F8101 };

	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)(i * 7);
	for (size_t ti = 0; ti < 4; ti++) {
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
			struct eg_wbuf w;
			struct eg_rbuf b;
			struct eg_tlv t;

			eg_wbuf_init(&w, 1u << 20, false);
			ck_assert_eg(eg_tlv_put(&w, tags[ti], val, lens[li]), EG_OK);
			b = eg_rbuf_init(w.data, w.len);
			ck_assert_eg(eg_tlv_read(&b, &t), EG_OK);
			ck_assert_uint_eq(t.tag, tags[ti]);
			ck_assert_uint_eq(eg_rbuf_left(&t.value), lens[li]);
			ck_assert_uint_eq(t.raw_len, w.len);
			ck_assert_uint_eq(w.len, (tags[ti] > 0xffff ? 3 : tags[ti] > 0xff ? 2 : 1) +
			    eg_tlv_len_size(lens[li]) + lens[li]);
			if (lens[li] > 0)
				ck_assert_mem_eq(t.value.p, val, lens[li]);
			eg_wbuf_free(&w);
		}
	}
}
END_TEST

START_TEST(test_put_rolls_back)
{
	uint8_t store[6];
	struct eg_wbuf w;

	eg_wbuf_init_fixed(&w, store, sizeof(store), false);
	ck_assert_eg(eg_tlv_put(&w, 0x04, "ab", 2), EG_OK);
	ck_assert_eg(eg_tlv_put(&w, 0x04, "ab", 2), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(w.len, 4);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tlv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ef_com_header);
	tcase_add_test(tc, test_long_lengths);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_encode_roundtrip);
	tcase_add_test(tc, test_put_rolls_back);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
