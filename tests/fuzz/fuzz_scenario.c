/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_scenario — parse arbitrary bytes as a kiosk scenario file
 * (firmware/kiosk/scenario.h) and check what a parsed scenario promises:
 * 1..SCENARIO_MAX_PASSAGES passages, each named, with a traveller, NUL-
 * terminated fields within their arrays, known enum values; and on failure
 * an error naming the file and a zeroed result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
terminated(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scenario s;
	char err[256];
	int ret;

	ret = scenario_parse((const char *)data, size, "f.ini", &s, err, sizeof(err));
	if (ret != EG_OK) {
		if ((ret != EG_ERR_FORMAT && ret != EG_ERR_OVERFLOW && ret != EG_ERR_NOMEM) ||
		    (ret != EG_ERR_NOMEM && strncmp(err, "f.ini", 5) != 0) || s.n != 0)
			abort();
		return 0;
	}
	if (s.n == 0 || s.n > SCENARIO_MAX_PASSAGES || s.nwatch > SCENARIO_MAX_WATCHLIST)
		abort();
	terminated(s.name, sizeof(s.name));
	terminated(s.description, sizeof(s.description));
	for (size_t i = 0; i < s.nwatch; i++)
		terminated(s.watch[i], sizeof(s.watch[i]));
	for (size_t i = 0; i < s.n; i++) {
		const struct scenario_passage *p = &s.p[i];

		terminated(p->name, sizeof(p->name));
		terminated(p->traveller, sizeof(p->traveller));
		terminated(p->camera_arg, sizeof(p->camera_arg));
		terminated(p->expect_rule, sizeof(p->expect_rule));
		terminated(p->expiry, sizeof(p->expiry));
		if (p->name[0] == '\0' || p->traveller[0] == '\0' ||
		    (unsigned)p->camera > SC_CAM_SCENE || (unsigned)p->expect > SC_EXPECT_ABANDONED ||
		    (p->camera != SC_CAM_EMPTY && p->camera_arg[0] == '\0') ||
		    (p->expiry[0] != '\0' && strlen(p->expiry) != 6))
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(s.p[j].name, p->name) == 0)
				abort();
	}
	return 0;
}
