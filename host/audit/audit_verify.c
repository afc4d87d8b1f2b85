/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_verify.c — walk the chain, recompute every hash, check every signed
 * checkpoint against it, and name the first thing that is wrong.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "audit_int.h"
#include "egate/error.h"

struct cp {
	int64_t id;
	int64_t record_id;
	int64_t count;
	int64_t ts;
	uint8_t head[AUDIT_HASH_LEN];
	bool head_ok;		/* head column is 32 bytes */
	bool sig_ok;
	bool order_ok;
	char why[96];		/* why sig_ok/order_ok is false */
};

const char *
audit_problem_name(enum audit_problem p)
{
	switch (p) {
	case AUDIT_PROBLEM_NONE: return "none";
	case AUDIT_PROBLEM_MISSING: return "missing";
	case AUDIT_PROBLEM_HASH: return "hash";
	case AUDIT_PROBLEM_PAYLOAD: return "payload";
	case AUDIT_PROBLEM_REHASHED: return "rehashed";
	case AUDIT_PROBLEM_ROW: return "row";
	case AUDIT_PROBLEM_TRUNCATED: return "truncated";
	case AUDIT_PROBLEM_SIGNATURE: return "signature";
	case AUDIT_PROBLEM_CHECKPOINT: return "checkpoint";
	case AUDIT_PROBLEM_ANCHOR: return "anchor";
	}
	return "unknown";
}

static void __attribute__((format(printf, 5, 6)))
fail(struct audit_report *rep, enum audit_problem p, int64_t rec, int64_t cp, const char *fmt, ...)
{
	va_list ap;

	rep->ok = false;
	rep->problem = p;
	rep->bad_record = rec;
	rep->bad_checkpoint = cp;
	va_start(ap, fmt);
	vsnprintf(rep->detail, sizeof(rep->detail), fmt, ap);
	va_end(ap);
}

static bool
blob32(sqlite3_stmt *st, int i, uint8_t out[AUDIT_HASH_LEN])
{
	if (sqlite3_column_type(st, i) != SQLITE_BLOB || sqlite3_column_bytes(st, i) != AUDIT_HASH_LEN)
		return false;
	memcpy(out, sqlite3_column_blob(st, i), AUDIT_HASH_LEN);
	return true;
}

static struct audit_str
col(sqlite3_stmt *st, int i)
{
	struct audit_str s = { NULL, 0 };

	if (sqlite3_column_type(st, i) != SQLITE_NULL) {
		s.p = (const char *)sqlite3_column_text(st, i);
		s.n = (size_t)sqlite3_column_bytes(st, i);
	}
	return s;
}

/* Verify one signed checkpoint; on failure say why in why[cap]. */
static bool
sig_ok(mbedtls_pk_context *pk, const char *key_id, uint64_t count, const uint8_t head[32],
    int64_t ts, const char *kid, const uint8_t *sig, size_t siglen, char *why, size_t cap)
{
	char text[256];
	uint8_t digest[32];
	size_t tlen;

	if (kid == NULL || strcmp(kid, key_id) != 0) {
		snprintf(why, cap, "signed by key %.16s, not by the given key %s",
		    kid != NULL ? kid : "(none)", key_id);
		return false;
	}
	tlen = audit_checkpoint_text(count, head, ts, text, sizeof(text));
	if (tlen == 0 || sig == NULL || mbedtls_sha256_ret((const uint8_t *)text, tlen, digest, 0) != 0 ||
	    mbedtls_pk_verify(pk, MBEDTLS_MD_SHA256, digest, sizeof(digest), sig, siglen) != 0) {
		snprintf(why, cap, "signature does not verify");
		return false;
	}
	return true;
}

static void
check_signature(mbedtls_pk_context *pk, const char *key_id, sqlite3_stmt *st, struct cp *c)
{
	const uint8_t *sig = NULL;

	if (sqlite3_column_type(st, 6) == SQLITE_BLOB)
		sig = sqlite3_column_blob(st, 6);
	c->sig_ok = sig_ok(pk, key_id, (uint64_t)c->count, c->head, c->ts,
	    (const char *)sqlite3_column_text(st, 5), sig, (size_t)sqlite3_column_bytes(st, 6),
	    c->why, sizeof(c->why));
}

/*
 * Checkpoints are read one at a time beside the record walk (a year of
 * minute checkpoints is ~500 000 rows: not something to hold in memory).
 */
struct cp_cursor {
	sqlite3_stmt *st;
	mbedtls_pk_context *pk;
	const char *key_id;
	struct cp cur;		/* valid when have */
	bool have;
	bool have_prev;
	int64_t prev_count, prev_ts;
};

/* Load the next checkpoint into c->cur and pre-check it (signature, order). */
static int
cp_next(struct cp_cursor *c)
{
	struct cp *p = &c->cur;
	int rc = sqlite3_step(c->st);

	c->have = false;
	if (rc == SQLITE_DONE)
		return EG_OK;
	if (rc != SQLITE_ROW)
		return EG_ERR_DB;
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(c->st, 0);
	p->record_id = sqlite3_column_int64(c->st, 1);
	p->count = sqlite3_column_int64(c->st, 2);
	p->ts = sqlite3_column_int64(c->st, 4);
	p->head_ok = blob32(c->st, 3, p->head);
	p->order_ok = p->head_ok && p->count >= 1 && p->record_id == p->count &&
	    (!c->have_prev || (p->count >= c->prev_count && p->ts >= c->prev_ts));
	if (!p->order_ok)
		snprintf(p->why, sizeof(p->why), "malformed or out of order (count %" PRId64
		    " after %" PRId64 ")", p->count, c->have_prev ? c->prev_count : 0);
	if (p->head_ok)
		check_signature(c->pk, c->key_id, c->st, p);
	else
		snprintf(p->why, sizeof(p->why), "head hash column malformed");
	c->have_prev = true;
	c->prev_count = p->count;
	c->prev_ts = p->ts;
	c->have = true;
	return EG_OK;
}

/* Report checkpoint c if it is bad; true when it was. */
static bool
bad_checkpoint(struct audit_report *rep, const struct cp *c, int64_t rec)
{
	if (!c->sig_ok) {
		fail(rep, AUDIT_PROBLEM_SIGNATURE, rec, c->id, "checkpoint %" PRId64 " (count %" PRId64
		    "): %s", c->id, c->count, c->why);
		return true;
	}
	if (!c->order_ok) {
		fail(rep, AUDIT_PROBLEM_CHECKPOINT, rec, c->id, "checkpoint %" PRId64 ": %s", c->id, c->why);
		return true;
	}
	return false;
}

int
audit_verify(struct audit_db *a, const char *pubkey_pem, const struct audit_anchor *anchor,
    struct audit_report *rep)
{
	static const uint8_t zero[AUDIT_HASH_LEN];
	mbedtls_pk_context pk;
	char key_id[AUDIT_KEY_ID_LEN + 1];
	struct cp_cursor cc;
	bool in_txn = false;
	sqlite3_stmt *st = NULL;
	uint8_t running[AUDIT_HASH_LEN];
	int64_t e = 1;
	int ret = EG_ERR_INVAL, rc;

	mbedtls_pk_init(&pk);
	memset(&cc, 0, sizeof(cc));
	if (rep != NULL)
		memset(rep, 0, sizeof(*rep));
	if (a == NULL || pubkey_pem == NULL || rep == NULL)
		goto out;
	rep->ok = true;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_pk_parse_public_key(&pk, (const uint8_t *)pubkey_pem, strlen(pubkey_pem) + 1) != 0 ||
	    !audit_pk_is_p256(&pk) || audit_key_id(&pk, key_id) != EG_OK)
		goto out;
	if (anchor != NULL) {
		char why[96];

		if (!sig_ok(&pk, key_id, anchor->count, anchor->head, anchor->ts_ms, anchor->key_id,
			anchor->sig, anchor->sig_len, why, sizeof(why))) {
			fail(rep, AUDIT_PROBLEM_SIGNATURE, 0, 0, "external checkpoint (count %" PRIu64
			    "): %s", anchor->count, why);
			ret = EG_OK;
			goto out;
		}
	}
	/* one read transaction: a consistent snapshot while the daemon writes */
	ret = EG_ERR_DB;
	if (sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	in_txn = true;
	cc.pk = &pk;
	cc.key_id = key_id;
	if (sqlite3_prepare_v2(a->db, "SELECT id, record_id, count, head_hash, ts, key_id, signature "
		"FROM checkpoints ORDER BY id", -1, &cc.st, NULL) != SQLITE_OK ||
	    cp_next(&cc) != EG_OK)
		goto out;
	/* a checkpoint sealing nothing (count < 1) is reported before the walk */
	while (cc.have && cc.cur.count < 1) {
		if (bad_checkpoint(rep, &cc.cur, 0))
			goto done;
		if (cp_next(&cc) != EG_OK)
			goto out;
	}
	memcpy(running, zero, sizeof(running));
	if (sqlite3_prepare_v2(a->db, "SELECT id, kiosk_id, seq, ts, type, decision, reason, officer, "
		"doc_hmac, name_hmac, payload, payload_hash, purged, prev_hash, hash "
		"FROM records ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		uint8_t pd_stored[32], prev[32], hash[32], pd[32], h_run[32], h_self[32];
		struct audit_hdr hdr;
		struct audit_str doc = col(st, 8), name = col(st, 9), pay = col(st, 10);
		bool purged = sqlite3_column_int(st, 12) != 0;

		if (id != e) {
			fail(rep, AUDIT_PROBLEM_MISSING, e, 0, "record %" PRId64 " is missing "
			    "(records %" PRId64 "..%" PRId64 " deleted)", e, e, id - 1);
			goto done;
		}
		hdr.kiosk_id = col(st, 1);
		hdr.seq = sqlite3_column_int64(st, 2);
		hdr.ts_ms = sqlite3_column_int64(st, 3);
		hdr.type = col(st, 4);
		hdr.decision = col(st, 5);
		hdr.reason = col(st, 6);
		hdr.officer = col(st, 7);
		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
		    sqlite3_column_type(st, 2) != SQLITE_INTEGER ||
		    sqlite3_column_type(st, 3) != SQLITE_INTEGER || hdr.kiosk_id.p == NULL ||
		    hdr.type.p == NULL || !blob32(st, 11, pd_stored) || !blob32(st, 13, prev) ||
		    !blob32(st, 14, hash)) {
			fail(rep, AUDIT_PROBLEM_ROW, e, 0, "record %" PRId64 ": malformed row "
			    "(missing field or wrong column type)", e);
			goto done;
		}
		if (purged) {
			if (doc.p != NULL || name.p != NULL || pay.p != NULL) {
				fail(rep, AUDIT_PROBLEM_ROW, e, 0, "record %" PRId64 ": marked purged "
				    "but still holds personal columns", e);
				goto done;
			}
			rep->purged++;
		} else {
			if (audit_payload_digest(&doc, &name, &pay, pd) != EG_OK) {
				ret = EG_ERR_CRYPTO;
				goto out;
			}
			if (memcmp(pd, pd_stored, sizeof(pd)) != 0) {
				fail(rep, AUDIT_PROBLEM_PAYLOAD, e, 0, "record %" PRId64 ": payload or "
				    "identifier columns were edited (digest mismatch)", e);
				goto done;
			}
		}
		if (audit_record_digest(running, id, &hdr, pd_stored, h_run) != EG_OK) {
			ret = EG_ERR_CRYPTO;
			goto out;
		}
		if (memcmp(prev, running, sizeof(prev)) != 0) {
			/* is this record self-consistent with what it links to? then
			 * its predecessor was changed after it was written */
			if (audit_record_digest(prev, id, &hdr, pd_stored, h_self) != EG_OK) {
				ret = EG_ERR_CRYPTO;
				goto out;
			}
			if (e > 1 && memcmp(h_self, hash, sizeof(hash)) == 0)
				fail(rep, AUDIT_PROBLEM_REHASHED, e - 1, 0, "record %" PRId64 ": edited "
				    "and re-hashed (record %" PRId64 " links to a different hash)", e - 1, e);
			else
				fail(rep, AUDIT_PROBLEM_HASH, e, 0, "record %" PRId64 ": prev_hash does "
				    "not link to record %" PRId64 " (field edited)", e, e - 1);
			goto done;
		}
		if (memcmp(h_run, hash, sizeof(hash)) != 0) {
			fail(rep, AUDIT_PROBLEM_HASH, e, 0, "record %" PRId64 ": stored hash does not "
			    "match its contents (a field was edited)", e);
			goto done;
		}
		memcpy(running, h_run, sizeof(running));
		while (cc.have && cc.cur.count <= e) {
			if (bad_checkpoint(rep, &cc.cur, e))
				goto done;
			if (memcmp(cc.cur.head, running, sizeof(running)) != 0) {
				fail(rep, AUDIT_PROBLEM_CHECKPOINT, e, cc.cur.id, "checkpoint %" PRId64
				    " seals a different head at record %" PRId64 " (chain rewritten)",
				    cc.cur.id, e);
				goto done;
			}
			rep->checkpoints++;
			rep->sealed = (uint64_t)cc.cur.count;
			rep->last_checkpoint_ts_ms = cc.cur.ts;
			if (cp_next(&cc) != EG_OK)
				goto out;
		}
		if (anchor != NULL && anchor->count == (uint64_t)e) {
			if (memcmp(anchor->head, running, sizeof(running)) != 0) {
				fail(rep, AUDIT_PROBLEM_ANCHOR, e, 0, "the external checkpoint seals a "
				    "different head at record %" PRId64 " (chain rewritten)", e);
				goto done;
			}
			rep->anchored = true;
		}
		rep->records++;
		e++;
	}
	if (rc != SQLITE_DONE)
		goto out;
	if (cc.have) {
		if (!bad_checkpoint(rep, &cc.cur, e))
			fail(rep, AUDIT_PROBLEM_TRUNCATED, e, cc.cur.id, "checkpoint %" PRId64 " seals %"
			    PRId64 " records but the chain ends at %" PRId64 " (records %" PRId64 "..%"
			    PRId64 " deleted)", cc.cur.id, cc.cur.count, e - 1, e, cc.cur.count);
		goto done;
	}
	if (anchor != NULL && anchor->count > rep->records) {
		fail(rep, AUDIT_PROBLEM_TRUNCATED, e, 0, "the external checkpoint seals %" PRIu64
		    " records but the chain ends at %" PRId64 " (records %" PRId64 "..%" PRIu64
		    " deleted)", anchor->count, e - 1, e, anchor->count);
		goto done;
	}
	rep->unsealed = rep->records - rep->sealed;
done:
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(cc.st);
	if (in_txn)
		sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
	mbedtls_pk_free(&pk);
	return ret;
}
