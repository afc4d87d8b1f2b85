/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_face — per-stage latency of the face pipeline on one 1920-px photo
 * (sample1.jpg), medians of N runs, each printed with its ratio to a
 * reference measured in the same run: decoding that JPEG with OpenCV.
 *
 *   meson test -C build --benchmark --suite face -v
 *   (or ./build/tests/face/bench-face [N])
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
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
