/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pa — passive authentication on simulated passports: every check
 * passes on genuine ones (ECDSA DER and plain, brainpool, RSA PKCS#1 v1.5,
 * RSA-PSS, sid by SKI), and each misbehaviour fails exactly its check(s).
 * The generated EF.SOD, DS certificate and CRL are also verified by OpenSSL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/error.h"
#include "docauth/sod.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "world.h"

/* Shared across tests; made once in the parent (unchecked fixture). */
static struct world W;

static void
setup(void)
{
	world_make(&W);
}

static void
teardown(void)
{
	world_free(&W);
}

#define P PA_PASS
#define F PA_FAIL
#define N PA_NOT_CHECKED

/* Assert the ten statuses, printing every check on a mismatch. */
static void
expect(const struct pa_report *r, const enum pa_status want[PA_CHECK_COUNT])
{
	bool ok = true;

	for (int i = 0; i < PA_CHECK_COUNT; i++)
		if (r->r[i].status != want[i])
			ok = false;
	if (!ok)
		for (int i = 0; i < PA_CHECK_COUNT; i++)
			fprintf(stderr, "%s %-20s %-11s (want %s) %s\n",
			    r->r[i].status == want[i] ? "  " : "!!", pa_result_str(i),
			    pa_status_str(r->r[i].status), pa_status_str(want[i]), r->r[i].reason);
	ck_assert_msg(ok, "check statuses differ (see stderr)");
	for (int i = 0; i < PA_CHECK_COUNT; i++) {
		ck_assert_int_eq(r->r[i].check, i);
		ck_assert(r->r[i].reason[0] != '\0');
	}
}

static void alter_dg2(struct pa_input *in, struct passport *p);
static void misbehave(const struct pp_opts *o,
    void (*fix)(struct pa_input *, struct passport *),
    const enum pa_status want[PA_CHECK_COUNT], struct pa_report *out);

static const enum pa_status ALL_PASS[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, P, P, P };

/* Run PA on a passport made with o; in_fix may adjust the input. */
static void
run(const struct pp_opts *o, void (*in_fix)(struct pa_input *, struct passport *),
    struct pa_report *r)
{
	struct passport p;
	struct pa_input in;
	struct csca_store *s = world_store(&W);

	passport_make(&W, o, &p);
	in = passport_input(&p, W.now);
	if (in_fix != NULL)
		in_fix(&in, &p);
	ck_assert_eg(pa_verify(&in, s, r), EG_OK);
	passport_free(&p);
	csca_store_free(&s);
	ck_assert_ptr_null(s);
}

static void
genuine(struct tpki_cred *ds, enum tpki_sig sig, unsigned flags)
{
	struct pp_opts o = { .ds = ds, .sig = sig, .flags = flags };
	struct pa_report r;

	run(&o, NULL, &r);
	expect(&r, ALL_PASS);
	ck_assert(pa_report_passed(&r));
	ck_assert_uint_eq(r.n_dg, 3);
	for (size_t i = 0; i < r.n_dg; i++)
		ck_assert_int_eq(r.dg[i].status, PA_DG_MATCH);
	ck_assert_ptr_nonnull(strstr(r.ds_subject, "Document Signer"));
	ck_assert_ptr_nonnull(strstr(r.csca_subject, "CSCA Utopia"));
}

START_TEST(test_genuine_ecdsa) { genuine(&W.ds_ec, TPKI_SIG_ECDSA, 0); }
END_TEST
START_TEST(test_genuine_ecdsa_plain)
{
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA_PLAIN };
	struct pa_report r;

	genuine(&W.ds_ec, TPKI_SIG_ECDSA_PLAIN, 0);
	run(&o, NULL, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_SOD_SIGNATURE].reason, "(plain r||s)"));
	o.sig = TPKI_SIG_ECDSA;
	run(&o, NULL, &r);
	ck_assert_ptr_null(strstr(r.r[PA_SOD_SIGNATURE].reason, "plain"));
}
END_TEST
START_TEST(test_genuine_brainpool) { genuine(&W.ds_bp, TPKI_SIG_ECDSA, 0); }
END_TEST
START_TEST(test_genuine_rsa) { genuine(&W.ds_rsa, TPKI_SIG_RSA_PKCS1, 0); }
END_TEST
START_TEST(test_genuine_rsa_pss) { genuine(&W.ds_rsa, TPKI_SIG_RSA_PSS, 0); }
END_TEST
/* DG hashes with other algorithms than SHA-256 */
START_TEST(test_genuine_other_hashes)
{
	static const mbedtls_md_type_t mds[] = { MBEDTLS_MD_SHA1, MBEDTLS_MD_SHA224,
		MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA512 };

	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
		struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .dg_hash = mds[i] };
		struct passport p;
		struct sod s;
		struct pa_report r;

		passport_make(&W, &o, &p);
		ck_assert_eg(sod_parse(p.sod.data, p.sod.len, &s), EG_OK);
		ck_assert_int_eq(s.hash_md, mds[i]);
		ck_assert_uint_eq(s.dg[0].len, mbedtls_md_get_size(mbedtls_md_info_from_type(mds[i])));
		passport_free(&p);
		run(&o, NULL, &r);
		expect(&r, ALL_PASS);
		ck_assert_ptr_nonnull(strstr(r.r[PA_DG_HASHES].reason,
		    mbedtls_md_get_name(mbedtls_md_info_from_type(mds[i]))));
		run(&o, alter_dg2, &r);
		ck_assert_int_eq(r.r[PA_DG_HASHES].status, PA_FAIL);
	}
}
END_TEST

/* A v1 security object with ldsVersionInfo: its versions must equal EF.COM's
 * (tpki_com_build writes 0107 / 040000). */
START_TEST(test_lds_v1)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, F, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .lds_version = "0107" };
	struct passport p;
	struct sod s;
	struct pa_report r;

	passport_make(&W, &o, &p);
	ck_assert_eg(sod_parse(p.sod.data, p.sod.len, &s), EG_OK);
	ck_assert_int_eq(s.lds_so_version, 1);
	ck_assert_str_eq(s.lds_version, "0107");
	ck_assert_str_eq(s.unicode_version, "040000");
	passport_free(&p);
	run(&o, NULL, &r);
	expect(&r, ALL_PASS);
	o.lds_version = "0108";
	misbehave(&o, NULL, w, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_COM_SOD_CONSISTENCY].reason,
	    "LDS/Unicode version 0107/040000 in EF.COM, 0108/040000 in SOD"));
}
END_TEST

START_TEST(test_genuine_sid_ski) { genuine(&W.ds_ec, TPKI_SIG_ECDSA, TPKI_SID_SKI); }
END_TEST

static void
misbehave(const struct pp_opts *o, void (*fix)(struct pa_input *, struct passport *),
    const enum pa_status want[PA_CHECK_COUNT], struct pa_report *out)
{
	struct pa_report r;

	run(o, fix, &r);
	expect(&r, want);
	ck_assert(!pa_report_passed(&r));
	if (out != NULL)
		*out = r;
}

START_TEST(test_bad_signature)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, F, P, P, P, P, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .flags = TPKI_BAD_SIGNATURE };

	misbehave(&o, NULL, w, NULL);
	o.ds = &W.ds_rsa;
	o.sig = TPKI_SIG_RSA_PSS;
	misbehave(&o, NULL, w, NULL);
	o.sig = TPKI_SIG_RSA_PKCS1;
	misbehave(&o, NULL, w, NULL);
	o.ds = &W.ds_ec;
	o.sig = TPKI_SIG_ECDSA_PLAIN;
	misbehave(&o, NULL, w, NULL);
}
END_TEST

START_TEST(test_bad_message_digest)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, F, P, P, P, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .flags = TPKI_BAD_DIGEST };

	misbehave(&o, NULL, w, NULL);
}
END_TEST

static void
alter_dg2(struct pa_input *in, struct passport *p)
{
	(void)in;
	p->dg2.data[100] ^= 0x01;	/* after signing */
}

START_TEST(test_altered_dg2)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, P, P, F, P, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, alter_dg2, w, &r);
	ck_assert_uint_eq(r.n_dg, 3);
	ck_assert_int_eq(r.dg[0].dg, 1);
	ck_assert_int_eq(r.dg[0].status, PA_DG_MATCH);
	ck_assert_int_eq(r.dg[1].dg, 2);
	ck_assert_int_eq(r.dg[1].status, PA_DG_MISMATCH);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DG_HASHES].reason, "DG2 hash differs"));
}
END_TEST

static void
alter_dg1(struct pa_input *in, struct passport *p)
{
	(void)in;
	p->dg1.data[5 + 5] = 'X';	/* a name character, after signing */
}

START_TEST(test_altered_dg1)
{
	/* the chip's DG1 no longer hashes right nor matches the printed MRZ */
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, P, P, F, P, F, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, alter_dg1, w, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DG1_MRZ_MATCH].reason, "line 1, position 6"));
}
END_TEST

START_TEST(test_expired_ds)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, F, P, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_expired, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, NULL, w, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_VALIDITY].reason, "expired"));
}
END_TEST

static void
too_early(struct pa_input *in, struct passport *p)
{
	(void)p;
	in->check_time = 1700000000;	/* 2023: before the DS validity */
}

START_TEST(test_ds_not_yet_valid)
{
	/* in 2023 the CRL (2026..2027) was not issued yet: it does not count
	 * as current then (its thisUpdate is checked), revocation not checked */
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, F, N, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, too_early, w, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_VALIDITY].reason, "not yet valid"));
	ck_assert_int_eq(r.r[PA_DS_VALIDITY].code, PA_R_NOT_YET_VALID);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].code, PA_R_CRL_NOT_YET_VALID);
}
END_TEST

static void
year_2045(struct pa_input *in, struct passport *p)
{
	struct tm tm = { .tm_year = 145, .tm_mon = 0, .tm_mday = 1 };

	(void)p;
	in->check_time = timegm(&tm);
}

/* In 2045 the DS (to 2035) and the CSCA (to 2040) have both expired: the
 * chain still verifies (and says the CSCA is outside its validity), the DS
 * validity fails, and the 2026 CRL is out of date. */
START_TEST(test_far_future)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, F, N, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, year_2045, w, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_CHAIN].reason, "outside its validity"));
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_VALIDITY].reason, "expired (2035-01-01T00:00:00Z)"));
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_REVOCATION].reason, "nextUpdate"));
}
END_TEST

START_TEST(test_revoked_ds)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, P, F, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_revoked, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, NULL, w, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_REVOCATION].reason, "revoked"));
}
END_TEST

START_TEST(test_unknown_csca)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, F, P, N, P, P, P, P };
	struct pp_opts o = { .ds = &W.ds_rogue, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, NULL, w, &r);
	ck_assert_str_eq(r.csca_subject, "");
}
END_TEST

START_TEST(test_dg_missing_from_sod)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, P, P, F, F, P, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .sod_omit = 1u << 2 };
	struct pa_report r;

	misbehave(&o, NULL, w, &r);
	ck_assert_int_eq(r.dg[1].dg, 2);
	ck_assert_int_eq(r.dg[1].status, PA_DG_NOT_IN_SOD);
	ck_assert_ptr_nonnull(strstr(r.r[PA_COM_SOD_CONSISTENCY].reason,
	    "DG2 in EF.COM, not in SOD"));
}
END_TEST

/* A Utopian document signed by the German DS (chained to the German
 * CSCA): everything holds but the issuing state. No CRL of the German CSCA
 * is installed. */
START_TEST(test_wrong_issuing_state)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, P, N, P, P, P, F };
	struct pp_opts o = { .ds = &W.ds_de, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, NULL, w, &r);
	ck_assert_int_eq(r.r[PA_ISSUING_STATE].code, PA_R_COUNTRY_MISMATCH);
}
END_TEST

/* Germany: "D<<" in the MRZ, "DE" in the certificate. */
START_TEST(test_germany_d_rule)
{
	struct pp_opts o = { .ds = &W.ds_de, .sig = TPKI_SIG_ECDSA,
		.mrz = "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<"
		       "C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4" };
	struct passport p;
	struct pa_input in;
	struct pa_report r;
	struct csca_store *s = world_store(&W);

	passport_make(&W, &o, &p);
	in = passport_input(&p, W.now);
	in.printed_mrz = o.mrz;
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	{
		static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, P, P, N, P, P, P, P };

		expect(&r, w);	/* no CRL of csca-germany installed */
	}
	ck_assert_str_eq(pa_country_alpha2("D<<"), "DE");
	ck_assert_str_eq(pa_country_alpha2("UTO"), "UT");
	ck_assert_str_eq(pa_country_alpha2("GBD"), "GB");
	ck_assert_ptr_null(pa_country_alpha2("QQQ"));
	passport_free(&p);
	csca_store_free(&s);
}
END_TEST

static void
drop_dg2(struct pa_input *in, struct passport *p)
{
	(void)p;
	in->dg[2] = NULL;	/* e.g. the face was not read */
}

START_TEST(test_dg_not_read)
{
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	run(&o, drop_dg2, &r);
	expect(&r, ALL_PASS);
	ck_assert_int_eq(r.dg[1].dg, 2);
	ck_assert_int_eq(r.dg[1].status, PA_DG_NOT_READ);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DG_HASHES].reason, "not read: DG2"));
}
END_TEST

static void
other_mrz(struct pa_input *in, struct passport *p)
{
	(void)p;
	in->printed_mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
			  "L898902C36UTO7408122F1204159ZE184226B<<<<<18";
}

static void
newline_mrz(struct pa_input *in, struct passport *p)
{
	(void)p;
	in->printed_mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
			  "L898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
}

static void
no_mrz(struct pa_input *in, struct passport *p)
{
	(void)p;
	in->printed_mrz = NULL;
	in->com = NULL;
}

START_TEST(test_printed_mrz)
{
	static const enum pa_status differs[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, P, F, P };
	static const enum pa_status absent[PA_CHECK_COUNT] = { P, P, P, P, P, P, P, N, N, P };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct pa_report r;

	misbehave(&o, other_mrz, differs, &r);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DG1_MRZ_MATCH].reason, "line 2, position 44"));
	run(&o, newline_mrz, &r);
	expect(&r, ALL_PASS);
	run(&o, no_mrz, &r);
	expect(&r, absent);
	ck_assert(pa_report_passed(&r));	/* not-checked is not a failure */
}
END_TEST

START_TEST(test_no_ds_cert)
{
	static const enum pa_status w[PA_CHECK_COUNT] = { P, F, P, N, N, N, P, P, P, N };
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .flags = TPKI_NO_CERT };

	misbehave(&o, NULL, w, NULL);
}
END_TEST

START_TEST(test_crl_states)
{
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct passport p;
	struct pa_input in;
	struct pa_report r;
	struct csca_store *s;
	struct eg_wbuf stale, forged;
	const uint8_t *rev[1] = { W.ds_ec.cert.data };
	size_t rev_len[1] = { W.ds_ec.cert.len };

	passport_make(&W, &o, &p);
	in = passport_input(&p, W.now);
	/* no CRL at all: not checked */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(csca_store_add_cert(s, W.csca_ec.cert.data, W.csca_ec.cert.len), EG_OK);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_NOT_CHECKED);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_REVOCATION].reason, "no CRL"));
	/* a CRL that revokes ds_ec but is signed by the rogue CSCA (same
	 * name): ignored */
	eg_wbuf_init(&forged, 1 << 16, false);
	ck_assert_eg(tpki_crl_build(W.t, &W.rogue_csca, rev, rev_len, 1, "20260101000000",
	    "20270101000000", &forged), EG_OK);
	ck_assert_eg(csca_store_add_crl(s, forged.data, forged.len), EG_OK);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_NOT_CHECKED);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_REVOCATION].reason, "invalid signature"));
	/* an out-of-date CRL from the right CSCA: not checked */
	eg_wbuf_init(&stale, 1 << 16, false);
	ck_assert_eg(tpki_crl_build(W.t, &W.csca_ec, NULL, NULL, 0, "20250101000000",
	    "20250201000000", &stale), EG_OK);
	ck_assert_eg(csca_store_add_crl(s, stale.data, stale.len), EG_OK);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_NOT_CHECKED);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DS_REVOCATION].reason, "nextUpdate"));
	/* the current one: pass */
	ck_assert_eg(csca_store_add_crl(s, W.crl_ec.data, W.crl_ec.len), EG_OK);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_PASS);
	ck_assert_uint_eq(csca_store_crl_count(s), 3);
	/* no trust store at all */
	ck_assert_eg(pa_verify(&in, NULL, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_NOT_CHECKED);
	eg_wbuf_free(&stale);
	eg_wbuf_free(&forged);
	csca_store_free(&s);
	passport_free(&p);
}
END_TEST

/* Every truncation of a good EF.SOD, and garbage, fails sod_parse cleanly. */
START_TEST(test_truncated_and_garbage_sod)
{
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
	struct passport p;
	struct pa_input in;
	struct pa_report r;
	struct sod s;
	struct csca_store *st = world_store(&W);
	uint8_t junk[300];

	passport_make(&W, &o, &p);
	ck_assert_eg(sod_parse(p.sod.data, p.sod.len, &s), EG_OK);
	ck_assert_uint_eq(s.n_dg, 3);
	ck_assert_int_eq(s.hash_md, MBEDTLS_MD_SHA256);
	ck_assert_int_eq(s.dg[0].dg, 1);
	ck_assert_int_eq(s.dg[2].dg, 15);
	in = passport_input(&p, W.now);
	for (size_t n = 0; n < p.sod.len; n += (n < 64 ? 1 : 17)) {
		in.sod_len = n;
		ck_assert_int_ne(sod_parse(p.sod.data, n, &s), EG_OK);
		ck_assert_eg(pa_verify(&in, st, &r), EG_OK);
		ck_assert_int_eq(r.r[PA_SOD_PARSE].status, PA_FAIL);
		for (int i = PA_SOD_SIGNATURE; i < PA_CHECK_COUNT; i++)
			if (i != PA_DG1_MRZ_MATCH)
				ck_assert_int_eq(r.r[i].status, PA_NOT_CHECKED);
		ck_assert(!pa_report_passed(&r));
	}
	ck_assert_eg(sod_parse(p.sod.data, p.sod.len - 1, &s), EG_ERR_TRUNCATED);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 31 + 7);
	junk[0] = 0x77;
	junk[1] = 0x82;
	junk[2] = 0x01;
	junk[3] = 0x28;
	ck_assert_int_ne(sod_parse(junk, sizeof(junk), &s), EG_OK);
	ck_assert_eg(sod_parse(p.sod.data + 4, p.sod.len - 4, &s), EG_ERR_FORMAT);
	/* SOD not read at all */
	in.sod = NULL;
	in.sod_len = 0;
	ck_assert_eg(pa_verify(&in, st, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_SOD_PARSE].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_DG1_MRZ_MATCH].status, PA_PASS);
	ck_assert_eg(pa_verify(NULL, st, &r), EG_ERR_INVAL);
	/* a malformed DG1 fails its checks but does not stop the rest */
	in = passport_input(&p, W.now);
	in.dg_len[1] = 10;
	ck_assert_eg(pa_verify(&in, st, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DG1_MRZ_MATCH].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_ISSUING_STATE].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_DG_HASHES].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].status, PA_PASS);
	passport_free(&p);
	csca_store_free(&st);
}
END_TEST

START_TEST(test_json)
{
	struct pp_opts o = { .ds = &W.ds_rsa, .sig = TPKI_SIG_RSA_PSS, .flags = TPKI_BAD_SIGNATURE };
	struct pa_report r;
	struct eg_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	run(&o, NULL, &r);
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	eg_json_init(&j, f);
	pa_report_json(&r, &j);
	ck_assert_eg(eg_json_finish(&j), EG_OK);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"passed\":false"));
	ck_assert_ptr_nonnull(strstr(buf, "{\"name\":\"sod_signature\",\"status\":\"fail\","
	    "\"code\":\"signature_invalid\",\"reason\":\"RSASSA-PSS INVALID"));
	ck_assert_ptr_nonnull(strstr(buf, "{\"name\":\"ds_chain\",\"status\":\"pass\""));
	ck_assert_ptr_nonnull(strstr(buf, "{\"dg\":2,\"status\":\"match\"}"));
	for (int i = 0; i < PA_CHECK_COUNT; i++)
		ck_assert_ptr_nonnull(strstr(buf, pa_result_str(i)));
	ck_assert_str_eq(pa_result_str(PA_COM_SOD_CONSISTENCY), "com_sod_consistency");
	ck_assert_str_eq(pa_status_str(PA_NOT_CHECKED), "not-checked");
	free(buf);
}
END_TEST

/* ---- BSI TR-03105-5 reference data set: a real-world EF.SOD ----------- */

START_TEST(test_bsi_reference_sod)
{
	static uint8_t sod[2048], dg1[128], dg14[400], dg15[200];
	size_t ns = read_hex_vector("bsi_tr03105_ef_sod.hex", sod, sizeof(sod));
	size_t n1 = read_hex_vector("bsi_tr03105_dg1.hex", dg1, sizeof(dg1));
	size_t n14 = read_hex_vector("bsi_tr03105_dg14.hex", dg14, sizeof(dg14));
	size_t n15 = read_hex_vector("bsi_tr03105_dg15.hex", dg15, sizeof(dg15));
	static const int order[] = { 1, 2, 3, 14, 4 };
	struct tm tm = { .tm_year = 114, .tm_mon = 5, .tm_mday = 1 };	/* 2014-06-01 */
	static const enum pa_status w[PA_CHECK_COUNT] = { P, P, P, F, P, N, P, N, P, P };
	struct csca_store *st = world_store(&W);
	struct pa_input in;
	struct pa_report r;
	struct sod s;
	struct lds_secinfos si;
	struct lds_dg15 d15;

	ck_assert_uint_eq(ns, 1934);
	ck_assert_eg(sod_parse(sod, ns, &s), EG_OK);
	ck_assert_int_eq(s.cms.version, 3);
	ck_assert_int_eq(s.cms.si_version, 1);
	ck_assert(!s.cms.sid_is_ski);
	ck_assert_int_eq(s.lds_so_version, 0);
	ck_assert_int_eq(s.hash_md, MBEDTLS_MD_SHA256);
	ck_assert_uint_eq(s.n_dg, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(s.dg[i].dg, order[i]);
	ck_assert_mem_eq(s.dg[0].hash, "\x41\x70\xCA\x87\x9F\xCE\x6A\x22", 8);
	ck_assert_uint_eq(s.cms.attr_message_digest.len, 32);
	ck_assert_mem_eq(s.cms.attr_message_digest.p, "\xB4\x6A\x0D\x05\xE2\x80\xF3\x98", 8);

	memset(&in, 0, sizeof(in));
	in.sod = sod;
	in.sod_len = ns;
	in.dg[1] = dg1;
	in.dg_len[1] = n1;
	in.dg[14] = dg14;
	in.dg_len[14] = n14;
	in.printed_mrz = "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<"
			 "C11T002JM4D<<9608122F2310314<<<<<<<<<<<<<<<4";
	in.check_time = timegm(&tm);
	/* its CSCA (HJP PB CS) is not installed: everything else passes */
	ck_assert_eg(pa_verify(&in, st, &r), EG_OK);
	expect(&r, w);
	ck_assert_ptr_nonnull(strstr(r.r[PA_SOD_SIGNATURE].reason, "RSASSA-PSS valid"));
	ck_assert_ptr_nonnull(strstr(r.r[PA_ISSUING_STATE].reason, "D matches DS country DE"));
	ck_assert_ptr_nonnull(strstr(r.ds_subject, "HJP PB DS"));
	ck_assert_uint_eq(r.n_dg, 5);	/* DG1, 2, 3, 4, 14 */
	ck_assert_int_eq(r.dg[0].status, PA_DG_MATCH);
	ck_assert_int_eq(r.dg[1].status, PA_DG_NOT_READ);
	ck_assert_int_eq(r.dg[4].dg, 14);
	ck_assert_int_eq(r.dg[4].status, PA_DG_MATCH);
	/* DG15 was not signed into this SOD: reading it is a failure */
	in.dg[15] = dg15;
	in.dg_len[15] = n15;
	ck_assert_eg(pa_verify(&in, st, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DG_HASHES].status, PA_FAIL);
	ck_assert_ptr_nonnull(strstr(r.r[PA_DG_HASHES].reason, "DG15 not in SOD"));
	/* after the DS expired */
	in.dg[15] = NULL;
	tm.tm_year = 115;
	in.check_time = timegm(&tm);
	ck_assert_eg(pa_verify(&in, st, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_VALIDITY].status, PA_FAIL);

	/* its DG14: CA public key (explicit EC parameters), CA info, TA info */
	ck_assert_eg(lds_dg14_parse(dg14, n14, &si), EG_OK);
	ck_assert_uint_eq(si.n, 3);
	ck_assert_int_eq(si.si[0].kind, LDS_SI_CA_PUBKEY);
	ck_assert_str_eq(si.si[0].oid, "0.4.0.127.0.7.2.2.1.2");
	ck_assert_int_eq(si.si[0].ka, LDS_KA_ECDH);
	ck_assert_uint_eq(si.si[0].spki_len, 0x113 + 4);
	ck_assert_int_eq(si.si[1].kind, LDS_SI_CA_INFO);
	ck_assert_str_eq(si.si[1].oid, "0.4.0.127.0.7.2.2.3.2.1");
	ck_assert_int_eq(si.si[1].cipher, LDS_CIPHER_3DES);
	ck_assert_int_eq(si.si[1].version, 1);
	ck_assert_int_eq(si.si[2].kind, LDS_SI_TA_INFO);
	ck_assert_int_eq(si.si[2].version, 1);
	/* its DG15: RSA-1024 Active Authentication key */
	ck_assert_eg(lds_dg15_parse(dg15, n15, &d15), EG_OK);
	ck_assert_int_eq(mbedtls_pk_get_type(&d15.pk), MBEDTLS_PK_RSA);
	ck_assert_uint_eq(mbedtls_pk_get_bitlen(&d15.pk), 1024);
	lds_dg15_free(&d15);
	csca_store_free(&st);
}
END_TEST

/* ---- OpenSSL as an independent verifier --------------------------------- */

static int
sh(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	return r;
}

static void
openssl_check(struct tpki_cred *ds, struct tpki_cred *csca, enum tpki_sig sig)
{
	char dir[256], cmd[2048];
	struct pp_opts o = { .ds = ds, .sig = sig };
	struct passport p;
	struct sod s;
	struct eg_wbuf pem;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-docauth");
	passport_make(&W, &o, &p);
	ck_assert_eg(sod_parse(p.sod.data, p.sod.len, &s), EG_OK);
	/* the CMS without the 77 wrapper: the wrapper's header is 2-4 bytes */
	size_t hdr = p.sod.data[1] < 0x80 ? 2 : 2 + (size_t)(p.sod.data[1] & 0x7F);
	snprintf(cmd, sizeof(cmd), "%s/sod.der", dir);
	write_file(cmd, p.sod.data + hdr, p.sod.len - hdr);
	eg_wbuf_init(&pem, 1 << 16, false);
	ck_assert_eg(tpki_cert_pem(csca, &pem), EG_OK);
	snprintf(cmd, sizeof(cmd), "%s/csca.pem", dir);
	write_file(cmd, pem.data, pem.len);
	eg_wbuf_reset(&pem);
	ck_assert_eg(tpki_cert_pem(ds, &pem), EG_OK);
	snprintf(cmd, sizeof(cmd), "%s/ds.pem", dir);
	write_file(cmd, pem.data, pem.len);
	snprintf(cmd, sizeof(cmd), "%s/crl.der", dir);
	write_file(cmd, W.crl_ec.data, W.crl_ec.len);

	snprintf(cmd, sizeof(cmd), "openssl cms -verify -inform DER -in %s/sod.der -CAfile "
	    "%s/csca.pem -purpose any -out %s/eContent.der 2>&1", dir, dir, dir);
	ck_assert_int_eq(sh(cmd), 0);
	/* the content OpenSSL extracted is the LDSSecurityObject we parsed */
	snprintf(cmd, sizeof(cmd), "%s/eContent.der", dir);
	{
		FILE *f = fopen(cmd, "rb");
		uint8_t buf[4096];
		size_t n;

		ck_assert_ptr_nonnull(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		ck_assert_uint_eq(n, s.cms.econtent.len);
		ck_assert_mem_eq(buf, s.cms.econtent.p, n);
	}
	snprintf(cmd, sizeof(cmd), "openssl cms -cmsout -print -inform DER -in %s/sod.der "
	    "-noout", dir);
	ck_assert_int_eq(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "openssl verify -CAfile %s/csca.pem -purpose any "
	    "%s/ds.pem >/dev/null", dir, dir);
	ck_assert_int_eq(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "openssl crl -inform DER -in %s/crl.der -CAfile "
	    "%s/csca.pem -noout 2>&1 | grep -q 'verify OK'", dir, dir);
	if (csca == &W.csca_ec)
		ck_assert_int_eq(sh(cmd), 0);
	/* a flipped signature byte must make OpenSSL refuse too */
	{
		struct passport bad;
		struct pp_opts ob = o;

		ob.flags = TPKI_BAD_SIGNATURE;
		passport_make(&W, &ob, &bad);
		snprintf(cmd, sizeof(cmd), "%s/bad.der", dir);
		write_file(cmd, bad.sod.data + hdr, bad.sod.len - hdr);
		snprintf(cmd, sizeof(cmd), "openssl cms -verify -inform DER -in %s/bad.der -CAfile "
		    "%s/csca.pem -purpose any -out /dev/null 2>/dev/null", dir, dir);
		ck_assert_int_ne(system(cmd), 0);
		passport_free(&bad);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(sh(cmd), 0);
	eg_wbuf_free(&pem);
	passport_free(&p);
}

START_TEST(test_openssl_ecdsa) { openssl_check(&W.ds_ec, &W.csca_ec, TPKI_SIG_ECDSA); }
END_TEST
START_TEST(test_openssl_brainpool) { openssl_check(&W.ds_bp, &W.csca_ec, TPKI_SIG_ECDSA); }
END_TEST
START_TEST(test_openssl_rsa) { openssl_check(&W.ds_rsa, &W.csca_rsa, TPKI_SIG_RSA_PKCS1); }
END_TEST
START_TEST(test_openssl_rsa_pss) { openssl_check(&W.ds_rsa, &W.csca_rsa, TPKI_SIG_RSA_PSS); }
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("docauth-pa");
	TCase *g = tcase_create("genuine");
	TCase *m = tcase_create("misbehaviour");
	TCase *o = tcase_create("openssl");

	tcase_add_unchecked_fixture(g, setup, teardown);
	tcase_add_test(g, test_genuine_ecdsa);
	tcase_add_test(g, test_genuine_ecdsa_plain);
	tcase_add_test(g, test_genuine_brainpool);
	tcase_add_test(g, test_genuine_rsa);
	tcase_add_test(g, test_genuine_rsa_pss);
	tcase_add_test(g, test_genuine_sid_ski);
	tcase_add_test(g, test_genuine_other_hashes);
	tcase_add_test(g, test_lds_v1);
	tcase_add_test(g, test_germany_d_rule);
	tcase_add_test(g, test_dg_not_read);
	tcase_add_test(g, test_json);
	tcase_add_test(g, test_bsi_reference_sod);
	suite_add_tcase(s, g);
	tcase_add_unchecked_fixture(m, setup, teardown);
	tcase_add_test(m, test_bad_signature);
	tcase_add_test(m, test_bad_message_digest);
	tcase_add_test(m, test_altered_dg2);
	tcase_add_test(m, test_altered_dg1);
	tcase_add_test(m, test_expired_ds);
	tcase_add_test(m, test_ds_not_yet_valid);
	tcase_add_test(m, test_revoked_ds);
	tcase_add_test(m, test_far_future);
	tcase_add_test(m, test_unknown_csca);
	tcase_add_test(m, test_dg_missing_from_sod);
	tcase_add_test(m, test_wrong_issuing_state);
	tcase_add_test(m, test_printed_mrz);
	tcase_add_test(m, test_no_ds_cert);
	tcase_add_test(m, test_crl_states);
	tcase_add_test(m, test_truncated_and_garbage_sod);
	suite_add_tcase(s, m);
	tcase_add_unchecked_fixture(o, setup, teardown);
	tcase_add_unchecked_fixture(o, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(o, test_openssl_ecdsa);
	tcase_add_test(o, test_openssl_brainpool);
	tcase_add_test(o, test_openssl_rsa);
	tcase_add_test(o, test_openssl_rsa_pss);
	suite_add_tcase(s, o);
	return s;
}

EG_CHECK_MAIN()
