/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_sha256.h — SHA-256 for the audit store (not installed).
 *
 * The one place the audit store hashes through: OpenSSL's libcrypto, which
 * uses the CPU's SHA instructions (x86 SHA extensions, ARMv8 SHA2) where
 * they exist. A handle holds the algorithm fetched once and one reusable
 * digest context, so hashing the 64-700 byte inputs of the append path
 * costs no allocation and no algorithm lookup per call (docs/audit.md §10).
 * A handle is not thread-safe; a log handle owns its own.
 */
#ifndef EGATE_AUDIT_SHA256_H
#define EGATE_AUDIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define AUDIT_SHA256_LEN 32

struct audit_sha256;

/*
 * audit_sha256_new — a handle, ready for audit_sha256_start. *out is owned
 * by the caller (audit_sha256_free). Errors: EG_ERR_INVAL (out NULL),
 * EG_ERR_NOMEM, EG_ERR_CRYPTO (libcrypto has no SHA-256).
 */
int audit_sha256_new(struct audit_sha256 **out);
/* audit_sha256_free — free *s (NULL is fine) and set it to NULL. */
void audit_sha256_free(struct audit_sha256 **s);

/* Start, feed, finish one hash. Errors: EG_ERR_CRYPTO. */
int audit_sha256_start(struct audit_sha256 *s);
int audit_sha256_update(struct audit_sha256 *s, const void *p, size_t n);
/* out: 32 bytes; the handle may be started again afterwards. */
int audit_sha256_finish(struct audit_sha256 *s, uint8_t out[AUDIT_SHA256_LEN]);
/* dst continues from src's state (e.g. an HMAC pad's midstate). EG_ERR_CRYPTO. */
int audit_sha256_copy(struct audit_sha256 *dst, const struct audit_sha256 *src);

/*
 * audit_sha256 — SHA-256(p[0..n)) into out. s: a handle to use (its state is
 * lost), or NULL for a one-off that allocates its own (slower per call:
 * off the append and verify paths only). p may be NULL when n is 0.
 * Errors: EG_ERR_CRYPTO, EG_ERR_NOMEM.
 */
int audit_sha256(struct audit_sha256 *s, const void *p, size_t n, uint8_t out[AUDIT_SHA256_LEN]);

#endif
