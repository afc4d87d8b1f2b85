/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad.c — presentation-attack detection over one presentation: runs the
 * cues (pad_texture.c, pad_tone.c, pad_frame.c, pad_motion.c, pad_depth.c,
 * pad_moire.c),
 * maps each raw measure to a live score, and fuses them by the rule of
 * pad.h. The calibration table below is the only place the cues' decision
 * points are written down (how they were set: docs/face.md).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "pad_int.h"

/*
 * Calibration: score = 1 / (1 + exp(dir * (raw - limit) / scale)), so raw
 * == limit scores 0.5; dir +1 when a larger raw means an attack, -1 when it
 * means life. Set on the harness's tuning people and seeds
 * (tests/face/pad_harness.c --tune), never on its held-out ones.
 */
static const struct {
	const char *name;
	double limit, scale;
	int dir;
	bool veto, live_sign, artefact;
} cal[FACE_PAD_CUE_COUNT] = {
	[FACE_PAD_SPECTRUM] = { "spectrum", 3.7, 0.15, +1, true, false, true },
	/* range: 0.21 for the head's ratio; the frame's ratio is scaled by
	 * RANGE_FRAME_K = 0.21 / 0.11 in pad_tone.c: change both together */
	[FACE_PAD_RANGE] = { "range", 0.21, 0.012, +1, true, false, true },
	[FACE_PAD_GLARE] = { "glare", 0.20, 0.015, +1, true, false, true },
	[FACE_PAD_BANDING] = { "banding", 2.9, 0.12, +1, true, false, true },
	[FACE_PAD_FRAME] = { "frame", 0.66, 0.02, +1, true, false, false },
	[FACE_PAD_PLANAR_MOTION] = { "planar_motion", 0.5, 0.1, +1, true, false, false },
	[FACE_PAD_MICRO_MOTION] = { "micro_motion", 0.5, 0.1, -1, false, true, false },
	[FACE_PAD_BLINK] = { "blink", 0.60, 0.06, -1, false, true, false },
	[FACE_PAD_DEPTH] = { "depth", 12.0, 2.0, -1, true, true, false },
	/* moire: fifth round (docs/face.md); with it the range cue's frame
	 * measure moved from 0.09 to 0.11 */
	[FACE_PAD_MOIRE] = { "moire", 2.6, 0.15, +1, true, false, true },
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
face_pad_params_default(struct face_pad_params *p)
{
	p->threshold = 0.5;
	p->cues = FACE_PAD_ALL_CUES;
	p->require_live_sign = false;
}

const char *
face_pad_cue_name(enum face_pad_cue c)
{
	return (unsigned)c < FACE_PAD_CUE_COUNT ? cal[c].name : "?";
}

int
face_pad_cue_by_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < FACE_PAD_CUE_COUNT; i++)
		if (strcmp(cal[i].name, name) == 0)
			return i;
	return -1;
}

const char *
face_pad_state_str(enum face_pad_state s)
{
	switch (s) {
	case FACE_PAD_OFF: return "off";
	case FACE_PAD_ABSTAINED: return "abstained";
	case FACE_PAD_SCORED: return "scored";
	}
	return "?";
}

static double
to_score(enum face_pad_cue c, double raw)
{
	double z = cal[c].dir * (raw - cal[c].limit) / cal[c].scale;

	if (!isfinite(z))
		return cal[c].dir * (raw - cal[c].limit) > 0 ? 0.0 : 1.0;
	return 1.0 / (1.0 + exp(z));
}

bool
face_pad_cue_item(const struct face_pad_cue_result *c, char *name, size_t cap, double *value,
    double *threshold, bool *passed)
{
	double t;

	if (c == NULL || name == NULL || cap == 0)
		return false;
	snprintf(name, cap, "pad_%s", c->name != NULL ? c->name : "?");
	if (c->state != FACE_PAD_SCORED)
		return false;
	t = c->threshold > 0 ? c->threshold : 0.5;
	if (value != NULL)
		*value = c->score;
	if (threshold != NULL)
		*threshold = t;
	if (passed != NULL)
		*passed = c->score >= t;
	return true;
}

/* s with its odds of life multiplied by FACE_PAD_LIFE_ODDS */
static double
relieve(double s)
{
	return FACE_PAD_LIFE_ODDS * s / (1.0 - s + FACE_PAD_LIFE_ODDS * s);
}

void
face_pad_fuse(struct face_pad_report *rep, const struct face_pad_params *par)
{
	struct face_pad_params def;
	double fused = 1.0, sign = 0.0, t;
	const char *by = "none";

	if (rep == NULL)
		return;
	if (par == NULL) {
		face_pad_params_default(&def);
		par = &def;
	}
	t = par->threshold;
	/* first the sign of life, which decides whether artefacts are relieved */
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
		const struct face_pad_cue_result *r = &rep->cue[c];

		if (r->state == FACE_PAD_SCORED && r->live_sign && r->score > sign)
			sign = r->score;
	}
	rep->live_sign_required = par->require_live_sign;
	rep->live_sign_seen = sign >= 0.5;
	rep->relieved = rep->live_sign_seen;
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
		struct face_pad_cue_result *r = &rep->cue[c];
		bool rel = rep->relieved && r->artefact;
		double s = rel ? relieve(r->score) : r->score;

		/* relieve(s) >= t exactly when s >= t / (r - (r - 1) t) */
		r->threshold = !r->veto ? 0.5 : rel ? t / (FACE_PAD_LIFE_ODDS -
		    (FACE_PAD_LIFE_ODDS - 1.0) * t) : t;
		if (r->state != FACE_PAD_SCORED)
			continue;
		if (r->veto && s < fused) {
			fused = s;
			by = r->name;
		}
	}
	if (par->require_live_sign && sign < fused) {
		fused = sign;
		by = "no sign of life";
	}
	rep->score = fused;
	rep->threshold = t;
	rep->live = fused >= t;
	rep->decided_by = by;
}

typedef int (*cue_fn)(struct pad_in *in, struct face_pad_cue_result *c);

int
face_pad_presentation(struct face_ctx *ctx, const struct face_pad_frame *frames, size_t n,
    size_t key, const struct face_box *box, const struct face_points *pts,
    const struct face_pad_params *par, struct face_pad_report *out)
{
	static const cue_fn fns[FACE_PAD_CUE_COUNT] = {
		[FACE_PAD_SPECTRUM] = pad_cue_spectrum,
		[FACE_PAD_RANGE] = pad_cue_range,
		[FACE_PAD_GLARE] = pad_cue_glare,
		[FACE_PAD_BANDING] = pad_cue_banding,
		[FACE_PAD_FRAME] = pad_cue_frame,
		[FACE_PAD_BLINK] = pad_cue_blink,
		[FACE_PAD_DEPTH] = pad_cue_depth,
		[FACE_PAD_MOIRE] = pad_cue_moire,
	};
	struct face_pad_params def;
	struct pad_in in;
	double t0 = now_ms(), t, edges_ms = 0;
	int ret = EG_OK;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (ctx == NULL || frames == NULL || n == 0 || key >= n || box == NULL || pts == NULL ||
	    frames[key].img == NULL || frames[key].img->data == NULL ||
	    frames[key].img->width <= 0 || frames[key].img->height <= 0)
		return EG_ERR_INVAL;
	if (par == NULL) {
		face_pad_params_default(&def);
		par = &def;
	}
	memset(&in, 0, sizeof(in));
	in.ctx = ctx;
	in.box = *box;
	in.pts = pts;
	in.side = box->y2 - box->y1;
	in.cx = (box->x1 + box->x2) / 2.0;
	in.cy = (box->y1 + box->y2) / 2.0;
	in.W = frames[key].img->width;
	in.H = frames[key].img->height;
	if (!(in.side >= 16) || !isfinite(in.cx) || !isfinite(in.cy))
		return EG_ERR_INVAL;
	/* at most FACE_PAD_MAX_FRAMES: the key frame and evenly spread ones */
	if (n <= FACE_PAD_MAX_FRAMES) {
		for (size_t i = 0; i < n; i++)
			in.f[i] = &frames[i];
		in.n = n;
		in.key = key;
	} else {
		for (size_t j = 0; j < FACE_PAD_MAX_FRAMES; j++) {
			size_t f = j * (n - 1) / (FACE_PAD_MAX_FRAMES - 1);

			in.f[in.n++] = &frames[f];
		}
		in.key = 0;
		for (size_t j = 0; j < in.n; j++) {
			size_t f = j * (n - 1) / (FACE_PAD_MAX_FRAMES - 1);

			if (f <= key)
				in.key = j;
		}
		in.f[in.key] = &frames[key];
	}
	for (size_t i = 0; i < in.n; i++)
		if (in.f[i]->img == NULL || in.f[i]->img->data == NULL)
			return EG_ERR_INVAL;
	out->nframes = in.n;
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
		out->cue[c].name = cal[c].name;
		out->cue[c].veto = cal[c].veto;
		out->cue[c].live_sign = cal[c].live_sign;
		out->cue[c].artefact = cal[c].artefact;
		out->cue[c].limit = cal[c].limit;
		out->cue[c].state = FACE_PAD_OFF;
		out->cue[c].unit = "";
	}
	/* the edges beside the face, for the frame cue and the motion cue: found
	 * once, their time counted as the frame cue's (the motion cue's when
	 * the frame cue is off) */
	if ((par->cues & (1u << FACE_PAD_FRAME | 1u << FACE_PAD_PLANAR_MOTION |
	    1u << FACE_PAD_MICRO_MOTION)) != 0) {
		t = now_ms();
		if ((ret = pad_edges(&in)) != EG_OK)
			goto out;
		edges_ms = now_ms() - t;
	}
	/* motion first: it tracks the face for the blink cue */
	if ((par->cues & (1u << FACE_PAD_PLANAR_MOTION | 1u << FACE_PAD_MICRO_MOTION |
	    1u << FACE_PAD_BLINK)) != 0) {
		struct face_pad_cue_result pl = out->cue[FACE_PAD_PLANAR_MOTION];
		struct face_pad_cue_result mi = out->cue[FACE_PAD_MICRO_MOTION];

		t = now_ms();
		if ((ret = pad_cue_motion(&in, &pl, &mi)) != EG_OK)
			goto out;
		pl.ms = mi.ms = now_ms() - t;
		if (par->cues & 1u << FACE_PAD_PLANAR_MOTION)
			out->cue[FACE_PAD_PLANAR_MOTION] = pl;
		if (par->cues & 1u << FACE_PAD_MICRO_MOTION)
			out->cue[FACE_PAD_MICRO_MOTION] = mi;
	}
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
		if (fns[c] == NULL || !(par->cues & 1u << c))
			continue;
		t = now_ms();
		if ((ret = fns[c](&in, &out->cue[c])) != EG_OK)
			goto out;
		out->cue[c].ms = now_ms() - t;
	}
	out->cue[par->cues & 1u << FACE_PAD_FRAME ? FACE_PAD_FRAME : FACE_PAD_PLANAR_MOTION].ms +=
	    edges_ms;
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++)
		if (out->cue[c].state == FACE_PAD_SCORED)
			out->cue[c].score = to_score((enum face_pad_cue)c, out->cue[c].raw);
	face_pad_fuse(out, par);
out:
	out->ms = now_ms() - t0;
	memset(&in, 0, sizeof(in));
	return ret;
}
