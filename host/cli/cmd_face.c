/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate face — run the kiosk's face pipeline on image files.
 *
 *   egate face verify IMG_A IMG_B [--threshold T] [--json] [--no-quality]
 *                     [--no-liveness] [--profile FILE] [--model-dir DIR]
 *
 * An input is a JPEG, PNG or JPEG 2000 image, or a DG2 file as read from a
 * passport chip (tag 75), whose facial record is unpacked first. Nothing is
 * written to disk. Exit codes as cmp(1): 0 match, 1 no match, 2 error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "egate_build.h"
#include "face.h"

#define FACE_EXIT_MATCH 0
#define FACE_EXIT_NOMATCH 1
#define FACE_EXIT_ERROR 2
#define FACE_FILE_MAX (64u * 1024u * 1024u)

struct input {
	const char *path;
	uint8_t *bytes;
	size_t len;
	bool dg2;
	enum face_img_fmt fmt;
	struct fcv_image img;
	struct face_result res;
	double decode_ms;
	int err;
	const char *what;	/* stage that failed */
};

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate face verify IMG_A IMG_B [--threshold T] [--json] [--no-quality]\n"
	    "                         [--no-liveness] [--profile FILE] [--model-dir DIR]\n"
	    "                         [--debug-dump-aligned DIR]\n"
	    "\n"
	    "Compare the face in IMG_A with the face in IMG_B. Each is a JPEG, PNG or\n"
	    "JPEG 2000 image, or a DG2 file from a passport chip. Prints the cosine\n"
	    "score, the decision at the threshold (default: the profile's), the quality\n"
	    "gate and the liveness check for both images, and the time of each stage.\n"
	    "\n"
	    "exit: 0 match, 1 no match, 2 error (as cmp)\n");
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
read_all(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *p = NULL;
	int ret = EG_ERR_IO;

	*out = NULL;
	*len = 0;
	if (f == NULL)
		return errno == ENOENT ? EG_ERR_NOT_FOUND : EG_ERR_IO;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if ((uint64_t)st.st_size > FACE_FILE_MAX) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	*len = fread(p, 1, (size_t)st.st_size, f);
	if (ferror(f) || *len != (size_t)st.st_size)
		goto out;
	*out = p;
	p = NULL;
	ret = EG_OK;
out:
	if (p != NULL)
		eg_secret_free(&p, (size_t)st.st_size);
	fclose(f);
	return ret;
}

static int
load_input(struct face_ctx *ctx, struct input *in, const struct face_opts *opts)
{
	const uint8_t *img;
	size_t img_len;
	struct face_dg2 dg2;
	double t;

	in->what = "read";
	if ((in->err = read_all(in->path, &in->bytes, &in->len)) != EG_OK)
		return in->err;
	img = in->bytes;
	img_len = in->len;
	if (in->len > 0 && in->bytes[0] == 0x75) {
		in->what = "dg2";
		if ((in->err = face_dg2_parse(in->bytes, in->len, &dg2)) != EG_OK)
			return in->err;
		in->dg2 = true;
		img = dg2.image;
		img_len = dg2.image_len;
	}
	in->what = "decode";
	t = now_ms();
	in->err = face_img_probe(img, img_len, &in->fmt, NULL, NULL);
	if (in->err == EG_OK)
		in->err = face_img_decode(img, img_len, FACE_MAX_DIM, &in->img);
	in->decode_ms = now_ms() - t;
	if (in->err != EG_OK)
		return in->err;
	in->what = "analyse";
	in->err = face_analyse(ctx, &in->img, opts, &in->res);
	return in->err;
}

static void
free_input(struct input *in)
{
	fcv_image_free(&in->img);
	if (in->bytes != NULL)
		eg_secret_free(&in->bytes, in->len);
	face_result_wipe(&in->res);
}

static void
print_text(const struct input *in, const char *label)
{
	const struct face_result *r = &in->res;

	printf("%s: %s (%s%s, %dx%d)\n", label, in->path, in->dg2 ? "DG2, " : "",
	    face_img_fmt_str(in->fmt), in->img.width, in->img.height);
	printf("  faces: %zu detected, %d in the capture zone%s\n", r->nfaces, r->faces_in_zone,
	    r->tailgating ? "  TAILGATING: more than one person" : "");
	printf("  face: box %.0f,%.0f-%.0f,%.0f score %.3f\n", r->box.x1, r->box.y1, r->box.x2,
	    r->box.y2, r->box.score);
	if (r->has_quality) {
		for (int i = 0; i < FACE_Q_COUNT; i++) {
			const struct face_measure *m = &r->quality.m[i];

			char lim[64];

			if (m->max >= 1e8)
				snprintf(lim, sizeof(lim), ">= %g", m->min);
			else
				snprintf(lim, sizeof(lim), "%g .. %g", m->min, m->max);
			printf("  quality %-15s %9.3f  [%s]  %s\n", m->name, m->value, lim,
			    m->pass ? "pass" : "FAIL");
		}
		printf("  quality decision: %s\n", r->quality.retake ? "RETAKE" : "ok");
	}
	if (r->has_pad)
		printf("  liveness: p(live) %.3f threshold %.2f %s — %s\n", r->pad.live_score,
		    r->pad.threshold, r->pad.live ? "live" : "ATTACK?", r->pad.method);
	printf("  ms: decode %.1f", in->decode_ms);
	for (int s = 0; s < FACE_T_COUNT; s++)
		printf(" %s %.1f", face_stage_str((enum face_stage)s), r->ms[s]);
	printf("\n");
}

static void
print_json_input(struct eg_json *j, const struct input *in)
{
	const struct face_result *r = &in->res;

	eg_json_obj_begin(j);
	eg_json_key_str(j, "path", in->path);
	eg_json_key_bool(j, "dg2", in->dg2);
	eg_json_key_str(j, "format", face_img_fmt_str(in->fmt));
	eg_json_key_int(j, "width", in->img.width);
	eg_json_key_int(j, "height", in->img.height);
	eg_json_key_int(j, "faces", (long long)r->nfaces);
	eg_json_key_int(j, "faces_in_zone", r->faces_in_zone);
	eg_json_key_bool(j, "tailgating", r->tailgating);
	eg_json_key(j, "box");
	eg_json_arr_begin(j);
	eg_json_double(j, r->box.x1);
	eg_json_double(j, r->box.y1);
	eg_json_double(j, r->box.x2);
	eg_json_double(j, r->box.y2);
	eg_json_arr_end(j);
	eg_json_key_double(j, "detect_score", r->box.score);
	if (r->has_quality) {
		eg_json_key(j, "quality");
		eg_json_obj_begin(j);
		for (int i = 0; i < FACE_Q_COUNT; i++) {
			const struct face_measure *m = &r->quality.m[i];

			eg_json_key(j, m->name);
			eg_json_obj_begin(j);
			eg_json_key_double(j, "value", m->value);
			eg_json_key_double(j, "min", m->min);
			eg_json_key_double(j, "max", m->max);
			eg_json_key_bool(j, "pass", m->pass);
			eg_json_obj_end(j);
		}
		eg_json_key_bool(j, "retake", r->quality.retake);
		eg_json_obj_end(j);
	}
	if (r->has_pad) {
		eg_json_key(j, "liveness");
		eg_json_obj_begin(j);
		eg_json_key_str(j, "method", r->pad.method);
		eg_json_key_double(j, "live_score", r->pad.live_score);
		eg_json_key_double(j, "threshold", r->pad.threshold);
		eg_json_key_bool(j, "live", r->pad.live);
		eg_json_obj_end(j);
	}
	eg_json_key(j, "ms");
	eg_json_obj_begin(j);
	eg_json_key_double(j, "decode", in->decode_ms);
	for (int s = 0; s < FACE_T_COUNT; s++)
		eg_json_key_double(j, face_stage_str((enum face_stage)s), r->ms[s]);
	eg_json_obj_end(j);
	eg_json_obj_end(j);
}

/* Debug only (--debug-dump-aligned): write the 112x112 aligned face as
 * DIR/aligned-a.png; the one place this program writes a face to disk. */
static int
dump_aligned(const struct input *in, const char *dir, const char *tag)
{
	struct fcv_image al = { 0 };
	uint8_t *png = NULL;
	size_t len = 0;
	char path[4096];
	FILE *f = NULL;
	int ret;

	if ((ret = face_align(&in->img, &in->res.pts, &al)) != EG_OK ||
	    (ret = fcv_image_encode(&al, ".png", 3, &png, &len)) != EG_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/aligned-%s.png", dir, tag);
	ret = EG_ERR_IO;
	if ((f = fopen(path, "wb")) == NULL || fwrite(png, 1, len, f) != len)
		goto out;
	ret = EG_OK;
out:
	if (f != NULL && fclose(f) != 0)
		ret = EG_ERR_IO;
	if (ret != EG_OK)
		cli_err("face", "cannot write the aligned face to %s: %s", dir, eg_strerror(ret));
	if (png != NULL)
		eg_secret_free(&png, len);
	fcv_image_free(&al);
	return ret;
}

static const char *
default_profile(void)
{
	return access(FACE_PROFILE_INSTALLED, R_OK) == 0 ? FACE_PROFILE_INSTALLED : FACE_PROFILE_SRC;
}

static int
verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-quality", no_argument, NULL, 'Q' },
		{ "no-liveness", no_argument, NULL, 'L' },
		{ "profile", required_argument, NULL, 'p' },
		{ "model-dir", required_argument, NULL, 'm' },
		{ "debug-dump-aligned", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = default_profile(), *model_dir = getenv("EGATE_MODEL_DIR");
	struct input in[2];
	struct face_ctx *ctx = NULL;
	struct face_opts fo = { .quality = true, .pad = &face_pad_minifas };
	double threshold = 0, score = 0, load_ms = 0, t;
	bool have_threshold = false, json = false, match = false;
	const char *dump_dir = NULL;
	char errbuf[512], *end;
	int c, ret = FACE_EXIT_ERROR, err;

	memset(in, 0, sizeof(in));
	if (model_dir == NULL || model_dir[0] == '\0')
		model_dir = EGATE_MODEL_DIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:jp:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			errno = 0;
			threshold = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(threshold >= -1.0) ||
			    !(threshold <= 1.0)) {
				cli_err("face", "--threshold must be a number from -1 to 1");
				return FACE_EXIT_ERROR;
			}
			have_threshold = true;
			break;
		case 'j':
			json = true;
			break;
		case 'Q':
			fo.quality = false;
			break;
		case 'L':
			fo.pad = NULL;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'm':
			model_dir = optarg;
			break;
		case 'D':
			dump_dir = optarg;
			break;
		case 'h':
			help(stdout);
			return FACE_EXIT_MATCH;
		default:
			return FACE_EXIT_ERROR;
		}
	}
	if (argc - optind != 2) {
		cli_err("face", "verify needs two images");
		help(stderr);
		return FACE_EXIT_ERROR;
	}
	in[0].path = argv[optind];
	in[1].path = argv[optind + 1];

	t = now_ms();
	err = face_ctx_new(profile, model_dir, &ctx, errbuf, sizeof(errbuf));
	load_ms = now_ms() - t;
	if (err != EG_OK) {
		cli_err("face", "cannot load the models: %s%s%s", eg_strerror(err),
		    errbuf[0] ? ": " : "", errbuf);
		goto out;
	}
	if (!have_threshold)
		threshold = face_ctx_profile(ctx)->match_threshold;
	fo.pad_self = ctx;
	for (int i = 0; i < 2; i++) {
		if (load_input(ctx, &in[i], &fo) != EG_OK) {
			const char *hint = "";

			if (in[i].err == EG_ERR_OVERFLOW && strcmp(in[i].what, "decode") == 0)
				hint = " — the image header announces more than 8192 pixels a side";
			else if (in[i].err == EG_ERR_TRUNCATED && strcmp(in[i].what, "decode") == 0)
				hint = " — the image data ends early";
			else if (in[i].err == EG_ERR_NO_FACE)
				hint = " — no face detected in the capture zone";
			cli_err("face", "%s: %s: %s (%s)%s", in[i].path, in[i].what,
			    eg_strerror(in[i].err), eg_err_name(in[i].err), hint);
			goto out;
		}
	}
	if (dump_dir != NULL) {
		fprintf(stderr, "egate face: DEBUG: writing the aligned faces (biometric data) to %s\n",
		    dump_dir);
		for (int i = 0; i < 2; i++)
			if (dump_aligned(&in[i], dump_dir, i == 0 ? "a" : "b") != EG_OK)
				goto out;
	}
	score = face_cosine(in[0].res.emb, in[1].res.emb, in[0].res.emb_len);
	match = score >= threshold;
	ret = match ? FACE_EXIT_MATCH : FACE_EXIT_NOMATCH;
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_double(&j, "score", score);
		eg_json_key_double(&j, "threshold", threshold);
		eg_json_key_bool(&j, "match", match);
		eg_json_key_str(&j, "profile", face_ctx_profile(ctx)->name);
		eg_json_key_str(&j, "profile_version", face_ctx_profile(ctx)->version);
		eg_json_key_double(&j, "model_load_ms", load_ms);
		eg_json_key(&j, "a");
		print_json_input(&j, &in[0]);
		eg_json_key(&j, "b");
		print_json_input(&j, &in[1]);
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			ret = FACE_EXIT_ERROR;
	} else {
		printf("profile: %s %s (models loaded in %.1f ms)\n", face_ctx_profile(ctx)->name,
		    face_ctx_profile(ctx)->version, load_ms);
		print_text(&in[0], "A");
		print_text(&in[1], "B");
		printf("score %.4f  threshold %.4f  %s\n", score, threshold,
		    match ? "MATCH" : "NO MATCH");
	}
out:
	free_input(&in[0]);
	free_input(&in[1]);
	face_ctx_free(&ctx);
	return ret;
}

int
cmd_face(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? FACE_EXIT_ERROR : FACE_EXIT_MATCH;
	}
	if (strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	cli_err("face", "unknown verb '%s' (verify)", argv[1]);
	return FACE_EXIT_ERROR;
}
