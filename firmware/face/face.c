/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face.c — the face pipeline in C: model loading with hash check, detection
 * with IoU NMS, choosing the face in the capture zone, landmarks, 5-point
 * similarity alignment, embedding, quality gate and the built-in PAD check.
 * All OpenCV work goes through face_cv.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "egate/secure.h"
#include "face.h"

#define MODEL_MAX_BYTES (256u * 1024u * 1024u)
#define MAX_OUT 3

struct face_ctx {
	struct face_profile prof;
	struct fcv_net *net[FACE_NET_COUNT];
	struct fcv_blob_spec spec[FACE_NET_COUNT];
	char out_name[FACE_NET_COUNT][MAX_OUT][32];
	const char *out_ptr[FACE_NET_COUNT][MAX_OUT];
	int nout[FACE_NET_COUNT];
};

/* Outputs each network must declare, in the order the code reads them. */
static const int want_outputs[FACE_NET_COUNT] = {
	[FACE_NET_DETECT] = 2,		/* scores, boxes */
	[FACE_NET_LANDMARK] = 1,
	[FACE_NET_FEATURE] = 1,
	[FACE_NET_LIVENESS] = 1,
	[FACE_NET_POSE] = 3,		/* yaw, pitch, roll */
	[FACE_NET_EYE] = 1,
};

static const char *const net_names[FACE_NET_COUNT] = {
	"detect", "landmark", "feature", "liveness", "pose", "eye",
};

/* ArcFace 112x112 reference points: eyes, nose, mouth corners. */
static const float arcface_ref[5][2] = {
	{ 38.2946f, 51.6963f }, { 73.5318f, 51.5014f }, { 56.0252f, 71.7366f },
	{ 41.5493f, 92.3655f }, { 70.7299f, 92.2041f },
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
errf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

const struct face_profile *
face_ctx_profile(const struct face_ctx *ctx)
{
	return &ctx->prof;
}

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *p = NULL;
	size_t got = 0;
	int fd, ret = EG_ERR_IO;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? EG_ERR_NOT_FOUND : EG_ERR_IO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if (st.st_size <= 0 || (uint64_t)st.st_size > MODEL_MAX_BYTES) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	if ((p = malloc((size_t)st.st_size)) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	*out = p;
	*len = got;
	p = NULL;
	ret = EG_OK;
out:
	free(p);
	close(fd);
	return ret;
}

static int
load_net(struct face_ctx *ctx, int id, const char *model_dir, char *errbuf, size_t errlen)
{
	const struct face_net_prof *np = &ctx->prof.net[id];
	char path[4096], *save = NULL, names[96], *tok;
	uint8_t *data = NULL, want[32], got[32];
	size_t len = 0, wlen = 0;
	int ret, n = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", model_dir, np->file) >= sizeof(path)) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	ret = read_file(path, &data, &len);
	if (ret != EG_OK) {
		errf(errbuf, errlen, "%s: %s (run scripts/install-deps to fetch the models)", path,
		    eg_strerror(ret));
		goto out;
	}
	if ((ret = eg_hex_decode(np->sha256, want, sizeof(want), &wlen)) != EG_OK || wlen != 32) {
		ret = EG_ERR_CONFIG;
		goto out;
	}
	if (mbedtls_sha256_ret(data, len, got, 0) != 0) {
		ret = EG_ERR_CRYPTO;
		goto out;
	}
	if (!eg_ct_equal(want, got, 32)) {
		ret = EG_ERR_CHECKSUM;
		errf(errbuf, errlen, "%s: SHA-256 differs from the profile's %s: model refused", path,
		    np->sha256);
		goto out;
	}
	if ((ret = fcv_net_load(data, len, &ctx->net[id])) != EG_OK) {
		errf(errbuf, errlen, "%s: OpenCV cannot load it (%s)", path, eg_strerror(ret));
		goto out;
	}
	snprintf(names, sizeof(names), "%s", np->outputs);
	for (tok = strtok_r(names, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		if (n >= MAX_OUT || strlen(tok) >= sizeof(ctx->out_name[id][0])) {
			n = MAX_OUT + 1;
			break;
		}
		snprintf(ctx->out_name[id][n], sizeof(ctx->out_name[id][n]), "%s", tok);
		ctx->out_ptr[id][n] = ctx->out_name[id][n];
		n++;
	}
	if (n != want_outputs[id]) {
		ret = EG_ERR_CONFIG;
		errf(errbuf, errlen, "profile [%s] outputs: wrong number of names (%s)",
		    net_names[id], np->outputs);
		goto out;
	}
	ctx->nout[id] = n;
	ctx->spec[id].width = (int)np->width;
	ctx->spec[id].height = (int)np->height;
	ctx->spec[id].chan = (enum fcv_chan)np->chan;
	for (int c = 0; c < 3; c++) {
		ctx->spec[id].mean[c] = (float)np->mean[c];
		ctx->spec[id].std[c] = (float)np->std[c];
	}
out:
	free(data);
	return ret;
}

int
face_ctx_new(const char *profile_path, const char *model_dir, struct face_ctx **out,
    char *errbuf, size_t errlen)
{
	struct face_ctx *ctx = NULL;
	int ret;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (out == NULL || profile_path == NULL || model_dir == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return EG_ERR_NOMEM;
	if ((ret = face_profile_load(profile_path, &ctx->prof, errbuf, errlen)) != EG_OK)
		goto out;
	for (int i = 0; i < FACE_NET_COUNT; i++)
		if ((ret = load_net(ctx, i, model_dir, errbuf, errlen)) != EG_OK)
			goto out;
	*out = ctx;
	ctx = NULL;
out:
	face_ctx_free(&ctx);
	return ret;
}

void
face_ctx_free(struct face_ctx **ctx)
{
	if (ctx == NULL || *ctx == NULL)
		return;
	for (int i = 0; i < FACE_NET_COUNT; i++)
		fcv_net_free(&(*ctx)->net[i]);
	free(*ctx);
	*ctx = NULL;
}

static int
run(struct face_ctx *ctx, int id, const struct fcv_image *img, const struct fcv_rect *r,
    float *const *outs, size_t *lens)
{
	if (ctx == NULL || ctx->net[id] == NULL)
		return EG_ERR_INVAL;
	return fcv_net_run(ctx->net[id], img, r, &ctx->spec[id], ctx->nout[id],
	    ctx->out_ptr[id], outs, lens);
}

static void
softmax(const float *in, double *out, size_t n)
{
	double mx = in[0], sum = 0.0;

	for (size_t i = 1; i < n; i++)
		if (in[i] > mx)
			mx = in[i];
	for (size_t i = 0; i < n; i++)
		sum += (out[i] = exp((double)in[i] - mx));
	for (size_t i = 0; i < n; i++)
		out[i] /= sum;
}

/* ---- detection ----------------------------------------------------------- */

double
face_box_iou(const struct face_box *a, const struct face_box *b)
{
	double ix = fmin(a->x2, b->x2) - fmax(a->x1, b->x1);
	double iy = fmin(a->y2, b->y2) - fmax(a->y1, b->y1);
	double inter, ua;

	if (ix <= 0 || iy <= 0)
		return 0.0;
	inter = ix * iy;
	ua = (double)(a->x2 - a->x1) * (a->y2 - a->y1) + (double)(b->x2 - b->x1) * (b->y2 - b->y1) -
	    inter;
	return ua > 0 ? inter / ua : 0.0;
}

static int
by_score_desc(const void *pa, const void *pb)
{
	const struct face_box *a = pa, *b = pb;

	return (a->score < b->score) - (a->score > b->score);
}

size_t
face_nms(struct face_box *boxes, size_t n, double iou)
{
	size_t kept = 0;

	qsort(boxes, n, sizeof(*boxes), by_score_desc);
	for (size_t i = 0; i < n; i++) {
		bool keep = true;

		for (size_t k = 0; k < kept && keep; k++)
			if (face_box_iou(&boxes[k], &boxes[i]) > iou)
				keep = false;
		if (keep)
			boxes[kept++] = boxes[i];
	}
	return kept;
}

struct face_box
face_box_square(const struct face_box *b)
{
	struct face_box s = *b;
	float cx = (b->x1 + b->x2) / 2, cy = (b->y1 + b->y2) / 2, side = b->y2 - b->y1;

	s.x1 = cx - side / 2;
	s.x2 = cx + side / 2;
	s.y1 = cy - side / 2;
	s.y2 = cy + side / 2;
	return s;
}

int
face_detect(struct face_ctx *ctx, const struct fcv_image *img, struct face_box *boxes,
    size_t max, size_t *n)
{
	const struct fcv_blob_spec *sp;
	float *scores = NULL, *bx = NULL;
	struct face_box *cand = NULL;
	size_t cap, lens[2], nc = 0, nprior, kept;
	struct fcv_rect region;
	double sw, sh;
	int ret;

	if (n != NULL)
		*n = 0;
	if (ctx == NULL || img == NULL || boxes == NULL || n == NULL || img->width <= 0 ||
	    img->height <= 0)
		return EG_ERR_INVAL;
	sp = &ctx->spec[FACE_NET_DETECT];
	/* every prior of an SSD head sits on a grid finer than 8 px at most 4
	 * times over: w*h/16 priors is a generous bound */
	cap = (size_t)sp->width * (size_t)sp->height / 16 * 4 + 64;
	scores = malloc(cap * 2 * sizeof(float));
	bx = malloc(cap * 4 * sizeof(float));
	if (scores == NULL || bx == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	lens[0] = cap * 2;
	lens[1] = cap * 4;
	/* boxes come back relative to the region the network saw */
	sw = img->width;
	sh = img->height;
	if (ctx->prof.letterbox) {
		double want = (double)sp->width / sp->height;

		if ((double)img->width / img->height < want)
			sw = img->height * want;
		else
			sh = img->width / want;
	}
	region = (struct fcv_rect){ 0, 0, sw, sh };
	ret = run(ctx, FACE_NET_DETECT, img, &region, (float *const[]){ scores, bx }, lens);
	if (ret != EG_OK)
		goto out;
	nprior = lens[0] / 2;
	if (lens[0] % 2 != 0 || lens[1] != nprior * 4) {
		ret = EG_ERR_MODEL;
		goto out;
	}
	if ((cand = malloc((nprior + 1) * sizeof(*cand))) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nprior; i++) {
		float s = scores[2 * i + 1];
		const float *b = &bx[4 * i];

		if (!(s >= ctx->prof.score_threshold) || !isfinite(b[0]) || !isfinite(b[1]) ||
		    !isfinite(b[2]) || !isfinite(b[3]))
			continue;
		cand[nc].x1 = (float)(b[0] * sw);
		cand[nc].y1 = (float)(b[1] * sh);
		cand[nc].x2 = (float)(b[2] * sw);
		cand[nc].y2 = (float)(b[3] * sh);
		cand[nc].score = s;
		if (cand[nc].x2 - cand[nc].x1 >= 2 && cand[nc].y2 - cand[nc].y1 >= 2)
			nc++;
	}
	kept = face_nms(cand, nc, ctx->prof.nms_iou);
	if (kept > max)
		kept = max;
	memcpy(boxes, cand, kept * sizeof(*cand));
	*n = kept;
out:
	free(scores);
	free(bx);
	free(cand);
	return ret;
}

int
face_choose(const struct face_box *boxes, size_t n, int width, int height, const double zone[4],
    double min_px, int *in_zone)
{
	int best = -1, count = 0;
	double zx0 = zone[0] * width, zy0 = zone[1] * height;
	double zx1 = zx0 + zone[2] * width, zy1 = zy0 + zone[3] * height;
	double zcx = (zx0 + zx1) / 2, zcy = (zy0 + zy1) / 2, bh = 0, bd = 0;

	for (size_t i = 0; i < n; i++) {
		double cx = (boxes[i].x1 + boxes[i].x2) / 2.0, cy = (boxes[i].y1 + boxes[i].y2) / 2.0;
		double h = boxes[i].y2 - boxes[i].y1, d = hypot(cx - zcx, cy - zcy);

		if (cx < zx0 || cx > zx1 || cy < zy0 || cy > zy1)
			continue;
		if (h >= min_px)
			count++;
		if (best < 0 || h > bh + 1.0 || (fabs(h - bh) <= 1.0 && d < bd)) {
			best = (int)i;
			bh = h;
			bd = d;
		}
	}
	if (in_zone != NULL)
		*in_zone = count;
	return best;
}

/* ---- landmarks, alignment, embedding --------------------------------------- */

static void
mean_pts(const float lm[68][2], const int *idx, int k, float out[2])
{
	out[0] = out[1] = 0;
	for (int i = 0; i < k; i++) {
		out[0] += lm[idx[i]][0];
		out[1] += lm[idx[i]][1];
	}
	out[0] /= (float)k;
	out[1] /= (float)k;
}

int
face_landmarks(struct face_ctx *ctx, const struct fcv_image *img, const struct face_box *box,
    struct face_points *out)
{
	static const int le[] = { 37, 38, 40, 41 }, re[] = { 43, 44, 46, 47 };
	static const int ml[] = { 48, 60 }, mr[] = { 54, 64 }, no[] = { 30 };
	struct face_box sq;
	struct fcv_rect r;
	float raw[136];
	size_t len = 136;
	int ret;

	if (ctx == NULL || img == NULL || box == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	sq = face_box_square(box);
	r = (struct fcv_rect){ sq.x1, sq.y1, sq.x2 - sq.x1, sq.y2 - sq.y1 };
	if ((ret = run(ctx, FACE_NET_LANDMARK, img, &r, (float *const[]){ raw }, &len)) != EG_OK)
		goto out;
	if (len != 136) {
		ret = EG_ERR_MODEL;
		goto out;
	}
	for (int i = 0; i < 68; i++) {
		out->lm68[i][0] = sq.x1 + raw[2 * i] * (float)r.w;
		out->lm68[i][1] = sq.y1 + raw[2 * i + 1] * (float)r.h;
	}
	mean_pts(out->lm68, le, 4, out->pt[0]);
	mean_pts(out->lm68, re, 4, out->pt[1]);
	mean_pts(out->lm68, no, 1, out->pt[2]);
	mean_pts(out->lm68, ml, 2, out->pt[3]);
	mean_pts(out->lm68, mr, 2, out->pt[4]);
out:
	eg_memzero(raw, sizeof(raw));
	return ret;
}

int
face_similarity_fit(const float src[][2], const float dst[][2], size_t n, double m[6])
{
	double msx = 0, msy = 0, mdx = 0, mdy = 0, num_a = 0, num_b = 0, den = 0, a, b;

	if (src == NULL || dst == NULL || m == NULL || n < 2)
		return EG_ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		msx += src[i][0];
		msy += src[i][1];
		mdx += dst[i][0];
		mdy += dst[i][1];
	}
	msx /= (double)n;
	msy /= (double)n;
	mdx /= (double)n;
	mdy /= (double)n;
	/* least squares of dst ~ [a -b; b a] src + t over centred points
	 * (Umeyama's solution restricted to 2-D, proper rotations only) */
	for (size_t i = 0; i < n; i++) {
		double sx = src[i][0] - msx, sy = src[i][1] - msy;
		double dx = dst[i][0] - mdx, dy = dst[i][1] - mdy;

		num_a += sx * dx + sy * dy;
		num_b += sx * dy - sy * dx;
		den += sx * sx + sy * sy;
	}
	if (!(den > 1e-9) || !isfinite(den))
		return EG_ERR_INVAL;
	a = num_a / den;
	b = num_b / den;
	m[0] = a;
	m[1] = -b;
	m[2] = mdx - (a * msx - b * msy);
	m[3] = b;
	m[4] = a;
	m[5] = mdy - (b * msx + a * msy);
	return EG_OK;
}

int
face_align(const struct fcv_image *img, const struct face_points *pts, struct fcv_image *out)
{
	double m[6];
	int ret;

	if (img == NULL || pts == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = face_similarity_fit(pts->pt, arcface_ref, 5, m)) != EG_OK)
		return ret;
	return fcv_warp_affine(img, m, 112, 112, out);
}

int
face_embed(struct face_ctx *ctx, const struct fcv_image *aligned, float *emb, size_t cap,
    size_t *n)
{
	size_t want, len;
	double norm = 0;
	int ret;

	if (n != NULL)
		*n = 0;
	if (ctx == NULL || aligned == NULL || emb == NULL || n == NULL)
		return EG_ERR_INVAL;
	want = (size_t)ctx->prof.embedding_size;
	if (cap < want)
		return EG_ERR_OVERFLOW;
	len = cap;
	if ((ret = run(ctx, FACE_NET_FEATURE, aligned, NULL, (float *const[]){ emb }, &len)) != EG_OK)
		goto out;
	if (len != want) {
		ret = EG_ERR_MODEL;
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		norm += (double)emb[i] * emb[i];
	norm = sqrt(norm);
	if (!(norm > 1e-12) || !isfinite(norm)) {
		ret = EG_ERR_MODEL;
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		emb[i] = (float)(emb[i] / norm);
	*n = len;
out:
	if (ret != EG_OK)
		eg_memzero(emb, cap * sizeof(float));
	return ret;
}

double
face_cosine(const float *a, const float *b, size_t n)
{
	double ab = 0, aa = 0, bb = 0;

	if (a == NULL || b == NULL || n == 0)
		return 0.0;
	for (size_t i = 0; i < n; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	if (!(aa > 0) || !(bb > 0))
		return 0.0;
	return ab / sqrt(aa * bb);
}

/* ---- quality ---------------------------------------------------------------- */

int
face_pose(struct face_ctx *ctx, const struct fcv_image *img, const struct face_box *box,
    double ypr[3])
{
	float yaw[66], pitch[66], roll[66];
	size_t lens[3] = { 66, 66, 66 };
	double p[66];
	struct fcv_rect r;
	float w, h, x1, y1, x2, y2;
	int ret;

	if (ctx == NULL || img == NULL || box == NULL || ypr == NULL)
		return EG_ERR_INVAL;
	/* the box grown by a quarter on every side, clipped to the frame */
	w = box->x2 - box->x1;
	h = box->y2 - box->y1;
	x1 = fmaxf(0, box->x1 - w / 4);
	y1 = fmaxf(0, box->y1 - h / 4);
	x2 = fminf((float)img->width, box->x2 + w / 4);
	y2 = fminf((float)img->height, box->y2 + h / 4);
	if (x2 - x1 < 2 || y2 - y1 < 2)
		return EG_ERR_INVAL;
	r = (struct fcv_rect){ x1, y1, x2 - x1, y2 - y1 };
	ret = run(ctx, FACE_NET_POSE, img, &r, (float *const[]){ yaw, pitch, roll }, lens);
	if (ret != EG_OK)
		return ret;
	if (lens[0] != 66 || lens[1] != 66 || lens[2] != 66)
		return EG_ERR_MODEL;
	for (int k = 0; k < 3; k++) {
		const float *head = k == 0 ? yaw : k == 1 ? pitch : roll;
		double e = 0;

		softmax(head, p, 66);
		for (int i = 0; i < 66; i++)
			e += p[i] * i;
		ypr[k] = e * 3.0 - 99.0;
	}
	return EG_OK;
}

int
face_eyes_open(struct face_ctx *ctx, const struct fcv_image *img, const struct face_points *pts,
    double p_open[2])
{
	/* centre: mean of the upper and lower lid points; side: 1.6 x the
	 * corner-to-corner width (36-39 and 42-45) */
	static const int lid[2][4] = { { 37, 38, 40, 41 }, { 43, 44, 46, 47 } };
	static const int corner[2][2] = { { 36, 39 }, { 42, 45 } };
	int ret = EG_OK;

	if (ctx == NULL || img == NULL || pts == NULL || p_open == NULL)
		return EG_ERR_INVAL;
	for (int e = 0; e < 2; e++) {
		float c[2], out[2];
		double p[2];
		size_t len = 2;
		float dx = pts->lm68[corner[e][1]][0] - pts->lm68[corner[e][0]][0];
		float dy = pts->lm68[corner[e][1]][1] - pts->lm68[corner[e][0]][1];
		float side = 1.6f * sqrtf(dx * dx + dy * dy);
		struct fcv_rect r;

		mean_pts(pts->lm68, lid[e], 4, c);
		if (side < 4)
			side = 4;
		r = (struct fcv_rect){ c[0] - side / 2, c[1] - side / 2, side, side };
		if ((ret = run(ctx, FACE_NET_EYE, img, &r, (float *const[]){ out }, &len)) != EG_OK)
			return ret;
		if (len != 2)
			return EG_ERR_MODEL;
		softmax(out, p, 2);
		p_open[e] = p[1];	/* class 1 = open */
	}
	return ret;
}

static void
measure(struct face_measure *m, const char *name, double v, double lo, double hi)
{
	m->name = name;
	m->value = v;
	m->min = lo;
	m->max = hi;
	m->pass = v >= lo && v <= hi;
}

int
face_quality_check(struct face_ctx *ctx, const struct fcv_image *img, const struct face_box *box,
    const struct face_points *pts, struct face_quality *out)
{
	const struct face_quality_limits *q;
	struct fcv_stats st;
	struct fcv_rect r;
	double ypr[3], eyes[2];
	int ret;

	if (ctx == NULL || img == NULL || box == NULL || pts == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	q = &ctx->prof.q;
	if ((ret = face_pose(ctx, img, box, ypr)) != EG_OK)
		return ret;
	if ((ret = face_eyes_open(ctx, img, pts, eyes)) != EG_OK)
		return ret;
	r = (struct fcv_rect){ box->x1, box->y1, box->x2 - box->x1, box->y2 - box->y1 };
	ret = fcv_image_stats(img, &r, &st);
	if (ret == EG_ERR_INVAL) {
		/* under 8x8 pixels inside the frame: nothing to measure, and
		 * certainly not sharp or well exposed */
		memset(&st, 0, sizeof(st));
		ret = EG_OK;
	}
	if (ret != EG_OK)
		return ret;
	measure(&out->m[FACE_Q_SIZE], "face_px", box->y2 - box->y1, (double)q->min_face_px, 1e9);
	measure(&out->m[FACE_Q_YAW], "yaw", ypr[0], -q->max_yaw, q->max_yaw);
	measure(&out->m[FACE_Q_PITCH], "pitch", ypr[1], -q->max_pitch, q->max_pitch);
	measure(&out->m[FACE_Q_ROLL], "roll", ypr[2], -q->max_roll, q->max_roll);
	measure(&out->m[FACE_Q_EYE_LEFT], "eye_left_open", eyes[0], q->min_eye_open, 1.0);
	measure(&out->m[FACE_Q_EYE_RIGHT], "eye_right_open", eyes[1], q->min_eye_open, 1.0);
	measure(&out->m[FACE_Q_SHARPNESS], "sharpness", st.laplacian_var, q->min_sharpness, 1e12);
	measure(&out->m[FACE_Q_BRIGHTNESS], "brightness", st.mean, q->min_brightness,
	    q->max_brightness);
	out->retake = false;
	for (int i = 0; i < FACE_Q_COUNT; i++)
		if (!out->m[i].pass)
			out->retake = true;
	return EG_OK;
}

/* ---- PAD: the built-in MiniFASNet-like model --------------------------------- */

static int
pad_minifas_check(void *self, const struct fcv_image *img, const struct face_box *box,
    struct face_pad_result *out)
{
	struct face_ctx *ctx = self;
	float raw[3];
	double p[3];
	size_t len = 3;
	double bw, bh, s, nw, nh, cx, cy, x1, y1, x2, y2, W, H;
	struct fcv_rect r;
	int ret;

	if (ctx == NULL || img == NULL || box == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	W = img->width;
	H = img->height;
	bw = box->x2 - box->x1;
	bh = box->y2 - box->y1;
	if (!(bw >= 2) || !(bh >= 2))
		return EG_ERR_INVAL;
	/* the box scaled by 2.7 (less if the frame is too small), shifted to
	 * stay inside the frame */
	s = fmin(2.7, fmin((H - 1) / bh, (W - 1) / bw));
	nw = bw * s;
	nh = bh * s;
	cx = box->x1 + bw / 2;
	cy = box->y1 + bh / 2;
	x1 = cx - nw / 2;
	y1 = cy - nh / 2;
	x2 = cx + nw / 2;
	y2 = cy + nh / 2;
	if (x1 < 0) {
		x2 -= x1;
		x1 = 0;
	}
	if (y1 < 0) {
		y2 -= y1;
		y1 = 0;
	}
	if (x2 > W - 1) {
		x1 -= x2 - W + 1;
		x2 = W - 1;
	}
	if (y2 > H - 1) {
		y1 -= y2 - H + 1;
		y2 = H - 1;
	}
	r = (struct fcv_rect){ fmax(0, x1), fmax(0, y1), x2 - fmax(0, x1) + 1, y2 - fmax(0, y1) + 1 };
	if ((ret = run(ctx, FACE_NET_LIVENESS, img, &r, (float *const[]){ raw }, &len)) != EG_OK)
		return ret;
	if (len != 3)
		return EG_ERR_MODEL;
	softmax(raw, p, 3);
	out->method = face_pad_minifas.name;
	out->live_score = p[0];
	out->threshold = ctx->prof.live_threshold;
	out->live = p[0] >= ctx->prof.live_threshold;
	return EG_OK;
}

const struct face_pad_ops face_pad_minifas = {
	.name = "minifasnet-like (weak; see docs/face.md)",
	.check = pad_minifas_check,
};

/* ---- the pipeline --------------------------------------------------------------- */

const char *
face_stage_str(enum face_stage s)
{
	static const char *const names[FACE_T_COUNT] = {
		"detect", "landmarks", "align", "embed", "quality", "liveness",
	};

	return (unsigned)s < FACE_T_COUNT ? names[s] : "?";
}

void
face_result_wipe(struct face_result *r)
{
	if (r != NULL)
		eg_memzero(r, sizeof(*r));
}

int
face_analyse_stages(struct face_ctx *ctx, const struct fcv_image *img,
    const struct face_opts *opts, struct face_result *out)
{
	struct fcv_image aligned = { 0 };
	double t;
	int ret;

	t = now_ms();
	ret = face_landmarks(ctx, img, &out->box, &out->pts);
	out->ms[FACE_T_LANDMARK] = now_ms() - t;
	if (ret != EG_OK)
		goto out;
	t = now_ms();
	ret = face_align(img, &out->pts, &aligned);
	out->ms[FACE_T_ALIGN] = now_ms() - t;
	if (ret != EG_OK)
		goto out;
	t = now_ms();
	ret = face_embed(ctx, &aligned, out->emb, FACE_EMB_MAX, &out->emb_len);
	out->ms[FACE_T_EMBED] = now_ms() - t;
	if (ret != EG_OK)
		goto out;
	if (opts->quality) {
		t = now_ms();
		ret = face_quality_check(ctx, img, &out->box, &out->pts, &out->quality);
		out->ms[FACE_T_QUALITY] = now_ms() - t;
		if (ret != EG_OK)
			goto out;
		out->has_quality = true;
	}
	if (opts->pad != NULL) {
		t = now_ms();
		ret = opts->pad->check(opts->pad_self, img, &out->box, &out->pad);
		out->ms[FACE_T_LIVENESS] = now_ms() - t;
		if (ret != EG_OK)
			goto out;
		out->has_pad = true;
	}
out:
	fcv_image_free(&aligned);	/* wipes the aligned face */
	return ret;
}

int
face_analyse(struct face_ctx *ctx, const struct fcv_image *img, const struct face_opts *opts,
    struct face_result *out)
{
	struct face_box boxes[FACE_MAX_FACES];
	size_t n = 0;
	double t;
	int idx, ret;

	if (ctx == NULL || img == NULL || opts == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	t = now_ms();
	ret = face_detect(ctx, img, boxes, FACE_MAX_FACES, &n);
	out->ms[FACE_T_DETECT] = now_ms() - t;
	if (ret != EG_OK)
		goto out;
	out->nfaces = n;
	idx = face_choose(boxes, n, img->width, img->height, ctx->prof.zone,
	    (double)ctx->prof.q.min_face_px, &out->faces_in_zone);
	out->tailgating = out->faces_in_zone >= 2;
	if (idx < 0) {
		ret = EG_ERR_NO_FACE;
		goto out;
	}
	out->box = boxes[idx];
	ret = face_analyse_stages(ctx, img, opts, out);
out:
	eg_memzero(boxes, sizeof(boxes));
	if (ret != EG_OK && ret != EG_ERR_NO_FACE) {
		size_t keep_n = out->nfaces;

		face_result_wipe(out);
		out->nfaces = keep_n;
	}
	return ret;
}
