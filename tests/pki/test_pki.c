/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deployment PKI: certificates and CRLs it writes are checked by
 * mbedTLS and, independently, by OpenSSL's `openssl verify`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "egate/error.h"
#include "eg_check.h"
#include "audit.h"
#include "egate/secure.h"
#include "pki.h"

static char dir[256];
static char path_buf[8][512];

static const char *
P(int slot, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", dir, name);
	return path_buf[slot];
}

static void
setup(void)
{
	char tmpl[] = "/tmp/egate-pki-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s", tmpl);
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* openssl verify with CRL checking; returns its exit status. */
static int
openssl_verify(const char *crt)
{
	char cmd[1600];

	snprintf(cmd, sizeof(cmd), "openssl verify -x509_strict -CAfile '%s/ca/ca.crt' "
	    "-crl_check -CRLfile '%s/ca/ca.crl' '%s' >/dev/null 2>&1", dir, dir, crt);
	return WEXITSTATUS(system(cmd));
}

/* mbedTLS verification flags of crt against the CA and its CRL. */
static uint32_t
mbed_verify(const char *crt_path)
{
	mbedtls_x509_crt ca, crt;
	mbedtls_x509_crl crl;
	uint32_t flags = 0;
	char p[600];

	mbedtls_x509_crt_init(&ca);
	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crl_init(&crl);
	snprintf(p, sizeof(p), "%s/ca/ca.crt", dir);
	ck_assert_int_eq(mbedtls_x509_crt_parse_file(&ca, p), 0);
	snprintf(p, sizeof(p), "%s/ca/ca.crl", dir);
	ck_assert_int_eq(mbedtls_x509_crl_parse_file(&crl, p), 0);
	ck_assert_int_eq(mbedtls_x509_crt_parse_file(&crt, crt_path), 0);
	(void)mbedtls_x509_crt_verify(&crt, &ca, &crl, NULL, &flags, NULL, NULL);
	mbedtls_x509_crl_free(&crl);
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&ca);
	return flags;
}

static struct pki_ca *
make_ca(void)
{
	struct pki_ca *ca = NULL;

	ck_assert_eg(pki_ca_create(P(0, "ca"), "Test CA", 365), EG_OK);
	ck_assert_eg(pki_ca_open(P(0, "ca"), &ca), EG_OK);
	return ca;
}

static void
enrol(struct pki_ca *ca, const char *name, const char *cn, enum pki_role role, int days, int back)
{
	char k[600], csr[600], crt[600];

	snprintf(k, sizeof(k), "%s/%s.key", dir, name);
	snprintf(csr, sizeof(csr), "%s/%s.csr", dir, name);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
	ck_assert_eg(pki_key_create(k), EG_OK);
	ck_assert_eg(pki_csr_create(k, cn, role, csr), EG_OK);
	ck_assert_eg(pki_ca_sign(ca, csr, role, days, back, crt), EG_OK);
}

START_TEST(test_issue_and_verify_both_ways)
{
	struct pki_ca *ca = make_ca();
	struct stat st;

	enrol(ca, "host", "egate-host", PKI_ROLE_HOST, 30, 0);
	enrol(ca, "k01", "K01", PKI_ROLE_KIOSK, 30, 0);
	enrol(ca, "officer", "officer.kim", PKI_ROLE_OFFICER, 30, 0);
	ck_assert_uint_eq(mbed_verify(P(1, "host.crt")), 0);
	ck_assert_uint_eq(mbed_verify(P(1, "k01.crt")), 0);
	ck_assert_int_eq(openssl_verify(P(1, "k01.crt")), 0);
	ck_assert_int_eq(openssl_verify(P(1, "host.crt")), 0);
	ck_assert_int_eq(openssl_verify(P(1, "officer.crt")), 0);
	/* private keys are not readable by others */
	ck_assert_int_eq(stat(P(1, "k01.key"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0077, 0);
	ck_assert_int_eq(stat(P(1, "ca/ca.key"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0077, 0);
	pki_ca_free(&ca);
	ck_assert_ptr_null(ca);
}
END_TEST

START_TEST(test_revocation_seen_by_mbedtls_and_openssl)
{
	struct pki_ca *ca = make_ca();

	enrol(ca, "k01", "K01", PKI_ROLE_KIOSK, 30, 0);
	enrol(ca, "k02", "K02", PKI_ROLE_KIOSK, 30, 0);
	ck_assert_eg(pki_ca_revoke(ca, P(1, "k01.crt")), EG_OK);
	ck_assert_eg(pki_ca_revoke(ca, P(1, "k01.crt")), EG_OK);	/* idempotent */
	ck_assert(mbed_verify(P(1, "k01.crt")) & MBEDTLS_X509_BADCERT_REVOKED);
	ck_assert_uint_eq(mbed_verify(P(1, "k02.crt")), 0);
	ck_assert_int_ne(openssl_verify(P(1, "k01.crt")), 0);
	ck_assert_int_eq(openssl_verify(P(1, "k02.crt")), 0);
	/* a second revocation keeps the first */
	ck_assert_eg(pki_ca_revoke(ca, P(1, "k02.crt")), EG_OK);
	ck_assert(mbed_verify(P(1, "k01.crt")) & MBEDTLS_X509_BADCERT_REVOKED);
	ck_assert(mbed_verify(P(1, "k02.crt")) & MBEDTLS_X509_BADCERT_REVOKED);
	/* and re-publishing keeps both */
	ck_assert_eg(pki_ca_publish_crl(ca, 7), EG_OK);
	ck_assert(mbed_verify(P(1, "k01.crt")) & MBEDTLS_X509_BADCERT_REVOKED);
	ck_assert(mbed_verify(P(1, "k02.crt")) & MBEDTLS_X509_BADCERT_REVOKED);
	pki_ca_free(&ca);
}
END_TEST

START_TEST(test_expired_certificate)
{
	struct pki_ca *ca = make_ca();

	/* valid from 10 days ago until yesterday */
	enrol(ca, "old", "K09", PKI_ROLE_KIOSK, -1, 10);
	ck_assert(mbed_verify(P(1, "old.crt")) & MBEDTLS_X509_BADCERT_EXPIRED);
	ck_assert_int_ne(openssl_verify(P(1, "old.crt")), 0);
	/* valid from 10 days ago until tomorrow */
	enrol(ca, "ok", "K10", PKI_ROLE_KIOSK, 1, 10);
	ck_assert_uint_eq(mbed_verify(P(1, "ok.crt")), 0);
	/* an empty validity period is refused */
	ck_assert_eg(pki_ca_sign(ca, P(1, "ok.csr"), PKI_ROLE_KIOSK, -10, 10, P(2, "x.crt")), EG_ERR_INVAL);
	pki_ca_free(&ca);
}
END_TEST

START_TEST(test_refusals)
{
	struct pki_ca *ca = make_ca();
	struct pki_ca *other = NULL;
	FILE *f;
	char buf[4096];
	size_t n;

	ck_assert_eg(pki_key_create(P(1, "k.key")), EG_OK);
	ck_assert_eg(pki_key_create(P(1, "k.key")), EG_ERR_STATE);	/* never overwrite */
	ck_assert_eg(pki_csr_create(P(1, "k.key"), "K 01", PKI_ROLE_KIOSK, P(2, "x.csr")), EG_ERR_INVAL);
	ck_assert_eg(pki_csr_create(P(1, "k.key"), "K01,O=evil", PKI_ROLE_KIOSK, P(2, "x.csr")), EG_ERR_INVAL);
	ck_assert_eg(pki_csr_create(P(1, "k.key"), "K01", PKI_ROLE_KIOSK, P(2, "k.csr")), EG_OK);
	/* a kiosk CSR cannot become an officer or host certificate */
	ck_assert_eg(pki_ca_sign(ca, P(2, "k.csr"), PKI_ROLE_OFFICER, 30, 0, P(3, "x.crt")), EG_ERR_CERT);
	ck_assert_eg(pki_ca_sign(ca, P(2, "k.csr"), PKI_ROLE_HOST, 30, 0, P(3, "x.crt")), EG_ERR_CERT);
	ck_assert_int_ne(access(P(3, "x.crt"), F_OK), 0);
	/* a tampered CSR (one byte of the base64 body changed) is refused */
	f = fopen(P(2, "k.csr"), "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[120] = buf[120] == 'A' ? 'B' : 'A';
	f = fopen(P(4, "bad.csr"), "w");
	fwrite(buf, 1, n, f);
	fclose(f);
	ck_assert_eg(pki_ca_sign(ca, P(4, "bad.csr"), PKI_ROLE_KIOSK, 30, 0, P(3, "x.crt")), EG_ERR_CERT);
	/* a second CA cannot revoke the first one's certificates */
	ck_assert_eg(pki_ca_sign(ca, P(2, "k.csr"), PKI_ROLE_KIOSK, 30, 0, P(3, "k.crt")), EG_OK);
	ck_assert_eg(pki_ca_create(P(5, "other"), "Other CA", 365), EG_OK);
	ck_assert_eg(pki_ca_open(P(5, "other"), &other), EG_OK);
	ck_assert_eg(pki_ca_revoke(other, P(3, "k.crt")), EG_ERR_CERT);
	pki_ca_free(&other);
	/* a CA folder is never overwritten */
	ck_assert_eg(pki_ca_create(P(0, "ca"), "Again", 365), EG_ERR_STATE);
	ck_assert_eg(pki_ca_open(P(6, "nope"), &other), EG_ERR_IO);
	ck_assert_ptr_null(other);
	pki_ca_free(&ca);
}
END_TEST

/* The identifier HMAC key: hex, 0600, never overwritten, and loadable by
 * the audit store that uses it. */
START_TEST(test_secret_for_audit)
{
	struct stat st;
	uint8_t *key = NULL;
	size_t len = 0;
	FILE *f;
	char text[200];
	size_t n;

	ck_assert_eg(pki_secret_create(P(1, "identifier.hmac"), 32), EG_OK);
	ck_assert_eg(pki_secret_create(P(1, "identifier.hmac"), 32), EG_ERR_STATE);
	ck_assert_eg(pki_secret_create(P(2, "short"), 8), EG_ERR_INVAL);
	ck_assert_int_eq(stat(P(1, "identifier.hmac"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	f = fopen(P(1, "identifier.hmac"), "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	ck_assert_uint_eq(n, 65);	/* 64 hex digits and a newline */
	ck_assert_eg(audit_hmac_key_load(P(1, "identifier.hmac"), &key, &len), EG_OK);
	ck_assert_uint_eq(len, 32);
	eg_secret_free(&key, len);
	/* two keys differ */
	ck_assert_eg(pki_secret_create(P(3, "other.hmac"), 32), EG_OK);
	ck_assert_eg(audit_hmac_key_load(P(3, "other.hmac"), &key, &len), EG_OK);
	{
		uint8_t *k1 = NULL;
		size_t l1;
		ck_assert_eg(audit_hmac_key_load(P(1, "identifier.hmac"), &k1, &l1), EG_OK);
		ck_assert(!eg_ct_equal(k1, key, 32));
		eg_secret_free(&k1, l1);
	}
	eg_secret_free(&key, len);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("pki");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_issue_and_verify_both_ways);
	tcase_add_test(tc, test_revocation_seen_by_mbedtls_and_openssl);
	tcase_add_test(tc, test_expired_certificate);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_secret_for_audit);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
