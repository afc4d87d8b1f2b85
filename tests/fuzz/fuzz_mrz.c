/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_mrz — parse arbitrary bytes as an MRZ, as one text and as an array
 * of lines, and check the result's invariants: the return value agrees
 * with the recorded errors, every string is terminated inside its field,
 * and MRZ information can be built exactly when its fields are sound. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(a) (strnlen((a), sizeof(a)) < sizeof(a))

static void
check_result(const struct mrz_result *r, int err)
{
	char info[MRZ_BAC_INFO_MAX];
	size_t len;
	int b;

	if (r->err != err)
		abort();
	if (err == EG_OK && (r->nerrors != 0 || r->format == MRZ_FORMAT_UNKNOWN))
		abort();
	if (err != EG_OK && err != EG_ERR_INVAL && r->nerrors == 0)
		abort();
	if (r->nerrors > MRZ_MAX_ERRORS)
		abort();
	for (size_t i = 0; i < r->nerrors; i++)
		if (!TERMINATED(r->errors[i].reason) || r->errors[i].reason[0] == '\0')
			abort();
	if (!TERMINATED(r->document_code) || !TERMINATED(r->issuing_state) ||
	    !TERMINATED(r->primary_id) || !TERMINATED(r->secondary_id) ||
	    !TERMINATED(r->document_number) || !TERMINATED(r->nationality) ||
	    !TERMINATED(r->birth_date_raw) || !TERMINATED(r->expiry_date_raw) ||
	    !TERMINATED(r->optional_data_1) || !TERMINATED(r->optional_data_2))
		abort();
	b = mrz_bac_info(r, info, sizeof(info), &len);
	if (err == EG_OK && b != EG_OK)
		abort();
	if (b == EG_OK && (len < 9 + 1 + 7 + 7 || len >= sizeof(info) || strlen(info) != len))
		abort();
	if (r->format == MRZ_FORMAT_UNKNOWN && b != EG_ERR_STATE)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mrz_date today = { 2026, 11, 29 };
	struct mrz_result r;
	struct mrz_date alt;
	char *lines[4] = { NULL, NULL, NULL, NULL };
	size_t nlines = 0, start = 0;
	int err;

	err = mrz_parse_text((const char *)data, size, &today, &r);
	check_result(&r, err);

	/* another reference date, taken from the first byte */
	if (size > 0) {
		alt.year = 1900 + data[0];
		alt.month = 1 + data[0] % 12;
		alt.day = 1 + data[0] % 28;
		err = mrz_parse_text((const char *)data, size, &alt, &r);
		check_result(&r, err);
	}

	/* the array form: split on LF, each line its own exact allocation */
	for (size_t i = 0; i <= size && nlines < 4; i++) {
		if (i < size && data[i] != '\n')
			continue;
		lines[nlines] = malloc(i - start + 1);
		if (lines[nlines] == NULL)
			goto out;
		memcpy(lines[nlines], data + start, i - start);
		lines[nlines][i - start] = '\0';
		nlines++;
		start = i + 1;
	}
	err = mrz_parse((const char *const *)lines, nlines, &today, &r);
	check_result(&r, err);
out:
	for (size_t i = 0; i < 4; i++)
		free(lines[i]);
	mrz_result_clear(&r);
	return 0;
}
