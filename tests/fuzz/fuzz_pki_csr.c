/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_pki_csr — arbitrary bytes as a CSR's CertificationRequestInfo, from
 * which the CA reads the enrolment token (pki_csr_token, host/pki). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "egate/error.h"
#include "pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[256];
	bool found = false;

	if (pki_csr_token(data, size, out, sizeof(out), &found) == EG_OK && found) {
		size_t n = strlen(out);
		if (n == 0 || n >= sizeof(out))
			__builtin_trap();
		for (size_t i = 0; i < n; i++)
			if (out[i] < 0x20 || out[i] > 0x7e)
				__builtin_trap();	/* only printable text comes out */
	}
	return 0;
}
