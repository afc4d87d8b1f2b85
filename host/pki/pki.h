/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki.h — the deployment PKI: one CA that issues the host certificate, kiosk
 * and officer client certificates, and publishes a CRL.
 *
 * All keys are ECDSA P-256; certificates are X.509 v3 signed with
 * ecdsa-with-SHA256, written as PEM. The role of a certificate is in its
 * subject (OU=host|kiosk|officer) and its extended key usage (serverAuth for
 * the host, clientAuth for kiosks and officers); the host takes a kiosk's or
 * an officer's identity from the CN of its certificate.
 *
 * A CA folder holds:
 *   ca.key   CA private key (PEM, mode 0600)
 *   ca.crt   self-signed CA certificate
 *   ca.crl   the current CRL (v2, with a CRL number), re-signed at every
 *            revocation; the list of revoked serials lives only in it
 *
 * Serial numbers are 16 random bytes, so no counter file is needed.
 * mbedTLS 2.28 has no CRL writer; pki_crl.c encodes the CRL with mbedTLS's
 * ASN.1 writer and signs it with the CA key.
 */
#ifndef EGATE_PKI_H
#define EGATE_PKI_H

#include <stddef.h>
#include <stdint.h>

enum pki_role {
	PKI_ROLE_HOST,		/* TLS server: egate-host */
	PKI_ROLE_KIOSK,		/* TLS client: egate-kiosk */
	PKI_ROLE_OFFICER,	/* TLS client: egate officer */
};

/* "host", "kiosk", "officer"; NULL for an unknown value. */
const char *pki_role_str(enum pki_role r);
/* Returns EG_OK or EG_ERR_INVAL. */
int pki_role_parse(const char *s, enum pki_role *out);

struct pki_ca;

/*
 * pki_ca_create — make a new CA in dir (created if missing; must not already
 * hold ca.key): key, self-signed certificate valid for `days`, empty CRL.
 * Errors: EG_ERR_STATE (a CA is already there), EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_ca_create(const char *dir, const char *name, int days);

/*
 * pki_ca_open — load the CA in dir. *out is owned by the caller and released
 * with pki_ca_free(). Errors: EG_ERR_IO (missing files), EG_ERR_CERT /
 * EG_ERR_CRYPTO (unparsable or mismatched key and certificate).
 */
int pki_ca_open(const char *dir, struct pki_ca **out);

/* pki_ca_free — wipe and free; sets *ca to NULL. Safe on NULL. */
void pki_ca_free(struct pki_ca **ca);

/*
 * pki_key_create — generate a P-256 key and write it as PEM to path with mode
 * 0600 (never overwrites an existing file: EG_ERR_STATE).
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
 * pki_csr_create — write a certificate signing request for the key at
 * key_path with subject CN=cn, OU=role. This runs on the device: the key
 * never leaves it. Errors: EG_ERR_IO, EG_ERR_CRYPTO, EG_ERR_INVAL (bad cn).
 */
int pki_csr_create(const char *key_path, const char *cn, enum pki_role role,
    const char *csr_path);

/*
 * pki_ca_sign — issue a certificate for the CSR at csr_path, valid from
 * back_days ago (0: now) until `days` from now. A negative `days` (greater
 * than -back_days) issues an already expired certificate, for tests.
 * with the role's key usage; writes PEM to crt_path. The CSR's signature is
 * verified and its OU must name the same role. Errors: EG_ERR_CERT (bad CSR
 * or role mismatch), EG_ERR_IO, EG_ERR_CRYPTO, EG_ERR_INVAL.
 */
int pki_ca_sign(struct pki_ca *ca, const char *csr_path, enum pki_role role,
    int days, int back_days, const char *crt_path);

/*
 * pki_ca_revoke — add the certificate at crt_path (which this CA issued) to
 * the CRL and re-sign it. Revoking twice is harmless (EG_OK, no duplicate).
 * Errors: EG_ERR_CERT (not issued by this CA), EG_ERR_IO, EG_ERR_CRYPTO.
 */
int pki_ca_revoke(struct pki_ca *ca, const char *crt_path);

/*
 * pki_ca_publish_crl — re-sign the CRL with a fresh thisUpdate/nextUpdate
 * (nextUpdate = now + days) and an incremented CRL number.
 */
int pki_ca_publish_crl(struct pki_ca *ca, int days);

/* Paths inside a CA folder (static strings). */
#define PKI_CA_KEY "ca.key"
#define PKI_CA_CRT "ca.crt"
#define PKI_CA_CRL "ca.crl"

#endif
