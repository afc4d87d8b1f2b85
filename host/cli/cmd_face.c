/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate face — run the kiosk's face pipeline on image files.
 *
 *   egate face verify IMG_A IMG_B [--threshold T] [--json] [--no-quality]
 *                     [--no-liveness] [--profile FILE] [--model-dir DIR]
 *   egate face enroll --gallery FILE [--format i8|f16|f32]
 *                     [--id-from index|filename] [--force] IMAGE[#N]...
 *   egate face search --gallery FILE [-k K] [--threshold T] [--json] IMAGE[#N]
 *   egate face liveness [--json] [--policy BUNDLE] [--threshold T] [--cues LIST]
 *                     [--require-live-sign] FRAME...
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
#include "egate/match.h"
#include "face.h"
#include "face_gallery.h"
#include "pad.h"
#include "policy.h"

#define FACE_EXIT_MATCH 0
#define FACE_EXIT_NOMATCH 1
#define FACE_EXIT_ERROR 2
#define FACE_FILE_MAX (64u * 1024u * 1024u)

struct input {
	const char *path;	/* as given (may end in #N) */
	char file[4096];	/* the file part */
	unsigned nth;		/* 0: the chosen face; N: the Nth left to right */
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

/* The threshold t of the policy bundle at path (as egate-host pushes it):
 * one threshold decides, the policy's. 0 on success, -1 (said) otherwise. */
static int
policy_threshold(const char *path, enum policy_threshold t, double *out)
{
	struct policy p;
	char err[512];

	if (policy_bundle_load(path, &p, err, sizeof(err)) != EG_OK) {
		cli_err("face", "--policy %s: %s", path, err);
		return -1;
	}
	*out = p.threshold[t];
	policy_clear(&p);
	return 0;
}

/* --threshold: a cosine from -1 to 1; 0 on success, -1 (said) otherwise. */
static int
parse_threshold(const char *arg, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(*out >= -1.0) || !(*out <= 1.0)) {
		cli_err("face", "--threshold must be a number from -1 to 1");
		return -1;
	}
	return 0;
}

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate face verify IMG_A IMG_B [--threshold T | --policy BUNDLE] [--json]\n"
	    "                         [--no-quality] [--no-liveness] [--profile FILE]\n"
	    "                         [--model-dir DIR]\n"
	    "                         [--debug-dump-aligned DIR]\n"
	    "\n"
	    "Compare the face in IMG_A with the face in IMG_B. Each is a JPEG, PNG or\n"
	    "JPEG 2000 image, or a DG2 file from a passport chip; IMG#N takes the Nth\n"
	    "face from the left instead of the largest in the zone. Prints the cosine\n"
	    "score, the decision at the threshold (the policy bundle's match_threshold\n"
	    "with --policy, which is what decides at the gate; without it the profile's\n"
	    "calibration value), the quality\n"
	    "gate and the liveness check for both images, and the time of each stage.\n"
	    "\n"
	    "exit: 0 match, 1 no match, 2 error (as cmp)\n"
	    "\n"
	    "Also: egate face enroll --help, egate face search --help (1:N watchlists),\n"
	    "egate face liveness --help (presentation-attack detection).\n");
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

/* "photo.jpg#3" names the third face from the left of photo.jpg, unless a
 * file of that exact name exists. */
static int
split_face_ref(struct input *in)
{
	const char *h = strrchr(in->path, '#');
	char *end;
	unsigned long v;

	in->nth = 0;
	if (strlen(in->path) >= sizeof(in->file))
		return EG_ERR_INVAL;
	strcpy(in->file, in->path);
	if (h == NULL || h[1] == '\0' || access(in->path, F_OK) == 0)
		return EG_OK;
	errno = 0;
	v = strtoul(h + 1, &end, 10);
	if (*end != '\0' || errno != 0 || h[1] < '0' || h[1] > '9')
		return EG_OK;	/* not a face number: the name as it is */
	if (v < 1 || v > FACE_MAX_FACES)
		return EG_ERR_INVAL;
	in->nth = (unsigned)v;
	in->file[h - in->path] = '\0';
	return EG_OK;
}

/* Say why an input could not be used, with a hint where one helps. */
static void
input_err(const struct input *in)
{
	const char *hint = "";

	if (in->err == EG_ERR_OVERFLOW && strcmp(in->what, "decode") == 0)
		hint = " — the image header announces more than 8192 pixels a side";
	else if (in->err == EG_ERR_TRUNCATED && strcmp(in->what, "decode") == 0)
		hint = " — the image data ends early";
	else if (in->err == EG_ERR_NO_FACE && in->nth > 0)
		hint = " — fewer faces in the image than the number after '#'";
	else if (in->err == EG_ERR_NO_FACE)
		hint = " — no face detected in the capture zone";
	else if (in->err == EG_ERR_INVAL && strcmp(in->what, "read") == 0)
		hint = " — the face number after '#' must be 1 to 64";
	cli_err("face", "%s: %s: %s (%s)%s", in->path, in->what, eg_strerror(in->err),
	    eg_err_name(in->err), hint);
}

static int
load_input(struct face_ctx *ctx, struct input *in, const struct face_opts *opts)
{
	const uint8_t *img;
	size_t img_len;
	struct face_dg2 dg2;
	double t;

	in->what = "read";
	if ((in->err = split_face_ref(in)) != EG_OK)
		return in->err;
	if ((in->err = read_all(in->file, &in->bytes, &in->len)) != EG_OK)
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
	in->err = face_analyse_nth(ctx, &in->img, in->nth, opts, &in->res);
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
		{ "policy", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = default_profile(), *model_dir = getenv("EGATE_MODEL_DIR");
	const char *policy = NULL;
	struct input in[2];
	struct face_ctx *ctx = NULL;
	struct face_opts fo = { .quality = true, .pad = &face_pad_minifas };
	double threshold = 0, score = 0, load_ms = 0, t;
	bool have_threshold = false, json = false, match = false;
	const char *dump_dir = NULL;
	char errbuf[512];
	int c, ret = FACE_EXIT_ERROR, err;

	memset(in, 0, sizeof(in));
	if (model_dir == NULL || model_dir[0] == '\0')
		model_dir = EGATE_MODEL_DIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:jp:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_threshold(optarg, &threshold) != 0)
				return FACE_EXIT_ERROR;
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
		case 'P':
			policy = optarg;
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
	if (!have_threshold && policy != NULL) {
		if (policy_threshold(policy, POLICY_T_MATCH, &threshold) != 0)
			return FACE_EXIT_ERROR;
		have_threshold = true;
	}

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
			input_err(&in[i]);
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

/* ---- galleries: enroll and search --------------------------------------- */

struct gal {
	char path[4096];
	char labels_path[4096];
	struct match_gallery *g;
	struct face_labels *labels;
	bool existed;
};

static void
gal_free(struct gal *gl)
{
	match_gallery_free(&gl->g);
	face_labels_free(&gl->labels);
}

static int
gal_paths(struct gal *gl, const char *path)
{
	if ((size_t)snprintf(gl->path, sizeof(gl->path), "%s", path) >= sizeof(gl->path) ||
	    (size_t)snprintf(gl->labels_path, sizeof(gl->labels_path), "%s.labels", path) >=
	    sizeof(gl->labels_path)) {
		cli_err("face", "gallery path too long");
		return EG_ERR_INVAL;
	}
	return EG_OK;
}

/* Open an existing gallery and its labels; they must agree. */
static int
gal_open(struct gal *gl, const char *path)
{
	struct match_params mp = { .max_nq = 1, .max_k = MATCH_K_MAX };
	size_t line = 0;
	int err;

	if ((err = gal_paths(gl, path)) != EG_OK)
		return err;
	if (access(gl->path, F_OK) != 0) {
		cli_err("face", "%s: no such gallery (egate face enroll creates one)", gl->path);
		return EG_ERR_NOT_FOUND;
	}
	if ((err = match_gallery_load_file(gl->path, &mp, &gl->g)) != EG_OK) {
		cli_err("face", "%s: cannot load the gallery: %s (%s)%s", gl->path, eg_strerror(err),
		    eg_err_name(err),
		    err == EG_ERR_CHECKSUM ? " — the file is corrupted or was altered" :
		    err == EG_ERR_FORMAT || err == EG_ERR_TRUNCATED ? " — not an egate gallery, or damaged" : "");
		return err;
	}
	if ((err = face_labels_load_file(gl->labels_path, &gl->labels, &line)) != EG_OK) {
		if (err == EG_ERR_FORMAT)
			cli_err("face", "%s:%zu: bad label line", gl->labels_path, line);
		else
			cli_err("face", "%s: cannot load the labels: %s (%s)", gl->labels_path,
			    eg_strerror(err), eg_err_name(err));
		return err;
	}
	if (face_labels_count(gl->labels) != match_gallery_size(gl->g)) {
		cli_err("face", "%s holds %zu entries but %s holds %zu labels: they do not belong "
		    "together", gl->path, match_gallery_size(gl->g), gl->labels_path,
		    face_labels_count(gl->labels));
		return EG_ERR_FORMAT;
	}
	gl->existed = true;
	return EG_OK;
}

/* Write the gallery (through FILE.tmp, renamed) and then its labels. */
static int
gal_save(const struct gal *gl)
{
	char tmp[4200];
	int err;

	snprintf(tmp, sizeof(tmp), "%s.tmp", gl->path);
	if ((err = match_gallery_save(gl->g, tmp)) != EG_OK || rename(tmp, gl->path) != 0) {
		cli_err("face", "%s: cannot write the gallery: %s", gl->path,
		    eg_strerror(err != EG_OK ? err : EG_ERR_IO));
		(void)unlink(tmp);
		return err != EG_OK ? err : EG_ERR_IO;
	}
	if ((err = face_labels_save(gl->labels, gl->labels_path)) != EG_OK) {
		cli_err("face", "%s: cannot write the labels: %s (the gallery was written: restore "
		    "both from backup)", gl->labels_path, eg_strerror(err));
		return err;
	}
	return EG_OK;
}

static const char *
format_str(enum match_format f)
{
	return f == MATCH_I8 ? "i8" : f == MATCH_F16 ? "f16" : "f32";
}

static int
parse_format(const char *s, enum match_format *f)
{
	if (strcmp(s, "i8") == 0)
		*f = MATCH_I8;
	else if (strcmp(s, "f16") == 0)
		*f = MATCH_F16;
	else if (strcmp(s, "f32") == 0)
		*f = MATCH_F32;
	else
		return EG_ERR_INVAL;
	return EG_OK;
}

/* The failed quality measures as "yaw 41.2 (-35 .. 35), ..." into buf. */
static void
quality_why(const struct face_quality *q, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < FACE_Q_COUNT && off < len; i++) {
		const struct face_measure *m = &q->m[i];
		int k;

		if (m->pass)
			continue;
		if (m->max >= 1e8)
			k = snprintf(buf + off, len - off, "%s%s %.3g (want >= %g)", off ? ", " : "",
			    m->name, m->value, m->min);
		else
			k = snprintf(buf + off, len - off, "%s%s %.3g (want %g .. %g)",
			    off ? ", " : "", m->name, m->value, m->min, m->max);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

static void
help_enroll(FILE *f)
{
	fprintf(f,
	    "usage: egate face enroll --gallery FILE [--format i8|f16|f32]\n"
	    "                         [--id-from index|filename] [--force] [--no-quality]\n"
	    "                         [--profile FILE] [--model-dir DIR] IMAGE[#N]...\n"
	    "\n"
	    "Add the face of each image to the gallery FILE (created if missing) and its\n"
	    "label to FILE.labels. IMAGE#N takes the Nth face counted from the left.\n"
	    "Images failing the quality gate are refused unless --force. Both files are\n"
	    "personal data (biometric templates and names): keep them 0600.\n"
	    "\n"
	    "exit: 0 all enrolled, 1 some refused (the others are saved), 2 error\n");
}

static int
enroll(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gallery", required_argument, NULL, 'g' },
		{ "format", required_argument, NULL, 'f' },
		{ "id-from", required_argument, NULL, 'i' },
		{ "force", no_argument, NULL, 'F' },
		{ "no-quality", no_argument, NULL, 'Q' },
		{ "profile", required_argument, NULL, 'p' },
		{ "model-dir", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = default_profile(), *model_dir = getenv("EGATE_MODEL_DIR");
	const char *gallery = NULL;
	struct face_ctx *ctx = NULL;
	struct face_opts fo = { .quality = true };
	struct gal gl;
	enum match_format fmt = MATCH_F32;
	bool have_fmt = false, by_name = false, force = false;
	size_t added = 0, refused = 0;
	char errbuf[512];
	int c, ret = FACE_EXIT_ERROR, err;

	memset(&gl, 0, sizeof(gl));
	if (model_dir == NULL || model_dir[0] == '\0')
		model_dir = EGATE_MODEL_DIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "g:f:i:p:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			gallery = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &fmt) != EG_OK) {
				cli_err("face", "--format must be i8, f16 or f32");
				return FACE_EXIT_ERROR;
			}
			have_fmt = true;
			break;
		case 'i':
			if (strcmp(optarg, "filename") != 0 && strcmp(optarg, "index") != 0) {
				cli_err("face", "--id-from must be index or filename");
				return FACE_EXIT_ERROR;
			}
			by_name = strcmp(optarg, "filename") == 0;
			break;
		case 'F':
			force = true;
			break;
		case 'Q':
			fo.quality = false;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'm':
			model_dir = optarg;
			break;
		case 'h':
			help_enroll(stdout);
			return FACE_EXIT_MATCH;
		default:
			return FACE_EXIT_ERROR;
		}
	}
	if (gallery == NULL || optind >= argc) {
		cli_err("face", "enroll needs --gallery FILE and at least one image");
		help_enroll(stderr);
		return FACE_EXIT_ERROR;
	}
	if (gal_paths(&gl, gallery) != EG_OK)
		goto out;
	if (access(gl.path, F_OK) == 0) {
		if (gal_open(&gl, gallery) != EG_OK)
			goto out;
		if (have_fmt && match_gallery_format(gl.g) != fmt) {
			cli_err("face", "%s is %s, not %s: a gallery keeps one format", gl.path,
			    format_str(match_gallery_format(gl.g)), format_str(fmt));
			goto out;
		}
	} else if (access(gl.labels_path, F_OK) == 0) {
		cli_err("face", "%s exists without its gallery %s: refusing to overwrite it",
		    gl.labels_path, gl.path);
		goto out;
	}
	err = face_ctx_new(profile, model_dir, &ctx, errbuf, sizeof(errbuf));
	if (err != EG_OK) {
		cli_err("face", "cannot load the models: %s%s%s", eg_strerror(err),
		    errbuf[0] ? ": " : "", errbuf);
		goto out;
	}
	if (gl.g == NULL) {
		struct match_params mp = {
			.dim = (uint32_t)face_ctx_profile(ctx)->embedding_size, .format = fmt,
			.rescore = fmt == MATCH_I8 ? MATCH_RESCORE_F16 : MATCH_RESCORE_NONE,
			.max_nq = 1, .max_k = MATCH_K_MAX,
		};

		if ((err = match_gallery_new(&mp, &gl.g)) != EG_OK ||
		    (err = face_labels_new(&gl.labels)) != EG_OK) {
			cli_err("face", "cannot create a gallery: %s", eg_strerror(err));
			goto out;
		}
	} else if (match_gallery_dim(gl.g) != (uint32_t)face_ctx_profile(ctx)->embedding_size) {
		cli_err("face", "%s holds %u-dimensional embeddings; the profile makes %lld: another "
		    "model's gallery", gl.path, match_gallery_dim(gl.g),
		    face_ctx_profile(ctx)->embedding_size);
		goto out;
	}
	for (int a = optind; a < argc; a++) {
		struct input in;
		char label[FACE_LABEL_MAX + 1], why[512];
		uint64_t id;

		memset(&in, 0, sizeof(in));
		in.path = argv[a];
		if (load_input(ctx, &in, &fo) != EG_OK) {
			input_err(&in);
			printf("%s: REFUSED: %s\n", in.path, eg_strerror(in.err));
			refused++;
			free_input(&in);
			continue;
		}
		if (in.res.has_quality && in.res.quality.retake) {
			quality_why(&in.res.quality, why, sizeof(why));
			if (!force) {
				printf("%s: REFUSED: quality: %s (--force to enrol anyway)\n", in.path, why);
				refused++;
				free_input(&in);
				continue;
			}
			printf("%s: quality: %s — enrolled anyway (--force)\n", in.path, why);
		}
		if (in.nth > 0)
			snprintf(label, sizeof(label), "%.200s#%u", base_name(in.file), in.nth);
		else
			snprintf(label, sizeof(label), "%.250s", base_name(in.file));
		id = by_name ? face_label_id(label) : face_labels_max_id(gl.labels) + 1;
		err = face_labels_add(gl.labels, id, label);
		if (err == EG_ERR_STATE) {
			printf("%s: REFUSED: id %016llx (%s) is already enrolled\n", in.path,
			    (unsigned long long)id, label);
			refused++;
			free_input(&in);
			continue;
		}
		if (err == EG_OK && (err = match_gallery_add(gl.g, in.res.emb, &id, 1)) != EG_OK)
			cli_err("face", "internal: labels and gallery out of step");
		free_input(&in);
		if (err != EG_OK) {
			cli_err("face", "%s: cannot add: %s", argv[a], eg_strerror(err));
			goto out;
		}
		printf("%s: enrolled id %016llx label %s\n", argv[a], (unsigned long long)id, label);
		added++;
	}
	if (added > 0 && gal_save(&gl) != EG_OK)
		goto out;
	printf("gallery %s: %zu entries (%s); %zu enrolled, %zu refused%s\n", gl.path,
	    match_gallery_size(gl.g), format_str(match_gallery_format(gl.g)), added, refused,
	    added == 0 ? "; nothing written" : "");
	ret = refused > 0 ? FACE_EXIT_NOMATCH : FACE_EXIT_MATCH;
out:
	gal_free(&gl);
	face_ctx_free(&ctx);
	return ret;
}

static void
help_search(FILE *f)
{
	fprintf(f,
	    "usage: egate face search --gallery FILE [-k K] [--threshold T | --policy BUNDLE]\n"
	    "                         [--json]\n"
	    "                         [--no-quality] [--profile FILE] [--model-dir DIR]\n"
	    "                         IMAGE[#N]\n"
	    "\n"
	    "Search the gallery FILE for the face in IMAGE (or its Nth face from the left);\n"
	    "print the K best entries (default 5) with their scores and labels, hits at or\n"
	    "above the threshold marked (the policy bundle's watchlist_threshold with\n"
	    "--policy, as at the gate; without it the profile's calibration value).\n"
	    "\n"
	    "exit: 0 hit, 1 no hit, 2 error\n");
}

static int
search(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gallery", required_argument, NULL, 'g' },
		{ "threshold", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-quality", no_argument, NULL, 'Q' },
		{ "profile", required_argument, NULL, 'p' },
		{ "model-dir", required_argument, NULL, 'm' },
		{ "policy", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = default_profile(), *model_dir = getenv("EGATE_MODEL_DIR");
	const char *gallery = NULL, *policy = NULL;
	struct face_ctx *ctx = NULL;
	struct face_opts fo = { .quality = true };
	struct match_hit hits[MATCH_K_MAX];
	struct input in;
	struct gal gl;
	double threshold = 0;
	bool have_threshold = false, json = false;
	unsigned long k = 5;
	size_t nhit = 0, kk;
	char errbuf[512], *end;
	int c, ret = FACE_EXIT_ERROR, err;

	memset(&gl, 0, sizeof(gl));
	memset(&in, 0, sizeof(in));
	if (model_dir == NULL || model_dir[0] == '\0')
		model_dir = EGATE_MODEL_DIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "g:k:t:jp:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			gallery = optarg;
			break;
		case 'k':
			errno = 0;
			k = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || k < 1 || k > MATCH_K_MAX) {
				cli_err("face", "-k must be 1 to %u", MATCH_K_MAX);
				return FACE_EXIT_ERROR;
			}
			break;
		case 't':
			if (parse_threshold(optarg, &threshold) != 0)
				return FACE_EXIT_ERROR;
			have_threshold = true;
			break;
		case 'j':
			json = true;
			break;
		case 'Q':
			fo.quality = false;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'm':
			model_dir = optarg;
			break;
		case 'P':
			policy = optarg;
			break;
		case 'h':
			help_search(stdout);
			return FACE_EXIT_MATCH;
		default:
			return FACE_EXIT_ERROR;
		}
	}
	if (gallery == NULL || argc - optind != 1) {
		cli_err("face", "search needs --gallery FILE and one image");
		help_search(stderr);
		return FACE_EXIT_ERROR;
	}
	if (!have_threshold && policy != NULL) {
		if (policy_threshold(policy, POLICY_T_WATCHLIST, &threshold) != 0)
			return FACE_EXIT_ERROR;
		have_threshold = true;
	}
	if (gal_open(&gl, gallery) != EG_OK)
		goto out;
	err = face_ctx_new(profile, model_dir, &ctx, errbuf, sizeof(errbuf));
	if (err != EG_OK) {
		cli_err("face", "cannot load the models: %s%s%s", eg_strerror(err),
		    errbuf[0] ? ": " : "", errbuf);
		goto out;
	}
	if (!have_threshold)
		threshold = face_ctx_profile(ctx)->match_threshold;
	if (match_gallery_dim(gl.g) != (uint32_t)face_ctx_profile(ctx)->embedding_size) {
		cli_err("face", "%s holds %u-dimensional embeddings; the profile makes %lld: another "
		    "model's gallery", gl.path, match_gallery_dim(gl.g),
		    face_ctx_profile(ctx)->embedding_size);
		goto out;
	}
	in.path = argv[optind];
	if (load_input(ctx, &in, &fo) != EG_OK) {
		input_err(&in);
		goto out;
	}
	kk = match_gallery_size(gl.g) < k ? match_gallery_size(gl.g) : k;
	if (kk > 0 && (err = match_gallery_search(gl.g, in.res.emb, 1, kk, hits)) != EG_OK) {
		cli_err("face", "search failed: %s", eg_strerror(err));
		goto out;
	}
	for (size_t i = 0; i < kk; i++)
		if (hits[i].id != MATCH_ID_NONE && hits[i].score >= threshold)
			nhit++;
	ret = nhit > 0 ? FACE_EXIT_MATCH : FACE_EXIT_NOMATCH;
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_bool(&j, "hit", nhit > 0);
		eg_json_key_double(&j, "threshold", threshold);
		eg_json_key_str(&j, "gallery", gl.path);
		eg_json_key_int(&j, "gallery_size", (long long)match_gallery_size(gl.g));
		eg_json_key_str(&j, "format", format_str(match_gallery_format(gl.g)));
		eg_json_key_str(&j, "profile", face_ctx_profile(ctx)->name);
		eg_json_key_str(&j, "profile_version", face_ctx_profile(ctx)->version);
		eg_json_key(&j, "results");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < kk; i++) {
			char idhex[17];
			const char *lab = face_labels_find(gl.labels, hits[i].id);

			if (hits[i].id == MATCH_ID_NONE)
				break;
			snprintf(idhex, sizeof(idhex), "%016llx", (unsigned long long)hits[i].id);
			eg_json_obj_begin(&j);
			eg_json_key_int(&j, "rank", (long long)i + 1);
			eg_json_key_str(&j, "id", idhex);
			eg_json_key_str(&j, "label", lab != NULL ? lab : "");
			eg_json_key_double(&j, "score", hits[i].score);
			eg_json_key_bool(&j, "hit", hits[i].score >= threshold);
			eg_json_obj_end(&j);
		}
		eg_json_arr_end(&j);
		eg_json_key(&j, "probe");
		print_json_input(&j, &in);
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			ret = FACE_EXIT_ERROR;
	} else {
		printf("gallery: %s (%zu entries, %s, kernel %s)\n", gl.path,
		    match_gallery_size(gl.g), format_str(match_gallery_format(gl.g)),
		    match_gallery_kernel(gl.g));
		print_text(&in, "probe");
		for (size_t i = 0; i < kk; i++) {
			const char *lab = face_labels_find(gl.labels, hits[i].id);

			if (hits[i].id == MATCH_ID_NONE)
				break;
			printf("%2zu. id %016llx  score %.4f  %-6s %s\n", i + 1,
			    (unsigned long long)hits[i].id, hits[i].score,
			    hits[i].score >= threshold ? "HIT" : "-", lab != NULL ? lab : "?");
		}
		printf("threshold %.4f  %s\n", threshold, nhit > 0 ? "HIT" : "NO HIT");
	}
out:
	free_input(&in);
	gal_free(&gl);
	face_ctx_free(&ctx);
	return ret;
}

/* ---- presentation-attack detection ------------------------------------- */

#define LIVE_EXIT_BONA_FIDE 0
#define LIVE_EXIT_ATTACK 1

static void
help_liveness(FILE *f)
{
	fprintf(f,
	    "usage: egate face liveness [--json] [--policy BUNDLE] [--threshold T]\n"
	    "                           [--cues all|LIST] [--require-live-sign]\n"
	    "                           [--profile FILE] [--model-dir DIR] FRAME...\n"
	    "\n"
	    "Score one presentation for presentation attacks: a single image, or the\n"
	    "ordered frames of one presentation (all of one size). The face is taken\n"
	    "from the first frame that shows one. Prints every cue (spectrum, range,\n"
	    "glare, banding, frame, planar_motion, micro_motion, blink, depth, moire)\n"
	    "with its score, its measure and why, and the fused score against the\n"
	    "threshold: the policy's liveness_threshold, pad_cues and pad_live_sign\n"
	    "with --policy (a policy bundle as egate-host pushes it), else 0.50, all\n"
	    "cues, sign of life optional; --threshold, --cues and --require-live-sign\n"
	    "override. Motion and blink need several frames; depth is not read from\n"
	    "files. SYNTHETIC-tested only: see docs/face.md.\n"
	    "\n"
	    "exit: 0 bona fide, 1 attack, 2 error\n");
}

static int
parse_cues(const char *list, uint32_t *mask)
{
	char buf[256], *save = NULL, *tok;

	*mask = 0;
	if (strcmp(list, "all") == 0) {
		*mask = FACE_PAD_ALL_CUES;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		int c = face_pad_cue_by_name(tok);

		if (c < 0) {
			cli_err("face", "--cues: unknown cue '%s'", tok);
			return -1;
		}
		*mask |= 1u << c;
	}
	if (*mask == 0) {
		cli_err("face", "--cues: no cue named");
		return -1;
	}
	return 0;
}

/* The policy bundle's PAD settings (proto/policy.h) as face_pad_params. */
static int
pad_params_from_policy(const char *path, struct face_pad_params *par)
{
	struct policy p;
	char err[512];
	int rc;

	if ((rc = policy_bundle_load(path, &p, err, sizeof(err))) != EG_OK) {
		cli_err("face", "--policy %s: %s", path, err);
		return -1;
	}
	par->threshold = p.threshold[POLICY_T_LIVENESS];
	par->cues = 0;
	for (int i = 0; i < POLICY_PAD_COUNT; i++) {
		int c = face_pad_cue_by_name(policy_pad_cue_name((enum policy_pad_cue)i));

		if ((p.pad_cues & 1u << i) && c >= 0)
			par->cues |= 1u << c;
	}
	par->require_live_sign = p.pad_live_sign == POLICY_PAD_SIGN_REQUIRED;
	policy_clear(&p);
	return 0;
}

static void
print_pad_json(const struct face_pad_report *rep, size_t key, const char *profile,
    const char *version)
{
	struct eg_json j;

	eg_json_init(&j, stdout);
	eg_json_obj_begin(&j);
	eg_json_key_bool(&j, "live", rep->live);
	eg_json_key_double(&j, "score", rep->score);
	eg_json_key_double(&j, "threshold", rep->threshold);
	eg_json_key_str(&j, "decided_by", rep->decided_by);
	eg_json_key_bool(&j, "live_sign_required", rep->live_sign_required);
	eg_json_key_bool(&j, "live_sign_seen", rep->live_sign_seen);
	eg_json_key_bool(&j, "relieved", rep->relieved);
	eg_json_key_int(&j, "frames", (long long)rep->nframes);
	eg_json_key_int(&j, "key_frame", (long long)key);
	eg_json_key_double(&j, "ms", rep->ms);
	eg_json_key_str(&j, "profile", profile);
	eg_json_key_str(&j, "profile_version", version);
	eg_json_key(&j, "cues");
	eg_json_obj_begin(&j);
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
		const struct face_pad_cue_result *r = &rep->cue[c];

		eg_json_key(&j, r->name);
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "state", face_pad_state_str(r->state));
		if (r->state == FACE_PAD_SCORED) {
			eg_json_key_double(&j, "score", r->score);
			eg_json_key_double(&j, "raw", r->raw);
			eg_json_key_double(&j, "limit", r->limit);
			eg_json_key_str(&j, "unit", r->unit);
			eg_json_key_double(&j, "threshold", r->threshold);
		}
		eg_json_key_bool(&j, "veto", r->veto);
		eg_json_key_bool(&j, "live_sign", r->live_sign);
		eg_json_key_bool(&j, "artefact", r->artefact);
		eg_json_key_str(&j, "detail", r->detail);
		eg_json_key_double(&j, "ms", r->ms);
		eg_json_obj_end(&j);
	}
	eg_json_obj_end(&j);
	eg_json_obj_end(&j);
	(void)eg_json_finish(&j);
}

static int
liveness(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "policy", required_argument, NULL, 'P' },
		{ "threshold", required_argument, NULL, 't' },
		{ "cues", required_argument, NULL, 'c' },
		{ "require-live-sign", no_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' },
		{ "model-dir", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = default_profile(), *model_dir = getenv("EGATE_MODEL_DIR");
	const char *policy = NULL, *cues = NULL;
	struct face_pad_params par;
	struct face_ctx *ctx = NULL;
	struct fcv_image *img = NULL;
	struct face_pad_frame *pf = NULL;
	struct face_result res;
	struct face_pad_report rep;
	struct face_opts fo = { .quality = false };
	double thr = -1;
	bool json = false, require = false;
	size_t n = 0, key = 0;
	char errbuf[512];
	int c, ret = FACE_EXIT_ERROR, err = EG_ERR_NO_FACE;

	memset(&res, 0, sizeof(res));
	face_pad_params_default(&par);
	if (model_dir == NULL || model_dir[0] == '\0')
		model_dir = EGATE_MODEL_DIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jt:p:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'P':
			policy = optarg;
			break;
		case 't': {
			char *end;

			errno = 0;
			thr = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(thr >= 0) || !(thr <= 1)) {
				cli_err("face", "--threshold must be a number from 0 to 1");
				return FACE_EXIT_ERROR;
			}
			break;
		}
		case 'c':
			cues = optarg;
			break;
		case 'r':
			require = true;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'm':
			model_dir = optarg;
			break;
		case 'h':
			help_liveness(stdout);
			return LIVE_EXIT_BONA_FIDE;
		default:
			return FACE_EXIT_ERROR;
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0) {
		cli_err("face", "liveness needs at least one frame");
		help_liveness(stderr);
		return FACE_EXIT_ERROR;
	}
	if (n > FACE_PAD_MAX_FRAMES) {
		cli_err("face", "liveness takes at most %d frames", FACE_PAD_MAX_FRAMES);
		return FACE_EXIT_ERROR;
	}
	if (policy != NULL && pad_params_from_policy(policy, &par) != 0)
		return FACE_EXIT_ERROR;
	if (thr >= 0)
		par.threshold = thr;
	if (cues != NULL && parse_cues(cues, &par.cues) != 0)
		return FACE_EXIT_ERROR;
	if (require)
		par.require_live_sign = true;
	err = face_ctx_new(profile, model_dir, &ctx, errbuf, sizeof(errbuf));
	if (err != EG_OK) {
		cli_err("face", "cannot load the models: %s%s%s", eg_strerror(err),
		    errbuf[0] ? ": " : "", errbuf);
		goto out;
	}
	img = calloc(n, sizeof(*img));
	pf = calloc(n, sizeof(*pf));
	if (img == NULL || pf == NULL) {
		cli_err("face", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *path = argv[optind + (int)i];
		uint8_t *bytes = NULL;
		size_t len = 0;

		err = read_all(path, &bytes, &len);
		if (err == EG_OK)
			err = face_img_decode(bytes, len, FACE_MAX_DIM, &img[i]);
		if (bytes != NULL)
			eg_secret_free(&bytes, len);
		if (err != EG_OK) {
			cli_err("face", "%s: %s (%s)", path, eg_strerror(err), eg_err_name(err));
			goto out;
		}
		if (img[i].width != img[0].width || img[i].height != img[0].height) {
			cli_err("face", "%s: %dx%d, but the first frame is %dx%d: one presentation's "
			    "frames share one size", path, img[i].width, img[i].height, img[0].width,
			    img[0].height);
			goto out;
		}
		pf[i].img = &img[i];
	}
	err = EG_ERR_NO_FACE;
	for (key = 0; key < n; key++) {
		err = face_analyse(ctx, &img[key], &fo, &res);
		if (err != EG_ERR_NO_FACE)
			break;
	}
	if (err != EG_OK) {
		cli_err("face", "%s (%s)%s", eg_strerror(err), eg_err_name(err),
		    err == EG_ERR_NO_FACE ? ": no face in any frame" : "");
		goto out;
	}
	err = face_pad_presentation(ctx, pf, n, key, &res.box, &res.pts, &par, &rep);
	if (err != EG_OK) {
		cli_err("face", "PAD failed: %s (%s)", eg_strerror(err), eg_err_name(err));
		goto out;
	}
	ret = rep.live ? LIVE_EXIT_BONA_FIDE : LIVE_EXIT_ATTACK;
	if (json) {
		print_pad_json(&rep, key, face_ctx_profile(ctx)->name, face_ctx_profile(ctx)->version);
	} else {
		printf("presentation: %zu frame%s, face in frame %zu (box %.0f,%.0f-%.0f,%.0f)\n", n,
		    n == 1 ? "" : "s", key + 1, res.box.x1, res.box.y1, res.box.x2, res.box.y2);
		for (int i = 0; i < FACE_PAD_CUE_COUNT; i++) {
			const struct face_pad_cue_result *r = &rep.cue[i];

			if (r->state == FACE_PAD_SCORED)
				printf("  %-14s %5.3f %-6s %s%s raw %.3f (limit %.3f %s)%s: %s\n",
				    r->name, r->score, r->score >= r->threshold ? "live" : "ATTACK",
				    r->veto ? "veto" : "", r->live_sign ? (r->veto ? "+sign" : "sign") : "",
				    r->raw, r->limit, r->unit, rep.relieved && r->artefact ?
				    ", relieved" : "", r->detail);
			else
				printf("  %-14s   -   %-9s %s\n", r->name, face_pad_state_str(r->state),
				    r->detail);
		}
		printf("sign of life: %s, %s", rep.live_sign_seen ? "seen" : "not seen",
		    rep.live_sign_required ? "required" : "optional");
		if (rep.relieved)
			printf("; artefact cues relieved (odds of life x %.0f: they refuse under "
			    "%.3f)", FACE_PAD_LIFE_ODDS, rep.cue[FACE_PAD_RANGE].threshold);
		printf("\n");
		printf("score %.4f  threshold %.4f  %s (decided by %s)  %.1f ms\n", rep.score,
		    rep.threshold, rep.live ? "BONA FIDE" : "ATTACK", rep.decided_by, rep.ms);
	}
out:
	face_result_wipe(&res);
	for (size_t i = 0; img != NULL && i < n; i++)
		fcv_image_free(&img[i]);
	free(img);
	free(pf);
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
	if (strcmp(argv[1], "enroll") == 0)
		return enroll(argc - 1, argv + 1);
	if (strcmp(argv[1], "search") == 0)
		return search(argc - 1, argv + 1);
	if (strcmp(argv[1], "liveness") == 0)
		return liveness(argc - 1, argv + 1);
	cli_err("face", "unknown verb '%s' (verify, enroll, search, liveness)", argv[1]);
	return FACE_EXIT_ERROR;
}
