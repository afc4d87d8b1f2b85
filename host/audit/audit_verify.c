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


#include "audit_int.h"
#include "egate/buf.h"
#include "egate/error.h"

struct cp {
	int64_t id;
	int64_t record_id;
	int64_t count;
	int64_t ts;
	uint8_t head[AUDIT_HASH_LEN];
	bool note;		/* a signed-note checkpoint (schema 2) */
	uint8_t root[AUDIT_HASH_LEN];	/* note: the tree root it signs */
	bool head_ok;		/* head column is 32 bytes */
	bool sig_ok;
	bool order_ok;
	char why[160];		/* why sig_ok/order_ok is false */
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
	case AUDIT_PROBLEM_DAMAGED: return "damaged";
	case AUDIT_PROBLEM_WRONG_KEY: return "wrong_key";
	case AUDIT_PROBLEM_PURGED: return "purged";
	case AUDIT_PROBLEM_TREE: return "tree";
	case AUDIT_PROBLEM_WITNESS: return "witness";
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

/* TEXT, or NULL when allowed: a BLOB (or number) where text belongs would
 * hide the record from every search on that column. */
static bool
text_col(sqlite3_stmt *st, int i, bool nullable)
{
	int t = sqlite3_column_type(st, i);

	return t == SQLITE_TEXT || (nullable && t == SQLITE_NULL);
}

/* Verify one schema-1 signed checkpoint; on failure say why in why[cap]. */
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
	if (tlen == 0 || sig == NULL || audit_sha256(NULL, text, tlen, digest) != EG_OK ||
	    mbedtls_pk_verify(pk, MBEDTLS_MD_SHA256, digest, sizeof(digest), sig, siglen) != 0) {
		snprintf(why, cap, "signature does not verify");
		return false;
	}
	return true;
}

/* The log's signature on a signed-note checkpoint (origin, key id, ECDSA). */
static bool
note_sig_ok(mbedtls_pk_context *pk, const uint8_t kid[4], const char *origin,
    const struct audit_anchor *n, char *why, size_t cap)
{
	char body[256];
	size_t blen;

	if (strcmp(n->origin, origin) != 0) {
		snprintf(why, cap, "names log '%.64s', not this log '%s'", n->origin, origin);
		return false;
	}
	blen = audit_note_body(n->origin, n->count, n->root, body, sizeof(body));
	for (size_t i = 0; i < n->n_sigs; i++) {
		const struct audit_note_sig *s = &n->sigs[i];

		if (strcmp(s->name, origin) != 0 || memcmp(s->kid, kid, 4) != 0)
			continue;
		if (blen == 0 || !audit_note_verify_ecdsa(pk, body, blen, s->sig, s->sig_len)) {
			snprintf(why, cap, "signature does not verify");
			return false;
		}
		return true;
	}
	snprintf(why, cap, "not signed by the given key (key id %02x%02x%02x%02x)", kid[0], kid[1],
	    kid[2], kid[3]);
	return false;
}

/*
 * Checkpoints are read one at a time beside the record walk (a year of
 * minute checkpoints is ~500 000 rows: not something to hold in memory).
 */
struct cp_cursor {
	sqlite3_stmt *st;
	mbedtls_pk_context *pk;
	const char *key_id;
	const uint8_t *kid;
	const char *origin;
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
	p->note = sqlite3_column_type(c->st, 7) != SQLITE_NULL;
	p->order_ok = p->head_ok && p->count >= 1 && p->record_id == p->count &&
	    (!c->have_prev || (p->count >= c->prev_count && p->ts >= c->prev_ts));
	if (!p->order_ok)
		snprintf(p->why, sizeof(p->why), "malformed or out of order (count %" PRId64
		    " after %" PRId64 ")", p->count, c->have_prev ? c->prev_count : 0);
	if (!p->head_ok) {
		snprintf(p->why, sizeof(p->why), "head hash column malformed");
	} else if (p->note) {
		struct audit_anchor n;
		const char *t = (const char *)sqlite3_column_text(c->st, 7);

		if (sqlite3_column_type(c->st, 7) != SQLITE_TEXT || t == NULL ||
		    audit_note_parse(t, (size_t)sqlite3_column_bytes(c->st, 7), &n) != EG_OK) {
			snprintf(p->why, sizeof(p->why), "signed note malformed");
		} else if (n.count != (uint64_t)p->count) {
			snprintf(p->why, sizeof(p->why), "signed note seals %" PRIu64 " records, "
			    "the row says %" PRId64, n.count, p->count);
		} else {
			memcpy(p->root, n.root, AUDIT_HASH_LEN);
			p->sig_ok = note_sig_ok(c->pk, c->kid, c->origin, &n, p->why, sizeof(p->why));
		}
	} else {
		const uint8_t *sig = NULL;

		if (sqlite3_column_type(c->st, 6) == SQLITE_BLOB)
			sig = sqlite3_column_blob(c->st, 6);
		p->sig_ok = sig_ok(c->pk, c->key_id, (uint64_t)p->count, p->head, p->ts,
		    (const char *)sqlite3_column_text(c->st, 5), sig,
		    (size_t)sqlite3_column_bytes(c->st, 6), p->why, sizeof(p->why));
	}
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


/* ---- retention purges --------------------------------------------------------- */

/*
 * A purged record is legitimate only if a later retention_purge record
 * (a host "system" record, hash-chained, never purged itself) covers its
 * time: before_ts_ms > ts. purges[] holds (id, before) in id order and
 * suffix[i] the largest before of purges[i..].
 */
struct purges {
	int64_t *id;
	int64_t *suffix;
	size_t n, next;
};

/* {"before_ts_ms":N,"records":M} as audit_purge writes it */
static bool
purge_before(const char *payload, int64_t *before)
{
	long long b = 0, r = 0;
	int end = 0;

	if (payload == NULL || sscanf(payload, "{\"before_ts_ms\":%lld,\"records\":%lld}%n", &b, &r,
		&end) != 2 || end == 0 || payload[end] != '\0')
		return false;
	*before = (int64_t)b;
	return true;
}

static int
purges_load(sqlite3 *db, struct purges *p)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int ret = EG_ERR_DB, rc;

	memset(p, 0, sizeof(*p));
	if (sqlite3_prepare_v2(db, "SELECT id, payload FROM records WHERE kiosk_id = 'host' AND "
		"type = 'system' AND reason = 'retention_purge' AND purged = 0 ORDER BY id", -1, &st,
		NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t before;

		/* a payload edited to claim more: the walk reports it ("payload") */
		if (!purge_before((const char *)sqlite3_column_text(st, 1), &before))
			continue;
		if (p->n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			int64_t *ni = realloc(p->id, nc * sizeof(*ni));

			if (ni == NULL) {
				ret = EG_ERR_NOMEM;
				goto out;
			}
			p->id = ni;
			ni = realloc(p->suffix, nc * sizeof(*ni));
			if (ni == NULL) {
				ret = EG_ERR_NOMEM;
				goto out;
			}
			p->suffix = ni;
			cap = nc;
		}
		p->id[p->n] = sqlite3_column_int64(st, 0);
		p->suffix[p->n] = before;
		p->n++;
	}
	if (rc != SQLITE_DONE)
		goto out;
	for (size_t i = p->n; i-- > 1;)
		if (p->suffix[i] > p->suffix[i - 1])
			p->suffix[i - 1] = p->suffix[i];
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

static bool
purge_covers(struct purges *p, int64_t id, int64_t ts)
{
	while (p->next < p->n && p->id[p->next] <= id)
		p->next++;
	return p->next < p->n && p->suffix[p->next] > ts;
}

/* ---- decision parameters ------------------------------------------------------------ */

/*
 * Every row of policy_params is kept under the SHA-256 of its text, the
 * digest a hash-chained config record names (audit_config_add_policy): an
 * edited row no longer hashes to its key. Fails rep on the first one.
 */
static int
params_check(sqlite3 *db, struct audit_report *rep)
{
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB, rc;

	if (sqlite3_prepare_v2(db, "SELECT sha256, version, params FROM policy_params ORDER BY "
		"version, sha256", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t want[AUDIT_HASH_LEN], got[AUDIT_HASH_LEN];
		bool ok = blob32(st, 0, want) && sqlite3_column_type(st, 1) == SQLITE_INTEGER &&
		    sqlite3_column_type(st, 2) == SQLITE_TEXT;

		if (ok) {
			if (audit_sha256(NULL, sqlite3_column_text(st, 2),
				(size_t)sqlite3_column_bytes(st, 2), got) != EG_OK) {
				ret = EG_ERR_CRYPTO;
				goto out;
			}
			ok = memcmp(got, want, AUDIT_HASH_LEN) == 0;
		}
		if (!ok) {
			fail(rep, AUDIT_PROBLEM_PAYLOAD, 0, 0, "the decision parameters kept for "
			    "configuration version %" PRId64 " differ from their digest (edited)",
			    (int64_t)sqlite3_column_int64(st, 1));
			break;
		}
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

/* ---- the walk --------------------------------------------------------------------- */

/* Stored tree nodes, read in (last, level) order beside the records. */
struct node_cursor {
	sqlite3_stmt *st;
	bool have;
	int64_t last;
	int level;
	uint8_t hash[AUDIT_HASH_LEN];
	bool hash_ok;
};

static int
node_next(struct node_cursor *c)
{
	int rc = sqlite3_step(c->st);

	c->have = false;
	if (rc == SQLITE_DONE)
		return EG_OK;
	if (rc != SQLITE_ROW)
		return EG_ERR_DB;
	c->last = sqlite3_column_int64(c->st, 0);
	c->level = sqlite3_column_int(c->st, 1);
	c->hash_ok = blob32(c->st, 2, c->hash);
	c->have = true;
	return EG_OK;
}

/* Which keys signed the checkpoints: *all = rows, *mine = by key_id. */
static int
count_keys(sqlite3 *db, const char *key_id, int64_t *all, int64_t *mine, char other[AUDIT_KEY_ID_LEN + 1])
{
	sqlite3_stmt *st = NULL;
	int ret = EG_ERR_DB;

	other[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT COUNT(*), COALESCE(SUM(key_id = ?1), 0), "
		"(SELECT key_id FROM checkpoints WHERE key_id IS NOT ?1 LIMIT 1) FROM checkpoints", -1,
		&st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*all = sqlite3_column_int64(st, 0);
	*mine = sqlite3_column_int64(st, 1);
	if (sqlite3_column_type(st, 2) == SQLITE_TEXT)
		snprintf(other, AUDIT_KEY_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 2));
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

/* Check the external checkpoint's signatures before the walk. */
static bool
anchor_signed(mbedtls_pk_context *pk, const char *key_id, const uint8_t kid[4], const char *origin,
    const struct audit_verify_opts *o, struct audit_report *rep)
{
	const struct audit_anchor *an = o->anchor;
	char why[160];
	size_t quorum;

	if (an->format == 1) {
		if (!sig_ok(pk, key_id, an->count, an->head, an->ts_ms, an->key_id, an->sig,
			an->sig_len, why, sizeof(why))) {
			fail(rep, AUDIT_PROBLEM_SIGNATURE, 0, 0, "external checkpoint (count %" PRIu64
			    "): %s", an->count, why);
			return false;
		}
	} else if (!note_sig_ok(pk, kid, origin, an, why, sizeof(why))) {
		fail(rep, strcmp(an->origin, origin) != 0 ? AUDIT_PROBLEM_ANCHOR :
		    AUDIT_PROBLEM_SIGNATURE, 0, 0, "external checkpoint (size %" PRIu64 "): %s",
		    an->count, why);
		return false;
	}
	for (size_t i = 0; i < o->n_witness; i++)
		if (an->format == 2 && audit_witness_verify(an, o->witness_vkeys[i], NULL))
			rep->witnesses++;
	quorum = o->quorum > 0 ? o->quorum : o->n_witness;
	rep->witnessed = o->n_witness > 0 && rep->witnesses >= quorum;
	if (o->n_witness > 0 && !rep->witnessed) {
		fail(rep, AUDIT_PROBLEM_WITNESS, 0, 0, "external checkpoint (size %" PRIu64 ") carries "
		    "%zu valid cosignature(s) of the %zu required from the given witnesses",
		    an->count, rep->witnesses, quorum);
		return false;
	}
	return true;
}

int
audit_verify(struct audit_db *a, const char *pubkey_pem, const struct audit_anchor *anchor,
    struct audit_report *rep)
{
	struct audit_verify_opts o;

	memset(&o, 0, sizeof(o));
	o.anchor = anchor;
	return audit_verify_ex(a, pubkey_pem, &o, rep);
}

int
audit_verify_ex(struct audit_db *a, const char *pubkey_pem, const struct audit_verify_opts *o,
    struct audit_report *rep)
{
	static const uint8_t zero[AUDIT_HASH_LEN];
	static const struct audit_verify_opts none;
	mbedtls_pk_context pk;
	char key_id[AUDIT_KEY_ID_LEN + 1], other[AUDIT_KEY_ID_LEN + 1], why[256];
	uint8_t kid[4];
	struct cp_cursor cc;
	struct node_cursor nc;
	struct purges pg;
	struct audit_range range;
	const struct audit_anchor *anchor;
	bool in_txn = false;
	sqlite3_stmt *st = NULL;
	uint8_t running[AUDIT_HASH_LEN], root[AUDIT_HASH_LEN];
	int64_t e = 1, all = 0, mine = 0, total = 0, tree_bad = 0;
	char tree_why[160] = "";
	int ret = EG_ERR_INVAL, rc;

	mbedtls_pk_init(&pk);
	memset(&cc, 0, sizeof(cc));
	memset(&nc, 0, sizeof(nc));
	memset(&pg, 0, sizeof(pg));
	if (rep != NULL)
		memset(rep, 0, sizeof(*rep));
	if (o == NULL)
		o = &none;
	anchor = o->anchor;
	if (a == NULL || pubkey_pem == NULL || rep == NULL || (o->n_witness > 0 && o->witness_vkeys == NULL))
		goto out;
	rep->ok = true;
	ret = EG_ERR_FORMAT;
	for (size_t i = 0; i < o->n_witness; i++)
		if (audit_vkey_check(o->witness_vkeys[i]) != EG_OK)
			goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_pk_parse_public_key(&pk, (const uint8_t *)pubkey_pem, strlen(pubkey_pem) + 1) != 0 ||
	    !audit_pk_is_p256(&pk) || audit_key_id(&pk, key_id) != EG_OK ||
	    audit_note_kid_ecdsa(&pk, kid) != EG_OK)
		goto out;
	/* one read transaction: a consistent snapshot while the daemon writes */
	ret = EG_ERR_DB;
	if (sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	in_txn = true;
	if (!o->skip_integrity) {
		rc = audit_integrity(a, true, why, sizeof(why));
		if (rc == EG_ERR_CHECKSUM) {
			fail(rep, AUDIT_PROBLEM_DAMAGED, 0, 0, "the database file is damaged (SQLite "
			    "integrity_check: %.200s)", why);
			goto done;
		}
		if (rc != EG_OK)
			goto out;
	}
	snprintf(rep->origin, sizeof(rep->origin), "%s", a->origin);
	if ((rc = count_keys(a->db, key_id, &all, &mine, other)) != EG_OK)
		goto out;
	/* the log is named after its key at creation: a key that signed no
	 * checkpoint AND is not the one the log is named after is a wrong key;
	 * checkpoints by another key in a log named after this one are forged */
	if (all > 0 && mine == 0 && (strncmp(a->origin, "egate-audit/", 12) != 0 ||
	    strcmp(a->origin + 12, key_id) != 0)) {
		fail(rep, AUDIT_PROBLEM_WRONG_KEY, 0, 0, "none of the %" PRId64 " checkpoints is "
		    "signed by the given key %s (they name key %s): wrong public key", all, key_id,
		    other);
		goto done;
	}
	if (anchor != NULL && !anchor_signed(&pk, key_id, kid, a->origin, o, rep))
		goto done;
	if ((rc = purges_load(a->db, &pg)) != EG_OK) {
		ret = rc;
		goto out;
	}
	if (o->progress != NULL && audit_tree_size(a, (uint64_t *)&total) != EG_OK)
		goto out;
	cc.pk = &pk;
	cc.key_id = key_id;
	cc.kid = kid;
	cc.origin = a->origin;
	if (sqlite3_prepare_v2(a->db, "SELECT id, record_id, count, head_hash, ts, key_id, signature, "
		"note FROM checkpoints ORDER BY id", -1, &cc.st, NULL) != SQLITE_OK ||
	    cp_next(&cc) != EG_OK)
		goto out;
	if (sqlite3_prepare_v2(a->db, "SELECT last, level, hash FROM tree ORDER BY last, level", -1,
		&nc.st, NULL) != SQLITE_OK || node_next(&nc) != EG_OK)
		goto out;
	/* a checkpoint sealing nothing (count < 1) is reported before the walk */
	while (cc.have && cc.cur.count < 1) {
		if (bad_checkpoint(rep, &cc.cur, 0))
			goto done;
		if (cp_next(&cc) != EG_OK)
			goto out;
	}
	memcpy(running, zero, sizeof(running));
	audit_range_init(&range);
	if (anchor != NULL && anchor->count == 0) {
		if (audit_range_root(a->sha[0], &range, root) != EG_OK) {
			ret = EG_ERR_CRYPTO;
			goto out;
		}
		if (anchor->format != 2 || memcmp(root, anchor->root, AUDIT_HASH_LEN) != 0) {
			fail(rep, AUDIT_PROBLEM_ANCHOR, 0, 0, "the external checkpoint of an empty log "
			    "has a wrong root");
			goto done;
		}
		rep->anchored = true;
	}
	if (sqlite3_prepare_v2(a->db, "SELECT id, kiosk_id, seq, ts, type, decision, reason, officer, "
		"doc_hmac, name_hmac, payload, payload_hash, purged, prev_hash, hash "
		"FROM records ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		uint8_t pd_stored[32], prev[32], hash[32], pd[32], h_run[32], h_self[32], leaf[32];
		uint8_t nodes[64][AUDIT_HASH_LEN];
		size_t nn = 0;
		struct audit_hdr hdr;
		struct audit_str doc, name, pay;
		bool purged, types_ok;

		/* types first: reading a column as text converts it in place */
		types_ok = sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
		    sqlite3_column_type(st, 2) == SQLITE_INTEGER &&
		    sqlite3_column_type(st, 3) == SQLITE_INTEGER &&
		    sqlite3_column_type(st, 12) == SQLITE_INTEGER &&
		    text_col(st, 1, false) && text_col(st, 4, false) && text_col(st, 5, true) &&
		    text_col(st, 6, true) && text_col(st, 7, true) && text_col(st, 8, true) &&
		    text_col(st, 9, true) && text_col(st, 10, true) &&
		    sqlite3_column_type(st, 11) == SQLITE_BLOB && sqlite3_column_type(st, 13) == SQLITE_BLOB &&
		    sqlite3_column_type(st, 14) == SQLITE_BLOB;
		doc = col(st, 8);
		name = col(st, 9);
		pay = col(st, 10);

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
		if (!types_ok || (sqlite3_column_int64(st, 12) != 0 && sqlite3_column_int64(st, 12) != 1) ||
		    !blob32(st, 11, pd_stored) || !blob32(st, 13, prev) || !blob32(st, 14, hash)) {
			fail(rep, AUDIT_PROBLEM_ROW, e, 0, "record %" PRId64 ": malformed row "
			    "(missing field or wrong column type: a record stored as another type "
			    "than its column's escapes searches)", e);
			goto done;
		}
		purged = sqlite3_column_int64(st, 12) != 0;
		if (purged) {
			if (doc.p != NULL || name.p != NULL || pay.p != NULL) {
				fail(rep, AUDIT_PROBLEM_ROW, e, 0, "record %" PRId64 ": marked purged "
				    "but still holds personal columns", e);
				goto done;
			}
			if (!purge_covers(&pg, id, hdr.ts_ms)) {
				fail(rep, AUDIT_PROBLEM_PURGED, e, 0, "record %" PRId64 ": blanked "
				    "(purged) but no later retention purge covers its time: its "
				    "payload and identifiers were removed by hand", e);
				goto done;
			}
			rep->purged++;
		} else {
			if (audit_payload_digest(a->sha[0], &doc, &name, &pay, pd) != EG_OK) {
				ret = EG_ERR_CRYPTO;
				goto out;
			}
			if (memcmp(pd, pd_stored, sizeof(pd)) != 0) {
				fail(rep, AUDIT_PROBLEM_PAYLOAD, e, 0, "record %" PRId64 ": payload or "
				    "identifier columns were edited (digest mismatch)", e);
				goto done;
			}
		}
		if (audit_record_hashes(a->sha[0], a->sha[1], running, id, &hdr, pd_stored, h_run,
			leaf, NULL) != EG_OK) {
			ret = EG_ERR_CRYPTO;
			goto out;
		}
		if (memcmp(prev, running, sizeof(prev)) != 0) {
			/* is this record self-consistent with what it links to? then
			 * its predecessor was changed after it was written */
			if (audit_record_digest(a->sha[0], prev, id, &hdr, pd_stored, h_self) != EG_OK) {
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
		/* the tree: every stored node this leaf closes must be the one computed */
		if (audit_range_push(a->sha[0], &range, leaf, nodes, &nn) != EG_OK) {
			ret = EG_ERR_CRYPTO;
			goto out;
		}
		for (size_t k = 0; k < nn; k++) {
			/* reported at the end: a chain or checkpoint problem found
			 * later names the edit more precisely */
			if (!nc.have || nc.last != e - 1 || nc.level != (int)k || !nc.hash_ok ||
			    memcmp(nc.hash, nodes[k], AUDIT_HASH_LEN) != 0) {
				if (tree_bad == 0) {
					tree_bad = e;
					snprintf(tree_why, sizeof(tree_why), "record %" PRId64 ": the "
					    "stored Merkle tree differs from the records (node at level "
					    "%zu): proofs from this database would be false", e, k);
				}
				/* resynchronise the cursor on the next leaf */
				while (nc.have && nc.last <= e - 1)
					if (node_next(&nc) != EG_OK)
						goto out;
				break;
			}
			if (node_next(&nc) != EG_OK)
				goto out;
		}
		while (nc.have && nc.last == e - 1) {
			if (tree_bad == 0) {
				tree_bad = e;
				snprintf(tree_why, sizeof(tree_why), "record %" PRId64 ": an extra node "
				    "in the stored Merkle tree", e);
			}
			if (node_next(&nc) != EG_OK)
				goto out;
		}
		while (cc.have && cc.cur.count <= e) {
			if (bad_checkpoint(rep, &cc.cur, e))
				goto done;
			if (memcmp(cc.cur.head, running, sizeof(running)) != 0) {
				fail(rep, AUDIT_PROBLEM_CHECKPOINT, e, cc.cur.id, "checkpoint %" PRId64
				    " seals a different head at record %" PRId64 " (chain rewritten)",
				    cc.cur.id, e);
				goto done;
			}
			if (cc.cur.note) {
				if (audit_range_root(a->sha[0], &range, root) != EG_OK) {
					ret = EG_ERR_CRYPTO;
					goto out;
				}
				if (memcmp(cc.cur.root, root, AUDIT_HASH_LEN) != 0) {
					fail(rep, AUDIT_PROBLEM_CHECKPOINT, e, cc.cur.id, "checkpoint %"
					    PRId64 " signs a different tree root at size %" PRId64
					    " (log rewritten)", cc.cur.id, e);
					goto done;
				}
			}
			rep->checkpoints++;
			rep->sealed = (uint64_t)cc.cur.count;
			rep->last_checkpoint_ts_ms = cc.cur.ts;
			if (cp_next(&cc) != EG_OK)
				goto out;
		}
		if (anchor != NULL && anchor->count == (uint64_t)e) {
			bool same;

			if (anchor->format == 2) {
				if (audit_range_root(a->sha[0], &range, root) != EG_OK) {
					ret = EG_ERR_CRYPTO;
					goto out;
				}
				same = memcmp(anchor->root, root, AUDIT_HASH_LEN) == 0;
			} else {
				same = memcmp(anchor->head, running, sizeof(running)) == 0;
			}
			if (!same) {
				fail(rep, AUDIT_PROBLEM_ANCHOR, e, 0, "the external checkpoint seals a "
				    "different %s at record %" PRId64 " (log rewritten)",
				    anchor->format == 2 ? "tree root" : "head", e);
				goto done;
			}
			rep->anchored = true;
		}
		rep->records++;
		if (o->progress != NULL && (e & 0xffff) == 0)
			o->progress(o->progress_arg, (uint64_t)e, (uint64_t)(total > e ? total : e));
		e++;
	}
	if (rc != SQLITE_DONE)
		goto out;
	if (o->progress != NULL)
		o->progress(o->progress_arg, rep->records, rep->records);
	if (cc.have) {
		if (!bad_checkpoint(rep, &cc.cur, e))
			fail(rep, AUDIT_PROBLEM_TRUNCATED, e, cc.cur.id, "checkpoint %" PRId64 " seals %"
			    PRId64 " records but the log ends at %" PRId64 " (records %" PRId64 "..%"
			    PRId64 " deleted)", cc.cur.id, cc.cur.count, e - 1, e, cc.cur.count);
		goto done;
	}
	if (anchor != NULL && anchor->count > rep->records) {
		fail(rep, AUDIT_PROBLEM_TRUNCATED, e, 0, "the external checkpoint seals %" PRIu64
		    " records but the log ends at %" PRId64 " (records %" PRId64 "..%" PRIu64
		    " deleted, or a copy without its -wal file)", anchor->count, e - 1, e,
		    anchor->count);
		goto done;
	}
	if (tree_bad != 0) {
		fail(rep, AUDIT_PROBLEM_TREE, tree_bad, 0, "%s", tree_why);
		goto done;
	}
	if (nc.have) {
		fail(rep, AUDIT_PROBLEM_TREE, e, 0, "the stored Merkle tree has nodes beyond the last "
		    "record (records deleted, tree left)");
		goto done;
	}
	if ((rc = params_check(a->db, rep)) != EG_OK) {
		ret = rc;
		goto out;
	}
	if (!rep->ok)
		goto done;
	if (audit_range_root(a->sha[0], &range, rep->root) != EG_OK) {
		ret = EG_ERR_CRYPTO;
		goto out;
	}
	rep->unsealed = rep->records - rep->sealed;
	if (anchor != NULL && rep->anchored) {
		rep->anchor_count = anchor->count;
		rep->unwitnessed = rep->records - anchor->count;
	}
done:
	ret = EG_OK;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(cc.st);
	sqlite3_finalize(nc.st);
	free(pg.id);
	free(pg.suffix);
	if (in_txn)
		sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
	mbedtls_pk_free(&pk);
	return ret;
}

int
audit_leaf_entry(struct audit_db *a, int64_t id, uint8_t **entry, size_t *len,
    uint8_t leaf[AUDIT_HASH_LEN])
{
	struct eg_wbuf w;
	sqlite3_stmt *st = NULL;
	struct audit_hdr h;
	int ret = EG_ERR_DB, rc;

	if (entry != NULL)
		*entry = NULL;
	if (a == NULL || entry == NULL || len == NULL || leaf == NULL)
		return EG_ERR_INVAL;
	eg_wbuf_init(&w, 1 << 20, false);
	if (sqlite3_prepare_v2(a->db, "SELECT kiosk_id, seq, ts, type, decision, reason, officer, "
		"payload_hash, prev_hash FROM records WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	if (rc != SQLITE_ROW || sqlite3_column_bytes(st, 7) != AUDIT_HASH_LEN ||
	    sqlite3_column_bytes(st, 8) != AUDIT_HASH_LEN)
		goto out;
	h.kiosk_id = col(st, 0);
	h.seq = sqlite3_column_int64(st, 1);
	h.ts_ms = sqlite3_column_int64(st, 2);
	h.type = col(st, 3);
	h.decision = col(st, 4);
	h.reason = col(st, 5);
	h.officer = col(st, 6);
	if ((ret = audit_record_hashes(NULL, a->sha[1], sqlite3_column_blob(st, 8), id, &h,
	    sqlite3_column_blob(st, 7), NULL, leaf, &w)) != EG_OK)
		goto out;
	*entry = w.data;
	*len = w.len;
	w.data = NULL;
	ret = EG_OK;
out:
	eg_wbuf_free(&w);
	sqlite3_finalize(st);
	return ret;
}
