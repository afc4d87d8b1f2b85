/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_face — per-stage latency of the face pipeline on one 1920-px photo
 * (sample1.jpg), medians of N runs, each printed with its ratio to a
 * reference measured in the same run: decoding that JPEG with OpenCV.
 *
 *   meson test -C build --benchmark --suite face -v
 *   (or ./build/tests/face/bench-face [N])
 *
 * With --e2e: one whole 1:1 attempt pinned to one core — the passport's DG2
 * (a 300x400 JPEG of at most 15 KB made from the photo's face) parsed and
 * decoded, the live frame (the same 1920-px photo) decoded, both through
 * detect + landmarks + align + embed, and the cosine — as a ratio against
 * decoding the two images alone, measured in the same run.
 *   ./build/tests/face/bench-face [N] --e2e
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate_build.h"
#include "face.h"

#define MAXN 200

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The DG2 of a passport-like portrait of the chosen face in img: a 300x400
 * JPEG of at most 15 KB. */
static int
make_dg2(struct face_ctx *ctx, const struct fcv_image *img, struct eg_wbuf *dg2)
{
	struct face_opts fo = { .quality = false };
	struct face_result r;
	struct fcv_image portrait = { 0 };
	struct fcv_rect rc;
	uint8_t *jpg = NULL;
	size_t len = 0;
	double bw;
	int ret;

	if ((ret = face_analyse(ctx, img, &fo, &r)) != EG_OK)
		return ret;
	bw = (r.box.y2 - r.box.y1) * 2.0;
	rc = (struct fcv_rect){ (r.box.x1 + r.box.x2) / 2 - bw / 2,
		(r.box.y1 + r.box.y2) / 2 - bw * 4.0 / 3.0 * 0.45, bw, bw * 4.0 / 3.0 };
	face_result_wipe(&r);
	if ((ret = fcv_image_crop(img, &rc, 300, 400, &portrait)) != EG_OK)
		return ret;
	for (int q = 95; q > 0; q -= 5) {
		if ((ret = fcv_image_encode(&portrait, ".jpg", q, &jpg, &len)) != EG_OK)
			goto out;
		if (len <= 15000)
			break;
		eg_secret_free(&jpg, len);
	}
	ret = jpg == NULL ? EG_ERR_OVERFLOW : face_dg2_build(jpg, len, 300, 400, dg2);
out:
	if (jpg != NULL)
		eg_secret_free(&jpg, len);
	fcv_image_free(&portrait);
	return ret;
}

static int
e2e(struct face_ctx *ctx, const uint8_t *jpg, size_t len, int n)
{
	static double t_ref[MAXN], t_1to1[MAXN], t_gate[MAXN];
	struct eg_wbuf dg2;
	struct fcv_image live = { 0 };
	cpu_set_t one;
	int ret;

	eg_wbuf_init(&dg2, 1u << 20, true);
	if ((ret = face_img_decode(jpg, len, FACE_MAX_DIM, &live)) != EG_OK ||
	    (ret = make_dg2(ctx, &live, &dg2)) != EG_OK)
		goto out;
	fcv_image_free(&live);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		fprintf(stderr, "bench-face: cannot pin to one core; timings use all cores\n");
	for (int i = 0; i < n * 3; i++) {
		struct face_opts fo = { .quality = (i % 3) == 2 };
		struct face_result ra, rb;
		struct fcv_image a = { 0 }, b = { 0 };
		struct face_dg2 d;
		double t0 = now_ms(), cos;

		/* i % 3 == 0: decode only (the reference); 1: the 1:1 attempt;
		 * 2: the same with the quality gate on both images */
		if ((ret = face_dg2_parse(dg2.data, dg2.len, &d)) != EG_OK ||
		    (ret = face_img_decode(d.image, d.image_len, FACE_MAX_DIM, &a)) != EG_OK ||
		    (ret = face_img_decode(jpg, len, FACE_MAX_DIM, &b)) != EG_OK)
			goto out;
		if (i % 3 == 0) {
			t_ref[i / 3] = now_ms() - t0;
		} else {
			if ((ret = face_analyse(ctx, &a, &fo, &ra)) != EG_OK ||
			    (ret = face_analyse(ctx, &b, &fo, &rb)) != EG_OK)
				goto out;
			cos = face_cosine(ra.emb, rb.emb, ra.emb_len);
			(i % 3 == 1 ? t_1to1 : t_gate)[i / 3] = now_ms() - t0;
			if (cos < 0.45)
				fprintf(stderr, "bench-face: unexpected score %.3f\n", cos);
			face_result_wipe(&ra);
			face_result_wipe(&rb);
		}
		fcv_image_free(&a);
		fcv_image_free(&b);
	}
	{
		double ref = median(t_ref, n), m1 = median(t_1to1, n), m2 = median(t_gate, n);

		printf("1:1 end to end on one core: DG2 JPEG %zu B (300x400) vs live %zu B JPEG, "
		    "median of %d runs\n", dg2.len, len, n);
		printf("  %-38s %8.2f ms  %6.2fx\n", "decode both images (reference)", ref, 1.0);
		printf("  %-38s %8.2f ms  %6.2fx decode\n", "1:1 (decode+detect+lm+align+embed+cos)", m1,
		    m1 / ref);
		printf("  %-38s %8.2f ms  %6.2fx decode\n", "1:1 with the quality gate on both", m2,
		    m2 / ref);
	}
	ret = EG_OK;
out:
	fcv_image_free(&live);
	eg_wbuf_free(&dg2);
	return ret;
}

int
main(int argc, char **argv)
{
	static double t[8][MAXN];
	static const char *const names[8] = {
		"decode (reference)", "detect", "landmarks", "align", "embed", "pose", "eyes",
		"liveness",
	};
	struct face_ctx *ctx = NULL;
	struct fcv_image img = { 0 };
	struct face_box boxes[FACE_MAX_FACES];
	char err[512], path[1024];
	uint8_t *jpg = NULL;
	size_t len = 0, nb = 0;
	int n = argc > 1 ? atoi(argv[1]) : 15, ret = 1;
	bool want_e2e = argc > 2 && strcmp(argv[2], "--e2e") == 0;
	double t0, load_ms, ref;
	FILE *f;

	if (n < 1 || n > MAXN)
		n = 15;
	t0 = now_ms();
	if (face_ctx_new(FACE_PROFILE_SRC, EGATE_MODEL_DIR, &ctx, err, sizeof(err)) != EG_OK) {
		fprintf(stderr, "bench-face: %s (run scripts/install-deps)\n", err);
		return 1;
	}
	load_ms = now_ms() - t0;
	snprintf(path, sizeof(path), "%s/sample1.jpg", FACE_TESTDATA);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "bench-face: %s missing (run scripts/install-deps)\n", path);
		goto out;
	}
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	jpg = malloc(len);
	if (jpg == NULL || fread(jpg, 1, len, f) != len) {
		fclose(f);
		goto out;
	}
	fclose(f);
	if (want_e2e) {
		ret = e2e(ctx, jpg, len, n) == EG_OK ? 0 : 1;
		goto out;
	}

	for (int i = 0; i < n; i++) {
		struct face_points pts;
		struct fcv_image al;
		struct face_pad_result pad;
		float emb[FACE_EMB_MAX];
		double ypr[3], eyes[2];
		size_t elen;

		fcv_image_free(&img);
		t0 = now_ms();
		if (face_img_decode(jpg, len, FACE_MAX_DIM, &img) != EG_OK)
			goto out;
		t[0][i] = now_ms() - t0;
		t0 = now_ms();
		if (face_detect(ctx, &img, boxes, FACE_MAX_FACES, &nb) != EG_OK || nb == 0)
			goto out;
		t[1][i] = now_ms() - t0;
		t0 = now_ms();
		if (face_landmarks(ctx, &img, &boxes[0], &pts) != EG_OK)
			goto out;
		t[2][i] = now_ms() - t0;
		t0 = now_ms();
		if (face_align(&img, &pts, &al) != EG_OK)
			goto out;
		t[3][i] = now_ms() - t0;
		t0 = now_ms();
		ret = face_embed(ctx, &al, emb, FACE_EMB_MAX, &elen);
		t[4][i] = now_ms() - t0;
		fcv_image_free(&al);
		if (ret != EG_OK)
			goto out;
		t0 = now_ms();
		if (face_pose(ctx, &img, &boxes[0], ypr) != EG_OK)
			goto out;
		t[5][i] = now_ms() - t0;
		t0 = now_ms();
		if (face_eyes_open(ctx, &img, &pts, eyes) != EG_OK)
			goto out;
		t[6][i] = now_ms() - t0;
		t0 = now_ms();
		if (face_pad_minifas.check(ctx, &img, &boxes[0], &pad) != EG_OK)
			goto out;
		t[7][i] = now_ms() - t0;
		ret = 1;
	}
	printf("face pipeline, %dx%d JPEG, %zu faces, median of %d runs (models loaded in %.1f ms)\n",
	    img.width, img.height, nb, n, load_ms);
	ref = median(t[0], n);
	for (int s = 0; s < 8; s++) {
		double m = median(t[s], n);
		printf("  %-20s %8.2f ms  %6.2fx decode\n", names[s], m, m / ref);
	}
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "bench-face: a stage failed\n");
	fcv_image_free(&img);
	free(jpg);
	face_ctx_free(&ctx);
	return ret;
}
