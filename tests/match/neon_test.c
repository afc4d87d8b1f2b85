/* SPDX-License-Identifier: Apache-2.0 */
/*
 * neon_test.c — the NEON kernels (one-query, four-query int8 and compact
 * codes) against the scalar reference, and gallery
 * searches with kernel "neon" against kernel "scalar". Self-contained (no
 * Check): cross-compiled statically with aarch64-linux-gnu-gcc and run under
 * qemu-aarch64 by tests/match/meson.build. Prints one line per failure and a
 * PASS/FAIL summary; exits non-zero on any failure.
 */
#ifndef __aarch64__
#error "neon_test.c is built for aarch64 only"
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/match.h"
#include "match_kern.h"
#include "test_util.h"

static unsigned checks, failures;
static int inject_fault;	/* --inject-fault: prove that a mismatch fails the run */

#define CHECK(cond, ...) do { \
		checks++; \
		if (!(cond)) { \
			failures++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

static void *
xalloc64(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, (n + 63) & ~(size_t)63) != 0) {
		printf("FAIL: out of memory\n");
		exit(2);
	}
	memset(p, 0, n);
	return p;
}

static void
kernels(void)
{
	static const size_t dims[] = { 32, 64, 96, 128, 512, 2048 };
	static const size_t nrows[] = { 1, 7, 8, 37, 200 };
	const struct match_kernels *k = &match_kern_neon, *ref = &match_kern_scalar;
	struct trng r = { 42 };
	size_t di, ni, i, j;

	for (di = 0; di < sizeof(dims) / sizeof(dims[0]); di++) {
		for (ni = 0; ni < sizeof(nrows) / sizeof(nrows[0]); ni++) {
			size_t d = dims[di], n = nrows[ni], nblk = (n + 7) / 8;
			float *rows = xalloc64(n * d * 4), *q = xalloc64(d * 4);
			uint16_t *h = xalloc64(n * d * 2);
			int8_t *blk = xalloc64(nblk * 8 * d), *q8 = xalloc64(d), *row8 = xalloc64(d);
			float *o1 = xalloc64(n * 4), *o2 = xalloc64(n * 4);
			int32_t *i1 = xalloc64(nblk * 32), *i2 = xalloc64(nblk * 32);
			int edge = (int)(ni % 3);

			for (i = 0; i < n; i++)
				trng_unit(&r, rows + i * d, d);
			trng_unit(&r, q, d);
			for (i = 0; i < n * d; i++)
				h[i] = match_f32_to_f16(rows[i]);
			for (i = 0; i < n; i++) {
				for (j = 0; j < d; j++)
					row8[j] = edge == 1 ? (int8_t)((trng_u64(&r) & 1) ? 127 : -127)
					    : (int8_t)((int)(trng_u64(&r) % 255) - 127);
				match_i8_store_row(blk, i, d, row8);
			}
			for (j = 0; j < d; j++)
				q8[j] = edge == 1 ? (int8_t)((j & 1) ? -127 : 127)
				    : edge == 2 ? 127 : (int8_t)((int)(trng_u64(&r) % 255) - 127);
			k->scan_f32(rows, n, d, q, o1);
			ref->scan_f32(rows, n, d, q, o2);
			for (i = 0; i < n; i++)
				CHECK(fabsf(o1[i] - o2[i]) < 1e-5f, "f32 d=%zu n=%zu row %zu: %g vs %g",
				    d, n, i, (double)o1[i], (double)o2[i]);
			k->scan_f16(h, n, d, q, o1);
			ref->scan_f16(h, n, d, q, o2);
			for (i = 0; i < n; i++)
				CHECK(fabsf(o1[i] - o2[i]) < 1e-5f, "f16 d=%zu n=%zu row %zu: %g vs %g",
				    d, n, i, (double)o1[i], (double)o2[i]);
			k->scan_i8(blk, nblk, d, q8, i1);
			ref->scan_i8(blk, nblk, d, q8, i2);
			if (inject_fault && di == 0 && ni == 0)
				i1[0] ^= 1;
			for (i = 0; i < n; i++)
				CHECK(i1[i] == i2[i], "i8 d=%zu n=%zu edge=%d row %zu: %d vs %d",
				    d, n, edge, i, i1[i], i2[i]);
			{	/* four queries: query u is q8, negated for odd u; stride nblk·8 + 3 */
				size_t u, os = nblk * 8 + 3;
				int8_t *q84 = xalloc64(4 * d);
				int32_t *i4 = xalloc64(4 * os * 4);

				for (u = 0; u < 4; u++)
					for (j = 0; j < d; j++)
						q84[u * d + j] = (int8_t)((u & 1) ? -q8[j] : q8[j]);
				k->scan4_i8(blk, nblk, d, q84, i4, os);
				for (u = 0; u < 4; u++) {
					ref->scan_i8(blk, nblk, d, q84 + u * d, i2);
					for (i = 0; i < n; i++)
						CHECK(i4[u * os + i] == i2[i], "scan4 i8 d=%zu n=%zu q%zu row %zu: %d vs %d",
						    d, n, u, i, i4[u * os + i], i2[i]);
				}
				free(q84);
				free(i4);
			}
			free(rows); free(q); free(h); free(blk); free(q8); free(row8);
			free(o1); free(o2); free(i1); free(i2);
		}
	}
	for (i = 1; i < 80; i += 3) {
		float a[80], b[80];

		trng_unit(&r, a, i);
		trng_unit(&r, b, i);
		CHECK(fabsf(k->dot_f32(a, b, i) - ref->dot_f32(a, b, i)) < 1e-5f, "dot d=%zu", i);
	}
	/* compact codes: random tables at the largest entries allowed */
	{
		static const size_t ms[] = { 8, 16, 32, 64, 128, 256, 1024, 2048 };
		size_t mi, b;

		for (mi = 0; mi < sizeof(ms) / sizeof(ms[0]); mi++) {
			size_t m = ms[mi], nblk = 1 + mi % 3, vmax = 65535 / m > 127 ? 127 : 65535 / m;
			uint8_t *blk = xalloc64(nblk * 16 * m), *lut = xalloc64(m * 16);
			uint16_t *c1 = xalloc64(nblk * 64), *c2 = xalloc64(nblk * 64);

			for (i = 0; i < nblk * 16 * m; i++)
				blk[i] = (uint8_t)trng_u64(&r);
			for (i = 0; i < m * 16; i++)
				lut[i] = (uint8_t)((trng_u64(&r) & 1) ? vmax : trng_u64(&r) % (vmax + 1));
			if (mi == 0)
				memset(blk, 0xff, nblk * 16 * m);
			k->scan_codes(blk, nblk, m, lut, c1);
			ref->scan_codes(blk, nblk, m, lut, c2);
			if (inject_fault && mi == 3)
				c1[5] ^= 1;
			for (b = 0; b < nblk * 32; b++)
				CHECK(c1[b] == c2[b], "codes m=%zu row %zu: %u vs %u", m, b, c1[b], c2[b]);
			free(blk); free(lut); free(c1); free(c2);
		}
	}
}

static void
gallery(void)
{
	enum { D = 128, N = 5000, NQ = 8, K = 10 };
	static const enum match_format fmts[] = { MATCH_F32, MATCH_F16, MATCH_I8 };
	float *v = xalloc64((size_t)N * D * 4), *q = xalloc64(NQ * D * 4);
	uint64_t *ids = xalloc64(N * 8);
	struct match_hit h1[NQ * K], h2[NQ * K];
	struct trng r = { 43 };
	size_t i, f;

	for (i = 0; i < N; i++) {
		trng_unit(&r, v + i * D, D);
		ids[i] = 7 * i + 1;
	}
	for (i = 0; i < NQ; i++)
		trng_noisy(&r, v + (i * 611) * D, q + i * D, D, 0.7f);
	CHECK(strcmp(match_kernel_best(), "neon") == 0, "best kernel is %s, want neon",
	    match_kernel_best());
	for (f = 0; f < 6; f++) {
		/* f < 3: the exact path; f ≥ 3: the compact path (codes, short list) */
		struct match_params p = { .dim = D, .format = fmts[f % 3], .threads = 2, .max_k = K,
			.kernel = "neon", .search = f < 3 ? MATCH_SEARCH_EXACT : MATCH_SEARCH_COMPACT };
		struct match_gallery *gn = NULL, *gs = NULL;

		CHECK(match_gallery_new(&p, &gn) == EG_OK, "new neon format %d", (int)fmts[f % 3]);
		p.kernel = "scalar";
		CHECK(match_gallery_new(&p, &gs) == EG_OK, "new scalar format %d", (int)fmts[f % 3]);
		if (gn == NULL || gs == NULL)
			continue;
		CHECK(match_gallery_add(gn, v, ids, N) == EG_OK, "add");
		CHECK(match_gallery_add(gs, v, ids, N) == EG_OK, "add");
		CHECK(match_gallery_search(gn, q, NQ, K, h1) == EG_OK, "search neon");
		CHECK(match_gallery_search(gs, q, NQ, K, h2) == EG_OK, "search scalar");
		for (i = 0; i < NQ; i++) {
			CHECK(h1[i * K].id == h2[i * K].id, "format %d query %zu top-1 %llu vs %llu",
			    (int)fmts[f % 3], i, (unsigned long long)h1[i * K].id,
			    (unsigned long long)h2[i * K].id);
			CHECK(h1[i * K].id == ids[i * 611], "format %d query %zu misses its mate",
			    (int)fmts[f % 3], i);
			CHECK(fabsf(h1[i * K].score - h2[i * K].score) < 1e-4f, "score");
		}
		match_gallery_free(&gn);
		match_gallery_free(&gs);
	}
	free(v); free(q); free(ids);
}

int
main(int argc, char **argv)
{
	inject_fault = argc > 1 && strcmp(argv[1], "--inject-fault") == 0;
	kernels();
	gallery();
	printf("%s: aarch64 NEON kernels vs scalar: %u checks, %u failures\n",
	    failures == 0 ? "PASS" : "FAIL", checks, failures);
	return failures == 0 ? 0 : 1;
}
