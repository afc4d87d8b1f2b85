/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_audit_anchor — the parser of externally held audit checkpoints
 * (`egate audit verify --anchor FILE`). The format is canonical: whatever
 * parses must format back to exactly the input bytes.
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

	if (audit_anchor_parse((const char *)data, size, &a) != EG_OK)
		return 0;
	if (audit_anchor_format(&a, out, sizeof(out)) != EG_OK)
		abort();
	if (strlen(out) != size || memcmp(out, data, size) != 0)
		abort();
	return 0;
}
