/* SPDX-License-Identifier: Apache-2.0 */
/* pad_synth.c — synthetic bona fide presentations and presentation attacks
 * (pad_synth.h). Every parameter is drawn from the seed; desc lists them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "pad_synth.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define K 2			/* supersampling of the scene an attack is filmed in */
#define SW (SYNTH_W * K)
#define SH (SYNTH_H * K)

struct rng {
	uint64_t s;
};

static uint64_t
rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double
ru(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * (double)(rnext(r) >> 11) / 9007199254740992.0;
}

static bool
rp(struct rng *r, double p)
{
	return ru(r, 0, 1) < p;
}

static double
gauss(struct rng *r)
{
	double u = ru(r, 1e-12, 1), v = ru(r, 0, 1);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

const char *
synth_kind_name(enum synth_kind k)
{
	static const char *const n[SY_KIND_COUNT] = {
		"bona_fide", "print_border", "print_full", "halftone", "screen", "phone",
		"held_photo", "replay",
	};

	return (unsigned)k < SY_KIND_COUNT ? n[k] : "?";
}

static inline uint8_t
clip8(double v)
{
	return v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)(v + 0.5);
}

static inline uint8_t *
px(const struct fcv_image *im, int x, int y)
{
	return im->data + (size_t)y * im->stride + (size_t)x * 3;
}

static int
clone(const struct fcv_image *src, struct fcv_image *dst)
{
	int ret = fcv_image_alloc(src->width, src->height, dst);

	if (ret == EG_OK)
		for (int y = 0; y < src->height; y++)
			memcpy(px(dst, 0, y), px(src, 0, y), (size_t)src->width * 3);
	return ret;
}

static int
resize(const struct fcv_image *src, int w, int h, struct fcv_image *dst)
{
	struct fcv_rect r = { 0, 0, src->width, src->height };

	return fcv_image_crop(src, &r, w, h, dst);
}

/* separable Gaussian blur in place */
static int
blur(struct fcv_image *im, double sigma)
{
	int rad = (int)ceil(3 * sigma), W = im->width, H = im->height;
	float kern[64], *tmp;
	double sum = 0;

	if (sigma < 0.25)
		return EG_OK;
	if (rad > 31)
		rad = 31;
	for (int i = -rad; i <= rad; i++)
		sum += kern[i + rad] = (float)exp(-0.5 * i * i / (sigma * sigma));
	for (int i = 0; i <= 2 * rad; i++)
		kern[i] /= (float)sum;
	if ((tmp = malloc((size_t)W * (size_t)H * 3 * sizeof(float))) == NULL)
		return EG_ERR_NOMEM;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			for (int c = 0; c < 3; c++) {
				float s = 0;

				for (int i = -rad; i <= rad; i++) {
					int xx = x + i < 0 ? 0 : x + i >= W ? W - 1 : x + i;

					s += kern[i + rad] * px(im, xx, y)[c];
				}
				tmp[((size_t)y * W + x) * 3 + c] = s;
			}
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			for (int c = 0; c < 3; c++) {
				float s = 0;

				for (int i = -rad; i <= rad; i++) {
					int yy = y + i < 0 ? 0 : y + i >= H ? H - 1 : y + i;

					s += kern[i + rad] * tmp[((size_t)yy * W + x) * 3 + c];
				}
				px(im, x, y)[c] = clip8(s);
			}
	free(tmp);
	return EG_OK;
}

/* the camera: lens blur, exposure (a gain, clipped), sensor noise, MJPEG;
 * the JPEG bytes are kept in *keep when keep is not NULL */
static int
camera(struct fcv_image *im, struct rng *r, double blur_s, double expo, double noise, int q,
    uint8_t **keep, size_t *keep_len)
{
	uint8_t *jpg = NULL;
	size_t len = 0;
	struct fcv_image dec = { 0 };
	double nt[1021], ct[256];
	int ret;

	if ((ret = blur(im, blur_s)) != EG_OK)
		return ret;
	if (expo < 0.995 || expo > 1.005) {
		uint8_t lut[256];

		for (int i = 0; i < 256; i++)
			lut[i] = clip8(i * expo);
		for (int y = 0; y < im->height; y++)
			for (int x = 0; x < im->width * 3; x++)
				im->data[(size_t)y * im->stride + (size_t)x] =
				    lut[im->data[(size_t)y * im->stride + (size_t)x]];
	}
	/* sums of four uniform bytes: near-Gaussian, unit variance; plus a
	 * uniform colour part per channel */
	for (int i = 0; i <= 1020; i++)
		nt[i] = (i / 255.0 - 2.0) * 1.732 * noise;
	for (int i = 0; i < 256; i++)
		ct[i] = ((i / 255.0 - 0.5) * 1.732 * noise) * 0.5;
	for (int y = 0; y < im->height; y++) {
		uint8_t *row = im->data + (size_t)y * im->stride;

		for (int x = 0; x < im->width; x++) {
			uint64_t b = rnext(r);
			double n = nt[(b & 255) + (b >> 8 & 255) + (b >> 16 & 255) + (b >> 24 & 255)];

			for (int c = 0; c < 3; c++)
				row[x * 3 + c] = clip8(row[x * 3 + c] + n + ct[(b >> (32 + 8 * c)) & 255]);
		}
	}
	if ((ret = fcv_image_encode(im, ".jpg", q, &jpg, &len)) != EG_OK)
		return ret;
	ret = fcv_image_decode(jpg, len, 8192, &dec);
	if (ret == EG_OK && keep != NULL) {
		*keep = jpg;
		*keep_len = len;
	} else {
		eg_secret_free(&jpg, len);
	}
	if (ret != EG_OK)
		return ret;
	fcv_image_free(im);
	*im = dec;
	return EG_OK;
}

/* tone of a medium: v = black + (white - black) (v/255)^gamma, saturation s */
static void
tone(struct fcv_image *im, double black, double white, double gamma, double sat)
{
	uint8_t lut[256];

	for (int i = 0; i < 256; i++)
		lut[i] = clip8(black + (white - black) * pow(i / 255.0, gamma));
	for (int y = 0; y < im->height; y++)
		for (int x = 0; x < im->width; x++) {
			uint8_t *p = px(im, x, y);
			double Y = 0.114 * p[0] + 0.587 * p[1] + 0.299 * p[2];

			for (int c = 0; c < 3; c++)
				p[c] = lut[clip8(Y + sat * (p[c] - Y))];
		}
}

/* light on the person: gain, gamma, colour cast */
static void
light(struct fcv_image *im, double gain, double gamma, const double cast[3])
{
	uint8_t lut[3][256];

	for (int c = 0; c < 3; c++)
		for (int i = 0; i < 256; i++)
			lut[c][i] = clip8(255.0 * gain * cast[c] * pow(i / 255.0, gamma));
	for (int y = 0; y < im->height; y++)
		for (int x = 0; x < im->width; x++)
			for (int c = 0; c < 3; c++)
				px(im, x, y)[c] = lut[c][px(im, x, y)[c]];
}

/* an amplitude-modulated halftone, one screen angle per ink (C, M, Y on
 * the R, G, B channels), period per in pixels of im */
static void
halftone(struct fcv_image *im, double period, double angle, double gain)
{
	static const double offs[3] = { 0, 30, 60 };	/* Y on B, M on G, C on R */
	float cs[1024];

	for (int i = 0; i < 1024; i++)
		cs[i] = (float)cos(2 * M_PI * i / 1024.0);
	for (int c = 0; c < 3; c++) {
		double a = (angle + offs[c]) * M_PI / 180, ca = cos(a) / period, sa = sin(a) / period;

		for (int y = 0; y < im->height; y++)
			for (int x = 0; x < im->width; x++) {
				double u = x * ca + y * sa, v = -x * sa + y * ca;
				int iu = (int)((u - floor(u)) * 1024) & 1023;
				int iv = (int)((v - floor(v)) * 1024) & 1023;
				double t = (cs[iu] + cs[iv]) / 4 + 0.5;	/* 0..1 threshold */
				uint8_t *p = px(im, x, y) + c;
				double ink = pow(1.0 - *p / 255.0, 1.0 / gain);

				*p = ink > t ? 20 : 250;
			}
	}
}

/* an LCD's pixel grid: RGB stripes, a dark matrix; depth d of modulation */
static void
lcd_grid(struct fcv_image *im, double pitch, double d)
{
	for (int y = 0; y < im->height; y++) {
		double fy = y / pitch - floor(y / pitch);
		double gap = fy > 0.82 ? 1 - d : 1;

		for (int x = 0; x < im->width; x++) {
			double fx = x / pitch - floor(x / pitch);
			int sub = (int)(fx * 3);	/* 0 R, 1 G, 2 B */
			uint8_t *p = px(im, x, y);

			for (int c = 0; c < 3; c++) {
				int ch = 2 - c;	/* BGR index -> RGB stripe */
				double m = (1 - d) + d * (sub == ch ? 3.0 : 0.0);

				p[c] = clip8(p[c] * m * gap);
			}
		}
	}
}

/* Moiré: the beat of a screen's pixel grid with the camera's own sensor grid
 * shows as coloured bands of a few to tens of pixels (the grid itself is far
 * finer than a camera pixel at a kiosk's distance). Modelled directly: a
 * cosine of period per (camera px x K) at angle deg, amplitude amp, each
 * channel a third of a period apart. */
static void
moire(struct fcv_image *im, double period, double deg, double amp)
{
	double a = deg * M_PI / 180, ca = cos(a) / period, sa = sin(a) / period;
	float cs[4096];

	for (int i = 0; i < 4096; i++)
		cs[i] = (float)(1 + amp * cos(2 * M_PI * i / 4096.0));
	for (int y = 0; y < im->height; y++)
		for (int x = 0; x < im->width; x++) {
			double ph = x * ca + y * sa;
			int i0 = (int)((ph - floor(ph)) * 4096);
			uint8_t *p = px(im, x, y);

			for (int c = 0; c < 3; c++)
				p[c] = clip8(p[c] * cs[(i0 + c * 1365) & 4095]);
		}
}

/* ---- media on a scene --------------------------------------------------------- */

struct medium {
	struct fcv_image img;	/* the medium's face, supersampled */
	double corner;		/* rounded corner radius, medium px */
	/* placement: medium px -> supersampled frame px, per frame */
	double m[SYNTH_MAX_FRAMES][6];
};

/* inverse of a 2x3 similarity/affine matrix */
static void
inv6(const double m[6], double o[6])
{
	double det = m[0] * m[4] - m[1] * m[3];

	o[0] = m[4] / det;
	o[1] = -m[1] / det;
	o[3] = -m[3] / det;
	o[4] = m[0] / det;
	o[2] = -(o[0] * m[2] + o[1] * m[5]);
	o[5] = -(o[3] * m[2] + o[4] * m[5]);
}

/* coverage of the medium at frame pixel (x, y) given the inverse placement */
static double
coverage(const struct medium *md, const double iv[6], double x, double y)
{
	double u = iv[0] * x + iv[1] * y + iv[2], v = iv[3] * x + iv[4] * y + iv[5];
	double w = md->img.width, h = md->img.height, r = md->corner, a, b;

	a = u + 0.5 < w - u + 0.5 ? u + 0.5 : w - u + 0.5;
	b = v + 0.5 < h - v + 0.5 ? v + 0.5 : h - v + 0.5;
	a = a < b ? a : b;
	if (a <= 0)
		return 0;
	if (r > 0 && (u < r || u > w - r) && (v < r || v > h - r)) {
		double cx = u < r ? r : w - r, cy = v < r ? r : h - r;
		double dd = sqrt((u - cx) * (u - cx) + (v - cy) * (v - cy));

		a = a < r - dd + 0.5 ? a : r - dd + 0.5;
	}
	return a >= 1 ? 1 : a <= 0 ? 0 : a;
}

struct effects {
	bool glare;
	double gx, gy, gs, gp;	/* glare centre, sigma (frame px), peak 0..1 */
	bool banding;
	double ba, bp, bph, bv;	/* amplitude, period (frame px), phase, phase speed */
};

/* film frame j of the medium in front of room_ss: composite, effects, area
 * downscale to the camera's resolution */
static int
film(const struct medium *md, int j, const struct fcv_image *room_ss, const struct effects *fx,
    struct fcv_image *out)
{
	struct fcv_image w = { 0 }, comp = { 0 };
	double iv[6];
	int ret;

	if ((ret = fcv_warp_affine(&md->img, md->m[j], SW, SH, &w)) != EG_OK)
		return ret;
	if ((ret = fcv_image_alloc(SW, SH, &comp)) != EG_OK)
		goto out;
	inv6(md->m[j], iv);
	for (int y = 0; y < SH; y++)
		for (int x = 0; x < SW; x++) {
			double a = coverage(md, iv, x + 0.5, y + 0.5), add = 0, mul = 1;
			uint8_t *o = px(&comp, x, y);

			if (a > 0 && fx->glare) {
				double dx = x / (double)K - fx->gx, dy = y / (double)K - fx->gy;
				double q = (dx * dx + dy * dy) / (2 * fx->gs * fx->gs);

				add = q < 9 ? 255 * fx->gp * exp(-q) : 0;
			}
			if (a > 0 && fx->banding)
				mul = 1 + fx->ba * sin(2 * M_PI * (y / (double)K) / fx->bp + fx->bph +
				    j * fx->bv);
			for (int c = 0; c < 3; c++) {
				double v = px(&w, x, y)[c] * mul + add;

				o[c] = clip8(a * (v > 255 ? 255 : v) + (1 - a) * px(room_ss, x, y)[c]);
			}
		}
	ret = resize(&comp, SYNTH_W, SYNTH_H, out);
out:
	fcv_image_free(&w);
	fcv_image_free(&comp);
	return ret;
}

/* placement of a medium of size mw x mh whose point (ax, ay) lands at frame
 * point (fx, fy) (camera px), rotated deg, scaled sc (frame px per medium
 * px / K), then moved per frame by a hand (amplitude amp camera px, rot
 * degrees) when held */
static void
place(struct medium *md, struct rng *r, int n, double ax, double ay, double fx, double fy,
    double deg, double sc, bool held, double amp, double rot)
{
	double ph[4], fr[4];

	for (int i = 0; i < 4; i++) {
		ph[i] = ru(r, 0, 2 * M_PI);
		fr[i] = ru(r, 0.4, 1.3);
	}
	for (int j = 0; j < n; j++) {
		double a = deg * M_PI / 180, tx = 0, ty = 0, s = sc;
		double *m = md->m[j];

		if (held) {
			tx = amp * sin(fr[0] * j + ph[0]) + 0.3 * amp * gauss(r);
			ty = amp * sin(fr[1] * j + ph[1]) + 0.3 * amp * gauss(r);
			a += rot * M_PI / 180 * sin(fr[2] * j + ph[2]);
			s *= 1 + 0.01 * sin(fr[3] * j + ph[3]);
		}
		m[0] = s * cos(a);
		m[1] = -s * sin(a);
		m[3] = s * sin(a);
		m[4] = s * cos(a);
		m[2] = K * (fx + tx) - (m[0] * ax + m[1] * ay);
		m[5] = K * (fy + ty) - (m[3] * ax + m[4] * ay);
	}
}

/* ---- conditions of capture ------------------------------------------------------ */

const char *
synth_cond_name(int bit)
{
	static const char *const n[SYC_COUNT_BITS] = {
		"over", "under", "backlight", "side_light", "glasses", "lens_reflection", "blur",
	};

	return bit >= 0 && bit < SYC_COUNT_BITS ? n[bit] : "?";
}

struct cond {
	unsigned bits;
	double expo;			/* camera gain */
	double bl_bg, bl_face, bl_veil;	/* backlight: room gain, face gain, flare */
	double side_a;			/* side light: gain change at the face's edges */
	bool metal;			/* glasses: thin metal rims, else dark plastic */
	double g_col, g_thick, g_tint;	/* rim grey, thickness (x eye width), lens gain */
	double rf_x, rf_y, rf_s, rf_a;	/* reflection: place in the lens, size, strength */
	double blur;			/* lens blur sigma when SYC_BLUR */
};

/* every value drawn in a fixed order, whichever conditions apply */
static void
cond_draw(struct rng *r, struct cond *c)
{
	double u = ru(r, 0, 1), over = ru(r, 1.2, 1.6), under = ru(r, 0.55, 0.8);

	memset(c, 0, sizeof(*c));
	c->expo = ru(r, 0.92, 1.08);
	if (u < 0.2) {
		c->bits |= SYC_OVER;
		c->expo = over;
	} else if (u < 0.35) {
		c->bits |= SYC_UNDER;
		c->expo = under;
	}
	c->bl_bg = ru(r, 1.5, 2.2);
	c->bl_face = ru(r, 0.65, 0.9);
	c->bl_veil = ru(r, 0, 12);
	if (rp(r, 0.15))
		c->bits |= SYC_BACKLIGHT;
	c->side_a = ru(r, 0.15, 0.35) * (rp(r, 0.5) ? 1 : -1);
	if (rp(r, 0.2))
		c->bits |= SYC_SIDE;
	c->metal = rp(r, 0.4);
	c->g_col = c->metal ? ru(r, 140, 210) : ru(r, 15, 70);
	c->g_thick = c->metal ? ru(r, 0.03, 0.06) : ru(r, 0.07, 0.14);
	c->g_tint = ru(r, 0.85, 1.0);
	c->rf_x = ru(r, -0.5, 0.5);
	c->rf_y = ru(r, -0.5, 0.3);
	c->rf_s = ru(r, 0.12, 0.35);
	c->rf_a = ru(r, 0.6, 1.0);
	if (rp(r, 0.3)) {
		c->bits |= SYC_GLASSES;
		if (rp(r, 0.5))
			c->bits |= SYC_REFLECTION;
	}
	c->blur = ru(r, 1.2, 2.0);
	if (rp(r, 0.2))
		c->bits |= SYC_BLUR;
}

static int
cond_desc(const struct cond *c, char *d, size_t dl)
{
	return snprintf(d, dl, "exposure %.2f%s%s%s%s%s", c->expo,
	    c->bits & SYC_BACKLIGHT ? ", backlight" : "", c->bits & SYC_SIDE ? ", side light" : "",
	    c->bits & SYC_GLASSES ? (c->metal ? ", metal glasses" : ", dark glasses") : "",
	    c->bits & SYC_REFLECTION ? " with a reflection" : "",
	    c->bits & SYC_BLUR ? ", defocus" : "");
}

/* the head ellipse of person_frames: 1 inside, 0 outside, soft edge; the
 * body below the chin counts as the person */
static double
head_weight(double x, double y, double cx, double cy, double side)
{
	double dx = (x - cx) / (0.85 * side), dy = (y - cy - 0.15 * side) / (1.15 * side);
	double al = (1.0 - sqrt(dx * dx + dy * dy)) / 0.15, body = (y - cy - 0.9 * side) / (0.3 * side);

	al = al > body ? al : body;
	return al > 1 ? 1 : al < 0 ? 0 : al;
}

/* light on the scene: a window behind (room brighter, face darker, lens
 * flare) and light from one side */
static void
scene_light(struct fcv_image *im, const struct face_points *pts, const struct cond *c)
{
	double cx = 0, cy = 0, side = pts->lm68[16][0] - pts->lm68[0][0];

	if (!(c->bits & (SYC_BACKLIGHT | SYC_SIDE)))
		return;
	side = side < 20 ? 20 : side;
	for (int i = 0; i < 68; i++) {
		cx += pts->lm68[i][0] / 68;
		cy += pts->lm68[i][1] / 68;
	}
	for (int y = 0; y < im->height; y++)
		for (int x = 0; x < im->width; x++) {
			double w = head_weight(x, y, cx, cy, side), g = 1, add = 0;
			uint8_t *p = px(im, x, y);

			if (c->bits & SYC_BACKLIGHT) {
				g = w * c->bl_face + (1 - w) * c->bl_bg;
				add = c->bl_veil;
			}
			if (c->bits & SYC_SIDE) {
				double t = (x - cx) / (0.5 * side);

				t = t > 1.5 ? 1.5 : t < -1.5 ? -1.5 : t;
				g *= 1 + w * c->side_a * t;
			}
			for (int k = 0; k < 3; k++)
				p[k] = clip8(p[k] * g + add);
		}
}

/* distance from (x, y) to the segment a-b */
static double
seg_dist(double x, double y, double ax, double ay, double bx, double by)
{
	double vx = bx - ax, vy = by - ay, t = ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy + 1e-9);

	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypot(x - ax - t * vx, y - ay - t * vy);
}

/* spectacles on the face of landmarks pts: two lens ellipses (tinted) with
 * rims, a bridge, the temples to the sides of the face, and, with
 * SYC_REFLECTION, a light's reflection on each lens (small, clipped) */
static void
glasses(struct fcv_image *im, const struct face_points *pts, const struct cond *c)
{
	const float (*lm)[2] = pts->lm68;
	static const int corner[2][2] = { { 36, 39 }, { 42, 45 } };
	double ecx[2], ecy[2], A, B, t, ew = 0;
	double col[3] = { c->g_col, c->g_col * (c->metal ? 1.0 : 0.95), c->g_col * (c->metal ?
	    1.0 : 0.9) };

	if (!(c->bits & SYC_GLASSES))
		return;
	for (int e = 0; e < 2; e++) {
		const float *a = lm[corner[e][0]], *b = lm[corner[e][1]];

		ecx[e] = (a[0] + b[0]) / 2;
		ecy[e] = (a[1] + b[1]) / 2;
		ew += hypot(b[0] - a[0], b[1] - a[1]) / 2;
	}
	if (ew < 4)
		return;
	A = 0.85 * ew;
	B = 0.62 * ew;
	t = c->g_thick * ew;
	t = t < 1.0 ? 1.0 : t;
	for (int e = 0; e < 2; e++)
		ecy[e] += 0.08 * ew;
	{
		/* the area the glasses may touch */
		double x0 = fmin(lm[0][0], ecx[0] - A) - 4, x1 = fmax(lm[16][0], ecx[1] + A) + 4;
		double y0 = fmin(ecy[0], ecy[1]) - B - 4, y1 = fmax(ecy[0], ecy[1]) + B + 4;
		double brx0 = ecx[0] + A * 0.97, bry0 = ecy[0] - 0.25 * B;
		double brx1 = ecx[1] - A * 0.97, bry1 = ecy[1] - 0.25 * B;

		y0 = fmin(y0, fmin(lm[0][1], lm[16][1]) - 4);
		y1 = fmax(y1, fmax(lm[0][1], lm[16][1]) + 4);
		for (int y = (int)fmax(0, y0); y < (int)fmin(im->height, y1); y++)
			for (int x = (int)fmax(0, x0); x < (int)fmin(im->width, x1); x++) {
				uint8_t *p = px(im, x, y);
				double rim = 0, lens = 0, refl = 0, d;

				for (int e = 0; e < 2; e++) {
					double u = (x - ecx[e]) / A, v = (y - ecy[e]) / B;
					double q = sqrt(u * u + v * v), dd = fabs(q - 1) * (A + B) / 2;
					double ru_ = (x - ecx[e] - c->rf_x * 0.6 * A) / (c->rf_s * A);
					double rv = (y - ecy[e] - c->rf_y * 0.6 * B) / (0.6 * c->rf_s * A);

					rim = fmax(rim, fmin(1, fmax(0, t / 2 + 0.5 - dd)));
					if (q < 1)
						lens = 1;
					if ((c->bits & SYC_REFLECTION) && q < 0.95)
						refl = fmax(refl, c->rf_a * fmin(1, fmax(0, 1.6 *
						    (1 - sqrt(ru_ * ru_ + rv * rv)))));
				}
				d = seg_dist(x, y, brx0, bry0, brx1, bry1);
				rim = fmax(rim, fmin(1, fmax(0, t / 2 + 0.5 - d)));
				d = fmin(seg_dist(x, y, ecx[0] - A, ecy[0] - 0.3 * B, lm[0][0], lm[0][1] -
				    0.2 * ew), seg_dist(x, y, ecx[1] + A, ecy[1] - 0.3 * B, lm[16][0],
				    lm[16][1] - 0.2 * ew));
				rim = fmax(rim, fmin(1, fmax(0, 0.7 * t / 2 + 0.5 - d)));
				for (int k = 0; k < 3; k++) {
					double v = p[k] * (lens > 0 ? c->g_tint : 1.0);

					v += refl * (255 - v);
					p[k] = clip8(rim * col[k] + (1 - rim) * v);
				}
			}
	}
}

/* ---- the person ------------------------------------------------------------------ */

/* paint both eyes shut (as the kiosk's simulator does): the eye region in
 * the colour of the cheek below, a dark lid line across */
static void
shut_eyes(struct fcv_image *img, const float lm[68][2])
{
	static const int corner[2][2] = { { 36, 39 }, { 42, 45 } };

	for (int e = 0; e < 2; e++) {
		const float *a = lm[corner[e][0]], *b = lm[corner[e][1]];
		double w = b[0] - a[0], cy = (a[1] + b[1]) / 2, sum[3] = { 0, 0, 0 };
		int x0 = (int)(a[0] - 0.25 * w), x1 = (int)(b[0] + 0.25 * w);
		int y0 = (int)(cy - 0.45 * w), y1 = (int)(cy + 0.35 * w);
		int sy0 = (int)(cy + 0.8 * w), sy1 = (int)(cy + 1.1 * w), cnt = 0;

		if (w < 4 || x0 < 0 || y0 < 0 || x1 >= img->width || sy1 >= img->height)
			continue;
		for (int y = sy0; y < sy1; y++)
			for (int x = x0; x < x1; x++, cnt++)
				for (int c = 0; c < 3; c++)
					sum[c] += px(img, x, y)[c];
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++)
				for (int c = 0; c < 3; c++)
					px(img, x, y)[c] = (uint8_t)(sum[c] / (cnt > 0 ? cnt : 1));
		for (int y = (int)cy; y < (int)cy + 2 + (int)(w / 12); y++)
			for (int x = (int)a[0]; x < (int)b[0]; x++)
				for (int c = 0; c < 3; c++)
					px(img, x, y)[c] = 40;
	}
}

/* The person in front of a still room, frame by frame before the camera:
 * the head (an ellipse around the face, soft edge) moves by a small
 * similarity, the room stays; eyes shut in frames [blink, blink+1]. */
static int
person_frames(const struct fcv_image *lit, const struct face_points *pts, struct rng *r, int n,
    const struct cond *cd, struct fcv_image *out, char *desc, size_t dlen)
{
	double cx = 0, cy = 0, side, amp = ru(r, 0.6, 4.0), rot = ru(r, 0.2, 1.0);
	double ph[3], fr[3];
	int blink = rp(r, 0.5) && n >= 5 ? (int)ru(r, 2, n - 2) : -1, ret = EG_OK;

	for (int i = 0; i < 68; i++) {
		cx += pts->lm68[i][0] / 68;
		cy += pts->lm68[i][1] / 68;
	}
	side = pts->lm68[16][0] - pts->lm68[0][0];
	side = side < 20 ? 20 : side;
	for (int i = 0; i < 3; i++) {
		ph[i] = ru(r, 0, 2 * M_PI);
		fr[i] = ru(r, 0.3, 1.2);
	}
	snprintf(desc, dlen, "head motion %.1f px rot %.1f deg, blink %s", amp, rot,
	    blink >= 0 ? "yes" : "no");
	for (int j = 0; j < n && ret == EG_OK; j++) {
		double a = (j == 0 ? 0 : rot * sin(fr[2] * j + ph[2])) * M_PI / 180;
		double tx = j == 0 ? 0 : amp * sin(fr[0] * j + ph[0]) + 0.2 * gauss(r);
		double ty = j == 0 ? 0 : 0.6 * amp * sin(fr[1] * j + ph[1]) + 0.2 * gauss(r);
		double m[6], iv[6];
		struct fcv_image w = { 0 };

		m[0] = cos(a);
		m[1] = -sin(a);
		m[3] = sin(a);
		m[4] = cos(a);
		m[2] = cx + tx - (m[0] * cx + m[1] * cy);
		m[5] = cy + ty - (m[3] * cx + m[4] * cy);
		if ((ret = clone(lit, &out[j])) != EG_OK)
			break;
		if (j == blink || j == blink + 1) {
			shut_eyes(&out[j], pts->lm68);
		}
		glasses(&out[j], pts, cd);
		if (j == 0)
			continue;
		if ((ret = fcv_warp_affine(&out[j], m, lit->width, lit->height, &w)) != EG_OK)
			break;
		inv6(m, iv);
		for (int y = 0; y < lit->height; y++)
			for (int x = 0; x < lit->width; x++) {
				double u = iv[0] * x + iv[1] * y + iv[2], v = iv[3] * x + iv[4] * y + iv[5];
				double dx = (u - cx) / (0.85 * side), dy = (v - cy - 0.15 * side) / (1.15 * side);
				double d = sqrt(dx * dx + dy * dy), al = (1.0 - d) / 0.15;
				uint8_t *o = px(&out[j], x, y);

				al = al > 1 ? 1 : al < 0 ? 0 : al;
				if (al <= 0)
					continue;
				for (int c = 0; c < 3; c++)
					o[c] = clip8(al * px(&w, x, y)[c] + (1 - al) * px(lit, x, y)[c]);
			}
		/* the room behind stays: frames before warping kept the blink */
		fcv_image_free(&w);
	}
	return ret;
}

/* depth of a head (ellipsoid with a nose) in front of a wall */
static int
depth_head(const struct face_points *pts, double dx, double dy, struct rng *r, uint16_t **out)
{
	double cx = 0, cy = 0, side = pts->lm68[16][0] - pts->lm68[0][0];
	double nx = pts->lm68[30][0] + dx, ny = pts->lm68[30][1] + dy, z0 = ru(r, 450, 800);
	uint16_t *d = malloc((size_t)SYNTH_W * SYNTH_H * sizeof(uint16_t));

	if (d == NULL)
		return EG_ERR_NOMEM;
	for (int i = 0; i < 68; i++) {
		cx += pts->lm68[i][0] / 68;
		cy += pts->lm68[i][1] / 68;
	}
	cx += dx;
	cy += dy;
	for (int y = 0; y < SYNTH_H; y++)
		for (int x = 0; x < SYNTH_W; x++) {
			double ex = (x - cx) / (0.6 * side), ey = (y - cy) / (0.8 * side), q = ex * ex + ey * ey;
			double z = 1600;

			if (q < 1) {
				double nn = ((x - nx) * (x - nx) + (y - ny) * (y - ny)) / (0.01 * side * side);

				z = z0 + 90 * (1 - sqrt(1 - q)) - 28 * exp(-nn);
			}
			z += gauss(r) * 2.0;
			d[(size_t)y * SYNTH_W + x] = rp(r, 0.08) ? 0 : (uint16_t)z;
		}
	*out = d;
	return EG_OK;
}

/* depth of a medium: a tilted plane, gently bent */
static int
depth_plane(struct rng *r, uint16_t **out)
{
	double z0 = ru(r, 350, 700), tx = ru(r, -0.3, 0.3), ty = ru(r, -0.3, 0.3), bend = ru(r, 0, 10);
	uint16_t *d = malloc((size_t)SYNTH_W * SYNTH_H * sizeof(uint16_t));

	if (d == NULL)
		return EG_ERR_NOMEM;
	for (int y = 0; y < SYNTH_H; y++)
		for (int x = 0; x < SYNTH_W; x++) {
			double u = (x - SYNTH_W / 2.0) / SYNTH_W;
			double z = z0 + tx * (x - SYNTH_W / 2.0) + ty * (y - SYNTH_H / 2.0) +
			    bend * 4 * u * u + gauss(r) * 2.0;

			d[(size_t)y * SYNTH_W + x] = rp(r, 0.08) ? 0 : (uint16_t)z;
		}
	*out = d;
	return EG_OK;
}

void
synth_free(struct synth_pres *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < SYNTH_MAX_FRAMES; i++) {
		fcv_image_free(&p->frame[i]);
		free(p->depth[i]);
		p->depth[i] = NULL;
		free(p->jpeg[i]);
		p->jpeg[i] = NULL;
		p->jpeg_len[i] = 0;
	}
	p->n = 0;
}

int
synth_portrait(const struct fcv_image *img, const struct face_box *b, uint64_t seed,
    struct fcv_image *out, double centre[2])
{
	struct rng r = { seed * 7919 + 17 };
	double bh = b->y2 - b->y1, sc = ru(&r, 0.92, 1.08);
	double cx = (b->x1 + b->x2) / 2 + ru(&r, -0.04, 0.04) * 2.6 * bh;
	double cy = (b->y1 + b->y2) / 2 + ru(&r, -0.04, 0.04) * 3.25 * bh;
	struct fcv_rect rc;

	rc.w = 2.6 * bh * sc;
	rc.h = 3.25 * bh * sc;
	/* inside the photo: a black band outside it would be a straight edge no
	 * camera sees */
	if (rc.w > img->width || rc.h > img->height) {
		double f = fmin(img->width / rc.w, img->height / rc.h);

		rc.w *= f;
		rc.h *= f;
	}
	rc.x = fmin(fmax(cx - rc.w / 2, 0), img->width - rc.w);
	rc.y = fmin(fmax(cy - rc.h * 0.45, 0), img->height - rc.h);
	centre[0] = ((b->x1 + b->x2) / 2 - rc.x) * SYNTH_W / rc.w;
	centre[1] = ((b->y1 + b->y2) / 2 - rc.y) * SYNTH_H / rc.h;
	return fcv_image_crop(img, &rc, SYNTH_W, SYNTH_H, out);
}

int
synth_unface(struct fcv_image *img, const struct face_box *b, size_t n, size_t keep)
{
	for (size_t i = 0; i < n; i++) {
		double w = b[i].x2 - b[i].x1, h = b[i].y2 - b[i].y1, sum[3] = { 0, 0, 0 };
		double cx = (b[i].x1 + b[i].x2) / 2, cy = (b[i].y1 + b[i].y2) / 2 - 0.1 * h;
		double rx = 0.75 * w, ry = 0.85 * h;
		int cnt = 0;

		if (i == keep)
			continue;
		/* the mean colour of a ring around the head */
		for (int k = 0; k < 64; k++) {
			double a = 2 * M_PI * k / 64;
			int x = (int)(cx + 1.25 * rx * cos(a)), y = (int)(cy + 1.25 * ry * sin(a));

			if (x < 0 || y < 0 || x >= img->width || y >= img->height)
				continue;
			for (int c = 0; c < 3; c++)
				sum[c] += px(img, x, y)[c];
			cnt++;
		}
		if (cnt == 0)
			continue;
		for (int y = (int)fmax(0, cy - 1.2 * ry); y < (int)fmin(img->height, cy + 1.2 * ry); y++)
			for (int x = (int)fmax(0, cx - 1.2 * rx); x < (int)fmin(img->width, cx + 1.2 * rx);
			    x++) {
				double dx = (x - cx) / rx, dy = (y - cy) / ry, d = sqrt(dx * dx + dy * dy);
				double al = d < 0.8 ? 1 : d > 1.2 ? 0 : (1.2 - d) / 0.4;

				for (int c = 0; c < 3; c++)
					px(img, x, y)[c] = clip8(al * sum[c] / cnt + (1 - al) * px(img, x, y)[c]);
			}
	}
	return EG_OK;
}

int
synth_room(struct fcv_image *img, const struct face_box *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double w = b[i].x2 - b[i].x1, h = b[i].y2 - b[i].y1, sum[3] = { 0, 0, 0 };
		int x0 = (int)fmax(0, b[i].x1 - 0.3 * w), x1 = (int)fmin(img->width, b[i].x2 + 0.3 * w);
		int y0 = (int)fmax(0, b[i].y1 - 0.4 * h), y1 = (int)fmin(img->height, b[i].y2 + 0.3 * h);
		int cnt = 0;

		for (int x = x0; x < x1; x++)
			for (int c = 0; c < 3; c++) {
				sum[c] += px(img, x, y0)[c] + px(img, x, y1 - 1)[c];
				cnt += c == 0 ? 2 : 0;
			}
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++)
				for (int c = 0; c < 3; c++)
					px(img, x, y)[c] = (uint8_t)(sum[c] / (cnt > 0 ? cnt : 1));
	}
	return blur(img, 2.5);
}

int
synth_make(const struct fcv_image *scene, const struct face_points *pts,
    const struct fcv_image *room, enum synth_kind k, uint64_t seed, int n, unsigned flags,
    struct synth_pres *out)
{
	struct rng r = { seed * 0x2545f4914f6cdd1dull + (uint64_t)k * 1000003u + 1 };
	/* the conditions have a stream of their own: with them off, every other
	 * parameter is drawn as before they existed */
	struct rng rc = { seed * 0x9e3779b97f4a7c15ull + (uint64_t)k * 7919u + 0x5eed };
	struct cond cd;
	bool with_depth = (flags & SYNTH_DEPTH) != 0;
	double l_gain, l_gamma;
	struct fcv_image lit = { 0 }, room_ss = { 0 }, clean[SYNTH_MAX_FRAMES];
	struct medium md;
	struct effects fx;
	double cast[3], cam_blur = ru(&r, 0.3, 1.1), noise = ru(&r, 1.0, 4.0);
	double lcd_pitch = 2, lcd_depth = 0.5, lcd_black = 10;
	double moire_per = 10, moire_deg = 0, moire_amp = 0;
	int q = (int)ru(&r, 70, 95), ret = EG_OK;
	char pd[120] = "";
	size_t dl;

	memset(out, 0, sizeof(*out));
	memset(clean, 0, sizeof(clean));
	memset(&md, 0, sizeof(md));
	memset(&fx, 0, sizeof(fx));
	if (scene == NULL || pts == NULL || room == NULL || n < 2 || n > SYNTH_MAX_FRAMES ||
	    scene->width != SYNTH_W || scene->height != SYNTH_H)
		return EG_ERR_INVAL;
	out->n = n;
	for (int c = 0; c < 3; c++)
		cast[c] = ru(&r, 0.93, 1.07);
	if ((ret = clone(scene, &lit)) != EG_OK)
		goto out;
	/* (the order gcc evaluated these in when they were arguments) */
	l_gamma = ru(&r, 0.8, 1.25);
	l_gain = ru(&r, 0.85, 1.15);
	light(&lit, l_gain, l_gamma, cast);
	memset(&cd, 0, sizeof(cd));
	cd.expo = 1;
	if (flags & SYNTH_CONDITIONS) {
		cond_draw(&rc, &cd);
		if (cd.bits & SYC_BLUR)
			cam_blur = cd.blur;
		scene_light(&lit, pts, &cd);
		if (k != SY_BONA_FIDE && k != SY_REPLAY)
			glasses(&lit, pts, &cd);
	}
	out->cond = cd.bits;
	snprintf(out->desc, sizeof(out->desc), "%s: light %.2f gamma %.2f, camera blur %.2f noise "
	    "%.1f q%d", synth_kind_name(k), l_gain, l_gamma, cam_blur, noise, q);
	dl = strlen(out->desc);
	if (flags & SYNTH_CONDITIONS) {
		snprintf(out->desc + dl, sizeof(out->desc) - dl, ", ");
		dl = strlen(out->desc);
		cond_desc(&cd, out->desc + dl, sizeof(out->desc) - dl);
		dl = strlen(out->desc);
	}
	if (k == SY_BONA_FIDE || k == SY_REPLAY) {
		if ((ret = person_frames(&lit, pts, &r, n, &cd, clean, pd, sizeof(pd))) != EG_OK)
			goto out;
	}
	if (k == SY_BONA_FIDE) {
		for (int j = 0; j < n; j++) {
			out->frame[j] = clean[j];
			clean[j] = (struct fcv_image){ 0 };
			if ((ret = camera(&out->frame[j], &r, cam_blur, cd.expo, noise, q,
			    (flags & SYNTH_KEEP_JPEG) ? &out->jpeg[j] : NULL, &out->jpeg_len[j])) != EG_OK)
				goto out;
			if (with_depth && (ret = depth_head(pts, 0, 0, &r, &out->depth[j])) != EG_OK)
				goto out;
		}
		snprintf(out->desc + dl, sizeof(out->desc) - dl, "; %s", pd);
		goto out;
	}
	if ((ret = resize(room, SW, SH, &room_ss)) != EG_OK)
		goto out;
	{
		double fcx = 0, fcy = 0;
		bool held = false;

		for (int i = 0; i < 68; i++) {
			fcx += pts->lm68[i][0] / 68;
			fcy += pts->lm68[i][1] / 68;
		}
		switch (k) {
		case SY_PRINT_BORDER:
		case SY_PRINT_FULL:
		case SY_HALFTONE:
		case SY_HELD_PHOTO: {
			bool border = k == SY_PRINT_BORDER || (k == SY_HELD_PHOTO && rp(&r, 0.5));
			bool ht = k == SY_HALFTONE || (k == SY_PRINT_BORDER && rp(&r, 0.5));
			double hf = border ? ru(&r, 0.45, 0.85) : ru(&r, 1.04, 1.2);
			double black = k == SY_HELD_PHOTO ? ru(&r, 8, 35) : ru(&r, 15, 55);
			double white = ru(&r, 190, 245), gam = ru(&r, 0.8, 1.2), sat = ru(&r, 0.6, 0.95);
			double marg = border ? ru(&r, 0.03, 0.1) : 0, per = ru(&r, 1.3, 4.0);
			double ang = ru(&r, 0, 90), deg = border ? ru(&r, -8, 8) : ru(&r, -3, 3);
			int ph = (int)(SH * hf), pw = (int)(ph * (double)SYNTH_W / SYNTH_H);
			int m = (int)(ph * marg);
			struct fcv_image pr = { 0 };

			held = k == SY_HELD_PHOTO || rp(&r, 0.5);
			if ((ret = resize(&lit, pw, ph, &pr)) != EG_OK)
				goto out;
			tone(&pr, black, white, gam, sat);
			if (ht)
				halftone(&pr, per * K, ang, ru(&r, 0.8, 1.3));
			if ((ret = fcv_image_alloc(pw + 2 * m, ph + 2 * m, &md.img)) != EG_OK) {
				fcv_image_free(&pr);
				goto out;
			}
			{
				double pap[3] = { ru(&r, 225, 250), ru(&r, 225, 250), ru(&r, 220, 250) };

				for (int y = 0; y < md.img.height; y++)
					for (int x = 0; x < md.img.width; x++)
						for (int c = 0; c < 3; c++)
							px(&md.img, x, y)[c] = clip8(pap[c] + gauss(&r) * 2);
			}
			for (int y = 0; y < ph; y++)
				memcpy(px(&md.img, m, m + y), px(&pr, 0, y), (size_t)pw * 3);
			fcv_image_free(&pr);
			{
				/* where the face lands: centred, or off-centre on a room */
				double s = (double)ph / SH, fx0 = SYNTH_W / 2.0 + (border ? ru(&r, -0.1, 0.1) * SYNTH_W : 0);
				double fy0 = SYNTH_H * (border ? ru(&r, 0.4, 0.55) : 0.45);

				place(&md, &r, n, m + fcx * s * K, m + fcy * s * K, fx0, fy0, deg, 1.0,
				    held, ru(&r, 1, 7), ru(&r, 0.3, 1.5));
			}
			fx.glare = rp(&r, 0.25);
			snprintf(pd, sizeof(pd), "%s%s, %.0f%% of the frame, black %.0f white %.0f "
			    "gamma %.2f sat %.2f, halftone %s %.1f px %.0f deg, rot %.1f, %s",
			    border ? "border " : "full ", border ? "" : "frame", hf * 100, black,
			    white, gam, sat, ht ? "yes" : "no", per, ang, deg, held ? "held" : "static");
			break;
		}
		case SY_SCREEN:
		case SY_REPLAY: {
			double sc = ru(&r, 1.04, 1.15), deg = ru(&r, -4, 4);

			lcd_pitch = ru(&r, 1.5, 3.0);
			lcd_depth = rp(&r, 0.4) ? ru(&r, 0.1, 0.35) : 0;
			moire_per = ru(&r, 4, 40);
			moire_deg = ru(&r, 0, 180);
			moire_amp = rp(&r, 0.85) ? ru(&r, 0.03, 0.12) : 0;
			lcd_black = ru(&r, 8, 30);
			held = rp(&r, 0.4);
			if ((ret = resize(&lit, SW, SH, &md.img)) != EG_OK)
				goto out;
			place(&md, &r, n, fcx * K, fcy * K, fcx, fcy, deg, sc, held, ru(&r, 1, 6),
			    ru(&r, 0.3, 1.2));
			fx.glare = rp(&r, 0.6);
			fx.banding = rp(&r, 0.6);
			fx.ba = ru(&r, 0.03, 0.1);
			fx.bp = ru(&r, 16, 120);
			fx.bph = ru(&r, 0, 2 * M_PI);
			fx.bv = ru(&r, 0.3, 2.5);
			snprintf(pd, sizeof(pd), "grid %.2f px depth %.2f, moire %.0f px %.2f, black %.0f, "
			    "rot %.1f, banding %s %.2f/%.0f px, %s", lcd_pitch, lcd_depth, moire_per,
			    moire_amp, lcd_black, deg, fx.banding ? "yes" : "no", fx.ba, fx.bp,
			    held ? "held" : "static");
			if (k == SY_SCREEN) {
				tone(&md.img, lcd_black, 245, 1.0, 1.0);
				if (lcd_depth > 0)
					lcd_grid(&md.img, lcd_pitch * K, lcd_depth);
				if (moire_amp > 0)
					moire(&md.img, moire_per * K, moire_deg, moire_amp);
			}
			break;
		}
		case SY_PHONE: {
			double hf = ru(&r, 0.65, 1.0), bez = ru(&r, 0.03, 0.1), pitch = ru(&r, 4, 30);
			double dep = rp(&r, 0.85) ? ru(&r, 0.03, 0.12) : 0, deg = ru(&r, -8, 8);
			int ph = (int)(SH * hf), pw = (int)(ph * 0.48), b = (int)(pw * bez);
			int sw = pw - 2 * b, sh = ph - 2 * b - (int)(0.05 * ph);
			static const double cols[4][3] = { { 20, 20, 20 }, { 235, 235, 235 },
				{ 190, 190, 195 }, { 120, 60, 30 } };
			int ci = (int)ru(&r, 0, 4) % 4;
			double side = pts->lm68[16][0] - pts->lm68[0][0];
			struct fcv_rect cr;
			struct fcv_image sc = { 0 };

			held = rp(&r, 0.7);
			/* the phone shows the face large: 2.2 face widths across */
			cr.w = 2.2 * side;
			cr.h = cr.w * sh / sw;
			cr.x = fcx - cr.w / 2;
			cr.y = fcy - cr.h * 0.42;
			if ((ret = fcv_image_crop(&lit, &cr, sw, sh, &sc)) != EG_OK)
				goto out;
			tone(&sc, ru(&r, 5, 25), 245, 1.0, 1.0);
			if (dep > 0)
				moire(&sc, pitch * K, ru(&r, 0, 180), dep);
			if ((ret = fcv_image_alloc(pw, ph, &md.img)) != EG_OK) {
				fcv_image_free(&sc);
				goto out;
			}
			for (int y = 0; y < ph; y++)
				for (int x = 0; x < pw; x++)
					for (int c = 0; c < 3; c++)
						px(&md.img, x, y)[c] = clip8(cols[ci][c] + gauss(&r) * 3);
			for (int y = 0; y < sh; y++)
				memcpy(px(&md.img, b, b + (int)(0.025 * ph) + y), px(&sc, 0, y), (size_t)sw * 3);
			fcv_image_free(&sc);
			md.corner = pw * ru(&r, 0.08, 0.15);
			{
				double ax = b + sw / 2.0, ay = b + 0.025 * ph + sh * 0.42;

				place(&md, &r, n, ax, ay, SYNTH_W / 2.0 + ru(&r, -0.08, 0.08) * SYNTH_W,
				    SYNTH_H * ru(&r, 0.38, 0.5), deg, 1.0, held, ru(&r, 1, 7),
				    ru(&r, 0.3, 1.5));
			}
			fx.glare = rp(&r, 0.5);
			snprintf(pd, sizeof(pd), "%.0f%% of the frame, bezel %.0f%% colour %d, moire "
			    "%.1f px amplitude %.2f, rot %.1f, %s", hf * 100, bez * 100, ci, pitch, dep, deg,
			    held ? "held" : "static");
			break;
		}
		default:
			ret = EG_ERR_INVAL;
			goto out;
		}
		if (fx.glare) {
			double side = pts->lm68[16][0] - pts->lm68[0][0];

			fx.gp = ru(&r, 0.35, 1.0);
			fx.gs = ru(&r, 0.2, 0.6) * side;
			fx.gx = fcx + ru(&r, -0.8, 0.8) * side;
			fx.gy = fcy + ru(&r, -0.8, 0.8) * side;
		}
		dl = strlen(out->desc);
		snprintf(out->desc + dl, sizeof(out->desc) - dl, "; %s; glare %s", pd,
		    fx.glare ? "yes" : "no");
	}
	for (int j = 0; j < n; j++) {
		if (k == SY_REPLAY) {
			fcv_image_free(&md.img);
			if ((ret = resize(&clean[j], SW, SH, &md.img)) != EG_OK)
				goto out;
			tone(&md.img, lcd_black, 245, 1.0, 1.0);
			if (lcd_depth > 0)
				lcd_grid(&md.img, lcd_pitch * K, lcd_depth);
			if (moire_amp > 0)
				moire(&md.img, moire_per * K, moire_deg, moire_amp);
		}
		if ((ret = film(&md, j, &room_ss, &fx, &out->frame[j])) != EG_OK ||
		    (ret = camera(&out->frame[j], &r, cam_blur, cd.expo, noise, q,
			    (flags & SYNTH_KEEP_JPEG) ? &out->jpeg[j] : NULL, &out->jpeg_len[j])) != EG_OK)
			goto out;
		if (with_depth && (ret = depth_plane(&r, &out->depth[j])) != EG_OK)
			goto out;
	}
	ret = EG_OK;
out:
	fcv_image_free(&lit);
	fcv_image_free(&room_ss);
	fcv_image_free(&md.img);
	for (int j = 0; j < SYNTH_MAX_FRAMES; j++)
		fcv_image_free(&clean[j]);
	if (ret != EG_OK)
		synth_free(out);
	return ret;
}
