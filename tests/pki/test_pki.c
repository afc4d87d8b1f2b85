/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deployment PKI: certificates and CRLs it writes are checked by
 * mbedTLS and, independently, by OpenSSL's `openssl verify`.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "egate/error.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "audit.h"
#include "egate/buf.h"
#include "egate/log.h"
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
	eg_scratch_mkdir(dir, sizeof(dir), "egate-pki");
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

/* ---- helpers for the index and atomicity tests -------------------------------- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

/* Everything in the test folder: every name and the CA's index and
 * certificate copies. Two equal snapshots mean nothing was added, removed
 * or changed. */
static char *
snapshot(void)
{
	char cmd[700], *out = malloc(1 << 20);
	size_t n;
	FILE *p;

	ck_assert_ptr_nonnull(out);
	snprintf(cmd, sizeof(cmd), "cd '%s' && find . -print | LC_ALL=C sort && "
	    "cat ca/index.txt && cat ca/certs/* 2>/dev/null; true", dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	n = fread(out, 1, (1 << 20) - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	return out;
}

static void
same_snapshot(const char *before, const char *what)
{
	char *now = snapshot();

	ck_assert_msg(strcmp(before, now) == 0, "%s left something behind:\n--- before\n%s\n--- after\n%s",
	    what, before, now);
	free(now);
}

static struct pki_ca *
load_ca(void)
{
	struct pki_ca *ca = NULL;
	char err[600] = "";

	ck_assert_msg(pki_ca_load(P(0, "ca"), &ca, err, sizeof(err)) == EG_OK, "%s", err);
	return ca;
}

static const struct pki_cert_rec *
rec_by_serial(const struct pki_index *idx, const char *serial)
{
	for (size_t i = 0; i < idx->ncerts; i++)
		if (strcmp(idx->certs[i].serial, serial) == 0)
			return &idx->certs[i];
	return NULL;
}

/* ---- the index -------------------------------------------------------------------- */

START_TEST(test_index_records_every_certificate)
{
	struct pki_ca *ca = make_ca();
	struct pki_issued a, b, c, d;
	struct pki_index idx;
	char err[600], tok[PKI_TOKEN_TEXT], copy[600];
	const struct pki_cert_rec *r;
	size_t len;
	char *text;

	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_HOST, "egate-host", 30, 0, P(1, "host.key"),
	    P(2, "host.crt"), &a, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_key_create(P(1, "k01.key")), EG_OK);
	ck_assert_eg(pki_csr_write(P(1, "k01.key"), "K01", PKI_ROLE_KIOSK, NULL, P(2, "k01.csr"),
	    err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_sign_csr(ca, P(2, "k01.csr"), PKI_ROLE_KIOSK, 30, 0, P(3, "k01.crt"),
	    &b, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K02", 7, tok, NULL, err, sizeof(err)),
	    EG_OK);
	ck_assert_eg(pki_key_create(P(1, "k02.key")), EG_OK);
	ck_assert_eg(pki_csr_write(P(1, "k02.key"), "K02", PKI_ROLE_KIOSK, tok, P(2, "k02.csr"),
	    err, sizeof(err)), EG_OK);
	ck_assert_msg(pki_ca_sign_enrol(ca, P(2, "k02.csr"), 30, P(3, "k02.crt"), &c, err,
	    sizeof(err)) == EG_OK, "%s", err);
	ck_assert_eg(pki_ca_renew(ca, b.serial, NULL, 60, P(3, "k01-new.crt"), &d, err, sizeof(err)),
	    EG_OK);
	pki_ca_free(&ca);

	/* what the CA wrote reads back, from the file, with every field */
	ck_assert_eg(pki_index_load(P(0, "ca"), &idx, err, sizeof(err)), EG_OK);
	ck_assert(!idx.missing);
	ck_assert_uint_eq(idx.ncerts, 5);	/* the CA and four */
	ck_assert_int_eq(idx.certs[0].role, PKI_ROLE_CA);
	ck_assert_str_eq(idx.certs[0].cn, "Test CA");
	ck_assert_str_eq(idx.certs[0].origin, "ca");
	ck_assert_ptr_nonnull(r = rec_by_serial(&idx, a.serial));
	ck_assert_int_eq(r->role, PKI_ROLE_HOST);
	ck_assert_str_eq(r->cn, "egate-host");
	ck_assert_str_eq(r->origin, "issue");
	ck_assert_int_eq(r->not_after, a.not_after);
	ck_assert(!r->revoked);
	ck_assert_ptr_nonnull(r = rec_by_serial(&idx, b.serial));
	ck_assert_str_eq(r->origin, "sign");
	ck_assert_ptr_nonnull(r = rec_by_serial(&idx, c.serial));
	ck_assert_str_eq(r->cn, "K02");
	ck_assert_int_eq(strncmp(r->origin, "enrol:", 6), 0);
	ck_assert_ptr_nonnull(r = rec_by_serial(&idx, d.serial));
	{
		char want[64];
		snprintf(want, sizeof(want), "renew:%s", b.serial);
		ck_assert_str_eq(r->origin, want);
	}
	ck_assert_uint_eq(idx.ntokens, 1);
	ck_assert(idx.tokens[0].used);
	ck_assert_str_eq(idx.tokens[0].serial, c.serial);
	/* a copy of each certificate, by serial */
	for (size_t i = 0; i < idx.ncerts; i++) {
		if (idx.certs[i].role == PKI_ROLE_CA)
			continue;
		snprintf(copy, sizeof(copy), "%s/ca/certs/%s.pem", dir, idx.certs[i].serial);
		ck_assert_msg(access(copy, R_OK) == 0, "no copy %s", copy);
	}
	/* format and parse agree */
	{
		struct eg_wbuf w;
		struct pki_index back;
		eg_wbuf_init(&w, 1 << 20, false);
		ck_assert_eg(pki_index_format(&idx, &w), EG_OK);
		text = slurp(P(4, "ca/index.txt"), &len);
		ck_assert_uint_eq(w.len, len);
		ck_assert_int_eq(memcmp(w.data, text, len), 0);
		ck_assert_eg(pki_index_parse((const char *)w.data, w.len, &back, NULL), EG_OK);
		ck_assert_uint_eq(back.ncerts, idx.ncerts);
		ck_assert_uint_eq(back.ntokens, idx.ntokens);
		pki_index_clear(&back);
		eg_wbuf_free(&w);
		free(text);
	}
	pki_index_clear(&idx);
	/* and OpenSSL accepts what was issued */
	ck_assert_int_eq(openssl_verify(P(1, "host.crt")), 0);
	ck_assert_int_eq(openssl_verify(P(1, "k02.crt")), 0);
	ck_assert_int_eq(openssl_verify(P(1, "k01-new.crt")), 0);
}
END_TEST

START_TEST(test_index_parser_is_strict)
{
	static const char hdr[] = "egate-ca-index\t1\n";
	static const char cert[] = "cert\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\n";
	static const char *const bad[] = {
		"",					/* empty */
		"egate-ca-index\t2\n",			/* another version */
		"egate-ca-index\t1",			/* no newline */
		"cert\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue",	/* truncated */
		"cert\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\n",	/* 8 fields */
		"cert\t4A0\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\n",	/* odd hex */
		"cert\t4a01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\n",	/* lower case */
		"cert\t4A01\tboss\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\n",	/* role */
		"cert\t4A01\tkiosk\tK 01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\n",	/* CN */
		"cert\t4A01\tkiosk\tK01\t2026-02-30T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\n",	/* 30 Feb */
		"cert\t4A01\tkiosk\tK01\t2027-01-01T00:00:00Z\t2026-01-01T00:00:00Z\tvalid\t-\tissue\n",	/* ends before it starts */
		"cert\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\trevoked\t-\tissue\n",	/* revoked, no date */
		"cert\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t2026-06-01T00:00:00Z\tissue\n",
		"cert\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tis sue\n",	/* origin */
		"cert\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\t\n",	/* 10 fields */
		"crt\t4A01\tkiosk\tK01\t2026-01-01T00:00:00Z\t2027-01-01T00:00:00Z\tvalid\t-\tissue\n",	/* type */
		"token\tab\tkiosk\tK01\t2026-01-01T00:00:00Z\t2026-01-08T00:00:00Z\tunused\t-\t-\n",	/* short hash */
	};
	struct pki_index idx;
	char text[600];
	int line;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = i < 3 ? snprintf(text, sizeof(text), "%s", bad[i]) :
		    snprintf(text, sizeof(text), "%s%s", hdr, bad[i]);
		ck_assert_msg(pki_index_parse(text, (size_t)n, &idx, &line) != EG_OK, "accepted #%zu", i);
		ck_assert_ptr_null(idx.certs);
	}
	/* a duplicate serial, with the line it is on */
	snprintf(text, sizeof(text), "%s# c\n%s\n%s", hdr, cert, cert);
	ck_assert_eg(pki_index_parse(text, strlen(text), &idx, &line), EG_ERR_FORMAT);
	ck_assert_int_eq(line, 5);
	/* the good line alone, between comments and blank lines */
	snprintf(text, sizeof(text), "%s# c\n\n%s# end\n", hdr, cert);
	ck_assert_eg(pki_index_parse(text, strlen(text), &idx, &line), EG_OK);
	ck_assert_uint_eq(idx.ncerts, 1);
	ck_assert_str_eq(idx.certs[0].serial, "4A01");
	ck_assert_int_eq(idx.certs[0].not_after - idx.certs[0].not_before, 365 * 86400);
	pki_index_clear(&idx);
	pki_index_clear(&idx);	/* safe twice */
}
END_TEST

/* The failures of issue #15: each leaves nothing behind (no key, no
 * certificate, no temporary, no index line, no copy), and the retry works. */
START_TEST(test_issue_is_all_or_nothing)
{
	struct pki_ca *ca = make_ca();
	char err[600], before_dir[600], *before;
	static const char long_cn[] = "K1234567890123456789012345678901234567890123456789012345678901234";
	struct stat st;
	int fd;

	ck_assert_uint_eq(strlen(long_cn), 65);
	/* a regular file where a folder is expected, and a non-certificate */
	fd = open(P(1, "afile"), O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not a certificate\n", 18), 18);
	close(fd);
	ck_assert_eg(pki_key_create(P(1, "existing.key")), EG_OK);
	before = snapshot();
	struct {
		const char *what;
		enum pki_role role;
		const char *cn;
		int days;
		const char *key_out, *crt_out;
		int want;
	} f[] = {
		{ "--days 0", PKI_ROLE_KIOSK, "K01", 0, "k.key", "k.crt", EG_ERR_INVAL },
		{ "negative days", PKI_ROLE_KIOSK, "K01", -5, "k.key", "k.crt", EG_ERR_INVAL },
		{ "empty CN", PKI_ROLE_KIOSK, "", 30, "k.key", "k.crt", EG_ERR_INVAL },
		{ "over-long CN", PKI_ROLE_KIOSK, long_cn, 30, "k.key", "k.crt", EG_ERR_INVAL },
		{ "CN with a comma", PKI_ROLE_KIOSK, "K01,O=x", 30, "k.key", "k.crt", EG_ERR_INVAL },
		{ "role ca", PKI_ROLE_CA, "K01", 30, "k.key", "k.crt", EG_ERR_INVAL },
		{ "key folder missing", PKI_ROLE_KIOSK, "K01", 30, "nodir/k.key", "k.crt", EG_ERR_IO },
		{ "certificate folder missing", PKI_ROLE_KIOSK, "K01", 30, "k.key", "nodir/k.crt", EG_ERR_IO },
		{ "key under a file", PKI_ROLE_KIOSK, "K01", 30, "afile/k.key", "k.crt", EG_ERR_IO },
		{ "certificate under a file", PKI_ROLE_KIOSK, "K01", 30, "k.key", "afile/k.crt", EG_ERR_IO },
		{ "key exists", PKI_ROLE_KIOSK, "K01", 30, "existing.key", "k.crt", EG_ERR_STATE },
		{ "certificate over a non-certificate", PKI_ROLE_KIOSK, "K01", 30, "k.key", "afile", EG_ERR_STATE },
		{ "certificate over the CA's", PKI_ROLE_KIOSK, "K01", 30, "k.key", "ca/ca.crt", EG_ERR_STATE },
		{ "same file twice", PKI_ROLE_KIOSK, "K01", 30, "k.crt", "k.crt", EG_ERR_INVAL },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		char kp[600], cp[600];
		snprintf(kp, sizeof(kp), "%s/%s", dir, f[i].key_out);
		snprintf(cp, sizeof(cp), "%s/%s", dir, f[i].crt_out);
		err[0] = '\0';
		ck_assert_msg(pki_ca_issue(ca, f[i].role, f[i].cn, f[i].days, 0, kp, cp, NULL, err,
		    sizeof(err)) == f[i].want, "%s: wrong error (%s)", f[i].what, err);
		ck_assert_msg(err[0] != '\0', "%s: no reason given", f[i].what);
		same_snapshot(before, f[i].what);
		ck_assert_uint_eq(pki_ca_index(ca)->ncerts, 1);
	}
	/* a missing CA folder: nothing is created either */
	{
		struct pki_ca *none = NULL;
		ck_assert_eg(pki_ca_load(P(2, "no-ca"), &none, err, sizeof(err)), EG_ERR_IO);
		ck_assert_ptr_null(none);
		ck_assert_ptr_nonnull(strstr(err, "no-ca"));
		same_snapshot(before, "missing CA folder");
	}
	/* the retry of the same command works */
	ck_assert_msg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K01", 30, 0, P(1, "k.key"), P(2, "k.crt"),
	    NULL, err, sizeof(err)) == EG_OK, "%s", err);
	ck_assert_int_eq(stat(P(1, "k.key"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(P(1, "k.crt"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_uint_eq(pki_ca_index(ca)->ncerts, 2);
	ck_assert_int_eq(openssl_verify(P(1, "k.crt")), 0);
	/* a certificate may replace an earlier certificate (atomically) */
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K01", 30, 0, P(1, "k2.key"), P(2, "k.crt"),
	    NULL, err, sizeof(err)), EG_OK);
	snprintf(before_dir, sizeof(before_dir), "%s", dir);
	free(before);
	pki_ca_free(&ca);
}
END_TEST

START_TEST(test_init_is_all_or_nothing)
{
	char err[600], *before;
	struct stat st;
	int fd;

	fd = open(P(1, "afile"), O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(mkdir(P(0, "ca"), 0700), 0);	/* for the snapshot's cat */
	ck_assert_int_eq(rmdir(P(0, "ca")), 0);
	before = snapshot();
	ck_assert_eg(pki_ca_init(P(0, "ca"), "", 365, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_eg(pki_ca_init(P(0, "ca"), "A,B", 365, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_eg(pki_ca_init(P(0, "ca"), "Tab\there", 365, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_eg(pki_ca_init(P(0, "ca"), "Test CA", 0, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_eg(pki_ca_init(P(0, "afile/ca"), "Test CA", 365, err, sizeof(err)), EG_ERR_IO);
	same_snapshot(before, "a refused init");
	ck_assert_int_ne(stat(P(0, "ca"), &st), 0);
	/* the retry works, and a second init is refused without a change */
	ck_assert_eg(pki_ca_init(P(0, "ca"), "Test CA", 365, err, sizeof(err)), EG_OK);
	free(before);
	before = snapshot();
	ck_assert_eg(pki_ca_init(P(0, "ca"), "Another", 365, err, sizeof(err)), EG_ERR_STATE);
	ck_assert_ptr_nonnull(strstr(err, "already holds a CA"));
	same_snapshot(before, "a second init");
	free(before);
}
END_TEST

/* ---- enrolment ----------------------------------------------------------------------- */

static void
device_csr(const char *name, const char *cn, enum pki_role role, const char *token)
{
	char k[600], c[600], err[600];

	snprintf(k, sizeof(k), "%s/%s.key", dir, name);
	snprintf(c, sizeof(c), "%s/%s.csr", dir, name);
	if (access(k, F_OK) != 0)
		ck_assert_eg(pki_key_create(k), EG_OK);
	ck_assert_msg(pki_csr_write(k, cn, role, token, c, err, sizeof(err)) == EG_OK, "%s", err);
}

START_TEST(test_enrolment_token)
{
	struct pki_ca *ca = make_ca();
	struct pki_token_rec rec;
	struct pki_issued res;
	char err[600], tok[PKI_TOKEN_TEXT], other[PKI_TOKEN_TEXT], *before;
	const struct pki_index *idx;

	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K07", 7, tok, &rec, err, sizeof(err)),
	    EG_OK);
	ck_assert_uint_eq(strlen(tok), 39);
	ck_assert(!rec.used);
	ck_assert_int_eq(rec.expires - rec.created, 7 * 86400);
	/* the index keeps the hash, never the token */
	{
		char canon[33], *text = slurp(P(1, "ca/index.txt"), NULL);
		ck_assert_eg(pki_token_canonical(tok, canon), EG_OK);
		ck_assert_ptr_null(strstr(text, canon));
		ck_assert_ptr_null(strstr(text, tok));
		ck_assert_ptr_nonnull(strstr(text, rec.hash));
		free(text);
	}
	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K08", 7, other, NULL, err, sizeof(err)),
	    EG_OK);
	/* refusals: none burns the token, none leaves a file */
	device_csr("wrongcn", "K99", PKI_ROLE_KIOSK, tok);
	device_csr("wrongrole", "K07", PKI_ROLE_OFFICER, tok);
	device_csr("notoken", "K07", PKI_ROLE_KIOSK, NULL);
	device_csr("othertoken", "K07", PKI_ROLE_KIOSK, other);
	device_csr("unknown", "K07", PKI_ROLE_KIOSK, "0123456789abcdef0123456789abcdef");
	before = snapshot();
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "wrongcn.csr"), 30, P(2, "x.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(err, "approves CN K07"));
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "wrongrole.csr"), 30, P(2, "x.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(err, "approves a kiosk certificate"));
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "notoken.csr"), 30, P(2, "x.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(err, "no enrolment token"));
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "othertoken.csr"), 30, P(2, "x.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);	/* K08's token, K07's request */
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "unknown.csr"), 30, P(2, "x.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(err, "unknown enrolment token"));
	same_snapshot(before, "a refused enrolment");
	free(before);
	/* the right device: signed, token burnt, recorded */
	device_csr("k07", "K07", PKI_ROLE_KIOSK, tok);
	ck_assert_msg(pki_ca_sign_enrol(ca, P(1, "k07.csr"), 30, P(2, "k07.crt"), &res, err,
	    sizeof(err)) == EG_OK, "%s", err);
	ck_assert_str_eq(res.cn, "K07");
	ck_assert_int_eq(res.role, PKI_ROLE_KIOSK);
	idx = pki_ca_index(ca);
	ck_assert(idx->tokens[0].used);
	ck_assert_str_eq(idx->tokens[0].serial, res.serial);
	ck_assert(!idx->tokens[1].used);
	ck_assert_int_eq(openssl_verify(P(1, "k07.crt")), 0);
	/* used once: a second request with it (even a fresh key) is refused */
	device_csr("k07b", "K07", PKI_ROLE_KIOSK, tok);
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "k07b.csr"), 30, P(2, "k07b.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(err, "already used"));
	ck_assert_int_ne(access(P(2, "k07b.crt"), F_OK), 0);
	/* the burn is in the file, not only in memory */
	pki_ca_free(&ca);
	ca = load_ca();
	ck_assert(pki_ca_index(ca)->tokens[0].used);
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "k07b.csr"), 30, P(2, "k07b.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);
	/* tokens: role, CN and life are checked */
	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K 1", 7, other, NULL, err, sizeof(err)),
	    EG_ERR_INVAL);
	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_CA, "K1", 7, other, NULL, err, sizeof(err)),
	    EG_ERR_INVAL);
	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K1", 0, other, NULL, err, sizeof(err)),
	    EG_ERR_INVAL);
	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K1", 366, other, NULL, err, sizeof(err)),
	    EG_ERR_INVAL);
	pki_ca_free(&ca);
}
END_TEST

/* An expired token: the index is text, so move its expiry into the past. */
START_TEST(test_enrolment_token_expired)
{
	struct pki_ca *ca = make_ca();
	char err[600], tok[PKI_TOKEN_TEXT], cmd[900];

	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K07", 1, tok, NULL, err, sizeof(err)),
	    EG_OK);
	pki_ca_free(&ca);
	snprintf(cmd, sizeof(cmd), "sed -i -E 's/^(token\\t[0-9a-f]+\\tkiosk\\tK07\\t)[^\\t]+\\t[^\\t]+/"
	    "\\12020-01-01T00:00:00Z\\t2020-01-02T00:00:00Z/' '%s/ca/index.txt'", dir);
	ck_assert_int_eq(system(cmd), 0);
	ca = load_ca();
	ck_assert_int_eq(pki_ca_index(ca)->tokens[0].expires, 1577923200);
	device_csr("k07", "K07", PKI_ROLE_KIOSK, tok);
	ck_assert_eg(pki_ca_sign_enrol(ca, P(1, "k07.csr"), 30, P(2, "k07.crt"), NULL, err,
	    sizeof(err)), EG_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(err, "expired on 2020-01-02"));
	ck_assert(!pki_ca_index(ca)->tokens[0].used);
	pki_ca_free(&ca);
}
END_TEST

/* A request made by OpenSSL with a challengePassword works too: the token
 * is the standard PKCS #9 attribute. */
START_TEST(test_enrolment_openssl_request)
{
	struct pki_ca *ca = make_ca();
	char err[600], tok[PKI_TOKEN_TEXT], cmd[1600];
	FILE *f;

	ck_assert_eg(pki_ca_token_create(ca, PKI_ROLE_KIOSK, "K09", 7, tok, NULL, err, sizeof(err)),
	    EG_OK);
	ck_assert_ptr_nonnull(f = fopen(P(1, "req.cnf"), "w"));
	fprintf(f, "[req]\nprompt = no\ndistinguished_name = dn\nattributes = attr\n"
	    "[dn]\nCN = K09\nOU = kiosk\nO = egate deployment\n"
	    "[attr]\nchallengePassword = %s\n", tok);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s' && openssl ecparam -name prime256v1 -genkey -noout "
	    "-out ossl.key 2>/dev/null && openssl req -new -key ossl.key -config req.cnf "
	    "-out ossl.csr 2>/dev/null", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(pki_ca_sign_enrol(ca, P(1, "ossl.csr"), 30, P(2, "ossl.crt"), NULL, err,
	    sizeof(err)) == EG_OK, "%s", err);
	ck_assert_int_eq(openssl_verify(P(1, "ossl.crt")), 0);
	/* and ours reads back in OpenSSL with the attribute */
	device_csr("k10", "K10", PKI_ROLE_KIOSK, tok);
	snprintf(cmd, sizeof(cmd), "openssl req -in '%s/k10.csr' -noout -verify -text 2>&1 | "
	    "grep -q 'challengePassword'", dir);
	ck_assert_int_eq(system(cmd), 0);
	pki_ca_free(&ca);
}
END_TEST

START_TEST(test_csr_token_parser)
{
	mbedtls_x509_csr csr;
	char out[64];
	bool found;

	device_csr("t", "K01", PKI_ROLE_KIOSK, "aaaa-bbbb-cccc-dddd-eeee-ffff-0000-1111");
	device_csr("n", "K01", PKI_ROLE_KIOSK, NULL);
	mbedtls_x509_csr_init(&csr);
	ck_assert_int_eq(mbedtls_x509_csr_parse_file(&csr, P(1, "t.csr")), 0);
	ck_assert_eg(pki_csr_token(csr.cri.p, csr.cri.len, out, sizeof(out), &found), EG_OK);
	ck_assert(found);
	ck_assert_str_eq(out, "aaaabbbbccccddddeeeeffff00001111");	/* canonical */
	ck_assert_eg(pki_csr_token(csr.cri.p, csr.cri.len, out, 8, &found), EG_ERR_OVERFLOW);
	/* truncated or with trailing bytes: refused */
	ck_assert_int_ne(pki_csr_token(csr.cri.p, csr.cri.len - 1, out, sizeof(out), &found), EG_OK);
	mbedtls_x509_csr_free(&csr);
	mbedtls_x509_csr_init(&csr);
	ck_assert_int_eq(mbedtls_x509_csr_parse_file(&csr, P(1, "n.csr")), 0);
	ck_assert_eg(pki_csr_token(csr.cri.p, csr.cri.len, out, sizeof(out), &found), EG_OK);
	ck_assert(!found);
	mbedtls_x509_csr_free(&csr);
	{
		char canon[33];
		ck_assert_eg(pki_token_canonical("AAAA-bbbb cccc-DDDD-eeee-ffff-0000-1111", canon), EG_OK);
		ck_assert_str_eq(canon, "aaaabbbbccccddddeeeeffff00001111");
		ck_assert_eg(pki_token_canonical("aaaa-bbbb", canon), EG_ERR_FORMAT);
		ck_assert_eg(pki_token_canonical("gaaabbbbccccddddeeeeffff00001111", canon), EG_ERR_FORMAT);
		ck_assert_eg(pki_token_canonical("aaaabbbbccccddddeeeeffff000011112", canon), EG_ERR_FORMAT);
	}
}
END_TEST

/* ---- roles, renewal, states, revocation -------------------------------------------------- */

START_TEST(test_update_signer_role)
{
	struct pki_ca *ca = make_ca();
	mbedtls_x509_crt up, k;
	char err[600];

	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_UPDATE, "release-2026", 30, 0, P(1, "up.key"),
	    P(2, "up.crt"), NULL, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K01", 30, 0, P(1, "k.key"), P(2, "k.crt"),
	    NULL, err, sizeof(err)), EG_OK);
	mbedtls_x509_crt_init(&up);
	mbedtls_x509_crt_init(&k);
	ck_assert_int_eq(mbedtls_x509_crt_parse_file(&up, P(1, "up.crt")), 0);
	ck_assert_int_eq(mbedtls_x509_crt_parse_file(&k, P(1, "k.crt")), 0);
	/* codeSigning and nothing else: it can sign bundles, never open a TLS link */
	ck_assert_int_eq(mbedtls_x509_crt_check_extended_key_usage(&up, MBEDTLS_OID_CODE_SIGNING,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)), 0);
	ck_assert_int_ne(mbedtls_x509_crt_check_extended_key_usage(&up, MBEDTLS_OID_CLIENT_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)), 0);
	ck_assert_int_ne(mbedtls_x509_crt_check_extended_key_usage(&up, MBEDTLS_OID_SERVER_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)), 0);
	ck_assert_int_eq(mbedtls_x509_crt_check_key_usage(&up, MBEDTLS_X509_KU_DIGITAL_SIGNATURE), 0);
	ck_assert_int_ne(mbedtls_x509_crt_check_key_usage(&up, MBEDTLS_X509_KU_KEY_CERT_SIGN), 0);
	/* and a kiosk certificate cannot sign bundles */
	ck_assert_int_ne(mbedtls_x509_crt_check_extended_key_usage(&k, MBEDTLS_OID_CODE_SIGNING,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)), 0);
	mbedtls_x509_crt_free(&up);
	mbedtls_x509_crt_free(&k);
	ck_assert_int_eq(openssl_verify(P(1, "up.crt")), 0);
	{
		char cmd[700];
		snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s/up.crt' -noout -ext extendedKeyUsage "
		    "| grep -qx '    Code Signing'", dir);
		ck_assert_int_eq(system(cmd), 0);
	}
	/* an update request signs only as update */
	device_csr("upreq", "release-2027", PKI_ROLE_UPDATE, NULL);
	ck_assert_eg(pki_ca_sign_csr(ca, P(1, "upreq.csr"), PKI_ROLE_KIOSK, 30, 0, P(2, "x.crt"),
	    NULL, err, sizeof(err)), EG_ERR_CERT);
	ck_assert_eg(pki_ca_sign_csr(ca, P(1, "upreq.csr"), PKI_ROLE_UPDATE, 30, 0, P(2, "x.crt"),
	    NULL, err, sizeof(err)), EG_OK);
	pki_ca_free(&ca);
}
END_TEST

static void
pk_der(const char *crt_path, unsigned char *out, size_t cap, int *n)
{
	mbedtls_x509_crt c;

	mbedtls_x509_crt_init(&c);
	ck_assert_int_eq(mbedtls_x509_crt_parse_file(&c, crt_path), 0);
	*n = mbedtls_pk_write_pubkey_der(&c.pk, out, cap);
	ck_assert_int_gt(*n, 0);
	memmove(out, out + cap - (size_t)*n, (size_t)*n);
	mbedtls_x509_crt_free(&c);
}

START_TEST(test_renew_and_states)
{
	struct pki_ca *ca = make_ca();
	struct pki_issued a, b, e, x, r;
	unsigned char k1[200], k2[200];
	int n1, n2;
	char err[600], prefix[12];
	const struct pki_index *idx;
	time_t now = time(NULL);

	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K01", 5, 0, P(1, "k01.key"), P(2, "k01.crt"),
	    &a, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K02", 400, 0, P(1, "k02.key"), P(2, "k02.crt"),
	    &b, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K03", -1, 10, P(1, "k03.key"), P(2, "k03.crt"),
	    &e, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_OFFICER, "officer.x", 400, 0, P(1, "o.key"),
	    P(2, "o.crt"), &x, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_revoke_serial(ca, x.serial, err, sizeof(err)), EG_OK);
	idx = pki_ca_index(ca);
	ck_assert_int_eq(pki_cert_state(idx, 0, now, 30), PKI_STATE_VALID);	/* the CA */
	ck_assert_int_eq(pki_cert_state(idx, 1, now, 30), PKI_STATE_EXPIRING);
	ck_assert_int_eq(pki_cert_state(idx, 1, now, 3), PKI_STATE_VALID);
	ck_assert_int_eq(pki_cert_state(idx, 2, now, 30), PKI_STATE_VALID);
	ck_assert_int_eq(pki_cert_state(idx, 3, now, 30), PKI_STATE_EXPIRED);
	ck_assert_int_eq(pki_cert_state(idx, 4, now, 30), PKI_STATE_REVOKED);
	ck_assert(mbed_verify(P(1, "o.crt")) & MBEDTLS_X509_BADCERT_REVOKED);
	/* renew K01 by a serial prefix: same key, new serial, new period */
	snprintf(prefix, sizeof(prefix), "%.10s", a.serial);
	prefix[3] = (char)(prefix[3] >= 'A' ? prefix[3] + 32 : prefix[3]);	/* any case */
	ck_assert_msg(pki_ca_renew(ca, prefix, NULL, 60, P(2, "k01.crt"), &r, err, sizeof(err)) == EG_OK,
	    "%s", err);
	ck_assert_str_ne(r.serial, a.serial);
	ck_assert_str_eq(r.cn, "K01");
	ck_assert_int_ge(r.not_after, now + 59 * 86400);
	pk_der(P(1, "k01.crt"), k1, sizeof(k1), &n1);
	{
		char copy[600];
		snprintf(copy, sizeof(copy), "%s/ca/certs/%s.pem", dir, a.serial);
		pk_der(copy, k2, sizeof(k2), &n2);
	}
	ck_assert_int_eq(n1, n2);
	ck_assert_int_eq(memcmp(k1, k2, (size_t)n1), 0);
	ck_assert_uint_eq(mbed_verify(P(1, "k01.crt")), 0);
	idx = pki_ca_index(ca);
	ck_assert_int_eq(pki_cert_state(idx, 1, now, 30), PKI_STATE_SUPERSEDED);
	ck_assert_int_eq(pki_cert_state(idx, idx->ncerts - 1, now, 30), PKI_STATE_VALID);
	/* renew from the certificate file; a revoked one cannot be renewed */
	ck_assert_eg(pki_ca_renew(ca, NULL, P(1, "k02.crt"), 30, P(2, "k02b.crt"), NULL, err,
	    sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_renew(ca, x.serial, NULL, 30, P(2, "o2.crt"), NULL, err, sizeof(err)),
	    EG_ERR_STATE);
	ck_assert_ptr_nonnull(strstr(err, "revoked"));
	ck_assert_int_ne(access(P(2, "o2.crt"), F_OK), 0);
	/* prefixes: too short, not hex, unknown */
	ck_assert_eg(pki_ca_renew(ca, "4", NULL, 30, P(2, "y.crt"), NULL, err, sizeof(err)),
	    EG_ERR_INVAL);
	ck_assert_eg(pki_ca_renew(ca, "zzzzzzzzzz", NULL, 30, P(2, "y.crt"), NULL, err, sizeof(err)),
	    EG_ERR_INVAL);
	ck_assert_eg(pki_ca_renew(ca, "0000000000", NULL, 30, P(2, "y.crt"), NULL, err, sizeof(err)),
	    EG_ERR_NOT_FOUND);
	/* another CA's certificate is not renewed */
	ck_assert_eg(pki_ca_init(P(3, "other"), "Other CA", 30, err, sizeof(err)), EG_OK);
	{
		struct pki_ca *o = NULL;
		ck_assert_eg(pki_ca_load(P(3, "other"), &o, err, sizeof(err)), EG_OK);
		ck_assert_eg(pki_ca_renew(o, NULL, P(1, "k02.crt"), 30, P(2, "z.crt"), NULL, err,
		    sizeof(err)), EG_ERR_CERT);
		pki_ca_free(&o);
	}
	pki_ca_free(&ca);
}
END_TEST

/* A CA made before the index existed: it is listed as such, and revoking an
 * old certificate records it. */
START_TEST(test_ca_without_index)
{
	struct pki_ca *ca = make_ca();
	struct pki_index idx;
	struct pki_issued a;
	char err[600], copy[600];

	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K05", 30, 0, P(1, "k05.key"), P(2, "k05.crt"),
	    &a, err, sizeof(err)), EG_OK);
	pki_ca_free(&ca);
	ck_assert_int_eq(unlink(P(0, "ca/index.txt")), 0);
	snprintf(copy, sizeof(copy), "%s/ca/certs/%s.pem", dir, a.serial);
	ck_assert_int_eq(unlink(copy), 0);
	ck_assert_eg(pki_index_load(P(0, "ca"), &idx, err, sizeof(err)), EG_OK);
	ck_assert(idx.missing);
	ck_assert_uint_eq(idx.ncerts, 0);
	ca = load_ca();
	/* the CA itself is known from ca.crt */
	ck_assert_uint_eq(pki_ca_index(ca)->ncerts, 1);
	ck_assert_int_eq(pki_ca_index(ca)->certs[0].role, PKI_ROLE_CA);
	ck_assert_str_eq(pki_ca_index(ca)->certs[0].cn, "Test CA");
	ck_assert_eg(pki_ca_revoke_file(ca, P(1, "k05.crt"), err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(pki_ca_index(ca)->ncerts, 2);
	ck_assert_str_eq(pki_ca_index(ca)->certs[1].origin, "import");
	ck_assert_str_eq(pki_ca_index(ca)->certs[1].cn, "K05");
	ck_assert_str_eq(pki_ca_index(ca)->certs[1].serial, a.serial);
	ck_assert(pki_ca_index(ca)->certs[1].revoked);
	ck_assert(mbed_verify(P(1, "k05.crt")) & MBEDTLS_X509_BADCERT_REVOKED);
	/* idempotent */
	ck_assert_eg(pki_ca_revoke_file(ca, P(1, "k05.crt"), err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(pki_ca_index(ca)->ncerts, 2);
	pki_ca_free(&ca);
	/* and now on disk */
	ck_assert_eg(pki_index_load(P(0, "ca"), &idx, err, sizeof(err)), EG_OK);
	ck_assert(!idx.missing);
	ck_assert_uint_eq(idx.ncerts, 2);
	pki_index_clear(&idx);
	/* a damaged index is refused with its line, never rewritten */
	{
		FILE *f = fopen(P(1, "ca/index.txt"), "a");
		ck_assert_ptr_nonnull(f);
		fputs("cert\tbroken\n", f);
		fclose(f);
		ck_assert_eg(pki_ca_load(P(0, "ca"), &ca, err, sizeof(err)), EG_ERR_FORMAT);
		ck_assert_ptr_nonnull(strstr(err, "index.txt:"));
		ck_assert_ptr_null(ca);
	}
}
END_TEST

/* Two processes issuing at once: the lock serialises them, nothing is lost. */
START_TEST(test_concurrent_issue)
{
	enum { N = 6 };
	pid_t pid[N];
	struct pki_index idx;
	char err[600];
	struct pki_ca *ca = make_ca();

	pki_ca_free(&ca);
	for (int i = 0; i < N; i++) {
		ck_assert_int_ge(pid[i] = fork(), 0);
		if (pid[i] == 0) {
			char cn[16], k[600], c[600], e[600];
			struct pki_ca *mine = NULL;
			int ok;
			snprintf(cn, sizeof(cn), "K%02d", i);
			snprintf(k, sizeof(k), "%s/%s.key", dir, cn);
			snprintf(c, sizeof(c), "%s/%s.crt", dir, cn);
			ok = pki_ca_load(P(0, "ca"), &mine, e, sizeof(e)) == EG_OK &&
			    pki_ca_issue(mine, PKI_ROLE_KIOSK, cn, 30, 0, k, c, NULL, e, sizeof(e)) == EG_OK;
			pki_ca_free(&mine);
			_exit(ok ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_eg(pki_index_load(P(0, "ca"), &idx, err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(idx.ncerts, N + 1);
	pki_index_clear(&idx);
}
END_TEST

/* egate-host's warnings: expiring and expired certificates, the CRL. */
START_TEST(test_expiry_log)
{
	struct pki_ca *ca = make_ca();
	struct eg_log lg;
	char err[600], *buf = NULL;
	size_t len = 0;
	FILE *f;
	time_t now = time(NULL);

	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_HOST, "egate-host", 10, 0, P(1, "h.key"),
	    P(2, "h.crt"), NULL, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_HOST, "old-host", -1, 10, P(1, "o.key"),
	    P(2, "o.crt"), NULL, err, sizeof(err)), EG_OK);
	pki_ca_free(&ca);
	const char *paths[] = { P(0, "ca/ca.crt"), P(1, "h.crt"), P(2, "o.crt"), P(3, "ca/ca.crl"),
		P(4, "missing.crt"), NULL, "" };
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	eg_log_init(&lg, "test");
	lg.out = f;
	lg.timestamps = false;
	/* CA 365 days: quiet; host 10 days: warned; old: expired; CRL 30 days:
	 * quiet at 7 days, warned at 31 */
	ck_assert_int_eq(pki_log_expiry(&lg, paths, 7, 30, 7, now), 2);
	fflush(f);
	ck_assert_ptr_nonnull(strstr(buf, "event=pki.expiring"));
	ck_assert_ptr_nonnull(strstr(buf, "cn=egate-host"));
	ck_assert_ptr_nonnull(strstr(buf, "days_left=10"));
	ck_assert_ptr_nonnull(strstr(buf, "event=pki.expired"));
	ck_assert_ptr_nonnull(strstr(buf, "cn=old-host"));
	ck_assert_ptr_nonnull(strstr(buf, "event=pki.unreadable"));
	ck_assert_ptr_null(strstr(buf, "cn=\"Test CA\""));
	ck_assert_ptr_null(strstr(buf, "what=crl"));
	ck_assert_int_eq(pki_log_expiry(&lg, paths + 3, 1, 30, 31, now), 1);
	fflush(f);
	ck_assert_ptr_nonnull(strstr(buf, "what=crl"));
	/* a year from now everything has expired */
	ck_assert_int_eq(pki_log_expiry(&lg, paths, 4, 30, 7, now + 400 * 86400), 4);
	fclose(f);
	free(buf);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("pki");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_issue_and_verify_both_ways);
	tcase_add_test(tc, test_revocation_seen_by_mbedtls_and_openssl);
	tcase_add_test(tc, test_expired_certificate);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_secret_for_audit);
	tcase_add_test(tc, test_index_records_every_certificate);
	tcase_add_test(tc, test_index_parser_is_strict);
	tcase_add_test(tc, test_issue_is_all_or_nothing);
	tcase_add_test(tc, test_init_is_all_or_nothing);
	tcase_add_test(tc, test_enrolment_token);
	tcase_add_test(tc, test_enrolment_token_expired);
	tcase_add_test(tc, test_enrolment_openssl_request);
	tcase_add_test(tc, test_csr_token_parser);
	tcase_add_test(tc, test_update_signer_role);
	tcase_add_test(tc, test_renew_and_states);
	tcase_add_test(tc, test_ca_without_index);
	tcase_add_test(tc, test_concurrent_issue);
	tcase_add_test(tc, test_expiry_log);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
