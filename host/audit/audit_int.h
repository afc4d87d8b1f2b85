/* SPDX-License-Identifier: Apache-2.0 */
/* audit_int.h — internals shared by the files of host/audit (not installed). */
#ifndef EGATE_AUDIT_INT_H
#define EGATE_AUDIT_INT_H

#include <string.h>

#include <sqlite3.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "audit.h"
#include "audit_sha256.h"

/* HMAC-SHA-256 with the key's pads pre-hashed (audit_crypto.c). Secret.
 * work: the context each identifier is computed in (not thread-safe). */
struct audit_hmac {
	struct audit_sha256 *in, *out, *work;
};

struct audit_db {
	sqlite3 *db;
	bool writer;
	uint8_t *hmac_key;
	size_t hmac_key_len;
	struct audit_hmac hmac;		/* from hmac_key (writer) */
	bool have_hmac;
	/* the record, leaf and node hashes of append and verify (two at once:
	 * the chain link and the leaf are computed from the same bytes) */
	struct audit_sha256 *sha[2];
	mbedtls_pk_context sign;	/* private key (writer) */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	char key_id[AUDIT_KEY_ID_LEN + 1];
	/* statements of the append path, prepared once (writer only) */
	sqlite3_stmt *st_lookup;
	sqlite3_stmt *st_insert;
	sqlite3_stmt *st_host_seq;
	sqlite3_stmt *st_node;		/* INSERT INTO tree */
	/* the Merkle tree's right edge at range.size leaves (writer cache;
	 * range.size == UINT64_MAX: reload from the tree table) */
	struct audit_range {
		uint64_t size;
		size_t n;			/* perfect subtrees, largest first */
		uint8_t h[64][AUDIT_HASH_LEN];
	} range;
	char origin[AUDIT_ORIGIN_MAX + 1];	/* the log's name (checkpoint origin line) */
	uint8_t note_kid[4];		/* signed-note key id of the signing key */
};

/* A possibly-NULL byte string (p == NULL means SQL NULL). */
struct audit_str {
	const char *p;
	size_t n;
};

/* The header fields a record hash covers (besides prev, id, payload digest). */
struct audit_hdr {
	struct audit_str kiosk_id;
	int64_t seq;
	int64_t ts_ms;
	struct audit_str type;
	struct audit_str decision;
	struct audit_str reason;
	struct audit_str officer;
};

static inline struct audit_str
audit_str_c(const char *s)
{
	struct audit_str r = { s, s != NULL ? strlen(s) : 0 };
	return r;
}

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void audit_hex_lower(const uint8_t *in, size_t n, char *out);
/* audit_hmac_hex in two steps: the key's pads once (init; free wipes),
 * then any number of identifiers. Errors as audit_hmac_hex. */
int audit_hmac_init(struct audit_hmac *h, const uint8_t *key, size_t keylen);
void audit_hmac_free(struct audit_hmac *h);
int audit_hmac_ident(struct audit_hmac *h, enum audit_ident kind, const char *value,
    char out[AUDIT_HMAC_HEX_LEN + 1]);

/*
 * The hashes below take the handle(s) to hash with (a log's a->sha[]), or
 * NULL for one made and freed per call. Errors: EG_ERR_CRYPTO, EG_ERR_NOMEM,
 * EG_ERR_OVERFLOW (a field longer than 4 GiB).
 */
/* SHA-256 over the personal part of a record (docs/audit.md). */
int audit_payload_digest(struct audit_sha256 *s, const struct audit_str *doc_hmac,
    const struct audit_str *name_hmac, const struct audit_str *payload,
    uint8_t out[AUDIT_HASH_LEN]);
/* SHA-256 of one chain link (docs/audit.md). */
int audit_record_digest(struct audit_sha256 *s, const uint8_t prev[AUDIT_HASH_LEN], int64_t id,
    const struct audit_hdr *h, const uint8_t payload_digest[AUDIT_HASH_LEN],
    uint8_t out[AUDIT_HASH_LEN]);
/* The same entry bytes, hashed twice in one pass: the chain link
 * SHA-256(entry) into out (with cs) and the RFC 9162 leaf hash
 * SHA-256(0x00 || entry) into leaf (with ls); either output may be NULL.
 * When entry is not NULL the entry bytes are appended to it as well (prove).
 * cs and ls must be different handles (or NULL). */
struct eg_wbuf;
int audit_record_hashes(struct audit_sha256 *cs, struct audit_sha256 *ls,
    const uint8_t prev[AUDIT_HASH_LEN], int64_t id, const struct audit_hdr *h,
    const uint8_t payload_digest[AUDIT_HASH_LEN], uint8_t out[AUDIT_HASH_LEN],
    uint8_t leaf[AUDIT_HASH_LEN], struct eg_wbuf *entry);
/* RFC 9162 interior node: SHA-256(0x01 || l || r). */
int audit_node_hash(struct audit_sha256 *s, const uint8_t l[AUDIT_HASH_LEN],
    const uint8_t r[AUDIT_HASH_LEN], uint8_t out[AUDIT_HASH_LEN]);

/* ---- the Merkle tree's right edge (audit_tree.c) ---- */
void audit_range_init(struct audit_range *r);
/* Add a leaf; nodes[0..*nnodes) get the complete subtrees it closes,
 * nodes[k] at level k (level 0 = the leaf itself). s as above. On an error
 * (EG_ERR_CRYPTO, EG_ERR_NOMEM) r is unusable: load or init it again. */
int audit_range_push(struct audit_sha256 *s, struct audit_range *r,
    const uint8_t leaf[AUDIT_HASH_LEN], uint8_t nodes[64][AUDIT_HASH_LEN], size_t *nnodes);
/* Root of the tree of r->size leaves (the empty tree: SHA-256("")). Errors as above. */
int audit_range_root(struct audit_sha256 *s, const struct audit_range *r,
    uint8_t out[AUDIT_HASH_LEN]);
/* Load the right edge at size leaves from the tree table. */
int audit_range_load(sqlite3 *db, uint64_t size, struct audit_range *r);
/* Stored node covering leaves [idx << level, (idx + 1) << level). */
int audit_tree_node(sqlite3 *db, unsigned level, uint64_t idx, uint8_t out[AUDIT_HASH_LEN]);
/* MTH(D[a:b]) from stored nodes (a aligned as in RFC 9162 recursion). */
int audit_tree_hash(sqlite3 *db, uint64_t a, uint64_t b, uint8_t out[AUDIT_HASH_LEN]);

/* ---- signed notes (audit_note.c) ---- */
/* The checkpoint body: "origin\nsize\nbase64(root)\n"; returns its length
 * or 0 if it does not fit. */
size_t audit_note_body(const char *origin, uint64_t size, const uint8_t root[AUDIT_HASH_LEN],
    char *buf, size_t cap);
/* signed-note key id of an ECDSA key (type 0x02): SHA-256(SPKI DER)[:4] */
int audit_note_kid_ecdsa(mbedtls_pk_context *pk, uint8_t kid[4]);
/* Verify an ECDSA (type 0x02) note signature (DER after the 4-byte key id). */
bool audit_note_verify_ecdsa(mbedtls_pk_context *pk, const char *body, size_t blen,
    const uint8_t *sig, size_t siglen);
/* Parse a signed-note checkpoint (format 2 of struct audit_anchor). */
int audit_note_parse(const char *text, size_t len, struct audit_anchor *out);
/* Read the origin from the meta table into out. */
int audit_meta_origin(sqlite3 *db, char out[AUDIT_ORIGIN_MAX + 1]);
/* The text a checkpoint signature covers; returns its length, or 0 if it
 * does not fit in cap bytes. */
size_t audit_checkpoint_text(uint64_t count, const uint8_t head[AUDIT_HASH_LEN], int64_t ts_ms,
    char *buf, size_t cap);
/* key id: first 8 bytes of SHA-256(SubjectPublicKeyInfo DER), lower-case hex */
int audit_key_id(mbedtls_pk_context *pk, char out[AUDIT_KEY_ID_LEN + 1]);
/* true when pk is an EC key on P-256 */
bool audit_pk_is_p256(mbedtls_pk_context *pk);

#endif
