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

#include <fcntl.h>
#include <sys/stat.h>


#include "audit_int.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"

/* ---- schema ---------------------------------------------------------------- */

struct migration {
	int version;
	const char *description;
	const char *sql;
	int (*fill)(struct audit_db *a);	/* C part, same transaction; may be NULL */
};

static int migrate_tree(struct audit_db *a);

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
	  "  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;", NULL },
	{ 2, "RFC 9162 Merkle tree over the records, signed-note checkpoints, policy parameters",
	  "CREATE TABLE meta ("
	  "  key TEXT PRIMARY KEY,"
	  "  value TEXT NOT NULL);"
	  /* one row per complete subtree: (index of its last leaf, height) */
	  "CREATE TABLE tree ("
	  "  last INTEGER NOT NULL,"
	  "  level INTEGER NOT NULL,"
	  "  hash BLOB NOT NULL,"
	  "  PRIMARY KEY (last, level)) WITHOUT ROWID;"
	  /* the signed note (c2sp.org/tlog-checkpoint); NULL: a schema-1 checkpoint */
	  "ALTER TABLE checkpoints ADD COLUMN note TEXT;"
	  "CREATE TABLE policy_params ("
	  "  sha256 BLOB PRIMARY KEY,"
	  "  version INTEGER NOT NULL,"
	  "  params TEXT NOT NULL);"
	  "CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta "
	  "  BEGIN SELECT RAISE(ABORT, 'audit meta data is write-once'); END;"
	  "CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta "
	  "  BEGIN SELECT RAISE(ABORT, 'audit meta data is write-once'); END;"
	  "CREATE TRIGGER tree_no_delete BEFORE DELETE ON tree "
	  "  BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;"
	  "CREATE TRIGGER tree_no_update BEFORE UPDATE ON tree "
	  "  BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;"
	  "CREATE TRIGGER policy_params_no_delete BEFORE DELETE ON policy_params "
	  "  BEGIN SELECT RAISE(ABORT, 'policy parameters are append-only'); END;"
	  "CREATE TRIGGER policy_params_no_update BEFORE UPDATE ON policy_params "
	  "  BEGIN SELECT RAISE(ABORT, 'policy parameters are append-only'); END;", migrate_tree },
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
migrate(struct audit_db *a, int from)
{
	sqlite3 *db = a->db;
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
		if (m->fill != NULL && m->fill(a) != EG_OK)
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
	if (audit_hmac_init(&a->hmac, a->hmac_key, a->hmac_key_len) != EG_OK)
		return EG_ERR_CRYPTO;
	a->have_hmac = true;
	if (mbedtls_pk_parse_key(&a->sign, pem, strlen(k->sign_key_pem) + 1, NULL, 0) != 0 ||
	    !audit_pk_is_p256(&a->sign))
		return EG_ERR_CRYPTO;
	if (mbedtls_ctr_drbg_seed(&a->drbg, mbedtls_entropy_func, &a->entropy,
		(const uint8_t *)pers, sizeof(pers) - 1) != 0)
		return EG_ERR_CRYPTO;
	if (audit_note_kid_ecdsa(&a->sign, a->note_kid) != EG_OK)
		return EG_ERR_CRYPTO;
	return audit_key_id(&a->sign, a->key_id);
}

int
audit_meta_origin(sqlite3 *db, char out[AUDIT_ORIGIN_MAX + 1])
{
	sqlite3_stmt *st = NULL;
	const char *v;
	int ret = EG_ERR_DB;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'origin'", -1, &st, NULL) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	v = (const char *)sqlite3_column_text(st, 0);
	ret = EG_ERR_FORMAT;
	if (sqlite3_column_type(st, 0) != SQLITE_TEXT || v == NULL ||
	    strlen(v) > AUDIT_ORIGIN_MAX || strlen(v) == 0)
		goto out;
	memcpy(out, v, strlen(v) + 1);
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

const char *
audit_origin(const struct audit_db *a)
{
	return a != NULL ? a->origin : "";
}

int
audit_integrity(struct audit_db *a, bool full, char *why, size_t cap)
{
	sqlite3_stmt *st = NULL;
	const char *msg;
	int ret = EG_ERR_DB, rc;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	if (a == NULL)
		return EG_ERR_INVAL;
	rc = sqlite3_prepare_v2(a->db, full ? "PRAGMA integrity_check(8)" : "PRAGMA quick_check(8)",
	    -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		if (msg != NULL && strcmp(msg, "ok") == 0) {
			ret = EG_OK;
			goto out;
		}
		if (why != NULL && cap > 0) {
			snprintf(why, cap, "%s", msg != NULL ? msg : "(no message)");
			/* one line: SQLite separates its findings with newlines */
			for (char *q = why; *q != '\0'; q++)
				if (*q == '\n')
					*q = ' ';
		}
		ret = EG_ERR_CHECKSUM;
		goto out;
	}
	/* a page so damaged that the check itself cannot run */
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
		if (why != NULL && cap > 0)
			snprintf(why, cap, "%s", sqlite3_errmsg(a->db));
		ret = EG_ERR_CHECKSUM;
	}
out:
	sqlite3_finalize(st);
	return ret;
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
	a->range.size = UINT64_MAX;
	if ((ret = audit_sha256_new(&a->sha[0])) != EG_OK ||
	    (ret = audit_sha256_new(&a->sha[1])) != EG_OK)
		goto out;
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
		if (uv > 0) {
			char why[128];

			/* a damaged file is refused, never served (docs/audit.md) */
			if ((ret = audit_integrity(a, false, why, sizeof(why))) != EG_OK)
				goto out;
		}
		if ((ret = migrate(a, uv)) != EG_OK)
			goto out;
		if ((ret = audit_meta_origin(a->db, a->origin)) != EG_OK)
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
			NULL) != SQLITE_OK ||
		    sqlite3_prepare_v3(a->db, "INSERT INTO tree (last, level, hash) VALUES (?, ?, ?)",
			-1, SQLITE_PREPARE_PERSISTENT, &a->st_node, NULL) != SQLITE_OK)
			goto out;
		/* a migrated log is sealed in the new form at once */
		if (uv > 0 && uv < 2 && (ret = audit_checkpoint(a, NULL)) != EG_OK)
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
		if ((ret = audit_meta_origin(a->db, a->origin)) != EG_OK) {
			/* a page too damaged to read the log's name: say so */
			if (audit_integrity(a, false, NULL, 0) == EG_ERR_CHECKSUM)
				ret = EG_ERR_CHECKSUM;
			goto out;
		}
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
	sqlite3_finalize(a->st_node);
	if (a->db != NULL)
		sqlite3_close_v2(a->db);
	eg_secret_free(&a->hmac_key, a->hmac_key_len);
	if (a->have_hmac)
		audit_hmac_free(&a->hmac);
	audit_sha256_free(&a->sha[0]);
	audit_sha256_free(&a->sha[1]);
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
		sqlite3_bind_text(st, i, s->p, (int)s->n, SQLITE_STATIC);
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

/* Make the writer's right edge of the tree match a head of `size` leaves. */
static int
range_sync(struct audit_db *a, int64_t size)
{
	int rc;

	if (a->range.size == (uint64_t)size)
		return EG_OK;
	if ((rc = audit_range_load(a->db, (uint64_t)size, &a->range)) != EG_OK)
		a->range.size = UINT64_MAX;
	return rc;
}

/* Add a leaf to the tree: its level-0 row and one row per subtree closed. */
static int
tree_append(struct audit_db *a, const uint8_t leaf[AUDIT_HASH_LEN])
{
	uint8_t nodes[64][AUDIT_HASH_LEN];
	size_t nn = 0;
	int64_t last = (int64_t)a->range.size;
	int ret = EG_OK;

	if (audit_range_push(a->sha[0], &a->range, leaf, nodes, &nn) != EG_OK) {
		a->range.size = UINT64_MAX;
		return EG_ERR_CRYPTO;
	}
	for (size_t k = 0; k < nn && ret == EG_OK; k++) {
		sqlite3_bind_int64(a->st_node, 1, last);
		sqlite3_bind_int(a->st_node, 2, (int)k);
		sqlite3_bind_blob(a->st_node, 3, nodes[k], AUDIT_HASH_LEN, SQLITE_STATIC);
		if (sqlite3_step(a->st_node) != SQLITE_DONE)
			ret = EG_ERR_DB;
		sqlite3_reset(a->st_node);
	}
	if (ret != EG_OK)
		a->range.size = UINT64_MAX;
	return ret;
}

/*
 * Migration 2: the log's name, and the tree over the records already there
 * (leaves from the stored fields: audit_verify recomputes and compares).
 */
static int
migrate_tree(struct audit_db *a)
{
	char origin[AUDIT_ORIGIN_MAX + 1];
	sqlite3_stmt *st = NULL, *ins = NULL;
	int ret = EG_ERR_DB, rc;

	snprintf(origin, sizeof(origin), "egate-audit/%s", a->key_id);
	if (sqlite3_prepare_v2(a->db, "INSERT INTO meta VALUES ('origin', ?)", -1, &ins, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_bind_text(ins, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		goto out;
	if (sqlite3_prepare_v2(a->db, "INSERT INTO tree (last, level, hash) VALUES (?, ?, ?)", -1,
		&a->st_node, NULL) != SQLITE_OK)
		goto out;
	audit_range_init(&a->range);
	if (sqlite3_prepare_v2(a->db, "SELECT id, kiosk_id, seq, ts, type, decision, reason, "
		"officer, payload_hash, prev_hash FROM records ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_hdr h;
		uint8_t leaf[AUDIT_HASH_LEN];

		if ((uint64_t)sqlite3_column_int64(st, 0) != a->range.size + 1 ||
		    sqlite3_column_bytes(st, 8) != AUDIT_HASH_LEN ||
		    sqlite3_column_bytes(st, 9) != AUDIT_HASH_LEN) {
			ret = EG_ERR_FORMAT;	/* a damaged schema-1 log is not migrated */
			goto out;
		}
		h.kiosk_id = audit_str_c((const char *)sqlite3_column_text(st, 1));
		h.seq = sqlite3_column_int64(st, 2);
		h.ts_ms = sqlite3_column_int64(st, 3);
		h.type = audit_str_c((const char *)sqlite3_column_text(st, 4));
		h.decision = audit_str_c((const char *)sqlite3_column_text(st, 5));
		h.reason = audit_str_c((const char *)sqlite3_column_text(st, 6));
		h.officer = audit_str_c((const char *)sqlite3_column_text(st, 7));
		if (audit_record_hashes(NULL, a->sha[1], sqlite3_column_blob(st, 9),
			sqlite3_column_int64(st, 0), &h, sqlite3_column_blob(st, 8), NULL, leaf,
			NULL) != EG_OK ||
		    tree_append(a, leaf) != EG_OK)
			goto out;
	}
	if (rc == SQLITE_DONE)
		ret = EG_OK;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	sqlite3_finalize(a->st_node);
	a->st_node = NULL;
	a->range.size = UINT64_MAX;
	return ret;
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
	uint8_t pd[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN], leaf[AUDIT_HASH_LEN];
	sqlite3_stmt *st = NULL;
	int64_t seq = (int64_t)r->seq;
	int ret = EG_OK, rc;

	*res = AUDIT_INVALID;
	if (!record_valid(r))
		goto out;
	if (r->document_number != NULL) {
		if (audit_hmac_ident(&a->hmac, AUDIT_IDENT_DOCUMENT, r->document_number, doc) !=
		    EG_OK)
			goto out;
		sdoc = audit_str_c(doc);
	}
	if (r->holder_name != NULL) {
		if (audit_hmac_ident(&a->hmac, AUDIT_IDENT_NAME, r->holder_name, name) != EG_OK)
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
	if ((ret = audit_payload_digest(a->sha[0], &sdoc, &sname, &spay, pd)) != EG_OK)
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
	}
	hdr.seq = seq;

	if (audit_record_hashes(a->sha[0], a->sha[1], h->hash, h->id + 1, &hdr, pd, hash, leaf,
		NULL) != EG_OK) {
		ret = EG_ERR_CRYPTO;
		goto out;
	}
	/*
	 * Insert first: UNIQUE (kiosk_id, seq) makes a resent event fail the
	 * statement (SQLite undoes that statement only, the transaction goes
	 * on), and only then is the stored one read to tell a duplicate from a
	 * conflict; a lookup before every insert cost an index search per
	 * record. The values are bound SQLITE_STATIC: they outlive the step,
	 * and the bindings are cleared before this function returns.
	 */
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
	sqlite3_bind_blob(st, 12, pd, AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 13, h->hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 14, hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE && r->seq != 0) {
		/* idempotency on (kiosk_id, seq): the same event again, or another */
		st = a->st_lookup;
		sqlite3_bind_text(st, 1, r->kiosk_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seq);
		if (sqlite3_step(st) != SQLITE_ROW)
			goto out;
		*res = sqlite3_column_int64(st, 0) == r->ts_ms &&
		    col_eq(st, 1, &hdr.type) && col_eq(st, 2, &hdr.decision) &&
		    col_eq(st, 3, &hdr.reason) && col_eq(st, 4, &hdr.officer) &&
		    sqlite3_column_bytes(st, 5) == AUDIT_HASH_LEN &&
		    memcmp(sqlite3_column_blob(st, 5), pd, AUDIT_HASH_LEN) == 0 ?
		    AUDIT_DUPLICATE : AUDIT_CONFLICT;
		ret = EG_OK;
		goto out;
	}
	if (rc != SQLITE_DONE)
		goto out;
	/* the tree's rows after the record's: a refused record adds no leaf */
	if ((ret = tree_append(a, leaf)) != EG_OK)
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
	if ((ret = load_head(a->db, &h)) != EG_OK || (ret = range_sync(a, h.id)) != EG_OK)
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
	a->range.size = UINT64_MAX;
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

#define PARAMS_MAX (64 * 1024)

int
audit_config_add(struct audit_db *a, uint64_t version, int64_t ts_ms,
    const uint8_t sha256[AUDIT_HASH_LEN], const char *summary)
{
	return audit_config_add_policy(a, version, ts_ms, sha256, summary, NULL);
}

static void
hex32(const uint8_t *b, char out[2 * AUDIT_HASH_LEN + 1])
{
	audit_hex_lower(b, AUDIT_HASH_LEN, out);
}

int
audit_config_add_policy(struct audit_db *a, uint64_t version, int64_t ts_ms,
    const uint8_t sha256[AUDIT_HASH_LEN], const char *summary, const char *params)
{
	char payload[AUDIT_SHORT_MAX + 300], hex[2 * AUDIT_HASH_LEN + 1], phex[2 * AUDIT_HASH_LEN + 1];
	uint8_t pd[AUDIT_HASH_LEN];
	struct audit_record r;
	enum audit_result res;
	sqlite3_stmt *st = NULL;
	struct head h;
	int ret = EG_ERR_INVAL;

	if (a == NULL || sha256 == NULL || version == 0 || version > INT64_MAX ||
	    !len_ok(summary, AUDIT_SHORT_MAX, false) ||
	    (params != NULL && strnlen(params, PARAMS_MAX + 1) > PARAMS_MAX))
		return EG_ERR_INVAL;
	if (!a->writer)
		return EG_ERR_STATE;
	hex32(sha256, hex);
	/* canonical: fixed key order, no spaces; summary goes in `reason` */
	if (params != NULL) {
		if (audit_sha256(a->sha[0], params, strlen(params), pd) != EG_OK)
			return EG_ERR_CRYPTO;
		hex32(pd, phex);
		snprintf(payload, sizeof(payload), "{\"version\":%" PRIu64 ",\"sha256\":\"%s\","
		    "\"params_sha256\":\"%s\"}", version, hex, phex);
	} else {
		snprintf(payload, sizeof(payload), "{\"version\":%" PRIu64 ",\"sha256\":\"%s\"}",
		    version, hex);
	}
	memset(&r, 0, sizeof(r));
	r.kiosk_id = AUDIT_HOST_ID;
	r.seq = 0;
	r.ts_ms = ts_ms;
	r.type = "config";
	r.reason = summary;
	r.payload = payload;
	if (exec(a->db, "BEGIN IMMEDIATE") != EG_OK)
		return EG_ERR_DB;
	if ((ret = load_head(a->db, &h)) != EG_OK || (ret = range_sync(a, h.id)) != EG_OK ||
	    (ret = append_one(a, &r, &h, &res)) != EG_OK)
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
	if (params != NULL) {
		/* kept by digest: the same parameters for two versions are one row */
		if (sqlite3_prepare_v2(a->db, "INSERT OR IGNORE INTO policy_params VALUES (?, ?, ?)",
			-1, &st, NULL) != SQLITE_OK)
			goto rollback;
		sqlite3_bind_blob(st, 1, pd, AUDIT_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)version);
		sqlite3_bind_text(st, 3, params, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto rollback;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (exec(a->db, "COMMIT") != EG_OK)
		goto rollback;
	return EG_OK;
rollback:
	sqlite3_finalize(st);
	exec(a->db, "ROLLBACK");
	a->range.size = UINT64_MAX;
	return ret;
}

/* 64 lower-case hex digits after `"key":"` in a config record payload. */
static bool
payload_hex(const char *payload, const char *key, uint8_t out[AUDIT_HASH_LEN])
{
	char pat[40];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if (payload == NULL || (p = strstr(payload, pat)) == NULL)
		return false;
	p += strlen(pat);
	for (size_t i = 0; i < AUDIT_HASH_LEN; i++) {
		int v = 0;

		for (int j = 0; j < 2; j++) {
			char c = p[2 * i + (size_t)j];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

			if (d < 0)
				return false;
			v = v << 4 | d;
		}
		out[i] = (uint8_t)v;
	}
	return p[2 * AUDIT_HASH_LEN] == '"';
}

int
audit_policy_params(struct audit_db *a, uint64_t version, char **json)
{
	sqlite3_stmt *st = NULL;
	uint8_t want[AUDIT_HASH_LEN], got[AUDIT_HASH_LEN];
	const char *t;
	int ret = EG_ERR_DB, rc;

	if (json != NULL)
		*json = NULL;
	if (a == NULL || json == NULL || version == 0 || version > INT64_MAX)
		return EG_ERR_INVAL;
	/* the digest as the hash chain has it: the config record's payload */
	if (sqlite3_prepare_v2(a->db, "SELECT r.payload FROM config_versions c JOIN records r "
		"ON r.id = c.record_id WHERE c.version = ?", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, (int64_t)version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto out;
	if (!payload_hex((const char *)sqlite3_column_text(st, 0), "params_sha256", want)) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(a->db, "SELECT params FROM policy_params WHERE sha256 = ?", -1, &st,
		NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_blob(st, 1, want, AUDIT_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto out;
	t = (const char *)sqlite3_column_text(st, 0);
	ret = EG_ERR_MAC;
	if (t == NULL || sqlite3_column_type(st, 0) != SQLITE_TEXT)
		goto out;
	if (audit_sha256(a->sha[0], t, strlen(t), got) != EG_OK) {
		ret = EG_ERR_CRYPTO;
		goto out;
	}
	if (memcmp(got, want, AUDIT_HASH_LEN) != 0)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((*json = strdup(t)) == NULL)
		goto out;
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

/* ---- checkpoints ------------------------------------------------------------ */

int
audit_checkpoint(struct audit_db *a, bool *made)
{
	char note[AUDIT_ANCHOR_TEXT_MAX];
	struct audit_anchor an;
	uint8_t digest[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE], root[AUDIT_HASH_LEN];
	size_t blen, siglen = 0;
	sqlite3_stmt *st = NULL;
	struct head h;
	int64_t last_count = -1, last_ts = 0, ts;
	int ret = EG_ERR_INVAL, rc;

	if (made != NULL)
		*made = false;
	if (a == NULL)
		return EG_ERR_INVAL;
	if (!a->writer)
		return EG_ERR_STATE;
	if (exec(a->db, "BEGIN IMMEDIATE") != EG_OK)
		return EG_ERR_DB;
	if ((ret = load_head(a->db, &h)) != EG_OK || (ret = range_sync(a, h.id)) != EG_OK)
		goto rollback;
	ret = EG_ERR_DB;
	if (sqlite3_prepare_v2(a->db, "SELECT MAX(CASE WHEN note IS NOT NULL THEN count END), "
		"COALESCE(MAX(ts), 0) FROM checkpoints", -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		goto rollback;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		last_count = sqlite3_column_int64(st, 0);
	last_ts = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	if (h.id == 0 || h.id == last_count) {
		exec(a->db, "COMMIT");
		return EG_OK;	/* nothing new to seal */
	}
	ts = now_ms();
	if (ts < last_ts)
		ts = last_ts;	/* clock stepped back: keep checkpoint times monotonic */
	/* the signed note: origin, size, root (c2sp.org/tlog-checkpoint) */
	ret = EG_ERR_CRYPTO;
	if (audit_range_root(a->sha[0], &a->range, root) != EG_OK)
		goto rollback;
	memset(&an, 0, sizeof(an));
	an.format = 2;
	an.count = (uint64_t)h.id;
	memcpy(an.root, root, AUDIT_HASH_LEN);
	snprintf(an.origin, sizeof(an.origin), "%s", a->origin);
	ret = EG_ERR_CRYPTO;
	blen = audit_note_body(a->origin, (uint64_t)h.id, root, note, sizeof(note));
	if (blen == 0 || audit_sha256(a->sha[0], note, blen, digest) != EG_OK ||
	    mbedtls_pk_sign(&a->sign, MBEDTLS_MD_SHA256, digest, sizeof(digest), sig, &siglen,
		mbedtls_ctr_drbg_random, &a->drbg) != 0 || siglen > AUDIT_SIG_MAX)
		goto rollback;
	snprintf(an.sigs[0].name, sizeof(an.sigs[0].name), "%s", a->origin);
	memcpy(an.sigs[0].kid, a->note_kid, 4);
	memcpy(an.sigs[0].sig, sig, siglen);
	an.sigs[0].sig_len = siglen;
	an.n_sigs = 1;
	if (audit_note_format(&an, note, sizeof(note)) != EG_OK)
		goto rollback;
	ret = EG_ERR_DB;
	if (sqlite3_prepare_v2(a->db, "INSERT INTO checkpoints (record_id, count, head_hash, ts, "
		"key_id, signature, note) VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int64(st, 1, h.id);
	sqlite3_bind_int64(st, 2, h.id);
	sqlite3_bind_blob(st, 3, h.hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ts);
	sqlite3_bind_text(st, 5, a->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, sig, (int)siglen, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
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
	a->range.size = UINT64_MAX;
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
		"name_hmac = NULL, purged = 1 WHERE ts < ? AND purged = 0 "
		"AND type NOT IN ('config', 'system')", -1, &st, NULL) != SQLITE_OK)
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
		if ((ret = load_head(a->db, &h)) != EG_OK || (ret = range_sync(a, h.id)) != EG_OK ||
		    (ret = append_one(a, &r, &h, &res)) != EG_OK)
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
	a->range.size = UINT64_MAX;
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

int
audit_value_exists(struct audit_db *a, const char *col, const char *value, bool *yes)
{
	static const char *const cols[] = { "kiosk_id", "type", "decision", "reason", "officer" };
	char sql[96];
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_INVAL, rc;

	if (yes != NULL)
		*yes = false;
	if (a == NULL || col == NULL || value == NULL || yes == NULL)
		return EG_ERR_INVAL;
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		if (strcmp(col, cols[i]) != 0)
			continue;
		/* a fixed column name from the table above; the value is bound */
		snprintf(sql, sizeof(sql), "SELECT 1 FROM records WHERE %s = ? LIMIT 1", cols[i]);
		ret = EG_ERR_DB;
		if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
			break;
		sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
			*yes = rc == SQLITE_ROW;
			ret = EG_OK;
		}
		break;
	}
	sqlite3_finalize(st);
	return ret;
}

/* ---- copies ------------------------------------------------------------------ */

int
audit_snapshot(struct audit_db *a, const char *out_path, audit_progress_fn progress, void *arg)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *bk = NULL;
	struct audit_db tmp;
	char why[128];
	int ret = EG_ERR_INVAL, rc, fd;

	if (a == NULL || out_path == NULL)
		return EG_ERR_INVAL;
	if (access(out_path, F_OK) == 0)
		return EG_ERR_STATE;
	ret = EG_ERR_DB;
	if (sqlite3_open_v2(out_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		goto out;
	/* online backup: page by page from a read snapshot that includes the
	 * -wal; restarts by itself if the daemon writes in between */
	if ((bk = sqlite3_backup_init(dst, "main", a->db, "main")) == NULL)
		goto out;
	do {
		rc = sqlite3_backup_step(bk, 1024);
		if (progress != NULL)
			progress(arg, (uint64_t)(sqlite3_backup_pagecount(bk) -
			    sqlite3_backup_remaining(bk)), (uint64_t)sqlite3_backup_pagecount(bk));
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (sqlite3_backup_finish(bk) != SQLITE_OK || rc != SQLITE_DONE) {
		bk = NULL;
		goto out;
	}
	bk = NULL;
	/* the copy is checked before it is called a copy */
	memset(&tmp, 0, sizeof(tmp));
	tmp.db = dst;
	if ((ret = audit_integrity(&tmp, false, why, sizeof(why))) != EG_OK)
		goto out;
	ret = EG_ERR_DB;
	if (sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	sqlite3_close(dst);
	dst = NULL;
	ret = EG_ERR_IO;
	if ((fd = open(out_path, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	rc = fsync(fd);
	close(fd);
	if (rc != 0)
		goto out;
	ret = EG_OK;
out:
	if (bk != NULL)
		sqlite3_backup_finish(bk);
	if (dst != NULL)
		sqlite3_close(dst);
	return ret;
}

/* ---- the daemon's open ------------------------------------------------------- */

int
audit_open_anchored(const char *path, const struct audit_keys *keys, const char *anchor_path,
    struct audit_db **out, char *why, size_t cap)
{
	struct audit_anchor an;
	struct stat st;
	char text[AUDIT_ANCHOR_TEXT_MAX + 1];
	uint8_t root[AUDIT_HASH_LEN];
	uint64_t size = 0;
	ssize_t n = 0;
	int fd, ret;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (anchor_path == NULL || (fd = open(anchor_path, O_RDONLY | O_CLOEXEC)) < 0)
		return audit_open(path, keys, out);	/* no anchor yet: a new log may start */
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0 || audit_anchor_parse(text, (size_t)n, &an) != EG_OK) {
		if (why != NULL)
			snprintf(why, cap, "%s is not a checkpoint: restore it or move it away",
			    anchor_path);
		return EG_ERR_FORMAT;
	}
	if (stat(path, &st) != 0 || st.st_size == 0) {
		if (why != NULL)
			snprintf(why, cap, "the database is missing or empty but %s says it sealed %"
			    PRIu64 " records: refusing to start a new log over it (restore the "
			    "database; move the anchor away only to start a new log on purpose)",
			    anchor_path, an.count);
		return EG_ERR_STATE;
	}
	if ((ret = audit_open(path, keys, out)) != EG_OK) {
		if (why != NULL)
			snprintf(why, cap, "%s", ret == EG_ERR_CHECKSUM ? "the database is damaged "
			    "(SQLite quick_check fails): restore it from a snapshot" : eg_strerror(ret));
		return ret;
	}
	ret = EG_ERR_STATE;
	if (audit_tree_size(*out, &size) != EG_OK || size < an.count) {
		if (why != NULL)
			snprintf(why, cap, "the database holds %" PRIu64 " records but %s sealed %"
			    PRIu64 ": records were removed", size, anchor_path, an.count);
		goto fail;
	}
	if (an.format == 2) {
		if (strcmp(an.origin, (*out)->origin) != 0 ||
		    audit_root(*out, an.count, root) != EG_OK ||
		    memcmp(root, an.root, AUDIT_HASH_LEN) != 0) {
			if (why != NULL)
				snprintf(why, cap, "the database does not contain the checkpoint in %s"
				    " (log %s, %" PRIu64 " records): it was rewritten or replaced",
				    anchor_path, an.origin, an.count);
			goto fail;
		}
	} else {
		sqlite3_stmt *q = NULL;
		bool same = false;

		if (sqlite3_prepare_v2((*out)->db, "SELECT hash FROM records WHERE id = ?", -1, &q,
			NULL) == SQLITE_OK) {
			sqlite3_bind_int64(q, 1, (int64_t)an.count);
			same = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == AUDIT_HASH_LEN &&
			    memcmp(sqlite3_column_blob(q, 0), an.head, AUDIT_HASH_LEN) == 0;
		}
		sqlite3_finalize(q);
		if (!same) {
			if (why != NULL)
				snprintf(why, cap, "the database does not contain the checkpoint in %s "
				    "(%" PRIu64 " records): it was rewritten or replaced", anchor_path,
				    an.count);
			goto fail;
		}
	}
	return EG_OK;
fail:
	audit_close(out);
	return ret;
}
