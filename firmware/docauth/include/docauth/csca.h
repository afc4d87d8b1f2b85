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
 * proves its role (extendedKeyUsage id-icao-cscaMasterListSigningKey
 * 2.23.136.1.1.3, keyUsage digitalSignature when keyUsage is present, not a
 * CA) and chains to an anchor — never to a CSCA that came from another
 * master list, so trust is not transitive through lists.
 *
 * Everything is taken entry by entry: a certificate that does not parse,
 * is not a CA, or fails its checks is skipped with a named reason
 * (enum csca_skip) and the rest are added; one bad file in a trust folder
 * does not stop the others. A CSCA entry is added when
 *  - it is a CA: basicConstraints cA, or, without basicConstraints,
 *    keyUsage keyCertSign (seen in real CSCAs; OpenSSL's non-strict rule);
 *  - keyUsage, when present, includes keyCertSign;
 *  - it is self-signed with a valid signature, or it is a link certificate
 *    (issued by another CSCA key, usually of the same name): its signature
 *    must verify when its issuer is known (in the store or the same list);
 *    a link whose issuer is unknown is added — the list or the integrator
 *    vouches for it — and counted (links_unverified).
 *
 * All functions return EG_OK or a negative eg_err; the store owns copies of
 * everything added (inputs are not retained).
 */
#ifndef EGATE_DOCAUTH_CSCA_H
#define EGATE_DOCAUTH_CSCA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "docauth/cert.h"
#include "docauth/crl.h"

struct csca_store;

/* Why one entry (a certificate in a file or a master list, or a CRL) was
 * not added. Stable names: csca_skip_str(). */
enum csca_skip {
	CSCA_SKIP_UNPARSABLE = 0,	/* "unparsable": not a certificate/CRL we can read */
	CSCA_SKIP_UNSUPPORTED_KEY,	/* "unsupported_key": key algorithm or curve not usable */
	CSCA_SKIP_NOT_CA,		/* "not_ca": basicConstraints without cA */
	CSCA_SKIP_NO_KEY_CERT_SIGN,	/* "no_key_cert_sign": keyUsage without keyCertSign */
	CSCA_SKIP_BAD_SELF_SIGNATURE,	/* "bad_self_signature": self-issued, own key does not verify it */
	CSCA_SKIP_BAD_LINK_SIGNATURE,	/* "bad_link_signature": link certificate, its issuer's key does not verify it */
	CSCA_SKIP_DUPLICATE,		/* "duplicate": already in the store (not an error) */
	CSCA_SKIP_COUNT
};
const char *csca_skip_str(enum csca_skip s);

/* The verdict on a master list. Stable names: csca_ml_status_str(). */
enum csca_ml_status {
	CSCA_ML_ACCEPTED = 0,		/* "accepted" */
	CSCA_ML_MALFORMED,		/* "malformed": not a CMS CscaMasterList */
	CSCA_ML_BAD_DIGEST,		/* "bad_digest": messageDigest/contentType wrong */
	CSCA_ML_SIGNER_MISSING,		/* "signer_missing": no usable signer certificate */
	CSCA_ML_BAD_SIGNATURE,		/* "bad_signature" */
	CSCA_ML_SIGNER_ROLE,		/* "signer_role": not a master list signer */
	CSCA_ML_NO_ANCHORS,		/* "no_anchors": nothing to verify the signer against */
	CSCA_ML_SIGNER_UNTRUSTED,	/* "signer_untrusted": does not chain to an anchor */
	CSCA_ML_SIGNER_NOT_VALID,	/* "signer_not_valid": outside its validity at load time */
	CSCA_ML_COUNT
};
const char *csca_ml_status_str(enum csca_ml_status s);

/* What a load did. Counters accumulate over calls with the same report. */
struct csca_report {
	size_t added;			/* CSCAs (or CRLs) added */
	size_t skipped[CSCA_SKIP_COUNT];	/* entries not added, by reason */
	size_t links_unverified;	/* link certificates added whose issuer is not known */
	size_t files, files_failed;	/* files read; files that yielded nothing usable */
	size_t lists, lists_refused;	/* master lists seen / refused */
	enum csca_ml_status ml_status;	/* of the last master list */
	char detail[320];		/* the last problem in words, "" if none */
};
/* csca_report_init — zero a report. */
void csca_report_init(struct csca_report *r);
/* csca_report_summary — "588 CSCAs added; skipped: 3 bad_self_signature,
 * 8 not_ca; 12 link certificates with an unknown issuer" into out. */
void csca_report_summary(const struct csca_report *r, char *out, size_t cap);
/* csca_report_skipped — total entries skipped (duplicates not counted). */
size_t csca_report_skipped(const struct csca_report *r);

/* csca_store_new — an empty store. Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int csca_store_new(struct csca_store **out);
/* csca_store_free — free the store and set *s to NULL; NULL-safe. */
void csca_store_free(struct csca_store **s);

/*
 * csca_store_add_cert — add the anchor CSCA certificates in buf (DER, or PEM
 * with one or more certificates), entry by entry. Returns EG_OK when every
 * certificate was added (or was already there), EG_ERR_CERT when at least
 * one was skipped or nothing was found (the others are still added),
 * EG_ERR_INVAL, EG_ERR_NOMEM. rep (may be NULL) counts what happened.
 */
int csca_store_add_cert(struct csca_store *s, const uint8_t *buf, size_t len);
int csca_store_add_cert_report(struct csca_store *s, const uint8_t *buf, size_t len,
    struct csca_report *rep);

/*
 * csca_store_load_dir — add every *.pem, *.crt, *.cer and *.der file in dir
 * (not recursive, other files ignored) as anchors. *n_loaded counts the
 * certificates added, *n_failed the files with an entry skipped. Returns
 * EG_OK when dir could be read (a bad file does not stop the others:
 * look at *n_failed), EG_ERR_IO if not. n_loaded / n_failed may be NULL.
 */
int csca_store_load_dir(struct csca_store *s, const char *dir, size_t *n_loaded,
    size_t *n_failed);

/* csca_store_add_crl — add the CRL(s) in buf (DER or PEM). Their signature
 * is checked against the issuing CSCA at verification time, not here.
 * Errors: EG_ERR_CERT (does not parse), EG_ERR_INVAL, EG_ERR_NOMEM. */
int csca_store_add_crl(struct csca_store *s, const uint8_t *buf, size_t len);

/* csca_store_load_crl_dir — as csca_store_load_dir for *.crl, *.pem, *.der. */
int csca_store_load_crl_dir(struct csca_store *s, const char *dir, size_t *n_loaded,
    size_t *n_failed);

/*
 * csca_store_add_masterlist — verify an ICAO CSCA master list (CMS
 * SignedData, eContent 2.23.136.1.1.2 CscaMasterList, BER tolerated) and
 * add the CSCAs it lists, entry by entry. The list is refused (nothing
 * added) unless its structure and messageDigest are right, its signature
 * verifies with the embedded signer certificate, the signer proves its
 * role, chains to an anchor and is valid at `now`. reason (cap bytes, may
 * be NULL) explains a refusal or summarises what was added and skipped;
 * *n_added (may be NULL) counts CSCAs added.
 * Errors: EG_ERR_FORMAT (structure), EG_ERR_AUTH (digest or signature
 * wrong), EG_ERR_CERT (signer missing, untrusted, expired, or not a master
 * list signer), EG_ERR_NOMEM.
 */
int csca_store_add_masterlist(struct csca_store *s, const uint8_t *buf, size_t len,
    time_t now, size_t *n_added, char *reason, size_t cap);
/* ... the same with a report (rep->ml_status says the verdict). */
int csca_store_add_masterlist_report(struct csca_store *s, const uint8_t *buf, size_t len,
    time_t now, struct csca_report *rep);

/* csca_store_load_masterlist_file — csca_store_add_masterlist on the
 * contents of a file (at most 16 MiB); EG_ERR_IO / EG_ERR_OVERFLOW if
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
 * Entry by entry: *n_loaded counts CSCAs added, *n_failed files or lists
 * refused or with skipped entries (both may be NULL); reason (may be NULL)
 * summarises (csca_report_summary) and names the last problem. Returns
 * EG_OK when the path could be read (look at n_loaded and n_failed),
 * EG_ERR_IO if not, and for a single file the error of that file.
 */
int csca_store_load_path(struct csca_store *s, const char *path, time_t now,
    size_t *n_loaded, size_t *n_failed, char *reason, size_t cap);
/* ... the same with a report (may be NULL). */
int csca_store_load_path_report(struct csca_store *s, const char *path, time_t now,
    struct csca_report *rep);

/* csca_store_count / csca_store_crl_count — CSCAs (anchors and from lists) / CRLs. */
size_t csca_store_count(const struct csca_store *s);
size_t csca_store_crl_count(const struct csca_store *s);

/* Borrowed views for passive authentication, valid until the next add or
 * free: the i-th CSCA (NULL past the end), whether it is an anchor, and the
 * i-th CRL. Certificates are not const: mbedTLS verifies on a mutable EC
 * group. */
struct cert *csca_store_cert(struct csca_store *s, size_t i);
bool csca_store_is_anchor(const struct csca_store *s, size_t i);
const struct crl *csca_store_crl(const struct csca_store *s, size_t i);

/*
 * csca_store_find_issuer — the index of the CSCA whose key verifies c's
 * signature, looking first at the CSCAs whose subjectKeyIdentifier equals
 * c's authorityKeyIdentifier, then at those whose subject equals c's issuer
 * (RFC 5280), then at those whose subject has the same attributes in
 * another order; anchors_only limits the search to anchors. *how (may be
 * NULL) gets "key identifier", "name" or "reordered name". Returns the
 * index, or -1 (reason, may be NULL, says why: no candidate, or which
 * candidate's key refused the signature).
 */
long csca_store_find_issuer(struct csca_store *s, const struct cert *c, bool anchors_only,
    const char **how, char *reason, size_t cap);

#endif
