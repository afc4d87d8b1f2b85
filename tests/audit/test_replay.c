/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_replay — decision replay (host/audit/audit_replay.h) and its JSON
 * reader (audit_json.h), then `egate audit replay` (EGATE_BIN) over logs
 * built with the library from the payloads and parameters of a real run
 * (tests/vectors/audit/replay/): a genuine log agrees; logs altered by
 * someone who holds the host's signing and HMAC keys (so that `verify`
 * finds nothing) disagree where the decision no longer follows from the
 * record and the policy of its version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include "audit.h"
#include "audit_json.h"
#include "audit_replay.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "egate/error.h"

#define VEC VECTORS_DIR "/audit/replay/"
#define NPASS 15
#define T0 1796622953000LL

/* ---- the vectors ------------------------------------------------------------ */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

/* passages.jsonl split into lines (in place; pointers into *all). */
static void
passages(char **all, char *line[NPASS])
{
	char *p;
	int n = 0;

	*all = slurp(VEC "passages.jsonl");
	for (p = *all; p != NULL && n < NPASS; n++) {
		char *nl = strchr(p, '\n');

		line[n] = p;
		if (nl != NULL)
			*nl++ = '\0';
		p = nl;
	}
	ck_assert_int_eq(n, NPASS);
}

/* The string value of "key" in a payload, by text (the test's own reading). */
static void
field(const char *payload, const char *key, char *out, size_t cap)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(payload, pat);
	ck_assert_ptr_nonnull(p);
	p += strlen(pat);
	e = strchr(p, '"');
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - p), cap);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

/* s with the first occurrence of a replaced by b (heap). */
static char *
replace(const char *s, const char *a, const char *b)
{
	const char *p = strstr(s, a);
	char *out;

	ck_assert_msg(p != NULL, "'%s' not found", a);
	out = malloc(strlen(s) - strlen(a) + strlen(b) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, s, (size_t)(p - s));
	strcpy(out + (p - s), b);
	strcat(out, p + strlen(a));
	return out;
}

/* ---- the JSON reader ----------------------------------------------------------- */

static int
parse(const char *s, struct audit_json *j)
{
	return audit_json_parse(s, strlen(s), 256, j);
}

START_TEST(json_reads)
{
	struct audit_json j;
	char s[64];
	double d;
	uint64_t u;
	bool b;
	size_t a, v;

	ck_assert_eg(parse(" {\"a\" : [1, -2.5e1, true, null, \"x\\u00e9\\ud83d\\ude00\\n\"],"
	    "\"b\":{}, \"c\":18446744073709551615} ", &j), EG_OK);
	ck_assert_int_eq(j.t[0].type, AUDIT_JSON_OBJECT);
	ck_assert_uint_eq(j.t[0].size, 3);
	a = audit_json_member(&j, 0, "a");
	ck_assert_int_eq(j.t[a].type, AUDIT_JSON_ARRAY);
	ck_assert_uint_eq(j.t[a].size, 5);
	ck_assert_eg(audit_json_num(&j, a + 1, &d), EG_OK);
	ck_assert(d == 1.0);
	ck_assert_eg(audit_json_num(&j, a + 2, &d), EG_OK);
	ck_assert(d == -25.0);
	ck_assert_eg(audit_json_u64(&j, a + 2, &u), EG_ERR_INVAL);	/* not a whole number */
	ck_assert_eg(audit_json_bool(&j, a + 3, &b), EG_OK);
	ck_assert(b);
	ck_assert_int_eq(j.t[a + 4].type, AUDIT_JSON_NULL);
	ck_assert_eg(audit_json_str(&j, a + 5, s, sizeof(s)), EG_OK);
	ck_assert_str_eq(s, "x\xc3\xa9\xf0\x9f\x98\x80\n");
	ck_assert_eg(audit_json_str(&j, a + 5, s, 4), EG_ERR_OVERFLOW);
	ck_assert_str_eq(s, "x\xc3\xa9");	/* a cut, NUL-terminated */
	v = audit_json_member(&j, 0, "b");
	ck_assert_int_eq(j.t[v].type, AUDIT_JSON_OBJECT);
	ck_assert_uint_eq(j.t[v].next, v + 1);
	ck_assert_eg(audit_json_u64(&j, audit_json_member(&j, 0, "c"), &u), EG_OK);
	ck_assert(u == UINT64_MAX);
	ck_assert_uint_eq(audit_json_member(&j, 0, "d"), (size_t)-1);
	ck_assert_uint_eq(audit_json_member(&j, a, "a"), (size_t)-1);	/* not an object */
	audit_json_free(&j);
	audit_json_free(&j);	/* twice: safe */

	ck_assert_eg(parse("{\"c\":18446744073709551616}", &j), EG_OK);
	ck_assert_eg(audit_json_u64(&j, 1 + 1, &u), EG_ERR_OVERFLOW);
	audit_json_free(&j);
	ck_assert_eg(parse("[1e999]", &j), EG_OK);
	ck_assert_eg(audit_json_num(&j, 1, &d), EG_ERR_OVERFLOW);
	audit_json_free(&j);
	/* escaped keys are compared unescaped */
	ck_assert_eg(parse("{\"\\u0061\":1}", &j), EG_OK);
	ck_assert_uint_eq(audit_json_member(&j, 0, "a"), 2);
	audit_json_free(&j);
}
END_TEST

START_TEST(json_refuses)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[01]", "[1.]",
		"[.5]", "[-]", "[1e]", "[+1]", "[tru]", "[nul]", "\"a", "\"\\x\"", "\"\\u12\"",
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\tb\"", "[1] [2]", "[1]x",
		"{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "/* */ 1", "[NaN]", "[Infinity]",
		"'a'", "{\"a\":1 \"b\":2}",
	};
	struct audit_json j;
	char deep[64], s[8];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], &j);

		ck_assert_msg(rc == EG_ERR_FORMAT, "'%s': %s", bad[i], eg_err_name(rc));
		ck_assert_ptr_null(j.t);
	}
	/* limits: depth, tokens, number length, key length */
	memset(deep, '[', AUDIT_JSON_DEPTH_MAX + 1);
	deep[AUDIT_JSON_DEPTH_MAX + 1] = '\0';
	ck_assert_eg(parse(deep, &j), EG_ERR_OVERFLOW);
	memset(deep, '[', AUDIT_JSON_DEPTH_MAX);
	memset(deep + AUDIT_JSON_DEPTH_MAX, ']', AUDIT_JSON_DEPTH_MAX);
	deep[2 * AUDIT_JSON_DEPTH_MAX] = '\0';
	ck_assert_eg(parse(deep, &j), EG_OK);
	audit_json_free(&j);
	ck_assert_eg(audit_json_parse("[1,2,3]", 7, 3, &j), EG_ERR_OVERFLOW);
	ck_assert_eg(audit_json_parse("[1,2,3]", 7, 4, &j), EG_OK);
	audit_json_free(&j);
	ck_assert_eg(parse("[1234567890123456789012345678901234567890123456789012345678901234]",
	    &j), EG_ERR_OVERFLOW);
	ck_assert_eg(parse("{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}",
	    &j), EG_ERR_OVERFLOW);
	/* a NUL inside a string cannot become a C string */
	ck_assert_eg(parse("[\"a\\u0000b\"]", &j), EG_OK);
	ck_assert_eg(audit_json_str(&j, 1, s, sizeof(s)), EG_ERR_FORMAT);
	audit_json_free(&j);
	/* a length that stops inside the text */
	ck_assert_eg(audit_json_parse("[1]", 2, 8, &j), EG_ERR_FORMAT);
	ck_assert_eg(audit_json_parse(NULL, 0, 8, &j), EG_ERR_INVAL);
	ck_assert_eg(audit_json_parse("1", 1, 0, &j), EG_ERR_INVAL);
}
END_TEST

/* ---- the library over the vectors ------------------------------------------------- */

static void
policy_of(const char *file, struct passage_policy *p, uint64_t want)
{
	char *params = slurp(file), err[200] = "";
	uint64_t v = 0;

	ck_assert_msg(audit_replay_policy_parse(params, strlen(params), p, &v, err, sizeof(err)) ==
	    EG_OK, "%s: %s", file, err);
	ck_assert(v == want);
	free(params);
}

static void
replay_one(const char *payload, const struct passage_policy *pol, struct audit_replay_result *res)
{
	struct audit_replay_record *rec = malloc(sizeof(*rec));
	char dec[16], rule[64], err[200] = "";

	ck_assert_ptr_nonnull(rec);
	ck_assert_msg(audit_replay_payload_parse(payload, strlen(payload), rec, err, sizeof(err)) ==
	    EG_OK, "%s", err);
	field(payload, "decision", dec, sizeof(dec));
	field(payload, "reason", rule, sizeof(rule));
	ck_assert_eg(audit_replay_compare(rec, dec, rule, pol, res), EG_OK);
	free(rec);
}

START_TEST(vectors_agree)
{
	struct passage_policy v2, v3;
	struct audit_replay_result res;
	struct audit_replay_record *rec = malloc(sizeof(*rec));
	char *all, *line[NPASS], err[200];

	ck_assert_ptr_nonnull(rec);
	policy_of(VEC "params_v2.json", &v2, 2);
	policy_of(VEC "params_v3.json", &v3, 3);
	ck_assert_str_eq(v2.version, "2");
	ck_assert(v2.match_threshold == 0.5 && v3.match_threshold == 0.999);
	ck_assert(v2.liveness_threshold == 0.01);
	ck_assert_str_eq(v2.accepted_issuers, "UTO");
	ck_assert_int_eq(v2.no_chip_auth, PASSAGE_ABSENT_ACCEPT);
	passages(&all, line);
	for (int i = 0; i < NPASS; i++) {
		ck_assert_eg(audit_replay_payload_parse(line[i], strlen(line[i]), rec, err,
		    sizeof(err)), EG_OK);
		ck_assert(rec->config_version == (i < NPASS - 1 ? 2u : 3u));
		ck_assert_uint_ge(rec->n_other, rec->x.n > 2 ? 10 : 0);	/* the pa.* checks */
		replay_one(line[i], i < NPASS - 1 ? &v2 : &v3, &res);
		ck_assert_msg(res.verdict == AUDIT_REPLAY_AGREE, "passage %d: %s", i + 1, res.why);
		ck_assert_str_eq(res.why, "");
	}
	/* the first: OPEN, decided by the watchlist (the last check that runs) */
	replay_one(line[0], &v2, &res);
	ck_assert_str_eq(res.decision, "OPEN");
	ck_assert_str_eq(res.rule, "all_checks_passed");
	ck_assert_str_eq(res.by, "watchlist");
	/* the genuine traveller (0.9927) under version 3 (0.999): referred; its
	 * record under version 2's parameters disagrees: 2 lets the face score
	 * pass, and the record stops there (no watchlist search was made), so
	 * nothing decides (FAULT, no rule) */
	replay_one(line[NPASS - 1], &v2, &res);
	ck_assert_int_eq(res.verdict, AUDIT_REPLAY_DISAGREE);
	ck_assert_str_eq(res.decision, "FAULT");
	ck_assert_str_eq(res.rule, "");
	ck_assert_str_eq(res.why, "recorded REFER biometric_mismatch, the policy gives FAULT ");
	/* and a passage recorded under 2 replayed under 3 */
	replay_one(line[0], &v3, &res);
	ck_assert_int_eq(res.verdict, AUDIT_REPLAY_DISAGREE);
	ck_assert_str_eq(res.rule, "biometric_mismatch");
	free(all);
	free(rec);
}
END_TEST

/* What the record says changed, the explanation not: a disagreement each. */
START_TEST(altered_records)
{
	static const struct { int line; const char *a, *b, *why; } alt[] = {
		/* a referral turned into an opening (columns follow the payload) */
		{ 1, "\"decision\":\"REFER\",\"reason\":\"biometric_mismatch\"",
		  "\"decision\":\"OPEN\",\"reason\":\"all_checks_passed\"",
		  "recorded OPEN all_checks_passed, the policy gives REFER biometric_mismatch" },
		/* the rule changed only */
		{ 10, "\"reason\":\"watchlist_hit\"", "\"reason\":\"biometric_mismatch\"",
		  "recorded REFER biometric_mismatch, the policy gives REFER watchlist_hit" },
		/* the score's threshold changed to excuse the decision */
		{ 1, "\"threshold\":0.5,\"passed\":false", "\"threshold\":-0.1,\"passed\":true",
		  "face_similarity: recorded threshold -0.10000000000000001, version 2 has 0.5" },
		/* a failed document check turned into a pass: the rule no longer
		 * follows (DG1 no longer matching the MRZ comes next) */
		{ 3, "{\"name\":\"dg_hashes\",\"result\":\"fail\"",
		  "{\"name\":\"dg_hashes\",\"result\":\"pass\"",
		  "recorded REFER failed:dg_hashes, the policy gives REFER failed:dg1_matches_mrz" },
	};
	struct passage_policy v2;
	struct audit_replay_result res;
	char *all, *line[NPASS];

	policy_of(VEC "params_v2.json", &v2, 2);
	passages(&all, line);
	for (size_t i = 0; i < sizeof(alt) / sizeof(alt[0]); i++) {
		char *p = replace(line[alt[i].line], alt[i].a, alt[i].b);

		replay_one(p, &v2, &res);
		ck_assert_msg(res.verdict == AUDIT_REPLAY_DISAGREE, "alteration %zu agrees", i);
		ck_assert_msg(strcmp(res.why, alt[i].why) == 0, "alteration %zu: %s", i, res.why);
		free(p);
	}
	/* the columns against the payload */
	{
		struct audit_replay_record *rec = malloc(sizeof(*rec));

		ck_assert_ptr_nonnull(rec);
		ck_assert_eg(audit_replay_payload_parse(line[0], strlen(line[0]), rec, NULL, 0),
		    EG_OK);
		ck_assert_eg(audit_replay_compare(rec, "REFER", "all_checks_passed", &v2, &res),
		    EG_OK);
		ck_assert_int_eq(res.verdict, AUDIT_REPLAY_DISAGREE);
		ck_assert_str_eq(res.why, "the decision column (REFER) is not the payload's (OPEN)");
		ck_assert_eg(audit_replay_compare(rec, "OPEN", "x", &v2, &res), EG_OK);
		ck_assert_str_eq(res.why, "the reason column is not the payload's");
		ck_assert_eg(audit_replay_compare(rec, NULL, NULL, &v2, &res), EG_OK);
		ck_assert_int_eq(res.verdict, AUDIT_REPLAY_DISAGREE);
		ck_assert_eg(audit_replay_compare(NULL, "OPEN", "x", &v2, &res), EG_ERR_INVAL);
		free(rec);
	}
	free(all);
}
END_TEST

/* An officer's decision on top of a referral: the officer's item decides
 * the record; the automated decision under it is reported. */
START_TEST(officer_override)
{
	struct passage_policy v2;
	struct audit_replay_result res;
	char *all, *line[NPASS], *p, *q;

	policy_of(VEC "params_v2.json", &v2, 2);
	passages(&all, line);
	p = replace(line[1], "\"decision\":\"REFER\",\"reason\":\"biometric_mismatch\"",
	    "\"decision\":\"OPEN\",\"reason\":\"officer_override_open\"");
	q = replace(p, "{\"name\":\"pa.sod_parse\"",
	    "{\"name\":\"officer_override\",\"result\":\"pass\",\"detail\":\"let through\"},"
	    "{\"name\":\"pa.sod_parse\"");
	replay_one(q, &v2, &res);
	ck_assert_msg(res.verdict == AUDIT_REPLAY_AGREE, "%s", res.why);
	ck_assert_str_eq(res.decision, "OPEN");
	ck_assert_str_eq(res.rule, "officer_override_open");
	ck_assert_str_eq(res.automated, "REFER");
	ck_assert_str_eq(res.automated_rule, "biometric_mismatch");
	free(q);
	/* the officer refused instead, but the record says OPEN */
	q = replace(p, "{\"name\":\"pa.sod_parse\"",
	    "{\"name\":\"officer_override\",\"result\":\"fail\",\"detail\":\"refused\"},"
	    "{\"name\":\"pa.sod_parse\"");
	replay_one(q, &v2, &res);
	ck_assert_int_eq(res.verdict, AUDIT_REPLAY_DISAGREE);
	ck_assert_str_eq(res.decision, "REJECT");
	free(q);
	free(p);
	free(all);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const char *const bad_payload[] = {
		"", "[]", "{\"checks\":[],\"scores\":[]}",
		"{\"decision\":\"OPEN\",\"checks\":{},\"scores\":[],\"config_version\":2}",
		"{\"decision\":\"OPEN\",\"checks\":[],\"scores\":[],\"config_version\":-2}",
		"{\"decision\":\"OPEN\",\"checks\":[],\"scores\":[],\"config_version\":2.5}",
		"{\"decision\":\"\",\"checks\":[],\"scores\":[],\"config_version\":2}",
		"{\"decision\":\"OPEN\",\"checks\":[1],\"scores\":[],\"config_version\":2}",
		"{\"decision\":\"OPEN\",\"checks\":[{\"name\":1,\"result\":\"pass\"}],\"scores\":[],"
		    "\"config_version\":2}",
		/* a score without its check */
		"{\"decision\":\"OPEN\",\"checks\":[],\"scores\":[{\"name\":\"face_similarity\","
		    "\"value\":0.9,\"threshold\":0.5}],\"config_version\":2}",
		"{\"decision\":\"OPEN\",\"checks\":[{\"name\":\"match_1to1\",\"result\":\"pass\"}],"
		    "\"scores\":[{\"name\":\"face_similarity\",\"value\":\"0.9\",\"threshold\":0.5}],"
		    "\"config_version\":2}",
	};
	static const char *const bad_params[] = {
		"", "[]", "{}",
		/* an unknown member (could change the decision) */
		"{\"version\":2,\"thresholds\":{},\"settings\":{},\"master_lists_sha256\":[],"
		    "\"crls_sha256\":[],\"extra\":1}",
		/* incomplete */
		"{\"version\":2,\"thresholds\":{\"match_threshold\":0.5},\"settings\":{},"
		    "\"master_lists_sha256\":[],\"crls_sha256\":[]}",
	};
	struct audit_replay_record *rec = malloc(sizeof(*rec));
	struct passage_policy pol;
	char err[200], *v2, *p;
	int rc;

	ck_assert_ptr_nonnull(rec);
	for (size_t i = 0; i < sizeof(bad_payload) / sizeof(bad_payload[0]); i++) {
		err[0] = '\0';
		rc = audit_replay_payload_parse(bad_payload[i], strlen(bad_payload[i]), rec, err,
		    sizeof(err));
		ck_assert_msg(rc == EG_ERR_FORMAT && err[0] != '\0', "payload %zu: %s", i,
		    eg_err_name(rc));
	}
	for (size_t i = 0; i < sizeof(bad_params) / sizeof(bad_params[0]); i++) {
		rc = audit_replay_policy_parse(bad_params[i], strlen(bad_params[i]), &pol, NULL, err,
		    sizeof(err));
		ck_assert_msg(rc != EG_OK, "params %zu accepted", i);
	}
	/* values a kiosk refuses are refused here too */
	v2 = slurp(VEC "params_v2.json");
	p = replace(v2, "\"match_threshold\":0.5", "\"match_threshold\":1.5");
	ck_assert_eg(audit_replay_policy_parse(p, strlen(p), &pol, NULL, err, sizeof(err)),
	    EG_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "match_threshold"));
	free(p);
	p = replace(v2, "\"no_chip_auth\":\"accept\"", "\"no_chip_auth\":\"maybe\"");
	ck_assert_eg(audit_replay_policy_parse(p, strlen(p), &pol, NULL, err, sizeof(err)),
	    EG_ERR_CONFIG);
	free(p);
	p = replace(v2, "\"match_threshold\":0.5", "\"match_threshld\":0.5");
	ck_assert_eg(audit_replay_policy_parse(p, strlen(p), &pol, NULL, err, sizeof(err)),
	    EG_ERR_UNSUPPORTED);
	free(p);
	free(v2);
	ck_assert_eg(audit_replay_payload_parse(NULL, 0, rec, NULL, 0), EG_ERR_INVAL);
	ck_assert_eg(audit_replay_policy_parse(NULL, 0, &pol, NULL, NULL, 0), EG_ERR_INVAL);
	free(rec);
}
END_TEST

/* ---- egate audit replay over logs written with the host's keys ------------------- */

struct fx {
	char dir[160], db[192], pub[192];
	char priv[1024];
	uint8_t key[32];
};

static void
write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void
fx_keys(struct fx *f)
{
	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	char pub[512];

	eg_scratch_mkdir(f->dir, sizeof(f->dir), "egate-replay");
	snprintf(f->pub, sizeof(f->pub), "%s/audit.pub.pem", f->dir);
	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	ck_assert_int_eq(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	ck_assert_int_eq(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
	    mbedtls_ctr_drbg_random, &drbg), 0);
	ck_assert_int_eq(mbedtls_pk_write_key_pem(&pk, (uint8_t *)f->priv, sizeof(f->priv)), 0);
	ck_assert_int_eq(mbedtls_pk_write_pubkey_pem(&pk, (uint8_t *)pub, sizeof(pub)), 0);
	ck_assert_int_eq(mbedtls_ctr_drbg_random(&drbg, f->key, sizeof(f->key)), 0);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	write_file(f->pub, pub, strlen(pub));
}

/* Log what a host logs: the policy versions with their parameters (params
 * of version 2 may be swapped by the caller: p2), then the passages, one of
 * them (index alter, -1 none) replaced by altered. */
static void
fx_log(struct fx *f, const char *name, const char *p2, int alter, const char *altered)
{
	struct audit_keys keys = { .sign_key_pem = f->priv, .hmac_key = f->key,
		.hmac_key_len = sizeof(f->key) };
	struct audit_db *db = NULL;
	char *all, *line[NPASS], *params[2];
	uint8_t digest[AUDIT_HASH_LEN];

	snprintf(f->db, sizeof(f->db), "%s/%s.db", f->dir, name);
	params[0] = p2 != NULL ? strdup(p2) : slurp(VEC "params_v2.json");
	params[1] = slurp(VEC "params_v3.json");
	passages(&all, line);
	ck_assert_eg(audit_open(f->db, &keys, &db), EG_OK);
	for (int v = 0; v < 2; v++) {
		/* the bundle's digest stands in for the pushed configuration's */
		mbedtls_sha256_ret((const uint8_t *)params[v], strlen(params[v]), digest, 0);
		ck_assert_eg(audit_config_add_policy(db, (uint64_t)v + 2, T0 + v, digest,
		    "policy", params[v]), EG_OK);
	}
	for (int i = 0; i < NPASS; i++) {
		const char *payload = i == alter ? altered : line[i];
		struct audit_record r;
		enum audit_result res;
		char dec[16], rule[64];

		field(payload, "decision", dec, sizeof(dec));
		field(payload, "reason", rule, sizeof(rule));
		memset(&r, 0, sizeof(r));
		r.kiosk_id = "K01";
		r.seq = (uint64_t)i + 1;
		r.ts_ms = T0 + 1000 * (i + 1);
		r.type = "passage";
		r.decision = dec;
		r.reason = rule;
		r.payload = payload;
		ck_assert_eg(audit_append_batch(db, &r, 1, &res), EG_OK);
		ck_assert_int_eq(res, AUDIT_STORED);
	}
	ck_assert_eg(audit_checkpoint(db, NULL), EG_OK);
	audit_close(&db);
	free(params[0]);
	free(params[1]);
	free(all);
}

static void
fx_done(struct fx *f)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
run(char *out, size_t cap, const char *fmt, ...)
{
	char args[1024], cmd[1400];
	const char *bin = getenv("EGATE_BIN");
	va_list ap;
	FILE *p;
	size_t n = 0, got;
	int st;

	ck_assert_ptr_nonnull(bin);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' audit %s 2>&1", bin, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n + 1 < cap && (got = fread(out + n, 1, cap - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* verify finds nothing wrong with a log its key holder wrote: no external
 * checkpoint (6), not tampering (1) */
static void
verifies(const struct fx *f, char *out, size_t cap)
{
	ck_assert_int_eq(run(out, cap, "--db '%s' verify --pubkey '%s'", f->db, f->pub), 6);
	ck_assert_ptr_null(strstr(out, "TAMPERED"));
}

START_TEST(cli_genuine)
{
	struct fx f;
	static char out[1 << 16];

	fx_keys(&f);
	fx_log(&f, "genuine", NULL, -1, NULL);
	verifies(&f, out, sizeof(out));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all", f.db), 0);
	ck_assert_int_eq(count(out, " agree\n"), NPASS);
	ck_assert_ptr_nonnull(strstr(out, "AGREE: 15 passages replayed: 15 agree, 0 disagree"));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all --json", f.db), 0);
	ck_assert_int_eq(count(out, "\"verdict\":\"agree\""), NPASS);
	ck_assert_ptr_nonnull(strstr(out, "\"passages\":15,\"agree\":15,\"disagree\":0,"));
	ck_assert_ptr_nonnull(strstr(out, "\"verdict\":\"AGREE\"}"));
	/* one record by id (config records are 1 and 2; passages from 3) */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --id 3 --json", f.db), 0);
	ck_assert_int_eq(count(out, "\"verdict\":\"agree\""), 1);
	ck_assert_ptr_nonnull(strstr(out, "\"decided_by\":\"watchlist\""));
	/* a config record is not a passage: nothing selected */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --id 1", f.db), 7);
	ck_assert_ptr_nonnull(strstr(out, "INCOMPLETE: no passage record selected"));
	/* usage */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all --id 3", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --seq 5-2", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --type config", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --seq 2-5", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' query --all", f.db), 2);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s/none.db' replay --all", f.dir), 3);
	fx_done(&f);
}
END_TEST

/* The key holder re-signs a referral as an opening: verify is content, the
 * replay is not. */
START_TEST(cli_resigned_decision)
{
	struct fx f;
	static char out[1 << 16];
	char *all, *line[NPASS], *alt;

	fx_keys(&f);
	passages(&all, line);
	alt = replace(line[1], "\"decision\":\"REFER\",\"reason\":\"biometric_mismatch\"",
	    "\"decision\":\"OPEN\",\"reason\":\"all_checks_passed\"");
	fx_log(&f, "resigned", NULL, 1, alt);
	verifies(&f, out, sizeof(out));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all", f.db), 1);
	ck_assert_int_eq(count(out, " agree\n"), NPASS - 1);
	ck_assert_int_eq(count(out, " disagree\n"), 1);
	ck_assert_ptr_nonnull(strstr(out, "OPEN all_checks_passed               "
	    "REFER biometric_mismatch             disagree"));
	ck_assert_ptr_nonnull(strstr(out, "recorded OPEN all_checks_passed, the policy gives REFER "
	    "biometric_mismatch"));
	ck_assert_ptr_nonnull(strstr(out, "DISAGREE: 15 passages replayed: 14 agree, 1 disagree"));
	/* the one record alone */
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --kiosk K01 --seq 2 --json", f.db),
	    1);
	ck_assert_ptr_nonnull(strstr(out, "\"recorded\":{\"decision\":\"OPEN\",\"rule\":"
	    "\"all_checks_passed\"},\"replayed\":{\"decision\":\"REFER\",\"rule\":"
	    "\"biometric_mismatch\"}"));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --seq 3-15", f.db), 0);
	free(alt);
	free(all);
	fx_done(&f);
}
END_TEST

/* The key holder logs other parameters for version 2 than were pushed
 * (a match threshold of 0.999): the openings and the recorded thresholds
 * no longer follow. */
START_TEST(cli_policy_changed)
{
	struct fx f;
	static char out[1 << 16];
	char *v2 = slurp(VEC "params_v2.json"), *p2;

	p2 = replace(v2, "\"match_threshold\":0.5", "\"match_threshold\":0.999");
	fx_keys(&f);
	fx_log(&f, "changed", p2, -1, NULL);
	verifies(&f, out, sizeof(out));
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all", f.db), 1);
	/* both openings now referred */
	ck_assert_int_eq(count(out, "OPEN all_checks_passed               REFER biometric_mismatch"
	    "             disagree"), 2);
	/* the watchlist hit (0.979) is now a biometric mismatch */
	ck_assert_int_eq(count(out, "REFER watchlist_hit                  REFER biometric_mismatch"
	    "             disagree"), 1);
	/* the impostor stays referred, but the threshold recorded is not 0.999 */
	ck_assert_int_eq(count(out, "face_similarity: recorded threshold 0.5, version 2 has "
	    "0.999"), 1);
	ck_assert_int_eq(count(out, " disagree\n"), 4);
	ck_assert_ptr_nonnull(strstr(out, "DISAGREE:"));
	/* the passages without a face score still agree, version 3 too */
	ck_assert_int_eq(count(out, " agree\n"), NPASS - 4);
	free(p2);
	free(v2);
	fx_done(&f);
}
END_TEST

/* The parameters edited in the file (triggers dropped): the digest in the
 * chain no longer matches; every passage under that version is reported. */
START_TEST(cli_params_tampered)
{
	struct fx f;
	static char out[1 << 16];
	char cmd[512];

	fx_keys(&f);
	fx_log(&f, "tampered", NULL, -1, NULL);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"DROP TRIGGER policy_params_no_update; "
	    "UPDATE policy_params SET params = replace(params, '\\\"match_threshold\\\":0.5', "
	    "'\\\"match_threshold\\\":0.9');\"", f.db);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all", f.db), 1);
	ck_assert_int_eq(count(out, " policy_tampered\n"), NPASS - 1);
	ck_assert_int_eq(count(out, " agree\n"), 1);	/* version 3's */
	ck_assert_ptr_nonnull(strstr(out, "the stored parameters of version 2 differ from the "
	    "digest in its config record"));
	ck_assert_ptr_nonnull(strstr(out, "14 under tampered parameters"));
	fx_done(&f);
}
END_TEST

/* What cannot be replayed is said, with exit 7 when nothing disagrees:
 * a kiosk's own policy (version 0), a version never logged, a purged
 * payload; a payload that is not an explanation is a disagreement (1). */
START_TEST(cli_not_replayable)
{
	struct fx f;
	static char out[1 << 16];
	char *all, *line[NPASS], *alt;
	struct audit_keys keys;
	struct audit_db *db = NULL;
	uint64_t purged = 0;

	fx_keys(&f);
	passages(&all, line);
	alt = replace(line[4], "\"config_version\":2,", "\"config_version\":0,");
	fx_log(&f, "v0", NULL, 4, alt);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all", f.db), 7);
	ck_assert_int_eq(count(out, " no_policy\n"), 1);
	ck_assert_ptr_nonnull(strstr(out, "decided under the kiosk's own policy file"));
	ck_assert_ptr_nonnull(strstr(out, "INCOMPLETE: 15 passages replayed: 14 agree, 0 disagree"));
	free(alt);
	alt = replace(line[4], "\"config_version\":2,", "\"config_version\":9,");
	fx_log(&f, "v9", NULL, 4, alt);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all --json", f.db), 7);
	ck_assert_ptr_nonnull(strstr(out, "config version 9 is not logged with its decision "
	    "parameters"));
	ck_assert_ptr_nonnull(strstr(out, "\"no_policy\":1,"));
	ck_assert_ptr_nonnull(strstr(out, "\"verdict\":\"INCOMPLETE\"}"));
	free(alt);
	alt = strdup("{\"scores\":[{\"name\":\"face_similarity\",\"value\":0.8}],"
	    "\"decision\":\"OPEN\",\"reason\":\"all_checks_passed\"}");
	fx_log(&f, "malformed", NULL, 4, alt);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all", f.db), 1);
	ck_assert_int_eq(count(out, " malformed\n"), 1);
	ck_assert_ptr_nonnull(strstr(out, "not a passage payload"));
	free(alt);
	/* retention purges the explanations of the first five */
	fx_log(&f, "purged", NULL, -1, NULL);
	keys = (struct audit_keys){ .sign_key_pem = f.priv, .hmac_key = f.key,
		.hmac_key_len = sizeof(f.key) };
	ck_assert_eg(audit_open(f.db, &keys, &db), EG_OK);
	ck_assert_eg(audit_purge(db, T0 + 5500, &purged), EG_OK);
	ck_assert(purged >= 5);
	audit_close(&db);
	ck_assert_int_eq(run(out, sizeof(out), "--db '%s' replay --all", f.db), 7);
	ck_assert_int_eq(count(out, " purged\n"), 5);
	ck_assert_int_eq(count(out, " agree\n"), NPASS - 5);
	free(all);
	fx_done(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("library");
	TCase *cli = tcase_create("cli");

	tcase_add_test(tc, json_reads);
	tcase_add_test(tc, json_refuses);
	tcase_add_test(tc, vectors_agree);
	tcase_add_test(tc, altered_records);
	tcase_add_test(tc, officer_override);
	tcase_add_test(tc, malformed_inputs);
	suite_add_tcase(s, tc);
	tcase_set_timeout(cli, 300);
	tcase_add_unchecked_fixture(cli, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(cli, cli_genuine);
	tcase_add_test(cli, cli_resigned_decision);
	tcase_add_test(cli, cli_policy_changed);
	tcase_add_test(cli, cli_params_tampered);
	tcase_add_test(cli, cli_not_replayable);
	suite_add_tcase(s, cli);
	return s;
}

EG_CHECK_MAIN()
