/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every loader of a private key refuses a key file that group or others can
 * read (egate/keyfile.h), with a reason that names the file and the fix,
 * and accepts the same file once it is chmod 600:
 *   - TLS keys (common/src/tls.c): the host's (server side), a kiosk's and
 *     an officer's (client side) — egate-host, egate-kiosk's uplink and
 *     `egate officer` all load their key through eg_tls_conf_new();
 *   - the kiosk's uplink (firmware/uplink), end to end;
 *   - the host's audit keys (checkpoint signing key, identifier HMAC key);
 *   - the host key that opens sealed identifiers (proto/seal.c);
 *   - the CA key (host/pki) and a device key used for a CSR.
 * `egate officer` itself is checked from the command line in
 * tests/cli/test_pki_cli.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tls.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "pki.h"
#include "seal.h"
#include "uplink.h"

static char dir[160];

static const char *
P(int slot, const char *name)
{
	static char buf[8][224];

	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", dir, name);
	return buf[slot];
}

static void
setup(void)
{
	struct pki_ca *ca = NULL;
	char err[600];

	eg_scratch_mkdir(dir, sizeof(dir), "egate-keyperm");
	ck_assert_eg(pki_ca_init(P(0, "ca"), "Key Test CA", 30, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_load(P(0, "ca"), &ca, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_HOST, "egate-host", 30, 0, P(1, "host.key"),
	    P(2, "host.crt"), NULL, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_KIOSK, "K01", 30, 0, P(1, "k01.key"),
	    P(2, "k01.crt"), NULL, err, sizeof(err)), EG_OK);
	ck_assert_eg(pki_ca_issue(ca, PKI_ROLE_OFFICER, "officer.kim", 30, 0, P(1, "officer.key"),
	    P(2, "officer.crt"), NULL, err, sizeof(err)), EG_OK);
	pki_ca_free(&ca);
}

static void
teardown(void)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* eg_tls_conf_new on (cert, key) with the key at `mode`. */
static int
tls_with(enum eg_tls_side side, const char *cert, const char *key, mode_t mode, char *err,
    size_t errlen)
{
	struct eg_tls_conf *c = NULL;
	int rc;

	ck_assert_int_eq(chmod(key, mode), 0);
	err[0] = '\0';
	rc = eg_tls_conf_new(&c, side, P(7, "ca/ca.crt"), NULL, cert, key, err, errlen);
	eg_tls_conf_free(&c);
	return rc;
}

START_TEST(test_tls_keys)
{
	static const struct { enum eg_tls_side side; const char *who; } t[] = {
		{ EG_TLS_SERVER, "host" },	/* egate-host */
		{ EG_TLS_CLIENT, "k01" },	/* egate-kiosk's uplink */
		{ EG_TLS_CLIENT, "officer" },	/* egate officer */
	};
	static const mode_t loose[] = { 0644, 0640, 0604 };
	char err[400], cert[40], key[40];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(cert, sizeof(cert), "%s.crt", t[i].who);
		snprintf(key, sizeof(key), "%s.key", t[i].who);
		for (size_t m = 0; m < sizeof(loose) / sizeof(loose[0]); m++) {
			ck_assert_eg(tls_with(t[i].side, P(3, cert), P(4, key), loose[m], err,
			    sizeof(err)), EG_ERR_PERM);
			ck_assert_msg(strstr(err, P(4, key)) != NULL && strstr(err, "chmod 600") != NULL,
			    "reason: %s", err);
		}
		ck_assert_eg(tls_with(t[i].side, P(3, cert), P(4, key), 0600, err, sizeof(err)), EG_OK);
		ck_assert_eg(tls_with(t[i].side, P(3, cert), P(4, key), 0400, err, sizeof(err)), EG_OK);
	}
}
END_TEST

START_TEST(test_kiosk_uplink)
{
	struct uplink_conf c;
	struct uplink *u = NULL;

	memset(&c, 0, sizeof(c));
	c.host = "127.0.0.1";
	c.port = 9;
	c.server_name = "egate-host";
	c.ca = P(0, "ca/ca.crt");
	c.cert = P(1, "k01.crt");
	c.key = P(2, "k01.key");
	c.spool_path = P(3, "spool.db");
	c.kiosk_id = "K01";
	ck_assert_int_eq(chmod(c.key, 0644), 0);
	ck_assert_int_ne(uplink_new(&c, &u), EG_OK);
	ck_assert_ptr_null(u);
	ck_assert_int_eq(chmod(c.key, 0600), 0);
	ck_assert_eg(uplink_new(&c, &u), EG_OK);
	uplink_free(&u);
}
END_TEST

START_TEST(test_audit_keys)
{
	char *pem = NULL;
	uint8_t *key = NULL;
	size_t len = 0;

	/* the checkpoint signing key */
	ck_assert_int_eq(chmod(P(0, "host.key"), 0644), 0);
	ck_assert_eg(audit_pem_load(P(0, "host.key"), true, &pem, &len), EG_ERR_PERM);
	ck_assert_ptr_null(pem);
	ck_assert_int_eq(chmod(P(0, "host.key"), 0600), 0);
	ck_assert_eg(audit_pem_load(P(0, "host.key"), true, &pem, &len), EG_OK);
	eg_secret_free(&pem, len + 1);
	/* a public file (certificate, public key) needs no such care */
	ck_assert_eg(audit_pem_load(P(0, "host.crt"), false, &pem, &len), EG_OK);
	eg_secret_free(&pem, len + 1);
	/* the identifier HMAC key */
	ck_assert_eg(pki_secret_create(P(1, "id.hmac"), 32), EG_OK);
	ck_assert_int_eq(chmod(P(1, "id.hmac"), 0640), 0);
	ck_assert_eg(audit_hmac_key_load(P(1, "id.hmac"), &key, &len), EG_ERR_PERM);
	ck_assert_ptr_null(key);
	ck_assert_int_eq(chmod(P(1, "id.hmac"), 0600), 0);
	ck_assert_eg(audit_hmac_key_load(P(1, "id.hmac"), &key, &len), EG_OK);
	eg_secret_free(&key, len);
}
END_TEST

/* the host's key that opens sealed identifiers (proto/seal.c) */
START_TEST(test_seal_key)
{
	struct seal_key *k = NULL;
	char err[400];

	ck_assert_int_eq(chmod(P(0, "host.key"), 0604), 0);
	ck_assert_eg(seal_key_from_private(P(0, "host.key"), &k, err, sizeof(err)), EG_ERR_PERM);
	ck_assert_ptr_null(k);
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	ck_assert_int_eq(chmod(P(0, "host.key"), 0600), 0);
	ck_assert_eg(seal_key_from_private(P(0, "host.key"), &k, err, sizeof(err)), EG_OK);
	seal_key_free(&k);
}
END_TEST

START_TEST(test_ca_and_device_keys)
{
	struct pki_ca *ca = NULL;
	char err[600];

	ck_assert_int_eq(chmod(P(0, "ca/ca.key"), 0640), 0);
	ck_assert_eg(pki_ca_load(P(1, "ca"), &ca, err, sizeof(err)), EG_ERR_PERM);
	ck_assert_ptr_null(ca);
	ck_assert_ptr_nonnull(strstr(err, "ca.key"));
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	ck_assert_int_eq(chmod(P(0, "ca/ca.key"), 0600), 0);
	ck_assert_eg(pki_ca_load(P(1, "ca"), &ca, err, sizeof(err)), EG_OK);
	pki_ca_free(&ca);
	/* the device key a CSR is made with */
	ck_assert_eg(pki_key_create(P(2, "dev.key")), EG_OK);
	ck_assert_int_eq(chmod(P(2, "dev.key"), 0644), 0);
	ck_assert_eg(pki_csr_write(P(2, "dev.key"), "K02", PKI_ROLE_KIOSK, NULL, P(3, "dev.csr"),
	    err, sizeof(err)), EG_ERR_PERM);
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	ck_assert_int_ne(access(P(3, "dev.csr"), F_OK), 0);
	ck_assert_int_eq(chmod(P(2, "dev.key"), 0600), 0);
	ck_assert_eg(pki_csr_write(P(2, "dev.key"), "K02", PKI_ROLE_KIOSK, NULL, P(3, "dev.csr"),
	    err, sizeof(err)), EG_OK);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("keyperm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tls_keys);
	tcase_add_test(tc, test_kiosk_uplink);
	tcase_add_test(tc, test_audit_keys);
	tcase_add_test(tc, test_seal_key);
	tcase_add_test(tc, test_ca_and_device_keys);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
