/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_masterlist — an ICAO CSCA master list (CMS SignedData) loaded into a
 * store whose one anchor is the seed corpus's CSCA (fuzz_docauth_csca.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "egate/error.h"
#include "docauth/csca.h"
#include "fuzz_docauth_csca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csca_store *s = NULL;
	char why[200];
	size_t n = 0;
	int ret;

	if (csca_store_new(&s) != EG_OK ||
	    csca_store_add_cert(s, fuzz_csca_der, sizeof(fuzz_csca_der)) != EG_OK)
		abort();
	ret = csca_store_add_masterlist(s, data, size, 1780315200, &n, why, sizeof(why));
	/* nothing is added unless the list was accepted */
	if ((ret != EG_OK && (n != 0 || csca_store_count(s) != 1)) ||
	    (ret == EG_OK && csca_store_count(s) != 1 + n))
		abort();
	/* the same bytes as a CRL must not upset the store */
	(void)csca_store_add_crl(s, data, size);
	csca_store_free(&s);
	return 0;
}
