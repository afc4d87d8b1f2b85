/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario.h — scenario files for the simulated kiosk (hw/sim/scenarios/,
 * docs/kiosk.md): a queue of travellers, each with the traveller profile
 * (hw/sim/travellers/NAME.ini) whose passport goes on the simulated reader,
 * what the simulated camera shows, optional device faults, and the
 * expected outcome. TEST AND SIMULATION ONLY.
 *
 *   [scenario]
 *   name = demo
 *   description = one line
 *   today = 2026-11-29           ; kiosk date for expiry/age checks (else now)
 *   [watchlist]
 *   face = sample6.jpg           ; enrolled in the watchlist gallery (<= 8)
 *   [passage genuine]
 *   traveller = genuine-td3      ; profile name (or a path with '/')
 *   chip_face = sample5.jpg      ; replaces the profile's chip photo
 *   expiry = 341231              ; replaces the MRZ expiry (TD3), check digits
 *                                ; recomputed
 *   camera = portrait:sample5.jpg ; face:IMG | portrait:IMG | printed:IMG |
 *                                ; eyes-closed:IMG | empty | scene:FILE
 *   camera_unplug = no           ; the camera disappears during capture
 *   reader_unplug = no           ; the reader disappears during the chip read
 *   doc_removed = no             ; the traveller takes the passport off the
 *                                ; reader during the chip read
 *   expect = open                ; open | refer | abandoned
 *   expect_rule = all_checks_passed
 *
 * IMG is relative to the test-data folder; scene FILE to the scenario file.
 * The parser is bounded (SCENARIO_MAX_* below): unknown sections or keys,
 * overlong values, duplicate passage names and missing keys are errors with
 * the line. Fuzzed by tests/fuzz/fuzz_scenario.c.
 */
#ifndef EGATE_SCENARIO_H
#define EGATE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#define SCENARIO_MAX_FILE	(64 * 1024)
#define SCENARIO_MAX_PASSAGES	32
#define SCENARIO_MAX_WATCHLIST	8
#define SCENARIO_MAX_NAME	48
#define SCENARIO_MAX_PATH	160

enum scenario_camera {
	SC_CAM_FACE = 0,	/* the image as it is (the test photos are group
				 * photos: several people in the frame) */
	SC_CAM_PORTRAIT,	/* the image cropped around its largest face:
				 * one person in front of the camera */
	SC_CAM_PRINTED,		/* that portrait as a printed photo held up: on
				 * white paper in front of a grey background */
	SC_CAM_EMPTY,		/* nobody in front of the camera (walk-away) */
	SC_CAM_EYES_CLOSED,	/* the portrait with the eyes painted shut for
				 * the first two frames, then open */
	SC_CAM_SCENE,		/* a scene script of the simulated camera */
};

enum scenario_expect { SC_EXPECT_ANY = 0, SC_EXPECT_OPEN, SC_EXPECT_REFER,
	SC_EXPECT_ABANDONED };

struct scenario_passage {
	char name[SCENARIO_MAX_NAME];
	char traveller[SCENARIO_MAX_PATH];
	char chip_face[SCENARIO_MAX_PATH];	/* "" = the profile's */
	char expiry[7];				/* "" = the profile's; YYMMDD */
	enum scenario_camera camera;
	char camera_arg[SCENARIO_MAX_PATH];	/* image or scene file */
	bool camera_unplug;
	bool reader_unplug;
	bool doc_removed;
	enum scenario_expect expect;
	char expect_rule[SCENARIO_MAX_NAME];	/* "" = not checked */
};

struct scenario {
	char name[SCENARIO_MAX_NAME];
	char description[160];
	int today_y, today_m, today_d;		/* 0 = the current date */
	size_t nwatch;
	char watch[SCENARIO_MAX_WATCHLIST][SCENARIO_MAX_PATH];
	size_t n;
	struct scenario_passage p[SCENARIO_MAX_PASSAGES];
	char dir[SCENARIO_MAX_PATH * 2];	/* folder of the file ("" for strings) */
};

/*
 * scenario_parse — parse len bytes of text (name for messages) into *out
 * (caller storage; zeroed first). On failure err (errlen bytes, may be NULL)
 * holds "name:LINE: problem". Errors: EG_ERR_FORMAT, EG_ERR_OVERFLOW (file
 * over SCENARIO_MAX_FILE), EG_ERR_INVAL (NULL).
 */
int scenario_parse(const char *text, size_t len, const char *name, struct scenario *out,
    char *err, size_t errlen);
/* scenario_load — read path (at most SCENARIO_MAX_FILE bytes) and parse it;
 * out->dir is the file's folder. Errors: EG_ERR_IO and those of
 * scenario_parse. */
int scenario_load(const char *path, struct scenario *out, char *err, size_t errlen);

const char *scenario_camera_str(enum scenario_camera c);
const char *scenario_expect_str(enum scenario_expect e);

#endif
