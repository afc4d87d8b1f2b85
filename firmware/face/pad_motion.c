/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_motion.c — the motion cues of PAD, over the frames of a presentation:
 *
 * planar_motion / micro_motion: patches on the face (both eyes, nose,
 *   mouth) and around it (beside the head at 0.95 box sides from its centre,
 *   above it, at shoulder height) are followed from the key frame into every other frame
 *   (up to 6 frames; phase correlation at a scale where the face is 64 px,
 *   patches of half a face; untextured patches and weak correlation peaks
 *   are dropped). In each frame where the face moved (RMS shift of the face
 *   patches >= 0.25 px at that scale, ~0.4 % of the face), the face's motion
 *   (a similarity fitted to its patches) is carried to each surrounding
 *   patch: the patch FOLLOWS when it moved as predicted (error <= 0.4 x the
 *   face's motion), it is STILL when it did not move (<= 0.4 x). A photo or
 *   a screen, held or waved, moves as one plane: its surroundings follow. A
 *   person moves in front of a still room: the surroundings stay still.
 *   The straight edges left and right of the face that the frame cue
 *   found (pad_edges: a phone's bezel, a paper's edge, a door frame) are
 *   followed too, as grey profiles across each edge (48 rows along it,
 *   +-14 px at the analysis scale, shift by correlating their derivatives,
 *   +-9 px): in a frame where the face's motion carried to the edge moves
 *   it across itself by >= 0.25 px and >= half the face's motion, the edge
 *   FOLLOWS or is STILL by the same 0.4 rule. A phone held in front of the
 *   camera leaves the room beside it still (the patches say "person") while
 *   its bezel moves with the face. Edges above and below are not used: the
 *   hair and the shoulders move with the head.
 *   raw (planar) = the larger of follows / (follows + still) of the patches
 *   and of the edges (each with >= 2 observations); micro_motion = still /
 *   (follows + still) of the patches. Without motion, or without textured
 *   surroundings and edges, both abstain; without textured surroundings
 *   micro_motion abstains.
 *
 * blink: the eye regions of up to 8 frames (the key frame's landmarks
 *   carried by the face's shift, cut as fr_eye cuts them, 24 x 24 grey,
 *   normalised) are compared with the key frame's; the eye-state network
 *   (fr_eye, both eyes) runs on the key frame and the two frames whose eyes
 *   changed most — a blink is the largest change an eye region makes — so
 *   it runs 3 times, not once per frame; raw = the largest minus the
 *   smallest p(open) (mean of both eyes) of those frames. A print cannot
 *   close its eyes.
 *
 * Cost: the key frame's patch spectra are computed once, and two real
 * patches share each complex FFT (forward and inverse).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "pad_int.h"

#define P 32			/* patch side at the analysis scale */
#define FACE_A 64.0		/* face box side at the analysis scale */
#define MOVE_MIN 0.25		/* px at the analysis scale */
#define MAX_MOTION_FRAMES 6
#define BLINK_SCAN 8		/* frames whose eye regions are compared */
#define BLINK_NET 3		/* frames fr_eye runs on: the key frame and the
				 * two whose eyes changed most */
#define NPATCH 11
#define NFACEP 4
/* edges beside the face (pad_edges) followed as 1-D profiles across them */
#define EDGE_SUP 0.55		/* least support of a followed edge */
#define EDGE_K 28		/* profile half-width, in steps of half an analysis px */
#define EDGE_T 18		/* largest shift searched, same steps */
#define EDGE_ROWS 48		/* rows averaged along the edge */

/* up to max frame indices: the key frame first, then evenly spread */
static size_t
spread(const struct pad_in *in, size_t max, size_t *idx)
{
	size_t k = 0;

	idx[k++] = in->key;
	if (in->n <= max) {
		for (size_t i = 0; i < in->n; i++)
			if (i != in->key)
				idx[k++] = i;
		return k;
	}
	for (size_t j = 0; j < max - 1; j++) {
		size_t f = (size_t)lround((double)j * (double)(in->n - 1) / (double)(max - 2));

		if (f != in->key && (k == 1 || idx[k - 1] != f))
			idx[k++] = f;
	}
	return k;
}

/*
 * patch_get — the P x P patch of frame j centred on native (cx, cy), at
 * scale s: the patch's own square (half side h native, 2 px margin) cut and
 * resized by OpenCV (area interpolation), then converted to grey. Cutting
 * each patch rather than one region around all of them resizes about half
 * the pixels (the room between the patches is never used); the grid of
 * each patch is the same in every frame, so the shifts measured between
 * frames are unchanged.
 */
static int
patch_get(const struct pad_in *in, size_t j, double cx, double cy, double h, double s,
    float *out)
{
	struct fcv_rect rc = { cx - h - 2, cy - h - 2, 2 * h + 4, 2 * h + 4 };
	struct pad_grey g = { 0 };
	int n = (int)lround(rc.w * s), ox, oy, ret;

	if ((ret = pad_grey_scaled(in->f[j]->img, &rc, n, n, &g)) != EG_OK)
		return ret;
	ox = (int)lround((cx - rc.x) * s) - P / 2;
	oy = (int)lround((cy - rc.y) * s) - P / 2;
	for (int y = 0; y < P; y++)
		for (int x = 0; x < P; x++) {
			int sx = ox + x, sy = oy + y;

			sx = sx < 0 ? 0 : sx >= g.w ? g.w - 1 : sx;
			sy = sy < 0 ? 0 : sy >= g.h ? g.h - 1 : sy;
			out[y * P + x] = g.p[(size_t)sy * (size_t)g.w + (size_t)sx];
		}
	pad_grey_free(&g);
	return EG_OK;
}

static bool
same_size(const struct pad_in *in, size_t j)
{
	return in->f[j]->img->width == in->W && in->f[j]->img->height == in->H;
}

/*
 * edge_profile — the grey profile across edge e in frame j: for up to
 * EDGE_ROWS rows along the edge (inside the frame), grey at offsets
 * (k - EDGE_K) * du across it (bilinear), averaged over the rows. Returns
 * false when under a quarter of the edge's length is inside the frame, or
 * with *ret set when pad_grey_native fails.
 */
static bool
edge_profile(const struct pad_in *in, size_t j, const struct pad_edge *e, double du,
    double out[2 * EDGE_K + 1], int *ret)
{
	double a0 = fmax(e->mid - e->half, 0), a1 = fmin(e->mid + e->half,
	    (e->vertical ? in->H : in->W) - 1);
	double reach = fabs(e->slope) * e->half + EDGE_K * du + 2;
	int x0, y0, w, h, rows = 0;
	struct pad_grey g = { 0 };

	*ret = EG_OK;
	memset(out, 0, (2 * EDGE_K + 1) * sizeof(double));
	if (a1 - a0 < e->half / 2)
		return false;
	/* the region around the edge, native grey (x across for a vertical edge) */
	if (e->vertical) {
		x0 = (int)floor(e->pos - reach);
		w = (int)ceil(2 * reach) + 2;
		y0 = (int)floor(a0);
		h = (int)ceil(a1 - a0) + 2;
	} else {
		y0 = (int)floor(e->pos - reach);
		h = (int)ceil(2 * reach) + 2;
		x0 = (int)floor(a0);
		w = (int)ceil(a1 - a0) + 2;
	}
	if ((*ret = pad_grey_native(in->f[j]->img, x0, y0, w, h, &g)) != EG_OK)
		return false;
	for (int r = 0; r < EDGE_ROWS; r++) {
		double a = a0 + (a1 - a0) * (r + 0.5) / EDGE_ROWS;
		double c = e->pos + e->slope * (a - e->mid);

		for (int k = 0; k <= 2 * EDGE_K; k++) {
			double u = c + (k - EDGE_K) * du;
			double gx = e->vertical ? u - x0 : a - x0, gy = e->vertical ? a - y0 : u - y0;
			int ix = (int)floor(gx), iy = (int)floor(gy);
			double fx = gx - ix, fy = gy - iy;
			const float *q;

			ix = ix < 0 ? 0 : ix > g.w - 2 ? g.w - 2 : ix;
			iy = iy < 0 ? 0 : iy > g.h - 2 ? g.h - 2 : iy;
			q = g.p + (size_t)iy * (size_t)g.w + (size_t)ix;
			out[k] += (1 - fy) * ((1 - fx) * q[0] + fx * q[1]) +
			    fy * ((1 - fx) * q[g.w] + fx * q[g.w + 1]);
		}
		rows++;
	}
	pad_grey_free(&g);
	for (int k = 0; k <= 2 * EDGE_K; k++)
		out[k] /= rows;
	return true;
}

/*
 * edge_shift — how far the edge moved across itself between the key
 * frame's profile kp and frame j's profile cp, in profile steps: the shift
 * that best correlates their derivatives (sub-step by a parabola). false
 * when the key frame's edge is weak (under 6 grey levels) or the best
 * correlation is under 0.7.
 */
static bool
edge_shift(const double kp[2 * EDGE_K + 1], const double cp[2 * EDGE_K + 1], double *shift)
{
	double kd[2 * EDGE_K + 1] = { 0 }, cd[2 * EDGE_K + 1] = { 0 }, c[2 * EDGE_T + 1];
	double peak = 0;
	int best = 0;

	for (int k = 1; k < 2 * EDGE_K; k++) {
		kd[k] = kp[k + 1] - kp[k - 1];
		cd[k] = cp[k + 1] - cp[k - 1];
		peak = fmax(peak, fabs(kd[k]));
	}
	if (peak < 6)
		return false;
	for (int t = -EDGE_T; t <= EDGE_T; t++) {
		double sab = 0, saa = 0, sbb = 0;

		for (int k = 1; k < 2 * EDGE_K; k++) {
			int m = k + t;

			if (m < 1 || m >= 2 * EDGE_K)
				continue;
			sab += kd[k] * cd[m];
			saa += kd[k] * kd[k];
			sbb += cd[m] * cd[m];
		}
		c[t + EDGE_T] = saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : -1;
		if (c[t + EDGE_T] > c[best])
			best = t + EDGE_T;
	}
	if (c[best] < 0.7)
		return false;
	*shift = best - EDGE_T;
	if (best > 0 && best < 2 * EDGE_T) {
		double l = c[best - 1], m = c[best], r = c[best + 1], den = l - 2 * m + r;

		if (den < 0)
			*shift += 0.5 * (l - r) / den;
	}
	return true;
}

int
pad_cue_motion(struct pad_in *in, struct face_pad_cue_result *planar,
    struct face_pad_cue_result *micro)
{
	static const double around[NPATCH - NFACEP][2] = {
		{ -0.95, 0 }, { 0.95, 0 }, { -0.95, -0.7 }, { 0.95, -0.7 }, { 0, -1.05 },
		{ -0.95, 0.85 }, { 0.95, 0.85 },
	};
	float key[NPATCH][P * P], cur[2][P * P];
	float (*ks)[2][P * P] = NULL;	/* key patches' spectra: re, im */
	float (*cs)[2][P * P] = NULL;	/* current frame's */
	double pc[NPATCH][2];		/* patch centres, native pixels */
	bool use[NPATCH];
	size_t idx[MAX_MOTION_FRAMES], nidx;
	double s = FACE_A / in->side, maxm = 0, h = in->side / 4;
	/* h: half a patch, native pixels */
	double du = 0.5 / s, kprof[2][2 * EDGE_K + 1], cp[2 * EDGE_K + 1];
	bool any = false, edge_use[2] = { false, false };
	int follows = 0, still = 0, moving = 0, usable = 0, ret = EG_OK;
	int efollows = 0, estill = 0;

	planar->unit = "fraction following the face";
	micro->unit = "fraction still";
	in->has_shift = false;
	memset(in->shift, 0, sizeof(in->shift));
	if (in->n < 2) {
		planar->state = micro->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(planar, "one frame: no motion to see");
		pad_cue_detail(micro, "one frame: no motion to see");
		return EG_OK;
	}
	pc[0][0] = in->pts->pt[0][0];
	pc[0][1] = in->pts->pt[0][1];
	pc[1][0] = in->pts->pt[1][0];
	pc[1][1] = in->pts->pt[1][1];
	pc[2][0] = in->pts->pt[2][0];
	pc[2][1] = in->pts->pt[2][1];
	pc[3][0] = (in->pts->pt[3][0] + in->pts->pt[4][0]) / 2;
	pc[3][1] = (in->pts->pt[3][1] + in->pts->pt[4][1]) / 2;
	for (int i = NFACEP; i < NPATCH; i++) {
		/* a surrounding patch cut by the frame's edge moves inwards, as long
		 * as it stays off the face box */
		double x = in->cx + around[i - NFACEP][0] * in->side;
		double y = in->cy + around[i - NFACEP][1] * in->side;

		x = fmin(fmax(x, h), in->W - h);
		y = fmin(fmax(y, h), in->H - h);
		if (fabs(x - in->cx) < 0.5 * in->side + h && fabs(y - in->cy) < 0.5 * in->side + h)
			x = y = -1e6;	/* would overlap the face: not used */
		pc[i][0] = x;
		pc[i][1] = y;
	}
	for (int i = 0; i < NPATCH; i++) {
		use[i] = pc[i][0] - h >= 0 && pc[i][1] - h >= 0 && pc[i][0] + h <= in->W &&
		    pc[i][1] + h <= in->H;
		any = any || use[i];
	}
	if (!any) {
		planar->state = micro->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(planar, "face patches outside the frame");
		memcpy(micro->detail, planar->detail, sizeof(micro->detail));
		return EG_OK;
	}
	for (int i = 0; i < NPATCH; i++) {
		double m = 0, v = 0;

		if (!use[i])
			continue;
		if ((ret = patch_get(in, in->key, pc[i][0], pc[i][1], h, s, key[i])) != EG_OK)
			goto out;
		for (int k = 0; k < P * P; k++)
			m += key[i][k];
		m /= P * P;
		for (int k = 0; k < P * P; k++)
			v += (key[i][k] - m) * (key[i][k] - m);
		use[i] = sqrt(v / (P * P)) >= 3.0;	/* a flat wall cannot be followed */
	}
	ks = malloc(NPATCH * sizeof(*ks));
	cs = malloc(NPATCH * sizeof(*cs));
	if (ks == NULL || cs == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	{
		/* the key patches' spectra, once, two at a time */
		int li[NPATCH], nl = 0;

		for (int i = 0; i < NPATCH; i++)
			if (use[i])
				li[nl++] = i;
		for (int q = 0; q < nl; q += 2)
			pad_spectra2(key[li[q]], q + 1 < nl ? key[li[q + 1]] : NULL, P, ks[li[q]][0],
			    ks[li[q]][1], q + 1 < nl ? ks[li[q + 1]][0] : NULL,
			    q + 1 < nl ? ks[li[q + 1]][1] : NULL);
	}
	for (int i = NFACEP; i < NPATCH; i++)
		usable += use[i];
	/* the edges left and right of the face (a bezel's, a paper's, a door
	 * frame's; not above or below, where the hair and the shoulders move
	 * with the head): their profiles across on the key frame */
	if ((ret = pad_edges(in)) != EG_OK)
		goto out;
	for (int i = 0; i < 2; i++) {
		const struct pad_edge *e = &in->edge[PAD_EDGE_LEFT + i];

		edge_use[i] = e->support >= EDGE_SUP &&
		    edge_profile(in, in->key, e, du, kprof[i], &ret);
		if (ret != EG_OK)
			goto out;
	}
	nidx = spread(in, MAX_MOTION_FRAMES, idx);
	for (size_t fi = 1; fi < nidx; fi++) {
		size_t j = idx[fi];
		double d[NPATCH][2], pk[NPATCH], src[NFACEP][2], dst[NFACEP][2], mm[6];
		double tx = 0, ty = 0, rms = 0;
		bool ok[NPATCH];
		int nf = 0;

		if (!same_size(in, j))
			continue;
		{
			/* two patches per FFT, forward and inverse */
			int li[NPATCH], nl = 0;

			for (int i = 0; i < NPATCH; i++) {
				ok[i] = false;
				if (use[i])
					li[nl++] = i;
			}
			for (int q = 0; q < nl; q += 2) {
				int a = li[q], b = q + 1 < nl ? li[q + 1] : -1;
				const float *ka[2] = { ks[a][0], b >= 0 ? ks[b][0] : NULL };
				const float *kai[2] = { ks[a][1], b >= 0 ? ks[b][1] : NULL };
				const float *ca[2] = { cs[a][0], b >= 0 ? cs[b][0] : NULL };
				const float *cai[2] = { cs[a][1], b >= 0 ? cs[b][1] : NULL };
				double x[2], y[2], pp[2];

				if ((ret = patch_get(in, j, pc[a][0], pc[a][1], h, s, cur[0])) != EG_OK ||
				    (b >= 0 && (ret = patch_get(in, j, pc[b][0], pc[b][1], h, s,
				    cur[1])) != EG_OK))
					goto out;
				pad_spectra2(cur[0], b >= 0 ? cur[1] : NULL, P, cs[a][0], cs[a][1],
				    b >= 0 ? cs[b][0] : NULL, b >= 0 ? cs[b][1] : NULL);
				pad_phase_corr2(ka, kai, ca, cai, P, x, y, pp);
				d[a][0] = x[0];
				d[a][1] = y[0];
				pk[a] = pp[0];
				ok[a] = pk[a] >= 0.12;
				if (b >= 0) {
					d[b][0] = x[1];
					d[b][1] = y[1];
					pk[b] = pp[1];
					ok[b] = pk[b] >= 0.12;
				}
			}
		}
		for (int i = 0; i < NFACEP; i++) {
			if (!ok[i])
				continue;
			src[nf][0] = (pc[i][0] - in->cx) * s;
			src[nf][1] = (pc[i][1] - in->cy) * s;
			dst[nf][0] = src[nf][0] + d[i][0];
			dst[nf][1] = src[nf][1] + d[i][1];
			tx += d[i][0];
			ty += d[i][1];
			rms += d[i][0] * d[i][0] + d[i][1] * d[i][1];
			nf++;
		}
		if (nf < 2)
			continue;
		tx /= nf;
		ty /= nf;
		rms = sqrt(rms / nf);
		in->shift[j][0] = tx / s;
		in->shift[j][1] = ty / s;
		in->has_shift = true;
		maxm = rms > maxm ? rms : maxm;
		if (rms < MOVE_MIN)
			continue;
		{
			float fs[NFACEP][2], fd[NFACEP][2];

			for (int i = 0; i < nf; i++) {
				fs[i][0] = (float)src[i][0];
				fs[i][1] = (float)src[i][1];
				fd[i][0] = (float)dst[i][0];
				fd[i][1] = (float)dst[i][1];
			}
			if (face_similarity_fit((const float (*)[2])fs, (const float (*)[2])fd,
			    (size_t)nf, mm) != EG_OK)
				continue;
		}
		moving++;
		for (int i = NFACEP; i < NPATCH; i++) {
			double qx, qy, px, py, e, z;

			if (!ok[i])
				continue;
			qx = (pc[i][0] - in->cx) * s;
			qy = (pc[i][1] - in->cy) * s;
			px = mm[0] * qx + mm[1] * qy + mm[2] - qx;
			py = mm[3] * qx + mm[4] * qy + mm[5] - qy;
			e = hypot(d[i][0] - px, d[i][1] - py);
			z = hypot(d[i][0], d[i][1]);
			if (e <= 0.4 * rms)
				follows++;
			else if (z <= 0.4 * rms)
				still++;
		}
		for (int i = 0; i < 2; i++) {
			const struct pad_edge *e = &in->edge[PAD_EDGE_LEFT + i];
			double qx, qy, px, py, pred, ref, de;

			if (!edge_use[i])
				continue;
			/* the face's motion carried to the edge's middle, across it */
			qx = (e->pos - in->cx) * s;
			qy = (e->mid - in->cy) * s;
			px = mm[0] * qx + mm[1] * qy + mm[2] - qx;
			py = mm[3] * qx + mm[4] * qy + mm[5] - qy;
			pred = px - e->slope * py;
			ref = fabs(pred);
			if (ref < fmax(MOVE_MIN, 0.5 * rms))
				continue;	/* the face moved along the edge */
			if (!edge_profile(in, j, e, du, cp, &ret)) {
				if (ret != EG_OK)
					goto out;
				continue;
			}
			if (!edge_shift(kprof[i], cp, &de))
				continue;
			de *= 0.5;	/* profile steps to analysis px */
			if (fabs(de - pred) <= 0.4 * ref)
				efollows++;
			else if (fabs(de) <= 0.4 * ref)
				estill++;
		}
	}
	if (moving == 0 || (follows + still < 2 && efollows + estill < 2)) {
		planar->state = micro->state = FACE_PAD_ABSTAINED;
		if (moving == 0) {
			pad_cue_detail(planar, "no motion (largest %.2f px at 64 px a face, in %zu "
			    "frames)", maxm, nidx);
		} else {
			pad_cue_detail(planar, "face moved in %d frames; %d textured surrounding "
			    "patch%s to compare", moving, usable, usable == 1 ? "" : "es");
		}
		memcpy(micro->detail, planar->detail, sizeof(micro->detail));
		goto out;
	}
	/* planar: the larger of the fractions of patches and of edges that
	 * followed the face (a phone's bezel follows it while the room beside
	 * the phone stays still); micro: the patches only */
	planar->raw = follows + still >= 2 ? (double)follows / (follows + still) : 0;
	if (efollows + estill >= 2)
		planar->raw = fmax(planar->raw, (double)efollows / (efollows + estill));
	planar->state = FACE_PAD_SCORED;
	pad_cue_detail(planar, "moved with the face: %d of %d patch and %d of %d edge "
	    "observations (%d frames, largest %.1f px at 64 px a face)", follows, follows + still,
	    efollows, efollows + estill, moving, maxm);
	if (follows + still < 2) {
		micro->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(micro, "face moved in %d frames; %d textured surrounding patch%s "
		    "to compare", moving, usable, usable == 1 ? "" : "es");
		goto out;
	}
	micro->raw = (double)still / (follows + still);
	micro->state = FACE_PAD_SCORED;
	pad_cue_detail(micro, "%d of %d surrounding patch observations stayed still while the "
	    "face moved (%d frames)", still, follows + still, moving);
out:
	if (ks != NULL)
		eg_memzero(ks, NPATCH * sizeof(*ks));
	if (cs != NULL)
		eg_memzero(cs, NPATCH * sizeof(*cs));
	free(ks);
	free(cs);
	eg_memzero(key, sizeof(key));
	eg_memzero(cur, sizeof(cur));
	eg_memzero(kprof, sizeof(kprof));
	eg_memzero(cp, sizeof(cp));
	return ret;
}

/* The eye regions of frame j (the key frame's landmarks carried by the
 * face's shift) as fr_eye crops them, 24 x 24 grey, each normalised to
 * zero mean and unit spread: what a blink changes. */
static int
eye_crops(const struct pad_in *in, size_t j, float out[2][24 * 24])
{
	static const int lid[2][4] = { { 37, 38, 40, 41 }, { 43, 44, 46, 47 } };
	static const int corner[2][2] = { { 36, 39 }, { 42, 45 } };
	const float (*lm)[2] = in->pts->lm68;

	for (int e = 0; e < 2; e++) {
		struct pad_grey g = { 0 };
		double cx = 0, cy = 0, dx = lm[corner[e][1]][0] - lm[corner[e][0]][0];
		double dy = lm[corner[e][1]][1] - lm[corner[e][0]][1], side = 1.6 * hypot(dx, dy);
		double m = 0, v = 0;
		struct fcv_rect r;
		int ret;

		for (int k = 0; k < 4; k++) {
			cx += lm[lid[e][k]][0] / 4.0;
			cy += lm[lid[e][k]][1] / 4.0;
		}
		side = side < 4 ? 4 : side;
		r = (struct fcv_rect){ cx + in->shift[j][0] - side / 2, cy + in->shift[j][1] - side / 2,
			side, side };
		if ((ret = pad_grey_scaled(in->f[j]->img, &r, 24, 24, &g)) != EG_OK)
			return ret;
		for (int i = 0; i < 24 * 24; i++)
			m += g.p[i];
		m /= 24 * 24;
		for (int i = 0; i < 24 * 24; i++)
			v += (g.p[i] - m) * (g.p[i] - m);
		v = sqrt(v / (24 * 24)) + 2.0;
		for (int i = 0; i < 24 * 24; i++)
			out[e][i] = (float)((g.p[i] - m) / v);
		pad_grey_free(&g);
	}
	return EG_OK;
}

int
pad_cue_blink(struct pad_in *in, struct face_pad_cue_result *c)
{
	size_t idx[BLINK_SCAN], nidx, run[BLINK_NET], nrun = 0;
	float kc[2][24 * 24], cc[2][24 * 24];
	double change[BLINK_SCAN], lo = 2, hi = -1;
	size_t used = 0;
	int ret = EG_OK;

	c->unit = "p(open) range";
	if (in->n < 2) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "one frame: no blink to see");
		return EG_OK;
	}
	/* how much each frame's eyes differ from the key frame's (cheap), then
	 * the network on the key frame and the frames that differ most */
	nidx = spread(in, BLINK_SCAN, idx);
	if ((ret = eye_crops(in, in->key, kc)) != EG_OK)
		goto out;
	run[nrun++] = in->key;
	for (size_t fi = 1; fi < nidx; fi++) {
		size_t j = idx[fi];
		double d = 0;

		change[fi] = -1;
		if (!same_size(in, j))
			continue;
		if ((ret = eye_crops(in, j, cc)) != EG_OK)
			goto out;
		for (int e = 0; e < 2; e++)
			for (int i = 0; i < 24 * 24; i++)
				d += fabsf(cc[e][i] - kc[e][i]);
		change[fi] = d / (2 * 24 * 24);
	}
	while (nrun < BLINK_NET) {
		size_t best = 0;

		for (size_t fi = 1; fi < nidx; fi++)
			if (change[fi] >= 0 && (best == 0 || change[fi] > change[best]))
				best = fi;
		if (best == 0)
			break;
		run[nrun++] = idx[best];
		change[best] = -1;
	}
	for (size_t q = 0; q < nrun; q++) {
		size_t j = run[q];
		struct face_points p = *in->pts;
		double po[2], o;

		for (int k = 0; k < 68; k++) {
			p.lm68[k][0] += (float)in->shift[j][0];
			p.lm68[k][1] += (float)in->shift[j][1];
		}
		ret = face_eyes_open(in->ctx, in->f[j]->img, &p, po);
		memset(&p, 0, sizeof(p));
		if (ret != EG_OK)
			goto out;
		o = (po[0] + po[1]) / 2;
		lo = o < lo ? o : lo;
		hi = o > hi ? o : hi;
		used++;
	}
	if (used < 2) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "fewer than two frames of the key frame's size");
		goto out;
	}
	c->raw = hi - lo;
	c->state = FACE_PAD_SCORED;
	pad_cue_detail(c, "eyes p(open) from %.2f to %.2f (key frame and the %zu of %zu frames "
	    "whose eyes changed most)", lo, hi, used - 1, nidx - 1);
out:
	eg_memzero(kc, sizeof(kc));
	eg_memzero(cc, sizeof(cc));
	return ret;
}
