/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad.h — presentation-attack detection (PAD) over the frames of one
 * presentation, with several independent cues, each scored and explained,
 * fused by one documented rule (docs/face.md, "Presentation-attack
 * detection").
 *
 * Cues (enum face_pad_cue); each maps its raw measure to a live score in
 * 0..1 where 0.5 is the cue's own calibrated decision point:
 *
 *   spectrum       halftone dots and moiré: sharp peaks in the power
 *                  spectrum of the face at the camera's own resolution
 *   range          reduced dynamic range and colour gamut of the head
 *   glare          a large smooth, clipped, colourless veil on the head
 *   banding        screen refresh banding: a periodic row brightness profile
 *   frame          a paper edge or device bezel: straight edges enclosing
 *                  the face on three or four sides
 *   planar_motion  face and surroundings moving as one plane (held photo
 *                  or screen): textured patches around the head, and the
 *                  straight edges left and right of it (a bezel, a paper
 *                  edge), following the face; needs >= 2 frames with motion
 *   micro_motion   the face moving against still surroundings (a sign of
 *                  life); needs >= 2 frames with motion
 *   blink          the eye state (fr_eye) changing during the presentation
 *                  (a sign of life); needs >= 2 frames
 *   depth          a depth stream: a flat face is an attack, relief a sign
 *                  of life; needs depth maps
 *   moire          periodic structure over the whole frame (a screen's moiré
 *                  bands or pixel grid, a halftone), chroma and luma, at half
 *                  resolution; straight edges left out; needs >= 256 x 256
 *
 * Fusion rule: a sign of life is seen when the best live score of the
 * sign-of-life cues that scored (micro_motion, blink, depth) is >= 0.5.
 * When one is seen, the score s of each picture-artefact cue (spectrum,
 * range, glare, banding, moire) is relieved: its odds of life are
 * multiplied by FACE_PAD_LIFE_ODDS, s' = r s / (1 - s + r s) with r = 9 (a
 * medium that cannot move like a person is already excluded; the geometric
 * cues frame, planar_motion and depth are never relieved). score = min over
 * the "veto" cues that scored (every cue except micro_motion and blink) of
 * their (relieved) live score; when the policy requires a sign of life,
 * score = min(score, that best sign-of-life score, 0 if none). The
 * presentation is bona fide when score >= threshold (the policy's
 * liveness_threshold).
 *
 * A cue that has nothing to measure (one frame, no motion, no depth stream,
 * a region outside the frame) abstains: it is reported, with why, but does
 * not enter the rule. A cue switched off by the policy is reported as off.
 *
 * The kiosk calls face_pad_presentation() with the decoded frames it
 * captured for the passage (oldest first), the index of the frame the face
 * was analysed on, and that frame's face box and landmarks (struct
 * face_result of face_analyse), and copies every cue into the record
 * (face_pad_cue_item).
 *
 * Frames are personal data: nothing here keeps, writes or logs them; every
 * working buffer that holds pixels is wiped before it is freed.
 */
#ifndef EGATE_FACE_PAD_H
#define EGATE_FACE_PAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "face.h"

#define FACE_PAD_MAX_FRAMES 32	/* frames of one presentation looked at */
#define FACE_PAD_LIFE_ODDS 9.0	/* an artefact cue's odds of life once a sign
				 * of life is seen: x 9 (rule above) */

enum face_pad_cue {
	FACE_PAD_SPECTRUM,
	FACE_PAD_RANGE,
	FACE_PAD_GLARE,
	FACE_PAD_BANDING,
	FACE_PAD_FRAME,
	FACE_PAD_PLANAR_MOTION,
	FACE_PAD_MICRO_MOTION,
	FACE_PAD_BLINK,
	FACE_PAD_DEPTH,
	FACE_PAD_MOIRE,
	FACE_PAD_CUE_COUNT
};

#define FACE_PAD_ALL_CUES ((1u << FACE_PAD_CUE_COUNT) - 1u)

enum face_pad_state {
	FACE_PAD_OFF = 0,	/* switched off by the policy */
	FACE_PAD_ABSTAINED,	/* nothing to measure; detail says why */
	FACE_PAD_SCORED,
};

/* One frame of a presentation. depth (optional) is a depth map of
 * depth_w x depth_h millimetres (0 = no reading) covering the same field of
 * view as img (registered; scaled to it); NULL when the camera has none. */
struct face_pad_frame {
	const struct fcv_image *img;
	uint64_t t_ns;		/* capture time, CLOCK_MONOTONIC; 0 if unknown */
	const uint16_t *depth;
	int depth_w, depth_h;
};

/* The policy's PAD settings (proto/policy.h: liveness_threshold, pad_cues,
 * pad_live_sign). */
struct face_pad_params {
	double threshold;	/* fused score below this: attack */
	uint32_t cues;		/* bit (1u << enum face_pad_cue) per cue in use */
	bool require_live_sign;	/* a sign of life must be seen */
};

struct face_pad_cue_result {
	const char *name;	/* static: "spectrum", ... */
	enum face_pad_state state;
	bool veto;		/* enters the min of the rule */
	bool live_sign;		/* counts as a sign of life */
	double score;		/* live score 0..1; 0.5 = the cue's decision point */
	double raw;		/* the measure, in unit */
	double limit;		/* raw value that maps to 0.5 */
	bool artefact;		/* a picture artefact: relieved by a sign of life */
	double threshold;	/* the score under which it refuses, as the rule
				 * was last applied (face_pad_fuse) */
	const char *unit;	/* static */
	char detail[96];	/* what was measured, or why the cue abstained */
	double ms;		/* time spent on it */
};

struct face_pad_report {
	double score;		/* fused (rule above) */
	double threshold;
	bool live;		/* score >= threshold */
	bool live_sign_required;
	bool live_sign_seen;
	bool relieved;		/* a sign of life was seen: the artefact cues'
				 * odds of life were multiplied by
				 * FACE_PAD_LIFE_ODDS (rule above) */
	const char *decided_by;	/* name of the cue that set the score (static) */
	size_t nframes;
	double ms;		/* whole PAD, excluding decoding and the face analysis */
	struct face_pad_cue_result cue[FACE_PAD_CUE_COUNT];
};

/* face_pad_params_default — threshold 0.5, every cue, no sign of life
 * required. */
void face_pad_params_default(struct face_pad_params *p);

/* face_pad_cue_name — "spectrum", ...; "?" out of range (static). */
const char *face_pad_cue_name(enum face_pad_cue c);

/* face_pad_cue_by_name — the cue called name, or -1. */
int face_pad_cue_by_name(const char *name);

/* face_pad_state_str — "off", "abstained", "scored" (static). */
const char *face_pad_state_str(enum face_pad_state s);

/*
 * face_pad_presentation — score one presentation: frames[0..n) in capture
 * order (n >= 1; at most FACE_PAD_MAX_FRAMES are used: the first, the last
 * and evenly spaced ones between), the face of frames[key] in *box with its
 * landmarks *pts (from face_analyse on that frame). ctx runs the eye-state
 * network for the blink cue. Everything is borrowed; *out is filled.
 * Frames must all have the key frame's size (others are skipped and the
 * detail says so). Errors: EG_ERR_INVAL (NULL, n = 0, key >= n, an empty
 * key frame, a box under 16 px), EG_ERR_NOMEM, EG_ERR_MODEL / EG_ERR_IMAGE
 * (OpenCV failed). On error *out says nothing reliable: treat as an attack.
 */
int face_pad_presentation(struct face_ctx *ctx, const struct face_pad_frame *frames, size_t n,
    size_t key, const struct face_box *box, const struct face_points *pts,
    const struct face_pad_params *par, struct face_pad_report *out);

/*
 * face_pad_fuse — (re)apply the fusion rule to the cues of *rep (their state
 * and score) under *par (NULL: the defaults): sets score, threshold, live,
 * live_sign_required, live_sign_seen and decided_by. face_pad_presentation
 * calls it; a caller may call it again to see the same cues under another
 * policy (the harness: a sign of life optional and required). Never fails.
 */
void face_pad_fuse(struct face_pad_report *rep, const struct face_pad_params *par);

/*
 * face_pad_cue_item — one cue as the record carries it: name "pad_<cue>"
 * written into name (cap bytes), and *value (its score), *threshold (the
 * score under which it refused as the rule was applied: the policy's
 * threshold, t / (r - (r - 1) t) for an artefact cue relieved by a sign of
 * life, r = FACE_PAD_LIFE_ODDS; 0.5 for a sign-of-life cue, whose 0.5 says
 * "seen"; 0.5 before face_pad_fuse ran) and *passed (score >= threshold)
 * for a scored cue; returns false (nothing to record as a score) for an
 * abstained or switched-off cue, whose detail then goes into a skipped
 * check of the same name.
 */
bool face_pad_cue_item(const struct face_pad_cue_result *c, char *name, size_t cap,
    double *value, double *threshold, bool *passed);

#endif
