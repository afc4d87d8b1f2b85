/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_match.c — 1:N search throughput of firmware/match against two
 * references measured in the same run:
 *   - FAISS IndexFlatIP (float32, exact) on the same data and queries;
 *   - the machine's sequential read bandwidth (a summing loop over a 512 MiB
 *     buffer, one and two threads), against the bytes a search must read.
 * Also recall@1 of every format against exact float search (FAISS), on
 * queries that are noisy copies of gallery members ("mated") and on random
 * queries. Every figure is the median of several repetitions.
 *
 *   bench-match            d = 512 and 128, N = 100k and 1M (≈ 3 minutes, ≈ 6 GB)
 *   bench-match --quick    N = 100k only
 *   bench-match --d 512 --n 1000000    one configuration
 *
 * FAISS's OpenMP threads busy-wait by default; the program re-executes itself
 * with OMP_WAIT_POLICY=passive (and one OpenMP/OpenBLAS thread unless set) so
 * they do not steal the second core from the measurements.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "egate_build.h"
#include "egate/error.h"
#include "egate/match.h"

struct bench_faiss;
struct bench_faiss *bench_faiss_new(int d);
int bench_faiss_add(struct bench_faiss *f, const float *x, size_t n);
int bench_faiss_search(struct bench_faiss *f, const float *q, size_t nq, size_t k, int threads,
    float *dist, int64_t *labels);
void bench_faiss_free(struct bench_faiss *f);

#define NQ_SET 256	/* 128 mated + 128 random, for recall; timing uses the first */
#define BATCH_MAX 32
#define K_MAX 10
#define MAX_REPS 16

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
rng_sym(struct rng *r)	/* uniform in [-1, 1) */
{
	return (float)(int32_t)(rng_u64(r) >> 32) * 0x1p-31f;
}

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

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void *
xalloc(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, n) != 0) {
		fprintf(stderr, "bench-match: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

/* ---- sequential read bandwidth ------------------------------------------ */

struct bw_job {
	const uint64_t *p;
	size_t n;
	uint64_t sum;
};

static void *
bw_sum(void *arg)
{
	struct bw_job *j = arg;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
	size_t i;

	for (i = 0; i + 8 <= j->n; i += 8) {
		s0 += j->p[i]; s1 += j->p[i + 1]; s2 += j->p[i + 2]; s3 += j->p[i + 3];
		s4 += j->p[i + 4]; s5 += j->p[i + 5]; s6 += j->p[i + 6]; s7 += j->p[i + 7];
	}
	j->sum = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
	return NULL;
}

#if defined(__x86_64__)
#include <immintrin.h>
/* the same sum with 256- and 512-bit loads: whichever loop reads fastest is
 * the reference, so the ratio is not flattered by a slow yardstick */
__attribute__((target("avx2"))) static void *
bw_sum_avx2(void *arg)
{
	struct bw_job *j = arg;
	const __m256i *p = (const __m256i *)(const void *)j->p;
	__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
	uint64_t lanes[4];
	size_t i, nv = j->n / 4;

	for (i = 0; i + 4 <= nv; i += 4) {
		a0 = _mm256_add_epi64(a0, _mm256_load_si256(p + i));
		a1 = _mm256_add_epi64(a1, _mm256_load_si256(p + i + 1));
		a2 = _mm256_add_epi64(a2, _mm256_load_si256(p + i + 2));
		a3 = _mm256_add_epi64(a3, _mm256_load_si256(p + i + 3));
	}
	a0 = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
	_mm256_storeu_si256((__m256i *)(void *)lanes, a0);
	j->sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
	return NULL;
}

__attribute__((target("avx512f"))) static void *
bw_sum_avx512(void *arg)
{
	struct bw_job *j = arg;
	const __m512i *p = (const __m512i *)(const void *)j->p;
	__m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
	size_t i, nv = j->n / 8;

	for (i = 0; i + 4 <= nv; i += 4) {
		a0 = _mm512_add_epi64(a0, _mm512_load_si512(p + i));
		a1 = _mm512_add_epi64(a1, _mm512_load_si512(p + i + 1));
		a2 = _mm512_add_epi64(a2, _mm512_load_si512(p + i + 2));
		a3 = _mm512_add_epi64(a3, _mm512_load_si512(p + i + 3));
	}
	a0 = _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3));
	j->sum = (uint64_t)_mm512_reduce_add_epi64(a0);
	return NULL;
}
#endif

static double
bandwidth_with(void *(*fn)(void *), const uint64_t *buf, size_t words, int threads, int reps);

static double
bandwidth(const uint64_t *buf, size_t words, int threads, int reps)
{
	double b = bandwidth_with(bw_sum, buf, words, threads, reps);
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx2")) {
		double v = bandwidth_with(bw_sum_avx2, buf, words, threads, reps);

		if (v > b)
			b = v;
	}
	if (__builtin_cpu_supports("avx512f")) {
		double v = bandwidth_with(bw_sum_avx512, buf, words, threads, reps);

		if (v > b)
			b = v;
	}
#endif
	return b;
}

static double
bandwidth_with(void *(*fn)(void *), const uint64_t *buf, size_t words, int threads, int reps)
{
	double t[MAX_REPS];
	volatile uint64_t sink = 0;
	int r;

	for (r = 0; r < reps; r++) {
		struct bw_job j[2] = { { buf, words / 2, 0 }, { buf + words / 2, words - words / 2, 0 } };
		pthread_t th;
		double t0 = now();

		if (threads == 2) {
			pthread_create(&th, NULL, fn, &j[1]);
			fn(&j[0]);
			pthread_join(th, NULL);
		} else {
			j[0].n = words;
			fn(&j[0]);
		}
		t[r] = now() - t0;
		sink += j[0].sum + j[1].sum;
	}
	(void)sink;
	return (double)words * 8.0 / median(t, reps) / 1e9;
}

/* ---- the run --------------------------------------------------------------- */

struct fmt {
	const char *name;
	enum match_format f;
	enum match_rescore rs;
};

static const struct fmt fmts[] = {
	{ "f32", MATCH_F32, MATCH_RESCORE_NONE },
	{ "f16", MATCH_F16, MATCH_RESCORE_NONE },
	{ "i8", MATCH_I8, MATCH_RESCORE_NONE },
	{ "i8+f16rs", MATCH_I8, MATCH_RESCORE_F16 },
};
static const size_t batches[] = { 1, 32 };
static const size_t ks[] = { 1, 10 };

struct ctx {
	int reps, faiss_reps;
	const uint64_t *bwbuf;
	size_t bwwords;
	double bw[3];	/* [1], [2]: GB/s with 1 and 2 threads */
	/* the headline: d=512, N=1M, batch 1, k=1, one thread */
	int have_target;
	double tgt_faiss_ratio, tgt_bw_ratio, tgt_recall;
	const char *tgt_fmt;
};

static int
run_config(struct ctx *c, size_t d, size_t n, uint64_t seed)
{
	struct rng r = { seed };
	float *x = xalloc(n * d * sizeof(float)), *q = xalloc(NQ_SET * d * sizeof(float));
	float dist[BATCH_MAX * K_MAX];
	int64_t lab[BATCH_MAX * K_MAX], exact[NQ_SET];
	struct match_hit hits[BATCH_MAX * K_MAX];
	double faiss_t[2][2][3], t[MAX_REPS], t0;
	struct bench_faiss *fx;
	size_t i, j, bi, ki, fi, th;
	int rep, ret = 1;

	unit_rows(x, n, d, &r);
	for (i = 0; i < NQ_SET / 2; i++) {	/* mated: member + noise of norm ≈ 0.8 */
		const float *src = x + (rng_u64(&r) % n) * d;

		for (j = 0; j < d; j++)
			q[i * d + j] = src[j] + 0.8f * 1.7320508f * rng_sym(&r) / sqrtf((float)d);
		match_l2_normalize(q + i * d, d);
	}
	unit_rows(q + NQ_SET / 2 * d, NQ_SET / 2, d, &r);

	fx = bench_faiss_new((int)d);
	if (fx == NULL || bench_faiss_add(fx, x, n) != 0) {
		fprintf(stderr, "bench-match: FAISS failed\n");
		goto out;
	}
	for (i = 0; i < NQ_SET; i += BATCH_MAX) {
		if (bench_faiss_search(fx, q + i * d, BATCH_MAX, 1, 1, dist, lab) != 0)
			goto out;
		for (j = 0; j < BATCH_MAX; j++)
			exact[i + j] = lab[j];
	}
	for (bi = 0; bi < 2; bi++)
		for (ki = 0; ki < 2; ki++)
			for (th = 1; th <= 2; th++) {
				for (rep = 0; rep < c->faiss_reps; rep++) {
					const float *qq = q + (batches[bi] == 1 ? (size_t)rep % NQ_SET : 0) * d;

					t0 = now();
					if (bench_faiss_search(fx, qq, batches[bi], ks[ki], (int)th, dist, lab) != 0)
						goto out;
					t[rep] = now() - t0;
				}
				faiss_t[bi][ki][th] = median(t, c->faiss_reps);
			}
	bench_faiss_free(fx);
	fx = NULL;

	for (fi = 0; fi < sizeof(fmts) / sizeof(fmts[0]); fi++) {
		struct match_params p = { .dim = (uint32_t)d, .format = fmts[fi].f,
			.rescore = fmts[fi].rs, .threads = 2, .max_nq = BATCH_MAX, .max_k = K_MAX,
			.capacity = n };
		struct match_gallery *g = NULL;
		size_t ok_m = 0, ok_r = 0;
		double bytes, rec;

		if (match_gallery_new(&p, &g) != EG_OK)
			goto out;
		{
			uint64_t *ids = xalloc(n * sizeof(uint64_t));

			for (i = 0; i < n; i++)
				ids[i] = i;
			if (match_gallery_add(g, x, ids, n) != EG_OK) {
				free(ids);
				match_gallery_free(&g);
				goto out;
			}
			free(ids);
		}
		bytes = (double)n * (double)match_gallery_bytes_per_row(g);
		/* the machine is shared: re-measure the reference next to each block */
		c->bw[1] = bandwidth(c->bwbuf, c->bwwords, 1, 5);
		c->bw[2] = bandwidth(c->bwbuf, c->bwwords, 2, 5);
		printf("d=%-3zu N=%-7zu %-8s read bandwidth now: 1 thread %.2f GB/s, 2 threads %.2f GB/s;"
		    " %.0f MB read per call; kernel %s\n", d, n, fmts[fi].name, c->bw[1], c->bw[2],
		    bytes / 1e6, match_gallery_kernel(g));
		for (i = 0; i < NQ_SET; i += BATCH_MAX) {
			if (match_gallery_search(g, q + i * d, BATCH_MAX, 1, hits) != EG_OK)
				goto out;
			for (j = 0; j < BATCH_MAX; j++) {
				if ((int64_t)hits[j].id != exact[i + j])
					continue;
				if (i + j < NQ_SET / 2)
					ok_m++;
				else
					ok_r++;
			}
		}
		rec = (double)(ok_m + ok_r) / NQ_SET;
		for (bi = 0; bi < 2; bi++)
			for (ki = 0; ki < 2; ki++)
				for (th = 1; th <= 2; th++) {
					double med, ft = faiss_t[bi][ki][th];

					match_gallery_set_threads(g, (uint32_t)th);
					for (rep = 0; rep < c->reps; rep++) {
						const float *qq = q + (batches[bi] == 1 ? (size_t)rep % NQ_SET : 0) * d;

						t0 = now();
						if (match_gallery_search(g, qq, batches[bi], ks[ki], hits) != EG_OK)
							goto out;
						t[rep] = now() - t0;
					}
					med = median(t, c->reps);
					printf("d=%-3zu N=%-7zu %-8s b=%-2zu k=%-2zu t=%zu  %8.2f ms  %9.0f q/s"
					    "  FAISS %8.2f ms  x%6.2f  %6.2f GB/s = %5.1f%% of bw  recall@1 mated %.3f random %.3f\n",
					    d, n, fmts[fi].name, batches[bi], ks[ki], th, med * 1e3,
					    (double)batches[bi] / med, ft * 1e3, ft / med, bytes / med / 1e9,
					    100.0 * bytes / med / 1e9 / c->bw[th], (double)ok_m / (NQ_SET / 2),
					    (double)ok_r / (NQ_SET / 2));
					fflush(stdout);
					if (d == 512 && n == 1000000 && bi == 0 && ki == 0 && th == 1 &&
					    fmts[fi].f == MATCH_I8 && fmts[fi].rs != MATCH_RESCORE_NONE) {
						c->have_target = 1;
						c->tgt_faiss_ratio = ft / med;
						c->tgt_bw_ratio = bytes / med / 1e9 / c->bw[1];
						c->tgt_recall = rec;
						c->tgt_fmt = fmts[fi].name;
					}
				}
		match_gallery_free(&g);
	}
	ret = 0;
out:
	bench_faiss_free(fx);
	free(x);
	free(q);
	return ret;
}

int
main(int argc, char **argv)
{
	struct ctx c = { .reps = 7, .faiss_reps = 3 };
	size_t bw_bytes = 512u << 20, di, ni, nn = 2;
	static const size_t dims_[] = { 512, 128 };
	static const size_t ns[] = { 100000, 1000000 };
	uint64_t *buf;
	double t0 = now();
	time_t wall = time(NULL);
	char date[64];
	size_t only_d = 0, only_n = 0;
	char load[64] = "?";
	FILE *lf;
	int quick = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = 1;
		} else if (strcmp(argv[i], "--d") == 0 && i + 1 < argc) {
			only_d = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
			only_n = strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: bench-match [--quick] [--d 512|128] [--n 100000|1000000]\n");
			return 2;
		}
	}
	if (getenv("EGATE_BENCH_REEXEC") == NULL) {
		/* libgomp reads its environment when it loads: set it, then start over */
		setenv("OMP_WAIT_POLICY", "passive", 1);
		setenv("OMP_NUM_THREADS", "1", 0);
		setenv("OPENBLAS_NUM_THREADS", "1", 0);
		setenv("EGATE_BENCH_REEXEC", "1", 1);
		execv("/proc/self/exe", argv);
		perror("bench-match: re-exec");
		return 2;
	}
	if (only_n == 1000000)
		nn = 2;
	if (quick) {
		c.reps = 3;
		c.faiss_reps = 2;
		if (only_n == 0)
			nn = 1;
		bw_bytes = 256u << 20;
	}
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&wall));
	lf = fopen("/proc/loadavg", "r");
	if (lf != NULL) {
		if (fgets(load, sizeof(load), lf) == NULL)
			strcpy(load, "?");
		load[strcspn(load, "\n")] = '\0';
		fclose(lf);
	}
	printf("shared machine: load average at start %s (figures are noisy; compare ratios)\n", load);
	printf("bench-match %s — %s; best kernel %s (EGATE_MATCH_KERNEL=%s); OMP_WAIT_POLICY=%s\n",
	    EGATE_VERSION, date, match_kernel_best(),
	    getenv("EGATE_MATCH_KERNEL") ? getenv("EGATE_MATCH_KERNEL") : "unset",
	    getenv("OMP_WAIT_POLICY"));
#if defined(__SANITIZE_ADDRESS__)
	printf("WARNING: built with AddressSanitizer: figures are not representative "
	    "(use a release build: meson setup build-rel -Dbuildtype=release)\n");
#endif
	buf = xalloc(bw_bytes);
	memset(buf, 1, bw_bytes);
	c.bw[1] = bandwidth(buf, bw_bytes / 8, 1, 5);
	c.bw[2] = bandwidth(buf, bw_bytes / 8, 2, 5);
	c.bwbuf = buf;
	c.bwwords = bw_bytes / 8;
	printf("sequential read bandwidth (%zu MiB, median of 5): 1 thread %.2f GB/s, 2 threads %.2f GB/s\n",
	    bw_bytes >> 20, c.bw[1], c.bw[2]);
	printf("medians of %d runs (FAISS: %d); x = FAISS time / our time; "
	    "bw = gallery bytes read per call / time / read bandwidth measured just before the block\n", c.reps, c.faiss_reps);
	for (ni = 0; ni < nn; ni++)
		for (di = 0; di < 2; di++)
			if ((only_d == 0 || only_d == dims_[di]) && (only_n == 0 || only_n == ns[ni]) &&
			    run_config(&c, dims_[di], ns[ni], 0x5eed + di * 7 + ni) != 0) {
				free(buf);
				return 1;
			}
	if (c.have_target)
		printf("TARGET d=512 N=1M batch 1 k=1 one thread, %s: x%.2f FAISS (target >= 8: %s), "
		    "%.1f%% of read bandwidth (target >= 75%%: %s), recall@1 %.3f over %d queries "
		    "(target >= 0.999: %s)\n", c.tgt_fmt, c.tgt_faiss_ratio,
		    c.tgt_faiss_ratio >= 8 ? "met" : "NOT met", 100 * c.tgt_bw_ratio,
		    c.tgt_bw_ratio >= 0.75 ? "met" : "NOT met", c.tgt_recall, NQ_SET,
		    c.tgt_recall >= 0.999 ? "met" : "NOT met");
	printf("total %.0f s\n", now() - t0);
	free(buf);
	return 0;
}
