/* SPDX-License-Identifier: Apache-2.0 */
/* audit_json.c — a small, bounded JSON reader (see audit_json.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit_json.h"
#include "egate/buf.h"
#include "egate/error.h"

#define NUM_MAX 63

struct parser {
	struct eg_rbuf b;
	const uint8_t *base;
	struct audit_json_tok *t;
	size_t n, cap;
};

static bool
peek(const struct parser *p, uint8_t *c)
{
	if (eg_rbuf_left(&p->b) == 0)
		return false;
	*c = p->b.p[0];
	return true;
}

static void
skip_ws(struct parser *p)
{
	uint8_t c;

	while (peek(p, &c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
		(void)eg_rbuf_skip(&p->b, 1);
}

static size_t
pos(const struct parser *p)
{
	return (size_t)(p->b.p - p->base);
}

static int
tok_new(struct parser *p, enum audit_json_type type, size_t *idx)
{
	if (p->n == p->cap)
		return EG_ERR_OVERFLOW;
	memset(&p->t[p->n], 0, sizeof(p->t[p->n]));
	p->t[p->n].type = type;
	p->t[p->n].start = pos(p);
	*idx = p->n++;
	return EG_OK;
}

static int
hex4(struct eg_rbuf *b, unsigned *v)
{
	uint8_t c;

	*v = 0;
	for (int i = 0; i < 4; i++) {
		if (eg_rbuf_u8(b, &c) != EG_OK)
			return EG_ERR_FORMAT;
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return EG_ERR_FORMAT;
	}
	return EG_OK;
}

/*
 * One string body after its opening quote, up to and including the closing
 * one. With out, the unescaped bytes are appended there (out_cap bytes, the
 * count in *out_len; EG_ERR_OVERFLOW when they do not fit). Checks escapes
 * and surrogate pairs either way.
 */
static int
string_body(struct eg_rbuf *b, char *out, size_t out_cap, size_t *out_len)
{
	size_t o = 0;
	int rc = EG_OK;

	for (;;) {
		uint8_t c, u8[4];
		size_t k = 0;
		unsigned cp;

		if (eg_rbuf_u8(b, &c) != EG_OK)
			return EG_ERR_FORMAT;
		if (c == '"')
			break;
		if (c < 0x20)
			return EG_ERR_FORMAT;
		if (c != '\\') {
			u8[k++] = c;
		} else {
			if (eg_rbuf_u8(b, &c) != EG_OK)
				return EG_ERR_FORMAT;
			switch (c) {
			case '"': case '\\': case '/': u8[k++] = c; break;
			case 'b': u8[k++] = '\b'; break;
			case 'f': u8[k++] = '\f'; break;
			case 'n': u8[k++] = '\n'; break;
			case 'r': u8[k++] = '\r'; break;
			case 't': u8[k++] = '\t'; break;
			case 'u':
				if (hex4(b, &cp) != EG_OK || (cp >= 0xDC00 && cp <= 0xDFFF))
					return EG_ERR_FORMAT;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					unsigned lo;
					uint8_t bs, uu;

					if (eg_rbuf_u8(b, &bs) != EG_OK || bs != '\\' ||
					    eg_rbuf_u8(b, &uu) != EG_OK || uu != 'u' ||
					    hex4(b, &lo) != EG_OK || lo < 0xDC00 || lo > 0xDFFF)
						return EG_ERR_FORMAT;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
				if (cp < 0x80) {
					u8[k++] = (uint8_t)cp;
				} else if (cp < 0x800) {
					u8[k++] = (uint8_t)(0xC0 | cp >> 6);
					u8[k++] = (uint8_t)(0x80 | (cp & 0x3F));
				} else if (cp < 0x10000) {
					u8[k++] = (uint8_t)(0xE0 | cp >> 12);
					u8[k++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
					u8[k++] = (uint8_t)(0x80 | (cp & 0x3F));
				} else {
					u8[k++] = (uint8_t)(0xF0 | cp >> 18);
					u8[k++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
					u8[k++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
					u8[k++] = (uint8_t)(0x80 | (cp & 0x3F));
				}
				break;
			default:
				return EG_ERR_FORMAT;
			}
		}
		if (out == NULL || rc != EG_OK)
			continue;
		for (size_t i = 0; i < k; i++) {
			if (u8[i] == 0) {
				rc = EG_ERR_FORMAT;
				break;
			}
			if (o + 1 >= out_cap) {
				rc = EG_ERR_OVERFLOW;
				break;
			}
			out[o++] = (char)u8[i];
		}
	}
	if (out != NULL && out_cap > 0)
		out[o < out_cap ? o : out_cap - 1] = '\0';
	if (out_len != NULL)
		*out_len = o;
	return rc;
}

static int
parse_string(struct parser *p, size_t *idx)
{
	int rc;

	(void)eg_rbuf_skip(&p->b, 1);	/* the opening quote */
	if ((rc = tok_new(p, AUDIT_JSON_STRING, idx)) != EG_OK)
		return rc;
	if ((rc = string_body(&p->b, NULL, 0, NULL)) != EG_OK)
		return rc;
	p->t[*idx].len = pos(p) - 1 - p->t[*idx].start;
	p->t[*idx].next = p->n;
	return EG_OK;
}

static bool
digit(const struct parser *p)
{
	uint8_t c;

	return peek(p, &c) && c >= '0' && c <= '9';
}

static int
parse_number(struct parser *p, size_t *idx)
{
	uint8_t c;
	int rc;

	if ((rc = tok_new(p, AUDIT_JSON_NUMBER, idx)) != EG_OK)
		return rc;
	if (peek(p, &c) && c == '-')
		(void)eg_rbuf_skip(&p->b, 1);
	if (!digit(p))
		return EG_ERR_FORMAT;
	if (peek(p, &c) && c == '0') {
		(void)eg_rbuf_skip(&p->b, 1);
	} else {
		while (digit(p))
			(void)eg_rbuf_skip(&p->b, 1);
	}
	if (peek(p, &c) && c == '.') {
		(void)eg_rbuf_skip(&p->b, 1);
		if (!digit(p))
			return EG_ERR_FORMAT;
		while (digit(p))
			(void)eg_rbuf_skip(&p->b, 1);
	}
	if (peek(p, &c) && (c == 'e' || c == 'E')) {
		(void)eg_rbuf_skip(&p->b, 1);
		if (peek(p, &c) && (c == '+' || c == '-'))
			(void)eg_rbuf_skip(&p->b, 1);
		if (!digit(p))
			return EG_ERR_FORMAT;
		while (digit(p))
			(void)eg_rbuf_skip(&p->b, 1);
	}
	p->t[*idx].len = pos(p) - p->t[*idx].start;
	if (p->t[*idx].len > NUM_MAX)
		return EG_ERR_OVERFLOW;
	p->t[*idx].next = p->n;
	return EG_OK;
}

static int
parse_word(struct parser *p, const char *w, enum audit_json_type type, size_t *idx)
{
	size_t n = strlen(w);
	int rc;

	if (eg_rbuf_left(&p->b) < n || memcmp(p->b.p, w, n) != 0)
		return EG_ERR_FORMAT;
	if ((rc = tok_new(p, type, idx)) != EG_OK)
		return rc;
	(void)eg_rbuf_skip(&p->b, n);
	p->t[*idx].len = n;
	p->t[*idx].next = p->n;
	return EG_OK;
}

static int parse_value(struct parser *p, int depth, size_t *idx);

/* Is the key token k equal (unescaped) to an earlier key of object obj? */
static int
key_seen(const struct parser *p, size_t obj, size_t k)
{
	char a[AUDIT_JSON_KEY_MAX + 1], b[AUDIT_JSON_KEY_MAX + 1];
	struct eg_rbuf r = eg_rbuf_init(p->base + p->t[k].start, p->t[k].len + 1);
	size_t alen = 0, blen = 0;

	if (string_body(&r, a, sizeof(a), &alen) != EG_OK)
		return EG_ERR_OVERFLOW;	/* longer than AUDIT_JSON_KEY_MAX (or a NUL) */
	for (size_t i = obj + 1; i < k; i = p->t[i + 1].next) {
		r = eg_rbuf_init(p->base + p->t[i].start, p->t[i].len + 1);
		if (string_body(&r, b, sizeof(b), &blen) == EG_OK && alen == blen &&
		    memcmp(a, b, alen) == 0)
			return EG_ERR_FORMAT;
	}
	return EG_OK;
}

static int
parse_container(struct parser *p, int depth, bool object, size_t *idx)
{
	uint8_t c;
	int rc;

	if (depth >= AUDIT_JSON_DEPTH_MAX)
		return EG_ERR_OVERFLOW;
	if ((rc = tok_new(p, object ? AUDIT_JSON_OBJECT : AUDIT_JSON_ARRAY, idx)) != EG_OK)
		return rc;
	(void)eg_rbuf_skip(&p->b, 1);	/* [ or { */
	skip_ws(p);
	if (peek(p, &c) && c == (object ? '}' : ']')) {
		(void)eg_rbuf_skip(&p->b, 1);
		goto done;
	}
	for (;;) {
		size_t k, v;

		if (object) {
			if (!peek(p, &c) || c != '"')
				return EG_ERR_FORMAT;
			if ((rc = parse_string(p, &k)) != EG_OK || (rc = key_seen(p, *idx, k)) != EG_OK)
				return rc;
			skip_ws(p);
			if (eg_rbuf_u8(&p->b, &c) != EG_OK || c != ':')
				return EG_ERR_FORMAT;
			skip_ws(p);
		}
		if ((rc = parse_value(p, depth + 1, &v)) != EG_OK)
			return rc;
		p->t[*idx].size++;
		skip_ws(p);
		if (eg_rbuf_u8(&p->b, &c) != EG_OK)
			return EG_ERR_FORMAT;
		if (c == (object ? '}' : ']'))
			break;
		if (c != ',')
			return EG_ERR_FORMAT;
		skip_ws(p);
	}
done:
	p->t[*idx].len = pos(p) - p->t[*idx].start;
	p->t[*idx].next = p->n;
	return EG_OK;
}

static int
parse_value(struct parser *p, int depth, size_t *idx)
{
	uint8_t c;

	if (!peek(p, &c))
		return EG_ERR_FORMAT;
	switch (c) {
	case '{': return parse_container(p, depth, true, idx);
	case '[': return parse_container(p, depth, false, idx);
	case '"': return parse_string(p, idx);
	case 't': return parse_word(p, "true", AUDIT_JSON_TRUE, idx);
	case 'f': return parse_word(p, "false", AUDIT_JSON_FALSE, idx);
	case 'n': return parse_word(p, "null", AUDIT_JSON_NULL, idx);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p, idx);
		return EG_ERR_FORMAT;
	}
}

int
audit_json_parse(const char *text, size_t len, size_t max_tokens, struct audit_json *out)
{
	struct parser p;
	size_t top;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (text == NULL || out == NULL || max_tokens == 0)
		return EG_ERR_INVAL;
	memset(&p, 0, sizeof(p));
	p.b = eg_rbuf_init(text, len);
	p.base = (const uint8_t *)text;
	/* never more tokens than bytes: a token takes at least one */
	p.cap = max_tokens < len ? max_tokens : (len > 0 ? len : 1);
	if ((p.t = calloc(p.cap, sizeof(*p.t))) == NULL)
		return EG_ERR_NOMEM;
	skip_ws(&p);
	if ((rc = parse_value(&p, 0, &top)) == EG_OK) {
		skip_ws(&p);
		if (eg_rbuf_left(&p.b) != 0)
			rc = EG_ERR_FORMAT;
	}
	if (rc != EG_OK) {
		free(p.t);
		return rc;
	}
	out->text = text;
	out->len = len;
	out->t = p.t;
	out->n = p.n;
	return EG_OK;
}

void
audit_json_free(struct audit_json *j)
{
	if (j == NULL)
		return;
	free(j->t);
	memset(j, 0, sizeof(*j));
}

size_t
audit_json_member(const struct audit_json *j, size_t obj, const char *key)
{
	size_t klen;

	if (j == NULL || key == NULL || obj >= j->n || j->t[obj].type != AUDIT_JSON_OBJECT)
		return (size_t)-1;
	klen = strlen(key);
	for (size_t i = obj + 1, m = 0; m < j->t[obj].size; m++, i = j->t[i + 1].next) {
		char k[AUDIT_JSON_KEY_MAX + 1];
		struct eg_rbuf r = eg_rbuf_init(j->text + j->t[i].start, j->t[i].len + 1);
		size_t n = 0;

		if (string_body(&r, k, sizeof(k), &n) == EG_OK && n == klen &&
		    memcmp(k, key, klen) == 0)
			return i + 1;
	}
	return (size_t)-1;
}

int
audit_json_str(const struct audit_json *j, size_t i, char *out, size_t cap)
{
	struct eg_rbuf r;

	if (j == NULL || out == NULL || cap == 0 || i >= j->n || j->t[i].type != AUDIT_JSON_STRING)
		return EG_ERR_INVAL;
	r = eg_rbuf_init(j->text + j->t[i].start, j->t[i].len + 1);	/* + the closing quote */
	return string_body(&r, out, cap, NULL);
}

static int
literal(const struct audit_json *j, size_t i, char buf[NUM_MAX + 1])
{
	if (j == NULL || i >= j->n || j->t[i].type != AUDIT_JSON_NUMBER || j->t[i].len > NUM_MAX)
		return EG_ERR_INVAL;
	memcpy(buf, j->text + j->t[i].start, j->t[i].len);
	buf[j->t[i].len] = '\0';
	return EG_OK;
}

int
audit_json_num(const struct audit_json *j, size_t i, double *v)
{
	char buf[NUM_MAX + 1], *end;
	double d;

	if (v == NULL || literal(j, i, buf) != EG_OK)
		return EG_ERR_INVAL;
	errno = 0;
	d = strtod(buf, &end);
	if (*end != '\0')
		return EG_ERR_INVAL;
	if (!isfinite(d) || (errno == ERANGE && d != 0.0))
		return EG_ERR_OVERFLOW;
	*v = d;
	return EG_OK;
}

int
audit_json_u64(const struct audit_json *j, size_t i, uint64_t *v)
{
	char buf[NUM_MAX + 1];
	uint64_t x = 0;

	if (v == NULL || literal(j, i, buf) != EG_OK)
		return EG_ERR_INVAL;
	for (const char *s = buf; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return EG_ERR_INVAL;
		if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return EG_ERR_OVERFLOW;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return EG_OK;
}

int
audit_json_bool(const struct audit_json *j, size_t i, bool *v)
{
	if (j == NULL || v == NULL || i >= j->n ||
	    (j->t[i].type != AUDIT_JSON_TRUE && j->t[i].type != AUDIT_JSON_FALSE))
		return EG_ERR_INVAL;
	*v = j->t[i].type == AUDIT_JSON_TRUE;
	return EG_OK;
}
