/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_match.c — firmware/match: every kernel of this CPU against the scalar
 * reference, binary16 and int8 helpers, top-k order and ties (one and two
 * threads), recall@1 of fp16 and int8 search against exact float search,
 * gallery files (round trip, corruption), parameter errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "egate/error.h"
#include "egate/match.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "match_impl.h"
#include "match_kern.h"
#include "test_util.h"

static void *
xalloc64(size_t n)
{
	void *p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 64, (n + 63) & ~(size_t)63), 0);
	memset(p, 0, n);
	return p;
}

/* ---- kernels against the reference -------------------------------------- */

static const size_t dims[] = { 32, 64, 96, 128, 512, 2048 };
static const size_t nrows[] = { 1, 7, 8, 37, 200 };

static void
check_kernel(const struct match_kernels *k, uint64_t seed)
{
	const struct match_kernels *ref = &match_kern_scalar;
	struct trng r = { seed };
	size_t di, ni, i, j;

	for (di = 0; di < sizeof(dims) / sizeof(dims[0]); di++) {
		for (ni = 0; ni < sizeof(nrows) / sizeof(nrows[0]); ni++) {
			size_t d = dims[di], n = nrows[ni], nblk = (n + 7) / 8;
			float *rows = xalloc64(n * d * 4), *q = xalloc64(d * 4);
			uint16_t *h = xalloc64(n * d * 2);
			int8_t *blk = xalloc64(nblk * 8 * d), *q8 = xalloc64(d), *row8 = xalloc64(d);
			float *o1 = xalloc64(n * 4), *o2 = xalloc64(n * 4);
			int32_t *i1 = xalloc64(nblk * 8 * 4), *i2 = xalloc64(nblk * 8 * 4);
			int edge = (int)(ni % 3);

			for (i = 0; i < n; i++)
				trng_unit(&r, rows + i * d, d);
			trng_unit(&r, q, d);
			for (i = 0; i < n * d; i++)
				h[i] = match_f32_to_f16(rows[i]);
			for (i = 0; i < n; i++) {
				for (j = 0; j < d; j++) {
					if (edge == 1)	/* extremes: no saturation anywhere */
						row8[j] = (int8_t)((trng_u64(&r) & 1) ? 127 : -127);
					else
						row8[j] = (int8_t)((int)(trng_u64(&r) % 255) - 127);
				}
				match_i8_store_row(blk, i, d, row8);
			}
			for (j = 0; j < d; j++)
				q8[j] = edge == 1 ? (int8_t)((j & 1) ? -127 : 127)
				    : edge == 2 ? 127 : (int8_t)((int)(trng_u64(&r) % 255) - 127);

			k->scan_f32(rows, n, d, q, o1);
			ref->scan_f32(rows, n, d, q, o2);
			for (i = 0; i < n; i++)
				ck_assert_msg(fabsf(o1[i] - o2[i]) < 1e-5f, "%s f32 d=%zu n=%zu row %zu: %g vs %g",
				    k->name, d, n, i, (double)o1[i], (double)o2[i]);
			k->scan_f16(h, n, d, q, o1);
			ref->scan_f16(h, n, d, q, o2);
			for (i = 0; i < n; i++)
				ck_assert_msg(fabsf(o1[i] - o2[i]) < 1e-5f, "%s f16 d=%zu n=%zu row %zu: %g vs %g",
				    k->name, d, n, i, (double)o1[i], (double)o2[i]);
			k->scan_i8(blk, nblk, d, q8, i1);
			ref->scan_i8(blk, nblk, d, q8, i2);
			for (i = 0; i < n; i++)
				ck_assert_msg(i1[i] == i2[i], "%s i8 d=%zu n=%zu edge=%d row %zu: %d vs %d",
				    k->name, d, n, edge, i, i1[i], i2[i]);
			if (k->scan4_f32 != NULL || k->scan4_f16 != NULL || k->scan4_i8 != NULL) {
				/* four queries at once: query u is q rotated by u (f32) / q8 negated
				 * for odd u (int8), results at stride n + 3 */
				size_t os = n + 3, u;
				float *q4 = xalloc64(4 * d * 4), *o4 = xalloc64(4 * os * 4);
				int8_t *q84 = xalloc64(4 * d);
				int32_t *i4 = xalloc64(4 * (nblk * 8 + 3) * 4);

				for (u = 0; u < 4; u++)
					for (j = 0; j < d; j++) {
						q4[u * d + j] = q[(j + u) % d];
						q84[u * d + j] = (int8_t)((u & 1) ? -q8[j] : q8[j]);
					}
				for (u = 0; u < 4 && k->scan4_f32 != NULL; u++) {
					k->scan4_f32(rows, n, d, q4, o4, os);
					ref->scan_f32(rows, n, d, q4 + u * d, o2);
					for (i = 0; i < n; i++)
						ck_assert_msg(fabsf(o4[u * os + i] - o2[i]) < 1e-5f,
						    "%s scan4 f32 d=%zu n=%zu q%zu row %zu", k->name, d, n, u, i);
				}
				for (u = 0; u < 4 && k->scan4_f16 != NULL; u++) {
					k->scan4_f16(h, n, d, q4, o4, os);
					ref->scan_f16(h, n, d, q4 + u * d, o2);
					for (i = 0; i < n; i++)
						ck_assert_msg(fabsf(o4[u * os + i] - o2[i]) < 1e-5f,
						    "%s scan4 f16 d=%zu n=%zu q%zu row %zu", k->name, d, n, u, i);
				}
				for (u = 0; u < 4 && k->scan4_i8 != NULL; u++) {
					k->scan4_i8(blk, nblk, d, q84, i4, nblk * 8 + 3);
					ref->scan_i8(blk, nblk, d, q84 + u * d, i2);
					for (i = 0; i < n; i++)
						ck_assert_msg(i4[u * (nblk * 8 + 3) + i] == i2[i],
						    "%s scan4 i8 d=%zu n=%zu q%zu row %zu", k->name, d, n, u, i);
				}
				free(q4); free(o4); free(q84); free(i4);
			}
			if (edge == 2) {	/* all +127 query against ±127 rows: exact value */
				int32_t want = 0;

				match_i8_load_row(blk, 0, d, row8);
				for (j = 0; j < d; j++)
					want += 127 * row8[j];
				ck_assert_int_eq(i1[0], want);
			}
			free(rows); free(q); free(h); free(blk); free(q8); free(row8);
			free(o1); free(o2); free(i1); free(i2);
		}
	}
	/* compact codes: random tables at the largest entries allowed, random
	 * nibbles, every code size the gallery uses (m = d·bits/4) */
	{
		static const size_t ms[] = { 8, 16, 32, 64, 128, 256, 1024, 2048 };
		size_t mi, b;

		for (mi = 0; mi < sizeof(ms) / sizeof(ms[0]); mi++) {
			size_t m = ms[mi], nblk = 1 + mi % 3, vmax = 65535 / m > 127 ? 127 : 65535 / m;
			uint8_t *blk = xalloc64(nblk * 16 * m), *lut = xalloc64(m * 16);
			uint16_t *c1 = xalloc64(nblk * 32 * 2), *c2 = xalloc64(nblk * 32 * 2);

			for (i = 0; i < nblk * 16 * m; i++)
				blk[i] = (uint8_t)trng_u64(&r);
			for (i = 0; i < m * 16; i++)	/* half the entries at the maximum */
				lut[i] = (uint8_t)((trng_u64(&r) & 1) ? vmax : trng_u64(&r) % (vmax + 1));
			if (mi == 0)
				memset(blk, 0xff, nblk * 16 * m);
			k->scan_codes(blk, nblk, m, lut, c1);
			ref->scan_codes(blk, nblk, m, lut, c2);
			for (b = 0; b < nblk * 32; b++)
				ck_assert_msg(c1[b] == c2[b], "%s codes m=%zu row %zu: %u vs %u", k->name, m, b,
				    c1[b], c2[b]);
			free(blk); free(lut); free(c1); free(c2);
		}
	}
	/* 1:1 dot with any d, also not a multiple of the vector width */
	for (i = 1; i < 80; i += 3) {
		float a[80], b[80];

		trng_unit(&r, a, i);
		trng_unit(&r, b, i);
		ck_assert_msg(fabsf(k->dot_f32(a, b, i) - ref->dot_f32(a, b, i)) < 1e-5f,
		    "%s dot d=%zu", k->name, i);
	}
}

START_TEST(test_kernels_vs_scalar)
{
	const struct match_kernels *const *all = match_kern_all();
	size_t i, ran = 0;

	for (i = 0; all[i] != NULL; i++) {
		if (!match_kern_runs(all[i])) {
			printf("kernel %-11s not supported by this CPU: not tested here\n", all[i]->name);
			continue;
		}
		check_kernel(all[i], 0x1234567ULL + i);
		printf("kernel %-11s matches the scalar reference\n", all[i]->name);
		ran++;
	}
	ck_assert_uint_ge(ran, 1);
#if defined(__x86_64__) && !defined(__clang__)
	{
		/* our CPUID/XGETBV probe agrees with GCC's */
		unsigned f = match_cpu_features();

		ck_assert_int_eq(!!(f & MATCH_CPU_AVX2), !!__builtin_cpu_supports("avx2"));
		ck_assert_int_eq(!!(f & MATCH_CPU_FMA), !!__builtin_cpu_supports("fma"));
		ck_assert_int_eq(!!(f & MATCH_CPU_F16C), !!__builtin_cpu_supports("f16c"));
		ck_assert_int_eq(!!(f & MATCH_CPU_AVXVNNI), !!__builtin_cpu_supports("avxvnni"));
		ck_assert_int_eq(!!(f & MATCH_CPU_AVX512), __builtin_cpu_supports("avx512f") &&
		    __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"));
		ck_assert_int_eq(!!(f & MATCH_CPU_AVX512VNNI), __builtin_cpu_supports("avx512vnni") &&
		    __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		    __builtin_cpu_supports("avx512vl"));
	}
#endif
#if defined(__x86_64__) && defined(EGATE_MATCH_SIMD)
	/* the SIMD sets are compiled in on x86-64 */
	ck_assert_uint_ge(match_kernel_count(), 5);
#endif
}
END_TEST

/* ---- helpers -------------------------------------------------------------- */

START_TEST(test_f16_conversion)
{
	uint32_t h;

	ck_assert_uint_eq(match_f32_to_f16(1.0f), 0x3c00);
	ck_assert_uint_eq(match_f32_to_f16(-2.0f), 0xc000);
	ck_assert_uint_eq(match_f32_to_f16(65504.0f), 0x7bff);
	ck_assert_uint_eq(match_f32_to_f16(65520.0f), 0x7c00);	/* rounds to inf */
	ck_assert_uint_eq(match_f32_to_f16(0x1p-24f), 0x0001);
	ck_assert_uint_eq(match_f32_to_f16(0x1p-25f), 0x0000);	/* tie to even */
	ck_assert_uint_eq(match_f32_to_f16(-0.0f), 0x8000);
	ck_assert_uint_eq(match_f32_to_f16(1.0f + 0x1p-11f), 0x3c00);	/* tie to even */
	ck_assert_uint_eq(match_f32_to_f16(1.0f + 0x1p-10f + 0x1p-11f), 0x3c02);
	ck_assert_uint_eq(match_f32_to_f16(NAN) & 0x7c00, 0x7c00);
	ck_assert(match_f32_to_f16(NAN) & 0x03ff);
	/* every finite half survives half -> float -> half */
	for (h = 0; h < 0x10000; h++) {
		if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
			continue;	/* NaN payloads */
		ck_assert_uint_eq(match_f32_to_f16(match_f16_to_f32((uint16_t)h)), h);
	}
	ck_assert(match_f16_to_f32(0x3555) > 0.333f && match_f16_to_f32(0x3555) < 0.334f);
}
END_TEST

START_TEST(test_quantize_layout)
{
	float v[64];
	int8_t q[64], back[64], blk[16 * 64];
	float s;
	size_t i, r;

	for (i = 0; i < 64; i++)
		v[i] = (float)i / 63.0f - 0.25f;
	s = match_quantize_i8(v, 64, q);
	ck_assert(fabsf(s - 0.75f / 127.0f) < 1e-7f);
	ck_assert_int_eq(q[63], 127);
	ck_assert_int_eq(q[0], -42);	/* -0.25 / 0.75 * 127 = -42.33 */
	for (i = 0; i < 64; i++)
		ck_assert(fabsf(q[i] * s - v[i]) <= s / 2 + 1e-7f);
	memset(v, 0, sizeof(v));
	ck_assert(match_quantize_i8(v, 64, q) == 0.0f);
	ck_assert_int_eq(q[5], 0);
	/* interleaved layout: row r's group g sits at block(r) + 32g + 4(r%8) */
	memset(blk, 0, sizeof(blk));
	for (r = 0; r < 16; r++) {
		for (i = 0; i < 64; i++)
			q[i] = (int8_t)(r * 7 + i);
		match_i8_store_row(blk, r, 64, q);
	}
	ck_assert_int_eq(blk[8 * 64 + 32 * 2 + 4 * 3 + 1], (int8_t)(11 * 7 + 9));
	for (r = 0; r < 16; r++) {
		match_i8_load_row(blk, r, 64, back);
		for (i = 0; i < 64; i++)
			ck_assert_int_eq(back[i], (int8_t)(r * 7 + i));
	}
}
END_TEST

START_TEST(test_cosine_normalize)
{
	float a[128], b[128], z[4] = { 0 };
	double ref = 0.0;
	struct trng r = { 99 };
	size_t i;

	for (i = 0; i < 128; i++) {
		a[i] = trng_gauss(&r) * 3.0f;
		b[i] = trng_gauss(&r);
	}
	ck_assert_eg(match_l2_normalize(a, 128), EG_OK);
	ck_assert_eg(match_l2_normalize(b, 128), EG_OK);
	ck_assert(fabsf(match_cosine(a, a, 128) - 1.0f) < 1e-5f);
	for (i = 0; i < 128; i++)
		ref += (double)a[i] * b[i];
	ck_assert(fabs(match_cosine(a, b, 128) - ref) < 1e-5);
	ck_assert_eg(match_l2_normalize(z, 4), EG_ERR_INVAL);
	z[1] = INFINITY;
	ck_assert_eg(match_l2_normalize(z, 4), EG_ERR_INVAL);
	ck_assert_eg(match_l2_normalize(NULL, 4), EG_ERR_INVAL);
}
END_TEST

/* ---- gallery: top-k order and ties --------------------------------------- */

struct gconf {
	enum match_format f;
	enum match_rescore rs;
	const char *name;
};

static const struct gconf gconfs[] = {
	{ MATCH_F32, MATCH_RESCORE_NONE, "f32" },
	{ MATCH_F16, MATCH_RESCORE_NONE, "f16" },
	{ MATCH_I8, MATCH_RESCORE_NONE, "i8" },
	{ MATCH_I8, MATCH_RESCORE_F16, "i8+f16" },
	{ MATCH_I8, MATCH_RESCORE_F32, "i8+f32" },
};

static struct match_gallery *
mkgal_s(const struct gconf *c, uint32_t d, uint32_t threads, const char *kernel, uint32_t max_k,
    enum match_search search, uint32_t shortlist)
{
	struct match_params p = {
		.dim = d, .format = c->f, .rescore = c->rs, .threads = threads,
		.kernel = kernel, .max_k = max_k, .max_nq = 32, .search = search,
		.shortlist = shortlist,
	};
	struct match_gallery *g = NULL;

	ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
	return g;
}

static struct match_gallery *
mkgal(const struct gconf *c, uint32_t d, uint32_t threads, const char *kernel, uint32_t max_k)
{
	return mkgal_s(c, d, threads, kernel, max_k, MATCH_SEARCH_COMPACT, 0);
}

/* 5003 rows drawn from a pool of 40 distinct vectors, so many exact ties:
 * the expected order is (pool score desc, row asc), for any kernel, format
 * and thread split, on the exact path and on the compact path when the short
 * list holds every row (then every row is re-scored). */
START_TEST(test_topk_ties)
{
	enum { D = 64, N = 5003, POOL = 40, K = 200, NQ = 5 };	/* 4 + 1: both scan paths */
	float *pool = xalloc64(POOL * D * 4), *vecs = xalloc64((size_t)N * D * 4);
	float q[NQ * D], ps[POOL];
	uint64_t *ids = xalloc64(N * 8);
	uint32_t *which = xalloc64(N * 4);
	struct match_hit *hits = xalloc64(NQ * K * sizeof(*hits));
	struct trng r = { 7 };
	size_t i, j, ci, t, qi, kn, sp;

	for (i = 0; i < POOL; i++)
		trng_unit(&r, pool + i * D, D);
	for (i = 0; i < N; i++) {
		which[i] = (uint32_t)(trng_u64(&r) % POOL);
		memcpy(vecs + i * D, pool + which[i] * D, D * 4);
		ids[i] = 1000000 + i;
	}
	for (qi = 0; qi < NQ; qi++)
		trng_unit(&r, q + qi * D, D);
	for (kn = 0; kn < match_kernel_count(); kn++) {
		const char *kname = match_kernel_name(kn);

		if (!match_kernel_runs(kname))
			continue;
		for (ci = 0; ci < sizeof(gconfs) / sizeof(gconfs[0]); ci++) {
			for (t = 1; t <= 4; t++) {
				struct match_gallery *g;

				sp = t > 2;	/* t = 3, 4: compact path, one and two threads */
				g = mkgal_s(&gconfs[ci], D, (uint32_t)(sp ? t - 2 : t), kname, K,
				    sp ? MATCH_SEARCH_COMPACT : MATCH_SEARCH_EXACT, sp ? N : 0);
				ck_assert_uint_eq(match_gallery_shortlist(g, K), sp ? N : 0);

				ck_assert_eg(match_gallery_add(g, vecs, ids, N), EG_OK);
				ck_assert_uint_eq(match_gallery_size(g), N);
				ck_assert_eg(match_gallery_search(g, q, NQ, K, hits), EG_OK);
				for (qi = 0; qi < NQ; qi++) {
					struct match_hit *h = hits + qi * K;
					size_t pos = 0;
					int order[POOL], used[POOL] = { 0 };

					for (i = 0; i < POOL; i++)
						ps[i] = match_kern_scalar.dot_f32(pool + i * D, q + qi * D, D);
					/* pools by descending exact score */
					for (i = 0; i < POOL; i++) {
						int best = -1;

						for (j = 0; j < POOL; j++)
							if (!used[j] && (best < 0 || ps[j] > ps[best]))
								best = (int)j;
						used[best] = 1;
						order[i] = best;
					}
					for (i = 0; i < POOL && pos < K; i++)
						for (j = 0; j < N && pos < K; j++)
							if ((int)which[j] == order[i]) {
								ck_assert_msg(h[pos].id == ids[j],
								    "%s %s t=%zu q=%zu pos %zu: id %llu, want %llu",
								    kname, gconfs[ci].name, t, qi, pos,
								    (unsigned long long)h[pos].id,
								    (unsigned long long)ids[j]);
								pos++;
							}
					for (i = 1; i < K; i++)
						ck_assert(h[i].score <= h[i - 1].score);
					ck_assert(fabsf(h[0].score - ps[order[0]]) <
					    (gconfs[ci].f == MATCH_I8 && gconfs[ci].rs == MATCH_RESCORE_NONE ? 0.02f : 1e-3f));
				}
				match_gallery_free(&g);
				ck_assert_ptr_null(g);
			}
		}
	}
	free(pool); free(vecs); free(ids); free(which); free(hits);
}
END_TEST

START_TEST(test_fewer_than_k)
{
	float v[3 * 32], q[32];
	uint64_t ids[3] = { 5, 6, 7 };
	struct match_hit h[8];
	struct trng r = { 3 };
	size_t i, ci;

	for (i = 0; i < 3; i++)
		trng_unit(&r, v + i * 32, 32);
	memcpy(q, v + 32, sizeof(q));
	for (ci = 0; ci < sizeof(gconfs) / sizeof(gconfs[0]); ci++) {
		struct match_gallery *g = mkgal(&gconfs[ci], 32, 2, NULL, 8);

		ck_assert_eg(match_gallery_search(g, q, 1, 8, h), EG_OK);	/* empty */
		ck_assert(h[0].id == MATCH_ID_NONE && isinf(h[0].score));
		ck_assert_eg(match_gallery_add(g, v, ids, 3), EG_OK);
		ck_assert_eg(match_gallery_search(g, q, 1, 8, h), EG_OK);
		ck_assert_uint_eq(h[0].id, 6);
		ck_assert(fabsf(h[0].score - 1.0f) < 0.01f);
		for (i = 3; i < 8; i++) {
			ck_assert(h[i].id == MATCH_ID_NONE);
			ck_assert(isinf(h[i].score) && h[i].score < 0);
		}
		match_gallery_free(&g);
	}
}
END_TEST

START_TEST(test_params)
{
	struct match_params p = { .dim = 128, .format = MATCH_F32 };
	struct match_gallery *g = NULL;
	float v[128] = { 0 }, q[128] = { 0 };
	uint64_t id = 1;
	struct match_hit h[4];

	p.dim = 100;
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.dim = 4096;
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.dim = 128;
	p.format = 9;
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.format = MATCH_F16;
	p.rescore = MATCH_RESCORE_F32;	/* re-scoring is for int8 only */
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.rescore = MATCH_RESCORE_NONE;
	p.threads = 3;
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.threads = 1;
	p.code_bits = 3;
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.code_bits = 0;
	p.search = 5;
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.search = MATCH_SEARCH_COMPACT;
	p.shortlist = MATCH_SHORTLIST_MAX + 1;
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_INVAL);
	p.shortlist = 0;
	p.kernel = "no-such-kernel";
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_NOT_FOUND);
	ck_assert_ptr_null(g);
	p.kernel = "scalar";
	p.max_k = 4;
	ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
	ck_assert_str_eq(match_gallery_kernel(g), "scalar");
	ck_assert_uint_eq(match_gallery_bytes_per_row(g), 256);
	v[0] = NAN;
	ck_assert_eg(match_gallery_add(g, v, &id, 1), EG_ERR_INVAL);
	ck_assert_uint_eq(match_gallery_size(g), 0);
	v[0] = 1.0f;
	id = MATCH_ID_NONE;
	ck_assert_eg(match_gallery_add(g, v, &id, 1), EG_ERR_INVAL);
	id = 1;
	ck_assert_eg(match_gallery_add(g, v, &id, 1), EG_OK);
	q[0] = 1.0f;
	ck_assert_eg(match_gallery_search(g, q, 1, 5, h), EG_ERR_INVAL);	/* k > max_k */
	ck_assert_eg(match_gallery_search(g, q, 33, 1, h), EG_ERR_INVAL);	/* nq > max_nq */
	ck_assert_eg(match_gallery_search(g, q, 0, 1, h), EG_ERR_INVAL);
	q[3] = INFINITY;
	ck_assert_eg(match_gallery_search(g, q, 1, 1, h), EG_ERR_INVAL);
	q[3] = 0.0f;
	ck_assert_eg(match_gallery_search(g, q, 1, 1, h), EG_OK);
	ck_assert_uint_eq(h[0].id, 1);
	ck_assert_eg(match_gallery_set_threads(g, 1), EG_OK);
	ck_assert_eg(match_gallery_set_threads(g, 2), EG_ERR_INVAL);	/* created with 1 */
	ck_assert_eg(match_gallery_set_threads(g, 0), EG_ERR_INVAL);
	match_gallery_free(&g);
	match_gallery_free(&g);	/* safe twice */
	/* the environment forces a kernel too (Check forks: no leak to other tests) */
	setenv("EGATE_MATCH_KERNEL", "scalar", 1);
	p.kernel = NULL;
	ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
	ck_assert_str_eq(match_gallery_kernel(g), "scalar");
	match_gallery_free(&g);
	setenv("EGATE_MATCH_KERNEL", "bogus", 1);
	ck_assert_eg(match_gallery_new(&p, &g), EG_ERR_NOT_FOUND);
	unsetenv("EGATE_MATCH_KERNEL");
	ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
	ck_assert_str_eq(match_gallery_kernel(g), match_kernel_best());
	match_gallery_free(&g);
}
END_TEST

/* ---- recall@1 against exact float search --------------------------------- */

struct recall_set {
	size_t d, n, nq;
	float *gal, *mated, *random;
	uint64_t *ids;
	uint64_t *exact_m, *exact_r;	/* exact top-1 ids */
};

static void
recall_set_make(struct recall_set *s, size_t d, size_t n, size_t nq, uint64_t seed)
{
	struct trng r = { seed };
	struct match_params p = { .dim = (uint32_t)d, .format = MATCH_F32, .threads = 2,
		.search = MATCH_SEARCH_EXACT };
	struct match_gallery *g = NULL;
	struct match_hit h[32];
	size_t i, b;

	s->d = d;
	s->n = n;
	s->nq = nq;
	s->gal = xalloc64(n * d * 4);
	s->mated = xalloc64(nq * d * 4);
	s->random = xalloc64(nq * d * 4);
	s->ids = xalloc64(n * 8);
	s->exact_m = xalloc64(nq * 8);
	s->exact_r = xalloc64(nq * 8);
	for (i = 0; i < n; i++) {
		trng_unit(&r, s->gal + i * d, d);
		s->ids[i] = i;
	}
	/* noise of norm 0.8: cosine to the mate ≈ 0.78 */
	for (i = 0; i < nq; i++) {
		trng_noisy(&r, s->gal + (trng_u64(&r) % n) * d, s->mated + i * d, d, 0.8f);
		trng_unit(&r, s->random + i * d, d);
	}
	/* exact reference: float storage (its kernel is checked against the
	 * double-precision scalar reference in test_kernels_vs_scalar) */
	ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
	ck_assert_eg(match_gallery_add(g, s->gal, s->ids, n), EG_OK);
	for (b = 0; b < nq; b += 32) {
		size_t m = nq - b < 32 ? nq - b : 32;

		ck_assert_eg(match_gallery_search(g, s->mated + b * d, m, 1, h), EG_OK);
		for (i = 0; i < m; i++)
			s->exact_m[b + i] = h[i].id;
		ck_assert_eg(match_gallery_search(g, s->random + b * d, m, 1, h), EG_OK);
		for (i = 0; i < m; i++)
			s->exact_r[b + i] = h[i].id;
	}
	match_gallery_free(&g);
}

static void
recall_set_free(struct recall_set *s)
{
	free(s->gal); free(s->mated); free(s->random); free(s->ids);
	free(s->exact_m); free(s->exact_r);
}

static double
dot64(const float *a, const float *b, size_t d)
{
	double x = 0.0;
	size_t i;

	for (i = 0; i < d; i++)
		x += (double)a[i] * b[i];
	return x;
}

/* recall@1 against the exact ids; *gap gets the largest exact (double)
 * score difference between the exact top-1 and what was returned instead */
static double
recall_at1(struct match_gallery *g, const struct recall_set *s, const float *qs,
    const uint64_t *exact, double *gap)
{
	struct match_hit h[32];
	size_t b, i, ok = 0, d = s->d, nq = s->nq;

	*gap = 0.0;
	for (b = 0; b < nq; b += 32) {
		size_t m = nq - b < 32 ? nq - b : 32;

		ck_assert_eg(match_gallery_search(g, qs + b * d, m, 1, h), EG_OK);
		for (i = 0; i < m; i++) {
			const float *q = qs + (b + i) * d;
			double dg;

			if (h[i].id == exact[b + i]) {
				ok++;
				continue;
			}
			ck_assert_uint_lt(h[i].id, s->n);
			dg = dot64(s->gal + exact[b + i] * d, q, d) - dot64(s->gal + h[i].id * d, q, d);
			if (dg > *gap)
				*gap = dg;
		}
	}
	return (double)ok / (double)nq;
}

static void
recall_run(size_t d)
{
	struct recall_set s;
	size_t ci;

	recall_set_make(&s, d, 20000, 1000, 0xfeedULL + d);
	for (ci = 1; ci < sizeof(gconfs) / sizeof(gconfs[0]); ci++) {
		struct match_params p = { .dim = (uint32_t)d, .format = gconfs[ci].f,
			.rescore = gconfs[ci].rs, .threads = 2, .search = MATCH_SEARCH_EXACT };
		struct match_gallery *g = NULL;
		double rm, rr, gm, gr;
		int claims;

		ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
		ck_assert_eg(match_gallery_add(g, s.gal, s.ids, s.n), EG_OK);
		rm = recall_at1(g, &s, s.mated, s.exact_m, &gm);
		rr = recall_at1(g, &s, s.random, s.exact_r, &gr);
		printf("recall@1 d=%zu N=%zu %-7s kernel %-10s mated %.4f random %.4f"
		    " (largest exact-score gap of a miss: mated %.2e, random %.2e)\n", d, s.n,
		    gconfs[ci].name, match_gallery_kernel(g), rm, rr, gm, gr);
		/* the design claims: fp16, and int8 re-scored, equal exact top-1;
		 * plain int8 only on mated queries */
		claims = !(gconfs[ci].f == MATCH_I8 && gconfs[ci].rs == MATCH_RESCORE_NONE);
		ck_assert_msg(rm >= 0.999, "%s mated recall %.4f", gconfs[ci].name, rm);
		if (claims)
			ck_assert_msg(rr >= 0.999, "%s random recall %.4f", gconfs[ci].name, rr);
		else
			ck_assert_msg(rr >= 0.80, "int8 random recall %.4f below the documented range", rr);
		match_gallery_free(&g);
	}
	recall_set_free(&s);
}

START_TEST(test_recall_512)
{
	recall_run(512);
}
END_TEST

/*
 * The compact path (codes, short list, re-score) against exact float search:
 * recall@1 ≥ 0.99 on mated and on random queries at every code size, with
 * the default short list and one and two threads; and the codes alone must
 * rank: with a short list of 1 row the mated queries still find their mate
 * most of the time (a broken code or table would give ≈ 0).
 */
static void
recall_compact(size_t d, size_t n)
{
	static const unsigned bits[] = { 1, 2, 4 };
	struct recall_set s;
	size_t bi, t;

	recall_set_make(&s, d, n, 1000, 0xc0deULL + d);
	for (bi = 0; bi < 3; bi++) {
		for (t = 1; t <= (bits[bi] == 2 ? 2u : 1u); t++) {
			struct match_params p = { .dim = (uint32_t)d, .format = MATCH_I8,
				.rescore = MATCH_RESCORE_F16, .threads = (uint32_t)t,
				.code_bits = bits[bi] };
			struct match_gallery *g = NULL;
			double rm, rr, gm, gr, r1;

			ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
			ck_assert_eg(match_gallery_add(g, s.gal, s.ids, s.n), EG_OK);
			rm = recall_at1(g, &s, s.mated, s.exact_m, &gm);
			rr = recall_at1(g, &s, s.random, s.exact_r, &gr);
			printf("compact recall@1 d=%zu N=%zu %u-bit codes, short list %zu, %zu thread(s):"
			    " mated %.4f random %.4f (largest exact-score gap of a miss %.2e / %.2e)\n",
			    d, s.n, bits[bi], match_gallery_shortlist(g, 1), t, rm, rr, gm, gr);
			ck_assert_msg(rm >= 0.99 && rr >= 0.99, "%u-bit d=%zu: recall %.4f / %.4f",
			    bits[bi], d, rm, rr);
			/* fp16 re-scoring of the best 16 dominates: the short list must be ≥ 16 */
			ck_assert_uint_ge(match_gallery_shortlist(g, 1), 16);
			if (t == 1) {
				p.rescore = MATCH_RESCORE_NONE;
				p.shortlist = 1;
				match_gallery_free(&g);
				ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
				ck_assert_eg(match_gallery_add(g, s.gal, s.ids, s.n), EG_OK);
				r1 = recall_at1(g, &s, s.mated, s.exact_m, &gm);
				printf("  codes alone (short list 1): mated recall@1 %.4f\n", r1);
				ck_assert_msg(r1 >= (bits[bi] == 1 ? 0.5 : 0.8), "%u-bit codes alone: %.4f",
				    bits[bi], r1);
			}
			match_gallery_free(&g);
		}
	}
	recall_set_free(&s);
}

START_TEST(test_recall_compact_512)
{
	recall_compact(512, 20000);
}
END_TEST

START_TEST(test_recall_compact_128)
{
	recall_compact(128, 20000);
}
END_TEST

/* compact == exact when every row is re-scored, for every format, and
 * set_search switches paths on a live gallery */
START_TEST(test_compact_equals_exact)
{
	enum { D = 96, N = 777, NQ = 6, K = 10 };
	float *v = xalloc64(N * D * 4), q[NQ * D];
	uint64_t ids[N];
	struct match_hit h1[NQ * K], h2[NQ * K];
	struct trng r = { 21 };
	size_t i, ci;

	for (i = 0; i < N; i++) {
		trng_unit(&r, v + i * D, D);
		ids[i] = 100 + i;
	}
	for (i = 0; i < NQ; i++)
		trng_noisy(&r, v + (i * 100) * D, q + i * D, D, 0.6f);
	for (ci = 0; ci < sizeof(gconfs) / sizeof(gconfs[0]); ci++) {
		struct match_gallery *g = mkgal(&gconfs[ci], D, 2, NULL, K);

		ck_assert_eg(match_gallery_add(g, v, ids, N), EG_OK);
		ck_assert_eg(match_gallery_set_search(g, MATCH_SEARCH_EXACT, 0), EG_OK);
		ck_assert_uint_eq(match_gallery_shortlist(g, K), 0);
		ck_assert_eg(match_gallery_search(g, q, NQ, K, h1), EG_OK);
		ck_assert_eg(match_gallery_set_search(g, MATCH_SEARCH_COMPACT, N), EG_OK);
		ck_assert_eg(match_gallery_search(g, q, NQ, K, h2), EG_OK);
		/* the same rows; float scores may differ in the last bits (the exact
		 * path scores four queries at once, the re-score one row at a time) */
		for (i = 0; i < NQ * K; i++) {
			ck_assert_msg(h1[i].id == h2[i].id && fabsf(h1[i].score - h2[i].score) < 1e-5f,
			    "%s hit %zu: %llu %g vs %llu %g", gconfs[ci].name, i,
			    (unsigned long long)h1[i].id, (double)h1[i].score,
			    (unsigned long long)h2[i].id, (double)h2[i].score);
		}
		for (i = 0; i < NQ; i++)
			ck_assert_uint_eq(h2[i * K].id, ids[i * 100]);
		/* the compact path reads less than the exact one at this size? no:
		 * with every row re-scored it reads more; the accounting says so */
		ck_assert_uint_gt(match_gallery_bytes_per_query(g, K), (size_t)N * D / 4 / 8);
		ck_assert_eg(match_gallery_set_search(g, 7, 0), EG_ERR_INVAL);
		ck_assert_eg(match_gallery_set_search(g, MATCH_SEARCH_COMPACT, MATCH_SHORTLIST_MAX + 1),
		    EG_ERR_INVAL);
		match_gallery_free(&g);
	}
	free(v);
}
END_TEST

START_TEST(test_recall_128)
{
	recall_run(128);
}
END_TEST

/* ---- files ---------------------------------------------------------------- */

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 64);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
resign(uint8_t *b, size_t len)
{
	ck_assert_int_eq(mbedtls_sha256_ret(b, len - 32, b + len - 32, 0), 0);
}

START_TEST(test_file_roundtrip)
{
	enum { D = 96, N = 301 };
	float *v = xalloc64(N * D * 4), q[4 * D];
	uint64_t ids[N];
	struct match_hit h1[4 * 10], h2[4 * 10];
	struct trng r = { 11 };
	char path[128];
	size_t i, ci;
	int fd = eg_scratch_mkstemp(path, sizeof(path), "egate-test-gallery");

	ck_assert_int_ge(fd, 0);
	close(fd);
	for (i = 0; i < N; i++) {
		trng_unit(&r, v + i * D, D);
		ids[i] = trng_u64(&r);
	}
	for (i = 0; i < 4; i++)
		trng_noisy(&r, v + (i * 50) * D, q + i * D, D, 0.5f);
	for (ci = 0; ci < sizeof(gconfs) / sizeof(gconfs[0]); ci++) {
		struct match_gallery *g = mkgal(&gconfs[ci], D, 1, NULL, 10), *g2 = NULL;
		struct match_params lp = { .threads = 2, .max_k = 10 };

		ck_assert_eg(match_gallery_add(g, v, ids, N), EG_OK);
		ck_assert_eg(match_gallery_save(g, path), EG_OK);
		ck_assert_eg(match_gallery_load_file(path, &lp, &g2), EG_OK);
		ck_assert_uint_eq(match_gallery_size(g2), N);
		ck_assert_uint_eq(match_gallery_dim(g2), D);
		ck_assert_int_eq(match_gallery_format(g2), gconfs[ci].f);
		ck_assert_eg(match_gallery_search(g, q, 4, 10, h1), EG_OK);
		ck_assert_eg(match_gallery_search(g2, q, 4, 10, h2), EG_OK);
		for (i = 0; i < 40; i++) {
			ck_assert(h1[i].id == h2[i].id);
			ck_assert(h1[i].score == h2[i].score);
		}
		ck_assert_uint_eq(h1[0].id, ids[0]);
		match_gallery_free(&g);
		match_gallery_free(&g2);
	}
	unlink(path);
	free(v);
}
END_TEST

START_TEST(test_file_corrupt)
{
	enum { D = 32, N = 9 };
	float v[N * D];
	uint64_t ids[N];
	struct trng r = { 12 };
	char path[128];
	struct match_gallery *g = NULL, *g2 = NULL;
	struct gconf c = { MATCH_I8, MATCH_RESCORE_F16, "i8+f16" };
	uint8_t *b;
	size_t len, i;
	int fd = eg_scratch_mkstemp(path, sizeof(path), "egate-test-gallery");

	ck_assert_int_ge(fd, 0);
	close(fd);
	for (i = 0; i < N; i++) {
		trng_unit(&r, v + i * D, D);
		ids[i] = i;
	}
	g = mkgal(&c, D, 1, NULL, 4);
	ck_assert_eg(match_gallery_add(g, v, ids, N), EG_OK);
	ck_assert_eg(match_gallery_save(g, path), EG_OK);
	match_gallery_free(&g);
	b = slurp(path, &len);
	unlink(path);
	ck_assert_uint_eq(len, 32 + N * (8 + D + 4 + 2 * D) + 32);
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_OK);
	match_gallery_free(&g2);

	/* every truncation is rejected */
	for (i = 0; i < len; i++) {
		int e = match_gallery_load(b, i, NULL, &g2);

		ck_assert_msg(e == EG_ERR_TRUNCATED || e == EG_ERR_FORMAT, "len %zu: %s", i, eg_err_name(e));
		ck_assert_ptr_null(g2);
	}
	/* a flipped bit anywhere after the header fails the checksum */
	b[40] ^= 0x01;
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_CHECKSUM);
	b[40] ^= 0x01;
	b[len - 1] ^= 0x80;
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_CHECKSUM);
	b[len - 1] ^= 0x80;
	/* header fields */
	b[0] = 'X';
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	b[0] = 'E';
	b[8] = 2;	/* version */
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_UNSUPPORTED);
	b[8] = 1;
	b[12] = 33;	/* dim not a multiple of 32 */
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	b[12] = 32;
	b[16] = 1;	/* f32 with a re-scoring copy */
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	b[16] = 3;
	b[24] = N + 1;	/* n larger than the data */
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_TRUNCATED);
	b[31] = 0x80;	/* n huge: no overflow, no allocation */
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_TRUNCATED);
	b[31] = 0;
	b[24] = N - 1;	/* trailing bytes */
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	b[24] = N;
	/* an id equal to the empty-slot marker */
	memset(b + 32 + 8, 0xff, 8);
	resign(b, len);
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	memset(b + 32 + 8, 0, 8);
	/* values behind a valid checksum: int8 -128, NaN scale, inf fp16 */
	b[32 + N * 8 + 5] = 0x80;
	resign(b, len);
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	b[32 + N * 8 + 5] = 0x01;
	resign(b, len);
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_OK);
	match_gallery_free(&g2);
	memcpy(b + 32 + N * 8 + N * D + 4, "\x00\x00\xc0\x7f", 4);	/* NaN scale */
	resign(b, len);
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	memcpy(b + 32 + N * 8 + N * D + 4, "\x00\x00\x80\xbf", 4);	/* -1 scale */
	resign(b, len);
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	memcpy(b + 32 + N * 8 + N * D + 4, "\x00\x00\x80\x3b", 4);
	memcpy(b + 32 + N * 8 + N * D + N * 4 + 6, "\x00\x7c", 2);	/* +inf half */
	resign(b, len);
	ck_assert_eg(match_gallery_load(b, len, NULL, &g2), EG_ERR_FORMAT);
	ck_assert_ptr_null(g2);
	ck_assert_eg(match_gallery_load_file("/nonexistent/gallery", NULL, &g2), EG_ERR_IO);
	ck_assert_eg(match_gallery_save(NULL, path), EG_ERR_INVAL);
	free(b);
}
END_TEST

/* The short list grows with the gallery; its scratch must grow for every
 * thread made at creation, also one idle at the time (set_threads 2 → 1 → 2).
 * Under ASan an undersized buffer fails here. */
START_TEST(test_compact_grow_threads)
{
	enum { D = 64, N = 40000, STEP = 5000, NQ = 32 };	/* max_nq: every key region */
	struct match_params p = { .dim = D, .format = MATCH_F16, .threads = 2, .max_k = 4 };
	struct match_gallery *g = NULL;
	float *v = xalloc64((size_t)N * D * 4), q[NQ * D];
	uint64_t *ids = xalloc64(N * 8);
	struct match_hit h[NQ * 4];
	struct trng r = { 31 };
	size_t i, shortlist0;

	for (i = 0; i < N; i++) {
		trng_unit(&r, v + i * D, D);
		ids[i] = i;
	}
	for (i = 0; i < NQ; i++)
		trng_noisy(&r, v + (i * 1249) * D, q + i * D, D, 0.5f);
	ck_assert_eg(match_gallery_new(&p, &g), EG_OK);
	shortlist0 = match_gallery_shortlist(g, 4);
	ck_assert_eg(match_gallery_set_threads(g, 1), EG_OK);
	for (i = 0; i < N; i += STEP)
		ck_assert_eg(match_gallery_add(g, v + i * D, ids + i, STEP), EG_OK);
	ck_assert_uint_gt(match_gallery_shortlist(g, 4), shortlist0);
	ck_assert_eg(match_gallery_set_threads(g, 2), EG_OK);
	ck_assert_eg(match_gallery_search(g, q, NQ, 4, h), EG_OK);
	for (i = 0; i < NQ; i++)
		ck_assert_uint_eq(h[i * 4].id, i * 1249);
	/* a fixed short list larger than any so far grows the scratch too */
	ck_assert_eg(match_gallery_set_search(g, MATCH_SEARCH_COMPACT, 30000), EG_OK);
	ck_assert_uint_eq(match_gallery_shortlist(g, 4), 30000);
	ck_assert_eg(match_gallery_search(g, q, NQ, 4, h), EG_OK);
	for (i = 0; i < NQ; i++)
		ck_assert_uint_eq(h[i * 4].id, i * 1249);
	match_gallery_free(&g);
	free(v);
	free(ids);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tc = tcase_create("kernels");
	TCase *tg = tcase_create("gallery");
	TCase *tr = tcase_create("recall");

	tcase_add_test(tc, test_kernels_vs_scalar);
	tcase_add_test(tc, test_f16_conversion);
	tcase_add_test(tc, test_quantize_layout);
	tcase_add_test(tc, test_cosine_normalize);
	suite_add_tcase(s, tc);
	tcase_add_test(tg, test_topk_ties);
	tcase_add_test(tg, test_fewer_than_k);
	tcase_add_test(tg, test_params);
	tcase_add_test(tg, test_file_roundtrip);
	tcase_add_test(tg, test_file_corrupt);
	tcase_add_test(tg, test_compact_equals_exact);
	tcase_add_test(tg, test_compact_grow_threads);
	tcase_set_timeout(tg, 600);
	tcase_add_unchecked_fixture(tg, eg_scratch_setup, eg_scratch_teardown);
	suite_add_tcase(s, tg);
	tcase_add_test(tr, test_recall_512);
	tcase_add_test(tr, test_recall_128);
	tcase_add_test(tr, test_recall_compact_512);
	tcase_add_test(tr, test_recall_compact_128);
	tcase_set_timeout(tr, 900);	/* ASan on a shared 2-core machine */
	suite_add_tcase(s, tr);
	return s;
}

EG_CHECK_MAIN()
