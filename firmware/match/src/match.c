/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match.c — 1:1 cosine and the 1:N gallery: storage, conversion on add, and
 * the search (chunked scan, per-thread top-k, merge, optional re-scoring).
 *
 * The search walks the gallery in chunks of about 256 KiB so that a batch of
 * queries reuses each chunk from L2 instead of re-reading DRAM once per query.
 * Each thread keeps, per query, a sorted candidate list; a row enters only if
 * it beats the current worst (equal scores keep the earlier row), so ties are
 * always resolved by insertion order, also across threads.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "match_impl.h"

_Static_assert(MATCH_DIM_MAX == MATCH_KERN_DIM_MAX, "kernel stack buffers sized for MATCH_DIM_MAX");

#define CHUNK_BYTES (256u * 1024u)
#define PAR_MIN_ROWS 4096u	/* below this a second thread costs more than it saves */

float
match_cosine(const float *a, const float *b, size_t d)
{
	const struct match_kernels *k = match_kern_find(NULL);

	if (a == NULL || b == NULL || d == 0)
		return 0.0f;
	if (k == NULL)
		k = &match_kern_scalar;
	return k->dot_f32(a, b, d);
}

int
match_l2_normalize(float *v, size_t d)
{
	double s = 0.0;
	float inv;
	size_t i;

	if (v == NULL || d == 0)
		return EG_ERR_INVAL;
	for (i = 0; i < d; i++)
		s += (double)v[i] * (double)v[i];
	if (!(s > 0.0) || !isfinite(s))
		return EG_ERR_INVAL;
	inv = (float)(1.0 / sqrt(s));
	for (i = 0; i < d; i++)
		v[i] *= inv;
	return EG_OK;
}

size_t
match_vec_bytes(enum match_format f, uint32_t dim)
{
	switch (f) {
	case MATCH_F32: return (size_t)dim * 4;
	case MATCH_F16: return (size_t)dim * 2;
	case MATCH_I8: return dim;
	}
	return 0;
}

size_t
match_rvec_bytes(enum match_rescore r, uint32_t dim)
{
	switch (r) {
	case MATCH_RESCORE_NONE: return 0;
	case MATCH_RESCORE_F16: return (size_t)dim * 2;
	case MATCH_RESCORE_F32: return (size_t)dim * 4;
	}
	return 0;
}

static void *
alloc64(size_t n)
{
	void *p = NULL;

	if (n == 0)
		n = 64;
	n = (n + 63) & ~(size_t)63;
	if (posix_memalign(&p, 64, n) != 0)
		return NULL;
	memset(p, 0, n);
	return p;
}

/* Wipe and free: embeddings are biometric data. */
static void
wipe_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	eg_memzero(p, n);
	free(p);
}

static void
scratch_free(struct match_gallery *g)
{
	unsigned t;

	for (t = 0; t < MATCH_THREADS_MAX; t++) {
		free(g->ts[t].scores);
		free(g->ts[t].iscores);
		free(g->ts[t].cand);
		free(g->ts[t].ncand);
		memset(&g->ts[t], 0, sizeof(g->ts[t]));
	}
	wipe_free(g->q8, (size_t)g->max_nq * g->dim);
	g->q8 = NULL;
	free(g->qscale);
	g->qscale = NULL;
}

void
match_gallery_free(struct match_gallery **gp)
{
	struct match_gallery *g;

	if (gp == NULL || *gp == NULL)
		return;
	g = *gp;
	scratch_free(g);
	free(g->ids);
	wipe_free(g->vec, g->cap * match_vec_bytes(g->format, g->dim));
	wipe_free(g->scales, g->cap * sizeof(float));
	wipe_free(g->rvec, g->cap * match_rvec_bytes(g->rescore, g->dim));
	free(g);
	*gp = NULL;
}

int
match_gallery_new(const struct match_params *p, struct match_gallery **out)
{
	struct match_gallery *g = NULL;
	size_t rowb;
	unsigned t;
	int ret = EG_ERR_INVAL;

	if (p == NULL || out == NULL)
		goto out;
	if (p->dim == 0 || p->dim > MATCH_DIM_MAX || p->dim % MATCH_DIM_ALIGN != 0)
		goto out;
	if (p->format != MATCH_F32 && p->format != MATCH_F16 && p->format != MATCH_I8)
		goto out;
	if (p->rescore != MATCH_RESCORE_NONE && p->rescore != MATCH_RESCORE_F16 &&
	    p->rescore != MATCH_RESCORE_F32)
		goto out;
	if (p->rescore != MATCH_RESCORE_NONE && p->format != MATCH_I8)
		goto out;
	if (p->threads > MATCH_THREADS_MAX || p->max_k > MATCH_K_MAX ||
	    p->rescore_k > MATCH_K_MAX || p->max_nq > 4096)
		goto out;
	ret = EG_ERR_NOMEM;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		goto out;
	g->dim = p->dim;
	g->format = p->format;
	g->rescore = p->rescore;
	g->rescore_k = p->rescore_k ? p->rescore_k : 16;
	g->threads = p->threads ? p->threads : 1;
	g->max_nq = p->max_nq ? p->max_nq : 32;
	g->max_k = p->max_k ? p->max_k : 16;
	g->cand_max = g->max_k;
	if (g->rescore != MATCH_RESCORE_NONE && g->rescore_k > g->cand_max)
		g->cand_max = g->rescore_k;
	ret = EG_ERR_NOT_FOUND;
	g->kern = match_kern_find(p->kernel);
	if (g->kern == NULL)
		goto out;
	ret = EG_ERR_NOMEM;
	rowb = match_vec_bytes(g->format, g->dim);
	g->chunk_rows = CHUNK_BYTES / rowb;
	g->chunk_rows -= g->chunk_rows % MATCH_I8_BLOCK;
	if (g->chunk_rows < 64)
		g->chunk_rows = 64;
	for (t = 0; t < g->threads; t++) {
		/* room for four queries' scores (the scan4 kernels) */
		g->ts[t].scores = alloc64(4 * g->chunk_rows * sizeof(float));
		g->ts[t].iscores = alloc64(4 * g->chunk_rows * sizeof(int32_t));
		g->ts[t].cand = alloc64((size_t)g->max_nq * g->cand_max * sizeof(struct match_cand));
		g->ts[t].ncand = alloc64((size_t)g->max_nq * sizeof(uint32_t));
		if (!g->ts[t].scores || !g->ts[t].iscores || !g->ts[t].cand || !g->ts[t].ncand)
			goto out;
	}
	g->q8 = alloc64((size_t)g->max_nq * g->dim);
	g->qscale = alloc64((size_t)g->max_nq * sizeof(float));
	if (g->q8 == NULL || g->qscale == NULL)
		goto out;
	if (p->capacity > 0 && match_gallery_reserve(g, p->capacity) != EG_OK)
		goto out;
	*out = g;
	g = NULL;
	ret = EG_OK;
out:
	match_gallery_free(&g);
	return ret;
}

int
match_gallery_reserve(struct match_gallery *g, size_t n)
{
	size_t cap, vb = match_vec_bytes(g->format, g->dim), rb = match_rvec_bytes(g->rescore, g->dim);
	uint64_t *ids = NULL;
	void *vec = NULL, *rvec = NULL;
	float *scales = NULL;
	int ret = EG_ERR_OVERFLOW;

	if (n <= g->cap)
		return EG_OK;
	/* rows are indexed by uint32_t in the candidate lists */
	if (n > UINT32_MAX - 2 * MATCH_I8_BLOCK)
		goto out;
	cap = g->cap * 2 > n ? g->cap * 2 : n;
	if (cap > UINT32_MAX - MATCH_I8_BLOCK)
		cap = n;
	cap = (cap + MATCH_I8_BLOCK - 1) / MATCH_I8_BLOCK * MATCH_I8_BLOCK;
	if (cap > SIZE_MAX / (vb + rb + 16))
		goto out;
	ret = EG_ERR_NOMEM;
	ids = alloc64(cap * sizeof(*ids));
	vec = alloc64(cap * vb);
	scales = g->format == MATCH_I8 ? alloc64(cap * sizeof(float)) : NULL;
	rvec = rb ? alloc64(cap * rb) : NULL;
	if (!ids || !vec || (g->format == MATCH_I8 && !scales) || (rb && !rvec))
		goto out;
	if (g->cap > 0) {
		memcpy(ids, g->ids, g->cap * sizeof(*ids));
		memcpy(vec, g->vec, g->cap * vb);	/* whole blocks: layout unchanged */
		if (scales)
			memcpy(scales, g->scales, g->cap * sizeof(float));
		if (rvec)
			memcpy(rvec, g->rvec, g->cap * rb);
	}
	free(g->ids);
	wipe_free(g->vec, g->cap * vb);
	wipe_free(g->scales, g->cap * sizeof(float));
	wipe_free(g->rvec, g->cap * rb);
	g->ids = ids;
	g->vec = vec;
	g->scales = scales;
	g->rvec = rvec;
	g->cap = cap;
	ids = NULL;
	vec = rvec = NULL;
	scales = NULL;
	ret = EG_OK;
out:
	free(ids);
	free(vec);
	free(scales);
	free(rvec);
	return ret;
}

static int
all_finite(const float *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

int
match_gallery_add(struct match_gallery *g, const float *vecs, const uint64_t *ids, size_t n)
{
	_Alignas(64) int8_t q[MATCH_DIM_MAX];
	size_t i, j, d;
	int ret = EG_ERR_INVAL;

	if (g == NULL || (n > 0 && (vecs == NULL || ids == NULL)))
		goto out;
	ret = EG_OK;
	if (n == 0)
		goto out;
	d = g->dim;
	ret = EG_ERR_INVAL;
	if (n > SIZE_MAX / d || !all_finite(vecs, n * d))
		goto out;
	for (i = 0; i < n; i++)
		if (ids[i] == MATCH_ID_NONE)
			goto out;
	ret = EG_ERR_OVERFLOW;
	if (n > SIZE_MAX - g->n)
		goto out;
	/* all checks and the only allocation come first: on error nothing changed */
	ret = match_gallery_reserve(g, g->n + n);
	if (ret != EG_OK)
		goto out;
	for (i = 0; i < n; i++) {
		const float *v = vecs + i * d;
		size_t r = g->n + i;

		g->ids[r] = ids[i];
		switch (g->format) {
		case MATCH_F32:
			memcpy((float *)g->vec + r * d, v, d * sizeof(float));
			break;
		case MATCH_F16:
			for (j = 0; j < d; j++)
				((uint16_t *)g->vec)[r * d + j] = match_f32_to_f16(v[j]);
			break;
		case MATCH_I8:
			g->scales[r] = match_quantize_i8(v, d, q);
			match_i8_store_row(g->vec, r, d, q);
			break;
		}
		if (g->rescore == MATCH_RESCORE_F16)
			for (j = 0; j < d; j++)
				((uint16_t *)g->rvec)[r * d + j] = match_f32_to_f16(v[j]);
		else if (g->rescore == MATCH_RESCORE_F32)
			memcpy((float *)g->rvec + r * d, v, d * sizeof(float));
	}
	g->n += n;
	ret = EG_OK;
out:
	eg_memzero(q, sizeof(q));
	return ret;
}

/* a better than b: higher score, or equal score and earlier row */
static inline int
cand_better(const struct match_cand *a, const struct match_cand *b)
{
	return a->s > b->s || (a->s == b->s && a->row < b->row);
}

/* Insert (s, row) into the sorted list c[0..*nc) of capacity kk. Rows arrive
 * in increasing order within a thread, so an equal score never displaces. */
static inline void
cand_push(struct match_cand *c, uint32_t *nc, uint32_t kk, float s, uint32_t row)
{
	uint32_t i = *nc;

	if (i == kk) {
		if (!(s > c[kk - 1].s))
			return;
		i = kk - 1;
	} else {
		(*nc)++;
	}
	while (i > 0 && s > c[i - 1].s) {
		c[i] = c[i - 1];
		i--;
	}
	c[i].s = s;
	c[i].row = row;
}

struct scan_job {
	struct match_gallery *g;
	const float *queries;
	size_t nq, r0, r1;
	uint32_t kk;
	struct match_tscratch *ts;
};

/* Offer scores sc[0..m) of rows c0.. to one query's candidate list. */
static void
topk_update(struct match_cand *cand, uint32_t *nc, uint32_t kk, const float *sc, size_t m, size_t c0)
{
	float thr = *nc == kk ? cand[kk - 1].s : -INFINITY;
	size_t i;

	for (i = 0; i < m; i++)
		if (sc[i] > thr || *nc < kk) {
			cand_push(cand, nc, kk, sc[i], (uint32_t)(c0 + i));
			thr = *nc == kk ? cand[kk - 1].s : -INFINITY;
		}
}

/* Scan rows [r0, r1) for all queries into the thread's candidate lists. Each
 * chunk is scanned for four queries at once where the kernel can. */
static void *
scan_range(void *arg)
{
	struct scan_job *job = arg;
	struct match_gallery *g = job->g;
	struct match_tscratch *ts = job->ts;
	const struct match_kernels *k = g->kern;
	size_t d = g->dim, cr = g->chunk_rows, c0, c1, qi, i, u, nb;

	for (qi = 0; qi < job->nq; qi++)
		ts->ncand[qi] = 0;
	for (c0 = job->r0; c0 < job->r1; c0 = c1) {
		size_t m;

		c1 = c0 + cr < job->r1 ? c0 + cr : job->r1;
		m = c1 - c0;
		for (qi = 0; qi < job->nq; qi += nb) {
			const float *q = job->queries + qi * d;
			int four = job->nq - qi >= 4;

			switch (g->format) {
			case MATCH_F32:
				four = four && k->scan4_f32 != NULL;
				if (four)
					k->scan4_f32((const float *)g->vec + c0 * d, m, d, q, ts->scores, cr);
				else
					k->scan_f32((const float *)g->vec + c0 * d, m, d, q, ts->scores);
				break;
			case MATCH_F16:
				four = four && k->scan4_f16 != NULL;
				if (four)
					k->scan4_f16((const uint16_t *)g->vec + c0 * d, m, d, q, ts->scores, cr);
				else
					k->scan_f16((const uint16_t *)g->vec + c0 * d, m, d, q, ts->scores);
				break;
			case MATCH_I8: {
				/* c0 is a multiple of 8: whole blocks; padding rows are zero */
				const int8_t *blk = (const int8_t *)g->vec + c0 * d;
				size_t nblk = (m + MATCH_I8_BLOCK - 1) / MATCH_I8_BLOCK;

				four = four && k->scan4_i8 != NULL;
				if (four)
					k->scan4_i8(blk, nblk, d, g->q8 + qi * d, ts->iscores, cr);
				else
					k->scan_i8(blk, nblk, d, g->q8 + qi * d, ts->iscores);
				for (u = 0; u < (four ? 4u : 1u); u++) {
					const float qs = g->qscale[qi + u], *rs = g->scales + c0;
					const int32_t *is = ts->iscores + u * cr;
					float *sc = ts->scores + u * cr;

					for (i = 0; i < m; i++)
						sc[i] = (float)is[i] * rs[i] * qs;
				}
				break;
			}
			}
			nb = four ? 4 : 1;
			for (u = 0; u < nb; u++)
				topk_update(ts->cand + (qi + u) * g->cand_max, &ts->ncand[qi + u], job->kk,
				    ts->scores + u * cr, m, c0);
		}
	}
	return NULL;
}

/* Exact re-score of one candidate against the re-scoring copy. */
static float
rescore_one(const struct match_gallery *g, const float *q, uint32_t row)
{
	float s;

	if (g->rescore == MATCH_RESCORE_F32)
		return g->kern->dot_f32((const float *)g->rvec + (size_t)row * g->dim, q, g->dim);
	g->kern->scan_f16((const uint16_t *)g->rvec + (size_t)row * g->dim, 1, g->dim, q, &s);
	return s;
}

int
match_gallery_search(struct match_gallery *g, const float *queries, size_t nq, size_t k,
    struct match_hit *results)
{
	struct scan_job jobs[MATCH_THREADS_MAX];
	struct match_cand merged[2 * MATCH_K_MAX];
	pthread_t th;
	size_t qi, i, d, nthreads = 1, split;
	uint32_t kk;
	int started = 0, ret = EG_ERR_INVAL;

	if (g == NULL || queries == NULL || results == NULL || nq == 0 || nq > g->max_nq ||
	    k == 0 || k > g->max_k)
		goto out;
	d = g->dim;
	if (!all_finite(queries, nq * d))
		goto out;
	kk = (uint32_t)k;
	if (g->rescore != MATCH_RESCORE_NONE && g->rescore_k > kk)
		kk = g->rescore_k;
	if (g->format == MATCH_I8)
		for (qi = 0; qi < nq; qi++)
			g->qscale[qi] = match_quantize_i8(queries + qi * d, d, g->q8 + qi * d);

	if (g->threads > 1 && g->n >= PAR_MIN_ROWS)
		nthreads = 2;
	split = nthreads == 2 ? (g->n / 2 + MATCH_I8_BLOCK - 1) / MATCH_I8_BLOCK * MATCH_I8_BLOCK : g->n;
	for (i = 0; i < nthreads; i++) {
		jobs[i].g = g;
		jobs[i].queries = queries;
		jobs[i].nq = nq;
		jobs[i].r0 = i == 0 ? 0 : split;
		jobs[i].r1 = i == 0 ? split : g->n;
		jobs[i].kk = kk;
		jobs[i].ts = &g->ts[i];
	}
	if (nthreads == 2) {
		if (pthread_create(&th, NULL, scan_range, &jobs[1]) != 0) {
			ret = EG_ERR_STATE;
			goto out;
		}
		started = 1;
	}
	scan_range(&jobs[0]);
	if (started)
		pthread_join(th, NULL);

	for (qi = 0; qi < nq; qi++) {
		const struct match_cand *a = g->ts[0].cand + qi * g->cand_max;
		uint32_t na = g->ts[0].ncand[qi], nb = 0, ia = 0, ib = 0, nm = 0;
		const struct match_cand *b = NULL;
		struct match_hit *res = results + qi * k;

		if (nthreads == 2) {
			b = g->ts[1].cand + qi * g->cand_max;
			nb = g->ts[1].ncand[qi];
		}
		while (nm < kk && (ia < na || ib < nb)) {
			if (ib >= nb || (ia < na && cand_better(&a[ia], &b[ib])))
				merged[nm++] = a[ia++];
			else
				merged[nm++] = b[ib++];
		}
		if (g->rescore != MATCH_RESCORE_NONE) {
			for (i = 0; i < nm; i++)
				merged[i].s = rescore_one(g, queries + qi * d, merged[i].row);
			/* insertion sort: nm ≤ MATCH_K_MAX, usually 16 */
			for (i = 1; i < nm; i++) {
				struct match_cand c = merged[i];
				size_t j = i;

				while (j > 0 && cand_better(&c, &merged[j - 1])) {
					merged[j] = merged[j - 1];
					j--;
				}
				merged[j] = c;
			}
		}
		for (i = 0; i < k; i++) {
			if (i < nm) {
				res[i].id = g->ids[merged[i].row];
				res[i].score = merged[i].s;
			} else {
				res[i].id = MATCH_ID_NONE;
				res[i].score = -INFINITY;
			}
		}
	}
	ret = EG_OK;
out:
	return ret;
}

int
match_gallery_set_threads(struct match_gallery *g, uint32_t threads)
{
	if (g == NULL || threads == 0 || threads > MATCH_THREADS_MAX || g->ts[threads - 1].scores == NULL)
		return EG_ERR_INVAL;
	g->threads = threads;
	return EG_OK;
}

size_t
match_gallery_size(const struct match_gallery *g)
{
	return g ? g->n : 0;
}

uint32_t
match_gallery_dim(const struct match_gallery *g)
{
	return g ? g->dim : 0;
}

enum match_format
match_gallery_format(const struct match_gallery *g)
{
	return g ? g->format : MATCH_F32;
}

const char *
match_gallery_kernel(const struct match_gallery *g)
{
	return g ? g->kern->name : "none";
}

size_t
match_gallery_bytes_per_row(const struct match_gallery *g)
{
	if (g == NULL)
		return 0;
	return match_vec_bytes(g->format, g->dim) + (g->format == MATCH_I8 ? sizeof(float) : 0);
}

size_t
match_gallery_memory(const struct match_gallery *g)
{
	if (g == NULL)
		return 0;
	return g->cap * (sizeof(uint64_t) + match_vec_bytes(g->format, g->dim) +
	    (g->format == MATCH_I8 ? sizeof(float) : 0) + match_rvec_bytes(g->rescore, g->dim));
}

size_t
match_kernel_count(void)
{
	const struct match_kernels *const *all = match_kern_all();
	size_t n = 0;

	while (all[n] != NULL)
		n++;
	return n;
}

const char *
match_kernel_name(size_t i)
{
	return i < match_kernel_count() ? match_kern_all()[i]->name : NULL;
}

int
match_kernel_runs(const char *name)
{
	const struct match_kernels *const *all = match_kern_all();
	size_t i;

	for (i = 0; name != NULL && all[i] != NULL; i++)
		if (strcmp(all[i]->name, name) == 0)
			return match_kern_runs(all[i]);
	return 0;
}

const char *
match_kernel_best(void)
{
	const struct match_kernels *const *all = match_kern_all();
	size_t i;

	for (i = 0; all[i] != NULL; i++)
		if (match_kern_runs(all[i]))
			return all[i]->name;
	return "scalar";
}
