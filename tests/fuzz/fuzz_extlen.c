/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_extlen — the extended-length parsers of icao/extlen.h: the input is
 * parsed as an ATR (icao_atr_caps_parse) and as EF.ATR/INFO contents
 * (icao_atr_info_parse); whatever EF.ATR/INFO yields is then used as a
 * response limit, and the READ BINARY chunk chosen for it must fit it.
 */
#include <stdlib.h>

#include "egate/error.h"
#include "icao/extlen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t blocks[] = { 0, 8, 16 };
	struct icao_atr_caps caps;
	size_t mc = 0, mr = 0, n;

	if (icao_atr_caps_parse(data, size, &caps) != EG_OK &&
	    (caps.compact || caps.ext_length || caps.ext_info))
		abort();	/* nothing claimed on a failed parse */
	if (icao_atr_info_parse(data, size, &mc, &mr) != EG_OK)
		return 0;
	if (mc < 5 || mr < 5 || mc > 65544 || mr > 65544)
		abort();
	for (size_t i = 0; i < 3; i++) {
		n = icao_read_chunk_fit(mr, blocks[i]);
		if (n > 0 && icao_sm_rapdu_len(n + ICAO_READ_B1_HDR_MAX, blocks[i]) > mr)
			abort();
		if (icao_sm_rapdu_len(n + 1 + ICAO_READ_B1_HDR_MAX, blocks[i]) <= mr &&
		    n < 65536 - 8)
			abort();	/* not the largest */
	}
	return 0;
}
