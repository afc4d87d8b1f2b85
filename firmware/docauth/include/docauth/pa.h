/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pa.h — passive authentication (ICAO Doc 9303 Part 11, 5.1) as separate,
 * named document checks, each with a status and a reason, so the officer
 * console and the audit log show exactly which check failed.
 *
 * Inputs are the files exactly as read from the chip (never re-encoded), a
 * CSCA trust store with its CRLs, the printed MRZ text (from the OCR of the
 * data page) and the check time (a parameter, so results are reproducible).
 */
#ifndef EGATE_DOCAUTH_PA_H
#define EGATE_DOCAUTH_PA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "egate/json.h"
#include "docauth/csca.h"
#include "docauth/lds.h"

enum pa_check {
	PA_SOD_PARSE = 0,	/* EF.SOD is a well-formed CMS SignedData / LDSSecurityObject */
	PA_SOD_SIGNATURE,	/* signerInfo signature valid with the DS public key */
	PA_SOD_MESSAGE_DIGEST,	/* messageDigest attribute = hash of the security object */
	PA_DS_CHAIN,		/* DS certificate issued by a trusted CSCA */
	PA_DS_VALIDITY,		/* DS certificate valid at the check time */
	PA_DS_REVOCATION,	/* DS certificate not revoked by its CSCA's CRL */
	PA_DG_HASHES,		/* every read DG hashes to the SOD's value */
	PA_COM_SOD_CONSISTENCY,	/* EF.COM lists the same DGs as the SOD */
	PA_DG1_MRZ_MATCH,	/* DG1 MRZ = printed MRZ */
	PA_ISSUING_STATE,	/* DG1 issuing state = DS certificate country */
	PA_CARD_SECURITY,	/* EF.CardSecurity signed by a trusted DS (when read) */
	PA_CHECK_COUNT
};

enum pa_status { PA_NOT_CHECKED = 0, PA_PASS, PA_FAIL };

/*
 * Why a check has its status, as a stable code (pa_reason_str() gives the
 * name carried into JSON and the audit record, next to the free-text
 * reason). PA_R_OK for a pass without anything to add.
 */
enum pa_reason {
	PA_R_OK = 0,			/* "ok" */
	PA_R_NOT_REACHED,		/* "not_reached": an earlier failure stopped it */
	PA_R_SOD_ABSENT,		/* "sod_absent" */
	PA_R_SOD_MALFORMED,		/* "sod_malformed" */
	PA_R_SOD_UNUSABLE,		/* "sod_unusable": sod_parse failed */
	PA_R_NO_DS_CERT,		/* "no_ds_certificate": none in EF.SOD matches the signer */
	PA_R_DS_CERT_UNPARSABLE,	/* "ds_certificate_unparsable" */
	PA_R_SIGNATURE_INVALID,		/* "signature_invalid" */
	PA_R_SIGNATURE_UNSUPPORTED,	/* "signature_unsupported": algorithm unknown or not fitting the key */
	PA_R_DIGEST_MISMATCH,		/* "digest_mismatch": messageDigest or contentType wrong */
	PA_R_ATTRIBUTES_MISSING,	/* "signed_attributes_missing" */
	PA_R_NO_TRUST_STORE,		/* "no_trust_store": no CSCA installed */
	PA_R_ISSUER_UNKNOWN,		/* "issuer_unknown": no CSCA by key identifier or name */
	PA_R_ISSUER_SIGNATURE,		/* "issuer_signature_invalid": the CSCA's key refuses the DS */
	PA_R_DS_IS_CA,			/* "ds_is_ca": the signer certificate is a CA certificate */
	PA_R_DS_KEY_USAGE,		/* "ds_key_usage": keyUsage without digitalSignature */
	PA_R_COUNTRY_MISMATCH,		/* "country_mismatch": DS vs CSCA, or DG1 vs DS */
	PA_R_NO_COUNTRY,		/* "no_country": a certificate without countryName */
	PA_R_EXPIRED,			/* "expired" */
	PA_R_NOT_YET_VALID,		/* "not_yet_valid" */
	PA_R_REVOKED,			/* "revoked" */
	PA_R_NO_CRL,			/* "no_crl" */
	PA_R_CRL_STALE,			/* "crl_stale": past its nextUpdate */
	PA_R_CRL_NO_NEXT_UPDATE,	/* "crl_no_next_update": never current */
	PA_R_CRL_NOT_YET_VALID,		/* "crl_not_yet_valid": thisUpdate after the check time */
	PA_R_CRL_BAD_SIGNATURE,		/* "crl_bad_signature": no CSCA key of that name verifies it */
	PA_R_NO_ISSUER,			/* "no_issuer": no trusted CSCA (or no DS) to take a CRL for */
	PA_R_DG_MISMATCH,		/* "dg_mismatch" */
	PA_R_DG_NOT_IN_SOD,		/* "dg_not_in_sod" */
	PA_R_NO_DG_READ,		/* "no_dg_read" */
	PA_R_COM_ABSENT,		/* "com_absent" */
	PA_R_COM_MALFORMED,		/* "com_malformed" */
	PA_R_COM_MISMATCH,		/* "com_mismatch" */
	PA_R_DG1_ABSENT,		/* "dg1_absent" */
	PA_R_DG1_MALFORMED,		/* "dg1_malformed" */
	PA_R_NO_PRINTED_MRZ,		/* "no_printed_mrz" */
	PA_R_MRZ_MISMATCH,		/* "mrz_mismatch" */
	PA_R_STATE_UNKNOWN,		/* "state_unknown": not in the country table */
	PA_R_NOT_READ,			/* "not_read": the file was not read (or not given) */
	PA_R_MALFORMED,			/* "malformed": the file is not what it should be */
	PA_R_COUNT
};

struct pa_result {
	enum pa_check check;
	enum pa_status status;
	enum pa_reason code;
	char reason[320];
};

/* Per data group outcome of PA_DG_HASHES. */
enum pa_dg_status {
	PA_DG_MATCH = 1,	/* read and hash equal */
	PA_DG_MISMATCH,		/* read and hash differs: altered */
	PA_DG_NOT_READ,		/* in the SOD, not read (e.g. DG3 without EAC): no failure */
	PA_DG_NOT_IN_SOD,	/* read but the SOD has no hash for it: failure */
};
struct pa_dg_result {
	int dg;
	enum pa_dg_status status;
};

struct pa_input {
	const uint8_t *sod;		/* EF.SOD with tag 77 */
	size_t sod_len;
	const uint8_t *com;		/* EF.COM, or NULL if not read */
	size_t com_len;
	const uint8_t *dg[LDS_MAX_DG + 1];	/* dg[n]: DGn as read, NULL if not read */
	size_t dg_len[LDS_MAX_DG + 1];
	const char *printed_mrz;	/* printed MRZ text, lines concatenated
					 * (newlines ignored), or NULL */
	const uint8_t *card_security;	/* EF.CardSecurity as read, or NULL */
	size_t card_security_len;
	time_t check_time;
};

struct pa_report {
	struct pa_result r[PA_CHECK_COUNT];	/* indexed by enum pa_check */
	size_t n_dg;
	struct pa_dg_result dg[LDS_MAX_DG];
	char ds_subject[256];	/* DS certificate subject, "" if none */
	char csca_subject[256];	/* the CSCA the DS chained to, "" if none */
	char ds_sha256[65];	/* SHA-256 of the DS certificate (hex), "" if none */
	char csca_sha256[65];	/* SHA-256 of that CSCA certificate, "" if none */
};

/*
 * pa_verify — run every check. Fills *out completely (each check pass, fail
 * or not-checked with a reason) and returns EG_OK even when checks fail;
 * returns EG_ERR_INVAL only for NULL in/out or an absent SOD pointer with a
 * non-zero length. store may be NULL (then DS chain and revocation fail /
 * are not checked). Holds no state; the report holds no pointers.
 * The report contains personal data only in reasons naming DG numbers and
 * states; no MRZ text is copied into it.
 */
int pa_verify(const struct pa_input *in, struct csca_store *store, struct pa_report *out);

/*
 * pa_card_security — the card_security check alone: EF.CardSecurity as read
 * (exactly len bytes; NULL: not read) against store at time t, into *res
 * (status, code, reason). For PACE with Chip Authentication Mapping, which
 * must trust the file's Chip Authentication key before using it.
 */
void pa_card_security(const uint8_t *data, size_t len, struct csca_store *store, time_t t,
    struct pa_result *res);

/* pa_report_passed — true when no check failed and the checks that make a
 * document authentic (SOD signature, message digest, DS chain, DS validity,
 * DG hashes) passed. Revocation, EF.COM consistency, MRZ match and issuing
 * state must not fail but may be not-checked. */
bool pa_report_passed(const struct pa_report *r);

/* pa_reason_str — the stable name of a reason code ("country_mismatch"); static. */
const char *pa_reason_str(enum pa_reason r);
/* pa_result_str — the stable name of a check ("sod_signature"); static. */
const char *pa_result_str(enum pa_check c);
/* pa_status_str — "pass", "fail", "not-checked"; static. */
const char *pa_status_str(enum pa_status s);
const char *pa_dg_status_str(enum pa_dg_status s);

/* pa_report_json — write the report as one JSON object (checks array with
 * name/status/code/reason, data_groups array, ds_subject, csca_subject,
 * ds_sha256, csca_sha256, passed). */
void pa_report_json(const struct pa_report *r, struct eg_json *j);

/* pa_country_alpha2 — the ISO 3166-1 alpha-2 code X.509 certificates use for
 * an MRZ issuing state (alpha-3 with '<' fillers: "D<<" -> "DE",
 * "UTO" -> "UT"), or NULL if not in the table (country_alpha2, country.h). */
const char *pa_country_alpha2(const char *mrz_state3);

#endif
