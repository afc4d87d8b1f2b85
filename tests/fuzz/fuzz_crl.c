/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_crl — CSCA CRLs (docauth crl.h): parsing (BER lengths, entries,
 * extensions, UTCTime and GeneralizedTime), the signature against the
 * fixed CSCA of the corpus, entry lookup, and the store taking the same
 * bytes as a CRL file (DER or PEM).
 */
#include <stdint.h>
#include <stdlib.h>

#include "egate/error.h"
#include "docauth/crl.h"
#include "docauth/csca.h"
#include "fuzz_docauth_csca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crl *c = NULL;
	struct cert *ca = NULL;
	struct csca_store *s = NULL;

	if (cert_parse(fuzz_csca_der, sizeof(fuzz_csca_der), &ca) != EG_OK)
		abort();
	if (crl_parse(data, size, &c) == EG_OK) {
		if (c->n_revoked > CRL_MAX_ENTRIES)
			abort();
		for (size_t i = 0; i < c->n_revoked; i++)
			if (crl_find(c, c->revoked[i].serial.p, c->revoked[i].serial.len) == NULL)
				abort();
		(void)crl_find(c, (const uint8_t *)"\x02", 1);
		(void)crl_current_at(c, 1780315200);
		(void)crl_verify_signed_by(c, ca, NULL, 0);
	}
	if (csca_store_new(&s) != EG_OK)
		abort();
	/* entry by entry: a CRL followed by junk is kept (and the junk
	 * reported); success means at least one CRL was taken */
	if (size > 0 && csca_store_add_crl(s, data, size) == EG_OK && csca_store_crl_count(s) == 0)
		abort();
	csca_store_free(&s);
	crl_free(&c);
	cert_free(&ca);
	return 0;
}
