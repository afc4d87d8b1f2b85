/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_match.c — 1:N search of firmware/match against the references a user
 * would pick on this machine, all measured in the same run and interleaved:
 * every repetition times each reference next to each of our paths, on the
 * same query, and the figures are medians with their spread (min..max).
 *
 * References (all float32, exact, one thread):
 *   FAISS    IndexFlatIP as Debian packages it (1.7.3; its distance code is
 *            built for baseline x86-64, no AVX2/FMA), OpenMP pinned to one
 *            thread (OMP_NUM_THREADS=1 and omp_set_num_threads(1));
 *   fp32     a plain hand-written AVX2/FMA loop (one query: 4 accumulators a
 *            row; a batch: 4 queries × 2 rows register-blocked), top-1 kept;
 *   BLAS     OpenBLAS cblas_sgemv (one query) / cblas_sgemm (a batch, in
 *            slices of 4096 rows), one thread, then the arg-max;
 *   bw       the sequential read bandwidth (a summing loop over 512 MiB, the
 *            widest vectors this CPU has), against the bytes a search reads.
 * Our paths: the int8 scan (MATCH_SEARCH_EXACT on an int8 gallery with an
 * fp16 re-scoring copy: the project's int8 path), the compact codes
 * (MATCH_SEARCH_COMPACT on the same gallery: 2-bit codes, a short list
 * re-scored in int8, the best 16 in fp16), each for one query and a batch of
 * 32 queries, k = 1, one thread. Recall@1 of each path against exact float
 * search (FAISS), on 256 mated queries (noisy copies of members, cosine ≈
 * 0.78) and 256 random ones. (The int8 scan's one-query recall is measured
 * with batch calls: its four-query kernel gives the same integers.)
 *
 *   bench-match            d = 512 and 128, N = 100k and 1M
 *   bench-match --quick    N = 100k only, fewer repetitions
 *   bench-match --d 512 --n 1000000 [--reps 9] [--bits 2]
 *
 * FAISS's and OpenBLAS's threads are set through the environment before
 * they load: the program re-executes itself with OMP_WAIT_POLICY=passive,
 * OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "egate_build.h"
#include "egate/error.h"
#include "egate/match.h"

struct bench_faiss;
struct bench_faiss *bench_faiss_new(int d);
int bench_faiss_add(struct bench_faiss *f, const float *x, size_t n);
int bench_faiss_search(struct bench_faiss *f, const float *q, size_t nq, size_t k, int threads,
    float *dist, int64_t *labels);
void bench_faiss_free(struct bench_faiss *f);
/* OpenBLAS extras (weak: absent from another BLAS) */
char *openblas_get_corename(void) __attribute__((weak));
char *openblas_get_config(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));

#define NQ_SET 512	/* 256 mated + 256 random */
#define BATCH 32
#define MAX_REPS 32
#define BLAS_SLICE 4096	/* rows per sgemm call of a batch */

struct rng {
	uint64_t s;
};

static uint64_t
rng_u64(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static float
rng_gauss(struct rng *r)
{
	double u = (double)(rng_u64(r) >> 11) * 0x1p-53, v = (double)(rng_u64(r) >> 11) * 0x1p-53;

	if (u < 1e-300)
		u = 1e-300;
	return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

static float
rng_sym(struct rng *r)	/* uniform in [-1, 1) */
{
	return (float)(int32_t)(rng_u64(r) >> 32) * 0x1p-31f;
}

/* random unit rows: uniform coordinates, normalised (fast for 512M values;
 * the library rotates before coding, so the direction law hardly matters) */
static void
unit_rows(float *x, size_t n, size_t d, struct rng *r)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < d; j++)
			x[i * d + j] = rng_sym(r);
		if (match_l2_normalize(x + i * d, d) != EG_OK)
			x[i * d] = 1.0f;
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median, min and max of v[0..n) (v is not changed) */
struct stat3 {
	double med, min, max;
};

static struct stat3
stat3(const double *v, int n)
{
	double s[MAX_REPS];
	struct stat3 r;

	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	r.med = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
	r.min = s[0];
	r.max = s[n - 1];
	return r;
}

static void *
xalloc(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, n ? n : 64) != 0) {
		fprintf(stderr, "bench-match: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

/* ---- sequential read bandwidth ------------------------------------------ */

static uint64_t
bw_sum(const uint64_t *p, size_t n)
{
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3];
	}
	return s0 + s1 + s2 + s3;
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2"))) static uint64_t
bw_sum_avx2(const uint64_t *q, size_t n)
{
	const __m256i *p = (const __m256i *)(const void *)q;
	__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
	uint64_t lanes[4];
	size_t i, nv = n / 4;

	for (i = 0; i + 4 <= nv; i += 4) {
		a0 = _mm256_add_epi64(a0, _mm256_load_si256(p + i));
		a1 = _mm256_add_epi64(a1, _mm256_load_si256(p + i + 1));
		a2 = _mm256_add_epi64(a2, _mm256_load_si256(p + i + 2));
		a3 = _mm256_add_epi64(a3, _mm256_load_si256(p + i + 3));
	}
	a0 = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
	_mm256_storeu_si256((__m256i *)(void *)lanes, a0);
	return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

__attribute__((target("avx512f"))) static uint64_t
bw_sum_avx512(const uint64_t *q, size_t n)
{
	const __m512i *p = (const __m512i *)(const void *)q;
	__m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
	size_t i, nv = n / 8;

	for (i = 0; i + 4 <= nv; i += 4) {
		a0 = _mm512_add_epi64(a0, _mm512_load_si512(p + i));
		a1 = _mm512_add_epi64(a1, _mm512_load_si512(p + i + 1));
		a2 = _mm512_add_epi64(a2, _mm512_load_si512(p + i + 2));
		a3 = _mm512_add_epi64(a3, _mm512_load_si512(p + i + 3));
	}
	a0 = _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3));
	return (uint64_t)_mm512_reduce_add_epi64(a0);
}

/* ---- the hand-written fp32 reference (AVX2 + FMA) ------------------------ */

__attribute__((target("avx2,fma"))) static float
hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* one query: four accumulators a row, the best row kept */
__attribute__((target("avx2,fma"))) static int64_t
hand_f32_top1(const float *x, size_t n, size_t d, const float *q)
{
	float best = -INFINITY;
	int64_t bi = -1;
	size_t i, j;

	for (i = 0; i < n; i++) {
		const float *r = x + i * d;
		__m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
		float s;

		for (j = 0; j < d; j += 32) {
			s0 = _mm256_fmadd_ps(_mm256_load_ps(r + j), _mm256_loadu_ps(q + j), s0);
			s1 = _mm256_fmadd_ps(_mm256_load_ps(r + j + 8), _mm256_loadu_ps(q + j + 8), s1);
			s2 = _mm256_fmadd_ps(_mm256_load_ps(r + j + 16), _mm256_loadu_ps(q + j + 16), s2);
			s3 = _mm256_fmadd_ps(_mm256_load_ps(r + j + 24), _mm256_loadu_ps(q + j + 24), s3);
		}
		s = hsum8(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
		if (s > best) {
			best = s;
			bi = (int64_t)i;
		}
	}
	return bi;
}

/* a batch: slices of 64 rows stay in L1/L2 while every group of 4 queries
 * passes over them, 4 queries × 2 rows = 8 FMA chains */
__attribute__((target("avx2,fma"))) static void
hand_f32_batch(const float *x, size_t n, size_t d, const float *q, size_t nq, int64_t *bi)
{
	float best[BATCH];
	size_t c0, i, j, u, g;

	for (u = 0; u < nq; u++) {
		best[u] = -INFINITY;
		bi[u] = -1;
	}
	for (c0 = 0; c0 < n; c0 += 64) {
		size_t c1 = c0 + 64 < n ? c0 + 64 : n;

		for (g = 0; g + 4 <= nq; g += 4) {
			const float *qq = q + g * d;

			for (i = c0; i + 2 <= c1; i += 2) {
				const float *r0 = x + i * d, *r1 = r0 + d;
				__m256 a[2][4];

				for (u = 0; u < 4; u++)
					a[0][u] = a[1][u] = _mm256_setzero_ps();
				for (j = 0; j < d; j += 8) {
					__m256 x0 = _mm256_load_ps(r0 + j), x1 = _mm256_load_ps(r1 + j);

					for (u = 0; u < 4; u++) {
						__m256 qv = _mm256_loadu_ps(qq + u * d + j);

						a[0][u] = _mm256_fmadd_ps(x0, qv, a[0][u]);
						a[1][u] = _mm256_fmadd_ps(x1, qv, a[1][u]);
					}
				}
				for (u = 0; u < 4; u++) {
					float s0 = hsum8(a[0][u]), s1 = hsum8(a[1][u]);

					if (s0 > best[g + u]) {
						best[g + u] = s0;
						bi[g + u] = (int64_t)i;
					}
					if (s1 > best[g + u]) {
						best[g + u] = s1;
						bi[g + u] = (int64_t)i + 1;
					}
				}
			}
		}
	}
}
#else
static int64_t
hand_f32_top1(const float *x, size_t n, size_t d, const float *q)
{
	float best = -INFINITY, s;
	int64_t bi = -1;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (s = 0.0f, j = 0; j < d; j++)
			s += x[i * d + j] * q[j];
		if (s > best) {
			best = s;
			bi = (int64_t)i;
		}
	}
	return bi;
}

static void
hand_f32_batch(const float *x, size_t n, size_t d, const float *q, size_t nq, int64_t *bi)
{
	size_t u;

	for (u = 0; u < nq; u++)
		bi[u] = hand_f32_top1(x, n, d, q + u * d);
}
#endif

static double
bandwidth_once(const uint64_t *buf, size_t words, volatile uint64_t *sink)
{
	double t0 = now();

#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx512f"))
		*sink += bw_sum_avx512(buf, words);
	else if (__builtin_cpu_supports("avx2"))
		*sink += bw_sum_avx2(buf, words);
	else
#endif
		*sink += bw_sum(buf, words);
	return (double)words * 8.0 / (now() - t0);
}

/* ---- BLAS references ------------------------------------------------------ */

static int64_t
argmax(const float *y, size_t n)
{
	float best = -INFINITY;
	int64_t bi = -1;
	size_t i;

	for (i = 0; i < n; i++)
		if (y[i] > best) {
			best = y[i];
			bi = (int64_t)i;
		}
	return bi;
}

static int64_t
blas_top1(const float *x, size_t n, size_t d, const float *q, float *y)
{
	cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0f, x, (int)d, q, 1, 0.0f, y, 1);
	return argmax(y, n);
}

/* y: BATCH · BLAS_SLICE floats */
static void
blas_batch(const float *x, size_t n, size_t d, const float *q, size_t nq, float *y, int64_t *bi)
{
	float best[BATCH];
	size_t c0, u, i;

	for (u = 0; u < nq; u++) {
		best[u] = -INFINITY;
		bi[u] = -1;
	}
	for (c0 = 0; c0 < n; c0 += BLAS_SLICE) {
		size_t m = n - c0 < BLAS_SLICE ? n - c0 : BLAS_SLICE;

		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)m, (int)d, 1.0f, q,
		    (int)d, x + c0 * d, (int)d, 0.0f, y, (int)m);
		for (u = 0; u < nq; u++)
			for (i = 0; i < m; i++)
				if (y[u * m + i] > best[u]) {
					best[u] = y[u * m + i];
					bi[u] = (int64_t)(c0 + i);
				}
	}
}

/* ---- the run --------------------------------------------------------------- */

enum { M_FAISS, M_F32, M_BLAS, M_I8, M_CODE, M_N };
static const char *const mname[M_N] = {
	"FAISS IndexFlatIP", "hand AVX2/FMA fp32", "OpenBLAS sgemv/sgemm", "int8 scan (ours)",
	"compact codes (ours)",
};

struct ctx {
	int reps;
	unsigned bits;
	const uint64_t *bwbuf;
	size_t bwwords;
	int have_target;
	double tgt_code_x, tgt_code_rm, tgt_code_rr, tgt_batch_x, tgt_batch_rm, tgt_batch_rr;
	double tgt_code_bytes, tgt_i8_bytes;
};

struct recall {
	double m, r;
};

static struct recall
recall_of(const int64_t *got, const int64_t *exact)
{
	struct recall rc = { 0, 0 };
	size_t i;

	for (i = 0; i < NQ_SET; i++)
		if (got[i] == exact[i]) {
			if (i < NQ_SET / 2)
				rc.m += 1.0;
			else
				rc.r += 1.0;
		}
	rc.m /= NQ_SET / 2;
	rc.r /= NQ_SET / 2;
	return rc;
}

static int
our_search(struct match_gallery *g, enum match_search s, const float *q, size_t nq, int64_t *top)
{
	struct match_hit h[BATCH];
	size_t i;

	if (match_gallery_set_search(g, s, 0) != EG_OK || match_gallery_search(g, q, nq, 1, h) != EG_OK)
		return -1;
	for (i = 0; i < nq; i++)
		top[i] = (int64_t)h[i].id;
	return 0;
}

static void
print_block(const char *title, size_t b, double t[M_N][MAX_REPS], const double *bw, int reps,
    const double bytes[M_N], const struct recall rec[M_N])
{
	double ratio[MAX_REPS], pbw[MAX_REPS];
	int mth, ref, r;

	printf("  %s (b = %zu queries a call, k = 1, one thread)\n", title, b);
	printf("    %-22s %9s %19s %10s %12s   %-44s %s\n", "path", "median ms", "[min .. max] ms",
	    "MB read", "% of bw", "x = reference time / ours", "recall@1 mated / random");
	for (mth = 0; mth < M_N; mth++) {
		struct stat3 s = stat3(t[mth], reps), sb;
		char xs[160] = "";
		size_t off = 0;

		for (r = 0; r < reps; r++)
			pbw[r] = 100.0 * bytes[mth] / t[mth][r] / bw[r];
		sb = stat3(pbw, reps);
		if (mth >= M_I8) {
			for (ref = 0; ref < M_I8 + (mth == M_CODE); ref++) {
				struct stat3 x;

				for (r = 0; r < reps; r++)
					ratio[r] = t[ref][r] / t[mth][r];
				x = stat3(ratio, reps);
				off += (size_t)snprintf(xs + off, sizeof(xs) - off, "%s%.2f ",
				    ref == M_FAISS ? "FAISS x" : ref == M_F32 ? "fp32 x" :
				    ref == M_BLAS ? "BLAS x" : "int8 x", x.med);
				if (off >= sizeof(xs))
					break;
			}
		}
		printf("    %-22s %9.2f [%7.2f .. %7.2f] %10.1f %5.1f%% [%3.0f..%3.0f] %-44s ",
		    mname[mth], s.med * 1e3, s.min * 1e3, s.max * 1e3, bytes[mth] / 1e6, sb.med, sb.min,
		    sb.max, xs);
		if (rec[mth].m < 0)
			printf("exact (float)\n");
		else
			printf("%.3f / %.3f\n", rec[mth].m, rec[mth].r);
	}
}

static int
run_config(struct ctx *c, size_t d, size_t n, uint64_t seed)
{
	struct rng r = { seed };
	float *x = xalloc(n * d * sizeof(float)), *q = xalloc(NQ_SET * d * sizeof(float));
	float *y = xalloc((n > (size_t)BATCH * BLAS_SLICE ? n : (size_t)BATCH * BLAS_SLICE) * sizeof(float));
	float dist[BATCH];
	int64_t lab[BATCH], exact[NQ_SET], got[NQ_SET];
	double t1[M_N][MAX_REPS], tb[M_N][MAX_REPS], bw[MAX_REPS], t0, bytes1[M_N], bytesb[M_N];
	struct recall rec1[M_N], recb[M_N];
	struct match_params p = { .dim = (uint32_t)d, .format = MATCH_I8, .rescore = MATCH_RESCORE_F16,
		.threads = 1, .max_nq = BATCH, .max_k = 1, .capacity = n, .code_bits = c->bits };
	struct match_gallery *g = NULL;
	struct bench_faiss *fx = NULL;
	volatile uint64_t sink = 0;
	uint64_t *ids;
	size_t i, j;
	int rep, ret = 1, mth;

	t0 = now();
	unit_rows(x, n, d, &r);
	for (i = 0; i < NQ_SET / 2; i++) {	/* mated: member + noise of norm 0.8 */
		const float *src = x + (rng_u64(&r) % n) * d;
		double s = 0.0;

		for (j = 0; j < d; j++) {
			q[i * d + j] = src[j] + 0.8f * rng_gauss(&r) / sqrtf((float)d);
			s += (double)q[i * d + j] * q[i * d + j];
		}
		for (j = 0; j < d; j++)
			q[i * d + j] = (float)(q[i * d + j] / sqrt(s));
	}
	unit_rows(q + NQ_SET / 2 * d, NQ_SET / 2, d, &r);

	fx = bench_faiss_new((int)d);
	if (fx == NULL || bench_faiss_add(fx, x, n) != 0) {
		fprintf(stderr, "bench-match: FAISS failed\n");
		goto out;
	}
	if (match_gallery_new(&p, &g) != EG_OK) {
		fprintf(stderr, "bench-match: gallery failed\n");
		goto out;
	}
	ids = xalloc(n * sizeof(uint64_t));
	for (i = 0; i < n; i++)
		ids[i] = i;
	i = match_gallery_add(g, x, ids, n) == EG_OK;
	free(ids);
	if (!i)
		goto out;
	printf("\nd=%zu N=%zu: data, FAISS index and gallery (int8 + fp16 copy + %u-bit codes, "
	    "%.0f MB) built in %.1f s; kernel %s; compact short list %zu rows, re-scored in int8, "
	    "the best 16 in fp16\n",
	    d, n, c->bits, (double)match_gallery_memory(g) / 1e6, now() - t0, match_gallery_kernel(g),
	    match_gallery_shortlist(g, 1));

	/* exact top-1: FAISS float search */
	for (i = 0; i < NQ_SET; i += BATCH) {
		if (bench_faiss_search(fx, q + i * d, BATCH, 1, 1, dist, lab) != 0)
			goto out;
		for (j = 0; j < BATCH; j++)
			exact[i + j] = lab[j];
	}
	/* recall of our paths, one query and batches; the references are exact
	 * float search (recall 1 by definition, shown as "exact") */
	for (mth = 0; mth < M_I8; mth++)
		rec1[mth] = recb[mth] = (struct recall){ -1.0, -1.0 };
	for (mth = M_I8; mth <= M_CODE; mth++) {
		enum match_search s = mth == M_I8 ? MATCH_SEARCH_EXACT : MATCH_SEARCH_COMPACT;

		for (i = 0; i < NQ_SET && mth == M_CODE; i++)
			if (our_search(g, s, q + i * d, 1, got + i) != 0)
				goto out;
		if (mth == M_CODE)
			rec1[mth] = recall_of(got, exact);
		for (i = 0; i < NQ_SET; i += BATCH)
			if (our_search(g, s, q + i * d, BATCH, got + i) != 0)
				goto out;
		recb[mth] = recall_of(got, exact);
		if (mth == M_I8)
			rec1[mth] = recb[mth];
	}
	for (mth = 0; mth < M_N; mth++)
		bytes1[mth] = bytesb[mth] = (double)n * d * sizeof(float);
	match_gallery_set_search(g, MATCH_SEARCH_EXACT, 0);
	bytes1[M_I8] = bytesb[M_I8] = (double)match_gallery_bytes_per_query(g, 1);
	match_gallery_set_search(g, MATCH_SEARCH_COMPACT, 0);
	bytes1[M_CODE] = (double)match_gallery_bytes_per_query(g, 1);
	/* a batch reads the codes once and re-scores every query's short list */
	bytesb[M_CODE] = (double)n * d * c->bits / 8 +
	    BATCH * (bytes1[M_CODE] - (double)n * d * c->bits / 8);

	for (rep = 0; rep < c->reps; rep++) {
		const float *q1 = q + (size_t)((rep * 37) % NQ_SET) * d;
		const float *qb = q + (size_t)((rep % 2) * (NQ_SET / 2)) * d;

		bw[rep] = bandwidth_once(c->bwbuf, c->bwwords, &sink);
		/* one query */
		t0 = now();
		if (bench_faiss_search(fx, q1, 1, 1, 1, dist, lab) != 0)
			goto out;
		t1[M_FAISS][rep] = now() - t0;
		t0 = now();
		sink += (uint64_t)hand_f32_top1(x, n, d, q1);
		t1[M_F32][rep] = now() - t0;
		t0 = now();
		sink += (uint64_t)blas_top1(x, n, d, q1, y);
		t1[M_BLAS][rep] = now() - t0;
		t0 = now();
		if (our_search(g, MATCH_SEARCH_EXACT, q1, 1, got) != 0)
			goto out;
		t1[M_I8][rep] = now() - t0;
		t0 = now();
		if (our_search(g, MATCH_SEARCH_COMPACT, q1, 1, got) != 0)
			goto out;
		t1[M_CODE][rep] = now() - t0;
		/* a batch of 32 (mated and random in turn) */
		t0 = now();
		if (bench_faiss_search(fx, qb, BATCH, 1, 1, dist, lab) != 0)
			goto out;
		tb[M_FAISS][rep] = now() - t0;
		t0 = now();
		hand_f32_batch(x, n, d, qb, BATCH, lab);
		tb[M_F32][rep] = now() - t0;
		t0 = now();
		blas_batch(x, n, d, qb, BATCH, y, lab);
		tb[M_BLAS][rep] = now() - t0;
		t0 = now();
		if (our_search(g, MATCH_SEARCH_EXACT, qb, BATCH, got) != 0)
			goto out;
		tb[M_I8][rep] = now() - t0;
		t0 = now();
		if (our_search(g, MATCH_SEARCH_COMPACT, qb, BATCH, got) != 0)
			goto out;
		tb[M_CODE][rep] = now() - t0;
	}
	{
		struct stat3 b = stat3(bw, c->reps);

		printf("  read bandwidth next to each repetition: median %.2f GB/s [%.2f .. %.2f]\n",
		    b.med / 1e9, b.min / 1e9, b.max / 1e9);
	}
	print_block("one query", 1, t1, bw, c->reps, bytes1, rec1);
	print_block("batch", BATCH, tb, bw, c->reps, bytesb, recb);
	fflush(stdout);
	if (d == 512 && n == 1000000) {
		double ra[MAX_REPS];

		for (rep = 0; rep < c->reps; rep++)
			ra[rep] = t1[M_I8][rep] / t1[M_CODE][rep];
		c->tgt_code_x = stat3(ra, c->reps).med;
		for (rep = 0; rep < c->reps; rep++)
			ra[rep] = tb[M_BLAS][rep] / tb[M_I8][rep];
		c->tgt_batch_x = stat3(ra, c->reps).med;
		c->tgt_code_rm = rec1[M_CODE].m;
		c->tgt_code_rr = rec1[M_CODE].r;
		c->tgt_batch_rm = recb[M_I8].m;
		c->tgt_batch_rr = recb[M_I8].r;
		c->tgt_code_bytes = bytes1[M_CODE];
		c->tgt_i8_bytes = bytes1[M_I8];
		c->have_target = 1;
	}
	(void)sink;
	ret = 0;
out:
	match_gallery_free(&g);
	bench_faiss_free(fx);
	free(x);
	free(q);
	free(y);
	return ret;
}

/* the CPU, its vector features and which kernel set the dispatcher picks, and why */
static void
print_machine(void)
{
	static const char *const flags[] = { "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw",
		"avx512vl", "avx512_vnni", "asimd", "asimddp" };
	char line[8192], model[256] = "?";
	FILE *f = fopen("/proc/cpuinfo", "r");
	struct utsname u;
	size_t i;

	printf("cpu:");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0 && model[0] == '?') {
			char *c = strchr(line, ':');

			if (c != NULL)
				snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = '\0';
		}
		if (strncmp(line, "flags", 5) == 0 || strncmp(line, "Features", 8) == 0) {
			printf(" %s; %ld online; flags:", model, sysconf(_SC_NPROCESSORS_ONLN));
			for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
				char pat[32];

				snprintf(pat, sizeof(pat), " %s", flags[i]);
				if (strstr(line, pat) != NULL &&
				    (strstr(line, pat)[strlen(pat)] == ' ' || strstr(line, pat)[strlen(pat)] == '\n'))
					printf(" %s", flags[i]);
			}
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	if (uname(&u) == 0)
		printf("\nkernel: %s %s %s\n", u.sysname, u.release, u.machine);
	printf("match kernels (best first):");
	for (i = 0; i < match_kernel_count(); i++)
		printf(" %s%s", match_kernel_name(i), match_kernel_runs(match_kernel_name(i)) ? "" : "(cpu lacks)");
	printf("\n  -> running \"%s\": the first set whose CPU features (CPUID + XGETBV) are all present%s\n",
	    match_kernel_best(), getenv("EGATE_MATCH_KERNEL") ? " (EGATE_MATCH_KERNEL overrides)" : "");
	printf("OpenBLAS: %s, core %s; FAISS 1.7.3 as packaged (its IndexFlatIP one-query scan is "
	    "baseline x86-64 code, no AVX2/FMA; a batch calls sgemm); OMP_NUM_THREADS=%s; "
	    "the hand fp32 loop is AVX2/FMA\n",
	    openblas_get_config ? openblas_get_config() : "?",
	    openblas_get_corename ? openblas_get_corename() : "?",
	    getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "unset");
}

int
main(int argc, char **argv)
{
	struct ctx c = { .reps = 9, .bits = 2 };
	size_t bw_bytes = 512u << 20, di, ni, only_d = 0, only_n = 0;
	static const size_t dims_[] = { 512, 128 };
	static const size_t ns[] = { 100000, 1000000 };
	uint64_t *buf;
	double t0 = now();
	time_t wall = time(NULL);
	char date[64], load[64] = "?";
	FILE *lf;
	int quick = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = 1;
		} else if (strcmp(argv[i], "--d") == 0 && i + 1 < argc) {
			only_d = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
			only_n = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
			c.reps = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--bits") == 0 && i + 1 < argc) {
			c.bits = (unsigned)atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: bench-match [--quick] [--d 512|128] [--n ROWS] [--reps R] "
			    "[--bits 1|2|4]\n");
			return 2;
		}
	}
	if (c.reps < 1 || c.reps > MAX_REPS || (c.bits != 1 && c.bits != 2 && c.bits != 4)) {
		fprintf(stderr, "bench-match: --reps 1..%d, --bits 1, 2 or 4\n", MAX_REPS);
		return 2;
	}
	if (getenv("EGATE_BENCH_REEXEC") == NULL) {
		/* libgomp and OpenBLAS read their environment when they load */
		setenv("OMP_WAIT_POLICY", "passive", 1);
		setenv("OMP_NUM_THREADS", "1", 1);
		setenv("OPENBLAS_NUM_THREADS", "1", 1);
		setenv("EGATE_BENCH_REEXEC", "1", 1);
		execv("/proc/self/exe", argv);
		perror("bench-match: re-exec");
		return 2;
	}
	if (openblas_set_num_threads)
		openblas_set_num_threads(1);
	if (quick && c.reps == 9)
		c.reps = 5;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&wall));
	lf = fopen("/proc/loadavg", "r");
	if (lf != NULL) {
		if (fgets(load, sizeof(load), lf) == NULL)
			strcpy(load, "?");
		load[strcspn(load, "\n")] = '\0';
		fclose(lf);
	}
	printf("bench-match %s — %s; load average at start %s (a shared machine: every reference is "
	    "timed next to our paths in each of %d repetitions; medians, [min .. max])\n",
	    EGATE_VERSION, date, load, c.reps);
	print_machine();
#if defined(__SANITIZE_ADDRESS__)
	printf("WARNING: built with AddressSanitizer: figures are not representative "
	    "(use a release build: meson setup build-rel -Dbuildtype=release)\n");
#endif
	buf = xalloc(bw_bytes);
	memset(buf, 1, bw_bytes);
	c.bwbuf = buf;
	c.bwwords = bw_bytes / 8;
	printf("x = the reference's time / ours, the median over repetitions of the ratio within each "
	    "repetition; %% of bw = bytes the path reads / its time / the read bandwidth of the same "
	    "repetition\n");
	for (ni = 0; ni < 2; ni++)
		for (di = 0; di < 2; di++) {
			if ((only_d != 0 && only_d != dims_[di]) || (only_n == 0 && quick && ni == 1) ||
			    (only_n != 0 && ni == 1))
				continue;
			if (run_config(&c, dims_[di], only_n ? only_n : ns[ni], 0x5eed + di * 7 + ni) != 0) {
				free(buf);
				return 1;
			}
		}
	if (c.have_target) {
		printf("TARGET d=512 N=1M one query, one thread: compact codes x%.2f the int8 scan "
		    "(target >= 2: %s), recall@1 mated %.3f random %.3f (target >= 0.99: %s), "
		    "%.1f MB read a query (int8 scan %.1f MB)\n", c.tgt_code_x,
		    c.tgt_code_x >= 2.0 ? "met" : "NOT met", c.tgt_code_rm, c.tgt_code_rr,
		    c.tgt_code_rm >= 0.99 && c.tgt_code_rr >= 0.99 ? "met" : "NOT met",
		    c.tgt_code_bytes / 1e6, c.tgt_i8_bytes / 1e6);
		printf("TARGET d=512 N=1M batch of 32, one thread: int8 scan x%.2f OpenBLAS sgemm "
		    "(target >= 2: %s), recall@1 mated %.3f random %.3f\n", c.tgt_batch_x,
		    c.tgt_batch_x >= 2.0 ? "met" : "NOT met", c.tgt_batch_rm, c.tgt_batch_rr);
	}
	lf = fopen("/proc/loadavg", "r");
	if (lf != NULL) {
		if (fgets(load, sizeof(load), lf) == NULL)
			strcpy(load, "?");
		load[strcspn(load, "\n")] = '\0';
		fclose(lf);
	}
	printf("total %.0f s; load average at the end %s\n", now() - t0, load);
	free(buf);
	return 0;
}
