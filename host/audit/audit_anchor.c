/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_anchor.c — the text form of a signed checkpoint, for keeping it
 * outside the database, and its (strict, bounds-checked) parser.
 *
 *   egate-audit-checkpoint/v1        \
 *   count 1234                        | the signed text (audit_checkpoint_text)
 *   head 64 hex digits                |
 *   time 1795000000123               /
 *   key 16 hex digits
 *   sig hex of the DER ECDSA signature
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"
#include "egate/buf.h"
#include "egate/error.h"

int
audit_anchor_format(const struct audit_anchor *a, char *out, size_t cap)
{
	size_t n;
	int m;

	if (a != NULL && a->format == 2)
		return audit_note_format(a, out, cap);
	if (a == NULL || out == NULL || a->count == 0 || a->count > INT64_MAX ||
	    a->sig_len == 0 || a->sig_len > AUDIT_SIG_MAX || strlen(a->key_id) != AUDIT_KEY_ID_LEN)
		return EG_ERR_INVAL;
	n = audit_checkpoint_text(a->count, a->head, a->ts_ms, out, cap);
	if (n == 0)
		return EG_ERR_OVERFLOW;
	m = snprintf(out + n, cap - n, "key %s\nsig ", a->key_id);
	if (m < 0 || (size_t)m >= cap - n)
		return EG_ERR_OVERFLOW;
	n += (size_t)m;
	if (cap - n < 2 * a->sig_len + 2)
		return EG_ERR_OVERFLOW;
	for (size_t i = 0; i < a->sig_len; i++)
		snprintf(out + n + 2 * i, 3, "%02x", a->sig[i]);
	n += 2 * a->sig_len;
	out[n++] = '\n';
	out[n] = '\0';
	return EG_OK;
}

int
audit_checkpoint_latest(struct audit_db *db, char *out, size_t cap)
{
	struct audit_anchor a;
	sqlite3_stmt *st = NULL;
	const char *kid;
	int ret = EG_ERR_DB, rc;

	if (db == NULL || out == NULL || cap == 0)
		return EG_ERR_INVAL;
	out[0] = '\0';
	/* the newest signed note; a schema-1 text only if there is none */
	if ((ret = audit_checkpoint_at(db, 0, out, cap, NULL)) != EG_ERR_NOT_FOUND)
		return ret;
	ret = EG_ERR_DB;
	if (sqlite3_prepare_v2(db->db, "SELECT count, head_hash, ts, key_id, signature FROM checkpoints "
		"ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto out;
	memset(&a, 0, sizeof(a));
	a.count = (uint64_t)sqlite3_column_int64(st, 0);
	a.ts_ms = sqlite3_column_int64(st, 2);
	kid = (const char *)sqlite3_column_text(st, 3);
	a.sig_len = (size_t)sqlite3_column_bytes(st, 4);
	if (sqlite3_column_bytes(st, 1) != AUDIT_HASH_LEN || kid == NULL ||
	    strlen(kid) != AUDIT_KEY_ID_LEN || a.sig_len == 0 || a.sig_len > AUDIT_SIG_MAX) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	memcpy(a.head, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
	memcpy(a.key_id, kid, AUDIT_KEY_ID_LEN + 1);
	memcpy(a.sig, sqlite3_column_blob(st, 4), a.sig_len);
	ret = audit_anchor_format(&a, out, cap);
out:
	sqlite3_finalize(st);
	return ret;
}

/* ---- parser ---------------------------------------------------------------- */

/* The next line (without its '\n', which is mandatory) as a sub-cursor. */
static int
next_line(struct eg_rbuf *b, struct eg_rbuf *line)
{
	const uint8_t *nl = memchr(b->p, '\n', eg_rbuf_left(b));

	if (nl == NULL)
		return EG_ERR_FORMAT;
	if (eg_rbuf_sub(b, (size_t)(nl - b->p), line) != EG_OK || eg_rbuf_skip(b, 1) != EG_OK)
		return EG_ERR_FORMAT;
	return EG_OK;
}

/* Consume the exact prefix. */
static int
expect(struct eg_rbuf *line, const char *prefix)
{
	size_t n = strlen(prefix);
	const uint8_t *p;

	if (eg_rbuf_ptr(line, n, &p) != EG_OK || memcmp(p, prefix, n) != 0)
		return EG_ERR_FORMAT;
	return EG_OK;
}

/* The rest of the line as a canonical decimal (no sign, no leading zero)
 * of at most INT64_MAX. */
static int
decimal(struct eg_rbuf *line, uint64_t *v)
{
	size_t n = eg_rbuf_left(line);
	uint64_t x = 0;
	uint8_t c;

	if (n == 0 || n > 19 || (n > 1 && line->p[0] == '0'))
		return EG_ERR_FORMAT;
	while (eg_rbuf_u8(line, &c) == EG_OK) {
		if (c < '0' || c > '9')
			return EG_ERR_FORMAT;
		x = x * 10 + (uint64_t)(c - '0');
	}
	if (x > INT64_MAX)
		return EG_ERR_FORMAT;
	*v = x;
	return EG_OK;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* lower case only: one text per checkpoint */
}

/* The rest of the line as lower-case hex of min..max bytes. */
static int
hexbytes(struct eg_rbuf *line, uint8_t *out, size_t min, size_t max, size_t *outlen)
{
	size_t n = eg_rbuf_left(line);
	uint8_t hi, lo;

	if (n % 2 != 0 || n / 2 < min || n / 2 > max)
		return EG_ERR_FORMAT;
	for (size_t i = 0; i < n / 2; i++) {
		if (eg_rbuf_u8(line, &hi) != EG_OK || eg_rbuf_u8(line, &lo) != EG_OK ||
		    hexval(hi) < 0 || hexval(lo) < 0)
			return EG_ERR_FORMAT;
		out[i] = (uint8_t)(hexval(hi) << 4 | hexval(lo));
	}
	*outlen = n / 2;
	return EG_OK;
}

static int
parse_v1(const char *text, size_t len, struct audit_anchor *out)
{
	struct eg_rbuf b, line;
	struct audit_anchor a;
	uint8_t kid[AUDIT_KEY_ID_LEN / 2];
	uint64_t v;
	size_t n;
	int ret = EG_ERR_FORMAT;

	memset(&a, 0, sizeof(a));
	a.format = 1;
	b = eg_rbuf_init(text, len);
	if (next_line(&b, &line) != EG_OK || expect(&line, "egate-audit-checkpoint/v1") != EG_OK ||
	    eg_rbuf_left(&line) != 0)
		goto out;
	if (next_line(&b, &line) != EG_OK || expect(&line, "count ") != EG_OK ||
	    decimal(&line, &v) != EG_OK || v == 0)
		goto out;
	a.count = v;
	if (next_line(&b, &line) != EG_OK || expect(&line, "head ") != EG_OK ||
	    hexbytes(&line, a.head, AUDIT_HASH_LEN, AUDIT_HASH_LEN, &n) != EG_OK)
		goto out;
	if (next_line(&b, &line) != EG_OK || expect(&line, "time ") != EG_OK ||
	    decimal(&line, &v) != EG_OK)
		goto out;
	a.ts_ms = (int64_t)v;
	if (next_line(&b, &line) != EG_OK || expect(&line, "key ") != EG_OK ||
	    hexbytes(&line, kid, sizeof(kid), sizeof(kid), &n) != EG_OK)
		goto out;
	memcpy(a.key_id, line.p - AUDIT_KEY_ID_LEN, AUDIT_KEY_ID_LEN);
	a.key_id[AUDIT_KEY_ID_LEN] = '\0';
	if (next_line(&b, &line) != EG_OK || expect(&line, "sig ") != EG_OK ||
	    hexbytes(&line, a.sig, 1, AUDIT_SIG_MAX, &a.sig_len) != EG_OK)
		goto out;
	if (eg_rbuf_left(&b) != 0)
		goto out;	/* nothing may follow */
	*out = a;
	ret = EG_OK;
out:
	return ret;
}

int
audit_anchor_parse(const char *text, size_t len, struct audit_anchor *out)
{
	static const char v1[] = "egate-audit-checkpoint/v1\n";

	if (text == NULL || out == NULL)
		return EG_ERR_INVAL;
	if (len >= sizeof(v1) - 1 && memcmp(text, v1, sizeof(v1) - 1) == 0)
		return parse_v1(text, len, out);
	return audit_note_parse(text, len, out);
}

int
audit_checkpoint_at(struct audit_db *db, uint64_t size, char *out, size_t cap,
    struct audit_anchor *a)
{
	struct audit_anchor tmp;
	sqlite3_stmt *st = NULL;
	const char *note;
	size_t n;
	int ret = EG_ERR_DB, rc;

	if (db == NULL || out == NULL || cap == 0 || size > INT64_MAX)
		return EG_ERR_INVAL;
	out[0] = '\0';
	if (sqlite3_prepare_v2(db->db, size == 0 ?
		"SELECT note FROM checkpoints WHERE note IS NOT NULL ORDER BY id DESC LIMIT 1" :
		"SELECT note FROM checkpoints WHERE note IS NOT NULL AND count = ? "
		"ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (size > 0)
		sqlite3_bind_int64(st, 1, (int64_t)size);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto out;
	note = (const char *)sqlite3_column_text(st, 0);
	n = (size_t)sqlite3_column_bytes(st, 0);
	ret = EG_ERR_FORMAT;
	if (note == NULL || audit_note_parse(note, n, &tmp) != EG_OK)
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (n + 1 > cap)
		goto out;
	memcpy(out, note, n);
	out[n] = '\0';
	if (a != NULL)
		*a = tmp;
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}
