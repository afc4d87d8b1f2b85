/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cardsec — untrusted bytes as EF.CardSecurity: cardsec_parse (CMS
 * SignedData, eContentType id-SecurityObject, the SecurityInfos),
 * cardsec_ca_key, and cardsec_verify against an empty trust store (its
 * CMS checks run; the chain cannot succeed).
 * Invariants: the CA key cardsec_ca_key returns lies inside the input;
 * cardsec_verify never succeeds without a trusted CSCA.
 */
#include <stdlib.h>

#include "docauth/cardsec.h"
#include "egate/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csca_store *store = NULL;
	const struct lds_secinfo *k;
	struct cardsec cs;
	char why[200];

	if (cardsec_parse(data, size, &cs) == EG_OK) {
		CHECK(cs.si.n <= LDS_MAX_SECINFOS);
		if ((k = cardsec_ca_key(&cs)) != NULL)
			CHECK(k->spki >= data && k->spki + k->spki_len <= data + size);
	}
	CHECK(csca_store_new(&store) == EG_OK);
	CHECK(cardsec_verify(data, size, store, 0x70000000, &cs, why,
	    sizeof(why)) != EG_OK);
	csca_store_free(&store);
	return 0;
}
