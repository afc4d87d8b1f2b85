/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/log.h"
#include "eg_check.h"

/* Capture what a logger prints. */
struct cap {
	char *buf;
	size_t len;
	FILE *f;
	struct eg_log lg;
};

static void
cap_open(struct cap *c)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	eg_log_init(&c->lg, "test");
	c->lg.out = c->f;
	c->lg.timestamps = false;
	c->lg.journal = false;
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

START_TEST(test_one_line_key_value)
{
	struct cap c;
	const uint8_t raw[] = { 0x90, 0x00 };

	cap_open(&c);
	EG_LOG(&c.lg, EG_LOG_INFO, "apdu.done", EG_STR("reader", "sim0"),
	    EG_INT("n", -3), EG_UINT("bytes", 512), EG_BOOL("ok", true),
	    EG_HEX("sw", raw, 2), EG_DBL("score", 0.5), EG_ERRF(EG_ERR_MAC));
	ck_assert_str_eq(cap_text(&c),
	    "level=info comp=test event=apdu.done reader=sim0 n=-3 bytes=512 "
	    "ok=true sw=9000 score=0.5 err=EG_ERR_MAC\n");
	cap_close(&c);
}
END_TEST

START_TEST(test_no_fields)
{
	struct cap c;

	cap_open(&c);
	c.lg.component = NULL;
	EG_LOG(&c.lg, EG_LOG_WARN, "host.unreachable");
	ck_assert_str_eq(cap_text(&c), "level=warn event=host.unreachable\n");
	cap_close(&c);
}
END_TEST

START_TEST(test_level_filter)
{
	struct cap c;

	cap_open(&c);
	EG_LOG(&c.lg, EG_LOG_DEBUG, "hidden");
	c.lg.min_level = EG_LOG_ERROR;
	EG_LOG(&c.lg, EG_LOG_WARN, "hidden.too");
	EG_LOG(&c.lg, EG_LOG_ERROR, "shown");
	ck_assert_str_eq(cap_text(&c), "level=error comp=test event=shown\n");
	EG_LOG(NULL, EG_LOG_ERROR, "nowhere");	/* NULL logger: no crash */
	cap_close(&c);
}
END_TEST

START_TEST(test_quoting_cannot_forge_lines)
{
	struct cap c;
	const char *t;

	cap_open(&c);
	EG_LOG(&c.lg, EG_LOG_INFO, "e", EG_STR("v", "a b\nlevel=error event=forged \"x\"\x01"),
	    EG_STR("empty", ""), EG_STR("nul", NULL), EG_STR("bad key!", "x"));
	t = cap_text(&c);
	ck_assert_str_eq(t, "level=info comp=test event=e "
	    "v=\"a b\\nlevel=error event=forged \\\"x\\\"\\x01\" empty=\"\" nul=(null) bad_key_=x\n");
	ck_assert_ptr_eq(strchr(t, '\n'), t + strlen(t) - 1);	/* one line */
	cap_close(&c);
}
END_TEST

START_TEST(test_redaction)
{
	struct cap c;
	const uint8_t key[] = { 0xAB, 0x94, 0xFD, 0xEC };

	cap_open(&c);
	EG_LOG(&c.lg, EG_LOG_INFO, "bac.keys", EG_PII_STR("doc", "L898902C3"),
	    EG_SECRET_HEX("kenc", key, sizeof(key)));
	ck_assert_str_eq(cap_text(&c),
	    "level=info comp=test event=bac.keys doc=[redacted] kenc=[redacted]\n");
	ck_assert_ptr_null(strstr(cap_text(&c), "L898902C3"));
	ck_assert_ptr_null(strstr(cap_text(&c), "AB94"));
	cap_close(&c);

	/* personal data allowed does not reveal secrets, and vice versa */
	cap_open(&c);
	eg_log_allow_sensitive(&c.lg, true, false);
	EG_LOG(&c.lg, EG_LOG_INFO, "e", EG_PII_STR("doc", "L898902C3"),
	    EG_SECRET_HEX("kenc", key, sizeof(key)));
	ck_assert_str_eq(cap_text(&c),
	    "level=warn comp=test event=log.sensitive_enabled personal_data=true secrets=false "
	    "note=\"debug only: this log may now hold data that must not leave the device\"\n"
	    "level=info comp=test event=e doc=L898902C3 kenc=[redacted]\n");
	cap_close(&c);

	cap_open(&c);
	c.lg.show_secrets = true;
	EG_LOG(&c.lg, EG_LOG_INFO, "e", EG_PII_STR("doc", "L898902C3"),
	    EG_SECRET_HEX("kenc", key, sizeof(key)));
	ck_assert_str_eq(cap_text(&c),
	    "level=info comp=test event=e doc=[redacted] kenc=AB94FDEC\n");
	cap_close(&c);
}
END_TEST

START_TEST(test_long_line_cut)
{
	struct cap c;
	char big[9000];
	const char *t;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cap_open(&c);
	EG_LOG(&c.lg, EG_LOG_INFO, "big", EG_STR("v", big));
	t = cap_text(&c);
	ck_assert_uint_le(strlen(t), 4096);
	ck_assert_ptr_nonnull(strstr(t, " truncated=true\n"));
	ck_assert_ptr_eq(strchr(t, '\n'), t + strlen(t) - 1);
	cap_close(&c);
}
END_TEST

START_TEST(test_journal_prefix)
{
	struct cap c;

	cap_open(&c);
	c.lg.journal = true;
	EG_LOG(&c.lg, EG_LOG_ERROR, "x");
	EG_LOG(&c.lg, EG_LOG_INFO, "y");
	ck_assert_str_eq(cap_text(&c),
	    "<3>level=error comp=test event=x\n<6>level=info comp=test event=y\n");
	cap_close(&c);
}
END_TEST

START_TEST(test_level_parse)
{
	enum eg_log_level l;

	ck_assert_eg(eg_log_level_parse("debug", &l), EG_OK);
	ck_assert_int_eq(l, EG_LOG_DEBUG);
	ck_assert_eg(eg_log_level_parse("warning", &l), EG_OK);
	ck_assert_int_eq(l, EG_LOG_WARN);
	ck_assert_eg(eg_log_level_parse("loud", &l), EG_ERR_INVAL);
	ck_assert_str_eq(eg_log_level_str(EG_LOG_NOTICE), "notice");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_one_line_key_value);
	tcase_add_test(tc, test_no_fields);
	tcase_add_test(tc, test_level_filter);
	tcase_add_test(tc, test_quoting_cannot_forge_lines);
	tcase_add_test(tc, test_redaction);
	tcase_add_test(tc, test_long_line_cut);
	tcase_add_test(tc, test_journal_prefix);
	tcase_add_test(tc, test_level_parse);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
