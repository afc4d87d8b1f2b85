/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/json.h"
#include "eg_check.h"

struct cap {
	char *buf;
	size_t len;
	FILE *f;
	struct eg_json j;
};

static void
cap_open(struct cap *c)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	eg_json_init(&c->j, c->f);
}

static const char *
cap_text(struct cap *c)
{
	fflush(c->f);
	return c->buf;
}

static void
cap_close(struct cap *c)
{
	fclose(c->f);
	free(c->buf);
}

START_TEST(test_nested)
{
	struct cap c;
	const uint8_t h[] = { 0xDE, 0xAD };

	cap_open(&c);
	eg_json_obj_begin(&c.j);
	eg_json_key_str(&c.j, "type", "P");
	eg_json_key_int(&c.j, "n", -7);
	eg_json_key_double(&c.j, "score", 0.25);
	eg_json_key_bool(&c.j, "ok", false);
	eg_json_key(&c.j, "list");
	eg_json_arr_begin(&c.j);
	eg_json_uint(&c.j, 1);
	eg_json_null(&c.j);
	eg_json_hex(&c.j, h, 2);
	eg_json_obj_begin(&c.j);
	eg_json_obj_end(&c.j);
	eg_json_arr_end(&c.j);
	eg_json_key(&c.j, "empty");
	eg_json_arr_begin(&c.j);
	eg_json_arr_end(&c.j);
	eg_json_key_double(&c.j, "nan", 0.0 / 0.0);
	eg_json_obj_end(&c.j);
	ck_assert_eg(eg_json_finish(&c.j), EG_OK);
	ck_assert_str_eq(cap_text(&c),
	    "{\"type\":\"P\",\"n\":-7,\"score\":0.25,\"ok\":false,"
	    "\"list\":[1,null,\"DEAD\",{}],\"empty\":[],\"nan\":null}\n");
	cap_close(&c);
}
END_TEST

START_TEST(test_escaping)
{
	struct cap c;

	cap_open(&c);
	eg_json_strn(&c.j, "a\"b\\c\n\x01\xff\xc3\xa9\xed\xa0\x80\xea\xb0\x80", 16);
	ck_assert_eg(eg_json_finish(&c.j), EG_OK);
	/* é and 가 pass through; 0xFF and a UTF-16 surrogate become U+FFFD */
	ck_assert_str_eq(cap_text(&c),
	    "\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\\ufffd\\ufffd\\ufffd\xea\xb0\x80\"\n");
	cap_close(&c);
}
END_TEST

START_TEST(test_misuse)
{
	struct cap c;

	cap_open(&c);	/* value without key inside an object */
	eg_json_obj_begin(&c.j);
	eg_json_int(&c.j, 1);
	ck_assert_eg(eg_json_finish(&c.j), EG_ERR_STATE);
	cap_close(&c);

	cap_open(&c);	/* unbalanced */
	eg_json_arr_begin(&c.j);
	ck_assert_eg(eg_json_finish(&c.j), EG_ERR_STATE);
	cap_close(&c);

	cap_open(&c);	/* wrong closer */
	eg_json_arr_begin(&c.j);
	eg_json_obj_end(&c.j);
	ck_assert_eg(eg_json_finish(&c.j), EG_ERR_STATE);
	cap_close(&c);

	cap_open(&c);	/* key in an array */
	eg_json_arr_begin(&c.j);
	eg_json_key(&c.j, "k");
	ck_assert_eg(eg_json_finish(&c.j), EG_ERR_STATE);
	cap_close(&c);

	cap_open(&c);	/* nothing written */
	ck_assert_eg(eg_json_finish(&c.j), EG_ERR_STATE);
	cap_close(&c);

	cap_open(&c);	/* too deep */
	for (int i = 0; i <= EG_JSON_MAX_DEPTH; i++)
		eg_json_arr_begin(&c.j);
	ck_assert_eg(eg_json_finish(&c.j), EG_ERR_OVERFLOW);
	cap_close(&c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_nested);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_misuse);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
