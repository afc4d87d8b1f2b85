/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_scene — parse arbitrary bytes as a scene script and check what a
 * parsed scene promises: events in time order starting with a show at 0,
 * image indexes in range, arguments within limits, and an error message
 * naming the file on every failure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "scene.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scene *s = NULL;
	char err[256];
	int ret;

	ret = scene_parse((const char *)data, size, "f.scene", &s, err, sizeof(err));
	if (ret != EG_OK) {
		if (s != NULL || (ret != EG_ERR_FORMAT && ret != EG_ERR_NOMEM) ||
		    strncmp(err, "f.scene:", 8) != 0)
			abort();
		return 0;
	}
	if (s == NULL || s->nevents == 0 || s->nevents > SCENE_MAX_EVENTS ||
	    s->nimages == 0 || s->nimages > SCENE_MAX_IMAGES ||
	    s->fps == 0 || s->fps > SCENE_MAX_FPS)
		abort();
	if (s->events[0].op != SCENE_SHOW || s->events[0].at_ms != 0)
		abort();
	for (size_t i = 0; i < s->nevents; i++) {
		const struct scene_event *ev = &s->events[i];

		if (i > 0 && ev->at_ms < s->events[i - 1].at_ms)
			abort();
		if (ev->at_ms > SCENE_MAX_MS)
			abort();
		if (ev->op == SCENE_SHOW && ev->arg >= s->nimages)
			abort();
		if (ev->op == SCENE_DROP && (ev->arg == 0 || ev->arg > SCENE_MAX_DROP))
			abort();
		if ((ev->op == SCENE_UNPLUG || ev->op == SCENE_LOOP) && i + 1 != s->nevents)
			abort();
	}
	for (size_t i = 0; i < s->nimages; i++) {
		size_t n = strlen(s->images[i]);

		if (n == 0 || n > SCENE_MAX_PATH)
			abort();
	}
	scene_free(&s);
	return 0;
}
