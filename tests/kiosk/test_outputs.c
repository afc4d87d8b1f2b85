/* SPDX-License-Identifier: Apache-2.0 */
/* Gate and display outputs, and the prompts in every language. */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "eg_check.h"
#include "outputs.h"
#include "sim_gate.h"

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

static struct gate_event
next_event(struct sim_gate *g)
{
	struct gate_event ev;

	memset(&ev, 0, sizeof(ev));
	ck_assert_eg(sim_gate_ops.wait_event(g, 0, &ev), EG_OK);
	return ev;
}

/* The simulated gate keeps the gate contract of outputs.h: commands return
 * at once, the door and the passage sensor answer as events. */
START_TEST(test_sim_gate)
{
	struct sim_gate g;
	struct gate_status st;
	struct gate_event ev;

	sim_gate_init(&g, NULL);
	ck_assert_eg(sim_gate_ops.status(&g, &st), EG_OK);
	ck_assert_int_eq(st.door, GATE_DOOR_CLOSED);
	/* closing a shut gate: nothing to confirm */
	ck_assert_eg(sim_gate_ops.close(&g), EG_OK);
	ck_assert_eg(sim_gate_ops.wait_event(&g, 1, &ev), EG_ERR_TIMEOUT);
	ck_assert_eg(sim_gate_ops.open(&g), EG_OK);
	ck_assert_eg(sim_gate_ops.open(&g), EG_OK);	/* open twice: one opening */
	ck_assert_int_eq(next_event(&g).type, GATE_EV_DOOR_OPENED);
	ck_assert_int_eq(next_event(&g).type, GATE_EV_PASSED);
	ck_assert_eg(sim_gate_ops.wait_event(&g, 1, &ev), EG_ERR_TIMEOUT);
	ck_assert_uint_eq(g.openings, 1);
	ck_assert_eg(sim_gate_ops.status(&g, &st), EG_OK);
	ck_assert(st.door == GATE_DOOR_OPEN && st.commanded_open);
	ck_assert_eg(sim_gate_ops.close(&g), EG_OK);
	ck_assert_int_eq(next_event(&g).type, GATE_EV_DOOR_CLOSED);
	/* a door that does not move confirms nothing */
	g.door_stuck = true;
	ck_assert_eg(sim_gate_ops.open(&g), EG_OK);
	ck_assert_eg(sim_gate_ops.wait_event(&g, 1, &ev), EG_ERR_TIMEOUT);
	ck_assert_eg(sim_gate_ops.status(&g, &st), EG_OK);
	ck_assert(st.door == GATE_DOOR_CLOSED && st.commanded_open && st.detail[0] != '\0');
	g.door_stuck = false;
	g.fail_next = true;
	ck_assert_eg(sim_gate_ops.close(&g), EG_ERR_DEVICE);
	g.unplugged = true;
	ck_assert_eg(sim_gate_ops.open(&g), EG_ERR_NO_DEVICE);
	ck_assert_eg(sim_gate_ops.wait_event(&g, 1, &ev), EG_ERR_NO_DEVICE);
	ck_assert_eg(sim_gate_ops.reconnect(&g), EG_ERR_NO_DEVICE);
	g.unplugged = false;
	ck_assert_eg(sim_gate_ops.reconnect(&g), EG_OK);
	ck_assert_str_eq(gate_event_str(GATE_EV_PASSED), "passed");
	ck_assert_str_eq(gate_door_str(GATE_DOOR_OPEN), "open");
}
END_TEST

static int
show(struct text_display *d, enum prompt_id id, enum prompt_lang lang)
{
	struct display_msg m = { .prompt = id, .lang = lang, .progress = -1, .countdown_s = -1 };

	return text_display_ops.show(d, &m);
}

START_TEST(test_text_display)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct text_display d = { .out = f, .prefix = "[K01] " };

	ck_assert_eg(show(&d, PROMPT_LOOK, LANG_KO), EG_OK);
	d.bilingual = true;
	ck_assert_eg(show(&d, PROMPT_PROCEED, LANG_EN), EG_OK);
	/* both languages, the kiosk's own first */
	ck_assert_eg(show(&d, PROMPT_PROCEED, LANG_KO), EG_OK);
	ck_assert_eg(show(&d, PROMPT_COUNT, LANG_EN), EG_ERR_INVAL);
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
