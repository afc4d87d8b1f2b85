/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki.h — the deployment PKI: one CA that issues the host certificate,
 * kiosk, officer and update-signer certificates, keeps an index of every
 * certificate it issued, signs enrolment requests that carry a one-time
 * token, and publishes a CRL.
 *
 * All keys are ECDSA P-256; certificates are X.509 v3 signed with
 * ecdsa-with-SHA256, written as PEM. The role of a certificate is in its
 * subject (OU=host|kiosk|officer|update) and its extended key usage
 * (serverAuth for the host, clientAuth for kiosks and officers, codeSigning
 * for update signers); the host takes a kiosk's or an officer's identity
 * from the CN of its certificate.
 *
 * A CA folder holds (docs/security.md, egate-pki(1)):
 *   ca.key        CA private key (PEM, mode 0600)
 *   ca.crt        self-signed CA certificate
 *   ca.crl        the current CRL (v2, with a CRL number), re-signed at every
 *                 revocation
 *   index.txt     the index: every certificate issued (serial, role, CN,
 *                 validity, revocation) and every enrolment token (its
 *                 SHA-256 only). A text file, rewritten whole and atomically
 *                 (temporary file, fsync, rename) under a lock on the folder
 *   certs/S.pem   a copy of every certificate issued, by serial (renewal
 *                 re-signs the same public key)
 *
 * Every operation that writes is atomic: it prepares everything in memory
 * and in temporary files first, and on any failure leaves no file behind
 * (no key, no certificate, no index line), so a retry works. A CA object
 * holds an exclusive lock (flock) on its folder from pki_ca_load() to
 * pki_ca_free(), so two `egate pki` runs never interleave.
 *
 * Serial numbers are 16 random bytes (checked unique against the index).
 * mbedTLS 2.28 has no CRL writer; pki_crl.c encodes the CRL with mbedTLS's
 * ASN.1 writer and signs it with the CA key. It cannot write a CSR attribute
 * either; pki_csr.c writes the request (with the enrolment token as a
 * PKCS #9 challengePassword) and reads the token back from a request.
 */
#ifndef EGATE_PKI_H
#define EGATE_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "egate/buf.h"

enum pki_role {
	PKI_ROLE_HOST,		/* TLS server: egate-host */
	PKI_ROLE_KIOSK,		/* TLS client: egate-kiosk */
	PKI_ROLE_OFFICER,	/* TLS client: egate officer */
	PKI_ROLE_UPDATE,	/* signs update bundles (RAUC): codeSigning */
	PKI_ROLE_CA,		/* the CA itself (index only; never issued) */
};

/* "host", "kiosk", "officer", "update", "ca"; NULL for an unknown value. */
const char *pki_role_str(enum pki_role r);
/* Returns EG_OK or EG_ERR_INVAL. Accepts every name above, "ca" included;
 * the issuing functions refuse PKI_ROLE_CA. */
int pki_role_parse(const char *s, enum pki_role *out);

/* Limits of the index's fields. */
#define PKI_CN_MAX 64		/* CN: [A-Za-z0-9._-], 1..64 */
#define PKI_SERIAL_HEX 41	/* up to 20 bytes as hex, NUL */
#define PKI_ORIGIN_MAX 48
#define PKI_HASH_HEX 65		/* SHA-256 as hex, NUL */
#define PKI_TOKEN_TEXT 40	/* "xxxx-xxxx-...-xxxx": 32 hex digits, 7 dashes, NUL */
#define PKI_WARN_DAYS 30	/* default warning horizon before a certificate expires */
#define PKI_CRL_WARN_DAYS 7	/* ... and before the CRL's nextUpdate (re-signed monthly) */

/* pki_cn_ok — whether cn is a CN we put in a subject (charset and length). */
bool pki_cn_ok(const char *cn);

/* ---- the index ------------------------------------------------------------ */

struct pki_cert_rec {
	char serial[PKI_SERIAL_HEX];	/* upper-case hex of the DER integer */
	enum pki_role role;
	char cn[PKI_CN_MAX + 1];
	time_t not_before, not_after;
	bool revoked;
	time_t revoked_at;		/* 0 when not revoked */
	/* how it came about: "ca", "issue", "sign", "enrol:TOKENID",
	 * "renew:SERIAL", "import" (revoked before the index knew it) */
	char origin[PKI_ORIGIN_MAX];
};

struct pki_token_rec {
	char hash[PKI_HASH_HEX];	/* SHA-256 of the canonical token, hex */
	enum pki_role role;		/* what the token may enrol */
	char cn[PKI_CN_MAX + 1];
	time_t created, expires;
	bool used;
	time_t used_at;			/* 0 when unused */
	char serial[PKI_SERIAL_HEX];	/* certificate issued with it; "" */
};

struct pki_index {
	struct pki_cert_rec *certs;	/* in the order issued */
	size_t ncerts;
	struct pki_token_rec *tokens;
	size_t ntokens;
	bool missing;			/* no index.txt (a CA older than the index) */
};

/*
 * pki_index_parse — parse the text of an index.txt (len bytes, need not be
 * NUL-terminated) into *out, which the caller releases with
 * pki_index_clear(). The format is in egate-pki(1): a header line
 * "egate-ca-index<TAB>1", comments (#), and one tab-separated record a line.
 * *bad_line (may be NULL) gets the line of the first problem.
 * Errors: EG_ERR_FORMAT (bad header, field, count, time or duplicate
 * serial), EG_ERR_OVERFLOW (over 16 MiB or 1,000,000 records), EG_ERR_NOMEM.
 */
int pki_index_parse(const char *text, size_t len, struct pki_index *out, int *bad_line);

/* pki_index_format — append the text of idx to w (what parse reads back).
 * Errors: EG_ERR_OVERFLOW, EG_ERR_NOMEM, EG_ERR_INVAL (a field that would
 * not parse back: bad CN, unknown role). */
int pki_index_format(const struct pki_index *idx, struct eg_wbuf *w);

/* pki_index_clear — free the records; idx is left empty. Safe twice. */
void pki_index_clear(struct pki_index *idx);

/*
 * pki_index_load — read CA/index.txt under a shared lock (read-only use:
 * `egate pki list`). A missing index file is not an error: *out is empty
 * with out->missing set. err (may be NULL) gets a one-line reason.
 * Errors: EG_ERR_IO (no CA folder), EG_ERR_FORMAT (and the line in err).
 */
int pki_index_load(const char *dir, struct pki_index *out, char *err, size_t errlen);

enum pki_cert_state {
	PKI_STATE_VALID,	/* current and not near expiry */
	PKI_STATE_EXPIRING,	/* current, expires within the warning horizon */
	PKI_STATE_EXPIRED,	/* current, past its notAfter */
	PKI_STATE_REVOKED,
	PKI_STATE_SUPERSEDED,	/* a later unrevoked certificate has the same role and CN */
	PKI_STATE_NOT_YET,	/* notBefore in the future */
};

/* "valid", "expiring", "expired", "revoked", "superseded", "not-yet-valid". */
const char *pki_state_str(enum pki_cert_state s);

/* pki_cert_state — the state of idx->certs[i] at `now` with a warning
 * horizon of warn_days. Cannot fail (i must be < idx->ncerts). */
enum pki_cert_state pki_cert_state(const struct pki_index *idx, size_t i, time_t now,
    int warn_days);

/* ---- the CA ----------------------------------------------------------------- */

struct pki_ca;

/* What an issuing call produced. */
struct pki_issued {
	char serial[PKI_SERIAL_HEX];
	enum pki_role role;
	char cn[PKI_CN_MAX + 1];
	time_t not_before, not_after;
};

/*
 * pki_ca_init — make a new CA in dir (created if missing; must not already
 * hold ca.key): key, self-signed certificate valid for `days`, empty CRL,
 * an index holding the CA certificate, certs/. All or nothing: on failure
 * no file is left and a folder this call created is removed.
 * Errors: EG_ERR_INVAL (empty or unusable name, days < 1), EG_ERR_STATE (a
 * CA is already there), EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_ca_init(const char *dir, const char *name, int days, char *err, size_t errlen);

/* pki_ca_create — pki_ca_init without the reason (kept for callers of the
 * first version). */
int pki_ca_create(const char *dir, const char *name, int days);

/*
 * pki_ca_load — load the CA in dir and lock it (exclusive flock on the
 * folder, waited for) until pki_ca_free(). *out is owned by the caller.
 * The CA key must pass egate/keyfile.h's rule.
 * Errors: EG_ERR_IO (missing folder or files), EG_ERR_PERM (key readable by
 * group or others), EG_ERR_CERT / EG_ERR_CRYPTO (unparsable or mismatched
 * key and certificate), EG_ERR_FORMAT (a damaged index.txt).
 */
int pki_ca_load(const char *dir, struct pki_ca **out, char *err, size_t errlen);

/* pki_ca_open — pki_ca_load without the reason. */
int pki_ca_open(const char *dir, struct pki_ca **out);

/* pki_ca_free — unlock, wipe and free; sets *ca to NULL. Safe on NULL. */
void pki_ca_free(struct pki_ca **ca);

/* pki_ca_index — the CA's index as of the last successful operation;
 * borrowed, valid until the next call on ca. */
const struct pki_index *pki_ca_index(const struct pki_ca *ca);

/* pki_ca_dir — the CA folder as given to pki_ca_load (borrowed). */
const char *pki_ca_dir(const struct pki_ca *ca);

/*
 * pki_ca_issue — generate a key and issue a certificate for it in one step
 * (the host certificate, officers, update signers, tests): key written to
 * key_out (mode 0600, never overwritten), certificate to crt_out (replaced
 * atomically), a copy in certs/ and a record in the index. Valid from
 * back_days ago until `days` from now (days > -back_days; a negative `days`
 * makes an already expired certificate, for tests). All or nothing.
 * *res (may be NULL) describes the certificate.
 * Errors: EG_ERR_INVAL (role, CN, days, same path twice), EG_ERR_STATE
 * (key_out exists), EG_ERR_IO (an output cannot be written: err names it),
 * EG_ERR_CRYPTO.
 */
int pki_ca_issue(struct pki_ca *ca, enum pki_role role, const char *cn, int days,
    int back_days, const char *key_out, const char *crt_out, struct pki_issued *res,
    char *err, size_t errlen);

/*
 * pki_ca_sign_csr — issue a certificate for the CSR at csr_path, the role and
 * the CN approved by the person running it: the CSR's signature is verified
 * (proof of possession), its key must be P-256, its OU must name `role` and
 * its CN must pass pki_cn_ok(). Validity and atomicity as pki_ca_issue.
 * Errors: EG_ERR_CERT (bad CSR or role mismatch; err says which),
 * EG_ERR_INVAL, EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_ca_sign_csr(struct pki_ca *ca, const char *csr_path, enum pki_role role,
    int days, int back_days, const char *crt_out, struct pki_issued *res,
    char *err, size_t errlen);

/* pki_ca_sign — pki_ca_sign_csr without result and reason. */
int pki_ca_sign(struct pki_ca *ca, const char *csr_path, enum pki_role role,
    int days, int back_days, const char *crt_out);

/*
 * pki_ca_sign_enrol — issue a certificate for an enrolment CSR: as
 * pki_ca_sign_csr, and the CSR must carry an enrolment token
 * (challengePassword) that this CA issued, unused and unexpired, for the
 * CSR's CN and role. The token is burnt in the same atomic index update
 * that records the certificate. A refused CSR does not burn the token.
 * Errors: EG_ERR_AUTH (no token, unknown, used, expired, or approved for
 * another CN or role: err says which), EG_ERR_CERT, EG_ERR_INVAL,
 * EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_ca_sign_enrol(struct pki_ca *ca, const char *csr_path, int days,
    const char *crt_out, struct pki_issued *res, char *err, size_t errlen);

/*
 * pki_ca_find — the index position of the certificate whose serial starts
 * with `serial` (hex, any case, at least 8 digits), in *pos.
 * Errors: EG_ERR_INVAL (too short, not hex), EG_ERR_NOT_FOUND,
 * EG_ERR_STATE (the prefix matches several certificates).
 */
int pki_ca_find(const struct pki_ca *ca, const char *serial, size_t *pos);

/*
 * pki_ca_renew — issue a new certificate for the same public key, role and
 * CN as an earlier one: the certificate at cert_path, or (cert_path NULL)
 * the one with serial prefix `serial` from certs/. The old one must be
 * issued by this CA and not revoked; it stays valid (superseded) until it
 * expires or is revoked. Validity from now for `days`; atomicity as
 * pki_ca_issue. Errors: as pki_ca_find, EG_ERR_CERT (not ours, unreadable),
 * EG_ERR_STATE (revoked), EG_ERR_INVAL, EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_ca_renew(struct pki_ca *ca, const char *serial, const char *cert_path, int days,
    const char *crt_out, struct pki_issued *res, char *err, size_t errlen);

/*
 * pki_ca_token_create — approve one enrolment: a one-time token for a
 * certificate of `role` with CN `cn`, valid `days` days. The token text
 * (32 hex digits in groups of four) goes to token_out and is shown once;
 * the index keeps only its SHA-256. *rec (may be NULL) gets the record.
 * Errors: EG_ERR_INVAL (role, CN, days outside 1..365), EG_ERR_IO,
 * EG_ERR_CRYPTO.
 */
int pki_ca_token_create(struct pki_ca *ca, enum pki_role role, const char *cn, int days,
    char token_out[PKI_TOKEN_TEXT], struct pki_token_rec *rec, char *err, size_t errlen);

/*
 * pki_token_canonical — the canonical form of a token as typed: dashes and
 * blanks dropped, lower case, exactly 32 hex digits, into out (33 bytes).
 * Errors: EG_ERR_FORMAT.
 */
int pki_token_canonical(const char *typed, char out[33]);

/* pki_token_id — the short public name of a token: the first 8 hex digits
 * of its hash (as the index and `egate pki list --tokens` show it). */
void pki_token_id(const struct pki_token_rec *t, char out[9]);

/*
 * pki_ca_revoke_file — add the certificate at crt_path (which this CA issued) to
 * the CRL, re-sign it, and mark it revoked in the index (adding a record if
 * the index did not know it). Revoking twice is harmless (EG_OK).
 * Errors: EG_ERR_CERT (not issued by this CA), EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_ca_revoke_file(struct pki_ca *ca, const char *crt_path, char *err, size_t errlen);

/* pki_ca_revoke — pki_ca_revoke_file without the reason. */
int pki_ca_revoke(struct pki_ca *ca, const char *crt_path);

/* pki_ca_revoke_serial — the same for a certificate in the index, by serial
 * prefix (pki_ca_find). */
int pki_ca_revoke_serial(struct pki_ca *ca, const char *serial, char *err, size_t errlen);

/*
 * pki_ca_publish_crl — re-sign the CRL with a fresh thisUpdate/nextUpdate
 * (nextUpdate = now + days) and an incremented CRL number.
 */
int pki_ca_publish_crl(struct pki_ca *ca, int days);

/* ---- device side -------------------------------------------------------------- */

/*
 * pki_key_create — generate a P-256 key and write it as PEM to path with mode
 * 0600, atomically (a temporary file linked into place), never overwriting
 * an existing file (EG_ERR_STATE).
 */
int pki_key_create(const char *path);

/*
 * pki_secret_create — write `len` random bytes (16..256) as hex text to path
 * with mode 0600, never overwriting (EG_ERR_STATE): the host's key for the
 * HMACs of personal identifiers ([audit] hmac_key). Errors: EG_ERR_INVAL,
 * EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_secret_create(const char *path, size_t len);

/*
 * pki_csr_write — write a certificate signing request for the key at
 * key_path with subject CN=cn, OU=role, and, when token is not NULL, the
 * enrolment token as a challengePassword attribute. This runs on the
 * device: the key never leaves it. The key file must pass
 * egate/keyfile.h's rule. Errors: EG_ERR_INVAL (bad cn, role or token),
 * EG_ERR_PERM, EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_csr_write(const char *key_path, const char *cn, enum pki_role role,
    const char *token, const char *csr_path, char *err, size_t errlen);

/* pki_csr_create — pki_csr_write without a token and the reason. */
int pki_csr_create(const char *key_path, const char *cn, enum pki_role role,
    const char *csr_path);

/*
 * pki_csr_token — find the challengePassword in a CSR's
 * CertificationRequestInfo (cri: the DER SEQUENCE, untrusted bytes) and
 * copy it, NUL-terminated, into out. *found is false when the request has
 * no such attribute. Errors: EG_ERR_FORMAT (not a CRI, or the attribute
 * twice, with several values, or a value that is not a printable string),
 * EG_ERR_OVERFLOW (value longer than outsz - 1), EG_ERR_TRUNCATED.
 */
int pki_csr_token(const uint8_t *cri, size_t len, char *out, size_t outsz, bool *found);

/* ---- expiry warnings (egate-host, egate pki list) ------------------------------- */

struct eg_log;

/*
 * pki_file_expiry — the end of validity of a PEM/DER certificate
 * (notAfter) or CRL (nextUpdate) at path, and, for a certificate, its
 * subject CN (cn may be NULL). *is_crl tells which it was.
 * Errors: EG_ERR_IO (unreadable), EG_ERR_CERT (neither).
 */
int pki_file_expiry(const char *path, time_t *end, bool *is_crl, char *cn, size_t cnlen);

/*
 * pki_log_expiry — for each of the n files (certificates or CRLs; NULL or
 * "" entries are skipped), log a warning `pki.expiring` when it ends within
 * cert_days (a certificate) or crl_days (a CRL) of now, an error
 * `pki.expired` when it has ended, and a `pki.unreadable` warning when it
 * cannot be read. Returns how many were expiring or expired. egate-host
 * calls it at start and on SIGHUP with its CA certificate, its own
 * certificate and its CRL (PKI_WARN_DAYS, PKI_CRL_WARN_DAYS).
 */
int pki_log_expiry(const struct eg_log *lg, const char *const *paths, size_t n,
    int cert_days, int crl_days, time_t now);

/* Paths inside a CA folder. */
#define PKI_CA_KEY "ca.key"
#define PKI_CA_CRT "ca.crt"
#define PKI_CA_CRL "ca.crl"
#define PKI_CA_INDEX "index.txt"
#define PKI_CA_CERTS "certs"

#endif
