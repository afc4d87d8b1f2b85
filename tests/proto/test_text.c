/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_text — officers' reasons (proto_reason_check), escaping of stored
 * text for terminals (proto_text_escape) and the readable explanation of a
 * passage (proto_explain_parse, proto_explain_from_event,
 * proto_explain_text).
 */
#include <stdlib.h>
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "explain.h"
#include "text.h"

static const char PAYLOAD[] =
    "{\"seq\":42,\"ts_ms\":1795000000123,\"decision\":\"REFER\",\"reason\":\"biometric_mismatch\","
    "\"checks\":[{\"name\":\"sod_signature\",\"result\":\"pass\",\"detail\":\"\"},"
    "{\"name\":\"match_1to1\",\"result\":\"fail\",\"detail\":\"score below threshold\"},"
    "{\"name\":\"active_auth\",\"result\":\"skipped\",\"detail\":\"\"}],"
    "\"scores\":[{\"name\":\"face_similarity\",\"value\":0.41199999999999998,"
    "\"threshold\":0.55000000000000004,\"passed\":false},"
    "{\"name\":\"pad_liveness\",\"value\":0.93000000000000005,\"threshold\":0.5,\"passed\":true}],"
    "\"model_version\":\"arcface-r100:1a2b3c4d\",\"config_version\":7,\"issuing_state\":\"UTO\","
    "\"document_type\":\"P\",\"duration_ms\":7400,\"officer_id\":\"\",\"command_id\":0,"
    "\"overrides_seq\":0}";

static int
reason(const char *s)
{
	char why[160];

	return proto_reason_check(s, why, sizeof(why));
}

START_TEST(reasons)
{
	char buf[PROTO_REASON_MAX + 2], why[160];

	ck_assert_eg(reason("Passport inspected by hand, holder confirmed"), EG_OK);
	ck_assert_eg(reason("여권 직접 확인"), EG_OK);		/* Korean: fine */
	ck_assert_eg(reason("  lane 3 closed  "), EG_OK);	/* spaces around words: fine */
	ck_assert_eg(proto_reason_check("", why, sizeof(why)), EG_ERR_FORMAT);
	ck_assert_str_eq(why, "a reason is required");
	ck_assert_eg(proto_reason_check("   ", why, sizeof(why)), EG_ERR_FORMAT);
	ck_assert_str_eq(why, "the reason is blank");
	ck_assert_eg(reason("\xc2\xa0\xe3\x80\x80\xe2\x80\x8b"), EG_ERR_FORMAT);	/* NBSP, ideographic, ZWSP */
	ck_assert_eg(proto_reason_check("ok\nINJECTED", why, sizeof(why)), EG_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(why, "control character (U+000A at byte 3)"));
	ck_assert_eg(reason("tab\there"), EG_ERR_FORMAT);
	ck_assert_eg(reason("\x1b[2J cleared"), EG_ERR_FORMAT);
	ck_assert_eg(reason("del\x7f"), EG_ERR_FORMAT);
	ck_assert_eg(reason("csi \xc2\x9b" "31m"), EG_ERR_FORMAT);	/* C1 */
	ck_assert_eg(reason("evil \xe2\x80\xae" "desrever"), EG_ERR_FORMAT);	/* RLO */
	ck_assert_eg(reason("line\xe2\x80\xa8sep"), EG_ERR_FORMAT);
	ck_assert_eg(reason("overlong \xc0\xaf"), EG_ERR_FORMAT);
	ck_assert_eg(reason("surrogate \xed\xa0\x80"), EG_ERR_FORMAT);
	ck_assert_eg(reason("too high \xf4\x90\x80\x80"), EG_ERR_FORMAT);
	ck_assert_eg(reason("cut \xe3\x80"), EG_ERR_FORMAT);
	memset(buf, 'a', PROTO_REASON_MAX);
	buf[PROTO_REASON_MAX] = '\0';
	ck_assert_eg(reason(buf), EG_OK);
	buf[PROTO_REASON_MAX] = 'a';
	buf[PROTO_REASON_MAX + 1] = '\0';
	ck_assert_eg(proto_reason_check(buf, why, sizeof(why)), EG_ERR_FORMAT);
	ck_assert_str_eq(why, "the reason is longer than 200 bytes");
	ck_assert_eg(proto_reason_check(NULL, NULL, 0), EG_ERR_INVAL);
	ck_assert_eg(proto_reason_check("\n", NULL, 0), EG_ERR_FORMAT);	/* why may be NULL */
}
END_TEST

START_TEST(escaping)
{
	char out[128];

	ck_assert_uint_eq(proto_text_escape("plain text", out, sizeof(out)), 10);
	ck_assert_str_eq(out, "plain text");
	(void)proto_text_escape("a\x1b[31mred\x1b[0m\r\n", out, sizeof(out));
	ck_assert_str_eq(out, "a\\x1B[31mred\\x1B[0m\\x0D\\x0A");
	(void)proto_text_escape("back\\slash", out, sizeof(out));
	ck_assert_str_eq(out, "back\\\\slash");
	(void)proto_text_escape("c1 \xc2\x9b rlo \xe2\x80\xae bad \xff end", out, sizeof(out));
	ck_assert_str_eq(out, "c1 \\u009B rlo \\u202E bad \\xFF end");
	(void)proto_text_escape("출입국 심사관", out, sizeof(out));
	ck_assert_str_eq(out, "출입국 심사관");
	/* cut whole: never half an escape or half a character */
	ck_assert_uint_eq(proto_text_escape("ab\x1b", out, 5), 6);
	ck_assert_str_eq(out, "ab");
	ck_assert_uint_eq(proto_text_escape("a한", out, 3), 4);
	ck_assert_str_eq(out, "a");
	ck_assert_uint_eq(proto_text_escape(NULL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* The explanation as text, in a heap string. */
static char *
text_of(const struct proto_explain *x)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	ck_assert_ptr_nonnull(f);
	ck_assert_eg(proto_explain_text(x, "  ", f), EG_OK);
	fclose(f);
	return buf;
}

START_TEST(explain_payload)
{
	struct proto_explain *x = calloc(1, sizeof(*x));
	char *t;

	ck_assert_eg(proto_explain_parse(PAYLOAD, strlen(PAYLOAD), x), EG_OK);
	ck_assert_uint_eq(x->seq, 42);
	ck_assert_int_eq(x->ts_ms, 1795000000123);
	ck_assert_str_eq(x->decision, "REFER");
	ck_assert_str_eq(x->reason, "biometric_mismatch");
	ck_assert_uint_eq(x->n_checks, 3);
	ck_assert_str_eq(x->checks[1].name, "match_1to1");
	ck_assert_str_eq(x->checks[1].detail, "score below threshold");
	ck_assert_uint_eq(x->n_scores, 2);
	ck_assert_double_eq(x->scores[0].value, 0.412);
	ck_assert(!x->scores[0].passed && x->scores[1].passed);
	ck_assert_uint_eq(x->config_version, 7);
	ck_assert_uint_eq(x->duration_ms, 7400);
	ck_assert(!x->truncated);
	t = text_of(x);
	ck_assert_str_eq(t,
	    "  REFER: rule biometric_mismatch (passage 42, 2026-11-18T11:06:40Z, 7.4 s)\n"
	    "  failed or not checked: match_1to1=fail (score below threshold)\n"
	    "  scores: face_similarity 0.412 against threshold 0.550 (FAILED); "
	    "pad_liveness 0.930 against threshold 0.500 (passed)\n"
	    "  document UTO P; model arcface-r100:1a2b3c4d; configuration 7\n");
	free(t);
	free(x);
}
END_TEST

START_TEST(explain_hostile)
{
	static const char esc[] = "{\"reason\":\"\\u001b[31mred\\ud83d\\ude00\",\"checks\":"
	    "[{\"name\":\"x\",\"result\":\"error\",\"detail\":\"a\\nb\\u202e\"}],\"unknown\":[1,{\"a\":null}]}";
	struct proto_explain *x = calloc(1, sizeof(*x));
	char deep[80], *t;

	ck_assert_eg(proto_explain_parse(esc, strlen(esc), x), EG_OK);
	ck_assert_str_eq(x->reason, "\x1b[31mred\xf0\x9f\x98\x80");
	t = text_of(x);
	/* what reaches the terminal is escaped */
	ck_assert_ptr_nonnull(strstr(t, "rule \\x1B[31mred\xf0\x9f\x98\x80"));
	ck_assert_ptr_nonnull(strstr(t, "x=error (a\\x0Ab\\u202E)"));
	ck_assert_ptr_null(strchr(t, 0x1b));
	free(t);
	ck_assert_eg(proto_explain_parse("{\"seq\":1} x", 11, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("{\"seq\":01}", 10, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("{\"seq\":-1}", 10, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("{\"seq\":18446744073709551616}", 28, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("{\"reason\":\"\\ud800\"}", 19, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("{\"reason\":\"a\tb\"}", 16, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("[1]", 3, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("{\"seq\":1", 8, x), EG_ERR_FORMAT);
	ck_assert_eg(proto_explain_parse("{\"checks\":{}}", 13, x), EG_ERR_FORMAT);
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "{\"x\":", 5);
	ck_assert_eg(proto_explain_parse(deep, sizeof(deep), x), EG_ERR_OVERFLOW);
	ck_assert_eg(proto_explain_parse(NULL, 0, x), EG_ERR_INVAL);
	free(x);
}
END_TEST

START_TEST(explain_long_strings_cut_whole)
{
	struct proto_explain *x = calloc(1, sizeof(*x));
	char json[400];

	/* 150 bytes of 3-byte characters into a 128-byte field */
	strcpy(json, "{\"reason\":\"");
	for (int i = 0; i < 50; i++)
		strcat(json, "한");
	strcat(json, "\"}");
	ck_assert_eg(proto_explain_parse(json, strlen(json), x), EG_OK);
	ck_assert(x->truncated);
	ck_assert_uint_eq(strlen(x->reason), 126);	/* 42 whole characters */
	free(x);
}
END_TEST

START_TEST(explain_from_event)
{
	Egate__PassageEvent e;
	Egate__Identifiers id;
	Egate__Check c, *cp = &c;
	struct proto_explain *x = calloc(1, sizeof(*x));
	char *t;

	egate__passage_event__init(&e);
	egate__identifiers__init(&id);
	egate__check__init(&c);
	c.name = (char *)(uintptr_t)"dg1_mrz_match";
	c.result = EGATE__CHECK_RESULT__CHECK_FAIL;
	c.detail = (char *)(uintptr_t)"";
	id.document_number = (char *)(uintptr_t)"L898902C3";
	id.holder_name = (char *)(uintptr_t)"ERIKSSON<<ANNA";
	id.issuing_state = (char *)(uintptr_t)"UTO";
	id.document_type = (char *)(uintptr_t)"P";
	e.seq = 9;
	e.decision = EGATE__DECISION__DECISION_REFER;
	e.reason = (char *)(uintptr_t)"document_check_failed";
	e.identifiers = &id;
	e.n_checks = 1;
	e.checks = &cp;
	ck_assert_eg(proto_explain_from_event(&e, x), EG_OK);
	t = text_of(x);
	ck_assert_ptr_nonnull(strstr(t, "dg1_mrz_match=fail"));
	ck_assert_ptr_nonnull(strstr(t, "document UTO P"));
	/* identifiers never reach the explanation */
	ck_assert_ptr_null(strstr(t, "L898902C3"));
	ck_assert_ptr_null(strstr(t, "ERIKSSON"));
	free(t);
	free(x);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, reasons);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, explain_payload);
	tcase_add_test(tc, explain_hostile);
	tcase_add_test(tc, explain_long_strings_cut_whole);
	tcase_add_test(tc, explain_from_event);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
