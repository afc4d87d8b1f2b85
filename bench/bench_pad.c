/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-pad — the time presentation-attack detection adds to a passage, on
 * one core, as a ratio to the face embedding (fr_feature on the aligned
 * 112x112 face) measured in the same run, interleaved round by round.
 *
 * The presentation: 8 synthetic 480x600 frames (tests/face/pad_synth.c) of
 * the first face of sample1.jpg, bona fide and print attack in turn. PAD is
 * timed from the decoded frames and the key frame's face analysis (box and
 * landmarks), which the passage has anyway: decoding, detection, landmarks
 * and the embedding are not part of it. Every cue is on (the blink cue runs
 * fr_eye on 3 of the frames, the motion cues follow 11 patches in 6).
 *
 *   ./build-rel/bench/bench-pad [ROUNDS]       meson test --benchmark --suite face
 *
 * The process is pinned to one CPU and OpenCV runs without worker threads,
 * for the embedding and PAD alike. Prints medians, the 10th and 90th percentiles, the ratio of the medians
 * and the median of the per-round ratios, with the CPU and kernel.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "egate/error.h"
#include "egate_build.h"
#include "face.h"
#include "face_gallery.h"
#include "pad.h"
#include "pad_synth.h"

#define MAXR 400

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
pct(const double *v, int n, double p)
{
	static double s[MAXR * 2];
	double pos;
	int i;

	memcpy(s, v, (size_t)n * sizeof(double));
	qsort(s, (size_t)n, sizeof(double), cmp_d);
	pos = p / 100 * (n - 1);
	i = (int)pos;
	return i + 1 >= n ? s[n - 1] : s[i] + (pos - i) * (s[i + 1] - s[i]);
}

static void
cpu_line(void)
{
	char line[4096], model[256] = "?";
	FILE *f = fopen("/proc/cpuinfo", "r");
	struct utsname u;
	bool flags = false;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0 && model[0] == '?')
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
		if (strncmp(line, "flags", 5) == 0 && !flags) {
			char *p = strchr(line, ':');

			flags = true;
			printf("cpu flags:%s", p != NULL ? p + 1 : "\n");
		}
	}
	if (f != NULL)
		fclose(f);
	printf("cpu: %s", model);
	if (uname(&u) == 0)
		printf("kernel: %s %s %s\n", u.sysname, u.release, u.machine);
}

static int
load_jpeg(const char *path, struct fcv_image *img)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;
	int ret;

	if (f == NULL)
		return EG_ERR_NOT_FOUND;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if ((b = malloc((size_t)n)) == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(b);
		return EG_ERR_IO;
	}
	fclose(f);
	ret = face_img_decode(b, (size_t)n, FACE_MAX_DIM, img);
	free(b);
	return ret;
}

int
main(int argc, char **argv)
{
	struct face_ctx *ctx = NULL;
	struct fcv_image photo = { 0 }, scene = { 0 }, aligned = { 0 };
	struct synth_pres pres[2];
	struct face_result key[2], r;
	struct face_opts fo = { .quality = false };
	struct face_pad_frame pf[2][SYNTH_MAX_FRAMES];
	static double te[MAXR], tp[MAXR], ratio[MAXR], cue[FACE_PAD_CUE_COUNT][MAXR];
	cpu_set_t one;
	char path[4096], err[512];
	double ctr[2];
	float emb[FACE_EMB_MAX];
	size_t elen;
	int rounds = argc > 1 ? atoi(argv[1]) : 41, ret = 1;

	memset(pres, 0, sizeof(pres));
	memset(key, 0, sizeof(key));
	if (rounds < 3 || rounds > MAXR)
		rounds = 41;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		fprintf(stderr, "bench-pad: cannot pin to one CPU; figures are for all cores\n");
	fcv_set_threads(1);	/* one core: no OpenCV worker threads either */
	printf("bench-pad %s — PAD per presentation vs one face embedding, one core, %d rounds\n",
	    EGATE_VERSION, rounds);
#ifdef __SANITIZE_ADDRESS__
	printf("WARNING: sanitizer build: the numbers mean nothing (use a release build)\n");
#endif
	cpu_line();
	if (face_ctx_new(FACE_PROFILE_SRC, EGATE_MODEL_DIR, &ctx, err, sizeof(err)) != EG_OK) {
		fprintf(stderr, "bench-pad: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/sample1.jpg", FACE_TESTDATA);
	if (load_jpeg(path, &photo) != EG_OK || face_analyse_nth(ctx, &photo, 1, &fo, &r) != EG_OK ||
	    synth_portrait(&photo, &r.box, 1, &scene, ctr) != EG_OK) {
		fprintf(stderr, "bench-pad: %s: cannot make the scene (run scripts/install-deps)\n",
		    path);
		goto out;
	}
	face_result_wipe(&r);
	if (face_analyse(ctx, &scene, &fo, &r) != EG_OK ||
	    synth_make(&scene, &r.pts, &scene, SY_BONA_FIDE, 7, 8, 0, &pres[0]) != EG_OK ||
	    synth_make(&scene, &r.pts, &scene, SY_PRINT_BORDER, 7, 8, 0, &pres[1]) != EG_OK)
		goto out;
	face_result_wipe(&r);
	for (int k = 0; k < 2; k++) {
		if (face_analyse(ctx, &pres[k].frame[0], &fo, &key[k]) != EG_OK)
			goto out;
		for (int j = 0; j < pres[k].n; j++)
			pf[k][j] = (struct face_pad_frame){ .img = &pres[k].frame[j] };
	}
	if (face_align(&pres[0].frame[0], &key[0].pts, &aligned) != EG_OK)
		goto out;
	/* warm-up */
	for (int i = 0; i < 3; i++) {
		struct face_pad_report rep;

		(void)face_embed(ctx, &aligned, emb, FACE_EMB_MAX, &elen);
		(void)face_pad_presentation(ctx, pf[i % 2], (size_t)pres[i % 2].n, 0, &key[i % 2].box,
		    &key[i % 2].pts, NULL, &rep);
	}
	for (int i = 0; i < rounds; i++) {
		struct face_pad_report rep;
		int k = i % 2;
		double t = now_ms();

		if (face_embed(ctx, &aligned, emb, FACE_EMB_MAX, &elen) != EG_OK)
			goto out;
		te[i] = now_ms() - t;
		t = now_ms();
		if (face_pad_presentation(ctx, pf[k], (size_t)pres[k].n, 0, &key[k].box, &key[k].pts,
		    NULL, &rep) != EG_OK)
			goto out;
		tp[i] = now_ms() - t;
		ratio[i] = tp[i] / te[i];
		for (int c = 0; c < FACE_PAD_CUE_COUNT; c++)
			cue[c][i] = rep.cue[c].ms;
		/* planar and micro motion are one analysis: counted once */
		cue[FACE_PAD_MICRO_MOTION][i] = 0;
	}
	printf("\n%-34s %8s %8s %8s\n", "", "median", "p10", "p90");
	printf("%-34s %8.2f %8.2f %8.2f ms\n", "embedding (fr_feature, reference)", pct(te, rounds, 50),
	    pct(te, rounds, 10), pct(te, rounds, 90));
	printf("%-34s %8.2f %8.2f %8.2f ms\n", "PAD, one presentation of 8 frames", pct(tp, rounds, 50),
	    pct(tp, rounds, 10), pct(tp, rounds, 90));
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++)
		printf("  %-32s %8.2f %8.2f %8.2f ms\n",
		    c == FACE_PAD_PLANAR_MOTION ? "planar + micro motion" :
		    face_pad_cue_name((enum face_pad_cue)c), pct(cue[c], rounds, 50),
		    pct(cue[c], rounds, 10), pct(cue[c], rounds, 90));
	printf("\nPAD / embedding: %.2f (ratio of medians), %.2f (median of per-round ratios, "
	    "p10 %.2f, p90 %.2f); target: < 1\n", pct(tp, rounds, 50) / pct(te, rounds, 50),
	    pct(ratio, rounds, 50), pct(ratio, rounds, 10), pct(ratio, rounds, 90));
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "bench-pad: failed\n");
	for (int k = 0; k < 2; k++) {
		synth_free(&pres[k]);
		face_result_wipe(&key[k]);
	}
	face_result_wipe(&r);
	fcv_image_free(&photo);
	fcv_image_free(&scene);
	fcv_image_free(&aligned);
	face_ctx_free(&ctx);
	return ret;
}
