/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_seal_plain — the plaintext parser behind seal_open (seal_plain_parse).
 * A blob's tag keeps mutated bytes away from it in fuzz_seal.c, so it gets
 * its own target: any bytes as an opened plaintext. What parses must be
 * two strings within the limits that, re-packed with protobuf-c, parse to
 * the same values.
 * Seeds: corpus/seal_plain/ (packed Identifiers, valid and not).
 */
#include <stdlib.h>
#include <string.h>

#include "egate.pb-c.h"
#include "egate/error.h"
#include "seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];
	char doc2[SEAL_FIELD_MAX + 1], name2[SEAL_FIELD_MAX + 1];
	uint8_t again[2 * (SEAL_FIELD_MAX + 3)];
	Egate__Identifiers ids;
	size_t n;

	if (seal_plain_parse(data, size, doc, sizeof(doc), name, sizeof(name)) != EG_OK)
		return 0;
	if (strlen(doc) > SEAL_FIELD_MAX || strlen(name) > SEAL_FIELD_MAX)
		abort();
	egate__identifiers__init(&ids);
	ids.document_number = doc;
	ids.holder_name = name;
	n = egate__identifiers__get_packed_size(&ids);
	if (n > sizeof(again))
		abort();
	egate__identifiers__pack(&ids, again);
	if (seal_plain_parse(again, n, doc2, sizeof(doc2), name2, sizeof(name2)) != EG_OK ||
	    strcmp(doc, doc2) != 0 || strcmp(name, name2) != 0)
		abort();
	return 0;
}
