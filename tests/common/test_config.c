/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/config.h"
#include "egate/error.h"
#include "eg_check.h"
#include "eg_scratch.h"

struct conf {
	char id[16];
	long long port;
	double threshold;
	bool pace;
	int mode;
};

static const char *const modes[] = { "refer", "deny", "log", NULL };

static const struct eg_cfg_key schema[] = {
	{ "", "id", EG_CFG_STR, offsetof(struct conf, id), sizeof(((struct conf *)0)->id), 0, 0, NULL, true, "kiosk id" },
	{ "net", "port", EG_CFG_INT, offsetof(struct conf, port), 0, 1, 65535, NULL, false, "port" },
	{ "face", "threshold", EG_CFG_DOUBLE, offsetof(struct conf, threshold), 0, 0, 1, NULL, false, "threshold" },
	{ "chip", "pace", EG_CFG_BOOL, offsetof(struct conf, pace), 0, 0, 0, NULL, false, "prefer PACE" },
	{ "watchlist", "action", EG_CFG_ENUM, offsetof(struct conf, mode), 0, 0, 0, modes, false, "what to do" },
};
#define NKEYS (sizeof(schema) / sizeof(schema[0]))

static int
load(const char *text, struct conf *c, struct eg_cfg_error *e, char *msg, size_t msgsz)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->port = 4433;	/* default */
	r = eg_cfg_load_string("kiosk.conf", text, strlen(text), schema, NKEYS, c, e);
	eg_cfg_error_str(e, msg, msgsz);
	return r;
}

START_TEST(test_good_file)
{
	struct conf c;
	struct eg_cfg_error e;
	char m[512];

	ck_assert_eg(load("; comment\nid = K01\n[face]\nthreshold = 0.42 ; inline\n"
	    "[chip]\npace = yes\n[watchlist]\naction = deny\n", &c, &e, m, sizeof(m)), EG_OK);
	ck_assert_str_eq(c.id, "K01");
	ck_assert_int_eq(c.port, 4433);	/* default kept */
	ck_assert_double_eq_tol(c.threshold, 0.42, 1e-12);
	ck_assert(c.pace);
	ck_assert_int_eq(c.mode, 1);
}
END_TEST

/* Each bad input names file, line, section and key. */
START_TEST(test_errors_name_file_line_key)
{
	static const struct {
		const char *text;
		int ret;
		const char *msg;
	} cases[] = {
		{ "id = K01\n[net]\nprot = 1\n", EG_ERR_CONFIG,
		  "kiosk.conf:3: [net] prot: unknown key" },
		{ "id = K01\n[net]\nport = 70000\n", EG_ERR_CONFIG,
		  "kiosk.conf:3: [net] port: value 70000 is out of range (1 to 65535)" },
		{ "id = K01\n[net]\nport = 12ab\n", EG_ERR_CONFIG,
		  "kiosk.conf:3: [net] port: '12ab' is not an integer" },
		{ "id = K01\n[face]\nthreshold = 1.5\n", EG_ERR_CONFIG,
		  "kiosk.conf:3: [face] threshold: value 1.5 is out of range (0 to 1)" },
		{ "id = K01\n[face]\nthreshold = nan\n", EG_ERR_CONFIG,
		  "kiosk.conf:3: [face] threshold: 'nan' is not a number" },
		{ "id = K01\n\n[chip]\npace = maybe\n", EG_ERR_CONFIG,
		  "kiosk.conf:4: [chip] pace: 'maybe' is not a boolean (use true or false)" },
		{ "id = K01\n[watchlist]\naction = shoot\n", EG_ERR_CONFIG,
		  "kiosk.conf:3: [watchlist] action: 'shoot' is not one of: refer, deny, log" },
		{ "id = K0123456789ABCDEF\n", EG_ERR_CONFIG,
		  "kiosk.conf:1: id: value is 17 bytes long; at most 15 allowed" },
		{ "id = K01\nid = K02\n", EG_ERR_CONFIG,
		  "kiosk.conf:2: id: set twice (first on line 1)" },
		{ "[net]\nport = 1\n", EG_ERR_CONFIG,
		  "kiosk.conf: id: required key is missing" },
		{ "id = K01\nthis is not ini\n", EG_ERR_CONFIG,
		  "kiosk.conf:2: syntax error: expected '[section]', 'key = value' or a comment" },
		{ "id = K01\n[net\n", EG_ERR_CONFIG,
		  "kiosk.conf:2: syntax error: expected '[section]', 'key = value' or a comment" },
	};
	struct conf c;
	struct eg_cfg_error e;
	char m[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_eg(load(cases[i].text, &c, &e, m, sizeof(m)), cases[i].ret);
		ck_assert_str_eq(m, cases[i].msg);
	}
}
END_TEST

START_TEST(test_overlong_line)
{
	char text[400];
	struct conf c;
	struct eg_cfg_error e;
	char m[512];

	/* 198 bytes is fine, 199 is not */
	snprintf(text, sizeof(text), "id = K01\n; %s\n", "");
	memset(text + 11, 'x', 196);
	strcpy(text + 11 + 196, "\n");
	ck_assert_eg(load(text, &c, &e, m, sizeof(m)), EG_OK);
	memset(text + 11, 'x', 197);
	strcpy(text + 11 + 197, "\n");
	ck_assert_eg(load(text, &c, &e, m, sizeof(m)), EG_ERR_CONFIG);
	ck_assert_str_eq(m, "kiosk.conf:2: line too long (more than 198 bytes)");
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char text[] = "id = K01\nx\0y = 1\n";
	struct conf c;
	struct eg_cfg_error e;
	char m[256];

	ck_assert_eg(eg_cfg_load_string("k.conf", text, sizeof(text) - 1, schema,
	    NKEYS, &c, &e), EG_ERR_CONFIG);
	ck_assert_str_eq(eg_cfg_error_str(&e, m, sizeof(m)), "k.conf:2: NUL byte in file");
}
END_TEST

START_TEST(test_missing_file)
{
	struct conf c;
	struct eg_cfg_error e;
	char m[512];

	ck_assert_eg(eg_cfg_load_file("/nonexistent/egate.conf", schema, NKEYS, &c, &e), EG_ERR_IO);
	ck_assert_str_eq(eg_cfg_error_str(&e, m, sizeof(m)),
	    "/nonexistent/egate.conf: cannot open: No such file or directory");
}
END_TEST

START_TEST(test_file_roundtrip)
{
	char path[128];
	int fd = eg_scratch_mkstemp(path, sizeof(path), "egate-cfg");
	struct conf c;
	struct eg_cfg_error e;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("id=K07\n[net]\nport=16\n", f);
	fclose(f);
	memset(&c, 0, sizeof(c));
	ck_assert_eg(eg_cfg_load_file(path, schema, NKEYS, &c, &e), EG_OK);
	ck_assert_str_eq(c.id, "K07");
	ck_assert_int_eq(c.port, 16);
	unlink(path);
}
END_TEST

START_TEST(test_oversize)
{
	size_t n = EG_CFG_MAX_FILE + 1;
	char *big = malloc(n);
	struct conf c;
	struct eg_cfg_error e;
	char m[256];

	ck_assert_ptr_nonnull(big);
	memset(big, '\n', n);
	ck_assert_eg(eg_cfg_load_string("big.conf", big, n, schema, NKEYS, &c, &e), EG_ERR_CONFIG);
	ck_assert_str_eq(eg_cfg_error_str(&e, m, sizeof(m)),
	    "big.conf: file is larger than 1048576 bytes");
	free(big);
}
END_TEST

/* Integers are decimal only (issue #15: "port = 0443" was read as octal
 * 291 and `config check` said ok). Each refusal names the key and why. */
START_TEST(test_integers_are_decimal)
{
	static const struct { const char *value; const char *msg; } bad[] = {
		{ "0443", "kiosk.conf:3: [net] port: '0443' has a leading zero (octal?); integers here are decimal: write it without the zero" },
		{ "00", "kiosk.conf:3: [net] port: '00' has a leading zero (octal?); integers here are decimal: write it without the zero" },
		{ "0x10", "kiosk.conf:3: [net] port: '0x10' is hexadecimal; integers here are decimal" },
		{ "0X1BB", "kiosk.conf:3: [net] port: '0X1BB' is hexadecimal; integers here are decimal" },
		{ "+443", "kiosk.conf:3: [net] port: '+443' has a '+' sign; write the number alone" },
		{ "4 43", "kiosk.conf:3: [net] port: '4 43' is not an integer (a blank inside)" },
		{ "443\t1", "kiosk.conf:3: [net] port: '443\t1' is not an integer (a blank inside)" },
		{ "443.0", "kiosk.conf:3: [net] port: '443.0' is not an integer" },
		{ "4e2", "kiosk.conf:3: [net] port: '4e2' is not an integer" },
		{ "-", "kiosk.conf:3: [net] port: '-' is not an integer" },
		{ "--1", "kiosk.conf:3: [net] port: '--1' is not an integer" },
		{ "0b101", "kiosk.conf:3: [net] port: '0b101' is not an integer" },
		{ "99999999999999999999", "kiosk.conf:3: [net] port: value 99999999999999999999 is out of range (1 to 65535)" },
		{ "-99999999999999999999", "kiosk.conf:3: [net] port: value -99999999999999999999 is out of range (1 to 65535)" },
		{ "9223372036854775808", "kiosk.conf:3: [net] port: value 9223372036854775808 is out of range (1 to 65535)" },
		{ "0", "kiosk.conf:3: [net] port: value 0 is out of range (1 to 65535)" },
		{ "-1", "kiosk.conf:3: [net] port: value -1 is out of range (1 to 65535)" },
	};
	struct conf c;
	struct eg_cfg_error e;
	char text[128], m[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "id=K1\n[net]\nport = %s\n", bad[i].value);
		ck_assert_eg(load(text, &c, &e, m, sizeof(m)), EG_ERR_CONFIG);
		ck_assert_int_eq(e.line, 3);
		ck_assert_str_eq(m, bad[i].msg);
	}
	/* what is accepted: plain decimal, surrounding blanks (INI), an inline comment */
	static const struct { const char *value; long long want; } good[] = {
		{ "443", 443 }, { "1", 1 }, { "65535", 65535 }, { "  8443  ", 8443 },
		{ "4433 ; the default", 4433 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "id=K1\n[net]\nport = %s\n", good[i].value);
		ck_assert_eg(load(text, &c, &e, m, sizeof(m)), EG_OK);
		ck_assert_int_eq(c.port, good[i].want);
	}
}
END_TEST

/* Numbers (doubles) are decimal too: no hexadecimal float, no '+', no
 * inf or nan; an exponent is fine. */
START_TEST(test_numbers_are_decimal)
{
	static const char *const bad[] = { "0x1p-1", "0X.8", "+0.5", "inf", "nan", "0. 5",
		".", "-", "1e", "1e+2", "0.5x", "" };
	static const struct { const char *value; double want; } good[] = {
		{ "0.5", 0.5 }, { ".25", 0.25 }, { "1", 1.0 }, { "0", 0.0 }, { "5e-1", 0.5 },
		{ "1.", 1.0 }, { "-0", 0.0 }, { "00.5", 0.5 },
	};
	struct conf c;
	struct eg_cfg_error e;
	char text[128], m[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "id=K1\n[face]\nthreshold = %s\n", bad[i]);
		ck_assert_msg(load(text, &c, &e, m, sizeof(m)) == EG_ERR_CONFIG, "accepted '%s'", bad[i]);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "id=K1\n[face]\nthreshold = %s\n", good[i].value);
		ck_assert_msg(load(text, &c, &e, m, sizeof(m)) == EG_OK, "%s: %s", good[i].value, m);
		ck_assert_double_eq_tol(c.threshold, good[i].want, 1e-12);
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, test_good_file);
	tcase_add_test(tc, test_errors_name_file_line_key);
	tcase_add_test(tc, test_overlong_line);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_file_roundtrip);
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_integers_are_decimal);
	tcase_add_test(tc, test_numbers_are_decimal);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
