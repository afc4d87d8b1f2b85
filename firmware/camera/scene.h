/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scene.h — the scene scripts of the simulated camera (docs/camera.md).
 *
 *   # a traveller steps in, looks at the camera, leaves
 *   fps 15
 *   at 0s     show empty.jpg
 *   at 1.0s   show traveller.jpg
 *   at 2.5s   drop 3
 *   at 4s     show empty.jpg
 *   at 6s     unplug
 *
 * One statement per line; '#' starts a comment line; blank lines are ignored.
 *   fps N                 frame rate, 1..240 (default 30), before any event
 *   at TIME show FILE     from TIME on, frames show FILE (path relative to the
 *                         scene file; the rest of the line, trimmed)
 *   at TIME drop N        the next N frames from TIME are lost (1..100000)
 *   at TIME unplug        the camera disappears: EG_ERR_NO_DEVICE
 *   at TIME loop          start again from 0s
 * TIME is seconds ("2", "2.5s", "0.125s") or milliseconds ("250ms").
 * Times never go backwards; the first event is "at 0s show FILE"; nothing
 * may follow an unplug or a loop.
 *
 * The parser reads untrusted-ish text: bounded, and every error names
 * file:line. Fuzzed by tests/fuzz/fuzz_scene.c.
 */
#ifndef EGATE_SCENE_H
#define EGATE_SCENE_H

#include <stddef.h>
#include <stdint.h>

#define SCENE_MAX_LINE 512
#define SCENE_MAX_EVENTS 1024
#define SCENE_MAX_IMAGES 64
#define SCENE_MAX_PATH 255
#define SCENE_MAX_MS (86400u * 1000u)
#define SCENE_MAX_FPS 240
#define SCENE_MAX_DROP 100000

enum scene_op {
	SCENE_SHOW,
	SCENE_DROP,
	SCENE_UNPLUG,
	SCENE_LOOP,
};

struct scene_event {
	uint32_t at_ms;
	enum scene_op op;
	uint32_t arg;		/* SHOW: index into images; DROP: frame count */
	unsigned line;
};

struct scene {
	uint32_t fps;
	size_t nevents;
	struct scene_event *events;
	size_t nimages;
	char **images;		/* distinct file names as written */
};

/*
 * scene_parse — parse len bytes of text (need not be NUL-terminated; a NUL
 * byte is an error). name is used in messages ("name:LINE: ..."). On EG_OK
 * *out is a new scene (scene_free). On failure err (errlen bytes, may be
 * NULL) holds one line naming the place and the problem.
 * Errors: EG_ERR_FORMAT (syntax, order, limits), EG_ERR_NOMEM.
 */
int scene_parse(const char *text, size_t len, const char *name, struct scene **out,
    char *err, size_t errlen);

/* scene_free — NULL-safe; *s = NULL. */
void scene_free(struct scene **s);

/* scene_op_name — "show", "drop", "unplug", "loop". */
const char *scene_op_name(enum scene_op op);

#endif
