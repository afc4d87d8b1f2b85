/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seal.h — sealed identifiers of a PassageEvent (PROTOCOL.md, "Sealed
 * identifiers"): the kiosk encrypts the document number and the holder's
 * name to the host's P-256 key (ECIES: ephemeral ECDH, HKDF-SHA-256,
 * AES-256-GCM) so its spool never holds them in clear; only the host's
 * network child, which holds the matching private key, opens them.
 *
 *   kiosk:  seal_key_from_cert(seal_cert, ca, "egate-host", &hk, err, sizeof(err));
 *           seal_epoch_new(0, 0, &ep);
 *           seal_epoch_seal(ep, hk, rng, drbg, now_s, kiosk_id, docnum, name,
 *               blob, sizeof(blob), &n);                       (version 2)
 *   host:   seal_key_from_private(tls_key, &hk, err, sizeof(err));
 *           seal_open(hk, cn, blob, n, doc, sizeof(doc), name, sizeof(name));
 *
 *   v1 blob = 0x01 ‖ E (65) ‖ AES-256-GCM ciphertext ‖ tag (16)
 *             one ephemeral key per seal: one ECDH per seal and per open
 *   v2 blob = 0x02 ‖ E (65) ‖ N (12) ‖ AES-256-GCM ciphertext ‖ tag (16)
 *             one ephemeral key per epoch (at most SEAL_EPOCH_MAX_SEALS
 *             seals, SEAL_EPOCH_MAX_SECONDS seconds, RAM only); the host
 *             caches K per (kiosk id, E), so one ECDH per epoch
 *   v3 blob = 0x03 ‖ E (65) ‖ N (12) ‖ ciphertext ‖ tag (16), as v2 but
 *             bound to its event: the AAD also holds the event's seq and
 *             record kind (SEAL_KIND_PASSAGE), so a blob moved to another
 *             event of the same kiosk does not open (issue 13, item 8)
 *
 * AAD: v1, v2 = label ‖ 0x00 ‖ kiosk id ‖ 0x00 (bound to the kiosk only);
 *      v3     = label ‖ 0x00 ‖ kiosk id ‖ 0x00 ‖ u64 seq (big-endian) ‖ u8 kind.
 *
 * seal_open opens versions 1 and 2 (v3 needs seal_open_bound);
 * seal_open_bound opens all three. seal_identifiers still writes version 1
 * and seal_epoch_seal version 2 (older firmware, the compatibility cases);
 * seal_epoch_seal_bound writes version 3, which a host with a sealing key of
 * its own ([seal] key, egate-host.conf(5)) requires. All intermediate secrets (the ephemeral private key, Z,
 * the plaintext; in v1 also K and N) are wiped before return; a v2 epoch
 * key lives only in the seal_epoch (kiosk) and in the host key's cache,
 * and is wiped when the epoch ends, on eviction and on free. A seal_key
 * and a seal_epoch are not thread-safe (the private key's blinding RNG and
 * the cache live in the key): one per thread.
 */
#ifndef EGATE_PROTO_SEAL_H
#define EGATE_PROTO_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_VERSION 0x01u
#define SEAL_LABEL "egate-seal/v1"	/* HKDF info prefix and AAD prefix */
#define SEAL_VERSION_2 0x02u
#define SEAL_LABEL_2 "egate-seal/v2"	/* the same for version 2 */
#define SEAL_VERSION_3 0x03u
#define SEAL_LABEL_3 "egate-seal/v3"	/* the same for version 3 (bound) */
/* Record kinds a v3 blob is bound to (the AAD's last byte). */
#define SEAL_KIND_PASSAGE 0x01u	/* PassageEvent.sealed_identifiers */
#define SEAL_POINT_LEN 65u		/* uncompressed P-256 point: 0x04 ‖ X ‖ Y */
#define SEAL_TAG_LEN 16u
#define SEAL_KEY_LEN 32u		/* AES-256 key */
#define SEAL_NONCE_LEN 12u
/* Bytes a v1 blob adds to the plaintext: version, E, tag. */
#define SEAL_OVERHEAD (1u + SEAL_POINT_LEN + SEAL_TAG_LEN)
/* Bytes a v2 blob adds to the plaintext: version, E, N, tag. */
#define SEAL_OVERHEAD_2 (1u + SEAL_POINT_LEN + SEAL_NONCE_LEN + SEAL_TAG_LEN)
/* The kiosk's epoch limits (v2): a new ephemeral key after this many seals
 * or seconds, whichever comes first (PROTOCOL.md says why these). */
#define SEAL_EPOCH_MAX_SEALS 1024u
#define SEAL_EPOCH_MAX_SECONDS 3600u
/* Entries of the host's v2 key cache (kiosk id, E) -> K by default, and the
 * ways of each of its sets (least recently used replaced). */
#define SEAL_CACHE_DEFAULT 4096u
#define SEAL_CACHE_WAYS 4u
/* Longest kiosk id bound into the AAD (the audit log's limit). */
#define SEAL_KIOSK_ID_MAX 64u
/* Longest document number and holder name a blob may carry. */
#define SEAL_FIELD_MAX 255u
/* Largest blob seal_identifiers writes and seal_open accepts
 * (= PROTO_SEALED_MAX, frame.h). */
#define SEAL_BLOB_MAX 1024u

/* A host P-256 key: public only (kiosk, for sealing) or a key pair (host,
 * for opening, with its v2 key cache). Opaque. */
struct seal_key;

/* The kiosk's current v2 epoch: (E, K) in RAM only. Opaque. */
struct seal_epoch;

/* What a host key pair has done when opening (seal_key_stats). */
struct seal_stats {
	uint64_t ecdh;		/* scalar multiplications with the host key */
	uint64_t cache_hits;	/* v2 blobs opened with a cached K */
	uint64_t cache_evictions;	/* cached K replaced (and wiped) */
};

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

/* seal_key_free — wipe and free the key (and its cache), set *k to NULL;
 * safe on NULL. */
void seal_key_free(struct seal_key **k);

/*
 * seal_key_set_cache — size the v2 key cache of a key pair: entries is
 * rounded up to a multiple of SEAL_CACHE_WAYS; 0 turns the cache off (every
 * v2 open then costs an ECDH). Wipes what the cache held. A new key pair
 * has SEAL_CACHE_DEFAULT entries, allocated at the first v2 open. Errors:
 * EG_ERR_INVAL (NULL, a public key only, entries above 1 << 20).
 */
int seal_key_set_cache(struct seal_key *k, size_t entries);

/* seal_key_stats — the counters of k since it was made (zeros for NULL). */
void seal_key_stats(const struct seal_key *k, struct seal_stats *st);

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
 * seal_epoch_new — an empty epoch (the first seal draws its key) that ends
 * after max_seals seals or max_seconds seconds (0: SEAL_EPOCH_MAX_SEALS,
 * SEAL_EPOCH_MAX_SECONDS). *out is owned by the caller (seal_epoch_free).
 * Errors: EG_ERR_INVAL (NULL, a limit above its maximum), EG_ERR_NOMEM.
 */
int seal_epoch_new(uint32_t max_seals, uint32_t max_seconds, struct seal_epoch **out);

/* seal_epoch_free — wipe K and E, free, set *ep to NULL; safe on NULL. */
void seal_epoch_free(struct seal_epoch **ep);

/*
 * seal_epoch_seal — seal as seal_identifiers does, as version 2 in epoch ep:
 * if ep is empty, full (max_seals), older than max_seconds at now_s (any
 * monotonic clock in seconds; a clock going back also ends the epoch) or was
 * made for another host key, a new ephemeral (e, E) is drawn from rng,
 * K = HKDF(x(e·H)) derived and e and Z wiped at once; then a fresh 12-byte
 * nonce from rng. Writes the blob to out (cap bytes), its length to
 * *out_len. Errors as seal_identifiers; after EG_ERR_CRYPTO the epoch is
 * ended (wiped). On error *out_len is 0.
 */
int seal_epoch_seal(struct seal_epoch *ep, const struct seal_key *hk, seal_rng_fn rng,
    void *rng_ctx, uint64_t now_s, const char *kiosk_id, const char *document_number,
    const char *holder_name, uint8_t *out, size_t cap, size_t *out_len);

/*
 * seal_epoch_seal_bound — as seal_epoch_seal, writing version 3: the blob is
 * bound to the event (seq >= 1, kind >= 1, e.g. SEAL_KIND_PASSAGE) besides
 * the kiosk id, and opens only with seal_open_bound for the same three. An
 * epoch serves one version: switching versions starts a new epoch. Errors as
 * seal_epoch_seal (EG_ERR_INVAL also for seq or kind 0).
 */
int seal_epoch_seal_bound(struct seal_epoch *ep, const struct seal_key *hk, seal_rng_fn rng,
    void *rng_ctx, uint64_t now_s, const char *kiosk_id, uint64_t seq, uint8_t kind,
    const char *document_number, const char *holder_name, uint8_t *out, size_t cap,
    size_t *out_len);

/*
 * seal_open_bound — as seal_open, for the event (kiosk_id, seq, kind) the
 * blob arrived in; *version (may be NULL) gets the blob's version byte once
 * it is read (1, 2 or 3; 0 before). Versions 1 and 2 ignore seq and kind
 * (they are bound to the kiosk only: the caller decides whether to accept
 * them). A v3 blob opens only for the same seq and kind (EG_ERR_AUTH
 * otherwise; EG_ERR_INVAL when seq or kind is 0). Other errors as seal_open.
 */
int seal_open_bound(struct seal_key *hk, const char *kiosk_id, uint64_t seq, uint8_t kind,
    const uint8_t *blob, size_t len, char *doc, size_t doc_cap, char *name, size_t name_cap,
    uint8_t *version);

/*
 * seal_open — open a blob (untrusted: parsed through eg_rbuf, never trusted
 * further than its tag) sealed for kiosk_id with the host key pair hk. On
 * success doc and name hold NUL-terminated clear text the caller must wipe
 * (eg_memzero) after use. The first byte picks the version (1 or 2); a v2
 * blob's K is looked up in hk's cache under (kiosk_id, E) and stored there
 * after its tag verified. Errors: EG_ERR_INVAL (NULL; hk without a private
 * key), EG_ERR_TRUNCATED (empty, or shorter than SEAL_OVERHEAD (v1) or
 * SEAL_OVERHEAD_2 (v2)), EG_ERR_OVERFLOW (longer than SEAL_BLOB_MAX, or a
 * field does not fit its buffer), EG_ERR_UNSUPPORTED (version byte not 1, 2
 * or 3), EG_ERR_INVAL also for a v3 blob (bound to an event: use
 * seal_open_bound), EG_ERR_FORMAT (E is
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
