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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
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
		free(g->ts[t].cscores);
		free(g->ts[t].keys);
		free(g->ts[t].nkeys);
		free(g->ts[t].thr);
		memset(&g->ts[t], 0, sizeof(g->ts[t]));
	}
	free(g->srows);
	g->srows = NULL;
	g->keycap = 0;
	free(g->luts);
	g->luts = NULL;
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
	wipe_free(g->codes, g->cap * (g->code_m / 2));
	free(g);
	*gp = NULL;
}

/*
 * The short list by gallery size, measured for recall@1 ≥ 0.99 on random
 * queries with 2-bit codes (docs/matching.md, tests/match): the rank of the
 * exact best row among the code scores grows slower than n.
 */
static size_t
shortlist_default(size_t n, unsigned bits)
{
	size_t l = 64 + n / 512;

	if (bits == 1)
		l = 256 + n / 8;
	else if (bits == 4)
		l = 32 + n / 4096;
	return l > MATCH_SHORTLIST_MAX ? MATCH_SHORTLIST_MAX : l;
}

/* rows the compact path re-scores at n rows for kk candidates */
static size_t
eff_shortlist(const struct match_gallery *g, size_t n, size_t kk)
{
	size_t l = g->shortlist ? g->shortlist : shortlist_default(n, g->code_bits);

	return l < kk ? kk : l;
}

/* Size the key scratch for the short list at the current capacity (it only
 * grows). On error the old scratch stays. */
static int
keys_reserve(struct match_gallery *g, size_t cap)
{
	size_t need = 2 * eff_shortlist(g, cap, g->cand_max) + MATCH_CODE_BLOCK;
	uint64_t *keys[MATCH_THREADS_MAX] = { NULL };
	uint32_t *rows = NULL;
	unsigned t;
	int ret = EG_ERR_NOMEM;

	if (need <= g->keycap)
		return EG_OK;
	/* every thread scratch made at creation (set_threads may lower and
	 * raise the count later) */
	for (t = 0; t < MATCH_THREADS_MAX && g->ts[t].scores != NULL; t++)
		if ((keys[t] = alloc64((size_t)g->max_nq * need * sizeof(uint64_t))) == NULL)
			goto out;
	if ((rows = alloc64(need * sizeof(uint32_t))) == NULL)
		goto out;
	for (t = 0; t < MATCH_THREADS_MAX && g->ts[t].scores != NULL; t++) {
		free(g->ts[t].keys);
		g->ts[t].keys = keys[t];
		keys[t] = NULL;
	}
	free(g->srows);
	g->srows = rows;
	rows = NULL;
	g->keycap = need;
	ret = EG_OK;
out:
	for (t = 0; t < MATCH_THREADS_MAX; t++)
		free(keys[t]);
	free(rows);
	return ret;
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
	if ((p->search != MATCH_SEARCH_COMPACT && p->search != MATCH_SEARCH_EXACT) ||
	    (p->code_bits != 0 && p->code_bits != 1 && p->code_bits != 2 && p->code_bits != 4) ||
	    p->shortlist > MATCH_SHORTLIST_MAX)
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
	g->search = p->search;
	g->code_bits = p->code_bits ? p->code_bits : 2;
	g->code_m = match_code_m(g->dim, g->code_bits);
	g->shortlist = p->shortlist;
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
	g->code_chunk_rows = CHUNK_BYTES / (g->code_m / 2);
	g->code_chunk_rows -= g->code_chunk_rows % MATCH_CODE_BLOCK;
	if (g->code_chunk_rows < MATCH_CODE_BLOCK)
		g->code_chunk_rows = MATCH_CODE_BLOCK;
	for (t = 0; t < g->threads; t++) {
		g->ts[t].cscores = alloc64(g->code_chunk_rows * sizeof(uint16_t));
		g->ts[t].nkeys = alloc64((size_t)g->max_nq * sizeof(uint32_t));
		g->ts[t].thr = alloc64((size_t)g->max_nq * sizeof(int32_t));
		if (!g->ts[t].cscores || !g->ts[t].nkeys || !g->ts[t].thr)
			goto out;
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
	g->luts = alloc64((size_t)g->max_nq * g->code_m * 16);
	if (g->q8 == NULL || g->qscale == NULL || g->luts == NULL)
		goto out;
	if (keys_reserve(g, 0) != EG_OK)
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
	size_t cb = g->code_m / 2;
	uint64_t *ids = NULL;
	uint8_t *codes = NULL;
	void *vec = NULL, *rvec = NULL;
	float *scales = NULL;
	int ret = EG_ERR_OVERFLOW;

	if (n <= g->cap)
		return EG_OK;
	/* rows are indexed by uint32_t in the candidate lists */
	if (n > UINT32_MAX - 2 * MATCH_CODE_BLOCK)
		goto out;
	cap = g->cap * 2 > n ? g->cap * 2 : n;
	if (cap > UINT32_MAX - MATCH_CODE_BLOCK)
		cap = n;
	/* whole blocks of codes (32 rows), hence of int8 rows (8) */
	cap = (cap + MATCH_CODE_BLOCK - 1) / MATCH_CODE_BLOCK * MATCH_CODE_BLOCK;
	if (cap > SIZE_MAX / (vb + rb + cb + 16))
		goto out;
	/* the short list grows with the gallery: its scratch first (it only
	 * grows, so a later failure leaves it merely larger) */
	if ((ret = keys_reserve(g, cap)) != EG_OK)
		goto out;
	ret = EG_ERR_NOMEM;
	ids = alloc64(cap * sizeof(*ids));
	vec = alloc64(cap * vb);
	scales = g->format == MATCH_I8 ? alloc64(cap * sizeof(float)) : NULL;
	rvec = rb ? alloc64(cap * rb) : NULL;
	codes = alloc64(cap * cb);
	if (!ids || !vec || (g->format == MATCH_I8 && !scales) || (rb && !rvec) || !codes)
		goto out;
	if (g->cap > 0) {
		memcpy(ids, g->ids, g->cap * sizeof(*ids));
		memcpy(vec, g->vec, g->cap * vb);	/* whole blocks: layout unchanged */
		if (scales)
			memcpy(scales, g->scales, g->cap * sizeof(float));
		if (rvec)
			memcpy(rvec, g->rvec, g->cap * rb);
		memcpy(codes, g->codes, g->cap * cb);	/* whole blocks */
	}
	free(g->ids);
	wipe_free(g->vec, g->cap * vb);
	wipe_free(g->scales, g->cap * sizeof(float));
	wipe_free(g->rvec, g->cap * rb);
	wipe_free(g->codes, g->cap * cb);
	g->ids = ids;
	g->vec = vec;
	g->scales = scales;
	g->rvec = rvec;
	g->codes = codes;
	g->cap = cap;
	ids = NULL;
	vec = rvec = NULL;
	scales = NULL;
	codes = NULL;
	ret = EG_OK;
out:
	free(ids);
	free(vec);
	free(scales);
	free(rvec);
	free(codes);
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
	float tmp[MATCH_DIM_MAX];
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
		match_code_store_row(g->codes, r, d, g->code_bits, v, tmp);
	}
	g->n += n;
	ret = EG_OK;
out:
	eg_memzero(q, sizeof(q));
	eg_memzero(tmp, sizeof(tmp));
	return ret;
}

void
match_gallery_build_codes(struct match_gallery *g, size_t r0, size_t r1)
{
	_Alignas(64) int8_t q[MATCH_DIM_MAX];
	float v[MATCH_DIM_MAX], tmp[MATCH_DIM_MAX];
	size_t r, j, d = g->dim;

	for (r = r0; r < r1; r++) {
		if (g->rescore == MATCH_RESCORE_F32 || g->format == MATCH_F32) {
			const float *src = g->rescore == MATCH_RESCORE_F32 ? (const float *)g->rvec :
			    (const float *)g->vec;

			memcpy(v, src + r * d, d * sizeof(float));
		} else if (g->rescore == MATCH_RESCORE_F16 || g->format == MATCH_F16) {
			const uint16_t *src = g->rescore == MATCH_RESCORE_F16 ? (const uint16_t *)g->rvec :
			    (const uint16_t *)g->vec;

			for (j = 0; j < d; j++)
				v[j] = match_f16_to_f32(src[r * d + j]);
		} else {
			match_i8_load_row(g->vec, r, d, q);
			for (j = 0; j < d; j++)
				v[j] = (float)q[j] * g->scales[r];
		}
		match_code_store_row(g->codes, r, d, g->code_bits, v, tmp);
	}
	eg_memzero(q, sizeof(q));
	eg_memzero(v, sizeof(v));
	eg_memzero(tmp, sizeof(tmp));
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
	size_t L;		/* compact path: short list */
	struct match_tscratch *ts;
};

/* The largest of sc[0..m) (-inf if m == 0); SSE2 is baseline on x86-64 and
 * GCC does not vectorise the scalar max reduction by itself. */
static inline float
chunk_max(const float *sc, size_t m)
{
	float mx = -INFINITY;
	size_t i = 0;
#if defined(__SSE2__)
	__m128 a = _mm_set1_ps(-INFINITY), b = a;
	float lanes[4];

	/* maxps returns its second operand when either is NaN: a NaN score is
	 * ignored here, as the scalar test below never lets one in */
	for (; i + 8 <= m; i += 8) {
		a = _mm_max_ps(_mm_loadu_ps(sc + i), a);
		b = _mm_max_ps(_mm_loadu_ps(sc + i + 4), b);
	}
	_mm_storeu_ps(lanes, _mm_max_ps(a, b));
	mx = lanes[0];
	mx = lanes[1] > mx ? lanes[1] : mx;
	mx = lanes[2] > mx ? lanes[2] : mx;
	mx = lanes[3] > mx ? lanes[3] : mx;
#endif
	for (; i < m; i++)
		mx = sc[i] > mx ? sc[i] : mx;
	return mx;
}

/* Offer scores sc[0..m) of rows c0.. to one query's candidate list. Once the
 * list is full, a chunk whose best score does not beat the worst kept is
 * skipped after one branch-free (vectorised) max pass: in a batch this
 * per-row, per-query work is what weighs next to the kernels. */
static void
topk_update(struct match_cand *cand, uint32_t *nc, uint32_t kk, const float *sc, size_t m, size_t c0)
{
	float thr = *nc == kk ? cand[kk - 1].s : -INFINITY;
	size_t i;

	if (*nc == kk && !(chunk_max(sc, m) > thr))
		return;

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

/* ---- compact path ------------------------------------------------------- */

static inline void
swap64(uint64_t *a, uint64_t *b)
{
	uint64_t t = *a;

	*a = *b;
	*b = t;
}

/* Partial selection (quickselect, keys unique): afterwards a[0..L) are the L
 * largest of a[0..n) and a[L-1] is the smallest of them. 1 ≤ L ≤ n. */
static void
select_top(uint64_t *a, size_t n, size_t L)
{
	size_t lo = 0, hi = n - 1, kth = L - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2, i, j;
		uint64_t p;

		/* median of three to a[hi], then Lomuto partition, descending */
		if (a[mid] > a[lo])
			swap64(&a[mid], &a[lo]);
		if (a[hi] > a[lo])
			swap64(&a[hi], &a[lo]);
		if (a[mid] > a[hi])
			swap64(&a[mid], &a[hi]);
		p = a[hi];
		for (i = j = lo; j < hi; j++)
			if (a[j] > p)
				swap64(&a[i++], &a[j]);
		swap64(&a[i], &a[hi]);
		if (i == kth)
			return;
		if (kth < i)
			hi = i - 1;
		else
			lo = i + 1;
	}
}

/* Scan the codes of rows [r0, r1) for all queries: each query keeps its best
 * L rows (by code score, then row) as keys; a row enters only above the
 * threshold, which rises as the list is cut back to L. */
static void *
codes_scan_range(void *arg)
{
	struct scan_job *job = arg;
	struct match_gallery *g = job->g;
	struct match_tscratch *ts = job->ts;
	const size_t m = g->code_m, cr = g->code_chunk_rows, L = job->L;
	size_t c0, c1, qi, i;

	for (qi = 0; qi < job->nq; qi++) {
		ts->nkeys[qi] = 0;
		ts->thr[qi] = -1;
	}
	for (c0 = job->r0; c0 < job->r1; c0 = c1) {
		/* c0 is a multiple of 32: whole blocks */
		const uint8_t *blk = g->codes + c0 * (m / 2);
		size_t rows, nblk;

		c1 = c0 + cr < job->r1 ? c0 + cr : job->r1;
		rows = c1 - c0;
		nblk = (rows + MATCH_CODE_BLOCK - 1) / MATCH_CODE_BLOCK;
		for (qi = 0; qi < job->nq; qi++) {
			uint64_t *keys = ts->keys + qi * g->keycap;
			const uint16_t *sc = ts->cscores;
			size_t nk = ts->nkeys[qi];
			int32_t thr = ts->thr[qi];

			g->kern->scan_codes(blk, nblk, m, g->luts + qi * m * 16, ts->cscores);
			for (i = 0; i < rows; i++) {
				if ((int32_t)sc[i] <= thr)
					continue;
				keys[nk++] = (uint64_t)sc[i] << 32 | (uint32_t)~(uint32_t)(c0 + i);
				if (nk >= 2 * L) {
					select_top(keys, nk, L);
					nk = L;
					thr = (int32_t)(keys[L - 1] >> 32);
				}
			}
			ts->nkeys[qi] = (uint32_t)nk;
			ts->thr[qi] = thr;
		}
	}
	for (qi = 0; qi < job->nq; qi++)
		if (ts->nkeys[qi] > L) {
			select_top(ts->keys + qi * g->keycap, ts->nkeys[qi], L);
			ts->nkeys[qi] = (uint32_t)L;
		}
	return NULL;
}

/* in-place heapsort of rows, ascending (no allocation) */
static void
sort_rows(uint32_t *a, size_t n)
{
	size_t i, end, root, child;
	uint32_t t;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;) {
		for (root = i; (child = 2 * root + 1) < n; root = child) {
			if (child + 1 < n && a[child + 1] > a[child])
				child++;
			if (a[root] >= a[child])
				break;
			t = a[root]; a[root] = a[child]; a[child] = t;
		}
	}
	for (end = n - 1; end > 0; end--) {
		t = a[0]; a[0] = a[end]; a[end] = t;
		for (root = 0; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && a[child + 1] > a[child])
				child++;
			if (a[root] >= a[child])
				break;
			t = a[root]; a[root] = a[child]; a[child] = t;
		}
	}
}

/*
 * The short list of query qi (both threads' best L, cut to L) re-scored with
 * the stored rows, in row order: the best kk go to out[] (sorted, ties by
 * row). The int8 rows are read a block (8 rows) at a time.
 */
static uint32_t
compact_finish(struct match_gallery *g, const float *q, size_t qi, size_t nthreads, size_t L,
    uint32_t kk, struct match_cand *out)
{
	const struct match_kernels *k = g->kern;
	uint64_t *keys = g->ts[0].keys + qi * g->keycap;
	size_t n = g->ts[0].nkeys[qi], i, d = g->dim, lastblk = SIZE_MAX;
	int32_t ib[MATCH_I8_BLOCK] = { 0 };
	uint32_t nc = 0;

	if (nthreads == 2) {
		memcpy(keys + n, g->ts[1].keys + qi * g->keycap, g->ts[1].nkeys[qi] * sizeof(*keys));
		n += g->ts[1].nkeys[qi];
	}
	if (n > L) {
		select_top(keys, n, L);
		n = L;
	}
	for (i = 0; i < n; i++)
		g->srows[i] = ~(uint32_t)keys[i];
	sort_rows(g->srows, n);
	for (i = 0; i < n; i++) {
		uint32_t row = g->srows[i];
		float s = 0.0f;

		switch (g->format) {
		case MATCH_F32:
			k->scan_f32((const float *)g->vec + (size_t)row * d, 1, d, q, &s);
			break;
		case MATCH_F16:
			k->scan_f16((const uint16_t *)g->vec + (size_t)row * d, 1, d, q, &s);
			break;
		case MATCH_I8:
			if (row / MATCH_I8_BLOCK != lastblk) {
				lastblk = row / MATCH_I8_BLOCK;
				k->scan_i8((const int8_t *)g->vec + lastblk * MATCH_I8_BLOCK * d, 1, d,
				    g->q8 + qi * d, ib);
			}
			s = (float)ib[row % MATCH_I8_BLOCK] * g->scales[row] * g->qscale[qi];
			break;
		}
		cand_push(out, &nc, kk, s, row);
	}
	return nc;
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
	float tmp[MATCH_DIM_MAX];
	void *(*fn)(void *);
	pthread_t th;
	size_t qi, i, d, nthreads = 1, split, L = 0;
	uint32_t kk;
	int started = 0, compact, ret = EG_ERR_INVAL;

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
	compact = g->search == MATCH_SEARCH_COMPACT;
	if (compact) {
		L = eff_shortlist(g, g->n, kk);
		if (2 * L + MATCH_CODE_BLOCK > g->keycap) {	/* never: reserve sized it */
			ret = EG_ERR_STATE;
			goto out;
		}
		for (qi = 0; qi < nq; qi++)
			match_code_lut(queries + qi * d, d, g->code_bits, g->luts + qi * g->code_m * 16, tmp);
	}

	if (g->threads > 1 && g->n >= PAR_MIN_ROWS)
		nthreads = 2;
	/* a thread starts at a whole block of codes (32 rows, hence of int8) */
	split = nthreads == 2 ? (g->n / 2 + MATCH_CODE_BLOCK - 1) / MATCH_CODE_BLOCK * MATCH_CODE_BLOCK :
	    g->n;
	for (i = 0; i < nthreads; i++) {
		jobs[i].g = g;
		jobs[i].queries = queries;
		jobs[i].nq = nq;
		jobs[i].r0 = i == 0 ? 0 : split;
		jobs[i].r1 = i == 0 ? split : g->n;
		jobs[i].kk = kk;
		jobs[i].L = L;
		jobs[i].ts = &g->ts[i];
	}
	fn = compact ? codes_scan_range : scan_range;
	if (nthreads == 2) {
		if (pthread_create(&th, NULL, fn, &jobs[1]) != 0) {
			ret = EG_ERR_STATE;
			goto out;
		}
		started = 1;
	}
	fn(&jobs[0]);
	if (started)
		pthread_join(th, NULL);

	for (qi = 0; qi < nq; qi++) {
		const struct match_cand *a = g->ts[0].cand + qi * g->cand_max;
		uint32_t na = g->ts[0].ncand[qi], nb = 0, ia = 0, ib = 0, nm = 0;
		const struct match_cand *b = NULL;
		struct match_hit *res = results + qi * k;

		if (compact) {
			nm = compact_finish(g, queries + qi * d, qi, nthreads, L, kk, merged);
			na = 0;
		} else if (nthreads == 2) {
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
	eg_memzero(tmp, sizeof(tmp));
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

int
match_gallery_set_search(struct match_gallery *g, enum match_search search, uint32_t shortlist)
{
	uint32_t old;
	int ret;

	if (g == NULL || (search != MATCH_SEARCH_COMPACT && search != MATCH_SEARCH_EXACT) ||
	    shortlist > MATCH_SHORTLIST_MAX)
		return EG_ERR_INVAL;
	old = g->shortlist;
	g->shortlist = shortlist;
	if ((ret = keys_reserve(g, g->cap)) != EG_OK) {
		g->shortlist = old;
		return ret;
	}
	g->search = search;
	return EG_OK;
}

size_t
match_gallery_shortlist(const struct match_gallery *g, size_t k)
{
	size_t kk = k;

	if (g == NULL || g->search != MATCH_SEARCH_COMPACT)
		return 0;
	if (g->rescore != MATCH_RESCORE_NONE && g->rescore_k > kk)
		kk = g->rescore_k;
	return eff_shortlist(g, g->n, kk);
}

size_t
match_gallery_bytes_per_query(const struct match_gallery *g, size_t k)
{
	size_t l, row, kk = k;

	if (g == NULL)
		return 0;
	if (g->rescore != MATCH_RESCORE_NONE && g->rescore_k > kk)
		kk = g->rescore_k;
	if (kk > g->n)
		kk = g->n;
	if (g->search == MATCH_SEARCH_EXACT)
		return g->n * match_gallery_bytes_per_row(g) + kk * match_rvec_bytes(g->rescore, g->dim);
	l = match_gallery_shortlist(g, k);
	if (l > g->n)
		l = g->n;
	/* an int8 row is re-scored with its whole block of 8 (at most) */
	row = g->format == MATCH_I8 ? MATCH_I8_BLOCK * (size_t)g->dim + sizeof(float) :
	    match_vec_bytes(g->format, g->dim);
	return g->n * (g->code_m / 2) + l * row + kk * match_rvec_bytes(g->rescore, g->dim);
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
	    (g->format == MATCH_I8 ? sizeof(float) : 0) + match_rvec_bytes(g->rescore, g->dim) +
	    g->code_m / 2);
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
