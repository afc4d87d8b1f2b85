/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad-harness — presentation-attack detection measured in ISO/IEC 30107-3
 * terms on SYNTHETIC presentations (tests/face/pad_synth.c): bona fide
 * presentations and attacks made from the faces of the six test photos.
 *
 * SYNTHETIC ATTACKS ARE NOT A CERTIFICATION. They are models of prints,
 * screens and phones written by the people who wrote the detector; they show
 * that each cue reacts to the artefact it is meant for across wide parameter
 * ranges, not that real attack instruments are stopped (docs/face.md).
 *
 * People are split by identity: even person numbers tune the cues' decision
 * points (--tune prints each cue's raw measure per class), odd ones are held
 * out with other seeds, and only they are reported. Every presentation draws
 * conditions of capture (exposure, backlight, side light, glasses, a lens
 * reflection, defocus: enum synth_cond) unless --no-conditions. Per attack
 * type (PAI species): APCER at the policy's threshold with its 95 %
 * Clopper-Pearson interval; BPCER with its interval, per condition and per
 * person too; and
 * BPCER at the threshold where that type's APCER is 5 % and 1 % (BPCER20,
 * BPCER100), and where the worst type's is; for two policies: sign of life
 * optional, and required.
 *
 *   pad-harness [--tune] [--quick] [--seeds N] [--seed-base B] [--bona N]
 *               [--frames N] [--depth] [--no-conditions] [--jobs N]
 *               [--dump FILE] [--cache DIR] [-v]
 *
 * Seeds: the tuning set uses 1..N; the held-out set B+1..B+N (B = 10000 by
 * default: seeds 1001-1002, 2001-2003, 3001-3003, 4001-4003, 5001-5003,
 * 6001-6003, 7001-7003, 8001-8003 and 9001-9003 were the held-out seeds of
 * earlier rounds and have been looked at since, so they are no longer held
 * out; --seed-base 1000 ... 9000
 * re-runs them, to be labelled as seen). --bona N
 * bona fide presentations per person and seed (other conditions), 2 by
 * default. --jobs N runs N processes (at most 2 on the project's machine).
 * --dump FILE writes one tab-separated line per presentation (every cue's
 * state, raw measure, score and detail) for analysis. --cache DIR keeps every
 * generated presentation (its frames' JPEG bytes, about 0.3 MB) in DIR and
 * reads it back on later runs: generating is most of the harness's time,
 * and a change to the cues does not change the pictures (not with --depth).
 *
 * Exit 0 when the held-out report meets the acceptance (APCER <= 5 % for
 * every type at BPCER <= 5 %, both at threshold 0.5 with a sign of life
 * required), 1 when not, 2 on error.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate_build.h"
#include "face.h"
#include "face_gallery.h"
#include "pad.h"
#include "pad_synth.h"

#define NSAMPLES 6
#define NFACES 22
#define MAXREC 40000

static const unsigned sample_faces[NSAMPLES] = { 3, 3, 3, 4, 5, 4 };
/* sample1.jpg#3 and sample3.jpg#2 are one woman: 21 people */
static const int person[NFACES] = {
	0, 1, 2, 3, 4, 5, 6, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
};

struct rec {
	bool done, noface;
	enum synth_kind kind;
	int face, seed, bona;
	unsigned cond;
	double fused, fused_req;
	bool sign;
	enum face_pad_state st[FACE_PAD_CUE_COUNT];
	double raw[FACE_PAD_CUE_COUNT], score[FACE_PAD_CUE_COUNT];
	const char *by;		/* static string of the library (same after fork) */
	char desc[400];
	char detail[FACE_PAD_CUE_COUNT][96];
	double ms, cue_ms[FACE_PAD_CUE_COUNT];
};

struct face_in {
	struct fcv_image scene, room;
	struct face_result res;
	bool ok;
};

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
pct(double *v, size_t n, double p)
{
	double pos;
	size_t i;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_d);
	pos = p / 100 * (double)(n - 1);
	i = (size_t)pos;
	return i + 1 >= n ? v[n - 1] : v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

/* ---- Clopper-Pearson ------------------------------------------------------------ */

/* P(X <= x) for X ~ Binomial(n, p) */
static double
binom_cdf(size_t x, size_t n, double p)
{
	double s = 0;

	if (p <= 0)
		return 1;
	if (p >= 1)
		return x >= n ? 1 : 0;
	for (size_t k = 0; k <= x && k <= n; k++)
		s += exp(lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) +
		    (double)k * log(p) + (double)(n - k) * log1p(-p));
	return s;
}

/* the exact (Clopper-Pearson) two-sided 95 % interval of x errors in n */
static void
cp95(size_t x, size_t n, double *lo, double *hi)
{
	double a, b;

	*lo = 0;
	*hi = 1;
	if (n == 0) {
		*lo = *hi = NAN;
		return;
	}
	if (x < n) {
		/* the p where P(X <= x) = 0.025; the cdf falls as p grows */
		a = (double)x / (double)n;
		b = 1;
		for (int i = 0; i < 100; i++) {
			double m = (a + b) / 2;

			if (binom_cdf(x, n, m) > 0.025)
				a = m;
			else
				b = m;
		}
		*hi = (a + b) / 2;
	}
	if (x > 0) {
		/* the p where P(X >= x) = 0.025, i.e. P(X <= x - 1) = 0.975 */
		a = 0;
		b = (double)x / (double)n;
		for (int i = 0; i < 100; i++) {
			double m = (a + b) / 2;

			if (binom_cdf(x - 1, n, m) > 0.975)
				a = m;
			else
				b = m;
		}
		*lo = (a + b) / 2;
	}
}

/* ---- inputs --------------------------------------------------------------------- */

static int
load_sample(int i, struct fcv_image *img)
{
	char path[4096];
	FILE *f;
	uint8_t *buf;
	long n;
	int ret;

	snprintf(path, sizeof(path), "%s/sample%d.jpg", FACE_TESTDATA, i + 1);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "pad-harness: %s missing: run scripts/install-deps\n", path);
		return EG_ERR_NOT_FOUND;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return EG_ERR_IO;
	}
	fclose(f);
	ret = face_img_decode(buf, (size_t)n, FACE_MAX_DIM, img);
	free(buf);
	return ret;
}

/* the face nearest to (x, y) in img, analysed (landmarks) */
static int
analyse_near(struct face_ctx *ctx, const struct fcv_image *img, double x, double y,
    struct face_result *r)
{
	struct face_box b[FACE_MAX_FACES];
	struct face_opts fo = { .quality = false };
	size_t n = 0, best = 0;
	double bd = 1e300;
	int ret;

	if ((ret = face_detect(ctx, img, b, FACE_MAX_FACES, &n)) != EG_OK)
		return ret;
	if (n == 0)
		return EG_ERR_NO_FACE;
	for (size_t i = 0; i < n; i++) {
		double dx = (b[i].x1 + b[i].x2) / 2 - x, dy = (b[i].y1 + b[i].y2) / 2 - y;

		if (dx * dx + dy * dy < bd) {
			bd = dx * dx + dy * dy;
			best = i;
		}
	}
	return face_analyse_box(ctx, img, &b[best], &fo, r);
}

static void
usage(void)
{
	fprintf(stderr, "usage: pad-harness [--tune] [--quick] [--seeds N] [--seed-base B] "
	    "[--bona N] [--frames N] [--depth] [--no-conditions] [--jobs N] [--dump FILE] "
	    "[--cache DIR] [-v]\n"
	    "held-out seeds B+1..B+N, B = 10000 by default; 1001-1002, 2001-2003, 3001-3003,\n"
	    "4001-4003, 5001-5003, 6001-6003, 7001-7003, 8001-8003 and 9001-9003 have been\n"
	    "looked at (label them as seen)\n");
}

/* ---- one presentation ------------------------------------------------------------- */

struct run {
	struct face_ctx *ctx;
	struct face_in *fin;
	int frames;
	unsigned flags;
	bool verbose;
	const char *cache;	/* directory, or NULL */
};

/* The cache of generated presentations (--cache DIR): each frame's JPEG
 * bytes as the synthetic camera encoded them, so that a later run decodes
 * the very same frames instead of generating them again. The file name
 * carries everything the picture depends on, SYNTH_VERSION included. */
static void
cache_path(const struct run *ru, const struct rec *rc, char *path, size_t cap)
{
	snprintf(path, cap, "%s/v%d-f%02d-s%d-%s-b%d-n%d-c%u.pres", ru->cache, SYNTH_VERSION,
	    rc->face, rc->seed, synth_kind_name(rc->kind), rc->bona, ru->frames,
	    ru->flags & SYNTH_CONDITIONS);
}

static bool
cache_load(const char *path, struct synth_pres *p)
{
	FILE *f = fopen(path, "rb");
	char line[512];
	int v, n;
	unsigned cond;
	bool ok = false;

	memset(p, 0, sizeof(*p));
	if (f == NULL)
		return false;
	if (fgets(line, sizeof(line), f) == NULL || sscanf(line, "egate-pad-synth %d %d %u", &v,
	    &n, &cond) != 3 || v != SYNTH_VERSION || n < 2 || n > SYNTH_MAX_FRAMES ||
	    fgets(p->desc, sizeof(p->desc), f) == NULL)
		goto out;
	p->desc[strcspn(p->desc, "\n")] = 0;
	p->cond = cond;
	for (int j = 0; j < n; j++) {
		uint32_t len;
		uint8_t *b;
		int e;

		if (fread(&len, sizeof(len), 1, f) != 1 || len == 0 || len > (64u << 20) ||
		    (b = malloc(len)) == NULL)
			goto out;
		if (fread(b, 1, len, f) != len) {
			free(b);
			goto out;
		}
		e = fcv_image_decode(b, len, 8192, &p->frame[j]);
		free(b);
		if (e != EG_OK)
			goto out;
		p->n = j + 1;
	}
	ok = true;
out:
	fclose(f);
	if (!ok)
		synth_free(p);
	return ok;
}

static void
cache_store(const char *path, const struct synth_pres *p)
{
	char tmp[4200];
	FILE *f;
	bool ok;

	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if ((f = fopen(tmp, "wb")) == NULL)
		return;
	ok = fprintf(f, "egate-pad-synth %d %d %u\n%s\n", SYNTH_VERSION, p->n, p->cond,
	    p->desc) > 0;
	for (int j = 0; j < p->n && ok; j++) {
		uint32_t len = (uint32_t)p->jpeg_len[j];

		ok = p->jpeg[j] != NULL && fwrite(&len, sizeof(len), 1, f) == 1 &&
		    fwrite(p->jpeg[j], 1, len, f) == len;
	}
	if (fclose(f) != 0 || !ok || rename(tmp, path) != 0)
		remove(tmp);
}

static int
one(const struct run *ru, struct rec *rc)
{
	struct synth_pres p;
	struct face_pad_frame pf[SYNTH_MAX_FRAMES];
	struct face_result fr;
	struct face_pad_report rep, req;
	struct face_pad_params par;
	struct face_opts fo = { .quality = false };
	int f = rc->face, room = (f + 7 + rc->seed) % NFACES, e;
	uint64_t seed = (uint64_t)rc->seed * 131 + (uint64_t)f + (uint64_t)rc->bona * 7777777u;

	char cpath[4096];
	bool hit = false;

	if (ru->cache != NULL) {
		cache_path(ru, rc, cpath, sizeof(cpath));
		hit = cache_load(cpath, &p);
	}
	if (!hit) {
		e = synth_make(&ru->fin[f].scene, &ru->fin[f].res.pts, &ru->fin[room].room, rc->kind,
		    seed, ru->frames, ru->flags | (ru->cache != NULL ? SYNTH_KEEP_JPEG : 0u), &p);
		if (e != EG_OK) {
			fprintf(stderr, "pad-harness: synth %s: %s\n", synth_kind_name(rc->kind),
			    eg_strerror(e));
			return e;
		}
		if (ru->cache != NULL)
			cache_store(cpath, &p);
	}
	snprintf(rc->desc, sizeof(rc->desc), "%s", p.desc);
	rc->cond = p.cond;
	if (getenv("PAD_HARNESS_DUMP") != NULL) {
		/* debugging the generator: synthetic frames only */
		uint8_t *png = NULL;
		size_t plen = 0;
		char dp[4200];
		FILE *df;

		snprintf(dp, sizeof(dp), "%s/%s-%02d-%d-%d.png", getenv("PAD_HARNESS_DUMP"),
		    synth_kind_name(rc->kind), f, rc->seed, rc->bona);
		if (fcv_image_encode(&p.frame[0], ".png", 3, &png, &plen) == EG_OK &&
		    (df = fopen(dp, "wb")) != NULL) {
			fwrite(png, 1, plen, df);
			fclose(df);
		}
		free(png);
	}
	memset(&fr, 0, sizeof(fr));
	e = face_analyse(ru->ctx, &p.frame[0], &fo, &fr);
	if (e == EG_ERR_NO_FACE) {
		rc->noface = true;
		rc->done = true;
		synth_free(&p);
		return EG_OK;
	}
	if (e != EG_OK) {
		synth_free(&p);
		return e;
	}
	for (int j = 0; j < p.n; j++) {
		pf[j].img = &p.frame[j];
		pf[j].t_ns = (uint64_t)j * 100000000u;
		pf[j].depth = p.depth[j];
		pf[j].depth_w = p.depth[j] != NULL ? SYNTH_W : 0;
		pf[j].depth_h = p.depth[j] != NULL ? SYNTH_H : 0;
	}
	face_pad_params_default(&par);
	e = face_pad_presentation(ru->ctx, pf, (size_t)p.n, 0, &fr.box, &fr.pts, &par, &rep);
	face_result_wipe(&fr);
	synth_free(&p);
	if (e != EG_OK) {
		fprintf(stderr, "pad-harness: PAD: %s\n", eg_strerror(e));
		return e;
	}
	req = rep;
	par.require_live_sign = true;
	face_pad_fuse(&req, &par);
	rc->fused = rep.score;
	rc->fused_req = req.score;
	rc->sign = rep.live_sign_seen;
	rc->by = rep.decided_by;
	rc->ms = rep.ms;
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
		rc->st[c] = rep.cue[c].state;
		rc->raw[c] = rep.cue[c].raw;
		rc->score[c] = rep.cue[c].score;
		rc->cue_ms[c] = rep.cue[c].ms;
		snprintf(rc->detail[c], sizeof(rc->detail[c]), "%s", rep.cue[c].detail);
	}
	rc->done = true;
	if (ru->verbose)
		printf("%-12s face %2d seed %4d %-6s fused %.3f (req %.3f) by %-14s | %s\n",
		    synth_kind_name(rc->kind), f, rc->seed, rc->fused >= 0.5 ? "LIVE" : "attack",
		    rc->fused, rc->fused_req, rc->by, rc->desc);
	return EG_OK;
}

/* ---- the report ------------------------------------------------------------------- */

static double
fused_of(const struct rec *r, bool req)
{
	return req ? r->fused_req : r->fused;
}

/* attacks of kind k (or of every kind, k < 0) passing at t; *cnt of them */
static size_t
passes(const struct rec *r, size_t n, int k, double t, bool req, size_t *cnt)
{
	size_t a = 0, pass = 0;

	for (size_t i = 0; i < n; i++) {
		if (!r[i].done || r[i].noface || r[i].kind == SY_BONA_FIDE ||
		    (k >= 0 && r[i].kind != (enum synth_kind)k))
			continue;
		a++;
		pass += fused_of(&r[i], req) >= t;
	}
	*cnt = a;
	return pass;
}

/* bona fide presentations refused at t, among those with every bit of cond
 * (0: all); *cnt of them */
static size_t
refusals(const struct rec *r, size_t n, double t, bool req, unsigned cond, bool none,
    size_t *cnt)
{
	size_t b = 0, rej = 0;

	for (size_t i = 0; i < n; i++) {
		if (!r[i].done || r[i].kind != SY_BONA_FIDE || r[i].noface)
			continue;
		if (none ? r[i].cond != 0 : (r[i].cond & cond) != cond)
			continue;
		b++;
		rej += fused_of(&r[i], req) < t;
	}
	*cnt = b;
	return rej;
}

/* the lowest threshold at which at most a fraction target of the attacks of
 * kind k (every kind: k < 0) pass: just above the score of the attack that
 * would be one too many */
static double
thr_at(const struct rec *r, size_t n, int k, double target, bool req)
{
	static double v[MAXREC];
	size_t m = 0, allowed;

	for (size_t i = 0; i < n; i++)
		if (r[i].done && !r[i].noface && r[i].kind != SY_BONA_FIDE &&
		    (k < 0 || r[i].kind == (enum synth_kind)k))
			v[m++] = fused_of(&r[i], req);
	if (m == 0)
		return 0;
	qsort(v, m, sizeof(double), cmp_d);
	allowed = (size_t)floor(target * (double)m + 1e-9);
	if (allowed >= m)
		return 0;
	/* v[m - 1 - allowed] must fail: the threshold just above it */
	return nextafter(v[m - 1 - allowed], 2.0);
}

static void
pr_rate(size_t x, size_t n)
{
	double lo, hi;

	cp95(x, n, &lo, &hi);
	if (n == 0)
		printf(" %6s %15s", "-", "");
	else
		printf(" %5.1f%% [%4.1f, %4.1f]%%", 100.0 * (double)x / (double)n, 100 * lo, 100 * hi);
}

static void
report(const struct rec *r, size_t n, bool req, double thr)
{
	size_t nb = 0, rej, na, worstx = 0, worstn = 0;
	double tw5 = 0, tw1 = 0;

	printf("\n-- policy: sign of life %s, threshold %.2f --\n", req ? "REQUIRED" : "optional",
	    thr);
	printf("%-14s %6s %7s %6s %-22s %-17s %-17s\n", "type", "count", "no-face", "passed",
	    "APCER [95% CP]", "BPCER20 (thr)", "BPCER100 (thr)");
	for (int k = 1; k < SY_KIND_COUNT; k++) {
		size_t nf = 0, x = passes(r, n, k, thr, req, &na), b5, b1;
		double t5 = thr_at(r, n, k, 0.05, req), t1 = thr_at(r, n, k, 0.01, req);

		for (size_t i = 0; i < n; i++)
			nf += r[i].done && r[i].kind == (enum synth_kind)k && r[i].noface;
		b5 = refusals(r, n, t5, req, 0, false, &nb);
		b1 = refusals(r, n, t1, req, 0, false, &nb);
		printf("%-14s %6zu %7zu %6zu", synth_kind_name((enum synth_kind)k), na, nf, x);
		pr_rate(x, na);
		printf("  %5.1f%% (%.3f)  %5.1f%% (%.3f)\n", 100.0 * (double)b5 / (double)nb, t5,
		    100.0 * (double)b1 / (double)nb, t1);
		if (na > 0 && (double)x / (double)na >= (worstn ? (double)worstx / (double)worstn : 0)) {
			worstx = x;
			worstn = na;
		}
		tw5 = fmax(tw5, t5);
		tw1 = fmax(tw1, t1);
	}
	{
		size_t x = passes(r, n, -1, thr, req, &na);

		printf("%-14s %6zu %7s %6zu", "(all attacks)", na, "", x);
		pr_rate(x, na);
		printf("\n");
	}
	rej = refusals(r, n, thr, req, 0, false, &nb);
	printf("%-14s %6zu %7s %6zu", "BPCER", nb, "", rej);
	pr_rate(rej, nb);
	printf("   (worst type's APCER");
	pr_rate(worstx, worstn);
	printf(")\n");
	{
		size_t b5 = refusals(r, n, tw5, req, 0, false, &nb);
		size_t b1 = refusals(r, n, tw1, req, 0, false, &nb);

		printf("BPCER20 (every type's APCER <= 5%%):  %5.1f%% at threshold %.3f\n",
		    100.0 * (double)b5 / (double)nb, tw5);
		printf("BPCER100 (every type's APCER <= 1%%): %5.1f%% at threshold %.3f\n",
		    100.0 * (double)b1 / (double)nb, tw1);
	}
	printf("BPCER by condition of capture (a presentation may have several):\n");
	{
		size_t c0 = refusals(r, n, thr, req, 0, true, &nb);

		printf("  %-16s %5zu %4zu", "none", nb, c0);
		pr_rate(c0, nb);
		printf("\n");
	}
	for (int b = 0; b < SYC_COUNT_BITS; b++) {
		size_t x = refusals(r, n, thr, req, 1u << b, false, &nb);

		if (nb == 0)
			continue;
		printf("  %-16s %5zu %4zu", synth_cond_name(b), nb, x);
		pr_rate(x, nb);
		printf("\n");
	}
	/* by person: a cue that fails a person's skin, hair or room fails them
	 * again and again, which a per-presentation rate hides */
	printf("BPCER by person (faces with a refusal, most first):\n");
	{
		size_t pb[NFACES] = { 0 }, pr[NFACES] = { 0 }, shown = 0;

		for (size_t i = 0; i < n; i++) {
			if (!r[i].done || r[i].kind != SY_BONA_FIDE || r[i].noface ||
			    r[i].face < 0 || r[i].face >= NFACES)
				continue;
			pb[r[i].face]++;
			pr[r[i].face] += fused_of(&r[i], req) < thr;
		}
		for (;;) {
			int w = -1;

			for (int f = 0; f < NFACES; f++)
				if (pr[f] > 0 && (w < 0 || pr[f] * pb[w] > pr[w] * pb[f]))
					w = f;
			if (w < 0)
				break;
			printf("  face %2d (person %2d) %5zu %4zu", w, person[w], pb[w], pr[w]);
			pr_rate(pr[w], pb[w]);
			printf("\n");
			pr[w] = 0;
			shown++;
		}
		if (shown == 0)
			printf("  none\n");
	}
}

static int
dump_tsv(const char *path, const struct rec *r, size_t n, bool tune)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "set\tface\tperson\tseed\tbona\tkind\tcond\tnoface\tfused\tfused_req\tby");
	for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
		const char *nm = face_pad_cue_name((enum face_pad_cue)c);

		fprintf(f, "\t%s_state\t%s_raw\t%s_score\t%s_detail", nm, nm, nm, nm);
	}
	fprintf(f, "\tdesc\n");
	for (size_t i = 0; i < n; i++) {
		if (!r[i].done)
			continue;
		fprintf(f, "%s\t%d\t%d\t%d\t%d\t%s\t%u\t%d\t%.6f\t%.6f\t%s", tune ? "tune" : "heldout",
		    r[i].face, person[r[i].face], r[i].seed, r[i].bona, synth_kind_name(r[i].kind),
		    r[i].cond, r[i].noface, r[i].fused, r[i].fused_req,
		    r[i].noface ? "-" : r[i].by);
		for (int c = 0; c < FACE_PAD_CUE_COUNT; c++)
			fprintf(f, "\t%s\t%.6g\t%.6g\t%s", face_pad_state_str(r[i].st[c]), r[i].raw[c],
			    r[i].score[c], r[i].detail[c]);
		fprintf(f, "\t%s\n", r[i].desc);
	}
	return fclose(f) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct face_ctx *ctx = NULL;
	struct fcv_image samples[NSAMPLES];
	struct face_in fin[NFACES];
	struct rec *recs = MAP_FAILED;
	struct run run;
	size_t nrec = 0;
	bool tune = false, quick = false, depth = false, verbose = false, conditions = true;
	int seeds = 12, seed_base = 10000, bona = 2, frames = 8, jobs = 1, ret = 2, f = 0;
	const char *dump = NULL, *cache = NULL;
	char err[512];
	struct timespec w0, w1;

	memset(samples, 0, sizeof(samples));
	memset(fin, 0, sizeof(fin));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tune") == 0)
			tune = true;
		else if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "--depth") == 0)
			depth = true;
		else if (strcmp(argv[i], "--no-conditions") == 0)
			conditions = false;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc)
			seeds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed-base") == 0 && i + 1 < argc)
			seed_base = atoi(argv[++i]);
		else if (strcmp(argv[i], "--bona") == 0 && i + 1 < argc)
			bona = atoi(argv[++i]);
		else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
			frames = atoi(argv[++i]);
		else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc)
			jobs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
			dump = argv[++i];
		else if (strcmp(argv[i], "--cache") == 0 && i + 1 < argc)
			cache = argv[++i];
		else {
			usage();
			return 2;
		}
	}
	if (quick)
		seeds = 1;
	if (seeds < 1 || seeds > 100 || frames < 2 || frames > SYNTH_MAX_FRAMES || bona < 1 ||
	    bona > 8 || jobs < 1 || jobs > 16 || seed_base < 100 || seed_base > 1000000) {
		usage();
		return 2;
	}
	if (tune)
		seed_base = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pad-harness: SYNTHETIC presentation attacks — NOT a certification "
	    "(docs/face.md)\n");
	printf("people: %s set (%s person numbers), seeds %d..%d, %d bona fide and 1 attack of "
	    "each type per person and seed, %d frames each, conditions of capture %s\n",
	    tune ? "TUNING" : "HELD-OUT", tune ? "even" : "odd", seed_base + 1, seed_base + seeds,
	    bona, frames, conditions ? "on" : "off");
	if (jobs > 1)
		fcv_set_threads(1);	/* no OpenCV worker pool across fork() */
	if (face_ctx_new(FACE_PROFILE_SRC, EGATE_MODEL_DIR, &ctx, err, sizeof(err)) != EG_OK) {
		fprintf(stderr, "pad-harness: cannot load the models: %s\n", err);
		return 2;
	}
	for (int s = 0; s < NSAMPLES; s++) {
		if (load_sample(s, &samples[s]) != EG_OK)
			goto out;
		for (unsigned k = 1; k <= sample_faces[s]; k++, f++) {
			struct face_opts fo = { .quality = false };
			struct face_result r;
			double ctr[2];

			if (face_analyse_nth(ctx, &samples[s], k, &fo, &r) != EG_OK ||
			    synth_portrait(&samples[s], &r.box, (uint64_t)f, &fin[f].scene, ctr) != EG_OK) {
				fprintf(stderr, "pad-harness: sample%d.jpg#%u: no face\n", s + 1, k);
				goto out;
			}
			face_result_wipe(&r);
			{
				/* one person: the others' faces painted over */
				struct face_box b[FACE_MAX_FACES];
				size_t nb = 0, keep = 0;
				double bd = 1e300;

				if (face_detect(ctx, &fin[f].scene, b, FACE_MAX_FACES, &nb) != EG_OK)
					goto out;
				for (size_t i = 0; i < nb; i++) {
					double dx = (b[i].x1 + b[i].x2) / 2 - ctr[0];
					double dy = (b[i].y1 + b[i].y2) / 2 - ctr[1];

					if (dx * dx + dy * dy < bd) {
						bd = dx * dx + dy * dy;
						keep = i;
					}
				}
				synth_unface(&fin[f].scene, b, nb, keep);
			}
			fin[f].ok = analyse_near(ctx, &fin[f].scene, ctr[0], ctr[1], &fin[f].res) == EG_OK;
			{
				struct face_box b[FACE_MAX_FACES];
				size_t nb = 0;

				if (fcv_image_crop(&fin[f].scene, &(struct fcv_rect){ 0, 0, SYNTH_W,
				    SYNTH_H }, 0, 0, &fin[f].room) != EG_OK ||
				    face_detect(ctx, &fin[f].room, b, FACE_MAX_FACES, &nb) != EG_OK ||
				    synth_room(&fin[f].room, b, nb) != EG_OK)
					goto out;
			}
		}
	}
	/* the work list: one record per presentation, shared with the workers */
	recs = mmap(NULL, MAXREC * sizeof(*recs), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (recs == MAP_FAILED)
		goto out;
	for (f = 0; f < NFACES; f++) {
		if ((person[f] % 2 == 0) != tune || !fin[f].ok)
			continue;
		for (int sd = 1; sd <= seeds; sd++)
			for (int k = 0; k < SY_KIND_COUNT; k++)
				for (int b = 0; b < (k == SY_BONA_FIDE ? bona : 1); b++) {
					if (nrec >= MAXREC)
						goto out;
					memset(&recs[nrec], 0, sizeof(recs[nrec]));
					recs[nrec].kind = (enum synth_kind)k;
					recs[nrec].face = f;
					recs[nrec].seed = seed_base + sd;
					recs[nrec].bona = b;
					nrec++;
				}
	}
	run = (struct run){ .ctx = ctx, .fin = fin, .frames = frames, .verbose = verbose,
		.flags = (depth ? SYNTH_DEPTH : 0u) | (conditions ? SYNTH_CONDITIONS : 0u),
		.cache = depth ? NULL : cache };
	clock_gettime(CLOCK_MONOTONIC, &w0);
	if (jobs == 1) {
		for (size_t i = 0; i < nrec; i++)
			if (one(&run, &recs[i]) != EG_OK)
				goto out;
	} else {
		pid_t pid[16];
		bool failed = false;

		fflush(stdout);
		for (int j = 0; j < jobs; j++) {
			if ((pid[j] = fork()) < 0) {
				perror("fork");
				jobs = j;
				failed = true;
				break;
			}
			if (pid[j] == 0) {
				for (size_t i = (size_t)j; i < nrec; i += (size_t)jobs)
					if (one(&run, &recs[i]) != EG_OK)
						_exit(2);
				fflush(stdout);
				_exit(0);
			}
		}
		for (int j = 0; j < jobs; j++) {
			int st = 0;

			if (waitpid(pid[j], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed = true;
		}
		if (failed) {
			fprintf(stderr, "pad-harness: a worker failed\n");
			goto out;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	if (dump != NULL && dump_tsv(dump, recs, nrec, tune) != 0)
		goto out;
	{
		static double ms[MAXREC];
		size_t m = 0;

		for (size_t i = 0; i < nrec; i++)
			if (recs[i].done && !recs[i].noface)
				ms[m++] = recs[i].ms;
		printf("%zu presentations in %.0f s (%d process%s); PAD median %.1f ms a presentation "
		    "(this build, this load; bench-pad measures it properly)\n", nrec,
		    (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9, jobs,
		    jobs == 1 ? "" : "es", pct(ms, m, 50));
		for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
			m = 0;
			for (size_t i = 0; i < nrec; i++)
				if (recs[i].done && !recs[i].noface)
					ms[m++] = recs[i].cue_ms[c];
			printf("  %s %.2f ms", face_pad_cue_name((enum face_pad_cue)c), pct(ms, m, 50));
		}
		printf("\n");
	}
	if (tune) {
		/* each cue's raw measure per class: where to put its decision point */
		static double v[MAXREC];

		for (int c = 0; c < FACE_PAD_CUE_COUNT; c++) {
			printf("\ncue %-14s  scored/total   p1      p5      p50     p95     p99\n",
			    face_pad_cue_name((enum face_pad_cue)c));
			for (int k = 0; k < SY_KIND_COUNT; k++) {
				size_t m = 0, tot = 0;

				for (size_t i = 0; i < nrec; i++) {
					if (recs[i].kind != (enum synth_kind)k || recs[i].noface)
						continue;
					tot++;
					if (recs[i].st[c] == FACE_PAD_SCORED)
						v[m++] = recs[i].raw[c];
				}
				printf("  %-14s %5zu/%-5zu", synth_kind_name((enum synth_kind)k), m, tot);
				if (m > 0)
					printf(" %7.3f %7.3f %7.3f %7.3f %7.3f", pct(v, m, 1), pct(v, m, 5),
					    pct(v, m, 50), pct(v, m, 95), pct(v, m, 99));
				printf("\n");
			}
		}
	}
	report(recs, nrec, false, 0.5);
	report(recs, nrec, true, 0.5);
	{
		/* which cue decided the attacks that were caught; how many cues
		 * saw each attack */
		int by[SY_KIND_COUNT][FACE_PAD_CUE_COUNT + 2];
		int ncues[SY_KIND_COUNT][5];

		memset(by, 0, sizeof(by));
		memset(ncues, 0, sizeof(ncues));
		printf("\nattacks caught (sign of life optional), by the deciding cue; and the number "
		    "of cues scoring each attack under 0.5 (0 1 2 3 4+):\n");
		for (size_t i = 0; i < nrec; i++) {
			int c, below = 0;

			if (recs[i].noface || recs[i].kind == SY_BONA_FIDE)
				continue;
			for (int q = 0; q < FACE_PAD_CUE_COUNT; q++)
				below += recs[i].st[q] == FACE_PAD_SCORED && recs[i].score[q] < 0.5 &&
				    q != FACE_PAD_MICRO_MOTION && q != FACE_PAD_BLINK;
			ncues[recs[i].kind][below > 4 ? 4 : below]++;
			if (recs[i].fused >= 0.5)
				continue;
			c = face_pad_cue_by_name(recs[i].by);
			by[recs[i].kind][c < 0 ? FACE_PAD_CUE_COUNT : c]++;
		}
		for (int k = 1; k < SY_KIND_COUNT; k++) {
			printf("  %-14s", synth_kind_name((enum synth_kind)k));
			for (int c = 0; c <= FACE_PAD_CUE_COUNT; c++)
				if (by[k][c] > 0)
					printf(" %s %d", c < FACE_PAD_CUE_COUNT ?
					    face_pad_cue_name((enum face_pad_cue)c) : "other", by[k][c]);
			printf("   | cues under 0.5: %d %d %d %d %d\n", ncues[k][0], ncues[k][1],
			    ncues[k][2], ncues[k][3], ncues[k][4]);
		}
	}
	printf("\nbona fide refused (sign of life optional):\n");
	for (size_t i = 0; i < nrec; i++)
		if (recs[i].kind == SY_BONA_FIDE && !recs[i].noface && recs[i].fused < 0.5)
			printf("  face %2d seed %d: %.3f by %s | %s\n", recs[i].face, recs[i].seed,
			    recs[i].fused, recs[i].by, recs[i].desc);
	printf("attacks passed (sign of life optional):\n");
	for (size_t i = 0; i < nrec; i++)
		if (recs[i].kind != SY_BONA_FIDE && !recs[i].noface && recs[i].fused >= 0.5)
			printf("  face %2d seed %d: %.3f (req %.3f) | %s\n", recs[i].face, recs[i].seed,
			    recs[i].fused, recs[i].fused_req, recs[i].desc);
	{
		size_t nb, na, rej = refusals(recs, nrec, 0.5, true, 0, false, &nb);
		double worst = 0;

		for (int k = 1; k < SY_KIND_COUNT; k++) {
			size_t x = passes(recs, nrec, k, 0.5, true, &na);

			worst = na > 0 && (double)x / (double)na > worst ? (double)x / (double)na : worst;
		}
		ret = nb > 0 && (double)rej / (double)nb <= 0.05 && worst <= 0.05 ? 0 : 1;
		printf("\nacceptance (sign of life required, threshold 0.50): BPCER %.1f%%, worst "
		    "APCER %.1f%%: %s\n", nb ? 100.0 * (double)rej / (double)nb : 0, 100 * worst,
		    ret == 0 ? "MET" : "NOT MET");
	}
out:
	for (int i = 0; i < NFACES; i++) {
		fcv_image_free(&fin[i].scene);
		fcv_image_free(&fin[i].room);
		face_result_wipe(&fin[i].res);
	}
	for (int i = 0; i < NSAMPLES; i++)
		fcv_image_free(&samples[i]);
	if (recs != MAP_FAILED)
		munmap(recs, MAXREC * sizeof(*recs));
	face_ctx_free(&ctx);
	return ret;
}
