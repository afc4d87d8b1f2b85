/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_audit_anchor — the parser of externally held audit checkpoints
 * (`egate audit verify --anchor FILE`: schema-1 text or a signed note) and
 * of witness requests (`egate witness cosign`). The checkpoint format is
 * canonical: whatever parses must format back to exactly the input bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "egate/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_anchor a;
	char out[AUDIT_ANCHOR_TEXT_MAX];
	uint8_t proof[AUDIT_PROOF_MAX][AUDIT_HASH_LEN];
	uint64_t old;
	size_t k;

	if (audit_witness_request_parse((const char *)data, size, &old, proof, &k, &a) == EG_OK &&
	    k > 63)
		abort();
	if (audit_anchor_parse((const char *)data, size, &a) != EG_OK)
		return 0;
	if (audit_anchor_format(&a, out, sizeof(out)) != EG_OK)
		abort();
	if (strlen(out) != size || memcmp(out, data, size) != 0)
		abort();
	return 0;
}
