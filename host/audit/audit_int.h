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

struct audit_db {
	sqlite3 *db;
	bool writer;
	uint8_t *hmac_key;
	size_t hmac_key_len;
	mbedtls_pk_context sign;	/* private key (writer) */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	char key_id[AUDIT_KEY_ID_LEN + 1];
	/* statements of the append path, prepared once (writer only) */
	sqlite3_stmt *st_lookup;
	sqlite3_stmt *st_insert;
	sqlite3_stmt *st_host_seq;
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

/* SHA-256 over the personal part of a record (docs/audit.md). */
int audit_payload_digest(const struct audit_str *doc_hmac, const struct audit_str *name_hmac,
    const struct audit_str *payload, uint8_t out[AUDIT_HASH_LEN]);
/* SHA-256 of one chain link (docs/audit.md). */
int audit_record_digest(const uint8_t prev[AUDIT_HASH_LEN], int64_t id,
    const struct audit_hdr *h, const uint8_t payload_digest[AUDIT_HASH_LEN],
    uint8_t out[AUDIT_HASH_LEN]);
/* The text a checkpoint signature covers; returns its length, or 0 if it
 * does not fit in cap bytes. */
size_t audit_checkpoint_text(uint64_t count, const uint8_t head[AUDIT_HASH_LEN], int64_t ts_ms,
    char *buf, size_t cap);
/* key id: first 8 bytes of SHA-256(SubjectPublicKeyInfo DER), lower-case hex */
int audit_key_id(mbedtls_pk_context *pk, char out[AUDIT_KEY_ID_LEN + 1]);
/* true when pk is an EC key on P-256 */
bool audit_pk_is_p256(mbedtls_pk_context *pk);

#endif
