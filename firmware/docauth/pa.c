/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pa.c — passive authentication as separate named checks (see pa.h).
 *
 * Time: mbedTLS checks certificate dates against the system clock; the check
 * time here is a parameter, so the date flags of mbedtls_x509_crt_verify()
 * are masked and the DS dates compared with der_time_cmp() (ds_validity).
 * Revocation is likewise checked here (ds_revocation) rather than inside
 * mbedtls_x509_crt_verify(), against CRLs whose signature verifies with the
 * CSCA the DS chained to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "docauth/country.h"
#include "docauth/cms.h"
#include "docauth/crl.h"
#include "docauth/pa.h"
#include "docauth/sod.h"
#include "der.h"

static const char *const check_names[PA_CHECK_COUNT] = {
	[PA_SOD_PARSE] = "sod_parse",
	[PA_SOD_SIGNATURE] = "sod_signature",
	[PA_SOD_MESSAGE_DIGEST] = "sod_message_digest",
	[PA_DS_CHAIN] = "ds_chain",
	[PA_DS_VALIDITY] = "ds_validity",
	[PA_DS_REVOCATION] = "ds_revocation",
	[PA_DG_HASHES] = "dg_hashes",
	[PA_COM_SOD_CONSISTENCY] = "com_sod_consistency",
	[PA_DG1_MRZ_MATCH] = "dg1_mrz_match",
	[PA_ISSUING_STATE] = "issuing_state",
	[PA_CARD_SECURITY] = "card_security",
};

const char *
pa_result_str(enum pa_check c)
{
	return (unsigned)c < PA_CHECK_COUNT ? check_names[c] : "unknown";
}

const char *
pa_status_str(enum pa_status s)
{
	switch (s) {
	case PA_PASS: return "pass";
	case PA_FAIL: return "fail";
	case PA_NOT_CHECKED: return "not-checked";
	default: return "unknown";
	}
}

const char *
pa_dg_status_str(enum pa_dg_status s)
{
	switch (s) {
	case PA_DG_MATCH: return "match";
	case PA_DG_MISMATCH: return "mismatch";
	case PA_DG_NOT_READ: return "not-read";
	case PA_DG_NOT_IN_SOD: return "not-in-sod";
	default: return "unknown";
	}
}

const char *
pa_country_alpha2(const char *s)
{
	return country_alpha2(s);
}

static const char *const reason_names[PA_R_COUNT] = {
	[PA_R_OK] = "ok",
	[PA_R_NOT_REACHED] = "not_reached",
	[PA_R_SOD_ABSENT] = "sod_absent",
	[PA_R_SOD_MALFORMED] = "sod_malformed",
	[PA_R_SOD_UNUSABLE] = "sod_unusable",
	[PA_R_NO_DS_CERT] = "no_ds_certificate",
	[PA_R_DS_CERT_UNPARSABLE] = "ds_certificate_unparsable",
	[PA_R_SIGNATURE_INVALID] = "signature_invalid",
	[PA_R_SIGNATURE_UNSUPPORTED] = "signature_unsupported",
	[PA_R_DIGEST_MISMATCH] = "digest_mismatch",
	[PA_R_ATTRIBUTES_MISSING] = "signed_attributes_missing",
	[PA_R_NO_TRUST_STORE] = "no_trust_store",
	[PA_R_ISSUER_UNKNOWN] = "issuer_unknown",
	[PA_R_ISSUER_SIGNATURE] = "issuer_signature_invalid",
	[PA_R_DS_IS_CA] = "ds_is_ca",
	[PA_R_DS_KEY_USAGE] = "ds_key_usage",
	[PA_R_COUNTRY_MISMATCH] = "country_mismatch",
	[PA_R_NO_COUNTRY] = "no_country",
	[PA_R_EXPIRED] = "expired",
	[PA_R_NOT_YET_VALID] = "not_yet_valid",
	[PA_R_REVOKED] = "revoked",
	[PA_R_NO_CRL] = "no_crl",
	[PA_R_CRL_STALE] = "crl_stale",
	[PA_R_CRL_NO_NEXT_UPDATE] = "crl_no_next_update",
	[PA_R_CRL_NOT_YET_VALID] = "crl_not_yet_valid",
	[PA_R_CRL_BAD_SIGNATURE] = "crl_bad_signature",
	[PA_R_NO_ISSUER] = "no_issuer",
	[PA_R_DG_MISMATCH] = "dg_mismatch",
	[PA_R_DG_NOT_IN_SOD] = "dg_not_in_sod",
	[PA_R_NO_DG_READ] = "no_dg_read",
	[PA_R_COM_ABSENT] = "com_absent",
	[PA_R_COM_MALFORMED] = "com_malformed",
	[PA_R_COM_MISMATCH] = "com_mismatch",
	[PA_R_DG1_ABSENT] = "dg1_absent",
	[PA_R_DG1_MALFORMED] = "dg1_malformed",
	[PA_R_NO_PRINTED_MRZ] = "no_printed_mrz",
	[PA_R_MRZ_MISMATCH] = "mrz_mismatch",
	[PA_R_STATE_UNKNOWN] = "state_unknown",
	[PA_R_NOT_READ] = "not_read",
	[PA_R_MALFORMED] = "malformed",
};

const char *
pa_reason_str(enum pa_reason r)
{
	return (unsigned)r < PA_R_COUNT && reason_names[r] != NULL ? reason_names[r] : "unknown";
}

#define SET(id, st, rc, ...) do { \
	out->r[id].status = (st); \
	out->r[id].code = (rc); \
	snprintf(out->r[id].reason, sizeof(out->r[id].reason), __VA_ARGS__); \
} while (0)

#define SETR(res, st, rc, ...) do { \
	(res)->status = (st); \
	(res)->code = (rc); \
	snprintf((res)->reason, sizeof((res)->reason), __VA_ARGS__); \
} while (0)

/* The signer certificate's role (ICAO Doc 9303 Part 12, 7.1.1): a Document
 * Signer is not a CA, and its keyUsage (when present) has digitalSignature. */
static bool
check_ds_role(struct pa_result *res, const struct cert *ds, const char *what)
{
	if (ds->has_bc && ds->ca) {
		SETR(res, PA_FAIL, PA_R_DS_IS_CA, "the %s signer certificate is a CA certificate "
		    "(basicConstraints cA), not a Document Signer", what);
		return false;
	}
	if (ds->has_ku && (ds->ku & CERT_KU_DIGITAL_SIGNATURE) == 0) {
		SETR(res, PA_FAIL, PA_R_DS_KEY_USAGE, "the %s signer certificate's keyUsage does not "
		    "allow digitalSignature", what);
		return false;
	}
	return true;
}

/*
 * The chain of a Document Signer: its role, its issuer in the store (by key
 * identifier, name, reordered name), the same country as that CSCA. Sets
 * res either way; *issuer is NULL when the DS is not trusted. subj/sha
 * (256 and 65 bytes) receive the CSCA's subject and fingerprint.
 */
static void
chain_of(struct pa_result *res, const struct cert *ds, const char *what,
    struct csca_store *store, time_t t, struct cert **issuer, char *subj, char *sha)
{
	const char *how = NULL;
	char why[300], ds_c[4], ca_c[4];
	struct cert *is;
	long i;

	*issuer = NULL;
	if (!check_ds_role(res, ds, what))
		return;
	if (csca_store_count(store) == 0) {
		SETR(res, PA_FAIL, PA_R_NO_TRUST_STORE, "no CSCA certificates installed");
		return;
	}
	if ((i = csca_store_find_issuer(store, ds, false, &how, why, sizeof(why))) < 0) {
		if (strncmp(why, "the key of", 10) == 0)
			SETR(res, PA_FAIL, PA_R_ISSUER_SIGNATURE, "DS certificate not issued by a "
			    "trusted CSCA: %.260s", why);
		else
			SETR(res, PA_FAIL, PA_R_ISSUER_UNKNOWN, "DS certificate not issued by a trusted "
			    "CSCA: %.260s", why);
		return;
	}
	is = csca_store_cert(store, (size_t)i);
	cert_name_str(&is->subject, subj, 256);
	cert_fingerprint(is, sha);
	/* the DS belongs to the state of its CSCA (Part 12: same country) */
	if (!cert_name_country(&ds->subject, ds_c) || !cert_name_country(&is->subject, ca_c)) {
		SETR(res, PA_FAIL, PA_R_NO_COUNTRY, "%s certificate has no country",
		    ds_c[0] == '\0' ? "DS" : "CSCA");
		return;
	}
	if (!country_same(ds_c, ca_c)) {
		SETR(res, PA_FAIL, PA_R_COUNTRY_MISMATCH, "DS country %s differs from the country %s "
		    "of its CSCA %.160s", ds_c, ca_c, subj);
		return;
	}
	*issuer = is;
	if (!cert_valid_at(is, (int64_t)t))
		SETR(res, PA_PASS, PA_R_OK, "signed by CSCA %.160s (found by %s; CSCA certificate "
		    "itself outside its validity at the check time)", subj, how);
	else
		SETR(res, PA_PASS, PA_R_OK, "signed by CSCA %.200s (found by %s)", subj, how);
}

static void
check_chain(struct pa_report *out, const struct cert *ds, struct csca_store *store, time_t t,
    struct cert **issuer)
{
	chain_of(&out->r[PA_DS_CHAIN], ds, "EF.SOD", store, t, issuer, out->csca_subject,
	    out->csca_sha256);
}

/*
 * EF.CardSecurity (ICAO Doc 9303 Part 11, 9.2.3; BSI TR-03110): a CMS
 * SignedData over SecurityInfos (id-SecurityObject 0.4.0.127.0.7.3.2.1)
 * signed by a Document Signer. One check: structure, message digest,
 * signature, signer role, chain, validity; the first failure is the reason.
 */
static void
check_card_security(struct pa_report *out, const struct pa_input *in, struct csca_store *store)
{
	struct pa_result *res = &out->r[PA_CARD_SECURITY];
	struct cms_signed_data sd;
	struct lds_secinfos si;
	struct cert *signer = NULL, *issuer = NULL;
	char why[200], subj[256], sha[65];
	int ret, cert_err = EG_OK;

	memset(&sd, 0, sizeof(sd));
	if (in->card_security == NULL) {
		SETR(res, PA_NOT_CHECKED, PA_R_NOT_READ, "EF.CardSecurity not read");
		return;
	}
	if ((ret = cms_parse(in->card_security, in->card_security_len, &sd)) != EG_OK ||
	    sd.econtent_type.len != DER_OID_LEN(DER_OID_SECURITY_OBJECT) ||
	    memcmp(sd.econtent_type.p, DER_OID_SECURITY_OBJECT, sd.econtent_type.len) != 0 ||
	    (ret = lds_secinfos_parse(sd.econtent.p, sd.econtent.len, &si)) != EG_OK) {
		SETR(res, PA_FAIL, PA_R_MALFORMED, "EF.CardSecurity is not a signed SecurityInfos "
		    "object%s%s", ret != EG_OK ? ": " : "", ret != EG_OK ? eg_strerror(ret) : "");
		goto out;
	}
	if ((ret = cms_check_message_digest(&sd, why, sizeof(why))) != EG_OK) {
		SETR(res, PA_FAIL, ret == EG_ERR_AUTH ? PA_R_DIGEST_MISMATCH :
		    PA_R_ATTRIBUTES_MISSING, "EF.CardSecurity: %s", why);
		goto out;
	}
	if ((ret = cms_signer_cert(&sd, &signer, &cert_err)) != EG_OK) {
		SETR(res, PA_FAIL, ret == EG_ERR_NOT_FOUND ? PA_R_NO_DS_CERT :
		    PA_R_DS_CERT_UNPARSABLE, "EF.CardSecurity: %s", ret == EG_ERR_NOT_FOUND ?
		    "no signer certificate" : eg_strerror(cert_err));
		goto out;
	}
	if ((ret = cms_verify_signature(&sd, &signer->pk, why, sizeof(why))) != EG_OK) {
		SETR(res, PA_FAIL, ret == EG_ERR_AUTH ? PA_R_SIGNATURE_INVALID :
		    PA_R_SIGNATURE_UNSUPPORTED, "EF.CardSecurity signature: %s", why);
		goto out;
	}
	chain_of(res, signer, "EF.CardSecurity", store, in->check_time, &issuer, subj, sha);
	if (res->status != PA_PASS)
		goto out;
	if (signer->not_before > (int64_t)in->check_time ||
	    signer->not_after < (int64_t)in->check_time) {
		SETR(res, PA_FAIL, signer->not_after < (int64_t)in->check_time ? PA_R_EXPIRED :
		    PA_R_NOT_YET_VALID, "EF.CardSecurity signer certificate not valid at the check "
		    "time");
		goto out;
	}
	{
		char ds[160];

		cert_name_str(&signer->subject, ds, sizeof(ds));
		SETR(res, PA_PASS, PA_R_OK, "%zu SecurityInfos signed by DS %.90s under CSCA %.90s "
		    "(%.60s)", si.n, ds, subj, why);
	}
out:
	cert_free(&signer);
	cms_signed_data_free(&sd);
}

static void
check_validity(struct pa_report *out, const struct cert *ds, time_t t)
{
	char from[21], to[21];

	der_time_fmt(ds->not_before, from);
	der_time_fmt(ds->not_after, to);
	if (ds->not_before > (int64_t)t)
		SET(PA_DS_VALIDITY, PA_FAIL, PA_R_NOT_YET_VALID, "DS certificate not yet valid "
		    "(from %s)", from);
	else if (ds->not_after < (int64_t)t)
		SET(PA_DS_VALIDITY, PA_FAIL, PA_R_EXPIRED, "DS certificate expired (%s)", to);
	else
		SET(PA_DS_VALIDITY, PA_PASS, PA_R_OK, "valid %s to %s", from, to);
}

/* Is crl signed by a trusted CSCA key of its issuer (any key generation:
 * after a key change the CSCA signs its CRL with the new key, covering DS
 * certificates issued under the old one)? */
static bool
crl_trusted(const struct crl *crl, struct csca_store *store)
{
	for (size_t i = 0; i < csca_store_count(store); i++) {
		struct cert *c = csca_store_cert(store, i);
		bool by_id = crl->aki.len > 0 && c->ski.len == crl->aki.len &&
		    memcmp(c->ski.p, crl->aki.p, crl->aki.len) == 0;

		if (!by_id && !cert_name_eq(&c->subject, &crl->issuer) &&
		    !cert_name_eq_any_order(&c->subject, &crl->issuer))
			continue;
		if (c->has_ku && (c->ku & CERT_KU_CRL_SIGN) == 0)
			continue;	/* this key may not sign CRLs */
		if (crl_verify_signed_by(crl, c, NULL, 0) == EG_OK)
			return true;
	}
	return false;
}

static void
check_revocation(struct pa_report *out, const struct cert *ds, const struct cert *issuer,
    struct csca_store *store, time_t t)
{
	enum { NONE, BADSIG, FUTURE, NO_NEXT, STALE, FRESH } best = NONE;
	int64_t now = (int64_t)t;

	for (size_t i = 0; i < csca_store_crl_count(store); i++) {
		const struct crl *crl = csca_store_crl(store, i);
		const struct crl_entry *e;
		int st;

		/* the CRL of the DS's issuer: by name (the CSCA's name stays
		 * when its key changes) */
		if (!cert_name_eq(&crl->issuer, &ds->issuer) &&
		    !cert_name_eq(&crl->issuer, &issuer->subject) &&
		    !cert_name_eq_any_order(&crl->issuer, &ds->issuer))
			continue;
		if (!crl_trusted(crl, store)) {
			if (best < BADSIG)
				best = BADSIG;
			continue;
		}
		if ((e = crl_find(crl, ds->serial.p, ds->serial.len)) != NULL) {
			char when[21];

			der_time_fmt(e->date, when);
			SET(PA_DS_REVOCATION, PA_FAIL, PA_R_REVOKED, "DS certificate revoked by its "
			    "CSCA on %s", when);
			return;
		}
		if (!crl->has_next_update)
			st = NO_NEXT;
		else if (crl->this_update > now)
			st = FUTURE;
		else if (crl->next_update < now)
			st = STALE;
		else
			st = FRESH;
		if (st > (int)best)
			best = st;
	}
	switch (best) {
	case FRESH:
		SET(PA_DS_REVOCATION, PA_PASS, PA_R_OK, "not on the current CRL of the CSCA");
		break;
	case STALE:
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, PA_R_CRL_STALE, "the CSCA's CRL is past its "
		    "nextUpdate; not on it, but no current CRL");
		break;
	case NO_NEXT:
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, PA_R_CRL_NO_NEXT_UPDATE, "the CSCA's CRL has "
		    "no nextUpdate, so it is never current; not on it");
		break;
	case FUTURE:
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, PA_R_CRL_NOT_YET_VALID, "the CSCA's CRL was "
		    "issued after the check time (thisUpdate); not on it, but not current then");
		break;
	case BADSIG:
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, PA_R_CRL_BAD_SIGNATURE, "CRL for the CSCA has "
		    "an invalid signature (no trusted key of that CSCA verifies it) and was ignored");
		break;
	default:
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, PA_R_NO_CRL, "no CRL installed for the CSCA");
	}
}

/* append " DG<n><what>" to buf (truncating quietly) */
static size_t
append(char *buf, size_t cap, size_t pos, int dg, const char *what)
{
	int w;

	if (pos >= cap)
		return pos;
	w = snprintf(buf + pos, cap - pos, " DG%d%s", dg, what);
	return w < 0 ? pos : pos + (size_t)w;
}

static void
check_dg_hashes(struct pa_report *out, const struct pa_input *in, const struct sod *s)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(s->hash_md);
	char bad[160] = "", unread[96] = "";
	size_t pb = 0, pu = 0, n_read = 0;
	bool fail = false, mismatch = false;

	for (int dg = 1; dg <= LDS_MAX_DG; dg++) {
		const struct sod_dg_hash *h = sod_find_dg(s, dg);
		bool read = in->dg[dg] != NULL;
		enum pa_dg_status st;

		if (h == NULL && !read)
			continue;
		if (h != NULL && !read) {
			st = PA_DG_NOT_READ;
			pu = append(unread, sizeof(unread), pu, dg, "");
		} else if (h == NULL) {
			st = PA_DG_NOT_IN_SOD;
			fail = true;
			pb = append(bad, sizeof(bad), pb, dg, " not in SOD;");
			n_read++;
		} else {
			uint8_t d[MBEDTLS_MD_MAX_SIZE];

			n_read++;
			if (mbedtls_md(mi, in->dg[dg], in->dg_len[dg], d) == 0 &&
			    h->len == mbedtls_md_get_size(mi) && memcmp(d, h->hash, h->len) == 0) {
				st = PA_DG_MATCH;
			} else {
				st = PA_DG_MISMATCH;
				fail = mismatch = true;
				pb = append(bad, sizeof(bad), pb, dg, " hash differs;");
			}
		}
		out->dg[out->n_dg].dg = dg;
		out->dg[out->n_dg].status = st;
		out->n_dg++;
	}
	{
		size_t end = strlen(bad);	/* pb may be past a truncation */
		if (end > 0 && bad[end - 1] == ';')
			bad[end - 1] = '\0';	/* "DG1 hash differs; DG2 not in SOD" */
	}
	if (fail)
		SET(PA_DG_HASHES, PA_FAIL, mismatch ? PA_R_DG_MISMATCH : PA_R_DG_NOT_IN_SOD, "%s",
		    bad + 1);
	else if (n_read == 0)
		SET(PA_DG_HASHES, PA_NOT_CHECKED, PA_R_NO_DG_READ, "no data group read");
	else
		SET(PA_DG_HASHES, PA_PASS, PA_R_OK, "%zu data group(s) match (%s)%s%s", n_read,
		    mbedtls_md_get_name(mi), pu > 0 ? "; in SOD, not read:" : "", unread);
}

static void
check_com(struct pa_report *out, const struct pa_input *in, const struct sod *s)
{
	struct lds_com com;
	char diff[160] = "";
	size_t p = 0;
	int ret;

	if (in->com == NULL) {
		SET(PA_COM_SOD_CONSISTENCY, PA_NOT_CHECKED, PA_R_COM_ABSENT, "EF.COM not read");
		return;
	}
	if ((ret = lds_com_parse(in->com, in->com_len, &com)) != EG_OK) {
		SET(PA_COM_SOD_CONSISTENCY, PA_FAIL, PA_R_COM_MALFORMED, "EF.COM malformed: %s",
		    eg_strerror(ret));
		return;
	}
	for (int dg = 1; dg <= LDS_MAX_DG; dg++) {
		bool c = com.dg_mask & (1u << dg), h = s->dg_mask & (1u << dg);

		if (c && !h)
			p = append(diff, sizeof(diff), p, dg, " in EF.COM, not in SOD;");
		else if (h && !c)
			p = append(diff, sizeof(diff), p, dg, " in SOD, not in EF.COM;");
	}
	/* a v1 security object repeats EF.COM's versions (Part 10, 4.6.2) */
	if (s->lds_so_version == 1 && (strcmp(s->lds_version, com.lds_version) != 0 ||
	    strcmp(s->unicode_version, com.unicode_version) != 0)) {
		char v[96];
		snprintf(v, sizeof(v), " LDS/Unicode version %s/%s in EF.COM, %s/%s in SOD;",
		    com.lds_version, com.unicode_version, s->lds_version, s->unicode_version);
		if (p < sizeof(diff))
			p += (size_t)snprintf(diff + p, sizeof(diff) - p, "%s", v);
	}
	if (p > 0)
		SET(PA_COM_SOD_CONSISTENCY, PA_FAIL, PA_R_COM_MISMATCH, "%s", diff + 1);
	else
		SET(PA_COM_SOD_CONSISTENCY, PA_PASS, PA_R_OK, "EF.COM and EF.SOD list the same %zu "
		    "data groups",
		    s->n_dg);
}

static void
check_mrz(struct pa_report *out, const struct pa_input *in, const struct lds_dg1 *dg1, int dg1_err)
{
	char printed[96];
	size_t n = 0;

	if (in->dg[1] == NULL) {
		SET(PA_DG1_MRZ_MATCH, PA_NOT_CHECKED, PA_R_DG1_ABSENT, "DG1 not read");
		return;
	}
	if (dg1_err != EG_OK) {
		SET(PA_DG1_MRZ_MATCH, PA_FAIL, PA_R_DG1_MALFORMED, "DG1 malformed: %s",
		    eg_strerror(dg1_err));
		return;
	}
	if (in->printed_mrz == NULL) {
		SET(PA_DG1_MRZ_MATCH, PA_NOT_CHECKED, PA_R_NO_PRINTED_MRZ, "no printed MRZ given");
		return;
	}
	for (const char *c = in->printed_mrz; *c != '\0'; c++) {
		if (*c == '\n' || *c == '\r')
			continue;
		if (n == sizeof(printed)) {
			n++;
			break;
		}
		printed[n++] = *c;
	}
	if (n != dg1->len) {
		SET(PA_DG1_MRZ_MATCH, PA_FAIL, PA_R_MRZ_MISMATCH, "printed MRZ has %zu characters, "
		    "DG1 %zu", n, dg1->len);
	} else if (memcmp(printed, dg1->mrz, n) != 0) {
		size_t i = 0;
		while (printed[i] == dg1->mrz[i])
			i++;
		SET(PA_DG1_MRZ_MATCH, PA_FAIL, PA_R_MRZ_MISMATCH, "printed MRZ differs from DG1 at line %zu, "
		    "position %zu", i / dg1->line_len + 1, i % dg1->line_len + 1);
	} else {
		SET(PA_DG1_MRZ_MATCH, PA_PASS, PA_R_OK, "DG1 MRZ equals the printed MRZ (TD%d)",
		    (int)dg1->format);
	}
	eg_memzero(printed, sizeof(printed));
}

static void
check_state(struct pa_report *out, const struct cert *ds, const struct lds_dg1 *dg1)
{
	const char *a2 = country_alpha2(dg1->issuing_state);
	char c[4], st[4];
	size_t k;

	for (k = 0; k < 3 && dg1->issuing_state[k] != '<' && dg1->issuing_state[k] != '\0'; k++)
		st[k] = dg1->issuing_state[k];
	st[k] = '\0';
	if (!cert_name_country(&ds->subject, c))
		SET(PA_ISSUING_STATE, PA_FAIL, PA_R_NO_COUNTRY, "DS certificate subject has no "
		    "country");
	else if (country_same(dg1->issuing_state, c))
		SET(PA_ISSUING_STATE, PA_PASS, PA_R_OK, "DG1 issuing state %s matches DS country %s",
		    st, c);
	else if (a2 == NULL)
		SET(PA_ISSUING_STATE, PA_NOT_CHECKED, PA_R_STATE_UNKNOWN, "issuing state %s not in "
		    "the country table (DS country %s)", st, c);
	else
		SET(PA_ISSUING_STATE, PA_FAIL, PA_R_COUNTRY_MISMATCH, "DG1 issuing state %s (%s) "
		    "differs from DS country %s", st, a2, c);
}

void
pa_card_security(const uint8_t *data, size_t len, struct csca_store *store, time_t t,
    struct pa_result *res)
{
	struct pa_report *out;
	struct pa_input in;

	if (res == NULL)
		return;
	memset(res, 0, sizeof(*res));
	res->check = PA_CARD_SECURITY;
	if ((out = calloc(1, sizeof(*out))) == NULL) {
		SETR(res, PA_NOT_CHECKED, PA_R_NOT_REACHED, "%s", eg_strerror(EG_ERR_NOMEM));
		return;
	}
	memset(&in, 0, sizeof(in));
	in.card_security = data;
	in.card_security_len = data != NULL ? len : 0;
	in.check_time = t;
	check_card_security(out, &in, store);
	*res = out->r[PA_CARD_SECURITY];
	res->check = PA_CARD_SECURITY;
	free(out);
}

static void
not_checked(struct pa_report *out, enum pa_reason code, const char *why)
{
	static const enum pa_check ds_checks[] = { PA_DS_CHAIN, PA_DS_VALIDITY, PA_DS_REVOCATION,
		PA_ISSUING_STATE };

	for (size_t i = 0; i < sizeof(ds_checks) / sizeof(ds_checks[0]); i++)
		SET(ds_checks[i], PA_NOT_CHECKED, code, "%s", why);
}

int
pa_verify(const struct pa_input *in, struct csca_store *store, struct pa_report *out)
{
	struct sod s;
	struct lds_dg1 dg1;
	struct cert *ds = NULL, *issuer = NULL;
	char why[160];
	int ret, dg1_err = EG_ERR_NOT_FOUND, cert_err = EG_OK;

	if (in == NULL || out == NULL || (in->sod == NULL && in->sod_len != 0))
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < PA_CHECK_COUNT; i++) {
		out->r[i].check = (enum pa_check)i;
		out->r[i].status = PA_NOT_CHECKED;
		out->r[i].code = PA_R_NOT_REACHED;
		snprintf(out->r[i].reason, sizeof(out->r[i].reason), "not reached");
	}
	memset(&dg1, 0, sizeof(dg1));
	if (in->dg[1] != NULL)
		dg1_err = lds_dg1_parse(in->dg[1], in->dg_len[1], &dg1);
	check_mrz(out, in, &dg1, dg1_err);
	check_card_security(out, in, store);

	if (in->sod == NULL) {
		SET(PA_SOD_PARSE, PA_FAIL, PA_R_SOD_ABSENT, "EF.SOD not read");
		goto out;
	}
	if ((ret = sod_parse(in->sod, in->sod_len, &s)) != EG_OK) {
		SET(PA_SOD_PARSE, PA_FAIL, PA_R_SOD_MALFORMED, "EF.SOD malformed: %s",
		    eg_strerror(ret));
		goto out;
	}
	SET(PA_SOD_PARSE, PA_PASS, PA_R_OK, "LDSSecurityObject v%ld with %zu data group hashes%s%s",
	    s.lds_so_version, s.n_dg, s.cms.ber ? " (BER encoding)" : "",
	    s.legacy_content_type ? " (older eContentType OID)" : "");
	check_dg_hashes(out, in, &s);
	check_com(out, in, &s);

	ret = cms_check_message_digest(&s.cms, why, sizeof(why));
	SET(PA_SOD_MESSAGE_DIGEST, ret == EG_OK ? PA_PASS : PA_FAIL, ret == EG_OK ? PA_R_OK :
	    ret == EG_ERR_AUTH ? PA_R_DIGEST_MISMATCH : PA_R_ATTRIBUTES_MISSING, "%s", why);

	if ((ret = cms_signer_cert(&s.cms, &ds, &cert_err)) != EG_OK) {
		if (ret == EG_ERR_NOT_FOUND)
			SET(PA_SOD_SIGNATURE, PA_FAIL, PA_R_NO_DS_CERT, "EF.SOD carries no Document "
			    "Signer certificate matching the signer");
		else
			SET(PA_SOD_SIGNATURE, PA_FAIL, PA_R_DS_CERT_UNPARSABLE, "Document Signer "
			    "certificate in EF.SOD cannot be used: %s", eg_strerror(cert_err));
		not_checked(out, ret == EG_ERR_NOT_FOUND ? PA_R_NO_DS_CERT : PA_R_DS_CERT_UNPARSABLE,
		    "no DS certificate");
		goto out;
	}
	cert_name_str(&ds->subject, out->ds_subject, sizeof(out->ds_subject));
	cert_fingerprint(ds, out->ds_sha256);
	ret = cms_verify_signature(&s.cms, &ds->pk, why, sizeof(why));
	SET(PA_SOD_SIGNATURE, ret == EG_OK ? PA_PASS : PA_FAIL, ret == EG_OK ? PA_R_OK :
	    ret == EG_ERR_AUTH ? PA_R_SIGNATURE_INVALID : PA_R_SIGNATURE_UNSUPPORTED, "%s%s%s", why,
	    ds->key.explicit_params ? "; DS key with explicit EC parameters: " : "",
	    ds->key.explicit_params ? ds->key.curve_name : "");

	check_chain(out, ds, store, in->check_time, &issuer);
	check_validity(out, ds, in->check_time);
	if (issuer != NULL)
		check_revocation(out, ds, issuer, store, in->check_time);
	else
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, PA_R_NO_ISSUER, "no trusted CSCA to take a "
		    "CRL from");
	if (in->dg[1] == NULL)
		SET(PA_ISSUING_STATE, PA_NOT_CHECKED, PA_R_DG1_ABSENT, "DG1 not read");
	else if (dg1_err != EG_OK)
		SET(PA_ISSUING_STATE, PA_FAIL, PA_R_DG1_MALFORMED, "DG1 malformed: %s",
		    eg_strerror(dg1_err));
	else
		check_state(out, ds, &dg1);
out:
	if (out->r[PA_SOD_PARSE].status != PA_PASS) {
		for (int i = PA_SOD_SIGNATURE; i < PA_CHECK_COUNT; i++)
			if (i != PA_DG1_MRZ_MATCH && i != PA_CARD_SECURITY) {
				out->r[i].code = PA_R_SOD_UNUSABLE;
				snprintf(out->r[i].reason, sizeof(out->r[i].reason), "EF.SOD unusable");
			}
	}
	eg_memzero(&dg1, sizeof(dg1));
	cert_free(&ds);
	sod_free(&s);
	return EG_OK;
}

bool
pa_report_passed(const struct pa_report *r)
{
	static const enum pa_check required[] = {
		PA_SOD_PARSE, PA_SOD_SIGNATURE, PA_SOD_MESSAGE_DIGEST, PA_DS_CHAIN,
		PA_DS_VALIDITY, PA_DG_HASHES,
	};

	if (r == NULL)
		return false;
	for (int i = 0; i < PA_CHECK_COUNT; i++)
		if (r->r[i].status == PA_FAIL)
			return false;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (r->r[required[i]].status != PA_PASS)
			return false;
	return true;
}

void
pa_report_json(const struct pa_report *r, struct eg_json *j)
{
	eg_json_obj_begin(j);
	eg_json_key_bool(j, "passed", pa_report_passed(r));
	eg_json_key_str(j, "ds_subject", r->ds_subject);
	eg_json_key_str(j, "csca_subject", r->csca_subject);
	eg_json_key_str(j, "ds_sha256", r->ds_sha256);
	eg_json_key_str(j, "csca_sha256", r->csca_sha256);
	eg_json_key(j, "checks");
	eg_json_arr_begin(j);
	for (int i = 0; i < PA_CHECK_COUNT; i++) {
		eg_json_obj_begin(j);
		eg_json_key_str(j, "name", pa_result_str(r->r[i].check));
		eg_json_key_str(j, "status", pa_status_str(r->r[i].status));
		eg_json_key_str(j, "code", pa_reason_str(r->r[i].code));
		eg_json_key_str(j, "reason", r->r[i].reason);
		eg_json_obj_end(j);
	}
	eg_json_arr_end(j);
	eg_json_key(j, "data_groups");
	eg_json_arr_begin(j);
	for (size_t i = 0; i < r->n_dg; i++) {
		eg_json_obj_begin(j);
		eg_json_key_int(j, "dg", r->dg[i].dg);
		eg_json_key_str(j, "status", pa_dg_status_str(r->dg[i].status));
		eg_json_obj_end(j);
	}
	eg_json_arr_end(j);
	eg_json_obj_end(j);
}
