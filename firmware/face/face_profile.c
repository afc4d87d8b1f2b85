/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face_profile.c — model profiles as data: an INI file read through
 * common's schema-checked config reader. See models/faceplugin-0.0.1.ini.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "egate/config.h"
#include "egate/error.h"
#include "face.h"

static const char *const chan_choices[] = { "bgr", "rgb", "grey", NULL };

#define P(f) offsetof(struct face_profile, f)
#define NET(sec, id)                                                                     \
	{ sec, "file", EG_CFG_STR, P(net[id].file), sizeof(((struct face_profile *)0)->net[id].file), \
	  0, 0, NULL, true, "ONNX file, relative to the model directory" },              \
	{ sec, "sha256", EG_CFG_STR, P(net[id].sha256), 65, 0, 0, NULL, true,            \
	  "SHA-256 of the file (hex); a model that differs is refused" },                \
	{ sec, "width", EG_CFG_INT, P(net[id].width), 0, 1, 4096, NULL, true, "input width" }, \
	{ sec, "height", EG_CFG_INT, P(net[id].height), 0, 1, 4096, NULL, true, "input height" }, \
	{ sec, "channels", EG_CFG_ENUM, P(net[id].chan), 0, 0, 0, chan_choices, true,    \
	  "input planes: bgr, rgb or grey" },                                            \
	{ sec, "mean0", EG_CFG_DOUBLE, P(net[id].mean[0]), 0, -1000, 1000, NULL, false, "plane 0: value = (x - mean) / std" }, \
	{ sec, "mean1", EG_CFG_DOUBLE, P(net[id].mean[1]), 0, -1000, 1000, NULL, false, "plane 1 mean" }, \
	{ sec, "mean2", EG_CFG_DOUBLE, P(net[id].mean[2]), 0, -1000, 1000, NULL, false, "plane 2 mean" }, \
	{ sec, "std0", EG_CFG_DOUBLE, P(net[id].std[0]), 0, 1e-6, 1e6, NULL, false, "plane 0 std" }, \
	{ sec, "std1", EG_CFG_DOUBLE, P(net[id].std[1]), 0, 1e-6, 1e6, NULL, false, "plane 1 std" }, \
	{ sec, "std2", EG_CFG_DOUBLE, P(net[id].std[2]), 0, 1e-6, 1e6, NULL, false, "plane 2 std" }, \
	{ sec, "outputs", EG_CFG_STR, P(net[id].outputs), 96, 0, 0, NULL, true,          \
	  "output names, comma-separated, in the order the pipeline reads them" }

static const struct eg_cfg_key schema[] = {
	{ "profile", "name", EG_CFG_STR, P(name), 64, 0, 0, NULL, true, "profile name" },
	{ "profile", "version", EG_CFG_STR, P(version), 32, 0, 0, NULL, true, "profile version" },
	NET("detect", FACE_NET_DETECT),
	{ "detect", "score_threshold", EG_CFG_DOUBLE, P(score_threshold), 0, 0.01, 1, NULL, true,
	  "keep detections with a face score at or above" },
	{ "detect", "nms_iou", EG_CFG_DOUBLE, P(nms_iou), 0, 0.01, 1, NULL, true,
	  "drop a box whose intersection over union with a better one exceeds this" },
	{ "detect", "letterbox", EG_CFG_BOOL, P(letterbox), 0, 0, 0, NULL, false,
	  "pad the frame (black, right and bottom) to the input's aspect ratio instead of stretching it" },
	NET("landmark", FACE_NET_LANDMARK),
	NET("feature", FACE_NET_FEATURE),
	{ "feature", "embedding_size", EG_CFG_INT, P(embedding_size), 0, 16, FACE_EMB_MAX, NULL, true,
	  "floats per embedding" },
	NET("liveness", FACE_NET_LIVENESS),
	{ "liveness", "threshold", EG_CFG_DOUBLE, P(live_threshold), 0, 0, 1, NULL, true,
	  "p(live) at or above passes" },
	NET("pose", FACE_NET_POSE),
	NET("eye", FACE_NET_EYE),
	{ "match", "threshold", EG_CFG_DOUBLE, P(match_threshold), 0, -1, 1, NULL, true,
	  "cosine similarity at or above is a match" },
	{ "zone", "x", EG_CFG_DOUBLE, P(zone[0]), 0, 0, 1, NULL, false, "capture zone left, fraction of width" },
	{ "zone", "y", EG_CFG_DOUBLE, P(zone[1]), 0, 0, 1, NULL, false, "capture zone top, fraction of height" },
	{ "zone", "w", EG_CFG_DOUBLE, P(zone[2]), 0, 0.01, 1, NULL, false, "capture zone width" },
	{ "zone", "h", EG_CFG_DOUBLE, P(zone[3]), 0, 0.01, 1, NULL, false, "capture zone height" },
	{ "quality", "min_face_px", EG_CFG_INT, P(q.min_face_px), 0, 8, 8192, NULL, true,
	  "smallest face (box height, pixels)" },
	{ "quality", "max_yaw", EG_CFG_DOUBLE, P(q.max_yaw), 0, 0, 99, NULL, true, "degrees" },
	{ "quality", "max_pitch", EG_CFG_DOUBLE, P(q.max_pitch), 0, 0, 99, NULL, true, "degrees" },
	{ "quality", "max_roll", EG_CFG_DOUBLE, P(q.max_roll), 0, 0, 99, NULL, true, "degrees" },
	{ "quality", "min_eye_open", EG_CFG_DOUBLE, P(q.min_eye_open), 0, 0, 1, NULL, true,
	  "p(open) each eye must reach" },
	{ "quality", "min_sharpness", EG_CFG_DOUBLE, P(q.min_sharpness), 0, 0, 1e6, NULL, true,
	  "Laplacian variance of the face at 128x128" },
	{ "quality", "min_brightness", EG_CFG_DOUBLE, P(q.min_brightness), 0, 0, 255, NULL, true,
	  "mean grey level of the face, lower bound" },
	{ "quality", "max_brightness", EG_CFG_DOUBLE, P(q.max_brightness), 0, 0, 255, NULL, true,
	  "mean grey level of the face, upper bound" },
};

static void
defaults(struct face_profile *p)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < FACE_NET_COUNT; i++)
		for (int c = 0; c < 3; c++)
			p->net[i].std[c] = 1.0;
	p->zone[0] = 0.0;
	p->zone[1] = 0.0;
	p->zone[2] = 1.0;
	p->zone[3] = 1.0;
}

static int
check(struct face_profile *p, struct eg_cfg_error *err)
{
	for (int i = 0; i < FACE_NET_COUNT; i++) {
		const char *h = p->net[i].sha256;
		size_t n = strlen(h);

		for (size_t k = 0; k < n; k++)
			if (!((h[k] >= '0' && h[k] <= '9') || (h[k] >= 'a' && h[k] <= 'f')))
				n = 0;
		if (n != 64) {
			snprintf(err->msg, sizeof(err->msg), "not 64 lower-case hex digits");
			snprintf(err->key, sizeof(err->key), "sha256");
			return EG_ERR_CONFIG;
		}
		if (strchr(p->net[i].file, '/') != NULL || p->net[i].file[0] == '.') {
			snprintf(err->msg, sizeof(err->msg), "must be a plain file name in the model directory");
			snprintf(err->key, sizeof(err->key), "file");
			return EG_ERR_CONFIG;
		}
	}
	if (p->q.min_brightness > p->q.max_brightness || p->zone[0] + p->zone[2] > 1.0001 ||
	    p->zone[1] + p->zone[3] > 1.0001) {
		snprintf(err->msg, sizeof(err->msg), "brightness range or capture zone is empty or outside the frame");
		return EG_ERR_CONFIG;
	}
	return EG_OK;
}

int
face_profile_load(const char *path, struct face_profile *out, char *errbuf, size_t errlen)
{
	struct eg_cfg_error err;
	int ret;

	memset(&err, 0, sizeof(err));
	if (path == NULL || out == NULL)
		return EG_ERR_INVAL;
	defaults(out);
	ret = eg_cfg_load_file(path, schema, sizeof(schema) / sizeof(schema[0]), out, &err);
	if (ret == EG_OK) {
		snprintf(err.file, sizeof(err.file), "%s", path);
		ret = check(out, &err);
	}
	if (ret != EG_OK && errbuf != NULL && errlen > 0)
		eg_cfg_error_str(&err, errbuf, errlen);
	return ret;
}
