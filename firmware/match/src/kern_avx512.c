/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kern_avx512.c — AVX-512 kernels (-mavx512f -mavx512bw -mavx512vl
 * -mavx512vnni -mfma -mf16c): float and fp16 with 512-bit FMA, int8 with
 * AVX512-VNNI. Two sets: "avx512" (int8 from the AVX2 kernel, for CPUs
 * without VNNI) and "avx512vnni".
 *
 * int8: one 64-byte load covers two 4-dimension groups of the same 8 rows
 * (layout in match_kern.h), so the query is expanded once per call into
 * vectors holding group 2p's four bytes in the low 8 lanes and group 2p+1's in
 * the high 8. Rows are flipped to unsigned as in kern_avxvnni.c.
 */
#include <immintrin.h>
#include <string.h>

#include "match_kern.h"

float
match_avx512_dot_f32(const float *a, const float *b, size_t d)
{
	__m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
	size_t j = 0;
	float s;

	for (; j + 32 <= d; j += 32) {
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j), s0);
		s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j + 16), _mm512_loadu_ps(b + j + 16), s1);
	}
	s = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
	for (; j < d; j++)
		s += a[j] * b[j];
	return s;
}

void
match_avx512_scan_f32(const float *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const float *r = rows + i * d;
		__m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();

		for (j = 0; j < d; j += 32) {
			s0 = _mm512_fmadd_ps(_mm512_load_ps(r + j), _mm512_loadu_ps(q + j), s0);
			s1 = _mm512_fmadd_ps(_mm512_load_ps(r + j + 16), _mm512_loadu_ps(q + j + 16), s1);
		}
		out[i] = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
	}
}

void
match_avx512_scan_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const uint16_t *r = rows + i * d;
		__m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();

		for (j = 0; j < d; j += 32) {
			const __m256i *p = (const __m256i *)(const void *)(r + j);

			s0 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_load_si256(p)),
			    _mm512_loadu_ps(q + j), s0);
			s1 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_load_si256(p + 1)),
			    _mm512_loadu_ps(q + j + 16), s1);
		}
		out[i] = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
	}
}

/* 2 rows × 4 queries: 8 independent FMA chains, each row load shared by
 * four queries and each query load by two rows. */
static void
avx512_scan4_f32(const float *rows, size_t n, size_t d, const float *q, float *out, size_t os)
{
	size_t i, j, u;

	for (i = 0; i + 2 <= n; i += 2) {
		const float *r0 = rows + i * d, *r1 = r0 + d;
		__m512 a[2][4];

		for (u = 0; u < 4; u++)
			a[0][u] = a[1][u] = _mm512_setzero_ps();
		for (j = 0; j < d; j += 16) {
			__m512 x0 = _mm512_load_ps(r0 + j), x1 = _mm512_load_ps(r1 + j);

			for (u = 0; u < 4; u++) {
				__m512 qv = _mm512_loadu_ps(q + u * d + j);

				a[0][u] = _mm512_fmadd_ps(x0, qv, a[0][u]);
				a[1][u] = _mm512_fmadd_ps(x1, qv, a[1][u]);
			}
		}
		for (u = 0; u < 4; u++) {
			out[u * os + i] = _mm512_reduce_add_ps(a[0][u]);
			out[u * os + i + 1] = _mm512_reduce_add_ps(a[1][u]);
		}
	}
	for (; i < n; i++)
		for (u = 0; u < 4; u++)
			match_avx512_scan_f32(rows + i * d, 1, d, q + u * d, out + u * os + i);
}

static void
avx512_scan4_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out, size_t os)
{
	size_t i, j, u;

	for (i = 0; i + 2 <= n; i += 2) {
		const uint16_t *r0 = rows + i * d, *r1 = r0 + d;
		__m512 a[2][4];

		for (u = 0; u < 4; u++)
			a[0][u] = a[1][u] = _mm512_setzero_ps();
		for (j = 0; j < d; j += 16) {
			__m512 x0 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(const void *)(r0 + j)));
			__m512 x1 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(const void *)(r1 + j)));

			for (u = 0; u < 4; u++) {
				__m512 qv = _mm512_loadu_ps(q + u * d + j);

				a[0][u] = _mm512_fmadd_ps(x0, qv, a[0][u]);
				a[1][u] = _mm512_fmadd_ps(x1, qv, a[1][u]);
			}
		}
		for (u = 0; u < 4; u++) {
			out[u * os + i] = _mm512_reduce_add_ps(a[0][u]);
			out[u * os + i + 1] = _mm512_reduce_add_ps(a[1][u]);
		}
	}
	for (; i < n; i++)
		for (u = 0; u < 4; u++)
			match_avx512_scan_f16(rows + i * d, 1, d, q + u * d, out + u * os + i);
}

static void
avx512vnni_scan_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out)
{
	_Alignas(64) int32_t qx[MATCH_KERN_DIM_MAX / 8 * 16];
	const __m512i flip = _mm512_set1_epi8((char)0x80);
	const __m512i *qv = (const __m512i *)(const void *)qx;
	int32_t corr = 0, lo, hi;
	__m256i vcorr;
	size_t b, p, j, np = d / 8;

	for (j = 0; j < d; j++)
		corr += 128 * (int32_t)q8[j];
	vcorr = _mm256_set1_epi32(corr);
	for (p = 0; p < np; p++) {
		memcpy(&lo, q8 + 8 * p, 4);
		memcpy(&hi, q8 + 8 * p + 4, 4);
		for (j = 0; j < 8; j++) {
			qx[p * 16 + j] = lo;
			qx[p * 16 + 8 + j] = hi;
		}
	}
	for (b = 0; b < nblk; b++) {
		const __m512i *blk = (const __m512i *)(const void *)(blocks + b * MATCH_I8_BLOCK * d);
		__m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
		__m512i a2 = _mm512_setzero_si512(), a3 = _mm512_setzero_si512();
		__m256i s;

		for (p = 0; p < np; p += 4) {
			a0 = _mm512_dpbusd_epi32(a0, _mm512_xor_si512(_mm512_load_si512(blk + p), flip), qv[p]);
			a1 = _mm512_dpbusd_epi32(a1, _mm512_xor_si512(_mm512_load_si512(blk + p + 1), flip),
			    qv[p + 1]);
			a2 = _mm512_dpbusd_epi32(a2, _mm512_xor_si512(_mm512_load_si512(blk + p + 2), flip),
			    qv[p + 2]);
			a3 = _mm512_dpbusd_epi32(a3, _mm512_xor_si512(_mm512_load_si512(blk + p + 3), flip),
			    qv[p + 3]);
		}
		a0 = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
		s = _mm256_add_epi32(_mm512_castsi512_si256(a0), _mm512_extracti64x4_epi64(a0, 1));
		_mm256_storeu_si256((__m256i *)(void *)(out + b * MATCH_I8_BLOCK),
		    _mm256_sub_epi32(s, vcorr));
	}
}

/* four queries: one row load feeds four dot products; two groups of
 * accumulators (even/odd p) keep eight chains in flight */
static void
avx512vnni_scan4_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out,
    size_t os)
{
	_Alignas(64) int32_t qx[4][MATCH_KERN_DIM_MAX / 8 * 16];
	const __m512i flip = _mm512_set1_epi8((char)0x80);
	int32_t corr[4] = { 0 }, lo, hi;
	size_t b, p, j, u, np = d / 8;

	for (u = 0; u < 4; u++) {
		const int8_t *qq = q8 + u * d;

		for (j = 0; j < d; j++)
			corr[u] += 128 * (int32_t)qq[j];
		for (p = 0; p < np; p++) {
			memcpy(&lo, qq + 8 * p, 4);
			memcpy(&hi, qq + 8 * p + 4, 4);
			for (j = 0; j < 8; j++) {
				qx[u][p * 16 + j] = lo;
				qx[u][p * 16 + 8 + j] = hi;
			}
		}
	}
	for (b = 0; b < nblk; b++) {
		const __m512i *blk = (const __m512i *)(const void *)(blocks + b * MATCH_I8_BLOCK * d);
		__m512i a[2][4];

		for (u = 0; u < 4; u++)
			a[0][u] = a[1][u] = _mm512_setzero_si512();
		for (p = 0; p < np; p += 2) {
			__m512i r0 = _mm512_xor_si512(_mm512_load_si512(blk + p), flip);
			__m512i r1 = _mm512_xor_si512(_mm512_load_si512(blk + p + 1), flip);

			for (u = 0; u < 4; u++) {
				const __m512i *qv = (const __m512i *)(const void *)qx[u];

				a[0][u] = _mm512_dpbusd_epi32(a[0][u], r0, qv[p]);
				a[1][u] = _mm512_dpbusd_epi32(a[1][u], r1, qv[p + 1]);
			}
		}
		for (u = 0; u < 4; u++) {
			__m512i t = _mm512_add_epi32(a[0][u], a[1][u]);
			__m256i s = _mm256_add_epi32(_mm512_castsi512_si256(t), _mm512_extracti64x4_epi64(t, 1));

			_mm256_storeu_si256((__m256i *)(void *)(out + u * os + b * MATCH_I8_BLOCK),
			    _mm256_sub_epi32(s, _mm256_set1_epi32(corr[u])));
		}
	}
}

const struct match_kernels match_kern_avx512 = {
	.name = "avx512",
	.needs = MATCH_CPU_AVX2 | MATCH_CPU_FMA | MATCH_CPU_F16C | MATCH_CPU_AVX512,
	.dot_f32 = match_avx512_dot_f32,
	.scan_f32 = match_avx512_scan_f32,
	.scan_f16 = match_avx512_scan_f16,
	.scan_i8 = match_avx2_scan_i8,
	.scan4_f32 = avx512_scan4_f32,
	.scan4_f16 = avx512_scan4_f16,
	.scan4_i8 = match_avx2_scan4_i8,
	.scan_codes = match_avx2_scan_codes,
};

const struct match_kernels match_kern_avx512vnni = {
	.name = "avx512vnni",
	.needs = MATCH_CPU_AVX2 | MATCH_CPU_FMA | MATCH_CPU_F16C | MATCH_CPU_AVX512 |
	    MATCH_CPU_AVX512VNNI,
	.dot_f32 = match_avx512_dot_f32,
	.scan_f32 = match_avx512_scan_f32,
	.scan_f16 = match_avx512_scan_f16,
	.scan_i8 = avx512vnni_scan_i8,
	.scan4_f32 = avx512_scan4_f32,
	.scan4_f16 = avx512_scan4_f16,
	.scan4_i8 = avx512vnni_scan4_i8,
	.scan_codes = match_avx2_scan_codes,
};
