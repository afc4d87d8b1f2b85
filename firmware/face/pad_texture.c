/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_texture.c — the two periodic-texture cues of PAD:
 *
 * spectrum: halftone dots of a print and the pixel grid of a screen (and the
 *   moiré it makes with the camera's own grid) put sharp peaks into the power
 *   spectrum of the face at the camera's native resolution; skin, hair and
 *   sensor noise give a smooth spectrum. Measure: the inner face (a square
 *   of 0.55 box sides on the nose: skin, not the hair or the room beside it,
 *   whose blinds or stripes are periodic too) is cut into up to 2 x 2 tiles (64 px; 32 for faces under 200 px; Hann window); the log power
 *   spectra are averaged (a peak must be in every tile, so one eyebrow or
 *   spectacle edge does not make one); each bin's excess over the median of
 *   its ring (same radius) is taken; raw = the largest excess (natural log
 *   units) away from the lowest frequencies, the axes and the JPEG 8x8
 *   grid; the median over up to three frames.
 *
 * banding: a screen filmed by a rolling-shutter camera shows bright and
 *   dark bands across the rows. Measure: the mean grey level of each row of
 *   the whole frame, log, detrended; raw = the largest excess of a bin of its
 *   power spectrum (periods 8 px to a quarter of the height) over the median
 *   of its neighbourhood; the median over up to three frames.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "pad_int.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* up to three frames: the key frame, the middle one and the last one */
static size_t
pick3(const struct pad_in *in, size_t idx[3])
{
	size_t k = 0, cand[2] = { in->n / 2, in->n - 1 };

	idx[k++] = in->key;
	for (size_t j = 0; j < 2; j++)
		if (cand[j] != in->key && (k == 1 || idx[k - 1] != cand[j]))
			idx[k++] = cand[j];
	return k;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median_d(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Peak excess of the mean log spectrum of the face tiles in one frame. */
static int
spectrum_frame(const struct fcv_image *img, const struct pad_in *in, int T, double *raw,
    double *freq)
{
	struct pad_grey g = { 0 };
	float *re = NULL, *im = NULL, *acc = NULL, *ring = NULL;
	double R = 0.55 * in->side, x0, y0, best = -1e30, bf = 0, fcy = in->cy + 0.05 * in->side;
	float hann[64];
	int nt, ntiles = 0, ret, half = T / 2;

	*raw = 0;
	*freq = 0;
	for (int x = 0; x < T; x++)
		hann[x] = (float)(0.5 - 0.5 * cos(2 * M_PI * (x + 0.5) / T));
	nt = R >= 1.4 * T ? 2 : 1;
	x0 = in->cx - R / 2;
	y0 = fcy - R / 2;
	re = malloc((size_t)T * T * sizeof(float));
	im = malloc((size_t)T * T * sizeof(float));
	acc = calloc((size_t)T * T, sizeof(float));
	ring = malloc((size_t)T * T * sizeof(float));
	if (re == NULL || im == NULL || acc == NULL || ring == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	for (int ty = 0; ty < nt; ty++) {
		for (int tx = 0; tx < nt; tx++) {
			double ox = nt == 1 ? in->cx - T / 2.0 : x0 + tx * (R - T) / (nt - 1);
			double oy = nt == 1 ? fcy - T / 2.0 : y0 + ty * (R - T) / (nt - 1);
			double mean = 0;

			if ((ret = pad_grey_native(img, (int)lround(ox), (int)lround(oy), T, T, &g))
			    != EG_OK)
				goto out;
			for (int i = 0; i < T * T; i++)
				mean += g.p[i];
			mean /= T * T;
			for (int y = 0; y < T; y++)
				for (int x = 0; x < T; x++) {
					re[y * T + x] = (float)(g.p[y * T + x] - mean) * hann[x] * hann[y];
					im[y * T + x] = 0;
				}
			pad_grey_free(&g);
			pad_fft2(re, im, T, false);
			for (int i = 0; i < T * T; i++)
				acc[i] += logf(re[i] * re[i] + im[i] * im[i] + 1e-3f);
			ntiles++;
		}
	}
	for (int i = 0; i < T * T; i++)
		acc[i] /= (float)ntiles;
	/* median of each ring, then the largest excess */
	{
		double med[33];
		int rmin = T / 16 > 2 ? T / 16 : 2, grid = T / 8, start[34] = { 0 }, fill[33];
		unsigned char ring_of[64 * 64];

		for (int v = -half; v < half; v++)
			for (int u = -half; u < half; u++) {
				int rr = (int)lround(sqrt((double)u * u + (double)v * v));

				rr = rr > half ? half + 1 : rr;
				ring_of[((v + T) % T) * T + (u + T) % T] = (unsigned char)rr;
				if (rr <= half)
					start[rr + 1]++;
			}
		for (int r = 0; r <= half; r++) {
			start[r + 1] += start[r];
			fill[r] = start[r];
		}
		for (int i = 0; i < T * T; i++)
			if (ring_of[i] <= half)
				ring[fill[ring_of[i]]++] = acc[i];
		for (int r = 0; r <= half; r++)
			med[r] = start[r + 1] > start[r] ?
			    pad_percentile(ring + start[r], (size_t)(start[r + 1] - start[r]), 50) : 0;
		for (int v = 1; v < half; v++) {
			for (int u = -half + 1; u < half; u++) {
				int rr = ring_of[v * T + (u + T) % T];
				double e;

				if (rr < rmin || rr > half - 1 || u == 0)
					continue;
				if (abs(u) % grid == 0 && v % grid == 0)
					continue;	/* JPEG 8x8 block grid */
				e = acc[v * T + (u + T) % T] - med[rr];
				if (e > best) {
					best = e;
					bf = sqrt((double)u * u + (double)v * v) / T;
				}
			}
		}
	}
	*raw = best;
	*freq = bf;
	ret = EG_OK;
out:
	pad_grey_free(&g);
	if (re != NULL)
		eg_memzero(re, (size_t)T * T * sizeof(float));
	free(re);
	free(im);
	free(acc);
	free(ring);
	return ret;
}

int
pad_cue_spectrum(struct pad_in *in, struct face_pad_cue_result *c)
{
	size_t idx[3], k = pick3(in, idx);
	double v[3], f[3], fr = 0;
	int T = in->side >= 200 ? 64 : 32, ret;

	c->unit = "log power excess";
	if (in->side < 40) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "face of %.0f px: too small for texture", in->side);
		return EG_OK;
	}
	for (size_t i = 0; i < k; i++)
		if ((ret = spectrum_frame(in->f[idx[i]]->img, in, T, &v[i], &f[i])) != EG_OK)
			return ret;
	for (size_t i = 0; i < k; i++)
		if (idx[i] == in->key)
			fr = f[i];
	c->raw = median_d(v, k);
	c->state = FACE_PAD_SCORED;
	pad_cue_detail(c, "peak %.2f over its ring (key frame at %.3f cycles/px), %zu frame%s, "
	    "%d px tiles", c->raw, fr, k, k == 1 ? "" : "s", T);
	return EG_OK;
}

/* ---- banding ----------------------------------------------------------------- */

static int
banding_frame(const struct fcv_image *img, double *raw, double *period)
{
	int H = img->height, W = img->width, N = 1, step = W > 256 ? W / 256 : 1;
	float *re = NULL, *im = NULL;
	double *prof = NULL, sx = 0, sy = 0, sxx = 0, sxy = 0, a, b, best = -1e30, bp = 0;
	int ret = EG_ERR_NOMEM;

	*raw = 0;
	*period = 0;
	while (N < H)
		N <<= 1;
	re = calloc((size_t)N, sizeof(float));
	im = calloc((size_t)N, sizeof(float));
	prof = calloc((size_t)H, sizeof(double));
	if (re == NULL || im == NULL || prof == NULL)
		goto out;
	for (int y = 0; y < H; y++) {
		const uint8_t *row = img->data + (size_t)y * img->stride;
		uint32_t sb = 0, sg = 0, sr = 0;	/* at most 511 samples of 255 */
		double s;
		int cnt = 0;

		/* integer channel sums (vectorised), weighted once per row */
		for (int x = 0; x < W; x += step, cnt++) {
			sb += row[x * 3];
			sg += row[x * 3 + 1];
			sr += row[x * 3 + 2];
		}
		s = 0.114 * sb + 0.587 * sg + 0.299 * sr;
		prof[y] = log(s / cnt + 4.0);
		sx += y;
		sy += prof[y];
		sxx += (double)y * y;
		sxy += y * prof[y];
	}
	b = (H * sxy - sx * sy) / (H * sxx - sx * sx + 1e-9);
	a = (sy - b * sx) / H;
	for (int y = 0; y < H; y++)
		re[y] = (float)((prof[y] - a - b * y) * (0.5 - 0.5 * cos(2 * M_PI * (y + 0.5) / H)));
	pad_fft(re, im, N, false);
	for (int k = 1; k < N / 2; k++)
		re[k] = logf(re[k] * re[k] + im[k] * im[k] + 1e-12f);
	{
		/* periods from 8 px to H/4: bins N/(H/4) .. N/8 */
		int kmin = (int)ceil(4.0 * N / H), kmax = N / 8;
		float win[512];

		for (int k = kmin; k <= kmax && k < N / 2; k++) {
			int lo = k - k / 3 - 2, hi = k + k / 3 + 2, m = 0;
			double e;

			lo = lo < 1 ? 1 : lo;
			hi = hi > N / 2 - 1 ? N / 2 - 1 : hi;
			for (int j = lo; j <= hi && m < 512; j++)
				if (abs(j - k) > 1)
					win[m++] = re[j];
			if (m < 4)
				continue;
			e = re[k] - pad_percentile(win, (size_t)m, 50);
			if (e > best) {
				best = e;
				bp = (double)N / k;
			}
		}
	}
	*raw = best > -1e29 ? best : 0;
	*period = bp;
	ret = EG_OK;
out:
	free(re);
	free(im);
	free(prof);
	return ret;
}

int
pad_cue_banding(struct pad_in *in, struct face_pad_cue_result *c)
{
	size_t idx[3], k = pick3(in, idx);
	double v[3], p[3], pk = 0;
	int ret;

	c->unit = "log power excess";
	if (in->H < 64) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "frame of %d rows: too short", in->H);
		return EG_OK;
	}
	for (size_t i = 0; i < k; i++)
		if ((ret = banding_frame(in->f[idx[i]]->img, &v[i], &p[i])) != EG_OK)
			return ret;
	for (size_t i = 0; i < k; i++)
		if (idx[i] == in->key)
			pk = p[i];
	c->raw = median_d(v, k);
	c->state = FACE_PAD_SCORED;
	pad_cue_detail(c, "row profile peak %.2f (key frame: period %.1f px), %zu frame%s",
	    c->raw, pk, k, k == 1 ? "" : "s");
	return EG_OK;
}
