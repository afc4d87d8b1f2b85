/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_real — real-world eMRTD data that nobody here wrote
 * (tests/vectors/docauth/gmrtd/, see its README.md): EF.SOD files of
 * passports of 15 states, the German and Dutch CSCA master lists, and the
 * expected results of the project they come from.
 *
 * Every EF.SOD must verify against the national master lists (signature,
 * message digest, DS chain to the CSCA gmrtd names, DS validity) although
 * they carry what broke the old code: Document Signer keys with explicit EC
 * parameters (AT, DE, FI brainpool; UK, RU NIST P-256), BER indefinite
 * lengths (NZ), a signer identifier whose issuer name lists its RDNs in
 * another order than the certificate (MY), lower-case country codes (the
 * 2011 British one), an older eContentType OID (CN). The master lists load
 * entry by entry with the skipped entries named and counted. OpenSSL checks
 * the same signatures independently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "docauth/cardsec.h"
#include "docauth/cert.h"
#include "docauth/country.h"
#include "docauth/csca.h"
#include "docauth/pa.h"
#include "docauth/sod.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "world.h"

#define GM VECTORS_DIR "/docauth/gmrtd"
#define ML_LOAD_TIME 1780315200		/* 2026-06-01: both lists' signers valid */

struct sample {
	char name[16], sod[64], csca[65], ds[65], dg1[130], dg2[130], lds[8], country[4];
	time_t t;
};

static struct sample S[32];
static size_t n_samples;
static struct csca_store *STORE;
static struct csca_report REP_DE, REP_NL;

/* (used by the fixture too: aborts rather than asserts) */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n <= 0 || (b = malloc((size_t)n + 1)) == NULL ||
	    fread(b, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return b;
}

static int
add_anchor(struct csca_store *s, const char *rel)
{
	char path[512];
	uint8_t *b;
	size_t n;
	int r;

	snprintf(path, sizeof(path), "%s/%s", GM, rel);
	b = slurp(path, &n);
	r = csca_store_add_cert(s, b, n);
	free(b);
	return r;
}

static int
add_ml(struct csca_store *s, const char *rel, struct csca_report *rep)
{
	char path[512];
	uint8_t *b;
	size_t n;
	int r;

	snprintf(path, sizeof(path), "%s/masterlist/%s", GM, rel);
	b = slurp(path, &n);
	csca_report_init(rep);
	r = csca_store_add_masterlist_report(s, b, n, ML_LOAD_TIME, rep);
	free(b);
	return r;
}

static void load_store(void);

static void
setup(void)
{
	char path[512], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/expected.tsv", GM);
	if ((f = fopen(path, "r")) == NULL)
		abort();
	while (fgets(line, sizeof(line), f) != NULL && n_samples < 32) {
		struct sample *x = &S[n_samples];
		char date[16];
		struct tm tm = { 0 };

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%15s %63s %15s %64s %64s %129s %129s %7s %3s", x->name, x->sod, date,
		    x->csca, x->ds, x->dg1, x->dg2, x->lds, x->country) != 9)
			abort();
		if (sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
			abort();
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		tm.tm_hour = 12;
		x->t = timegm(&tm);
		n_samples++;
	}
	fclose(f);
	if (csca_store_new(&STORE) != EG_OK)
		abort();
	load_store();
}

static void
teardown(void)
{
	csca_store_free(&STORE);
}

/* The trust store of gmrtd's DefaultMasterList: the German and Dutch
 * lists verified with their national CSCAs, and Indonesia's 2010-series
 * CSCAs (not in the PKD). Built once, in the fixture. */
static void
load_store(void)
{
	static const char *const anchors[] = { "masterlist/DE_ROOT_CA_CSCA07.cer",
		"masterlist/NL_ROOT_CA.cer", "masterlist/IDN_2010_SERIES_CSCA_CERT/2010-12_CSCA.cer",
		"masterlist/IDN_2010_SERIES_CSCA_CERT/2016-01_CSCA.cer",
		"masterlist/IDN_2010_SERIES_CSCA_CERT/2020-10_CSCA.cer" };

	for (size_t i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++)
		if (add_anchor(STORE, anchors[i]) != EG_OK)
			abort();
	if (add_ml(STORE, "DE_ML_2026-05-28-08-28-45.ml", &REP_DE) != EG_OK ||
	    add_ml(STORE, "NL_ML_2026-07-22.ml", &REP_NL) != EG_OK)
		abort();
}

/* The German list: one unparsable or odd certificate must not refuse the
 * whole list. Of its 588 entries, 7 are not CA certificates (cross-links
 * marked CA:FALSE, a CSCA without basicConstraints... see the README) and
 * 2 repeat others; 12 are link certificates whose old CSCA is not in the
 * list (gmrtd's test names the same 12 and keeps them). */
START_TEST(test_masterlists)
{
	char sum[400];

	csca_report_summary(&REP_DE, sum, sizeof(sum));
	fprintf(stderr, "DE master list: %s\nNL master list: ", sum);
	csca_report_summary(&REP_NL, sum, sizeof(sum));
	fprintf(stderr, "%s\n", sum);
	ck_assert_int_eq(REP_DE.ml_status, CSCA_ML_ACCEPTED);
	ck_assert_uint_eq(REP_DE.added + csca_report_skipped(&REP_DE) +
	    REP_DE.skipped[CSCA_SKIP_DUPLICATE], 588);
	ck_assert_uint_eq(REP_DE.added, 579);
	ck_assert_uint_eq(REP_DE.skipped[CSCA_SKIP_NOT_CA], 7);
	ck_assert_uint_eq(REP_DE.skipped[CSCA_SKIP_DUPLICATE], 2);
	ck_assert_uint_eq(REP_DE.skipped[CSCA_SKIP_UNPARSABLE], 0);
	ck_assert_uint_eq(REP_DE.links_unverified, 12);
	/* the Dutch list repeats most of them */
	ck_assert_int_eq(REP_NL.ml_status, CSCA_ML_ACCEPTED);
	ck_assert_uint_eq(REP_NL.added + REP_NL.skipped[CSCA_SKIP_DUPLICATE] +
	    csca_report_skipped(&REP_NL), 411);
	ck_assert_uint_eq(csca_store_count(STORE), 5 + REP_DE.added + REP_NL.added);
}
END_TEST

/* Both lists on their own, and refused without their anchor. */
START_TEST(test_masterlist_alone)
{
	struct csca_store *s;
	struct csca_report rep;

	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(add_ml(s, "NL_ML_2026-07-22.ml", &rep), EG_ERR_CERT);
	ck_assert_int_eq(rep.ml_status, CSCA_ML_NO_ANCHORS);
	ck_assert_eg(add_anchor(s, "masterlist/DE_ROOT_CA_CSCA07.cer"), EG_OK);
	ck_assert_eg(add_ml(s, "NL_ML_2026-07-22.ml", &rep), EG_ERR_CERT);
	ck_assert_int_eq(rep.ml_status, CSCA_ML_SIGNER_UNTRUSTED);
	ck_assert_uint_eq(csca_store_count(s), 1);
	ck_assert_eg(add_anchor(s, "masterlist/NL_ROOT_CA.cer"), EG_OK);
	ck_assert_eg(add_ml(s, "NL_ML_2026-07-22.ml", &rep), EG_OK);
	ck_assert_uint_eq(rep.added + rep.skipped[CSCA_SKIP_DUPLICATE] + csca_report_skipped(&rep),
	    411);
	ck_assert_uint_eq(csca_report_skipped(&rep), 0);
	csca_store_free(&s);
}
END_TEST

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The CSCA the DS chained to holds the key of the CSCA gmrtd names
 * (sometimes gmrtd names a link certificate and we the self-signed
 * certificate of the same key, or the other way round: both are right). */
static void
same_csca_key(const struct sample *x, const struct pa_report *r)
{
	char path[512], fp[65];
	struct cert *want = NULL, *got = NULL;
	uint8_t *b;
	size_t n;

	if (strcmp(r->csca_sha256, x->csca) == 0)
		return;
	snprintf(path, sizeof(path), "%s/csca/%.15s.der", GM, strcmp(x->name, "GB-2011") == 0 ?
	    "GB-2011-gb" : x->name);
	b = slurp(path, &n);
	ck_assert_eg(cert_parse(b, n, &want), EG_OK);
	free(b);
	cert_fingerprint(want, fp);
	ck_assert_str_eq(fp, x->csca);
	for (size_t i = 0; i < csca_store_count(STORE) && got == NULL; i++) {
		cert_fingerprint(csca_store_cert(STORE, i), fp);
		if (strcmp(fp, r->csca_sha256) == 0)
			got = csca_store_cert(STORE, i);
	}
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(got->spki.len == want->spki.len &&
	    memcmp(got->spki.p, want->spki.p, got->spki.len) == 0,
	    "%s: chained to %s, not to the key of the CSCA gmrtd names", x->name, r->csca_subject);
	cert_free(&want);
}

/* Each sample passes every check that needs only EF.SOD and the trust
 * store, chains to the CSCA gmrtd names, and has gmrtd's hashes. */
START_TEST(test_samples)
{
	size_t pass = 0;

	ck_assert_uint_ge(n_samples, 15);
	for (size_t i = 0; i < n_samples; i++) {
		const struct sample *x = &S[i];
		struct pa_input in;
		struct pa_report r;
		struct sod s;
		char path[512], h[130];
		uint8_t *b;
		size_t n;

		snprintf(path, sizeof(path), "%s/%s", GM, x->sod);
		b = slurp(path, &n);
		memset(&in, 0, sizeof(in));
		in.sod = b;
		in.sod_len = n;
		in.check_time = x->t;
		ck_assert_eg(pa_verify(&in, STORE, &r), EG_OK);
		for (int c = PA_SOD_PARSE; c <= PA_DS_VALIDITY; c++)
			ck_assert_msg(r.r[c].status == PA_PASS, "%s: %s %s: %s", x->name,
			    pa_result_str(c), pa_status_str(r.r[c].status), r.r[c].reason);
		/* nothing here can fail for want of data groups or CRLs */
		for (int c = 0; c < PA_CHECK_COUNT; c++)
			ck_assert_msg(r.r[c].status != PA_FAIL, "%s: %s failed: %s", x->name,
			    pa_result_str(c), r.r[c].reason);
		if (strcmp(x->csca, "-") != 0)
			same_csca_key(x, &r);
		if (strcmp(x->ds, "-") != 0)
			ck_assert_str_eq(r.ds_sha256, x->ds);
		ck_assert_eg(sod_parse(b, n, &s), EG_OK);
		if (strcmp(x->dg1, "-") != 0) {
			ck_assert_ptr_nonnull(sod_find_dg(&s, 1));
			hex(sod_find_dg(&s, 1)->hash, sod_find_dg(&s, 1)->len, h);
			ck_assert_str_eq(h, x->dg1);
			hex(sod_find_dg(&s, 2)->hash, sod_find_dg(&s, 2)->len, h);
			ck_assert_str_eq(h, x->dg2);
		}
		ck_assert_str_eq(s.lds_version[0] ? s.lds_version : "-", x->lds);
		{
			struct cert *ds = NULL;
			char c[4];

			ck_assert_eg(cms_signer_cert(&s.cms, &ds, NULL), EG_OK);
			ck_assert(cert_name_country(&ds->subject, c));
			ck_assert_str_eq(country_alpha2(c), x->country);
			cert_free(&ds);
		}
		sod_free(&s);
		free(b);
		pass++;
	}
	ck_assert_uint_eq(pass, n_samples);
}
END_TEST

START_TEST(test_features)
{
	static const struct {
		const char *name, *curve;
	} explicit_keys[] = {
		{ "AT", "brainpoolP256r1" }, { "DE", "brainpoolP384r1" }, { "FI", "brainpoolP512r1" },
		{ "UK", "secp256r1" }, { "RU", "secp256r1" },
	};
	char path[512];

	for (size_t i = 0; i < sizeof(explicit_keys) / sizeof(explicit_keys[0]); i++) {
		struct cert *ds = NULL;
		uint8_t *b;
		size_t n;
		struct sod s;

		snprintf(path, sizeof(path), "%s/sod/%s.sod", GM, explicit_keys[i].name);
		b = slurp(path, &n);
		ck_assert_eg(sod_parse(b, n, &s), EG_OK);
		ck_assert_eg(cms_signer_cert(&s.cms, &ds, NULL), EG_OK);
		ck_assert_msg(ds->key.explicit_params && !ds->key.custom_curve, "%s",
		    explicit_keys[i].name);
		ck_assert_str_eq(ds->key.curve_name, explicit_keys[i].curve);
		cert_free(&ds);
		sod_free(&s);
		free(b);
	}
	{
		/* NZ: BER indefinite lengths around the CMS */
		struct sod s;
		uint8_t *b;
		size_t n;

		snprintf(path, sizeof(path), "%s/sod/NZ.sod", GM);
		b = slurp(path, &n);
		ck_assert_eg(sod_parse(b, n, &s), EG_OK);
		ck_assert(s.cms.ber);
		ck_assert_uint_eq(b[4], 0x30);
		ck_assert_uint_eq(b[5], 0x80);	/* ContentInfo with an indefinite length */
		sod_free(&s);
		free(b);
	}
	{
		/* MY: the signer identifier names the issuer in another order */
		struct sod s;
		struct cert *ds = NULL;
		struct cert_name sid;
		uint8_t *b;
		size_t n;

		snprintf(path, sizeof(path), "%s/sod/MY.sod", GM);
		b = slurp(path, &n);
		ck_assert_eg(sod_parse(b, n, &s), EG_OK);
		ck_assert_eg(cert_name_parse(s.cms.sid_issuer.p, s.cms.sid_issuer.len, &sid), EG_OK);
		ck_assert_eg(cms_signer_cert(&s.cms, &ds, NULL), EG_OK);
		ck_assert(!cert_name_eq(&sid, &ds->issuer));
		ck_assert(cert_name_eq_any_order(&sid, &ds->issuer));
		cert_free(&ds);
		sod_free(&s);
		free(b);
	}
	{
		/* GB 2011: DS and CSCA say "gb"; the country still counts as GB */
		struct sod s;
		struct cert *ds = NULL;
		char c[4];
		uint8_t *b;
		size_t n;

		snprintf(path, sizeof(path), "%s/sod/GB-2011.sod", GM);
		b = slurp(path, &n);
		ck_assert_eg(sod_parse(b, n, &s), EG_OK);
		ck_assert_eg(cms_signer_cert(&s.cms, &ds, NULL), EG_OK);
		ck_assert(cert_name_country(&ds->subject, c));
		ck_assert_str_eq(c, "gb");
		ck_assert(country_same(c, "GBR"));
		ck_assert(country_same(c, "GB"));
		cert_free(&ds);
		sod_free(&s);
		free(b);
	}
	{
		/* CN: eContentType id-data */
		struct sod s;
		uint8_t *b;
		size_t n;

		snprintf(path, sizeof(path), "%s/sod/CN.sod", GM);
		b = slurp(path, &n);
		ck_assert_eg(sod_parse(b, n, &s), EG_OK);
		ck_assert(s.legacy_content_type);
		sod_free(&s);
		free(b);
	}
}
END_TEST

/* The 2011 British EF.SOD with only its own ("gb") CSCA installed, and
 * forged variants of real files: one changed byte anywhere in the signed
 * parts fails the right check. */
START_TEST(test_tampered)
{
	struct csca_store *s;
	char path[512];
	uint8_t *b, *c;
	size_t n;
	struct pa_input in;
	struct pa_report r;
	struct tm tm = { .tm_year = 112, .tm_mon = 5, .tm_mday = 1 };

	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(add_anchor(s, "csca/GB-2011-gb.der"), EG_OK);
	snprintf(path, sizeof(path), "%s/sod/GB-2011.sod", GM);
	b = slurp(path, &n);
	memset(&in, 0, sizeof(in));
	in.sod = b;
	in.sod_len = n;
	in.check_time = timegm(&tm);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_PASS);
	ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].status, PA_PASS);
	/* the signature (last bytes) */
	c = malloc(n);
	memcpy(c, b, n);
	c[n - 10] ^= 0x01;
	in.sod = c;
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_SOD_SIGNATURE].code, PA_R_SIGNATURE_INVALID);
	ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_PASS);
	/* a DG hash inside the security object */
	memcpy(c, b, n);
	{
		struct sod so;

		ck_assert_eg(sod_parse(b, n, &so), EG_OK);
		c[so.dg[0].hash - b] ^= 0x01;
		sod_free(&so);
	}
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_SOD_MESSAGE_DIGEST].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_SOD_MESSAGE_DIGEST].code, PA_R_DIGEST_MISMATCH);
	/* after the DS expired */
	memcpy(c, b, n);
	tm.tm_year = 123;
	in.check_time = timegm(&tm);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	ck_assert_int_eq(r.r[PA_DS_VALIDITY].status, PA_FAIL);
	ck_assert_int_eq(r.r[PA_DS_VALIDITY].code, PA_R_EXPIRED);
	free(c);
	free(b);
	csca_store_free(&s);
}
END_TEST

/* The German and Finnish EF.CardSecurity: signed by the same Document
 * Signers, verified against the master lists. */
START_TEST(test_card_security)
{
	static const char *const cc[] = { "DE", "FI" };

	for (size_t i = 0; i < 2; i++) {
		char path[512];
		struct pa_input in;
		struct pa_report r;
		uint8_t *b;
		size_t n;

		snprintf(path, sizeof(path), "%s/cardsecurity/%s.bin", GM, cc[i]);
		b = slurp(path, &n);
		memset(&in, 0, sizeof(in));
		in.card_security = b;
		in.card_security_len = n;
		in.check_time = ML_LOAD_TIME;
		ck_assert_eg(pa_verify(&in, STORE, &r), EG_OK);
		ck_assert_msg(r.r[PA_CARD_SECURITY].status == PA_PASS, "%s: %s", cc[i],
		    r.r[PA_CARD_SECURITY].reason);
		{
			/* the same through cardsec (PACE-CAM): its CA public key */
			struct cardsec cs;
			char why[300];

			ck_assert_eg(cardsec_verify(b, n, STORE, ML_LOAD_TIME, &cs, why, sizeof(why)),
			    EG_OK);
			ck_assert_ptr_nonnull(cardsec_ca_key(&cs));
			cardsec_free(&cs);
			ck_assert_eg(cardsec_verify(b, n, NULL, ML_LOAD_TIME, &cs, why, sizeof(why)),
			    EG_ERR_CERT);
			cardsec_free(&cs);
		}
		b[n - 5] ^= 0x01;	/* the signature */
		ck_assert_eg(pa_verify(&in, STORE, &r), EG_OK);
		ck_assert_int_eq(r.r[PA_CARD_SECURITY].status, PA_FAIL);
		free(b);
	}
}
END_TEST

/* OpenSSL verifies the same signatures (signer certificate only: OpenSSL
 * 3 refuses explicit parameters in chain building), and the chain of the
 * samples with named curves and RSA. */
START_TEST(test_openssl)
{
	char dir[256], cmd[2048];

	eg_scratch_mkdir(dir, sizeof(dir), "egate-real");
	for (size_t i = 0; i < n_samples; i++) {
		char path[512];
		uint8_t *b;
		size_t n, hdr;

		snprintf(path, sizeof(path), "%s/%s", GM, S[i].sod);
		b = slurp(path, &n);
		hdr = b[1] < 0x80 ? 2 : 2 + (size_t)(b[1] & 0x7F);
		snprintf(path, sizeof(path), "%s/%s.cms", dir, S[i].name);
		write_file(path, b + hdr, n - hdr);
		free(b);
		snprintf(cmd, sizeof(cmd), "openssl cms -verify -noverify -inform DER -in %s "
		    "-out /dev/null 2>/dev/null", path);
		/* MY: OpenSSL does not find the signer (its sid names the
		 * issuer with RDNs in another order) */
		if (strcmp(S[i].name, "MY") == 0)
			ck_assert_int_ne(system(cmd), 0);
		else
			ck_assert_msg(system(cmd) == 0, "openssl refuses %s", S[i].name);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("docauth-real");
	TCase *t = tcase_create("gmrtd");

	tcase_add_unchecked_fixture(t, setup, teardown);
	tcase_add_unchecked_fixture(t, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(t, 600);
	tcase_add_test(t, test_masterlists);
	tcase_add_test(t, test_masterlist_alone);
	tcase_add_test(t, test_samples);
	tcase_add_test(t, test_features);
	tcase_add_test(t, test_tampered);
	tcase_add_test(t, test_card_security);
	tcase_add_test(t, test_openssl);
	suite_add_tcase(s, t);
	return s;
}

EG_CHECK_MAIN()
