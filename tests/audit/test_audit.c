/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit — the audit store: migrations, append and idempotency, chain
 * verification, tampering of every kind, retention, identifier HMACs,
 * queries. Keys are generated here with mbedTLS; nothing external is used.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <sqlite3.h>

#include "audit.h"
#include "audit_int.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"

#define T0 1795000000000LL	/* 2026-11-18T11:06:40Z, ms */

struct fx {
	char dir[128];
	char path[144];
	char priv[1024];
	char pub[512];
	uint8_t hmac[32];
	struct audit_keys keys;
	struct audit_db *db;
};

static void
gen_key(char *priv, size_t privsz, char *pub, size_t pubsz)
{
	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;

	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
	    (const uint8_t *)"test", 4), 0);
	ck_assert_int_eq(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	ck_assert_int_eq(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
	    mbedtls_ctr_drbg_random, &drbg), 0);
	ck_assert_int_eq(mbedtls_pk_write_key_pem(&pk, (uint8_t *)priv, privsz), 0);
	if (pub != NULL)
		ck_assert_int_eq(mbedtls_pk_write_pubkey_pem(&pk, (uint8_t *)pub, pubsz), 0);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}

static void
fx_open(struct fx *f)
{
	ck_assert_eg(audit_open(f->path, &f->keys, &f->db), EG_OK);
}

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	eg_scratch_mkdir(f->dir, sizeof(f->dir), "egate-audit");
	snprintf(f->path, sizeof(f->path), "%s/audit.db", f->dir);
	gen_key(f->priv, sizeof(f->priv), f->pub, sizeof(f->pub));
	for (size_t i = 0; i < sizeof(f->hmac); i++)
		f->hmac[i] = (uint8_t)(0x5A ^ i);
	f->keys.sign_key_pem = f->priv;
	f->keys.hmac_key = f->hmac;
	f->keys.hmac_key_len = sizeof(f->hmac);
	fx_open(f);
}

static void
fx_done(struct fx *f)
{
	char p[160];

	audit_close(&f->db);
	ck_assert_ptr_null(f->db);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
}

static const char *const decisions[] = { "OPEN", "REFER", "REJECT", "OPEN", "OPEN" };
static const char *const docs[] = { "L898902C3", "X1234567", "C01X00T47", "P4366918", "AB0000001" };

/* Record i (1-based seq per kiosk K0(i%3)). */
static void
make_record(struct audit_record *r, int i, char *kiosk, char *payload, size_t psz)
{
	snprintf(kiosk, 8, "K%02d", i % 3);
	snprintf(payload, psz, "{\"checks\":[{\"name\":\"sod_signature\",\"result\":\"pass\"}],"
	    "\"scores\":[{\"name\":\"face_similarity\",\"value\":0.%03d,\"threshold\":0.55}],"
	    "\"model\":\"arcface:1a2b\",\"config\":7}", 500 + i);
	memset(r, 0, sizeof(*r));
	r->kiosk_id = kiosk;
	r->seq = (uint64_t)(i / 3 + 1);
	r->ts_ms = T0 + (int64_t)i * 60000;	/* one a minute */
	r->type = "passage";
	r->decision = decisions[i % 5];
	r->reason = i % 5 == 1 ? "face_below_threshold" : "all_checks_pass";
	r->officer = i % 7 == 6 ? "officer-117" : NULL;
	r->document_number = docs[i % 5];
	r->holder_name = "ERIKSSON<<ANNA<MARIA";
	r->payload = payload;
}

/* Append records 0..n-1 in batches of 7. */
static void
append_n(struct fx *f, int first, int n)
{
	for (int i = first; i < first + n; i += 7) {
		struct audit_record r[7];
		enum audit_result res[7];
		char kiosk[7][8], payload[7][400];
		int m = first + n - i < 7 ? first + n - i : 7;

		for (int j = 0; j < m; j++)
			make_record(&r[j], i + j, kiosk[j], payload[j], sizeof(payload[j]));
		ck_assert_eg(audit_append_batch(f->db, r, (size_t)m, res), EG_OK);
		for (int j = 0; j < m; j++)
			ck_assert_int_eq(res[j], AUDIT_STORED);
	}
}

static void
verify(struct fx *f, struct audit_report *rep)
{
	ck_assert_eg(audit_verify(f->db, f->pub, NULL, rep), EG_OK);
}

static void
checkpoint(struct fx *f)
{
	bool made = false;

	ck_assert_eg(audit_checkpoint(f->db, &made), EG_OK);
	ck_assert(made);
}

/* Raw SQL on the file, as an attacker with write access would do it
 * (the append-only triggers are dropped first). */
static void
raw_sql(struct fx *f, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	audit_close(&f->db);
	ck_assert_int_eq(sqlite3_open(f->path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, "DROP TRIGGER IF EXISTS records_no_delete;"
	    "DROP TRIGGER IF EXISTS records_no_update;"
	    "DROP TRIGGER IF EXISTS checkpoints_no_delete;"
	    "DROP TRIGGER IF EXISTS checkpoints_no_update;"
	    "DROP TRIGGER IF EXISTS tree_no_delete;"
	    "DROP TRIGGER IF EXISTS tree_no_update;", NULL, NULL, &err) == SQLITE_OK, "%s", err);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err);
	sqlite3_close(db);
	fx_open(f);
}

static int64_t
count_rows(struct fx *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n;

	ck_assert_int_eq(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* ---- schema ---- */

START_TEST(migration_from_empty)
{
	struct fx f;
	struct audit_db *r = NULL;

	fx_init(&f);
	ck_assert_int_eq(count_rows(&f, "PRAGMA user_version"), AUDIT_SCHEMA_VERSION);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM schema_migrations"), AUDIT_SCHEMA_VERSION);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
	    "('tree', 'meta', 'policy_params')"), 3);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
	    "AND name IN ('records_kiosk_ts', 'records_ts', 'records_doc', 'records_decision_ts', "
	    "'records_officer')"), 5);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
	    "('records', 'checkpoints', 'config_versions', 'sqlite_stat1')"), 4);
	/* reopening does not migrate twice */
	audit_close(&f.db);
	fx_open(&f);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM schema_migrations"), AUDIT_SCHEMA_VERSION);
	/* WAL mode persisted */
	ck_assert_int_eq(count_rows(&f, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	/* a reader opens it and cannot write */
	ck_assert_eg(audit_open(f.path, NULL, &r), EG_OK);
	struct audit_record rec = { .kiosk_id = "K1", .seq = 1, .ts_ms = T0, .type = "passage" };
	enum audit_result res;
	ck_assert_eg(audit_append_batch(r, &rec, 1, &res), EG_ERR_STATE);
	ck_assert_eg(audit_checkpoint(r, NULL), EG_ERR_STATE);
	ck_assert_eg(audit_purge(r, T0, NULL), EG_ERR_STATE);
	audit_close(&r);
	fx_done(&f);
}
END_TEST

START_TEST(open_errors)
{
	struct fx f;
	struct audit_db *r = NULL;
	char p[160];
	int fd;

	fx_init(&f);
	snprintf(p, sizeof(p), "%s/none.db", f.dir);
	ck_assert_eg(audit_open(p, NULL, &r), EG_ERR_NOT_FOUND);
	ck_assert_ptr_null(r);
	/* not a database */
	snprintf(p, sizeof(p), "%s/garbage.db", f.dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(write(fd, "garbage garbage garbage garbage garbage garbage garbage garbage ", 64), 64);
	close(fd);
	ck_assert_eg(audit_open(p, NULL, &r), EG_ERR_FORMAT);
	ck_assert_eg(audit_open(p, &f.keys, &r), EG_ERR_FORMAT);
	unlink(p);
	/* a schema from the future */
	audit_close(&f.db);
	{
		sqlite3 *db;

		ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	ck_assert_eg(audit_open(f.path, NULL, &r), EG_ERR_UNSUPPORTED);
	ck_assert_eg(audit_open(f.path, &f.keys, &r), EG_ERR_UNSUPPORTED);
	/* keys that are not usable */
	struct audit_keys bad = f.keys;
	bad.hmac_key_len = 16;
	ck_assert_eg(audit_open(p, &bad, &r), EG_ERR_CRYPTO);
	bad = f.keys;
	bad.sign_key_pem = f.pub;	/* a public key cannot sign */
	ck_assert_eg(audit_open(p, &bad, &r), EG_ERR_CRYPTO);
	fx_done(&f);
}
END_TEST

/* ---- append ---- */

START_TEST(append_and_idempotency)
{
	struct fx f;
	struct audit_record r[4];
	enum audit_result res[4];
	char kiosk[4][8], payload[4][400];

	fx_init(&f);
	for (int i = 0; i < 3; i++)
		make_record(&r[i], i, kiosk[i], payload[i], sizeof(payload[i]));
	ck_assert_eg(audit_append_batch(f.db, r, 3, res), EG_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(res[i], AUDIT_STORED);
	/* the kiosk resends after a reconnect: duplicates, no new rows */
	ck_assert_eg(audit_append_batch(f.db, r, 3, res), EG_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(res[i], AUDIT_DUPLICATE);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records"), 3);
	/* same (kiosk, seq), different content: conflict, not stored */
	r[0].decision = "REJECT";
	/* an invalid record in the same batch does not stop the others */
	make_record(&r[1], 3, kiosk[1], payload[1], sizeof(payload[1]));
	r[2] = r[1];
	r[2].kiosk_id = NULL;
	/* and a duplicate inside the batch itself */
	r[3] = r[1];
	ck_assert_eg(audit_append_batch(f.db, r, 4, res), EG_OK);
	ck_assert_int_eq(res[0], AUDIT_CONFLICT);
	ck_assert_int_eq(res[1], AUDIT_STORED);
	ck_assert_int_eq(res[2], AUDIT_INVALID);
	ck_assert_int_eq(res[3], AUDIT_DUPLICATE);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records"), 4);
	ck_assert_int_eq(count_rows(&f, "SELECT MAX(id) FROM records"), 4);
	/* a refused insert in mid-batch adds no leaf: chain and tree still verify */
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM tree WHERE level = 0"), 4);
	{
		struct audit_report rep;

		checkpoint(&f);
		verify(&f, &rep);
		ck_assert_msg(rep.ok, "%s", rep.detail);
		ck_assert_uint_eq(rep.records, 4);
	}
	/* highest seq per kiosk: K00 has i = 0, 3 -> seq 1, 2 */
	uint64_t last = 99;
	ck_assert_eg(audit_last_seq(f.db, "K00", &last), EG_OK);
	ck_assert_uint_eq(last, 2);
	ck_assert_eg(audit_last_seq(f.db, "K77", &last), EG_OK);
	ck_assert_uint_eq(last, 0);
	/* more invalid records */
	r[0] = r[1];
	r[0].seq = 0;			/* only the host may leave seq to the store */
	r[1].type = "";
	r[2] = r[3];
	r[2].seq = (uint64_t)INT64_MAX + 1;
	ck_assert_eg(audit_append_batch(f.db, r, 3, res), EG_OK);
	ck_assert_int_eq(res[0], AUDIT_INVALID);
	ck_assert_int_eq(res[1], AUDIT_INVALID);
	ck_assert_int_eq(res[2], AUDIT_INVALID);
	ck_assert_eg(audit_append_batch(f.db, r, 0, res), EG_ERR_INVAL);
	/* the append-only guard rails refuse casual edits */
	audit_close(&f.db);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM records WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "UPDATE records SET decision = 'OPEN'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	fx_done(&f);
}
END_TEST

/* Two writer handles (say, a daemon restarted while the old one still
 * drains): each batch reloads the head inside its write transaction, so the
 * chain stays one chain. */
START_TEST(two_writers_one_chain)
{
	struct fx f;
	struct audit_db *second = NULL;
	struct audit_report rep;

	fx_init(&f);
	ck_assert_eg(audit_open(f.path, &f.keys, &second), EG_OK);
	for (int round = 0; round < 4; round++) {
		struct audit_db *keep = f.db;

		append_n(&f, round * 10, 5);
		f.db = second;
		append_n(&f, round * 10 + 5, 5);
		f.db = keep;
	}
	audit_close(&second);
	checkpoint(&f);
	verify(&f, &rep);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	ck_assert_uint_eq(rep.records, 40);
	fx_done(&f);
}
END_TEST

/* ---- verification ---- */

START_TEST(chain_verifies_and_unsealed)
{
	struct fx f;
	struct audit_report rep;
	bool made = true;

	fx_init(&f);
	verify(&f, &rep);
	ck_assert(rep.ok);
	ck_assert_uint_eq(rep.records, 0);
	ck_assert_eg(audit_checkpoint(f.db, &made), EG_OK);
	ck_assert(!made);		/* nothing to seal */
	append_n(&f, 0, 50);
	checkpoint(&f);
	ck_assert_eg(audit_checkpoint(f.db, &made), EG_OK);
	ck_assert(!made);		/* nothing new */
	verify(&f, &rep);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_NONE);
	ck_assert_uint_eq(rep.records, 50);
	ck_assert_uint_eq(rep.checkpoints, 1);
	ck_assert_uint_eq(rep.sealed, 50);
	ck_assert_uint_eq(rep.unsealed, 0);
	/* records after the last checkpoint are reported as unsealed */
	append_n(&f, 50, 4);
	verify(&f, &rep);
	ck_assert(rep.ok);
	ck_assert_uint_eq(rep.records, 54);
	ck_assert_uint_eq(rep.sealed, 50);
	ck_assert_uint_eq(rep.unsealed, 4);
	checkpoint(&f);
	verify(&f, &rep);
	ck_assert(rep.ok);
	ck_assert_uint_eq(rep.checkpoints, 2);
	ck_assert_uint_eq(rep.unsealed, 0);
	ck_assert_int_gt(rep.last_checkpoint_ts_ms, 0);
	/* a reader verifies too */
	audit_close(&f.db);
	ck_assert_eg(audit_open(f.path, NULL, &f.db), EG_OK);
	verify(&f, &rep);
	ck_assert(rep.ok);
	ck_assert_uint_eq(rep.records, 54);
	/* the signature is checked against the key given */
	char other_priv[1024], other_pub[512];
	gen_key(other_priv, sizeof(other_priv), other_pub, sizeof(other_pub));
	ck_assert_eg(audit_verify(f.db, other_pub, NULL, &rep), EG_OK);
	ck_assert(!rep.ok);
	/* a key that signed none of them is a wrong key, not tampering */
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_WRONG_KEY);
	ck_assert_eg(audit_verify(f.db, "not a key", NULL, &rep), EG_ERR_CRYPTO);
	fx_done(&f);
}
END_TEST

START_TEST(tamper_edit_header_field)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	/* record 7 (i = 6) is a referral: decisions[6 % 5] = REFER */
	ck_assert_int_eq(count_rows(&f, "SELECT decision = 'REFER' FROM records WHERE id = 7"), 1);
	raw_sql(&f, "UPDATE records SET decision = 'OPEN' WHERE id = 7");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_HASH);
	ck_assert_int_eq(rep.bad_record, 7);
	ck_assert_ptr_nonnull(strstr(rep.detail, "record 7"));
	fx_done(&f);
}
END_TEST

START_TEST(tamper_edit_timestamp_and_officer)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	raw_sql(&f, "UPDATE records SET ts = ts + 1 WHERE id = 15");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.bad_record, 15);
	raw_sql(&f, "UPDATE records SET ts = ts - 1 WHERE id = 15;"
	    "UPDATE records SET officer = 'officer-999' WHERE id = 3");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_HASH);
	ck_assert_int_eq(rep.bad_record, 3);
	fx_done(&f);
}
END_TEST

START_TEST(tamper_edit_payload)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	raw_sql(&f, "UPDATE records SET payload = replace(payload, '0.509', '0.909') WHERE id = 10");
	ck_assert_int_eq(count_rows(&f, "SELECT payload LIKE '%0.909%' FROM records WHERE id = 10"), 1);
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_PAYLOAD);
	ck_assert_int_eq(rep.bad_record, 10);
	fx_done(&f);
}
END_TEST

/* The attacker edits record 7 and recomputes its hash (the algorithm is
 * public); record 8 still links to the old value. */
START_TEST(tamper_edit_and_rehash_one)
{
	struct fx f;
	struct audit_report rep;
	sqlite3 *db;
	sqlite3_stmt *st;
	struct audit_hdr h;
	uint8_t prev[32], pd[32], hash[32];

	fx_init(&f);
	append_n(&f, 0, 20);
	raw_sql(&f, "UPDATE records SET decision = 'OPEN' WHERE id = 7");
	audit_close(&f.db);
	ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT kiosk_id, seq, ts, type, decision, reason, "
	    "officer, payload_hash, prev_hash FROM records WHERE id = 7", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	h.kiosk_id = audit_str_c((const char *)sqlite3_column_text(st, 0));
	h.seq = sqlite3_column_int64(st, 1);
	h.ts_ms = sqlite3_column_int64(st, 2);
	h.type = audit_str_c((const char *)sqlite3_column_text(st, 3));
	h.decision = audit_str_c((const char *)sqlite3_column_text(st, 4));
	h.reason = audit_str_c((const char *)sqlite3_column_text(st, 5));
	h.officer = audit_str_c((const char *)sqlite3_column_text(st, 6));
	memcpy(pd, sqlite3_column_blob(st, 7), 32);
	memcpy(prev, sqlite3_column_blob(st, 8), 32);
	ck_assert_eg(audit_record_digest(NULL, prev, 7, &h, pd, hash), EG_OK);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE records SET hash = ? WHERE id = 7", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	fx_open(&f);
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_REHASHED);
	ck_assert_int_eq(rep.bad_record, 7);
	fx_done(&f);
}
END_TEST

START_TEST(tamper_delete_record)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	raw_sql(&f, "DELETE FROM records WHERE id = 12");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_MISSING);
	ck_assert_int_eq(rep.bad_record, 12);
	/* deleting and renumbering the rest does not help */
	raw_sql(&f, "UPDATE records SET id = id - 1 WHERE id > 12");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.bad_record, 12);
	fx_done(&f);
}
END_TEST

START_TEST(tamper_truncate_tail)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	raw_sql(&f, "DELETE FROM records WHERE id >= 18");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_TRUNCATED);
	ck_assert_int_eq(rep.bad_record, 18);
	ck_assert_int_eq(rep.bad_checkpoint, 1);
	ck_assert_uint_eq(rep.records, 17);
	fx_done(&f);
}
END_TEST

/* Known limit, asserted so it stays documented: records after the last
 * checkpoint can be removed from the tail without the verifier noticing.
 * The caller's timer bounds that window to one minute. */
START_TEST(unsealed_tail_is_not_protected)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	append_n(&f, 20, 3);
	raw_sql(&f, "DELETE FROM records WHERE id > 21; DELETE FROM tree WHERE last >= 21");
	verify(&f, &rep);
	ck_assert(rep.ok);
	ck_assert_uint_eq(rep.unsealed, 1);
	fx_done(&f);
}
END_TEST

/* Apply edit, then recompute every hash consistently (no key needed). */
static void
rewrite_chain(struct fx *f, const char *edit)
{
	sqlite3 *db;
	sqlite3_stmt *st, *up, *node;
	uint8_t running[32] = { 0 };
	struct audit_range range;

	audit_range_init(&range);
	raw_sql(f, edit);
	audit_close(&f->db);
	ck_assert_int_eq(sqlite3_open(f->path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT id, kiosk_id, seq, ts, type, decision, reason, "
	    "officer, payload_hash FROM records ORDER BY id", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE records SET prev_hash = ?, hash = ? WHERE id = ?",
	    -1, &up, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO tree VALUES (?, ?, ?)", -1, &node, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN; DELETE FROM tree", NULL, NULL, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct audit_hdr h;
		uint8_t pd[32], hash[32], leaf[32], nodes[64][32];
		size_t nn = 0;
		const char *s;
		int64_t id = sqlite3_column_int64(st, 0);

		h.kiosk_id = audit_str_c((const char *)sqlite3_column_text(st, 1));
		h.seq = sqlite3_column_int64(st, 2);
		h.ts_ms = sqlite3_column_int64(st, 3);
		h.type = audit_str_c((const char *)sqlite3_column_text(st, 4));
		s = (const char *)sqlite3_column_text(st, 5);
		h.decision = audit_str_c(s);
		h.reason = audit_str_c((const char *)sqlite3_column_text(st, 6));
		h.officer = audit_str_c((const char *)sqlite3_column_text(st, 7));
		memcpy(pd, sqlite3_column_blob(st, 8), 32);
		ck_assert_eg(audit_record_hashes(NULL, NULL, running, id, &h, pd, hash, leaf, NULL), EG_OK);
		/* a thorough attacker rebuilds the Merkle tree as well */
		ck_assert_eg(audit_range_push(NULL, &range, leaf, nodes, &nn), EG_OK);
		for (size_t k = 0; k < nn; k++) {
			sqlite3_bind_int64(node, 1, id - 1);
			sqlite3_bind_int(node, 2, (int)k);
			sqlite3_bind_blob(node, 3, nodes[k], 32, SQLITE_TRANSIENT);
			ck_assert_int_eq(sqlite3_step(node), SQLITE_DONE);
			sqlite3_reset(node);
		}
		sqlite3_bind_blob(up, 1, running, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(up, 2, hash, 32, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 3, id);
		ck_assert_int_eq(sqlite3_step(up), SQLITE_DONE);
		sqlite3_reset(up);
		memcpy(running, hash, 32);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	sqlite3_finalize(node);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	fx_open(f);
}

START_TEST(rewrite_chain_detected_by_checkpoint_head)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	rewrite_chain(&f, "UPDATE records SET decision = 'OPEN' WHERE id = 7");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_CHECKPOINT);
	ck_assert_int_eq(rep.bad_checkpoint, 1);
	ck_assert_int_eq(rep.bad_record, 20);
	fx_done(&f);
}
END_TEST

/* The attacker also rewrites the checkpoints and signs them with a key of
 * their own, even copying the key id: the signatures fail. */
START_TEST(rewrite_chain_detected_by_signature)
{
	struct fx f;
	struct audit_report rep;
	char evil_priv[1024];
	struct audit_keys evil;
	struct audit_db *e = NULL;
	bool made;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	append_n(&f, 20, 5);
	checkpoint(&f);
	rewrite_chain(&f, "UPDATE records SET decision = 'OPEN' WHERE id = 7;"
	    "DELETE FROM checkpoints;");
	/* re-seal the rewritten chain with the attacker's key */
	audit_close(&f.db);
	gen_key(evil_priv, sizeof(evil_priv), NULL, 0);
	evil = f.keys;
	evil.sign_key_pem = evil_priv;
	ck_assert_eg(audit_open(f.path, &evil, &e), EG_OK);
	ck_assert_eg(audit_checkpoint(e, &made), EG_OK);
	ck_assert(made);
	audit_close(&e);
	fx_open(&f);
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_SIGNATURE);
	ck_assert_int_eq(rep.bad_checkpoint, 1);
	/* ... and with the genuine key id copied in, the signature itself fails */
	char sql[256];
	audit_close(&f.db);
	ck_assert_eg(audit_open(f.path, &f.keys, &f.db), EG_OK);
	snprintf(sql, sizeof(sql), "UPDATE checkpoints SET key_id = '%s'", f.db->key_id);
	{
		/* the key id inside the signed note's signature line too */
		struct audit_anchor n;
		char text[AUDIT_ANCHOR_TEXT_MAX];
		uint8_t kid[4];
		sqlite3 *db;
		sqlite3_stmt *st;

		memcpy(kid, f.db->note_kid, 4);
		ck_assert_eg(audit_checkpoint_at(f.db, 0, text, sizeof(text), &n), EG_OK);
		memcpy(n.sigs[0].kid, kid, 4);
		ck_assert_eg(audit_note_format(&n, text, sizeof(text)), EG_OK);
		raw_sql(&f, sql);
		audit_close(&f.db);
		ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE checkpoints SET note = ?", -1, &st, NULL),
		    SQLITE_OK);
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		sqlite3_close(db);
		fx_open(&f);
	}
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_SIGNATURE);
	ck_assert_msg(strstr(rep.detail, "does not verify") != NULL, "%s", rep.detail);
	fx_done(&f);
}
END_TEST

START_TEST(tamper_checkpoint_fields)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	append_n(&f, 20, 5);
	checkpoint(&f);
	/* claim the first checkpoint sealed fewer records: signature breaks */
	raw_sql(&f, "UPDATE checkpoints SET count = 10, record_id = 10 WHERE id = 1");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_SIGNATURE);
	ck_assert_int_eq(rep.bad_checkpoint, 1);
	fx_done(&f);
}
END_TEST

/* An old, genuinely signed checkpoint replayed as the newest one (to hide
 * that records after it were cut): out of order. */
START_TEST(tamper_replayed_checkpoint)
{
	struct fx f;
	struct audit_report rep;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	append_n(&f, 20, 5);
	checkpoint(&f);
	raw_sql(&f, "INSERT INTO checkpoints (record_id, count, head_hash, ts, key_id, signature, note) "
	    "SELECT record_id, count, head_hash, ts, key_id, signature, note FROM checkpoints "
	    "WHERE id = 1");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_CHECKPOINT);
	ck_assert_int_eq(rep.bad_checkpoint, 3);
	fx_done(&f);
}
END_TEST

/* ---- checkpoints held outside the database ---- */

static void
latest_anchor(struct fx *f, struct audit_anchor *a, char *text, size_t cap)
{
	ck_assert_eg(audit_checkpoint_latest(f->db, text, cap), EG_OK);
	ck_assert_eg(audit_anchor_parse(text, strlen(text), a), EG_OK);
}

START_TEST(anchor_round_trip)
{
	struct fx f;
	struct audit_report rep;
	struct audit_anchor a;
	char text[AUDIT_ANCHOR_TEXT_MAX], again[AUDIT_ANCHOR_TEXT_MAX];

	fx_init(&f);
	ck_assert_eg(audit_checkpoint_latest(f.db, text, sizeof(text)), EG_ERR_NOT_FOUND);
	append_n(&f, 0, 12);
	checkpoint(&f);
	latest_anchor(&f, &a, text, sizeof(text));
	{
		char want[64];

		snprintf(want, sizeof(want), "%s\n12\n", audit_origin(f.db));
		ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s", text);
		ck_assert_ptr_nonnull(strstr(text, "\n\n\xe2\x80\x94 egate-audit/"));
	}
	ck_assert_int_eq(a.format, 2);
	ck_assert_uint_eq(a.count, 12);
	ck_assert(audit_note_verify_log(&a, f.pub));
	ck_assert_eg(audit_anchor_format(&a, again, sizeof(again)), EG_OK);
	ck_assert_str_eq(text, again);
	ck_assert_eg(audit_anchor_format(&a, again, 100), EG_ERR_OVERFLOW);
	ck_assert_eg(audit_verify(f.db, f.pub, &a, &rep), EG_OK);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	ck_assert(rep.anchored);
	/* more records later: the old anchor is still contained */
	append_n(&f, 12, 5);
	checkpoint(&f);
	ck_assert_eg(audit_verify(f.db, f.pub, &a, &rep), EG_OK);
	ck_assert(rep.ok);
	ck_assert(rep.anchored);
	/* a forged anchor (size changed in the text) fails its signature */
	a.count = 11;
	ck_assert_eg(audit_verify(f.db, f.pub, &a, &rep), EG_OK);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_SIGNATURE);
	fx_done(&f);
}
END_TEST

/* Delete the newest records AND the checkpoints that sealed them: the
 * database alone still verifies (what is left is consistent); the anchor
 * catches it. */
START_TEST(anchor_detects_truncation_with_checkpoints)
{
	struct fx f;
	struct audit_report rep;
	struct audit_anchor a;
	char text[AUDIT_ANCHOR_TEXT_MAX];

	fx_init(&f);
	append_n(&f, 0, 10);
	checkpoint(&f);
	append_n(&f, 10, 10);
	checkpoint(&f);
	latest_anchor(&f, &a, text, sizeof(text));
	raw_sql(&f, "DELETE FROM records WHERE id > 14; DELETE FROM checkpoints WHERE id = 2;"
	    "DELETE FROM tree WHERE last >= 14");
	verify(&f, &rep);
	ck_assert(rep.ok);			/* the limit of in-database checkpoints */
	ck_assert_uint_eq(rep.records, 14);
	ck_assert_eg(audit_verify(f.db, f.pub, &a, &rep), EG_OK);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_TRUNCATED);
	ck_assert_int_eq(rep.bad_record, 15);
	fx_done(&f);
}
END_TEST

/* Rewrite the whole chain and delete every checkpoint: only the anchor
 * (and the unsealed count) can tell. */
START_TEST(anchor_detects_rewrite_without_checkpoints)
{
	struct fx f;
	struct audit_report rep;
	struct audit_anchor a;
	char text[AUDIT_ANCHOR_TEXT_MAX];

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	latest_anchor(&f, &a, text, sizeof(text));
	rewrite_chain(&f, "UPDATE records SET decision = 'OPEN' WHERE id = 7; DELETE FROM checkpoints");
	verify(&f, &rep);
	ck_assert(rep.ok);
	ck_assert_uint_eq(rep.checkpoints, 0);
	ck_assert_uint_eq(rep.unsealed, 20);	/* nothing signed vouches for them */
	ck_assert_eg(audit_verify(f.db, f.pub, &a, &rep), EG_OK);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_ANCHOR);
	ck_assert_int_eq(rep.bad_record, 20);
	fx_done(&f);
}
END_TEST

START_TEST(anchor_parse_rejects)
{
	struct fx f;
	struct audit_anchor a;
	char text[AUDIT_ANCHOR_TEXT_MAX], bad[AUDIT_ANCHOR_TEXT_MAX + 8];
	size_t n;

	fx_init(&f);
	append_n(&f, 0, 3);
	checkpoint(&f);
	latest_anchor(&f, &a, text, sizeof(text));
	n = strlen(text);
	/* every strict prefix is refused */
	for (size_t i = 0; i < n; i++)
		ck_assert_eg(audit_anchor_parse(text, i, &a), EG_ERR_FORMAT);
	/* trailing bytes */
	memcpy(bad, text, n);
	bad[n] = '\n';
	ck_assert_eg(audit_anchor_parse(bad, n + 1, &a), EG_ERR_FORMAT);
	/* leading zero, sign, non-canonical base64, extension line, no blank
	 * line, a control character, a plain dash for the em dash */
	static const char *const edits[][2] = {
		{ "\n3\n", "\n03\n" }, { "\n3\n", "\n+3\n" }, { "\n3\n", "\n3 \n" },
		{ "\n3\n", "\n99999999999999999999\n" }, { "=\n\n", "=\next\n\n" },
		{ "=\n\n", "=\n" }, { "=\n\n", "=\n\t\n" }, { "\xe2\x80\x94 ", "- " },
		{ "\xe2\x80\x94 egate", "\xe2\x80\x94  egate" }, { "egate-audit/", "egate audit/" },
	};
	for (size_t e = 0; e < sizeof(edits) / sizeof(edits[0]); e++) {
		char *p = strstr(text, edits[e][0]);
		size_t off, ol = strlen(edits[e][0]), nl = strlen(edits[e][1]);

		ck_assert_ptr_nonnull(p);
		off = (size_t)(p - text);
		memcpy(bad, text, off);
		memcpy(bad + off, edits[e][1], nl);
		memcpy(bad + off + nl, text + off + ol, n - off - ol);
		ck_assert_msg(audit_anchor_parse(bad, n - ol + nl, &a) == EG_ERR_FORMAT, "%s", edits[e][1]);
	}
	/* the root's base64 with its padding removed */
	memcpy(bad, text, n + 1);
	{
		char *eq = strstr(bad, "=\n\n");

		ck_assert_ptr_nonnull(eq);
		memmove(eq, eq + 1, strlen(eq + 1) + 1);
		ck_assert_eg(audit_anchor_parse(bad, n - 1, &a), EG_ERR_FORMAT);
	}
	ck_assert_eg(audit_anchor_parse(NULL, 0, &a), EG_ERR_INVAL);
	fx_done(&f);
}
END_TEST

/* ---- retention ---- */

static bool
file_contains(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 1 << 16, len = 0, n, nl = strlen(needle);
	char *buf = malloc(cap);
	bool found = false;

	ck_assert_ptr_nonnull(buf);
	if (fp == NULL) {
		free(buf);
		return false;
	}
	while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(fp);
	found = memmem(buf, len, needle, nl) != NULL;
	free(buf);
	return found;
}

static bool
db_files_contain(struct fx *f, const char *needle)
{
	char p[160];

	snprintf(p, sizeof(p), "%s-wal", f->path);
	return file_contains(f->path, needle) || file_contains(p, needle);
}

START_TEST(purge_keeps_verification)
{
	struct fx f;
	struct audit_report rep;
	uint64_t n = 0;
	char doc0[AUDIT_HMAC_HEX_LEN + 1];

	fx_init(&f);
	/* record i has ts T0 + i minutes; docs[0] appears at i = 0, 5, 10, ... */
	append_n(&f, 0, 30);
	checkpoint(&f);
	ck_assert_eg(audit_hmac_hex(f.hmac, sizeof(f.hmac), AUDIT_IDENT_DOCUMENT, docs[0], doc0), EG_OK);
	ck_assert(db_files_contain(&f, doc0));
	/* purge everything older than record 20 (ids 1..20) */
	ck_assert_eg(audit_purge(f.db, T0 + 20 * 60000, &n), EG_OK);
	ck_assert_uint_eq(n, 20);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records WHERE purged = 1 AND payload "
	    "IS NULL AND doc_hmac IS NULL AND name_hmac IS NULL"), 20);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records WHERE id <= 20 AND "
	    "(payload IS NOT NULL OR doc_hmac IS NOT NULL)"), 0);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records WHERE id BETWEEN 21 AND 30 "
	    "AND payload IS NOT NULL AND doc_hmac IS NOT NULL"), 10);
	/* the purge is itself recorded */
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records WHERE kiosk_id = 'host' "
	    "AND type = 'system' AND reason = 'retention_purge' AND id = 31"), 1);
	verify(&f, &rep);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	ck_assert_uint_eq(rep.purged, 20);
	ck_assert_uint_eq(rep.records, 31);
	ck_assert_uint_eq(rep.sealed, 30);
	ck_assert_uint_eq(rep.unsealed, 1);
	checkpoint(&f);
	verify(&f, &rep);
	ck_assert(rep.ok);
	/* doc0 still occurs in records 21, 26 (i = 20, 25): purge the rest too,
	 * then its HMAC must be gone from the files (secure_delete + WAL reset) */
	ck_assert_eg(audit_purge(f.db, T0 + 31 * 60000, &n), EG_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert(!db_files_contain(&f, doc0));
	/* purging again purges nothing and logs nothing */
	ck_assert_eg(audit_purge(f.db, T0 + 31 * 60000, &n), EG_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records"), 32);
	verify(&f, &rep);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	/* un-purging a record by putting data back is detected */
	raw_sql(&f, "UPDATE records SET payload = '{}' WHERE id = 3");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_ROW);
	ck_assert_int_eq(rep.bad_record, 3);
	fx_done(&f);
}
END_TEST

/* ---- identifiers ---- */

START_TEST(hmac_of_identifiers)
{
	struct fx f;
	char a[AUDIT_HMAC_HEX_LEN + 1], b[AUDIT_HMAC_HEX_LEN + 1], c[AUDIT_HMAC_HEX_LEN + 1];
	uint8_t key2[32];

	fx_init(&f);
	ck_assert_eg(audit_hmac_hex(f.hmac, 32, AUDIT_IDENT_DOCUMENT, "L898902C3", a), EG_OK);
	ck_assert_uint_eq(strlen(a), 64);
	ck_assert_eg(audit_hmac_hex(f.hmac, 32, AUDIT_IDENT_DOCUMENT, "l898902c3<<", b), EG_OK);
	ck_assert_str_eq(a, b);
	/* a name with the same text is a different kind of identifier */
	ck_assert_eg(audit_hmac_hex(f.hmac, 32, AUDIT_IDENT_NAME, "L898902C3", c), EG_OK);
	ck_assert_str_ne(a, c);
	memcpy(key2, f.hmac, 32);
	key2[0] ^= 1;
	ck_assert_eg(audit_hmac_hex(key2, 32, AUDIT_IDENT_DOCUMENT, "L898902C3", c), EG_OK);
	ck_assert_str_ne(a, c);
	ck_assert_eg(audit_hmac_hex(f.hmac, 31, AUDIT_IDENT_DOCUMENT, "L898902C3", c), EG_ERR_INVAL);
	ck_assert_eg(audit_hmac_hex(f.hmac, 32, AUDIT_IDENT_DOCUMENT, "<< <", c), EG_ERR_INVAL);
	/* HMAC-SHA-256 itself, cross-checked against mbedTLS's generic API */
	{
		uint8_t mac[32];
		char hex[65];
		const char msg[] = "egate-doc\nL898902C3";

		ck_assert_int_eq(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), f.hmac,
		    32, (const uint8_t *)msg, strlen(msg), mac), 0);
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", mac[i]);
		ck_assert_str_eq(hex, a);
	}
	/* known answers from Python's hmac module (key byte i = 7i + 1), around
	 * the 64-byte block: keys longer than a block are hashed first */
	{
		static const struct {
			size_t keylen;
			const char *doc, *name;
		} kat[] = {
			{ 32, "dee0e359873a602eca26d5d0f4d5d0f0593b74264686054fba81fba162d99b72",
			  "d9f253e9b05280f47c354ab1146869782dc9098dd6fb278d9a461ee76273d556" },
			{ 64, "dad7786bf5ef24c08006bf6a4b3c676221a4432e1a0e1cca507f8404584e4f31",
			  "cb289c73ce369680f3e119de7e614828a25320c9c2e8400b7e39a8d7a1d6f2a1" },
			{ 65, "fe1f36c5c3780eae0e08f78c698c7a1aed21744dddfddc1ea4742be25d0ffabc",
			  "3970bf1fa370d9f188289408942d2e7a1886be56f82e8e6b9ce5448ad017d465" },
			{ 200, "f0b4a698e26020fe74002c9fbc6cb87efd4fca96024a33f303bca2964e0d49e7",
			  "ec3d04e9010d1c76ebc82e3368c272c7ce71e69d3a3fe5f144e2e33b8d7f628a" },
		};
		uint8_t key[200];

		for (size_t i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)(i * 7 + 1);
		for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
			ck_assert_eg(audit_hmac_hex(key, kat[i].keylen, AUDIT_IDENT_DOCUMENT, "L898902C3",
			    c), EG_OK);
			ck_assert_str_eq(c, kat[i].doc);
			ck_assert_eg(audit_hmac_hex(key, kat[i].keylen, AUDIT_IDENT_NAME,
			    "ERIKSSON<<ANNA<MARIA", c), EG_OK);
			ck_assert_str_eq(c, kat[i].name);
		}
	}

	/* stored: HMAC yes, clear text never (neither the file nor the WAL) */
	append_n(&f, 0, 10);
	ck_assert(db_files_contain(&f, a));
	for (int i = 0; i < 5; i++)
		ck_assert_msg(!db_files_contain(&f, docs[i]), "%s found in the db file", docs[i]);
	ck_assert(!db_files_contain(&f, "ERIKSSON"));
	audit_close(&f.db);	/* also after the WAL is folded into the file */
	ck_assert(!db_files_contain(&f, docs[0]));
	ck_assert(!db_files_contain(&f, "ERIKSSON"));
	fx_open(&f);
	fx_done(&f);
}
END_TEST

/* ---- key files ---- */

static void
put_file(const char *path, const char *text, size_t n, mode_t mode)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, n, fp), n);
	fclose(fp);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(key_files)
{
	struct fx f;
	char p[160], *pem = NULL;
	uint8_t *key = NULL;
	size_t len = 0;
	struct audit_keys k;
	struct audit_db *db = NULL;
	static const char hex[] = "00112233445566778899aabbccddeeff\n"
	    "00112233445566778899AABBCCDDEEFF\n";

	fx_init(&f);
	snprintf(p, sizeof(p), "%s/hmac.key", f.dir);
	put_file(p, hex, strlen(hex), 0600);
	ck_assert_eg(audit_hmac_key_load(p, &key, &len), EG_OK);
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(key[1], 0x11);
	ck_assert_uint_eq(key[31], 0xFF);
	eg_secret_free(&key, len);
	ck_assert_ptr_null(key);
	put_file(p, hex, strlen(hex), 0640);
	ck_assert_eg(audit_hmac_key_load(p, &key, &len), EG_ERR_PERM);
	put_file(p, hex, 40, 0600);		/* 20 bytes: too short */
	ck_assert_eg(audit_hmac_key_load(p, &key, &len), EG_ERR_FORMAT);
	put_file(p, "not hex at all, really not hex at all, not hex at all, not hex!!", 64, 0600);
	ck_assert_eg(audit_hmac_key_load(p, &key, &len), EG_ERR_FORMAT);
	ck_assert_eg(audit_hmac_key_load(f.dir, &key, &len), EG_ERR_FORMAT);	/* not a file */
	unlink(p);
	ck_assert_eg(audit_hmac_key_load(p, &key, &len), EG_ERR_IO);

	/* the signing key: private, loaded, usable */
	snprintf(p, sizeof(p), "%s/sign.pem", f.dir);
	put_file(p, f.priv, strlen(f.priv), 0600);
	ck_assert_eg(audit_pem_load(p, true, &pem, &len), EG_OK);
	ck_assert_str_eq(pem, f.priv);
	memset(&k, 0, sizeof(k));
	k.sign_key_pem = pem;
	k.hmac_key = f.hmac;
	k.hmac_key_len = sizeof(f.hmac);
	audit_close(&f.db);
	ck_assert_eg(audit_open(f.path, &k, &db), EG_OK);
	audit_close(&db);
	eg_secret_free(&pem, len + 1);
	put_file(p, f.priv, strlen(f.priv), 0644);
	ck_assert_eg(audit_pem_load(p, true, &pem, &len), EG_ERR_PERM);
	ck_assert_eg(audit_pem_load(p, false, &pem, &len), EG_OK);	/* public: no rule */
	eg_secret_free(&pem, len + 1);
	put_file(p, "-----BEGIN\0PUBLIC KEY", 22, 0600);
	ck_assert_eg(audit_pem_load(p, false, &pem, &len), EG_ERR_FORMAT);
	unlink(p);
	fx_open(&f);
	fx_done(&f);
}
END_TEST

/* ---- queries ---- */

struct collect {
	int n;
	int64_t ids[64];
};

static int
collect_fn(void *arg, const struct audit_row *row)
{
	struct collect *c = arg;

	if (c->n < 64)
		c->ids[c->n] = row->id;
	c->n++;
	return 0;
}

static int
stop_fn(void *arg, const struct audit_row *row)
{
	(void)row;
	return ++*(int *)arg == 2 ? 42 : 0;
}

START_TEST(query_filters)
{
	struct fx f;
	struct audit_filter q;
	struct collect c;
	char h[AUDIT_HMAC_HEX_LEN + 1];
	int stop = 0;

	fx_init(&f);
	append_n(&f, 0, 30);
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, NULL, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 30);
	/* kiosk K01: i = 1, 4, 7, ... -> 10 records */
	memset(&q, 0, sizeof(q));
	q.kiosk_id = "K01";
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, &q, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 10);
	ck_assert_int_eq(c.ids[0], 2);
	/* plus a time window [i=4, i=13) -> i = 4, 7, 10 */
	q.has_from = q.has_to = true;
	q.from_ms = T0 + 4 * 60000;
	q.to_ms = T0 + 13 * 60000;
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, &q, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 3);
	ck_assert_int_eq(c.ids[0], 5);
	ck_assert_int_eq(c.ids[2], 11);
	/* decision REFER: i % 5 == 1 -> 6 records */
	memset(&q, 0, sizeof(q));
	q.decision = "REFER";
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, &q, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 6);
	q.reason = "face_below_threshold";
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, &q, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 6);
	q.reason = "all_checks_pass";
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, &q, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 0);
	/* officer: i % 7 == 6 -> i = 6, 13, 20, 27 */
	memset(&q, 0, sizeof(q));
	q.officer = "officer-117";
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, &q, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 4);
	/* document, by HMAC: docs[2] at i = 2, 7, 12, ... -> 6 */
	ck_assert_eg(audit_hmac_hex(f.hmac, 32, AUDIT_IDENT_DOCUMENT, docs[2], h), EG_OK);
	memset(&q, 0, sizeof(q));
	q.doc_hmac = h;
	q.limit = 4;
	memset(&c, 0, sizeof(c));
	ck_assert_eg(audit_query(f.db, &q, collect_fn, &c), EG_OK);
	ck_assert_int_eq(c.n, 4);
	ck_assert_int_eq(c.ids[1], 8);
	/* the callback stops the walk */
	ck_assert_int_eq(audit_query(f.db, NULL, stop_fn, &stop), 42);
	fx_done(&f);
}
END_TEST

START_TEST(config_versions)
{
	struct fx f;
	struct audit_report rep;
	uint8_t d[32];

	fx_init(&f);
	memset(d, 0xAB, sizeof(d));
	append_n(&f, 0, 3);
	ck_assert_eg(audit_config_add(f.db, 7, T0, d, "face threshold 0.55"), EG_OK);
	ck_assert_eg(audit_config_add(f.db, 7, T0, d, "again"), EG_ERR_INVAL);
	ck_assert_eg(audit_config_add(f.db, 8, T0 + 1, d, NULL), EG_OK);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM config_versions"), 2);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM records WHERE type = 'config' "
	    "AND kiosk_id = 'host'"), 2);
	ck_assert_int_eq(count_rows(&f, "SELECT MAX(seq) FROM records WHERE kiosk_id = 'host'"), 2);
	ck_assert_int_eq(count_rows(&f, "SELECT record_id FROM config_versions WHERE version = 8"), 5);
	checkpoint(&f);
	verify(&f, &rep);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	ck_assert_uint_eq(rep.records, 5);
	fx_done(&f);
}
END_TEST


/* ---- issue 13: transparency-log proofs, witnesses, the attacks ---- */

static void
hexbin(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/*
 * audit_sha256.c (OpenSSL) against tests/vectors/audit/sha256.txt (FIPS
 * 180-2), with handles reused, inputs split at block boundaries and
 * midstates copied; the record, leaf and node hashes against mbedTLS's
 * SHA-256 over the same bytes (the implementation they had before).
 */
START_TEST(sha256_vectors)
{
	static const size_t pieces[] = { 1, 63, 64, 65 };
	char path[512], line[1024], mhex[512], dhex[65];
	struct audit_sha256 *s = NULL, *t = NULL;
	unsigned long rep;
	int nvec = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/audit/sha256.txt", VECTORS_DIR);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	ck_assert_eg(audit_sha256_new(&s), EG_OK);
	ck_assert_eg(audit_sha256_new(&t), EG_OK);
	while (fgets(line, sizeof(line), fp) != NULL) {
		uint8_t msg[256], want[32], got[32], got2[32], *all;
		size_t mlen, total;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		ck_assert_int_eq(sscanf(line, "%511s %lu %64s", mhex, &rep, dhex), 3);
		mlen = strcmp(mhex, "-") == 0 ? 0 : strlen(mhex) / 2;
		ck_assert_uint_le(mlen, sizeof(msg));
		hexbin(mhex, msg, mlen);
		hexbin(dhex, want, 32);
		total = mlen * rep;
		all = malloc(total + 1);
		ck_assert_ptr_nonnull(all);
		for (size_t i = 0; i < rep; i++)
			memcpy(all + i * mlen, msg, mlen);
		/* one call, through a handle and as a one-off */
		ck_assert_eg(audit_sha256(s, all, total, got), EG_OK);
		ck_assert_mem_eq(got, want, 32);
		ck_assert_eg(audit_sha256(NULL, all, total, got), EG_OK);
		ck_assert_mem_eq(got, want, 32);
		/* in pieces of 1, 63, 64 and 65 bytes; the second half from a copy */
		for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
			size_t off = 0, half = total / 2;

			ck_assert_eg(audit_sha256_start(s), EG_OK);
			for (; off + pieces[p] <= half; off += pieces[p])
				ck_assert_eg(audit_sha256_update(s, all + off, pieces[p]), EG_OK);
			ck_assert_eg(audit_sha256_copy(t, s), EG_OK);
			ck_assert_eg(audit_sha256_update(s, all + off, total - off), EG_OK);
			ck_assert_eg(audit_sha256_update(t, all + off, total - off), EG_OK);
			ck_assert_eg(audit_sha256_finish(s, got), EG_OK);
			ck_assert_eg(audit_sha256_finish(t, got2), EG_OK);
			ck_assert_mem_eq(got, want, 32);
			ck_assert_mem_eq(got2, want, 32);
		}
		free(all);
		nvec++;
	}
	fclose(fp);
	ck_assert_int_ge(nvec, 5);

	/* record, leaf and node hashes: the same bytes through mbedTLS */
	{
		struct audit_hdr h = { audit_str_c("K01"), 42, T0, audit_str_c("passage"),
			audit_str_c("OPEN"), audit_str_c(NULL), audit_str_c("officer.kim") };
		struct audit_str doc = audit_str_c("0123"), name = { NULL, 0 };
		struct audit_str pay = audit_str_c("{\"x\":1}");
		uint8_t prev[32], pd[32], pd2[32], c1[32], l1[32], c2[32], l2[32], ref[32], node[32];
		uint8_t buf[1 + 64];
		struct eg_wbuf w;
		mbedtls_sha256_context m;

		memset(prev, 0xa5, sizeof(prev));
		ck_assert_eg(audit_payload_digest(s, &doc, &name, &pay, pd), EG_OK);
		ck_assert_eg(audit_payload_digest(NULL, &doc, &name, &pay, pd2), EG_OK);
		ck_assert_mem_eq(pd, pd2, 32);
		eg_wbuf_init(&w, 4096, false);
		ck_assert_eg(audit_record_hashes(s, t, prev, 9, &h, pd, c1, l1, &w), EG_OK);
		ck_assert_eg(audit_record_hashes(NULL, NULL, prev, 9, &h, pd, c2, l2, NULL), EG_OK);
		ck_assert_mem_eq(c1, c2, 32);
		ck_assert_mem_eq(l1, l2, 32);
		ck_assert_eg(audit_record_digest(t, prev, 9, &h, pd, c2), EG_OK);
		ck_assert_mem_eq(c1, c2, 32);
		ck_assert_int_eq(mbedtls_sha256_ret(w.data, w.len, ref, 0), 0);
		ck_assert_mem_eq(c1, ref, 32);
		mbedtls_sha256_init(&m);
		ck_assert_int_eq(mbedtls_sha256_starts_ret(&m, 0), 0);
		ck_assert_int_eq(mbedtls_sha256_update_ret(&m, (const uint8_t *)"", 1), 0);
		ck_assert_int_eq(mbedtls_sha256_update_ret(&m, w.data, w.len), 0);
		ck_assert_int_eq(mbedtls_sha256_finish_ret(&m, ref), 0);
		mbedtls_sha256_free(&m);
		ck_assert_mem_eq(l1, ref, 32);
		eg_wbuf_free(&w);
		ck_assert_eg(audit_node_hash(s, c1, l1, node), EG_OK);
		buf[0] = 0x01;
		memcpy(buf + 1, c1, 32);
		memcpy(buf + 33, l1, 32);
		ck_assert_int_eq(mbedtls_sha256_ret(buf, sizeof(buf), ref, 0), 0);
		ck_assert_mem_eq(node, ref, 32);
		ck_assert_eg(audit_node_hash(NULL, c1, l1, node), EG_OK);
		ck_assert_mem_eq(node, ref, 32);
	}
	audit_sha256_free(&s);
	audit_sha256_free(&t);
	audit_sha256_free(&s);	/* twice is fine */
}
END_TEST

/* tests/vectors/audit/proofs.txt (made by the independent rfc9162.py) */
START_TEST(proof_vectors)
{
	char path[512], line[16384];
	const char *dir = VECTORS_DIR;
	FILE *fp;
	int n = 0, bad = 0;

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof(path), "%s/audit/proofs.txt", dir);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char kind[16], a[80], b[80], pr[16000], exp[8];
		unsigned long long x, y;
		uint8_t h1[32], h2[32], proof[64][32];
		size_t k = 0;
		bool got;

		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%15s %llu %llu %79s %79s %15999s %7s", kind, &x, &y, a, b,
		    pr, exp), 7);
		hexbin(a, h1, 32);
		hexbin(b, h2, 32);
		if (strcmp(pr, "-") != 0)
			for (char *t = strtok(pr, ","); t != NULL; t = strtok(NULL, ","))
				hexbin(t, proof[k++], 32);
		if (strcmp(kind, "inclusion") == 0)
			got = audit_verify_inclusion(h1, y, x, (const uint8_t (*)[32])proof, k, h2);
		else
			got = audit_verify_consistency(x, y, h1, h2, (const uint8_t (*)[32])proof, k);
		ck_assert_msg(got == (strcmp(exp, "ok") == 0), "%.100s", line);
		n++;
		bad += strcmp(exp, "bad") == 0;
	}
	fclose(fp);
	ck_assert_int_gt(n, 400);
	ck_assert_int_gt(bad, 200);	/* mutated proofs and forked logs */
}
END_TEST

/* Every proof the store makes verifies, for every size and index. */
START_TEST(proofs_from_the_store)
{
	struct fx f;
	uint8_t root[32], leaf[32], r2[32], path[AUDIT_PROOF_MAX][32], roots[41][32];
	size_t n;

	fx_init(&f);
	for (int s = 1; s <= 40; s++) {
		append_n(&f, s - 1, 1);
		ck_assert_eg(audit_root(f.db, (uint64_t)s, roots[s]), EG_OK);
	}
	for (uint64_t size = 1; size <= 40; size++) {
		for (uint64_t i = 0; i < size; i++) {
			ck_assert_eg(audit_prove_inclusion(f.db, i, size, leaf, path, &n, root), EG_OK);
			ck_assert(memcmp(root, roots[size], 32) == 0);
			ck_assert(audit_verify_inclusion(leaf, i, size, (const uint8_t (*)[32])path, n, root));
			if (n > 0) {
				path[n - 1][0] ^= 1;	/* a mutated proof fails */
				ck_assert(!audit_verify_inclusion(leaf, i, size,
				    (const uint8_t (*)[32])path, n, root));
			}
		}
		for (uint64_t m = 1; m <= size; m++) {
			ck_assert_eg(audit_prove_consistency(f.db, m, size, path, &n), EG_OK);
			ck_assert_msg(audit_verify_consistency(m, size, roots[m], roots[size],
			    (const uint8_t (*)[32])path, n), "%llu -> %llu", (unsigned long long)m,
			    (unsigned long long)size);
			memcpy(r2, roots[m], 32);
			r2[5] ^= 1;	/* another old tree (a fork) is not consistent */
			ck_assert(!audit_verify_consistency(m, size, r2, roots[size],
			    (const uint8_t (*)[32])path, n));
		}
	}
	ck_assert_eg(audit_prove_inclusion(f.db, 40, 40, leaf, path, &n, root), EG_ERR_INVAL);
	ck_assert_eg(audit_prove_consistency(f.db, 3, 41, path, &n), EG_ERR_INVAL);
	fx_done(&f);
}
END_TEST

/* Issue 13, 7: blanking one chosen record (purged = 1, personal columns
 * NULL) kept verify OK and hid it from document searches. */
START_TEST(attack_blank_one_record)
{
	struct fx f;
	struct audit_report rep;
	uint64_t n;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	raw_sql(&f, "UPDATE records SET purged = 1, payload = NULL, doc_hmac = NULL, "
	    "name_hmac = NULL WHERE id = 12");
	verify(&f, &rep);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_PURGED);
	ck_assert_int_eq(rep.bad_record, 12);
	fx_done(&f);
	/* a genuine purge still verifies, also after a second purge */
	fx_init(&f);
	append_n(&f, 0, 20);
	ck_assert_eg(audit_purge(f.db, T0 + 10 * 60000, &n), EG_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert_eg(audit_purge(f.db, T0 + 15 * 60000, &n), EG_OK);
	ck_assert_uint_eq(n, 5);
	verify(&f, &rep);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	ck_assert_uint_eq(rep.purged, 15);
	/* ... but not a record blanked beyond the purged time */
	raw_sql(&f, "UPDATE records SET purged = 1, payload = NULL, doc_hmac = NULL, "
	    "name_hmac = NULL WHERE id = 17");
	verify(&f, &rep);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_PURGED);
	fx_done(&f);
}
END_TEST

/* Issue 13, 7: a column's type changed (TEXT -> BLOB) hid records from
 * searches with every hash intact. */
START_TEST(attack_column_type)
{
	static const char *const edits[] = {
		"UPDATE records SET doc_hmac = CAST(doc_hmac AS BLOB) WHERE id = 4",
		"UPDATE records SET decision = CAST(decision AS BLOB) WHERE id = 4",
		"UPDATE records SET kiosk_id = CAST(kiosk_id AS BLOB) WHERE id = 4",
		"UPDATE records SET reason = CAST(reason AS BLOB) WHERE id = 4",
	};

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		struct fx f;
		struct audit_report rep;

		fx_init(&f);
		append_n(&f, 0, 8);
		checkpoint(&f);
		raw_sql(&f, edits[i]);
		verify(&f, &rep);
		ck_assert_msg(!rep.ok, "%s", edits[i]);
		ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_ROW);
		ck_assert_int_eq(rep.bad_record, 4);
		fx_done(&f);
	}
}
END_TEST

/* Issue 13, 2 and 9: a file with corrupted pages. */
static void
corrupt_middle(const char *path)
{
	struct stat st;
	uint8_t junk[512];
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	memset(junk, 0xA5, sizeof(junk));
	/* a page in the middle, past the schema */
	ck_assert_int_eq(pwrite(fd, junk, sizeof(junk), st.st_size / 2 / 4096 * 4096 + 100),
	    (ssize_t)sizeof(junk));
	close(fd);
}

START_TEST(attack_corrupted_pages)
{
	struct fx f;
	struct audit_report rep;
	struct audit_db *r = NULL;

	fx_init(&f);
	append_n(&f, 0, 400);
	checkpoint(&f);
	audit_close(&f.db);	/* everything in the main file */
	corrupt_middle(f.path);
	/* the daemon refuses it (it was served silently) */
	ck_assert_eg(audit_open(f.path, &f.keys, &f.db), EG_ERR_CHECKSUM);
	/* verify names it */
	ck_assert_eg(audit_open(f.path, NULL, &r), EG_OK);
	ck_assert_eg(audit_verify(r, f.pub, NULL, &rep), EG_OK);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_DAMAGED);
	audit_close(&r);
	fx_done(&f);
}
END_TEST

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ge(fputs(text, fp), 0);
	fclose(fp);
}

/* Issue 13, 2: the database emptied or deleted while the host is stopped;
 * the host started a new one and overwrote the .anchor. */
START_TEST(attack_db_deleted_or_emptied)
{
	struct fx f;
	char anchor[192], text[AUDIT_ANCHOR_TEXT_MAX], why[512];
	struct audit_db *d = NULL;

	fx_init(&f);
	append_n(&f, 0, 20);
	checkpoint(&f);
	ck_assert_eg(audit_checkpoint_latest(f.db, text, sizeof(text)), EG_OK);
	snprintf(anchor, sizeof(anchor), "%s.anchor", f.path);
	write_text(anchor, text);
	audit_close(&f.db);
	/* intact: opens */
	ck_assert_eg(audit_open_anchored(f.path, &f.keys, anchor, &d, why, sizeof(why)), EG_OK);
	audit_close(&d);
	/* every record deleted (tables emptied): refused */
	raw_sql(&f, "DELETE FROM records; DELETE FROM tree; DELETE FROM checkpoints");
	audit_close(&f.db);
	ck_assert_eg(audit_open_anchored(f.path, &f.keys, anchor, &d, why, sizeof(why)), EG_ERR_STATE);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(why, "were removed") != NULL, "%s", why);
	/* the file deleted: refused, and no new log is created */
	{
		char p[192];

		snprintf(p, sizeof(p), "%s-wal", f.path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", f.path);
		unlink(p);
	}
	ck_assert_int_eq(unlink(f.path), 0);
	ck_assert_eg(audit_open_anchored(f.path, &f.keys, anchor, &d, why, sizeof(why)), EG_ERR_STATE);
	ck_assert_int_ne(access(f.path, F_OK), 0);
	ck_assert_msg(strstr(why, "refusing to start a new log") != NULL, "%s", why);
	/* a different log put in its place (same size, other content): refused */
	fx_open(&f);
	for (int i = 0; i < 20; i++)
		append_n(&f, 100 + i, 1);
	audit_close(&f.db);
	ck_assert_eg(audit_open_anchored(f.path, &f.keys, anchor, &d, why, sizeof(why)), EG_ERR_STATE);
	ck_assert_msg(strstr(why, "does not contain the checkpoint") != NULL, "%s", why);
	unlink(anchor);
	fx_open(&f);
	fx_done(&f);
}
END_TEST

/* Issue 13, 9: a copy made without its -wal verified as a shorter log. */
START_TEST(attack_copy_without_wal)
{
	struct fx f;
	struct audit_report rep;
	struct audit_anchor a;
	char text[AUDIT_ANCHOR_TEXT_MAX], copy[192], cmd[512];
	struct audit_db *c = NULL;

	fx_init(&f);
	append_n(&f, 0, 10);
	checkpoint(&f);
	audit_close(&f.db);	/* checkpointed into the main file */
	fx_open(&f);
	append_n(&f, 10, 10);
	checkpoint(&f);		/* these live in the -wal while the host runs */
	latest_anchor(&f, &a, text, sizeof(text));
	snprintf(copy, sizeof(copy), "%s/copy.db", f.dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", f.path, copy);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_eg(audit_open(copy, NULL, &c), EG_OK);
	ck_assert_eg(audit_verify(c, f.pub, NULL, &rep), EG_OK);
	ck_assert(rep.ok);		/* consistent in itself ... */
	ck_assert(!rep.anchored);	/* ... but nothing outside vouches for it */
	ck_assert_uint_lt(rep.records, 20);
	ck_assert_eg(audit_verify(c, f.pub, &a, &rep), EG_OK);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_TRUNCATED);
	audit_close(&c);
	/* the online backup is complete */
	unlink(copy);
	ck_assert_eg(audit_snapshot(f.db, copy, NULL, NULL), EG_OK);
	ck_assert_eg(audit_snapshot(f.db, copy, NULL, NULL), EG_ERR_STATE);
	ck_assert_eg(audit_open(copy, NULL, &c), EG_OK);
	ck_assert_eg(audit_verify(c, f.pub, &a, &rep), EG_OK);
	ck_assert_msg(rep.ok && rep.anchored, "%s", rep.detail);
	ck_assert_uint_eq(rep.records, 20);
	audit_close(&c);
	unlink(copy);
	fx_done(&f);
}
END_TEST

/* Witness cosignatures (Ed25519, c2sp.org/tlog-cosignature) and verify's
 * quorum. */
START_TEST(witness_cosignatures)
{
	struct fx f;
	struct audit_report rep;
	struct audit_verify_opts o;
	struct audit_anchor a, b;
	char text[AUDIT_ANCHOR_TEXT_MAX], sk1[256], vk1[256], sk2[256], vk2[256];
	const char *vks[2];
	uint64_t ts = 0;

	fx_init(&f);
	append_n(&f, 0, 9);
	checkpoint(&f);
	latest_anchor(&f, &a, text, sizeof(text));
	ck_assert_eg(audit_witness_keygen("witness.example/w1", sk1, sizeof(sk1), vk1, sizeof(vk1)),
	    EG_OK);
	ck_assert_eg(audit_witness_keygen("witness.example/w2", sk2, sizeof(sk2), vk2, sizeof(vk2)),
	    EG_OK);
	ck_assert_eg(audit_witness_keygen("bad name", sk2, sizeof(sk2), vk2, sizeof(vk2)),
	    EG_ERR_INVAL);
	ck_assert_eg(audit_witness_keygen("witness.example/w2", sk2, sizeof(sk2), vk2, sizeof(vk2)),
	    EG_OK);
	ck_assert_eg(audit_vkey_check(vk1), EG_OK);
	ck_assert_eg(audit_vkey_check(sk1), EG_ERR_FORMAT);
	ck_assert(!audit_witness_verify(&a, vk1, NULL));
	ck_assert_eg(audit_witness_cosign(&a, sk1, 1700000000), EG_OK);
	ck_assert(audit_witness_verify(&a, vk1, &ts));
	ck_assert_uint_eq(ts, 1700000000);
	ck_assert(!audit_witness_verify(&a, vk2, NULL));
	/* the text round trip keeps every signature */
	ck_assert_eg(audit_note_format(&a, text, sizeof(text)), EG_OK);
	ck_assert_eg(audit_anchor_parse(text, strlen(text), &b), EG_OK);
	ck_assert_uint_eq(b.n_sigs, 2);
	ck_assert(audit_witness_verify(&b, vk1, NULL));
	ck_assert(audit_note_verify_log(&b, f.pub));
	/* a cosignature moved to another tree does not verify */
	b.count = 8;
	ck_assert(!audit_witness_verify(&b, vk1, NULL));
	b = a;
	b.sigs[1].sig[20] ^= 1;
	ck_assert(!audit_witness_verify(&b, vk1, NULL));
	/* verify with witness keys */
	memset(&o, 0, sizeof(o));
	vks[0] = vk1;
	vks[1] = vk2;
	o.anchor = &a;
	o.witness_vkeys = vks;
	o.n_witness = 1;
	ck_assert_eg(audit_verify_ex(f.db, f.pub, &o, &rep), EG_OK);
	ck_assert_msg(rep.ok && rep.witnessed && rep.anchored, "%s", rep.detail);
	o.n_witness = 2;	/* both required, one present */
	ck_assert_eg(audit_verify_ex(f.db, f.pub, &o, &rep), EG_OK);
	ck_assert(!rep.ok);
	ck_assert_int_eq(rep.problem, AUDIT_PROBLEM_WITNESS);
	o.quorum = 1;
	ck_assert_eg(audit_verify_ex(f.db, f.pub, &o, &rep), EG_OK);
	ck_assert(rep.ok && rep.witnessed);
	vks[1] = "not a key";
	ck_assert_eg(audit_verify_ex(f.db, f.pub, &o, &rep), EG_ERR_FORMAT);

	/* the two witnesses' notes of one checkpoint merge into one note */
	{
		struct audit_anchor w2, m;
		size_t added = 9;

		latest_anchor(&f, &w2, text, sizeof(text));
		ck_assert_eg(audit_witness_cosign(&w2, sk2, 1700000100), EG_OK);
		m = a;
		ck_assert_eg(audit_anchor_merge(&m, &w2, &added), EG_OK);
		ck_assert_uint_eq(added, 1);	/* the log's line is there already */
		ck_assert_uint_eq(m.n_sigs, 3);
		ck_assert(audit_witness_verify(&m, vk1, NULL) && audit_witness_verify(&m, vk2, NULL));
		ck_assert(audit_note_verify_log(&m, f.pub));
		ck_assert_eg(audit_anchor_merge(&m, &w2, &added), EG_OK);
		ck_assert_uint_eq(added, 0);
		ck_assert_uint_eq(m.n_sigs, 3);
		/* another size or root: not the same checkpoint */
		w2.count--;
		ck_assert_eg(audit_anchor_merge(&m, &w2, &added), EG_ERR_INVAL);
		w2.count++;
		w2.root[0] ^= 1;
		ck_assert_eg(audit_anchor_merge(&m, &w2, &added), EG_ERR_INVAL);
		w2.root[0] ^= 1;
		/* never more than AUDIT_NOTE_SIGS_MAX lines; into unchanged */
		for (size_t i = 0; i < AUDIT_NOTE_SIGS_MAX - 2; i++) {
			snprintf(w2.sigs[i + 2].name, sizeof(w2.sigs[0].name), "w%zu", i);
			w2.sigs[i + 2].kid[0] = (uint8_t)i;
			w2.sigs[i + 2].sig_len = 1;
		}
		w2.n_sigs = AUDIT_NOTE_SIGS_MAX;
		ck_assert_eg(audit_anchor_merge(&m, &w2, &added), EG_ERR_OVERFLOW);
		ck_assert_uint_eq(m.n_sigs, 3);
	}
	fx_done(&f);
}
END_TEST

/* A schema-1 log (as the previous version wrote it) migrates: the tree is
 * built, a signed-note checkpoint made, old checkpoints and anchors verify. */
START_TEST(migration_from_schema_1)
{
	struct fx f;
	struct audit_report rep;
	struct audit_anchor v1;
	struct audit_db *r = NULL;
	char text[AUDIT_ANCHOR_TEXT_MAX], sql[1024], kid[AUDIT_KEY_ID_LEN + 1];
	uint8_t head[32], digest[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t siglen = 0, tl;
	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	sqlite3 *db;
	sqlite3_stmt *st;

	fx_init(&f);
	append_n(&f, 0, 15);
	snprintf(kid, sizeof(kid), "%s", f.db->key_id);
	audit_close(&f.db);
	/* back to schema 1: what the previous version left on disk */
	ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE tree; DROP TABLE meta; DROP TABLE policy_params;"
	    "ALTER TABLE checkpoints DROP COLUMN note; DELETE FROM schema_migrations WHERE version = 2;"
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT hash FROM records WHERE id = 15", -1, &st,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	memcpy(head, sqlite3_column_blob(st, 0), 32);
	sqlite3_finalize(st);
	/* a schema-1 checkpoint, signed as the old code did */
	tl = audit_checkpoint_text(15, head, T0, text, sizeof(text));
	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	ck_assert_int_eq(mbedtls_pk_parse_key(&pk, (const uint8_t *)f.priv, strlen(f.priv) + 1, NULL,
	    0), 0);
	mbedtls_sha256_ret((const uint8_t *)text, tl, digest, 0);
	ck_assert_int_eq(mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, digest, 32, sig, &siglen,
	    mbedtls_ctr_drbg_random, &drbg), 0);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO checkpoints (record_id, count, head_hash, "
	    "ts, key_id, signature) VALUES (15, 15, ?, ?, ?, ?)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, head, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, T0);
	sqlite3_bind_text(st, 3, kid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, sig, (int)siglen, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	memset(&v1, 0, sizeof(v1));
	v1.format = 1;
	v1.count = 15;
	memcpy(v1.head, head, 32);
	v1.ts_ms = T0;
	snprintf(v1.key_id, sizeof(v1.key_id), "%s", kid);
	memcpy(v1.sig, sig, siglen);
	v1.sig_len = siglen;
	ck_assert_eg(audit_anchor_format(&v1, text, sizeof(text)), EG_OK);
	ck_assert_eg(audit_anchor_parse(text, strlen(text), &v1), EG_OK);
	ck_assert_int_eq(v1.format, 1);
	/* readers refuse it until the host migrated it */
	ck_assert_eg(audit_open(f.path, NULL, &r), EG_ERR_UNSUPPORTED);
	fx_open(&f);
	ck_assert_int_eq(count_rows(&f, "PRAGMA user_version"), 2);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM checkpoints WHERE note IS NOT NULL "
	    "AND count = 15"), 1);
	ck_assert_int_eq(count_rows(&f, "SELECT COUNT(*) FROM tree WHERE level = 0"), 15);
	ck_assert_eg(audit_verify(f.db, f.pub, &v1, &rep), EG_OK);
	ck_assert_msg(rep.ok && rep.anchored, "%s", rep.detail);
	ck_assert_uint_eq(rep.checkpoints, 2);
	append_n(&f, 15, 3);
	checkpoint(&f);
	ck_assert_eg(audit_verify(f.db, f.pub, &v1, &rep), EG_OK);
	ck_assert_msg(rep.ok, "%s", rep.detail);
	snprintf(sql, sizeof(sql), "%s", "SELECT 1");
	(void)sql;
	fx_done(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("store");

	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, migration_from_empty);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, append_and_idempotency);
	tcase_add_test(tc, two_writers_one_chain);
	tcase_add_test(tc, chain_verifies_and_unsealed);
	tcase_add_test(tc, tamper_edit_header_field);
	tcase_add_test(tc, tamper_edit_timestamp_and_officer);
	tcase_add_test(tc, tamper_edit_payload);
	tcase_add_test(tc, tamper_edit_and_rehash_one);
	tcase_add_test(tc, tamper_delete_record);
	tcase_add_test(tc, tamper_truncate_tail);
	tcase_add_test(tc, unsealed_tail_is_not_protected);
	tcase_add_test(tc, rewrite_chain_detected_by_checkpoint_head);
	tcase_add_test(tc, rewrite_chain_detected_by_signature);
	tcase_add_test(tc, tamper_checkpoint_fields);
	tcase_add_test(tc, tamper_replayed_checkpoint);
	tcase_add_test(tc, anchor_round_trip);
	tcase_add_test(tc, anchor_detects_truncation_with_checkpoints);
	tcase_add_test(tc, anchor_detects_rewrite_without_checkpoints);
	tcase_add_test(tc, anchor_parse_rejects);
	tcase_add_test(tc, purge_keeps_verification);
	tcase_add_test(tc, hmac_of_identifiers);
	tcase_add_test(tc, key_files);
	tcase_add_test(tc, query_filters);
	tcase_add_test(tc, config_versions);
	tcase_add_test(tc, sha256_vectors);
	tcase_add_test(tc, proof_vectors);
	tcase_add_test(tc, proofs_from_the_store);
	tcase_add_test(tc, attack_blank_one_record);
	tcase_add_test(tc, attack_column_type);
	tcase_add_test(tc, attack_corrupted_pages);
	tcase_add_test(tc, attack_db_deleted_or_emptied);
	tcase_add_test(tc, attack_copy_without_wal);
	tcase_add_test(tc, witness_cosignatures);
	tcase_add_test(tc, migration_from_schema_1);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
