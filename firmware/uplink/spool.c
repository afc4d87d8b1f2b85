/* SPDX-License-Identifier: Apache-2.0 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "spool.h"

#define SCHEMA_VERSION 1

struct spool {
	sqlite3 *db;
	sqlite3_stmt *ins, *bump, *next, *ack, *count, *last;
};

static const char schema_v1[] =
    "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO counter (id, last_seq) VALUES (1, 0);"
    "CREATE TABLE IF NOT EXISTS events ("
    "  seq INTEGER PRIMARY KEY,"
    "  created_us INTEGER NOT NULL,"
    "  payload BLOB NOT NULL);";

static int
exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? EG_OK : EG_ERR_DB;
}

static int
migrate(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v, r;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return EG_ERR_DB;
	v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (v < 0 || v > SCHEMA_VERSION)
		return EG_ERR_DB;	/* unreadable, or written by a newer egate */
	if (v == SCHEMA_VERSION)
		return EG_OK;
	if ((r = exec(db, "BEGIN IMMEDIATE")) != EG_OK)
		return r;
	if (v < 1 && (r = exec(db, schema_v1)) != EG_OK)
		goto fail;
	if ((r = exec(db, "PRAGMA user_version = 1")) != EG_OK)
		goto fail;
	return exec(db, "COMMIT");
fail:
	exec(db, "ROLLBACK");
	return r;
}

int
spool_open(const char *path, struct spool **out)
{
	struct spool *s;
	int ret = EG_ERR_DB;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return EG_ERR_NOMEM;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(s->db, 5000);
	/* durability first: a record is on disk before spool_append returns */
	if (exec(s->db, "PRAGMA journal_mode=WAL") != EG_OK ||
	    exec(s->db, "PRAGMA synchronous=FULL") != EG_OK ||
	    exec(s->db, "PRAGMA secure_delete=ON") != EG_OK ||
	    migrate(s->db) != EG_OK)
		goto fail;
	if (sqlite3_prepare_v2(s->db, "UPDATE counter SET last_seq = last_seq + 1 WHERE id = 1 "
	    "RETURNING last_seq", -1, &s->bump, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO events (seq, created_us, payload) VALUES "
	    "(?, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER), ?)", -1, &s->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT seq, payload FROM events WHERE seq > ? ORDER BY seq LIMIT 1",
	    -1, &s->next, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE seq <= ?", -1, &s->ack, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT count(*) FROM events", -1, &s->count, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT last_seq FROM counter WHERE id = 1", -1, &s->last, NULL) != SQLITE_OK)
		goto fail;
	*out = s;
	return EG_OK;
fail:
	spool_close(&s);
	return ret;
}

void
spool_close(struct spool **sp)
{
	struct spool *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->bump);
	sqlite3_finalize(s->next);
	sqlite3_finalize(s->ack);
	sqlite3_finalize(s->count);
	sqlite3_finalize(s->last);
	sqlite3_close(s->db);
	free(s);
	*sp = NULL;
}

/* the spool_append_fn builder of spool_append: a copy of the payload */
struct copy_payload {
	const void *payload;
	size_t len;
};

static int
build_copy(void *ctx, uint64_t seq, uint8_t **payload, size_t *len)
{
	const struct copy_payload *c = ctx;

	(void)seq;
	if ((*payload = malloc(c->len > 0 ? c->len : 1)) == NULL)
		return EG_ERR_NOMEM;
	if (c->len > 0)
		memcpy(*payload, c->payload, c->len);
	*len = c->len;
	return EG_OK;
}

int
spool_append(struct spool *s, const void *payload, size_t len, uint64_t *seq)
{
	struct copy_payload c = { payload, len };

	if (len > SPOOL_MAX_PAYLOAD)
		return EG_ERR_OVERFLOW;
	return spool_append_fn(s, build_copy, &c, seq);
}

int
spool_append_fn(struct spool *s, spool_build_fn build, void *ctx, uint64_t *seq)
{
	sqlite3_int64 n;
	uint8_t *payload = NULL;
	size_t len = 0;
	int ret = EG_ERR_DB;

	if (s == NULL || build == NULL || seq == NULL)
		return EG_ERR_INVAL;
	if (exec(s->db, "BEGIN IMMEDIATE") != EG_OK)
		return EG_ERR_DB;
	if (sqlite3_step(s->bump) != SQLITE_ROW)
		goto fail;
	n = sqlite3_column_int64(s->bump, 0);
	sqlite3_reset(s->bump);
	if ((ret = build(ctx, (uint64_t)n, &payload, &len)) != EG_OK)
		goto fail;
	ret = EG_ERR_OVERFLOW;
	if (len > SPOOL_MAX_PAYLOAD)
		goto fail;
	ret = EG_ERR_DB;
	sqlite3_bind_int64(s->ins, 1, n);
	sqlite3_bind_blob(s->ins, 2, len > 0 ? (const void *)payload : "", (int)len, SQLITE_TRANSIENT);
	if (sqlite3_step(s->ins) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(s->ins);
	if (exec(s->db, "COMMIT") != EG_OK)
		goto fail;
	free(payload);
	*seq = (uint64_t)n;
	return EG_OK;
fail:
	free(payload);
	sqlite3_reset(s->bump);
	sqlite3_reset(s->ins);
	exec(s->db, "ROLLBACK");
	return ret;
}

int
spool_next(struct spool *s, uint64_t after, uint64_t *seq, uint8_t **payload, size_t *len)
{
	int ret = EG_ERR_NOT_FOUND, r;

	*payload = NULL;
	*len = 0;
	sqlite3_bind_int64(s->next, 1, (sqlite3_int64)after);
	r = sqlite3_step(s->next);
	if (r == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s->next, 1);
		int n = sqlite3_column_bytes(s->next, 1);
		*seq = (uint64_t)sqlite3_column_int64(s->next, 0);
		if ((*payload = malloc(n > 0 ? (size_t)n : 1)) == NULL) {
			ret = EG_ERR_NOMEM;
		} else {
			if (n > 0)
				memcpy(*payload, b, (size_t)n);
			*len = (size_t)n;
			ret = EG_OK;
		}
	} else if (r != SQLITE_DONE) {
		ret = EG_ERR_DB;
	}
	sqlite3_reset(s->next);
	return ret;
}

int
spool_last_seq(struct spool *s, uint64_t *seq)
{
	int ret = EG_ERR_DB;

	if (sqlite3_step(s->last) == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(s->last, 0);
		ret = EG_OK;
	}
	sqlite3_reset(s->last);
	return ret;
}

int
spool_ack(struct spool *s, uint64_t seq)
{
	uint64_t last;
	int r;

	if ((r = spool_last_seq(s, &last)) != EG_OK)
		return r;
	if (seq > last)
		return EG_ERR_PROTOCOL;
	sqlite3_bind_int64(s->ack, 1, (sqlite3_int64)seq);
	r = sqlite3_step(s->ack) == SQLITE_DONE ? EG_OK : EG_ERR_DB;
	sqlite3_reset(s->ack);
	return r;
}

int
spool_pending(struct spool *s, uint64_t *count)
{
	int ret = EG_ERR_DB;

	if (sqlite3_step(s->count) == SQLITE_ROW) {
		*count = (uint64_t)sqlite3_column_int64(s->count, 0);
		ret = EG_OK;
	}
	sqlite3_reset(s->count);
	return ret;
}
