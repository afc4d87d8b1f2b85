/* SPDX-License-Identifier: Apache-2.0 */
/* test_profile.c — the reader profile loader and the shipped profile list. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eg_check.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/usb_profile.h"

static struct usb_profile_table t;

static int
load(const char *text, struct eg_cfg_error *err)
{
	return usb_profile_load_string("t.ini", text, strlen(text), &t, err);
}

/* The readers and message lengths from the project's reference facts. */
START_TEST(test_shipped_profiles)
{
	static const struct { uint16_t vid, pid; uint32_t max; const char *name; }
	want[] = {
		{ 0x072F, 0x223E, 522, "ACS ACR1252" },
		{ 0x072F, 0x2301, 516, "ACS ACR1581" },
		{ 0x076B, 0x5022, 520, "HID OMNIKEY 5022" },
		{ 0x076B, 0x5422, 520, "HID OMNIKEY 5422" },
		{ 0x04E6, 0x5790, 1034, "Identiv uTrust 3700 F" },
		{ 0x0DB5, 0x0138, 278, "Access IS ePassport reader" },
	};
	struct eg_cfg_error err;
	size_t i;

	ck_assert_eg(usb_profile_load_file(HW_PROFILES, &t, &err), EG_OK);
	ck_assert_uint_eq(t.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < t.n; i++) {
		const struct usb_profile *p = usb_profile_find(&t, want[i].vid,
		    want[i].pid);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(p->max_message, want[i].max);
		ck_assert_str_eq(p->name, want[i].name);
		ck_assert_uint_eq(p->voltage, CCID_VOLTAGE_AUTO);
	}
	ck_assert_ptr_null(usb_profile_find(&t, 0x072F, 0x0001));
}
END_TEST

/* Every profile's VID:PID has a line in the udev rules. */
START_TEST(test_udev_rules_cover_profiles)
{
	FILE *f = fopen(HW_UDEV_RULES, "r");
	static char text[16384];
	size_t len, i;

	ck_assert_ptr_nonnull(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	ck_assert_eg(usb_profile_load_file(HW_PROFILES, &t, NULL), EG_OK);
	ck_assert_uint_gt(t.n, 0);
	for (i = 0; i < t.n; i++) {
		char rule[96];

		snprintf(rule, sizeof(rule),
		    "ATTR{idVendor}==\"%04x\", ATTR{idProduct}==\"%04x\", "
		    "MODE=\"0660\", GROUP=\"egate\"", t.p[i].vid, t.p[i].pid);
		ck_assert_msg(strstr(text, rule) != NULL, "no udev rule: %s", rule);
	}
	ck_assert_ptr_nonnull(strstr(text, "bInterfaceClass}==\"0e\""));
}
END_TEST

START_TEST(test_parse_full)
{
	struct eg_cfg_error err;

	ck_assert_eg(load("; c\n[1234:abCD]\nname = R1\nmax_message = 65544\n"
	    "voltage = 1.8V\nquirks = no_notify\n\n[0001:0002]\nname=R2\n"
	    "max_message=271\nvoltage=5V\nquirks=\n", &err), EG_OK);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.p[0].vid, 0x1234);
	ck_assert_uint_eq(t.p[0].pid, 0xABCD);
	ck_assert_uint_eq(t.p[0].max_message, 65544);
	ck_assert_uint_eq(t.p[0].voltage, CCID_VOLTAGE_1V8);
	ck_assert_uint_eq(t.p[0].quirks, USB_QUIRK_NO_NOTIFY);
	ck_assert_uint_eq(t.p[1].max_message, 271);
	ck_assert_uint_eq(t.p[1].voltage, CCID_VOLTAGE_5V);
	ck_assert_uint_eq(t.p[1].quirks, 0);
	ck_assert_eg(load("", &err), EG_OK);
	ck_assert_uint_eq(t.n, 0);
}
END_TEST

static void
bad(const char *text, int want, int line, const char *key, const char *msg)
{
	struct eg_cfg_error err;

	memset(&err, 0, sizeof(err));
	ck_assert_eg(load(text, &err), want);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(err.line, line);
	ck_assert_str_eq(err.key, key);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "msg '%s' lacks '%s'",
	    err.msg, msg);
	ck_assert_str_eq(err.file, "t.ini");
}

START_TEST(test_errors)
{
	bad("[072F:223E]\nname = A\nmax_message = 270\n", EG_ERR_CONFIG, 3,
	    "max_message", "not a number");
	bad("[072F:223E]\nname = A\nmax_message = 65545\n", EG_ERR_CONFIG, 3,
	    "max_message", "not a number");
	bad("[072F:223E]\nname = A\nmax_message = 5x0\n", EG_ERR_CONFIG, 3,
	    "max_message", "not a number");
	bad("[072F:223E]\nname = A\nmax_message = -300\n", EG_ERR_CONFIG, 3,
	    "max_message", "not a number");
	bad("[072F:223E]\nname = A\nmax_message = 522\ncolour = red\n",
	    EG_ERR_CONFIG, 4, "colour", "unknown key");
	bad("[072F:223E]\nname = A\nname = B\nmax_message = 522\n",
	    EG_ERR_CONFIG, 3, "name", "duplicate key");
	bad("[072F:223E]\nname = A\nmax_message = 522\n[072f:223e]\nname = B\n",
	    EG_ERR_CONFIG, 5, "", "duplicate device");
	bad("[072F-223E]\nname = A\n", EG_ERR_CONFIG, 2, "", "VID:PID");
	bad("[072G:223E]\nname = A\n", EG_ERR_CONFIG, 2, "", "VID:PID");
	bad("name = A\n", EG_ERR_CONFIG, 1, "name", "outside");
	bad("[072F:223E]\nname = A\n", EG_ERR_CONFIG, 2, "max_message",
	    "required");
	bad("[072F:223E]\nmax_message = 522\n[072F:2301]\nname = B\n"
	    "max_message = 516\n", EG_ERR_CONFIG, 2, "name", "required");
	bad("[072F:223E]\nname = A\nmax_message = 522\nvoltage = 12V\n",
	    EG_ERR_CONFIG, 4, "voltage", "auto");
	bad("[072F:223E]\nname = A\nmax_message = 522\nquirks = no_notify,fast\n",
	    EG_ERR_CONFIG, 4, "quirks", "unknown quirk");
	bad("[072F:223E]\nname = A\nmax_message = 522\nnot a pair\n",
	    EG_ERR_CONFIG, 4, "", "syntax");
	bad("[072F:223E]\nname = 0123456789012345678901234567890123456789"
	    "012345678901234567890123\nmax_message = 522\n", EG_ERR_CONFIG, 2,
	    "name", "characters");
}
END_TEST

START_TEST(test_limits)
{
	struct eg_cfg_error err;
	char *big;
	size_t i, off = 0;
	const size_t cap = 200000;

	/* an overlong line is an error, never silently split */
	big = malloc(cap);
	ck_assert_ptr_nonnull(big);
	off = (size_t)sprintf(big, "[072F:223E]\nname = ");
	memset(big + off, 'x', 300);
	off += 300;
	big[off] = '\0';
	bad(big, EG_ERR_CONFIG, 2, "", "longer than");
	/* a NUL byte */
	ck_assert_eg(usb_profile_load_string("t.ini", "[072F:223E]\0x", 13, &t,
	    &err), EG_ERR_CONFIG);
	ck_assert_int_eq(err.line, 1);
	/* more profiles than the table holds */
	off = 0;
	for (i = 0; i <= USB_PROFILE_MAX; i++)
		off += (size_t)snprintf(big + off, cap - off,
		    "[1234:%04zX]\nname = R\nmax_message = 300\n", i);
	ck_assert_eg(usb_profile_load_string("t.ini", big, off, &t, &err),
	    EG_ERR_OVERFLOW);
	ck_assert_uint_eq(t.n, 0);
	/* exactly the maximum is fine */
	off = 0;
	for (i = 0; i < USB_PROFILE_MAX; i++)
		off += (size_t)snprintf(big + off, cap - off,
		    "[1234:%04zX]\nname = R\nmax_message = 300\n", i);
	ck_assert_eg(usb_profile_load_string("t.ini", big, off, &t, &err), EG_OK);
	ck_assert_uint_eq(t.n, USB_PROFILE_MAX);
	/* oversize file */
	memset(big, '\n', cap);
	ck_assert_eg(usb_profile_load_string("t.ini", big, USB_PROFILE_MAX_FILE + 1,
	    &t, &err), EG_ERR_OVERFLOW);
	free(big);
	/* missing file */
	ck_assert_eg(usb_profile_load_file("/nonexistent/readers.ini", &t, &err),
	    EG_ERR_IO);
	ck_assert_str_eq(err.file, "/nonexistent/readers.ini");
	ck_assert_ptr_null(usb_profile_find(NULL, 1, 2));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("usb_profile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_shipped_profiles);
	tcase_add_test(tc, test_udev_rules_cover_profiles);
	tcase_add_test(tc, test_parse_full);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
