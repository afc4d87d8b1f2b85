/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cert — X.509 certificates and names of the eMRTD PKI (docauth
 * cert.h): BER lengths, extensions, explicit-parameter keys; the same
 * bytes as a bare Name. Name matching must be symmetric, and equal names
 * are equal in any order; a certificate checked against the fixed CSCA of
 * the corpus (fuzz_docauth_csca.h) and against itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "docauth/cert.h"
#include "fuzz_docauth_csca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
names(const struct cert_name *a, const struct cert_name *b)
{
	char s[300], c[4];

	if (cert_name_eq(a, b) != cert_name_eq(b, a) ||
	    cert_name_eq_any_order(a, b) != cert_name_eq_any_order(b, a))
		abort();
	if (cert_name_eq(a, b) && a->n > 0 && !cert_name_eq_any_order(a, b))
		abort();
	if (a->n > 0 && !cert_name_eq(a, a))
		abort();
	cert_name_str(a, s, sizeof(s));
	if (strlen(s) >= sizeof(s))
		abort();
	(void)cert_name_country(a, c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert *c = NULL, *ca = NULL;
	struct cert_name n;
	char fp[65];

	if (cert_parse(fuzz_csca_der, sizeof(fuzz_csca_der), &ca) != EG_OK)
		abort();
	if (cert_parse(data, size, &c) == EG_OK) {
		if (c->der_len != size || c->tbs.p < c->der || c->tbs.p + c->tbs.len > c->der + size)
			abort();
		names(&c->subject, &c->issuer);
		names(&c->subject, &ca->subject);
		(void)cert_verify_signed_by(c, ca, NULL, 0);
		(void)cert_verify_signed_by(ca, c, NULL, 0);
		(void)cert_is_self_signed(c);
		cert_fingerprint(c, fp);
		if (strlen(fp) != 64)
			abort();
	}
	if (data != NULL && cert_name_parse(data, size, &n) == EG_OK)
		names(&n, &ca->issuer);
	cert_free(&c);
	cert_free(&ca);
	return 0;
}
