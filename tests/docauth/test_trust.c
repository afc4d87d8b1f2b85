/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_trust — the trust decisions of issue 12, each proven with a crafted
 * document, and the real-world encodings the test PKI can now write:
 *
 *  1. a master list signed by a Document Signer (or by the CSCA itself) is
 *     refused (signer_role);
 *  3. after a CSCA key change, a CRL signed with the new key revokes a DS
 *     issued under the old one;
 *  4. a DS whose country differs from its CSCA's fails ds_chain;
 *  5. a CA certificate (or one without digitalSignature) used as DS fails;
 *  6. a CRL without nextUpdate or issued after the check time is not
 *     current; a CSCA without keyCertSign or with a bad self-signature is
 *     not taken; a CSCA marked CA:FALSE is not taken;
 *  (2, the AA verdict, is in tests/icao/test_aa.c.)
 *
 * and: DS and CSCA keys with explicit EC parameters (of a named curve, of a
 * curve mbedTLS does not know, invalid ones), EF.SOD in BER, a signer
 * identifier and issuer names with RDNs in another order, lower-case
 * countries, link certificates. OpenSSL checks the BER and custom-curve
 * encodings independently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "docauth/cardsec.h"
#include "docauth/cert.h"
#include "docauth/sod.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "world.h"

static struct world W;

#define NB "20250101000000"
#define NA "20350101000000"
#define CA_NB "20200101000000"
#define CA_NA "20400101000000"

#define P PA_PASS
#define F PA_FAIL
#define N PA_NOT_CHECKED

#define MUST(x) do { int r_ = (x); if (r_ != EG_OK) { \
	fprintf(stderr, "%s:%d: %s -> %s\n", __FILE__, __LINE__, #x, eg_err_name(r_)); \
	abort(); } } while (0)

/* Credentials beyond the shared world, made once. */
static struct tpki_cred ml_signer, ds_ca, ds_certsign, ds_explicit, ds_bp320, csca_explicit,
    ds_under_explicit, ds_bad_params, ds_reordered, ds_reordered_noaki, csca_gb, ds_gb,
    csca_old, csca_new, link_new, ds_old, ds_new_key, csca_no_kcs, csca_bad_self, csca_not_ca,
    ds_under_no_kcs, csca_bp320, ds_under_bp320;

static void
cert(enum tpki_role role, enum tpki_key_type key, const char *subject, struct tpki_cred *issuer,
    const char *issuer_name, const struct tpki_cred *key_of, unsigned flags, int serial,
    struct tpki_cred *out)
{
	struct tpki_cert_opts o = { .role = role, .key = key, .key_of = key_of, .subject = subject,
		.issuer = issuer, .issuer_name = issuer_name, .serial = serial, .flags = flags };

	o.not_before = role == TPKI_ROLE_CSCA ? CA_NB : NB;
	o.not_after = role == TPKI_ROLE_CSCA ? CA_NA : NA;
	tpki_cred_init(out);
	MUST(tpki_cert_make(W.t, &o, out));
}

static void
setup(void)
{
	world_make(&W);
	cert(TPKI_ROLE_ML_SIGNER, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=Master List Signer",
	    &W.csca_ec, NULL, NULL, 0, 30, &ml_signer);
	/* 5: a CA certificate as DS; a DS without digitalSignature */
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS CA",
	    &W.csca_ec, NULL, NULL, TPKI_CERT_CA, 31, &ds_ca);
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS certsign",
	    &W.csca_ec, NULL, NULL, TPKI_CERT_NO_BC, 32, &ds_certsign);
	/* explicit parameters: P-256 (named), brainpoolP320r1 (custom),
	 * a CSCA with explicit brainpoolP256r1, invalid parameters */
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS explicit",
	    &W.csca_ec, NULL, NULL, TPKI_CERT_EXPLICIT, 33, &ds_explicit);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_BP320, "C=UT,O=Utopia,OU=Document Signer,CN=DS bp320",
	    &W.csca_ec, NULL, NULL, 0, 34, &ds_bp320);
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_BP256, "C=UT,O=Utopia,CN=CSCA Utopia explicit", NULL,
	    NULL, NULL, TPKI_CERT_EXPLICIT, 35, &csca_explicit);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS under explicit",
	    &csca_explicit, NULL, NULL, 0, 36, &ds_under_explicit);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS bad params",
	    &W.csca_ec, NULL, NULL, TPKI_CERT_EXPLICIT_BAD, 37, &ds_bad_params);
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_BP320, "C=UT,O=Utopia,CN=CSCA Utopia bp320", NULL, NULL,
	    NULL, 0, 50, &csca_bp320);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_BP320, "C=UT,O=Utopia,OU=Document Signer,CN=DS under bp320",
	    &csca_bp320, NULL, NULL, 0, 51, &ds_under_bp320);
	/* the DS names its issuer with the RDNs reversed */
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS reordered",
	    &W.csca_ec, "CN=CSCA Utopia EC,O=Utopia,C=UT", NULL, 0, 38, &ds_reordered);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS reordered 2",
	    &W.csca_ec, "CN=CSCA Utopia EC,O=Utopia,C=UT", NULL, TPKI_CERT_NO_AKI, 39,
	    &ds_reordered_noaki);
	/* lower-case country in the CSCA (as the 2010 British one) */
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=gb,O=UKKPA,CN=Country Signing Authority", NULL,
	    NULL, NULL, 0, 40, &csca_gb);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=GB,O=HM Passport Office,CN=Document Signing Key",
	    &csca_gb, NULL, NULL, 0, 41, &ds_gb);
	/* a CSCA key change: old and new self-signed (same name), the link
	 * certificate (new key, signed by the old), a DS of the old key */
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA Rollover", NULL, NULL, NULL,
	    0, 42, &csca_old);
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA Rollover", NULL, NULL, NULL,
	    0, 43, &csca_new);
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA Rollover", &csca_old, NULL,
	    &csca_new, 0, 44, &link_new);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS old key",
	    &csca_old, NULL, NULL, 0, 45, &ds_old);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS new key",
	    &csca_new, NULL, NULL, 0, 49, &ds_new_key);
	/* 6: CSCAs that must not be taken */
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA no keyCertSign", NULL, NULL,
	    NULL, TPKI_CERT_KU_DS_ONLY, 46, &csca_no_kcs);
	cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA bad self-signature", NULL,
	    NULL, NULL, TPKI_CERT_BAD_SIGNATURE, 47, &csca_bad_self);
	cert(TPKI_ROLE_ML_SIGNER, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA not CA", NULL, NULL,
	    NULL, 0, 48, &csca_not_ca);
	cert(TPKI_ROLE_DS, TPKI_KEY_EC_P256, "C=UT,O=Utopia,OU=Document Signer,CN=DS under no-kcs",
	    &csca_no_kcs, NULL, NULL, 0, 52, &ds_under_no_kcs);
}

static void
teardown(void)
{
	struct tpki_cred *all[] = { &ml_signer, &ds_ca, &ds_certsign, &ds_explicit, &ds_bp320,
		&csca_explicit, &ds_under_explicit, &ds_bad_params, &ds_reordered,
		&ds_reordered_noaki, &csca_gb, &ds_gb, &csca_old, &csca_new, &link_new, &ds_old,
		&ds_new_key, &csca_no_kcs, &csca_bad_self, &csca_not_ca, &ds_under_no_kcs,
		&csca_bp320, &ds_under_bp320 };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		tpki_cred_free(all[i]);
	world_free(&W);
}

static void
expect(const struct pa_report *r, const enum pa_status want[PA_CHECK_COUNT])
{
	bool ok = true;

	for (int i = 0; i < PA_CHECK_COUNT; i++)
		if (r->r[i].status != want[i])
			ok = false;
	if (!ok)
		for (int i = 0; i < PA_CHECK_COUNT; i++)
			fprintf(stderr, "%s %-20s %-11s (want %s) %s: %s\n",
			    r->r[i].status == want[i] ? "  " : "!!", pa_result_str(i),
			    pa_status_str(r->r[i].status), pa_status_str(want[i]),
			    pa_reason_str(r->r[i].code), r->r[i].reason);
	ck_assert_msg(ok, "check statuses differ (see stderr)");
}

static void
add(struct csca_store *s, const struct tpki_cred *c)
{
	ck_assert_eg(csca_store_add_cert(s, c->cert.data, c->cert.len), EG_OK);
}

static void
add_crl(struct csca_store *s, struct tpki_cred *ca, const struct tpki_cred *revoked,
    const char *this_update, const char *next_update)
{
	struct eg_wbuf crl;
	const uint8_t *rev[1];
	size_t rl[1];

	eg_wbuf_init(&crl, 1 << 16, false);
	if (revoked != NULL) {
		rev[0] = revoked->cert.data;
		rl[0] = revoked->cert.len;
	}
	ck_assert_eg(tpki_crl_build(W.t, ca, rev, rl, revoked != NULL ? 1 : 0, this_update,
	    next_update, &crl), EG_OK);
	ck_assert_eg(csca_store_add_crl(s, crl.data, crl.len), EG_OK);
	eg_wbuf_free(&crl);
}

/* PA of a passport signed by ds (flags TPKI_*) against s. */
static void
run(struct tpki_cred *ds, unsigned flags, struct csca_store *s, struct pa_report *r)
{
	struct pp_opts o = { .ds = ds, .sig = TPKI_SIG_ECDSA, .flags = flags };
	struct passport p;
	struct pa_input in;

	passport_make(&W, &o, &p);
	in = passport_input(&p, W.now);
	ck_assert_eg(pa_verify(&in, s, r), EG_OK);
	passport_free(&p);
}

/* ---- 1. master list signer role ------------------------------------------ */

static int
ml_by(struct tpki_cred *signer, struct csca_store *s, struct csca_report *rep)
{
	const uint8_t *certs[1] = { csca_gb.cert.data };
	size_t lens[1] = { csca_gb.cert.len };
	struct eg_wbuf ml;
	int r;

	eg_wbuf_init(&ml, 1 << 20, false);
	ck_assert_eg(tpki_masterlist_build(W.t, signer, certs, lens, 1, 0, &ml), EG_OK);
	csca_report_init(rep);
	r = csca_store_add_masterlist_report(s, ml.data, ml.len, W.now, rep);
	eg_wbuf_free(&ml);
	return r;
}

START_TEST(test_ml_signer_role)
{
	struct csca_store *s;
	struct csca_report rep;
	char why[300];

	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &W.csca_ec);
	/* a Document Signer chaining to the anchor: refused, adds nothing */
	ck_assert_eg(ml_by(&W.ds_ec, s, &rep), EG_ERR_CERT);
	ck_assert_int_eq(rep.ml_status, CSCA_ML_SIGNER_ROLE);
	ck_assert_uint_eq(rep.added, 0);
	ck_assert_msg(strstr(rep.detail, "2.23.136.1.1.3") != NULL, "%s", rep.detail);
	ck_assert_str_eq(csca_ml_status_str(rep.ml_status), "signer_role");
	/* the CSCA itself (a CA, no master list EKU) */
	ck_assert_eg(ml_by(&W.csca_ec, s, &rep), EG_ERR_CERT);
	ck_assert_int_eq(rep.ml_status, CSCA_ML_SIGNER_ROLE);
	ck_assert_uint_eq(csca_store_count(s), 1);
	/* the real master list signer */
	ck_assert_eg(ml_by(&ml_signer, s, &rep), EG_OK);
	ck_assert_int_eq(rep.ml_status, CSCA_ML_ACCEPTED);
	ck_assert_uint_eq(rep.added, 1);
	ck_assert_uint_eq(csca_store_count(s), 2);
	/* the legacy call says the same in words */
	{
		struct csca_store *s2;
		struct eg_wbuf ml;
		const uint8_t *certs[1] = { csca_gb.cert.data };
		size_t lens[1] = { csca_gb.cert.len }, n = 9;

		ck_assert_eg(csca_store_new(&s2), EG_OK);
		add(s2, &W.csca_ec);
		eg_wbuf_init(&ml, 1 << 20, false);
		ck_assert_eg(tpki_masterlist_build(W.t, &W.ds_ec, certs, lens, 1, 0, &ml), EG_OK);
		ck_assert_eg(csca_store_add_masterlist(s2, ml.data, ml.len, W.now, &n, why,
		    sizeof(why)), EG_ERR_CERT);
		ck_assert_uint_eq(n, 0);
		ck_assert_msg(strstr(why, "is not a master list signer") != NULL, "%s", why);
		eg_wbuf_free(&ml);
		csca_store_free(&s2);
	}
	csca_store_free(&s);
}
END_TEST

/* ---- 3. CRL after a CSCA key change --------------------------------------- */

START_TEST(test_crl_after_key_change)
{
	static const enum pa_status revoked[PA_CHECK_COUNT] = { P, P, P, P, P, F, P, P, P, P };
	static const enum pa_status fine[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, P, P, P };
	struct csca_store *s;
	struct pa_report r;

	/* old and new CSCA installed; the CSCA's current CRL is signed with
	 * the new key and lists the DS of the old key */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &csca_old);
	add(s, &csca_new);
	add_crl(s, &csca_new, &ds_old, "20260101000000", "20270101000000");
	run(&ds_old, 0, s, &r);
	expect(&r, revoked);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].code, PA_R_REVOKED);
	csca_store_free(&s);
	/* only the old CSCA and the link certificate to the new key */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &csca_old);
	add(s, &link_new);
	add_crl(s, &csca_new, &ds_old, "20260101000000", "20270101000000");
	run(&ds_old, 0, s, &r);
	expect(&r, revoked);
	/* the DS of the new key chains through the link certificate */
	run(&ds_new_key, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_PASS);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_PASS);
	csca_store_free(&s);
	/* a current CRL of the new key that does not list it: pass */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &csca_old);
	add(s, &csca_new);
	add_crl(s, &csca_new, NULL, "20260101000000", "20270101000000");
	run(&ds_old, 0, s, &r);
	expect(&r, fine);
	/* another CSCA's CRL changes nothing */
	add_crl(s, &W.rogue_csca, &ds_old, "20260101000000", "20270101000000");
	run(&ds_old, 0, s, &r);
	expect(&r, fine);
	csca_store_free(&s);
	/* a CRL in the CSCA's name signed by a key that is not the CSCA's:
	 * ignored (not checked, with the reason) */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &csca_old);
	{
		struct tpki_cred rogue;

		cert(TPKI_ROLE_CSCA, TPKI_KEY_EC_P256, "C=UT,O=Utopia,CN=CSCA Rollover", NULL, NULL,
		    NULL, 0, 99, &rogue);
		add_crl(s, &rogue, &ds_old, "20260101000000", "20270101000000");
		tpki_cred_free(&rogue);
	}
	run(&ds_old, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_NOT_CHECKED);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].code, PA_R_CRL_BAD_SIGNATURE);
	csca_store_free(&s);
}
END_TEST

/* ---- 4. DS country ------------------------------------------------------- */

START_TEST(test_ds_country)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, F, P, N, P, P, P, F };
	struct csca_store *s = world_store(&W);
	struct pa_report r;

	run(&W.ds_foreign, 0, s, &r);
	expect(&r, w);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].code, PA_R_COUNTRY_MISMATCH);
	ck_assert_msg(strstr(r.r[PA_DS_CHAIN].reason, "DS country DE differs from the country UT")
	    != NULL, "%s", r.r[PA_DS_CHAIN].reason);
	ck_assert(!pa_report_passed(&r));
	csca_store_free(&s);
}
END_TEST

/* ---- 5. DS role ------------------------------------------------------------- */

START_TEST(test_ds_role)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, F, P, N, P, P, P, P };
	struct csca_store *s = world_store(&W);
	struct pa_report r;

	run(&ds_ca, 0, s, &r);
	expect(&r, w);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].code, PA_R_DS_IS_CA);
	ck_assert(!pa_report_passed(&r));
	run(&ds_certsign, 0, s, &r);
	expect(&r, w);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].code, PA_R_DS_KEY_USAGE);
	csca_store_free(&s);
}
END_TEST

/* ---- 6. CRL freshness, CSCA requirements -------------------------------- */

START_TEST(test_crl_freshness)
{
	struct csca_store *s;
	struct pa_report r;

	/* no nextUpdate: never current */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &W.csca_ec);
	add_crl(s, &W.csca_ec, NULL, "20260101000000", NULL);
	run(&W.ds_ec, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_NOT_CHECKED);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].code, PA_R_CRL_NO_NEXT_UPDATE);
	/* ... but it still revokes */
	add_crl(s, &W.csca_ec, &W.ds_revoked, "20260101000000", NULL);
	run(&W.ds_revoked, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_FAIL);
	csca_store_free(&s);
	/* issued after the check time (thisUpdate in the future) */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &W.csca_ec);
	add_crl(s, &W.csca_ec, NULL, "20260701000000", "20270101000000");
	run(&W.ds_ec, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_NOT_CHECKED);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].code, PA_R_CRL_NOT_YET_VALID);
	/* a current one beside it wins */
	add_crl(s, &W.csca_ec, NULL, "20260501000000", "20260901000000");
	run(&W.ds_ec, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_PASS);
	csca_store_free(&s);
}
END_TEST

START_TEST(test_csca_requirements)
{
	struct csca_store *s;
	struct csca_report rep;
	struct pa_report r;

	ck_assert_eg(csca_store_new(&s), EG_OK);
	csca_report_init(&rep);
	ck_assert_eg(csca_store_add_cert_report(s, csca_no_kcs.cert.data, csca_no_kcs.cert.len,
	    &rep), EG_ERR_CERT);
	ck_assert_uint_eq(rep.skipped[CSCA_SKIP_NO_KEY_CERT_SIGN], 1);
	ck_assert_eg(csca_store_add_cert_report(s, csca_bad_self.cert.data,
	    csca_bad_self.cert.len, &rep), EG_ERR_CERT);
	ck_assert_uint_eq(rep.skipped[CSCA_SKIP_BAD_SELF_SIGNATURE], 1);
	ck_assert_eg(csca_store_add_cert_report(s, csca_not_ca.cert.data, csca_not_ca.cert.len,
	    &rep), EG_ERR_CERT);
	ck_assert_uint_eq(rep.skipped[CSCA_SKIP_NOT_CA], 1);
	ck_assert_uint_eq(csca_store_count(s), 0);
	ck_assert_str_eq(csca_skip_str(CSCA_SKIP_NO_KEY_CERT_SIGN), "no_key_cert_sign");
	/* so a DS under the CSCA without keyCertSign does not chain */
	add(s, &W.csca_ec);
	run(&ds_under_no_kcs, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].code, PA_R_ISSUER_UNKNOWN);
	/* in a master list: the same entries skipped, the good ones added */
	{
		const uint8_t *certs[5] = { csca_no_kcs.cert.data, csca_bad_self.cert.data,
			csca_not_ca.cert.data, csca_gb.cert.data, (const uint8_t *)"\x30\x03\x02\x01\x00" };
		size_t lens[5] = { csca_no_kcs.cert.len, csca_bad_self.cert.len, csca_not_ca.cert.len,
			csca_gb.cert.len, 5 };
		struct eg_wbuf ml;
		char sum[300];

		eg_wbuf_init(&ml, 1 << 20, false);
		ck_assert_eg(tpki_masterlist_build(W.t, &ml_signer, certs, lens, 5, 0, &ml), EG_OK);
		csca_report_init(&rep);
		ck_assert_eg(csca_store_add_masterlist_report(s, ml.data, ml.len, W.now, &rep), EG_OK);
		csca_report_summary(&rep, sum, sizeof(sum));
		ck_assert_uint_eq(rep.added, 1);
		ck_assert_uint_eq(rep.skipped[CSCA_SKIP_NO_KEY_CERT_SIGN], 1);
		ck_assert_uint_eq(rep.skipped[CSCA_SKIP_BAD_SELF_SIGNATURE], 1);
		ck_assert_uint_eq(rep.skipped[CSCA_SKIP_NOT_CA], 1);
		ck_assert_uint_eq(rep.skipped[CSCA_SKIP_UNPARSABLE], 1);
		ck_assert_msg(strstr(sum, "1 added; skipped: 1 unparsable, 1 not_ca, "
		    "1 no_key_cert_sign, 1 bad_self_signature") != NULL, "%s", sum);
		eg_wbuf_free(&ml);
	}
	ck_assert_uint_eq(csca_store_count(s), 2);
	csca_store_free(&s);
}
END_TEST

/* ---- explicit parameters ----------------------------------------------------- */

START_TEST(test_explicit_params)
{
	static const enum pa_status all[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, P, P, P };
	struct csca_store *s = world_store(&W);
	struct pa_report r;
	struct cert *c = NULL;

	/* a DS with explicit P-256 parameters (a = -3), as the British */
	run(&ds_explicit, 0, s, &r);
	expect(&r, all);
	ck_assert_ptr_nonnull(strstr(r.r[PA_SOD_SIGNATURE].reason, "explicit EC parameters: "
	    "secp256r1"));
	/* a DS on brainpoolP320r1, a curve mbedTLS does not have */
	ck_assert_eg(cert_parse(ds_bp320.cert.data, ds_bp320.cert.len, &c), EG_OK);
	ck_assert(c->key.explicit_params && c->key.custom_curve);
	ck_assert_str_eq(c->key.curve_name, "custom 320-bit");
	cert_free(&c);
	run(&ds_bp320, 0, s, &r);
	expect(&r, all);
	/* a CSCA with explicit brainpool parameters, and one on the custom
	 * curve (the chain, the CRL-less revocation) */
	add(s, &csca_explicit);
	add(s, &csca_bp320);
	run(&ds_under_explicit, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_PASS);
	run(&ds_under_bp320, 0, s, &r);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_PASS);
	ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].status, PA_PASS);
	/* parameters that are not a curve: the DS cannot be used */
	ck_assert_int_ne(cert_parse(ds_bad_params.cert.data, ds_bad_params.cert.len, &c), EG_OK);
	run(&ds_bad_params, 0, s, &r);
	ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].code, PA_R_DS_CERT_UNPARSABLE);
	ck_assert(!pa_report_passed(&r));
	csca_store_free(&s);
}
END_TEST

/* ---- BER, names, countries, links ---------------------------------------------- */

START_TEST(test_ber_sod)
{
	static const enum pa_status all[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .flags = TPKI_BER };
	struct csca_store *s = world_store(&W);
	struct passport p;
	struct pa_input in;
	struct pa_report r;
	struct sod so;

	passport_make(&W, &o, &p);
	ck_assert_eg(sod_parse(p.sod.data, p.sod.len, &so), EG_OK);
	ck_assert(so.cms.ber);
	ck_assert_ptr_nonnull(so.cms.econtent_owned);	/* constructed eContent */
	sod_free(&so);
	in = passport_input(&p, W.now);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	expect(&r, all);
	ck_assert_ptr_nonnull(strstr(r.r[PA_SOD_PARSE].reason, "BER"));
	/* a changed byte in the signed attributes of the BER encoding */
	{
		uint8_t *c = malloc(p.sod.len);
		uint8_t *m;

		memcpy(c, p.sod.data, p.sod.len);
		m = memmem(c, p.sod.len, "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04", 11);
		ck_assert_ptr_nonnull(m);
		m[16] ^= 0x01;	/* inside the messageDigest value */
		in.sod = c;
		ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
		ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].status, PA_FAIL);
		free(c);
	}
	passport_free(&p);
	csca_store_free(&s);
}
END_TEST

START_TEST(test_reordered_names)
{
	static const enum pa_status all[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, P, P, P };
	struct csca_store *s = world_store(&W);
	struct pa_report r;

	/* the DS names its CSCA with the RDNs reversed: found by key identifier */
	run(&ds_reordered, 0, s, &r);
	expect(&r, all);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_CHAIN].reason, "found by key identifier"));
	/* ... and without an authority key identifier: by the reordered name */
	run(&ds_reordered_noaki, 0, s, &r);
	expect(&r, all);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_CHAIN].reason, "found by reordered name"));
	/* the signer identifier in EF.SOD with the RDNs reversed */
	run(&W.ds_ec, TPKI_SID_REORDERED, s, &r);
	expect(&r, all);
	csca_store_free(&s);
}
END_TEST

START_TEST(test_lower_case_country)
{
	static const enum pa_status all[PA_CHECK_COUNT] = { P, P, P, P, P, N, P, P, P, P };
	const char *mrz = "P<GBRERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
			  "L898902C36GBR7408122F1204159ZE184226B<<<<<10";
	struct pp_opts o = { .ds = &ds_gb, .sig = TPKI_SIG_ECDSA, .mrz = mrz };
	struct csca_store *s;
	struct passport p;
	struct pa_input in;
	struct pa_report r;

	ck_assert_eg(csca_store_new(&s), EG_OK);
	add(s, &csca_gb);
	passport_make(&W, &o, &p);
	in = passport_input(&p, W.now);
	in.printed_mrz = mrz;
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	expect(&r, all);	/* DS "GB" under CSCA "gb", DG1 "GBR" */
	ck_assert_ptr_nonnull(strstr(r.r[PA_ISSUING_STATE].reason, "GBR matches DS country GB"));
	passport_free(&p);
	csca_store_free(&s);
}
END_TEST

/* ---- EF.CardSecurity ------------------------------------------------------- */

START_TEST(test_card_security)
{
	/* SecurityInfos: one PACEInfo (id-PACE-ECDH-GM-AES-CBC-CMAC-128, v2, brainpoolP256r1) */
	static const uint8_t si[] = { 0x31, 0x14, 0x30, 0x12, 0x06, 0x0a, 0x04, 0x00, 0x7f, 0x00,
		0x07, 0x02, 0x02, 0x04, 0x02, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01, 0x0d };
	struct csca_store *s = world_store(&W);
	struct eg_wbuf cs;
	struct pa_input in;
	struct pa_report r;
	struct {
		struct tpki_cred *signer;
		unsigned flags;
		enum pa_status st;
		enum pa_reason code;
	} cases[] = {
		{ &W.ds_ec, 0, PA_PASS, PA_R_OK },
		{ &W.ds_ec, TPKI_BER, PA_PASS, PA_R_OK },
		{ &W.ds_ec, TPKI_BAD_SIGNATURE, PA_FAIL, PA_R_SIGNATURE_INVALID },
		{ &W.ds_ec, TPKI_BAD_DIGEST, PA_FAIL, PA_R_DIGEST_MISMATCH },
		{ &W.ds_rogue, 0, PA_FAIL, PA_R_ISSUER_SIGNATURE },
		{ &ds_ca, 0, PA_FAIL, PA_R_DS_IS_CA },
		{ &W.ds_expired, 0, PA_FAIL, PA_R_EXPIRED },
	};

	memset(&in, 0, sizeof(in));
	in.check_time = W.now;
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_CARD_SECURITY].status, PA_NOT_CHECKED);
	ck_assert_int_eq(r.r[PA_CARD_SECURITY].code, PA_R_NOT_READ);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eg_wbuf_init(&cs, 1 << 16, false);
		ck_assert_eg(tpki_cardsecurity_build(W.t, cases[i].signer, si, sizeof(si),
		    cases[i].flags, &cs), EG_OK);
		in.card_security = cs.data;
		in.card_security_len = cs.len;
		ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
		ck_assert_msg(r.r[PA_CARD_SECURITY].status == cases[i].st &&
		    r.r[PA_CARD_SECURITY].code == cases[i].code, "case %zu: %s %s: %s", i,
		    pa_status_str(r.r[PA_CARD_SECURITY].status),
		    pa_reason_str(r.r[PA_CARD_SECURITY].code), r.r[PA_CARD_SECURITY].reason);
		/* EF.SOD was not given: its checks fail, this one stands alone */
		ck_assert_int_eq(r.r[PA_SOD_PARSE].status, PA_FAIL);
		{
			struct pa_result one;

			struct cardsec c;

			pa_card_security(cs.data, cs.len, s, W.now, &one);
			ck_assert_int_eq(one.status, cases[i].st);
			ck_assert_int_eq(one.code, cases[i].code);
			ck_assert_int_eq(one.check, PA_CARD_SECURITY);
			/* cardsec_verify (PACE-CAM) says the same */
			ck_assert_int_eq(cardsec_verify(cs.data, cs.len, s, W.now, &c, NULL, 0) == EG_OK,
			    cases[i].st == PA_PASS);
			ck_assert_uint_eq(c.si.n, 1);
			cardsec_free(&c);
		}
		eg_wbuf_free(&cs);
	}
	/* an EF.SOD is CMS too, but not over SecurityInfos */
	{
		struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
		struct passport p;

		passport_make(&W, &o, &p);
		in.card_security = p.sod.data + 4;
		in.card_security_len = p.sod.len - 4;
		ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
		ck_assert_int_eq(r.r[PA_CARD_SECURITY].code, PA_R_MALFORMED);
		passport_free(&p);
	}
	csca_store_free(&s);
}
END_TEST

/* ---- OpenSSL on what the test PKI now writes -------------------------------------- */

static int
sh(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	return r;
}

START_TEST(test_openssl)
{
	char dir[256], cmd[1024];
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .flags = TPKI_BER };
	struct passport p;
	struct eg_wbuf pem;
	size_t hdr;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-trust");
	/* the BER EF.SOD: OpenSSL verifies it and extracts the same content */
	passport_make(&W, &o, &p);
	hdr = p.sod.data[1] < 0x80 ? 2 : 2 + (size_t)(p.sod.data[1] & 0x7F);
	snprintf(cmd, sizeof(cmd), "%s/ber.der", dir);
	write_file(cmd, p.sod.data + hdr, p.sod.len - hdr);
	eg_wbuf_init(&pem, 1 << 16, false);
	ck_assert_eg(tpki_cert_pem(&W.csca_ec, &pem), EG_OK);
	snprintf(cmd, sizeof(cmd), "%s/csca.pem", dir);
	write_file(cmd, pem.data, pem.len);
	snprintf(cmd, sizeof(cmd), "openssl cms -verify -inform DER -in %s/ber.der -CAfile "
	    "%s/csca.pem -purpose any -out /dev/null 2>&1", dir, dir);
	ck_assert_int_eq(sh(cmd), 0);
	passport_free(&p);
	/* the custom-curve DS certificate: OpenSSL parses its explicit
	 * brainpoolP320r1 parameters (it refuses explicit parameters when
	 * building chains, so the signature is checked on EF.SOD below) */
	eg_wbuf_reset(&pem);
	ck_assert_eg(tpki_cert_pem(&ds_bp320, &pem), EG_OK);
	snprintf(cmd, sizeof(cmd), "%s/ds.pem", dir);
	write_file(cmd, pem.data, pem.len);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s/ds.pem -noout -text | grep -q "
	    "'Field Type: prime-field'", dir);
	ck_assert_int_eq(sh(cmd), 0);
	/* an EF.SOD signed on the custom curve: OpenSSL checks the signature */
	o.ds = &ds_bp320;
	o.flags = 0;
	passport_make(&W, &o, &p);
	snprintf(cmd, sizeof(cmd), "%s/bp320.der", dir);
	write_file(cmd, p.sod.data + hdr, p.sod.len - hdr);
	snprintf(cmd, sizeof(cmd), "openssl cms -verify -noverify -inform DER -in %s/bp320.der "
	    "-out /dev/null 2>&1", dir);
	ck_assert_int_eq(sh(cmd), 0);
	passport_free(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(sh(cmd), 0);
	eg_wbuf_free(&pem);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("docauth-trust");
	TCase *t = tcase_create("trust");

	tcase_add_unchecked_fixture(t, setup, teardown);
	tcase_add_unchecked_fixture(t, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_ml_signer_role);
	tcase_add_test(t, test_crl_after_key_change);
	tcase_add_test(t, test_ds_country);
	tcase_add_test(t, test_ds_role);
	tcase_add_test(t, test_crl_freshness);
	tcase_add_test(t, test_csca_requirements);
	tcase_add_test(t, test_explicit_params);
	tcase_add_test(t, test_ber_sod);
	tcase_add_test(t, test_reordered_names);
	tcase_add_test(t, test_lower_case_country);
	tcase_add_test(t, test_card_security);
	tcase_add_test(t, test_openssl);
	suite_add_tcase(s, t);
	return s;
}

EG_CHECK_MAIN()
