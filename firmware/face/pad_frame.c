/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_frame.c — the frame cue of PAD: a print's paper edge or a phone's or
 * screen's bezel is a straight edge that encloses the face; a face in a
 * room has no such edges on three sides of it.
 *
 * On the key frame scaled so that the face box is 40 px (the face's
 * surroundings up to 2.8 box sides left and right, 3.2 above and below), for
 * each side of the face (left, right, above, below) the straight line
 * (within +-11 degrees of the frame's axes, outside the face box, along the
 * face's extent +-60 %: 2.2 box sides long) with the most support is found: support = the
 * fraction of its pixels whose gradient crosses it (|across| >= 10 grey
 * levels and >= 1.5 x |along|) with the same sign. raw = the third best
 * side's support: three sides must carry an edge for the cue to fire. A
 * print that fills the frame has no edge: this cue then says nothing
 * against it (the other cues must).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "pad_int.h"

#define FACE_PX 40.0
#define GRAD_MIN 10.0f

struct gimg {
	int w, h;
	float *gx, *gy;
};

static const double slopes[] = { -0.2, -0.1, 0, 0.1, 0.2 };

/* Best support of a line x = x0 + s (y - yc) for x0 in [xa, xb], rows
 * [ya, yb] (vertical == true), or the transpose; its position and slope. */
static double
best_line(const struct gimg *g, bool vertical, int a0, int a1, int b0, int b1, double *pos,
    double *slope)
{
	const float *across = vertical ? g->gx : g->gy, *along = vertical ? g->gy : g->gx;
	int len = b1 - b0 + 1, lim = vertical ? g->w : g->h;
	double best = 0, bc = (b0 + b1) / 2.0;

	*pos = -1;
	*slope = 0;
	if (len < 4 || a1 < a0)
		return 0;
	for (int a = a0; a <= a1; a++) {
		for (size_t si = 0; si < sizeof(slopes) / sizeof(slopes[0]); si++) {
			int npos = 0, nneg = 0, inb = 0;
			double sup;

			for (int b = b0; b <= b1; b++) {
				int c = (int)lround(a + slopes[si] * (b - bc));
				float va, vl;
				size_t i;

				if (c < 2 || c > lim - 3)
					continue;
				inb++;
				i = vertical ? (size_t)b * (size_t)g->w + (size_t)c :
				    (size_t)c * (size_t)g->w + (size_t)b;
				va = across[i];
				vl = along[i];
				if (fabsf(va) < GRAD_MIN || fabsf(va) < 1.5f * fabsf(vl))
					continue;
				if (va > 0)
					npos++;
				else
					nneg++;
			}
			if (inb * 10 < len * 6)
				continue;	/* the line leaves the picture */
			sup = (double)(npos > nneg ? npos : nneg) / len;
			if (sup > best) {
				best = sup;
				*pos = a;
				*slope = slopes[si];
			}
		}
	}
	return best;
}

static int
cmp_desc(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a < b) - (a > b);
}

int
pad_edges(struct pad_in *in)
{
	struct pad_grey g = { 0 };
	struct gimg gr = { 0 };
	struct fcv_rect r;
	double s = FACE_PX / in->side, x0, y0, x1, y1;
	int ret, fx1, fx2, fy1, fy2, ext;

	if (in->edges_found)
		return EG_OK;
	for (int i = 0; i < PAD_EDGE_COUNT; i++)
		in->edge[i] = (struct pad_edge){ .support = -1, .vertical = i < PAD_EDGE_ABOVE };
	x0 = fmax(0, in->cx - 2.8 * in->side);
	x1 = fmin(in->W, in->cx + 2.8 * in->side);
	y0 = fmax(0, in->cy - 3.2 * in->side);
	y1 = fmin(in->H, in->cy + 3.2 * in->side);
	r = (struct fcv_rect){ x0, y0, x1 - x0, y1 - y0 };
	if (r.w * s < 16 || r.h * s < 16) {
		in->edges_found = true;
		return EG_OK;
	}
	if ((ret = pad_grey_scaled(in->f[in->key]->img, &r, (int)lround(r.w * s),
	    (int)lround(r.h * s), &g)) != EG_OK)
		return ret;
	gr.w = g.w;
	gr.h = g.h;
	gr.gx = calloc((size_t)g.w * (size_t)g.h, sizeof(float));
	gr.gy = calloc((size_t)g.w * (size_t)g.h, sizeof(float));
	if (gr.gx == NULL || gr.gy == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	for (int y = 1; y < g.h - 1; y++)
		for (int x = 1; x < g.w - 1; x++) {
			const float *p = g.p + (size_t)y * (size_t)g.w + (size_t)x;
			int w = g.w;

			gr.gx[(size_t)y * (size_t)w + (size_t)x] = ((p[-w + 1] + 2 * p[1] + p[w + 1]) -
			    (p[-w - 1] + 2 * p[-1] + p[w - 1])) / 4;
			gr.gy[(size_t)y * (size_t)w + (size_t)x] = ((p[w - 1] + 2 * p[w] + p[w + 1]) -
			    (p[-w - 1] + 2 * p[-w] + p[-w + 1])) / 4;
		}
	fx1 = (int)lround((in->cx - in->side / 2 - x0) * s);
	fx2 = (int)lround((in->cx + in->side / 2 - x0) * s);
	fy1 = (int)lround((in->cy - in->side / 2 - y0) * s);
	fy2 = (int)lround((in->cy + in->side / 2 - y0) * s);
	ext = (int)lround(0.6 * FACE_PX);
	{
		int ya = fy1 - ext < 1 ? 1 : fy1 - ext, yb = fy2 + ext > g.h - 2 ? g.h - 2 : fy2 + ext;
		int xa = fx1 - ext < 1 ? 1 : fx1 - ext, xb = fx2 + ext > g.w - 2 ? g.w - 2 : fx2 + ext;
		/* per side: the range searched across, and the span along */
		const int lim[PAD_EDGE_COUNT][4] = {
			[PAD_EDGE_LEFT] = { 2, fx1 - 2, ya, yb },
			[PAD_EDGE_RIGHT] = { fx2 + 2, g.w - 3, ya, yb },
			[PAD_EDGE_ABOVE] = { 2, fy1 - 2, xa, xb },
			[PAD_EDGE_BELOW] = { fy2 + 2, g.h - 3, xa, xb },
		};

		for (int i = 0; i < PAD_EDGE_COUNT; i++) {
			struct pad_edge *e = &in->edge[i];
			double pos, slope, o0 = e->vertical ? x0 : y0, o1 = e->vertical ? y0 : x0;

			e->support = best_line(&gr, e->vertical, lim[i][0], lim[i][1], lim[i][2],
			    lim[i][3], &pos, &slope);
			e->pos = o0 + pos / s;
			e->mid = o1 + (lim[i][2] + lim[i][3]) / 2.0 / s;
			e->half = (lim[i][3] - lim[i][2]) / 2.0 / s;
			e->slope = slope;
		}
	}
	in->edges_found = true;
	ret = EG_OK;
out:
	pad_grey_free(&g);
	free(gr.gx);
	free(gr.gy);
	return ret;
}

int
pad_cue_frame(struct pad_in *in, struct face_pad_cue_result *c)
{
	static const char *const side_name[PAD_EDGE_COUNT] = { "left", "right", "above", "below" };
	double sup[PAD_EDGE_COUNT], sorted[PAD_EDGE_COUNT];
	int ret, best = 0;

	c->unit = "edge support";
	if ((ret = pad_edges(in)) != EG_OK)
		return ret;
	if (in->edge[0].support < 0) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "surroundings of the face outside the frame");
		return EG_OK;
	}
	for (int i = 0; i < PAD_EDGE_COUNT; i++) {
		sup[i] = in->edge[i].support;
		if (sup[i] > sup[best])
			best = i;
	}
	memcpy(sorted, sup, sizeof(sorted));
	qsort(sorted, PAD_EDGE_COUNT, sizeof(double), cmp_desc);
	c->raw = sorted[2];
	c->state = FACE_PAD_SCORED;
	pad_cue_detail(c, "edge support left %.2f right %.2f above %.2f below %.2f (best %s)",
	    sup[0], sup[1], sup[2], sup[3], side_name[best]);
	return EG_OK;
}
