/* SPDX-License-Identifier: Apache-2.0 */
/* pad_util.c — grey working images, FFT and phase correlation for the PAD
 * cues (pad_int.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "pad_int.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int
grey_alloc(struct pad_grey *g, int w, int h)
{
	g->w = g->h = 0;
	g->p = NULL;
	if (w <= 0 || h <= 0 || w > 16384 || h > 16384)
		return EG_ERR_INVAL;
	if ((g->p = malloc((size_t)w * (size_t)h * sizeof(float))) == NULL)
		return EG_ERR_NOMEM;
	g->w = w;
	g->h = h;
	return EG_OK;
}

void
pad_grey_free(struct pad_grey *g)
{
	if (g == NULL)
		return;
	if (g->p != NULL) {
		eg_memzero(g->p, (size_t)g->w * (size_t)g->h * sizeof(float));
		free(g->p);
	}
	g->p = NULL;
	g->w = g->h = 0;
}

static inline float
luma(const uint8_t *px)
{
	return 0.114f * px[0] + 0.587f * px[1] + 0.299f * px[2];
}

int
pad_grey_native(const struct fcv_image *img, int x0, int y0, int w, int h, struct pad_grey *out)
{
	int ret;

	if (img == NULL || img->data == NULL || img->width <= 0 || img->height <= 0)
		return EG_ERR_INVAL;
	if ((ret = grey_alloc(out, w, h)) != EG_OK)
		return ret;
	for (int y = 0; y < h; y++) {
		int sy = y0 + y;
		const uint8_t *row;

		sy = sy < 0 ? 0 : sy >= img->height ? img->height - 1 : sy;
		row = img->data + (size_t)sy * img->stride;
		for (int x = 0; x < w; x++) {
			int sx = x0 + x;

			sx = sx < 0 ? 0 : sx >= img->width ? img->width - 1 : sx;
			out->p[(size_t)y * (size_t)w + (size_t)x] = luma(row + (size_t)sx * 3);
		}
	}
	return EG_OK;
}

int
pad_grey_scaled(const struct fcv_image *img, const struct fcv_rect *r, int ow, int oh,
    struct pad_grey *out)
{
	struct fcv_image c = { 0 };
	int ret;

	out->p = NULL;
	out->w = out->h = 0;
	if ((ret = fcv_image_crop(img, r, ow, oh, &c)) != EG_OK)
		return ret;
	if ((ret = grey_alloc(out, c.width, c.height)) == EG_OK)
		for (int y = 0; y < c.height; y++)
			for (int x = 0; x < c.width; x++)
				out->p[(size_t)y * (size_t)c.width + (size_t)x] =
				    luma(c.data + (size_t)y * c.stride + (size_t)x * 3);
	fcv_image_free(&c);
	return ret;
}

/*
 * In-place radix-2 FFTs of ncols sequences of length n side by side: element
 * i of sequence x is at re[i * stride + x] (stride >= ncols); twiddles
 * tw[k] = exp(-2 pi i k / n), k < n/2, conjugated when inverse. The
 * innermost loops run over the sequences, so the butterflies of a 2-D
 * transform go between whole rows (contiguous, vectorised: about 4 times
 * faster at n = 128 than one column at a time); with ncols = 1 it is the
 * plain 1-D transform, with the same operations.
 */
static void
fft_many(float *re, float *im, int n, size_t stride, int ncols, const float *twr,
    const float *twi, bool inverse)
{
	/* bit reversal */
	for (int i = 1, j = 0; i < n; i++) {
		int bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j)
			for (int x = 0; x < ncols; x++) {
				float t = re[(size_t)i * stride + (size_t)x];

				re[(size_t)i * stride + (size_t)x] = re[(size_t)j * stride + (size_t)x];
				re[(size_t)j * stride + (size_t)x] = t;
				t = im[(size_t)i * stride + (size_t)x];
				im[(size_t)i * stride + (size_t)x] = im[(size_t)j * stride + (size_t)x];
				im[(size_t)j * stride + (size_t)x] = t;
			}
	}
	for (int len = 2; len <= n; len <<= 1) {
		int step = n / len;

		for (int i = 0; i < n; i += len)
			for (int k = 0; k < len / 2; k++) {
				float *ar = re + (size_t)(i + k) * stride, *ai = im + (size_t)(i + k) * stride;
				float *br = ar + (size_t)(len / 2) * stride;
				float *bi = ai + (size_t)(len / 2) * stride;
				float cr = twr[k * step], ci = inverse ? -twi[k * step] : twi[k * step];

				for (int x = 0; x < ncols; x++) {
					float xr = br[x] * cr - bi[x] * ci, xi = br[x] * ci + bi[x] * cr;

					br[x] = ar[x] - xr;
					bi[x] = ai[x] - xi;
					ar[x] += xr;
					ai[x] += xi;
				}
			}
	}
}

static void
twiddles(int n, float *twr, float *twi)
{
	for (int k = 0; k < n / 2; k++) {
		twr[k] = (float)cos(2 * M_PI * k / n);
		twi[k] = (float)-sin(2 * M_PI * k / n);
	}
}

void
pad_fft(float *re, float *im, int n, bool inverse)
{
	float twr[1024], twi[1024];

	if (n < 2 || n > 2048)
		return;
	twiddles(n, twr, twi);
	fft_many(re, im, n, 1, 1, twr, twi, inverse);
}

static void
transpose(float *a, int n)
{
	for (int y = 0; y < n; y++)
		for (int x = y + 1; x < n; x++) {
			float t = a[(size_t)y * (size_t)n + (size_t)x];

			a[(size_t)y * (size_t)n + (size_t)x] = a[(size_t)x * (size_t)n + (size_t)y];
			a[(size_t)x * (size_t)n + (size_t)y] = t;
		}
}

/* rows, then columns; the rows as the columns of the transposed array */
void
pad_fft2(float *re, float *im, int n, bool inverse)
{
	float twr[128] = { 0 }, twi[128] = { 0 };	/* (GCC 12 cannot see twiddles set them) */

	if (n > 256 || n < 2)
		return;
	twiddles(n, twr, twi);
	transpose(re, n);
	transpose(im, n);
	fft_many(re, im, n, (size_t)n, n, twr, twi, inverse);
	transpose(re, n);
	transpose(im, n);
	fft_many(re, im, n, (size_t)n, n, twr, twi, inverse);
}

/* mean removed, Hann window */
static void
pc_window(const float *a, int n, float *out)
{
	float hann[64];
	double m = 0;
	int nn = n * n;

	for (int i = 0; i < nn; i++)
		m += a[i];
	m /= nn;
	for (int x = 0; x < n; x++)
		hann[x] = (float)(0.5 - 0.5 * cos(2 * M_PI * (x + 0.5) / n));
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			out[y * n + x] = (float)(a[y * n + x] - m) * hann[x] * hann[y];
}

void
pad_spectra2(const float *a, const float *b, int n, float *are, float *aim, float *bre,
    float *bim)
{
	float zr[64 * 64], zi[64 * 64];
	int nn = n * n;

	if (n > 64 || n < 4)
		return;
	pc_window(a, n, zr);
	if (b != NULL)
		pc_window(b, n, zi);
	else
		memset(zi, 0, (size_t)nn * sizeof(float));
	pad_fft2(zr, zi, n, false);
	/* z = a + i b: A[k] = (Z[k] + conj Z[-k]) / 2, B[k] = (Z[k] - conj Z[-k]) / 2i */
	for (int v = 0; v < n; v++)
		for (int u = 0; u < n; u++) {
			int k = v * n + u, km = ((n - v) % n) * n + (n - u) % n;

			are[k] = (zr[k] + zr[km]) / 2;
			aim[k] = (zi[k] - zi[km]) / 2;
			if (b != NULL) {
				bre[k] = (zi[k] + zi[km]) / 2;
				bim[k] = (zr[km] - zr[k]) / 2;
			}
		}
	eg_memzero(zr, sizeof(zr));
	eg_memzero(zi, sizeof(zi));
}

/* normalised cross power spectrum B conj(A) */
static void
pc_cross(const float *ar, const float *ai, const float *br, const float *bi, int nn, float *or_,
    float *oi)
{
	for (int i = 0; i < nn; i++) {
		float r = br[i] * ar[i] + bi[i] * ai[i];
		float im = bi[i] * ar[i] - br[i] * ai[i];
		float m = sqrtf(r * r + im * im);

		if (m > 1e-6f) {
			or_[i] = r / m;
			oi[i] = im / m;
		} else {
			or_[i] = oi[i] = 0;
		}
	}
}

/* the peak of a correlation surface c (n x n, unscaled inverse FFT), with
 * parabolic sub-pixel refinement on its wrapped neighbours */
static void
pc_peak(const float *c, int n, double *dx, double *dy, double *peak)
{
	double best = -1e30, sx = 0, sy = 0, den;
	int bx = 0, by = 0;

	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (c[y * n + x] > best) {
				best = c[y * n + x];
				bx = x;
				by = y;
			}
	{
		float m = c[by * n + bx];
		float l = c[by * n + (bx + n - 1) % n], r = c[by * n + (bx + 1) % n];
		float u = c[((by + n - 1) % n) * n + bx], d = c[((by + 1) % n) * n + bx];

		den = l - 2 * m + r;
		if (fabs(den) > 1e-9)
			sx = 0.5 * (l - r) / den;
		den = u - 2 * m + d;
		if (fabs(den) > 1e-9)
			sy = 0.5 * (u - d) / den;
	}
	sx = sx > 0.5 ? 0.5 : sx < -0.5 ? -0.5 : sx;
	sy = sy > 0.5 ? 0.5 : sy < -0.5 ? -0.5 : sy;
	*dx = (bx > n / 2 ? bx - n : bx) + sx;
	*dy = (by > n / 2 ? by - n : by) + sy;
	*peak = best / (n * n);
}

void
pad_phase_corr2(const float *const ka[2], const float *const kai[2], const float *const ca[2],
    const float *const cai[2], int n, double dx[2], double dy[2], double peak[2])
{
	float r1[64 * 64], i1[64 * 64], r2[64 * 64], i2[64 * 64];
	int nn = n * n;
	bool two = ka[1] != NULL;

	dx[0] = dy[0] = peak[0] = dx[1] = dy[1] = peak[1] = 0;
	if (n > 64 || n < 4)
		return;
	pc_cross(ka[0], kai[0], ca[0], cai[0], nn, r1, i1);
	if (two) {
		/* both correlations are real: one inverse FFT of R1 + i R2 */
		pc_cross(ka[1], kai[1], ca[1], cai[1], nn, r2, i2);
		for (int i = 0; i < nn; i++) {
			float re = r1[i] - i2[i], im = i1[i] + r2[i];

			r1[i] = re;
			i1[i] = im;
		}
	}
	pad_fft2(r1, i1, n, true);
	pc_peak(r1, n, &dx[0], &dy[0], &peak[0]);
	if (two)
		pc_peak(i1, n, &dx[1], &dy[1], &peak[1]);
	eg_memzero(r1, sizeof(r1));
	eg_memzero(i1, sizeof(i1));
}

void
pad_phase_corr(const float *a, const float *b, int n, double *dx, double *dy, double *peak)
{
	float ar[64 * 64], ai[64 * 64], br[64 * 64], bi[64 * 64];
	const float *ka[2] = { ar, NULL }, *kai[2] = { ai, NULL }, *ca[2] = { br, NULL },
	    *cai[2] = { bi, NULL };
	double x[2], y[2], p[2];

	*dx = *dy = *peak = 0;
	if (n > 64 || n < 4)
		return;
	pad_spectra2(a, b, n, ar, ai, br, bi);
	pad_phase_corr2(ka, kai, ca, cai, n, x, y, p);
	*dx = x[0];
	*dy = y[0];
	*peak = p[0];
	eg_memzero(ar, sizeof(ar));
	eg_memzero(br, sizeof(br));
}

/* the k-th smallest of v[0..n) (quickselect; v is reordered) */
static float
select_k(float *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		float piv = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < piv)
				i++;
			while (v[j] > piv)
				j--;
			if (i <= j) {
				float t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

double
pad_percentile(float *v, size_t n, double p)
{
	double pos;
	size_t i;
	float a, b;

	if (n == 0)
		return 0;
	pos = p / 100.0 * (double)(n - 1);
	i = (size_t)pos;
	a = select_k(v, n, i);
	if (i + 1 >= n)
		return a;
	/* the next order statistic is the smallest of the upper part */
	b = v[i + 1];
	for (size_t k = i + 2; k < n; k++)
		b = v[k] < b ? v[k] : b;
	return a + (pos - (double)i) * (b - a);
}

void
pad_cue_detail(struct face_pad_cue_result *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}
