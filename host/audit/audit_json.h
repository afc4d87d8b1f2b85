/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_json.h — a small, bounded JSON reader for what the log keeps as
 * JSON (passage payloads, policy decision parameters), for `egate audit
 * replay`. The text is untrusted: whoever holds the host's keys can write
 * any bytes there. RFC 8259 grammar, strictly: one value, whitespace
 * around it, nothing else; no comments, no trailing commas, no raw control
 * characters in strings, escapes checked (\uXXXX surrogates paired). Limits:
 * AUDIT_JSON_DEPTH_MAX nesting, a token budget given by the caller, number
 * literals of at most 63 bytes, object keys of at most AUDIT_JSON_KEY_MAX
 * bytes, and no key twice in one object (two readers of one record must
 * not see two values).
 *
 * The result is a flat array of tokens in document order (as jsmn does):
 * a container is followed by its children; an object's children alternate
 * key (a string) and value. t[i].next is the index just past token i's
 * subtree, so siblings are walked with i = t[i].next.
 */
#ifndef EGATE_AUDIT_JSON_H
#define EGATE_AUDIT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_JSON_DEPTH_MAX 16
#define AUDIT_JSON_KEY_MAX 64

enum audit_json_type {
	AUDIT_JSON_NULL = 0,
	AUDIT_JSON_FALSE,
	AUDIT_JSON_TRUE,
	AUDIT_JSON_NUMBER,
	AUDIT_JSON_STRING,
	AUDIT_JSON_ARRAY,
	AUDIT_JSON_OBJECT,
};

struct audit_json_tok {
	enum audit_json_type type;
	size_t start, len;	/* the bytes in the text: a string without its quotes
				 * (still escaped), a number's literal */
	size_t size;		/* array: elements; object: members (key-value pairs) */
	size_t next;		/* index of the token after this subtree */
};

struct audit_json {
	const char *text;	/* borrowed from the caller of audit_json_parse */
	size_t len;
	struct audit_json_tok *t;	/* heap */
	size_t n;
};

/*
 * audit_json_parse — parse len bytes at text (borrowed: it must outlive
 * *out) into at most max_tokens tokens. On success *out holds the tokens
 * (t[0] is the top value); free them with audit_json_free. On error *out is
 * empty. Errors: EG_ERR_INVAL (NULL, max_tokens 0), EG_ERR_FORMAT (not
 * JSON as above, a key twice), EG_ERR_OVERFLOW (more tokens or deeper than
 * allowed, a number or key too long), EG_ERR_NOMEM.
 */
int audit_json_parse(const char *text, size_t len, size_t max_tokens, struct audit_json *out);

/* audit_json_free — free the tokens; safe on an empty or freed one. */
void audit_json_free(struct audit_json *j);

/*
 * audit_json_member — the value token of member key in object obj, or
 * (size_t)-1 when obj is not an object or has no such member.
 */
size_t audit_json_member(const struct audit_json *j, size_t obj, const char *key);

/*
 * audit_json_str — string token i unescaped into out (cap bytes,
 * NUL-terminated). Errors: EG_ERR_INVAL (not a string), EG_ERR_OVERFLOW
 * (does not fit; out holds a cut, valid prefix), EG_ERR_FORMAT (the string
 * holds a NUL, which C strings cannot carry).
 */
int audit_json_str(const struct audit_json *j, size_t i, char *out, size_t cap);

/*
 * audit_json_num — number token i as a double (finite).
 * Errors: EG_ERR_INVAL (not a number), EG_ERR_OVERFLOW (beyond a double).
 */
int audit_json_num(const struct audit_json *j, size_t i, double *v);

/*
 * audit_json_u64 — number token i as an unsigned integer (digits only, no
 * sign, fraction or exponent). Errors: EG_ERR_INVAL (not a number, not a
 * whole number), EG_ERR_OVERFLOW (above UINT64_MAX).
 */
int audit_json_u64(const struct audit_json *j, size_t i, uint64_t *v);

/* audit_json_bool — true/false token i. Errors: EG_ERR_INVAL (other type). */
int audit_json_bool(const struct audit_json *j, size_t i, bool *v);

#endif
