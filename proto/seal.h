/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seal.h — sealed identifiers of a PassageEvent (PROTOCOL.md, "Sealed
 * identifiers"): the kiosk encrypts the document number and the holder's
 * name to the host's P-256 key (ECIES: ephemeral ECDH, HKDF-SHA-256,
 * AES-256-GCM) so its spool never holds them in clear; only the host's
 * network child, which holds the matching private key, opens them.
 *
 *   kiosk:  seal_key_from_cert(seal_cert, ca, "egate-host", &hk, err, sizeof(err));
 *           seal_identifiers(hk, rng, drbg, kiosk_id, docnum, name, blob, sizeof(blob), &n);
 *   host:   seal_key_from_private(tls_key, &hk, err, sizeof(err));
 *           seal_open(hk, cn, blob, n, doc, sizeof(doc), name, sizeof(name));
 *
 *   blob = 0x01 ‖ E (65, uncompressed) ‖ AES-256-GCM ciphertext ‖ tag (16)
 *
 * All intermediate secrets (the ephemeral private key, Z, K, N, the
 * plaintext) are wiped before return. A seal_key is not thread-safe (the
 * private key's blinding RNG lives in it): one per thread.
 */
#ifndef EGATE_PROTO_SEAL_H
#define EGATE_PROTO_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_VERSION 0x01u
#define SEAL_LABEL "egate-seal/v1"	/* HKDF info prefix and AAD prefix */
#define SEAL_POINT_LEN 65u		/* uncompressed P-256 point: 0x04 ‖ X ‖ Y */
#define SEAL_TAG_LEN 16u
#define SEAL_KEY_LEN 32u		/* AES-256 key */
#define SEAL_NONCE_LEN 12u
/* Bytes a blob adds to the plaintext: version, E, tag. */
#define SEAL_OVERHEAD (1u + SEAL_POINT_LEN + SEAL_TAG_LEN)
/* Longest kiosk id bound into the AAD (the audit log's limit). */
#define SEAL_KIOSK_ID_MAX 64u
/* Longest document number and holder name a blob may carry. */
#define SEAL_FIELD_MAX 255u
/* Largest blob seal_identifiers writes and seal_open accepts
 * (= PROTO_SEALED_MAX, frame.h). */
#define SEAL_BLOB_MAX 1024u

/* A host P-256 key: public only (kiosk, for sealing) or a key pair (host,
 * for opening). Opaque. */
struct seal_key;

/* An RNG as mbedTLS wants it (mbedtls_ctr_drbg_random and its context). */
typedef int (*seal_rng_fn)(void *ctx, unsigned char *out, size_t len);

/*
 * seal_key_from_cert — the host's sealing key from its certificate (PEM
 * file cert_path), accepted only if the certificate verifies against the CA
 * in ca_path (signature and validity period) and its subject CN equals cn,
 * and its key is on P-256. *out is owned by the caller (seal_key_free).
 * err (may be NULL) gets one line naming the reason. Errors: EG_ERR_INVAL
 * (NULL), EG_ERR_IO (a file cannot be read or parsed), EG_ERR_CERT (chain,
 * validity or CN), EG_ERR_UNSUPPORTED (not a P-256 key), EG_ERR_NOMEM.
 */
int seal_key_from_cert(const char *cert_path, const char *ca_path, const char *cn,
    struct seal_key **out, char *err, size_t errlen);

/*
 * seal_cert_cn — the subject CN of the certificate in cert_path (PEM or
 * DER) into cn (cap bytes, NUL-terminated): the kiosk id the host takes
 * from a kiosk's TLS certificate, which the kiosk must seal for. Errors:
 * EG_ERR_INVAL, EG_ERR_IO (unreadable), EG_ERR_NOT_FOUND (no CN),
 * EG_ERR_OVERFLOW (longer than cap - 1), EG_ERR_FORMAT (a NUL inside).
 */
int seal_cert_cn(const char *cert_path, char *cn, size_t cap);

/*
 * seal_key_from_private — the host's key pair from its private key file
 * (PEM or DER, unencrypted; the TLS key). Seeds the key's own blinding RNG
 * from the system entropy source. *out is owned by the caller. Errors:
 * EG_ERR_INVAL, EG_ERR_IO, EG_ERR_UNSUPPORTED (not P-256), EG_ERR_CRYPTO
 * (RNG seeding), EG_ERR_NOMEM.
 */
int seal_key_from_private(const char *key_path, struct seal_key **out, char *err, size_t errlen);

/*
 * seal_key_parse_private — as seal_key_from_private from memory: len bytes
 * of DER, or of PEM including its terminating NUL (mbedTLS's rule).
 * Errors: EG_ERR_INVAL, EG_ERR_FORMAT (not a key), EG_ERR_UNSUPPORTED,
 * EG_ERR_CRYPTO, EG_ERR_NOMEM.
 */
int seal_key_parse_private(const uint8_t *key, size_t len, struct seal_key **out);

/* seal_key_public — the key's public point, uncompressed, into
 * out[SEAL_POINT_LEN]. Errors: EG_ERR_INVAL, EG_ERR_CRYPTO. */
int seal_key_public(const struct seal_key *k, uint8_t out[SEAL_POINT_LEN]);

/* seal_key_free — wipe and free the key, set *k to NULL; safe on NULL. */
void seal_key_free(struct seal_key **k);

/*
 * seal_identifiers — seal document_number and holder_name (NUL-terminated,
 * each at most SEAL_FIELD_MAX bytes, no other restriction; "" allowed) for
 * kiosk_id (1..SEAL_KIOSK_ID_MAX bytes) to the host key hk, with a fresh
 * ephemeral key drawn from rng. Writes the blob to out (cap bytes) and its
 * length to *out_len. Two seals of the same input differ. Errors:
 * EG_ERR_INVAL (NULL, bad kiosk id length), EG_ERR_OVERFLOW (a field too
 * long, or cap too small), EG_ERR_CRYPTO (RNG or mbedTLS failure),
 * EG_ERR_NOMEM. On error out holds nothing useful and *out_len is 0.
 */
int seal_identifiers(const struct seal_key *hk, seal_rng_fn rng, void *rng_ctx,
    const char *kiosk_id, const char *document_number, const char *holder_name,
    uint8_t *out, size_t cap, size_t *out_len);

/*
 * seal_open — open a blob (untrusted: parsed through eg_rbuf, never trusted
 * further than its tag) sealed for kiosk_id with the host key pair hk. On
 * success doc and name hold NUL-terminated clear text the caller must wipe
 * (eg_memzero) after use. Errors: EG_ERR_INVAL (NULL; hk without a private
 * key), EG_ERR_TRUNCATED (shorter than SEAL_OVERHEAD), EG_ERR_OVERFLOW
 * (longer than SEAL_BLOB_MAX, or a field does not fit its buffer),
 * EG_ERR_UNSUPPORTED (version byte not SEAL_VERSION), EG_ERR_FORMAT (E is
 * not a valid P-256 point, or the plaintext is not an Identifiers message
 * with only fields 1 and 2, each once, without NUL bytes), EG_ERR_AUTH (the
 * tag does not verify: another kiosk id, another host key, any bit
 * changed), EG_ERR_CRYPTO, EG_ERR_NOMEM. On error doc and name are "".
 */
int seal_open(struct seal_key *hk, const char *kiosk_id, const uint8_t *blob,
    size_t len, char *doc, size_t doc_cap, char *name, size_t name_cap);

/*
 * seal_plain_parse — the strict parser of an opened blob's plaintext
 * (seal_open uses it; public for the fuzz target seal_plain): a packed
 * Identifiers with document_number (1) and holder_name (2) only, each at
 * most once, length-delimited, no NUL inside; an absent field is "".
 * doc and name get NUL-terminated copies (may be partly written on error:
 * wipe them). Errors: EG_ERR_INVAL, EG_ERR_FORMAT (another field, a
 * repeated one, a bad varint, a length past the end, a NUL),
 * EG_ERR_OVERFLOW (longer than SEAL_FIELD_MAX or its buffer).
 */
int seal_plain_parse(const uint8_t *p, size_t len, char *doc, size_t doc_cap, char *name,
    size_t name_cap);

#endif
