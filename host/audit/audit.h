/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.h — the tamper-evident audit store of the host (SQLite, WAL).
 *
 * Every record is linked into a SHA-256 hash chain; the head of the chain is
 * sealed at least every minute by a checkpoint signed with ECDSA P-256.
 * Personal identifiers (document numbers, names) are stored only as
 * HMAC-SHA-256 under a host key. Retention (audit_purge) drops personal
 * columns and payloads of old records while the chain and the checkpoints
 * keep verifying, because a record's hash covers a digest of them.
 * The exact encodings: docs/audit.md. Command line: egate-audit(1).
 *
 * One writer process (the daemon) opens with keys; readers (the CLI) open
 * with keys == NULL and cannot change anything through this API.
 * A struct audit_db is not thread-safe: one thread at a time.
 */
#ifndef EGATE_AUDIT_H
#define EGATE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_HASH_LEN 32
#define AUDIT_HMAC_HEX_LEN 64		/* lower-case hex of HMAC-SHA-256 */
#define AUDIT_HMAC_KEY_MIN 32		/* bytes */
#define AUDIT_KEY_ID_LEN 16		/* hex chars: first 8 bytes of SHA-256(SPKI DER) */
#define AUDIT_SCHEMA_VERSION 1

/* Limits on record fields (bytes); longer is AUDIT_INVALID. */
#define AUDIT_KIOSK_ID_MAX 64
#define AUDIT_SHORT_MAX 256		/* type, decision, reason, officer */
#define AUDIT_PAYLOAD_MAX (256 * 1024)

/* The kiosk_id of records the host writes itself (officer, config, purge). */
#define AUDIT_HOST_ID "host"

struct audit_db;

struct audit_keys {
	/* ECDSA P-256 private key, PEM text, NUL-terminated (PKCS#8 or SEC1). */
	const char *sign_key_pem;
	/* Key for HMAC-SHA-256 of identifiers, at least AUDIT_HMAC_KEY_MIN bytes. */
	const uint8_t *hmac_key;
	size_t hmac_key_len;
};

/*
 * audit_open — open the store at path.
 * With keys (both keys required): writer mode. The file is created if
 * missing, WAL mode and synchronous=FULL are set, pending migrations run
 * (then ANALYZE). The keys are copied; the caller may wipe its copies.
 * With keys == NULL: reader mode. The file must exist and have the current
 * schema; append/checkpoint/purge return EG_ERR_STATE.
 * On success *out is a new handle the caller closes with audit_close().
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM, EG_ERR_NOT_FOUND (reader: no file),
 * EG_ERR_DB (SQLite error, not a database), EG_ERR_UNSUPPORTED (schema newer
 * than this code, or reader on an older schema), EG_ERR_FORMAT (not an audit
 * store), EG_ERR_CRYPTO (key not an ECDSA P-256 private key, HMAC key short).
 */
int audit_open(const char *path, const struct audit_keys *keys, struct audit_db **out);

/*
 * audit_close — close the handle, wipe the keys, set *db to NULL. Safe on
 * NULL. It does not sign a checkpoint: call audit_checkpoint() first on a
 * clean shutdown.
 */
void audit_close(struct audit_db **db);

/* ---- appending ------------------------------------------------------------ */

/* One record to append. All strings are borrowed for the call only. */
struct audit_record {
	const char *kiosk_id;		/* required; from the TLS certificate, AUDIT_HOST_ID for the host */
	uint64_t seq;			/* required, >= 1, <= INT64_MAX; unique per kiosk_id */
	int64_t ts_ms;			/* event time, Unix ms UTC */
	const char *type;		/* required: "passage", "officer", "config", "system" */
	const char *decision;		/* "OPEN", "REFER", ...; NULL if none */
	const char *reason;		/* rule fired / officer reason; NULL if none */
	const char *officer;		/* officer identity; NULL if none */
	const char *document_number;	/* CLEAR text; stored only as HMAC; NULL if none */
	const char *holder_name;	/* CLEAR text; stored only as HMAC; NULL if none */
	const char *payload;		/* explanation as JSON text, no clear identifiers; NULL if none */
};

enum audit_result {
	AUDIT_STORED = 0,	/* new row, durable when the call returned EG_OK */
	AUDIT_DUPLICATE = 1,	/* (kiosk_id, seq) already stored with the same content */
	AUDIT_CONFLICT = 2,	/* (kiosk_id, seq) already stored with DIFFERENT content; not stored */
	AUDIT_INVALID = 3,	/* missing/oversized field; not stored */
};

/*
 * audit_append_batch — append n records in one transaction, durable on disk
 * (WAL, synchronous=FULL) before the call returns, so the caller acks only
 * after EG_OK. results (n entries, caller storage) says what happened to each.
 * Idempotent on (kiosk_id, seq): a replayed record gives AUDIT_DUPLICATE and
 * no second row. Invalid or conflicting records do not stop the others.
 * Errors: EG_ERR_INVAL (NULL, n == 0), EG_ERR_STATE (reader mode), EG_ERR_DB
 * (nothing of the batch stored; results are not meaningful), EG_ERR_CRYPTO.
 */
int audit_append_batch(struct audit_db *db, const struct audit_record *recs, size_t n,
    enum audit_result *results);

/*
 * audit_last_seq — the highest seq stored for kiosk_id (0 if none), for
 * HelloAck.last_durable_seq. Errors: EG_ERR_INVAL, EG_ERR_DB.
 */
int audit_last_seq(struct audit_db *db, const char *kiosk_id, uint64_t *seq);

/*
 * audit_config_add — log a configuration version: appends a "config" record
 * (kiosk AUDIT_HOST_ID) to the chain and a row in config_versions, in one
 * transaction. sha256 is the digest of the configuration as pushed.
 * Errors: as audit_append_batch, EG_ERR_INVAL for a version already logged.
 */
int audit_config_add(struct audit_db *db, uint64_t version, int64_t ts_ms,
    const uint8_t sha256[AUDIT_HASH_LEN], const char *summary);

/*
 * audit_checkpoint — sign (count, head hash, time) with the ECDSA key and
 * store it. Call at least every minute while records arrive and on every
 * clean shutdown. When no record was added since the last checkpoint it
 * does nothing and sets *made = false (made may be NULL).
 * Errors: EG_ERR_STATE (reader), EG_ERR_DB, EG_ERR_CRYPTO.
 */
int audit_checkpoint(struct audit_db *db, bool *made);

/*
 * audit_purge — retention: for records with ts_ms < before_ts_ms, set the
 * payload and the identifier HMACs to NULL (keeping the payload digest, so
 * the chain still verifies), log the purge as a "system" record, and rewrite
 * the WAL so the old values leave the disk (SQLite secure_delete is on).
 * *purged (may be NULL) gets the number of records purged by this call.
 * Errors: EG_ERR_STATE (reader), EG_ERR_DB.
 */
int audit_purge(struct audit_db *db, int64_t before_ts_ms, uint64_t *purged);

/* ---- verification --------------------------------------------------------- */

enum audit_problem {
	AUDIT_PROBLEM_NONE = 0,
	AUDIT_PROBLEM_MISSING,		/* a record id is missing: record deleted */
	AUDIT_PROBLEM_HASH,		/* recomputed hash differs: a field was edited */
	AUDIT_PROBLEM_PAYLOAD,		/* payload/identifier columns differ from their digest */
	AUDIT_PROBLEM_REHASHED,		/* record edited and re-hashed: its successor links elsewhere */
	AUDIT_PROBLEM_ROW,		/* malformed row (wrong types, purged row with data) */
	AUDIT_PROBLEM_TRUNCATED,	/* fewer records than a checkpoint seals */
	AUDIT_PROBLEM_SIGNATURE,	/* a checkpoint signature is invalid or by another key */
	AUDIT_PROBLEM_CHECKPOINT,	/* checkpoint head differs from the chain, or out of order */
	AUDIT_PROBLEM_ANCHOR,		/* chain differs from the checkpoint held outside the db */
};

/*
 * A checkpoint held outside the database ("anchor"): the text form of a
 * signed checkpoint (docs/audit.md), copied elsewhere by the operator or the
 * daemon (remote syslog, another host, paper). Checkpoints inside the
 * database cannot reveal an attacker who deletes the newest records together
 * with the newest checkpoints; an anchor can.
 */
#define AUDIT_SIG_MAX 160
struct audit_anchor {
	uint64_t count;
	uint8_t head[AUDIT_HASH_LEN];
	int64_t ts_ms;
	char key_id[AUDIT_KEY_ID_LEN + 1];
	uint8_t sig[AUDIT_SIG_MAX];
	size_t sig_len;
};

/* Longest text of an anchor, NUL included. */
#define AUDIT_ANCHOR_TEXT_MAX 640

/*
 * audit_checkpoint_latest — the newest checkpoint as anchor text into out
 * (cap bytes, at least AUDIT_ANCHOR_TEXT_MAX is always enough).
 * Errors: EG_ERR_NOT_FOUND (no checkpoint yet), EG_ERR_OVERFLOW, EG_ERR_DB.
 */
int audit_checkpoint_latest(struct audit_db *db, char *out, size_t cap);

/*
 * audit_anchor_format — the text form of a into out (cap bytes).
 * Errors: EG_ERR_INVAL, EG_ERR_OVERFLOW.
 */
int audit_anchor_format(const struct audit_anchor *a, char *out, size_t cap);

/*
 * audit_anchor_parse — parse anchor text (untrusted; len bytes, need not be
 * NUL-terminated). It does not check the signature (audit_verify does).
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_FORMAT (anything but the exact form).
 */
int audit_anchor_parse(const char *text, size_t len, struct audit_anchor *out);

struct audit_report {
	bool ok;			/* verified: no problem found */
	enum audit_problem problem;	/* the FIRST problem in chain order */
	int64_t bad_record;		/* id of the record concerned, 0 if none */
	int64_t bad_checkpoint;		/* id of the checkpoint concerned, 0 if none */
	char detail[256];		/* one line, for people */
	uint64_t records;		/* rows walked */
	uint64_t purged;		/* of which purged */
	uint64_t checkpoints;		/* checkpoints verified */
	uint64_t sealed;		/* records covered by the last checkpoint */
	uint64_t unsealed;		/* records after the last checkpoint (not yet signed) */
	int64_t last_checkpoint_ts_ms;	/* 0 if none */
	bool anchored;			/* an external checkpoint was given and matched */
};

/*
 * audit_verify — walk the whole chain: recompute every hash, check every
 * checkpoint signature against pubkey_pem (PEM text of the ECDSA P-256
 * public key, NUL-terminated) and that every checkpoint head is the chain's
 * hash at its count (so later checkpoints extend earlier ones), and that no
 * sealed record is missing at the tail. With anchor (may be NULL), the same
 * for that externally held checkpoint: its signature must verify and the
 * chain must contain it. Fills *rep.
 * Records after the last checkpoint are counted as unsealed: they verify as
 * a chain but nothing signed vouches for them yet.
 * Returns EG_OK when the walk ran (rep->ok tells the verdict), or
 * EG_ERR_INVAL, EG_ERR_CRYPTO (bad public key), EG_ERR_DB, EG_ERR_NOMEM.
 */
int audit_verify(struct audit_db *db, const char *pubkey_pem, const struct audit_anchor *anchor,
    struct audit_report *rep);

/* audit_problem_name — "missing", "hash", ... ; static string. */
const char *audit_problem_name(enum audit_problem p);

/* ---- queries -------------------------------------------------------------- */

struct audit_filter {
	bool has_from, has_to;
	int64_t from_ms;		/* ts_ms >= from_ms */
	int64_t to_ms;			/* ts_ms <  to_ms */
	const char *kiosk_id;		/* NULL: any */
	const char *type;
	const char *decision;
	const char *reason;
	const char *officer;
	const char *doc_hmac;		/* lower-case hex (audit_hmac_hex) */
	uint64_t seq;			/* 0: any */
	uint64_t limit;			/* 0: no limit */
};

/* A row as stored; strings are NULL when the column is NULL. Borrowed:
 * valid only during the callback. */
struct audit_row {
	int64_t id;
	const char *kiosk_id;
	int64_t seq;
	int64_t ts_ms;
	const char *type;
	const char *decision;
	const char *reason;
	const char *officer;
	const char *doc_hmac;
	const char *name_hmac;
	const char *payload;
	bool purged;
	uint8_t hash[AUDIT_HASH_LEN];
};

/* Return 0 to continue; any other value stops the query and is returned. */
typedef int (*audit_row_fn)(void *arg, const struct audit_row *row);

/*
 * audit_query — call fn for every record matching f (NULL: all), in id
 * order. Returns EG_OK, fn's non-zero return value, EG_ERR_INVAL or EG_ERR_DB.
 */
int audit_query(struct audit_db *db, const struct audit_filter *f, audit_row_fn fn, void *arg);

/* ---- key files ------------------------------------------------------------ */

/*
 * audit_hmac_key_load — read the HMAC key file ([audit] hmac_key in
 * egate-host.conf): the key as hex text (whitespace and ':' allowed), at
 * least AUDIT_HMAC_KEY_MIN and at most 256 bytes. The file must not be
 * readable or writable by group or others (like ssh keys).
 * On success *key is a heap buffer of *len bytes; the caller frees it with
 * eg_secret_free(key, len). Errors: EG_ERR_INVAL, EG_ERR_IO (cannot read;
 * errno is kept), EG_ERR_PERM (group/other access or another owner),
 * EG_ERR_FORMAT (not hex, too short or too long), EG_ERR_NOMEM.
 */
int audit_hmac_key_load(const char *path, uint8_t **key, size_t *len);

/*
 * audit_pem_load — read a PEM file (at most 64 KiB) as a NUL-terminated
 * string for audit_keys.sign_key_pem or audit_verify. With private set, the
 * file follows egate/keyfile.h's rule (EG_ERR_PERM otherwise). The caller
 * frees *pem with eg_secret_free(pem, *len + 1). Errors: EG_ERR_INVAL,
 * EG_ERR_IO (errno kept), EG_ERR_PERM, EG_ERR_OVERFLOW, EG_ERR_FORMAT (a NUL
 * byte inside), EG_ERR_NOMEM.
 */
int audit_pem_load(const char *path, bool private_key, char **pem, size_t *len);

/* ---- identifiers ---------------------------------------------------------- */

enum audit_ident {
	AUDIT_IDENT_DOCUMENT = 0,	/* upper-cased; '<', spaces, tabs removed */
	AUDIT_IDENT_NAME = 1,		/* upper-cased; leading/trailing spaces and '<' removed */
};

/*
 * audit_hmac_hex — HMAC-SHA-256(key, label ‖ normalised value) as lower-case
 * hex into out (AUDIT_HMAC_HEX_LEN + 1 bytes). The same value always gives
 * the same HMAC under one key, so queries by document number work without
 * storing it. Errors: EG_ERR_INVAL (NULL, key shorter than
 * AUDIT_HMAC_KEY_MIN, empty value after normalisation, value > 256 bytes),
 * EG_ERR_CRYPTO.
 */
int audit_hmac_hex(const uint8_t *key, size_t keylen, enum audit_ident kind,
    const char *value, char out[AUDIT_HMAC_HEX_LEN + 1]);

#endif
