/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_gallery — gallery files (firmware/match/src/match_io.c). The checksum
 * is checked on one pass and skipped on another, so mutated inputs also reach
 * the field and value checks behind it; whatever loads is searched on both
 * paths (compact codes, which the loader derives from the rows, and exact). */
#include <math.h>
#include <stdlib.h>

#include "egate/error.h"
#include "egate/match.h"
#include "match_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct match_params p = { .threads = 2, .max_nq = 2, .max_k = 4, .rescore_k = 4 };
	struct match_gallery *g = NULL;
	static const float one = 1.0f;
	float q[2 * MATCH_DIM_MAX];
	struct match_hit hits[2 * 4];
	size_t i, d;

	if (match_gallery_load(data, size, &p, &g) == EG_OK)
		match_gallery_free(&g);
	if (match_gallery_parse(data, size, &p, 0, &g) != EG_OK)
		return 0;
	d = match_gallery_dim(g);
	for (i = 0; i < 2 * d; i++)
		q[i] = (i % d == 0 ? one : 0.0f);
	for (int path = 0; path < 2; path++) {
		if (path == 1 && match_gallery_set_search(g, MATCH_SEARCH_EXACT, 0) != EG_OK)
			abort();
		if (match_gallery_search(g, q, 2, 4, hits) != EG_OK)
			abort();
		for (i = 0; i < 4 && i < match_gallery_size(g); i++)
			if (isnan(hits[i].score) || hits[i].id == MATCH_ID_NONE)
				abort();
	}
	match_gallery_free(&g);
	return 0;
}
