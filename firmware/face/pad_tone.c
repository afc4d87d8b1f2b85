/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_tone.c — the two tone cues of PAD, on the key frame:
 *
 * range: paper and ink (or a screen seen in a lit room) cannot reach the
 *   darks of pupils, nostrils and hair nor keep the colours of skin: the
 *   black level rises towards the white and the chroma shrinks. Two
 *   measures, the larger decides:
 *   - the head (the square face box x1.3, inside the frame, at 96 x 96):
 *     p1 / p99 of the grey level (0..1, higher = flatter), grown by
 *     (25 - chroma p90) / 100 when the colours are under 25 (a washed-out
 *     gamut);
 *   - the whole frame (at 120 x 150): p0.5 / p99.5 of the grey level, times
 *     RANGE_FRAME_K. A screen or a print that fills the camera's view lifts
 *     the black of the whole picture, room included; a person stands in a
 *     room that has real darks somewhere (clothes, shadows, furniture), even
 *     when the person's own darks are soft. The factor puts the frame's
 *     decision point (0.11; 0.09 before the moire cue took over part of its
 *     work on screens) on the head's (0.21): one raw, one limit.
 *
 * glare: light reflected by a glossy print or a screen's glass is a large,
 *   smooth, colourless, clipped patch, where skin highlights are small
 *   spots. Measure on the face itself (the box x0.8, at 64 x 64: not the
 *   room beside the head, whose windows may be blown out): raw = the area of the
 *   largest 4-connected patch of pixels with grey >= 232 and chroma < 24,
 *   as a fraction of the region.
 */
#include <math.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "pad_int.h"

/* the range cue's frame measure: the head's limit over the frame's (pad.c) */
#define RANGE_FRAME_K (0.21 / 0.11)

/* the square box scaled by k, shrunk to lie inside the frame */
static struct fcv_rect
head_rect(const struct pad_in *in, double k)
{
	double s = in->side * k, x0 = in->cx - s / 2, y0 = in->cy - s / 2, x1 = x0 + s, y1 = y0 + s;

	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > in->W ? in->W : x1;
	y1 = y1 > in->H ? in->H : y1;
	return (struct fcv_rect){ x0, y0, x1 - x0, y1 - y0 };
}

static void
yc(const uint8_t *px, float *y, float *c)
{
	float Y = 0.114f * px[0] + 0.587f * px[1] + 0.299f * px[2];
	float cb = px[0] - Y, cr = px[2] - Y;

	*y = Y;
	*c = sqrtf(cb * cb + cr * cr);
}

int
pad_cue_range(struct pad_in *in, struct face_pad_cue_result *c)
{
	struct fcv_rect r = head_rect(in, 1.3);
	struct fcv_image img = { 0 };
	float Y[96 * 96], C[96 * 96];
	static const int FW = 120, FH = 150;
	struct pad_grey F = { 0 };
	double p1, p99, c90, head, f05 = 0, f995 = 0, frame;
	int ret;

	c->unit = "black/white ratio";
	if (r.w < 16 || r.h < 16) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "head region outside the frame");
		return EG_OK;
	}
	if ((ret = fcv_image_crop(in->f[in->key]->img, &r, 96, 96, &img)) != EG_OK)
		return ret;
	for (int y = 0; y < 96; y++)
		for (int x = 0; x < 96; x++)
			yc(img.data + (size_t)y * img.stride + (size_t)x * 3, &Y[y * 96 + x],
			    &C[y * 96 + x]);
	fcv_image_free(&img);
	p1 = pad_percentile(Y, 96 * 96, 1);
	p99 = pad_percentile(Y, 96 * 96, 99);
	c90 = pad_percentile(C, 96 * 96, 90);
	eg_memzero(Y, sizeof(Y));
	eg_memzero(C, sizeof(C));
	head = (p1 + 1) / (p99 + 1);
	if (c90 < 25)
		head += (25 - c90) / 100;
	/* the whole frame's black and white */
	if ((ret = pad_grey_scaled(in->f[in->key]->img, &(struct fcv_rect){ 0, 0, in->W, in->H },
	    FW, FH, &F)) != EG_OK)
		return ret;
	f05 = pad_percentile(F.p, (size_t)F.w * F.h, 0.5);
	f995 = pad_percentile(F.p, (size_t)F.w * F.h, 99.5);
	pad_grey_free(&F);
	frame = RANGE_FRAME_K * (f05 + 1) / (f995 + 1);
	c->raw = head >= frame ? head : frame;
	c->state = FACE_PAD_SCORED;
	pad_cue_detail(c, "%s: head p1 %.0f p99 %.0f chroma %.0f (%.3f); frame p0.5 %.0f p99.5 %.0f "
	    "(%.3f)", head >= frame ? "head" : "frame", p1, p99, c90, head, f05, f995, frame);
	return EG_OK;
}

int
pad_cue_glare(struct pad_in *in, struct face_pad_cue_result *c)
{
	struct fcv_rect r = head_rect(in, 0.8);
	struct fcv_image img = { 0 };
	uint8_t mask[64 * 64];
	int stack[64 * 64], best = 0, total = 0, ret;

	c->unit = "fraction of the face";
	if (r.w < 16 || r.h < 16) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "face region outside the frame");
		return EG_OK;
	}
	if ((ret = fcv_image_crop(in->f[in->key]->img, &r, 64, 64, &img)) != EG_OK)
		return ret;
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 64; x++) {
			float Y, C;

			yc(img.data + (size_t)y * img.stride + (size_t)x * 3, &Y, &C);
			mask[y * 64 + x] = Y >= 232 && C < 24;
			total += mask[y * 64 + x];
		}
	fcv_image_free(&img);
	/* largest 4-connected component */
	for (int i = 0; i < 64 * 64; i++) {
		int sp = 0, area = 0;

		if (!mask[i])
			continue;
		mask[i] = 0;
		stack[sp++] = i;
		while (sp > 0) {
			int p = stack[--sp], x = p % 64, y = p / 64;
			const int nb[4][2] = { { x - 1, y }, { x + 1, y }, { x, y - 1 }, { x, y + 1 } };

			area++;
			for (int k = 0; k < 4; k++) {
				int nx = nb[k][0], ny = nb[k][1];

				if (nx < 0 || ny < 0 || nx >= 64 || ny >= 64 || !mask[ny * 64 + nx])
					continue;
				mask[ny * 64 + nx] = 0;
				stack[sp++] = ny * 64 + nx;
			}
		}
		best = area > best ? area : best;
	}
	c->raw = best / 4096.0;
	c->state = FACE_PAD_SCORED;
	pad_cue_detail(c, "largest clipped colourless patch %.1f %% of the face (all such "
	    "pixels %.1f %%)", 100.0 * c->raw, 100.0 * total / 4096.0);
	return EG_OK;
}
