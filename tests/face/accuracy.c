/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face-accuracy — a ROBUSTNESS SMOKE TEST of the face pipeline on synthetic
 * capture variants of the 22 faces in the six test photos. NOT an accuracy
 * claim: there is no multi-session labelled data here, so real FMR/FNMR
 * (e.g. the EU EES target, FNMR < 1% at FMR 0.05%) cannot be measured.
 *
 * For every face (taken by position from sampleN.jpg) the reference is its
 * embedding in the original photo. A 600x800 portrait around the face is then
 * degraded in six families — pose (in-plane rotation, shear, horizontal
 * squeeze), light (gamma, brightness, contrast), blur (Gaussian), low
 * resolution (down to a face of a few dozen pixels and back up), DG2-like
 * compression (300x400 JPEG and JPEG 2000 at <= 15 KB and <= 6 KB), and an
 * occluding bar over the eyes (which the quality gate should catch) — and
 * analysed again. Genuine pairs: a variant against its own face's reference.
 * Impostor pairs: a variant against the reference of every other person.
 *
 * Reported per family and overall, without and with the quality gate: the
 * genuine and impostor score distributions (min / median / max), FMR and
 * FNMR at the profile's threshold, FNMR at FMR 1% and 0.1% and the equal
 * error rate, and the failure-to-acquire rate (no face found, or the gate
 * said retake). With the gate, faces whose original photo fails the gate are
 * not enrolled (failure to enrol) and take no part.
 *
 *   ./build/tests/face/face-accuracy [--quick] [-v]
 *   meson test -C build --benchmark --suite face face-accuracy -v
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate_build.h"
#include "face.h"
#include "face_gallery.h"

#define NSAMPLES 6
#define NFACES 22
#define PW 600	/* portrait size */
#define PH 800

static const unsigned sample_faces[NSAMPLES] = { 3, 3, 3, 4, 5, 4 };

/* The person of each face in position order: sample1.jpg#3 and sample3.jpg#2
 * look like the same woman (see tests/face/test_face_gallery.c): 21 people. */
static const int person[NFACES] = {
	0, 1, 2, 3, 4, 5, 6, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
};

enum fam { FAM_POSE, FAM_LIGHT, FAM_BLUR, FAM_LOWRES, FAM_DG2, FAM_OCCLUSION, FAM_COUNT };

static const char *const fam_name[FAM_COUNT] = {
	"pose", "light", "blur", "low-res", "DG2", "eyes-occl",
};

enum kind {
	V_ROT, V_SHEAR, V_SQUEEZE, V_GAMMA, V_BRIGHT, V_CONTRAST, V_BLUR, V_LOWRES, V_JPEG, V_JP2,
	V_EYES,
};

struct variant {
	const char *name;
	enum fam fam;
	enum kind kind;
	double a;	/* degrees, shear, scale, gamma, offset, factor, sigma, face px, bytes */
	bool quick;	/* part of --quick */
};

static const struct variant variants[] = {
	{ "rot-10", FAM_POSE, V_ROT, -10, true },
	{ "rot+10", FAM_POSE, V_ROT, 10, false },
	{ "rot-20", FAM_POSE, V_ROT, -20, false },
	{ "rot+20", FAM_POSE, V_ROT, 20, true },
	{ "shear+0.15", FAM_POSE, V_SHEAR, 0.15, false },
	{ "shear-0.25", FAM_POSE, V_SHEAR, -0.25, true },
	{ "squeeze0.75", FAM_POSE, V_SQUEEZE, 0.75, false },
	{ "gamma0.5", FAM_LIGHT, V_GAMMA, 0.5, true },
	{ "gamma2.2", FAM_LIGHT, V_GAMMA, 2.2, false },
	{ "bright-70", FAM_LIGHT, V_BRIGHT, -70, false },
	{ "bright+70", FAM_LIGHT, V_BRIGHT, 70, true },
	{ "contrast0.4", FAM_LIGHT, V_CONTRAST, 0.4, false },
	{ "contrast1.8", FAM_LIGHT, V_CONTRAST, 1.8, false },
	{ "gauss1.5", FAM_BLUR, V_BLUR, 1.5, false },
	{ "gauss3", FAM_BLUR, V_BLUR, 3, true },
	{ "gauss6", FAM_BLUR, V_BLUR, 6, false },
	{ "face48px", FAM_LOWRES, V_LOWRES, 48, false },
	{ "face32px", FAM_LOWRES, V_LOWRES, 32, true },
	{ "face20px", FAM_LOWRES, V_LOWRES, 20, false },
	{ "jpeg15k", FAM_DG2, V_JPEG, 15000, true },
	{ "jp2-15k", FAM_DG2, V_JP2, 15000, true },
	{ "jpeg6k", FAM_DG2, V_JPEG, 6000, false },
	{ "jp2-6k", FAM_DG2, V_JP2, 6000, false },
	{ "eyes-bar", FAM_OCCLUSION, V_EYES, 0, true },
};

#define NVAR (sizeof(variants) / sizeof(variants[0]))

struct probe {
	bool run;	/* this variant was made (not skipped by --quick) */
	bool acquired;	/* a face was found */
	bool pass;	/* and it passed the quality gate */
	const char *why;	/* first failed measure */
	float emb[FACE_EMB_MAX];
};

struct face_item {
	char label[32];
	bool orig_pass;
	const char *orig_why;
	float ref[FACE_EMB_MAX];
	struct probe v[NVAR];
};

struct acc {
	struct face_ctx *ctx;
	size_t dim;
	double thr;
	struct face_item f[NFACES];
	double *gen, *imp;	/* scratch for one statistic */
	size_t ngen, nimp;
};

/* ---- image variants ------------------------------------------------------- */

static uint8_t
clamp8(double v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)lrint(v);
}

static int
copy_image(const struct fcv_image *src, struct fcv_image *out)
{
	int ret = fcv_image_alloc(src->width, src->height, out);

	if (ret != EG_OK)
		return ret;
	for (int y = 0; y < src->height; y++)
		memcpy(out->data + (size_t)y * out->stride, src->data + (size_t)y * src->stride,
		    (size_t)src->width * 3);
	return EG_OK;
}

/* v' = f(v) per channel value through a 256-entry table */
static void
apply_lut(struct fcv_image *img, const uint8_t lut[256])
{
	for (int y = 0; y < img->height; y++) {
		uint8_t *row = img->data + (size_t)y * img->stride;

		for (int x = 0; x < img->width * 3; x++)
			row[x] = lut[row[x]];
	}
}

/* Separable Gaussian blur, edges clamped. */
static int
gauss_blur(struct fcv_image *img, double sigma)
{
	int r = (int)ceil(3 * sigma), w = img->width, h = img->height, ret = EG_ERR_NOMEM;
	double *k = calloc((size_t)(2 * r + 1), sizeof(double)), sum = 0;
	float *tmp = calloc((size_t)w * (size_t)h * 3, sizeof(float));

	if (k == NULL || tmp == NULL)
		goto out;
	for (int i = -r; i <= r; i++)
		sum += k[i + r] = exp(-(double)(i * i) / (2 * sigma * sigma));
	for (int i = 0; i <= 2 * r; i++)
		k[i] /= sum;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			for (int c = 0; c < 3; c++) {
				double a = 0;

				for (int i = -r; i <= r; i++) {
					int xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;

					a += k[i + r] * img->data[(size_t)y * img->stride + (size_t)xx * 3 + (size_t)c];
				}
				tmp[((size_t)y * (size_t)w + (size_t)x) * 3 + (size_t)c] = (float)a;
			}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			for (int c = 0; c < 3; c++) {
				double a = 0;

				for (int i = -r; i <= r; i++) {
					int yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;

					a += k[i + r] * tmp[((size_t)yy * (size_t)w + (size_t)x) * 3 + (size_t)c];
				}
				img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)c] = clamp8(a);
			}
	ret = EG_OK;
out:
	free(k);
	if (tmp != NULL)
		eg_secret_free(&tmp, (size_t)w * (size_t)h * 3 * sizeof(float));
	return ret;
}

/* Encode at the best quality that fits max_bytes, then decode. */
static int
encode_fit_decode(const struct fcv_image *img, const char *ext, size_t max_bytes,
    struct fcv_image *out, size_t *used)
{
	bool jpg = strcmp(ext, ".jpg") == 0;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int ret = EG_ERR_OVERFLOW;

	for (int q = jpg ? 95 : 400; q > 0; q -= jpg ? 5 : (q > 100 ? 8 : 2)) {
		if ((ret = fcv_image_encode(img, ext, q, &bytes, &len)) != EG_OK)
			return ret;
		if (len <= max_bytes)
			break;
		eg_secret_free(&bytes, len);
		ret = EG_ERR_OVERFLOW;
	}
	if (bytes == NULL)
		return ret;
	*used = len;
	ret = face_img_decode(bytes, len, FACE_MAX_DIM, out);
	eg_secret_free(&bytes, len);
	return ret;
}

/* The variant v of portrait p, whose face box height is bh and whose eye
 * centres are in pts. */
static int
make_variant(const struct fcv_image *p, double bh, const struct face_points *pts,
    const struct variant *v, struct fcv_image *out)
{
	double m[6] = { 1, 0, 0, 0, 1, 0 }, a = v->a;
	uint8_t lut[256];
	struct fcv_image small = { 0 };
	struct fcv_rect all = { 0, 0, p->width, p->height };
	size_t used;
	int ret;

	switch (v->kind) {
	case V_ROT:
		a *= M_PI / 180;
		m[0] = cos(a);
		m[1] = sin(a);
		m[3] = -sin(a);
		m[4] = cos(a);
		m[2] = PW / 2.0 - m[0] * PW / 2.0 - m[1] * PH / 2.0;
		m[5] = PH / 2.0 - m[3] * PW / 2.0 - m[4] * PH / 2.0;
		return fcv_warp_affine(p, m, PW, PH, out);
	case V_SHEAR:
		m[1] = a;
		m[2] = -a * PH / 2.0;
		return fcv_warp_affine(p, m, PW, PH, out);
	case V_SQUEEZE:
		m[0] = a;
		m[2] = (1 - a) * PW / 2.0;
		return fcv_warp_affine(p, m, PW, PH, out);
	case V_GAMMA:
	case V_BRIGHT:
	case V_CONTRAST:
		for (int i = 0; i < 256; i++)
			lut[i] = v->kind == V_GAMMA ? clamp8(255.0 * pow(i / 255.0, a)) :
			    v->kind == V_BRIGHT ? clamp8(i + a) : clamp8(128 + (i - 128) * a);
		if ((ret = copy_image(p, out)) != EG_OK)
			return ret;
		apply_lut(out, lut);
		return EG_OK;
	case V_BLUR:
		if ((ret = copy_image(p, out)) != EG_OK)
			return ret;
		return gauss_blur(out, a);
	case V_LOWRES: {
		double s = a / bh;
		int sw = (int)lrint(PW * s), sh = (int)lrint(PH * s);
		struct fcv_rect sr = { 0, 0, sw, sh };

		if ((ret = fcv_image_crop(p, &all, sw, sh, &small)) != EG_OK)
			return ret;
		ret = fcv_image_crop(&small, &sr, PW, PH, out);
		fcv_image_free(&small);
		return ret;
	}
	case V_JPEG:
	case V_JP2:
		/* a 300x400 passport-like portrait, as a DG2 holds it */
		if ((ret = fcv_image_crop(p, &all, PW / 2, PH / 2, &small)) != EG_OK)
			return ret;
		ret = encode_fit_decode(&small, v->kind == V_JPEG ? ".jpg" : ".jp2", (size_t)a, out,
		    &used);
		fcv_image_free(&small);
		return ret;
	case V_EYES: {
		double lx = pts->pt[0][0], ly = pts->pt[0][1], rx = pts->pt[1][0], ry = pts->pt[1][1];
		double d = hypot(rx - lx, ry - ly), cy = (ly + ry) / 2;
		int x0 = (int)(fmin(lx, rx) - 0.45 * d), x1 = (int)(fmax(lx, rx) + 0.45 * d);
		int y0 = (int)(cy - 0.25 * d), y1 = (int)(cy + 0.25 * d);

		if ((ret = copy_image(p, out)) != EG_OK)
			return ret;
		for (int y = y0 < 0 ? 0 : y0; y < y1 && y < out->height; y++)
			for (int x = x0 < 0 ? 0 : x0; x < x1 && x < out->width; x++)
				memset(out->data + (size_t)y * out->stride + (size_t)x * 3, 0, 3);
		return EG_OK;
	}
	}
	return EG_ERR_INVAL;
}

/* ---- running the pipeline ------------------------------------------------- */

static const char *
first_fail(const struct face_result *r)
{
	for (int i = 0; i < FACE_Q_COUNT; i++)
		if (!r->quality.m[i].pass)
			return r->quality.m[i].name;
	return NULL;
}

static int
load_photo(int s, struct fcv_image *img)
{
	char path[1024];
	FILE *f;
	uint8_t *p = NULL;
	long n;
	int ret = EG_ERR_IO;

	snprintf(path, sizeof(path), "%s/sample%d.jpg", FACE_TESTDATA, s + 1);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "face-accuracy: %s missing (run scripts/install-deps)\n", path);
		return EG_ERR_NOT_FOUND;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((p = malloc((size_t)n)) == NULL || fread(p, 1, (size_t)n, f) != (size_t)n)
		goto out;
	ret = face_img_decode(p, (size_t)n, FACE_MAX_DIM, img);
out:
	free(p);
	fclose(f);
	return ret;
}

/* The capture model of this harness: the subject is the detection nearest
 * the centre of the (portrait) frame, as the kiosk's capture zone would have
 * it; the largest face can be a neighbour cut by the portrait's edge. */
static int
analyse_centre(struct face_ctx *ctx, const struct fcv_image *img, const struct face_opts *fo,
    struct face_result *out)
{
	struct face_box boxes[FACE_MAX_FACES];
	size_t n = 0, best = 0;
	double bd = INFINITY;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = face_detect(ctx, img, boxes, FACE_MAX_FACES, &n)) != EG_OK)
		return ret;
	if (n == 0)
		return EG_ERR_NO_FACE;
	for (size_t i = 0; i < n; i++) {
		double d = hypot((boxes[i].x1 + boxes[i].x2) / 2 - img->width / 2.0,
		    (boxes[i].y1 + boxes[i].y2) / 2 - img->height / 2.0);

		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	return face_analyse_box(ctx, img, &boxes[best], fo, out);
}

static int
run_face(struct acc *A, const struct fcv_image *photo, unsigned nth, struct face_item *it,
    bool quick)
{
	struct face_opts fo = { .quality = true };
	struct face_result r, pr;
	struct fcv_image portrait = { 0 };
	struct fcv_rect rc;
	double bh, cx, cy, w;
	int ret;

	memset(&pr, 0, sizeof(pr));
	if ((ret = face_analyse_nth(A->ctx, photo, nth, &fo, &r)) != EG_OK)
		return ret;
	memcpy(it->ref, r.emb, r.emb_len * sizeof(float));
	A->dim = r.emb_len;
	it->orig_pass = !r.quality.retake;
	it->orig_why = first_fail(&r);
	bh = r.box.y2 - r.box.y1;
	cx = (r.box.x1 + r.box.x2) / 2;
	cy = (r.box.y1 + r.box.y2) / 2;
	w = bh * 2.2;
	rc = (struct fcv_rect){ cx - w / 2, cy - w * 0.6, w, w * 4 / 3 };
	face_result_wipe(&r);
	if ((ret = fcv_image_crop(photo, &rc, PW, PH, &portrait)) != EG_OK)
		goto out;
	/* the portrait itself: its face (the one nearest the centre) gives the eye positions and
	 * the box height for the variants */
	if ((ret = analyse_centre(A->ctx, &portrait, &fo, &pr)) != EG_OK)
		goto out;
	for (size_t v = 0; v < NVAR; v++) {
		struct fcv_image img = { 0 };
		struct probe *pb = &it->v[v];

		if (quick && !variants[v].quick)
			continue;
		pb->run = true;
		if ((ret = make_variant(&portrait, pr.box.y2 - pr.box.y1, &pr.pts, &variants[v],
		    &img)) != EG_OK) {
			fprintf(stderr, "face-accuracy: %s %s: cannot make the variant: %s\n",
			    it->label, variants[v].name, eg_strerror(ret));
			goto out;
		}
		ret = analyse_centre(A->ctx, &img, &fo, &r);
		fcv_image_free(&img);
		if (ret == EG_ERR_NO_FACE) {
			pb->why = "no face";
			continue;
		}
		if (ret != EG_OK)
			goto out;
		pb->acquired = true;
		pb->pass = !r.quality.retake;
		pb->why = first_fail(&r);
		memcpy(pb->emb, r.emb, r.emb_len * sizeof(float));
		face_result_wipe(&r);
	}
	ret = EG_OK;
out:
	face_result_wipe(&pr);
	fcv_image_free(&portrait);
	return ret;
}

/* ---- statistics ----------------------------------------------------------- */

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median_sorted(const double *v, size_t n)
{
	return n == 0 ? NAN : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Fraction of v (n, sorted ascending) that is >= t. */
static double
frac_ge(const double *v, size_t n, double t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n == 0 ? NAN : (double)(n - lo) / (double)n;
}

/* FNMR at the strictest threshold whose FMR does not exceed fmr: accept when
 * score > the (k+1)-th highest impostor, k = floor(fmr * nimp). */
static double
fnmr_at_fmr(const double *gen, size_t ngen, const double *imp, size_t nimp, double fmr)
{
	size_t k = (size_t)floor(fmr * (double)nimp);
	double t;

	if (ngen == 0 || nimp == 0)
		return NAN;
	if (k >= nimp)
		return 0;
	t = imp[nimp - 1 - k];
	return 1.0 - frac_ge(gen, ngen, nextafter(t, INFINITY));
}

/* Equal error rate: over every score as a threshold, the point where FMR and
 * FNMR are closest; their mean. */
static double
eer(const double *gen, size_t ngen, const double *imp, size_t nimp)
{
	double best = INFINITY, e = NAN;

	if (ngen == 0 || nimp == 0)
		return NAN;
	for (int pass = 0; pass < 2; pass++) {
		const double *v = pass ? imp : gen;
		size_t n = pass ? nimp : ngen;

		for (size_t i = 0; i < n; i++) {
			double fmr = frac_ge(imp, nimp, v[i]);
			double fnmr = 1.0 - frac_ge(gen, ngen, v[i]);

			if (fabs(fmr - fnmr) < best) {
				best = fabs(fmr - fnmr);
				e = (fmr + fnmr) / 2;
			}
		}
	}
	return e;
}

/* Collect the pairs of family fam (FAM_COUNT: all) with or without the gate. */
static void
collect(struct acc *A, int fam, bool gate, size_t *attempts, size_t *fta, size_t *fte)
{
	A->ngen = A->nimp = 0;
	*attempts = *fta = *fte = 0;
	for (size_t i = 0; i < NFACES; i++) {
		if (gate && !A->f[i].orig_pass) {
			(*fte)++;
			continue;
		}
		for (size_t v = 0; v < NVAR; v++) {
			const struct probe *pb = &A->f[i].v[v];

			if (!pb->run || (fam != FAM_COUNT && (int)variants[v].fam != fam))
				continue;
			(*attempts)++;
			if (!pb->acquired || (gate && !pb->pass)) {
				(*fta)++;
				continue;
			}
			A->gen[A->ngen++] = face_cosine(pb->emb, A->f[i].ref, A->dim);
			for (size_t j = 0; j < NFACES; j++) {
				if (person[j] == person[i] || (gate && !A->f[j].orig_pass))
					continue;
				A->imp[A->nimp++] = face_cosine(pb->emb, A->f[j].ref, A->dim);
			}
		}
	}
	qsort(A->gen, A->ngen, sizeof(double), cmp_d);
	qsort(A->imp, A->nimp, sizeof(double), cmp_d);
}

static void
pct(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f%%", 100 * v);
}

static void
report(struct acc *A, bool gate)
{
	printf("\n%s the quality gate%s\n", gate ? "WITH" : "WITHOUT",
	    gate ? " (faces whose original fails it are not enrolled; variants that fail it "
	    "are failures to acquire)" : "");
	printf("%-10s %5s %5s %7s  %-20s %6s  %-20s %6s %6s %9s %9s %6s\n", "family", "gen",
	    "FTA", "FTA%", "genuine min/med/max", "imp", "impostor min/med/max", "FMR", "FNMR",
	    "FNMR@1%", "FNMR@.1%", "EER");
	for (int fam = 0; fam <= FAM_COUNT; fam++) {
		size_t att, fta, fte;
		char c[6][16];

		collect(A, fam, gate, &att, &fta, &fte);
		pct(att ? (double)fta / (double)att : NAN, c[0], sizeof(c[0]));
		pct(frac_ge(A->imp, A->nimp, A->thr), c[1], sizeof(c[1]));
		pct(A->ngen ? 1.0 - frac_ge(A->gen, A->ngen, A->thr) : NAN, c[2], sizeof(c[2]));
		pct(fnmr_at_fmr(A->gen, A->ngen, A->imp, A->nimp, 0.01), c[3], sizeof(c[3]));
		pct(fnmr_at_fmr(A->gen, A->ngen, A->imp, A->nimp, 0.001), c[4], sizeof(c[4]));
		pct(eer(A->gen, A->ngen, A->imp, A->nimp), c[5], sizeof(c[5]));
		if (att == 0)
			continue;
		if (A->ngen == 0) {
			printf("%-10s %5zu %5zu %7s  (no genuine pair left)\n",
			    fam == FAM_COUNT ? "OVERALL" : fam_name[fam], A->ngen, fta, c[0]);
			continue;
		}
		printf("%-10s %5zu %5zu %7s  %5.2f/%5.2f/%5.2f    %6zu  %5.2f/%5.2f/%5.2f    "
		    "%6s %6s %9s %9s %6s\n",
		    fam == FAM_COUNT ? "OVERALL" : fam_name[fam], A->ngen, fta, c[0],
		    A->ngen ? A->gen[0] : NAN, median_sorted(A->gen, A->ngen),
		    A->ngen ? A->gen[A->ngen - 1] : NAN, A->nimp, A->nimp ? A->imp[0] : NAN,
		    median_sorted(A->imp, A->nimp), A->nimp ? A->imp[A->nimp - 1] : NAN, c[1], c[2],
		    c[3], c[4], c[5]);
		if (fam == FAM_COUNT && gate)
			printf("failure to enrol: %zu of %d faces (original photo fails the gate)\n",
			    fte, NFACES);
	}
}

static void
report_variants(const struct acc *A)
{
	printf("\nper variant: genuine cosine min / median over the faces acquired; "
	    "FTA without / with the gate\n");
	for (size_t v = 0; v < NVAR; v++) {
		double s[NFACES];
		size_t n = 0, tried = 0, nf = 0, gf = 0, gn = 0;

		for (size_t i = 0; i < NFACES; i++) {
			const struct probe *pb = &A->f[i].v[v];

			if (!pb->run)
				continue;
			tried++;
			if (!pb->acquired)
				nf++;
			else
				s[n++] = face_cosine(pb->emb, A->f[i].ref, A->dim);
			if (A->f[i].orig_pass) {
				gn++;
				if (!pb->acquired || !pb->pass)
					gf++;
			}
		}
		if (tried == 0)
			continue;
		qsort(s, n, sizeof(double), cmp_d);
		printf("  %-10s %-12s min %5.2f  median %5.2f   FTA %2zu/%zu  with gate %2zu/%zu\n",
		    fam_name[variants[v].fam], variants[v].name, n ? s[0] : NAN,
		    median_sorted(s, n), nf, tried, gf, gn);
	}
}

/* -v: every genuine score, for looking into outliers */
static void
report_pairs(const struct acc *A)
{
	printf("\nall genuine scores (face, variant, acquired, gate, first failed measure, cosine)\n");
	for (size_t i = 0; i < NFACES; i++)
		for (size_t v = 0; v < NVAR; v++) {
			const struct probe *pb = &A->f[i].v[v];

			if (!pb->run)
				continue;
			printf("  %-14s %-12s %-3s %-6s %-14s %6.3f\n", A->f[i].label, variants[v].name,
			    pb->acquired ? "yes" : "no", pb->pass ? "pass" : "retake",
			    pb->why ? pb->why : "-",
			    pb->acquired ? face_cosine(pb->emb, A->f[i].ref, A->dim) : NAN);
		}
}

int
main(int argc, char **argv)
{
	struct acc *A = calloc(1, sizeof(*A));
	struct timespec t0, t1;
	bool quick = false, verbose = false;
	char err[512];
	size_t f = 0, nrun = 0;
	int ret = 1, rc;
	time_t now = time(NULL);
	char date[32];

	if (A == NULL)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else {
			fprintf(stderr, "usage: face-accuracy [--quick] [-v]\n");
			free(A);
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = face_ctx_new(FACE_PROFILE_SRC, EGATE_MODEL_DIR, &A->ctx, err, sizeof(err))) !=
	    EG_OK) {
		fprintf(stderr, "face-accuracy: %s: %s (run scripts/install-deps)\n",
		    eg_strerror(rc), err);
		goto out;
	}
	A->thr = face_ctx_profile(A->ctx)->match_threshold;
	A->gen = calloc(NFACES * NVAR, sizeof(double));
	A->imp = calloc(NFACES * NVAR * NFACES, sizeof(double));
	if (A->gen == NULL || A->imp == NULL)
		goto out;
	for (int s = 0; s < NSAMPLES; s++) {
		struct fcv_image photo = { 0 };

		if (load_photo(s, &photo) != EG_OK)
			goto out;
		for (unsigned k = 1; k <= sample_faces[s]; k++, f++) {
			snprintf(A->f[f].label, sizeof(A->f[f].label), "sample%d.jpg#%u", s + 1, k);
			if ((rc = run_face(A, &photo, k, &A->f[f], quick)) != EG_OK) {
				fprintf(stderr, "face-accuracy: %s: %s\n", A->f[f].label,
				    eg_strerror(rc));
				fcv_image_free(&photo);
				goto out;
			}
		}
		fcv_image_free(&photo);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	for (size_t v = 0; v < NVAR; v++)
		nrun += !quick || variants[v].quick;

	printf("==========================================================================\n");
	printf("ROBUSTNESS SMOKE TEST — synthetic variants of 22 faces (21 people) from 6\n");
	printf("photos. NOT an accuracy claim: no multi-session labelled data exists here,\n");
	printf("and the EU EES target (FNMR < 1%% at FMR 0.05%%) cannot be verified with it.\n");
	printf("Genuine = a variant against the same face's original photo; impostor = a\n");
	printf("variant against another person's original. Few pairs: FMR 0.1%% of ~10^3\n");
	printf("impostor pairs is about one pair.\n");
	printf("==========================================================================\n");
	printf("%s; profile %s %s; threshold %.2f; %zu variants%s; %.1f s\n", date,
	    face_ctx_profile(A->ctx)->name, face_ctx_profile(A->ctx)->version, A->thr,
	    nrun, quick ? " (--quick subset)" : "",
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("originals failing the gate:");
	for (size_t i = 0; i < NFACES; i++)
		if (!A->f[i].orig_pass)
			printf(" %s(%s)", A->f[i].label, A->f[i].orig_why ? A->f[i].orig_why : "?");
	printf("\n");
	report(A, false);
	report(A, true);
	report_variants(A);
	if (verbose)
		report_pairs(A);
	ret = 0;
out:
	face_ctx_free(&A->ctx);
	free(A->gen);
	free(A->imp);
	eg_memzero(A, sizeof(*A));
	free(A);
	return ret;
}
