/* SPDX-License-Identifier: Apache-2.0 */
/* Gate and display outputs, and the prompts in every language. */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "eg_check.h"
#include "outputs.h"

START_TEST(test_every_prompt_in_every_language)
{
	for (int id = 0; id < PROMPT_COUNT; id++) {
		const char *en = prompt_text((enum prompt_id)id, LANG_EN);
		const char *ko = prompt_text((enum prompt_id)id, LANG_KO);
		ck_assert_ptr_nonnull(en);
		ck_assert_ptr_nonnull(ko);
		ck_assert_str_ne(en, ko);
		/* Korean texts are Hangul: UTF-8 lead bytes 0xEA-0xED */
		bool hangul = false;
		for (const unsigned char *p = (const unsigned char *)ko; *p; p++)
			hangul |= *p >= 0xEA && *p <= 0xED;
		ck_assert_msg(hangul, "prompt %d: Korean text has no Hangul", id);
	}
	ck_assert_ptr_null(prompt_text(PROMPT_COUNT, LANG_EN));
	ck_assert_ptr_null(prompt_text(PROMPT_LOOK, LANG_COUNT));
	ck_assert_ptr_nonnull(strstr(prompt_text(PROMPT_NOTICE, LANG_EN), "automated face comparison"));
	ck_assert_ptr_nonnull(strstr(prompt_text(PROMPT_NOTICE, LANG_KO), "자동 얼굴 비교"));
}
END_TEST

START_TEST(test_lang_parse)
{
	enum prompt_lang l;

	ck_assert_eg(prompt_lang_parse("ko", &l), EG_OK);
	ck_assert_int_eq(l, LANG_KO);
	ck_assert_eg(prompt_lang_parse("en", &l), EG_OK);
	ck_assert_int_eq(l, LANG_EN);
	ck_assert_eg(prompt_lang_parse("fr", &l), EG_ERR_INVAL);
}
END_TEST

START_TEST(test_sim_gate)
{
	struct sim_gate g = { 0 };
	bool open;

	ck_assert_eg(sim_gate_ops.open(&g), EG_OK);
	ck_assert_eg(sim_gate_ops.open(&g), EG_OK);
	ck_assert_eg(sim_gate_ops.is_open(&g, &open), EG_OK);
	ck_assert(open);
	ck_assert_uint_eq(g.openings, 1);
	ck_assert_eg(sim_gate_ops.close(&g), EG_OK);
	ck_assert_eg(sim_gate_ops.is_open(&g, &open), EG_OK);
	ck_assert(!open);
	g.fail_next = true;
	ck_assert_eg(sim_gate_ops.open(&g), EG_ERR_DEVICE);
	ck_assert(!g.open);	/* a failed open leaves the gate closed */
	ck_assert_eg(sim_gate_ops.open(&g), EG_OK);
	g.unplugged = true;
	ck_assert_eg(sim_gate_ops.close(&g), EG_ERR_NO_DEVICE);
	ck_assert_eg(sim_gate_ops.is_open(&g, &open), EG_ERR_NO_DEVICE);
}
END_TEST

START_TEST(test_text_display)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct text_display d = { .out = f, .prefix = "[K01] " };

	ck_assert_eg(text_display_ops.show(&d, PROMPT_LOOK, LANG_KO), EG_OK);
	d.bilingual = true;
	ck_assert_eg(text_display_ops.show(&d, PROMPT_PROCEED, LANG_EN), EG_OK);
	/* both languages, the kiosk's own first */
	ck_assert_eg(text_display_ops.show(&d, PROMPT_PROCEED, LANG_KO), EG_OK);
	ck_assert_eg(text_display_ops.show(&d, PROMPT_COUNT, LANG_EN), EG_ERR_INVAL);
	fclose(f);
	ck_assert_str_eq(buf, "[K01] 카메라를 바라봐 주십시오.\n"
	    "[K01] Thank you. Please proceed through the gate. / 감사합니다. 게이트를 통과해 주십시오.\n"
	    "[K01] 감사합니다. 게이트를 통과해 주십시오. / Thank you. Please proceed through the gate.\n");
	free(buf);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("outputs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_prompt_in_every_language);
	tcase_add_test(tc, test_lang_parse);
	tcase_add_test(tc, test_sim_gate);
	tcase_add_test(tc, test_text_display);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
