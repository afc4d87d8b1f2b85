/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_face_gallery — 1:N enrolment and search with the real models: the 22
 * faces of the six test photos enrolled by position, each searched with its
 * passport-like (DG2) JPEG and JPEG 2000 re-encode; faces left out are not
 * found; the label sidecar's parser and writer.
 *
 * Needs scripts/install-deps (models and test images); without them the
 * model tests FAIL and say so.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/match.h"
#include "egate/secure.h"
#include "egate_build.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "face.h"
#include "face_gallery.h"

#define NSAMPLES 6
#define NFACES 22

static const unsigned sample_faces[NSAMPLES] = { 3, 3, 3, 4, 5, 4 };

/*
 * The person shown by each of the 22 faces (in position order). The photos
 * are not of 22 different people: sample1.jpg#3 and sample3.jpg#2 look like
 * the same young woman (compared by eye on the aligned crops; their cosine is
 * 0.61 where every other pair of faces from different photos is <= 0.39).
 * They are treated as one person: 21 identities.
 */
static const int person[NFACES] = {
	0, 1, 2,  3, 4, 5,  6, 2, 8,  9, 10, 11, 12,  13, 14, 15, 16, 17,  18, 19, 20, 21,
};

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

static void
load_sample(int i, struct fcv_image *img)
{
	char path[1024];
	FILE *f;
	uint8_t *p;
	long n;

	snprintf(path, sizeof(path), "%s/sample%d.jpg", FACE_TESTDATA, i + 1);
	if ((f = fopen(path, "rb")) == NULL)
		ck_abort_msg("%s is missing: run scripts/install-deps", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	p = malloc((size_t)n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	ck_assert_eg(face_img_decode(p, (size_t)n, FACE_MAX_DIM, img), EG_OK);
	free(p);
}

/* ---- labels (no models) ---------------------------------------------------- */

START_TEST(test_label_id)
{
	uint64_t a = face_label_id("sample1.jpg#1"), b = face_label_id("sample1.jpg#2");

	ck_assert(a != b);
	ck_assert(a == face_label_id("sample1.jpg#1"));
	ck_assert((a >> 63) == 0 && (b >> 63) == 0);
	/* SHA-256("abc") = ba7816bf8f01cfea...: first 8 bytes, top bit cleared */
	ck_assert(face_label_id("abc") == 0x3a7816bf8f01cfeaull);
}
END_TEST

START_TEST(test_labels_roundtrip)
{
	struct face_labels *l = NULL, *r = NULL;
	char path[300];
	int fd = eg_scratch_mkstemp(path, sizeof(path), "egate-labels");
	size_t line;

	close(fd);
	ck_assert_eg(face_labels_new(&l), EG_OK);
	ck_assert_eg(face_labels_add(l, 1, "Alice Example"), EG_OK);
	ck_assert_eg(face_labels_add(l, 0x7fffffffffffffffull, "sample1.jpg#2"), EG_OK);
	ck_assert_eg(face_labels_add(l, 1, "again"), EG_ERR_STATE);
	ck_assert_eg(face_labels_add(l, 2, ""), EG_ERR_INVAL);
	ck_assert_eg(face_labels_add(l, 2, "tab\there"), EG_ERR_INVAL);
	ck_assert_eg(face_labels_add(l, 2, "new\nline"), EG_ERR_INVAL);
	ck_assert_eg(face_labels_add(l, UINT64_MAX, "none"), EG_ERR_INVAL);
	ck_assert_uint_eq(face_labels_count(l), 2);
	ck_assert(face_labels_max_id(l) == 0x7fffffffffffffffull);
	ck_assert_eg(face_labels_save(l, path), EG_OK);
	ck_assert_eg(face_labels_load_file(path, &r, &line), EG_OK);
	ck_assert_uint_eq(face_labels_count(r), 2);
	ck_assert_str_eq(face_labels_find(r, 1), "Alice Example");
	ck_assert_str_eq(face_labels_find(r, 0x7fffffffffffffffull), "sample1.jpg#2");
	ck_assert_ptr_null(face_labels_find(r, 3));
	face_labels_free(&l);
	face_labels_free(&r);
	ck_assert_ptr_null(r);
	face_labels_free(&r);
	unlink(path);
	ck_assert_eg(face_labels_load_file(path, &r, &line), EG_ERR_NOT_FOUND);
}
END_TEST

static int
parse_str(const char *s, size_t *line)
{
	struct face_labels *l = NULL;
	int ret = face_labels_parse((const uint8_t *)s, strlen(s), &l, line);

	if (ret == EG_OK)
		ck_assert_ptr_nonnull(l);
	else
		ck_assert_ptr_null(l);
	face_labels_free(&l);
	return ret;
}

START_TEST(test_labels_parse_errors)
{
	size_t line;

	ck_assert_eg(parse_str("# egate face labels v1\n", &line), EG_OK);
	ck_assert_eg(parse_str("# egate face labels v1\n# comment\n0000000000000001\tA\n", &line),
	    EG_OK);
	ck_assert_eg(parse_str("", &line), EG_ERR_FORMAT);
	ck_assert_eg(parse_str("# egate face labels v2\n", &line), EG_ERR_FORMAT);
	ck_assert_eg(parse_str("# egate face labels v1\n0000000000000001\tA", &line),
	    EG_ERR_FORMAT);	/* no final newline */
	ck_assert_uint_eq(line, 2);
	ck_assert_eg(parse_str("# egate face labels v1\n0000000000000001\tA\n"
	    "0000000000000001\tB\n", &line), EG_ERR_FORMAT);	/* duplicate id */
	ck_assert_uint_eq(line, 3);
	ck_assert_eg(parse_str("# egate face labels v1\n000000000000001\tA\n", &line),
	    EG_ERR_FORMAT);	/* 15 digits */
	ck_assert_eg(parse_str("# egate face labels v1\n000000000000000G\tA\n", &line),
	    EG_ERR_FORMAT);
	ck_assert_eg(parse_str("# egate face labels v1\n0000000000000001 A\n", &line),
	    EG_ERR_FORMAT);
	ck_assert_eg(parse_str("# egate face labels v1\n0000000000000001\t\n", &line),
	    EG_ERR_FORMAT);	/* empty label */
	ck_assert_eg(parse_str("# egate face labels v1\nffffffffffffffff\tX\n", &line),
	    EG_ERR_FORMAT);	/* MATCH_ID_NONE */
	ck_assert_eg(parse_str("# egate face labels v1\n0000000000000001\ta\rb\n", &line),
	    EG_ERR_FORMAT);	/* control character */
	ck_assert_uint_eq(line, 2);
}
END_TEST

/* ---- 22 faces with the models ---------------------------------------------- */

/* Encode img as ext at the best quality that fits in max_bytes. */
static void
encode_fit(const struct fcv_image *img, const char *ext, size_t max_bytes, uint8_t **out,
    size_t *len)
{
	bool jpg = strcmp(ext, ".jpg") == 0;

	for (int q = jpg ? 95 : 200; q > 0; q -= jpg ? 5 : 4) {
		ck_assert_eg(fcv_image_encode(img, ext, q, out, len), EG_OK);
		if (*len <= max_bytes)
			return;
		eg_secret_free(out, *len);
	}
	ck_abort_msg("cannot fit %s in %zu bytes", ext, max_bytes);
}

struct face_set {
	float emb[NFACES][FACE_EMB_MAX];
	uint64_t id[NFACES];
	char label[NFACES][32];
	/* the DG2-like probes: [face][0] JPEG, [face][1] JPEG 2000 */
	float probe[NFACES][2][FACE_EMB_MAX];
	size_t dim;
};

/* Every face by position, its embedding, and the embeddings of its 300x400
 * passport-like portrait re-encoded as JPEG and JPEG 2000 of at most 15 KB,
 * decoded and analysed as a DG2 image would be. */
static void
face_set_build(struct face_ctx *ctx, struct face_set *fs)
{
	struct face_opts fo = { .quality = false };
	int f = 0;

	for (int s = 0; s < NSAMPLES; s++) {
		struct fcv_image img;

		load_sample(s, &img);
		for (unsigned k = 1; k <= sample_faces[s]; k++, f++) {
			static const char *const ext[2] = { ".jpg", ".jp2" };
			struct face_result r, p;
			struct fcv_image portrait;
			struct fcv_rect rc;
			double bh, bw, cx, cy;

			ck_assert_eg(face_analyse_nth(ctx, &img, k, &fo, &r), EG_OK);
			ck_assert_uint_eq(r.nfaces, sample_faces[s]);
			fs->dim = r.emb_len;
			memcpy(fs->emb[f], r.emb, r.emb_len * sizeof(float));
			snprintf(fs->label[f], sizeof(fs->label[f]), "sample%d.jpg#%u", s + 1, k);
			fs->id[f] = face_label_id(fs->label[f]);
			bh = r.box.y2 - r.box.y1;
			bw = bh * 2.0;
			cx = (r.box.x1 + r.box.x2) / 2;
			cy = (r.box.y1 + r.box.y2) / 2;
			rc = (struct fcv_rect){ cx - bw / 2, cy - bw * 4.0 / 3.0 * 0.45, bw,
				bw * 4.0 / 3.0 };
			ck_assert_eg(fcv_image_crop(&img, &rc, 300, 400, &portrait), EG_OK);
			for (int e = 0; e < 2; e++) {
				struct fcv_image dec;
				uint8_t *bytes = NULL;
				size_t len = 0;

				encode_fit(&portrait, ext[e], 15000, &bytes, &len);
				ck_assert_eg(face_img_decode(bytes, len, FACE_MAX_DIM, &dec), EG_OK);
				ck_assert_eg(face_analyse(ctx, &dec, &fo, &p), EG_OK);
				memcpy(fs->probe[f][e], p.emb, p.emb_len * sizeof(float));
				face_result_wipe(&p);
				fcv_image_free(&dec);
				eg_secret_free(&bytes, len);
			}
			fcv_image_free(&portrait);
			face_result_wipe(&r);
		}
		fcv_image_free(&img);
	}
	ck_assert_int_eq(f, NFACES);
}

static void
search_all(struct face_ctx *ctx, struct face_set *fs, enum match_format fmt)
{
	struct match_params mp = { .dim = (uint32_t)fs->dim, .format = fmt, .max_nq = 1,
		.max_k = 4, .rescore = fmt == MATCH_I8 ? MATCH_RESCORE_F16 : MATCH_RESCORE_NONE };
	struct match_gallery *g = NULL, *g2 = NULL;
	double thr = face_ctx_profile(ctx)->match_threshold, worst = 1, second = -1;
	char path[300];
	int fd = eg_scratch_mkstemp(path, sizeof(path), "egate-gallery");

	close(fd);
	ck_assert_eg(match_gallery_new(&mp, &g), EG_OK);
	for (int f = 0; f < NFACES; f++)
		ck_assert_eg(match_gallery_add(g, fs->emb[f], &fs->id[f], 1), EG_OK);
	/* through a file, as the CLI does */
	ck_assert_eg(match_gallery_save(g, path), EG_OK);
	ck_assert_eg(match_gallery_load_file(path, &mp, &g2), EG_OK);
	unlink(path);
	ck_assert_uint_eq(match_gallery_size(g2), NFACES);
	for (int f = 0; f < NFACES; f++)
		for (int e = 0; e < 2; e++) {
			struct match_hit h[4];

			ck_assert_eg(match_gallery_search(g2, fs->probe[f][e], 1, 4, h), EG_OK);
			ck_assert_msg(h[0].id == fs->id[f], "%s (%s): top-1 is another face",
			    fs->label[f], e ? "JPEG 2000" : "JPEG");
			ck_assert_msg(h[0].score >= thr, "%s (%s): score %.3f below %.2f",
			    fs->label[f], e ? "JPEG 2000" : "JPEG", h[0].score, thr);
			worst = fmin(worst, h[0].score);
			second = fmax(second, h[1].score);
		}
	fprintf(stderr, "1:N %s, 22 faces, DG2-like JPEG/JP2 probes: worst top-1 %.3f, "
	    "best second %.3f, threshold %.2f\n", mp.format == MATCH_I8 ? "i8" :
	    mp.format == MATCH_F16 ? "f16" : "f32", worst, second, thr);
	match_gallery_free(&g);
	match_gallery_free(&g2);
}

START_TEST(test_enrol_22_search_dg2)
{
	struct face_ctx *ctx = ctx_load();
	struct face_set *fs = calloc(1, sizeof(*fs));
	double thr = face_ctx_profile(ctx)->match_threshold, worst = -1;

	ck_assert_ptr_nonnull(fs);
	face_set_build(ctx, fs);
	search_all(ctx, fs, MATCH_F32);
	search_all(ctx, fs, MATCH_F16);
	search_all(ctx, fs, MATCH_I8);

	/* a person not enrolled: leave each out in turn (both faces of the one
	 * person seen twice); the probes find no hit */
	for (int out = 0; out < NFACES; out++) {
		struct match_params mp = { .dim = (uint32_t)fs->dim, .format = MATCH_F32,
			.max_nq = 1, .max_k = 1 };
		struct match_gallery *g = NULL;

		ck_assert_eg(match_gallery_new(&mp, &g), EG_OK);
		for (int f = 0; f < NFACES; f++)
			if (person[f] != person[out])
				ck_assert_eg(match_gallery_add(g, fs->emb[f], &fs->id[f], 1), EG_OK);
		for (int e = 0; e < 2; e++) {
			struct match_hit h;

			ck_assert_eg(match_gallery_search(g, fs->probe[out][e], 1, 1, &h), EG_OK);
			ck_assert(h.id != fs->id[out]);
			ck_assert_msg(h.score < thr, "%s left out: hit on another face at %.3f",
			    fs->label[out], h.score);
			worst = fmax(worst, h.score);
		}
		match_gallery_free(&g);
	}
	fprintf(stderr, "1:N leave-one-out: best impostor top-1 %.3f (threshold %.2f)\n", worst,
	    thr);
	eg_memzero(fs, sizeof(*fs));
	free(fs);
	face_ctx_free(&ctx);
}
END_TEST

START_TEST(test_nth_face_order)
{
	struct face_ctx *ctx = ctx_load();
	struct face_opts fo = { .quality = false };
	struct fcv_image img;
	struct face_result r;
	float prev = -1;

	load_sample(4, &img);	/* five faces */
	for (unsigned k = 1; k <= 5; k++) {
		float cx;

		ck_assert_eg(face_analyse_nth(ctx, &img, k, &fo, &r), EG_OK);
		cx = (r.box.x1 + r.box.x2) / 2;
		ck_assert_msg(cx > prev, "face %u is not to the right of face %u", k, k - 1);
		prev = cx;
		face_result_wipe(&r);
	}
	ck_assert_eg(face_analyse_nth(ctx, &img, 6, &fo, &r), EG_ERR_NO_FACE);
	ck_assert_uint_eq(r.nfaces, 5);
	face_result_wipe(&r);

	/* the stages on a given box give what the whole pipeline gave for it */
	{
		struct face_result a, b;
		struct face_box box;

		ck_assert_eg(face_analyse_nth(ctx, &img, 3, &fo, &a), EG_OK);
		box = a.box;
		ck_assert_eg(face_analyse_box(ctx, &img, &box, &fo, &b), EG_OK);
		ck_assert_uint_eq(b.nfaces, 0);
		ck_assert_uint_eq(b.emb_len, a.emb_len);
		ck_assert_double_eq_tol(face_cosine(a.emb, b.emb, a.emb_len), 1.0, 1e-5);
		ck_assert_eg(face_analyse_box(ctx, &img, NULL, &fo, &b), EG_ERR_INVAL);
		face_result_wipe(&a);
		face_result_wipe(&b);
	}
	fcv_image_free(&img);
	face_ctx_free(&ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("face-gallery");
	TCase *pure = tcase_create("labels");
	TCase *models = tcase_create("models");

	tcase_add_unchecked_fixture(pure, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(pure, test_label_id);
	tcase_add_test(pure, test_labels_roundtrip);
	tcase_add_test(pure, test_labels_parse_errors);
	suite_add_tcase(s, pure);
	tcase_set_timeout(models, 600);
	tcase_add_unchecked_fixture(models, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(models, test_nth_face_order);
	tcase_add_test(models, test_enrol_22_search_dg2);
	suite_add_tcase(s, models);
	return s;
}

EG_CHECK_MAIN()
