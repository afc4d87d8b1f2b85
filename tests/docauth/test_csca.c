/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_csca — the CSCA trust store: anchors from a directory (PEM and DER),
 * CRL directory, ICAO master lists (good, bad signature, bad digest,
 * untrusted signer, expired signer, no transitive trust), and OpenSSL
 * verifying the master lists we build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>

#include "egate/error.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "world.h"

static struct world W;
/* Extra credentials for the master-list tests. */
static struct tpki_cred ml_signer, ml_signer_old, ml_signer_rogue, csca_new, ds_new,
    ml_signer_new;

static int
ml_signer_make(const char *subject, struct tpki_cred *issuer, const char *nb, const char *na,
    int serial, struct tpki_cred *out)
{
	struct tpki_cert_opts o = { .role = TPKI_ROLE_ML_SIGNER, .key = TPKI_KEY_EC_P256,
		.subject = subject, .issuer = issuer, .not_before = nb, .not_after = na,
		.serial = serial };

	return tpki_cert_make(W.t, &o, out);
}

static void
setup(void)
{
	world_make(&W);
	tpki_cred_init(&ml_signer);
	tpki_cred_init(&ml_signer_old);
	tpki_cred_init(&ml_signer_rogue);
	tpki_cred_init(&csca_new);
	tpki_cred_init(&ds_new);
	tpki_cred_init(&ml_signer_new);
	if (ml_signer_make("C=UT,O=Utopia,CN=Master List Signer", &W.csca_ec, "20250101000000",
	    "20300101000000", 20, &ml_signer) ||
	    ml_signer_make("C=UT,O=Utopia,CN=Master List Signer old", &W.csca_ec, "20200101000000",
	    "20210101000000", 21, &ml_signer_old) ||
	    ml_signer_make("C=UT,O=Utopia,CN=Master List Signer", &W.rogue_csca, "20250101000000",
	    "20300101000000", 20, &ml_signer_rogue) ||
	    tpki_cred_make(W.t, TPKI_KEY_EC_P256, "C=AT,O=Atlantis,CN=CSCA Atlantis", NULL, true,
	    "20200101000000", "20400101000000", 1, &csca_new) ||
	    tpki_cred_make(W.t, TPKI_KEY_EC_P256, "C=AT,O=Atlantis,CN=DS Atlantis", &csca_new,
	    false, "20250101000000", "20350101000000", 2, &ds_new) ||
	    ml_signer_make("C=AT,O=Atlantis,CN=Master List Signer", &csca_new, "20250101000000",
	    "20300101000000", 3, &ml_signer_new))
		abort();
}

static void
teardown(void)
{
	tpki_cred_free(&ml_signer);
	tpki_cred_free(&ml_signer_old);
	tpki_cred_free(&ml_signer_rogue);
	tpki_cred_free(&csca_new);
	tpki_cred_free(&ds_new);
	tpki_cred_free(&ml_signer_new);
	world_free(&W);
}

/* A master list with csca_new and csca_rsa, signed by signer. */
static void
make_ml(struct tpki_cred *signer, unsigned flags, struct eg_wbuf *out)
{
	const uint8_t *certs[3] = { csca_new.cert.data, W.csca_rsa.cert.data, ds_new.cert.data };
	size_t lens[3] = { csca_new.cert.len, W.csca_rsa.cert.len, ds_new.cert.len };

	eg_wbuf_init(out, 1 << 20, false);
	/* ds_new is not a CA: it must be skipped, not trusted */
	ck_assert_eg(tpki_masterlist_build(W.t, signer, certs, lens, 3, flags, out), EG_OK);
}

static struct csca_store *
anchor_store(void)
{
	struct csca_store *s;

	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(csca_store_add_cert(s, W.csca_ec.cert.data, W.csca_ec.cert.len), EG_OK);
	ck_assert_uint_eq(csca_store_count(s), 1);
	return s;
}

/* PA of a passport signed by ds_new (Atlantis) against store s. */
static enum pa_status
atlantis_chain(struct csca_store *s)
{
	struct pp_opts o = { .ds = &ds_new, .sig = TPKI_SIG_ECDSA };
	struct passport p;
	struct pa_input in;
	struct pa_report r;

	passport_make(&W, &o, &p);
	in = passport_input(&p, W.now);
	ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
	passport_free(&p);
	return r.r[PA_DS_CHAIN].status;
}

START_TEST(test_masterlist_good)
{
	struct eg_wbuf ml;
	struct csca_store *s = anchor_store();
	char why[200];
	size_t n = 99;

	make_ml(&ml_signer, 0, &ml);
	ck_assert_int_eq(atlantis_chain(s), PA_FAIL);
	ck_assert_eg(csca_store_add_masterlist(s, ml.data, ml.len, W.now, &n, why, sizeof(why)),
	    EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(csca_store_count(s), 3);
	ck_assert_ptr_nonnull(strstr(why, "accepted"));
	ck_assert_int_eq(atlantis_chain(s), PA_PASS);
	csca_store_free(&s);
	eg_wbuf_free(&ml);
}
END_TEST

static void
refused(struct tpki_cred *signer, unsigned flags, time_t when, int want, const char *why_part)
{
	struct eg_wbuf ml;
	struct csca_store *s = anchor_store();
	char why[200];
	size_t n = 99;

	make_ml(signer, flags, &ml);
	ck_assert_eg(csca_store_add_masterlist(s, ml.data, ml.len, when, &n, why, sizeof(why)),
	    want);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(csca_store_count(s), 1);
	ck_assert_msg(strstr(why, why_part) != NULL, "reason '%s' lacks '%s'", why, why_part);
	ck_assert_int_eq(atlantis_chain(s), PA_FAIL);
	csca_store_free(&s);
	eg_wbuf_free(&ml);
}

START_TEST(test_masterlist_bad_signature)
{
	refused(&ml_signer, TPKI_BAD_SIGNATURE, W.now, EG_ERR_AUTH, "signature");
}
END_TEST

START_TEST(test_masterlist_bad_digest)
{
	refused(&ml_signer, TPKI_BAD_DIGEST, W.now, EG_ERR_AUTH, "messageDigest");
}
END_TEST

START_TEST(test_masterlist_untrusted_signer)
{
	refused(&ml_signer_rogue, 0, W.now, EG_ERR_CERT, "does not chain");
}
END_TEST

START_TEST(test_masterlist_expired_signer)
{
	refused(&ml_signer_old, 0, W.now, EG_ERR_CERT, "not valid");
}
END_TEST

START_TEST(test_masterlist_no_cert)
{
	refused(&ml_signer, TPKI_NO_CERT, W.now, EG_ERR_CERT, "missing");
}
END_TEST

/* A list signed under a CSCA that itself came from a list is refused. */
START_TEST(test_masterlist_not_transitive)
{
	struct eg_wbuf ml, ml2;
	struct csca_store *s = anchor_store();

	make_ml(&ml_signer, 0, &ml);
	make_ml(&ml_signer_new, 0, &ml2);
	ck_assert_eg(csca_store_add_masterlist(s, ml.data, ml.len, W.now, NULL, NULL, 0), EG_OK);
	ck_assert_eg(csca_store_add_masterlist(s, ml2.data, ml2.len, W.now, NULL, NULL, 0),
	    EG_ERR_CERT);
	ck_assert_uint_eq(csca_store_count(s), 3);
	csca_store_free(&s);
	/* with no anchors at all nothing is accepted */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(csca_store_add_masterlist(s, ml.data, ml.len, W.now, NULL, NULL, 0),
	    EG_ERR_CERT);
	csca_store_free(&s);
	eg_wbuf_free(&ml);
	eg_wbuf_free(&ml2);
}
END_TEST

START_TEST(test_masterlist_garbage)
{
	struct eg_wbuf ml;
	struct csca_store *s = anchor_store();
	char why[200];

	make_ml(&ml_signer, 0, &ml);
	for (size_t n = 0; n < ml.len; n += 7)
		ck_assert_int_ne(csca_store_add_masterlist(s, ml.data, n, W.now, NULL, why,
		    sizeof(why)), EG_OK);
	ck_assert_uint_eq(csca_store_count(s), 1);
	/* an EF.SOD is CMS too, but not a master list */
	{
		struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA };
		struct passport p;

		passport_make(&W, &o, &p);
		ck_assert_eg(csca_store_add_masterlist(s, p.sod.data + 4, p.sod.len - 4, W.now,
		    NULL, why, sizeof(why)), EG_ERR_FORMAT);
		ck_assert_ptr_nonnull(strstr(why, "cscaMasterList"));
		passport_free(&p);
	}
	csca_store_free(&s);
	eg_wbuf_free(&ml);
}
END_TEST

START_TEST(test_load_dirs)
{
	char dir[128], crldir[128], path[512];
	struct eg_wbuf pem;
	struct csca_store *s;
	size_t ok = 0, bad = 0;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-csca");
	eg_scratch_mkdir(crldir, sizeof(crldir), "egate-crl");
	eg_wbuf_init(&pem, 1 << 16, false);
	ck_assert_eg(tpki_cert_pem(&W.csca_ec, &pem), EG_OK);
	snprintf(path, sizeof(path), "%s/utopia-ec.pem", dir);
	write_file(path, pem.data, pem.len);
	snprintf(path, sizeof(path), "%s/utopia-rsa.der", dir);
	write_file(path, W.csca_rsa.cert.data, W.csca_rsa.cert.len);
	snprintf(path, sizeof(path), "%s/README.txt", dir);	/* ignored */
	write_file(path, "hello", 5);
	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(csca_store_load_dir(s, dir, &ok, &bad), EG_OK);
	ck_assert_uint_eq(ok, 2);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(csca_store_count(s), 2);
	/* a broken file and a non-CA certificate are reported, the rest loads */
	snprintf(path, sizeof(path), "%s/broken.pem", dir);
	write_file(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 58);
	snprintf(path, sizeof(path), "%s/ds.der", dir);
	write_file(path, W.ds_ec.cert.data, W.ds_ec.cert.len);
	csca_store_free(&s);
	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(csca_store_load_dir(s, dir, &ok, &bad), EG_OK);
	ck_assert_uint_eq(ok, 2);
	ck_assert_uint_eq(bad, 2);
	ck_assert_eg(csca_store_load_dir(s, "/nonexistent/egate", NULL, NULL), EG_ERR_IO);
	ck_assert_eg(csca_store_add_cert(s, W.ds_ec.cert.data, W.ds_ec.cert.len), EG_ERR_CERT);
	/* CRLs */
	snprintf(path, sizeof(path), "%s/utopia-ec.crl", crldir);
	write_file(path, W.crl_ec.data, W.crl_ec.len);
	snprintf(path, sizeof(path), "%s/utopia-rsa.der", crldir);
	write_file(path, W.crl_rsa.data, W.crl_rsa.len);
	ck_assert_eg(csca_store_load_crl_dir(s, crldir, &ok, &bad), EG_OK);
	ck_assert_uint_eq(ok, 2);
	ck_assert_uint_eq(csca_store_crl_count(s), 2);
	/* the loaded store works for PA, revocation included */
	{
		struct pp_opts o = { .ds = &W.ds_revoked, .sig = TPKI_SIG_ECDSA };
		struct passport p;
		struct pa_input in;
		struct pa_report r;

		passport_make(&W, &o, &p);
		in = passport_input(&p, W.now);
		ck_assert_eg(pa_verify(&in, s, &r), EG_OK);
		ck_assert_int_eq(r.r[PA_DS_CHAIN].status, PA_PASS);
		ck_assert_int_eq(r.r[PA_DS_REVOCATION].status, PA_FAIL);
		passport_free(&p);
	}
	csca_store_free(&s);
	snprintf(path, sizeof(path), "rm -rf %s %s", dir, crldir);
	ck_assert_int_eq(system(path), 0);
	eg_wbuf_free(&pem);
}
END_TEST

/* PEM CRLs and PEM bundles of several CSCAs load too. */
START_TEST(test_pem_inputs)
{
	struct csca_store *s;
	struct eg_wbuf bundle;
	unsigned char pem[8192];
	size_t olen = 0;

	ck_assert_eg(csca_store_new(&s), EG_OK);
	eg_wbuf_init(&bundle, 1 << 16, false);
	ck_assert_eg(tpki_cert_pem(&W.csca_ec, &bundle), EG_OK);
	ck_assert_eg(tpki_cert_pem(&W.csca_rsa, &bundle), EG_OK);
	ck_assert_eg(csca_store_add_cert(s, bundle.data, bundle.len), EG_OK);
	ck_assert_uint_eq(csca_store_count(s), 2);
	/* a bundle with one non-CA certificate: that one is refused, the
	 * others (here already present) stay */
	ck_assert_eg(tpki_cert_pem(&W.ds_ec, &bundle), EG_OK);
	ck_assert_eg(csca_store_add_cert(s, bundle.data, bundle.len), EG_ERR_CERT);
	ck_assert_uint_eq(csca_store_count(s), 2);
	ck_assert_int_eq(mbedtls_pem_write_buffer("-----BEGIN X509 CRL-----\n",
	    "-----END X509 CRL-----\n", W.crl_ec.data, W.crl_ec.len, pem, sizeof(pem), &olen), 0);
	ck_assert_eg(csca_store_add_crl(s, pem, olen - 1), EG_OK);
	ck_assert_uint_eq(csca_store_crl_count(s), 1);
	ck_assert_eg(csca_store_add_crl(s, pem, 40), EG_ERR_CERT);
	ck_assert_eg(csca_store_add_crl(s, W.crl_ec.data, W.crl_ec.len / 2), EG_ERR_CERT);
	ck_assert_uint_eq(csca_store_crl_count(s), 1);
	ck_assert_ptr_nonnull(csca_store_crl(s, 0));
	ck_assert_ptr_null(csca_store_crl(s, 1));
	ck_assert_ptr_nonnull(csca_store_cert(s, 1));
	ck_assert_ptr_null(csca_store_cert(s, 2));
	csca_store_free(&s);
	csca_store_free(&s);	/* NULL-safe */
	ck_assert_ptr_null(csca_store_cert(s, 0));
	eg_wbuf_free(&bundle);
}
END_TEST

/* The kiosk's [trust] csca: a folder of anchors and *.ml master lists, or one file. */
START_TEST(test_load_path)
{
	char dir[256], path[512], why[200];
	struct eg_wbuf ml, bad;
	struct csca_store *s;
	size_t ok = 0, nbad = 0;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-trust");
	make_ml(&ml_signer, 0, &ml);
	make_ml(&ml_signer_rogue, 0, &bad);
	snprintf(path, sizeof(path), "%s/utopia.der", dir);
	write_file(path, W.csca_ec.cert.data, W.csca_ec.cert.len);
	snprintf(path, sizeof(path), "%s/icao.ml", dir);
	write_file(path, ml.data, ml.len);
	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(csca_store_load_path(s, dir, W.now, &ok, &nbad, why, sizeof(why)), EG_OK);
	ck_assert_uint_eq(ok, 3);	/* the anchor and two listed CSCAs */
	ck_assert_uint_eq(nbad, 1);	/* the list also carries a DS: skipped and counted */
	ck_assert_msg(strstr(why, "3 added; skipped: 1 not_ca") != NULL, "%s", why);
	ck_assert_int_eq(atlantis_chain(s), PA_PASS);
	csca_store_free(&s);
	/* an untrusted list in the folder is refused and named; the rest loads */
	snprintf(path, sizeof(path), "%s/rogue.ml", dir);
	write_file(path, bad.data, bad.len);
	ck_assert_eg(csca_store_new(&s), EG_OK);
	ck_assert_eg(csca_store_load_path(s, dir, W.now, &ok, &nbad, why, sizeof(why)), EG_OK);
	ck_assert_uint_eq(ok, 3);
	ck_assert_uint_eq(nbad, 2);
	ck_assert_msg(strstr(why, "rogue.ml: master list refused (signer_untrusted)") != NULL,
	    "%s", why);
	ck_assert_msg(strstr(why, "1 master list(s) refused") != NULL, "%s", why);
	csca_store_free(&s);
	/* one file: a certificate, or a master list (which needs an anchor) */
	ck_assert_eg(csca_store_new(&s), EG_OK);
	snprintf(path, sizeof(path), "%s/icao.ml", dir);
	ck_assert_eg(csca_store_load_path(s, path, W.now, &ok, &nbad, why, sizeof(why)),
	    EG_ERR_CERT);
	ck_assert_ptr_nonnull(strstr(why, "no CSCA anchors"));
	snprintf(path, sizeof(path), "%s/utopia.der", dir);
	ck_assert_eg(csca_store_load_path(s, path, W.now, &ok, &nbad, why, sizeof(why)), EG_OK);
	ck_assert_uint_eq(ok, 1);
	snprintf(path, sizeof(path), "%s/icao.ml", dir);
	ck_assert_eg(csca_store_load_path(s, path, W.now, &ok, &nbad, why, sizeof(why)), EG_OK);
	ck_assert_uint_eq(ok, 2);
	ck_assert_uint_eq(csca_store_count(s), 3);
	snprintf(path, sizeof(path), "%s/none", dir);
	ck_assert_eg(csca_store_load_path(s, path, W.now, NULL, NULL, NULL, 0), EG_ERR_IO);
	csca_store_free(&s);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
	eg_wbuf_free(&ml);
	eg_wbuf_free(&bad);
}
END_TEST

START_TEST(test_openssl_masterlist)
{
	char dir[256], cmd[1024];
	struct eg_wbuf ml, pem;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-ml");
	make_ml(&ml_signer, 0, &ml);
	snprintf(cmd, sizeof(cmd), "%s/ml.der", dir);
	write_file(cmd, ml.data, ml.len);
	eg_wbuf_init(&pem, 1 << 16, false);
	ck_assert_eg(tpki_cert_pem(&W.csca_ec, &pem), EG_OK);
	snprintf(cmd, sizeof(cmd), "%s/csca.pem", dir);
	write_file(cmd, pem.data, pem.len);
	snprintf(cmd, sizeof(cmd), "openssl cms -verify -inform DER -in %s/ml.der -CAfile "
	    "%s/csca.pem -purpose any -out /dev/null", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	/* and the same file loads through the file API */
	{
		struct csca_store *s = anchor_store();
		char why[200];
		size_t n = 0;

		snprintf(cmd, sizeof(cmd), "%s/ml.der", dir);
		ck_assert_eg(csca_store_load_masterlist_file(s, cmd, W.now, &n, why, sizeof(why)),
		    EG_OK);
		ck_assert_uint_eq(n, 2);
		snprintf(cmd, sizeof(cmd), "%s/missing.der", dir);
		ck_assert_eg(csca_store_load_masterlist_file(s, cmd, W.now, &n, why, sizeof(why)),
		    EG_ERR_IO);
		ck_assert_ptr_nonnull(strstr(why, "cannot read"));
		csca_store_free(&s);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	eg_wbuf_free(&ml);
	eg_wbuf_free(&pem);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("docauth-csca");
	TCase *tc = tcase_create("csca");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, test_masterlist_good);
	tcase_add_test(tc, test_masterlist_bad_signature);
	tcase_add_test(tc, test_masterlist_bad_digest);
	tcase_add_test(tc, test_masterlist_untrusted_signer);
	tcase_add_test(tc, test_masterlist_expired_signer);
	tcase_add_test(tc, test_masterlist_no_cert);
	tcase_add_test(tc, test_masterlist_not_transitive);
	tcase_add_test(tc, test_masterlist_garbage);
	tcase_add_test(tc, test_load_dirs);
	tcase_add_test(tc, test_pem_inputs);
	tcase_add_test(tc, test_load_path);
	tcase_add_test(tc, test_openssl_masterlist);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
