/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crl.h — certificate revocation lists of CSCAs (RFC 5280 5, ICAO Doc 9303
 * Part 12 7.1.4), parsed through eg_rbuf (BER lengths tolerated) so that
 * a CRL signed with an explicit-parameter or custom-curve CSCA key can be
 * checked; the signature is verified over the TBSCertList bytes as received.
 */
#ifndef EGATE_DOCAUTH_CRL_H
#define EGATE_DOCAUTH_CRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docauth/cert.h"

#define CRL_MAX_ENTRIES 100000

struct crl_entry {
	struct cert_span serial;	/* INTEGER value bytes (borrowed from the CRL) */
	int64_t date;			/* revocationDate */
};

struct crl {
	uint8_t *der;			/* owned copy */
	size_t der_len;
	struct cert_span tbs, sig_oid, sig_params, signature;
	int version;			/* 1 or 2 */
	struct cert_name issuer;
	int64_t this_update;
	bool has_next_update;		/* ICAO requires it; a CRL without is never current */
	int64_t next_update;
	struct cert_span aki;		/* authorityKeyIdentifier keyIdentifier, len 0 if absent */
	bool unknown_critical;		/* a critical CRL or entry extension we do not process */
	size_t n_revoked;
	struct crl_entry *revoked;	/* owned array */
};

/*
 * crl_parse — a DER CertificateList of exactly len bytes into a new *out.
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM, EG_ERR_FORMAT / EG_ERR_TRUNCATED,
 * EG_ERR_OVERFLOW (more than CRL_MAX_ENTRIES entries).
 */
int crl_parse(const uint8_t *der, size_t len, struct crl **out);
/* crl_free — free *c, set it to NULL; NULL-safe. */
void crl_free(struct crl **c);

/* crl_verify_signed_by — the CRL's signature verifies with the key of
 * issuer. Returns EG_OK, EG_ERR_AUTH, EG_ERR_UNSUPPORTED, EG_ERR_FORMAT. */
int crl_verify_signed_by(const struct crl *c, struct cert *issuer, char *reason, size_t cap);

/* crl_find — the entry revoking serial (INTEGER value bytes; leading zero
 * bytes ignored on both sides), or NULL. */
const struct crl_entry *crl_find(const struct crl *c, const uint8_t *serial, size_t len);

/* crl_current_at — this_update <= t <= next_update (false without a nextUpdate). */
bool crl_current_at(const struct crl *c, int64_t t);

#endif
