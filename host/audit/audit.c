/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c — the audit store: open and migrate, append, checkpoint, purge,
 * query. Verification is in audit_verify.c, encodings in audit_crypto.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "audit_int.h"
#include "egate/error.h"
#include "egate/secure.h"

/* ---- schema ---------------------------------------------------------------- */

struct migration {
	int version;
	const char *description;
	const char *sql;
};

/*
 * Migrations, applied in order to a database whose PRAGMA user_version is
 * lower, each in its own transaction that also records it in
 * schema_migrations and sets user_version. Never edit a shipped step: add one.
 */
static const struct migration migrations[] = {
	{ 1, "initial schema: records, checkpoints, config_versions",
	  "CREATE TABLE schema_migrations ("
	  "  version INTEGER PRIMARY KEY,"
	  "  applied_ms INTEGER NOT NULL,"
	  "  description TEXT NOT NULL);"
	  "CREATE TABLE records ("
	  "  id INTEGER PRIMARY KEY,"		/* 1, 2, 3, ... dense */
	  "  kiosk_id TEXT NOT NULL,"
	  "  seq INTEGER NOT NULL,"
	  "  ts INTEGER NOT NULL,"		/* Unix ms UTC */
	  "  type TEXT NOT NULL,"
	  "  decision TEXT,"
	  "  reason TEXT,"
	  "  officer TEXT,"
	  "  doc_hmac TEXT,"			/* personal: NULL after purge */
	  "  name_hmac TEXT,"			/* personal: NULL after purge */
	  "  payload TEXT,"			/* personal: NULL after purge */
	  "  payload_hash BLOB NOT NULL,"	/* digest of the three above; kept */
	  "  purged INTEGER NOT NULL DEFAULT 0,"
	  "  prev_hash BLOB NOT NULL,"
	  "  hash BLOB NOT NULL,"
	  "  UNIQUE (kiosk_id, seq));"
	  "CREATE INDEX records_kiosk_ts ON records(kiosk_id, ts);"
	  "CREATE INDEX records_ts ON records(ts);"
	  "CREATE INDEX records_doc ON records(doc_hmac);"
	  "CREATE INDEX records_decision_ts ON records(decision, ts);"
	  "CREATE INDEX records_officer ON records(officer);"
	  "CREATE TABLE checkpoints ("
	  "  id INTEGER PRIMARY KEY,"
	  "  record_id INTEGER NOT NULL,"	/* last record sealed (== count) */
	  "  count INTEGER NOT NULL,"
	  "  head_hash BLOB NOT NULL,"
	  "  ts INTEGER NOT NULL,"
	  "  key_id TEXT NOT NULL,"
	  "  signature BLOB NOT NULL);"
	  "CREATE TABLE config_versions ("
	  "  version INTEGER PRIMARY KEY,"
	  "  ts INTEGER NOT NULL,"
	  "  sha256 BLOB NOT NULL,"
	  "  summary TEXT,"
	  "  record_id INTEGER NOT NULL REFERENCES records(id));"
	  /* Guard rails against accidents through this database file. They are
	   * not the protection (anyone with the file can drop them): the hash
	   * chain and the signed checkpoints are. */
	  "CREATE TRIGGER records_no_delete BEFORE DELETE ON records "
	  "  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
	  "CREATE TRIGGER records_no_update BEFORE UPDATE OF id, kiosk_id, seq, ts, type,"
	  "  decision, reason, officer, payload_hash, prev_hash, hash ON records "
	  "  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
	  "CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints "
	  "  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	  "CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints "
	  "  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;" },
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == AUDIT_SCHEMA_VERSION,
    "AUDIT_SCHEMA_VERSION must equal the number of migrations");

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? EG_OK : EG_ERR_DB;
}

static int
get_user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB, rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_NOTADB) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	if (rc != SQLITE_OK)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_NOTADB)
		ret = EG_ERR_FORMAT;
	if (rc != SQLITE_ROW)
		goto out;
	*v = sqlite3_column_int(st, 0);
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

static int
migrate(sqlite3 *db, int from)
{
	char sql[128];
	sqlite3_stmt *st = NULL;
	int ret = EG_OK;

	for (size_t i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];

		if (m->version <= from)
			continue;
		ret = EG_ERR_DB;
		if (exec(db, "BEGIN IMMEDIATE") != EG_OK)
			goto out;
		if (exec(db, m->sql) != EG_OK)
			goto rollback;
		if (sqlite3_prepare_v2(db, "INSERT INTO schema_migrations VALUES (?, ?, ?)", -1,
			&st, NULL) != SQLITE_OK)
			goto rollback;
		sqlite3_bind_int(st, 1, m->version);
		sqlite3_bind_int64(st, 2, now_ms());
		sqlite3_bind_text(st, 3, m->description, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto rollback;
		sqlite3_finalize(st);
		st = NULL;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
		if (exec(db, sql) != EG_OK || exec(db, "COMMIT") != EG_OK)
			goto rollback;
		ret = EG_OK;
		continue;
rollback:
		sqlite3_finalize(st);
		st = NULL;
		exec(db, "ROLLBACK");
		goto out;
	}
	/* statistics for the query planner (wrong index = 100x slower) */
	if (exec(db, "ANALYZE") != EG_OK)
		ret = EG_ERR_DB;
out:
	return ret;
}

/* ---- open / close ---------------------------------------------------------- */

static int
load_keys(struct audit_db *a, const struct audit_keys *k)
{
	static const char pers[] = "egate-audit";
	const uint8_t *pem = (const uint8_t *)k->sign_key_pem;

	if (k->sign_key_pem == NULL || k->hmac_key == NULL || k->hmac_key_len < AUDIT_HMAC_KEY_MIN)
		return EG_ERR_CRYPTO;
	a->hmac_key = malloc(k->hmac_key_len);
	if (a->hmac_key == NULL)
		return EG_ERR_NOMEM;
	memcpy(a->hmac_key, k->hmac_key, k->hmac_key_len);
	a->hmac_key_len = k->hmac_key_len;
	if (mbedtls_pk_parse_key(&a->sign, pem, strlen(k->sign_key_pem) + 1, NULL, 0) != 0 ||
	    !audit_pk_is_p256(&a->sign))
		return EG_ERR_CRYPTO;
	if (mbedtls_ctr_drbg_seed(&a->drbg, mbedtls_entropy_func, &a->entropy,
		(const uint8_t *)pers, sizeof(pers) - 1) != 0)
		return EG_ERR_CRYPTO;
	return audit_key_id(&a->sign, a->key_id);
}

int
audit_open(const char *path, const struct audit_keys *keys, struct audit_db **out)
{
	struct audit_db *a = NULL;
	int ret = EG_ERR_INVAL, uv = 0;
	int flags;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (path == NULL)
		goto out;
	ret = EG_ERR_NOMEM;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		goto out;
	mbedtls_pk_init(&a->sign);
	mbedtls_entropy_init(&a->entropy);
	mbedtls_ctr_drbg_init(&a->drbg);
	a->writer = keys != NULL;
	if (a->writer && (ret = load_keys(a, keys)) != EG_OK)
		goto out;
	if (!a->writer && access(path, F_OK) != 0) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	flags = SQLITE_OPEN_READWRITE | (a->writer ? SQLITE_OPEN_CREATE : 0);
	ret = EG_ERR_DB;
	if (sqlite3_open_v2(path, &a->db, flags, NULL) != SQLITE_OK)
		goto out;
	sqlite3_extended_result_codes(a->db, 1);
	sqlite3_busy_timeout(a->db, 5000);
	if ((ret = get_user_version(a->db, &uv)) != EG_OK)
		goto out;
	if (uv > AUDIT_SCHEMA_VERSION) {
		ret = EG_ERR_UNSUPPORTED;
		goto out;
	}
	ret = EG_ERR_DB;
	if (exec(a->db, "PRAGMA secure_delete = ON") != EG_OK ||
	    exec(a->db, "PRAGMA foreign_keys = ON") != EG_OK)
		goto out;
	if (a->writer) {
		sqlite3_stmt *st = NULL;
		bool wal = false;

		if (sqlite3_prepare_v2(a->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
		sqlite3_finalize(st);
		if (!wal || exec(a->db, "PRAGMA synchronous = FULL") != EG_OK)
			goto out;
		if ((ret = migrate(a->db, uv)) != EG_OK)
			goto out;
		ret = EG_ERR_DB;
		if (sqlite3_prepare_v3(a->db, "SELECT ts, type, decision, reason, officer, payload_hash "
			"FROM records WHERE kiosk_id = ? AND seq = ?", -1, SQLITE_PREPARE_PERSISTENT,
			&a->st_lookup, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v3(a->db, "INSERT INTO records (id, kiosk_id, seq, ts, type, "
			"decision, reason, officer, doc_hmac, name_hmac, payload, payload_hash, purged, "
			"prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", -1,
			SQLITE_PREPARE_PERSISTENT, &a->st_insert, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v3(a->db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM records "
			"WHERE kiosk_id = ?", -1, SQLITE_PREPARE_PERSISTENT, &a->st_host_seq,
			NULL) != SQLITE_OK)
			goto out;
	} else {
		if (uv == 0) {
			ret = EG_ERR_FORMAT;
			goto out;
		}
		if (uv < AUDIT_SCHEMA_VERSION) {
			ret = EG_ERR_UNSUPPORTED;
			goto out;
		}
		if (exec(a->db, "PRAGMA query_only = ON") != EG_OK)
			goto out;
	}
	*out = a;
	a = NULL;
	ret = EG_OK;
out:
	audit_close(&a);
	return ret;
}

void
audit_close(struct audit_db **db)
{
	struct audit_db *a;

	if (db == NULL || *db == NULL)
		return;
	a = *db;
	sqlite3_finalize(a->st_lookup);
	sqlite3_finalize(a->st_insert);
	sqlite3_finalize(a->st_host_seq);
	if (a->db != NULL)
		sqlite3_close_v2(a->db);
	eg_secret_free(&a->hmac_key, a->hmac_key_len);
	mbedtls_pk_free(&a->sign);
	mbedtls_ctr_drbg_free(&a->drbg);
	mbedtls_entropy_free(&a->entropy);
	free(a);
	*db = NULL;
}

/* ---- appending -------------------------------------------------------------- */

/* The chain's current head, read inside the write transaction. */
struct head {
	int64_t id;
	uint8_t hash[AUDIT_HASH_LEN];
};

static int
load_head(sqlite3 *db, struct head *h)
{
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB, rc;

	memset(h, 0, sizeof(*h));
	if (sqlite3_prepare_v2(db, "SELECT id, hash FROM records ORDER BY id DESC LIMIT 1", -1,
		&st, NULL) != SQLITE_OK)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != AUDIT_HASH_LEN)
			goto out;
		h->id = sqlite3_column_int64(st, 0);
		memcpy(h->hash, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
	} else if (rc != SQLITE_DONE) {
		goto out;
	}
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

static bool
len_ok(const char *s, size_t max, bool required)
{
	if (s == NULL)
		return !required;
	size_t n = strnlen(s, max + 1);
	return n <= max && (!required || n > 0);
}

static bool
record_valid(const struct audit_record *r)
{
	return len_ok(r->kiosk_id, AUDIT_KIOSK_ID_MAX, true) && r->seq <= INT64_MAX &&
	    (r->seq >= 1 || strcmp(r->kiosk_id, AUDIT_HOST_ID) == 0) &&
	    len_ok(r->type, AUDIT_SHORT_MAX, true) &&
	    len_ok(r->decision, AUDIT_SHORT_MAX, false) && len_ok(r->reason, AUDIT_SHORT_MAX, false) &&
	    len_ok(r->officer, AUDIT_SHORT_MAX, false) &&
	    len_ok(r->document_number, AUDIT_SHORT_MAX, false) &&
	    len_ok(r->holder_name, AUDIT_SHORT_MAX, false) &&
	    len_ok(r->payload, AUDIT_PAYLOAD_MAX, false);
}

static void
bind_str(sqlite3_stmt *st, int i, const struct audit_str *s)
{
	if (s->p == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s->p, (int)s->n, SQLITE_TRANSIENT);
}

static bool
col_eq(sqlite3_stmt *st, int i, const struct audit_str *s)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return s->p == NULL;
	if (s->p == NULL)
		return false;
	const unsigned char *t = sqlite3_column_text(st, i);
	return t != NULL && (size_t)sqlite3_column_bytes(st, i) == s->n && memcmp(t, s->p, s->n) == 0;
}

/*
 * Append one record inside the caller's transaction, advancing *h.
 * Returns EG_OK with *res set, or an error that aborts the transaction.
 */
static int
append_one(struct audit_db *a, const struct audit_record *r, struct head *h, enum audit_result *res)
{
	char doc[AUDIT_HMAC_HEX_LEN + 1], name[AUDIT_HMAC_HEX_LEN + 1];
	struct audit_str sdoc = { NULL, 0 }, sname = { NULL, 0 }, spay;
	struct audit_hdr hdr;
	uint8_t pd[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN];
	sqlite3_stmt *st = NULL;
	int64_t seq = (int64_t)r->seq;
	int ret = EG_OK, rc;

	*res = AUDIT_INVALID;
	if (!record_valid(r))
		goto out;
	if (r->document_number != NULL) {
		if (audit_hmac_hex(a->hmac_key, a->hmac_key_len, AUDIT_IDENT_DOCUMENT,
			r->document_number, doc) != EG_OK)
			goto out;
		sdoc = audit_str_c(doc);
	}
	if (r->holder_name != NULL) {
		if (audit_hmac_hex(a->hmac_key, a->hmac_key_len, AUDIT_IDENT_NAME, r->holder_name,
			name) != EG_OK)
			goto out;
		sname = audit_str_c(name);
	}
	spay = audit_str_c(r->payload);
	hdr.kiosk_id = audit_str_c(r->kiosk_id);
	hdr.ts_ms = r->ts_ms;
	hdr.type = audit_str_c(r->type);
	hdr.decision = audit_str_c(r->decision);
	hdr.reason = audit_str_c(r->reason);
	hdr.officer = audit_str_c(r->officer);
	if ((ret = audit_payload_digest(&sdoc, &sname, &spay, pd)) != EG_OK)
		goto out;

	ret = EG_ERR_DB;
	if (seq == 0) {
		/* host record: next host sequence number */
		st = a->st_host_seq;
		sqlite3_bind_text(st, 1, r->kiosk_id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW)
			goto out;
		seq = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else {
		/* idempotency on (kiosk_id, seq) */
		st = a->st_lookup;
		sqlite3_bind_text(st, 1, r->kiosk_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seq);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			bool same = sqlite3_column_int64(st, 0) == r->ts_ms &&
			    col_eq(st, 1, &hdr.type) && col_eq(st, 2, &hdr.decision) &&
			    col_eq(st, 3, &hdr.reason) && col_eq(st, 4, &hdr.officer) &&
			    sqlite3_column_bytes(st, 5) == AUDIT_HASH_LEN &&
			    memcmp(sqlite3_column_blob(st, 5), pd, AUDIT_HASH_LEN) == 0;

			*res = same ? AUDIT_DUPLICATE : AUDIT_CONFLICT;
			ret = EG_OK;
			goto out;
		}
		if (rc != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	hdr.seq = seq;

	if (audit_record_digest(h->hash, h->id + 1, &hdr, pd, hash) != EG_OK) {
		ret = EG_ERR_CRYPTO;
		goto out;
	}
	st = a->st_insert;
	sqlite3_bind_int64(st, 1, h->id + 1);
	bind_str(st, 2, &hdr.kiosk_id);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_int64(st, 4, r->ts_ms);
	bind_str(st, 5, &hdr.type);
	bind_str(st, 6, &hdr.decision);
	bind_str(st, 7, &hdr.reason);
	bind_str(st, 8, &hdr.officer);
	bind_str(st, 9, &sdoc);
	bind_str(st, 10, &sname);
	bind_str(st, 11, &spay);
	sqlite3_bind_blob(st, 12, pd, AUDIT_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 13, h->hash, AUDIT_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 14, hash, AUDIT_HASH_LEN, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	h->id++;
	memcpy(h->hash, hash, AUDIT_HASH_LEN);
	*res = AUDIT_STORED;
	ret = EG_OK;
out:
	/* cached statements: reset, never finalize (and wipe the bound copies) */
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	eg_memzero(doc, sizeof(doc));
	eg_memzero(name, sizeof(name));
	return ret;
}

int
audit_append_batch(struct audit_db *a, const struct audit_record *recs, size_t n,
    enum audit_result *results)
{
	struct head h;
	int ret;

	if (a == NULL || recs == NULL || results == NULL || n == 0)
		return EG_ERR_INVAL;
	if (!a->writer)
		return EG_ERR_STATE;
	if (exec(a->db, "BEGIN IMMEDIATE") != EG_OK)
		return EG_ERR_DB;
	if ((ret = load_head(a->db, &h)) != EG_OK)
		goto rollback;
	for (size_t i = 0; i < n; i++)
		if ((ret = append_one(a, &recs[i], &h, &results[i])) != EG_OK)
			goto rollback;
	/* WAL + synchronous=FULL: durable when COMMIT returns */
	if (exec(a->db, "COMMIT") != EG_OK) {
		ret = EG_ERR_DB;
		goto rollback;
	}
	return EG_OK;
rollback:
	exec(a->db, "ROLLBACK");
	return ret;
}

int
audit_last_seq(struct audit_db *a, const char *kiosk_id, uint64_t *seq)
{
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB;

	if (a == NULL || kiosk_id == NULL || seq == NULL)
		return EG_ERR_INVAL;
	*seq = 0;
	if (sqlite3_prepare_v2(a->db, "SELECT COALESCE(MAX(seq), 0) FROM records WHERE kiosk_id = ?",
		-1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*seq = (uint64_t)sqlite3_column_int64(st, 0);
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

int
audit_config_add(struct audit_db *a, uint64_t version, int64_t ts_ms,
    const uint8_t sha256[AUDIT_HASH_LEN], const char *summary)
{
	char payload[AUDIT_SHORT_MAX + 200], hex[2 * AUDIT_HASH_LEN + 1];
	struct audit_record r;
	enum audit_result res;
	sqlite3_stmt *st = NULL;
	struct head h;
	int ret = EG_ERR_INVAL;

	if (a == NULL || sha256 == NULL || version == 0 || version > INT64_MAX ||
	    !len_ok(summary, AUDIT_SHORT_MAX, false))
		return EG_ERR_INVAL;
	if (!a->writer)
		return EG_ERR_STATE;
	for (size_t i = 0; i < AUDIT_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha256[i]);
	/* canonical: fixed key order, no spaces; summary goes in `reason` */
	snprintf(payload, sizeof(payload), "{\"version\":%" PRIu64 ",\"sha256\":\"%s\"}", version, hex);
	memset(&r, 0, sizeof(r));
	r.kiosk_id = AUDIT_HOST_ID;
	r.seq = 0;
	r.ts_ms = ts_ms;
	r.type = "config";
	r.reason = summary;
	r.payload = payload;
	if (exec(a->db, "BEGIN IMMEDIATE") != EG_OK)
		return EG_ERR_DB;
	if ((ret = load_head(a->db, &h)) != EG_OK || (ret = append_one(a, &r, &h, &res)) != EG_OK)
		goto rollback;
	ret = EG_ERR_INVAL;
	if (res != AUDIT_STORED)
		goto rollback;
	ret = EG_ERR_DB;
	if (sqlite3_prepare_v2(a->db, "INSERT INTO config_versions VALUES (?, ?, ?, ?, ?)", -1, &st,
		NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int64(st, 1, (int64_t)version);
	sqlite3_bind_int64(st, 2, ts_ms);
	sqlite3_bind_blob(st, 3, sha256, AUDIT_HASH_LEN, SQLITE_STATIC);
	if (summary != NULL)
		sqlite3_bind_text(st, 4, summary, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, h.id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(a->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			ret = EG_ERR_INVAL;
		goto rollback;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (exec(a->db, "COMMIT") != EG_OK)
		goto rollback;
	return EG_OK;
rollback:
	sqlite3_finalize(st);
	exec(a->db, "ROLLBACK");
	return ret;
}

/* ---- checkpoints ------------------------------------------------------------ */

int
audit_checkpoint(struct audit_db *a, bool *made)
{
	char text[256];
	uint8_t digest[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t tlen, siglen = 0;
	sqlite3_stmt *st = NULL;
	struct head h;
	int64_t last_count = 0, last_ts = 0, ts;
	int ret = EG_ERR_INVAL, rc;

	if (made != NULL)
		*made = false;
	if (a == NULL)
		return EG_ERR_INVAL;
	if (!a->writer)
		return EG_ERR_STATE;
	if (exec(a->db, "BEGIN IMMEDIATE") != EG_OK)
		return EG_ERR_DB;
	if ((ret = load_head(a->db, &h)) != EG_OK)
		goto rollback;
	ret = EG_ERR_DB;
	if (sqlite3_prepare_v2(a->db, "SELECT count, ts FROM checkpoints ORDER BY id DESC LIMIT 1",
		-1, &st, NULL) != SQLITE_OK)
		goto rollback;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		last_count = sqlite3_column_int64(st, 0);
		last_ts = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		goto rollback;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (h.id == 0 || h.id == last_count) {
		exec(a->db, "COMMIT");
		return EG_OK;	/* nothing new to seal */
	}
	ts = now_ms();
	if (ts < last_ts)
		ts = last_ts;	/* clock stepped back: keep checkpoint times monotonic */
	ret = EG_ERR_CRYPTO;
	tlen = audit_checkpoint_text((uint64_t)h.id, h.hash, ts, text, sizeof(text));
	if (tlen == 0 || mbedtls_sha256_ret((const uint8_t *)text, tlen, digest, 0) != 0 ||
	    mbedtls_pk_sign(&a->sign, MBEDTLS_MD_SHA256, digest, sizeof(digest), sig, &siglen,
		mbedtls_ctr_drbg_random, &a->drbg) != 0)
		goto rollback;
	ret = EG_ERR_DB;
	if (sqlite3_prepare_v2(a->db, "INSERT INTO checkpoints (record_id, count, head_hash, ts, "
		"key_id, signature) VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int64(st, 1, h.id);
	sqlite3_bind_int64(st, 2, h.id);
	sqlite3_bind_blob(st, 3, h.hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ts);
	sqlite3_bind_text(st, 5, a->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, sig, (int)siglen, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	sqlite3_finalize(st);
	st = NULL;
	if (exec(a->db, "COMMIT") != EG_OK)
		goto rollback;
	if (made != NULL)
		*made = true;
	return EG_OK;
rollback:
	sqlite3_finalize(st);
	exec(a->db, "ROLLBACK");
	return ret;
}

/* ---- retention -------------------------------------------------------------- */

int
audit_purge(struct audit_db *a, int64_t before_ts_ms, uint64_t *purged)
{
	char payload[128];
	struct audit_record r;
	enum audit_result res;
	sqlite3_stmt *st = NULL;
	struct head h;
	int64_t n;
	int ret = EG_ERR_DB;

	if (purged != NULL)
		*purged = 0;
	if (a == NULL)
		return EG_ERR_INVAL;
	if (!a->writer)
		return EG_ERR_STATE;
	if (exec(a->db, "BEGIN IMMEDIATE") != EG_OK)
		return EG_ERR_DB;
	if (sqlite3_prepare_v2(a->db, "UPDATE records SET payload = NULL, doc_hmac = NULL, "
		"name_hmac = NULL, purged = 1 WHERE ts < ? AND purged = 0", -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int64(st, 1, before_ts_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	sqlite3_finalize(st);
	st = NULL;
	n = sqlite3_changes64(a->db);
	if (n > 0) {
		/* the purge itself is part of the record */
		snprintf(payload, sizeof(payload), "{\"before_ts_ms\":%" PRId64 ",\"records\":%" PRId64 "}",
		    before_ts_ms, n);
		memset(&r, 0, sizeof(r));
		r.kiosk_id = AUDIT_HOST_ID;
		r.ts_ms = now_ms();
		r.type = "system";
		r.reason = "retention_purge";
		r.payload = payload;
		if ((ret = load_head(a->db, &h)) != EG_OK || (ret = append_one(a, &r, &h, &res)) != EG_OK)
			goto rollback;
		ret = EG_ERR_DB;
		if (res != AUDIT_STORED)
			goto rollback;
	}
	if (exec(a->db, "COMMIT") != EG_OK)
		goto rollback;
	/* move everything into the main file and truncate the WAL, so the old
	 * values (overwritten by secure_delete) do not linger in the log */
	if (exec(a->db, "PRAGMA wal_checkpoint(TRUNCATE)") != EG_OK)
		return EG_ERR_DB;
	if (purged != NULL)
		*purged = (uint64_t)n;
	return EG_OK;
rollback:
	sqlite3_finalize(st);
	exec(a->db, "ROLLBACK");
	return ret;
}

/* ---- queries ---------------------------------------------------------------- */

static const char *
col_str(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, i);
}

int
audit_query(struct audit_db *a, const struct audit_filter *f, audit_row_fn fn, void *arg)
{
	static const struct audit_filter none;
	char sql[1024];
	const char *texts[6];
	const char *cols[6] = { "kiosk_id", "type", "decision", "reason", "officer", "doc_hmac" };
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB, rc, bi = 1;
	size_t len;

	if (a == NULL || fn == NULL)
		return EG_ERR_INVAL;
	if (f == NULL)
		f = &none;
	texts[0] = f->kiosk_id;
	texts[1] = f->type;
	texts[2] = f->decision;
	texts[3] = f->reason;
	texts[4] = f->officer;
	texts[5] = f->doc_hmac;
	/* fixed fragments only; every value is a bound parameter */
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT id, kiosk_id, seq, ts, type, decision, reason, "
	    "officer, doc_hmac, name_hmac, payload, purged, hash FROM records WHERE 1");
	if (f->has_from)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND ts >= ?");
	if (f->has_to)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND ts < ?");
	for (int i = 0; i < 6; i++)
		if (texts[i] != NULL)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND %s = ?", cols[i]);
	if (f->seq > 0)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND seq = ?");
	len += (size_t)snprintf(sql + len, sizeof(sql) - len, " ORDER BY id");
	if (f->limit > 0)
		snprintf(sql + len, sizeof(sql) - len, " LIMIT ?");
	if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (f->has_from)
		sqlite3_bind_int64(st, bi++, f->from_ms);
	if (f->has_to)
		sqlite3_bind_int64(st, bi++, f->to_ms);
	for (int i = 0; i < 6; i++)
		if (texts[i] != NULL)
			sqlite3_bind_text(st, bi++, texts[i], -1, SQLITE_STATIC);
	if (f->seq > 0)
		sqlite3_bind_int64(st, bi++, f->seq > INT64_MAX ? INT64_MAX : (int64_t)f->seq);
	if (f->limit > 0)
		sqlite3_bind_int64(st, bi++, f->limit > INT64_MAX ? INT64_MAX : (int64_t)f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_row row;
		int cb;

		memset(&row, 0, sizeof(row));
		row.id = sqlite3_column_int64(st, 0);
		row.kiosk_id = col_str(st, 1);
		row.seq = sqlite3_column_int64(st, 2);
		row.ts_ms = sqlite3_column_int64(st, 3);
		row.type = col_str(st, 4);
		row.decision = col_str(st, 5);
		row.reason = col_str(st, 6);
		row.officer = col_str(st, 7);
		row.doc_hmac = col_str(st, 8);
		row.name_hmac = col_str(st, 9);
		row.payload = col_str(st, 10);
		row.purged = sqlite3_column_int(st, 11) != 0;
		if (sqlite3_column_bytes(st, 12) == AUDIT_HASH_LEN)
			memcpy(row.hash, sqlite3_column_blob(st, 12), AUDIT_HASH_LEN);
		cb = fn(arg, &row);
		if (cb != 0) {
			ret = cb;
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		goto out;
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}
