/* SPDX-License-Identifier: Apache-2.0 */
/* explain.c — the canonical JSON explanation of a passage (see explain.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "explain.h"
#include "text.h"

const char *
proto_decision_name(Egate__Decision d)
{
	switch (d) {
	case EGATE__DECISION__DECISION_OPEN: return "OPEN";
	case EGATE__DECISION__DECISION_REFER: return "REFER";
	case EGATE__DECISION__DECISION_REJECT: return "REJECT";
	case EGATE__DECISION__DECISION_ABORTED: return "ABORTED";
	case EGATE__DECISION__DECISION_FAULT: return "FAULT";
	default: break;
	}
	return "UNSPECIFIED";
}

const char *
proto_check_result_name(Egate__CheckResult r)
{
	switch (r) {
	case EGATE__CHECK_RESULT__CHECK_PASS: return "pass";
	case EGATE__CHECK_RESULT__CHECK_FAIL: return "fail";
	case EGATE__CHECK_RESULT__CHECK_SKIPPED: return "skipped";
	case EGATE__CHECK_RESULT__CHECK_ERROR: return "error";
	default: break;
	}
	return "unspecified";
}

const char *
proto_officer_action_name(Egate__OfficerAction a)
{
	switch (a) {
	case EGATE__OFFICER_ACTION__OFFICER_OPEN: return "OPEN";
	case EGATE__OFFICER_ACTION__OFFICER_HOLD: return "HOLD";
	case EGATE__OFFICER_ACTION__OFFICER_RELEASE: return "RELEASE";
	case EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN: return "OVERRIDE_OPEN";
	case EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT: return "OVERRIDE_REJECT";
	default: break;
	}
	return "UNSPECIFIED";
}

/* A string that may be NULL or empty: written as "" either way, so the
 * layout never depends on protobuf presence. */
static void
key_str(struct eg_json *j, const char *k, const char *v)
{
	eg_json_key_str(j, k, v != NULL ? v : "");
}

int
proto_passage_payload(const Egate__PassageEvent *e, char **json, size_t *len)
{
	const Egate__Identifiers *id;
	struct eg_json j;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int ret = EG_ERR_INVAL;

	if (json != NULL)
		*json = NULL;
	if (len != NULL)
		*len = 0;
	if (e == NULL || json == NULL || len == NULL)
		return EG_ERR_INVAL;
	f = open_memstream(&buf, &n);
	if (f == NULL)
		return EG_ERR_NOMEM;
	id = e->identifiers;
	eg_json_init(&j, f);
	eg_json_obj_begin(&j);
	eg_json_key(&j, "seq");
	eg_json_uint(&j, e->seq);
	eg_json_key_int(&j, "ts_ms", e->ts_ms);
	eg_json_key_str(&j, "decision", proto_decision_name(e->decision));
	key_str(&j, "reason", e->reason);
	eg_json_key(&j, "checks");
	eg_json_arr_begin(&j);
	for (size_t i = 0; i < e->n_checks; i++) {
		const Egate__Check *c = e->checks[i];

		eg_json_obj_begin(&j);
		key_str(&j, "name", c->name);
		eg_json_key_str(&j, "result", proto_check_result_name(c->result));
		key_str(&j, "detail", c->detail);
		eg_json_obj_end(&j);
	}
	eg_json_arr_end(&j);
	eg_json_key(&j, "scores");
	eg_json_arr_begin(&j);
	for (size_t i = 0; i < e->n_scores; i++) {
		const Egate__Score *s = e->scores[i];

		eg_json_obj_begin(&j);
		key_str(&j, "name", s->name);
		eg_json_key_double(&j, "value", s->value);
		eg_json_key_double(&j, "threshold", s->threshold);
		eg_json_key_bool(&j, "passed", s->passed);
		eg_json_obj_end(&j);
	}
	eg_json_arr_end(&j);
	key_str(&j, "model_version", e->model_version);
	eg_json_key(&j, "config_version");
	eg_json_uint(&j, e->config_version);
	/* not personal: the issuing state and the kind of document */
	key_str(&j, "issuing_state", id != NULL ? id->issuing_state : NULL);
	key_str(&j, "document_type", id != NULL ? id->document_type : NULL);
	eg_json_key(&j, "duration_ms");
	eg_json_uint(&j, e->duration_ms);
	key_str(&j, "officer_id", e->officer_id);
	eg_json_key(&j, "command_id");
	eg_json_uint(&j, e->command_id);
	eg_json_key(&j, "overrides_seq");
	eg_json_uint(&j, e->overrides_seq);
	eg_json_obj_end(&j);
	ret = eg_json_finish(&j);
	if (fclose(f) != 0 && ret == EG_OK)
		ret = EG_ERR_IO;
	if (ret != EG_OK || buf == NULL) {
		if (ret == EG_OK)
			ret = EG_ERR_NOMEM;
		free(buf);
		return ret;
	}
	/* eg_json_finish ends the document with a newline: not part of it */
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	*json = buf;
	*len = n;
	return EG_OK;
}

/* ---- reading an audit payload ---------------------------------------------------- */

#define JSON_DEPTH_MAX 16

struct jp {
	struct eg_rbuf r;
	int depth;
};

static void
jp_ws(struct jp *p)
{
	while (eg_rbuf_left(&p->r) > 0 &&
	    (*p->r.p == ' ' || *p->r.p == '\t' || *p->r.p == '\n' || *p->r.p == '\r'))
		p->r.p++;
}

/* The next byte after white space, not consumed; 0 at the end. */
static uint8_t
jp_peek(struct jp *p)
{
	jp_ws(p);
	return eg_rbuf_left(&p->r) > 0 ? *p->r.p : 0;
}

static int
jp_expect(struct jp *p, uint8_t c)
{
	uint8_t b;

	if (jp_peek(p) != c || eg_rbuf_u8(&p->r, &b) != EG_OK)
		return EG_ERR_FORMAT;
	return EG_OK;
}

static int
jp_hex4(struct jp *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t b;

		if (eg_rbuf_u8(&p->r, &b) != EG_OK)
			return EG_ERR_FORMAT;
		if (b >= '0' && b <= '9')
			b = (uint8_t)(b - '0');
		else if (b >= 'a' && b <= 'f')
			b = (uint8_t)(b - 'a' + 10);
		else if (b >= 'A' && b <= 'F')
			b = (uint8_t)(b - 'A' + 10);
		else
			return EG_ERR_FORMAT;
		*v = (*v << 4) | b;
	}
	return EG_OK;
}

/* Append bytes to dst (cap bytes with the NUL): what does not fit is
 * dropped, back to the last whole character, and *cut is set. */
struct jstr_out {
	char *dst;
	size_t cap, len, boundary;
	bool cut;
};

static void
jstr_put(struct jstr_out *o, const uint8_t *b, size_t n)
{
	if (o->dst == NULL || o->cut)
		return;
	if (o->len + n >= o->cap) {
		o->cut = true;
		o->len = o->boundary;
		o->dst[o->len] = '\0';
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((b[i] & 0xC0) != 0x80)
			o->boundary = o->len;
		o->dst[o->len++] = (char)b[i];
	}
	o->dst[o->len] = '\0';
	/* a character is whole once the next one starts or the string ends */
}

/* A JSON string into dst (NULL: skip it). */
static int
jp_string(struct jp *p, char *dst, size_t cap, bool *cut)
{
	struct jstr_out o = { .dst = dst, .cap = cap };
	uint8_t b;

	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	if (dst != NULL && cap == 0)
		o.dst = NULL;
	if (jp_expect(p, '"') != EG_OK)
		return EG_ERR_FORMAT;
	for (;;) {
		if (eg_rbuf_u8(&p->r, &b) != EG_OK || b < 0x20)
			return EG_ERR_FORMAT;
		if (b == '"')
			break;
		if (b != '\\') {
			jstr_put(&o, &b, 1);
			continue;
		}
		if (eg_rbuf_u8(&p->r, &b) != EG_OK)
			return EG_ERR_FORMAT;
		switch (b) {
		case '"': case '\\': case '/': jstr_put(&o, &b, 1); break;
		case 'b': b = '\b'; jstr_put(&o, &b, 1); break;
		case 'f': b = '\f'; jstr_put(&o, &b, 1); break;
		case 'n': b = '\n'; jstr_put(&o, &b, 1); break;
		case 'r': b = '\r'; jstr_put(&o, &b, 1); break;
		case 't': b = '\t'; jstr_put(&o, &b, 1); break;
		case 'u': {
			uint32_t c, lo;
			uint8_t u[4];
			size_t n;

			if (jp_hex4(p, &c) != EG_OK || c == 0 || (c >= 0xDC00 && c <= 0xDFFF))
				return EG_ERR_FORMAT;
			if (c >= 0xD800 && c <= 0xDBFF) {
				uint8_t b1, b2;

				if (eg_rbuf_u8(&p->r, &b1) != EG_OK || eg_rbuf_u8(&p->r, &b2) != EG_OK ||
				    b1 != '\\' || b2 != 'u' || jp_hex4(p, &lo) != EG_OK ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return EG_ERR_FORMAT;
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			}
			if (c < 0x80) {
				u[0] = (uint8_t)c; n = 1;
			} else if (c < 0x800) {
				u[0] = (uint8_t)(0xC0 | (c >> 6)); u[1] = (uint8_t)(0x80 | (c & 0x3F)); n = 2;
			} else if (c < 0x10000) {
				u[0] = (uint8_t)(0xE0 | (c >> 12)); u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
				u[2] = (uint8_t)(0x80 | (c & 0x3F)); n = 3;
			} else {
				u[0] = (uint8_t)(0xF0 | (c >> 18)); u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
				u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F)); u[3] = (uint8_t)(0x80 | (c & 0x3F));
				n = 4;
			}
			jstr_put(&o, u, n);
			break;
		}
		default:
			return EG_ERR_FORMAT;
		}
	}
	if (cut != NULL && o.cut)
		*cut = true;
	return EG_OK;
}

/* A JSON number's text (strict grammar) into buf; *integer when it has no
 * fraction or exponent. */
static int
jp_number_text(struct jp *p, char *buf, size_t cap, bool *integer)
{
	size_t n = 0;
	int state = 0;	/* 0 sign, 1 int, 2 frac, 3 exp */
	bool digits = false;

	*integer = true;
	jp_ws(p);
	while (eg_rbuf_left(&p->r) > 0) {
		uint8_t b = *p->r.p;
		bool ok = false;

		if (b >= '0' && b <= '9') {
			/* no leading zeros: "0" then a digit is not JSON */
			if (state <= 1 && digits && n > 0 && buf[n - 1] == '0' &&
			    (n == 1 || buf[n - 2] == '-'))
				return EG_ERR_FORMAT;
			ok = true;
			digits = true;
			if (state == 0)
				state = 1;
		} else if (b == '-' && n == 0) {
			ok = true;
		} else if (b == '.' && state <= 1 && digits) {
			ok = true;
			state = 2;
			digits = false;
			*integer = false;
		} else if ((b == 'e' || b == 'E') && state <= 2 && digits) {
			ok = true;
			state = 3;
			digits = false;
			*integer = false;
		} else if ((b == '+' || b == '-') && state == 3 && n > 0 &&
		    (buf[n - 1] == 'e' || buf[n - 1] == 'E')) {
			ok = true;
		}
		if (!ok)
			break;
		if (n + 1 >= cap)
			return EG_ERR_FORMAT;
		buf[n++] = (char)b;
		p->r.p++;
	}
	buf[n] = '\0';
	return digits ? EG_OK : EG_ERR_FORMAT;
}

static int
jp_double(struct jp *p, double *v)
{
	char buf[64], *end;
	bool integer;

	if (jp_number_text(p, buf, sizeof(buf), &integer) != EG_OK)
		return EG_ERR_FORMAT;
	*v = strtod(buf, &end);
	return *end == '\0' ? EG_OK : EG_ERR_FORMAT;
}

static int
jp_u64(struct jp *p, uint64_t *v)
{
	char buf[64], *end;
	bool integer;

	if (jp_number_text(p, buf, sizeof(buf), &integer) != EG_OK || !integer || buf[0] == '-')
		return EG_ERR_FORMAT;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno == 0 && *end == '\0' ? EG_OK : EG_ERR_FORMAT;
}

static int
jp_i64(struct jp *p, int64_t *v)
{
	char buf[64], *end;
	bool integer;
	long long x;

	if (jp_number_text(p, buf, sizeof(buf), &integer) != EG_OK || !integer)
		return EG_ERR_FORMAT;
	errno = 0;
	x = strtoll(buf, &end, 10);
	*v = x;
	return errno == 0 && *end == '\0' ? EG_OK : EG_ERR_FORMAT;
}

static int
jp_literal(struct jp *p, const char *lit)
{
	size_t n = strlen(lit);
	const uint8_t *q;

	jp_ws(p);
	if (eg_rbuf_left(&p->r) < n || memcmp(p->r.p, lit, n) != 0)
		return EG_ERR_FORMAT;
	return eg_rbuf_ptr(&p->r, n, &q);
}

static int
jp_bool(struct jp *p, bool *v)
{
	if (jp_peek(p) == 't') {
		*v = true;
		return jp_literal(p, "true");
	}
	*v = false;
	return jp_literal(p, "false");
}

static int jp_skip(struct jp *p);

/*
 * Walk an object: for each member, fn(p, key, arg) reads the value (or
 * returns 1 to have it skipped).
 */
static int
jp_object(struct jp *p, int (*fn)(struct jp *, const char *, void *), void *arg)
{
	int rc;

	if (++p->depth > JSON_DEPTH_MAX)
		return EG_ERR_OVERFLOW;
	if (jp_expect(p, '{') != EG_OK)
		return EG_ERR_FORMAT;
	if (jp_peek(p) == '}') {
		p->r.p++;
		p->depth--;
		return EG_OK;
	}
	for (;;) {
		char key[32];
		bool cut = false;

		if (jp_string(p, key, sizeof(key), &cut) != EG_OK || jp_expect(p, ':') != EG_OK)
			return EG_ERR_FORMAT;
		rc = cut ? 1 : fn(p, key, arg);
		if (rc == 1)
			rc = jp_skip(p);
		if (rc != EG_OK)
			return rc;
		if (jp_peek(p) == ',') {
			p->r.p++;
			continue;
		}
		if (jp_expect(p, '}') != EG_OK)
			return EG_ERR_FORMAT;
		break;
	}
	p->depth--;
	return EG_OK;
}

/* Walk an array: fn(p, arg) reads each element. */
static int
jp_array(struct jp *p, int (*fn)(struct jp *, void *), void *arg)
{
	int rc;

	if (++p->depth > JSON_DEPTH_MAX)
		return EG_ERR_OVERFLOW;
	if (jp_expect(p, '[') != EG_OK)
		return EG_ERR_FORMAT;
	if (jp_peek(p) == ']') {
		p->r.p++;
		p->depth--;
		return EG_OK;
	}
	for (;;) {
		if ((rc = fn(p, arg)) != EG_OK)
			return rc;
		if (jp_peek(p) == ',') {
			p->r.p++;
			continue;
		}
		if (jp_expect(p, ']') != EG_OK)
			return EG_ERR_FORMAT;
		break;
	}
	p->depth--;
	return EG_OK;
}

static int
skip_member(struct jp *p, const char *key, void *arg)
{
	(void)p;
	(void)key;
	(void)arg;
	return 1;
}

static int
skip_element(struct jp *p, void *arg)
{
	(void)arg;
	return jp_skip(p);
}

static int
jp_skip(struct jp *p)
{
	double d;
	bool b;

	switch (jp_peek(p)) {
	case '{': return jp_object(p, skip_member, NULL);
	case '[': return jp_array(p, skip_element, NULL);
	case '"': return jp_string(p, NULL, 0, NULL);
	case 't': case 'f': return jp_bool(p, &b);
	case 'n': return jp_literal(p, "null");
	default: return jp_double(p, &d);
	}
}

/* (x, the explanation being filled, is in scope) */
#define JP_STR(p, obj, field) jp_string((p), (obj)->field, sizeof((obj)->field), &x->truncated)

static int
check_member(struct jp *p, const char *key, void *arg)
{
	struct proto_explain *x = arg;
	struct proto_explain_check *c = &x->checks[x->n_checks];

	if (strcmp(key, "name") == 0)
		return JP_STR(p, c, name) == EG_OK ? EG_OK : EG_ERR_FORMAT;
	if (strcmp(key, "result") == 0)
		return JP_STR(p, c, result) == EG_OK ? EG_OK : EG_ERR_FORMAT;
	if (strcmp(key, "detail") == 0)
		return JP_STR(p, c, detail) == EG_OK ? EG_OK : EG_ERR_FORMAT;
	return 1;
}

static int
check_element(struct jp *p, void *arg)
{
	struct proto_explain *x = arg;
	int rc;

	if (x->n_checks == PROTO_EXPLAIN_ITEMS) {
		x->truncated = true;
		return jp_skip(p);
	}
	if (jp_peek(p) != '{')
		return EG_ERR_FORMAT;
	memset(&x->checks[x->n_checks], 0, sizeof(x->checks[0]));
	if ((rc = jp_object(p, check_member, x)) == EG_OK)
		x->n_checks++;
	return rc;
}

static int
score_member(struct jp *p, const char *key, void *arg)
{
	struct proto_explain *x = arg;
	struct proto_explain_score *s = &x->scores[x->n_scores];

	if (strcmp(key, "name") == 0)
		return JP_STR(p, s, name);
	if (strcmp(key, "value") == 0)
		return jp_peek(p) == 'n' ? jp_literal(p, "null") : jp_double(p, &s->value);
	if (strcmp(key, "threshold") == 0)
		return jp_peek(p) == 'n' ? jp_literal(p, "null") : jp_double(p, &s->threshold);
	if (strcmp(key, "passed") == 0)
		return jp_bool(p, &s->passed);
	return 1;
}

static int
score_element(struct jp *p, void *arg)
{
	struct proto_explain *x = arg;
	int rc;

	if (x->n_scores == PROTO_EXPLAIN_ITEMS) {
		x->truncated = true;
		return jp_skip(p);
	}
	if (jp_peek(p) != '{')
		return EG_ERR_FORMAT;
	memset(&x->scores[x->n_scores], 0, sizeof(x->scores[0]));
	if ((rc = jp_object(p, score_member, x)) == EG_OK)
		x->n_scores++;
	return rc;
}

static int
top_member(struct jp *p, const char *key, void *arg)
{
	struct proto_explain *x = arg;

	if (strcmp(key, "seq") == 0) return jp_u64(p, &x->seq);
	if (strcmp(key, "ts_ms") == 0) return jp_i64(p, &x->ts_ms);
	if (strcmp(key, "decision") == 0) return JP_STR(p, x, decision);
	if (strcmp(key, "reason") == 0) return JP_STR(p, x, reason);
	if (strcmp(key, "checks") == 0)
		return jp_peek(p) == '[' ? jp_array(p, check_element, x) : EG_ERR_FORMAT;
	if (strcmp(key, "scores") == 0)
		return jp_peek(p) == '[' ? jp_array(p, score_element, x) : EG_ERR_FORMAT;
	if (strcmp(key, "model_version") == 0) return JP_STR(p, x, model_version);
	if (strcmp(key, "config_version") == 0) return jp_u64(p, &x->config_version);
	if (strcmp(key, "issuing_state") == 0) return JP_STR(p, x, issuing_state);
	if (strcmp(key, "document_type") == 0) return JP_STR(p, x, document_type);
	if (strcmp(key, "duration_ms") == 0) return jp_u64(p, &x->duration_ms);
	if (strcmp(key, "officer_id") == 0) return JP_STR(p, x, officer_id);
	if (strcmp(key, "command_id") == 0) return jp_u64(p, &x->command_id);
	if (strcmp(key, "overrides_seq") == 0) return jp_u64(p, &x->overrides_seq);
	return 1;
}

int
proto_explain_parse(const char *json, size_t len, struct proto_explain *x)
{
	struct jp p;
	int rc;

	if (x != NULL)
		memset(x, 0, sizeof(*x));
	if (json == NULL || x == NULL)
		return EG_ERR_INVAL;
	p.r = eg_rbuf_init(json, len);
	p.depth = 0;
	if (jp_peek(&p) != '{')
		return EG_ERR_FORMAT;
	if ((rc = jp_object(&p, top_member, x)) != EG_OK)
		return rc == EG_ERR_OVERFLOW ? rc : EG_ERR_FORMAT;
	return jp_peek(&p) == 0 && eg_rbuf_left(&p.r) == 0 ? EG_OK : EG_ERR_FORMAT;
}

static void
copy_cut(char *dst, size_t cap, const char *src, bool *cut)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((uint8_t)src[n] & 0xC0) == 0x80)
			n--;
		*cut = true;
	}
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int
proto_explain_from_event(const Egate__PassageEvent *e, struct proto_explain *x)
{
	if (x != NULL)
		memset(x, 0, sizeof(*x));
	if (e == NULL || x == NULL)
		return EG_ERR_INVAL;
	x->seq = e->seq;
	x->ts_ms = e->ts_ms;
	copy_cut(x->decision, sizeof(x->decision), proto_decision_name(e->decision), &x->truncated);
	copy_cut(x->reason, sizeof(x->reason), e->reason, &x->truncated);
	for (size_t i = 0; i < e->n_checks; i++) {
		struct proto_explain_check *c = &x->checks[x->n_checks];

		if (x->n_checks == PROTO_EXPLAIN_ITEMS) {
			x->truncated = true;
			break;
		}
		copy_cut(c->name, sizeof(c->name), e->checks[i]->name, &x->truncated);
		copy_cut(c->result, sizeof(c->result), proto_check_result_name(e->checks[i]->result),
		    &x->truncated);
		copy_cut(c->detail, sizeof(c->detail), e->checks[i]->detail, &x->truncated);
		x->n_checks++;
	}
	for (size_t i = 0; i < e->n_scores; i++) {
		struct proto_explain_score *s = &x->scores[x->n_scores];

		if (x->n_scores == PROTO_EXPLAIN_ITEMS) {
			x->truncated = true;
			break;
		}
		copy_cut(s->name, sizeof(s->name), e->scores[i]->name, &x->truncated);
		s->value = e->scores[i]->value;
		s->threshold = e->scores[i]->threshold;
		s->passed = e->scores[i]->passed;
		x->n_scores++;
	}
	copy_cut(x->model_version, sizeof(x->model_version), e->model_version, &x->truncated);
	x->config_version = e->config_version;
	if (e->identifiers != NULL) {
		copy_cut(x->issuing_state, sizeof(x->issuing_state), e->identifiers->issuing_state,
		    &x->truncated);
		copy_cut(x->document_type, sizeof(x->document_type), e->identifiers->document_type,
		    &x->truncated);
	}
	x->duration_ms = e->duration_ms;
	copy_cut(x->officer_id, sizeof(x->officer_id), e->officer_id, &x->truncated);
	x->command_id = e->command_id;
	x->overrides_seq = e->overrides_seq;
	return EG_OK;
}

/* ---- the explanation for people ---------------------------------------------------- */

int
proto_explain_text(const struct proto_explain *x, const char *indent, FILE *o)
{
	char t[48];
	bool any = false;

	if (x == NULL || o == NULL)
		return EG_ERR_INVAL;
	if (indent == NULL)
		indent = "";
	fputs(indent, o);
	proto_text_put(o, x->decision[0] ? x->decision : "?");
	fputs(": rule ", o);
	proto_text_put(o, x->reason[0] ? x->reason : "-");
	if (x->ts_ms > 0) {
		time_t s = (time_t)(x->ts_ms / 1000);
		struct tm tm;

		if (gmtime_r(&s, &tm) != NULL && strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
			fprintf(o, " (passage %llu, %s", (unsigned long long)x->seq, t);
		else
			fprintf(o, " (passage %llu", (unsigned long long)x->seq);
	} else {
		fprintf(o, " (passage %llu", (unsigned long long)x->seq);
	}
	if (x->duration_ms > 0)
		fprintf(o, ", %.1f s", (double)x->duration_ms / 1000.0);
	fputs(")\n", o);
	if (x->officer_id[0] != '\0') {
		fprintf(o, "%sdecided by officer ", indent);
		proto_text_put(o, x->officer_id);
		if (x->overrides_seq > 0)
			fprintf(o, " on referral %llu", (unsigned long long)x->overrides_seq);
		fputs("\n", o);
	}
	fprintf(o, "%sfailed or not checked:", indent);
	for (size_t i = 0; i < x->n_checks; i++) {
		const struct proto_explain_check *c = &x->checks[i];

		if (strcmp(c->result, "pass") == 0 || strcmp(c->result, "skipped") == 0)
			continue;
		fputs(any ? "; " : " ", o);
		proto_text_put(o, c->name);
		fputc('=', o);
		proto_text_put(o, c->result);
		if (c->detail[0] != '\0') {
			fputs(" (", o);
			proto_text_put(o, c->detail);
			fputc(')', o);
		}
		any = true;
	}
	fprintf(o, "%s\n%sscores:", any ? "" : " none", indent);
	any = false;
	for (size_t i = 0; i < x->n_scores; i++) {
		const struct proto_explain_score *s = &x->scores[i];

		fputs(any ? "; " : " ", o);
		proto_text_put(o, s->name);
		fprintf(o, " %.3f against threshold %.3f (%s)", s->value, s->threshold,
		    s->passed ? "passed" : "FAILED");
		any = true;
	}
	fprintf(o, "%s\n%sdocument ", any ? "" : " none", indent);
	proto_text_put(o, x->issuing_state[0] ? x->issuing_state : "-");
	fputc(' ', o);
	proto_text_put(o, x->document_type[0] ? x->document_type : "-");
	fputs("; model ", o);
	proto_text_put(o, x->model_version[0] ? x->model_version : "-");
	fprintf(o, "; configuration %llu%s\n", (unsigned long long)x->config_version,
	    x->truncated ? "; (cut: more than fits)" : "");
	return ferror(o) ? EG_ERR_IO : EG_OK;
}
