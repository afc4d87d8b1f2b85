/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_face — the face pipeline against real photos and models.
 *
 * Needs the models and test images that scripts/install-deps puts in
 * $EGATE_MODEL_DIR and $EGATE_MODEL_DIR/../testdata. Without them every test
 * that needs them FAILS, saying so: a missing model is never a green skip.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate_build.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "face.h"

#define NSAMPLES 6

/* Faces visible in sample1..6.jpg, counted by eye (22 in all). */
static const size_t sample_faces[NSAMPLES] = { 3, 3, 3, 4, 5, 4 };

static const char *
testdata_dir(void)
{
	return FACE_TESTDATA;
}

static void
need(int ok, const char *what)
{
	if (!ok)
		ck_abort_msg("%s is missing: run scripts/install-deps (models in %s, "
		    "test images in %s)", what, EGATE_MODEL_DIR, FACE_TESTDATA);
}

static struct face_ctx *
ctx_load(void)
{
	struct face_ctx *ctx = NULL;
	char err[512];
	int ret = face_ctx_new(FACE_PROFILE_SRC, EGATE_MODEL_DIR, &ctx, err, sizeof(err));

	if (ret != EG_OK)
		ck_abort_msg("cannot load the face models (%s: %s): run scripts/install-deps",
		    eg_err_name(ret), err);
	return ctx;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	need(f != NULL, path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	p = malloc((size_t)n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void
load_sample(int i, struct fcv_image *img)
{
	char path[1024];
	uint8_t *p;
	size_t len;

	snprintf(path, sizeof(path), "%s/sample%d.jpg", testdata_dir(), i + 1);
	p = slurp(path, &len);
	ck_assert_eg(face_img_decode(p, len, FACE_MAX_DIM, img), EG_OK);
	free(p);
}

/* ---- pure functions ------------------------------------------------------ */

START_TEST(test_similarity_fit_exact)
{
	/* points moved by a known similarity are mapped back exactly */
	const double a = 0.8 * cos(0.3), b = 0.8 * sin(0.3), tx = 12.5, ty = -7.25;
	float src[5][2] = { { 10, 20 }, { 50, 22 }, { 31, 40 }, { 15, 60 }, { 45, 61 } };
	float dst[5][2];
	double m[6];

	for (int i = 0; i < 5; i++) {
		dst[i][0] = (float)(a * src[i][0] - b * src[i][1] + tx);
		dst[i][1] = (float)(b * src[i][0] + a * src[i][1] + ty);
	}
	ck_assert_eg(face_similarity_fit(src, dst, 5, m), EG_OK);
	ck_assert_double_eq_tol(m[0], a, 1e-5);
	ck_assert_double_eq_tol(m[1], -b, 1e-5);
	ck_assert_double_eq_tol(m[2], tx, 1e-3);
	ck_assert_double_eq_tol(m[3], b, 1e-5);
	ck_assert_double_eq_tol(m[4], a, 1e-5);
	ck_assert_double_eq_tol(m[5], ty, 1e-3);
	/* all points on one spot: no fit */
	for (int i = 0; i < 5; i++)
		src[i][0] = src[i][1] = 3;
	ck_assert_eg(face_similarity_fit(src, dst, 5, m), EG_ERR_INVAL);
}
END_TEST

START_TEST(test_nms_iou)
{
	/* a small box inside a big one: IoU 0.04, so both are kept (dividing
	 * the overlap by one box's area, as the model's package does, would
	 * drop one) */
	struct face_box b[3] = {
		{ 0, 0, 100, 100, 0.9f },
		{ 40, 40, 60, 60, 0.8f },
		{ 2, 2, 101, 99, 0.95f },	/* near-duplicate of the first */
	};
	size_t n;

	ck_assert_double_eq_tol(face_box_iou(&b[0], &b[1]), 400.0 / 10000.0, 1e-9);
	n = face_nms(b, 3, 0.3);
	ck_assert_uint_eq(n, 2);
	ck_assert_float_eq(b[0].score, 0.95f);	/* best first */
	ck_assert_float_eq(b[1].score, 0.8f);
}
END_TEST

START_TEST(test_choose_zone)
{
	struct face_box b[3] = {
		{ 10, 10, 110, 130, 0.9f },	/* large, left edge */
		{ 450, 200, 530, 290, 0.9f },	/* centre */
		{ 700, 50, 760, 110, 0.9f },	/* small, right */
	};
	const double all[4] = { 0, 0, 1, 1 }, mid[4] = { 0.25, 0.25, 0.5, 0.5 };
	int in_zone;

	ck_assert_int_eq(face_choose(b, 3, 1000, 500, all, 80, &in_zone), 0);
	ck_assert_int_eq(in_zone, 2);	/* the 60 px face is below the minimum */
	ck_assert_int_eq(face_choose(b, 3, 1000, 500, mid, 80, &in_zone), 1);
	ck_assert_int_eq(in_zone, 1);
	ck_assert_int_eq(face_choose(b, 0, 1000, 500, mid, 80, &in_zone), -1);
	ck_assert_int_eq(in_zone, 0);
}
END_TEST

START_TEST(test_cosine)
{
	const float a[3] = { 1, 0, 0 }, b[3] = { 0, 2, 0 }, c[3] = { 3, 0, 0 }, z[3] = { 0 };

	ck_assert_double_eq_tol(face_cosine(a, b, 3), 0, 1e-12);
	ck_assert_double_eq_tol(face_cosine(a, c, 3), 1, 1e-12);
	ck_assert_double_eq_tol(face_cosine(a, z, 3), 0, 1e-12);
}
END_TEST

/* ---- profile and models ------------------------------------------------------ */

START_TEST(test_profile_loads)
{
	struct face_profile p;
	char err[512];

	ck_assert_eg(face_profile_load(FACE_PROFILE_SRC, &p, err, sizeof(err)), EG_OK);
	ck_assert_str_eq(p.name, "faceplugin");
	ck_assert_int_eq(p.net[FACE_NET_DETECT].width, 320);
	ck_assert_int_eq(p.net[FACE_NET_DETECT].height, 240);
	ck_assert_int_eq(p.net[FACE_NET_FEATURE].chan, FCV_CHAN_RGB);
	ck_assert_int_eq(p.embedding_size, 512);
	ck_assert_double_eq_tol(p.net[FACE_NET_LANDMARK].std[0], 256, 1e-9);
}
END_TEST

/* Write a copy of the shipped profile with one line replaced. */
static void
profile_variant(const char *path, const char *from, const char *to)
{
	size_t len;
	uint8_t *p = slurp(FACE_PROFILE_SRC, &len);
	char *s = calloc(1, len + 1), *hit;
	FILE *f;

	ck_assert_ptr_nonnull(s);
	memcpy(s, p, len);
	hit = strstr(s, from);
	ck_assert_ptr_nonnull(hit);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(s, 1, (size_t)(hit - s), f);
	fputs(to, f);
	fputs(hit + strlen(from), f);
	fclose(f);
	free(s);
	free(p);
}

START_TEST(test_model_hash_mismatch_refused)
{
	char path[300];
	struct face_ctx *ctx = NULL;
	char err[512];
	int fd;

	ctx = ctx_load();	/* the real models first: fails clearly without them */
	face_ctx_free(&ctx);
	fd = eg_scratch_mkstemp(path, sizeof(path), "egate-face-profile");
	close(fd);
	/* the feature model's hash with its last digit changed */
	profile_variant(path, "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581",
	    "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3580");
	ck_assert_eg(face_ctx_new(path, EGATE_MODEL_DIR, &ctx, err, sizeof(err)), EG_ERR_CHECKSUM);
	ck_assert_ptr_null(ctx);
	ck_assert_ptr_nonnull(strstr(err, "fr_feature.onnx"));
	ck_assert_ptr_nonnull(strstr(err, "refused"));
	/* a missing model directory tells what to do */
	ck_assert_eg(face_ctx_new(FACE_PROFILE_SRC, "/nonexistent/egate-models", &ctx, err,
	    sizeof(err)), EG_ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(err, "scripts/install-deps"));
	/* a malformed hash is a configuration error */
	profile_variant(path, "sha256 = 1afcea006abc", "sha256 = XYZ");
	ck_assert_eg(face_ctx_new(path, EGATE_MODEL_DIR, &ctx, err, sizeof(err)), EG_ERR_CONFIG);
	unlink(path);
}
END_TEST

/* ---- detection: all 22 faces ------------------------------------------------ */

START_TEST(test_detect_all_faces)
{
	struct face_ctx *ctx = ctx_load();
	size_t total = 0;

	for (int i = 0; i < NSAMPLES; i++) {
		struct fcv_image img;
		struct face_box b[FACE_MAX_FACES];
		size_t n = 0;

		load_sample(i, &img);
		ck_assert_eg(face_detect(ctx, &img, b, FACE_MAX_FACES, &n), EG_OK);
		ck_assert_msg(n == sample_faces[i], "sample%d.jpg: %zu faces detected, %zu visible",
		    i + 1, n, sample_faces[i]);
		for (size_t k = 0; k < n; k++) {
			/* faces in these photos are 100..400 px high */
			float h = b[k].y2 - b[k].y1;
			ck_assert_msg(h > 60 && h < 600, "sample%d face %zu: height %.0f", i + 1, k, h);
			ck_assert(b[k].score >= 0.65f);
			for (size_t o = 0; o < k; o++)
				ck_assert(face_box_iou(&b[k], &b[o]) <= 0.3);
		}
		total += n;
		fcv_image_free(&img);
	}
	ck_assert_uint_eq(total, 22);
	face_ctx_free(&ctx);
}
END_TEST

/* ---- embeddings against the stored reference --------------------------------- */

/* tests/vectors/face/embeddings.txt: "sampleN.jpg v0 ... v511" per line, the
 * embedding of the face face_analyse chooses. */
START_TEST(test_reference_embeddings)
{
	struct face_ctx *ctx = ctx_load();
	struct face_opts fo = { .quality = false };
	char path[1024], name[64];
	FILE *f, *w = NULL;
	int lines = 0;
	const char *write_to = getenv("EGATE_FACE_WRITE_REFERENCE");	/* debug: regenerate */

	snprintf(path, sizeof(path), "%s/face/embeddings.txt", FACE_VECTORS);
	if (write_to != NULL) {
		w = fopen(write_to, "w");
		ck_assert_ptr_nonnull(w);
		for (int i = 0; i < 3; i++) {
			struct fcv_image img;
			struct face_result r;

			load_sample(i * 2, &img);
			ck_assert_eg(face_analyse(ctx, &img, &fo, &r), EG_OK);
			fprintf(w, "sample%d.jpg", i * 2 + 1);
			for (size_t k = 0; k < r.emb_len; k++)
				fprintf(w, " %.7f", (double)r.emb[k]);
			fprintf(w, "\n");
			face_result_wipe(&r);
			fcv_image_free(&img);
		}
		fclose(w);
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s missing", path);
	while (fscanf(f, "%63s", name) == 1) {
		struct fcv_image img;
		struct face_result r;
		float ref[512];
		int idx = 0;
		double cos;

		for (int k = 0; k < 512; k++)
			ck_assert_int_eq(fscanf(f, "%f", &ref[k]), 1);
		ck_assert_int_eq(sscanf(name, "sample%d.jpg", &idx), 1);
		ck_assert(idx >= 1 && idx <= NSAMPLES);
		load_sample(idx - 1, &img);
		ck_assert_eg(face_analyse(ctx, &img, &fo, &r), EG_OK);
		ck_assert_uint_eq(r.emb_len, 512);
		cos = face_cosine(r.emb, ref, 512);
		ck_assert_msg(cos > 0.999, "%s: cosine to the reference %.6f", name, cos);
		face_result_wipe(&r);
		fcv_image_free(&img);
		lines++;
	}
	fclose(f);
	ck_assert_int_eq(lines, 3);
	face_ctx_free(&ctx);
}
END_TEST

/* ---- DG2-like variants verify against the original --------------------------- */

/* Encode img as ext at the best quality that fits in max_bytes. */
static void
encode_fit(const struct fcv_image *img, const char *ext, size_t max_bytes, uint8_t **out,
    size_t *len)
{
	int q = strcmp(ext, ".jpg") == 0 ? 95 : 200;

	for (; q > 0; q -= strcmp(ext, ".jpg") == 0 ? 5 : 4) {
		ck_assert_eg(fcv_image_encode(img, ext, q, out, len), EG_OK);
		if (*len <= max_bytes)
			return;
		eg_secret_free(out, *len);
	}
	ck_abort_msg("cannot fit %s in %zu bytes", ext, max_bytes);
}

/* The J2K codestream inside a JP2 file (the 'jp2c' box). */
static void
jp2_codestream(const uint8_t *p, size_t len, const uint8_t **cs, size_t *cs_len)
{
	struct eg_rbuf b = eg_rbuf_init(p, len);

	while (eg_rbuf_left(&b) >= 8) {
		uint32_t lbox, tbox;

		ck_assert_eg(eg_rbuf_be32(&b, &lbox), EG_OK);
		ck_assert_eg(eg_rbuf_be32(&b, &tbox), EG_OK);
		if (tbox == 0x6A703263u) {
			*cs = b.p;
			*cs_len = lbox == 0 ? eg_rbuf_left(&b) : lbox - 8;
			return;
		}
		ck_assert(lbox >= 8);
		ck_assert_eg(eg_rbuf_skip(&b, lbox - 8), EG_OK);
	}
	ck_abort_msg("no jp2c box");
}

static double
dg2_score(struct face_ctx *ctx, const uint8_t *img, size_t len, int w, int h,
    const struct face_result *ref, enum face_img_fmt want_fmt)
{
	struct eg_wbuf dg2;
	struct face_dg2 d;
	struct fcv_image dec;
	struct face_result r;
	struct face_opts fo = { .quality = false };
	double cos;

	eg_wbuf_init(&dg2, 1u << 24, true);
	ck_assert_eg(face_dg2_build(img, len, (uint16_t)w, (uint16_t)h, &dg2), EG_OK);
	ck_assert_eg(face_dg2_parse(dg2.data, dg2.len, &d), EG_OK);
	ck_assert_int_eq(d.fmt, want_fmt);
	ck_assert_uint_eq(d.image_len, len);
	ck_assert_mem_eq(d.image, img, len);
	ck_assert_uint_eq(d.width, w);
	ck_assert_uint_eq(d.n_faces, 1);
	ck_assert_eg(face_img_decode(d.image, d.image_len, FACE_MAX_DIM, &dec), EG_OK);
	ck_assert_int_eq(dec.width, w);
	ck_assert_int_eq(dec.height, h);
	ck_assert_eg(face_analyse(ctx, &dec, &fo, &r), EG_OK);
	cos = face_cosine(r.emb, ref->emb, r.emb_len);
	face_result_wipe(&r);
	fcv_image_free(&dec);
	eg_wbuf_free(&dg2);
	return cos;
}

START_TEST(test_dg2_variants_verify)
{
	struct face_ctx *ctx = ctx_load();
	struct face_opts fo = { .quality = false };
	double thr = face_ctx_profile(ctx)->match_threshold, worst = 1.0, impostor = -1.0;
	static struct face_result chosen[NSAMPLES];

	for (int i = 0; i < NSAMPLES; i++) {
		struct fcv_image img, portrait;
		struct face_result live;
		struct fcv_rect r;
		uint8_t *jpg = NULL, *jp2 = NULL;
		size_t jpg_len = 0, jp2_len = 0, cs_len = 0;
		const uint8_t *cs = NULL;
		double s_jpg, s_jp2, s_j2k, bw, bh, cx, cy;

		load_sample(i, &img);
		ck_assert_eg(face_analyse(ctx, &img, &fo, &live), EG_OK);
		/* a passport-like portrait, 3:4, 300x400: the face about half the
		 * width, centred a little above the middle */
		bh = live.box.y2 - live.box.y1;
		bw = bh * 2.0;
		cx = (live.box.x1 + live.box.x2) / 2;
		cy = (live.box.y1 + live.box.y2) / 2;
		r = (struct fcv_rect){ cx - bw / 2, cy - bw * 4.0 / 3.0 * 0.45, bw, bw * 4.0 / 3.0 };
		ck_assert_eg(fcv_image_crop(&img, &r, 300, 400, &portrait), EG_OK);

		encode_fit(&portrait, ".jpg", 15000, &jpg, &jpg_len);
		encode_fit(&portrait, ".jp2", 15000, &jp2, &jp2_len);
		jp2_codestream(jp2, jp2_len, &cs, &cs_len);
		ck_assert(cs_len > 100 && cs[0] == 0xFF && cs[1] == 0x4F);

		s_jpg = dg2_score(ctx, jpg, jpg_len, 300, 400, &live, FACE_IMG_JPEG);
		s_jp2 = dg2_score(ctx, jp2, jp2_len, 300, 400, &live, FACE_IMG_JP2);
		s_j2k = dg2_score(ctx, cs, cs_len, 300, 400, &live, FACE_IMG_J2K);
		fprintf(stderr, "sample%d: DG2 JPEG %zu B %.3f, JP2 %zu B %.3f, J2K %zu B %.3f\n",
		    i + 1, jpg_len, s_jpg, jp2_len, s_jp2, cs_len, s_j2k);
		ck_assert_msg(s_jpg >= thr && s_jp2 >= thr && s_j2k >= thr,
		    "sample%d: DG2 variants below the threshold %.2f", i + 1, thr);
		worst = fmin(worst, fmin(s_jpg, fmin(s_jp2, s_j2k)));
		chosen[i] = live;
		face_result_wipe(&live);
		eg_secret_free(&jpg, jpg_len);
		eg_secret_free(&jp2, jp2_len);
		fcv_image_free(&portrait);
		fcv_image_free(&img);
	}
	/* the chosen faces of different photos are different people */
	for (int i = 0; i < NSAMPLES; i++)
		for (int k = i + 1; k < NSAMPLES; k++)
			impostor = fmax(impostor, face_cosine(chosen[i].emb, chosen[k].emb, 512));
	fprintf(stderr, "DG2 variants: worst genuine %.3f; worst impostor (chosen faces of "
	    "different photos) %.3f; threshold %.2f\n", worst, impostor, thr);
	ck_assert_msg(impostor < thr, "impostor pair scored %.3f", impostor);
	for (int i = 0; i < NSAMPLES; i++)
		face_result_wipe(&chosen[i]);
	face_ctx_free(&ctx);
}
END_TEST

/* ---- bad input gives clear errors ------------------------------------------------ */

START_TEST(test_bad_images)
{
	struct fcv_image img;
	uint8_t *jpg, *jp2;
	size_t len, jp2_len, cs_len;
	const uint8_t *cs;
	struct fcv_image small;
	/* a JPEG whose frame header claims 60000 x 60000 pixels */
	static const uint8_t huge_jpeg[] = {
		0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x03,
		0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xD9,
	};
	/* a PNG whose IHDR claims 100000 x 100000 pixels */
	static const uint8_t huge_png[] = {
		0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0, 8, 2, 0, 0, 0, 0, 0, 0, 0,
	};
	char path[1024];
	uint8_t *full;
	size_t full_len;

	ck_assert_eg(face_img_decode(NULL, 0, FACE_MAX_DIM, &img), EG_ERR_FORMAT);
	ck_assert_eg(face_img_decode((const uint8_t *)"", 0, FACE_MAX_DIM, &img), EG_ERR_FORMAT);
	ck_assert_eg(face_img_decode((const uint8_t *)"GIF89a....", 10, FACE_MAX_DIM, &img),
	    EG_ERR_FORMAT);
	ck_assert_eg(face_img_decode(huge_jpeg, sizeof(huge_jpeg), FACE_MAX_DIM, &img),
	    EG_ERR_OVERFLOW);
	ck_assert_eg(face_img_decode(huge_png, sizeof(huge_png), FACE_MAX_DIM, &img),
	    EG_ERR_OVERFLOW);
	ck_assert_ptr_null(img.data);

	/* truncated JPEG: libjpeg would pad it grey; we refuse it */
	snprintf(path, sizeof(path), "%s/sample1.jpg", testdata_dir());
	full = slurp(path, &full_len);
	ck_assert_eg(face_img_decode(full, full_len / 2, FACE_MAX_DIM, &img), EG_ERR_TRUNCATED);
	ck_assert_eg(face_img_decode(full, 100, FACE_MAX_DIM, &img), EG_ERR_TRUNCATED);
	ck_assert_eg(face_img_decode(full, full_len, FACE_MAX_DIM, &img), EG_OK);
	/* the dimension limit */
	fcv_image_free(&img);
	ck_assert_eg(face_img_decode(full, full_len, 1000, &img), EG_ERR_OVERFLOW);

	/* truncated JPEG 2000, as a JP2 file and as a raw codestream */
	ck_assert_eg(face_img_decode(full, full_len, FACE_MAX_DIM, &img), EG_OK);
	ck_assert_eg(fcv_image_crop(&img, &(struct fcv_rect){ 300, 200, 400, 500 }, 300, 400,
	    &small), EG_OK);
	ck_assert_eg(fcv_image_encode(&small, ".jp2", 50, &jp2, &jp2_len), EG_OK);
	jp2_codestream(jp2, jp2_len, &cs, &cs_len);
	fcv_image_free(&img);
	ck_assert_eg(face_img_decode(jp2, jp2_len, FACE_MAX_DIM, &img), EG_OK);
	fcv_image_free(&img);
	ck_assert_eg(face_img_decode(cs, cs_len, FACE_MAX_DIM, &img), EG_OK);
	fcv_image_free(&img);
	ck_assert_eg(face_img_decode(jp2, 30, FACE_MAX_DIM, &img), EG_ERR_TRUNCATED);
	len = cs_len / 2;
	{
		int r = face_img_decode(cs, len, FACE_MAX_DIM, &img);
		ck_assert_msg(r == EG_ERR_IMAGE || r == EG_ERR_TRUNCATED,
		    "truncated J2K: %s", eg_err_name(r));
	}
	{
		int r = face_img_decode(jp2, jp2_len / 2, FACE_MAX_DIM, &img);
		ck_assert_msg(r == EG_ERR_IMAGE || r == EG_ERR_TRUNCATED,
		    "truncated JP2: %s", eg_err_name(r));
	}
	ck_assert_ptr_null(img.data);

	/* a JPEG of the crop goes through; the same bytes with a broken SOI do not */
	ck_assert_eg(fcv_image_encode(&small, ".jpg", 80, &jpg, &len), EG_OK);
	ck_assert_eg(face_img_decode(jpg, len, FACE_MAX_DIM, &img), EG_OK);
	fcv_image_free(&img);
	jpg[1] = 0xD9;
	ck_assert_eg(face_img_decode(jpg, len, FACE_MAX_DIM, &img), EG_ERR_FORMAT);
	eg_secret_free(&jpg, len);
	eg_secret_free(&jp2, jp2_len);
	fcv_image_free(&small);
	free(full);
}
END_TEST

/* ---- DG2 container ---------------------------------------------------------------- */

START_TEST(test_dg2_parse_errors)
{
	/* a minimal JPEG-looking payload is enough for the container */
	static const uint8_t payload[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0xD9 };
	struct eg_wbuf w;
	struct face_dg2 d;
	uint8_t *p;
	size_t fac;

	eg_wbuf_init(&w, 1u << 20, false);
	ck_assert_eg(face_dg2_build(payload, sizeof(payload), 640, 480, &w), EG_OK);
	ck_assert_eg(face_dg2_parse(w.data, w.len, &d), EG_OK);
	ck_assert_uint_eq(d.n_instances, 1);
	ck_assert_uint_eq(d.n_faces, 1);
	ck_assert_uint_eq(d.width, 640);
	ck_assert_uint_eq(d.height, 480);
	ck_assert_uint_eq(d.image_data_type, 0);
	ck_assert_uint_eq(d.record_len, 14 + 20 + 12 + sizeof(payload));
	ck_assert_uint_eq(d.image_len, sizeof(payload));
	ck_assert_int_eq(d.fmt, FACE_IMG_JPEG);
	p = w.data;
	fac = (size_t)(d.image - p) - 14 - 20 - 12;	/* offset of "FAC\0" */
	ck_assert_mem_eq(p + fac, "FAC\0", 4);

	/* every proper prefix is refused */
	for (size_t n = 0; n < w.len; n++)
		ck_assert_msg(face_dg2_parse(p, n, &d) != EG_OK, "prefix %zu accepted", n);
	/* wrong outer tag */
	p[0] = 0x76;
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_ERR_FORMAT);
	p[0] = 0x75;
	/* wrong record magic */
	p[fac + 2] = 'X';
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_ERR_FORMAT);
	p[fac + 2] = 'C';
	/* another record version */
	p[fac + 5] = '3';
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_ERR_UNSUPPORTED);
	p[fac + 5] = '1';
	/* record length larger than the data block */
	p[fac + 11] += 1;
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_ERR_TRUNCATED);
	p[fac + 11] -= 1;
	/* no faces */
	p[fac + 13] = 0;
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_ERR_FORMAT);
	p[fac + 13] = 1;
	/* a feature point count that leaves no room for the image header */
	p[fac + 19] = 200;
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_ERR_FORMAT);
	p[fac + 19] = 0;
	/* image that is neither JPEG nor JPEG 2000 */
	p[w.len - sizeof(payload)] = 0x00;
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_ERR_FORMAT);
	p[w.len - sizeof(payload)] = 0xFF;
	ck_assert_eg(face_dg2_parse(p, w.len, &d), EG_OK);
	eg_wbuf_free(&w);
}
END_TEST

/* The valid seeds of the dg2 fuzz corpus (a 40x48 picture as JPEG, JP2 and
 * raw J2K) parse and decode; the others are refused. */
START_TEST(test_dg2_corpus_seeds)
{
	static const struct {
		const char *name;
		int want;
		enum face_img_fmt fmt;
	} seeds[] = {
		{ "valid_jpeg", EG_OK, FACE_IMG_JPEG },
		{ "valid_jp2", EG_OK, FACE_IMG_JP2 },
		{ "valid_j2k", EG_OK, FACE_IMG_J2K },
		{ "valid_jpeg_feature_points", EG_OK, FACE_IMG_JPEG },
		{ "valid_jpeg_7f2e", EG_OK, FACE_IMG_JPEG },
		{ "bad_magic", EG_ERR_FORMAT, 0 },
		{ "bad_version_030", EG_ERR_UNSUPPORTED, 0 },
		{ "bad_image_signature", EG_ERR_FORMAT, 0 },
		{ "truncated_half", EG_ERR_TRUNCATED, 0 },
		{ "truncated_header", EG_ERR_TRUNCATED, 0 },
		{ "too_many_feature_points", EG_ERR_FORMAT, 0 },
	};
	char path[1024];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct face_dg2 d;
		struct fcv_image img;
		size_t len;
		uint8_t *p;

		snprintf(path, sizeof(path), "%s/corpus/dg2/%s", FACE_FUZZ_DIR, seeds[i].name);
		p = slurp(path, &len);
		ck_assert_msg(face_dg2_parse(p, len, &d) == seeds[i].want, "%s: %s", seeds[i].name,
		    eg_err_name(face_dg2_parse(p, len, &d)));
		if (seeds[i].want == EG_OK) {
			ck_assert_int_eq(d.fmt, seeds[i].fmt);
			ck_assert_uint_eq(d.width, 40);
			ck_assert_eg(face_img_decode(d.image, d.image_len, FACE_MAX_DIM, &img), EG_OK);
			ck_assert_int_eq(img.width, 40);
			ck_assert_int_eq(img.height, 48);
			fcv_image_free(&img);
		}
		free(p);
	}
	/* a J2K codestream with a 7x horizontally subsampled component: OpenCV
	 * throws (found by the fuzzer); the wrapper turns it into an error */
	{
		struct face_dg2 d;
		struct fcv_image img;
		size_t len;
		uint8_t *p;

		snprintf(path, sizeof(path), "%s/corpus/dg2/j2k_subsampled_component", FACE_FUZZ_DIR);
		p = slurp(path, &len);
		ck_assert_eg(face_dg2_parse(p, len, &d), EG_OK);
		ck_assert_eg(face_img_decode(d.image, d.image_len, FACE_MAX_DIM, &img), EG_ERR_IMAGE);
		ck_assert_ptr_null(img.data);
		free(p);
	}
	/* a well-formed DG2 around a JPEG header claiming 60000 x 60000 */
	{
		struct face_dg2 d;
		struct fcv_image img;
		size_t len;
		uint8_t *p;

		snprintf(path, sizeof(path), "%s/corpus/dg2/huge_jpeg_dimensions", FACE_FUZZ_DIR);
		p = slurp(path, &len);
		ck_assert_eg(face_dg2_parse(p, len, &d), EG_OK);
		ck_assert_eg(face_img_decode(d.image, d.image_len, FACE_MAX_DIM, &img), EG_ERR_OVERFLOW);
		free(p);
	}
}
END_TEST

/* ---- the whole pipeline: quality, PAD, tailgating ----------------------------------- */

START_TEST(test_analyse_quality_pad)
{
	struct face_ctx *ctx = ctx_load();
	struct face_opts fo = { .quality = true, .pad = &face_pad_minifas };
	struct fcv_image img, tiny;
	struct face_result r;

	fo.pad_self = ctx;
	load_sample(0, &img);
	ck_assert_eg(face_analyse(ctx, &img, &fo, &r), EG_OK);
	ck_assert(r.tailgating);	/* three people in the frame */
	ck_assert_int_eq(r.faces_in_zone, 3);
	ck_assert(r.has_quality);
	ck_assert(r.has_pad);
	ck_assert_str_eq(r.quality.m[FACE_Q_YAW].name, "yaw");
	for (int i = 0; i < FACE_Q_COUNT; i++)
		ck_assert(isfinite(r.quality.m[i].value));
	ck_assert(fabs(r.quality.m[FACE_Q_YAW].value) <= 99);
	ck_assert(r.pad.live_score >= 0 && r.pad.live_score <= 1);
	ck_assert(r.ms[FACE_T_DETECT] > 0 && r.ms[FACE_T_EMBED] > 0);
	face_result_wipe(&r);

	/* the same frame shrunk to 1/8: faces below min_face_px → retake */
	ck_assert_eg(fcv_image_crop(&img, &(struct fcv_rect){ 0, 0, img.width, img.height },
	    img.width / 8, img.height / 8, &tiny), EG_OK);
	{
		int ret = face_analyse(ctx, &tiny, &fo, &r);
		if (ret == EG_OK) {
			ck_assert(!r.quality.m[FACE_Q_SIZE].pass);
			ck_assert(r.quality.retake);
			ck_assert(!r.tailgating);	/* the small faces do not count */
		} else {
			ck_assert_eg(ret, EG_ERR_NO_FACE);
		}
	}
	face_result_wipe(&r);
	fcv_image_free(&tiny);

	/* a black frame has no face */
	ck_assert_eg(fcv_image_alloc(640, 480, &tiny), EG_OK);
	ck_assert_eg(face_analyse(ctx, &tiny, &fo, &r), EG_ERR_NO_FACE);
	ck_assert_uint_eq(r.nfaces, 0);
	fcv_image_free(&tiny);
	fcv_image_free(&img);
	face_ctx_free(&ctx);
}
END_TEST

/* The quality gate reacts to what it measures: a frontal, open-eyed face
 * (the one chosen in sample5.jpg) passes; rotated, its roll follows;
 * darkened it fails on brightness, blurred on sharpness. */
static void
portrait_of(struct face_ctx *ctx, int sample, struct fcv_image *out)
{
	struct face_opts fo = { .quality = false };
	struct fcv_image img;
	struct face_result r;
	double bh, cx, cy, w;

	load_sample(sample, &img);
	ck_assert_eg(face_analyse(ctx, &img, &fo, &r), EG_OK);
	bh = r.box.y2 - r.box.y1;
	cx = (r.box.x1 + r.box.x2) / 2;
	cy = (r.box.y1 + r.box.y2) / 2;
	w = bh * 2.2;
	ck_assert_eg(fcv_image_crop(&img, &(struct fcv_rect){ cx - w / 2, cy - w * 0.6, w, w * 4 / 3 },
	    600, 800, out), EG_OK);
	face_result_wipe(&r);
	fcv_image_free(&img);
}

static struct face_quality
quality_of(struct face_ctx *ctx, const struct fcv_image *img)
{
	struct face_opts fo = { .quality = true };
	struct face_result r;
	struct face_quality q;

	ck_assert_eg(face_analyse(ctx, img, &fo, &r), EG_OK);
	ck_assert(r.has_quality);
	fprintf(stderr, "quality: roll %.1f brightness %.1f sharpness %.1f\n",
	    r.quality.m[FACE_Q_ROLL].value, r.quality.m[FACE_Q_BRIGHTNESS].value,
	    r.quality.m[FACE_Q_SHARPNESS].value);
	q = r.quality;
	face_result_wipe(&r);
	return q;
}

START_TEST(test_quality_responds)
{
	struct face_ctx *ctx = ctx_load();
	struct fcv_image p, x;
	struct face_quality base, q;
	double m[6];

	portrait_of(ctx, 4, &p);
	base = quality_of(ctx, &p);
	for (int i = 0; i < FACE_Q_COUNT; i++)
		ck_assert_msg(base.m[i].pass, "%s %.3f fails on the frontal face", base.m[i].name,
		    base.m[i].value);
	ck_assert(!base.retake);

	/* rotated in the image plane by +-30 degrees about the centre: the
	 * roll estimate follows (this pose net under-estimates roll, about
	 * 0.6 x the true angle, and the detector loses faces beyond ~35 deg) */
	for (int sgn = -1; sgn <= 1; sgn += 2) {
		double a = sgn * 30.0 * M_PI / 180.0;

		m[0] = cos(a);
		m[1] = sin(a);
		m[3] = -sin(a);
		m[4] = cos(a);
		m[2] = 300 - m[0] * 300 - m[1] * 400;
		m[5] = 400 - m[3] * 300 - m[4] * 400;
		ck_assert_eg(fcv_warp_affine(&p, m, 600, 800, &x), EG_OK);
		q = quality_of(ctx, &x);
		fprintf(stderr, "roll: frontal %.1f, rotated %+d deg %.1f\n",
		    base.m[FACE_Q_ROLL].value, sgn * 30, q.m[FACE_Q_ROLL].value);
		if (sgn > 0)
			ck_assert(q.m[FACE_Q_ROLL].value < base.m[FACE_Q_ROLL].value - 10);
		else
			ck_assert(q.m[FACE_Q_ROLL].value > base.m[FACE_Q_ROLL].value + 10);
		fcv_image_free(&x);
	}

	/* darkened to a fifth */
	ck_assert_eg(fcv_image_crop(&p, &(struct fcv_rect){ 0, 0, 600, 800 }, 600, 800, &x), EG_OK);
	for (int y = 0; y < x.height; y++)
		for (size_t k = 0; k < (size_t)x.width * 3; k++)
			x.data[(size_t)y * x.stride + k] /= 5;
	q = quality_of(ctx, &x);
	fprintf(stderr, "brightness: %.1f, darkened %.1f\n", base.m[FACE_Q_BRIGHTNESS].value,
	    q.m[FACE_Q_BRIGHTNESS].value);
	ck_assert(!q.m[FACE_Q_BRIGHTNESS].pass);
	ck_assert(q.retake);
	fcv_image_free(&x);

	/* blurred: down to 1/10 and back up */
	{
		struct fcv_image small;

		ck_assert_eg(fcv_image_crop(&p, &(struct fcv_rect){ 0, 0, 600, 800 }, 60, 80, &small),
		    EG_OK);
		ck_assert_eg(fcv_image_crop(&small, &(struct fcv_rect){ 0, 0, 60, 80 }, 600, 800, &x),
		    EG_OK);
		fcv_image_free(&small);
	}
	q = quality_of(ctx, &x);
	fprintf(stderr, "sharpness: %.1f, blurred %.1f\n", base.m[FACE_Q_SHARPNESS].value,
	    q.m[FACE_Q_SHARPNESS].value);
	ck_assert(!q.m[FACE_Q_SHARPNESS].pass);
	ck_assert(q.retake);
	fcv_image_free(&x);
	fcv_image_free(&p);
	face_ctx_free(&ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("face");
	TCase *pure = tcase_create("pure");
	TCase *models = tcase_create("models");

	tcase_add_test(pure, test_similarity_fit_exact);
	tcase_add_test(pure, test_nms_iou);
	tcase_add_test(pure, test_choose_zone);
	tcase_add_test(pure, test_cosine);
	tcase_add_test(pure, test_profile_loads);
	tcase_add_test(pure, test_dg2_parse_errors);
	tcase_add_test(pure, test_dg2_corpus_seeds);
	suite_add_tcase(s, pure);

	tcase_set_timeout(models, 300);
	tcase_add_unchecked_fixture(models, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(models, test_model_hash_mismatch_refused);
	tcase_add_test(models, test_detect_all_faces);
	tcase_add_test(models, test_reference_embeddings);
	tcase_add_test(models, test_dg2_variants_verify);
	tcase_add_test(models, test_bad_images);
	tcase_add_test(models, test_analyse_quality_pad);
	tcase_add_test(models, test_quality_responds);
	suite_add_tcase(s, models);
	return s;
}

EG_CHECK_MAIN()
