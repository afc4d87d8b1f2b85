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
#define AUDIT_SCHEMA_VERSION 2
/* Longest log name (checkpoint origin): "egate-audit/" + AUDIT_KEY_ID_LEN hex. */
#define AUDIT_ORIGIN_MAX 64
/* Largest tree a proof is computed for: 2^63 - 1 leaves; a proof has at most
 * 63 hashes (RFC 9162). */
#define AUDIT_PROOF_MAX 64

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
 * A writer migrates a schema-1 store (docs/audit.md "Migration"): it builds
 * the Merkle tree over the existing records and signs its first checkpoint
 * in the signed-note form. A writer also runs SQLite's quick_check and
 * refuses a damaged file (EG_ERR_CHECKSUM). Readers refuse schema 1
 * (EG_ERR_UNSUPPORTED) until a writer migrated it.
 */
int audit_open(const char *path, const struct audit_keys *keys, struct audit_db **out);

/*
 * audit_open_anchored — audit_open for the daemon, which keeps the newest
 * checkpoint outside the database at anchor_path (the ".anchor" file). When
 * that file exists, the database must exist and contain the checkpoint in
 * it (same tree root, or same chain head for a schema-1 anchor): a deleted,
 * emptied, truncated or rewritten database is refused instead of silently
 * replaced by a new log (and the anchor is never overwritten by a shorter
 * one). why (cap bytes, may be NULL) gets one line for the log.
 * Errors: those of audit_open; EG_ERR_STATE (database missing or not
 * containing the anchor), EG_ERR_FORMAT (anchor file unreadable or not a
 * checkpoint).
 */
int audit_open_anchored(const char *path, const struct audit_keys *keys, const char *anchor_path,
    struct audit_db **out, char *why, size_t cap);

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
 * audit_config_add_policy — audit_config_add that also keeps the decision
 * parameters of the version (params: canonical JSON from
 * policy_params_json in proto/policy.h, NUL-terminated; the thresholds and
 * settings, never the watchlist gallery) by their SHA-256 in the
 * policy_params table, and names that digest in the config record
 * ("params_sha256"), so the parameters a passage was decided with can be
 * read back and checked later (audit_policy_params, `egate audit policy`).
 * Errors: as audit_config_add; EG_ERR_INVAL (params NULL or > 64 KiB).
 */
int audit_config_add_policy(struct audit_db *db, uint64_t version, int64_t ts_ms,
    const uint8_t sha256[AUDIT_HASH_LEN], const char *summary, const char *params);

/*
 * audit_policy_params — the decision parameters logged for config version
 * `version`: *json (heap, NUL-terminated, caller frees) after checking that
 * their SHA-256 is the one the hash-chained config record names.
 * Errors: EG_ERR_NOT_FOUND (version never logged, or logged without
 * parameters), EG_ERR_MAC (stored parameters differ from the digest in the
 * chain), EG_ERR_DB, EG_ERR_NOMEM.
 */
int audit_policy_params(struct audit_db *db, uint64_t version, char **json);

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
	AUDIT_PROBLEM_PAYLOAD,		/* payload/identifier columns, or kept decision
					 * parameters, differ from their digest */
	AUDIT_PROBLEM_REHASHED,		/* record edited and re-hashed: its successor links elsewhere */
	AUDIT_PROBLEM_ROW,		/* malformed row (wrong types, purged row with data) */
	AUDIT_PROBLEM_TRUNCATED,	/* fewer records than a checkpoint seals */
	AUDIT_PROBLEM_SIGNATURE,	/* a checkpoint signature is invalid or by another key */
	AUDIT_PROBLEM_CHECKPOINT,	/* checkpoint head differs from the chain, or out of order */
	AUDIT_PROBLEM_ANCHOR,		/* chain differs from the checkpoint held outside the db */
	AUDIT_PROBLEM_DAMAGED,		/* SQLite integrity_check fails: pages corrupted */
	AUDIT_PROBLEM_WRONG_KEY,	/* no checkpoint is signed by the given key */
	AUDIT_PROBLEM_PURGED,		/* a record is blanked without a retention purge covering it */
	AUDIT_PROBLEM_TREE,		/* stored Merkle nodes differ from the records */
	AUDIT_PROBLEM_WITNESS,		/* the external checkpoint lacks the required cosignatures */
};

/*
 * A checkpoint held outside the database ("anchor"): the text form of a
 * signed checkpoint (docs/audit.md), copied elsewhere by the operator or the
 * daemon (remote syslog, another host, paper). Checkpoints inside the
 * database cannot reveal an attacker who deletes the newest records together
 * with the newest checkpoints; an anchor can.
 */
#define AUDIT_SIG_MAX 160
#define AUDIT_NOTE_SIGS_MAX 16		/* signature lines kept from a note */
#define AUDIT_NOTE_NAME_MAX 128		/* key name of a signature line */
struct audit_note_sig {
	char name[AUDIT_NOTE_NAME_MAX + 1];
	uint8_t kid[4];
	uint8_t sig[AUDIT_SIG_MAX];	/* after the key id */
	size_t sig_len;
};
struct audit_anchor {
	int format;			/* 1: egate-audit-checkpoint/v1 text; 2: signed note */
	uint64_t count;			/* records sealed (= tree size) */
	uint8_t head[AUDIT_HASH_LEN];	/* format 1: chain head */
	int64_t ts_ms;			/* format 1 */
	char key_id[AUDIT_KEY_ID_LEN + 1];	/* format 1 */
	uint8_t sig[AUDIT_SIG_MAX];	/* format 1 */
	size_t sig_len;
	/* format 2: c2sp.org/tlog-checkpoint */
	char origin[AUDIT_ORIGIN_MAX + 1];
	uint8_t root[AUDIT_HASH_LEN];
	struct audit_note_sig sigs[AUDIT_NOTE_SIGS_MAX];
	size_t n_sigs;
};

/* Longest text of an anchor, NUL included (a note with 16 signatures). */
#define AUDIT_ANCHOR_TEXT_MAX 4096

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
 * NUL-terminated): a signed-note checkpoint (format 2: origin, size, root,
 * blank line, 1..16 signature lines; docs/audit.md) or the schema-1 text
 * (format 1). It does not check signatures (audit_verify does).
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_FORMAT (anything but the exact form).
 */
int audit_anchor_parse(const char *text, size_t len, struct audit_anchor *out);

/*
 * audit_note_format — a format-2 anchor as signed-note text into out (cap
 * bytes): body, blank line, every signature line. Errors: EG_ERR_INVAL,
 * EG_ERR_OVERFLOW.
 */
int audit_note_format(const struct audit_anchor *a, char *out, size_t cap);

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
	uint64_t anchor_count;		/* its size */
	size_t witnesses;		/* valid cosignatures on it by the given witness keys */
	bool witnessed;			/* ... at least the quorum */
	uint64_t unwitnessed;		/* records after the external checkpoint */
	uint8_t root[AUDIT_HASH_LEN];	/* Merkle root of all records walked */
	char origin[AUDIT_ORIGIN_MAX + 1];
};

/* Progress of a long walk: done of total records (total may grow). */
typedef void (*audit_progress_fn)(void *arg, uint64_t done, uint64_t total);

struct audit_verify_opts {
	const struct audit_anchor *anchor;	/* external checkpoint; NULL: none */
	/* witness verifier keys ("name+hex8+base64(0x04 || key)", c2sp.org/
	 * tlog-cosignature); the anchor must carry a valid cosignature by at
	 * least quorum of them (quorum 0: all) */
	const char *const *witness_vkeys;
	size_t n_witness;
	size_t quorum;
	bool skip_integrity;		/* skip PRAGMA integrity_check (tests) */
	audit_progress_fn progress;	/* may be NULL; called about every 64k records */
	void *progress_arg;
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

/*
 * audit_verify_ex — audit_verify with options (witness keys, progress, see
 * struct audit_verify_opts). Besides the chain it runs SQLite's
 * integrity_check (problem "damaged"), rebuilds the RFC 9162 Merkle tree of
 * the records and compares every stored node and every signed-note
 * checkpoint's root with it ("tree", "checkpoint"), checks that every
 * blanked (purged) record is covered by a later retention purge ("purged"),
 * that every column has its declared type ("row"), that the decision
 * parameters kept by audit_config_add_policy still hash to their key
 * ("payload", bad_record 0), and tells a key that
 * signed none of the checkpoints ("wrong_key") from a forged signature
 * ("signature"). Errors: as audit_verify; EG_ERR_FORMAT (a witness key that
 * is not a vkey).
 */
int audit_verify_ex(struct audit_db *db, const char *pubkey_pem,
    const struct audit_verify_opts *o, struct audit_report *rep);

/* ---- proofs (RFC 9162 section 2.1) ----------------------------------------- */

/*
 * The records are the leaves of a Merkle tree: record id i is leaf index
 * i - 1, its leaf hash SHA-256(0x00 || entry) where entry is the exact byte
 * string whose SHA-256 is the record's chain hash (docs/audit.md).
 */

/* audit_tree_size — number of leaves (= records). Errors: EG_ERR_DB. */
int audit_tree_size(struct audit_db *db, uint64_t *size);

/* audit_root — Merkle root of the first size leaves. Errors: EG_ERR_INVAL
 * (size > records), EG_ERR_DB. */
int audit_root(struct audit_db *db, uint64_t size, uint8_t root[AUDIT_HASH_LEN]);

/*
 * audit_prove_inclusion — audit path for leaf index in the tree of size
 * leaves: path[0..*n) (caller storage, AUDIT_PROOF_MAX entries), leaf hash
 * and root. Errors: EG_ERR_INVAL (index >= size, size > records), EG_ERR_DB.
 */
int audit_prove_inclusion(struct audit_db *db, uint64_t index, uint64_t size,
    uint8_t leaf[AUDIT_HASH_LEN], uint8_t path[][AUDIT_HASH_LEN], size_t *n,
    uint8_t root[AUDIT_HASH_LEN]);

/*
 * audit_prove_consistency — consistency proof from tree size m to size n
 * (0 < m <= n <= records; m == n gives an empty proof).
 * Errors: EG_ERR_INVAL, EG_ERR_DB.
 */
int audit_prove_consistency(struct audit_db *db, uint64_t m, uint64_t n,
    uint8_t proof[][AUDIT_HASH_LEN], size_t *k);

/* audit_leaf_entry — the entry bytes of record id (heap, *len bytes; caller
 * frees) and its leaf hash. Errors: EG_ERR_NOT_FOUND, EG_ERR_DB, EG_ERR_NOMEM. */
int audit_leaf_entry(struct audit_db *db, int64_t id, uint8_t **entry, size_t *len,
    uint8_t leaf[AUDIT_HASH_LEN]);

/* RFC 9162 2.1.3.2: true when path proves leaf at index in a tree of size
 * with root. Pure; no database. */
bool audit_verify_inclusion(const uint8_t leaf[AUDIT_HASH_LEN], uint64_t index, uint64_t size,
    const uint8_t path[][AUDIT_HASH_LEN], size_t n, const uint8_t root[AUDIT_HASH_LEN]);

/* RFC 9162 2.1.4.2: true when proof shows the tree (m, root_m) is a prefix
 * of (n, root_n). m == 0 is always consistent (empty proof). Pure. */
bool audit_verify_consistency(uint64_t m, uint64_t n, const uint8_t root_m[AUDIT_HASH_LEN],
    const uint8_t root_n[AUDIT_HASH_LEN], const uint8_t proof[][AUDIT_HASH_LEN], size_t k);

/*
 * audit_checkpoint_at — the stored signed-note checkpoint of tree size
 * size (0: the newest) as text into out and parsed into *a (may be NULL).
 * Errors: EG_ERR_NOT_FOUND, EG_ERR_OVERFLOW, EG_ERR_DB, EG_ERR_FORMAT.
 */
int audit_checkpoint_at(struct audit_db *db, uint64_t size, char *out, size_t cap,
    struct audit_anchor *a);

/* audit_origin — the log's name (checkpoint origin line); static for the
 * life of db. */
const char *audit_origin(const struct audit_db *db);

/*
 * audit_note_verify_log — true when the format-2 anchor a carries a valid
 * signature (type 0x02, ECDSA P-256) by the log key pubkey_pem under the
 * key name a->origin. Errors are false.
 */
bool audit_note_verify_log(const struct audit_anchor *a, const char *pubkey_pem);

/* ---- witnesses (c2sp.org/tlog-cosignature, Ed25519) ---------------------- */

#define AUDIT_VKEY_MAX 256

/*
 * audit_witness_keygen — a new Ed25519 witness key named name (no spaces,
 * no '+'): skey (the private key as "PRIVATE+KEY+name+hex8+base64(0x04 ||
 * seed)", secret) and vkey ("name+hex8+base64(0x04 || public key)").
 * Errors: EG_ERR_INVAL (bad name), EG_ERR_OVERFLOW, EG_ERR_CRYPTO.
 */
int audit_witness_keygen(const char *name, char *skey, size_t skey_cap, char *vkey,
    size_t vkey_cap);

/*
 * audit_witness_cosign — append the cosignature of a (a verified, format-2
 * checkpoint) by the witness key skey, timestamp ts (POSIX seconds), to
 * a->sigs. Errors: EG_ERR_FORMAT (skey), EG_ERR_OVERFLOW (16 signatures
 * already), EG_ERR_CRYPTO.
 */
int audit_witness_cosign(struct audit_anchor *a, const char *skey, uint64_t ts);

/*
 * audit_witness_verify — true when a carries a valid cosignature by the
 * witness key vkey; *ts (may be NULL) gets its timestamp.
 */
bool audit_witness_verify(const struct audit_anchor *a, const char *vkey, uint64_t *ts);

/*
 * audit_witness_request_parse — a c2sp.org/tlog-witness add-checkpoint
 * request body (untrusted, len bytes): "old N" line, 0..63 base64 proof
 * lines, a blank line, a signed-note checkpoint. proof needs
 * AUDIT_PROOF_MAX entries. Errors: EG_ERR_INVAL, EG_ERR_FORMAT.
 */
int audit_witness_request_parse(const char *text, size_t len, uint64_t *old,
    uint8_t proof[][AUDIT_HASH_LEN], size_t *k, struct audit_anchor *cp);

/*
 * audit_anchor_merge — add to into the signature lines of from that into
 * does not carry yet (same key name and key id: kept once, into's line
 * wins). Both must be format-2 notes of the same log, size and root: the
 * cosignatures of several witnesses on one checkpoint become one note.
 * *added (may be NULL) gets the number of lines added. Nothing is verified.
 * Errors: EG_ERR_INVAL (NULL, not format 2, different origin, size or
 * root), EG_ERR_OVERFLOW (more than AUDIT_NOTE_SIGS_MAX lines; into is
 * unchanged).
 */
int audit_anchor_merge(struct audit_anchor *into, const struct audit_anchor *from, size_t *added);

/* audit_vkey_check — EG_OK when text is a witness vkey (type 0x04). */
int audit_vkey_check(const char *vkey);

/* ---- copies --------------------------------------------------------------- */

/*
 * audit_snapshot — a consistent copy of the store at out_path made with
 * SQLite's online backup (the -wal content included, the daemon may keep
 * writing), checked with quick_check and synced. out_path must not exist.
 * Errors: EG_ERR_INVAL, EG_ERR_STATE (out_path exists), EG_ERR_DB,
 * EG_ERR_IO, EG_ERR_CHECKSUM (the copy fails quick_check).
 */
int audit_snapshot(struct audit_db *db, const char *out_path, audit_progress_fn progress,
    void *arg);

/* audit_integrity — run PRAGMA integrity_check (full: true) or quick_check;
 * EG_OK when SQLite says "ok", else EG_ERR_CHECKSUM with its findings in why
 * (up to 8, on one line: newlines become spaces). Errors: EG_ERR_DB. */
int audit_integrity(struct audit_db *db, bool full, char *why, size_t cap);

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

/*
 * audit_value_exists — true in *yes when some record has column col
 * ("kiosk_id", "type", "decision", "reason" or "officer") equal to value.
 * Errors: EG_ERR_INVAL (other column), EG_ERR_DB.
 */
int audit_value_exists(struct audit_db *db, const char *col, const char *value, bool *yes);

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
