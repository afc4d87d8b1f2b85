/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csca.h — the CSCA trust store for passive authentication: Country Signing
 * CA certificates installed by the integrator, CSCAs taken from ICAO master
 * lists, and CRLs.
 *
 * Trust bootstrapping: certificates added with csca_store_add_cert() or
 * csca_store_load_dir() are the *anchors*: the integrator vouches for them
 * (obtained out of band, e.g. from the issuing state via diplomatic channel,
 * fingerprints compared). A master list is accepted only if its signer
 * certificate chains to an anchor — never to a CSCA that came from another
 * master list, so trust is not transitive through lists. The CSCAs a valid
 * list carries are then trusted for document checks.
 *
 * All functions return EG_OK or a negative eg_err; the store owns copies of
 * everything added (inputs are not retained).
 */
#ifndef EGATE_DOCAUTH_CSCA_H
#define EGATE_DOCAUTH_CSCA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

struct csca_store;

/* csca_store_new — an empty store. Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int csca_store_new(struct csca_store **out);
/* csca_store_free — free the store and set *s to NULL; NULL-safe. */
void csca_store_free(struct csca_store **s);

/*
 * csca_store_add_cert — add one anchor CSCA certificate (DER, or PEM with
 * one or more certificates). Errors: EG_ERR_CERT (does not parse or is not a
 * CA certificate), EG_ERR_INVAL, EG_ERR_NOMEM.
 */
int csca_store_add_cert(struct csca_store *s, const uint8_t *buf, size_t len);

/*
 * csca_store_load_dir — add every *.pem, *.crt, *.cer and *.der file in dir
 * (not recursive, other files ignored) as anchors. *n_loaded counts the
 * certificates added; a file that fails does not stop the others, and the
 * call then returns EG_ERR_CERT with *n_failed > 0. EG_ERR_IO if dir cannot
 * be read. n_loaded / n_failed may be NULL.
 */
int csca_store_load_dir(struct csca_store *s, const char *dir, size_t *n_loaded,
    size_t *n_failed);

/* csca_store_add_crl — add a CRL (DER or PEM). Its signature is checked
 * against the issuing CSCA at verification time, not here.
 * Errors: EG_ERR_CERT, EG_ERR_INVAL, EG_ERR_NOMEM. */
int csca_store_add_crl(struct csca_store *s, const uint8_t *buf, size_t len);

/* csca_store_load_crl_dir — as csca_store_load_dir for *.crl, *.pem, *.der. */
int csca_store_load_crl_dir(struct csca_store *s, const char *dir, size_t *n_loaded,
    size_t *n_failed);

/*
 * csca_store_add_masterlist — verify an ICAO CSCA master list (CMS
 * SignedData, eContent 2.23.136.1.1.2 CscaMasterList) and add the CSCAs it
 * lists. Checks: CMS structure, messageDigest, the signature with the
 * embedded signer certificate, the signer chains to an anchor, and the
 * signer certificate is valid at `now`. reason (cap bytes, may be NULL)
 * explains a refusal. *n_added (may be NULL) counts CSCAs added (CA
 * certificates only; others are skipped).
 * Errors: EG_ERR_FORMAT (structure), EG_ERR_AUTH (digest or signature
 * wrong), EG_ERR_CERT (signer untrusted, expired or missing), EG_ERR_NOMEM.
 */
int csca_store_add_masterlist(struct csca_store *s, const uint8_t *buf, size_t len,
    time_t now, size_t *n_added, char *reason, size_t cap);

/* csca_store_load_masterlist_file — csca_store_add_masterlist on the
 * contents of a file (DER, at most 16 MiB); EG_ERR_IO / EG_ERR_OVERFLOW if
 * it cannot be read. */
int csca_store_load_masterlist_file(struct csca_store *s, const char *path, time_t now,
    size_t *n_added, char *reason, size_t cap);

/*
 * csca_store_load_path — the kiosk's `[trust] csca` setting: path is either
 *  - a folder: every .pem, .crt, .cer and .der file in it is added as an anchor
 *    first, then every .ml file in it is added as a master list (verified
 *    against those anchors at `now`); or
 *  - one file: certificates (PEM or DER) become anchors; anything else is
 *    taken as a master list, which needs anchors already in the store.
 * *n_loaded counts CSCAs added, *n_failed files refused (both may be NULL);
 * reason (may be NULL) explains the last refusal. Returns EG_OK, EG_ERR_IO
 * (path unreadable), or the error of the last refused file.
 */
int csca_store_load_path(struct csca_store *s, const char *path, time_t now,
    size_t *n_loaded, size_t *n_failed, char *reason, size_t cap);

/* csca_store_count / csca_store_crl_count — CSCAs (anchors and from lists) / CRLs. */
size_t csca_store_count(const struct csca_store *s);
size_t csca_store_crl_count(const struct csca_store *s);

/* Borrowed views for passive authentication: the chain of all trusted
 * CSCAs and the list of CRLs (NULL when empty). Valid until the next add
 * or free. */
mbedtls_x509_crt *csca_store_certs(struct csca_store *s);
mbedtls_x509_crl *csca_store_crls(struct csca_store *s);

#endif
