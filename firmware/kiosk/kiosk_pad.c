/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_pad.c — the kiosk's default PAD device (kiosk.h,
 * kiosk_pad_presentation): presentation-level attack detection of
 * firmware/face (pad.h) over the frames the capture kept, its fusion
 * threshold, cues and sign-of-life rule from the policy in force, each cue
 * into the passage's typed explanation.
 */
#include <stdio.h>
#include <string.h>

#include "egate/error.h"
#include "kiosk.h"
#include "pad.h"
#include "policy.h"

/* The policy's PAD settings as face_pad_params: the cues by name (the
 * policy's list and the detector's are one list, proto/policy.h). */
static void
params_of(const struct passage_policy *p, struct face_pad_params *par)
{
	face_pad_params_default(par);
	par->threshold = p->liveness_threshold;
	par->require_live_sign = p->pad_live_sign;
	if (p->pad_cues == 0)
		return;
	par->cues = 0;
	for (int i = 0; i < POLICY_PAD_COUNT; i++) {
		int c = face_pad_cue_by_name(policy_pad_cue_name((enum policy_pad_cue)i));

		if ((p->pad_cues & 1u << i) && c >= 0)
			par->cues |= 1u << c;
	}
}

static int
pad_presentation(void *ctx, struct face_ctx *face, const struct kiosk_pad_frame *frames,
    size_t n, size_t key, const struct face_result *fr, const struct passage_policy *p,
    struct kiosk_pad_result *out)
{
	struct face_pad_frame pf[KIOSK_PAD_FRAMES];
	struct face_pad_params par;
	struct face_pad_report rep;
	int ret;

	(void)ctx;
	memset(out, 0, sizeof(*out));
	if (frames == NULL || fr == NULL || p == NULL || n == 0 || n > KIOSK_PAD_FRAMES ||
	    key >= n)
		return EG_ERR_INVAL;
	memset(pf, 0, sizeof(pf));
	for (size_t i = 0; i < n; i++) {
		if (frames[i].img == NULL)
			return EG_ERR_INVAL;
		pf[i].img = frames[i].img;
		pf[i].t_ns = frames[i].t_ns;
	}
	params_of(p, &par);
	memset(&rep, 0, sizeof(rep));
	if ((ret = face_pad_presentation(face, pf, n, key, &fr->box, &fr->pts, &par, &rep)) !=
	    EG_OK)
		return ret;
	out->score = rep.score;
	for (int c = 0; c < FACE_PAD_CUE_COUNT && out->n < KIOSK_PAD_MAX_ITEMS; c++) {
		const struct face_pad_cue_result *r = &rep.cue[c];
		struct passage_explain_item *it;
		char name[48];
		bool passed = false;

		if (r->state == FACE_PAD_OFF)
			continue;
		it = &out->items[out->n++];
		it->id = PI_PAD_CUE;
		snprintf(it->sub, sizeof(it->sub), "%s", r->name != NULL ? r->name : "?");
		if (face_pad_cue_item(r, name, sizeof(name), &it->value, &it->threshold, &passed)) {
			char rel[24] = "";

			it->has_value = true;
			it->result = passed ? PCR_PASS : PCR_FAIL;
			/* what set the fused score, else the cue's raw measure; an
			 * artefact cue relieved by a sign of life says so (its
			 * odds of life x FACE_PAD_LIFE_ODDS entered the rule) */
			if (rep.relieved && r->artefact)
				snprintf(rel, sizeof(rel), "; relieved x%.0f", FACE_PAD_LIFE_ODDS);
			snprintf(it->detail, sizeof(it->detail), "%sraw %.3g%s",
			    rep.decided_by != NULL && strcmp(rep.decided_by, it->sub) == 0 ?
			    "decided: " : "", r->raw, rel);
		} else {
			/* abstained: nothing to measure; the record says why */
			it->result = PCR_NOT_CHECKED;
			snprintf(it->detail, sizeof(it->detail), "%.63s", r->detail);
		}
	}
	memset(&rep, 0, sizeof(rep));
	return EG_OK;
}

const struct kiosk_pad_ops kiosk_pad_presentation = {
	.name = "presentation",
	.frames = KIOSK_PAD_FRAMES,
	.check = pad_presentation,
};
