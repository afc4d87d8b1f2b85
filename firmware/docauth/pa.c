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
#include <string.h>

#include <mbedtls/oid.h>

#include "egate/error.h"
#include "egate/secure.h"
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

/* MRZ issuing state (ICAO Doc 9303 Part 3, 5: alpha-3, '<'-filled) to the
 * ISO 3166-1 alpha-2 code in X.509 countryName. ICAO exceptions: Germany is
 * "D<<" in the MRZ and "DE" in certificates; the British codes GBD/GBN/GBO/
 * GBP/GBS all map to GB; "UTO" (Utopia, the ICAO specimen state) maps to
 * "UT"; Kosovo "RKS" to "XK". */
static const struct {
	char a3[4];
	char a2[3];
} countries[] = {
	{ "D<<", "DE" }, { "UTO", "UT" }, { "AUT", "AT" }, { "BEL", "BE" },
	{ "BGR", "BG" }, { "HRV", "HR" }, { "CYP", "CY" }, { "CZE", "CZ" },
	{ "DNK", "DK" }, { "EST", "EE" }, { "FIN", "FI" }, { "FRA", "FR" },
	{ "GRC", "GR" }, { "HUN", "HU" }, { "IRL", "IE" }, { "ITA", "IT" },
	{ "LVA", "LV" }, { "LTU", "LT" }, { "LUX", "LU" }, { "MLT", "MT" },
	{ "NLD", "NL" }, { "POL", "PL" }, { "PRT", "PT" }, { "ROU", "RO" },
	{ "SVK", "SK" }, { "SVN", "SI" }, { "ESP", "ES" }, { "SWE", "SE" },
	{ "ISL", "IS" }, { "LIE", "LI" }, { "NOR", "NO" }, { "CHE", "CH" },
	{ "GBR", "GB" }, { "GBD", "GB" }, { "GBN", "GB" }, { "GBO", "GB" },
	{ "GBP", "GB" }, { "GBS", "GB" }, { "USA", "US" }, { "CAN", "CA" },
	{ "MEX", "MX" }, { "BRA", "BR" }, { "ARG", "AR" }, { "AUS", "AU" },
	{ "NZL", "NZ" }, { "JPN", "JP" }, { "KOR", "KR" }, { "CHN", "CN" },
	{ "HKG", "HK" }, { "MAC", "MO" }, { "TWN", "TW" }, { "SGP", "SG" },
	{ "MYS", "MY" }, { "THA", "TH" }, { "VNM", "VN" }, { "PHL", "PH" },
	{ "IDN", "ID" }, { "IND", "IN" }, { "PAK", "PK" }, { "RUS", "RU" },
	{ "UKR", "UA" }, { "TUR", "TR" }, { "ISR", "IL" }, { "ARE", "AE" },
	{ "SAU", "SA" }, { "QAT", "QA" }, { "EGY", "EG" }, { "ZAF", "ZA" },
	{ "NGA", "NG" }, { "MAR", "MA" }, { "SRB", "RS" }, { "ALB", "AL" },
	{ "MKD", "MK" }, { "MNE", "ME" }, { "BIH", "BA" }, { "MDA", "MD" },
	{ "GEO", "GE" }, { "ARM", "AM" }, { "AZE", "AZ" }, { "KAZ", "KZ" },
	{ "RKS", "XK" },
};

const char *
pa_country_alpha2(const char *s)
{
	if (s == NULL || strlen(s) < 3)
		return NULL;
	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		if (memcmp(countries[i].a3, s, 3) == 0)
			return countries[i].a2;
	return NULL;
}

#define SET(id, st, ...) do { \
	out->r[id].status = (st); \
	snprintf(out->r[id].reason, sizeof(out->r[id].reason), __VA_ARGS__); \
} while (0)

/* Remember the top of the verified chain (the trust anchor) and the DS's
 * direct issuer (depth 1: the CSCA key that signed it, which with link
 * certificates may differ from the anchor; its CRL is the one that counts). */
struct chain_top {
	mbedtls_x509_crt *top;
	int depth;
	mbedtls_x509_crt *issuer;
};

static int
vrfy_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct chain_top *c = ctx;

	(void)flags;
	if (depth >= c->depth) {
		c->depth = depth;
		c->top = crt;
	}
	if (depth == 1)
		c->issuer = crt;
	return 0;
}

static void
check_chain(struct pa_report *out, mbedtls_x509_crt *ds, struct csca_store *store,
    time_t t, mbedtls_x509_crt **issuer)
{
	mbedtls_x509_crt *cscas = csca_store_certs(store);
	struct chain_top top = { NULL, -1, NULL };
	const uint32_t time_flags = MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE;
	uint32_t flags = 0;
	char info[160];

	*issuer = NULL;
	if (cscas == NULL) {
		SET(PA_DS_CHAIN, PA_FAIL, "no CSCA certificates installed");
		return;
	}
	if (mbedtls_x509_crt_verify_with_profile(ds, cscas, NULL, &der_x509_profile, NULL, &flags,
	    vrfy_cb, &top) != 0 &&
	    (flags & ~time_flags) != 0) {
		if (mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags & ~time_flags) < 0)
			snprintf(info, sizeof(info), "flags 0x%x", (unsigned)flags);
		for (char *p = info; *p; p++)
			if (*p == '\n')
				*p = ' ';
		SET(PA_DS_CHAIN, PA_FAIL, "DS certificate not issued by a trusted CSCA:%s", info);
		return;
	}
	if (top.top == NULL || top.top == ds || top.issuer == NULL) {
		SET(PA_DS_CHAIN, PA_FAIL, "DS certificate did not chain to a CSCA");
		return;
	}
	*issuer = top.issuer;
	mbedtls_x509_dn_gets(out->csca_subject, sizeof(out->csca_subject), &top.top->subject);
	if (der_time_cmp(&top.top->valid_from, t) > 0 || der_time_cmp(&top.top->valid_to, t) < 0)
		SET(PA_DS_CHAIN, PA_PASS, "signed by CSCA %.200s (CSCA certificate itself outside "
		    "its validity at the check time)", out->csca_subject);
	else
		SET(PA_DS_CHAIN, PA_PASS, "signed by CSCA %.200s", out->csca_subject);
}

static void
check_validity(struct pa_report *out, const mbedtls_x509_crt *ds, time_t t)
{
	char from[21], to[21];

	der_time_str(&ds->valid_from, from);
	der_time_str(&ds->valid_to, to);
	if (der_time_cmp(&ds->valid_from, t) > 0)
		SET(PA_DS_VALIDITY, PA_FAIL, "DS certificate not yet valid (from %s)", from);
	else if (der_time_cmp(&ds->valid_to, t) < 0)
		SET(PA_DS_VALIDITY, PA_FAIL, "DS certificate expired (%s)", to);
	else
		SET(PA_DS_VALIDITY, PA_PASS, "valid %s to %s", from, to);
}

static bool
crl_signed_by(mbedtls_x509_crl *crl, mbedtls_x509_crt *ca)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(crl->sig_md);
	uint8_t h[MBEDTLS_MD_MAX_SIZE];

	if (mi == NULL || mbedtls_md(mi, crl->tbs.p, crl->tbs.len, h) != 0)
		return false;
	return mbedtls_pk_verify_ext(crl->sig_pk, crl->sig_opts, &ca->pk, crl->sig_md, h,
	    mbedtls_md_get_size(mi), crl->sig.p, crl->sig.len) == 0;
}

static void
check_revocation(struct pa_report *out, const mbedtls_x509_crt *ds, mbedtls_x509_crt *ca,
    struct csca_store *store, time_t t)
{
	bool fresh = false, stale = false, badsig = false;

	for (mbedtls_x509_crl *crl = csca_store_crls(store); crl != NULL; crl = crl->next) {
		if (crl->issuer_raw.len != ca->subject_raw.len ||
		    memcmp(crl->issuer_raw.p, ca->subject_raw.p, ca->subject_raw.len) != 0)
			continue;
		if (!crl_signed_by(crl, ca)) {
			badsig = true;
			continue;
		}
		for (const mbedtls_x509_crl_entry *e = &crl->entry; e != NULL; e = e->next) {
			if (e->serial.len == ds->serial.len && e->serial.len > 0 &&
			    memcmp(e->serial.p, ds->serial.p, e->serial.len) == 0) {
				char when[21];
				der_time_str(&e->revocation_date, when);
				SET(PA_DS_REVOCATION, PA_FAIL, "DS certificate revoked by its CSCA on %s", when);
				return;
			}
		}
		if (crl->next_update.year == 0 || der_time_cmp(&crl->next_update, t) >= 0)
			fresh = true;
		else
			stale = true;
	}
	if (fresh)
		SET(PA_DS_REVOCATION, PA_PASS, "not on the current CRL of the CSCA");
	else if (stale)
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, "the CSCA's CRL is past its nextUpdate; "
		    "not on it, but no current CRL");
	else if (badsig)
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, "CRL for the CSCA has an invalid signature "
		    "and was ignored");
	else
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, "no CRL installed for the CSCA");
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
	bool fail = false;

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
				fail = true;
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
		SET(PA_DG_HASHES, PA_FAIL, "%s", bad + 1);
	else if (n_read == 0)
		SET(PA_DG_HASHES, PA_NOT_CHECKED, "no data group read");
	else
		SET(PA_DG_HASHES, PA_PASS, "%zu data group(s) match (%s)%s%s", n_read,
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
		SET(PA_COM_SOD_CONSISTENCY, PA_NOT_CHECKED, "EF.COM not read");
		return;
	}
	if ((ret = lds_com_parse(in->com, in->com_len, &com)) != EG_OK) {
		SET(PA_COM_SOD_CONSISTENCY, PA_FAIL, "EF.COM malformed: %s", eg_strerror(ret));
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
		SET(PA_COM_SOD_CONSISTENCY, PA_FAIL, "%s", diff + 1);
	else
		SET(PA_COM_SOD_CONSISTENCY, PA_PASS, "EF.COM and EF.SOD list the same %zu data groups",
		    s->n_dg);
}

static void
check_mrz(struct pa_report *out, const struct pa_input *in, const struct lds_dg1 *dg1, int dg1_err)
{
	char printed[96];
	size_t n = 0;

	if (in->dg[1] == NULL) {
		SET(PA_DG1_MRZ_MATCH, PA_NOT_CHECKED, "DG1 not read");
		return;
	}
	if (dg1_err != EG_OK) {
		SET(PA_DG1_MRZ_MATCH, PA_FAIL, "DG1 malformed: %s", eg_strerror(dg1_err));
		return;
	}
	if (in->printed_mrz == NULL) {
		SET(PA_DG1_MRZ_MATCH, PA_NOT_CHECKED, "no printed MRZ given");
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
		SET(PA_DG1_MRZ_MATCH, PA_FAIL, "printed MRZ has %zu characters, DG1 %zu", n, dg1->len);
	} else if (memcmp(printed, dg1->mrz, n) != 0) {
		size_t i = 0;
		while (printed[i] == dg1->mrz[i])
			i++;
		SET(PA_DG1_MRZ_MATCH, PA_FAIL, "printed MRZ differs from DG1 at line %zu, "
		    "position %zu", i / dg1->line_len + 1, i % dg1->line_len + 1);
	} else {
		SET(PA_DG1_MRZ_MATCH, PA_PASS, "DG1 MRZ equals the printed MRZ (TD%d)", (int)dg1->format);
	}
	eg_memzero(printed, sizeof(printed));
}

static void
check_state(struct pa_report *out, const mbedtls_x509_crt *ds, const struct lds_dg1 *dg1)
{
	const mbedtls_x509_name *n;
	const char *a2 = pa_country_alpha2(dg1->issuing_state);
	char c[8] = "", st[4];
	size_t k = 0;

	for (n = &ds->subject; n != NULL; n = n->next)
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_COUNTRY, &n->oid) == 0 && n->val.len < sizeof(c)) {
			memcpy(c, n->val.p, n->val.len);
			c[n->val.len] = '\0';
			break;
		}
	for (k = 0; k < 3 && dg1->issuing_state[k] != '<'; k++)
		st[k] = dg1->issuing_state[k];
	st[k] = '\0';
	if (c[0] == '\0')
		SET(PA_ISSUING_STATE, PA_FAIL, "DS certificate subject has no country");
	else if ((a2 != NULL && strcmp(a2, c) == 0) || strcmp(st, c) == 0)
		SET(PA_ISSUING_STATE, PA_PASS, "DG1 issuing state %s matches DS country %s", st, c);
	else if (a2 == NULL)
		SET(PA_ISSUING_STATE, PA_NOT_CHECKED, "issuing state %s not in the country table "
		    "(DS country %s)", st, c);
	else
		SET(PA_ISSUING_STATE, PA_FAIL, "DG1 issuing state %s (%s) differs from DS country %s",
		    st, a2, c);
}

int
pa_verify(const struct pa_input *in, struct csca_store *store, struct pa_report *out)
{
	struct sod s;
	struct lds_dg1 dg1;
	mbedtls_x509_crt ds;
	mbedtls_x509_crt *issuer = NULL;
	char why[160];
	int ret, dg1_err = EG_ERR_NOT_FOUND;

	if (in == NULL || out == NULL || (in->sod == NULL && in->sod_len != 0))
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < PA_CHECK_COUNT; i++) {
		out->r[i].check = (enum pa_check)i;
		out->r[i].status = PA_NOT_CHECKED;
		snprintf(out->r[i].reason, sizeof(out->r[i].reason), "not reached");
	}
	mbedtls_x509_crt_init(&ds);
	memset(&dg1, 0, sizeof(dg1));
	if (in->dg[1] != NULL)
		dg1_err = lds_dg1_parse(in->dg[1], in->dg_len[1], &dg1);
	check_mrz(out, in, &dg1, dg1_err);

	if (in->sod == NULL) {
		SET(PA_SOD_PARSE, PA_FAIL, "EF.SOD not read");
		goto out;
	}
	if ((ret = sod_parse(in->sod, in->sod_len, &s)) != EG_OK) {
		SET(PA_SOD_PARSE, PA_FAIL, "EF.SOD malformed: %s", eg_strerror(ret));
		goto out;
	}
	SET(PA_SOD_PARSE, PA_PASS, "LDSSecurityObject v%ld with %zu data group hashes",
	    s.lds_so_version, s.n_dg);
	check_dg_hashes(out, in, &s);
	check_com(out, in, &s);

	ret = cms_check_message_digest(&s.cms, why, sizeof(why));
	SET(PA_SOD_MESSAGE_DIGEST, ret == EG_OK ? PA_PASS : PA_FAIL, "%s", why);

	if ((ret = cms_signer_cert(&s.cms, &ds)) != EG_OK) {
		SET(PA_SOD_SIGNATURE, PA_FAIL, "%s", ret == EG_ERR_NOT_FOUND ?
		    "EF.SOD carries no Document Signer certificate matching the signer" :
		    "Document Signer certificate in EF.SOD does not parse");
		SET(PA_DS_CHAIN, PA_NOT_CHECKED, "no DS certificate");
		SET(PA_DS_VALIDITY, PA_NOT_CHECKED, "no DS certificate");
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, "no DS certificate");
		SET(PA_ISSUING_STATE, PA_NOT_CHECKED, "no DS certificate");
		goto out;
	}
	mbedtls_x509_dn_gets(out->ds_subject, sizeof(out->ds_subject), &ds.subject);
	ret = cms_verify_signature(&s.cms, &ds.pk, why, sizeof(why));
	SET(PA_SOD_SIGNATURE, ret == EG_OK ? PA_PASS : PA_FAIL, "%s", why);

	check_chain(out, &ds, store, in->check_time, &issuer);
	check_validity(out, &ds, in->check_time);
	if (issuer != NULL)
		check_revocation(out, &ds, issuer, store, in->check_time);
	else
		SET(PA_DS_REVOCATION, PA_NOT_CHECKED, "no trusted CSCA to take a CRL from");
	if (in->dg[1] == NULL)
		SET(PA_ISSUING_STATE, PA_NOT_CHECKED, "DG1 not read");
	else if (dg1_err != EG_OK)
		SET(PA_ISSUING_STATE, PA_FAIL, "DG1 malformed: %s", eg_strerror(dg1_err));
	else
		check_state(out, &ds, &dg1);
out:
	if (out->r[PA_SOD_PARSE].status != PA_PASS) {
		for (int i = PA_SOD_SIGNATURE; i < PA_CHECK_COUNT; i++)
			if (i != PA_DG1_MRZ_MATCH)
				snprintf(out->r[i].reason, sizeof(out->r[i].reason), "EF.SOD unusable");
	}
	eg_memzero(&dg1, sizeof(dg1));
	mbedtls_x509_crt_free(&ds);
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
	eg_json_key(j, "checks");
	eg_json_arr_begin(j);
	for (int i = 0; i < PA_CHECK_COUNT; i++) {
		eg_json_obj_begin(j);
		eg_json_key_str(j, "name", pa_result_str(r->r[i].check));
		eg_json_key_str(j, "status", pa_status_str(r->r[i].status));
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
