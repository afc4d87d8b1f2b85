/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_moire.c — the whole-frame periodic-structure cue of PAD (moire):
 *
 * a screen (or a print) filmed by the camera carries periodic structure over
 * its whole surface: the moire its pixel grid beats with the camera's, in
 * coloured bands of a few to tens of pixels (the sub-pixels of each colour
 * are offset, so the bands of R, G and B are out of phase: mostly a chroma
 * pattern), the pixel grid itself when it is coarse enough, a halftone's
 * screens. The spectrum cue looks for such peaks on the inner face only
 * (64-px tiles, lowest frequencies left out); this cue looks at the whole
 * frame at a coarser scale, where a screen that fills the view shows its
 * bands around the head too, and it does not rest on the black level.
 *
 * Measure, on the key frame: the frame at half resolution (2 x 2 means:
 * the chroma of an MJPEG camera has no more), luma Y and chroma Cb = B - Y,
 * Cr = R - Y; up to 3 x 3 tiles of 128 px (256 camera px) covering it, Hann
 * window, mean removed; the mean over the tiles of the log power spectrum of
 * the chroma (|Cb|^2 + |Cr|^2, one complex FFT of Cb + i Cr) and of the luma
 * (two tiles per complex FFT). In each, a bin's excess is its value less the
 * median of its ring (same radius); the measure of a bin is its excess less
 * the median excess of its own ray at radii r +- 3 and r +- 5 (when that is
 * positive): an isolated peak keeps its excess, the line a straight edge
 * (a doorway, a bezel) draws through the origin of the spectrum does not
 * (straight edges are the frame cue's). The lowest frequencies (rings under
 * T/24: periods over about 25 half-resolution px, 50 camera px), the axes
 * and the JPEG block grid (8 px luma, 16 px chroma) are left out. raw = the
 * larger of the chroma's and the luma's largest measure (natural log units).
 *
 * Abstains on a frame under 256 x 256 px. The frame's pixels are personal
 * data: every working plane is wiped.
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

#define MT 128		/* tile side at half resolution */
#define MAXT 9		/* tiles: up to 3 x 3 */

/* The rings of the half plane: the power spectrum of a real plane (and
 * the symmetrised one of Cb + i Cr) is the same at k and -k, so each ring's
 * median is the median of the bins (u, v) with v > 0, or v = 0 and u > 0;
 * only rows v = 0 .. T/2 - 1 are kept. */
struct ring_tab {
	unsigned char r[MT / 2 * MT];	/* ring of (u, v) at v * T + (u mod T) */
	int start[MT / 2 + 1];		/* rings 0 .. T/2 - 1 in the half plane */
};

static bool
in_half(int u, int v)
{
	return v > 0 || u > 0;
}

static void
ring_init(struct ring_tab *t, int T)
{
	int half = T / 2;

	memset(t->start, 0, sizeof(t->start));
	for (int v = 0; v < half; v++)
		for (int u = -half; u < half; u++) {
			int rr = (int)lround(sqrt((double)u * u + (double)v * v));

			rr = rr > half ? half : rr;
			t->r[v * T + (u + T) % T] = (unsigned char)rr;
			if (rr < half && in_half(u, v))
				t->start[rr + 1]++;
		}
	for (int r = 0; r < half; r++)
		t->start[r + 1] += t->start[r];
}

/* the largest excess of a bin of acc (rows 0 .. T/2 - 1) over its ring's
 * median, less the excess of its own ray at nearby radii (r +- 3, 5): an
 * isolated peak scores, the line a straight edge draws through the origin
 * does not; *f its frequency (cycles per half-resolution px) */
static double
peak_excess(const float *acc, const struct ring_tab *t, int T, float *work, float *E,
    double *f)
{
	int half = T / 2, fill[MT / 2], rmin = T / 24 > 2 ? T / 24 : 2;
	double med[MT / 2], bi = -1e30;
	static const int dr[4] = { -5, -3, 3, 5 };

	for (int r = 0; r < half; r++)
		fill[r] = t->start[r];
	for (int v = 0; v < half; v++)
		for (int u = -half; u < half; u++) {
			int i = v * T + (u + T) % T;

			if (t->r[i] < half && in_half(u, v))
				work[fill[t->r[i]]++] = acc[i];
		}
	for (int r = 0; r < half; r++)
		med[r] = t->start[r + 1] > t->start[r] ?
		    pad_percentile(work + t->start[r], (size_t)(t->start[r + 1] - t->start[r]), 50) : 0;
	for (int i = 0; i < half * T; i++)
		E[i] = t->r[i] < half ? (float)(acc[i] - med[t->r[i]]) : 0;
	*f = 0;
	for (int v = 1; v < half; v++)
		for (int u = -half + 1; u < half; u++) {
			int rr = t->r[v * T + (u + T) % T], m = 0;
			double e, rad, ray[4], rm;

			if (rr < rmin || rr > half - 1 || u == 0)
				continue;
			if (abs(u) % (T / 8) == 0 && v % (T / 8) == 0)
				continue;	/* JPEG blocks (8 px luma, 16 px chroma) */
			e = E[v * T + (u + T) % T];
			if (e <= bi)
				continue;
			rad = sqrt((double)u * u + (double)v * v);
			for (int k = 0; k < 4; k++) {
				double q = (rad + dr[k]) / rad;
				int uu = (int)lround(u * q), vv = (int)lround(v * q);

				if (rad + dr[k] < 2 || rad + dr[k] > half - 1)
					continue;
				ray[m++] = E[((vv + T) % T) * T + (uu + T) % T];
			}
			if (m == 0)
				continue;
			/* the median of the ray's excesses (m <= 4) */
			for (int a = 1; a < m; a++)
				for (int b = a; b > 0 && ray[b] < ray[b - 1]; b--) {
					double x = ray[b];

					ray[b] = ray[b - 1];
					ray[b - 1] = x;
				}
			rm = m % 2 ? ray[m / 2] : (ray[m / 2 - 1] + ray[m / 2]) / 2;
			e -= rm > 0 ? rm : 0;
			if (e > bi) {
				bi = e;
				*f = rad / T;
			}
		}
	return bi;
}

/* the MT x MT tile at (ox, oy) of plane a (width w), mean removed, Hann
 * window, into out */
static void
tile_win(const float *a, int w, int ox, int oy, const float *hann, float *out)
{
	double m = 0;

	for (int y = 0; y < MT; y++)
		for (int x = 0; x < MT; x++)
			m += a[(size_t)(oy + y) * (size_t)w + (size_t)(ox + x)];
	m /= MT * MT;
	for (int y = 0; y < MT; y++)
		for (int x = 0; x < MT; x++)
			out[y * MT + x] = (float)(a[(size_t)(oy + y) * (size_t)w + (size_t)(ox + x)] -
			    m) * hann[x] * hann[y];
}

int
pad_cue_moire(struct pad_in *in, struct face_pad_cue_result *c)
{
	const struct fcv_image *img = in->f[in->key]->img;
	int w2 = in->W / 2, h2 = in->H / 2, T = MT, nx, ny, ret = EG_ERR_NOMEM, nt;
	int tox[MAXT], toy[MAXT];
	float *Y = NULL, *CB = NULL, *CR = NULL, *re = NULL, *im = NULL, *ac = NULL, *al = NULL;
	float *work = NULL, *E = NULL;
	struct ring_tab *rt = NULL;
	float hann[MT];
	double ci, cf, li, lf;

	c->unit = "log power excess";
	if (w2 < T || h2 < T) {
		c->state = FACE_PAD_ABSTAINED;
		pad_cue_detail(c, "frame of %dx%d: too small", in->W, in->H);
		return EG_OK;
	}
	nx = (w2 + T - 1) / T;
	ny = (h2 + T - 1) / T;
	nx = nx > 3 ? 3 : nx;
	ny = ny > 3 ? 3 : ny;
	nt = 0;
	for (int ty = 0; ty < ny; ty++)
		for (int tx = 0; tx < nx; tx++, nt++) {
			tox[nt] = nx == 1 ? (w2 - T) / 2 : tx * (w2 - T) / (nx - 1);
			toy[nt] = ny == 1 ? (h2 - T) / 2 : ty * (h2 - T) / (ny - 1);
		}
	Y = malloc((size_t)w2 * h2 * sizeof(float));
	CB = malloc((size_t)w2 * h2 * sizeof(float));
	CR = malloc((size_t)w2 * h2 * sizeof(float));
	re = malloc((size_t)T * T * sizeof(float));
	im = malloc((size_t)T * T * sizeof(float));
	ac = calloc((size_t)T * T, sizeof(float));
	al = calloc((size_t)T * T, sizeof(float));
	E = malloc((size_t)T * T * sizeof(float));
	work = malloc((size_t)T * T * sizeof(float));
	rt = malloc(sizeof(*rt));
	if (!Y || !CB || !CR || !re || !im || !ac || !al || !work || !rt || !E)
		goto out;
	ring_init(rt, T);
	for (int x = 0; x < T; x++)
		hann[x] = (float)(0.5 - 0.5 * cos(2 * M_PI * (x + 0.5) / T));
	for (int y = 0; y < h2; y++) {
		const uint8_t *r0 = img->data + (size_t)(2 * y) * img->stride;
		const uint8_t *r1 = r0 + img->stride;

		for (int x = 0; x < w2; x++) {
			const uint8_t *a = r0 + 6 * x, *b = r1 + 6 * x;
			float B = (a[0] + a[3] + b[0] + b[3]) * 0.25f;
			float G = (a[1] + a[4] + b[1] + b[4]) * 0.25f;
			float R = (a[2] + a[5] + b[2] + b[5]) * 0.25f;
			float L = 0.114f * B + 0.587f * G + 0.299f * R;

			Y[y * w2 + x] = L;
			CB[y * w2 + x] = B - L;
			CR[y * w2 + x] = R - L;
		}
	}
	for (int t = 0; t < nt; t++) {
		/* chroma: Cb + i Cr; the power of both is the symmetrised power */
		tile_win(CB, w2, tox[t], toy[t], hann, re);
		tile_win(CR, w2, tox[t], toy[t], hann, im);
		pad_fft2(re, im, T, false);
		for (int v = 0; v < T / 2; v++)
			for (int u = 0; u < T; u++) {
				int i = v * T + u, j = ((T - v) % T) * T + (T - u) % T;

				ac[i] += logf(0.5f * (re[i] * re[i] + im[i] * im[i] + re[j] * re[j] +
				    im[j] * im[j]) + 1e-3f);
			}
	}
	for (int t = 0; t < nt; t += 2) {
		/* luma: two tiles in one FFT (a + i b) */
		tile_win(Y, w2, tox[t], toy[t], hann, re);
		if (t + 1 < nt)
			tile_win(Y, w2, tox[t + 1], toy[t + 1], hann, im);
		else
			memset(im, 0, (size_t)T * T * sizeof(float));
		pad_fft2(re, im, T, false);
		for (int v = 0; v < T / 2; v++)
			for (int u = 0; u < T; u++) {
				int i = v * T + u, j = ((T - v) % T) * T + (T - u) % T;
				float ar = (re[i] + re[j]) / 2, ai = (im[i] - im[j]) / 2;
				float br = (im[i] + im[j]) / 2, bi = (re[j] - re[i]) / 2;

				al[i] += logf(ar * ar + ai * ai + 1e-3f);
				if (t + 1 < nt)
					al[i] += logf(br * br + bi * bi + 1e-3f);
			}
	}
	for (int i = 0; i < T / 2 * T; i++) {
		ac[i] /= (float)nt;
		al[i] /= (float)nt;
	}
	ci = peak_excess(ac, rt, T, work, E, &cf);
	li = peak_excess(al, rt, T, work, E, &lf);
	c->raw = ci >= li ? ci : li;
	c->state = FACE_PAD_SCORED;
	/* frequencies in cycles per camera pixel (half resolution: / 2) */
	pad_cue_detail(c, "chroma peak %.2f at %.3f c/px, luma %.2f at %.3f c/px; %d tiles of %d px",
	    ci, cf / 2, li, lf / 2, nt, 2 * T);
	ret = EG_OK;
out:
	if (Y != NULL)
		eg_memzero(Y, (size_t)w2 * h2 * sizeof(float));
	if (CB != NULL)
		eg_memzero(CB, (size_t)w2 * h2 * sizeof(float));
	if (CR != NULL)
		eg_memzero(CR, (size_t)w2 * h2 * sizeof(float));
	if (re != NULL)
		eg_memzero(re, (size_t)T * T * sizeof(float));
	if (im != NULL)
		eg_memzero(im, (size_t)T * T * sizeof(float));
	if (work != NULL)
		eg_memzero(work, (size_t)T * T * sizeof(float));
	free(Y);
	free(CB);
	free(CR);
	free(re);
	free(im);
	free(ac);
	free(al);
	free(E);
	free(work);
	free(rt);
	return ret;
}
