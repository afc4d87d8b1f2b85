/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_lds — the LDS parsers, chosen by the first byte (the file's tag):
 * 60 EF.COM, 61 DG1, 6B DG11, 6C DG12, 6E DG14, 6F DG15, 31 EF.CardAccess,
 * 75 DG2 (locating the biometric template only);
 * any other first byte runs every parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "docauth/lds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
in_input(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (n > 0 && (p < data || p + n > data + size))
		abort();
}

static void
run(uint8_t which, const uint8_t *data, size_t size)
{
	struct lds_com c;
	struct lds_dg1 d1;
	struct lds_fields f;
	struct lds_secinfos si;
	struct lds_dg15 d15;

	switch (which) {
	case 0x60:
		if (lds_com_parse(data, size, &c) == EG_OK && c.n_tags > LDS_MAX_DG)
			abort();
		break;
	case 0x61:
		if (lds_dg1_parse(data, size, &d1) == EG_OK &&
		    (strlen(d1.mrz) != d1.len || d1.n_lines * d1.line_len != d1.len))
			abort();
		break;
	case 0x6B:
	case 0x6C:
		if ((which == 0x6B ? lds_dg11_parse : lds_dg12_parse)(data, size, &f) == EG_OK)
			for (size_t i = 0; i < f.n; i++)
				in_input(f.f[i].p, f.f[i].len, data, size);
		break;
	case 0x6E:
	case 0x31:
		if ((which == 0x6E ? lds_dg14_parse : lds_cardaccess_parse)(data, size, &si) == EG_OK)
			for (size_t i = 0; i < si.n; i++) {
				in_input(si.si[i].spki, si.si[i].spki_len, data, size);
				(void)lds_pace_param_str(si.si[i].param_id);
			}
		break;
	case 0x75: {
		const uint8_t *bit;
		size_t n;

		if (lds_dg2_locate(data, size, &bit, &n) == EG_OK)
			in_input(bit, n, data, size);
		break;
	}
	case 0x6F:
		if (lds_dg15_parse(data, size, &d15) == EG_OK)
			in_input(d15.spki, d15.spki_len, data, size);
		lds_dg15_free(&d15);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t all[] = { 0x60, 0x61, 0x6B, 0x6C, 0x6E, 0x6F, 0x31, 0x75 };

	if (size == 0)
		return 0;
	if (memchr(all, data[0], sizeof(all)) != NULL) {
		run(data[0], data, size);
	} else {
		for (size_t i = 0; i < sizeof(all); i++)
			run(all[i], data, size);
	}
	return 0;
}
