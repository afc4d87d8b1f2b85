/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_depth.c — the depth cue of PAD, where the camera delivers a depth map
 * with its frames (UVC depth cameras): a face has relief (the nose stands
 * 20-40 mm in front of the cheeks), a print or a screen is flat or gently
 * bent. Measure on the central 70 % of the face box of every frame that has
 * depth: a plane fitted (least squares) to the valid readings within
 * 150 mm of their median (not the wall behind, not a hand in front); raw = the
 * spread (95th - 5th percentile) of the residuals in millimetres, the median
 * over the frames. Under 30 % valid readings in the face: no depth (the
 * frame abstains). Both an attack cue (flat) and a sign of life (relief).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "pad_int.h"

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* relief of one depth map in the face region; *ok false if too few readings */
static int
relief(const struct pad_in *in, const struct face_pad_frame *f, double *mm, bool *ok)
{
	double sx = (double)f->depth_w / in->W, sy = (double)f->depth_h / in->H;
	double h = 0.35 * in->side;
	int x0 = (int)floor((in->cx - h) * sx), x1 = (int)ceil((in->cx + h) * sx);
	int y0 = (int)floor((in->cy - h) * sy), y1 = (int)ceil((in->cy + h) * sy);
	double A[3][4] = { { 0 } };
	float *res = NULL;
	double med;
	size_t n = 0, total = 0;

	*ok = false;
	*mm = 0;
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > f->depth_w ? f->depth_w : x1;
	y1 = y1 > f->depth_h ? f->depth_h : y1;
	if (x1 - x0 < 4 || y1 - y0 < 4)
		return EG_OK;
	if ((res = malloc((size_t)(x1 - x0) * (size_t)(y1 - y0) * sizeof(float))) == NULL)
		return EG_ERR_NOMEM;
	/* the wall behind (or a hand in front) is not the face: readings more
	 * than 150 mm from the median of the region are left out */
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			double z = f->depth[(size_t)y * (size_t)f->depth_w + (size_t)x];

			if (z > 0)
				res[n++] = (float)z;
		}
	med = n > 0 ? pad_percentile(res, n, 50) : 0;
	n = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			double z = f->depth[(size_t)y * (size_t)f->depth_w + (size_t)x];
			double v[3] = { x - x0, y - y0, 1 };

			total++;
			if (z <= 0 || fabs(z - med) > 150)
				continue;
			n++;
			for (int r = 0; r < 3; r++) {
				for (int cc = 0; cc < 3; cc++)
					A[r][cc] += v[r] * v[cc];
				A[r][3] += v[r] * z;
			}
		}
	if (n * 10 >= total * 3 && n >= 16) {
		/* Gauss-Jordan on the 3x3 normal equations */
		bool sing = false;

		for (int col = 0; col < 3 && !sing; col++) {
			int piv = col;

			for (int r = col + 1; r < 3; r++)
				if (fabs(A[r][col]) > fabs(A[piv][col]))
					piv = r;
			if (fabs(A[piv][col]) < 1e-9) {
				sing = true;
				break;
			}
			for (int cc = 0; cc < 4; cc++) {
				double t = A[col][cc];

				A[col][cc] = A[piv][cc];
				A[piv][cc] = t;
			}
			for (int r = 0; r < 3; r++) {
				double fct;

				if (r == col)
					continue;
				fct = A[r][col] / A[col][col];
				for (int cc = 0; cc < 4; cc++)
					A[r][cc] -= fct * A[col][cc];
			}
		}
		if (!sing) {
			double a = A[0][3] / A[0][0], b = A[1][3] / A[1][1], c = A[2][3] / A[2][2];
			size_t k = 0;

			for (int y = y0; y < y1; y++)
				for (int x = x0; x < x1; x++) {
					double z = f->depth[(size_t)y * (size_t)f->depth_w + (size_t)x];

					if (z > 0 && fabs(z - med) <= 150)
						res[k++] = (float)(z - (a * (x - x0) + b * (y - y0) + c));
				}
			*mm = pad_percentile(res, k, 95) - pad_percentile(res, k, 5);
			*ok = true;
		}
	}
	free(res);
	return EG_OK;
}

int
pad_cue_depth(struct pad_in *in, struct face_pad_cue_result *c)
{
	double v[FACE_PAD_MAX_FRAMES];
	size_t k = 0, with = 0;
	int ret;

	c->unit = "mm of relief";
	for (size_t j = 0; j < in->n; j++) {
		const struct face_pad_frame *f = in->f[j];
		bool ok;

		if (f->depth == NULL || f->depth_w <= 0 || f->depth_h <= 0)
			continue;
		with++;
		if ((ret = relief(in, f, &v[k], &ok)) != EG_OK)
			return ret;
		if (ok)
			k++;
	}
	if (with == 0) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "no depth stream");
		return EG_OK;
	}
	if (k == 0) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "depth in %zu frames, too few readings on the face", with);
		return EG_OK;
	}
	qsort(v, k, sizeof(double), cmp_d);
	c->raw = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	c->state = FACE_PAD_SCORED;
	pad_cue_detail(c, "face relief %.1f mm over a fitted plane (median of %zu frames)", c->raw,
	    k);
	return EG_OK;
}
