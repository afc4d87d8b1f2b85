/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hidkbd.c — the keyboard-wedge MRZ decoder (egate/hidkbd.h): boot
 * keyboard reports typed as a reader types them (press, release) make MRZ
 * lines; Shift+',' is '<'; a held key is one keypress; a phantom (rollover)
 * report changes nothing; keys that are no MRZ character, malformed reports
 * and overlong lines are refused at their Enter, and the next line is clean.
 */
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/hidkbd.h"

#define TD3_1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

struct lines {
	char l[8][MRZDEV_MAX_LINE + 1];
	int ret[8];
	unsigned n;
};

/* Push one report and collect every line (or line error) it completes. */
static void
push(struct hidkbd *k, struct lines *o, uint8_t mods, const uint8_t keys[6])
{
	uint8_t rep[8] = { mods, 0 };
	char line[MRZDEV_MAX_LINE + 1];
	int ret;

	memcpy(rep + 2, keys, 6);
	ck_assert_eg(hidkbd_push(k, rep, sizeof(rep)), EG_OK);
	while ((ret = hidkbd_next_line(k, line, sizeof(line))) != EG_ERR_TRUNCATED) {
		ck_assert_uint_lt(o->n, 8);
		o->ret[o->n] = ret;
		memcpy(o->l[o->n], line, sizeof(line));
		o->n++;
	}
}

static void
key(struct hidkbd *k, struct lines *o, uint8_t mods, uint8_t usage)
{
	const uint8_t down[6] = { usage }, up[6] = { 0 };

	push(k, o, mods, down);
	push(k, o, 0, up);
}

/* Type s as a US keyboard wedge does: one press and release per char. */
static void
type(struct hidkbd *k, struct lines *o, const char *s)
{
	for (; *s != '\0'; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			key(k, o, 0, (uint8_t)(HID_KEY_A + (c - 'A')));
		else if (c >= '1' && c <= '9')
			key(k, o, 0, (uint8_t)(HID_KEY_1 + (c - '1')));
		else if (c == '0')
			key(k, o, 0, HID_KEY_0);
		else if (c == '<')
			key(k, o, HID_MOD_LSHIFT, HID_KEY_COMMA);
		else if (c == '\n')
			key(k, o, 0, HID_KEY_ENTER);
		else
			ck_abort_msg("type: no key for '%c'", c);
	}
}

START_TEST(test_td3)
{
	struct hidkbd k;
	struct lines o = { 0 };

	hidkbd_init(&k);
	type(&k, &o, TD3_1 "\n" TD3_2 "\n");
	ck_assert_uint_eq(o.n, 2);
	ck_assert_eg(o.ret[0], EG_OK);
	ck_assert_str_eq(o.l[0], TD3_1);
	ck_assert_eg(o.ret[1], EG_OK);
	ck_assert_str_eq(o.l[1], TD3_2);
	ck_assert_str_eq(hidkbd_why(&k), "");
	hidkbd_wipe(&k);
	ck_assert_uint_eq(k.cur_len, 0);
}
END_TEST

START_TEST(test_letters_shift_keypad)
{
	struct hidkbd k;
	struct lines o = { 0 };
	const uint8_t kp[6] = { HID_KEY_KP_1 }, kp0[6] = { HID_KEY_KP_0 },
	    kp9[6] = { HID_KEY_KP_9 }, kpenter[6] = { HID_KEY_KP_ENTER }, up[6] = { 0 };

	hidkbd_init(&k);
	/* letters with Shift (left or right) are upper case too */
	key(&k, &o, HID_MOD_LSHIFT, HID_KEY_A);
	key(&k, &o, HID_MOD_RSHIFT, HID_KEY_Z);
	key(&k, &o, 0, HID_KEY_Z);
	key(&k, &o, HID_MOD_RSHIFT, HID_KEY_COMMA);	/* '<' with the right Shift */
	push(&k, &o, 0, kp);
	push(&k, &o, 0, up);
	push(&k, &o, 0, kp9);
	push(&k, &o, 0, up);
	push(&k, &o, 0, kp0);
	push(&k, &o, 0, kpenter);	/* keypad 0 up, keypad Enter down: one report */
	ck_assert_uint_eq(o.n, 1);
	ck_assert_eg(o.ret[0], EG_OK);
	ck_assert_str_eq(o.l[0], "AZZ<190");
	/* two new keys in one report: in slot order */
	{
		const uint8_t two[6] = { HID_KEY_A + 1, HID_KEY_ENTER };

		push(&k, &o, 0, up);
		push(&k, &o, 0, two);
		ck_assert_uint_eq(o.n, 2);
		ck_assert_str_eq(o.l[1], "B");
	}
}
END_TEST

START_TEST(test_held_and_rollover)
{
	struct hidkbd k;
	struct lines o = { 0 };
	const uint8_t a[6] = { HID_KEY_A }, ab[6] = { HID_KEY_A, HID_KEY_A + 1 },
	    b[6] = { HID_KEY_A + 1 }, phantom[6] = { 1, 1, 1, 1, 1, 1 }, up[6] = { 0 },
	    aa[6] = { HID_KEY_A, HID_KEY_A };

	hidkbd_init(&k);
	push(&k, &o, 0, a);
	push(&k, &o, 0, a);		/* held: the same keypress (idle repeat) */
	push(&k, &o, 0, ab);		/* B down while A is held */
	push(&k, &o, 0, phantom);	/* rollover: nothing known, nothing changes */
	push(&k, &o, 0, b);		/* A released, B still held */
	push(&k, &o, 0, up);
	push(&k, &o, 0, a);		/* A again: a new keypress */
	push(&k, &o, 0, phantom);
	push(&k, &o, 0, a);		/* still the same A after the phantom */
	push(&k, &o, 0, up);
	push(&k, &o, 0, aa);		/* one key twice in a report: one press */
	push(&k, &o, 0, up);
	type(&k, &o, "\n");
	ck_assert_uint_eq(o.n, 1);
	ck_assert_eg(o.ret[0], EG_OK);
	ck_assert_str_eq(o.l[0], "ABAA");
	/* empty lines are skipped */
	type(&k, &o, "\n\n");
	ck_assert_uint_eq(o.n, 1);
}
END_TEST

START_TEST(test_errors)
{
	struct hidkbd k;
	struct lines o = { 0 };
	uint8_t rep[8] = { 0 };

	hidkbd_init(&k);
	/* a space: no MRZ character; the line is refused at its Enter */
	type(&k, &o, "P<");
	key(&k, &o, 0, 0x2C);
	type(&k, &o, "UTO\n");
	ck_assert_uint_eq(o.n, 1);
	ck_assert_eg(o.ret[0], EG_ERR_FORMAT);
	ck_assert_str_eq(o.l[0], "");
	ck_assert_str_eq(hidkbd_why(&k),
	    "a key that is no MRZ character (usage 0x2C) at column 3");
	/* the next line is clean */
	type(&k, &o, "ABC\n");
	ck_assert_eg(o.ret[1], EG_OK);
	ck_assert_str_eq(o.l[1], "ABC");
	ck_assert_str_eq(hidkbd_why(&k), "");
	/* ',' without Shift, Shift with a digit ('!'), Ctrl+M, lower usage 0x2D */
	key(&k, &o, 0, HID_KEY_COMMA);
	type(&k, &o, "\n");
	ck_assert_eg(o.ret[2], EG_ERR_FORMAT);
	key(&k, &o, HID_MOD_LSHIFT, HID_KEY_1);
	type(&k, &o, "\n");
	ck_assert_eg(o.ret[3], EG_ERR_FORMAT);
	key(&k, &o, HID_MOD_LCTRL, HID_KEY_A + 12);
	type(&k, &o, "\n");
	ck_assert_eg(o.ret[4], EG_ERR_FORMAT);
	/* the reader's own error codes in the key slots */
	type(&k, &o, "AB");
	key(&k, &o, 0, HID_KEY_POST_FAIL);
	type(&k, &o, "\n");
	ck_assert_eg(o.ret[5], EG_ERR_FORMAT);
	ck_assert_str_eq(hidkbd_why(&k),
	    "the reader reports a keyboard error (usage 0x02) at column 3");
	/* a report of the wrong length */
	type(&k, &o, "A");
	ck_assert_eg(hidkbd_push(&k, rep, 5), EG_OK);
	ck_assert_eg(hidkbd_next_line(&k, o.l[7], sizeof(o.l[7])), EG_ERR_TRUNCATED);
	type(&k, &o, "\n");
	ck_assert_eg(o.ret[6], EG_ERR_FORMAT);
	ck_assert_str_eq(hidkbd_why(&k), "a report of 5 bytes, not 8 at column 2");
	/* and a lost report the transport saw */
	o.n = 0;
	type(&k, &o, "AB");
	hidkbd_garbled(&k, "a lost report");
	type(&k, &o, "C\n");
	ck_assert_eg(o.ret[0], EG_ERR_FORMAT);
	ck_assert_str_eq(hidkbd_why(&k), "a lost report at column 3");
}
END_TEST

START_TEST(test_overlong)
{
	struct hidkbd k;
	struct lines o = { 0 };
	char line[MRZDEV_MAX_LINE + 1];
	char small[10];

	hidkbd_init(&k);
	for (unsigned i = 0; i < MRZDEV_MAX_LINE; i++)
		type(&k, &o, "<");
	type(&k, &o, "\n");
	ck_assert_uint_eq(o.n, 1);
	ck_assert_eg(o.ret[0], EG_OK);
	ck_assert_uint_eq(strlen(o.l[0]), MRZDEV_MAX_LINE);
	for (unsigned i = 0; i < 300; i++)
		type(&k, &o, "A");
	type(&k, &o, "\n");
	ck_assert_uint_eq(o.n, 2);
	ck_assert_eg(o.ret[1], EG_ERR_OVERFLOW);
	ck_assert_str_eq(hidkbd_why(&k), "a line over 88 characters");
	type(&k, &o, TD3_2 "\n");
	ck_assert_eg(o.ret[2], EG_OK);
	ck_assert_str_eq(o.l[2], TD3_2);
	/* a line longer than the caller's buffer */
	{
		const uint8_t down[6] = { HID_KEY_A }, up[6] = { 0 }, enter[6] = { HID_KEY_ENTER };
		uint8_t rep[8] = { 0 };
		int ret = EG_ERR_TRUNCATED;

		for (unsigned i = 0; i < 12; i++) {
			memcpy(rep + 2, down, 6);
			ck_assert_eg(hidkbd_push(&k, rep, 8), EG_OK);
			ck_assert_eg(hidkbd_next_line(&k, small, sizeof(small)), EG_ERR_TRUNCATED);
			memcpy(rep + 2, up, 6);
			ck_assert_eg(hidkbd_push(&k, rep, 8), EG_OK);
		}
		memcpy(rep + 2, enter, 6);
		ck_assert_eg(hidkbd_push(&k, rep, 8), EG_OK);
		ret = hidkbd_next_line(&k, small, sizeof(small));
		ck_assert_eg(ret, EG_ERR_OVERFLOW);
		ck_assert_str_eq(small, "");
		ck_assert_str_eq(hidkbd_why(&k), "a line over 9 characters");
	}
	(void)line;
}
END_TEST

START_TEST(test_misuse)
{
	struct hidkbd k;
	const uint8_t two[8] = { 0, 0, HID_KEY_A, HID_KEY_A + 1 };
	char line[8];

	hidkbd_init(&k);
	ck_assert_eg(hidkbd_push(NULL, two, 8), EG_ERR_INVAL);
	ck_assert_eg(hidkbd_push(&k, NULL, 8), EG_ERR_INVAL);
	ck_assert_eg(hidkbd_next_line(&k, NULL, 8), EG_ERR_INVAL);
	ck_assert_eg(hidkbd_next_line(&k, line, 0), EG_ERR_INVAL);
	ck_assert_eg(hidkbd_push(&k, two, 8), EG_OK);
	/* key-downs still waiting */
	ck_assert_eg(hidkbd_push(&k, two, 8), EG_ERR_BUSY);
	ck_assert_eg(hidkbd_next_line(&k, line, sizeof(line)), EG_ERR_TRUNCATED);
	ck_assert_eg(hidkbd_push(&k, two, 8), EG_OK);
	hidkbd_garbled(NULL, "x");
	hidkbd_wipe(NULL);
	ck_assert_str_eq(hidkbd_why(NULL), "");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("hidkbd");
	TCase *tc = tcase_create("decoder");

	tcase_add_test(tc, test_td3);
	tcase_add_test(tc, test_letters_shift_keypad);
	tcase_add_test(tc, test_held_and_rollover);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_overlong);
	tcase_add_test(tc, test_misuse);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
