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

/* in-place radix-2 FFT with twiddles tw[k] = exp(-2 pi i k / n), k < n/2 */
static void
fft_tw(float *re, float *im, int n, const float *twr, const float *twi, bool inverse)
{
	/* bit reversal */
	for (int i = 1, j = 0; i < n; i++) {
		int bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			float t = re[i];

			re[i] = re[j];
			re[j] = t;
			t = im[i];
			im[i] = im[j];
			im[j] = t;
		}
	}
	for (int len = 2; len <= n; len <<= 1) {
		int step = n / len;

		for (int i = 0; i < n; i += len) {
			for (int k = 0; k < len / 2; k++) {
				int a = i + k, b = i + k + len / 2;
				float cr = twr[k * step], ci = inverse ? -twi[k * step] : twi[k * step];
				float xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;

				re[b] = re[a] - xr;
				im[b] = im[a] - xi;
				re[a] += xr;
				im[a] += xi;
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
	fft_tw(re, im, n, twr, twi, inverse);
}

void
pad_fft2(float *re, float *im, int n, bool inverse)
{
	float cr[256], ci[256], twr[128], twi[128];

	if (n > 256 || n < 2)
		return;
	twiddles(n, twr, twi);
	for (int y = 0; y < n; y++)
		fft_tw(re + (size_t)y * (size_t)n, im + (size_t)y * (size_t)n, n, twr, twi, inverse);
	for (int x = 0; x < n; x++) {
		for (int y = 0; y < n; y++) {
			cr[y] = re[(size_t)y * (size_t)n + (size_t)x];
			ci[y] = im[(size_t)y * (size_t)n + (size_t)x];
		}
		fft_tw(cr, ci, n, twr, twi, inverse);
		for (int y = 0; y < n; y++) {
			re[(size_t)y * (size_t)n + (size_t)x] = cr[y];
			im[(size_t)y * (size_t)n + (size_t)x] = ci[y];
		}
	}
}

void
pad_phase_corr(const float *a, const float *b, int n, double *dx, double *dy, double *peak)
{
	float ar[64 * 64], ai[64 * 64], br[64 * 64], bi[64 * 64], hann[64];
	double ma = 0, mb = 0, best = -1e30;
	int bx = 0, by = 0, nn = n * n;

	*dx = *dy = *peak = 0;
	if (n > 64 || n < 4)
		return;
	for (int i = 0; i < nn; i++) {
		ma += a[i];
		mb += b[i];
	}
	ma /= nn;
	mb /= nn;
	for (int x = 0; x < n; x++)
		hann[x] = (float)(0.5 - 0.5 * cos(2 * M_PI * (x + 0.5) / n));
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++) {
			float w = hann[x] * hann[y];
			int i = y * n + x;

			ar[i] = (float)(a[i] - ma) * w;
			br[i] = (float)(b[i] - mb) * w;
			ai[i] = bi[i] = 0;
		}
	pad_fft2(ar, ai, n, false);
	pad_fft2(br, bi, n, false);
	for (int i = 0; i < nn; i++) {
		/* cross power spectrum B * conj(A), normalised */
		float r = br[i] * ar[i] + bi[i] * ai[i];
		float im = bi[i] * ar[i] - br[i] * ai[i];
		float m = sqrtf(r * r + im * im);

		if (m > 1e-6f) {
			ar[i] = r / m;
			ai[i] = im / m;
		} else {
			ar[i] = ai[i] = 0;
		}
	}
	pad_fft2(ar, ai, n, true);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (ar[y * n + x] > best) {
				best = ar[y * n + x];
				bx = x;
				by = y;
			}
	{
		/* parabolic sub-pixel refinement on the wrapped neighbours */
		float c = ar[by * n + bx];
		float l = ar[by * n + (bx + n - 1) % n], r = ar[by * n + (bx + 1) % n];
		float u = ar[((by + n - 1) % n) * n + bx], d = ar[((by + 1) % n) * n + bx];
		double sx = 0, sy = 0, den;

		den = l - 2 * c + r;
		if (fabs(den) > 1e-9)
			sx = 0.5 * (l - r) / den;
		den = u - 2 * c + d;
		if (fabs(den) > 1e-9)
			sy = 0.5 * (u - d) / den;
		sx = sx > 0.5 ? 0.5 : sx < -0.5 ? -0.5 : sx;
		sy = sy > 0.5 ? 0.5 : sy < -0.5 ? -0.5 : sy;
		*dx = (bx > n / 2 ? bx - n : bx) + sx;
		*dy = (by > n / 2 ? by - n : by) + sy;
		*peak = best / nn;
	}
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
